/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the running kernel has, asked of the kernel itself (bpf(2) and its
 * BTF), independently of the library under test. Tests use these to assert
 * the behaviour of the kernel they run on, and to skip with the true reason
 * where a feature is absent. The matrix's probe (matrix/probe.c) prints them.
 * Each answer is computed once per process.
 */
#ifndef __KERNEL_PROBE_H
#define __KERNEL_PROBE_H

#include <stdbool.h>

/* Does the kernel have the BPF_PROG_STREAM_READ_BY_FD command (6.17+)? On a
 * kernel without it a read of a loaded program's stream gets -EINVAL. */
bool kp_has_stream_read(void);

/* Does the kernel have Linux 7.4's stream fds as the library opens them
 * (command 39, BPF_F_STREAM_NONBLOCK; stream_fd.h)? No released Debian
 * kernel has them; the patched 7.2 of kernel-patch/ does. */
bool kp_has_stream_open(void);
/* Why not: the command's -errno (-EINVAL where it is unknown), -EPROTO when
 * it gave an fd that does not behave as upstream's (refusals, lseek, an
 * empty read, hang-up: command 39 used otherwise), or the probe program's
 * load error; 0 when the kernel has it. */
int kp_stream_open_err(void);
/* With -EPROTO: the step of the contract the kernel failed ("" otherwise).
 * The steps are libbpf-stream/stream_fd_contract.h's, shared with the
 * library's own probe; the bpf(2) call and its constants are this file's. */
const char *kp_stream_open_why(void);

/* The stream kfunc a BPF program can call here: "bpf_stream_vprintk" (6.17,
 * five arguments; 7.x, four), "bpf_stream_vprintk_impl" (6.18, five), or
 * NULL when the kernel's BTF has none. @nr_args (may be NULL) gets its
 * number of arguments. */
const char *kp_stream_kfunc(int *nr_args);

/* Does the kernel's BTF have the kfunc bpf_stream_print_stack with one
 * argument (Linux 7.2, 7.3; the verifier supplies the program)? */
bool kp_has_print_stack(void);

/* Does a native stream write land? 0 when a program's kfunc call returned 0
 * and the text was read back; else -errno: -EOPNOTSUPP without a kfunc, the
 * kfunc's own result (-ENOMEM, -ENOSPC, ...), or the load error. */
int kp_native_write(void);

/* One sentence for a skip: what this kernel lacks for native streams, e.g.
 * "no stream kfunc in this kernel's BTF (Linux 6.1.0-57-amd64)" or "native
 * stream writes fail on this kernel (-ENOMEM, Linux 6.18.0)"; "" when a
 * native write lands. */
const char *kp_native_write_why(void);

/* "Linux RELEASE" of the running kernel. */
const char *kp_kernel(void);

/* In a Criterion test: skip, with the true reason, where the kernel lacks
 * the stream read command. */
#define KP_NEED_STREAM_READ()								\
	do {										\
		if (!kp_has_stream_read())						\
			cr_skip_test("%s has no BPF_PROG_STREAM_READ_BY_FD (6.17+): the "	\
				     "kernel refuses the command (-EINVAL), the library "	\
				     "answers -EOPNOTSUPP", kp_kernel());			\
	} while (0)

#endif /* __KERNEL_PROBE_H */
