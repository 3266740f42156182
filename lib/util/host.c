/* SPDX-License-Identifier: MIT */
/*
 * The VMM's callbacks, each made with the count of running callbacks
 * raised, so the api layer can refuse calls back into the device from
 * inside one (see util.h).
 */
#include "util.h"

struct host {
	struct vgm_host_ops ops;
	void *data;	/* the VMM's pointer, first argument of every callback */
	uint32_t depth; /* callbacks running now */
	bool in_log;	/* the log callback is one of them */
	const struct host_watch *watch; /* or NULL */
	void *watch_ctx;
};

/* Calls one callback, if the host has it, with the depth raised; args
 * is its parenthesised argument list. */
#define CALL(h, name, args)                    \
	do {                                   \
		if ((h)->ops.name) {           \
			(h)->depth++;          \
			(h)->ops.name args;    \
			(h)->depth--;          \
		}                              \
	} while (0)

size_t host_size(void)
{
	return place_round(sizeof(struct host));
}

void host_init(struct host *h, const struct vgm_host_ops *ops, void *data)
{
	*h = (struct host){ .ops = *ops, .data = data };
}

bool host_busy(const struct host *h)
{
	return h->depth > 0;
}

bool host_has_release(const struct host *h)
{
	return h->ops.release != NULL;
}

bool host_has_dmabuf(const struct host *h)
{
	return h->ops.scanout_dmabuf != NULL;
}

bool host_has_log(const struct host *h)
{
	return h->ops.log != NULL;
}

bool host_has_request_done(const struct host *h)
{
	return h->ops.request_done != NULL;
}

int host_translate(struct host *h, uint64_t gpa, uint64_t len, struct vgm_guest_map *map)
{
	int ret;

	h->depth++;
	ret = h->ops.translate(h->data, gpa, len, map);
	h->depth--;
	if (ret == 0 && h->watch)
		h->watch->mapped(h->watch_ctx, gpa, len, map);
	return ret;
}

void host_release(struct host *h, const struct vgm_guest_map *map)
{
	/* Told first: the mapping may be gone once the VMM has it back. */
	if (h->watch)
		h->watch->released(h->watch_ctx, map);
	CALL(h, release, (h->data, map));
}

void host_set_watch(struct host *h, const struct host_watch *watch, void *ctx)
{
	h->watch = watch;
	h->watch_ctx = ctx;
}

void host_fence_done(struct host *h, uint32_t ctx_id, uint8_t ring_idx, uint64_t fence_id)
{
	CALL(h, fence_done, (h->data, ctx_id, ring_idx, fence_id));
}

void host_config_changed(struct host *h)
{
	CALL(h, config_changed, (h->data));
}

void host_scanout_set(struct host *h, uint32_t scanout, const struct vgm_pixels *px)
{
	CALL(h, scanout_set, (h->data, scanout, px));
}

void host_scanout_disable(struct host *h, uint32_t scanout)
{
	CALL(h, scanout_disable, (h->data, scanout));
}

void host_scanout_update(struct host *h, uint32_t scanout, const struct vgm_rect *rect)
{
	CALL(h, scanout_update, (h->data, scanout, rect));
}

void host_scanout_dmabuf(struct host *h, uint32_t scanout, const struct vgm_dmabuf *buf)
{
	CALL(h, scanout_dmabuf, (h->data, scanout, buf));
}

void host_cursor_set(struct host *h, uint32_t scanout, const struct vgm_cursor *cursor)
{
	CALL(h, cursor_set, (h->data, scanout, cursor));
}

void host_cursor_move(struct host *h, uint32_t scanout, uint32_t x, uint32_t y)
{
	CALL(h, cursor_move, (h->data, scanout, x, y));
}

void host_cursor_hide(struct host *h, uint32_t scanout)
{
	CALL(h, cursor_hide, (h->data, scanout));
}

void host_resource_uuid(struct host *h, uint32_t resource_id, const uint8_t uuid[16])
{
	CALL(h, resource_uuid, (h->data, resource_id, uuid));
}

void host_request_done(struct host *h, uint64_t tag, size_t written)
{
	CALL(h, request_done, (h->data, tag, written));
}

void host_log(struct host *h, enum vgm_log_level level, const char *msg)
{
	/* A line from inside the log callback can only be a call back into
	 * the device refused: logging that would call the log callback
	 * again, from inside itself, without end. */
	if (h->in_log)
		return;
	h->in_log = true;
	CALL(h, log, (h->data, level, msg));
	h->in_log = false;
}
