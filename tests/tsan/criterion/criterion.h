/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small stand-in for Criterion, used only by the ThreadSanitizer build
 * (make check-tsan, mk/hardening.mk). Criterion's runner cannot start under
 * TSan (its inheritable arena clashes with TSan's shadow memory: Criterion
 * issue #274, reproduced here with gcc 12 and clang 19), so the same test
 * sources are compiled against this header and tests/tsan/cr_shim.c: every
 * test runs in its own forked child, results are written as TAP in the
 * format tests/run-tests.sh reads.
 *
 * Covered: Test(), TestSuite() with .init/.fini/.timeout/.disabled/
 * .description/.exit_code/.signal, the classic cr_assert_* and cr_expect_* names,
 * cr_skip_test, cr_log*. A test source that uses something else fails to
 * compile in the TSan build, which is then the place to extend this file.
 */
#ifndef CR_SHIM_CRITERION_H
#define CR_SHIM_CRITERION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

struct criterion_test_extra_data {
	void (*init)(void);
	void (*fini)(void);
	double timeout;
	bool disabled;
	const char *description;
	int exit_code;
	int signal;
	void *data;
};

struct cr_shim_test {
	const char *suite;
	const char *name;
	void (*fn)(void);
	void (*init)(void);
	void (*fini)(void);
	double timeout;
	bool disabled;
	const char *description;
	int exit_code;
	int signal;
	void *data;
	struct cr_shim_test *next;
};

struct cr_shim_suite {
	const char *name;
	void (*init)(void);
	void (*fini)(void);
	double timeout;
	bool disabled;
	const char *description;
	int exit_code;
	int signal;
	void *data;
	struct cr_shim_suite *next;
};

void cr_shim_register(struct cr_shim_test *t);
void cr_shim_register_suite(struct cr_shim_suite *s);
/* Record an assertion result; a failed fatal one ends the test. */
void cr_shim_check(int ok, int fatal, const char *file, int line, const char *expr,
		   const char *fmt, ...);
void cr_shim_skip(const char *fmt, ...);
void cr_shim_log(const char *level, const char *fmt, ...);

#define CR_SHIM_ID(a, b) cr_shim_##a##_##b

#define Test(Suite, Name, ...)                                                              \
	static void CR_SHIM_ID(Suite, Name)(void);                                          \
	static struct cr_shim_test CR_SHIM_ID(Suite, Name##_desc) = {                       \
		#Suite, #Name, CR_SHIM_ID(Suite, Name), __VA_ARGS__                         \
	};                                                                                  \
	__attribute__((constructor)) static void CR_SHIM_ID(Suite, Name##_reg)(void)        \
	{                                                                                   \
		cr_shim_register(&CR_SHIM_ID(Suite, Name##_desc));                          \
	}                                                                                   \
	static void CR_SHIM_ID(Suite, Name)(void)

#define TestSuite(Name, ...)                                                                \
	static struct cr_shim_suite CR_SHIM_ID(Name, suite_desc) = { #Name, __VA_ARGS__ };  \
	__attribute__((constructor)) static void CR_SHIM_ID(Name, suite_reg)(void)          \
	{                                                                                   \
		cr_shim_register_suite(&CR_SHIM_ID(Name, suite_desc));                      \
	}

#define CR_SHIM_CHECK(fatal, cond, expr, ...) \
	cr_shim_check(!!(cond), fatal, __FILE__, __LINE__, expr, "" __VA_ARGS__)

#define cr_assert(c, ...) CR_SHIM_CHECK(1, c, #c, __VA_ARGS__)
#define cr_expect(c, ...) CR_SHIM_CHECK(0, c, #c, __VA_ARGS__)
#define cr_assert_not(c, ...) CR_SHIM_CHECK(1, !(c), "!(" #c ")", __VA_ARGS__)
#define cr_expect_not(c, ...) CR_SHIM_CHECK(0, !(c), "!(" #c ")", __VA_ARGS__)
#define cr_assert_fail(...) CR_SHIM_CHECK(1, 0, "fail", __VA_ARGS__)
#define cr_expect_fail(...) CR_SHIM_CHECK(0, 0, "fail", __VA_ARGS__)
#define cr_fail(...) cr_assert_fail(__VA_ARGS__)
#define cr_fatal(...) cr_assert_fail(__VA_ARGS__)

#define CR_SHIM_CMP(f, op, a, b, ...) CR_SHIM_CHECK(f, (a) op (b), #a " " #op " " #b, __VA_ARGS__)
#define cr_assert_eq(a, b, ...) CR_SHIM_CMP(1, ==, a, b, __VA_ARGS__)
#define cr_assert_neq(a, b, ...) CR_SHIM_CMP(1, !=, a, b, __VA_ARGS__)
#define cr_assert_lt(a, b, ...) CR_SHIM_CMP(1, <, a, b, __VA_ARGS__)
#define cr_assert_leq(a, b, ...) CR_SHIM_CMP(1, <=, a, b, __VA_ARGS__)
#define cr_assert_gt(a, b, ...) CR_SHIM_CMP(1, >, a, b, __VA_ARGS__)
#define cr_assert_geq(a, b, ...) CR_SHIM_CMP(1, >=, a, b, __VA_ARGS__)
#define cr_expect_eq(a, b, ...) CR_SHIM_CMP(0, ==, a, b, __VA_ARGS__)
#define cr_expect_neq(a, b, ...) CR_SHIM_CMP(0, !=, a, b, __VA_ARGS__)
#define cr_expect_lt(a, b, ...) CR_SHIM_CMP(0, <, a, b, __VA_ARGS__)
#define cr_expect_leq(a, b, ...) CR_SHIM_CMP(0, <=, a, b, __VA_ARGS__)
#define cr_expect_gt(a, b, ...) CR_SHIM_CMP(0, >, a, b, __VA_ARGS__)
#define cr_expect_geq(a, b, ...) CR_SHIM_CMP(0, >=, a, b, __VA_ARGS__)

#define cr_assert_null(p, ...) CR_SHIM_CHECK(1, (p) == NULL, #p " == NULL", __VA_ARGS__)
#define cr_assert_not_null(p, ...) CR_SHIM_CHECK(1, (p) != NULL, #p " != NULL", __VA_ARGS__)
#define cr_expect_null(p, ...) CR_SHIM_CHECK(0, (p) == NULL, #p " == NULL", __VA_ARGS__)
#define cr_expect_not_null(p, ...) CR_SHIM_CHECK(0, (p) != NULL, #p " != NULL", __VA_ARGS__)

#define CR_SHIM_STR(f, op, a, b, ...) \
	CR_SHIM_CHECK(f, strcmp((a), (b)) op 0, "strcmp(" #a ", " #b ") " #op " 0", __VA_ARGS__)
#define cr_assert_str_eq(a, b, ...) CR_SHIM_STR(1, ==, a, b, __VA_ARGS__)
#define cr_assert_str_neq(a, b, ...) CR_SHIM_STR(1, !=, a, b, __VA_ARGS__)
#define cr_expect_str_eq(a, b, ...) CR_SHIM_STR(0, ==, a, b, __VA_ARGS__)
#define cr_expect_str_neq(a, b, ...) CR_SHIM_STR(0, !=, a, b, __VA_ARGS__)
#define cr_assert_str_empty(a, ...) CR_SHIM_CHECK(1, !*(a), #a " is empty", __VA_ARGS__)
#define cr_assert_str_not_empty(a, ...) CR_SHIM_CHECK(1, *(a), #a " is not empty", __VA_ARGS__)
#define cr_expect_str_empty(a, ...) CR_SHIM_CHECK(0, !*(a), #a " is empty", __VA_ARGS__)
#define cr_expect_str_not_empty(a, ...) CR_SHIM_CHECK(0, *(a), #a " is not empty", __VA_ARGS__)

#define cr_assert_arr_eq(a, b, n, ...) \
	CR_SHIM_CHECK(1, !memcmp((a), (b), (n)), "memcmp(" #a ", " #b ") == 0", __VA_ARGS__)
#define cr_assert_arr_neq(a, b, n, ...) \
	CR_SHIM_CHECK(1, memcmp((a), (b), (n)), "memcmp(" #a ", " #b ") != 0", __VA_ARGS__)
#define cr_expect_arr_eq(a, b, n, ...) \
	CR_SHIM_CHECK(0, !memcmp((a), (b), (n)), "memcmp(" #a ", " #b ") == 0", __VA_ARGS__)
#define cr_assert_float_eq(a, b, eps, ...) \
	CR_SHIM_CHECK(1, fabs((double)(a) - (double)(b)) <= (eps), #a " ~= " #b, __VA_ARGS__)
#define cr_expect_float_eq(a, b, eps, ...) \
	CR_SHIM_CHECK(0, fabs((double)(a) - (double)(b)) <= (eps), #a " ~= " #b, __VA_ARGS__)

#define cr_skip_test(...) cr_shim_skip("" __VA_ARGS__)
#define cr_log_info(...) cr_shim_log("info", __VA_ARGS__)
#define cr_log_warn(...) cr_shim_log("warn", __VA_ARGS__)
#define cr_log_error(...) cr_shim_log("error", __VA_ARGS__)

#endif /* CR_SHIM_CRITERION_H */
