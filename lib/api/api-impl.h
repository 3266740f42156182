/* SPDX-License-Identifier: MIT */
/*
 * What the files of the api layer share: the device. Only lib/api/ and the
 * api layer's own tests include this header.
 */
#ifndef VGM_API_IMPL_H
#define VGM_API_IMPL_H

#include <pthread.h>
#include <stdbool.h>

#include "api.h"

/* A device: the layers' objects, each built in place after it in the one
 * allocation vgm_device_new() makes (struct definitions stay in their
 * layers). */
struct vgm_device {
	struct host *host; /* the VMM's callbacks (util) */
	struct logger *log;
	struct core *core;
	struct render *render;
	struct dispatch *dispatch;
	struct recorder *rec; /* vgm_device_record_start(), or NULL */
	struct render_virgl *virgl; /* the 3D renderer, or NULL */
	/* A virgl device is used from the thread that made it only. */
	bool pinned;
	pthread_t owner;
	/* vgm_device_submit() waiting for its request: answered yet, and
	 * the bytes of its response */
	bool waited_done;
	size_t waited_written;
	bool saveable; /* VGM_DEVICE_SAVEABLE, fixed at creation */
	bool used;     /* a request submitted or features set: no load any more */
	bool loaded;   /* loaded and not yet resumed: no request until it is */
};

/* 0; -EINVAL for a NULL device; -EBUSY, logged as API misuse naming fn,
 * while one of the device's callbacks runs, or on a thread other than a
 * virgl device's own. Every exported function that
 * takes a device calls it first, before anything else. */
int api_enter(const struct vgm_device *dev, const char *fn);
/* Logs the misuse; returns -EINVAL. */
int api_misuse(struct vgm_device *dev, const char *what);

/* record.c: the recorder's part of submit, reset and destroy; each does
 * nothing when the device is not recording. */
void record_before(struct vgm_device *dev);
/* later: NULL for a request answered (written bytes of response), else
 * the tag of one left in flight, whose response record_done() writes when
 * the answer tells the VMM. */
void record_after(struct vgm_device *dev, enum vgm_queue queue, const struct iovec *in,
		  size_t in_cnt, const struct iovec *out, size_t out_cnt, size_t written,
		  const uint64_t *later);
void record_done(struct vgm_device *dev, uint64_t tag, size_t written);
void record_reset(struct vgm_device *dev);
/* Ends the recording: 0, or the negative errno that cut it short. */
int record_close(struct vgm_device *dev);
/* poll.c: answers what the renderer completed (request_done() called). */
void device_poll(struct vgm_device *dev);
/* Answers everything in flight ERR_UNSPEC (request_done() called). */
void device_cancel(struct vgm_device *dev);
/* Polls until the waited request is answered; its bytes into *written. */
void device_wait(struct vgm_device *dev, size_t *written);

/* The largest display a VMM may configure, in either direction. */
#define MAX_DISPLAY_SIZE CORE_MAX_DISPLAY

#endif /* VGM_API_IMPL_H */
