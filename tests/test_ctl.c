// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Levels and run-time control of call sites (docs/control.md):
 * tests/progs/ctl_sites.bpf.c has one call site of each level; it is loaded
 * once per test and run with BPF_PROG_TEST_RUN while its sites are switched
 * through the library and the CLI, without a reload (same program id).
 * tests/progs/ctl_floor.bpf.c is built with BPF_STREAM_LEVEL WARN: its info
 * and debug calls must be absent from the object.
 *
 * Whichever transport bpf_stream_prepare() picks (ring buffer on a kernel
 * whose native writes fail, native where they land): every test counts
 * written = delivered + dropped + suppressed, so a drop is never taken for
 * a switched-off site.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "libbpf_stream.h"
#include "kernel_probe.h"
#include "ctl_sites.skel.h"
#include "ctl_floor.skel.h"
#include "ctl_linked.skel.h"
#include "linked.skel.h"

#define CLI BUILD_DIR "/bpf-stream"

enum { L_PRINT, L_ERROR, L_WARN, L_INFO, L_DEBUG, L_OTHER, L_LINK_A, L_LINK_B, NR_L };
static const char *const prefixes[NR_L] = { "print ", "error ", "warn ", "info ", "debug ",
					    "other ", "link a ", "link b " };

struct tally {
	__u64 lines[NR_L];
	__u64 drops;		/* announced drops */
	__u64 suppressed;	/* announced as suppressed by a rate limit */
	char last_notice[128];
};

static int tally_msg(void *ctx, const struct bpf_stream_msg *msg)
{
	struct tally *t = ctx;
	int i;

	if (msg->flags & BPF_STREAM_MSG_F_DROP_NOTICE) {
		if (msg->flags & BPF_STREAM_MSG_F_SUPPRESSED)
			t->suppressed += msg->dropped;
		else
			t->drops += msg->dropped;
		snprintf(t->last_notice, sizeof(t->last_notice), "%s", msg->text);
		return 0;
	}
	for (i = 0; i < NR_L; i++)
		if (!strncmp(msg->text, prefixes[i], strlen(prefixes[i]))) {
			t->lines[i]++;
			return 0;
		}
	cr_assert_fail("unexpected line '%s'", msg->text);
	return 0;
}

static struct ctl_sites *load(void)
{
	struct ctl_sites *skel = ctl_sites__open();

	cr_assert_not_null(skel, "open: %s", strerror(errno));
	cr_assert_eq(bpf_stream_prepare(skel->obj), 0, "prepare: %s", strerror(errno));
	cr_assert_eq(ctl_sites__load(skel), 0, "load: %s", strerror(errno));
	return skel;
}

static void run(int prog_fd, int times)
{
	int i;

	/* a syscall program runs once per BPF_PROG_TEST_RUN (no repeat) */
	for (i = 0; i < times; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, ro);

		cr_assert_eq(bpf_prog_test_run_opts(prog_fd, &ro), 0, "run: %s", strerror(errno));
	}
}

static struct tally drain(int prog_fd)
{
	struct tally t = {};
	int s;

	for (s = 1; s <= 2; s++)
		cr_assert_geq(bpf_stream_drain(prog_fd, s, tally_msg, &t), 0, "drain: %s",
			      strerror(errno));
	return t;
}

static __u32 prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	cr_assert_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	return info.id;
}

/* The site of @level in program @fd (NULL if none); *@s keeps it. */
static const struct bpf_stream_site *site_of(int fd, int level, struct bpf_stream_sites **s)
{
	size_t i;

	*s = bpf_stream_sites__new(fd, NULL);
	cr_assert_not_null(*s, "sites: %s", strerror(errno));
	for (i = 0; i < bpf_stream_sites__cnt(*s); i++) {
		const struct bpf_stream_site *t = bpf_stream_sites__get(*s, i);

		if (t->level == level)
			return t;
	}
	return NULL;
}

static int cli(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int cli(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	cr_assert(WIFEXITED(st), "%s: did not exit", cmd);
	return WEXITSTATUS(st);
}

Test(ctl, default_levels)
{
	struct ctl_sites *skel = load();
	int fd = bpf_program__fd(skel->progs.ctl_levels);
	struct tally t;

	run(fd, 3);
	t = drain(fd);
	/* printk, error, warn, info print by default; debug is off */
	cr_assert_eq(t.drops, 0);
	cr_assert_eq(t.lines[L_PRINT], 3);
	cr_assert_eq(t.lines[L_ERROR], 3, "error lines %llu", (unsigned long long)t.lines[L_ERROR]);
	cr_assert_eq(t.lines[L_WARN], 3);
	cr_assert_eq(t.lines[L_INFO], 3);
	cr_assert_eq(t.lines[L_DEBUG], 0, "debug is off by default");
	ctl_sites__destroy(skel);
}

Test(ctl, sites_listed)
{
	static const int want[] = { BPF_STREAM_LVL_PRINT, BPF_STREAM_LVL_ERROR, BPF_STREAM_LVL_WARN,
				    BPF_STREAM_LVL_INFO, BPF_STREAM_LVL_DEBUG };
	struct ctl_sites *skel = load();
	int fd = bpf_program__fd(skel->progs.ctl_levels);
	struct bpf_stream_sites *s;
	size_t i;

	run(fd, 2);
	s = bpf_stream_sites__new(fd, NULL);
	cr_assert_not_null(s, "sites: %s", strerror(errno));
	cr_assert_eq(bpf_stream_sites__cnt(s), 5, "sites of ctl_levels: %zu",
		     bpf_stream_sites__cnt(s));
	for (i = 0; i < 5; i++) {
		const struct bpf_stream_site *t = bpf_stream_sites__get(s, i);

		cr_assert_eq(t->level, want[i], "site %zu level %d, want %d", i, t->level, want[i]);
		cr_assert_eq(t->stream_id, i == 1 || i == 2 ? 2 : 1, "site %zu stream %u", i,
			     t->stream_id);
		cr_assert_str_eq(t->file, "ctl_sites.bpf.c");
		cr_assert_eq(t->line, 15 + i, "site %zu line %u", i, t->line);
		cr_assert_eq(t->enabled, want[i] != BPF_STREAM_LVL_DEBUG);
		cr_assert_eq(t->hits, want[i] != BPF_STREAM_LVL_DEBUG ? 2 : 0, "site %zu hits %llu",
			     i, (unsigned long long)t->hits);
		cr_assert_eq(t->hits, t->printed + t->dropped + t->suppressed);
		cr_assert(strstr(t->fmt, prefixes[i]) == t->fmt, "format '%s'", t->fmt);
	}
	cr_assert_null(bpf_stream_sites__get(s, 5));
	cr_assert_eq(errno, ERANGE);
	bpf_stream_sites__free(s);
	/* the object's sites: the other program's too */
	{
		struct bpf_stream_sites_opts o = { .sz = sizeof(o), .object = true };

		s = bpf_stream_sites__new(fd, &o);
		cr_assert_not_null(s);
		cr_assert_eq(bpf_stream_sites__cnt(s), 6);
		bpf_stream_sites__free(s);
	}
	ctl_sites__destroy(skel);
}

/* Off and on again while the program runs, through the library. */
Test(ctl, site_off_on)
{
	struct ctl_sites *skel = load();
	int fd = bpf_program__fd(skel->progs.ctl_levels);
	__u32 id = prog_id(fd);
	struct bpf_stream_ctl_opts o = { .sz = sizeof(o), .site = "ctl_sites.bpf.c:18",
					 .enable = -1 };
	struct bpf_stream_sites *s;
	const struct bpf_stream_site *info;
	struct tally t;
	int round;

	for (round = 0; round < 3; round++) {
		o.enable = -1;
		cr_assert_eq(bpf_stream_ctl_set(fd, &o), 1, "off: %s", strerror(errno));
		run(fd, 10);
		t = drain(fd);
		cr_assert_eq(t.lines[L_INFO], 0, "round %d: %llu info lines while off", round,
			     (unsigned long long)t.lines[L_INFO]);
		cr_assert_eq(t.lines[L_PRINT], 10);
		o.enable = 1;
		cr_assert_eq(bpf_stream_ctl_set(fd, &o), 1, "on: %s", strerror(errno));
		run(fd, 10);
		t = drain(fd);
		cr_assert_eq(t.lines[L_INFO], 10, "round %d: %llu info lines while on", round,
			     (unsigned long long)t.lines[L_INFO]);
		cr_assert_eq(prog_id(fd), id, "the program was not reloaded");
	}
	info = site_of(fd, BPF_STREAM_LVL_INFO, &s);
	cr_assert_not_null(info);
	cr_assert_eq(info->silenced, 30, "silenced %llu", (unsigned long long)info->silenced);
	cr_assert_eq(info->hits, 30);
	bpf_stream_sites__free(s);
	/* by id too */
	{
		char idbuf[16];
		struct bpf_stream_sites *s2;
		const struct bpf_stream_site *dbg = site_of(fd, BPF_STREAM_LVL_DEBUG, &s2);

		snprintf(idbuf, sizeof(idbuf), "%u", dbg->id);
		o.site = idbuf;
		o.enable = 1;
		cr_assert_eq(bpf_stream_ctl_set(fd, &o), 1);
		bpf_stream_sites__free(s2);
		run(fd, 4);
		t = drain(fd);
		cr_assert_eq(t.lines[L_DEBUG], 4);
	}
	ctl_sites__destroy(skel);
}

/* The same through the CLI, from another process, by program id. */
Test(ctl, cli_site_off_on)
{
	struct ctl_sites *skel = load();
	int fd = bpf_program__fd(skel->progs.ctl_levels);
	__u32 id = prog_id(fd);
	struct tally t;

	cr_assert_eq(cli(CLI " ctl id %u site ctl_sites.bpf.c:18 off >/dev/null", id), 0);
	run(fd, 5);
	t = drain(fd);
	cr_assert_eq(t.lines[L_INFO], 0);
	cr_assert_eq(t.lines[L_WARN], 5);
	cr_assert_eq(cli(CLI " sites id %u | grep -q 'ctl_sites.bpf.c:18 .*info'", id), 0);
	cr_assert_eq(cli(CLI " -j sites id %u | grep -q '\"silenced\":5'", id), 0);
	cr_assert_eq(cli(CLI " ctl id %u site ctl_sites.bpf.c:18 on >/dev/null", id), 0);
	run(fd, 5);
	t = drain(fd);
	cr_assert_eq(t.lines[L_INFO], 5);
	cr_assert_eq(prog_id(fd), id);
	ctl_sites__destroy(skel);
}

Test(ctl, levels)
{
	struct ctl_sites *skel = load();
	int fd = bpf_program__fd(skel->progs.ctl_levels);
	struct bpf_stream_ctl_opts o = { .sz = sizeof(o), .level = BPF_STREAM_LVL_DEBUG };
	struct tally t;

	cr_assert_eq(bpf_stream_ctl_set(fd, &o), 1, "only debug changes: %s", strerror(errno));
	run(fd, 2);
	t = drain(fd);
	cr_assert_eq(t.lines[L_DEBUG], 2);
	cr_assert_eq(t.lines[L_INFO], 2);

	o.level = BPF_STREAM_LVL_WARN;
	cr_assert_eq(bpf_stream_ctl_set(fd, &o), 2, "info and debug change");
	run(fd, 2);
	t = drain(fd);
	cr_assert_eq(t.lines[L_DEBUG], 0);
	cr_assert_eq(t.lines[L_INFO], 0);
	cr_assert_eq(t.lines[L_WARN], 2);
	cr_assert_eq(t.lines[L_PRINT], 2, "bpf_stream_printk has no level");

	cr_assert_eq(cli(CLI " ctl id %u level error >/dev/null", prog_id(fd)), 0);
	run(fd, 2);
	t = drain(fd);
	cr_assert_eq(t.lines[L_WARN], 0);
	cr_assert_eq(t.lines[L_ERROR], 2);
	cr_assert_eq(t.lines[L_PRINT], 2);
	/* the other program of the object keeps its level */
	run(bpf_program__fd(skel->progs.ctl_other), 1);
	t = drain(bpf_program__fd(skel->progs.ctl_other));
	cr_assert_eq(t.lines[L_OTHER], 1);
	ctl_sites__destroy(skel);
}

/* BPF_STREAM_LEVEL WARN: the info and debug calls are not in the object. */
Test(ctl, compile_time_floor)
{
	struct ctl_floor *skel = ctl_floor__open();
	const struct bpf_insn *insns;
	size_t n, i, sz;
	const char *ro;
	struct bpf_stream_sites *s;
	int fd, calls = 0;

	cr_assert_not_null(skel);
	/* no trace in .rodata of the formats */
	ro = bpf_map__initial_value(skel->maps.rodata, &sz);
	cr_assert_not_null(ro);
	cr_assert_null(memmem(ro, sz, "floor info", 10), "the info format is in .rodata");
	cr_assert_null(memmem(ro, sz, "floor debug", 11), "the debug format is in .rodata");
	cr_assert_not_null(memmem(ro, sz, "floor warn", 10));
	/* no instruction touches side_effects (the arguments are not evaluated) */
	insns = bpf_program__insns(skel->progs.ctl_floor);
	n = bpf_program__insn_cnt(skel->progs.ctl_floor);
	for (i = 0; i < n; i++)
		if (insns[i].code == (BPF_JMP | BPF_CALL))
			calls++;
	cr_assert_eq(skel->bss->side_effects, 0);
	cr_assert_eq(bpf_stream_prepare(skel->obj), 0);
	cr_assert_eq(ctl_floor__load(skel), 0);
	fd = bpf_program__fd(skel->progs.ctl_floor);
	run(fd, 3);
	cr_assert_eq(skel->bss->side_effects, 0, "the arguments of compiled-out calls ran");
	/* the loaded instructions: no address of side_effects at all, and
	 * one call site (sites are read from the translated instructions) */
	{
		struct bpf_prog_info info = {};
		struct bpf_map_info mi = {};
		__u32 len = sizeof(info), mlen = sizeof(mi), k, nx;
		struct bpf_insn *x;

		cr_assert_eq(bpf_obj_get_info_by_fd(bpf_map__fd(skel->maps.bss), &mi, &mlen), 0);
		cr_assert_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
		nx = info.xlated_prog_len / sizeof(*x);
		cr_assert_gt(nx, 0);
		x = calloc(nx, sizeof(*x));
		cr_assert_not_null(x);
		memset(&info, 0, sizeof(info));
		info.xlated_prog_len = nx * sizeof(*x);
		info.xlated_prog_insns = (__u64)(unsigned long)x;
		len = sizeof(info);
		cr_assert_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
		__s32 off = (char *)&skel->bss->side_effects - (char *)skel->bss;

		for (k = 0; k + 1 < nx; k++)
			cr_assert(!(x[k].code == (BPF_LD | BPF_IMM | BPF_DW) &&
				    x[k].src_reg == BPF_PSEUDO_MAP_VALUE && (__u32)x[k].imm == mi.id &&
				    x[k + 1].imm == off),
				  "instruction %u loads side_effects: a compiled-out call's argument", k);
		free(x);
	}
	s = bpf_stream_sites__new(fd, NULL);
	cr_assert_not_null(s);
	cr_assert_eq(bpf_stream_sites__cnt(s), 1, "one site left");
	cr_assert_eq(bpf_stream_sites__get(s, 0)->level, BPF_STREAM_LVL_WARN);
	bpf_stream_sites__free(s);
	cr_log_info("ctl_floor: %zu instructions, %d calls", n, calls);
	ctl_floor__destroy(skel);
}

/* 1000 calls against 10/s with a burst of 5: about 5 print, the rest are
 * suppressed; written = delivered + dropped + suppressed. */
Test(ctl, rate_limit)
{
	struct ctl_sites *skel = load();
	int fd = bpf_program__fd(skel->progs.ctl_levels);
	struct bpf_stream_ctl_opts o = { .sz = sizeof(o), .site = "ctl_sites.bpf.c:15",
					 .rate = 10, .burst = 5 };
	struct bpf_stream_sites *s;
	const struct bpf_stream_site *p;
	struct tally t;

	cr_assert_eq(bpf_stream_ctl_set(fd, &o), 1, "rate: %s", strerror(errno));
	run(fd, 1000);
	t = drain(fd);
	p = site_of(fd, BPF_STREAM_LVL_PRINT, &s);
	cr_assert_eq(p->mode, BPF_STREAM_CTL_RATE);
	cr_assert_eq(p->rate, 10);
	cr_assert_eq(p->burst, 5);
	cr_assert_eq(p->hits, 1000, "written %llu", (unsigned long long)p->hits);
	cr_assert_eq(p->hits, t.lines[L_PRINT] + p->dropped + p->suppressed,
		     "written %llu != delivered %llu + dropped %llu + suppressed %llu",
		     (unsigned long long)p->hits, (unsigned long long)t.lines[L_PRINT],
		     (unsigned long long)p->dropped, (unsigned long long)p->suppressed);
	/* 1000 runs take well under a second even under emulation: the burst
	 * plus at most a few seconds' worth */
	cr_assert_geq(t.lines[L_PRINT] + p->dropped, 5);
	cr_assert_leq(t.lines[L_PRINT] + p->dropped, 5 + 10 * 10, "printed %llu",
		      (unsigned long long)t.lines[L_PRINT]);
	cr_assert_eq(t.lines[L_WARN], 1000, "other sites are not limited");
	/* announced like drops, under the program and stream */
	cr_assert_eq(t.suppressed, p->suppressed, "announced %llu, counted %llu",
		     (unsigned long long)t.suppressed, (unsigned long long)p->suppressed);
	{
		char want[64];

		snprintf(want, sizeof(want), "[%llu suppressed by rate limit on stdout]",
			 (unsigned long long)p->suppressed);
		cr_assert_str_eq(t.last_notice, want);
	}
	bpf_stream_sites__free(s);
	/* rate off: all lines again */
	o.rate = 0;
	o.burst = 0;
	o.no_rate = true;
	cr_assert_eq(bpf_stream_ctl_set(fd, &o), 1);
	run(fd, 50);
	t = drain(fd);
	cr_assert_eq(t.lines[L_PRINT], 50);
	/* the CLI's form */
	cr_assert_eq(cli(CLI " ctl id %u site ctl_sites.bpf.c:15 on rate 2/s burst 1 >/dev/null",
			 prog_id(fd)), 0);
	run(fd, 100);
	t = drain(fd);
	cr_assert_geq(t.lines[L_PRINT], 1);
	cr_assert_leq(t.lines[L_PRINT], 1 + 2 * 10);
	ctl_sites__destroy(skel);
}

static void *ctl_value(struct ctl_sites *skel, size_t *sz)
{
	const struct bpf_map *m = skel->maps.data_bs_ctl;
	__u32 key = 0;
	void *v;

	*sz = bpf_map__value_size(m);
	v = calloc(1, *sz);
	cr_assert_not_null(v);
	cr_assert_eq(bpf_map_lookup_elem(bpf_map__fd(m), &key, v), 0);
	return v;
}

Test(ctl, bad_input)
{
	struct ctl_sites *skel = load();
	int fd = bpf_program__fd(skel->progs.ctl_levels);
	__u32 id = prog_id(fd);
	struct bpf_stream_ctl_opts o = { .sz = sizeof(o) };
	void *before, *after;
	size_t sz;
	pid_t pid;
	int st;

	run(fd, 1);
	before = ctl_value(skel, &sz);
	o.site = "nosuch.c:1";
	o.enable = -1;
	cr_assert_eq(bpf_stream_ctl_set(fd, &o), -ENOENT);
	cr_assert_eq(errno, ENOENT);
	o.site = "9999";
	cr_assert_eq(bpf_stream_ctl_set(fd, &o), -ENOENT);
	o.site = "ctl_sites.bpf.c:";
	cr_assert_eq(bpf_stream_ctl_set(fd, &o), -EINVAL);
	o.site = NULL;
	o.enable = 0;
	o.level = 5;
	cr_assert_eq(bpf_stream_ctl_set(fd, &o), -EINVAL, "level 5");
	o.level = 0;
	o.burst = 3;
	cr_assert_eq(bpf_stream_ctl_set(fd, &o), -EINVAL, "burst without rate");
	o.burst = 0;
	cr_assert_eq(bpf_stream_level_parse("loud"), -EINVAL);
	cr_assert_eq(bpf_stream_level_parse("warning"), BPF_STREAM_LVL_WARN);
	/* the CLI: usage errors (64), unknown site (66) */
	cr_assert_eq(cli(CLI " ctl id %u rate 0/s 2>/dev/null", id), 64);
	cr_assert_eq(cli(CLI " ctl id 4294967295 rate 0/s 2>/dev/null"), 64,
		     "arguments are checked before programs are looked up");
	cr_assert_eq(cli(CLI " ctl id %u rate fast 2>/dev/null", id), 64);
	cr_assert_eq(cli(CLI " ctl id %u level loud 2>/dev/null", id), 64);
	cr_assert_eq(cli(CLI " ctl id %u site 1 maybe 2>/dev/null", id), 64);
	cr_assert_eq(cli(CLI " ctl id %u 2>/dev/null", id), 64);
	cr_assert_eq(cli(CLI " ctl id %u site nosuch.c:3 off 2>/dev/null", id), 66);
	cr_assert_eq(cli(CLI " ctl all site nosuch.c:3 off 2>/dev/null"), 66,
		     "several programs, none with the site");
	/* another user without capabilities: EPERM, from the library and the CLI */
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct bpf_stream_ctl_opts c = { .sz = sizeof(c), .enable = -1 };
		int ok;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(3);
		/* fd inherited, but the maps need CAP_SYS_ADMIN/CAP_BPF to open by id */
		ok = bpf_stream_ctl_set(fd, &c) == -EPERM && errno == EPERM &&
		     !bpf_stream_sites__new(fd, NULL) && errno == EPERM;
		_exit(ok ? 0 : 1);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "unprivileged ctl: status %d", st);
	cr_assert_eq(cli("setpriv --reuid=65534 --regid=65534 --clear-groups " CLI
			 " ctl id %u level error 2>/dev/null", id), 77);
	after = ctl_value(skel, &sz);
	cr_assert_eq(memcmp(before, after, sz), 0, "a refused change changed the control array");
	free(before);
	free(after);
	ctl_sites__destroy(skel);
}

/* Files linked into one object: with their own BPF_STREAM_SITE_BASE each
 * site has its own switch; without (tests/progs/linked.bpf.o), sites of
 * the two files share switches, which the library says and refuses to
 * switch one of them alone. */
Test(ctl, linked_objects)
{
	struct ctl_linked *good = ctl_linked__open();
	struct linked *bad = linked__open();
	struct bpf_stream_ctl_opts o = { .sz = sizeof(o), .site = "ctl_link_b.bpf.c:12",
					 .enable = -1 };
	struct bpf_stream_sites_opts so = { .sz = sizeof(so), .object = true };
	struct bpf_stream_sites *s;
	struct tally t;
	size_t i;
	int fa, fb;

	cr_assert_not_null(good);
	cr_assert_eq(bpf_stream_prepare(good->obj), 0);
	cr_assert_eq(ctl_linked__load(good), 0);
	fa = bpf_program__fd(good->progs.ctl_link_a);
	fb = bpf_program__fd(good->progs.ctl_link_b);
	s = bpf_stream_sites__new(fb, &so);
	cr_assert_not_null(s);
	cr_assert_eq(bpf_stream_sites__cnt(s), 2);
	cr_assert_eq(bpf_stream_sites__get(s, 0)->id, 0);
	cr_assert_eq(bpf_stream_sites__get(s, 1)->id, 128);
	for (i = 0; i < 2; i++)
		cr_assert_eq(bpf_stream_sites__get(s, i)->nshared, 0);
	bpf_stream_sites__free(s);
	cr_assert_eq(bpf_stream_ctl_set(fb, &o), 1, "%s", strerror(errno));
	run(fa, 1);
	run(fb, 1);
	t = drain(fa);
	cr_assert_eq(t.lines[L_LINK_A], 1, "link a's site is on");
	cr_assert_eq(t.lines[L_LINK_B], 0);
	t = drain(fb);
	cr_assert_eq(t.lines[L_LINK_B], 0, "link b's site is off");
	ctl_linked__destroy(good);

	cr_assert_not_null(bad);
	cr_assert_eq(bpf_stream_prepare(bad->obj), 0);
	cr_assert_eq(linked__load(bad), 0);
	fb = bpf_program__fd(bad->progs.link_b_prog);
	s = bpf_stream_sites__new(fb, NULL);
	cr_assert_not_null(s);
	cr_assert_eq(bpf_stream_sites__cnt(s), 2);
	for (i = 0; i < 2; i++)
		cr_assert_eq(bpf_stream_sites__get(s, i)->nshared, 1, "site %zu shares with %u",
			     i, bpf_stream_sites__get(s, i)->nshared);
	bpf_stream_sites__free(s);
	o.site = "link_b.bpf.c:11";
	cr_assert_eq(bpf_stream_ctl_set(fb, &o), -EEXIST);
	linked__destroy(bad);
}

/* A program running in a loop on another thread while its info site is
 * switched off and on: after each switch has been seen (the lines queued
 * before it drained), no info line while off, one per run while on. */
struct runner {
	int fd;
	bool stop;		/* __atomic: read by the runner thread */
	unsigned long runs;	/* __atomic: written by the runner thread */
};

static void *runner_fn(void *arg)
{
	struct runner *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		LIBBPF_OPTS(bpf_test_run_opts, ro);

		if (bpf_prog_test_run_opts(r->fd, &ro))
			break;
		__atomic_add_fetch(&r->runs, 1, __ATOMIC_RELEASE);
		usleep(200);
	}
	return NULL;
}

/* Wait until the runner ran @n more times. */
static void runs_wait(struct runner *r, unsigned long n)
{
	unsigned long start = __atomic_load_n(&r->runs, __ATOMIC_ACQUIRE);
	int i;

	for (i = 0; i < 20000 && __atomic_load_n(&r->runs, __ATOMIC_ACQUIRE) - start < n; i++)
		usleep(1000);
	cr_assert_geq(__atomic_load_n(&r->runs, __ATOMIC_ACQUIRE) - start, n,
		      "the runner is stuck");
}

Test(ctl, switch_while_running, .timeout = 120)
{
	struct ctl_sites *skel = load();
	struct runner r = { .fd = bpf_program__fd(skel->progs.ctl_levels) };
	struct bpf_stream_ctl_opts o = { .sz = sizeof(o), .site = "ctl_sites.bpf.c:18" };
	__u32 id = prog_id(r.fd);
	pthread_t th;
	struct tally t;
	int round;

	cr_assert_eq(pthread_create(&th, NULL, runner_fn, &r), 0);
	for (round = 0; round < 3; round++) {
		o.enable = -1;
		cr_assert_eq(bpf_stream_ctl_set(r.fd, &o), 1);
		runs_wait(&r, 2);	/* a run that started before the switch ended */
		drain(r.fd);		/* what was queued before it */
		runs_wait(&r, 20);
		t = drain(r.fd);
		cr_assert_gt(t.lines[L_PRINT], 0);
		cr_assert_eq(t.lines[L_INFO], 0, "round %d: %llu info lines while off (%llu print)",
			     round, (unsigned long long)t.lines[L_INFO],
			     (unsigned long long)t.lines[L_PRINT]);
		o.enable = 1;
		cr_assert_eq(bpf_stream_ctl_set(r.fd, &o), 1);
		runs_wait(&r, 2);
		drain(r.fd);
		runs_wait(&r, 20);
		t = drain(r.fd);
		cr_assert_gt(t.lines[L_INFO], 0);
		/* a drain may fall between one run's print line and its info line */
		cr_assert_leq(t.lines[L_PRINT] - t.lines[L_INFO] + 1, 2,
			      "round %d: %llu info lines for %llu print lines while on", round,
			      (unsigned long long)t.lines[L_INFO], (unsigned long long)t.lines[L_PRINT]);
		cr_assert_eq(t.drops, 0);
	}
	__atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	cr_assert_eq(prog_id(r.fd), id, "the program was not reloaded");
	ctl_sites__destroy(skel);
}
