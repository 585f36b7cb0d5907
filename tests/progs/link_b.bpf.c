// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The second file linked into tests/progs/linked.bpf.o. Its own unit name
 * keeps its kfunc externs distinct from link_a's (see bpf_stream.h). */
#define BPF_STREAM_UNIT b
#include "vmlinux.h"
#include <bpf_stream.h>

SEC("syscall")
int link_b_prog(void *ctx)
{
	bpf_stream_printk(BPF_STDOUT, "from file b %s\n", "two");
	bpf_stream_error("file b error %u\n", 2U);
	return 0;
}
