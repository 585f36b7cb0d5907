/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness control API: simulated CPUs, page allocator budget, user-copy
 * fault injection and counters the tests observe.
 */
#ifndef _HARNESS_H
#define _HARNESS_H

#include <stdbool.h>
#include <stddef.h>

#define HARNESS_NR_CPUS	8

/* Simulated CPUs: a thread runs as one CPU id until it binds another. */
void harness_cpu_bind(int cpu);
void harness_cpu_unbind(void);
int harness_cpu_id(void);

/*
 * Page allocator: allow @n more successful allocations, then fail
 * (n < 0: no limit). Counters are global across threads.
 */
void harness_pages_fail_after(long n);
long harness_pages_live(void);
unsigned long harness_pages_allocated(void);
unsigned long harness_pages_failed(void);

/*
 * copy_to_user(): destination bytes at or above @addr fault (NULL: none).
 * Addresses below 4096 always fault, as the kernel's NULL page does.
 */
void harness_uaccess_fault_from(const void *addr);

/*
 * Simulated interrupt: @fn runs once on this thread right after the next
 * successful local_trylock_irqsave(), i.e. inside the allocator's critical
 * section, as an NMI arriving there would.
 */
void harness_irq_hook_once(void (*fn)(void *), void *arg);

/* bpf_bprintf_prepare() calls made so far by the calling thread. */
unsigned long harness_bprintf_calls(void);

/* stream_tu.c: give back every per-CPU cached stream page. */
void harness_stream_drop_cpu_caches(void);

#endif
