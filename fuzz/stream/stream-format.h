/* SPDX-License-Identifier: MIT */
/*
 * The input of fuzz/stream: a whole command stream in a compact binary
 * encoding of trace operations (docs/trace-format.md), so libFuzzer mutates
 * requests, guest RAM and the host's actions together. trace2bin writes
 * the golden traces this way (the seeds); stream.c reads it.
 *
 * An input is a sequence of operations until its end. Each is one op byte
 * (taken modulo STREAM_OP_COUNT, so every byte is an operation) and its
 * fields, little-endian. Fields past the end of the input read as zeros;
 * a byte string is cut at the end of the input.
 *
 *  DEVICE   u8 flags, u32 features, u8 scanouts, per scanout u16 width and
 *           u16 height (0x0: no display), u64 hostmem (bytes, 0: the
 *           harness's default), u32 max_entries, u32 max_resources,
 *           u32 max_regions (0: defaults)
 *           flags: bit 0 memory-rfc, bit 1 features given (else every
 *           offered feature is accepted), bit 2 host with release(), bit 3
 *           translate() stops at 4 KiB boundaries, bit 4 file positions and
 *           scanout_dmabuf, bit 5 a misbehaving host: u32 max_len (the
 *           most bytes one translate() maps, 0: no limit), u16 fail_at (the
 *           translate() of each request that fails, from 1, 0: none) and
 *           u32 max_table_pieces (0: default) follow, bit 6 translate()
 *           answers from two views of guest RAM by turns, so no piece
 *           continues the one before. Destroys the device there is
 *           (checking that it gives every mapping back) and makes the new
 *           one. A stream that starts with another operation gets the trace
 *           defaults.
 *  RAM      u64 gpa, u32 size             a zeroed range (ignored if it overlaps)
 *  WRITE    u64 gpa, u32 len, len bytes   (ignored outside RAM)
 *  FILL     u64 gpa, u32 len, u8 byte
 *  CTRL     u32 len, u8 ncuts, u16 cut[ncuts], u8 nresp, u16 resp[nresp],
 *           len bytes                      one control queue request
 *  CURSOR   u32 len, u8 ncuts, u16 cut[ncuts], len bytes
 *  DUMP     u8 scanout                     read the scanout, in every format
 *  RESET    -                              vgm_device_reset()
 *  DISPLAY  u8 scanout, u8 enabled, u16 width, u16 height   vgm_device_set_display()
 *  CONFIG   u8 offset, u8 len, u32 value   config space write, then read
 *  FEATURES u32 accepted                   vgm_device_set_features()
 *
 * Cuts are descriptor boundaries as offsets into the request (taken modulo
 * its length + 1); resp are the writable elements' sizes (each at most
 * 4096 bytes in the harness; 0xffff in a seed stands for the trace's
 * default of 64 KiB).
 */
#ifndef VGM_STREAM_FORMAT_H
#define VGM_STREAM_FORMAT_H

enum stream_op {
	STREAM_DEVICE,
	STREAM_RAM,
	STREAM_WRITE,
	STREAM_FILL,
	STREAM_CTRL,
	STREAM_CURSOR,
	STREAM_DUMP,
	STREAM_RESET,
	STREAM_DISPLAY,
	STREAM_CONFIG,
	STREAM_FEATURES,
	STREAM_OP_COUNT,
};

#define STREAM_DEV_RFC 0x01u
#define STREAM_DEV_FEATURES 0x02u
#define STREAM_DEV_RELEASE 0x04u
#define STREAM_DEV_PAGE_SPLIT 0x08u
#define STREAM_DEV_FDS 0x10u
#define STREAM_DEV_FAULTS 0x20u
#define STREAM_DEV_SCATTER 0x40u

#endif /* VGM_STREAM_FORMAT_H */
