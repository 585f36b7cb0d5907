/* SPDX-License-Identifier: GPL-2.0 */
/* Harness poll_wait(): records the wait queue a poll would sleep on. */
#ifndef _LINUX_POLL_H
#define _LINUX_POLL_H

#include <linux/fs.h>
#include <linux/wait.h>

#define EPOLLIN		0x001u
#define EPOLLRDNORM	0x040u
#define EPOLLHUP	0x010u

typedef struct poll_table_struct {
	wait_queue_head_t *wq;
} poll_table;

static inline void poll_wait(struct file *file, wait_queue_head_t *wq, poll_table *pt)
{
	(void)file;
	if (pt)
		pt->wq = wq;
}

#endif
