/* SPDX-License-Identifier: MIT */
/*
 * fuzz/virgl: command streams (fuzz/stream/stream-format.h) on a real
 * virgl device (VGM_RENDERER_VIRGL): the library's 3D validation with
 * virglrenderer behind it. virglrenderer keeps process-global state and
 * takes a second or so to start, so the device is made once, at the first
 * input, and vgm_device_reset() (virgl_renderer_reset() inside) runs
 * between inputs. Checked:
 * - vgm_device_submit() takes every request and answers it with a known
 *   response type, no longer than the writable part, echoing the fence;
 * - a command that fails changes nothing (the counters; but SUBMIT_3D's
 *   kept buffer, which may grow to the refused submission's size);
 * - the counters add up after every request (check_stats());
 * - the scanouts shown are those the host was told about;
 * - after the reset that ends each input, nothing is left and every
 *   mapping is given back.
 * Where virgl cannot run (vgm_renderer_available()), every input is a
 * no-op, said once on stderr.
 *
 * DEVICE operations are read (to stay in step with the encoding) but make
 * no new device: the one device is the standard dialect with every
 * feature, one 1024x768 display. FEATURES, DISPLAY and CONFIG are read and
 * ignored: the 2D harness (fuzz/stream) covers them.
 */
#include <drm_fourcc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../stream/stream-format.h"

#define HOSTMEM (64ull << 20)

/* fuzz/3d builds this harness on a fake renderer: it defines these. */
#ifndef FUZZ_DEVICE_NEW
#define FUZZ_DEVICE_NEW(cfg, out) vgm_device_new(cfg, out)
#define FUZZ_RENDERER_AVAILABLE() vgm_renderer_available(VGM_RENDERER_VIRGL)
#define FUZZ_NAME "fuzz-virgl"
#endif

struct virgl_fuzz {
	struct fuzz_host host;
	struct vgm_device *dev;
	uint64_t offered;
	bool unavailable;
};

static struct virgl_fuzz vf;

static bool device_ready(void)
{
	static const struct host_mode plain = { .release = true };
	struct vgm_device_config cfg = {
		.size = sizeof(cfg),
		.dialect = VGM_DIALECT_STANDARD,
		.features = VGM_FEATURES_ALL,
		.num_scanouts = 1,
		.max_host_memory = HOSTMEM,
		.max_resources = 256,
		.log_level = VGM_LOG_ERROR,
		.renderer = VGM_RENDERER_VIRGL,
	};
	int ret;

	if (vf.dev || vf.unavailable)
		return vf.dev != NULL;
	ret = FUZZ_RENDERER_AVAILABLE();
	if (ret < 0) {
		fprintf(stderr, FUZZ_NAME ": virgl cannot run here (%s): every input is a no-op\n",
			strerror(-ret));
		vf.unavailable = true;
		return false;
	}
	fuzz_host_init(&vf.host, &plain);
	cfg.scanouts[0] = (struct vgm_scanout_config){ 1, VGM_DEFAULT_WIDTH, VGM_DEFAULT_HEIGHT };
	cfg.ops = &vf.host.ops;
	cfg.host = &vf.host;
	FUZZ_CHECK(FUZZ_DEVICE_NEW(&cfg, &vf.dev) == 0, "vgm_device_new(VGM_RENDERER_VIRGL)");
	FUZZ_CHECK(vgm_device_get_features(vf.dev, &vf.offered) == 0, "get_features");
	FUZZ_CHECK(vf.offered & (1ull << VGM_GPU_F_VIRGL), "a virgl device without VIRGL");
	FUZZ_CHECK(vgm_device_set_features(vf.dev, vf.offered) == 0, "set_features");
	return true;
}

/* ---- reading the encoding ------------------------------------------------------ */

/* A DEVICE operation's fields, read and dropped. */
static void skip_device(struct input *in)
{
	uint8_t flags = input_u8(in);
	uint32_t n;

	input_u32(in);
	n = 1 + input_u8(in) % VGM_MAX_SCANOUTS;
	for (uint32_t i = 0; i < 2 * n; i++)
		input_u16(in);
	input_u64(in);
	for (int i = 0; i < 3; i++)
		input_u32(in);
	if (flags & STREAM_DEV_FAULTS) {
		input_u32(in);
		input_u16(in);
		input_u32(in);
	}
}

static void op_memory(struct input *in, enum stream_op op)
{
	uint64_t gpa = input_u64(in);
	uint32_t len = input_u32(in);
	const uint8_t *data = NULL;
	uint8_t byte = 0, *p;
	size_t got = len;

	if (op == STREAM_RAM) {
		fuzz_ram_add(&vf.host, gpa, len);
		return;
	}
	if (op == STREAM_WRITE)
		data = input_bytes(in, len, &got);
	else
		byte = input_u8(in);
	p = fuzz_ram_span(&vf.host, gpa, got);
	if (p && data)
		memcpy(p, data, got);
	else if (p)
		memset(p, byte, got);
}

/* ---- requests -------------------------------------------------------------------- */

static bool known_response(uint32_t type)
{
	return (type >= VGM_GPU_RESP_OK_NODATA && type <= VGM_GPU_RESP_OK_MAP_INFO) ||
	       (type >= VGM_GPU_RESP_ERR_UNSPEC && type <= VGM_GPU_RESP_ERR_INVALID_PARAMETER);
}

static void check_answer(const uint8_t *req, size_t len, const struct chain *c, size_t written,
			 const struct vgm_stats *before)
{
	struct vgm_stats now;
	uint32_t type;

	FUZZ_CHECK(written <= c->writable, "wrote %zu of %zu bytes", written, c->writable);
	check_stats(vf.dev, &vf.host, HOSTMEM, &now);
	if (written < 4)
		return;
	type = le32(c->resp);
	FUZZ_CHECK(known_response(type), "response type 0x%04x", type);
	if (len >= 24 && written >= 16 && (le32(req + 4) & VGM_GPU_FLAG_FENCE))
		FUZZ_CHECK(le64(c->resp + 8) == le64(req + 8), "fence id not echoed");
	if (type < VGM_GPU_RESP_ERR_UNSPEC)
		return;
	/* SUBMIT_3D's buffer is kept from one submission to the next, grown
	 * to the largest (charged to the budget), also when the renderer
	 * refuses the commands it holds: the one change a failure may make. */
	if (len >= 32 && le32(req) == VGM_GPU_CMD_SUBMIT_3D && now.host_bytes > before->host_bytes)
		FUZZ_CHECK(now.host_bytes - before->host_bytes <= le32(req + 24),
			   "SUBMIT_3D of %u bytes failed but grew host_bytes by %llu", le32(req + 24),
			   (unsigned long long)(now.host_bytes - before->host_bytes));
	else
		FUZZ_CHECK(now.host_bytes == before->host_bytes, "request 0x%04x failed with 0x%04x "
			   "but changed host_bytes %llu->%llu", len >= 4 ? le32(req) : 0, type,
			   (unsigned long long)before->host_bytes,
			   (unsigned long long)now.host_bytes);
	FUZZ_CHECK(now.resources == before->resources && now.regions == before->regions &&
			   now.backing_entries == before->backing_entries,
		   "request 0x%04x failed with 0x%04x but changed the counters: resources %u->%u "
		   "regions %u->%u entries %llu->%llu",
		   len >= 4 ? le32(req) : 0, type, before->resources, now.resources,
		   before->regions, now.regions, (unsigned long long)before->backing_entries,
		   (unsigned long long)now.backing_entries);
}

static void op_request(struct input *in, bool ctrl)
{
	uint32_t len = input_u32(in), cuts[256], resp[256];
	size_t ncuts = input_u8(in), nresp = 0, got, written = 0;
	struct vgm_stats before;
	const uint8_t *req;
	struct chain c;

	for (size_t i = 0; i < ncuts; i++)
		cuts[i] = input_u16(in);
	if (ctrl) {
		nresp = input_u8(in);
		for (size_t i = 0; i < nresp; i++)
			resp[i] = input_u16(in);
	} else {
		resp[0] = 64;
		nresp = 1;
	}
	req = input_bytes(in, len, &got);
	chain_build(&c, req, got, cuts, ncuts, resp, nresp);
	check_stats(vf.dev, &vf.host, HOSTMEM, &before);
	fuzz_host_new_request(&vf.host);
	FUZZ_CHECK(vgm_device_submit(vf.dev, ctrl ? VGM_QUEUE_CONTROL : VGM_QUEUE_CURSOR, c.in,
				     c.in_cnt, c.out, c.out_cnt, &written) == 0,
		   "vgm_device_submit refused a request");
	chain_finish(&c, req, got, written);
	if (ctrl)
		check_answer(req, got, &c, written, &before);
	else
		FUZZ_CHECK(written == 0, "the cursor queue answered");
	chain_free(&c);
	check_scanouts(vf.dev, &vf.host, 1);
}

static void op_dump(struct input *in)
{
	struct vgm_scanout_info si = { .size = sizeof(si) };
	uint32_t so = input_u8(in) % 2;
	uint8_t *dst;

	if (so || vgm_device_get_scanout_info(vf.dev, 0, &si) < 0 || !si.resource_id)
		return;
	dst = malloc((size_t)si.rect.width * si.rect.height * 4);
	FUZZ_CHECK(dst, "out of memory");
	FUZZ_CHECK(vgm_device_read_scanout(vf.dev, 0, DRM_FORMAT_XRGB8888, dst,
					   si.rect.width * 4) == 0,
		   "read_scanout of what scanout 0 shows");
	free(dst);
}

/* The end of every input: nothing left for the next one. */
static void reset_device(void)
{
	FUZZ_CHECK(vgm_device_reset(vf.dev) == 0, "reset");
	check_empty(vf.dev, &vf.host);
	FUZZ_CHECK(vgm_device_set_features(vf.dev, vf.offered) == 0, "set_features");
	fuzz_host_fini(&vf.host);
	fuzz_host_forget_scanouts(&vf.host);
}

static void run_op(struct input *in, enum stream_op op)
{
	switch (op) {
	case STREAM_DEVICE:
		skip_device(in);
		break;
	case STREAM_RAM:
	case STREAM_WRITE:
	case STREAM_FILL:
		op_memory(in, op);
		break;
	case STREAM_CTRL:
	case STREAM_CURSOR:
		op_request(in, op == STREAM_CTRL);
		break;
	case STREAM_DUMP:
		op_dump(in);
		break;
	case STREAM_RESET:
		reset_device();
		break;
	case STREAM_DISPLAY:
		input_u8(in);
		input_u8(in);
		input_u16(in);
		input_u16(in);
		break;
	case STREAM_CONFIG:
		input_u8(in);
		input_u8(in);
		input_u32(in);
		break;
	case STREAM_FEATURES:
		input_u32(in);
		break;
	case STREAM_OP_COUNT:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in;

	if (!device_ready())
		return 0;
	input_init(&in, data, size);
	while (input_left(&in) > 0)
		run_op(&in, (enum stream_op)(input_u8(&in) % STREAM_OP_COUNT));
	reset_device();
	return 0;
}
