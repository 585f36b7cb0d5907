// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace bprintf for the harness. bpf_bprintf_prepare() enforces the
 * kernel's format rules for BPF programs; bstr_printf() formats from what
 * prepare recorded. The binary argument layout is private to this file
 * (stream.c only passes data.bin_args through).
 *
 * Rules enforced, as in kernel/bpf/helpers.c:
 * - the format is NUL-terminated within fmt_size, ASCII printable or space;
 * - at most MAX_BPRINTF_VARARGS arguments, no more conversions than args;
 * - conversions: %% %c %s %ks %us %p %pK %px %pB %pi4 %pI4 %pi6 %pI6 and
 *   %[l[l]]{d,i,u,x,X}, after optional flags [0 +-] and a decimal width;
 *   no precision, no %n, no floating point; a string conversion must be
 *   followed by the end, a space or a punctuation character;
 * - at most MAX_BPRINTF_NEST_LEVEL nested users of the format buffers per
 *   CPU (per thread here), else -EBUSY.
 */
#include <arpa/inet.h>
#include <linux/kernel.h>
#include <linux/bpf.h>
#include "harness.h"

#define MAX_BPRINTF_NEST_LEVEL	3

enum arg_kind { ARG_INT, ARG_LONG, ARG_LLONG, ARG_CHAR, ARG_STR, ARG_PTR,
		ARG_IP4, ARG_IP6 };

struct bin_args {
	u64 raw[MAX_BPRINTF_VARARGS];
	u32 num;
};

static __thread struct bin_args bin_bufs[MAX_BPRINTF_NEST_LEVEL];
static __thread char out_bufs[MAX_BPRINTF_NEST_LEVEL][MAX_BPRINTF_BUF];
static __thread int nest;
/* per thread: a shared counter would bounce between CPUs in the bench */
static __thread unsigned long prepare_calls;

unsigned long harness_bprintf_calls(void)
{
	return prepare_calls;
}

/*
 * Parse one conversion at fmt[*i] (just after '%'). Returns its kind or
 * -EINVAL; *i is left on the conversion's last character.
 */
static int parse_spec(const char *fmt, u32 *i)
{
	u32 j = *i;
	int kind;

	while (fmt[j] == '0' || fmt[j] == '+' || fmt[j] == '-' || fmt[j] == ' ')
		j++;
	if (fmt[j] >= '1' && fmt[j] <= '9')
		while (fmt[j] >= '0' && fmt[j] <= '9')
			j++;

	if (fmt[j] == 'p') {
		char c = fmt[j + 1];

		if (c == 'K' || c == 'x' || c == 'B') {
			j++;
			kind = ARG_PTR;
		} else if ((c == 'k' || c == 'u') && fmt[j + 2] == 's') {
			j += 2;
			kind = ARG_STR;
		} else if (c == 0 || isspace((unsigned char)c) ||
			   ispunct((unsigned char)c)) {
			kind = ARG_PTR;
		} else if ((c == 'i' || c == 'I') &&
			   (fmt[j + 2] == '4' || fmt[j + 2] == '6')) {
			kind = fmt[j + 2] == '4' ? ARG_IP4 : ARG_IP6;
			j += 2;
		} else {
			return -EINVAL;
		}
	} else if (fmt[j] == 's') {
		kind = ARG_STR;
	} else if (fmt[j] == 'c') {
		kind = ARG_CHAR;
	} else {
		kind = ARG_INT;
		if (fmt[j] == 'l') {
			kind = ARG_LONG;
			j++;
		}
		if (fmt[j] == 'l') {
			kind = ARG_LLONG;
			j++;
		}
		if (fmt[j] != 'd' && fmt[j] != 'i' && fmt[j] != 'u' &&
		    fmt[j] != 'x' && fmt[j] != 'X')
			return -EINVAL;
	}
	if (kind == ARG_STR && fmt[j + 1] && !isspace((unsigned char)fmt[j + 1]) &&
	    !ispunct((unsigned char)fmt[j + 1]))
		return -EINVAL;
	*i = j;
	return kind;
}

int bpf_bprintf_prepare(const char *fmt, u32 fmt_size, const u64 *raw_args,
			u32 num_args, struct bpf_bprintf_data *data)
{
	const char *end;
	u32 i, num_spec = 0;

	prepare_calls++;
	if (num_args > MAX_BPRINTF_VARARGS)
		return -EINVAL;
	end = memchr(fmt, 0, fmt_size);
	if (!end)
		return -EINVAL;
	fmt_size = end - fmt;

	for (i = 0; i < fmt_size; i++) {
		unsigned char c = fmt[i];

		if ((!isprint(c) && !isspace(c)) || !isascii(c))
			return -EINVAL;
		if (c != '%')
			continue;
		if (fmt[i + 1] == '%') {
			i++;
			continue;
		}
		if (num_spec >= num_args)
			return -EINVAL;
		i++;
		if (parse_spec(fmt, &i) < 0)
			return -EINVAL;
		num_spec++;
	}

	if (data->get_bin_args || data->get_buf) {
		if (nest >= MAX_BPRINTF_NEST_LEVEL)
			return -EBUSY;
		nest++;
	}
	if (data->get_bin_args) {
		struct bin_args *b = &bin_bufs[nest - 1];

		b->num = num_args;
		if (num_args)
			memcpy(b->raw, raw_args, num_args * sizeof(u64));
		data->bin_args = (u32 *)b;
	}
	if (data->get_buf)
		data->buf = out_bufs[nest - 1];
	return 0;
}

void bpf_bprintf_cleanup(struct bpf_bprintf_data *data)
{
	if (!data->get_bin_args && !data->get_buf)
		return;
	if (nest <= 0) {
		fprintf(stderr, "harness: bprintf cleanup without prepare\n");
		abort();
	}
	nest--;
}

/* The per-CPU buffers of 7.2's bpf_try_get_buffers(), same nesting. */
static __thread struct bpf_bprintf_buffers whole_bufs[MAX_BPRINTF_NEST_LEVEL];

int bpf_try_get_buffers(struct bpf_bprintf_buffers **bufs)
{
	if (nest >= MAX_BPRINTF_NEST_LEVEL)
		return -EBUSY;
	*bufs = &whole_bufs[nest++];
	return 0;
}

void bpf_put_buffers(void)
{
	if (nest <= 0) {
		fprintf(stderr, "harness: bpf_put_buffers() without a get\n");
		abort();
	}
	nest--;
}

struct out {
	char *buf;
	size_t size, len;
};

static void emit(struct out *o, const char *s, size_t n)
{
	if (o->len < o->size) {
		size_t room = o->size - 1 - o->len;

		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

/* Format like the kernel's bstr_printf(): returns the untruncated length. */
int bstr_printf(char *buf, size_t size, const char *fmt, const u32 *bin_buf)
{
	const struct bin_args *b = (const struct bin_args *)bin_buf;
	struct out o = { .buf = buf, .size = size };
	u32 i, arg = 0;
	char tmp[128];

	for (i = 0; fmt[i]; i++) {
		char spec[32];
		u32 start, flen;
		int kind, n = 0;
		u64 v;

		if (fmt[i] != '%') {
			emit(&o, &fmt[i], 1);
			continue;
		}
		if (fmt[i + 1] == '%') {
			emit(&o, "%", 1);
			i++;
			continue;
		}
		start = ++i;
		kind = parse_spec(fmt, &i);
		if (kind < 0 || arg >= b->num)
			abort();	/* prepare accepted it: cannot happen */
		v = b->raw[arg++];
		/* flags and width, as written */
		for (flen = 0; start + flen < i && strchr("0+- 123456789", fmt[start + flen]) &&
		     flen < 16; flen++)
			;
		if (fmt[start + flen] >= '0' && fmt[start + flen] <= '9')
			flen = 16;	/* cannot happen: width fits in 16 */
		spec[0] = '%';
		memcpy(spec + 1, fmt + start, flen);
		spec[1 + flen] = 0;

		switch (kind) {
		case ARG_INT:
		case ARG_LONG:
		case ARG_LLONG: {
			char conv = fmt[i];
			bool sgn = conv == 'd' || conv == 'i';

			strcat(spec, "ll");
			strncat(spec, &conv, 1);
			if (kind == ARG_INT)
				v = sgn ? (u64)(s64)(s32)v : (u64)(u32)v;
			n = sgn ? snprintf(tmp, sizeof(tmp), spec, (long long)v)
				: snprintf(tmp, sizeof(tmp), spec, (unsigned long long)v);
			break;
		}
		case ARG_CHAR:
			strcat(spec, "c");
			n = snprintf(tmp, sizeof(tmp), spec, (int)(char)v);
			break;
		case ARG_PTR:
			strcat(spec, "llx");
			n = snprintf(tmp, sizeof(tmp), spec, (unsigned long long)v);
			break;
		case ARG_IP4:
		case ARG_IP6: {
			char addr[INET6_ADDRSTRLEN];

			if (!v || !inet_ntop(kind == ARG_IP4 ? AF_INET : AF_INET6,
					     (const void *)(uintptr_t)v, addr, sizeof(addr)))
				strcpy(addr, "(null)");
			strcat(spec, "s");
			n = snprintf(tmp, sizeof(tmp), spec, addr);
			break;
		}
		case ARG_STR: {
			const char *s = v ? (const char *)(uintptr_t)v : "(null)";
			size_t slen = strlen(s);

			/* width padding is rare in tests: handle the plain case */
			if (flen == 0) {
				emit(&o, s, slen);
				continue;
			}
			strcat(spec, "s");
			n = snprintf(tmp, sizeof(tmp), spec, s);
			break;
		}
		}
		if (n > (int)sizeof(tmp) - 1)
			n = sizeof(tmp) - 1;
		emit(&o, tmp, n);
	}
	if (size)
		o.buf[o.len < size ? o.len : size - 1] = 0;
	return o.len;
}
