/* SPDX-License-Identifier: MIT */
/*
 * Decoding and encoding of the wire structs (little-endian, see
 * <virtgpu-mem/protocol.h>). Each decoder reads a command's body, after the
 * 24-byte header, in wire order; padding is read and dropped.
 */
#include "private.h"

bool wire_get_hdr(struct reader *r, struct vgm_gpu_ctrl_hdr *h)
{
	return reader_u32(r, &h->type) && reader_u32(r, &h->flags) &&
	       reader_u64(r, &h->fence_id) && reader_u32(r, &h->ctx_id) &&
	       reader_u8(r, &h->ring_idx) && reader_skip(r, sizeof(h->padding));
}

bool wire_get_rect(struct reader *r, struct vgm_gpu_rect *rect)
{
	return reader_u32(r, &rect->x) && reader_u32(r, &rect->y) &&
	       reader_u32(r, &rect->width) && reader_u32(r, &rect->height);
}

bool wire_get_entry(struct reader *r, struct vgm_gpu_mem_entry *e)
{
	e->padding = 0;
	return reader_u64(r, &e->addr) && reader_u32(r, &e->length) && reader_skip(r, 4);
}

void wire_put_hdr(struct writer *w, const struct vgm_gpu_ctrl_hdr *h)
{
	writer_u32(w, h->type);
	writer_u32(w, h->flags);
	writer_u64(w, h->fence_id);
	writer_u32(w, h->ctx_id);
	writer_u8(w, h->ring_idx);
	writer_zero(w, sizeof(h->padding));
}

void wire_put_rect(struct writer *w, const struct vgm_gpu_rect *rect)
{
	writer_u32(w, rect->x);
	writer_u32(w, rect->y);
	writer_u32(w, rect->width);
	writer_u32(w, rect->height);
}

bool wire_get_nothing(struct reader *r, struct cmd *c)
{
	(void)r;
	(void)c;
	return true;
}

/* Commands whose body is one id and padding: GET_EDID, RESOURCE_UNREF,
 * DETACH_BACKING, MEMORY_UNREF, GET_CAPSET_INFO, ASSIGN_UUID. */
bool wire_get_id(struct reader *r, struct cmd *c)
{
	return reader_u32(r, &c->id) && reader_skip(r, 4);
}

bool wire_get_create_2d(struct reader *r, struct cmd *c)
{
	struct vgm_gpu_resource_create_2d *b = &c->u.create_2d;

	return reader_u32(r, &b->resource_id) && reader_u32(r, &b->format) &&
	       reader_u32(r, &b->width) && reader_u32(r, &b->height);
}

bool wire_get_set_scanout(struct reader *r, struct cmd *c)
{
	struct vgm_gpu_set_scanout *b = &c->u.set_scanout;

	return wire_get_rect(r, &b->r) && reader_u32(r, &b->scanout_id) &&
	       reader_u32(r, &b->resource_id);
}

bool wire_get_flush(struct reader *r, struct cmd *c)
{
	struct vgm_gpu_resource_flush *b = &c->u.flush;

	return wire_get_rect(r, &b->r) && reader_u32(r, &b->resource_id) && reader_skip(r, 4);
}

bool wire_get_transfer(struct reader *r, struct cmd *c)
{
	struct vgm_gpu_transfer_to_host_2d *b = &c->u.transfer;

	return wire_get_rect(r, &b->r) && reader_u64(r, &b->offset) &&
	       reader_u32(r, &b->resource_id) && reader_skip(r, 4);
}

bool wire_get_attach_backing(struct reader *r, struct cmd *c)
{
	struct vgm_gpu_resource_attach_backing *b = &c->u.attach_backing;

	return reader_u32(r, &b->resource_id) && reader_u32(r, &b->nr_entries);
}

bool wire_get_cursor(struct reader *r, struct cmd *c)
{
	struct vgm_gpu_update_cursor *b = &c->u.cursor;

	return reader_u32(r, &b->pos.scanout_id) && reader_u32(r, &b->pos.x) &&
	       reader_u32(r, &b->pos.y) && reader_skip(r, 4) && reader_u32(r, &b->resource_id) &&
	       reader_u32(r, &b->hot_x) && reader_u32(r, &b->hot_y) && reader_skip(r, 4);
}

bool wire_get_memory_create(struct reader *r, struct cmd *c)
{
	struct vgm_gpu_memory_create *b = &c->u.memory_create;

	return reader_u64(r, &b->size) && reader_u32(r, &b->memory_id) &&
	       reader_u32(r, &b->nr_entries) && reader_u32(r, &b->flags) && reader_skip(r, 4);
}

bool wire_get_attach_memory(struct reader *r, struct cmd *c)
{
	struct vgm_gpu_resource_attach_memory *b = &c->u.attach_memory;

	if (!reader_u32(r, &b->resource_id) || !reader_u32(r, &b->memory_id))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(b->offset); i++) {
		if (!reader_u64(r, &b->offset[i]))
			return false;
	}
	return true;
}

bool wire_get_create_blob(struct reader *r, struct cmd *c)
{
	struct vgm_gpu_resource_create_blob *b = &c->u.create_blob;

	return reader_u32(r, &b->resource_id) && reader_u32(r, &b->blob_mem) &&
	       reader_u32(r, &b->blob_flags) && reader_u32(r, &b->nr_entries) &&
	       reader_u64(r, &b->blob_id) && reader_u64(r, &b->size);
}

static bool get_u32s(struct reader *r, uint32_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!reader_u32(r, &v[i]))
			return false;
	}
	return true;
}

bool wire_get_set_scanout_blob(struct reader *r, struct cmd *c)
{
	struct vgm_gpu_set_scanout_blob *b = &c->u.set_scanout_blob;

	return wire_get_rect(r, &b->r) && reader_u32(r, &b->scanout_id) &&
	       reader_u32(r, &b->resource_id) && reader_u32(r, &b->width) &&
	       reader_u32(r, &b->height) && reader_u32(r, &b->format) && reader_skip(r, 4) &&
	       get_u32s(r, b->strides, 4) && get_u32s(r, b->offsets, 4);
}
