#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--virgl against the fake front-end (fake_frontend.py), sandbox on.

usage: test-virgl.py BACKEND

- VIRTIO_GPU_F_VIRGL is offered; the config space says the renderer's
  capsets (VIRGL and VIRGL2).
- GET_CAPSET_INFO is answered: capset 0 is VIRGL (id 1) with a size.
- CTX_CREATE, then a fenced SUBMIT_3D with an empty command buffer: it
  completes later (the renderer's fence), through the poll fd in the
  loop, and its response carries the fence; the summary counts it.
- GET_VRING_BASE while 24 fenced SUBMIT_3D (each a clear of a 2048x2048
  render target, milliseconds each on llvmpipe) are in flight: the reply
  comes once they are answered, their used entries already in the ring
  (vhost-user: the back-end drains in-flight requests at stop).
- The process has its seccomp filter all along and exits 0 when the
  front-end goes away (a call of virglrenderer's threads outside the
  allowlist would have killed it with SIGSYS).
Skips (77) when --print-capabilities lists no "virgl": the library was
built without virglrenderer, or EGL cannot run surfaceless here.
"""

import json
import os
import struct
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_frontend import (  # noqa: E402
    FEATURES, QSIZE, Frontend, check, failures, resp_type, set_memory, setup_rings)
from vhost_user_numbers import (  # noqa: E402
    CMD_CREATE_3D, CMD_CTX_ATTACH, CMD_CTX_CREATE, CMD_GET_CAPSET_INFO, CMD_SUBMIT_3D, F_VIRGL,
    FLAG_FENCE, GET_CONFIG, GET_FEATURES, GET_PROTOCOL_FEATURES, GET_VRING_BASE,
    RESP_OK_CAPSET_INFO, RESP_OK_NODATA, SET_FEATURES, SET_OWNER, SET_PROTOCOL_FEATURES)

VIRGL_FEATURES = FEATURES | 1 << F_VIRGL


def offers_virgl(backend):
    p = subprocess.run([backend, "--print-capabilities"], capture_output=True, text=True)
    return p.returncode == 0 and "virgl" in json.loads(p.stdout).get("features", [])


def header(cmd, flags=0, fence=0, ctx=0):
    return struct.pack("<IIQIB3x", cmd, flags, fence, ctx, 0)


def seccomp(pid):
    with open("/proc/%d/status" % pid) as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line).get("Seccomp")


def handshake(fe):
    f = fe.call_u64(GET_FEATURES)
    check(f & VIRGL_FEATURES == VIRGL_FEATURES, "GET_FEATURES offers VIRGL (0x%x)" % f)
    pf = fe.call_u64(GET_PROTOCOL_FEATURES)
    fe.send(SET_PROTOCOL_FEATURES, struct.pack("<Q", pf))
    fe.send(SET_OWNER)
    fe.send(GET_CONFIG, struct.pack("<III", 0, 16, 0) + bytes(16))
    _r, _fl, p = fe.recv()
    num_capsets = struct.unpack_from("<I", p, 12 + 12)[0] if len(p) == 28 else None
    check(num_capsets == 2, "GET_CONFIG: num_capsets 2, VIRGL and VIRGL2 (got %s)" % num_capsets)
    check(fe.acked(SET_FEATURES, struct.pack("<Q", VIRGL_FEATURES)) == 0, "SET_FEATURES with VIRGL")


def capset_info(fe):
    r = fe.request(0, header(CMD_GET_CAPSET_INFO) + struct.pack("<II", 0, 0), resp_len=40)
    ok = resp_type(r) == RESP_OK_CAPSET_INFO and len(r) == 40
    cid, _ver, size = struct.unpack_from("<III", r, 24) if ok else (None, None, None)
    check(ok and cid == 1 and size > 0,
          "GET_CAPSET_INFO 0: VIRGL with a size (type 0x%x, id %s, size %s)"
          % (resp_type(r) or 0, cid, size))


def fenced_submit(fe):
    name = b"virgl-test"
    r = fe.request(0, header(CMD_CTX_CREATE, ctx=1) + struct.pack("<II", len(name), 0)
                   + name.ljust(64, b"\0"))
    check(resp_type(r) == RESP_OK_NODATA, "CTX_CREATE 1 (got 0x%x)" % (resp_type(r) or 0))
    r = fe.request(0, header(CMD_SUBMIT_3D, FLAG_FENCE, 5, 1) + struct.pack("<II", 0, 0))
    check(resp_type(r) == RESP_OK_NODATA, "fenced SUBMIT_3D answered (got 0x%x)" % (resp_type(r) or 0))
    flags, fence = struct.unpack_from("<IQ", r, 4) if len(r) >= 16 else (0, 0)
    check(flags & FLAG_FENCE and fence == 5, "its response carries fence 5 (flags %d, fence %d)"
          % (flags, fence))


def clear_cmds(res_id, shade):
    """Virgl commands: a surface of res_id as the framebuffer, cleared."""
    def cmd(code, obj, length):
        return struct.pack("<I", length << 16 | obj << 8 | code)
    out = cmd(1, 8, 5) + struct.pack("<5I", 30, res_id, 1, 0, 0)   # CREATE_OBJECT surface
    out += cmd(5, 0, 3) + struct.pack("<3I", 1, 0, 30)              # SET_FRAMEBUFFER_STATE
    out += cmd(7, 0, 8) + struct.pack("<I4fIII", 1 << 2, shade, 0.5, 0.25, 1.0, 0, 0, 0)  # CLEAR
    return out


def drain_at_stop(fe, n=24):
    """n fenced SUBMIT_3D, each a clear of a 2048x2048 render target (each
    fence waits for llvmpipe to write its 16 MiB), in flight when the ring
    stops: all answered before GET_VRING_BASE's reply."""
    w = h = 2048
    r = fe.request(0, header(CMD_CREATE_3D) + struct.pack("<12I", 9, 2, 1, 1 << 1, w, h, 1, 1, 0, 0, 0, 0))
    check(resp_type(r) == RESP_OK_NODATA, "RESOURCE_CREATE_3D 9, 2048x2048 render target")
    r = fe.request(0, header(CMD_CTX_ATTACH, ctx=1) + struct.pack("<II", 9, 0))
    check(resp_type(r) == RESP_OK_NODATA, "CTX_ATTACH_RESOURCE 9")
    ring = fe.rings[0]
    used_before = ring.used_idx()
    for i in range(n):
        cmds = clear_cmds(9, i / n)
        req = header(CMD_SUBMIT_3D, FLAG_FENCE, 100 + i, 1) + struct.pack("<II", len(cmds), 0) + cmds
        req_at, resp_at = 0x100000 + 0x100 * i, 0x108000 + 0x20 * i
        fe.mem[req_at:req_at + len(req)] = req
        ring.offer([(req_at, len(req), False), (resp_at, 24, True)])
    os.eventfd_write(fe.kick[0], 1)
    # EVENT_IDX: the back-end writes avail_event when it finds the ring
    # empty again, so every chain has been taken (and submitted) by then.
    avail_event = ring.used + 4 + 8 * QSIZE
    fe.wait(lambda: struct.unpack_from("<H", fe.mem, avail_event)[0] == ring.avail_idx,
            "the SUBMIT_3Ds taken from the ring")
    fe.send(GET_VRING_BASE, struct.pack("<II", 0, 0))
    _r, _fl, p = fe.recv()
    check(struct.unpack_from("<II", p) == (0, ring.avail_idx), "GET_VRING_BASE answered: ring 0 at %d"
          % ring.avail_idx)
    check(ring.used_idx() == (used_before + n) & 0xFFFF,
          "the %d SUBMIT_3D in flight were answered before the reply (used %d, was %d)"
          % (n, ring.used_idx(), used_before))
    fences = [struct.unpack_from("<IQ", fe.mem, 0x108000 + 0x20 * i + 4) for i in range(n)]
    check(all(f[0] & FLAG_FENCE and f[1] == 100 + i for i, f in enumerate(fences)),
          "each with its fence")


def main():
    backend = sys.argv[1]
    if not offers_virgl(backend):
        print("SKIP: %s lists no \"virgl\" (no virglrenderer or no surfaceless EGL here)" % backend)
        return 77
    with tempfile.TemporaryDirectory(prefix="vgm-virgl-") as tmp:
        fe = Frontend(backend, ["--virgl", "--log-level=info"], log=os.path.join(tmp, "log"))
        try:
            handshake(fe)
            check(set_memory(fe) == 0, "SET_MEM_TABLE")
            setup_rings(fe)
            check(seccomp(fe.proc.pid) == "2", "the sandbox is on (Seccomp: 2)")
            capset_info(fe)
            fenced_submit(fe)
            drain_at_stop(fe)
        except (EOFError, OSError, struct.error) as e:
            check(False, "session: %r" % e)
        rc = fe.end(timeout=20)
        check(rc == 0, "exits 0 when the front-end goes away, not killed (got %s)" % rc)
        log = fe.log_text()
        check("renderer: 25 requests answered later" in log,
              "the fenced SUBMIT_3D was answered later, through the loop's poll")
        check("SUBMIT_3D (0x0207): 25" in log and "CTX_CREATE (0x0200): 1" in log,
              "the summary counts the 3D commands")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
