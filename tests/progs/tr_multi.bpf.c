// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Several programs of one object, each printing its name and a run counter
 * to both streams (syscall programs). */
#include "vmlinux.h"
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

__u32 runs_a = 0, runs_b = 0, runs_c = 0;

SEC("syscall")
int tr_multi_a(void *ctx)
{
	__u32 n = ++runs_a;

	bpf_stream_printk(BPF_STDOUT, "a out %u\n", n);
	bpf_stream_error("a err %u\n", n);
	return 0;
}

SEC("syscall")
int tr_multi_b(void *ctx)
{
	__u32 n = ++runs_b;

	bpf_stream_printk(BPF_STDOUT, "b out %u\n", n);
	bpf_stream_error("b err %u\n", n);
	return 0;
}

/* A name longer than the record's 32-byte func field: routed by its prefix. */
SEC("syscall")
int tr_multi_c_with_a_rather_long_program_name(void *ctx)
{
	__u32 n = ++runs_c;

	bpf_stream_printk(BPF_STDOUT, "c out %u\n", n);
	return 0;
}

/* A message printed inside a non-inlined subprogram carries the subprogram's
 * name, which is no program's name: libbpf-stream finds the program that
 * contains it (tr_multi_sub) through the program's BTF func_info. */
static __noinline int tr_multi_helper(__u32 n)
{
	return bpf_stream_printk(BPF_STDOUT, "helper %u\n", n);
}

SEC("syscall")
int tr_multi_sub(void *ctx)
{
	return tr_multi_helper(7);
}
