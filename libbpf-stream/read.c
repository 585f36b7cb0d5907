// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf_stream_read(): the bpf(2) BPF_PROG_STREAM_READ_BY_FD command, and
 * libbpf 1.6's bpf_prog_stream_read() for older libbpf.
 *
 * Errors are the kernel's, passed through unchanged, with two exceptions
 * decided here without a syscall:
 *  - buf == NULL with buf_len != 0 returns -EFAULT (the kernel would say the
 *    same, but only once the stream holds data: an empty stream returns 0
 *    without touching the buffer, which would hide the caller's bug);
 *  - buf_len above INT_MAX is clamped to INT_MAX: the kernel keeps the length
 *    in an int, and a negative length must never reach it.
 *
 * A kernel without the command answers -EINVAL for it, which is also the
 * answer for "this fd is not a program". On -EINVAL this wrapper therefore
 * asks the fd what it is (/proc/self/fd): a BPF program whose well-formed
 * request (every attr byte after prog_fd is zero, the size ends at prog_fd)
 * is refused means the kernel lacks the command, and -EOPNOTSUPP is
 * returned. Without /proc the kernel's -EINVAL stays. Only the error path
 * pays for the check.
 */
#include <limits.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "stream_internal.h"

bool bs_fd_is_anon(int fd, const char *kind)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	return !strncmp(target, "anon_inode:", 11) && !strcmp(target + 11, kind);
}

int bpf_stream_read(int prog_fd, __u32 stream_id, void *buf, __u32 buf_len)
{
	/* Zeroed as a whole: the kernel wants every byte after prog_fd zero. */
	struct bs_stream_read_attr attr;
	long ret;

	if (!buf && buf_len)
		return bs_err(-EFAULT);
	if (buf_len > INT_MAX)
		buf_len = INT_MAX;

	memset(&attr, 0, sizeof(attr));
	attr.stream_buf = (__u64)(unsigned long)buf;
	attr.stream_buf_len = buf_len;
	attr.stream_id = stream_id;
	attr.prog_fd = prog_fd;

	/* The size ends at prog_fd (20 bytes): no padding is passed, so a
	 * kernel whose attr grows later sees the same request. */
	ret = syscall(__NR_bpf, BPF_PROG_STREAM_READ_BY_FD, &attr,
		      bs_offsetofend(struct bs_stream_read_attr, prog_fd));
	if (ret < 0) {
		int err = -errno;

		if (err == -EINVAL && bs_fd_is_anon(prog_fd, "bpf-prog"))
			err = -EOPNOTSUPP;
		return bs_err(err);
	}
	return (int)ret;
}

#ifdef LIBBPF_STREAM_PROVIDES_PROG_STREAM_READ
int bpf_prog_stream_read(int prog_fd, __u32 stream_id, void *buf, __u32 buf_len,
			 struct bpf_prog_stream_read_opts *opts)
{
	if (!OPTS_VALID(opts, bpf_prog_stream_read_opts))
		return bs_err(-EINVAL);
	return bpf_stream_read(prog_fd, stream_id, buf, buf_len);
}
#endif
