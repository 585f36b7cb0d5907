// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Stream file descriptors: Linux 7.4's file-descriptor interface for
 * program streams. Upstream's contract (its selftests, test_stream_fd_*):
 * a bpf(2) command opens one stream of a program as a read-only,
 * close-on-exec file; reads block unless the open asked for
 * BPF_F_STREAM_NONBLOCK (then -EAGAIN while empty); poll gives POLLIN while
 * data is queued and POLLHUP once the program is freed, after which what
 * was queued can still be read, then read(2) gives 0; the file holds no
 * reference on the program; a prog fd that is not a program is -EINVAL, a
 * stream id that is not one -ENOENT, BPF_F_RDONLY or an unknown flag
 * -EINVAL; write(2) is EBADF, lseek(2) ESPIPE.
 *
 * Two openers, tried in this order:
 *   libbpf  bpf_prog_stream_open() of the libbpf loaded at run time: a weak
 *           reference, so a libbpf without it (Debian 12's 1.1, sid's 1.7)
 *           leaves it NULL; its opts are the usual { sz, flags }.
 *   bpf(2)  the library's own wrapper of the command (stream_fd.h).
 * Neither the command's number and attr nor the flag's value could be read
 * from upstream (docs/stream-fds.md), so an opener is used only after it
 * passed this probe, run once per process on a socket filter program of
 * its own (two instructions, loaded for the probe and freed by it):
 *
 *   1. BPF_F_RDONLY and 1 << 31 are -EINVAL, stream id 0 is -ENOENT, a
 *      file that is not a program (/dev/null) is -EINVAL;
 *   2. with BPF_F_STREAM_NONBLOCK: an fd, close-on-exec, O_RDONLY and
 *      O_NONBLOCK (fcntl), named anon_inode:bpf-stream, write EBADF, lseek
 *      ESPIPE, poll not ready, then (O_NONBLOCK seen) read -EAGAIN;
 *   3. once the program's fd is closed: POLLHUP within 2 s, read 0.
 *
 * A kernel that gave the number to another command, or whose attr or flag
 * differ, fails one of these steps on the probe's own program and the
 * reader keeps its adaptive polling; no program of the caller ever sees
 * the command before that. Nothing here reads a stream fd that fcntl() did
 * not show O_NONBLOCK on: a blocking read would hang the reader.
 *
 * The project's own proposal (BPF_PROG_STREAM_GET_FD, command 39 with flags
 * 0 only) is no longer used: its kernels refuse BPF_F_STREAM_NONBLOCK and
 * fail step 2.
 *
 * BPF_STREAM_WAIT=backoff in the environment (read once, by the probe)
 * forces the adaptive polling; BPF_STREAM_WAIT=auto or unset lets the probe
 * decide.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "stream_fd.h"
#include "stream_features.h"

/* libbpf's opts of bpf_prog_stream_open(), as upstream's selftests use it */
struct bs_libbpf_stream_open_opts {
	size_t sz;
	__u32 flags;
	size_t :0;
};

/* Weak, under another C name: no libbpf header conflicts, NULL where the
 * libbpf loaded at run time lacks it. */
extern int bs_libbpf_stream_open(int prog_fd, __u32 stream_id,
				 const struct bs_libbpf_stream_open_opts *opts)
	__asm__("bpf_prog_stream_open") __attribute__((weak));

typedef int (*opener_fn)(int prog_fd, __u32 stream_id, __u32 flags);

#define HUP_WAIT_MS 2000	/* the program is freed after an RCU grace period */

/* Written by the probe only, under features.c's lock, before the cache
 * publishes its answer. */
static opener_fn probe_res;		/* the opener that passed, or NULL */
static const char *probe_name;

static int open_raw(int prog_fd, __u32 stream_id, __u32 flags)
{
	struct bs_stream_open_attr attr;
	long ret;

	memset(&attr, 0, sizeof(attr));
	attr.prog_fd = prog_fd;
	attr.stream_id = stream_id;
	attr.flags = flags;
	ret = syscall(__NR_bpf, BS_PROG_STREAM_OPEN, &attr,
		      bs_offsetofend(struct bs_stream_open_attr, flags));
	return ret < 0 ? -errno : (int)ret;
}

static int open_libbpf(int prog_fd, __u32 stream_id, __u32 flags)
{
	struct bs_libbpf_stream_open_opts opts;
	int ret;

	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	opts.flags = flags;
	ret = bs_libbpf_stream_open(prog_fd, stream_id, &opts);
	return ret < 0 ? (errno ? -errno : ret) : ret;
}

/* Does fd look non-blocking, read-only and close-on-exec to fcntl()? */
static bool fd_flags_ok(int fd)
{
	int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);

	return fl >= 0 && fdfl >= 0 && (fdfl & FD_CLOEXEC) &&
	       (fl & O_ACCMODE) == O_RDONLY && (fl & O_NONBLOCK);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Step 1: the refusals. @prog_fd is the probe's own program. */
static const char *check_refusals(opener_fn op, int prog_fd)
{
	int fd, nullfd;

	fd = op(prog_fd, BPF_STDOUT, BPF_F_RDONLY);
	if (fd >= 0)
		close(fd);
	if (fd != -EINVAL)
		return "BPF_F_RDONLY not refused with -EINVAL";
	fd = op(prog_fd, BPF_STDOUT, 1U << 31);
	if (fd >= 0)
		close(fd);
	if (fd != -EINVAL)
		return "an unknown flag not refused with -EINVAL";
	fd = op(prog_fd, 0, BS_F_STREAM_NONBLOCK);
	if (fd >= 0)
		close(fd);
	if (fd != -ENOENT)
		return "stream id 0 not refused with -ENOENT";
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (nullfd < 0)
		return "/dev/null cannot be opened";
	fd = op(nullfd, BPF_STDOUT, BS_F_STREAM_NONBLOCK);
	close(nullfd);
	if (fd >= 0)
		close(fd);
	if (fd != -EINVAL)
		return "a file that is not a program not refused with -EINVAL";
	return NULL;
}

/* Step 2: the fd of an empty stream. */
static const char *check_empty(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;

	if (!fd_flags_ok(fd))
		return "the fd is not close-on-exec, read-only and non-blocking";
	if (!bs_fd_is_anon(fd, "bpf-stream"))
		return "the fd is not anon_inode:bpf-stream";
	if (write(fd, "x", 1) != -1 || errno != EBADF)
		return "write(2) not refused with EBADF";
	if (lseek(fd, 0, SEEK_SET) != -1 || errno != ESPIPE)
		return "lseek(2) not refused with ESPIPE";
	if (poll(&pfd, 1, 0) != 0)
		return "an empty stream polls ready";
	/* O_NONBLOCK was seen above: this read cannot block */
	if (read(fd, &c, 1) != -1 || errno != EAGAIN)
		return "an empty stream does not read -EAGAIN";
	return NULL;
}

/* Step 3: the program is gone. */
static const char *check_hangup(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long long t0 = now_ms();
	char c;
	int n;

	do {
		pfd.revents = 0;
		n = poll(&pfd, 1, 50);
	} while ((n == 0 || (n < 0 && errno == EINTR)) && now_ms() - t0 < HUP_WAIT_MS);
	if (n != 1 || !(pfd.revents & POLLHUP))
		return "no POLLHUP after the program was freed";
	if (read(fd, &c, 1) != 0)
		return "no end of file after the program was freed";
	return NULL;
}

/* The whole probe for @op; NULL when it passed, else what failed. */
static const char *check_opener(opener_fn op)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	const char *why;
	int prog_fd, fd;

	prog_fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "bs_probe_sfd", "GPL", insns, 2,
				NULL);
	if (prog_fd < 0)
		return "the probe program was not loaded";
	why = check_refusals(op, prog_fd);
	if (why) {
		close(prog_fd);
		return why;
	}
	fd = op(prog_fd, BPF_STDOUT, BS_F_STREAM_NONBLOCK);
	if (fd < 0) {
		close(prog_fd);
		return "BPF_F_STREAM_NONBLOCK refused";
	}
	why = check_empty(fd);
	close(prog_fd);
	if (!why)
		why = check_hangup(fd);
	close(fd);
	return why;
}

static void probe(void)
{
	const char *env = getenv("BPF_STREAM_WAIT");
	const char *why;

	if (env && *env && strcmp(env, "auto")) {
		if (strcmp(env, "backoff"))
			pr_warn("BPF_STREAM_WAIT='%s' is not one of auto, backoff: using auto\n",
				env);
		else {
			pr_debug("stream fds: BPF_STREAM_WAIT=backoff, adaptive polling\n");
			return;
		}
	}
	if (bs_libbpf_stream_open) {
		why = check_opener(open_libbpf);
		pr_debug("stream fds: libbpf's bpf_prog_stream_open(): %s\n", why ? why : "ok");
		if (!why) {
			probe_res = open_libbpf;
			probe_name = "libbpf";
			return;
		}
	}
	why = check_opener(open_raw);
	pr_debug("stream fds: bpf(2) command %d: %s\n", BS_PROG_STREAM_OPEN,
		 why ? why : "ok");
	if (!why) {
		probe_res = open_raw;
		probe_name = "bpf(2)";
		return;
	}
	pr_debug("stream fds: not available, adaptive polling\n");
}

/* BS_FEAT_STREAM_FD of the feature table (stream_features.h). */
int bs_probe_stream_fd(void)
{
	probe();
	return probe_res != NULL;
}

/* A test's forced "yes" cannot enable an opener the probe refused: the
 * override probes before it takes effect, and probe_res stays NULL. */
bool bs_stream_fd_available(void)
{
	return bs_feat_supported(BS_FEAT_STREAM_FD) && probe_res;
}

const char *bs_stream_fd_opener(void)
{
	bs_feat_probe(BS_FEAT_STREAM_FD);
	return probe_name;
}

int bs_stream_get_fd(int prog_fd, __u32 stream_id)
{
	int fd;

	if (!bs_stream_fd_available())
		return -EOPNOTSUPP;
	if (!bs_stream_id_valid(stream_id))
		return -EINVAL;
	fd = probe_res(prog_fd, stream_id, BS_F_STREAM_NONBLOCK);
	if (fd < 0)
		return fd;
	/* the probe saw the flag work; never hand out a blocking fd */
	if (!fd_flags_ok(fd)) {
		close(fd);
		return -EIO;
	}
	return fd;
}
