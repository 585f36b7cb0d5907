// SPDX-License-Identifier: GPL-2.0
/*
 * kmalloc_nolock()/kfree_nolock() and kzalloc()/kfree() for the harness.
 *
 * Contract of kmalloc_nolock() (mm/slub.c of 7.2) checked here: only
 * __GFP_ACCOUNT, __GFP_ZERO and __GFP_NO_OBJ_EXT may be passed; a size of 0
 * or above KMALLOC_MAX_CACHE_SIZE gives NULL; NULL means -ENOMEM and may
 * come from any call, e.g. when the call interrupted the allocator on the
 * same CPU. kfree_nolock() takes only kmalloc_nolock() objects.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/slab.h>
#include "harness.h"

#define MAGIC_NOLOCK	0x6e6f6c6bu
#define MAGIC_KMALLOC	0x6b6d616cu

struct obj_hdr {
	u32 magic;
	u32 pad;
	size_t size;
	max_align_t data[];
};

static _Atomic long budget = -1;
static _Atomic long live;
static _Atomic unsigned long allocated, failed;
static __thread int in_allocator;
static __thread void (*irq_fn)(void *);
static __thread void *irq_arg;

void harness_kmalloc_fail_after(long n)
{
	atomic_store(&budget, n);
}

long harness_kmalloc_live(void)
{
	return atomic_load(&live);
}

unsigned long harness_kmalloc_allocated(void)
{
	return atomic_load(&allocated);
}

unsigned long harness_kmalloc_failed(void)
{
	return atomic_load(&failed);
}

void harness_irq_hook_once(void (*fn)(void *), void *arg)
{
	irq_fn = fn;
	irq_arg = arg;
}

static bool take_budget(void)
{
	long b = atomic_load(&budget);

	do {
		if (b == 0) {
			atomic_fetch_add(&failed, 1);
			return false;
		}
	} while (b > 0 && !atomic_compare_exchange_weak(&budget, &b, b - 1));
	return true;
}

static void *obj_alloc(size_t size, u32 magic, bool zero)
{
	struct obj_hdr *h = malloc(sizeof(*h) + size);

	if (!h)
		abort();
	h->magic = magic;
	h->size = size;
	/* poison like slub debugging, so nobody relies on zeroed memory */
	memset(h->data, zero ? 0 : 0x6b, size);
	atomic_fetch_add(&live, 1);
	atomic_fetch_add(&allocated, 1);
	return h->data;
}

static void obj_free(const void *p, u32 magic_ok1, u32 magic_ok2, const char *who)
{
	struct obj_hdr *h;

	if (!p)
		return;
	h = (struct obj_hdr *)((char *)p - offsetof(struct obj_hdr, data));
	if (h->magic != magic_ok1 && h->magic != magic_ok2) {
		fprintf(stderr, "harness: %s of an object it cannot free (magic %#x)\n",
			who, h->magic);
		abort();
	}
	h->magic = 0;
	if (atomic_fetch_sub(&live, 1) <= 0) {
		fprintf(stderr, "harness: %s: more frees than allocations\n", who);
		abort();
	}
	free(h);
}

void *kmalloc_nolock(size_t size, gfp_t gfp_flags, int node)
{
	void (*fn)(void *) = irq_fn;
	void *p;

	(void)node;
	if (gfp_flags & ~(__GFP_ACCOUNT | __GFP_ZERO | __GFP_NO_OBJ_EXT)) {
		fprintf(stderr, "harness: kmalloc_nolock() with gfp %#x\n", gfp_flags);
		abort();
	}
	if (!size || size > KMALLOC_MAX_CACHE_SIZE)
		return NULL;
	/* re-entered from a simulated interrupt on this CPU */
	if (in_allocator) {
		atomic_fetch_add(&failed, 1);
		return NULL;
	}
	in_allocator = 1;
	if (fn) {
		irq_fn = NULL;
		fn(irq_arg);
	}
	p = take_budget() ? obj_alloc(size, MAGIC_NOLOCK, gfp_flags & __GFP_ZERO) : NULL;
	in_allocator = 0;
	return p;
}

void kfree_nolock(const void *objp)
{
	obj_free(objp, MAGIC_NOLOCK, MAGIC_NOLOCK, "kfree_nolock()");
}

void *kmalloc(size_t size, gfp_t flags)
{
	if (!(flags & GFP_KERNEL)) {
		fprintf(stderr, "harness: kmalloc() without GFP_KERNEL\n");
		abort();
	}
	return take_budget() ? obj_alloc(size, MAGIC_KMALLOC, flags & __GFP_ZERO) : NULL;
}

void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}

void kfree(const void *objp)
{
	obj_free(objp, MAGIC_KMALLOC, MAGIC_NOLOCK, "kfree()");
}
