/* SPDX-License-Identifier: MIT */
/*
 * What the files of the cmd layer share: the dispatch, the command being
 * run and the command families' tables. Only lib/cmd/ and the cmd layer's
 * own tests include this header.
 */
#ifndef VGM_CMD_IMPL_H
#define VGM_CMD_IMPL_H

#include "cmd.h"

struct cmd_desc;

/* The largest SUBMIT_3D: Mesa's virgl driver flushes at about 260 KiB. */
#define CMD_SUBMIT_MAX (1u << 20)
/* The most bytes a response carries after its body (a capset: VIRGL2 has
 * 1376 with Mesa 22). */
#define CMD_TAIL_MAX 4096u

/* A command of the device's dialect: its description, and the handlers
 * that implement it (NULL: the device does not). */
struct cmd_slot {
	const struct vgm_wire_command *wire;
	const struct cmd_desc *desc;
	/* Where its resource_id is, when desc looks the resource up
	 * (prefetch.c); 0: it does not. */
	uint32_t resource_at;
	/* The request's layout is its C struct's (wire_layout_flat()), and
	 * so is its records' if it has any: decoded by copying. */
	bool flat;
	bool flat_records;
};

/* A request in flight (inflight.c): answered when its fence completes and
 * every earlier request of its timeline is answered. */
struct pending {
	struct pending *next;
	struct dispatch_tag tag;
	const char *name; /* of the command, for logs */
	struct iovec *out; /* a copy of the caller's array: outv */
	size_t out_cnt;
	struct render_timeline timeline;
	uint64_t seq;	    /* its fence, in the dispatch's sequence */
	uint64_t fence_id;  /* the guest's, for fence_done */
	uint32_t ctx_id;
	bool done;	    /* its own work is done */
	size_t len;	    /* of the response */
	uint8_t *resp;	    /* the response's bytes, after outv */
	struct iovec outv[];
};

struct dispatch {
	struct core *core;
	struct render *render;
	struct host *host;
	struct logger *log;
	enum vgm_dialect dialect;
	/* commands by type: [0x01xx, 0x02xx, 0x03xx][low byte] */
	struct cmd_slot cmds[3][16];
	bool hdr_flat; /* the header's C struct is its wire bytes */
	/* scratch space of one request, bounded by the limits */
	struct vgm_gpu_mem_entry *entries;
	uint32_t entries_cap;
	/* requests in flight, in the order they came */
	struct pending *first, *last;
	size_t in_flight;
	uint64_t seq; /* the last fence handed to the renderer */
	/* SUBMIT_3D's copy of the commands (aligned: malloc's) */
	uint32_t *submit_buf;
	uint32_t submit_cap;
	/* what follows a response's body (a capset's bytes) */
	uint8_t tail[CMD_TAIL_MAX];
};

/* ---- the command being run ------------------------------------------------ */

/* The response bodies a command fills on success; dispatch encodes them
 * with the command's response layout. A handler sets every field but the
 * header and the padding. */
union cmd_resp {
	struct vgm_gpu_ctrl_hdr hdr;
	struct vgm_gpu_resp_capset_info capset_info;
	struct vgm_gpu_resp_display_info display_info;
	struct vgm_gpu_resp_edid edid;
	struct vgm_gpu_resp_resource_uuid uuid;
};

/* One decoded request. validate() fills the lookups it did, so execute()
 * does not repeat them. A field added before rd must be cleared in
 * cmd_start() (dispatch.c); the unit suite under valgrind fails on one
 * that is not. */
struct cmd {
	const struct vgm_wire_command *wire; /* NULL: an unknown type */
	const struct cmd_slot *slot;
	const struct cmd_desc *desc;	     /* NULL: not implemented */
	enum vgm_queue queue;
	struct vgm_gpu_ctrl_hdr hdr;
	struct iov_reader *rest; /* bytes after the struct: entries */
	const struct vgm_gpu_mem_entry *entries;
	uint32_t nr_entries;
	uint64_t entries_size; /* sum of the entries' lengths */
	struct resource *res;	/* found by cmd_find_resource() */
	struct region *region;
	const struct format_info *fmt;
	union cmd_resp *resp; /* the response body (control queue) */
	size_t tail_len;      /* bytes of d->tail after it (OK_CAPSET) */
	/* The two parts a request does not start zeroed (see cmd_start()),
	 * each written whole before it is read: */
	struct resource_desc rd; /* what the core says of res: cmd_find_resource() */
	/* the request, decoded by its layout (run()); its header is not used */
	union {
		struct vgm_gpu_resource_create_2d create_2d;
		struct vgm_gpu_resource_unref unref;
		struct vgm_gpu_set_scanout set_scanout;
		struct vgm_gpu_resource_flush flush;
		struct vgm_gpu_transfer_to_host_2d transfer;
		struct vgm_gpu_resource_attach_backing attach_backing;
		struct vgm_gpu_resource_detach_backing detach_backing;
		struct vgm_gpu_get_capset_info capset_info;
		struct vgm_gpu_get_capset capset;
		struct vgm_gpu_get_edid get_edid;
		struct vgm_gpu_update_cursor cursor;
		struct vgm_gpu_memory_create memory_create;
		struct vgm_gpu_memory_unref memory_unref;
		struct vgm_gpu_resource_attach_memory attach_memory;
		struct vgm_gpu_resource_assign_uuid assign_uuid;
		struct vgm_gpu_resource_create_blob create_blob;
		struct vgm_gpu_set_scanout_blob set_scanout_blob;
		struct vgm_gpu_ctx_create ctx_create;
		struct vgm_gpu_ctx_resource ctx_resource;
		struct vgm_gpu_resource_create_3d create_3d;
		struct vgm_gpu_transfer_host_3d transfer_3d;
		struct vgm_gpu_cmd_submit submit;
	} u;
};

/* A command's handlers. validate() is pure: it decides the guest's
 * verdict (0: go on) and changes nothing. A command with entries after its
 * struct has them read by the dispatch next (decoding, bounded by the
 * limit validate() checked), then checked by validate_entries(), pure too.
 * execute() is the only place that changes state or calls the host; when
 * it fails it leaves the device as it was. All return 0 or a
 * VGM_GPU_RESP_ERR_* code. What the command looks like on the wire is the
 * wire table's. */
/* What a command does with the resource its resource_id names: the lines
 * of the id table a hint asks for (prefetch.c). */
enum cmd_lookup {
	CMD_LOOKUP_NONE = 0, /* names none, or does not look it up */
	CMD_LOOKUP_SIZE,     /* its size only: the slot (resource_size_of()) */
	CMD_LOOKUP_OBJECT,   /* the resource, or a new one: slot and pointer */
};

struct cmd_desc {
	uint32_t type;
	enum cmd_lookup lookup;
	/* The gate opens when the device offers the feature, whether or not
	 * the driver accepted it (GET_EDID: see display.c). */
	bool open_when_offered;
	uint32_t (*validate)(struct dispatch *d, struct cmd *c);
	uint32_t entries_short; /* the answer to entries cut short */
	uint32_t (*validate_entries)(struct dispatch *d, struct cmd *c);
	uint32_t (*execute)(struct dispatch *d, struct cmd *c);
};

/* verdict.c: the command's name for logs ("request" when unknown). */
const char *cmd_name(const struct cmd *c);
/* Logs a guest error naming the command, and returns code. */
uint32_t guest_error(struct dispatch *d, const struct cmd *c, uint32_t code, const char *fmt,
		     ...) PRINTF_LIKE(4, 5);
/* resource.c, for every command that names resources: */
/* A new id: not 0, not in use (ERR_INVALID_RESOURCE_ID). */
uint32_t cmd_check_new_resource(struct dispatch *d, struct cmd *c, uint32_t id);
/* Room for one more resource under the limit (ERR_OUT_OF_MEMORY). */
uint32_t cmd_check_resource_room(struct dispatch *d, struct cmd *c, uint32_t id);
/* The answer to a resource id that names none (ERR_INVALID_RESOURCE_ID). */
uint32_t cmd_no_resource(struct dispatch *d, struct cmd *c, uint32_t id);
/* An existing resource, into c->res and c->rd (ERR_INVALID_RESOURCE_ID). */
uint32_t cmd_find_resource(struct dispatch *d, struct cmd *c, uint32_t id);
/* scanout.c: a scanout id below num_scanouts (checked first:
 * ERR_INVALID_SCANOUT_ID), and the resource into c->res, or NULL for 0. */
uint32_t cmd_scanout_target(struct dispatch *d, struct cmd *c, uint32_t scanout_id,
			    uint32_t resource_id);
/* backing.c: every entry's range is inside the address space (ERR_UNSPEC). */
uint32_t cmd_check_ranges(struct dispatch *d, struct cmd *c);
/* The guest's verdict on a region_create() that failed, logged naming the
 * entries (ERR_UNSPEC or ERR_OUT_OF_MEMORY). */
uint32_t cmd_region_error(struct dispatch *d, struct cmd *c, enum core_verdict err);
bool rect_inside(const struct vgm_gpu_rect *r, uint32_t width, uint32_t height);
/* ctx.c: ctx_id is a live context of the 3D renderer
 * (ERR_INVALID_CONTEXT_ID; ERR_UNSPEC without a 3D renderer). */
uint32_t cmd_check_ctx(struct dispatch *d, struct cmd *c, uint32_t ctx_id);

/* Command tables of each family, terminated by a zero type. */
extern const struct cmd_desc cmds_display[];
extern const struct cmd_desc cmds_resource[];
extern const struct cmd_desc cmds_backing[];
extern const struct cmd_desc cmds_region[];
extern const struct cmd_desc cmds_blob[];
extern const struct cmd_desc cmds_transfer[];
extern const struct cmd_desc cmds_scanout[];
extern const struct cmd_desc cmds_cursor[];
extern const struct cmd_desc cmds_capset[];
extern const struct cmd_desc cmds_ctx[];
extern const struct cmd_desc cmds_res3d[];
extern const struct cmd_desc cmds_submit[];

/* dispatch.c: the device's command of that type, or NULL. */
const struct cmd_slot *dispatch_slot(struct dispatch *d, uint32_t type);

/* ---- prefetch.c ---------------------------------------------------------------- */

/* Where the request of s's command holds the resource_id its handlers
 * look up, or 0 (dispatch_init()). */
uint32_t prefetch_resource_at(const struct cmd_slot *s);

/* ---- answer.c ------------------------------------------------------------------ */

/* The header of an answer of type to c; the fence echoed when fenced. */
void response_hdr(struct vgm_gpu_ctrl_hdr *h, const struct cmd *c, uint32_t type, bool fenced);
/* Writes an encoded answer into the writable elements: the bytes that fit
 * (a truncated one is logged, naming the command). */
size_t dispatch_answer(struct dispatch *d, const char *name, const struct iovec *out,
		       size_t out_cnt, const uint8_t *resp, size_t len);

/* ---- inflight.c -------------------------------------------------------------- */

/* Whether a request of this timeline must wait behind one in flight. */
bool inflight_busy(const struct dispatch *d, const struct render_timeline *t);
/* Puts a fenced request in flight with its encoded response and a copy of
 * its out array: false when there is no memory for it (the caller answers
 * it now). */
bool inflight_add(struct dispatch *d, const struct cmd *c, const struct render_timeline *t,
		  uint64_t seq, bool done, const uint8_t *resp, size_t len, struct dispatch_tag tag,
		  const struct iovec *out, size_t out_cnt);

#endif /* VGM_CMD_IMPL_H */
