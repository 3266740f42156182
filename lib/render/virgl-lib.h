/* SPDX-License-Identifier: MIT */
/*
 * virglrenderer and EGL, loaded when a virgl renderer is first probed or
 * opened (virgl-lib.c), not when the library is: linked, they and the ~18
 * libraries they pull in (Mesa's loader, X11, Vulkan, VA) were mapped and
 * relocated at the start of every process using the library, 2D only or
 * not: 6.6 ms of CPU per process start on a 2-vCPU VM, where each page
 * fault is expensive.
 *
 * One entry per function the adapter (virgl.c) calls, named as the
 * function itself, so a call reads `virgl_lib()->virgl_renderer_poll()`.
 */
#ifndef VGM_RENDER_VIRGL_LIB_H
#define VGM_RENDER_VIRGL_LIB_H

#include <EGL/egl.h>
#include <virgl/virglrenderer.h>

#define VIRGL_LIB_FUNCTIONS(X) \
	X(virgl_renderer_init) \
	X(virgl_renderer_cleanup) \
	X(virgl_renderer_reset) \
	X(virgl_renderer_poll) \
	X(virgl_renderer_get_poll_fd) \
	X(virgl_renderer_get_cap_set) \
	X(virgl_renderer_fill_caps) \
	X(virgl_renderer_context_create) \
	X(virgl_renderer_context_create_with_flags) \
	X(virgl_renderer_context_destroy) \
	X(virgl_renderer_ctx_attach_resource) \
	X(virgl_renderer_ctx_detach_resource) \
	X(virgl_renderer_resource_create) \
	X(virgl_renderer_resource_unref) \
	X(virgl_renderer_resource_get_priv) \
	X(virgl_renderer_resource_set_priv) \
	X(virgl_renderer_resource_attach_iov) \
	X(virgl_renderer_resource_detach_iov) \
	X(virgl_renderer_transfer_read_iov) \
	X(virgl_renderer_transfer_write_iov) \
	X(virgl_renderer_submit_cmd) \
	X(virgl_renderer_create_fence)

#define VIRGL_LIB_MEMBER(fn) __typeof__(fn) *fn;

struct virgl_lib {
	VIRGL_LIB_FUNCTIONS(VIRGL_LIB_MEMBER)
	__typeof__(eglQueryString) *eglQueryString;
};

/* The loaded functions, or NULL where libvirglrenderer.so.1 or libEGL.so.1
 * cannot be loaded or lacks one of them (then, as where EGL cannot run
 * surfaceless, there is no virgl renderer: -ENODEV). The first call
 * loads them; later calls answer the same. Thread-safe. Once loaded they
 * stay loaded for the life of the process (virglrenderer's own state is
 * process-global, and its threads may outlive a renderer). */
const struct virgl_lib *virgl_lib(void);

/* Keeps the Mesa driver that EGL loaded for a renderer (.../NAME_dri.so)
 * in the process, as virglrenderer and EGL are: eglTerminate() at a
 * renderer's cleanup unloads it, and Mesa 22.3 leaves behind what it
 * allocated once per load (128 bytes of its CPU description, found by
 * LeakSanitizer on an AMD family 25 CPU), then loads and relocates it
 * again for the next renderer. Call after a renderer started. */
void virgl_lib_pin_driver(void);

#endif
