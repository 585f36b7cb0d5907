// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Drops are announced under the program that dropped them, per stream, after
 * that program's lines: tests/progs/tr_drops.bpf.c floods one stream of one
 * program at a time (a one-page ring, or the kernel's native stream), and
 * every message written is either delivered or counted in a notice of that
 * same program and stream. A call site two programs share is announced with
 * the writer unknown, never under a name that may be wrong.
 *
 * Each test says which transport it uses. Ring: forced, it works on every
 * kernel. Native: where writes land, the stream fills; where they fail (no
 * kfunc, or a kernel whose writes fail) every write is a drop. Both must be
 * attributed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <criterion/criterion.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "libbpf_stream.h"
#include "stream_internal.h"
#include "bpf_stream_record.h"
#include "kernel_probe.h"
#include "tr_drops.skel.h"

/* Messages per flood: more than a one-page ring holds, and more than a
 * native stream of 7.x (100000 bytes) holds. */
#define FLOOD 20000

enum { P_A, P_B, P_SA, P_SB, NR_P };

struct tally {
	__u32 ids[NR_P];
	const char *names[NR_P];
	__u64 lines[NR_P][3];
	__u64 own[NR_P][3];	/* notices naming the writer */
	__u64 unknown[NR_P][3];	/* notices saying the writer is unknown */
	bool line_after_notice;
	int unknown_prog;	/* messages of a program id not in ids */
};

static int prog_idx(const struct tally *t, __u32 id)
{
	int i;

	for (i = 0; i < NR_P; i++)
		if (t->ids[i] == id)
			return i;
	return -1;
}

static int tally_msg(void *ctx, const struct bpf_stream_msg *msg)
{
	struct tally *t = ctx;
	int i = prog_idx(t, msg->prog_id);

	if (i < 0 || msg->stream_id < 1 || msg->stream_id > 2) {
		t->unknown_prog++;
		return 0;
	}
	cr_assert_str_eq(msg->prog_name, t->names[i], "message of prog %u named %s",
			 msg->prog_id, msg->prog_name);
	if (msg->flags & BPF_STREAM_MSG_F_DROP_NOTICE) {
		cr_assert_gt(msg->dropped, 0);
		cr_assert(strstr(msg->text, msg->stream_id == 1 ? "dropped on stdout" :
								  "dropped on stderr"),
			  "notice: %s", msg->text);
		if (strstr(msg->text, "writer unknown"))
			t->unknown[i][msg->stream_id] += msg->dropped;
		else
			t->own[i][msg->stream_id] += msg->dropped;
		return 0;
	}
	if (t->own[i][msg->stream_id] || t->unknown[i][msg->stream_id])
		t->line_after_notice = true;
	t->lines[i][msg->stream_id]++;
	return 0;
}

static struct tr_drops *open_load(enum bpf_stream_transport tp)
{
	LIBBPF_OPTS(bpf_stream_prepare_opts, opts, .transport = tp);
	struct tr_drops *skel = tr_drops__open();
	struct bs_kernel k = bs_kernel_probe();
	const char *why = NULL;
	int err;

	cr_assert_not_null(skel, "open: %s", strerror(errno));
	err = bpf_stream_prepare_opts(skel->obj, &opts);
	if (err == -EOPNOTSUPP && tp == BPF_STREAM_TRANSPORT_NATIVE) {
		/* prepare refuses native where it cannot work: force it as a
		 * loader may (bpf_stream.h's selector), so every write fails
		 * and is counted */
		if (k.kfunc_name)
			cr_assert_eq(bs_bind_kfunc(skel->obj, &k, &why), 0, "bind: %s", why);
		skel->rodata->bpf_stream_transport_sel = BPF_STREAM_SEL_NATIVE;
	} else {
		cr_assert_eq(err, 0, "prepare: %s", strerror(-err));
	}
	cr_assert_eq(tr_drops__load(skel), 0, "load: %s", strerror(errno));
	cr_assert_eq(bpf_stream_prog_transport(bpf_program__fd(skel->progs.drop_a), NULL), tp);
	return skel;
}

static void tally_init(struct tally *t, struct tr_drops *skel)
{
	struct bpf_program *p[NR_P] = { skel->progs.drop_a, skel->progs.drop_b,
					skel->progs.drop_shared_a, skel->progs.drop_shared_b };
	int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < NR_P; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		cr_assert_eq(bpf_obj_get_info_by_fd(bpf_program__fd(p[i]), &info, &len), 0);
		t->ids[i] = info.id;
		t->names[i] = bpf_program__name(p[i]);
	}
}

static void flood(struct tr_drops *skel, struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, ro);

	skel->bss->lines = FLOOD;
	skel->bss->failed = 0;
	cr_assert_eq(bpf_prog_test_run_opts(bpf_program__fd(prog), &ro), 0, "run: %s",
		     strerror(errno));
}

/* Everything of @i on @sid is accounted for: lines + own notices = FLOOD,
 * and the notices count what the BPF side saw fail. */
static void expect_accounted(const struct tally *t, int i, __u32 sid, int failed)
{
	cr_assert_eq(t->lines[i][sid] + t->own[i][sid], FLOOD,
		     "%s %s: %llu lines + %llu dropped != %d written", t->names[i],
		     sid == 1 ? "stdout" : "stderr", (unsigned long long)t->lines[i][sid],
		     (unsigned long long)t->own[i][sid], FLOOD);
	cr_assert_eq(t->own[i][sid], (__u64)failed, "%s: notices %llu, failed writes %d",
		     t->names[i], (unsigned long long)t->own[i][sid], failed);
	cr_assert_eq(t->unknown[i][sid], 0);
}

static void expect_silent(const struct tally *t, int i, __u32 sid)
{
	cr_assert_eq(t->lines[i][sid] + t->own[i][sid] + t->unknown[i][sid], 0,
		     "%s %s got %llu lines, %llu + %llu dropped", t->names[i],
		     sid == 1 ? "stdout" : "stderr", (unsigned long long)t->lines[i][sid],
		     (unsigned long long)t->own[i][sid], (unsigned long long)t->unknown[i][sid]);
}

static void expect_prog_stats(struct tr_drops *skel, struct bpf_program *prog, __u32 sid,
			      __u64 want)
{
	LIBBPF_OPTS(bpf_stream_prog_stats, st);

	cr_assert_geq(bpf_stream_prog_transport(bpf_program__fd(prog), &st), 0);
	cr_assert_eq(st.dropped[sid], want, "%s: stats say %llu dropped, notices %llu",
		     bpf_program__name(prog), (unsigned long long)st.dropped[sid],
		     (unsigned long long)want);
}

static void two_programs_two_streams(enum bpf_stream_transport tp)
{
	struct tr_drops *skel = open_load(tp);
	struct tally t;
	__u64 total;
	int failed, i;

	tally_init(&t, skel);

	/* b floods stderr: its drops are b's, after b's lines */
	flood(skel, skel->progs.drop_b);
	failed = skel->bss->failed;
	cr_assert_gt(failed, 0, "%s: no write of %d failed: the test proves nothing",
		     bpf_stream_transport_str(tp), FLOOD);
	cr_assert_geq(bpf_stream_drain_object(skel->obj, tally_msg, &t), 0);
	cr_assert_eq(t.unknown_prog, 0);
	expect_accounted(&t, P_B, BPF_STDERR, failed);
	cr_assert_not(t.line_after_notice, "a line came after its stream's drop notice");
	for (i = 0; i < NR_P; i++) {
		expect_silent(&t, i, BPF_STDOUT);
		if (i != P_B)
			expect_silent(&t, i, BPF_STDERR);
	}
	expect_prog_stats(skel, skel->progs.drop_b, BPF_STDERR, t.own[P_B][BPF_STDERR]);
	expect_prog_stats(skel, skel->progs.drop_a, BPF_STDERR, 0);

	/* then a floods stdout: a's, and nothing more for b */
	tally_init(&t, skel);
	flood(skel, skel->progs.drop_a);
	failed = skel->bss->failed;
	cr_assert_gt(failed, 0);
	cr_assert_geq(bpf_stream_drain_object(skel->obj, tally_msg, &t), 0);
	expect_accounted(&t, P_A, BPF_STDOUT, failed);
	expect_silent(&t, P_B, BPF_STDOUT);
	expect_silent(&t, P_B, BPF_STDERR);
	cr_assert_not(t.line_after_notice);
	expect_prog_stats(skel, skel->progs.drop_a, BPF_STDOUT, t.own[P_A][BPF_STDOUT]);

	/* the object's totals are the sum of what the programs announced */
	cr_assert_eq(bpf_stream_object_dropped(skel->obj, BPF_STDOUT, &total), 0);
	cr_assert_eq(total, t.own[P_A][BPF_STDOUT]);
	tr_drops__destroy(skel);
}

/* Ring transport (forced): a one-page ring overflows at once. */
Test(drops, ringbuf_two_programs_two_streams)
{
	two_programs_two_streams(BPF_STREAM_TRANSPORT_RINGBUF);
}

/* Native transport: where writes land, the kernel's stream fills up; where
 * they fail here, each write is a drop. Either way each is the writer's. */
Test(drops, native_two_programs_two_streams)
{
	KP_NEED_STREAM_READ();
	fprintf(stderr, "drops: native writes here: %s\n",
		kp_native_write() ? kp_native_write_why() : "land");
	two_programs_two_streams(BPF_STREAM_TRANSPORT_NATIVE);
}

/* A call site two programs contain: its drops are announced once, with the
 * writer unknown, under one of the two; lines + notices still add up. */
Test(drops, shared_call_site_says_writer_unknown)
{
	struct tr_drops *skel = open_load(BPF_STREAM_TRANSPORT_RINGBUF);
	struct tally t;
	__u64 unknown, lines;
	int failed;

	tally_init(&t, skel);
	flood(skel, skel->progs.drop_shared_b);
	failed = skel->bss->failed;
	cr_assert_gt(failed, 0);
	cr_assert_geq(bpf_stream_drain_object(skel->obj, tally_msg, &t), 0);
	unknown = t.unknown[P_SA][BPF_STDOUT] + t.unknown[P_SB][BPF_STDOUT];
	lines = t.lines[P_SA][BPF_STDOUT] + t.lines[P_SB][BPF_STDOUT];
	cr_assert_eq(unknown, (__u64)failed, "shared drops announced %llu, failed %d",
		     (unsigned long long)unknown, failed);
	cr_assert_eq(lines + unknown, FLOOD);
	cr_assert_eq(t.own[P_SA][BPF_STDOUT] + t.own[P_SB][BPF_STDOUT], 0,
		     "a shared call site's drops were given a writer");
	expect_silent(&t, P_A, BPF_STDOUT);
	expect_silent(&t, P_B, BPF_STDOUT);
	tr_drops__destroy(skel);
}

/* The reader (follow mode) announces them the same way, in order. */
Test(drops, reader_announces_under_the_writer)
{
	struct tr_drops *skel = open_load(BPF_STREAM_TRANSPORT_RINGBUF);
	struct bpf_stream_reader *r;
	struct tally t;
	int failed, n, rounds;

	tally_init(&t, skel);
	r = bpf_stream_reader__new(tally_msg, &t, NULL);
	cr_assert_not_null(r, "reader: %s", strerror(errno));
	cr_assert_eq(bpf_stream_reader__add_object(r, skel->obj, BPF_STREAM_MASK_ALL), NR_P);
	flood(skel, skel->progs.drop_b);
	failed = skel->bss->failed;
	cr_assert_gt(failed, 0);
	for (rounds = 0; rounds < 20 && t.lines[P_B][BPF_STDERR] + t.own[P_B][BPF_STDERR] < FLOOD;
	     rounds++) {
		n = bpf_stream_reader__poll(r, 100);
		cr_assert_geq(n, 0, "poll: %d", n);
	}
	expect_accounted(&t, P_B, BPF_STDERR, failed);
	cr_assert_not(t.line_after_notice);
	expect_silent(&t, P_A, BPF_STDERR);
	bpf_stream_reader__free(r);
	tr_drops__destroy(skel);
}

static int count_msg(void *ctx, const struct bpf_stream_msg *msg)
{
	(*(int *)ctx)++;
	return 0;
}

/* Reading one program of a ring takes the others' records into this
 * process: the stats say how many wait there, until they are read. */
Test(drops, ringbuf_queued_for_programs_not_read)
{
	struct tr_drops *skel = open_load(BPF_STREAM_TRANSPORT_RINGBUF);
	LIBBPF_OPTS(bpf_stream_prog_stats, st);
	struct tally t;
	int n = 0, failed;

	tally_init(&t, skel);
	flood(skel, skel->progs.drop_b);
	failed = skel->bss->failed;
	cr_assert_eq(bpf_stream_drain(bpf_program__fd(skel->progs.drop_a), BPF_STDOUT, count_msg,
				      &n), 0);
	cr_assert_eq(bpf_stream_prog_transport(bpf_program__fd(skel->progs.drop_b), &st),
		     BPF_STREAM_TRANSPORT_RINGBUF);
	cr_assert_eq(st.queued[BPF_STDERR], FLOOD - failed, "queued %llu, written %d - failed %d",
		     (unsigned long long)st.queued[BPF_STDERR], FLOOD, failed);
	cr_assert_eq(st.queued[BPF_STDOUT], 0);
	cr_assert_geq(bpf_stream_drain_object(skel->obj, tally_msg, &t), 0);
	expect_accounted(&t, P_B, BPF_STDERR, failed);
	cr_assert_eq(bpf_stream_prog_transport(bpf_program__fd(skel->progs.drop_b), &st),
		     BPF_STREAM_TRANSPORT_RINGBUF);
	cr_assert_eq(st.queued[BPF_STDERR], 0);
	tr_drops__destroy(skel);
}
