// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Messages at and beyond the default size limit (BPF_STREAM_MSG_MAX = 1023,
 * the kernel's own native limit of 1024 bytes with the NUL). */
#include "vmlinux.h"
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

#define S16 "0123456789abcdef"
#define S64 S16 S16 S16 S16
#define S256 S64 S64 S64 S64
/* 1022 characters */
#define L1022 S256 S256 S256 S64 S64 S64 S16 S16 S16 "0123456789abcd"

int rets[2] = {};

SEC("syscall")
int tr_limit_default(void *ctx)
{
	rets[0] = bpf_stream_printk(BPF_STDOUT, L1022 "\n");		/* 1023 bytes: fits */
	rets[1] = bpf_stream_printk(BPF_STDERR, L1022 "%s\n", "++");	/* 1025 bytes: cut */
	return 0;
}
