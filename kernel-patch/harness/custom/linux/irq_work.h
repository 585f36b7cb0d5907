/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness irq_work: queueing runs the callback at once on the calling
 * thread, as an interrupt right after the write would. As the kernel clears
 * the pending bit before it runs the callback, a queue while the callback
 * runs makes it run once more (on the thread already running it).
 */
#ifndef _LINUX_IRQ_WORK_H
#define _LINUX_IRQ_WORK_H

#include <stdatomic.h>
#include <stdbool.h>

struct irq_work {
	_Atomic int busy;
	void (*func)(struct irq_work *work);
};

static inline void init_irq_work(struct irq_work *work, void (*func)(struct irq_work *))
{
	atomic_init(&work->busy, 0);
	work->func = func;
}

bool irq_work_queue(struct irq_work *work);
void irq_work_sync(struct irq_work *work);

#endif
