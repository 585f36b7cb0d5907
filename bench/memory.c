// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * 5. Kernel memory per queued message, for the benchmark's message.
 *
 * Ring-buffer transport (measured): one message is one fixed-size record,
 * the payload the BPF side reserves (header + BPF_STREAM_MSG_MAX + 1 bytes
 * of text, whatever the text's length) plus the ring's 8-byte record header,
 * rounded up to 8. The ring's memory is its map's memlock (fdinfo), whether
 * or not it is full.
 *
 * Native streams (computed; the 6.18 layout, the same in kernel-patch/):
 * a message is an element carved from a per-CPU page:
 *   struct bpf_stream_elem { struct llist_node node; u32 total_len;
 *                            u32 consumed_len; char str[]; }   16-byte header
 *   bytes = round_up(16 + len, 8), from pages whose first 8 bytes are a
 *   header (refcount + used), so 4088 of every 4096 bytes hold elements.
 * Memory is allocated per message (nothing when the stream is empty), but
 * one unread element keeps its whole page allocated.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench.h"
#include "libbpf_stream.h"
#include "bpf_stream_record.h"
#include "bench_stream.skel.h"

#define SEC_NAME "5 memory per queued message"

#define NATIVE_ELEM_HDR 16
#define NATIVE_PAGE 4096
#define NATIVE_PAGE_HDR 8
#define NATIVE_CAPACITY 100000	/* BPF_STREAM_MAX_CAPACITY on 6.18: bytes of text */
#define RINGBUF_HDR 8		/* BPF_RINGBUF_HDR_SZ */

struct bench_burst_args {
	__u32 n;
};

struct one_rec {
	__u64 n, size;
};

static int one_rec_cb(void *ctx, void *data, size_t size)
{
	struct one_rec *o = ctx;

	o->n++;
	o->size = size;
	return 0;
}

static double native_bytes(unsigned int len)
{
	unsigned int elem = (NATIVE_ELEM_HDR + len + 7) & ~7u;

	return elem * (double)NATIVE_PAGE / (NATIVE_PAGE - NATIVE_PAGE_HDR);
}

/* A 10,000-line burst from one program run, nobody reading, default ring:
 * how many arrive, how many are counted as dropped. */
static int burst(struct bench_stream *skel, int rb_fd)
{
	struct bench_burst_args args = { .n = 10000 };
	LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = &args, .ctx_size_in = sizeof(args));
	struct one_rec one = {};
	struct ring_buffer *ring;
	__u64 ok, failed = 0;
	int i;

	memset(skel->bss->e2e_rets, 0, sizeof(skel->bss->e2e_rets));
	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.bench_stream_e2e), &topts))
		return -errno;
	ring = ring_buffer__new(rb_fd, one_rec_cb, &one, NULL);
	if (!ring)
		return -errno;
	while (ring_buffer__consume(ring) > 0)
		;
	ring_buffer__free(ring);
	ok = skel->bss->e2e_rets[0];
	for (i = 1; i < (int)(sizeof(skel->bss->e2e_rets) / sizeof(skel->bss->e2e_rets[0])); i++)
		failed += skel->bss->e2e_rets[i];
	bench_value(SEC_NAME, "ring: 10000-line burst, no reader, default ring: dropped", "msgs",
		    failed, "%llu queued, %llu read back afterwards (target 0 dropped: %s)",
		    (unsigned long long)ok, (unsigned long long)one.n, failed ? "missed" : "met");
	return 0;
}

int bench_memory(void)
{
	LIBBPF_OPTS(bpf_stream_prepare_opts, popts, .transport = BPF_STREAM_TRANSPORT_RINGBUF);
	struct bench_burst_args args = { .n = 1 };
	LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = &args, .ctx_size_in = sizeof(args));
	struct bench_stream *skel;
	struct one_rec one = {};
	struct ring_buffer *ring;
	__u64 payload;
	long memlock, entries;
	unsigned int text_len, rec, cap;
	int rb_fd, err;

	skel = bench_stream__open();
	if (!skel)
		return -errno;
	if (!skel->rodata->bench_have_stream) {
		bench_note(SEC_NAME, "bpf_stream.h not available: ring figures not measured");
		bench_stream__destroy(skel);
		return 0;
	}
	err = bpf_stream_prepare_opts(skel->obj, &popts);
	if (!err)
		err = bench_stream__load(skel);
	if (err)
		goto out;
	rb_fd = bpf_object__find_map_fd_by_name(skel->obj, BPF_STREAM_RINGBUF_MAP);
	skel->bss->seq = 123456;	/* the text part 1 prints: "bench: seq=123456 len=64\n" */
	args.n = 65;			/* the e2e program prints its loop index as len */
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.bench_stream_e2e), &topts);
	ring = err ? NULL : ring_buffer__new(rb_fd, one_rec_cb, &one, NULL);
	if (ring) {
		while (one.n < 65 && ring_buffer__consume(ring) > 0)
			;
		ring_buffer__free(ring);
	}
	if (err || one.n != 65) {
		err = err ? -errno : -EIO;
		goto out;
	}
	payload = one.size;
	/* the text the record stands for: "bench: seq=123456 len=64\n" */
	text_len = snprintf(NULL, 0, "bench: seq=%llu len=%u\n", 123456ULL, 64U);
	memlock = bench_fdinfo(rb_fd, "memlock");
	entries = bench_fdinfo(rb_fd, "max_entries");
	rec = (payload + RINGBUF_HDR + 7) & ~7u;
	cap = entries > 0 ? entries / rec : 0;

	bench_value(SEC_NAME, "ring: record payload (exact size)", "bytes", payload,
		    "bpf_stream_rec_hdr %zu + %llu bytes of raw arguments (binary record)",
		    sizeof(struct bpf_stream_rec_hdr),
		    (unsigned long long)(payload - sizeof(struct bpf_stream_rec_hdr)));
	bench_value(SEC_NAME, "ring: bytes per queued message", "bytes", rec,
		    "payload + 8-byte ring header, rounded to 8; %.2fx the %u-byte text "
		    "(target <= 64 bytes: %s)", (double)rec / text_len, text_len,
		    rec <= 64 ? "met" : "missed");
	bench_value(SEC_NAME, "ring: map memlock (default ring)", "bytes", memlock,
		    "fdinfo memlock of %s, max_entries %ld, allocated at load, full or empty",
		    BPF_STREAM_RINGBUF_MAP, entries);
	bench_value(SEC_NAME, "ring: messages the default ring holds", "msgs", cap, NULL);
	bench_value(SEC_NAME, "ring: memlock per message when full", "bytes",
		    cap ? (double)memlock / cap : 0, NULL);
	bench_value(SEC_NAME, "native: bytes per queued message", "bytes",
		    native_bytes(text_len), "round_up(16 + %u, 8) * 4096/4088 (6.18 layout)",
		    text_len);
	bench_value(SEC_NAME, "native: messages a stream holds", "msgs",
		    (NATIVE_CAPACITY - 1) / text_len,
		    "capacity 100000 text bytes; %.0f KiB of pages when full",
		    (NATIVE_CAPACITY - 1) / text_len * native_bytes(text_len) / 1024);
	bench_value(SEC_NAME, "native: bytes per 96-byte message", "bytes", native_bytes(96),
		    "(mean line of the drain corpus)");
	bench_note(SEC_NAME, "ring records have the exact size of what they carry: a binary "
		   "record is the %zu-byte header, 8 bytes per argument and the bytes of each %%s; "
		   "native elements are charged only their text against the 100000-byte capacity "
		   "(16-byte header and padding uncharged), and an unread element pins its 4 KiB page; "
		   "default ring holds %u of these messages (target >= 15000: %s)",
		   sizeof(struct bpf_stream_rec_hdr), cap, cap >= 15000 ? "met" : "missed");
	err = burst(skel, rb_fd);
out:
	bpf_stream_release(skel->obj);
	bench_stream__destroy(skel);
	return err;
}
