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
 * Every call returns 0, or a negative errno when the message was not queued
 * (it is then counted as dropped, under its call site and stream). The
 * transport (the kernel's native streams, or records in a ring buffer) is
 * chosen when the object is loaded, by libbpf-stream's bpf_stream_prepare();
 * how each works, the layouts shared with userspace, wake-ups and linking
 * several files: docs/bpf-side.md. Levels and run-time switches:
 * docs/control.md.
 *
 * Overridable before the #include:
 *   BPF_STREAM_MSG_MAX       longest message text in bytes (default 1023, the
 *                            kernel's native limit); longer messages are cut
 *                            and their cut line flagged TRUNCATED (ringbuf
 *                            transport; a binary record's text is cut by
 *                            libbpf-stream; docs/formats.md)
 *   BPF_STREAM_RINGBUF_SIZE  bytes of the ring buffer (power of two, default 1 MiB)
 *   BPF_STREAM_TIMESTAMP     define it to stamp each record with bpf_ktime_get_ns()
 *   BPF_STREAM_WAKEUP_BYTES  bytes waiting in the ring whose crossing wakes
 *                            the reader (default 128 KiB; keep it well below
 *                            BPF_STREAM_RINGBUF_SIZE; docs/bpf-side.md, "Wake-ups")
 *   BPF_STREAM_WAKEUP_NS     time since the last wake-up after which the next
 *                            record wakes the reader (default 1 ms)
 *   BPF_STREAM_TICK_NS       the kernel's tick in ns, the unit of that clock
 *                            without BPF_STREAM_TIMESTAMP (default 4 ms)
 *   BPF_STREAM_DROP_SITES    (call site, stream) pairs whose drops are
 *                            counted apart (default 256); drops beyond
 *                            are counted with the writer unknown
 *   BPF_STREAM_INLINE        define it to inline every helper at each call
 *                            site instead of calling the header's global
 *                            subprograms (needed where a kernel refuses a
 *                            global call: see ___BS_SUBPROG below)
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
#ifndef BPF_STREAM_DROP_SITES
#define BPF_STREAM_DROP_SITES 256
#endif

_Static_assert(BPF_STREAM_MSG_MAX > 0 && BPF_STREAM_MSG_MAX <= 0xffff,
	       "BPF_STREAM_MSG_MAX must fit the record's 16-bit text_len");

/* errno values (BPF programs have no errno.h) */
#define ___BS_ENOENT 2
#define ___BS_E2BIG 7
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
/* 7.2, 7.3 (BTF checked): bpf_stream_print_stack with one argument (the
 * verifier supplies aux; its bpf_stream_print_stack_impl twin with the aux
 * argument is not callable and never declared here). See
 * bpf_stream_print_stack() below. */
extern int ___BS_KF(bpf_stream_print_stack___v1)(int stream_id) __weak __ksym;

/* ---- objects shared with userspace (names in bpf_stream_record.h); the
 * header's own state is prefixed __bpf_stream_ (private, as usdt.bpf.h's
 * __bpf_usdt_); the bpf_stream_ ones libbpf-stream reads or writes ---- */

/* Transport of this object, set by bpf_stream_prepare() before load. */
const volatile __u32 bpf_stream_transport_sel __weak = BPF_STREAM_SEL_DEFAULT;

/* The process that prepared the object, set by bpf_stream_prepare() before
 * load (bpf_stream_record.h, BPF_STREAM_OWNER_VAR); never read here. */
const volatile __u64 bpf_stream_owner __weak = 0;

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

/* Drops per call site and stream (bpf_stream_record.h): BPF_STREAM_DROP_SITES
 * (call site, stream) pairs are counted there, further ones in
 * bpf_stream_stat.dropped with the writer unknown. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BPF_STREAM_DROP_SITES);
	__type(key, struct bpf_stream_drop_key);
	__type(value, __u64);
} bpf_stream_drop SEC(".maps") __weak;

/* bpf_ktime_get_ns() of the last record submitted with BPF_RB_FORCE_WAKEUP,
 * one for the whole object (all programs, all CPUs). Read and written
 * without atomics: two CPUs that race here at worst both wake the reader,
 * or one stamp overwrites a slightly newer one, so the next wake-up comes
 * a little early. Either is harmless: wake-ups carry no data. */
__u64 __bpf_stream_last_wake_ns __weak;

/* The sentinel every call site's id is relative to (bpf_stream_record.h). */
const volatile __u64 bpf_stream_fmt_base __weak = BPF_STREAM_FMT_BASE_VALUE(BPF_STREAM_MSG_MAX);

/* Never set by libbpf-stream: the branch it guards is where the verifier
 * checks every binary call site's format with bpf_snprintf(); the program
 * never takes it (setting it only formats into nothing). */
__u32 __bpf_stream_fmt_check __weak;

/* Per-CPU room where a record with strings or kernel-formatted text is
 * built before bpf_ringbuf_output() copies it at its exact size. Offsets
 * and sizes are bounded one by one for the verifier, hence the slack. */
#define ___BS_HDR_ROOM (sizeof(struct bpf_stream_rec_hdr) + 8)	/* + ts_ns */
#define ___BS_BIN_ROOM (___BS_HDR_ROOM + 8 * BPF_STREAM_MAX_ARGS + 2 * BPF_STREAM_BIN_ARGS_MAX)
#define ___BS_TXT_ROOM (___BS_HDR_ROOM + BPF_STREAM_MSG_MAX + 1)
#define ___BS_SCRATCH (___BS_BIN_ROOM > ___BS_TXT_ROOM ? ___BS_BIN_ROOM : ___BS_TXT_ROOM)

struct ___bpf_stream_scratch {
	char buf[(___BS_SCRATCH + 7) / 8 * 8];
	__u64 args[BPF_STREAM_MAX_ARGS];	/* a %s call site's arguments */
	__u64 used, pos;			/* see __bpf_stream_ring_strs() */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ___bpf_stream_scratch);
} __bpf_stream_scratch SEC(".maps") __weak;

#ifdef BPF_STREAM_TIMESTAMP
#define ___BS_TS_SZ 8
#else
#define ___BS_TS_SZ 0
#endif

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

/*
 * Subprograms verified once. The parts of a call site that do not depend
 * on its format (counting a drop; building a record with strings) are
 * global functions: the verifier checks each once per program, from its
 * BTF prototype (numbers only), and every call site is then a call. With
 * them inlined, as in libbpf-stream 1.1.0, each call site carried its own
 * copy. make bench, section 9, measures both on a 50-call-site program.
 * Weak: a function of this header defined by several .bpf.c files linked
 * into one object is kept once (files linked together must then agree on
 * the build options above; BPF_STREAM_TIMESTAMP changes the names). Not
 * __hidden: libbpf verifies hidden functions at every call, as static ones.
 *
 * Some kernels refuse a call of a global function while the program has
 * preemption disabled (bpf_preempt_disable(): Debian's 6.12 does, 6.16
 * and later do not; docs/bpf-side.md). A call site there needs
 * -DBPF_STREAM_INLINE (or the define before the #include): every helper
 * inlined at its call sites, as in 1.1.0.
 */
#ifdef BPF_STREAM_INLINE
#define ___BS_SUBPROG static __always_inline
#else
#define ___BS_SUBPROG __attribute__((noinline, weak))
#endif
#ifdef BPF_STREAM_TIMESTAMP
#define __bpf_stream_ring_strs __bpf_stream_ring_strs_ts
#endif

/* The call site of @fmt: both are .rodata addresses, the difference is the
 * format's offset from the sentinel (privileged loaders only: an
 * unprivileged one cannot use bpf_snprintf either). */
#define ___bs_site_of(fmt) ((__u32)((unsigned long)(fmt) - (unsigned long)&bpf_stream_fmt_base))

/* Count a message that could not be queued, under its call site @site (so
 * the reader names the program that dropped it), else under its stream
 * alone. The per-site count comes first and bpf_stream_stats.sited after
 * it: a reader that sees sited change rescans the sites and finds the
 * count. An -E2BIG (Linux 7.4+ refuses a message longer than its
 * per-message limit, before charging the stream) is an oversize drop,
 * counted under the key's stream id with BPF_STREAM_DROP_OVERSIZE set
 * (bpf_stream_record.h), so libbpf-stream announces it apart; any other
 * error is a plain drop. Both are drops: writes = deliveries + drops holds
 * either way. Returns 0. */
___BS_SUBPROG int __bpf_stream_count_err(__u32 stream_id, __u32 site, int err)
{
	struct bpf_stream_drop_key dk = {
		.site = site,
		.stream_id = err == -___BS_E2BIG ? stream_id | BPF_STREAM_DROP_OVERSIZE : stream_id,
	};
	__u32 key = stream_id;
	struct bpf_stream_stats *st = bpf_map_lookup_elem(&bpf_stream_stat, &key);
	__u64 zero = 0, *n;

	if (!st)
		return 0;
	n = bpf_map_lookup_elem(&bpf_stream_drop, &dk);
	if (!n) {
		/* -EEXIST from a racing CPU still leaves the entry there */
		bpf_map_update_elem(&bpf_stream_drop, &dk, &zero, BPF_NOEXIST);
		n = bpf_map_lookup_elem(&bpf_stream_drop, &dk);
	}
	if (n) {
		__sync_fetch_and_add(n, 1);
		__sync_fetch_and_add(&st->sited, 1);
	} else {
		__sync_fetch_and_add(&st->dropped, 1);
	}
	return 0;
}

#define ___bpf_stream_count_err(stream_id, fmt, err) \
	__bpf_stream_count_err(stream_id, ___bs_site_of(fmt), err)

/* Submit flags of a record: batched wake-ups (see the top of this file).
 * The byte rule fires for the record that takes the waiting bytes across
 * BPF_STREAM_WAKEUP_BYTES, not for every record above it: a reader that is
 * behind, or absent, is already awake or cannot be helped, and each forced
 * wake-up costs the writer an irq_work self-IPI (~5 us per record measured
 * on a VM when every record above the mark woke). @sz: the record's
 * payload bytes; @queued: the ring already counts it (reserved) or not
 * (bpf_ringbuf_output() after this call). */
static __always_inline __u64 ___bpf_stream_wake_flags(__u64 now, __u64 sz, int queued)
{
	__u64 avail = bpf_ringbuf_query(&bpf_stream_rb, BPF_RB_AVAIL_DATA);
	__u64 ring_sz = (sz + BPF_RINGBUF_HDR_SZ + 7) / 8 * 8;

	if (!queued)
		avail += ring_sz;
	if ((avail >= BPF_STREAM_WAKEUP_BYTES && avail < BPF_STREAM_WAKEUP_BYTES + ring_sz) ||
	    now - __bpf_stream_last_wake_ns >= BPF_STREAM_WAKEUP_NS) {
		__bpf_stream_last_wake_ns = now;
		return BPF_RB_FORCE_WAKEUP;
	}
	return BPF_RB_NO_WAKEUP;
}

/* The stamp (BPF_STREAM_TIMESTAMP) and the wake-up clock, in ns. Without
 * stamps the clock is the tick (bpf_jiffies64(), a few ns where
 * bpf_ktime_get_ns() costs tens on a VM), counted as BPF_STREAM_TICK_NS
 * each: wake-ups by time then come on the first record at least
 * BPF_STREAM_WAKEUP_NS, rounded up to a tick, after the last one. The tick
 * length is a build-time guess (Debian's CONFIG_HZ=250: 4 ms), not read
 * with a __kconfig extern: libbpf refuses to load an object with any
 * __kconfig extern, weak or not, where the kernel's config cannot be read
 * (no /boot/config-*, no /proc/config.gz: containers, minimal systems). A
 * wrong guess only stretches or shrinks the time rule, whose default (1 ms)
 * is below a tick anyway: every new tick then allows a wake-up. */
#ifndef BPF_STREAM_TICK_NS
#define BPF_STREAM_TICK_NS 4000000ULL
#endif

static __always_inline __u64 ___bpf_stream_clock(void)
{
#ifdef BPF_STREAM_TIMESTAMP
	return bpf_ktime_get_ns();
#else
	return bpf_jiffies64() * BPF_STREAM_TICK_NS;
#endif
}

/* ---- compile-time scan of a format (folded to a constant per call site) ---- */

/* Kind of each argument, 2 bits per argument index, as the kernel's
 * bpf_bprintf_prepare() converts it. */
#define ___BS_K_I32 0u
#define ___BS_K_I64 1u
#define ___BS_K_CHR 2u
#define ___BS_K_STR 3u
#define ___BS_SCAN_TEXT (1u << 31)	/* the kernel must format it (%p family, unknown) */
#define ___BS_SCAN_STRS (1u << 30)	/* at least one %s */
#define ___BS_SCAN_MAX 256		/* longest format scanned (bytes with its NUL) */
#define ___bs_kind(scan, i) (((scan) >> (2 * (i))) & 3u)
#define ___bs_nconv(scan) (((scan) >> 24) & 15u)	/* conversions (arguments used) */

/* Class of one format character for the scan below (a switch: chains of
 * || comparisons are kept opaque by the BPF backend and would not fold). */
#define ___BS_C_END 0	/* NUL */
#define ___BS_C_PCT 1	/* % */
#define ___BS_C_FLG 2	/* 0 + - space */
#define ___BS_C_DIG 3	/* 1-9 */
#define ___BS_C_INT 4	/* d i u x X */
#define ___BS_C_L 5	/* l */
#define ___BS_C_CHR 6	/* c */
#define ___BS_C_STR 7	/* s */
#define ___BS_C_OTHER 8
static __always_inline __u32 ___bpf_stream_cclass(char c)
{
	switch (c) {
	case 0: return ___BS_C_END;
	case '%': return ___BS_C_PCT;
	case '0': case '+': case '-': case ' ': return ___BS_C_FLG;
	case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
		return ___BS_C_DIG;
	case 'd': case 'i': case 'u': case 'x': case 'X': return ___BS_C_INT;
	case 'l': return ___BS_C_L;
	case 'c': return ___BS_C_CHR;
	case 's': return ___BS_C_STR;
	default: return ___BS_C_OTHER;
	}
}

/* One character per step, like the kernel's parser: "%%", flags "0+- ", a
 * width, then l/ll and d i u x X, or c, s; anything else (%p..., a
 * conversion the kernel refuses) leaves the formatting to the kernel.
 * States: 0 text, 1 after '%', 2 flags, 3 width, 4 after 'l', 5 after "ll". */
static __always_inline __u32 ___bpf_stream_scan(const char *f, __u32 sz)
{
	__u32 res = 0, n = 0, st = 0, i;

#pragma clang loop unroll(full)
	for (i = 0; i < sz; i++) {
		__u32 c = ___bpf_stream_cclass(f[i]), kind = 4;

		if (c == ___BS_C_END)
			break;
		switch (st) {
		case 0:
			if (c == ___BS_C_PCT)
				st = 1;
			continue;
		case 1:
		case 2:
		case 3:
			switch (c) {
			case ___BS_C_PCT:
				if (st != 1)
					return ___BS_SCAN_TEXT;
				st = 0;
				continue;
			case ___BS_C_FLG:
				/* '0' inside a width is a digit */
				st = st == 3 ? 3 : 2;
				continue;
			case ___BS_C_DIG:
				st = 3;
				continue;
			case ___BS_C_L:
				st = 4;
				continue;
			case ___BS_C_INT:
				kind = ___BS_K_I32;
				break;
			case ___BS_C_CHR:
				kind = ___BS_K_CHR;
				break;
			case ___BS_C_STR:
				kind = ___BS_K_STR;
				break;
			default:
				return ___BS_SCAN_TEXT;
			}
			break;
		case 4:
			if (c == ___BS_C_L) {
				st = 5;
				continue;
			}
			/* fallthrough */
		default:
			if (c != ___BS_C_INT)
				return ___BS_SCAN_TEXT;
			kind = ___BS_K_I64;
			break;
		}
		if (n >= BPF_STREAM_MAX_ARGS)
			return ___BS_SCAN_TEXT;
		res |= kind << (2 * n);
		if (kind == ___BS_K_STR)
			res |= ___BS_SCAN_STRS;
		n++;
		st = 0;
	}
	return st == 0 ? res | (n << 24) : ___BS_SCAN_TEXT;
}

/* ---- the ring-buffer transport ---- */

/* var = min(var, max) in BPF assembly, for a __u64 var that is never above
 * max anyway: the verifier's bound for a size or offset. Written in C, the
 * compiler may drop the test (it can prove it never fires), or test one
 * copy and use another (a stack spill made before the test, whose bound
 * 6.1's verifier does not learn from the test): "R3 unbounded memory
 * access" (clang-19 at the default limit, clang 14 at 100, 200, 2000),
 * "R1 max value is outside of the allowed memory range" (clang-19 on 6.1).
 * Here the bound is in the register the asm hands back. */
#define ___bs_clamp(var, max)                                                   \
	asm volatile("if %[v] <= %[m] goto 1f\n\t%[v] = %[m]\n1:" : [v] "+r"(var) \
		     : [m] "i"(max))

static __always_inline void ___bpf_stream_hdr(struct bpf_stream_rec_hdr *h, __u32 stream_id,
					      __u16 flags, __u16 len, __u32 site, __u32 nargs)
{
	flags |= ___BS_TS_SZ ? BPF_STREAM_REC_F_TS : 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* two stores instead of nine (the layout of struct bpf_stream_rec_hdr) */
	((__u64 *)h)[0] = BPF_STREAM_REC_MAGIC | ((__u64)BPF_STREAM_REC_VERSION << 16) |
			  ((__u64)(__u8)stream_id << 24) | ((__u64)flags << 32) |
			  ((__u64)len << 48);
	((__u64 *)h)[1] = site | ((__u64)nargs << 48);
#else
	h->magic = BPF_STREAM_REC_MAGIC;
	h->version = BPF_STREAM_REC_VERSION;
	h->stream_id = stream_id;
	h->flags = flags;
	h->len = len;
	h->site = site;
	h->prog = 0;
	h->nargs = nargs;
	h->resv = 0;
#endif
}

/* Kernel-formatted text (%p family): bpf_snprintf into the scratch, then
 * one record of the exact length. */
static __always_inline int ___bpf_stream_ring_text(__u32 stream_id, const char *fmt,
						   unsigned long long *args, __u32 nargs,
						   __u64 now)
{
	struct ___bpf_stream_scratch *s;
	struct bpf_stream_rec_hdr *h;
	__u32 zero = 0, flags = 0;
	__u64 len, rsz;
	long n;

	s = bpf_map_lookup_elem(&__bpf_stream_scratch, &zero);
	if (!s)
		return -___BS_ENOSPC;
	n = bpf_snprintf(s->buf + sizeof(*h) + ___BS_TS_SZ, BPF_STREAM_MSG_MAX + 1, fmt,
			 (__u64 *)args, nargs * 8);
	if (n <= 0)
		return n < 0 ? (int)n : -___BS_EINVAL;
	len = (__u64)n - 1;
	/* nothing to queue: like Linux 7.4's native streams, no record */
	if (!len)
		return 0;
	if (len > BPF_STREAM_MSG_MAX) {
		len = BPF_STREAM_MSG_MAX;
		flags = BPF_STREAM_REC_F_TRUNCATED;
	}
	h = (void *)s->buf;
	___bpf_stream_hdr(h, stream_id, flags, len, ___bs_site_of(fmt), 0);
#ifdef BPF_STREAM_TIMESTAMP
	*(__u64 *)(s->buf + sizeof(*h)) = now;
#endif
	rsz = sizeof(*h) + ___BS_TS_SZ + len;
	___bs_clamp(rsz, sizeof(*h) + ___BS_TS_SZ + BPF_STREAM_MSG_MAX);
	return bpf_ringbuf_output(&bpf_stream_rb, s->buf, rsz,
				  ___bpf_stream_wake_flags(now, rsz, 0));
}

/* Binary record with strings: header, arguments (a %s slot holds its byte
 * count), then each string, built in the scratch and copied at its exact
 * size. The budget is the kernel's: bpf_bprintf_prepare() gives one
 * message 512 bytes for its converted arguments (4 or 8 bytes each, 4-byte
 * aligned; 1 per %c) and strings (NUL included; a string is cut to what is
 * left; -ENOSPC when nothing is left for the next one). Arguments beyond
 * the format's conversions are never converted: they cost nothing.
 * A subprogram verified once (see ___BS_SUBPROG): the call site puts its
 * arguments in the scratch and passes only numbers. The running byte
 * counts go through the scratch at each argument, so that the verifier
 * sees one range there rather than one value per format it could be
 * called with (4^12 paths otherwise). */
___BS_SUBPROG int __bpf_stream_ring_strs(__u32 stream_id, __u32 site, __u32 nargs, __u32 scan,
					  __u64 now)
{
	struct ___bpf_stream_scratch *s;
	struct bpf_stream_rec_hdr *h;
	__u32 zero = 0, i;
	unsigned long long *a;

	s = bpf_map_lookup_elem(&__bpf_stream_scratch, &zero);
	if (!s)
		return -___BS_ENOSPC;
	if (nargs > BPF_STREAM_MAX_ARGS)
		return -___BS_EINVAL;
	a = (void *)(s->buf + sizeof(*h) + ___BS_TS_SZ);
	s->used = 0;
	s->pos = sizeof(*h) + ___BS_TS_SZ + 8 * nargs;
	for (i = 0; i < BPF_STREAM_MAX_ARGS; i++) {
		__u32 k = ___bs_kind(scan, i);
		__u64 used, pos;
		long n;

		if (i >= nargs)
			break;
		if (i >= ___bs_nconv(scan)) {
			a[i] = s->args[i];
			continue;
		}
		used = *(volatile __u64 *)&s->used;
		if (k == ___BS_K_I32 || k == ___BS_K_I64) {
			used = (used + 3) & ~3ULL;
			used += k == ___BS_K_I64 ? 8 : 4;
			if (used > BPF_STREAM_BIN_ARGS_MAX)
				return -___BS_ENOSPC;
			s->used = used;
			a[i] = s->args[i];
			continue;
		}
		if (used >= BPF_STREAM_BIN_ARGS_MAX)
			return -___BS_ENOSPC;
		___bs_clamp(used, BPF_STREAM_BIN_ARGS_MAX - 1);
		if (k == ___BS_K_CHR) {
			s->used = used + 1;
			a[i] = s->args[i];
			continue;
		}
		/* %s: kernel memory, else (a user address on x86) user memory,
		 * like the kernel's %s; a fault copies "" */
		pos = *(volatile __u64 *)&s->pos;
		___bs_clamp(pos, ___BS_HDR_ROOM + 8 * BPF_STREAM_MAX_ARGS + BPF_STREAM_BIN_ARGS_MAX);
		n = bpf_probe_read_kernel_str(s->buf + pos, BPF_STREAM_BIN_ARGS_MAX - used,
					      (const void *)(long)s->args[i]);
		if (n < 0)
			n = bpf_probe_read_user_str(s->buf + pos, BPF_STREAM_BIN_ARGS_MAX - used,
						    (const void *)(long)s->args[i]);
		if (n <= 0) {
			s->buf[pos] = 0;
			n = 1;
		}
		a[i] = n;
		s->used = used + n;
		s->pos = pos + n;
	}
	h = (void *)s->buf;
	{
		__u64 pos = *(volatile __u64 *)&s->pos;

		___bs_clamp(pos, sizeof(s->buf));
		if (pos < sizeof(*h) + ___BS_TS_SZ)
			return -___BS_EINVAL;
		___bpf_stream_hdr(h, stream_id, BPF_STREAM_REC_F_BINARY,
				  pos - sizeof(*h) - ___BS_TS_SZ, site, nargs);
#ifdef BPF_STREAM_TIMESTAMP
		*(__u64 *)(s->buf + sizeof(*h)) = now;
#endif
		return bpf_ringbuf_output(&bpf_stream_rb, s->buf, pos,
					  ___bpf_stream_wake_flags(now, pos, 0));
	}
}

/* Integer-only binary record: a reservation of a constant size. */
static __always_inline int ___bpf_stream_ring_ints(__u32 stream_id, const char *fmt,
						   unsigned long long *args, __u32 nargs,
						   __u64 now)
{
	struct bpf_stream_rec_hdr *h;
	unsigned long long *a;
	__u32 sz = sizeof(*h) + ___BS_TS_SZ + 8 * nargs, i;

	h = bpf_ringbuf_reserve(&bpf_stream_rb, sz, 0);
	if (!h)
		return -___BS_ENOSPC;
	___bpf_stream_hdr(h, stream_id, BPF_STREAM_REC_F_BINARY, 8 * nargs, ___bs_site_of(fmt),
			  nargs);
#ifdef BPF_STREAM_TIMESTAMP
	*(__u64 *)(h + 1) = now;
#endif
	a = (void *)((char *)(h + 1) + ___BS_TS_SZ);
	for (i = 0; i < BPF_STREAM_MAX_ARGS; i++) {
		if (i >= nargs)
			break;
		a[i] = args[i];
	}
	bpf_ringbuf_submit(h, ___bpf_stream_wake_flags(now, sz, 1));
	return 0;
}

static __always_inline int ___bpf_stream_ringbuf(__u32 stream_id, const char *fmt, __u32 fmt_sz,
						 unsigned long long *args, __u32 nargs)
{
	/* Formats longer than ___BS_SCAN_MAX are formatted by the kernel (a
	 * longer scan would not fold): still a choice made at build time. */
	__u32 scan = fmt_sz <= ___BS_SCAN_MAX ? ___bpf_stream_scan(fmt, fmt_sz) : ___BS_SCAN_TEXT;
	__u64 now = ___bpf_stream_clock();

	if (!__builtin_constant_p(scan) || (scan & ___BS_SCAN_TEXT))
		return ___bpf_stream_ring_text(stream_id, fmt, args, nargs, now);
	/* the kernel's own check of the format, on a path it verifies */
	if (__bpf_stream_fmt_check)
		bpf_snprintf((char *)0, 0, fmt, (__u64 *)args, nargs * 8);
	if (scan & ___BS_SCAN_STRS) {
		struct ___bpf_stream_scratch *s;
		__u32 zero = 0, i;

		s = bpf_map_lookup_elem(&__bpf_stream_scratch, &zero);
		if (!s)
			return -___BS_ENOSPC;
		for (i = 0; i < BPF_STREAM_MAX_ARGS; i++) {
			if (i >= nargs)
				break;
			s->args[i] = args[i];
		}
		return __bpf_stream_ring_strs(stream_id, ___bs_site_of(fmt), nargs, scan, now);
	}
	return ___bpf_stream_ring_ints(stream_id, fmt, args, nargs, now);
}

static __always_inline int ___bpf_stream_emit(__u32 stream_id, const char *fmt,
					      unsigned long long *args, __u32 args_len,
					      __u32 fmt_sz)
{
	int ret;

	if (stream_id != BPF_STDOUT && stream_id != BPF_STDERR)
		return -___BS_ENOENT;
	/* An empty format writes nothing, on every transport and kernel (Linux
	 * 7.4 skips zero-length writes; older kernels would queue an empty
	 * element): returns 0, no line, no drop. */
	if (fmt_sz <= 1)
		return 0;
	/* One test per branch: the verifier refuses bitwise operations on the
	 * kfunc addresses, and each branch is dead code but one at load. */
	if (bpf_stream_transport_sel == BPF_STREAM_SEL_RINGBUF)
		ret = ___bpf_stream_ringbuf(stream_id, fmt, fmt_sz, args, args_len / 8);
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
		ret = ___bpf_stream_ringbuf(stream_id, fmt, fmt_sz, args, args_len / 8);
	if (ret)
		___bpf_stream_count_err(stream_id, fmt, ret);
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
 * messages with a valid stream id are counted (bpf_stream_drop, bpf_stream_stat).
 */
#define bpf_stream_printk(stream_id, ...) ___bpf_stream_printk(stream_id, __VA_ARGS__)

/* A string literal's characters are plain char; a const char pointer's or
 * a const array's are not (the kernel takes the format from .rodata and
 * this header scans it while compiling: it must be a literal). */
#define ___bs_is_literal(fmt) __builtin_types_compatible_p(__typeof__(&(fmt)[0]), char *)

/* The format and arguments reach this macro expanded (a FMT or ARGS macro
 * of the caller's is expanded above: ## below would stop that). */
#define ___bpf_stream_printk(stream_id, fmt, args...)                                       \
	({                                                                                  \
		_Static_assert(___bs_narg(args) <= 12,                                      \
			       "bpf_stream_printk: at most 12 arguments after the format"); \
		_Static_assert(___bs_is_literal(fmt),                                       \
			       "bpf_stream_printk: the format must be a string literal");   \
		static const char ___bs_fmt[] = fmt;                                        \
		unsigned long long ___bs_args[___bs_narg(args) ? ___bs_narg(args) : 1];     \
		(void)sizeof(___bpf_stream_check_fmt(fmt, ##args));                         \
		___bs_fill(___bs_args, ##args);                                             \
		___bpf_stream_emit((stream_id), ___bs_fmt, ___bs_args,                      \
				   ___bs_narg(args) * 8, sizeof(___bs_fmt));                \
	})

#ifdef bpf_stream_error
#undef bpf_stream_error
#endif

/* bpf_stream_error() - bpf_stream_printk(BPF_STDERR, fmt, args...). */
#define bpf_stream_error(...) bpf_stream_printk(BPF_STDERR, __VA_ARGS__)

/* ---- bpf_stream_print_stack() ---- */

/* The kernel's stack dump, where its kfunc resolved (see below). */
static __always_inline int ___bpf_stream_print_stack(__u32 stream_id, const char *site)
{
	int ret;

	if (stream_id != BPF_STDOUT && stream_id != BPF_STDERR)
		return -___BS_ENOENT;
	if (!___BS_KF(bpf_stream_print_stack___v1))
		return -___BS_EOPNOTSUPP;
	/* ring transport: libbpf-stream reads a ring program's native stderr
	 * (the kernel's reports live there), never its native stdout */
	if (bpf_stream_transport_sel == BPF_STREAM_SEL_RINGBUF && stream_id != BPF_STDERR)
		return -___BS_EOPNOTSUPP;
	ret = ___BS_KF(bpf_stream_print_stack___v1)(stream_id);
	if (ret)
		___bpf_stream_count_err(stream_id, site, ret);
	return ret;
}

#ifdef bpf_stream_print_stack
#undef bpf_stream_print_stack
#endif

/*
 * bpf_stream_print_stack() - the kernel writes the current call stack to a
 * stream of the running program.
 * @stream_id: BPF_STDOUT or BPF_STDERR
 *
 * Calls the kernel's kfunc bpf_stream_print_stack(stream_id) (Linux 7.2 and
 * 7.3 have it; the verifier supplies the program) where it resolved at load:
 * a weak extern under a libbpf flavour name, bound by libbpf >= 1.3 or by
 * bpf_stream_prepare() (libbpf 1.1/1.2), so a kernel without it, or with
 * another prototype, never makes the load fail; the call is then dead code.
 * The kernel writes, as one block, "CPU: N UID: N PID: N Comm: NAME",
 * "Call trace:", one line per frame ("sym+0xoff/0xsize", a BPF frame
 * followed by "  <source line> @ file:line" where the program has line
 * info) and an empty line: libbpf-stream's reader delivers it as a report
 * of kind BPF_STREAM_REPORT_STACK (docs/reports.md).
 * Transports: native: either stream. Ring buffer: BPF_STDERR only, into
 * the kernel's native stderr, which libbpf-stream reads after the ring's
 * stderr lines of the same drain (so not in written order with them);
 * BPF_STDOUT gives -EOPNOTSUPP, since nobody reads a ring program's native
 * stdout.
 * Return: 0; -EOPNOTSUPP without the kfunc (6.1..6.18, objects unprepared
 * under libbpf < 1.3) or on the ring transport's stdout; -ENOENT for a bad
 * stream id; the kernel's error (-ENOSPC stream full, -ENOMEM), then
 * counted as a drop under this call site like a failed bpf_stream_printk()
 * (an -E2BIG, should a kernel refuse a stack as too long, as an oversize
 * drop).
 */
#define bpf_stream_print_stack(stream_id)                                            \
	({                                                                           \
		static const char ___bs_site[] = "bpf_stream_print_stack";           \
		___bpf_stream_print_stack((stream_id), ___bs_site);                  \
	})

/* ---- levels and run-time control of call sites (docs/control.md) ---- */

/*
 *   bpf_stream_error(fmt, args...)   level ERROR, stderr
 *   bpf_stream_warn(fmt, args...)    level WARN,  stderr
 *   bpf_stream_info(fmt, args...)    level INFO,  stdout
 *   bpf_stream_debug(fmt, args...)   level DEBUG, stdout
 *   bpf_stream_printk(stream, ...)   no level (BPF_STREAM_LVL_PRINT)
 *
 * Overridable before the #include:
 *   BPF_STREAM_LEVEL          compile-time floor: calls of a level above it
 *                             are compiled out (no instruction, no .rodata;
 *                             the format is still checked). Default DEBUG.
 *   BPF_STREAM_DEFAULT_LEVEL  run-time default: a call site of a level above
 *                             it stays silent until userspace switches it on
 *                             (bpf-stream ctl). Default INFO.
 *   BPF_STREAM_CTL_SITES      entries of the control array (default 256): the
 *                             call sites one .bpf.c file may have
 *   BPF_STREAM_SITE_BASE      first control index of this file (default 0);
 *                             give each .bpf.c file linked into one object its
 *                             own range, e.g. -DBPF_STREAM_SITE_BASE=128
 *
 * Every call site reads one 32-bit word of the control array
 * (bpf_stream_ctl.h) before it evaluates its arguments: a site off by
 * default costs that load and a compare; the rest (switched on or off by
 * userspace, rate limits) is on the slow path. Return value of a call that
 * is switched off or over its rate limit: 0 (it is not a drop).
 */
#include "bpf_stream_ctl.h"

#ifndef BPF_STREAM_LEVEL
#define BPF_STREAM_LEVEL BPF_STREAM_LVL_DEBUG
#endif
#ifndef BPF_STREAM_DEFAULT_LEVEL
#define BPF_STREAM_DEFAULT_LEVEL BPF_STREAM_LVL_INFO
#endif
#ifndef BPF_STREAM_CTL_SITES
#define BPF_STREAM_CTL_SITES 256
#endif
#ifndef BPF_STREAM_SITE_BASE
#define BPF_STREAM_SITE_BASE 0
#endif
#ifdef __FILE_NAME__
#define ___BS_FILE __FILE_NAME__
#else
#define ___BS_FILE __FILE__
#endif

_Static_assert(BPF_STREAM_CTL_SITES > 0 && BPF_STREAM_CTL_SITES <= 65536,
	       "BPF_STREAM_CTL_SITES must fit the 16-bit site id");

/* The control array: a global in its own data section, so a call site's
 * check is one load from a constant address (no helper call, no map
 * lookup), and userspace maps it (one array map, mmap-able) to write a
 * site's mode without touching the program. Declared as plain __u64s (one
 * struct bpf_stream_site_state per 8 of them) so that skeletons need no
 * type of this header. */
#define ___BS_CTL_WORDS (sizeof(struct bpf_stream_site_state) / 8)
__u64 bpf_stream_ctl[BPF_STREAM_CTL_SITES * ___BS_CTL_WORDS] SEC(".data.bs_ctl") __weak;

/* Slow path: a site userspace switched on, off or rate-limited. */
static __always_inline int ___bpf_stream_site_slow(struct bpf_stream_site_state *s, __u32 mode)
{
	__u64 now, tat;

	if (mode == BPF_STREAM_CTL_OFF) {
		s->silenced++;
		return 0;
	}
	s->hits++;
	if (mode != BPF_STREAM_CTL_RATE)
		return 1;
	/* GCRA: at most 1 + tau/interval at once, 1/interval in the long run */
	now = ___bpf_stream_clock();
	tat = s->tat;
	if (tat < now)
		tat = now;
	if (tat - now > s->tau_ns) {
		/* announced like drops (written = delivered + dropped +
		 * suppressed): exact on every CPU, so an atomic add; the
		 * other counters of a site are statistics, plain adds */
		__sync_fetch_and_add(&s->suppressed, 1);
		return 0;
	}
	s->tat = tat + s->interval_ns;
	return 1;
}

/* Does call site @id (level default @on) print now? */
static __always_inline int ___bpf_stream_site_on(__u32 id, int on)
{
	struct bpf_stream_site_state *s = (void *)&bpf_stream_ctl[id * ___BS_CTL_WORDS];
	__u32 mode = *(volatile __u32 *)&s->mode;

	if (__builtin_expect(mode == BPF_STREAM_CTL_DEFAULT, 1)) {
		if (on)
			s->hits++;
		return on;
	}
	return ___bpf_stream_site_slow(s, mode);
}

/* The stream is known when the call site is compiled for every level, and
 * for bpf_stream_printk() when its stream id is a constant. */
#define ___bs_site_flags(stream_id, on)                                            \
	(((on) ? BPF_STREAM_SITE_F_DEFAULT_ON : 0) |                               \
	 (__builtin_constant_p(stream_id) ?                                        \
		  ((stream_id) == BPF_STDERR ? BPF_STREAM_SITE_F_STDERR :          \
		   (stream_id) == BPF_STDOUT ? BPF_STREAM_SITE_F_STDOUT : 0) : 0))

/* A call site with a level and a control index: its format in .rodata with
 * its struct bpf_stream_site_meta right after the NUL. */
#define ___bpf_stream_site_printk(lvl, stream_id, fmt, args...)                           \
	({                                                                                   \
		_Static_assert(___bs_narg(args) <= 12,                                       \
			       "bpf_stream_printk: at most 12 arguments after the format");  \
		_Static_assert(___bs_is_literal(fmt),                                        \
			       "bpf_stream_printk: the format must be a string literal");    \
		enum { ___bs_id = BPF_STREAM_SITE_BASE + __COUNTER__,                        \
		       ___bs_on = (lvl) <= BPF_STREAM_DEFAULT_LEVEL };                       \
		_Static_assert(___bs_id < BPF_STREAM_CTL_SITES,                              \
			       "bpf_stream.h: more call sites than BPF_STREAM_CTL_SITES");   \
		static const struct {                                                        \
			char ___f[sizeof(fmt)];                                              \
			struct bpf_stream_site_meta meta;                                    \
			char ___n[sizeof(___BS_FILE)];                                       \
		} __attribute__((packed)) ___bs_site = {                                     \
			fmt,                                                                 \
			{ BPF_STREAM_SITE_MAGIC, ___bs_id, (lvl), ___bs_site_flags(stream_id, ___bs_on), \
			  __LINE__ },                                                        \
			___BS_FILE,                                                          \
		};                                                                           \
		int ___bs_ret = 0;                                                           \
		(void)sizeof(___bpf_stream_check_fmt(fmt, ##args));                          \
		if (___bpf_stream_site_on(___bs_id, ___bs_on)) {                             \
			unsigned long long ___bs_args[___bs_narg(args) ? ___bs_narg(args) : 1]; \
			___bs_fill(___bs_args, ##args);                                      \
			___bs_ret = ___bpf_stream_emit((stream_id), ___bs_site.___f, ___bs_args, \
						       ___bs_narg(args) * 8, sizeof(fmt));   \
		}                                                                            \
		___bs_ret;                                                                   \
	})

/* A call of a level above BPF_STREAM_LEVEL: no code, no data; the format
 * is still checked against the arguments, which are not evaluated. */
#define ___bpf_stream_site_none(fmt, args...)                                 \
	({                                                                    \
		_Static_assert(___bs_is_literal(fmt),                         \
			       "bpf_stream_printk: the format must be a string literal"); \
		(void)sizeof(___bpf_stream_check_fmt(fmt, ##args));           \
		0;                                                            \
	})

/* bpf_stream_printk() and bpf_stream_error() of the section above, now
 * through the controlled call site (same arguments, same return values). */
#undef bpf_stream_printk
#define bpf_stream_printk(stream_id, ...) \
	___bpf_stream_site_printk(BPF_STREAM_LVL_PRINT, stream_id, __VA_ARGS__)

#undef bpf_stream_error
#if BPF_STREAM_LEVEL >= BPF_STREAM_LVL_ERROR
#define bpf_stream_error(...) ___bpf_stream_site_printk(BPF_STREAM_LVL_ERROR, BPF_STDERR, __VA_ARGS__)
#else
#define bpf_stream_error(...) ___bpf_stream_site_none(__VA_ARGS__)
#endif

#ifdef bpf_stream_warn
#undef bpf_stream_warn
#endif
/* bpf_stream_warn() - a WARN line on stderr (see bpf_stream_printk()). */
#if BPF_STREAM_LEVEL >= BPF_STREAM_LVL_WARN
#define bpf_stream_warn(...) ___bpf_stream_site_printk(BPF_STREAM_LVL_WARN, BPF_STDERR, __VA_ARGS__)
#else
#define bpf_stream_warn(...) ___bpf_stream_site_none(__VA_ARGS__)
#endif

#ifdef bpf_stream_info
#undef bpf_stream_info
#endif
/* bpf_stream_info() - an INFO line on stdout (see bpf_stream_printk()). */
#if BPF_STREAM_LEVEL >= BPF_STREAM_LVL_INFO
#define bpf_stream_info(...) ___bpf_stream_site_printk(BPF_STREAM_LVL_INFO, BPF_STDOUT, __VA_ARGS__)
#else
#define bpf_stream_info(...) ___bpf_stream_site_none(__VA_ARGS__)
#endif

#ifdef bpf_stream_debug
#undef bpf_stream_debug
#endif
/* bpf_stream_debug() - a DEBUG line on stdout, silent until switched on at
 * run time (BPF_STREAM_DEFAULT_LEVEL), absent below BPF_STREAM_LEVEL. */
#if BPF_STREAM_LEVEL >= BPF_STREAM_LVL_DEBUG
#define bpf_stream_debug(...) ___bpf_stream_site_printk(BPF_STREAM_LVL_DEBUG, BPF_STDOUT, __VA_ARGS__)
#else
#define bpf_stream_debug(...) ___bpf_stream_site_none(__VA_ARGS__)
#endif

#endif /* __BPF_STREAM_H */
