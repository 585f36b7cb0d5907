// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Formats of binary ring records: the table of an object's call sites and
 * the formatter that turns a record's raw arguments into the text the
 * kernel's bpf_snprintf() would have written.
 *
 * The table is the object's .rodata as the kernel holds it (the map's value,
 * read by fd: any process that can open the map can decode), plus the
 * offset of the sentinel bpf_stream_fmt_base (from the map's BTF). A call
 * site's id is its format's offset from the sentinel. Each format is parsed
 * once, on first use, and kept in an open-addressing table keyed by site;
 * formatting then touches no allocator.
 *
 * The dialect is the one bpf_stream.h sends as binary records, which is
 * the kernel's (kernel/bpf/helpers.c bpf_bprintf_prepare(), lib/vsprintf.c):
 * "%%", flags "0+- " (any order, repeated), a width, then l/ll and
 * d i u x X, or c, or s. Without l an argument is converted as a 32-bit
 * int (%d %i signed, %u %x %X unsigned); with l or ll as 64 bits.
 *
 * Widths as lib/vsprintf.c reads them: skip_atoi() accumulates the digits
 * in an int, so a width wraps modulo 2^32 ("%4294967301d" is "%5d"), and
 * a width whose 32-bit value is negative pads nothing. Widths whose 32-bit
 * value is outside -FIELD_WIDTH_MAX..FIELD_WIDTH_MAX (8388607) are not
 * reproduced exactly: recent kernels (7.2's lib/vsprintf.c) clamp them to
 * that range with a WARN_ONCE (which taints the kernel), older ones (6.1)
 * keep the low 24 bits (printf_spec.field_width was a 24-bit field); here
 * they are clamped, as recent kernels do. docs/formats.md has the details.
 */
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "stream_internal.h"
#include "bpf_stream_record.h"

#define FIELD_WIDTH_MAX ((1 << 23) - 1)

/* conversion flags, the kernel's meaning */
#define F_LEFT 0x1
#define F_PLUS 0x2
#define F_SPACE 0x4
#define F_ZERO 0x8

enum { C_INT, C_UINT, C_HEX, C_HEXU, C_CHR, C_STR };

struct bs_fmt_conv {
	__u32 lit_off;	/* literal text before this conversion, in bs_fmt.lit ("%%" as '%') */
	__u32 lit_len;
	__u32 width;
	__u8 type;	/* C_* */
	__u8 size;	/* 4 or 8 (numbers) */
	__u8 flags;	/* F_* */
};

struct bs_fmt {
	__u32 nconv;
	__u32 tail_off, tail_len;	/* literal text after the last conversion */
	struct bs_fmt_conv conv[BPF_STREAM_MAX_ARGS];
	char lit[];			/* every literal run, "%%" collapsed */
};

struct bs_fmt_slot {
	__s64 site;		/* -1: empty */
	struct bs_fmt *fmt;	/* NULL: known bad id */
};

struct bs_fmt_table {
	char *rodata;
	size_t size;
	size_t base;		/* sentinel offset */
	__u32 msg_max;
	struct bs_fmt_slot *slots;
	size_t nr_slots, used;	/* power of two; used <= nr_slots / 2 */
};

/* Parse @s (NUL-terminated within the table) into @f, whose lit[] has
 * room for strlen(s) bytes. 0, or -EINVAL when the format is not one a
 * binary record can carry. */
static int fmt_parse(const char *s, struct bs_fmt *f)
{
	size_t i = 0, lo = 0, run = 0;

	f->nconv = 0;
	while (s[i]) {
		struct bs_fmt_conv *c;
		__u32 w = 0;	/* wraps like the kernel's int */

		if (s[i] != '%') {
			f->lit[lo++] = s[i++];
			continue;
		}
		if (s[i + 1] == '%') {
			f->lit[lo++] = '%';
			i += 2;
			continue;
		}
		if (f->nconv >= BPF_STREAM_MAX_ARGS)
			return -EINVAL;
		c = &f->conv[f->nconv];
		memset(c, 0, sizeof(*c));
		c->lit_off = run;
		c->lit_len = lo - run;
		i++;
		for (;; i++) {
			if (s[i] == '-')
				c->flags |= F_LEFT;
			else if (s[i] == '+')
				c->flags |= F_PLUS;
			else if (s[i] == ' ')
				c->flags |= F_SPACE;
			else if (s[i] == '0')
				c->flags |= F_ZERO;
			else
				break;
		}
		if (s[i] >= '1' && s[i] <= '9') {
			while (s[i] >= '0' && s[i] <= '9') {
				w = w * 10 + (__u32)(s[i] - '0');
				i++;
			}
		}
		/* negative: no padding; above the maximum: clamped (see the top) */
		if ((__s32)w < 0)
			c->width = 0;
		else
			c->width = w > FIELD_WIDTH_MAX ? FIELD_WIDTH_MAX : w;
		c->size = 4;
		if (s[i] == 'c' || s[i] == 's') {
			c->type = s[i] == 'c' ? C_CHR : C_STR;
		} else {
			if (s[i] == 'l') {
				c->size = 8;
				i++;
				if (s[i] == 'l')
					i++;
			}
			switch (s[i]) {
			case 'd':
			case 'i':
				c->type = C_INT;
				break;
			case 'u':
				c->type = C_UINT;
				break;
			case 'x':
				c->type = C_HEX;
				break;
			case 'X':
				c->type = C_HEXU;
				break;
			default:
				return -EINVAL;
			}
		}
		i++;
		run = lo;
		f->nconv++;
	}
	f->tail_off = run;
	f->tail_len = lo - run;
	return 0;
}

/* ---- output with a cap ---------------------------------------------------- */

struct out {
	char *p;
	size_t len, cap;
	bool cut;
};

static inline void put(struct out *o, const char *s, size_t n)
{
	if (o->len + n > o->cap) {
		n = o->cap - o->len;
		o->cut = true;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static inline void pad(struct out *o, char c, size_t n)
{
	if (o->len + n > o->cap) {
		n = o->cap - o->len;
		o->cut = true;
	}
	memset(o->p + o->len, c, n);
	o->len += n;
}

static const char digits_lc[] = "0123456789abcdef";
static const char digits_uc[] = "0123456789ABCDEF";

/* 100 pairs of digits (the string's NUL is not used) */
static const char dec2[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* lib/vsprintf.c number() without precision and without '#'. */
static void put_num(struct out *o, const struct bs_fmt_conv *c, __u64 raw)
{
	char tmp[24], *end = tmp + sizeof(tmp), *p = end;
	int width = c->width, n;
	char sign = 0;
	__u64 num;

	if (c->type == C_INT) {
		num = c->size == 8 ? raw : (__u64)(__s64)(__s32)raw;
		if ((__s64)num < 0) {
			sign = '-';
			num = -num;
		} else if (c->flags & F_PLUS) {
			sign = '+';
		} else if (c->flags & F_SPACE) {
			sign = ' ';
		}
	} else {
		num = c->size == 8 ? raw : (__u32)raw;
	}
	if (c->type == C_HEX || c->type == C_HEXU) {
		const char *d = c->type == C_HEX ? digits_lc : digits_uc;

		do {
			*--p = d[num & 15];
			num >>= 4;
		} while (num);
	} else {
		while (num >= 100) {
			unsigned int r = num % 100;

			num /= 100;
			p -= 2;
			memcpy(p, dec2 + 2 * r, 2);
		}
		if (num >= 10) {
			p -= 2;
			memcpy(p, dec2 + 2 * num, 2);
		} else {
			*--p = '0' + num;
		}
	}
	n = end - p;
	width -= n + !!sign;
	if (width <= 0) {
		if (sign)
			put(o, &sign, 1);
		put(o, p, n);
		return;
	}
	if (!(c->flags & (F_LEFT | F_ZERO))) {
		pad(o, ' ', width);
		width = 0;
	}
	if (sign)
		put(o, &sign, 1);
	if (!(c->flags & F_LEFT)) {
		pad(o, '0', width);	/* ZERO without LEFT */
		width = 0;
	}
	put(o, p, n);
	if (width > 0)
		pad(o, ' ', width);
}

int bs_fmt_render(const struct bs_fmt *f, const __u64 *args, __u32 nargs, const char *strs,
		  size_t strs_len, char *out, size_t cap, size_t *len)
{
	struct out o = { .p = out, .cap = cap };
	size_t soff = 0;
	__u32 i;

	if (!f || (nargs && !args) || !out || !len)
		return -EINVAL;
	if (f->nconv > nargs)
		return -EBADMSG;
	for (i = 0; i < f->nconv; i++) {
		const struct bs_fmt_conv *c = &f->conv[i];

		put(&o, f->lit + c->lit_off, c->lit_len);
		if (c->type == C_STR) {
			__u64 n = args[i];
			size_t slen;

			/* the slot holds the string's bytes, NUL included */
			if (!n || n > strs_len - soff || strs[soff + n - 1])
				return -EBADMSG;
			slen = strnlen(strs + soff, n - 1);
			if (!(c->flags & F_LEFT) && c->width > slen)
				pad(&o, ' ', c->width - slen);
			put(&o, strs + soff, slen);
			if ((c->flags & F_LEFT) && c->width > slen)
				pad(&o, ' ', c->width - slen);
			soff += n;
		} else if (c->type == C_CHR) {
			char ch = (char)args[i];

			if (!(c->flags & F_LEFT) && c->width > 1)
				pad(&o, ' ', c->width - 1);
			put(&o, &ch, 1);
			if ((c->flags & F_LEFT) && c->width > 1)
				pad(&o, ' ', c->width - 1);
		} else {
			put_num(&o, c, args[i]);
		}
	}
	put(&o, f->lit + f->tail_off, f->tail_len);
	*len = o.len;
	return o.cut ? 1 : 0;
}

/* ---- the table ------------------------------------------------------------ */

struct bs_fmt_table *bs_fmt_table__new(const void *rodata, size_t size, size_t base)
{
	struct bs_fmt_table *t;
	__u64 sb;

	if (!rodata || base > size || size - base < sizeof(sb))
		return bs_err_ptr(-EINVAL);
	memcpy(&sb, (const char *)rodata + base, sizeof(sb));
	if (BPF_STREAM_FMT_BASE_MAGIC(sb) != BPF_STREAM_FMT_MAGIC)
		return bs_err_ptr(-EBADMSG);
	if (BPF_STREAM_FMT_BASE_VERSION(sb) != BPF_STREAM_REC_VERSION)
		return bs_err_ptr(-EPROTO);
	t = calloc(1, sizeof(*t));
	if (!t)
		return bs_err_ptr(-ENOMEM);
	/* one more byte: a NUL past the end, so every string read stops */
	t->rodata = malloc(size + 1);
	t->nr_slots = 64;
	t->slots = malloc(t->nr_slots * sizeof(*t->slots));
	if (!t->rodata || !t->slots) {
		bs_fmt_table__free(t);
		return bs_err_ptr(-ENOMEM);
	}
	memcpy(t->rodata, rodata, size);
	t->rodata[size] = 0;
	t->size = size;
	t->base = base;
	t->msg_max = BPF_STREAM_FMT_BASE_MSG_MAX(sb) ? BPF_STREAM_FMT_BASE_MSG_MAX(sb) : 1023;
	for (size_t i = 0; i < t->nr_slots; i++)
		t->slots[i].site = -1;
	return t;
}

void bs_fmt_table__free(struct bs_fmt_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; t->slots && i < t->nr_slots; i++)
		if (t->slots[i].site >= 0)
			free(t->slots[i].fmt);
	free(t->slots);
	free(t->rodata);
	free(t);
}

__u32 bs_fmt_table__msg_max(const struct bs_fmt_table *t)
{
	return t ? t->msg_max : 0;
}

size_t bs_fmt_table__base(const struct bs_fmt_table *t)
{
	return t ? t->base : 0;
}

static size_t slot_of(__u32 site, size_t nr)
{
	return (site * 2654435761u) & (nr - 1);
}

static int table_grow(struct bs_fmt_table *t)
{
	size_t nr = t->nr_slots * 2, i;
	struct bs_fmt_slot *s = malloc(nr * sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		s[i].site = -1;
	for (i = 0; i < t->nr_slots; i++) {
		size_t j;

		if (t->slots[i].site < 0)
			continue;
		for (j = slot_of(t->slots[i].site, nr); s[j].site >= 0; j = (j + 1) & (nr - 1))
			;
		s[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = s;
	t->nr_slots = nr;
	return 0;
}

int bs_fmt_table__get(struct bs_fmt_table *t, __u32 site, const struct bs_fmt **out)
{
	struct bs_fmt *f;
	__s64 off;
	size_t j;

	if (!t || !out)
		return -EINVAL;
	for (j = slot_of(site, t->nr_slots); t->slots[j].site >= 0; j = (j + 1) & (t->nr_slots - 1)) {
		if (t->slots[j].site == site) {
			*out = t->slots[j].fmt;
			return *out ? 0 : -ENOENT;
		}
	}
	/* first sight of this site: parse it once; a bad id is remembered too
	 * (bounded: one slot per distinct id seen) */
	if (t->used + 1 > t->nr_slots / 2) {
		if (t->nr_slots >= (1u << 20) || table_grow(t))
			return -ENOMEM;
		for (j = slot_of(site, t->nr_slots); t->slots[j].site >= 0;
		     j = (j + 1) & (t->nr_slots - 1))
			;
	}
	off = (__s64)t->base + (__s32)site;
	f = NULL;
	if (off >= 0 && (size_t)off < t->size) {
		f = malloc(sizeof(*f) + strlen(t->rodata + off) + 1);
		if (!f)
			return -ENOMEM;
		if (fmt_parse(t->rodata + off, f)) {
			free(f);
			f = NULL;
		}
	}
	t->slots[j].site = site;
	t->slots[j].fmt = f;
	t->used++;
	*out = f;
	return f ? 0 : -ENOENT;
}

/* A BTF object of the kernel, by id, read into zeroed memory (what
 * btf__load_from_kernel_by_id() does, but valgrind, which does not know
 * that the kernel fills the buffer, then sees it as defined). */
struct btf *bs_kernel_btf(__u32 id)
{
	struct bpf_btf_info info;
	__u32 len = sizeof(info);
	struct btf *btf = NULL;
	void *buf = NULL;
	int fd, err = 0;

	fd = bpf_btf_get_fd_by_id(id);
	if (fd < 0)
		return bs_err_ptr(-errno);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || !info.btf_size) {
		err = -errno ? -errno : -ENOENT;
		goto out;
	}
	buf = calloc(1, info.btf_size);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	len = info.btf_size;
	memset(&info, 0, sizeof(info));
	info.btf = (__u64)(unsigned long)buf;
	info.btf_size = len;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	btf = btf__new(buf, info.btf_size);
	if (!btf)
		err = -errno;
out:
	free(buf);
	close(fd);
	return btf ? btf : bs_err_ptr(err ? err : -EINVAL);
}

/* The .rodata map of a loaded object, by fd: its value and the sentinel's
 * offset from the map's BTF (DATASEC variable BPF_STREAM_FMT_BASE_VAR). */
struct bs_fmt_table *bs_fmt_table__from_map(int map_fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info), key = 0;
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct bs_fmt_table *t = NULL;
	struct btf *btf;
	char *val = NULL;
	int i, err = -ENOENT;
	long base = -1;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return bs_err_ptr(-errno);
	if (info.type != BPF_MAP_TYPE_ARRAY || !info.btf_id || !info.btf_value_type_id ||
	    !info.value_size)
		return bs_err_ptr(-ENOENT);
	btf = bs_kernel_btf(info.btf_id);
	if (!btf)
		return bs_err_ptr(-errno ? -errno : -ENOENT);
	sec = btf__type_by_id(btf, info.btf_value_type_id);
	if (sec && btf_is_datasec(sec)) {
		vs = btf_var_secinfos(sec);
		for (i = 0; i < btf_vlen(sec); i++, vs++) {
			const struct btf_type *var = btf__type_by_id(btf, vs->type);
			const char *name = var ? btf__name_by_offset(btf, var->name_off) : NULL;

			if (name && !strcmp(name, BPF_STREAM_FMT_BASE_VAR)) {
				base = vs->offset;
				break;
			}
		}
	}
	btf__free(btf);
	if (base < 0)
		return bs_err_ptr(-ENOENT);
	val = calloc(1, info.value_size);
	if (!val)
		return bs_err_ptr(-ENOMEM);
	if (bpf_map_lookup_elem(map_fd, &key, val)) {
		err = -errno;
	} else {
		t = bs_fmt_table__new(val, info.value_size, base);
		err = t ? 0 : -errno;
	}
	free(val);
	return t ? t : bs_err_ptr(err);
}
