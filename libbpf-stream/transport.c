// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Transport choice, object registry and drop counters (first cut: native only). */
#include "stream_internal.h"

struct bs_object *bs_object_find_prog(__u32 prog_id)
{
	return NULL;
}

struct bs_object *bs_object_find(const struct bpf_object *obj)
{
	return NULL;
}

const char *bs_object_prog_name(struct bs_object *o, __u32 prog_id)
{
	return NULL;
}

const char *bs_object_name(struct bs_object *o)
{
	return "";
}

int bs_object_ring_epoll_fd(struct bs_object *o)
{
	return -1;
}

int bs_object_dropped(struct bs_object *o, __u32 stream_id, __u64 *count)
{
	return bs_err(-ENOENT);
}
