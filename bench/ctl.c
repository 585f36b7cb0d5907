// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * 7. Cost of call-site control (docs/control.md): BPF_PROG_TEST_RUN (xdp,
 *    64-byte packet, repeat N), pinned, variants interleaved within each
 *    run; bench_ctl.bpf.c lists them. Times are wall-clock per repeat (the
 *    kernel's own duration is rounded to whole ns, too coarse here).
 *    Targets (issue 23): a disabled site <= 2 ns over the empty program, an
 *    enabled one <= 3 ns over the print without a switch, a site above its
 *    rate limit <= 10 ns over the empty program.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench.h"
#include "bench_ctl.skel.h"
#include "bpf_stream_record.h"
#include "libbpf_stream.h"

#define SEC_NAME "7 call-site control"
#define BIG_RING (256u << 20)

enum { V_EMPTY, V_TVP, V_RAW, V_ON, V_DEBUG_OFF, V_OFF, V_RATE, NR_V };

static const char *const names[NR_V] = {
	"empty program (floor)", "bpf_trace_vprintk", "print without a switch (today)",
	"bpf_stream_info, on", "bpf_stream_debug, off by default", "bpf_stream_info, switched off",
	"bpf_stream_info, over its rate (1/s)",
};

static int timed_run(int fd, int repeat, double *ns)
{
	double t0 = now_ns();
	int err = bench_test_run(fd, repeat, NULL);

	*ns = (now_ns() - t0) / repeat;
	return err;
}

static void diff_series(struct series *out, const struct series *a, const struct series *b)
{
	int i;

	out->n = 0;
	for (i = 0; i < a->n && i < b->n; i++)
		series_add(out, a->v[i] - b->v[i]);
}

int bench_ctl(void)
{
	struct series s[NR_V] = {}, d;
	struct bench_ctl *skel;
	int fds[NR_V], err, run, v, sel = BPF_STREAM_SEL_RINGBUF, rb_fd;
	struct bpf_stream_ctl_opts off = { .sz = sizeof(off), .enable = -1 };
	struct bpf_stream_ctl_opts rate = { .sz = sizeof(rate), .rate = 1, .burst = 1 };
	double ns;

	bench_pin(bench_cfg.prod_cpu);
	skel = bench_ctl__open();
	if (!skel)
		return -errno;
	err = bench_set_rodata(skel->obj, BPF_STREAM_SEL_VAR, &sel, sizeof(sel));
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.bpf_stream_rb, BIG_RING);
	if (!err)
		err = bench_ctl__load(skel);
	if (err) {
		bench_ctl__destroy(skel);
		return err;
	}
	fds[V_EMPTY] = bpf_program__fd(skel->progs.ctl_empty);
	fds[V_TVP] = bpf_program__fd(skel->progs.ctl_tvprintk);
	fds[V_RAW] = bpf_program__fd(skel->progs.ctl_raw);
	fds[V_ON] = bpf_program__fd(skel->progs.ctl_on);
	fds[V_DEBUG_OFF] = bpf_program__fd(skel->progs.ctl_debug_off);
	fds[V_OFF] = bpf_program__fd(skel->progs.ctl_off);
	fds[V_RATE] = bpf_program__fd(skel->progs.ctl_rate);
	rb_fd = bpf_map__fd(skel->maps.bpf_stream_rb);
	if (bpf_stream_ctl_set(fds[V_OFF], &off) != 1 || bpf_stream_ctl_set(fds[V_RATE], &rate) != 1) {
		err = -errno;
		bench_ctl__destroy(skel);
		return err;
	}
	for (run = 0; run < bench_cfg.runs; run++) {
		for (v = 0; v < NR_V; v++) {
			if (!timed_run(fds[v], bench_cfg.repeat, &ns))
				series_add(&s[v], ns);
			bench_ring_discard(rb_fd, NULL, NULL);
		}
	}
	for (v = 0; v < NR_V; v++)
		bench_row(SEC_NAME, names[v], "ns/call", &s[v], NULL, NULL, NULL);
	diff_series(&d, &s[V_DEBUG_OFF], &s[V_EMPTY]);
	bench_row(SEC_NAME, "debug off - empty", "ns/call", &d, NULL, NULL, "target <= 2 ns");
	diff_series(&d, &s[V_OFF], &s[V_EMPTY]);
	bench_row(SEC_NAME, "switched off - empty", "ns/call", &d, NULL, NULL,
		  "target <= 2 ns (counts its calls)");
	diff_series(&d, &s[V_ON], &s[V_RAW]);
	bench_row(SEC_NAME, "on - without a switch", "ns/call", &d, NULL, NULL, "target <= 3 ns");
	diff_series(&d, &s[V_RATE], &s[V_EMPTY]);
	bench_row(SEC_NAME, "over its rate - empty", "ns/call", &d, NULL, NULL, "target <= 10 ns");
	bench_note(SEC_NAME, "wall-clock per call of BPF_PROG_TEST_RUN with repeat %d, %d runs; "
		   "ring-buffer transport, records discarded between runs", bench_cfg.repeat,
		   bench_cfg.runs);
	bench_ctl__destroy(skel);
	return 0;
}
