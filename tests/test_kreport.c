// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kernel's own error reports, made for real (tests/progs/kreport.bpf.c):
 * a may_goto timeout and a bpf_res_spin_lock AA deadlock, read back from the
 * program's stderr and parsed by bpf_stream_report_parser, and by
 * `bpf-stream --json dump`. Kernels without BPF streams (before 6.17) write
 * no reports: skipped with that reason. A kernel whose stream writes fail
 * (this project's 6.18 development machine) loses its reports too: skipped
 * with the probe's reason when no report arrives there.
 *
 * BPF_STREAM_KREPORT_SAVE=DIR keeps each report's raw text as
 * DIR/kreport_<kind>_<kernel release>.in (tests/golden/ keeps such files
 * from real kernels; test_report.c checks the parser on them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <criterion/criterion.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "libbpf_stream.h"
#include "stream_internal.h"
#include "kreport.skel.h"

struct got {
	char raw[16384];
	size_t raw_len;
	int nr_reports;
	enum bpf_stream_report_kind kind;
	char message[256];
	int pid, uid, cpu;
	char comm[64];
	__u32 nr_frames;
	bool prog_frame;	/* a frame names the program */
	bool src_frame;		/* a frame carries file:line of our source */
	__u32 nr_held_locks;
	__u64 addr;
	bool truncated;
};

static int on_report(void *ctx, const struct bpf_stream_report *r)
{
	struct got *g = ctx;
	__u32 i;

	if (g->nr_reports++)
		return 0;	/* keep the first */
	g->kind = r->kind;
	snprintf(g->message, sizeof(g->message), "%s", r->message ? r->message : "");
	g->pid = r->pid;
	g->uid = r->uid;
	g->cpu = r->cpu;
	snprintf(g->comm, sizeof(g->comm), "%s", r->comm ? r->comm : "");
	g->nr_frames = r->nr_frames;
	g->nr_held_locks = r->nr_held_locks;
	g->addr = r->addr;
	g->truncated = r->truncated;
	for (i = 0; i < r->nr_frames; i++) {
		const struct bpf_stream_frame *f = &r->frames[i];

		if (f->symbol && strstr(f->symbol, "kreport_"))
			g->prog_frame = true;
		if (f->file && strstr(f->file, "kreport.bpf.c") && f->line > 0)
			g->src_frame = true;
	}
	return 0;
}

struct line_ctx {
	struct got *g;
	struct bpf_stream_report_parser *p;
};

static int on_line(void *ctx, const struct bpf_stream_msg *msg)
{
	struct line_ctx *lc = ctx;
	struct got *g = lc->g;

	if (g->raw_len + msg->len + 2 < sizeof(g->raw)) {
		memcpy(g->raw + g->raw_len, msg->text, msg->len);
		g->raw_len += msg->len;
		g->raw[g->raw_len++] = '\n';
		g->raw[g->raw_len] = 0;
	}
	return bpf_stream_report_parser__push(lc->p, msg) < 0 ? -1 : 0;
}

static void save_raw(const char *kind, const struct got *g)
{
	const char *dir = getenv("BPF_STREAM_KREPORT_SAVE");
	struct utsname u;
	char path[512];
	FILE *f;

	if (!dir || uname(&u))
		return;
	snprintf(path, sizeof(path), "%s/kreport_%s_%s.in", dir, kind, u.release);
	f = fopen(path, "w");
	if (f) {
		fwrite(g->raw, 1, g->raw_len, f);
		fclose(f);
	}
}

/* Skip unless this kernel can write reports at all. */
static struct bs_kernel need_streams(void)
{
	struct bs_kernel k = bs_kernel_probe();

	if (!k.kfunc_in_btf)
		cr_skip_test("%s: the kernel writes no error reports", bs_kernel_native_problem(&k));
	return k;
}

static struct kreport *open_one(struct bpf_program **want_out, const char *name)
{
	struct kreport *skel = kreport__open();
	struct bpf_program *prog;

	cr_assert_not_null(skel, "open: %s", strerror(errno));
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, !strcmp(bpf_program__name(prog), name));
	cr_assert_eq(kreport__load(skel), 0, "load %s: %s", name, strerror(errno));
	*want_out = bpf_object__find_program_by_name(skel->obj, name);
	cr_assert_not_null(*want_out);
	return skel;
}

static int test_run(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);

	cr_assert_eq(bpf_prog_test_run_opts(bpf_program__fd(prog), &topts), 0, "test run: %s",
		     strerror(errno));
	return (int)topts.retval;
}

/* Drain the program's stderr through a report parser. */
static void read_reports(struct bpf_program *prog, struct got *g)
{
	struct line_ctx lc = { .g = g };
	int n;

	lc.p = bpf_stream_report_parser__new(on_report, g);
	cr_assert_not_null(lc.p);
	n = bpf_stream_drain(bpf_program__fd(prog), BPF_STDERR, on_line, &lc);
	cr_assert_geq(n, 0, "drain: %d", n);
	cr_assert_eq(bpf_stream_report_parser__flush(lc.p), 0);
	bpf_stream_report_parser__free(lc.p);
}

static void no_report_here(const struct bs_kernel *k)
{
	const char *problem = bs_kernel_native_problem(k);

	cr_assert_not_null(problem, "native streams work here, but the kernel wrote no report");
	cr_skip_test("the kernel wrote no report: %s (its reports use the same stream allocator)",
		     problem);
}

/* The common part of a report: who ran it, and where. */
static void check_context(const struct got *g)
{
	char comm[64];
	FILE *f = fopen("/proc/thread-self/comm", "r");

	cr_assert_eq(g->pid, (int)syscall(SYS_gettid), "report PID %d", g->pid);
	cr_assert_eq(g->uid, (int)getuid(), "report UID %d", g->uid);
	cr_assert_geq(g->cpu, 0);
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(comm, sizeof(comm), f));
	fclose(f);
	comm[strcspn(comm, "\n")] = 0;
	cr_assert_str_eq(g->comm, comm);
	cr_assert_gt(g->nr_frames, 0, "no call trace:\n%s", g->raw);
	cr_assert(g->prog_frame, "no frame of the program:\n%s", g->raw);
	cr_assert(g->src_frame, "no frame with kreport.bpf.c:LINE:\n%s", g->raw);
	cr_assert(!g->truncated, "report cut short:\n%s", g->raw);
}

/* Read @prog's stderr and expect exactly one report of @kind; skip where the
 * kernel wrote none because its stream writes fail. */
static void expect_one_report(struct kreport *skel, struct bpf_program *prog,
			      const struct bs_kernel *k, struct got *g, const char *name,
			      enum bpf_stream_report_kind kind)
{
	read_reports(prog, g);
	if (!g->nr_reports) {
		kreport__destroy(skel);
		no_report_here(k);
	}
	save_raw(name, g);
	cr_log_info("report:\n%s", g->raw);
	cr_assert_eq(g->nr_reports, 1, "%d reports:\n%s", g->nr_reports, g->raw);
	cr_assert_eq(g->kind, kind, "kind %s: %s", bpf_stream_report_kind_str(g->kind),
		     g->message);
}

TestSuite(kreport);

Test(kreport, may_goto_timeout_parsed, .timeout = 60)
{
	struct bs_kernel k = need_streams();
	struct bpf_program *prog;
	struct kreport *skel = open_one(&prog, "kreport_may_goto");
	struct got *g = calloc(1, sizeof(*g));

	cr_assert_eq(test_run(prog), 0);
	expect_one_report(skel, prog, &k, g, "may_goto", BPF_STREAM_REPORT_MAY_GOTO_TIMEOUT);
	check_context(g);
	kreport__destroy(skel);
	free(g);
}

Test(kreport, res_spin_lock_deadlock_parsed, .timeout = 60)
{
	struct bs_kernel k = need_streams();
	struct bpf_program *prog;
	struct kreport *skel = open_one(&prog, "kreport_deadlock");
	struct got *g = calloc(1, sizeof(*g));
	int ret = test_run(prog);

	if (ret == 2) {
		kreport__destroy(skel);
		cr_skip_test("this kernel has no bpf_res_spin_lock kfunc");
	}
	cr_assert_eq(ret, 0, "the kernel did not refuse the second lock (ret %d)", ret);
	expect_one_report(skel, prog, &k, g, "deadlock", BPF_STREAM_REPORT_RES_SPIN_DEADLOCK);
	cr_assert_geq(g->nr_held_locks, 1, "held locks: %u", g->nr_held_locks);
	cr_assert_neq(g->addr, 0, "attempted lock address");
	check_context(g);
	kreport__destroy(skel);
	free(g);
}

/* The CLI reads another process's program (this one) and prints the report
 * as one structured JSON object. */
Test(kreport, cli_json_report, .timeout = 60)
{
	struct bs_kernel k = need_streams();
	struct bpf_program *prog;
	struct kreport *skel = open_one(&prog, "kreport_may_goto");
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	char cmd[1024], out[4096] = "";
	size_t n;
	FILE *p;
	int rc;

	cr_assert_eq(bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len), 0);
	cr_assert_eq(test_run(prog), 0);
	snprintf(cmd, sizeof(cmd),
		 "%s/bpf-stream --json dump id %u stderr | jq -r 'select(.kind) | "
		 "\"\\(.kind) \\(.pid) \\(.frames | length) "
		 "\\([.frames[] | select(.file != null and .line != null)] | length)\"'",
		 BUILD_DIR, info.id);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	rc = pclose(p);
	cr_assert_eq(rc, 0, "%s: status %d", cmd, rc);
	if (!*out) {
		kreport__destroy(skel);
		no_report_here(&k);
	}
	{
		char kind[64];
		int pid, frames, src_frames;

		cr_assert_eq(sscanf(out, "%63s %d %d %d", kind, &pid, &frames, &src_frames), 4,
			     "jq: %s", out);
		cr_assert_str_eq(kind, "may_goto_timeout");
		cr_assert_eq(pid, (int)syscall(SYS_gettid));
		cr_assert_gt(frames, 0);
		cr_assert_gt(src_frames, 0, "no frame with file:line: %s", out);
	}
	kreport__destroy(skel);
}
