/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Long formats of load_sites.c, shared with test_header (which formats
 * them on the host to check the lines). */
#ifndef LOAD_SITES_H
#define LOAD_SITES_H

/* Formats whose length (strlen) is in their name */
#define LS_FMT255 "255 %d 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrs" \
	"tuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrs" \
	"tuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrs" \
	"tuvwxyz0123456789abcdefghijklmnopqrstu\n"
#define LS_FMT256 "256 %d 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrs" \
	"tuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrs" \
	"tuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrs" \
	"tuvwxyz0123456789abcdefghijklmnopqrstuv\n"
#define LS_FMT1000 "1000 %d %s 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmno" \
	"pqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmno" \
	"pqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmno" \
	"pqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmno" \
	"pqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmno" \
	"pqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmno" \
	"pqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmno" \
	"pqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmno" \
	"pqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmno" \
	"pqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmno" \
	"pqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmno" \
	"pqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmno" \
	"pqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmno" \
	"pqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdef\n"
_Static_assert(sizeof(LS_FMT255) == 256, "255-byte format");
_Static_assert(sizeof(LS_FMT256) == 257, "256-byte format");
_Static_assert(sizeof(LS_FMT1000) == 1001, "1000-byte format");

#endif
