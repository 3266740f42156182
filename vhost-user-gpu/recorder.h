/* SPDX-License-Identifier: MIT */
/*
 * --record FILE: what the guest sent, as a vgm-trace v1 file
 * (docs/trace-format.md) that tools/vgm-replay runs against the library
 * with the same responses and the same pixels. The lines are written by
 * the trace library's writer (tools/trace.h, trace_write_*()).
 *
 * The file, written when the recorder is closed:
 *   - comments: what recorded it, and what replays differently (below);
 *   - a device line: the dialect, the device features the driver accepted,
 *     the scanouts and their displays as they were at the first request,
 *     and the EDIDs QEMU gave the library (edid=, the first per scanout;
 *     none for a scanout whose GET_EDID the library answered with its own
 *     before QEMU gave one);
 *   - ram lines: every guest page a memory entry (RESOURCE_ATTACH_BACKING,
 *     RESOURCE_CREATE_BLOB, MEMORY_CREATE) named, page-aligned and merged,
 *     and nothing else (an address the guest named outside its memory
 *     stays outside);
 *   - in order, every request as a ctrl or cursor line, in hex, with "|"
 *     at descriptor boundaries and resp= the sizes of the writable part:
 *     the bytes the library can read of it (the header, the command's
 *     struct, at most the library's limit of memory entries), not the rest
 *     of its chain; a comment line before it says when the chain had more;
 *     before each request that may read guest memory through a backing,
 *     write and fill lines bringing those pages to what the guest memory
 *     holds at that moment: only the bytes that changed since the last
 *     time (RAM starts zeroed), runs of one byte as fill lines;
 *   - after each ctrl line, the response the device gave as a
 *     "# expect: ctrl <hex>" comment, which tests/traces/run-trace.py
 *     checks against the replay; RESOURCE_ASSIGN_UUID gets "# recorded:"
 *     instead, as the replay cannot answer the same (the UUID is random),
 *     and so does GET_EDID while QEMU has given a scanout another EDID
 *     than the device line's (a comment says where);
 *   - with --virgl (renderer=virgl), SUBMIT_3D's commands are part of its
 *     ctrl line (at most 1 MiB, what the library reads); a fenced request
 *     the library answers later is written when it runs, in order, and
 *     its "# expect:" line where the answer came (a comment names it);
 *     GET_CAPSET_INFO and GET_CAPSET are hostdep: their expect lines give
 *     the response's header and size, which any host's virgl answers;
 *   - at the end, a dump line per scanout and a "# expect: dump ..."
 *     comment with the CRC-32 of what the device showed there (or "off"
 *     for a scanout that showed nothing): the replay must show the same.
 *
 * A recording covers one device lifetime: it ends at a device reset. The
 * guest may change memory while the device reads it; the recording holds
 * what the recorder read just before the request.
 */
#ifndef VUGPU_RECORDER_H
#define VUGPU_RECORDER_H

#include "gpu.h"

struct recorder;

/* Starts recording g (gpu_set_recorder); path is created now (truncated)
 * and written at recorder_close(). virgl: g's device is a 3D one
 * (renderer=virgl). @return 0, -errno of fopen, -ENOMEM. */
int recorder_new(const char *path, struct gpu *g, bool virgl, struct recorder **out);

/* Writes the file and stops recording. NULL: no-op.
 * @return 0, or -errno when the file could not be written (logged). */
int recorder_close(struct recorder *r);

#endif
