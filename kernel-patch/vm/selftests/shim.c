// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal stand-in for test_progs, to run the tree's
 * tools/testing/selftests/bpf/prog_tests/stream.c (patch 8) without the full
 * selftests build. The tree's test_loader.c (RUN_TESTS(): test_stream_failure
 * and test_stream_success) and the helpers it calls (testing_helpers.c,
 * cap_helpers.c, unpriv_helpers.c, disasm_helpers.c, disasm.c,
 * jit_disasm_helpers.c without LLVM) are compiled unmodified beside it;
 * what they and the tests take from test_progs.c is here, sorted as the
 * kernel's userspace test harnesses sort their shims:
 *
 *  - duplicates: test_progs.c's definitions, redone as they are there;
 *  - stubs: none are left (test_loader.c is the real one now);
 *  - custom: test_progs.c's bookkeeping cut down to one process, no output
 *    capture, no filters: pass/fail/skip per test and per subtest, printed
 *    as test_progs prints them ("#N/M test/subtest:OK"), and a main() that
 *    runs the tests named on its command line (all without arguments) in
 *    order; -v / -vv raise env.verbosity (test_loader.c then prints every
 *    verifier log, not only a failing one's); -s FILE skips the subtests it
 *    lists ("test/subtest<TAB>reason" lines, written by selftests.sh from
 *    vm/selftests/config-skips for what the kernel's config cannot pass)
 *    and prints the reason, as test_progs skips a denied subtest.
 */
#include <test_progs.h>

/* ---- duplicates: test_progs.c ------------------------------------------ */

/* test_loader.c reads env.verbosity, jit_disasm_helpers.c env.jit_enabled */
struct test_env env = {};

bool test__start_subtest(const char *subtest_name)
{
	return test__start_subtest_with_desc(subtest_name, NULL);
}

/* ---- custom: results of one process ------------------------------------ */

static const char *test_name;
static int test_num;
static int failures, skipped;		/* the test's own, outside subtests */
static int sub_num, sub_ok, sub_skip, sub_fail;
static const char *sub_name;		/* non-NULL while a subtest runs */
static int sub_failures;
static bool sub_skipped;

void test__fail(void)
{
	if (sub_name)
		sub_failures++;
	else
		failures++;
}

void test__skip(void)
{
	if (sub_name)
		sub_skipped = true;
	else
		skipped++;
}

void test__end_subtest(void)
{
	if (!sub_name)
		return;
	printf("#%d/%d %s/%s:%s\n", test_num, sub_num, test_name, sub_name,
	       sub_failures ? "FAIL" : sub_skipped ? "SKIP" : "OK");
	if (sub_failures)
		sub_fail++;
	else if (sub_skipped)
		sub_skip++;
	else
		sub_ok++;
	free((void *)sub_name);
	sub_name = NULL;
}

/* -s FILE: "test/subtest<TAB>reason" lines */
static char *skip_list;

static const char *skip_reason(const char *subtest_name)
{
	size_t tlen = strlen(test_name), slen = strlen(subtest_name);
	const char *line;

	for (line = skip_list; line && *line; line = strchr(line, '\n') + 1) {
		if (!strncmp(line, test_name, tlen) && line[tlen] == '/' &&
		    !strncmp(line + tlen + 1, subtest_name, slen) && line[tlen + 1 + slen] == '\t')
			return line + tlen + slen + 2;
		if (!strchr(line, '\n'))
			break;
	}
	return NULL;
}

static int read_skip_list(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t len = 0;
	ssize_t n;

	if (!f) {
		fprintf(stderr, "shim: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = getdelim(&skip_list, &len, '\0', f);
	fclose(f);
	if (n < 0) {	/* empty file: nothing to skip */
		free(skip_list);
		skip_list = NULL;
	}
	return 0;
}

bool test__start_subtest_with_desc(const char *subtest_name, const char *subtest_desc)
{
	const char *reason;
	int len;

	test__end_subtest();
	sub_num++;
	reason = skip_reason(subtest_name);
	if (reason) {
		len = strcspn(reason, "\n");
		printf("#%d/%d %s/%s:SKIP (%.*s)\n", test_num, sub_num, test_name,
		       subtest_desc ? subtest_desc : subtest_name, len, reason);
		sub_skip++;
		return false;
	}
	sub_name = strdup(subtest_desc ? subtest_desc : subtest_name);
	sub_failures = 0;
	sub_skipped = false;
	return sub_name != NULL;
}

void test_stream_syscall(void);
void test_stream_arena_fault_address(void);
void test_stream_fd(void);
void test_stream_failure(void);
void test_stream_success(void);

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "stream_syscall", test_stream_syscall },
	{ "stream_arena_fault_address", test_stream_arena_fault_address },
	{ "stream_fd", test_stream_fd },
	{ "stream_failure", test_stream_failure },
	{ "stream_success", test_stream_success },
};

static bool wanted(const char *name, int argc, char **argv)
{
	bool any = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		any = true;
		if (!strcmp(argv[i], name))
			return true;
	}
	return !any;
}

int main(int argc, char **argv)
{
	int total_fail = 0, run = 0;
	size_t i;
	int a;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-s") && a + 1 < argc) {
			if (read_skip_list(argv[++a]))
				return 1;
			argv[a] = "-";	/* not a test name */
		} else if (!strcmp(argv[a], "-v"))
			env.verbosity = VERBOSE_NORMAL;
		else if (!strcmp(argv[a], "-vv"))
			env.verbosity = VERBOSE_VERY;
	}
	env.jit_enabled = is_jit_enabled();
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		if (!wanted(tests[i].name, argc, argv))
			continue;
		run++;
		test_name = tests[i].name;
		test_num = i + 1;
		failures = skipped = 0;
		sub_num = sub_ok = sub_skip = sub_fail = 0;
		tests[i].fn();
		test__end_subtest();
		failures += sub_fail;
		/* as test_progs: SKIP when nothing passed and something skipped */
		if (failures)
			printf("#%d %s:FAIL\n", test_num, test_name);
		else if ((skipped || sub_skip) && !sub_ok)
			printf("#%d %s:SKIP\n", test_num, test_name);
		else if (sub_skip)
			printf("#%d %s:OK (SKIP: %d/%d)\n", test_num, test_name, sub_skip, sub_num);
		else
			printf("#%d %s:OK\n", test_num, test_name);
		total_fail += !!failures;
	}
	printf("shim: %d of %d tests failed\n", total_fail, run);
	return total_fail ? 1 : 0;
}
