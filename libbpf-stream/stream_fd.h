/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Pollable streams (stream_fd.c): the proposed BPF_PROG_STREAM_GET_FD
 * command of kernel-patch/ patch 7, used only where a once-per-process probe
 * found it. Private: never installed.
 */
#ifndef __LIBBPF_STREAM_STREAM_FD_H
#define __LIBBPF_STREAM_STREAM_FD_H

#include "stream_internal.h"

/* enum bpf_cmd value proposed by kernel-patch/ patch 7 (after
 * BPF_PROG_ASSOC_STRUCT_OPS = 38 of 7.2); in no released kernel. */
#define BS_PROG_STREAM_GET_FD 39

/* attr of BS_PROG_STREAM_GET_FD (proposed union bpf_attr member
 * prog_stream_get_fd); flags must be 0. */
struct bs_stream_get_fd_attr {
	__u32 prog_fd;
	__u32 stream_id;
	__u32 flags;
};

/* True where the running kernel has the command and BPF_STREAM_WAIT does not
 * say "backoff" (probed once per process; thread-safe). */
bool bs_stream_fd_available(void);
/* A new close-on-exec fd of (@prog_fd, @stream_id): POLLIN when data is
 * queued, POLLHUP once the program is freed; read(2) consumes the stream
 * without blocking (-EAGAIN empty, 0 once the program is gone). It holds
 * no reference on the program. Return: fd, or -errno (-EOPNOTSUPP where
 * bs_stream_fd_available() is false). */
int bs_stream_get_fd(int prog_fd, __u32 stream_id);
/* Test hook (never exported): 1 or 0 overrides the probe's answer, -1 goes
 * back to it. Affects readers' later __add_* calls only. */
void bs_stream_fd_test_force(int use);

#endif /* __LIBBPF_STREAM_STREAM_FD_H */
