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
 *  - the classes of issue 21: widths of 2^32 and more (and with a negative
 *    32-bit value), arguments beyond the conversions (no cost in the string
 *    budget), NULs from %c next to the 1023-byte cut; a cut message has
 *    exactly one line flagged TRUNCATED, its last one.
 * The seed is fixed (make check runs the same cases every time) and
 * printed; RF_SEED=N picks another, RF_ROUNDS=N (default 40) and
 * RF_LOADS=N (default 6: objects with new random widths) run longer.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "libbpf_stream.h"
#include "progs/rf_cases.h"
#include "rf_prop.skel.h"

#define RF_SEED_DEFAULT 2121
#define RF_WIDTH_MAX 8388607	/* lib/vsprintf.c FIELD_WIDTH_MAX */

static int env_int(const char *name, int def)
{
	const char *v = getenv(name);

	return v && *v ? atoi(v) : def;
}

struct got {
	char text[4 * RF_TEXT_MAX];
	size_t len;
	int lines;
	int trunc_lines;	/* lines flagged TRUNCATED */
	int last_trunc;		/* index of the last of them */
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
	if (msg->flags & BPF_STREAM_MSG_F_TRUNCATED) {
		g->trunc_lines++;
		g->last_trunc = g->lines;
	}
	g->lines++;
	return 0;
}

/* The widths of rf_cases.h that the test sets before each load: where the
 * digits are in the format (after @at bytes of @ctx), and how many. */
static const struct {
	const char *ctx;
	int at, digits;
} wtpl[] = {
	{ "%11111111111d", 1, 11 },  { "%-22222222222u", 2, 11 }, { "%3333333333x", 1, 10 },
	{ "%4444444444s", 1, 10 },   { "%-5555555555c", 2, 10 },  { "%066666666666lld", 2, 11 },
	{ "%+7777777777i", 2, 10 },  { "%8888d", 1, 4 },	  { "%9999d", 1, 4 },
};
#define NR_WTPL (sizeof(wtpl) / sizeof(wtpl[0]))
static char wval[NR_WTPL][24];	/* the digits set in the loaded object */

/* A width of exactly @digits digits whose 32-bit value (the kernel's int)
 * is one the kernel takes without a warning: -8388607..8388607. Mostly
 * small or around the 1023-byte cut, at times up to the maximum, a quarter
 * negative (no padding); 2^32 * k added to reach the digits. 4 digits:
 * 1000..1030 (the text ends next to the cut). */
static __u64 pick_width(int digits)
{
	__u64 lo = 1, v, r;
	int i;

	if (digits == 4)
		return 1000 + rand() % 31;
	for (i = 1; i < digits; i++)
		lo *= 10;
	for (;;) {
		switch (rand() % 20) {
		case 0:
			r = rand() % (RF_WIDTH_MAX + 1);
			break;
		case 1: case 2: case 3: case 4:
			r = 990 + rand() % 60;
			break;
		case 5: case 6: case 7: case 8: case 9:
			r = (1ULL << 32) - 1 - rand() % RF_WIDTH_MAX;	/* -1 .. -8388607 */
			break;
		default:
			r = rand() % 41;
		}
		v = (__u64)(rand() % 24) * (1ULL << 32) + r;
		if (v >= lo && v < lo * 10)
			return v;
	}
}

/* Overwrite each template's digits in @buf (a format or the whole .rodata
 * of @len bytes) with the values of wval[]. */
static int apply_widths(char *buf, size_t len)
{
	size_t t;
	int n = 0;

	for (t = 0; t < NR_WTPL; t++) {
		size_t cl = strlen(wtpl[t].ctx);
		char *p = buf;

		while ((p = memmem(p, len - (p - buf), wtpl[t].ctx, cl))) {
			memcpy(p + wtpl[t].at, wval[t], wtpl[t].digits);
			p += cl;
			n++;
		}
	}
	return n;
}

/* New random widths in the object's .rodata (before load): both copies of
 * each format (the kernel's bpf_snprintf and the header's call site). */
static void write_widths(struct rf_prop *skel)
{
	size_t sz;
	const void *init = bpf_map__initial_value(skel->maps.rodata, &sz);
	char *copy;

	cr_assert_not_null(init);
	copy = malloc(sz);
	memcpy(copy, init, sz);
	cr_assert_geq(apply_widths(copy, sz), (int)NR_WTPL, "width templates not in .rodata");
	cr_assert_eq(bpf_map__set_initial_value(skel->maps.rodata, copy, sz), 0);
	free(copy);
}

static void set_widths(struct rf_prop *skel)
{
	size_t t;

	for (t = 0; t < NR_WTPL; t++)
		snprintf(wval[t], sizeof(wval[t]), "%llu",
			 (unsigned long long)pick_width(wtpl[t].digits));
	write_widths(skel);
}

/* The format of case @c as loaded (for messages). */
static const char *fmt_as_loaded(int c, char *buf, size_t sz);

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

static const char *fmt_as_loaded(int c, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s", case_fmt[c]);
	apply_widths(buf, strlen(buf));
	return buf;
}

static struct rf_prop *open_ring(void)
{
	LIBBPF_OPTS(bpf_stream_prepare_opts, popts, .transport = BPF_STREAM_TRANSPORT_RINGBUF);
	struct rf_prop *skel = rf_prop__open();

	cr_assert_not_null(skel, "open: %s", strerror(errno));
	set_widths(skel);
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

/* A %c value for the cases next to the cut: a NUL half of the time. */
static __u64 pick_char_nul(void)
{
	return rand() & 1 ? (rnd64() & ~0xffULL) : pick_char();
}

/* One call of case @c with random values, through the ring and the
 * kernel's bpf_snprintf(): the same text, or both refuse. A message longer
 * than the limit has exactly one line flagged TRUNCATED, its last one. */
static bool check_case(struct rf_prop *skel, int c, int round, unsigned int seed)
{
	int fd = bpf_program__fd(skel->progs.rf_prop);
	static char want[4 * RF_TEXT_MAX];
	char kinds[3] = { 'd', 'd', 'd' }, fmt[256];
	struct got g = {};
	size_t wlen;
	bool cut;
	int i, n;

	conv_kinds(case_fmt[c], kinds);
	skel->bss->rf_case = c;
	for (i = 0; i < 3; i++) {
		if (kinds[i] == 'c')
			skel->bss->rf_args[i] = c >= 25 ? pick_char_nul() : pick_char();
		else
			skel->bss->rf_args[i] = pick_value();
		if (c == 24) {
			/* one string near the 512-byte budget, surplus arguments after */
			size_t len = 480 + rand() % 40, j;

			for (j = 0; j < len; j++)
				skel->bss->rf_strs[i][j] = 'a' + j % 26;
			skel->bss->rf_strs[i][len] = 0;
		} else {
			fill_str(skel->bss->rf_strs[i], c == 14 && (round & 1));
		}
	}
	skel->bss->rf_ret = 1;
	run(skel->progs.rf_prop);
	n = bpf_stream_drain(fd, BPF_STDOUT, collect, &g);
	cr_assert_geq(n, 0, "drain: %d", n);
	if (skel->bss->rf_expect_n < 0) {
		/* the kernel refused these values (string budget): so did the
		 * transport, and nothing arrived */
		cr_assert_lt(skel->bss->rf_ret, 0, "case %d: kernel %ld, transport %d", c,
			     skel->bss->rf_expect_n, skel->bss->rf_ret);
		cr_assert_eq(g.lines, 0);
		return false;
	}
	cr_assert_eq(skel->bss->rf_ret, 0, "case %d (%s): transport returned %d (seed %u)", c,
		     fmt_as_loaded(c, fmt, sizeof(fmt)), skel->bss->rf_ret, seed);
	wlen = expected_text(skel->bss->rf_expect, skel->bss->rf_expect_n, want);
	cr_assert(g.len == wlen && !memcmp(g.text, want, wlen),
		  "case %d \"%s\" args %#llx %#llx %#llx (seed %u):\n"
		  "kernel: [%.*s]\nring:   [%.*s]",
		  c, fmt_as_loaded(c, fmt, sizeof(fmt)), (unsigned long long)skel->bss->rf_args[0],
		  (unsigned long long)skel->bss->rf_args[1],
		  (unsigned long long)skel->bss->rf_args[2], seed, (int)wlen, want, (int)g.len,
		  g.text);
	cut = skel->bss->rf_expect_n - 1 > RF_TEXT_MAX - 1;
	cr_assert(cut ? g.trunc_lines == 1 && g.last_trunc == g.lines - 1 : !g.trunc_lines,
		  "case %d \"%s\" (seed %u): %s message of %d lines, %d flagged TRUNCATED "
		  "(last: line %d)", c, fmt_as_loaded(c, fmt, sizeof(fmt)), seed,
		  cut ? "cut" : "whole", g.lines, g.trunc_lines, g.last_trunc);
	return true;
}

/* The skeleton over rf_prop.bpf.c built by another compiler (the Makefile's
 * rf_prop.clangNN.o: same source, same maps, programs and variables). The
 * object's bytes must outlive it: *bytes gets them, freed by the caller
 * after rf_prop__destroy(). */
static struct rf_prop *open_ring_file(const char *path, void **bytes)
{
	LIBBPF_OPTS(bpf_stream_prepare_opts, popts, .transport = BPF_STREAM_TRANSPORT_RINGBUF);
	struct rf_prop *skel = calloc(1, sizeof(*skel));
	FILE *f = fopen(path, "rb");
	char *data;
	long sz;

	cr_assert(skel && f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	sz = ftell(f);
	rewind(f);
	data = malloc(sz);
	cr_assert(data && fread(data, 1, sz, f) == (size_t)sz);
	fclose(f);
	*bytes = data;
	cr_assert_eq(rf_prop__create_skeleton(skel), 0);
	skel->skeleton->data = data;
	skel->skeleton->data_sz = sz;
	cr_assert_eq(bpf_object__open_skeleton(skel->skeleton, NULL), 0, "open %s", path);
	set_widths(skel);
	cr_assert_eq(bpf_stream_prepare_opts(skel->obj, &popts), 0, "prepare: %s", strerror(errno));
	cr_assert_eq(rf_prop__load(skel), 0, "load %s: %s", path, strerror(errno));
	return skel;
}

/* Every case, RF_ROUNDS rounds, with the object of each installed clang
 * (rf_prop.clangNN.o; the skeleton's own object when there is none). */
Test(ringfmt, binary_records_match_bpf_snprintf, .timeout = 900)
{
	unsigned int seed = env_int("RF_SEED", RF_SEED_DEFAULT);
	int rounds = env_int("RF_ROUNDS", 40), round, c, checked = 0, refused = 0, nobj = 0;
	char path[4096], names[256] = "";
	struct dirent *de;
	DIR *d = opendir(TEST_BPF_DIR);

	fprintf(stderr, "ringfmt: seed %u (RF_SEED=%u replays it), %d rounds\n", seed, seed,
		rounds);
	cr_assert_not_null(d);
	for (;;) {
		struct rf_prop *skel;
		void *bytes = NULL;
		unsigned int major;

		de = readdir(d);
		if (de && sscanf(de->d_name, "rf_prop.clang%u.o", &major) != 1)
			continue;
		if (!de && nobj)
			break;
		srand(seed);
		if (de) {
			snprintf(path, sizeof(path), "%s/%s", TEST_BPF_DIR, de->d_name);
			skel = open_ring_file(path, &bytes);
			snprintf(names + strlen(names), sizeof(names) - strlen(names), " %u", major);
		} else {
			skel = open_ring();
			snprintf(names, sizeof(names), " (the skeleton's)");
		}
		nobj++;
		for (round = 0; round < rounds; round++) {
			for (c = 0; c < RF_NR_CASES; c++) {
				if (check_case(skel, c, round, seed))
					checked++;
				else
					refused++;
			}
		}
		bpf_stream_release(skel->obj);
		rf_prop__destroy(skel);
		free(bytes);
		if (!de)
			break;
	}
	closedir(d);
	fprintf(stderr, "ringfmt: %d messages byte-identical to bpf_snprintf, %d refused by both "
		"(clang%s)\n", checked, refused, names);
	cr_assert_gt(checked, nobj * rounds * (RF_NR_CASES - 1));
}

/* Issue 21: widths of 2^32 and more wrap at 32 bits, as the kernel's
 * skip_atoi() does (a negative 32-bit width pads nothing); surplus
 * arguments cost nothing of the budget; NULs next to the cut add no line.
 * Each load sets new random widths (RF_LOADS loads). */
Test(ringfmt, wide_widths_surplus_args_and_nuls_match, .timeout = 600)
{
	unsigned int seed = env_int("RF_SEED", RF_SEED_DEFAULT) + 1;
	int loads = env_int("RF_LOADS", 6), l, round, c, checked = 0;

	srand(seed);
	for (l = 0; l < loads; l++) {
		struct rf_prop *skel = open_ring();

		for (round = 0; round < 8; round++)
			for (c = RF_NR_BASE_CASES; c < RF_NR_CASES; c++)
				checked += check_case(skel, c, round, seed);
		bpf_stream_release(skel->obj);
		rf_prop__destroy(skel);
	}
	fprintf(stderr, "ringfmt: %d messages with wrapped widths, surplus arguments and NULs "
		"near the cut byte-identical to bpf_snprintf (%d loads, seed %u)\n", checked, loads,
		seed);
	cr_assert_eq(checked, loads * 8 * (RF_NR_CASES - RF_NR_BASE_CASES));
}

/* The examples of issue 21, fixed. */
Test(ringfmt, issue21_examples)
{
	struct rf_prop *skel;
	struct got g = {};
	size_t t;

	skel = rf_prop__open();
	cr_assert_not_null(skel);
	/* "<%4294967301d>" is "<%5d>" (case 20's width has 11 digits: 2^32 * 3 + 5) */
	for (t = 0; t < NR_WTPL; t++) {
		if (!strcmp(wtpl[t].ctx, "%11111111111d"))
			snprintf(wval[t], sizeof(wval[t]), "%llu", 3ULL * (1ULL << 32) + 5);
		else if (wtpl[t].digits == 4)
			snprintf(wval[t], sizeof(wval[t]), "1021");
		else	/* 2^32 * 3 (11 digits) or 2^32 (10): no width */
			snprintf(wval[t], sizeof(wval[t]), "%llu",
				 (wtpl[t].digits == 11 ? 3ULL : 1ULL) << 32);
	}
	write_widths(skel);
	{
		LIBBPF_OPTS(bpf_stream_prepare_opts, popts,
			    .transport = BPF_STREAM_TRANSPORT_RINGBUF);

		cr_assert_eq(bpf_stream_prepare_opts(skel->obj, &popts), 0);
		cr_assert_eq(rf_prop__load(skel), 0);
	}
	skel->bss->rf_case = 20;
	skel->bss->rf_args[0] = 42;
	run(skel->progs.rf_prop);
	cr_assert_eq(skel->bss->rf_ret, 0);
	cr_assert_str_eq(skel->bss->rf_expect, "<   42>\n", "kernel: [%s]", skel->bss->rf_expect);
	/* "[%s]" with a 508-byte string and surplus arguments */
	skel->bss->rf_case = 24;
	memset(skel->bss->rf_strs[0], 's', 508);
	skel->bss->rf_strs[0][508] = 0;
	run(skel->progs.rf_prop);
	cr_assert_eq(skel->bss->rf_ret, 0, "transport %d, kernel %ld", skel->bss->rf_ret,
		     skel->bss->rf_expect_n);
	/* "%1021d\n%c\n" with (7, 0): the cut falls after the NUL */
	skel->bss->rf_case = 25;
	skel->bss->rf_args[0] = 7;
	skel->bss->rf_args[1] = 0;
	run(skel->progs.rf_prop);
	cr_assert_eq(skel->bss->rf_ret, 0);
	cr_assert_eq(bpf_stream_drain(bpf_program__fd(skel->progs.rf_prop), BPF_STDOUT, collect,
				      &g), 3);
	cr_assert_eq(g.lines, 3, "lines: %d", g.lines);
	cr_assert_eq(g.len, 7 + 1 + 510 + 1 + 1021 + 1, "bytes: %zu", g.len);
	cr_assert_eq(memcmp(g.text, "<   42>\n[", 9), 0);
	cr_assert_eq(g.text[g.len - 2], '7');
	cr_assert_eq(g.trunc_lines, 1);
	cr_assert_eq(g.last_trunc, 2);
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
	set_widths(nat);	/* base cases only below: the widths do not matter */
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
	for (c = 0; c < RF_NR_BASE_CASES; c++) {
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
