// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A BPF ring buffer map as memory: the consumer page, the producer page and
 * the data pages, mapped the way the kernel lays them out (the data twice,
 * back to back, so a record that wraps reads as one piece). libbpf's
 * ring_buffer__*() always consume; a reader of libbpf-stream may be a tap
 * (it reads without consuming, because another process consumes the ring),
 * so the positions are handled here.
 *
 * Positions are byte counts that only grow. Records sit between the
 * consumer position and the producer position, each behind an 8-byte
 * header whose length word carries BPF_RINGBUF_BUSY_BIT until the writer
 * commits it and BPF_RINGBUF_DISCARD_BIT if it discarded it. The producer
 * never writes over bytes the consumer has not passed, but it does write
 * over bytes the consumer passed: a tap, which reads behind the consumer,
 * checks after each copy that the producer has not come round to it.
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "stream_internal.h"

static inline __u64 load_acquire(const void *p)
{
	return __atomic_load_n((const __u64 *)p, __ATOMIC_ACQUIRE);
}

static inline __u32 load_acquire32(const void *p)
{
	return __atomic_load_n((const __u32 *)p, __ATOMIC_ACQUIRE);
}

/* The copy's loads come before the producer position's load. ThreadSanitizer
 * has no fences (its builds check races, and the ring is kernel memory it
 * does not see): a compiler barrier there. */
static inline void read_fence(void)
{
#if defined(__SANITIZE_THREAD__)
	__asm__ __volatile__("" ::: "memory");
#else
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
#endif
}

int bs_ringmap__open(struct bs_ringmap *m, int map_fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_RINGBUF || !info.max_entries ||
	    (info.max_entries & (info.max_entries - 1)))
		return -EINVAL;
	m->page = page > 0 ? (size_t)page : 4096;
	m->size = info.max_entries;
	m->mask = m->size - 1;
	/* The consumer page writable where the fd allows it (a tap that
	 * becomes the consumer moves the position), else read-only. */
	p = mmap(NULL, m->page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED) {
		p = mmap(NULL, m->page, PROT_READ, MAP_SHARED, map_fd, 0);
		if (p == MAP_FAILED)
			return -errno;
	} else {
		m->writable = true;
	}
	m->cons = p;
	/* producer page + data twice; the kernel refuses write access */
	p = mmap(NULL, m->page + 2 * m->size, PROT_READ, MAP_SHARED, map_fd, m->page);
	if (p == MAP_FAILED) {
		int err = -errno;

		munmap(m->cons, m->page);
		m->cons = NULL;
		return err;
	}
	m->prod = p;
	m->data = (char *)p + m->page;
	m->fd = map_fd;
	return 0;
}

void bs_ringmap__close(struct bs_ringmap *m)
{
	if (m->cons)
		munmap(m->cons, m->page);
	if (m->prod)
		munmap(m->prod, m->page + 2 * m->size);
	if (m->fd >= 0)
		close(m->fd);
	memset(m, 0, sizeof(*m));
	m->fd = -1;
}

__u64 bs_ringmap__prod_pos(const struct bs_ringmap *m)
{
	return load_acquire(m->prod);
}

__u64 bs_ringmap__cons_pos(const struct bs_ringmap *m)
{
	return load_acquire(m->cons);
}

int bs_ringmap__set_cons_pos(struct bs_ringmap *m, __u64 pos)
{
	if (!m->writable)
		return -EPERM;
	__atomic_store_n((__u64 *)m->cons, pos, __ATOMIC_RELEASE);
	return 0;
}

int bs_ringmap__peek(const struct bs_ringmap *m, __u64 pos, __u64 limit, struct bs_ringmap_rec *rec)
{
	__u32 len;

	if (pos >= limit)
		return -ENOENT;
	len = load_acquire32(m->data + (pos & m->mask));
	if (len & BPF_RINGBUF_BUSY_BIT)
		return -EAGAIN;
	rec->discarded = len & BPF_RINGBUF_DISCARD_BIT;
	len &= ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
	rec->data = m->data + (pos & m->mask) + BPF_RINGBUF_HDR_SZ;
	rec->len = len;
	rec->next = pos + ((len + BPF_RINGBUF_HDR_SZ + 7) & ~7ULL);
	/* a length that runs past the producer is no record (a tap that
	 * read a header the producer was writing over) */
	if (len > m->size || rec->next > limit)
		return -EBADMSG;
	return 0;
}

bool bs_ringmap__intact(const struct bs_ringmap *m, __u64 pos)
{
	/* The bytes at @pos share their place with those at pos + size. A
	 * reservation writes its header at the producer position before it
	 * moves the position past it, and its data after: while the producer
	 * position is below pos + size, nothing was written there yet. */
	read_fence();
	return bs_ringmap__prod_pos(m) < pos + m->size;
}
