// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf-stream follow PROG... [stdout|stderr|all]: print lines as they arrive
 * until SIGINT or SIGTERM. Selectors that scan (all, name NAME, tag TAG)
 * also pick up programs loaded later: the program ids are rescanned every
 * RESCAN_MS, backing off to RESCAN_MAX_MS while no new program comes.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "main.h"

/*
 * The reader blocks SIGINT/SIGTERM during __poll() and sleeps in ppoll()
 * with them unblocked (opts.mask_signals, out_reader_new()), so a signal
 * ends its wait at once wherever it arrives. The reader's idle back-off
 * cap is the library's default (200 ms, raised for a cycle that costs more,
 * see RD_IDLE_COST_FACTOR); POLL_MS is the wait of one __poll() call with
 * BPF_STREAM_IDLE=fixed. Each __poll() call starts with a cycle, so calls
 * are made only as often as rescans need.
 */
#define POLL_MS 80
#define RESCAN_MS 250		/* how often new programs are looked for */
#define RESCAN_MAX_MS 2000	/* ... backing off to this while none comes */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

void help_follow(FILE *f)
{
	fprintf(f,
		"Usage: " BIN_NAME " follow PROG... [STREAM]\n"
		"  Print lines of the programs PROG names as they arrive, until SIGINT or\n"
		"  SIGTERM. 'all', 'name NAME' and 'tag TAG' also pick up programs loaded\n"
		"  later; one that matched no program by the end is an error (exit 66).\n"
		"  Programs of bpf_stream.h's ring-buffer transport are read from their ring,\n"
		"  whichever process loaded them: each record goes to whichever of follow and\n"
		"  that process reads it first (like two readers of trace_pipe). A last word\n"
		"  stdout, stderr or all (after at least one PROG) picks the streams.\n"
		"  PROG   := { id ID | pinned FILE | name NAME | tag TAG | all }\n"
		"  STREAM := { stdout | stderr | all }  (default: all)\n");
}

struct follow {
	struct bpf_stream_reader *reader;
	__u32 streams;
	__u32 *seen;		/* ids followed or looked at and not matching */
	int nr_seen, cap_seen;
	bool no_streams;	/* the kernel has no BPF streams (before 6.17) */
	bool scanning;		/* all, name or tag: programs come and go */
	bool noted_native;
	struct ring_set rs;	/* objects of the ring programs followed */
	const struct prog_sel *sels;
	int nr_sels;
	bool *hit;		/* per selector: matched a program at least once */
};

/* Record which name/tag selectors @r matches. */
static void mark_hits(struct follow *f, const struct prog_ref *r)
{
	int i;

	for (i = 0; i < f->nr_sels; i++)
		if (!f->hit[i] && prog_sel_match(&f->sels[i], 1, r))
			f->hit[i] = true;
}

/* A name or tag that never matched a program: an error at the end. */
static int report_unmatched(const struct follow *f)
{
	int i;

	for (i = 0; i < f->nr_sels; i++) {
		const struct prog_sel *s = &f->sels[i];

		if (f->hit[i] || (s->kind != PROG_SEL_NAME && s->kind != PROG_SEL_TAG))
			continue;
		return p_err(EXIT_NOPROG, "no program matched %s %s while following",
			     s->kind == PROG_SEL_NAME ? "name" : "tag", s->arg);
	}
	return EXIT_OK;
}

static int mark_seen(struct follow *f, __u32 id)
{
	if (f->nr_seen == f->cap_seen) {
		int cap = f->cap_seen ? 2 * f->cap_seen : 64;
		__u32 *n = realloc(f->seen, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		f->seen = n;
		f->cap_seen = cap;
	}
	f->seen[f->nr_seen++] = id;
	return 0;
}

static bool was_seen(const struct follow *f, __u32 id)
{
	int i;

	for (i = 0; i < f->nr_seen; i++)
		if (f->seen[i] == id)
			return true;
	return false;
}

/* Start following one program; closes @r->fd. Returns 0 or an exit status. */
static int follow_prog(struct follow *f, struct prog_ref *r)
{
	bool ringbuf = prog_uses_ringbuf(r->fd);
	int err;

	mark_hits(f, r);
	f->no_streams = kernel_has_streams() == 0;	/* the library's cached answer */
	if (f->no_streams && !ringbuf) {
		/* Nothing to read here; follow keeps watching for programs
		 * to come (a ring-transport one can be read). */
		close(r->fd);
		r->fd = -1;
		if (!ringbuf && !f->scanning)
			return err_no_streams();
		if (mark_seen(f, r->id))
			return p_err(EXIT_FAIL, "out of memory");
		if (!f->noted_native)
			p_note("kernel %s has no BPF streams (BPF_PROG_STREAM_READ_BY_FD, Linux "
			       "6.17+): programs that do not use bpf_stream.h's ring-buffer "
			       "transport cannot be followed here; skipping them",
			       kernel_release());
		f->noted_native = true;
		p_verbose("program %u (%s): no streams to follow on this kernel", r->id, r->name);
		return EXIT_OK;
	}
	/* a program another process reads: read along (ring), or refused
	 * (native, whose reads take the lines) unless --steal */
	err = bpf_stream_reader__add_prog(f->reader, r->fd, f->streams);
	if (!err && ringbuf && ring_set_add(&f->rs, r->fd))
		err = -ENOMEM;
	close(r->fd);
	r->fd = -1;
	if (err == -EBUSY) {
		if (!f->scanning)
			return p_err(EXIT_FAIL,
				     "program %u (%s): another process reads its streams; reading them would take its lines (--steal to take over)",
				     r->id, r->name);
		p_note("program %u (%s): another process reads its streams: not followed (--steal to take over)",
		       r->id, r->name);
		return mark_seen(f, r->id) ? p_err(EXIT_FAIL, "out of memory") : EXIT_OK;
	}
	if (err && err != -EEXIST)
		return p_err_errno(err, "following program %u (%s)", r->id, r->name);
	p_verbose("following program %u (%s)", r->id, r->name);
	if (mark_seen(f, r->id))
		return p_err(EXIT_FAIL, "out of memory");
	return EXIT_OK;
}

/* Look for programs loaded since the last scan. */
static int rescan(struct follow *f, const struct prog_sel *sels, int nr_sels)
{
	struct prog_ref r;
	__u32 id = 0;
	int fd, ret;

	while (!bpf_prog_get_next_id(id, &id)) {
		if (was_seen(f, id))
			continue;
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue; /* unloaded meanwhile */
		if (prog_ref_from_fd(fd, &r)) {
			close(fd);
			continue;
		}
		if (!prog_sel_match(sels, nr_sels, &r)) {
			close(fd);
			if (mark_seen(f, id))
				return p_err(EXIT_FAIL, "out of memory");
			continue;
		}
		ret = follow_prog(f, &r);
		if (ret)
			return ret;
	}
	if (errno != ENOENT)
		return p_err_errno(errno, "listing loaded programs");
	return EXIT_OK;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* follow's words: PROG... [STREAM] (no options of its own). Fills @f's
 * selectors. Returns 0 or an exit status. */
static int follow_parse(int argc, char **argv, struct follow *f, struct prog_sel **sels)
{
	int nr_sels = 0, i, ret;

	if (cmd_no_options(&argc, argv))
		return EXIT_USAGE;
	ret = parse_progs(&argc, &argv, 1 << 20, sels, &nr_sels, &f->streams);
	if (ret)
		return ret;
	for (i = 0; i < nr_sels; i++)
		if ((*sels)[i].kind != PROG_SEL_ID && (*sels)[i].kind != PROG_SEL_PINNED)
			f->scanning = true;
	f->sels = *sels;
	f->nr_sels = nr_sels;
	f->hit = calloc(nr_sels, sizeof(*f->hit));
	if (!f->hit)
		return p_err(EXIT_FAIL, "out of memory");
	return EXIT_OK;
}

/* Follow the programs given by id or pinned path (@refs) and say which
 * names and tags match nothing yet. Returns 0 or an exit status. */
static int follow_start(struct follow *f, struct prog_ref *refs, int nr_refs)
{
	const struct prog_sel *s;
	int i, ret;

	for (i = 0; i < nr_refs; i++) {
		ret = follow_prog(f, &refs[i]);
		if (ret)
			return ret;
	}
	if (!f->scanning && f->nr_seen == 0)
		return p_err(EXIT_NOPROG, "no program to follow");
	for (i = 0; i < f->nr_sels; i++) {
		s = &f->sels[i];
		if (!f->hit[i] && (s->kind == PROG_SEL_NAME || s->kind == PROG_SEL_TAG))
			p_note("no program matches %s %s yet: waiting for one to be loaded (if none "
			       "comes, follow ends with an error)",
			       s->kind == PROG_SEL_NAME ? "name" : "tag", s->arg);
	}
	return EXIT_OK;
}

/* Print lines until SIGINT/SIGTERM, looking for new programs every
 * RESCAN_MS; then what arrived up to the signal. */
static int follow_loop(struct follow *f, struct out_ctx *o)
{
	long long last_scan = now_ms(), wait;
	int n, ret, rescan_ms = RESCAN_MS, nr_seen;
	/* BPF_STREAM_IDLE=fixed: the reader's cap and the rescans do not back
	 * off (latency over CPU; the bench's "before") */
	const char *idle = getenv("BPF_STREAM_IDLE");
	bool fixed = idle && !strcmp(idle, "fixed");

	while (!stop_signal) {
		/* until the next rescan: each call begins with a read of every stream */
		wait = fixed ? POLL_MS : f->scanning ? last_scan + rescan_ms - now_ms() : RESCAN_MAX_MS;
		n = bpf_stream_reader__poll(f->reader, wait < 1 ? 1 : (int)wait);
		if (o->err)
			return out_err_status(o->err);
		if (n < 0 && n != -EINTR && n != -EAGAIN)
			return p_err_errno(n, "reading streams");
		if (fflush(stdout))
			return out_err_status(-errno);
		if (f->scanning && !stop_signal && now_ms() - last_scan >= rescan_ms) {
			nr_seen = f->nr_seen;
			ret = rescan(f, f->sels, f->nr_sels);
			if (ret)
				return ret;
			last_scan = now_ms();
			/* programs came: look again soon; none: less often */
			rescan_ms = fixed || f->nr_seen != nr_seen ? RESCAN_MS
				    : rescan_ms * 2 > RESCAN_MAX_MS ? RESCAN_MAX_MS : rescan_ms * 2;
		}
	}
	p_verbose("stopped by signal %d", (int)stop_signal);
	ret = out_consume(o, f->reader);
	if (!ret && !o->err) {
		note_unprinted(&f->rs);
		ret = report_unmatched(f);
	}
	return ret;
}

int do_follow(int argc, char **argv)
{
	struct prog_sel *sels = NULL;
	struct prog_ref *refs = NULL;
	struct follow f = {};
	struct sigaction sa;
	struct out_ctx o;
	int nr_refs = 0, ret;

	ret = follow_parse(argc, argv, &f, &sels);
	if (ret)
		goto out_sels;
	/* ids and pinned paths must exist; names and tags may come later */
	ret = resolve_progs(sels, f.nr_sels, false, NULL, 0, &refs, &nr_refs);
	if (ret)
		goto out_sels;
	ret = out_init(&o);
	if (ret)
		goto out_refs;
	f.reader = out_reader_new(&o, true);
	if (!f.reader) {
		ret = p_err_errno(errno, "creating the stream reader");
		goto out_out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: waits end at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ret = follow_start(&f, refs, nr_refs);
	if (!ret)
		ret = follow_loop(&f, &o);
	bpf_stream_reader__free(f.reader);
out_out:
	out_fini(&o);
	if (!ret && o.err)
		ret = out_err_status(o.err);
out_refs:
	free_prog_refs(refs, nr_refs);
out_sels:
	ring_set_free(&f.rs);
	free(f.hit);
	free(f.seen);
	free(sels);
	return ret;
}
