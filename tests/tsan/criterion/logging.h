/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* TSan stand-in for Criterion: see criterion.h. */
#include "criterion.h"
