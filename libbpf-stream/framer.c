// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Line framer: stream bytes in, lines out. Pure: no syscalls, no globals,
 * so it can be fuzzed and tested with scripted chunks (see stream_internal.h
 * for the contract).
 *
 * State: the line being assembled (at most BPF_STREAM_LINE_MAX bytes plus a
 * NUL) and a queue of input not yet framed. The queue only fills when a
 * callback stops the framer in the middle of a chunk: the rest of that chunk
 * (and any chunk pushed while the queue is not empty) is copied there and
 * framed first on the next resume/push/flush.
 */
#include <stdlib.h>
#include "stream_internal.h"

struct bs_qchunk {
	struct bs_qchunk *next;
	size_t len, off;
	__u64 ts_ns;
	__u32 flags;
	char data[];
};

struct bs_framer {
	char line[BPF_STREAM_LINE_MAX + 1];
	size_t len;		/* bytes in line[] */
	bool started;		/* line[] belongs to a line (even if len is 0) */
	__u64 line_ts;		/* ts_ns of the chunk the line started in */
	__u32 line_flags;	/* OR of chunk flags, plus PARTIAL continuation */
	struct bs_qchunk *head, *tail;
};

struct bs_framer *bs_framer__new(void)
{
	return calloc(1, sizeof(struct bs_framer));
}

void bs_framer__free(struct bs_framer *f)
{
	struct bs_qchunk *q, *n;

	if (!f)
		return;
	for (q = f->head; q; q = n) {
		n = q->next;
		free(q);
	}
	free(f);
}

bool bs_framer__has_leftover(const struct bs_framer *f)
{
	return f && (f->head || f->started);
}

bool bs_framer__has_partial(const struct bs_framer *f)
{
	return f && f->started;
}

static int queue_append(struct bs_framer *f, const char *data, size_t len, __u64 ts, __u32 flags)
{
	struct bs_qchunk *q;

	if (!len)
		return 0;
	q = malloc(sizeof(*q) + len);
	if (!q)
		return -ENOMEM;
	q->next = NULL;
	q->len = len;
	q->off = 0;
	q->ts_ns = ts;
	q->flags = flags;
	memcpy(q->data, data, len);
	if (f->tail)
		f->tail->next = q;
	else
		f->head = q;
	f->tail = q;
	return 0;
}

static int emit(struct bs_framer *f, __u32 extra, bs_line_fn fn, void *ctx)
{
	__u32 flags = f->line_flags | extra;
	__u64 ts = f->line_ts;
	size_t len = f->len;

	f->line[len] = '\0';
	f->len = 0;
	f->started = false;
	f->line_flags = 0;
	f->line_ts = 0;
	return fn(ctx, f->line, len, ts, flags);
}

/*
 * Frame bytes data[0..len). Return 0 when all were consumed, else the
 * callback's non-zero value with *used set to the bytes consumed.
 *
 * A chunk flagged TRUNCATED is a message cut at its end: only the line that
 * holds its last byte (NULs aside, they are dropped) is flagged, the lines
 * before it in the message are whole. A callback that stops the framer
 * leaves the rest of the chunk queued with the same flags, so the byte is
 * found again there (or, already framed, is not in the rest at all).
 */
static int frame(struct bs_framer *f, const char *data, size_t len, __u64 ts, __u32 flags,
		 bs_line_fn fn, void *ctx, size_t *used)
{
	/* Stream text rarely holds a NUL: one scan of the whole chunk tells
	 * which runs need looking for one at all. */
	const char *first_nul = memchr(data, '\0', len);
	size_t nul_at = first_nul ? (size_t)(first_nul - data) : len;
	__u32 trunc = flags & BPF_STREAM_MSG_F_TRUNCATED;
	size_t i = 0, cut_at = len;	/* the cut line's last byte; len: none */
	int ret;

	if (trunc) {
		flags &= ~trunc;
		for (cut_at = len; cut_at && !data[cut_at - 1]; cut_at--)
			;
		cut_at = cut_at ? cut_at - 1 : len;
	}

	while (i < len) {
		char c = data[i];

		if (c == '\0') {
			i++;
			if (i > nul_at) {
				first_nul = memchr(data + i, '\0', len - i);
				nul_at = first_nul ? (size_t)(first_nul - data) : len;
			}
			continue;
		}
		if (!f->started) {
			f->started = true;
			f->line_ts = ts;
		}
		f->line_flags |= flags;
		if (c == '\n') {
			if (i == cut_at)
				f->line_flags |= trunc;
			i++;
			ret = emit(f, 0, fn, ctx);
			if (ret) {
				*used = i;
				return ret;
			}
			continue;
		}
		if (f->len == BPF_STREAM_LINE_MAX) {
			/* One more byte would not fit: hand out the piece, the
			 * line goes on in the next message (same ts). */
			ret = emit(f, BPF_STREAM_MSG_F_PARTIAL, fn, ctx);
			f->started = true;
			f->line_ts = ts;
			f->line_flags = flags;
			if (ret) {
				*used = i;
				return ret;
			}
		}
		/* copy the run of ordinary bytes in one go: it ends at the
		 * first '\n' or NUL, or where the line is full (memchr scans
		 * a word or a vector at a time; a byte loop is 2x slower) */
		{
			size_t room = BPF_STREAM_LINE_MAX - f->len;
			size_t end = len - i < room ? len : i + room;
			const char *nl = memchr(data + i, '\n', end - i);
			const char *nul;

			if (nl)
				end = (size_t)(nl - data);
			if (nul_at < end) {
				nul = memchr(data + i, '\0', end - i);
				if (nul)
					end = (size_t)(nul - data);
			}
			memcpy(f->line + f->len, data + i, end - i);
			f->len += end - i;
			if (cut_at >= i && cut_at < end)
				f->line_flags |= trunc;
			i = end;
		}
	}
	*used = len;
	return 0;
}

int bs_framer__resume(struct bs_framer *f, bs_line_fn fn, void *ctx)
{
	struct bs_qchunk *q;
	size_t used;
	int ret;

	while ((q = f->head)) {
		ret = frame(f, q->data + q->off, q->len - q->off, q->ts_ns, q->flags, fn, ctx, &used);
		q->off += used;
		if (q->off == q->len) {
			f->head = q->next;
			if (!f->head)
				f->tail = NULL;
			free(q);
		}
		if (ret)
			return ret;
	}
	return 0;
}

int bs_framer__push(struct bs_framer *f, const struct bs_chunk *c, bs_line_fn fn, void *ctx)
{
	size_t used = 0;
	int ret, err;

	if (f->head) {
		/* Earlier input is waiting: keep the order. */
		err = queue_append(f, c->data, c->len, c->ts_ns, c->flags);
		if (err)
			return err;
		return bs_framer__resume(f, fn, ctx);
	}
	ret = frame(f, c->data, c->len, c->ts_ns, c->flags, fn, ctx, &used);
	if (ret && used < c->len) {
		err = queue_append(f, c->data + used, c->len - used, c->ts_ns, c->flags);
		if (err)
			return err;
	}
	return ret;
}

int bs_framer__flush(struct bs_framer *f, bs_line_fn fn, void *ctx)
{
	int ret = bs_framer__resume(f, fn, ctx);

	if (ret)
		return ret;
	if (!f->started)
		return 0;
	return emit(f, BPF_STREAM_MSG_F_UNTERMINATED, fn, ctx);
}

int bs_framer__absorb(struct bs_framer *dst, struct bs_framer *src)
{
	int err;

	/* The partial line of src goes first, as bytes that start a line. */
	if (src->started) {
		err = queue_append(dst, src->line, src->len, src->line_ts,
				   src->line_flags & ~(__u32)BPF_STREAM_MSG_F_PARTIAL);
		if (err)
			return err;
		src->started = false;
		src->len = 0;
	}
	if (src->head) {
		if (dst->tail)
			dst->tail->next = src->head;
		else
			dst->head = src->head;
		dst->tail = src->tail;
		src->head = src->tail = NULL;
	}
	return 0;
}
