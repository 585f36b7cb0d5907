// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Consumer tests: records stamped with bpf_ktime_get_ns() (BPF_STREAM_TIMESTAMP),
 * two programs, so a reader ordering by time can interleave them. */
#include "vmlinux.h"
#define BPF_STREAM_TIMESTAMP
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

__u32 seq = 0;

SEC("syscall")
int cons_ts_a(void *ctx)
{
	bpf_stream_printk(BPF_STDOUT, "a %u\n", ++seq);
	return 0;
}

SEC("syscall")
int cons_ts_b(void *ctx)
{
	bpf_stream_printk(BPF_STDERR, "b %u\n", ++seq);
	return 0;
}
