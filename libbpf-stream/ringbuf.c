// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The ring-buffer transport, reading side: decode the records bpf_stream.h
 * writes (layout in bpf_stream_record.h), turn binary records into text
 * (format.c), and sort the messages into one FIFO queue per (program,
 * stream), so reading one program's stream never loses the messages of the
 * others, and each program's messages stay in the order it wrote them.
 *
 * Which program wrote a record: its call site (the format's .rodata offset
 * from the sentinel). When a program is added to the ring
 * (bs_ring__add_prog(), discovery.c adds every program that uses the ring),
 * its translated instructions are read from the kernel once (sites.c):
 * the .rodata offsets a program loads are the call sites it contains. The ring keeps no program fd. A site
 * that several programs contain (a non-inlined helper they share) goes to
 * the first of them, flagged BPF_STREAM_MSG_F_WRITER_UNKNOWN (text as
 * written): the writer cannot be told (the header's prog field is reserved
 * for that).
 *
 * Records come from BPF code and are never trusted: magic, version, flags,
 * stream id, lengths, call site and string bytes are checked; a bad record
 * is counted and reported once per ring with pr_warn, and skipped. An empty
 * message (a format that expands to nothing) is a line of nothing: it is
 * not queued, so it can never be mistaken for "stream empty".
 */
#include <pthread.h>
#include <sys/epoll.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "stream_internal.h"
#include "bpf_stream_record.h"

int bs_rec_decode(const void *data, size_t size, struct bs_rec_view *v)
{
	struct bpf_stream_rec_hdr h;
	size_t off = sizeof(h);

	if (!data || !v)
		return -EINVAL;
	if (size < sizeof(h))
		return -EBADMSG;
	memcpy(&h, data, sizeof(h)); /* the ring gives 8-byte alignment; be safe anyway */
	if (h.magic != BPF_STREAM_REC_MAGIC || (h.flags & ~BPF_STREAM_REC_F_ALL) || h.resv)
		return -EBADMSG;
	if (h.version != BPF_STREAM_REC_VERSION)
		return -EPROTO;
	if (!bs_stream_id_valid(h.stream_id))
		return -ENOENT;
	memset(v, 0, sizeof(*v));
	if (h.flags & BPF_STREAM_REC_F_TS) {
		if (size - off < sizeof(__u64))
			return -EMSGSIZE;
		memcpy(&v->ts_ns, (const char *)data + off, sizeof(__u64));
		off += sizeof(__u64);
	}
	if (h.len > size - off)
		return -EMSGSIZE;
	if (h.flags & BPF_STREAM_REC_F_BINARY) {
		if (h.nargs > BPF_STREAM_MAX_ARGS || (size_t)h.nargs * 8 > h.len)
			return -E2BIG;
	} else if (h.nargs) {
		return -EBADMSG;
	}
	v->stream_id = h.stream_id;
	v->flags = h.flags;
	v->site = h.site;
	v->prog = h.prog;
	v->nargs = h.nargs;
	v->payload = (const char *)data + off;
	v->len = h.len;
	return 0;
}

int bs_rec_text(struct bs_fmt_table *t, const struct bs_rec_view *v, char *buf, size_t buf_sz,
		const char **text, size_t *len, bool *truncated)
{
	const struct bs_fmt *f;
	__u64 args[BPF_STREAM_MAX_ARGS];
	size_t alen = (size_t)v->nargs * 8, cap;
	int err;

	if (!(v->flags & BPF_STREAM_REC_F_BINARY)) {
		*text = v->payload;
		*len = v->len;
		*truncated = v->flags & BPF_STREAM_REC_F_TRUNCATED;
		return 0;
	}
	if (!t)
		return -ENOENT;
	err = bs_fmt_table__get(t, v->site, &f);
	if (err)
		return err;
	memcpy(args, v->payload, alen);
	cap = bs_fmt_table__msg_max(t);
	if (cap > buf_sz)
		cap = buf_sz;
	err = bs_fmt_render(f, args, v->nargs, v->payload + alen, v->len - alen, buf, cap, len);
	if (err < 0)
		return err;
	*text = buf;
	*truncated = err > 0;
	return 0;
}

/*
 * Queued messages of one (program, stream): a byte FIFO of entries (header,
 * text, padding to 8) in one buffer that is reused, so a steady flow of
 * messages allocates nothing. Consumption moves head; an emptied queue
 * starts again at 0; appending compacts or grows the buffer when needed.
 */
struct bs_rq_ent {
	__u64 ts_ns;
	__u32 flags;	/* BPF_STREAM_MSG_F_TRUNCATED */
	__u32 len;
	__u32 off;	/* bytes already handed out */
	__u32 insn1;	/* 1 + the call site's instruction index in the program, 0: unknown */
	char text[];
};

struct bs_rq {
	char *buf;
	size_t head, tail, cap;
	__u64 lost;	/* good records we had no memory to queue */
	__u64 nr;	/* messages queued */
};

static size_t rq_ent_size(size_t len)
{
	return (sizeof(struct bs_rq_ent) + len + 7) & ~(size_t)7;
}

/* Room for an entry of @len text bytes at the tail, or NULL (ENOMEM). */
static struct bs_rq_ent *rq_append(struct bs_rq *q, size_t len)
{
	size_t need = rq_ent_size(len);
	struct bs_rq_ent *e;

	if (q->tail + need > q->cap) {
		if (q->head && q->tail - q->head + need <= q->cap) {
			memmove(q->buf, q->buf + q->head, q->tail - q->head);
			q->tail -= q->head;
			q->head = 0;
		} else {
			size_t cap = q->cap ? q->cap : 4096;
			char *p;

			while (cap < q->tail - q->head + need)
				cap *= 2;
			if (q->head) {
				memmove(q->buf, q->buf + q->head, q->tail - q->head);
				q->tail -= q->head;
				q->head = 0;
			}
			p = realloc(q->buf, cap);
			if (!p)
				return NULL;
			q->buf = p;
			q->cap = cap;
		}
	}
	e = (struct bs_rq_ent *)(q->buf + q->tail);
	q->tail += need;
	q->nr++;
	return e;
}

static struct bs_rq_ent *rq_head(struct bs_rq *q)
{
	return q->head < q->tail ? (struct bs_rq_ent *)(q->buf + q->head) : NULL;
}

static void rq_pop(struct bs_rq *q, struct bs_rq_ent *e)
{
	q->head += rq_ent_size(e->len);
	q->nr--;
	if (q->head == q->tail)
		q->head = q->tail = 0;
}

/* Bytes a ring's queues may hold (records taken and not handed out yet):
 * past it a pass leaves the records in the ring, where the producer counts
 * what no longer fits as dropped. Sixteen default rings. */
#define RING_KEEP_MAX (16U << 20)
/* Text one pass takes into the queues before the asked queue is served:
 * a reader of a full ring works on a few hundred KiB at a time (warm in the
 * cache) rather than queueing the whole ring first. */
#define RING_PASS_BYTES (256U << 10)
/* Longest record a tap copies out (a record never exceeds the BPF side's
 * message room; a longer length is a header being written over). */
#define RING_REC_MAX (64U << 10)

struct bs_ring {
	pthread_mutex_t lock;
	struct bs_ringmap map;
	int epoll_fd;
	bool tap;		/* read without consuming: another process consumes */
	__u64 tap_pos;		/* tap: position of the next record to read */
	__u64 missed;		/* tap: bytes of records written over before read */
	char *copy;		/* tap: a record copied out of the ring */
	size_t nr_progs;
	struct bs_rq *queues;	/* nr_progs * 2: [prog][stream - 1] */
	size_t queued_bytes;	/* text bytes held by all queues */
	struct bs_fmt_table *fmts; /* NULL: no binary records can be decoded */
	struct bs_sites sites;	/* call site -> program index */
	__u32 rodata_id;	/* kernel id of the .rodata map the call sites point into */
	char *line;		/* formatted text of the record being queued */
	size_t line_sz;
	__u64 bad_records;
	__u64 lost_warned;
};

static struct bs_rq *ring_queue(struct bs_ring *r, size_t idx, __u32 stream_id)
{
	return &r->queues[idx * 2 + (stream_id - 1)];
}

/* Program that wrote a record: the one whose code contains the record's
 * call site; else the first program (index 0), so that nothing is lost.
 * *nprogs: how many programs contain the site (more than one: the writer
 * cannot be told). */
static size_t ring_route(struct bs_ring *r, __u32 site, __u32 *nprogs, __u32 *insn1)
{
	__u32 idx = 0, insn = 0;

	*nprogs = bs_sites__find_insn(&r->sites, site, &idx, &insn);
	*insn1 = *nprogs ? insn + 1 : 0;
	if (!*nprogs) {
		*nprogs = 1;
		idx = 0;
	}
	return idx;
}

static void ring_bad(struct bs_ring *r, int err, size_t size)
{
	if (!r->bad_records++)
		pr_warn("ring buffer record rejected (%s, %zu bytes); further bad records are only counted\n",
			strerror(-err), size);
}

static int ring_on_record(struct bs_ring *r, const void *data, size_t size)
{
	struct bs_rec_view v;
	struct bs_rq_ent *e;
	struct bs_rq *q;
	const char *text;
	size_t len, last;
	bool add_nl, cut;
	__u32 nprogs, insn1;
	size_t idx;
	int err;

	err = bs_rec_decode(data, size, &v);
	if (!err)
		err = bs_rec_text(r->fmts, &v, r->line, r->line_sz, &text, &len, &cut);
	if (err) {
		ring_bad(r, err, size);
		return 0;
	}
	/* an empty message is a line of nothing: nothing to queue */
	if (!len)
		return 0;
	/* A cut message lost its '\n': end the line at the record's end. The
	 * framer drops NULs: the byte that counts is the last other one. */
	for (last = len; last && !text[last - 1]; last--)
		;
	add_nl = cut && last && text[last - 1] != '\n';
	idx = ring_route(r, v.site, &nprogs, &insn1);
	q = ring_queue(r, idx, v.stream_id);
	e = rq_append(q, len + add_nl);
	if (!e) {
		/* counted as dropped by its program, so the totals still add up */
		if (!q->lost++ && !r->lost_warned++)
			pr_warn("out of memory queueing a ring buffer record; counted as dropped\n");
		return 0;
	}
	e->ts_ns = v.ts_ns;
	e->flags = cut ? BPF_STREAM_MSG_F_TRUNCATED : 0;
	/* A call site in several programs' code (an inlined or shared helper):
	 * queued under the first of them, flagged so that the line says the
	 * writer is not known rather than name a program that may be wrong. */
	if (nprogs > 1)
		e->flags |= BPF_STREAM_MSG_F_WRITER_UNKNOWN;
	e->len = len + add_nl;
	e->off = 0;
	e->insn1 = insn1;
	memcpy(e->text, text, len);
	if (add_nl)
		e->text[len] = '\n';
	r->queued_bytes += e->len;
	return 0;
}

struct bs_ring *bs_ring__new(int map_fd, struct bs_fmt_table *fmts, __u32 rodata_id)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct bs_ring *r;
	int err;

	if (map_fd < 0) {
		bs_fmt_table__free(fmts);
		return bs_err_ptr(-EINVAL);
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		close(map_fd);
		bs_fmt_table__free(fmts);
		return bs_err_ptr(-ENOMEM);
	}
	pthread_mutex_init(&r->lock, NULL);
	r->epoll_fd = -1;
	r->fmts = fmts;
	r->rodata_id = rodata_id;
	err = bs_ringmap__open(&r->map, map_fd);
	if (err) {
		close(map_fd);
		r->map.fd = -1;
		goto fail;
	}
	if (!r->fmts)
		pr_debug("ring buffer: no format table found (no bpf_stream.h .rodata?): binary records cannot be decoded\n");
	r->line_sz = (r->fmts ? bs_fmt_table__msg_max(r->fmts) : 1023) + 1;
	r->line = malloc(r->line_sz);
	err = -ENOMEM;
	if (!r->line)
		goto fail;
	r->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (r->epoll_fd < 0 || epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, r->map.fd, &ev)) {
		err = -errno;
		goto fail;
	}
	/* a consumer until discovery says another process consumes */
	r->tap_pos = bs_ringmap__cons_pos(&r->map);
	return r;
fail:
	bs_ring__free(r);
	return bs_err_ptr(err);
}

int bs_ring__add_prog(struct bs_ring *r, int prog_fd)
{
	struct bs_rq *q;
	int idx, err;

	if (!r || prog_fd < 0)
		return -EINVAL;
	pthread_mutex_lock(&r->lock);
	q = realloc(r->queues, (r->nr_progs + 1) * 2 * sizeof(*q));
	if (!q) {
		pthread_mutex_unlock(&r->lock);
		return -ENOMEM;
	}
	r->queues = q;
	memset(&q[r->nr_progs * 2], 0, 2 * sizeof(*q));
	idx = (int)r->nr_progs++;
	err = r->fmts ? bs_sites__learn(&r->sites, prog_fd, idx, r->rodata_id,
					bs_fmt_table__base(r->fmts))
		      : 0;
	pthread_mutex_unlock(&r->lock);
	if (err)
		pr_warn("ring buffer: call sites of a program not learnt (%s): its records go to the object's first program\n",
			strerror(-err));
	return idx;
}

void bs_ring__free(struct bs_ring *r)
{
	size_t i;

	if (!r)
		return;
	if (r->epoll_fd >= 0)
		close(r->epoll_fd);
	bs_ringmap__close(&r->map);
	for (i = 0; r->queues && i < r->nr_progs * 2; i++)
		free(r->queues[i].buf);
	bs_fmt_table__free(r->fmts);
	bs_sites__clear(&r->sites);
	free(r->line);
	free(r->copy);
	free(r->queues);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* Consumer: take the records from the consumer position up to @limit into
 * the queues, moving the position past each (as libbpf does), so the
 * producer gets the room back at once. Stops at a record not committed
 * yet, or when the queues hold RING_KEEP_MAX: what is not taken stays in
 * the ring for the next pass. */
static bool ring_consume(struct bs_ring *r, __u64 limit)
{
	struct bs_ringmap_rec rec;
	__u64 pos = bs_ringmap__cons_pos(&r->map), start = pos;
	size_t stop = r->queued_bytes + RING_PASS_BYTES;

	/* never past what the producer reserved, whatever the caller says */
	if (limit > bs_ringmap__prod_pos(&r->map))
		limit = bs_ringmap__prod_pos(&r->map);
	while (r->queued_bytes < RING_KEEP_MAX && r->queued_bytes < stop) {
		int err = bs_ringmap__peek(&r->map, pos, limit, &rec);

		if (err == -EBADMSG) {
			/* the kernel's own header: cannot happen; never loop on it */
			ring_bad(r, err, rec.len);
			break;
		}
		if (err)
			break;
		if (!rec.discarded)
			ring_on_record(r, rec.data, rec.len);
		pos = rec.next;
		if (bs_ringmap__set_cons_pos(&r->map, pos)) {
			pr_warn("ring buffer: consumer page is read-only: reading as a tap\n");
			r->tap = true;
			r->tap_pos = pos;
			break;
		}
	}
	return pos != start;
}

/* A tap fell a ring behind: the records from its position to the
 * consumer's were written over before it read them. */
static __u64 ring_lapped(struct bs_ring *r, __u64 pos)
{
	__u64 cons = bs_ringmap__cons_pos(&r->map);

	if (cons > pos) {
		r->missed += cons - pos;
		return cons;
	}
	return pos;
}

/* Tap: read the records from the tap's own position up to @limit into the
 * queues, consuming nothing. Each record is copied out, then checked to be
 * intact (the producer may write over what the consumer passed). */
static bool ring_tap(struct bs_ring *r, __u64 limit)
{
	struct bs_ringmap_rec rec;
	__u64 pos = r->tap_pos, start = pos;
	size_t stop = r->queued_bytes + RING_PASS_BYTES;

	if (limit > bs_ringmap__prod_pos(&r->map))
		limit = bs_ringmap__prod_pos(&r->map);
	if (!bs_ringmap__intact(&r->map, pos))
		pos = ring_lapped(r, pos);
	while (r->queued_bytes < RING_KEEP_MAX && r->queued_bytes < stop) {
		int err = bs_ringmap__peek(&r->map, pos, limit, &rec);

		if (err == -ENOENT)
			break;
		if (err || rec.len > RING_REC_MAX) {
			if (!bs_ringmap__intact(&r->map, pos)) {
				pos = ring_lapped(r, pos);
				continue;
			}
			if (err == -EAGAIN)
				break;	/* not committed yet */
			ring_bad(r, -EBADMSG, rec.len);
			break;
		}
		if (!r->copy) {
			r->copy = malloc(RING_REC_MAX);
			if (!r->copy)
				break;
		}
		memcpy(r->copy, rec.data, rec.len);
		if (!bs_ringmap__intact(&r->map, pos)) {
			pos = ring_lapped(r, pos);
			continue;
		}
		if (!rec.discarded)
			ring_on_record(r, r->copy, rec.len);
		pos = rec.next;
	}
	r->tap_pos = pos;
	return pos != start;
}

void bs_ring__set_tap(struct bs_ring *r, bool tap)
{
	__u64 cons;

	pthread_mutex_lock(&r->lock);
	if (tap == r->tap) {
		pthread_mutex_unlock(&r->lock);
		return;
	}
	cons = bs_ringmap__cons_pos(&r->map);
	if (tap) {
		/* another process consumes from here on */
		r->tap_pos = cons;
	} else {
		/* what the tap read up to is delivered here: consume it */
		while (ring_tap(r, cons))
			;
		if (r->tap_pos > cons && bs_ringmap__set_cons_pos(&r->map, r->tap_pos)) {
			pthread_mutex_unlock(&r->lock);
			return;	/* read-only: stay a tap */
		}
	}
	r->tap = tap;
	pthread_mutex_unlock(&r->lock);
}

bool bs_ring__is_tap(struct bs_ring *r)
{
	bool tap;

	pthread_mutex_lock(&r->lock);
	tap = r->tap;
	pthread_mutex_unlock(&r->lock);
	return tap;
}

__u64 bs_ring__missed(struct bs_ring *r)
{
	__u64 n;

	pthread_mutex_lock(&r->lock);
	n = r->missed;
	pthread_mutex_unlock(&r->lock);
	return n;
}

/* Hands out the next queued message; then, while they fit whole and carry
 * no metadata (no stamp, not cut), the messages after it: one call, many
 * lines, as a native read would give them. */
int bs_ring__read(struct bs_ring *r, size_t prog_idx, __u32 stream_id, void *buf, size_t len,
		  struct bs_source_meta *meta)
{
	struct bs_rq_ent *e;
	struct bs_rq *q;
	size_t n, done;

	if (!r || !meta || !bs_stream_id_valid(stream_id))
		return -EINVAL;
	if (len > 0x7fffffff)
		len = 0x7fffffff;
	pthread_mutex_lock(&r->lock);
	if (prog_idx >= r->nr_progs) {
		pthread_mutex_unlock(&r->lock);
		return -EINVAL;
	}
	if (!meta->limit)
		meta->limit = bs_ringmap__prod_pos(&r->map);
	q = ring_queue(r, prog_idx, stream_id);
	/* passes until this queue has a message or the ring is read up to
	 * the limit (other queues may take a pass's records) */
	while (!rq_head(q) && (r->tap ? ring_tap(r, meta->limit) : ring_consume(r, meta->limit)))
		;
	e = rq_head(q);
	if (!e || !len) {
		pthread_mutex_unlock(&r->lock);
		return 0;
	}
	n = e->len - e->off;
	if (n > len)
		n = len;
	memcpy(buf, e->text + e->off, n);
	e->off += n;
	meta->ts_ns = e->ts_ns;
	meta->insn1 = e->insn1;
	/* TRUNCATED: the message was cut at its end, so only the piece that
	 * ends it says so (the framer flags that piece's last line) */
	meta->flags = e->off == e->len ? e->flags : e->flags & ~(__u32)BPF_STREAM_MSG_F_TRUNCATED;
	done = n;
	if (e->off == e->len) {
		bool plain = !e->ts_ns && !e->flags;
		__u32 insn1 = e->insn1;

		r->queued_bytes -= e->len;
		rq_pop(q, e);
		/* records of one call site without stamp or flags: one read */
		while (plain && (e = rq_head(q)) && !e->ts_ns && !e->flags && !e->off &&
		       e->insn1 == insn1 && e->len <= len - done) {
			memcpy((char *)buf + done, e->text, e->len);
			done += e->len;
			r->queued_bytes -= e->len;
			rq_pop(q, e);
		}
	}
	pthread_mutex_unlock(&r->lock);
	return (int)done;
}

int bs_ring__epoll_fd(struct bs_ring *r)
{
	return r ? r->epoll_fd : -1;
}

__u64 bs_ring__bad_records(struct bs_ring *r)
{
	__u64 n;

	if (!r)
		return 0;
	pthread_mutex_lock(&r->lock);
	n = r->bad_records;
	pthread_mutex_unlock(&r->lock);
	return n;
}

void bs_ring__counts(struct bs_ring *r, size_t prog_idx, __u32 stream_id, __u64 *queued,
		     __u64 *lost)
{
	struct bs_rq *q;

	*queued = *lost = 0;
	if (!r || !bs_stream_id_valid(stream_id))
		return;
	pthread_mutex_lock(&r->lock);
	if (prog_idx < r->nr_progs) {
		q = ring_queue(r, prog_idx, stream_id);
		*queued = q->nr;
		*lost = q->lost;
	}
	pthread_mutex_unlock(&r->lock);
}

__u32 bs_ring__site(struct bs_ring *r, __u32 site, __u32 *prog_idx)
{
	__u32 n;

	pthread_mutex_lock(&r->lock);
	n = bs_sites__find(&r->sites, site, prog_idx);
	pthread_mutex_unlock(&r->lock);
	return n;
}
