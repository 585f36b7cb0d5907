/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness duplicate of atomic_t on C11 atomics. Value-returning RMW
 * operations are fully ordered as in the kernel; atomic_read/atomic_set
 * are relaxed, and void RMW ops (atomic_sub) are relaxed too.
 */
#ifndef _LINUX_ATOMIC_H
#define _LINUX_ATOMIC_H

#include <stdatomic.h>
#include <stdbool.h>

typedef struct {
	_Atomic int counter;
} atomic_t;

#define ATOMIC_INIT(i)	{ (i) }

static inline int atomic_read(const atomic_t *v)
{
	return atomic_load_explicit(&((atomic_t *)v)->counter, memory_order_relaxed);
}

static inline void atomic_set(atomic_t *v, int i)
{
	atomic_store_explicit(&v->counter, i, memory_order_relaxed);
}

static inline void atomic_add(int i, atomic_t *v)
{
	atomic_fetch_add_explicit(&v->counter, i, memory_order_relaxed);
}

static inline void atomic_sub(int i, atomic_t *v)
{
	atomic_fetch_sub_explicit(&v->counter, i, memory_order_relaxed);
}

static inline void atomic_inc(atomic_t *v)
{
	atomic_add(1, v);
}

/* The kernel's atomic_fetch_add() would clash with C11's; it is not used. */
static inline int atomic_add_return(int i, atomic_t *v)
{
	return atomic_fetch_add_explicit(&v->counter, i, memory_order_seq_cst) + i;
}

static inline int atomic_xchg(atomic_t *v, int new)
{
	return atomic_exchange(&v->counter, new);
}

static inline bool atomic_try_cmpxchg(atomic_t *v, int *old, int new)
{
	return atomic_compare_exchange_strong(&v->counter, old, new);
}

static inline bool atomic_add_unless(atomic_t *v, int a, int u)
{
	int c = atomic_read(v);

	do {
		if (c == u)
			return false;
	} while (!atomic_try_cmpxchg(v, &c, c + a));
	return true;
}

#endif
