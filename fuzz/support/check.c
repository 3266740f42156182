/* SPDX-License-Identifier: MIT */
/*
 * The rules every response follows whatever the device holds, written down
 * a second time from the protocol and the behaviour list (issues 2 and 4),
 * not from the library's tables: the oracle of the harnesses.
 */
#include <string.h>

#include "fuzz.h"

#define HDR 24u
#define BIT(e) (1u << ((e) - VGM_GPU_RESP_ERR_UNSPEC))
#define E_UNSPEC BIT(VGM_GPU_RESP_ERR_UNSPEC)
#define E_NOMEM BIT(VGM_GPU_RESP_ERR_OUT_OF_MEMORY)
#define E_SCANOUT BIT(VGM_GPU_RESP_ERR_INVALID_SCANOUT_ID)
#define E_RESOURCE BIT(VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID)
#define E_PARAM BIT(VGM_GPU_RESP_ERR_INVALID_PARAMETER)
#define E_MEMORY BIT(VGM_GPU_RESP_ERR_INVALID_MEMORY_ID)

/* A command as the protocol defines it. */
struct proto_cmd {
	uint32_t type;
	uint32_t size;	  /* of its fixed part, header included */
	int feature;	  /* the bit that gates it, -1 for none */
	uint32_t ok;	  /* its answer on success, 0: it has none (capsets) */
	uint32_t errors;  /* the error codes it may answer (E_*) */
};

static const struct proto_cmd common_cmds[] = {
	{ VGM_GPU_CMD_GET_DISPLAY_INFO, 24, -1, VGM_GPU_RESP_OK_DISPLAY_INFO, 0 },
	{ VGM_GPU_CMD_RESOURCE_CREATE_2D, 40, -1, VGM_GPU_RESP_OK_NODATA,
	  E_RESOURCE | E_PARAM | E_NOMEM },
	{ VGM_GPU_CMD_RESOURCE_UNREF, 32, -1, VGM_GPU_RESP_OK_NODATA, E_RESOURCE },
	{ VGM_GPU_CMD_SET_SCANOUT, 48, -1, VGM_GPU_RESP_OK_NODATA,
	  E_SCANOUT | E_RESOURCE | E_UNSPEC | E_PARAM },
	{ VGM_GPU_CMD_RESOURCE_FLUSH, 48, -1, VGM_GPU_RESP_OK_NODATA, E_RESOURCE | E_PARAM },
	{ VGM_GPU_CMD_TRANSFER_TO_HOST_2D, 56, -1, VGM_GPU_RESP_OK_NODATA,
	  E_RESOURCE | E_UNSPEC | E_PARAM },
	{ VGM_GPU_CMD_RESOURCE_ATTACH_BACKING, 32, -1, VGM_GPU_RESP_OK_NODATA,
	  E_RESOURCE | E_UNSPEC | E_NOMEM | E_PARAM },
	{ VGM_GPU_CMD_RESOURCE_DETACH_BACKING, 32, -1, VGM_GPU_RESP_OK_NODATA,
	  E_RESOURCE | E_UNSPEC },
	{ VGM_GPU_CMD_GET_CAPSET_INFO, 32, -1, 0, E_UNSPEC },
	{ VGM_GPU_CMD_GET_CAPSET, 32, -1, 0, E_UNSPEC },
	{ VGM_GPU_CMD_GET_EDID, 32, VGM_GPU_F_EDID, VGM_GPU_RESP_OK_EDID, E_PARAM },
};

static const struct proto_cmd standard_cmds[] = {
	{ VGM_GPU_CMD_RESOURCE_ASSIGN_UUID, 32, VGM_GPU_F_RESOURCE_UUID,
	  VGM_GPU_RESP_OK_RESOURCE_UUID, E_RESOURCE | E_NOMEM },
	{ VGM_GPU_CMD_RESOURCE_CREATE_BLOB, 56, VGM_GPU_F_RESOURCE_BLOB, VGM_GPU_RESP_OK_NODATA,
	  E_PARAM | E_RESOURCE | E_UNSPEC | E_NOMEM },
	{ VGM_GPU_CMD_SET_SCANOUT_BLOB, 96, VGM_GPU_F_RESOURCE_BLOB, VGM_GPU_RESP_OK_NODATA,
	  E_SCANOUT | E_RESOURCE | E_PARAM | E_UNSPEC | E_NOMEM },
};

static const struct proto_cmd rfc_cmds[] = {
	{ VGM_GPU_CMD_MEMORY_CREATE, 48, VGM_GPU_F_MEMORY, VGM_GPU_RESP_OK_NODATA,
	  E_MEMORY | E_PARAM | E_UNSPEC | E_NOMEM },
	{ VGM_GPU_CMD_MEMORY_UNREF, 32, VGM_GPU_F_MEMORY, VGM_GPU_RESP_OK_NODATA, E_MEMORY },
	{ VGM_GPU_CMD_RESOURCE_ATTACH_MEMORY, 64, VGM_GPU_F_MEMORY, VGM_GPU_RESP_OK_NODATA,
	  E_RESOURCE | E_MEMORY | E_UNSPEC | E_PARAM },
};

static const struct proto_cmd *find_cmd(enum vgm_dialect dialect, uint32_t type)
{
	const struct proto_cmd *extra = dialect == VGM_DIALECT_MEMORY_RFC ? rfc_cmds
									  : standard_cmds;

	for (size_t i = 0; i < sizeof(common_cmds) / sizeof(common_cmds[0]); i++) {
		if (common_cmds[i].type == type)
			return &common_cmds[i];
	}
	for (size_t i = 0; i < 3; i++) {
		if (extra[i].type == type)
			return &extra[i];
	}
	return NULL;
}

/* The full length of a response of this type; 0 for a type the library
 * never sends in this dialect. */
static size_t resp_len(enum vgm_dialect dialect, uint32_t type)
{
	bool rfc = dialect == VGM_DIALECT_MEMORY_RFC;

	switch (type) {
	case VGM_GPU_RESP_OK_NODATA:
		return HDR;
	case VGM_GPU_RESP_OK_DISPLAY_INFO:
		return 408;
	case VGM_GPU_RESP_OK_EDID:
		return 1056;
	case VGM_GPU_RESP_OK_RESOURCE_UUID:
		return rfc ? 0 : 40;
	case VGM_GPU_RESP_ERR_UNSPEC:
	case VGM_GPU_RESP_ERR_OUT_OF_MEMORY:
	case VGM_GPU_RESP_ERR_INVALID_SCANOUT_ID:
	case VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID:
	case VGM_GPU_RESP_ERR_INVALID_PARAMETER:
		return HDR;
	case VGM_GPU_RESP_ERR_INVALID_MEMORY_ID:
		return rfc ? HDR : 0;
	default:
		return 0;
	}
}

/* The one answer a request must get before its fields count, or 0 when
 * its fields decide. */
static uint32_t forced_answer(const struct resp_ctx *ctx, const uint8_t *req, size_t len,
			      const struct proto_cmd **cmd)
{
	const struct proto_cmd *d;
	uint64_t gate;

	*cmd = NULL;
	if (len < HDR)
		return VGM_GPU_RESP_ERR_INVALID_PARAMETER;
	d = find_cmd(ctx->dialect, le32(req));
	/* Unknown types, 3D, MAP_BLOB, cursor commands on this queue. */
	if (!d)
		return VGM_GPU_RESP_ERR_UNSPEC;
	/* GET_EDID is answered once EDID is offered, accepted or not (as QEMU
	 * answers it); every other gate needs its feature accepted. */
	gate = d->type == VGM_GPU_CMD_GET_EDID ? ctx->offered : ctx->accepted;
	if (d->feature >= 0 && !(gate & (1ull << d->feature)))
		return VGM_GPU_RESP_ERR_UNSPEC;
	if (len < d->size)
		return VGM_GPU_RESP_ERR_INVALID_PARAMETER;
	*cmd = d;
	if (!d->ok)
		return VGM_GPU_RESP_ERR_UNSPEC;
	/* Checked before anything else. */
	if ((d->type == VGM_GPU_CMD_SET_SCANOUT && le32(req + 40) >= ctx->num_scanouts) ||
	    (d->type == VGM_GPU_CMD_SET_SCANOUT_BLOB && ctx->dialect == VGM_DIALECT_STANDARD &&
	     le32(req + 40) >= ctx->num_scanouts))
		return VGM_GPU_RESP_ERR_INVALID_SCANOUT_ID;
	if (d->type == VGM_GPU_CMD_GET_EDID)
		return le32(req + 24) >= ctx->num_scanouts ? VGM_GPU_RESP_ERR_INVALID_PARAMETER
							   : VGM_GPU_RESP_OK_EDID;
	if (d->type == VGM_GPU_CMD_GET_DISPLAY_INFO)
		return VGM_GPU_RESP_OK_DISPLAY_INFO;
	if (d->type == VGM_GPU_CMD_RESOURCE_CREATE_2D && le32(req + 24) == 0)
		return VGM_GPU_RESP_ERR_INVALID_RESOURCE_ID;
	return 0;
}

uint32_t request_admitted(const struct resp_ctx *ctx, const uint8_t *req, size_t len)
{
	const struct proto_cmd *d;

	forced_answer(ctx, req, len, &d);
	return d && d->ok ? d->type : 0;
}

/* The header's fence fields: echoed only with FLAG_FENCE. */
static void check_fence_echo(const uint8_t *req, size_t req_len, const uint8_t *resp,
			     size_t have)
{
	uint8_t want[HDR] = { 0 };
	uint32_t flags = req_len >= HDR ? le32(req + 4) : 0;

	if (flags & VGM_GPU_FLAG_FENCE) {
		want[4] = (uint8_t)(VGM_GPU_FLAG_FENCE | (flags & VGM_GPU_FLAG_INFO_RING_IDX));
		memcpy(want + 8, req + 8, 12); /* fence_id, ctx_id */
		if (flags & VGM_GPU_FLAG_INFO_RING_IDX)
			want[20] = req[20];
	}
	for (size_t i = 4; i < HDR && i < have; i++)
		FUZZ_CHECK(resp[i] == want[i],
			   "response header byte %zu is 0x%02x, must be 0x%02x (request flags 0x%x)",
			   i, resp[i], want[i], flags);
}

static void check_fence_callback(const struct fuzz_host *host, const uint8_t *req,
				 size_t req_len)
{
	uint32_t flags = req_len >= HDR ? le32(req + 4) : 0;

	if (!(flags & VGM_GPU_FLAG_FENCE)) {
		FUZZ_CHECK(host->fences == 0, "fence_done() for an unfenced request");
		return;
	}
	FUZZ_CHECK(host->fences == 1, "%u fence_done() calls for one fenced request",
		   host->fences);
	FUZZ_CHECK(host->fence_id == le64(req + 8) && host->fence_ctx == le32(req + 16) &&
			   host->fence_ring ==
				   ((flags & VGM_GPU_FLAG_INFO_RING_IDX) ? req[20] : 0),
		   "fence_done() with other values than the request's");
}

/* Bodies with structure of their own. */
static void check_body(const struct resp_ctx *ctx, uint32_t type, const uint8_t *resp,
		       size_t have)
{
	if (type == VGM_GPU_RESP_OK_DISPLAY_INFO && have >= 408) {
		for (uint32_t i = 0; i < VGM_MAX_SCANOUTS; i++) {
			const uint8_t *e = resp + HDR + 24 * i;
			bool on = le32(e + 16) != 0;

			FUZZ_CHECK(i < ctx->num_scanouts || !memcmp(e, (uint8_t[24]){ 0 }, 24),
				   "display %u of %u is not all zero", i, ctx->num_scanouts);
			FUZZ_CHECK(!on || (le32(e + 8) && le32(e + 12) && le32(e + 8) <= 16384 &&
					   le32(e + 12) <= 16384),
				   "display %u enabled with size %ux%u", i, le32(e + 8),
				   le32(e + 12));
		}
	}
	if (type == VGM_GPU_RESP_OK_EDID && have >= HDR + 16) {
		uint32_t size = le32(resp + HDR);
		static const uint8_t magic[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };

		FUZZ_CHECK(size >= 128 && size <= 1024 && size % 128 == 0, "EDID size %u", size);
		FUZZ_CHECK(!memcmp(resp + HDR + 8, magic, 8), "EDID without its header");
	}
	if (type == VGM_GPU_RESP_OK_RESOURCE_UUID && have >= 40)
		FUZZ_CHECK((resp[HDR + 6] >> 4) == 4 && (resp[HDR + 8] & 0xc0) == 0x80,
			   "not a version 4 UUID");
}

uint32_t check_response(const struct resp_ctx *ctx, const struct fuzz_host *host,
			const uint8_t *req, size_t req_len, const struct chain *c,
			size_t written)
{
	const struct proto_cmd *cmd;
	uint32_t forced = forced_answer(ctx, req, req_len, &cmd);
	size_t have = written < sizeof(c->resp) ? written : sizeof(c->resp);
	uint32_t type;
	size_t full;

	if (host)
		check_fence_callback(host, req, req_len);
	check_fence_echo(req, req_len, c->resp, have);
	if (written < 4) {
		/* Every response is at least a header: only a small writable
		 * part can cut it this short. */
		FUZZ_CHECK(written == c->writable, "wrote %zu of a %zu-byte writable part",
			   written, c->writable);
		return 0;
	}
	type = le32(c->resp);
	full = resp_len(ctx->dialect, type);
	FUZZ_CHECK(full, "response type 0x%04x does not exist in this dialect", type);
	FUZZ_CHECK(written == (full < c->writable ? full : c->writable),
		   "response 0x%04x: wrote %zu bytes, its length is %zu, writable %zu", type,
		   written, full, c->writable);
	FUZZ_CHECK(!forced || type == forced, "request 0x%04x of %zu bytes answered 0x%04x, not 0x%04x",
		   req_len >= 4 ? le32(req) : 0, req_len, type, forced);
	if (cmd && type < VGM_GPU_RESP_ERR_UNSPEC)
		FUZZ_CHECK(type == cmd->ok, "command 0x%04x answered 0x%04x", cmd->type, type);
	if (cmd && type >= VGM_GPU_RESP_ERR_UNSPEC)
		FUZZ_CHECK(cmd->errors & BIT(type), "command 0x%04x cannot fail with 0x%04x",
			   cmd->type, type);
	check_body(ctx, type, c->resp, have);
	return type;
}

void check_stats(const struct vgm_device *dev, const struct fuzz_host *host,
		 uint64_t host_memory, struct vgm_stats *st)
{
	*st = (struct vgm_stats){ .size = sizeof(*st) };
	FUZZ_CHECK(vgm_device_get_stats(dev, st) == 0, "vgm_device_get_stats");
	FUZZ_CHECK(st->host_bytes == st->image_bytes + st->table_bytes,
		   "host_bytes %llu != image %llu + tables %llu",
		   (unsigned long long)st->host_bytes, (unsigned long long)st->image_bytes,
		   (unsigned long long)st->table_bytes);
	FUZZ_CHECK(st->host_bytes <= host_memory, "host_bytes %llu above the budget %llu",
		   (unsigned long long)st->host_bytes, (unsigned long long)host_memory);
	FUZZ_CHECK(st->regions >= st->memory_ids, "%u regions, %u memory ids", st->regions,
		   st->memory_ids);
	FUZZ_CHECK(st->regions <= st->memory_ids + st->resources,
		   "%u regions for %u memory ids and %u resources", st->regions,
		   st->memory_ids, st->resources);
	/* A region is at least one entry and one piece of table. */
	FUZZ_CHECK((st->regions == 0) == (st->table_bytes == 0) &&
			   (st->regions == 0) == (st->backing_entries == 0) &&
			   st->backing_entries >= st->regions,
		   "%u regions, %llu table bytes, %llu entries", st->regions,
		   (unsigned long long)st->table_bytes, (unsigned long long)st->backing_entries);
	if (host->mode.release)
		FUZZ_CHECK((uint64_t)host->live_maps >= st->regions &&
				   (st->regions > 0 || host->live_maps == 0),
			   "%lld mappings held for %u regions", (long long)host->live_maps,
			   st->regions);
}

void check_empty(const struct vgm_device *dev, const struct fuzz_host *host)
{
	struct vgm_stats st = { .size = sizeof(st) };

	FUZZ_CHECK(vgm_device_get_stats(dev, &st) == 0, "vgm_device_get_stats");
	FUZZ_CHECK(st.resources == 0 && st.regions == 0 && st.memory_ids == 0 &&
			   st.host_bytes == 0 && st.image_bytes == 0 && st.table_bytes == 0 &&
			   st.backing_entries == 0,
		   "after reset: %u resources, %u regions, %u ids, %llu host bytes, %llu entries",
		   st.resources, st.regions, st.memory_ids, (unsigned long long)st.host_bytes,
		   (unsigned long long)st.backing_entries);
	FUZZ_CHECK(host->live_maps == 0, "after reset: %lld mappings not given back",
		   (long long)host->live_maps);
	for (size_t i = 0; i < VGM_MAX_SCANOUTS; i++)
		FUZZ_CHECK(!host->scanouts[i].shown, "after reset: scanout %zu still shown", i);
}

void check_scanouts(const struct vgm_device *dev, const struct fuzz_host *host,
		    uint32_t num_scanouts)
{
	for (uint32_t i = 0; i < num_scanouts; i++) {
		struct vgm_scanout_info si = { .size = sizeof(si) };
		struct vgm_resource_info ri = { .size = sizeof(ri) };
		const struct host_scanout *hs = &host->scanouts[i];
		struct vgm_pixels px;

		FUZZ_CHECK(vgm_device_get_scanout_info(dev, i, &si) == 0, "scanout info %u", i);
		FUZZ_CHECK(hs->shown == (si.resource_id != 0),
			   "scanout %u shows resource %u, the host was told %s", i, si.resource_id,
			   hs->shown ? "it shows something" : "it shows nothing");
		if (!si.resource_id) {
			FUZZ_CHECK(vgm_device_get_scanout_pixels(dev, i, &px) == -61 /* ENODATA */,
				   "pixels of an empty scanout");
			continue;
		}
		FUZZ_CHECK(vgm_device_get_resource_info(dev, si.resource_id, &ri) == 0,
			   "scanout %u shows resource %u, which does not exist", i, si.resource_id);
		FUZZ_CHECK(ri.scanout_mask & (1u << i), "resource %u does not know scanout %u shows it",
			   si.resource_id, i);
		FUZZ_CHECK(si.rect.width && si.rect.height, "scanout %u shows an empty rectangle", i);
		FUZZ_CHECK(ri.blob || ((uint64_t)si.rect.x + si.rect.width <= ri.width &&
				       (uint64_t)si.rect.y + si.rect.height <= ri.height),
			   "scanout %u shows a rectangle outside resource %u", i, si.resource_id);
		FUZZ_CHECK(hs->width == si.rect.width && hs->height == si.rect.height,
			   "scanout %u: the host was told %ux%u, it shows %ux%u", i, hs->width,
			   hs->height, si.rect.width, si.rect.height);
		FUZZ_CHECK(vgm_device_get_scanout_pixels(dev, i, &px) == 0 &&
				   px.width == si.rect.width && px.height == si.rect.height,
			   "pixels of scanout %u", i);
	}
}

void check_peak(uint64_t peak, uint64_t host_memory, const uint8_t *req, size_t len)
{
	FUZZ_CHECK(peak <= host_memory + FUZZ_PEAK_SLACK + len,
		   "request 0x%04x of %zu bytes made the library hold %llu bytes at its peak, "
		   "the budget is %llu",
		   len >= 4 ? le32(req) : 0, len, (unsigned long long)peak,
		   (unsigned long long)host_memory);
}
