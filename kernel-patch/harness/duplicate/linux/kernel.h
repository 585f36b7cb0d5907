/* SPDX-License-Identifier: GPL-2.0 */
/* Harness duplicate of the kernel.h helpers used by the stream code. */
#ifndef _LINUX_KERNEL_H
#define _LINUX_KERNEL_H

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include <linux/compiler_attributes.h>
#include <linux/ctype.h>

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
/*
 * Integer arithmetic, so that llist_for_each_entry_safe() on an empty list
 * (container_of(NULL)) is not pointer arithmetic on NULL for UBSan.
 */
#define container_of(ptr, type, member) \
	((type *)((uintptr_t)(ptr) - offsetof(type, member)))
#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), "BUILD_BUG_ON(" #cond ")")
#define round_up(x, y)		((((x) - 1) | ((__typeof__(x))((y) - 1))) + 1)

#define min(a, b) ({ __auto_type _a = (a); __auto_type _b = (b);	\
	(void)(&_a == &_b); _a < _b ? _a : _b; })
#define max(a, b) ({ __auto_type _a = (a); __auto_type _b = (b);	\
	(void)(&_a == &_b); _a > _b ? _a : _b; })
#define min_t(t, a, b) ({ t _a = (a); t _b = (b); _a < _b ? _a : _b; })
#define max_t(t, a, b) ({ t _a = (a); t _b = (b); _a > _b ? _a : _b; })
#define clamp_t(t, v, lo, hi)	min_t(t, max_t(t, v, lo), hi)

/* A WARN in the harness is a test failure: stop at once. */
#define WARN_ON_ONCE(cond) ({						\
	int __w = !!(cond);						\
	if (__w) {							\
		fprintf(stderr, "WARNING at %s:%d: %s\n",		\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
	__w; })
#define WARN_ON(cond)	WARN_ON_ONCE(cond)

/* Provided by the harness bprintf (custom/bprintf.c). */
int bstr_printf(char *buf, size_t size, const char *fmt, const u32 *bin_buf);

#endif
