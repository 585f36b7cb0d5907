/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness per-CPU data: a per-CPU variable is an array indexed by the
 * simulated CPU id of the calling thread (see harness_cpu_bind()).
 */
#ifndef __LINUX_PERCPU_H
#define __LINUX_PERCPU_H

#include "harness.h"

#define DEFINE_PER_CPU(type, name)	__typeof__(type) name[HARNESS_NR_CPUS]

#define this_cpu_ptr(ptr)		(&(*(ptr))[harness_cpu_id()])
#define per_cpu_ptr(ptr, cpu)		(&(*(ptr))[(cpu)])
#define this_cpu_read(var)		((var)[harness_cpu_id()])
#define this_cpu_write(var, val)	((void)((var)[harness_cpu_id()] = (val)))
#define raw_smp_processor_id()		harness_cpu_id()
#define smp_processor_id()		harness_cpu_id()

#endif
