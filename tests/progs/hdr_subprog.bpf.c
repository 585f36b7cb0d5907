// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* hdr_subprog.h as users build it: the header's global subprograms. */
#include "hdr_subprog.h"
