// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* One of two files linked into one object (tests/progs/linked.bpf.o, made by
 * `bpftool gen object` in the Makefile): both include bpf_stream.h. */
#include "vmlinux.h"
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

SEC("syscall")
int link_a_prog(void *ctx)
{
	bpf_stream_printk(BPF_STDOUT, "from file a %d\n", 1);
	bpf_stream_error("file a error\n");
	return 0;
}
