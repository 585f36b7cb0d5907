// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf_stream.h against the real kernel's verifier: programs with 0, 1, 6 and
 * 12 arguments, both streams, the bpf_snprintf conversions, loaded with each
 * value of the .rodata transport selector, and run with BPF_PROG_TEST_RUN.
 * Records of the ring-buffer transport are read here with libbpf's
 * ring_buffer directly and decoded with the library's record decoder and
 * formatter only (no transport, no routing), to test the header.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "bpf_stream_record.h"
#include "libbpf_stream.h"
#include "stream_internal.h"
#include "hdr_args.skel.h"
#include "hdr_subprog.skel.h"
#include "hdr_subprog_inline.skel.h"
#include "../common/kernel_probe.h"
#include "../header-variants/load_sites.h"

static int run_prog(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &topts);

	return err ? -errno : (int)topts.retval;
}

struct rec_seen {
	int n;
	char text[8][256];
	int binary[8];
	size_t size[8];
	int stream[8];
	struct bs_fmt_table *fmts;
};

static int on_rec(void *ctx, void *data, size_t size)
{
	struct rec_seen *s = ctx;
	struct bs_rec_view v;
	const char *text;
	char buf[1024];
	size_t len;
	bool cut;

	cr_assert_eq(bs_rec_decode(data, size, &v), 0);
	cr_assert_eq(bs_rec_text(s->fmts, &v, buf, sizeof(buf), &text, &len, &cut), 0);
	if (s->n < 8) {
		snprintf(s->text[s->n], sizeof(s->text[0]), "%.*s", (int)len, text);
		s->binary[s->n] = !!(v.flags & BPF_STREAM_REC_F_BINARY);
		s->size[s->n] = size;
		s->stream[s->n] = v.stream_id;
	}
	s->n++;
	return 0;
}

static struct hdr_args *open_load(__u32 sel)
{
	struct hdr_args *skel = hdr_args__open();

	cr_assert_not_null(skel, "open: %s", strerror(errno));
	skel->rodata->bpf_stream_transport_sel = sel;
	cr_assert_eq(hdr_args__load(skel), 0, "load with sel %u: %s", sel, strerror(errno));
	return skel;
}

/* Transport: ring buffer (selector RINGBUF). */
Test(header, ringbuf_all_programs_load_and_write)
{
	struct hdr_args *skel = open_load(BPF_STREAM_SEL_RINGBUF);
	struct rec_seen seen = {};
	struct ring_buffer *rb;

	seen.fmts = bs_fmt_table__from_map(bpf_map__fd(skel->maps.rodata));
	cr_assert_not_null(seen.fmts, "format table from the .rodata map: %s", strerror(errno));
	rb = ring_buffer__new(bpf_map__fd(skel->maps.bpf_stream_rb), on_rec, &seen, NULL);
	cr_assert_not_null(rb);

	cr_assert_eq(run_prog(skel->progs.hdr_args0), 0);
	cr_assert_eq(skel->bss->last_ret, 0);
	cr_assert_eq(run_prog(skel->progs.hdr_args1), 0);
	cr_assert_eq(skel->bss->last_ret, 0);
	cr_assert_eq(run_prog(skel->progs.hdr_args6), 0);
	cr_assert_eq(skel->bss->last_ret, 0);
	cr_assert_eq(run_prog(skel->progs.hdr_args12), 0);
	cr_assert_eq(skel->bss->last_ret, 0);
	cr_assert_eq(run_prog(skel->progs.hdr_convs), 0);
	cr_assert_eq(skel->bss->last_ret, 0);

	cr_assert_eq(ring_buffer__consume(rb), 7);
	cr_assert_eq(seen.n, 7);
	cr_expect_str_eq(seen.text[0], "no arguments\n");
	cr_expect_eq(seen.stream[0], 1);
	cr_expect_str_eq(seen.text[1], "one -7\n");
	cr_expect_eq(seen.stream[1], 2);
	/* exact sizes: header + 8 bytes per argument, nothing else */
	cr_expect_eq(seen.size[0], sizeof(struct bpf_stream_rec_hdr));
	cr_expect_eq(seen.size[1], sizeof(struct bpf_stream_rec_hdr) + 8);
	cr_expect_eq(seen.size[3], sizeof(struct bpf_stream_rec_hdr) + 12 * 8);
	/* binary unless a %p conversion needs the kernel's formatter */
	cr_expect(seen.binary[0] && seen.binary[1] && seen.binary[2] && seen.binary[3]);
	cr_expect(!seen.binary[4], "%%px is formatted in the kernel");
	cr_expect(seen.binary[5], "%%s record is binary");
	cr_expect_eq(seen.size[5], sizeof(struct bpf_stream_rec_hdr) + 7 * 8 + 4, "size %zu",
		     seen.size[5]);
	cr_expect(!seen.binary[6], "%%pI4 is formatted in the kernel");
	cr_expect_eq(seen.size[6], sizeof(struct bpf_stream_rec_hdr) + 24);
	cr_expect_str_eq(seen.text[2], "six -1 2 -3 4 -5 6\n");
	cr_expect_str_eq(seen.text[3], "1 2 3 4 5 6 7 8 9 10 11 12\n");
	cr_expect_eq(seen.stream[3], 2);
	cr_expect_str_eq(seen.text[4], "ff FF abc def z str 0000000000001234 %\n");
	cr_expect_str_eq(seen.text[5], "1     2|3    |00004|  str|+5| 6\n");
	cr_expect_str_eq(seen.text[6], "1.2.3.4 001.002.003.004\n");
	ring_buffer__free(rb);
	bs_fmt_table__free(seen.fmts);
	hdr_args__destroy(skel);
}

/* Transport: native (selector NATIVE), the object's kfunc extern bound to
 * the kernel's stream kfunc as bpf_stream_prepare() binds it. On a kernel
 * whose native writes land, every message reads back from the program's
 * stream; where they fail, each write returns the kernel's error and is
 * counted as dropped; without a stream kfunc each returns -EOPNOTSUPP and is
 * counted. Which case applies comes from the library's probe of this kernel. */
Test(header, native_writes_or_counts_on_this_kernel)
{
	struct bs_kernel k = bs_kernel_probe();
	struct hdr_args *skel = hdr_args__open();
	struct bpf_stream_drop_key dk, *prev;
	struct bpf_stream_stats st;
	const char *why = NULL;
	__u64 n_site;
	char buf[256];
	int ret, n, sites;
	__u32 key;

	cr_assert_not_null(skel, "open: %s", strerror(errno));
	fprintf(stderr, "header: kernel stream kfunc %s (%u args), write probe %d\n",
		k.kfunc_name ? k.kfunc_name : "(none)", k.kfunc_nr_args, k.write_err);
	if (k.kfunc_name)
		cr_assert_eq(bs_bind_kfunc(skel->obj, &k, &why), 0, "bind: %s", why);
	skel->rodata->bpf_stream_transport_sel = BPF_STREAM_SEL_NATIVE;
	cr_assert_eq(hdr_args__load(skel), 0, "load: %s", strerror(errno));

	cr_assert_eq(run_prog(skel->progs.hdr_args0), 0);
	ret = skel->bss->last_ret;
	cr_assert_eq(run_prog(skel->progs.hdr_args1), 0);
	cr_assert_eq(skel->bss->last_ret, ret, "stdout gave %d, stderr %d", ret,
		     skel->bss->last_ret);
	if (!k.kfunc_name) {
		cr_assert_eq(ret, -EOPNOTSUPP, "no stream kfunc, write gave %d", ret);
	} else if (!k.write_err) {
		cr_assert_eq(ret, 0, "native write gave %d (%s)", ret, strerror(-ret));
		n = bpf_stream_read(bpf_program__fd(skel->progs.hdr_args0), BPF_STDOUT, buf,
				    sizeof(buf) - 1);
		cr_assert_eq(n, (int)strlen("no arguments\n"), "read %d", n);
		buf[n] = 0;
		cr_assert_str_eq(buf, "no arguments\n");
		n = bpf_stream_read(bpf_program__fd(skel->progs.hdr_args1), BPF_STDERR, buf,
				    sizeof(buf) - 1);
		cr_assert_gt(n, 0, "stderr read %d", n);
		buf[n] = 0;
		cr_assert_str_eq(buf, "one -7\n");
	} else {
		cr_assert_lt(ret, 0, "probe said writes fail (%d), this one gave %d", k.write_err,
			     ret);
	}
	/* a failed write is counted once, under its call site */
	for (key = 1; key <= 2; key++) {
		cr_assert_eq(bpf_map_lookup_elem(bpf_map__fd(skel->maps.bpf_stream_stat), &key,
						 &st), 0);
		cr_assert_eq(st.sited, ret ? 1ULL : 0ULL, "stream %u: %llu dropped, write gave %d",
			     key, (unsigned long long)st.sited, ret);
		cr_assert_eq(st.dropped, 0, "stream %u: %llu dropped with no call site", key,
			     (unsigned long long)st.dropped);
	}
	sites = 0;
	for (prev = NULL; !bpf_map_get_next_key(bpf_map__fd(skel->maps.bpf_stream_drop), prev,
						&dk);
	     prev = &dk) {
		cr_assert_eq(bpf_map_lookup_elem(bpf_map__fd(skel->maps.bpf_stream_drop), &dk,
						 &n_site), 0);
		cr_assert_eq(n_site, 1, "call site %u stream %u: %llu drops", dk.site,
			     dk.stream_id, (unsigned long long)n_site);
		sites++;
	}
	cr_assert_eq(sites, ret ? 2 : 0, "%d call sites counted drops", sites);
	/* every shape of call loads and runs: 12 arguments and the conversions */
	cr_assert_eq(run_prog(skel->progs.hdr_args6), 0);
	cr_assert_eq(run_prog(skel->progs.hdr_args12), 0);
	cr_assert_eq(run_prog(skel->progs.hdr_convs), 0);
	hdr_args__destroy(skel);
}

/* Selector DEFAULT (an object nobody prepared): native where libbpf resolved
 * a kfunc extern by itself (libbpf >= 1.3 on a kernel with streams), else the
 * ring buffer. Either way the object loads, whatever the kernel's kfunc. */
Test(header, default_selector_loads)
{
	struct hdr_args *skel = open_load(BPF_STREAM_SEL_DEFAULT);
	struct bs_kernel k = bs_kernel_probe();
	bool native = k.kfunc_name && bs_libbpf_resolves_flavours();
	struct rec_seen seen = {};
	struct ring_buffer *rb;

	seen.fmts = bs_fmt_table__from_map(bpf_map__fd(skel->maps.rodata));
	cr_assert_not_null(seen.fmts, "format table from the .rodata map: %s", strerror(errno));
	rb = ring_buffer__new(bpf_map__fd(skel->maps.bpf_stream_rb), on_rec, &seen, NULL);
	cr_assert_not_null(rb);
	cr_assert_eq(run_prog(skel->progs.hdr_args1), 0);
	cr_assert_eq(run_prog(skel->progs.hdr_args12), 0);
	cr_assert_eq(ring_buffer__consume(rb), native ? 0 : 2, "%s expected",
		     native ? "native" : "ring buffer");
	if (!native)
		cr_assert_str_eq(seen.text[0], "one -7\n");
	ring_buffer__free(rb);
	bs_fmt_table__free(seen.fmts);
	hdr_args__destroy(skel);
}

/* The header compiles after every kind of prelude (vmlinux.h with and without
 * kfunc prototypes of each kernel, plain UAPI headers, a libbpf that defines
 * bpf_stream_printk) with clang 14 and clang-19, and refuses bad formats and
 * a 13th argument: tests/header-variants/run.sh does the compiles. */
Test(header, variants_compile_with_each_clang, .timeout = 300)
{
	char cmd[4096];
	int rc;

	snprintf(cmd, sizeof(cmd), "%s/tests/header-variants/run.sh %s %s >&2", SRC_DIR, SRC_DIR,
		 BUILD_DIR);
	rc = system(cmd);
	cr_assert_eq(rc, 0, "header variants failed (see the lines above), status %d", rc);
}

/* Objects of variants also load, whatever kfunc prototypes their prelude
 * declares (transport: default selector). The Makefile builds them with the
 * default clang on the host. */
Test(header, variant_objects_load)
{
	static const char *const names[] = { "ok_uapi", "ok_vmlinux_proto_6_17",
					     "ok_vmlinux_proto_6_18", "ok_vmlinux_proto_7_0",
					     "ok_libbpf_printk" };
	char path[4096];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct bpf_object *obj;

		snprintf(path, sizeof(path), "%s/tests/header-variants/%s.clang.o", BUILD_DIR, names[i]);
		obj = bpf_object__open_file(path, NULL);
		cr_assert_not_null(obj, "open %s: %s", path, strerror(errno));
		cr_assert_eq(bpf_object__load(obj), 0, "load %s: %s", names[i], strerror(errno));
		bpf_object__close(obj);
	}
}

/* ---- issue 21: every accepted call site loads, whatever clang and limit ---- */

/* Offset of global variable @name in data section @sec of @obj. */
static __u32 var_off(struct bpf_object *obj, const char *sec_name, const char *name)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	int id, i;

	cr_assert_not_null(btf);
	id = btf__find_by_name_kind(btf, sec_name, BTF_KIND_DATASEC);
	cr_assert_gt(id, 0, "no %s", sec_name);
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);

		if (!strcmp(btf__name_by_offset(btf, var->name_off), name))
			return vs->offset;
	}
	cr_assert_fail("no %s in %s", name, sec_name);
	return 0;
}

/* ls_rets[] of a loaded object, from the kernel's .bss (libbpf 1.1 maps
 * it into the process only for skeletons). */
static void get_rets(struct bpf_object *obj, int rets[8])
{
	struct bpf_map *bss = bpf_object__find_map_by_name(obj, ".bss");
	__u32 off = var_off(obj, ".bss", "ls_rets"), key = 0;
	size_t sz;
	char *v;

	cr_assert_not_null(bss);
	sz = bpf_map__value_size(bss);
	cr_assert_leq(off + 8 * sizeof(int), sz);
	v = calloc(1, sz);
	cr_assert_eq(bpf_map_lookup_elem(bpf_map__fd(bss), &key, v), 0, "%s", strerror(errno));
	memcpy(rets, v + off, 8 * sizeof(int));
	free(v);
}

/* The .rodata selector of an object opened without a skeleton. */
static void set_sel(struct bpf_object *obj, __u32 sel)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct bpf_map *rodata = bpf_object__find_map_by_name(obj, ".rodata");
	size_t sz;
	char *init;
	int id, i;

	cr_assert_not_null(rodata);
	cr_assert_not_null(btf);
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	cr_assert_gt(id, 0);
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);

		if (strcmp(btf__name_by_offset(btf, var->name_off), "bpf_stream_transport_sel"))
			continue;
		init = (char *)bpf_map__initial_value(rodata, &sz);
		cr_assert(init && vs->offset + sizeof(sel) <= sz);
		init = memcpy(malloc(sz), init, sz);
		memcpy(init + vs->offset, &sel, sizeof(sel));
		cr_assert_eq(bpf_map__set_initial_value(rodata, init, sz), 0);
		free(init);
		return;
	}
	cr_assert_fail("no bpf_stream_transport_sel in .rodata");
}

struct ls_seen {
	int n;
	char text[8][1200];
	size_t len[8];
	bool cut[8];
	struct bs_fmt_table *fmts;
};

static int ls_on_rec(void *ctx, void *data, size_t size)
{
	struct ls_seen *s = ctx;
	struct bs_rec_view v;
	const char *text;
	char buf[8192];
	size_t len;
	bool cut;

	cr_assert_eq(bs_rec_decode(data, size, &v), 0);
	cr_assert_eq(bs_rec_text(s->fmts, &v, buf, sizeof(buf), &text, &len, &cut), 0);
	if (s->n < 8) {
		cr_assert_lt(len, sizeof(s->text[0]));
		memcpy(s->text[s->n], text, len);
		s->len[s->n] = len;
		s->cut[s->n] = cut;
	}
	s->n++;
	return 0;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-truncation"
/* The lines of load_sites.c's ls_sites (0 is a %p: its value is the kernel's). */
static void ls_expected(char want[8][1200])
{
	snprintf(want[1], 1200, LS_FMT255, 255);
	snprintf(want[2], 1200, LS_FMT256, 256);
	snprintf(want[3], 1200, LS_FMT1000, 1000, "str");
	snprintf(want[4], 1200, "%d %u %x %X %ld %lu %lld %llu %c %i %d %d\n", 1, 2, 3, 4, 5L,
		 6UL, 7LL, 8ULL, 'z', 10, 11, 12);
	snprintf(want[5], 1200, "%s %s %s %s %s %s %s %s %s %s %s %s\n", "str", "str", "str",
		 "str", "str", "str", "str", "str", "str", "str", "str", "str");
	snprintf(want[6], 1200, "0000000000001234 2 3 4 5 6 7 8 9 10 11 12\n");
	snprintf(want[7], 1200, "[str]\n", "str", 99);
}
#pragma GCC diagnostic pop

/* One object: the ring transport loads, every call returns 0 and each line
 * is the host's snprintf() of it, cut at the object's limit (and flagged
 * cut exactly when it is longer); the native transport loads and each call
 * returns what the kernel's write returns (0 or an error; -EOPNOTSUPP
 * without a stream kfunc). */
static void load_sites_object(const char *path, unsigned int max, const struct bs_kernel *k)
{
	static char want[8][1200];
	struct ls_seen seen = {};
	struct ring_buffer *rb;
	struct bpf_object *obj;
	struct bpf_program *prog;
	const char *why = NULL;
	int i, rets[8];

	ls_expected(want);
	/* ring buffer */
	obj = bpf_object__open_file(path, NULL);
	cr_assert_not_null(obj, "open %s: %s", path, strerror(errno));
	set_sel(obj, BPF_STREAM_SEL_RINGBUF);
	cr_assert_eq(bpf_object__load(obj), 0, "%s, ring transport: load failed (%s)", path,
		     strerror(errno));
	prog = bpf_object__find_program_by_name(obj, "ls_sites");
	cr_assert_eq(run_prog(prog), 0);
	get_rets(obj, rets);
	for (i = 0; i < 8; i++)
		cr_assert_eq(rets[i], 0, "%s, ring: call %d returned %d", path, i, rets[i]);
	seen.fmts = bs_fmt_table__from_map(bpf_map__fd(bpf_object__find_map_by_name(obj,
										 ".rodata")));
	cr_assert_not_null(seen.fmts);
	cr_assert_eq(bs_fmt_table__msg_max(seen.fmts), max);
	rb = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(obj, "bpf_stream_rb")),
			      ls_on_rec, &seen, NULL);
	cr_assert_not_null(rb);
	cr_assert_eq(ring_buffer__consume(rb), 8);
	/* %p: the kernel's hashed pointer, hex digits and the newline */
	cr_assert(seen.len[0] > 1 && seen.text[0][seen.len[0] - 1] == '\n' &&
		  strspn(seen.text[0], "0123456789abcdef") == seen.len[0] - 1,
		  "%s: %%p gave [%.*s]", path, (int)seen.len[0], seen.text[0]);
	for (i = 1; i < 8; i++) {
		size_t wl = strlen(want[i]), el = wl > max ? max : wl;

		cr_assert(seen.len[i] == el && !memcmp(seen.text[i], want[i], el),
			  "%s: line %d\nwant [%.*s]\ngot  [%.*s]", path, i, (int)el, want[i],
			  (int)seen.len[i], seen.text[i]);
		cr_assert_eq(seen.cut[i], wl > max, "%s: line %d of %zu bytes, cut flag %d", path,
			     i, wl, seen.cut[i]);
	}
	ring_buffer__free(rb);
	bs_fmt_table__free(seen.fmts);
	bpf_object__close(obj);

	/* native: the kfunc bound as bpf_stream_prepare() binds it */
	obj = bpf_object__open_file(path, NULL);
	cr_assert_not_null(obj);
	if (k->kfunc_name)
		cr_assert_eq(bs_bind_kfunc(obj, k, &why), 0, "bind: %s", why);
	set_sel(obj, BPF_STREAM_SEL_NATIVE);
	cr_assert_eq(bpf_object__load(obj), 0, "%s, native transport: load failed (%s)", path,
		     strerror(errno));
	prog = bpf_object__find_program_by_name(obj, "ls_sites");
	cr_assert_eq(run_prog(prog), 0);
	get_rets(obj, rets);
	for (i = 0; i < 8; i++) {
		if (!k->kfunc_name)
			cr_assert_eq(rets[i], -EOPNOTSUPP, "%s, native: call %d gave %d", path, i,
				     rets[i]);
		else	/* what the kernel's write gave (6.18 here: -ENOMEM at times) */
			cr_assert_leq(rets[i], 0, "%s, native: call %d gave %d", path, i, rets[i]);
	}
	/* and nothing went to the ring buffer */
	rb = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(obj, "bpf_stream_rb")),
			      ls_on_rec, &seen, NULL);
	cr_assert_not_null(rb);
	cr_assert_eq(ring_buffer__consume(rb), 0, "%s: native selector, ring records", path);
	ring_buffer__free(rb);
	bpf_object__close(obj);
}

/* load_sites.c, built by the Makefile with each installed clang (one per
 * major version: 14 and 19 on Debian 12, 21 in the matrix's sid root) at
 * each BPF_STREAM_MSG_MAX of HDR_LOAD_MAXES: a %p site, formats of 255,
 * 256 and 1000 bytes, 12-argument sites and a surplus argument load with
 * both transports and print what they must. */
Test(header, every_site_loads_with_each_clang_and_limit, .timeout = 240)
{
	struct bs_kernel k = bs_kernel_probe();
	char dir[4096], path[8192], seen_cc[256] = "";
	struct dirent *de;
	int nobj = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/tests/header-variants", BUILD_DIR);
	d = opendir(dir);
	cr_assert_not_null(d, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		unsigned int major, max;
		char tag[16];

		if (sscanf(de->d_name, "load_sites.clang%u.%u.o", &major, &max) != 2)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		load_sites_object(path, max, &k);
		snprintf(tag, sizeof(tag), " %u", major);
		if (!strstr(seen_cc, tag) && strlen(seen_cc) + strlen(tag) < sizeof(seen_cc))
			strcat(seen_cc, tag);
		nobj++;
	}
	closedir(d);
	fprintf(stderr, "header: %d objects of load_sites.c loaded with both transports (clang%s)\n",
		nobj, seen_cc);
	cr_assert_geq(nobj, 6, "objects of load_sites.c found in %s: %d (make tests builds them)",
		      dir, nobj);
}

/* ---- the header's subprograms (docs/bpf-side.md) ---- */

#define MAX_FUNCS 8

/* The functions of a loaded program as the kernel keeps them: the name and
 * BTF linkage of each func_info entry, from the program's BTF. */
struct prog_funcs {
	__u32 n;
	char name[MAX_FUNCS][64];
	int linkage[MAX_FUNCS];
};

static void prog_funcs(int prog_fd, struct prog_funcs *f)
{
	struct bpf_func_info fi[MAX_FUNCS] = {};
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), i;
	struct btf *btf;

	cr_assert_eq(bpf_obj_get_info_by_fd(prog_fd, &info, &len), 0, "%s", strerror(errno));
	cr_assert(info.nr_func_info >= 1 && info.nr_func_info <= MAX_FUNCS, "%u functions",
		  info.nr_func_info);
	f->n = info.nr_func_info;
	memset(&info, 0, sizeof(info));
	info.nr_func_info = f->n;
	info.func_info_rec_size = sizeof(fi[0]);
	info.func_info = (__u64)(unsigned long)fi;
	cr_assert_eq(bpf_obj_get_info_by_fd(prog_fd, &info, &len), 0, "%s", strerror(errno));
	btf = btf__load_from_kernel_by_id(info.btf_id);
	cr_assert_not_null(btf, "program BTF %u: %s", info.btf_id, strerror(errno));
	for (i = 0; i < f->n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, fi[i].type_id);

		cr_assert(t && btf_is_func(t), "func_info %u: type %u", i, fi[i].type_id);
		snprintf(f->name[i], sizeof(f->name[0]), "%s", btf__name_by_offset(btf, t->name_off));
		f->linkage[i] = btf_vlen(t);
	}
	btf__free(btf);
}

static int func_linkage(const struct prog_funcs *f, const char *name)
{
	__u32 i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->name[i], name))
			return f->linkage[i];
	return -1;
}

/* Run @prog and collect the records of @rb_fd with the formats of @rodata_fd. */
static void run_and_read(struct bpf_program *prog, int rb_fd, int rodata_fd, struct rec_seen *seen)
{
	struct ring_buffer *rb;

	seen->fmts = bs_fmt_table__from_map(rodata_fd);
	cr_assert_not_null(seen->fmts, "format table: %s", strerror(errno));
	rb = ring_buffer__new(rb_fd, on_rec, seen, NULL);
	cr_assert_not_null(rb);
	cr_assert_eq(run_prog(prog), 0);
	cr_assert_geq(ring_buffer__consume(rb), 0);
	ring_buffer__free(rb);
	bs_fmt_table__free(seen->fmts);
}

/* What users build: counting a drop and building a %s record are global
 * functions, which the kernel verifies once (BTF linkage global: checked
 * by their prototype, not at each call); with BPF_STREAM_INLINE the
 * program has no function but its own. Both print the same records. */
Test(header, helpers_are_global_subprograms_unless_inline)
{
	struct hdr_subprog_inline *inl = hdr_subprog_inline__open();
	struct hdr_subprog *sub = hdr_subprog__open();
	struct rec_seen seen_sub = {}, seen_inl = {};
	struct prog_funcs f;
	int i;

	cr_assert(sub && inl, "open: %s", strerror(errno));
	sub->rodata->bpf_stream_transport_sel = BPF_STREAM_SEL_RINGBUF;
	inl->rodata->bpf_stream_transport_sel = BPF_STREAM_SEL_RINGBUF;
	cr_assert_eq(hdr_subprog__load(sub), 0, "load: %s", strerror(errno));
	cr_assert_eq(hdr_subprog_inline__load(inl), 0, "load inline: %s", strerror(errno));

	prog_funcs(bpf_program__fd(sub->progs.subprog_lines), &f);
	cr_expect_eq(f.n, 3, "%u functions", f.n);
	cr_expect_eq(func_linkage(&f, "subprog_lines"), BTF_FUNC_GLOBAL);
	cr_expect_eq(func_linkage(&f, "__bpf_stream_count_err"), BTF_FUNC_GLOBAL);
	cr_expect_eq(func_linkage(&f, "__bpf_stream_ring_strs"), BTF_FUNC_GLOBAL);
	prog_funcs(bpf_program__fd(inl->progs.subprog_lines), &f);
	cr_expect_eq(f.n, 1, "inline: %u functions (%s, %s)", f.n, f.name[0],
		     f.n > 1 ? f.name[1] : "");

	run_and_read(sub->progs.subprog_lines, bpf_map__fd(sub->maps.bpf_stream_rb),
		     bpf_map__fd(sub->maps.rodata), &seen_sub);
	run_and_read(inl->progs.subprog_lines, bpf_map__fd(inl->maps.bpf_stream_rb),
		     bpf_map__fd(inl->maps.rodata), &seen_inl);
	cr_assert_eq(seen_sub.n, 2);
	cr_assert_eq(seen_inl.n, 2);
	cr_expect_str_eq(seen_sub.text[0], "ints -7 8\n");
	cr_expect_str_eq(seen_sub.text[1], "strs abc=9 abc\n");
	for (i = 0; i < 2; i++) {
		cr_expect_str_eq(seen_inl.text[i], seen_sub.text[i]);
		cr_expect_eq(seen_inl.size[i], seen_sub.size[i]);
		cr_expect_eq(sub->bss->rets[i], 0);
		cr_expect_eq(inl->bss->rets[i], 0);
	}
	hdr_subprog__destroy(sub);
	hdr_subprog_inline__destroy(inl);
}

/* A call site in a region where the program disabled preemption or
 * interrupts: the inlined build loads and prints on every kernel that has
 * the kfuncs. Some kernels refuse the default build's global calls there;
 * which ones is reported, not asserted (docs/bpf-side.md lists them). */
/* An opened hdr_subprog build made ready to load @prog_name, which is off
 * by default, on the ring-buffer transport (@sel: its selector). */
static struct bpf_program *region_prog(struct bpf_object *obj, __u32 *sel, const char *prog_name)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, prog_name);

	cr_assert_not_null(prog, "no program %s", prog_name);
	*sel = BPF_STREAM_SEL_RINGBUF;
	bpf_program__set_autoload(prog, true);
	return prog;
}

static void inline_build_prints_in_region(const char *kfunc, const char *since,
					  const char *prog_name, int ret_idx, const char *line)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	struct hdr_subprog_inline *inl;
	struct bpf_program *prog;
	struct hdr_subprog *sub;
	struct rec_seen seen = {};
	bool has;
	int err;

	cr_assert_not_null(vmlinux, "vmlinux BTF: %s", strerror(errno));
	has = btf__find_by_name_kind(vmlinux, kfunc, BTF_KIND_FUNC) > 0;
	btf__free(vmlinux);
	if (!has)
		cr_skip_test("%s has no %s kfunc (Linux %s+)", kp_kernel(), kfunc, since);

	inl = hdr_subprog_inline__open();
	cr_assert_not_null(inl);
	prog = region_prog(inl->obj, &inl->rodata->bpf_stream_transport_sel, prog_name);
	cr_assert_eq(hdr_subprog_inline__load(inl), 0, "inline build, %s: %s", prog_name,
		     strerror(errno));
	run_and_read(prog, bpf_map__fd(inl->maps.bpf_stream_rb), bpf_map__fd(inl->maps.rodata),
		     &seen);
	cr_assert_eq(seen.n, 1);
	cr_expect_str_eq(seen.text[0], line);
	cr_expect_eq(inl->bss->rets[ret_idx], 0);
	hdr_subprog_inline__destroy(inl);

	sub = hdr_subprog__open();
	cr_assert_not_null(sub);
	prog = region_prog(sub->obj, &sub->rodata->bpf_stream_transport_sel, prog_name);
	err = hdr_subprog__load(sub);
	printf("header: %s: default build after %s() %s\n", kp_kernel(), kfunc,
	       err ? "refused (a global function call there)" : "loads");
	hdr_subprog__destroy(sub);
}

Test(header, inline_build_prints_with_preemption_disabled)
{
	inline_build_prints_in_region("bpf_preempt_disable", "6.10", "subprog_preempt", 2,
				      "preempt off abc\n");
}

Test(header, inline_build_prints_with_interrupts_disabled)
{
	inline_build_prints_in_region("bpf_local_irq_save", "6.14", "subprog_irq", 3,
				      "irqs off abc\n");
}
