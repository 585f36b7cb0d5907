/* SPDX-License-Identifier: GPL-2.0 */
/* Harness stub: nothing of it is used by the stream code. */
