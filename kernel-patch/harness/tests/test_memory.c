// SPDX-License-Identifier: GPL-2.0
/* Page lifetime: per-page refcounts across streams and programs. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include "test.h"

TEST(drain_gives_back_every_page_but_the_cpu_cache)
{
	struct bpf_prog *prog = prog_new();
	char *buf = malloc(1 << 20);
	unsigned long before = harness_pages_allocated();
	long base = harness_pages_live();
	int i;

	for (i = 0; i < 5000; i++)
		ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "%d %s\n", i,
				 PTR("a line of about one hundred bytes, give or take some, "
				     "written many times over")), 0);
	ASSERT_TRUE(harness_pages_allocated() - before > 100);
	ASSERT_TRUE(harness_pages_live() - base > 100);
	ASSERT_TRUE(drain(prog, BPF_STDOUT, buf, 1 << 20, 3000) > 0);
	/* only this CPU's cached page is left */
	ASSERT_EQ(harness_pages_live() - base, 1);
	harness_stream_drop_cpu_caches();
	ASSERT_EQ(harness_pages_live() - base, 0);
	free(buf);
	prog_free(prog);
}

TEST(program_free_gives_back_unread_pages)
{
	struct bpf_prog *prog = prog_new();
	struct bpf_stream_stage ss;
	long base = harness_pages_live();
	char buf[8];
	int i;

	for (i = 0; i < 3000; i++) {
		ASSERT_EQ(PRINTK(prog, i & 1 ? BPF_STDOUT : BPF_STDERR,
				 "unread message number %d\n", i), 0);
	}
	bpf_stream_stage_init(&ss);
	ASSERT_EQ(bpf_stream_printk(ss, "staged %d\n", 1), 0);
	ASSERT_EQ(bpf_stream_stage_commit(&ss, prog, BPF_STDERR), 0);
	bpf_stream_stage_free(&ss);
	/* a partly read element too */
	ASSERT_EQ(bpf_prog_stream_read(prog, BPF_STDOUT, buf, 3), 3);
	ASSERT_TRUE(harness_pages_live() - base > 10);
	prog_free(prog);
	ASSERT_EQ(harness_pages_live() - base, 1);
}

/* One page holds messages of two programs; it lives until both let go. */
TEST(page_shared_by_two_programs_lives_until_both_release)
{
	struct bpf_prog *a = prog_new(), *b = prog_new();
	char buf[16];
	long base;

	harness_stream_drop_cpu_caches();
	base = harness_pages_live();
	ASSERT_EQ(PRINTK(a, BPF_STDOUT, "from a"), 0);
	ASSERT_EQ(PRINTK(b, BPF_STDOUT, "from b"), 0);
	ASSERT_EQ(harness_pages_live() - base, 1);
	harness_stream_drop_cpu_caches();
	ASSERT_EQ(harness_pages_live() - base, 1);
	prog_free(a);
	ASSERT_EQ(harness_pages_live() - base, 1);
	ASSERT_EQ(bpf_prog_stream_read(b, BPF_STDOUT, buf, sizeof(buf)), 6);
	ASSERT_MEM(buf, "from b", 6);
	ASSERT_EQ(harness_pages_live() - base, 0);
	prog_free(b);
}

struct cpu_writer {
	struct bpf_prog *prog;
	int cpu;
};

static void *write_on_cpu(void *arg)
{
	struct cpu_writer *cw = arg;
	int i;

	harness_cpu_bind(cw->cpu);
	for (i = 0; i < 2000; i++)
		if (PRINTK(cw->prog, BPF_STDOUT, "cpu %d msg %d\n", cw->cpu, i))
			abort();
	return NULL;
}

/* Pages carved on several CPUs are freed by a reader on another thread. */
CONCURRENT_TEST(concurrent_writers_on_all_cpus_then_free_returns_every_page)
{
	struct bpf_prog *prog = prog_new();
	struct cpu_writer cw[HARNESS_NR_CPUS];
	pthread_t th[HARNESS_NR_CPUS];
	char *buf = malloc(1 << 20);
	long base = harness_pages_live();
	int i;

	for (i = 0; i < HARNESS_NR_CPUS; i++) {
		cw[i] = (struct cpu_writer){ .prog = prog, .cpu = i };
		pthread_create(&th[i], NULL, write_on_cpu, &cw[i]);
	}
	for (i = 0; i < HARNESS_NR_CPUS; i++)
		pthread_join(th[i], NULL);
	ASSERT_TRUE(drain(prog, BPF_STDOUT, buf, 1 << 20, 1 << 16) > 0);
	ASSERT_TRUE(harness_pages_live() - base <= HARNESS_NR_CPUS);
	prog_free(prog);
	harness_stream_drop_cpu_caches();
	ASSERT_EQ(harness_pages_live() - base, 0);
	free(buf);
}
