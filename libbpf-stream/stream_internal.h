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
 *   probe.c      what the running kernel offers: its stream kfunc, whether writes land
 *   bind.c       binding bpf_stream.h's kfunc extern of an object to that kfunc
 *   transport.c  bpf_stream_prepare() (writes the choice into the object) and
 *                the bpf_stream_object_* calls, bpf_stream_release()
 *   discovery.c  from a program fd/id: its instance's maps, transport, ring,
 *                names, drop counters per program (kernel ids and fds it owns,
 *                no registry of bpf_object pointers); bpf_stream_prog_transport()
 *   sites.c      call site -> programs containing it (translated instructions)
 *   ctl.c        call-site levels, switches, rate limits (bpf_stream_sites__*,
 *                bpf_stream_ctl_set()), suppressed counts for the notices
 *   srcline.c    call site -> source file, line, function (BTF line/func info),
 *                for journal.c's CODE_* fields of the message a reader delivers
 *   ringbuf.c    ring-buffer record decoding, attribution by call site, queues
 *   ringmap.c    a ring buffer map's pages and positions (consume, or read as a tap)
 *   consumer.c   which process consumes an object's messages (the reading model)
 *   format.c     formats of binary records: call-site table, kernel-exact formatter
 *   source.c     bs_source_read(): one read from whichever transport carries a stream
 *   stream_fd.c  Linux 7.4's stream fds, non-blocking, probed once
 *                (stream_fd_contract.h: the contract check it shares with the tests)
 *   features.c   the one table of kernel features, probed once, cached
 *   compat_libbpf.c  the one write into libbpf's BTF strings (libbpf < 1.3)
 *   journal.c    systemd journal printers (libsystemd where built in)
 *
 * Names, as libbpf's: bs_<object>__<method>() for a function of a struct
 * the caller holds (its first argument, or the one it creates):
 * bs_framer__push(), bs_tport__get()/__put(), bs_ring__read(),
 * bs_sites__learn(), bs_source_meta__next(); bs_<unit>_<verb>() for a
 * unit's process-wide state or a function of ids: bs_pending_take(),
 * bs_feat_probe(), bs_tport_release(ids), bs_consumer_self().
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

/* Is @fd an anonymous inode of that kind ("bpf-prog", "bpf-stream"), as
 * /proc/self/fd tells (read.c)? False without /proc. */
bool bs_fd_is_anon(int fd, const char *kind);
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
	__u32 flags;	/* BPF_STREAM_MSG_F_TRUNCATED, _WRITER_UNKNOWN from the ring */
};

/* Called once per line (no '\n', NUL-terminated at line[len]). */
typedef int (*bs_line_fn)(void *ctx, const char *line, size_t len, __u64 ts_ns, __u32 flags);

/*
 * Line framer: pure (no syscalls, no globals), fed chunk by chunk.
 *  - a line split across chunks is reassembled; NUL bytes are dropped;
 *  - a line longer than BPF_STREAM_LINE_MAX is delivered in pieces of
 *    BPF_STREAM_LINE_MAX bytes flagged BPF_STREAM_MSG_F_PARTIAL (the last
 *    piece is not flagged), nothing is lost;
 *  - a line carries the ts_ns of the chunk its first byte came from and the
 *    OR of the flags of every chunk that gave it bytes, except TRUNCATED:
 *    a chunk with it is a message cut at its end, and only the line holding
 *    the chunk's last byte other than NUL (the cut line) gets it;
 *  - when the callback returns non-zero the framer stops at once and keeps
 *    the undelivered rest; bs_framer__resume() (or the next push) delivers it
 *    first.
 * Return of push/resume/flush: 0, the callback's non-zero value, or -ENOMEM.
 */
struct bs_framer;

struct bs_framer *bs_framer__new(void);
void bs_framer__free(struct bs_framer *f);
int bs_framer__push(struct bs_framer *f, const struct bs_chunk *c, bs_line_fn fn, void *ctx);
int bs_framer__resume(struct bs_framer *f, bs_line_fn fn, void *ctx);
/* Deliver leftovers, then the trailing partial line flagged UNTERMINATED. */
int bs_framer__flush(struct bs_framer *f, bs_line_fn fn, void *ctx);
/* Undelivered bytes are held (stopped chunk rest or a partial line). */
bool bs_framer__has_leftover(const struct bs_framer *f);
bool bs_framer__has_partial(const struct bs_framer *f);
/* Move everything @src holds to the end of @dst (@src is emptied). */
int bs_framer__absorb(struct bs_framer *dst, struct bs_framer *src);

/* ---- pending state between drains (pending.c) --------------------------- */

/* Take the process-wide framer state of (prog_id, stream_id): the caller owns
 * it until bs_pending_put(). Never NULL unless out of memory. */
struct bs_framer *bs_pending_take(__u32 prog_id, __u32 stream_id);
/* Give it back; kept only if it still holds bytes, else freed. */
void bs_pending_put(__u32 prog_id, __u32 stream_id, struct bs_framer *f);
/* Forget the state of a program the kernel has freed (discovery.c finds
 * them gone): its leftover bytes and its drop bookkeeping. */
void bs_pending_forget(__u32 prog_id);
/* Drop counter bookkeeping: returns the messages dropped on (key, kind,
 * prog_id, stream_id) since the last call that reported them (0 if none),
 * and records @now. Key: the drop-counter map's kernel id, or a scripted
 * source's address; kind: enum bs_drop_kind. */
__u64 bs_pending_drop_delta(__u64 key, __u32 kind, __u32 prog_id, __u32 stream_id, __u64 now,
			    bool *first);

/* ---- stream sources and the shared drain engine (drain.c) --------------- */

struct bs_source_meta;

/* One read of a stream: bytes (0 = nothing now) or -errno. */
typedef int (*bs_read_fn)(void *ctx, void *buf, size_t len, struct bs_source_meta *meta);

/* Where a drain reads from: the transport (bs_source_read) or, in tests, a
 * scripted source. prog_name must stay valid while the source is used. */
struct bs_stream_src {
	bs_read_fn read;
	void *read_ctx;
	__u32 prog_id;
	const char *prog_name;
	__u32 stream_id;
	/* Optional drop counter (scripted sources); NULL: the bpf_stream.h
	 * instance of prog_id, found from the kernel (bs_tport__dropped). */
	int (*dropped)(void *read_ctx, __u64 *count);
};

/* Offset (>= 0, or -ENOENT) and *size of variable @var_name in an array
 * map's value, from the map's BTF datasec (discovery.c). */
struct bpf_map_info;
long bs_datasec_var(const struct bpf_map_info *mi, const char *var_name, __u32 *size);
/* The program's info with its map ids (discovery.c; *maps: caller frees).
 * Return: 0 or -errno. */
int bs_prog_info_maps(int prog_fd, struct bpf_prog_info *info, __u32 **maps);
/* The program's translated instructions (sites.c; *insns: caller frees,
 * NULL and *ninsns 0 for none). Return: 0 or -errno. */
struct bpf_insn;
int bs_prog_xlated(int prog_fd, struct bpf_insn **insns, __u32 *ninsns);

/* Check that @prog_fd is a BPF program; fill its id and kernel name.
 * Return: 0, -EBADF (not an open fd), -EINVAL (not a program). */
int bs_prog_identify(int prog_fd, __u32 *prog_id, char *name, size_t name_sz);

/* Read/frame/deliver everything queued on @src now, then flush the trailing
 * partial line. Uses and updates the pending state of the stream.
 * Return: lines delivered, the callback's non-zero value, or -errno. */
int bs_drain_src(const struct bs_stream_src *src, bpf_stream_msg_fn fn, void *ctx);
/* The same, with the count apart: return 0, the callback's non-zero value
 * or -errno; *lines gets the lines delivered either way. */
int bs_drain_src_lines(const struct bs_stream_src *src, bpf_stream_msg_fn fn, void *ctx,
		       int *lines);

/* Who dropped messages, as far as the call sites tell. */
enum bs_drop_kind {
	BS_DROP_OWN,		/* call sites only this program contains */
	BS_DROP_SHARED,		/* call sites it shares with other programs */
	BS_DROP_UNKNOWN,	/* no call site known (given to the first program) */
	BS_DROP_OVERSIZE,	/* refused as too long (-E2BIG, Linux 7.4+), any writer */
	BS_DROP_MISSED,		/* tap: ring bytes written over before this process read them */
	BS_DROP_SUPPRESSED,	/* not lost: over a call site's rate limit (ctl.c) */
	BS_DROP_KINDS,
};

/* Messages of program @prog_id's call sites on @stream_id suppressed by a
 * rate limit so far (ctl.c; 0 when its object has no call-site control). */
__u64 bs_ctl_suppressed(__u32 prog_id, __u32 stream_id);

/* The drop counts of one program's stream, so far, by kind. */
struct bs_drops {
	__u64 n[BS_DROP_KINDS];
	__u64 key;		/* bookkeeping key (0: no counter) */
	__u32 prog_id, stream_id;
	int next;		/* next kind bs_drops_next() looks at */
	/* This process prepared the object (or the source is scripted): the
	 * drops before its first read are news too. Otherwise what was
	 * counted before this process first looked is said once, as such. */
	bool owner;
	__u32 consumer_pid;	/* MISSED: the process that consumed them */
};

/* Room for any drop notice's text. */
#define BS_DROP_NOTICE_MAX 128

/* The drop counts of @src's program and stream (for bs_drops_next()). */
void bs_src_drops(const struct bs_stream_src *src, struct bs_drops *d);

/* The next drop notice of @d: the messages of one kind dropped since last
 * reported, marked reported now; text written into @buf
 * (BS_DROP_NOTICE_MAX bytes). False when no kind has new drops. One
 * notice per kind: "[N messages dropped on stdout]", and for the other
 * kinds the same words saying the writer is unknown. */
bool bs_drops_next(struct bs_drops *d, struct bpf_stream_msg *msg, char *buf,
		   const char *prog_name);

/* ---- iterator and reader over scripted sources (tests) ------------------ */

struct bpf_stream_iter *bs_iter__new_src(const struct bs_stream_src *src);
/* Follow a scripted stream; @src is copied (prog_name is duplicated). */
int bs_reader__add_src(struct bpf_stream_reader *r, const struct bs_stream_src *src);
/* Tests and bench: cycles run so far (each poll wake-up runs one), and the
 * stream fds (stream_fd.h) the reader holds now. */
__u64 bs_reader__cycles(const struct bpf_stream_reader *r);
int bs_reader__stream_fds(const struct bpf_stream_reader *r);

/* ---- report parser internals (report.c) --------------------------------- */

/* Like bpf_stream_report_parser__push(); *in_report tells whether the line
 * belongs to a kernel report block. */
int bs_report_parser__push(struct bpf_stream_report_parser *p, const struct bpf_stream_msg *msg,
			  bool *in_report);

/* ---- discovery from the kernel (discovery.c) ------------------------------ */

/* A bpf_stream.h instance (an object's .rodata, drop counters and ring) as
 * the kernel shows it, found from one of its programs. */
struct bs_tport;

/*
 * The instance program @prog_id belongs to, referenced (bs_tport__put()),
 * and the program's index in its ring (-1: not on a ring). @prog_fd: an
 * fd of the program, or -1 (opened by id). NULL: the program uses no
 * bpf_stream.h instance (read natively), was released, or cannot be asked.
 */
struct bs_tport *bs_tport__get(int prog_fd, __u32 prog_id, int *ring_idx);

/* This process's part in reading an instance (consumer.c, discovery.c). */
enum bs_role {
	BS_ROLE_CONSUMER,	/* consumes: reads take the messages */
	BS_ROLE_TAP,		/* ring: another process consumes, this one reads along */
	BS_ROLE_REFUSED,	/* native: another process reads; taking over was not asked */
};
/* The role now (rechecked at most every 250 ms: a consumer that died or
 * let go is replaced, one that took over is followed). */
enum bs_role bs_tport__role(struct bs_tport *t);
/* Consume from now on, whoever consumed before (a reader's take_over). */
void bs_tport__take_over(struct bs_tport *t);
/* The other process's pid and name, when the role is not CONSUMER. */
__u32 bs_tport__consumer(struct bs_tport *t, char *comm, size_t comm_sz);
void bs_tport__put(struct bs_tport *t);
enum bpf_stream_transport bs_tport__transport(const struct bs_tport *t);
/* Bytes of the next queued ring message (as bs_ring__read()), -ENOENT if
 * the program is not on a ring. */
int bs_tport__ring_read(struct bs_tport *t, int ring_idx, __u32 stream_id, void *buf, size_t len,
		       struct bs_source_meta *meta);
/* Ring transport on a kernel with native streams: stderr is read natively
 * too (kernel error reports exist only there). */
bool bs_tport__native_stderr(const struct bs_tport *t);
/* The ring's epoll fd (for the reader's wait), or -1. Valid while referenced. */
int bs_tport__epoll_fd(const struct bs_tport *t);
/* Kernel id of the drop-counter map (0 if none): the key of drop notices. */
__u32 bs_tport__stat_id(const struct bs_tport *t);
/* Messages dropped on a stream by all programs of the instance (the BPF
 * side's counters and records this process could not queue). 0 or -errno. */
int bs_tport__dropped(struct bs_tport *t, __u32 stream_id, __u64 *count);
/* Messages dropped on a stream by program @prog_id, by kind, since the
 * object was loaded (its call sites' counts, records of it this process
 * could not queue; the first program also gets the drops no program can
 * be named for). 0 or -errno. */
int bs_tport__drops(struct bs_tport *t, __u32 prog_id, __u32 stream_id, struct bs_drops *d);
/* Messages of program @prog_id this process took from its ring and has
 * not delivered (0 if not on a ring). */
__u64 bs_tport__queued(struct bs_tport *t, __u32 prog_id, __u32 stream_id);
/* Full name of a program of a discovered instance into @buf: 0, or -ENOENT. */
int bs_tport_prog_name(__u32 prog_id, char *buf, size_t sz);
/* bpf_stream_release(): forget the instances of these programs and
 * remember their ids as released. */
void bs_tport_release(const __u32 *ids, size_t n);
bool bs_prog_released(__u32 prog_id);
/* -ESTALE if a loaded program of @obj was released, else 0 (transport.c). */
int bs_object_check(const struct bpf_object *obj);

/* Longest program name kept (BTF names are longer than the kernel's 15). */
#define BS_NAME_MAX 256

/* Metadata of one bs_source_read() result. */
struct bs_source_meta {
	__u64 ts_ns;
	__u32 flags;	/* BPF_STREAM_MSG_F_TRUNCATED, _WRITER_UNKNOWN */
	/* ring records: 1 + the translated instruction index of the call
	 * site in the program read (0: unknown), for its BTF line info */
	__u32 insn1;
	/* In and out, kept by the caller across the reads of one drain: the
	 * ring position the drain stops at (0: not set yet; the first read of
	 * a ring sets it to the producer position it sees). A drain so ends
	 * with what was queued when it began, however fast programs write. */
	__u64 limit;
};

/* Start the meta of the next read of a drain (keeps the limit). */
static inline void bs_source_meta__next(struct bs_source_meta *m)
{
	m->ts_ns = 0;
	m->flags = 0;
	m->insn1 = 0;
}

/*
 * One read of (program, stream) from whichever transport carries it.
 * Ring: the next queued message, then following ones that fit whole and
 * carry no metadata (no stamp, not cut); native: one read.
 * prog_fd: the caller's fd of the program (-1: opened by id if needed);
 * prog_id: its id.
 * Return: bytes (0 = nothing queued now) or -errno.
 */
int bs_source_read(int prog_fd, __u32 prog_id, __u32 stream_id, void *buf, size_t len,
		   struct bs_source_meta *meta);

/* ---- the kernel's stream kfunc (probe.c, bind.c) ---------------------- */

#include "stream_features.h"

/* What the running kernel offers for BPF streams (probed once per process). */
struct bs_kernel {
	int btf_err;		/* -errno if the kernel's BTF could not be read */
	bool kfunc_in_btf;	/* a stream kfunc is named in the kernel's BTF */
	const char *kfunc_name;	/* the one programs can call, NULL if none */
	int kfunc_btf_id;
	unsigned int kfunc_nr_args;
	int write_err;		/* 0: a native write landed and read back; else -errno */
};

/* The probe's answer: BS_FEAT_NATIVE_WRITE of the feature table
 * (stream_features.h; probes on first use; thread-safe). Where a test forced that
 * feature with bs_feat_test_override(), the answer is as if the kernel had
 * (1) a five-argument bpf_stream_vprintk_impl whose writes land, or (0) no
 * stream kfunc. */
struct bs_kernel bs_kernel_probe(void);
/* Why native streams cannot carry messages here, or NULL if they can. */
const char *bs_kernel_native_problem(const struct bs_kernel *k);

/* True if the linked libbpf resolves kfunc externs by flavour (>= 1.3). */
bool bs_libbpf_resolves_flavours(void);
/*
 * Make @obj's (opened, not loaded) bpf_stream.h kfunc extern resolve to the
 * kernel's stream kfunc @k (see bind.c). Return: 0 (bound, or the object
 * calls no stream kfunc), -ENOENT with *why set if no extern of the object
 * fits the kernel's kfunc.
 */
int bs_bind_kfunc(struct bpf_object *obj, const struct bs_kernel *k, const char **why);
/* libbpf < 1.3 only (compat_libbpf.c): cut the BTF string at @name_off of
 * @btf to its first @len bytes, in place. */
struct btf;
void bs_compat_btf_cut_name(const struct btf *btf, __u32 name_off, size_t len);
/* Bind @obj's bpf_stream_print_stack___v1 extern (bpf_stream.h) to the
 * kernel's kfunc where the kernel has it and libbpf < 1.3 would not (bind.c);
 * nothing otherwise. */
void bs_bind_print_stack(struct bpf_object *obj);

/* ---- ring-buffer records and queues (ringbuf.c) ------------------------ */

/* A validated ring record: points into the bytes given to bs_rec_decode(). */
struct bs_rec_view {
	__u32 stream_id;	/* BPF_STDOUT or BPF_STDERR */
	__u32 flags;		/* BPF_STREAM_REC_F_* */
	__u64 ts_ns;		/* 0 unless BPF_STREAM_REC_F_TS */
	__u32 site;		/* call site (format id) */
	__u32 prog;		/* header's prog field (0) */
	__u32 nargs;		/* BINARY: raw arguments at the payload's start */
	const char *payload;	/* len bytes, not NUL-terminated */
	size_t len;
};

/* Pure decoder (safe on any bytes): 0 and *v filled, or -EBADMSG (short,
 * bad magic, unknown flags), -EPROTO (version), -ENOENT (stream id),
 * -EMSGSIZE (payload beyond the record), -E2BIG (arguments beyond the
 * payload or more than 12), -EINVAL (NULL). */
int bs_rec_decode(const void *data, size_t size, struct bs_rec_view *v);

/* ---- formats of binary records (format.c) ------------------------------- */

/* An object's call sites: its .rodata and the sentinel's offset in it. */
struct bs_fmt_table;
struct bs_fmt;

/* From .rodata bytes (copied) and the offset of bpf_stream_fmt_base in them.
 * NULL + errno: EINVAL, EBADMSG (no sentinel there), EPROTO, ENOMEM. */
struct bs_fmt_table *bs_fmt_table__new(const void *rodata, size_t size, size_t base);
/* A kernel BTF object by id, read into zeroed memory (valgrind cannot see
 * the kernel fill it), or NULL + errno. */
struct btf;
struct btf *bs_kernel_btf(__u32 id);
/* From a loaded object's .rodata map fd (value + BTF, through the kernel). */
struct bs_fmt_table *bs_fmt_table__from_map(int map_fd);
void bs_fmt_table__free(struct bs_fmt_table *t);
/* BPF_STREAM_MSG_MAX of the object; offset of the sentinel. */
__u32 bs_fmt_table__msg_max(const struct bs_fmt_table *t);
size_t bs_fmt_table__base(const struct bs_fmt_table *t);
/* The parsed format of a call site (parsed on first use, then cached).
 * 0, -ENOENT (no format a binary record can carry there), -ENOMEM. */
int bs_fmt_table__get(struct bs_fmt_table *t, __u32 site, const struct bs_fmt **f);
/* Format like the kernel's bpf_snprintf(): at most @cap bytes into @out
 * (no NUL), *len set. @strs: the record's string bytes (each with its NUL;
 * args[i] of a %s holds its byte count). Return 0, 1 (cut at @cap),
 * -EBADMSG (arguments or strings do not match the format), -EINVAL. */
int bs_fmt_render(const struct bs_fmt *f, const __u64 *args, __u32 nargs, const char *strs,
		  size_t strs_len, char *out, size_t cap, size_t *len);

/* Text of a decoded record: a TEXT record's payload, or a BINARY record
 * formatted into @buf (cut at the object's BPF_STREAM_MSG_MAX). 0, or
 * -ENOENT (unknown call site / no table), -EBADMSG. */
int bs_rec_text(struct bs_fmt_table *t, const struct bs_rec_view *v, char *buf, size_t buf_sz,
		const char **text, size_t *len, bool *truncated);

/* ---- call sites of an object's programs (sites.c) ---------------------- */

/* A call site and the programs whose translated code contains it. */
struct bs_site {
	__u32 site;
	__u32 idx;	/* the owner's index of the first program containing it */
	__u32 nprogs;	/* programs whose code contains it */
	__u32 insn;	/* its first load in the first program (xlated insn index) */
};

/* Sorted by site; plain data, locked by its owner. Zeroed = empty. */
struct bs_sites {
	struct bs_site *v;
	size_t n, cap;
};

/* Add the call sites program @prog_fd contains (its translated
 * instructions' loads of .rodata map @rodata_id, minus the sentinel's
 * offset @base) under index @idx. 0 or -errno; the fd is not kept. */
int bs_sites__learn(struct bs_sites *s, int prog_fd, __u32 idx, __u32 rodata_id, size_t base);
/* Programs containing @site (0: none known) and, if any, the first's index. */
__u32 bs_sites__find(const struct bs_sites *s, __u32 site, __u32 *idx);
/* bs_sites__find() that also gives the site's first load in that program
 * (translated instruction index: where its BTF line info is). */
__u32 bs_sites__find_insn(const struct bs_sites *s, __u32 site, __u32 *idx, __u32 *insn);
void bs_sites__clear(struct bs_sites *s);

/* ---- source lines of call sites (srcline.c) ------------------------------ */

/* A program's BTF line and function info, fetched on first use. */
struct bs_srcline {
	bool tried;
	int err;
	struct bpf_line_info *linfo;
	struct bpf_func_info *finfo;
	__u32 nr_linfo, nr_finfo;
	struct btf *btf;
};

/* Strings point into the cache's BTF: valid until bs_srcline__clear(). */
struct bs_srcline_loc {
	const char *file;
	__u32 line;
	const char *func;	/* NULL if not known */
};

/* Where translated instruction @insn of the program came from. 0 or -errno
 * (-ENOENT: no line info there). */
int bs_srcline__find(struct bs_srcline *c, int prog_fd, __u32 insn, struct bs_srcline_loc *loc);
void bs_srcline__clear(struct bs_srcline *c);
/* A reader about to call its callback with @msg (NULL: after it): the call
 * site is instruction @insn1 - 1 of @prog_fd (0: unknown), line info in @cache. */
void bs_msg_cur_set(const struct bpf_stream_msg *msg, struct bs_srcline *cache, int prog_fd,
		    __u32 insn1);
/* The call site's source line of @msg (or of a copy of it with the same
 * text pointer) while its reader's callback runs. 0 or -errno. */
int bs_msg_srcline(const struct bpf_stream_msg *msg, struct bs_srcline_loc *loc);

/* ---- a ring buffer map's memory (ringmap.c) ------------------------------ */

struct bs_ringmap {
	int fd;			/* the map: ours, closed by bs_ringmap__close() */
	bool writable;		/* consumer page mapped writable */
	void *cons;		/* consumer page: the consumer position */
	void *prod;		/* producer page, then the data twice */
	const char *data;
	size_t size, mask, page;
};

struct bs_ringmap_rec {
	const void *data;	/* the record's bytes, in the ring */
	__u32 len;
	bool discarded;
	__u64 next;		/* position of the next record */
};

/* Map @map_fd (taken on success: closed by bs_ringmap__close()). 0 or -errno. */
int bs_ringmap__open(struct bs_ringmap *m, int map_fd);
void bs_ringmap__close(struct bs_ringmap *m);
__u64 bs_ringmap__prod_pos(const struct bs_ringmap *m);
__u64 bs_ringmap__cons_pos(const struct bs_ringmap *m);
/* Move the consumer position (consumer only): 0, -EPERM (read-only). */
int bs_ringmap__set_cons_pos(struct bs_ringmap *m, __u64 pos);
/* The record at @pos (below @limit): 0, -ENOENT (pos >= limit), -EAGAIN (not
 * committed yet), -EBADMSG (a length past @limit: a header being overwritten). */
int bs_ringmap__peek(const struct bs_ringmap *m, __u64 pos, __u64 limit, struct bs_ringmap_rec *rec);
/* The bytes from @pos on have not been written over since (check after a copy). */
bool bs_ringmap__intact(const struct bs_ringmap *m, __u64 pos);

/* ---- who consumes an object's messages (consumer.c) ----------------------- */

/* A process: pid and the low 32 bits of its start time. */
struct bs_consumer {
	__u32 pid;
	__u32 start;
};

/* This process; false if its start time cannot be read (no /proc). */
bool bs_consumer_self(struct bs_consumer *c);
bool bs_consumer_same(const struct bs_consumer *a, const struct bs_consumer *b);
/* The process runs (and is the one that started then); its name into @comm. */
bool bs_consumer_alive(const struct bs_consumer *c, char *comm, size_t comm_sz);
/* Entry 0 of the drop-counter array: read, write (NULL: clear). 0 or -errno. */
int bs_consumer_read(int stat_fd, struct bs_consumer *c);
int bs_consumer_write(int stat_fd, const struct bs_consumer *c);
/* The .rodata form (BPF_STREAM_OWNER_VAR): start << 32 | pid. */
__u64 bs_consumer_pack(const struct bs_consumer *c);
void bs_consumer_unpack(__u64 v, struct bs_consumer *c);

/* A ring buffer map sorted into per-(program, stream) FIFO queues; a record
 * goes to the program whose translated instructions contain its call site
 * (learnt once from the kernel: BPF_OBJ_GET_INFO_BY_FD of each program
 * added), else to index 0. */
struct bs_ring;
/* Takes @map_fd (the ring map) and @fmts (the table of the .rodata map
 * whose kernel id is @rodata_id, may be NULL), also on failure. */
struct bs_ring *bs_ring__new(int map_fd, struct bs_fmt_table *fmts, __u32 rodata_id);
/* Learn a program's call sites; returns its index (queues), or -errno. The
 * fd is only read, not kept. */
int bs_ring__add_prog(struct bs_ring *r, int prog_fd);
void bs_ring__free(struct bs_ring *r);
/* Bytes of the next queued message of (prog_idx, stream_id), taking the
 * ring's records up to meta->limit into the queues first if that queue is
 * empty (meta->limit 0: the producer position now, written back). 0 if
 * none. Thread-safe. */
int bs_ring__read(struct bs_ring *r, size_t prog_idx, __u32 stream_id, void *buf, size_t len,
		  struct bs_source_meta *meta);
/* Consume the ring (false) or read it as a tap, without consuming (true). */
void bs_ring__set_tap(struct bs_ring *r, bool tap);
bool bs_ring__is_tap(struct bs_ring *r);
/* Tap: bytes of records the consumer passed and the producer wrote over
 * before this process read them, so far. */
__u64 bs_ring__missed(struct bs_ring *r);
int bs_ring__epoll_fd(struct bs_ring *r);
__u64 bs_ring__bad_records(struct bs_ring *r);
/* Of (prog_idx, stream): messages taken from the ring and not handed out
 * yet, and good records lost because they could not be queued (ENOMEM). */
void bs_ring__counts(struct bs_ring *r, size_t prog_idx, __u32 stream_id, __u64 *queued,
		     __u64 *lost);
/* bs_sites__find() on the ring's call sites (thread-safe). */
__u32 bs_ring__site(struct bs_ring *r, __u32 site, __u32 *prog_idx);

#endif /* __LIBBPF_STREAM_INTERNAL_H */
