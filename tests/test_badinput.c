// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Bad-input matrix (issue 8, hardening): every exported function, called
 * with each invalid argument that applies to it:
 *   NULL pointers, a closed fd, the fd of another BPF object type (a map),
 *   the fd of a regular file, stream ids 0, 3 and 0xffffffff, zero and huge
 *   lengths, opts with a larger sz and a non-zero tail, opts with sz too
 *   small, out-of-range enums and stream masks, an object not loaded yet,
 *   an object never prepared.
 * Each call must return a negative errno with errno set to the same value
 * (or NULL with errno set), must not crash, and must not write anything to
 * stdout: fd 1 is redirected to a memfd around every call and checked empty.
 * Where the API documents the errno it is checked exactly; elsewhere any
 * negative errno that matches errno is accepted ("ANY").
 * A freed-then-reused reader cannot be tested safely; NULL stands in for it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "libbpf_stream.h"
#include "kernel_probe.h"
#include "hardening_soak.skel.h"

#define ANY (-1)	/* any errno, as long as ret == -errno */
#define CLOSED_FD 1017

static int prog_fd = -1, map_fd = -1, file_fd = -1;
static int out_fd = -1, saved_stdout = -1;

/* ---- stdout capture ------------------------------------------------------ */

static void stdout_begin(void)
{
	fflush(stdout);
	cr_assert_eq(ftruncate(out_fd, 0), 0);
	cr_assert_eq(lseek(out_fd, 0, SEEK_SET), 0);
	cr_assert_eq(dup2(out_fd, STDOUT_FILENO), STDOUT_FILENO);
}

static void stdout_end(const char *what)
{
	char buf[256] = "";
	off_t n;

	fflush(stdout);
	cr_assert_eq(dup2(saved_stdout, STDOUT_FILENO), STDOUT_FILENO);
	n = lseek(out_fd, 0, SEEK_END);
	if (n > 0 && pread(out_fd, buf, sizeof(buf) - 1, 0) < 0)
		buf[0] = '\0';
	cr_assert_eq(n, 0, "%s wrote %lld bytes to stdout: '%s'", what, (long long)n, buf);
}

static void check_int(const char *what, int ret, int err, int want)
{
	cr_assert_lt(ret, 0, "%s: returned %d, expected an error", what, ret);
	cr_assert_eq(err, -ret, "%s: returned %d but errno is %d", what, ret, err);
	if (want != ANY)
		cr_assert_eq(ret, -want, "%s: returned %d (%s), expected %d (%s)", what, ret,
			     strerror(-ret), -want, strerror(want));
}

static void check_ptr(const char *what, const void *ret, int err, int want)
{
	cr_assert_null(ret, "%s: returned %p, expected NULL", what, ret);
	cr_assert_gt(err, 0, "%s: NULL without errno", what);
	if (want != ANY)
		cr_assert_eq(err, want, "%s: errno %d (%s), expected %d (%s)", what, err,
			     strerror(err), want, strerror(want));
}

/* Call, capture stdout, check a negative errno. */
#define BAD_INT(want, expr)                                           \
	do {                                                          \
		int r_, e_;                                           \
		stdout_begin();                                       \
		errno = 0;                                            \
		r_ = (expr);                                          \
		e_ = errno;                                           \
		stdout_end(#expr);                                    \
		check_int(#expr, r_, e_, want);                       \
	} while (0)

#define BAD_PTR(want, expr)                                           \
	do {                                                          \
		const void *p_;                                       \
		int e_;                                               \
		stdout_begin();                                       \
		errno = 0;                                            \
		p_ = (expr);                                          \
		e_ = errno;                                           \
		stdout_end(#expr);                                    \
		check_ptr(#expr, p_, e_, want);                       \
	} while (0)

/* A call that must simply be harmless (void functions, NULL frees). */
#define QUIET(expr)                                                   \
	do {                                                          \
		stdout_begin();                                       \
		expr;                                                 \
		stdout_end(#expr);                                    \
	} while (0)

/* ---- fixtures ---------------------------------------------------------- */

static int msg_fn(void *ctx, const struct bpf_stream_msg *msg)
{
	if (ctx)
		(*(int *)ctx)++;
	return 0;
}

static int report_fn(void *ctx, const struct bpf_stream_report *r)
{
	return 0;
}

static int quiet_print(enum bpf_stream_print_level level, const char *fmt, va_list args)
{
	return 0;
}

static void setup(void)
{
	/* r0 = 0; exit */
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char path[] = "/tmp/bs-badinput-XXXXXX";

	/* diagnostics go to stderr anyway; keep the log readable */
	bpf_stream_set_print(quiet_print);
	libbpf_set_print(NULL);
	prog_fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "bad_input", "GPL", insns, 2, NULL);
	cr_assert_geq(prog_fd, 0, "load a trivial program: %s", strerror(errno));
	map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bad_input", 4, 4, 1, NULL);
	cr_assert_geq(map_fd, 0, "create a map: %s", strerror(errno));
	file_fd = mkstemp(path);
	cr_assert_geq(file_fd, 0);
	unlink(path);
	cr_assert_eq(write(file_fd, "not a bpf object\n", 17), 17);
	close(CLOSED_FD);
	cr_assert_eq(fcntl(CLOSED_FD, F_GETFD), -1, "fd %d must stay closed", CLOSED_FD);
	out_fd = memfd_create("stdout-capture", 0);
	cr_assert_geq(out_fd, 0);
	saved_stdout = dup(STDOUT_FILENO);
	cr_assert_geq(saved_stdout, 0);
}

static void teardown(void)
{
	if (prog_fd >= 0)
		close(prog_fd);
	if (map_fd >= 0)
		close(map_fd);
	if (file_fd >= 0)
		close(file_fd);
}

TestSuite(badinput, .init = setup, .fini = teardown, .timeout = 60);

/* the fds every fd-taking function must refuse, with their errno */
struct bad_fd {
	const char *what;
	int fd;
	int err;
};

static void bad_fds(struct bad_fd out[5])
{
	out[0] = (struct bad_fd){ "closed fd", CLOSED_FD, EBADF };
	out[1] = (struct bad_fd){ "fd -1", -1, EBADF };
	out[2] = (struct bad_fd){ "map fd", map_fd, EINVAL };
	out[3] = (struct bad_fd){ "regular file fd", file_fd, EINVAL };
	out[4] = (struct bad_fd){ "stdin-like fd 0 (not a program)", 0, ANY };
}

static const __u32 bad_ids[] = { 0, 3, 0xffffffffU };

/* ---- raw reads ---------------------------------------------------------- */

Test(badinput, read)
{
	struct bad_fd fds[5];
	char buf[64];
	int i;

	KP_NEED_STREAM_READ();
	bad_fds(fds);
	for (i = 0; i < 5; i++) {
		cr_log_info("bpf_stream_read: %s", fds[i].what);
		BAD_INT(fds[i].err, bpf_stream_read(fds[i].fd, BPF_STDOUT, buf, sizeof(buf)));
	}
	for (i = 0; i < 3; i++)
		BAD_INT(ENOENT, bpf_stream_read(prog_fd, bad_ids[i], buf, sizeof(buf)));
	/* NULL with a length: refused before the kernel sees it */
	BAD_INT(EFAULT, bpf_stream_read(prog_fd, BPF_STDOUT, NULL, 16));
	BAD_INT(EFAULT, bpf_stream_read(prog_fd, BPF_STDERR, NULL, 0xffffffffU));
	/* zero length and NULL: a valid empty read */
	stdout_begin();
	cr_assert_eq(bpf_stream_read(prog_fd, BPF_STDOUT, NULL, 0), 0);
	stdout_end("read(NULL, 0)");
	/* huge length on an empty stream: clamped, nothing copied */
	stdout_begin();
	cr_assert_eq(bpf_stream_read(prog_fd, BPF_STDOUT, buf, 0xffffffffU), 0);
	stdout_end("read(buf, 0xffffffff)");
	/* a pointer the kernel cannot write: -EFAULT or an empty stream's 0 */
	stdout_begin();
	i = bpf_stream_read(prog_fd, BPF_STDOUT, (void *)16, 64);
	stdout_end("read((void *)16, 64)");
	cr_assert(i == 0 || (i == -EFAULT && errno == EFAULT), "bad pointer: %d", i);
}

Test(badinput, prog_stream_read_compat)
{
#ifdef LIBBPF_STREAM_PROVIDES_PROG_STREAM_READ
	struct {
		struct bpf_prog_stream_read_opts o;
		char tail[16];
	} big = { .o = { .sz = sizeof(big) } };
	struct bpf_prog_stream_read_opts tiny = { .sz = 1 };
	struct bad_fd fds[5];
	char buf[64];
	int i;

	KP_NEED_STREAM_READ();
	bad_fds(fds);
	for (i = 0; i < 5; i++)
		BAD_INT(fds[i].err, bpf_prog_stream_read(fds[i].fd, BPF_STDOUT, buf, 64, NULL));
	for (i = 0; i < 3; i++)
		BAD_INT(ENOENT, bpf_prog_stream_read(prog_fd, bad_ids[i], buf, 64, NULL));
	big.tail[7] = 1;
	BAD_INT(EINVAL, bpf_prog_stream_read(prog_fd, BPF_STDOUT, buf, 64, &big.o));
	BAD_INT(EINVAL, bpf_prog_stream_read(prog_fd, BPF_STDOUT, buf, 64, &tiny));
	BAD_INT(EFAULT, bpf_prog_stream_read(prog_fd, BPF_STDOUT, NULL, 64, NULL));
	/* a larger sz with a zero tail is fine */
	big.tail[7] = 0;
	stdout_begin();
	cr_assert_eq(bpf_prog_stream_read(prog_fd, BPF_STDOUT, buf, 64, &big.o), 0);
	stdout_end("bpf_prog_stream_read(zero tail)");
#else
	cr_skip_test("libbpf provides bpf_prog_stream_read itself");
#endif
}

/* ---- drain, iterator ------------------------------------------------------ */

Test(badinput, drain)
{
	struct bad_fd fds[5];
	int i, calls = 0;

	bad_fds(fds);
	for (i = 0; i < 5; i++) {
		cr_log_info("bpf_stream_drain: %s", fds[i].what);
		BAD_INT(fds[i].err, bpf_stream_drain(fds[i].fd, BPF_STDOUT, msg_fn, &calls));
	}
	for (i = 0; i < 3; i++)
		BAD_INT(ENOENT, bpf_stream_drain(prog_fd, bad_ids[i], msg_fn, &calls));
	BAD_INT(EINVAL, bpf_stream_drain(prog_fd, BPF_STDOUT, NULL, NULL));
	BAD_INT(EINVAL, bpf_stream_drain(CLOSED_FD, BPF_STDOUT, NULL, NULL));
	cr_assert_eq(calls, 0, "callback called on bad input");
}

Test(badinput, iterator)
{
	struct {
		struct bpf_stream_iter_opts o;
		char tail[16];
	} big = { .o = { .sz = sizeof(big) } };
	struct bpf_stream_iter_opts tiny = { .sz = 2 };
	struct bad_fd fds[5];
	int i;

	KP_NEED_STREAM_READ();
	bad_fds(fds);
	for (i = 0; i < 5; i++) {
		cr_log_info("bpf_stream_iter__new: %s", fds[i].what);
		BAD_PTR(fds[i].err, bpf_stream_iter__new(fds[i].fd, BPF_STDOUT, NULL));
	}
	for (i = 0; i < 3; i++)
		BAD_PTR(ENOENT, bpf_stream_iter__new(prog_fd, bad_ids[i], NULL));
	big.tail[15] = 0x80;
	BAD_PTR(EINVAL, bpf_stream_iter__new(prog_fd, BPF_STDOUT, &big.o));
	BAD_PTR(EINVAL, bpf_stream_iter__new(prog_fd, BPF_STDOUT, &tiny));
	BAD_PTR(EINVAL, bpf_stream_iter__next(NULL));
	QUIET(bpf_stream_iter__free(NULL));

	/* a good iterator on an empty stream: NULL with errno 0 */
	{
		struct bpf_stream_iter *it;
		const struct bpf_stream_msg *m;

		big.tail[15] = 0;
		stdout_begin();
		it = bpf_stream_iter__new(prog_fd, BPF_STDERR, &big.o);
		errno = 1234;
		m = it ? bpf_stream_iter__next(it) : NULL;
		stdout_end("iter on an empty stream");
		cr_assert_not_null(it, "iter__new with a zero tail: %s", strerror(errno));
		cr_assert_null(m);
		cr_assert_eq(errno, 0, "end of an empty stream: errno %d", errno);
		QUIET(bpf_stream_iter__free(it));
	}
}

/* ---- report parser ----------------------------------------------------- */

Test(badinput, report_parser)
{
	struct bpf_stream_report_parser *p;
	struct bpf_stream_msg msg = { .stream_id = BPF_STDERR, .text = NULL, .prog_name = "x" };

	BAD_PTR(EINVAL, bpf_stream_report_parser__new(NULL, NULL));
	BAD_INT(EINVAL, bpf_stream_report_parser__push(NULL, &msg));
	BAD_INT(EINVAL, bpf_stream_report_parser__flush(NULL));
	QUIET(bpf_stream_report_parser__free(NULL));
	p = bpf_stream_report_parser__new(report_fn, NULL);
	cr_assert_not_null(p);
	BAD_INT(EINVAL, bpf_stream_report_parser__push(p, NULL));
	BAD_INT(EINVAL, bpf_stream_report_parser__push(p, &msg));	/* text NULL */
	/* prog_name NULL on an ERROR: line is tolerated */
	msg.text = "ERROR: Timeout detected for may_goto instruction";
	msg.len = strlen(msg.text);
	msg.prog_name = NULL;
	stdout_begin();
	cr_assert_eq(bpf_stream_report_parser__push(p, &msg), 0);
	cr_assert_eq(bpf_stream_report_parser__flush(p), 0);
	stdout_end("push with prog_name NULL");
	QUIET(bpf_stream_report_parser__free(p));

	stdout_begin();
	cr_assert_str_eq(bpf_stream_report_kind_str((enum bpf_stream_report_kind)-1), "unknown");
	cr_assert_str_eq(bpf_stream_report_kind_str((enum bpf_stream_report_kind)9999), "unknown");
	stdout_end("kind_str");
}

/* ---- reader ----------------------------------------------------------- */

Test(badinput, reader)
{
	struct {
		struct bpf_stream_reader_opts o;
		char tail[8];
	} big = { .o = { .sz = sizeof(big) } };
	struct bpf_stream_reader_opts tiny = { .sz = 3 };
	struct bpf_stream_reader *r;
	struct hardening_soak *skel;
	struct bad_fd fds[5];
	int i, calls = 0;

	bad_fds(fds);
	BAD_PTR(EINVAL, bpf_stream_reader__new(NULL, NULL, NULL));
	big.tail[0] = 1;
	BAD_PTR(EINVAL, bpf_stream_reader__new(msg_fn, &calls, &big.o));
	BAD_PTR(EINVAL, bpf_stream_reader__new(msg_fn, &calls, &tiny));

	BAD_INT(EINVAL, bpf_stream_reader__add_prog(NULL, prog_fd, 0));
	BAD_INT(EINVAL, bpf_stream_reader__add_id(NULL, 1, 0));
	BAD_INT(EINVAL, bpf_stream_reader__add_object(NULL, NULL, 0));
	BAD_INT(EINVAL, bpf_stream_reader__remove_id(NULL, 1));
	BAD_INT(EINVAL, bpf_stream_reader__poll(NULL, 0));
	BAD_INT(EINVAL, bpf_stream_reader__consume(NULL));
	QUIET(bpf_stream_reader__free(NULL));

	r = bpf_stream_reader__new(msg_fn, &calls, NULL);
	cr_assert_not_null(r, "reader: %s", strerror(errno));
	for (i = 0; i < 5; i++) {
		cr_log_info("bpf_stream_reader__add_prog: %s", fds[i].what);
		BAD_INT(fds[i].err, bpf_stream_reader__add_prog(r, fds[i].fd, 0));
	}
	/* stream masks naming no stream we know */
	BAD_INT(EINVAL, bpf_stream_reader__add_prog(r, prog_fd, 1U << 0));
	BAD_INT(EINVAL, bpf_stream_reader__add_prog(r, prog_fd, 1U << 3));
	BAD_INT(EINVAL, bpf_stream_reader__add_prog(r, prog_fd, 0xffffffffU));
	/* ids no program has */
	BAD_INT(ANY, bpf_stream_reader__add_id(r, 0, 0));
	BAD_INT(ENOENT, bpf_stream_reader__add_id(r, 0xffffffffU, 0));
	BAD_INT(ENOENT, bpf_stream_reader__remove_id(r, 0xffffffffU));
	BAD_INT(EINVAL, bpf_stream_reader__add_object(r, NULL, 0));

	/* the same program twice */
	stdout_begin();
	cr_assert_eq(bpf_stream_reader__add_prog(r, prog_fd, 0), 0);
	stdout_end("add_prog");
	BAD_INT(EEXIST, bpf_stream_reader__add_prog(r, prog_fd, BPF_STREAM_MASK_STDERR));

	/* an object opened, not loaded: nothing to follow, nothing broken */
	skel = hardening_soak__open();
	cr_assert_not_null(skel);
	stdout_begin();
	i = bpf_stream_reader__add_object(r, skel->obj, 0);
	stdout_end("add_object(not loaded)");
	cr_assert(i == 0 || (i < 0 && errno == -i), "add_object(not loaded): %d", i);

	/* an empty poll with a short timeout, and consume; a kernel without the
	 * read command (before 6.17) cannot read the program's native streams */
	stdout_begin();
	if (kp_has_stream_read()) {
		cr_assert_eq(bpf_stream_reader__poll(r, 0), 0);
		cr_assert_eq(bpf_stream_reader__poll(r, 5), 0);
		cr_assert_eq(bpf_stream_reader__consume(r), 0);
	} else {
		BAD_INT(EOPNOTSUPP, bpf_stream_reader__poll(r, 0));
		BAD_INT(EOPNOTSUPP, bpf_stream_reader__consume(r));
	}
	stdout_end("poll/consume");
	cr_assert_eq(calls, 0);
	QUIET(bpf_stream_reader__free(r));
	hardening_soak__destroy(skel);
}

/* ---- objects and transport ------------------------------------------ */

Test(badinput, objects)
{
	struct {
		struct bpf_stream_prepare_opts o;
		char tail[8];
	} big = { .o = { .sz = sizeof(big) } };
	struct bpf_stream_prepare_opts tiny = { .sz = 4 };
	LIBBPF_OPTS(bpf_stream_prepare_opts, bad_transport, .transport = 77);
	struct hardening_soak *open_only, *loaded;
	const char *reason = (const char *)0x1;
	__u64 count = 12345;
	int i, calls = 0;

	/* NULL objects */
	BAD_INT(EINVAL, bpf_stream_prepare(NULL));
	BAD_INT(EINVAL, bpf_stream_prepare_opts(NULL, NULL));
	BAD_INT(EINVAL, bpf_stream_object_transport(NULL, &reason));
	BAD_INT(EINVAL, bpf_stream_drain_object(NULL, msg_fn, &calls));
	BAD_INT(EINVAL, bpf_stream_object_dropped(NULL, BPF_STDOUT, &count));
	QUIET(bpf_stream_release(NULL));

	/* an object opened but never prepared */
	open_only = hardening_soak__open();
	cr_assert_not_null(open_only);
	BAD_INT(ENOENT, bpf_stream_object_transport(open_only->obj, &reason));
	BAD_INT(ENOENT, bpf_stream_object_transport(open_only->obj, NULL));
	BAD_INT(ANY, bpf_stream_object_dropped(open_only->obj, BPF_STDOUT, &count));
	BAD_INT(EINVAL, bpf_stream_drain_object(open_only->obj, NULL, NULL));
	stdout_begin();
	i = bpf_stream_drain_object(open_only->obj, msg_fn, &calls);
	stdout_end("drain_object(not loaded)");
	cr_assert(i == 0 || (i < 0 && errno == -i), "drain_object(not loaded): %d", i);
	QUIET(bpf_stream_release(open_only->obj));	/* never prepared: harmless */

	/* bad opts */
	big.tail[3] = 9;
	BAD_INT(EINVAL, bpf_stream_prepare_opts(open_only->obj, &big.o));
	BAD_INT(EINVAL, bpf_stream_prepare_opts(open_only->obj, &tiny));
	BAD_INT(EINVAL, bpf_stream_prepare_opts(open_only->obj, &bad_transport));

	/* a bad environment value */
	setenv("BPF_STREAM_TRANSPORT", "carrier-pigeon", 1);
	BAD_INT(EINVAL, bpf_stream_prepare(open_only->obj));
	unsetenv("BPF_STREAM_TRANSPORT");

	/* prepared and loaded: prepare again is -EBUSY; bad stream ids */
	loaded = hardening_soak__open();
	cr_assert_not_null(loaded);
	stdout_begin();
	cr_assert_eq(bpf_stream_prepare(loaded->obj), 0);
	stdout_end("prepare");
	cr_assert_eq(hardening_soak__load(loaded), 0);
	BAD_INT(EBUSY, bpf_stream_prepare(loaded->obj));
	for (i = 0; i < 3; i++)
		BAD_INT(ANY, bpf_stream_object_dropped(loaded->obj, bad_ids[i], &count));
	BAD_INT(EINVAL, bpf_stream_object_dropped(loaded->obj, BPF_STDOUT, NULL));
	BAD_INT(EINVAL, bpf_stream_drain_object(loaded->obj, NULL, NULL));
	stdout_begin();
	cr_assert_geq(bpf_stream_object_transport(loaded->obj, NULL), 0);
	cr_assert_eq(bpf_stream_drain_object(loaded->obj, msg_fn, &calls), 0);
	stdout_end("transport/drain_object");
	cr_assert_eq(calls, 0);
	QUIET(bpf_stream_release(loaded->obj));
	QUIET(bpf_stream_release(loaded->obj));	/* twice: harmless */
	hardening_soak__destroy(loaded);
	hardening_soak__destroy(open_only);

	stdout_begin();
	cr_assert_not_null(bpf_stream_transport_str((enum bpf_stream_transport)-1));
	cr_assert_not_null(bpf_stream_transport_str((enum bpf_stream_transport)1000));
	stdout_end("transport_str");
}

/* ---- printing ---------------------------------------------------------- */

Test(badinput, printing)
{
	struct {
		struct bpf_stream_printer_opts o;
		char tail[8];
	} big = { .o = { .sz = sizeof(big) } };
	struct bpf_stream_printer_opts tiny = { .sz = 1 };
	struct bpf_stream_msg msg = { .stream_id = BPF_STDOUT, .prog_name = "p",
				      .text = "x", .len = 1 };
	struct bpf_stream_printer *p;
	FILE *sink = tmpfile();
	char out[8];

	cr_assert_not_null(sink);
	BAD_PTR(EINVAL, bpf_stream_printer__new(NULL, NULL));
	big.tail[5] = 1;
	BAD_PTR(EINVAL, bpf_stream_printer__new(sink, &big.o));
	BAD_PTR(EINVAL, bpf_stream_printer__new(sink, &tiny));
	BAD_INT(EINVAL, bpf_stream_printer__print(NULL, &msg));
	BAD_INT(EINVAL, bpf_stream_print_msg(NULL, &msg));
	BAD_INT(EINVAL, bpf_stream_print_msg(sink, NULL));
	QUIET(bpf_stream_printer__free(NULL));

	p = bpf_stream_printer__new(sink, NULL);
	cr_assert_not_null(p);
	BAD_INT(EINVAL, bpf_stream_printer__print(p, NULL));
	/* prog_name NULL and an unknown stream id: printed, not a crash */
	msg.prog_name = NULL;
	msg.stream_id = 0xffffffffU;
	stdout_begin();
	cr_assert_geq(bpf_stream_printer__print(p, &msg), 0);
	stdout_end("print(prog_name NULL, stream 0xffffffff)");
	QUIET(bpf_stream_printer__free(p));
	fclose(sink);

	/* escape: zero-size destination writes nothing; NULL src with 0 bytes */
	memset(out, 'Z', sizeof(out));
	stdout_begin();
	cr_assert_eq(bpf_stream_escape(out, 0, "abc", 3), 3);
	cr_assert_eq(bpf_stream_escape(NULL, 0, "\x1b", 1), 4);
	cr_assert_eq(bpf_stream_escape(out, sizeof(out), NULL, 0), 0);
	stdout_end("escape");
	cr_assert_eq(out[0], '\0', "empty escape not NUL-terminated");
	cr_assert_eq(out[1], 'Z');
	stdout_begin();
	cr_assert_eq(bpf_stream_escape(out, 1, "abc", 3), 3);
	stdout_end("escape(1)");
	cr_assert_eq(out[0], '\0');
}

/* A message whose text is NULL (with a length) must be refused like the
 * report parser refuses it, not dereferenced. */
Test(badinput, print_null_text)
{
	struct bpf_stream_msg nulltext = { .stream_id = BPF_STDOUT, .prog_name = "p", .len = 3 };
	struct bpf_stream_printer *p;
	FILE *sink = tmpfile();

	cr_assert_not_null(sink);
	BAD_INT(EINVAL, bpf_stream_print_msg(sink, &nulltext));
	p = bpf_stream_printer__new(sink, NULL);
	cr_assert_not_null(p);
	BAD_INT(EINVAL, bpf_stream_printer__print(p, &nulltext));
	QUIET(bpf_stream_printer__free(p));
	fclose(sink);
}

/* ---- diagnostics ------------------------------------------------------- */

Test(badinput, set_print_null_silences)
{
	bpf_stream_print_fn_t old;

	QUIET(old = bpf_stream_set_print(NULL));
	cr_assert_eq(old, quiet_print);
	/* a call that warns, with no printer: silent, no crash */
	setenv("BPF_STREAM_TRANSPORT", "bogus", 1);
	{
		struct hardening_soak *skel = hardening_soak__open();

		cr_assert_not_null(skel);
		BAD_INT(EINVAL, bpf_stream_prepare(skel->obj));
		hardening_soak__destroy(skel);
	}
	unsetenv("BPF_STREAM_TRANSPORT");
	QUIET(old = bpf_stream_set_print(old));
	cr_assert_null(old);
}
