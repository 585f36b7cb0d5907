// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Fuzz the line framer (framer.c) with arbitrary bytes and arbitrary
 * chunking. The first 8 input bytes seed the choices: where chunks end, which
 * chunks carry the TRUNCATED flag, when the callback stops the framer (the
 * caller must then resume). The rest is the stream.
 *
 * Invariants checked:
 *  - every line is NUL-terminated at len, at most BPF_STREAM_LINE_MAX bytes,
 *    and holds neither '\n' nor NUL;
 *  - lines + '\n' after each (none after PARTIAL pieces and the final
 *    UNTERMINATED one) == the stream with its NUL bytes removed;
 *  - a PARTIAL piece is exactly BPF_STREAM_LINE_MAX bytes; only the last line
 *    may be UNTERMINATED; no unknown flag; TRUNCATED only if a chunk had it;
 *  - ts_ns (chunk number) never goes back and is never from a future chunk;
 *  - push/resume/flush return 0 or the callback's stop value;
 *  - after flush nothing is left.
 */
#include <stdint.h>
#include "stream_internal.h"
#include "fuzz_util.h"

#define STOP_VALUE 7

struct fz_state {
	struct fz_rng rng;
	char *out;		/* reconstruction */
	size_t out_len;
	__u64 last_ts, cur_ts;
	bool any_truncated;
	bool unterminated_seen;
	unsigned int stop_odds; /* 0: never stop */
	size_t lines;
};

static int on_line(void *ctx, const char *line, size_t len, __u64 ts, __u32 flags)
{
	struct fz_state *s = ctx;
	const __u32 known = BPF_STREAM_MSG_F_PARTIAL | BPF_STREAM_MSG_F_UNTERMINATED |
			    BPF_STREAM_MSG_F_TRUNCATED;

	FUZZ_CHECK(!s->unterminated_seen, "a line after the UNTERMINATED one");
	FUZZ_CHECK(len <= BPF_STREAM_LINE_MAX, "len %zu", len);
	FUZZ_CHECK(line[len] == '\0', "not NUL-terminated at %zu", len);
	FUZZ_CHECK(!memchr(line, '\n', len) && !memchr(line, '\0', len),
		   "newline or NUL inside a line of %zu bytes", len);
	FUZZ_CHECK(!(flags & ~known), "unknown flags %#x", flags);
	FUZZ_CHECK(!(flags & BPF_STREAM_MSG_F_PARTIAL) || len == BPF_STREAM_LINE_MAX,
		   "PARTIAL piece of %zu bytes", len);
	FUZZ_CHECK(!(flags & BPF_STREAM_MSG_F_TRUNCATED) || s->any_truncated,
		   "TRUNCATED without a truncated chunk");
	FUZZ_CHECK(ts >= s->last_ts && ts <= s->cur_ts, "ts %llu after %llu (chunk %llu)",
		   (unsigned long long)ts, (unsigned long long)s->last_ts,
		   (unsigned long long)s->cur_ts);
	s->last_ts = ts;
	memcpy(s->out + s->out_len, line, len);
	s->out_len += len;
	if (flags & BPF_STREAM_MSG_F_UNTERMINATED)
		s->unterminated_seen = true;
	else if (!(flags & BPF_STREAM_MSG_F_PARTIAL))
		s->out[s->out_len++] = '\n';
	s->lines++;
	if (s->stop_odds && fz_next(&s->rng) % s->stop_odds == 0)
		return STOP_VALUE;
	return 0;
}

/* Resume until the framer has delivered everything it can. */
static void settle(struct bs_framer *f, struct fz_state *s, int ret)
{
	int guard = 0;

	while (ret == STOP_VALUE) {
		FUZZ_CHECK(++guard < 1000000, "resume does not progress");
		ret = bs_framer__resume(f, on_line, s);
	}
	FUZZ_CHECK(ret == 0, "push/resume returned %d", ret);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_state s = { 0 };
	struct bs_framer *f;
	const char *text;
	size_t n, pos = 0, i, expect_len = 0, max_chunk;
	char *expect;
	int ret;

	if (size < 8)
		return 0;
	fz_seed(&s.rng, data, 8);
	text = (const char *)data + 8;
	n = size - 8;
	/* chunk size scale: 1 byte .. a few lines of LINE_MAX */
	max_chunk = (size_t)1 << (data[0] % 15);
	s.stop_odds = data[1] & 0x80 ? 0 : (data[1] & 0x0f) + 1;

	s.out = malloc(n * 2 + 2);
	expect = malloc(n + 1);
	f = bs_framer__new();
	if (!s.out || !expect || !f)
		goto out;
	for (i = 0; i < n; i++)
		if (text[i])
			expect[expect_len++] = text[i];

	while (pos < n) {
		size_t len = 1 + fz_next(&s.rng) % max_chunk;
		struct bs_chunk c;

		if (len > n - pos)
			len = n - pos;
		c.data = text + pos;
		c.len = len;
		c.ts_ns = ++s.cur_ts;
		c.flags = (fz_next(&s.rng) % 16 == 0) ? BPF_STREAM_MSG_F_TRUNCATED : 0;
		s.any_truncated |= c.flags != 0;
		ret = bs_framer__push(f, &c, on_line, &s);
		FUZZ_CHECK(ret == 0 || ret == STOP_VALUE, "push returned %d", ret);
		/* sometimes leave the stopped rest queued across pushes */
		if (ret == STOP_VALUE && fz_next(&s.rng) % 2)
			settle(f, &s, ret);
		pos += len;
		/* an empty chunk now and then */
		if (fz_next(&s.rng) % 8 == 0) {
			c.data = text + pos;
			c.len = 0;
			c.ts_ns = s.cur_ts;
			c.flags = 0;
			ret = bs_framer__push(f, &c, on_line, &s);
			FUZZ_CHECK(ret == 0 || ret == STOP_VALUE, "push(empty) returned %d", ret);
			if (ret == STOP_VALUE)
				settle(f, &s, ret);
		}
	}
	ret = bs_framer__flush(f, on_line, &s);
	while (ret == STOP_VALUE)
		ret = bs_framer__flush(f, on_line, &s);
	FUZZ_CHECK(ret == 0, "flush returned %d", ret);
	FUZZ_CHECK(!bs_framer__has_leftover(f) && !bs_framer__has_partial(f), "leftover after flush");

	/* The reconstruction must equal the NUL-free input, except that a
	 * final line the input did not end with '\n' was UNTERMINATED. */
	FUZZ_CHECK(s.out_len == expect_len, "reconstructed %zu bytes, expected %zu",
		   s.out_len, expect_len);
	FUZZ_CHECK(!memcmp(s.out, expect, expect_len), "reconstruction differs");
	FUZZ_CHECK(s.unterminated_seen == (expect_len && expect[expect_len - 1] != '\n'),
		   "UNTERMINATED flag %d but input ends with %#x", s.unterminated_seen,
		   expect_len ? (unsigned char)expect[expect_len - 1] : 0);
out:
	bs_framer__free(f);
	free(expect);
	free(s.out);
	return 0;
}
