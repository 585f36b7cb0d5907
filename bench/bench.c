// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libbpf-stream benchmarks (`make bench`). Runs every measurement several
 * times on the real kernel, prints a table (median, min..max, ratio to the
 * baseline of the same run) and one line per target ratio, and writes the
 * same figures to results.json.
 *
 *   bench [-r RUNS] [-n REPEAT] [-l E2E_LINES] [-m DRAIN_MIB] [-o results.json]
 *         [-k kernel-bench.json] [-s SECTIONS] [-P PRODUCER_CPU] [-R READER_CPU]
 * SECTIONS is a string of section numbers, e.g. "135" (default: all).
 * CPUs default to 0 (producer) and 1 (reader). -F runs the end-to-end
 * consumer SCHED_FIFO (on a machine busy with other work).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "bench.h"

struct bench_cfg bench_cfg = {
	.runs = 5,
	.repeat = 200000,
	.e2e_lines = 2000000,
	.drain_bytes = 64u << 20,
	.out = "results.json",
	.prod_cpu = 0,
	.reader_cpu = 1,
};

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_WARN && getenv("BENCH_VERBOSE"))
		return vfprintf(stderr, fmt, args);
	return 0;
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-r RUNS] [-n REPEAT] [-l E2E_LINES] [-m DRAIN_MIB] "
		"[-o results.json] [-k kernel-bench.json] [-s SECTIONS] [-P CPU] [-R CPU] [-F]\n", prog);
}

int main(int argc, char **argv)
{
	const char *sections = "123456789";
	int opt, err;

	while ((opt = getopt(argc, argv, "r:n:l:m:o:k:s:P:R:Fh")) != -1) {
		switch (opt) {
		case 'r':
			bench_cfg.runs = atoi(optarg);
			break;
		case 'n':
			bench_cfg.repeat = atoi(optarg);
			break;
		case 'l':
			bench_cfg.e2e_lines = atoi(optarg);
			break;
		case 'm':
			bench_cfg.drain_bytes = (size_t)atoi(optarg) << 20;
			break;
		case 'o':
			bench_cfg.out = optarg;
			break;
		case 'k':
			bench_cfg.kernel_json = optarg;
			break;
		case 's':
			sections = optarg;
			break;
		case 'P':
			bench_cfg.prod_cpu = atoi(optarg);
			break;
		case 'R':
			bench_cfg.reader_cpu = atoi(optarg);
			break;
		case 'F':
			bench_cfg.fifo = true;
			break;
		default:
			usage(argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (bench_cfg.runs < 1 || bench_cfg.runs > BENCH_MAX_RUNS || bench_cfg.repeat < 1) {
		usage(argv[0]);
		return 2;
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		bench_cfg.reader_cpu = 0;
		fprintf(stderr, "bench: one CPU only: reader and producer share it\n");
	}
	libbpf_set_print(quiet_print);
	bench_load_start();

	if (strchr(sections, '1') && (err = bench_bpf_side()))
		fprintf(stderr, "bench: BPF side: %s\n", strerror(-err));
	if (strchr(sections, '2') && (err = bench_e2e()))
		fprintf(stderr, "bench: end to end: %s\n", strerror(-err));
	if (strchr(sections, '3') && (err = bench_drain()))
		fprintf(stderr, "bench: userspace drain: %s\n", strerror(-err));
	if (strchr(sections, '4') && (err = bench_kernel_patch()))
		fprintf(stderr, "bench: kernel-patch: %s\n", strerror(-err));
	if (strchr(sections, '5') && (err = bench_memory()))
		fprintf(stderr, "bench: memory: %s\n", strerror(-err));
	if (strchr(sections, '6') && (err = bench_wait()))
		fprintf(stderr, "bench: waiting: %s\n", strerror(-err));
	if (strchr(sections, '7') && (err = bench_ctl()))
		fprintf(stderr, "bench: call-site control: %s\n", strerror(-err));
	if (strchr(sections, '8') && (err = bench_idle()))
		fprintf(stderr, "bench: idle cost of follow all: %s\n", strerror(-err));
	if (strchr(sections, '9') && (err = bench_verifier()))
		fprintf(stderr, "bench: verifier cost: %s\n", strerror(-err));

	bench_print();
	if (bench_write_json(bench_cfg.out, bench_cfg.kernel_json)) {
		fprintf(stderr, "bench: cannot write %s: %s\n", bench_cfg.out, strerror(errno));
		return 1;
	}
	printf("\nresults: %s\n", bench_cfg.out);
	return 0;
}
