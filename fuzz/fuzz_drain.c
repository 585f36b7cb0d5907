// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Fuzz the drain engine (drain.c over framer.c and pending.c) with a
 * scripted stream source, the way bpf_stream_drain(), the iterator and the
 * reader use it. The first 8 input bytes seed the script: how many bytes
 * each read returns, when a read says "empty for now" (the drain ends and
 * a later drain goes on), when a read fails, when the callback stops the
 * drain, and how many messages the source reports dropped. The rest of the
 * input is the stream.
 * Invariants:
 *  - over all drains, lines + '\n' (none after PARTIAL or UNTERMINATED
 *    pieces) == the stream without NUL bytes: nothing lost or repeated,
 *    across drain boundaries, stops and read errors;
 *  - every message: text NUL-terminated at len, no '\n' or NUL inside,
 *    len <= BPF_STREAM_LINE_MAX, the source's prog id, name and stream;
 *  - drop notices come only as DROP_NOTICE messages, and their counts add
 *    up to what the source reported;
 *  - a drain returns lines delivered (>= 0), the callback's value, or the
 *    scripted read error;
 *  - no pending state is left once everything was drained.
 */
#include <stdint.h>
#include "stream_internal.h"
#include "fuzz_util.h"

#define STOP_VALUE 9
#define PROG_ID 4242
#define READ_ERR (-EIO)

struct script {
	struct fz_rng rng;
	const char *data;
	size_t len, pos;
	size_t max_read;
	__u64 ts;
	__u64 dropped_total;	/* cumulative, as a kernel counter */
	bool empty_now;		/* next read says "nothing queued now" */
	unsigned int err_odds, stop_odds;
	/* delivery side */
	char *out;
	size_t out_len;
	__u64 notices, last_ts;
	bool stopped;
};

/* the counter keeps growing across inputs: pending.c remembers what it
 * last reported per (source ctx, stream), like a real kernel counter */
static __u64 drop_counter;

static int src_read(void *ctx, void *buf, size_t len, struct bs_source_meta *meta)
{
	struct script *s = ctx;
	size_t n;

	if (s->empty_now || s->pos == s->len) {
		s->empty_now = false;
		return 0;
	}
	if (s->err_odds && fz_next(&s->rng) % s->err_odds == 0)
		return READ_ERR;
	n = 1 + fz_next(&s->rng) % s->max_read;
	if (n > len)
		n = len;
	if (n > s->len - s->pos)
		n = s->len - s->pos;
	memcpy(buf, s->data + s->pos, n);
	s->pos += n;
	meta->ts_ns = ++s->ts;
	meta->flags = fz_next(&s->rng) % 32 == 0 ? BPF_STREAM_MSG_F_TRUNCATED : 0;
	if (fz_next(&s->rng) % 4 == 0)
		s->empty_now = true;
	return (int)n;
}

static int src_dropped(void *ctx, __u64 *count)
{
	*count = drop_counter;
	return 0;
}

static int on_msg(void *ctx, const struct bpf_stream_msg *m)
{
	struct script *s = ctx;

	FUZZ_CHECK(m->prog_id == PROG_ID && m->stream_id == BPF_STDERR &&
		   m->prog_name && !strcmp(m->prog_name, "fuzz_drain"), "wrong source fields");
	FUZZ_CHECK(m->text && m->text[m->len] == '\0' && strlen(m->text) == m->len,
		   "text not NUL-terminated at len %zu", m->len);
	if (m->flags & BPF_STREAM_MSG_F_DROP_NOTICE) {
		FUZZ_CHECK(m->dropped > 0, "empty drop notice");
		s->notices += m->dropped;
		return 0;
	}
	FUZZ_CHECK(m->len <= BPF_STREAM_LINE_MAX, "len %zu", m->len);
	FUZZ_CHECK(!memchr(m->text, '\n', m->len), "newline inside a line");
	FUZZ_CHECK(m->ts_ns >= s->last_ts, "ts went back");
	s->last_ts = m->ts_ns;
	memcpy(s->out + s->out_len, m->text, m->len);
	s->out_len += m->len;
	if (!(m->flags & (BPF_STREAM_MSG_F_PARTIAL | BPF_STREAM_MSG_F_UNTERMINATED)))
		s->out[s->out_len++] = '\n';
	if (s->stop_odds && fz_next(&s->rng) % s->stop_odds == 0)
		return STOP_VALUE;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* static: pending.c keys its drop bookkeeping by the source ctx, which
	 * must stay the same object across inputs, as an object does */
	static struct script s;
	struct bs_stream_src src = {
		.read = src_read, .read_ctx = &s, .prog_id = PROG_ID,
		.prog_name = "fuzz_drain", .stream_id = BPF_STDERR, .dropped = src_dropped,
	};
	__u64 drops_before = drop_counter;
	struct bs_framer *f;
	size_t i, expect_len = 0;
	char *expect;
	int ret, rounds = 0, quiet = 0;

	if (size < 8)
		return 0;
	memset(&s, 0, sizeof(s));
	fz_seed(&s.rng, data, 8);
	s.data = (const char *)data + 8;
	s.len = size - 8;
	s.max_read = (size_t)1 << (data[0] % 15);
	s.err_odds = data[1] & 0x80 ? 0 : (data[1] & 0x1f) + 2;
	s.stop_odds = data[2] & 0x80 ? 0 : (data[2] & 0x0f) + 1;
	s.out = malloc(s.len * 2 + 2);
	expect = malloc(s.len + 1);
	if (!s.out || !expect)
		goto out;
	for (i = 0; i < s.len; i++)
		if (s.data[i])
			expect[expect_len++] = s.data[i];

	/* drain until the source is empty and a drain delivers nothing */
	while (quiet < 2) {
		FUZZ_CHECK(++rounds < 1000000, "drains do not progress");
		if (fz_next(&s.rng) % 8 == 0)
			drop_counter += 1 + fz_next(&s.rng) % 1000;
		errno = 0;
		ret = bs_drain_src(&src, on_msg, &s);
		FUZZ_CHECK(ret >= 0 || ret == READ_ERR || ret == STOP_VALUE,
			   "drain returned %d", ret);
		if (ret < 0)
			FUZZ_CHECK(errno == -ret, "errno %d for %d", errno, ret);
		quiet = (ret == 0 && s.pos == s.len) ? quiet + 1 : 0;
	}
	s.dropped_total = drop_counter - drops_before;

	FUZZ_CHECK(s.out_len == expect_len, "delivered %zu bytes, stream had %zu", s.out_len,
		   expect_len);
	FUZZ_CHECK(!memcmp(s.out, expect, expect_len), "delivered text differs");
	FUZZ_CHECK(s.notices == s.dropped_total, "drop notices said %llu, source %llu",
		   (unsigned long long)s.notices, (unsigned long long)s.dropped_total);
	f = bs_pending_take(PROG_ID, BPF_STDERR);
	FUZZ_CHECK(f != NULL, "pending_take");
	FUZZ_CHECK(!bs_framer__has_leftover(f), "pending state left after a complete drain");
	bs_pending_put(PROG_ID, BPF_STDERR, f);
out:
	free(expect);
	free(s.out);
	return 0;
}
