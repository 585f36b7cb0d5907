// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Probes of the running kernel (kernel_probe.h). */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "kernel_probe.h"
#include "stream_fd_contract.h"	/* libbpf-stream/: header-only, no library state */

/* The command and its attr, for UAPI headers older than 6.17. */
#define KP_PROG_STREAM_READ_BY_FD 37
struct kp_stream_read_attr {
	__u64 stream_buf;
	__u32 stream_buf_len;
	__u32 stream_id;
	__u32 prog_fd;
};

/* Linux 7.4's stream fd command as the library and kernel-patch/ spell it
 * (stream_fd.h: number, attr and flag are the project's guess of upstream's
 * UAPI, which no distribution header has yet). */
#define KP_PROG_STREAM_OPEN 39
#define KP_F_STREAM_NONBLOCK (1U << 0)
struct kp_stream_open_attr {
	__u32 prog_fd;
	__u32 stream_id;
	__u32 flags;
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool has_read, has_open;
static int open_err;
static const char *kfunc;
static int kfunc_btf_id, kfunc_args;
static bool has_print_stack;
static int write_err;
static char kernel[128], why[256], open_why[128];

static int raw_read(int prog_fd, __u32 stream_id, void *buf, __u32 len)
{
	struct kp_stream_read_attr attr;
	long ret;

	/* the kernel refuses non-zero bytes after prog_fd: padding included */
	memset(&attr, 0, sizeof(attr));
	attr.stream_buf = (unsigned long)buf;
	attr.stream_buf_len = len;
	attr.stream_id = stream_id;
	attr.prog_fd = prog_fd;
	ret = syscall(__NR_bpf, KP_PROG_STREAM_READ_BY_FD, &attr,
		      offsetof(struct kp_stream_read_attr, prog_fd) + sizeof(attr.prog_fd));

	return ret < 0 ? -errno : (int)ret;
}

static int load_trivial(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "kp_trivial", "GPL", insns, 2, NULL);

	return fd < 0 ? -errno : fd;
}

/* An empty stream of a loaded program reads 0 bytes where the command
 * exists; without it the kernel refuses the command with -EINVAL. */
static bool probe_read(void)
{
	char buf[8];
	int fd = load_trivial(), n;

	if (fd < 0)
		return false;
	n = raw_read(fd, 1, buf, sizeof(buf));
	close(fd);
	return n >= 0;
}

static int raw_open(int prog_fd, __u32 stream_id, __u32 flags)
{
	struct kp_stream_open_attr attr = { prog_fd, stream_id, flags };
	int fd = syscall(__NR_bpf, KP_PROG_STREAM_OPEN, &attr, sizeof(attr));

	return fd < 0 ? -errno : fd;
}

/* The stream fd's whole contract, checked the same way as the library's
 * probe does (stream_fd_contract.h: refusals as upstream's, then an empty
 * stream's fd: anon_inode:bpf-stream, read-only, close-on-exec and
 * non-blocking to fcntl(), write EBADF, lseek ESPIPE, not ready to poll,
 * read -EAGAIN, then POLLHUP and end of file once the program is freed),
 * but through this file's own bpf(2) call and constants. A kernel without
 * the command refuses it with -EINVAL, which the first open tells. */
static bool probe_open(void)
{
	const char *bad;
	int fd = load_trivial(), sfd;

	if (fd < 0) {
		open_err = fd;
		return false;
	}
	sfd = raw_open(fd, 1, KP_F_STREAM_NONBLOCK);
	close(fd);
	if (sfd < 0) {
		open_err = sfd;
		return false;
	}
	close(sfd);
	bad = bs_sfd_check_contract(raw_open, KP_F_STREAM_NONBLOCK);
	open_err = bad ? -EPROTO : 0;
	if (bad)
		snprintf(open_why, sizeof(open_why), "%s", bad);
	return !open_err;
}

/* Which kfunc may a program call? 7.x has both a four-argument
 * bpf_stream_vprintk and a bpf_stream_vprintk_impl whose last argument is a
 * struct bpf_prog_aux * that only the verifier supplies: prefer the former. */
static void probe_kfunc(void)
{
	static const char *const names[] = { "bpf_stream_vprintk", "bpf_stream_vprintk_impl" };
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_type *t;
	size_t i;
	int ps_id;

	if (!btf)
		return;
	ps_id = btf__find_by_name_kind(btf, "bpf_stream_print_stack", BTF_KIND_FUNC);
	t = ps_id > 0 ? btf__type_by_id(btf, btf__type_by_id(btf, ps_id)->type) : NULL;
	has_print_stack = t && btf_is_func_proto(t) && btf_vlen(t) == 1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int id = btf__find_by_name_kind(btf, names[i], BTF_KIND_FUNC);
		const struct btf_type *t;

		if (id <= 0)
			continue;
		t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
		if (!t || !btf_is_func_proto(t))
			continue;
		kfunc = names[i];
		kfunc_btf_id = id;
		kfunc_args = btf_vlen(t);
		break;
	}
	btf__free(btf);
}

/* A syscall program calls the kfunc with "%d\n" and 7, then the stream is
 * read back with the raw command. */
static int probe_write(void)
{
	static const char fmt[8] = "%d\n";
	LIBBPF_OPTS(bpf_map_create_opts, mopts, .map_flags = BPF_F_RDONLY_PROG);
	LIBBPF_OPTS(bpf_prog_load_opts, popts, .prog_flags = BPF_F_SLEEPABLE);
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	struct bpf_insn insns[16];
	int map_fd, prog_fd = -1, n = 0, err;
	__u32 key = 0;
	char buf[16];

	if (!kfunc)
		return -EOPNOTSUPP;
	map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "kp_fmt", 4, sizeof(fmt), 1, &mopts);
	if (map_fd < 0)
		return -errno;
	if (bpf_map_update_elem(map_fd, &key, fmt, 0) || bpf_map_freeze(map_fd)) {
		err = -errno;
		goto out;
	}
	insns[n++] = (struct bpf_insn){ .code = BPF_ST | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_10,
					.off = -8, .imm = 7 };
	insns[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1,
					.imm = 1 /* stdout */ };
	insns[n++] = (struct bpf_insn){ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_2,
					.src_reg = BPF_PSEUDO_MAP_VALUE, .imm = map_fd };
	insns[n++] = (struct bpf_insn){ 0 };
	insns[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_3,
					.src_reg = BPF_REG_10 };
	insns[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_3,
					.imm = -8 };
	insns[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_4,
					.imm = 8 };
	if (kfunc_args >= 5)
		insns[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K,
						.dst_reg = BPF_REG_5 };
	insns[n++] = (struct bpf_insn){ .code = BPF_JMP | BPF_CALL, .src_reg = BPF_PSEUDO_KFUNC_CALL,
					.imm = kfunc_btf_id };
	insns[n++] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
	prog_fd = bpf_prog_load(BPF_PROG_TYPE_SYSCALL, "kp_write", "GPL", insns, n, &popts);
	if (prog_fd < 0) {
		err = -errno;
		goto out;
	}
	if (bpf_prog_test_run_opts(prog_fd, &topts)) {
		err = -errno;
		goto out;
	}
	err = (int)topts.retval;
	if (err > 0)
		err = -EIO;
	if (!err) {
		n = raw_read(prog_fd, 1, buf, sizeof(buf));
		if (n != 2 || memcmp(buf, "7\n", 2))
			err = n < 0 ? n : -EIO;
	}
out:
	if (prog_fd >= 0)
		close(prog_fd);
	close(map_fd);
	return err;
}

static void probe_all(void)
{
	struct utsname u;

	snprintf(kernel, sizeof(kernel), "Linux %s", uname(&u) ? "?" : u.release);
	has_read = probe_read();
	has_open = probe_open();
	probe_kfunc();
	write_err = probe_write();
	if (!kfunc)
		snprintf(why, sizeof(why), "no stream kfunc in this kernel's BTF (%s)", kernel);
	else if (write_err)
		snprintf(why, sizeof(why), "native stream writes fail on this kernel (%s/%d: %s, %s)",
			 kfunc, kfunc_args, strerror(-write_err), kernel);
	else
		why[0] = '\0';
}

bool kp_has_stream_read(void)
{
	pthread_once(&once, probe_all);
	return has_read;
}

bool kp_has_print_stack(void)
{
	pthread_once(&once, probe_all);
	return has_print_stack;
}

bool kp_has_stream_open(void)
{
	pthread_once(&once, probe_all);
	return has_open;
}

int kp_stream_open_err(void)
{
	pthread_once(&once, probe_all);
	return open_err;
}

const char *kp_stream_open_why(void)
{
	pthread_once(&once, probe_all);
	return open_why;
}

const char *kp_stream_kfunc(int *nr_args)
{
	pthread_once(&once, probe_all);
	if (nr_args)
		*nr_args = kfunc_args;
	return kfunc;
}

int kp_native_write(void)
{
	pthread_once(&once, probe_all);
	return write_err;
}

const char *kp_native_write_why(void)
{
	pthread_once(&once, probe_all);
	return why;
}

const char *kp_kernel(void)
{
	pthread_once(&once, probe_all);
	return kernel;
}
