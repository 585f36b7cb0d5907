/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Call sites that must load with every compiler at every BPF_STREAM_MSG_MAX
 * (issue 21): a %p site, formats of 255 and 256 bytes (the last one the
 * header scans at build time, and the first one the kernel formats) and of
 * 1000 bytes, 12-argument sites (integers, strings, %p) and a site with a
 * surplus argument. The Makefile builds this file with each installed
 * clang and several limits (load_sites.CLANG.MAX.o); test_header loads every
 * object with both transports and checks the ring's lines.
 */
#include "vmlinux.h"
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

#include "load_sites.h"

int ls_rets[8];

SEC("syscall")
int ls_sites(void *ctx __attribute__((unused)))
{
	static const char s[] = "str";
	static const int x = 7;

	ls_rets[0] = bpf_stream_printk(BPF_STDOUT, "%p\n", &x);
	ls_rets[1] = bpf_stream_printk(BPF_STDOUT, LS_FMT255, 255);
	ls_rets[2] = bpf_stream_printk(BPF_STDOUT, LS_FMT256, 256);
	ls_rets[3] = bpf_stream_printk(BPF_STDERR, LS_FMT1000, 1000, s);
	ls_rets[4] = bpf_stream_printk(BPF_STDOUT, "%d %u %x %X %ld %lu %lld %llu %c %i %d %d\n",
				       1, 2, 3, 4, 5L, 6UL, 7LL, 8ULL, 'z', 10, 11, 12);
	ls_rets[5] = bpf_stream_printk(BPF_STDOUT, "%s %s %s %s %s %s %s %s %s %s %s %s\n",
				       s, s, s, s, s, s, s, s, s, s, s, s);
	ls_rets[6] = bpf_stream_printk(BPF_STDERR, "%px %d %d %d %d %d %d %d %d %d %d %d\n",
				       (void *)0x1234, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
	/* one argument more than conversions: the kernel ignores it */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wformat-extra-args"
	ls_rets[7] = bpf_stream_printk(BPF_STDOUT, "[%s]\n", s, 99);
#pragma clang diagnostic pop
	return 0;
}
