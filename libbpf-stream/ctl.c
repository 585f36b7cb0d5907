// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Levels and run-time control of call sites (docs/control.md).
 *
 * Everything is found from a program fd, through the kernel, like the rest
 * of discovery: the program's translated instructions name its call sites
 * (ld_imm64 of .rodata at the sentinel + site, as in sites.c); the .rodata
 * map's value holds each site's format followed by its struct
 * bpf_stream_site_meta (control index, level, source line); the map whose
 * BTF declares BPF_STREAM_CTL_VAR holds the switches and counters; the
 * bpf_stream_drop hash the drops. Writes go through an mmap of the control
 * map (one field at a time, the mode last) when the map allows it, else a
 * read-modify-write of its value.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "stream_internal.h"
#include "bpf_stream_record.h"
#include "bpf_stream_ctl.h"

struct bpf_stream_sites {
	struct bpf_stream_site *v;
	size_t n, cap;
	char *rodata;		/* value of .rodata (formats and meta point here) */
	__u32 rodata_size;
};

/* The maps of one object that control its sites. */
struct ctl_maps {
	__u32 rodata_id, ctl_id;
	int rodata_fd, ctl_fd, drop_fd;	/* -1 if none */
	long base;			/* sentinel offset in .rodata */
	long ctl_off;			/* BPF_STREAM_CTL_VAR offset in the ctl map's value */
	__u32 ctl_n;			/* its entries */
	__u32 ctl_value_size, ctl_flags;
};

static void ctl_maps_close(struct ctl_maps *m)
{
	if (m->rodata_fd >= 0)
		close(m->rodata_fd);
	if (m->ctl_fd >= 0)
		close(m->ctl_fd);
	if (m->drop_fd >= 0)
		close(m->drop_fd);
	m->rodata_fd = m->ctl_fd = m->drop_fd = -1;
}

static int ctl_maps_find(int prog_fd, struct ctl_maps *m, struct bpf_prog_info *pi)
{
	__u32 *maps = NULL, i;
	int err;

	memset(m, 0, sizeof(*m));
	m->rodata_fd = m->ctl_fd = m->drop_fd = -1;
	err = bs_prog_info_maps(prog_fd, pi, &maps);
	if (err)
		return err;
	for (i = 0; i < pi->nr_map_ids; i++) {
		struct bpf_map_info mi;
		__u32 len = sizeof(mi), sz = 0;
		int fd = bpf_map_get_fd_by_id(maps[i]);
		bool keep = false;
		long off;

		if (fd < 0) {
			err = -errno;
			if (err == -EPERM || err == -EACCES)
				break;
			err = 0;
			continue;
		}
		memset(&mi, 0, sizeof(mi));
		if (bpf_obj_get_info_by_fd(fd, &mi, &len)) {
			close(fd);
			continue;
		}
		if (mi.type == BPF_MAP_TYPE_HASH && !strcmp(mi.name, BPF_STREAM_DROPS_MAP) &&
		    mi.key_size == sizeof(struct bpf_stream_drop_key) &&
		    mi.value_size == sizeof(__u64) && m->drop_fd < 0) {
			m->drop_fd = fd;
			keep = true;
		} else if (m->rodata_fd < 0 && strstr(mi.name, ".rodata") &&
			   (off = bs_datasec_var(&mi, BPF_STREAM_FMT_BASE_VAR, &sz)) >= 0 &&
			   sz == sizeof(__u64)) {
			m->rodata_fd = fd;
			m->rodata_id = mi.id;
			m->base = off;
			keep = true;
		} else if (m->ctl_fd < 0 && mi.type == BPF_MAP_TYPE_ARRAY &&
			   (off = bs_datasec_var(&mi, BPF_STREAM_CTL_VAR, &sz)) >= 0 &&
			   sz >= sizeof(struct bpf_stream_site_state) &&
			   sz % sizeof(struct bpf_stream_site_state) == 0) {
			m->ctl_fd = fd;
			m->ctl_id = mi.id;
			m->ctl_off = off;
			m->ctl_n = sz / sizeof(struct bpf_stream_site_state);
			m->ctl_value_size = mi.value_size;
			m->ctl_flags = mi.map_flags;
			keep = true;
		}
		if (!keep)
			close(fd);
	}
	free(maps);
	if (err) {
		ctl_maps_close(m);
		return err;
	}
	if (m->rodata_fd < 0 || m->ctl_fd < 0) {
		ctl_maps_close(m);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* The .rodata offsets (sites) program @prog_fd loads from map @rodata_id. */
static int prog_site_offsets(int prog_fd, __u32 rodata_id, __u32 **offs, size_t *n)
{
	__u32 ninsns, j;
	struct bpf_insn *insns;
	size_t cnt = *n;
	int err;

	err = bs_prog_xlated(prog_fd, &insns, &ninsns);
	if (err)
		return err;
	for (j = 0; j + 1 < ninsns; j++) {
		if (insns[j].code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (insns[j].src_reg == BPF_PSEUDO_MAP_VALUE && (__u32)insns[j].imm == rodata_id) {
			__u32 *p = realloc(*offs, (cnt + 1) * sizeof(**offs));

			if (!p) {
				err = -ENOMEM;
				goto out;
			}
			*offs = p;
			p[cnt++] = (__u32)insns[j + 1].imm;
		}
		j++;
	}
out:
	*n = cnt;
	free(insns);
	return err;
}

/* Offsets of every program of the object (same BTF, same .rodata map). */
static int object_site_offsets(__u32 btf_id, __u32 rodata_id, __u32 **offs, size_t *n)
{
	__u32 id = 0;
	int err = 0;

	while (!err && !bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info pi;
		__u32 len = sizeof(pi);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		memset(&pi, 0, sizeof(pi));
		if (!bpf_obj_get_info_by_fd(fd, &pi, &len) && pi.btf_id == btf_id)
			err = prog_site_offsets(fd, rodata_id, offs, n);
		close(fd);
	}
	return err;
}

static int u32_cmp(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static int site_id_cmp(const void *a, const void *b)
{
	const struct bpf_stream_site *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->site < y->site ? -1 : x->site > y->site;
}

static bool site_prints(__u32 mode, __u8 flags)
{
	return mode == BPF_STREAM_CTL_ON || mode == BPF_STREAM_CTL_RATE ||
	       (mode == BPF_STREAM_CTL_DEFAULT && (flags & BPF_STREAM_SITE_F_DEFAULT_ON));
}

static __u64 site_drops(int drop_fd, __u32 site)
{
	__u64 sum = 0, v;
	__u32 s;

	if (drop_fd < 0)
		return 0;
	for (s = 1; s <= 2; s++) {
		struct bpf_stream_drop_key k = { .site = site, .stream_id = s };

		if (!bpf_map_lookup_elem(drop_fd, &k, &v))
			sum += v;
	}
	return sum;
}

/* Read the whole control value. */
static void *ctl_read(const struct ctl_maps *m)
{
	__u32 key = 0;
	void *v = calloc(1, m->ctl_value_size);

	if (!v)
		return NULL;
	if (bpf_map_lookup_elem(m->ctl_fd, &key, v)) {
		int err = errno;

		free(v);
		errno = err;
		return NULL;
	}
	return v;
}

/* Sites of the object (every meta in .rodata, whichever program has it)
 * that share a control index with each site of @s: files linked into one
 * object without their own BPF_STREAM_SITE_BASE number their sites from 0
 * each. */
static void count_shared(struct bpf_stream_sites *s, __u32 ctl_n)
{
	__u32 *n = calloc(ctl_n, sizeof(*n)), off;
	size_t i;

	if (!n)
		return;
	for (off = 1; off + sizeof(struct bpf_stream_site_meta) <= s->rodata_size; off++) {
		struct bpf_stream_site_meta meta;

		if (s->rodata[off - 1] || (__u8)s->rodata[off] != (BPF_STREAM_SITE_MAGIC & 0xff))
			continue;
		memcpy(&meta, s->rodata + off, sizeof(meta));
		if (meta.magic == BPF_STREAM_SITE_MAGIC && meta.id < ctl_n)
			n[meta.id]++;
	}
	for (i = 0; i < s->n; i++)
		s->v[i].nshared = n[s->v[i].id] > 1 ? n[s->v[i].id] - 1 : 0;
	free(n);
}

/* Build the table of @prog_fd's (or its object's) sites; @m is left open. */
static struct bpf_stream_sites *sites_load(int prog_fd, bool object, struct ctl_maps *m)
{
	struct bpf_stream_sites *s;
	struct bpf_prog_info pi;
	__u32 *offs = NULL, key = 0;
	struct bpf_map_info rmi;
	__u32 len = sizeof(rmi);
	size_t n = 0, k;
	char *ctl = NULL;
	int err;

	err = ctl_maps_find(prog_fd, m, &pi);
	if (err)
		return bs_err_ptr(err);
	s = calloc(1, sizeof(*s));
	if (!s) {
		err = -ENOMEM;
		goto fail;
	}
	memset(&rmi, 0, sizeof(rmi));
	if (bpf_obj_get_info_by_fd(m->rodata_fd, &rmi, &len)) {
		err = -errno;
		goto fail;
	}
	s->rodata_size = rmi.value_size;
	s->rodata = calloc(1, rmi.value_size + 1);	/* + a NUL for the last string */
	if (!s->rodata) {
		err = -ENOMEM;
		goto fail;
	}
	if (bpf_map_lookup_elem(m->rodata_fd, &key, s->rodata)) {
		err = -errno;
		goto fail;
	}
	ctl = ctl_read(m);
	if (!ctl) {
		err = -errno;
		goto fail;
	}
	if (object && pi.btf_id)
		err = object_site_offsets(pi.btf_id, m->rodata_id, &offs, &n);
	else
		err = prog_site_offsets(prog_fd, m->rodata_id, &offs, &n);
	if (err)
		goto fail;
	qsort(offs, n, sizeof(*offs), u32_cmp);
	for (k = 0; k < n; k++) {
		struct bpf_stream_site_meta meta;
		const struct bpf_stream_site_state *st;
		struct bpf_stream_site *site;
		__u32 off = offs[k];
		size_t flen;

		if ((k && offs[k - 1] == off) || off <= (__u32)m->base || off >= s->rodata_size)
			continue;
		flen = strnlen(s->rodata + off, s->rodata_size - off);
		if (off + flen + 1 + sizeof(meta) > s->rodata_size)
			continue;
		memcpy(&meta, s->rodata + off + flen + 1, sizeof(meta));
		if (meta.magic != BPF_STREAM_SITE_MAGIC || meta.id >= m->ctl_n)
			continue;
		if (s->n == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 16;
			void *p = realloc(s->v, cap * sizeof(*s->v));

			if (!p) {
				err = -ENOMEM;
				goto fail;
			}
			s->v = p;
			s->cap = cap;
		}
		site = &s->v[s->n++];
		memset(site, 0, sizeof(*site));
		st = (const void *)(ctl + m->ctl_off + meta.id * sizeof(*st));
		site->id = meta.id;
		site->site = off - (__u32)m->base;
		site->level = meta.level;
		site->stream_id = (meta.flags & BPF_STREAM_SITE_F_STDERR) ? 2 :
				  (meta.flags & BPF_STREAM_SITE_F_STDOUT) ? 1 : 0;
		site->fmt = s->rodata + off;
		site->file = s->rodata + off + flen + 1 + sizeof(meta);
		site->line = meta.line;
		site->mode = st->mode;
		site->enabled = site_prints(st->mode, meta.flags);
		site->rate = st->mode == BPF_STREAM_CTL_RATE ? st->rate : 0;
		site->burst = st->mode == BPF_STREAM_CTL_RATE ? st->burst : 0;
		site->hits = st->hits;
		site->suppressed = st->suppressed;
		site->silenced = st->silenced;
		site->dropped = site_drops(m->drop_fd, site->site);
		site->printed = site->hits - site->suppressed;
		site->printed = site->printed > site->dropped ? site->printed - site->dropped : 0;
	}
	qsort(s->v, s->n, sizeof(*s->v), site_id_cmp);
	count_shared(s, m->ctl_n);
	free(offs);
	free(ctl);
	return s;
fail:
	free(offs);
	free(ctl);
	bpf_stream_sites__free(s);
	ctl_maps_close(m);
	return bs_err_ptr(err);
}

struct bpf_stream_sites *bpf_stream_sites__new(int prog_fd, const struct bpf_stream_sites_opts *opts)
{
	struct bpf_stream_sites *s;
	struct ctl_maps m;

	if (!OPTS_VALID(opts, bpf_stream_sites_opts) || prog_fd < 0)
		return bs_err_ptr(-EINVAL);
	s = sites_load(prog_fd, OPTS_GET(opts, object, false), &m);
	if (s)
		ctl_maps_close(&m);
	return s;
}

size_t bpf_stream_sites__cnt(const struct bpf_stream_sites *s)
{
	return s ? s->n : 0;
}

const struct bpf_stream_site *bpf_stream_sites__get(const struct bpf_stream_sites *s, size_t i)
{
	if (!s || i >= s->n)
		return bs_err_ptr(-ERANGE);
	return &s->v[i];
}

void bpf_stream_sites__free(struct bpf_stream_sites *s)
{
	if (!s)
		return;
	free(s->v);
	free(s->rodata);
	free(s);
}

const char *bpf_stream_level_str(int level)
{
	switch (level) {
	case BPF_STREAM_LVL_PRINT: return "print";
	case BPF_STREAM_LVL_ERROR: return "error";
	case BPF_STREAM_LVL_WARN: return "warn";
	case BPF_STREAM_LVL_INFO: return "info";
	case BPF_STREAM_LVL_DEBUG: return "debug";
	default: return "?";
	}
}

int bpf_stream_level_parse(const char *name)
{
	static const struct { const char *n; int l; } lv[] = {
		{ "error", BPF_STREAM_LVL_ERROR }, { "err", BPF_STREAM_LVL_ERROR },
		{ "3", BPF_STREAM_LVL_ERROR },     { "warn", BPF_STREAM_LVL_WARN },
		{ "warning", BPF_STREAM_LVL_WARN }, { "4", BPF_STREAM_LVL_WARN },
		{ "info", BPF_STREAM_LVL_INFO },   { "6", BPF_STREAM_LVL_INFO },
		{ "debug", BPF_STREAM_LVL_DEBUG }, { "7", BPF_STREAM_LVL_DEBUG },
	};
	size_t i;

	for (i = 0; name && i < sizeof(lv) / sizeof(lv[0]); i++)
		if (!strcasecmp(name, lv[i].n))
			return lv[i].l;
	errno = EINVAL;
	return -EINVAL;
}

/* Does @sel ("ID" or "FILE:LINE") name @site? */
static bool site_match(const struct bpf_stream_site *site, const char *sel)
{
	const char *colon = strrchr(sel, ':');
	unsigned long v;
	size_t flen, slen;
	char *end;

	if (!colon) {
		errno = 0;
		v = strtoul(sel, &end, 10);
		return !errno && end != sel && !*end && v == site->id;
	}
	errno = 0;
	v = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || v != site->line)
		return false;
	/* FILE: the compiled name, or a path ending in it */
	flen = colon - sel;
	slen = strlen(site->file);
	if (flen == slen)
		return !strncmp(sel, site->file, flen);
	return flen > slen && sel[flen - slen - 1] == '/' && !strncmp(sel + flen - slen, site->file, slen);
}

static bool site_sel_valid(const char *sel)
{
	const char *colon = strrchr(sel, ':'), *num = colon ? colon + 1 : sel;
	char *end;

	if (!*sel || (colon && colon == sel))
		return false;
	errno = 0;
	(void)strtoul(num, &end, 10);
	return !errno && end != num && !*end && *num != '-' && *num != '+';
}

/* The new mode of one site (the order of struct bpf_stream_ctl_opts). */
static __u32 new_mode(const struct bpf_stream_site *site, __u8 flags, int level, int enable,
		      __u32 rate, bool no_rate)
{
	bool on = site->enabled, limited = site->mode == BPF_STREAM_CTL_RATE;

	if (level && site->level != BPF_STREAM_LVL_PRINT)
		on = site->level <= level;
	if (enable)
		on = enable > 0;
	if (rate)
		limited = true;
	if (no_rate)
		limited = false;
	if (!on)
		/* off by default needs no count: the cheapest path */
		return (flags & BPF_STREAM_SITE_F_DEFAULT_ON) ? BPF_STREAM_CTL_OFF :
								 BPF_STREAM_CTL_DEFAULT;
	if (limited)
		return BPF_STREAM_CTL_RATE;
	return (flags & BPF_STREAM_SITE_F_DEFAULT_ON) ? BPF_STREAM_CTL_DEFAULT : BPF_STREAM_CTL_ON;
}

int bpf_stream_ctl_set(int prog_fd, const struct bpf_stream_ctl_opts *opts)
{
	struct bpf_stream_site_state *states = NULL;
	const char *sel;
	int level, enable, err = 0, changed = 0;
	struct bpf_stream_sites *s;
	__u32 rate, burst;
	size_t i, matched = 0;
	struct ctl_maps m;
	void *mem = MAP_FAILED, *val = NULL;
	bool no_rate;

	if (!OPTS_VALID(opts, bpf_stream_ctl_opts) || prog_fd < 0)
		return bs_err(-EINVAL);
	sel = OPTS_GET(opts, site, NULL);
	level = OPTS_GET(opts, level, 0);
	enable = OPTS_GET(opts, enable, 0);
	rate = OPTS_GET(opts, rate, 0);
	burst = OPTS_GET(opts, burst, 0);
	no_rate = OPTS_GET(opts, no_rate, false);
	if ((level && level != BPF_STREAM_LVL_ERROR && level != BPF_STREAM_LVL_WARN &&
	     level != BPF_STREAM_LVL_INFO && level != BPF_STREAM_LVL_DEBUG) ||
	    enable < -1 || enable > 1 || (burst && !rate) || (rate && no_rate) ||
	    rate > 1000000000U || (sel && !site_sel_valid(sel)))
		return bs_err(-EINVAL);

	s = sites_load(prog_fd, OPTS_GET(opts, object, false), &m);
	if (!s)
		return bs_err(-errno);
	for (i = 0; i < s->n; i++) {
		if (sel && !site_match(&s->v[i], sel))
			continue;
		matched++;
		if (sel && s->v[i].nshared) {
			pr_warn("call site %s:%u shares its switch (id %u) with %u other call site(s) of its object: build each linked .bpf.c file with its own -DBPF_STREAM_SITE_BASE\n",
				s->v[i].file, s->v[i].line, s->v[i].id, s->v[i].nshared);
			err = -EEXIST;
			goto out;
		}
	}
	if (sel && !matched) {
		err = -ENOENT;
		goto out;
	}
	/* The state array: the mmap'ed map, else a copy written back whole. */
	if (m.ctl_flags & BPF_F_MMAPABLE)
		mem = mmap(NULL, m.ctl_value_size, PROT_READ | PROT_WRITE, MAP_SHARED, m.ctl_fd, 0);
	if (mem != MAP_FAILED) {
		states = (void *)((char *)mem + m.ctl_off);
	} else {
		val = ctl_read(&m);
		if (!val) {
			err = -errno;
			goto out;
		}
		states = (void *)((char *)val + m.ctl_off);
	}
	for (i = 0; i < s->n; i++) {
		const struct bpf_stream_site *site = &s->v[i];
		struct bpf_stream_site_state *st = &states[site->id];
		struct bpf_stream_site_meta meta;
		__u32 mode;

		if (sel && !site_match(site, sel))
			continue;
		memcpy(&meta, site->fmt + strlen(site->fmt) + 1, sizeof(meta));
		mode = new_mode(site, meta.flags, level, enable, rate, no_rate);
		if (mode == BPF_STREAM_CTL_RATE && rate) {
			__u32 b = burst ? burst : rate;

			/* the BPF side reads these only in mode RATE, stored
			 * below after them; a site already limited may see a
			 * mix of old and new for one call, never a wrong mode */
			st->rate = rate;
			st->burst = b;
			st->interval_ns = 1000000000ULL / rate;
			st->tau_ns = (__u64)(b - 1) * st->interval_ns;
			st->tat = 0;
		}
		if (mode != site->mode || (mode == BPF_STREAM_CTL_RATE && rate))
			changed++;
		__atomic_store_n(&st->mode, mode, __ATOMIC_RELEASE);
	}
	if (val) {
		__u32 key = 0;

		if (bpf_map_update_elem(m.ctl_fd, &key, val, BPF_ANY))
			err = -errno;
	}
out:
	if (mem != MAP_FAILED)
		munmap(mem, m.ctl_value_size);
	free(val);
	bpf_stream_sites__free(s);
	ctl_maps_close(&m);
	return err ? bs_err(err) : changed;
}

/* ---- suppressed counts for the readers' notices ------------------------- */

/*
 * The readers announce messages suppressed by a rate limit like drops,
 * per program and stream: the sum of the suppressed counters of the
 * program's call sites on that stream (a bpf_stream_printk() whose stream
 * id is not a constant counts on stdout). Which sites a program has is
 * learned once per program id (instructions, .rodata, BTF) and kept with a
 * read-only mapping of the control array, so each later look is a few
 * memory reads; an entry whose program is gone is dropped when next seen
 * a second or more after its last check.
 */
struct ctl_seen {
	__u32 prog_id;
	bool none;		/* no control array: nothing to announce */
	void *mem;		/* the control map, mmap'ed read-only (NULL: read by lookup) */
	size_t mem_sz;
	int ctl_fd;		/* when not mmap'ed, else -1 */
	long ctl_off;
	__u32 *ids[3];		/* control indexes of its sites, by stream (0 unused) */
	__u32 nids[3];
	double checked;		/* CLOCK_MONOTONIC seconds of the last liveness check */
	struct ctl_seen *next;
};

static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ctl_seen *seen_list;

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void seen_free(struct ctl_seen *c)
{
	int i;

	if (c->mem)
		munmap(c->mem, c->mem_sz);
	if (c->ctl_fd >= 0)
		close(c->ctl_fd);
	for (i = 0; i < 3; i++)
		free(c->ids[i]);
	free(c);
}

static bool ids_has(const __u32 *v, __u32 n, __u32 id)
{
	__u32 i;

	for (i = 0; i < n; i++)
		if (v[i] == id)
			return true;
	return false;
}

static struct ctl_seen *seen_learn(__u32 prog_id)
{
	struct ctl_seen *c = calloc(1, sizeof(*c));
	struct bpf_stream_sites *s;
	struct ctl_maps m;
	int fd;
	size_t i;

	if (!c)
		return NULL;
	c->prog_id = prog_id;
	c->ctl_fd = -1;
	c->checked = mono_s();
	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0) {
		c->none = true;
		return c;
	}
	s = sites_load(fd, false, &m);
	close(fd);
	if (!s) {
		c->none = true;
		return c;
	}
	for (i = 0; i < s->n; i++) {
		__u32 sid = s->v[i].stream_id == 2 ? 2 : 1;
		__u32 *p;

		if (ids_has(c->ids[sid], c->nids[sid], s->v[i].id))
			continue;
		p = realloc(c->ids[sid], (c->nids[sid] + 1) * sizeof(*p));
		if (!p)
			continue;
		c->ids[sid] = p;
		p[c->nids[sid]++] = s->v[i].id;
	}
	c->none = !s->n;
	c->ctl_off = m.ctl_off;
	c->mem_sz = m.ctl_value_size;
	if (!c->none && (m.ctl_flags & BPF_F_MMAPABLE)) {
		c->mem = mmap(NULL, c->mem_sz, PROT_READ, MAP_SHARED, m.ctl_fd, 0);
		if (c->mem == MAP_FAILED)
			c->mem = NULL;
	}
	if (!c->none && !c->mem) {
		c->ctl_fd = m.ctl_fd;	/* kept: read by lookup */
		m.ctl_fd = -1;
	}
	bpf_stream_sites__free(s);
	ctl_maps_close(&m);
	return c;
}

__u64 bs_ctl_suppressed(__u32 prog_id, __u32 stream_id)
{
	struct ctl_seen **pp, *c;
	__u64 sum = 0;
	double now;
	__u32 i;

	if (stream_id != 1 && stream_id != 2)
		return 0;
	pthread_mutex_lock(&seen_lock);
	for (pp = &seen_list; (c = *pp); pp = &c->next)
		if (c->prog_id == prog_id)
			break;
	now = mono_s();
	if (c && now - c->checked >= 1.0) {
		int fd = bpf_prog_get_fd_by_id(prog_id);

		c->checked = now;
		if (fd >= 0) {
			close(fd);
		} else if (errno == ENOENT) {
			/* gone: its id may come back for another program */
			*pp = c->next;
			seen_free(c);
			c = NULL;
		}
	}
	if (!c) {
		c = seen_learn(prog_id);
		if (c) {
			c->next = seen_list;
			seen_list = c;
		}
	}
	if (c && !c->none) {
		const char *base = c->mem;
		void *val = NULL;

		if (!base && c->ctl_fd >= 0) {
			__u32 key = 0;

			val = calloc(1, c->mem_sz);
			if (val && !bpf_map_lookup_elem(c->ctl_fd, &key, val))
				base = val;
		}
		for (i = 0; base && i < c->nids[stream_id]; i++) {
			const struct bpf_stream_site_state *st =
				(const void *)(base + c->ctl_off +
					       c->ids[stream_id][i] * sizeof(*st));

			sum += __atomic_load_n(&st->suppressed, __ATOMIC_RELAXED);
		}
		free(val);
	}
	pthread_mutex_unlock(&seen_lock);
	return sum;
}
