// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kernel's own stream kfunc called directly, without <bpf_stream.h>:
 * what the native path costs on this kernel, working or failing. Loaded
 * afresh for each run, because a stream whose writes fail stays charged
 * (the 6.18 capacity leak) and later writes fail earlier, with -ENOSPC.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bench_common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* 6.18's name; the verifier supplies aux__prog. */
extern int bpf_stream_vprintk_impl(int stream_id, const char *fmt__str, const void *args,
				   __u32 len__sz, void *aux__prog) __ksym __weak;

__u64 seq;
__u64 rets[BENCH_NR_RET];
int bench_native_present;

SEC("xdp")
int bench_native(struct xdp_md *ctx)
{
	static const char fmt[] = BENCH_FMT;
	__u64 args[2] = { seq++, (__u32)(ctx->data_end - ctx->data) };

	if (!bpf_stream_vprintk_impl) {
		bench_native_present = 0;
		bench_count(rets, -95 /* EOPNOTSUPP */);
		return XDP_PASS;
	}
	bench_native_present = 1;
	bench_count(rets, bpf_stream_vprintk_impl(1, fmt, args, sizeof(args), NULL));
	return XDP_PASS;
}
