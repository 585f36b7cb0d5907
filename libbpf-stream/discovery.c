// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Discovery: what a loaded program's bpf_stream.h instance is, asked of the
 * kernel, from a program fd or id alone (like bpftool: no registry of what
 * some process loaded, no pointer to a caller's bpf_object).
 *
 *   program --BPF_OBJ_GET_INFO_BY_FD map_ids--> its maps, by kernel id:
 *     bpf_stream_rb    (ring buffer)   the ring transport's records
 *     bpf_stream_stat  (array)         drop counters per stream
 *     bpf_stream_drop  (hash)          drop counters per call site and stream
 *     .rodata          (array whose BTF declares bpf_stream_transport_sel)
 *                      the selector prepare() wrote, the format table
 *   selector NATIVE: native streams; RINGBUF: the ring; DEFAULT: nobody
 *   prepared the object, bpf_stream.h's default decided (said once, with
 *   the drops so far).
 *
 * One instance (struct bs_tport) per .rodata map id; its ring reader
 * (ringbuf.c) is keyed by the ring map's id and learns the call sites of
 * every program that uses that ring (the kernel's program list is scanned
 * once; a program met later is added then). A program of the object that
 * prints nothing uses none of these maps: it is known by the object's BTF
 * (one BTF object per loaded bpf_object, shared by its programs), so it
 * reads as its object does (an empty ring queue, not a native stream the
 * kernel may lack).
 *
 * Process-wide state (documented in libbpf_stream.h, bpf_stream_release()):
 * the list of instances, holding only fds this file opened (ring map, drop
 * counters) and kernel ids, never a caller's pointer; the ids of programs
 * found to use no bpf_stream.h instance (so a native stream is not asked
 * again at every read); the ids of released programs. An instance whose
 * programs are all gone from the kernel (an object destroyed without
 * bpf_stream_release()) is freed when the next instance is discovered.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "stream_internal.h"
#include "bpf_stream_record.h"

struct bs_tport_prog {
	__u32 id;
	int ring_idx;		/* index in the ring, -1 if none */
	char *name;		/* full name (BTF) or the kernel's */
	/* drops of its call sites at the last scan, by stream: [0] sites of
	 * its own, [1] sites shared with later programs */
	__u64 drops[3][2];
	/* oversize drops (-E2BIG) of its call sites, by stream; those of no
	 * known call site are the object's first program's */
	__u64 oversize[3];
};

struct bs_tport {
	struct bs_tport *next;
	int refcnt;		/* users outside disc_lock; + 1 while listed */
	__u32 rodata_id, rb_id, stat_id;
	__u32 btf_id;		/* the object's BTF, shared by all its programs */
	__u32 sel;
	enum bpf_stream_transport transport;
	bool native_stderr;
	int stat_fd;		/* ours, or -1 */
	int drop_fd;		/* bpf_stream_drop, ours, or -1 */
	struct bs_ring *ring;	/* ring transport only */
	/* Call sites -> programs (index in progs): the ring's table, or this
	 * one for a native instance (sentinel at .rodata offset @base). */
	struct bs_sites sites;
	size_t base;
	bool have_base;
	/* bpf_stream_stats.sited at the last scan of each stream; ~0 (no
	 * count can be that) once a program was added: scan again */
	__u64 sited_seen[3];
	__u64 unsited[3];	/* drops at call sites of no known program */
	struct bs_tport_prog *progs;
	size_t nr_progs;
	/* The reading model (consumer.c): who consumes the object's messages. */
	struct bs_consumer owner;	/* prepared it (.rodata), pid 0 if none */
	enum bs_role role;
	bool role_known;
	bool take_over;		/* a reader of this process asked to take over */
	bool claimed;		/* entry 0 of the drop counters names us */
	int busy_warned;
	long long role_checked_ns;
	__u32 role_pid;		/* the process the role was decided for (fork) */
	struct bs_consumer other;	/* the consumer, when it is another process */
	char other_comm[32];
};

static pthread_mutex_t disc_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bs_tport *tport_head;

/* Sets of program ids: without bpf_stream.h state (plain), released. */
struct id_set {
	__u32 *ids;
	size_t n, cap;
};

static struct id_set plain_ids, released_ids, plain_btf_ids;

/* Sorted: asked on every read of every program a reader follows (a
 * `follow all` of 1,000 programs asks 2,000 times per cycle). */
static size_t id_set_pos(const struct id_set *s, __u32 id)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool id_set_has(const struct id_set *s, __u32 id)
{
	size_t i = id_set_pos(s, id);

	return i < s->n && s->ids[i] == id;
}

static void id_set_add(struct id_set *s, __u32 id)
{
	size_t i = id_set_pos(s, id);

	if (i < s->n && s->ids[i] == id)
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		__u32 *p = realloc(s->ids, cap * sizeof(*p));

		if (!p)
			return;	/* only a cache: asked again next time */
		s->ids = p;
		s->cap = cap;
	}
	memmove(&s->ids[i + 1], &s->ids[i], (s->n - i) * sizeof(*s->ids));
	s->ids[i] = id;
	s->n++;
}

static void tport_unclaim(struct bs_tport *t);

static void tport_free(struct bs_tport *t)
{
	size_t i;

	tport_unclaim(t);
	bs_ring__free(t->ring);
	bs_sites__clear(&t->sites);
	if (t->stat_fd >= 0)
		close(t->stat_fd);
	if (t->drop_fd >= 0)
		close(t->drop_fd);
	for (i = 0; i < t->nr_progs; i++)
		free(t->progs[i].name);
	free(t->progs);
	free(t);
}

static void tport_unref(struct bs_tport *t)
{
	if (--t->refcnt == 0)
		tport_free(t);
}

void bs_tport__put(struct bs_tport *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&disc_lock);
	tport_unref(t);
	pthread_mutex_unlock(&disc_lock);
}

/* Unlink @t (caller holds disc_lock); freed when its last user puts it. */
static void tport_unlink(struct bs_tport *t)
{
	struct bs_tport **pp;

	for (pp = &tport_head; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			tport_unref(t);
			return;
		}
	}
}

static struct bs_tport_prog *tport_prog(struct bs_tport *t, __u32 prog_id)
{
	size_t i;

	for (i = 0; i < t->nr_progs; i++)
		if (t->progs[i].id == prog_id)
			return &t->progs[i];
	return NULL;
}

int bs_prog_info_maps(int prog_fd, struct bpf_prog_info *info, __u32 **maps)
{
	__u32 len = sizeof(*info), n;

	*maps = NULL;
	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(prog_fd, info, &len))
		return -errno;
	n = info->nr_map_ids;
	if (!n)
		return 0;
	*maps = calloc(n, sizeof(**maps));
	if (!*maps)
		return -ENOMEM;
	memset(info, 0, sizeof(*info));
	info->nr_map_ids = n;
	info->map_ids = (__u64)(unsigned long)*maps;
	len = sizeof(*info);
	if (bpf_obj_get_info_by_fd(prog_fd, info, &len)) {
		free(*maps);
		*maps = NULL;
		return -errno;
	}
	if (info->nr_map_ids > n)
		info->nr_map_ids = n;
	return 0;
}

/* The program's full name: the kernel keeps 15 bytes of it; its BTF
 * func_info names the whole function. */
static char *prog_full_name(int prog_fd, const struct bpf_prog_info *base)
{
	struct bpf_func_info fi[1];
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	const struct btf_type *t;
	struct btf *btf;
	char *name = NULL;

	if (strnlen(base->name, sizeof(base->name)) < BPF_OBJ_NAME_LEN - 1 || !base->btf_id ||
	    !base->nr_func_info)
		return strndup(base->name, sizeof(base->name));
	memset(&info, 0, sizeof(info));
	memset(fi, 0, sizeof(fi));
	info.nr_func_info = 1;
	info.func_info_rec_size = sizeof(fi[0]);
	info.func_info = (__u64)(unsigned long)fi;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) || info.func_info_rec_size != sizeof(fi[0]))
		return strndup(base->name, sizeof(base->name));
	btf = bs_kernel_btf(base->btf_id);
	if (btf) {
		t = btf__type_by_id(btf, fi[0].type_id);
		if (t && btf_is_func(t)) {
			const char *n = btf__name_by_offset(btf, t->name_off);

			/* the BTF name must be what the kernel cut */
			if (n && !strncmp(n, base->name, strnlen(base->name, sizeof(base->name))))
				name = strdup(n);
		}
		btf__free(btf);
	}
	return name ? name : strndup(base->name, sizeof(base->name));
}

long bs_datasec_var(const struct bpf_map_info *mi, const char *var_name, __u32 *size)
{
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct btf *btf;
	long off = -ENOENT;
	int i;

	if (mi->type != BPF_MAP_TYPE_ARRAY || !mi->btf_id || !mi->btf_value_type_id)
		return -ENOENT;
	btf = bs_kernel_btf(mi->btf_id);
	if (!btf)
		return -ENOENT;
	sec = btf__type_by_id(btf, mi->btf_value_type_id);
	if (sec && btf_is_datasec(sec)) {
		vs = btf_var_secinfos(sec);
		for (i = 0; i < btf_vlen(sec); i++, vs++) {
			const struct btf_type *var = btf__type_by_id(btf, vs->type);
			const char *name = var ? btf__name_by_offset(btf, var->name_off) : NULL;

			if (name && !strcmp(name, var_name) && vs->offset + vs->size <= mi->value_size) {
				off = vs->offset;
				*size = vs->size;
				break;
			}
		}
	}
	btf__free(btf);
	return off;
}

/* Offset of the .rodata variable @var_name of @size bytes: >= 0, or -ENOENT. */
static long var_offset(const struct bpf_map_info *mi, const char *var_name, __u32 size)
{
	__u32 sz;
	long off = bs_datasec_var(mi, var_name, &sz);

	return off >= 0 && sz != size ? -ENOENT : off;
}

/* The maps of one program that make a bpf_stream.h instance. */
struct found {
	__u32 rodata_id, rb_id, stat_id, sel;
	__u64 owner;
	int rodata_fd, rb_fd, stat_fd, drop_fd;	/* opened here, -1 if none */
};

static void found_close(struct found *f)
{
	if (f->rodata_fd >= 0)
		close(f->rodata_fd);
	if (f->rb_fd >= 0)
		close(f->rb_fd);
	if (f->stat_fd >= 0)
		close(f->stat_fd);
	if (f->drop_fd >= 0)
		close(f->drop_fd);
	f->rodata_fd = f->rb_fd = f->stat_fd = f->drop_fd = -1;
}

static void found_init(struct found *f)
{
	memset(f, 0, sizeof(*f));
	f->rodata_fd = f->rb_fd = f->stat_fd = f->drop_fd = -1;
}

/* Look at a program's maps, adding to @f what it does not hold yet
 * (found_init() first). f->rodata_id is set once an instance is seen. */
static void find_maps(const __u32 *maps, __u32 n, struct found *f)
{
	__u32 i, key = 0;

	for (i = 0; i < n; i++) {
		struct bpf_map_info mi;
		__u32 len = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(maps[i]);
		bool keep = false;

		if (fd < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		if (bpf_obj_get_info_by_fd(fd, &mi, &len)) {
			close(fd);
			continue;
		}
		if (mi.type == BPF_MAP_TYPE_RINGBUF && !strcmp(mi.name, BPF_STREAM_RINGBUF_MAP) &&
		    f->rb_fd < 0) {
			f->rb_id = mi.id;
			f->rb_fd = fd;
			keep = true;
		} else if (mi.type == BPF_MAP_TYPE_ARRAY && !strcmp(mi.name, BPF_STREAM_STATS_MAP) &&
			   f->stat_fd < 0) {
			f->stat_id = mi.id;
			f->stat_fd = fd;
			keep = true;
		} else if (mi.type == BPF_MAP_TYPE_HASH && !strcmp(mi.name, BPF_STREAM_DROPS_MAP) &&
			   mi.key_size == sizeof(struct bpf_stream_drop_key) &&
			   mi.value_size == sizeof(__u64) && f->drop_fd < 0) {
			f->drop_fd = fd;
			keep = true;
		} else if (f->rodata_fd < 0 && strstr(mi.name, ".rodata")) {
			long off = var_offset(&mi, BPF_STREAM_SEL_VAR, sizeof(__u32));
			long owner = var_offset(&mi, BPF_STREAM_OWNER_VAR, sizeof(__u64));
			char *val;

			if (off >= 0 && (val = calloc(1, mi.value_size))) {
				if (!bpf_map_lookup_elem(fd, &key, val)) {
					memcpy(&f->sel, val + off, sizeof(f->sel));
					if (owner >= 0)
						memcpy(&f->owner, val + owner, sizeof(f->owner));
					f->rodata_id = mi.id;
					f->rodata_fd = fd;
					keep = true;
				}
				free(val);
			}
		}
		if (!keep)
			close(fd);
	}
}

/* The maps of an instance are spread over its object's programs (one
 * that prints nothing may hold .rodata alone): complete @f from every
 * program sharing the object's BTF. */
static void find_object_maps(__u32 btf_id, struct found *f)
{
	__u32 id = 0;

	while (btf_id && (f->rb_fd < 0 || f->stat_fd < 0 || f->drop_fd < 0 || !f->rodata_id) &&
	       !bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info pi;
		__u32 *maps = NULL;
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bs_prog_info_maps(fd, &pi, &maps) && pi.btf_id == btf_id && pi.nr_map_ids)
			find_maps(maps, pi.nr_map_ids, f);
		free(maps);
		close(fd);
	}
}

/* Does program @fd use map @map_id? */
static bool prog_uses_map(int fd, __u32 map_id)
{
	struct bpf_prog_info info;
	__u32 *maps, i;
	bool yes = false;

	if (bs_prog_info_maps(fd, &info, &maps))
		return false;
	for (i = 0; i < info.nr_map_ids && !yes; i++)
		yes = maps[i] == map_id;
	free(maps);
	return yes;
}

/* Add a program to @t (caller holds disc_lock). */
static struct bs_tport_prog *tport_add_prog(struct bs_tport *t, int prog_fd,
					    const struct bpf_prog_info *info)
{
	struct bs_tport_prog *p = realloc(t->progs, (t->nr_progs + 1) * sizeof(*p));

	if (!p)
		return NULL;
	t->progs = p;
	p = &t->progs[t->nr_progs];
	memset(p, 0, sizeof(*p));
	p->id = info->id;
	p->ring_idx = -1;
	p->name = prog_full_name(prog_fd, info);
	if (!p->name)
		return NULL;
	/* the program's index in t->progs is its index in the call sites */
	if (t->ring) {
		p->ring_idx = bs_ring__add_prog(t->ring, prog_fd);
		if (p->ring_idx < 0) {
			free(p->name);
			return NULL;
		}
	} else if (t->have_base) {
		int err = bs_sites__learn(&t->sites, prog_fd, (__u32)t->nr_progs, t->rodata_id,
					  t->base);

		if (err)
			pr_warn("call sites of program %u not learnt (%s): its drops count as the object's\n",
				info->id, strerror(-err));
	}
	t->nr_progs++;
	memset(t->sited_seen, 0xff, sizeof(t->sited_seen));
	return p;
}

/* Every program in the kernel of the instance's object (its ring's users
 * and the programs sharing its BTF), in id order (the object's order): the
 * call sites of all are known before the first record or drop is read.
 * Without the right to open programs by id, only @prog_fd. */
static void tport_add_object_progs(struct bs_tport *t, int prog_fd,
				 const struct bpf_prog_info *info)
{
	__u32 id = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info pi;
		__u32 len = sizeof(pi);
		int fd;

		if (id == info->id) {
			tport_add_prog(t, prog_fd, info);
			continue;
		}
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&pi, 0, sizeof(pi));
		/* printing programs use the ring; the others share the BTF */
		if (!bpf_obj_get_info_by_fd(fd, &pi, &len) &&
		    ((t->btf_id && pi.btf_id == t->btf_id) ||
		     (t->rb_id && prog_uses_map(fd, t->rb_id))))
			tport_add_prog(t, fd, &pi);
		close(fd);
	}
	if (!tport_prog(t, info->id))
		tport_add_prog(t, prog_fd, info);
}

static bool prog_gone(__u32 id)
{
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd >= 0)
		close(fd);
	return fd < 0 && errno == ENOENT;
}

/* Forget the ids of a set whose programs the kernel has freed, and their
 * leftover bytes (pending.c): ids are not reused soon, but a long-running
 * reader meets many programs. */
static void id_set_prune(struct id_set *s)
{
	size_t i, n = 0;

	/* keeps the order (sorted) */
	for (i = 0; i < s->n; i++) {
		if (prog_gone(s->ids[i]))
			bs_pending_forget(s->ids[i]);
		else
			s->ids[n++] = s->ids[i];
	}
	s->n = n;
}

/* Free instances none of whose programs is left in the kernel (objects
 * destroyed without bpf_stream_release()), and the ids of gone programs.
 * Caller holds disc_lock. */
static void tport_collect(void)
{
	struct bs_tport *t, *next;

	id_set_prune(&plain_ids);
	id_set_prune(&released_ids);

	for (t = tport_head; t; t = next) {
		bool alive = false;
		size_t i;

		next = t->next;
		for (i = 0; i < t->nr_progs && !alive; i++)
			alive = !prog_gone(t->progs[i].id);
		if (!alive) {
			for (i = 0; i < t->nr_progs; i++)
				bs_pending_forget(t->progs[i].id);
			tport_unlink(t);
		}
	}
}

static void warn_unprepared(const struct bs_tport *t, const char *why)
{
	__u64 drops[3] = {};
	__u32 sid;

	for (sid = BPF_STDOUT; t->stat_fd >= 0 && sid <= BPF_STDERR; sid++) {
		struct bpf_stream_stats st = {};

		if (!bpf_map_lookup_elem(t->stat_fd, &sid, &st))
			drops[sid] = st.dropped + st.sited;
	}
	pr_warn("object of program '%s' (id %u) was loaded without bpf_stream_prepare(): read as %s (%s); %llu stdout and %llu stderr messages counted as dropped so far\n",
		t->nr_progs ? t->progs[0].name : "?", t->nr_progs ? t->progs[0].id : 0,
		bpf_stream_transport_str(t->transport), why,
		(unsigned long long)drops[BPF_STDOUT], (unsigned long long)drops[BPF_STDERR]);
}

/* A new instance from @f (its fds are taken). Caller holds disc_lock. */
static struct bs_tport *tport_new(struct found *f, int prog_fd, const struct bpf_prog_info *info)
{
	struct bs_kernel k = bs_kernel_probe();
	const char *why = NULL;
	struct bs_tport *t;

	tport_collect();
	find_object_maps(info->btf_id, f);
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->refcnt = 1;
	bs_consumer_unpack(f->owner, &t->owner);
	t->drop_fd = -1;
	t->rodata_id = f->rodata_id;
	t->rb_id = f->rb_id;
	t->stat_id = f->stat_id;
	t->btf_id = info->btf_id;
	t->stat_fd = f->stat_fd;
	f->stat_fd = -1;
	t->sel = f->sel;
	if (f->sel == BPF_STREAM_SEL_RINGBUF) {
		t->transport = BPF_STREAM_TRANSPORT_RINGBUF;
	} else if (f->sel == BPF_STREAM_SEL_NATIVE) {
		t->transport = BPF_STREAM_TRANSPORT_NATIVE;
	} else if (k.kfunc_name && bs_libbpf_resolves_flavours()) {
		t->transport = BPF_STREAM_TRANSPORT_NATIVE;
		why = "not prepared: bpf_stream.h's default bound the kernel's stream kfunc";
	} else {
		t->transport = BPF_STREAM_TRANSPORT_RINGBUF;
		why = "not prepared: bpf_stream.h's default wrote to its ring buffer";
	}
	if (t->transport == BPF_STREAM_TRANSPORT_RINGBUF && f->rb_fd >= 0) {
		t->native_stderr = k.kfunc_in_btf;
		t->ring = bs_ring__new(f->rb_fd, bs_fmt_table__from_map(f->rodata_fd), f->rodata_id);
		f->rb_fd = -1;
		if (!t->ring) {
			pr_warn("ring buffer %u: cannot read it: %s\n", t->rb_id, strerror(errno));
			tport_free(t);
			return NULL;
		}
		tport_add_object_progs(t, prog_fd, info);
	} else {
		struct bs_fmt_table *ft = bs_fmt_table__from_map(f->rodata_fd);

		/* the call sites of a native instance name the programs
		 * that dropped messages */
		if (ft) {
			t->base = bs_fmt_table__base(ft);
			t->have_base = true;
			bs_fmt_table__free(ft);
		}
		if (f->drop_fd >= 0 && t->have_base)
			tport_add_object_progs(t, prog_fd, info);
		else
			tport_add_prog(t, prog_fd, info);
	}
	if (f->drop_fd >= 0) {
		t->drop_fd = f->drop_fd;
		f->drop_fd = -1;
	}
	if (!t->nr_progs) {
		tport_free(t);
		return NULL;
	}
	t->next = tport_head;
	tport_head = t;
	if (why)
		warn_unprepared(t, why);
	return t;
}

/* Does the BTF object @btf_id (a loaded object's) declare bpf_stream.h's
 * selector? If not, no program of that object has an instance: the kernel
 * need not be scanned for one (a listing of N plain programs stays O(N)). */
static bool btf_has_instance(__u32 btf_id)
{
	struct btf *btf;
	bool yes;

	if (id_set_has(&plain_btf_ids, btf_id))
		return false;
	btf = bs_kernel_btf(btf_id);
	if (!btf)
		return true;	/* cannot tell: scan */
	yes = btf__find_by_name_kind(btf, BPF_STREAM_SEL_VAR, BTF_KIND_VAR) >= 0;
	btf__free(btf);
	if (!yes)
		id_set_add(&plain_btf_ids, btf_id);
	return yes;
}

/* The instance of the object whose BTF is @btf_id: a known one, or one
 * made from a program of that object which uses bpf_stream.h's maps
 * (kernel scan). Caller holds disc_lock. */
static struct bs_tport *tport_by_btf(__u32 btf_id)
{
	struct bs_tport *t;
	__u32 id = 0;

	for (t = tport_head; t; t = t->next)
		if (t->btf_id == btf_id)
			return t;
	while (!t && !bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info pi;
		__u32 *maps = NULL;
		struct found f;
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bs_prog_info_maps(fd, &pi, &maps) && pi.btf_id == btf_id && pi.nr_map_ids) {
			found_init(&f);
			find_maps(maps, pi.nr_map_ids, &f);
			if (f.rodata_id)
				t = tport_new(&f, fd, &pi);
			found_close(&f);
		}
		free(maps);
		close(fd);
	}
	return t;
}

struct bs_tport *bs_tport__get(int prog_fd, __u32 prog_id, int *ring_idx)
{
	struct bs_tport_prog *p = NULL;
	struct bpf_prog_info info;
	struct bs_tport *t;
	struct found f;
	__u32 *maps = NULL;
	int fd = prog_fd;

	if (!prog_id)
		return NULL;
	pthread_mutex_lock(&disc_lock);
	if (id_set_has(&plain_ids, prog_id) || id_set_has(&released_ids, prog_id))
		goto none;
	for (t = tport_head; t; t = t->next) {
		p = tport_prog(t, prog_id);
		if (p)
			goto found;
	}
	/* not met yet: ask the kernel */
	if (fd < 0)
		fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0 || bs_prog_info_maps(fd, &info, &maps) || info.id != prog_id)
		goto none_close;
	found_init(&f);
	find_maps(maps, info.nr_map_ids, &f);
	free(maps);
	if (!f.rodata_id) {
		found_close(&f);
		/* a program that prints nothing, of an object that does: the
		 * same BTF object (libbpf loads one per object) */
		t = info.btf_id && btf_has_instance(info.btf_id) ? tport_by_btf(info.btf_id)
								  : NULL;
		if (t && ((p = tport_prog(t, prog_id)) || (p = tport_add_prog(t, fd, &info))))
			goto found_close;
		id_set_add(&plain_ids, prog_id);
		goto none_close;
	}
	for (t = tport_head; t && t->rodata_id != f.rodata_id; t = t->next)
		;
	if (t)
		p = tport_add_prog(t, fd, &info);
	else if ((t = tport_new(&f, fd, &info)))
		p = tport_prog(t, prog_id);
	found_close(&f);
	if (!t || !p)
		goto none_close;
found_close:
	if (fd != prog_fd)
		close(fd);
found:
	t->refcnt++;
	pthread_mutex_unlock(&disc_lock);
	if (ring_idx)
		*ring_idx = p->ring_idx;
	return t;
none_close:
	if (fd >= 0 && fd != prog_fd)
		close(fd);
none:
	pthread_mutex_unlock(&disc_lock);
	return NULL;
}

/* ---- the reading model ---------------------------------------------------- */

#define ROLE_RECHECK_NS 250000000LL

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Decide who consumes @t (caller holds disc_lock): the process named in
 * entry 0 of the drop counters while it runs, else the one that prepared
 * the object while it runs, else this one, which then says so there. */
static enum bs_role tport_role(struct bs_tport *t)
{
	struct bs_consumer self, cur;
	long long now = mono_ns();
	enum bs_role role;

	/* a child of fork() is another process: it decides anew */
	if (t->role_known && t->role_pid == (__u32)getpid() &&
	    now - t->role_checked_ns < ROLE_RECHECK_NS)
		return t->role;
	t->role_checked_ns = now;
	if (t->role_pid != (__u32)getpid())
		t->claimed = false;	/* the parent's claim, not ours */
	t->role_pid = (__u32)getpid();
	t->role_known = true;
	memset(&t->other, 0, sizeof(t->other));
	t->other_comm[0] = '\0';
	/* no registry (an object of an older bpf_stream.h), or no /proc to
	 * name processes by: consume, as every reader did before */
	if (!bs_consumer_self(&self) || bs_consumer_read(t->stat_fd, &cur)) {
		t->role = BS_ROLE_CONSUMER;
		return t->role;
	}
	if (bs_consumer_same(&cur, &self)) {
		role = BS_ROLE_CONSUMER;
	} else if (!t->take_over && cur.pid &&
		   bs_consumer_alive(&cur, t->other_comm, sizeof(t->other_comm))) {
		t->other = cur;
		role = t->ring ? BS_ROLE_TAP : BS_ROLE_REFUSED;
	} else if (!t->take_over && t->owner.pid && !bs_consumer_same(&t->owner, &self) &&
		   !(t->claimed && !cur.pid) &&
		   bs_consumer_alive(&t->owner, t->other_comm, sizeof(t->other_comm))) {
		t->other = t->owner;
		role = t->ring ? BS_ROLE_TAP : BS_ROLE_REFUSED;
	} else if (!bs_consumer_write(t->stat_fd, &self)) {
		t->claimed = true;
		role = BS_ROLE_CONSUMER;
	} else {
		/* cannot say so (no write access to the map): read along */
		pr_debug("object of program %u: cannot register as its consumer (%s)\n",
			 t->progs[0].id, strerror(errno));
		role = t->ring ? BS_ROLE_TAP : BS_ROLE_CONSUMER;
	}
	if (role != BS_ROLE_CONSUMER)
		t->claimed = false;
	if (role == BS_ROLE_REFUSED && !t->busy_warned++)
		pr_warn("program '%s' (id %u): its streams are read by process %u (%s); reading them here would take its lines: take over explicitly to read them\n",
			t->progs[0].name, t->progs[0].id, t->other.pid, t->other_comm);
	else if (role == BS_ROLE_TAP && t->role != BS_ROLE_TAP)
		pr_debug("object of program %u: read along without consuming, process %u (%s) consumes it\n",
			 t->progs[0].id, t->other.pid, t->other_comm);
	t->role = role;
	if (t->ring)
		bs_ring__set_tap(t->ring, role == BS_ROLE_TAP);
	return role;
}

enum bs_role bs_tport__role(struct bs_tport *t)
{
	enum bs_role role;

	pthread_mutex_lock(&disc_lock);
	role = tport_role(t);
	pthread_mutex_unlock(&disc_lock);
	return role;
}

void bs_tport__take_over(struct bs_tport *t)
{
	pthread_mutex_lock(&disc_lock);
	t->take_over = true;
	t->role_known = false;
	tport_role(t);
	pthread_mutex_unlock(&disc_lock);
}

__u32 bs_tport__consumer(struct bs_tport *t, char *comm, size_t comm_sz)
{
	__u32 pid;

	pthread_mutex_lock(&disc_lock);
	pid = t->role == BS_ROLE_CONSUMER ? 0 : t->other.pid;
	if (comm && comm_sz)
		snprintf(comm, comm_sz, "%s", t->other_comm);
	pthread_mutex_unlock(&disc_lock);
	return pid;
}

/* This process prepared the object: it reads it from its load on. */
static bool tport_prepared_here(const struct bs_tport *t)
{
	struct bs_consumer self;

	return bs_consumer_self(&self) && bs_consumer_same(&t->owner, &self);
}

/* Let go of the consumer entry where it names this process (caller holds
 * disc_lock): the next reader of the object consumes it. */
static void tport_unclaim(struct bs_tport *t)
{
	struct bs_consumer self, cur;

	if (!t->claimed)
		return;
	t->claimed = false;
	if (bs_consumer_self(&self) && !bs_consumer_read(t->stat_fd, &cur) &&
	    bs_consumer_same(&cur, &self))
		bs_consumer_write(t->stat_fd, NULL);
}

/* At exit, every object this process consumes is let go at once (a dead
 * process counts as none anyway; this spares the next reader the wait). */
__attribute__((destructor)) static void tport_unclaim_all(void)
{
	struct bs_tport *t;

	if (pthread_mutex_trylock(&disc_lock))
		return;
	for (t = tport_head; t; t = t->next)
		tport_unclaim(t);
	pthread_mutex_unlock(&disc_lock);
}

int bs_tport_prog_name(__u32 prog_id, char *buf, size_t sz)
{
	struct bs_tport *t;
	int err = -ENOENT;

	pthread_mutex_lock(&disc_lock);
	for (t = tport_head; t; t = t->next) {
		struct bs_tport_prog *p = tport_prog(t, prog_id);

		if (p) {
			snprintf(buf, sz, "%s", p->name);
			err = 0;
			break;
		}
	}
	pthread_mutex_unlock(&disc_lock);
	return err;
}

enum bpf_stream_transport bs_tport__transport(const struct bs_tport *t)
{
	return t->transport;
}

int bs_tport__ring_read(struct bs_tport *t, int ring_idx, __u32 stream_id, void *buf, size_t len,
		       struct bs_source_meta *meta)
{
	if (!t->ring || ring_idx < 0)
		return -ENOENT;
	if (!meta->limit)
		bs_tport__role(t);
	return bs_ring__read(t->ring, ring_idx, stream_id, buf, len, meta);
}

bool bs_tport__native_stderr(const struct bs_tport *t)
{
	/* a tap leaves the kernel's reports to the consumer: reads take them */
	return t->ring && t->native_stderr && !bs_ring__is_tap(t->ring);
}

int bs_tport__epoll_fd(const struct bs_tport *t)
{
	return t->ring ? bs_ring__epoll_fd(t->ring) : -1;
}

__u32 bs_tport__stat_id(const struct bs_tport *t)
{
	return t->stat_id;
}

static int tport_stats(const struct bs_tport *t, __u32 stream_id, struct bpf_stream_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!bs_stream_id_valid(stream_id))
		return -ENOENT;
	if (t->stat_fd < 0)
		return -ENOENT;
	/* an object of an older bpf_stream.h has no sited field: left 0 */
	if (bpf_map_lookup_elem(t->stat_fd, &stream_id, st))
		return -errno;
	return 0;
}

/* Programs containing @site and the first's index in t->progs (0: none). */
static __u32 tport_site(struct bs_tport *t, __u32 site, __u32 *idx)
{
	if (t->ring)
		return bs_ring__site(t->ring, site, idx);
	return bs_sites__find(&t->sites, site, idx);
}

/* Read the per-call-site counts of one stream into the programs' drops.
 * Caller holds disc_lock. */
static void tport_scan_drops(struct bs_tport *t, __u32 stream_id)
{
	/* no such key (stream 0): a hash map then starts at its first key */
	struct bpf_stream_drop_key key = {}, next;
	size_t i;

	for (i = 0; i < t->nr_progs; i++) {
		memset(t->progs[i].drops[stream_id], 0, sizeof(t->progs[i].drops[stream_id]));
		t->progs[i].oversize[stream_id] = 0;
	}
	t->unsited[stream_id] = 0;
	while (!bpf_map_get_next_key(t->drop_fd, &key, &next)) {
		bool big = next.stream_id == (stream_id | BPF_STREAM_DROP_OVERSIZE);
		__u64 n = 0;
		__u32 idx = 0, nprogs;

		key = next;
		if ((key.stream_id != stream_id && !big) ||
		    bpf_map_lookup_elem(t->drop_fd, &key, &n))
			continue;
		nprogs = tport_site(t, key.site, &idx);
		if (big) {
			if (!nprogs || idx >= t->nr_progs)
				idx = 0;
			if (idx < t->nr_progs)
				t->progs[idx].oversize[stream_id] += n;
			continue;
		}
		if (!nprogs || idx >= t->nr_progs)
			t->unsited[stream_id] += n;
		else
			t->progs[idx].drops[stream_id][nprogs > 1] += n;
	}
}

int bs_tport__drops(struct bs_tport *t, __u32 prog_id, __u32 stream_id, struct bs_drops *d)
{
	struct bpf_stream_stats st;
	struct bs_tport_prog *p;
	__u64 queued, lost;
	size_t idx;
	int err;

	memset(d->n, 0, sizeof(d->n));
	pthread_mutex_lock(&disc_lock);
	p = tport_prog(t, prog_id);
	err = p ? tport_stats(t, stream_id, &st) : -ENOENT;
	if (err)
		goto out;
	idx = p - t->progs;
	/* sited is read before the sites: every count it includes is there */
	if (t->drop_fd >= 0 && st.sited != t->sited_seen[stream_id]) {
		tport_scan_drops(t, stream_id);
		t->sited_seen[stream_id] = st.sited;
	}
	bs_ring__counts(t->ring, idx, stream_id, &queued, &lost);
	d->n[BS_DROP_OWN] = p->drops[stream_id][0] + lost;
	d->n[BS_DROP_SHARED] = p->drops[stream_id][1];
	d->n[BS_DROP_OVERSIZE] = p->oversize[stream_id];
	/* drops no program can be named for go to the object's first program */
	if (idx == 0)
		d->n[BS_DROP_UNKNOWN] = st.dropped + t->unsited[stream_id] +
					(t->drop_fd < 0 ? st.sited : 0);
	/* what a tap missed has no writer left to name: said once, under
	 * whichever program of the object is read first */
	d->n[BS_DROP_MISSED] = t->ring ? bs_ring__missed(t->ring) : 0;
	d->consumer_pid = t->other.pid;
	d->owner = tport_prepared_here(t);
out:
	pthread_mutex_unlock(&disc_lock);
	return err;
}

__u64 bs_tport__queued(struct bs_tport *t, __u32 prog_id, __u32 stream_id)
{
	struct bs_tport_prog *p;
	__u64 n = 0, lost;

	pthread_mutex_lock(&disc_lock);
	p = tport_prog(t, prog_id);
	if (p && p->ring_idx >= 0)
		bs_ring__counts(t->ring, p->ring_idx, stream_id, &n, &lost);
	pthread_mutex_unlock(&disc_lock);
	return n;
}

int bs_tport__dropped(struct bs_tport *t, __u32 stream_id, __u64 *count)
{
	struct bpf_stream_stats st;
	size_t i;
	int err;

	err = tport_stats(t, stream_id, &st);
	if (err)
		return err;
	*count = st.dropped + st.sited;
	pthread_mutex_lock(&disc_lock);
	for (i = 0; t->ring && i < t->nr_progs; i++) {
		__u64 queued, lost;

		bs_ring__counts(t->ring, i, stream_id, &queued, &lost);
		*count += lost;
	}
	pthread_mutex_unlock(&disc_lock);
	return 0;
}

void bs_tport_release(const __u32 *ids, size_t n)
{
	struct bs_tport *t, *next;
	size_t i;

	pthread_mutex_lock(&disc_lock);
	for (i = 0; i < n; i++)
		id_set_add(&released_ids, ids[i]);
	for (t = tport_head; t; t = next) {
		next = t->next;
		for (i = 0; i < n; i++) {
			if (tport_prog(t, ids[i])) {
				tport_unlink(t);
				break;
			}
		}
	}
	pthread_mutex_unlock(&disc_lock);
}

bool bs_prog_released(__u32 prog_id)
{
	bool yes;

	pthread_mutex_lock(&disc_lock);
	yes = id_set_has(&released_ids, prog_id);
	pthread_mutex_unlock(&disc_lock);
	return yes;
}

int bpf_stream_prog_transport(int prog_fd, struct bpf_stream_prog_stats *stats)
{
	struct bs_tport *t;
	__u32 prog_id, sid;
	int err, ret;

	if (!OPTS_VALID(stats, bpf_stream_prog_stats))
		return bs_err(-EINVAL);
	err = bs_prog_identify(prog_fd, &prog_id, NULL, 0);
	if (err)
		return bs_err(err);
	t = bs_tport__get(prog_fd, prog_id, NULL);
	if (!t)
		return bs_err(-ENOENT);
	ret = bs_tport__transport(t);
	for (sid = BPF_STDOUT; stats && sid <= BPF_STDERR; sid++) {
		struct bs_drops d;

		if (OPTS_HAS(stats, dropped) && !bs_tport__drops(t, prog_id, sid, &d))
			stats->dropped[sid] = d.n[BS_DROP_OWN] + d.n[BS_DROP_SHARED] +
					      d.n[BS_DROP_UNKNOWN] + d.n[BS_DROP_OVERSIZE];
		if (OPTS_HAS(stats, queued))
			stats->queued[sid] = bs_tport__queued(t, prog_id, sid);
	}
	bs_tport__put(t);
	return ret;
}
