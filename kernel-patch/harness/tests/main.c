// SPDX-License-Identifier: GPL-2.0
/*
 * Test runner. Usage: stream_test [-c] [filter]
 *   -c      run only the concurrency tests (the ThreadSanitizer build)
 *   filter  run only tests whose name contains it
 *   -x F    the expected-failure list F: tests named there must fail (the
 *           bugs of a kernel as released), all others must pass
 * After each test every object it allocated must be freed and every file
 * it opened closed. Tests that cannot run on this code say why (skip).
 */
#include <stdarg.h>
#include <stdlib.h>
#include "test.h"

#define MAX_TESTS 128

static struct {
	const char *name;
	test_fn fn;
	int concurrent;
	const char *skip;
	int xfail;
} tests[MAX_TESTS];
static int nr_tests;
__thread int test_failed;

void test_register(const char *name, test_fn fn, int concurrent)
{
	if (nr_tests == MAX_TESTS)
		abort();
	tests[nr_tests].name = name;
	tests[nr_tests].fn = fn;
	tests[nr_tests].concurrent = concurrent;
	nr_tests++;
}

void test_register_skip(const char *name, const char *reason, int concurrent)
{
	test_register(name, NULL, concurrent);
	tests[nr_tests - 1].skip = reason;
}

static void read_xfail(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");
	int i;

	if (!f) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, " \t\n#")] = 0;
		if (!line[0])
			continue;
		for (i = 0; i < nr_tests && strcmp(tests[i].name, line); i++)
			;
		if (i == nr_tests) {
			fprintf(stderr, "%s: no test named %s\n", path, line);
			exit(2);
		}
		tests[i].xfail = 1;
	}
	fclose(f);
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	test_failed = 1;
}

static int cmp_name(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	return strcmp(x, y);
}

int main(int argc, char **argv)
{
	int only_conc = 0, passed = 0, failed = 0, skipped = 0, xfailed = 0, i;
	const char *filter = NULL, *xfail = NULL;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-c"))
			only_conc = 1;
		else if (!strcmp(argv[i], "-x") && i + 1 < argc)
			xfail = argv[++i];
		else
			filter = argv[i];
	}
	if (xfail)
		read_xfail(xfail);
	/* registration order depends on the link: run in name order */
	qsort(tests, nr_tests, sizeof(tests[0]), cmp_name);
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (i = 0; i < nr_tests; i++) {
		long live, files;

		if (only_conc && !tests[i].concurrent)
			continue;
		if (filter && !strstr(tests[i].name, filter))
			continue;
		if (tests[i].skip) {
			printf("skip %s: %s\n", tests[i].name, tests[i].skip);
			skipped++;
			continue;
		}
		test_failed = 0;
		harness_kmalloc_fail_after(-1);
		harness_uaccess_fault_from(NULL);
		harness_cpu_bind(0);
		/* a failed test may leak: later tests count from here */
		live = harness_kmalloc_live();
		files = harness_files_open();
		tests[i].fn();
		harness_kmalloc_fail_after(-1);
		if (!test_failed && harness_files_open() != files)
			test_fail(__FILE__, __LINE__, "files open after the test: got %ld, expected %ld",
				  harness_files_open(), files);
		if (!test_failed && harness_kmalloc_live() != live)
			test_fail(__FILE__, __LINE__, "objects live after the test: got %ld, expected 0",
				  harness_kmalloc_live() - live);
		if (tests[i].xfail) {
			/* the bug this test proves is present: expected */
			printf("%s %s\n", test_failed ? "xfail" : "XPASS", tests[i].name);
			if (test_failed)
				xfailed++;
			else
				failed++;
			continue;
		}
		printf("%s %s\n", test_failed ? "FAIL" : "ok  ", tests[i].name);
		if (test_failed)
			failed++;
		else
			passed++;
	}
	printf("%d passed, %d failed, %d skipped, %d expected failures\n",
	       passed, failed, skipped, xfailed);
	return failed ? 1 : 0;
}
