/* SPDX-License-Identifier: GPL-2.0 */
/* Harness duplicate of the attribute macros the stream code uses. */
#ifndef __LINUX_COMPILER_ATTRIBUTES_H
#define __LINUX_COMPILER_ATTRIBUTES_H

#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define __maybe_unused	__attribute__((unused))

#endif
