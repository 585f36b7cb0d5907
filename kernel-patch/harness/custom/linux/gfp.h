/* SPDX-License-Identifier: GPL-2.0 */
/* Harness page allocator with an injectable failure budget (pages.c). */
#ifndef __LINUX_GFP_H
#define __LINUX_GFP_H

#include <linux/mm.h>

#define NUMA_NO_NODE	(-1)

struct page *alloc_pages_nolock(int nid, unsigned int order);
void free_pages_nolock(struct page *page, unsigned int order);

#endif
