// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test object of bpf-stream's drop notices (tests/test_cli.c): a ring buffer
 * too small for what the program prints, so most messages are dropped. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#define BPF_STREAM_RINGBUF_SIZE 4096
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

SEC("syscall")
int cli_flood(void *ctx)
{
	/* Records have the size of what they carry (32 bytes here): fill most
	 * of the ring first with a discarded record, whose room the reader
	 * frees only when it passes it. */
	void *fill = bpf_ringbuf_reserve(&bpf_stream_rb, 3800, 0);
	int i;

	if (fill)
		bpf_ringbuf_discard(fill, BPF_RB_NO_WAKEUP);
	for (i = 0; i < 20; i++)
		bpf_stream_printk(BPF_STDOUT, "flood %d\n", i);
	return 0;
}
