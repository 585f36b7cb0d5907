/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Test helpers of the consumer side (drain, iterator, reader, reports):
 * a scripted stream source that feeds the library's real framing code, a
 * message collector, a trivial loaded program, and the report formatter the
 * golden files are written in.
 */
#ifndef __CONS_HELPERS_H
#define __CONS_HELPERS_H

#include <stdbool.h>
#include <stdio.h>
#include <libbpf_stream.h>
#include "stream_internal.h"

/* ---- scripted source ---------------------------------------------------- */

#define CONS_MAX_CHUNKS 256

struct cons_chunk {
	const char *data;
	size_t len;
	__u64 ts_ns;
	__u32 flags;
};

/* Each read returns the next chunk (cut to the reader's buffer size), then 0
 * until more chunks are added. A negative err_at_read makes read number
 * err_at_read... fail: set err to the -errno to return. */
struct cons_script {
	struct cons_chunk chunks[CONS_MAX_CHUNKS];
	size_t nr, next, off;
	int reads;
	int err;		/* if non-zero, every read returns it */
	__u64 dropped;		/* drop counter the source reports */
	bool has_dropped;
	bool endless;		/* start over after the last chunk, forever */
};

void cons_script_add(struct cons_script *s, const char *data, size_t len, __u64 ts, __u32 flags);
void cons_script_adds(struct cons_script *s, const char *text); /* strlen, ts 0 */
int cons_script_read(void *ctx, void *buf, size_t len, struct bs_source_meta *meta);
int cons_script_dropped(void *ctx, __u64 *count);
/* A bs_stream_src over @s. */
struct bs_stream_src cons_script_src(struct cons_script *s, __u32 prog_id, const char *name,
				     __u32 stream_id);

/* ---- collector ---------------------------------------------------------- */

#define CONS_MAX_MSGS 4096

struct cons_msg {
	__u32 prog_id, stream_id, flags;
	char *name;
	char *text;
	size_t len;
	__u64 ts_ns, dropped;
};

struct cons_collect {
	struct cons_msg msgs[CONS_MAX_MSGS];
	int nr;
	int stop_after;		/* > 0: return stop_ret on the stop_after-th message */
	int stop_ret;
};

int cons_collect_fn(void *ctx, const struct bpf_stream_msg *msg);
void cons_collect_reset(struct cons_collect *c);
/* All texts joined with '\n' after each message not flagged PARTIAL or
 * UNTERMINATED: rebuilds the original bytes (NULs aside). Caller frees. */
char *cons_collect_join(const struct cons_collect *c);

/* ---- kernel objects ------------------------------------------------------ */

/* Load "r0 = 0; exit" as a socket filter; fd or -errno. */
int cons_load_trivial_prog(void);
/* An array map fd or -errno. */
int cons_create_map(void);

/* ---- reports ------------------------------------------------------------- */

/* Print one report in the golden-file format. */
void cons_report_fprint(FILE *out, const struct bpf_stream_report *r);
/* Parse every line of @in (stderr of prog 7 "golden") and write passthrough
 * lines and reports to @out. Return 0 or -errno. */
int cons_report_run(FILE *in, FILE *out);

/* Redirect fd 1 to a temporary file until cons_stdout_end(), which returns
 * how many bytes were written to stdout meanwhile (or -1). */
void cons_stdout_begin(void);
long cons_stdout_end(void);

/* Read a whole file; NULL on error. Caller frees. */
char *cons_read_file(const char *path, size_t *len);

#endif /* __CONS_HELPERS_H */
