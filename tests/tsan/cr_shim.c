// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Runner of the Criterion stand-in used by the ThreadSanitizer build (see
 * criterion/criterion.h). Each test runs in a forked child; the child tells
 * the parent how it ended through a pipe ("F <message>" per failed check,
 * "S <reason>" for a skip). Output: TAP like Criterion's ("ok - suite::name",
 * "ok - suite::name # SKIP reason", "not ok - suite::name").
 * Options understood: --tap=FILE, --filter=SUITE/NAME (fnmatch), -jN (ignored).
 */
#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "criterion/criterion.h"

static struct cr_shim_test *tests;
static struct cr_shim_suite *suites;
static int report_fd = -1;
static int expect_failed;

void cr_shim_register(struct cr_shim_test *t)
{
	struct cr_shim_test **pp = &tests;

	/* keep source order */
	while (*pp)
		pp = &(*pp)->next;
	t->next = NULL;
	*pp = t;
}

void cr_shim_register_suite(struct cr_shim_suite *s)
{
	s->next = suites;
	suites = s;
}

static void report(char kind, const char *fmt, va_list ap)
{
	char buf[1024];
	int n;

	buf[0] = kind;
	buf[1] = ' ';
	n = vsnprintf(buf + 2, sizeof(buf) - 3, fmt, ap);
	if (n < 0)
		n = 0;
	if (n > (int)sizeof(buf) - 4)
		n = sizeof(buf) - 4;
	buf[2 + n] = '\n';
	if (report_fd >= 0 && write(report_fd, buf, n + 3) < 0)
		_exit(3);
}

static void report_str(char kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(kind, fmt, ap);
	va_end(ap);
}

void cr_shim_check(int ok, int fatal, const char *file, int line, const char *expr,
		   const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	if (ok)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report_str('F', "%s:%d: %s%s%s", file, line, msg[0] ? msg : "assertion failed",
		   msg[0] ? "" : ": ", msg[0] ? "" : expr);
	fprintf(stderr, "[FAIL] %s:%d: %s (%s)\n", file, line, msg[0] ? msg : "assertion failed",
		expr);
	if (fatal)
		exit(1);
	expect_failed = 1;
}

void cr_shim_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report('S', fmt, ap);
	va_end(ap);
	exit(0);
}

void cr_shim_log(const char *level, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "[%s] ", level);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static struct cr_shim_suite *suite_of(const struct cr_shim_test *t)
{
	struct cr_shim_suite *s;

	for (s = suites; s; s = s->next)
		if (!strcmp(s->name, t->suite))
			return s;
	return NULL;
}

static struct cr_shim_test *current;

static void run_fini(void)
{
	struct cr_shim_suite *s = suite_of(current);

	if (current->fini)
		current->fini();
	else if (s && s->fini)
		s->fini();
}

static void child(struct cr_shim_test *t)
{
	struct cr_shim_suite *s = suite_of(t);
	double timeout = t->timeout ? t->timeout : s ? s->timeout : 0;

	current = t;
	if (timeout > 0)
		alarm((unsigned int)timeout + (timeout > (unsigned int)timeout));
	if (t->init)
		t->init();
	else if (s && s->init)
		s->init();
	atexit(run_fini);
	t->fn();
	exit(expect_failed ? 1 : 0);
}

static int run_one(struct cr_shim_test *t, FILE *tap, int *nfail)
{
	struct cr_shim_suite *s = suite_of(t);
	char buf[4096], skip[1024] = "", fail[1024] = "";
	int pfd[2], status, exp_code, exp_sig;
	size_t got = 0;
	ssize_t n;
	pid_t pid;
	bool ok;

	if (t->disabled || (s && s->disabled)) {
		fprintf(tap, "ok - %s::%s # SKIP test is disabled\n", t->suite, t->name);
		return 0;
	}
	if (pipe(pfd))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(pfd[0]);
		report_fd = pfd[1];
		child(t);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], buf + got, sizeof(buf) - 1 - got)) > 0) {
		got += n;
		if (got == sizeof(buf) - 1)
			break;
	}
	buf[got] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == 'S' && !skip[0])
			snprintf(skip, sizeof(skip), "%s", line + 2);
		else if (line[0] == 'F' && !fail[0])
			snprintf(fail, sizeof(fail), "%s", line + 2);
	}
	exp_code = t->exit_code ? t->exit_code : s ? s->exit_code : 0;
	exp_sig = t->signal ? t->signal : s ? s->signal : 0;
	if (exp_sig)
		ok = WIFSIGNALED(status) && WTERMSIG(status) == exp_sig;
	else
		ok = WIFEXITED(status) && WEXITSTATUS(status) == exp_code && !fail[0];
	if (ok && skip[0]) {
		fprintf(tap, "ok - %s::%s # SKIP %s\n", t->suite, t->name, skip);
	} else if (ok) {
		fprintf(tap, "ok - %s::%s\n", t->suite, t->name);
	} else {
		fprintf(tap, "not ok - %s::%s\n", t->suite, t->name);
		if (fail[0])
			fprintf(tap, "  # %s\n", fail);
		else if (WIFSIGNALED(status))
			fprintf(tap, "  # crashed: signal %d%s\n", WTERMSIG(status),
				WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
		else
			fprintf(tap, "  # exit code %d\n", WEXITSTATUS(status));
		fprintf(stderr, "[FAIL] %s::%s\n", t->suite, t->name);
		(*nfail)++;
	}
	fflush(tap);
	return 0;
}

int main(int argc, char **argv)
{
	const char *tap_path = NULL, *filter = NULL;
	struct cr_shim_test *t;
	int nfail = 0, ntests = 0, i;
	FILE *tap = stdout;

	for (i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--tap=", 6))
			tap_path = argv[i] + 6;
		else if (!strncmp(argv[i], "--filter=", 9))
			filter = argv[i] + 9;
	}
	if (tap_path && strcmp(tap_path, "-")) {
		tap = fopen(tap_path, "w");
		if (!tap) {
			perror(tap_path);
			return 2;
		}
	}
	for (t = tests; t; t = t->next)
		ntests++;
	fprintf(tap, "TAP version 13\n1..%d\n# criterion stand-in (ThreadSanitizer build)\n", ntests);
	for (t = tests; t; t = t->next) {
		char id[512];

		snprintf(id, sizeof(id), "%s/%s", t->suite, t->name);
		if (filter && fnmatch(filter, id, 0))
			continue;
		if (run_one(t, tap, &nfail)) {
			fprintf(stderr, "cr_shim: cannot run %s: %s\n", id, strerror(errno));
			nfail++;
		}
	}
	if (tap != stdout)
		fclose(tap);
	fprintf(stderr, "[====] Synthesis: Tested: %d | Failing: %d\n", ntests, nfail);
	return nfail ? 1 : 0;
}
