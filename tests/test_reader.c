// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf_stream_reader__*. Sources, per test: scripted (merged order, time
 * order, partial lines, reports, stops, drops: bs_reader__add_src feeds the
 * reader's real framing), kernel (add/remove errors, signal and timeout
 * behaviour of __poll on real programs with empty streams: native streams
 * where the kernel has the read command, else a ring-transport object), ringbuf
 * (cons_print.bpf.c through the ring-buffer transport, forced: data of
 * several programs, wake-up by the ring buffer).
 */
#include <criterion/criterion.h>
#include "time_scale.h"
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <dlfcn.h>
#include <bpf/bpf.h>
#include "cons_helpers.h"
#include "kernel_probe.h"
#include "cons_print.skel.h"
#include "cons_ts.skel.h"

static struct cons_collect col;

static void teardown(void)
{
	cons_collect_reset(&col);
}

TestSuite(reader, .fini = teardown);

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void add_script(struct bpf_stream_reader *r, struct cons_script *s, __u32 id,
		       const char *name, __u32 sid)
{
	struct bs_stream_src src = cons_script_src(s, id, name, sid);

	cr_assert_eq(bs_reader__add_src(r, &src), 0);
}

/* ---- scripted ------------------------------------------------------------ */

Test(reader, merged_view_of_programs_and_streams)
{
	struct cons_script a_out = {}, a_err = {}, b_out = {}, b_err = {};
	struct bpf_stream_reader *r = bpf_stream_reader__new(cons_collect_fn, &col, NULL);
	static const char *want[] = { "a1", "a2", "ae", "b1", "be1", "be2" };
	int i;

	cr_assert_not_null(r);
	add_script(r, &a_out, 11, "a", BPF_STDOUT);
	add_script(r, &a_err, 11, "a", BPF_STDERR);
	add_script(r, &b_out, 12, "b", BPF_STDOUT);
	add_script(r, &b_err, 12, "b", BPF_STDERR);
	cons_script_adds(&b_err, "be1\nbe2\n");
	cons_script_adds(&a_out, "a1\n");
	cons_script_adds(&a_err, "ae\n");
	cons_script_adds(&b_out, "b1\n");
	cons_script_adds(&a_out, "a2\n");
	cr_assert_eq(bpf_stream_reader__consume(r), 6);
	for (i = 0; i < 6; i++)
		cr_assert_str_eq(col.msgs[i].text, want[i], "message %d", i);
	cr_assert_eq(col.msgs[2].stream_id, BPF_STDERR);
	cr_assert_str_eq(col.msgs[3].name, "b");
	cr_assert_eq(col.msgs[3].prog_id, 12);
	cr_assert_eq(bpf_stream_reader__consume(r), 0, "nothing more");
	cr_assert_eq(bpf_stream_reader__remove_id(r, 11), 0);
	cr_assert_eq(bpf_stream_reader__remove_id(r, 11), -ENOENT);
	cons_script_adds(&a_out, "gone\n");
	cons_script_adds(&b_out, "b2\n");
	cr_assert_eq(bpf_stream_reader__poll(r, 0), 1);
	cr_assert_str_eq(col.msgs[6].text, "b2");
	bpf_stream_reader__free(r);
}

Test(reader, order_by_time_is_stable)
{
	LIBBPF_OPTS(bpf_stream_reader_opts, opts, .order_by_time = true);
	struct cons_script x = {}, y = {};
	struct bpf_stream_reader *r = bpf_stream_reader__new(cons_collect_fn, &col, &opts);
	static const char *want[] = { "y10", "x20", "x-nots", "y30", "x40", "y40" };
	int i;

	add_script(r, &x, 21, "x", BPF_STDOUT);
	add_script(r, &y, 22, "y", BPF_STDERR);
	cons_script_add(&x, "x20\n", 4, 20, 0);
	cons_script_add(&x, "x-nots\n", 7, 0, 0);	/* no stamp: stays after x20 */
	cons_script_add(&x, "x40\n", 4, 40, 0);
	cons_script_add(&y, "y10\n", 4, 10, 0);
	cons_script_add(&y, "y30\n", 4, 30, 0);
	cons_script_add(&y, "y40\n", 4, 40, 0);	/* tie with x40: x came first */
	cr_assert_eq(bpf_stream_reader__consume(r), 6);
	for (i = 0; i < 6; i++)
		cr_assert_str_eq(col.msgs[i].text, want[i], "message %d", i);
	bpf_stream_reader__free(r);
}

/* A stamp older than its stream's last one (records of several CPUs in one
 * ring) does not move the line before the lines read before it. */
Test(reader, order_by_time_keeps_each_stream_order)
{
	LIBBPF_OPTS(bpf_stream_reader_opts, opts, .order_by_time = true);
	struct cons_script x = {}, y = {};
	struct bpf_stream_reader *r = bpf_stream_reader__new(cons_collect_fn, &col, &opts);
	static const char *want[] = { "y10", "x30", "x20", "y35", "x40" };
	int i;

	add_script(r, &x, 23, "x", BPF_STDOUT);
	add_script(r, &y, 24, "y", BPF_STDOUT);
	cons_script_add(&x, "x30\n", 4, 30, 0);
	cons_script_add(&x, "x20\n", 4, 20, 0);	/* older: stays after x30 */
	cons_script_add(&x, "x40\n", 4, 40, 0);
	cons_script_add(&y, "y10\n", 4, 10, 0);
	cons_script_add(&y, "y35\n", 4, 35, 0);
	cr_assert_eq(bpf_stream_reader__consume(r), 5);
	for (i = 0; i < 5; i++)
		cr_assert_str_eq(col.msgs[i].text, want[i], "message %d", i);
	bpf_stream_reader__free(r);
}

/* A source whose empty read costs 20 ms (like thousands of native reads):
 * with the default cap the idle back-off goes past 200 ms to 50 times the
 * cycle's cost; a cap the caller set (idle_max_ms) is kept. */
static int slow_read(void *ctx, void *buf, size_t len, struct bs_source_meta *meta)
{
	usleep(20000);
	return cons_script_read(ctx, buf, len, meta);
}

static __u64 idle_cycles(int idle_max_ms)
{
	LIBBPF_OPTS(bpf_stream_reader_opts, opts, .idle_max_ms = idle_max_ms);
	struct cons_script s = {};
	struct bs_stream_src src = cons_script_src(&s, 25, "slow", BPF_STDOUT);
	struct bpf_stream_reader *r;
	__u64 c0;

	unsetenv("BPF_STREAM_IDLE");
	r = bpf_stream_reader__new(cons_collect_fn, &col, &opts);
	cr_assert_not_null(r);
	src.read = slow_read;
	cr_assert_eq(bs_reader__add_src(r, &src), 0);
	c0 = bs_reader__cycles(r);
	cr_assert_eq(bpf_stream_reader__poll(r, 3000), 0);
	c0 = bs_reader__cycles(r) - c0;
	bpf_stream_reader__free(r);
	return c0;
}

Test(reader, idle_backoff_scales_with_cycle_cost, .timeout = 30)
{
	__u64 adaptive = idle_cycles(0), capped = idle_cycles(10);

	/* adaptive: 20 ms cycles, sleeps doubling from 1 ms to 1 s: about 13
	 * cycles in 3 s; the caller's 10 ms cap: 20 ms + at most 10 ms each,
	 * about 100 */
	cr_log_info("idle cycles in 3 s: %llu adaptive, %llu with idle_max_ms = 10",
		    (unsigned long long)adaptive, (unsigned long long)capped);
	cr_expect_leq(adaptive, 20, "idle cycles in 3 s: %llu", (unsigned long long)adaptive);
	cr_expect_geq(capped, 50, "idle cycles in 3 s with idle_max_ms = 10: %llu",
		      (unsigned long long)capped);
}

Test(reader, partial_line_held_one_cycle)
{
	struct cons_script s = {};
	struct bpf_stream_reader *r = bpf_stream_reader__new(cons_collect_fn, &col, NULL);

	add_script(r, &s, 31, "p", BPF_STDOUT);
	cons_script_adds(&s, "abc");
	cr_assert_eq(bpf_stream_reader__consume(r), 0, "held: bytes just arrived");
	cons_script_adds(&s, "def\nghi");
	cr_assert_eq(bpf_stream_reader__consume(r), 1);
	cr_assert_str_eq(col.msgs[0].text, "abcdef");
	cr_assert_eq(col.msgs[0].flags, 0);
	cr_assert_eq(bpf_stream_reader__consume(r), 1, "no new bytes: flushed");
	cr_assert_str_eq(col.msgs[1].text, "ghi");
	cr_assert_eq(col.msgs[1].flags, BPF_STREAM_MSG_F_UNTERMINATED);
	bpf_stream_reader__free(r);
}

Test(reader, partial_line_goes_back_to_pending_on_free)
{
	struct cons_script s = {};
	struct bs_stream_src src = cons_script_src(&s, 32, "p", BPF_STDOUT);
	struct bpf_stream_reader *r = bpf_stream_reader__new(cons_collect_fn, &col, NULL);

	add_script(r, &s, 32, "p", BPF_STDOUT);
	cons_script_adds(&s, "start of ");
	cr_assert_eq(bpf_stream_reader__consume(r), 0);
	bpf_stream_reader__free(r);
	cons_script_adds(&s, "a line\n");
	cr_assert_eq(bs_drain_src(&src, cons_collect_fn, &col), 1);
	cr_assert_str_eq(col.msgs[0].text, "start of a line");
}

struct rep_col {
	int n;
	enum bpf_stream_report_kind kind;
	bool truncated;
	__u32 prog_id, nr_frames;
};

static int rep_fn(void *ctx, const struct bpf_stream_report *rep)
{
	struct rep_col *rc = ctx;

	rc->n++;
	rc->kind = rep->kind;
	rc->truncated = rep->truncated;
	rc->prog_id = rep->prog_id;
	rc->nr_frames = rep->nr_frames;
	return 0;
}

Test(reader, kernel_reports_parsed_and_lines_flagged)
{
	struct rep_col rc = {};
	LIBBPF_OPTS(bpf_stream_reader_opts, opts, .report_fn = rep_fn, .report_ctx = &rc);
	struct cons_script out = {}, err = {};
	struct bpf_stream_reader *r = bpf_stream_reader__new(cons_collect_fn, &col, &opts);
	int i;

	add_script(r, &out, 41, "k", BPF_STDOUT);
	add_script(r, &err, 41, "k", BPF_STDERR);
	cons_script_adds(&out, "ERROR: on stdout is not a report\n");
	cons_script_adds(&err, "user line\nERROR: Timeout detected for may_goto instruction\n"
			       "CPU: 1 UID: 0 PID: 2 Comm: x\nCall trace:\n");
	cons_script_adds(&err, "bpf_prog_aa_f+0x1/0x2\n  x++; @ f.c:3\n\nafter\n");
	cr_assert_eq(bpf_stream_reader__consume(r), 9);
	cr_assert_eq(rc.n, 1);
	cr_assert_eq(rc.kind, BPF_STREAM_REPORT_MAY_GOTO_TIMEOUT);
	cr_assert_not(rc.truncated);
	cr_assert_eq(rc.prog_id, 41);
	cr_assert_eq(rc.nr_frames, 1);
	cr_assert_eq(col.msgs[0].flags, 0, "stdout is never parsed");
	cr_assert_eq(col.msgs[1].flags, 0, "user line");
	for (i = 2; i <= 7; i++)
		cr_assert_eq(col.msgs[i].flags, BPF_STREAM_MSG_F_KERNEL, "line %d: %s", i,
			     col.msgs[i].text);
	cr_assert_str_eq(col.msgs[8].text, "after");
	cr_assert_eq(col.msgs[8].flags, 0, "after");
	bpf_stream_reader__free(r);
}

Test(reader, stop_and_resume)
{
	struct cons_script a = {}, b = {};
	struct bpf_stream_reader *r = bpf_stream_reader__new(cons_collect_fn, &col, NULL);

	add_script(r, &a, 51, "a", BPF_STDOUT);
	add_script(r, &b, 52, "b", BPF_STDOUT);
	cons_script_adds(&a, "1\n2\n3\n");
	cons_script_adds(&b, "4\n");
	col.stop_after = 2;
	col.stop_ret = 77;
	cr_assert_eq(bpf_stream_reader__poll(r, 100), 77);
	col.stop_after = 0;
	cr_assert_eq(bpf_stream_reader__poll(r, 100), 2);
	cr_assert_eq(col.nr, 4);
	cr_assert_str_eq(col.msgs[2].text, "3");
	cr_assert_str_eq(col.msgs[3].text, "4");
	bpf_stream_reader__free(r);
}

Test(reader, stop_and_resume_time_ordered)
{
	LIBBPF_OPTS(bpf_stream_reader_opts, opts, .order_by_time = true);
	struct cons_script a = {};
	struct bpf_stream_reader *r = bpf_stream_reader__new(cons_collect_fn, &col, &opts);

	add_script(r, &a, 53, "a", BPF_STDOUT);
	cons_script_adds(&a, "1\n2\n3\n");
	col.stop_after = 1;
	col.stop_ret = 5;
	cr_assert_eq(bpf_stream_reader__consume(r), 5);
	col.stop_after = 0;
	cr_assert_eq(bpf_stream_reader__consume(r), 2);
	cr_assert_str_eq(col.msgs[1].text, "2");
	cr_assert_str_eq(col.msgs[2].text, "3");
	bpf_stream_reader__free(r);
}

Test(reader, drop_notice)
{
	struct cons_script s = { .has_dropped = true, .dropped = 4 };
	struct bpf_stream_reader *r = bpf_stream_reader__new(cons_collect_fn, &col, NULL);

	add_script(r, &s, 61, "d", BPF_STDERR);
	cr_assert_eq(bpf_stream_reader__consume(r), 1);
	cr_assert_str_eq(col.msgs[0].text, "[4 messages dropped on stderr]");
	cr_assert_eq(col.msgs[0].flags, BPF_STREAM_MSG_F_DROP_NOTICE);
	cr_assert_eq(bpf_stream_reader__consume(r), 0);
	bpf_stream_reader__free(r);
}

Test(reader, endless_stream_does_not_starve_others)
{
	static char chunk[1024];
	struct cons_script busy = { .endless = true }, quiet = {};
	struct bpf_stream_reader *r = bpf_stream_reader__new(cons_collect_fn, &col, NULL);
	int ret, i, seen_quiet = 0;

	memset(chunk, 'b', sizeof(chunk) - 1);
	chunk[sizeof(chunk) - 1] = '\n';
	cons_script_add(&busy, chunk, sizeof(chunk), 0, 0);
	add_script(r, &busy, 71, "busy", BPF_STDOUT);
	add_script(r, &quiet, 72, "quiet", BPF_STDOUT);
	cons_script_adds(&quiet, "q\n");
	ret = bpf_stream_reader__poll(r, 1000);
	cr_assert_gt(ret, 0);
	cr_assert_lt(ret, CONS_MAX_MSGS, "a cycle is bounded: %d", ret);
	for (i = 0; i < col.nr; i++)
		seen_quiet += col.msgs[i].prog_id == 72;
	cr_assert_eq(seen_quiet, 1, "the quiet stream got its turn in the same cycle");
	bpf_stream_reader__free(r);
}

/* ---- kernel --------------------------------------------------------------- */

Test(reader, add_errors)
{
	int fd = cons_load_trivial_prog(), map_fd;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct bpf_stream_reader *r;

	cr_assert_null(bpf_stream_reader__new(NULL, NULL, NULL));
	cr_assert_eq(errno, EINVAL);
	if (fd < 0)
		cr_skip_test("cannot load a BPF program (%d)", fd);
	cons_stdout_begin();
	r = bpf_stream_reader__new(cons_collect_fn, &col, NULL);
	cr_assert_eq(bpf_stream_reader__add_prog(r, 9999, 0), -EBADF);
	cr_assert_eq(errno, EBADF);
	map_fd = cons_create_map();
	cr_assert_eq(bpf_stream_reader__add_prog(r, map_fd, 0), -EINVAL);
	close(map_fd);
	cr_assert_eq(bpf_stream_reader__add_prog(r, fd, 1U << 5), -EINVAL, "bad stream mask");
	cr_assert_eq(bpf_stream_reader__add_prog(r, fd, 0), 0);
	cr_assert_eq(bpf_stream_reader__add_prog(r, fd, 0), -EEXIST);
	cr_assert_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	cr_assert_eq(bpf_stream_reader__add_id(r, info.id, 0), -EEXIST);
	cr_assert_eq(bpf_stream_reader__remove_id(r, info.id), 0);
	close(fd); /* the reader keeps nothing; add by id opens a new fd */
	cr_assert_eq(bpf_stream_reader__add_id(r, 0xfffffff0, 0), -ENOENT);
	bpf_stream_reader__free(r);
	cr_assert_eq(cons_stdout_end(), 0, "nothing written to stdout");
}

static pthread_t main_thread;
static long long signal_sent_us;

static void noop_handler(int sig)
{
}

static void *send_signal(void *arg)
{
	usleep(150 * 1000);
	signal_sent_us = now_us();
	pthread_kill(main_thread, SIGUSR1);
	return NULL;
}

/* Something quiet for a reader to follow on this kernel: a program with
 * empty native streams where the kernel can read them (returns its fd), else
 * (before 6.17) a loaded ring-transport object with nothing written yet
 * (*skel set, returns 0). Skips where neither can be loaded. */
static struct cons_print *open_prepared(void);

static int follow_quiet(struct bpf_stream_reader *r, struct cons_print **skel)
{
	int fd;

	*skel = NULL;
	if (!kp_has_stream_read()) {
		*skel = open_prepared();
		cr_assert_gt(bpf_stream_reader__add_object(r, (*skel)->obj, 0), 0);
		return 0;
	}
	fd = cons_load_trivial_prog();
	if (fd < 0)
		cr_skip_test("cannot load a BPF program (%d)", fd);
	cr_assert_eq(bpf_stream_reader__add_prog(r, fd, 0), 0);
	return fd;
}

static void unfollow_quiet(int fd, struct cons_print *skel)
{
	if (skel) {
		bpf_stream_release(skel->obj);
		cons_print__destroy(skel);
	} else {
		close(fd);
	}
}

/* The wait must end within 50 ms of a signal (idle backoff is 1 s here, so a
 * reader that only noticed the signal after its sleep would take far longer).
 * Best of three tries, so one scheduling hiccup of a loaded 2-CPU machine
 * does not count as a failure of the mechanism. */
Test(reader, poll_returns_on_signal_within_50ms)
{
	struct sigaction sa = { .sa_handler = noop_handler };
	LIBBPF_OPTS(bpf_stream_reader_opts, opts, .idle_max_ms = 1000);
	int fd, ret[3], try, err = 0;
	long long best = -1, lat;
	struct bpf_stream_reader *r;
	struct cons_print *skel;
	pthread_t t;

	sigaction(SIGUSR1, &sa, NULL);
	r = bpf_stream_reader__new(cons_collect_fn, &col, &opts);
	cr_assert_not_null(r);
	fd = follow_quiet(r, &skel);
	main_thread = pthread_self();
	for (try = 0; try < 3; try++) {
		pthread_create(&t, NULL, send_signal, NULL);
		ret[try] = bpf_stream_reader__poll(r, -1);
		if (ret[try] < 0)
			err = errno;
		lat = now_us();
		pthread_join(t, NULL); /* then signal_sent_us is safe to read */
		lat -= signal_sent_us;
		if (best < 0 || lat < best)
			best = lat;
		if (best < 50000)
			break;
	}
	bpf_stream_reader__free(r);
	unfollow_quiet(fd, skel);
	cr_assert_eq(ret[0], -EINTR, "poll: %d", ret[0]);
	cr_assert_eq(err, EINTR);
	cr_assert_lt(best, TS_MAX(50000), "returned %lld us after the signal (best of %d)", best,
		     try);
}

Test(reader, poll_timeout_and_backoff)
{
	LIBBPF_OPTS(bpf_stream_reader_opts, opts, .idle_max_ms = 50);
	struct bpf_stream_reader *r;
	struct cons_print *skel;
	long long t0, dt;
	int fd;

	r = bpf_stream_reader__new(cons_collect_fn, &col, &opts);
	cr_assert_not_null(r);
	fd = follow_quiet(r, &skel);
	t0 = now_us();
	cr_assert_eq(bpf_stream_reader__poll(r, 300), 0);
	dt = now_us() - t0;
	cr_assert_geq(dt, 300000, "timeout honoured: %lld us", dt);
	cr_assert_lt(dt, 300000 + TS_MAX(200000), "not much later: %lld us", dt);
	t0 = now_us();
	cr_assert_eq(bpf_stream_reader__consume(r), 0);
	cr_assert_lt(now_us() - t0, TS_MAX(20000), "consume never waits");
	bpf_stream_reader__free(r);
	unfollow_quiet(fd, skel);
}

/* ---- ringbuf --------------------------------------------------------------- */

static struct cons_print *open_prepared(void)
{
	struct cons_print *skel = cons_print__open();
	LIBBPF_OPTS(bpf_stream_prepare_opts, ring_opts, .transport = BPF_STREAM_TRANSPORT_RINGBUF);
	int err;

	cr_assert_not_null(skel);
	err = bpf_stream_prepare_opts(skel->obj, &ring_opts);
	if (err) {
		cons_print__destroy(skel);
		cr_skip_test("bpf_stream_prepare() failed (%d)", err);
	}
	cr_assert_eq(cons_print__load(skel), 0);
	return skel;
}

static void run(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);

	cr_assert_eq(bpf_prog_test_run_opts(bpf_program__fd(prog), &topts), 0);
}

Test(reader, ringbuf_object_several_programs)
{
	struct cons_print *skel = open_prepared();
	struct rep_col rc = {};
	LIBBPF_OPTS(bpf_stream_reader_opts, opts, .report_fn = rep_fn, .report_ctx = &rc);
	struct bpf_stream_reader *r = bpf_stream_reader__new(cons_collect_fn, &col, &opts);
	int n = 0, ret, i, kernel = 0;

	cr_assert_eq(bpf_stream_skel_follow(r, skel), 3, "three loaded programs");
	skel->data->nr_lines = 2;
	run(skel->progs.cons_out);
	run(skel->progs.cons_report);
	while (n < 12 && (ret = bpf_stream_reader__poll(r, 500)) > 0)
		n += ret;
	cr_assert_eq(n, 12, "4 of cons_out + 8 of cons_report: %d", n);
	cr_assert_str_eq(col.msgs[0].text, "out 1.0");
	cr_assert_str_eq(col.msgs[0].name, "cons_out");
	cr_assert_str_eq(col.msgs[2].text, "err 1.0");
	cr_assert_eq(col.msgs[2].stream_id, BPF_STDERR);
	cr_assert_str_eq(col.msgs[4].text, "before report");
	cr_assert_str_eq(col.msgs[4].name, "cons_report");
	cr_assert_eq(rc.n, 1);
	cr_assert_eq(rc.kind, BPF_STREAM_REPORT_MAY_GOTO_TIMEOUT);
	for (i = 0; i < col.nr; i++)
		kernel += !!(col.msgs[i].flags & BPF_STREAM_MSG_F_KERNEL);
	cr_assert_eq(kernel, 6, "the report's six lines are flagged");
	bpf_stream_reader__free(r);
	bpf_stream_release(skel->obj);
	cons_print__destroy(skel);
}

static struct bpf_program *later_prog;
static long long ran_at_us;

static void *run_later(void *arg)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);

	usleep(300 * 1000);
	ran_at_us = now_us();
	bpf_prog_test_run_opts(bpf_program__fd(later_prog), &topts);
	return NULL;
}

/* Best of three, as for signals: one scheduling hiccup is not a failure. */
Test(reader, ringbuf_data_wakes_the_reader)
{
	struct cons_print *skel = open_prepared();
	LIBBPF_OPTS(bpf_stream_reader_opts, opts, .idle_max_ms = 2000);
	struct bpf_stream_reader *r = bpf_stream_reader__new(cons_collect_fn, &col, &opts);
	long long best = -1, lat;
	int ret[3], try;
	pthread_t t;

	cr_assert_eq(bpf_stream_reader__add_prog(r, bpf_program__fd(skel->progs.cons_out),
						  BPF_STREAM_MASK_STDOUT), 0);
	later_prog = skel->progs.cons_out;
	for (try = 0; try < 3; try++) {
		/* idle long enough that the backoff is far above the 50 ms we allow */
		bpf_stream_reader__poll(r, 250);
		pthread_create(&t, NULL, run_later, NULL);
		ret[try] = bpf_stream_reader__poll(r, 5000);
		lat = now_us();
		pthread_join(t, NULL); /* then ran_at_us is safe to read */
		lat -= ran_at_us;
		if (best < 0 || lat < best)
			best = lat;
		if (best < 50000)
			break;
	}
	bpf_stream_reader__free(r);
	bpf_stream_release(skel->obj);
	cons_print__destroy(skel);
	cr_assert_eq(ret[0], 1, "stdout only: %d", ret[0]);
	cr_assert_lt(best, TS_MAX(50000), "woke %lld us after the write (best of %d)", best,
		     try);
}

/* Stamped records of two programs: arrival order per stream, or one time
 * order across them with order_by_time. */
static void ts_run(bool by_time, const char *const want[4])
{
	LIBBPF_OPTS(bpf_stream_reader_opts, opts, .order_by_time = by_time);
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	struct cons_ts *skel = cons_ts__open();
	LIBBPF_OPTS(bpf_stream_prepare_opts, ring_opts, .transport = BPF_STREAM_TRANSPORT_RINGBUF);
	struct bpf_stream_reader *r;
	int err, i, fa, fb;

	cr_assert_not_null(skel);
	err = bpf_stream_prepare_opts(skel->obj, &ring_opts);
	if (err) {
		cons_ts__destroy(skel);
		cr_skip_test("bpf_stream_prepare() failed (%d)", err);
	}
	cr_assert_eq(cons_ts__load(skel), 0);
	fa = bpf_program__fd(skel->progs.cons_ts_a);
	fb = bpf_program__fd(skel->progs.cons_ts_b);
	r = bpf_stream_reader__new(cons_collect_fn, &col, &opts);
	cr_assert_eq(bpf_stream_skel_follow(r, skel), 2);
	cr_assert_eq(bpf_prog_test_run_opts(fb, &topts), 0);
	cr_assert_eq(bpf_prog_test_run_opts(fa, &topts), 0);
	cr_assert_eq(bpf_prog_test_run_opts(fb, &topts), 0);
	cr_assert_eq(bpf_prog_test_run_opts(fa, &topts), 0);
	cr_assert_eq(bpf_stream_reader__consume(r), 4);
	for (i = 0; i < 4; i++)
		cr_assert_str_eq(col.msgs[i].text, want[i], "message %d", i);
	if (bpf_stream_object_transport(skel->obj, NULL) == BPF_STREAM_TRANSPORT_RINGBUF)
		cr_assert_neq(col.msgs[0].ts_ns, 0, "records carry the BPF side's stamp");
	bpf_stream_reader__free(r);
	bpf_stream_release(skel->obj);
	cons_ts__destroy(skel);
}

Test(reader, ringbuf_arrival_order_per_stream)
{
	static const char *const want[] = { "a 2", "a 4", "b 1", "b 3" };

	ts_run(false, want);
}

Test(reader, ringbuf_order_by_time_across_programs)
{
	static const char *const want[] = { "b 1", "a 2", "b 3", "a 4" };

	ts_run(true, want);
}

/* ---- the examples, end to end ---------------------------------------------- */

/* Run an example with stdout on a pipe; return its pid, *out_fd the pipe. */
static pid_t spawn(const char *path, char *const argv[], int *out_fd)
{
	int p[2];
	pid_t pid;

	cr_assert_eq(pipe(p), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(p[1], 1);
		dup2(devnull, 2); /* the examples' diagnostics */
		close(p[0]);
		close(p[1]);
		execv(path, argv);
		_exit(127);
	}
	close(p[1]);
	*out_fd = p[0];
	return pid;
}

static char *slurp(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 2)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	close(fd);
	return buf;
}

Test(reader, example_follow_exits_at_once_on_sigint, .timeout = 30)
{
	char path[512];
	char *argv[] = { "follow", "-i", "100", NULL };
	char head[8192] = "";
	size_t len = 0;
	long long t0, dt;
	int fd, status;
	pid_t pid;
	char *out;

	snprintf(path, sizeof(path), "%s/examples/follow/follow", BUILD_DIR);
	if (access(path, X_OK))
		cr_skip_test("%s is not built", path);
	pid = spawn(path, argv, &fd);
	/* signal it once it prints (loading takes seconds under emulation) */
	t0 = now_us();
	while (!strstr(head, "[follow_switch:stdout] cpu ") && now_us() - t0 < 20000000LL &&
	       len < sizeof(head) - 1) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(fd, head + len, sizeof(head) - 1 - len);
		if (n <= 0)
			break;
		len += n;
		head[len] = '\0';
	}
	t0 = now_us();
	kill(pid, SIGINT);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	dt = now_us() - t0;
	out = slurp(fd);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	cr_assert_lt(dt, TS_MAX(500000), "exited %lld us after SIGINT", dt);
	cr_assert_not_null(strstr(head, "[follow_switch:stdout] cpu "), "output: %s%s", head, out);
	free(out);
}

Test(reader, example_skeleton_prints_its_calls, .timeout = 30)
{
	char path[512];
	char *argv[] = { "skeleton", "-n", "1", NULL };
	int fd, status;
	pid_t pid;
	char *out;

	snprintf(path, sizeof(path), "%s/examples/skeleton/skeleton", BUILD_DIR);
	if (access(path, X_OK))
		cr_skip_test("%s is not built", path);
	pid = spawn(path, argv, &fd);
	out = slurp(fd);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	cr_assert_not_null(strstr(out, "[skeleton_sys_enter:stdout] system call "), "%s", out);
	cr_assert_not_null(strstr(out, "(#1)\n"), "%s", out);
	free(out);
}

/* ---- the caller's event loop: __epoll_fd() --------------------------------- */

/*
 * sigaction() as the library sees it: the library is linked statically
 * into this binary, so its calls resolve to this definition, which counts
 * them (while counting is on) and hands them to libc's.
 */
static volatile int sigaction_calls;
static volatile bool sigaction_counting;

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	static int (*real)(int, const struct sigaction *, struct sigaction *);

	if (!real)
		real = (int (*)(int, const struct sigaction *, struct sigaction *))
			dlsym(RTLD_NEXT, "sigaction");
	if (sigaction_counting)
		__atomic_add_fetch(&sigaction_calls, 1, __ATOMIC_RELAXED);
	return real(sig, act, old);
}

/* sigaction() calls of one waiting __poll() of a quiet reader. */
static int poll_sigactions(bool mask_signals)
{
	LIBBPF_OPTS(bpf_stream_reader_opts, opts, .mask_signals = mask_signals,
		    .idle_max_ms = 5);
	struct bpf_stream_reader *r = bpf_stream_reader__new(cons_collect_fn, &col, &opts);
	struct cons_print *skel;
	int fd, ret, n;

	cr_assert_not_null(r);
	fd = follow_quiet(r, &skel);
	sigaction_calls = 0;
	sigaction_counting = true;
	ret = bpf_stream_reader__poll(r, 30);
	sigaction_counting = false;
	n = sigaction_calls;
	cr_assert_eq(ret, 0, "a quiet reader times out: %d", ret);
	bpf_stream_reader__free(r);
	unfollow_quiet(fd, skel);
	return n;
}

Test(reader, poll_masks_signals_only_when_asked)
{
	int with = poll_sigactions(true), without = poll_sigactions(false);

	/* the counter sees the library's calls: with the opt-in, one query per
	 * signal number it may block */
	cr_assert_geq(with, 20, "sigaction() calls with mask_signals: %d", with);
	cr_assert_eq(without, 0, "sigaction() calls without mask_signals: %d", without);
}

/* A source whose first read raises SIGUSR1 and finds nothing: a signal
 * that arrives while __poll() runs its cycle, before the wait. */
static int raised;

static int raise_on_read(void *ctx, void *buf, size_t len, struct bs_source_meta *meta)
{
	bs_source_meta__next(meta);
	if (!raised++)
		raise(SIGUSR1);
	return 0;
}

static int no_drops(void *ctx, __u64 *count)
{
	*count = 0;
	return 0;
}

/* -EINTR or 0 of one __poll(r, @ms) whose cycle sees a signal; *us: time. */
static int signal_in_cycle(bool mask_signals, int ms, long long *us)
{
	struct sigaction sa = { .sa_handler = noop_handler };
	LIBBPF_OPTS(bpf_stream_reader_opts, opts, .mask_signals = mask_signals,
		    .idle_max_ms = 2000);
	struct bs_stream_src src = { .read = raise_on_read, .prog_id = 21, .prog_name = "s",
				     .stream_id = BPF_STDOUT, .dropped = no_drops };
	struct bpf_stream_reader *r;
	long long t0;
	int ret;

	sigaction(SIGUSR1, &sa, NULL);
	raised = 0;
	r = bpf_stream_reader__new(cons_collect_fn, &col, &opts);
	cr_assert_not_null(r);
	cr_assert_eq(bs_reader__add_src(r, &src), 0);
	t0 = now_us();
	ret = bpf_stream_reader__poll(r, ms);
	*us = now_us() - t0;
	bpf_stream_reader__free(r);
	return ret;
}

/* What mask_signals is for: a signal that arrives while the cycle runs
 * (a callback, a read) ends the wait at once; without it the wait runs to
 * its end (here the timeout) and the caller sees the handler's effect then. */
Test(reader, masked_signal_in_cycle_ends_the_wait)
{
	long long us;
	int ret;

	ret = signal_in_cycle(true, 3000, &us);
	cr_assert_eq(ret, -EINTR, "poll with mask_signals: %d", ret);
	cr_assert_lt(us, TS_MAX(500000), "%lld us", us);
	ret = signal_in_cycle(false, 300, &us);
	cr_assert_eq(ret, 0, "poll without mask_signals: %d", ret);
	cr_assert_geq(us, 300000, "%lld us", us);
}

/* A caller's epoll loop over the reader's fd, __consume() when it fires,
 * until @want lines came or @ms passed. Returns the lines; *wakes: times the
 * loop woke. */
static int epoll_loop(struct bpf_stream_reader *r, int want, int ms, int *wakes)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int ep = epoll_create1(EPOLL_CLOEXEC), fd, n = 0, ret;
	long long end = now_us() + ms * 1000LL;

	cr_assert_geq(ep, 0);
	fd = bpf_stream_reader__epoll_fd(r);
	cr_assert_geq(fd, 0, "epoll_fd: %d", fd);
	cr_assert_eq(bpf_stream_reader__epoll_fd(r), fd, "the same fd each call");
	ev.data.fd = fd;
	cr_assert_eq(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
	*wakes = 0;
	while (n < want && now_us() < end) {
		ret = epoll_wait(ep, &out, 1, (int)((end - now_us()) / 1000) + 1);
		if (ret <= 0)
			continue;
		(*wakes)++;
		ret = bpf_stream_reader__consume(r);
		cr_assert_geq(ret, 0, "consume: %d", ret);
		n += ret;
	}
	close(ep);
	return n;
}

static void epoll_delivers(struct cons_print *skel)
{
	LIBBPF_OPTS(bpf_stream_reader_opts, opts, .idle_max_ms = 100);
	struct bpf_stream_reader *r = bpf_stream_reader__new(cons_collect_fn, &col, &opts);
	int n, wakes;

	cr_assert_not_null(r);
	cr_assert_eq(bpf_stream_skel_follow(r, skel), 3, "three loaded programs");
	skel->data->nr_lines = 2;
	run(skel->progs.cons_out);
	n = epoll_loop(r, 4, 5000, &wakes);
	cr_assert_eq(n, 4, "2 stdout + 2 stderr lines of cons_out: %d", n);
	cr_assert_str_eq(col.msgs[0].text, "out 1.0");
	cr_assert_str_eq(col.msgs[0].name, "cons_out");
	cr_assert_str_eq(col.msgs[3].text, "err 1.1");
	/* idle: the timer backs off to idle_max_ms, it does not spin */
	n = epoll_loop(r, 1, 600, &wakes);
	cr_assert_eq(n, 0);
	cr_assert_lt(wakes, 30, "woke %d times in 600 ms idle", wakes);
	/* a program that comes later joins the set */
	cr_assert_eq(bpf_stream_reader__remove_id(r, col.msgs[0].prog_id), 0);
	cr_assert_eq(bpf_stream_reader__add_prog(r, bpf_program__fd(skel->progs.cons_out), 0), 0);
	run(skel->progs.cons_out);
	n = epoll_loop(r, 4, 5000, &wakes);
	cr_assert_eq(n, 4, "after re-adding: %d", n);
	bpf_stream_reader__free(r);
}

Test(reader, epoll_fd_in_the_callers_loop_ringbuf)
{
	struct cons_print *skel = open_prepared();

	epoll_delivers(skel);
	bpf_stream_release(skel->obj);
	cons_print__destroy(skel);
}

Test(reader, epoll_fd_in_the_callers_loop_native)
{
	struct cons_print *skel;
	LIBBPF_OPTS(bpf_stream_prepare_opts, nopts, .transport = BPF_STREAM_TRANSPORT_NATIVE);
	int err;

	if (kp_native_write())
		cr_skip_test("native streams do not work here: %s", kp_native_write_why());
	skel = cons_print__open();
	cr_assert_not_null(skel);
	err = bpf_stream_prepare_opts(skel->obj, &nopts);
	cr_assert_eq(err, 0, "prepare native: %d", err);
	cr_assert_eq(cons_print__load(skel), 0);
	epoll_delivers(skel);
	bpf_stream_release(skel->obj);
	cons_print__destroy(skel);
}
