/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * bpf-stream: command-line reader of BPF program streams.
 * Shared declarations of the CLI's files (one file per subcommand, plus
 * main.c for options/dispatch/errors, prog.c for PROG arguments, output.c for
 * message printers and json_writer.c for JSON).
 */
#ifndef __BPF_STREAM_CLI_MAIN_H
#define __BPF_STREAM_CLI_MAIN_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include <libbpf_stream.h>

#include "json_writer.h"
#include "stream_features.h"

#ifndef __printf
#define __printf(a, b) __attribute__((format(printf, a, b)))
#endif

#define BIN_NAME "bpf-stream"
#define BPF_STREAM_CLI_VERSION "1.1.0"

/*
 * Exit statuses. Errors use sysexits(3)-style values at 64 and above, so
 * they never collide with the program verdicts that 'run' maps to 1..63.
 */
enum {
	EXIT_OK = 0,
	EXIT_VERDICT_MAX = 63,	/* run: verdicts are 1..63 */
	EXIT_USAGE = 64,	/* bad arguments */
	EXIT_BADOBJ = 65,	/* object file unreadable, or a program failed to load */
	EXIT_NOPROG = 66,	/* no such program, pinned path or object file */
	EXIT_NOSTREAMS = 69,	/* the kernel has no (working) BPF streams */
	EXIT_FAIL = 70,		/* any other failure (a bpf(2) call failed, out of memory) */
	EXIT_IOERR = 74,	/* writing the output failed */
	EXIT_PERM = 77,		/* permission denied (capabilities missing) */
};

enum color_mode {
	COLOR_AUTO,
	COLOR_ALWAYS,
	COLOR_NEVER,
};

/* Global options (main.c). */
extern bool json_output;
extern bool pretty_output;
extern bool verbose;
extern bool no_prefix;
extern bool raw_output;
extern bool journal_output;	/* --journal: entries to the systemd journal */
extern bool timestamps;		/* --timestamps: wall-clock time on each line */
extern bool steal_streams;	/* --steal: take over from the process reading a program */
extern bool arrival_order;	/* --arrival-order: no merge by time stamp */
extern enum color_mode color_mode;
extern struct json_writer json_wtr;	/* valid when json_output */

/* For a subcommand without options of its own: a usage error for an
 * option word (before "--") among its words, which are then its argc/argv
 * without the "--". Returns 0 or EXIT_USAGE (reported). */
int cmd_no_options(int *argc, char **argv);

/* A subcommand: the table in main.c lists them next to their help. Main
 * takes the global options out wherever they are; the subcommand gets the
 * words after its name, in order, and parses them (options included). */
struct cmd {
	const char *cmd;
	int (*func)(int argc, char **argv);
	void (*help)(FILE *f);
	const char *summary;
};

/* Subcommands (one file each). */
int do_dump(int argc, char **argv);
int do_follow(int argc, char **argv);
int do_run(int argc, char **argv);
int do_list(int argc, char **argv);
int do_sites(int argc, char **argv);
int do_ctl(int argc, char **argv);
void help_dump(FILE *f);
void help_follow(FILE *f);
void help_run(FILE *f);
void help_list(FILE *f);
void help_sites(FILE *f);
void help_ctl(FILE *f);

/* ---- errors (main.c): every failure goes through these ----------------- */

/* Print one error (plain line on stderr, or {"error":...} on stdout in JSON
 * mode) and return @code, the exit status: return p_err(EXIT_NOPROG, ...). */
__printf(2, 3) int p_err(int code, const char *fmt, ...);
/* A usage error: the message, then the current command's usage. EXIT_USAGE. */
__printf(1, 2) int usage_err(const char *fmt, ...);
/* An error from a bpf(2)/libbpf call that failed with -@err (or @err):
 * picks the exit status (ENOENT, EPERM/EACCES, EOPNOTSUPP, ...) and adds
 * the capability or kernel advice. @what says what was being done. */
__printf(2, 3) int p_err_errno(int err, const char *what_fmt, ...);
/* A note or verbose line on stderr ("bpf-stream: note: ..."). */
__printf(1, 2) void p_note(const char *fmt, ...);
/* libbpf's warnings are kept, not printed (without -v): bpf-stream says what
 * failed in its own line. A command whose failure they explain (a refused
 * load: the verifier's log) prints them with libbpf_log_show() first. */
void libbpf_log_show(void);
__printf(1, 2) void p_verbose(const char *fmt, ...);
/* Does this process hold CAP_SYS_ADMIN or CAP_BPF (effective)? */
bool have_bpf_caps(void);
/* The running kernel's release, for messages. */
const char *kernel_release(void);

/* Is @arg a prefix of @word (the command and keyword matching rule)? */
bool is_prefix(const char *arg, const char *word);

/* ---- streams ------------------------------------------------------------ */

/* Parse "stdout", "stderr" or "all" into a BPF_STREAM_MASK_*; 0 if bad. */
__u32 parse_stream(const char *s);
const char *stream_str(__u32 stream_id);

/*
 * Does this kernel have BPF streams (BPF_PROG_STREAM_READ_BY_FD)? The
 * library's answer (BS_FEAT_STREAM_READ of its feature table, stream_features.h):
 * 1 (yes), 0 (no) or -errno when the probe itself failed.
 */
int kernel_has_streams(void);
/* The EXIT_NOSTREAMS error, with the kernel version and what to do. */
int err_no_streams(void);

/* ---- PROG arguments (prog.c) ------------------------------------------- */

enum prog_sel_kind {
	PROG_SEL_ID,
	PROG_SEL_PINNED,
	PROG_SEL_NAME,
	PROG_SEL_TAG,
	PROG_SEL_ALL,
};

struct prog_sel {
	enum prog_sel_kind kind;
	__u32 id;
	const char *arg;	/* pinned path or name (argv string) */
	unsigned char tag[8];
};

/* One program found in the kernel. */
struct prog_ref {
	__u32 id;
	int fd;
	__u32 type;
	char name[16];
	char tag[17];		/* hex */
};

/*
 * Parse PROG arguments at *argv: one PROG (@max 1) or several, then an
 * optional stream word. Consumes what it parsed. Returns 0 or an exit status
 * (usage error already printed). *@streams gets a BPF_STREAM_MASK_*.
 */
int parse_progs(int *argc, char ***argv, int max, struct prog_sel **sels, int *nr_sels,
		__u32 *streams);

/*
 * Find the programs the selectors name. @must_exist: an id, pinned path,
 * name or tag that matches nothing is an EXIT_NOPROG error (not for 'all').
 * @seen/@nr_seen (may be NULL): ids to skip (already followed), which lets
 * 'follow' rescan cheaply. Returns 0 or an exit status (error printed).
 */
int resolve_progs(const struct prog_sel *sels, int nr_sels, bool must_exist,
		  const __u32 *seen, int nr_seen, struct prog_ref **refs, int *nr_refs);
/* Does @r match one of the scanning selectors (all, name, tag)? */
bool prog_sel_match(const struct prog_sel *sels, int nr_sels, const struct prog_ref *r);
void free_prog_refs(struct prog_ref *refs, int nr_refs);
/* Fill a prog_ref from a program fd (takes ownership of @fd on success). */
int prog_ref_from_fd(int fd, struct prog_ref *ref);
/* Does the program use bpf_stream.h's ring-buffer transport (the library
 * asks the kernel: its maps and the selector prepare() wrote)? */
bool prog_uses_ringbuf(int prog_fd);
/* The objects (by BTF id) whose ring-transport programs this process reads. */
struct ring_set {
	__u32 *btf_ids;
	int n, cap;
};

/* Remember the object of ring-transport program @prog_fd: 0 or -ENOMEM. */
int ring_set_add(struct ring_set *rs, int prog_fd);
void ring_set_free(struct ring_set *rs);
/* One note on stderr if this process took messages from those objects'
 * rings that it did not print (other programs or streams); else nothing. */
void note_unprinted(const struct ring_set *rs);

/* ---- message output (output.c) ----------------------------------------- */

struct out_ctx {
	__u32 prog_id;		/* fallbacks when a message lacks them */
	const char *prog_name;
	int err;		/* first output error (-errno) */
	unsigned long lines;
};

/* Set up output (colour and escaping decisions). 0 or exit status. */
int out_init(struct out_ctx *o);
/* Flush stdout; a failure lands in o->err. */
void out_fini(struct out_ctx *o);
/* A reader that prints through out_msg/out_report (kernel reports flagged). */
struct bpf_stream_reader *out_reader_new(struct out_ctx *o, bool waits);
/* Deliver everything queued now, trailing unterminated lines included.
 * Returns 0 or an exit status (error printed). */
int out_consume(struct out_ctx *o, struct bpf_stream_reader *r);
/* bpf_stream_msg_fn: print one message in the current mode. */
int out_msg(void *ctx, const struct bpf_stream_msg *msg);
/* bpf_stream_report_fn: print one kernel report (JSON mode). */
int out_report(void *ctx, const struct bpf_stream_report *r);
/* The exit status for an output error -errno (EPIPE: quiet EXIT_IOERR). */
int out_err_status(int err);
/* RFC 3339 UTC time with microseconds of a CLOCK_MONOTONIC stamp, or of
 * now when @mono_ns is 0. @buf of at least 40 bytes. */
void out_realtime(__u64 mono_ns, char *buf, size_t sz);

/* ---- program owners: processes holding a program fd (list.c) ------------ */

struct prog_owner {
	__u32 prog_id;
	int pid;
	char comm[16];
};

struct owner_map {
	struct prog_owner *v;	/* sorted by prog_id, then pid */
	int n, cap;
};

/* Every (program, process) pair /proc/PID/fdinfo shows (prog_id: lines of
 * the fds that are bpf-prog anon inodes), this process left out. 0 or -errno. */
int owner_map_scan(struct owner_map *m);
/* The owners of @prog_id: their count, *@first the first of them. */
int owner_map_find(const struct owner_map *m, __u32 prog_id, const struct prog_owner **first);
void owner_map_free(struct owner_map *m);

#endif /* __BPF_STREAM_CLI_MAIN_H */
