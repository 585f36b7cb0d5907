// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* hdr_subprog.h with every helper of bpf_stream.h inlined. */
#define BPF_STREAM_INLINE
#include "hdr_subprog.h"
