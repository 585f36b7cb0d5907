// SPDX-License-Identifier: GPL-2.0
/* Test fixtures: fake programs with streams, drain loops, a seeded PRNG. */
#include <errno.h>
#include <stdlib.h>
#include "test.h"

struct bpf_prog *prog_new(void)
{
	struct bpf_prog *prog = calloc(1, sizeof(*prog));

	if (!prog || !(prog->aux = calloc(1, sizeof(*prog->aux))))
		abort();
	bpf_prog_stream_init(prog);
	return prog;
}

void prog_free(struct bpf_prog *prog)
{
	bpf_prog_stream_free(prog);
	free(prog->aux);
	free(prog);
}

int stream_queued(struct bpf_prog *prog, int stream_id)
{
	return atomic_read(&prog->aux->stream[stream_id - 1].capacity);
}

long drain(struct bpf_prog *prog, int stream_id, char *buf, size_t cap, u32 chunk)
{
	size_t pos = 0;
	int n;

	for (;;) {
		u32 want = chunk;

		if (cap - pos < want)
			want = cap - pos;
		if (!want)
			return -ENOBUFS;
		n = bpf_prog_stream_read(prog, stream_id, buf + pos, want);
		if (n < 0)
			return n;
		if (!n)
			return pos;
		pos += n;
	}
}

u64 rnd(u64 *s)
{
	u64 x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}
