// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Verifier tests of bpf_stream.h: 0, 1, 6 and 12 arguments, both streams,
 * every conversion the kernel's bpf_snprintf accepts. syscall programs,
 * run with BPF_PROG_TEST_RUN; the transport comes from the .rodata selector. */
#include "vmlinux.h"
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

int last_ret = 0;

SEC("syscall")
int hdr_args0(void *ctx)
{
	last_ret = bpf_stream_printk(BPF_STDOUT, "no arguments\n");
	return 0;
}

SEC("syscall")
int hdr_args1(void *ctx)
{
	last_ret = bpf_stream_error("one %d\n", -7);
	return 0;
}

SEC("syscall")
int hdr_args6(void *ctx)
{
	last_ret = bpf_stream_printk(BPF_STDOUT, "six %d %u %ld %lu %lld %llu\n", -1, 2U, -3L,
				     4UL, -5LL, 6ULL);
	return 0;
}

SEC("syscall")
int hdr_args12(void *ctx)
{
	last_ret = bpf_stream_printk(BPF_STDERR, "%d %d %d %d %d %d %d %d %d %d %d %d\n", 1, 2,
				     3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
	return 0;
}

SEC("syscall")
int hdr_convs(void *ctx)
{
	static const char str[] = "str";
	int r = 0;

	r |= bpf_stream_printk(BPF_STDOUT, "%x %X %lx %llx %c %s %px %%\n", 255U, 255U, 0xabcUL,
			       0xdefULL, 'z', str, (void *)0x1234);
	r |= bpf_stream_printk(BPF_STDOUT, "%i %5d|%-5d|%05d|%5s|%+d|% d\n", 1, 2, 3, 4, str, 5, 6);
	{
		/* kernel pointer extensions: IPv4 address, kernel pointer */
		static const unsigned char ip[4] = { 1, 2, 3, 4 };

		r |= bpf_stream_printk(BPF_STDOUT, "%pI4 %pi4\n", ip, ip);
	}
	last_ret = r;
	return 0;
}
