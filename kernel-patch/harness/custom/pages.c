// SPDX-License-Identifier: GPL-2.0
/* Page allocator with a failure budget and live-page accounting. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/gfp.h>
#include "harness.h"

static _Atomic long budget = -1;
static _Atomic long live;
static _Atomic unsigned long allocated, failed;

void harness_pages_fail_after(long n)
{
	atomic_store(&budget, n);
}

long harness_pages_live(void)
{
	return atomic_load(&live);
}

unsigned long harness_pages_allocated(void)
{
	return atomic_load(&allocated);
}

unsigned long harness_pages_failed(void)
{
	return atomic_load(&failed);
}

struct page *alloc_pages_nolock(int nid, unsigned int order)
{
	long b = atomic_load(&budget);
	void *p;

	(void)nid;
	if (order) {
		fprintf(stderr, "harness: order %u page requested\n", order);
		abort();
	}
	do {
		if (b == 0) {
			atomic_fetch_add(&failed, 1);
			return NULL;
		}
	} while (b > 0 && !atomic_compare_exchange_weak(&budget, &b, b - 1));

	p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!p)
		return NULL;
	atomic_fetch_add(&live, 1);
	atomic_fetch_add(&allocated, 1);
	return (struct page *)p;
}

void free_pages_nolock(struct page *page, unsigned int order)
{
	(void)order;
	if (atomic_fetch_sub(&live, 1) <= 0) {
		fprintf(stderr, "harness: page freed twice\n");
		abort();
	}
	free(page);
}
