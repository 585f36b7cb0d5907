/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Levels and run-time control of call sites: the layouts shared by
 * bpf_stream.h (BPF side) and libbpf-stream's ctl.c (userspace). Both sides
 * include this file; change a layout only together with
 * BPF_STREAM_SITE_MAGIC. Design and usage: docs/control.md.
 * Needs __u8/__u16/__u32/__u64 (vmlinux.h, <linux/types.h> or <linux/bpf.h>).
 *
 * Each call site of bpf_stream_printk()/_error()/_warn()/_info()/_debug()
 * gets a control index when it is compiled (a small integer, __COUNTER__
 * plus BPF_STREAM_SITE_BASE), below BPF_STREAM_CTL_SITES. Its format string
 * lives in .rodata followed, byte for byte (a packed struct), by
 * struct bpf_stream_site_meta: userspace, which finds every call site of a
 * loaded program from its translated instructions (the format's offset, as
 * for records and drops), reads the index, level and source line there.
 *
 * The run-time state is an array of struct bpf_stream_site_state, one per
 * index, the global variable BPF_STREAM_CTL_VAR in its own data section
 * BPF_STREAM_CTL_SEC (a separate array map, writable and mmap-able from any
 * process that can get its fd by id). A call site reads its entry's @mode
 * before it evaluates its arguments or formats anything.
 */
#ifndef __BPF_STREAM_CTL_H
#define __BPF_STREAM_CTL_H

/* Levels (syslog numbers). 0 is bpf_stream_printk(): not filtered by level,
 * never removed by the compile-time floor, still switchable per site. */
#define BPF_STREAM_LVL_PRINT 0
#define BPF_STREAM_LVL_ERROR 3
#define BPF_STREAM_LVL_WARN 4
#define BPF_STREAM_LVL_INFO 6
#define BPF_STREAM_LVL_DEBUG 7

/* struct bpf_stream_site_state.mode */
#define BPF_STREAM_CTL_DEFAULT 0	/* as compiled: on if level <= the default run-time level */
#define BPF_STREAM_CTL_ON 1		/* prints */
#define BPF_STREAM_CTL_OFF 2		/* silent, calls counted in @silenced */
#define BPF_STREAM_CTL_RATE 3		/* prints within @interval_ns/@tau_ns, else @suppressed */

#define BPF_STREAM_SITE_MAGIC 0x43534231U	/* "1BSC" */
#define BPF_STREAM_CTL_VAR "bpf_stream_ctl"
#define BPF_STREAM_CTL_SEC ".data.bs_ctl"

/* In .rodata right after the format's NUL (packed, no alignment). */
struct bpf_stream_site_meta {
	__u32 magic;		/* BPF_STREAM_SITE_MAGIC */
	__u16 id;		/* index into BPF_STREAM_CTL_VAR */
	__u8 level;		/* BPF_STREAM_LVL_* */
	__u8 flags;		/* BPF_STREAM_SITE_F_* */
	__u32 line;		/* __LINE__ of the call */
	/* then the source file's name (__FILE_NAME__, else __FILE__), NUL-terminated */
} __attribute__((packed));

#define BPF_STREAM_SITE_F_DEFAULT_ON 0x1	/* mode DEFAULT prints */
#define BPF_STREAM_SITE_F_STDERR 0x2		/* writes to stderr (its level, or a constant stream id) */
#define BPF_STREAM_SITE_F_STDOUT 0x4		/* writes to stdout (its level, or a constant stream id) */

/* One entry per control index, 64 bytes. Written by userspace (@mode last,
 * after the rate fields), counted by the BPF side without atomics: counts
 * can lose an increment when two CPUs hit the same site at the same
 * moment, never gain one. */
struct bpf_stream_site_state {
	__u32 mode;		/* BPF_STREAM_CTL_* */
	__u32 rate;		/* messages per second (for display; @interval_ns rules) */
	__u32 burst;		/* messages at once (for display; @tau_ns rules) */
	__u32 resv;
	__u64 interval_ns;	/* 1e9 / rate */
	__u64 tau_ns;		/* (burst - 1) * interval_ns */
	__u64 tat;		/* rate limiter: theoretical arrival time (GCRA), clock ns */
	__u64 hits;		/* calls that passed the switch: printed + dropped + suppressed */
	__u64 suppressed;	/* calls over the rate limit */
	__u64 silenced;		/* calls while @mode was BPF_STREAM_CTL_OFF */
};

#endif /* __BPF_STREAM_CTL_H */
