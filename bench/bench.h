/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libbpf-stream benchmarks: shared declarations.
 *
 * Every measured figure is a series of runs (at least 5); the table shows
 * the median and the spread (min..max) and, where it has one, the ratio to
 * the baseline measured in the same run (the ratio is computed per run,
 * then its median and spread are shown).
 */
#ifndef __BENCH_H
#define __BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct bpf_object;

#define BENCH_MAX_RUNS 32

struct bench_cfg {
	int runs;		/* repetitions of every measurement */
	int repeat;		/* BPF_PROG_TEST_RUN repeat for the BPF-side cost */
	int e2e_lines;		/* lines per producer per end-to-end run */
	size_t drain_bytes;	/* scripted source size for the userspace drain */
	const char *out;	/* results.json */
	const char *kernel_json;/* kernel-patch bench output, may be absent */
	int prod_cpu, reader_cpu;
	bool fifo;		/* end to end: SCHED_FIFO consumer */
};

extern struct bench_cfg bench_cfg;

struct series {
	double v[BENCH_MAX_RUNS];
	int n;
};

static inline void series_add(struct series *s, double v)
{
	if (s->n < BENCH_MAX_RUNS)
		s->v[s->n++] = v;
}

double series_median(const struct series *s);
double series_min(const struct series *s);
double series_max(const struct series *s);
/* Per-run ratio a[i] / b[i]. */
void series_ratio(struct series *out, const struct series *a, const struct series *b);

/* One table row. @base names the baseline row of the same section (or NULL);
 * @ratio is the per-run ratio to it (or NULL). */
void bench_row(const char *section, const char *name, const char *unit,
	       const struct series *s, const char *base, const struct series *ratio,
	       const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* A row known only by its summary (folded from another tool's output);
 * @ratio_med is the ratio of medians to @base (NAN: none). */
void bench_row_summary(const char *section, const char *name, const char *unit, double med,
		       double min, double max, const char *base, double ratio_med,
		       const char *fmt, ...) __attribute__((format(printf, 9, 10)));
/* A single computed value (memory figures). */
void bench_value(const char *section, const char *name, const char *unit, double v,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A target check: @upper means "value must be <= target". */
void bench_target(const char *name, const struct series *ratio, double target, bool upper,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Free text attached to a section (printed under the table, kept in JSON). */
void bench_note(const char *section, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void bench_load_start(void);
void bench_print(void);
int bench_write_json(const char *path, const char *kernel_json_path);

/* Helpers (sys.c). */
int bench_pin(int cpu);
double now_ns(void);
int bench_test_run(int prog_fd, int repeat, __u32 *duration_ns);
int bench_set_rodata(struct bpf_object *obj, const char *var, const void *val, size_t sz);
long bench_fdinfo(int fd, const char *key);
int bench_ring_discard(int map_fd, __u64 *records, __u64 *rec_bytes);

/* Sections. */
int bench_bpf_side(void);
int bench_e2e(void);
int bench_drain(void);
int bench_memory(void);
int bench_kernel_patch(void);
int bench_wait(void);
int bench_ctl(void);
int bench_idle(void);
int bench_verifier(void);

/* Error-name helper for return-value histograms. */
const char *bench_errname(int err);

#endif /* __BENCH_H */
