// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Consumer tests: a ring buffer too small for what the program prints, so
 * messages are dropped and counted (drop notices end to end). */
#include "vmlinux.h"
#define BPF_STREAM_RINGBUF_SIZE 4096
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

SEC("syscall")
int cons_flood(void *ctx)
{
	/* records have the size of what they carry: 64 of ~150 bytes overflow */
	static const char pad[] = "................................................................"
				  "........................................................";
	int i;

	for (i = 0; i < 64; i++)
		bpf_stream_printk(BPF_STDOUT, "flood line %d %s\n", i, pad);
	return 0;
}
