// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>
#include "time_scale.h"

long long time_scale(void)
{
	const char *v = getenv("BPF_STREAM_TEST_SCALE");
	long long s = v ? atoll(v) : 1;

	return s >= 1 ? s : 1;
}
