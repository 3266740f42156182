/* SPDX-License-Identifier: MIT */
/*
 * The display half of the GL guest: the first connected connector of a DRM
 * card, its preferred mode, a CRTC for it, and buffers shown on it (the
 * first with drmModeSetCrtc, the next ones with a page flip).
 */
#ifndef VGM_GL_KMS_H
#define VGM_GL_KMS_H

#include <stdbool.h>
#include <stdint.h>

#include <gbm.h>
#include <xf86drmMode.h>

struct kms {
	int fd;
	uint32_t connector, crtc;
	drmModeModeInfo mode;
	bool shown; /* a buffer is on the CRTC: the next one is a page flip */
	unsigned flips;
};

/* Opens `path` (the primary node: DRM master, modesetting) and picks the
 * connector, mode and CRTC. Returns 0, or -1 after printing why. */
int kms_open(struct kms *k, const char *path);

/* Shows `bo` (a scanout buffer of k->mode's size): drmModeSetCrtc the first
 * time, then a page flip whose completion event is awaited. The buffer's
 * framebuffer is made once and kept with the buffer. Returns 0, or -1 after
 * printing why. */
int kms_show(struct kms *k, struct gbm_bo *bo);

#endif
