// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* System helpers: CPU pinning, clocks, test runs, object and map plumbing. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "bench.h"

int bench_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* A 64-byte packet: enough for xdp's Ethernet header check. */
int bench_test_run(int prog_fd, int repeat, __u32 *duration_ns)
{
	char pkt[64] = { [12] = 0x08 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = repeat);
	int err;

	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err)
		return -errno;
	if (duration_ns)
		*duration_ns = opts.duration;
	return 0;
}

/* Set a const volatile variable of the object's .rodata before load, by BTF name. */
int bench_set_rodata(struct bpf_object *obj, const char *var, const void *val, size_t sz)
{
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec, *t;
	struct bpf_map *map;
	struct btf *btf = bpf_object__btf(obj);
	const void *init;
	size_t map_sz;
	char *data;
	int id, i, err;

	if (!btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (id < 0)
		return -ENOENT;
	sec = btf__type_by_id(btf, id);
	bpf_object__for_each_map(map, obj) {
		const char *n = bpf_map__name(map);
		size_t l = strlen(n);

		if (l >= 7 && !strcmp(n + l - 7, ".rodata"))
			break;
	}
	if (!map)
		return -ENOENT;
	init = bpf_map__initial_value(map, &map_sz);
	if (!init)
		return -ENOENT;
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		t = btf__type_by_id(btf, vs->type);
		if (strcmp(btf__name_by_offset(btf, t->name_off), var))
			continue;
		if (vs->size != sz || vs->offset + sz > map_sz)
			return -EINVAL;
		data = malloc(map_sz);
		if (!data)
			return -ENOMEM;
		memcpy(data, init, map_sz);
		memcpy(data + vs->offset, val, sz);
		err = bpf_map__set_initial_value(map, data, map_sz);
		free(data);
		return err;
	}
	return -ENOENT;
}

/* A numeric field of /proc/self/fdinfo/FD ("memlock", "max_entries"), or -errno. */
long bench_fdinfo(int fd, const char *key)
{
	char path[64], line[256];
	size_t kl = strlen(key);
	long v = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtol(line + kl + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

struct discard_ctx {
	__u64 records, bytes;
};

static int discard_cb(void *ctx, void *data, size_t size)
{
	struct discard_ctx *d = ctx;

	d->records++;
	d->bytes = size;
	return 0;
}

/* Consume every record queued in a ring buffer map; counts them and
 * returns the size of the last one (all are the same size here). */
int bench_ring_discard(int map_fd, __u64 *records, __u64 *rec_bytes)
{
	struct discard_ctx d = {};
	struct ring_buffer *rb;
	int err;

	rb = ring_buffer__new(map_fd, discard_cb, &d, NULL);
	if (!rb)
		return -errno;
	err = ring_buffer__consume(rb);
	ring_buffer__free(rb);
	if (err < 0)
		return err;
	if (records)
		*records = d.records;
	if (rec_bytes)
		*rec_bytes = d.bytes;
	return 0;
}

const char *bench_errname(int err)
{
	switch (err) {
	case 0: return "ok";
	case ENOMEM: return "-ENOMEM";
	case ENOSPC: return "-ENOSPC";
	case EINVAL: return "-EINVAL";
	case ENOENT: return "-ENOENT";
	case EBUSY: return "-EBUSY";
	case EOPNOTSUPP: return "-EOPNOTSUPP";
	case E2BIG: return "-E2BIG";
	default: return "-E?";
	}
}
