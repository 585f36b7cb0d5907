// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Parser of the kernel's stderr reports. Pure: lines in, records out.
 *
 * The kernel stages each report and commits it as one block (kernel/bpf/
 * stream.c, rqspinlock.c, arena.c), in this shape:
 *
 *   ERROR: <what>                                  (kind from the text)
 *   Attempted lock   = 0x<addr>                    (res_spin_lock only)
 *   Total held locks = <n>                         (res_spin_lock only)
 *   Held lock[%2d] = 0x<addr>                      (res_spin_lock, one per lock)
 *   CPU: <cpu> UID: <uid> PID: <pid> Comm: <comm>
 *   Call trace:
 *   <sym>+0x<off>/0x<size>                         (%pS, one per frame)
 *     <source line> @ <file>:<line>                (after BPF frames with line info)
 *   <empty line>
 *
 * A block ends at its empty line. It ends early ("truncated") at the next
 * "ERROR:" line, at a line that fits none of the forms above (that line is
 * then ordinary output and passes through), or at flush. "ERROR:" blocks of
 * an unknown kind are parsed the same way and reported as UNKNOWN. A program
 * printing "ERROR: ..." itself therefore yields an UNKNOWN report, cut short
 * by its next line, whose kind says it is not one of the kernel's.
 *
 * A stack a program asked for (the kfunc bpf_stream_print_stack(), Linux
 * 7.2+) is the same block without its first lines: it starts at the "CPU:"
 * line, on whichever stream the program named. Outside a block, a "CPU: N
 * UID: N PID: N Comm: X" line starts a STACK report, which must go on with
 * "Call trace:": otherwise it is abandoned without a report, and that next
 * line is parsed afresh (the CPU line was already flagged a report line: a
 * program that prints exactly that form is taken for the kernel). On stdout
 * (msg->stream_id BPF_STDOUT) only STACK reports exist: the kernel writes
 * nothing else there, so "ERROR:" lines are output.
 */
#include <stdlib.h>
#include <ctype.h>
#include "stream_internal.h"

struct bpf_stream_report_parser {
	bpf_stream_report_fn fn;
	void *ctx;
	bool active, in_trace;
	bool want_trace;	/* a STACK block waits for its "Call trace:" */
	struct bpf_stream_report rep;
	char *message, *prog_name, *comm;
	__u64 *held;
	size_t held_cap;
	struct bpf_stream_frame *frames;
	size_t frames_cap;
	char **strs;		/* strings the frames point to */
	size_t nr_strs, strs_cap;
};

const char *bpf_stream_report_kind_str(enum bpf_stream_report_kind kind)
{
	switch (kind) {
	case BPF_STREAM_REPORT_MAY_GOTO_TIMEOUT: return "may_goto_timeout";
	case BPF_STREAM_REPORT_RES_SPIN_DEADLOCK: return "res_spin_deadlock";
	case BPF_STREAM_REPORT_RES_SPIN_TIMEOUT: return "res_spin_timeout";
	case BPF_STREAM_REPORT_ARENA_FAULT: return "arena_fault";
	case BPF_STREAM_REPORT_STACK: return "stack";
	default: return "unknown";
	}
}

struct bpf_stream_report_parser *bpf_stream_report_parser__new(bpf_stream_report_fn fn, void *ctx)
{
	struct bpf_stream_report_parser *p;

	if (!fn)
		return bs_err_ptr(-EINVAL);
	p = calloc(1, sizeof(*p));
	if (!p)
		return bs_err_ptr(-ENOMEM);
	p->fn = fn;
	p->ctx = ctx;
	return p;
}

static void reset(struct bpf_stream_report_parser *p)
{
	size_t i;

	for (i = 0; i < p->nr_strs; i++)
		free(p->strs[i]);
	p->nr_strs = 0;
	free(p->message);
	free(p->prog_name);
	free(p->comm);
	p->message = p->prog_name = p->comm = NULL;
	memset(&p->rep, 0, sizeof(p->rep));
	p->active = p->in_trace = p->want_trace = false;
}

void bpf_stream_report_parser__free(struct bpf_stream_report_parser *p)
{
	if (!p)
		return;
	reset(p);
	free(p->strs);
	free(p->held);
	free(p->frames);
	free(p);
}

static int finish(struct bpf_stream_report_parser *p, bool truncated)
{
	int ret;

	if (!p->active)
		return 0;
	/* a "CPU:" line with no "Call trace:" after it is no stack */
	if (p->want_trace) {
		reset(p);
		return 0;
	}
	p->rep.truncated = truncated;
	p->rep.message = p->message ? p->message : "";
	p->rep.prog_name = p->prog_name ? p->prog_name : "";
	p->rep.comm = p->comm;
	p->rep.held_locks = p->held;
	p->rep.frames = p->frames;
	ret = p->fn(p->ctx, &p->rep);
	reset(p);
	return ret;
}

int bpf_stream_report_parser__flush(struct bpf_stream_report_parser *p)
{
	int ret;

	if (!p)
		return bs_err(-EINVAL);
	ret = finish(p, true);
	return ret < 0 ? bs_err(ret) : ret;
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* "0x<hex>" at *s; advances *s. */
static bool parse_hex(const char **s, __u64 *v)
{
	const char *q = *s;
	char *end;

	if (q[0] != '0' || (q[1] != 'x' && q[1] != 'X') || !isxdigit((unsigned char)q[2]))
		return false;
	*v = strtoull(q + 2, &end, 16);
	/* strtoull takes a second "0x" ("0x0x1f"): the kernel never writes one */
	if (q[2] == '0' && (q[3] == 'x' || q[3] == 'X'))
		return false;
	*s = end;
	return true;
}

static bool parse_dec(const char **s, long long *v)
{
	char *end;

	if (!isdigit((unsigned char)**s) && **s != '-')
		return false;
	*v = strtoll(*s, &end, 10);
	if (end == *s)
		return false;
	*s = end;
	return true;
}

/* After "name", optional spaces, "=", optional spaces. */
static const char *after_eq(const char *s, const char *name)
{
	if (!starts(s, name))
		return NULL;
	s += strlen(name);
	while (*s == ' ')
		s++;
	if (*s != '=')
		return NULL;
	s++;
	while (*s == ' ')
		s++;
	return s;
}

static char *keep(struct bpf_stream_report_parser *p, const char *s, size_t len)
{
	char *c;

	if (p->nr_strs == p->strs_cap) {
		size_t cap = p->strs_cap ? p->strs_cap * 2 : 16;
		char **n = realloc(p->strs, cap * sizeof(*n));

		if (!n)
			return NULL;
		p->strs = n;
		p->strs_cap = cap;
	}
	c = strndup(s, len);
	if (c)
		p->strs[p->nr_strs++] = c;
	return c;
}

static void start_block(struct bpf_stream_report_parser *p, const struct bpf_stream_msg *msg)
{
	const char *m = msg->text + strlen("ERROR: ");
	const char *q;
	__u64 v;

	reset(p);
	p->active = true;
	p->rep.cpu = p->rep.uid = p->rep.pid = -1;
	p->rep.prog_id = msg->prog_id;
	p->rep.stream_id = msg->stream_id ? msg->stream_id : BPF_STDERR;
	p->message = strdup(m);
	p->prog_name = strdup(msg->prog_name ? msg->prog_name : "");

	if (strcmp(m, "Timeout detected for may_goto instruction") == 0) {
		p->rep.kind = BPF_STREAM_REPORT_MAY_GOTO_TIMEOUT;
	} else if (starts(m, "AA or ABBA deadlock detected for bpf_res_spin_lock") ||
		   starts(m, "Timeout detected for bpf_res_spin_lock")) {
		q = strstr(m, "bpf_res_spin_lock") + strlen("bpf_res_spin_lock");
		if (*q == '\0' || strcmp(q, "_irqsave") == 0) {
			p->rep.kind = m[0] == 'A' ? BPF_STREAM_REPORT_RES_SPIN_DEADLOCK
						  : BPF_STREAM_REPORT_RES_SPIN_TIMEOUT;
			p->rep.irqsave = *q != '\0';
		}
	} else if (starts(m, "Arena READ access at unmapped address ") ||
		   starts(m, "Arena WRITE access at unmapped address ")) {
		q = strstr(m, "address ") + strlen("address ");
		/* the whole line or nothing: "... 0x10 forged by the program"
		 * is a program's imitation, left as an unknown report */
		if (parse_hex(&q, &v) && *q == '\0') {
			p->rep.kind = BPF_STREAM_REPORT_ARENA_FAULT;
			p->rep.arena_write = m[6] == 'W';
			p->rep.addr = v;
		}
	}
}

/* "<sym>+0x<off>/0x<size>[ [module]]" or a bare "0x<addr>". */
static bool parse_frame(struct bpf_stream_report_parser *p, const char *s)
{
	struct bpf_stream_frame fr = {};
	const char *plus, *q;
	size_t i;

	plus = strstr(s, "+0x");
	if (!plus) {
		q = s;
		if (!parse_hex(&q, &fr.offset) || *q)
			return false;
		fr.offset = 0;
		fr.symbol = keep(p, s, strlen(s));
	} else {
		if (plus == s)
			return false;
		for (i = 0; s + i < plus; i++) {
			if (isspace((unsigned char)s[i]) || !isprint((unsigned char)s[i]))
				return false;
		}
		q = plus + 1;
		if (!parse_hex(&q, &fr.offset) || *q != '/')
			return false;
		q++;
		if (!parse_hex(&q, &fr.size))
			return false;
		if (*q && !(q[0] == ' ' && q[1] == '[' && q[strlen(q) - 1] == ']'))
			return false;
		fr.symbol = keep(p, s, plus - s);
	}
	if (!fr.symbol)
		return true; /* out of memory: the frame is lost, not the block */
	if (p->rep.nr_frames == p->frames_cap) {
		size_t cap = p->frames_cap ? p->frames_cap * 2 : 16;
		struct bpf_stream_frame *n = realloc(p->frames, cap * sizeof(*n));

		if (!n)
			return true;
		p->frames = n;
		p->frames_cap = cap;
	}
	p->frames[p->rep.nr_frames++] = fr;
	return true;
}

/* "  <source line> @ <file>:<line>" after a frame. */
static bool parse_src(struct bpf_stream_report_parser *p, const char *s)
{
	struct bpf_stream_frame *fr;
	const char *at = NULL, *q, *colon;
	long long line;

	if (!p->rep.nr_frames)
		return false;
	fr = &p->frames[p->rep.nr_frames - 1];
	if (fr->src)
		return false;
	while (*s == ' ' || *s == '\t')
		s++;
	for (q = strstr(s, " @ "); q; q = strstr(q + 1, " @ "))
		at = q;
	if (!at) {
		fr->src = keep(p, s, strlen(s));
		return true;
	}
	fr->src = keep(p, s, at - s);
	q = at + 3;
	colon = strrchr(q, ':');
	if (colon) {
		const char *d = colon + 1;

		if (parse_dec(&d, &line) && !*d && line >= 0) {
			fr->file = keep(p, q, colon - q);
			fr->line = (__u32)line;
			return true;
		}
	}
	fr->file = keep(p, q, strlen(q));
	return true;
}

static bool parse_header(struct bpf_stream_report_parser *p, const char *s)
{
	long long cpu, uid, pid, n;
	const char *q;
	__u64 v;

	if ((q = after_eq(s, "Attempted lock"))) {
		if (!parse_hex(&q, &v) || *q)
			return false;
		p->rep.addr = v;
		return true;
	}
	if ((q = after_eq(s, "Total held locks"))) {
		if (!parse_dec(&q, &n) || *q || n < 0)
			return false;
		p->rep.nr_held_locks = (__u32)n;
		return true;
	}
	if (starts(s, "Held lock[")) {
		q = s + strlen("Held lock[");
		while (*q == ' ')
			q++;
		if (!parse_dec(&q, &n) || *q != ']')
			return false;
		q = after_eq(q + 1, "");
		if (!q || !parse_hex(&q, &v) || *q)
			return false;
		if (p->rep.nr_held_listed == p->held_cap) {
			size_t cap = p->held_cap ? p->held_cap * 2 : 8;
			__u64 *h = realloc(p->held, cap * sizeof(*h));

			if (!h)
				return true;
			p->held = h;
			p->held_cap = cap;
		}
		p->held[p->rep.nr_held_listed++] = v;
		return true;
	}
	if (starts(s, "CPU: ")) {
		q = s + 5;
		if (!parse_dec(&q, &cpu) || !starts(q, " UID: "))
			return false;
		q += 6;
		if (!parse_dec(&q, &uid) || !starts(q, " PID: "))
			return false;
		q += 6;
		if (!parse_dec(&q, &pid) || !starts(q, " Comm: "))
			return false;
		q += 7;
		p->rep.cpu = (int)cpu;
		p->rep.uid = (int)uid;
		p->rep.pid = (int)pid;
		free(p->comm);
		p->comm = strdup(q);
		return true;
	}
	if (strcmp(s, "Call trace:") == 0) {
		p->in_trace = true;
		return true;
	}
	return false;
}

/* A "CPU: ..." line outside a block: the start of a STACK report, which
 * waits for its "Call trace:" line. False when @msg is not that line. */
static bool start_stack(struct bpf_stream_report_parser *p, const struct bpf_stream_msg *msg)
{
	if (!starts(msg->text, "CPU: "))
		return false;
	reset(p);
	p->active = true;
	p->rep.cpu = p->rep.uid = p->rep.pid = -1;
	if (!parse_header(p, msg->text)) {
		reset(p);
		return false;
	}
	p->want_trace = true;
	p->rep.kind = BPF_STREAM_REPORT_STACK;
	p->rep.prog_id = msg->prog_id;
	p->rep.stream_id = msg->stream_id ? msg->stream_id : BPF_STDERR;
	p->message = strdup("");
	p->prog_name = strdup(msg->prog_name ? msg->prog_name : "");
	return true;
}

int bs_report_parser__push(struct bpf_stream_report_parser *p, const struct bpf_stream_msg *msg,
			  bool *in_report)
{
	const char *s;
	int ret = 0;

	*in_report = false;
	if (!p || !msg || !msg->text)
		return -EINVAL;
	if (msg->flags & BPF_STREAM_MSG_F_DROP_NOTICE)
		return 0;
	s = msg->text;
	if (msg->stream_id != BPF_STDOUT && starts(s, "ERROR: ")) {
		ret = finish(p, true);
		start_block(p, msg);
		*in_report = true;
		return ret;
	}
	if (p->want_trace) {
		if (strcmp(s, "Call trace:") == 0) {
			p->want_trace = false;
			p->in_trace = true;
			*in_report = true;
			return 0;
		}
		/* no stack after all: nothing to report, the line starts over */
		reset(p);
	}
	if (!p->active) {
		*in_report = start_stack(p, msg);
		return 0;
	}
	if (s[0] == '\0') {
		*in_report = true;
		return finish(p, false);
	}
	if (p->in_trace) {
		if ((s[0] == ' ' || s[0] == '\t') && parse_src(p, s)) {
			*in_report = true;
			return 0;
		}
		if (parse_frame(p, s)) {
			*in_report = true;
			return 0;
		}
	} else if (parse_header(p, s)) {
		*in_report = true;
		return 0;
	}
	/* Not part of a report: the block was cut short, the line is output
	 * (or the start of a stack). */
	ret = finish(p, true);
	if (!ret)
		*in_report = start_stack(p, msg);
	return ret;
}

int bpf_stream_report_parser__push(struct bpf_stream_report_parser *p,
				   const struct bpf_stream_msg *msg)
{
	bool in;
	int ret = bs_report_parser__push(p, msg, &in);

	return ret < 0 ? bs_err(ret) : ret;
}
