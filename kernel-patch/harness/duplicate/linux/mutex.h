/* SPDX-License-Identifier: GPL-2.0 */
/* Harness duplicate of struct mutex on a pthread mutex. */
#ifndef __LINUX_MUTEX_H
#define __LINUX_MUTEX_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct mutex {
	pthread_mutex_t m;
};

static inline void mutex_init(struct mutex *lock)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	if (pthread_mutex_init(&lock->m, &a))
		abort();
	pthread_mutexattr_destroy(&a);
}

static inline void mutex_lock(struct mutex *lock)
{
	if (pthread_mutex_lock(&lock->m)) {
		fprintf(stderr, "mutex_lock: recursive or bad lock\n");
		abort();
	}
}

static inline void mutex_unlock(struct mutex *lock)
{
	if (pthread_mutex_unlock(&lock->m)) {
		fprintf(stderr, "mutex_unlock: not the owner\n");
		abort();
	}
}

static inline void mutex_destroy(struct mutex *lock)
{
	if (pthread_mutex_destroy(&lock->m)) {
		fprintf(stderr, "mutex_destroy: lock is held\n");
		abort();
	}
}

#endif
