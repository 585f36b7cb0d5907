// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* One of two files linked into tests/progs/ctl_linked.bpf.o (test_ctl):
 * each file numbers its call sites' switches from its own
 * BPF_STREAM_SITE_BASE, so the linked object has one switch per site. */
#include "vmlinux.h"
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

SEC("syscall")
int ctl_link_a(void *ctx)
{
	bpf_stream_info("link a %d\n", 1);
	return 0;
}
