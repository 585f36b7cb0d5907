// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Result collection: the table on stdout and results.json. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/utsname.h>
#include "bench.h"

enum row_kind { ROW_SERIES, ROW_SUMMARY, ROW_VALUE, ROW_TARGET, ROW_NOTE };

struct row {
	enum row_kind kind;
	char section[32];
	char name[96];
	char unit[24];
	char base[96];
	struct series s;
	struct series ratio;
	bool has_ratio;
	double value;		/* ROW_VALUE; ROW_TARGET: target; ROW_SUMMARY: ratio */
	double med, min, max;	/* ROW_SUMMARY */
	bool upper;		/* ROW_TARGET */
	char text[1024];
};

static struct row rows[256];
static int nr_rows;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double series_median(const struct series *s)
{
	double v[BENCH_MAX_RUNS];

	if (!s->n)
		return NAN;
	memcpy(v, s->v, s->n * sizeof(v[0]));
	qsort(v, s->n, sizeof(v[0]), cmp_double);
	return s->n % 2 ? v[s->n / 2] : (v[s->n / 2 - 1] + v[s->n / 2]) / 2;
}

double series_min(const struct series *s)
{
	double m = INFINITY;

	for (int i = 0; i < s->n; i++)
		m = fmin(m, s->v[i]);
	return s->n ? m : NAN;
}

double series_max(const struct series *s)
{
	double m = -INFINITY;

	for (int i = 0; i < s->n; i++)
		m = fmax(m, s->v[i]);
	return s->n ? m : NAN;
}

void series_ratio(struct series *out, const struct series *a, const struct series *b)
{
	out->n = 0;
	for (int i = 0; i < a->n && i < b->n; i++)
		series_add(out, b->v[i] ? a->v[i] / b->v[i] : NAN);
}

static struct row *row_new(enum row_kind kind, const char *section, const char *name)
{
	struct row *r;

	if (nr_rows == (int)(sizeof(rows) / sizeof(rows[0])))
		return NULL;
	r = &rows[nr_rows++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	snprintf(r->section, sizeof(r->section), "%s", section);
	snprintf(r->name, sizeof(r->name), "%s", name ? name : "");
	return r;
}

void bench_row(const char *section, const char *name, const char *unit,
	       const struct series *s, const char *base, const struct series *ratio,
	       const char *fmt, ...)
{
	struct row *r = row_new(ROW_SERIES, section, name);
	va_list ap;

	if (!r)
		return;
	snprintf(r->unit, sizeof(r->unit), "%s", unit);
	r->s = *s;
	if (base)
		snprintf(r->base, sizeof(r->base), "%s", base);
	if (ratio) {
		r->ratio = *ratio;
		r->has_ratio = true;
	}
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(r->text, sizeof(r->text), fmt, ap);
		va_end(ap);
	}
}

void bench_row_summary(const char *section, const char *name, const char *unit, double med,
		       double min, double max, const char *base, double ratio_med,
		       const char *fmt, ...)
{
	struct row *r = row_new(ROW_SUMMARY, section, name);
	va_list ap;

	if (!r)
		return;
	snprintf(r->unit, sizeof(r->unit), "%s", unit);
	r->med = med;
	r->min = min;
	r->max = max;
	r->value = ratio_med;
	if (base)
		snprintf(r->base, sizeof(r->base), "%s", base);
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(r->text, sizeof(r->text), fmt, ap);
		va_end(ap);
	}
}

void bench_value(const char *section, const char *name, const char *unit, double v,
		 const char *fmt, ...)
{
	struct row *r = row_new(ROW_VALUE, section, name);
	va_list ap;

	if (!r)
		return;
	snprintf(r->unit, sizeof(r->unit), "%s", unit);
	r->value = v;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(r->text, sizeof(r->text), fmt, ap);
		va_end(ap);
	}
}

void bench_target(const char *name, const struct series *ratio, double target, bool upper,
		  const char *fmt, ...)
{
	struct row *r = row_new(ROW_TARGET, "targets", name);
	va_list ap;

	if (!r)
		return;
	r->ratio = *ratio;
	r->value = target;
	r->upper = upper;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(r->text, sizeof(r->text), fmt, ap);
		va_end(ap);
	}
}

void bench_note(const char *section, const char *fmt, ...)
{
	struct row *r = row_new(ROW_NOTE, section, NULL);
	va_list ap;

	if (!r)
		return;
	va_start(ap, fmt);
	vsnprintf(r->text, sizeof(r->text), fmt, ap);
	va_end(ap);
}

static bool target_met(const struct row *r)
{
	double m = series_median(&r->ratio);

	return r->upper ? m <= r->value : m >= r->value;
}

/* Three significant digits, no exponent for the usual ranges. */
static const char *fmt_num(char *buf, size_t sz, double v)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(buf, sz, "n/a");
	else if (a >= 100 || a == 0)
		snprintf(buf, sz, "%.0f", v);
	else if (a >= 10)
		snprintf(buf, sz, "%.1f", v);
	else if (a >= 1)
		snprintf(buf, sz, "%.2f", v);
	else
		snprintf(buf, sz, "%.3f", v);
	return buf;
}

void bench_print(void)
{
	char a[32], b[32], c[32], d[32], e[32], f[32];
	const char *section = "";
	bool any_target = false;

	printf("%-44s %10s %-23s %-10s %s\n", "measurement", "median", "spread (min..max)",
	       "unit", "vs baseline (same run): median [min..max]");
	for (int i = 0; i < nr_rows; i++) {
		const struct row *r = &rows[i];

		if (r->kind == ROW_TARGET || r->kind == ROW_NOTE)
			continue;
		if (strcmp(section, r->section)) {
			section = r->section;
			printf("-- %s\n", section);
		}
		if (r->kind == ROW_VALUE) {
			printf("  %-42s %10s %-23s %-10s %s\n", r->name, fmt_num(a, sizeof(a), r->value),
			       "", r->unit, r->text);
			continue;
		}
		if (r->kind == ROW_SUMMARY) {
			snprintf(f, sizeof(f), "%s..%s", fmt_num(b, sizeof(b), r->min),
				 fmt_num(c, sizeof(c), r->max));
			printf("  %-42s %10s %-23s %-10s", r->name, fmt_num(a, sizeof(a), r->med),
			       f, r->unit);
			if (!isnan(r->value))
				printf(" %sx %s (ratio of medians)", fmt_num(d, sizeof(d), r->value),
				       r->base);
			if (r->text[0])
				printf(" (%s)", r->text);
			printf("\n");
			continue;
		}
		snprintf(f, sizeof(f), "%s..%s", fmt_num(b, sizeof(b), series_min(&r->s)),
			 fmt_num(c, sizeof(c), series_max(&r->s)));
		printf("  %-42s %10s %-23s %-10s", r->name, fmt_num(a, sizeof(a), series_median(&r->s)),
		       f, r->unit);
		if (r->has_ratio)
			printf(" %sx %s [%s..%s]", fmt_num(d, sizeof(d), series_median(&r->ratio)),
			       r->base, fmt_num(e, sizeof(e), series_min(&r->ratio)),
			       fmt_num(f, sizeof(f), series_max(&r->ratio)));
		if (r->text[0])
			printf(" (%s)", r->text);
		printf("\n");
	}
	printf("\n");
	for (int i = 0; i < nr_rows; i++) {
		if (rows[i].kind != ROW_NOTE)
			continue;
		printf("note [%s]: %s\n", rows[i].section, rows[i].text);
	}
	printf("\n");
	for (int i = 0; i < nr_rows; i++) {
		const struct row *r = &rows[i];

		if (r->kind != ROW_TARGET)
			continue;
		any_target = true;
		printf("ratio %-40s = %s [%s..%s]  target %s %s: %s%s%s\n", r->name,
		       fmt_num(a, sizeof(a), series_median(&r->ratio)),
		       fmt_num(b, sizeof(b), series_min(&r->ratio)),
		       fmt_num(c, sizeof(c), series_max(&r->ratio)), r->upper ? "<=" : ">=",
		       fmt_num(d, sizeof(d), r->value), target_met(r) ? "MET" : "MISSED",
		       r->text[0] ? " -- " : "", r->text);
	}
	if (!any_target)
		printf("no target could be checked\n");
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void json_num(FILE *f, double v)
{
	if (isnan(v) || isinf(v))
		fprintf(f, "null");
	else
		fprintf(f, "%.10g", v);
}

static void json_series(FILE *f, const char *key, const struct series *s)
{
	fprintf(f, "\"%s\": {\"median\": ", key);
	json_num(f, series_median(s));
	fprintf(f, ", \"min\": ");
	json_num(f, series_min(s));
	fprintf(f, ", \"max\": ");
	json_num(f, series_max(s));
	fprintf(f, ", \"runs\": [");
	for (int i = 0; i < s->n; i++) {
		fprintf(f, i ? ", " : "");
		json_num(f, s->v[i]);
	}
	fprintf(f, "]}");
}

static char load_start[64];

/* /proc/loadavg's first three fields, to record how quiet the machine was. */
static void read_load(char *buf, size_t sz)
{
	FILE *f = fopen("/proc/loadavg", "r");

	buf[0] = 0;
	if (f && fgets(buf, sz, f)) {
		char *p = buf;

		for (int i = 0; i < 3 && p; i++)
			p = strchr(p + 1, ' ');
		if (p)
			*p = 0;
	}
	if (f)
		fclose(f);
}

void bench_load_start(void)
{
	read_load(load_start, sizeof(load_start));
}

static void json_machine(FILE *f)
{
	char load_end[64];
	char model[256] = "unknown", line[512], date[64];
	struct utsname u;
	FILE *ci;
	time_t t = time(NULL);

	ci = fopen("/proc/cpuinfo", "r");
	while (ci && fgets(line, sizeof(line), ci)) {
		char *p = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && p) {
			snprintf(model, sizeof(model), "%s", p + 2);
			model[strcspn(model, "\n")] = 0;
			break;
		}
	}
	if (ci)
		fclose(ci);
	uname(&u);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	fprintf(f, "\"machine\": {\"kernel\": ");
	json_str(f, u.release);
	fprintf(f, ", \"cpu\": ");
	json_str(f, model);
	fprintf(f, ", \"date\": ");
	json_str(f, date);
	read_load(load_end, sizeof(load_end));
	fprintf(f, ", \"loadavg_start\": ");
	json_str(f, load_start);
	fprintf(f, ", \"loadavg_end\": ");
	json_str(f, load_end);
	fprintf(f, ", \"runs\": %d, \"repeat\": %d, \"fifo_consumer\": %s}", bench_cfg.runs,
		bench_cfg.repeat, bench_cfg.fifo ? "true" : "false");
}

/* Copy the kernel-patch file as is when it parses as JSON (checked with jq
 * beforehand by the caller); else null. */
static void json_file(FILE *f, const char *path)
{
	char buf[4096];
	FILE *in;
	size_t n;

	in = path ? fopen(path, "r") : NULL;
	if (!in) {
		fprintf(f, "null");
		return;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, f);
	fclose(in);
}

int bench_write_json(const char *path, const char *kernel_json_path)
{
	FILE *f = fopen(path, "w");
	bool first;

	if (!f)
		return -1;
	fprintf(f, "{\n  ");
	json_machine(f);
	fprintf(f, ",\n  \"rows\": [");
	first = true;
	for (int i = 0; i < nr_rows; i++) {
		const struct row *r = &rows[i];

		if (r->kind != ROW_SERIES && r->kind != ROW_VALUE && r->kind != ROW_SUMMARY)
			continue;
		fprintf(f, "%s\n    {\"section\": ", first ? "" : ",");
		first = false;
		json_str(f, r->section);
		fprintf(f, ", \"name\": ");
		json_str(f, r->name);
		fprintf(f, ", \"unit\": ");
		json_str(f, r->unit);
		if (r->kind == ROW_VALUE) {
			fprintf(f, ", \"value\": ");
			json_num(f, r->value);
		} else if (r->kind == ROW_SUMMARY) {
			fprintf(f, ", \"value\": {\"median\": ");
			json_num(f, r->med);
			fprintf(f, ", \"min\": ");
			json_num(f, r->min);
			fprintf(f, ", \"max\": ");
			json_num(f, r->max);
			fprintf(f, "}");
			if (!isnan(r->value)) {
				fprintf(f, ", \"baseline\": ");
				json_str(f, r->base);
				fprintf(f, ", \"ratio_of_medians\": ");
				json_num(f, r->value);
			}
		} else {
			fprintf(f, ", ");
			json_series(f, "value", &r->s);
		}
		if (r->has_ratio) {
			fprintf(f, ", \"baseline\": ");
			json_str(f, r->base);
			fprintf(f, ", ");
			json_series(f, "ratio", &r->ratio);
		}
		fprintf(f, ", \"note\": ");
		json_str(f, r->text);
		fprintf(f, "}");
	}
	fprintf(f, "\n  ],\n  \"targets\": [");
	first = true;
	for (int i = 0; i < nr_rows; i++) {
		const struct row *r = &rows[i];

		if (r->kind != ROW_TARGET)
			continue;
		fprintf(f, "%s\n    {\"name\": ", first ? "" : ",");
		first = false;
		json_str(f, r->name);
		fprintf(f, ", ");
		json_series(f, "ratio", &r->ratio);
		fprintf(f, ", \"target\": ");
		json_num(f, r->value);
		fprintf(f, ", \"op\": \"%s\", \"met\": %s, \"note\": ", r->upper ? "<=" : ">=",
			target_met(r) ? "true" : "false");
		json_str(f, r->text);
		fprintf(f, "}");
	}
	fprintf(f, "\n  ],\n  \"notes\": [");
	first = true;
	for (int i = 0; i < nr_rows; i++) {
		if (rows[i].kind != ROW_NOTE)
			continue;
		fprintf(f, "%s\n    {\"section\": ", first ? "" : ",");
		first = false;
		json_str(f, rows[i].section);
		fprintf(f, ", \"text\": ");
		json_str(f, rows[i].text);
		fprintf(f, "}");
	}
	fprintf(f, "\n  ],\n  \"kernel_patch\": ");
	json_file(f, kernel_json_path);
	fprintf(f, "\n}\n");
	return fclose(f) ? -1 : 0;
}
