// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * skeleton: the canonical flow of a libbpf-stream program.
 *
 *   open -> bpf_stream_skel_prepare -> load -> attach
 *   -> reader + bpf_stream_skel_follow -> poll in a loop -> cleanup
 *
 * The BPF program prints each getppid() call of this process; the process
 * makes one every 200 ms for a few seconds, or until Ctrl-C.
 *
 *   $ sudo ./skeleton [-v] [-n seconds]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/libbpf.h>
#include <libbpf_stream.h>
#include "skeleton.skel.h"

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
	struct bpf_stream_reader *reader = NULL;
	struct skeleton *skel;
	const char *reason = "";
	int err, opt, seconds = 3;
	time_t end;

	while ((opt = getopt(argc, argv, "vn:")) != -1) {
		switch (opt) {
		case 'v':
			verbose = true;
			break;
		case 'n':
			seconds = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-v] [-n seconds]\n", argv[0]);
			return 1;
		}
	}
	libbpf_set_print(libbpf_print_fn);
	signal(SIGINT, sig_handler);
	signal(SIGTERM, sig_handler);

	/* 1. open */
	skel = skeleton__open();
	if (!skel) {
		fprintf(stderr, "failed to open BPF skeleton\n");
		return 1;
	}
	skel->rodata->target_pid = getpid();
	skel->rodata->target_nr = SYS_getppid;

	/* 2. let libbpf-stream pick and wire the transport */
	err = bpf_stream_skel_prepare(skel);
	if (err) {
		fprintf(stderr, "failed to prepare streams: %d\n", err);
		goto cleanup;
	}

	/* 3. load and attach */
	err = skeleton__load(skel);
	if (err) {
		fprintf(stderr, "failed to load BPF skeleton: %d\n", err);
		goto cleanup;
	}
	err = skeleton__attach(skel);
	if (err) {
		fprintf(stderr, "failed to attach BPF skeleton: %d\n", err);
		goto cleanup;
	}
	bpf_stream_object_transport(skel->obj, &reason);
	fprintf(stderr, "transport: %s\n", reason);

	/* 4. a reader following every program of the skeleton; the ready-made
	 *    callback prints "[prog:stream] text" to the FILE given as ctx */
	reader = bpf_stream_reader__new(bpf_stream_print_msg, stdout, NULL);
	if (!reader) {
		err = -errno;
		fprintf(stderr, "failed to create reader: %d\n", err);
		goto cleanup;
	}
	err = bpf_stream_skel_follow(reader, skel);
	if (err < 0) {
		fprintf(stderr, "failed to follow the skeleton: %d\n", err);
		goto cleanup;
	}

	/* 5. poll until done or Ctrl-C (a signal ends the wait with -EINTR) */
	end = time(NULL) + seconds;
	while (!exiting && time(NULL) < end) {
		usleep(200 * 1000);
		getppid(); /* the system call the program watches */
		err = bpf_stream_reader__poll(reader, 100);
		if (err == -EINTR)
			break;
		if (err < 0) {
			fprintf(stderr, "poll failed: %d\n", err);
			goto cleanup;
		}
		fflush(stdout);
	}
	/* what was printed after the last poll */
	bpf_stream_reader__consume(reader);
	err = 0;

cleanup:
	/* 6. cleanup: reader, then the stream state, then the skeleton */
	bpf_stream_reader__free(reader);
	bpf_stream_skel_release(skel);
	skeleton__destroy(skel);
	return -err;
}
