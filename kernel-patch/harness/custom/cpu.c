// SPDX-License-Identifier: GPL-2.0
/* Simulated CPUs and the per-CPU local trylock. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/local_lock.h>
#include "harness.h"

static __thread int cpu_id = -1;
static __thread void (*irq_fn)(void *);
static __thread void *irq_arg;

void harness_cpu_bind(int cpu)
{
	if (cpu < 0 || cpu >= HARNESS_NR_CPUS) {
		fprintf(stderr, "harness: bad cpu %d\n", cpu);
		abort();
	}
	cpu_id = cpu;
}

void harness_cpu_unbind(void)
{
	cpu_id = -1;
}

int harness_cpu_id(void)
{
	if (cpu_id < 0) {
		fprintf(stderr, "harness: per-CPU access from an unbound thread\n");
		abort();
	}
	return cpu_id;
}

void harness_irq_hook_once(void (*fn)(void *), void *arg)
{
	irq_fn = fn;
	irq_arg = arg;
}

bool harness_local_trylock(local_trylock_t *l)
{
	int unlocked = 0;
	void (*fn)(void *) = irq_fn;

	if (!atomic_compare_exchange_strong_explicit(&l->locked, &unlocked, 1,
						     memory_order_acquire,
						     memory_order_relaxed))
		return false;
	if (fn) {
		irq_fn = NULL;
		fn(irq_arg);
	}
	return true;
}

void harness_local_unlock(local_trylock_t *l)
{
	if (atomic_exchange_explicit(&l->locked, 0, memory_order_release) != 1) {
		fprintf(stderr, "harness: local unlock of an unlocked lock\n");
		abort();
	}
}
