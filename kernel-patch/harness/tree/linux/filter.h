/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness stubs for what a tree's stream.c uses for its stack dumps
 * (bpf_stream_print_stack(), bpf_stream_stage_dump_stack()): they compile
 * and report an empty stack; the tests do not cover stack dumps.
 */
#ifndef __LINUX_FILTER_H__
#define __LINUX_FILTER_H__

#include <linux/types.h>

struct bpf_prog;

struct harness_cred {
	struct { unsigned int val; } euid;
};

struct harness_task {
	int pid;
	char comm[16];
};

static const struct harness_cred harness_cred;
static const struct harness_task harness_task = { 1, "harness" };

#define current				(&harness_task)
#define current_real_cred()		(&harness_cred)
#define __kuid_val(uid)			((uid).val)
#define rcu_read_lock()			do { } while (0)
#define rcu_read_unlock()		do { } while (0)

static inline struct bpf_prog *bpf_prog_ksym_find(unsigned long addr)
{
	return NULL;
}

static inline int bpf_prog_get_file_line(struct bpf_prog *prog, unsigned long ip,
					 const char **filep, const char **linep,
					 int *nump)
{
	return -1;
}

static inline void arch_bpf_stack_walk(bool (*consume_fn)(void *, u64, u64, u64),
				       void *cookie)
{
}

#endif
