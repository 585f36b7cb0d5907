// SPDX-License-Identifier: GPL-2.0
/* Simulated CPUs: a thread-local CPU id. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include "harness.h"

static __thread int cpu_id = -1;

void harness_cpu_bind(int cpu)
{
	if (cpu < 0 || cpu >= HARNESS_NR_CPUS) {
		fprintf(stderr, "harness: bad cpu %d\n", cpu);
		abort();
	}
	cpu_id = cpu;
}

void harness_cpu_unbind(void)
{
	cpu_id = -1;
}

int harness_cpu_id(void)
{
	if (cpu_id < 0) {
		fprintf(stderr, "harness: per-CPU access from an unbound thread\n");
		abort();
	}
	return cpu_id;
}
