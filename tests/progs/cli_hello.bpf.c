// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Test object of `bpf-stream run` (tests/test_cli.c): one program of each
 * type run can test-run, each printing known lines, plus a tracepoint
 * program that run must skip with a note. Every program returns its pass
 * value, so `run` exits 0.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

#define XDP_PASS_ 2
#define TC_ACT_OK_ 0

int runs = 0;

SEC("syscall")
int cli_hello(void *ctx)
{
	runs++;
	bpf_stream_printk(BPF_STDOUT, "hello from cli_hello %d\n", 42);
	bpf_stream_error("cli_hello error line %d\n", 7);
	return 0;
}

SEC("xdp")
int cli_xdp(struct xdp_md *ctx)
{
	bpf_stream_printk(BPF_STDOUT, "xdp packet of %d bytes\n",
			  (int)(ctx->data_end - ctx->data));
	return XDP_PASS_;
}

SEC("tc")
int cli_tc(struct __sk_buff *skb)
{
	bpf_stream_printk(BPF_STDOUT, "tc packet of %u bytes, protocol 0x%x\n", skb->len,
			  bpf_ntohs(skb->protocol));
	return TC_ACT_OK_;
}

SEC("socket")
int cli_sock(struct __sk_buff *skb)
{
	bpf_stream_printk(BPF_STDOUT, "socket packet of %u bytes\n", skb->len);
	return skb->len;
}

SEC("raw_tp/sys_enter")
int cli_rawtp(unsigned long long *ctx)
{
	/* run passes zeroed arguments */
	bpf_stream_printk(BPF_STDOUT, "raw_tp arg1 %llu\n", ctx[1]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int cli_tp(void *ctx)
{
	bpf_stream_printk(BPF_STDOUT, "never run by bpf-stream run\n");
	return 0;
}
