// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Programs that write more than their streams hold, so that messages are
 * dropped (tests/test_drops.c): each drop must be announced under the
 * program that dropped it. The ring is one page: a few dozen records. */
#define BPF_STREAM_RINGBUF_SIZE 4096
#include "vmlinux.h"
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

__u32 lines = 0;	/* messages per run, set by the test */
int failed = 0;		/* bpf_stream_printk() calls that returned an error */

static int out_a(__u64 i, void *ctx)
{
	if (bpf_stream_printk(BPF_STDOUT, "a out %llu\n", i))
		failed++;
	return 0;
}

static int err_b(__u64 i, void *ctx)
{
	if (bpf_stream_error("b err %llu\n", i))
		failed++;
	return 0;
}

/* Inlined into both shared programs: one call site in two programs. */
static __always_inline int shared_line(__u64 i)
{
	return bpf_stream_printk(BPF_STDOUT, "shared %llu\n", i);
}

static int shared_cb(__u64 i, void *ctx)
{
	if (shared_line(i))
		failed++;
	return 0;
}

SEC("syscall")
int drop_a(void *ctx)
{
	bpf_loop(lines, out_a, NULL, 0);
	return 0;
}

SEC("syscall")
int drop_b(void *ctx)
{
	bpf_loop(lines, err_b, NULL, 0);
	return 0;
}

SEC("syscall")
int drop_shared_a(void *ctx)
{
	bpf_loop(lines, shared_cb, NULL, 0);
	return 0;
}

SEC("syscall")
int drop_shared_b(void *ctx)
{
	bpf_loop(lines, shared_cb, NULL, 0);
	return 0;
}
