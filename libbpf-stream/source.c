// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bs_source_read(): one read of a program's stream from whichever transport
 * carries it.
 *
 *  - program of a ring-transport instance (found from the kernel by
 *    discovery.c, whoever loaded it): the text of its next queued
 *    ring message (one larger than the caller's buffer is handed out over
 *    several calls), followed by the messages after it while they fit whole
 *    and carry no metadata; metadata from the first (timestamp, TRUNCATED);
 *  - the same, stream stderr, when the kernel has native streams: once the
 *    ring queue is empty, the native stderr too, because the kernel's own
 *    error reports (may_goto timeouts, deadlocks, arena faults) exist only
 *    there;
 *  - anything else: one native read (bpf_stream_read()).
 *
 * @meta (may be NULL for a single read): its limit, kept across the reads of one drain, bounds
 * a ring drain by what was queued when it began (bs_ring__read()). A
 * program of a native instance that another process reads gives -EBUSY
 * (consumer.c): a native read would take that process's lines.
 */
#include "stream_internal.h"

int bs_source_read(int prog_fd, __u32 prog_id, __u32 stream_id, void *buf, size_t len,
		   struct bs_source_meta *meta)
{
	struct bs_source_meta one = {};
	struct bs_tport *t;
	int n, idx = -1;

	/* no meta: one read, bounded by the producer position now */
	if (!meta)
		meta = &one;
	bs_source_meta__next(meta);
	if (len > 0x7fffffff)
		len = 0x7fffffff;
	t = bs_tport__get(prog_fd, prog_id, &idx);
	if (t) {
		bool ring = bs_tport__transport(t) == BPF_STREAM_TRANSPORT_RINGBUF;
		bool native_stderr;

		/* native reads are destructive: another process's lines are
		 * not taken unless this one took over */
		if (!ring && !meta->limit && bs_tport__role(t) == BS_ROLE_REFUSED) {
			bs_tport__put(t);
			return -EBUSY;
		}
		n = bs_tport__ring_read(t, idx, stream_id, buf, len, meta);
		native_stderr = bs_tport__native_stderr(t);
		bs_tport__put(t);
		if (n != -ENOENT) {
			if (n != 0 || stream_id != BPF_STDERR || !native_stderr)
				return n;
		}
		/* a program of a ring-transport object that is not on its
		 * ring: nothing to read where the kernel has no streams */
		n = bpf_stream_read(prog_fd, stream_id, buf, (__u32)len);
		return n == -EOPNOTSUPP && ring ? 0 : n;
	}
	return bpf_stream_read(prog_fd, stream_id, buf, (__u32)len);
}
