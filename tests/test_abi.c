// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ABI and install checks (issue 8, hardening):
 *  - the dynamic symbols $(O)/libbpf-stream.so exports are exactly the
 *    global names of libbpf-stream/libbpf_stream.map, all versioned;
 *  - nothing without the bpf_stream prefix is exported, except
 *    bpf_prog_stream_read (libbpf 1.6's name, provided only when the libbpf
 *    we build against lacks it; then it must be there, else absent);
 *  - every function declared BPF_STREAM_API in libbpf_stream.h is in the
 *    map and the reverse; the static archive defines no global name outside
 *    bpf_stream* / bs_* (internal names must not collide in static links);
 *  - `make install DESTDIR=... PREFIX=/usr` stages the contract's layout
 *    and a consumer built only from `pkg-config --cflags --libs
 *    libbpf-stream` (PKG_CONFIG_SYSROOT_DIR + PKG_CONFIG_PATH) compiles,
 *    links against the staged .so, runs; also statically, and a BPF
 *    program compiles against the staged <bpf_stream.h>.
 * Tools are run as subprocesses (nm, readelf, make, cc, clang).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libbpf_stream.h>

#define MAX_SYMS 512
#define LIB_SO BUILD_DIR "/libbpf-stream.so"
#define LIB_A BUILD_DIR "/libbpf-stream.a"
#define MAP_FILE SRC_DIR "/libbpf-stream/libbpf_stream.map"
#define API_HDR SRC_DIR "/libbpf-stream/libbpf_stream.h"

struct symset {
	char *name[MAX_SYMS];
	char *version[MAX_SYMS];
	int n;
};

static void symset_add(struct symset *s, const char *name, size_t len, const char *ver)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (strlen(s->name[i]) == len && !strncmp(s->name[i], name, len))
			return;
	cr_assert_lt(s->n, MAX_SYMS, "too many symbols");
	s->name[s->n] = strndup(name, len);
	s->version[s->n] = ver ? strdup(ver) : NULL;
	s->n++;
}

static int symset_find(const struct symset *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name))
			return i;
	return -1;
}

static void symset_free(struct symset *s)
{
	int i;

	for (i = 0; i < s->n; i++) {
		free(s->name[i]);
		free(s->version[i]);
	}
	s->n = 0;
}

/* Run a shell command; its stdout+stderr into *out (malloc'd). Exit status or -1. */
static int run(const char *cmd, char **out)
{
	size_t cap = 4096, len = 0, n;
	char *buf = malloc(cap);
	FILE *p;
	int st;

	cr_assert_not_null(buf);
	p = popen(cmd, "r");
	cr_assert_not_null(p, "popen(%s): %s", cmd, strerror(errno));
	while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (len + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			cr_assert_not_null(buf);
		}
	}
	buf[len] = '\0';
	st = pclose(p);
	if (out)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void require_tool(const char *tool)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	if (run(cmd, NULL) != 0)
		cr_skip_test("%s is not installed", tool);
}

/* Global names of the version map, and the version node of each. */
static void read_map(struct symset *map)
{
	char line[512], node[128] = "";
	bool global = false;
	FILE *f = fopen(MAP_FILE, "r");

	cr_assert_not_null(f, "%s: %s", MAP_FILE, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *e;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '\n' || *s == '#' || !strncmp(s, "/*", 2))
			continue;
		if (!strncmp(s, "global:", 7)) {
			global = true;
			continue;
		}
		if (!strncmp(s, "local:", 6)) {
			global = false;
			continue;
		}
		if (*s == '}') {
			global = false;
			continue;
		}
		e = strstr(s, " {");
		if (e && !global) {
			snprintf(node, sizeof(node), "%.*s", (int)(e - s), s);
			continue;
		}
		if (global) {
			e = strchr(s, ';');
			cr_assert_not_null(e, "map line without ';': %s", line);
			symset_add(map, s, e - s, node);
		}
	}
	fclose(f);
	cr_assert_gt(map->n, 0, "no global names in %s", MAP_FILE);
}

/* Defined dynamic symbols of the shared library, with their versions. */
static void read_dynsym(struct symset *dyn)
{
	char *out, *line, *save = NULL;

	require_tool("nm");
	cr_assert_eq(access(LIB_SO, R_OK), 0, "%s not built", LIB_SO);
	cr_assert_eq(run("nm -D --defined-only --with-symbol-versions " LIB_SO, &out), 0,
		     "nm failed: %s", out);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char addr[64], type[8], sym[256], *at;
		const char *ver = NULL;

		if (sscanf(line, "%63s %7s %255s", addr, type, sym) != 3)
			continue;
		if (!strcmp(type, "A"))	/* the version node itself */
			continue;
		at = strchr(sym, '@');
		if (at) {
			*at = '\0';
			ver = at + 1 + (at[1] == '@');
		}
		symset_add(dyn, sym, strlen(sym), ver ? ver : "");
	}
	free(out);
	cr_assert_gt(dyn->n, 0, "no dynamic symbols in %s", LIB_SO);
}

Test(abi, exports_equal_version_map)
{
	struct symset map = { 0 }, dyn = { 0 };
	int i, j, bad = 0;

	read_map(&map);
	read_dynsym(&dyn);
	for (i = 0; i < map.n; i++) {
#ifndef LIBBPF_STREAM_PROVIDES_PROG_STREAM_READ
		/* libbpf >= 1.6 has it: the map's compat entry stays unused */
		if (!strcmp(map.name[i], "bpf_prog_stream_read"))
			continue;
#endif
		j = symset_find(&dyn, map.name[i]);
		if (j < 0) {
			cr_log_error("in the map, not exported: %s", map.name[i]);
			bad++;
		} else if (strcmp(dyn.version[j], map.version[i])) {
			cr_log_error("%s has version '%s', map node '%s'", map.name[i],
				     dyn.version[j], map.version[i]);
			bad++;
		}
	}
	for (i = 0; i < dyn.n; i++) {
		if (symset_find(&map, dyn.name[i]) < 0) {
			cr_log_error("exported, not in the map: %s", dyn.name[i]);
			bad++;
		}
	}
	cr_assert_eq(bad, 0, "%d mismatches between %s and %s (see log)", bad, LIB_SO, MAP_FILE);
	symset_free(&map);
	symset_free(&dyn);
}

Test(abi, only_prefixed_names_exported)
{
	struct symset dyn = { 0 };
	int i, compat;

	read_dynsym(&dyn);
	for (i = 0; i < dyn.n; i++) {
		if (!strncmp(dyn.name[i], "bpf_stream", 10) ||
		    !strcmp(dyn.name[i], "bpf_prog_stream_read"))
			continue;
		cr_assert_fail("exported symbol without the bpf_stream prefix: %s", dyn.name[i]);
	}
	compat = symset_find(&dyn, "bpf_prog_stream_read");
#ifdef LIBBPF_STREAM_PROVIDES_PROG_STREAM_READ
	cr_assert_geq(compat, 0, "libbpf %d.%d lacks bpf_prog_stream_read: we must provide it",
		      LIBBPF_MAJOR_VERSION, LIBBPF_MINOR_VERSION);
#else
	cr_assert_lt(compat, 0, "libbpf %d.%d has bpf_prog_stream_read: we must not export it",
		     LIBBPF_MAJOR_VERSION, LIBBPF_MINOR_VERSION);
#endif
	symset_free(&dyn);
}

/* Function names declared with BPF_STREAM_API in the public header. */
static void read_header_api(struct symset *api)
{
	FILE *f = fopen(API_HDR, "r");
	char *text, *p;
	long len;

	cr_assert_not_null(f, "%s: %s", API_HDR, strerror(errno));
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = calloc(1, len + 1);
	cr_assert_not_null(text);
	cr_assert_eq(fread(text, 1, len, f), (size_t)len);
	fclose(f);
	for (p = strstr(text, "BPF_STREAM_API"); p; p = strstr(p + 1, "BPF_STREAM_API")) {
		char *paren, *end, *start;
		const char *line = p;

		while (line > text && line[-1] != '\n')
			line--;
		if (!strncmp(line, "#", 1))	/* #ifndef / #define BPF_STREAM_API */
			continue;
		paren = strchr(p, '(');
		cr_assert_not_null(paren);
		end = paren;
		while (end > p && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\t'))
			end--;
		start = end;
		while (start > p && (start[-1] == '_' || (start[-1] >= 'a' && start[-1] <= 'z') ||
				     (start[-1] >= 'A' && start[-1] <= 'Z') ||
				     (start[-1] >= '0' && start[-1] <= '9')))
			start--;
		cr_assert_gt(end, start, "cannot find the name after BPF_STREAM_API at: %.60s", p);
		symset_add(api, start, end - start, NULL);
	}
	free(text);
	cr_assert_gt(api->n, 10, "only %d BPF_STREAM_API functions found in %s", api->n, API_HDR);
}

Test(abi, header_api_equals_map)
{
	struct symset map = { 0 }, api = { 0 };
	int i, bad = 0;

	read_map(&map);
	read_header_api(&api);
	for (i = 0; i < api.n; i++) {
		if (symset_find(&map, api.name[i]) < 0) {
			cr_log_error("declared BPF_STREAM_API, missing from the map: %s", api.name[i]);
			bad++;
		}
	}
	for (i = 0; i < map.n; i++) {
		if (symset_find(&api, map.name[i]) < 0) {
			cr_log_error("in the map, not declared BPF_STREAM_API: %s", map.name[i]);
			bad++;
		}
	}
	cr_assert_eq(bad, 0, "%d mismatches between %s and %s (see log)", bad, API_HDR, MAP_FILE);
	symset_free(&map);
	symset_free(&api);
}

Test(abi, map_is_sorted_and_local_star)
{
	struct symset map = { 0 };
	char *out;
	int i;

	read_map(&map);
	/* sorted within each version node */
	for (i = 1; i < map.n; i++)
		if (!strcmp(map.version[i - 1], map.version[i]))
			cr_assert_lt(strcmp(map.name[i - 1], map.name[i]), 0,
				     "map not sorted at %s, %s", map.name[i - 1], map.name[i]);
	cr_assert_eq(run("grep -q 'local: \\*;' " MAP_FILE, &out), 0, "map has no 'local: *;'");
	free(out);
	symset_free(&map);
}

/* One version everywhere: the Makefile's VERSION, the header's macros, the
 * newest node of the version map, the pkg-config file, debian/changelog. */
Test(abi, versions_agree)
{
	char *mk, *map, *pc, *deb, want[64];

	cr_assert_eq(run("sed -n 's/^VERSION := //p' " SRC_DIR "/Makefile", &mk), 0);
	cr_assert_eq(run("grep -o '^LIBBPF_STREAM_[0-9.]*' " MAP_FILE " | tail -n 1", &map), 0);
	cr_assert_eq(run("sed -n 's/^Version: //p' " BUILD_DIR "/libbpf-stream.pc", &pc), 0);
	cr_assert_eq(run("head -n 1 " SRC_DIR "/debian/changelog | "
			 "sed 's/^[^(]*(\\([^)]*\\)).*/\\1/'", &deb), 0);
	mk[strcspn(mk, "\n")] = map[strcspn(map, "\n")] = '\0';
	pc[strcspn(pc, "\n")] = deb[strcspn(deb, "\n")] = '\0';
	snprintf(want, sizeof(want), "%d.%d.", LIBBPF_STREAM_MAJOR_VERSION,
		 LIBBPF_STREAM_MINOR_VERSION);
	cr_expect(!strncmp(mk, want, strlen(want)), "Makefile VERSION %s, header %s", mk, want);
	snprintf(want, sizeof(want), "LIBBPF_STREAM_%s", mk);
	cr_expect_str_eq(map, want, "newest map node");
	cr_expect_str_eq(pc, mk, "pkg-config Version");
	cr_expect_str_eq(deb, mk, "debian/changelog");
	free(mk);
	free(map);
	free(pc);
	free(deb);
}

Test(abi, soname_is_major_version)
{
	char *out;

	require_tool("readelf");
	cr_assert_eq(run("readelf -d " LIB_SO, &out), 0, "%s", out);
	cr_assert_not_null(strstr(out, "[libbpf-stream.so.1]"), "SONAME is not libbpf-stream.so.1:\n%s",
			   out);
	free(out);
}

Test(abi, static_archive_names_are_prefixed)
{
	char *out, *line, *save = NULL;
	int bad = 0;

	require_tool("nm");
	cr_assert_eq(access(LIB_A, R_OK), 0, "%s not built", LIB_A);
	cr_assert_eq(run("nm -g --defined-only " LIB_A, &out), 0, "%s", out);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char addr[64], type[8], sym[256];

		if (sscanf(line, "%63s %7s %255s", addr, type, sym) != 3)
			continue;
		if (!strncmp(sym, "bpf_stream", 10) || !strncmp(sym, "bs_", 3) ||
		    !strcmp(sym, "bpf_prog_stream_read"))
			continue;
		cr_log_error("global name in %s without bpf_stream/bs_ prefix: %s", LIB_A, sym);
		bad++;
	}
	free(out);
	cr_assert_eq(bad, 0, "%d unprefixed global names would collide in static links", bad);
}

/* ---- install ---------------------------------------------------------- */

static char stage[64];

static void stage_cleanup(void)
{
	char cmd[128];

	if (stage[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", stage);
		run(cmd, NULL);
	}
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fputs(text, f) >= 0, 1);
	cr_assert_eq(fclose(f), 0);
}

static void install_to_stage(void)
{
	char cmd[1024], *out;

	require_tool("make");
	require_tool("pkg-config");
	strcpy(stage, "/tmp/bpf-stream-install-XXXXXX");
	cr_assert_not_null(mkdtemp(stage), "mkdtemp: %s", strerror(errno));
	/* A clean environment for the nested make: no jobserver of ours. */
	snprintf(cmd, sizeof(cmd),
		 "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C '%s' O='%s' install "
		 "DESTDIR='%s' PREFIX=/usr 2>&1",
		 SRC_DIR, BUILD_DIR, stage);
	cr_assert_eq(run(cmd, &out), 0, "make install failed:\n%s", out);
	free(out);
}

static const char consumer_c[] =
	"#include <errno.h>\n"
	"#include <stdio.h>\n"
	"#include <string.h>\n"
	"#include <libbpf_stream.h>\n"
	"int main(void)\n"
	"{\n"
	"	char out[64];\n"
	"	size_t n = bpf_stream_escape(out, sizeof(out), \"a\\x1b\", 2);\n"
	"	int r = bpf_stream_read(-1, BPF_STDOUT, out + 32, 8);\n"
	"	printf(\"%s|%zu|%d|%s\\n\", out, n, r,\n"
	"	       bpf_stream_transport_str(BPF_STREAM_TRANSPORT_RINGBUF));\n"
	"	return !(n == 5 && r == -EBADF && !strcmp(out, \"a\\\\x1b\"));\n"
	"}\n";

static const char consumer_bpf_c[] =
	"#include <linux/bpf.h>\n"
	"#include <bpf/bpf_helpers.h>\n"
	"#include <bpf_stream.h>\n"
	"SEC(\"syscall\")\n"
	"int hello(void *ctx)\n"
	"{\n"
	"	bpf_stream_printk(BPF_STDOUT, \"hello %d\\n\", 42);\n"
	"	bpf_stream_error(\"oops %s\\n\", \"x\");\n"
	"	return 0;\n"
	"}\n"
	"char LICENSE[] SEC(\"license\") = \"GPL\";\n";

#define PKG_ENV "PKG_CONFIG_SYSROOT_DIR='%s' PKG_CONFIG_PATH='%s/usr/lib/pkgconfig' "

Test(install, staged_layout_and_pkg_config_consumer, .fini = stage_cleanup, .timeout = 300)
{
	static const char *const files[] = {
		"usr/include/bpf_stream.h", "usr/include/libbpf_stream.h",
		"usr/include/bpf_stream_record.h", "usr/include/bpf_stream_ctl.h",
		"usr/lib/libbpf-stream.so.1",
		"usr/lib/libbpf-stream.so", "usr/lib/libbpf-stream.a",
		"usr/lib/pkgconfig/libbpf-stream.pc",
	};
	char path[512], cmd[2048], *out;
	struct stat st;
	size_t i;

	install_to_stage();
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", stage, files[i]);
		cr_assert_eq(stat(path, &st), 0, "not installed: %s", files[i]);
	}
	if (access(BUILD_DIR "/bpf-stream", X_OK) == 0) {
		snprintf(path, sizeof(path), "%s/usr/bin/bpf-stream", stage);
		cr_assert_eq(access(path, X_OK), 0, "CLI built but not installed");
	}

	/* cflags must point into the stage */
	snprintf(cmd, sizeof(cmd), PKG_ENV "pkg-config --cflags --libs libbpf-stream 2>&1", stage,
		 stage);
	cr_assert_eq(run(cmd, &out), 0, "pkg-config failed: %s", out);
	cr_assert_not_null(strstr(out, stage), "pkg-config output ignores the sysroot: %s", out);
	cr_assert_not_null(strstr(out, "-lbpf-stream"), "no -lbpf-stream: %s", out);
	free(out);

	snprintf(path, sizeof(path), "%s/consumer.c", stage);
	write_file(path, consumer_c);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && cc -Wall -Werror -o consumer consumer.c "
		 "$(" PKG_ENV "pkg-config --cflags --libs libbpf-stream) 2>&1",
		 stage, stage, stage);
	cr_assert_eq(run(cmd, &out), 0, "consumer does not build:\n%s", out);
	free(out);

	/* it must load the staged shared library */
	snprintf(cmd, sizeof(cmd), "cd '%s' && LD_LIBRARY_PATH='%s/usr/lib' ldd ./consumer 2>&1",
		 stage, stage);
	cr_assert_eq(run(cmd, &out), 0, "ldd: %s", out);
	cr_assert_not_null(strstr(out, "libbpf-stream.so.1"), "not linked to the .so:\n%s", out);
	cr_assert_not_null(strstr(out, stage), "does not resolve to the staged library:\n%s", out);
	free(out);

	snprintf(cmd, sizeof(cmd), "cd '%s' && LD_LIBRARY_PATH='%s/usr/lib' ./consumer 2>&1",
		 stage, stage);
	cr_assert_eq(run(cmd, &out), 0, "consumer failed: %s", out);
	cr_assert_str_eq(out, "a\\x1b|5|-9|ringbuf\n");
	free(out);
}

Test(install, static_consumer_and_bpf_header, .fini = stage_cleanup, .timeout = 300)
{
	char path[512], cmd[2048], *out;

	install_to_stage();
	snprintf(path, sizeof(path), "%s/consumer.c", stage);
	write_file(path, consumer_c);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && cc -Wall -Werror -o consumer-static consumer.c "
		 "$(" PKG_ENV "pkg-config --cflags libbpf-stream) usr/lib/libbpf-stream.a "
		 "$(" PKG_ENV "pkg-config --static --libs libbpf-stream | "
		 "sed 's/-lbpf-stream//') 2>&1 && ./consumer-static",
		 stage, stage, stage, stage, stage);
	cr_assert_eq(run(cmd, &out), 0, "static consumer failed:\n%s", out);
	cr_assert_str_eq(out, "a\\x1b|5|-9|ringbuf\n");
	free(out);

	require_tool("clang");
	snprintf(path, sizeof(path), "%s/consumer.bpf.c", stage);
	write_file(path, consumer_bpf_c);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror "
		 "-I/usr/include/$(gcc -dumpmachine) "
		 "$(" PKG_ENV "pkg-config --cflags libbpf-stream) -c consumer.bpf.c "
		 "-o consumer.bpf.o 2>&1",
		 stage, stage, stage);
	cr_assert_eq(run(cmd, &out), 0, "BPF program does not build with the staged header:\n%s",
		     out);
	free(out);
}
