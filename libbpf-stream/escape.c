// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf_stream_escape(): make a BPF program's text safe to show on a terminal.
 * Pure function.
 *
 * Passed through: printable ASCII, TAB, and well-formed UTF-8 of code points
 * U+00A0 and up. Written as \xNN (one per byte): the C0 controls (ESC, BEL,
 * CR, BS, ...), DEL, the C1 controls U+0080..U+009F (their UTF-8 forms
 * C2 80..C2 9F, which some terminals obey like ESC [ ), and every byte of
 * malformed UTF-8 (stray continuation bytes, overlong forms, surrogates,
 * code points above U+10FFFF, truncated sequences). The result can neither
 * start an escape sequence (CSI, OSC retitling, cursor moves) nor ring the
 * bell nor overwrite the line with a carriage return. Backslash is left as
 * it is: the goal is safety, not a reversible encoding.
 */
#include "stream_internal.h"

/* Length of a well-formed UTF-8 sequence at s (n bytes available) that is
 * safe to print, or 0. */
static size_t utf8_ok(const unsigned char *s, size_t n)
{
	unsigned int cp;
	size_t len, i;

	if (s[0] < 0xc2)	/* continuation byte or overlong 2-byte lead */
		return 0;
	if (s[0] < 0xe0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] < 0xf0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] < 0xf5) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff)
		return 0;	/* overlong or out of range */
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;	/* surrogate */
	if (cp < 0xa0)
		return 0;	/* C1 control */
	return len;
}

struct esc_out {
	char *dst;
	size_t sz;	/* capacity, NUL included */
	size_t wr;	/* bytes written */
	size_t need;	/* bytes the whole output needs */
	bool full;	/* a sequence did not fit: write nothing more */
};

/* Append a sequence whole or not at all (split = false), so a cut output
 * never ends in half an escape or half a UTF-8 character. */
static void put(struct esc_out *o, const char *seq, size_t n, bool split)
{
	o->need += n;
	if (o->full)
		return;
	if (o->wr + n < o->sz) {
		memcpy(o->dst + o->wr, seq, n);
		o->wr += n;
		return;
	}
	if (split && o->sz) {
		memcpy(o->dst + o->wr, seq, o->sz - 1 - o->wr);
		o->wr = o->sz - 1;
	}
	o->full = true;
}

static bool plain(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t';
}

size_t bpf_stream_escape(char *dst, size_t dst_sz, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)src;
	struct esc_out o = { .dst = dst, .sz = dst_sz, .full = dst_sz == 0 };
	size_t i = 0, run, n;
	char esc[4];

	while (i < len) {
		if (plain(s[i])) {
			for (run = i + 1; run < len && plain(s[run]); run++)
				;
			put(&o, src + i, run - i, true);	/* plain ASCII may be cut anywhere */
			i = run;
			continue;
		}
		if (s[i] >= 0x80 && (n = utf8_ok(s + i, len - i))) {
			put(&o, src + i, n, false);
			i += n;
			continue;
		}
		esc[0] = '\\';
		esc[1] = 'x';
		esc[2] = hex[s[i] >> 4];
		esc[3] = hex[s[i] & 0xf];
		put(&o, esc, 4, false);
		i++;
	}
	if (dst_sz)
		dst[o.wr] = '\0';
	return o.need;
}
