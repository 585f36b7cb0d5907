// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf_stream_iter__*: the drain turned inside out. Each __next() frames
 * until one line is out (the framer stops after it and keeps the rest), so
 * the framing is exactly the drain's. Leftovers go back to the process-wide
 * pending state on __free(), for the next drain/iterator/reader.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "stream_internal.h"

#define BS_ITER_BUF 16384

struct bpf_stream_iter {
	struct bs_stream_src src;
	int prog_fd;			/* our dup, -1 for scripted sources */
	__u32 stream_id;
	char *name;
	struct bs_framer *f;
	struct bpf_stream_msg msg;
	bool got;
	char line[BPF_STREAM_LINE_MAX + 1];
	char notice[BS_DROP_NOTICE_MAX];
	char buf[BS_ITER_BUF];
};

static int take_one(void *ctx, const char *line, size_t len, __u64 ts_ns, __u32 flags)
{
	struct bpf_stream_iter *it = ctx;

	memcpy(it->line, line, len);
	it->line[len] = '\0';
	memset(&it->msg, 0, sizeof(it->msg));
	it->msg.prog_id = it->src.prog_id;
	it->msg.prog_name = it->name;
	it->msg.stream_id = it->src.stream_id;
	it->msg.text = it->line;
	it->msg.len = len;
	it->msg.ts_ns = ts_ns;
	it->msg.flags = flags;
	it->got = true;
	return 1; /* stop: one line per __next() */
}

static int iter_fd_read(void *ctx, void *buf, size_t len, struct bs_source_meta *meta)
{
	struct bpf_stream_iter *it = ctx;

	return bs_source_read(it->prog_fd, it->src.prog_id, it->stream_id, buf, len, meta);
}

static struct bpf_stream_iter *iter_alloc(const struct bs_stream_src *src, const char *name)
{
	struct bpf_stream_iter *it = calloc(1, sizeof(*it));

	if (!it)
		return NULL;
	it->prog_fd = -1;
	it->src = *src;
	it->stream_id = src->stream_id;
	it->name = strdup(name ? name : "");
	it->f = bs_pending_take(src->prog_id, src->stream_id);
	if (!it->name || !it->f) {
		free(it->name);
		bs_framer__free(it->f);
		free(it);
		return NULL;
	}
	it->src.prog_name = it->name;
	return it;
}

struct bpf_stream_iter *bs_iter__new_src(const struct bs_stream_src *src)
{
	struct bpf_stream_iter *it = iter_alloc(src, src->prog_name);

	return it ? it : bs_err_ptr(-ENOMEM);
}

struct bpf_stream_iter *bpf_stream_iter__new(int prog_fd, __u32 stream_id,
					     const struct bpf_stream_iter_opts *opts)
{
	struct bs_stream_src src = { .read = iter_fd_read, .stream_id = stream_id };
	const char *name = NULL;
	char kname[BS_NAME_MAX];
	struct bpf_stream_iter *it;
	struct bs_tport *t;
	int err, fd;

	if (!OPTS_VALID(opts, bpf_stream_iter_opts))
		return bs_err_ptr(-EINVAL);
	err = bs_prog_identify(prog_fd, &src.prog_id, kname, sizeof(kname));
	if (err)
		return bs_err_ptr(err);
	if (!bs_stream_id_valid(stream_id))
		return bs_err_ptr(-ENOENT);
	name = OPTS_GET(opts, prog_name, NULL);
	if (!name) {
		t = bs_tport__get(prog_fd, src.prog_id, NULL);
		bs_tport__put(t);
		bs_tport_prog_name(src.prog_id, kname, sizeof(kname));
		name = kname;
	}
	fd = fcntl(prog_fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return bs_err_ptr(-errno);
	it = iter_alloc(&src, name);
	if (!it) {
		close(fd);
		return bs_err_ptr(-ENOMEM);
	}
	it->prog_fd = fd;
	it->src.read_ctx = it;
	return it;
}

static const struct bpf_stream_msg *iter_error(int err)
{
	errno = err < 0 ? -err : EIO;
	return NULL;
}

const struct bpf_stream_msg *bpf_stream_iter__next(struct bpf_stream_iter *it)
{
	struct bs_source_meta meta;
	struct bs_drops drops;
	int ret, n;

	if (!it)
		return iter_error(-EINVAL);
	it->got = false;
	ret = bs_framer__resume(it->f, take_one, it);
	if (it->got)
		return &it->msg;
	if (ret)
		return iter_error(ret);
	memset(&meta, 0, sizeof(meta));
	for (;;) {
		bs_source_meta__next(&meta);
		n = it->src.read(it->src.read_ctx, it->buf, sizeof(it->buf), &meta);
		if (n < 0)
			return iter_error(n);
		if (n == 0)
			break;
		struct bs_chunk c = { .data = it->buf, .len = n, .ts_ns = meta.ts_ns,
				      .flags = meta.flags };

		ret = bs_framer__push(it->f, &c, take_one, it);
		if (it->got)
			return &it->msg;
		if (ret)
			return iter_error(ret);
	}
	/* End of what is queued now: the trailing partial line, then drops. */
	ret = bs_framer__flush(it->f, take_one, it);
	if (it->got)
		return &it->msg;
	if (ret)
		return iter_error(ret);
	/* one notice per call; the next call looks again */
	bs_src_drops(&it->src, &drops);
	if (bs_drops_next(&drops, &it->msg, it->notice, it->name))
		return &it->msg;
	errno = 0;
	return NULL;
}

void bpf_stream_iter__free(struct bpf_stream_iter *it)
{
	int saved = errno;

	if (!it)
		return;
	bs_pending_put(it->src.prog_id, it->stream_id, it->f);
	if (it->prog_fd >= 0)
		close(it->prog_fd);
	free(it->name);
	free(it);
	errno = saved;
}
