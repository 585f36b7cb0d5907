// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A backlog in one program run (issue 19): rd_bl_a writes rd_lines numbered
 * lines to stdout with bpf_loop; its sibling rd_bl_b writes to stdout and
 * stderr of the same ring; rd_bl_quiet prints nothing. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

__u32 rd_lines = 20000;
__u32 rd_runs;

static int line_a(__u32 i, void *ctx)
{
	bpf_stream_printk(BPF_STDOUT, "a %u %u\n", rd_runs, i);
	return 0;
}

SEC("syscall")
int rd_bl_quiet(void *ctx)
{
	return 0;
}

SEC("syscall")
int rd_bl_a(void *ctx)
{
	__sync_fetch_and_add(&rd_runs, 1);
	bpf_loop(rd_lines, line_a, NULL, 0);
	return 0;
}

SEC("syscall")
int rd_bl_b(void *ctx)
{
	bpf_stream_printk(BPF_STDOUT, "b out\n");
	bpf_stream_error("b err\n");
	return 0;
}

/* One producer's batch: ctx_in says who writes and how many lines. */
struct rd_prod_args {
	__u32 producer;
	__u32 first;
	__u32 count;
};

static int line_p(__u32 i, struct rd_prod_args *a)
{
	bpf_stream_printk(BPF_STDOUT, "p %u %u\n", a->producer, a->first + i);
	return 0;
}

SEC("syscall")
int rd_prod(struct rd_prod_args *args)
{
	struct rd_prod_args a = *args;

	bpf_loop(a.count, line_p, &a, 0);
	return 0;
}
