// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * 9. Cost to the verifier of 50 call sites (bench_sites50.h), as
 *    veristat measures it: the kernel's own statistics of the load
 *    (log level 4: "processed N insns", "verification time N usec"), and
 *    the size of the loaded program (bpf_prog_info: translated
 *    instructions, JITed bytes). The program as users build it (the
 *    header's global subprograms, verified once) against the same source
 *    with BPF_STREAM_INLINE (every helper inlined at each call site, as in
 *    libbpf-stream 1.1.0), both interleaved in each run, on each transport
 *    the kernel can verify (native: where its BTF has the stream kfunc).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "bench.h"
#include "bench_sites50.skel.h"
#include "bench_sites50_inline.skel.h"
#include "bpf_stream_record.h"

#define SEC_NAME "9 verifier cost, 50 call sites"
#define LOG_SZ (1u << 20)

enum { M_PROCESSED, M_VTIME, M_XLATED, M_JITED, NR_M };

static const char *const m_names[NR_M] = {
	"processed insns", "verification time", "loaded insns", "JITed bytes",
};
static const char *const m_units[NR_M] = { "insns", "us", "insns", "bytes" };

struct variant {
	const char *name;
	struct series m[NR_M];
};

/* The figure after @key in the verifier's statistics line, or -1. */
static double log_figure(const char *log, const char *key)
{
	const char *p = strstr(log, key);

	return p ? strtod(p + strlen(key), NULL) : -1;
}

/* One load of @obj (opened, not loaded) with transport @sel. */
static int measure(struct bpf_object *obj, struct bpf_program *prog, int sel,
		   struct variant *v, char *log)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	double processed, vtime;
	int err;

	err = bench_set_rodata(obj, BPF_STREAM_SEL_VAR, &sel, sizeof(sel));
	if (err)
		return err;
	log[0] = 0;
	bpf_program__set_log_level(prog, 4);
	bpf_program__set_log_buf(prog, log, LOG_SZ);
	err = bpf_object__load(obj);
	if (err)
		return err;
	err = bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len);
	if (err)
		return -errno;
	processed = log_figure(log, "processed ");
	vtime = log_figure(log, "verification time ");
	if (processed < 0 || vtime < 0)
		return -ENODATA;	/* a kernel without the statistics line */
	series_add(&v->m[M_PROCESSED], processed);
	series_add(&v->m[M_VTIME], vtime);
	series_add(&v->m[M_XLATED], info.xlated_prog_len / 8.0);
	series_add(&v->m[M_JITED], info.jited_prog_len);
	return 0;
}

static int run_once(int sel, struct variant *sub, struct variant *inl, char *log)
{
	struct bench_sites50_inline *b = bench_sites50_inline__open();
	struct bench_sites50 *a = bench_sites50__open();
	int err = -ENOMEM;

	if (a && b)
		err = measure(a->obj, a->progs.sites50, sel, sub, log);
	if (!err)
		err = measure(b->obj, b->progs.sites50, sel, inl, log);
	bench_sites50__destroy(a);
	bench_sites50_inline__destroy(b);
	return err;
}

/* Whether the kernel's BTF has a stream kfunc (the native branch is then
 * the one the verifier walks). */
static bool kernel_has_streams(void)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	bool ok;

	if (!vmlinux)
		return false;
	ok = btf__find_by_name_kind(vmlinux, "bpf_stream_vprintk", BTF_KIND_FUNC) > 0 ||
	     btf__find_by_name_kind(vmlinux, "bpf_stream_vprintk_impl", BTF_KIND_FUNC) > 0;
	btf__free(vmlinux);
	return ok;
}

static void report(const char *transport, struct variant *sub, struct variant *inl)
{
	char name[96], base[96];
	struct series r;
	int m;

	for (m = 0; m < NR_M; m++) {
		snprintf(base, sizeof(base), "%s, %s, inlined", transport, m_names[m]);
		snprintf(name, sizeof(name), "%s, %s, subprograms", transport, m_names[m]);
		bench_row(SEC_NAME, base, m_units[m], &inl->m[m], NULL, NULL, NULL);
		series_ratio(&r, &sub->m[m], &inl->m[m]);
		bench_row(SEC_NAME, name, m_units[m], &sub->m[m], base, &r, NULL);
	}
}

int bench_verifier(void)
{
	static const struct { int sel; const char *name; } tports[] = {
		{ BPF_STREAM_SEL_RINGBUF, "ring buffer" },
		{ BPF_STREAM_SEL_NATIVE, "native" },
	};
	struct variant sub, inl;
	char *log = malloc(LOG_SZ);
	int t, run, err = 0;

	if (!log)
		return -ENOMEM;
	for (t = 0; t < 2 && !err; t++) {
		if (tports[t].sel == BPF_STREAM_SEL_NATIVE && !kernel_has_streams()) {
			bench_note(SEC_NAME, "native: not measured, the kernel's BTF has no stream kfunc");
			continue;
		}
		memset(&sub, 0, sizeof(sub));
		memset(&inl, 0, sizeof(inl));
		for (run = 0; run < bench_cfg.runs && !err; run++)
			err = run_once(tports[t].sel, &sub, &inl, log);
		if (!err)
			report(tports[t].name, &sub, &inl);
	}
	if (!err)
		bench_note(SEC_NAME, "the kernel's statistics of each load (log level 4, as veristat "
			   "reads them) and bpf_prog_info; %d loads of each build, interleaved",
			   bench_cfg.runs);
	free(log);
	return err;
}
