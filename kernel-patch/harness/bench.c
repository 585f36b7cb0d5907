// SPDX-License-Identifier: GPL-2.0
/*
 * Stream benchmark on the harness (no sanitizers, -O2): cost of one
 * bpf_stream_vprintk() with a two-argument format for 1 and 2 writer
 * threads, and reader throughput, each beside a memcpy of the same bytes.
 * The writer figures also show the cost of the (harness) formatting alone,
 * bpf_bprintf_prepare() + bstr_printf(), so the stream's own share is the
 * difference.
 * Each figure is the median of RUNS runs, with min and max.
 *
 * Usage: stream_bench [json-output-file]
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <linux/bpf.h>
#include <linux/bpf_stream.h>
#include "harness.h"
#include "tests/test.h"

#define RUNS		31
/* per run, split over the writers; all must fit BPF_STREAM_MAX_CAPACITY */
#define MSGS		4000
#define READ_CHUNK	65536
#define FMT		"event %d on cpu %d\n"

struct stat3 {
	double med, min, max;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct stat3 summarize(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return (struct stat3){ v[n / 2], v[0], v[n - 1] };
}

/* All messages, formatted once before timing, for the memcpy baseline. */
static char *pre;
static u32 pre_off[MSGS + 1];

struct job {
	pthread_t th;
	struct bpf_prog *prog;
	int cpu, first, count, baseline;
	char *dst;		/* baseline destination */
	pthread_barrier_t *bar;
	double t0, t1;		/* measured by the worker itself */
};

static void *writer(void *arg)
{
	struct job *j = arg;
	size_t off = 0;
	int i;

	harness_cpu_bind(j->cpu);
	pthread_barrier_wait(j->bar);
	j->t0 = now_ns();
	for (i = j->first; i < j->first + j->count; i++) {
		if (j->baseline == 2) {
			struct bpf_bprintf_data d = { .get_bin_args = true, .get_buf = true };
			u64 args[2] = { i, j->cpu };

			if (bpf_bprintf_prepare(FMT, sizeof(FMT), args, 2, &d))
				abort();
			bstr_printf(d.buf, MAX_BPRINTF_BUF, FMT, d.bin_args);
			__asm__ volatile("" : : "r"(d.buf) : "memory");
			bpf_bprintf_cleanup(&d);
		} else if (j->baseline) {
			/* the same bytes, formatted beforehand: a copy only */
			u32 n = pre_off[i + 1] - pre_off[i];

			memcpy(j->dst + off, pre + pre_off[i], n);
			off += n;
			__asm__ volatile("" : : "r"(j->dst) : "memory");
		} else {
			u64 args[2] = { i, j->cpu };

			if (bpf_stream_vprintk(BPF_STDOUT, FMT, args, sizeof(args),
					       j->prog->aux))
				abort();
		}
	}
	j->t1 = now_ns();
	return NULL;
}

/*
 * ns per message, wall clock over all writers' messages: from the first
 * writer's start to the last one's end, as the workers see it (on 2 cores
 * the main thread may wake up late from the barrier).
 */
static double run_writers(struct bpf_prog *prog, int nthreads, int baseline, char **dst)
{
	struct job jobs[2];
	pthread_barrier_t bar;
	double t0, t1;
	int i;

	pthread_barrier_init(&bar, NULL, nthreads + 1);
	for (i = 0; i < nthreads; i++) {
		jobs[i] = (struct job){ .prog = prog, .cpu = 1 + i,
			.first = i * (MSGS / nthreads), .count = MSGS / nthreads,
			.baseline = baseline, .dst = dst[i], .bar = &bar };
		pthread_create(&jobs[i].th, NULL, writer, &jobs[i]);
	}
	pthread_barrier_wait(&bar);
	for (i = 0; i < nthreads; i++)
		pthread_join(jobs[i].th, NULL);
	t0 = jobs[0].t0;
	t1 = jobs[0].t1;
	for (i = 1; i < nthreads; i++) {
		t0 = jobs[i].t0 < t0 ? jobs[i].t0 : t0;
		t1 = jobs[i].t1 > t1 ? jobs[i].t1 : t1;
	}
	pthread_barrier_destroy(&bar);
	return (t1 - t0) / MSGS;
}

static void fmt_stat(FILE *f, const char *name, struct stat3 s)
{
	fprintf(f, "\"%s\": {\"median\": %.2f, \"min\": %.2f, \"max\": %.2f}",
		name, s.med, s.min, s.max);
}

int main(int argc, char **argv)
{
	double w1[RUNS], w2[RUNS], b1[RUNS], b2[RUNS], rd[RUNS], rb[RUNS];
	double f1[RUNS], f2[RUNS];
	struct stat3 sw1, sw2, sb1, sb2, srd, srb, sf1, sf2;
	char *dst[2], *user = malloc(BPF_STREAM_MAX_CAPACITY), *flat;
	size_t msg_bytes = 0;
	int r, i;

	dst[0] = malloc(4 << 20);
	dst[1] = malloc(4 << 20);
	flat = malloc(4 << 20);
	pre = malloc(4 << 20);
	for (i = 0; i < MSGS; i++) {
		pre_off[i] = msg_bytes;
		msg_bytes += sprintf(pre + msg_bytes, FMT, i, 1);
	}
	pre_off[MSGS] = msg_bytes;
	memset(flat, 'x', 4 << 20);

	for (r = 0; r < RUNS; r++) {
		struct bpf_prog *prog = prog_new();

		w1[r] = run_writers(prog, 1, 0, dst);
		b1[r] = run_writers(prog, 1, 1, dst);
		f1[r] = run_writers(prog, 1, 2, dst);
		/* reader: drain what the single writer queued */
		{
			double t0 = now_ns(), t1;
			long total = 0;
			int n;

			while ((n = bpf_prog_stream_read(prog, BPF_STDOUT, user, READ_CHUNK)) > 0)
				total += n;
			t1 = now_ns();
			rd[r] = total / ((t1 - t0) / 1e9) / 1e6;
			t0 = now_ns();
			for (long off = 0; off < total; off += READ_CHUNK) {
				long n2 = total - off < READ_CHUNK ? total - off : READ_CHUNK;

				memcpy(user, flat + off, n2);
				__asm__ volatile("" : : "r"(user) : "memory");
			}
			t1 = now_ns();
			rb[r] = total / ((t1 - t0) / 1e9) / 1e6;
		}
		w2[r] = run_writers(prog, 2, 0, dst);
		b2[r] = run_writers(prog, 2, 1, dst);
		f2[r] = run_writers(prog, 2, 2, dst);
		while (bpf_prog_stream_read(prog, BPF_STDOUT, user, READ_CHUNK) > 0)
			;
		prog_free(prog);
	}
	sw1 = summarize(w1, RUNS);
	sw2 = summarize(w2, RUNS);
	sb1 = summarize(b1, RUNS);
	sb2 = summarize(b2, RUNS);
	srd = summarize(rd, RUNS);
	srb = summarize(rb, RUNS);
	sf1 = summarize(f1, RUNS);
	sf2 = summarize(f2, RUNS);

	printf("kernel-patch stream bench: %d runs, %d messages/run, %.1f bytes/message, format \"%s\"\n",
	       RUNS, MSGS, (double)msg_bytes / MSGS, "event %d on cpu %d\\n");
	printf("  %-26s %9s %9s %9s   %-21s %s\n", "", "median", "min", "max",
	       "memcpy (med min-max)", "format only (median)");
	printf("  %-26s %9.1f %9.1f %9.1f   %5.1f (%.1f-%.1f)       %.1f\n",
	       "write, 1 thread (ns/msg)", sw1.med, sw1.min, sw1.max,
	       sb1.med, sb1.min, sb1.max, sf1.med);
	printf("  %-26s %9.1f %9.1f %9.1f   %5.1f (%.1f-%.1f)       %.1f\n",
	       "write, 2 threads (ns/msg)", sw2.med, sw2.min, sw2.max,
	       sb2.med, sb2.min, sb2.max, sf2.med);
	printf("  %-26s %9.0f %9.0f %9.0f   %5.0f (%.0f-%.0f)\n", "read (MB/s)",
	       srd.med, srd.min, srd.max, srb.med, srb.min, srb.max);
	printf("  (2 threads: wall-clock time of both writers over all messages)\n");

	if (argc > 1) {
		FILE *f = fopen(argv[1], "w");

		if (!f) {
			perror(argv[1]);
			return 1;
		}
		fprintf(f, "{\n  \"name\": \"kernel-patch stream harness\",\n");
		fprintf(f, "  \"runs\": %d,\n  \"messages_per_run\": %d,\n", RUNS, MSGS);
		fprintf(f, "  \"bytes_per_message\": %.2f,\n", (double)msg_bytes / MSGS);
		fprintf(f, "  \"write_1_thread_ns_per_msg\": {");
		fmt_stat(f, "stream", sw1);
		fprintf(f, ", ");
		fmt_stat(f, "memcpy_baseline", sb1);
		fprintf(f, ", ");
		fmt_stat(f, "format_only", sf1);
		fprintf(f, "},\n  \"write_2_threads_ns_per_msg\": {");
		fmt_stat(f, "stream", sw2);
		fprintf(f, ", ");
		fmt_stat(f, "memcpy_baseline", sb2);
		fprintf(f, ", ");
		fmt_stat(f, "format_only", sf2);
		fprintf(f, "},\n  \"read_MB_per_s\": {");
		fmt_stat(f, "stream", srd);
		fprintf(f, ", ");
		fmt_stat(f, "memcpy_baseline", srb);
		fprintf(f, "}\n}\n");
		fclose(f);
	}
	free(dst[0]);
	free(dst[1]);
	free(flat);
	free(pre);
	free(user);
	return 0;
}
