// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf_stream_printk() as users write it: one program, measured on whichever
 * transport userspace selects (bpf_stream_transport_sel, set by
 * bpf_stream_prepare_opts()). Used for the BPF-side cost per message and
 * for the end-to-end rate. Builds without <bpf_stream.h> too (then the
 * program does nothing and bench_have_stream tells userspace so).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bench_common.bpf.h"

#if __has_include(<bpf_stream.h>)
#include <bpf_stream.h>
#define BENCH_HAVE_STREAM 1
#else
#define BENCH_HAVE_STREAM 0
#endif

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile int bench_have_stream = BENCH_HAVE_STREAM;
__u64 seq;
__u64 rets[BENCH_NR_RET];

SEC("xdp")
int bench_stream(struct xdp_md *ctx)
{
#if BENCH_HAVE_STREAM
	__u32 len = ctx->data_end - ctx->data;

	bench_count(rets, bpf_stream_printk(BPF_STDOUT, BENCH_FMT, seq++, len));
#endif
	return XDP_PASS;
}

SEC("xdp")
int bench_stream_str(struct xdp_md *ctx)
{
#if BENCH_HAVE_STREAM
	static const char name[] = BENCH_STR;

	bench_count(rets, bpf_stream_printk(BPF_STDOUT, BENCH_FMT_STR, 42 + (int)(seq++ & 1), name));
#endif
	return XDP_PASS;
}

/* The end-to-end producer: a syscall program printing ctx->n messages in a
 * bpf_loop(), counted atomically because two CPUs may run it at once.
 * (Not xdp with repeat: each such test run waits for an RCU grace period
 * while it swaps the xdp dispatcher, which would dominate short batches.) */
__u64 e2e_rets[BENCH_NR_RET];

struct bench_burst_args {
	__u32 n;
};

static long e2e_one(__u64 i, void *ctx)
{
#if BENCH_HAVE_STREAM
	long ret = bpf_stream_printk(BPF_STDOUT, BENCH_FMT, seq++, (__u32)i);
	__u32 idx = ret < 0 ? (__u32)-ret : 0;

	if (idx >= BENCH_NR_RET)
		idx = BENCH_NR_RET - 1;
	asm volatile("" : "+r"(idx));
	__sync_fetch_and_add(&e2e_rets[idx & (BENCH_NR_RET - 1)], 1);
#endif
	return 0;
}

SEC("syscall")
int bench_stream_e2e(struct bench_burst_args *args)
{
	bpf_loop(args->n, e2e_one, NULL, 0);
	return 0;
}
