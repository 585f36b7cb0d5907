// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Replays a fuzz target's corpus without libFuzzer: linked with one
 * fuzz/fuzz_*.c, built with ASan+UBSan by make check (mk/hardening.mk), so
 * every seed and every input a fuzzer once found (they are kept in
 * fuzz/corpus/NAME/) is a regression test. Each file runs in a forked child;
 * the result is TAP in Criterion's format ("ok - replay::NAME/FILE"), which
 * tests/run-tests.sh counts.
 *
 * Usage: replay [-jN] [--tap=FILE] [FILE|DIR...]   (default: the corpus dir)
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path, const char *label, FILE *tap)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		FILE *f = fopen(path, "rb");
		uint8_t *buf = NULL;
		size_t cap = 0, len = 0, n;

		if (!f)
			_exit(2);
		do {
			if (len == cap) {
				cap = cap ? 2 * cap : 4096;
				buf = realloc(buf, cap);
				if (!buf)
					_exit(2);
			}
			n = fread(buf + len, 1, cap - len, f);
			len += n;
		} while (n > 0);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
		exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		fprintf(tap, "ok - replay::%s\n", label);
		return 0;
	}
	fprintf(tap, "not ok - replay::%s\n", label);
	if (WIFSIGNALED(status))
		fprintf(tap, "  # killed by signal %d\n", WTERMSIG(status));
	else
		fprintf(tap, "  # exit code %d\n", WEXITSTATUS(status));
	fprintf(stderr, "[FAIL] replay of %s\n", path);
	return 1;
}

static int filter_files(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Return the number of failures; *count gets the files run. */
static int run_path(const char *path, FILE *tap, int *count)
{
	struct dirent **names;
	struct stat st;
	int i, n, bad = 0;
	char label[1024], file[4096];

	if (stat(path, &st)) {
		fprintf(tap, "not ok - replay::%s/%s\n  # %s\n", FUZZ_TARGET_NAME, path,
			strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(label, sizeof(label), "%s/%s", FUZZ_TARGET_NAME, path);
		(*count)++;
		return run_file(path, label, tap) != 0;
	}
	n = scandir(path, &names, filter_files, alphasort);
	if (n < 0)
		return 1;
	for (i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "%s/%s", path, names[i]->d_name);
		snprintf(label, sizeof(label), "%s/%s", FUZZ_TARGET_NAME, names[i]->d_name);
		(*count)++;
		bad += run_file(file, label, tap) != 0;
		free(names[i]);
	}
	free(names);
	return bad;
}

int main(int argc, char **argv)
{
	const char *tap_path = NULL;
	int i, bad = 0, count = 0, paths = 0;
	FILE *tap = stdout;

	for (i = 1; i < argc; i++)
		if (!strncmp(argv[i], "--tap=", 6))
			tap_path = argv[i] + 6;
	if (tap_path && strcmp(tap_path, "-")) {
		tap = fopen(tap_path, "w");
		if (!tap) {
			perror(tap_path);
			return 2;
		}
	}
	fprintf(tap, "TAP version 13\n# replay of the %s corpus\n", FUZZ_TARGET_NAME);
	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		paths++;
		bad += run_path(argv[i], tap, &count);
	}
	if (!paths)
		bad += run_path(FUZZ_CORPUS_DIR, tap, &count);
	if (!count) {
		fprintf(tap, "not ok - replay::%s/empty-corpus\n", FUZZ_TARGET_NAME);
		bad++;
	}
	fprintf(tap, "1..%d\n", count ? count : 1);
	if (tap != stdout)
		fclose(tap);
	fprintf(stderr, "replay %s: %d inputs, %d failed\n", FUZZ_TARGET_NAME, count, bad);
	return bad ? 1 : 0;
}
