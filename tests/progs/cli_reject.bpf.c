// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test object of `bpf-stream run`'s load error (tests/test_cli.c): the
 * verifier rejects this program (packet read without a bounds check). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int cli_reject(struct xdp_md *ctx)
{
	return *(int *)(long)ctx->data;
}
