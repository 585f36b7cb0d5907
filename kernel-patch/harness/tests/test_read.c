// SPDX-License-Identifier: GPL-2.0
/* Read side: order, partial reads, the kernel selftests' expectations. */
#include <errno.h>
#include <stdlib.h>
#include "test.h"

#define BIG	(512 * 1024)

/* Write a message of random length; append the expected bytes to @exp. */
static int write_random(struct bpf_prog *prog, u64 *seed, u32 cycle, u32 seq,
			char *exp, size_t *exp_len)
{
	static const char pad[] = "abcdefghijklmnopqrstuvwxyz0123456789"
				  "ABCDEFGHIJKLMNOPQRSTUVWXYZ-_=+*/abcdefghij";
	const char *tail = pad + rnd(seed) % (sizeof(pad) - 1);
	int ret;

	ret = PRINTK(prog, BPF_STDOUT, "%u:%u %s\n", cycle, seq, PTR(tail));
	if (!ret)
		*exp_len += sprintf(exp + *exp_len, "%u:%u %s\n", cycle, seq, tail);
	return ret;
}

TEST(fifo_order_across_fill_drain_cycles)
{
	struct bpf_prog *prog = prog_new();
	char *exp = malloc(BIG), *got = malloc(BIG);
	u64 seed = 42;
	u32 cycle;

	for (cycle = 0; cycle < 300 && !test_failed; cycle++) {
		u32 n = 1 + rnd(&seed) % 400, seq;
		size_t exp_len = 0;
		long got_len;

		for (seq = 0; seq < n; seq++)
			if (write_random(prog, &seed, cycle, seq, exp, &exp_len))
				break;
		if (seq != n) {
			test_fail(__FILE__, __LINE__, "write %u of cycle %u failed", seq, cycle);
			break;
		}
		got_len = drain(prog, BPF_STDOUT, got, BIG, 1 + rnd(&seed) % 5000);
		if (got_len != (long)exp_len) {
			test_fail(__FILE__, __LINE__, "cycle %u: got %ld bytes, expected %zu",
				  cycle, got_len, exp_len);
			break;
		}
		if (memcmp(got, exp, exp_len)) {
			test_fail(__FILE__, __LINE__, "cycle %u: bytes differ", cycle);
			break;
		}
		if (stream_queued(prog, BPF_STDOUT)) {
			test_fail(__FILE__, __LINE__, "cycle %u: %d bytes still charged",
				  cycle, stream_queued(prog, BPF_STDOUT));
			break;
		}
	}
	free(exp);
	free(got);
	prog_free(prog);
}

/* Fill to -ENOSPC, drain with random read sizes, twice: exact bytes back. */
TEST(fifo_order_when_filled_to_capacity_and_drained)
{
	struct bpf_prog *prog = prog_new();
	char *exp = malloc(BPF_STREAM_MAX_CAPACITY), *got = malloc(BPF_STREAM_MAX_CAPACITY);
	u64 seed = 99;
	int cycle;

	for (cycle = 0; cycle < 2 && !test_failed; cycle++) {
		size_t exp_len = 0, got_len = 0;
		u32 seq = 0;
		int ret, n;

		while (!(ret = write_random(prog, &seed, cycle, seq, exp, &exp_len)))
			seq++;
		if (!ASSERT_EQ(ret, -ENOSPC))
			goto out;
		if (!ASSERT_EQ(stream_queued(prog, BPF_STDOUT), exp_len))
			goto out;
		while ((n = bpf_prog_stream_read(prog, BPF_STDOUT, got + got_len,
						 1 + rnd(&seed) % 100000)) > 0)
			got_len += n;
		if (!ASSERT_EQ(n, 0))
			goto out;
		if (!ASSERT_EQ(got_len, exp_len))
			goto out;
		if (!ASSERT_MEM(got, exp, exp_len))
			goto out;
	}
out:
	free(exp);
	free(got);
	prog_free(prog);
}

TEST(partial_reads_of_1_to_N_bytes_reassemble_exactly)
{
	char *exp = malloc(BIG), *got = malloc(BIG);
	u64 seed = 7;
	u32 chunk;

	for (chunk = 1; chunk <= 97 && !test_failed; chunk++) {
		struct bpf_prog *prog = prog_new();
		size_t exp_len = 0;
		long got_len;
		u32 seq;

		for (seq = 0; seq < 60; seq++)
			write_random(prog, &seed, chunk, seq, exp, &exp_len);
		got_len = drain(prog, BPF_STDOUT, got, BIG, chunk);
		prog_free(prog);
		if (got_len != (long)exp_len || memcmp(got, exp, exp_len)) {
			test_fail(__FILE__, __LINE__,
				  "chunk %u: got %ld bytes, expected %zu (or content differs)",
				  chunk, got_len, exp_len);
		}
	}
	free(exp);
	free(got);
}

/* prog_tests/stream.c: "foo", then reads of 2 bytes give 2, 1, 0. */
TEST(selftest_read_sequence_2_1_0_after_foo)
{
	struct bpf_prog *prog = prog_new();
	char buf[8] = { 0 };

	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "foo"), 0))
		goto out;
	if (!ASSERT_EQ(bpf_prog_stream_read(prog, BPF_STDOUT, buf, 2), 2))
		goto out;
	if (!ASSERT_MEM(buf, "fo", 2))
		goto out;
	if (!ASSERT_EQ(bpf_prog_stream_read(prog, BPF_STDOUT, buf, 2), 1))
		goto out;
	if (!ASSERT_MEM(buf, "o", 1))
		goto out;
	if (!ASSERT_EQ(bpf_prog_stream_read(prog, BPF_STDOUT, buf, 2), 0))
		goto out;
	if (!ASSERT_EQ(bpf_prog_stream_read(prog, BPF_STDERR, buf, 2), 0))
		goto out;
	if (!ASSERT_EQ(stream_queued(prog, BPF_STDOUT), 0))
		goto out;
out:
	prog_free(prog);
}

TEST(selftest_stream_ids_0_and_3_are_enoent)
{
	struct bpf_prog *prog = prog_new();
	char buf[8];

	if (!ASSERT_EQ(bpf_prog_stream_read(prog, 0, buf, sizeof(buf)), -ENOENT))
		goto out;
	if (!ASSERT_EQ(bpf_prog_stream_read(prog, 3, buf, sizeof(buf)), -ENOENT))
		goto out;
	if (!ASSERT_EQ(PRINTK(prog, 0, "x"), -ENOENT))
		goto out;
	if (!ASSERT_EQ(PRINTK(prog, 3, "x"), -ENOENT))
		goto out;
	if (!ASSERT_EQ(PRINTK(prog, -1, "x"), -ENOENT))
		goto out;
out:
	prog_free(prog);
}

/* A NULL buffer faults; the data stays for the next read. */
TEST(selftest_efault_on_bad_buffer_keeps_unread_data)
{
	struct bpf_prog *prog = prog_new();
	char buf[16];

	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "foo"), 0))
		goto out;
	if (!ASSERT_EQ(bpf_prog_stream_read(prog, BPF_STDOUT, NULL, 16), -EFAULT))
		goto out;
	if (!ASSERT_EQ(stream_queued(prog, BPF_STDOUT), 3))
		goto out;
	if (!ASSERT_EQ(bpf_prog_stream_read(prog, BPF_STDOUT, buf, sizeof(buf)), 3))
		goto out;
	if (!ASSERT_MEM(buf, "foo", 3))
		goto out;
	/* an empty stream never touches the buffer */
	if (!ASSERT_EQ(bpf_prog_stream_read(prog, BPF_STDOUT, NULL, 16), 0))
		goto out;
out:
	prog_free(prog);
}

/*
 * A fault part-way: the bytes before it are returned as a short read, the
 * rest (even of the same message) comes with the next read.
 */
TEST(efault_mid_buffer_returns_short_read_then_rest)
{
	struct bpf_prog *prog = prog_new();
	char buf[64];

	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "hello "), 0))
		goto out;
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "world\n"), 0))
		goto out;
	harness_uaccess_fault_from(buf + 8);
	if (!ASSERT_EQ(bpf_prog_stream_read(prog, BPF_STDOUT, buf, sizeof(buf)), 8))
		goto out;
	if (!ASSERT_MEM(buf, "hello wo", 8))
		goto out;
	/* nothing copyable at all: -EFAULT, nothing consumed */
	if (!ASSERT_EQ(bpf_prog_stream_read(prog, BPF_STDOUT, buf + 8, 10), -EFAULT))
		goto out;
	/* a message stays charged until it is read in full */
	if (!ASSERT_EQ(stream_queued(prog, BPF_STDOUT), 6))
		goto out;
	harness_uaccess_fault_from(NULL);
	if (!ASSERT_EQ(bpf_prog_stream_read(prog, BPF_STDOUT, buf, sizeof(buf)), 4))
		goto out;
	if (!ASSERT_MEM(buf, "rld\n", 4))
		goto out;
	if (!ASSERT_EQ(stream_queued(prog, BPF_STDOUT), 0))
		goto out;
out:
	prog_free(prog);
}

/* 6.18 turned a u32 length above INT_MAX into a negative int. */
/* As upstream (selftest "large stream buf"): -EINVAL, nothing consumed. */
TEST(read_length_above_int_max_is_einval)
{
	struct bpf_prog *prog = prog_new();
	char buf[16];

	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "foo"), 0))
		goto out;
	if (!ASSERT_EQ(bpf_prog_stream_read(prog, BPF_STDOUT, buf, 0x80000000u), -EINVAL))
		goto out;
	if (!ASSERT_EQ(bpf_prog_stream_read(prog, BPF_STDOUT, buf, 0xffffffffu), -EINVAL))
		goto out;
	if (!ASSERT_EQ(bpf_prog_stream_read(prog, BPF_STDOUT, buf, 0x7fffffffu), 3))
		goto out;
	if (!ASSERT_MEM(buf, "foo", 3))
		goto out;
	if (!ASSERT_EQ(bpf_prog_stream_read(prog, BPF_STDOUT, buf, 0), 0))
		goto out;
out:
	prog_free(prog);
}

TEST(streams_of_one_program_are_independent)
{
	struct bpf_prog *prog = prog_new();
	char buf[16];

	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "out"), 0))
		goto out;
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDERR, "err!"), 0))
		goto out;
	if (!ASSERT_EQ(bpf_prog_stream_read(prog, BPF_STDERR, buf, sizeof(buf)), 4))
		goto out;
	if (!ASSERT_MEM(buf, "err!", 4))
		goto out;
	if (!ASSERT_EQ(bpf_prog_stream_read(prog, BPF_STDOUT, buf, sizeof(buf)), 3))
		goto out;
	if (!ASSERT_MEM(buf, "out", 3))
		goto out;
out:
	prog_free(prog);
}
