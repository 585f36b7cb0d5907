// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Framer state kept between drains, process-wide.
 *
 * Bytes read from the kernel are consumed there: if a callback stops a
 * drain in the middle of what was read, the rest lives only here. The next
 * drain, iterator or reader of the same (program id, stream) takes it and
 * delivers it before reading anything new. A small list under one mutex: a
 * process follows a handful of streams, and only streams with leftovers
 * have an entry.
 *
 * Drop-notice bookkeeping lives here too: the last drop count reported for
 * each (drop-counter map id, kind of drop, program, stream), so a change is
 * announced once whichever drain, iterator or reader sees it first.
 */
#include <pthread.h>
#include <stdlib.h>
#include "stream_internal.h"

struct pending {
	struct pending *next;
	__u32 prog_id, stream_id;
	struct bs_framer *f;
};

struct drop_seen {
	struct drop_seen *next;
	__u64 key;
	__u32 kind, prog_id, stream_id;
	__u64 reported;
};

static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pending *pending_list;
static struct drop_seen *drop_list;

struct bs_framer *bs_pending_take(__u32 prog_id, __u32 stream_id)
{
	struct pending **pp, *p;
	struct bs_framer *f = NULL;

	pthread_mutex_lock(&pending_lock);
	for (pp = &pending_list; (p = *pp); pp = &p->next) {
		if (p->prog_id == prog_id && p->stream_id == stream_id) {
			*pp = p->next;
			f = p->f;
			free(p);
			break;
		}
	}
	pthread_mutex_unlock(&pending_lock);
	return f ? f : bs_framer__new();
}

void bs_pending_put(__u32 prog_id, __u32 stream_id, struct bs_framer *f)
{
	struct pending *p;

	if (!f)
		return;
	if (!bs_framer__has_leftover(f)) {
		bs_framer__free(f);
		return;
	}
	pthread_mutex_lock(&pending_lock);
	for (p = pending_list; p; p = p->next) {
		if (p->prog_id == prog_id && p->stream_id == stream_id) {
			/* Another user of the stream put state back meanwhile:
			 * keep both, theirs first. */
			if (bs_framer__absorb(p->f, f))
				pr_warn("out of memory: leftover bytes of prog %u %s lost\n",
					prog_id, bs_stream_name(stream_id));
			pthread_mutex_unlock(&pending_lock);
			bs_framer__free(f);
			return;
		}
	}
	p = malloc(sizeof(*p));
	if (p) {
		p->prog_id = prog_id;
		p->stream_id = stream_id;
		p->f = f;
		p->next = pending_list;
		pending_list = p;
	}
	pthread_mutex_unlock(&pending_lock);
	if (!p) {
		pr_warn("out of memory: leftover bytes of prog %u %s lost\n", prog_id,
			bs_stream_name(stream_id));
		bs_framer__free(f);
	}
}

void bs_pending_forget(__u32 prog_id)
{
	struct pending **pp, *p;
	struct drop_seen **dp, *d;

	pthread_mutex_lock(&pending_lock);
	for (pp = &pending_list; (p = *pp);) {
		if (p->prog_id == prog_id) {
			*pp = p->next;
			bs_framer__free(p->f);
			free(p);
		} else {
			pp = &p->next;
		}
	}
	for (dp = &drop_list; (d = *dp);) {
		if (d->prog_id == prog_id) {
			*dp = d->next;
			free(d);
		} else {
			dp = &d->next;
		}
	}
	pthread_mutex_unlock(&pending_lock);
}

__u64 bs_pending_drop_delta(__u64 key, __u32 kind, __u32 prog_id, __u32 stream_id, __u64 now,
			    bool *first)
{
	struct drop_seen *d;
	__u64 delta = 0;

	*first = false;
	pthread_mutex_lock(&pending_lock);
	for (d = drop_list; d; d = d->next) {
		if (d->key == key && d->kind == kind && d->prog_id == prog_id &&
		    d->stream_id == stream_id)
			break;
	}
	if (!d) {
		d = calloc(1, sizeof(*d));
		if (d) {
			*first = true;
			d->key = key;
			d->kind = kind;
			d->prog_id = prog_id;
			d->stream_id = stream_id;
			d->next = drop_list;
			drop_list = d;
		}
	}
	if (d) {
		/* A counter that went down was reset (or a scripted
		 * source at a recycled address): start over. */
		if (now < d->reported)
			d->reported = 0;
		delta = now - d->reported;
		d->reported = now;
	} else {
		delta = now; /* cannot remember: report all rather than nothing */
	}
	pthread_mutex_unlock(&pending_lock);
	return delta;
}
