// SPDX-License-Identifier: GPL-2.0
/* copy_to_user() with an injectable fault address. */
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <linux/uaccess.h>
#include "harness.h"

/* x86-64 with 4-level page tables */
#define HARNESS_TASK_SIZE	((1UL << 47) - 4096)

static _Atomic uintptr_t fault_from;

void harness_uaccess_fault_from(const void *addr)
{
	atomic_store(&fault_from, (uintptr_t)addr);
}

/* Returns the number of bytes not copied, like the kernel's. */
unsigned long copy_to_user(void *to, const void *from, unsigned long n)
{
	uintptr_t dst = (uintptr_t)to, fault = atomic_load(&fault_from);
	unsigned long ok = n;

	if (!n)
		return 0;
	/* access_ok(): the whole range inside the user address space */
	if (dst < 4096 || n > HARNESS_TASK_SIZE || dst > HARNESS_TASK_SIZE - n)
		return n;
	if (fault && dst + n > fault)
		ok = dst >= fault ? 0 : fault - dst;
	memcpy(to, from, ok);
	return n - ok;
}
