/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The ring-buffer transport's wire format: shared by bpf_stream.h (BPF side,
 * writer) and libbpf-stream (userspace, reader). Both sides include this
 * file, so the layout cannot drift; change it only together with
 * BPF_STREAM_REC_VERSION.
 *
 * Needs __u8/__u16/__u32/__u64 (from vmlinux.h, <linux/types.h> or <linux/bpf.h>).
 *
 * Version 2: records have the exact size of what they carry.
 *
 *   struct bpf_stream_rec_hdr          16 bytes
 *   __u64 ts_ns                        if flags & BPF_STREAM_REC_F_TS
 *   payload                            len bytes
 *
 * Two kinds of payload, chosen per call site when the program is compiled
 * (never per message):
 *  - BINARY (flags & BPF_STREAM_REC_F_BINARY): the call's nargs raw 64-bit
 *    arguments, then the bytes of each %s argument in argument order, each
 *    with its NUL. The argument slot of a %s holds the number of its bytes
 *    (NUL included), never the pointer. Userspace formats the text with the
 *    format string found through @site (below), exactly as the kernel's
 *    bpf_snprintf() would. Used when every conversion of the format is one
 *    userspace reproduces exactly: %d %i %u %x %X with l/ll, %c, %s, %%,
 *    flags "0+- " and a width.
 *  - TEXT (no BINARY flag): the formatted text, len bytes, no NUL; the
 *    kernel formatted it (bpf_snprintf), for formats with the %p family.
 *
 * Identity (shared with the "every line under the right program" work):
 * @site is the call site: the byte offset of its format string in the
 * object's .rodata minus the offset of the sentinel variable
 * BPF_STREAM_FMT_BASE_VAR (struct bpf_stream_fmt_base). The same
 * subtraction is what the call site's instructions compute, so the loaded
 * program's translated instructions reference .rodata at (sentinel + site):
 * from a program id alone, userspace finds which programs contain a call site
 * (BPF_OBJ_GET_INFO_BY_FD: xlated_prog_insns, map ids) and reads the format
 * (the .rodata map's value, by its fd). A call site compiled into several
 * programs (a non-inlined helper they share) is told apart by @prog: 0 means
 * "the program is the one whose code contains @site"; non-zero values are
 * reserved for a per-program value fixed at load time.
 */
#ifndef __BPF_STREAM_RECORD_H
#define __BPF_STREAM_RECORD_H

#define BPF_STREAM_REC_MAGIC 0x5342 /* "BS" */
#define BPF_STREAM_REC_VERSION 2

/* Values of the object's load-time transport constant (bpf_stream_transport_sel). */
#define BPF_STREAM_SEL_DEFAULT 0 /* no userspace choice: native if the kfunc exists, else ringbuf */
#define BPF_STREAM_SEL_NATIVE 1
#define BPF_STREAM_SEL_RINGBUF 2

/* rec flags */
#define BPF_STREAM_REC_F_TRUNCATED 0x1 /* TEXT: formatted text was longer than the limit */
#define BPF_STREAM_REC_F_BINARY 0x2    /* payload is raw arguments + strings */
#define BPF_STREAM_REC_F_TS 0x4        /* a __u64 ts_ns follows the header */
#define BPF_STREAM_REC_F_ALL 0x7

/* The kernel's limits (include/linux/bpf.h) that binary records obey too. */
#define BPF_STREAM_MAX_ARGS 12         /* MAX_BPRINTF_VARARGS */
#define BPF_STREAM_BIN_ARGS_MAX 512    /* MAX_BPRINTF_BIN_ARGS: bytes of converted
				        * arguments + copied strings per message */

struct bpf_stream_rec_hdr {
	__u16 magic;		/* BPF_STREAM_REC_MAGIC */
	__u8 version;		/* BPF_STREAM_REC_VERSION */
	__u8 stream_id;		/* BPF_STDOUT (1) or BPF_STDERR (2) */
	__u16 flags;		/* BPF_STREAM_REC_F_* */
	__u16 len;		/* payload bytes after the header (and ts_ns) */
	__u32 site;		/* call site = format id (see above) */
	__u16 prog;		/* 0: the program containing @site; else reserved */
	__u8 nargs;		/* BINARY: raw 64-bit arguments in the payload */
	__u8 resv;		/* 0 */
};

/* The sentinel every format id is relative to: a __u64 .rodata variable
 * named BPF_STREAM_FMT_BASE_VAR (a plain integer, so that skeletons need no
 * type of this header). Its value tells userspace the record version and
 * the object's message limit (BPF_STREAM_MSG_MAX). */
#define BPF_STREAM_FMT_MAGIC 0x42534654U /* "TFSB" */
#define BPF_STREAM_FMT_BASE_VALUE(msg_max) \
	(BPF_STREAM_FMT_MAGIC | ((__u64)BPF_STREAM_REC_VERSION << 32) | ((__u64)(msg_max) << 48))
#define BPF_STREAM_FMT_BASE_MAGIC(v) ((__u32)(v))
#define BPF_STREAM_FMT_BASE_VERSION(v) ((__u16)((v) >> 32))
#define BPF_STREAM_FMT_BASE_MSG_MAX(v) ((__u16)((v) >> 48))

/* Drop counters. A message that could not be queued is counted once:
 *  - per call site and stream in a hash map named BPF_STREAM_DROPS_MAP
 *    (key struct bpf_stream_drop_key, value __u64), which tells userspace
 *    the program that dropped it (the one whose code contains the call
 *    site, as for records); then the stream's bpf_stream_stats.sited is
 *    incremented, so a reader rescans the hash only after it changed;
 *  - or, when that map is full or busy, in bpf_stream_stats.dropped: the
 *    writer is then unknown.
 * The array map named BPF_STREAM_STATS_MAP: key = stream id (0..2, 0
 * unused), value = struct bpf_stream_stats. Total drops of a stream =
 * dropped + sited. */
#define BPF_STREAM_STATS_MAP "bpf_stream_stat"
#define BPF_STREAM_DROPS_MAP "bpf_stream_drop"
#define BPF_STREAM_RINGBUF_MAP "bpf_stream_rb"
#define BPF_STREAM_SEL_VAR "bpf_stream_transport_sel"
#define BPF_STREAM_FMT_BASE_VAR "bpf_stream_fmt_base"

/* Why bpf_stream_prepare() picked the transport, kept in the object itself
 * (and so in the kernel, for any process to see) as the drop-counter map's
 * size: max_entries = BPF_STREAM_STAT_ENTRIES(why). Entries past the stream
 * ids are never used. */
#define BPF_STREAM_STAT_ENTRIES(why) (3 + (why))
#define BPF_STREAM_WHY_ENV 1	/* forced by BPF_STREAM_TRANSPORT */
#define BPF_STREAM_WHY_CALLER 2	/* bpf_stream_prepare_opts() asked for it */
#define BPF_STREAM_WHY_PROBE 3	/* auto: the probe found native streams unusable */
#define BPF_STREAM_WHY_BIND 4	/* auto: the kfunc extern does not fit this kernel */
#define BPF_STREAM_WHY_WORKS 5	/* auto: native streams work */

struct bpf_stream_stats {
	__u64 dropped;		/* drops whose call site could not be counted */
	__u64 sited;		/* drops counted per call site (BPF_STREAM_DROPS_MAP) */
};

/* Entry 0 of BPF_STREAM_STATS_MAP (never touched by the BPF side): the
 * process consuming the object's messages now (libbpf-stream's reading
 * model, libbpf-stream/consumer.c). pid 0: nobody. @start: the low 32 bits
 * of the process's start time (field 22 of /proc/PID/stat), so that a
 * recycled pid is not taken for it. Same size as struct bpf_stream_stats. */
struct bpf_stream_consumer {
	__u32 pid;
	__u32 start;
	__u64 resv;
};

/* The process that prepared the object (bpf_stream_prepare() writes it
 * into this .rodata constant before load): start << 32 | pid, 0 if none.
 * Until it dies it is taken as the object's consumer. */
#define BPF_STREAM_OWNER_VAR "bpf_stream_owner"

struct bpf_stream_drop_key {
	__u32 site;		/* call site, as in struct bpf_stream_rec_hdr */
	__u32 stream_id;	/* stream id, | BPF_STREAM_DROP_OVERSIZE */
};

/* Set in bpf_stream_drop_key.stream_id: the messages counted there were
 * refused as longer than the kernel's per-message limit (-E2BIG, Linux 7.4+
 * native streams), not lost for want of room. Still counted in the stream's
 * bpf_stream_stats.sited like every per-site drop. A reader that knows no
 * such bit skips these keys (their stream id is not 1 or 2). */
#define BPF_STREAM_DROP_OVERSIZE 0x100U

#endif /* __BPF_STREAM_RECORD_H */
