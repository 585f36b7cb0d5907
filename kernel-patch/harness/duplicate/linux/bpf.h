/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness duplicate of the parts of include/linux/bpf.h the stream code
 * uses: the stream fields of struct bpf_prog_aux (as the patch adds them)
 * and the bprintf interface (implemented by custom/bprintf.c).
 */
#ifndef _LINUX_BPF_H
#define _LINUX_BPF_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/bpf_stream.h>

struct bpf_prog_aux {
	struct bpf_stream stream[BPF_STREAM_NR];
	atomic_t stream_error_cnt;
};

struct bpf_prog {
	struct bpf_prog_aux *aux;
};

#define MAX_BPRINTF_VARARGS	12
#define MAX_BPRINTF_BUF		1024

struct bpf_bprintf_data {
	u32 *bin_args;
	char *buf;
	bool get_bin_args;
	bool get_buf;
};

int bpf_bprintf_prepare(const char *fmt, u32 fmt_size, const u64 *raw_args,
			u32 num_args, struct bpf_bprintf_data *data);
void bpf_bprintf_cleanup(struct bpf_bprintf_data *data);

#endif
