// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Conservation, the reliability bar of the ring-buffer transport: for every
 * stream, lines written = lines delivered + lines counted as dropped,
 * exactly, while BPF programs write on both CPUs and a reader drains
 * concurrently through the public API (bpf_stream_drain()).
 *
 * Transport: ringbuf (auto picks it on this kernel; forced here so the test
 * means the same thing on a kernel whose native streams work). tr_flood has a
 * 64 KiB ring, small enough that some of the 1.2 million writes are dropped.
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
#include <unistd.h>
#include <criterion/criterion.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "libbpf_stream.h"
#include "tr_flood.skel.h"

#define RUNS_PER_CPU 300000	/* each run writes one line to each stream */
#define NR_WRITERS 2

struct writer {
	pthread_t thread;
	int prog_fd;
	int cpu;
	int err;
};

static atomic_int writers_left;

static void *write_loop(void *arg)
{
	struct writer *w = arg;
	char pkt[64] = {};
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = RUNS_PER_CPU);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		w->err = -errno;
	else if (bpf_prog_test_run_opts(w->prog_fd, &topts))
		w->err = -errno;
	else if (topts.retval != 2 /* XDP_PASS */)
		w->err = -EIO;
	atomic_fetch_sub(&writers_left, 1);
	return NULL;
}

struct tally {
	__u64 lines[3];
	__u64 notices[3];	/* sum of drop-notice counts */
	__u64 last_seq[3][NR_WRITERS]; /* per stream and CPU: seq + 1 of the last line */
	__u64 out_of_order;
	__u64 malformed;
};

static int count_line(void *ctx, const struct bpf_stream_msg *msg)
{
	struct tally *t = ctx;
	unsigned int cpu;
	unsigned long long seq;
	char kind;

	if (msg->flags & BPF_STREAM_MSG_F_DROP_NOTICE) {
		t->notices[msg->stream_id] += msg->dropped;
		return 0;
	}
	t->lines[msg->stream_id]++;
	if (sscanf(msg->text, "%c %u %llu", &kind, &cpu, &seq) != 3 || cpu >= NR_WRITERS ||
	    kind != (msg->stream_id == BPF_STDOUT ? 'o' : 'e')) {
		t->malformed++;
		return 0;
	}
	if (seq + 1 <= t->last_seq[msg->stream_id][cpu])
		t->out_of_order++;
	t->last_seq[msg->stream_id][cpu] = seq + 1;
	return 0;
}

static void drain_both(int fd, struct tally *t)
{
	int n;

	n = bpf_stream_drain(fd, BPF_STDOUT, count_line, t);
	cr_assert_geq(n, 0, "drain stdout: %d", n);
	n = bpf_stream_drain(fd, BPF_STDERR, count_line, t);
	cr_assert_geq(n, 0, "drain stderr: %d", n);
}

Test(conservation, written_equals_delivered_plus_dropped, .timeout = 120)
{
	LIBBPF_OPTS(bpf_stream_prepare_opts, popts, .transport = BPF_STREAM_TRANSPORT_RINGBUF);
	struct writer w[NR_WRITERS];
	struct tally *t = calloc(1, sizeof(*t));
	struct tr_flood *skel;
	int ncpus = libbpf_num_possible_cpus();
	__u64 *seqs, written = 0, dropped[3] = {};
	__u32 zero = 0, sid;
	int fd, i;

	if (sysconf(_SC_NPROCESSORS_ONLN) < NR_WRITERS)
		cr_skip_test("needs %d online CPUs", NR_WRITERS);
	skel = tr_flood__open();
	cr_assert_not_null(skel);
	cr_assert_eq(bpf_stream_prepare_opts(skel->obj, &popts), 0);
	cr_assert_eq(tr_flood__load(skel), 0);
	fd = bpf_program__fd(skel->progs.tr_flood);

	atomic_store(&writers_left, NR_WRITERS);
	for (i = 0; i < NR_WRITERS; i++) {
		w[i] = (struct writer){ .prog_fd = fd, .cpu = i };
		cr_assert_eq(pthread_create(&w[i].thread, NULL, write_loop, &w[i]), 0);
	}
	while (atomic_load(&writers_left) > 0)
		drain_both(fd, t);
	for (i = 0; i < NR_WRITERS; i++) {
		pthread_join(w[i].thread, NULL);
		cr_assert_eq(w[i].err, 0, "writer on CPU %d: %s", i, strerror(-w[i].err));
	}
	drain_both(fd, t); /* what the writers left behind */
	drain_both(fd, t);

	/* written: the program's own per-CPU run counter */
	seqs = calloc(ncpus, sizeof(*seqs));
	cr_assert_eq(bpf_map_lookup_elem(bpf_map__fd(skel->maps.tr_seq), &zero, seqs), 0);
	for (i = 0; i < ncpus; i++)
		written += seqs[i];
	cr_assert_eq(written, (__u64)NR_WRITERS * RUNS_PER_CPU);

	for (sid = BPF_STDOUT; sid <= BPF_STDERR; sid++) {
		cr_assert_eq(bpf_stream_object_dropped(skel->obj, sid, &dropped[sid]), 0);
		cr_log_info("%s: written %llu = delivered %llu + dropped %llu (notices %llu)",
			    sid == BPF_STDOUT ? "stdout" : "stderr", (unsigned long long)written,
			    (unsigned long long)t->lines[sid], (unsigned long long)dropped[sid],
			    (unsigned long long)t->notices[sid]);
		fprintf(stderr, "conservation %s: written %llu = delivered %llu + dropped %llu\n",
			sid == BPF_STDOUT ? "stdout" : "stderr", (unsigned long long)written,
			(unsigned long long)t->lines[sid], (unsigned long long)dropped[sid]);
		cr_expect_eq(written, t->lines[sid] + dropped[sid],
			     "stream %u: written %llu != delivered %llu + dropped %llu", sid,
			     (unsigned long long)written, (unsigned long long)t->lines[sid],
			     (unsigned long long)dropped[sid]);
		cr_expect_gt(dropped[sid], 0, "ring never overflowed: the test proves nothing");
		cr_expect_gt(t->lines[sid], 0);
		cr_expect_eq(t->notices[sid], dropped[sid], "drop notices said %llu",
			     (unsigned long long)t->notices[sid]);
	}
	cr_expect_eq(t->malformed, 0);
	cr_expect_eq(t->out_of_order, 0, "lines of one CPU out of order");
	free(seqs);
	free(t);
	bpf_stream_release(skel->obj);
	tr_flood__destroy(skel);
}
