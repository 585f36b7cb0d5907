/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness local_trylock_t: one flag per simulated CPU. Only the thread
 * running as that CPU takes it, so a failed trylock means re-entry from a
 * simulated interrupt (harness_irq_hook_once()), exactly the case the
 * kernel's trylock exists for.
 */
#ifndef _LINUX_LOCAL_LOCK_H
#define _LINUX_LOCAL_LOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <linux/percpu.h>

typedef struct {
	_Atomic int locked;
} local_trylock_t;

#define INIT_LOCAL_TRYLOCK(lockname)	{ }

bool harness_local_trylock(local_trylock_t *l);
void harness_local_unlock(local_trylock_t *l);

#define local_trylock_irqsave(lock, flags)				\
	({ (flags) = 0; harness_local_trylock(this_cpu_ptr(lock)); })
#define local_unlock_irqrestore(lock, flags)				\
	do { (void)(flags); harness_local_unlock(this_cpu_ptr(lock)); } while (0)

#endif
