#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--save-state and --load-state, driven by the fake front-end
(fake_frontend.py), the sandbox on (the default).

usage: test-state-file.py BACKEND

- Session 1 (--save-state FILE): two resources with backing and pixels,
  one on scanout 0, one as the cursor (moved once); the guest then changes
  the first one's memory without a transfer; the rings are stopped
  (GET_VRING_BASE) and the back-end gets SIGTERM: it exits 0 and FILE is
  there, its temporary file gone.
- Session 2 (--load-state FILE --save-state FILE2): a new back-end, fresh
  guest memory holding the same bytes, split into regions elsewhere (the
  backing that was in region 0 is in region 1 now, another crosses the
  new boundary); after the memory table and the rings (started where they
  stopped), QEMU's display gets the same SCANOUT, the same whole-surface
  UPDATE (the pixels the last transfer copied, not what the guest memory
  holds now) and the same CURSOR_UPDATE as in session 1. A transfer and a
  flush of the old resource id then show the guest's new pixels, read
  through the new memory table. The front-end goes away: exit 0, FILE2.
- Session 3 (--load-state FILE2): shows session 2's last frame.
- Refused at start-up with exit 1: a state changed in one field (its CRC
  made right: the library's "section device, field num_scanouts" line), a
  truncated state, a file that is not there, --save-state and
  --load-state with --virgl, --load-state with --record.
- A back-end that ends on a protocol error writes nothing: FILE stays as it
  was, no temporary file is left.
"""

import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import zlib

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from fake_frontend import (  # noqa: E402
    MEM, UVA, MiB, Frontend, check, create, failures, handshake, hdr, pattern, resp_type,
    set_memory, setup, setup_rings)
from vhost_user_numbers import (  # noqa: E402
    B8G8R8A8, B8G8R8X8, CMD_FLUSH, CMD_MOVE_CURSOR, CMD_SET_SCANOUT, CMD_TRANSFER,
    CMD_UPDATE_CURSOR, D_CURSOR_UPDATE, D_SCANOUT, D_UPDATE, GET_VRING_BASE, RESP_OK_NODATA)

W, H = 64, 48
FRAME_GPA = 0x400000   # in region 0 in session 1, in region 1 after
CURSOR_GPA = 3 * MiB - 1000  # crosses session 2's region boundary
SPLIT = 3 * MiB
UVA_MOVED = 0x7F2000000000


def display_events(fe, kinds, what):
    """Waits for a display message of each of kinds; returns {kind: payload}."""
    fe.wait(lambda: all(any(e[0] == k for e in fe.events) for k in kinds), what)
    return {k: p for k, p in reversed(fe.events) if k in kinds}


def stop_rings(fe):
    """GET_VRING_BASE of both rings, as QEMU stops a device; returns the bases."""
    bases = []
    for q in range(2):
        fe.send(GET_VRING_BASE, struct.pack("<II", q, 0))
        _r, _f, p = fe.recv()
        bases.append(struct.unpack("<II", p)[1])
    return bases


def session_one(backend, path, log):
    fe = Frontend(backend, ["--save-state", path, "--log-level=info"], log=log)
    setup(fe)
    frame = pattern(W, H, 3)
    create(fe, 0, 1, B8G8R8X8, W, H, FRAME_GPA, frame)
    fe.events.clear()
    r = fe.request(0, hdr(CMD_SET_SCANOUT) + struct.pack("<IIIIII", 0, 0, W, H, 0, 1))
    check(resp_type(r) == RESP_OK_NODATA, "session 1: SET_SCANOUT")
    shown = display_events(fe, [D_SCANOUT, D_UPDATE], "session 1: SCANOUT and UPDATE")
    check(shown[D_UPDATE][20:] == frame, "session 1: the display shows the frame")
    cursor = pattern(64, 64, 5)
    create(fe, 0, 2, B8G8R8A8, 64, 64, CURSOR_GPA, cursor)
    fe.request(1, hdr(CMD_UPDATE_CURSOR) + struct.pack("<IIIIIIII", 0, 10, 20, 0, 2, 3, 4, 0), 0)
    fe.request(1, hdr(CMD_MOVE_CURSOR) + struct.pack("<IIIIIIII", 0, 30, 40, 0, 0, 0, 0, 0), 0)
    # The guest draws again, not transferred: the state has the last transfer's pixels.
    fe.mem[FRAME_GPA:FRAME_GPA + len(frame)] = pattern(W, H, 77)
    bases = stop_rings(fe)
    tmp_name = os.path.join(os.path.dirname(path), ".%s.tmp-%d" % (os.path.basename(path), fe.proc.pid))
    check(os.path.exists(tmp_name) and not os.path.exists(path),
          "session 1: the temporary file is made at start-up, FILE only at the end")
    fe.proc.send_signal(signal.SIGTERM)
    rc = fe.end(timeout=10)
    fe.log_text()
    check(rc == 0, "session 1: SIGTERM, exit 0 (got %s)" % rc)
    check(os.path.exists(path) and os.path.getsize(path) > 32 and not os.path.exists(tmp_name),
          "session 1: FILE written, its temporary file renamed")
    rings = [(r.avail_idx, r.used_seen, r.free) for r in fe.rings]
    return bytes(fe.mem), bases, rings, shown, frame, cursor


def resumed_frontend(backend, args, log, mem, bases, rings):
    """A new back-end with fresh guest memory holding mem's bytes, in other
    regions; the rings where they stopped."""
    fe = Frontend(backend, args, log=log)
    fe.mem[:] = mem
    for ring, (avail_idx, used_seen, free) in zip(fe.rings, rings):
        ring.avail_idx, ring.used_seen, ring.free = avail_idx, used_seen, free
    handshake(fe)
    check(set_memory(fe, ((0, SPLIT, UVA[0], 0), (SPLIT, MEM - SPLIT, UVA_MOVED, SPLIT))) == 0,
          "resumed: SET_MEM_TABLE, regions split elsewhere")
    setup_rings(fe, bases)
    return fe


def session_two(backend, path, path2, log, one):
    mem, bases, rings, shown, frame, cursor = one
    fe = resumed_frontend(backend, ["--load-state", path, "--save-state", path2, "--log-level=info"],
                          log, mem, bases, rings)
    got = display_events(fe, [D_SCANOUT, D_UPDATE, D_CURSOR_UPDATE], "session 2: the display replayed")
    check(got[D_SCANOUT] == shown[D_SCANOUT] == struct.pack("=III", 0, W, H),
          "session 2: the same SCANOUT as session 1")
    check(got[D_UPDATE] == shown[D_UPDATE] and got[D_UPDATE][20:] == frame,
          "session 2: the same whole-surface UPDATE (the last transfer's pixels)")
    check(got.get(D_CURSOR_UPDATE) == struct.pack("=IIIII", 0, 30, 40, 3, 4) + cursor,
          "session 2: the cursor as the guest left it (moved, hot spot, image)")
    # The guest's newer pixels, through the new memory table, on the old id.
    fe.events.clear()
    r = fe.request(0, hdr(CMD_TRANSFER) + struct.pack("<IIIIQII", 0, 0, W, H, 0, 1, 0))
    check(resp_type(r) == RESP_OK_NODATA, "session 2: TRANSFER_TO_HOST_2D of resource 1")
    r = fe.request(0, hdr(CMD_FLUSH) + struct.pack("<IIIIII", 0, 0, W, H, 1, 0))
    check(resp_type(r) == RESP_OK_NODATA, "session 2: RESOURCE_FLUSH of resource 1")
    newer = struct.pack("=IIIII", 0, 0, 0, W, H) + pattern(W, H, 77)
    fe.wait(lambda: any(e == (D_UPDATE, newer) for e in fe.events), "UPDATE after FLUSH")
    check(any(e == (D_UPDATE, newer) for e in fe.events),
          "session 2: the flush shows the guest's new pixels (%s)" %
          [(k, len(p), p[:20].hex()) for k, p in fe.events])
    bases = stop_rings(fe)
    rc = fe.end(timeout=10)
    fe.log_text()
    check(rc == 0 and os.path.exists(path2), "session 2: front-end gone, exit 0, FILE2 written")
    rings = [(r.avail_idx, r.used_seen, r.free) for r in fe.rings]
    return bytes(fe.mem), bases, rings


def session_three(backend, path2, log, two):
    mem, bases, rings = two
    fe = resumed_frontend(backend, ["--load-state", path2], log, mem, bases, rings)
    got = display_events(fe, [D_UPDATE], "session 3: the display replayed")
    check(got[D_UPDATE][20:] == pattern(W, H, 77), "session 3: shows session 2's last frame")
    check(fe.end(timeout=10) == 0, "session 3: exit 0")


def refused(backend, args, what, logged=None):
    """The back-end must exit 1 at start-up, logging logged."""
    p = subprocess.run([backend, "--fd", "99"] + args, stderr=subprocess.PIPE, text=True, timeout=30)
    sys.stderr.write(p.stderr)
    check(p.returncode == 1 and (logged is None or logged in p.stderr),
          "%s: exit 1 at start-up%s (got %s)" % (what, ", logged '%s'" % logged if logged else "",
                                                 p.returncode))


def with_crc(state):
    return state[:24] + struct.pack("<I", zlib.crc32(state[32:])) + state[28:]


def test_refusals(backend, tmp, path):
    state = open(path, "rb").read()
    bad = os.path.join(tmp, "bad.state")
    # section 1 (device) is first: its payload's num_scanouts at 32 + 16 + 4
    with open(bad, "wb") as f:
        f.write(with_crc(state[:52] + struct.pack("<I", 2) + state[56:]))
    refused(backend, ["--load-state", bad], "a state of 2 scanouts",
            "section device, field num_scanouts")
    with open(bad, "wb") as f:
        f.write(state[:len(state) - 5])
    refused(backend, ["--load-state", bad], "a truncated state", "vgm_device_load")
    refused(backend, ["--load-state", os.path.join(tmp, "none.state")], "a state that is not there",
            "No such file")
    refused(backend, ["--virgl", "--save-state", bad], "--save-state with --virgl", "--virgl")
    refused(backend, ["--virgl", "--load-state", path], "--load-state with --virgl", "--virgl")
    refused(backend, ["--record", bad, "--load-state", path], "--load-state with --record", "--record")


def test_error_end(backend, tmp, path):
    """A protocol error (the socket closed mid-message): exit 1, nothing saved."""
    before = open(path, "rb").read()
    fe = Frontend(backend, ["--save-state", path], log=os.path.join(tmp, "error.log"))
    setup(fe)
    fe.sock.send(b"\x01\x00")
    rc = fe.end(timeout=10)
    text = fe.log_text()
    leftovers = [n for n in os.listdir(tmp) if ".tmp-" in n]
    check(rc == 1 and open(path, "rb").read() == before and not leftovers and "not written" in text,
          "an error end: exit 1, FILE as it was, no temporary file (got %s, %s)" % (rc, leftovers))


def main():
    backend = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="vgm-state-file-")
    path, path2 = os.path.join(tmp, "gpu.state"), os.path.join(tmp, "gpu2.state")
    try:
        one = session_one(backend, path, os.path.join(tmp, "one.log"))
        two = session_two(backend, path, path2, os.path.join(tmp, "two.log"), one)
        session_three(backend, path2, os.path.join(tmp, "three.log"), two)
        test_refusals(backend, tmp, path)
        test_error_end(backend, tmp, path)
    except (EOFError, OSError, AssertionError, subprocess.TimeoutExpired) as e:
        check(False, "front-end: %r" % e)
    shutil.rmtree(tmp, ignore_errors=True)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
