// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Prints every case of tr_cases.h once per run, in order (syscall program). */
#include "vmlinux.h"
#include <bpf_stream.h>
#include "tr_cases.h"

char LICENSE[] SEC("license") = "GPL";

int failures = 0;

#define TR_PRINT(stream, fmt, args...) failures += bpf_stream_printk(stream, fmt, ##args) != 0;

SEC("syscall")
int tr_fmt(void *ctx)
{
	TR_CASES(TR_PRINT)
	return 0;
}
