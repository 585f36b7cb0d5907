// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The reading model (issue 19): every reader of a program gets all of its
 * lines, or is told exactly what it did not get.
 *
 *  - an object's first program printing nothing hides no line;
 *  - a drain, a reader's __consume() end with what was queued when they
 *    began: a 20,000-line backlog comes out whole;
 *  - a second process reading an object its loader reads (a fork here, as
 *    an operator's bpf-stream would be) reads a ring along without taking
 *    from it, and is refused a native stream unless it takes over;
 *  - two producers, a consumer and a tap at once: the consumer accounts for
 *    every line exactly once (delivered or dropped), the tap delivers each
 *    line at most once, in order, and says how much it missed;
 *  - drop notices are news once per reader;
 *  - a program unloaded while a tap reads it.
 *
 * Transport: the ring buffer (prepared so), on every kernel; the native
 * refusal where the kernel's native writes work (6.17+).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "libbpf_stream.h"
#include "stream_internal.h"
#include "kernel_probe.h"
#include "time_scale.h"
#include "rd_first.skel.h"
#include "rd_backlog.skel.h"

#define BACKLOG 20000

struct count {
	int lines, notices, earlier;
	__u64 dropped, missed;
	int bad_order;
	long long next[4];	/* per producer (or [0]: a's numbers): next expected */
	int dups;
	char last[128];
};

static int count_fn(void *ctx, const struct bpf_stream_msg *msg)
{
	struct count *c = ctx;
	unsigned int run, n, who;

	if (msg->flags & BPF_STREAM_MSG_F_DROP_NOTICE) {
		c->notices++;
		c->dropped += msg->dropped;
		c->missed += msg->missed_bytes;
		c->earlier += !!(msg->flags & BPF_STREAM_MSG_F_EARLIER);
		return 0;
	}
	c->lines++;
	snprintf(c->last, sizeof(c->last), "%s:%s", msg->prog_name, msg->text);
	/* "a RUN N" lines come in order, each once */
	if (sscanf(msg->text, "a %u %u", &run, &n) == 2) {
		if ((long long)n < c->next[0])
			c->dups++;
		else if ((long long)n != c->next[0])
			c->bad_order++;
		c->next[0] = n + 1;
	} else if (sscanf(msg->text, "p %u %u", &who, &n) == 2 && who < 4) {
		/* a tap or a consumer never sees a line twice or out of order;
		 * gaps are drops (consumer) or what a tap missed */
		if ((long long)n < c->next[who])
			c->dups++;
		c->next[who] = n + 1;
	}
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

static void run_syscall(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);

	cr_assert_eq(bpf_prog_test_run_opts(bpf_program__fd(prog), &topts), 0, "test run: %s",
		     strerror(errno));
}

static void prepare_ring(struct bpf_object *obj)
{
	LIBBPF_OPTS(bpf_stream_prepare_opts, opts, .transport = BPF_STREAM_TRANSPORT_RINGBUF);

	cr_assert_eq(bpf_stream_prepare_opts(obj, &opts), 0, "prepare: %s", strerror(errno));
}

static struct rd_backlog *load_backlog(void)
{
	struct rd_backlog *skel = rd_backlog__open();

	cr_assert(skel, "open: %s", strerror(errno));
	prepare_ring(skel->obj);
	cr_assert_eq(rd_backlog__load(skel), 0, "load: %s", strerror(errno));
	return skel;
}

static void unsetenv_transport(void)
{
	unsetenv("BPF_STREAM_TRANSPORT");
}

TestSuite(reading, .init = unsetenv_transport);

/* A first program that prints nothing must not hide the others' lines
 * (drain_object delivered none of them). */
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

/* Programs printing in any subset and order, the first one silent: each
 * program's lines go to it, by drain_object and by a drain per program. */
Test(reading, programs_print_in_any_subset)
{
	struct rd_backlog *skel = load_backlog();
	struct count c = {};
	int n;

	skel->data->rd_lines = 3;
	run_syscall(skel->progs.rd_bl_b);
	n = bpf_stream_drain_object(skel->obj, count_fn, &c);
	cr_assert_eq(n, 2, "b alone: %d", n);
	run_syscall(skel->progs.rd_bl_a);
	run_syscall(skel->progs.rd_bl_b);
	memset(&c, 0, sizeof(c));
	/* a's stdout first: b's records queued before it wait for b */
	n = bpf_stream_drain(bpf_program__fd(skel->progs.rd_bl_a), BPF_STDOUT, count_fn, &c);
	cr_assert_eq(n, 3, "a: %d", n);
	cr_expect_str_eq(c.last, "rd_bl_a:a 1 2");
	memset(&c, 0, sizeof(c));
	n = bpf_stream_drain(bpf_program__fd(skel->progs.rd_bl_quiet), BPF_STDOUT, count_fn, &c);
	cr_assert_eq(n, 0, "quiet: %d", n);
	n = bpf_stream_drain_object(skel->obj, count_fn, &c);
	cr_assert_eq(n, 2, "b again: %d", n);
	cr_expect_str_eq(c.last, "rd_bl_b:b err");
	bpf_stream_release(skel->obj);
	rd_backlog__destroy(skel);
}

/* A 20,000-line backlog written in one program run: one drain delivers all
 * of it, in order; so does one __consume() of a reader. */
Test(reading, backlog_comes_out_whole)
{
	struct rd_backlog *skel = load_backlog();
	struct bpf_stream_reader *rd;
	struct count c = {};
	int n;

	run_syscall(skel->progs.rd_bl_a);
	n = bpf_stream_drain(bpf_program__fd(skel->progs.rd_bl_a), BPF_STDOUT, count_fn, &c);
	cr_expect_eq(n, BACKLOG, "drain: %d (%s)", n, strerror(errno));
	cr_expect_eq(c.lines, BACKLOG);
	cr_expect_eq(c.bad_order + c.dups, 0, "out of order %d, twice %d", c.bad_order, c.dups);
	cr_expect_eq(c.dropped, 0);

	run_syscall(skel->progs.rd_bl_a);
	memset(&c, 0, sizeof(c));
	rd = bpf_stream_reader__new(count_fn, &c, NULL);
	cr_assert(rd);
	cr_assert_eq(bpf_stream_reader__add_object(rd, skel->obj, 0), 4);
	n = bpf_stream_reader__consume(rd);
	cr_expect_eq(n, BACKLOG, "consume: %d", n);
	cr_expect_eq(c.lines, BACKLOG);
	cr_expect_eq(bpf_stream_reader__consume(rd), 0);
	bpf_stream_reader__free(rd);
	bpf_stream_release(skel->obj);
	rd_backlog__destroy(skel);
}

/* Run @fn in a child process (another reader, as bpf-stream would be) and
 * return what it counted. */
static struct count in_child(void (*fn)(struct rd_backlog *, struct count *), struct rd_backlog *skel)
{
	struct count c = {};
	int pfd[2], status;
	pid_t pid;

	cr_assert_eq(pipe(pfd), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (!pid) {
		close(pfd[0]);
		fn(skel, &c);
		if (write(pfd[1], &c, sizeof(c)) != sizeof(c))
			_exit(2);
		_exit(0);
	}
	close(pfd[1]);
	cr_assert_eq(read(pfd[0], &c, sizeof(c)), (ssize_t)sizeof(c));
	close(pfd[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && !WEXITSTATUS(status));
	return c;
}

static void child_drain_a(struct rd_backlog *skel, struct count *c)
{
	int n = bpf_stream_drain(bpf_program__fd(skel->progs.rd_bl_a), BPF_STDOUT, count_fn, c);

	if (n < 0)
		c->lines = n;
}

static void child_take_over_a(struct rd_backlog *skel, struct count *c)
{
	LIBBPF_OPTS(bpf_stream_reader_opts, ro, .take_over = true);
	struct bpf_stream_reader *rd = bpf_stream_reader__new(count_fn, c, &ro);

	if (!rd || bpf_stream_reader__add_prog(rd, bpf_program__fd(skel->progs.rd_bl_a), 0)) {
		c->lines = -1;
		return;
	}
	bpf_stream_reader__consume(rd);
	bpf_stream_reader__free(rd);
}

/* The application loaded the object and has not drained it yet when
 * another process reads the same program: that reader gets the whole
 * backlog without taking it, and the application then gets all of it. */
Test(reading, second_reader_reads_along)
{
	struct rd_backlog *skel = load_backlog();
	struct count c;
	int n;

	run_syscall(skel->progs.rd_bl_a);
	c = in_child(child_drain_a, skel);
	cr_expect_eq(c.lines, BACKLOG, "other reader: %d", c.lines);
	cr_expect_eq(c.dups + c.bad_order, 0);
	memset(&c, 0, sizeof(c));
	n = bpf_stream_drain(bpf_program__fd(skel->progs.rd_bl_a), BPF_STDOUT, count_fn, &c);
	cr_expect_eq(n, BACKLOG, "application: %d", n);
	/* a second look of the other reader: still all there, the application
	 * having drained it? No: consumed now, nothing is queued */
	c = in_child(child_drain_a, skel);
	cr_expect_eq(c.lines, 0, "after the application drained: %d", c.lines);
	/* take over: the other process consumes, the application gets none */
	run_syscall(skel->progs.rd_bl_a);
	c = in_child(child_take_over_a, skel);
	cr_expect_eq(c.lines, BACKLOG, "taking over: %d", c.lines);
	memset(&c, 0, sizeof(c));
	usleep(300000);	/* the application notices the change at its next check */
	n = bpf_stream_drain(bpf_program__fd(skel->progs.rd_bl_a), BPF_STDOUT, count_fn, &c);
	cr_expect_eq(c.lines, 0, "taken over, yet the application got %d", c.lines);
	bpf_stream_release(skel->obj);
	rd_backlog__destroy(skel);
}

/* Sibling programs on one ring, read by a process that consumes it (the
 * loader is gone: nobody else reads): what it takes for the others is
 * kept, counted under them, and delivered when they are read. */
Test(reading, siblings_on_one_ring_are_kept)
{
	struct rd_backlog *skel = load_backlog();
	LIBBPF_OPTS(bpf_stream_prog_stats, st);
	int fd_a = bpf_program__fd(skel->progs.rd_bl_a), fd_b = bpf_program__fd(skel->progs.rd_bl_b);
	struct count c = {};
	int n;

	skel->data->rd_lines = 100;
	run_syscall(skel->progs.rd_bl_b);
	run_syscall(skel->progs.rd_bl_a);
	run_syscall(skel->progs.rd_bl_b);
	n = bpf_stream_drain(fd_a, BPF_STDOUT, count_fn, &c);
	cr_expect_eq(n, 100);
	cr_assert_eq(bpf_stream_prog_transport(fd_b, &st), BPF_STREAM_TRANSPORT_RINGBUF);
	cr_expect_eq(st.queued[BPF_STDOUT], 2, "b's stdout taken and kept: %llu",
		     (unsigned long long)st.queued[BPF_STDOUT]);
	cr_expect_eq(st.queued[BPF_STDERR], 2);
	memset(&c, 0, sizeof(c));
	n = bpf_stream_drain(fd_b, BPF_STDERR, count_fn, &c);
	cr_expect_eq(n, 2, "b's stderr: %d", n);
	bpf_stream_release(skel->obj);
	rd_backlog__destroy(skel);
}

/* ---- two producers, a consumer and a tap ---------------------------------- */

struct prod {
	int fd;
	__u32 who;
	bool *stop;		/* read and written with __atomic builtins */
	__u32 written;
};

struct rd_prod_args {
	__u32 producer;
	__u32 first;
	__u32 count;
};

static void *producer(void *arg)
{
	struct prod *p = arg;

	while (!__atomic_load_n(p->stop, __ATOMIC_ACQUIRE)) {
		struct rd_prod_args a = { .producer = p->who, .first = p->written, .count = 200 };
		LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = &a, .ctx_size_in = sizeof(a));

		if (bpf_prog_test_run_opts(p->fd, &topts))
			break;
		p->written += a.count;
		usleep(getenv("RD_SLOW") ? 20000 : 200);
	}
	return NULL;
}

static volatile sig_atomic_t tap_stop;

static void on_usr1(int sig)
{
	tap_stop = 1;
}

static void child_tap(struct rd_backlog *skel, struct count *c)
{
	struct bpf_stream_reader *rd = bpf_stream_reader__new(count_fn, c, NULL);

	signal(SIGUSR1, on_usr1);
	if (!rd || bpf_stream_reader__add_prog(rd, bpf_program__fd(skel->progs.rd_prod), 0)) {
		c->lines = -1;
		return;
	}
	while (!tap_stop)
		bpf_stream_reader__poll(rd, 20);
	bpf_stream_reader__consume(rd);
	bpf_stream_reader__free(rd);
}

Test(reading, consumer_and_tap_with_two_producers)
{
	struct rd_backlog *skel = load_backlog();
	struct count cons = {}, tap = {};
	struct bpf_stream_reader *rd;
	bool stop = false;
	struct prod p[2];
	pthread_t th[2];
	int pfd[2], status, i;
	long long end;
	pid_t pid;

	rd = bpf_stream_reader__new(count_fn, &cons, NULL);
	cr_assert(rd);
	cr_assert_eq(bpf_stream_reader__add_prog(rd, bpf_program__fd(skel->progs.rd_prod), 0), 0);
	bpf_stream_reader__consume(rd);	/* this process consumes from now on */

	cr_assert_eq(pipe(pfd), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (!pid) {
		close(pfd[0]);
		child_tap(skel, &tap);
		_exit(write(pfd[1], &tap, sizeof(tap)) == sizeof(tap) ? 0 : 2);
	}
	close(pfd[1]);
	usleep(100000);
	for (i = 0; i < 2; i++) {
		p[i] = (struct prod){ .fd = bpf_program__fd(skel->progs.rd_prod), .who = (__u32)i,
				      .stop = &stop };
		cr_assert_eq(pthread_create(&th[i], NULL, producer, &p[i]), 0);
	}
	end = time(NULL) + 10;
	while (time(NULL) < end)
		bpf_stream_reader__poll(rd, 50);
	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	bpf_stream_reader__consume(rd);
	usleep(300000);
	kill(pid, SIGUSR1);
	cr_assert_eq(read(pfd[0], &tap, sizeof(tap)), (ssize_t)sizeof(tap));
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && !WEXITSTATUS(status));
	bpf_stream_reader__consume(rd);

	/* the consumer: every line written is delivered or counted dropped */
	cr_expect_eq((__u64)cons.lines + cons.dropped, (__u64)p[0].written + p[1].written,
		     "consumer: %d lines + %llu dropped != %u written", cons.lines,
		     (unsigned long long)cons.dropped, p[0].written + p[1].written);
	cr_expect_eq(cons.dups, 0, "consumer got %d lines twice", cons.dups);
	/* the tap: never a line twice; all the consumer got unless it says it
	 * missed some */
	cr_expect_eq(tap.dups, 0, "tap got %d lines twice", tap.dups);
	if (!tap.missed)
		cr_expect_eq(tap.lines, cons.lines, "tap %d lines, consumer %d, nothing missed said",
			     tap.lines, cons.lines);
	else
		cr_expect_lt(tap.lines, cons.lines);
	cr_log_info("written %u, consumer %d lines (%llu dropped), tap %d lines (%llu bytes missed)\n",
		    p[0].written + p[1].written, cons.lines, (unsigned long long)cons.dropped,
		    tap.lines, (unsigned long long)tap.missed);
	bpf_stream_reader__free(rd);
	bpf_stream_release(skel->obj);
	rd_backlog__destroy(skel);
}

/* ---- drop notices, once per reader ------------------------------------------ */

static void child_drain_object(struct rd_backlog *skel, struct count *c)
{
	int n = bpf_stream_drain_object(skel->obj, count_fn, c);

	if (n < 0)
		c->lines = n;
}

/* A ring too small for the backlog drops most of it: the loader hears of
 * each drop once, as news; another process's first look says the count
 * once, labelled as earlier, and its next look says nothing more. */
Test(reading, drop_notices_once_per_reader)
{
	struct rd_backlog *skel = rd_backlog__open();
	struct count c = {}, o1, o2;
	__u64 total;

	cr_assert(skel);
	prepare_ring(skel->obj);
	cr_assert_eq(bpf_map__set_max_entries(skel->maps.bpf_stream_rb, 4096), 0);
	cr_assert_eq(rd_backlog__load(skel), 0);
	skel->data->rd_lines = 1000;
	run_syscall(skel->progs.rd_bl_a);
	o1 = in_child(child_drain_object, skel);
	cr_expect_gt(o1.dropped, 0, "a 4 KiB ring dropped nothing of 1000 lines?");
	cr_expect_eq(o1.earlier, o1.notices, "other reader: %d notices, %d labelled earlier",
		     o1.notices, o1.earlier);
	cr_expect_eq(o1.lines + o1.dropped, 1000, "other reader: %d + %llu", o1.lines,
		     (unsigned long long)o1.dropped);
	o2 = in_child(child_drain_object, skel);
	cr_expect_eq(o2.dropped, o1.dropped, "a new reader process says the count once again, as earlier");
	cr_expect_eq(o2.earlier, o2.notices);
	/* the loader: the drops are news (not labelled), once */
	cr_assert_geq(bpf_stream_drain_object(skel->obj, count_fn, &c), 0);
	total = c.dropped;
	cr_expect_eq(total, o1.dropped);
	cr_expect_eq(c.earlier, 0);
	cr_expect_eq(c.lines + c.dropped, 1000);
	memset(&c, 0, sizeof(c));
	cr_assert_geq(bpf_stream_drain_object(skel->obj, count_fn, &c), 0);
	cr_expect_eq(c.notices, 0, "announced twice");
	bpf_stream_release(skel->obj);
	rd_backlog__destroy(skel);
}

/* ---- a program unloaded while a tap reads it --------------------------------- */

static void child_tap_until_gone(struct rd_backlog *skel, struct count *c)
{
	int fd = bpf_program__fd(skel->progs.rd_bl_a);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), id;
	long long end = time(NULL) + TS_MAX(10);

	bpf_obj_get_info_by_fd(fd, &info, &len);
	id = info.id;
	/* read what is queued, then wait for the loader to let the program go
	 * (this process holds an fd through fork: close it so it can) */
	bpf_stream_drain(fd, BPF_STDOUT, count_fn, c);
	bpf_object__close(skel->obj);
	while (time(NULL) < end) {
		int f = bpf_prog_get_fd_by_id(id);

		if (f < 0)
			break;
		close(f);
		usleep(20000);
	}
	/* gone: reading it again is a clear error, nothing hangs */
	c->notices = bpf_prog_get_fd_by_id(id) < 0 ? errno : 0;
}

Test(reading, program_unloaded_while_tapped)
{
	struct rd_backlog *skel = load_backlog();
	struct count c;
	int pfd[2], status;
	pid_t pid;

	skel->data->rd_lines = 500;
	run_syscall(skel->progs.rd_bl_a);
	cr_assert_eq(pipe(pfd), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (!pid) {
		memset(&c, 0, sizeof(c));
		close(pfd[0]);
		child_tap_until_gone(skel, &c);
		_exit(write(pfd[1], &c, sizeof(c)) == sizeof(c) ? 0 : 2);
	}
	close(pfd[1]);
	usleep(200000);
	bpf_stream_release(skel->obj);
	rd_backlog__destroy(skel);
	cr_assert_eq(read(pfd[0], &c, sizeof(c)), (ssize_t)sizeof(c));
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_expect(WIFEXITED(status) && !WEXITSTATUS(status));
	cr_expect_eq(c.lines, 500, "tap read %d of 500 before the unload", c.lines);
	cr_expect_eq(c.notices, ENOENT, "program still there after its loader let go");
}

/* ---- native streams: reads are destructive ------------------------------------ */

static void child_drain_a_err(struct rd_backlog *skel, struct count *c)
{
	int n = bpf_stream_drain(bpf_program__fd(skel->progs.rd_bl_a), BPF_STDOUT, count_fn, c);

	c->notices = n < 0 ? -errno : 0;
}

/* Transport: native (6.17+, where native writes land). Another process's
 * drain of a program whose loader reads it is refused with -EBUSY and takes
 * nothing; a reader that takes over gets the lines. */
Test(reading, native_second_reader_refused_unless_it_takes_over)
{
	LIBBPF_OPTS(bpf_stream_prepare_opts, opts, .transport = BPF_STREAM_TRANSPORT_NATIVE);
	struct bs_kernel k = bs_kernel_probe();
	struct rd_backlog *skel;
	struct count c;
	int n;

	if (bs_kernel_native_problem(&k))
		cr_skip_test("native streams cannot carry messages here: %s",
			     bs_kernel_native_problem(&k));
	skel = rd_backlog__open();
	cr_assert(skel);
	cr_assert_eq(bpf_stream_prepare_opts(skel->obj, &opts), 0, "prepare: %s", strerror(errno));
	cr_assert_eq(rd_backlog__load(skel), 0);
	skel->data->rd_lines = 10;
	run_syscall(skel->progs.rd_bl_a);
	c = in_child(child_drain_a_err, skel);
	cr_expect_eq(c.notices, -EBUSY, "other reader: %d", c.notices);
	cr_expect_eq(c.lines, 0);
	c = in_child(child_take_over_a, skel);
	cr_expect_eq(c.lines, 10, "taking over: %d", c.lines);
	run_syscall(skel->progs.rd_bl_a);
	memset(&c, 0, sizeof(c));
	usleep(300000);
	/* the loader reads again: the other process is gone, so it consumes */
	n = bpf_stream_drain(bpf_program__fd(skel->progs.rd_bl_a), BPF_STDOUT, count_fn, &c);
	cr_expect_eq(n, 10, "loader after the other left: %d (%s)", n, strerror(errno));
	bpf_stream_release(skel->obj);
	rd_backlog__destroy(skel);
}
