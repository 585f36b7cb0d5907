// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal stand-in for test_progs, to run the tree's
 * tools/testing/selftests/bpf/prog_tests/stream.c (patch 8) without the full
 * selftests build: the ASSERT_* macros of the tree's own test_progs.h call
 * test__fail(); this file provides that, test__skip(), the subtest and
 * test_loader hooks (the RUN_TESTS() cases, test_stream_failure/success,
 * need the verifier-log machinery of test_loader.c and are reported as not
 * run), and a main() that runs the tests named on its command line (all
 * without arguments) in order.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct test_loader;
struct bpf_object_open_opts;

static int failures, skipped;

void test__fail(void)
{
	failures++;
}

void test__skip(void)
{
	skipped++;
}

bool test__start_subtest(const char *name)
{
	return true;
}

void test_loader__run_subtests(struct test_loader *tester, const char *skel_name,
			       void *elf_bytes_factory)
{
	printf("  (RUN_TESTS(%s) not run: needs test_loader.c)\n", skel_name);
	skipped++;
}

void test_loader_fini(struct test_loader *tester)
{
}

void test_stream_syscall(void);
void test_stream_arena_fault_address(void);
void test_stream_capacity_refund(void);
void test_stream_long_message(void);
void test_stream_read_edges(void);
void test_stream_poll(void);
void test_stream_failure(void);
void test_stream_success(void);

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "stream_syscall", test_stream_syscall },
	{ "stream_arena_fault_address", test_stream_arena_fault_address },
	{ "stream_capacity_refund", test_stream_capacity_refund },
	{ "stream_long_message", test_stream_long_message },
	{ "stream_read_edges", test_stream_read_edges },
	{ "stream_poll", test_stream_poll },
	{ "stream_failure", test_stream_failure },
	{ "stream_success", test_stream_success },
};

static bool wanted(const char *name, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return argc < 2;
}

int main(int argc, char **argv)
{
	int total_fail = 0, run = 0;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (!wanted(tests[i].name, argc, argv))
			continue;
		run++;
		failures = skipped = 0;
		tests[i].fn();
		printf("#%zu %s:%s\n", i + 1, tests[i].name,
		       failures ? "FAIL" : skipped ? "SKIP" : "OK");
		total_fail += !!failures;
	}
	printf("shim: %d of %d tests failed\n", total_fail, run);
	return total_fail ? 1 : 0;
}
