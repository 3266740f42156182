#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The GL guest (run-guest.py --mode gl): host side. Python 3 standard library.

What it adds to a run (tests/guest/gl/README.md has the whole story):
  * the initramfs: the base one (guestlib.py) followed by two more cpio
    archives, which Linux unpacks over it: the 9p modules (made by
    prepare-gl.sh) and the GL program with /etc/vgm-gl.sh (made per run);
  * QEMU: the guest's Mesa shared read-only over virtio-9p (mount tag
    vgmgl), a GL display, a VNC server on a unix socket, and
    virtio-gpu-gl-pci (or vhost-user-gpu-pci with a backend);
  * the serial console's VGM-GL-* lines: the program's per-frame results,
    the read-back of its last frame, timings, the CPU time QEMU and the
    backend used between the first and the last frame;
  * the screen: QEMU 10's QMP screendump answers "no surface" while a GL
    scanout is shown (qemu_console_surface() is NULL for a texture
    scanout), so the screen is read through VNC, whose copy of the console
    egl-headless fills by reading the scanout texture back on every flush.

CLI:
  gllib.py modules-cpio --kernel-root DIR --out FILE
        the 9p modules the base initramfs lacks, in insmod order (prepare-gl.sh)
  gllib.py vnc-grab SOCKET OUT.png
        one frame from a QEMU VNC server on a unix socket
  gllib.py decode-dump SERIAL.LOG OUT.png
        the read-back frame the guest wrote on its console
  gllib.py selftest
        host-only: the dump decoder and the RFB client against a fake server
"""

import argparse
import io
import os
import re
import socket
import struct
import sys
import tempfile
import threading
import time
import zlib

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guestlib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
GL_INIT = os.path.join(HERE, "gl", "init-gl.sh")
# The modules the GL guest adds to the base ones: virtio-9p and its file system.
GL_MODULE_ROOTS = ["9pnet_virtio", "9p"]
MOUNT_TAG = "vgmgl"
DISPLAYS = ("egl-headless", "none")
GRAB_TRIES = 4


# ---------------------------------------------------------------------------
# initramfs parts
# ---------------------------------------------------------------------------
def build_modules_cpio(kernel_root, out, log=print):
    """An uncompressed cpio with the modules of GL_MODULE_ROOTS that the base
    initramfs does not load, and etc/vgm-gl-modules.order."""
    _kver, moddir = guestlib.find_modules_dir(kernel_root)
    idx = guestlib.ModuleIndex(moddir)
    base = set(idx.load_order(guestlib.ROOT_MODULES))
    order = [m for m in idx.load_order(GL_MODULE_ROOTS) if m not in base]
    raw = io.BytesIO()
    cw = guestlib.CpioWriter(raw)
    names = []
    for n in order:
        fn = guestlib.module_basename(idx.paths[n]) + ".ko"
        cw.file("lib/modules/" + fn, guestlib.read_module_bytes(idx.paths[n]))
        names.append(fn)
    cw.file("etc/vgm-gl-modules.order", ("\n".join(names) + "\n").encode())
    cw.close()
    with open(out + ".tmp", "wb") as f:
        f.write(raw.getvalue())
    os.replace(out + ".tmp", out)
    log("GL modules cpio %s: %s" % (out, " ".join(order)))
    return order


def program_cpio(program):
    """The GL program as /bin/vgm-gl-guest and /etc/vgm-gl.sh."""
    raw = io.BytesIO()
    cw = guestlib.CpioWriter(raw)
    with open(program, "rb") as f:
        cw.file("bin/vgm-gl-guest", f.read(), 0o755)
    cw.file("etc/vgm-gl.sh", guestlib.render_init(GL_INIT).encode())
    cw.close()
    return raw.getvalue()


def build_initrd(base, modules_cpio, program, out):
    """base + modules + program: Linux unpacks concatenated archives (each
    starting on a 4-byte boundary) one over the other."""
    with open(out, "wb") as f:
        for part in (base, modules_cpio):
            with open(part, "rb") as p:
                data = p.read()
            f.write(data + b"\0" * (-len(data) % 4))
        f.write(program_cpio(program))
    return out


# ---------------------------------------------------------------------------
# The program's console lines
# ---------------------------------------------------------------------------
def parse_fields(text):
    """'a=1 b="x y" c=z' -> {'a': '1', 'b': 'x y', 'c': 'z'}"""
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in re.finditer(r'(\w+)=(?:"([^"]*)"|(\S*))', text)}


def decode_dump(lines):
    """The frame between VGM-GL-DUMP-BEGIN and -END (see gl/dump.h) as a
    guestlib.Image; ValueError when it is not whole."""
    begin = end = None
    runs = []
    for line in lines:
        if "VGM-GL-DUMP-BEGIN" in line:
            begin, runs = parse_fields(line.split("VGM-GL-DUMP-BEGIN", 1)[1]), []
        elif "VGM-GL-DUMP-END" in line:
            end = parse_fields(line.split("VGM-GL-DUMP-END", 1)[1])
        elif "VGM-GL-DUMP " in line and begin is not None and end is None:
            runs.extend(line.split("VGM-GL-DUMP ", 1)[1].split())
    if begin is None or end is None:
        raise ValueError("no whole VGM-GL-DUMP on the console")
    w, h = int(begin["w"]), int(begin["h"])
    rgb = bytearray()
    for tok in runs:
        n, colour = tok.split("x")
        rgb += bytes.fromhex(colour) * int(n)
    if len(runs) != int(end["runs"]) or len(rgb) != w * h * 3:
        raise ValueError("dump has %d runs / %d pixels, its end line says %s runs / %dx%d"
                         % (len(runs), len(rgb) // 3, end["runs"], w, h))
    crc = "%08x" % (zlib.crc32(bytes(rgb)) & 0xFFFFFFFF)
    if crc != end["crc32"]:
        raise ValueError("dump crc32 %s, its end line says %s (console garbled?)" % (crc, end["crc32"]))
    return guestlib.Image(w, h, bytes(rgb))


def proc_cpu(pid):
    """CPU seconds of a process: (vCPU threads, other threads). TCG names its
    vCPU threads "CPU n/TCG"; the other threads of QEMU (main loop, where
    virtio-gpu-gl and virglrenderer run, I/O, RCU) are the device side."""
    tick = os.sysconf("SC_CLK_TCK")
    vcpu = other = 0.0
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return None
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        cpu = (int(fields[11]) + int(fields[12])) / tick   # utime + stime
        if re.match(r"CPU \d+/", comm):
            vcpu += cpu
        else:
            other += cpu
    return vcpu, other


class Watch:
    """Follows the program's console lines during a run."""

    def __init__(self, frames, pids):
        self.frames_wanted = frames
        self.pids = pids            # name -> pid, sampled for CPU time
        self.lines = []
        self.info = None
        self.frames = []
        self.done = None
        self.t_first = None
        self.cpu = {}               # marker -> {name: (vcpu, other)}

    def sample(self, marker):
        self.cpu[marker] = {n: proc_cpu(p) for n, p in self.pids.items()}

    def feed(self, line, now):
        if "VGM-GL-" not in line:
            return
        self.lines.append(line)
        body = line.split("VGM-GL-", 1)[1]
        if body.startswith("INFO "):
            self.info = parse_fields(body[5:])
        elif body.startswith("FRAME "):
            fr = parse_fields(body[6:])
            self.frames.append(fr)
            if self.t_first is None:
                self.t_first = now
                self.sample("first_frame")
        elif body.startswith("DONE "):
            self.done = parse_fields(body[5:])
            self.sample("done")


def cpu_between(watch, a, b):
    """{name: {vcpu_s, device_s}} used between two samples."""
    out = {}
    for name in watch.pids:
        x, y = watch.cpu.get(a, {}).get(name), watch.cpu.get(b, {}).get(name)
        if x and y:
            out[name] = {"vcpu_s": round(y[0] - x[0], 3), "other_s": round(y[1] - x[1], 3)}
    return out


def check_frames(watch):
    """(ok, message) on the per-frame result lines."""
    if watch.info is None:
        return False, "the GL program printed no VGM-GL-INFO line"
    renderer = watch.info.get("renderer", "")
    if not renderer.startswith("virgl"):
        return False, "GL_RENDERER is %r, not virgl: Mesa did not pick virtio_gpu_dri" % renderer
    if len(watch.frames) != watch.frames_wanted or watch.done is None:
        return False, "%d of %d frames reported%s" % (len(watch.frames), watch.frames_wanted,
                                                       "" if watch.done else ", no VGM-GL-DONE")
    bad = [f for f in watch.frames if f.get("ok") != "1" or f.get("bad") != "0"]
    for i, f in enumerate(watch.frames):
        if f.get("n") != str(i) or int(f.get("checked", 0)) == 0:
            return False, "frame line %d is %s" % (i, f)
    if bad:
        f = bad[0]
        return False, ("%d of %d frames wrong; frame %s: %s bad pixels, first at %s: got %s want %s"
                       % (len(bad), len(watch.frames), f["n"], f["bad"], f.get("first_bad"),
                          f.get("got"), f.get("want")))
    return True, "%d frames, each %s pixels checked exactly (%s near triangle edges skipped); %s" % (
        len(watch.frames), watch.frames[0]["checked"], watch.frames[0]["skipped"], renderer)


def frame_stats(watch):
    """Per-frame times from the program (ms), medians and totals."""
    keys = ("draw_ms", "fence_ms", "read_ms", "check_ms", "show_ms")
    out = {}
    for k in keys:
        v = sorted(float(f[k]) for f in watch.frames if k in f)
        if v:
            out[k] = {"median": v[len(v) // 2], "max": v[-1]}
    if watch.done:
        out["total_ms"] = float(watch.done.get("total_ms", 0))
    return out


# ---------------------------------------------------------------------------
# VNC (RFB 3.8, no authentication, raw encoding): one frame
# ---------------------------------------------------------------------------
ENC_RAW = 0
ENC_DESKTOP_SIZE = -223


def _recv(s, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("VNC server closed the connection")
        buf += chunk
    return bytes(buf)


def _rfb_handshake(s):
    if not _recv(s, 12).startswith(b"RFB 003."):
        raise ValueError("not an RFB server")
    s.sendall(b"RFB 003.008\n")
    n = _recv(s, 1)[0]
    if n == 0:
        raise ValueError("VNC server refused: %r" % _recv(s, struct.unpack(">I", _recv(s, 4))[0]))
    if 1 not in _recv(s, n):
        raise ValueError("VNC server wants authentication")
    s.sendall(b"\x01")
    if struct.unpack(">I", _recv(s, 4))[0] != 0:
        raise ValueError("VNC security handshake failed")
    s.sendall(b"\x01")                                   # ClientInit: shared
    w, h = struct.unpack(">HH", _recv(s, 4))
    _recv(s, 16)
    _recv(s, struct.unpack(">I", _recv(s, 4))[0])        # desktop name
    # 32 bpp, depth 24, little endian, true colour, 8 bits each: B G R X
    s.sendall(struct.pack(">B3xBBBBHHHBBB3x", 0, 32, 24, 0, 1, 255, 255, 255, 16, 8, 0))
    s.sendall(struct.pack(">BxHii", 2, 2, ENC_RAW, ENC_DESKTOP_SIZE))
    return w, h


def _rfb_update(s, fb, w, h):
    """Reads one FramebufferUpdate into fb (w*h*4); returns (pixels painted,
    new size or None)."""
    _recv(s, 1)
    painted, size = 0, None
    for _ in range(struct.unpack(">H", _recv(s, 2))[0]):
        x, y, rw, rh, enc = struct.unpack(">HHHHi", _recv(s, 12))
        if enc == ENC_DESKTOP_SIZE:
            size = (rw, rh)
            continue
        if enc != ENC_RAW or x + rw > w or y + rh > h:
            raise ValueError("unexpected VNC rectangle %dx%d+%d+%d encoding %d" % (rw, rh, x, y, enc))
        data = _recv(s, rw * rh * 4)
        for row in range(rh):
            o = ((y + row) * w + x) * 4
            fb[o:o + rw * 4] = data[row * rw * 4:(row + 1) * rw * 4]
        painted += rw * rh
    return painted, size


def _rfb_skip(s, msg):
    if msg == 1:      # SetColourMapEntries: pad, first, count, count * 6 bytes
        _recv(s, struct.unpack(">xHH", _recv(s, 5))[1] * 6)
    elif msg == 3:    # ServerCutText
        _recv(s, 3)
        _recv(s, struct.unpack(">I", _recv(s, 4))[0])
    elif msg != 2:    # Bell has no body
        raise ValueError("unexpected VNC server message %d" % msg)


def vnc_grab(path, timeout=30):
    """One whole frame from the VNC server on unix socket `path`, as a
    guestlib.Image (RGB)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
        w, h = _rfb_handshake(s)
        fb, covered = bytearray(w * h * 4), 0
        s.sendall(struct.pack(">BBHHHH", 3, 0, 0, 0, w, h))
        while covered < w * h:
            msg = _recv(s, 1)[0]
            if msg != 0:
                _rfb_skip(s, msg)
                continue
            painted, size = _rfb_update(s, fb, w, h)
            covered += painted
            if size:
                (w, h), fb, covered = size, bytearray(size[0] * size[1] * 4), 0
            if covered < w * h:
                s.sendall(struct.pack(">BBHHHH", 3, 0, 0, 0, w, h))
    finally:
        s.close()
    rgb = bytearray(w * h * 3)
    rgb[0::3], rgb[1::3], rgb[2::3] = fb[2::4], fb[1::4], fb[0::4]
    return guestlib.Image(w, h, bytes(rgb))


# ---------------------------------------------------------------------------
# One run (run-guest.py --mode gl)
# ---------------------------------------------------------------------------
class Unavailable(Exception):
    """Something the GL run needs is missing here (run-guest.py: skip)."""


class GLRun:
    """What run-guest.py --mode gl adds to a run: inputs, QEMU arguments,
    the console watch, the screen grab and the checks."""

    def __init__(self, a, genv, out, sockdir):
        self.a, self.out = a, out
        self.program = a.gl_program or os.environ.get("VGM_GL_GUEST")
        if not self.program or not os.access(self.program, os.X_OK):
            raise Unavailable("no GL guest program: build tests/guest/gl (needs libegl-dev, libgles-dev, "
                              "libgbm-dev) and give --gl-program or $VGM_GL_GUEST")
        self.root, self.modules = genv.get("GL_ROOT"), genv.get("GL_MODULES_CPIO")
        if not (self.root and os.path.isdir(self.root) and self.modules and os.path.exists(self.modules)):
            raise Unavailable("the GL guest is not prepared (no GL_ROOT / GL_MODULES_CPIO in gl.env: "
                              "tests/guest/prepare.sh runs prepare-gl.sh, its output says why)")
        self.mesa = genv.get("GL_MESA")
        self.vnc = os.path.join(sockdir, "vnc.sock")
        self.watch = None
        self.qmp_answer = None
        self.screen_source = None
        self.grab_tries = 0

    def initrd(self, base):
        return build_initrd(base, self.modules, self.program, os.path.join(self.out, "gl-initrd.cpio"))

    def append(self):
        extra = " vgm.gl_env=" + ",".join(self.a.gl_env) if self.a.gl_env else ""
        return " vgm.frames=%d vgm.fence=%s%s" % (self.a.frames, self.a.fence, extra)

    def qemu_args(self):
        """The display, VNC, and the guest's Mesa over 9p; (argv, env)."""
        # named threads ("CPU 0/TCG"): proc_cpu() tells the vCPU from the device
        argv = ["-name", "vgm-gl-guest,debug-threads=on"]
        if self.a.gl_display == "egl-headless":
            # egl-headless wants a DRM render node for GBM; /dev/null is a
            # character device that is no DRM device, so Mesa's GBM falls
            # back to software: llvmpipe, here and on a machine with a GPU.
            # It reads every GL scanout back into the console's surface,
            # which VNC serves (QMP's screendump does not).
            argv += ["-display", "egl-headless,rendernode=/dev/null",
                     "-vnc", "unix:" + self.vnc.replace(",", ",,")]
        else:
            # no GL in QEMU: a vhost-user backend's 3D scanouts must come as
            # pixels (QEMU answers DMABUF_UPDATE with an error), and then
            # QMP's screendump has a surface to save
            argv += ["-display", "none"]
            self.vnc = None
        argv += ["-fsdev", "local,id=vgmgl,path=%s,security_model=none,readonly=on" % self.root.replace(",", ",,"),
                 "-device", "virtio-9p-pci,fsdev=vgmgl,mount_tag=" + MOUNT_TAG]
        return argv, dict(os.environ)

    def start(self, pids):
        self.watch = Watch(self.a.frames, pids)

    def grab(self, qmp, shot, log):
        """On the ready marker: the screen, through QMP's screendump, which
        QEMU 10 answers with "no surface" while a GL (texture or dmabuf)
        scanout is shown, else through VNC. The page flip's event reaches the
        guest before QEMU has shown the flushed buffer: a screen that differs
        from the read-back is read again, up to GRAB_TRIES times."""
        try:
            dump = decode_dump(self.watch.lines)
        except ValueError:
            dump = None
        for attempt in range(1, GRAB_TRIES + 1):
            screen = self._grab_once(qmp, shot, log)
            self.grab_tries = attempt
            if dump is None or guestlib.compare_images(screen, dump)[0]:
                return
            log("screen differs from the read-back (try %d of %d)" % (attempt, GRAB_TRIES))
            time.sleep(0.5)

    def _grab_once(self, qmp, shot, log):
        try:
            qmp.cmd("screendump", filename=shot, format="png")
            self.qmp_answer = "ok"
        except Exception as e:  # QMP's error is an answer here, not a failure
            self.qmp_answer = str(e)
        log("QMP screendump: %s" % self.qmp_answer)
        if self.qmp_answer == "ok":
            deadline = time.monotonic() + 30
            while not os.path.exists(shot) or os.path.getsize(shot) == 0:
                if time.monotonic() > deadline:
                    raise ValueError("QMP screendump wrote no %s" % shot)
                time.sleep(0.05)
            self.screen_source = "QMP screendump"
            return guestlib.read_image(shot)
        if not self.vnc:
            raise ValueError("no way to read the screen: QMP screendump answered %r and there is no VNC"
                             % self.qmp_answer)
        t = time.monotonic()
        screen = vnc_grab(self.vnc)
        guestlib.write_png(shot, screen)
        self.screen_source = "VNC"
        log("screen read through VNC into %s (%.2f s)" % (shot, time.monotonic() - t))
        return screen

    def checks(self, screen, result, log):
        """Every GL check: (ok, message) each, logged and put in result."""
        w = self.watch
        out = {"mesa": self.mesa, "display": self.a.gl_display, "fence": self.a.fence,
               "qmp_screendump": self.qmp_answer, "screen_source": self.screen_source,
               "screen_reads": self.grab_tries, "info": w.info, "frames": w.frames,
               "frame_ms": frame_stats(w)}
        if w.frames and "uptime_s" in w.frames[0]:
            out["guest_uptime_first_frame_s"] = float(w.frames[0]["uptime_s"])
        if len(w.frames) > 1:
            used = cpu_between(w, "first_frame", "done")
            out["cpu_frames_2_to_n"] = used
            out["cpu_per_frame_ms"] = {n: round(1000 * (u["vcpu_s"] + u["other_s"]) / (len(w.frames) - 1), 1)
                                       for n, u in used.items()}
            out["device_cpu_per_frame_ms"] = {n: round(1000 * u["other_s"] / (len(w.frames) - 1), 1)
                                              for n, u in used.items()}
        result["gl"] = out
        checks = [("frames", check_frames(w))]
        try:
            dump = decode_dump(w.lines)
            guestlib.write_png(os.path.join(self.out, "readback.png"), dump)
            diff = os.path.join(self.out, "screen-vs-readback-diff.png")
            ok, msg = guestlib.compare_images(screen, dump, diff)
            if ok and os.path.exists(diff):
                os.unlink(diff)
            checks.append(("screen_vs_readback", (ok, "screen (%s) vs the guest's read-back: %s"
                                                  % (self.screen_source, msg))))
        except ValueError as e:
            checks.append(("screen_vs_readback", (False, str(e))))
        good = True
        out["checks"] = {}
        for name, (ok, msg) in checks:
            out["checks"][name] = {"ok": ok, "message": msg}
            log("GL check %s %s: %s" % (name, "OK" if ok else "FAILED", msg))
            good &= ok
        return good


# ---------------------------------------------------------------------------
# Host-only self test
# ---------------------------------------------------------------------------
def _fake_dump(img):
    rgb = img.rgb
    runs, i = [], 0
    while i < len(rgb):
        j = i + 3
        while j < len(rgb) and rgb[j:j + 3] == rgb[i:i + 3]:
            j += 3
        runs.append("%dx%s" % ((j - i) // 3, rgb[i:i + 3].hex()))
        i = j
    lines = ["VGM-GL-DUMP-BEGIN w=%d h=%d" % (img.w, img.h)]
    lines += ["VGM-GL-DUMP " + " ".join(runs[k:k + 12]) for k in range(0, len(runs), 12)]
    lines.append("VGM-GL-DUMP-END pixels=%d runs=%d crc32=%08x"
                 % (img.w * img.h, len(runs), zlib.crc32(rgb) & 0xFFFFFFFF))
    return lines


def _fake_vnc_server(lsock, img, split):
    """Serves img once, in `split` updates of horizontal bands."""
    c, _ = lsock.accept()
    c.sendall(b"RFB 003.008\n")
    _recv(c, 12)
    c.sendall(b"\x01\x01")
    _recv(c, 1)
    c.sendall(struct.pack(">I", 0))
    _recv(c, 1)
    c.sendall(struct.pack(">HH", img.w, img.h) + b"\0" * 16 + struct.pack(">I", 4) + b"fake")
    _recv(c, 20)              # SetPixelFormat
    _recv(c, 4 + 2 * 4)       # SetEncodings with two
    band = (img.h + split - 1) // split
    for y0 in range(0, img.h, band):
        _recv(c, 10)          # FramebufferUpdateRequest
        c.sendall(b"\x02")    # a bell first: must be skipped
        rows = min(band, img.h - y0)
        data = bytearray()
        for y in range(y0, y0 + rows):
            for x in range(img.w):
                r, g, b = img.pixel(x, y)
                data += bytes((b, g, r, 0))
        c.sendall(struct.pack(">BxH", 0, 1) + struct.pack(">HHHHi", 0, y0, img.w, rows, 0) + data)
    c.close()


def selftest(log=print):
    failures = 0
    w, h = 37, 23
    img = guestlib.Image(w, h, bytes(v for y in range(h) for x in range(w)
                                     for v in (x * 7 % 256, y * 11 % 256, (x ^ y) % 256)))
    lines = _fake_dump(img)
    ok, msg = guestlib.compare_images(decode_dump(["junk"] + lines + ["junk"]), img)
    failures += not ok
    log("selftest dump round trip: %s" % msg)
    broken = list(lines)
    broken[1] = broken[1].replace("1x", "2x", 1)
    try:
        decode_dump(broken)
        failures += 1
        log("selftest changed dump: NOT detected")
    except ValueError as e:
        log("selftest changed dump detected: %s" % e)
    with tempfile.TemporaryDirectory(prefix="vgm-gllib-") as tmp:
        path = os.path.join(tmp, "vnc.sock")
        for split in (1, 3):
            lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            lsock.bind(path)
            lsock.listen(1)
            t = threading.Thread(target=_fake_vnc_server, args=(lsock, img, split))
            t.start()
            got = vnc_grab(path, timeout=10)
            t.join()
            lsock.close()
            os.unlink(path)
            ok, msg = guestlib.compare_images(got, img)
            failures += not ok
            log("selftest VNC grab in %d update(s): %s" % (split, msg))
    return failures


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("modules-cpio")
    p.add_argument("--kernel-root", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("vnc-grab")
    p.add_argument("socket")
    p.add_argument("out")
    p = sub.add_parser("decode-dump")
    p.add_argument("serial")
    p.add_argument("out")
    sub.add_parser("selftest")
    a = ap.parse_args(argv)
    if a.cmd == "modules-cpio":
        build_modules_cpio(a.kernel_root, a.out)
    elif a.cmd == "vnc-grab":
        guestlib.write_image(a.out, vnc_grab(a.socket))
    elif a.cmd == "decode-dump":
        with open(a.serial, errors="replace") as f:
            guestlib.write_image(a.out, decode_dump(f.read().splitlines()))
    elif a.cmd == "selftest":
        n = selftest()
        print("selftest: %s" % ("OK" if n == 0 else "%d FAILED" % n))
        return 0 if n == 0 else 1
    return 0


if __name__ == "__main__":
    guestlib.run_cli(main, "gllib")
