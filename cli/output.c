// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Printing stream messages: the plain form ("[id:name:stream] text", colour
 * and terminal escaping) and the JSON form (one object per message, kernel
 * reports as one object with their structured fields), the journal form
 * (--journal: one entry per line through bpf_stream_journal_print(), one per
 * kernel report), and wall-clock times (--timestamps, JSON ts_realtime).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "main.h"

#define COLOR_STDERR "\033[31m"		/* red */
#define COLOR_KERNEL "\033[1;35m"	/* bold magenta */
#define COLOR_DROP "\033[1;33m"		/* bold yellow */
#define COLOR_RESET "\033[0m"

/* where sd_journal_sendv() sends (libsystemd has no other) */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

static bool use_color;
static bool use_escape;

/* --journal: owner pid of each program met, found in /proc once per program */
#define OWNER_CACHE 256
static struct {
	__u32 prog_id;
	int pid;		/* 0: none found */
} owner_cache[OWNER_CACHE];
static int nr_owner_cache;

void out_realtime(__u64 mono_ns, char *buf, size_t sz)
{
	struct timespec rt, mono;
	long long ns;
	struct tm tm;
	time_t sec;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &rt);
	ns = rt.tv_sec * 1000000000LL + rt.tv_nsec;
	if (mono_ns) {
		/* the offset of the two clocks now: exact unless the wall
		 * clock was stepped between the stamp and this call */
		clock_gettime(CLOCK_MONOTONIC, &mono);
		ns += (long long)mono_ns - (mono.tv_sec * 1000000000LL + mono.tv_nsec);
	}
	sec = ns / 1000000000;
	gmtime_r(&sec, &tm);
	n = strftime(buf, sz, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sz - n, ".%06uZ", (unsigned int)(ns % 1000000000 / 1000));
}

/* The owner process of @prog_id to name in journal entries: its first
 * holder other than bpf-stream, 0 when none. */
static int owner_pid(__u32 prog_id)
{
	const struct prog_owner *own;
	struct owner_map om = {};
	int i, pid = 0;

	for (i = 0; i < nr_owner_cache; i++)
		if (owner_cache[i].prog_id == prog_id)
			return owner_cache[i].pid;
	if (!owner_map_scan(&om) && owner_map_find(&om, prog_id, &own))
		pid = own->pid;
	owner_map_free(&om);
	i = nr_owner_cache < OWNER_CACHE ? nr_owner_cache++ : (int)(prog_id % OWNER_CACHE);
	owner_cache[i].prog_id = prog_id;
	owner_cache[i].pid = pid;
	return pid;
}

static const char *journal_hint(int err)
{
	if (err == -ENOENT || err == -ECONNREFUSED)
		return ": is systemd-journald running (" JOURNAL_SOCKET ")?";
	return "";
}

static int journal_err(struct out_ctx *o, int err)
{
	if (!o->err)
		o->err = err;
	return err;
}

int out_init(struct out_ctx *o)
{
	bool tty = isatty(STDOUT_FILENO);

	memset(o, 0, sizeof(*o));
	if (journal_output && !bpf_stream_journal_supported())
		return p_err(EXIT_FAIL, "--journal: this bpf-stream was built without libsystemd "
			     "(Debian: libsystemd-dev; %s)", strerror(EOPNOTSUPP));
	/* libsystemd drops entries silently when the socket is missing: say
	 * so once, at the start, rather than lose every line */
	if (journal_output && access(JOURNAL_SOCKET, W_OK))
		return p_err(EXIT_IOERR, "--journal: %s: %s: is systemd-journald running?",
			     JOURNAL_SOCKET, strerror(errno));
	switch (color_mode) {
	case COLOR_ALWAYS:
		use_color = true;
		break;
	case COLOR_NEVER:
		use_color = false;
		break;
	default: {
		const char *term = getenv("TERM");

		use_color = tty && !getenv("NO_COLOR") && !(term && !strcmp(term, "dumb"));
		break;
	}
	}
	/* a program must not drive the terminal of whoever reads its stream */
	use_escape = tty && !raw_output;
	return EXIT_OK;
}

struct bpf_stream_reader *out_reader_new(struct out_ctx *o, bool waits)
{
	LIBBPF_OPTS(bpf_stream_reader_opts, ropts);

	/* with a report callback the reader runs stderr through its report
	 * parser and flags report lines BPF_STREAM_MSG_F_KERNEL */
	ropts.report_fn = out_report;
	ropts.report_ctx = o;
	/* idle_max_ms left 0: the library's cap (200 ms), raised for a cycle
	 * that costs more (following 1,000 programs), see libbpf_stream.h */
	/* objects built with BPF_STREAM_TIMESTAMP: the lines of all programs
	 * and streams read in one cycle in the order they were written
	 * (unstamped lines keep their stream's order); --arrival-order: each
	 * stream's lines as read, without the copy the merge costs */
	ropts.order_by_time = !arrival_order;
	/* a reader that waits (follow): a SIGINT/SIGTERM that
	 * comes while a cycle runs ends the next wait at once, so follow can
	 * wait long between its rescans and still stop within 100 ms */
	ropts.mask_signals = waits;
	/* another process's programs: read along (ring) or refuse (native)
	 * unless told to take them over */
	ropts.take_over = steal_streams;
	return bpf_stream_reader__new(out_msg, o, &ropts);
}

void out_fini(struct out_ctx *o)
{
	if (fflush(stdout) && !o->err)
		o->err = -errno;
}

int out_err_status(int err)
{
	if (journal_output)
		return p_err(EXIT_IOERR, "sending to the journal: %s%s", strerror(-err),
			     journal_hint(err));
	if (err == -EPIPE)
		return EXIT_IOERR;
	return p_err(EXIT_IOERR, "writing output: %s", strerror(-err));
}

static const char *msg_name(const struct out_ctx *o, __u32 id, const char *name)
{
	if (name && name[0])
		return name;
	if (o && (!id || id == o->prog_id) && o->prog_name)
		return o->prog_name;
	return "";
}

static __u32 msg_id(const struct out_ctx *o, __u32 id)
{
	return id ? id : o ? o->prog_id : 0;
}

/* ---- JSON form ------------------------------------------------------------ */

static void json_flags(__u32 flags)
{
	jsonw_name(&json_wtr, "flags");
	jsonw_start_array(&json_wtr);
	if (flags & BPF_STREAM_MSG_F_PARTIAL)
		jsonw_string(&json_wtr, "partial");
	if (flags & BPF_STREAM_MSG_F_UNTERMINATED)
		jsonw_string(&json_wtr, "unterminated");
	if (flags & BPF_STREAM_MSG_F_TRUNCATED)
		jsonw_string(&json_wtr, "truncated");
	if (flags & BPF_STREAM_MSG_F_DROP_NOTICE)
		jsonw_string(&json_wtr, "dropped");
	if (flags & BPF_STREAM_MSG_F_KERNEL)
		jsonw_string(&json_wtr, "kernel");
	if (flags & BPF_STREAM_MSG_F_WRITER_UNKNOWN)
		jsonw_string(&json_wtr, "writer_unknown");
	if (flags & BPF_STREAM_MSG_F_OVERSIZE)
		jsonw_string(&json_wtr, "oversize");
	jsonw_end_array(&json_wtr);
}

static void json_text(const char *text, size_t len)
{
	jsonw_name(&json_wtr, "text");
	jsonw_string_len(&json_wtr, text, len);
	if (!json_utf8_valid(text, len)) {
		/* "text" has U+FFFD for bad bytes: give the exact bytes too */
		static const char hex[] = "0123456789abcdef";
		char *h = malloc(2 * len + 1);
		size_t i;

		if (!h)
			return;
		for (i = 0; i < len; i++) {
			h[2 * i] = hex[(unsigned char)text[i] >> 4];
			h[2 * i + 1] = hex[(unsigned char)text[i] & 0xf];
		}
		h[2 * len] = '\0';
		jsonw_string_field(&json_wtr, "text_hex", h);
		free(h);
	}
}

static int json_msg(struct out_ctx *o, const struct bpf_stream_msg *m)
{
	jsonw_start_object(&json_wtr);
	jsonw_uint_field(&json_wtr, "prog_id", msg_id(o, m->prog_id));
	jsonw_string_field(&json_wtr, "prog_name", msg_name(o, m->prog_id, m->prog_name));
	jsonw_string_field(&json_wtr, "stream", stream_str(m->stream_id));
	json_text(m->text, m->len);
	if (m->ts_ns)
		jsonw_uint_field(&json_wtr, "ts_ns", m->ts_ns);
	if (m->ts_ns || timestamps) {
		char rt[64];

		/* converted from the BPF side's stamp, else (--timestamps)
		 * the time bpf-stream read the line */
		out_realtime(m->ts_ns, rt, sizeof(rt));
		jsonw_string_field(&json_wtr, "ts_realtime", rt);
		jsonw_string_field(&json_wtr, "ts_source", m->ts_ns ? "bpf" : "read");
	}
	json_flags(m->flags);
	if (m->flags & BPF_STREAM_MSG_F_DROP_NOTICE)
		jsonw_uint_field(&json_wtr, "dropped", m->dropped);
	/* prog_id/prog_name name the first of the programs that may have written it */
	if (m->flags & BPF_STREAM_MSG_F_WRITER_UNKNOWN)
		jsonw_bool_field(&json_wtr, "writer_unknown", true);
	jsonw_end_object(&json_wtr);
	return json_wtr.err ? -EIO : 0;
}

static void json_int_or_null(const char *name, int v)
{
	jsonw_name(&json_wtr, name);
	if (v < 0)
		jsonw_null(&json_wtr);
	else
		jsonw_int(&json_wtr, v);
}

int out_report(void *ctx, const struct bpf_stream_report *r)
{
	struct out_ctx *o = ctx;
	__u32 i;

	if (journal_output) {
		LIBBPF_OPTS(bpf_stream_journal_opts, jopts);
		struct bpf_stream_report copy = *r;
		int err;

		copy.prog_id = msg_id(o, r->prog_id);
		copy.prog_name = msg_name(o, r->prog_id, r->prog_name);
		jopts.owner_pid = owner_pid(copy.prog_id);
		err = bpf_stream_journal_report(&jopts, &copy);
		return err ? journal_err(o, err) : 0;
	}
	if (!json_output)
		return 0;
	jsonw_start_object(&json_wtr);
	jsonw_uint_field(&json_wtr, "prog_id", msg_id(o, r->prog_id));
	jsonw_string_field(&json_wtr, "prog_name", msg_name(o, r->prog_id, r->prog_name));
	/* a bpf_stream_print_stack() stack may come on stdout */
	jsonw_string_field(&json_wtr, "stream", stream_str(r->stream_id ? r->stream_id : BPF_STDERR));
	json_text(r->message ? r->message : "", r->message ? strlen(r->message) : 0);
	json_flags(BPF_STREAM_MSG_F_KERNEL | (r->truncated ? BPF_STREAM_MSG_F_TRUNCATED : 0));
	jsonw_string_field(&json_wtr, "kind", bpf_stream_report_kind_str(r->kind));
	jsonw_string_field(&json_wtr, "message", r->message ? r->message : "");
	json_int_or_null("cpu", r->cpu);
	json_int_or_null("uid", r->uid);
	json_int_or_null("pid", r->pid);
	jsonw_string_field(&json_wtr, "comm", r->comm); /* null when absent */
	switch (r->kind) {
	case BPF_STREAM_REPORT_ARENA_FAULT:
		jsonw_string_field(&json_wtr, "access", r->arena_write ? "write" : "read");
		jsonw_uint_field(&json_wtr, "addr", r->addr);
		break;
	case BPF_STREAM_REPORT_RES_SPIN_DEADLOCK:
	case BPF_STREAM_REPORT_RES_SPIN_TIMEOUT:
		jsonw_bool_field(&json_wtr, "irqsave", r->irqsave);
		jsonw_uint_field(&json_wtr, "addr", r->addr);
		jsonw_uint_field(&json_wtr, "nr_held_locks", r->nr_held_locks);
		jsonw_name(&json_wtr, "held_locks");
		jsonw_start_array(&json_wtr);
		for (i = 0; i < r->nr_held_listed && r->held_locks; i++)
			jsonw_uint(&json_wtr, r->held_locks[i]);
		jsonw_end_array(&json_wtr);
		break;
	default:
		break;
	}
	jsonw_name(&json_wtr, "frames");
	jsonw_start_array(&json_wtr);
	for (i = 0; i < r->nr_frames && r->frames; i++) {
		const struct bpf_stream_frame *f = &r->frames[i];

		jsonw_start_object(&json_wtr);
		jsonw_string_field(&json_wtr, "symbol", f->symbol ? f->symbol : "");
		jsonw_uint_field(&json_wtr, "offset", f->offset);
		jsonw_uint_field(&json_wtr, "size", f->size);
		jsonw_string_field(&json_wtr, "src", f->src);
		jsonw_string_field(&json_wtr, "file", f->file);
		jsonw_name(&json_wtr, "line");
		if (f->line)
			jsonw_uint(&json_wtr, f->line);
		else
			jsonw_null(&json_wtr);
		jsonw_end_object(&json_wtr);
	}
	jsonw_end_array(&json_wtr);
	jsonw_end_object(&json_wtr);
	if (json_wtr.err) {
		o->err = -EIO;
		return -EIO;
	}
	return 0;
}

/* ---- plain form ------------------------------------------------------------ */

static int plain_msg(struct out_ctx *o, const struct bpf_stream_msg *m)
{
	const char *color = NULL, *text = m->text;
	char stackbuf[1024], *heap = NULL;
	size_t len = m->len;
	const char *marks[4];
	int err = 0, nmarks = 0, i;

	if (m->flags & BPF_STREAM_MSG_F_DROP_NOTICE) {
		marks[nmarks++] = "dropped";
		color = COLOR_DROP;
		if (m->flags & BPF_STREAM_MSG_F_OVERSIZE)
			marks[nmarks++] = "oversize";
	} else if (m->flags & BPF_STREAM_MSG_F_KERNEL) {
		marks[nmarks++] = "kernel";
		color = COLOR_KERNEL;
	} else if (m->stream_id == BPF_STDERR) {
		color = COLOR_STDERR;
	}
	if (m->flags & BPF_STREAM_MSG_F_TRUNCATED)
		marks[nmarks++] = "truncated";
	/* the program named is the first of those whose code has the call site */
	if (m->flags & BPF_STREAM_MSG_F_WRITER_UNKNOWN)
		marks[nmarks++] = "writer_unknown";

	if (use_escape) {
		size_t need = bpf_stream_escape(stackbuf, sizeof(stackbuf), m->text, m->len);

		if (need >= sizeof(stackbuf)) {
			heap = malloc(need + 1);
			if (!heap)
				return -ENOMEM;
			bpf_stream_escape(heap, need + 1, m->text, m->len);
			text = heap;
		} else {
			text = stackbuf;
		}
		len = need;
	}

	if (timestamps) {
		char rt[64];

		out_realtime(m->ts_ns, rt, sizeof(rt));
		printf("%s%s ", rt, m->ts_ns ? "" : "(read)");
	}
	if (use_color && color)
		fputs(color, stdout);
	if (!no_prefix) {
		printf("[%u:%s:%s", msg_id(o, m->prog_id), msg_name(o, m->prog_id, m->prog_name),
		       stream_str(m->stream_id));
		for (i = 0; i < nmarks; i++)
			printf(":%s", marks[i]);
		fputs("] ", stdout);
	} else if (nmarks) {
		for (i = 0; i < nmarks; i++)
			printf("%s%s", i ? ":" : "[", marks[i]);
		fputs("] ", stdout);
	}
	if (len && fwrite(text, 1, len, stdout) != len)
		err = -errno;
	if (use_color && color)
		fputs(COLOR_RESET, stdout);
	if (putchar('\n') == EOF)
		err = -errno;
	free(heap);
	return err;
}

static int journal_msg(struct out_ctx *o, const struct bpf_stream_msg *m)
{
	LIBBPF_OPTS(bpf_stream_journal_opts, jopts);
	struct bpf_stream_msg copy = *m;

	/* one entry per kernel report (out_report), not one per line */
	jopts.skip_kernel_lines = true;
	copy.prog_id = msg_id(o, m->prog_id);
	copy.prog_name = msg_name(o, m->prog_id, m->prog_name);
	jopts.owner_pid = owner_pid(copy.prog_id);
	return bpf_stream_journal_print(&jopts, &copy);
}

int out_msg(void *ctx, const struct bpf_stream_msg *msg)
{
	struct out_ctx *o = ctx;
	int err;

	if (journal_output) {
		err = journal_msg(o, msg);
		if (err)
			return journal_err(o, err);
		o->lines++;
		return 0;
	}

	/* JSON: one structured object per report (out_report) instead of its lines */
	if (json_output && (msg->flags & BPF_STREAM_MSG_F_KERNEL))
		return 0;
	err = json_output ? json_msg(o, msg) : plain_msg(o, msg);
	if (err) {
		if (!o->err)
			o->err = err ? err : -EIO;
		return err;
	}
	o->lines++;
	return 0;
}

int out_consume(struct out_ctx *o, struct bpf_stream_reader *r)
{
	int i, n;

	/* the second cycle finds no new bytes and so delivers a line still
	 * waiting for its '\n' (UNTERMINATED) */
	for (i = 0; i < 2; i++) {
		n = bpf_stream_reader__consume(r);
		if (o->err)
			return out_err_status(o->err);
		if (n < 0 && n != -EINTR)
			return p_err_errno(n, "reading streams");
	}
	return EXIT_OK;
}
