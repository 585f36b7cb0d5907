/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Formats of the ring-format property test (tests/test_ringfmt.c): each
 * has exactly three conversions; I = integer argument, S = string argument.
 * Shared by rf_prop.bpf.c (which prints them) and the test (which picks
 * values for them).
 */
#ifndef __RF_CASES_H
#define __RF_CASES_H

#define RF_CASES(X)                                             \
	X(0, "%d|%i|%u\n", I, I, I)                             \
	X(1, "%x|%X|%c\n", I, I, I)                             \
	X(2, "%ld|%li|%lu\n", I, I, I)                          \
	X(3, "%lld|%llx|%llX\n", I, I, I)                       \
	X(4, "%5d|%-5d|%05d\n", I, I, I)                        \
	X(5, "%+d|% d|%+ d\n", I, I, I)                         \
	X(6, "%-+8d|%0+8d|%- 8i\n", I, I, I)                    \
	X(7, "%20llu|%-20lld|%020llx\n", I, I, I)               \
	X(8, "%+u|% x|%+X\n", I, I, I)                          \
	X(9, "%s|%5s|%-5s\n", S, S, S)                          \
	X(10, "[%c][%3c][%-3c]\n", I, I, I)                     \
	X(11, "%d %s %llu\n", I, S, I)                          \
	X(12, "%%|%d%%|%-0 +12ld%%|%u\n", I, I, I)              \
	X(13, "%08x|%-8X|%8lx\n", I, I, I)                      \
	X(14, "%s%s%s\n", S, S, S)                              \
	X(15, "%1d|%10u|%0i\n", I, I, I)                        \
	X(16, "%lu|%lx|%lX\n", I, I, I)                         \
	X(17, "x%cy%cz%c\n", I, I, I)                           \
	X(18, "%600d|%600lld|%d\n", I, I, I)                    \
	X(19, "%-30s|%030s|%c\n", S, S, I)

#define RF_NR_CASES 20
/* The case whose text passes the 1023-byte message limit: native streams
 * keep its first 1023 bytes with no line end (the next message continues
 * that line), the ring delivers them as one line flagged TRUNCATED. */
#define RF_CASE_OVER_LIMIT 18
#define RF_STR_MAX 520	/* room of one string argument */
#define RF_TEXT_MAX 1024	/* bpf_snprintf output room: the transport's limit + NUL */

#endif /* __RF_CASES_H */
