#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--record with --virgl against the fake front-end, sandbox on.

usage: test-virgl-record.py BACKEND VGM_REPLAY

A 3D session is recorded and replayed:
- GET_CAPSET_INFO (written hostdep), CTX_CREATE, a fenced empty SUBMIT_3D;
- a 64x64 render target (RESOURCE_CREATE_3D) with a backing in guest
  memory filled with 0xa5, TRANSFER_TO_HOST_3D of it, then a fenced
  SUBMIT_3D that clears it and a fenced TRANSFER_FROM_HOST_3D: both
  answered later, from the loop;
- SET_SCANOUT and RESOURCE_FLUSH show the texture: QEMU's display gets its
  pixels.
The back-end, sandboxed all along, exits 0 and writes the recording:
renderer=virgl on its device line, SUBMIT_3D's commands in its request,
each response of a request in flight as an "# expect:" line, and not the
pixels TRANSFER_FROM_HOST_3D wrote into guest memory. vgm-replay
replays it with every recorded response (the capset's header and size)
and shows on scanout 0 the pixels QEMU's display got.
Skips (77) when --print-capabilities lists no "virgl".
"""

import importlib
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_frontend import (  # noqa: E402
    Frontend, check, failures, resp_type, set_memory, setup_rings)
from vhost_user_numbers import (  # noqa: E402
    CMD_ATTACH, CMD_CREATE_3D, CMD_CTX_ATTACH, CMD_FLUSH, CMD_SET_SCANOUT, CMD_SUBMIT_3D, D_UPDATE,
    FLAG_FENCE, RESP_OK_NODATA)

# The session's first steps are test-virgl.py's own.
virgl = importlib.import_module("test-virgl")

CMD_TRANSFER_TO_HOST_3D, CMD_TRANSFER_FROM_HOST_3D = 0x205, 0x206
SIZE = 64
BACKING = 0x300000  # the render target's backing, SIZE * SIZE * 4 bytes
ENTRIES = 0x200000


def nodata(fe, cmd, what, extra_out=()):
    r = fe.request(0, cmd, extra_out=extra_out)
    check(resp_type(r) == RESP_OK_NODATA, "%s (got 0x%x)" % (what, resp_type(r) or 0))
    return r


def transfer_3d(cmd, fence=0):
    """A transfer of the whole of texture 7 at offset 0 of its backing."""
    box = struct.pack("<6I", 0, 0, 0, SIZE, SIZE, 1)
    return (virgl.header(cmd, FLAG_FENCE if fence else 0, fence, 1) + box
            + struct.pack("<QIIII", 0, 7, 0, 0, 0))


def texture(fe):
    """Texture 7 (B8G8R8A8 render target), backed by 0xa5 bytes, in
    context 1, which clears it; its pixels read back into the backing."""
    nodata(fe, virgl.header(CMD_CREATE_3D) + struct.pack("<12I", 7, 2, 1, 1 << 1, SIZE, SIZE,
                                                          1, 1, 0, 0, 0, 0), "RESOURCE_CREATE_3D 7")
    size = SIZE * SIZE * 4
    fe.mem[BACKING:BACKING + size] = b"\xa5" * size
    fe.mem[ENTRIES:ENTRIES + 16] = struct.pack("<QII", BACKING, size, 0)
    nodata(fe, virgl.header(CMD_ATTACH) + struct.pack("<II", 7, 1), "ATTACH_BACKING 7",
           extra_out=[(ENTRIES, 16, False)])
    nodata(fe, virgl.header(CMD_CTX_ATTACH, ctx=1) + struct.pack("<II", 7, 0), "CTX_ATTACH_RESOURCE 7")
    nodata(fe, transfer_3d(CMD_TRANSFER_TO_HOST_3D), "TRANSFER_TO_HOST_3D 7 (the 0xa5 bytes)")
    cmds = virgl.clear_cmds(7, 0.75)
    r = nodata(fe, virgl.header(CMD_SUBMIT_3D, FLAG_FENCE, 6, 1) + struct.pack("<II", len(cmds), 0)
               + cmds, "fenced SUBMIT_3D of a clear")
    check(struct.unpack_from("<Q", r, 8)[0] == 6, "its response carries fence 6")
    nodata(fe, transfer_3d(CMD_TRANSFER_FROM_HOST_3D, 7), "fenced TRANSFER_FROM_HOST_3D 7")


def show(fe):
    """SET_SCANOUT and a flush of texture 7: the frame QEMU's display got,
    as R G B bytes."""
    fe.events.clear()
    nodata(fe, virgl.header(CMD_SET_SCANOUT) + struct.pack("<6I", 0, 0, SIZE, SIZE, 0, 7),
           "SET_SCANOUT 0 to texture 7")
    nodata(fe, virgl.header(CMD_FLUSH) + struct.pack("<6I", 0, 0, SIZE, SIZE, 7, 0), "RESOURCE_FLUSH 7")
    whole = struct.pack("=IIIII", 0, 0, 0, SIZE, SIZE)
    fe.wait(lambda: any(e[0] == D_UPDATE and e[1][:20] == whole for e in fe.events),
            "the whole frame on the display")
    px = [e[1][20:] for e in fe.events if e[0] == D_UPDATE and e[1][:20] == whole][-1]
    check(len(px) == SIZE * SIZE * 4 and px[:4] != b"\xa5" * 4 and px == px[:4] * SIZE * SIZE,
          "the display got one colour, the clear's, not the 0xa5 bytes (%s)" % px[:4].hex())
    return b"".join(px[i + 2:i + 3] + px[i + 1:i + 2] + px[i:i + 1] for i in range(0, len(px), 4))


def check_recording(replay, trace, rgb):
    with open(trace) as f:
        text = f.read()
    lines = text.splitlines()
    device = [l for l in lines if l.startswith("device ")]
    check(len(device) == 1 and " renderer=virgl" in device[0], "the device line says renderer=virgl")
    check(any(l.startswith("ctrl resp=40 hostdep ") for l in lines), "GET_CAPSET_INFO is hostdep")
    check(any(l.startswith("ctrl ") and l.endswith("# SUBMIT_3D") and len(l) > 200 for l in lines),
          "SUBMIT_3D's commands are in its request line")
    at = [i for i, l in enumerate(lines) if l.endswith("# TRANSFER_FROM_HOST_3D")]
    rewritten = [l for l in lines[at[-1]:] if at and re.match(r"(write|fill) 0x30[0-3]", l)]
    check(at and not rewritten and any(l == "fill 0x300000 4096 0xa5" for l in lines),
          "the backing's 0xa5 bytes are in the trace, and what TRANSFER_FROM_HOST_3D wrote "
          "over them is not (the replay writes it): %s" % rewritten[:1])
    check(text.count("in flight (answered here):") == 3,
          "the three fenced requests answered later have their responses where they came")
    expect = [l.split("# expect:", 1)[1].strip() for l in lines if l.startswith("# expect:")]
    with tempfile.TemporaryDirectory() as work:
        p = subprocess.run([replay, trace], cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    check(p.returncode == 0, "vgm-replay runs the recording (%s)" % p.stderr.strip()[-300:])
    out = p.stdout.splitlines()
    missing = [e for e in expect if e not in out]
    check(len(expect) >= 12 and not missing,
          "the replay gives the %d recorded responses and dumps (missing: %s)" % (len(expect), missing[:1]))
    check(sum(l.startswith("ctrl") for l in out) == sum(l.startswith("ctrl") for l in lines),
          "one response per recorded control request")
    want = "dump 0 %dx%d crc=%08x scanout-0.ppm" % (SIZE, SIZE, zlib.crc32(rgb))
    check(want in out, "the replay shows the frame the display got: " + want)


def main():
    backend, replay = sys.argv[1], os.path.abspath(sys.argv[2])
    if not virgl.offers_virgl(backend):
        print("SKIP: %s lists no \"virgl\" (no virglrenderer or no surfaceless EGL here)" % backend)
        return 77
    with tempfile.TemporaryDirectory(prefix="vgm-virgl-record-") as tmp:
        trace = os.path.join(tmp, "virgl.trace")
        fe = Frontend(backend, ["--virgl", "--log-level=info", "--record", trace],
                      log=os.path.join(tmp, "log"))
        rgb = b""
        try:
            virgl.handshake(fe)
            check(set_memory(fe) == 0, "SET_MEM_TABLE")
            setup_rings(fe)
            check(virgl.seccomp(fe.proc.pid) == "2", "the sandbox is on (Seccomp: 2)")
            virgl.capset_info(fe)
            virgl.fenced_submit(fe)
            texture(fe)
            rgb = show(fe)
        except (EOFError, OSError, struct.error) as e:
            check(False, "session: %r" % e)
        rc = fe.end(timeout=20)
        check(rc == 0, "exits 0 when the front-end goes away, not killed (got %s)" % rc)
        log = fe.log_text()
        check("renderer: 3 requests answered later" in log, "three requests were answered later")
        check("--record: 11 requests recorded" in log, "the recorder wrote the 11 requests")
        check_recording(replay, trace, rgb)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
