/* SPDX-License-Identifier: MIT */
/*
 * virglrenderer and EGL by dlopen(): see virgl-lib.h for why. The sonames
 * are those of the libraries the adapter is built and tested against
 * (Debian 12: virglrenderer 0.10.4, libglvnd's EGL); a library of another
 * soname would be another ABI, which the headers used here do not describe.
 */
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "virgl-lib.h"

#define VIRGL_SONAME "libvirglrenderer.so.1"
#define EGL_SONAME "libEGL.so.1"

struct loaded {
	struct virgl_lib fns;
	bool ok;
};

static struct loaded loaded;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* One symbol into its slot; false where the library lacks it. */
static bool resolve(void *lib, const char *name, void **slot)
{
	*slot = dlsym(lib, name);
	return *slot != NULL;
}

#define VIRGL_LIB_RESOLVE(fn) ok = ok && resolve(virgl, #fn, (void **)&l->fns.fn);

/* Never closed: a failed half stays loaded too (closing Mesa's libraries
 * once loaded is not safe, and a second try would answer the same). */
static void load(void)
{
	struct loaded *l = &loaded;
	void *virgl = dlopen(VIRGL_SONAME, RTLD_NOW | RTLD_LOCAL);
	void *egl = dlopen(EGL_SONAME, RTLD_NOW | RTLD_LOCAL);
	bool ok = virgl && egl;

	VIRGL_LIB_FUNCTIONS(VIRGL_LIB_RESOLVE)
	ok = ok && resolve(egl, "eglQueryString", (void **)&l->fns.eglQueryString);
	l->ok = ok;
}

const struct virgl_lib *virgl_lib(void)
{
	pthread_once(&load_once, load);
	return loaded.ok ? &loaded.fns : NULL;
}

/* Whether a loaded object's path names a Mesa DRI driver (.../NAME_dri.so). */
static bool is_gl_driver(const char *path)
{
	static const char suffix[] = "_dri.so";
	size_t n = path ? strlen(path) : 0;

	return n > sizeof(suffix) - 1 && strcmp(path + n - (sizeof(suffix) - 1), suffix) == 0;
}

static int pin_one(struct dl_phdr_info *info, size_t size, void *arg)
{
	void *h;

	(void)size;
	(void)arg;
	if (!is_gl_driver(info->dlpi_name))
		return 0;
	/* Already loaded, so nothing is opened: NOLOAD only sets NODELETE. */
	h = dlopen(info->dlpi_name, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
	if (h)
		dlclose(h); /* the reference NOLOAD took; the object stays */
	return 0;
}

void virgl_lib_pin_driver(void)
{
	dl_iterate_phdr(pin_one, NULL);
}
