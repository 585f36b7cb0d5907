// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Baselines of the BPF-side cost per message (BPF_PROG_TEST_RUN, xdp):
 *   bench_empty      the floor: the program and the test-run loop
 *   bench_tvprintk   bpf_trace_vprintk(), what users pick today
 *   bench_rec        a hand-written bpf_snprintf() into a reserved ring
 *                    record laid out like the transport's (the limit of
 *                    the ring-buffer transport's path)
 * All print the same two-argument message.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_stream_record.h"
#include "bench_common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Text room of a hand-written record; userspace matches it to the transport's. */
#ifndef BENCH_REC_TEXT
#define BENCH_REC_TEXT 1024 /* bpf_stream.h: BPF_STREAM_MSG_MAX + 1 */
#endif

struct bench_rec {
	struct bpf_stream_rec_hdr hdr;
	char text[BENCH_REC_TEXT];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20); /* userspace resizes it before load */
} bench_rb SEC(".maps");

/* One copy of the format for every program (identical static locals would
 * be merged by clang into overlapping .rodata entries that BTF refuses). */
static const char fmt[] = BENCH_FMT;
__u64 seq;
__u64 rets[BENCH_NR_RET];

static __always_inline __u32 pkt_len(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data;
}

/* The record header every ring variant writes (stdout, no name unless set). */
static __always_inline void rec_hdr_init(struct bpf_stream_rec_hdr *h, __u16 flags,
					 __u16 len, __u32 nargs)
{
	h->magic = BPF_STREAM_REC_MAGIC;
	h->version = BPF_STREAM_REC_VERSION;
	h->stream_id = 1;
	h->flags = flags;
	h->len = len;
	h->site = 0;
	h->prog = 0;
	h->nargs = nargs;
	h->resv = 0;
}

SEC("xdp")
int bench_empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int bench_tvprintk(struct xdp_md *ctx)
{
	__u64 args[2] = { seq++, pkt_len(ctx) };

	bench_count(rets, bpf_trace_vprintk(fmt, sizeof(fmt), args, sizeof(args)));
	return XDP_PASS;
}

static const char fmt_str[] = BENCH_FMT_STR;
static const char str_arg[] = BENCH_STR;

SEC("xdp")
int bench_tvprintk_str(struct xdp_md *ctx)
{
	__u64 args[2] = { 42 + (seq++ & 1), (__u64)(unsigned long)str_arg };

	bench_count(rets, bpf_trace_vprintk(fmt_str, sizeof(fmt_str), args, sizeof(args)));
	return XDP_PASS;
}

SEC("xdp")
int bench_rec(struct xdp_md *ctx)
{
	__u64 args[2] = { seq++, pkt_len(ctx) };
	struct bench_rec *r;
	long n;

	r = bpf_ringbuf_reserve(&bench_rb, sizeof(*r), 0);
	if (!r) {
		bench_count(rets, -ENOSPC);
		return XDP_PASS;
	}
	n = bpf_snprintf(r->text, sizeof(r->text), fmt, args, sizeof(args));
	if (n < 0) {
		bpf_ringbuf_discard(r, 0);
		bench_count(rets, n);
		return XDP_PASS;
	}
	rec_hdr_init(&r->hdr, n > (long)sizeof(r->text) ? BPF_STREAM_REC_F_TRUNCATED : 0,
		     n > (long)sizeof(r->text) ? sizeof(r->text) - 1 : n - 1, 0);
	bpf_ringbuf_submit(r, 0);
	bench_count(rets, 0);
	return XDP_PASS;
}

/* Decomposition of the record path: the formatting alone (into a stack
 * buffer) and the ring alone (reserve, header, submit, no formatting). */
SEC("xdp")
int bench_fmt_only(struct xdp_md *ctx)
{
	__u64 args[2] = { seq++, pkt_len(ctx) };
	char buf[128];

	bench_count(rets, bpf_snprintf(buf, sizeof(buf), fmt, args, sizeof(args)) < 0 ? -EINVAL : 0);
	return XDP_PASS;
}

SEC("xdp")
int bench_ring_only(struct xdp_md *ctx)
{
	struct bench_rec *r;

	r = bpf_ringbuf_reserve(&bench_rb, sizeof(*r), 0);
	if (!r) {
		bench_count(rets, -ENOSPC);
		return XDP_PASS;
	}
	rec_hdr_init(&r->hdr, 0, seq++ & 1, 0);
	bpf_ringbuf_submit(r, 0);
	bench_count(rets, 0);
	return XDP_PASS;
}

/* What would meet a 0.25x-trace_vprintk budget: no formatting in BPF at all.
 * A small record carries the format's id and the raw arguments; userspace
 * would format them (like bpf_trace_printk's binary mode or bpftrace). */
struct bench_bin_rec {
	struct bpf_stream_rec_hdr hdr;
	__u64 args[2];
};

SEC("xdp")
int bench_bin_rec(struct xdp_md *ctx)
{
	struct bench_bin_rec *r;

	r = bpf_ringbuf_reserve(&bench_rb, sizeof(*r), 0);
	if (!r) {
		bench_count(rets, -ENOSPC);
		return XDP_PASS;
	}
	rec_hdr_init(&r->hdr, BPF_STREAM_REC_F_BINARY, sizeof(r->args), 2);
	r->args[0] = seq++;
	r->args[1] = pkt_len(ctx);
	bpf_ringbuf_submit(r, 0);
	bench_count(rets, 0);
	return XDP_PASS;
}
