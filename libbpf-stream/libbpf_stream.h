/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libbpf-stream: read what BPF programs print.
 *
 * Every BPF program has two text streams, BPF_STDOUT and BPF_STDERR. BPF code
 * writes to them with bpf_stream_printk() from <bpf_stream.h>; the kernel
 * writes its own runtime error reports to stderr. This library reads them:
 * a thin wrapper of the bpf(2) read command, line-framed drains, an
 * iterator, a multi-program reader with follow mode, skeleton hooks that
 * pick a working transport (native kernel streams, or the ring-buffer
 * transport on kernels whose native streams are missing or broken) and a
 * parser for the kernel's structured error reports.
 *
 * Conventions (the same as libbpf's):
 *  - functions returning int return 0 or a positive count on success and a
 *    negative errno on failure, with errno set to the same (positive) value;
 *  - functions returning a pointer return NULL on failure with errno set;
 *  - "__" separates an object type from its method (bpf_stream_reader__poll);
 *  - optional arguments come in a trailing opts struct that starts with
 *    `size_t sz` (use LIBBPF_OPTS() to declare one), so old callers keep
 *    working with a newer library and the reverse;
 *  - the library never writes to stdout; diagnostics go through the print
 *    callback set with bpf_stream_set_print().
 *
 * Readers share programs. A ring buffer has one consumer position and a
 * native stream read takes what it reads, so each object built with
 * <bpf_stream.h> has one consuming process, which every reader finds in the
 * object itself: the process that called bpf_stream_prepare() on it (from
 * its load on, while it runs), or the one that consumes it now (the library
 * writes that in the object's drop-counter map when it starts consuming and
 * clears it when it lets go). Any other process (bpf-stream dump/follow
 * beside an application, say):
 *  - reads a ring-transport object along without consuming it (a tap): it
 *    gets every line still in the ring, the consumer gets them too, and if
 *    the producer writes over records before the tap read them (the tap fell
 *    a whole ring behind) a notice flagged BPF_STREAM_MSG_F_MISSED says how
 *    many bytes it missed;
 *  - is refused a native-transport object's streams (-EBUSY, the reading
 *    process named through the print callback) unless it takes over
 *    (bpf_stream_reader_opts.take_over);
 *  - hears of drops counted before its first look once, flagged
 *    BPF_STREAM_MSG_F_EARLIER; the preparing process hears all as news.
 * An object nobody reads (loaded by bpftool, a loader that exited) is
 * consumed by whoever reads it. Within one process the reads share one
 * consumer: each line goes to the first drain, iterator or reader that
 * reads its program and stream. Programs that print without <bpf_stream.h>
 * (upstream libbpf's bpf_stream_printk()) carry no such record: every read
 * of them takes what it reads.
 * Drains and reader cycles end with what was queued when they began: a
 * program that keeps writing cannot hold a reader, and a backlog comes out
 * whole.
 *
 * Threads. What the library shares within a process (the programs and
 * objects found, lines kept for the next read, ring-buffer queues) is
 * locked: drains, iterators and readers may run in several threads at once,
 * e.g. one thread per stream or per program. One bpf_stream_iter,
 * bpf_stream_reader or bpf_stream_printer is used by one thread at a time
 * (like libbpf's ring_buffer); read one stream from one thread at a time;
 * set the print callback (bpf_stream_set_print()) before threads start.
 */
#ifndef __LIBBPF_STREAM_H
#define __LIBBPF_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdarg.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include <bpf/libbpf_version.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef BPF_STREAM_API
#define BPF_STREAM_API __attribute__((visibility("default")))
#endif

#define LIBBPF_STREAM_MAJOR_VERSION 1
#define LIBBPF_STREAM_MINOR_VERSION 1

/* Stream ids, as the kernel numbers them (enum bpf_stream_id in the kernel,
 * BPF_STREAM_STDOUT/BPF_STREAM_STDERR in the UAPI header). */
#ifndef BPF_STDOUT
#define BPF_STDOUT 1
#endif
#ifndef BPF_STDERR
#define BPF_STDERR 2
#endif
/* The UAPI names (Linux 6.17+ <linux/bpf.h>, included above through
 * <bpf/libbpf.h>), for headers that predate them, like Debian 12's 6.1. */
#ifndef BPF_STREAM_STDOUT
#define BPF_STREAM_STDOUT BPF_STDOUT
#endif
#ifndef BPF_STREAM_STDERR
#define BPF_STREAM_STDERR BPF_STDERR
#endif

/* Bit masks naming a set of streams (reader, drain_object); 0 means both. */
#define BPF_STREAM_MASK_STDOUT (1U << BPF_STDOUT)
#define BPF_STREAM_MASK_STDERR (1U << BPF_STDERR)
#define BPF_STREAM_MASK_ALL (BPF_STREAM_MASK_STDOUT | BPF_STREAM_MASK_STDERR)

/* Longest line delivered in one message; longer lines arrive in pieces of
 * at most this many bytes, each but the last flagged BPF_STREAM_MSG_F_PARTIAL. */
#define BPF_STREAM_LINE_MAX 4096

/* ---------------------------------------------------------------------- */
/* Diagnostics                                                             */

enum bpf_stream_print_level {
	BPF_STREAM_WARN,
	BPF_STREAM_INFO,
	BPF_STREAM_DEBUG,
};

typedef int (*bpf_stream_print_fn_t)(enum bpf_stream_print_level level,
				     const char *fmt, va_list args);

/**
 * bpf_stream_set_print() - replace the library's diagnostic printer.
 * @fn: new printer, or NULL to silence the library.
 *
 * The default printer writes warnings and info to stderr, never to stdout.
 * Return: the previous printer.
 */
BPF_STREAM_API bpf_stream_print_fn_t bpf_stream_set_print(bpf_stream_print_fn_t fn);

/* ---------------------------------------------------------------------- */
/* Raw reads                                                               */

/**
 * bpf_stream_read() - one read of a program's stream (BPF_PROG_STREAM_READ_BY_FD).
 * @prog_fd: fd of a loaded BPF program.
 * @stream_id: BPF_STDOUT or BPF_STDERR.
 * @buf: destination; may be NULL only if @buf_len is 0.
 * @buf_len: size of @buf; values above INT_MAX are clamped to INT_MAX so the
 *           kernel never sees a negative length.
 *
 * The bytes are consumed from the stream. Messages are not framed: a read may
 * end in the middle of a line.
 * Return: bytes read (0 when the stream is empty), or -errno: -EBADF (bad fd),
 * -EINVAL (fd is not a program), -ENOENT (bad stream id), -EFAULT (bad buffer;
 * a NULL @buf with a non-zero @buf_len fails without a syscall, even on an
 * empty stream), -EOPNOTSUPP (kernel without BPF streams: a program fd whose
 * request the kernel refuses with EINVAL).
 */
BPF_STREAM_API int bpf_stream_read(int prog_fd, __u32 stream_id, void *buf, __u32 buf_len);

#if LIBBPF_MAJOR_VERSION == 0 || (LIBBPF_MAJOR_VERSION == 1 && LIBBPF_MINOR_VERSION < 6)
/*
 * libbpf 1.6 added bpf_prog_stream_read(). When the libbpf this header is used
 * with is older, libbpf-stream provides the same function with the same
 * signature, so code written for newer libbpf builds here unchanged.
 */
#define LIBBPF_STREAM_PROVIDES_PROG_STREAM_READ 1
struct bpf_prog_stream_read_opts {
	size_t sz;
	size_t :0;
};
#define bpf_prog_stream_read_opts__last_field sz

/**
 * bpf_prog_stream_read() - libbpf 1.6's read of a program's stream.
 * @prog_fd: program fd; @stream_id: BPF_STDOUT or BPF_STDERR;
 * @buf, @buf_len: destination; @opts: may be NULL.
 * Return: as bpf_stream_read().
 */
BPF_STREAM_API int bpf_prog_stream_read(int prog_fd, __u32 stream_id, void *buf, __u32 buf_len,
					struct bpf_prog_stream_read_opts *opts);
#endif

/* ---------------------------------------------------------------------- */
/* Messages                                                                */

enum bpf_stream_msg_flags {
	/* A piece of a line longer than BPF_STREAM_LINE_MAX; the line goes on
	 * in the next message of the same program and stream. */
	BPF_STREAM_MSG_F_PARTIAL = 1U << 0,
	/* The text had no '\n' when the drain ended (the program may finish
	 * the line later). */
	BPF_STREAM_MSG_F_UNTERMINATED = 1U << 1,
	/* The BPF side cut a message at its size limit (ring-buffer transport)
	 * and this line is where: it ends at the cut. The whole lines before it
	 * in that message are not flagged. */
	BPF_STREAM_MSG_F_TRUNCATED = 1U << 2,
	/* Not program output: a notice that messages were dropped, e.g.
	 * "[3 messages dropped on stderr]"; msg->dropped holds the count. */
	BPF_STREAM_MSG_F_DROP_NOTICE = 1U << 3,
	/* The line is part of a kernel error report (see bpf_stream_report). */
	BPF_STREAM_MSG_F_KERNEL = 1U << 4,
	/* With DROP_NOTICE: the drops were counted before this process first
	 * read the object (it did not prepare it): history, said once, not
	 * news ("[N messages dropped on stdout before this reader started]"). */
	BPF_STREAM_MSG_F_EARLIER = 1U << 5,
	/* With DROP_NOTICE: this process reads a ring buffer along with the
	 * process that consumes it (a tap) and fell a whole ring behind:
	 * msg->missed_bytes bytes of ring records were written over before it
	 * read them. The consumer got them; msg->dropped is 0. */
	BPF_STREAM_MSG_F_MISSED = 1U << 6,
	/* Ring-buffer transport: the line was written at a call site that
	 * several programs' code contains (a helper they share, inlined or
	 * not), so which of them wrote it cannot be told; it is delivered
	 * under the first of them (msg->prog_id), its text as written. */
	BPF_STREAM_MSG_F_WRITER_UNKNOWN = 1U << 7,
	/* With DROP_NOTICE: the messages counted were refused as longer than
	 * the kernel's per-message limit (-E2BIG, Linux 7.4+ native streams),
	 * "[N messages dropped on stderr: longer than the kernel's message
	 * limit (-E2BIG)]"; msg->dropped holds the count. */
	BPF_STREAM_MSG_F_OVERSIZE = 1U << 8,
	/* With DROP_NOTICE: not lost but suppressed on purpose by call sites'
	 * rate limits (bpf-stream ctl ... rate): "[N suppressed by rate limit
	 * on stdout]"; msg->dropped holds N. */
	BPF_STREAM_MSG_F_SUPPRESSED = 1U << 10,
};

struct bpf_stream_msg {
	__u32 prog_id;		/* kernel program id (0 if unknown) */
	const char *prog_name;	/* program name ("" if unknown) */
	__u32 stream_id;	/* BPF_STDOUT or BPF_STDERR */
	const char *text;	/* one line, NUL-terminated, without its '\n' */
	size_t len;		/* strlen(text) */
	/* fields below: libbpf-stream's own additions to the message */
	__u64 ts_ns;		/* CLOCK_MONOTONIC time the BPF side stamped, 0 if none */
	__u32 flags;		/* enum bpf_stream_msg_flags */
	__u64 dropped;		/* with BPF_STREAM_MSG_F_DROP_NOTICE: messages lost */
	__u64 missed_bytes;	/* with BPF_STREAM_MSG_F_MISSED: ring bytes not read */
};

/* Message callback: return 0 to go on, non-zero to stop (that value is returned). */
typedef int (*bpf_stream_msg_fn)(void *ctx, const struct bpf_stream_msg *msg);

/**
 * bpf_stream_drain() - deliver every complete line queued now on one stream.
 * @prog_fd: program fd; @stream_id: BPF_STDOUT or BPF_STDERR;
 * @fn: called once per line (required); @ctx: passed to @fn.
 *
 * Lines split across reads are reassembled, NUL bytes are dropped, a trailing
 * line without '\n' is delivered at the end (flagged UNTERMINATED) and lines
 * longer than BPF_STREAM_LINE_MAX arrive in pieces. Works whichever transport
 * bpf_stream_prepare() picked for the program's object.
 * When messages of this program and stream were dropped since last reported,
 * one more message follows, flagged BPF_STREAM_MSG_F_DROP_NOTICE ("[N messages
 * dropped on stderr]"). The program is the one whose code contains the
 * call site that dropped them; drops at a call site several programs
 * contain, or at no call site the library could count apart, come under
 * the object's first such program with the words "writer unknown". If @fn stops the drain, the lines not delivered yet
 * are kept in the process and delivered first by the next drain, iterator or
 * reader of the same stream. One call reads at most 4 MiB, so a stream
 * refilled as fast as it is read cannot hold it.
 * Return: number of lines delivered, the callback's non-zero value if it
 * stopped the drain, or -errno (-EINVAL for a NULL @fn or an fd that is not a
 * program, -ENOENT for a bad stream id, -EBADF for a closed fd). A read error
 * after some lines went out ends the drain with their count.
 */
BPF_STREAM_API int bpf_stream_drain(int prog_fd, __u32 stream_id, bpf_stream_msg_fn fn, void *ctx);

/* ---------------------------------------------------------------------- */
/* Iterator                                                                */

struct bpf_stream_iter;

struct bpf_stream_iter_opts {
	size_t sz;
	const char *prog_name;	/* name to put in messages; NULL: ask the kernel */
	size_t :0;
};
#define bpf_stream_iter_opts__last_field prog_name

/**
 * bpf_stream_iter__new() - iterate over the lines queued on one stream.
 * @prog_fd: program fd (duplicated; the caller may close its own);
 * @stream_id: BPF_STDOUT or BPF_STDERR; @opts: may be NULL.
 * Return: a new iterator, or NULL with errno set.
 */
BPF_STREAM_API struct bpf_stream_iter *
bpf_stream_iter__new(int prog_fd, __u32 stream_id, const struct bpf_stream_iter_opts *opts);

/**
 * bpf_stream_iter__next() - the next line.
 * @it: iterator.
 * Framing is bpf_stream_drain()'s: at the end of what is queued now the
 * trailing partial line comes out (UNTERMINATED), then a drop notice if
 * messages were dropped. Lines read but not returned when the iterator is
 * freed go to the next drain/iterator/reader of the stream.
 * Return: the next message, valid until the next call or __free(); NULL with
 * errno 0 at the end of what is queued now (a later call may find more); NULL
 * with errno set on error.
 */
BPF_STREAM_API const struct bpf_stream_msg *bpf_stream_iter__next(struct bpf_stream_iter *it);

/** bpf_stream_iter__free() - free an iterator (NULL is fine). */
BPF_STREAM_API void bpf_stream_iter__free(struct bpf_stream_iter *it);

/* ---------------------------------------------------------------------- */
/* Kernel error reports                                                    */

enum bpf_stream_report_kind {
	BPF_STREAM_REPORT_UNKNOWN = 0,		/* an "ERROR:" block of another form */
	BPF_STREAM_REPORT_MAY_GOTO_TIMEOUT,	/* may_goto / can_loop ran too long */
	BPF_STREAM_REPORT_RES_SPIN_DEADLOCK,	/* AA or ABBA deadlock on bpf_res_spin_lock */
	BPF_STREAM_REPORT_RES_SPIN_TIMEOUT,	/* timeout on bpf_res_spin_lock */
	BPF_STREAM_REPORT_ARENA_FAULT,		/* arena access at an unmapped address */
	/* the stack a program asked for: bpf_stream_print_stack() (Linux 7.2+
	 * kfunc); no "ERROR:" line, message "", on the stream it was asked for */
	BPF_STREAM_REPORT_STACK,
};

struct bpf_stream_frame {
	const char *symbol;	/* "bpf_prog_xxx_name" or kernel symbol */
	__u64 offset;		/* +0x.. */
	__u64 size;		/* /0x.. */
	const char *src;	/* BPF source line text, or NULL */
	const char *file;	/* source file, or NULL */
	__u32 line;		/* source line number, 0 if none */
};

struct bpf_stream_report {
	enum bpf_stream_report_kind kind;
	const char *message;	/* the ERROR: line without "ERROR: " */
	__u32 prog_id;
	const char *prog_name;
	int cpu, uid, pid;	/* -1 when absent */
	const char *comm;	/* NULL when absent */
	bool irqsave;		/* res_spin_lock variant was _irqsave */
	bool arena_write;	/* ARENA_FAULT: write (true) or read */
	__u64 addr;		/* ARENA_FAULT: address; RES_SPIN_*: attempted lock */
	__u32 nr_held_locks;	/* RES_SPIN_*: "Total held locks" */
	const __u64 *held_locks;
	__u32 nr_held_listed;	/* entries in held_locks */
	const struct bpf_stream_frame *frames;
	__u32 nr_frames;
	bool truncated;		/* the block ended before its blank line */
	/* Added with BPF_STREAM_REPORT_STACK: BPF_STDERR, or BPF_STDOUT for a
	 * STACK report printed there. The library reads it (journal) only in a
	 * STACK report, so a caller built before the field still works. */
	__u32 stream_id;
};

typedef int (*bpf_stream_report_fn)(void *ctx, const struct bpf_stream_report *report);

/** bpf_stream_report_kind_str() - "may_goto_timeout", ..., "unknown". */
BPF_STREAM_API const char *bpf_stream_report_kind_str(enum bpf_stream_report_kind kind);

struct bpf_stream_report_parser;

/**
 * bpf_stream_report_parser__new() - a parser that turns stderr lines into reports.
 * @fn: called once per complete report; @ctx: passed to @fn.
 * Return: parser, or NULL with errno set.
 */
BPF_STREAM_API struct bpf_stream_report_parser *
bpf_stream_report_parser__new(bpf_stream_report_fn fn, void *ctx);

/**
 * bpf_stream_report_parser__push() - feed one line of one program's stream.
 * A parser follows one stream. On stderr it finds the kernel's "ERROR:"
 * reports and the stacks of bpf_stream_print_stack(); on stdout
 * (msg->stream_id BPF_STDOUT) only those stacks (docs/reports.md).
 * Return: 0, the callback's non-zero value, or -errno.
 */
BPF_STREAM_API int bpf_stream_report_parser__push(struct bpf_stream_report_parser *p,
						  const struct bpf_stream_msg *msg);

/**
 * bpf_stream_report_parser__flush() - end a pending report (marked truncated).
 * A report also ends truncated at the next "ERROR:" line and at a line that
 * fits none of the report's forms (that line is ordinary output).
 * Return: 0, the callback's non-zero value, or -errno.
 */
BPF_STREAM_API int bpf_stream_report_parser__flush(struct bpf_stream_report_parser *p);

/** bpf_stream_report_parser__free() - free a parser (NULL is fine). */
BPF_STREAM_API void bpf_stream_report_parser__free(struct bpf_stream_report_parser *p);

/* ---------------------------------------------------------------------- */
/* Reader: many programs, both streams, follow mode                        */

struct bpf_stream_reader;

struct bpf_stream_reader_opts {
	size_t sz;
	bpf_stream_report_fn report_fn;	/* optional: structured kernel reports */
	void *report_ctx;
	/* poll backoff cap when idle, kept as given; 0: 200 ms, or up to
	 * 50 times the last idle cycle's cost (at most 2 s; __poll()) */
	int idle_max_ms;
	/* Deliver the lines one cycle (one __poll() or __consume() call, or
	 * the rest of a cycle a callback stopped) read from all followed
	 * programs and streams in the order of their ts_ns. Each line's key is
	 * the largest ts_ns seen so far on its stream (0 before any), so every
	 * stream keeps its own order and a line without a stamp (native
	 * streams, objects without BPF_STREAM_TIMESTAMP, drop notices) follows
	 * the line before it; the sort is stable (ties: the order read).
	 * Lines read in different cycles are not reordered: a line written
	 * while a cycle read other streams may come in the next cycle, after
	 * a later line of another stream. A cycle reads a ring up to where its
	 * producer was when the read began and a native stream up to 256 KiB.
	 * Costs one copy of each line. Off: each stream's lines as read, the
	 * streams in the order they were added, stdout before stderr. */
	bool order_by_time;
	/* Take over the objects this reader follows from the process that
	 * consumes them now (see "Readers share programs" above). Off: a ring
	 * is read along without consuming it, and a native stream another
	 * process reads is refused (-EBUSY from __add_*). */
	bool take_over;
	/* Block the signals the process has handlers for during each waiting
	 * __poll(), so that one arriving while a callback runs still ends the
	 * wait at once (see __poll()). Off: no sigaction() or sigprocmask()
	 * calls; such a signal is seen when the wait ends. (since 1.1.0) */
	bool mask_signals;
	size_t :0;
};
#define bpf_stream_reader_opts__last_field mask_signals

/**
 * bpf_stream_reader__new() - a reader that delivers lines of many programs.
 * @fn: message callback (required); @ctx: passed to @fn; @opts: may be NULL.
 * Return: reader, or NULL with errno set.
 */
BPF_STREAM_API struct bpf_stream_reader *
bpf_stream_reader__new(bpf_stream_msg_fn fn, void *ctx, const struct bpf_stream_reader_opts *opts);

/**
 * bpf_stream_reader__add_prog() - follow a program by fd.
 * @r: reader; @prog_fd: program fd (duplicated; not kept where the reader
 * follows the program through pollable stream fds, see __poll());
 * @streams: BPF_STREAM_MASK_*, 0 = both.
 * Return: 0, or -errno (-EEXIST if the program is already followed).
 */
BPF_STREAM_API int bpf_stream_reader__add_prog(struct bpf_stream_reader *r, int prog_fd, __u32 streams);

/** bpf_stream_reader__add_id() - follow a program by kernel id. Return: as __add_prog(). */
BPF_STREAM_API int bpf_stream_reader__add_id(struct bpf_stream_reader *r, __u32 prog_id, __u32 streams);

/**
 * bpf_stream_reader__add_object() - follow every loaded program of an object
 * (names come from the object, transport from the kernel: see
 * bpf_stream_prepare()).
 * Return: number of programs added, or -errno (-ESTALE: @obj was released).
 */
BPF_STREAM_API int bpf_stream_reader__add_object(struct bpf_stream_reader *r,
						 struct bpf_object *obj, __u32 streams);

/** bpf_stream_reader__remove_id() - stop following a program. Return: 0 or -ENOENT. */
BPF_STREAM_API int bpf_stream_reader__remove_id(struct bpf_stream_reader *r, __u32 prog_id);

/**
 * bpf_stream_reader__poll() - wait for lines and deliver them.
 * @timeout_ms: -1 waits until at least one line arrives, 0 does not wait.
 *
 * Released kernels have no wake-up for streams, so the reader sleeps
 * adaptively: short while data flows, backing off up to idle_max_ms when
 * idle, or, unless the caller set idle_max_ms, up to 50 times as long as
 * its last idle cycle took when that is more (at most 2 s), so that idling
 * costs at most about 2% of a CPU however
 * many programs it follows (a cycle reading 2,000 native streams takes
 * milliseconds); BPF_STREAM_IDLE=fixed in the environment (read by
 * __new()) keeps the cap at idle_max_ms. Ring-buffer transport objects wake
 * it at once. Where the kernel has
 * Linux 7.4's stream file descriptors (probed once per process against
 * upstream's contract), programs read natively are followed through one
 * stream fd each: their data wakes the reader at once, a reader following
 * only such programs does not wake while idle, the reader holds no
 * reference on them, and a program freed by the kernel is no longer
 * followed (its last partial line is delivered UNTERMINATED; what it wrote
 * and was not read by then is freed with it). BPF_STREAM_WAIT=backoff in
 * the environment (read once, at that probe) keeps the adaptive sleep
 * everywhere.
 *
 * Signals: a signal that arrives during the wait ends it (-EINTR). One that
 * arrives while a cycle runs (a callback, say) is handled at once but seen
 * by the wait only when the wait ends: after the adaptive sleep (its cap
 * above), the timeout, or, for a reader of stream fds only with
 * @timeout_ms -1, the next line; a loop that checks a flag set by its
 * handler should pass a finite timeout. With opts.mask_signals the signals
 * the process has a handler for are blocked during __poll() and unblocked
 * only inside its wait, so such a signal ends the wait at once (22
 * sigaction() queries and two pthread_sigmask() per waiting call; signals
 * at their default action are never blocked).
 *
 * A line without '\n' is held until a cycle finds no new bytes on its
 * stream, then delivered flagged UNTERMINATED. Each stream gives at most
 * 256 KiB per cycle.
 * Return: lines delivered (0 on timeout), the callback's non-zero value, or
 * -errno (-EINTR when a signal arrived before any line).
 */
BPF_STREAM_API int bpf_stream_reader__poll(struct bpf_stream_reader *r, int timeout_ms);

/**
 * bpf_stream_reader__consume() - drain everything queued now, no waiting.
 * Ring streams are read up to where their producer was when the call began
 * (a 20,000-line backlog in one call); a native stream gives at most
 * 256 KiB per call (more than its kernel capacity). Call it when
 * __epoll_fd() is readable. Never blocks signals. Return: as __poll().
 */
BPF_STREAM_API int bpf_stream_reader__consume(struct bpf_stream_reader *r);

/**
 * bpf_stream_reader__epoll_fd() - an fd for the caller's own event loop.
 * @r: reader.
 *
 * Like libbpf's ring_buffer__epoll_fd(): an epoll fd (owned by @r, closed
 * by __free()) that becomes readable (EPOLLIN) when the reader has work: a
 * ring buffer of a followed ring-transport object has data, a stream fd
 * has data or hung up, or the timer of the adaptive polling (the wake-ups
 * __poll() would make: streams without an fd, a held partial line) fired.
 * Add it to your epoll/poll set and call __consume() each time it is
 * readable; __consume() re-arms the timer and keeps the set in step with
 * the programs followed (__add_*, __remove_id() and programs the kernel
 * freed). Do not read it or wait on it from two threads. The first call
 * creates it; later calls return the same fd. __poll() may still be used
 * on the same reader.
 * Return: the fd, or -errno.
 */
BPF_STREAM_API int bpf_stream_reader__epoll_fd(struct bpf_stream_reader *r);

/** bpf_stream_reader__free() - free a reader and its fds (NULL is fine). */
BPF_STREAM_API void bpf_stream_reader__free(struct bpf_stream_reader *r);

/* ---------------------------------------------------------------------- */
/* Objects and skeletons: transport choice                                 */

enum bpf_stream_transport {
	BPF_STREAM_TRANSPORT_AUTO = 0,		/* probe: native when it works, else ringbuf */
	BPF_STREAM_TRANSPORT_NATIVE = 1,	/* the kernel's streams */
	BPF_STREAM_TRANSPORT_RINGBUF = 2,	/* bpf_stream.h's ring-buffer transport */
};

struct bpf_stream_prepare_opts {
	size_t sz;
	enum bpf_stream_transport transport;	/* AUTO unless set; env BPF_STREAM_TRANSPORT wins */
	size_t :0;
};
#define bpf_stream_prepare_opts__last_field transport

/**
 * bpf_stream_prepare() - pick and wire the transport of an opened object.
 * @obj: an object opened but not loaded yet, built with <bpf_stream.h>.
 *
 * Probes once per process whether the kernel's stream kfunc exists and whether
 * a native write actually lands, then sets the object's transport constant.
 * BPF_STREAM_TRANSPORT=native|ringbuf|auto in the environment overrides;
 * forcing native where it cannot work is an error.
 *
 * The choice is written into the object itself (its .rodata constant
 * bpf_stream_transport_sel, and why as the size of its bpf_stream_stat map):
 * the library keeps no pointer to @obj. After load, drains, iterators and
 * readers of its programs find everything from the kernel, by program id
 * (maps bpf_stream_rb, bpf_stream_stat and .rodata, see
 * bpf_stream_release()): they read the ring buffer (each record is
 * delivered under the program whose code contains its call site; a call
 * site in several programs' code, like an inlined helper they share, goes
 * to the first of them, flagged BPF_STREAM_MSG_F_WRITER_UNKNOWN) and,
 * when the kernel has native streams, the native stderr too (kernel error
 * reports exist only there). Destroying the object without
 * bpf_stream_release() is safe; release frees the library's state early.
 * Return: 0, or -errno (-EBUSY: already loaded; -EOPNOTSUPP: native forced on
 * a kernel whose streams do not work; -EINVAL: bad env value or opts;
 * -ENOENT: ringbuf forced on an object not built with <bpf_stream.h>).
 */
BPF_STREAM_API int bpf_stream_prepare(struct bpf_object *obj);

/** bpf_stream_prepare_opts() - bpf_stream_prepare() with options. */
BPF_STREAM_API int bpf_stream_prepare_opts(struct bpf_object *obj,
					   const struct bpf_stream_prepare_opts *opts);

/**
 * bpf_stream_object_transport() - which transport an object uses, and why.
 * @obj: prepared object; @reason: if not NULL, set to a static sentence.
 * An object not built with <bpf_stream.h> has only native streams.
 * Return: BPF_STREAM_TRANSPORT_NATIVE or _RINGBUF, or -errno (-ENOENT: not
 * prepared; -ESTALE: released with bpf_stream_release()).
 */
BPF_STREAM_API int bpf_stream_object_transport(const struct bpf_object *obj, const char **reason);

struct bpf_stream_prog_stats {
	size_t sz;
	__u64 dropped[3];	/* out: messages dropped, by stream id ([0] unused):
				 * what this program's drop notices announce */
	/* out: messages of the program this process took from its ring and
	 * has not delivered yet (ring transport; 0 otherwise): a ring is one
	 * queue for all programs and streams of its object, so reading some
	 * of them takes the others' records into this process */
	__u64 queued[3];
	size_t :0;
};
#define bpf_stream_prog_stats__last_field queued

/**
 * bpf_stream_prog_transport() - the transport of any loaded program, from
 * the kernel alone (whichever process loaded it).
 * @prog_fd: program fd; @stats: if not NULL (sz set), gets the drops
 * attributed to the program (the sum over an object's programs is the
 * object's, bpf_stream_object_dropped()).
 *
 * The program's maps tell (bpf_stream_rb, bpf_stream_stat and the .rodata
 * selector bpf_stream_prepare() wrote). Reading a program another process
 * reads follows the rules of "Readers share programs" (top of this file).
 * Return: BPF_STREAM_TRANSPORT_NATIVE or _RINGBUF, or -errno (-ENOENT: the
 * program prints nothing through <bpf_stream.h>, only the kernel's own
 * streams carry its output; -EINVAL: not a program or bad @stats; -EBADF).
 */
BPF_STREAM_API int bpf_stream_prog_transport(int prog_fd, struct bpf_stream_prog_stats *stats);

/** bpf_stream_transport_str() - "auto", "native" or "ringbuf". */
BPF_STREAM_API const char *bpf_stream_transport_str(enum bpf_stream_transport t);

/**
 * bpf_stream_drain_object() - drain both streams of every loaded program of @obj.
 * Return: lines delivered, the callback's non-zero value, or -errno (-ESTALE:
 * @obj was released with bpf_stream_release()).
 */
BPF_STREAM_API int bpf_stream_drain_object(struct bpf_object *obj, bpf_stream_msg_fn fn, void *ctx);

/**
 * bpf_stream_object_dropped() - messages the BPF side failed to queue.
 * @obj: loaded object built with <bpf_stream.h>; @stream_id: BPF_STDOUT/BPF_STDERR;
 * @count: out.
 * Return: 0, or -errno (-ENOENT: the object has no drop counters; -ESTALE:
 * released with bpf_stream_release()).
 */
BPF_STREAM_API int bpf_stream_object_dropped(struct bpf_object *obj, __u32 stream_id, __u64 *count);

/**
 * bpf_stream_release() - free what the library holds for an object, early.
 * @obj: object (NULL is fine).
 *
 * Not required: the library never holds a pointer to @obj, so destroying
 * it without release is safe. What the library does keep is process-wide,
 * because any drain, iterator or reader of any program (by fd or by id, of
 * this process or another) must find the same ring reader and queues:
 *  - per bpf_stream.h instance met (keyed by kernel map ids): its ring
 *    reader with its queued messages not read yet (at most 16 MiB per ring:
 *    past that the records stay in the ring), and fds the library opened
 *    itself (ring map, drop counters), and whether this process consumes
 *    it or reads along; an instance all of whose programs are gone from
 *    the kernel is freed when the next one is met;
 *  - the ids of programs found to use no bpf_stream.h instance (a cache);
 *  - the ids of released programs;
 *  - whether the kernel has pollable streams (see bpf_stream_reader__poll()),
 *    probed once, with BPF_STREAM_WAIT read once.
 * Release frees the instance of @obj's programs now (with its unread ring
 * messages; the object no longer names this process as its consumer, so
 * another reader may consume it) and records their ids: afterwards the bpf_stream_object_* calls,
 * bpf_stream_drain_object() and bpf_stream_reader__add_object() on @obj
 * fail with -ESTALE, and reads of its programs by fd or id see only their
 * native streams. On an object not loaded yet, release undoes prepare.
 * Safe on objects never prepared, and twice.
 */
BPF_STREAM_API void bpf_stream_release(struct bpf_object *obj);

/*
 * Skeleton helpers: take any bpftool-generated skeleton. The usual flow is
 *   skel = x_bpf__open(); bpf_stream_skel_prepare(skel); x_bpf__load(skel);
 *   x_bpf__attach(skel); reader = bpf_stream_reader__new(...);
 *   bpf_stream_skel_follow(reader, skel); loop bpf_stream_reader__poll();
 *   bpf_stream_reader__free(reader); bpf_stream_skel_release(skel); x_bpf__destroy(skel);
 */
#define bpf_stream_skel_prepare(skel) bpf_stream_prepare((skel)->obj)
#define bpf_stream_skel_drain(skel, fn, ctx) bpf_stream_drain_object((skel)->obj, (fn), (ctx))
#define bpf_stream_skel_follow(reader, skel) bpf_stream_reader__add_object((reader), (skel)->obj, 0)
#define bpf_stream_skel_release(skel) bpf_stream_release((skel)->obj)

/* ---------------------------------------------------------------------- */
/* Printing                                                                */

/* Tri-state for printer features that depend on the output being a terminal. */
enum bpf_stream_when {
	BPF_STREAM_WHEN_AUTO = 0,	/* when the FILE is a terminal */
	BPF_STREAM_WHEN_ALWAYS,
	BPF_STREAM_WHEN_NEVER,
};

struct bpf_stream_printer;

struct bpf_stream_printer_opts {
	size_t sz;
	bool no_prefix;			/* omit "[name:stream] " */
	enum bpf_stream_when color;	/* stderr lines and drop notices in colour */
	enum bpf_stream_when escape;	/* escape control bytes and invalid UTF-8 */
	size_t :0;
};
#define bpf_stream_printer_opts__last_field escape

/**
 * bpf_stream_printer__new() - a line printer for @out.
 * Control characters are escaped when @out is a terminal, so a BPF program
 * cannot move the cursor or retitle the terminal of whoever reads its stream.
 * Return: printer, or NULL with errno set.
 */
BPF_STREAM_API struct bpf_stream_printer *
bpf_stream_printer__new(FILE *out, const struct bpf_stream_printer_opts *opts);

/**
 * bpf_stream_printer__print() - a bpf_stream_msg_fn: pass the printer as ctx.
 * Return: 0, or -errno on a write error.
 */
BPF_STREAM_API int bpf_stream_printer__print(void *printer, const struct bpf_stream_msg *msg);

/** bpf_stream_printer__free() - free a printer (NULL is fine; @out is not closed). */
BPF_STREAM_API void bpf_stream_printer__free(struct bpf_stream_printer *p);

/**
 * bpf_stream_print_msg() - ready callback: ctx is a FILE *, default printer options.
 * It keeps no state, so each piece of a long line (PARTIAL) gets a line of its
 * own; a printer joins them.
 * Return: 0, or -errno on a write error (-EINVAL for a NULL file, msg or text).
 */
BPF_STREAM_API int bpf_stream_print_msg(void *file, const struct bpf_stream_msg *msg);

/**
 * bpf_stream_escape() - escape control characters and invalid UTF-8 for a terminal.
 * @dst, @dst_sz: output (always NUL-terminated when @dst_sz > 0);
 * @src, @len: input bytes.
 * Return: length the escaped text needs (without NUL), like snprintf.
 */
BPF_STREAM_API size_t bpf_stream_escape(char *dst, size_t dst_sz, const char *src, size_t len);

/* ---------------------------------------------------------------------- */
/* The systemd journal                                                     */

struct bpf_stream_journal_opts {
	size_t sz;
	const char *identifier;	/* SYSLOG_IDENTIFIER; NULL: "bpf-stream" */
	int owner_pid;		/* BPF_PROG_OWNER_PID; 0: not sent */
	bool skip_kernel_lines;	/* send no lines flagged BPF_STREAM_MSG_F_KERNEL
				 * (bpf_stream_journal_report() sends the report) */
	size_t :0;
};
#define bpf_stream_journal_opts__last_field skip_kernel_lines

/**
 * bpf_stream_journal_print() - ready callback: each message one journal entry.
 * @ctx: a struct bpf_stream_journal_opts * (sz set), or NULL for defaults;
 * @msg: the message.
 *
 * Sends with libsystemd's sd_journal_sendv(): MESSAGE (the line's exact
 * bytes: control bytes and invalid UTF-8 are kept, journald stores them as
 * sent), PRIORITY (6 stdout, 3 stderr, 2 a line of a kernel report, 4 a drop
 * notice), SYSLOG_IDENTIFIER, BPF_PROG_ID, BPF_PROG_NAME, BPF_PROG_TAG (asked
 * of the kernel by id), BPF_STREAM, BPF_PROG_OWNER_PID (opts), BPF_TS_NS and
 * BPF_TS_REALTIME (RFC 3339 UTC, converted from the monotonic stamp) for
 * records stamped by BPF_STREAM_TIMESTAMP, BPF_DROPPED=N for drop notices,
 * BPF_KERNEL=1 for report lines and BPF_PARTIAL, BPF_UNTERMINATED,
 * BPF_TRUNCATED=1 after the message flags. Stateless: each piece of a long
 * line is an entry. CODE_FILE, CODE_LINE, CODE_FUNC (the bpf_stream_printk()
 * call, from the program's BTF line info) for a ring-transport line when
 * called by a reader, or from a reader's callback with the message (or a
 * copy with the same text pointer) it was given; not for native streams,
 * drains or iterators. Usable as the callback of drains, iterators' loops
 * and readers.
 * Return: 0, or -errno: -EOPNOTSUPP when the library was built without
 * libsystemd, -EINVAL for a NULL msg or bad opts, the error of
 * sd_journal_sendv() (e.g. -ECONNREFUSED when journald's socket exists but
 * nobody listens). Without /run/systemd/journal/socket at all, libsystemd
 * drops the entry and returns 0: check for it first where that matters.
 */
BPF_STREAM_API int bpf_stream_journal_print(void *ctx, const struct bpf_stream_msg *msg);

/**
 * bpf_stream_journal_report() - a bpf_stream_report_fn: one journal entry per
 * kernel error report.
 * @ctx: as bpf_stream_journal_print(); @r: the report.
 *
 * MESSAGE "ERROR: ..." ("Call trace" for a STACK report), PRIORITY 2, the
 * program fields of bpf_stream_journal_print() with BPF_STREAM=stderr (a
 * STACK report: the stream it came on) and BPF_KERNEL=1,
 * BPF_REPORT_KIND (bpf_stream_report_kind_str()), BPF_REPORT_CPU/UID/PID/COMM
 * where the report has them, BPF_REPORT_FRAMES (one line per frame), and
 * CODE_FILE, CODE_LINE, CODE_FUNC from the first frame with a source line.
 * Pass it as the reader's report_fn with opts.skip_kernel_lines set to get
 * one entry per report instead of one per line.
 * Return: as bpf_stream_journal_print().
 */
BPF_STREAM_API int bpf_stream_journal_report(void *ctx, const struct bpf_stream_report *r);

/**
 * bpf_stream_journal_supported() - was the library built with libsystemd?
 * Return: true when the journal functions can send (journald may still be
 * absent at run time).
 */
BPF_STREAM_API bool bpf_stream_journal_supported(void);

/* ---- levels and run-time control of call sites (ctl.c, docs/control.md) ---- */

/* Levels of bpf_stream.h's call sites (the values of bpf_stream_ctl.h). */
#define BPF_STREAM_LVL_PRINT 0	/* bpf_stream_printk(): no level */
#define BPF_STREAM_LVL_ERROR 3
#define BPF_STREAM_LVL_WARN 4
#define BPF_STREAM_LVL_INFO 6
#define BPF_STREAM_LVL_DEBUG 7

/* Modes of a call site (bpf_stream_ctl.h). */
#define BPF_STREAM_CTL_DEFAULT 0	/* as compiled: on if its level is on by default */
#define BPF_STREAM_CTL_ON 1
#define BPF_STREAM_CTL_OFF 2
#define BPF_STREAM_CTL_RATE 3		/* on, within a rate limit */

/* One call site of a loaded program, read from the kernel objects. */
struct bpf_stream_site {
	__u32 id;		/* control index (the site's switch) */
	__u32 site;		/* call site as in records and drop counts */
	int level;		/* BPF_STREAM_LVL_* */
	__u32 stream_id;	/* BPF_STDOUT/BPF_STDERR; 0: a bpf_stream_printk() whose stream
				 * id was not a constant */
	const char *fmt;	/* its format string */
	const char *file;	/* source file name as compiled */
	__u32 line;		/* source line of the call */
	__u32 mode;		/* BPF_STREAM_CTL_* */
	bool enabled;		/* prints now (within its rate limit, if any) */
	__u32 rate;		/* messages per second, 0 = no limit */
	__u32 burst;		/* messages at once (with @rate) */
	__u64 printed;		/* calls queued: hits - suppressed - dropped */
	__u64 hits;		/* calls that passed the switch (counted while enabled) */
	__u64 suppressed;	/* calls over the rate limit */
	__u64 silenced;		/* calls while switched off (not while off by default) */
	__u64 dropped;		/* calls that could not be queued (bpf_stream_drop) */
	__u32 nshared;		/* other call sites of the object with the same switch
				 * (linked files without their own BPF_STREAM_SITE_BASE) */
	/* more fields may follow */
};

struct bpf_stream_sites;

struct bpf_stream_sites_opts {
	size_t sz;
	bool object;		/* every program of the program's object, not just it */
	size_t :0;
};
#define bpf_stream_sites_opts__last_field object

/**
 * bpf_stream_sites__new() - the call sites of a loaded program, from the kernel.
 * @prog_fd: any loaded program built with <bpf_stream.h> (the caller's own,
 *           or one found by id: bpf_prog_get_fd_by_id()).
 * @opts: may be NULL; .object lists the sites of every program of its object.
 *
 * Reads the program's translated instructions (its call sites), the object's
 * .rodata (formats, levels, source lines), its control array and its drop
 * counters. A snapshot: call it again to see new counts.
 * Return: the table, or NULL with errno set (EPERM: no CAP_SYS_ADMIN/CAP_BPF;
 * EOPNOTSUPP: the object has no control array (built with an older
 * bpf_stream.h); EBADF, EINVAL, ENOMEM).
 */
BPF_STREAM_API struct bpf_stream_sites *
bpf_stream_sites__new(int prog_fd, const struct bpf_stream_sites_opts *opts);

/** bpf_stream_sites__cnt() - number of call sites in @s. */
BPF_STREAM_API size_t bpf_stream_sites__cnt(const struct bpf_stream_sites *s);

/**
 * bpf_stream_sites__get() - the @i-th call site of @s (sorted by id).
 * Return: the site (valid until bpf_stream_sites__free()), or NULL with
 * errno ERANGE when @i is out of range.
 */
BPF_STREAM_API const struct bpf_stream_site *bpf_stream_sites__get(const struct bpf_stream_sites *s,
								   size_t i);

/** bpf_stream_sites__free() - free a table (NULL is fine). */
BPF_STREAM_API void bpf_stream_sites__free(struct bpf_stream_sites *s);

struct bpf_stream_ctl_opts {
	size_t sz;
	const char *site;	/* NULL: every site in scope; else "ID" or "FILE:LINE" */
	int level;		/* 0: unchanged; BPF_STREAM_LVL_ERROR..DEBUG: leveled
				 * sites print if their level <= it, others are silent */
	int enable;		/* 0: unchanged; 1: on; -1: off */
	__u32 rate;		/* 0: unchanged; messages per second */
	__u32 burst;		/* with @rate: messages at once (0: one second's worth) */
	bool no_rate;		/* remove rate limits */
	bool object;		/* scope: every program of the object */
	size_t :0;
};
#define bpf_stream_ctl_opts__last_field object

/**
 * bpf_stream_ctl_set() - switch call sites of a loaded program, without a reload.
 * @prog_fd: the program (its sites, or its object's with @opts->object).
 * @opts: what to change (see struct bpf_stream_ctl_opts); NULL changes nothing.
 *
 * Writes each chosen site's mode in the object's control array (a kernel
 * map, so any process with the rights can do it); the next call of the site
 * sees it. @opts->level applies to leveled sites only (not to
 * bpf_stream_printk()); then @opts->enable, then the rate. All input is
 * checked before anything is written.
 * Return: number of sites changed (>= 0), or -errno: -ENOENT (no such
 * site), -EINVAL (bad level, burst without rate, bad opts), -EPERM,
 * -EOPNOTSUPP (no control array in the object), -EEXIST (@opts->site
 * shares its switch with another call site: see struct bpf_stream_site).
 */
BPF_STREAM_API int bpf_stream_ctl_set(int prog_fd, const struct bpf_stream_ctl_opts *opts);

/**
 * bpf_stream_level_str() - "print", "error", "warn", "info", "debug", or "?".
 */
BPF_STREAM_API const char *bpf_stream_level_str(int level);

/**
 * bpf_stream_level_parse() - level from its name ("error", "warn"/"warning",
 * "info", "debug") or its number (3, 4, 6, 7).
 * Return: BPF_STREAM_LVL_*, or -EINVAL (errno set).
 */
BPF_STREAM_API int bpf_stream_level_parse(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* __LIBBPF_STREAM_H */
