// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Transport choice, written into the object itself.
 *
 * bpf_stream_prepare() asks the probe (probe.c) what the kernel offers,
 * picks native streams or the ring-buffer transport of bpf_stream.h, binds
 * the object's kfunc extern to the kernel's kfunc when native (bind.c) and
 * writes the choice into the object: the .rodata constant
 * bpf_stream_transport_sel, and why, as the drop-counter map's size
 * (BPF_STREAM_STAT_ENTRIES(why), bpf_stream_record.h). Nothing is kept in
 * the process: after load, drains, iterators and readers find everything
 * from the kernel (discovery.c), and the bpf_stream_object_* calls read the
 * object the caller passes, during the call only.
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

/* Where the .rodata variable @var of @size bytes lives: the object's .rodata
 * map and its byte offset there (from BTF DATASEC). -ENOENT if absent. */
static int find_rodata_var(const struct bpf_object *obj, const char *var_name, __u32 size,
			   struct bpf_map **map_out, __u32 *off_out)
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

		if (!name || strcmp(name, var_name))
			continue;
		if (vs->size != size)
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

/* The selector: bpf_stream_transport_sel. */
static int find_selector(const struct bpf_object *obj, struct bpf_map **map_out, __u32 *off_out)
{
	return find_rodata_var(obj, BPF_STREAM_SEL_VAR, sizeof(__u32), map_out, off_out);
}

/* Write @size bytes at @off of .rodata through libbpf's public API (a copy
 * of the map's initial value, changed and set back). */
static int set_rodata(struct bpf_map *rodata, __u32 off, const void *val, size_t size)
{
	size_t sz = 0;
	const void *cur = bpf_map__initial_value(rodata, &sz);
	char *copy;
	int err;

	if (!cur || off + size > sz)
		return -ENOENT;
	copy = malloc(sz);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, cur, sz);
	memcpy(copy + off, val, size);
	err = bpf_map__set_initial_value(rodata, copy, sz) ? -errno : 0;
	free(copy);
	return err;
}

static int set_selector(struct bpf_map *rodata, __u32 off, __u32 sel)
{
	return set_rodata(rodata, off, &sel, sizeof(sel));
}

/* Name this process as the one that reads the object (consumer.c), from
 * its load on. An object of an older bpf_stream.h has no such constant. */
static int set_owner(const struct bpf_object *obj)
{
	struct bs_consumer self;
	struct bpf_map *rodata;
	__u64 v;
	__u32 off;

	if (find_rodata_var(obj, BPF_STREAM_OWNER_VAR, sizeof(__u64), &rodata, &off) ||
	    !bs_consumer_self(&self))
		return 0;
	v = bs_consumer_pack(&self);
	return set_rodata(rodata, off, &v, sizeof(v));
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

/* What the object says about why prepare() chose its transport: the
 * drop-counter map's size (BPF_STREAM_STAT_ENTRIES). */
#define WHY_BIND_STR "bpf_stream.h's kfunc extern cannot be bound to this kernel"
#define WHY_NO_HEADER_STR "object not built with bpf_stream.h: native streams only"

static const char *why_str(__u32 why)
{
	struct bs_kernel k;

	switch (why) {
	case BPF_STREAM_WHY_ENV:
		return "forced by BPF_STREAM_TRANSPORT";
	case BPF_STREAM_WHY_CALLER:
		return "requested by the caller";
	case BPF_STREAM_WHY_PROBE:
		k = bs_kernel_probe();
		return bs_kernel_native_problem(&k) ?: "native streams did not work when prepared";
	case BPF_STREAM_WHY_BIND:
		return WHY_BIND_STR;
	case BPF_STREAM_WHY_WORKS:
		return "native streams work on this kernel";
	default:
		return "chosen by bpf_stream_prepare()";
	}
}

static int set_why(struct bpf_object *obj, __u32 why)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, BPF_STREAM_STATS_MAP);

	if (!m)
		return 0;
	return bpf_map__set_max_entries(m, BPF_STREAM_STAT_ENTRIES(why)) ? -errno : 0;
}

static __u32 get_why(const struct bpf_object *obj)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, BPF_STREAM_STATS_MAP);
	__u32 n = m ? bpf_map__max_entries(m) : 0;

	return n > BPF_STREAM_STAT_ENTRIES(0) ? n - BPF_STREAM_STAT_ENTRIES(0) : 0;
}

/* The object's selector as prepare() left it (its .rodata), or -ENOENT
 * if it was not built with bpf_stream.h. */
static int get_selector(const struct bpf_object *obj, __u32 *sel)
{
	struct bpf_map *rodata;
	const void *init;
	__u32 off = 0;
	size_t sz = 0;
	int err;

	err = find_selector(obj, &rodata, &off);
	if (err)
		return err;
	init = bpf_map__initial_value(rodata, &sz);
	if (!init || off + sizeof(*sel) > sz)
		return -ENOENT;
	memcpy(sel, (const char *)init + off, sizeof(*sel));
	return 0;
}

int bpf_stream_prepare_opts(struct bpf_object *obj, const struct bpf_stream_prepare_opts *opts)
{
	enum bpf_stream_transport want, got;
	const char *native_bad;
	__u32 why;
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
	why = native_bad ? BPF_STREAM_WHY_PROBE : BPF_STREAM_WHY_WORKS;
	if (!native_bad && has_sel && want != BPF_STREAM_TRANSPORT_RINGBUF &&
	    bs_bind_kfunc(obj, &k, &native_bad) < 0) {
		why = BPF_STREAM_WHY_BIND;
		if (!native_bad)
			native_bad = WHY_BIND_STR;
	}
	if (want == BPF_STREAM_TRANSPORT_NATIVE) {
		if (native_bad) {
			pr_warn("%s cannot work here: %s\n",
				from_env ? "BPF_STREAM_TRANSPORT=native" : "native transport requested but it",
				native_bad);
			return bs_err(-EOPNOTSUPP);
		}
		got = BPF_STREAM_TRANSPORT_NATIVE;
		why = from_env ? BPF_STREAM_WHY_ENV : BPF_STREAM_WHY_CALLER;
	} else if (want == BPF_STREAM_TRANSPORT_RINGBUF) {
		got = BPF_STREAM_TRANSPORT_RINGBUF;
		why = from_env ? BPF_STREAM_WHY_ENV : BPF_STREAM_WHY_CALLER;
	} else if (native_bad) {
		got = BPF_STREAM_TRANSPORT_RINGBUF;
	} else {
		got = BPF_STREAM_TRANSPORT_NATIVE;
	}
	if (!has_sel) {
		/* Not built with bpf_stream.h: its programs can only use native
		 * streams (the kernel's own reports, or their own kfunc calls). */
		if (got == BPF_STREAM_TRANSPORT_RINGBUF && want == BPF_STREAM_TRANSPORT_RINGBUF) {
			pr_warn("ringbuf transport requested, but the object was not built with bpf_stream.h\n");
			return bs_err(-ENOENT);
		}
		got = BPF_STREAM_TRANSPORT_NATIVE;
	} else {
		__u32 sel = got == BPF_STREAM_TRANSPORT_NATIVE ? BPF_STREAM_SEL_NATIVE
							       : BPF_STREAM_SEL_RINGBUF;

		err = set_selector(rodata, sel_off, sel);
		if (!err)
			err = set_owner(obj);
		if (!err)
			err = set_why(obj, why);
		if (err)
			return bs_err(err);
		/* bpf_stream_print_stack(): either transport (bind.c) */
		bs_bind_print_stack(obj);
		if (got == BPF_STREAM_TRANSPORT_NATIVE) {
			/* the ring stays unused: keep it at its smallest size */
			struct bpf_map *rb = bpf_object__find_map_by_name(obj, BPF_STREAM_RINGBUF_MAP);

			if (rb)
				bpf_map__set_max_entries(rb, sysconf(_SC_PAGESIZE));
		}
	}

	pr_debug("object '%s': %s transport (%s)\n", bpf_object__name(obj) ?: "",
		 bpf_stream_transport_str(got), has_sel ? why_str(why) : WHY_NO_HEADER_STR);
	return 0;
}

int bpf_stream_prepare(struct bpf_object *obj)
{
	return bpf_stream_prepare_opts(obj, NULL);
}

int bs_object_check(const struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		int fd = bpf_program__fd(prog);
		__u32 id;

		if (fd >= 0 && !bs_prog_identify(fd, &id, NULL, 0) && bs_prog_released(id))
			return -ESTALE;
	}
	return 0;
}

int bpf_stream_object_transport(const struct bpf_object *obj, const char **reason)
{
	__u32 sel;
	int err;

	if (!obj)
		return bs_err(-EINVAL);
	err = bs_object_check(obj);
	if (err)
		return bs_err(err);
	if (get_selector(obj, &sel)) {
		/* not built with bpf_stream.h: the kernel's own streams only */
		if (reason)
			*reason = WHY_NO_HEADER_STR;
		return BPF_STREAM_TRANSPORT_NATIVE;
	}
	if (sel != BPF_STREAM_SEL_NATIVE && sel != BPF_STREAM_SEL_RINGBUF)
		return bs_err(-ENOENT);	/* not prepared */
	if (reason)
		*reason = why_str(get_why(obj));
	return sel == BPF_STREAM_SEL_NATIVE ? BPF_STREAM_TRANSPORT_NATIVE
					    : BPF_STREAM_TRANSPORT_RINGBUF;
}

int bpf_stream_object_dropped(struct bpf_object *obj, __u32 stream_id, __u64 *count)
{
	struct bpf_stream_stats st;
	struct bpf_program *prog;
	struct bpf_map *m;
	int fd, err;

	if (!obj || !count)
		return bs_err(-EINVAL);
	if (!bs_stream_id_valid(stream_id))
		return bs_err(-ENOENT);
	err = bs_object_check(obj);
	if (err)
		return bs_err(err);
	/* through the kernel's view of a program: ring records this process
	 * could not queue count too */
	bpf_object__for_each_program(prog, obj) {
		struct bs_tport *t;
		__u32 id;

		fd = bpf_program__fd(prog);
		if (fd < 0 || bs_prog_identify(fd, &id, NULL, 0))
			continue;
		t = bs_tport__get(fd, id, NULL);
		if (!t)
			continue;
		err = bs_tport__dropped(t, stream_id, count);
		bs_tport__put(t);
		return bs_err(err);
	}
	/* no program of it prints: its own map */
	m = bpf_object__find_map_by_name(obj, BPF_STREAM_STATS_MAP);
	fd = m ? bpf_map__fd(m) : -1;
	if (fd < 0)
		return bs_err(-ENOENT);
	memset(&st, 0, sizeof(st));
	if (bpf_map_lookup_elem(fd, &stream_id, &st))
		return bs_err(-errno);
	*count = st.dropped + st.sited;
	return 0;
}

void bpf_stream_release(struct bpf_object *obj)
{
	struct bpf_program *prog;
	struct bpf_map *rodata;
	__u32 ids[64], off, sel;
	size_t n = 0;

	if (!obj)
		return;
	if (!object_loaded(obj)) {
		/* opened, maybe prepared: undo prepare */
		if (!get_selector(obj, &sel) && sel != BPF_STREAM_SEL_DEFAULT &&
		    !find_selector(obj, &rodata, &off)) {
			set_selector(rodata, off, BPF_STREAM_SEL_DEFAULT);
			set_why(obj, 0);
		}
		return;
	}
	bpf_object__for_each_program(prog, obj) {
		int fd = bpf_program__fd(prog);

		if (fd >= 0 && !bs_prog_identify(fd, &ids[n], NULL, 0) && ++n == 64) {
			bs_tport_release(ids, n);
			n = 0;
		}
	}
	bs_tport_release(ids, n);
}
