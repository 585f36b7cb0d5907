// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf_stream_drain(), bpf_stream_drain_object() and the drain engine the
 * iterator and the reader share: read a stream until it is empty, frame the
 * bytes into lines, deliver them, then announce drops.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "stream_internal.h"

/* Bytes asked for per read: a native stream holds at most 100000 bytes, a
 * ring record at most a few KiB. */
#define BS_DRAIN_BUF 16384
/* A drain reads at most this much: a stream refilled as fast as it is read
 * (a program tracing the reader's own syscalls) must not keep it forever.
 * Four times the default ring buffer, forty times a native stream. */
#define BS_DRAIN_MAX_BYTES (4U << 20)

int bs_prog_identify(int prog_fd, __u32 *prog_id, char *name, size_t name_sz)
{
	struct bpf_prog_info info;
	__u32 info_len = sizeof(info);

	if (prog_fd < 0 || fcntl(prog_fd, F_GETFD) < 0)
		return -EBADF;
	/* BPF_OBJ_GET_INFO_BY_FD answers for maps, links and BTF too (in
	 * their own layout), so ask the fd's inode what it is. Without /proc
	 * the info call below is the only check. */
	if (!bs_fd_is_anon(prog_fd, "bpf-prog") && !access("/proc/self/fd", X_OK))
		return -EINVAL;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &info_len))
		return errno == EBADF ? -EBADF : -EINVAL;
	if (prog_id)
		*prog_id = info.id;
	if (name && name_sz) {
		size_t l = strnlen(info.name, sizeof(info.name));

		if (l >= name_sz)
			l = name_sz - 1;
		memcpy(name, info.name, l);
		name[l] = '\0';
	}
	return 0;
}

struct line_ctx {
	const struct bs_stream_src *src;
	bpf_stream_msg_fn fn;
	void *ctx;
	int lines;
};

static int deliver_line(void *ctx, const char *line, size_t len, __u64 ts_ns, __u32 flags)
{
	struct line_ctx *lc = ctx;
	struct bpf_stream_msg msg = {
		.prog_id = lc->src->prog_id,
		.prog_name = lc->src->prog_name ? lc->src->prog_name : "",
		.stream_id = lc->src->stream_id,
		.text = line,
		.len = len,
		.ts_ns = ts_ns,
		.flags = flags,
	};

	lc->lines++;
	return lc->fn(lc->ctx, &msg);
}

/* Drops of the program on this stream so far, by kind (counts, not yet
 * what is new: bs_drops_next() asks what was reported). */
void bs_src_drops(const struct bs_stream_src *src, struct bs_drops *d)
{
	struct bs_tport *t;

	memset(d, 0, sizeof(*d));
	d->prog_id = src->prog_id;
	d->stream_id = src->stream_id;
	if (src->dropped) {
		/* a scripted source: its own counter, keyed by its address */
		d->owner = true;
		if (!src->dropped(src->read_ctx, &d->n[BS_DROP_OWN]))
			d->key = (unsigned long)src->read_ctx;
		return;
	}
	t = bs_tport__get(-1, src->prog_id, NULL);
	if (!t)
		return;
	d->key = bs_tport__stat_id(t);
	if (d->key && bs_tport__drops(t, src->prog_id, src->stream_id, d))
		d->key = 0;
	if (d->key)
		d->n[BS_DROP_SUPPRESSED] = bs_ctl_suppressed(src->prog_id, src->stream_id);
	bs_tport__put(t);
}

bool bs_drops_next(struct bs_drops *d, struct bpf_stream_msg *msg, char *buf, const char *prog_name)
{
	static const char *const who[BS_DROP_KINDS] = {
		[BS_DROP_OWN] = "",
		[BS_DROP_SHARED] = " by a call site several programs contain, writer unknown",
		[BS_DROP_UNKNOWN] = ", writer unknown",
		[BS_DROP_OVERSIZE] = ": longer than the kernel's message limit (-E2BIG)",
	};
	bool first = false;
	__u64 n = 0;
	int kind, len;

	if (!d->key)
		return false;
	/* each kind is marked reported only when its notice goes out: a
	 * callback that stops the drain leaves the others for the next one;
	 * what a ring tap missed is one count per object (stream 0) */
	for (kind = d->next; kind < BS_DROP_KINDS && !n; kind++)
		n = kind == BS_DROP_MISSED
			    ? bs_pending_drop_delta(d->key, kind, 0, 0, d->n[kind], &first)
			    : bs_pending_drop_delta(d->key, kind, d->prog_id, d->stream_id,
						    d->n[kind], &first);
	d->next = kind;
	if (!n)
		return false;
	kind--;
	memset(msg, 0, sizeof(*msg));
	msg->flags = BPF_STREAM_MSG_F_DROP_NOTICE;
	if (kind == BS_DROP_MISSED) {
		len = snprintf(buf, BS_DROP_NOTICE_MAX,
			       "[%" PRIu64 " bytes of ring records not read: process %u consumed them and they were written over first]",
			       (uint64_t)n, d->consumer_pid);
		msg->flags |= BPF_STREAM_MSG_F_MISSED;
		msg->missed_bytes = n;
	} else if (kind == BS_DROP_SUPPRESSED) {
		/* counted like drops, but on purpose: said as such */
		len = snprintf(buf, BS_DROP_NOTICE_MAX, "[%" PRIu64 " suppressed by rate limit on %s%s]",
			       (uint64_t)n, bs_stream_name(d->stream_id),
			       first && !d->owner ? " before this reader started" : "");
		msg->flags |= BPF_STREAM_MSG_F_SUPPRESSED;
		if (first && !d->owner)
			msg->flags |= BPF_STREAM_MSG_F_EARLIER;
		msg->dropped = n;
	} else {
		/* the first look of a reader that did not load the object:
		 * what was dropped before it came is history, said as such */
		bool before = first && !d->owner;

		len = snprintf(buf, BS_DROP_NOTICE_MAX, "[%" PRIu64 " message%s dropped on %s%s%s]",
			       (uint64_t)n, n == 1 ? "" : "s", bs_stream_name(d->stream_id),
			       who[kind], before ? " before this reader started" : "");
		if (before)
			msg->flags |= BPF_STREAM_MSG_F_EARLIER;
		if (kind == BS_DROP_OVERSIZE)
			msg->flags |= BPF_STREAM_MSG_F_OVERSIZE;
		msg->dropped = n;
	}
	msg->prog_id = d->prog_id;
	msg->prog_name = prog_name ? prog_name : "";
	msg->stream_id = d->stream_id;
	msg->text = buf;
	msg->len = len < 0 ? 0 : len < BS_DROP_NOTICE_MAX ? (size_t)len : BS_DROP_NOTICE_MAX - 1;
	return true;
}

int bs_drain_src_lines(const struct bs_stream_src *src, bpf_stream_msg_fn fn, void *ctx,
		       int *lines)
{
	struct line_ctx lc = { .src = src, .fn = fn, .ctx = ctx };
	struct bs_source_meta meta;
	struct bs_framer *f;
	char buf[BS_DRAIN_BUF];
	int ret, n, read_err = 0;
	size_t total = 0;
	struct bs_drops drops;
	struct bpf_stream_msg msg;
	char text[BS_DROP_NOTICE_MAX];

	f = bs_pending_take(src->prog_id, src->stream_id);
	if (!f)
		return bs_err(-ENOMEM);

	/* A ring read sets meta.limit (what was queued when the drain began)
	 * and the drain ends there; a native stream holds at most its
	 * capacity, BS_DRAIN_MAX_BYTES bounds a stream refilled as it is read. */
	memset(&meta, 0, sizeof(meta));
	ret = bs_framer__resume(f, deliver_line, &lc);
	while (!ret && (meta.limit || total < BS_DRAIN_MAX_BYTES)) {
		bs_source_meta__next(&meta);
		n = src->read(src->read_ctx, buf, sizeof(buf), &meta);
		if (n <= 0) {
			read_err = n;
			break;
		}
		total += n;
		struct bs_chunk c = { .data = buf, .len = n, .ts_ns = meta.ts_ns, .flags = meta.flags };

		ret = bs_framer__push(f, &c, deliver_line, &lc);
	}
	/* The end of what is queued now: hand out a trailing partial line
	 * (not when the budget ran out: the line may go on in the stream). */
	if (!ret && !read_err && (meta.limit || total < BS_DRAIN_MAX_BYTES))
		ret = bs_framer__flush(f, deliver_line, &lc);
	bs_pending_put(src->prog_id, src->stream_id, f);
	*lines = lc.lines;
	if (ret)
		return ret < 0 ? bs_err(ret) : ret;
	/* A read error after lines went out ends the drain short; the error
	 * comes back on the next call. Before any line it is the result. */
	if (read_err < 0)
		return lc.lines ? 0 : bs_err(read_err);

	bs_src_drops(src, &drops);
	while (bs_drops_next(&drops, &msg, text, src->prog_name)) {
		*lines = ++lc.lines;
		ret = fn(ctx, &msg);
		if (ret)
			return ret < 0 ? bs_err(ret) : ret;
	}
	return 0;
}

int bs_drain_src(const struct bs_stream_src *src, bpf_stream_msg_fn fn, void *ctx)
{
	int lines = 0, ret;

	ret = bs_drain_src_lines(src, fn, ctx, &lines);
	return ret ? ret : lines;
}

/* ---- the transport as a source ------------------------------------------ */

struct fd_src {
	int prog_fd;
	__u32 prog_id, stream_id;
};

static int fd_src_read(void *ctx, void *buf, size_t len, struct bs_source_meta *meta)
{
	struct fd_src *s = ctx;

	return bs_source_read(s->prog_fd, s->prog_id, s->stream_id, buf, len, meta);
}

static int drain_fd(int prog_fd, __u32 prog_id, const char *name, __u32 stream_id,
		    bpf_stream_msg_fn fn, void *ctx, int *lines)
{
	struct fd_src s = { .prog_fd = prog_fd, .prog_id = prog_id, .stream_id = stream_id };
	struct bs_stream_src src = {
		.read = fd_src_read,
		.read_ctx = &s,
		.prog_id = prog_id,
		.prog_name = name,
		.stream_id = stream_id,
	};

	return bs_drain_src_lines(&src, fn, ctx, lines);
}

int bpf_stream_drain(int prog_fd, __u32 stream_id, bpf_stream_msg_fn fn, void *ctx)
{
	char name[BS_NAME_MAX];
	struct bs_tport *t;
	__u32 prog_id;
	int err, lines = 0;

	if (!fn)
		return bs_err(-EINVAL);
	err = bs_prog_identify(prog_fd, &prog_id, name, sizeof(name));
	if (err)
		return bs_err(err);
	if (!bs_stream_id_valid(stream_id))
		return bs_err(-ENOENT);
	/* discovered now: the program's full name is known from then on */
	t = bs_tport__get(prog_fd, prog_id, NULL);
	bs_tport__put(t);
	bs_tport_prog_name(prog_id, name, sizeof(name));
	err = drain_fd(prog_fd, prog_id, name, stream_id, fn, ctx, &lines);
	return err ? err : lines;
}

int bpf_stream_drain_object(struct bpf_object *obj, bpf_stream_msg_fn fn, void *ctx)
{
	struct bpf_program *prog;
	int total = 0, err;

	if (!obj || !fn)
		return bs_err(-EINVAL);
	err = bs_object_check(obj);
	if (err)
		return bs_err(err);
	bpf_object__for_each_program(prog, obj) {
		int fd = bpf_program__fd(prog);
		const char *name = bpf_program__name(prog);
		__u32 prog_id, sid;
		int ret;

		if (fd < 0)
			continue; /* not loaded (autoload off) */
		ret = bs_prog_identify(fd, &prog_id, NULL, 0);
		if (ret)
			return bs_err(ret);
		for (sid = BPF_STDOUT; sid <= BPF_STDERR; sid++) {
			int lines = 0;

			ret = drain_fd(fd, prog_id, name, sid, fn, ctx, &lines);
			total += lines;
			if (ret)
				return ret;
		}
	}
	return total;
}
