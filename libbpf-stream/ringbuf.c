// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The ring-buffer transport, reading side: decode the records bpf_stream.h
 * writes (layout in bpf_stream_record.h) and sort them into one FIFO queue
 * per (program, stream), so reading one program's stream never loses the
 * records of the others, and each program's messages stay in the order it
 * wrote them.
 *
 * Records come from BPF code and are never trusted: magic, version, stream
 * id and text length are checked; a bad record is counted and reported once
 * per ring with pr_warn, and skipped.
 */
#include <pthread.h>
#include <stdlib.h>
#include <bpf/libbpf.h>
#include "stream_internal.h"
#include "bpf_stream_record.h"

int bs_rec_decode(const void *data, size_t size, struct bs_rec_view *v)
{
	struct bpf_stream_rec_hdr h;
	size_t i;

	if (!data || !v)
		return -EINVAL;
	if (size < sizeof(h))
		return -EBADMSG;
	memcpy(&h, data, sizeof(h)); /* the ring gives 8-byte alignment; be safe anyway */
	if (h.magic != BPF_STREAM_REC_MAGIC)
		return -EBADMSG;
	if (h.version != BPF_STREAM_REC_VERSION)
		return -EPROTO;
	if (!bs_stream_id_valid(h.stream_id))
		return -ENOENT;
	if (h.text_len > size - sizeof(h))
		return -EMSGSIZE;
	memset(v, 0, sizeof(*v));
	v->stream_id = h.stream_id;
	v->flags = h.flags & BPF_STREAM_REC_F_TRUNCATED;
	v->ts_ns = h.ts_ns;
	v->text = (const char *)data + sizeof(h);
	v->text_len = h.text_len;
	for (i = 0; i < BPF_STREAM_REC_NAME_LEN && h.func[i]; i++)
		v->func[i] = h.func[i];
	v->func[i] = '\0';
	return 0;
}

/* One queued message: text plus what was read of it already. */
struct bs_rq_ent {
	struct bs_rq_ent *next;
	__u64 ts_ns;
	__u32 flags;	/* BPF_STREAM_MSG_F_TRUNCATED */
	__u32 len;
	__u32 off;	/* bytes already handed out */
	char text[];
};

struct bs_rq {
	struct bs_rq_ent *head, *tail;
};

struct bs_ring {
	pthread_mutex_t lock;
	struct ring_buffer *rb;
	size_t nr_progs;
	char **names;		/* program names, in routing order */
	struct bs_ring_alias *aliases; /* subprogram name -> program */
	size_t nr_aliases;
	struct bs_rq *queues;	/* nr_progs * 2: [prog][stream - 1] */
	__u64 bad_records;
	__u64 lost[3];		/* per stream: good records we had no memory to queue */
};

struct bs_ring_alias {
	char *func;
	size_t prog_idx;
};

static struct bs_rq *ring_queue(struct bs_ring *r, size_t idx, __u32 stream_id)
{
	return &r->queues[idx * 2 + (stream_id - 1)];
}

/* Program that wrote a record: the one named like the record's func (names
 * of 32 bytes or more match on their first 32 bytes); else the first program
 * whose code contains a subprogram of that name (bs_ring__add_alias); else
 * the first program (index 0), so that nothing is lost. */
static size_t ring_route(struct bs_ring *r, const char *func)
{
	size_t i;

	for (i = 0; i < r->nr_progs; i++) {
		if (!strncmp(r->names[i], func, BPF_STREAM_REC_NAME_LEN))
			return i;
	}
	for (i = 0; i < r->nr_aliases; i++) {
		if (!strncmp(r->aliases[i].func, func, BPF_STREAM_REC_NAME_LEN))
			return r->aliases[i].prog_idx;
	}
	return 0;
}

int bs_ring__add_alias(struct bs_ring *r, const char *func, size_t prog_idx)
{
	struct bs_ring_alias *a;
	char *copy;

	if (!r || !func || prog_idx >= r->nr_progs)
		return bs_err(-EINVAL);
	copy = strdup(func);
	a = realloc(r->aliases, (r->nr_aliases + 1) * sizeof(*a));
	if (!copy || !a) {
		free(copy);
		if (a)
			r->aliases = a;
		return bs_err(-ENOMEM);
	}
	r->aliases = a;
	a[r->nr_aliases].func = copy;
	a[r->nr_aliases].prog_idx = prog_idx;
	r->nr_aliases++;
	return 0;
}

static int ring_on_record(void *ctx, void *data, size_t size)
{
	struct bs_ring *r = ctx;
	struct bs_rec_view v;
	struct bs_rq_ent *e;
	struct bs_rq *q;
	bool add_nl;
	int err;

	err = bs_rec_decode(data, size, &v);
	if (err) {
		if (!r->bad_records++)
			pr_warn("ring buffer record rejected (%s, %zu bytes); further bad records are only counted\n",
				strerror(-err), size);
		return 0;
	}
	/* A cut message lost its '\n': end the line at the record's end. */
	add_nl = (v.flags & BPF_STREAM_REC_F_TRUNCATED) &&
		 (!v.text_len || v.text[v.text_len - 1] != '\n');
	e = malloc(sizeof(*e) + v.text_len + add_nl);
	if (!e) {
		/* counted as dropped on its stream, so the totals still add up */
		if (!r->lost[v.stream_id]++)
			pr_warn("out of memory queueing a ring buffer record; counted as dropped\n");
		return 0;
	}
	e->next = NULL;
	e->ts_ns = v.ts_ns;
	e->flags = (v.flags & BPF_STREAM_REC_F_TRUNCATED) ? BPF_STREAM_MSG_F_TRUNCATED : 0;
	e->len = v.text_len + add_nl;
	e->off = 0;
	memcpy(e->text, v.text, v.text_len);
	if (add_nl)
		e->text[v.text_len] = '\n';
	q = ring_queue(r, ring_route(r, v.func), v.stream_id);
	if (q->tail)
		q->tail->next = e;
	else
		q->head = e;
	q->tail = e;
	return 0;
}

struct bs_ring *bs_ring__new(int map_fd, const char *const *prog_names, size_t nr_progs)
{
	struct bs_ring *r;
	size_t i;

	if (map_fd < 0 || !nr_progs)
		return bs_err_ptr(-EINVAL);
	r = calloc(1, sizeof(*r));
	if (!r)
		return bs_err_ptr(-ENOMEM);
	pthread_mutex_init(&r->lock, NULL);
	r->nr_progs = nr_progs;
	r->names = calloc(nr_progs, sizeof(*r->names));
	r->queues = calloc(nr_progs * 2, sizeof(*r->queues));
	if (!r->names || !r->queues)
		goto nomem;
	for (i = 0; i < nr_progs; i++) {
		r->names[i] = strdup(prog_names[i] ? prog_names[i] : "");
		if (!r->names[i])
			goto nomem;
	}
	r->rb = ring_buffer__new(map_fd, ring_on_record, r, NULL);
	if (!r->rb) {
		int err = -errno;

		bs_ring__free(r);
		return bs_err_ptr(err ? err : -EINVAL);
	}
	return r;
nomem:
	bs_ring__free(r);
	return bs_err_ptr(-ENOMEM);
}

void bs_ring__free(struct bs_ring *r)
{
	size_t i;

	if (!r)
		return;
	ring_buffer__free(r->rb);
	for (i = 0; r->queues && i < r->nr_progs * 2; i++) {
		struct bs_rq_ent *e = r->queues[i].head, *next;

		for (; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	for (i = 0; r->names && i < r->nr_progs; i++)
		free(r->names[i]);
	free(r->names);
	for (i = 0; i < r->nr_aliases; i++)
		free(r->aliases[i].func);
	free(r->aliases);
	free(r->queues);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

int bs_ring__read(struct bs_ring *r, size_t prog_idx, __u32 stream_id, void *buf, size_t len,
		  struct bs_source_meta *meta)
{
	struct bs_rq_ent *e;
	struct bs_rq *q;
	size_t n;
	int err;

	if (!r || prog_idx >= r->nr_progs || !bs_stream_id_valid(stream_id))
		return -EINVAL;
	if (len > 0x7fffffff)
		len = 0x7fffffff;
	pthread_mutex_lock(&r->lock);
	q = ring_queue(r, prog_idx, stream_id);
	if (!q->head) {
		err = ring_buffer__consume(r->rb);
		if (err < 0 && !q->head) {
			pthread_mutex_unlock(&r->lock);
			return err;
		}
	}
	e = q->head;
	if (!e || !len) {
		pthread_mutex_unlock(&r->lock);
		return 0;
	}
	n = e->len - e->off;
	if (n > len)
		n = len;
	memcpy(buf, e->text + e->off, n);
	e->off += n;
	if (meta) {
		meta->ts_ns = e->ts_ns;
		meta->flags = e->flags;
	}
	if (e->off == e->len) {
		q->head = e->next;
		if (!q->head)
			q->tail = NULL;
		free(e);
	}
	pthread_mutex_unlock(&r->lock);
	return (int)n;
}

int bs_ring__epoll_fd(struct bs_ring *r)
{
	return r ? ring_buffer__epoll_fd(r->rb) : -1;
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

__u64 bs_ring__lost(struct bs_ring *r, __u32 stream_id)
{
	__u64 n;

	if (!r || !bs_stream_id_valid(stream_id))
		return 0;
	pthread_mutex_lock(&r->lock);
	n = r->lost[stream_id];
	pthread_mutex_unlock(&r->lock);
	return n;
}
