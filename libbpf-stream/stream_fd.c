// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Pollable streams: a file descriptor per (program, stream) that poll(2)
 * reports POLLIN while the stream holds data and POLLHUP once the program
 * is freed; read(2) consumes the stream like BPF_PROG_STREAM_READ_BY_FD and
 * never blocks (-EAGAIN while empty, 0 once the program is gone).
 *
 * The command is NOT in any released kernel: it is the proposed UAPI of
 * this project's kernel series (kernel-patch/, patch 7 "bpf: Add
 * BPF_PROG_STREAM_GET_FD to wait for stream data"), defined here because no
 * distribution's UAPI header has it. Its number (39) may be taken by another
 * command upstream, so it is only used after the probe below saw it do
 * exactly this: give a file whose /proc/self/fd link is
 * "anon_inode:bpf-stream" for a program's stream.
 *
 * The probe runs once per process (pthread_once) with a socket filter
 * program of two instructions. A kernel without the command answers
 * -EINVAL (7.2 as released and every kernel before it: unknown bpf(2)
 * commands are -EINVAL), a seccomp filter may answer -ENOSYS or -EPERM; any
 * failure means "not here" and the reader keeps its adaptive polling.
 * BPF_STREAM_WAIT=backoff in the environment (read once, by the probe)
 * forces that fallback; BPF_STREAM_WAIT=auto or unset lets the probe decide.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "stream_fd.h"

static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static bool probe_res;		/* the probe's answer */
static int test_force = -1;	/* bs_stream_fd_test_force(): -1 none, 0, 1 */

static int get_fd_raw(int prog_fd, __u32 stream_id)
{
	struct bs_stream_get_fd_attr attr;
	long ret;

	memset(&attr, 0, sizeof(attr));
	attr.prog_fd = prog_fd;
	attr.stream_id = stream_id;
	ret = syscall(__NR_bpf, BS_PROG_STREAM_GET_FD, &attr,
		      bs_offsetofend(struct bs_stream_get_fd_attr, flags));
	return ret < 0 ? -errno : (int)ret;
}

static void probe(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	const char *env = getenv("BPF_STREAM_WAIT");
	int prog_fd, fd;

	if (env && *env && strcmp(env, "auto")) {
		if (strcmp(env, "backoff"))
			pr_warn("BPF_STREAM_WAIT='%s' is not one of auto, backoff: using auto\n",
				env);
		else {
			pr_debug("stream fds: BPF_STREAM_WAIT=backoff, adaptive polling\n");
			return;
		}
	}
	prog_fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "bs_probe_sfd", "GPL", insns, 2,
				NULL);
	if (prog_fd < 0) {
		pr_debug("stream fds: probe program not loaded (%d), adaptive polling\n", -errno);
		return;
	}
	fd = get_fd_raw(prog_fd, BPF_STDOUT);
	if (fd >= 0) {
		probe_res = bs_fd_is_anon(fd, "bpf-stream");
		close(fd);
	}
	close(prog_fd);
	pr_debug("stream fds: BPF_PROG_STREAM_GET_FD %s (%d)\n",
		 probe_res ? "available" : "not available, adaptive polling", fd);
}

bool bs_stream_fd_available(void)
{
	if (test_force >= 0)
		return test_force;
	pthread_once(&probe_once, probe);
	return probe_res;
}

int bs_stream_get_fd(int prog_fd, __u32 stream_id)
{
	if (!bs_stream_fd_available())
		return -EOPNOTSUPP;
	if (!bs_stream_id_valid(stream_id))
		return -EINVAL;
	return get_fd_raw(prog_fd, stream_id);
}

void bs_stream_fd_test_force(int use)
{
	test_force = use < 0 ? -1 : !!use;
}
