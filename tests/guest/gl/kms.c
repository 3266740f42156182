/* SPDX-License-Identifier: MIT */
#include "kms.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>

static int pick_crtc(struct kms *k, const drmModeRes *res, const drmModeConnector *conn)
{
	for (int i = 0; i < conn->count_encoders; i++) {
		drmModeEncoder *enc = drmModeGetEncoder(k->fd, conn->encoders[i]);

		if (!enc)
			continue;
		for (int c = 0; c < res->count_crtcs; c++) {
			if (enc->possible_crtcs & (1u << c)) {
				k->crtc = res->crtcs[c];
				drmModeFreeEncoder(enc);
				return 0;
			}
		}
		drmModeFreeEncoder(enc);
	}
	return -1;
}

/* The connector's preferred mode, else its first. */
static void pick_mode(struct kms *k, const drmModeConnector *conn)
{
	k->mode = conn->modes[0];
	for (int i = 0; i < conn->count_modes; i++) {
		if (conn->modes[i].type & DRM_MODE_TYPE_PREFERRED) {
			k->mode = conn->modes[i];
			return;
		}
	}
}

static int pick_output(struct kms *k, const drmModeRes *res)
{
	for (int i = 0; i < res->count_connectors; i++) {
		drmModeConnector *conn = drmModeGetConnector(k->fd, res->connectors[i]);
		int ret = -1;

		if (!conn)
			continue;
		if (conn->connection == DRM_MODE_CONNECTED && conn->count_modes > 0) {
			k->connector = conn->connector_id;
			pick_mode(k, conn);
			ret = pick_crtc(k, res, conn);
		}
		drmModeFreeConnector(conn);
		if (ret == 0)
			return 0;
	}
	return -1;
}

int kms_open(struct kms *k, const char *path)
{
	drmModeRes *res;
	int ret;

	memset(k, 0, sizeof(*k));
	k->fd = open(path, O_RDWR | O_CLOEXEC);
	if (k->fd < 0) {
		fprintf(stderr, "gl-guest: open %s: %s\n", path, strerror(errno));
		return -1;
	}
	res = drmModeGetResources(k->fd);
	if (!res) {
		fprintf(stderr, "gl-guest: %s has no KMS resources: %s\n", path, strerror(errno));
		return -1;
	}
	ret = pick_output(k, res);
	drmModeFreeResources(res);
	if (ret)
		fprintf(stderr, "gl-guest: %s: no connected connector with a mode and a CRTC\n", path);
	return ret;
}

static void destroy_fb(struct gbm_bo *bo, void *data)
{
	uint32_t *fb = data;
	int fd = gbm_device_get_fd(gbm_bo_get_device(bo));

	drmModeRmFB(fd, *fb);
	free(fb);
}

/* The framebuffer of a buffer, made on first use. Returns 0 on failure. */
static uint32_t fb_of(struct kms *k, struct gbm_bo *bo)
{
	uint32_t *fb = gbm_bo_get_user_data(bo);
	uint32_t handles[4] = {gbm_bo_get_handle(bo).u32};
	uint32_t pitches[4] = {gbm_bo_get_stride(bo)};
	uint32_t offsets[4] = {0};

	if (fb)
		return *fb;
	fb = calloc(1, sizeof(*fb));
	if (!fb)
		return 0;
	if (drmModeAddFB2(k->fd, gbm_bo_get_width(bo), gbm_bo_get_height(bo), gbm_bo_get_format(bo),
			  handles, pitches, offsets, fb, 0)) {
		fprintf(stderr, "gl-guest: drmModeAddFB2: %s\n", strerror(errno));
		free(fb);
		return 0;
	}
	gbm_bo_set_user_data(bo, fb, destroy_fb);
	return *fb;
}

static void flip_done(int fd, unsigned seq, unsigned sec, unsigned usec, void *data)
{
	(void)fd, (void)seq, (void)sec, (void)usec;
	*(bool *)data = true;
}

/* Waits up to 10 s for the page flip event that sets *done. */
static int wait_flip(struct kms *k, bool *done)
{
	drmEventContext ev = {.version = 2, .page_flip_handler = flip_done};
	struct pollfd p = {.fd = k->fd, .events = POLLIN};

	while (!*done) {
		if (poll(&p, 1, 10000) <= 0) {
			fprintf(stderr, "gl-guest: no page flip event after 10 s\n");
			return -1;
		}
		if (drmHandleEvent(k->fd, &ev)) {
			fprintf(stderr, "gl-guest: drmHandleEvent failed\n");
			return -1;
		}
	}
	return 0;
}

int kms_show(struct kms *k, struct gbm_bo *bo)
{
	uint32_t fb = fb_of(k, bo);
	bool done = false;

	if (!fb)
		return -1;
	if (!k->shown) {
		if (drmModeSetCrtc(k->fd, k->crtc, fb, 0, 0, &k->connector, 1, &k->mode)) {
			fprintf(stderr, "gl-guest: drmModeSetCrtc: %s\n", strerror(errno));
			return -1;
		}
		k->shown = true;
		return 0;
	}
	if (drmModePageFlip(k->fd, k->crtc, fb, DRM_MODE_PAGE_FLIP_EVENT, &done)) {
		fprintf(stderr, "gl-guest: drmModePageFlip: %s\n", strerror(errno));
		return -1;
	}
	k->flips++;
	return wait_flip(k, &done);
}
