// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Messages at and beyond a small size limit (BPF_STREAM_MSG_MAX = 64). */
#include "vmlinux.h"
#define BPF_STREAM_MSG_MAX 64
#define BPF_STREAM_TIMESTAMP
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

int rets[3] = {};

/* 63 characters + '\n' = 64 bytes: fits exactly. */
#define L63 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"

SEC("syscall")
int tr_limit(void *ctx)
{
	rets[0] = bpf_stream_printk(BPF_STDOUT, L63 "\n");
	rets[1] = bpf_stream_printk(BPF_STDOUT, L63 "XY\n");		/* 66 bytes: cut */
	rets[2] = bpf_stream_printk(BPF_STDOUT, "%s%s\n", L63, L63);	/* 127 bytes: cut */
	return 0;
}
