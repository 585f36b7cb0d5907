// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Section 9's baseline: bench_sites50.h with every helper inlined. */
#define BPF_STREAM_INLINE
#include "bench_sites50.h"
