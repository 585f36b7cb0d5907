/* SPDX-License-Identifier: GPL-2.0 */
/* Harness pages: a struct page pointer is the page's own address. */
#ifndef _LINUX_MM_H
#define _LINUX_MM_H

#include <stdint.h>

#define PAGE_SIZE	4096UL
#define PAGE_MASK	(~(PAGE_SIZE - 1))

struct page;

static inline void *page_address(const struct page *page)
{
	return (void *)page;
}

static inline struct page *virt_to_page(const void *addr)
{
	return (struct page *)((uintptr_t)addr & PAGE_MASK);
}

#endif
