// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Printers and terminal escaping. Output bytes are checked exactly: to a
 * memory stream (not a terminal) and, for the "auto" case, to a pty from
 * openpty() whose other end the test reads back.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pty.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>
#include "cons_helpers.h"

TestSuite(print);

static void esc_eq(const char *in, size_t len, const char *want)
{
	char out[256];
	size_t n = bpf_stream_escape(out, sizeof(out), in, len);

	cr_assert_str_eq(out, want, "escape(%zu bytes)", len);
	cr_assert_eq(n, strlen(want));
}

Test(print, escape_controls)
{
	esc_eq("plain text\t ok", 14, "plain text\t ok");
	esc_eq("\x1b[2J\x1b[H", 7, "\\x1b[2J\\x1b[H");		/* CSI: clear, home */
	esc_eq("\x1b]0;owned\x07", 10, "\\x1b]0;owned\\x07");	/* OSC retitle + BEL */
	esc_eq("a\rb", 3, "a\\x0db");
	esc_eq("\x7f", 1, "\\x7f");
	esc_eq("x\0y", 3, "x\\x00y");
	esc_eq("\n", 1, "\\x0a");
}

Test(print, escape_utf8)
{
	esc_eq("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	esc_eq("\xc2\x9b" "31m", 5, "\\xc2\\x9b31m");		/* C1 CSI in UTF-8 */
	esc_eq("\x9b", 1, "\\x9b");				/* raw C1 byte */
	esc_eq("\xc0\xaf", 2, "\\xc0\\xaf");			/* overlong '/' */
	esc_eq("\xed\xa0\x80", 3, "\\xed\\xa0\\x80");		/* surrogate */
	esc_eq("\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80");	/* > U+10FFFF */
	esc_eq("\xe2\x82", 2, "\\xe2\\x82");			/* cut sequence */
	esc_eq("\xc2\xa0", 2, "\xc2\xa0");			/* U+00A0 is printable */
}

Test(print, escape_is_snprintf_like)
{
	char out[8];
	size_t n;

	n = bpf_stream_escape(out, sizeof(out), "abcdefghij", 10);
	cr_assert_eq(n, 10);
	cr_assert_str_eq(out, "abcdefg");
	n = bpf_stream_escape(out, sizeof(out), "abcde\x1b", 6);
	cr_assert_eq(n, 9);
	cr_assert_str_eq(out, "abcde", "an escape is never cut in half");
	cr_assert_eq(bpf_stream_escape(NULL, 0, "\x1b", 1), 4);
	out[0] = 'z';
	cr_assert_eq(bpf_stream_escape(out, 1, "ab", 2), 2);
	cr_assert_eq(out[0], '\0');
}

static char *print_with(const struct bpf_stream_printer_opts *opts,
			const struct bpf_stream_msg *msgs, int n)
{
	struct bpf_stream_printer *p;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int i;

	p = bpf_stream_printer__new(f, opts);
	cr_assert_not_null(p);
	for (i = 0; i < n; i++)
		cr_assert_eq(bpf_stream_printer__print(p, &msgs[i]), 0);
	bpf_stream_printer__free(p);
	fclose(f);
	return buf;
}

#define MSG(id, name, sid, t, fl) \
	{ .prog_id = id, .prog_name = name, .stream_id = sid, .text = t, .len = sizeof(t) - 1, .flags = fl }

Test(print, prefix_and_plain_output_when_not_a_tty)
{
	struct bpf_stream_msg msgs[] = {
		MSG(1, "prog_a", BPF_STDOUT, "hello", 0),
		MSG(2, "", BPF_STDERR, "oops \x1b[31m", 0),
	};
	char *out = print_with(NULL, msgs, 2);

	/* a memory stream is no terminal: auto means no colour, no escaping */
	cr_assert_str_eq(out, "[prog_a:stdout] hello\n[2:stderr] oops \x1b[31m\n");
	free(out);
}

/* A line whose writer cannot be told (a call site several programs share)
 * keeps that said in its prefix; its text is untouched. */
Test(print, writer_unknown_is_marked_in_the_prefix)
{
	struct bpf_stream_msg msgs[] = {
		MSG(1, "prog_a", BPF_STDOUT, "shared 2", BPF_STREAM_MSG_F_WRITER_UNKNOWN),
		MSG(1, "prog_a", BPF_STDOUT, "own a", 0),
	};
	char *out = print_with(NULL, msgs, 2);

	cr_assert_str_eq(out, "[prog_a:stdout:writer_unknown] shared 2\n[prog_a:stdout] own a\n");
	free(out);
}

Test(print, forced_colour_escape_no_prefix)
{
	LIBBPF_OPTS(bpf_stream_printer_opts, opts, .no_prefix = true,
		    .color = BPF_STREAM_WHEN_ALWAYS, .escape = BPF_STREAM_WHEN_ALWAYS);
	struct bpf_stream_msg msgs[] = {
		MSG(1, "p", BPF_STDOUT, "out\x07", 0),
		MSG(1, "p", BPF_STDERR, "err", 0),
		MSG(1, "p", BPF_STDERR, "[2 messages dropped on stderr]", BPF_STREAM_MSG_F_DROP_NOTICE),
	};
	char *out = print_with(&opts, msgs, 3);

	cr_assert_str_eq(out, "out\\x07\n\x1b[31merr\x1b[0m\n"
			      "\x1b[33m[2 messages dropped on stderr]\x1b[0m\n");
	free(out);
}

Test(print, partial_pieces_join_into_one_line)
{
	struct bpf_stream_msg msgs[] = {
		MSG(1, "p", BPF_STDOUT, "aaa", BPF_STREAM_MSG_F_PARTIAL),
		MSG(1, "p", BPF_STDOUT, "bbb", BPF_STREAM_MSG_F_PARTIAL),
		MSG(1, "p", BPF_STDOUT, "c", 0),
		MSG(1, "p", BPF_STDOUT, "xx", BPF_STREAM_MSG_F_PARTIAL),
		MSG(2, "q", BPF_STDOUT, "other", 0),
	};
	char *out = print_with(NULL, msgs, 5);

	cr_assert_str_eq(out, "[p:stdout] aaabbbc\n[p:stdout] xx\n[q:stdout] other\n");
	free(out);
}

Test(print, print_msg_callback_and_errors)
{
	struct bpf_stream_msg m = MSG(3, "n", BPF_STDERR, "line", 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct {
		struct bpf_stream_printer_opts o;
		long tail;
	} big = { .o.sz = sizeof(big), .tail = 1 };

	cr_assert_eq(bpf_stream_print_msg(f, &m), 0);
	fclose(f);
	cr_assert_str_eq(buf, "[n:stderr] line\n");
	free(buf);
	cr_assert_eq(bpf_stream_print_msg(NULL, &m), -EINVAL);
	m.text = NULL;
	cr_assert_eq(bpf_stream_print_msg(stderr, &m), -EINVAL, "NULL text is refused");
	cr_assert_null(bpf_stream_printer__new(NULL, NULL));
	cr_assert_eq(errno, EINVAL);
	cr_assert_null(bpf_stream_printer__new(stderr, &big.o));
	bpf_stream_printer__free(NULL);
}

Test(print, write_error_is_reported)
{
	struct bpf_stream_msg m = MSG(3, "n", BPF_STDOUT, "line", 0);
	FILE *f = fopen("/dev/full", "w");

	if (!f)
		cr_skip_test("/dev/full is missing");
	setvbuf(f, NULL, _IONBF, 0);
	cr_assert_lt(bpf_stream_print_msg(f, &m), 0);
	fclose(f);
}

/* auto: a pty is a terminal, so escaping and colour switch on by themselves */
Test(print, auto_escapes_on_a_terminal)
{
	struct bpf_stream_msg msgs[] = {
		MSG(1, "p", BPF_STDOUT, "\x1b]0;title\x07", 0),
		MSG(1, "p", BPF_STDERR, "e\r", 0),
	};
	const char *want = "[p:stdout] \\x1b]0;title\\x07\n\x1b[31m[p:stderr] e\\x0d\x1b[0m\n";
	struct termios tio;
	int master, slave;
	char got[256];
	size_t n = 0;
	ssize_t r;
	FILE *f;

	if (openpty(&master, &slave, NULL, NULL, NULL))
		cr_skip_test("openpty failed: %s", strerror(errno));
	/* raw: no "\n" -> "\r\n" translation, so bytes arrive as written */
	tcgetattr(slave, &tio);
	cfmakeraw(&tio);
	tcsetattr(slave, TCSANOW, &tio);
	f = fdopen(slave, "w");
	struct bpf_stream_printer *p = bpf_stream_printer__new(f, NULL);

	cr_assert_eq(bpf_stream_printer__print(p, &msgs[0]), 0);
	cr_assert_eq(bpf_stream_printer__print(p, &msgs[1]), 0);
	bpf_stream_printer__free(p);
	fflush(f);
	fcntl(master, F_SETFL, O_NONBLOCK);
	while (n < strlen(want)) {
		r = read(master, got + n, sizeof(got) - 1 - n);
		if (r <= 0)
			break;
		n += r;
	}
	got[n] = '\0';
	cr_assert_str_eq(got, want);
	fclose(f);
	close(master);
}
