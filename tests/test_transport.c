// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The transport: bpf_stream_prepare()'s choice on the running kernel (as the
 * library's probe sees it) and the ring-buffer transport end to end. Delivery goes through the public API: bpf_stream_drain()
 * and bpf_stream_drain_object(). Each test says which transport it uses.
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
#include "bpf_stream_record.h"
#include "progs/tr_cases.h"
#include "kernel_probe.h"
#include "tr_fmt.skel.h"
#include "tr_multi.skel.h"
#include "tr_limit.skel.h"
#include "linked.skel.h"
#include "tr_shared.skel.h"
#include "cli_verdict.skel.h"

#define MAX_SEEN 256

struct seen {
	int n;
	struct {
		char prog[64];
		__u32 stream;
		char text[256];
		__u32 flags;
		__u64 ts;
	} m[MAX_SEEN];
	int notices;
};

static int collect(void *ctx, const struct bpf_stream_msg *msg)
{
	struct seen *s = ctx;

	if (msg->flags & BPF_STREAM_MSG_F_DROP_NOTICE) {
		s->notices++;
		return 0;
	}
	cr_assert_lt(s->n, MAX_SEEN);
	snprintf(s->m[s->n].prog, sizeof(s->m[0].prog), "%s", msg->prog_name);
	s->m[s->n].stream = msg->stream_id;
	snprintf(s->m[s->n].text, sizeof(s->m[0].text), "%s", msg->text);
	cr_assert_eq(strlen(msg->text), msg->len);
	s->m[s->n].flags = msg->flags;
	s->m[s->n].ts = msg->ts_ns;
	s->n++;
	return 0;
}

static void run(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);

	cr_assert_eq(bpf_prog_test_run_opts(bpf_program__fd(prog), &topts), 0, "test run: %s",
		     strerror(errno));
}

static void quiet_libbpf(void)
{
	unsetenv("BPF_STREAM_TRANSPORT");
}

TestSuite(transport, .init = quiet_libbpf);

/* The ring-buffer transport, whatever the kernel offers. */
static void prepare_ring(struct bpf_object *obj)
{
	LIBBPF_OPTS(bpf_stream_prepare_opts, opts, .transport = BPF_STREAM_TRANSPORT_RINGBUF);

	cr_assert_eq(bpf_stream_prepare_opts(obj, &opts), 0, "prepare: %s", strerror(errno));
}

/* ---- selection ---------------------------------------------------------------- */

/* Transport: auto. Native where the probe found a stream kfunc whose writes
 * land (6.17, 7.x), else the ring buffer with the probe's reason (no
 * streams before 6.17; writes that fail, as on this machine's 6.18). */
Test(transport, auto_picks_by_this_kernel_and_says_why)
{
	struct tr_multi *skel = tr_multi__open();
	struct bs_kernel k = bs_kernel_probe();
	const char *problem = bs_kernel_native_problem(&k);
	const char *reason = NULL;
	int t;

	cr_assert_not_null(skel);
	cr_assert_eq(bpf_stream_skel_prepare(skel), 0);
	t = bpf_stream_object_transport(skel->obj, &reason);
	cr_assert_not_null(reason);
	fprintf(stderr, "transport: auto picked %s: %s\n", bpf_stream_transport_str(t), reason);
	if (problem) {
		cr_assert_eq(t, BPF_STREAM_TRANSPORT_RINGBUF, "auto picked %s (%s)",
			     bpf_stream_transport_str(t), reason);
		cr_assert_str_eq(reason, problem);
		cr_assert_eq(skel->rodata->bpf_stream_transport_sel, BPF_STREAM_SEL_RINGBUF);
	} else {
		cr_assert_eq(t, BPF_STREAM_TRANSPORT_NATIVE, "auto picked %s (%s)",
			     bpf_stream_transport_str(t), reason);
		cr_assert_eq(skel->rodata->bpf_stream_transport_sel, BPF_STREAM_SEL_NATIVE);
	}
	bpf_stream_skel_release(skel);
	tr_multi__destroy(skel);
}

static char warned[8][512];
static int nr_warned;

static int capture_print(enum bpf_stream_print_level level, const char *fmt, va_list args)
{
	if (level == BPF_STREAM_WARN && nr_warned < 8)
		vsnprintf(warned[nr_warned++], sizeof(warned[0]), fmt, args);
	return 0;
}

/* Transport: native forced by the environment. Where native streams cannot
 * work (the probe says why): -EOPNOTSUPP, errno set, and one warning line
 * that gives the probe's reason. Where they work: native, no warning. */
Test(transport, forced_native_fails_clearly_or_works)
{
	struct tr_multi *skel = tr_multi__open();
	struct bs_kernel k = bs_kernel_probe();
	const char *problem = bs_kernel_native_problem(&k);
	int err;

	cr_assert_not_null(skel);
	setenv("BPF_STREAM_TRANSPORT", "native", 1);
	bpf_stream_set_print(capture_print);
	errno = 0;
	err = bpf_stream_skel_prepare(skel);
	if (!problem) {
		cr_assert_eq(err, 0, "prepare: %d", err);
		cr_assert_eq(nr_warned, 0, "warning: %s", warned[0]);
		cr_assert_eq(bpf_stream_object_transport(skel->obj, NULL),
			     BPF_STREAM_TRANSPORT_NATIVE);
		bpf_stream_skel_release(skel);
		tr_multi__destroy(skel);
		return;
	}
	cr_assert_eq(err, -EOPNOTSUPP, "prepare: %d", err);
	cr_assert_eq(errno, EOPNOTSUPP);
	cr_assert_eq(nr_warned, 1, "%d warnings", nr_warned);
	cr_assert(strstr(warned[0], "BPF_STREAM_TRANSPORT=native") && strstr(warned[0], problem),
		  "warning: %s", warned[0]);
	cr_assert_eq(strchr(warned[0], '\n'), warned[0] + strlen(warned[0]) - 1, "one line");
	cr_assert_eq(bpf_stream_object_transport(skel->obj, NULL), -ENOENT);
	tr_multi__destroy(skel);
}

/* Transport: ringbuf forced by the environment. */
Test(transport, forced_ringbuf_by_env)
{
	struct tr_multi *skel = tr_multi__open();
	const char *reason = NULL;

	setenv("BPF_STREAM_TRANSPORT", "ringbuf", 1);
	cr_assert_eq(bpf_stream_skel_prepare(skel), 0);
	cr_assert_eq(bpf_stream_object_transport(skel->obj, &reason), BPF_STREAM_TRANSPORT_RINGBUF);
	cr_assert_str_eq(reason, "forced by BPF_STREAM_TRANSPORT");
	bpf_stream_skel_release(skel);
	tr_multi__destroy(skel);
}

/* Transport: auto on a kernel without the kfunc (forced probe answer). */
Test(transport, no_kfunc_picks_ringbuf)
{
	struct tr_multi *skel = tr_multi__open();
	const char *reason = NULL;

	bs_feat_test_override(BS_FEAT_NATIVE_WRITE, 0);
	cr_assert_eq(bpf_stream_skel_prepare(skel), 0);
	cr_assert_eq(bpf_stream_object_transport(skel->obj, &reason), BPF_STREAM_TRANSPORT_RINGBUF);
	cr_assert(strstr(reason, "no BPF streams") != NULL, "reason: %s", reason);
	bpf_stream_skel_release(skel);
	tr_multi__destroy(skel);
	/* and forcing native there is refused */
	skel = tr_multi__open();
	setenv("BPF_STREAM_TRANSPORT", "native", 1);
	cr_assert_eq(bpf_stream_skel_prepare(skel), -EOPNOTSUPP);
	tr_multi__destroy(skel);
	bs_feat_test_override(BS_FEAT_NATIVE_WRITE, -1);
}

/* Transport: auto on a kernel whose native write works (forced probe answer). */
Test(transport, working_native_picks_native)
{
	struct tr_multi *skel = tr_multi__open();
	const char *reason = NULL;

	bs_feat_test_override(BS_FEAT_NATIVE_WRITE, 1);
	cr_assert_eq(bpf_stream_skel_prepare(skel), 0);
	cr_assert_eq(bpf_stream_object_transport(skel->obj, &reason), BPF_STREAM_TRANSPORT_NATIVE);
	cr_assert_str_eq(reason, "native streams work on this kernel");
	cr_assert_eq(skel->rodata->bpf_stream_transport_sel, BPF_STREAM_SEL_NATIVE);
	bpf_stream_skel_release(skel);
	tr_multi__destroy(skel);
	bs_feat_test_override(BS_FEAT_NATIVE_WRITE, -1);
}

Test(transport, bad_env_value_is_einval)
{
	struct tr_multi *skel = tr_multi__open();

	setenv("BPF_STREAM_TRANSPORT", "carrier-pigeon", 1);
	errno = 0;
	cr_assert_eq(bpf_stream_skel_prepare(skel), -EINVAL);
	cr_assert_eq(errno, EINVAL);
	tr_multi__destroy(skel);
}

Test(transport, prepare_after_load_is_ebusy)
{
	struct tr_multi *skel = tr_multi__open_and_load();

	cr_assert_not_null(skel);
	errno = 0;
	cr_assert_eq(bpf_stream_skel_prepare(skel), -EBUSY);
	cr_assert_eq(errno, EBUSY);
	cr_assert_eq(bpf_stream_object_transport(skel->obj, NULL), -ENOENT);
	tr_multi__destroy(skel);
}

Test(transport, opts_and_names)
{
	LIBBPF_OPTS(bpf_stream_prepare_opts, opts, .transport = BPF_STREAM_TRANSPORT_RINGBUF);
	struct tr_multi *skel = tr_multi__open();
	const char *reason;

	cr_assert_eq(bpf_stream_prepare_opts(skel->obj, &opts), 0);
	cr_assert_eq(bpf_stream_object_transport(skel->obj, &reason), BPF_STREAM_TRANSPORT_RINGBUF);
	cr_assert_str_eq(reason, "requested by the caller");
	opts.transport = 7;
	cr_assert_eq(bpf_stream_prepare_opts(skel->obj, &opts), -EINVAL);
	cr_assert_eq(bpf_stream_prepare(NULL), -EINVAL);
	cr_assert_str_eq(bpf_stream_transport_str(BPF_STREAM_TRANSPORT_AUTO), "auto");
	cr_assert_str_eq(bpf_stream_transport_str(BPF_STREAM_TRANSPORT_NATIVE), "native");
	cr_assert_str_eq(bpf_stream_transport_str(BPF_STREAM_TRANSPORT_RINGBUF), "ringbuf");
	bpf_stream_skel_release(skel);
	bpf_stream_release(skel->obj); /* twice is fine */
	bpf_stream_release(NULL);
	tr_multi__destroy(skel);
}

/* ---- end to end through the ring buffer ------------------------------------ */

/* Transport: auto (= ringbuf here). Every case of tr_cases.h, delivered by
 * bpf_stream_drain(), is byte-identical to userspace snprintf. */
Test(transport, ringbuf_text_matches_snprintf)
{
	struct tr_fmt *skel = tr_fmt__open();
	struct seen *out = calloc(1, sizeof(*out)), *err = calloc(1, sizeof(*err));
	char want[64][256];
	int want_stream[64], nwant = 0, i, io = 0, ie = 0;
	char pending[256] = "";

	cr_assert_not_null(skel);
	prepare_ring(skel->obj);
	cr_assert_eq(tr_fmt__load(skel), 0);
	run(skel->progs.tr_fmt);
	cr_assert_eq(skel->bss->failures, 0);

	/* expected lines: snprintf of each case; a case without '\n' joins the next */
#define TR_EXPECT(stream, fmt, args...)                                                  \
	{                                                                                \
		char b[256];                                                             \
		snprintf(b, sizeof(b), fmt, ##args);                                     \
		strncat(pending, b, sizeof(pending) - strlen(pending) - 1);              \
		if (pending[strlen(pending) - 1] == '\n') {                              \
			pending[strlen(pending) - 1] = '\0';                             \
			snprintf(want[nwant], sizeof(want[0]), "%s", pending);           \
			want_stream[nwant++] = stream;                                   \
			pending[0] = '\0';                                               \
		}                                                                        \
	}
	TR_CASES(TR_EXPECT)

	cr_assert_eq(bpf_stream_drain(bpf_program__fd(skel->progs.tr_fmt), BPF_STDOUT, collect, out),
		     out->n);
	cr_assert_eq(bpf_stream_drain(bpf_program__fd(skel->progs.tr_fmt), BPF_STDERR, collect, err),
		     err->n);
	for (i = 0; i < nwant; i++) {
		struct seen *s = want_stream[i] == BPF_STDOUT ? out : err;
		int *k = want_stream[i] == BPF_STDOUT ? &io : &ie;

		cr_assert_lt(*k, s->n, "line %d (\"%s\") missing", i, want[i]);
		cr_expect_str_eq(s->m[*k].text, want[i], "case %d", i);
		cr_expect_str_eq(s->m[*k].prog, "tr_fmt");
		cr_expect_eq(s->m[*k].stream, (__u32)want_stream[i]);
		cr_expect_eq(s->m[*k].flags, 0);
		(*k)++;
	}
	cr_assert_eq(io, out->n, "extra stdout lines");
	cr_assert_eq(ie, err->n, "extra stderr lines");
	cr_log_info("%d lines byte-identical to snprintf", nwant);
	bpf_stream_skel_release(skel);
	tr_fmt__destroy(skel);
	free(out);
	free(err);
}

static int count_prog(struct seen *s, const char *prog, __u32 stream)
{
	int i, n = 0;

	for (i = 0; i < s->n; i++)
		n += !strcmp(s->m[i].prog, prog) && s->m[i].stream == stream;
	return n;
}

/* Transport: ringbuf. Several programs of one object, interleaved: each
 * program's lines come out under its own name and stream, in its order,
 * whichever program is drained first. */
Test(transport, ringbuf_several_programs_keep_their_lines)
{
	struct tr_multi *skel = tr_multi__open();
	struct seen *s = calloc(1, sizeof(*s));
	const char *c_name = "tr_multi_c_with_a_rather_long_program_name";
	char want[64];
	int i;

	prepare_ring(skel->obj);
	cr_assert_eq(tr_multi__load(skel), 0);
	run(skel->progs.tr_multi_a);
	run(skel->progs.tr_multi_b);
	run(skel->progs.tr_multi_a);
	run(skel->progs.tr_multi_c_with_a_rather_long_program_name);
	run(skel->progs.tr_multi_b);
	run(skel->progs.tr_multi_a);

	/* drain b's stderr alone first: a's records are queued, not lost */
	cr_assert_eq(bpf_stream_drain(bpf_program__fd(skel->progs.tr_multi_b), BPF_STDERR, collect, s), 2);
	cr_expect_str_eq(s->m[0].text, "b err 1");
	cr_expect_str_eq(s->m[1].text, "b err 2");
	cr_expect_str_eq(s->m[0].prog, "tr_multi_b");
	s->n = 0;
	cr_assert_eq(bpf_stream_skel_drain(skel, collect, s), 3 * 2 + 2 + 1);
	cr_assert_eq(count_prog(s, "tr_multi_a", BPF_STDOUT), 3);
	cr_assert_eq(count_prog(s, "tr_multi_a", BPF_STDERR), 3);
	cr_assert_eq(count_prog(s, "tr_multi_b", BPF_STDOUT), 2);
	cr_assert_eq(count_prog(s, c_name, BPF_STDOUT), 1);
	for (i = 0; i < s->n; i++) {
		const char *p = s->m[i].prog;
		int nth = 0, j;

		for (j = 0; j < i; j++)
			nth += !strcmp(s->m[j].prog, p) && s->m[j].stream == s->m[i].stream;
		snprintf(want, sizeof(want), "%c %s %d", !strcmp(p, c_name) ? 'c' : p[9],
			 s->m[i].stream == BPF_STDOUT ? "out" : "err", nth + 1);
		cr_expect_str_eq(s->m[i].text, want, "message %d of %s", i, p);
	}
	cr_assert_eq(bpf_stream_skel_drain(skel, collect, s), 0, "nothing left");
	bpf_stream_skel_release(skel);
	tr_multi__destroy(skel);
	free(s);
}

/* Transport: ringbuf. Two objects (two instances of one skeleton) at once:
 * each object's lines stay with its own programs. */
Test(transport, ringbuf_two_objects_at_once)
{
	struct tr_multi *one = tr_multi__open(), *two = tr_multi__open();
	struct seen *s1 = calloc(1, sizeof(*s1)), *s2 = calloc(1, sizeof(*s2));

	prepare_ring(one->obj);
	prepare_ring(two->obj);
	cr_assert_eq(tr_multi__load(one), 0);
	cr_assert_eq(tr_multi__load(two), 0);
	run(one->progs.tr_multi_a);
	run(two->progs.tr_multi_a);
	run(two->progs.tr_multi_a);
	run(one->progs.tr_multi_b);

	cr_assert_eq(bpf_stream_skel_drain(two, collect, s2), 4);
	cr_assert_eq(bpf_stream_skel_drain(one, collect, s1), 4);
	cr_assert_eq(count_prog(s1, "tr_multi_a", BPF_STDOUT), 1);
	cr_assert_eq(count_prog(s1, "tr_multi_b", BPF_STDERR), 1);
	cr_assert_eq(count_prog(s2, "tr_multi_a", BPF_STDOUT), 2);
	cr_assert_eq(count_prog(s2, "tr_multi_b", BPF_STDOUT), 0);
	bpf_stream_skel_release(one);
	bpf_stream_skel_release(two);
	tr_multi__destroy(one);
	tr_multi__destroy(two);
	free(s1);
	free(s2);
}

/* Transport: ringbuf. BPF_STREAM_MSG_MAX = 64 in tr_limit: a 64-byte message
 * arrives whole; longer ones arrive cut at 64 bytes and flagged TRUNCATED;
 * BPF_STREAM_TIMESTAMP stamps each. */
Test(transport, ringbuf_size_limit_and_truncation)
{
	const char *l63 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde";
	struct tr_limit *skel = tr_limit__open();
	struct seen *s = calloc(1, sizeof(*s));
	char want[128];

	prepare_ring(skel->obj);
	cr_assert_eq(tr_limit__load(skel), 0);
	run(skel->progs.tr_limit);
	cr_assert_eq(skel->bss->rets[0], 0);
	cr_assert_eq(skel->bss->rets[1], 0);
	cr_assert_eq(skel->bss->rets[2], 0);
	cr_assert_eq(bpf_stream_skel_drain(skel, collect, s), 3);
	cr_expect_str_eq(s->m[0].text, l63);
	cr_expect_eq(s->m[0].flags, 0);
	snprintf(want, sizeof(want), "%sX", l63);	/* 64 bytes kept */
	cr_expect_str_eq(s->m[1].text, want);
	cr_expect(s->m[1].flags & BPF_STREAM_MSG_F_TRUNCATED);
	snprintf(want, sizeof(want), "%s0", l63);
	cr_expect_str_eq(s->m[2].text, want);
	cr_expect(s->m[2].flags & BPF_STREAM_MSG_F_TRUNCATED);
	cr_expect_neq(s->m[0].ts, 0);
	cr_expect_leq(s->m[0].ts, s->m[1].ts);
	bpf_stream_skel_release(skel);
	tr_limit__destroy(skel);
	free(s);
}

/* Transport: ringbuf, through the internal source: a record larger than the
 * reader's buffer is handed out in pieces, nothing lost. */
Test(transport, source_read_small_buffer)
{
	struct tr_multi *skel = tr_multi__open();
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct bs_source_meta meta = {};
	char buf[4], all[32] = "";
	int fd, n;

	prepare_ring(skel->obj);
	cr_assert_eq(tr_multi__load(skel), 0);
	run(skel->progs.tr_multi_a);
	fd = bpf_program__fd(skel->progs.tr_multi_a);
	cr_assert_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	while ((n = bs_source_read(fd, info.id, BPF_STDOUT, buf, sizeof(buf), &meta)) > 0) {
		cr_assert_leq(n, (int)sizeof(buf));
		strncat(all, buf, n);
	}
	cr_assert_eq(n, 0);
	cr_assert_str_eq(all, "a out 1\n");
	bpf_stream_skel_release(skel);
	tr_multi__destroy(skel);
}

/* Transport: ringbuf. Drop counters: a program that prints with a bad
 * stream id is refused without counting; counts read through the API. */
Test(transport, dropped_counts_start_at_zero)
{
	struct tr_multi *skel = tr_multi__open();
	__u64 n = 99;

	prepare_ring(skel->obj);
	cr_assert_eq(tr_multi__load(skel), 0);
	run(skel->progs.tr_multi_a);
	cr_assert_eq(bpf_stream_object_dropped(skel->obj, BPF_STDOUT, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(bpf_stream_object_dropped(skel->obj, BPF_STDERR, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(bpf_stream_object_dropped(skel->obj, 3, &n), -ENOENT);
	bpf_stream_skel_release(skel);
	tr_multi__destroy(skel);
}

/* ---- the record decoder (pure) --------------------------------------------- */

Test(transport, decoder_rejects_bad_records)
{
	struct {
		struct bpf_stream_rec_hdr h;
		char text[16];
	} r = {};
	struct bs_rec_view v;

	r.h.magic = BPF_STREAM_REC_MAGIC;
	r.h.version = BPF_STREAM_REC_VERSION;
	r.h.stream_id = BPF_STDERR;
	r.h.len = 5;
	r.h.site = 1234;
	memcpy(r.text, "hello", 5);
	cr_assert_eq(bs_rec_decode(&r, sizeof(r), &v), 0);
	cr_assert_eq(v.len, 5);
	cr_assert_eq(memcmp(v.payload, "hello", 5), 0);
	cr_assert_eq(v.site, 1234);
	cr_assert_eq(bs_rec_decode(&r, sizeof(r.h) - 1, &v), -EBADMSG);
	r.h.len = 17;
	cr_assert_eq(bs_rec_decode(&r, sizeof(r), &v), -EMSGSIZE);
	r.h.len = 5;
	r.h.flags = BPF_STREAM_REC_F_TS;	/* 8 bytes of stamp, then 9 > 8 left */
	r.h.len = 9;
	cr_assert_eq(bs_rec_decode(&r, sizeof(r), &v), -EMSGSIZE);
	r.h.len = 5;
	r.h.flags = 0x100;
	cr_assert_eq(bs_rec_decode(&r, sizeof(r), &v), -EBADMSG);
	r.h.flags = BPF_STREAM_REC_F_BINARY;
	r.h.nargs = 1;			/* 8 bytes of argument in 5 */
	cr_assert_eq(bs_rec_decode(&r, sizeof(r), &v), -E2BIG);
	r.h.flags = 0;
	cr_assert_eq(bs_rec_decode(&r, sizeof(r), &v), -EBADMSG, "text record with arguments");
	r.h.nargs = 0;
	r.h.stream_id = 3;
	cr_assert_eq(bs_rec_decode(&r, sizeof(r), &v), -ENOENT);
	r.h.stream_id = 0;
	cr_assert_eq(bs_rec_decode(&r, sizeof(r), &v), -ENOENT);
	r.h.stream_id = 1;
	r.h.version = 1;
	cr_assert_eq(bs_rec_decode(&r, sizeof(r), &v), -EPROTO);
	r.h.version = BPF_STREAM_REC_VERSION;
	r.h.magic = 0;
	cr_assert_eq(bs_rec_decode(&r, sizeof(r), &v), -EBADMSG);
	cr_assert_eq(bs_rec_decode(NULL, 0, &v), -EINVAL);
}

#include "tr_limit_default.skel.h"

/* Transport: ringbuf. The default limit: 1023 bytes arrive whole, more are
 * cut at 1023 and flagged TRUNCATED. */
Test(transport, ringbuf_default_size_limit)
{
	struct tr_limit_default *skel = tr_limit_default__open();
	struct seen *s = calloc(1, sizeof(*s));
	struct lines {
		int n;
		char text[2][1100];
		__u32 flags[2];
	} *l = calloc(1, sizeof(*l));
	int fd, i;

	prepare_ring(skel->obj);
	cr_assert_eq(tr_limit_default__load(skel), 0);
	run(skel->progs.tr_limit_default);
	cr_assert_eq(skel->bss->rets[0], 0);
	cr_assert_eq(skel->bss->rets[1], 0);
	fd = bpf_program__fd(skel->progs.tr_limit_default);
	{
		struct bpf_stream_iter *it;
		const struct bpf_stream_msg *m;
		__u32 sid;

		for (sid = BPF_STDOUT; sid <= BPF_STDERR; sid++) {
			it = bpf_stream_iter__new(fd, sid, NULL);
			cr_assert_not_null(it);
			while ((m = bpf_stream_iter__next(it)) && l->n < 2) {
				snprintf(l->text[l->n], sizeof(l->text[0]), "%s", m->text);
				l->flags[l->n++] = m->flags;
			}
			bpf_stream_iter__free(it);
		}
	}
	cr_assert_eq(l->n, 2);
	cr_assert_eq(strlen(l->text[0]), 1022);
	cr_assert_eq(l->flags[0], 0);
	cr_assert_eq(strlen(l->text[1]), 1023);
	cr_assert(l->flags[1] & BPF_STREAM_MSG_F_TRUNCATED);
	cr_assert_eq(l->text[1][1022], '+');
	for (i = 0; i < 1022; i++)
		cr_assert_eq(l->text[0][i], "0123456789abcdef"[i % 16]);
	bpf_stream_skel_release(skel);
	tr_limit_default__destroy(skel);
	free(s);
	free(l);
}

/* Transport: ringbuf on a kernel with native streams (6.17+). Once the
 * ring queue is empty, stderr is also read natively (kernel reports exist
 * only there) and stdout is not: seen through a closed fd, which only a
 * native read notices. */
Test(transport, source_reads_native_stderr_only)
{
	struct tr_multi *skel;
	struct bpf_prog_info info = {};
	struct bs_kernel k = bs_kernel_probe();
	__u32 len = sizeof(info);
	char buf[64];
	int fd;

	if (!k.kfunc_in_btf)
		cr_skip_test("%s: no native stderr to read", bs_kernel_native_problem(&k));
	skel = tr_multi__open();

	prepare_ring(skel->obj);
	cr_assert_eq(tr_multi__load(skel), 0);
	fd = bpf_program__fd(skel->progs.tr_multi_a);
	cr_assert_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	run(skel->progs.tr_multi_a);
	/* ring records first, whatever fd */
	cr_assert_eq(bs_source_read(-1, info.id, BPF_STDERR, buf, sizeof(buf), NULL), 8);
	cr_assert_eq(memcmp(buf, "a err 1\n", 8), 0);
	cr_assert_eq(bs_source_read(-1, info.id, BPF_STDOUT, buf, sizeof(buf), NULL), 8);
	if (!kp_has_stream_read()) {
		/* no native streams to fall back to (before 6.17): empty */
		cr_assert_eq(bs_source_read(-1, info.id, BPF_STDERR, buf, sizeof(buf), NULL), 0);
		cr_assert_eq(bs_source_read(-1, info.id, BPF_STDOUT, buf, sizeof(buf), NULL), 0);
		bpf_stream_skel_release(skel);
		tr_multi__destroy(skel);
		return;
	}
	/* queues empty: stdout stays on the ring, stderr goes native */
	cr_assert_eq(bs_source_read(-1, info.id, BPF_STDOUT, buf, sizeof(buf), NULL), 0);
	cr_assert_eq(bs_source_read(-1, info.id, BPF_STDERR, buf, sizeof(buf), NULL), -EBADF);
	cr_assert_eq(bs_source_read(fd, info.id, BPF_STDERR, buf, sizeof(buf), NULL), 0);
	bpf_stream_skel_release(skel);
	/* released: plain native reads */
	cr_assert_eq(bs_source_read(-1, info.id, BPF_STDOUT, buf, sizeof(buf), NULL), -EBADF);
	tr_multi__destroy(skel);
}

/* Transport: ringbuf. A record printed inside a subprogram carries its call
 * site; it is delivered under the program whose translated code contains
 * that call site, not under the object's first program. */
Test(transport, ringbuf_subprogram_record_goes_to_its_program)
{
	struct tr_multi *skel = tr_multi__open();
	struct seen *s = calloc(1, sizeof(*s));

	prepare_ring(skel->obj);
	cr_assert_eq(tr_multi__load(skel), 0);
	run(skel->progs.tr_multi_sub);
	cr_assert_eq(bpf_stream_skel_drain(skel, collect, s), 1);
	cr_assert_str_eq(s->m[0].text, "helper 7");
	cr_assert_str_eq(s->m[0].prog, "tr_multi_sub");
	bpf_stream_skel_release(skel);
	tr_multi__destroy(skel);
	free(s);
}

/* An object loaded without bpf_stream_prepare() (code ported from upstream
 * libbpf, which has no such call): its lines are not lost. The drain reads
 * whatever bpf_stream.h's default selector did (the ring buffer where no
 * kfunc extern resolved by itself, as with libbpf < 1.3) and one warning
 * says that prepare was not called, with the drops so far. */
Test(transport, unprepared_object_is_read_and_named)
{
	struct tr_multi *skel = tr_multi__open_and_load();
	struct bs_kernel k = bs_kernel_probe();
	bool native = k.kfunc_name && bs_libbpf_resolves_flavours();
	struct seen *s = calloc(1, sizeof(*s));
	int n;

	cr_assert_not_null(skel);
	bpf_stream_set_print(capture_print);
	run(skel->progs.tr_multi_a);
	n = bpf_stream_skel_drain(skel, collect, s);
	cr_assert_eq(nr_warned, 1, "%d warnings", nr_warned);
	cr_assert(strstr(warned[0], "without bpf_stream_prepare()") &&
		  strstr(warned[0], native ? "native" : "ringbuf"), "warning: %s", warned[0]);
	if (!native || !k.write_err) {
		cr_assert_eq(n, 2, "drained %d", n);
		cr_assert_str_eq(s->m[0].text, "a out 1");
		cr_assert_str_eq(s->m[0].prog, "tr_multi_a");
		cr_assert_str_eq(s->m[1].text, "a err 1");
	} else {
		cr_assert_eq(s->notices, 2, "native writes fail here: two drop notices expected");
	}
	run(skel->progs.tr_multi_a);
	cr_assert_geq(bpf_stream_skel_drain(skel, collect, s), 2);
	cr_assert_eq(nr_warned, 1, "the warning is given once");
	bpf_stream_set_print(NULL);
	bpf_stream_skel_release(skel);
	tr_multi__destroy(skel);
	free(s);
}

/* Two .bpf.c files that both include bpf_stream.h, linked into one object
 * with bpftool gen object (tests/progs/link_a.bpf.c, link_b.bpf.c): it links,
 * loads with the transport auto picks here, and each program's lines arrive
 * under that program. */
Test(transport, two_linked_files_one_object)
{
	struct linked *skel = linked__open();
	struct bs_kernel k = bs_kernel_probe();
	struct seen *s = calloc(1, sizeof(*s));
	const char *reason = NULL;
	int i, n, t;

	cr_assert_not_null(skel, "open: %s", strerror(errno));
	cr_assert_eq(bpf_stream_skel_prepare(skel), 0);
	t = bpf_stream_object_transport(skel->obj, &reason);
	cr_assert_eq(linked__load(skel), 0, "load (%s): %s", bpf_stream_transport_str(t),
		     strerror(errno));
	run(skel->progs.link_a_prog);
	run(skel->progs.link_b_prog);
	n = bpf_stream_skel_drain(skel, collect, s);
	if (t == BPF_STREAM_TRANSPORT_NATIVE && k.write_err)
		cr_skip_test("native picked, but %s", bs_kernel_native_problem(&k));
	cr_assert_eq(n, 4, "%d lines (%s: %s)", n, bpf_stream_transport_str(t), reason);
	for (i = 0; i < 4; i++) {
		const char *want = strstr(s->m[i].text, "file a") ? "link_a_prog" : "link_b_prog";

		cr_assert_str_eq(s->m[i].prog, want, "'%s' under %s", s->m[i].text, s->m[i].prog);
	}
	bpf_stream_skel_release(skel);
	linked__destroy(skel);
	free(s);
}

/* Transport: ringbuf. A call site compiled into two programs (an inlined
 * helper): its record cannot tell which program wrote it, so the line is
 * flagged BPF_STREAM_MSG_F_WRITER_UNKNOWN (its text as written) instead of
 * naming a program that may be wrong; each program's own call sites still
 * go to it, unflagged. */
Test(transport, ringbuf_shared_call_site_says_writer_unknown)
{
	struct tr_shared *skel = tr_shared__open();
	struct seen *s = calloc(1, sizeof(*s));
	int i, n;

	cr_assert_not_null(skel);
	prepare_ring(skel->obj);
	cr_assert_eq(tr_shared__load(skel), 0);
	run(skel->progs.tr_shared_b);
	n = bpf_stream_skel_drain(skel, collect, s);
	cr_assert_eq(n, 2, "drained %d", n);
	for (i = 0; i < 2; i++) {
		if (!strcmp(s->m[i].text, "own b")) {
			cr_expect_str_eq(s->m[i].prog, "tr_shared_b");
			cr_expect_eq(s->m[i].flags & BPF_STREAM_MSG_F_WRITER_UNKNOWN, 0,
				     "own line flagged 0x%x", s->m[i].flags);
			continue;
		}
		cr_expect_str_eq(s->m[i].text, "shared 2");
		cr_expect_neq(s->m[i].flags & BPF_STREAM_MSG_F_WRITER_UNKNOWN, 0,
			      "shared line flags 0x%x", s->m[i].flags);
	}
	bpf_stream_skel_release(skel);
	tr_shared__destroy(skel);
	free(s);
}

/* A program that prints nothing uses none of bpf_stream.h's maps; it is
 * still found as part of its object (the object's BTF), so it reads like
 * its object: on the ring (an empty queue), never a native stream a kernel
 * may lack (6.1: a drain of it failed with -EOPNOTSUPP). */
Test(transport, silent_program_belongs_to_its_object)
{
	struct cli_verdict *skel = cli_verdict__open();
	LIBBPF_OPTS(bpf_stream_prog_stats, st);
	char buf[64];
	__u32 id;
	int fd;

	cr_assert_not_null(skel);
	prepare_ring(skel->obj);
	cr_assert_eq(cli_verdict__load(skel), 0);
	fd = bpf_program__fd(skel->progs.cli_ret_big);
	cr_assert_eq(bpf_stream_prog_transport(fd, &st), BPF_STREAM_TRANSPORT_RINGBUF);
	cr_assert_eq(bpf_stream_prog_transport(bpf_program__fd(skel->progs.cli_drop), NULL),
		     BPF_STREAM_TRANSPORT_RINGBUF);
	cr_assert_eq(bs_prog_identify(fd, &id, NULL, 0), 0);
	/* stdout: the ring's empty queue, whatever the kernel */
	cr_assert_eq(bs_source_read(fd, id, BPF_STDOUT, buf, sizeof(buf), NULL), 0);
	bpf_stream_skel_release(skel);
	cli_verdict__destroy(skel);
}
