/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * bpf_stream.h: print to a BPF program's standard streams from BPF code.
 *
 *   #include "vmlinux.h"            (or <linux/bpf.h> + <bpf/bpf_helpers.h>)
 *   #include <bpf_stream.h>
 *
 *   bpf_stream_printk(BPF_STDOUT, "pid %d comm %s\n", pid, comm);
 *   bpf_stream_error("lookup failed: %ld\n", err);
 *
 * Include it AFTER vmlinux.h, or after <linux/bpf.h> + <bpf/bpf_helpers.h>:
 * it needs the __u* types, and it defines BPF_STDOUT/BPF_STDERR as macros
 * when they are not known yet, which would break a later enum bpf_stream_id.
 * If libbpf's bpf_helpers.h already defined bpf_stream_printk, this header's
 * definition replaces it.
 *
 * Two transports, chosen when the object is loaded (never at compile time):
 *  - native: the kernel's stream kfunc, whichever shape the running kernel
 *    has: 6.17's five-argument bpf_stream_vprintk, 6.18's
 *    bpf_stream_vprintk_impl (five arguments) or 7.x's four-argument
 *    bpf_stream_vprintk (the verifier supplies the program). Each shape is
 *    a weak extern under a libbpf flavour name (kernel name + "___v" +
 *    number of arguments), never under the kernel's own name, so no kernel
 *    can make the load fail with "func_proto incompatible with kernel", and
 *    a vmlinux.h that declares the kfunc does not clash with this header.
 *    libbpf >= 1.3 resolves the flavour that fits by itself; with libbpf
 *    1.1/1.2, bpf_stream_prepare() binds it (libbpf-stream's bind.c). An
 *    unresolved extern reads as NULL and its call is dead code.
 *  - ringbuf: the message is formatted with bpf_snprintf() (Linux 5.13+)
 *    straight into a record reserved in the ring buffer map bpf_stream_rb;
 *    libbpf-stream reads it back and delivers it as that program's stream.
 * The load-time constant bpf_stream_transport_sel (.rodata) picks one;
 * libbpf-stream's bpf_stream_prepare() sets it. Left at 0 it means "native
 * if the kfunc resolved, else ringbuf". The verifier removes the other path.
 *
 * Layouts that must match userspace (libbpf-stream), all in
 * bpf_stream_record.h: struct bpf_stream_rec_hdr (the record header), the
 * map and variable names BPF_STREAM_RINGBUF_MAP, BPF_STREAM_STATS_MAP,
 * BPF_STREAM_SEL_VAR, the values BPF_STREAM_SEL_*, and struct
 * bpf_stream_stats (value of the drop-counter array, keyed by stream id).
 * A record is the header, then text_len bytes of text, then padding.
 *
 * Which program wrote a record: the func field holds __func__ of the
 * bpf_stream_printk() call site, which is the program's name (libbpf names a
 * program after its function). libbpf-stream delivers the record under the
 * program of that name; names longer than 32 bytes match on their first 32.
 * A call inside a non-inlined subprogram carries the subprogram's name;
 * libbpf-stream delivers it under the program whose code contains that
 * subprogram (from the loaded program's BTF func_info; a subprogram shared
 * by several programs goes to the first of them, and without BTF to the
 * object's first program: nothing is lost).
 * Inline helpers (static __always_inline) keep the caller's name.
 *
 * Overridable before the #include:
 *   BPF_STREAM_MSG_MAX       longest message text in bytes (default 1023, the
 *                            kernel's native limit); longer messages are cut
 *                            and flagged TRUNCATED (ringbuf transport)
 *   BPF_STREAM_RINGBUF_SIZE  bytes of the ring buffer (power of two, default 1 MiB)
 *   BPF_STREAM_TIMESTAMP     define it to stamp each record with bpf_ktime_get_ns()
 *   BPF_STREAM_WAKEUP_BYTES  bytes waiting in the ring whose crossing wakes
 *                            the reader (default 128 KiB; keep it well below
 *                            BPF_STREAM_RINGBUF_SIZE; see "Wake-ups" below)
 *   BPF_STREAM_WAKEUP_NS     time since the last wake-up after which the next
 *                            record wakes the reader (default 1 ms)
 *
 * Wake-ups (ringbuf transport). A record is submitted with BPF_RB_NO_WAKEUP
 * unless it takes the bytes waiting in the ring (bpf_ringbuf_query(
 * BPF_RB_AVAIL_DATA), this record included) across BPF_STREAM_WAKEUP_BYTES,
 * or BPF_STREAM_WAKEUP_NS passed since the last wake-up; then it is
 * submitted with BPF_RB_FORCE_WAKEUP. The ring's default (flags 0) wakes a
 * reader that keeps up once per record, each wake-up an irq_work self-IPI on
 * the writing CPU, which caps a flood far below what the reader can take.
 * Latency: a message written >= BPF_STREAM_WAKEUP_NS after the last wake-up
 * (a lone message after a quiet spell) wakes the reader at once; the tail
 * of a burst shorter than BPF_STREAM_WAKEUP_NS (and smaller than
 * BPF_STREAM_WAKEUP_BYTES) wakes nobody and is picked up by the reader's own
 * timed poll (libbpf-stream's reader polls at least every idle_max_ms,
 * default 200 ms, and 1 ms after a poll that delivered lines) or by the next
 * drain or wake-up. A missing wake-up delays lines; a burst of
 * BPF_STREAM_WAKEUP_BYTES wakes the reader long before the ring is full
 * (two CPUs writing at the same moment can both miss the crossing;
 * then the time rule wakes it). Define BPF_STREAM_WAKEUP_NS 0 to wake on
 * every record.
 *
 * Maps, the selector and the wake-up stamp are __weak, helpers static
 * __always_inline, so several .bpf.c files linked into one object can all
 * include this header (give them the same BPF_STREAM_RINGBUF_SIZE: the object has one ring).
 * A message that could not be queued (ring full, stream full, kernel error)
 * makes bpf_stream_printk() return a negative errno and is counted, per
 * stream, in the bpf_stream_stat map, so writes = deliveries + drops.
 */
#ifndef __BPF_STREAM_H
#define __BPF_STREAM_H

#include <bpf/bpf_helpers.h>
#include "bpf_stream_record.h"

#ifndef BPF_STDOUT
#define BPF_STDOUT 1
#endif
#ifndef BPF_STDERR
#define BPF_STDERR 2
#endif

#ifndef BPF_STREAM_MSG_MAX
#define BPF_STREAM_MSG_MAX 1023
#endif
#ifndef BPF_STREAM_RINGBUF_SIZE
#define BPF_STREAM_RINGBUF_SIZE (1U << 20)
#endif
#ifndef BPF_STREAM_WAKEUP_BYTES
#define BPF_STREAM_WAKEUP_BYTES (128U << 10)
#endif
#ifndef BPF_STREAM_WAKEUP_NS
#define BPF_STREAM_WAKEUP_NS 1000000ULL
#endif

_Static_assert(BPF_STREAM_MSG_MAX > 0 && BPF_STREAM_MSG_MAX <= 0xffff,
	       "BPF_STREAM_MSG_MAX must fit the record's 16-bit text_len");

/* errno values (BPF programs have no errno.h) */
#define ___BS_ENOENT 2
#define ___BS_EINVAL 22
#define ___BS_ENOSPC 28
#define ___BS_EOPNOTSUPP 95

/* ---- kernel entry points (weak: absent ones read as NULL) ---- */

/*
 * Several .bpf.c files linked into one object (bpftool gen object): the
 * linker of libbpf < 1.5 (Debian 12's bpftool 7.1) refuses an extern
 * function that two of the files declare ("failed to resolve size of
 * underlying type"). Give every file but one its own unit name, e.g.
 * -DBPF_STREAM_UNIT=b: it ends the externs' flavour names, so no two files
 * share one. A single file needs nothing.
 */
#define ___bs_paste3(a, b, c) a##b##c
#define ___bs_unit_name(name, unit) ___bs_paste3(name, _, unit)
#ifdef BPF_STREAM_UNIT
#define ___BS_KF(name) ___bs_unit_name(name, BPF_STREAM_UNIT)
#else
#define ___BS_KF(name) name
#endif

/* 6.18: bpf_stream_vprintk_impl with five arguments */
extern int ___BS_KF(bpf_stream_vprintk_impl___v5)(int stream_id, const char *fmt__str,
						   const void *args, __u32 len__sz,
						   void *aux__prog) __weak __ksym;
/* 6.17: bpf_stream_vprintk with five arguments */
extern int ___BS_KF(bpf_stream_vprintk___v5)(int stream_id, const char *fmt__str,
					      const void *args, __u32 len__sz,
					      void *aux__prog) __weak __ksym;
/* 7.x: bpf_stream_vprintk with four arguments (the verifier supplies aux) */
extern int ___BS_KF(bpf_stream_vprintk___v4)(int stream_id, const char *fmt__str,
					      const void *args, __u32 len__sz) __weak __ksym;

/* ---- objects shared with userspace (names in bpf_stream_record.h) ---- */

/* Transport of this object, set by bpf_stream_prepare() before load. */
const volatile __u32 bpf_stream_transport_sel __weak = BPF_STREAM_SEL_DEFAULT;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, BPF_STREAM_RINGBUF_SIZE);
} bpf_stream_rb SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);	/* key: stream id; 0 unused */
	__type(key, __u32);
	__type(value, struct bpf_stream_stats);
} bpf_stream_stat SEC(".maps") __weak;

/* bpf_ktime_get_ns() of the last record submitted with BPF_RB_FORCE_WAKEUP,
 * one for the whole object (all programs, all CPUs). Read and written
 * without atomics: two CPUs that race here at worst both wake the reader,
 * or one stamp overwrites a slightly newer one, so the next wake-up comes
 * a little early. Either is harmless: wake-ups carry no data. */
__u64 bpf_stream_last_wake_ns __weak;

/* One ring record as the BPF side reserves it. */
struct ___bpf_stream_rec {
	struct bpf_stream_rec_hdr hdr;
	char text[BPF_STREAM_MSG_MAX + 1]; /* + bpf_snprintf's NUL */
};

/* ---- argument counting and packing (libbpf's bpf_printk layout) ---- */

#define ___bs_nth(_, _1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, \
		  _16, _17, _18, _19, _20, N, ...) N
#define ___bs_narg(...) \
	___bs_nth(_, ##__VA_ARGS__, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, \
		  6, 5, 4, 3, 2, 1, 0)
#define ___bs_concat(a, b) a##b
#define ___bs_apply(fn, n) ___bs_concat(fn, n)

#define ___bs_fill0(a, p, ...) a[0] = 0
#define ___bs_fill1(a, p, x) a[p] = (unsigned long long)(x)
#define ___bs_fill2(a, p, x, args...) a[p] = (unsigned long long)(x); ___bs_fill1(a, p + 1, args)
#define ___bs_fill3(a, p, x, args...) a[p] = (unsigned long long)(x); ___bs_fill2(a, p + 1, args)
#define ___bs_fill4(a, p, x, args...) a[p] = (unsigned long long)(x); ___bs_fill3(a, p + 1, args)
#define ___bs_fill5(a, p, x, args...) a[p] = (unsigned long long)(x); ___bs_fill4(a, p + 1, args)
#define ___bs_fill6(a, p, x, args...) a[p] = (unsigned long long)(x); ___bs_fill5(a, p + 1, args)
#define ___bs_fill7(a, p, x, args...) a[p] = (unsigned long long)(x); ___bs_fill6(a, p + 1, args)
#define ___bs_fill8(a, p, x, args...) a[p] = (unsigned long long)(x); ___bs_fill7(a, p + 1, args)
#define ___bs_fill9(a, p, x, args...) a[p] = (unsigned long long)(x); ___bs_fill8(a, p + 1, args)
#define ___bs_fill10(a, p, x, args...) a[p] = (unsigned long long)(x); ___bs_fill9(a, p + 1, args)
#define ___bs_fill11(a, p, x, args...) a[p] = (unsigned long long)(x); ___bs_fill10(a, p + 1, args)
#define ___bs_fill12(a, p, x, args...) a[p] = (unsigned long long)(x); ___bs_fill11(a, p + 1, args)
/* 13..20 arguments: only the static assertion below reports them */
#define ___bs_fill13(a, p, args...) a[0] = 0
#define ___bs_fill14 ___bs_fill13
#define ___bs_fill15 ___bs_fill13
#define ___bs_fill16 ___bs_fill13
#define ___bs_fill17 ___bs_fill13
#define ___bs_fill18 ___bs_fill13
#define ___bs_fill19 ___bs_fill13
#define ___bs_fill20 ___bs_fill13
#define ___bs_fill(arr, args...) ___bs_apply(___bs_fill, ___bs_narg(args))(arr, 0, ##args)

/* Never defined nor called: used only inside sizeof() so that the compiler
 * checks the format string against the arguments (-Wformat), like printf. */
extern int ___bpf_stream_check_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- the two transports ---- */

static __always_inline void ___bpf_stream_count_drop(__u32 stream_id)
{
	__u32 key = stream_id;
	struct bpf_stream_stats *st = bpf_map_lookup_elem(&bpf_stream_stat, &key);

	if (st)
		__sync_fetch_and_add(&st->dropped, 1);
}

/* Ring bytes one record takes: the ring's 8-byte header, rounded to 8. */
#define ___BS_REC_RING_SZ ((sizeof(struct ___bpf_stream_rec) + BPF_RINGBUF_HDR_SZ + 7) / 8 * 8)

/* Submit flags of a record already reserved: batched wake-ups (see the top
 * of this file). The byte rule fires for the record that takes the waiting
 * bytes across BPF_STREAM_WAKEUP_BYTES, not for every record above it: a
 * reader that is behind, or absent, is already awake or cannot be helped,
 * and each forced wake-up costs the writer an irq_work self-IPI (~5 us per
 * record measured on a VM when every record above the mark woke). */
static __always_inline __u64 ___bpf_stream_wake_flags(__u64 now)
{
	__u64 avail = bpf_ringbuf_query(&bpf_stream_rb, BPF_RB_AVAIL_DATA);

	if ((avail >= BPF_STREAM_WAKEUP_BYTES &&
	     avail < BPF_STREAM_WAKEUP_BYTES + ___BS_REC_RING_SZ) ||
	    now - bpf_stream_last_wake_ns >= BPF_STREAM_WAKEUP_NS) {
		bpf_stream_last_wake_ns = now;
		return BPF_RB_FORCE_WAKEUP;
	}
	return BPF_RB_NO_WAKEUP;
}

static __always_inline int ___bpf_stream_ringbuf(__u32 stream_id, const char *fmt,
						 unsigned long long *args, __u32 args_len,
						 const char *func, __u32 func_sz)
{
	struct ___bpf_stream_rec *rec;
	__u64 now;
	__u32 name_len = func_sz - 1 < BPF_STREAM_REC_NAME_LEN ? func_sz - 1 : BPF_STREAM_REC_NAME_LEN;
	long n;

	rec = bpf_ringbuf_reserve(&bpf_stream_rb, sizeof(*rec), 0);
	if (!rec)
		return -___BS_ENOSPC;
	n = bpf_snprintf(rec->text, sizeof(rec->text), fmt, (__u64 *)args, args_len);
	if (n <= 0) {
		bpf_ringbuf_discard(rec, BPF_RB_NO_WAKEUP);
		return n < 0 ? (int)n : -___BS_EINVAL;
	}
	rec->hdr.magic = BPF_STREAM_REC_MAGIC;
	rec->hdr.version = BPF_STREAM_REC_VERSION;
	rec->hdr.stream_id = stream_id;
	if (n - 1 > BPF_STREAM_MSG_MAX) {
		rec->hdr.flags = BPF_STREAM_REC_F_TRUNCATED;
		rec->hdr.text_len = BPF_STREAM_MSG_MAX;
	} else {
		rec->hdr.flags = 0;
		rec->hdr.text_len = n - 1;
	}
	now = bpf_ktime_get_ns();	/* the stamp and the wake-up clock */
#ifdef BPF_STREAM_TIMESTAMP
	rec->hdr.ts_ns = now;
#else
	rec->hdr.ts_ns = 0;
#endif
	__builtin_memset(rec->hdr.func, 0, sizeof(rec->hdr.func));
	__builtin_memcpy(rec->hdr.func, func, name_len);
	bpf_ringbuf_submit(rec, ___bpf_stream_wake_flags(now));
	return 0;
}

static __always_inline int ___bpf_stream_emit(__u32 stream_id, const char *fmt,
					      unsigned long long *args, __u32 args_len,
					      const char *func, __u32 func_sz)
{
	int ret;

	if (stream_id != BPF_STDOUT && stream_id != BPF_STDERR)
		return -___BS_ENOENT;
	/* One test per branch: the verifier refuses bitwise operations on the
	 * kfunc addresses, and each branch is dead code but one at load. */
	if (bpf_stream_transport_sel == BPF_STREAM_SEL_RINGBUF)
		ret = ___bpf_stream_ringbuf(stream_id, fmt, args, args_len, func, func_sz);
	else if (___BS_KF(bpf_stream_vprintk_impl___v5))
		ret = ___BS_KF(bpf_stream_vprintk_impl___v5)(stream_id, fmt, args, args_len,
							      (void *)0);
	else if (___BS_KF(bpf_stream_vprintk___v5))
		ret = ___BS_KF(bpf_stream_vprintk___v5)(stream_id, fmt, args, args_len, (void *)0);
	else if (___BS_KF(bpf_stream_vprintk___v4))
		ret = ___BS_KF(bpf_stream_vprintk___v4)(stream_id, fmt, args, args_len);
	else if (bpf_stream_transport_sel == BPF_STREAM_SEL_NATIVE)
		ret = -___BS_EOPNOTSUPP;
	else
		ret = ___bpf_stream_ringbuf(stream_id, fmt, args, args_len, func, func_sz);
	if (ret)
		___bpf_stream_count_drop(stream_id);
	return ret;
}

/* ---- public macros ---- */

#ifdef bpf_stream_printk
#undef bpf_stream_printk
#endif

/*
 * bpf_stream_printk() - printf to a stream of the running program.
 * @stream_id: BPF_STDOUT or BPF_STDERR
 * @fmt: string literal in the kernel's bpf_snprintf dialect
 * @args: 0 to 12 integer or pointer arguments
 * Return: 0, or a negative errno (-ENOSPC full, -ENOMEM, -EINVAL bad format,
 * -ENOENT bad stream id, -EOPNOTSUPP native forced without a kfunc); failed
 * messages with a valid stream id are counted in bpf_stream_stat.
 */
#define bpf_stream_printk(stream_id, ...) ___bpf_stream_printk(stream_id, __VA_ARGS__)

/* The format and arguments reach this macro expanded (a FMT or ARGS macro
 * of the caller's is expanded above: ## below would stop that). */
#define ___bpf_stream_printk(stream_id, fmt, args...)                                       \
	({                                                                                  \
		_Static_assert(___bs_narg(args) <= 12,                                      \
			       "bpf_stream_printk: at most 12 arguments after the format"); \
		static const char ___bs_fmt[] = fmt;                                        \
		unsigned long long ___bs_args[___bs_narg(args) ? ___bs_narg(args) : 1];     \
		(void)sizeof(___bpf_stream_check_fmt(fmt, ##args));                         \
		___bs_fill(___bs_args, ##args);                                             \
		___bpf_stream_emit((stream_id), ___bs_fmt, ___bs_args,                      \
				   ___bs_narg(args) * 8, __func__, sizeof(__func__));       \
	})

#ifdef bpf_stream_error
#undef bpf_stream_error
#endif

/* bpf_stream_error() - bpf_stream_printk(BPF_STDERR, fmt, args...). */
#define bpf_stream_error(...) bpf_stream_printk(BPF_STDERR, __VA_ARGS__)

#endif /* __BPF_STREAM_H */
