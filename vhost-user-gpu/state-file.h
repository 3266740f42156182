/* SPDX-License-Identifier: MIT */
/*
 * --save-state and --load-state: the device's saved state (the library's
 * vgm_device_save(), docs/snapshot-format.md) in a file. The device state
 * only: where each virtqueue stopped is the front-end's (GET_VRING_BASE,
 * SET_VRING_BASE), and guest memory is the VMM's.
 *
 * Saving: the temporary file is made beside FILE at start-up, while files
 * may still be opened (before confinement); at exit the state is written
 * there, synced and renamed over FILE, so FILE is either the old one or the
 * whole new one. A run that ends without saving removes the temporary file.
 *
 * Every function that can fail logs why and returns a negative errno.
 */
#ifndef VUGPU_STATE_FILE_H
#define VUGPU_STATE_FILE_H

#include <stdint.h>

#include <virtgpu-mem/virtgpu-mem.h>

#include "gpu.h"
#include "sandbox.h"

/* The largest file --load-state reads: a device within the default host
 * memory budget (256 MiB of images, zeros not saved) saves far less. */
#define STATE_FILE_MAX (1ull << 30)

struct state_file;

/* Opens the temporary file for path (".NAME.tmp-PID" in its directory).
 * @return 0, -ENOMEM, -errno of open. */
int state_file_open(const char *path, struct state_file **out);
/* The calls the save at exit makes once confined (sandbox-state.c: within
 * the file's directory only). */
const struct sandbox_list *state_file_sandbox(const struct state_file *sf);
/* Saves dev into the file: -EBUSY when vgm_device_can_save() says no
 * (logged with its reasons), -EIO when the file cannot be written; the
 * temporary file is removed then and FILE left as it was. */
int state_file_commit(struct state_file *sf, const struct vgm_device *dev);
/* Removes the temporary file: nothing is saved. */
void state_file_abandon(struct state_file *sf);
/* Closes what is left open. NULL: no-op. */
void state_file_destroy(struct state_file *sf);

/* Reads path and loads it into g's fresh device (gpu_load_state()).
 * @return 0; -EINVAL for a file that is no state, too large or refused by
 * the library (its log line names the section and field); -errno of
 * open/read; -ENOMEM. */
int state_file_load(const char *path, struct gpu *g);

#endif
