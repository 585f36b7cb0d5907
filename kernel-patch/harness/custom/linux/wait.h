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
unsigned long harness_wq_seen(wait_queue_head_t *wq);
void harness_wq_wait(wait_queue_head_t *wq, unsigned long seen);

/*
 * Sleep until @condition holds, tested after each wake-up of @wq (the
 * counter is read before the test, so a wake-up in between is not lost).
 * No signals in the harness: always 0.
 */
#define wait_event_interruptible(wq, condition)			\
({								\
	for (;;) {						\
		unsigned long __seen = harness_wq_seen(&(wq));	\
								\
		if (condition)					\
			break;					\
		harness_wq_wait(&(wq), __seen);			\
	}							\
	0;							\
})

#endif
