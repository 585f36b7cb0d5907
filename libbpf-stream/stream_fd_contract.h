/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The behavioural check of a stream-fd opener against Linux 7.4's contract
 * (upstream's selftests, test_stream_fd_*), shared by the library's probe
 * (stream_fd.c) and the test harness's own probe of the kernel
 * (tests/common/kernel_probe.c). Header-only, every function static, no
 * library state: it needs libc and libbpf's bpf_prog_load() only, so the
 * tests compile it without linking any library internal.
 *
 * What is shared is the list of behaviours, not the way to reach the
 * kernel: each caller passes its own opener (the library its guessed UAPI
 * or libbpf's bpf_prog_stream_open(), the tests a raw bpf(2) call with
 * their own constants) and its own "non-blocking" flag value. A wrong
 * number or flag in the library therefore still shows in the tests, and a
 * kernel keeps the contract for both or for neither.
 *
 * The checks, on a two-instruction socket filter program loaded for them:
 *   1. BPF_F_RDONLY and 1 << 31 are -EINVAL, stream id 0 is -ENOENT, a
 *      file that is not a program (/dev/null) is -EINVAL;
 *   2. with the non-blocking flag: an fd, close-on-exec, O_RDONLY and
 *      O_NONBLOCK (fcntl), named anon_inode:bpf-stream, write EBADF, lseek
 *      ESPIPE, poll not ready, then (O_NONBLOCK seen) read -EAGAIN;
 *   3. once the program's fd is closed: POLLHUP within 2 s, read 0.
 * Nothing here reads an fd that fcntl() did not show O_NONBLOCK on.
 */
#ifndef __LIBBPF_STREAM_STREAM_FD_CONTRACT_H
#define __LIBBPF_STREAM_STREAM_FD_CONTRACT_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

/* Open stream @stream_id of @prog_fd with @flags: fd or -errno. */
typedef int (*bs_sfd_opener_fn)(int prog_fd, __u32 stream_id, __u32 flags);

#define BS_SFD_HUP_WAIT_MS 2000	/* the program is freed after an RCU grace period */

/* Does fd look non-blocking, read-only and close-on-exec to fcntl()? */
static inline bool bs_sfd_flags_ok(int fd)
{
	int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);

	return fl >= 0 && fdfl >= 0 && (fdfl & FD_CLOEXEC) &&
	       (fl & O_ACCMODE) == O_RDONLY && (fl & O_NONBLOCK);
}

/* Is @fd an anon inode file named "anon_inode:bpf-stream"? */
static inline bool bs_sfd_is_stream_file(int fd)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	return !strcmp(target, "anon_inode:bpf-stream");
}

static inline long long bs_sfd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Step 1: the refusals. @prog_fd is the check's own program. */
static inline const char *bs_sfd_check_refusals(bs_sfd_opener_fn op, int prog_fd, __u32 nonblock)
{
	int fd, nullfd;

	fd = op(prog_fd, 1, BPF_F_RDONLY);
	if (fd >= 0)
		close(fd);
	if (fd != -EINVAL)
		return "BPF_F_RDONLY not refused with -EINVAL";
	fd = op(prog_fd, 1, 1U << 31);
	if (fd >= 0)
		close(fd);
	if (fd != -EINVAL)
		return "an unknown flag not refused with -EINVAL";
	fd = op(prog_fd, 0, nonblock);
	if (fd >= 0)
		close(fd);
	if (fd != -ENOENT)
		return "stream id 0 not refused with -ENOENT";
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (nullfd < 0)
		return "/dev/null cannot be opened";
	fd = op(nullfd, 1, nonblock);
	close(nullfd);
	if (fd >= 0)
		close(fd);
	if (fd != -EINVAL)
		return "a file that is not a program not refused with -EINVAL";
	return NULL;
}

/* Step 2: the fd of an empty stream. */
static inline const char *bs_sfd_check_empty(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;

	if (!bs_sfd_flags_ok(fd))
		return "the fd is not close-on-exec, read-only and non-blocking";
	if (!bs_sfd_is_stream_file(fd))
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
static inline const char *bs_sfd_check_hangup(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long long t0 = bs_sfd_now_ms();
	char c;
	int n;

	do {
		pfd.revents = 0;
		n = poll(&pfd, 1, 50);
	} while ((n == 0 || (n < 0 && errno == EINTR)) &&
		 bs_sfd_now_ms() - t0 < BS_SFD_HUP_WAIT_MS);
	if (n != 1 || !(pfd.revents & POLLHUP))
		return "no POLLHUP after the program was freed";
	if (read(fd, &c, 1) != 0)
		return "no end of file after the program was freed";
	return NULL;
}

/*
 * bs_sfd_check_contract() - the whole check of @op, steps in order (the
 * refusals first: no fd is opened through a command that does not refuse
 * what upstream's refuses).
 * @op: the opener; @nonblock: its flag asking for a non-blocking fd.
 * Return: NULL when every step passed, else what failed (a static string).
 */
static inline const char *bs_sfd_check_contract(bs_sfd_opener_fn op, __u32 nonblock)
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
	why = bs_sfd_check_refusals(op, prog_fd, nonblock);
	if (why) {
		close(prog_fd);
		return why;
	}
	fd = op(prog_fd, 1, nonblock);
	if (fd < 0) {
		close(prog_fd);
		return "the non-blocking open was refused";
	}
	why = bs_sfd_check_empty(fd);
	close(prog_fd);
	if (!why)
		why = bs_sfd_check_hangup(fd);
	close(fd);
	return why;
}

#endif /* __LIBBPF_STREAM_STREAM_FD_CONTRACT_H */
