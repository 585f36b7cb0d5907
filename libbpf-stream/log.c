// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Diagnostics and the opts rules shared by every file of the library. */
#include <stdarg.h>
#include <stdio.h>
#include "stream_internal.h"

static int bs_default_print(enum bpf_stream_print_level level, const char *fmt, va_list args)
{
	if (level == BPF_STREAM_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static bpf_stream_print_fn_t bs_print_fn = bs_default_print;

bpf_stream_print_fn_t bpf_stream_set_print(bpf_stream_print_fn_t fn)
{
	bpf_stream_print_fn_t old = bs_print_fn;

	bs_print_fn = fn;
	return old;
}

void bs_print(enum bpf_stream_print_level level, const char *fmt, ...)
{
	bpf_stream_print_fn_t fn = bs_print_fn;
	int saved_errno = errno;
	va_list args;

	if (!fn)
		return;
	va_start(args, fmt);
	fn(level, fmt, args);
	va_end(args);
	errno = saved_errno;
}

bool bs_opts_tail_zero(const void *opts, size_t known, size_t user_sz)
{
	const char *p = opts;
	size_t i;

	for (i = known; i < user_sz; i++) {
		if (p[i])
			return false;
	}
	return true;
}
