/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness duplicate of the bprintf interface of include/linux/bpf.h (7.2),
 * shared by the core's and a kernel tree's bpf.h shims; implemented by
 * custom/bprintf.c.
 */
#ifndef _HARNESS_BPF_BPRINTF_H
#define _HARNESS_BPF_BPRINTF_H

#include <linux/types.h>

#define MAX_BPRINTF_VARARGS	12
#define MAX_BPRINTF_BUF		1024
#define MAX_BPRINTF_BIN_ARGS	512

struct bpf_bprintf_buffers {
	char bin_args[MAX_BPRINTF_BIN_ARGS];
	char buf[MAX_BPRINTF_BUF];
};

struct bpf_bprintf_data {
	u32 *bin_args;
	char *buf;
	bool get_bin_args;
	bool get_buf;
};

int bpf_bprintf_prepare(const char *fmt, u32 fmt_size, const u64 *raw_args,
			u32 num_args, struct bpf_bprintf_data *data);
void bpf_bprintf_cleanup(struct bpf_bprintf_data *data);
int bpf_try_get_buffers(struct bpf_bprintf_buffers **bufs);
void bpf_put_buffers(void);

#endif
