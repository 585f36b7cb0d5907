// SPDX-License-Identifier: GPL-2.0
/* Element lifetime: every kmalloc_nolock() object goes back exactly once. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include "test.h"

TEST(drain_frees_every_element)
{
	struct bpf_prog *prog = prog_new();
	char *buf = malloc(1 << 20);
	unsigned long before = harness_kmalloc_allocated();
	long base = harness_kmalloc_live();
	int i;

	for (i = 0; i < 900; i++)
		if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "%d %s\n", i,
				      PTR("a line of about one hundred bytes, give or take some, "
				          "written many times over")), 0))
			goto out;
	if (!ASSERT_EQ(harness_kmalloc_allocated() - before, 900))
		goto out;
	if (!ASSERT_EQ(harness_kmalloc_live() - base, 900))
		goto out;
	if (!ASSERT_TRUE(drain(prog, BPF_STDOUT, buf, 1 << 20, 3000) > 0))
		goto out;
	if (!ASSERT_EQ(harness_kmalloc_live() - base, 0))
		goto out;
out:
	free(buf);
	prog_free(prog);
}

TEST(program_free_frees_unread_elements)
{
	struct bpf_prog *prog = prog_new();
	struct bpf_stream_stage ss;
	long base = harness_kmalloc_live();
	char buf[8];
	int i;

	for (i = 0; i < 3000; i++) {
		if (!ASSERT_EQ(PRINTK(prog, i & 1 ? BPF_STDOUT : BPF_STDERR,
				      "unread message number %d\n", i), 0))
			return;
	}
	bpf_stream_stage_init(&ss);
	if (!ASSERT_EQ(bpf_stream_printk(ss, "staged %d\n", 1), 0))
		return;
	if (!ASSERT_EQ(bpf_stream_stage_commit(&ss, prog, BPF_STDERR), 0))
		return;
	bpf_stream_stage_free(&ss);
	/* a partly read element too */
	if (!ASSERT_EQ(bpf_prog_stream_read(prog, BPF_STDOUT, buf, 3), 3))
		return;
	if (!ASSERT_EQ(harness_kmalloc_live() - base, 3001))
		return;
	prog_free(prog);
	if (!ASSERT_EQ(harness_kmalloc_live() - base, 0))
		return;
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
	for (i = 0; i < 200; i++)
		if (PRINTK(cw->prog, BPF_STDOUT, "cpu %d msg %d\n", cw->cpu, i))
			abort();
	return NULL;
}

/* Elements written on several CPUs are freed by a reader on another thread. */
CONCURRENT_TEST(concurrent_writers_on_all_cpus_then_free_frees_everything)
{
	struct bpf_prog *prog = prog_new();
	struct cpu_writer cw[HARNESS_NR_CPUS];
	pthread_t th[HARNESS_NR_CPUS];
	char *buf = malloc(1 << 20);
	long base = harness_kmalloc_live();
	int i;

	for (i = 0; i < HARNESS_NR_CPUS; i++) {
		cw[i] = (struct cpu_writer){ .prog = prog, .cpu = i };
		pthread_create(&th[i], NULL, write_on_cpu, &cw[i]);
	}
	for (i = 0; i < HARNESS_NR_CPUS; i++)
		pthread_join(th[i], NULL);
	if (!ASSERT_EQ(harness_kmalloc_live() - base, HARNESS_NR_CPUS * 200))
		goto out;
	if (!ASSERT_TRUE(drain(prog, BPF_STDOUT, buf, 1 << 20, 1000) > 0))
		goto out;
	if (!ASSERT_EQ(harness_kmalloc_live() - base, 0))
		goto out;
	for (i = 0; i < HARNESS_NR_CPUS; i++)
		pthread_create(&th[i], NULL, write_on_cpu, &cw[i]);
	for (i = 0; i < HARNESS_NR_CPUS; i++)
		pthread_join(th[i], NULL);
	prog_free(prog);
	if (!ASSERT_EQ(harness_kmalloc_live() - base, 0))
		goto out;
out:
	free(buf);
}
