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
 * - Memory comes from a per-CPU bump allocator. Each CPU caches one page
 *   obtained with alloc_pages_nolock() and carves 8-byte aligned elements
 *   out of it under a per-CPU local_trylock_t. A page carries a refcount:
 *   one reference for the CPU cache plus one per element carved from it.
 *   The page goes back with free_pages_nolock() when the last one drops,
 *   whichever stream or program the elements ended up in.
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
 */

#include <linux/bpf.h>
#include <linux/bpf_stream.h>
#include <linux/btf.h>
#include <linux/ctype.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/llist.h>
#include <linux/local_lock.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/refcount.h>
#include <linux/uaccess.h>

struct bpf_stream_page {
	refcount_t ref;
	u32 used;		/* bytes of buf[] handed out, owner CPU only */
	char buf[];
};

#define BPF_STREAM_PAGE_ROOM	(PAGE_SIZE - offsetof(struct bpf_stream_page, buf))
#define BPF_STREAM_ELEM_HDR	offsetof(struct bpf_stream_elem, str)

static DEFINE_PER_CPU(local_trylock_t, bpf_stream_pcpu_lock) =
	INIT_LOCAL_TRYLOCK(bpf_stream_pcpu_lock);
static DEFINE_PER_CPU(struct bpf_stream_page *, bpf_stream_pcpu_page);

static void bpf_stream_page_put(struct bpf_stream_page *page)
{
	if (refcount_dec_and_test(&page->ref))
		free_pages_nolock(virt_to_page(page), 0);
}

static struct bpf_stream_page *bpf_stream_page_of(struct bpf_stream_elem *elem)
{
	return (struct bpf_stream_page *)((unsigned long)elem & PAGE_MASK);
}

/*
 * Install a fresh page as this CPU's cache. On failure the old page stays
 * cached: a smaller element may still fit in it later.
 */
static struct bpf_stream_page *bpf_stream_page_refill(void)
{
	struct bpf_stream_page *page, *old;
	struct page *p;

	p = alloc_pages_nolock(NUMA_NO_NODE, 0);
	if (!p)
		return NULL;
	page = page_address(p);
	refcount_set(&page->ref, 1);
	page->used = 0;

	old = this_cpu_read(bpf_stream_pcpu_page);
	this_cpu_write(bpf_stream_pcpu_page, page);
	if (old)
		bpf_stream_page_put(old);
	return page;
}

/* Carve @size bytes (a multiple of 8) from this CPU's page. */
static void *bpf_stream_page_carve(u32 size)
{
	struct bpf_stream_page *page;
	void *ptr;

	page = this_cpu_read(bpf_stream_pcpu_page);
	if (!page || page->used + size > BPF_STREAM_PAGE_ROOM) {
		page = bpf_stream_page_refill();
		if (!page)
			return NULL;
	}
	ptr = &page->buf[page->used];
	page->used += size;
	refcount_inc(&page->ref);
	return ptr;
}

/*
 * Allocate an element with room for @room bytes of text. Any context; fails
 * with NULL when the page allocator cannot help or when this CPU's
 * allocator is already in use by the context we interrupted.
 */
static struct bpf_stream_elem *bpf_stream_elem_alloc(u32 room)
{
	struct bpf_stream_elem *elem;
	unsigned long flags;

	BUILD_BUG_ON(BPF_STREAM_MSG_MAX >= MAX_BPRINTF_BUF);
	BUILD_BUG_ON(BPF_STREAM_ELEM_HDR + MAX_BPRINTF_BUF > BPF_STREAM_PAGE_ROOM);
	BUILD_BUG_ON(offsetof(struct bpf_stream_page, buf) % 8);
	BUILD_BUG_ON(BPF_STREAM_ELEM_HDR % 8);

	if (room > BPF_STREAM_MSG_MAX + 1)
		return NULL;
	if (!local_trylock_irqsave(&bpf_stream_pcpu_lock, flags))
		return NULL;
	elem = bpf_stream_page_carve(round_up(BPF_STREAM_ELEM_HDR + room, 8));
	local_unlock_irqrestore(&bpf_stream_pcpu_lock, flags);
	if (!elem)
		return NULL;
	init_llist_node(&elem->node);
	elem->total_len = 0;
	elem->consumed_len = 0;
	return elem;
}

static void bpf_stream_elem_free(struct bpf_stream_elem *elem)
{
	bpf_stream_page_put(bpf_stream_page_of(elem));
}

static void bpf_stream_free_list(struct llist_node *list)
{
	struct bpf_stream_elem *elem, *tmp;

	llist_for_each_entry_safe(elem, tmp, list, node)
		bpf_stream_elem_free(elem);
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

	if (node == stream->backlog_tail)
		stream->backlog_head = stream->backlog_tail = NULL;
	else
		stream->backlog_head = node->next;
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
	return bpf_stream_read(stream, buf, len);
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
 * unsupported format, -ENOSPC when the stream is full and -ENOMEM or -EBUSY
 * when no memory or no format buffer is available in this context.
 *
 * Avoid using enum bpf_stream_id for @stream_id so that callers do not
 * need the enum in their headers.
 */
__bpf_kfunc int bpf_stream_vprintk(int stream_id, const char *fmt__str,
				   const void *args, u32 len__sz, void *aux__prog)
{
	struct bpf_bprintf_data data = {
		.get_bin_args	= true,
		.get_buf	= true,
	};
	struct bpf_prog_aux *aux = aux__prog;
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
	 * Refuse a full stream before paying for the formatting: the literal
	 * text (as truncated to one message) is what the output cannot be
	 * shorter than; a format of conversions only needs at least one byte.
	 */
	min_len = bpf_stream_fmt_scan(fmt__str, &fmt_size);
	min_len = clamp_t(u32, min_len, 1, BPF_STREAM_MSG_MAX);
	if (bpf_stream_full(stream, min_len))
		return -ENOSPC;

	ret = bpf_bprintf_prepare(fmt__str, fmt_size, args, len__sz / 8, &data);
	if (ret < 0)
		return ret;
	ret = bstr_printf(data.buf, MAX_BPRINTF_BUF, fmt__str, data.bin_args);
	/* Truncated output keeps what fit; the NUL is never queued. */
	ret = bpf_stream_push(stream, data.buf, min_t(u32, ret, BPF_STREAM_MSG_MAX));
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
	}
	atomic_set(&prog->aux->stream_error_cnt, 0);
}

/* The program is gone: nobody writes or reads its streams any more. */
void bpf_prog_stream_free(struct bpf_prog *prog)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(prog->aux->stream); i++) {
		struct bpf_stream *stream = &prog->aux->stream[i];

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
