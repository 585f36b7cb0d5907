/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libbpf-stream internals: shared between the library's files, never
 * installed. Public API: libbpf_stream.h.
 *
 * Architecture (one file per concern):
 *   log.c        diagnostics (bpf_stream_set_print) and errno helpers
 *   read.c       bpf(2) BPF_PROG_STREAM_READ_BY_FD wrapper, bpf_prog_stream_read compat
 *   framer.c     byte chunks -> lines (reassembly, NUL dropping, long-line pieces)
 *   pending.c    per-(program, stream) framer state kept between drains
 *   drain.c      bpf_stream_drain(), bpf_stream_drain_object()
 *   iter.c       bpf_stream_iter__*
 *   reader.c     bpf_stream_reader__* (many programs, adaptive poll, merged view)
 *   report.c     kernel error report parser
 *   print.c      printer callbacks, escape.c terminal escaping
 *   transport.c  probe, bpf_stream_prepare(), object registry, drop counters
 *   ringbuf.c    ring-buffer record decoding and per-program queues
 *   source.c     bs_source_read(): one read from whichever transport carries a stream
 */
#ifndef __LIBBPF_STREAM_INTERNAL_H
#define __LIBBPF_STREAM_INTERNAL_H

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <linux/types.h>
#include "libbpf_stream.h"

#ifndef __printf
#define __printf(a, b) __attribute__((format(printf, a, b)))
#endif

/* ---- errors and diagnostics (log.c) ---------------------------------- */

/* Return a negative errno and set errno, libbpf style: return bs_err(-EINVAL); */
static inline int bs_err(int ret)
{
	if (ret < 0)
		errno = -ret;
	return ret;
}

/* Return NULL with errno set: return bs_err_ptr(-ENOMEM); */
static inline void *bs_err_ptr(int err)
{
	errno = -err;
	return NULL;
}

__printf(2, 3) void bs_print(enum bpf_stream_print_level level, const char *fmt, ...);
#define pr_warn(fmt, ...) bs_print(BPF_STREAM_WARN, "libbpf-stream: " fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...) bs_print(BPF_STREAM_INFO, "libbpf-stream: " fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) bs_print(BPF_STREAM_DEBUG, "libbpf-stream: " fmt, ##__VA_ARGS__)

/* ---- extensible opts, libbpf's rules ----------------------------------- */

/* True if every byte of opts beyond what this library knows is zero. */
bool bs_opts_tail_zero(const void *opts, size_t known, size_t user_sz);

#define bs_offsetofend(TYPE, FIELD) (offsetof(TYPE, FIELD) + sizeof(((TYPE *)0)->FIELD))
/* opts NULL is valid; else sz must cover sz and unknown tail bytes must be 0. */
#define OPTS_VALID(opts, type)                                                              \
	(!(opts) || ((opts)->sz >= sizeof(size_t) &&                                        \
		     bs_opts_tail_zero((opts), bs_offsetofend(struct type, type##__last_field), \
				       (opts)->sz)))
#define OPTS_HAS(opts, field) \
	((opts) && (opts)->sz >= bs_offsetofend(typeof(*(opts)), field))
#define OPTS_GET(opts, field, fallback_value) \
	(OPTS_HAS(opts, field) ? (opts)->field : fallback_value)

/* ---- kernel facts ------------------------------------------------------ */

#ifndef BPF_PROG_STREAM_READ_BY_FD
#define BPF_PROG_STREAM_READ_BY_FD 37 /* enum bpf_cmd, Linux 6.17+ */
#endif

/* attr of BPF_PROG_STREAM_READ_BY_FD (union bpf_attr member prog_stream_read) */
struct bs_stream_read_attr {
	__u64 stream_buf;
	__u32 stream_buf_len;
	__u32 stream_id;
	__u32 prog_fd;
};

static inline bool bs_stream_id_valid(__u32 stream_id)
{
	return stream_id == BPF_STDOUT || stream_id == BPF_STDERR;
}

static inline const char *bs_stream_name(__u32 stream_id)
{
	return stream_id == BPF_STDOUT ? "stdout" : stream_id == BPF_STDERR ? "stderr" : "?";
}

/* ---- line framing (framer.c) ------------------------------------------- */

/* A run of stream bytes and what the transport knows about them. */
struct bs_chunk {
	const char *data;
	size_t len;
	__u64 ts_ns;	/* 0 if unknown */
	__u32 flags;	/* BPF_STREAM_MSG_F_TRUNCATED from the ring record */
};

/* Called once per line (no '\n', NUL-terminated at line[len]). */
typedef int (*bs_line_fn)(void *ctx, const char *line, size_t len, __u64 ts_ns, __u32 flags);

/* ---- transport side (transport.c, ringbuf.c, source.c) ----------------- */

struct bs_object;	/* registry entry of a prepared object */

/* The prepared object that owns a program id, or NULL. Caller holds no lock;
 * entries live until bpf_stream_release(). */
struct bs_object *bs_object_find_prog(__u32 prog_id);
struct bs_object *bs_object_find(const struct bpf_object *obj);

/* Full (libbpf) name of a program of a prepared object, or NULL. */
const char *bs_object_prog_name(struct bs_object *o, __u32 prog_id);

/* Name of the object ("" if none) for drop notices. */
const char *bs_object_name(struct bs_object *o);

/* Ring buffer map fd of a ringbuf-transport object (for epoll wake-ups), or -1. */
int bs_object_ring_epoll_fd(struct bs_object *o);

/* Metadata of one bs_source_read() result. */
struct bs_source_meta {
	__u64 ts_ns;
	__u32 flags;	/* BPF_STREAM_MSG_F_TRUNCATED */
};

/*
 * One read of (program, stream) from whichever transport carries it.
 * Bytes of at most one ring record, or one native read, per call.
 * prog_fd: the caller's fd of the program; prog_id: its id.
 * Return: bytes (0 = nothing queued now) or -errno.
 */
int bs_source_read(int prog_fd, __u32 prog_id, __u32 stream_id, void *buf, size_t len,
		   struct bs_source_meta *meta);

/* Drop counter of an object's stream (ring and native drops). */
int bs_object_dropped(struct bs_object *o, __u32 stream_id, __u64 *count);

#endif /* __LIBBPF_STREAM_INTERNAL_H */
