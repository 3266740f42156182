/* SPDX-License-Identifier: MIT */
#include "egl-gbm.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <GLES2/gl2.h>

#define FENCE_TIMEOUT_NS 20000000000ull

static bool has_extension(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && (p = strstr(p, name)); p += n) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	}
	return false;
}

/* A window config whose native visual is the scanout format. */
static int pick_config(EGLDisplay dpy, EGLConfig *out)
{
	static const EGLint attrs[] = {
		EGL_SURFACE_TYPE, EGL_WINDOW_BIT, EGL_RENDERABLE_TYPE, EGL_OPENGL_ES2_BIT,
		EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8, EGL_ALPHA_SIZE, 0,
		EGL_NONE,
	};
	EGLConfig configs[64];
	EGLint n = 0;

	if (!eglChooseConfig(dpy, attrs, configs, 64, &n))
		return -1;
	for (EGLint i = 0; i < n; i++) {
		EGLint id = 0;

		if (eglGetConfigAttrib(dpy, configs[i], EGL_NATIVE_VISUAL_ID, &id) &&
		    id == GBM_FORMAT_XRGB8888) {
			*out = configs[i];
			return 0;
		}
	}
	return -1;
}

static int init_display(struct egl_gbm *e)
{
	EGLint major, minor;
	const char *ext;

	e->dpy = eglGetPlatformDisplay(EGL_PLATFORM_GBM_KHR, e->gbm, NULL);
	if (e->dpy == EGL_NO_DISPLAY || !eglInitialize(e->dpy, &major, &minor)) {
		fprintf(stderr, "gl-guest: no EGL display on GBM (0x%x)\n", (unsigned)eglGetError());
		return -1;
	}
	ext = eglQueryString(e->dpy, EGL_EXTENSIONS);
	if (!has_extension(ext, "EGL_KHR_fence_sync")) {
		fprintf(stderr, "gl-guest: EGL %d.%d without EGL_KHR_fence_sync\n", major, minor);
		return -1;
	}
	e->create_sync = (PFNEGLCREATESYNCKHRPROC)eglGetProcAddress("eglCreateSyncKHR");
	e->client_wait_sync = (PFNEGLCLIENTWAITSYNCKHRPROC)eglGetProcAddress("eglClientWaitSyncKHR");
	e->destroy_sync = (PFNEGLDESTROYSYNCKHRPROC)eglGetProcAddress("eglDestroySyncKHR");
	return e->create_sync && e->client_wait_sync && e->destroy_sync ? 0 : -1;
}

static int init_context(struct egl_gbm *e)
{
	static const EGLint ctx_attrs[] = {EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE};
	EGLConfig cfg;

	if (!eglBindAPI(EGL_OPENGL_ES_API) || pick_config(e->dpy, &cfg)) {
		fprintf(stderr, "gl-guest: no GLES2 window config with an XRGB8888 visual\n");
		return -1;
	}
	e->ctx = eglCreateContext(e->dpy, cfg, EGL_NO_CONTEXT, ctx_attrs);
	if (e->ctx == EGL_NO_CONTEXT) {
		fprintf(stderr, "gl-guest: eglCreateContext: 0x%x\n", (unsigned)eglGetError());
		return -1;
	}
	e->win = eglCreatePlatformWindowSurface(e->dpy, cfg, e->surface, NULL);
	if (e->win == EGL_NO_SURFACE || !eglMakeCurrent(e->dpy, e->win, e->win, e->ctx)) {
		fprintf(stderr, "gl-guest: window surface: 0x%x\n", (unsigned)eglGetError());
		return -1;
	}
	return 0;
}

int egl_gbm_init(struct egl_gbm *e, int drm_fd, int w, int h)
{
	memset(e, 0, sizeof(*e));
	e->gbm = gbm_create_device(drm_fd);
	if (!e->gbm) {
		fprintf(stderr, "gl-guest: gbm_create_device failed\n");
		return -1;
	}
	e->surface = gbm_surface_create(e->gbm, (uint32_t)w, (uint32_t)h, GBM_FORMAT_XRGB8888,
					GBM_BO_USE_SCANOUT | GBM_BO_USE_RENDERING);
	if (!e->surface) {
		fprintf(stderr, "gl-guest: gbm_surface_create %dx%d failed\n", w, h);
		return -1;
	}
	if (init_display(e) || init_context(e))
		return -1;
	return 0;
}

int egl_gbm_fence_wait(struct egl_gbm *e, enum fence_kind kind)
{
	EGLSyncKHR sync;
	EGLint ret;

	if (kind == FENCE_FINISH) {
		glFinish();
		return 0;
	}
	sync = e->create_sync(e->dpy, EGL_SYNC_FENCE_KHR, NULL);
	if (sync == EGL_NO_SYNC_KHR) {
		fprintf(stderr, "gl-guest: eglCreateSyncKHR: 0x%x\n", (unsigned)eglGetError());
		return -1;
	}
	ret = e->client_wait_sync(e->dpy, sync, EGL_SYNC_FLUSH_COMMANDS_BIT_KHR, FENCE_TIMEOUT_NS);
	e->destroy_sync(e->dpy, sync);
	if (ret != EGL_CONDITION_SATISFIED_KHR) {
		fprintf(stderr, "gl-guest: eglClientWaitSyncKHR: %s\n",
			ret == EGL_TIMEOUT_EXPIRED_KHR ? "timed out" : "failed");
		return -1;
	}
	return 0;
}
