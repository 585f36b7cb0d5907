// SPDX-License-Identifier: GPL-2.0
/*
 * Test runner. Usage: stream_test [-c] [filter]
 *   -c      run only the concurrency tests (the ThreadSanitizer build)
 *   filter  run only tests whose name contains it
 * After each test every page it took must be back with the page allocator.
 */
#include <stdarg.h>
#include <stdlib.h>
#include "test.h"

#define MAX_TESTS 128

static struct {
	const char *name;
	test_fn fn;
	int concurrent;
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
	int only_conc = 0, passed = 0, failed = 0, i;
	const char *filter = NULL;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-c"))
			only_conc = 1;
		else
			filter = argv[i];
	}
	/* registration order depends on the link: run in name order */
	qsort(tests, nr_tests, sizeof(tests[0]), cmp_name);
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (i = 0; i < nr_tests; i++) {
		long live, base;

		if (only_conc && !tests[i].concurrent)
			continue;
		if (filter && !strstr(tests[i].name, filter))
			continue;
		test_failed = 0;
		harness_pages_fail_after(-1);
		harness_uaccess_fault_from(NULL);
		harness_cpu_bind(0);
		/* a failed test may leak pages: later tests count from here */
		harness_stream_drop_cpu_caches();
		base = harness_pages_live();
		tests[i].fn();
		harness_pages_fail_after(-1);
		harness_stream_drop_cpu_caches();
		live = harness_pages_live() - base;
		if (!test_failed && live) {
			test_fail(__FILE__, __LINE__,
				  "pages live after the test: got %ld, expected 0", live);
		}
		printf("%s %s\n", test_failed ? "FAIL" : "ok  ", tests[i].name);
		if (test_failed)
			failed++;
		else
			passed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
