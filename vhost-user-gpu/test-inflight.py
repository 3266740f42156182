#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--virgl: what becomes of requests in flight when the front-end changes
the memory table, stops a ring or resets the device (fake_frontend.py).

usage: test-inflight.py BACKEND

A request stays in flight as long as the test wants: llvmpipe does a
SUBMIT_3D's work inside the submit, so the backend runs with
VGM_TEST_INFLIGHT_HOLD_MS (read by it only, for tests), which holds a
fenced request in flight for that long before the renderer is polled,
as a slow GPU would.

- SET_MEM_TABLE while one is in flight: the backend maps the new table
  and keeps the old one (its mappings of the guest's memfd, counted in
  /proc/PID/maps, twice the bytes after the ack, the request still in
  flight); the request is then answered through it (OK_NODATA, its fence
  echoed, in the used ring); then the old mappings go.
- GET_VRING_BASE while one is in flight for longer than the backend
  drains (2 s; the hold is 4 s): the reply comes with it still in
  flight, and while the ring is stopped nothing is written, neither the
  ring nor the chain's buffer (vhost-user.rst: the back-end must not
  process a stopped ring at all), though the renderer finished. Started
  again where it stopped (a pause), the ring gets the answer. Started
  again from 0 instead (QEMU's guest reset: the backend resets the
  device), the new ring holds only the new session's chains, and the old
  chain's response buffer, which the guest filled with a pattern after
  the stop (reused), is byte for byte unchanged: the request the reset
  cancels writes nothing in guest memory (virtio 2.4.1).
- RESET_DEVICE while one is in flight: nothing is put in a ring for it,
  then or later, and its response buffer (a pattern in it) is unchanged;
  a new session starts clean (context 1 is created again, a fenced
  SUBMIT_3D answered).
The backend exits 0 at the end (under ASan: nothing leaked).
Skips (77) where the backend offers no virgl.
"""

import importlib.util
import os
import select
import struct
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from fake_frontend import (  # noqa: E402
    MEM, QSIZE, Frontend, Ring, check, failures, resp_type, set_memory, setup_rings, start_rings)
from vhost_user_numbers import (  # noqa: E402
    CMD_CTX_CREATE, CMD_SUBMIT_3D, FLAG_FENCE, GET_VRING_BASE,
    RESET_DEVICE, RESP_OK_NODATA, SET_FEATURES, SET_VRING_BASE, SET_VRING_KICK)


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


virgl = load("test_virgl", os.path.join(HERE, "test-virgl.py"))
header = virgl.header

HOLD_MS = 4000  # well past GET_VRING_BASE's drain (2 s)
REQ_AT, RESP_AT = 0x3F0000, 0x3F8000
# The response buffer of a new session's chains: the old one's stays the
# guest's to reuse, and is checked.
NEW_RESP_AT = 0x3FC000
# What a guest writes in a buffer of before its reset, reused as its own.
REUSED = bytes(range(0xA0, 0xB8))


def memfd_mappings(pid):
    """Bytes of the guest's memfd (fake_frontend names it "guest") the
    backend maps (adjacent mappings may show as one line)."""
    total = 0
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            if "/memfd:guest" in line:
                start, end = line.split()[0].split("-")
                total += int(end, 16) - int(start, 16)
    return total


def serve_until(fe, cond, timeout):
    """Serves the display socket and eats interrupts until cond() or timeout;
    returns cond()."""
    end = time.monotonic() + timeout
    while not cond() and time.monotonic() < end:
        r, _, _ = select.select([fe.display, fe.call[0], fe.call[1]], [], [], 0.05)
        for f in r:
            if f is fe.display:
                fe.pump_display()
            else:
                os.eventfd_read(f)
    return cond()


def context(fe):
    name = b"inflight"
    r = fe.request(0, header(CMD_CTX_CREATE, ctx=1) + struct.pack("<II", len(name), 0)
                   + name.ljust(64, b"\0"))
    check(resp_type(r) == RESP_OK_NODATA, "CTX_CREATE 1 (got 0x%x)" % (resp_type(r) or 0))


def submit_held(fe, fence, resp_at=RESP_AT):
    """A fenced SUBMIT_3D (an empty command buffer) taken by the backend,
    held in flight, its response buffer at resp_at; returns the used index
    before it."""
    req = header(CMD_SUBMIT_3D, FLAG_FENCE, fence, 1) + struct.pack("<II", 0, 0)
    ring = fe.rings[0]
    before = ring.used_idx()
    fe.mem[REQ_AT:REQ_AT + len(req)] = req
    fe.mem[resp_at:resp_at + 24] = bytes(24)
    ring.offer([(REQ_AT, len(req), False), (resp_at, 24, True)])
    os.eventfd_write(fe.kick[0], 1)
    # EVENT_IDX: avail_event is written when the backend finds the ring empty.
    avail_event = ring.used + 4 + 8 * QSIZE
    check(serve_until(fe, lambda: struct.unpack_from("<H", fe.mem, avail_event)[0]
                      == ring.avail_idx, 2), "SUBMIT_3D %d taken from the ring" % fence)
    return before


def answered(fe, before, fence, what, resp_at=RESP_AT):
    """The request in flight was answered: one used entry, OK_NODATA with its fence."""
    ring = fe.rings[0]
    check(ring.used_idx() == (before + 1) & 0xFFFF, "%s: in the used ring" % what)
    ring.used_seen = ring.used_idx()
    t, flags, f = struct.unpack_from("<IIQ", fe.mem, resp_at)
    check(t == RESP_OK_NODATA and flags & FLAG_FENCE and f == fence,
          "%s: OK_NODATA with fence %d (type 0x%x, flags %d, fence %d)" % (what, fence, t, flags, f))


def mem_table_in_flight(fe):
    pid = fe.proc.pid
    mapped = memfd_mappings(pid)
    check(mapped >= MEM, "the backend maps the guest's memfd (%d bytes)" % mapped)
    before = submit_held(fe, 200)
    check(set_memory(fe) == 0, "SET_MEM_TABLE (the same memory again) while a request is in flight")
    ring = fe.rings[0]
    in_flight = ring.used_idx() == before
    check(in_flight, "the request still in flight after the ack")
    check(memfd_mappings(pid) == 2 * mapped, "old table kept beside the new one: %d bytes mapped, "
          "want %d" % (memfd_mappings(pid), 2 * mapped))
    serve_until(fe, lambda: ring.used_idx() != before, 30)
    answered(fe, before, 200, "the request in flight across SET_MEM_TABLE")
    check(serve_until(fe, lambda: memfd_mappings(pid) == mapped, 2),
          "old table unmapped once nothing in flight needs it (%d bytes mapped, want %d)"
          % (memfd_mappings(pid), mapped))


def stop(fe, fence):
    """A request held in flight past GET_VRING_BASE's drain and past the
    hold: while the ring is stopped nothing is written, neither the ring
    nor the chain's buffer. Returns the used index before it."""
    ring = fe.rings[0]
    before = submit_held(fe, fence)
    fe.send(GET_VRING_BASE, struct.pack("<II", 0, 0))
    _r, _fl, p = fe.recv()
    check(struct.unpack_from("<II", p) == (0, ring.avail_idx), "GET_VRING_BASE: ring 0 stopped at %d"
          % ring.avail_idx)
    check(ring.used_idx() == before, "the request still in flight after the drain")
    # The hold ends 2 s after the reply; the renderer finished long before.
    serve_until(fe, lambda: ring.used_idx() != before, HOLD_MS / 1000)
    check(ring.used_idx() == before, "nothing put in the stopped ring (used %d, was %d)"
          % (ring.used_idx(), before))
    check(fe.mem[RESP_AT:RESP_AT + 24] == bytes(24), "nothing written to the chain's buffer "
          "while the ring is stopped")
    return before


def stop_then_resume(fe):
    ring = fe.rings[0]
    before = stop(fe, 300)
    fe.send(SET_VRING_BASE, struct.pack("<II", 0, ring.avail_idx))
    fe.send(SET_VRING_KICK, struct.pack("<Q", 0), [fe.kick[0]])
    serve_until(fe, lambda: ring.used_idx() != before, 5)
    answered(fe, before, 300, "the answer, once the ring started again where it stopped")


def new_session(fe, fence):
    """As a driver that starts again after a reset: new rings from 0,
    context 1 created again (the reset freed it), a fenced SUBMIT_3D (its
    response elsewhere)."""
    fe.mem[0:0x20000] = bytes(0x20000)
    fe.rings = [Ring(fe.mem, 0x1000), Ring(fe.mem, 0x10000)]
    check(fe.acked(SET_FEATURES, struct.pack("<Q", virgl.VIRGL_FEATURES)) == 0, "SET_FEATURES again")
    start_rings(fe)
    context(fe)
    before = submit_held(fe, fence, NEW_RESP_AT)
    serve_until(fe, lambda: fe.rings[0].used_idx() != before, HOLD_MS / 1000 + 5)
    answered(fe, before, fence, "a fenced SUBMIT_3D of the new session", NEW_RESP_AT)


def reused(fe):
    """A pattern in the response buffer of the chain in flight, as a guest
    that reset writes there when it uses the buffer again: nothing the
    backend does from then on may change it."""
    fe.mem[RESP_AT:RESP_AT + len(REUSED)] = REUSED


def untouched(fe, what):
    """Not a byte of the reused buffer was written (virtio 2.4.1: after a
    reset the device does not touch the queues' buffers)."""
    got = bytes(fe.mem[RESP_AT:RESP_AT + len(REUSED)])
    check(got == REUSED, "%s: the old chain's response buffer is unchanged (%s, want %s)"
          % (what, got.hex(), REUSED.hex()))


def stop_then_reset(fe):
    """QEMU's guest reset: the rings stopped, the guest reset (it uses the
    buffer of its chain in flight again), then the rings started again
    from 0 (the backend learns of the reset only then, and cancels the
    request)."""
    stop(fe, 350)
    reused(fe)
    new_session(fe, 360)
    untouched(fe, "a reset learnt at SET_VRING_BASE(0)")
    ring = fe.rings[0]
    heads = [struct.unpack_from("<I", fe.mem, ring.used + 4 + 8 * i)[0]
             for i in range(ring.used_idx())]
    check(heads == [0, 2], "the chain of before the reset was not put in the new ring "
          "(used heads %s, want [0, 2]: CTX_CREATE, SUBMIT_3D)" % heads)


def reset_in_flight(fe):
    ring = fe.rings[0]
    before = submit_held(fe, 400)
    reused(fe)
    check(fe.acked(RESET_DEVICE) == 0, "RESET_DEVICE while a request is in flight")
    untouched(fe, "RESET_DEVICE")
    check(ring.used_idx() == before, "nothing put in the ring at the reset")
    # Past the hold: nothing comes later either.
    serve_until(fe, lambda: ring.used_idx() != before, HOLD_MS / 1000 + 1)
    check(ring.used_idx() == before, "nor after it (used %d, was %d)" % (ring.used_idx(), before))
    new_session(fe, 500)
    untouched(fe, "RESET_DEVICE, then a new session")


def main():
    backend = sys.argv[1]
    if not virgl.offers_virgl(backend):
        print("SKIP: %s lists no \"virgl\" (no virglrenderer or no surfaceless EGL here)" % backend)
        return 77
    with tempfile.TemporaryDirectory(prefix="vgm-inflight-") as tmp:
        fe = Frontend(backend, ["--virgl", "--log-level=info"], log=os.path.join(tmp, "log"),
                      env={"VGM_TEST_INFLIGHT_HOLD_MS": str(HOLD_MS)})
        try:
            virgl.handshake(fe)
            check(set_memory(fe) == 0, "SET_MEM_TABLE")
            setup_rings(fe)
            context(fe)
            mem_table_in_flight(fe)
            stop_then_resume(fe)
            stop_then_reset(fe)
            reset_in_flight(fe)
        except (EOFError, OSError, struct.error) as e:
            check(False, "session: %r" % e)
        rc = fe.end(timeout=60)
        check(rc == 0, "exits 0 when the front-end goes away (got %s)" % rc)
        log = fe.log_text()
        check("renderer: 6 requests answered later" in log, "the summary counts the 6 answered later")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
