/* SPDX-License-Identifier: MIT */
/*
 * The harnesses without libFuzzer: runs every file named, and every file of
 * every directory named (sorted, dotfiles and README files left out),
 * through LLVMFuzzerTestOneInput once. A broken rule aborts; so does any
 * sanitizer in a sanitizer build. Suite fuzz-regress runs the corpus and
 * the saved crashes of each target this way, with gcc too.
 *
 *   fuzz-TARGET-replay [-v] PATH...
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

struct run {
	bool verbose;
	size_t inputs;
};

static int run_file(struct run *r, const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	int ret = 0;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			uint8_t *p = realloc(buf, cap = cap ? cap * 2 : 4096);

			if (!p) {
				ret = -1;
				break;
			}
			buf = p;
		}
		size_t n = fread(buf + len, 1, cap - len, f);

		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: read error\n", path);
		ret = -1;
	}
	fclose(f);
	if (ret == 0) {
		if (r->verbose)
			fprintf(stderr, "running %s (%zu bytes)\n", path, len);
		/* An exact-size copy, so a read past the input is a sanitizer error. */
		uint8_t *exact = malloc(len ? len : 1);

		if (!exact) {
			free(buf);
			return -1;
		}
		if (len)
			memcpy(exact, buf, len);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
		r->inputs++;
	}
	free(buf);
	return ret;
}

static bool skipped(const char *name)
{
	return name[0] == '.' || strncmp(name, "README", 6) == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(struct run *r, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;

	if (!d) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		if (skipped(e->d_name))
			continue;
		if (n == cap) {
			char **p = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*names));

			if (!p) {
				ret = -1;
				break;
			}
			names = p;
		}
		names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
		if (!names[n]) {
			ret = -1;
			break;
		}
		sprintf(names[n++], "%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (names)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (ret == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			ret = run_file(r, names[i]);
		free(names[i]);
	}
	free(names);
	return ret;
}

int main(int argc, char **argv)
{
	struct run r = { 0 };
	int first = 1;

	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		r.verbose = true;
		first = 2;
	}
	if (first >= argc) {
		fprintf(stderr, "usage: %s [-v] FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = first; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		if ((S_ISDIR(st.st_mode) ? run_dir(&r, argv[i]) : run_file(&r, argv[i])) < 0)
			return 1;
	}
	printf("%s: %zu inputs ran, every check held\n", argv[0], r.inputs);
	/* A regression run that ran nothing tested nothing. */
	return r.inputs ? 0 : 1;
}
