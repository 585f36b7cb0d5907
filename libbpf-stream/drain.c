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
	char path[64], target[64];
	ssize_t n;

	if (prog_fd < 0 || fcntl(prog_fd, F_GETFD) < 0)
		return -EBADF;
	/* BPF_OBJ_GET_INFO_BY_FD answers for maps, links and BTF too (in
	 * their own layout), so ask the fd's inode what it is. Without /proc
	 * the info call below is the only check. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", prog_fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = '\0';
		if (strcmp(target, "anon_inode:bpf-prog") != 0)
			return -EINVAL;
	}
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

void bs_drop_notice_msg(struct bpf_stream_msg *msg, char *buf, size_t buf_sz, __u32 prog_id,
			const char *prog_name, __u32 stream_id, __u64 dropped)
{
	int n = snprintf(buf, buf_sz, "[%" PRIu64 " message%s dropped on %s]", (uint64_t)dropped,
			 dropped == 1 ? "" : "s", bs_stream_name(stream_id));

	memset(msg, 0, sizeof(*msg));
	msg->prog_id = prog_id;
	msg->prog_name = prog_name ? prog_name : "";
	msg->stream_id = stream_id;
	msg->text = buf;
	msg->len = n < 0 ? 0 : (size_t)n < buf_sz ? (size_t)n : buf_sz - 1;
	msg->flags = BPF_STREAM_MSG_F_DROP_NOTICE;
	msg->dropped = dropped;
}

/* Drops of the prepared object that owns the program, since last reported. */
__u64 bs_src_drops(const struct bs_stream_src *src)
{
	struct bs_object *o;
	__u64 now;

	if (src->dropped) {
		if (src->dropped(src->read_ctx, &now))
			return 0;
		return bs_pending_drop_delta(src->read_ctx, src->stream_id, now);
	}
	o = bs_object_find_prog(src->prog_id);
	if (!o || bs_object_dropped(o, src->stream_id, &now))
		return 0;
	return bs_pending_drop_delta(o, src->stream_id, now);
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
	__u64 dropped;

	f = bs_pending_take(src->prog_id, src->stream_id);
	if (!f)
		return bs_err(-ENOMEM);

	ret = bs_framer_resume(f, deliver_line, &lc);
	while (!ret && total < BS_DRAIN_MAX_BYTES) {
		memset(&meta, 0, sizeof(meta));
		n = src->read(src->read_ctx, buf, sizeof(buf), &meta);
		if (n <= 0) {
			read_err = n;
			break;
		}
		total += n;
		struct bs_chunk c = { .data = buf, .len = n, .ts_ns = meta.ts_ns, .flags = meta.flags };

		ret = bs_framer_push(f, &c, deliver_line, &lc);
	}
	/* The end of what is queued now: hand out a trailing partial line
	 * (not when the budget ran out: the line may go on in the stream). */
	if (!ret && !read_err && total < BS_DRAIN_MAX_BYTES)
		ret = bs_framer_flush(f, deliver_line, &lc);
	bs_pending_put(src->prog_id, src->stream_id, f);
	*lines = lc.lines;
	if (ret)
		return ret < 0 ? bs_err(ret) : ret;
	/* A read error after lines went out ends the drain short; the error
	 * comes back on the next call. Before any line it is the result. */
	if (read_err < 0)
		return lc.lines ? 0 : bs_err(read_err);

	dropped = bs_src_drops(src);
	if (dropped) {
		struct bpf_stream_msg msg;
		char text[64];

		bs_drop_notice_msg(&msg, text, sizeof(text), src->prog_id, src->prog_name,
				   src->stream_id, dropped);
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
	char kname[16 + 1];
	const char *name = kname;
	struct bs_object *o;
	__u32 prog_id;
	int err, lines = 0;

	if (!fn)
		return bs_err(-EINVAL);
	err = bs_prog_identify(prog_fd, &prog_id, kname, sizeof(kname));
	if (err)
		return bs_err(err);
	if (!bs_stream_id_valid(stream_id))
		return bs_err(-ENOENT);
	o = bs_object_find_prog(prog_id);
	if (o && bs_object_prog_name(o, prog_id))
		name = bs_object_prog_name(o, prog_id);
	err = drain_fd(prog_fd, prog_id, name, stream_id, fn, ctx, &lines);
	return err ? err : lines;
}

int bpf_stream_drain_object(struct bpf_object *obj, bpf_stream_msg_fn fn, void *ctx)
{
	struct bpf_program *prog;
	struct bs_object *o;
	int total = 0;

	if (!obj || !fn)
		return bs_err(-EINVAL);
	o = bs_object_adopt(obj);
	bpf_object__for_each_program(prog, obj) {
		int fd = bpf_program__fd(prog);
		const char *name = NULL;
		__u32 prog_id, sid;
		int ret;

		if (fd < 0)
			continue; /* not loaded (autoload off) */
		ret = bs_prog_identify(fd, &prog_id, NULL, 0);
		if (ret)
			return bs_err(ret);
		if (o)
			name = bs_object_prog_name(o, prog_id);
		if (!name)
			name = bpf_program__name(prog);
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
