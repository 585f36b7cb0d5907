// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Conservation test writer: a small ring so that some writes are dropped.
 * xdp program run with BPF_PROG_TEST_RUN repeat on each CPU; every run
 * writes one numbered line to stdout and one to stderr. */
#include "vmlinux.h"
#define BPF_STREAM_RINGBUF_SIZE (16 * 4096)
#define BPF_STREAM_MSG_MAX 48
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} tr_seq SEC(".maps");

SEC("xdp")
int tr_flood(struct xdp_md *ctx)
{
	__u32 zero = 0, cpu = bpf_get_smp_processor_id();
	__u64 *seq = bpf_map_lookup_elem(&tr_seq, &zero);
	__u64 n;

	if (!seq)
		return XDP_ABORTED;
	n = (*seq)++;
	bpf_stream_printk(BPF_STDOUT, "o %u %llu\n", cpu, n);
	bpf_stream_error("e %u %llu\n", cpu, n);
	return XDP_PASS;
}
