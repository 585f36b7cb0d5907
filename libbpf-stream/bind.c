// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Binding bpf_stream.h's kfunc extern of one object to the running kernel.
 *
 * bpf_stream.h declares one weak extern per shape the stream kfunc has had,
 * each under a libbpf "flavour" name (the kernel's name, "___", the number
 * of arguments), never under a kernel name:
 *   bpf_stream_vprintk___v4        7.x   bpf_stream_vprintk, 4 arguments
 *   bpf_stream_vprintk___v5        6.17  bpf_stream_vprintk, 5 arguments
 *   bpf_stream_vprintk_impl___v5   6.18  bpf_stream_vprintk_impl, 5 arguments
 * (each + "_UNIT" in a file built with -DBPF_STREAM_UNIT=UNIT, so that files
 * linked into one object declare distinct externs).
 * So a kernel whose kfunc has another prototype can never make libbpf refuse
 * the object ("func_proto incompatible with kernel"): libbpf >= 1.3 resolves
 * each flavour to the kernel's name and leaves a weak one whose prototype
 * differs unresolved; libbpf 1.1 and 1.2 know no flavours and leave them all
 * unresolved (NULL, their calls dead code).
 *
 * For those older libbpf versions bpf_stream_prepare() binds the externs
 * that fit the kernel (same kfunc name, same number of arguments, as the
 * probe found them): it ends the extern's name in the object's BTF right
 * before its "___" suffix, in place (compat_libbpf.c, which says when that
 * can go); libbpf 1.1/1.2 look externs up by that BTF name when the object
 * is loaded (checked on every kernel of the README's table). The other
 * flavours keep names the kernel does not have and stay NULL.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "stream_internal.h"

#define BS_KFUNC_PREFIX "bpf_stream_vprintk"

/* libbpf >= 1.3 resolves a kfunc extern named foo___flavour to the kernel's
 * foo (libbpf commit "Support triple-underscore flavors for kfunc
 * relocation", 2023). */
bool bs_libbpf_resolves_flavours(void)
{
	return libbpf_major_version() > 1 ||
	       (libbpf_major_version() == 1 && libbpf_minor_version() >= 3);
}

/* Length of @name without its "___flavour" suffix. */
static size_t essential_len(const char *name)
{
	const char *sep = strstr(name, "___");

	return sep ? (size_t)(sep - name) : strlen(name);
}

int bs_bind_kfunc(struct bpf_object *obj, const struct bs_kernel *k, const char **why)
{
	struct btf *btf = bpf_object__btf(obj);
	size_t want_len = k->kfunc_name ? strlen(k->kfunc_name) : 0;
	int seen = 0, fit = 0;
	__u32 id, n;

	*why = NULL;
	if (!btf)
		return 0;	/* no BTF: no kfunc externs either */
	n = btf__type_cnt(btf);
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_type *proto;
		const char *name;

		if (!t || !btf_is_func(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (!name || strncmp(name, BS_KFUNC_PREFIX, sizeof(BS_KFUNC_PREFIX) - 1))
			continue;
		proto = btf__type_by_id(btf, t->type);
		if (!proto || !btf_is_func_proto(proto))
			continue;
		seen++;
		if (!k->kfunc_name || essential_len(name) != want_len ||
		    strncmp(name, k->kfunc_name, want_len) || btf_vlen(proto) != k->kfunc_nr_args)
			continue;
		fit++;
		if (name[want_len] && !bs_libbpf_resolves_flavours()) {
			pr_debug("binding extern %s to the kernel's %s\n", name, k->kfunc_name);
			bs_compat_btf_cut_name(btf, t->name_off, want_len);
		}
	}
	if (seen && !fit) {
		*why = "the object's bpf_stream.h declares no extern that fits this kernel's stream kfunc (rebuild it with this libbpf-stream's bpf_stream.h)";
		return -ENOENT;
	}
	return 0;	/* bound, or the object never calls a stream kfunc */
}
