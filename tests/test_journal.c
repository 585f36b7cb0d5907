// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Journal output against a real systemd-journald, wall-clock times, and
 * program owners.
 *
 * systemd is not PID 1 here (nor in the matrix guests), so each journal test
 * runs its own journald: the test process (Criterion forks one per test)
 * enters a private mount namespace, mounts a tmpfs on /run, and starts
 * /lib/systemd/systemd-journald, which binds /run/systemd/journal/socket
 * (where sd_journal_sendv() sends) and keeps a volatile journal under
 * /run/log/journal (a drop-in in /run/systemd/journald.conf.d says so, and
 * that it reads no /dev/kmsg and forwards nothing). Entries are read back
 * with `journalctl -D /run/log/journal -o json`, turned into one line each
 * by jq. Nothing of the host's /run or journal is touched.
 *
 * Writers: the library printer bpf_stream_journal_print() and
 * bpf_stream_journal_report() directly, and `bpf-stream follow --journal`
 * of programs this process loaded with the ring-buffer transport (every
 * kernel), and of native streams where the kernel's native writes land.
 */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/vfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <criterion/criterion.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <libbpf_stream.h>
#include "cli_hello.skel.h"
#include "cli_ctrl.skel.h"
#include "cli_flood.skel.h"
#include "kreport.skel.h"
#include "cons_helpers.h"
#include "kernel_probe.h"
#include "time_scale.h"

#define CLI BUILD_DIR "/bpf-stream"
#define JOURNALD "/lib/systemd/systemd-journald"
#define JOURNALCTL "/usr/bin/journalctl"
#define JOURNAL_DIR "/run/log/journal"
#define JOURNAL_SOCKET "/run/systemd/journal/socket"
#define JOURNALD_LOG "/run/journald.log"
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#define JOURNAL_REMOTE "/lib/systemd/systemd-journal-remote"
#define JOURNAL_UPLOAD "/lib/systemd/systemd-journal-upload"
#define REMOTE_FILE "/run/remote/remote.journal"

static pid_t journald_pid;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert(f, "%s: %s", path, strerror(errno));
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

/* A private /run in a mount namespace of this test process. */
static void private_run(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root: a mount namespace and its own journald");
	if (unshare(CLONE_NEWNS))
		cr_skip_test("unshare(CLONE_NEWNS): %s: cannot run a private journald",
			     strerror(errno));
	cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0, "%s", strerror(errno));
	cr_assert_eq(mount("tmpfs", "/run", "tmpfs", 0, "mode=0755"), 0, "mount /run: %s",
		     strerror(errno));
}

/* journald refuses to start without a cgroup file system ("Failed to
 * acquire cgroup root path: No medium found"): the matrix guests mount
 * none. Mount cgroup2 in the private namespace where it is missing. */
static void private_cgroup(void)
{
	struct statfs st;

	if (!statfs("/sys/fs/cgroup", &st) && (st.f_type == CGROUP2_SUPER_MAGIC ||
					       st.f_type == 0x27e0eb /* cgroup v1 */ ||
					       st.f_type == 0x01021994 /* tmpfs, v1 hierarchy */))
		return;
	if (mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL))
		cr_skip_test("no cgroup file system and mounting cgroup2 failed (%s): "
			     "systemd-journald does not start without one", strerror(errno));
}

/* Is there a journal file in @dir's machine-id folder yet? */
static bool journal_file_exists(void)
{
	char path[128];
	char id[64] = "";
	FILE *f = fopen("/etc/machine-id", "r");

	if (!f)
		return false;
	if (!fgets(id, sizeof(id), f))
		id[0] = '\0';
	fclose(f);
	id[strcspn(id, "\n")] = '\0';
	snprintf(path, sizeof(path), JOURNAL_DIR "/%s/system.journal", id);
	return access(path, F_OK) == 0;
}

/* Start journald in the private /run; skip with the reason where it cannot run. */
static void journald_start(void)
{
	long long end;
	char *log;
	int st;

	if (access(JOURNALD, X_OK) || access(JOURNALCTL, X_OK))
		cr_skip_test("%s or %s missing (Debian: systemd)", JOURNALD, JOURNALCTL);
	if (access("/etc/machine-id", R_OK))
		cr_skip_test("no /etc/machine-id: journald names its journal after it");
	private_run();
	private_cgroup();
	cr_assert_eq(mkdir("/run/systemd", 0755), 0);
	cr_assert_eq(mkdir("/run/systemd/journald.conf.d", 0755), 0);
	cr_assert_eq(mkdir("/run/log", 0755), 0);
	cr_assert_eq(mkdir(JOURNAL_DIR, 0755), 0);
	write_file("/run/systemd/journald.conf.d/test.conf",
		   "[Journal]\nStorage=volatile\nReadKMSG=no\nForwardToSyslog=no\n"
		   "ForwardToWall=no\nForwardToConsole=no\nForwardToKMsg=no\n"
		   "RateLimitBurst=0\n");
	fflush(NULL);
	journald_pid = fork();
	cr_assert_geq(journald_pid, 0);
	if (journald_pid == 0) {
		int null = open("/dev/null", O_RDWR);
		int log_fd = open(JOURNALD_LOG, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the test */
		dup2(null, 0);
		dup2(log_fd, 1);
		dup2(log_fd, 2);
		execl(JOURNALD, "systemd-journald", NULL);
		_exit(127);
	}
	/* ready once its journal file exists (the sockets come earlier, and
	 * it may still give up after binding them) */
	end = now_ms() + TS_MAX(10000);
	while (access(JOURNAL_SOCKET, F_OK) || !journal_file_exists()) {
		if (waitpid(journald_pid, &st, WNOHANG) == journald_pid) {
			journald_pid = 0;
			log = cons_read_file(JOURNALD_LOG, NULL);
			cr_skip_test("systemd-journald exited at start (status %d): cannot run it "
				     "here: %s", WIFEXITED(st) ? WEXITSTATUS(st) : -1, log ? log : "");
		}
		cr_assert_lt(now_ms(), end, "journald not ready in 10 s");
		usleep(20000);
	}
}

static void journald_stop(void)
{
	if (journald_pid > 0) {
		kill(journald_pid, SIGTERM);
		waitpid(journald_pid, NULL, 0);
	}
	journald_pid = 0;
}

/* ---- reading entries back ------------------------------------------------ */

/* Each entry of ours as one line: the fields joined by '|', MESSAGE last,
 * a value journalctl shows as bytes (not printable UTF-8) as "bytes:N,N". */
#define ENTRY_FIELDS                                                                   \
	"[.PRIORITY, .BPF_STREAM, (.BPF_PROG_NAME // \"-\"), (.BPF_PROG_ID // \"-\"), "    \
	"(.BPF_PROG_TAG // \"-\"), (.BPF_PROG_OWNER_PID // \"-\"), (.BPF_DROPPED // \"-\"), " \
	"(.BPF_KERNEL // \"-\"), (.MESSAGE | if type == \"array\" then \"bytes:\" + "       \
	"(map(tostring) | join(\",\")) else . end)] | join(\"|\")"

/* Run journalctl over the private journal, our entries only, through jq
 * @filter; the output (caller frees). */
static char *journal_query(const char *filter)
{
	char cmd[2048], *out = NULL;
	size_t sz = 0;
	FILE *p, *m;
	char buf[4096];
	size_t n;

	snprintf(cmd, sizeof(cmd),
		 JOURNALCTL " -D " JOURNAL_DIR " -o json -a --no-pager SYSLOG_IDENTIFIER=bpf-stream "
		 "2>/dev/null | jq -r '%s'", filter);
	p = popen(cmd, "r");
	cr_assert(p, "popen: %s", strerror(errno));
	m = open_memstream(&out, &sz);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		fwrite(buf, 1, n, m);
	pclose(p);
	fclose(m);
	return out;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Wait until the journal holds @n entries of ours (journald takes them
 * asynchronously); their lines in ENTRY_FIELDS form. */
static char *journal_wait(int n)
{
	long long end = now_ms() + TS_MAX(10000);
	char *s;

	for (;;) {
		s = journal_query(ENTRY_FIELDS);
		if (count_lines(s) >= n || now_ms() > end)
			return s;
		free(s);
		usleep(50000);
	}
}

static bool matches(const char *s, const char *re)
{
	regex_t r;
	bool ok;

	cr_assert_eq(regcomp(&r, re, REG_EXTENDED | REG_NEWLINE | REG_NOSUB), 0, "bad regex %s", re);
	ok = regexec(&r, s, 0, NULL, 0) == 0;
	regfree(&r);
	return ok;
}

static __u32 prog_info(int fd, char tag[17])
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int i;

	cr_assert_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	for (i = 0; i < 8 && tag; i++)
		snprintf(tag + 2 * i, 3, "%02x", info.tag[i]);
	return info.id;
}

static char *read_text(const char *path)
{
	char *s = cons_read_file(path, NULL);

	return s ? s : strdup("");
}

/* Run the CLI; its stdout (and stderr too with @with_err); *@status its exit status. */
static char *cli_out(const char *const argv[], int *status, bool with_err)
{
	char path[64], *out;
	pid_t pid;
	int st, fd;

	snprintf(path, sizeof(path), "/tmp/test_journal.%d.out", getpid());
	fflush(NULL);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		if (with_err)
			dup2(fd, 2);
		execv(CLI, (char *const *)argv);
		_exit(126);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	out = read_text(path);
	unlink(path);
	return out;
}

/* ---- the library printer --------------------------------------------------- */

Test(journal, library_printer_fields_priorities_binary_order)
{
	LIBBPF_OPTS(bpf_stream_journal_opts, jo, .owner_pid = 4242);
	LIBBPF_OPTS(bpf_stream_journal_opts, skip, .skip_kernel_lines = true);
	int fd = cons_load_trivial_prog();
	char tag[17], want[4096], *got, *ts;
	struct timespec mono;
	__u32 id;
	int i;
	static const char ctl[] = "a\x1b[31mb\x07" "c";
	static const char bad[] = "x\xff\xc3(y";
	struct bpf_stream_msg m[] = {
		{ .stream_id = BPF_STDOUT, .text = "plain line", .prog_name = "jr_prog" },
		{ .stream_id = BPF_STDERR, .text = "error line", .prog_name = "jr_prog" },
		{ .stream_id = BPF_STDOUT, .text = ctl, .prog_name = "jr_prog" },
		{ .stream_id = BPF_STDOUT, .text = bad, .prog_name = "jr_prog" },
		{ .stream_id = BPF_STDERR, .text = "[3 messages dropped on stderr]",
		  .prog_name = "jr_prog", .flags = BPF_STREAM_MSG_F_DROP_NOTICE, .dropped = 3 },
		{ .stream_id = BPF_STDERR, .text = "ERROR: a kernel line", .prog_name = "jr_prog",
		  .flags = BPF_STREAM_MSG_F_KERNEL },
		{ .stream_id = BPF_STDOUT, .text = "", .prog_name = "jr_prog" },
	};

	cr_assert_geq(fd, 0, "load: %s", strerror(-fd));
	id = prog_info(fd, tag);
	if (!bpf_stream_journal_supported())
		cr_skip_test("libbpf-stream built without libsystemd");
	journald_start();
	for (i = 0; i < (int)(sizeof(m) / sizeof(m[0])); i++) {
		m[i].prog_id = id;
		m[i].len = strlen(m[i].text);
		cr_assert_eq(bpf_stream_journal_print(&jo, &m[i]), 0, "entry %d: %s", i,
			     strerror(errno));
	}
	/* skip_kernel_lines: the report line is not sent, others are */
	cr_assert_eq(bpf_stream_journal_print(&skip, &m[5]), 0);
	m[0].text = "last";
	m[0].len = 4;
	cr_assert_eq(bpf_stream_journal_print(NULL, &m[0]), 0);

	got = journal_wait(8);
	snprintf(want, sizeof(want),
		 "6|stdout|jr_prog|%1$u|%2$s|4242|-|-|plain line\n"
		 "3|stderr|jr_prog|%1$u|%2$s|4242|-|-|error line\n"
		 "6|stdout|jr_prog|%1$u|%2$s|4242|-|-|bytes:97,27,91,51,49,109,98,7,99\n"
		 "6|stdout|jr_prog|%1$u|%2$s|4242|-|-|bytes:120,255,195,40,121\n"
		 "4|stderr|jr_prog|%1$u|%2$s|4242|3|-|[3 messages dropped on stderr]\n"
		 "2|stderr|jr_prog|%1$u|%2$s|4242|-|1|ERROR: a kernel line\n"
		 "6|stdout|jr_prog|%1$u|%2$s|4242|-|-|\n"
		 "6|stdout|jr_prog|%1$u|%2$s|-|-|-|last\n",
		 id, tag);
	cr_expect_str_eq(got, want);
	free(got);

	/* a stamped record: BPF_TS_NS as sent, BPF_TS_REALTIME its wall-clock time */
	clock_gettime(CLOCK_MONOTONIC, &mono);
	m[0].ts_ns = mono.tv_sec * 1000000000ULL + mono.tv_nsec - 2000000000ULL; /* 2 s ago */
	m[0].text = "stamped";
	m[0].len = 7;
	cr_assert_eq(bpf_stream_journal_print(NULL, &m[0]), 0);
	free(journal_wait(9));
	ts = journal_query("select(.MESSAGE == \"stamped\") | \"\\(.BPF_TS_NS) \\(.BPF_TS_REALTIME) "
			   "\\(.__REALTIME_TIMESTAMP)\"");
	{
		unsigned long long ns = 0, rt_us = 0;
		char rt[64] = "";
		struct tm tm = {};
		char *frac;
		long long stamp_us;

		cr_assert_eq(sscanf(ts, "%llu %63s %llu", &ns, rt, &rt_us), 3, "%s", ts);
		cr_expect_eq(ns, m[0].ts_ns);
		cr_assert(matches(rt, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
				      "\\.[0-9]{6}Z$"), "%s", rt);
		frac = strptime(rt, "%Y-%m-%dT%H:%M:%S", &tm);
		cr_assert(frac);
		stamp_us = (long long)timegm(&tm) * 1000000 + atoll(frac + 1);
		/* journald stamped the entry on receipt, ~2 s after the record */
		long long lag = (long long)rt_us - stamp_us;

		cr_expect(lag > 1500000 && lag < 1000000 * TS_MAX(5),
			  "BPF_TS_REALTIME %s is %lld us before the entry's receipt", rt, lag);
	}
	free(ts);
	journald_stop();
	close(fd);
}

/* A kernel report: one entry with its kind, the source line of its first
 * frame as CODE_*, and its frames as one multi-line field (the native
 * protocol's binary form, which sd_journal_sendv() picks for a newline). */
Test(journal, library_report_entry)
{
	LIBBPF_OPTS(bpf_stream_journal_opts, jo, .identifier = "bpf-stream");
	const struct bpf_stream_frame frames[] = {
		{ .symbol = "bpf_prog_0123456789abcdef_jr", .offset = 0x2a, .size = 0x80,
		  .src = "while (can_loop);", .file = "jr.bpf.c", .line = 42 },
		{ .symbol = "bpf_prog_run", .offset = 0x10, .size = 0x20 },
	};
	struct bpf_stream_report r = {
		.kind = BPF_STREAM_REPORT_MAY_GOTO_TIMEOUT,
		.message = "Timeout detected for may_goto instruction",
		.prog_id = 0, .prog_name = "jr", .cpu = 1, .uid = 0, .pid = 4242, .comm = "jr_test",
		.frames = frames, .nr_frames = 2,
	};
	char *got;

	if (!bpf_stream_journal_supported())
		cr_skip_test("libbpf-stream built without libsystemd");
	journald_start();
	cr_assert_eq(bpf_stream_journal_report(&jo, &r), 0, "%s", strerror(errno));
	free(journal_wait(1));
	got = journal_query("([.PRIORITY, .BPF_STREAM, .BPF_PROG_NAME, .BPF_KERNEL, .BPF_REPORT_KIND, "
			    ".BPF_REPORT_CPU, .BPF_REPORT_PID, .BPF_REPORT_COMM, .CODE_FILE, "
			    ".CODE_LINE, .CODE_FUNC, .MESSAGE] | join(\"|\")), "
			    "(.BPF_REPORT_FRAMES | if type == \"array\" then implode else . end)");
	cr_expect_str_eq(got,
			 "2|stderr|jr|1|may_goto_timeout|1|4242|jr_test|jr.bpf.c|42|"
			 "bpf_prog_0123456789abcdef_jr|ERROR: Timeout detected for may_goto "
			 "instruction\n"
			 "bpf_prog_0123456789abcdef_jr+0x2a/0x80 jr.bpf.c:42 while (can_loop);\n"
			 "bpf_prog_run+0x10/0x20\n");
	free(got);
	journald_stop();
}

/* A stack a program printed on stdout (bpf_stream_print_stack()): MESSAGE
 * "Call trace", its stream, kind "stack". */
Test(journal, library_stack_report_entry)
{
	LIBBPF_OPTS(bpf_stream_journal_opts, jo, .identifier = "bpf-stream");
	const struct bpf_stream_frame frames[] = {
		{ .symbol = "bpf_prog_0123456789abcdef_js", .offset = 0x2a, .size = 0x80,
		  .src = "bpf_stream_print_stack(BPF_STDOUT);", .file = "js.bpf.c", .line = 7 },
	};
	struct bpf_stream_report r = {
		.kind = BPF_STREAM_REPORT_STACK, .message = "", .prog_name = "js", .cpu = 0,
		.uid = 0, .pid = 4243, .comm = "js_test", .frames = frames, .nr_frames = 1,
		.stream_id = BPF_STDOUT,
	};
	char *got;

	if (!bpf_stream_journal_supported())
		cr_skip_test("libbpf-stream built without libsystemd");
	journald_start();
	cr_assert_eq(bpf_stream_journal_report(&jo, &r), 0, "%s", strerror(errno));
	free(journal_wait(1));
	got = journal_query("[.PRIORITY, .BPF_STREAM, .BPF_PROG_NAME, .BPF_REPORT_KIND, "
			    ".BPF_REPORT_PID, .CODE_FILE, .CODE_LINE, .MESSAGE] | join(\"|\")");
	cr_expect_str_eq(got, "2|stdout|js|stack|4243|js.bpf.c|7|Call trace\n");
	free(got);
	journald_stop();
}

/* No journald listening: libsystemd's sd_journal_sendv() drops the entry
 * and returns 0 when the socket does not exist (journald not installed or
 * not running is not an error for it); bad arguments are. */
Test(journal, library_printer_without_journald)
{
	struct bpf_stream_msg m = { .stream_id = BPF_STDOUT, .text = "x", .len = 1 };

	if (!bpf_stream_journal_supported()) {
		cr_expect_eq(bpf_stream_journal_print(NULL, &m), -EOPNOTSUPP);
		cr_expect_eq(errno, EOPNOTSUPP);
		return;
	}
	private_run();
	cr_expect_eq(bpf_stream_journal_print(NULL, &m), 0);
	cr_expect_eq(bpf_stream_journal_print(NULL, NULL), -EINVAL);
	cr_expect_eq(errno, EINVAL);
	{
		struct { size_t sz; char more[64]; } big = { .sz = sizeof(big), .more[63] = 1 };

		/* opts from a newer caller with fields this library does not know */
		cr_expect_eq(bpf_stream_journal_print(&big, &m), -EINVAL);
	}
}

/* ---- bpf-stream follow --journal -------------------------------------------- */

struct follow_proc {
	pid_t pid;
	char err_path[64];
};


/* Start `bpf-stream -v follow --journal id ID...`, wait until it follows
 * every one of @ids (0-terminated). */
static void follow_start_opt(struct follow_proc *f, const __u32 *ids, const char *opt)
{
	char argbuf[8][16], needle[64], *err;
	const char *argv[24] = { "bpf-stream", "-v", "follow", "--journal" };
	long long end = now_ms() + TS_MAX(10000);
	int fd, n = 4, i;

	if (opt)
		argv[n++] = opt;
	for (i = 0; ids[i] && i < 8; i++) {
		snprintf(argbuf[i], sizeof(argbuf[i]), "%u", ids[i]);
		argv[n++] = "id";
		argv[n++] = argbuf[i];
	}
	snprintf(f->err_path, sizeof(f->err_path), "/run/follow.%d.err", getpid());
	fflush(NULL);
	f->pid = fork();
	cr_assert_geq(f->pid, 0);
	if (f->pid == 0) {
		fd = open(f->err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 2);
		fd = open("/dev/null", O_RDWR);
		dup2(fd, 0);
		dup2(fd, 1);
		signal(SIGINT, SIG_DFL);
		execv(CLI, (char *const *)argv);
		_exit(126);
	}
	for (i = 0; ids[i]; i++) {
		snprintf(needle, sizeof(needle), "following program %u ", ids[i]);
		for (;;) {
			err = read_text(f->err_path);
			if (strstr(err, needle))
				break;
			cr_assert_lt(now_ms(), end, "follow never followed %u: %s", ids[i], err);
			free(err);
			usleep(20000);
		}
		free(err);
	}
}

static void follow_start(struct follow_proc *f, const __u32 *ids)
{
	follow_start_opt(f, ids, NULL);
}

/* SIGINT, then its exit status; *@err (may be NULL) gets its stderr. */
static int follow_stop(struct follow_proc *f, char **err)
{
	int st;

	kill(f->pid, SIGINT);
	cr_assert_eq(waitpid(f->pid, &st, 0), f->pid);
	if (err)
		*err = read_text(f->err_path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_run(int prog_fd)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);

	cr_assert_eq(bpf_prog_test_run_opts(prog_fd, &topts), 0, "%s", strerror(errno));
}

static const struct bpf_stream_prepare_opts ring_opts = {
	.sz = sizeof(struct bpf_stream_prepare_opts),
	.transport = BPF_STREAM_TRANSPORT_RINGBUF,
};

/* The line of @path (under the source tree) that holds @marker, first one. */
static unsigned int source_line_of(const char *path, const char *marker)
{
	char full[1024], line[1024];
	unsigned int n = 0;
	FILE *f;

	snprintf(full, sizeof(full), "%s/%s", SRC_DIR, path);
	f = fopen(full, "r");
	cr_assert(f, "%s: %s", full, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (strstr(line, marker)) {
			fclose(f);
			return n;
		}
	}
	fclose(f);
	cr_assert_fail("no '%s' in %s", marker, full);
	return 0;
}

/* CODE_FILE/CODE_LINE/CODE_FUNC of the entry of @message: the call of
 * tests/progs/cli_hello.bpf.c that printed it, from the program's BTF. */
static void expect_code_fields(const char *message, const char *marker)
{
	char filter[512], want[256], *got;
	unsigned int line = source_line_of("tests/progs/cli_hello.bpf.c", marker);
	size_t len;

	snprintf(filter, sizeof(filter),
		 "select(.MESSAGE == \"%s\") | [(.CODE_FILE // \"-\"), (.CODE_LINE // \"-\"), "
		 "(.CODE_FUNC // \"-\")] | join(\"|\")", message);
	got = journal_query(filter);
	snprintf(want, sizeof(want), "cli_hello.bpf.c|%u|cli_hello\n", line);
	len = strlen(got);
	cr_expect(len >= strlen(want) && !strcmp(got + len - strlen(want), want) &&
		  (len == strlen(want) || got[len - strlen(want) - 1] == '/'),
		  "%s: want CODE_FILE ending in /%s, got %s", message, want, got);
	free(got);
}

/* follow --journal of a program: its lines as entries with the program's
 * fields, this process as the owner, priorities by stream. */
static void follow_hello(bool native)
{
	struct cli_hello *skel;
	struct follow_proc f;
	char tag[17], want[1024], *got, *err;
	__u32 id;
	int fd;

	if (!bpf_stream_journal_supported())
		cr_skip_test("libbpf-stream built without libsystemd");
	skel = cli_hello__open();
	cr_assert(skel);
	cr_assert_eq(bpf_stream_prepare_opts(skel->obj, native ? NULL : &ring_opts), 0);
	bpf_program__set_autoload(skel->progs.cli_tp, false);
	cr_assert_eq(cli_hello__load(skel), 0, "%s", strerror(errno));
	fd = bpf_program__fd(skel->progs.cli_hello);
	id = prog_info(fd, tag);
	journald_start();
	/* a native read takes the lines: this process, which prepared the
	 * object and so counts as its reader, hands them over */
	follow_start_opt(&f, (const __u32[]){ id, 0 }, native ? "--steal" : NULL);
	test_run(fd);
	got = journal_wait(2);
	cr_expect_eq(follow_stop(&f, &err), 0, "%s", err);
	free(err);
	/* stdout and stderr are two streams: their order is the reader's */
	snprintf(want, sizeof(want), "6|stdout|cli_hello|%u|%s|%d|-|-|hello from cli_hello 42\n",
		 id, tag, getpid());
	cr_expect(strstr(got, want), "no '%s' in:\n%s", want, got);
	snprintf(want, sizeof(want), "3|stderr|cli_hello|%u|%s|%d|-|-|cli_hello error line 7\n",
		 id, tag, getpid());
	cr_expect(strstr(got, want), "no '%s' in:\n%s", want, got);
	cr_expect_eq(count_lines(got), 2, "%s", got);
	free(got);
	/* ring records name their call site: the source line of each call */
	if (!native) {
		expect_code_fields("hello from cli_hello 42", "\"hello from cli_hello %d\\n\"");
		expect_code_fields("cli_hello error line 7", "\"cli_hello error line %d\\n\"");
	}
	journald_stop();
	bpf_stream_skel_release(skel);
	cli_hello__destroy(skel);
}

Test(journal, follow_journal_ring_program)
{
	follow_hello(false);
}

Test(journal, follow_journal_native_streams)
{
	if (kp_native_write())
		cr_skip_test("%s: native streams cannot carry the lines here", kp_native_write_why());
	follow_hello(true);
}

static int count_msg(void *ctx, const struct bpf_stream_msg *msg)
{
	(*(int *)ctx)++;
	return 0;
}

/* What the service relies on: follow --journal beside the process that
 * prepared a ring program reads along, so the journal and the loader both
 * get every line. */
Test(journal, follow_journal_reads_along_the_loader)
{
	struct cli_hello *skel;
	struct follow_proc f;
	char *got, *err;
	__u32 id;
	int fd, n = 0;

	if (!bpf_stream_journal_supported())
		cr_skip_test("libbpf-stream built without libsystemd");
	skel = cli_hello__open();
	cr_assert(skel);
	cr_assert_eq(bpf_stream_prepare_opts(skel->obj, &ring_opts), 0);
	bpf_program__set_autoload(skel->progs.cli_tp, false);
	cr_assert_eq(cli_hello__load(skel), 0, "%s", strerror(errno));
	fd = bpf_program__fd(skel->progs.cli_hello);
	id = prog_info(fd, NULL);
	journald_start();
	follow_start(&f, (const __u32[]){ id, 0 });
	test_run(fd);
	got = journal_wait(2);
	cr_expect_eq(follow_stop(&f, &err), 0, "%s", err);
	free(err);
	cr_expect_eq(count_lines(got), 2, "the journal:\n%s", got);
	free(got);
	cr_assert_geq(bpf_stream_skel_drain(skel, count_msg, &n), 0);
	cr_expect_eq(n, 2, "the loader got %d of its 2 lines", n);
	journald_stop();
	bpf_stream_skel_release(skel);
	cli_hello__destroy(skel);
}

/* Control bytes and invalid UTF-8 arrive byte for byte, in order, with the
 * BPF side's stamp; a kernel report is one entry with its kind and source
 * line, not one per line. */
Test(journal, follow_journal_binary_lines_and_report)
{
	struct cli_ctrl *skel;
	struct follow_proc f;
	char *got, *err, *exp_ctl, *exp_bad;
	__u32 id_ctrl, id_report;

	if (!bpf_stream_journal_supported())
		cr_skip_test("libbpf-stream built without libsystemd");
	skel = cli_ctrl__open();
	cr_assert(skel);
	cr_assert_eq(bpf_stream_prepare_opts(skel->obj, &ring_opts), 0);
	cr_assert_eq(cli_ctrl__load(skel), 0, "%s", strerror(errno));
	id_ctrl = prog_info(bpf_program__fd(skel->progs.cli_ctrl), NULL);
	id_report = prog_info(bpf_program__fd(skel->progs.cli_report), NULL);
	journald_start();
	/* one follow for both: a second would share their ring */
	follow_start(&f, (const __u32[]){ id_ctrl, id_report, 0 });
	test_run(bpf_program__fd(skel->progs.cli_ctrl));
	test_run(bpf_program__fd(skel->progs.cli_report));
	got = journal_wait(4);
	cr_expect_eq(follow_stop(&f, &err), 0, "%s", err);
	free(err);

	/* "ctl[" + ctl + "]", "utf8[" + bad + "]" of cli_ctrl.bpf.c, as bytes */
	exp_ctl = "6|stdout|cli_ctrl|";
	exp_bad = "bytes:117,116,102,56,91,98,97,100,32,128,32,255,32,195,40,32,192,175,32,111,"
		  "107,32,195,169,93\n";
	cr_expect(strstr(got, exp_ctl), "%s", got);
	cr_expect(strstr(got, "bytes:99,116,108,91,27,91,51,49,109,114,101,100,7,32,98,101,108,"
			      "108,32,1,32,115,111,104,32,127,32,100,101,108,9,116,97,98,32,34,"
			      "113,34,32,92,98,93\n"),
		  "the control-byte line is not byte for byte:\n%s", got);
	cr_expect(strstr(got, exp_bad), "the invalid UTF-8 line is not byte for byte:\n%s", got);
	/* order: the two stdout lines of one program as printed */
	cr_expect(strstr(got, "bytes:99,116,108") < strstr(got, exp_bad), "%s", got);
	cr_expect(strstr(got, "|after report\n"), "%s", got);
	cr_expect_eq(count_lines(got), 4, "one entry per line and per report:\n%s", got);
	free(got);

	got = journal_query("select(.BPF_REPORT_KIND) | [.PRIORITY, .BPF_PROG_NAME, .BPF_REPORT_KIND, "
			    ".CODE_FILE, .CODE_LINE, .CODE_FUNC, .BPF_REPORT_PID, .BPF_REPORT_COMM, "
			    ".MESSAGE] | join(\"|\")");
	cr_expect_str_eq(got, "2|cli_report|may_goto_timeout|cli_ctrl.bpf.c|42|"
			      "bpf_prog_0123456789abcdef_cli_report|4242|cli_test|"
			      "ERROR: Timeout detected for may_goto instruction\n");
	free(got);
	/* the stamped lines carry their wall-clock time */
	got = journal_query("select(.BPF_PROG_NAME == \"cli_ctrl\") | .BPF_TS_REALTIME");
	cr_expect(matches(got, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{6}Z$"), "%s", got);
	cr_expect_eq(count_lines(got), 2, "%s", got);
	free(got);
	journald_stop();
	cli_ctrl__destroy(skel);
}

/* A real kernel error report (a may_goto loop the kernel breaks after
 * 250 ms, on its native stderr) through follow --journal: one entry with
 * its kind, who ran the program and the BPF source line as CODE_*. */
Test(journal, follow_journal_real_kernel_report, .timeout = 120)
{
	struct kreport *skel;
	struct bpf_program *prog, *want = NULL;
	struct follow_proc f;
	char re[256], *got, *err;
	long long end;
	int st;

	if (!bpf_stream_journal_supported())
		cr_skip_test("libbpf-stream built without libsystemd");
	if (kp_native_write())
		cr_skip_test("%s: the kernel's reports use the same stream writes",
			     kp_native_write_why());
	skel = kreport__open();
	cr_assert(skel);
	bpf_object__for_each_program(prog, skel->obj) {
		bool it = !strcmp(bpf_program__name(prog), "kreport_may_goto");

		bpf_program__set_autoload(prog, it);
		if (it)
			want = prog;
	}
	cr_assert(want);
	cr_assert_eq(kreport__load(skel), 0, "%s", strerror(errno));
	journald_start();
	follow_start(&f, (const __u32[]){ prog_info(bpf_program__fd(want), NULL), 0 });
	test_run(bpf_program__fd(want));
	end = now_ms() + TS_MAX(10000);
	for (;;) {
		got = journal_query("select(.BPF_REPORT_KIND) | [.PRIORITY, .BPF_STREAM, "
				    ".BPF_PROG_NAME, .BPF_KERNEL, .BPF_REPORT_KIND, .BPF_REPORT_PID, "
				    ".CODE_FILE, .CODE_LINE, (.CODE_FUNC // \"-\"), .MESSAGE] | "
				    "join(\"|\")");
		if (count_lines(got) || now_ms() > end)
			break;
		free(got);
		usleep(100000);
	}
	st = follow_stop(&f, &err);
	cr_expect_eq(st, 0, "%s", err);
	free(err);
	snprintf(re, sizeof(re),
		 /* the kernel's name of it (15 bytes); the report names the thread */
		 "^2\\|stderr\\|kreport_may_got\\|1\\|may_goto_timeout\\|%d\\|"
		 "[^|]*kreport\\.bpf\\.c\\|[0-9]+\\|[^|]+\\|ERROR: .+$", (int)syscall(SYS_gettid));
	cr_expect(matches(got, re), "no '%s' in:\n%s", re, got);
	cr_expect_eq(count_lines(got), 1, "one entry per report:\n%s", got);
	free(got);
	journald_stop();
	kreport__destroy(skel);
}

/* Drop notices: an entry with BPF_DROPPED=N, and delivered + dropped is
 * what the program printed. */
Test(journal, follow_journal_drop_notice)
{
	struct cli_flood *skel;
	struct follow_proc f;
	char *got, *err, *line, *save = NULL;
	int delivered = 0, dropped = 0, notices = 0;
	long long end;
	__u32 id;

	if (!bpf_stream_journal_supported())
		cr_skip_test("libbpf-stream built without libsystemd");
	skel = cli_flood__open();
	cr_assert(skel);
	cr_assert_eq(bpf_stream_prepare_opts(skel->obj, &ring_opts), 0);
	cr_assert_eq(cli_flood__load(skel), 0, "%s", strerror(errno));
	id = prog_info(bpf_program__fd(skel->progs.cli_flood), NULL);
	journald_start();
	follow_start(&f, (const __u32[]){ id, 0 });
	test_run(bpf_program__fd(skel->progs.cli_flood));
	end = now_ms() + TS_MAX(10000);
	do {
		usleep(100000);
		got = journal_query("[.PRIORITY, (.BPF_DROPPED // \"-\"), .MESSAGE] | join(\"|\")");
		delivered = dropped = notices = 0;
		for (line = strtok_r(got, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			unsigned int n;

			if (sscanf(line, "4|%u|", &n) == 1) {
				notices++;
				dropped += n;
			} else if (!strncmp(line, "6|-|flood ", 10)) {
				delivered++;
			}
		}
		free(got);
	} while (delivered + dropped < 20 && now_ms() < end);
	cr_expect_eq(follow_stop(&f, &err), 0, "%s", err);
	free(err);
	cr_expect_gt(notices, 0, "no drop notice entry");
	cr_expect_eq(delivered + dropped, 20, "delivered %d + dropped %d", delivered, dropped);
	journald_stop();
	cli_flood__destroy(skel);
}

/* No journald: follow --journal refuses at once with the reason (libsystemd
 * would drop every entry silently). */
Test(journal, follow_journal_without_journald)
{
	char *out;
	int st;

	if (!bpf_stream_journal_supported())
		cr_skip_test("libbpf-stream built without libsystemd");
	private_run();
	out = cli_out((const char *const[]){ "bpf-stream", "follow", "--journal", "all", NULL },
		      &st, true);
	cr_expect_eq(st, 74, "%s", out);
	cr_expect(strstr(out, "bpf-stream: error: --journal: /run/systemd/journal/socket: No such "
			      "file or directory: is systemd-journald running?"), "%s", out);
	free(out);
}

/* ---- the fleet path: journal-upload to a journal-remote ------------------ */

/* A network namespace of our own with its loopback up: the remote's port
 * is ours alone, and a guest whose init left lo down has one. */
static void private_loopback(void)
{
	struct ifreq ifr = {};
	int sk;

	if (unshare(CLONE_NEWNET))
		cr_skip_test("unshare(CLONE_NEWNET): %s", strerror(errno));
	sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(sk, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	cr_assert_eq(ioctl(sk, SIOCGIFFLAGS, &ifr), 0, "%s", strerror(errno));
	ifr.ifr_flags |= IFF_UP;
	cr_assert_eq(ioctl(sk, SIOCSIFFLAGS, &ifr), 0, "lo up: %s", strerror(errno));
	close(sk);
}

static pid_t spawn_quiet(const char *log, const char *const argv[])
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* Run journalctl over the remote's journal file through jq @filter. */
static char *remote_query(const char *filter)
{
	char cmd[2048], buf[1024], *out = NULL;
	size_t sz = 0, n;
	FILE *p, *m;

	snprintf(cmd, sizeof(cmd),
		 JOURNALCTL " --file " REMOTE_FILE " -o json -a --no-pager "
		 "SYSLOG_IDENTIFIER=bpf-stream 2>/dev/null | jq -r '%s'", filter);
	p = popen(cmd, "r");
	cr_assert(p);
	m = open_memstream(&out, &sz);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		fwrite(buf, 1, n, m);
	pclose(p);
	fclose(m);
	return out;
}

/* Lines, a kernel report and drop notices through follow --journal,
 * shipped by systemd-journal-upload to a systemd-journal-remote on
 * 127.0.0.1, read back from the remote's journal file with their BPF_
 * fields and wall-clock time. */
Test(fleet, upload_to_remote_journal)
{
	struct cli_ctrl *skel;
	struct cli_flood *flood;
	struct follow_proc f;
	pid_t remote, upload;
	long long end;
	char tag[17], want[512], *got = NULL, *log, *line, *save = NULL;
	int delivered = 0, dropped = 0, notices = 0;
	__u32 id, id_flood;
	int st;

	if (!bpf_stream_journal_supported())
		cr_skip_test("libbpf-stream built without libsystemd");
	if (access(JOURNAL_REMOTE, X_OK) || access(JOURNAL_UPLOAD, X_OK))
		cr_skip_test("%s or %s missing (Debian: systemd-journal-remote)", JOURNAL_REMOTE,
			     JOURNAL_UPLOAD);
	skel = cli_ctrl__open();
	flood = cli_flood__open();
	cr_assert(skel && flood);
	cr_assert_eq(bpf_stream_prepare_opts(skel->obj, &ring_opts), 0);
	cr_assert_eq(bpf_stream_prepare_opts(flood->obj, &ring_opts), 0);
	cr_assert_eq(cli_ctrl__load(skel), 0, "%s", strerror(errno));
	cr_assert_eq(cli_flood__load(flood), 0, "%s", strerror(errno));
	id = prog_info(bpf_program__fd(skel->progs.cli_report), tag);
	id_flood = prog_info(bpf_program__fd(flood->progs.cli_flood), NULL);
	journald_start();
	private_loopback();
	cr_assert_eq(mkdir("/run/remote", 0755), 0);
	remote = spawn_quiet("/run/remote.log", (const char *const[]){
		JOURNAL_REMOTE, "--listen-http=127.0.0.1:19532", "--output=" REMOTE_FILE,
		"--split-mode=none", NULL });
	follow_start(&f, (const __u32[]){ id, id_flood, 0 });
	test_run(bpf_program__fd(skel->progs.cli_report));
	test_run(bpf_program__fd(flood->progs.cli_flood));
	end = now_ms() + TS_MAX(10000);
	do {
		usleep(100000);
		got = journal_query("select(.BPF_DROPPED) | .BPF_DROPPED");
		st = count_lines(got);
		free(got);
	} while (!st && now_ms() < end);
	usleep(300000); /* the flood's last lines after its notice */
	st = follow_stop(&f, &log);
	cr_assert_eq(st, 0, "follow: status %d: %s", st, log);
	free(log);

	/* upload what the journal has, then stop (the service form follows) */
	got = NULL;
	end = now_ms() + TS_MAX(30000);
	for (;;) {
		long long stop = now_ms() + TS_MAX(10000);

		upload = spawn_quiet("/run/upload.log", (const char *const[]){
			JOURNAL_UPLOAD, "--url=http://127.0.0.1:19532", "--directory=" JOURNAL_DIR,
			"--follow=no", NULL });
		while (waitpid(upload, &st, WNOHANG) != upload) {
			if (now_ms() > stop) {
				kill(upload, SIGKILL); /* never hang the test on it */
				waitpid(upload, &st, 0);
				break;
			}
			usleep(20000);
		}
		free(got);
		got = NULL;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && !access(REMOTE_FILE, R_OK)) {
			got = remote_query("select(.BPF_PROG_NAME == \"cli_report\") | [.PRIORITY, "
					   ".BPF_PROG_NAME, .BPF_PROG_ID, .BPF_PROG_TAG, .BPF_STREAM, "
					   "(.BPF_REPORT_KIND // \"-\"), (.BPF_TS_REALTIME // \"-\" "
					   "| test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T\") | tostring), "
					   ".MESSAGE] | join(\"|\")");
			if (count_lines(got) >= 2)
				break;
		}
		if (now_ms() > end) {
			log = read_text("/run/upload.log");
			cr_assert_fail("nothing arrived at the remote (upload status %d): %s\n%s", st,
				       log, got ? got : "");
		}
		usleep(200000);
	}
	/* a report carries no stamp of its own; its program's lines do */
	snprintf(want, sizeof(want),
		 "2|cli_report|%1$u|%2$s|stderr|may_goto_timeout|false|ERROR: Timeout detected for "
		 "may_goto instruction\n"
		 "6|cli_report|%1$u|%2$s|stdout|-|true|after report\n", id, tag);
	cr_expect_str_eq(got, want);
	free(got);

	got = remote_query("select(.BPF_PROG_NAME == \"cli_flood\") | [.PRIORITY, "
			   "(.BPF_DROPPED // \"-\"), .MESSAGE] | join(\"|\")");
	for (line = strtok_r(got, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned int n;

		if (sscanf(line, "4|%u|", &n) == 1) {
			notices++;
			dropped += n;
		} else if (!strncmp(line, "6|-|flood ", 10)) {
			delivered++;
		}
	}
	free(got);
	cr_expect_gt(notices, 0, "no drop notice at the remote");
	cr_expect_eq(delivered + dropped, 20, "at the remote: delivered %d + dropped %d",
		     delivered, dropped);
	kill(remote, SIGTERM);
	waitpid(remote, NULL, 0);
	journald_stop();
	cli_flood__destroy(flood);
	cli_ctrl__destroy(skel);
}

/* ---- the system service ------------------------------------------------------ */

#define SYSTEMD_ANALYZE "/usr/bin/systemd-analyze"

/* systemd/bpf-stream-journal.service.in, its ExecStart pointing at the
 * built CLI: a unit systemd accepts, and hardened (systemd-analyze security
 * rates it without a running systemd). Running it needs systemd as PID 1,
 * which neither this machine nor the matrix guests have. */
Test(service, unit_verifies_and_is_hardened)
{
	char cmd[1024], *out;
	int st;

	if (access(SYSTEMD_ANALYZE, X_OK))
		cr_skip_test("no %s (Debian: systemd)", SYSTEMD_ANALYZE);
	snprintf(cmd, sizeof(cmd),
		 "set -e; d=$(mktemp -d); sed 's|@BINDIR@|%s|' %s/systemd/bpf-stream-journal.service.in "
		 "> $d/bpf-stream-journal.service; " SYSTEMD_ANALYZE " verify --man=no "
		 "$d/bpf-stream-journal.service 2>&1; " SYSTEMD_ANALYZE " security --offline=true "
		 "--threshold=25 $d/bpf-stream-journal.service > $d/sec 2>&1 || { cat $d/sec; "
		 "exit 1; }; tail -n 1 $d/sec; rm -r $d",
		 BUILD_DIR, SRC_DIR);
	{
		FILE *p = popen(cmd, "r");
		size_t sz = 0;
		FILE *m = open_memstream(&out, &sz);
		char buf[512];
		size_t n;

		cr_assert(p);
		while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
			fwrite(buf, 1, n, m);
		st = pclose(p);
		fclose(m);
	}
	cr_expect_eq(st, 0, "verify or security (exposure above 2.5) failed:\n%s", out);
	cr_log_info("%s", out);
	free(out);
}

/* ---- --timestamps, ts_realtime, list owners ------------------------------- */

#define RFC3339_US "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z"

Test(time, timestamps_stamped_and_read)
{
	struct cli_ctrl *ctrl = cli_ctrl__open();
	struct cli_hello *hello = cli_hello__open();
	char ids[16], re[256], *out;
	int st;

	cr_assert(ctrl && hello);
	cr_assert_eq(bpf_stream_prepare_opts(ctrl->obj, &ring_opts), 0);
	cr_assert_eq(bpf_stream_prepare_opts(hello->obj, &ring_opts), 0);
	bpf_program__set_autoload(hello->progs.cli_tp, false);
	cr_assert_eq(cli_ctrl__load(ctrl), 0);
	cr_assert_eq(cli_hello__load(hello), 0);

	/* stamped records (BPF_STREAM_TIMESTAMP): the BPF side's time */
	test_run(bpf_program__fd(ctrl->progs.cli_ctrl));
	snprintf(ids, sizeof(ids), "%u", prog_info(bpf_program__fd(ctrl->progs.cli_ctrl), NULL));
	out = cli_out((const char *const[]){ "bpf-stream", "--timestamps", "--raw", "dump", "id",
					     ids, NULL }, &st, false);
	cr_expect_eq(st, 0);
	snprintf(re, sizeof(re), "^" RFC3339_US " \\[%s:cli_ctrl:stdout\\] utf8\\[", ids);
	cr_expect(matches(out, re), "no '%s' in:\n%s", re, out);
	cr_expect_not(strstr(out, "(read)"), "%s", out);
	free(out);

	/* JSON: ts_realtime from ts_ns */
	test_run(bpf_program__fd(ctrl->progs.cli_ctrl));
	out = cli_out((const char *const[]){ "bpf-stream", "-j", "dump", "id", ids, NULL }, &st, false);
	cr_expect_eq(st, 0);
	cr_expect(matches(out, "\"ts_ns\":[0-9]+,\"ts_realtime\":\"" RFC3339_US
			       "\",\"ts_source\":\"bpf\""), "%s", out);
	free(out);

	/* no stamp: the time of reading, marked */
	test_run(bpf_program__fd(hello->progs.cli_hello));
	snprintf(ids, sizeof(ids), "%u", prog_info(bpf_program__fd(hello->progs.cli_hello), NULL));
	out = cli_out((const char *const[]){ "bpf-stream", "--timestamps", "dump", "id", ids, NULL },
		      &st, false);
	cr_expect_eq(st, 0);
	snprintf(re, sizeof(re), "^" RFC3339_US "\\(read\\) \\[%s:cli_hello:stdout\\] hello from "
		 "cli_hello 42$", ids);
	cr_expect(matches(out, re), "no '%s' in:\n%s", re, out);
	free(out);
	test_run(bpf_program__fd(hello->progs.cli_hello));
	out = cli_out((const char *const[]){ "bpf-stream", "-j", "--timestamps", "dump", "id", ids,
					     NULL }, &st, false);
	cr_expect(matches(out, "\"ts_realtime\":\"" RFC3339_US "\",\"ts_source\":\"read\""), "%s",
		  out);
	free(out);
	/* without --timestamps, unstamped JSON lines have no time */
	test_run(bpf_program__fd(hello->progs.cli_hello));
	out = cli_out((const char *const[]){ "bpf-stream", "-j", "dump", "id", ids, NULL }, &st, false);
	cr_expect_not(strstr(out, "ts_realtime"), "%s", out);
	free(out);
	cli_ctrl__destroy(ctrl);
	cli_hello__destroy(hello);
}

Test(owners, list_shows_owner_process)
{
	int fd = cons_load_trivial_prog();
	char re[160], filter[160], *out;
	__u32 id;
	int st;

	cr_assert_geq(fd, 0);
	id = prog_info(fd, NULL);
	out = cli_out((const char *const[]){ "bpf-stream", "list", NULL }, &st, false);
	cr_expect_eq(st, 0);
	/* this process holds the fd (the comm of a Criterion worker is the test's) */
	snprintf(re, sizeof(re), "^%u: .*  owner ([0-9]+\\([^)]*\\),)*%d\\(test_journal\\)", id,
		 getpid());
	cr_expect(matches(out, re), "no '%s' in:\n%s", re, out);
	free(out);
	out = cli_out((const char *const[]){ "bpf-stream", "-j", "list", NULL }, &st, false);
	cr_expect_eq(st, 0);
	snprintf(filter, sizeof(filter), "/tmp/test_journal.%d.json", getpid());
	{
		FILE *f = fopen(filter, "w");
		char cmd[256];
		FILE *p;
		char buf[256] = "";

		fputs(out, f);
		fclose(f);
		snprintf(cmd, sizeof(cmd),
			 "jq -r '.[] | select(.id == %u) | .owners[] | select(.pid == %d) | .comm' %s",
			 id, getpid(), filter);
		p = popen(cmd, "r");
		cr_assert(p);
		if (!fgets(buf, sizeof(buf), p))
			buf[0] = '\0';
		pclose(p);
		unlink(filter);
		cr_expect_str_eq(buf, "test_journal\n", "%s", out);
	}
	free(out);
	close(fd);
}
