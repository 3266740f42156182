/* SPDX-License-Identifier: MIT */
/*
 * wire: the bytes of requests and responses. A bounded reader over the
 * host copy of a request, a sequential copier over the guest's descriptor
 * elements, the writer of responses, and the one table that describes
 * every command and response (the public struct vgm_wire_command): the
 * decoder and the encoder below are driven by it, and nothing else in the
 * library does pointer arithmetic on request bytes.
 *
 * Uses util. Used by every layer above.
 */
#ifndef VGM_WIRE_H
#define VGM_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "util/util.h"

/* Every message begins with the header; so do the C structs of
 * <virtgpu-mem/protocol.h>, so a decoded body lands at the same offsets. */
#define WIRE_HDR_SIZE 24u

/* ---- reader.c ----------------------------------------------------------- */

/* A bounded little-endian cursor over bytes already copied into the host. */
struct reader {
	const uint8_t *buf;
	size_t len;
	size_t pos;
};

void reader_init(struct reader *r, const void *buf, size_t len);
size_t reader_left(const struct reader *r);
bool reader_u8(struct reader *r, uint8_t *v);
bool reader_u32(struct reader *r, uint32_t *v);
bool reader_u64(struct reader *r, uint64_t *v);
bool reader_bytes(struct reader *r, void *dst, size_t n);
bool reader_skip(struct reader *r, size_t n);

/* A sequential cursor over a request's descriptor elements: each byte is
 * copied out (or taken in place, for its caller to copy) once, in order,
 * and never read again. */
struct iov_reader {
	const struct iovec *iov;
	size_t cnt;
	size_t idx;  /* current element */
	size_t off;  /* offset inside it */
	size_t left; /* bytes from the cursor to the end of the request */
};

void iov_reader_init(struct iov_reader *ir, const struct iovec *iov, size_t cnt);
/* Copies n bytes out, or nothing (false) if fewer than n are left. */
bool iov_reader_copy(struct iov_reader *ir, void *dst, size_t n);
/* Takes the next n bytes: where they lie when one element holds them all,
 * else copied into scratch (n bytes); NULL, taking nothing, if fewer than
 * n are left. The caller copies what it gets once: the guest may change
 * its buffer meanwhile. */
const void *iov_reader_take(struct iov_reader *ir, void *scratch, size_t n);

/* Copies len bytes of src into the writable elements; returns what fit. */
size_t iov_scatter(const struct iovec *iov, size_t cnt, const void *src, size_t len);

/* A bounded little-endian writer into the library's own buffers. Writing
 * past the end is a broken invariant: it aborts. */
struct writer {
	uint8_t *buf;
	size_t cap;
	size_t pos;
};

void writer_init(struct writer *w, void *buf, size_t cap);
void writer_u8(struct writer *w, uint8_t v);
void writer_u32(struct writer *w, uint32_t v);
void writer_u64(struct writer *w, uint64_t v);
void writer_bytes(struct writer *w, const void *src, size_t n);
void writer_zero(struct writer *w, size_t n);

/* ---- table.c: the description of every message --------------------------- */

/* The command of a dialect, or NULL (what vgm_wire_command() answers). */
const struct vgm_wire_command *wire_command(enum vgm_dialect dialect, uint32_t type);
/* The i-th command of the table, both dialects together, or NULL past the
 * end: for building lookup tables and checking the table. */
const struct vgm_wire_command *wire_command_at(size_t i);
/* The name of a response type in a dialect, or NULL. */
const char *wire_response_name(enum vgm_dialect dialect, uint32_t type);
/* The layout of a response type in a dialect, or NULL. */
const struct vgm_wire_layout *wire_response(enum vgm_dialect dialect, uint32_t type);
/* The header alone: the layout of GET_DISPLAY_INFO, CTX_DESTROY, OK_NODATA
 * and every error response. */
const struct vgm_wire_layout *wire_header(void);

/* ---- codec.c: table-driven decoding and encoding ------------------------ */

/* Whether l's C struct holds its fields in wire order at their wire
 * positions, as the protocol's structs do: decoding a message of l->size
 * bytes is then a copy of them (padding members included), which is what
 * callers that decode many messages of a layout may do instead (decided
 * once: this walks the fields). */
bool wire_layout_flat(const struct vgm_wire_layout *l);
/* Decodes the header of msg (len bytes) into h. False if len is short of it. */
bool wire_decode_hdr(const uint8_t *msg, size_t len, struct vgm_gpu_ctrl_hdr *h);
/* Decodes the fields after the header of a request laid out as l, from the
 * len bytes of msg (header included), into out: the C struct of the
 * message, each field at its offset (padding is not written). False, and
 * out partly written, if len is short of l->size. */
bool wire_decode_body(const struct vgm_wire_layout *l, const uint8_t *msg, size_t len, void *out);
/* Decodes one record laid out as rec from the len bytes at bytes into out.
 * False if len is short of rec->size. */
bool wire_decode_record(const struct vgm_wire_layout *rec, const uint8_t *bytes, size_t len,
			void *out);
/* Encodes the C struct in (laid out as l, header included) into w:
 * l->size bytes, padding zeroed. */
void wire_encode(const struct vgm_wire_layout *l, const void *in, struct writer *w);

#endif /* VGM_WIRE_H */
