/* SPDX-License-Identifier: GPL-2.0 */
/* Harness gfp flags: only what the stream code and the contracts use. */
#ifndef __LINUX_GFP_H
#define __LINUX_GFP_H

#include <linux/types.h>

#define __GFP_ZERO		0x1u
#define __GFP_ACCOUNT		0x2u
#define __GFP_NO_OBJ_EXT	0x4u
#define __GFP_NOWARN		0x8u
#define GFP_KERNEL		0x100u
#define GFP_KERNEL_ACCOUNT	(GFP_KERNEL | __GFP_ACCOUNT)

#define NUMA_NO_NODE	(-1)

#endif
