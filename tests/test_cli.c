// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf-stream, the command-line tool, driven as a subprocess ($(O)/bpf-stream):
 * every command and option, the error statuses, JSON checked by jq, terminal
 * escaping through a pseudo-terminal, follow mode's reaction to signals, and
 * 'run' on the test objects tests/progs/cli_*.bpf.c.
 *
 * On this machine the native stream write path fails, so programs built with
 * bpf_stream.h use the ring-buffer transport: text from BPF is tested through
 * 'run' (which prepares the object itself); dump/follow of a program loaded by
 * this test process read its native streams, which are empty, and we check
 * that they say so cleanly.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <regex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <grp.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <criterion/criterion.h>
#include "time_scale.h"
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <libbpf_stream.h>
#include "cli_hello.skel.h"
#include "cons_ts.skel.h"
#include "rd_backlog.skel.h"
#include "kernel_probe.h"

#define CLI BUILD_DIR "/bpf-stream"
#define OBJ_HELLO TEST_BPF_DIR "/cli_hello.bpf.o"
#define OBJ_VERDICT TEST_BPF_DIR "/cli_verdict.bpf.o"
#define OBJ_CTRL TEST_BPF_DIR "/cli_ctrl.bpf.o"
#define OBJ_BADFMT TEST_BPF_DIR "/cli_badfmt.bpf.o"
#define OBJ_FLOOD TEST_BPF_DIR "/cli_flood.bpf.o"
#define OBJ_SHARED TEST_BPF_DIR "/tr_shared.bpf.o"

/* exit statuses documented in bpf-stream(8) */
#define X_USAGE 64
#define X_BADOBJ 65
#define X_NOPROG 66
#define X_NOSTREAMS 69
#define X_PERM 77

/* ---- subprocess helpers -------------------------------------------------- */

struct buf {
	char *data;
	size_t len;
};

struct proc {
	pid_t pid;
	int out_fd, err_fd;
	struct buf out, err;
};

struct spawn_opts {
	const char *const *env;		/* "NAME=value" to add */
	const char *stdin_data;		/* NULL: /dev/null */
	bool drop_to_nobody;		/* setresuid(65534) before exec */
	bool pty;			/* stdout is a pseudo-terminal */
};

static void buf_add(struct buf *b, const char *d, size_t n)
{
	b->data = realloc(b->data, b->len + n + 1);
	cr_assert(b->data);
	memcpy(b->data + b->len, d, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

static void proc_spawn(struct proc *p, const char *path, const char *const argv[],
		       const struct spawn_opts *o)
{
	static const struct spawn_opts none;
	int out[2], err[2], in_fd;

	if (!o)
		o = &none;
	memset(p, 0, sizeof(*p));
	if (o->pty)
		cr_assert_eq(openpty(&out[0], &out[1], NULL, NULL, NULL), 0, "openpty: %s",
			     strerror(errno));
	else
		cr_assert_eq(pipe(out), 0);
	cr_assert_eq(pipe(err), 0);
	if (o->stdin_data) {
		in_fd = memfd_create("stdin", 0);
		cr_assert_geq(in_fd, 0);
		cr_assert_eq(write(in_fd, o->stdin_data, strlen(o->stdin_data)),
			     (ssize_t)strlen(o->stdin_data));
		lseek(in_fd, 0, SEEK_SET);
	} else {
		in_fd = open("/dev/null", O_RDONLY);
	}
	fflush(NULL);
	p->pid = fork();
	cr_assert_geq(p->pid, 0);
	if (p->pid == 0) {
		const char *const *e;

		dup2(in_fd, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		for (e = o->env; e && *e; e++)
			putenv((char *)*e);
		if (o->drop_to_nobody &&
		    (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		     setresuid(65534, 65534, 65534)))
			_exit(125);
		execv(path, (char *const *)argv);
		_exit(126);
	}
	close(in_fd);
	close(out[1]);
	close(err[1]);
	p->out_fd = out[0];
	p->err_fd = err[0];
}

/* Read what is available for up to @timeout_ms; false once both are at EOF. */
static bool proc_pump(struct proc *p, int timeout_ms)
{
	struct pollfd pfd[2] = { { .fd = p->out_fd, .events = POLLIN },
				 { .fd = p->err_fd, .events = POLLIN } };
	char chunk[4096];
	ssize_t n;
	int i;

	if (p->out_fd < 0 && p->err_fd < 0)
		return false;
	if (poll(pfd, 2, timeout_ms) <= 0)
		return true;
	for (i = 0; i < 2; i++) {
		int *fd = i ? &p->err_fd : &p->out_fd;

		if (*fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(*fd, chunk, sizeof(chunk));
		if (n > 0) {
			buf_add(i ? &p->err : &p->out, chunk, n);
		} else if (n == 0 || errno != EINTR) {
			/* EOF (a pty reports EIO once the child is gone) */
			close(*fd);
			*fd = -1;
		}
	}
	return true;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Pump until @needle shows up on stderr or @timeout_ms passes. */
static bool proc_wait_stderr(struct proc *p, const char *needle, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	while (now_ms() < end) {
		if (strstr(buf_str(&p->err), needle))
			return true;
		if (!proc_pump(p, 20) && !strstr(buf_str(&p->err), needle))
			return false;
	}
	return strstr(buf_str(&p->err), needle) != NULL;
}

/* Collect everything and reap: the exit status, 128+N for a signal. */
static int proc_finish(struct proc *p, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	int status;

	while (proc_pump(p, 50)) {
		if (now_ms() > end) {
			kill(p->pid, SIGKILL);
			break;
		}
	}
	if (p->out_fd >= 0)
		close(p->out_fd);
	if (p->err_fd >= 0)
		close(p->err_fd);
	cr_assert_eq(waitpid(p->pid, &status, 0), p->pid);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void proc_free(struct proc *p)
{
	free(p->out.data);
	free(p->err.data);
}

/* Run bpf-stream to completion. */
static int cli(struct proc *p, const struct spawn_opts *o, const char *const argv[])
{
	proc_spawn(p, CLI, argv, o);
	return proc_finish(p, 20000);
}

#define ARGV(...) ((const char *const[]){ "bpf-stream", __VA_ARGS__, NULL })

/* Run jq -r with @filter on @json; its stdout in *out. Returns jq's status:
 * 0, or non-zero when the input is not JSON or the filter failed. */
static int jq(const char *json, const char *filter, struct buf *out)
{
	struct spawn_opts o = { .stdin_data = json };
	struct proc p;
	int st;

	proc_spawn(&p, "/usr/bin/jq", (const char *const[]){ "jq", "-r", filter, NULL }, &o);
	st = proc_finish(&p, 20000);
	if (out)
		*out = p.out;
	else
		free(p.out.data);
	free(p.err.data);
	return st;
}

/* Every non-empty line of @s parses as one JSON value of its own. */
static void assert_json_lines(const char *s)
{
	char *copy = strdup(s), *line, *save = NULL;
	int n = 0;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cr_assert_eq(jq(line, ".", NULL), 0, "not JSON: '%s'", line);
		n++;
	}
	free(copy);
	cr_assert_gt(n, 0, "no JSON line at all");
}

static bool matches(const char *s, const char *re)
{
	regex_t r;
	bool m;

	cr_assert_eq(regcomp(&r, re, REG_EXTENDED | REG_NEWLINE), 0, "bad regex %s", re);
	m = regexec(&r, s, 0, NULL, 0) == 0;
	regfree(&r);
	return m;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* ---- a program loaded by this process (ring-buffer transport) ---------- */

static struct cli_hello *load_hello(void)
{
	LIBBPF_OPTS(bpf_stream_prepare_opts, opts, .transport = BPF_STREAM_TRANSPORT_RINGBUF);
	struct cli_hello *skel = cli_hello__open();

	cr_assert(skel, "open cli_hello: %s", strerror(errno));
	/* a ring-transport program, on every kernel (list marks it, dump and
	 * follow leave its ring to this process) */
	cr_assert_eq(bpf_stream_prepare_opts(skel->obj, &opts), 0);
	bpf_program__set_autoload(skel->progs.cli_tp, false);
	cr_assert_eq(cli_hello__load(skel), 0, "load cli_hello: %s", strerror(errno));
	return skel;
}

static __u32 prog_id(struct bpf_program *prog, char tag_hex[17])
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int i;

	memset(&info, 0, sizeof(info));
	cr_assert_eq(bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len), 0);
	if (tag_hex)
		for (i = 0; i < 8; i++)
			snprintf(tag_hex + 2 * i, 3, "%02x", info.tag[i]);
	return info.id;
}

static void unload_hello(struct cli_hello *skel)
{
	bpf_stream_skel_release(skel);
	cli_hello__destroy(skel);
}

/* An id no program has: far above any id this machine handed out. */
#define NO_SUCH_ID "2147483000"

/* ---- help, version, argument errors ------------------------------------- */

Test(cli, help_lists_commands_and_exit_codes)
{
	static const char *const words[] = { "dump", "follow", "run", "list", "--json",
					     "--pretty", "--color", "--no-prefix", "--raw", "--steal",
					     "--verbose", "--version", "64", "66", "69", "77" };
	struct proc p;
	size_t i;

	cr_assert_eq(cli(&p, NULL, ARGV("--help")), 0);
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		cr_expect(strstr(buf_str(&p.out), words[i]), "--help lacks '%s'", words[i]);
	cr_expect_eq(p.err.len, 0, "stderr: %s", buf_str(&p.err));
	proc_free(&p);

	cr_assert_eq(cli(&p, NULL, ARGV("-h", "follow")), 0);
	cr_expect(strstr(buf_str(&p.out), "Usage: bpf-stream follow PROG..."), "%s", buf_str(&p.out));
	proc_free(&p);

	cr_assert_eq(cli(&p, NULL, ARGV("help", "run")), 0);
	cr_expect(strstr(buf_str(&p.out), "--repeat"), "%s", buf_str(&p.out));
	proc_free(&p);
}

Test(cli, version_plain_and_json)
{
	struct buf v = {};
	struct proc p;

	cr_assert_eq(cli(&p, NULL, ARGV("-V")), 0);
	cr_expect(matches(buf_str(&p.out), "^bpf-stream 1\\.1\\.0 \\(libbpf-stream 1\\.1, libbpf "),
		  "%s", buf_str(&p.out));
	proc_free(&p);
	cr_assert_eq(cli(&p, NULL, ARGV("--version")), 0);
	cr_expect(matches(buf_str(&p.out), "^bpf-stream [0-9]+\\.[0-9]+\\.[0-9]+ "), "%s",
		  buf_str(&p.out));
	proc_free(&p);
	cr_assert_eq(cli(&p, NULL, ARGV("-j", "version")), 0);
	cr_assert_eq(jq(buf_str(&p.out), ".version", &v), 0, "%s", buf_str(&p.out));
	cr_expect_str_eq(buf_str(&v), "1.1.0\n");
	free(v.data);
	proc_free(&p);
}

Test(cli, usage_errors_exit_64_with_one_error_line)
{
	const char *const *const cases[] = {
		ARGV("frobnicate"),
		ARGV("--bogus", "list"),
		ARGV("--color=sometimes", "list"),
		ARGV("dump"),
		ARGV("dump", "id"),
		ARGV("dump", "id", "abc"),
		ARGV("dump", "id", "0"),
		ARGV("dump", "tag", "xyz"),
		ARGV("dump", "id", "1", "stdout", "extra"),
		ARGV("follow"),
		ARGV("list", "extra"),
		ARGV("run"),
		ARGV("run", OBJ_HELLO, "--repeat", "0"),
		ARGV("run", OBJ_HELLO, "--repeat"),
		ARGV("dump", "id", "1", "--prog", "x"),
		/* run's options are run's: after its name only */
		ARGV("--prog", "x", "run", OBJ_HELLO),
		ARGV("run", OBJ_HELLO, "--bogus"),
		/* options of follow and dump, never ignored by another command */
		ARGV("--steal", "list"),
		ARGV("--arrival-order", "run", OBJ_HELLO),
		ARGV("list", "--journal"),
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct proc p;
		int st = cli(&p, NULL, cases[i]);

		cr_expect_eq(st, X_USAGE, "case %zu (%s %s): exit %d, stderr: %s", i, cases[i][1],
			     cases[i][2] ? cases[i][2] : "", st, buf_str(&p.err));
		cr_expect(!strncmp(buf_str(&p.err), "bpf-stream: error: ", 19),
			  "case %zu: stderr: %s", i, buf_str(&p.err));
		/* the error, then where the help is: no usage text burying it */
		cr_expect_eq(count_lines(buf_str(&p.err)), 2, "case %zu: stderr: %s", i,
			     buf_str(&p.err));
		cr_expect(matches(buf_str(&p.err), "^Try 'bpf-stream ([a-z]+ )?--help'\\.$"),
			  "case %zu: stderr: %s", i, buf_str(&p.err));
		cr_expect(!strstr(buf_str(&p.err), "Usage:"), "case %zu: usage shown: %s", i,
			  buf_str(&p.err));
		cr_expect_eq(p.out.len, 0, "case %zu: stdout: %s", i, buf_str(&p.out));
		proc_free(&p);
	}
}

/* The word in excess is the one named, whatever comes before it. */
Test(cli, usage_error_names_the_word_in_excess)
{
	const struct {
		const char *const *argv;
		const char *want;
	} cases[] = {
		{ ARGV("dump", "name", "x", "stdout", "extra"), "unexpected argument 'extra'" },
		{ ARGV("dump", "id", "1", "stderr", "stdout"), "unexpected argument 'stdout'" },
		{ ARGV("follow", "name", "x", "stdout", "extra"), "unexpected argument 'extra'" },
		{ ARGV("dump", "id", "1", "id", "2", "extra"), "bad stream 'extra'" },
		{ ARGV("dump", "id", "1", "extra"), "bad stream 'extra'" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct proc p;

		cr_expect_eq(cli(&p, NULL, cases[i].argv), X_USAGE, "case %zu: %s", i,
			     buf_str(&p.err));
		cr_expect(strstr(buf_str(&p.err), cases[i].want), "case %zu: %s", i,
			  buf_str(&p.err));
		cr_expect(strstr(buf_str(&p.err), "Try 'bpf-stream "), "case %zu: %s", i,
			  buf_str(&p.err));
		proc_free(&p);
	}
}

Test(cli, no_command_is_a_usage_error)
{
	struct proc p;

	cr_expect_eq(cli(&p, NULL, ((const char *const[]){ "bpf-stream", NULL })), X_USAGE);
	proc_free(&p);
}

Test(cli, bad_stream_name)
{
	struct proc p;

	cr_assert_eq(cli(&p, NULL, ARGV("dump", "id", "1", "stdin")), X_USAGE, "%s",
		     buf_str(&p.err));
	cr_expect(strstr(buf_str(&p.err), "bad stream 'stdin': expected stdout, stderr or all"),
		  "%s", buf_str(&p.err));
	proc_free(&p);
	cr_assert_eq(cli(&p, NULL, ARGV("follow", "all", "both")), X_USAGE);
	cr_expect(strstr(buf_str(&p.err), "bad stream 'both'"), "%s", buf_str(&p.err));
	proc_free(&p);
}

Test(cli, json_mode_errors_are_json_objects)
{
	struct buf v = {};
	struct proc p;

	cr_assert_eq(cli(&p, NULL, ARGV("-j", "dump", "id", NO_SUCH_ID)), X_NOPROG);
	cr_expect_eq(p.err.len, 0, "stderr: %s", buf_str(&p.err));
	cr_assert_eq(jq(buf_str(&p.out), ".exit_code", &v), 0, "%s", buf_str(&p.out));
	cr_expect_str_eq(buf_str(&v), "66\n");
	free(v.data);
	cr_assert_eq(jq(buf_str(&p.out), ".error", &v), 0);
	cr_expect(strstr(buf_str(&v), "no such program: id " NO_SUCH_ID), "%s", buf_str(&v));
	free(v.data);
	proc_free(&p);

	cr_assert_eq(cli(&p, NULL, ARGV("--json", "dump", "id", "1", "sideways")), X_USAGE);
	assert_json_lines(buf_str(&p.out));
	proc_free(&p);

	/* an error found while the options are parsed */
	cr_assert_eq(cli(&p, NULL, ARGV("-j", "--bogus", "list")), X_USAGE, "%s", buf_str(&p.err));
	assert_json_lines(buf_str(&p.out));
	proc_free(&p);
	cr_assert_eq(cli(&p, NULL, ARGV("-j", "--color=sometimes", "list")), X_USAGE);
	assert_json_lines(buf_str(&p.out));
	proc_free(&p);
}

/* ---- no such program / file ---------------------------------------------- */

Test(cli, no_such_program)
{
	const char *const *const cases[] = {
		ARGV("dump", "id", NO_SUCH_ID),
		ARGV("dump", "name", "no_such_prog_x"),
		ARGV("dump", "tag", "0011223344556677"),
		ARGV("dump", "pinned", "/nonexistent/bpf/prog"),
		ARGV("follow", "id", NO_SUCH_ID),
		ARGV("du", "id", NO_SUCH_ID), /* command prefix */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct proc p;
		int st = cli(&p, NULL, cases[i]);

		cr_expect_eq(st, X_NOPROG, "case %zu: exit %d, stderr %s", i, st, buf_str(&p.err));
		cr_expect(strstr(buf_str(&p.err), "bpf-stream: error: no such"), "case %zu: %s", i,
			  buf_str(&p.err));
		cr_expect_eq(count_lines(buf_str(&p.err)), 1, "case %zu: %s", i, buf_str(&p.err));
		proc_free(&p);
	}
}

Test(cli, run_missing_or_bad_object)
{
	char path[] = "/tmp/cli_not_elf_XXXXXX";
	struct proc p;
	int fd;

	cr_assert_eq(cli(&p, NULL, ARGV("run", "/nonexistent/x.bpf.o")), X_NOPROG);
	cr_expect(strstr(buf_str(&p.err), "no such object file: /nonexistent/x.bpf.o"), "%s",
		  buf_str(&p.err));
	proc_free(&p);

	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "not an ELF file\n", 16), 16);
	close(fd);
	cr_expect_eq(cli(&p, NULL, ARGV("run", path)), X_BADOBJ, "%s", buf_str(&p.err));
	cr_expect(strstr(buf_str(&p.err), "bpf-stream: error: cannot open BPF object"), "%s",
		  buf_str(&p.err));
	unlink(path);
	proc_free(&p);

	cr_expect_eq(cli(&p, NULL, ARGV("run", TEST_BPF_DIR "/cli_reject.bpf.o")), X_BADOBJ, "%s",
		     buf_str(&p.err));
	cr_expect(matches(buf_str(&p.err), "^bpf-stream: error: loading .*cli_reject.bpf.o failed: "
					   "the verifier rejected a program \\(its log is above\\)$"),
		  "%s", buf_str(&p.err));
	cr_expect(strstr(buf_str(&p.err), "libbpf: prog 'cli_reject': failed to load"), "no "
		  "verifier log: %s", buf_str(&p.err));
	proc_free(&p);

	cr_expect_eq(cli(&p, NULL, ARGV("run", OBJ_HELLO, "--prog", "no_such")), X_NOPROG);
	cr_expect(strstr(buf_str(&p.err), "no program named 'no_such'"), "%s", buf_str(&p.err));
	proc_free(&p);
}

/* Issue 21: a format the kernel refuses. Without -v the verifier's log is
 * not cut mid-instruction: its end (the reason) is printed, after a count
 * of the lines left out, and where the kernel's log names source files
 * (6.4+), the caller's line of the refused call is named. */
Test(cli, refused_format_shows_the_reason_and_the_callers_line)
{
	static const char *const env[] = { "BPF_STREAM_TRANSPORT=ringbuf", NULL };
	struct spawn_opts o = { .env = env };
	const char *err, *end;
	struct proc p;
	int st;

	st = cli(&p, &o, ARGV("run", OBJ_BADFMT));
	err = buf_str(&p.err);
	cr_expect_eq(st, X_BADOBJ, "exit %d: %s", st, err);
	end = strstr(err, "-- END PROG LOAD LOG --");
	cr_assert_not_null(end, "the log's end is missing: %s", err);
	cr_expect(strstr(err, "lines of the verifier's log left out: -v prints it whole"), "%s", err);
	cr_expect_lt(strlen(err), 8192, "the whole log without -v? %zu bytes", strlen(err));
	if (strstr(err, " @ bpf_stream.h:"))	/* the kernel names files */
		cr_expect(strstr(err, ", inlined at cli_badfmt.bpf.c:19: "), "caller's line not named: %s",
			  err);
	else
		cr_expect(!strstr(err, "inlined at"), "%s", err);
	proc_free(&p);

	/* -v: libbpf prints the whole log itself */
	st = cli(&p, &o, ARGV("-v", "run", OBJ_BADFMT));
	cr_expect_eq(st, X_BADOBJ);
	cr_expect(strstr(buf_str(&p.err), "-- END PROG LOAD LOG --"));
	cr_expect(!strstr(buf_str(&p.err), "left out"), "%s", buf_str(&p.err));
	proc_free(&p);
}

/* ---- permission denied --------------------------------------------------- */

Test(cli, permission_denied_names_the_capability)
{
	struct spawn_opts o = { .drop_to_nobody = true };
	struct proc p;
	int st;

	if (geteuid() != 0)
		cr_skip_test("needs root to drop to nobody");
	st = cli(&p, &o, ARGV("list"));
	if (st == 125 || st == 126) {
		proc_free(&p);
		cr_skip_test("cannot run bpf-stream as nobody here (exit %d)", st);
	}
	cr_expect_eq(st, X_PERM, "exit %d, stderr %s", st, buf_str(&p.err));
	cr_expect(strstr(buf_str(&p.err), "permission denied"), "%s", buf_str(&p.err));
	cr_expect(strstr(buf_str(&p.err), "CAP_SYS_ADMIN"), "%s", buf_str(&p.err));
	proc_free(&p);

	st = cli(&p, &o, ARGV("dump", "id", "1"));
	cr_expect_eq(st, X_PERM, "exit %d, stderr %s", st, buf_str(&p.err));
	proc_free(&p);

	/* JSON: the error is the one document, no "[]" before it that reads as
	 * "no programs" */
	st = cli(&p, &o, ARGV("-j", "list"));
	cr_expect_eq(st, X_PERM, "exit %d, stdout %s", st, buf_str(&p.out));
	cr_expect_eq(count_lines(buf_str(&p.out)), 1, "%s", buf_str(&p.out));
	cr_expect_eq(buf_str(&p.out)[0], '{', "%s", buf_str(&p.out));
	assert_json_lines(buf_str(&p.out));
	cr_expect_eq(p.err.len, 0, "stderr: %s", buf_str(&p.err));
	proc_free(&p);

	st = cli(&p, &o, ARGV("run", OBJ_HELLO));
	cr_expect_eq(st, X_PERM, "exit %d, stderr %s", st, buf_str(&p.err));
	cr_expect(strstr(buf_str(&p.err), "CAP_BPF"), "%s", buf_str(&p.err));
	proc_free(&p);
}

/* ---- kernel without (working) streams ------------------------------------ */

Test(cli, native_forced_where_streams_do_not_work)
{
	static const char *const env[] = { "BPF_STREAM_TRANSPORT=native", NULL };
	struct spawn_opts o = { .env = env };
	struct utsname u;
	struct proc p;
	int st;

	cr_assert_eq(uname(&u), 0);
	st = cli(&p, &o, ARGV("run", OBJ_HELLO));
	if (st == 0) {
		proc_free(&p);
		cr_skip_test("native streams work on this kernel: no error to show");
	}
	cr_expect_eq(st, X_NOSTREAMS, "exit %d, stderr %s", st, buf_str(&p.err));
	cr_expect(strstr(buf_str(&p.err), u.release), "no kernel version: %s", buf_str(&p.err));
	cr_expect(strstr(buf_str(&p.err), "ring-buffer transport"), "%s", buf_str(&p.err));
	cr_expect(strstr(buf_str(&p.err), "6.17"), "%s", buf_str(&p.err));
	cr_expect_eq(count_lines(buf_str(&p.err)), 1, "%s", buf_str(&p.err));
	proc_free(&p);

	static const char *const bad_env[] = { "BPF_STREAM_TRANSPORT=carrier-pigeon", NULL };
	o.env = bad_env;
	cr_expect_eq(cli(&p, &o, ARGV("run", OBJ_HELLO)), X_USAGE, "%s", buf_str(&p.err));
	proc_free(&p);
}

/* ---- run ------------------------------------------------------------------ */

Test(cli, run_prints_every_program_stream)
{
	struct proc p;
	const char *out;

	cr_assert_eq(cli(&p, NULL, ARGV("run", OBJ_HELLO)), 0, "stderr: %s", buf_str(&p.err));
	out = buf_str(&p.out);
	cr_expect(matches(out, "^\\[[0-9]+:cli_hello:stdout\\] hello from cli_hello 42$"), "%s", out);
	cr_expect(matches(out, "^\\[[0-9]+:cli_hello:stderr\\] cli_hello error line 7$"), "%s", out);
	cr_expect(matches(out, "^\\[[0-9]+:cli_xdp:stdout\\] xdp packet of 52 bytes$"), "%s", out);
	cr_expect(matches(out, "^\\[[0-9]+:cli_tc:stdout\\] tc packet of 52 bytes, protocol 0x800$"),
		  "%s", out);
	cr_expect(matches(out, "^\\[[0-9]+:cli_sock:stdout\\] socket packet of [0-9]+ bytes$"), "%s",
		  out);
	cr_expect(matches(out, "^\\[[0-9]+:cli_rawtp:stdout\\] raw_tp arg1 0$"), "%s", out);
	cr_expect_eq(count_lines(out), 6, "%s", out);
	cr_expect(!strstr(out, "never run"), "%s", out);
	cr_expect(strstr(buf_str(&p.err), "note: skipping cli_tp: BPF_PROG_TEST_RUN cannot run "
				       "tracepoint programs"), "%s", buf_str(&p.err));
	cr_expect(strstr(buf_str(&p.err), "cli_xdp (xdp): retval 2 (XDP_PASS), pass"), "%s",
		  buf_str(&p.err));
	proc_free(&p);
}

Test(cli, run_no_prefix_prog_and_repeat)
{
	struct proc p;

	cr_assert_eq(cli(&p, NULL, ARGV("--no-prefix", "run", "--prog", "cli_hello", OBJ_HELLO)), 0,
		     "%s", buf_str(&p.err));
	cr_expect_str_eq(buf_str(&p.out), "hello from cli_hello 42\ncli_hello error line 7\n");
	proc_free(&p);

	cr_assert_eq(cli(&p, NULL, ARGV("run", OBJ_HELLO, "--prog", "cli_hello", "--repeat", "3",
					"--no-prefix")), 0, "%s", buf_str(&p.err));
	/* one drain after the runs: stdout's lines, then stderr's */
	cr_expect_str_eq(buf_str(&p.out),
			 "hello from cli_hello 42\nhello from cli_hello 42\nhello from cli_hello 42\n"
			 "cli_hello error line 7\ncli_hello error line 7\ncli_hello error line 7\n");
	proc_free(&p);

	cr_assert_eq(cli(&p, NULL, ARGV("run", "--repeat", "5", "--prog", "cli_xdp", OBJ_HELLO)),
		     0, "%s", buf_str(&p.err));
	cr_expect_eq(count_lines(buf_str(&p.out)), 5, "%s", buf_str(&p.out));
	cr_expect(strstr(buf_str(&p.err), "5 runs"), "%s", buf_str(&p.err));
	proc_free(&p);
}

Test(cli, run_verbose_names_the_transport)
{
	struct proc p;

	cr_assert_eq(cli(&p, NULL, ARGV("-v", "run", "--prog", "cli_hello", OBJ_HELLO)), 0);
	cr_expect(matches(buf_str(&p.err), "^bpf-stream: transport: (native|ringbuf)"), "%s",
		  buf_str(&p.err));
	/* -v also lets libbpf's and libbpf-stream's debug output through */
	cr_expect(matches(buf_str(&p.err), "^libbpf: "), "%s", buf_str(&p.err));
	cr_expect(matches(buf_str(&p.err), "^libbpf-stream: "), "%s", buf_str(&p.err));
	proc_free(&p);
	cr_assert_eq(cli(&p, NULL, ARGV("run", "--prog", "cli_hello", OBJ_HELLO)), 0);
	cr_expect(!strstr(buf_str(&p.err), "transport:"), "%s", buf_str(&p.err));
	cr_expect(!strstr(buf_str(&p.err), "libbpf"), "%s", buf_str(&p.err));
	proc_free(&p);
}

Test(cli, run_exit_status_is_the_verdict)
{
	static const struct {
		const char *prog;
		int status;
	} cases[] = {
		{ "cli_ok", 0 },	/* syscall returned 0 */
		{ "cli_drop", 1 },	/* XDP_DROP */
		{ "cli_ret7", 7 },
		{ "cli_ret_big", 63 },	/* 1000 clamped */
		{ "cli_ret_neg", 1 },	/* -5 */
	};
	struct proc p;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int st = cli(&p, NULL, ARGV("run", "--prog", cases[i].prog, OBJ_VERDICT));

		cr_expect_eq(st, cases[i].status, "%s: exit %d, stderr %s", cases[i].prog, st,
			     buf_str(&p.err));
		proc_free(&p);
	}
	/* the whole object: the first failing program, cli_drop, decides */
	cr_expect_eq(cli(&p, NULL, ARGV("run", OBJ_VERDICT)), 1, "%s", buf_str(&p.err));
	cr_expect(strstr(buf_str(&p.out), "returning 7"), "%s", buf_str(&p.out));
	proc_free(&p);
}

Test(cli, run_json_results_and_messages)
{
	struct buf v = {};
	struct proc p;

	cr_assert_eq(cli(&p, NULL, ARGV("-j", "run", "--prog", "cli_ret7", OBJ_VERDICT)), 7);
	assert_json_lines(buf_str(&p.out));
	cr_assert_eq(jq(buf_str(&p.out), "select(.retval) | \"\\(.prog_name) \\(.retval) \\(.verdict)\"",
			&v), 0, "%s", buf_str(&p.out));
	cr_expect_str_eq(buf_str(&v), "cli_ret7 7 fail\n");
	free(v.data);
	cr_assert_eq(jq(buf_str(&p.out), "select(.stream) | \"\\(.stream) \\(.text) \\(.flags)\"",
			&v), 0);
	cr_expect_str_eq(buf_str(&v), "stdout returning 7 []\n");
	free(v.data);
	/* a syscall program has no verdict names: the field is there, null */
	cr_assert_eq(jq(buf_str(&p.out), "select(.retval) | \"\\(has(\"verdict_name\")) \\(.verdict_name)\"",
			&v), 0);
	cr_expect_str_eq(buf_str(&v), "true null\n");
	free(v.data);
	proc_free(&p);

	cr_assert_eq(cli(&p, NULL, ARGV("-j", "run", "--prog", "cli_drop", OBJ_VERDICT)), 1);
	cr_assert_eq(jq(buf_str(&p.out), "select(.retval != null) | .verdict_name", &v), 0, "%s",
		     buf_str(&p.out));
	cr_expect_str_eq(buf_str(&v), "XDP_DROP\n");
	free(v.data);
	proc_free(&p);
}

/* ---- JSON escaping --------------------------------------------------------- */

/* The next tests check features of the ring-buffer transport (timestamps,
 * truncation at BPF_STREAM_MSG_MAX, drops of a full ring): forced, so they
 * hold on every kernel, including those where auto picks native streams. */
static const char *const ringbuf_env[] = { "BPF_STREAM_TRANSPORT=ringbuf", NULL };
static const struct spawn_opts ring = { .env = ringbuf_env };

Test(cli, json_escapes_control_characters_and_invalid_utf8)
{
	struct buf v = {};
	struct proc p;
	size_t i;

	cr_assert_eq(cli(&p, &ring, ARGV("--json", "run", "--prog", "cli_ctrl", OBJ_CTRL)), 0, "%s",
		     buf_str(&p.err));
	assert_json_lines(buf_str(&p.out));
	/* nothing raw: no control byte but the line ends, no byte that is not UTF-8 */
	for (i = 0; i < p.out.len; i++) {
		unsigned char c = (unsigned char)p.out.data[i];

		cr_expect(c >= 0x20 || c == '\n', "raw control byte 0x%02x at %zu", c, i);
		cr_expect(c != 0x7f, "raw DEL at %zu", i);
	}
	cr_expect(strstr(buf_str(&p.out), "\\u001b[31mred\\u0007 bell \\u0001 soh \\u007f del\\ttab "
					  "\\\"q\\\" \\\\b"), "%s", buf_str(&p.out));
	cr_expect(strstr(buf_str(&p.out), "bad \\ufffd \\ufffd \\ufffd( \\ufffd\\ufffd ok \xc3\xa9"),
		  "%s", buf_str(&p.out));

	/* jq decodes the text back to the original control bytes */
	cr_assert_eq(jq(buf_str(&p.out), "select(.stream and (.text|startswith(\"ctl[\"))) | .text | explode | "
			"map(select(. < 32 or . == 127)) | @json", &v), 0);
	cr_expect_str_eq(buf_str(&v), "[27,7,1,127,9]\n");
	free(v.data);
	/* the exact bytes survive as text_hex; valid lines have none */
	cr_assert_eq(jq(buf_str(&p.out), "select(.stream and (.text|startswith(\"utf8[\"))) | .text_hex", &v), 0);
	cr_expect_str_eq(buf_str(&v), "757466385b626164208020ff20c32820c0af206f6b20c3a95d\n");
	free(v.data);
	cr_assert_eq(jq(buf_str(&p.out), "select(.text_hex) | .prog_name", &v), 0);
	cr_expect_str_eq(buf_str(&v), "cli_ctrl\n", "only the invalid line has text_hex");
	free(v.data);
	/* BPF_STREAM_TIMESTAMP: ts_ns is there and non-zero */
	cr_assert_eq(jq(buf_str(&p.out), "select(.stream) | .ts_ns > 0", &v), 0, "%s",
		     buf_str(&p.out));
	cr_expect_str_eq(buf_str(&v), "true\ntrue\n");
	free(v.data);
	proc_free(&p);
}

Test(cli, pretty_json_is_indented_and_valid)
{
	struct buf v = {};
	struct proc p;

	cr_assert_eq(cli(&p, NULL, ARGV("--pretty", "run", "--prog", "cli_hello", OBJ_HELLO)), 0);
	cr_expect(strstr(buf_str(&p.out), "{\n  \"prog_id\": "), "%s", buf_str(&p.out));
	cr_assert_eq(jq(buf_str(&p.out), "select(.stream) | .text", &v), 0, "%s", buf_str(&p.out));
	cr_expect_str_eq(buf_str(&v), "hello from cli_hello 42\ncli_hello error line 7\n");
	free(v.data);
	proc_free(&p);
}

Test(cli, kernel_report_plain_and_json)
{
	struct buf v = {};
	struct proc p;

	cr_assert_eq(cli(&p, &ring, ARGV("run", "--prog", "cli_report", OBJ_CTRL)), 0);
	cr_expect(matches(buf_str(&p.out), "^\\[[0-9]+:cli_report:stderr:kernel\\] ERROR: Timeout "
					   "detected for may_goto instruction$"), "%s", buf_str(&p.out));
	cr_expect(matches(buf_str(&p.out), "^\\[[0-9]+:cli_report:stdout\\] after report$"), "%s",
		  buf_str(&p.out));
	/* stamped (BPF_STREAM_TIMESTAMP): stderr and stdout in the order written */
	cr_expect(strstr(buf_str(&p.out), "after report") > strstr(buf_str(&p.out), "ERROR:"),
		  "stdout line printed before the earlier stderr report:\n%s", buf_str(&p.out));
	proc_free(&p);

	cr_assert_eq(cli(&p, &ring, ARGV("-j", "run", "--prog", "cli_report", OBJ_CTRL)), 0);
	assert_json_lines(buf_str(&p.out));
	cr_assert_eq(jq(buf_str(&p.out),
			"select(.kind) | \"\\(.kind)|\\(.message)|\\(.cpu)|\\(.uid)|\\(.pid)|\\(.comm)|"
			"\\(.flags)|\\(.frames[0].symbol)|\\(.frames[0].offset)|\\(.frames[0].size)|"
			"\\(.frames[0].src)|\\(.frames[0].file)|\\(.frames[0].line)\"", &v), 0, "%s",
		     buf_str(&p.out));
	cr_expect_str_eq(buf_str(&v),
			 "may_goto_timeout|Timeout detected for may_goto instruction|1|0|4242|cli_test|"
			 "[\"kernel\"]|bpf_prog_0123456789abcdef_cli_report|42|128|while (can_loop);|"
			 "cli_ctrl.bpf.c|42\n");
	free(v.data);
	/* the report's lines are folded into the one object */
	cr_assert_eq(jq(buf_str(&p.out), "select(.stream == \"stderr\") | .text", &v), 0);
	cr_expect_str_eq(buf_str(&v), "Timeout detected for may_goto instruction\n");
	free(v.data);
	proc_free(&p);
}

Test(cli, long_truncated_and_unterminated_lines)
{
	struct buf v = {};
	struct proc p;

	cr_assert_eq(cli(&p, &ring, ARGV("-j", "run", "--prog", "cli_long", OBJ_CTRL)), 0, "%s",
		     buf_str(&p.err));
	assert_json_lines(buf_str(&p.out));
	cr_assert_eq(jq(buf_str(&p.out), "select(.stream) | \"\\(.text|length) \\(.flags)\"", &v), 0);
	cr_expect_str_eq(buf_str(&v),
			 "4096 [\"partial\"]\n"		/* BPF_STREAM_LINE_MAX */
			 "404 []\n"				/* the rest of the 4500 */
			 "1023 [\"truncated\"]\n"		/* BPF_STREAM_MSG_MAX */
			 "10 [\"unterminated\"]\n");
	free(v.data);
	proc_free(&p);

	cr_assert_eq(cli(&p, &ring, ARGV("run", "--prog", "cli_long", OBJ_CTRL)), 0);
	cr_expect(matches(buf_str(&p.out), "^\\[[0-9]+:cli_long:stdout:truncated\\] x{1023}$"), "%s",
		  buf_str(&p.out));
	cr_expect(matches(buf_str(&p.out), "^\\[[0-9]+:cli_long:stdout\\] no newline$"), "%s",
		  buf_str(&p.out));
	proc_free(&p);
}

/* A line of a helper two programs share (tests/progs/tr_shared.bpf.c): the
 * ring record cannot tell which wrote it; the text is as written, the mark
 * says so (the program named is the first of the two). Each program's own
 * line has no mark. */
Test(cli, shared_call_site_is_marked_writer_unknown)
{
	struct buf v = {};
	struct proc p;
	const char *out;

	cr_assert_eq(cli(&p, &ring, ARGV("run", OBJ_SHARED)), 0, "%s", buf_str(&p.err));
	out = buf_str(&p.out);
	cr_expect(matches(out, "^\\[[0-9]+:tr_shared_a:stdout\\] own a$"), "%s", out);
	cr_expect(matches(out, "^\\[[0-9]+:tr_shared_b:stdout\\] own b$"), "%s", out);
	cr_expect(matches(out, "^\\[[0-9]+:tr_shared_[ab]:stdout:writer_unknown\\] shared 1$"),
		  "%s", out);
	cr_expect(matches(out, "^\\[[0-9]+:tr_shared_[ab]:stdout:writer_unknown\\] shared 2$"),
		  "%s", out);
	cr_expect(!strstr(out, "call site in"), "%s", out);
	cr_expect_eq(count_lines(out), 4, "%s", out);
	proc_free(&p);

	cr_assert_eq(cli(&p, &ring, ARGV("--no-prefix", "run", OBJ_SHARED)), 0);
	cr_expect(matches(buf_str(&p.out), "^\\[writer_unknown\\] shared 2$"), "%s",
		  buf_str(&p.out));
	cr_expect(matches(buf_str(&p.out), "^own b$"), "%s", buf_str(&p.out));
	proc_free(&p);

	cr_assert_eq(cli(&p, &ring, ARGV("-j", "run", OBJ_SHARED)), 0);
	assert_json_lines(buf_str(&p.out));
	cr_assert_eq(jq(buf_str(&p.out),
			"select(.stream) | \"\\(.text): \\(.writer_unknown) \\(.flags)\"", &v), 0);
	out = buf_str(&v);
	cr_expect(strstr(out, "shared 1: true [\"writer_unknown\"]\n"), "%s", out);
	cr_expect(strstr(out, "shared 2: true [\"writer_unknown\"]\n"), "%s", out);
	cr_expect(strstr(out, "own a: null []\n"), "%s", out);
	cr_expect(strstr(out, "own b: null []\n"), "%s", out);
	free(v.data);
	proc_free(&p);
}

Test(cli, drop_notices_are_marked)
{
	struct buf v = {};
	struct proc p;

	cr_assert_eq(cli(&p, &ring, ARGV("run", OBJ_FLOOD)), 0, "%s", buf_str(&p.err));
	cr_expect(matches(buf_str(&p.out), "^\\[[0-9]+:cli_flood:stdout\\] flood 0$"), "%s",
		  buf_str(&p.out));
	cr_expect(matches(buf_str(&p.out), "^\\[[0-9]+:cli_flood:stdout:dropped\\] \\[[0-9]+ "
					   "messages dropped on stdout\\]$"), "%s", buf_str(&p.out));
	proc_free(&p);

	cr_assert_eq(cli(&p, &ring, ARGV("--no-prefix", "run", OBJ_FLOOD)), 0);
	cr_expect(matches(buf_str(&p.out), "^\\[dropped\\] \\[[0-9]+ messages dropped"), "%s",
		  buf_str(&p.out));
	proc_free(&p);

	cr_assert_eq(cli(&p, &ring, ARGV("-j", "run", OBJ_FLOOD)), 0);
	assert_json_lines(buf_str(&p.out));
	/* every message is either delivered or counted: 20 in all */
	cr_assert_eq(jq(buf_str(&p.out), "select(.stream) | if (.flags | index(\"dropped\")) "
			"then .dropped else 1 end", &v), 0, "%s", buf_str(&p.out));
	{
		int sum = 0, x;
		char *q = v.data;

		while (q && sscanf(q, "%d", &x) == 1) {
			sum += x;
			q = strchr(q, '\n');
			if (!q)
				break;
			q++;
		}
		cr_expect_eq(sum, 20, "delivered + dropped = %d: %s", sum, buf_str(&v));
	}
	free(v.data);
	proc_free(&p);
}

/* ---- terminal safety and colour ---------------------------------------- */

Test(cli, terminal_output_is_escaped_unless_raw)
{
	struct spawn_opts o = { .pty = true };
	struct proc p;

	cr_assert_eq(cli(&p, &o, ARGV("--color=never", "run", "--prog", "cli_ctrl", OBJ_CTRL)), 0,
		     "%s", buf_str(&p.err));
	cr_expect(!memchr(p.out.data, 0x1b, p.out.len), "raw ESC on the terminal: %s",
		  buf_str(&p.out));
	cr_expect(!memchr(p.out.data, 0x07, p.out.len), "raw BEL on the terminal");
	cr_expect(strstr(buf_str(&p.out), "\\x1b[31mred\\x07"), "%s", buf_str(&p.out));
	proc_free(&p);

	cr_assert_eq(cli(&p, &o, ARGV("--raw", "--color=never", "run", "--prog", "cli_ctrl",
				      OBJ_CTRL)), 0);
	cr_expect(strstr(buf_str(&p.out), "\x1b[31mred\x07"), "--raw did not pass bytes: %s",
		  buf_str(&p.out));
	proc_free(&p);

	/* colour is on by default on a terminal: stderr lines are red */
	cr_assert_eq(cli(&p, &o, ARGV("run", "--prog", "cli_hello", OBJ_HELLO)), 0);
	cr_expect(strstr(buf_str(&p.out), "\033[31m["), "no colour on a terminal: %s",
		  buf_str(&p.out));
	proc_free(&p);
}

Test(cli, color_option)
{
	struct proc p;

	cr_assert_eq(cli(&p, NULL, ARGV("--color=always", "run", "--prog", "cli_hello", OBJ_HELLO)), 0);
	cr_expect(matches(buf_str(&p.out), "^\033\\[31m\\[[0-9]+:cli_hello:stderr\\] cli_hello error "
					   "line 7\033\\[0m$"), "%s", buf_str(&p.out));
	cr_expect(matches(buf_str(&p.out), "^\\[[0-9]+:cli_hello:stdout\\] hello"), "stdout lines "
		  "stay plain: %s", buf_str(&p.out));
	proc_free(&p);
	cr_assert_eq(cli(&p, NULL, ARGV("--color", "run", "--prog", "cli_hello", OBJ_HELLO)), 0);
	cr_expect(memchr(p.out.data, 0x1b, p.out.len), "--color alone means always");
	proc_free(&p);
	/* not a terminal: auto and never give no escape sequences */
	cr_assert_eq(cli(&p, NULL, ARGV("--color=auto", "run", "--prog", "cli_hello", OBJ_HELLO)), 0);
	cr_expect(!memchr(p.out.data, 0x1b, p.out.len), "%s", buf_str(&p.out));
	proc_free(&p);
	cr_assert_eq(cli(&p, NULL, ARGV("--color=never", "run", "--prog", "cli_hello", OBJ_HELLO)), 0);
	cr_expect(!memchr(p.out.data, 0x1b, p.out.len), "%s", buf_str(&p.out));
	proc_free(&p);
}

/* ---- list, dump, follow of a program this process loaded --------------- */

Test(cli, list_shows_loaded_program)
{
	struct cli_hello *skel = load_hello();
	__u32 id = prog_id(skel->progs.cli_hello, NULL);
	char re[160], filter[200], want[96];
	struct buf v = {};
	struct proc p;

	cr_assert_eq(cli(&p, NULL, ARGV("list")), 0, "%s", buf_str(&p.err));
	snprintf(re, sizeof(re),
		 "^%u: syscall  name cli_hello  tag [0-9a-f]{16}  streams %s  transport ringbuf  "
		 "dropped 0/0  owner ([0-9]+\\([^)]*\\),)*%d\\(test_cli\\)", id,
		 kp_has_stream_read() ? "yes" : "no", getpid());
	cr_expect(matches(buf_str(&p.out), re), "no '%s' in:\n%s", re, buf_str(&p.out));
	proc_free(&p);

	cr_assert_eq(cli(&p, NULL, ARGV("l")), 0); /* command prefix */
	cr_expect(matches(buf_str(&p.out), re), "%s", buf_str(&p.out));
	proc_free(&p);

	cr_assert_eq(cli(&p, NULL, ARGV("-j", "list")), 0);
	snprintf(filter, sizeof(filter),
		 ".[] | select(.id == %u) | \"\\(.type) \\(.name) \\(.streams) \\(.ringbuf) "
		 "\\(.transport) \\(.dropped.stdout) \\(.dropped.stderr)\"", id);
	cr_assert_eq(jq(buf_str(&p.out), filter, &v), 0, "%s", buf_str(&p.out));
	/* streams: whether this kernel has the read command (6.17+) */
	snprintf(want, sizeof(want), "syscall cli_hello %s true ringbuf 0 0\n",
		 kp_has_stream_read() ? "true" : "false");
	cr_expect_str_eq(buf_str(&v), want, "%s", kp_kernel());
	free(v.data);
	proc_free(&p);
	unload_hello(skel);
}

static int count_msgs(void *ctx, const struct bpf_stream_msg *msg)
{
	(*(int *)ctx)++;
	return 0;
}

/* 'dump id IDS' of cli_hello after one run: its two lines, nothing else
 * (@p is left for the caller's own checks, then proc_free()). */
static void expect_hello_dump(struct proc *p, const char *ids)
{
	cr_assert_eq(cli(p, NULL, ARGV("dump", "id", ids)), 0, "%s", buf_str(&p->err));
	cr_expect(matches(buf_str(&p->out), "^\\[[0-9]+:cli_hello:stdout\\] hello from cli_hello 42$"),
		  "%s", buf_str(&p->out));
	cr_expect(matches(buf_str(&p->out), "^\\[[0-9]+:cli_hello:stderr\\] cli_hello error line 7$"),
		  "%s", buf_str(&p->out));
	cr_expect_eq(count_lines(buf_str(&p->out)), 2, "%s", buf_str(&p->out));
}

/* 'dump' of a ring-transport program another live process (this one)
 * prepared: it reads the ring along without consuming it, so the lines
 * stay for their loader, and a second dump prints them again. --steal
 * consumes: the loader then gets nothing, and a ring being one queue for
 * the object's programs and streams, the stream dump did not print is a
 * number in a note naming the program it belongs to. */
Test(cli, dump_reads_ring_program_of_another_process)
{
	struct cli_hello *skel = load_hello();
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	int fd = bpf_program__fd(skel->progs.cli_hello);
	char ids[16], tag[17], want[256];
	__u32 id = prog_id(skel->progs.cli_hello, tag);
	struct buf v = {};
	struct proc p;
	int n = 0;

	snprintf(ids, sizeof(ids), "%u", id);
	cr_assert_eq(bpf_prog_test_run_opts(fd, &topts), 0);
	expect_hello_dump(&p, ids);
	cr_expect_not(strstr(buf_str(&p.err), "not printed"), "%s", buf_str(&p.err));
	proc_free(&p);
	/* read along: the same two lines again, and all of them for the loader */
	cr_assert_eq(cli(&p, NULL, ARGV("dump", "tag", tag)), 0, "%s", buf_str(&p.err));
	cr_expect_eq(count_lines(buf_str(&p.out)), 2, "second dump: %s", buf_str(&p.out));
	proc_free(&p);
	cr_assert_geq(bpf_stream_skel_drain(skel, count_msgs, &n), 0);
	cr_expect_eq(n, 2, "lines left for the loader: %d", n);

	/* --steal, JSON, one stream: consumed, the other stream taken and said */
	cr_assert_eq(bpf_prog_test_run_opts(fd, &topts), 0);
	cr_assert_eq(cli(&p, NULL, ARGV("-j", "--steal", "dump", "name", "cli_hello", "stderr")), 0,
		     "%s", buf_str(&p.err));
	assert_json_lines(buf_str(&p.out));
	cr_assert_eq(jq(buf_str(&p.out), ".text", &v), 0, "%s", buf_str(&p.out));
	cr_expect_str_eq(buf_str(&v), "cli_hello error line 7\n");
	free(v.data);
	snprintf(want, sizeof(want),
		 "note: 1 message of other programs or streams sharing a ring buffer with those "
		 "read was taken from it and not printed (program ids %u)", id);
	cr_expect(strstr(buf_str(&p.err), want), "%s", buf_str(&p.err));
	proc_free(&p);
	n = 0;
	cr_assert_geq(bpf_stream_skel_drain(skel, count_msgs, &n), 0);
	cr_expect_eq(n, 0, "the ring was consumed by dump --steal: %d", n);
	unload_hello(skel);
}

/* Two objects (two rings), records stamped (BPF_STREAM_TIMESTAMP), written
 * interleaved: dump of both prints them in stamp order; --arrival-order
 * prints each program's lines together. */
static struct cons_ts *load_ts(void)
{
	LIBBPF_OPTS(bpf_stream_prepare_opts, opts, .transport = BPF_STREAM_TRANSPORT_RINGBUF);
	struct cons_ts *skel = cons_ts__open();

	cr_assert(skel, "open cons_ts: %s", strerror(errno));
	cr_assert_eq(bpf_stream_prepare_opts(skel->obj, &opts), 0);
	cr_assert_eq(cons_ts__load(skel), 0, "load cons_ts: %s", strerror(errno));
	return skel;
}

Test(cli, dump_of_two_programs_is_in_stamp_order)
{
	struct cons_ts *one = load_ts(), *two = load_ts();
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	int fa = bpf_program__fd(one->progs.cons_ts_a), fb = bpf_program__fd(two->progs.cons_ts_b);
	unsigned long long last = 0;
	char ida[16], idb[16], *end;
	const char *s;
	struct buf v = {};
	struct proc p;
	int i;

	snprintf(ida, sizeof(ida), "%u", prog_id(one->progs.cons_ts_a, NULL));
	snprintf(idb, sizeof(idb), "%u", prog_id(two->progs.cons_ts_b, NULL));
	/* a 1, b 1, a 2, b 2, a 3, b 3: each object counts its own */
	for (i = 0; i < 3; i++) {
		cr_assert_eq(bpf_prog_test_run_opts(fa, &topts), 0);
		cr_assert_eq(bpf_prog_test_run_opts(fb, &topts), 0);
	}
	/* b's object first: without the merge its lines would come first */
	cr_assert_eq(cli(&p, NULL, ARGV("--no-prefix", "dump", "id", idb, "id", ida)), 0, "%s",
		     buf_str(&p.err));
	cr_expect_str_eq(buf_str(&p.out), "a 1\nb 1\na 2\nb 2\na 3\nb 3\n");
	proc_free(&p);
	/* the same backlog again (read along), JSON: stamps rise */
	cr_assert_eq(cli(&p, NULL, ARGV("-j", "dump", "id", idb, "id", ida)), 0, "%s",
		     buf_str(&p.err));
	cr_assert_eq(jq(buf_str(&p.out), "select(.stream) | .ts_ns", &v), 0, "%s", buf_str(&p.out));
	for (i = 0, s = buf_str(&v); i < 6; i++, s = end) {
		unsigned long long ts = strtoull(s, &end, 10);

		cr_expect(ts > last, "line %d: ts_ns %llu after %llu", i, ts, last);
		last = ts;
	}
	free(v.data);
	proc_free(&p);
	cr_assert_eq(cli(&p, NULL, ARGV("--no-prefix", "--arrival-order", "dump", "id", idb, "id",
					ida)), 0, "%s", buf_str(&p.err));
	cr_expect_str_eq(buf_str(&p.out), "b 1\nb 2\nb 3\na 1\na 2\na 3\n");
	proc_free(&p);
	bpf_stream_skel_release(one);
	bpf_stream_skel_release(two);
	cons_ts__destroy(one);
	cons_ts__destroy(two);
}

/* 'follow' reads a ring-transport program's lines as they arrive. */
Test(cli, follow_reads_ring_program_as_lines_arrive)
{
	struct cli_hello *skel = load_hello();
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	__u32 id = prog_id(skel->progs.cli_hello, NULL);
	char ids[16], needle[64];
	long long end;
	struct proc p;

	snprintf(ids, sizeof(ids), "%u", id);
	snprintf(needle, sizeof(needle), "following program %u ", id);
	proc_spawn(&p, CLI, ARGV("-v", "follow", "id", ids), NULL);
	cr_assert(proc_wait_stderr(&p, needle, 5000), "%s", buf_str(&p.err));
	cr_assert_eq(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.cli_hello), &topts), 0);
	end = now_ms() + 3000;
	while (now_ms() < end && count_lines(buf_str(&p.out)) < 2)
		proc_pump(&p, 20);
	cr_expect(matches(buf_str(&p.out), "^\\[[0-9]+:cli_hello:stdout\\] hello from cli_hello 42$"),
		  "%s", buf_str(&p.out));
	cr_expect(matches(buf_str(&p.out), "^\\[[0-9]+:cli_hello:stderr\\] cli_hello error line 7$"),
		  "%s", buf_str(&p.out));
	kill(p.pid, SIGINT);
	cr_expect_eq(proc_finish(&p, 5000), 0, "%s", buf_str(&p.err));
	proc_free(&p);
	unload_hello(skel);
}

/* A name or tag that matches no program: dump fails at once, follow waits
 * (the program may come) and fails at its end; plain and JSON. */
Test(cli, selector_matching_nothing_is_an_error)
{
	struct proc p;

	cr_expect_eq(cli(&p, NULL, ARGV("dump", "name", "nosuch")), X_NOPROG, "%s",
		     buf_str(&p.err));
	cr_expect(strstr(buf_str(&p.err), "no such program: name nosuch"), "%s", buf_str(&p.err));
	proc_free(&p);
	cr_expect_eq(cli(&p, NULL, ARGV("-j", "dump", "name", "nosuch")), X_NOPROG);
	cr_expect(strstr(buf_str(&p.out), "\"error\""), "%s", buf_str(&p.out));
	proc_free(&p);

	proc_spawn(&p, CLI, ARGV("follow", "name", "nosuch"), NULL);
	cr_expect(proc_wait_stderr(&p, "no program matches name nosuch yet", 3000), "%s",
		  buf_str(&p.err));
	kill(p.pid, SIGINT);
	cr_expect_eq(proc_finish(&p, 5000), X_NOPROG, "%s", buf_str(&p.err));
	cr_expect(strstr(buf_str(&p.err), "error: no program matched name nosuch"), "%s",
		  buf_str(&p.err));
	proc_free(&p);

	proc_spawn(&p, CLI, ARGV("-j", "follow", "name", "nosuch"), NULL);
	cr_expect(proc_wait_stderr(&p, "no program matches name nosuch yet", 3000), "%s",
		  buf_str(&p.err));
	kill(p.pid, SIGINT);
	cr_expect_eq(proc_finish(&p, 5000), X_NOPROG, "%s", buf_str(&p.err));
	cr_expect(strstr(buf_str(&p.out), "\"error\""), "%s", buf_str(&p.out));
	proc_free(&p);
}

Test(cli, dump_pinned_program)
{
	char dir[] = "/tmp/cli_bpffs_XXXXXX", path[64], mpath[64], sub[64];
	int i;
	struct cli_hello *skel;
	struct proc p;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		cr_skip_test("no private mount namespace: %s", strerror(errno));
	cr_assert(mkdtemp(dir));
	if (mount("bpf", dir, "bpf", 0, NULL)) {
		rmdir(dir);
		cr_skip_test("cannot mount bpffs: %s", strerror(errno));
	}
	skel = load_hello();
	snprintf(path, sizeof(path), "%s/prog", dir);
	snprintf(mpath, sizeof(mpath), "%s/map", dir);
	cr_assert_eq(bpf_obj_pin(bpf_program__fd(skel->progs.cli_hello), path), 0);
	cr_assert_eq(bpf_obj_pin(bpf_map__fd(skel->maps.bss), mpath), 0);

	cr_expect_eq(cli(&p, NULL, ARGV("dump", "pinned", path)), 0, "%s", buf_str(&p.err));
	proc_free(&p);
	cr_expect_eq(cli(&p, NULL, ARGV("dump", "pinned", mpath)), X_NOPROG, "%s", buf_str(&p.err));
	cr_expect(strstr(buf_str(&p.err), "is not a BPF program"), "%s", buf_str(&p.err));
	proc_free(&p);
	/* a directory of the bpffs (the kernel answers EACCES, even to root):
	 * said as it is, not as a missing capability */
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	cr_assert_eq(mkdir(sub, 0700), 0, "mkdir %s: %s", sub, strerror(errno));
	for (i = 0; i < 2; i++) {
		const char *d = i ? sub : dir;

		cr_expect_eq(cli(&p, NULL, ARGV("dump", "pinned", d)), X_NOPROG, "%s",
			     buf_str(&p.err));
		cr_expect(strstr(buf_str(&p.err), "is a directory, not a pinned program"), "%s",
			  buf_str(&p.err));
		cr_expect(!strstr(buf_str(&p.err), "permission"), "%s", buf_str(&p.err));
		proc_free(&p);
	}

	rmdir(sub);
	unlink(path);
	unlink(mpath);
	unload_hello(skel);
	umount(dir);
	rmdir(dir);
}

/* Where native writes land (6.17, 7.x): a program this process prepared on
 * native streams is refused to 'dump' (a native read takes the lines),
 * unless --steal, which then consumes them. */
Test(cli, dump_reads_native_streams)
{
	LIBBPF_OPTS(bpf_stream_prepare_opts, opts, .transport = BPF_STREAM_TRANSPORT_NATIVE);
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	struct cli_hello *skel;
	char ids[16];
	struct proc p;

	if (kp_native_write())
		cr_skip_test("%s", kp_native_write_why());
	skel = cli_hello__open();
	cr_assert(skel, "open cli_hello: %s", strerror(errno));
	cr_assert_eq(bpf_stream_prepare_opts(skel->obj, &opts), 0);
	bpf_program__set_autoload(skel->progs.cli_tp, false);
	cr_assert_eq(cli_hello__load(skel), 0, "load cli_hello: %s", strerror(errno));
	snprintf(ids, sizeof(ids), "%u", prog_id(skel->progs.cli_hello, NULL));
	cr_assert_eq(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.cli_hello), &topts), 0);

	/* this process prepared the object: a native read would take its
	 * lines, so dump refuses and says why, taking nothing */
	cr_expect_neq(cli(&p, NULL, ARGV("dump", "id", ids)), 0, "%s", buf_str(&p.out));
	cr_expect(strstr(buf_str(&p.err), "another process reads its streams"), "%s",
		  buf_str(&p.err));
	cr_expect(strstr(buf_str(&p.err), "--steal"), "%s", buf_str(&p.err));
	cr_expect_eq(p.out.len, 0, "%s", buf_str(&p.out));
	proc_free(&p);
	/* --steal: dump takes the lines (both still there after the refusal) */
	cr_assert_eq(cli(&p, NULL, ARGV("--steal", "dump", "id", ids)), 0, "%s", buf_str(&p.err));
	cr_expect(matches(buf_str(&p.out), "^\\[[0-9]+:cli_hello:stdout\\] hello from cli_hello 42$"),
		  "%s", buf_str(&p.out));
	cr_expect(matches(buf_str(&p.out), "^\\[[0-9]+:cli_hello:stderr\\] cli_hello error line 7$"),
		  "%s", buf_str(&p.out));
	cr_expect_eq(count_lines(buf_str(&p.out)), 2, "%s", buf_str(&p.out));
	proc_free(&p);
	cr_assert_eq(cli(&p, NULL, ARGV("--steal", "dump", "id", ids)), 0, "%s", buf_str(&p.err));
	cr_expect_eq(p.out.len, 0, "read twice: %s", buf_str(&p.out));
	proc_free(&p);
	unload_hello(skel);
}

/* Start follow, wait until it follows @id, signal it, time the exit. */
static void follow_and_signal(const char *const argv[], __u32 id, int sig)
{
	char needle[64];
	long long t0, dt;
	struct proc p;
	int st;

	snprintf(needle, sizeof(needle), "following program %u ", id);
	proc_spawn(&p, CLI, argv, NULL);
	cr_assert(proc_wait_stderr(&p, needle, 5000), "follow never followed %u: %s", id,
		  buf_str(&p.err));
	usleep(150 * 1000); /* let it settle into its poll loop */
	t0 = now_ms();
	kill(p.pid, sig);
	st = proc_finish(&p, 5000);
	dt = now_ms() - t0;
	cr_expect_eq(st, 0, "exit %d after signal %d, stderr %s", st, sig, buf_str(&p.err));
	cr_log_info("follow stopped %lld ms after signal %d", dt, sig);
	cr_expect_lt(dt, TS_MAX(100), "follow took %lld ms to stop after signal %d", dt, sig);
	cr_expect_eq(p.out.len, 0, "%s", buf_str(&p.out));
	proc_free(&p);
}

Test(cli, follow_stops_on_sigint_within_100ms)
{
	struct cli_hello *skel = load_hello();
	__u32 id = prog_id(skel->progs.cli_hello, NULL);
	char ids[16];

	snprintf(ids, sizeof(ids), "%u", id);
	follow_and_signal(ARGV("-v", "follow", "id", ids), id, SIGINT);
	follow_and_signal(ARGV("-v", "--json", "follow", "id", ids, "stderr"), id, SIGTERM);
	unload_hello(skel);
}

Test(cli, follow_picks_up_programs_loaded_later)
{
	struct cli_hello *skel;
	char needle[64];
	struct proc p;
	__u32 id;
	int st;

	proc_spawn(&p, CLI, ARGV("-v", "follow", "name", "cli_hello", "name", "cli_xdp"), NULL);
	/* nothing matches yet: it waits */
	proc_pump(&p, 300);
	cr_expect(!strstr(buf_str(&p.err), "following program"), "%s", buf_str(&p.err));
	skel = load_hello();
	id = prog_id(skel->progs.cli_hello, NULL);
	snprintf(needle, sizeof(needle), "following program %u (cli_hello)", id);
	cr_expect(proc_wait_stderr(&p, needle, 3000), "new program %u not picked up: %s", id,
		  buf_str(&p.err));
	snprintf(needle, sizeof(needle), "following program %u (cli_xdp)",
		 prog_id(skel->progs.cli_xdp, NULL));
	cr_expect(proc_wait_stderr(&p, needle, 3000), "%s", buf_str(&p.err));
	kill(p.pid, SIGINT);
	st = proc_finish(&p, 5000);
	cr_expect_eq(st, 0, "%s", buf_str(&p.err));
	cr_expect(!strstr(buf_str(&p.err), "(cli_tc)"), "followed a program it was not asked for: %s",
		  buf_str(&p.err));
	proc_free(&p);
	unload_hello(skel);
}

/* ---- docs ----------------------------------------------------------------- */

Test(cli, man_page_and_help_agree_on_exit_codes)
{
	static const char *const codes[] = { "64", "65", "66", "69", "70", "74", "77" };
	FILE *f = fopen(SRC_DIR "/docs/bpf-stream.8", "r");
	struct buf man = {};
	char line[512];
	size_t i;

	cr_assert(f, "docs/bpf-stream.8: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		buf_add(&man, line, strlen(line));
	fclose(f);
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		char want[16];

		snprintf(want, sizeof(want), ".B %s", codes[i]);
		cr_expect(strstr(buf_str(&man), want), "man page lacks exit code %s", codes[i]);
	}
	free(man.data);
}

Test(cli, bash_completion_completes)
{
	static const char script[] =
		"source \"$1\" || exit 1\n"
		"t() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=(); _bpf_stream;\n"
		"      echo \"${COMPREPLY[*]}\"; }\n"
		"t bpf-stream ''\n"
		"t bpf-stream fo\n"
		"t bpf-stream dump ''\n"
		"t bpf-stream run \"$2\" --prog cli_x\n"
		"t bpf-stream run --r\n"
		"t bpf-stream ctl id 1 level ''\n";
	struct proc p;
	int st;

	proc_spawn(&p, "/bin/bash", (const char *const[]){ "bash", "-c", script, "bash",
		   SRC_DIR "/cli/bash-completion/bpf-stream", OBJ_HELLO, NULL }, NULL);
	st = proc_finish(&p, TS_MAX(10000));
	cr_assert_eq(st, 0, "bash: %s", buf_str(&p.err));
	cr_expect_str_eq(buf_str(&p.out),
			 "dump follow run list sites ctl help version\n"
			 "follow\n"
			 "id pinned name tag all stdout stderr\n"
			 "cli_xdp\n"
			 "--repeat --raw\n"
			 "error warn info debug\n");
	proc_free(&p);
}

/* ---- json_escape(), compiled here from cli/json_writer.c ----------------- */

#include "../cli/json_writer.c"

static char *esc(const char *s, size_t len)
{
	size_t need = json_escape(NULL, 0, s, len);
	char *d = malloc(need + 1);

	cr_assert(d);
	cr_assert_eq(json_escape(d, need + 1, s, len), need);
	cr_assert_eq(strlen(d), need, "NUL inside the output");
	return d;
}

Test(json_escape, golden)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
		{ "plain text", 10, "plain text" },
		{ "\"q\" \\", 5, "\\\"q\\\" \\\\" },
		{ "\n\t\r\b\f", 5, "\\n\\t\\r\\b\\f" },
		{ "\x01\x1b\x1f\x7f", 4, "\\u0001\\u001b\\u001f\\u007f" },
		{ "a\0b", 3, "a\\u0000b" },
		{ "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9d", 11, "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9d" },
		{ "\xc2\x9b", 2, "\\u009b" },			/* C1 CSI */
		{ "\x80", 1, "\\ufffd" },			/* stray continuation */
		{ "\xff\xfe", 2, "\\ufffd\\ufffd" },
		{ "\xc3(", 2, "\\ufffd(" },			/* truncated sequence */
		{ "\xc0\xaf", 2, "\\ufffd\\ufffd" },		/* overlong '/' */
		{ "\xe0\x80\xaf", 3, "\\ufffd\\ufffd\\ufffd" },	/* overlong, 3 bytes */
		{ "\xed\xa0\x80", 3, "\\ufffd\\ufffd\\ufffd" },	/* surrogate D800 */
		{ "\xf4\x90\x80\x80", 4, "\\ufffd\\ufffd\\ufffd\\ufffd" }, /* > U+10FFFF */
		{ "\xe2\x82", 2, "\\ufffd\\ufffd" },		/* cut at the end */
		{ "", 0, "" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *d = esc(cases[i].in, cases[i].len);

		cr_expect_str_eq(d, cases[i].out, "case %zu", i);
		free(d);
	}
}

Test(json_escape, truncates_like_snprintf_never_inside_an_escape)
{
	const char *in = "ab\x01" "cd\xc3\xa9";
	char full[64], d[64];
	size_t need = json_escape(full, sizeof(full), in, strlen(in)), sz;

	cr_assert_str_eq(full, "ab\\u0001cd\xc3\xa9");
	cr_assert_eq(json_escape(NULL, 0, in, strlen(in)), need);
	for (sz = 1; sz <= need; sz++) {
		memset(d, 'X', sizeof(d));
		cr_expect_eq(json_escape(d, sz, in, strlen(in)), need);
		cr_expect_lt(strlen(d), sz);
		/* a prefix of the full output that ends between two pieces */
		cr_expect(!strncmp(d, full, strlen(d)), "sz %zu: '%s'", sz, d);
		cr_expect(strlen(d) == 0 || strlen(d) == 1 || strlen(d) == 2 || strlen(d) == 8 ||
			  strlen(d) == 9 || strlen(d) == 10, "sz %zu cut inside an escape: '%s'", sz, d);
	}
}

/* What any input must give: valid UTF-8, no raw control byte. */
static void assert_safe(const char *d, size_t len)
{
	size_t i;

	cr_assert(json_utf8_valid(d, strlen(d)), "output not UTF-8 for input of %zu bytes", len);
	for (i = 0; d[i]; i++) {
		unsigned char c = (unsigned char)d[i];

		cr_assert(c >= 0x20 && c != 0x7f, "raw 0x%02x in output", c);
	}
}

Test(json_escape, every_byte_and_random_input_is_safe)
{
	unsigned char in[64];
	unsigned int seed = 12345;
	int b, n, i;

	for (b = 0; b < 256; b++) {
		char c = (char)b, *d = esc(&c, 1);

		assert_safe(d, 1);
		free(d);
	}
	for (n = 0; n < 20000; n++) {
		int len = rand_r(&seed) % (int)sizeof(in);
		char *d;

		for (i = 0; i < len; i++) /* bias to the interesting bytes */
			in[i] = (unsigned char)(rand_r(&seed) % 4 ? 0x80 + rand_r(&seed) % 128
							      : rand_r(&seed) % 128);
		d = esc((const char *)in, len);
		assert_safe(d, len);
		free(d);
	}
}

Test(json_writer, long_strings_are_escaped_in_slices_like_in_one_piece)
{
	size_t len = 5000, i, olen;
	char *s = malloc(len), *out = NULL, *want, *q;
	FILE *f;
	struct json_writer w;

	cr_assert(s);
	/* multi-byte characters straddle every 64-byte slice boundary */
	for (i = 0; i + 3 <= len; i += 3)
		memcpy(s + i, i % 7 ? "\xe2\x82\xac" : "\x01\xff\"", 3);
	for (; i < len; i++)
		s[i] = 'x';
	f = open_memstream(&out, &olen);
	cr_assert(f);
	jsonw_init(&w, f, false);
	jsonw_start_array(&w);
	jsonw_string_len(&w, s, len);
	jsonw_end_array(&w);
	fclose(f);
	want = esc(s, len);
	cr_assert_eq(olen, strlen(want) + 5, "writer wrote %zu bytes", olen);
	q = out + 2;
	cr_expect(!strncmp(q, want, strlen(want)), "slices differ from one piece");
	cr_expect(!w.err);
	free(want);
	free(out);
	free(s);
}

/* ---- small things users met -------------------------------------------------- */

/* ---- the reading model: dumps beside an application (issue 19) ---------- */

#define BACKLOG 20000

/* Lines and dropped messages in bpf-stream -j output. */
static void json_counts(const char *out, int *lines, unsigned long long *dropped)
{
	const char *l;

	*lines = 0;
	*dropped = 0;
	for (l = out; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *d = strstr(l, "\"dropped\":");
		const char *nl = strchr(l, '\n');

		if (d && (!nl || d < nl))
			*dropped += strtoull(d + 10, NULL, 10);
		else if (strstr(l, "\"text\"") && (!nl || strstr(l, "\"text\"") < nl))
			(*lines)++;
	}
}

/* An operator's dump before the application drained: the dump prints the
 * whole 20,000-line backlog, and the application still gets all of it. */
Test(cli, dump_beside_application_takes_nothing)
{
	LIBBPF_OPTS(bpf_stream_prepare_opts, opts, .transport = BPF_STREAM_TRANSPORT_RINGBUF);
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	struct rd_backlog *skel = rd_backlog__open();
	__u32 id = 0;
	char ids[16];
	struct proc p;
	int n = 0;

	cr_assert(skel);
	cr_assert_eq(bpf_stream_prepare_opts(skel->obj, &opts), 0);
	cr_assert_eq(rd_backlog__load(skel), 0);
	id = prog_id(skel->progs.rd_bl_a, NULL);
	snprintf(ids, sizeof(ids), "%u", id);
	cr_assert_eq(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.rd_bl_a), &topts), 0);
	cr_assert_eq(cli(&p, NULL, ARGV("dump", "id", ids, "stdout")), 0, "%s", buf_str(&p.err));
	cr_expect_eq(count_lines(buf_str(&p.out)), BACKLOG, "dump printed %d lines",
		     count_lines(buf_str(&p.out)));
	cr_expect_not(strstr(buf_str(&p.err), "not printed"), "%s", buf_str(&p.err));
	proc_free(&p);
	cr_assert_geq(bpf_stream_skel_drain(skel, count_msgs, &n), 0);
	cr_expect_eq(n, BACKLOG, "the application got %d lines", n);
	bpf_stream_skel_release(skel);
	rd_backlog__destroy(skel);
}

/* An object loaded and pinned by bpftool (nobody prepared it, nobody reads
 * it): dump consumes it and prints the whole backlog; what the kernel could
 * not queue (native streams hold 100000 bytes) is a number, said once. */
Test(cli, dump_pinned_backlog_whole)
{
	char dir[] = "/tmp/cli_bpffs_XXXXXX", path[96], obj[256];
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	unsigned long long dropped, dropped2;
	int fd, lines, lines2;
	struct proc p;
	const char *bpftool = access("/usr/sbin/bpftool", X_OK) ? "/usr/bin/bpftool"
								 : "/usr/sbin/bpftool";

	if (access(bpftool, X_OK))
		cr_skip_test("bpftool is not installed");
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		cr_skip_test("no private mount namespace: %s", strerror(errno));
	cr_assert(mkdtemp(dir));
	if (mount("bpf", dir, "bpf", 0, NULL)) {
		rmdir(dir);
		cr_skip_test("cannot mount bpffs: %s", strerror(errno));
	}
	snprintf(obj, sizeof(obj), "%s/rd_backlog.bpf.o", TEST_BPF_DIR);
	proc_spawn(&p, bpftool, (const char *const[]){ "bpftool", "prog", "loadall", obj, dir, NULL },
		   NULL);
	cr_assert_eq(proc_finish(&p, 60000), 0, "bpftool prog loadall: %s", buf_str(&p.err));
	proc_free(&p);
	snprintf(path, sizeof(path), "%s/rd_bl_a", dir);
	fd = bpf_obj_get(path);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(bpf_prog_test_run_opts(fd, &topts), 0);
	cr_assert_eq(cli(&p, NULL, ARGV("-j", "dump", "pinned", path)), 0, "%s", buf_str(&p.err));
	json_counts(buf_str(&p.out), &lines, &dropped);
	cr_expect_eq(lines + dropped, BACKLOG, "dump: %d lines + %llu dropped", lines, dropped);
	/* bpftool's libbpf picks the transport (1.3+ binds the native kfunc):
	 * lines land on the ring, or natively where native writes work */
	if (bpf_stream_prog_transport(fd, NULL) == BPF_STREAM_TRANSPORT_RINGBUF ||
	    !kp_native_write())
		cr_expect_gt(lines, 0, "every line of the backlog dropped");
	cr_expect_not(strstr(buf_str(&p.err), "not printed"), "%s", buf_str(&p.err));
	proc_free(&p);
	/* consumed: a second dump has no line, and says no drop again as new */
	cr_assert_eq(cli(&p, NULL, ARGV("-j", "dump", "pinned", path)), 0, "%s", buf_str(&p.err));
	json_counts(buf_str(&p.out), &lines2, &dropped2);
	cr_expect_eq(lines2, 0, "second dump: %d lines", lines2);
	cr_expect_eq(dropped2, dropped, "second dump: %llu dropped, first %llu", dropped2, dropped);
	if (dropped2)
		cr_expect(strstr(buf_str(&p.out), "before this reader started"), "%s",
			  buf_str(&p.out));
	proc_free(&p);
	close(fd);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
}

/* A path outside any BPF file system is no pinned program, even for root
 * (the kernel answers EPERM there). */
Test(cli, pinned_path_outside_bpffs)
{
	struct proc p;

	cr_assert_eq(cli(&p, NULL, ARGV("dump", "pinned", "/etc/passwd")), X_NOPROG, "%s",
		     buf_str(&p.err));
	cr_assert(matches(buf_str(&p.err), "^bpf-stream: error: /etc/passwd is not on a BPF "
					   "file system \\(bpffs\\).*\n$"), "%s", buf_str(&p.err));
	proc_free(&p);
}

/* A bad value of a run option is a usage error of 'run': run's help is
 * pointed to. */
Test(cli, bad_repeat_points_to_run_help)
{
	struct proc p;

	cr_assert_eq(cli(&p, NULL, ARGV("run", OBJ_HELLO, "--repeat", "0")), X_USAGE);
	cr_assert(strstr(buf_str(&p.err), "bad --repeat value '0'"), "%s", buf_str(&p.err));
	cr_assert(strstr(buf_str(&p.err), "\nTry 'bpf-stream run --help'.\n"), "%s",
		  buf_str(&p.err));
	cr_assert_eq(count_lines(buf_str(&p.err)), 2, "%s", buf_str(&p.err));
	cr_assert_eq(p.out.len, 0);
	proc_free(&p);
}

/* SIGINT during a long `run --repeat`: the runs stop, what the program
 * printed so far is printed, the exit status is 128 + SIGINT. */
Test(cli, run_interrupted_prints_what_it_has)
{
	struct proc p;
	int st;

	proc_spawn(&p, CLI, ARGV("run", OBJ_HELLO, "--repeat", "100000000"), NULL);
	proc_pump(&p, 1500);
	kill(p.pid, SIGINT);
	st = proc_finish(&p, 10000);
	cr_assert_eq(st, 128 + SIGINT, "exit %d, stderr %s", st, buf_str(&p.err));
	cr_assert_gt(count_lines(buf_str(&p.out)), 0, "nothing printed; stderr %s",
		     buf_str(&p.err));
	cr_assert(strstr(buf_str(&p.err), "stopped by signal"), "%s", buf_str(&p.err));
	proc_free(&p);
}
