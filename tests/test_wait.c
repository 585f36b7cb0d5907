// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * How bpf_stream_reader__poll() waits for native streams: through Linux
 * 7.4's stream fds (opened non-blocking, stream_fd.c) where the kernel keeps
 * their contract, else the adaptive polling of every released kernel. The
 * library's probe must agree with the test's own (kernel_probe.c); the
 * fallback must deliver; with stream fds, an idle reader must not wake and
 * a freed program must stop being followed; every fd the library hands out
 * is non-blocking. `make -C kernel-patch vm-lib` runs this binary on the
 * patched 7.2 (the fd interface) and on 7.2 as released.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "stream_fd.h"
#include "cons_helpers.h"
#include "kernel_probe.h"
#include "time_scale.h"
#include "cons_print.skel.h"

static struct cons_collect col;

static void teardown(void)
{
	cons_collect_reset(&col);
}

TestSuite(wait, .fini = teardown);

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

#define NEED_NATIVE_WRITES()								\
	do {										\
		if (kp_native_write())							\
			cr_skip_test("native streams do not work here: %s",		\
				     kp_native_write_why());				\
	} while (0)

#define NEED_STREAM_FD()								\
	do {										\
		if (!kp_has_stream_open())						\
			cr_skip_test("%s has no stream fds (Linux 7.4's interface; "	\
				     "no released Debian kernel has it): command 39 "	\
				     "gives %s", kp_kernel(),				\
				     kp_stream_open_err() == -EPROTO ?			\
				     kp_stream_open_why() :				\
				     strerror(-kp_stream_open_err()));			\
	} while (0)

/* cons_print with whatever transport bpf_stream_prepare() picks: native
 * where native writes work (the tests using it need that). */
static struct cons_print *open_native(void)
{
	struct cons_print *skel = cons_print__open();
	int err;

	cr_assert_not_null(skel);
	err = bpf_stream_prepare(skel->obj);
	cr_assert_eq(err, 0, "prepare: %d", err);
	cr_assert_eq(cons_print__load(skel), 0);
	cr_assert_eq(bpf_stream_object_transport(skel->obj, NULL), BPF_STREAM_TRANSPORT_NATIVE);
	return skel;
}

static void run(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);

	cr_assert_eq(bpf_prog_test_run_opts(bpf_program__fd(prog), &topts), 0);
}

/* Two lines of one cons_out run: "out N.0" on stdout, "err N.0" on stderr. */
static void expect_one_run(struct bpf_stream_reader *r, unsigned int run_nr)
{
	char want[32];
	int n = 0, ret;

	while (n < 2 && (ret = bpf_stream_reader__poll(r, (int)TS_MAX(2000))) > 0)
		n += ret;
	cr_assert_eq(n, 2, "lines of run %u: %d", run_nr, n);
	snprintf(want, sizeof(want), "out %u.0", run_nr);
	cr_assert_str_eq(col.msgs[col.nr - 2].text, want);
	snprintf(want, sizeof(want), "err %u.0", run_nr);
	cr_assert_str_eq(col.msgs[col.nr - 1].text, want);
}

Test(wait, probe_agrees_with_the_kernel)
{
	cr_assert_eq(bs_stream_fd_available(), kp_has_stream_open(),
		     "library %d, kernel_probe %d (%s)", bs_stream_fd_available(),
		     kp_has_stream_open(), kp_kernel());
}

/* Each fd the library opens is non-blocking, read-only, close-on-exec: an
 * empty stream reads -EAGAIN at once, whatever the kernel's default. */
Test(wait, stream_fds_never_block)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int prog_fd, fd, fl, fdfl;
	char c;

	NEED_STREAM_FD();
	cr_assert(bs_stream_fd_available(), "kernel_probe has stream fds, the library not (%s)",
		  bs_stream_fd_opener() ? bs_stream_fd_opener() : "no opener");
	prog_fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "t_sfd", "GPL", insns, 2, NULL);
	cr_assert_geq(prog_fd, 0, "prog load: %d", -errno);
	cr_assert_eq(bs_stream_get_fd(prog_fd, 3), -EINVAL);
	fd = bs_stream_get_fd(prog_fd, BPF_STDERR);
	cr_assert_geq(fd, 0, "bs_stream_get_fd: %d", fd);
	fl = fcntl(fd, F_GETFL);
	fdfl = fcntl(fd, F_GETFD);
	cr_assert(fl >= 0 && (fl & O_NONBLOCK), "O_NONBLOCK: %#x", fl);
	cr_assert_eq(fl & O_ACCMODE, O_RDONLY);
	cr_assert(fdfl >= 0 && (fdfl & FD_CLOEXEC));
	cr_assert_eq(read(fd, &c, 1), -1);
	cr_assert_eq(errno, EAGAIN);
	close(fd);
	close(prog_fd);
}

Test(wait, env_backoff_forces_the_fallback)
{
	setenv("BPF_STREAM_WAIT", "backoff", 1);
	cr_assert_not(bs_stream_fd_available());
	cr_assert_eq(bs_stream_get_fd(0, BPF_STDOUT), -EOPNOTSUPP);
}

/* Without stream fds (every released kernel; forced where the kernel has
 * them): no stream fd, and the adaptive polling still delivers. */
Test(wait, fallback_delivers)
{
	struct bpf_stream_reader *r;
	struct cons_print *skel;

	NEED_NATIVE_WRITES();
	if (kp_has_stream_open())
		bs_feat_test_override(BS_FEAT_STREAM_FD, 0);
	skel = open_native();
	r = bpf_stream_reader__new(cons_collect_fn, &col, NULL);
	cr_assert_not_null(r);
	cr_assert_eq(bpf_stream_skel_follow(r, skel), 3);
	cr_assert_eq(bs_reader__stream_fds(r), 0);
	run(skel->progs.cons_out);
	expect_one_run(r, 1);
	bpf_stream_reader__free(r);
	bpf_stream_release(skel->obj);
	cons_print__destroy(skel);
}

static struct bpf_program *later_prog;
static long long ran_at_us;

static void *run_later(void *arg)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);

	usleep(200 * 1000);
	ran_at_us = now_us();
	bpf_prog_test_run_opts(bpf_program__fd(later_prog), &topts);
	return NULL;
}

/* With stream fds: one fd per followed stream; 500 ms idle cost the cycle
 * before the wait and the one after the timeout, nothing between (the
 * fallback wakes at 1, 2, 4, ... 200 ms: about ten); data written while the
 * reader waits wakes it at once, in one more cycle. */
Test(wait, idle_reader_does_not_wake)
{
	struct bpf_stream_reader *r;
	struct cons_print *skel;
	__u64 c0, idle, busy;
	long long t0, dt, lat;
	pthread_t t;
	int ret;

	NEED_STREAM_FD();
	NEED_NATIVE_WRITES();
	skel = open_native();
	r = bpf_stream_reader__new(cons_collect_fn, &col, NULL);
	cr_assert_not_null(r);
	cr_assert_eq(bpf_stream_skel_follow(r, skel), 3);
	cr_assert_eq(bs_reader__stream_fds(r), 6, "three programs, two streams each");

	c0 = bs_reader__cycles(r);
	t0 = now_us();
	cr_assert_eq(bpf_stream_reader__poll(r, 500), 0);
	dt = now_us() - t0;
	idle = bs_reader__cycles(r) - c0;
	cr_assert_geq(dt, 500000, "timeout honoured: %lld us", dt);
	cr_assert_eq(idle, 2, "cycles in 500 ms idle: %llu", (unsigned long long)idle);

	later_prog = skel->progs.cons_out;
	c0 = bs_reader__cycles(r);
	pthread_create(&t, NULL, run_later, NULL);
	ret = bpf_stream_reader__poll(r, (int)TS_MAX(5000));
	lat = now_us();
	pthread_join(t, NULL);
	lat -= ran_at_us;
	busy = bs_reader__cycles(r) - c0;
	cr_assert_gt(ret, 0, "poll: %d", ret);
	cr_assert_lt(lat, TS_MAX(50000), "woke %lld us after the write", lat);
	cr_assert_leq(busy, 3, "cycles to the data: %llu", (unsigned long long)busy);
	if (ret < 2)
		cr_assert_eq(bpf_stream_reader__poll(r, (int)TS_MAX(2000)), 2 - ret);
	cr_assert_str_eq(col.msgs[0].text, "out 1.0");
	cr_assert_str_eq(col.msgs[1].text, "err 1.0");
	bpf_stream_reader__free(r);
	bpf_stream_release(skel->obj);
	cons_print__destroy(skel);
}

/* The reader holds no reference: once the object is gone the kernel frees
 * its programs, POLLHUP ends following them. */
Test(wait, hangup_ends_following)
{
	struct bpf_stream_reader *r;
	struct cons_print *skel;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	long long t0;

	NEED_STREAM_FD();
	NEED_NATIVE_WRITES();
	skel = open_native();
	cr_assert_eq(bpf_obj_get_info_by_fd(bpf_program__fd(skel->progs.cons_out), &info, &len),
		     0);
	r = bpf_stream_reader__new(cons_collect_fn, &col, NULL);
	cr_assert_not_null(r);
	cr_assert_eq(bpf_stream_skel_follow(r, skel), 3);
	run(skel->progs.cons_out);
	expect_one_run(r, 1);
	bpf_stream_release(skel->obj);
	cons_print__destroy(skel);
	/* programs are freed after an RCU grace period */
	t0 = now_us();
	while (bs_reader__stream_fds(r) && now_us() - t0 < TS_MAX(2000000))
		cr_assert_eq(bpf_stream_reader__poll(r, 100), 0);
	cr_assert_eq(bs_reader__stream_fds(r), 0, "every stream fd closed after %lld us",
		     now_us() - t0);
	cr_assert_eq(bpf_stream_reader__remove_id(r, info.id), -ENOENT);
	cr_assert_eq(col.nr, 2);
	bpf_stream_reader__free(r);
}
