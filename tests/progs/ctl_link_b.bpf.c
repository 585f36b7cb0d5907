// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The second file of tests/progs/ctl_linked.bpf.o: its own unit name (kfunc
 * externs) and its own range of call-site switches. */
#define BPF_STREAM_UNIT b
#define BPF_STREAM_SITE_BASE 128
#include "vmlinux.h"
#include <bpf_stream.h>

SEC("syscall")
int ctl_link_b(void *ctx)
{
	bpf_stream_info("link b %d\n", 2);
	return 0;
}
