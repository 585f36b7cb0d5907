// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test object of `bpf-stream run`'s exit status: programs returning values
 * other than their pass value (tests/test_cli.c picks one with --prog). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int cli_drop(struct xdp_md *ctx)
{
	bpf_stream_printk(BPF_STDOUT, "dropping\n");
	return 1; /* XDP_DROP */
}

SEC("syscall")
int cli_ret7(void *ctx)
{
	bpf_stream_printk(BPF_STDOUT, "returning 7\n");
	return 7;
}

SEC("syscall")
int cli_ret_big(void *ctx)
{
	return 1000;
}

SEC("syscall")
int cli_ret_neg(void *ctx)
{
	return -5;
}

SEC("syscall")
int cli_ok(void *ctx)
{
	bpf_stream_printk(BPF_STDOUT, "fine\n");
	return 0;
}
