// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Binary ring records formatted in user space (ring transport v2), against
 * the real kernel:
 *  - property: random values (0, +-1, min/max of each width, random bits),
 *    strings (empty to over the kernel's 512-byte budget) and every
 *    supported width and flag go through bpf_stream_printk() -> binary
 *    record -> libbpf-stream's formatter -> bpf_stream_drain(), and through
 *    the kernel's bpf_snprintf() in the same program run: the texts must be
 *    byte-identical, and the call must fail exactly when the kernel's does;
 *  - empty messages interleaved with others are delivered as nothing, and
 *    never stop a drain;
 *  - native and ring deliver the same text for the same call (skipped where
 *    native writes do not land: the reason is printed).
 * The seed is printed; RF_SEED=N replays one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <criterion/criterion.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "libbpf_stream.h"
#include "progs/rf_cases.h"
#include "rf_prop.skel.h"

#define RF_ROUNDS 40

struct got {
	char text[4 * RF_TEXT_MAX];
	size_t len;
	int lines;
};

static int collect(void *ctx, const struct bpf_stream_msg *msg)
{
	struct got *g = ctx;

	if (msg->flags & BPF_STREAM_MSG_F_DROP_NOTICE)
		return 0;
	if (g->len + msg->len + 1 < sizeof(g->text)) {
		memcpy(g->text + g->len, msg->text, msg->len);
		g->len += msg->len;
		g->text[g->len++] = '\n';
	}
	g->lines++;
	return 0;
}

static __u64 rnd64(void)
{
	return ((__u64)rand() << 62) ^ ((__u64)rand() << 31) ^ (__u64)rand();
}

static __u64 pick_value(void)
{
	static const __u64 edges[] = {
		0, 1, (__u64)-1, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
		(__u64)-0x80000000LL, 0x7fffffffffffffffULL, 0x8000000000000000ULL, 42,
		(__u64)-42, 'A', 255, 256, 99999, 1000000007,
	};

	switch (rand() % 4) {
	case 0:
		return rnd64();
	case 1:
		return rnd64() & 0xffff;
	default:
		return edges[rand() % (sizeof(edges) / sizeof(edges[0]))];
	}
}

/* A %c value: any byte but '\n' (it would split the line). */
static __u64 pick_char(void)
{
	__u64 c;

	do
		c = rand() & 0xff;
	while (c == '\n');
	return c | (rnd64() & ~0xffULL);	/* the kernel keeps the low byte */
}

static void fill_str(char *s, bool long_ones)
{
	size_t n = long_ones ? 150 + rand() % 370 : rand() % 40, i;

	if (n >= RF_STR_MAX)
		n = RF_STR_MAX - 1;
	for (i = 0; i < n; i++) {
		char c;

		do
			c = 1 + rand() % 255;
		while (c == '\n');
		s[i] = c;
	}
	s[i] = 0;
}

/* Which arguments of each case are strings, and which are %c. */
static const char *const case_fmt[RF_NR_CASES] = {
#define RF_FMT(n, fmt, a, b, c) [n] = fmt,
	RF_CASES(RF_FMT)
#undef RF_FMT
};

static void conv_kinds(const char *fmt, char kinds[3])
{
	int n = 0;

	for (const char *p = fmt; *p && n < 3; p++) {
		if (*p != '%')
			continue;
		if (p[1] == '%') {
			p++;
			continue;
		}
		p++;
		while (*p && !strchr("dicsuxX", *p))
			p++;
		kinds[n++] = *p == 'l' ? 'd' : *p;
	}
}

static struct rf_prop *open_ring(void)
{
	LIBBPF_OPTS(bpf_stream_prepare_opts, popts, .transport = BPF_STREAM_TRANSPORT_RINGBUF);
	struct rf_prop *skel = rf_prop__open();

	cr_assert_not_null(skel, "open: %s", strerror(errno));
	cr_assert_eq(bpf_stream_prepare_opts(skel->obj, &popts), 0, "prepare: %s", strerror(errno));
	cr_assert_eq(rf_prop__load(skel), 0, "load: %s", strerror(errno));
	return skel;
}

static void run(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);

	cr_assert_eq(bpf_prog_test_run_opts(bpf_program__fd(prog), &topts), 0, "test run: %s",
		     strerror(errno));
}

/* What the kernel's text becomes once delivered: NUL bytes dropped (the
 * framer drops them on every transport), the line without its '\n', cut at
 * the transport's limit (1023 bytes, the room of rf_expect less the NUL). */
static size_t expected_text(const char *k, long n, char *out)
{
	size_t len = n - 1 < RF_TEXT_MAX - 1 ? (size_t)n - 1 : RF_TEXT_MAX - 1, i, o = 0;

	for (i = 0; i < len; i++)
		if (k[i])
			out[o++] = k[i];
	if (o && out[o - 1] == '\n')
		o--;
	out[o++] = '\n';
	return o;
}

Test(ringfmt, binary_records_match_bpf_snprintf, .timeout = 120)
{
	struct rf_prop *skel = open_ring();
	int fd = bpf_program__fd(skel->progs.rf_prop);
	unsigned int seed = getenv("RF_SEED") ? (unsigned int)atoi(getenv("RF_SEED")) : (unsigned int)time(NULL);
	static char want[4 * RF_TEXT_MAX];
	int round, c, checked = 0, refused = 0;

	fprintf(stderr, "ringfmt: seed %u (RF_SEED=%u replays it)\n", seed, seed);
	srand(seed);
	for (round = 0; round < RF_ROUNDS; round++) {
		for (c = 0; c < RF_NR_CASES; c++) {
			char kinds[3] = { 'd', 'd', 'd' };
			struct got g = {};
			size_t wlen;
			int i, n;

			conv_kinds(case_fmt[c], kinds);
			skel->bss->rf_case = c;
			for (i = 0; i < 3; i++) {
				skel->bss->rf_args[i] = kinds[i] == 'c' ? pick_char() : pick_value();
				fill_str(skel->bss->rf_strs[i], c == 14 && (round & 1));
			}
			skel->bss->rf_ret = 1;
			run(skel->progs.rf_prop);
			n = bpf_stream_drain(fd, BPF_STDOUT, collect, &g);
			cr_assert_geq(n, 0, "drain: %d", n);
			if (skel->bss->rf_expect_n < 0) {
				/* the kernel refused these values (string budget):
				 * so did the transport, and nothing arrived */
				cr_assert_lt(skel->bss->rf_ret, 0, "case %d: kernel %ld, transport %d",
					     c, skel->bss->rf_expect_n, skel->bss->rf_ret);
				cr_assert_eq(g.lines, 0);
				refused++;
				continue;
			}
			cr_assert_eq(skel->bss->rf_ret, 0, "case %d (%s): transport returned %d", c,
				     case_fmt[c], skel->bss->rf_ret);
			wlen = expected_text(skel->bss->rf_expect, skel->bss->rf_expect_n, want);
			cr_assert(g.len == wlen && !memcmp(g.text, want, wlen),
				  "case %d \"%s\" args %#llx %#llx %#llx (seed %u):\n"
				  "kernel: [%.*s]\nring:   [%.*s]",
				  c, case_fmt[c], (unsigned long long)skel->bss->rf_args[0],
				  (unsigned long long)skel->bss->rf_args[1],
				  (unsigned long long)skel->bss->rf_args[2], seed, (int)wlen, want,
				  (int)g.len, g.text);
			checked++;
		}
	}
	fprintf(stderr, "ringfmt: %d messages byte-identical to bpf_snprintf, %d refused by both\n",
		checked, refused);
	cr_assert_gt(checked, RF_ROUNDS * (RF_NR_CASES - 1));
	bpf_stream_release(skel->obj);
	rf_prop__destroy(skel);
}

/* A string budget the kernel refuses: a first string of 511 bytes leaves
 * nothing for the second one (bpf_bprintf_prepare: -ENOSPC); the transport
 * must refuse it too and count it as dropped. */
Test(ringfmt, string_budget_is_the_kernels)
{
	struct rf_prop *skel = open_ring();
	__u64 dropped = 0;
	struct got g = {};

	skel->bss->rf_case = 14;
	memset(skel->bss->rf_strs[0], 'a', 511);
	skel->bss->rf_strs[0][511] = 0;
	strcpy(skel->bss->rf_strs[1], "b");
	strcpy(skel->bss->rf_strs[2], "c");
	run(skel->progs.rf_prop);
	cr_expect_lt(skel->bss->rf_expect_n, 0, "kernel: %ld", skel->bss->rf_expect_n);
	cr_expect_eq(skel->bss->rf_ret, (int)skel->bss->rf_expect_n, "transport %d, kernel %ld",
		     skel->bss->rf_ret, skel->bss->rf_expect_n);
	cr_assert_eq(bpf_stream_object_dropped(skel->obj, BPF_STDOUT, &dropped), 0);
	cr_expect_eq(dropped, 1);
	/* 300 + 1 + 300 bytes: the last string is cut to the 210 bytes left,
	 * its NUL included (and a conversion after a cut one would not fit:
	 * the kernel refuses that message, as above) */
	memset(skel->bss->rf_strs[0], 'a', 300);
	skel->bss->rf_strs[0][300] = 0;
	skel->bss->rf_strs[1][0] = 0;
	memset(skel->bss->rf_strs[2], 'c', 300);
	skel->bss->rf_strs[2][300] = 0;
	run(skel->progs.rf_prop);
	cr_assert_eq(skel->bss->rf_ret, 0);
	cr_assert_eq(skel->bss->rf_expect_n, 300 + 209 + 2, "kernel: %ld", skel->bss->rf_expect_n);
	/* the line, and the notice of the message dropped above */
	cr_assert_eq(bpf_stream_drain(bpf_program__fd(skel->progs.rf_prop), BPF_STDOUT, collect,
				      &g), 2);
	cr_assert_eq(g.lines, 1);
	cr_expect_eq(g.len, 300 + 209 + 1, "300 a, 209 c and the newline? got %zu", g.len);
	cr_expect_eq(memcmp(g.text, skel->bss->rf_expect, g.len), 0);
	bpf_stream_release(skel->obj);
	rf_prop__destroy(skel);
}

/* Issue 13 item 3: empty messages (a format that expands to nothing) are
 * written (return 0, not dropped), delivered as nothing, and the lines
 * around them arrive in one drain, in order. */
Test(ringfmt, empty_messages_do_not_stop_a_drain)
{
	struct rf_prop *skel = open_ring();
	struct got g = {};
	__u64 dropped = 1;
	int i, n;

	run(skel->progs.rf_empty);
	for (i = 0; i < 7; i++)
		cr_assert_eq(skel->bss->rf_empty_rets[i], 0, "message %d: %d", i,
			     skel->bss->rf_empty_rets[i]);
	n = bpf_stream_drain(bpf_program__fd(skel->progs.rf_empty), BPF_STDOUT, collect, &g);
	cr_assert_eq(n, 3, "lines in one drain: %d", n);
	cr_assert_eq(g.len, strlen("one\ntwo\nthree\n"));
	cr_assert_eq(memcmp(g.text, "one\ntwo\nthree\n", g.len), 0, "%.*s", (int)g.len, g.text);
	cr_assert_eq(bpf_stream_object_dropped(skel->obj, BPF_STDOUT, &dropped), 0);
	cr_assert_eq(dropped, 0);
	/* and again: nothing is left behind for a later drain */
	memset(&g, 0, sizeof(g));
	cr_assert_eq(bpf_stream_drain(bpf_program__fd(skel->progs.rf_empty), BPF_STDOUT, collect,
				      &g), 0);
	bpf_stream_release(skel->obj);
	rf_prop__destroy(skel);
}

/* Native and ring transports deliver the same text for the same calls
 * (within the message limit). */
Test(ringfmt, native_and_ring_same_text)
{
	LIBBPF_OPTS(bpf_stream_prepare_opts, nopts, .transport = BPF_STREAM_TRANSPORT_NATIVE);
	struct rf_prop *ring = open_ring(), *nat = rf_prop__open();
	struct got gr = {}, gn = {};
	int c, err;

	cr_assert_not_null(nat);
	err = bpf_stream_prepare_opts(nat->obj, &nopts);
	if (err) {
		bpf_stream_release(ring->obj);
		rf_prop__destroy(ring);
		rf_prop__destroy(nat);
		cr_skip_test("native streams cannot carry writes on this kernel (prepare: %s)",
			     strerror(-err));
	}
	cr_assert_eq(rf_prop__load(nat), 0);
	srand(7);
	for (c = 0; c < RF_NR_CASES; c++) {
		int i;

		if (c == RF_CASE_OVER_LIMIT)
			continue;	/* framed differently by design (rf_cases.h) */
		ring->bss->rf_case = nat->bss->rf_case = c;
		for (i = 0; i < 3; i++) {
			ring->bss->rf_args[i] = nat->bss->rf_args[i] = pick_value() & 0x7f7f7f7f7f;
			fill_str(ring->bss->rf_strs[i], false);
			strcpy(nat->bss->rf_strs[i], ring->bss->rf_strs[i]);
		}
		run(ring->progs.rf_prop);
		run(nat->progs.rf_prop);
	}
	run(ring->progs.rf_empty);
	run(nat->progs.rf_empty);
	cr_assert_geq(bpf_stream_drain(bpf_program__fd(ring->progs.rf_prop), BPF_STDOUT, collect,
				       &gr), 0);
	cr_assert_geq(bpf_stream_drain(bpf_program__fd(nat->progs.rf_prop), BPF_STDOUT, collect,
				       &gn), 0);
	cr_assert_geq(bpf_stream_drain(bpf_program__fd(ring->progs.rf_empty), BPF_STDOUT, collect,
				       &gr), 0);
	cr_assert_geq(bpf_stream_drain(bpf_program__fd(nat->progs.rf_empty), BPF_STDOUT, collect,
				       &gn), 0);
	cr_assert(gr.len == gn.len && !memcmp(gr.text, gn.text, gr.len),
		  "ring:\n%.*s\nnative:\n%.*s", (int)gr.len, gr.text, (int)gn.len, gn.text);
	bpf_stream_release(ring->obj);
	bpf_stream_release(nat->obj);
	rf_prop__destroy(ring);
	rf_prop__destroy(nat);
}
