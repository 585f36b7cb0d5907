// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Who reads an object's streams: the reading model's registry.
 *
 * A ring buffer has one consumer position and a native stream read is
 * destructive, so one process consumes an object's messages and every
 * other reader is a tap (ring: reads without consuming) or refuses
 * (native: unless told to take over). Every reader must know who that one
 * process is, whichever process it is, so the answer lives in the object
 * itself, in the kernel:
 *
 *  - bpf_stream_owner, a .rodata constant bpf_stream_prepare() writes
 *    before load: the process that prepared the object means to read it,
 *    from its load on (an operator's dump that comes before the
 *    application's first drain must not take the application's lines);
 *  - entry 0 of the drop-counter array (BPF_STREAM_STATS_MAP; the BPF side
 *    never touches it): the process consuming now, written by the library
 *    when it starts to consume and cleared when it lets go.
 *
 * A process is named by its pid and the low 32 bits of its start time
 * (field 22 of /proc/PID/stat, clock ticks after boot), so a recycled pid
 * is not taken for the process that died. A dead process consumes
 * nothing: its entry counts as empty.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "stream_internal.h"
#include "bpf_stream_record.h"

/* Start time of process @pid (clock ticks after boot), or 0. */
static __u64 proc_start(__u32 pid, char *comm, size_t comm_sz)
{
	char path[64], buf[1024], *p, *end;
	unsigned long long start = 0;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* "pid (comm) state ...": comm may hold spaces and parentheses */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	if (comm && comm_sz) {
		char *open_paren = strchr(buf, '(');
		size_t l = open_paren && open_paren < p ? (size_t)(p - open_paren - 1) : 0;

		if (l >= comm_sz)
			l = comm_sz - 1;
		memcpy(comm, open_paren ? open_paren + 1 : "", l);
		comm[l] = '\0';
	}
	/* fields from 3 (state) on, each after one space: stop at field 22 */
	for (field = 3; field <= 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return 0;
		p++;
	}
	start = strtoull(p, &end, 10);
	return end == p ? 0 : start;
}

bool bs_consumer_self(struct bs_consumer *c)
{
	static __thread __u32 cached_pid;
	static __thread __u32 cached_start;
	__u32 pid = (__u32)getpid();

	if (cached_pid != pid) {
		cached_start = (__u32)proc_start(pid, NULL, 0);
		cached_pid = pid;
	}
	c->pid = pid;
	c->start = cached_start;
	return c->start != 0;
}

bool bs_consumer_same(const struct bs_consumer *a, const struct bs_consumer *b)
{
	return a->pid && a->pid == b->pid && a->start == b->start;
}

bool bs_consumer_alive(const struct bs_consumer *c, char *comm, size_t comm_sz)
{
	__u64 start;

	if (!c->pid)
		return false;
	if (kill((pid_t)c->pid, 0) && errno == ESRCH)
		return false;
	start = proc_start(c->pid, comm, comm_sz);
	/* no /proc: the pid alone must do */
	if (!start && access("/proc/self/stat", R_OK))
		return true;
	return start && (__u32)start == c->start;
}

int bs_consumer_read(int stat_fd, struct bs_consumer *c)
{
	struct bpf_stream_consumer v;
	__u32 key = 0;

	memset(c, 0, sizeof(*c));
	if (stat_fd < 0)
		return -ENOENT;
	memset(&v, 0, sizeof(v));
	if (bpf_map_lookup_elem(stat_fd, &key, &v))
		return -errno;
	c->pid = v.pid;
	c->start = v.start;
	return 0;
}

int bs_consumer_write(int stat_fd, const struct bs_consumer *c)
{
	struct bpf_stream_consumer v;
	__u32 key = 0;

	if (stat_fd < 0)
		return -ENOENT;
	memset(&v, 0, sizeof(v));
	if (c) {
		v.pid = c->pid;
		v.start = c->start;
	}
	if (bpf_map_update_elem(stat_fd, &key, &v, BPF_ANY))
		return -errno;
	return 0;
}

__u64 bs_consumer_pack(const struct bs_consumer *c)
{
	return (__u64)c->start << 32 | c->pid;
}

void bs_consumer_unpack(__u64 v, struct bs_consumer *c)
{
	c->pid = (__u32)v;
	c->start = (__u32)(v >> 32);
}
