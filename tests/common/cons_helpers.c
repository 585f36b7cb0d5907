// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Consumer-side test helpers: see cons_helpers.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "cons_helpers.h"

void cons_script_add(struct cons_script *s, const char *data, size_t len, __u64 ts, __u32 flags)
{
	if (s->nr >= CONS_MAX_CHUNKS)
		abort();
	s->chunks[s->nr++] = (struct cons_chunk){ data, len, ts, flags };
}

void cons_script_adds(struct cons_script *s, const char *text)
{
	cons_script_add(s, text, strlen(text), 0, 0);
}

int cons_script_read(void *ctx, void *buf, size_t len, struct bs_source_meta *meta)
{
	struct cons_script *s = ctx;
	struct cons_chunk *c;
	size_t n;

	s->reads++;
	if (s->err)
		return s->err;
	if (s->endless && s->next >= s->nr)
		s->next = 0;
	while (s->next < s->nr && !s->chunks[s->next].len)
		s->next++; /* an empty chunk is no read at all */
	if (s->next >= s->nr)
		return 0;
	c = &s->chunks[s->next];
	n = c->len - s->off;
	if (n > len)
		n = len;
	memcpy(buf, c->data + s->off, n);
	meta->ts_ns = c->ts_ns;
	meta->flags = c->flags;
	s->off += n;
	if (s->off == c->len) {
		s->next++;
		s->off = 0;
	}
	return (int)n;
}

int cons_script_dropped(void *ctx, __u64 *count)
{
	struct cons_script *s = ctx;

	if (!s->has_dropped)
		return -ENOENT;
	*count = s->dropped;
	return 0;
}

struct bs_stream_src cons_script_src(struct cons_script *s, __u32 prog_id, const char *name,
				     __u32 stream_id)
{
	struct bs_stream_src src = {
		.read = cons_script_read,
		.read_ctx = s,
		.prog_id = prog_id,
		.prog_name = name,
		.stream_id = stream_id,
		.dropped = cons_script_dropped,
	};

	return src;
}

int cons_collect_fn(void *ctx, const struct bpf_stream_msg *msg)
{
	struct cons_collect *c = ctx;
	struct cons_msg *m;

	if (c->nr >= CONS_MAX_MSGS)
		return -E2BIG;
	m = &c->msgs[c->nr++];
	m->prog_id = msg->prog_id;
	m->stream_id = msg->stream_id;
	m->flags = msg->flags;
	m->name = strdup(msg->prog_name ? msg->prog_name : "(null)");
	m->text = malloc(msg->len + 1);
	memcpy(m->text, msg->text, msg->len + 1);
	m->len = msg->len;
	m->ts_ns = msg->ts_ns;
	m->dropped = msg->dropped;
	if (c->stop_after > 0 && c->nr == c->stop_after)
		return c->stop_ret;
	return 0;
}

void cons_collect_reset(struct cons_collect *c)
{
	int i;

	for (i = 0; i < c->nr; i++) {
		free(c->msgs[i].name);
		free(c->msgs[i].text);
	}
	c->nr = 0;
}

char *cons_collect_join(const struct cons_collect *c)
{
	size_t total = 1, off = 0;
	char *s;
	int i;

	for (i = 0; i < c->nr; i++)
		total += c->msgs[i].len + 1;
	s = malloc(total);
	for (i = 0; i < c->nr; i++) {
		memcpy(s + off, c->msgs[i].text, c->msgs[i].len);
		off += c->msgs[i].len;
		if (!(c->msgs[i].flags &
		      (BPF_STREAM_MSG_F_PARTIAL | BPF_STREAM_MSG_F_UNTERMINATED)))
			s[off++] = '\n';
	}
	s[off] = '\0';
	return s;
}

int cons_load_trivial_prog(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "cons_trivial", "GPL", insns, 2,
			       NULL);

	return fd < 0 ? -errno : fd;
}

int cons_create_map(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "cons_map", 4, 4, 1, NULL);

	return fd < 0 ? -errno : fd;
}

void cons_report_fprint(FILE *out, const struct bpf_stream_report *r)
{
	__u32 i;

	fprintf(out, "report %s%s prog=%u:%s\n", bpf_stream_report_kind_str(r->kind),
		r->truncated ? " truncated" : "", r->prog_id, r->prog_name);
	fprintf(out, "  message: %s\n", r->message);
	fprintf(out, "  cpu=%d uid=%d pid=%d comm=%s\n", r->cpu, r->uid, r->pid,
		r->comm ? r->comm : "(none)");
	if (r->kind == BPF_STREAM_REPORT_ARENA_FAULT)
		fprintf(out, "  arena %s addr=0x%" PRIx64 "\n", r->arena_write ? "write" : "read",
			(uint64_t)r->addr);
	if (r->kind == BPF_STREAM_REPORT_RES_SPIN_DEADLOCK ||
	    r->kind == BPF_STREAM_REPORT_RES_SPIN_TIMEOUT) {
		fprintf(out, "  lock=0x%" PRIx64 " irqsave=%d held=%u listed=%u", (uint64_t)r->addr,
			r->irqsave, r->nr_held_locks, r->nr_held_listed);
		for (i = 0; i < r->nr_held_listed; i++)
			fprintf(out, " 0x%" PRIx64, (uint64_t)r->held_locks[i]);
		fprintf(out, "\n");
	}
	for (i = 0; i < r->nr_frames; i++) {
		const struct bpf_stream_frame *f = &r->frames[i];

		fprintf(out, "  frame %s +0x%" PRIx64 " /0x%" PRIx64 "\n", f->symbol,
			(uint64_t)f->offset, (uint64_t)f->size);
		if (f->src)
			fprintf(out, "    src \"%s\" file=%s line=%u\n", f->src,
				f->file ? f->file : "(none)", f->line);
	}
}

static int golden_report(void *ctx, const struct bpf_stream_report *r)
{
	cons_report_fprint(ctx, r);
	return 0;
}

int cons_report_run(FILE *in, FILE *out)
{
	struct bpf_stream_report_parser *p;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int err = 0;

	p = bpf_stream_report_parser__new(golden_report, out);
	if (!p)
		return -errno;
	while ((n = getline(&line, &cap, in)) >= 0) {
		struct bpf_stream_msg msg = {
			.prog_id = 7, .prog_name = "golden", .stream_id = BPF_STDERR,
		};
		bool in_report;

		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		msg.text = line;
		msg.len = n;
		err = bs_report_parser__push(p, &msg, &in_report);
		if (err)
			break;
		/* after the push: a line that ends a report prints after it */
		fprintf(out, "%s %s\n", in_report ? "K|" : "-|", line);
	}
	if (!err)
		err = bpf_stream_report_parser__flush(p);
	free(line);
	bpf_stream_report_parser__free(p);
	return err;
}

char *cons_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		if (len)
			*len = n;
	}
	return buf;
}

static int stdout_saved = -1, stdout_tmp = -1;

void cons_stdout_begin(void)
{
	char path[] = "/tmp/cons_stdout.XXXXXX";

	fflush(stdout);
	stdout_tmp = mkstemp(path);
	if (stdout_tmp < 0)
		return;
	unlink(path);
	stdout_saved = dup(1);
	dup2(stdout_tmp, 1);
}

long cons_stdout_end(void)
{
	long n;

	if (stdout_tmp < 0)
		return -1;
	fflush(stdout);
	n = lseek(stdout_tmp, 0, SEEK_END);
	dup2(stdout_saved, 1);
	close(stdout_saved);
	close(stdout_tmp);
	stdout_saved = stdout_tmp = -1;
	return n;
}
