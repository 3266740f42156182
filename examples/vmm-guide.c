/* SPDX-License-Identifier: MIT */
/*
 * The program of docs/vmm-guide.md: a VMM's side of virtgpu-mem, step by
 * step. The guide's code blocks are the marked parts of this file, word for
 * word (the test vmm-guide-snippets compares them), and this program is
 * built and run by the test vmm-guide (suite examples), so the guide's code
 * compiles and works.
 *
 * A made-up VMM: guest RAM in slots it may remap, a control virtqueue whose
 * descriptor chains it has already popped, a display thread. The guest side
 * is one GET_DISPLAY_INFO request, fenced. Exits 1 with what failed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <virtgpu-mem/virtgpu-mem.h>

#define SLOT_SIZE (1u << 20)
#define NSLOTS 2u
#define MAX_CHAIN 16u

/* snippet: ram */
/* Guest RAM as the VMM keeps it: slots it may remap (hotplug, ballooning).
 * A slot counts the mappings the library holds, so that it is not
 * unmapped under them. */
struct ram_slot {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;
	unsigned int mapped; /* translate()s not yet released */
};

struct vmm {
	struct ram_slot slots[NSLOTS];
	struct vgm_device *dev;
	pthread_mutex_t display_lock; /* the display thread's view */
	const void *shown;            /* vgm_pixels.data, or NULL */
	uint32_t shown_stride, shown_width, shown_height;
	uint64_t fences_done;
};

static struct ram_slot *find_slot(struct vmm *vmm, uint64_t gpa)
{
	for (unsigned int i = 0; i < NSLOTS; i++) {
		struct ram_slot *s = &vmm->slots[i];

		if (s->host && gpa >= s->gpa && gpa - s->gpa < s->size)
			return s;
	}
	return NULL;
}

/* The library asks for [gpa, gpa + len); one slot answers what it holds of
 * it, and the library asks again for the rest. */
static int vmm_translate(void *host, uint64_t gpa, uint64_t len, struct vgm_guest_map *map)
{
	struct ram_slot *s = find_slot(host, gpa);
	uint64_t left;

	if (!s)
		return -EFAULT; /* not RAM: the guest gets an error response */
	left = s->size - (gpa - s->gpa);
	map->ptr = s->host + (gpa - s->gpa);
	map->len = len < left ? len : left;
	map->cookie = s; /* given back to release() */
	s->mapped++;
	return 0;
}

/* The library holds the mapping no more (DETACH_BACKING, UNREF, reset,
 * destroy, a failed command). */
static void vmm_release(void *host, const struct vgm_guest_map *map)
{
	struct ram_slot *s = map->cookie;

	(void)host;
	s->mapped--;
}

/* The VMM wants to move a slot: only once the library holds nothing in it.
 * Until then the guest's resources still use it (a real VMM defers, or
 * resets the device). */
static bool vmm_may_remap(const struct ram_slot *s)
{
	return s->mapped == 0;
}
/* end snippet */

/* snippet: display */
/* Display callbacks come on the device's thread, inside the library call
 * that caused them. The display thread reads the pixels it was given until
 * the callback that replaces them returns: switch it over under a lock. */
static void vmm_scanout_set(void *host, uint32_t scanout, const struct vgm_pixels *px)
{
	struct vmm *vmm = host;

	if (scanout != 0)
		return;
	pthread_mutex_lock(&vmm->display_lock);
	vmm->shown = px->data; /* px itself is valid during the call only */
	vmm->shown_stride = px->stride;
	vmm->shown_width = px->width;
	vmm->shown_height = px->height;
	pthread_mutex_unlock(&vmm->display_lock);
}

static void vmm_scanout_disable(void *host, uint32_t scanout)
{
	struct vmm *vmm = host;

	if (scanout != 0)
		return;
	pthread_mutex_lock(&vmm->display_lock);
	vmm->shown = NULL; /* after this returns the old pixels may be freed */
	pthread_mutex_unlock(&vmm->display_lock);
}

/* Which rectangle changed: repaint it (or copy it now, for no tearing). */
static void vmm_scanout_update(void *host, uint32_t scanout, const struct vgm_rect *r)
{
	(void)host, (void)scanout, (void)r;
}

/* Zero-copy blob scanouts: the fd is the VMM's from now on. A VMM that
 * cannot use it closes it; the library then does not fall back to pixels
 * for this scanout, so leave scanout_dmabuf NULL if you never take them. */
static void vmm_scanout_dmabuf(void *host, uint32_t scanout, const struct vgm_dmabuf *buf)
{
	(void)host, (void)scanout;
	close(buf->fd);
}
/* end snippet */

/* snippet: fence */
/* A fenced request's work is done: the VMM tells the guest, by the used
 * ring it fills after vgm_device_submit() and an interrupt. In this version
 * it is called before vgm_device_submit() returns. */
static void vmm_fence_done(void *host, uint32_t ctx_id, uint8_t ring_idx, uint64_t fence_id)
{
	struct vmm *vmm = host;

	(void)ctx_id, (void)ring_idx;
	vmm->fences_done = fence_id;
}

static void vmm_config_changed(void *host)
{
	(void)host; /* raise the transport's config interrupt */
}

static void vmm_log(void *host, enum vgm_log_level level, const char *msg)
{
	(void)host;
	fprintf(stderr, "virtio-gpu[%d]: %s\n", (int)level, msg);
}
/* end snippet */

/* snippet: device */
static int vmm_gpu_create(struct vmm *vmm)
{
	static const struct vgm_host_ops ops = {
		.size = sizeof(ops),
		.translate = vmm_translate,
		.release = vmm_release,
		.fence_done = vmm_fence_done,
		.config_changed = vmm_config_changed,
		.scanout_set = vmm_scanout_set,
		.scanout_disable = vmm_scanout_disable,
		.scanout_update = vmm_scanout_update,
		.scanout_dmabuf = vmm_scanout_dmabuf,
		.log = vmm_log,
	};
	struct vgm_device_config cfg = {
		.size = sizeof(cfg),
		.dialect = VGM_DIALECT_STANDARD,
		.features = VGM_FEATURES_ALL,
		.num_scanouts = 1,
		.scanouts = { { .enabled = 1, .width = 1280, .height = 800 } },
		.ops = &ops,
		.host = vmm,
	};

	return vgm_device_new(&cfg, &vmm->dev);
}
/* end snippet */

/* snippet: submit */
/* One descriptor of a chain, as the VMM's virtqueue code pops it. */
struct desc {
	uint64_t gpa;
	uint32_t len;
	bool writable;
};

/* A chain from the control (or cursor) queue: its device-readable
 * descriptors come first, then the writable ones. The VMM maps each (it
 * owns guest memory; a descriptor may span slots, which this VMM refuses),
 * the library copies the request out once and writes the response. */
static int vmm_process_chain(struct vmm *vmm, enum vgm_queue queue, const struct desc *chain,
			     size_t n, size_t *used)
{
	struct iovec iov[MAX_CHAIN];
	size_t nin = 0;

	if (n > MAX_CHAIN)
		return -E2BIG;
	for (size_t i = 0; i < n; i++) {
		struct ram_slot *s = find_slot(vmm, chain[i].gpa);

		if (!s || chain[i].len > s->size - (chain[i].gpa - s->gpa))
			return -EFAULT; /* the transport's error, not the library's */
		iov[i].iov_base = s->host + (chain[i].gpa - s->gpa);
		iov[i].iov_len = chain[i].len;
		if (!chain[i].writable)
			nin = i + 1;
	}
	/* 0 whatever the guest sent: its errors are in the response. */
	return vgm_device_submit(vmm->dev, queue, iov, nin, iov + nin, n - nin, used);
}
/* end snippet */

/* snippet: display-thread */
/* The display thread: reads the pixels while the device thread goes on.
 * The bytes may change as it reads (no lock is held while the guest or
 * a transfer writes them); the pointer stays valid until the lock says
 * otherwise. */
static uint32_t display_first_pixel(struct vmm *vmm)
{
	uint32_t pixel = 0;

	pthread_mutex_lock(&vmm->display_lock);
	if (vmm->shown)
		memcpy(&pixel, vmm->shown, sizeof(pixel));
	pthread_mutex_unlock(&vmm->display_lock);
	return pixel;
}
/* end snippet */

/* ---- the guest side, and the checks -------------------------------------------------------- */

static int check(bool ok, const char *what)
{
	if (!ok)
		fprintf(stderr, "vmm-guide: FAIL: %s\n", what);
	return ok ? 0 : 1;
}

static void *display_thread(void *arg)
{
	(void)display_first_pixel(arg);
	return NULL;
}

int main(void)
{
	struct vmm vmm = { .display_lock = PTHREAD_MUTEX_INITIALIZER };
	struct vgm_gpu_ctrl_hdr req = { .type = VGM_GPU_CMD_GET_DISPLAY_INFO,
					.flags = VGM_GPU_FLAG_FENCE,
					.fence_id = 7 };
	struct vgm_gpu_resp_display_info *resp;
	struct desc chain[2];
	pthread_t display;
	size_t used = 0;
	int failed = 0;

	for (unsigned int i = 0; i < NSLOTS; i++) {
		vmm.slots[i] = (struct ram_slot){ .gpa = 0x40000000ull + (uint64_t)i * SLOT_SIZE,
						  .size = SLOT_SIZE,
						  .host = calloc(1, SLOT_SIZE) };
		if (!vmm.slots[i].host)
			return 1;
	}
	if (vmm_gpu_create(&vmm)) {
		fprintf(stderr, "vmm-guide: vgm_device_new failed\n");
		return 1;
	}
	if (pthread_create(&display, NULL, display_thread, &vmm))
		return 1;
	/* The guest: a request in slot 0, its response buffer in slot 1. */
	memcpy(vmm.slots[0].host, &req, sizeof(req));
	chain[0] = (struct desc){ vmm.slots[0].gpa, sizeof(req), false };
	chain[1] = (struct desc){ vmm.slots[1].gpa, sizeof(*resp), true };
	failed |= check(vmm_process_chain(&vmm, VGM_QUEUE_CONTROL, chain, 2, &used) == 0,
			"submit");
	resp = (struct vgm_gpu_resp_display_info *)(void *)vmm.slots[1].host;
	failed |= check(used == sizeof(*resp), "the used length is the response's");
	failed |= check(resp->hdr.type == VGM_GPU_RESP_OK_DISPLAY_INFO, "OK_DISPLAY_INFO");
	failed |= check(resp->hdr.flags & VGM_GPU_FLAG_FENCE, "the fence is echoed");
	failed |= check(resp->pmodes[0].r.width == 1280 && resp->pmodes[0].enabled,
			"scanout 0 is 1280 wide and enabled");
	failed |= check(vmm.fences_done == 7, "fence 7 done before submit returned");
	failed |= check(vmm_may_remap(&vmm.slots[0]), "nothing mapped: slot 0 may move");
	pthread_join(display, NULL);
	vgm_device_destroy(vmm.dev);
	for (unsigned int i = 0; i < NSLOTS; i++)
		free(vmm.slots[i].host);
	if (!failed)
		printf("vmm-guide: GET_DISPLAY_INFO answered, fence 7 done\n");
	return failed;
}
