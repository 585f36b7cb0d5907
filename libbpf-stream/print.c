// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Ready-made message callbacks that print lines to a FILE:
 *
 *   [prog_name:stdout] text
 *   [prog_name:stdout:writer_unknown] text   (BPF_STREAM_MSG_F_WRITER_UNKNOWN)
 *
 * stderr lines are red and drop notices yellow when colour is on; control
 * bytes and malformed UTF-8 are escaped (bpf_stream_escape) when the output
 * is a terminal, so a BPF program cannot drive the terminal of whoever
 * reads its output. A printer joins the pieces of a long line (flagged
 * PARTIAL) back into one output line; bpf_stream_print_msg(), which keeps no
 * state, prints every piece on a line of its own.
 */
#include <stdlib.h>
#include <unistd.h>
#include "stream_internal.h"

#define COLOR_STDERR "\033[31m"
#define COLOR_NOTICE "\033[33m"
#define COLOR_RESET "\033[0m"

struct bpf_stream_printer {
	FILE *out;
	bool prefix, color, escape;
	/* a PARTIAL piece was printed without its newline */
	bool open_line;
	__u32 open_prog_id, open_stream_id;
	char *buf;
	size_t cap;
};

static bool decide(enum bpf_stream_when w, FILE *out)
{
	int fd;

	if (w == BPF_STREAM_WHEN_ALWAYS)
		return true;
	if (w == BPF_STREAM_WHEN_NEVER)
		return false;
	fd = fileno(out);
	return fd >= 0 && isatty(fd);
}

static void printer_init(struct bpf_stream_printer *p, FILE *out,
			 const struct bpf_stream_printer_opts *opts)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->prefix = !OPTS_GET(opts, no_prefix, false);
	p->color = decide(OPTS_GET(opts, color, BPF_STREAM_WHEN_AUTO), out);
	p->escape = decide(OPTS_GET(opts, escape, BPF_STREAM_WHEN_AUTO), out);
}

struct bpf_stream_printer *bpf_stream_printer__new(FILE *out,
						   const struct bpf_stream_printer_opts *opts)
{
	struct bpf_stream_printer *p;

	if (!out || !OPTS_VALID(opts, bpf_stream_printer_opts))
		return bs_err_ptr(-EINVAL);
	p = malloc(sizeof(*p));
	if (!p)
		return bs_err_ptr(-ENOMEM);
	printer_init(p, out, opts);
	return p;
}

void bpf_stream_printer__free(struct bpf_stream_printer *p)
{
	if (!p)
		return;
	if (p->open_line)
		fputc('\n', p->out);
	free(p->buf);
	free(p);
}

/* Write text, escaped if the printer escapes. */
static int put_text(struct bpf_stream_printer *p, const char *s, size_t len, char *stack_buf,
		    size_t stack_sz)
{
	size_t need;
	char *b = stack_buf;

	if (!p->escape)
		return fwrite(s, 1, len, p->out) == len ? 0 : -EIO;
	need = bpf_stream_escape(stack_buf, stack_sz, s, len);
	if (need >= stack_sz) {
		if (need + 1 > p->cap) {
			char *n = realloc(p->buf, need + 1);

			if (!n)
				return -ENOMEM;
			p->buf = n;
			p->cap = need + 1;
		}
		b = p->buf;
		bpf_stream_escape(b, p->cap, s, len);
	}
	return fwrite(b, 1, need, p->out) == need ? 0 : -EIO;
}

static int print_msg(struct bpf_stream_printer *p, const struct bpf_stream_msg *msg)
{
	bool cont = p->open_line && p->open_prog_id == msg->prog_id &&
		    p->open_stream_id == msg->stream_id;
	const char *color = NULL;
	char sbuf[512];
	int err = 0;

	if (p->open_line && !cont)
		fputc('\n', p->out); /* another stream interrupts a long line */
	if (p->color) {
		if (msg->flags & BPF_STREAM_MSG_F_DROP_NOTICE)
			color = COLOR_NOTICE;
		else if (msg->stream_id == BPF_STDERR)
			color = COLOR_STDERR;
	}
	if (color)
		fputs(color, p->out);
	if (p->prefix && !cont) {
		const char *name = msg->prog_name && msg->prog_name[0] ? msg->prog_name : NULL;

		fputc('[', p->out);
		if (name)
			err = put_text(p, name, strlen(name), sbuf, sizeof(sbuf));
		else
			fprintf(p->out, "%u", msg->prog_id);
		fprintf(p->out, ":%s%s] ", bs_stream_name(msg->stream_id),
			msg->flags & BPF_STREAM_MSG_F_WRITER_UNKNOWN ? ":writer_unknown" : "");
	}
	if (!err)
		err = put_text(p, msg->text, msg->len, sbuf, sizeof(sbuf));
	if (color)
		fputs(COLOR_RESET, p->out);
	p->open_line = (msg->flags & BPF_STREAM_MSG_F_PARTIAL);
	p->open_prog_id = msg->prog_id;
	p->open_stream_id = msg->stream_id;
	if (!p->open_line)
		fputc('\n', p->out);
	if (!err && ferror(p->out))
		err = -EIO;
	return err;
}

int bpf_stream_printer__print(void *printer, const struct bpf_stream_msg *msg)
{
	struct bpf_stream_printer *p = printer;

	if (!p || !msg || !msg->text)
		return bs_err(-EINVAL);
	return bs_err(print_msg(p, msg));
}

int bpf_stream_print_msg(void *file, const struct bpf_stream_msg *msg)
{
	struct bpf_stream_printer p;
	struct bpf_stream_msg one;
	int err;

	if (!file || !msg || !msg->text)
		return bs_err(-EINVAL);
	printer_init(&p, file, NULL);
	one = *msg;
	one.flags &= ~(__u32)BPF_STREAM_MSG_F_PARTIAL; /* no state: a line per piece */
	err = print_msg(&p, &one);
	free(p.buf);
	return bs_err(err);
}
