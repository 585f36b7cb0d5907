// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Programs that make the kernel write its own error reports to their stderr
 * (Linux 6.17+), as upstream's selftests do: a may_goto loop that never ends
 * by itself (the kernel breaks it after 250 ms and reports a timeout) and an
 * AA deadlock on a bpf_res_spin_lock (the kernel detects it, fails the second
 * lock and reports). syscall programs, run with BPF_PROG_TEST_RUN. Each test
 * loads only the program it needs (the others' autoload is off), so a kernel
 * without res_spin_lock still runs the may_goto test.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* may_goto (Linux 6.9+), encoded by hand so that any clang assembles it
 * (BPF_JMP | BPF_JCOND, off = jump to l_break; the same bytes as the
 * kernel selftests' fallback for compilers without the mnemonic). */
#define kreport_can_loop                                                                  \
	({                                                                                \
		__label__ l_break, l_continue;                                            \
		int ___ret = 1;                                                           \
		asm volatile goto("1:.byte 0xe5;\n"                                       \
				  ".byte 0;\n"                                            \
				  ".long ((%l[l_break] - 1b - 8) / 8) & 0xffff;\n"        \
				  ".short 0;\n" :::: l_break);                            \
		goto l_continue;                                                          \
l_break:                                                                                  \
		___ret = 0;                                                               \
l_continue:                                                                               \
		___ret;                                                                   \
	})

SEC("syscall")
int kreport_may_goto(void *ctx)
{
	while (kreport_can_loop)
		;
	return 0;
}

struct kreport_elem {
	struct bpf_res_spin_lock lock;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct kreport_elem);
} kreport_locks SEC(".maps");

extern int bpf_res_spin_lock(struct bpf_res_spin_lock *lock) __weak __ksym;
extern void bpf_res_spin_unlock(struct bpf_res_spin_lock *lock) __weak __ksym;

/* Return: 0 when the kernel refused the second lock (deadlock detected),
 * 1 on an unexpected path, 2 when the kernel has no bpf_res_spin_lock. */
SEC("syscall")
int kreport_deadlock(void *ctx)
{
	struct kreport_elem *a, *b;
	int key = 0;

	if (!bpf_res_spin_lock || !bpf_res_spin_unlock)
		return 2;
	a = bpf_map_lookup_elem(&kreport_locks, &key);
	b = bpf_map_lookup_elem(&kreport_locks, &key);
	if (!a || !b)
		return 1;
	if (bpf_res_spin_lock(&a->lock))
		return 1;
	if (bpf_res_spin_lock(&b->lock)) {
		bpf_res_spin_unlock(&a->lock);
		return 0;
	}
	bpf_res_spin_unlock(&b->lock);
	bpf_res_spin_unlock(&a->lock);
	return 1;
}
