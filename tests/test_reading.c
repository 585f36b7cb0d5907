// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The reading model (issue 19): every reader gets every line of a program,
 * or a true number for what it did not get.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "libbpf_stream.h"
#include "rd_first.skel.h"

struct count {
	int lines, notices;
	__u64 dropped;
	char last[128];
};

static int count_fn(void *ctx, const struct bpf_stream_msg *msg)
{
	struct count *c = ctx;

	if (msg->flags & BPF_STREAM_MSG_F_DROP_NOTICE) {
		c->notices++;
		c->dropped += msg->dropped;
		return 0;
	}
	c->lines++;
	snprintf(c->last, sizeof(c->last), "%s:%s", msg->prog_name, msg->text);
	return 0;
}

static void run_xdp(struct bpf_program *prog, int times)
{
	char pkt[64] = {};
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = times);

	cr_assert_eq(bpf_prog_test_run_opts(bpf_program__fd(prog), &topts), 0, "test run: %s",
		     strerror(errno));
}

TestSuite(reading);

/* A first program that prints nothing must not hide the others' lines. */
Test(reading, first_program_silent)
{
	struct rd_first *skel = rd_first__open();
	struct count c = {};
	int n;

	cr_assert(skel);
	cr_assert_eq(bpf_stream_prepare(skel->obj), 0);
	cr_assert_eq(rd_first__load(skel), 0);
	run_xdp(skel->progs.rd_second, 3);
	run_xdp(skel->progs.rd_third, 1);
	n = bpf_stream_drain_object(skel->obj, count_fn, &c);
	cr_assert_eq(n, 3 + c.notices, "drain_object: %d (%s)", n, strerror(errno));
	cr_expect_eq(c.lines, 3, "lines %d dropped %llu", c.lines, (unsigned long long)c.dropped);
	cr_expect_str_eq(c.last, "rd_second:value=42 name=abc");
	bpf_stream_release(skel->obj);
	rd_first__destroy(skel);
}
