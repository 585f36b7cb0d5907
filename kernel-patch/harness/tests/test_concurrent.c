// SPDX-License-Identifier: GPL-2.0
/* More writer/reader races: capacity pressure and the report cap. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include "test.h"

#define PER_WRITER	60000
#define PAD		"..................................................."

struct kwriter {
	pthread_t th;
	struct bpf_prog *prog;
	int id;
	long bytes, enospc;
};

static atomic_int kwriters_done;
static atomic_long kwriters_refused;

static void *kfunc_writer(void *arg)
{
	struct kwriter *w = arg;
	int i, ret;

	harness_cpu_bind(1 + w->id);
	for (i = 0; i < PER_WRITER; i++) {
		while ((ret = PRINTK(w->prog, BPF_STDOUT, "w%d %d %s\n", w->id, i, PTR(PAD)))
		       == -ENOSPC) {
			w->enospc++;
			atomic_fetch_add(&kwriters_refused, 1);
			sched_yield();
		}
		if (ret)
			abort();
		w->bytes += snprintf(NULL, 0, "w%d %d %s\n", w->id, i, PAD);
	}
	atomic_fetch_add(&kwriters_done, 1);
	return NULL;
}

/*
 * Two writers push about twice the stream capacity through it while the
 * reader drains slowly, so writes are refused and retried: each writer's
 * messages still arrive once, in order, and the byte counts agree.
 */
CONCURRENT_TEST(concurrent_writers_under_capacity_pressure_keep_per_writer_order)
{
	struct bpf_prog *prog = prog_new();
	struct kwriter w[2];
	char *buf = malloc(4096 + 128), *line;
	int next[2] = { 0, 0 }, i;
	long total = 0, carry = 0, reads = 0;
	u64 seed = 3;

	atomic_store(&kwriters_done, 0);
	atomic_store(&kwriters_refused, 0);
	for (i = 0; i < 2; i++) {
		w[i] = (struct kwriter){ .prog = prog, .id = i };
		pthread_create(&w[i].th, NULL, kfunc_writer, &w[i]);
	}
	for (;;) {
		int done, n;
		char *p, *end;

		/* now and then stop reading until a writer was refused */
		if (reads++ % 1000 == 0) {
			long refused = atomic_load(&kwriters_refused);

			while (atomic_load(&kwriters_done) < 2 &&
			       atomic_load(&kwriters_refused) == refused)
				sched_yield();
		}
		done = atomic_load(&kwriters_done) == 2;
		n = bpf_prog_stream_read(prog, BPF_STDOUT, buf + carry, 1 + rnd(&seed) % 4096);

		if (!ASSERT_TRUE(n >= 0))
			goto out;
		if (!n && done)
			break;
		if (!n) {
			sched_yield();
			continue;
		}
		total += n;
		end = buf + carry + n;
		/* parse complete lines; keep a partial one for the next read */
		for (p = buf; (line = memchr(p, '\n', end - p)); p = line + 1) {
			int wi, seq;

			*line = 0;
			if (sscanf(p, "w%d %d", &wi, &seq) != 2 || wi < 0 || wi > 1) {
				test_fail(__FILE__, __LINE__, "garbled line \"%s\"", p);
				break;
			}
			if (seq != next[wi]) {
				test_fail(__FILE__, __LINE__, "writer %d: got seq %d, expected %d",
					  wi, seq, next[wi]);
				break;
			}
			next[wi]++;
		}
		if (test_failed)
			break;
		carry = end - p;
		memmove(buf, p, carry);
	}
	for (i = 0; i < 2; i++)
		pthread_join(w[i].th, NULL);
	if (!ASSERT_TRUE(!test_failed))
		goto out;
	if (!ASSERT_EQ(carry, 0))
		goto out;
	if (!ASSERT_EQ(next[0], PER_WRITER))
		goto out;
	if (!ASSERT_EQ(next[1], PER_WRITER))
		goto out;
	if (!ASSERT_EQ(total, w[0].bytes + w[1].bytes))
		goto out;
	if (!ASSERT_TRUE(total > BPF_STREAM_MAX_CAPACITY))
		goto out;
	if (!ASSERT_TRUE(w[0].enospc + w[1].enospc > 0))
		goto out;
	if (!ASSERT_EQ(stream_queued(prog, BPF_STDOUT), 0))
		goto out;
	printf("     %ld writes refused with -ENOSPC and retried\n", w[0].enospc + w[1].enospc);
out:
	free(buf);
	prog_free(prog);
}

#ifdef HAVE_STREAM_REPORT_CAP
#define REPORTERS	4

struct reporter {
	pthread_t th;
	struct bpf_prog *prog;
	int id;
};

static void *report(void *arg)
{
	struct reporter *r = arg;
	struct bpf_stream_stage ss;
	int i;

	harness_cpu_bind(1 + r->id);
	for (i = 0; i < 400; i++)
		bpf_stream_stage(ss, r->prog, BPF_STDERR, ({
			bpf_stream_printk(ss, "ERROR: from %d #%d\n", r->id, i);
			bpf_stream_printk(ss, "Call trace:\n");
		}));
	return NULL;
}

/* Racing reporters: exactly BPF_PROG_STREAM_ERROR_CNT reports get through. */
CONCURRENT_TEST(concurrent_reporters_stop_at_error_cap)
{
	struct bpf_prog *prog = prog_new();
	struct reporter r[REPORTERS];
	char *buf = malloc(1 << 20);
	long len, i, errors = 0, traces = 0;

	for (i = 0; i < REPORTERS; i++) {
		r[i] = (struct reporter){ .prog = prog, .id = i };
		pthread_create(&r[i].th, NULL, report, &r[i]);
	}
	for (i = 0; i < REPORTERS; i++)
		pthread_join(r[i].th, NULL);
	len = drain(prog, BPF_STDERR, buf, (1 << 20) - 1, 1000);
	if (!ASSERT_TRUE(len > 0))
		goto out;
	buf[len] = 0;
	for (char *p = buf; (p = strstr(p, "ERROR: ")); p++)
		errors++;
	for (char *p = buf; (p = strstr(p, "Call trace:\n")); p++)
		traces++;
	if (!ASSERT_EQ(errors, BPF_PROG_STREAM_ERROR_CNT))
		goto out;
	if (!ASSERT_EQ(traces, BPF_PROG_STREAM_ERROR_CNT))
		goto out;
out:
	free(buf);
	prog_free(prog);
}
#else
SKIP_TEST(concurrent_reporters_stop_at_error_cap, 1,
	  "no per-program report cap in this stream code")
#endif
