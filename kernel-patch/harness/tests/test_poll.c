// SPDX-License-Identifier: GPL-2.0
/*
 * Stream files, to the contract of Linux 7.4's file-descriptor interface
 * for program streams (upstream's selftests, prog_tests/stream.c,
 * test_stream_fd_*; the first six tests below port open, nonblock, empty,
 * blocking, hup and edge): bpf_prog_stream_new_fd() gives a read-only file
 * that is readable while data is queued, reads like
 * BPF_PROG_STREAM_READ_BY_FD, blocks unless opened BPF_F_STREAM_NONBLOCK,
 * and once the program is gone hangs up, still reads what was left, then
 * end of file.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "test.h"

#ifdef HAVE_STREAM_POLL
#include <linux/poll.h>

#define READABLE	(EPOLLIN | EPOLLRDNORM)
#define NB		BPF_F_STREAM_NONBLOCK
#define F_RDONLY	(1U << 3)	/* BPF_F_RDONLY of the UAPI */

/* test_stream_fd_open: the refusals; a stream of each id opens */
TEST(stream_fd_open_refuses_bad_stream_ids_and_flags)
{
	struct bpf_prog *prog = prog_new();
	int fd;

	if (!ASSERT_EQ(bpf_prog_stream_new_fd(prog, 0, 0), -ENOENT))
		goto out;
	if (!ASSERT_EQ(bpf_prog_stream_new_fd(prog, 3, NB), -ENOENT))
		goto out;
	if (!ASSERT_EQ(bpf_prog_stream_new_fd(prog, BPF_STDOUT, F_RDONLY), -EINVAL))
		goto out;
	if (!ASSERT_EQ(bpf_prog_stream_new_fd(prog, BPF_STDOUT, 0x80000000u), -EINVAL))
		goto out;
	if (!ASSERT_EQ(bpf_prog_stream_new_fd(prog, BPF_STDOUT, NB | F_RDONLY), -EINVAL))
		goto out;
	if (!ASSERT_EQ(harness_files_open(), 0))
		goto out;
	/* the first file of a stream allocates the shared state */
	harness_kmalloc_fail_after(0);
	if (!ASSERT_EQ(bpf_prog_stream_new_fd(prog, BPF_STDERR, 0), -ENOMEM))
		goto out;
	harness_kmalloc_fail_after(-1);
	fd = bpf_prog_stream_new_fd(prog, BPF_STDERR, 0);
	if (!ASSERT_TRUE(fd >= HARNESS_FD_BASE))
		goto out;
	if (!ASSERT_EQ(harness_file_flags(fd) & (O_ACCMODE | O_CLOEXEC | O_NONBLOCK),
		       O_RDONLY | O_CLOEXEC))
		goto out;
	harness_file_close(fd);
	fd = bpf_prog_stream_new_fd(prog, BPF_STDOUT, NB);
	if (!ASSERT_EQ(harness_file_flags(fd) & (O_ACCMODE | O_CLOEXEC | O_NONBLOCK),
		       O_RDONLY | O_CLOEXEC | O_NONBLOCK))
		goto out;
	harness_file_close(fd);
	if (!ASSERT_EQ(harness_files_open(), 0))
		goto out;
out:
	prog_free(prog);
}

/* test_stream_fd_nonblock: not ready and -EAGAIN when empty, partial reads */
TEST(stream_fd_nonblock_reports_queued_data_and_read_drains_it)
{
	struct bpf_prog *prog = prog_new();
	unsigned long wakeups;
	char buf[32];
	int fd;

	fd = bpf_prog_stream_new_fd(prog, BPF_STDOUT, NB);
	if (!ASSERT_TRUE(fd >= HARNESS_FD_BASE))
		goto out;
	if (!ASSERT_EQ(harness_file_poll(fd), 0))
		goto out;
	if (!ASSERT_EQ(harness_file_read(fd, buf, sizeof(buf)), -EAGAIN))
		goto out;
	wakeups = harness_file_wakeups(fd);
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "hello %d\n", 1), 0))
		goto out;
	if (!ASSERT_TRUE(harness_file_wakeups(fd) > wakeups))
		goto out;
	if (!ASSERT_EQ(harness_file_poll(fd), READABLE))
		goto out;
	/* the other stream neither wakes nor readies this file */
	wakeups = harness_file_wakeups(fd);
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDERR, "elsewhere"), 0))
		goto out;
	if (!ASSERT_EQ(harness_file_wakeups(fd), wakeups))
		goto out;
	if (!ASSERT_EQ(harness_file_read(fd, buf, 3), 3))
		goto out;
	if (!ASSERT_EQ(harness_file_poll(fd), READABLE))
		goto out;
	if (!ASSERT_EQ(harness_file_read(fd, buf + 3, sizeof(buf) - 3), 5))
		goto out;
	if (!ASSERT_MEM(buf, "hello 1\n", 8))
		goto out;
	if (!ASSERT_EQ(harness_file_poll(fd), 0))
		goto out;
	if (!ASSERT_EQ(harness_file_read(fd, buf, sizeof(buf)), -EAGAIN))
		goto out;
	if (!ASSERT_EQ(harness_file_read(fd, buf, 0), 0))
		goto out;
	/* the read command and the file drain the same stream */
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "again"), 0))
		goto out;
	if (!ASSERT_EQ(bpf_prog_stream_read(prog, BPF_STDOUT, buf, sizeof(buf)), 5))
		goto out;
	if (!ASSERT_EQ(harness_file_poll(fd), 0))
		goto out;
	harness_file_close(fd);
	if (!ASSERT_EQ(drain(prog, BPF_STDERR, buf, sizeof(buf), 32), 9))
		goto out;
out:
	prog_free(prog);
}

/* test_stream_fd_empty: empty output raises nothing */
TEST(stream_fd_empty_write_raises_no_readiness)
{
	struct bpf_prog *prog = prog_new();
	unsigned long wakeups;
	char buf[4];
	int fd;

	fd = bpf_prog_stream_new_fd(prog, BPF_STDOUT, NB);
	if (!ASSERT_TRUE(fd >= 0))
		goto out;
	wakeups = harness_file_wakeups(fd);
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, ""), 0))
		goto out;
	if (!ASSERT_EQ(harness_file_wakeups(fd), wakeups))
		goto out;
	if (!ASSERT_EQ(harness_file_poll(fd), 0))
		goto out;
	if (!ASSERT_EQ(harness_file_read(fd, buf, sizeof(buf)), -EAGAIN))
		goto out;
out:
	harness_file_close(fd);
	prog_free(prog);
}

struct blocked_read {
	int fd;
	long ret;
	char buf[8];
	_Atomic int done;
};

static void *blocked_read_fn(void *arg)
{
	struct blocked_read *br = arg;

	br->ret = harness_file_read(br->fd, br->buf, sizeof(br->buf));
	atomic_store(&br->done, 1);
	return NULL;
}

static bool still_blocked_after_50ms(struct blocked_read *br)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	return !atomic_load(&br->done);
}

/* test_stream_fd_blocking: a read blocks until data, then until the end */
TEST(stream_fd_blocking_read_waits_for_data_then_for_the_end)
{
	struct bpf_prog *prog = prog_new();
	struct blocked_read br = { 0 };
	pthread_t t;

	br.fd = bpf_prog_stream_new_fd(prog, BPF_STDOUT, 0);
	if (!ASSERT_TRUE(br.fd >= 0))
		goto out;
	pthread_create(&t, NULL, blocked_read_fn, &br);
	if (!ASSERT_TRUE(still_blocked_after_50ms(&br)))
		goto out;
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "foo"), 0))
		goto out;
	pthread_join(t, NULL);
	if (!ASSERT_EQ(br.ret, 3))
		goto out;
	if (!ASSERT_MEM(br.buf, "foo", 3))
		goto out;

	atomic_store(&br.done, 0);
	pthread_create(&t, NULL, blocked_read_fn, &br);
	if (!ASSERT_TRUE(still_blocked_after_50ms(&br)))
		goto out;
	/* the other stream does not end the wait */
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDERR, "x"), 0))
		goto out;
	if (!ASSERT_TRUE(still_blocked_after_50ms(&br)))
		goto out;
	prog_free(prog);
	pthread_join(t, NULL);
	if (!ASSERT_EQ(br.ret, 0))
		goto out;
out:
	harness_file_close(br.fd);
}

/* test_stream_fd_hup: what is left is readable after the hang-up, then EOF */
TEST(stream_fd_hangup_keeps_unread_data_then_end_of_file)
{
	struct bpf_prog *prog = prog_new();
	unsigned long wakeups;
	char buf[32];
	long live;
	int fd;

	live = harness_kmalloc_live();
	fd = bpf_prog_stream_new_fd(prog, BPF_STDERR, NB);
	if (!ASSERT_TRUE(fd >= 0))
		return;
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDERR, "foo"), 0))
		return;
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDERR, "bar"), 0))
		return;
	if (!ASSERT_EQ(harness_file_poll(fd), READABLE))
		return;
	if (!ASSERT_EQ(harness_file_read(fd, buf, 1), 1))
		return;
	wakeups = harness_file_wakeups(fd);
	prog_free(prog);
	if (!ASSERT_TRUE(harness_file_wakeups(fd) > wakeups))
		return;
	if (!ASSERT_EQ(harness_file_poll(fd), READABLE | EPOLLHUP))
		return;
	if (!ASSERT_EQ(harness_file_read(fd, buf + 1, sizeof(buf) - 1), 5))
		return;
	if (!ASSERT_MEM(buf, "foobar", 6))
		return;
	if (!ASSERT_EQ(harness_file_poll(fd), EPOLLHUP))
		return;
	if (!ASSERT_EQ(harness_file_read(fd, buf, sizeof(buf)), 0))
		return;
	/* only the shared poll state is left, and the file frees it */
	if (!ASSERT_EQ(harness_kmalloc_live() - live, 1))
		return;
	harness_file_close(fd);
	if (!ASSERT_EQ(harness_kmalloc_live() - live, 0))
		return;
}

/* What nobody read before the last file closed goes with the poll state. */
TEST(stream_fd_unread_data_of_a_dead_program_is_freed_with_the_file)
{
	struct bpf_prog *prog = prog_new();
	long live = harness_kmalloc_live();
	int fd;

	fd = bpf_prog_stream_new_fd(prog, BPF_STDOUT, NB);
	if (!ASSERT_TRUE(fd >= 0))
		return;
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "never read"), 0))
		return;
	prog_free(prog);
	if (!ASSERT_EQ(harness_file_poll(fd), READABLE | EPOLLHUP))
		return;
	if (!ASSERT_EQ(harness_kmalloc_live() - live, 2))
		return;
	harness_file_close(fd);
	if (!ASSERT_EQ(harness_kmalloc_live() - live, 0))
		return;
}

/* test_stream_fd_edge: output into a drained stream wakes again */
TEST(stream_fd_wakes_again_after_a_drain)
{
	struct bpf_prog *prog = prog_new();
	unsigned long wakeups;
	char buf[8];
	int fd;

	fd = bpf_prog_stream_new_fd(prog, BPF_STDOUT, NB);
	if (!ASSERT_TRUE(fd >= 0))
		goto out;
	wakeups = harness_file_wakeups(fd);
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "foo"), 0))
		goto out;
	if (!ASSERT_TRUE(harness_file_wakeups(fd) > wakeups))
		goto out;
	if (!ASSERT_EQ(harness_file_read(fd, buf, 2), 2))
		goto out;
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "foo"), 0))
		goto out;
	if (!ASSERT_EQ(harness_file_read(fd, buf, sizeof(buf)), 4))
		goto out;
	if (!ASSERT_MEM(buf, "ofoo", 4))
		goto out;
	if (!ASSERT_EQ(harness_file_read(fd, buf, sizeof(buf)), -EAGAIN))
		goto out;
	wakeups = harness_file_wakeups(fd);
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "foo"), 0))
		goto out;
	if (!ASSERT_TRUE(harness_file_wakeups(fd) > wakeups))
		goto out;
	if (!ASSERT_EQ(harness_file_poll(fd), READABLE))
		goto out;
out:
	harness_file_close(fd);
	prog_free(prog);
}

TEST(stream_fd_files_of_one_stream_share_state_and_close_in_any_order)
{
	struct bpf_prog *prog = prog_new();
	long live = harness_kmalloc_live();
	char buf[8];
	int a, b;

	a = bpf_prog_stream_new_fd(prog, BPF_STDOUT, NB);
	b = bpf_prog_stream_new_fd(prog, BPF_STDOUT, 0);
	if (!ASSERT_TRUE(a >= 0 && b >= 0 && a != b))
		return;
	if (!ASSERT_EQ(harness_kmalloc_live() - live, 1))
		return;
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "x"), 0))
		return;
	if (!ASSERT_EQ(harness_file_poll(a), READABLE))
		return;
	if (!ASSERT_EQ(harness_file_poll(b), READABLE))
		return;
	if (!ASSERT_EQ(harness_file_read(b, buf, sizeof(buf)), 1))
		return;
	if (!ASSERT_EQ(harness_file_poll(a), 0))
		return;
	harness_file_close(a);
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "y"), 0))
		return;
	if (!ASSERT_EQ(harness_file_poll(b), READABLE))
		return;
	harness_file_close(b);
	/* no file left: writes still work and wake nobody */
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "z"), 0))
		return;
	if (!ASSERT_EQ(drain(prog, BPF_STDOUT, buf, sizeof(buf), 8), 2))
		return;
	prog_free(prog);
	if (!ASSERT_EQ(harness_kmalloc_live() - live, 0))
		return;
}

TEST(stream_fd_wakes_on_a_committed_stage)
{
	struct bpf_prog *prog = prog_new();
	struct bpf_stream_stage ss;
	unsigned long wakeups;
	char buf[64];
	int fd;

	fd = bpf_prog_stream_new_fd(prog, BPF_STDERR, NB);
	if (!ASSERT_TRUE(fd >= 0))
		goto out;
	wakeups = harness_file_wakeups(fd);
	bpf_stream_stage_init(&ss);
	if (!ASSERT_EQ(bpf_stream_printk(ss, "ERROR: %d\n", 7), 0))
		goto out;
	if (!ASSERT_EQ(harness_file_poll(fd), 0))
		goto out;
	if (!ASSERT_EQ(bpf_stream_stage_commit(&ss, prog, BPF_STDERR), 0))
		goto out;
	bpf_stream_stage_free(&ss);
	if (!ASSERT_TRUE(harness_file_wakeups(fd) > wakeups))
		goto out;
	if (!ASSERT_EQ(harness_file_poll(fd), READABLE))
		goto out;
	if (!ASSERT_EQ(harness_file_read(fd, buf, sizeof(buf)), 9))
		goto out;
	if (!ASSERT_MEM(buf, "ERROR: 7\n", 9))
		goto out;
out:
	harness_file_close(fd);
	prog_free(prog);
}

#define POLL_WRITERS	2
#define POLL_MSGS	3000

struct poll_reader {
	int fd;
	long bytes;
	long wait_calls;
	unsigned int last;
	_Atomic long *target;
};

static void *poll_read_until_hangup(void *arg)
{
	struct poll_reader *r = arg;
	char buf[4096];

	for (;;) {
		unsigned int mask = harness_file_wait(r->fd, READABLE | EPOLLHUP, 20000);
		long n;

		r->wait_calls++;
		r->last = mask;
		if (!mask || (mask & EPOLLHUP))
			return NULL;
		while ((n = harness_file_read(r->fd, buf, sizeof(buf))) > 0) {
			r->bytes += n;
			atomic_store(r->target, r->bytes);
		}
	}
}

struct poll_writer {
	struct bpf_prog *prog;
	int cpu;
};

static void *poll_write(void *arg)
{
	struct poll_writer *w = arg;
	int i;

	harness_cpu_bind(w->cpu);
	for (i = 0; i < POLL_MSGS; i++)
		while (PRINTK(w->prog, BPF_STDOUT, "cpu %d line %04d\n", w->cpu, i) == -ENOSPC)
			;
	return NULL;
}

/*
 * A reader sleeping in poll gets every byte two writers produce, wakes
 * for them, and sees the hang-up when the program is freed after it.
 */
CONCURRENT_TEST(concurrent_poll_reader_gets_everything_then_hangup)
{
	struct bpf_prog *prog = prog_new();
	struct poll_writer w[POLL_WRITERS];
	pthread_t rth, wth[POLL_WRITERS];
	_Atomic long read_bytes = 0;
	struct poll_reader r = { .target = &read_bytes };
	long total = 0;
	int i;

	r.fd = bpf_prog_stream_new_fd(prog, BPF_STDOUT, NB);
	if (!ASSERT_TRUE(r.fd >= 0))
		goto out;
	pthread_create(&rth, NULL, poll_read_until_hangup, &r);
	for (i = 0; i < POLL_WRITERS; i++) {
		w[i] = (struct poll_writer){ .prog = prog, .cpu = 1 + i };
		pthread_create(&wth[i], NULL, poll_write, &w[i]);
	}
	for (i = 0; i < POLL_WRITERS; i++)
		pthread_join(wth[i], NULL);
	for (i = 0; i < POLL_WRITERS; i++)
		total += POLL_MSGS * (long)snprintf(NULL, 0, "cpu %d line %04d\n", 1 + i, 0);
	while (atomic_load(&read_bytes) < total)
		;
	prog_free(prog);
	pthread_join(rth, NULL);
	if (!ASSERT_EQ(r.bytes, total))
		goto out;
	if (!ASSERT_EQ(r.last, EPOLLHUP))
		goto out;
	if (!ASSERT_TRUE(r.wait_calls >= 2))
		goto out;
out:
	harness_file_close(r.fd);
}
struct blocking_reader {
	int fd;
	long bytes;
	long last;
};

static void *blocking_read_until_eof(void *arg)
{
	struct blocking_reader *r = arg;
	char buf[4096];

	while ((r->last = harness_file_read(r->fd, buf, sizeof(buf))) > 0)
		r->bytes += r->last;
	return NULL;
}

/*
 * A reader blocked in read(2) gets every byte two writers produce and end
 * of file once the program is freed; no wake-up is lost in between.
 */
CONCURRENT_TEST(concurrent_blocking_reader_gets_everything_then_end_of_file)
{
	struct bpf_prog *prog = prog_new();
	struct poll_writer w[POLL_WRITERS];
	pthread_t rth, wth[POLL_WRITERS];
	struct blocking_reader r = { 0 };
	long total = 0;
	int i;

	r.fd = bpf_prog_stream_new_fd(prog, BPF_STDOUT, 0);
	if (!ASSERT_TRUE(r.fd >= 0))
		goto out;
	pthread_create(&rth, NULL, blocking_read_until_eof, &r);
	for (i = 0; i < POLL_WRITERS; i++) {
		w[i] = (struct poll_writer){ .prog = prog, .cpu = 1 + i };
		pthread_create(&wth[i], NULL, poll_write, &w[i]);
	}
	for (i = 0; i < POLL_WRITERS; i++)
		pthread_join(wth[i], NULL);
	for (i = 0; i < POLL_WRITERS; i++)
		total += POLL_MSGS * (long)snprintf(NULL, 0, "cpu %d line %04d\n", 1 + i, 0);
	prog_free(prog);
	pthread_join(rth, NULL);
	if (!ASSERT_EQ(r.bytes, total))
		goto out;
	if (!ASSERT_EQ(r.last, 0))
		goto out;
out:
	harness_file_close(r.fd);
}
#else
#define NO_POLL "no stream files (bpf_prog_stream_new_fd()) in this stream code"
SKIP_TEST(stream_fd_open_refuses_bad_stream_ids_and_flags, 0, NO_POLL)
SKIP_TEST(stream_fd_nonblock_reports_queued_data_and_read_drains_it, 0, NO_POLL)
SKIP_TEST(stream_fd_empty_write_raises_no_readiness, 0, NO_POLL)
SKIP_TEST(stream_fd_blocking_read_waits_for_data_then_for_the_end, 0, NO_POLL)
SKIP_TEST(stream_fd_hangup_keeps_unread_data_then_end_of_file, 0, NO_POLL)
SKIP_TEST(stream_fd_unread_data_of_a_dead_program_is_freed_with_the_file, 0, NO_POLL)
SKIP_TEST(stream_fd_wakes_again_after_a_drain, 0, NO_POLL)
SKIP_TEST(stream_fd_files_of_one_stream_share_state_and_close_in_any_order, 0, NO_POLL)
SKIP_TEST(stream_fd_wakes_on_a_committed_stage, 0, NO_POLL)
SKIP_TEST(concurrent_poll_reader_gets_everything_then_hangup, 1, NO_POLL)
SKIP_TEST(concurrent_blocking_reader_gets_everything_then_end_of_file, 1, NO_POLL)
#endif
