// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * 7. Cost of a call site's switch (docs/control.md), BPF_PROG_TEST_RUN (xdp):
 *   ctl_empty      the floor
 *   ctl_tvprintk   bpf_trace_vprintk(), for scale
 *   ctl_raw        the print as it was before the switch (the header's
 *                  ___bpf_stream_printk(), no control check): today's cost
 *   ctl_on         bpf_stream_info(), on (its level's default)
 *   ctl_debug_off  bpf_stream_debug(), off by default: the disabled path
 *   ctl_off        bpf_stream_info(), switched off by userspace (counted)
 *   ctl_rate       bpf_stream_info(), rate-limited to 1/s: calls above it
 * Same two-argument message as section 1. Ring-buffer transport.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf_stream.h>
#include "bench_common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

__u64 seq;
__u64 rets[BENCH_NR_RET];

static __always_inline __u32 pkt_len(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data;
}

SEC("xdp")
int ctl_empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int ctl_tvprintk(struct xdp_md *ctx)
{
	static const char fmt[] = BENCH_FMT;
	__u64 args[2] = { seq++, pkt_len(ctx) };

	bench_count(rets, bpf_trace_vprintk(fmt, sizeof(fmt), args, sizeof(args)));
	return XDP_PASS;
}

SEC("xdp")
int ctl_raw(struct xdp_md *ctx)
{
	bench_count(rets, ___bpf_stream_printk(BPF_STDOUT, BENCH_FMT, seq++, pkt_len(ctx)));
	return XDP_PASS;
}

SEC("xdp")
int ctl_on(struct xdp_md *ctx)
{
	bench_count(rets, bpf_stream_info(BENCH_FMT, seq++, pkt_len(ctx)));
	return XDP_PASS;
}

SEC("xdp")
int ctl_debug_off(struct xdp_md *ctx)
{
	bpf_stream_debug(BENCH_FMT, seq++, pkt_len(ctx));
	return XDP_PASS;
}

SEC("xdp")
int ctl_off(struct xdp_md *ctx)
{
	bpf_stream_info(BENCH_FMT, seq++, pkt_len(ctx));
	return XDP_PASS;
}

SEC("xdp")
int ctl_rate(struct xdp_md *ctx)
{
	bpf_stream_info(BENCH_FMT, seq++, pkt_len(ctx));
	return XDP_PASS;
}
