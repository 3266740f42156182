/* SPDX-License-Identifier: MIT */
/*
 * Test support: a minimal encoder of virgl command streams (what a guest's
 * Mesa virgl driver sends in SUBMIT_3D), enough to clear a render target and
 * draw triangles of one colour. The layouts are virglrenderer's
 * virgl_protocol.h; the numbers of formats, binds, shader types and
 * primitives are gallium's.
 */
#ifndef VGM_TEST_VIRGL_ENCODE_H
#define VGM_TEST_VIRGL_ENCODE_H

#include <stdint.h>

#include "virgl.h"

#define SHADER_VERTEX 0u
#define SHADER_FRAGMENT 1u
#define FORMAT_R8_UNORM 64u
#define FORMAT_R32G32B32A32_FLOAT 31u
#define BIND_SAMPLER_VIEW (1u << 3)
#define BIND_VERTEX_BUFFER (1u << 4)

/* A command buffer being written; it fails the test when it is full. */
struct enc {
	uint32_t dw[4096];
	uint32_t n;
};

/* A surface (handle) on level 0, layer 0 of texture res_id. */
void enc_surface(struct enc *e, uint32_t handle, uint32_t res_id, uint32_t format);

/* The framebuffer: one colour buffer, surface; no depth. */
void enc_framebuffer(struct enc *e, uint32_t surface);

/* Clears colour buffer 0 to rgba (depth and stencil untouched). */
void enc_clear(struct enc *e, const float rgba[4]);

/* Viewport 0 over a w x h target. */
void enc_viewport(struct enc *e, uint32_t w, uint32_t h);

/* Blend off writing RGBA, depth and stencil off, a rasterizer without
 * culling (GL pixel centres, depth clip): objects 1, 2 and 3, bound. */
void enc_fixed_state(struct enc *e);

/* A shader (type SHADER_*) from TGSI text, bound. */
void enc_shader(struct enc *e, uint32_t handle, uint32_t type, const char *text);

/* A vertex shader that passes IN[0] to the position. */
void enc_passthrough_vs(struct enc *e, uint32_t handle);

/* A fragment shader writing the constant rgba to every colour buffer. */
void enc_solid_fs(struct enc *e, uint32_t handle, const float rgba[4]);

/* Vertices of 4 floats from vertex buffer 0 = resource vbuf_id, 16 bytes
 * apart (vertex elements object handle, bound). */
void enc_vertex_input(struct enc *e, uint32_t handle, uint32_t vbuf_id);

/* Draws count vertices as triangles, instances times. */
void enc_draw(struct enc *e, uint32_t count, uint32_t instances);

/* vgl_submit() of what e holds. */
int enc_submit(struct vgl *r, uint32_t ctx, const struct enc *e);

#endif /* VGM_TEST_VIRGL_ENCODE_H */
