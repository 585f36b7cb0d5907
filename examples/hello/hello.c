// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hello: a BPF program prints to its stdout and stderr; we run it once and
 * print what it wrote, each line prefixed with the program and the stream.
 *
 *   hello [-v]      -v: libbpf and libbpf-stream debug output
 *
 * BPF_STREAM_TRANSPORT=native|ringbuf|auto picks the transport by hand.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <libbpf_stream.h>
#include <bpf_stream_record.h>
#include "hello.skel.h"

static bool verbose;

static int libbpf_print_fn(enum libbpf_print_level level, const char *format, va_list args)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, format, args);
}

static int stream_print_fn(enum bpf_stream_print_level level, const char *format, va_list args)
{
	if (level == BPF_STREAM_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, format, args);
}

/* One line of a program's stream: "[program:stream] text". */
static int print_line(void *ctx, const struct bpf_stream_msg *msg)
{
	const char *stream = msg->stream_id == BPF_STDOUT ? "stdout" : "stderr";

	if (msg->flags & BPF_STREAM_MSG_F_DROP_NOTICE)
		printf("[%s:%s] (%llu messages dropped)\n", msg->prog_name, stream,
		       (unsigned long long)msg->dropped);
	else
		printf("[%s:%s] %s\n", msg->prog_name, stream, msg->text);
	(*(int *)ctx)++;
	return 0;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	struct hello *skel = NULL;
	const char *reason = "";
	__u64 dropped_out = 0, dropped_err = 0;
	int err, transport, lines = 0;

	verbose = argc > 1 && !strcmp(argv[1], "-v");
	libbpf_set_print(libbpf_print_fn);
	bpf_stream_set_print(stream_print_fn);

	/* Open the object; do not load it yet. */
	skel = hello__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "Failed to open BPF skeleton: %s\n", strerror(errno));
		return -err;
	}

	/* Pick the transport (native kernel streams or the ring buffer). */
	err = bpf_stream_skel_prepare(skel);
	if (err) {
		fprintf(stderr, "Failed to prepare BPF streams: %s\n", strerror(-err));
		if (err == -EOPNOTSUPP) {
			/* Forced native on a kernel whose write path fails: show it. */
			fprintf(stderr, "Loading with native streams anyway to show what happens.\n");
			skel->rodata->bpf_stream_transport_sel = BPF_STREAM_SEL_NATIVE;
			err = 0;
		} else {
			goto cleanup;
		}
	}
	transport = bpf_stream_object_transport(skel->obj, &reason);
	if (transport < 0)
		printf("Transport: native (forced; the kernel's write path fails here, so "
		       "messages are dropped)\n");
	else
		printf("Transport: %s (%s)\n", bpf_stream_transport_str(transport), reason);

	/* Load and verify. */
	err = hello__load(skel);
	if (err) {
		fprintf(stderr, "Failed to load BPF skeleton: %s\n", strerror(-err));
		goto cleanup;
	}

	/* Run the program once. */
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.hello), &topts);
	if (err) {
		err = -errno;
		fprintf(stderr, "Failed to run the program: %s\n", strerror(errno));
		goto cleanup;
	}

	/* Print what it wrote, both streams. */
	err = bpf_stream_skel_drain(skel, print_line, &lines);
	if (err < 0) {
		fprintf(stderr, "Failed to drain the streams: %s\n", strerror(-err));
		goto cleanup;
	}
	err = 0;

	/* Messages the BPF side could not queue. */
	bpf_stream_object_dropped(skel->obj, BPF_STDOUT, &dropped_out);
	bpf_stream_object_dropped(skel->obj, BPF_STDERR, &dropped_err);
	printf("Dropped: stdout %llu, stderr %llu\n", (unsigned long long)dropped_out,
	       (unsigned long long)dropped_err);
	if (!lines && (dropped_out || dropped_err))
		printf("Nothing arrived: the kernel's native stream write path fails here "
		       "(every write returned an error and was counted as dropped).\n");

cleanup:
	bpf_stream_skel_release(skel);
	hello__destroy(skel);
	return -err;
}
