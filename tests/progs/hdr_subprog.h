// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpf_stream.h's subprograms (test_header.c): the programs of
 * hdr_subprog.bpf.c, built as users build it, and of
 * hdr_subprog_inline.bpf.c, with BPF_STREAM_INLINE. The same lines either
 * way; call sites with preemption and with interrupts disabled. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

/* Linux 6.10+; the program that calls them is loaded only where the
 * kernel's BTF has them */
extern void bpf_preempt_disable(void) __weak __ksym;
extern void bpf_preempt_enable(void) __weak __ksym;
/* Linux 6.14+, likewise */
extern void bpf_local_irq_save(unsigned long *flags__irq_flag) __weak __ksym;
extern void bpf_local_irq_restore(unsigned long *flags__irq_flag) __weak __ksym;

static const char name[] = "abc";
int rets[4];

SEC("syscall")
int subprog_lines(void *ctx)
{
	rets[0] = bpf_stream_printk(BPF_STDOUT, "ints %d %llu\n", -7, 8ULL);
	rets[1] = bpf_stream_printk(BPF_STDOUT, "strs %s=%d %s\n", name, 9, name);
	return 0;
}

SEC("?syscall")
int subprog_preempt(void *ctx)
{
	bpf_preempt_disable();
	rets[2] = bpf_stream_printk(BPF_STDOUT, "preempt off %s\n", name);
	bpf_preempt_enable();
	return 0;
}

SEC("?syscall")
int subprog_irq(void *ctx)
{
	unsigned long flags;

	bpf_local_irq_save(&flags);
	rets[3] = bpf_stream_printk(BPF_STDOUT, "irqs off %s\n", name);
	bpf_local_irq_restore(&flags);
	return 0;
}
