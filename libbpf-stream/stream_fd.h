/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Stream file descriptors (stream_fd.c): Linux 7.4's file-descriptor
 * interface for program streams ("bpf: Add file descriptor interface for
 * program streams", libbpf's bpf_prog_stream_open()), always opened
 * non-blocking, used only where a once-per-process behavioural probe found
 * the kernel keeping that interface's contract. Private: never installed.
 */
#ifndef __LIBBPF_STREAM_STREAM_FD_H
#define __LIBBPF_STREAM_STREAM_FD_H

#include "stream_internal.h"

/*
 * The UAPI below is NOT taken from an upstream header: no distribution
 * ships 7.4's, and the command's name, number, attr layout and flag value
 * could not be read from upstream (docs/stream-fds.md). They are the
 * project's best guess, also used by kernel-patch/'s 7.2 series. A wrong
 * guess is harmless: the probe sends the command only for a throw-away
 * program of its own and accepts it only if it behaves exactly as the
 * upstream contract says (stream_fd.c); anything else keeps the adaptive
 * polling.
 */
#define BS_PROG_STREAM_OPEN 39		/* after BPF_PROG_ASSOC_STRUCT_OPS = 38 */
#define BS_F_STREAM_NONBLOCK (1U << 0)	/* open with O_NONBLOCK */

/* attr of BS_PROG_STREAM_OPEN */
struct bs_stream_open_attr {
	__u32 prog_fd;
	__u32 stream_id;
	__u32 flags;
};

/* True where the running kernel has stream fds keeping the upstream
 * contract and BPF_STREAM_WAIT does not say "backoff": BS_FEAT_STREAM_FD
 * of the feature table (stream_features.h; probed once per process; thread-safe). */
bool bs_stream_fd_available(void);
/* A new close-on-exec, read-only, non-blocking fd of (@prog_fd,
 * @stream_id): POLLIN while data is queued, POLLHUP once the program is
 * freed; read(2) consumes the stream and never blocks (-EAGAIN empty, what
 * is left then 0 once the program is gone). It holds no reference on the
 * program. Return: fd, or -errno (-EOPNOTSUPP where bs_stream_fd_available()
 * is false, -EIO if the kernel gave a blocking fd). */
int bs_stream_get_fd(int prog_fd, __u32 stream_id);
/* Tests turn stream fds off (and back on where the probe found them; a
 * forced yes cannot enable what the probe refused) with
 * bs_feat_test_override(BS_FEAT_STREAM_FD, 0 / 1 / -1) of stream_features.h. */
/* Which opener the probe accepted: "libbpf" (bpf_prog_stream_open() of the
 * libbpf loaded at run time), "bpf(2)" (the library's own wrapper), or NULL
 * (none). For tests and debug output. */
const char *bs_stream_fd_opener(void);

#endif /* __LIBBPF_STREAM_STREAM_FD_H */
