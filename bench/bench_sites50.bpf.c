// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Section 9: bench_sites50.h as users build it (global subprograms). */
#include "bench_sites50.h"
