/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * BPF standard streams: per-program BPF_STDOUT and BPF_STDERR text streams
 * that BPF programs and the kernel write to from any context (NMI included)
 * and that user space drains with BPF_PROG_STREAM_READ_BY_FD.
 */
#ifndef _LINUX_BPF_STREAM_H
#define _LINUX_BPF_STREAM_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/llist.h>
#include <linux/mutex.h>

struct bpf_prog;

/* Values match BPF_STREAM_STDOUT/BPF_STREAM_STDERR of the UAPI. */
enum bpf_stream_id {
	BPF_STDOUT = 1,
	BPF_STDERR = 2,
};

#define BPF_STREAM_NR		2

/* Flag of the UAPI's stream open command: the file reads without blocking. */
#ifndef BPF_F_STREAM_NONBLOCK
#define BPF_F_STREAM_NONBLOCK	(1U << 0)
#endif

/*
 * Limits. BPF_STREAM_MAX_CAPACITY bounds the bytes queued in one stream and
 * not yet read; a write of len bytes is refused with -ENOSPC when
 * queued + len >= BPF_STREAM_MAX_CAPACITY. BPF_PROG_STREAM_ERROR_CNT bounds
 * how many reports the kernel itself stages for one program.
 * BPF_STREAM_MSG_MAX bounds one message (the bprintf buffer less its NUL).
 */
enum {
	BPF_STREAM_MAX_CAPACITY = 100000,
	BPF_PROG_STREAM_ERROR_CNT = 512,
	BPF_STREAM_MSG_MAX = 1023,
};

/*
 * One queued message, from kmalloc_nolock(). It carries exactly total_len
 * bytes of text, without a terminating NUL.
 * consumed_len counts what readers already copied out (partial reads).
 */
struct bpf_stream_elem {
	struct llist_node node;
	u32 total_len;
	u32 consumed_len;
	char str[];
};

struct bpf_stream_poll;

struct bpf_stream {
	/* Bytes charged to the stream: queued plus staged-for-commit. */
	atomic_t capacity;
	/* Lock-free LIFO of newly written elements, writers push here. */
	struct llist_head log;
	/* Serialises readers; protects backlog_head and backlog_tail. */
	struct mutex lock;
	/* FIFO of elements pulled from log, oldest first. */
	struct llist_node *backlog_head;
	struct llist_node *backlog_tail;
	/*
	 * Waiters of stream files (bpf_prog_stream_new_fd()); NULL until the
	 * first one is opened, then set once (under lock) for the program's
	 * lifetime.
	 */
	struct bpf_stream_poll *poll;
};

/*
 * A batch of kernel messages built on the stack and committed to a stream
 * as one contiguous block, so concurrent writers never interleave inside it.
 */
struct bpf_stream_stage {
	struct llist_head log;		/* staged elements, newest first */
	struct llist_node *tail;	/* oldest staged element */
	u32 len;			/* bytes staged */
};

void bpf_prog_stream_init(struct bpf_prog *prog);
void bpf_prog_stream_free(struct bpf_prog *prog);
int bpf_prog_stream_read(struct bpf_prog *prog, enum bpf_stream_id stream_id,
			 void __user *buf, u32 len);
int bpf_prog_stream_new_fd(struct bpf_prog *prog, enum bpf_stream_id stream_id,
			   u32 flags);

void bpf_stream_stage_init(struct bpf_stream_stage *ss);
void bpf_stream_stage_free(struct bpf_stream_stage *ss);
__printf(2, 3)
int bpf_stream_stage_printk(struct bpf_stream_stage *ss, const char *fmt, ...);
int bpf_stream_stage_commit(struct bpf_stream_stage *ss, struct bpf_prog *prog,
			    enum bpf_stream_id stream_id);
bool bpf_prog_stream_error_limit(struct bpf_prog *prog);

struct bpf_prog_aux;
int bpf_stream_vprintk(int stream_id, const char *fmt__str, const void *args,
		       u32 len__sz, struct bpf_prog_aux *aux);

#define bpf_stream_printk(ss, ...) bpf_stream_stage_printk(&(ss), __VA_ARGS__)

/*
 * Stage the messages printed by @expr (with bpf_stream_printk(ss, ...)) and
 * commit them to @stream_id of @prog as one block. Skipped entirely once the
 * program used up its BPF_PROG_STREAM_ERROR_CNT kernel reports.
 */
#define bpf_stream_stage(ss, prog, stream_id, expr)			\
	({								\
		if (!bpf_prog_stream_error_limit(prog)) {		\
			bpf_stream_stage_init(&(ss));			\
			(expr);						\
			bpf_stream_stage_commit(&(ss), prog, stream_id);\
			bpf_stream_stage_free(&(ss));			\
		}							\
	})

#endif /* _LINUX_BPF_STREAM_H */
