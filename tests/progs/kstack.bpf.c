// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf_stream_print_stack() (tests/test_kstack.c): the kernel's stack dump
 * into a stream where the kernel has the kfunc (Linux 7.2, 7.3), -EOPNOTSUPP
 * elsewhere; the object loads on every kernel. Also empty messages, which
 * write nothing on either transport. syscall programs, run with
 * BPF_PROG_TEST_RUN.
 */
#include "vmlinux.h"
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

int stack_ret = 1;	/* bpf_stream_print_stack()'s result */
int before_ret = 1, after_ret = 1;
__u32 stream = 2;	/* the stream to print the stack to, set by the test */
int empty_ret[3] = { 1, 1, 1 };
char empty_str[4] = "";

/* A subprogram, so that the trace has two BPF frames. */
static __noinline int kstack_inner(__u32 id)
{
	int ret = bpf_stream_print_stack(id);

	return ret;
}

SEC("syscall")
int kstack_print(void *ctx)
{
	before_ret = bpf_stream_printk(stream, "before the stack\n");
	stack_ret = kstack_inner(stream);
	after_ret = bpf_stream_printk(stream, "after the stack\n");
	return 0;
}

SEC("syscall")
int kstack_bad_id(void *ctx)
{
	stack_ret = bpf_stream_print_stack(3);
	return 0;
}

/* Zero-length messages: an empty format, "%s" of "", "%.0s"-free "%s%s". */
SEC("syscall")
int kstack_empty(void *ctx)
{
	empty_ret[0] = bpf_stream_printk(BPF_STDOUT, "");
	empty_ret[1] = bpf_stream_printk(BPF_STDOUT, "%s", empty_str);
	empty_ret[2] = bpf_stream_printk(BPF_STDOUT, "%s%s", empty_str, empty_str);
	bpf_stream_printk(BPF_STDOUT, "end\n");
	return 0;
}

/* What bpf_stream.h does with a failed write's error, on every kernel:
 * the same counting a native -E2BIG (Linux 7.4) or -ENOSPC gets. */
SEC("syscall")
int kstack_count(void *ctx)
{
	static const char site[] = "a call site of kstack_count";

	___bpf_stream_count_err(BPF_STDERR, site, -7 /* -E2BIG */);
	___bpf_stream_count_err(BPF_STDERR, site, -7);
	___bpf_stream_count_err(BPF_STDERR, site, -28 /* -ENOSPC */);
	return 0;
}

/* A message of 1100 bytes of text, over the kernel's 1023: released
 * kernels cut it; Linux 7.4 (and kernel-patch/'s core) refuse it, -E2BIG. */
#define KS_10 "0123456789"
#define KS_100 KS_10 KS_10 KS_10 KS_10 KS_10 KS_10 KS_10 KS_10 KS_10 KS_10
int big_ret = 1;

SEC("syscall")
int kstack_big(void *ctx)
{
	big_ret = bpf_stream_printk(BPF_STDOUT, KS_100 KS_100 KS_100 KS_100 KS_100 KS_100 KS_100
					KS_100 KS_100 KS_100 KS_100 "\n");
	bpf_stream_printk(BPF_STDOUT, "end\n");
	return 0;
}
