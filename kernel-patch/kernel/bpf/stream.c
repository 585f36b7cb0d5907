// SPDX-License-Identifier: GPL-2.0-only
/*
 * BPF standard streams.
 *
 * Every BPF program owns two text streams, BPF_STDOUT and BPF_STDERR.
 * Programs write to them with the bpf_stream_vprintk() kfunc, the kernel
 * writes its own reports for a program to BPF_STDERR with the staging API
 * (bpf_stream_stage()), and user space drains them with the
 * BPF_PROG_STREAM_READ_BY_FD command of bpf(2).
 *
 * Writers may run in any context, NMI included, so the write side takes no
 * lock that could be held by the context it interrupted:
 *
 * - Each message is one element from kmalloc_nolock(), which may fail in
 *   any context and for any reason (NULL means -ENOMEM, retrying does not
 *   help). Elements go back with kfree_nolock().
 *
 * - A written element is pushed with llist_add() onto the stream's
 *   lock-free LIFO log. A reader, under the stream mutex, takes the whole
 *   log with llist_del_all(), reverses it and appends it to a FIFO backlog,
 *   from which it copies bytes out in order. Partially read elements stay
 *   at the head of the backlog with their consumed length advanced.
 *
 * - Every stream has a byte budget (BPF_STREAM_MAX_CAPACITY). Bytes are
 *   charged before an element is queued and refunded when the reader frees
 *   it, or at once when the allocation fails.
 *
 * - A stream file (bpf_prog_stream_new_fd(), Linux 7.4's file-descriptor
 *   interface) lets user space poll and read. Its state (struct
 *   bpf_stream_poll) is shared by all files of one stream and outlives the
 *   program: the program's free hands what is still queued to it and hangs
 *   up. Writers cannot take the wait queue lock from NMI, so they wake
 *   readers through an irq_work.
 */

#include <linux/anon_inodes.h>
#include <linux/bpf.h>
#include <linux/bpf_stream.h>
#include <linux/btf.h>
#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/irq_work.h>
#include <linux/kernel.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#define BPF_STREAM_ELEM_HDR	offsetof(struct bpf_stream_elem, str)

struct bpf_stream_poll {
	/* One for the program's stream, one per open file. */
	refcount_t ref;
	/* Protects stream; held by readers of the file. */
	struct mutex lock;
	/* The program's stream, then orphan once the program is gone. */
	struct bpf_stream *stream;
	/* Set (release) once the program is gone; stream is orphan then. */
	bool dead;
	/*
	 * Set by every wake-up, cleared by a reader before it looks for data:
	 * a blocked reader waits on this and dead only, never touching the
	 * program's stream, which may be freed under it.
	 */
	atomic_t kick;
	wait_queue_head_t wait;
	struct irq_work work;
	/* What the program left unread, readable after its free. */
	struct bpf_stream orphan;
};

/*
 * Allocate an element with room for @room bytes of text. Any context; fails
 * with NULL whenever kmalloc_nolock() cannot help.
 */
static struct bpf_stream_elem *bpf_stream_elem_alloc(u32 room)
{
	struct bpf_stream_elem *elem;

	BUILD_BUG_ON(BPF_STREAM_MSG_MAX >= MAX_BPRINTF_BUF);

	if (room > BPF_STREAM_MSG_MAX + 1)
		return NULL;
	elem = kmalloc_nolock(BPF_STREAM_ELEM_HDR + room, 0, NUMA_NO_NODE);
	if (!elem)
		return NULL;
	init_llist_node(&elem->node);
	elem->total_len = 0;
	elem->consumed_len = 0;
	return elem;
}

static void bpf_stream_elem_free(struct bpf_stream_elem *elem)
{
	kfree_nolock(elem);
}

static void bpf_stream_free_list(struct llist_node *list)
{
	struct bpf_stream_elem *elem, *tmp;

	llist_for_each_entry_safe(elem, tmp, list, node)
		bpf_stream_elem_free(elem);
}

/* Wake the stream's pollers, if any, from any context. */
static void bpf_stream_notify(struct bpf_stream *stream)
{
	/* Pairs with smp_store_release() in bpf_prog_stream_get_fd(). */
	struct bpf_stream_poll *poll = smp_load_acquire(&stream->poll);

	if (poll)
		irq_work_queue(&poll->work);
}

/*
 * Charge @len bytes to @stream. Exact under concurrency: a charge never
 * overshoots, so writers never see a transient over-count from each other.
 */
static int bpf_stream_charge(struct bpf_stream *stream, u32 len)
{
	int old = atomic_read(&stream->capacity);

	do {
		if (len >= BPF_STREAM_MAX_CAPACITY ||
		    old >= BPF_STREAM_MAX_CAPACITY - (int)len)
			return -ENOSPC;
	} while (!atomic_try_cmpxchg(&stream->capacity, &old, old + len));
	return 0;
}

static void bpf_stream_refund(struct bpf_stream *stream, u32 len)
{
	atomic_sub(len, &stream->capacity);
}

/* Cheap test, before any formatting, that @len more bytes cannot fit. */
static bool bpf_stream_full(struct bpf_stream *stream, u32 len)
{
	return len >= BPF_STREAM_MAX_CAPACITY ||
	       atomic_read(&stream->capacity) >= BPF_STREAM_MAX_CAPACITY - (int)len;
}

static struct bpf_stream *bpf_stream_get(int stream_id, struct bpf_prog_aux *aux)
{
	if (stream_id != BPF_STDOUT && stream_id != BPF_STDERR)
		return NULL;
	return &aux->stream[stream_id - 1];
}

/* Queue @len bytes of @str on @stream; the capacity is charged here. */
static int bpf_stream_push(struct bpf_stream *stream, const char *str, u32 len)
{
	struct bpf_stream_elem *elem;
	int err;

	if (!len)
		return 0;
	err = bpf_stream_charge(stream, len);
	if (err)
		return err;
	elem = bpf_stream_elem_alloc(len);
	if (!elem) {
		/* Give the charge back, else failed writes fill the stream. */
		bpf_stream_refund(stream, len);
		return -ENOMEM;
	}
	memcpy(elem->str, str, len);
	elem->total_len = len;
	llist_add(&elem->node, &stream->log);
	bpf_stream_notify(stream);
	return 0;
}

/* Called with stream->lock held. */
static struct bpf_stream_elem *bpf_stream_backlog_peek(struct bpf_stream *stream)
{
	struct llist_node *newest, *oldest;

	if (!stream->backlog_head) {
		newest = llist_del_all(&stream->log);
		if (!newest)
			return NULL;
		oldest = llist_reverse_order(newest);
		stream->backlog_head = oldest;
		stream->backlog_tail = newest;
	}
	return llist_entry(stream->backlog_head, struct bpf_stream_elem, node);
}

/* Called with stream->lock held; the head element is fully read. */
static void bpf_stream_backlog_pop(struct bpf_stream *stream)
{
	struct llist_node *node = stream->backlog_head;

	if (node == stream->backlog_tail) {
		stream->backlog_head = NULL;
		stream->backlog_tail = NULL;
	} else {
		stream->backlog_head = node->next;
	}
}

/*
 * Copy up to @len bytes, oldest first. Returns the bytes copied; -EFAULT
 * only when not a single byte could be copied. Bytes that did not reach
 * user space stay queued for the next read.
 */
static int bpf_stream_read(struct bpf_stream *stream, void __user *buf, u32 len)
{
	struct bpf_stream_elem *elem;
	u32 pos = 0;
	int err = 0;

	len = min_t(u32, len, INT_MAX);

	mutex_lock(&stream->lock);
	while (pos < len) {
		unsigned long left;
		u32 chunk;

		elem = bpf_stream_backlog_peek(stream);
		if (!elem)
			break;
		chunk = min(elem->total_len - elem->consumed_len, len - pos);
		left = copy_to_user(buf + pos, elem->str + elem->consumed_len, chunk);
		chunk -= left;
		elem->consumed_len += chunk;
		pos += chunk;
		if (left) {
			err = -EFAULT;
			break;
		}
		if (elem->consumed_len < elem->total_len)
			continue;
		bpf_stream_backlog_pop(stream);
		bpf_stream_refund(stream, elem->total_len);
		bpf_stream_elem_free(elem);
	}
	mutex_unlock(&stream->lock);

	return pos ? (int)pos : err;
}

int bpf_prog_stream_read(struct bpf_prog *prog, enum bpf_stream_id stream_id,
			 void __user *buf, u32 len)
{
	struct bpf_stream *stream;

	stream = bpf_stream_get(stream_id, prog->aux);
	if (!stream)
		return -ENOENT;
	/* As upstream: a length the int-sized result cannot count is refused. */
	if (len > INT_MAX)
		return -EINVAL;
	return bpf_stream_read(stream, buf, len);
}

static void bpf_stream_poll_wake(struct irq_work *work)
{
	struct bpf_stream_poll *poll = container_of(work, struct bpf_stream_poll, work);

	atomic_set(&poll->kick, 1);
	wake_up_all(&poll->wait);
}

static void bpf_stream_poll_put(struct bpf_stream_poll *poll)
{
	if (!refcount_dec_and_test(&poll->ref))
		return;
	irq_work_sync(&poll->work);
	bpf_stream_free_list(llist_del_all(&poll->orphan.log));
	bpf_stream_free_list(poll->orphan.backlog_head);
	mutex_destroy(&poll->orphan.lock);
	mutex_destroy(&poll->lock);
	kfree(poll);
}

/*
 * EPOLLIN while bytes are charged to the stream (a writer charges just
 * before it queues, so readiness can be reported a moment early and the
 * read then finds nothing); EPOLLHUP once the program is gone, with
 * EPOLLIN as long as what it left is not read.
 */
static __poll_t bpf_stream_fop_poll(struct file *file, struct poll_table_struct *pt)
{
	struct bpf_stream_poll *poll = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &poll->wait, pt);
	mutex_lock(&poll->lock);
	if (poll->dead)
		mask = EPOLLHUP;
	if (atomic_read(&poll->stream->capacity))
		mask |= EPOLLIN | EPOLLRDNORM;
	mutex_unlock(&poll->lock);
	return mask;
}

/* A wake-up since the reader last looked, or the hang-up. */
static bool bpf_stream_poll_woken(struct bpf_stream_poll *poll)
{
	/* Pairs with smp_store_release() in bpf_stream_poll_detach(). */
	return atomic_read(&poll->kick) || smp_load_acquire(&poll->dead);
}

/*
 * Consume the stream like BPF_PROG_STREAM_READ_BY_FD. An empty stream
 * blocks until data arrives or the program is gone, or returns -EAGAIN for
 * an O_NONBLOCK file. Once the program is gone, what it left unread is
 * read, then 0 (end of file).
 */
static ssize_t bpf_stream_fop_read(struct file *file, char __user *buf,
				   size_t len, loff_t *ppos)
{
	struct bpf_stream_poll *poll = file->private_data;
	bool dead;
	int ret;

	if (!len)
		return 0;
	for (;;) {
		/* Cleared (full barrier) before looking: a later write sets it. */
		atomic_xchg(&poll->kick, 0);
		mutex_lock(&poll->lock);
		dead = poll->dead;
		ret = bpf_stream_read(poll->stream, buf, min_t(size_t, len, INT_MAX));
		mutex_unlock(&poll->lock);
		if (ret)
			return ret;
		if (dead)
			return 0;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(poll->wait, bpf_stream_poll_woken(poll));
		if (ret)
			return ret;
	}
}

static int bpf_stream_fop_release(struct inode *inode, struct file *file)
{
	bpf_stream_poll_put(file->private_data);
	return 0;
}

/* No llseek: lseek(2) fails with -ESPIPE, as upstream's. */
static const struct file_operations bpf_stream_fops = {
	.poll		= bpf_stream_fop_poll,
	.read		= bpf_stream_fop_read,
	.release	= bpf_stream_fop_release,
};

/*
 * A new read-only, close-on-exec file for @stream_id of @prog: pollable
 * (EPOLLIN when data is queued, EPOLLHUP once the program is gone) and
 * readable like BPF_PROG_STREAM_READ_BY_FD, blocking unless @flags has
 * BPF_F_STREAM_NONBLOCK. It holds no reference on the program. Returns the
 * fd, -EINVAL for other @flags (BPF_F_RDONLY included), -ENOENT for a bad
 * @stream_id, -ENOMEM or what anon_inode_getfd() returns.
 */
int bpf_prog_stream_new_fd(struct bpf_prog *prog, enum bpf_stream_id stream_id,
			   u32 flags)
{
	int fd_flags = O_RDONLY | O_CLOEXEC;
	struct bpf_stream_poll *poll;
	struct bpf_stream *stream;
	int fd;

	if (flags & ~BPF_F_STREAM_NONBLOCK)
		return -EINVAL;
	if (flags & BPF_F_STREAM_NONBLOCK)
		fd_flags |= O_NONBLOCK;
	stream = bpf_stream_get(stream_id, prog->aux);
	if (!stream)
		return -ENOENT;

	mutex_lock(&stream->lock);
	poll = stream->poll;
	if (!poll) {
		poll = kzalloc_obj(*poll, GFP_KERNEL_ACCOUNT);
		if (!poll) {
			mutex_unlock(&stream->lock);
			return -ENOMEM;
		}
		refcount_set(&poll->ref, 1);
		mutex_init(&poll->lock);
		poll->stream = stream;
		init_llist_head(&poll->orphan.log);
		mutex_init(&poll->orphan.lock);
		init_waitqueue_head(&poll->wait);
		init_irq_work(&poll->work, bpf_stream_poll_wake);
		/* Pairs with smp_load_acquire() in bpf_stream_notify(). */
		smp_store_release(&stream->poll, poll);
	}
	refcount_inc(&poll->ref);
	mutex_unlock(&stream->lock);

	fd = anon_inode_getfd("bpf-stream", &bpf_stream_fops, poll, fd_flags);
	if (fd < 0)
		bpf_stream_poll_put(poll);
	return fd;
}

/*
 * The program is gone: hand what is still queued on @stream to its files,
 * which read it and then end of file, and hang up. Nobody writes any more.
 */
static void bpf_stream_poll_detach(struct bpf_stream *stream)
{
	struct bpf_stream_poll *poll = stream->poll;
	struct bpf_stream *orphan;

	if (!poll)
		return;
	orphan = &poll->orphan;
	mutex_lock(&poll->lock);
	atomic_set(&orphan->capacity, atomic_xchg(&stream->capacity, 0));
	orphan->log.first = llist_del_all(&stream->log);
	orphan->backlog_head = stream->backlog_head;
	orphan->backlog_tail = stream->backlog_tail;
	stream->backlog_head = NULL;
	stream->backlog_tail = NULL;
	poll->stream = orphan;
	/* Pairs with smp_load_acquire() in bpf_stream_poll_woken(). */
	smp_store_release(&poll->dead, true);
	mutex_unlock(&poll->lock);
	wake_up_all(&poll->wait);
	stream->poll = NULL;
	bpf_stream_poll_put(poll);
}

/*
 * Length of the NUL-terminated format @fmt (returned in @size, NUL
 * included) and a lower bound of what it prints: its literal text. A
 * conversion may print nothing; the extension letters of %p are skipped as
 * if they were all part of the conversion, which only lowers the bound.
 */
static u32 bpf_stream_fmt_scan(const char *fmt, u32 *size)
{
	const char *p = fmt;
	u32 lit = 0;

	while (*p) {
		if (*p++ != '%') {
			lit++;
			continue;
		}
		if (*p == '%') {
			lit++;
			p++;
			continue;
		}
		while (*p && !isalpha(*p))	/* flags, width, precision */
			p++;
		while (*p == 'l' || *p == 'h' || *p == 'z')
			p++;
		if (*p == 'p')
			while (isalnum(*p))
				p++;
		else if (*p)
			p++;
	}
	*size = p - fmt + 1;
	return lit;
}

__bpf_kfunc_start_defs();

/*
 * Print to @stream_id (BPF_STDOUT or BPF_STDERR) of the calling program.
 * @args holds @len__sz / 8 u64 arguments, as for bpf_trace_vprintk().
 * Returns 0, -ENOENT for a bad stream id, -EINVAL for bad arguments or an
 * unsupported format, -E2BIG when the output is longer than one message
 * (BPF_STREAM_MSG_MAX; nothing is queued), -ENOSPC when the stream is full
 * and -ENOMEM or -EBUSY when no memory or no format buffer is available in
 * this context.
 *
 * @aux is not passed by the program: the kfunc is registered with
 * KF_IMPLICIT_ARGS and the verifier supplies the calling program's aux.
 * Avoid using enum bpf_stream_id for @stream_id so that callers do not
 * need the enum in their headers.
 */
__bpf_kfunc int bpf_stream_vprintk(int stream_id, const char *fmt__str,
				   const void *args, u32 len__sz,
				   struct bpf_prog_aux *aux)
{
	struct bpf_bprintf_data data = {
		.get_bin_args	= true,
		.get_buf	= true,
	};
	struct bpf_stream *stream;
	u32 fmt_size, min_len;
	int ret;

	stream = bpf_stream_get(stream_id, aux);
	if (!stream)
		return -ENOENT;
	if (len__sz % 8 || len__sz > MAX_BPRINTF_VARARGS * 8 ||
	    (len__sz && !args))
		return -EINVAL;

	/*
	 * Refuse before paying for the formatting: the literal text is what
	 * the output cannot be shorter than, so a longer one than a message
	 * is -E2BIG and one that cannot fit the stream -ENOSPC; a format of
	 * conversions only needs at least one byte.
	 */
	min_len = bpf_stream_fmt_scan(fmt__str, &fmt_size);
	if (min_len > BPF_STREAM_MSG_MAX)
		return -E2BIG;
	if (bpf_stream_full(stream, max_t(u32, min_len, 1)))
		return -ENOSPC;

	ret = bpf_bprintf_prepare(fmt__str, fmt_size, args, len__sz / 8, &data);
	if (ret < 0)
		return ret;
	ret = bstr_printf(data.buf, MAX_BPRINTF_BUF, fmt__str, data.bin_args);
	/* Cut output is refused before anything is charged; no NUL queued. */
	if (ret > BPF_STREAM_MSG_MAX)
		ret = -E2BIG;
	else
		ret = bpf_stream_push(stream, data.buf, ret);
	bpf_bprintf_cleanup(&data);
	return ret;
}

__bpf_kfunc_end_defs();

void bpf_prog_stream_init(struct bpf_prog *prog)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(prog->aux->stream); i++) {
		struct bpf_stream *stream = &prog->aux->stream[i];

		atomic_set(&stream->capacity, 0);
		init_llist_head(&stream->log);
		mutex_init(&stream->lock);
		stream->backlog_head = NULL;
		stream->backlog_tail = NULL;
		stream->poll = NULL;
	}
	atomic_set(&prog->aux->stream_error_cnt, 0);
}

/* The program is gone: nobody writes or reads its streams any more. */
void bpf_prog_stream_free(struct bpf_prog *prog)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(prog->aux->stream); i++) {
		struct bpf_stream *stream = &prog->aux->stream[i];

		bpf_stream_poll_detach(stream);
		bpf_stream_free_list(llist_del_all(&stream->log));
		bpf_stream_free_list(stream->backlog_head);
		stream->backlog_head = NULL;
		stream->backlog_tail = NULL;
		mutex_destroy(&stream->lock);
	}
}

void bpf_stream_stage_init(struct bpf_stream_stage *ss)
{
	init_llist_head(&ss->log);
	ss->tail = NULL;
	ss->len = 0;
}

void bpf_stream_stage_free(struct bpf_stream_stage *ss)
{
	bpf_stream_free_list(llist_del_all(&ss->log));
	ss->tail = NULL;
	ss->len = 0;
}

/*
 * Format a message into the stage. The text is measured first and then
 * formatted straight into its element, so no shared buffer is needed; the
 * element has room for vsnprintf()'s NUL, which is not counted as text.
 * Returns 0, -ENOMEM, or -E2BIG once the stage could never be committed.
 */
int bpf_stream_stage_printk(struct bpf_stream_stage *ss, const char *fmt, ...)
{
	struct bpf_stream_elem *elem;
	va_list args;
	u32 len;
	int n;

	va_start(args, fmt);
	n = vsnprintf(NULL, 0, fmt, args);
	va_end(args);
	if (n <= 0)
		return n;
	len = min_t(u32, n, BPF_STREAM_MSG_MAX);
	if (ss->len + len >= BPF_STREAM_MAX_CAPACITY)
		return -E2BIG;

	elem = bpf_stream_elem_alloc(len + 1);
	if (!elem)
		return -ENOMEM;
	va_start(args, fmt);
	vsnprintf(elem->str, len + 1, fmt, args);
	va_end(args);
	elem->total_len = len;

	if (!ss->tail)
		ss->tail = &elem->node;
	__llist_add(&elem->node, &ss->log);
	ss->len += len;
	return 0;
}

/*
 * Queue everything staged on @stream_id of @prog as one block. On failure
 * the stage keeps its messages and bpf_stream_stage_free() drops them.
 */
int bpf_stream_stage_commit(struct bpf_stream_stage *ss, struct bpf_prog *prog,
			    enum bpf_stream_id stream_id)
{
	struct bpf_stream *stream;
	struct llist_node *head;
	int err;

	stream = bpf_stream_get(stream_id, prog->aux);
	if (!stream)
		return -EINVAL;
	if (llist_empty(&ss->log))
		return 0;
	err = bpf_stream_charge(stream, ss->len);
	if (err)
		return err;

	head = llist_del_all(&ss->log);
	llist_add_batch(head, ss->tail, &stream->log);
	ss->tail = NULL;
	ss->len = 0;
	bpf_stream_notify(stream);
	return 0;
}

/*
 * Count one kernel report for @prog; true once the program had its
 * BPF_PROG_STREAM_ERROR_CNT reports. The counter saturates at the limit.
 */
bool bpf_prog_stream_error_limit(struct bpf_prog *prog)
{
	return !atomic_add_unless(&prog->aux->stream_error_cnt, 1,
				  BPF_PROG_STREAM_ERROR_CNT);
}
