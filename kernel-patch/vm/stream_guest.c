// SPDX-License-Identifier: GPL-2.0
/*
 * Guest test of the patched 7.2 (make -C kernel-patch vm-test): run in a
 * QEMU guest booted from the bzImage of the series.
 *
 *   stream_guest refund   4000 writes of 54 bytes in one run; prints the
 *                         counts; fails if -ENOSPC came before the stream
 *                         really held capacity - 54 bytes (upstream's
 *                         bd2466ed8fc2, in 7.3; the rebased series no longer
 *                         carries it, so the patched 7.2.13 fails this too)
 *   stream_guest poll     BPF_PROG_STREAM_OPEN (patch 2): refusals, a
 *                         non-blocking fd, no POLLIN when empty, POLLIN
 *                         after a write, read(2), POLLHUP and EOF once the
 *                         program is freed
 *
 * Prints "PASS name" or "FAIL name: why" lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* 7.2's UAPI, absent from bookworm's headers */
#define CMD_PROG_STREAM_READ_BY_FD	37
#define CMD_PROG_STREAM_OPEN		39	/* patch 2 */
#define F_STREAM_NONBLOCK		(1U << 0)
#define F_RDONLY			(1U << 3)	/* BPF_F_RDONLY */

struct stream_read_attr {
	__u64 stream_buf;
	__u32 stream_buf_len;
	__u32 stream_id;
	__u32 prog_fd;
};

struct stream_open_attr {
	__u32 prog_fd;
	__u32 stream_id;
	__u32 flags;
};

static int failures;

#define CHECK(cond, name, ...) do {					\
	if (cond) {							\
		printf("PASS %s\n", name);				\
	} else {							\
		printf("FAIL %s: ", name);				\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		failures++;						\
	}								\
} while (0)

static int stream_read(int prog_fd, void *buf, __u32 len)
{
	struct stream_read_attr a = {
		.stream_buf = (__u64)(unsigned long)buf,
		.stream_buf_len = len,
		.stream_id = 1,
		.prog_fd = prog_fd,
	};

	return syscall(__NR_bpf, CMD_PROG_STREAM_READ_BY_FD, &a, sizeof(a));
}

static int stream_open(int prog_fd, __u32 stream_id, __u32 flags)
{
	struct stream_open_attr a = { prog_fd, stream_id, flags };

	return syscall(__NR_bpf, CMD_PROG_STREAM_OPEN, &a, sizeof(a));
}

static int run(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);

	return err ? err : (int)opts.retval;
}

static struct bpf_object *open_obj(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);

	if (!obj || bpf_object__load(obj)) {
		printf("FAIL load %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return obj;
}

static int *bss_int(struct bpf_object *obj, const char *name)
{
	static char bss[64];
	struct bpf_map *map;
	int key = 0;

	/* libbpf names it after the object: "<prefix>.bss" */
	bpf_object__for_each_map(map, obj) {
		const char *n = bpf_map__name(map);

		if (strlen(n) >= 4 && !strcmp(n + strlen(n) - 4, ".bss"))
			break;
	}

	if (!map || bpf_map_lookup_elem(bpf_map__fd(map), &key, bss))
		return NULL;
	/* declaration order of ok_cnt, enomem_cnt, enospc_cnt, other_cnt */
	if (!strcmp(name, "ok"))
		return (int *)bss;
	if (!strcmp(name, "enomem"))
		return (int *)bss + 1;
	if (!strcmp(name, "enospc"))
		return (int *)bss + 2;
	return (int *)bss + 3;
}

static void test_refund(const char *path)
{
	struct bpf_object *obj = open_obj(path);
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, "refund");
	int ok, enomem, enospc, other, n, total = 0;
	char buf[4096];

	CHECK(run(prog) == 0, "refund run", "%s", strerror(errno));
	ok = *bss_int(obj, "ok");
	enomem = *bss_int(obj, "enomem");
	enospc = *bss_int(obj, "enospc");
	other = *bss_int(obj, "other");
	while ((n = stream_read(bpf_program__fd(prog), buf, sizeof(buf))) > 0)
		total += n;
	printf("refund: %d ok, %d -ENOMEM, %d -ENOSPC, %d other; %d bytes read\n",
	       ok, enomem, enospc, other, total);
	CHECK(ok + enomem + enospc == 4000 && !other, "refund counts", "other %d", other);
	CHECK(total == ok * 54, "refund bytes", "read %d, expected %d", total, ok * 54);
	/* a 54-byte write may be refused only when 99946 bytes are queued */
	CHECK(!enospc || ok * 54 >= 100000 - 54, "refund capacity",
	      "-ENOSPC with only %d bytes queued (%d failed allocations leaked)",
	      ok * 54, enomem);
	if (!enomem)
		printf("SKIP refund: no allocation failed (boot with -cpu max,-cx16)\n");
	bpf_object__close(obj);
}

static void test_poll(const char *path)
{
	struct bpf_object *obj = open_obj(path);
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, "hello");
	int prog_fd = bpf_program__fd(prog), fd, ret;
	struct pollfd pfd = { .events = POLLIN };
	struct timespec t0, t1;
	char buf[64];

	CHECK(stream_open(prog_fd, 1, F_RDONLY) < 0 && errno == EINVAL, "poll flags", "%d",
	      errno);
	CHECK(stream_open(prog_fd, 1, 1U << 31) < 0 && errno == EINVAL, "poll unknown flag",
	      "%d", errno);
	CHECK(stream_open(prog_fd, 3, 0) < 0 && errno == ENOENT, "poll stream id", "%d", errno);
	fd = stream_open(prog_fd, 1, F_STREAM_NONBLOCK);
	if (fd < 0) {
		CHECK(0, "BPF_PROG_STREAM_OPEN", "%s", strerror(errno));
		bpf_object__close(obj);
		return;
	}
	/* never read a blocking fd here: it would hang the guest */
	if (!(fcntl(fd, F_GETFL) & O_NONBLOCK)) {
		CHECK(0, "poll nonblock", "the fd is blocking");
		close(fd);
		bpf_object__close(obj);
		return;
	}
	pfd.fd = fd;
	CHECK(poll(&pfd, 1, 0) == 0, "poll empty", "revents %#x", pfd.revents);
	CHECK(read(fd, buf, sizeof(buf)) == -1 && errno == EAGAIN, "read empty", "%d", errno);
	CHECK(run(prog) == 0, "hello run", "%s", strerror(errno));
	ret = poll(&pfd, 1, 1000);
	CHECK(ret == 1 && pfd.revents == POLLIN, "poll wake-up", "ret %d revents %#x", ret,
	      pfd.revents);
	ret = read(fd, buf, sizeof(buf));
	CHECK(ret == 3 && !memcmp(buf, "foo", 3), "read", "ret %d", ret);
	CHECK(poll(&pfd, 1, 0) == 0, "poll drained", "revents %#x", pfd.revents);

	/* the fd does not keep the program: freeing it hangs up */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bpf_object__close(obj);
	ret = poll(&pfd, 1, 30000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(ret == 1 && (pfd.revents & POLLHUP), "poll hang-up", "ret %d revents %#x", ret,
	      pfd.revents);
	printf("hang-up after %.0f ms\n",
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	CHECK(read(fd, buf, sizeof(buf)) == 0, "read end of file", "%d", errno);
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: stream_guest refund|poll OBJ\n");
		return 2;
	}
	if (!strcmp(argv[1], "refund"))
		test_refund(argv[2]);
	else
		test_poll(argv[2]);
	return failures ? 1 : 0;
}
