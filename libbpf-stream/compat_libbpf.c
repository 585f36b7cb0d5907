// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Compatibility with libbpf 1.1 and 1.2 (Debian 12 ships 1.1.2), and
 * nothing else: the one place the library writes into memory libbpf owns.
 *
 * libbpf < 1.3 knows no kfunc "flavours" (foo___v5 resolving to the kernel's
 * foo; libbpf commit "Support triple-underscore flavors for kfunc
 * relocation", released in 1.3.0). To bind bpf_stream.h's flavoured extern
 * there, bind.c shortens the extern's name in the object's BTF string
 * section to the kernel's name, in place: a NUL written over the first '_'
 * of "___". The bytes keep their length, so no BTF offset moves, and libbpf
 * 1.1/1.2 look externs up by that name at load time.
 *
 * btf__name_by_offset() returns a const pointer: writing through it relies
 * on libbpf keeping an opened object's BTF strings in writable memory it
 * owns (true for every libbpf up to 1.2, the only ones that get here).
 *
 * When it can go: once the oldest libbpf the project supports is 1.3.0 or
 * later (Debian 12's 1.1.2 is the reason it is still here), delete this
 * file and its one caller in bind.c; libbpf then binds the flavours itself
 * (bs_libbpf_resolves_flavours() is true there and the call is skipped).
 */
#include <bpf/btf.h>
#include "stream_internal.h"

void bs_compat_btf_cut_name(const struct btf *btf, __u32 name_off, size_t len)
{
	char *name = (char *)btf__name_by_offset(btf, name_off);

	if (name && strlen(name) > len)
		name[len] = '\0';
}
