// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Transport choice and the registry of prepared objects.
 *
 * bpf_stream_prepare() asks the probe (probe.c) what the kernel offers,
 * picks native streams or the ring-buffer transport of bpf_stream.h, binds
 * the object's kfunc extern to the kernel's kfunc when native (bind.c),
 * writes the choice into the object's .rodata constant
 * bpf_stream_transport_sel and registers the object. After
 * the object is loaded, the registry binds it lazily (first lookup): it keeps
 * its own dup'd fds of the programs, the ring buffer and the drop counters,
 * so drains, iterators and readers find which transport carries a program
 * (bs_object_find_prog) and read ring records through bs_source_read().
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "stream_internal.h"
#include "bpf_stream_record.h"

/* ---- the registry ----------------------------------------------------------- */

struct bs_prog_ent {
	__u32 id;
	int fd;		/* our dup */
	char *name;
};

struct bs_object {
	struct bs_object *next;
	const struct bpf_object *obj;
	char *name;
	enum bpf_stream_transport transport;
	const char *reason;
	bool native_stderr;	/* ringbuf transport on a kernel with native streams */
	bool bound;		/* fds and ids taken after load */
	int stats_fd;		/* our dup, or -1 */
	int rb_fd;		/* our dup, or -1 */
	struct bs_prog_ent *progs;
	size_t nr_progs;
	struct bs_ring *ring;
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bs_object *reg_head;

static void object_unbind(struct bs_object *o)
{
	size_t i;

	bs_ring__free(o->ring);
	o->ring = NULL;
	for (i = 0; i < o->nr_progs; i++) {
		if (o->progs[i].fd >= 0)
			close(o->progs[i].fd);
		free(o->progs[i].name);
	}
	free(o->progs);
	o->progs = NULL;
	o->nr_progs = 0;
	if (o->stats_fd >= 0)
		close(o->stats_fd);
	if (o->rb_fd >= 0)
		close(o->rb_fd);
	o->stats_fd = o->rb_fd = -1;
	o->bound = false;
}

static void object_free(struct bs_object *o)
{
	object_unbind(o);
	free(o->name);
	free(o);
}

static int fcntl_dupfd(int fd)
{
	return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

static int dup_map_fd(const struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);
	int fd = m ? bpf_map__fd(m) : -1;

	return fd >= 0 ? fcntl_dupfd(fd) : -1;
}

/* Take fds and ids of a loaded object. Caller holds reg_lock.
 * Return: 0, -EAGAIN (not loaded yet) or -errno. */
static int object_bind(struct bs_object *o)
{
	struct bpf_object *obj = (struct bpf_object *)o->obj;
	struct bpf_program *prog;
	int *fds = NULL;
	size_t n = 0, cap = 0;
	int err = 0;

	if (o->bound)
		return 0;
	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		struct bs_prog_ent *ent;
		int fd = bpf_program__fd(prog);

		if (fd < 0)
			continue;
		if (n == cap) {
			void *p = realloc(o->progs, (cap ? cap * 2 : 4) * sizeof(*o->progs));

			if (!p) {
				err = -ENOMEM;
				goto fail;
			}
			o->progs = p;
			cap = cap ? cap * 2 : 4;
		}
		ent = &o->progs[n];
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			err = -errno;
			goto fail;
		}
		ent->id = info.id;
		ent->name = strdup(bpf_program__name(prog));
		ent->fd = fcntl_dupfd(fd);
		o->nr_progs = ++n;
		if (!ent->name || ent->fd < 0) {
			err = ent->fd < 0 ? -errno : -ENOMEM;
			goto fail;
		}
	}
	if (!n)
		return -EAGAIN;
	o->stats_fd = dup_map_fd(obj, BPF_STREAM_STATS_MAP);
	o->rb_fd = dup_map_fd(obj, BPF_STREAM_RINGBUF_MAP);
	if (o->transport == BPF_STREAM_TRANSPORT_RINGBUF) {
		size_t i;

		if (o->rb_fd < 0) {
			err = -ENOENT;
			goto fail;
		}
		fds = calloc(n, sizeof(*fds));
		if (!fds) {
			err = -ENOMEM;
			goto fail;
		}
		for (i = 0; i < n; i++)
			fds[i] = o->progs[i].fd;
		o->ring = bs_ring__new(o->rb_fd, fds, n);
		free(fds);
		if (!o->ring) {
			err = -errno;
			goto fail;
		}
	}
	o->bound = true;
	return 0;
fail:
	object_unbind(o);
	return err;
}

struct bs_object *bs_object_find(const struct bpf_object *obj)
{
	struct bs_object *o;

	if (!obj)
		return NULL;
	pthread_mutex_lock(&reg_lock);
	for (o = reg_head; o; o = o->next) {
		if (o->obj == obj) {
			object_bind(o);
			break;
		}
	}
	pthread_mutex_unlock(&reg_lock);
	return o;
}

static struct bs_prog_ent *object_prog(struct bs_object *o, __u32 prog_id, size_t *idx)
{
	size_t i;

	for (i = 0; i < o->nr_progs; i++) {
		if (o->progs[i].id == prog_id) {
			if (idx)
				*idx = i;
			return &o->progs[i];
		}
	}
	return NULL;
}

struct bs_object *bs_object_find_prog(__u32 prog_id)
{
	struct bs_object *o;

	if (!prog_id)
		return NULL;
	pthread_mutex_lock(&reg_lock);
	for (o = reg_head; o; o = o->next) {
		if (object_bind(o))
			continue;
		if (object_prog(o, prog_id, NULL))
			break;
	}
	pthread_mutex_unlock(&reg_lock);
	return o;
}

const char *bs_object_prog_name(struct bs_object *o, __u32 prog_id)
{
	struct bs_prog_ent *p;

	if (!o)
		return NULL;
	pthread_mutex_lock(&reg_lock);
	p = o->bound ? object_prog(o, prog_id, NULL) : NULL;
	pthread_mutex_unlock(&reg_lock);
	return p ? p->name : NULL;
}

const char *bs_object_name(struct bs_object *o)
{
	return o && o->name ? o->name : "";
}

int bs_object_ring_epoll_fd(struct bs_object *o)
{
	int fd;

	if (!o)
		return -1;
	pthread_mutex_lock(&reg_lock);
	fd = o->ring ? bs_ring__epoll_fd(o->ring) : -1;
	pthread_mutex_unlock(&reg_lock);
	return fd;
}

int bs_object_ring_read(struct bs_object *o, __u32 prog_id, __u32 stream_id, void *buf,
			size_t len, struct bs_source_meta *meta)
{
	struct bs_ring *ring;
	size_t idx;

	if (!o)
		return -ENOENT;
	pthread_mutex_lock(&reg_lock);
	ring = o->ring;
	if (!ring || !object_prog(o, prog_id, &idx)) {
		pthread_mutex_unlock(&reg_lock);
		return -ENOENT;
	}
	pthread_mutex_unlock(&reg_lock);
	/* the ring lives until bpf_stream_release(), like the entry itself */
	return bs_ring__read(ring, idx, stream_id, buf, len, meta);
}

bool bs_object_native_stderr(struct bs_object *o)
{
	return o && o->native_stderr;
}

static int read_stats(int fd, __u32 stream_id, __u64 *count)
{
	struct bpf_stream_stats st;

	if (bpf_map_lookup_elem(fd, &stream_id, &st))
		return -errno;
	*count = st.dropped;
	return 0;
}

int bs_object_dropped(struct bs_object *o, __u32 stream_id, __u64 *count)
{
	__u64 n = 0;
	int err;

	if (!o || !count)
		return bs_err(-EINVAL);
	if (!bs_stream_id_valid(stream_id))
		return bs_err(-ENOENT);
	pthread_mutex_lock(&reg_lock);
	err = object_bind(o);
	if (!err && o->stats_fd < 0)
		err = -ENOENT;
	if (!err)
		err = read_stats(o->stats_fd, stream_id, &n);
	if (!err && o->ring)
		n += bs_ring__lost(o->ring, stream_id);
	pthread_mutex_unlock(&reg_lock);
	if (err)
		return bs_err(err);
	*count = n;
	return 0;
}

/* ---- public API -------------------------------------------------------------- */

const char *bpf_stream_transport_str(enum bpf_stream_transport t)
{
	switch (t) {
	case BPF_STREAM_TRANSPORT_AUTO:
		return "auto";
	case BPF_STREAM_TRANSPORT_NATIVE:
		return "native";
	case BPF_STREAM_TRANSPORT_RINGBUF:
		return "ringbuf";
	default:
		return "unknown";
	}
}

static bool object_loaded(const struct bpf_object *obj)
{
	struct bpf_program *prog;
	struct bpf_map *map;

	bpf_object__for_each_program(prog, obj) {
		if (bpf_program__fd(prog) >= 0)
			return true;
	}
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__fd(map) >= 0)
			return true;
	}
	return false;
}

/* Where the selector lives: the object's .rodata map and the byte offset of
 * bpf_stream_transport_sel in it (from BTF DATASEC). -ENOENT if absent. */
static int find_selector(const struct bpf_object *obj, struct bpf_map **map_out, __u32 *off_out)
{
	struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct bpf_map *map;
	int id, i;

	if (!btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (id <= 0)
		return -ENOENT;
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);
		const char *name = var ? btf__name_by_offset(btf, var->name_off) : NULL;

		if (!name || strcmp(name, BPF_STREAM_SEL_VAR))
			continue;
		if (vs->size != sizeof(__u32))
			return -EPROTO;
		bpf_object__for_each_map(map, obj) {
			const char *mname = bpf_map__name(map);
			size_t l = strlen(mname);

			if (bpf_map__is_internal(map) && l >= 7 && !strcmp(mname + l - 7, ".rodata")) {
				*map_out = map;
				*off_out = vs->offset;
				return 0;
			}
		}
		return -ENOENT;
	}
	return -ENOENT;
}

/* Write the selector through libbpf's public API (a copy of the map's
 * initial value, changed and set back). */
static int set_selector(struct bpf_map *rodata, __u32 off, __u32 sel)
{
	size_t sz = 0;
	const void *cur = bpf_map__initial_value(rodata, &sz);
	char *copy;
	int err;

	if (!cur || off + sizeof(sel) > sz)
		return -ENOENT;
	copy = malloc(sz);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, cur, sz);
	memcpy(copy + off, &sel, sizeof(sel));
	err = bpf_map__set_initial_value(rodata, copy, sz) ? -errno : 0;
	free(copy);
	return err;
}

static int transport_from_env(enum bpf_stream_transport *t)
{
	const char *v = getenv("BPF_STREAM_TRANSPORT");

	if (!v || !*v)
		return 0;
	if (!strcmp(v, "native"))
		*t = BPF_STREAM_TRANSPORT_NATIVE;
	else if (!strcmp(v, "ringbuf"))
		*t = BPF_STREAM_TRANSPORT_RINGBUF;
	else if (!strcmp(v, "auto"))
		*t = BPF_STREAM_TRANSPORT_AUTO;
	else {
		pr_warn("BPF_STREAM_TRANSPORT='%s' is not one of native, ringbuf, auto\n", v);
		return -EINVAL;
	}
	return 1;
}

/* Enter @obj in the registry (or reset its entry) with its transport. */
static int object_register(const struct bpf_object *obj, enum bpf_stream_transport got,
			   const char *reason, bool native_stderr)
{
	struct bs_object *o;

	pthread_mutex_lock(&reg_lock);
	for (o = reg_head; o && o->obj != obj; o = o->next)
		;
	if (!o) {
		o = calloc(1, sizeof(*o));
		if (o)
			o->name = strdup(bpf_object__name(obj) ? bpf_object__name(obj) : "");
		if (!o || !o->name) {
			free(o);
			pthread_mutex_unlock(&reg_lock);
			return -ENOMEM;
		}
		o->obj = obj;
		o->stats_fd = o->rb_fd = -1;
		o->next = reg_head;
		reg_head = o;
	}
	/* prepared again (or a stale entry of a closed object at the same
	 * address): start from a clean binding */
	object_unbind(o);
	o->transport = got;
	o->reason = reason;
	o->native_stderr = native_stderr;
	pthread_mutex_unlock(&reg_lock);
	return 0;
}

int bpf_stream_prepare_opts(struct bpf_object *obj, const struct bpf_stream_prepare_opts *opts)
{
	enum bpf_stream_transport want, got;
	const char *reason, *native_bad;
	struct bpf_map *rodata = NULL;
	struct bs_kernel k;
	__u32 sel_off = 0;
	bool has_sel, from_env;
	int err;

	if (!obj || !OPTS_VALID(opts, bpf_stream_prepare_opts))
		return bs_err(-EINVAL);
	want = OPTS_GET(opts, transport, BPF_STREAM_TRANSPORT_AUTO);
	if (want != BPF_STREAM_TRANSPORT_AUTO && want != BPF_STREAM_TRANSPORT_NATIVE &&
	    want != BPF_STREAM_TRANSPORT_RINGBUF)
		return bs_err(-EINVAL);
	if (object_loaded(obj))
		return bs_err(-EBUSY);
	err = transport_from_env(&want);
	if (err < 0)
		return bs_err(err);
	from_env = err > 0;

	has_sel = !find_selector(obj, &rodata, &sel_off);
	k = bs_kernel_probe();
	native_bad = bs_kernel_native_problem(&k);
	if (!native_bad && has_sel && want != BPF_STREAM_TRANSPORT_RINGBUF &&
	    bs_bind_kfunc(obj, &k, &native_bad) < 0 && !native_bad)
		native_bad = "bpf_stream.h's kfunc extern cannot be bound to this kernel";
	if (want == BPF_STREAM_TRANSPORT_NATIVE) {
		if (native_bad) {
			pr_warn("%s cannot work here: %s\n",
				from_env ? "BPF_STREAM_TRANSPORT=native" : "native transport requested but it",
				native_bad);
			return bs_err(-EOPNOTSUPP);
		}
		got = BPF_STREAM_TRANSPORT_NATIVE;
		reason = from_env ? "forced by BPF_STREAM_TRANSPORT" : "requested by the caller";
	} else if (want == BPF_STREAM_TRANSPORT_RINGBUF) {
		got = BPF_STREAM_TRANSPORT_RINGBUF;
		reason = from_env ? "forced by BPF_STREAM_TRANSPORT" : "requested by the caller";
	} else if (native_bad) {
		got = BPF_STREAM_TRANSPORT_RINGBUF;
		reason = native_bad;
	} else {
		got = BPF_STREAM_TRANSPORT_NATIVE;
		reason = "native streams work on this kernel";
	}
	if (!has_sel) {
		/* Not built with bpf_stream.h: its programs can only use native
		 * streams (the kernel's own reports, or their own kfunc calls). */
		if (got == BPF_STREAM_TRANSPORT_RINGBUF && want == BPF_STREAM_TRANSPORT_RINGBUF) {
			pr_warn("ringbuf transport requested, but the object was not built with bpf_stream.h\n");
			return bs_err(-ENOENT);
		}
		got = BPF_STREAM_TRANSPORT_NATIVE;
		reason = "object not built with bpf_stream.h: native streams only";
	} else {
		__u32 sel = got == BPF_STREAM_TRANSPORT_NATIVE ? BPF_STREAM_SEL_NATIVE
							       : BPF_STREAM_SEL_RINGBUF;

		err = set_selector(rodata, sel_off, sel);
		if (err)
			return bs_err(err);
		if (got == BPF_STREAM_TRANSPORT_NATIVE) {
			/* the ring stays unused: keep it at its smallest size */
			struct bpf_map *rb = bpf_object__find_map_by_name(obj, BPF_STREAM_RINGBUF_MAP);

			if (rb)
				bpf_map__set_max_entries(rb, sysconf(_SC_PAGESIZE));
		}
	}

	err = object_register(obj, got, reason, got == BPF_STREAM_TRANSPORT_RINGBUF && k.kfunc_in_btf);
	if (err)
		return bs_err(err);
	pr_debug("object '%s': %s transport (%s)\n", bpf_object__name(obj) ?: "",
		 bpf_stream_transport_str(got), reason);
	return 0;
}

struct bs_object *bs_object_adopt(struct bpf_object *obj)
{
	struct bs_object *o = bs_object_find(obj);
	enum bpf_stream_transport got;
	struct bpf_map *rodata = NULL;
	const char *reason;
	struct bs_kernel k;
	__u64 drops[3] = {};
	const void *init;
	__u32 off = 0, sel, sid;
	size_t sz = 0;
	int stats_fd;

	if (o || !obj || !object_loaded(obj) || find_selector(obj, &rodata, &off))
		return o;	/* prepared, not loaded, or not built with bpf_stream.h */
	init = bpf_map__initial_value(rodata, &sz);
	if (!init || off + sizeof(sel) > sz)
		return NULL;
	memcpy(&sel, (const char *)init + off, sizeof(sel));
	k = bs_kernel_probe();
	if (sel == BPF_STREAM_SEL_NATIVE ||
	    (sel == BPF_STREAM_SEL_DEFAULT && k.kfunc_name && bs_libbpf_resolves_flavours())) {
		got = BPF_STREAM_TRANSPORT_NATIVE;
		reason = "not prepared: bpf_stream.h's default bound the kernel's stream kfunc";
	} else {
		got = BPF_STREAM_TRANSPORT_RINGBUF;
		reason = "not prepared: bpf_stream.h's default wrote to its ring buffer";
	}
	if (object_register(obj, got, reason, got == BPF_STREAM_TRANSPORT_RINGBUF && k.kfunc_in_btf))
		return NULL;
	stats_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, BPF_STREAM_STATS_MAP));
	for (sid = BPF_STDOUT; stats_fd >= 0 && sid <= BPF_STDERR; sid++)
		read_stats(stats_fd, sid, &drops[sid]);
	pr_warn("object '%s' was loaded without bpf_stream_prepare(): read as %s (%s); %llu stdout and %llu stderr messages counted as dropped so far\n",
		bpf_object__name(obj) ?: "", bpf_stream_transport_str(got), reason,
		(unsigned long long)drops[BPF_STDOUT], (unsigned long long)drops[BPF_STDERR]);
	return bs_object_find(obj);
}

int bpf_stream_prepare(struct bpf_object *obj)
{
	return bpf_stream_prepare_opts(obj, NULL);
}

int bpf_stream_object_transport(const struct bpf_object *obj, const char **reason)
{
	struct bs_object *o;
	int ret = -ENOENT;

	if (!obj)
		return bs_err(-EINVAL);
	pthread_mutex_lock(&reg_lock);
	for (o = reg_head; o; o = o->next) {
		if (o->obj == obj) {
			ret = o->transport;
			if (reason)
				*reason = o->reason;
			break;
		}
	}
	pthread_mutex_unlock(&reg_lock);
	return bs_err(ret);
}

int bpf_stream_object_dropped(struct bpf_object *obj, __u32 stream_id, __u64 *count)
{
	struct bs_object *o;
	struct bpf_map *m;
	int fd;

	if (!obj || !count)
		return bs_err(-EINVAL);
	if (!bs_stream_id_valid(stream_id))
		return bs_err(-ENOENT);
	o = bs_object_find(obj);
	if (o && o->bound)
		return bs_object_dropped(o, stream_id, count);
	/* not prepared (or not loaded): read the object's own map */
	m = bpf_object__find_map_by_name(obj, BPF_STREAM_STATS_MAP);
	fd = m ? bpf_map__fd(m) : -1;
	if (fd < 0)
		return bs_err(-ENOENT);
	return bs_err(read_stats(fd, stream_id, count));
}

void bpf_stream_release(struct bpf_object *obj)
{
	struct bs_object **pp, *o = NULL;

	if (!obj)
		return;
	pthread_mutex_lock(&reg_lock);
	for (pp = &reg_head; *pp; pp = &(*pp)->next) {
		if ((*pp)->obj == obj) {
			o = *pp;
			*pp = o->next;
			break;
		}
	}
	pthread_mutex_unlock(&reg_lock);
	if (o)
		object_free(o);
}
