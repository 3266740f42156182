/* SPDX-License-Identifier: MIT */
/*
 * state: a device's state as bytes (docs/snapshot-format.md) and back.
 * Save walks the core and the 2D renderer's images; load checks every
 * byte as the live commands check a request (the bytes are hostile), plans
 * the whole device, budget included, before it allocates anything, then
 * builds it without host mappings and without callbacks; resume translates
 * the guest's ranges again and replays what the host was shown. The same
 * remapping serves guest memory that moves under a live device.
 *
 * Uses util, wire, core and render.
 */
#ifndef VGM_STATE_H
#define VGM_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "render/render.h"

/* The format's version this library writes; it loads this one. */
#define STATE_VERSION 1u

/* Bytes state_save() writes now: 0 or -ENOMEM. */
int state_size(const struct core *c, struct render *r, size_t *size);
/* Writes the state into buf: 0, -ENOSPC when len is too small, -ENOMEM
 * (nothing written then). */
int state_save(const struct core *c, struct render *r, void *buf, size_t len, size_t *written);
/* Loads a saved state into a device as created: 0, -EINVAL (malformed or
 * hostile: one log line names the section and the field), -ENOMEM. On
 * error the core is as it was. The regions have no host mappings and no
 * callback was made: state_resume() does both. */
int state_load(struct core *c, struct render *r, struct logger *log, const void *buf,
	       size_t len);
/* After a load: maps every region again (a backing translate() refuses is
 * lost) and tells the host what it showed: scanouts, cursors, UUIDs.
 * Returns the backings lost. */
uint32_t state_resume(struct core *c, struct render *r, struct host *host);
/* The VMM no longer maps [gpa, gpa + len) where it did: the regions with
 * a range in it give their mappings back and are translated again; the
 * scanouts showing their blobs are shown again (or disabled when the
 * backing is lost). Returns the backings lost. */
uint32_t state_unmap_guest(struct core *c, struct render *r, uint64_t gpa, uint64_t len);

#endif /* VGM_STATE_H */
