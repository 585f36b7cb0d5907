// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Soak and bad-input tests (tests/test_soak.c, tests/test_badinput.c):
 * an xdp program run with BPF_PROG_TEST_RUN repeat on two CPUs. Every run
 * writes LINES_PER_RUN numbered lines to each stream and counts them, so
 * userspace knows exactly how many lines were written per stream. */
#include "vmlinux.h"
#define BPF_STREAM_RINGBUF_SIZE (1 << 20)
#define BPF_STREAM_MSG_MAX 64
#include <bpf_stream.h>

#define LINES_PER_RUN 2

char LICENSE[] SEC("license") = "GPL";

__u64 soak_written[3];	/* per stream id: bpf_stream_printk calls */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} soak_seq SEC(".maps");

SEC("xdp")
int soak_write(struct xdp_md *ctx)
{
	__u32 zero = 0, cpu = bpf_get_smp_processor_id();
	__u64 *seq = bpf_map_lookup_elem(&soak_seq, &zero);
	__u64 n;
	int i;

	if (!seq)
		return XDP_ABORTED;
	for (i = 0; i < LINES_PER_RUN; i++) {
		n = (*seq)++;
		__sync_fetch_and_add(&soak_written[BPF_STDOUT], 1);
		bpf_stream_printk(BPF_STDOUT, "o %u %llu\n", cpu, n);
		__sync_fetch_and_add(&soak_written[BPF_STDERR], 1);
		bpf_stream_error("e %u %llu\n", cpu, n);
	}
	return XDP_PASS;
}
