// SPDX-License-Identifier: GPL-2.0
/*
 * The pollable stream: a file from bpf_prog_stream_get_fd() (the
 * BPF_PROG_STREAM_GET_FD command) is readable when data is queued, reads
 * like BPF_PROG_STREAM_READ_BY_FD, and hangs up once the program is gone.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include "test.h"

#ifdef HAVE_STREAM_POLL
#include <linux/poll.h>

#define READABLE	(EPOLLIN | EPOLLRDNORM)

TEST(poll_reports_queued_data_and_read_drains_it)
{
	struct bpf_prog *prog = prog_new();
	unsigned long wakeups;
	char buf[32];
	int fd;

	fd = bpf_prog_stream_get_fd(prog, BPF_STDOUT, 0);
	ASSERT_TRUE(fd >= HARNESS_FD_BASE);
	ASSERT_EQ(harness_file_poll(fd), 0);
	ASSERT_EQ(harness_file_read(fd, buf, sizeof(buf)), -EAGAIN);
	wakeups = harness_file_wakeups(fd);
	ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "hello %d\n", 1), 0);
	ASSERT_TRUE(harness_file_wakeups(fd) > wakeups);
	ASSERT_EQ(harness_file_poll(fd), READABLE);
	/* the other stream neither wakes nor readies this file */
	wakeups = harness_file_wakeups(fd);
	ASSERT_EQ(PRINTK(prog, BPF_STDERR, "elsewhere"), 0);
	ASSERT_EQ(harness_file_wakeups(fd), wakeups);
	ASSERT_EQ(harness_file_read(fd, buf, 3), 3);
	ASSERT_EQ(harness_file_poll(fd), READABLE);
	ASSERT_EQ(harness_file_read(fd, buf + 3, sizeof(buf) - 3), 5);
	ASSERT_MEM(buf, "hello 1\n", 8);
	ASSERT_EQ(harness_file_poll(fd), 0);
	ASSERT_EQ(harness_file_read(fd, buf, sizeof(buf)), -EAGAIN);
	ASSERT_EQ(harness_file_read(fd, buf, 0), 0);
	/* the read command and the file drain the same stream */
	ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "again"), 0);
	ASSERT_EQ(bpf_prog_stream_read(prog, BPF_STDOUT, buf, sizeof(buf)), 5);
	ASSERT_EQ(harness_file_poll(fd), 0);
	harness_file_close(fd);
	ASSERT_EQ(drain(prog, BPF_STDERR, buf, sizeof(buf), 32), 9);
	prog_free(prog);
}

TEST(poll_hangs_up_once_the_program_is_gone)
{
	struct bpf_prog *prog = prog_new();
	unsigned long wakeups;
	char buf[32];
	long live;
	int fd;

	live = harness_kmalloc_live();
	fd = bpf_prog_stream_get_fd(prog, BPF_STDERR, 0);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(PRINTK(prog, BPF_STDERR, "never read"), 0);
	wakeups = harness_file_wakeups(fd);
	prog_free(prog);
	ASSERT_TRUE(harness_file_wakeups(fd) > wakeups);
	ASSERT_EQ(harness_file_poll(fd), EPOLLHUP);
	/* end of file; the unread text went with the program */
	ASSERT_EQ(harness_file_read(fd, buf, sizeof(buf)), 0);
	/* only the shared poll state is left, and the file frees it */
	ASSERT_EQ(harness_kmalloc_live() - live, 1);
	harness_file_close(fd);
	ASSERT_EQ(harness_kmalloc_live() - live, 0);
}

TEST(poll_files_of_one_stream_share_state_and_close_in_any_order)
{
	struct bpf_prog *prog = prog_new();
	long live = harness_kmalloc_live();
	char buf[8];
	int a, b;

	a = bpf_prog_stream_get_fd(prog, BPF_STDOUT, 0);
	b = bpf_prog_stream_get_fd(prog, BPF_STDOUT, 0);
	ASSERT_TRUE(a >= 0 && b >= 0 && a != b);
	ASSERT_EQ(harness_kmalloc_live() - live, 1);
	ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "x"), 0);
	ASSERT_EQ(harness_file_poll(a), READABLE);
	ASSERT_EQ(harness_file_poll(b), READABLE);
	ASSERT_EQ(harness_file_read(b, buf, sizeof(buf)), 1);
	ASSERT_EQ(harness_file_poll(a), 0);
	harness_file_close(a);
	ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "y"), 0);
	ASSERT_EQ(harness_file_poll(b), READABLE);
	harness_file_close(b);
	/* no file left: writes still work and wake nobody */
	ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "z"), 0);
	ASSERT_EQ(drain(prog, BPF_STDOUT, buf, sizeof(buf), 8), 2);
	prog_free(prog);
	ASSERT_EQ(harness_kmalloc_live() - live, 0);
}

TEST(poll_fd_bad_arguments_and_allocation_failure)
{
	struct bpf_prog *prog = prog_new();

	ASSERT_EQ(bpf_prog_stream_get_fd(prog, 0, 0), -ENOENT);
	ASSERT_EQ(bpf_prog_stream_get_fd(prog, 3, 0), -ENOENT);
	ASSERT_EQ(bpf_prog_stream_get_fd(prog, BPF_STDOUT, 1), -EINVAL);
	ASSERT_EQ(bpf_prog_stream_get_fd(prog, BPF_STDOUT, 0x80000000u), -EINVAL);
	harness_kmalloc_fail_after(0);
	ASSERT_EQ(bpf_prog_stream_get_fd(prog, BPF_STDOUT, 0), -ENOMEM);
	harness_kmalloc_fail_after(-1);
	ASSERT_EQ(harness_files_open(), 0);
	prog_free(prog);
}

TEST(poll_wakes_on_a_committed_stage)
{
	struct bpf_prog *prog = prog_new();
	struct bpf_stream_stage ss;
	unsigned long wakeups;
	char buf[64];
	int fd;

	fd = bpf_prog_stream_get_fd(prog, BPF_STDERR, 0);
	ASSERT_TRUE(fd >= 0);
	wakeups = harness_file_wakeups(fd);
	bpf_stream_stage_init(&ss);
	ASSERT_EQ(bpf_stream_printk(ss, "ERROR: %d\n", 7), 0);
	ASSERT_EQ(harness_file_poll(fd), 0);
	ASSERT_EQ(bpf_stream_stage_commit(&ss, prog, BPF_STDERR), 0);
	bpf_stream_stage_free(&ss);
	ASSERT_TRUE(harness_file_wakeups(fd) > wakeups);
	ASSERT_EQ(harness_file_poll(fd), READABLE);
	ASSERT_EQ(harness_file_read(fd, buf, sizeof(buf)), 9);
	ASSERT_MEM(buf, "ERROR: 7\n", 9);
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

	r.fd = bpf_prog_stream_get_fd(prog, BPF_STDOUT, 0);
	ASSERT_TRUE(r.fd >= 0);
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
	ASSERT_EQ(r.bytes, total);
	ASSERT_EQ(r.last, EPOLLHUP);
	ASSERT_TRUE(r.wait_calls >= 2);
	harness_file_close(r.fd);
}
#else
#define NO_POLL "no pollable stream (BPF_PROG_STREAM_GET_FD) in this stream code"
SKIP_TEST(poll_reports_queued_data_and_read_drains_it, 0, NO_POLL)
SKIP_TEST(poll_hangs_up_once_the_program_is_gone, 0, NO_POLL)
SKIP_TEST(poll_files_of_one_stream_share_state_and_close_in_any_order, 0, NO_POLL)
SKIP_TEST(poll_fd_bad_arguments_and_allocation_failure, 0, NO_POLL)
SKIP_TEST(poll_wakes_on_a_committed_stage, 0, NO_POLL)
SKIP_TEST(concurrent_poll_reader_gets_everything_then_hangup, 1, NO_POLL)
#endif
