/* SPDX-License-Identifier: MIT */
/*
 * fuzz/request: one request, decoded, validated and executed on a fresh
 * device, on either queue, split into descriptor elements where the input
 * says, with a writable part of the input's choosing. The response must
 * follow the rules of check_response() (length of its type, truncation,
 * a type that fits the command, the fence echo and callback); the cursor
 * queue must write nothing; the readable part must come back unchanged;
 * the counters must add up; reset must leave nothing and destroy must give
 * back every mapping.
 *
 * Input (little-endian):
 *   u8  mode      bit 0 memory-rfc dialect, bit 1 cursor queue, bit 2 host
 *                 with release(), bit 3 translate() stops at 4 KiB
 *                 boundaries, bit 4 populate (below), bit 5 translate()
 *                 gives file positions and scanout_dmabuf is installed,
 *                 bits 6-7 scanouts: 1, 2, 4, 16
 *   u8  features  low nibble: accepted feature bits 0..3 (masked by what
 *                 is offered); high nibble: how translate() misbehaves for
 *                 the request (not for populate): bits 4-5 the most bytes
 *                 it maps at once (no limit, 1, 1000, 4097), bit 6 its
 *                 second call fails, bit 7 it answers from two views of
 *                 guest RAM by turns (no piece joins the one before)
 *   u8  counts    low nibble: cuts, high nibble: writable elements
 *   u16 cuts[]    descriptor boundaries (modulo the length + 1: cuts at
 *                 0, at the end or twice in one place make empty elements)
 *   u16 resp[]    sizes of the writable elements (at most 4096 each)
 *   ...           the request's readable bytes
 *
 * Populate first makes what requests can name, through the same
 * submission path, and checks each answer is OK: resource 1 (64x64
 * B8G8R8A8, backed, on scanout 0), resource 2 (16x16, no backing); in
 * standard with blobs, blob 3 (16 KiB in two pieces, on scanout 1 when
 * there is one) and blob 4 (no backing); in memory-rfc with the feature,
 * memory 1 (32 KiB) holding resource 1 and memory 2 (4 KiB).
 *
 * Guest RAM, as the golden traces have it: 0 +640 KiB, 0x100000 +127 MiB,
 * 0x100000000 +64 KiB (mapped lazily).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define HOST_MEMORY (32ull << 20)

struct req_buf {
	uint8_t b[256];
	size_t len;
};

static void put32(struct req_buf *r, uint32_t v)
{
	put_le32(r->b + r->len, v);
	r->len += 4;
}

static void put64(struct req_buf *r, uint64_t v)
{
	put_le64(r->b + r->len, v);
	r->len += 8;
}

static void hdr(struct req_buf *r, uint32_t type)
{
	r->len = 0;
	put32(r, type);
	put32(r, 0);
	put64(r, 0);
	put32(r, 0);
	put32(r, 0);
}

struct setup {
	struct vgm_device *dev;
	struct fuzz_host *host;
	uint32_t num_scanouts;
	uint64_t accepted;
	uint64_t offered;
};

static void submit_ok(const struct setup *s, const struct req_buf *r)
{
	uint8_t resp[64];
	struct iovec in = { (void *)(uintptr_t)r->b, r->len }, out = { resp, sizeof(resp) };
	size_t written = 0;

	FUZZ_CHECK(vgm_device_submit(s->dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1, &written) == 0,
		   "submit");
	FUZZ_CHECK(written >= 24 && le32(resp) < VGM_GPU_RESP_ERR_UNSPEC,
		   "setup request 0x%04x answered 0x%04x", le32(r->b), le32(resp));
}

static void create_2d(const struct setup *s, uint32_t id, uint32_t format, uint32_t w,
		      uint32_t h)
{
	struct req_buf r;

	hdr(&r, VGM_GPU_CMD_RESOURCE_CREATE_2D);
	put32(&r, id);
	put32(&r, format);
	put32(&r, w);
	put32(&r, h);
	submit_ok(s, &r);
}

static void set_scanout(const struct setup *s, uint32_t scanout, uint32_t id, uint32_t w,
			uint32_t h)
{
	struct req_buf r;

	hdr(&r, VGM_GPU_CMD_SET_SCANOUT);
	put32(&r, 0);
	put32(&r, 0);
	put32(&r, w);
	put32(&r, h);
	put32(&r, scanout);
	put32(&r, id);
	submit_ok(s, &r);
}

static void entry(struct req_buf *r, uint64_t addr, uint32_t len)
{
	put64(r, addr);
	put32(r, len);
	put32(r, 0);
}

static void populate_blobs(const struct setup *s)
{
	struct req_buf r;

	hdr(&r, VGM_GPU_CMD_RESOURCE_CREATE_BLOB);
	put32(&r, 3);
	put32(&r, VGM_GPU_BLOB_MEM_GUEST);
	put32(&r, VGM_GPU_BLOB_FLAG_USE_SHAREABLE);
	put32(&r, 2);
	put64(&r, 0);
	put64(&r, 16384);
	entry(&r, 0x12000, 4096);
	entry(&r, 0x18000, 12288);
	submit_ok(s, &r);
	if (s->num_scanouts > 1) {
		hdr(&r, VGM_GPU_CMD_SET_SCANOUT_BLOB);
		put32(&r, 0);
		put32(&r, 0);
		put32(&r, 64);
		put32(&r, 64);
		put32(&r, 1);			      /* scanout */
		put32(&r, 3);			      /* resource */
		put32(&r, 64);			      /* width */
		put32(&r, 64);			      /* height */
		put32(&r, VGM_GPU_FORMAT_B8G8R8X8_UNORM);
		put32(&r, 0);
		put32(&r, 256);
		put32(&r, 0);
		put64(&r, 0);
		put64(&r, 0);
		put64(&r, 0);
		put32(&r, 0);
		submit_ok(s, &r);
	}
	hdr(&r, VGM_GPU_CMD_RESOURCE_CREATE_BLOB);
	put32(&r, 4);
	put32(&r, VGM_GPU_BLOB_MEM_GUEST);
	put32(&r, 0);
	put32(&r, 0);
	put64(&r, 0);
	put64(&r, 4096);
	submit_ok(s, &r);
}

static void memory_create(const struct setup *s, uint32_t id, uint64_t addr, uint32_t len)
{
	struct req_buf r;

	hdr(&r, VGM_GPU_CMD_MEMORY_CREATE);
	put64(&r, len);
	put32(&r, id);
	put32(&r, 1);
	put32(&r, 0);
	put32(&r, 0);
	entry(&r, addr, len);
	submit_ok(s, &r);
}

static void populate(const struct setup *s, enum vgm_dialect dialect)
{
	struct req_buf r;
	bool rfc_memory = dialect == VGM_DIALECT_MEMORY_RFC &&
			  (s->accepted & (1ull << VGM_GPU_F_MEMORY));

	create_2d(s, 1, VGM_GPU_FORMAT_B8G8R8A8_UNORM, 64, 64);
	if (rfc_memory) {
		memory_create(s, 1, 0x10000, 32768);
		memory_create(s, 2, 0x1c000, 4096);
		hdr(&r, VGM_GPU_CMD_RESOURCE_ATTACH_MEMORY);
		put32(&r, 1);
		put32(&r, 1);
		for (int i = 0; i < 4; i++)
			put64(&r, 0);
	} else {
		hdr(&r, VGM_GPU_CMD_RESOURCE_ATTACH_BACKING);
		put32(&r, 1);
		put32(&r, 2);
		entry(&r, 0x10000, 8192);
		entry(&r, 0x14000, 8192);
	}
	submit_ok(s, &r);
	set_scanout(s, 0, 1, 64, 64);
	create_2d(s, 2, VGM_GPU_FORMAT_X8R8G8B8_UNORM, 16, 16);
	if (dialect == VGM_DIALECT_STANDARD && (s->accepted & (1ull << VGM_GPU_F_RESOURCE_BLOB)))
		populate_blobs(s);
}

static struct vgm_device *make_device(struct fuzz_host *host, uint8_t mode, uint8_t features,
				      uint32_t num_scanouts, uint64_t *accepted, uint64_t *offered)
{
	struct vgm_device_config cfg = {
		.size = sizeof(cfg),
		.dialect = (mode & 1) ? VGM_DIALECT_MEMORY_RFC : VGM_DIALECT_STANDARD,
		.features = VGM_FEATURES_ALL,
		.num_scanouts = num_scanouts,
		.max_host_memory = HOST_MEMORY,
		.log_level = VGM_LOG_DEBUG,
		.ops = &host->ops,
		.host = host,
	};
	struct vgm_device *dev = NULL;

	for (uint32_t i = 0; i < num_scanouts; i++)
		cfg.scanouts[i] = (struct vgm_scanout_config){ i != 2, 640 + 64 * i, 480 };
	FUZZ_CHECK(vgm_device_new(&cfg, &dev) == 0, "vgm_device_new");
	FUZZ_CHECK(vgm_device_get_features(dev, offered) == 0, "get_features");
	*accepted = *offered & features & 0x0f;
	FUZZ_CHECK(vgm_device_set_features(dev, *accepted) == 0, "set_features");
	return dev;
}

/* How translate() misbehaves from now on: the high nibble of features. */
static void misbehave(struct fuzz_host *host, uint8_t faults)
{
	static const uint32_t max_len[4] = { 0, 1, 1000, 4097 };

	host->mode.max_len = max_len[faults & 3];
	host->mode.fail_at = (faults & 4) ? 2 : 0;
	host->mode.scatter = faults & 8;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t scanouts[4] = { 1, 2, 4, 16 };
	struct input in;
	uint8_t mode, features, counts;
	uint32_t cuts[16], resp[16];
	size_t ncuts, nresp, len, written = 0;
	const uint8_t *req;
	struct host_mode hm;
	struct fuzz_host host;
	struct setup s;
	struct chain c;
	struct vgm_stats st;
	enum vgm_queue queue;

	input_init(&in, data, size);
	mode = input_u8(&in);
	features = input_u8(&in);
	counts = input_u8(&in);
	ncuts = counts & 15u;
	nresp = counts >> 4;
	for (size_t i = 0; i < ncuts; i++)
		cuts[i] = input_u16(&in);
	for (size_t i = 0; i < nresp; i++)
		resp[i] = input_u16(&in);
	req = input_bytes(&in, input_left(&in), &len);
	queue = (mode & 2) ? VGM_QUEUE_CURSOR : VGM_QUEUE_CONTROL;

	hm = (struct host_mode){ .release = mode & 4, .page_split = mode & 8, .fds = mode & 32 };
	fuzz_host_init(&host, &hm);
	FUZZ_CHECK(fuzz_ram_add(&host, 0, 0xa0000) && fuzz_ram_add(&host, 0x100000, 0x7f00000) &&
			   fuzz_ram_add(&host, 0x100000000ull, 0x10000),
		   "guest RAM");
	s = (struct setup){ .host = &host, .num_scanouts = scanouts[mode >> 6] };
	s.dev = make_device(&host, mode, features, s.num_scanouts, &s.accepted,
			    &s.offered);
	if (mode & 16)
		populate(&s, (mode & 1) ? VGM_DIALECT_MEMORY_RFC : VGM_DIALECT_STANDARD);

	host.fences = 0;
	misbehave(&host, features >> 4);
	fuzz_host_new_request(&host);
	chain_build(&c, req, len, cuts, ncuts, resp, nresp);
	alloc_meter_start();
	FUZZ_CHECK(vgm_device_submit(s.dev, queue, c.in, c.in_cnt, c.out, c.out_cnt, &written) == 0,
		   "vgm_device_submit refused a request");
	check_peak(alloc_meter_stop(), HOST_MEMORY, req, len);
	chain_finish(&c, req, len, written);
	if (queue == VGM_QUEUE_CONTROL) {
		struct resp_ctx ctx = { (mode & 1) ? VGM_DIALECT_MEMORY_RFC : VGM_DIALECT_STANDARD,
					s.accepted, s.num_scanouts, s.offered };

		check_response(&ctx, &host, req, len, &c, written);
	} else {
		FUZZ_CHECK(written == 0, "the cursor queue wrote %zu bytes", written);
		FUZZ_CHECK(host.fences == 0, "fence_done() for a cursor request");
	}
	chain_free(&c);
	check_stats(s.dev, &host, HOST_MEMORY, &st);
	check_scanouts(s.dev, &host, s.num_scanouts);
	fuzz_host_read_scanouts(&host);

	FUZZ_CHECK(vgm_device_reset(s.dev) == 0, "reset");
	check_empty(s.dev, &host);
	vgm_device_destroy(s.dev);
	FUZZ_CHECK(host.live_maps == 0, "destroy kept %lld mappings", (long long)host.live_maps);
	fuzz_host_fini(&host);
	return 0;
}
