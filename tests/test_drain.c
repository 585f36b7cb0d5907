// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf_stream_drain() and bpf_stream_drain_object().
 * Sources, per test:
 *  - kernel: errors and empty streams of a real loaded program;
 *  - ringbuf: data printed by tests/progs/cons_print.bpf.c through the
 *    ring-buffer transport, forced (auto picks native where it works);
 *  - native: skipped where the kernel's native writes do not land
 *    (tests/common/kernel_probe.c says why: no kfunc, or the write's errno);
 *  - scripted: drop notices and end semantics through bs_drain_src, the
 *    engine bpf_stream_drain() runs.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "cons_helpers.h"
#include "kernel_probe.h"
#include "cons_print.skel.h"
#include "cons_small.skel.h"

static struct cons_collect col;

static void teardown(void)
{
	cons_collect_reset(&col);
}

TestSuite(drain, .fini = teardown);

/* ---- kernel: errors ---------------------------------------------------- */

Test(drain, errors_and_errno)
{
	int fd = cons_load_trivial_prog(), map_fd, closed;

	if (fd < 0)
		cr_skip_test("cannot load a BPF program (%d)", fd);
	cons_stdout_begin();
	errno = 0;
	cr_assert_eq(bpf_stream_drain(fd, BPF_STDOUT, NULL, NULL), -EINVAL, "NULL fn");
	cr_assert_eq(errno, EINVAL);
	if (!kp_has_stream_read()) {
		cr_assert_eq(bpf_stream_drain(fd, BPF_STDOUT, cons_collect_fn, &col), -EOPNOTSUPP);
		cr_assert_eq(errno, EOPNOTSUPP);
		cons_stdout_end();
		close(fd);
		KP_NEED_STREAM_READ();
	}
	cr_assert_eq(bpf_stream_drain(fd, 0, cons_collect_fn, &col), -ENOENT);
	cr_assert_eq(errno, ENOENT);
	cr_assert_eq(bpf_stream_drain(fd, 3, cons_collect_fn, &col), -ENOENT);
	cr_assert_eq(bpf_stream_drain(9999, BPF_STDOUT, cons_collect_fn, &col), -EBADF);
	cr_assert_eq(errno, EBADF);
	map_fd = cons_create_map();
	cr_assert_geq(map_fd, 0);
	cr_assert_eq(bpf_stream_drain(map_fd, BPF_STDOUT, cons_collect_fn, &col), -EINVAL,
		     "a map fd is not a program");
	close(map_fd);
	closed = dup(fd);
	close(closed);
	cr_assert_eq(bpf_stream_drain(closed, BPF_STDERR, cons_collect_fn, &col), -EBADF);
	cr_assert_eq(bpf_stream_drain(fd, BPF_STDOUT, cons_collect_fn, &col), 0, "empty");
	cr_assert_eq(bpf_stream_drain(fd, BPF_STDERR, cons_collect_fn, &col), 0, "empty");
	cr_assert_eq(col.nr, 0);
	cr_assert_eq(cons_stdout_end(), 0, "nothing written to stdout");
	close(fd);
}

Test(drain, drain_object_errors)
{
	cr_assert_eq(bpf_stream_drain_object(NULL, cons_collect_fn, &col), -EINVAL);
	cr_assert_eq(errno, EINVAL);
}

/* ---- ringbuf: real data -------------------------------------------------- */

static struct cons_print *open_prepared(void)
{
	struct cons_print *skel = cons_print__open();
	LIBBPF_OPTS(bpf_stream_prepare_opts, ring_opts, .transport = BPF_STREAM_TRANSPORT_RINGBUF);
	int err;

	cr_assert_not_null(skel, "open: %d", -errno);
	err = bpf_stream_prepare_opts(skel->obj, &ring_opts);
	if (err) {
		cons_print__destroy(skel);
		cr_skip_test("bpf_stream_prepare() failed (%d): no transport to carry data", err);
	}
	err = cons_print__load(skel);
	cr_assert_eq(err, 0, "load: %d", err);
	return skel;
}

static void close_prepared(struct cons_print *skel)
{
	bpf_stream_release(skel->obj);
	cons_print__destroy(skel);
}

static void run(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &topts);

	cr_assert_eq(err, 0, "test run: %d", err);
}

Test(drain, ringbuf_lines_of_both_streams)
{
	struct cons_print *skel = open_prepared();
	int fd = bpf_program__fd(skel->progs.cons_out);
	char want[32];
	int i;

	skel->bss->runs = 0;
	skel->data->nr_lines = 5;
	run(skel->progs.cons_out);
	cr_assert_eq(bpf_stream_drain(fd, BPF_STDOUT, cons_collect_fn, &col), 5);
	for (i = 0; i < 5; i++) {
		snprintf(want, sizeof(want), "out 1.%d", i);
		cr_assert_str_eq(col.msgs[i].text, want);
		cr_assert_eq(col.msgs[i].stream_id, BPF_STDOUT);
		cr_assert_str_eq(col.msgs[i].name, "cons_out", "name from the object");
		cr_assert_eq(col.msgs[i].flags, 0);
	}
	cr_assert_eq(bpf_stream_drain(fd, BPF_STDOUT, cons_collect_fn, &col), 0, "drained");
	cr_assert_eq(bpf_stream_drain(fd, BPF_STDERR, cons_collect_fn, &col), 5);
	cr_assert_str_eq(col.msgs[5].text, "err 1.0");
	cr_assert_eq(col.msgs[5].stream_id, BPF_STDERR);
	close_prepared(skel);
}

Test(drain, ringbuf_drain_object_and_stop)
{
	struct cons_print *skel = open_prepared();
	int ret;

	skel->data->nr_lines = 3;
	run(skel->progs.cons_out);
	run(skel->progs.cons_report);
	col.stop_after = 2;
	col.stop_ret = 9;
	ret = bpf_stream_drain_object(skel->obj, cons_collect_fn, &col);
	cr_assert_eq(ret, 9, "stop value: %d", ret);
	col.stop_after = 0;
	ret = bpf_stream_drain_object(skel->obj, cons_collect_fn, &col);
	/* 3+3 of cons_out, 1 stdout + 7 stderr of cons_report, minus the 2 before */
	cr_assert_eq(ret, 6 + 8 - 2, "rest: %d", ret);
	cr_assert_eq(col.nr, 14);
	cr_assert_str_eq(col.msgs[2].text, "out 1.2", "resumed after the stop, nothing lost");
	cr_assert_eq(bpf_stream_drain_object(skel->obj, cons_collect_fn, &col), 0);
	close_prepared(skel);
}

Test(drain, ringbuf_partial_line_unterminated)
{
	struct cons_print *skel = open_prepared();
	int fd = bpf_program__fd(skel->progs.cons_partial);

	skel->bss->runs = 0;
	run(skel->progs.cons_partial);
	cr_assert_eq(bpf_stream_drain(fd, BPF_STDOUT, cons_collect_fn, &col), 1);
	cr_assert_str_eq(col.msgs[0].text, "half ");
	cr_assert_eq(col.msgs[0].flags, BPF_STREAM_MSG_F_UNTERMINATED);
	close_prepared(skel);
}

/* ---- native -------------------------------------------------------------- */

Test(drain, native_round_trip)
{
	struct cons_print *skel = cons_print__open();
	LIBBPF_OPTS(bpf_stream_prepare_opts, popts, .transport = BPF_STREAM_TRANSPORT_NATIVE);
	int err;

	cr_assert_not_null(skel);
	unsetenv("BPF_STREAM_TRANSPORT");
	err = bpf_stream_prepare_opts(skel->obj, &popts);
	if (err) {
		struct bs_kernel k = bs_kernel_probe();
		const char *problem = bs_kernel_native_problem(&k);

		cons_print__destroy(skel);
		cr_assert_not_null(problem, "prepare refused native (%d) where the probe says it works",
				   err);
		/* and the kernel itself agrees (tests/common/kernel_probe.c) */
		cr_assert_neq(kp_native_write(), 0, "native writes land on %s, but prepare(native) "
			      "gives %d: %s", kp_kernel(), err, problem);
		cr_skip_test("%s", problem);
	}
	cr_assert_eq(cons_print__load(skel), 0);
	skel->data->nr_lines = 2;
	run(skel->progs.cons_out);
	cr_assert_eq(bpf_stream_drain(bpf_program__fd(skel->progs.cons_out), BPF_STDOUT,
				      cons_collect_fn, &col), 2);
	cr_assert_str_eq(col.msgs[0].text, "out 1.0");
	close_prepared(skel);
}

/* ---- scripted: drop notices ------------------------------------------------ */

static int drain_script(struct cons_script *s, __u32 sid)
{
	struct bs_stream_src src = cons_script_src(s, 77, "dropper", sid);

	return bs_drain_src(&src, cons_collect_fn, &col);
}

Test(drain, drop_notice_once_per_change)
{
	struct cons_script s = { .has_dropped = true };

	cons_script_adds(&s, "kept\n");
	s.dropped = 3;
	cr_assert_eq(drain_script(&s, BPF_STDERR), 2);
	cr_assert_str_eq(col.msgs[0].text, "kept");
	cr_assert_str_eq(col.msgs[1].text, "[3 messages dropped on stderr]");
	cr_assert_eq(col.msgs[1].flags, BPF_STREAM_MSG_F_DROP_NOTICE);
	cr_assert_eq(col.msgs[1].dropped, 3);
	cr_assert_eq(col.msgs[1].stream_id, BPF_STDERR);

	cr_assert_eq(drain_script(&s, BPF_STDERR), 0, "no change, no notice");
	s.dropped = 4;
	cr_assert_eq(drain_script(&s, BPF_STDERR), 1);
	cr_assert_str_eq(col.msgs[2].text, "[1 message dropped on stderr]");
	cr_assert_eq(col.msgs[2].dropped, 1);
}

Test(drain, drop_notice_without_any_line)
{
	struct cons_script s = { .has_dropped = true, .dropped = 10 };

	cr_assert_eq(drain_script(&s, BPF_STDOUT), 1, "drops are never silent");
	cr_assert_str_eq(col.msgs[0].text, "[10 messages dropped on stdout]");
	cr_assert_eq(col.msgs[0].len, strlen(col.msgs[0].text));
}

Test(drain, end_semantics)
{
	struct cons_script s = {};

	cr_assert_eq(drain_script(&s, BPF_STDOUT), 0, "nothing queued: 0");
	cons_script_adds(&s, "a\nb\n");
	cr_assert_eq(drain_script(&s, BPF_STDOUT), 2);
	cr_assert_eq(drain_script(&s, BPF_STDOUT), 0, "all delivered");
	cons_script_adds(&s, "c\n");
	cr_assert_eq(drain_script(&s, BPF_STDOUT), 1, "later data, later drain");
	cr_assert_str_eq(col.msgs[2].text, "c");
}

/* A stream refilled as fast as it is read (a program tracing the reader's
 * own syscalls) must not hold the drain forever. */
Test(drain, endless_source_is_bounded)
{
	static char chunk[4096];
	struct cons_script s = { .endless = true };
	int ret;

	memset(chunk, 'x', sizeof(chunk) - 1);
	chunk[sizeof(chunk) - 1] = '\n';
	cons_script_add(&s, chunk, sizeof(chunk), 0, 0);
	ret = drain_script(&s, BPF_STDOUT);
	cr_assert_gt(ret, 0);
	cr_assert_leq(ret, 2048, "bounded: %d lines", ret);
	cr_assert_eq(col.msgs[ret - 1].flags, 0, "no line was cut by the bound");
}

/* ringbuf: a 4 KiB ring cannot take 64 records; the rest are counted and
 * announced once, after the lines that made it. */
Test(drain, ringbuf_drops_are_announced)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	struct cons_small *skel = cons_small__open();
	LIBBPF_OPTS(bpf_stream_prepare_opts, ring_opts, .transport = BPF_STREAM_TRANSPORT_RINGBUF);
	__u64 dropped = 0;
	int err, fd, ret, i;

	cr_assert_not_null(skel);
	err = bpf_stream_prepare_opts(skel->obj, &ring_opts);
	cr_assert_eq(err, 0, "prepare: %d", err);
	cr_assert_eq(cons_small__load(skel), 0);
	fd = bpf_program__fd(skel->progs.cons_flood);
	cr_assert_eq(bpf_prog_test_run_opts(fd, &topts), 0);
	cr_assert_eq(bpf_stream_object_dropped(skel->obj, BPF_STDOUT, &dropped), 0);
	cr_assert_gt(dropped, 0, "a 4 KiB ring must overflow");
	ret = bpf_stream_drain(fd, BPF_STDOUT, cons_collect_fn, &col);
	cr_assert_eq(ret, 64 - (int)dropped + 1, "lines + one notice: %d (dropped %llu)", ret,
		     (unsigned long long)dropped);
	for (i = 0; i < ret - 1; i++)
		cr_assert_eq(col.msgs[i].flags, 0);
	cr_assert_eq(col.msgs[ret - 1].flags, BPF_STREAM_MSG_F_DROP_NOTICE);
	cr_assert_eq(col.msgs[ret - 1].dropped, dropped);
	cr_assert_eq(bpf_stream_drain(fd, BPF_STDOUT, cons_collect_fn, &col), 0,
		     "announced once");
	bpf_stream_release(skel->obj);
	cons_small__destroy(skel);
}
