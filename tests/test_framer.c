// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Line framing, through the code bpf_stream_drain() runs (bs_drain_src with a
 * scripted source, see tests/common/cons_helpers.c) and the framer directly.
 * No kernel needed.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "cons_helpers.h"

static struct cons_collect col;

static void teardown(void)
{
	cons_collect_reset(&col);
}

TestSuite(framer, .fini = teardown);

static int drain_script(struct cons_script *s, __u32 prog_id)
{
	struct bs_stream_src src = cons_script_src(s, prog_id, "scripted", BPF_STDOUT);

	return bs_drain_src(&src, cons_collect_fn, &col);
}

static const char input[] = "alpha\nbeta\n\ngamma delta\nepsilon\nzeta\n"; /* 38 bytes */

static void check_lines(void)
{
	static const char *want[] = { "alpha", "beta", "", "gamma delta", "epsilon", "zeta" };
	int i;

	cr_assert_eq(col.nr, 6, "lines: got %d, want 6", col.nr);
	for (i = 0; i < 6; i++) {
		cr_assert_str_eq(col.msgs[i].text, want[i], "line %d", i);
		cr_assert_eq(col.msgs[i].len, strlen(want[i]));
		cr_assert_eq(col.msgs[i].flags, 0, "line %d flags %#x", i, col.msgs[i].flags);
		cr_assert_eq(col.msgs[i].stream_id, BPF_STDOUT);
		cr_assert_str_eq(col.msgs[i].name, "scripted");
	}
}

Test(framer, every_two_way_split)
{
	size_t n = strlen(input), a;

	for (a = 0; a <= n; a++) {
		struct cons_script s = {};
		int ret;

		cons_script_add(&s, input, a, 0, 0);
		cons_script_add(&s, input + a, n - a, 0, 0);
		ret = drain_script(&s, 1000 + a);
		cr_assert_eq(ret, 6, "split at %zu: ret %d", a, ret);
		check_lines();
		cons_collect_reset(&col);
	}
}

Test(framer, every_three_way_split)
{
	size_t n = strlen(input), a, b;

	for (a = 0; a <= n; a++) {
		for (b = a; b <= n; b++) {
			struct cons_script s = {};
			int ret;

			cons_script_add(&s, input, a, 0, 0);
			cons_script_add(&s, input + a, b - a, 0, 0);
			cons_script_add(&s, input + b, n - b, 0, 0);
			ret = drain_script(&s, 2000);
			cr_assert_eq(ret, 6, "split at %zu,%zu: ret %d", a, b, ret);
			check_lines();
			cons_collect_reset(&col);
		}
	}
}

Test(framer, nul_bytes_anywhere_are_dropped)
{
	size_t n = strlen(input), pos;
	char buf[64];

	for (pos = 0; pos <= n; pos++) {
		struct cons_script s = {};

		/* one NUL at pos, plus the seed kernels' NUL after each message */
		memcpy(buf, input, pos);
		buf[pos] = '\0';
		memcpy(buf + pos + 1, input + pos, n - pos);
		buf[n + 1] = '\0';
		cons_script_add(&s, buf, n + 2, 0, 0);
		cr_assert_eq(drain_script(&s, 3000), 6, "NUL at %zu", pos);
		check_lines();
		cons_collect_reset(&col);
	}
}

Test(framer, only_nuls_give_nothing)
{
	struct cons_script s = {};

	cons_script_add(&s, "\0\0\0", 3, 0, 0);
	cr_assert_eq(drain_script(&s, 3100), 0);
	cr_assert_eq(col.nr, 0);
}

Test(framer, trailing_partial_line_is_unterminated)
{
	struct cons_script s = {};

	cons_script_adds(&s, "one\ntw");
	cons_script_adds(&s, "o and a half");
	cr_assert_eq(drain_script(&s, 4000), 2);
	cr_assert_str_eq(col.msgs[0].text, "one");
	cr_assert_eq(col.msgs[0].flags, 0);
	cr_assert_str_eq(col.msgs[1].text, "two and a half");
	cr_assert_eq(col.msgs[1].flags, BPF_STREAM_MSG_F_UNTERMINATED);
}

Test(framer, long_line_in_pieces_reassembles_exactly)
{
	size_t n = 3 * BPF_STREAM_LINE_MAX + 123, i, cut;
	char *line = malloc(n + 2);
	char *joined;

	for (i = 0; i < n; i++)
		line[i] = 'a' + i % 26;
	line[n] = '\n';
	line[n + 1] = '\0';
	/* split at an odd place so pieces cross chunks */
	for (cut = 1; cut < n; cut += 2777) {
		struct cons_script s = {};

		cons_script_add(&s, line, cut, 0, 0);
		cons_script_add(&s, line + cut, n + 1 - cut, 0, 0);
		cr_assert_eq(drain_script(&s, 5000), 4);
		for (i = 0; i < 3; i++) {
			cr_assert_eq(col.msgs[i].len, BPF_STREAM_LINE_MAX);
			cr_assert_eq(col.msgs[i].flags, BPF_STREAM_MSG_F_PARTIAL);
		}
		cr_assert_eq(col.msgs[3].len, 123);
		cr_assert_eq(col.msgs[3].flags, 0);
		joined = cons_collect_join(&col);
		cr_assert_str_eq(joined, line);
		free(joined);
		cons_collect_reset(&col);
	}
	free(line);
}

Test(framer, line_of_exactly_line_max_is_one_message)
{
	struct cons_script s = {};
	char *line = malloc(BPF_STREAM_LINE_MAX + 1);

	memset(line, 'x', BPF_STREAM_LINE_MAX);
	line[BPF_STREAM_LINE_MAX] = '\n';
	cons_script_add(&s, line, BPF_STREAM_LINE_MAX + 1, 0, 0);
	cr_assert_eq(drain_script(&s, 5100), 1);
	cr_assert_eq(col.msgs[0].len, BPF_STREAM_LINE_MAX);
	cr_assert_eq(col.msgs[0].flags, 0);
	free(line);
}

Test(framer, timestamps_and_flags_follow_chunks)
{
	struct cons_script s = {};

	cons_script_add(&s, "a\nb", 3, 100, 0);
	cons_script_add(&s, "c\n", 2, 200, BPF_STREAM_MSG_F_TRUNCATED);
	cons_script_add(&s, "d\n", 2, 300, 0);
	cr_assert_eq(drain_script(&s, 6000), 3);
	cr_assert_eq(col.msgs[0].ts_ns, 100);
	cr_assert_eq(col.msgs[0].flags, 0);
	cr_assert_str_eq(col.msgs[1].text, "bc");
	cr_assert_eq(col.msgs[1].ts_ns, 100, "a line keeps the stamp of its first byte");
	cr_assert_eq(col.msgs[1].flags, BPF_STREAM_MSG_F_TRUNCATED);
	cr_assert_eq(col.msgs[2].ts_ns, 300);
	cr_assert_eq(col.msgs[2].flags, 0);
}

/* Issue 21: a cut message (chunk flagged TRUNCATED) flags only the line that
 * was cut, the one holding its last byte (NULs after it do not count), not
 * the whole lines before it; a line it continues is flagged too. */
Test(framer, truncated_flags_only_the_cut_line)
{
	struct cons_script s = {};

	cons_script_add(&s, "p", 1, 50, 0);
	cons_script_add(&s, "a\nb\ncut\n\0\0", 11, 100, BPF_STREAM_MSG_F_TRUNCATED);
	cons_script_add(&s, "x\ny\n", 4, 200, BPF_STREAM_MSG_F_TRUNCATED);
	cons_script_add(&s, "\0\0", 2, 300, BPF_STREAM_MSG_F_TRUNCATED);
	cons_script_add(&s, "z\n", 2, 400, 0);
	cr_assert_eq(drain_script(&s, 6000), 6);
	cr_assert_str_eq(col.msgs[0].text, "pa");
	cr_assert_eq(col.msgs[0].flags, 0);
	cr_assert_str_eq(col.msgs[1].text, "b");
	cr_assert_eq(col.msgs[1].flags, 0);
	cr_assert_str_eq(col.msgs[2].text, "cut");
	cr_assert_eq(col.msgs[2].flags, BPF_STREAM_MSG_F_TRUNCATED);
	cr_assert_str_eq(col.msgs[3].text, "x");
	cr_assert_eq(col.msgs[3].flags, 0);
	cr_assert_str_eq(col.msgs[4].text, "y");
	cr_assert_eq(col.msgs[4].flags, BPF_STREAM_MSG_F_TRUNCATED);
	cr_assert_str_eq(col.msgs[5].text, "z");
	cr_assert_eq(col.msgs[5].flags, 0, "a chunk of NULs alone flags nothing");
}

/* The same when the callback stops the framer inside the cut chunk. */
Test(framer, truncated_survives_a_stop)
{
	int k;

	for (k = 1; k <= 3; k++) {
		struct cons_script s = {};

		cons_script_add(&s, "a\nb\nc\n\0", 7, 100, BPF_STREAM_MSG_F_TRUNCATED);
		col.stop_after = k;
		col.stop_ret = 42;
		cr_assert_eq(drain_script(&s, 6100 + k), 42);
		col.stop_after = 0;
		drain_script(&s, 6100 + k);
		cr_assert_eq(col.nr, 3, "stop after %d: %d lines", k, col.nr);
		cr_assert_eq(col.msgs[0].flags, 0);
		cr_assert_eq(col.msgs[1].flags, 0);
		cr_assert_eq(col.msgs[2].flags, BPF_STREAM_MSG_F_TRUNCATED, "stop after %d", k);
		cons_collect_reset(&col);
	}
}

/* Stop after k lines, resume with a fresh drain: nothing lost, nothing twice. */
Test(framer, stop_mid_chunk_then_resume_loses_nothing)
{
	size_t n = strlen(input);
	int k;

	for (k = 1; k <= 6; k++) {
		struct cons_script s = {};
		char *joined;
		int ret;

		cons_script_add(&s, input, n / 2, 0, 0);
		cons_script_add(&s, input + n / 2, n - n / 2, 0, 0);
		col.stop_after = k;
		col.stop_ret = 42;
		ret = drain_script(&s, 7000 + k);
		cr_assert_eq(ret, 42, "stop value comes back (k=%d): %d", k, ret);
		cr_assert_eq(col.nr, k);
		col.stop_after = 0;
		ret = drain_script(&s, 7000 + k);
		cr_assert_eq(ret, 6 - k, "k=%d: resumed drain gave %d", k, ret);
		joined = cons_collect_join(&col);
		cr_assert_str_eq(joined, input, "k=%d", k);
		free(joined);
		cons_collect_reset(&col);
	}
}

Test(framer, stop_in_long_line_pieces_then_resume)
{
	size_t n = 2 * BPF_STREAM_LINE_MAX + 10, i;
	char *line = malloc(n + 1);
	struct cons_script s = {};
	char *joined;

	for (i = 0; i < n; i++)
		line[i] = '0' + i % 10;
	line[n] = '\n';
	cons_script_add(&s, line, n + 1, 0, 0);
	col.stop_after = 1;
	col.stop_ret = -7;
	cr_assert_eq(drain_script(&s, 7100), -7);
	cr_assert_eq(errno, 7, "negative stop value sets errno");
	col.stop_after = 0;
	cr_assert_eq(drain_script(&s, 7100), 2);
	cr_assert_eq(col.nr, 3);
	joined = cons_collect_join(&col);
	cr_assert_eq(strlen(joined), n + 1);
	cr_assert_eq(memcmp(joined, line, n + 1), 0);
	free(joined);
	free(line);
}

/* The framer alone: pure, deterministic. */
static int count_fn(void *ctx, const char *line, size_t len, __u64 ts, __u32 flags)
{
	(*(int *)ctx)++;
	cr_assert_eq(strlen(line), len, "line is NUL-terminated at len");
	return 0;
}

Test(framer, direct_push_and_flush)
{
	struct bs_framer *f = bs_framer__new();
	struct bs_chunk c = { .data = "x\ny", .len = 3 };
	int lines = 0;

	cr_assert_not_null(f);
	cr_assert_eq(bs_framer__push(f, &c, count_fn, &lines), 0);
	cr_assert_eq(lines, 1);
	cr_assert(bs_framer__has_partial(f));
	cr_assert_eq(bs_framer__flush(f, count_fn, &lines), 0);
	cr_assert_eq(lines, 2);
	cr_assert_not(bs_framer__has_leftover(f));
	bs_framer__free(f);
}

Test(framer, read_error_first_is_returned)
{
	struct cons_script s = { .err = -EIO };

	cr_assert_eq(drain_script(&s, 8000), -EIO);
	cr_assert_eq(errno, EIO);
}
