// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bs_source_read(): one read of a program's stream from whichever transport
 * carries it.
 *
 *  - program of a prepared ring-buffer object: the text of its next queued
 *    ring message (one larger than the caller's buffer is handed out over
 *    several calls), followed by the messages after it while they fit whole
 *    and carry no metadata; metadata from the first (timestamp, TRUNCATED);
 *  - the same, stream stderr, when the kernel has native streams: once the
 *    ring queue is empty, the native stderr too, because the kernel's own
 *    error reports (may_goto timeouts, deadlocks, arena faults) exist only
 *    there;
 *  - anything else: one native read (bpf_stream_read()).
 */
#include "stream_internal.h"

int bs_source_read(int prog_fd, __u32 prog_id, __u32 stream_id, void *buf, size_t len,
		   struct bs_source_meta *meta)
{
	struct bs_object *o;
	int n;

	if (meta)
		memset(meta, 0, sizeof(*meta));
	if (len > 0x7fffffff)
		len = 0x7fffffff;
	o = bs_object_find_prog(prog_id);
	if (o) {
		n = bs_object_ring_read(o, prog_id, stream_id, buf, len, meta);
		if (n != -ENOENT) {
			if (n != 0 || stream_id != BPF_STDERR || !bs_object_native_stderr(o))
				return n;
		}
	}
	return bpf_stream_read(prog_fd, stream_id, buf, (__u32)len);
}
