// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpf_stream.h's side of the interop tests: what it writes natively is read
 * back by other tools (bpftool prog tracelog) byte for byte. */
#include "vmlinux.h"
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

SEC("syscall")
int interop_hdr(void *ctx)
{
	int r = 0;

	r |= bpf_stream_printk(BPF_STDOUT, "interop %d %s %x\n", -42, "abc", 255U);
	r |= bpf_stream_printk(BPF_STDOUT, "second line\n");
	r |= bpf_stream_error("interop stderr %llu\n", 18446744073709551615ULL);
	return r;
}
