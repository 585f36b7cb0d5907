// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bs_source_read(): one read of a program's stream from whichever transport carries it. */
#include "stream_internal.h"

int bs_source_read(int prog_fd, __u32 prog_id, __u32 stream_id, void *buf, size_t len,
		   struct bs_source_meta *meta)
{
	if (meta)
		memset(meta, 0, sizeof(*meta));
	if (len > 0x7fffffff)
		len = 0x7fffffff;
	return bpf_stream_read(prog_fd, stream_id, buf, len);
}
