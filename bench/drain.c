// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * 3. Userspace drain: the library's framing against a raw read loop, over a
 *    scripted source, so it runs on any kernel. The source hands out the
 *    same bytes (DRAIN_MIB of realistic lines of varied length) in 512-byte
 *    or 4 KiB reads, copying them like the kernel's read command does:
 *    either with memcpy() (no syscall: the framing's cost laid bare) or with
 *    pread() from a memfd (one syscall and copy_to_user per read, as with
 *    BPF_PROG_STREAM_READ_BY_FD).
 *      raw loop   read into one buffer until empty, no framing (bpftool's
 *                 `prog tracelog`, minus the fwrite)
 *      drain      bpf_stream_drain()'s engine (bs_drain_src: reads, framer,
 *                 pending state, struct bpf_stream_msg, callback) with a
 *                 counting callback
 *      framer     the framer alone (bs_framer__push over the same chunks)
 *    Every pass checks that the lines delivered are exactly the lines written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "bench.h"
#include "stream_internal.h"

#define SEC_NAME "3 userspace drain"

struct script {
	const char *data;
	size_t len, pos, chunk;
	int fd;		/* >= 0: pread() from this memfd instead of memcpy */
};

static int script_read(void *ctx, void *buf, size_t len, struct bs_source_meta *meta)
{
	struct script *s = ctx;
	size_t n = s->len - s->pos;

	if (n > s->chunk)
		n = s->chunk;
	if (n > len)
		n = len;
	if (s->fd >= 0) {
		ssize_t r = pread(s->fd, buf, n, s->pos);

		if (r < 0)
			return -errno;
		n = r;
	} else {
		memcpy(buf, s->data + s->pos, n);
	}
	s->pos += n;
	return (int)n;
}

static int script_dropped(void *ctx, __u64 *count)
{
	*count = 0;
	return 0;
}

static __u64 rng_state = 0x9e3779b97f4a7c15ULL;

static __u32 rnd(__u32 n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (__u32)(rng_state >> 32) % n;
}

/* Lines like programs print: mostly 30..120 bytes, a few long ones (up to
 * the kernel's 1023-byte message limit). Returns the number of lines. */
static size_t make_lines(char *buf, size_t size, size_t *out_len)
{
	static const char *const comms[] = { "nginx", "systemd-journal", "kworker/1:2", "sshd",
					     "postgres", "java", "bash", "containerd-shim" };
	static const char *const evs[] = { "open", "connect", "exec", "exit", "oom", "drop",
					   "retransmit", "page_fault" };
	size_t off = 0, lines = 0;
	char line[1100];

	while (1) {
		int n = snprintf(line, sizeof(line), "cpu=%u pid=%u comm=%s ev=%s lat_ns=%u",
				 rnd(64), rnd(4000000), comms[rnd(8)], evs[rnd(8)], rnd(1u << 30));
		__u32 kind = rnd(100), extra = 0;

		if (kind < 30)
			n = 12 + rnd(20);	/* short: "cpu=.. pid=.." */
		else if (kind < 90)
			extra = rnd(60);
		else if (kind < 99)
			extra = 100 + rnd(300);
		else
			extra = 400 + rnd(600);
		while (extra-- && n < 1022)
			line[n++] = "abcdefghijklmnopqrstuvwxyz =,:0123456789"[rnd(40)];
		line[n++] = '\n';
		if (off + n > size)
			break;
		memcpy(buf + off, line, n);
		off += n;
		lines++;
	}
	*out_len = off;
	return lines;
}

struct count_ctx {
	__u64 lines, bytes;
};

static int count_msg(void *ctx, const struct bpf_stream_msg *msg)
{
	struct count_ctx *c = ctx;

	if (msg->flags & BPF_STREAM_MSG_F_DROP_NOTICE)
		return 0;
	c->lines++;
	c->bytes += msg->len;
	return 0;
}

static int count_line(void *ctx, const char *line, size_t len, __u64 ts_ns, __u32 flags)
{
	struct count_ctx *c = ctx;

	c->lines++;
	c->bytes += len;
	return 0;
}

/* Each returns seconds for one pass, or < 0 on error; *lines gets the count. */
static double pass_raw(struct script *s, char *buf, __u64 *lines)
{
	double t0 = now_ns();
	size_t total = 0;
	int n;

	s->pos = 0;
	while ((n = script_read(s, buf, s->chunk, NULL)) > 0)
		total += n;
	*lines = total == s->len ? 0 : (__u64)-1;
	return (now_ns() - t0) / 1e9;
}

static double pass_drain(struct script *s, __u64 *lines, __u64 *bytes)
{
	struct bs_stream_src src = {
		.read = script_read,
		.read_ctx = s,
		.prog_id = 0xfffffff0u,	/* no such program: pending state is ours */
		.prog_name = "bench",
		.stream_id = BPF_STDOUT,
		.dropped = script_dropped,
	};
	struct count_ctx c = {};
	double t0 = now_ns();
	int ret;

	/* One drain reads at most a few MiB (a stream refilled as fast as it is
	 * read must not hold the caller): drain until the source is empty. */
	s->pos = 0;
	do {
		ret = bs_drain_src(&src, count_msg, &c);
		if (ret < 0)
			return ret;
	} while (ret > 0 || s->pos < s->len);
	*lines = c.lines;
	*bytes = c.bytes;
	return (now_ns() - t0) / 1e9;
}

static double pass_framer(struct script *s, char *buf, __u64 *lines, __u64 *bytes)
{
	struct bs_framer *f = bs_framer__new();
	struct count_ctx c = {};
	struct bs_chunk ch = {};
	double t0 = now_ns();
	int n, err = 0;

	if (!f)
		return -ENOMEM;
	s->pos = 0;
	while (!err && (n = script_read(s, buf, s->chunk, NULL)) > 0) {
		ch.data = buf;
		ch.len = n;
		err = bs_framer__push(f, &ch, count_line, &c);
	}
	if (!err)
		err = bs_framer__flush(f, count_line, &c);
	bs_framer__free(f);
	if (err)
		return err < 0 ? err : -EIO;
	*lines = c.lines;
	*bytes = c.bytes;
	return (now_ns() - t0) / 1e9;
}

static void drain_case(const char *data, size_t len, size_t nl, size_t chunk, int fd, char *buf)
{
	struct series raw = {}, dr = {}, fr = {}, dr_l = {}, fr_l = {}, r;
	struct script s = { .data = data, .len = len, .chunk = chunk, .fd = fd };
	const char *how = fd >= 0 ? "pread" : "memcpy";
	double mib = len / 1048576.0, t;
	__u64 lines = 0, bytes = 0, bad = 0;
	char name[96];

	for (int run = 0; run < bench_cfg.runs; run++) {
		t = pass_raw(&s, buf, &lines);
		if (t > 0 && lines == 0)
			series_add(&raw, mib / t);
		t = pass_drain(&s, &lines, &bytes);
		if (t > 0) {
			series_add(&dr, mib / t);
			series_add(&dr_l, lines / t / 1e6);
		}
		if (t <= 0 || lines != nl || bytes + nl != len)
			bad++;
		t = pass_framer(&s, buf, &lines, &bytes);
		if (t > 0) {
			series_add(&fr, mib / t);
			series_add(&fr_l, lines / t / 1e6);
		}
		if (t <= 0 || lines != nl || bytes + nl != len)
			bad++;
	}
	snprintf(name, sizeof(name), "raw read loop, %zu-byte %s", chunk, how);
	bench_row(SEC_NAME, name, "MiB/s", &raw, NULL, NULL, "copy only, no framing");
	series_ratio(&r, &dr, &raw);
	snprintf(name, sizeof(name), "bpf_stream_drain engine, %zu-byte %s", chunk, how);
	bench_row(SEC_NAME, name, "MiB/s", &dr, "raw", &r, "%s", bad ?
		  "LINE COUNT MISMATCH" : "every line counted");
	snprintf(name, sizeof(name), "  same, lines/s");
	bench_row(SEC_NAME, name, "Mlines/s", &dr_l, NULL, NULL, NULL);
	snprintf(name, sizeof(name), "framer alone, %zu-byte %s", chunk, how);
	series_ratio(&r, &fr, &raw);
	bench_row(SEC_NAME, name, "MiB/s", &fr, "raw", &r, NULL);
	snprintf(name, sizeof(name), "  same, lines/s");
	bench_row(SEC_NAME, name, "Mlines/s", &fr_l, NULL, NULL, NULL);
	series_ratio(&r, &dr, &raw);
	snprintf(name, sizeof(name), "drain / raw loop (%zu-byte %s)", chunk, how);
	if (series_median(&r) >= 0.8)
		bench_target(name, &r, 0.8, false, NULL);
	else
		bench_target(name, &r, 0.8, false, "short by %.0f%%; bound: framing every byte "
			     "into lines (the framer alone does %.0f MiB/s over the same reads) "
			     "against a loop that only copies (%s), and one callback per line "
			     "(%.0f bytes/line)", (0.8 - series_median(&r)) / 0.8 * 100,
			     series_median(&fr), how,
			     (double)len / nl);
}

int bench_drain(void)
{
	static const size_t chunks[] = { 512, 4096 };
	size_t len, nl;
	char *data, *buf;
	double mib;
	int memfd;

	bench_pin(bench_cfg.reader_cpu);
	data = malloc(bench_cfg.drain_bytes);
	buf = malloc(4096);
	if (!data || !buf) {
		free(data);
		free(buf);
		return -ENOMEM;
	}
	nl = make_lines(data, bench_cfg.drain_bytes, &len);
	mib = len / 1048576.0;

	memfd = memfd_create("bench-drain", 0);
	if (memfd < 0 || write(memfd, data, len) != (ssize_t)len) {
		bench_note(SEC_NAME, "memfd source unavailable: %s", strerror(errno));
		if (memfd >= 0)
			close(memfd);
		memfd = -1;
	}
	for (int src = 0; src < 2; src++) {
		for (size_t ci = 0; ci < sizeof(chunks) / sizeof(chunks[0]); ci++) {
			if (src == 1 && memfd < 0)
				break;
			drain_case(data, len, nl, chunks[ci], src ? memfd : -1, buf);
		}
	}
	if (memfd >= 0)
		close(memfd);
	bench_note(SEC_NAME, "scripted source: %.1f MiB, %zu lines (mean %.0f bytes, 30%% short, "
		   "1%% of 400..1000 bytes), pinned to CPU %d; MB/s are MiB of stream bytes per second",
		   mib, nl, (double)len / nl, bench_cfg.reader_cpu);
	free(data);
	free(buf);
	return 0;
}
