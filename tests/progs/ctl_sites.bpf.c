// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Call sites of every level, switched at run time (test_ctl, bench). */
#include "vmlinux.h"
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

__u32 runs = 0;

SEC("syscall")
int ctl_levels(void *ctx)
{
	__u32 n = ++runs;

	bpf_stream_printk(BPF_STDOUT, "print %u\n", n);
	bpf_stream_error("error %u\n", n);
	bpf_stream_warn("warn %u\n", n);
	bpf_stream_info("info %u\n", n);
	bpf_stream_debug("debug %u\n", n);
	return 0;
}

/* A second program with its own site, in the same object. */
SEC("syscall")
int ctl_other(void *ctx)
{
	bpf_stream_info("other %u\n", runs);
	return 0;
}
