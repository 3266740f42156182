/* SPDX-License-Identifier: MIT */
/*
 * The device as vhost-user sets it up: features, guest memory, the rings'
 * sizes, addresses and eventfds, the config space, resets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gpu-private.h"
#include "log.h"

/* --- life cycle --------------------------------------------------------- */

static int new_device(struct gpu *g)
{
	struct vgm_device_config cfg = {
		.size = sizeof(cfg),
		.dialect = g->cfg.dialect,
		.features = g->cfg.device_features,
		/* QEMU tells the guest how many scanouts there are (its
		 * max_outputs): the option says as many. The first is
		 * enabled until QEMU tells its displays (as QEMU's own). */
		.num_scanouts = g->cfg.num_scanouts,
		.scanouts[0] = { .enabled = 1 },
		.log_level = g->cfg.log_level,
		.flags = g->cfg.saveable ? VGM_DEVICE_SAVEABLE : 0,
		/* The fence thread's fd wakes the loop when a fence signals. */
		.renderer = g->cfg.virgl ? VGM_RENDERER_VIRGL : VGM_RENDERER_2D,
		.renderer_flags = g->cfg.virgl ? VGM_VIRGL_THREAD_SYNC : 0,
		.ops = &gpu_host_ops,
		.host = g,
	};

	return vgm_device_new(&cfg, &g->dev);
}

int gpu_new(const struct gpu_config *cfg, struct loop *loop, struct gpu **out)
{
	struct gpu *g = calloc(1, sizeof(*g));
	int err = -ENOMEM;

	if (!g)
		return err;
	g->cfg = *cfg;
	if (!g->cfg.num_scanouts)
		g->cfg.num_scanouts = 1;
	g->loop = loop;
	g->chain = malloc(sizeof(*g->chain));
	if (!g->chain)
		goto fail;
	err = new_device(g);
	if (err < 0)
		goto fail;
	err = gpu_inflight_init(g);
	if (err < 0)
		goto fail;
	err = display_new(loop, &gpu_display_ops, g, g->cfg.zero_copy, &g->disp);
	if (err < 0)
		goto fail;
	for (uint32_t i = 0; i < GPU_NUM_QUEUES; i++)
		queue_init(&g->q[i], loop, gpu_on_kick, g);
	*out = g;
	return 0;
fail:
	gpu_inflight_stop(g);
	vgm_device_destroy(g->dev);
	gpu_inflight_fini(g);
	free(g->chain);
	free(g);
	return err;
}

/* At info level: what the guest asked for, and what went to QEMU. */
static void log_summary(const struct gpu *g)
{
	static const char *const queue_names[] = { "control", "cursor" };
	struct display_stats ds;

	if (log_get_level() < VGM_LOG_INFO)
		return;
	for (uint32_t q = 0; q < GPU_NUM_QUEUES; q++) {
		log_info("%s queue: %llu requests", queue_names[q],
			 (unsigned long long)g->requests[q]);
		for (uint32_t t = 0; t < GPU_COUNTED_TYPES; t++) {
			uint32_t type = (q == VGM_QUEUE_CONTROL ? 0x0100 : 0x0300) + t;
			const char *name = vgm_command_name(g->cfg.dialect, type);

			if (g->by_type[q][t])
				log_info("  %s (0x%04x): %llu", name ? name : "?", type,
					 (unsigned long long)g->by_type[q][t]);
		}
	}
	if (g->cfg.virgl)
		log_info("renderer: %llu requests answered later (their fences)",
			 (unsigned long long)g->answered_later);
	display_get_stats(g->disp, &ds);
	log_info("display: %llu UPDATE messages, %llu bytes of pixels (%llu by reference, %llu "
		 "by copy)",
		 (unsigned long long)ds.updates, (unsigned long long)ds.update_bytes,
		 (unsigned long long)ds.by_reference, (unsigned long long)ds.by_copy);
	log_info("display: %llu requests waited for QEMU to read pixels lent to it, %.1f ms in all",
		 (unsigned long long)g->waits, (double)g->wait_ns / 1e6);
}

void gpu_destroy(struct gpu *g)
{
	if (!g)
		return;
	log_summary(g);
	for (uint32_t i = 0; i < GPU_NUM_QUEUES; i++)
		queue_fini(&g->q[i]);
	/* Queued updates borrow the device's pixels: drop them first. */
	display_detach(g->disp);
	/* The device before the tables kept for requests in flight: it gives
	 * back its mappings into them, and answers the requests it cancels
	 * in the guest memory they map (a request without a bounce slot). */
	gpu_inflight_stop(g);
	vgm_device_destroy(g->dev);
	gpu_inflight_fini(g);
	/* After the device, which held those of requests in flight. */
	gpu_bounce_fini(&g->bounces);
	display_destroy(g->disp);
	memtable_destroy(g->mt);
	free(g->chain);
	free(g);
}

void gpu_set_recorder(struct gpu *g, const struct gpu_recorder *rec)
{
	g->rec = rec ? *rec : (struct gpu_recorder){ 0 };
}

/* The guest reset the device: it starts again with nothing. */
static void device_reset(struct gpu *g)
{
	log_info("device reset");
	if (g->rec.reset)
		g->rec.reset(g->rec.ctx);
	gpu_unpark(g);
	display_own_pending(g->disp);
	/* The reset may close the renderer's poll fd: unwatched first. */
	loop_unwatch(g->loop, &g->poll_fd);
	g->resetting = true;
	/* A loaded state not resumed yet is forgotten too: the guest starts again. */
	g->resume_pending = false;
	vgm_device_reset(g->dev);
	g->resetting = false;
	gpu_inflight_reset(g);
	/* The reset cleared them; SET_FEATURES came before the rings. */
	vgm_device_set_features(g->dev, g->features);
}

void gpu_reset(struct gpu *g)
{
	gpu_unpark(g);
	for (uint32_t i = 0; i < GPU_NUM_QUEUES; i++)
		queue_fini(&g->q[i]);
	g->features = 0;
	g->stopped = false;
	device_reset(g);
}

void gpu_disable_rings(struct gpu *g)
{
	gpu_unpark(g);
	for (uint32_t i = 0; i < GPU_NUM_QUEUES; i++)
		g->q[i].enabled = false;
}

/* --- features and memory ------------------------------------------------ */

uint64_t gpu_get_features(const struct gpu *g)
{
	uint64_t f = 0;

	vgm_device_get_features(g->dev, &f);
	f |= 1ull << GPU_F_VERSION_1 | 1ull << GPU_F_PROTOCOL_FEATURES;
	if (g->cfg.indirect)
		f |= 1ull << VRING_F_INDIRECT_DESC;
	if (g->cfg.event_idx)
		f |= 1ull << VRING_F_EVENT_IDX;
	return f;
}

enum vgm_dialect gpu_dialect(const struct gpu *g)
{
	return g->cfg.dialect;
}

uint64_t gpu_accepted_features(const struct gpu *g)
{
	return g->features;
}

const struct vgm_device *gpu_device(const struct gpu *g)
{
	return g->dev;
}

const uint8_t *gpu_guest_bytes(const struct gpu *g, uint64_t gpa, uint64_t len,
			       uint64_t *contig)
{
	return g->mt ? memtable_gpa(g->mt, gpa, len, contig) : NULL;
}

/* Ring features this backend implements, offered or not. */
#define RING_FEATURES ((1ull << VRING_F_INDIRECT_DESC) | (1ull << VRING_F_EVENT_IDX))

int gpu_set_features(struct gpu *g, uint64_t features)
{
	uint64_t offered = gpu_get_features(g);
	uint64_t foreign = features & ~(offered | RING_FEATURES);

	/* QEMU's vhost-user-gpu-pci negotiates the ring features with the guest
	 * whatever we offered (QEMU 10 does), and the guest then uses them:
	 * honour them. Its transport adds bits of its own (RING_RESET, handled
	 * in QEMU): they pass through and mean nothing here. */
	if (features & RING_FEATURES & ~offered)
		log_info("SET_FEATURES: ring features 0x%llx negotiated without our offer",
			 (unsigned long long)(features & RING_FEATURES & ~offered));
	if (foreign)
		log_debug("SET_FEATURES: bits 0x%llx are the front-end's",
			  (unsigned long long)foreign);
	g->features = features & ~foreign;
	vgm_device_set_features(g->dev, g->features);
	for (uint32_t i = 0; i < GPU_NUM_QUEUES; i++) {
		vring_set_features(&g->q[i].vr, g->features & (1ull << VRING_F_INDIRECT_DESC),
				   g->features & (1ull << VRING_F_EVENT_IDX));
		/* vhost-user.rst: without protocol features, rings start enabled. */
		if (!(features & (1ull << GPU_F_PROTOCOL_FEATURES)))
			g->q[i].enabled = true;
	}
	log_debug("features 0x%llx", (unsigned long long)features);
	return 0;
}

/* Maps a ring whose size and addresses are known. */
static int map_ring(struct gpu *g, struct queue *q)
{
	if (!g->mt || !q->vr.num || !q->vr.addr_set)
		return 0;
	if (vring_map(&q->vr, g->mt) < 0) {
		log_error("ring at 0x%llx/0x%llx/0x%llx (size %u) is not in guest memory",
			  (unsigned long long)q->vr.desc_addr, (unsigned long long)q->vr.avail_addr,
			  (unsigned long long)q->vr.used_addr, q->vr.num);
		return -EINVAL;
	}
	return 0;
}

int gpu_set_mem_table(struct gpu *g, const struct memtable_entry *e, const int *fds, uint32_t n)
{
	struct memtable *mt = NULL;
	int err = memtable_new(&mt);
	uint32_t i = 0;

	for (; err == 0 && i < n; i++) {
		err = memtable_add_fd(mt, &e[i], fds[i]);
		if (err < 0)
			log_error("SET_MEM_TABLE: region %u of %u refused (%s)", i, n, strerror(-err));
	}
	for (; i < n; i++)
		close(fds[i]);
	/* Responses of requests in flight go into the old mapping: it stays
	 * until they are answered. */
	if (err == 0 && gpu_retire_table(g, g->mt) < 0) {
		log_error("SET_MEM_TABLE refused: %u older tables still hold requests in flight",
			  GPU_RETIRED_TABLES);
		err = -EBUSY;
	}
	if (err < 0) {
		memtable_destroy(mt);
		return err;
	}
	/* The waiting chain points into the old mapping: it is taken again. */
	gpu_unpark(g);
	display_own_pending(g->disp);
	g->mt = mt;
	for (i = 0; i < GPU_NUM_QUEUES; i++)
		map_ring(g, &g->q[i]);
	log_debug("memory table: %u regions", n);
	gpu_process_all(g);
	return 0;
}

/* --- rings ------------------------------------------------------------- */

static struct queue *queue_at(struct gpu *g, uint32_t idx)
{
	if (idx < GPU_NUM_QUEUES)
		return &g->q[idx];
	log_error("vhost-user: ring index %u (this device has %u)", idx, GPU_NUM_QUEUES);
	return NULL;
}

int gpu_vring_num(struct gpu *g, uint32_t idx, uint32_t num)
{
	struct queue *q = queue_at(g, idx);

	if (!q)
		return -EINVAL;
	if (g->parked && g->parked_queue == idx)
		gpu_unpark(g);
	if (vring_set_num(&q->vr, num) < 0) {
		log_error("ring %u: size %u refused", idx, num);
		return -EINVAL;
	}
	return map_ring(g, q);
}

int gpu_vring_addr(struct gpu *g, uint32_t idx, uint64_t desc, uint64_t avail, uint64_t used)
{
	struct queue *q = queue_at(g, idx);

	if (!q)
		return -EINVAL;
	if (g->parked && g->parked_queue == idx)
		gpu_unpark(g);
	vring_set_addr(&q->vr, desc, avail, used);
	return map_ring(g, q);
}

int gpu_vring_base(struct gpu *g, uint32_t idx, uint16_t base)
{
	struct queue *q = queue_at(g, idx);

	if (!q)
		return -EINVAL;
	if (g->parked && g->parked_queue == idx)
		gpu_unpark(g);
	/*
	 * A pause gives the ring back where it stopped; a device reset starts
	 * it at 0. Nothing else tells a vhost-user backend that the guest
	 * reset the device, and stale resources would refuse the ids a
	 * rebooted guest uses again.
	 */
	if (idx == VGM_QUEUE_CONTROL && g->stopped && base != g->stopped_base)
		device_reset(g);
	if (idx == VGM_QUEUE_CONTROL)
		g->stopped = false;
	vring_set_base(&q->vr, base);
	return 0;
}

int gpu_vring_get_base(struct gpu *g, uint32_t idx, uint16_t *base)
{
	struct queue *q = queue_at(g, idx);

	if (!q)
		return -EINVAL;
	if (g->parked && g->parked_queue == idx)
		gpu_unpark(g);
	gpu_inflight_drain(g);
	queue_stop(q);
	*base = vring_get_base(&q->vr);
	if (idx == VGM_QUEUE_CONTROL) {
		g->stopped = true;
		g->stopped_base = *base;
	}
	return 0;
}

int gpu_vring_kick(struct gpu *g, uint32_t idx, int fd)
{
	struct queue *q = queue_at(g, idx);
	int err;

	if (!q) {
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	err = queue_set_kick(q, fd);
	if (err == 0 && q->started)
		gpu_inflight_started(g, idx);
	if (err == 0)
		gpu_process(g, idx);
	return err;
}

int gpu_vring_call(struct gpu *g, uint32_t idx, int fd)
{
	struct queue *q = queue_at(g, idx);

	if (!q) {
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	queue_set_call(q, fd);
	return 0;
}

int gpu_vring_err(struct gpu *g, uint32_t idx, int fd)
{
	struct queue *q = queue_at(g, idx);

	if (!q) {
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	queue_set_err(q, fd);
	return 0;
}

int gpu_vring_enable(struct gpu *g, uint32_t idx, bool enable)
{
	struct queue *q = queue_at(g, idx);

	if (!q)
		return -EINVAL;
	if (!enable && g->parked && g->parked_queue == idx)
		gpu_unpark(g);
	q->enabled = enable;
	if (enable)
		gpu_process(g, idx);
	return 0;
}

/* --- config space and display ------------------------------------------ */

int gpu_config_read(const struct gpu *g, uint32_t offset, void *buf, uint32_t len)
{
	return vgm_device_config_read(g->dev, offset, buf, len);
}

int gpu_config_write(struct gpu *g, uint32_t offset, const void *buf, uint32_t len)
{
	return vgm_device_config_write(g->dev, offset, buf, len);
}

void gpu_set_display_socket(struct gpu *g, int fd)
{
	log_debug("display socket %d", fd);
	display_attach(g->disp, fd);
}
