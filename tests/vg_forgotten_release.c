// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Run under valgrind by scripts/check-valgrind.sh (case forgotten-release):
 * what libbpf-bootstrap style code does. One skeleton is opened, prepared
 * (ring transport), loaded, read and destroyed WITHOUT
 * bpf_stream_release(); then another object is used. The library must
 * never touch the destroyed object (it holds no pointer to it): valgrind
 * reports no invalid read. Then a released object's calls fail with
 * -ESTALE. Exit 0 when every check holds, 1 otherwise (the line says which).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <libbpf_stream.h>
#include "tr_multi.skel.h"

static int count_line(void *ctx, const struct bpf_stream_msg *msg)
{
	int *n = ctx;

	if (!(msg->flags & BPF_STREAM_MSG_F_DROP_NOTICE) && !strcmp(msg->prog_name, "tr_multi_a"))
		(*n)++;
	return 0;
}

static struct tr_multi *load_and_run(void)
{
	LIBBPF_OPTS(bpf_stream_prepare_opts, opts, .transport = BPF_STREAM_TRANSPORT_RINGBUF);
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	struct tr_multi *skel = tr_multi__open();

	if (!skel || bpf_stream_prepare_opts(skel->obj, &opts) || tr_multi__load(skel)) {
		fprintf(stderr, "open/prepare/load: %s\n", strerror(errno));
		tr_multi__destroy(skel);
		return NULL;
	}
	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.tr_multi_a), &topts)) {
		fprintf(stderr, "test run: %s\n", strerror(errno));
		tr_multi__destroy(skel);
		return NULL;
	}
	return skel;
}

int main(void)
{
	struct tr_multi *first, *second;
	int n = 0, ret;

	first = load_and_run();
	if (!first)
		return 1;
	ret = bpf_stream_drain_object(first->obj, count_line, &n);
	if (ret != 2 || n != 2) {
		fprintf(stderr, "first object: %d lines (%d of tr_multi_a), want 2\n", ret, n);
		return 1;
	}
	/* the mistake: destroyed, never released */
	tr_multi__destroy(first);

	second = load_and_run();
	if (!second)
		return 1;
	n = 0;
	ret = bpf_stream_drain_object(second->obj, count_line, &n);
	if (ret != 2 || n != 2) {
		fprintf(stderr, "second object: %d lines (%d of tr_multi_a), want 2\n", ret, n);
		tr_multi__destroy(second);
		return 1;
	}
	bpf_stream_release(second->obj);
	ret = bpf_stream_drain_object(second->obj, count_line, &n);
	if (ret != -ESTALE || errno != ESTALE) {
		fprintf(stderr, "drain after release: %d (errno %d), want -ESTALE\n", ret, errno);
		tr_multi__destroy(second);
		return 1;
	}
	tr_multi__destroy(second);
	return 0;
}
