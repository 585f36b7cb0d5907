// SPDX-License-Identifier: GPL-2.0
/*
 * Harness files, wait queues and irq_work. anon_inode_getfd() returns a
 * harness fd (index into a table, offset by HARNESS_FD_BASE) that tests
 * poll, read and close with the harness_file_*() calls.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <linux/anon_inodes.h>
#include <linux/irq_work.h>
#include <linux/poll.h>
#include "harness.h"

#define NR_FILES	64

static struct file *files[NR_FILES];
static pthread_mutex_t files_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic long files_open;

int anon_inode_getfd(const char *name, const struct file_operations *fops,
		     void *priv, int flags)
{
	struct file *f;
	int i;

	(void)name;
	if ((flags & O_ACCMODE) != O_RDONLY || !(flags & O_CLOEXEC)) {
		fprintf(stderr, "harness: anon_inode_getfd() flags %#x\n", flags);
		abort();
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		abort();
	f->f_op = fops;
	f->private_data = priv;
	f->f_flags = flags;
	pthread_mutex_lock(&files_lock);
	for (i = 0; i < NR_FILES && files[i]; i++)
		;
	if (i == NR_FILES) {
		pthread_mutex_unlock(&files_lock);
		free(f);
		return -EMFILE;
	}
	files[i] = f;
	pthread_mutex_unlock(&files_lock);
	atomic_fetch_add(&files_open, 1);
	return HARNESS_FD_BASE + i;
}

static struct file *file_get(int fd)
{
	struct file *f = NULL;

	pthread_mutex_lock(&files_lock);
	if (fd >= HARNESS_FD_BASE && fd < HARNESS_FD_BASE + NR_FILES)
		f = files[fd - HARNESS_FD_BASE];
	pthread_mutex_unlock(&files_lock);
	if (!f) {
		fprintf(stderr, "harness: bad fd %d\n", fd);
		abort();
	}
	return f;
}

loff_t noop_llseek(struct file *file, loff_t offset, int whence)
{
	(void)whence;
	(void)file;
	return offset;
}

unsigned int harness_file_poll(int fd)
{
	struct file *f = file_get(fd);

	return f->f_op->poll(f, NULL);
}

long harness_file_read(int fd, void *buf, size_t len)
{
	struct file *f = file_get(fd);
	loff_t pos = 0;

	return f->f_op->read(f, buf, len, &pos);
}

unsigned int harness_file_flags(int fd)
{
	return file_get(fd)->f_flags;
}

void harness_file_close(int fd)
{
	struct file *f = file_get(fd);

	pthread_mutex_lock(&files_lock);
	files[fd - HARNESS_FD_BASE] = NULL;
	pthread_mutex_unlock(&files_lock);
	f->f_op->release(NULL, f);
	free(f);
	atomic_fetch_sub(&files_open, 1);
}

long harness_files_open(void)
{
	return atomic_load(&files_open);
}

/* Wait until poll() reports anything in @events, as poll(2) would. */
unsigned int harness_file_wait(int fd, unsigned int events, int timeout_ms)
{
	struct file *f = file_get(fd);
	poll_table pt = { NULL };
	struct timespec end;
	unsigned int mask;

	clock_gettime(CLOCK_REALTIME, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	for (;;) {
		unsigned long seen;

		/* register first, then test: a wake-up in between is seen */
		mask = f->f_op->poll(f, &pt);
		if (!pt.wq)
			abort();
		pthread_mutex_lock(&pt.wq->lock);
		seen = pt.wq->wakeups;
		pthread_mutex_unlock(&pt.wq->lock);
		mask = f->f_op->poll(f, NULL);
		if (mask & events)
			return mask;
		pthread_mutex_lock(&pt.wq->lock);
		while (pt.wq->wakeups == seen)
			if (pthread_cond_timedwait(&pt.wq->cond, &pt.wq->lock, &end)) {
				pthread_mutex_unlock(&pt.wq->lock);
				return f->f_op->poll(f, NULL) & events;
			}
		pthread_mutex_unlock(&pt.wq->lock);
	}
}

unsigned long harness_file_wakeups(int fd)
{
	struct file *f = file_get(fd);
	poll_table pt = { NULL };
	unsigned long n;

	f->f_op->poll(f, &pt);
	pthread_mutex_lock(&pt.wq->lock);
	n = pt.wq->wakeups;
	pthread_mutex_unlock(&pt.wq->lock);
	return n;
}

void init_waitqueue_head(wait_queue_head_t *wq)
{
	pthread_mutex_init(&wq->lock, NULL);
	pthread_cond_init(&wq->cond, NULL);
	wq->wakeups = 0;
}

void wake_up_all(wait_queue_head_t *wq)
{
	pthread_mutex_lock(&wq->lock);
	wq->wakeups++;
	pthread_cond_broadcast(&wq->cond);
	pthread_mutex_unlock(&wq->lock);
}

unsigned long harness_wq_seen(wait_queue_head_t *wq)
{
	unsigned long n;

	pthread_mutex_lock(&wq->lock);
	n = wq->wakeups;
	pthread_mutex_unlock(&wq->lock);
	return n;
}

void harness_wq_wait(wait_queue_head_t *wq, unsigned long seen)
{
	pthread_mutex_lock(&wq->lock);
	while (wq->wakeups == seen)
		pthread_cond_wait(&wq->cond, &wq->lock);
	pthread_mutex_unlock(&wq->lock);
}

/* busy: 0 idle, 1 running, 2 running and queued again */
bool irq_work_queue(struct irq_work *work)
{
	int state;

	for (;;) {
		state = 0;
		if (atomic_compare_exchange_strong(&work->busy, &state, 1))
			break;
		if (state == 2)
			return false;	/* already queued again */
		if (atomic_compare_exchange_strong(&work->busy, &state, 2))
			return true;	/* the running thread runs it once more */
	}
	for (;;) {
		work->func(work);
		state = 1;
		if (atomic_compare_exchange_strong(&work->busy, &state, 0))
			return true;
		atomic_store(&work->busy, 1);
	}
}

void irq_work_sync(struct irq_work *work)
{
	while (atomic_load(&work->busy))
		;
}
