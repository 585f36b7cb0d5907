/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal test runner in the style of the kernel's userspace harnesses.
 * TEST() registers a test; CONCURRENT_TEST() one that also runs under
 * ThreadSanitizer. Assertions print both values and return whether they
 * held (below).
 */
#ifndef _STREAM_TEST_H
#define _STREAM_TEST_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "harness.h"

typedef void (*test_fn)(void);
void test_register(const char *name, test_fn fn, int concurrent);
void test_register_skip(const char *name, const char *reason, int concurrent);
extern __thread int test_failed;

#define __TEST(name, conc)						\
	static void name(void);						\
	__attribute__((constructor)) static void reg_##name(void)	\
	{ test_register(#name, name, conc); }				\
	static void name(void)
#define TEST(name)		__TEST(name, 0)
#define CONCURRENT_TEST(name)	__TEST(name, 1)
/* A test the code under test cannot run, and why. */
#define SKIP_TEST(name, conc, reason)					\
	__attribute__((constructor)) static void reg_##name(void)	\
	{ test_register_skip(#name, reason, conc); }

/*
 * Features of the stream code under test. The project's core has all;
 * a kernel tree's stream.c (STREAM_C) says what it has in harness/tree.
 */
#ifndef STREAM_C
#define HAVE_STREAM_REPORT_CAP	1
#define HAVE_STREAM_POLL	1
#endif
#ifndef BPF_STREAM_MSG_MAX
/* One message: the 1024-byte bprintf buffer less its NUL. */
#define BPF_STREAM_MSG_MAX	(MAX_BPRINTF_BUF - 1)
#endif

void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Assertions are bool-valued, as test_progs' ASSERT_*(): true when they
 * hold; otherwise the failure is printed with both values, the test is
 * marked failed, and the caller decides what to do, most often
 *	if (!ASSERT_EQ(ret, 0))
 *		goto out;
 * to free what the test holds.
 */
#define ASSERT_EQ(a, b) ({						\
	long long __a = (long long)(a), __b = (long long)(b);		\
	bool __ok = __a == __b;						\
	if (!__ok)							\
		test_fail(__FILE__, __LINE__, "%s == %s: got %lld, expected %lld", \
			  #a, #b, __a, __b);				\
	__ok;								\
})

#define ASSERT_TRUE(c) ({						\
	bool __ok = !!(c);						\
	if (!__ok)							\
		test_fail(__FILE__, __LINE__, "%s is false", #c);	\
	__ok;								\
})

#define ASSERT_MEM(got, exp, n) ({					\
	size_t __n = (n);						\
	bool __ok = !memcmp((got), (exp), __n);				\
	if (!__ok)							\
		test_fail(__FILE__, __LINE__,				\
			  "%s == %s (%zu bytes): got \"%.*s\", expected \"%.*s\"", \
			  #got, #exp, __n, (int)(__n > 80 ? 80 : __n),	\
			  (const char *)(got), (int)(__n > 80 ? 80 : __n), \
			  (const char *)(exp));				\
	__ok;								\
})

/* fixture.c: programs, drains and a seeded PRNG shared by the tests */
struct bpf_prog *prog_new(void);
void prog_free(struct bpf_prog *prog);
int stream_queued(struct bpf_prog *prog, int stream_id);
/* Read until empty with reads of @chunk bytes; returns bytes or -errno. */
long drain(struct bpf_prog *prog, int stream_id, char *buf, size_t cap, u32 chunk);
u64 rnd(u64 *state);

/* The BPF-side call: args packed as u64, never a NULL args pointer. */
#define PRINTK(prog, id, fmt, ...) ({					\
	u64 __args[] = { 0, ##__VA_ARGS__ };				\
	bpf_stream_vprintk((id), (fmt), __args + 1,			\
			   sizeof(__args) - sizeof(u64), (prog)->aux); })

#define PTR(p)	((u64)(uintptr_t)(p))

#endif
