/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Checks shared by the fuzz targets: strict UTF-8 validation, a small
 * deterministic generator driven by the input, and a JSON validator that
 * also decodes string literals (RFC 8259). Header-only, fuzz/ only.
 */
#ifndef __FUZZ_UTIL_H
#define __FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A broken invariant: print what and where, then abort so libFuzzer (or the
 * replay runner) records the input. */
#define FUZZ_CHECK(cond, ...)                                                     \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "%s:%d: invariant failed: %s: ", __FILE__, \
				__LINE__, #cond);                                 \
			fprintf(stderr, __VA_ARGS__);                             \
			fputc('\n', stderr);                                      \
			abort();                                                  \
		}                                                                 \
	} while (0)

/* Length of the UTF-8 sequence at s (strict: no overlongs, surrogates or
 * code points above U+10FFFF), or 0 when it is not valid; *cp gets it. */
static inline size_t fz_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (n < len)
		return 0;
	c = s[0] & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Valid UTF-8, and (if no_controls) no C0 control but TAB, no DEL, no C1. */
static inline bool fz_utf8_clean(const char *p, size_t n, bool no_controls, size_t *bad_at)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, l;
	uint32_t cp;

	while (i < n) {
		l = fz_utf8_seq(s + i, n - i, &cp);
		if (!l || (no_controls && ((cp < 0x20 && cp != '\t') || cp == 0x7f ||
					   (cp >= 0x80 && cp <= 0x9f)))) {
			*bad_at = i;
			return false;
		}
		i += l;
	}
	return true;
}

/* xorshift64*: the fuzz input seeds it, so every run of an input is the same. */
struct fz_rng {
	uint64_t s;
};

static inline uint64_t fz_next(struct fz_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

static inline void fz_seed(struct fz_rng *r, const uint8_t *d, size_t n)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	size_t i;

	for (i = 0; i < n; i++)
		s = (s ^ d[i]) * 0x100000001b3ULL;
	r->s = s ? s : 1;
}

/* ---- JSON validation ------------------------------------------------------ */

struct fz_json {
	const char *p, *end;
	char *str;		/* decoded text of the last string literal */
	size_t str_len, str_cap;
	int depth;
};

static inline void fz_json_ws(struct fz_json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static inline bool fz_json_put(struct fz_json *j, const char *b, size_t n)
{
	if (j->str_len + n > j->str_cap) {
		size_t cap = (j->str_cap + n) * 2 + 16;
		char *s = realloc(j->str, cap);

		if (!s)
			return false;
		j->str = s;
		j->str_cap = cap;
	}
	memcpy(j->str + j->str_len, b, n);
	j->str_len += n;
	return true;
}

static inline size_t fz_utf8_encode(uint32_t cp, char *b)
{
	if (cp < 0x80) {
		b[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	b[0] = (char)(0xf0 | cp >> 18);
	b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	b[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static inline bool fz_json_hex4(struct fz_json *j, uint32_t *v)
{
	int i;

	*v = 0;
	if (j->end - j->p < 4)
		return false;
	for (i = 0; i < 4; i++) {
		char c = *j->p++;

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*v |= c - 'A' + 10;
		else
			return false;
	}
	return true;
}

/* The body of a string literal up to (not including) the closing quote, or
 * to the end of input when quoted is false. Decodes into j->str. */
static inline bool fz_json_string_body(struct fz_json *j, bool quoted)
{
	char b[4];
	uint32_t cp, lo;
	size_t l;

	j->str_len = 0;
	while (j->p < j->end) {
		unsigned char c = (unsigned char)*j->p;

		if (c == '"')
			return quoted;
		if (c < 0x20)
			return false;
		if (c != '\\') {
			l = fz_utf8_seq((const unsigned char *)j->p, j->end - j->p, &cp);
			if (!l || !fz_json_put(j, j->p, l))
				return false;
			j->p += l;
			continue;
		}
		if (++j->p == j->end)
			return false;
		c = (unsigned char)*j->p++;
		switch (c) {
		case '"': case '\\': case '/':
			b[0] = (char)c; break;
		case 'b': b[0] = '\b'; break;
		case 'f': b[0] = '\f'; break;
		case 'n': b[0] = '\n'; break;
		case 'r': b[0] = '\r'; break;
		case 't': b[0] = '\t'; break;
		case 'u':
			if (!fz_json_hex4(j, &cp))
				return false;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u')
					return false;
				j->p += 2;
				if (!fz_json_hex4(j, &lo) || lo < 0xdc00 || lo > 0xdfff)
					return false;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				return false;
			}
			if (!fz_json_put(j, b, fz_utf8_encode(cp, b)))
				return false;
			continue;
		default:
			return false;
		}
		if (!fz_json_put(j, b, 1))
			return false;
	}
	return !quoted;
}

static inline bool fz_json_value(struct fz_json *j);

static inline bool fz_json_lit(struct fz_json *j, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n))
		return false;
	j->p += n;
	return true;
}

static inline bool fz_json_number(struct fz_json *j)
{
	const char *s = j->p;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p == j->end)
		return false;
	if (*j->p == '0') {
		j->p++;
	} else if (*j->p >= '1' && *j->p <= '9') {
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	} else {
		return false;
	}
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (j->p == j->end || *j->p < '0' || *j->p > '9')
			return false;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p == j->end || *j->p < '0' || *j->p > '9')
			return false;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return j->p > s;
}

static inline bool fz_json_value(struct fz_json *j)
{
	bool ok;

	fz_json_ws(j);
	if (j->p == j->end || ++j->depth > 64)
		return false;
	switch (*j->p) {
	case '"':
		j->p++;
		ok = fz_json_string_body(j, true) && j->p < j->end && *j->p++ == '"';
		break;
	case '{':
	case '[': {
		char close = *j->p == '{' ? '}' : ']';
		bool obj = close == '}';

		j->p++;
		fz_json_ws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
			ok = true;
			break;
		}
		for (;;) {
			if (obj) {
				fz_json_ws(j);
				if (j->p == j->end || *j->p++ != '"' || !fz_json_string_body(j, true) ||
				    j->p == j->end || *j->p++ != '"')
					return false;
				fz_json_ws(j);
				if (j->p == j->end || *j->p++ != ':')
					return false;
			}
			if (!fz_json_value(j))
				return false;
			fz_json_ws(j);
			if (j->p == j->end)
				return false;
			if (*j->p == ',') {
				j->p++;
				continue;
			}
			if (*j->p++ != close)
				return false;
			break;
		}
		ok = true;
		break;
	}
	case 't': ok = fz_json_lit(j, "true"); break;
	case 'f': ok = fz_json_lit(j, "false"); break;
	case 'n': ok = fz_json_lit(j, "null"); break;
	default: ok = fz_json_number(j); break;
	}
	j->depth--;
	return ok;
}

/* One or more JSON texts, each followed by optional whitespace (JSON lines). */
static inline bool fz_json_valid_stream(const char *p, size_t n)
{
	struct fz_json j = { .p = p, .end = p + n };
	bool ok = true;

	fz_json_ws(&j);
	while (ok && j.p < j.end) {
		ok = fz_json_value(&j);
		fz_json_ws(&j);
	}
	free(j.str);
	return ok;
}

#endif /* __FUZZ_UTIL_H */
