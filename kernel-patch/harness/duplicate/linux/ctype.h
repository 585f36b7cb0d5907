/* SPDX-License-Identifier: GPL-2.0 */
/* Harness duplicate: the kernel's ctype is the C locale's. */
#ifndef _LINUX_CTYPE_H
#define _LINUX_CTYPE_H

#include <ctype.h>

#endif
