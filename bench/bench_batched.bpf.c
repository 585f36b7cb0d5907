// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A what-if for the ring-buffer transport: the same record layout, maps and
 * selector as <bpf_stream.h> (so bpf_stream_prepare() and the library's
 * reader take it for a bpf_stream.h object), written by the bench itself,
 * with one difference: the consumer is woken in batches instead of by
 * every record that finds it caught up.
 *
 * The ring's default (flags 0) wakes the consumer whenever it has caught up,
 * so a consumer that keeps up is woken once per record; each wakeup is an
 * irq_work, i.e. a self-IPI on the producing CPU (a VM exit in a guest).
 * Here a record wakes the consumer only when BENCH_WAKE_BYTES are waiting or
 * when BENCH_WAKE_NS passed since the last wakeup: a lone line still wakes
 * it at once, a burst wakes it at most every 1 ms or every 128 KiB.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_stream_record.h"
#include "bench_common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define BENCH_MSG_MAX 1023		/* bpf_stream.h's BPF_STREAM_MSG_MAX */
#define BENCH_WAKE_BYTES (128u << 10)
#define BENCH_WAKE_NS 1000000ull

const volatile __u32 bpf_stream_transport_sel = BPF_STREAM_SEL_DEFAULT;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} bpf_stream_rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, struct bpf_stream_stats);
} bpf_stream_stat SEC(".maps");

struct batched_rec {
	struct bpf_stream_rec_hdr hdr;
	char text[BENCH_MSG_MAX + 1];
};

static const char fmt[] = BENCH_FMT;
__u64 seq;
__u64 last_wake_ns;
__u64 e2e_rets[BENCH_NR_RET];

struct bench_burst_args {
	__u32 n;
};

static __always_inline void count_drop(__u32 stream_id)
{
	struct bpf_stream_stats *st = bpf_map_lookup_elem(&bpf_stream_stat, &stream_id);

	if (st)
		__sync_fetch_and_add(&st->dropped, 1);
}

static __always_inline long emit(__u64 a, __u64 b)
{
	__u64 args[2] = { a, b };
	struct batched_rec *r;
	__u64 flags = BPF_RB_NO_WAKEUP, now;
	long n;

	r = bpf_ringbuf_reserve(&bpf_stream_rb, sizeof(*r), 0);
	if (!r)
		return -ENOSPC;
	n = bpf_snprintf(r->text, sizeof(r->text), fmt, args, sizeof(args));
	if (n <= 0) {
		bpf_ringbuf_discard(r, BPF_RB_NO_WAKEUP);
		return n < 0 ? n : -EINVAL;
	}
	r->hdr.magic = BPF_STREAM_REC_MAGIC;
	r->hdr.version = BPF_STREAM_REC_VERSION;
	r->hdr.stream_id = 1;
	r->hdr.flags = n - 1 > BENCH_MSG_MAX ? BPF_STREAM_REC_F_TRUNCATED : 0;
	r->hdr.text_len = n - 1 > BENCH_MSG_MAX ? BENCH_MSG_MAX : n - 1;
	r->hdr.ts_ns = 0;
	__builtin_memset(r->hdr.func, 0, sizeof(r->hdr.func));
	__builtin_memcpy(r->hdr.func, "e2e_one", 8);
	now = bpf_ktime_get_ns();
	if (bpf_ringbuf_query(&bpf_stream_rb, BPF_RB_AVAIL_DATA) >= BENCH_WAKE_BYTES ||
	    now - last_wake_ns >= BENCH_WAKE_NS) {
		flags = BPF_RB_FORCE_WAKEUP;
		last_wake_ns = now;
	}
	bpf_ringbuf_submit(r, flags);
	return 0;
}

static long e2e_one(__u64 i, void *ctx)
{
	long ret = emit(seq++, (__u32)i);
	__u32 idx = ret < 0 ? (__u32)-ret : 0;

	if (ret)
		count_drop(1);
	if (idx >= BENCH_NR_RET)
		idx = BENCH_NR_RET - 1;
	asm volatile("" : "+r"(idx));
	__sync_fetch_and_add(&e2e_rets[idx & (BENCH_NR_RET - 1)], 1);
	return 0;
}

SEC("syscall")
int bench_stream_e2e(struct bench_burst_args *args)
{
	bpf_loop(args->n, e2e_one, NULL, 0);
	return 0;
}
