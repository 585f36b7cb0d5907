// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Source lines of call sites: the BPF source file, line and function of a
 * translated instruction of a loaded program, asked of the kernel like
 * bpftool prog dump xlated linum does (BPF_OBJ_GET_INFO_BY_FD line_info and
 * func_info, whose insn_off the verifier keeps in step with the translated
 * instructions, and the program's BTF for the strings).
 *
 * A ring record's call site is a load of its format string (sites.c). That
 * load sits in bpf_stream.h's inlined helpers, so the line info in force
 * there is the header's; the call is the nearest line before it in the
 * file of the function that contains it (the file of the function's first
 * line): the line of the bpf_stream_printk() call, or of the printing
 * helper's call when the program prints through an inlined helper of its
 * own from another file.
 *
 * The current message: while a reader calls its callback it says which
 * message of which program, and where its call site is (bs_msg_cur_set), so
 * that bpf_stream_journal_print() can add CODE_FILE/CODE_LINE/CODE_FUNC
 * without a field in struct bpf_stream_msg (whose size callers fix). The
 * line info is fetched on the first question about a program, not before.
 */
#include <stdlib.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "stream_internal.h"

static int srcline_load(struct bs_srcline *c, int prog_fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info), nl, nf;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	nl = info.nr_line_info;
	nf = info.nr_func_info;
	if (!info.btf_id || !nl)
		return -ENOENT;
	if (info.line_info_rec_size < sizeof(struct bpf_line_info) ||
	    (nf && info.func_info_rec_size < sizeof(struct bpf_func_info)))
		return -EPROTO;
	c->linfo = calloc(nl, sizeof(*c->linfo));
	c->finfo = nf ? calloc(nf, sizeof(*c->finfo)) : NULL;
	if (!c->linfo || (nf && !c->finfo))
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	info.nr_line_info = nl;
	info.line_info_rec_size = sizeof(struct bpf_line_info);
	info.line_info = (__u64)(unsigned long)c->linfo;
	info.nr_func_info = nf;
	info.func_info_rec_size = sizeof(struct bpf_func_info);
	info.func_info = (__u64)(unsigned long)c->finfo;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	c->nr_linfo = info.nr_line_info < nl ? info.nr_line_info : nl;
	c->nr_finfo = info.nr_func_info < nf ? info.nr_func_info : nf;
	c->btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!c->btf)
		return -errno;
	return 0;
}

int bs_srcline__find(struct bs_srcline *c, int prog_fd, __u32 insn, struct bs_srcline_loc *loc)
{
	__u32 lo, hi, i, site, first, start = 0;
	const char *ffile;

	memset(loc, 0, sizeof(*loc));
	if (!c->tried) {
		c->tried = true;
		c->err = prog_fd < 0 ? -EBADF : srcline_load(c, prog_fd);
		if (c->err)
			pr_debug("no BTF line info for the call sites of program fd %d: %s\n", prog_fd,
				 strerror(-c->err));
	}
	if (c->err)
		return c->err;
	/* the last line info at or before @insn */
	for (lo = 0, hi = c->nr_linfo; lo < hi;) {
		__u32 mid = (lo + hi) / 2;

		if (c->linfo[mid].insn_off <= insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -ENOENT;
	site = lo - 1;
	/* the function the site is in, and its first line info */
	for (i = 0; i < c->nr_finfo && c->finfo[i].insn_off <= insn; i++) {
		const struct btf_type *t = btf__type_by_id(c->btf, c->finfo[i].type_id);

		loc->func = t ? btf__name_by_offset(c->btf, t->name_off) : NULL;
		start = c->finfo[i].insn_off;
	}
	for (first = 0; first < site && c->linfo[first].insn_off < start; first++)
		;
	/*
	 * The load of the format is inside bpf_stream.h's inlined helpers,
	 * whose lines are the header's: the call is the nearest line before
	 * it in the function's own file (the file of its first line).
	 */
	ffile = btf__name_by_offset(c->btf, c->linfo[first].file_name_off);
	for (i = site; ffile && i > first; i--) {
		const char *f = btf__name_by_offset(c->btf, c->linfo[i].file_name_off);

		if (f && !strcmp(f, ffile))
			break;
	}
	loc->file = btf__name_by_offset(c->btf, c->linfo[i].file_name_off);
	loc->line = BPF_LINE_INFO_LINE_NUM(c->linfo[i].line_col);
	if (!loc->file || !loc->file[0] || !loc->line) {
		memset(loc, 0, sizeof(*loc));
		return -ENOENT;
	}
	return 0;
}

void bs_srcline__clear(struct bs_srcline *c)
{
	free(c->linfo);
	free(c->finfo);
	btf__free(c->btf);
	memset(c, 0, sizeof(*c));
}

/* ---- the message a reader's callback is given now --------------------------- */

static __thread struct {
	const char *text;	/* the message's text: a copy of the message has it too */
	struct bs_srcline *cache;
	int prog_fd;
	__u32 insn1;
} cur;

void bs_msg_cur_set(const struct bpf_stream_msg *msg, struct bs_srcline *cache, int prog_fd,
		    __u32 insn1)
{
	cur.text = msg && insn1 ? msg->text : NULL;
	cur.cache = cache;
	cur.prog_fd = prog_fd;
	cur.insn1 = insn1;
}

int bs_msg_srcline(const struct bpf_stream_msg *msg, struct bs_srcline_loc *loc)
{
	memset(loc, 0, sizeof(*loc));
	if (!msg || !cur.text || msg->text != cur.text)
		return -ENOENT;
	return bs_srcline__find(cur.cache, cur.prog_fd, cur.insn1 - 1, loc);
}
