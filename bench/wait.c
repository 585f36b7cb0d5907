// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * 6. Waiting for native streams: bpf_stream_reader__poll() with Linux
 *    7.4's stream fds (the patched 7.2 of `make -C kernel-patch vm-lib`) beside the adaptive
 *    polling every released kernel gets, in the same run (the library's
 *    test hook picks the mode per reader):
 *    - idle wake-ups per second: cycles of one __poll(IDLE_MS) on a reader
 *      following a native program that writes nothing, minus the cycle
 *      before the wait and the one at its timeout; and the reader's CPU
 *      time per idle second;
 *    - latency, write to callback: a thread runs the program (one line)
 *      after a pause of 50..450 ms, so the fallback is met at every point of
 *      its back-off; from just before BPF_PROG_TEST_RUN to the callback.
 *      Median of LAT_SAMPLES per run.
 *    Skipped, with the reason, where native writes fail; fd mode only where
 *    the kernel has the command.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench.h"
#include "libbpf_stream.h"
#include "stream_fd.h"
#include "bench_wait_prog.skel.h"

#define SEC_NAME "6 waiting (native streams)"
#define IDLE_MS 2000
#define LAT_SAMPLES 10

struct lat_run {
	int prog_fd;
	double t_write, t_cb;
	unsigned int seed;
};

static int on_line(void *ctx, const struct bpf_stream_msg *msg)
{
	struct lat_run *l = ctx;

	l->t_cb = now_ns();
	return 0;
}

static void *writer(void *arg)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	struct lat_run *l = arg;

	usleep(50000 + rand_r(&l->seed) % 400000);
	l->t_write = now_ns();
	bpf_prog_test_run_opts(l->prog_fd, &topts);
	return NULL;
}

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One run of one mode: idle wake-ups/s, CPU us per idle s, median latency us. */
static int one_run(struct bench_wait_prog *skel, bool fd_mode, double *wakes, double *cpu_us,
		   double *lat_us)
{
	struct lat_run l = { .prog_fd = bpf_program__fd(skel->progs.wait_line),
			     .seed = 42 };
	struct bpf_stream_reader *r;
	double t0, c0, lat[LAT_SAMPLES];
	__u64 cycles;
	pthread_t t;
	int i, ret, err = 0;

	bs_feat_test_override(BS_FEAT_STREAM_FD, fd_mode);
	r = bpf_stream_reader__new(on_line, &l, NULL);
	if (!r)
		return -errno;
	ret = bpf_stream_reader__add_object(r, skel->obj, 0);
	if (ret != 1 || bs_reader__stream_fds(r) != (fd_mode ? 2 : 0)) {
		err = ret < 0 ? ret : -EPROTO;
		goto out;
	}
	bpf_stream_reader__consume(r);
	cycles = bs_reader__cycles(r);
	t0 = now_ns();
	c0 = cpu_s();
	bpf_stream_reader__poll(r, IDLE_MS);
	*cpu_us = (cpu_s() - c0) * 1e6 / ((now_ns() - t0) / 1e9);
	/* one cycle runs before the wait, one when it times out */
	*wakes = (bs_reader__cycles(r) - cycles - 2) / ((now_ns() - t0) / 1e9);
	for (i = 0; i < LAT_SAMPLES; i++) {
		l.t_cb = 0;
		pthread_create(&t, NULL, writer, &l);
		while (!l.t_cb && (ret = bpf_stream_reader__poll(r, 5000)) >= 0 && ret == 0)
			;
		pthread_join(t, NULL);
		if (!l.t_cb) {
			err = -ETIMEDOUT;
			goto out;
		}
		lat[i] = (l.t_cb - l.t_write) / 1e3;
	}
	qsort(lat, LAT_SAMPLES, sizeof(lat[0]), cmp_d);
	*lat_us = (lat[LAT_SAMPLES / 2 - 1] + lat[LAT_SAMPLES / 2]) / 2;
out:
	bpf_stream_reader__free(r);
	bs_feat_test_override(BS_FEAT_STREAM_FD, -1);
	return err;
}

int bench_wait(void)
{
	struct series wk[2] = {}, cpu[2] = {}, lat[2] = {}, ratio;
	bool have_fd = bs_stream_fd_available();
	struct bench_wait_prog *skel;
	const char *why = NULL;
	int run, m, err = 0;

	skel = bench_wait_prog__open();
	if (!skel)
		return -errno;
	err = bpf_stream_prepare(skel->obj);
	if (!err)
		err = bench_wait_prog__load(skel);
	if (err)
		goto out;
	if (bpf_stream_object_transport(skel->obj, &why) != BPF_STREAM_TRANSPORT_NATIVE) {
		bench_note(SEC_NAME, "skipped: native streams do not work here (%s)", why);
		goto out;
	}
	if (!have_fd)
		bench_note(SEC_NAME, "this kernel has no stream fds: fallback only");
	for (run = 0; run < bench_cfg.runs; run++) {
		for (m = have_fd ? 1 : 0; m >= 0; m--) {
			double w = 0, c = 0, l = 0;

			err = one_run(skel, m, &w, &c, &l);
			if (err)
				goto out;
			series_add(&wk[m], w);
			series_add(&cpu[m], c);
			series_add(&lat[m], l);
		}
	}
	bench_row(SEC_NAME, "idle wake-ups, adaptive polling", "/s", &wk[0], NULL, NULL,
		  "wake-ups inside one %d ms __poll(), idle native program", IDLE_MS);
	bench_row(SEC_NAME, "idle CPU, adaptive polling", "us/s", &cpu[0], NULL, NULL,
		  "reader thread CPU time per idle second");
	bench_row(SEC_NAME, "latency, adaptive polling", "us", &lat[0], NULL, NULL,
		  "write to callback, median of %d, pauses of 50..450 ms", LAT_SAMPLES);
	if (have_fd) {
		bench_row(SEC_NAME, "idle wake-ups, stream fds", "/s", &wk[1], NULL, NULL,
			  "the same reader with stream fds");
		bench_row(SEC_NAME, "idle CPU, stream fds", "us/s", &cpu[1], NULL, NULL,
			  "reader thread CPU time per idle second");
		series_ratio(&ratio, &lat[1], &lat[0]);
		bench_row(SEC_NAME, "latency, stream fds", "us", &lat[1],
			  "latency, adaptive polling", &ratio, "write to callback, same pauses");
	}
out:
	bench_wait_prog__destroy(skel);
	return err;
}
