// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf_stream_reader__*: follow both streams of many programs, like libbpf's
 * ring_buffer__new/__add/__poll/__consume/__free.
 *
 * One poll cycle drains every followed stream in the order they were added
 * (stdout before stderr), so callbacks see one merged order, arrival order
 * within each stream. With order_by_time the lines of one cycle are instead
 * sorted by a key per line: the largest ts_ns seen so far on its stream (so
 * a line without a stamp, or with a stamp older than its stream's last one,
 * keeps its place after the line before it), ties in the order read.
 *
 * Waiting. Where the kernel has Linux 7.4's stream file descriptors (opened
 * non-blocking, accepted only after stream_fd.c's probe of the whole
 * contract, once per process), a program read natively (no bpf_stream.h instance, or a
 * native-transport one) is followed through one stream fd per stream: the
 * fds join the poll set, reads go through them, and the reader keeps no
 * reference on the program. POLLIN wakes the reader; POLLHUP (read gives
 * end of file) means the program was freed: its partial line is delivered
 * UNTERMINATED and the program is no longer followed. When every followed
 * stream has such an fd and no partial line is held, the reader sleeps
 * until an fd is ready, the timeout ends or a signal arrives: no timed
 * wake-ups. Anything else (kernels without the command, ring-transport
 * objects, scripted sources) keeps the adaptive sleep: 1 ms after a
 * cycle that delivered lines, doubling while idle up to idle_max_ms. Ring
 * buffer maps of ringbuf-transport objects are in the poll set, so their
 * data wakes the reader at once. An fd that wakes the reader twice in a
 * row for no line (a writer charges the stream a moment before its message
 * is readable) is left out until a line arrives, so it cannot make the
 * reader spin. A signal that arrives during the wait (a ppoll()) ends it
 * with -EINTR. With opts.mask_signals the wait's signal mask is the
 * caller's while every other moment of __poll() runs with the signals the
 * process has handlers for blocked: such a signal arriving anywhere in
 * __poll(), even inside a callback, then ends the wait at once; none is
 * lost between a check and the sleep (block_handled_signals() says what
 * that costs). __epoll_fd() puts the same set, and a timerfd for the
 * adaptive sleep, into the caller's event loop. Each stream gives at most
 * RD_CYCLE_MAX_BYTES per cycle, so a stream refilled as fast as it is read
 * cannot hold the reader.
 *
 * Partial lines: a trailing line without '\n' is held across cycles and
 * delivered (UNTERMINATED) by the first cycle that finds no new bytes on its
 * stream. Leftovers go back to the process-wide pending state when a program
 * is removed or the reader freed.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <bpf/bpf.h>
#include "stream_internal.h"
#include "stream_fd.h"

#define RD_BUF 16384
#define RD_MIN_SLEEP_MS 1
#define RD_DEFAULT_IDLE_MAX_MS 200
/* An idle cycle that reads many streams (a `follow all` of 1,000 programs
 * makes 2,000 reads) costs milliseconds: while idle the reader sleeps at
 * least RD_IDLE_COST_FACTOR times as long as its last idle cycle took, so
 * idling costs at most about 2% of a CPU, up to RD_IDLE_COST_MAX_MS. */
#define RD_IDLE_COST_FACTOR 50
#define RD_IDLE_COST_MAX_MS 2000
#define RD_MAX_RING_FDS 64
/* poll set: ring epoll fds, then stream fds; streams beyond it fall back to
 * timed polling */
#define RD_MAX_POLL_FDS 256
/* Bytes read from one stream per cycle: fairness between streams, and a
 * bound when a stream refills as fast as it is read. */
#define RD_CYCLE_MAX_BYTES (256U << 10)

struct rd_prog;

struct rd_stream {
	struct rd_prog *prog;
	struct bs_stream_src src;
	bool enabled;
	struct bs_framer *f;
	struct bpf_stream_report_parser *rp;	/* with report_fn */
	__u64 last_key;				/* order_by_time: last sort key */
	int sfd;	/* pollable stream fd (stream_fd.h), or -1 */
	bool hup;	/* sfd read gave end of file: the program is gone */
};

struct rd_prog {
	int fd;			/* our dup; -1 for scripted sources and stream fds */
	__u32 id;
	char *name;
	struct rd_stream st[2];	/* [0] stdout, [1] stderr */
	struct bs_srcline srcline;	/* call sites' source lines (srcline.c) */
};

struct rd_line {
	struct bpf_stream_msg msg;	/* text points into the line's own copy */
	__u64 key;
	size_t seq;
	struct rd_prog *prog;	/* lives until the line is delivered, like msg.prog_name */
	__u32 insn1;		/* call site (bs_source_meta.insn1) */
};

struct bpf_stream_reader {
	bpf_stream_msg_fn fn;
	void *ctx;
	bpf_stream_report_fn report_fn;
	void *report_ctx;
	int idle_max_ms;
	bool order_by_time;
	bool take_over;
	bool mask_signals;	/* opts.mask_signals: see do_poll() */
	struct rd_prog **progs;
	size_t nr_progs, cap_progs;
	int sleep_ms;
	long long idle_cycle_ns;	/* how long the last cycle that found nothing took */
	bool idle_fixed;		/* BPF_STREAM_IDLE=fixed: cap idle_max_ms, whatever the cost */
	int ring_misses;	/* fd wake-ups (ring or stream) that gave no line */
	__u64 cycles;		/* cycles run (bs_reader__cycles) */
	/* order_by_time: lines of the cycle; [next_line, nr_lines) not delivered */
	struct rd_line *lines;
	size_t nr_lines, cap_lines, next_line;
	/* while a cycle runs */
	int cycle_lines;
	struct rd_stream *cur;
	__u32 cur_insn1;	/* call site of the bytes being framed */
	/* __epoll_fd(): created on first call, -1 before */
	int epfd;
	int tfd;		/* timerfd of the adaptive sleep, in epfd */
	bool ep_timed;		/* the set needs timed wake-ups (tfd armed) */
	bool ep_dirty;		/* programs changed: rebuild the set */
	int ep_fds[RD_MAX_POLL_FDS];	/* ring and stream fds in epfd */
	int nr_ep_fds;
	char buf[RD_BUF];
};

/* ---- setup ------------------------------------------------------------- */

struct bpf_stream_reader *bpf_stream_reader__new(bpf_stream_msg_fn fn, void *ctx,
						 const struct bpf_stream_reader_opts *opts)
{
	struct bpf_stream_reader *r;

	if (!fn || !OPTS_VALID(opts, bpf_stream_reader_opts))
		return bs_err_ptr(-EINVAL);
	if (OPTS_GET(opts, idle_max_ms, 0) < 0)
		return bs_err_ptr(-EINVAL);
	r = calloc(1, sizeof(*r));
	if (!r)
		return bs_err_ptr(-ENOMEM);
	r->fn = fn;
	r->ctx = ctx;
	r->report_fn = OPTS_GET(opts, report_fn, NULL);
	r->report_ctx = OPTS_GET(opts, report_ctx, NULL);
	r->idle_max_ms = OPTS_GET(opts, idle_max_ms, 0) ?: RD_DEFAULT_IDLE_MAX_MS;
	r->order_by_time = OPTS_GET(opts, order_by_time, false);
	r->take_over = OPTS_GET(opts, take_over, false);
	r->mask_signals = OPTS_GET(opts, mask_signals, false);
	r->sleep_ms = RD_MIN_SLEEP_MS;
	/* a cap the caller chose is kept, whatever a cycle costs */
	r->idle_fixed = OPTS_GET(opts, idle_max_ms, 0) > 0 ||
			(getenv("BPF_STREAM_IDLE") && !strcmp(getenv("BPF_STREAM_IDLE"), "fixed"));
	r->epfd = r->tfd = -1;
	return r;
}

static int rd_fd_read(void *ctx, void *buf, size_t len, struct bs_source_meta *meta)
{
	struct rd_stream *s = ctx;

	return bs_source_read(s->prog->fd, s->prog->id, s->src.stream_id, buf, len, meta);
}

/* One read of a stream fd: bytes, 0 (empty now, or gone: s->hup), -errno. */
static int rd_sfd_read(void *ctx, void *buf, size_t len, struct bs_source_meta *meta)
{
	struct rd_stream *s = ctx;
	ssize_t n;

	bs_source_meta__next(meta);
	if (s->hup)
		return 0;
	n = read(s->sfd, buf, len);
	if (n > 0)
		return (int)n;
	if (n == 0) {
		s->hup = true;
		return 0;
	}
	return errno == EAGAIN || errno == EINTR ? 0 : -errno;
}

static void prog_free(struct rd_prog *p)
{
	int i;

	if (!p)
		return;
	for (i = 0; i < 2; i++) {
		struct rd_stream *s = &p->st[i];

		if (s->f)
			bs_pending_put(p->id, s->src.stream_id, s->f);
		bpf_stream_report_parser__free(s->rp);
		if (s->sfd >= 0)
			close(s->sfd);
	}
	if (p->fd >= 0)
		close(p->fd);
	bs_srcline__clear(&p->srcline);
	free(p->name);
	free(p);
}

static struct rd_prog *find_prog(struct bpf_stream_reader *r, __u32 id, size_t *idx)
{
	size_t i;

	for (i = 0; i < r->nr_progs; i++) {
		if (r->progs[i]->id == id) {
			if (idx)
				*idx = i;
			return r->progs[i];
		}
	}
	return NULL;
}

static int on_report(void *ctx, const struct bpf_stream_report *rep)
{
	struct bpf_stream_reader *r = ctx;

	return r->report_fn(r->report_ctx, rep);
}

static int stream_enable(struct bpf_stream_reader *r, struct rd_prog *p, __u32 stream_id)
{
	struct rd_stream *s = &p->st[stream_id - 1];

	s->prog = p;
	s->enabled = true;
	s->src.prog_id = p->id;
	s->src.prog_name = p->name;
	s->src.stream_id = stream_id;
	s->f = bs_pending_take(p->id, stream_id);
	if (!s->f)
		return -ENOMEM;
	/* stderr: the kernel's reports; stdout: bpf_stream_print_stack()'s stacks */
	if (r->report_fn) {
		s->rp = bpf_stream_report_parser__new(on_report, r);
		if (!s->rp)
			return -ENOMEM;
	}
	return 0;
}

static struct rd_prog *prog_new(__u32 id)
{
	struct rd_prog *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->fd = -1;
	p->id = id;
	p->st[0].sfd = p->st[1].sfd = -1;
	return p;
}

static int prog_append(struct bpf_stream_reader *r, struct rd_prog *p)
{
	if (r->nr_progs == r->cap_progs) {
		size_t cap = r->cap_progs ? r->cap_progs * 2 : 8;
		struct rd_prog **n = realloc(r->progs, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		r->progs = n;
		r->cap_progs = cap;
	}
	r->progs[r->nr_progs++] = p;
	r->ep_dirty = true;
	return 0;
}

/* Follow prog_fd (duplicated) under @name (NULL: object's or kernel's). */
static int add_fd(struct bpf_stream_reader *r, int prog_fd, __u32 streams, const char *name)
{
	char kname[BS_NAME_MAX];
	struct bs_tport *t;
	struct rd_prog *p;
	bool native;
	__u32 id, sid;
	int err;

	if (!r)
		return -EINVAL;
	if (!streams)
		streams = BPF_STREAM_MASK_ALL;
	if (streams & ~(__u32)BPF_STREAM_MASK_ALL)
		return -EINVAL;
	err = bs_prog_identify(prog_fd, &id, kname, sizeof(kname));
	if (err)
		return err;
	if (find_prog(r, id, NULL))
		return -EEXIST;
	/* read natively: no bpf_stream.h instance, or a native-transport one */
	t = bs_tport__get(prog_fd, id, NULL);
	native = !t || bs_tport__transport(t) == BPF_STREAM_TRANSPORT_NATIVE;
	if (t && r->take_over)
		bs_tport__take_over(t);
	/* another process reads these native streams: reading would take its lines */
	err = t && bs_tport__role(t) == BS_ROLE_REFUSED ? -EBUSY : 0;
	bs_tport__put(t);
	if (err)
		return err;
	if (!name)
		bs_tport_prog_name(id, kname, sizeof(kname));
	p = prog_new(id);
	if (!p)
		return -ENOMEM;
	p->name = strdup(name ? name : kname);
	if (!p->name) {
		err = -ENOMEM;
		goto err_out;
	}
	/* A stream fd per stream where the kernel has them, else our dup of
	 * the program; never a mix within one program. */
	for (sid = BPF_STDOUT; native && sid <= BPF_STDERR; sid++) {
		struct rd_stream *s = &p->st[sid - 1];

		if (!(streams & (1U << sid)) || !bs_stream_fd_available())
			continue;
		s->sfd = bs_stream_get_fd(prog_fd, sid);
		if (s->sfd < 0) {
			pr_debug("program %u: no stream fd for %s (%d), adaptive polling\n", id,
				 bs_stream_name(sid), s->sfd);
			native = false;
		}
	}
	for (sid = BPF_STDOUT; !native && sid <= BPF_STDERR; sid++) {
		if (p->st[sid - 1].sfd >= 0)
			close(p->st[sid - 1].sfd);
		p->st[sid - 1].sfd = -1;
	}
	if (p->st[0].sfd < 0 && p->st[1].sfd < 0) {
		p->fd = fcntl(prog_fd, F_DUPFD_CLOEXEC, 3);
		if (p->fd < 0) {
			err = -errno;
			goto err_out;
		}
	}
	for (sid = BPF_STDOUT; sid <= BPF_STDERR; sid++) {
		struct rd_stream *s = &p->st[sid - 1];

		if (!(streams & (1U << sid)))
			continue;
		s->src.read = s->sfd >= 0 ? rd_sfd_read : rd_fd_read;
		s->src.read_ctx = s;
		err = stream_enable(r, p, sid);
		if (err)
			goto err_out;
	}
	err = prog_append(r, p);
	if (err)
		goto err_out;
	return 0;
err_out:
	prog_free(p);
	return err;
}

static int ep_sync(struct bpf_stream_reader *r);

/* After programs came or went: the caller's epoll set follows. */
static int ep_after(struct bpf_stream_reader *r, int ret)
{
	int err;

	if (ret < 0 || !r || r->epfd < 0)
		return ret;
	err = ep_sync(r);
	return err ? err : ret;
}

int bpf_stream_reader__add_prog(struct bpf_stream_reader *r, int prog_fd, __u32 streams)
{
	return bs_err(ep_after(r, add_fd(r, prog_fd, streams, NULL)));
}

int bpf_stream_reader__add_id(struct bpf_stream_reader *r, __u32 prog_id, __u32 streams)
{
	int fd, err;

	if (!r)
		return bs_err(-EINVAL);
	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return bs_err(-errno);
	err = add_fd(r, fd, streams, NULL);
	close(fd);
	return bs_err(ep_after(r, err));
}

int bpf_stream_reader__add_object(struct bpf_stream_reader *r, struct bpf_object *obj,
				  __u32 streams)
{
	struct bpf_program *prog;
	int added = 0, err;

	if (!r || !obj)
		return bs_err(-EINVAL);
	err = bs_object_check(obj);
	if (err)
		return bs_err(err);
	bpf_object__for_each_program(prog, obj) {
		int fd = bpf_program__fd(prog);

		if (fd < 0)
			continue; /* not loaded */
		err = add_fd(r, fd, streams, bpf_program__name(prog));
		if (err == -EEXIST)
			continue;
		if (err) {
			ep_after(r, 0);
			return bs_err(err);
		}
		added++;
	}
	return bs_err(ep_after(r, added));
}

int bs_reader__add_src(struct bpf_stream_reader *r, const struct bs_stream_src *src)
{
	struct rd_prog *p;
	struct rd_stream *s;
	bool created = false;
	int err;

	if (!r || !src || !src->read || !bs_stream_id_valid(src->stream_id))
		return -EINVAL;
	p = find_prog(r, src->prog_id, NULL);
	if (!p) {
		p = prog_new(src->prog_id);
		if (!p)
			return -ENOMEM;
		p->name = strdup(src->prog_name ? src->prog_name : "");
		if (!p->name) {
			free(p);
			return -ENOMEM;
		}
		created = true;
	}
	s = &p->st[src->stream_id - 1];
	if (s->enabled)
		return -EEXIST;
	s->src = *src;
	err = stream_enable(r, p, src->stream_id);
	if (!err && created)
		err = prog_append(r, p);
	if (err && created)
		prog_free(p);
	return err;
}

int bpf_stream_reader__remove_id(struct bpf_stream_reader *r, __u32 prog_id)
{
	struct rd_prog *p;
	size_t i;

	if (!r)
		return bs_err(-EINVAL);
	p = find_prog(r, prog_id, &i);
	if (!p)
		return bs_err(-ENOENT);
	memmove(&r->progs[i], &r->progs[i + 1], (r->nr_progs - i - 1) * sizeof(*r->progs));
	r->nr_progs--;
	r->ep_dirty = true;
	prog_free(p);
	return bs_err(ep_after(r, 0));
}

static void lines_clear(struct bpf_stream_reader *r)
{
	size_t i;

	for (i = 0; i < r->nr_lines; i++)
		free((char *)r->lines[i].msg.text);
	r->nr_lines = r->next_line = 0;
}

void bpf_stream_reader__free(struct bpf_stream_reader *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nr_progs; i++)
		prog_free(r->progs[i]);
	free(r->progs);
	lines_clear(r);
	free(r->lines);
	if (r->tfd >= 0)
		close(r->tfd);
	if (r->epfd >= 0)
		close(r->epfd);
	free(r);
}

/* ---- one cycle ---------------------------------------------------------- */

static int collect(struct bpf_stream_reader *r, const struct bpf_stream_msg *msg)
{
	struct rd_stream *s = r->cur;
	struct rd_line *l;
	char *copy;

	if (r->nr_lines == r->cap_lines) {
		size_t cap = r->cap_lines ? r->cap_lines * 2 : 64;
		struct rd_line *n = realloc(r->lines, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		r->lines = n;
		r->cap_lines = cap;
	}
	copy = malloc(msg->len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, msg->text, msg->len);
	copy[msg->len] = '\0';
	l = &r->lines[r->nr_lines];
	l->msg = *msg;
	l->msg.text = copy;
	/* the key never goes back on a stream: its own order is kept */
	if (msg->ts_ns > s->last_key)
		s->last_key = msg->ts_ns;
	l->key = s->last_key;
	l->seq = r->nr_lines;
	l->prog = s->prog;
	l->insn1 = r->cur_insn1;
	r->nr_lines++;
	return 0;
}

/* The callback, told which call site the message came from (for
 * bpf_stream_journal_print()'s CODE_ fields). */
static int deliver(struct bpf_stream_reader *r, const struct bpf_stream_msg *msg,
		   struct rd_prog *p, __u32 insn1)
{
	int ret;

	if (!insn1)
		return r->fn(r->ctx, msg);
	bs_msg_cur_set(msg, &p->srcline, p->fd, insn1);
	ret = r->fn(r->ctx, msg);
	bs_msg_cur_set(NULL, NULL, -1, 0);
	return ret;
}

/* A message of the current stream: through the report parser, then out. */
static int emit_msg(struct bpf_stream_reader *r, struct bpf_stream_msg *msg)
{
	struct rd_stream *s = r->cur;
	bool in_report = false;
	int ret;

	if (s->rp) {
		ret = bs_report_parser__push(s->rp, msg, &in_report);
		if (ret)
			return ret;
		if (in_report)
			msg->flags |= BPF_STREAM_MSG_F_KERNEL;
	}
	if (r->order_by_time)
		return collect(r, msg);
	r->cycle_lines++;
	return deliver(r, msg, s->prog, r->cur_insn1);
}

static int rd_line(void *ctx, const char *line, size_t len, __u64 ts_ns, __u32 flags)
{
	struct bpf_stream_reader *r = ctx;
	struct rd_stream *s = r->cur;
	struct bpf_stream_msg msg = {
		.prog_id = s->prog->id,
		.prog_name = s->prog->name,
		.stream_id = s->src.stream_id,
		.text = line,
		.len = len,
		.ts_ns = ts_ns,
		.flags = flags,
	};

	return emit_msg(r, &msg);
}

static int drain_stream(struct bpf_stream_reader *r, struct rd_stream *s)
{
	struct bs_source_meta meta;
	struct bpf_stream_msg msg;
	char text[BS_DROP_NOTICE_MAX];
	struct bs_drops drops;
	bool got_bytes = false;
	size_t total = 0;
	int ret, n;

	r->cur = s;
	r->cur_insn1 = 0;
	ret = bs_framer__resume(s->f, rd_line, r);
	/* a ring read bounds the cycle by what was queued at its start
	 * (meta.limit); other streams by RD_CYCLE_MAX_BYTES */
	memset(&meta, 0, sizeof(meta));
	while (!ret && (meta.limit || total < RD_CYCLE_MAX_BYTES)) {
		bs_source_meta__next(&meta);
		n = s->src.read(s->src.read_ctx, r->buf, sizeof(r->buf), &meta);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		got_bytes = true;
		total += n;
		r->cur_insn1 = meta.insn1;
		struct bs_chunk c = { .data = r->buf, .len = n, .ts_ns = meta.ts_ns,
				      .flags = meta.flags };

		ret = bs_framer__push(s->f, &c, rd_line, r);
	}
	if (ret)
		return ret;
	/* A partial line waits one cycle for its end, no longer; none comes
	 * once the program is gone. */
	if ((!got_bytes || s->hup) && bs_framer__has_partial(s->f)) {
		ret = bs_framer__flush(s->f, rd_line, r);
		if (ret)
			return ret;
	}
	r->cur_insn1 = 0;
	bs_src_drops(&s->src, &drops);
	while (bs_drops_next(&drops, &msg, text, s->prog->name)) {
		ret = emit_msg(r, &msg);
		if (ret)
			return ret;
	}
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	const struct rd_line *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Deliver collected lines; on a stop the rest waits for the next cycle. */
static int deliver_collected(struct bpf_stream_reader *r)
{
	int ret;

	while (r->next_line < r->nr_lines) {
		struct rd_line *l = &r->lines[r->next_line++];

		r->cycle_lines++;
		ret = deliver(r, &l->msg, l->prog, l->insn1);
		if (ret)
			return ret;
	}
	lines_clear(r);
	return 0;
}

/* Stop following programs whose stream fds all hung up, once everything
 * they gave was delivered. */
static void reap_gone(struct bpf_stream_reader *r)
{
	size_t i = 0;
	int k, live;

	while (i < r->nr_progs) {
		struct rd_prog *p = r->progs[i];

		for (k = 0, live = 0; k < 2; k++) {
			struct rd_stream *s = &p->st[k];

			/* leftover: queued bytes or a partial line */
			if (s->enabled && (!s->hup || bs_framer__has_leftover(s->f)))
				live++;
		}
		if (live || p->fd >= 0 || (p->st[0].sfd < 0 && p->st[1].sfd < 0)) {
			i++;
			continue;
		}
		pr_debug("program %u (%s) is gone: no longer followed\n", p->id, p->name);
		memmove(&r->progs[i], &r->progs[i + 1],
			(r->nr_progs - i - 1) * sizeof(*r->progs));
		r->nr_progs--;
		r->ep_dirty = true;
		prog_free(p);
	}
}

static int cycle(struct bpf_stream_reader *r)
{
	size_t i, first;
	int ret, k;

	r->cycle_lines = 0;
	if (r->order_by_time && r->next_line < r->nr_lines) {
		ret = deliver_collected(r);
		if (ret)
			return ret;
	}
	first = r->nr_lines;
	for (i = 0; i < r->nr_progs; i++) {
		for (k = 0; k < 2; k++) {
			struct rd_stream *s = &r->progs[i]->st[k];

			if (!s->enabled)
				continue;
			ret = drain_stream(r, s);
			if (ret)
				return ret;
		}
	}
	if (r->order_by_time) {
		/* nothing collected: r->lines may still be NULL (UB for qsort) */
		if (r->nr_lines > first)
			qsort(r->lines + first, r->nr_lines - first, sizeof(*r->lines), cmp_line);
		ret = deliver_collected(r);
		if (ret)
			return ret;
	}
	reap_gone(r);
	return 0;
}

/* ---- waiting ------------------------------------------------------------ */

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int ring_fds(struct bpf_stream_reader *r, struct pollfd *pfd, int max)
{
	int n = 0, fd, j;
	size_t i;

	for (i = 0; i < r->nr_progs && n < max; i++) {
		struct bs_tport *t;

		if (r->progs[i]->fd < 0)
			continue;
		/* the fd lives while the instance is listed (until release) */
		t = bs_tport__get(r->progs[i]->fd, r->progs[i]->id, NULL);
		fd = t ? bs_tport__epoll_fd(t) : -1;
		bs_tport__put(t);
		if (fd < 0)
			continue;
		for (j = 0; j < n && pfd[j].fd != fd; j++)
			;
		if (j < n)
			continue;
		pfd[n].fd = fd;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		n++;
	}
	return n;
}

/*
 * The poll set after @n ring fds: the stream fds of live streams. *timed:
 * some stream needs a timed wake-up (no stream fd, a partial line to flush,
 * fds left out or beyond the set), so the adaptive sleep applies.
 */
static int stream_fds(struct bpf_stream_reader *r, struct pollfd *pfd, int n, int max,
		      bool fds_out, bool *timed)
{
	size_t i;
	int k;

	*timed = fds_out || !r->nr_progs;
	for (i = 0; i < r->nr_progs; i++) {
		for (k = 0; k < 2; k++) {
			struct rd_stream *s = &r->progs[i]->st[k];

			if (!s->enabled || s->hup)
				continue;
			if (s->sfd < 0 || n == max || bs_framer__has_partial(s->f)) {
				*timed = true;
				if (s->sfd < 0 || n == max)
					continue;
			}
			if (fds_out)
				continue;
			pfd[n].fd = s->sfd;
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			n++;
		}
	}
	return n;
}

/*
 * opts.mask_signals: block, for the time of one __poll(), the asynchronous
 * signals the process handles with a handler: their arrival anywhere in
 * __poll() (a callback included) then ends the ppoll() wait at once, where
 * without the mask a handler that ran during a cycle is only seen when the
 * next wait ends (the adaptive sleep, at most idle_max_ms, or the caller's
 * timeout; a reader of stream fds only with timeout -1 waits for a line).
 * It costs one sigaction() query per signal number (22) and two
 * pthread_sigmask() per waiting __poll(), hence opt-in. Signals left at
 * their default action (SIGTERM kills at once, also inside a callback
 * blocked in write()), ignored ones, SIGPIPE and synchronous faults are
 * never blocked.
 */
static void block_handled_signals(sigset_t *old)
{
	struct sigaction sa;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	for (sig = 1; sig < 32; sig++) {
		switch (sig) {
		case SIGKILL: case SIGSTOP: case SIGPIPE: case SIGSEGV: case SIGBUS:
		case SIGFPE: case SIGILL: case SIGTRAP: case SIGSYS:
			continue;
		}
		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler != SIG_DFL &&
		    sa.sa_handler != SIG_IGN)
			sigaddset(&set, sig);
	}
	pthread_sigmask(SIG_BLOCK, &set, old);
}

/* One cycle: lines delivered (and the backoff reset), the callback's
 * non-zero value, -errno, or 0 when nothing arrived. */
static int cycle_once(struct bpf_stream_reader *r)
{
	long long t0 = now_ns();
	int ret = cycle(r);

	r->cycles++;
	if (!ret && r->cycle_lines) {
		r->sleep_ms = RD_MIN_SLEEP_MS;
		r->ring_misses = 0;
		ret = r->cycle_lines;
	} else if (!ret) {
		r->idle_cycle_ns = now_ns() - t0;
	}
	return ret;
}

/* The cap of the idle back-off: idle_max_ms, or more for a costly cycle. */
static int idle_cap_ms(const struct bpf_stream_reader *r)
{
	long long cost_ms = r->idle_cycle_ns * RD_IDLE_COST_FACTOR / 1000000;

	if (r->idle_fixed || cost_ms <= r->idle_max_ms)
		return r->idle_max_ms;
	return cost_ms < RD_IDLE_COST_MAX_MS ? (int)cost_ms : RD_IDLE_COST_MAX_MS;
}

/* ---- the caller's event loop: __epoll_fd() ------------------------------ */

/* The poll set as do_poll() would wait on it now; *timed as stream_fds(). */
static int wait_set(struct bpf_stream_reader *r, struct pollfd *pfd, bool *timed)
{
	bool fds_out = r->ring_misses >= 2;
	int n = fds_out ? 0 : ring_fds(r, pfd, RD_MAX_RING_FDS);

	return stream_fds(r, pfd, n, RD_MAX_POLL_FDS, fds_out, timed);
}

/*
 * Make the epoll set what a wait would poll now: the ring and stream fds,
 * and the timerfd armed for the adaptive sleep when some stream needs timed
 * wake-ups. A changed set (or changed programs: a closed fd's number may be
 * reused) is rebuilt whole; an unchanged one costs one timerfd_settime().
 */
static int ep_sync(struct bpf_stream_reader *r)
{
	struct pollfd pfd[RD_MAX_POLL_FDS];
	struct itimerspec its = {};
	struct epoll_event ev = { .events = EPOLLIN };
	bool timed, same;
	int i, n;

	if (r->epfd < 0)
		return 0;
	n = wait_set(r, pfd, &timed);
	same = !r->ep_dirty && n == r->nr_ep_fds;
	for (i = 0; same && i < n; i++)
		same = pfd[i].fd == r->ep_fds[i];
	if (!same) {
		for (i = 0; i < r->nr_ep_fds; i++) /* a closed fd is gone already */
			epoll_ctl(r->epfd, EPOLL_CTL_DEL, r->ep_fds[i], NULL);
		r->nr_ep_fds = 0;
		for (i = 0; i < n; i++) {
			ev.data.fd = pfd[i].fd;
			if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, pfd[i].fd, &ev) && errno != EEXIST)
				return -errno;
			r->ep_fds[r->nr_ep_fds++] = pfd[i].fd;
		}
		r->ep_dirty = false;
	}
	r->ep_timed = timed;
	if (timed) {
		its.it_value.tv_sec = r->sleep_ms / 1000;
		its.it_value.tv_nsec = (r->sleep_ms % 1000) * 1000000L;
	}
	/* one-shot; all zero disarms */
	if (timerfd_settime(r->tfd, 0, &its, NULL))
		return -errno;
	return 0;
}

/*
 * What woke the caller's loop, before a __consume() cycle: the timer
 * (read, so that it stops being ready) and/or a ring or stream fd.
 */
static void ep_woken(struct bpf_stream_reader *r, bool *timer, bool *fd)
{
	struct epoll_event ev[8];
	__u64 ticks;
	int i, n;

	*timer = *fd = false;
	n = epoll_wait(r->epfd, ev, 8, 0);
	for (i = 0; i < n; i++) {
		if (ev[i].data.fd == r->tfd)
			*timer = true;
		else
			*fd = true;
	}
	if (*timer && read(r->tfd, &ticks, sizeof(ticks)) < 0)
		*timer = false;
}

int bpf_stream_reader__epoll_fd(struct bpf_stream_reader *r)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int err;

	if (!r)
		return bs_err(-EINVAL);
	if (r->epfd >= 0)
		return r->epfd;
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r->epfd < 0)
		return bs_err(-errno);
	r->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (r->tfd < 0)
		goto err_out;
	ev.data.fd = r->tfd;
	if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->tfd, &ev))
		goto err_out;
	r->ep_dirty = true;
	err = ep_sync(r);
	if (err) {
		errno = -err;
		goto err_out;
	}
	return r->epfd;
err_out:
	err = -errno;
	if (r->tfd >= 0)
		close(r->tfd);
	close(r->epfd);
	r->epfd = r->tfd = -1;
	r->nr_ep_fds = 0;
	return bs_err(err);
}

/* __consume() where the caller waits on __epoll_fd(): the backoff of
 * do_poll()'s wait, driven by what woke the caller, then the set re-armed. */
static int ep_consume(struct bpf_stream_reader *r)
{
	bool timer, fd;
	int ret, err;

	ep_woken(r, &timer, &fd);
	ret = cycle_once(r);
	if (!ret && fd) {
		r->ring_misses++;
		r->sleep_ms = RD_MIN_SLEEP_MS;
	} else if (!ret && timer && r->ep_timed) {
		int cap = idle_cap_ms(r);

		r->sleep_ms = r->sleep_ms * 2 > cap ? cap : r->sleep_ms * 2;
	}
	err = ep_sync(r);
	return ret ? ret : err;
}

static int do_poll(struct bpf_stream_reader *r, int timeout_ms)
{
	struct pollfd pfd[RD_MAX_POLL_FDS];
	long long deadline = now_ns() + timeout_ms * 1000000LL;
	struct timespec ts;
	sigset_t old;
	long long wait;
	bool timed;
	int ret, n, nfds;

	/* No wait, no race with a signal: __consume() never masks. */
	if (timeout_ms == 0) {
		ret = r->epfd >= 0 ? ep_consume(r) : cycle_once(r);
		return ret < 0 ? bs_err(ret) : ret;
	}
	if (r->mask_signals)
		block_handled_signals(&old);
	for (;;) {
		ret = cycle_once(r);
		if (ret)
			break;
		/* Fds that woke us twice for nothing are left out until a
		 * line arrives again, so a busy ring cannot make us spin. */
		nfds = wait_set(r, pfd, &timed);
		/* only stream fds (and nothing held): sleep until one is ready */
		wait = timed ? r->sleep_ms * 1000000LL : -1;
		if (timeout_ms > 0) {
			long long left = deadline - now_ns();

			if (left <= 0)
				break;
			if (wait < 0 || left < wait)
				wait = left;
		}
		ts.tv_sec = wait / 1000000000LL;
		ts.tv_nsec = wait % 1000000000LL;
		n = ppoll(pfd, nfds, wait < 0 ? NULL : &ts, r->mask_signals ? &old : NULL);
		if (n < 0) {
			if (errno == EINTR) {
				ret = -EINTR;
				break;
			}
			ret = -errno;
			break;
		}
		if (n > 0) {
			r->ring_misses++;
			r->sleep_ms = RD_MIN_SLEEP_MS;
		} else if (timed) {
			int cap = idle_cap_ms(r);

			r->sleep_ms = r->sleep_ms * 2 > cap ? cap : r->sleep_ms * 2;
		}
	}
	if (r->mask_signals)
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r->epfd >= 0) {
		int err = ep_sync(r);

		if (!ret)
			ret = err;
	}
	return ret < 0 ? bs_err(ret) : ret;
}

int bpf_stream_reader__poll(struct bpf_stream_reader *r, int timeout_ms)
{
	if (!r)
		return bs_err(-EINVAL);
	return do_poll(r, timeout_ms < 0 ? -1 : timeout_ms);
}

int bpf_stream_reader__consume(struct bpf_stream_reader *r)
{
	if (!r)
		return bs_err(-EINVAL);
	return do_poll(r, 0);
}

__u64 bs_reader__cycles(const struct bpf_stream_reader *r)
{
	return r->cycles;
}

int bs_reader__stream_fds(const struct bpf_stream_reader *r)
{
	size_t i;
	int k, n = 0;

	for (i = 0; i < r->nr_progs; i++)
		for (k = 0; k < 2; k++)
			n += r->progs[i]->st[k].sfd >= 0;
	return n;
}
