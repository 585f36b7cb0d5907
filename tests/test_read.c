// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf_stream_read() and bpf_prog_stream_read() against the real kernel
 * (environment.md's measured answers), with a trivial socket filter loaded
 * through bpf_prog_load(). syscall() is interposed (this binary's definition
 * wins over libc's in the static link) to see exactly what reaches bpf(2).
 * Tests of the kernel's answers skip on kernels without the read command
 * (before 6.17), where read::absent_command_is_eopnotsupp checks the real
 * answer instead.
 */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "cons_helpers.h"
#include "kernel_probe.h"

/* ---- syscall interposition ------------------------------------------------ */

static int bpf_calls;
static bool fake_old_kernel;	/* answer the read command like a kernel without it */
static struct bs_stream_read_attr last_attr;
static unsigned long last_size;

long syscall(long nr, ...)
{
	static long (*real)(long, ...);
	long a[6];
	va_list ap;
	int i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!real)
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	if (nr == __NR_bpf && a[0] == BPF_PROG_STREAM_READ_BY_FD) {
		bpf_calls++;
		last_size = (unsigned long)a[2];
		memcpy(&last_attr, (void *)a[1], sizeof(last_attr) < last_size ? sizeof(last_attr)
									  : last_size);
		if (fake_old_kernel) {
			errno = EINVAL;
			return -1;
		}
	}
	return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* ---- fixtures ------------------------------------------------------------ */

static int prog_fd = -1;
static int saved_stdout = -1;
static char out_path[] = "/tmp/cons_read_stdout.XXXXXX";

static void setup(void)
{
	int fd;

	prog_fd = cons_load_trivial_prog();
	if (prog_fd < 0)
		cr_skip_test("cannot load a BPF program (%d): needs root and bpf(2)", prog_fd);
	/* Capture stdout: the library must never write there. */
	fflush(stdout);
	fd = mkstemp(out_path);
	cr_assert_geq(fd, 0);
	saved_stdout = dup(1);
	dup2(fd, 1);
	close(fd);
}

static void teardown(void)
{
	char *text;
	size_t len = 0;

	if (saved_stdout >= 0) {
		fflush(stdout);
		dup2(saved_stdout, 1);
		close(saved_stdout);
		text = cons_read_file(out_path, &len);
		unlink(out_path);
		cr_expect_eq(len, 0, "library wrote %zu bytes to stdout: %s", len, text);
		free(text);
	}
	if (prog_fd >= 0)
		close(prog_fd);
}

TestSuite(read, .init = setup, .fini = teardown);

Test(read, empty_streams_read_zero)
{
	char buf[64];

	KP_NEED_STREAM_READ();
	cr_assert_eq(bpf_stream_read(prog_fd, BPF_STDOUT, buf, sizeof(buf)), 0);
	cr_assert_eq(bpf_stream_read(prog_fd, BPF_STDERR, buf, sizeof(buf)), 0);
	cr_assert_eq(last_size, 20, "attr size ends at prog_fd: %lu", last_size);
	cr_assert_eq(last_attr.prog_fd, (__u32)prog_fd);
	cr_assert_eq(last_attr.stream_buf_len, sizeof(buf));
}

Test(read, bad_stream_ids_are_enoent)
{
	char buf[8];
	__u32 ids[] = { 0, 3, 1000, 0xffffffff };
	size_t i;

	KP_NEED_STREAM_READ();
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		errno = 0;
		cr_assert_eq(bpf_stream_read(prog_fd, ids[i], buf, sizeof(buf)), -ENOENT,
			     "stream %u", ids[i]);
		cr_assert_eq(errno, ENOENT);
	}
}

Test(read, bad_fds)
{
	char buf[8], path[] = "/tmp/cons_read_file.XXXXXX";
	int map_fd = cons_create_map(), file_fd, closed_fd;

	KP_NEED_STREAM_READ();
	errno = 0;
	cr_assert_eq(bpf_stream_read(9999, BPF_STDOUT, buf, sizeof(buf)), -EBADF);
	cr_assert_eq(errno, EBADF);

	cr_assert_geq(map_fd, 0, "map: %d", map_fd);
	cr_assert_eq(bpf_stream_read(map_fd, BPF_STDOUT, buf, sizeof(buf)), -EINVAL);
	cr_assert_eq(errno, EINVAL);
	close(map_fd);

	file_fd = mkstemp(path);
	cr_assert_geq(file_fd, 0);
	unlink(path);
	cr_assert_eq(bpf_stream_read(file_fd, BPF_STDOUT, buf, sizeof(buf)), -EINVAL);
	close(file_fd);

	closed_fd = dup(prog_fd);
	close(closed_fd);
	cr_assert_eq(bpf_stream_read(closed_fd, BPF_STDOUT, buf, sizeof(buf)), -EBADF);
	cr_assert_eq(bpf_stream_read(-1, BPF_STDOUT, buf, sizeof(buf)), -EBADF);
}

Test(read, null_buffer_is_efault_without_syscall)
{
	int calls = bpf_calls;

	errno = 0;
	cr_assert_eq(bpf_stream_read(prog_fd, BPF_STDOUT, NULL, 16), -EFAULT);
	cr_assert_eq(errno, EFAULT);
	cr_assert_eq(bpf_calls, calls, "no bpf(2) call for a NULL buffer");
	KP_NEED_STREAM_READ();
	calls = bpf_calls; /* the probe's own read counted */
	/* NULL with length 0 is a plain (empty) read */
	cr_assert_eq(bpf_stream_read(prog_fd, BPF_STDOUT, NULL, 0), 0);
	cr_assert_eq(bpf_calls, calls + 1);
}

Test(read, zero_length_reads_zero)
{
	char buf[1];

	KP_NEED_STREAM_READ();
	cr_assert_eq(bpf_stream_read(prog_fd, BPF_STDERR, buf, 0), 0);
	cr_assert_eq(last_attr.stream_buf_len, 0);
}

Test(read, huge_length_is_clamped_to_int_max)
{
	char buf[16];
	__u32 lens[] = { (__u32)INT_MAX + 1, 0xfffffffeU, 0xffffffffU };
	size_t i;

	KP_NEED_STREAM_READ();
	for (i = 0; i < 3; i++) {
		/* the stream is empty: the kernel copies nothing, whatever buf's size */
		int ret = bpf_stream_read(prog_fd, BPF_STDOUT, buf, lens[i]);

		cr_assert_eq(ret, 0, "len %u: %d", lens[i], ret);
		cr_assert_eq(last_attr.stream_buf_len, (__u32)INT_MAX,
			     "len %u reached the kernel as %u", lens[i], last_attr.stream_buf_len);
	}
	bpf_stream_read(prog_fd, BPF_STDOUT, buf, INT_MAX);
	cr_assert_eq(last_attr.stream_buf_len, (__u32)INT_MAX, "INT_MAX itself passes unchanged");
}

#ifdef LIBBPF_STREAM_PROVIDES_PROG_STREAM_READ
Test(read, libbpf_compat_prog_stream_read)
{
	LIBBPF_OPTS(bpf_prog_stream_read_opts, opts);
	struct {
		struct bpf_prog_stream_read_opts o;
		long extra;
	} big = { .o.sz = sizeof(big), .extra = 1 };
	char buf[8];

	KP_NEED_STREAM_READ();
	cr_assert_eq(bpf_prog_stream_read(prog_fd, BPF_STDOUT, buf, sizeof(buf), NULL), 0);
	cr_assert_eq(bpf_prog_stream_read(prog_fd, BPF_STDOUT, buf, sizeof(buf), &opts), 0);
	cr_assert_eq(bpf_prog_stream_read(prog_fd, 0, buf, sizeof(buf), &opts), -ENOENT);
	errno = 0;
	cr_assert_eq(bpf_prog_stream_read(prog_fd, BPF_STDOUT, buf, sizeof(buf), &big.o), -EINVAL,
		     "unknown non-zero opts tail is refused");
	cr_assert_eq(errno, EINVAL);
}
#endif

Test(read, kernel_without_the_command_is_eopnotsupp)
{
	char buf[8];
	int map_fd = cons_create_map();

	fake_old_kernel = true;
	errno = 0;
	cr_assert_eq(bpf_stream_read(prog_fd, BPF_STDOUT, buf, sizeof(buf)), -EOPNOTSUPP,
		     "a program fd refused with EINVAL: the command is missing");
	cr_assert_eq(errno, EOPNOTSUPP);
	cr_assert_eq(bpf_stream_read(map_fd, BPF_STDOUT, buf, sizeof(buf)), -EINVAL,
		     "a map fd stays -EINVAL");
	fake_old_kernel = false;
	close(map_fd);
}

/* The real answer of a kernel without the command (6.1 to 6.16): the kernel
 * refuses it with -EINVAL, the library tells a program fd (-EOPNOTSUPP: the
 * command is missing) from any other fd (-EINVAL stays). */
Test(read, absent_command_is_eopnotsupp)
{
	char buf[8];
	int map_fd;

	if (kp_has_stream_read())
		cr_skip_test("%s has the read command: read::kernel_without_the_command_is_eopnotsupp "
			     "covers this answer with a simulated kernel", kp_kernel());
	map_fd = cons_create_map();
	cr_assert_geq(map_fd, 0);
	errno = 0;
	cr_assert_eq(bpf_stream_read(prog_fd, BPF_STDOUT, buf, sizeof(buf)), -EOPNOTSUPP);
	cr_assert_eq(errno, EOPNOTSUPP);
	cr_assert_eq(bpf_stream_read(prog_fd, BPF_STDERR, buf, sizeof(buf)), -EOPNOTSUPP);
	cr_assert_eq(bpf_stream_read(map_fd, BPF_STDOUT, buf, sizeof(buf)), -EINVAL);
	cr_assert_eq(errno, EINVAL);
	close(map_fd);
}
