// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * 2. End to end: lines per second from bpf_stream_printk() to the user's
 *    callback. Producers run a syscall program with BPF_PROG_TEST_RUN that
 *    prints a batch of PACE_BATCH lines in a bpf_loop(), flat out or paced
 *    to an offered rate, pinned to CPU 0 (and CPU 1 for two producers). The
 *    consumer, pinned to CPU 1, is a bpf_stream_reader polling the prepared
 *    object, a bpf_stream_drain_object() loop, or (baseline) libbpf's own
 *    ring_buffer__poll() on the same ring, each with a counting callback.
 *    Clock: from the producers' start to the last line delivered.
 *    Conservation is checked on every run: delivered + dropped == written,
 *    where dropped comes from the object's drop counter and the BPF side's
 *    own count of failed calls (the two must agree too).
 */
#include <errno.h>
#include <sched.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench.h"
#include "libbpf_stream.h"
#include "bpf_stream_record.h"
#include "bench_stream.skel.h"

#define SEC_NAME "2 end to end"
/* Lines of the consumer-alone case: they must all fit a 256 MiB ring. */
#define PREFILL_LINES 200000
#define BIG_RING (256u << 20)
/* A ring that absorbs ~100 ms of a 4M lines/s producer (scheduler delays). */
#define MID_RING (16u << 20)
/* Lines per paced batch (5 KiB of 40-byte records). */
#define PACE_BATCH 128
#define IDLE_CALLS 2000
/* Offered rate of the paced cases: 10% over the 4M lines/s target, so a
 * run without drops proves the target with its own clock. */
#define PACE 4.4e6
#define TARGET_RATE 4

/* USE_RAW is the baseline: libbpf's own ring_buffer__poll() on the same
 * ring with a callback that counts records (no decoding, no framing). */
enum consumer { USE_READER, USE_DRAIN, USE_SPIN, USE_RAW, USE_TAP };

struct e2e_run {
	struct bench_stream *skel;	/* bpf_stream.h as it is */
	struct bpf_object *obj;
	__u64 *rets;			/* the program's e2e_rets[] */
	int prog_fd, lines;
	pthread_barrier_t start;
	atomic_int producers_left;
	double t0;
	/* consumer side */
	double pace;		/* offered lines/s per producer; 0: flat out */
	double cons_cpu;	/* consumer thread CPU seconds */
	enum consumer mode;
	struct bpf_stream_reader *reader;
	struct ring_buffer *rb;
	__u64 delivered, bad, notices;
	int err;
};

static int count_cb(void *ctx, const struct bpf_stream_msg *msg)
{
	struct e2e_run *r = ctx;

	if (msg->flags & BPF_STREAM_MSG_F_DROP_NOTICE) {
		r->notices += msg->dropped;
		return 0;
	}
	if (msg->len < 11 || memcmp(msg->text, "bench: seq=", 11))
		r->bad++;
	r->delivered++;
	return 0;
}

struct bench_burst_args {
	__u32 n;
};

/* Run the syscall program once: it prints @n messages. */
static int burst(int prog_fd, int n)
{
	struct bench_burst_args args = { .n = n };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args, .ctx_size_in = sizeof(args));

	return bpf_prog_test_run_opts(prog_fd, &opts) ? -errno : 0;
}

static int raw_cb(void *ctx, void *data, size_t size)
{
	const struct bpf_stream_rec_hdr *h = data;
	struct e2e_run *r = ctx;

	if (size < sizeof(*h) || h->magic != BPF_STREAM_REC_MAGIC)
		r->bad++;
	r->delivered++;
	return 0;
}

struct producer_arg {
	struct e2e_run *run;
	int cpu;
	double t_end;
};

static void *producer(void *p)
{
	struct producer_arg *a = p;

	struct e2e_run *r = a->run;
	int err = 0, done = 0, batch;
	double t0;

	bench_pin(a->cpu);
	/* -F makes only the consumer real-time: a FIFO producer sharing its
	 * CPU would never let it run */
	sched_setscheduler(0, SCHED_OTHER, &(struct sched_param){ 0 });
	pthread_barrier_wait(&r->start);
	t0 = now_ns();
	/* Batches of PACE_BATCH lines (~1/8 of the default ring); paced, each
	 * starts on schedule (busy wait: this CPU is the producer's). */
	while (!err && done < r->lines) {
		double due = t0 + done / r->pace * 1e9;

		while (r->pace > 0 && now_ns() < due)
			;
		batch = r->lines - done < PACE_BATCH ? r->lines - done : PACE_BATCH;
		err = burst(r->prog_fd, batch);
		done += batch;
	}
	if (err)
		r->err = err;
	a->t_end = now_ns();
	atomic_fetch_sub(&r->producers_left, 1);
	return NULL;
}

static int consume_once(struct e2e_run *r, int timeout_ms)
{
	if (r->mode == USE_RAW)
		return timeout_ms ? ring_buffer__poll(r->rb, timeout_ms) : ring_buffer__consume(r->rb);
	if (r->mode == USE_SPIN)
		return bpf_stream_reader__consume(r->reader);
	if (r->mode == USE_READER)
		return timeout_ms ? bpf_stream_reader__poll(r->reader, timeout_ms)
				  : bpf_stream_reader__consume(r->reader);
	return bpf_stream_drain_object(r->obj, count_cb, r);
}

/* A reader in a child process (not the object's consumer: a tap) reads the
 * ring once, all of it; returns its seconds, *lines what it delivered. */
static double tap_in_child(struct e2e_run *r, __u64 *lines)
{
	struct { double secs; __u64 lines; int err; } res = {};
	int pfd[2], status;
	pid_t pid;

	if (pipe(pfd))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		double t0;
		int ret;

		close(pfd[0]);
		r->delivered = 0;
		r->reader = bpf_stream_reader__new(count_cb, r, NULL);
		if (!r->reader || bpf_stream_reader__add_object(r->reader, r->obj, 0) < 0) {
			res.err = -errno;
		} else {
			t0 = now_ns();
			do
				ret = bpf_stream_reader__consume(r->reader);
			while (ret > 0);
			res.secs = (now_ns() - t0) / 1e9;
			res.lines = r->delivered;
			res.err = ret < 0 ? ret : 0;
		}
		_exit(write(pfd[1], &res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(pfd[1]);
	if (read(pfd[0], &res, sizeof(res)) != sizeof(res))
		res.err = -EIO;
	close(pfd[0]);
	waitpid(pid, &status, 0);
	if (res.err)
		return res.err;
	*lines = res.lines;
	return res.secs;
}

/* Runs on the calling thread (pinned to the reader CPU). Returns seconds. */
static double thread_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double consume_all(struct e2e_run *r)
{
	double cpu0 = thread_cpu_s();
	int ret, empty = 0;

	while (atomic_load(&r->producers_left) > 0) {
		ret = consume_once(r, 2);
		if (ret < 0 && ret != -EINTR && ret != -EAGAIN) {
			r->err = ret;
			break;
		}
	}
	/* Producers are done: drain what is left until two empty passes. */
	while (empty < 2) {
		ret = consume_once(r, 0);
		if (ret < 0 && ret != -EINTR && ret != -EAGAIN) {
			r->err = ret;
			break;
		}
		empty = ret == 0 ? empty + 1 : 0;
	}
	r->cons_cpu = thread_cpu_s() - cpu0;
	return (now_ns() - r->t0) / 1e9;
}

struct e2e_out {
	__u64 written, dropped, delivered;
	__u64 tap_lines;	/* USE_TAP: lines the tap process delivered */
	bool conserved;
	double busy;		/* consumer CPU time / its wall time */
	double offered;		/* lines/s the producers achieved */
};

/* One run: returns lines/s delivered and fills @o, or -errno (@why says why). */
static double e2e_once(enum consumer mode, int nprod, __u32 ring_size,
		       bool prefill, double pace, struct e2e_out *o, char *why, size_t why_sz)
{
	LIBBPF_OPTS(bpf_stream_prepare_opts, popts, .transport = BPF_STREAM_TRANSPORT_RINGBUF);
	struct producer_arg pa[2];
	pthread_t th[2];
	struct e2e_run r = { .mode = mode, .lines = prefill ? PREFILL_LINES : bench_cfg.e2e_lines,
			     .pace = pace };
	__u64 ok_bpf = 0, fail_bpf = 0, obj_drops = 0;
	struct sched_param fifo = { .sched_priority = 1 }, other = {};
	double secs = -EINVAL, t_prod_end = 0;
	int err, i;

	r.skel = bench_stream__open();
	r.obj = r.skel ? r.skel->obj : NULL;
	if (!r.obj)
		return -errno;
	err = bpf_stream_prepare_opts(r.obj, &popts);
	if (!err && ring_size)
		err = bpf_map__set_max_entries(bpf_object__find_map_by_name(r.obj,
					       BPF_STREAM_RINGBUF_MAP), ring_size);
	if (!err)
		err = bench_stream__load(r.skel);
	if (err) {
		snprintf(why, why_sz, "prepare/load: %s", strerror(-err));
		goto out;
	}
	r.prog_fd = bpf_program__fd(r.skel->progs.bench_stream_e2e);
	r.rets = r.skel->bss->e2e_rets;
	if (mode == USE_RAW) {
		r.rb = ring_buffer__new(bpf_object__find_map_fd_by_name(r.obj,
					BPF_STREAM_RINGBUF_MAP), raw_cb, &r, NULL);
		if (!r.rb) {
			err = -errno;
			snprintf(why, why_sz, "ring_buffer__new: %s", strerror(errno));
			goto out;
		}
	} else if (mode != USE_DRAIN && mode != USE_TAP) {
		r.reader = bpf_stream_reader__new(count_cb, &r, NULL);
		if (!r.reader || bpf_stream_reader__add_object(r.reader, r.obj, 0) < 0) {
			err = -errno;
			snprintf(why, why_sz, "reader: %s", strerror(errno));
			goto out;
		}
	}
	bench_pin(bench_cfg.reader_cpu);
	/* -F: the consumer (this thread) runs SCHED_FIFO */
	if (bench_cfg.fifo && sched_setscheduler(0, SCHED_FIFO, &fifo))
		bench_cfg.fifo = false;
	pthread_barrier_init(&r.start, NULL, nprod + 1);
	atomic_store(&r.producers_left, nprod);
	for (i = 0; i < nprod; i++) {
		pa[i].run = &r;
		pa[i].cpu = i == 0 ? bench_cfg.prod_cpu : bench_cfg.reader_cpu;
		pthread_create(&th[i], NULL, producer, &pa[i]);
	}
	pthread_barrier_wait(&r.start);
	r.t0 = now_ns();
	if (prefill) {
		/* consumer alone: the ring holds every line before it starts */
		for (i = 0; i < nprod; i++)
			pthread_join(th[i], NULL);
		r.t0 = now_ns();
	}
	if (mode == USE_TAP) {
		/* another process reads the pre-filled ring along (this one
		 * prepared the object: it is the consumer); then this one
		 * consumes it, for the conservation check */
		secs = tap_in_child(&r, &o->tap_lines);
		r.t0 = now_ns();
		r.reader = bpf_stream_reader__new(count_cb, &r, NULL);
		if (!r.reader || bpf_stream_reader__add_object(r.reader, r.obj, 0) < 0)
			r.err = -errno;
		else
			consume_all(&r);
	} else {
		secs = consume_all(&r);
	}
	for (i = 0; i < nprod && !prefill; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < nprod; i++)
		t_prod_end = pa[i].t_end > t_prod_end ? pa[i].t_end : t_prod_end;
	sched_setscheduler(0, SCHED_OTHER, &other);
	pthread_barrier_destroy(&r.start);
	if (r.err) {
		snprintf(why, why_sz, "run: %s", strerror(-r.err));
		secs = r.err;
		goto out;
	}
	for (i = 0; i < 64; i++) {
		if (i == 0)
			ok_bpf += r.rets[i];
		else
			fail_bpf += r.rets[i];
	}
	bpf_stream_object_dropped(r.obj, BPF_STDOUT, &obj_drops);
	o->written = (__u64)r.lines * nprod;
	o->dropped = obj_drops;
	o->delivered = r.delivered;
	o->conserved = r.delivered + obj_drops == o->written && ok_bpf == r.delivered &&
		       fail_bpf == obj_drops && !r.bad &&
		       (mode != USE_TAP || o->tap_lines == r.delivered);
	o->busy = r.cons_cpu / secs;
	o->offered = o->written / ((t_prod_end - r.t0) / 1e9);
	if (prefill)
		o->offered = 0;
	if (mode == USE_TAP && o->tap_lines != r.delivered)
		snprintf(why, why_sz, "the tap read %llu lines, the consumer %llu",
			 (unsigned long long)o->tap_lines, (unsigned long long)r.delivered);
	else if (!o->conserved)
		snprintf(why, why_sz, "delivered %llu + dropped %llu != written %llu "
			 "(BPF side: %llu ok, %llu failed; %llu malformed lines)",
			 (unsigned long long)r.delivered, (unsigned long long)obj_drops,
			 (unsigned long long)o->written, (unsigned long long)ok_bpf,
			 (unsigned long long)fail_bpf, (unsigned long long)r.bad);
	secs = mode == USE_TAP ? o->tap_lines / secs : r.delivered / secs;
out:
	ring_buffer__free(r.rb);
	bpf_stream_reader__free(r.reader);
	bpf_stream_release(r.obj);
	bench_stream__destroy(r.skel);
	return secs;
}

static const char *mode_name(enum consumer mode)
{
	switch (mode) {
	case USE_READER: return "reader";
	case USE_DRAIN: return "drain_object";
	case USE_SPIN: return "reader__consume spin";
	case USE_TAP: return "reader as a tap (another process consumes)";
	default: return "libbpf ring_buffer (raw)";
	}
}

/* One end-to-end case. */
struct e2e_cfg {
	enum consumer mode;
	int nprod;
	__u32 ring;		/* ring bytes; 0: the header's default (1 MiB) */
	bool prefill;		/* consumer alone on a pre-filled ring */
	double pace;		/* offered lines/s; 0: flat out */
	bool baseline;		/* interleave runs of the raw libbpf consumer */
	const char *target;	/* name of the >= 4M lines/s target checked here */
	double rate_min;	/* consumer-alone target, M lines/s (0: none) */
};

struct e2e_series {
	struct series rate, drop, busy, offered;
	__u64 conserved_runs;
	char why[256];
};

static void e2e_row(const struct e2e_cfg *c, enum consumer mode, struct e2e_series *es,
		    const char *base, const struct series *ratio)
{
	char name[128], ring[32], pace_s[48] = "";

	if (c->ring)
		snprintf(ring, sizeof(ring), "%u MiB ring", c->ring >> 20);
	else
		snprintf(ring, sizeof(ring), "1 MiB ring");
	if (c->pace > 0)
		snprintf(pace_s, sizeof(pace_s), ", paced %.1fM/s", c->pace / 1e6);
	if (c->prefill)
		snprintf(name, sizeof(name), "%s alone, pre-filled %s", mode_name(mode), ring);
	else
		snprintf(name, sizeof(name), "%s, %d prod%s%s, %s", mode_name(mode), c->nprod,
			 c->pace > 0 ? "" : " flat out", pace_s, ring);
	if (!es->rate.n) {
		bench_note(SEC_NAME, "%s: not measured: %s", name, es->why);
		return;
	}
	if (c->prefill)
		snprintf(pace_s, sizeof(pace_s), "consumer clock only");
	else
		snprintf(pace_s, sizeof(pace_s), "offered %.2f Mlines/s = %.0f ns per call",
			 series_median(&es->offered), 1e3 * c->nprod / series_median(&es->offered));
	bench_row(SEC_NAME, name, "Mlines/s", &es->rate, base, ratio,
		  "dropped %.2f%% [%.2f..%.2f]; %s; consumer CPU busy %.0f%%; "
		  "conservation %s in %llu/%d runs%s%s",
		  series_median(&es->drop), series_min(&es->drop), series_max(&es->drop),
		  pace_s, series_median(&es->busy),
		  es->conserved_runs == (__u64)es->rate.n ? "held" : "FAILED",
		  (unsigned long long)es->conserved_runs, es->rate.n, es->why[0] ? ": " : "",
		  es->why);
}

static int e2e_run_into(const struct e2e_cfg *c, enum consumer mode, struct e2e_series *es)
{
	struct e2e_out o = {};
	double v;

	v = e2e_once(mode, c->nprod, c->ring, c->prefill, c->pace, &o, es->why,
		     sizeof(es->why));
	if (v < 0)
		return -1;
	series_add(&es->rate, v / 1e6);
	series_add(&es->drop, o.written ? 100.0 * o.dropped / o.written : 0);
	series_add(&es->busy, 100 * o.busy);
	series_add(&es->offered, o.offered / 1e6);
	es->conserved_runs += o.conserved;
	return 0;
}

static void e2e_case(const struct e2e_cfg *c)
{
	struct e2e_series es = {}, raw = {};
	struct series ratio;

	for (int run = 0; run < bench_cfg.runs; run++) {
		if (c->baseline && e2e_run_into(c, USE_RAW, &raw))
			break;
		if (e2e_run_into(c, c->mode, &es))
			break;
	}
	if (c->baseline) {
		e2e_row(c, USE_RAW, &raw, NULL, NULL);
		series_ratio(&ratio, &es.rate, &raw.rate);
	}
	e2e_row(c, c->mode, &es, c->baseline ? "raw" : NULL, c->baseline ? &ratio : NULL);
	if (c->rate_min > 0 && es.rate.n) {
		struct series min = { .n = es.rate.n }, rr;

		for (int i = 0; i < es.rate.n; i++)
			min.v[i] = c->rate_min;
		series_ratio(&rr, &es.rate, &min);
		bench_target("reader alone, lines/s / 15M", &rr, 1, false, "%s",
			     series_median(&rr) >= 1 ? "" :
			     "bound: per record decode + format + queue, then framing and one "
			     "callback per line");
	}
	if (c->target && es.rate.n) {
		struct series r = es.rate, two = { .n = es.rate.n }, rr;

		for (int i = 0; i < r.n; i++) {
			r.v[i] = es.drop.v[i] == 0 ? es.rate.v[i] : 0;	/* a run with drops fails */
			two.v[i] = TARGET_RATE;
		}
		series_ratio(&rr, &r, &two);
		if (series_median(&rr) >= 1)
			bench_target(c->target, &rr, 1, false, NULL);
		else
			bench_target(c->target, &rr, 1, false,
				     "%.2f Mlines/s delivered, %.2f%% dropped (a run with drops "
				     "counts as 0); the raw libbpf consumer under the same load: "
				     "%.2f Mlines/s, %.2f%% dropped", series_median(&es.rate),
				     series_median(&es.drop), series_median(&raw.rate),
				     series_median(&raw.drop));
	}
}

/* What one consumer cycle costs when nothing is queued: the floor under
 * every poll, paid again each time the consumer catches up. */
static void idle_cycle(void)
{
	LIBBPF_OPTS(bpf_stream_prepare_opts, popts, .transport = BPF_STREAM_TRANSPORT_RINGBUF);
	struct series us = {}, dus = {};
	struct e2e_run r = {};
	int i, run, err;
	double t;

	r.skel = bench_stream__open();
	if (!r.skel)
		return;
	err = bpf_stream_prepare_opts(r.skel->obj, &popts);
	if (!err)
		err = bench_stream__load(r.skel);
	r.reader = err ? NULL : bpf_stream_reader__new(count_cb, &r, NULL);
	if (r.reader && bpf_stream_reader__add_object(r.reader, r.skel->obj, 0) >= 0) {
		bench_pin(bench_cfg.reader_cpu);
		for (run = 0; run < bench_cfg.runs; run++) {
			t = now_ns();
			for (i = 0; i < IDLE_CALLS; i++)
				bpf_stream_reader__consume(r.reader);
			series_add(&us, (now_ns() - t) / IDLE_CALLS / 1e3);
			t = now_ns();
			for (i = 0; i < IDLE_CALLS; i++)
				bpf_stream_drain_object(r.skel->obj, count_cb, &r);
			series_add(&dus, (now_ns() - t) / IDLE_CALLS / 1e3);
		}
		bench_row(SEC_NAME, "reader__consume, nothing queued", "us/call", &us, NULL, NULL,
			  "one program, both streams");
		bench_row(SEC_NAME, "drain_object, nothing queued", "us/call", &dus, NULL, NULL,
			  NULL);
	}
	bpf_stream_reader__free(r.reader);
	bpf_stream_release(r.skel->obj);
	bench_stream__destroy(r.skel);
}

int bench_e2e(void)
{
	static const struct e2e_cfg cases[] = {
		/* 0: the target */
		{ USE_READER, 1, 0, false, PACE, true,
		  "delivered lines/s, no drops / 4M (1 producer)" },
		{ USE_READER, 1, MID_RING, false, PACE, false, NULL },
		{ USE_READER, 1, 0, false, 0, false, NULL },
		{ USE_DRAIN, 1, 0, false, 0, false, NULL },
		{ USE_READER, 2, 0, false, 0, false, NULL },
		/* 5, 6: the consumer alone */
		{ USE_READER, 1, BIG_RING, true, 0, true, NULL, 15 },
		{ USE_DRAIN, 1, BIG_RING, true, 0, false, NULL },
		/* 7: a second process reading the pre-filled ring along */
		{ USE_TAP, 1, BIG_RING, true, 0, false, NULL },
		/* a: a consumer spinning on bpf_stream_reader__consume() */
		{ USE_SPIN, 1, 0, false, PACE, false, NULL },
	};
	const char *want = getenv("BENCH_E2E_CASES");
	struct bench_stream *probe = bench_stream__open();

	if (!probe)
		return -errno;
	if (!probe->rodata->bench_have_stream) {
		bench_stream__destroy(probe);
		bench_note(SEC_NAME, "bpf_stream.h not available: not measured");
		return 0;
	}
	bench_stream__destroy(probe);

	/* BENCH_E2E_CASES="01b" runs only those cases (for profiling); case a
	 * only on request; b is the idle cycle cost. */
#define WANT(c) (want ? !!strchr(want, (c)) : (c) != 'a')
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (WANT("01234567a"[i]))
			e2e_case(&cases[i]);
	if (WANT('b'))
		idle_cycle();
#undef WANT
	bench_note(SEC_NAME, "ring-buffer transport (native writes fail here), binary records "
		   "of 40 bytes in the ring, so the default 1 MiB ring holds 26214 lines (~6 ms at "
		   "4.4M lines/s); "
		   "%d lines per producer per run, in bpf_loop() batches of %d from a syscall "
		   "program; producer 1 on CPU %d, consumer on CPU %d; with 2 producers the second "
		   "runs on CPU %d and shares it with the consumer; 'offered' is the rate of "
		   "bpf_stream_printk() calls (failed calls are fast), 'ns per call' its inverse per "
		   "producer (the BPF-side cost with a consumer draining concurrently, flat-out "
		   "rows); 'consumer CPU busy' is its "
		   "CPU time over its wall time (below 100%% while lines are dropped: it slept or "
		   "was preempted)", bench_cfg.e2e_lines, PACE_BATCH,
		   bench_cfg.prod_cpu, bench_cfg.reader_cpu, bench_cfg.reader_cpu);
	if (bench_cfg.fifo)
		bench_note(SEC_NAME, "-F: the consumer ran SCHED_FIFO priority 1 (producers "
			   "SCHED_OTHER)");
	bench_note(SEC_NAME, "wake-ups as bpf_stream.h does them: BPF_RB_NO_WAKEUP, "
		   "BPF_RB_FORCE_WAKEUP for the record that takes the bytes waiting across "
		   "128 KiB (BPF_STREAM_WAKEUP_BYTES) or 1 ms after the last wake-up "
		   "(BPF_STREAM_WAKEUP_NS)");
	return 0;
}
