/* SPDX-License-Identifier: GPL-2.0 */
/* Harness stub: kfunc annotations have no meaning outside the kernel. */
#ifndef _LINUX_BTF_H
#define _LINUX_BTF_H

#define __bpf_kfunc
#define __bpf_kfunc_start_defs()	_Static_assert(1, "kfunc defs")
#define __bpf_kfunc_end_defs()		_Static_assert(1, "kfunc defs end")

#endif
