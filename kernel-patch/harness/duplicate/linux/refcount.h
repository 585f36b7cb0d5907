/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness duplicate of refcount_t. Misuse that the kernel would WARN about
 * (increment from zero, underflow) aborts the test.
 */
#ifndef _LINUX_REFCOUNT_H
#define _LINUX_REFCOUNT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
	_Atomic int refs;
} refcount_t;

static inline void refcount_set(refcount_t *r, int n)
{
	atomic_store_explicit(&r->refs, n, memory_order_relaxed);
}

static inline int refcount_read(const refcount_t *r)
{
	return atomic_load_explicit(&((refcount_t *)r)->refs, memory_order_relaxed);
}

static inline void refcount_inc(refcount_t *r)
{
	int old = atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);

	if (old <= 0) {
		fprintf(stderr, "refcount_t: increment on %d\n", old);
		abort();
	}
}

static inline bool refcount_dec_and_test(refcount_t *r)
{
	int old = atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel);

	if (old <= 0) {
		fprintf(stderr, "refcount_t: underflow from %d\n", old);
		abort();
	}
	return old == 1;
}

#endif
