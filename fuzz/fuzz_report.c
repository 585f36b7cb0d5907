// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Fuzz the kernel error report parser (report.c). The input is split into
 * lines at '\n' (NUL bytes dropped, as the framer does); a line starting
 * with byte 0x01 is pushed as a drop notice. Every line is pushed from its
 * own allocation, freed right after the push, so ASan catches a parser that
 * keeps a pointer to a message. Invariants:
 *  - one report per "ERROR: " line, in order, each with that line's text
 *    (without "ERROR: ") as message; none for drop notices; besides them,
 *    STACK reports (bpf_stream_print_stack()'s blocks: a "CPU: " line then
 *    "Call trace:" outside an ERROR: block), each with message "" and
 *    only after a "Call trace:" line;
 *  - every "ERROR: " line is flagged in_report;
 *  - kind is a known value, kind_str never NULL; a kind other than UNKNOWN
 *    only when the whole message is one the kernel writes;
 *  - strings are NUL-terminated, arrays hold their counts; frames have a symbol;
 *  - a report ends untruncated only on an empty line;
 *  - a callback's non-zero return comes back from push/flush.
 */
#include <stdint.h>
#include "stream_internal.h"
#include "fuzz_util.h"

#define STOP_VALUE 5

struct fz_rep {
	char **errors;		/* messages of the ERROR: lines, in order */
	size_t nr_errors, nr_reports;
	size_t nr_stacks, nr_traces;	/* STACK reports; "Call trace:" lines */
	bool last_line_empty;
	int last_ret;
};

/*
 * The whole message is one the kernel writes (kernel/bpf/stream.c,
 * rqspinlock.c, arena.c): a program's own "ERROR: ..." line with other text
 * must stay UNKNOWN (report.c's header says so). Hex digits and the x of
 * "0x" are accepted in either case; trailing text is not.
 */
static bool kernel_msg(const char *m)
{
	static const char *const spin[] = {
		"AA or ABBA deadlock detected for bpf_res_spin_lock",
		"Timeout detected for bpf_res_spin_lock",
	};
	static const char *const arena[] = {
		"Arena READ access at unmapped address 0",
		"Arena WRITE access at unmapped address 0",
	};
	size_t i, n;

	if (!strcmp(m, "Timeout detected for may_goto instruction"))
		return true;
	for (i = 0; i < 2; i++) {
		n = strlen(spin[i]);
		if (!strncmp(m, spin[i], n) && (!m[n] || !strcmp(m + n, "_irqsave")))
			return true;
	}
	for (i = 0; i < 2; i++) {
		n = strlen(arena[i]);
		if (strncmp(m, arena[i], n) || (m[n] != 'x' && m[n] != 'X'))
			continue;
		m += n + 1;
		if (!*m)
			return false;
		while (*m && strchr("0123456789abcdefABCDEF", *m))
			m++;
		return !*m;
	}
	return false;
}

static int on_report(void *ctx, const struct bpf_stream_report *r)
{
	struct fz_rep *s = ctx;
	const char *want;
	size_t i;

	if (r->kind == BPF_STREAM_REPORT_STACK) {
		s->nr_stacks++;
		FUZZ_CHECK(s->nr_stacks <= s->nr_traces, "stack report %zu without Call trace:",
			   s->nr_stacks);
		FUZZ_CHECK(r->message && !*r->message, "stack report with a message");
		FUZZ_CHECK(r->stream_id == BPF_STDERR, "stream %u", r->stream_id);
	} else {
		FUZZ_CHECK(s->nr_reports < s->nr_errors, "report %zu without an ERROR: line",
			   s->nr_reports);
		want = s->errors[s->nr_reports++];
		FUZZ_CHECK(r->message && !strcmp(r->message, want), "message '%s' vs '%s'",
			   r->message ? r->message : "(null)", want);
	}
	FUZZ_CHECK((unsigned int)r->kind <= BPF_STREAM_REPORT_STACK, "kind %d", r->kind);
	FUZZ_CHECK(bpf_stream_report_kind_str(r->kind) != NULL, "kind_str NULL");
	FUZZ_CHECK(r->kind == BPF_STREAM_REPORT_UNKNOWN || r->kind == BPF_STREAM_REPORT_STACK ||
		   kernel_msg(r->message),
		   "kind %d for a message the kernel does not write: '%s'", r->kind, r->message);
	FUZZ_CHECK(r->prog_name != NULL, "prog_name NULL");
	(void)strlen(r->prog_name);
	if (r->comm)
		(void)strlen(r->comm);
	FUZZ_CHECK(!r->nr_held_listed || r->held_locks, "held_locks NULL");
	for (i = 0; i < r->nr_held_listed; i++)
		((volatile const __u64 *)r->held_locks)[i];
	FUZZ_CHECK(!r->nr_frames || r->frames, "frames NULL");
	for (i = 0; i < r->nr_frames; i++) {
		const struct bpf_stream_frame *f = &r->frames[i];

		FUZZ_CHECK(f->symbol != NULL, "frame %zu without symbol", i);
		(void)strlen(f->symbol);
		if (f->src)
			(void)strlen(f->src);
		if (f->file)
			(void)strlen(f->file);
	}
	FUZZ_CHECK(r->truncated || s->last_line_empty, "untruncated report not ended by an empty line");
	if (!strncmp(r->message, "STOP", 4))
		return s->last_ret = STOP_VALUE;
	return s->last_ret = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_rep s = { 0 };
	struct bpf_stream_report_parser *p;
	size_t pos = 0, i;
	int ret;

	s.errors = calloc(size + 1, sizeof(char *));
	p = bpf_stream_report_parser__new(on_report, &s);
	if (!s.errors || !p)
		goto out;
	while (pos < size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t end = nl ? (size_t)(nl - data) : size, n = 0;
		struct bpf_stream_msg msg = { .prog_id = 7, .prog_name = "fuzz_prog",
					      .stream_id = BPF_STDERR };
		char *line = malloc(end - pos + 1);
		bool in_report, drop;
		size_t before;

		if (!line)
			break;
		for (i = pos; i < end; i++)
			if (data[i])
				line[n++] = (char)data[i];
		line[n] = '\0';
		pos = end + 1;
		drop = n && line[0] == 1;
		msg.text = drop ? line + 1 : line;
		msg.len = strlen(msg.text);
		msg.flags = drop ? BPF_STREAM_MSG_F_DROP_NOTICE : 0;
		if (!drop && !strncmp(msg.text, "ERROR: ", 7)) {
			s.errors[s.nr_errors] = strdup(msg.text + 7);
			if (!s.errors[s.nr_errors]) {
				free(line);
				break;
			}
			s.nr_errors++;
		}
		s.last_line_empty = !drop && msg.text[0] == '\0';
		if (!drop && !strcmp(msg.text, "Call trace:"))
			s.nr_traces++;
		before = s.nr_reports + s.nr_stacks;
		s.last_ret = 0;
		ret = bs_report_parser__push(p, &msg, &in_report);
		FUZZ_CHECK(ret == (s.nr_reports + s.nr_stacks > before ? s.last_ret : 0),
			   "push returned %d, callback %d", ret, s.last_ret);
		if (!drop && !strncmp(msg.text, "ERROR: ", 7))
			FUZZ_CHECK(in_report, "ERROR: line not in a report");
		if (drop)
			FUZZ_CHECK(!in_report && s.nr_reports + s.nr_stacks == before,
				   "drop notice in a report");
		memset(line, 0x5a, n);	/* a parser holding on to it sees garbage */
		free(line);
	}
	s.last_line_empty = false;
	s.last_ret = 0;
	i = s.nr_reports + s.nr_stacks;
	ret = bpf_stream_report_parser__flush(p);
	FUZZ_CHECK(ret == (s.nr_reports + s.nr_stacks > i ? s.last_ret : 0), "flush returned %d",
		   ret);
	FUZZ_CHECK(s.nr_reports == s.nr_errors, "%zu reports for %zu ERROR: lines",
		   s.nr_reports, s.nr_errors);
	FUZZ_CHECK(bpf_stream_report_parser__flush(p) == 0, "second flush");
out:
	bpf_stream_report_parser__free(p);
	for (i = 0; s.errors && i < s.nr_errors; i++)
		free(s.errors[i]);
	free(s.errors);
	return 0;
}
