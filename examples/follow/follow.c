// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * follow: attach a program to the sched_switch raw tracepoint and follow
 * what it prints, until Ctrl-C.
 *
 *   $ sudo ./follow [-v] [-i interval_ms]
 *   [follow_switch:stdout] cpu 1: switch away from bash (pid 812), 3204 switches since
 *
 * The reader waits in bpf_stream_reader__poll(); SIGINT/SIGTERM end the wait
 * at once (-EINTR), so the loop exits without delay: mask_signals makes that
 * hold also for a signal that arrives while a line is being printed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <libbpf_stream.h>
#include "follow.skel.h"

static volatile sig_atomic_t exiting;
static bool verbose;

static void sig_handler(int sig)
{
	exiting = 1;
}

static int libbpf_print_fn(enum libbpf_print_level level, const char *format, va_list args)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, format, args);
}

int main(int argc, char **argv)
{
	struct bpf_stream_printer *printer = NULL;
	struct bpf_stream_reader *reader = NULL;
	LIBBPF_OPTS(bpf_stream_reader_opts, ropts, .mask_signals = true);
	struct follow *skel;
	const char *reason = "";
	long interval_ms = 500;
	int err, opt;

	while ((opt = getopt(argc, argv, "vi:")) != -1) {
		switch (opt) {
		case 'v':
			verbose = true;
			break;
		case 'i':
			interval_ms = strtol(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: %s [-v] [-i interval_ms]\n", argv[0]);
			return 1;
		}
	}
	libbpf_set_print(libbpf_print_fn);
	signal(SIGINT, sig_handler);
	signal(SIGTERM, sig_handler);

	skel = follow__open();
	if (!skel) {
		fprintf(stderr, "failed to open BPF skeleton\n");
		return 1;
	}
	skel->rodata->interval_ns = interval_ms * 1000000ULL;

	/* Pick the transport (native streams, or the ring buffer) before load. */
	err = bpf_stream_skel_prepare(skel);
	if (err) {
		fprintf(stderr, "failed to prepare streams: %d\n", err);
		goto cleanup;
	}
	err = follow__load(skel);
	if (err) {
		fprintf(stderr, "failed to load BPF skeleton: %d\n", err);
		goto cleanup;
	}
	err = follow__attach(skel);
	if (err) {
		fprintf(stderr, "failed to attach BPF skeleton: %d\n", err);
		goto cleanup;
	}
	bpf_stream_object_transport(skel->obj, &reason);
	fprintf(stderr, "transport: %s\n", reason);

	/* Lines go to stdout as "[prog:stream] text"; escaped on a terminal. */
	printer = bpf_stream_printer__new(stdout, NULL);
	reader = bpf_stream_reader__new(bpf_stream_printer__print, printer, &ropts);
	if (!printer || !reader) {
		err = -errno;
		fprintf(stderr, "failed to create the reader: %d\n", err);
		goto cleanup;
	}
	err = bpf_stream_skel_follow(reader, skel);
	if (err < 0) {
		fprintf(stderr, "failed to follow the programs: %d\n", err);
		goto cleanup;
	}
	fprintf(stderr, "following, Ctrl-C to stop\n");

	while (!exiting) {
		err = bpf_stream_reader__poll(reader, 1000);
		if (err == -EINTR) {
			err = 0;
			break;
		}
		if (err < 0) {
			fprintf(stderr, "poll failed: %d\n", err);
			goto cleanup;
		}
		fflush(stdout);
	}
	err = 0;

cleanup:
	bpf_stream_reader__free(reader);
	bpf_stream_printer__free(printer);
	bpf_stream_skel_release(skel);
	follow__destroy(skel);
	return -err;
}
