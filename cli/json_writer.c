// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* JSON escaping and a streaming JSON writer for bpf-stream --json. */
#include <inttypes.h>
#include <string.h>

#include "json_writer.h"

/*
 * Length of the valid UTF-8 sequence starting at s[0] (at most @avail bytes
 * available), with its code point in *cp; 0 if s[0] does not start one.
 */
static size_t utf8_seq(const unsigned char *s, size_t avail, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2; c &= 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3; c &= 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4; c &= 0x07; min = 0x10000;
	} else {
		return 0; /* continuation byte, 0xc0/0xc1, 0xf5..0xff */
	}
	if (avail < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

bool json_utf8_valid(const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		n = utf8_seq(s + i, len - i, &cp);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

static const char hexdig[] = "0123456789abcdef";

size_t json_escape(char *dst, size_t dst_sz, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, need = 0, written = 0, n, plen;
	bool full = false;	/* output cut: stop writing, keep counting */
	const char *piece;
	char esc[8];
	uint32_t cp;

	while (i < len) {
		piece = esc;
		n = utf8_seq(s + i, len - i, &cp);
		if (!n) {
			/* not valid UTF-8: U+FFFD for this one byte */
			piece = "\\ufffd";
			plen = 6;
			n = 1;
		} else if (cp == '"' || cp == '\\') {
			esc[0] = '\\';
			esc[1] = (char)cp;
			plen = 2;
		} else if (cp == '\n' || cp == '\t' || cp == '\r' || cp == '\b' || cp == '\f') {
			esc[0] = '\\';
			esc[1] = cp == '\n' ? 'n' : cp == '\t' ? 't' : cp == '\r' ? 'r' :
				 cp == '\b' ? 'b' : 'f';
			plen = 2;
		} else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
			memcpy(esc, "\\u00", 4);
			esc[4] = hexdig[(cp >> 4) & 0xf];
			esc[5] = hexdig[cp & 0xf];
			plen = 6;
		} else {
			piece = (const char *)s + i;
			plen = n;
		}
		if (!full && need + plen < dst_sz) {
			memcpy(dst + need, piece, plen);
			written = need + plen;
		} else {
			full = true;
		}
		need += plen;
		i += n;
	}
	if (dst_sz)
		dst[written] = '\0';
	return need;
}

/* ---- writer ------------------------------------------------------------ */

void jsonw_init(struct json_writer *w, FILE *out, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->pretty = pretty;
	w->first[0] = true;
}

static void jw_puts(struct json_writer *w, const char *s, size_t len)
{
	if (len && fwrite(s, 1, len, w->out) != len)
		w->err = true;
}

static void jw_indent(struct json_writer *w)
{
	int i;

	if (!w->pretty)
		return;
	jw_puts(w, "\n", 1);
	for (i = 0; i < w->depth; i++)
		jw_puts(w, "  ", 2);
}

/* Separator and indentation before a value or a member name. */
static void jw_before_value(struct json_writer *w)
{
	if (w->after_name) {
		w->after_name = false;
		return;
	}
	if (w->depth == 0)
		return;
	if (!w->first[w->depth])
		jw_puts(w, ",", 1);
	w->first[w->depth] = false;
	jw_indent(w);
}

static void jw_quoted(struct json_writer *w, const char *s, size_t len)
{
	char buf[512];
	size_t need;

	need = json_escape(buf, sizeof(buf), s, len);
	jw_puts(w, "\"", 1);
	if (need < sizeof(buf)) {
		jw_puts(w, buf, need);
	} else {
		/* long text: escape in slices cut at byte boundaries that
		 * cannot split a UTF-8 sequence's validity decision */
		size_t i = 0;

		while (i < len) {
			size_t chunk = len - i < 64 ? len - i : 64, end = i + chunk;

			/* extend over continuation bytes so a sequence stays whole */
			while (end < len && end - i < 68 &&
			       ((unsigned char)s[end] & 0xc0) == 0x80)
				end++;
			need = json_escape(buf, sizeof(buf), s + i, end - i);
			jw_puts(w, buf, need);
			i = end;
		}
	}
	jw_puts(w, "\"", 1);
}

static void jw_open(struct json_writer *w, char c)
{
	jw_before_value(w);
	jw_puts(w, &c, 1);
	if (w->depth + 1 < JSON_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
}

static void jw_close(struct json_writer *w, char c)
{
	bool empty = w->first[w->depth];

	if (w->depth > 0)
		w->depth--;
	if (!empty)
		jw_indent(w);
	jw_puts(w, &c, 1);
	if (w->depth == 0) {
		jw_puts(w, "\n", 1);
		if (fflush(w->out))
			w->err = true;
	}
}

void jsonw_start_object(struct json_writer *w) { jw_open(w, '{'); }
void jsonw_end_object(struct json_writer *w) { jw_close(w, '}'); }
void jsonw_start_array(struct json_writer *w) { jw_open(w, '['); }
void jsonw_end_array(struct json_writer *w) { jw_close(w, ']'); }

void jsonw_name(struct json_writer *w, const char *name)
{
	jw_before_value(w);
	jw_quoted(w, name, strlen(name));
	jw_puts(w, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
	w->after_name = true;
}

void jsonw_string_len(struct json_writer *w, const char *s, size_t len)
{
	jw_before_value(w);
	jw_quoted(w, s, len);
}

void jsonw_string(struct json_writer *w, const char *s)
{
	if (!s) {
		jsonw_null(w);
		return;
	}
	jsonw_string_len(w, s, strlen(s));
}

void jsonw_uint(struct json_writer *w, uint64_t v)
{
	char buf[32];

	jw_before_value(w);
	jw_puts(w, buf, (size_t)snprintf(buf, sizeof(buf), "%" PRIu64, v));
}

void jsonw_int(struct json_writer *w, int64_t v)
{
	char buf[32];

	jw_before_value(w);
	jw_puts(w, buf, (size_t)snprintf(buf, sizeof(buf), "%" PRId64, v));
}

void jsonw_bool(struct json_writer *w, bool v)
{
	jw_before_value(w);
	jw_puts(w, v ? "true" : "false", v ? 4 : 5);
}

void jsonw_null(struct json_writer *w)
{
	jw_before_value(w);
	jw_puts(w, "null", 4);
}

void jsonw_string_field(struct json_writer *w, const char *name, const char *s)
{
	jsonw_name(w, name);
	jsonw_string(w, s);
}

void jsonw_uint_field(struct json_writer *w, const char *name, uint64_t v)
{
	jsonw_name(w, name);
	jsonw_uint(w, v);
}

void jsonw_int_field(struct json_writer *w, const char *name, int64_t v)
{
	jsonw_name(w, name);
	jsonw_int(w, v);
}

void jsonw_bool_field(struct json_writer *w, const char *name, bool v)
{
	jsonw_name(w, name);
	jsonw_bool(w, v);
}
