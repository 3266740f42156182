/* SPDX-License-Identifier: MIT */
/*
 * The virtio-gpu device behind the vhost-user socket: a virtgpu-mem device,
 * its two virtqueues, guest memory and the display toward QEMU. The
 * vhost-user messages (vhost-user.c) land here as calls; nothing in this
 * file reads the vhost-user socket.
 *
 * Every function that can fail returns 0 or a negative errno; an index
 * outside the two queues is -EINVAL.
 */
#ifndef VUGPU_GPU_H
#define VUGPU_GPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <virtgpu-mem/virtgpu-mem.h>

#include "loop.h"
#include "memtable.h"

#define GPU_NUM_QUEUES 2

/* Transport feature bits this backend knows. */
#define GPU_F_PROTOCOL_FEATURES 30 /* vhost-user's: never seen by the guest */
#define GPU_F_VERSION_1 32

struct gpu;

struct gpu_config {
	enum vgm_dialect dialect;
	/* Device feature bits to offer (masked by what the library supports). */
	uint64_t device_features;
	/* Scanouts 1..16 (0: 1): as many as QEMU's max_outputs, which QEMU
	 * tells the guest in the config space whatever we say. */
	uint32_t num_scanouts;
	/* Ring features to offer (both are implemented either way). */
	bool indirect, event_idx;
	/* UPDATE pixels to QEMU by reference (vmsplice + splice) when possible. */
	bool zero_copy;
	/* 3D: the device draws with virglrenderer (VGM_RENDERER_VIRGL) and
	 * offers VIRGL; fenced requests complete later (gpu-inflight.c). */
	bool virgl;
	/* The device can be saved (VGM_DEVICE_SAVEABLE): --save-state,
	 * --load-state; not with virgl. */
	bool saveable;
	enum vgm_log_level log_level;
};

/*
 * Sees every request and its response, for --record. Members may be NULL.
 * request() comes just before the library runs the request (guest memory
 * holds what it will read), response() just after, with the writable part
 * and the bytes written (0 and none on the cursor queue). reset() comes
 * before a device reset, while the device still holds what it held.
 * edid() comes when the library took an EDID from QEMU
 * (vgm_device_set_edid() succeeded; the bytes it copied), before the
 * GET_EDID that asked for it runs. With --virgl, a request the library
 * keeps in flight gets later() instead of response() (out: the chain's
 * writable part; resp: where the library will write the response, host
 * memory of the backend's, gpu-bounce.c; tag: the one given to the
 * library), and done() when the library answered it, while resp still
 * holds the response and before any of it goes to the guest.
 */
struct gpu_recorder {
	void (*request)(void *ctx, enum vgm_queue queue, const struct iovec *in, size_t in_cnt);
	void (*response)(void *ctx, enum vgm_queue queue, const struct iovec *out, size_t out_cnt,
			 size_t written);
	void (*reset)(void *ctx);
	void (*edid)(void *ctx, uint32_t scanout, const uint8_t *edid, size_t len);
	void (*later)(void *ctx, enum vgm_queue queue, const struct iovec *out, size_t out_cnt,
		      const struct iovec *resp, size_t resp_cnt, uint64_t tag);
	void (*done)(void *ctx, uint64_t tag, size_t written);
	void *ctx;
};

int gpu_new(const struct gpu_config *cfg, struct loop *loop, struct gpu **out);
/* Destroys the device (giving back its mappings), then the memory table. */
void gpu_destroy(struct gpu *g);
/* rec is copied; NULL stops recording. */
void gpu_set_recorder(struct gpu *g, const struct gpu_recorder *rec);

uint64_t gpu_get_features(const struct gpu *g);
/* What the recorder needs to know: the dialect, the features the driver
 * accepted (SET_FEATURES), the library's device. */
enum vgm_dialect gpu_dialect(const struct gpu *g);
uint64_t gpu_accepted_features(const struct gpu *g);
const struct vgm_device *gpu_device(const struct gpu *g);
/* Guest memory, read-only: a host pointer to gpa and, in *contig, the bytes
 * from there to min(len, end of its region); NULL outside guest memory. Valid
 * until the memory table changes. */
const uint8_t *gpu_guest_bytes(const struct gpu *g, uint64_t gpa, uint64_t len,
			       uint64_t *contig);
/* Ring features (INDIRECT_DESC, EVENT_IDX) are honoured even when not
 * offered (QEMU negotiates them with the guest regardless); other bits that
 * were not offered are the front-end's transport's and ignored. @return 0. */
int gpu_set_features(struct gpu *g, uint64_t features);

/* Replaces guest memory. Takes ownership of the n fds, even on failure.
 * @return -EINVAL for a bad region (the old table stays), -errno of mmap. */
int gpu_set_mem_table(struct gpu *g, const struct memtable_entry *e, const int *fds, uint32_t n);

int gpu_vring_num(struct gpu *g, uint32_t idx, uint32_t num);
int gpu_vring_addr(struct gpu *g, uint32_t idx, uint64_t desc, uint64_t avail, uint64_t used);
int gpu_vring_base(struct gpu *g, uint32_t idx, uint16_t base);
/* Stops the queue; *base receives where it stopped. */
int gpu_vring_get_base(struct gpu *g, uint32_t idx, uint16_t *base);
/* These take ownership of fd (-1: none), also on failure. */
int gpu_vring_kick(struct gpu *g, uint32_t idx, int fd);
int gpu_vring_call(struct gpu *g, uint32_t idx, int fd);
int gpu_vring_err(struct gpu *g, uint32_t idx, int fd);
int gpu_vring_enable(struct gpu *g, uint32_t idx, bool enable);

/* The 16-byte virtio-gpu config space. */
int gpu_config_read(const struct gpu *g, uint32_t offset, void *buf, uint32_t len);
int gpu_config_write(struct gpu *g, uint32_t offset, const void *buf, uint32_t len);

/* VHOST_USER_GPU_SET_SOCKET: takes ownership of fd. */
void gpu_set_display_socket(struct gpu *g, int fd);

/* --load-state: a saved state into the fresh device (vgm_device_load(),
 * which logs what it refuses), resumed when a ring first can run
 * (gpu-state.c). @return vgm_device_load()'s. */
int gpu_load_state(struct gpu *g, const void *buf, size_t len);

/* RESET_DEVICE: rings stopped and forgotten, the device as new. */
void gpu_reset(struct gpu *g);
/* RESET_OWNER (deprecated): every ring disabled. */
void gpu_disable_rings(struct gpu *g);

#endif
