#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Pixels lent to QEMU are never torn: a fake QEMU (fake_frontend.py) that
reads its display socket only when told to.

usage: test-lent-pixels.py BACKEND

An UPDATE of 256 KiB or more goes to QEMU by reference: the socket holds
the resource's own pages until QEMU reads them, so they must not change
before (gpu-requests.c, may_run()). Page flips between two 512x256
resources A and B, each frame of other pixels than the last, while QEMU
reads nothing:
  - the flip to B (TRANSFER_TO_HOST_2D of B, SET_SCANOUT, RESOURCE_FLUSH)
    runs at once, A's UPDATE unread;
  - the flip back to A waits: its transfer would overwrite A's pages; it
    waits still when QEMU has read part of A's UPDATE, and runs once QEMU
    has read A's UPDATE and some of B's (the backend counts a message read
    when SIOCOUTQ proves it, which counts the buffers after it with their
    overhead);
  - every UPDATE QEMU reads holds the pixels its flush showed, whole (the
    first, after a SET_SCANOUT, is whole; a flip to a resource of the same
    size sends no SCANOUT);
  - the cursor queue runs meanwhile; RESOURCE_UNREF of a resource not lent
    runs, of one lent waits until QEMU has read it.
Then, QEMU reading: a SET_SCANOUT without a flush sends the whole surface
a few milliseconds later; a partial flush after a SET_SCANOUT sends it
whole; a SET_SCANOUT of another size sends a SCANOUT.

Exit: 0 pass, 1 fail, 77 when the backend's display socket cannot hold two
frames (not root and net.core.wmem_max below 1 MiB).
"""

import os
import select
import struct
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from fake_frontend import Frontend, check, create, failures, hdr, pattern, resp_type, setup  # noqa: E402
from vhost_user_numbers import (  # noqa: E402
    B8G8R8X8, CMD_FLUSH, CMD_GET_DISPLAY_INFO, CMD_MOVE_CURSOR, CMD_SET_SCANOUT, CMD_TRANSFER,
    CMD_UNREF, D_SCANOUT, D_UPDATE, RESP_OK_DISPLAY_INFO, RESP_OK_NODATA)

W, H = 512, 256  # 512 KiB a frame: by reference
FRAME = W * H * 4
GPA = {1: 0x400000, 2: 0x500000, 3: 0x600000, 4: 0x700000}  # backing of resources 1..4
SKIP = 77


def offer(fe, cmds, q=0):
    """Puts the requests cmds on ring q, each with a 24-byte response, and
    kicks once (as Linux notifies once per page flip). Returns the used
    index that says all were answered."""
    ring = fe.rings[q]
    for k, cmd in enumerate(cmds):
        req_at, resp_at = 0x110000 + 0x100 * k, 0x118000 + 0x100 * k
        fe.mem[req_at:req_at + len(cmd)] = cmd
        bufs = [(req_at, len(cmd), False)] + ([(resp_at, 24, True)] if q == 0 else [])
        ring.offer(bufs)
    os.eventfd_write(fe.kick[q], 1)
    return (ring.used_seen + len(cmds)) & 0xFFFF


def answered(fe, want, timeout, q=0):
    """Whether ring q's used index reaches want within timeout seconds,
    the display socket left unread; the used entries are taken."""
    ring = fe.rings[q]
    deadline = time.monotonic() + timeout
    while ((ring.used_idx() - want) & 0xFFFF) >= 0x8000:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        for f in select.select([fe.call[0], fe.call[1]], [], [], left)[0]:
            os.eventfd_read(f)
    while ring.used_seen != want:
        ring.pop_used()
    return True


def all_ok(fe, n):
    """The responses of the last n requests of offer() are OK_NODATA."""
    return all(resp_type(bytes(fe.mem[0x118000 + 0x100 * k:0x118000 + 0x100 * k + 24])) == RESP_OK_NODATA
               for k in range(n))


def read_display(fe, n):
    """QEMU reads n bytes of its display socket (and handles what they
    complete)."""
    while n > 0:
        select.select([fe.display], [], [], 5)
        n -= fe.pump_display(n)


def read_all_display(fe):
    while select.select([fe.display], [], [], 0.2)[0]:
        fe.pump_display()


def transfer(fe, rid, pixels):
    """The guest writes pixels into the backing of rid: the request that
    takes them to the host."""
    fe.mem[GPA[rid]:GPA[rid] + len(pixels)] = pixels
    return hdr(CMD_TRANSFER) + struct.pack("<IIIIQII", 0, 0, W, H, 0, rid, 0)


def set_scanout(rid, w=W, h=H):
    return hdr(CMD_SET_SCANOUT) + struct.pack("<IIIIII", 0, 0, w, h, 0, rid)


def flush(rid, x=0, y=0, w=W, h=H):
    return hdr(CMD_FLUSH) + struct.pack("<IIIIII", x, y, w, h, rid, 0)


def update(x, y, w, h, pixels):
    """What an UPDATE of scanout 0 carries."""
    return struct.pack("=IIIII", 0, x, y, w, h) + pixels


def screen_events(fe):
    """The SCANOUT and UPDATE messages QEMU got (not the cursor's)."""
    return [(k, p) for k, p in fe.events if k in (D_SCANOUT, D_UPDATE)]


def wait_updates(fe, n, what):
    fe.wait(lambda: sum(k == D_UPDATE for k, _ in fe.events) >= n, what)
    return screen_events(fe)


def test_flips(fe):
    a0, b1, a1 = pattern(W, H, 10), pattern(W, H, 21), pattern(W, H, 30)
    fe.read_display = False
    want = offer(fe, [set_scanout(1), flush(1)])
    check(answered(fe, want, 5) and all_ok(fe, 2), "SET_SCANOUT A + FLUSH A: answered, QEMU reading nothing")
    want = offer(fe, [transfer(fe, 2, b1), set_scanout(2), flush(2)])
    check(answered(fe, want, 5) and all_ok(fe, 3),
          "the flip to B (transfer, set, flush) runs at once: A's UPDATE unread does not hold it")
    want = offer(fe, [transfer(fe, 1, a1), set_scanout(1), flush(1)])
    check(not answered(fe, want, 0.5), "the flip back to A waits: its transfer would change A's lent pages")
    read_display(fe, 24 + 32 + FRAME // 2)  # the SCANOUT, half of A's UPDATE
    check(not answered(fe, want, 0.5), "... and still waits with half of A's UPDATE read")
    read_display(fe, FRAME // 2 + 32 + 200 * 1024)  # the rest of A's, 200 KiB of B's
    check(answered(fe, want, 5) and all_ok(fe, 3),
          "... and runs once QEMU has read A's UPDATE (and some of B's after it)")
    pos = offer(fe, [hdr(CMD_MOVE_CURSOR) + struct.pack("<IIIIIIII", 0, 5, 6, 0, 0, 0, 0, 0)], q=1)
    check(answered(fe, pos, 5, q=1), "the cursor queue runs while pixels are lent")
    read_all_display(fe)
    got = [(k, p[:20], p[20:]) for k, p in screen_events(fe)]
    kinds = [k for k, _, _ in got]
    check(kinds == [D_SCANOUT, D_UPDATE, D_UPDATE, D_UPDATE],
          "QEMU got SCANOUT, then one UPDATE per flush and no SCANOUT for a flip of the same size (%s)"
          % kinds)
    if kinds == [D_SCANOUT, D_UPDATE, D_UPDATE, D_UPDATE]:
        for i, (what, px) in enumerate((("A", a0), ("B", b1), ("A again", a1))):
            check(got[i + 1][1] + got[i + 1][2] == update(0, 0, W, H, px),
                  "UPDATE %d: the whole of %s as its flush showed it, not torn" % (i + 1, what))
    fe.events.clear()


def test_unref(fe):
    want = offer(fe, [set_scanout(2), flush(2)])
    check(answered(fe, want, 5), "B shown and flushed: its pixels lent")
    want = offer(fe, [hdr(CMD_UNREF) + struct.pack("<II", 1, 0)])
    check(answered(fe, want, 5) and all_ok(fe, 1), "RESOURCE_UNREF of A (read, not lent) runs at once")
    want = offer(fe, [hdr(CMD_UNREF) + struct.pack("<II", 2, 0)])
    check(not answered(fe, want, 0.5), "RESOURCE_UNREF of B waits: its memory is lent")
    read_all_display(fe)
    check(answered(fe, want, 5) and all_ok(fe, 1), "... and runs once QEMU has read B's UPDATE")
    fe.events.clear()


def test_whole_surface(fe):
    fe.read_display = True
    c, d = pattern(W, H, 40), pattern(W, H, 50)
    create(fe, 0, 3, B8G8R8X8, W, H, GPA[3], c)
    create(fe, 0, 4, B8G8R8X8, W, H, GPA[4], d)
    fe.events.clear()
    r = fe.request(0, set_scanout(3))
    ev = wait_updates(fe, 1, "an UPDATE after a SET_SCANOUT without a flush")
    check(resp_type(r) == RESP_OK_NODATA
          and ev == [(D_SCANOUT, struct.pack("=III", 0, W, H)), (D_UPDATE, update(0, 0, W, H, c))],
          "SET_SCANOUT on a disabled scanout, no flush: SCANOUT, the whole surface a little later")
    fe.events.clear()
    fe.request(0, set_scanout(4))
    ev = wait_updates(fe, 1, "an UPDATE after a SET_SCANOUT of the same size")
    check(ev == [(D_UPDATE, update(0, 0, W, H, d))],
          "SET_SCANOUT of the same size, no flush: no SCANOUT, the whole surface a little later")
    fe.events.clear()
    want = offer(fe, [set_scanout(3), flush(3, 8, 8, 16, 16)])
    ev = wait_updates(fe, 1, "the UPDATE of a partial flush")
    check(answered(fe, want, 5) and ev == [(D_UPDATE, update(0, 0, W, H, c))],
          "a partial flush right after SET_SCANOUT sends the whole surface, once")
    fe.events.clear()
    fe.request(0, set_scanout(4, W // 2, H // 2))
    ev = wait_updates(fe, 1, "SCANOUT and UPDATE of another size")
    half = b"".join(d[y * W * 4:(y * W + W // 2) * 4] for y in range(H // 2))
    check(ev == [(D_SCANOUT, struct.pack("=III", 0, W // 2, H // 2)),
                 (D_UPDATE, update(0, 0, W // 2, H // 2, half))],
          "SET_SCANOUT of another size: SCANOUT, then the whole new surface")


def sndbuf_enough():
    """The backend asks for an 8 MiB send buffer: root gets it, others get
    net.core.wmem_max (doubled by the kernel)."""
    if os.geteuid() == 0:
        return True
    with open("/proc/sys/net/core/wmem_max") as f:
        return 2 * int(f.read()) >= 4 * FRAME


def main():
    if not sndbuf_enough():
        print("SKIP: the backend's display socket cannot hold two frames (not root, wmem_max small)")
        return SKIP
    fe = Frontend(sys.argv[1])
    try:
        setup(fe)
        fe.modes = {0: (W, H)}
        check(resp_type(fe.request(0, hdr(CMD_GET_DISPLAY_INFO), 24 + 16 * 24)) == RESP_OK_DISPLAY_INFO,
              "GET_DISPLAY_INFO")
        create(fe, 0, 1, B8G8R8X8, W, H, GPA[1], pattern(W, H, 10))
        create(fe, 0, 2, B8G8R8X8, W, H, GPA[2], pattern(W, H, 20))
        fe.events.clear()
        test_flips(fe)
        test_unref(fe)
        test_whole_surface(fe)
    except (EOFError, OSError, AssertionError) as e:
        check(False, "front-end: %r" % e)
    check(fe.end(timeout=10) == 0, "back-end exits 0 when the front-end goes away")
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
