// SPDX-License-Identifier: GPL-2.0
/* The staged multi-message commit API used by kernel reports. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include "test.h"

TEST(stage_commit_queues_block_in_order)
{
	struct bpf_prog *prog = prog_new();
	struct bpf_stream_stage ss;
	char buf[128];
	const char *exp = "before\nafter\nERROR: thing\n  line 1\n  line 2\n";

	if (!ASSERT_EQ(PRINTK(prog, BPF_STDERR, "before\n"), 0))
		goto out;
	bpf_stream_stage_init(&ss);
	if (!ASSERT_EQ(bpf_stream_printk(ss, "ERROR: %s\n", "thing"), 0))
		goto out;
	if (!ASSERT_EQ(bpf_stream_printk(ss, "  line %d\n", 1), 0))
		goto out;
	if (!ASSERT_EQ(bpf_stream_printk(ss, "  line %d\n", 2), 0))
		goto out;
	/* nothing visible before the commit */
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDERR, "after\n"), 0))
		goto out;
	if (!ASSERT_EQ(stream_queued(prog, BPF_STDERR), 13))
		goto out;
	if (!ASSERT_EQ(bpf_stream_stage_commit(&ss, prog, BPF_STDERR), 0))
		goto out;
	bpf_stream_stage_free(&ss);
	/* committed after "after": it lands after it */
	if (!ASSERT_EQ(drain(prog, BPF_STDERR, buf, sizeof(buf), 5), (long)strlen(exp)))
		goto out;
	if (!ASSERT_MEM(buf, exp, strlen(exp)))
		goto out;
out:
	prog_free(prog);
}

TEST(stage_commit_to_full_stream_fails_and_frees_the_stage)
{
	struct bpf_prog *prog = prog_new();
	struct bpf_stream_stage ss;
	char *buf = malloc(BPF_STREAM_MAX_CAPACITY);
	long n = 0, got;

	while (!PRINTK(prog, BPF_STDERR, "%s", PTR("filler filler filler filler\n")))
		n++;
	bpf_stream_stage_init(&ss);
	if (!ASSERT_EQ(bpf_stream_printk(ss, "ERROR: %d\n", 1), 0))
		goto out;
	if (!ASSERT_EQ(bpf_stream_printk(ss, "more text that cannot fit %d\n", 2), 0))
		goto out;
	if (!ASSERT_EQ(bpf_stream_stage_commit(&ss, prog, BPF_STDERR), -ENOSPC))
		goto out;
	if (!ASSERT_EQ(bpf_stream_stage_commit(&ss, prog, 3), -EINVAL))
		goto out;
	bpf_stream_stage_free(&ss);
	got = drain(prog, BPF_STDERR, buf, BPF_STREAM_MAX_CAPACITY, 1 << 20);
	if (!ASSERT_EQ(got, n * 28))
		goto out;
out:
	free(buf);
	prog_free(prog);
}

TEST(stage_allocation_failure_commits_only_what_was_staged)
{
	struct bpf_prog *prog = prog_new();
	struct bpf_stream_stage ss;
	char buf[64];

	harness_kmalloc_fail_after(0);
	bpf_stream_stage_init(&ss);
	if (!ASSERT_EQ(bpf_stream_printk(ss, "ERROR: %d\n", 1), -ENOMEM))
		goto out;
	if (!ASSERT_EQ(bpf_stream_stage_commit(&ss, prog, BPF_STDERR), 0))
		goto out;
	bpf_stream_stage_free(&ss);
	if (!ASSERT_EQ(stream_queued(prog, BPF_STDERR), 0))
		goto out;
	harness_kmalloc_fail_after(-1);
	if (!ASSERT_EQ(drain(prog, BPF_STDERR, buf, sizeof(buf), 64), 0))
		goto out;
out:
	prog_free(prog);
}

/*
 * N writer threads, each on its own simulated CPU, commit blocks of 1..8
 * lines while another writes single lines with the kfunc and the main
 * thread drains with random read sizes. Every block must arrive
 * contiguous, in its writer's order, exactly once; every byte counted.
 */
#define STAGERS		3
#define BLOCKS		1500
#define SINGLES		6000

struct writer {
	pthread_t th;
	struct bpf_prog *prog;
	int id;
	long bytes;
	long retries;
};

static atomic_int writers_done;

static void *stager(void *arg)
{
	struct writer *w = arg;
	u64 seed = 0x9e3779b97f4a7c15ull * (w->id + 1);
	int b;

	harness_cpu_bind(1 + w->id);
	for (b = 0; b < BLOCKS; b++) {
		int lines = 1 + rnd(&seed) % 8, l, ret;
		struct bpf_stream_stage ss;
		long len;

		for (;;) {
			len = 0;
			bpf_stream_stage_init(&ss);
			for (l = 0; l < lines; l++) {
				ret = bpf_stream_printk(ss, "w%d b%d l%d/%d\n", w->id, b, l, lines);
				if (ret) {
					fprintf(stderr, "stage printk: %d\n", ret);
					abort();
				}
				len += snprintf(NULL, 0, "w%d b%d l%d/%d\n", w->id, b, l, lines);
			}
			ret = bpf_stream_stage_commit(&ss, w->prog, BPF_STDOUT);
			bpf_stream_stage_free(&ss);
			if (!ret)
				break;
			if (ret != -ENOSPC)
				abort();
			w->retries++;
			sched_yield();
		}
		w->bytes += len;
	}
	atomic_fetch_add(&writers_done, 1);
	return NULL;
}

static void *single_writer(void *arg)
{
	struct writer *w = arg;
	int i, ret;

	harness_cpu_bind(1 + w->id);
	for (i = 0; i < SINGLES; i++) {
		while ((ret = PRINTK(w->prog, BPF_STDOUT, "k%d\n", i)) == -ENOSPC) {
			w->retries++;
			sched_yield();
		}
		if (ret)
			abort();
		w->bytes += snprintf(NULL, 0, "k%d\n", i);
	}
	atomic_fetch_add(&writers_done, 1);
	return NULL;
}

CONCURRENT_TEST(concurrent_staged_blocks_arrive_contiguous_exactly_once)
{
	struct bpf_prog *prog = prog_new();
	struct writer w[STAGERS + 1];
	size_t cap = 8 << 20, len = 0;
	char *all = malloc(cap), *line, *save;
	int next_block[STAGERS] = { 0 }, next_single = 0, i;
	int in_w = -1, in_b = -1, in_l = 0, in_n = 0;
	long bytes = 0;
	u64 seed = 1;

	atomic_store(&writers_done, 0);
	for (i = 0; i <= STAGERS; i++) {
		w[i] = (struct writer){ .prog = prog, .id = i };
		pthread_create(&w[i].th, NULL, i < STAGERS ? stager : single_writer, &w[i]);
	}
	for (;;) {
		int done = atomic_load(&writers_done) == STAGERS + 1;
		int n = bpf_prog_stream_read(prog, BPF_STDOUT, all + len,
					     1 + rnd(&seed) % 700);

		if (!ASSERT_TRUE(n >= 0))
			goto out;
		len += n;
		if (!ASSERT_TRUE(len + 1024 < cap))
			goto out;
		if (!n && done)
			break;
		if (!n)
			sched_yield();
	}
	for (i = 0; i <= STAGERS; i++) {
		pthread_join(w[i].th, NULL);
		bytes += w[i].bytes;
	}
	if (!ASSERT_EQ(len, bytes))
		goto out;
	if (!ASSERT_EQ(stream_queued(prog, BPF_STDOUT), 0))
		goto out;
	all[len] = 0;

	for (line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int wi, b, l, n, k;

		if (sscanf(line, "w%d b%d l%d/%d", &wi, &b, &l, &n) == 4) {
			if (in_w >= 0) {
				if (!ASSERT_EQ(wi, in_w))
					goto out;
				if (!ASSERT_EQ(b, in_b))
					goto out;
				if (!ASSERT_EQ(l, in_l))
					goto out;
				if (!ASSERT_EQ(n, in_n))
					goto out;
			} else {
				if (!ASSERT_TRUE(wi >= 0 && wi < STAGERS))
					goto out;
				if (!ASSERT_EQ(b, next_block[wi]))
					goto out;
				if (!ASSERT_EQ(l, 0))
					goto out;
				in_w = wi;
				in_b = b;
				in_n = n;
			}
			in_l = l + 1;
			if (in_l == in_n) {
				next_block[in_w]++;
				in_w = -1;
			}
		} else if (sscanf(line, "k%d", &k) == 1) {
			/* a single line never lands inside a block */
			if (!ASSERT_EQ(in_w, -1))
				goto out;
			if (!ASSERT_EQ(k, next_single))
				goto out;
			next_single++;
		} else {
			test_fail(__FILE__, __LINE__, "garbled line \"%s\"", line);
			break;
		}
	}
	if (!ASSERT_EQ(in_w, -1))
		goto out;
	for (i = 0; i < STAGERS; i++)
		if (!ASSERT_EQ(next_block[i], BLOCKS))
			goto out;
	if (!ASSERT_EQ(next_single, SINGLES))
		goto out;
out:
	free(all);
	prog_free(prog);
}
