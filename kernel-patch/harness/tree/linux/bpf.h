/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness include/linux/bpf.h for a kernel tree's kernel/bpf/stream.c
 * (STREAM_C): the tree's own stream declarations, cut out of its bpf.h by
 * scripts/tree-decls.sh into bpf_stream_decls.h, plus the few bpf_prog
 * fields and the bprintf interface that stream.c uses. The kernel reaches
 * the rest of what stream.c needs through bpf.h, so this shim includes it.
 */
#ifndef _LINUX_BPF_H
#define _LINUX_BPF_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/btf.h>
#include <linux/kernel.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "../../duplicate/bpf_bprintf.h"

struct bpf_prog;
struct bpf_prog_aux;

#include "bpf_stream_decls.h"

struct bpf_prog_aux {
	struct bpf_stream stream[2];
	struct bpf_prog_aux *main_prog_aux;
	struct bpf_prog *prog;
};

struct bpf_prog {
	struct bpf_prog_aux *aux;
};

/* The UAPI flag of BPF_PROG_STREAM_OPEN (patches-7.2/, include/uapi). */
#ifndef BPF_F_STREAM_NONBLOCK
#define BPF_F_STREAM_NONBLOCK	(1U << 0)
#endif

/* A kfunc: the kernel has no prototype in a header, the tests need one. */
int bpf_stream_vprintk(int stream_id, const char *fmt__str, const void *args,
		       u32 len__sz, struct bpf_prog_aux *aux);

#endif
