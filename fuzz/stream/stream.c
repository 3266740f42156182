/* SPDX-License-Identifier: MIT */
/*
 * fuzz/stream: a whole command stream against fake guest RAM (the encoding
 * is in stream-format.h), checking after every request:
 * - the response follows the rules of check_response();
 * - a shadow model of what exists, kept from the answers: the resource ids
 *   (and whether each is a blob and has backing) and the memory ids. The
 *   answers that the model decides must be those (UNREF of a live id is
 *   OK, of another ERR_INVALID_RESOURCE_ID; CREATE of a live id fails;
 *   DETACH_BACKING without backing is ERR_UNSPEC ...), and the device's
 *   counters and introspection must agree with the model;
 * - the counters add up (check_stats()): host memory is images plus
 *   tables and within the budget, images at least the 2D resources' pixels,
 *   no region means no mapping held;
 * - the scanouts the device shows are those the host was told about, and
 *   their pixels can be read (check_scanouts());
 * - a UUID is given once per resource and stays the same;
 * - a command that fails changes nothing: counters (object bytes
 *   included), scanouts, mappings held, UUIDs handed out;
 * and after a reset, nothing at all (check_empty()); after destroy, every
 * mapping given back.
 */
#include <drm_fourcc.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "stream-format.h"

#define MAX_SHADOW 256u
#define DEFAULT_HOSTMEM (64ull << 20)
#define MAX_DISPLAY 16384u

struct shadow_res {
	uint32_t id;
	bool blob;
	bool backed;
	bool has_uuid;
	uint8_t uuid[16];
};

struct stream {
	struct input in;
	struct fuzz_host host;
	struct vgm_device *dev;
	struct resp_ctx ctx;
	uint64_t offered;
	uint64_t hostmem;
	struct shadow_res res[MAX_SHADOW];
	size_t nres;
	uint32_t mem[MAX_SHADOW];
	size_t nmem;
};

/* ---- the shadow model ------------------------------------------------------- */

static struct shadow_res *find_res(struct stream *s, uint32_t id)
{
	for (size_t i = 0; id && i < s->nres; i++) {
		if (s->res[i].id == id)
			return &s->res[i];
	}
	return NULL;
}

static void add_res(struct stream *s, uint32_t id, bool blob, bool backed)
{
	FUZZ_CHECK(!find_res(s, id), "resource %u made twice", id);
	FUZZ_CHECK(s->nres < MAX_SHADOW, "more resources than the limit");
	s->res[s->nres++] = (struct shadow_res){ .id = id, .blob = blob, .backed = backed };
}

static void remove_res(struct stream *s, uint32_t id)
{
	struct shadow_res *r = find_res(s, id);

	FUZZ_CHECK(r, "resource %u removed, it did not exist", id);
	*r = s->res[--s->nres];
}

static long find_mem(const struct stream *s, uint32_t id)
{
	for (size_t i = 0; i < s->nmem; i++) {
		if (s->mem[i] == id)
			return (long)i;
	}
	return -1;
}

/* A verdict the model decides. type 0: the answer was cut too short to
 * read, nothing to compare. */
static void expect(uint32_t type, uint32_t want, uint32_t cmd, uint32_t id)
{
	FUZZ_CHECK(!type || type == want, "command 0x%04x on id %u answered 0x%04x, the model says 0x%04x",
		   cmd, id, type, want);
}

static bool ok(uint32_t type)
{
	return type && type < VGM_GPU_RESP_ERR_UNSPEC;
}

/* What the device says exists, for answers too short to read. */
static bool device_has(const struct stream *s, uint32_t id, struct vgm_resource_info *ri)
{
	*ri = (struct vgm_resource_info){ .size = sizeof(*ri) };
	return vgm_device_get_resource_info(s->dev, id, ri) == 0;
}

static void sync_res(struct stream *s, uint32_t id)
{
	struct vgm_resource_info ri;
	struct shadow_res *r = find_res(s, id);
	bool has = device_has(s, id, &ri);

	if (!r) {
		if (has)
			add_res(s, id, ri.blob != 0, ri.backed != 0);
	} else if (!has) {
		remove_res(s, id);
	} else {
		r->backed = ri.backed != 0;
	}
}

static uint64_t entries_sum(const uint8_t *req, size_t at, uint32_t n)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < n; i++)
		sum += le32(req + at + 16 * (size_t)i + 8);
	return sum;
}

static void model_create(struct stream *s, uint32_t type, uint32_t cmd, const uint8_t *req)
{
	uint32_t id = le32(req + 24);
	bool blob = cmd == VGM_GPU_CMD_RESOURCE_CREATE_BLOB;

	if (id == 0 || find_res(s, id))
		expect(type, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, cmd, id);
	if (ok(type))
		add_res(s, id, blob, blob && le32(req + 36) != 0);
	else if (!type)
		sync_res(s, id);
}

static void model_backing(struct stream *s, uint32_t type, uint32_t cmd, const uint8_t *req)
{
	uint32_t id = le32(req + 24);
	struct shadow_res *r = find_res(s, id);

	if (!r) {
		expect(type, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, cmd, id);
		return;
	}
	if (cmd == VGM_GPU_CMD_RESOURCE_DETACH_BACKING) {
		expect(type, r->backed ? VGM_GPU_RESP_OK_NODATA : VGM_GPU_RESP_ERR_UNSPEC, cmd, id);
		if (ok(type))
			r->backed = false;
	} else {
		if (r->backed)
			expect(type, VGM_GPU_RESP_ERR_UNSPEC, cmd, id);
		/* nr_entries 0, or entries of length 0 only: still unbacked. */
		if (ok(type))
			r->backed = entries_sum(req, 32, le32(req + 28)) > 0;
	}
	if (!type)
		sync_res(s, id);
}

static void model_unref(struct stream *s, uint32_t type, const uint8_t *req)
{
	uint32_t id = le32(req + 24);

	expect(type, find_res(s, id) ? VGM_GPU_RESP_OK_NODATA : VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID,
	       VGM_GPU_CMD_RESOURCE_UNREF, id);
	if (ok(type))
		remove_res(s, id);
	else if (!type)
		sync_res(s, id);
}

static void model_uuid(struct stream *s, uint32_t type, const uint8_t *req,
		       const uint8_t *resp, size_t written, uint32_t uuid_calls)
{
	uint32_t id = le32(req + 24), found = 0;
	struct shadow_res *r = find_res(s, id);
	struct vgm_resource_info ri;

	if (!r) {
		expect(type, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, VGM_GPU_CMD_RESOURCE_ASSIGN_UUID, id);
		return;
	}
	FUZZ_CHECK(device_has(s, id, &ri), "resource %u vanished", id);
	if (!ri.has_uuid)
		return; /* out of memory, or an answer too short to read */
	FUZZ_CHECK(s->host.uuid_calls == uuid_calls + !r->has_uuid,
		   "resource_uuid() called %u times for one request", s->host.uuid_calls - uuid_calls);
	FUZZ_CHECK(!r->has_uuid || !memcmp(r->uuid, ri.uuid, 16), "resource %u changed its UUID", id);
	FUZZ_CHECK(written < 40 || !memcmp(resp + 24, ri.uuid, 16),
		   "the answer's UUID is not the resource's");
	FUZZ_CHECK(vgm_device_find_uuid(s->dev, ri.uuid, &found) == 0 && found == id,
		   "vgm_device_find_uuid does not find resource %u", id);
	r->has_uuid = true;
	memcpy(r->uuid, ri.uuid, 16);
}

static void model_memory(struct stream *s, uint32_t type, uint32_t cmd, const uint8_t *req,
			 uint32_t ids_before)
{
	uint32_t id = le32(req + (cmd == VGM_GPU_CMD_MEMORY_CREATE ? 32 : 24));
	long at = find_mem(s, id);
	struct vgm_stats st = { .size = sizeof(st) };

	if (cmd == VGM_GPU_CMD_MEMORY_CREATE && (id == 0 || id == UINT32_MAX || at >= 0))
		expect(type, VGM_GPU_RESP_ERR_INVALID_MEMORY_ID, cmd, id);
	if (cmd == VGM_GPU_CMD_MEMORY_UNREF)
		expect(type, at >= 0 ? VGM_GPU_RESP_OK_NODATA : VGM_GPU_RESP_ERR_INVALID_MEMORY_ID,
		       cmd, id);
	if (!type) {
		/* The answer is unreadable: the count says what happened. */
		vgm_device_get_stats(s->dev, &st);
		if (st.memory_ids == ids_before)
			return;
		type = VGM_GPU_RESP_OK_NODATA;
	}
	if (!ok(type))
		return;
	if (cmd == VGM_GPU_CMD_MEMORY_CREATE) {
		FUZZ_CHECK(at < 0 && s->nmem < MAX_SHADOW, "memory id %u made twice", id);
		s->mem[s->nmem++] = id;
	} else {
		FUZZ_CHECK(at >= 0, "memory id %u unref'd, it did not exist", id);
		s->mem[at] = s->mem[--s->nmem];
	}
}

static void model_attach_memory(struct stream *s, uint32_t type, const uint8_t *req)
{
	uint32_t id = le32(req + 24), mem = le32(req + 28);
	struct shadow_res *r = find_res(s, id);
	const uint32_t cmd = VGM_GPU_CMD_RESOURCE_ATTACH_MEMORY;

	if (!r)
		expect(type, VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID, cmd, id);
	else if (find_mem(s, mem) < 0)
		expect(type, VGM_GPU_RESP_ERR_INVALID_MEMORY_ID, cmd, mem);
	else if (r->backed)
		expect(type, VGM_GPU_RESP_ERR_UNSPEC, cmd, id);
	if (r && ok(type))
		r->backed = true;
	if (!type)
		sync_res(s, id);
}

/* Keeps the model in step with a control request's answer. */
static void model(struct stream *s, uint32_t type, const uint8_t *req, size_t len,
		  const struct chain *c, size_t written, uint32_t uuid_calls, uint32_t ids_before)
{
	uint32_t cmd = request_admitted(&s->ctx, req, len);
	bool rfc = s->ctx.dialect == VGM_DIALECT_MEMORY_RFC;

	switch (cmd) {
	case VGM_GPU_CMD_RESOURCE_CREATE_2D:
		model_create(s, type, cmd, req);
		break;
	case VGM_GPU_CMD_RESOURCE_UNREF:
		model_unref(s, type, req);
		break;
	case VGM_GPU_CMD_RESOURCE_ATTACH_BACKING:
	case VGM_GPU_CMD_RESOURCE_DETACH_BACKING:
		model_backing(s, type, cmd, req);
		break;
	case 0x010b: /* ASSIGN_UUID, MEMORY_CREATE */
		if (rfc)
			model_memory(s, type, cmd, req, ids_before);
		else
			model_uuid(s, type, req, c->resp, written, uuid_calls);
		break;
	case 0x010c: /* CREATE_BLOB, MEMORY_UNREF */
		if (rfc)
			model_memory(s, type, cmd, req, ids_before);
		else
			model_create(s, type, cmd, req);
		break;
	case 0x010d: /* SET_SCANOUT_BLOB, ATTACH_MEMORY */
		if (rfc)
			model_attach_memory(s, type, req);
		break;
	default:
		break;
	}
}

/* ---- invariants after every request ----------------------------------------------- */

static void check_model(struct stream *s)
{
	struct vgm_stats st;
	uint64_t pixels = 0;

	check_stats(s->dev, &s->host, s->hostmem, &st);
	FUZZ_CHECK(st.resources == s->nres, "%u resources live, the answers made %zu",
		   st.resources, s->nres);
	FUZZ_CHECK(st.memory_ids == s->nmem, "%u memory ids live, the answers made %zu",
		   st.memory_ids, s->nmem);
	for (size_t i = 0; i < s->nres; i++) {
		const struct shadow_res *r = &s->res[i];
		struct vgm_resource_info ri;

		FUZZ_CHECK(device_has(s, r->id, &ri), "resource %u is gone", r->id);
		FUZZ_CHECK(!ri.blob == !r->blob && !ri.backed == !r->backed,
			   "resource %u: blob %u backed %u, the answers say blob %d backed %d", r->id,
			   ri.blob, ri.backed, r->blob, r->backed);
		FUZZ_CHECK(!ri.memory_id || ri.backed, "resource %u in memory %u without backing",
			   r->id, ri.memory_id);
		for (uint32_t so = 0; so < VGM_MAX_SCANOUTS; so++) {
			struct vgm_scanout_info si = { .size = sizeof(si) };

			if (!(ri.scanout_mask & (1u << so)))
				continue;
			FUZZ_CHECK(so < s->ctx.num_scanouts &&
					   vgm_device_get_scanout_info(s->dev, so, &si) == 0 &&
					   si.resource_id == r->id,
				   "resource %u thinks scanout %u shows it", r->id, so);
		}
		if (!ri.blob)
			pixels += (uint64_t)ri.stride * ri.height;
	}
	FUZZ_CHECK(st.image_bytes >= pixels, "image bytes %llu, the 2D resources hold %llu",
		   (unsigned long long)st.image_bytes, (unsigned long long)pixels);
	check_scanouts(s->dev, &s->host, s->ctx.num_scanouts);
}

/* ---- the device --------------------------------------------------------------- */

static void destroy_device(struct stream *s)
{
	if (!s->dev)
		return;
	vgm_device_destroy(s->dev);
	s->dev = NULL;
	FUZZ_CHECK(s->host.live_maps == 0, "destroy kept %lld mappings",
		   (long long)s->host.live_maps);
	fuzz_host_forget_scanouts(&s->host);
	s->nres = 0;
	s->nmem = 0;
}

static uint32_t clamp_limit(uint32_t v)
{
	return v == 0 || v > MAX_SHADOW ? MAX_SHADOW : v;
}

static void make_device(struct stream *s, const struct host_mode *hm, bool rfc, bool given,
			uint64_t features, const struct vgm_device_config *base)
{
	struct vgm_device_config cfg = *base;

	destroy_device(s);
	fuzz_host_set_mode(&s->host, hm);
	cfg.size = sizeof(cfg);
	cfg.dialect = rfc ? VGM_DIALECT_MEMORY_RFC : VGM_DIALECT_STANDARD;
	cfg.features = VGM_FEATURES_ALL;
	cfg.max_host_memory = cfg.max_host_memory && cfg.max_host_memory < DEFAULT_HOSTMEM
				      ? cfg.max_host_memory
				      : DEFAULT_HOSTMEM;
	cfg.max_resources = clamp_limit(cfg.max_resources);
	cfg.max_regions = clamp_limit(cfg.max_regions);
	cfg.log_level = VGM_LOG_DEBUG;
	cfg.ops = &s->host.ops;
	cfg.host = &s->host;
	FUZZ_CHECK(vgm_device_new(&cfg, &s->dev) == 0, "vgm_device_new");
	FUZZ_CHECK(vgm_device_get_features(s->dev, &s->offered) == 0, "get_features");
	s->ctx = (struct resp_ctx){ (enum vgm_dialect)cfg.dialect,
				    given ? features & s->offered : s->offered, cfg.num_scanouts,
				    s->offered };
	FUZZ_CHECK(vgm_device_set_features(s->dev, s->ctx.accepted) == 0, "set_features");
	s->hostmem = cfg.max_host_memory;
}

static void op_device(struct stream *s)
{
	struct vgm_device_config cfg = { 0 };
	uint8_t flags = input_u8(&s->in);
	uint32_t features = input_u32(&s->in);
	struct host_mode hm = { .release = flags & STREAM_DEV_RELEASE,
				.page_split = flags & STREAM_DEV_PAGE_SPLIT,
				.fds = flags & STREAM_DEV_FDS,
				.scatter = flags & STREAM_DEV_SCATTER };

	cfg.num_scanouts = 1 + input_u8(&s->in) % VGM_MAX_SCANOUTS;
	for (uint32_t i = 0; i < cfg.num_scanouts; i++) {
		uint32_t w = input_u16(&s->in) % (MAX_DISPLAY + 1);
		uint32_t h = input_u16(&s->in) % (MAX_DISPLAY + 1);

		cfg.scanouts[i] = (struct vgm_scanout_config){ w && h, w, h };
	}
	cfg.max_host_memory = input_u64(&s->in);
	cfg.max_backing_entries = input_u32(&s->in);
	cfg.max_resources = input_u32(&s->in);
	cfg.max_regions = input_u32(&s->in);
	if (flags & STREAM_DEV_FAULTS) {
		hm.max_len = input_u32(&s->in);
		hm.fail_at = input_u16(&s->in);
		cfg.max_table_pieces = input_u32(&s->in);
	}
	make_device(s, &hm, flags & STREAM_DEV_RFC, flags & STREAM_DEV_FEATURES, features, &cfg);
}

/* The trace defaults: standard, every feature, one 1024x768 display. */
static void need_device(struct stream *s)
{
	struct vgm_device_config cfg = { .num_scanouts = 1 };
	static const struct host_mode plain = { 0 };

	if (s->dev)
		return;
	cfg.scanouts[0] = (struct vgm_scanout_config){ 1, VGM_DEFAULT_WIDTH, VGM_DEFAULT_HEIGHT };
	make_device(s, &plain, false, false, 0, &cfg);
}

/* ---- requests ------------------------------------------------------------------ */

/* What a failed command must leave as it was. */
struct state {
	struct vgm_stats stats;
	struct vgm_scanout_info scanouts[VGM_MAX_SCANOUTS];
	int64_t live_maps;
	uint32_t uuid_calls;
};

static void state_take(const struct stream *s, struct state *st)
{
	memset(st, 0, sizeof(*st));
	st->stats.size = sizeof(st->stats);
	FUZZ_CHECK(vgm_device_get_stats(s->dev, &st->stats) == 0, "stats");
	for (uint32_t i = 0; i < s->ctx.num_scanouts; i++) {
		st->scanouts[i].size = sizeof(st->scanouts[i]);
		FUZZ_CHECK(vgm_device_get_scanout_info(s->dev, i, &st->scanouts[i]) == 0, "scanout");
	}
	st->live_maps = s->host.live_maps;
	st->uuid_calls = s->host.uuid_calls;
}

/* "A failed command changes nothing": counters (object bytes included),
 * scanouts, mappings held, UUIDs handed out. */
static void check_unchanged(const struct stream *s, const struct state *before, uint32_t type,
			    const uint8_t *req)
{
	struct state now;

	state_take(s, &now);
	FUZZ_CHECK(!memcmp(&now.stats, &before->stats, sizeof(now.stats)),
		   "request 0x%04x failed with 0x%04x but changed the counters: resources %u->%u "
		   "regions %u->%u ids %u->%u host %llu->%llu objects %llu->%llu",
		   le32(req), type, before->stats.resources, now.stats.resources,
		   before->stats.regions, now.stats.regions, before->stats.memory_ids,
		   now.stats.memory_ids, (unsigned long long)before->stats.host_bytes,
		   (unsigned long long)now.stats.host_bytes,
		   (unsigned long long)before->stats.object_bytes,
		   (unsigned long long)now.stats.object_bytes);
	FUZZ_CHECK(!memcmp(now.scanouts, before->scanouts, sizeof(now.scanouts)),
		   "request 0x%04x failed with 0x%04x but changed a scanout", le32(req), type);
	FUZZ_CHECK(now.live_maps == before->live_maps && now.uuid_calls == before->uuid_calls,
		   "request 0x%04x failed with 0x%04x but kept mappings or gave a UUID", le32(req),
		   type);
}

/* A hint of the request, on either queue, changes nothing: hints are
 * only ever asked for lines of memory (vgm_device_prefetch()). */
static void hint_changes_nothing(const struct stream *s, const struct chain *c,
				 const struct state *before, const uint8_t *req, size_t got)
{
	struct state now;

	FUZZ_CHECK(vgm_device_prefetch(s->dev, VGM_QUEUE_CONTROL, c->in, c->in_cnt) == 0 &&
			   vgm_device_prefetch(s->dev, VGM_QUEUE_CURSOR, c->in, c->in_cnt) == 0,
		   "vgm_device_prefetch refused a request");
	state_take(s, &now);
	FUZZ_CHECK(!memcmp(&now, before, sizeof(now)),
		   "a hint of request 0x%04x changed the device", got >= 4 ? le32(req) : 0);
}

static void op_request(struct stream *s, bool ctrl)
{
	uint32_t len = input_u32(&s->in), cuts[256], resp[256];
	size_t ncuts = input_u8(&s->in), nresp = 0, got, written = 0;
	uint32_t type;
	struct state before;
	const uint8_t *req;
	struct chain c;

	for (size_t i = 0; i < ncuts; i++)
		cuts[i] = input_u16(&s->in);
	if (ctrl) {
		nresp = input_u8(&s->in);
		for (size_t i = 0; i < nresp; i++)
			resp[i] = input_u16(&s->in);
	} else {
		resp[0] = 64; /* the cursor queue must leave it alone */
		nresp = 1;
	}
	req = input_bytes(&s->in, len, &got);
	need_device(s);
	chain_build(&c, req, got, cuts, ncuts, resp, nresp);
	state_take(s, &before);
	hint_changes_nothing(s, &c, &before, req, got);
	s->host.fences = 0;
	fuzz_host_new_request(&s->host);
	alloc_meter_start();
	FUZZ_CHECK(vgm_device_submit(s->dev, ctrl ? VGM_QUEUE_CONTROL : VGM_QUEUE_CURSOR, c.in,
				     c.in_cnt, c.out, c.out_cnt, &written) == 0,
		   "vgm_device_submit refused a request");
	check_peak(alloc_meter_stop(), s->hostmem, req, got);
	chain_finish(&c, req, got, written);
	if (ctrl) {
		type = check_response(&s->ctx, &s->host, req, got, &c, written);
		if (type >= VGM_GPU_RESP_ERR_UNSPEC)
			check_unchanged(s, &before, type, req);
		model(s, type, req, got, &c, written, before.uuid_calls, before.stats.memory_ids);
	} else {
		FUZZ_CHECK(written == 0 && s->host.fences == 0, "the cursor queue answered");
	}
	chain_free(&c);
	check_model(s);
}

/* ---- the host's own actions ------------------------------------------------------ */

static void op_dump(struct stream *s)
{
	static const uint32_t to[] = { DRM_FORMAT_BGR888, DRM_FORMAT_XRGB8888, 0 };
	uint32_t so = input_u8(&s->in);
	struct vgm_scanout_info si = { .size = sizeof(si) };
	struct vgm_pixels px;

	need_device(s);
	if (so >= s->ctx.num_scanouts) {
		FUZZ_CHECK(vgm_device_get_scanout_info(s->dev, so, &si) == -22 &&
				   vgm_device_read_scanout(s->dev, so, DRM_FORMAT_BGR888, &px, 4) == -22,
			   "scanout %u of %u", so, s->ctx.num_scanouts);
		return;
	}
	FUZZ_CHECK(vgm_device_get_scanout_info(s->dev, so, &si) == 0, "scanout info");
	if (!si.resource_id) {
		FUZZ_CHECK(vgm_device_read_scanout(s->dev, so, DRM_FORMAT_BGR888, &px, 4) == -61,
			   "reading an empty scanout");
		return;
	}
	FUZZ_CHECK(vgm_device_get_scanout_pixels(s->dev, so, &px) == 0, "scanout pixels");
	for (size_t i = 0; i < sizeof(to) / sizeof(to[0]); i++) {
		uint32_t fourcc = to[i] ? to[i] : px.fourcc;
		uint32_t bpp = fourcc == DRM_FORMAT_BGR888 ? 3 : 4;
		uint32_t stride = (si.rect.width * bpp + 3) & ~3u;
		uint8_t *dst = malloc((size_t)stride * si.rect.height);

		FUZZ_CHECK(dst, "out of memory");
		FUZZ_CHECK(vgm_device_read_scanout(s->dev, so, fourcc, dst, stride) == 0,
			   "read_scanout of scanout %u as 0x%08x", so, fourcc);
		if (fourcc == px.fourcc) /* its own format: the bytes as they are */
			for (uint32_t y = 0; y < si.rect.height; y++)
				FUZZ_CHECK(!memcmp(dst + (size_t)y * stride,
						   (const uint8_t *)px.data + (size_t)y * px.stride,
						   (size_t)si.rect.width * 4),
					   "scanout %u row %u read back changed", so, y);
		free(dst);
	}
}

static void op_display(struct stream *s)
{
	uint32_t so = input_u8(&s->in);
	bool enabled = input_u8(&s->in) & 1;
	uint32_t w = input_u16(&s->in), h = input_u16(&s->in);
	bool valid;
	int ret;
	uint8_t ev[4];

	need_device(s);
	valid = so < s->ctx.num_scanouts && w <= MAX_DISPLAY && h <= MAX_DISPLAY;
	ret = vgm_device_set_display(s->dev, so, enabled, w, h);
	FUZZ_CHECK(ret == (valid ? 0 : -22), "set_display(%u, %ux%u) returned %d", so, w, h, ret);
	FUZZ_CHECK(vgm_device_config_read(s->dev, 0, ev, 4) == 0, "config read");
	FUZZ_CHECK(!valid || (ev[0] & VGM_GPU_EVENT_DISPLAY), "no display event after a change");
}

static void op_config(struct stream *s)
{
	uint32_t off = input_u8(&s->in), len = input_u8(&s->in), v = input_u32(&s->in);
	uint8_t buf[256], cfg[16];
	bool valid = off <= 16 && len <= 16 - off;

	need_device(s);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(v >> (8 * (i % 4)));
	FUZZ_CHECK(vgm_device_config_write(s->dev, off, buf, len) == (valid ? 0 : -22),
		   "config write at %u +%u", off, len);
	FUZZ_CHECK(vgm_device_config_read(s->dev, off, buf, len) == (valid ? 0 : -22),
		   "config read at %u +%u", off, len);
	FUZZ_CHECK(vgm_device_config_read(s->dev, 0, cfg, 16) == 0, "config read");
	FUZZ_CHECK((le32(cfg) & ~VGM_GPU_EVENT_DISPLAY) == 0 && le32(cfg + 4) == 0 &&
			   le32(cfg + 8) == s->ctx.num_scanouts && le32(cfg + 12) == 0,
		   "config space %08x %08x %08x %08x", le32(cfg), le32(cfg + 4), le32(cfg + 8),
		   le32(cfg + 12));
}

static void op_features(struct stream *s)
{
	uint64_t v = input_u32(&s->in);
	bool valid;

	need_device(s);
	valid = !(v & 0xffffff & ~s->offered);
	FUZZ_CHECK(vgm_device_set_features(s->dev, v) == (valid ? 0 : -22), "set_features(0x%llx)",
		   (unsigned long long)v);
	if (valid)
		s->ctx.accepted = v & 0xffffff;
}

static void op_reset(struct stream *s)
{
	need_device(s);
	FUZZ_CHECK(vgm_device_reset(s->dev) == 0, "reset");
	s->nres = 0;
	s->nmem = 0;
	check_empty(s->dev, &s->host);
	/* The driver negotiates again, as before. */
	FUZZ_CHECK(vgm_device_set_features(s->dev, s->ctx.accepted) == 0, "set_features");
}

static void op_memory(struct stream *s, enum stream_op op)
{
	uint64_t gpa = input_u64(&s->in);
	uint32_t len = input_u32(&s->in);
	const uint8_t *data = NULL;
	uint8_t byte = 0, *p;
	size_t got = len;

	if (op == STREAM_RAM) {
		fuzz_ram_add(&s->host, gpa, len);
		return;
	}
	if (op == STREAM_WRITE)
		data = input_bytes(&s->in, len, &got);
	else
		byte = input_u8(&s->in);
	p = fuzz_ram_span(&s->host, gpa, got);
	if (p && data)
		memcpy(p, data, got);
	else if (p)
		memset(p, byte, got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct host_mode plain = { 0 };
	struct stream *s = calloc(1, sizeof(*s));

	FUZZ_CHECK(s, "out of memory");
	input_init(&s->in, data, size);
	fuzz_host_init(&s->host, &plain);
	while (input_left(&s->in) > 0) {
		enum stream_op op = (enum stream_op)(input_u8(&s->in) % STREAM_OP_COUNT);

		switch (op) {
		case STREAM_DEVICE:
			op_device(s);
			break;
		case STREAM_RAM:
		case STREAM_WRITE:
		case STREAM_FILL:
			op_memory(s, op);
			break;
		case STREAM_CTRL:
		case STREAM_CURSOR:
			op_request(s, op == STREAM_CTRL);
			break;
		case STREAM_DUMP:
			op_dump(s);
			break;
		case STREAM_RESET:
			op_reset(s);
			break;
		case STREAM_DISPLAY:
			op_display(s);
			break;
		case STREAM_CONFIG:
			op_config(s);
			break;
		case STREAM_FEATURES:
			op_features(s);
			break;
		case STREAM_OP_COUNT:
			break;
		}
	}
	fuzz_host_read_scanouts(&s->host);
	/* The end: half the inputs check that a reset leaves nothing, the
	 * others that destroy gives every mapping back by itself. */
	if (s->dev && size % 2 == 0) {
		FUZZ_CHECK(vgm_device_reset(s->dev) == 0, "reset");
		check_empty(s->dev, &s->host);
	}
	destroy_device(s);
	fuzz_host_fini(&s->host);
	free(s);
	return 0;
}
