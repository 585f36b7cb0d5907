// SPDX-License-Identifier: GPL-2.0
/*
 * The stream code compiled unmodified from its path: the project's
 * kernel/bpf/stream.c, or with STREAM_C set, a kernel tree's.
 */
#ifdef STREAM_C
#include STREAM_C
#else
#include "../kernel/bpf/stream.c"
#endif
