/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness slab (slab.c): kmalloc_nolock() with the kernel's contract
 * enforced (gfp flags, size limit, NULL on re-entry from an interrupt),
 * an injectable failure budget and a live-object count.
 */
#ifndef _LINUX_SLAB_H
#define _LINUX_SLAB_H

#include <linux/gfp.h>

#define KMALLOC_MAX_CACHE_SIZE	8192

void *kmalloc_nolock(size_t size, gfp_t gfp_flags, int node);
void kfree_nolock(const void *objp);
void *kzalloc(size_t size, gfp_t flags);
void *kmalloc(size_t size, gfp_t flags);
void kfree(const void *objp);

/* 7.2's typed allocation: kzalloc_obj(*ptr, gfp) */
#define kzalloc_obj(P, gfp)	((__typeof__(P) *)kzalloc(sizeof(P), (gfp)))

#endif
