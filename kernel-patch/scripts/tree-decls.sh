#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Cut the BPF stream declarations out of a kernel tree's
# include/linux/bpf.h (read from stdin) for the harness's tree shim: the
# types from "enum bpf_stream_id {" up to the next unrelated enum, and the
# prototypes from "void bpf_prog_stream_init" through the
# bpf_stream_stage() macro. Fails if either part is missing.
set -eu
awk '
/^enum bpf_stream_id \{/		{ types = 1 }
types && /^enum bpf_sig_verdict/	{ types = 0; got_types = 1 }
types					{ print; next }
/^void bpf_prog_stream_init\(/	{ protos = 1 }
protos					{ print }
protos && /^#define bpf_stream_stage\(/	{ macro = 1 }
macro && /^[ \t]*\}\)[ \t]*$/		{ protos = 0; macro = 0; got_protos = 1 }
END { if (!got_types || !got_protos) exit 1 }
'
