/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Formats of the ring-format property test (tests/test_ringfmt.c), each
 * printed with three arguments; I = integer argument, S = string argument.
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
	X(19, "%-30s|%030s|%c\n", S, S, I)                      \
	X(20, "<%11111111111d>\n", I, I, I)                     \
	X(21, "<%-22222222222u|%3333333333x>\n", I, I, I)       \
	X(22, "<%4444444444s|%-5555555555c>\n", S, I, I)        \
	X(23, "<%066666666666lld|%+7777777777i>\n", I, I, I)    \
	X(24, "[%s]\n", S, I, I)                                \
	X(25, "%8888d\n%c\n", I, I, I)                          \
	X(26, "%9999d%c%c\n", I, I, I)

#define RF_NR_CASES 27
/* Cases 0..19 have three conversions. From 20 on: widths of 10 and 11
 * digits that the test overwrites in .rodata before each load (random
 * widths of 2^32 and more: the kernel's width wraps at 32 bits; as built
 * they are widths the kernel WARNs about, never run), surplus arguments
 * (fewer conversions than the three arguments), and 4-digit widths the
 * test sets to 1000..1030 with NULs from %c near the 1023-byte cut. */
#define RF_NR_BASE_CASES 20
/* The case whose text passes the 1023-byte message limit: native streams
 * keep its first 1023 bytes with no line end (the next message continues
 * that line), the ring delivers them as one line flagged TRUNCATED. */
#define RF_CASE_OVER_LIMIT 18
#define RF_STR_MAX 520	/* room of one string argument */
#define RF_TEXT_MAX 1024	/* bpf_snprintf output room: the transport's limit + NUL */

#endif /* __RF_CASES_H */
