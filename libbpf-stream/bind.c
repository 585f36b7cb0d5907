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
#include <errno.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "stream_internal.h"
#include "stream_features.h"

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

/* The next function of @btf after *@id whose name starts with @prefix and
 * that has a prototype (bpf_stream.h's kfunc externs): its BTF type, its
 * name in *@name and its number of arguments in *@nr_args; NULL after the
 * last. Start with *@id = 0. */
static const struct btf_type *next_extern(const struct btf *btf, __u32 *id, const char *prefix,
					  const char **name, __u32 *nr_args)
{
	size_t plen = strlen(prefix);
	__u32 n = btf__type_cnt(btf);

	while (++*id < n) {
		const struct btf_type *t = btf__type_by_id(btf, *id);
		const struct btf_type *proto;

		if (!t || !btf_is_func(t))
			continue;
		*name = btf__name_by_offset(btf, t->name_off);
		if (!*name || strncmp(*name, prefix, plen))
			continue;
		proto = btf__type_by_id(btf, t->type);
		if (!proto || !btf_is_func_proto(proto))
			continue;
		*nr_args = btf_vlen(proto);
		return t;
	}
	return NULL;
}

int bs_bind_kfunc(struct bpf_object *obj, const struct bs_kernel *k, const char **why)
{
	struct btf *btf = bpf_object__btf(obj);
	size_t want_len = k->kfunc_name ? strlen(k->kfunc_name) : 0;
	const struct btf_type *t;
	int seen = 0, fit = 0;
	__u32 id = 0, nr_args;
	const char *name;

	*why = NULL;
	if (!btf)
		return 0;	/* no BTF: no kfunc externs either */
	while ((t = next_extern(btf, &id, BS_KFUNC_PREFIX, &name, &nr_args))) {
		seen++;
		if (!k->kfunc_name || essential_len(name) != want_len ||
		    strncmp(name, k->kfunc_name, want_len) || nr_args != k->kfunc_nr_args)
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

/*
 * bpf_stream_print_stack(): bpf_stream.h declares the kernel's stack-dump
 * kfunc as the weak extern bpf_stream_print_stack___v1 (+ "_UNIT"), the
 * one-argument bpf_stream_print_stack of Linux 7.2 and 7.3 (the verifier
 * supplies the program). Bound the same way as the stream kfunc, whatever
 * the transport (the ring transport calls it for stderr), and only where
 * the kernel's BTF has that name with that one argument.
 */
#define BS_STACK_KFUNC "bpf_stream_print_stack"
#define BS_STACK_NR_ARGS 1

int bs_probe_print_stack(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_type *t;
	int id, ret;

	if (!btf)
		return -errno;
	id = btf__find_by_name_kind(btf, BS_STACK_KFUNC, BTF_KIND_FUNC);
	t = id > 0 ? btf__type_by_id(btf, btf__type_by_id(btf, id)->type) : NULL;
	ret = t && btf_is_func_proto(t) && btf_vlen(t) == BS_STACK_NR_ARGS;
	btf__free(btf);
	return ret;
}

void bs_bind_print_stack(struct bpf_object *obj)
{
	struct btf *btf = bpf_object__btf(obj);
	size_t want_len = strlen(BS_STACK_KFUNC);
	const struct btf_type *t;
	__u32 id = 0, nr_args;
	const char *name;

	if (!btf || bs_libbpf_resolves_flavours())
		return;
	while ((t = next_extern(btf, &id, BS_STACK_KFUNC "___", &name, &nr_args))) {
		if (nr_args != BS_STACK_NR_ARGS)
			continue;
		/* the kernel is asked only for objects that call it */
		if (!bs_feat_supported(BS_FEAT_PRINT_STACK))
			return;
		pr_debug("binding extern %s to the kernel's %s\n", name, BS_STACK_KFUNC);
		bs_compat_btf_cut_name(btf, t->name_off, want_len);
	}
}
