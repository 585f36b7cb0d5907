// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf-stream sites PROG [object]: list a program's call sites, their levels,
 * switches and counts.
 * bpf-stream ctl PROG [object] [level LEVEL] [site SITE on|off] [rate N/s [burst B] | rate off]:
 * switch them while the program runs (docs/control.md).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"

void help_sites(FILE *f)
{
	fprintf(f,
		"Usage: " BIN_NAME " sites PROG [object]\n"
		"  List the call sites of the programs PROG names (bpf_stream_printk/error/\n"
		"  warn/info/debug): control id, level, state, rate limit, counts (printed,\n"
		"  suppressed by the rate limit, silenced while off, dropped), source\n"
		"  FILE:LINE and format. 'object': every site of the program's object.\n"
		"  PROG := { id ID | pinned FILE | name NAME | tag TAG | all }\n");
}

void help_ctl(FILE *f)
{
	fprintf(f,
		"Usage: " BIN_NAME " ctl PROG [object] [level LEVEL] [site SITE { on | off }]\n"
		"                     [rate { N/s [burst B] | off }]\n"
		"  Switch call sites of running programs; the next call sees it, no reload.\n"
		"  Without 'site', every site of PROG (or of its object) is changed.\n"
		"  LEVEL := { error | warn | info | debug }  leveled sites up to LEVEL print,\n"
		"           the others are silent (bpf_stream_printk() sites are not leveled)\n"
		"  SITE  := { ID | FILE:LINE }  as 'sites' lists them\n"
		"  rate N/s: at most N messages per second (bursts of B, default N); the\n"
		"           rest are counted as suppressed; 'rate off' removes the limit\n"
		"  PROG  := { id ID | pinned FILE | name NAME | tag TAG | all }\n");
}

static bool is_prog_word(const char *w)
{
	return is_prefix(w, "id") || is_prefix(w, "pinned") || is_prefix(w, "name") ||
	       is_prefix(w, "tag") || !strcmp(w, "all");
}

/* Split argv into the PROG part, parsed into @sels, and the rest. */
static int ctl_progs(int *argc, char ***argv, struct prog_sel **sels, int *nr_sels)
{
	int n = 0, ret, pargc;
	char **pargv = *argv;
	__u32 streams;

	while (n < *argc && is_prog_word((*argv)[n]))
		n += strcmp((*argv)[n], "all") ? 2 : 1;
	if (n > *argc)
		n = *argc;
	pargc = n;
	ret = parse_progs(&pargc, &pargv, INT_MAX, sels, nr_sels, &streams);
	if (ret)
		return ret;
	if (pargc)
		return usage_err("unexpected argument '%s'", pargv[0]);
	*argc -= n;
	*argv += n;
	return EXIT_OK;
}

static const char *mode_str(const struct bpf_stream_site *s)
{
	if (s->mode == BPF_STREAM_CTL_RATE)
		return "rate";
	if (s->mode == BPF_STREAM_CTL_DEFAULT)
		return s->enabled ? "on" : "off*";
	return s->enabled ? "on!" : "off";
}

/* The format on one line: \n and \t shown escaped. */
static void print_fmt(const char *f)
{
	for (; *f; f++) {
		if (*f == '\n')
			fputs("\\n", stdout);
		else if (*f == '\t')
			fputs("\\t", stdout);
		else
			putchar(*f);
	}
}

static int sites_one(const struct prog_ref *r, bool object, bool many)
{
	struct bpf_stream_sites_opts opts = { .sz = sizeof(opts), .object = object };
	struct bpf_stream_sites *s;
	size_t i, n;

	s = bpf_stream_sites__new(r->fd, &opts);
	if (!s) {
		int err = errno;

		if (err == EOPNOTSUPP && many) {
			p_verbose("program %u (%s): no call-site controls, skipped", r->id, r->name);
			return EXIT_OK;
		}
		if (err == EOPNOTSUPP)
			return p_err(EXIT_FAIL,
				     "program %u (%s): no call-site controls (not built with a bpf_stream.h that has them)",
				     r->id, r->name);
		return p_err_errno(err, "reading the call sites of program %u (%s)", r->id, r->name);
	}
	n = bpf_stream_sites__cnt(s);
	if (json_output) {
		jsonw_start_object(&json_wtr);
		jsonw_uint_field(&json_wtr, "prog_id", r->id);
		jsonw_string_field(&json_wtr, "prog_name", r->name);
		jsonw_name(&json_wtr, "sites");
		jsonw_start_array(&json_wtr);
	} else {
		printf("program %u (%s): %zu call site%s\n", r->id, r->name, n, n == 1 ? "" : "s");
		if (n)
			printf("%4s %-5s %-6s %-4s %8s %10s %10s %10s %8s  %s\n", "ID", "LEVEL",
			       "STREAM", "STATE", "RATE", "PRINTED", "SUPPRESSED", "SILENCED",
			       "DROPPED", "SOURCE  FORMAT");
	}
	for (i = 0; i < n; i++) {
		const struct bpf_stream_site *t = bpf_stream_sites__get(s, i);
		char rate[24];

		if (json_output) {
			jsonw_start_object(&json_wtr);
			jsonw_uint_field(&json_wtr, "id", t->id);
			jsonw_uint_field(&json_wtr, "site", t->site);
			jsonw_string_field(&json_wtr, "level", bpf_stream_level_str(t->level));
			if (t->stream_id)
				jsonw_string_field(&json_wtr, "stream", stream_str(t->stream_id));
			else
				jsonw_string_field(&json_wtr, "stream", "any");
			jsonw_bool_field(&json_wtr, "enabled", t->enabled);
			jsonw_bool_field(&json_wtr, "default", t->mode == BPF_STREAM_CTL_DEFAULT);
			jsonw_uint_field(&json_wtr, "rate", t->rate);
			jsonw_uint_field(&json_wtr, "burst", t->burst);
			jsonw_uint_field(&json_wtr, "printed", t->printed);
			jsonw_uint_field(&json_wtr, "suppressed", t->suppressed);
			jsonw_uint_field(&json_wtr, "silenced", t->silenced);
			jsonw_uint_field(&json_wtr, "dropped", t->dropped);
			jsonw_string_field(&json_wtr, "file", t->file);
			jsonw_uint_field(&json_wtr, "line", t->line);
			jsonw_string_field(&json_wtr, "format", t->fmt);
			jsonw_uint_field(&json_wtr, "shared", t->nshared);
			jsonw_end_object(&json_wtr);
			continue;
		}
		if (t->rate)
			snprintf(rate, sizeof(rate), "%u/s", t->rate);
		else
			snprintf(rate, sizeof(rate), "-");
		printf("%4u %-5s %-6s %-4s %8s %10llu %10llu %10llu %8llu  %s:%u  ", t->id,
		       bpf_stream_level_str(t->level), t->stream_id ? stream_str(t->stream_id) : "any",
		       mode_str(t), rate, (unsigned long long)t->printed,
		       (unsigned long long)t->suppressed, (unsigned long long)t->silenced,
		       (unsigned long long)t->dropped, t->file, t->line);
		print_fmt(t->fmt);
		if (t->nshared)
			printf("  [switch shared with %u other site%s]", t->nshared,
			       t->nshared == 1 ? "" : "s");
		putchar('\n');
	}
	if (json_output) {
		jsonw_end_array(&json_wtr);
		jsonw_end_object(&json_wtr);
	}
	bpf_stream_sites__free(s);
	return EXIT_OK;
}

int do_sites(int argc, char **argv)
{
	struct prog_sel *sels = NULL;
	struct prog_ref *refs = NULL;
	int nr_refs = 0, nr_sels = 0, i, ret;
	bool object = false;

	ret = ctl_progs(&argc, &argv, &sels, &nr_sels);
	if (ret)
		goto out;
	if (argc && is_prefix(argv[0], "object")) {
		object = true;
		argc--, argv++;
	}
	if (argc) {
		ret = usage_err("unexpected argument '%s'", argv[0]);
		goto out;
	}
	ret = resolve_progs(sels, nr_sels, true, NULL, 0, &refs, &nr_refs);
	if (ret)
		goto out;
	if (json_output)
		jsonw_start_array(&json_wtr);
	for (i = 0; i < nr_refs && !ret; i++)
		ret = sites_one(&refs[i], object, nr_refs > 1 || sels[0].kind == PROG_SEL_ALL);
	if (json_output)
		jsonw_end_array(&json_wtr);
	if (!ret && (ferror(stdout) || (json_output && json_wtr.err)))
		ret = out_err_status(-EIO);
out:
	free_prog_refs(refs, nr_refs);
	free(sels);
	return ret;
}

/* "N/s" or "N": messages per second, 1..1e9. */
static int parse_rate(const char *s, __u32 *rate)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *s == '-' || *s == '+' || (*end && strcmp(end, "/s")))
		return usage_err("bad rate '%s': expected N/s (N messages per second) or off", s);
	if (v == 0 || v > 1000000000UL)
		return usage_err("bad rate '%s': N must be 1..1000000000 ('rate off' removes a limit)", s);
	*rate = (__u32)v;
	return EXIT_OK;
}

int do_ctl(int argc, char **argv)
{
	struct bpf_stream_ctl_opts opts = { .sz = sizeof(opts) };
	struct prog_sel *sels = NULL;
	struct prog_ref *refs = NULL;
	int nr_refs = 0, nr_sels = 0, i, ret, done = 0;
	bool any = false, many;

	ret = ctl_progs(&argc, &argv, &sels, &nr_sels);
	if (ret)
		goto out;
	while (argc > 0 && !ret) {
		const char *w = argv[0];

		if (is_prefix(w, "object")) {
			opts.object = true;
			argc--, argv++;
			continue;
		}
		if (argc < 2) {
			ret = usage_err("'%s' needs a value", w);
			break;
		}
		any = true;
		if (is_prefix(w, "level")) {
			opts.level = bpf_stream_level_parse(argv[1]);
			if (opts.level < 0)
				ret = usage_err("bad level '%s': expected error, warn, info or debug",
						argv[1]);
			argc -= 2, argv += 2;
		} else if (is_prefix(w, "site")) {
			if (argc < 3) {
				ret = usage_err("'site %s' needs on or off", argv[1]);
				break;
			}
			opts.site = argv[1];
			if (!strcmp(argv[2], "on"))
				opts.enable = 1;
			else if (!strcmp(argv[2], "off"))
				opts.enable = -1;
			else
				ret = usage_err("bad switch '%s' for site %s: expected on or off",
						argv[2], argv[1]);
			argc -= 3, argv += 3;
		} else if (is_prefix(w, "rate")) {
			if (!strcmp(argv[1], "off"))
				opts.no_rate = true;
			else
				ret = parse_rate(argv[1], &opts.rate);
			argc -= 2, argv += 2;
			if (!ret && argc >= 2 && is_prefix(argv[0], "burst")) {
				unsigned long b;
				char *end;

				errno = 0;
				b = strtoul(argv[1], &end, 10);
				if (errno || *end || end == argv[1] || argv[1][0] == '-' || !b ||
				    b > UINT_MAX || !opts.rate)
					ret = usage_err("bad burst '%s': expected 1.. after 'rate N/s'",
							argv[1]);
				opts.burst = (__u32)b;
				argc -= 2, argv += 2;
			}
		} else {
			ret = usage_err("unexpected argument '%s': expected level, site, rate or object",
					w);
		}
	}
	if (ret)
		goto out;
	if (!any) {
		ret = usage_err("nothing to change: give level, site or rate");
		goto out;
	}
	ret = resolve_progs(sels, nr_sels, true, NULL, 0, &refs, &nr_refs);
	if (ret)
		goto out;
	if (json_output)
		jsonw_start_array(&json_wtr);
	many = nr_refs > 1 || sels[0].kind == PROG_SEL_ALL;
	for (i = 0; i < nr_refs && !ret; i++) {
		int n = bpf_stream_ctl_set(refs[i].fd, &opts);

		/* several programs: the ones without controls, or without
		 * that site, are skipped; one of them must have it */
		if (many && (n == -EOPNOTSUPP || (n == -ENOENT && opts.site))) {
			p_verbose("program %u (%s): %s, skipped", refs[i].id, refs[i].name,
				  n == -ENOENT ? "no such call site" : "no call-site controls");
			continue;
		}
		if (n >= 0)
			done++;
		if (n == -ENOENT && opts.site) {
			ret = p_err(EXIT_NOPROG, "program %u (%s): no call site '%s' (see '" BIN_NAME
				    " sites')", refs[i].id, refs[i].name, opts.site);
		} else if (n == -EEXIST) {
			ret = p_err(EXIT_FAIL, "program %u (%s): call site '%s' shares its switch with another call site of its object (files linked without their own -DBPF_STREAM_SITE_BASE); switch them together with 'level'",
				    refs[i].id, refs[i].name, opts.site);
		} else if (n == -EOPNOTSUPP) {
			ret = p_err(EXIT_FAIL,
				    "program %u (%s): no call-site controls (not built with a bpf_stream.h that has them)",
				    refs[i].id, refs[i].name);
		} else if (n < 0) {
			ret = p_err_errno(n, "switching call sites of program %u (%s)", refs[i].id,
					  refs[i].name);
		} else if (json_output) {
			jsonw_start_object(&json_wtr);
			jsonw_uint_field(&json_wtr, "prog_id", refs[i].id);
			jsonw_string_field(&json_wtr, "prog_name", refs[i].name);
			jsonw_uint_field(&json_wtr, "changed", (unsigned)n);
			jsonw_end_object(&json_wtr);
		} else {
			printf("program %u (%s): %d call site%s changed\n", refs[i].id, refs[i].name,
			       n, n == 1 ? "" : "s");
		}
	}
	if (json_output)
		jsonw_end_array(&json_wtr);
	if (!ret && many && !done)
		ret = p_err(opts.site ? EXIT_NOPROG : EXIT_FAIL,
			    opts.site ? "no program named has the call site '%s'" :
					"no program named has call-site controls%s",
			    opts.site ? opts.site : "");
	if (!ret && (ferror(stdout) || (json_output && json_wtr.err)))
		ret = out_err_status(-EIO);
out:
	free_prog_refs(refs, nr_refs);
	free(sels);
	return ret;
}
