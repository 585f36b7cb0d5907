// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* follow: print on every context switch, at most one line per interval. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u64 interval_ns = 500000000ULL; /* set by user space before load */

__u64 last_ns = 0;
__u64 skipped = 0;

SEC("raw_tp/sched_switch")
int follow_switch(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 now = bpf_ktime_get_ns();
	char comm[16];

	/* Rate limit: a context switch happens thousands of times a second. */
	if (now - last_ns < interval_ns) {
		__sync_fetch_and_add(&skipped, 1);
		return 0;
	}
	last_ns = now;
	bpf_get_current_comm(comm, sizeof(comm));
	bpf_stream_printk(BPF_STDOUT, "cpu %u: switch away from %s (pid %u), %llu switches since\n",
			  bpf_get_smp_processor_id(), comm,
			  (__u32)(bpf_get_current_pid_tgid() >> 32), skipped);
	if (skipped > 100000)
		bpf_stream_error("busy: %llu switches in one interval\n", skipped);
	skipped = 0;
	return 0;
}
