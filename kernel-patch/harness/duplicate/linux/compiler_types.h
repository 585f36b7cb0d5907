/* SPDX-License-Identifier: GPL-2.0 */
/* Harness duplicate: force-included like the kernel's compiler_types.h. */
#ifndef __LINUX_COMPILER_TYPES_H
#define __LINUX_COMPILER_TYPES_H

#include <linux/compiler_attributes.h>

#define __user
#define __percpu
#define __force
#define __must_check	__attribute__((warn_unused_result))
#define noinline	__attribute__((noinline))
#define __always_inline	inline __attribute__((always_inline))
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

/* asm/barrier.h on C11 atomics builtins */
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)

#endif
