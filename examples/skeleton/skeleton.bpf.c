// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* skeleton: count one system call of one process, print each (stdout) and
 * every fifth also to stderr. Only that call: the reader's own system calls
 * (reads, writes, ppoll) would otherwise print lines about themselves. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 target_pid = 0;
const volatile long target_nr = -1;

__u64 seen = 0;

SEC("raw_tp/sys_enter")
int skeleton_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	long nr = (long)ctx->args[1];

	if (pid != target_pid || nr != target_nr)
		return 0;
	seen++;
	bpf_stream_printk(BPF_STDOUT, "system call %ld seen (#%llu)\n", nr, seen);
	if (seen % 5 == 0)
		bpf_stream_error("every fifth call lands on stderr: #%llu\n", seen);
	return 0;
}
