/* SPDX-License-Identifier: MIT */
/*
 * The minimal virgl command encoder of the tests: see virgl-encode.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "virgl-encode.h"

/* virgl_protocol.h: command numbers, object types and payload sizes. */
enum {
	CCMD_CREATE_OBJECT = 1,
	CCMD_BIND_OBJECT = 2,
	CCMD_SET_VIEWPORT_STATE = 4,
	CCMD_SET_FRAMEBUFFER_STATE = 5,
	CCMD_SET_VERTEX_BUFFERS = 6,
	CCMD_CLEAR = 7,
	CCMD_DRAW_VBO = 8,
	CCMD_BIND_SHADER = 31,
};
enum {
	OBJ_BLEND = 1,
	OBJ_RASTERIZER = 2,
	OBJ_DSA = 3,
	OBJ_SHADER = 4,
	OBJ_VERTEX_ELEMENTS = 5,
	OBJ_SURFACE = 8,
};
#define PRIM_TRIANGLES 4u
#define CLEAR_COLOR0 (1u << 2)

static void put(struct enc *e, uint32_t v)
{
	assert_true(e->n < sizeof(e->dw) / sizeof(e->dw[0]));
	e->dw[e->n++] = v;
}

static void put_f(struct enc *e, float f)
{
	uint32_t v;

	memcpy(&v, &f, sizeof(v));
	put(e, v);
}

/* A command header: 8-bit command, 8-bit object type, 16-bit payload length. */
static void cmd(struct enc *e, uint32_t c, uint32_t obj, uint32_t len)
{
	put(e, c | obj << 8 | len << 16);
}

static void bind_obj(struct enc *e, uint32_t obj, uint32_t handle)
{
	cmd(e, CCMD_BIND_OBJECT, obj, 1);
	put(e, handle);
}

void enc_surface(struct enc *e, uint32_t handle, uint32_t res_id, uint32_t format)
{
	cmd(e, CCMD_CREATE_OBJECT, OBJ_SURFACE, 5);
	put(e, handle);
	put(e, res_id);
	put(e, format);
	put(e, 0); /* level */
	put(e, 0); /* first | last layer << 16 */
}

void enc_framebuffer(struct enc *e, uint32_t surface)
{
	cmd(e, CCMD_SET_FRAMEBUFFER_STATE, 0, 3);
	put(e, 1);
	put(e, 0);
	put(e, surface);
}

void enc_clear(struct enc *e, const float rgba[4])
{
	cmd(e, CCMD_CLEAR, 0, 8);
	put(e, CLEAR_COLOR0);
	for (int i = 0; i < 4; i++)
		put_f(e, rgba[i]);
	put(e, 0); /* depth, a double */
	put(e, 0);
	put(e, 0); /* stencil */
}

void enc_viewport(struct enc *e, uint32_t w, uint32_t h)
{
	cmd(e, CCMD_SET_VIEWPORT_STATE, 0, 7);
	put(e, 0); /* first viewport */
	put_f(e, (float)w / 2);
	put_f(e, (float)h / 2);
	put_f(e, 0.5f);
	put_f(e, (float)w / 2);
	put_f(e, (float)h / 2);
	put_f(e, 0.5f);
}

void enc_fixed_state(struct enc *e)
{
	cmd(e, CCMD_CREATE_OBJECT, OBJ_BLEND, 11);
	put(e, 1);
	put(e, 0);
	put(e, 0);
	put(e, 0xfu << 27); /* colour mask of buffer 0 */
	for (int i = 1; i < 8; i++)
		put(e, 0);
	bind_obj(e, OBJ_BLEND, 1);
	cmd(e, CCMD_CREATE_OBJECT, OBJ_DSA, 5);
	put(e, 2);
	for (int i = 0; i < 4; i++)
		put(e, 0);
	bind_obj(e, OBJ_DSA, 2);
	cmd(e, CCMD_CREATE_OBJECT, OBJ_RASTERIZER, 9);
	put(e, 3);
	put(e, 1u << 1 | 1u << 29); /* depth clip, half-pixel centres */
	put_f(e, 1.0f);		    /* point size */
	put(e, 0);
	put(e, 0);
	put_f(e, 1.0f); /* line width */
	put(e, 0);
	put(e, 0);
	put(e, 0);
	bind_obj(e, OBJ_RASTERIZER, 3);
}

void enc_shader(struct enc *e, uint32_t handle, uint32_t type, const char *text)
{
	uint32_t len = (uint32_t)strlen(text) + 1, words = (len + 3) / 4;
	uint32_t buf[256] = { 0 };

	assert_true(words <= 256);
	memcpy(buf, text, len);
	cmd(e, CCMD_CREATE_OBJECT, OBJ_SHADER, 5 + words);
	put(e, handle);
	put(e, type);
	put(e, len); /* all of the text in this one command */
	put(e, 300); /* tokens to make room for */
	put(e, 0);   /* no stream output */
	for (uint32_t i = 0; i < words; i++)
		put(e, buf[i]);
	cmd(e, CCMD_BIND_SHADER, 0, 2);
	put(e, handle);
	put(e, type);
}

static const char passthrough_vs[] = "VERT\n"
			      "DCL IN[0]\n"
			      "DCL OUT[0], POSITION\n"
			      "  0: MOV OUT[0], IN[0]\n"
			      "  1: END\n";

void enc_passthrough_vs(struct enc *e, uint32_t handle)
{
	enc_shader(e, handle, SHADER_VERTEX, passthrough_vs);
}

void enc_solid_fs(struct enc *e, uint32_t handle, const float rgba[4])
{
	char text[256];

	snprintf(text, sizeof(text),
		 "FRAG\n"
		 "PROPERTY FS_COLOR0_WRITES_ALL_CBUFS 1\n"
		 "DCL OUT[0], COLOR\n"
		 "IMM[0] FLT32 { %f, %f, %f, %f }\n"
		 "  0: MOV OUT[0], IMM[0]\n"
		 "  1: END\n",
		 (double)rgba[0], (double)rgba[1], (double)rgba[2], (double)rgba[3]);
	enc_shader(e, handle, SHADER_FRAGMENT, text);
}

void enc_vertex_input(struct enc *e, uint32_t handle, uint32_t vbuf_id)
{
	cmd(e, CCMD_CREATE_OBJECT, OBJ_VERTEX_ELEMENTS, 5);
	put(e, handle);
	put(e, 0); /* offset */
	put(e, 0); /* instance divisor */
	put(e, 0); /* vertex buffer */
	put(e, FORMAT_R32G32B32A32_FLOAT);
	bind_obj(e, OBJ_VERTEX_ELEMENTS, handle);
	cmd(e, CCMD_SET_VERTEX_BUFFERS, 0, 3);
	put(e, 16); /* stride */
	put(e, 0);  /* offset */
	put(e, vbuf_id);
}

void enc_draw(struct enc *e, uint32_t count, uint32_t instances)
{
	cmd(e, CCMD_DRAW_VBO, 0, 12);
	put(e, 0);     /* start */
	put(e, count);
	put(e, PRIM_TRIANGLES);
	put(e, 0);     /* not indexed */
	put(e, instances);
	put(e, 0);     /* index bias */
	put(e, 0);     /* start instance */
	put(e, 0);     /* primitive restart */
	put(e, 0);     /* restart index */
	put(e, 0);     /* min index */
	put(e, count - 1);
	put(e, 0);     /* count from stream output */
}

int enc_submit(struct vgl *r, uint32_t ctx, const struct enc *e)
{
	return vgl_submit(r, ctx, e->dw, e->n * sizeof(uint32_t));
}
