/* SPDX-License-Identifier: MIT */
/*
 * The rendering half of the GL guest: a GBM device on the DRM card, a GBM
 * surface for scanout, EGL on it (platform GBM), a GLES2 context and a
 * window surface; the fence wait that ends each frame.
 */
#ifndef VGM_GL_EGL_GBM_H
#define VGM_GL_EGL_GBM_H

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <gbm.h>

enum fence_kind {
	FENCE_EGL,    /* EGL_KHR_fence_sync: eglCreateSyncKHR + eglClientWaitSyncKHR */
	FENCE_FINISH, /* glFinish */
};

struct egl_gbm {
	struct gbm_device *gbm;
	struct gbm_surface *surface;
	EGLDisplay dpy;
	EGLContext ctx;
	EGLSurface win;
	PFNEGLCREATESYNCKHRPROC create_sync;
	PFNEGLCLIENTWAITSYNCKHRPROC client_wait_sync;
	PFNEGLDESTROYSYNCKHRPROC destroy_sync;
};

/* Sets up everything above on `drm_fd` for a w x h XRGB8888 scanout surface
 * and makes the context current. Returns 0, or -1 after printing why. */
int egl_gbm_init(struct egl_gbm *e, int drm_fd, int w, int h);

/* Waits until the GPU has executed every command so far. Returns 0, or -1
 * after printing why (a wait of more than 20 s is an error). */
int egl_gbm_fence_wait(struct egl_gbm *e, enum fence_kind kind);

#endif
