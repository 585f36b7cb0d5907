/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The ring-buffer transport's wire format: shared by bpf_stream.h (BPF side,
 * writer) and libbpf-stream (userspace, reader). Both sides include this
 * file, so the layout cannot drift; change it only together with
 * BPF_STREAM_REC_VERSION.
 *
 * Needs __u16/__u32/__u64 (from vmlinux.h, <linux/types.h> or <linux/bpf.h>).
 */
#ifndef __BPF_STREAM_RECORD_H
#define __BPF_STREAM_RECORD_H

#define BPF_STREAM_REC_MAGIC 0x5342 /* "BS" */
#define BPF_STREAM_REC_VERSION 1

/* Bytes of the enclosing function's name (__func__) kept in a record. */
#define BPF_STREAM_REC_NAME_LEN 32

/* Values of the object's load-time transport constant (bpf_stream_transport_sel). */
#define BPF_STREAM_SEL_DEFAULT 0 /* no userspace choice: native if the kfunc exists, else ringbuf */
#define BPF_STREAM_SEL_NATIVE 1
#define BPF_STREAM_SEL_RINGBUF 2

/* rec flags */
#define BPF_STREAM_REC_F_TRUNCATED 0x1 /* formatted text was longer than the record */

/*
 * One message. The ring buffer record is the header followed by text_len
 * bytes of text (no NUL counted; the BPF side reserves a fixed-size record,
 * so bytes after text_len are padding). Userspace must check magic, version,
 * stream_id, and that sizeof(hdr) + text_len fits the record it got.
 */
struct bpf_stream_rec_hdr {
	__u16 magic;
	__u8 version;
	__u8 stream_id;		/* BPF_STDOUT (1) or BPF_STDERR (2) */
	__u16 flags;		/* BPF_STREAM_REC_F_* */
	__u16 text_len;		/* bytes of text that follow */
	__u64 ts_ns;		/* bpf_ktime_get_ns() if BPF_STREAM_TIMESTAMP, else 0 */
	char func[BPF_STREAM_REC_NAME_LEN]; /* NUL-padded __func__ of the caller */
};

/* Per-object drop counters live in an array map named BPF_STREAM_STATS_MAP,
 * key = stream id (0..2, 0 unused), value = struct bpf_stream_stats. */
#define BPF_STREAM_STATS_MAP "bpf_stream_stat"
#define BPF_STREAM_RINGBUF_MAP "bpf_stream_rb"
#define BPF_STREAM_SEL_VAR "bpf_stream_transport_sel"

struct bpf_stream_stats {
	__u64 dropped;		/* messages that did not reach the stream */
};

#endif /* __BPF_STREAM_RECORD_H */
