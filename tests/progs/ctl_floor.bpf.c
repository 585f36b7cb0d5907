// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The compile-time floor: info and debug calls are compiled out. */
#include "vmlinux.h"
#define BPF_STREAM_LEVEL BPF_STREAM_LVL_WARN
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

__u32 side_effects = 0;

SEC("syscall")
int ctl_floor(void *ctx)
{
	bpf_stream_warn("floor warn\n");
	bpf_stream_info("floor info %u\n", ++side_effects);
	bpf_stream_debug("floor debug %u\n", ++side_effects);
	return 0;
}
