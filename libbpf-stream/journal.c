// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Journal output: each message one systemd journal entry, sent with
 * libsystemd's sd_journal_sendv(), with per-program fields an operator can
 * filter on (journalctl BPF_PROG_NAME=foo) and a journal-upload ships.
 *
 * Fields of a line:
 *   MESSAGE              the line's bytes, exactly (no escaping)
 *   PRIORITY             6 stdout, 3 stderr, 2 a kernel report, 4 a drop notice
 *   SYSLOG_IDENTIFIER    opts->identifier, default "bpf-stream"
 *   BPF_PROG_ID, BPF_PROG_NAME, BPF_PROG_TAG (asked of the kernel by id,
 *   cached), BPF_STREAM ("stdout"/"stderr"), BPF_PROG_OWNER_PID (when the
 *   caller knows it), BPF_TS_NS and BPF_TS_REALTIME (when the BPF side
 *   stamped the record), BPF_DROPPED=N (drop notices), BPF_KERNEL=1 (a line
 *   of a kernel report), BPF_PARTIAL/BPF_UNTERMINATED/BPF_TRUNCATED=1,
 *   CODE_FILE/CODE_LINE/CODE_FUNC of the bpf_stream_printk() call when a
 *   reader delivers a ring record whose call site it knows (srcline.c).
 * A report (bpf_stream_journal_report) adds BPF_REPORT_KIND, the report's
 * cpu/uid/pid/comm, one BPF_REPORT_FRAME per frame, and CODE_FILE/CODE_LINE/
 * CODE_FUNC from the first frame with a source line.
 *
 * Binary safety: journald's native protocol carries a field as NAME=value\n
 * when the value has no newline, any other byte included (control bytes,
 * invalid UTF-8 are stored as sent), and in its binary form (NAME\n, le64
 * length, bytes) otherwise; sd_journal_sendv() picks the binary form itself
 * for a value with a newline. A framed line has no newline, a report frame
 * list has: both arrive byte for byte (journalctl -o json shows a value that
 * is not printable UTF-8 as an array of byte values).
 *
 * Built only where libsystemd is present (pkg-config libsystemd at build
 * time, BPF_STREAM_HAVE_LIBSYSTEMD); elsewhere both functions fail with
 * -EOPNOTSUPP and say why once through the library's print callback.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/uio.h>
#include <bpf/bpf.h>
#include "stream_internal.h"

#ifdef BPF_STREAM_HAVE_LIBSYSTEMD
/* without it sd_journal_sendv() adds CODE_FILE=journal.c and the like:
 * the location of this file, not of the BPF program's call site */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#define JOURNAL_PRI_KERNEL 2	/* LOG_CRIT */
#define JOURNAL_PRI_ERR 3	/* LOG_ERR */
#define JOURNAL_PRI_WARNING 4	/* LOG_WARNING */
#define JOURNAL_PRI_INFO 6	/* LOG_INFO */

#define MAX_FIELDS 24
#define TEXT_FIELDS_SZ 1024

/* Program tags by id: kernel program ids are not reused while the system
 * runs, so an entry never goes stale. A direct-mapped table, one lookup of
 * the kernel per program (or per collision). */
#define TAG_CACHE 64
static struct {
	__u32 id;
	char tag[17];
} tag_cache[TAG_CACHE];
static pthread_mutex_t tag_lock = PTHREAD_MUTEX_INITIALIZER;

static void prog_tag(__u32 id, char tag[17])
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), slot = id % TAG_CACHE;
	int fd, i;

	tag[0] = '\0';
	if (!id)
		return;
	pthread_mutex_lock(&tag_lock);
	if (tag_cache[slot].id == id)
		memcpy(tag, tag_cache[slot].tag, 17);
	pthread_mutex_unlock(&tag_lock);
	if (tag[0])
		return;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return; /* gone, or no privilege: the field is left out */
	if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
		for (i = 0; i < 8; i++)
			snprintf(tag + 2 * i, 3, "%02x", info.tag[i]);
		pthread_mutex_lock(&tag_lock);
		tag_cache[slot].id = id;
		memcpy(tag_cache[slot].tag, tag, 17);
		pthread_mutex_unlock(&tag_lock);
	}
	close(fd);
}

/* An entry being built: iovecs pointing at the caller's bytes or at
 * NAME=value strings formatted into @text. */
struct entry {
	struct iovec iov[MAX_FIELDS];
	int n;
	char text[TEXT_FIELDS_SZ];
	size_t used;
	char *heap[4];		/* fields too long for text */
	int nheap;
	bool full;
};

static void entry_free(struct entry *e)
{
	while (e->nheap)
		free(e->heap[--e->nheap]);
}

static __printf(2, 3) void add_fmt(struct entry *e, const char *fmt, ...)
{
	size_t room = sizeof(e->text) - e->used;
	va_list ap;
	int len;

	if (e->n == MAX_FIELDS) {
		e->full = true;
		return;
	}
	va_start(ap, fmt);
	len = vsnprintf(e->text + e->used, room, fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= room) {
		e->full = true;
		return;
	}
	e->iov[e->n].iov_base = e->text + e->used;
	e->iov[e->n].iov_len = len;
	e->n++;
	e->used += len + 1;
}

/* NAME= then @len bytes of @val, which need not be NUL-terminated or text:
 * sd_journal_sendv() takes one iovec per field, so the field is copied,
 * to the heap when it does not fit @e->text. */
static int add_bytes(struct entry *e, const char *name, const char *val, size_t len)
{
	size_t nlen = strlen(name), need = nlen + 1 + len;
	char *b;

	if (e->n == MAX_FIELDS) {
		e->full = true;
		return 0;
	}
	if (need <= sizeof(e->text) - e->used) {
		b = e->text + e->used;
		e->used += need;
	} else if (e->nheap < (int)(sizeof(e->heap) / sizeof(e->heap[0]))) {
		b = malloc(need);
		if (!b)
			return -ENOMEM;
		e->heap[e->nheap++] = b;
	} else {
		e->full = true;
		return 0;
	}
	memcpy(b, name, nlen);
	b[nlen] = '=';
	memcpy(b + nlen + 1, val, len);
	e->iov[e->n].iov_base = b;
	e->iov[e->n].iov_len = need;
	e->n++;
	return 0;
}

/* RFC 3339 UTC time with microseconds of a CLOCK_MONOTONIC stamp. */
static void realtime_of(__u64 mono_ns, char *buf, size_t sz)
{
	struct timespec rt, mono;
	__s64 ns;
	time_t sec;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	ns = (__s64)rt.tv_sec * 1000000000 + rt.tv_nsec -
	     ((__s64)mono.tv_sec * 1000000000 + mono.tv_nsec) + (__s64)mono_ns;
	sec = ns / 1000000000;
	gmtime_r(&sec, &tm);
	n = strftime(buf, sz, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sz - n, ".%06uZ", (unsigned int)(ns % 1000000000 / 1000));
}

/* Fields every entry of a program has. */
static void add_prog_fields(struct entry *e, const struct bpf_stream_journal_opts *opts,
			    __u32 prog_id, const char *prog_name, __u32 stream_id)
{
	const char *ident = OPTS_GET(opts, identifier, NULL);
	int owner = OPTS_GET(opts, owner_pid, 0);
	char tag[17];

	add_fmt(e, "SYSLOG_IDENTIFIER=%s", ident && ident[0] ? ident : "bpf-stream");
	if (prog_id)
		add_fmt(e, "BPF_PROG_ID=%u", prog_id);
	/* kernel names are [A-Za-z0-9_.], an object's may be anything */
	if (prog_name && prog_name[0])
		add_bytes(e, "BPF_PROG_NAME", prog_name, strlen(prog_name));
	prog_tag(prog_id, tag);
	if (tag[0])
		add_fmt(e, "BPF_PROG_TAG=%s", tag);
	add_fmt(e, "BPF_STREAM=%s", bs_stream_name(stream_id));
	if (owner > 0)
		add_fmt(e, "BPF_PROG_OWNER_PID=%d", owner);
}

static int send_entry(struct entry *e)
{
	int err;

	if (e->full) {
		pr_warn("journal entry has more fields than it can hold\n");
		return -E2BIG;
	}
	err = sd_journal_sendv(e->iov, e->n);
	return err < 0 ? err : 0;
}

int bpf_stream_journal_print(void *ctx, const struct bpf_stream_msg *msg)
{
	const struct bpf_stream_journal_opts *opts = ctx;
	struct bs_srcline_loc loc;
	struct entry e = {};
	char rt[40];
	int pri, err;

	if (!msg || !msg->text || !OPTS_VALID(opts, bpf_stream_journal_opts))
		return bs_err(-EINVAL);
	if ((msg->flags & BPF_STREAM_MSG_F_KERNEL) && OPTS_GET(opts, skip_kernel_lines, false))
		return 0;
	if (msg->flags & BPF_STREAM_MSG_F_DROP_NOTICE)
		pri = JOURNAL_PRI_WARNING;
	else if (msg->flags & BPF_STREAM_MSG_F_KERNEL)
		pri = JOURNAL_PRI_KERNEL;
	else
		pri = msg->stream_id == BPF_STDERR ? JOURNAL_PRI_ERR : JOURNAL_PRI_INFO;

	err = add_bytes(&e, "MESSAGE", msg->text, msg->len);
	if (err)
		goto out;
	add_fmt(&e, "PRIORITY=%d", pri);
	add_prog_fields(&e, opts, msg->prog_id, msg->prog_name, msg->stream_id);
	/* delivered by a reader: the call site's line from the program's BTF */
	if (!bs_msg_srcline(msg, &loc)) {
		add_fmt(&e, "CODE_FILE=%s", loc.file);
		add_fmt(&e, "CODE_LINE=%u", loc.line);
		if (loc.func)
			add_fmt(&e, "CODE_FUNC=%s", loc.func);
	}
	if (msg->ts_ns) {
		add_fmt(&e, "BPF_TS_NS=%llu", (unsigned long long)msg->ts_ns);
		realtime_of(msg->ts_ns, rt, sizeof(rt));
		add_fmt(&e, "BPF_TS_REALTIME=%s", rt);
	}
	if (msg->flags & BPF_STREAM_MSG_F_DROP_NOTICE)
		add_fmt(&e, "BPF_DROPPED=%llu", (unsigned long long)msg->dropped);
	if (msg->flags & BPF_STREAM_MSG_F_KERNEL)
		add_fmt(&e, "BPF_KERNEL=1");
	if (msg->flags & BPF_STREAM_MSG_F_PARTIAL)
		add_fmt(&e, "BPF_PARTIAL=1");
	if (msg->flags & BPF_STREAM_MSG_F_UNTERMINATED)
		add_fmt(&e, "BPF_UNTERMINATED=1");
	if (msg->flags & BPF_STREAM_MSG_F_TRUNCATED)
		add_fmt(&e, "BPF_TRUNCATED=1");
	err = send_entry(&e);
out:
	entry_free(&e);
	return bs_err(err);
}

/* The frames of a report, one "symbol+0xoff/0xsize[ file:line][ src]" line each. */
static char *frames_text(const struct bpf_stream_report *r, size_t *len)
{
	char *buf = NULL;
	size_t sz = 0;
	FILE *f = open_memstream(&buf, &sz);
	__u32 i;

	if (!f)
		return NULL;
	for (i = 0; i < r->nr_frames && r->frames; i++) {
		const struct bpf_stream_frame *fr = &r->frames[i];

		fprintf(f, "%s+0x%" PRIx64 "/0x%" PRIx64, fr->symbol ? fr->symbol : "?",
			(uint64_t)fr->offset, (uint64_t)fr->size);
		if (fr->file)
			fprintf(f, " %s:%u", fr->file, fr->line);
		if (fr->src)
			fprintf(f, " %s", fr->src);
		if (i + 1 < r->nr_frames)
			fputc('\n', f);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	*len = sz;
	return buf;
}

int bpf_stream_journal_report(void *ctx, const struct bpf_stream_report *r)
{
	const struct bpf_stream_journal_opts *opts = ctx;
	const struct bpf_stream_frame *code = NULL;
	struct entry e = {};
	char *frames = NULL, *msg = NULL;
	size_t flen = 0;
	__u32 i;
	int err;

	if (!r || !OPTS_VALID(opts, bpf_stream_journal_opts))
		return bs_err(-EINVAL);
	/* a STACK report (bpf_stream_print_stack()) has no "ERROR:" line */
	if (r->kind == BPF_STREAM_REPORT_STACK ? !(msg = strdup("Call trace")) :
	    asprintf(&msg, "ERROR: %s", r->message ? r->message : "") < 0)
		return bs_err(-ENOMEM);
	err = add_bytes(&e, "MESSAGE", msg, strlen(msg));
	if (err)
		goto out;
	add_fmt(&e, "PRIORITY=%d", JOURNAL_PRI_KERNEL);
	/* stream_id is read only in a STACK report: a caller built before the
	 * field existed cannot make one, nor pass a struct without it */
	add_prog_fields(&e, opts, r->prog_id, r->prog_name,
			r->kind == BPF_STREAM_REPORT_STACK && r->stream_id == BPF_STDOUT ?
			BPF_STDOUT : BPF_STDERR);
	add_fmt(&e, "BPF_KERNEL=1");
	add_fmt(&e, "BPF_REPORT_KIND=%s", bpf_stream_report_kind_str(r->kind));
	if (r->cpu >= 0)
		add_fmt(&e, "BPF_REPORT_CPU=%d", r->cpu);
	if (r->uid >= 0)
		add_fmt(&e, "BPF_REPORT_UID=%d", r->uid);
	if (r->pid >= 0)
		add_fmt(&e, "BPF_REPORT_PID=%d", r->pid);
	if (r->comm)
		add_fmt(&e, "BPF_REPORT_COMM=%s", r->comm);
	if (r->truncated)
		add_fmt(&e, "BPF_TRUNCATED=1");
	for (i = 0; i < r->nr_frames && r->frames; i++) {
		if (r->frames[i].file && r->frames[i].line) {
			code = &r->frames[i];
			break;
		}
	}
	if (code) {
		/* the BPF source line the kernel named for the faulting frame */
		add_fmt(&e, "CODE_FILE=%s", code->file);
		add_fmt(&e, "CODE_LINE=%u", code->line);
		if (code->symbol)
			add_fmt(&e, "CODE_FUNC=%s", code->symbol);
	}
	if (r->nr_frames && r->frames) {
		frames = frames_text(r, &flen);
		if (!frames) {
			err = -ENOMEM;
			goto out;
		}
		/* several lines: sd_journal_sendv() sends it in the binary form */
		err = add_bytes(&e, "BPF_REPORT_FRAMES", frames, flen);
		if (err)
			goto out;
	}
	err = send_entry(&e);
out:
	entry_free(&e);
	free(frames);
	free(msg);
	return bs_err(err);
}

#else /* !BPF_STREAM_HAVE_LIBSYSTEMD */

static int no_journal(void)
{
	static bool said;

	if (!said)
		pr_warn("built without libsystemd (Debian: libsystemd-dev): no journal output\n");
	said = true;
	return bs_err(-EOPNOTSUPP);
}

int bpf_stream_journal_print(void *ctx, const struct bpf_stream_msg *msg)
{
	return no_journal();
}

int bpf_stream_journal_report(void *ctx, const struct bpf_stream_report *r)
{
	return no_journal();
}

#endif /* BPF_STREAM_HAVE_LIBSYSTEMD */

bool bpf_stream_journal_supported(void)
{
#ifdef BPF_STREAM_HAVE_LIBSYSTEMD
	return true;
#else
	return false;
#endif
}
