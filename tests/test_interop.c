// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Interop with upstream's own stream tools, both ways, byte for byte:
 *  - what bpf_stream.h writes natively, `bpftool prog tracelog` reads;
 *  - what a program written for libbpf 1.7 alone writes (its own
 *    bpf_stream_printk, no bpf_stream.h, no prepare), this library and
 *    `bpf-stream dump` read;
 *  - a kernel report reads the same in bpftool and in bpf-stream.
 * Needs a kernel whose native streams work (6.17, 7.x), a bpftool with
 * `prog tracelog` (7.6+) and, for the second, a libbpf whose bpf_helpers.h
 * has bpf_stream_printk (1.7+, Debian sid): each test skips with the reason
 * where its part is missing (Debian 12's bpftool 7.1 and libbpf 1.1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "libbpf_stream.h"
#include "stream_internal.h"
#include "interop_hdr.skel.h"
#include "interop_libbpf.skel.h"
#include "kreport.skel.h"

/* Run @cmd with sh, its stdout into @out (NUL-terminated). Return: status. */
static int capture(const char *cmd, char *out, size_t out_sz)
{
	size_t n = 0, r;
	FILE *p = popen(cmd, "r");

	cr_assert_not_null(p, "popen %s", cmd);
	while (n + 1 < out_sz && (r = fread(out + n, 1, out_sz - 1 - n, p)) > 0)
		n += r;
	out[n] = 0;
	return pclose(p);
}

static void need_native(void)
{
	struct bs_kernel k = bs_kernel_probe();
	const char *problem = bs_kernel_native_problem(&k);

	if (problem)
		cr_skip_test("%s", problem);
}

static void need_tracelog(void)
{
	static char out[8192];

	capture("bpftool prog help 2>&1", out, sizeof(out));
	if (!strstr(out, "tracelog { stdout | stderr }"))
		cr_skip_test("this bpftool has no `prog tracelog { stdout | stderr }` (bpftool 7.6+)");
}

static __u32 prog_id(struct bpf_program *prog)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	cr_assert_eq(bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len), 0);
	return info.id;
}

static void test_run(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);

	cr_assert_eq(bpf_prog_test_run_opts(bpf_program__fd(prog), &topts), 0, "test run: %s",
		     strerror(errno));
}

TestSuite(interop);

/* bpf_stream.h -> native stream -> bpftool prog tracelog. */
Test(interop, bpftool_tracelog_reads_bpf_stream_h)
{
	struct interop_hdr *skel;
	char cmd[256], out[4096];
	const char *reason = NULL;
	__u32 id;

	need_native();
	need_tracelog();
	skel = interop_hdr__open();
	cr_assert_not_null(skel);
	cr_assert_eq(bpf_stream_prepare(skel->obj), 0);
	cr_assert_eq(bpf_stream_object_transport(skel->obj, &reason), BPF_STREAM_TRANSPORT_NATIVE,
		     "auto did not pick native: %s", reason);
	cr_assert_eq(interop_hdr__load(skel), 0);
	test_run(skel->progs.interop_hdr);
	id = prog_id(skel->progs.interop_hdr);
	snprintf(cmd, sizeof(cmd), "bpftool prog tracelog stdout id %u", id);
	cr_assert_eq(capture(cmd, out, sizeof(out)), 0, "%s", cmd);
	cr_assert_str_eq(out, "interop -42 abc ff\nsecond line\n");
	/* bpftool copies a program's stderr to its own stderr */
	snprintf(cmd, sizeof(cmd), "bpftool prog tracelog stderr id %u 2>&1 >/dev/null", id);
	cr_assert_eq(capture(cmd, out, sizeof(out)), 0, "%s", cmd);
	cr_assert_str_eq(out, "interop stderr 18446744073709551615\n");
	bpf_stream_release(skel->obj);
	interop_hdr__destroy(skel);
}

struct lines {
	int n;
	char text[4][128];
	__u32 stream[4];
};

static int collect(void *ctx, const struct bpf_stream_msg *msg)
{
	struct lines *l = ctx;

	cr_assert_lt(l->n, 4);
	snprintf(l->text[l->n], sizeof(l->text[0]), "%s", msg->text);
	l->stream[l->n++] = msg->stream_id;
	return 0;
}

/* libbpf 1.7's own bpf_stream_printk -> native stream -> this library and
 * bpf-stream dump, with no bpf_stream_prepare() anywhere. */
Test(interop, library_and_cli_read_libbpf_own_printk)
{
	struct bs_kernel k = bs_kernel_probe();
	struct interop_libbpf *skel;
	struct bpf_program *prog;
	struct lines l = {};
	char cmd[512], out[4096];
	int fd;

	skel = interop_libbpf__open();
	cr_assert_not_null(skel);
	prog = bpf_object__find_program_by_name(skel->obj, "interop_libbpf");
	if (!prog) {
		interop_libbpf__destroy(skel);
		cr_skip_test("built with libbpf %u.%u, whose bpf_helpers.h has no bpf_stream_printk",
			     libbpf_major_version(), libbpf_minor_version());
	}
	need_native();
	if (!k.kfunc_name || strcmp(k.kfunc_name, "bpf_stream_vprintk") || k.kfunc_nr_args != 4) {
		interop_libbpf__destroy(skel);
		cr_skip_test("this kernel's stream kfunc is %s (%u arguments), not the four-argument bpf_stream_vprintk libbpf 1.7 calls",
			     k.kfunc_name ? k.kfunc_name : "absent", k.kfunc_nr_args);
	}
	cr_assert_eq(interop_libbpf__load(skel), 0, "load: %s", strerror(errno));
	fd = bpf_program__fd(prog);
	test_run(prog);
	cr_assert_eq(bpf_stream_drain(fd, BPF_STDOUT, collect, &l), 1);
	cr_assert_eq(bpf_stream_drain(fd, BPF_STDERR, collect, &l), 1);
	cr_assert_str_eq(l.text[0], "libbpf's own 17 printk");
	cr_assert_eq(l.stream[0], BPF_STDOUT);
	cr_assert_str_eq(l.text[1], "libbpf's own stderr 3");
	cr_assert_eq(l.stream[1], BPF_STDERR);

	test_run(prog);
	snprintf(cmd, sizeof(cmd), "%s/bpf-stream --no-prefix dump id %u", BUILD_DIR,
		 prog_id(prog));
	cr_assert_eq(capture(cmd, out, sizeof(out)), 0, "%s: %s", cmd, out);
	cr_assert(strstr(out, "libbpf's own 17 printk\n") && strstr(out, "libbpf's own stderr 3\n"),
		  "bpf-stream dump printed:\n%s", out);
	interop_libbpf__destroy(skel);
}

/* Digits and hex letters after 0x stand for values that change between two
 * runs (CPU, addresses); the words and the shape must not. The "[kernel] "
 * mark bpf-stream puts before lines of kernel reports and blank lines at
 * the end are dropped too. */
static void mask_numbers(char *s)
{
	char *w = s, *start = s;

	while (*s) {
		if ((s == start || s[-1] == '\n') && !strncmp(s, "[kernel] ", 9)) {
			s += 9;
			continue;
		}
		if (s[0] == '0' && s[1] == 'x') {
			s += 2;
			while ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'))
				s++;
			*w++ = '#';
		} else if (*s >= '0' && *s <= '9') {
			while (*s >= '0' && *s <= '9')
				s++;
			*w++ = '#';
		} else {
			*w++ = *s++;
		}
	}
	while (w > start + 1 && w[-1] == '\n' && w[-2] == '\n')
		w--;
	*w = 0;
}

/* A kernel report (may_goto timeout) read with bpftool and with bpf-stream:
 * the same lines, but for the numbers that change between two runs. */
Test(interop, kernel_report_same_in_both_tools, .timeout = 60)
{
	struct kreport *skel;
	struct bpf_program *prog, *p;
	static char a[16384], b[16384];
	char cmd[512];
	__u32 id;

	need_native();
	need_tracelog();
	skel = kreport__open();
	cr_assert_not_null(skel);
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), "kreport_may_goto"));
	cr_assert_eq(kreport__load(skel), 0);
	prog = skel->progs.kreport_may_goto;
	id = prog_id(prog);
	test_run(prog);
	snprintf(cmd, sizeof(cmd), "bpftool prog tracelog stderr id %u 2>&1 >/dev/null", id);
	cr_assert_eq(capture(cmd, a, sizeof(a)), 0, "%s", cmd);
	test_run(prog);
	snprintf(cmd, sizeof(cmd), "%s/bpf-stream --no-prefix --raw dump id %u stderr", BUILD_DIR, id);
	cr_assert_eq(capture(cmd, b, sizeof(b)), 0, "%s", cmd);
	cr_assert(strstr(a, "ERROR: Timeout detected for may_goto instruction"),
		  "bpftool read no report:\n%s", a);
	cr_log_info("bpftool:\n%s\nbpf-stream:\n%s", a, b);
	mask_numbers(a);
	mask_numbers(b);
	cr_assert_str_eq(a, b);
	kreport__destroy(skel);
}
