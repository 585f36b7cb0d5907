// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Kernel report parser. Golden files: tests/golden/report_*.in are stderr
 * texts in the kernel's formats (kernel/bpf/stream.c, rqspinlock.c,
 * arena.c), *.out what tests/common/cons_helpers.c:cons_report_run() prints
 * for them ("K|" lines belong to a report, "-|" lines pass through, reports
 * are printed when they complete). CONS_GOLDEN_UPDATE=1 rewrites the .out
 * files (review the diff!). report_*.in are written after the kernel's
 * formats; kreport_*.in are real reports, read from Debian kernels' streams
 * in the kernel matrix (this machine's kernel cannot write them).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include "cons_helpers.h"
#include "stream_internal.h"

TestSuite(report);

static void golden(const char *name)
{
	char in_path[512], out_path[512], *want, *got = NULL;
	size_t got_len = 0;
	FILE *in, *out;

	snprintf(in_path, sizeof(in_path), "%s/tests/golden/%s.in", SRC_DIR, name);
	snprintf(out_path, sizeof(out_path), "%s/tests/golden/%s.out", SRC_DIR, name);
	in = fopen(in_path, "r");
	cr_assert_not_null(in, "%s", in_path);
	out = open_memstream(&got, &got_len);
	cr_assert_eq(cons_report_run(in, out), 0);
	fclose(out);
	fclose(in);
	if (getenv("CONS_GOLDEN_UPDATE")) {
		FILE *f = fopen(out_path, "w");

		fwrite(got, 1, got_len, f);
		fclose(f);
	}
	want = cons_read_file(out_path, NULL);
	cr_assert_not_null(want, "missing %s", out_path);
	cr_assert_str_eq(got, want, "%s: output differs from %s", name, out_path);
	free(want);
	free(got);
}

Test(report, golden_rqspinlock) { golden("report_rqspinlock"); }
Test(report, golden_maygoto_arena) { golden("report_maygoto_arena"); }
Test(report, golden_truncated) { golden("report_truncated"); }
Test(report, golden_interleaved) { golden("report_interleaved"); }

/* Reports the kernels of the matrix wrote for real (test_kreport in a guest
 * with BPF_STREAM_KREPORT_SAVE, matrix/guest-run.sh): Debian's 6.17, 7.2, 7.3. */
Test(report, real_deadlock_6_17_13) { golden("kreport_deadlock_6.17.13+deb13-amd64"); }
Test(report, real_deadlock_7_2_13) { golden("kreport_deadlock_7.2.13+deb14-amd64"); }
Test(report, real_deadlock_7_3_4) { golden("kreport_deadlock_7.3.4+deb13-amd64"); }
Test(report, real_may_goto_6_17_13) { golden("kreport_may_goto_6.17.13+deb13-amd64"); }
Test(report, real_may_goto_7_2_13) { golden("kreport_may_goto_7.2.13+deb14-amd64"); }
Test(report, real_may_goto_7_3_4) { golden("kreport_may_goto_7.3.4+deb13-amd64"); }
/* bpf_stream_print_stack() (test_kstack), between two lines of the program */
Test(report, real_stack_7_2_13) { golden("kreport_stack_7.2.13+deb14-amd64"); }
Test(report, real_stack_7_3_4) { golden("kreport_stack_7.3.4+deb13-amd64"); }

Test(report, kind_strings)
{
	cr_assert_str_eq(bpf_stream_report_kind_str(BPF_STREAM_REPORT_MAY_GOTO_TIMEOUT),
			 "may_goto_timeout");
	cr_assert_str_eq(bpf_stream_report_kind_str(BPF_STREAM_REPORT_RES_SPIN_DEADLOCK),
			 "res_spin_deadlock");
	cr_assert_str_eq(bpf_stream_report_kind_str(BPF_STREAM_REPORT_RES_SPIN_TIMEOUT),
			 "res_spin_timeout");
	cr_assert_str_eq(bpf_stream_report_kind_str(BPF_STREAM_REPORT_ARENA_FAULT), "arena_fault");
	cr_assert_str_eq(bpf_stream_report_kind_str(BPF_STREAM_REPORT_UNKNOWN), "unknown");
	cr_assert_str_eq(bpf_stream_report_kind_str(BPF_STREAM_REPORT_STACK), "stack");
	cr_assert_str_eq(bpf_stream_report_kind_str(1000), "unknown");
}

static int count_reports(void *ctx, const struct bpf_stream_report *r)
{
	(*(int *)ctx)++;
	return 5; /* the callback's value comes back from push */
}

Test(report, api_errors_and_callback_value)
{
	struct bpf_stream_report_parser *p;
	struct bpf_stream_msg m = { .stream_id = BPF_STDERR };
	int n = 0;

	cr_assert_null(bpf_stream_report_parser__new(NULL, NULL));
	cr_assert_eq(errno, EINVAL);
	p = bpf_stream_report_parser__new(count_reports, &n);
	cr_assert_not_null(p);
	cr_assert_eq(bpf_stream_report_parser__push(p, NULL), -EINVAL);
	m.text = "ERROR: Timeout detected for may_goto instruction";
	m.len = strlen(m.text);
	cr_assert_eq(bpf_stream_report_parser__push(p, &m), 0);
	m.text = "";
	m.len = 0;
	cr_assert_eq(bpf_stream_report_parser__push(p, &m), 5);
	cr_assert_eq(n, 1);
	cr_assert_eq(bpf_stream_report_parser__flush(p), 0, "nothing pending");
	cr_assert_eq(n, 1);
	bpf_stream_report_parser__free(p);
	bpf_stream_report_parser__free(NULL);
}

struct stack_seen {
	int n;
	enum bpf_stream_report_kind kind;
	__u32 stream_id, nr_frames;
	bool truncated;
};

static int on_stack(void *ctx, const struct bpf_stream_report *r)
{
	struct stack_seen *s = ctx;

	s->n++;
	s->kind = r->kind;
	s->stream_id = r->stream_id;
	s->nr_frames = r->nr_frames;
	s->truncated = r->truncated;
	return 0;
}

static void push_lines(struct bpf_stream_report_parser *p, __u32 stream_id,
		       const char *const *lines, bool *kernel)
{
	struct bpf_stream_msg m = { .prog_id = 7, .prog_name = "t", .stream_id = stream_id };
	int i;

	for (i = 0; lines[i]; i++) {
		m.text = lines[i];
		m.len = strlen(lines[i]);
		cr_assert_eq(bs_report_parser__push(p, &m, &kernel[i]), 0);
	}
}

/* bpf_stream_print_stack()'s block on stdout: a STACK report there, while
 * a program's own "ERROR:" line on stdout stays output; a CPU: line not
 * followed by "Call trace:" makes no report. */
Test(report, stack_on_stdout)
{
	static const char *const lines[] = {
		"ERROR: Timeout detected for may_goto instruction",
		"CPU: 1 UID: 0 PID: 2 Comm: a",
		"Call trace:",
		"bpf_prog_0123456789abcdef_p+0x10/0x20",
		"  x = 1; @ p.bpf.c:3",
		"",
		"CPU: 1 UID: 0 PID: 2 Comm: a",
		"not a trace",
		NULL,
	};
	static const bool want[] = { false, true, true, true, true, true, true, false };
	struct stack_seen s = {};
	struct bpf_stream_report_parser *p = bpf_stream_report_parser__new(on_stack, &s);
	bool kernel[8];
	int i;

	cr_assert_not_null(p);
	push_lines(p, BPF_STDOUT, lines, kernel);
	cr_assert_eq(bpf_stream_report_parser__flush(p), 0);
	cr_assert_eq(s.n, 1, "%d reports", s.n);
	cr_assert_eq(s.kind, BPF_STREAM_REPORT_STACK);
	cr_assert_eq(s.stream_id, BPF_STDOUT);
	cr_assert_eq(s.nr_frames, 1);
	cr_assert(!s.truncated);
	for (i = 0; i < 8; i++)
		cr_assert_eq(kernel[i], want[i], "line %d (%s): %d", i, lines[i], kernel[i]);
	bpf_stream_report_parser__free(p);
}

/* On stderr a stack may follow an error report's last line directly. */
Test(report, stack_after_error_report_on_stderr)
{
	static const char *const lines[] = {
		"ERROR: Timeout detected for may_goto instruction",
		"CPU: 0 UID: 0 PID: 1 Comm: init",
		"Call trace:",
		"f+0x1/0x2",
		"CPU: 0 UID: 0 PID: 1 Comm: init",
		"Call trace:",
		"g+0x1/0x2",
		"",
		NULL,
	};
	struct stack_seen s = {};
	struct bpf_stream_report_parser *p = bpf_stream_report_parser__new(on_stack, &s);
	bool kernel[8];

	cr_assert_not_null(p);
	push_lines(p, BPF_STDERR, lines, kernel);
	cr_assert_eq(s.n, 2, "%d reports", s.n);
	cr_assert_eq(s.kind, BPF_STREAM_REPORT_STACK);
	cr_assert_eq(s.stream_id, BPF_STDERR);
	cr_assert(!s.truncated);
	cr_assert(kernel[4] && kernel[7]);
	bpf_stream_report_parser__free(p);
}

/* The parser is pure and must survive any bytes. */
Test(report, arbitrary_lines_do_not_crash)
{
	static const char *lines[] = {
		"ERROR: ", "Call trace:", "+0x1/0x2", "a+0x/0x", "a+0x1/", "a+0x1/0x2 [", "  @ :",
		"  x @ f:", "  x @ f:99999999999999", "Held lock[", "Held lock[ 1] =", "CPU: x",
		"CPU: 1 UID: 2 PID: 3 Comm: ", "Total held locks = -1", "Attempted lock = 0x",
		"ERROR: Arena READ access at unmapped address ", "", "ERROR: x", "\t",
	};
	struct bpf_stream_report_parser *p;
	int n = 0;
	size_t i, j;

	p = bpf_stream_report_parser__new(count_reports, &n);
	for (i = 0; i < 40; i++) {
		for (j = 0; j < sizeof(lines) / sizeof(lines[0]); j++) {
			struct bpf_stream_msg m = { .text = lines[(i * 7 + j) % 19] };

			m.len = strlen(m.text);
			bpf_stream_report_parser__push(p, &m);
		}
	}
	bpf_stream_report_parser__flush(p);
	cr_assert_gt(n, 0);
	bpf_stream_report_parser__free(p);
}
