// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf_stream_iter__*. Sources, per test: kernel (errors, empty stream of a
 * real program), ringbuf (cons_print.bpf.c data through the
 * ring-buffer transport, forced), scripted (end semantics, errors, leftovers).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "cons_helpers.h"
#include "kernel_probe.h"
#include "cons_print.skel.h"

TestSuite(iter);

Test(iter, kernel_errors)
{
	int fd = cons_load_trivial_prog(), map_fd;
	struct bpf_stream_iter *it;
	struct {
		struct bpf_stream_iter_opts o;
		long tail;
	} big = { .o.sz = sizeof(big), .tail = 1 };

	if (fd < 0)
		cr_skip_test("cannot load a BPF program (%d)", fd);
	KP_NEED_STREAM_READ();
	cr_assert_null(bpf_stream_iter__new(9999, BPF_STDOUT, NULL));
	cr_assert_eq(errno, EBADF);
	cr_assert_null(bpf_stream_iter__new(fd, 0, NULL));
	cr_assert_eq(errno, ENOENT);
	map_fd = cons_create_map();
	cr_assert_null(bpf_stream_iter__new(map_fd, BPF_STDOUT, NULL));
	cr_assert_eq(errno, EINVAL);
	close(map_fd);
	cr_assert_null(bpf_stream_iter__new(fd, BPF_STDOUT, &big.o));
	cr_assert_eq(errno, EINVAL, "unknown opts tail");

	it = bpf_stream_iter__new(fd, BPF_STDOUT, NULL);
	cr_assert_not_null(it);
	close(fd); /* the iterator has its own fd */
	errno = 1234;
	cr_assert_null(bpf_stream_iter__next(it));
	cr_assert_eq(errno, 0, "empty: NULL with errno 0, got %d", errno);
	bpf_stream_iter__free(it);
	bpf_stream_iter__free(NULL);
}

Test(iter, scripted_end_then_more)
{
	struct cons_script s = {};
	struct bs_stream_src src = cons_script_src(&s, 501, "it", BPF_STDERR);
	struct bpf_stream_iter *it = bs_iter__new_src(&src);
	const struct bpf_stream_msg *m;

	cr_assert_not_null(it);
	cons_script_adds(&s, "one\ntw");
	cons_script_adds(&s, "o\nthr");
	m = bpf_stream_iter__next(it);
	cr_assert_not_null(m);
	cr_assert_str_eq(m->text, "one");
	cr_assert_eq(m->prog_id, 501);
	cr_assert_str_eq(m->prog_name, "it");
	cr_assert_eq(m->stream_id, BPF_STDERR);
	m = bpf_stream_iter__next(it);
	cr_assert_str_eq(m->text, "two");
	m = bpf_stream_iter__next(it);
	cr_assert_not_null(m);
	cr_assert_str_eq(m->text, "thr");
	cr_assert_eq(m->flags, BPF_STREAM_MSG_F_UNTERMINATED);
	errno = 99;
	cr_assert_null(bpf_stream_iter__next(it));
	cr_assert_eq(errno, 0);
	cr_assert_null(bpf_stream_iter__next(it), "still the end");
	cons_script_adds(&s, "four\n");
	m = bpf_stream_iter__next(it);
	cr_assert_not_null(m, "later calls find more");
	cr_assert_str_eq(m->text, "four");
	cr_assert_eq(m->len, 4);
	cr_assert_null(bpf_stream_iter__next(it));
	bpf_stream_iter__free(it);
}

Test(iter, scripted_error_sets_errno)
{
	struct cons_script s = { .err = -EIO };
	struct bs_stream_src src = cons_script_src(&s, 502, "it", BPF_STDOUT);
	struct bpf_stream_iter *it = bs_iter__new_src(&src);

	cr_assert_null(bpf_stream_iter__next(it));
	cr_assert_eq(errno, EIO);
	bpf_stream_iter__free(it);
}

/* Lines read from the source but not returned yet go to the next user. */
Test(iter, leftovers_survive_free)
{
	struct cons_script s = {};
	struct bs_stream_src src = cons_script_src(&s, 503, "it", BPF_STDOUT);
	struct bpf_stream_iter *it = bs_iter__new_src(&src);
	struct cons_collect *col = calloc(1, sizeof(*col));

	cons_script_adds(&s, "a\nb\nc\nd\n"); /* one read */
	cr_assert_str_eq(bpf_stream_iter__next(it)->text, "a");
	bpf_stream_iter__free(it);
	cr_assert_eq(s.next, 1, "the source was read once");
	cr_assert_eq(bs_drain_src(&src, cons_collect_fn, col), 3, "b c d come from the pending state");
	cr_assert_str_eq(col->msgs[0].text, "b");
	cr_assert_str_eq(col->msgs[2].text, "d");
	cons_collect_reset(col);
	free(col);
}

Test(iter, scripted_drop_notice_at_end)
{
	struct cons_script s = { .has_dropped = true, .dropped = 2 };
	struct bs_stream_src src = cons_script_src(&s, 504, "it", BPF_STDOUT);
	struct bpf_stream_iter *it = bs_iter__new_src(&src);
	const struct bpf_stream_msg *m;

	cons_script_adds(&s, "x\n");
	cr_assert_str_eq(bpf_stream_iter__next(it)->text, "x");
	m = bpf_stream_iter__next(it);
	cr_assert_not_null(m);
	cr_assert_eq(m->flags, BPF_STREAM_MSG_F_DROP_NOTICE);
	cr_assert_eq(m->dropped, 2);
	cr_assert_null(bpf_stream_iter__next(it));
	cr_assert_eq(errno, 0);
	bpf_stream_iter__free(it);
}

Test(iter, ringbuf_lines)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	LIBBPF_OPTS(bpf_stream_iter_opts, iopts, .prog_name = "custom");
	struct cons_print *skel = cons_print__open();
	LIBBPF_OPTS(bpf_stream_prepare_opts, ring_opts, .transport = BPF_STREAM_TRANSPORT_RINGBUF);
	const struct bpf_stream_msg *m;
	struct bpf_stream_iter *it;
	char want[32];
	int err, i = 0, fd;

	cr_assert_not_null(skel);
	err = bpf_stream_prepare_opts(skel->obj, &ring_opts);
	if (err) {
		cons_print__destroy(skel);
		cr_skip_test("bpf_stream_prepare() failed (%d)", err);
	}
	cr_assert_eq(cons_print__load(skel), 0);
	skel->data->nr_lines = 4;
	fd = bpf_program__fd(skel->progs.cons_out);
	cr_assert_eq(bpf_prog_test_run_opts(fd, &topts), 0);
	it = bpf_stream_iter__new(fd, BPF_STDERR, &iopts);
	cr_assert_not_null(it);
	while ((m = bpf_stream_iter__next(it))) {
		snprintf(want, sizeof(want), "err 1.%d", i++);
		cr_assert_str_eq(m->text, want);
		cr_assert_str_eq(m->prog_name, "custom");
	}
	cr_assert_eq(errno, 0);
	cr_assert_eq(i, 4);
	bpf_stream_iter__free(it);
	bpf_stream_release(skel->obj);
	cons_print__destroy(skel);
}
