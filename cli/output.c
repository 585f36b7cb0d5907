// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Printing stream messages: the plain form ("[id:name:stream] text", colour
 * and terminal escaping) and the JSON form (one object per message, kernel
 * reports as one object with their structured fields).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "main.h"

#define COLOR_STDERR "\033[31m"		/* red */
#define COLOR_KERNEL "\033[1;35m"	/* bold magenta */
#define COLOR_DROP "\033[1;33m"		/* bold yellow */
#define COLOR_RESET "\033[0m"

static bool use_color;
static bool use_escape;

int out_init(struct out_ctx *o)
{
	bool tty = isatty(STDOUT_FILENO);

	memset(o, 0, sizeof(*o));
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

struct bpf_stream_reader *out_reader_new(struct out_ctx *o, int idle_max_ms)
{
	LIBBPF_OPTS(bpf_stream_reader_opts, ropts);

	/* with a report callback the reader runs stderr through its report
	 * parser and flags report lines BPF_STREAM_MSG_F_KERNEL */
	ropts.report_fn = out_report;
	ropts.report_ctx = o;
	ropts.idle_max_ms = idle_max_ms;
	/* objects built with BPF_STREAM_TIMESTAMP: stdout and stderr in the
	 * order they were written (unstamped lines keep their stream's order) */
	ropts.order_by_time = true;
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

	if (!json_output)
		return 0;
	jsonw_start_object(&json_wtr);
	jsonw_uint_field(&json_wtr, "prog_id", msg_id(o, r->prog_id));
	jsonw_string_field(&json_wtr, "prog_name", msg_name(o, r->prog_id, r->prog_name));
	jsonw_string_field(&json_wtr, "stream", "stderr");
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
	const char *marks[3];
	int err = 0, nmarks = 0, i;

	if (m->flags & BPF_STREAM_MSG_F_DROP_NOTICE) {
		marks[nmarks++] = "dropped";
		color = COLOR_DROP;
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

int out_msg(void *ctx, const struct bpf_stream_msg *msg)
{
	struct out_ctx *o = ctx;
	int err;

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
