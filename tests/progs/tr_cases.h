/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Format cases shared by tests/progs/tr_fmt.bpf.c (BPF side, prints them in
 * this order) and tests/test_transport.c (userspace snprintf of the same
 * format and arguments must give byte-identical lines). Every conversion the
 * kernel's bpf_snprintf accepts: flags [0 +-], a width, l/ll, d i u x X c s %;
 * no precision (the kernel refuses '.'); %p is hashed by the kernel, so it is
 * only load-tested (tests/progs/hdr_args.bpf.c).
 * X(stream, fmt, args...)
 */
#define TR_STR "hello"
#define TR_CASES(X)                                                                      \
	X(1, "no arguments\n")                                                           \
	X(1, "%d %i %u\n", -42, -7, 42U)                                                 \
	X(1, "%d %u\n", -2147483647 - 1, 4294967295U)                                    \
	X(1, "%x %X %x\n", 0xdeadbeefU, 0xdeadbeefU, 0U)                                 \
	X(1, "%ld %lu %lx\n", -1234567890123L, 18446744073709551615UL, 0xfedcba9876UL)   \
	X(1, "%lld %llu %llx\n", -9223372036854775807LL - 1, 12345678901234ULL,          \
	  0x123456789abcdefULL)                                                          \
	X(1, "%c%c%c\n", 'a', 'B', '!')                                                  \
	X(1, "[%s] [%8s] [%-8s]\n", TR_STR, TR_STR, TR_STR)                              \
	X(1, "[%5d] [%-5d] [%05d] [%+d] [% d] [%+d]\n", 42, 42, 42, 42, 42, -42)         \
	X(1, "[%08x] [%-8X] [%5u] [%-6lu] [%020llu]\n", 0xbeefU, 0xbeefU, 7U, 8UL,       \
	  99ULL)                                                                         \
	X(1, "100%% done, %d%%\n", 50)                                                   \
	X(1, "%lX %llX %li %lli\n", 0xabcdefUL, 0xfedcbaULL, -3L, -4LL)                  \
	X(1, "[%3c] [%-3c] [%+5d] [% 5d] [%05u] [%+lld]\n", 'q', 'r', 7, 8, 9U, 10LL)    \
	X(1, "[%s] [%2s] [%-2s] [%s]\n", "", "long", "long", "x")                        \
	X(1, "[%-8d] [%-+6d] [%0+6d]\n", 5, 6, 7)                                       \
	X(1, "%d %d %d %d %d %d %d %d %d %d %d %d\n", 1, -2, 3, -4, 5, -6, 7, -8, 9,    \
	  -10, 11, -12)                                                                  \
	X(2, "stderr %s %d\n", "err", 2)                                                 \
	X(2, "%u %x %lld %c %s %i\n", 1U, 2U, 3LL, '4', "5", 6)                          \
	X(1, "no newline at the end")                                                    \
	X(1, " and its end\n")
