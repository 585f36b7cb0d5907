// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Soak (issue 8, hardening): two CPUs write millions of lines through the
 * ring-buffer transport while one bpf_stream_reader follows the object with
 * bpf_stream_reader__poll(). Checked at the end:
 *  - conservation per stream: lines written (the program's own counter) =
 *    lines delivered + lines dropped (bpf_stream_object_dropped), and the
 *    drop notices the reader delivered add up to the same drops;
 *  - every delivered line is well formed and, per stream and CPU, in order;
 *  - resident memory is flat: RSS after the run minus RSS after a warm-up
 *    stays under SOAK_RSS_SLACK_KB.
 * Default: 2 CPUs x 1.5M runs x 2 lines x 2 streams = 12M lines written (a few s;
 * the reader cannot keep up with two CPUs, so most are dropped and counted).
 * BPF_STREAM_SOAK=long (make check-soak, CI): 80M lines written.
 * Under ThreadSanitizer (make check-tsan) both tests write 400k lines per
 * stream and the RSS check is off.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "libbpf_stream.h"
#include "hardening_soak.skel.h"

#define NR_WRITERS 2
#define LINES_PER_RUN 2		/* as in hardening_soak.bpf.c */
#define RUNS_PER_BATCH 50000	/* one BPF_PROG_TEST_RUN call */
#define SOAK_RSS_SLACK_KB 16384	/* scheduling moves the peak by ~6 MiB; a leak of
				 * even one malloc per line is >= 100 MiB here */

struct writer {
	pthread_t thread;
	int prog_fd, cpu, batches, err;
};

static atomic_int writers_left;
static atomic_int batches_done;

static void *write_loop(void *arg)
{
	struct writer *w = arg;
	char pkt[64] = {};
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = RUNS_PER_BATCH);
	cpu_set_t set;
	int i;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		w->err = -errno;
	for (i = 0; i < w->batches && !w->err; i++) {
		if (bpf_prog_test_run_opts(w->prog_fd, &topts))
			w->err = -errno;
		else if (topts.retval != 2 /* XDP_PASS */)
			w->err = -EIO;
		atomic_fetch_add(&batches_done, 1);
	}
	atomic_fetch_sub(&writers_left, 1);
	return NULL;
}

struct tally {
	__u64 lines[3], notices[3], malformed, out_of_order, partial;
	__u64 next_seq[3][NR_WRITERS];
};

static int on_msg(void *ctx, const struct bpf_stream_msg *msg)
{
	struct tally *t = ctx;
	unsigned long long seq;
	unsigned int cpu;
	char kind;

	if (msg->stream_id != BPF_STDOUT && msg->stream_id != BPF_STDERR) {
		t->malformed++;
		return 0;
	}
	if (msg->flags & BPF_STREAM_MSG_F_DROP_NOTICE) {
		t->notices[msg->stream_id] += msg->dropped;
		return 0;
	}
	t->lines[msg->stream_id]++;
	if (msg->flags & (BPF_STREAM_MSG_F_PARTIAL | BPF_STREAM_MSG_F_UNTERMINATED))
		t->partial++;
	if (msg->len != strlen(msg->text) ||
	    sscanf(msg->text, "%c %u %llu", &kind, &cpu, &seq) != 3 || cpu >= NR_WRITERS ||
	    kind != (msg->stream_id == BPF_STDOUT ? 'o' : 'e')) {
		t->malformed++;
		return 0;
	}
	/* a CPU's lines of one stream arrive in the order it wrote them */
	if (seq < t->next_seq[msg->stream_id][cpu])
		t->out_of_order++;
	t->next_seq[msg->stream_id][cpu] = seq + 1;
	return 0;
}

static long rss_kb(void)
{
	long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static int silent_print(enum bpf_stream_print_level level, const char *fmt, va_list args)
{
	return 0;
}

Test(soak, two_cpus_millions_of_lines_conserved_rss_flat, .timeout = 900)
{
	LIBBPF_OPTS(bpf_stream_prepare_opts, popts, .transport = BPF_STREAM_TRANSPORT_RINGBUF);
	const char *mode = getenv("BPF_STREAM_SOAK");
	bool long_run = mode && !strcmp(mode, "long");
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
	/* instrumented (make check-tsan): few lines, and RSS means nothing */
	int batches = 2, total_batches = batches * NR_WRITERS;
	const bool check_rss = false;

	(void)long_run;
#else
	int batches = (long_run ? 200 : 30), total_batches = batches * NR_WRITERS;
	const bool check_rss = true;
#endif
	struct writer w[NR_WRITERS];
	struct tally *t = calloc(1, sizeof(*t));
	struct hardening_soak *skel;
	struct bpf_stream_reader *r;
	__u64 written[3] = {}, dropped[3] = {};
	long rss_warm = -1, rss_end;
	struct timespec t0, t1;
	int fd, i, n;
	__u32 sid;

	cr_assert_not_null(t);
	if (sysconf(_SC_NPROCESSORS_ONLN) < NR_WRITERS)
		cr_skip_test("needs %d online CPUs", NR_WRITERS);
	bpf_stream_set_print(silent_print);
	skel = hardening_soak__open();
	cr_assert_not_null(skel, "open: %s", strerror(errno));
	cr_assert_eq(bpf_stream_prepare_opts(skel->obj, &popts), 0);
	cr_assert_eq(hardening_soak__load(skel), 0, "load: %s", strerror(errno));
	fd = bpf_program__fd(skel->progs.soak_write);
	r = bpf_stream_reader__new(on_msg, t, NULL);
	cr_assert_not_null(r, "reader: %s", strerror(errno));
	cr_assert_eq(bpf_stream_reader__add_object(r, skel->obj, 0), 1);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	atomic_store(&writers_left, NR_WRITERS);
	for (i = 0; i < NR_WRITERS; i++) {
		w[i] = (struct writer){ .prog_fd = fd, .cpu = i, .batches = batches };
		cr_assert_eq(pthread_create(&w[i].thread, NULL, write_loop, &w[i]), 0);
	}
	while (atomic_load(&writers_left) > 0) {
		n = bpf_stream_reader__poll(r, 50);
		cr_assert_geq(n, 0, "poll: %d (%s)", n, strerror(-n));
		/* warm-up done: queues, framers and ring mappings all exist */
		if (rss_warm < 0 && atomic_load(&batches_done) >= total_batches / 5)
			rss_warm = rss_kb();
	}
	for (i = 0; i < NR_WRITERS; i++) {
		pthread_join(w[i].thread, NULL);
		cr_assert_eq(w[i].err, 0, "writer on CPU %d: %s", i, strerror(-w[i].err));
	}
	do {
		n = bpf_stream_reader__consume(r);
		cr_assert_geq(n, 0, "consume: %d", n);
	} while (n > 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rss_end = rss_kb();

	/* .bss is memory-mapped: the program's counters, read directly */
	for (sid = BPF_STDOUT; sid <= BPF_STDERR; sid++) {
		written[sid] = skel->bss->soak_written[sid];
		cr_assert_eq(bpf_stream_object_dropped(skel->obj, sid, &dropped[sid]), 0);
		fprintf(stderr, "soak %s: written %llu = delivered %llu + dropped %llu (notices %llu)\n",
			sid == BPF_STDOUT ? "stdout" : "stderr", (unsigned long long)written[sid],
			(unsigned long long)t->lines[sid], (unsigned long long)dropped[sid],
			(unsigned long long)t->notices[sid]);
		cr_expect_eq(written[sid], (__u64)total_batches * RUNS_PER_BATCH * LINES_PER_RUN,
			     "the program did not run as often as asked");
		cr_expect_eq(written[sid], t->lines[sid] + dropped[sid],
			     "stream %u: written %llu != delivered %llu + dropped %llu", sid,
			     (unsigned long long)written[sid], (unsigned long long)t->lines[sid],
			     (unsigned long long)dropped[sid]);
		cr_expect_eq(t->notices[sid], dropped[sid], "drop notices said %llu, counter %llu",
			     (unsigned long long)t->notices[sid], (unsigned long long)dropped[sid]);
		cr_expect_gt(t->lines[sid], 0);
	}
	fprintf(stderr, "soak: %.1f s, rss warm %ld kB, end %ld kB\n",
		(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, rss_warm, rss_end);
	cr_expect_eq(t->malformed, 0, "%llu malformed lines", (unsigned long long)t->malformed);
	cr_expect_eq(t->partial, 0, "%llu partial lines", (unsigned long long)t->partial);
	cr_expect_eq(t->out_of_order, 0, "%llu lines out of order",
		     (unsigned long long)t->out_of_order);
	if (check_rss) {
		cr_assert_gt(rss_warm, 0, "warm-up RSS not sampled");
		cr_expect_lt(rss_end - rss_warm, SOAK_RSS_SLACK_KB, "RSS grew by %ld kB (%ld -> %ld)",
			     rss_end - rss_warm, rss_warm, rss_end);
	}

	bpf_stream_reader__free(r);
	bpf_stream_release(skel->obj);
	hardening_soak__destroy(skel);
	free(t);
}

/*
 * One drainer thread per stream (bpf_stream_drain), both at once, while two
 * CPUs write: each drain of one stream consumes the shared ring and queues
 * the other stream's records for the other thread, so this exercises the
 * transport's locking (ringbuf.c, pending.c) under ThreadSanitizer too
 * (make check-tsan runs this file with a smaller count).
 */
struct drainer {
	pthread_t thread;
	int prog_fd;
	__u32 stream_id;
	struct tally t;
	int err;
};

static void *drain_loop(void *arg)
{
	struct drainer *d = arg;
	int n, final = 0;

	/* after the writers stop, two drains that find nothing end it */
	while (final < 2) {
		bool writing = atomic_load(&writers_left) > 0;

		n = bpf_stream_drain(d->prog_fd, d->stream_id, on_msg, &d->t);
		if (n < 0) {
			d->err = n;
			break;
		}
		if (!writing)
			final = n == 0 ? final + 1 : 0;
		else if (n == 0)
			usleep(200);
	}
	return NULL;
}

Test(soak, one_drainer_thread_per_stream, .timeout = 600)
{
	LIBBPF_OPTS(bpf_stream_prepare_opts, popts, .transport = BPF_STREAM_TRANSPORT_RINGBUF);
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
	int batches = 2;
#else
	int batches = 10;
#endif
	struct drainer *d = calloc(3, sizeof(*d));
	struct writer w[NR_WRITERS];
	struct hardening_soak *skel;
	__u64 written, dropped;
	int fd, i;
	__u32 sid;

	cr_assert_not_null(d);
	if (sysconf(_SC_NPROCESSORS_ONLN) < NR_WRITERS)
		cr_skip_test("needs %d online CPUs", NR_WRITERS);
	bpf_stream_set_print(silent_print);
	skel = hardening_soak__open();
	cr_assert_not_null(skel);
	cr_assert_eq(bpf_stream_prepare_opts(skel->obj, &popts), 0);
	cr_assert_eq(hardening_soak__load(skel), 0);
	fd = bpf_program__fd(skel->progs.soak_write);

	atomic_store(&writers_left, NR_WRITERS);
	for (sid = BPF_STDOUT; sid <= BPF_STDERR; sid++) {
		d[sid].prog_fd = fd;
		d[sid].stream_id = sid;
		cr_assert_eq(pthread_create(&d[sid].thread, NULL, drain_loop, &d[sid]), 0);
	}
	for (i = 0; i < NR_WRITERS; i++) {
		w[i] = (struct writer){ .prog_fd = fd, .cpu = i, .batches = batches };
		cr_assert_eq(pthread_create(&w[i].thread, NULL, write_loop, &w[i]), 0);
	}
	for (i = 0; i < NR_WRITERS; i++) {
		pthread_join(w[i].thread, NULL);
		cr_assert_eq(w[i].err, 0, "writer on CPU %d: %s", i, strerror(-w[i].err));
	}
	for (sid = BPF_STDOUT; sid <= BPF_STDERR; sid++)
		pthread_join(d[sid].thread, NULL);

	for (sid = BPF_STDOUT; sid <= BPF_STDERR; sid++) {
		struct tally *t = &d[sid].t;

		cr_assert_eq(d[sid].err, 0, "drain of stream %u: %d", sid, d[sid].err);
		written = skel->bss->soak_written[sid];
		cr_assert_eq(bpf_stream_object_dropped(skel->obj, sid, &dropped), 0);
		fprintf(stderr, "drainers %s: written %llu = delivered %llu + dropped %llu\n",
			sid == BPF_STDOUT ? "stdout" : "stderr", (unsigned long long)written,
			(unsigned long long)t->lines[sid], (unsigned long long)dropped);
		cr_expect_eq(written, (__u64)batches * NR_WRITERS * RUNS_PER_BATCH * LINES_PER_RUN);
		cr_expect_eq(written, t->lines[sid] + dropped,
			     "stream %u: written %llu != delivered %llu + dropped %llu", sid,
			     (unsigned long long)written, (unsigned long long)t->lines[sid],
			     (unsigned long long)dropped);
		cr_expect_eq(t->notices[sid], dropped);
		cr_expect_eq(t->lines[3 - sid] + t->notices[3 - sid], 0,
			     "the stream %u drainer got lines of the other stream", sid);
		cr_expect_eq(t->malformed, 0);
		cr_expect_eq(t->partial, 0);
		cr_expect_eq(t->out_of_order, 0);
	}
	bpf_stream_release(skel->obj);
	hardening_soak__destroy(skel);
	free(d);
}
