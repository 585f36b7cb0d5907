/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness wait queue: a wake-up counter and a condition variable, so tests
 * can count wake-ups and a thread can sleep until the next one (files.c).
 */
#ifndef _LINUX_WAIT_H
#define _LINUX_WAIT_H

#include <pthread.h>

typedef struct wait_queue_head {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned long wakeups;
} wait_queue_head_t;

void init_waitqueue_head(wait_queue_head_t *wq);
void wake_up_all(wait_queue_head_t *wq);

#endif
