// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * 6. Waiting: one line per run through bpf_stream.h, prepared native (the
 * section needs native streams that work).
 */
#include "vmlinux.h"
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

__u64 wait_seq;

SEC("syscall")
int wait_line(void *ctx)
{
	bpf_stream_printk(BPF_STDOUT, "wait %llu\n", ++wait_seq);
	return 0;
}
