// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * 1. BPF-side cost per message, BPF_PROG_TEST_RUN (xdp, 64-byte packet,
 *    repeat N), pinned to one CPU, the variants interleaved within each run:
 *    empty program, bpf_trace_vprintk(), a hand-written bpf_snprintf() into
 *    a reserved ring record, the kernel's stream kfunc called directly,
 *    bpf_stream_printk() on the native path and on the ring-buffer transport.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench.h"
#include "bench_base.skel.h"
#include "bench_native.skel.h"
#include "bench_stream.skel.h"
#include "bpf_stream_record.h"

#define SEC_NAME "1 BPF side"
/* Rings of the ring variants: big enough that a run never fills them. */
#define BIG_RING (256u << 20)

/* Histogram of return values: which errors dominated. */
struct rets_tally {
	__u64 n[64];
};

static void tally_add(struct rets_tally *t, const __u64 *rets)
{
	for (int i = 0; i < 64; i++)
		t->n[i] += rets[i];
}

static void tally_str(const struct rets_tally *t, char *buf, size_t sz)
{
	size_t off = 0;
	__u64 total = 0;

	for (int i = 0; i < 64; i++)
		total += t->n[i];
	buf[0] = 0;
	for (int i = 0; i < 64 && off < sz; i++) {
		if (!t->n[i])
			continue;
		off += snprintf(buf + off, sz - off, "%s%s %.1f%%", off ? ", " : "",
				bench_errname(i), 100.0 * t->n[i] / (total ? total : 1));
	}
}

static int dominant(const struct rets_tally *t)
{
	int best = 0;

	for (int i = 1; i < 64; i++)
		if (t->n[i] > t->n[best])
			best = i;
	return best;
}

static int run_native_direct(struct series *s, struct rets_tally *t, bool *present)
{
	struct bench_native *skel;
	__u32 d;
	int err;

	skel = bench_native__open_and_load();
	if (!skel)
		return -errno;
	err = bench_test_run(bpf_program__fd(skel->progs.bench_native), bench_cfg.repeat, &d);
	if (!err) {
		series_add(s, d);
		tally_add(t, skel->bss->rets);
		*present = skel->bss->bench_native_present;
	}
	bench_native__destroy(skel);
	return err;
}

static struct bench_stream *stream_open(int sel, __u32 ring_size)
{
	struct bench_stream *skel;
	struct bpf_map *rb;
	int err;

	skel = bench_stream__open();
	if (!skel)
		return NULL;
	if (!skel->rodata->bench_have_stream) {
		bench_stream__destroy(skel);
		errno = ENOENT;
		return NULL;
	}
	err = bench_set_rodata(skel->obj, BPF_STREAM_SEL_VAR, &sel, sizeof(sel));
	rb = bpf_object__find_map_by_name(skel->obj, BPF_STREAM_RINGBUF_MAP);
	if (!err && rb && ring_size)
		err = bpf_map__set_max_entries(rb, ring_size);
	if (!err)
		err = bench_stream__load(skel);
	if (err) {
		bench_stream__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}

static int run_stream_native(struct series *s, struct rets_tally *t)
{
	struct bench_stream *skel;
	__u32 d;
	int err;

	skel = stream_open(BPF_STREAM_SEL_NATIVE, 0);
	if (!skel)
		return -errno;
	err = bench_test_run(bpf_program__fd(skel->progs.bench_stream), bench_cfg.repeat, &d);
	if (!err) {
		series_add(s, d);
		tally_add(t, skel->bss->rets);
	}
	bench_stream__destroy(skel);
	return err;
}

int bench_bpf_side(void)
{
	struct series empty = {}, tvp = {}, rec = {}, nat = {}, snat = {}, sring = {}, r;
	struct series fmt_only = {}, ring_only = {}, bin_rec = {}, tvp_str = {}, sring_str = {};
	struct rets_tally nat_t = {}, snat_t = {}, sring_t = {};
	struct bench_stream *ring = NULL;
	struct bench_base *base;
	bool nat_present = false, have_stream = true;
	__u64 recs, rec_bytes = 0, srec_bytes = 0, lost = 0, slost = 0, sstr_bytes = 0;
	char buf[256], buf2[256];
	int err, run, repeat = bench_cfg.repeat;
	__u32 d;

	bench_pin(bench_cfg.prod_cpu);
	base = bench_base__open();
	if (!base)
		return -errno;
	bpf_map__set_max_entries(base->maps.bench_rb, BIG_RING);
	err = bench_base__load(base);
	if (err) {
		bench_base__destroy(base);
		return err;
	}
	ring = stream_open(BPF_STREAM_SEL_RINGBUF, BIG_RING);
	if (!ring) {
		have_stream = false;
		bench_note(SEC_NAME, "bpf_stream.h not available or its object failed to load "
			   "(%s): bpf_stream_printk() not measured", strerror(errno));
	}

	for (run = 0; run < bench_cfg.runs; run++) {
		if (!bench_test_run(bpf_program__fd(base->progs.bench_empty), repeat, &d))
			series_add(&empty, d);
		if (!bench_test_run(bpf_program__fd(base->progs.bench_tvprintk), repeat, &d))
			series_add(&tvp, d);
		if (!bench_test_run(bpf_program__fd(base->progs.bench_tvprintk_str), repeat, &d))
			series_add(&tvp_str, d);
		if (!bench_test_run(bpf_program__fd(base->progs.bench_rec), repeat, &d))
			series_add(&rec, d);
		if (!bench_ring_discard(bpf_map__fd(base->maps.bench_rb), &recs, &rec_bytes))
			lost += repeat - recs;
		if (!bench_test_run(bpf_program__fd(base->progs.bench_fmt_only), repeat, &d))
			series_add(&fmt_only, d);
		if (!bench_test_run(bpf_program__fd(base->progs.bench_ring_only), repeat, &d))
			series_add(&ring_only, d);
		bench_ring_discard(bpf_map__fd(base->maps.bench_rb), NULL, NULL);
		if (!bench_test_run(bpf_program__fd(base->progs.bench_bin_rec), repeat, &d))
			series_add(&bin_rec, d);
		bench_ring_discard(bpf_map__fd(base->maps.bench_rb), NULL, NULL);
		err = run_native_direct(&nat, &nat_t, &nat_present);
		if (err && run == 0)
			bench_note(SEC_NAME, "native kfunc program: %s", strerror(-err));
		if (have_stream) {
			err = run_stream_native(&snat, &snat_t);
			if (err && run == 0)
				bench_note(SEC_NAME, "bpf_stream_printk native: %s", strerror(-err));
			memset(ring->bss->rets, 0, sizeof(ring->bss->rets));
			if (!bench_test_run(bpf_program__fd(ring->progs.bench_stream), repeat, &d))
				series_add(&sring, d);
			tally_add(&sring_t, ring->bss->rets);
			if (!bench_ring_discard(bpf_object__find_map_fd_by_name(ring->obj,
						BPF_STREAM_RINGBUF_MAP), &recs, &srec_bytes))
				slost += repeat - recs;
			if (!bench_test_run(bpf_program__fd(ring->progs.bench_stream_str), repeat, &d))
				series_add(&sring_str, d);
			tally_add(&sring_t, ring->bss->rets);
			if (!bench_ring_discard(bpf_object__find_map_fd_by_name(ring->obj,
						BPF_STREAM_RINGBUF_MAP), &recs, &sstr_bytes))
				slost += repeat - recs;
		}
	}

	bench_row(SEC_NAME, "empty program (floor)", "ns/msg", &empty, NULL, NULL, NULL);
	bench_row(SEC_NAME, "bpf_trace_vprintk", "ns/msg", &tvp, NULL, NULL,
		  "writes the trace pipe");
	bench_row(SEC_NAME, "bpf_trace_vprintk, one %s", "ns/msg", &tvp_str, NULL, NULL,
		  "\"value=%%d name=%%s\\n\" (42, \"abc\")");
	series_ratio(&r, &rec, &tvp);
	bench_row(SEC_NAME, "hand-written bpf_snprintf -> ring record", "ns/msg", &rec,
		  "trace_vprintk", &r, "%llu-byte records, %llu of %llu lost", rec_bytes,
		  (unsigned long long)lost, (unsigned long long)repeat * bench_cfg.runs);
	series_ratio(&r, &fmt_only, &tvp);
	bench_row(SEC_NAME, "  of which bpf_snprintf alone (stack buf)", "ns/msg", &fmt_only,
		  "trace_vprintk", &r, "no ring");
	series_ratio(&r, &ring_only, &tvp);
	bench_row(SEC_NAME, "  of which ring reserve+header+submit", "ns/msg", &ring_only,
		  "trace_vprintk", &r, "no formatting");
	series_ratio(&r, &bin_rec, &tvp);
	bench_row(SEC_NAME, "hand-written binary record (header + 2 args)", "ns/msg", &bin_rec,
		  "trace_vprintk", &r, "32-byte record, reserve + submit with flags 0: the floor "
		  "of the transport's integer path");
	if (nat.n) {
		tally_str(&nat_t, buf, sizeof(buf));
		series_ratio(&r, &nat, &tvp);
		bench_row(SEC_NAME, "native kfunc, called directly", "ns/msg", &nat,
			  "trace_vprintk", &r, "%s, fresh program per run: %s",
			  nat_present ? (nat_t.n[0] ? "works" : "FAILS") : "kfunc absent", buf);
		if (nat_present && dominant(&nat_t))
			bench_note(SEC_NAME, "native path fails on this kernel; %s dominated "
				   "(%s). The failing path formats the message before the "
				   "capacity check, so its cost is still the formatting cost. "
				   "After ~100000 bytes of failed writes a stream returns "
				   "-ENOSPC for good (the 6.18 capacity leak), hence one fresh "
				   "program per run.", bench_errname(dominant(&nat_t)), buf);
	}
	if (snat.n) {
		tally_str(&snat_t, buf, sizeof(buf));
		series_ratio(&r, &snat, &tvp);
		bench_row(SEC_NAME, "bpf_stream_printk, native path", "ns/msg", &snat,
			  "trace_vprintk", &r, "fresh program per run: %s", buf);
	}
	if (sring.n) {
		struct series rt, rr;

		tally_str(&sring_t, buf2, sizeof(buf2));
		series_ratio(&rt, &sring, &tvp);
		series_ratio(&rr, &sring, &bin_rec);
		bench_row(SEC_NAME, "bpf_stream_printk, ring-buffer transport", "ns/msg", &sring,
			  "trace_vprintk", &rt, "binary records of %llu bytes, 256 MiB ring never "
			  "full: %s", (unsigned long long)srec_bytes, buf2);
		bench_row(SEC_NAME, "  same, vs hand-written binary record", "ns/msg", &sring,
			  "hand-written", &rr, "the header adds the call-site id, the wake-up "
			  "choice (bpf_jiffies64 + bpf_ringbuf_query) and its drop accounting");
		if (series_median(&rt) <= 0.15)
			bench_target("transport / bpf_trace_vprintk, integers (BPF side)", &rt, 0.15,
				     true, NULL);
		else
			bench_target("transport / bpf_trace_vprintk, integers (BPF side)", &rt, 0.15,
				     true, "over by %.0f%%; bound: a hand-written binary record "
				     "(reserve, header, submit) alone costs %.0f ns (%.3fx), the "
				     "empty program %.0f ns", 100 * (series_median(&rt) / 0.15 - 1),
				     series_median(&bin_rec),
				     series_median(&bin_rec) / series_median(&tvp),
				     series_median(&empty));
		if (sring_str.n && tvp_str.n) {
			struct series rs;

			series_ratio(&rs, &sring_str, &tvp_str);
			bench_row(SEC_NAME, "bpf_stream_printk, ring, one %s", "ns/msg", &sring_str,
				  "trace_vprintk one %s", &rs, "binary record of %llu bytes: the "
				  "string copied at call time (bpf_probe_read_kernel_str) into a "
				  "per-CPU scratch, bpf_ringbuf_output at the exact size",
				  (unsigned long long)sstr_bytes);
			bench_target("transport / bpf_trace_vprintk, one %s (BPF side)", &rs, 0.25,
				     true, "%s", series_median(&rs) <= 0.25 ? "" :
				     "bound: scratch lookup + string copy + bpf_ringbuf_output copy");
		}
		series_ratio(&rr, &sring, &rec);
		bench_row(SEC_NAME, "  integers, vs v1 (bpf_snprintf into a 1040-byte record)",
			  "ns/msg", &sring, "hand-written snprintf", &rr, NULL);
		if (slost)
			bench_note(SEC_NAME, "ring transport lost %llu records in a 256 MiB ring",
				   (unsigned long long)slost);
	}
	bench_note(SEC_NAME, "xdp BPF_PROG_TEST_RUN, 64-byte packet, repeat %d, pinned to CPU %d, "
		   "%d runs; kernel-measured ns per call including the test-run loop (see floor); "
		   "format \"bench: seq=%%llu len=%%u\\n\" (19..26 bytes once formatted, 25 for seq=123456)",
		   repeat, bench_cfg.prod_cpu, bench_cfg.runs);
	if (ring)
		bench_stream__destroy(ring);
	bench_base__destroy(base);
	return 0;
}
