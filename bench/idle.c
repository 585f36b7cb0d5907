// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * 7. Idle cost of `bpf-stream follow all` (what bpf-stream-journal.service
 *    runs) with IDLE_PROGS loaded programs that print nothing: CPU time
 *    (user + system, /proc/PID/stat) of the follow process over a window of
 *    WINDOW_MS, scaled to CPU seconds per minute, beside the baseline of the
 *    same run: `follow id ID` of one program.
 *    The programs are the smallest a kernel with native streams gives
 *    streams to: `r0 = 0; exit` (socket filter), loaded by this process
 *    without bpf_stream.h, so follow reads each one's two native streams.
 *    Where the kernel has no native streams, follow all has nothing to read
 *    and the row says so. The first SETTLE_MS after start (the first scan
 *    of every program) is not counted.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "bench.h"

#define SEC_NAME "8 idle cost of follow all"
#define IDLE_PROGS 1000
#define WINDOW_MS 5000
#define SETTLE_MS 2000

#ifndef BENCH_CLI
#define BENCH_CLI "bpf-stream"
#endif

static int load_idle_prog(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts);

	return bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "bench_idle", "GPL", insns, 2, &opts);
}

static long long proc_ticks(pid_t pid);

/* CPU time of @pid in ns: /proc/PID/schedstat (ns on a CPU, user and
 * system), else user + system ticks of /proc/PID/stat; -1 if gone */
static long long proc_cpu_ns(pid_t pid)
{
	char path[64];
	unsigned long long ns;
	long long t;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "r");
	if (f) {
		int ok = fscanf(f, "%llu", &ns) == 1;

		fclose(f);
		if (ok)
			return (long long)ns;
	}
	t = proc_ticks(pid);
	return t < 0 ? -1 : t * (1000000000LL / sysconf(_SC_CLK_TCK));
}

/* user + system ticks of @pid, or -1 */
static long long proc_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* comm may hold spaces */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
			 &st) != 2)
		return -1;
	return (long long)(ut + st);
}

static pid_t spawn_follow(const char *const argv[], bool fixed)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		if (fixed)
			setenv("BPF_STREAM_IDLE", "fixed", 1);
		else
			unsetenv("BPF_STREAM_IDLE");
		execv(BENCH_CLI, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* CPU seconds per minute of one follow over the window. */
static int measure(const char *const argv[], bool fixed, double *cpu_s_per_min)
{
	long long t0, t1;
	double w0, w1;
	pid_t pid;
	int st;

	pid = spawn_follow(argv, fixed);
	if (pid < 0)
		return -errno;
	usleep(SETTLE_MS * 1000);
	t0 = proc_cpu_ns(pid);
	w0 = now_ns();
	usleep(WINDOW_MS * 1000);
	t1 = proc_cpu_ns(pid);
	w1 = now_ns();
	kill(pid, SIGINT);
	waitpid(pid, &st, 0);
	if (t0 < 0 || t1 < 0)
		return -ESRCH;	/* follow ended early */
	*cpu_s_per_min = (double)(t1 - t0) * 60 / (w1 - w0);
	return 0;
}

int bench_idle(void)
{
	struct series all = {}, one = {}, fixed = {}, ratio;
	int *fds, i, run, err = 0, n = 0;
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	struct rlimit rl;
	char id[16];

	if (access(BENCH_CLI, X_OK)) {
		bench_note(SEC_NAME, "skipped: %s not built", BENCH_CLI);
		return 0;
	}
	/* an fd per program here, and in follow (which raises its own limit) */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	fds = calloc(IDLE_PROGS, sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	for (n = 0; n < IDLE_PROGS; n++) {
		fds[n] = load_idle_prog();
		if (fds[n] < 0) {
			err = -errno;
			break;
		}
	}
	if (err) {
		bench_note(SEC_NAME, "skipped: loading program %d of %d failed: %s", n + 1,
			   IDLE_PROGS, strerror(-err));
		goto out;
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fds[0], &info, &len)) {
		err = -errno;
		goto out;
	}
	snprintf(id, sizeof(id), "%u", info.id);
	for (run = 0; run < bench_cfg.runs && !err; run++) {
		double a, b, c;

		err = measure((const char *const[]){ "bpf-stream", "follow", "id", id, NULL }, false,
			      &b);
		if (!err)
			err = measure((const char *const[]){ "bpf-stream", "follow", "all", NULL },
				      true, &c);
		if (!err)
			err = measure((const char *const[]){ "bpf-stream", "follow", "all", NULL },
				      false, &a);
		if (err)
			break;
		series_add(&one, b);
		series_add(&fixed, c);
		series_add(&all, a);
	}
	if (err) {
		bench_note(SEC_NAME, "failed: %s", strerror(-err));
		goto out;
	}
	bench_row(SEC_NAME, "follow id (1 program), idle", "CPU s/min", &one, NULL, NULL,
		  "baseline: one idle program followed");
	series_ratio(&ratio, &fixed, &one);
	bench_row(SEC_NAME, "follow all, fixed polling", "CPU s/min", &fixed,
		  "follow id (1 program), idle", &ratio,
		  "BPF_STREAM_IDLE=fixed: reads every 80 ms, rescans every 250 ms (before)");
	series_ratio(&ratio, &all, &fixed);
	bench_row(SEC_NAME, "follow all, adaptive (default)", "CPU s/min", &all,
		  "follow all, fixed polling", &ratio,
		  "idle back-off to 50x the cycle's cost, rescans backing off to 2 s");
	bench_note(SEC_NAME,
		   "%d idle programs (r0 = 0; exit) loaded by the bench besides the host's own; "
		   "CPU time of the follow process (/proc/PID/schedstat) over %d ms after %d ms "
		   "of settling, scaled to a minute: 60 CPU s/min is one core",
		   IDLE_PROGS, WINDOW_MS, SETTLE_MS);
out:
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	return err;
}
