/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What every benchmark program shares: the message (one two-argument
 * format, the same text in every variant) and the per-call result counters.
 */
#ifndef __BENCH_COMMON_BPF_H
#define __BENCH_COMMON_BPF_H

/* 19..26 bytes once formatted ("bench: seq=123456 len=64\n" is 25). */
#define BENCH_FMT "bench: seq=%llu len=%u\n"
/* The one-string message of the table: 17 bytes with ("abc"). */
#define BENCH_FMT_STR "value=%d name=%s\n"
#define BENCH_STR "abc"

#ifndef ENOMEM
#define ENOMEM 12
#endif
#ifndef EINVAL
#define EINVAL 22
#endif
#ifndef ENOSPC
#define ENOSPC 28
#endif

/* Result counters, indexed by the negated return value (0 = success). */
#define BENCH_NR_RET 64

static __always_inline void bench_count(__u64 *rets, long ret)
{
	__u32 idx = ret < 0 ? (__u32)-ret : 0;

	if (idx >= BENCH_NR_RET)
		idx = BENCH_NR_RET - 1;
	/* Keep the mask: the verifier needs a bound it can see. */
	asm volatile("" : "+r"(idx));
	rets[idx & (BENCH_NR_RET - 1)]++;
}

#endif /* __BENCH_COMMON_BPF_H */
