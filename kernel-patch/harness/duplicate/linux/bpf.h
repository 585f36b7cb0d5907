/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness duplicate of the parts of include/linux/bpf.h the stream code
 * uses: the stream fields of struct bpf_prog_aux (as the core has them)
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

#include "../bpf_bprintf.h"

#endif
