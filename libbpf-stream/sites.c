// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Call sites: which loaded programs contain each bpf_stream_printk() call
 * site of an object, asked of the kernel.
 *
 * A call site is its format string's .rodata offset from the sentinel
 * bpf_stream_fmt_base (bpf_stream_record.h). A program's translated
 * instructions (BPF_OBJ_GET_INFO_BY_FD xlated_prog_insns) load the .rodata
 * address of every format it prints with, as ld_imm64 BPF_PSEUDO_MAP_VALUE
 * (map id, offset): subtracting the sentinel's offset gives the call sites
 * the program contains, whatever its functions are called (BPF_PROG()
 * bodies, inlined helpers, subprograms libbpf copied into it).
 *
 * Records (ringbuf.c) and drop counts (discovery.c) carry a call site; this
 * table names the program. A site several programs contain (a helper they
 * share) names the first and says how many: the writer cannot be told.
 *
 * Plain data: its owner (a ring, or a native instance) locks it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "stream_internal.h"

static int site_cmp(const void *a, const void *b)
{
	const struct bs_site *x = a, *y = b;

	if (x->site != y->site)
		return x->site < y->site ? -1 : 1;
	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	return x->insn < y->insn ? -1 : x->insn > y->insn;
}

static int sites_push(struct bs_sites *s, __u32 site, __u32 idx, __u32 insn)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		void *p = realloc(s->v, cap * sizeof(*s->v));

		if (!p)
			return -ENOMEM;
		s->v = p;
		s->cap = cap;
	}
	s->v[s->n].site = site;
	s->v[s->n].idx = idx;
	s->v[s->n].nprogs = 1;
	s->v[s->n].insn = insn;
	s->n++;
	return 0;
}

/* Sort, then keep one entry per site: its first program and how many
 * programs contain it (a program may load a site twice). */
static void sites_merge(struct bs_sites *s)
{
	size_t k, n;
	__u32 last;

	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(*s->v), site_cmp);
	last = s->v[0].idx;
	for (k = 1, n = 1; k < s->n; k++) {
		if (s->v[k].site != s->v[n - 1].site) {
			s->v[n++] = s->v[k];
			last = s->v[k].idx;
		} else if (s->v[k].idx != last) {
			s->v[n - 1].nprogs += s->v[k].nprogs;
			last = s->v[k].idx;
		}
	}
	s->n = n;
}

int bs_prog_xlated(int prog_fd, struct bpf_insn **insns, __u32 *ninsns)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info), n;

	*insns = NULL;
	*ninsns = 0;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	n = info.xlated_prog_len / sizeof(**insns);
	if (!n)
		return 0;
	*insns = calloc(n, sizeof(**insns));
	if (!*insns)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = n * sizeof(**insns);
	info.xlated_prog_insns = (__u64)(unsigned long)*insns;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len)) {
		free(*insns);
		*insns = NULL;
		return -errno;
	}
	/* the program may have been replaced in between: the shorter */
	*ninsns = info.xlated_prog_len / sizeof(**insns) < n ?
			  info.xlated_prog_len / sizeof(**insns) : n;
	return 0;
}

int bs_sites__learn(struct bs_sites *s, int prog_fd, __u32 idx, __u32 rodata_id, size_t base)
{
	__u32 ninsns, j;
	struct bpf_insn *insns;
	int err;

	err = bs_prog_xlated(prog_fd, &insns, &ninsns);
	if (err)
		return err;
	for (j = 0; j + 1 < ninsns && !err; j++) {
		__s64 site;

		if (insns[j].code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (insns[j].src_reg == BPF_PSEUDO_MAP_VALUE && (__u32)insns[j].imm == rodata_id) {
			site = (__s64)(__u32)insns[j + 1].imm - (__s64)base;
			if (site && site > INT32_MIN && site <= INT32_MAX)
				err = sites_push(s, (__u32)site, idx, j);
		}
		j++;	/* the second half of ld_imm64 */
	}
	free(insns);
	sites_merge(s);
	return err;
}

__u32 bs_sites__find(const struct bs_sites *s, __u32 site, __u32 *idx)
{
	__u32 insn;

	return bs_sites__find_insn(s, site, idx, &insn);
}

__u32 bs_sites__find_insn(const struct bs_sites *s, __u32 site, __u32 *idx, __u32 *insn)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->v[mid].site == site) {
			*idx = s->v[mid].idx;
			*insn = s->v[mid].insn;
			return s->v[mid].nprogs;
		}
		if (s->v[mid].site < site)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

void bs_sites__clear(struct bs_sites *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}
