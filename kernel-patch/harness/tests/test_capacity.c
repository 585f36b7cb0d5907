// SPDX-License-Identifier: GPL-2.0
/* Capacity accounting, allocation failures and the kernel-report cap. */
#include <errno.h>
#include <stdlib.h>
#include "test.h"

/* 54 bytes, like the selftest's message. */
#define MSG54	"01234567890123456789012345678901234567890123456789012\n"

/*
 * A write of len bytes fails when queued + len >= capacity, so with
 * 54-byte messages the last accepted one brings the queue to the largest
 * multiple of 54 below capacity - 54 + 1 (99954 for the 6.18 capacity of
 * 100000, as its selftest expects).
 */
static long expected_full_queue(long capacity, long len)
{
	return ((capacity - len - 1) / len + 1) * len;
}

TEST(exhaustion_exactly_at_capacity_arithmetic)
{
	struct bpf_prog *prog = prog_new();
	long n = 0, queued;
	char *buf = NULL;
	int ret;

	if (!ASSERT_EQ(sizeof(MSG54) - 1, 54))
		goto out;
	if (!ASSERT_EQ(expected_full_queue(100000, 54), 99954))
		goto out;
	while (!(ret = PRINTK(prog, BPF_STDOUT, MSG54)))
		n++;
	if (!ASSERT_EQ(ret, -ENOSPC))
		goto out;
	queued = stream_queued(prog, BPF_STDOUT);
	if (!ASSERT_EQ(queued, expected_full_queue(BPF_STREAM_MAX_CAPACITY, 54)))
		goto out;
	if (!ASSERT_EQ(queued, n * 54))
		goto out;
	/* a smaller message may still fit: the rule is per length */
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "x"), 0))
		goto out;
	if (!ASSERT_EQ(stream_queued(prog, BPF_STDOUT), queued + 1))
		goto out;

	buf = malloc(BPF_STREAM_MAX_CAPACITY);
	if (!ASSERT_EQ(drain(prog, BPF_STDOUT, buf, BPF_STREAM_MAX_CAPACITY, 65536), queued + 1))
		goto out;
out:
	free(buf);
	prog_free(prog);
}

TEST(full_stream_refuses_with_enospc_and_accepts_after_drain)
{
	struct bpf_prog *prog = prog_new();
	char *buf = malloc(BPF_STREAM_MAX_CAPACITY);
	int round;

	for (round = 0; round < 3; round++) {
		long n = 0;

		while (!PRINTK(prog, BPF_STDERR, MSG54))
			n++;
		if (!ASSERT_EQ(PRINTK(prog, BPF_STDERR, MSG54), -ENOSPC))
			goto out;
		if (!ASSERT_EQ(PRINTK(prog, BPF_STDERR, MSG54), -ENOSPC))
			goto out;
		/* the other stream has its own budget */
		if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "ok"), 0))
			goto out;
		if (!ASSERT_EQ(drain(prog, BPF_STDERR, buf, BPF_STREAM_MAX_CAPACITY, 1 << 20),
			       n * 54))
			goto out;
		if (!ASSERT_EQ(stream_queued(prog, BPF_STDERR), 0))
			goto out;
		if (!ASSERT_EQ(PRINTK(prog, BPF_STDERR, MSG54), 0))
			goto out;
		if (!ASSERT_EQ(drain(prog, BPF_STDERR, buf, 64, 64), 54))
			goto out;
		if (!ASSERT_EQ(drain(prog, BPF_STDOUT, buf, 64, 64), 2))
			goto out;
	}
out:
	free(buf);
	prog_free(prog);
}

/*
 * Regression test for the leak of 6.18 to 7.2: a failed allocation kept its
 * charge, so ~capacity bytes of failed writes killed the stream for good.
 */
TEST(failed_allocations_leave_capacity_unchanged)
{
	struct bpf_prog *prog = prog_new();
	long i, writes = BPF_STREAM_MAX_CAPACITY / 53 + 1000;
	char buf[128];

	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "before\n"), 0))
		goto out;
	harness_kmalloc_fail_after(0);
	for (i = 0; i < writes; i++) {
		int ret = PRINTK(prog, BPF_STDOUT, "%s\n",
				 PTR("0123456789012345678901234567890123456789012345678901"));

		if (ret != -ENOMEM) {
			test_fail(__FILE__, __LINE__, "write %ld: got %d, expected %d",
				  i, ret, -ENOMEM);
			break;
		}
	}
	if (!ASSERT_TRUE(!test_failed))
		goto out;
	if (!ASSERT_EQ(stream_queued(prog, BPF_STDOUT), 7))
		goto out;
	harness_kmalloc_fail_after(-1);
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "after\n"), 0))
		goto out;
	if (!ASSERT_EQ(drain(prog, BPF_STDOUT, buf, sizeof(buf), 128), 13))
		goto out;
	if (!ASSERT_MEM(buf, "before\nafter\n", 13))
		goto out;
	if (!ASSERT_EQ(stream_queued(prog, BPF_STDOUT), 0))
		goto out;
out:
	prog_free(prog);
}

/*
 * Allocation failures walked through a long run: after every budget of
 * 0..5 successes, allocations fail; the queue holds exactly what succeeded.
 */
TEST(allocation_failures_at_every_budget_keep_accounting_exact)
{
	struct bpf_prog *prog = prog_new();
	char *buf = malloc(1 << 20);
	long ok_bytes = 0, fails = 0, i;
	int budget;

	for (budget = 0; budget < 6; budget++) {
		harness_kmalloc_fail_after(budget);
		for (i = 0; i < 400; i++) {
			int ret = PRINTK(prog, BPF_STDOUT, "%04ld %s\n", i,
					 PTR("some padding to fill the stream faster"));

			if (!ret)
				ok_bytes += snprintf(NULL, 0, "%04ld %s\n", i,
						     "some padding to fill the stream faster");
			else if (ret == -ENOMEM)
				fails++;
			else
				if (!ASSERT_EQ(ret, 0))
					goto out;
		}
		if (!ASSERT_EQ(stream_queued(prog, BPF_STDOUT), ok_bytes))
			goto out;
	}
	harness_kmalloc_fail_after(-1);
	if (!ASSERT_EQ(fails, 6 * 400 - (0 + 1 + 2 + 3 + 4 + 5)))
		goto out;
	if (!ASSERT_EQ(drain(prog, BPF_STDOUT, buf, 1 << 20, 4096), ok_bytes))
		goto out;
out:
	free(buf);
	prog_free(prog);
}

static struct bpf_prog *nmi_prog;
static int nmi_ret;

static void nmi_write(void *arg)
{
	(void)arg;
	nmi_ret = PRINTK(nmi_prog, BPF_STDOUT, "nested\n");
}

/*
 * A write from an NMI that lands inside this CPU's allocator may get NULL
 * from kmalloc_nolock(): it fails with -ENOMEM and gives its charge back.
 */
TEST(nested_write_inside_allocator_fails_cleanly)
{
	struct bpf_prog *prog = prog_new();
	char buf[32];

	nmi_prog = prog;
	nmi_ret = 1;
	harness_irq_hook_once(nmi_write, NULL);
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "outer\n"), 0))
		goto out;
	if (!ASSERT_EQ(nmi_ret, -ENOMEM))
		goto out;
	if (!ASSERT_EQ(stream_queued(prog, BPF_STDOUT), 6))
		goto out;
	if (!ASSERT_EQ(drain(prog, BPF_STDOUT, buf, sizeof(buf), 32), 6))
		goto out;
	if (!ASSERT_MEM(buf, "outer\n", 6))
		goto out;
out:
	prog_free(prog);
}

/*
 * 6.18 formatted (~1 us) before finding the stream full. Here a message
 * whose literal text alone cannot fit is refused before any formatting.
 */
TEST(full_stream_is_refused_before_formatting)
{
	struct bpf_prog *prog = prog_new();
	char *buf = malloc(BPF_STREAM_MAX_CAPACITY);
	unsigned long calls;
	long n = 0;

	while (!PRINTK(prog, BPF_STDOUT, MSG54))
		n++;
	calls = harness_bprintf_calls();
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, MSG54), -ENOSPC))
		goto out;
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "%d %s " MSG54, 1, PTR("x")), -ENOSPC))
		goto out;
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "%pI4 %% %llx " MSG54, PTR("abcd"), 1), -ENOSPC))
		goto out;
	if (!ASSERT_EQ(harness_bprintf_calls(), calls))
		goto out;
	/* only conversions: the bound is 1 byte, so it is formatted, then refused */
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "%s", PTR(MSG54)), -ENOSPC))
		goto out;
	if (!ASSERT_EQ(harness_bprintf_calls(), calls + 1))
		goto out;
	if (!ASSERT_EQ(drain(prog, BPF_STDOUT, buf, BPF_STREAM_MAX_CAPACITY, 1 << 20), n * 54))
		goto out;
out:
	free(buf);
	prog_free(prog);
}

/* The early check uses the literal length as truncated to one message. */
/*
 * A format whose literal text alone is longer than a message is -E2BIG, as
 * upstream answers after formatting it: here without formatting, and also
 * when the stream is full (the answer does not depend on the room).
 */
TEST(long_literal_format_is_e2big_without_formatting)
{
	struct bpf_prog *prog = prog_new();
	char *fmt = malloc(2001), *buf = malloc(BPF_STREAM_MAX_CAPACITY);
	unsigned long calls;
	long n = 0;

	memset(fmt, 'L', 2000);
	fmt[2000] = 0;
	calls = harness_bprintf_calls();
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, fmt), -E2BIG))
		goto out;
	while (!PRINTK(prog, BPF_STDOUT, MSG54))
		n++;
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, fmt), -E2BIG))
		goto out;
	/* the MSG54 writes */
	if (!ASSERT_EQ(harness_bprintf_calls() - calls, n))
		goto out;
	if (!ASSERT_EQ(drain(prog, BPF_STDOUT, buf, BPF_STREAM_MAX_CAPACITY, 1 << 20), n * 54))
		goto out;
out:
	free(fmt);
	free(buf);
	prog_free(prog);
}

#ifdef HAVE_STREAM_REPORT_CAP
TEST(error_cap_stops_kernel_reports_after_limit)
{
	struct bpf_prog *prog = prog_new();
	struct bpf_stream_stage ss;
	char *buf = malloc(1 << 20);
	long len, lines = 0, i;

	for (i = 0; i < BPF_PROG_STREAM_ERROR_CNT + 300; i++)
		bpf_stream_stage(ss, prog, BPF_STDERR, ({
			bpf_stream_printk(ss, "ERROR: report %ld\n", i);
			bpf_stream_printk(ss, "CPU: %d\n", 0);
		}));
	if (!ASSERT_EQ(atomic_read(&prog->aux->stream_error_cnt), BPF_PROG_STREAM_ERROR_CNT))
		goto out;
	if (!ASSERT_TRUE(bpf_prog_stream_error_limit(prog)))
		goto out;
	if (!ASSERT_EQ(atomic_read(&prog->aux->stream_error_cnt), BPF_PROG_STREAM_ERROR_CNT))
		goto out;
	len = drain(prog, BPF_STDERR, buf, 1 << 20, 4096);
	if (!ASSERT_TRUE(len > 0))
		goto out;
	for (i = 0; i < len; i++)
		lines += buf[i] == '\n';
	if (!ASSERT_EQ(lines, 2 * BPF_PROG_STREAM_ERROR_CNT))
		goto out;
	/* programs' own writes are not capped */
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDERR, "still here"), 0))
		goto out;
	if (!ASSERT_EQ(drain(prog, BPF_STDERR, buf, 64, 64), 10))
		goto out;
out:
	free(buf);
	prog_free(prog);
}
#else
SKIP_TEST(error_cap_stops_kernel_reports_after_limit, 0,
	  "no per-program report cap in this stream code")
#endif
