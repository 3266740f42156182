#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot a Linux guest (or UEFI firmware) on QEMU with a virtio-gpu device and check its screen.

README-guest
============
Files (all in tests/guest/):
  prepare.sh CACHE_DIR   fetch Debian's kernel (the package linux-image-amd64
                         depends on) + busybox-static with apt-get download,
                         dpkg-deb -x them (no root needed), decompress the
                         kernel to CACHE_DIR/vmlinux (PVH boot), build
                         CACHE_DIR/initramfs.cpio.gz, and with libdrm's
                         modetest (libdrm-tests, libdrm2, libc6 downloaded
                         the same way) CACHE_DIR/initramfs-kms.cpio.gz, make
                         sure QEMU >= 10 is there (installs it from
                         bookworm-backports when root, else prints how) and
                         OVMF, mtools, dosfstools (installed when root),
                         write CACHE_DIR/guest.env.
                         Idempotent; exit 77 when something can't be had.
  init.sh                the guest's /init (busybox sh), a template.
  guestlib.py            module order from .modinfo depends=, cpio writer,
                         a program's libraries (ELF DT_NEEDED), bzImage ->
                         vmlinux, the test pattern, PPM/PNG reading, image
                         comparison, text on a screen, the UEFI disk, host
                         self test (+ CLI).
  golden/                golden images (uefi-shell.png: the UEFI shell).
  run-guest.py           this script: one guest boot.
  test-guest.sh          the whole matrix: prepare, self test, QEMU's
                         virtio-gpu-pci, QEMU's reference vhost-user-gpu
                         (socket and fd), $VGM_BACKEND if set, comparisons.
  guest-suite.py         one test of the meson suite `guest` (our backend
                         against the pattern and QEMU's own device, fbcon,
                         --fd without EDID, --record and replay, UEFI
                         firmware, two heads, page flips, the GL guest).
  prepare-gl.sh, gllib.py, gl/
                         the GL guest (--mode gl): Debian's Mesa over
                         virtio-9p, the program vgm-gl-guest, the host side;
                         gl/README.md tells the whole story.
  bench-backend.py       our backend against QEMU's reference one, the
                         same guest: host CPU time (bench mode), page
                         flips per second (flips mode).

Flow of one run:
  1. CACHE_DIR/guest.env names the kernel, the initramfs and QEMU (and
     kms.env the initramfs with modetest, uefi.env the firmware and tools,
     gl.env the GL guest's Mesa and 9p modules).
  2. --device vhost-user: the backend is started first,
       BACKEND --socket-path SOCK [args after --]   (or --fd N: --backend-fd)
     then QEMU with -chardev socket,id=vgpu,path=SOCK (or fd=M)
                    -device vhost-user-gpu-pci,chardev=vgpu
     --device qemu: QEMU's built-in -device virtio-gpu-pci.
     Guest RAM is always a shared memfd (vhost-user needs it):
       -object memory-backend-memfd,id=mem,size=512M,share=on
       -machine q35,memory-backend=mem
     plus -accel tcg -nodefaults -vga none -display none, serial (ttyS0) to
     OUT/serial.log, QMP on a unix socket in a short temp dir.
  3. The guest's /init mounts proc/sys/devtmpfs, insmods the modules in the
     order prepare.sh computed (virtio_ring virtio_pci_modern_dev
     virtio_pci_legacy_dev virtio virtio_pci drm drm_kms_helper
     drm_shmem_helper virtio_dma_buf virtio_gpu for Debian's 6.1), waits for
     /dev/dri/card0 and /dev/fb0, prints the fb geometry, then
       vgm.mode=pattern: unbinds fbcon, writes the test pattern (guestlib.py)
                         to /dev/fb0 (XRGB8888, stride from sysfs)
       vgm.mode=fbcon:   keeps fbcon bound, prints a fixed text on tty1
       vgm.mode=bench:   the pattern, then --frames whole-frame writes
                         (one TRANSFER + FLUSH pair each), alternating the
                         pattern and the pattern moved by one byte
       vgm.mode=kms:     unbinds fbcon, and modetest (from the initramfs
                         with modetest) sets the modes of vgm.modes=
                         CONNECTOR:WxH,... and keeps them
       vgm.mode=flips:   the same with modetest -v: vsynced page flips
                         between its pattern and a grey framebuffer for
                         --seconds; between the markers FLIPPING and FLIPS
                         the host takes --flip-shots screendumps, and FLIPS
                         carries modetest's rates (one per 60 flips)
       vgm.mode=gl:      /etc/vgm-gl.sh runs vgm-gl-guest on virgl
                         (gl/README.md; QEMU gets virtio-gpu-gl-pci,
                         egl-headless, VNC and the 9p share instead)
     sleeps 1 s (fbdev damage is flushed by a deferred worker), prints
     VGM-GUEST-READY on ttyS0, then the md5 of the frame it wrote and the
     kernel log between VGM-DMESG-BEGIN/END, and idles.
     --firmware uefi instead boots OVMF from flash (a copy of its variable
     store in OUT) with a 2 MiB FAT disk made here holding a startup.nsh;
     the firmware's shell runs it after its 5 s countdown: it clears the
     screen and prints guestlib.UEFI_TEXT, then the shell prompts. Ready is
     that text and the prompt after it on the serial console (OVMF writes
     its console there too, with terminal escapes); there is no kernel log.
  4. On VGM-GUEST-READY the host takes a QMP screendump (PNG; PPM if the
     file name ends in .ppm) of each head (--heads N: the device's id names
     the head), optionally a second one (--stable), waits for
     the dmesg dump, sends QMP quit, waits for QEMU and the backend to exit
     (SIGTERM/SIGKILL after a timeout; children also get PR_SET_PDEATHSIG).
  5. Checks: the guest's kernel log shows virtio-gpu probed ("[drm]
     features:" lines, with every --expect-drm-features token, e.g. +edid)
     and no virtio-gpu / drm error line (--allow-gpu-errors to allow); the
     backend exited 0; pattern mode: the screendump must equal the pattern
     computed here pixel by pixel, and the guest's frame md5 the one
     computed here (tells a pattern-code mismatch from a display-path
     error); optional --compare-with IMAGE; --stable SECS: two dumps SECS
     apart identical.
  6. OUT/ holds serial.log, qemu.log, backend.log, qmp.log, dmesg.txt,
     commands.txt, trace.log (--trace), screendump.png, a *-diff.png on a
     mismatch, and result.json (timings, geometry, dmesg GPU lines, checks,
     cpu_s: user and system CPU seconds and page faults of QEMU and the backend, from
     wait4(), bench: what the guest's bench mode reported, flips: the
     rates modetest printed and the screendumps taken while it flipped).

Exit status: 0 pass, 1 fail, 2 usage, 77 skip (cache not prepared, no QEMU,
QEMU < 10 for vhost-user, backend binary missing).

Pitfalls found (QEMU 10.0.2, Debian kernel 6.1, TCG):
  * QEMU 7.2 (bookworm) refuses vhost-user-gpu-pci without KVM: "vhost
    initialization failed: requires kvm".  QEMU 10.0 (bookworm-backports)
    accepts it.  virtio-gpu-pci works under TCG with both.
  * fbcon draws into the framebuffer (cursor blink, text): pattern mode
    unbinds it; fbcon mode hides the cursor (vt.global_cursor_default=0 and
    ESC[?25l), keeps the kernel console on ttyS0 only, logo.nologo.
  * /dev/fb0 is XRGB8888 little endian (bytes B G R X); the screendump is
    RGB.  Stride comes from /sys/class/graphics/fb0/stride.
  * QEMU's PPM screendump pads every row to a multiple of 4 bytes when the
    width is not a multiple of 4 (e.g. 1366): hence PNG by default; the PPM
    reader here also undoes that padding.
  * busybox awk strings can't hold NUL bytes: the pattern has no 0 byte.
  * Decompressing Debian's xz bzImage in the guest costs ~4 s under TCG:
    prepare.sh decompresses it once and QEMU boots the ELF via PVH
    (--bzimage boots the original).
  * The screendump is the display surface only; no hardware cursor (fbdev
    never defines one: no cursor commands are sent).
  * QEMU connects a display to a head only when a UI gives it a size (a
    window, or a VNC client's SetDesktopSize): head 0 has xres x yres,
    the others none. A vhost-user-gpu console refuses every UI that cannot
    take dma-bufs ("The console requires display DMABUF support"), i.e.
    every UI without GL, so a headless QEMU cannot connect a second head of
    vhost-user-gpu-pci: the guest forces it on (video=Virtual-2:WxHe), the
    same on both devices.
  * busybox insmod does not read drm.debug= from the kernel command line:
    vgm.drmdebug= is passed to insmod drm.ko.
  * modetest's stdout to a file is buffered until it exits: init.sh sees
    its modes set in debugfs's DRM state instead.
  * modetest -v prints its rate ("freq: F Hz", every 60 flips) to stderr,
    unbuffered; it stops when its stdin (a pipe from a sleep) ends. Its
    second framebuffer is plain grey (every byte 0x77).

Examples:
  tests/guest/prepare.sh build/guest
  tests/guest/run-guest.py --cache build/guest --device qemu --out-dir /tmp/q
  tests/guest/run-guest.py --cache build/guest --device vhost-user \\
      --backend /usr/lib/qemu/vhost-user-gpu --out-dir /tmp/v
  tests/guest/run-guest.py --cache build/guest --device vhost-user \\
      --backend build/vgm-vhost-user-gpu --backend-fd -- --extra-backend-arg
  tests/guest/run-guest.py --cache build/guest --mode fbcon --stable 1 \\
      --trace 'virtio_gpu_cmd_*'          # commands seen by QEMU's device
  tests/guest/guestlib.py compare /tmp/q/screendump.png /tmp/v/screendump.png
  tests/guest/run-guest.py --cache build/guest --mode gl --frames 5 \\
      --gl-program build/tests/guest/gl/vgm-gl-guest --out-dir /tmp/gl
  tests/guest/test-guest.sh build/guest build/guest/results

Only the Python 3 standard library is used.
"""

import argparse
import ctypes
import json
import os
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gllib  # noqa: E402
import guestlib  # noqa: E402

M = guestlib.MARKERS
SKIP = 77
DEFAULT_BACKEND = "/usr/lib/qemu/vhost-user-gpu"
DEVICE_ID = "vgmgpu"  # the GPU's -device id: QMP names a head by its device
MIN_QEMU_VHOST_USER = (10, 0)


class Skip(Exception):
    pass


class Fail(Exception):
    pass


class Terminated(Exception):
    pass


def log(msg):
    print("[run-guest %7.2fs] %s" % (time.monotonic() - T0, msg), flush=True)


T0 = time.monotonic()


def _pdeathsig():
    """Child: die with the runner even if the runner is SIGKILLed."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass
    os.setpgid(0, 0)


def wait_rusage(p, timeout):
    """Popen.wait(timeout) that also returns the child's resource usage
    (CPU time of all its threads), or None if it was reaped already."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        except ChildProcessError:
            p.wait()
            return None
        if pid:
            p.returncode = os.waitstatus_to_exitcode(status)
            return ru
        if time.monotonic() > deadline:
            raise subprocess.TimeoutExpired(p.args, timeout)
        time.sleep(0.02)


def exited(p):
    """Whether p exited, without reaping it (its rusage is read later)."""
    try:
        return os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return p.poll() is not None


# Kernel log lines of the GPU driver that are errors: the driver's
# DRM_ERROR ("*ERROR*", e.g. "response 0x1203 (command 0x105)" for a
# command the device refused), a failed probe, a timeout, a warning with a
# backtrace.
GPU_ERROR_RE = re.compile(r"\*ERROR\*|\berror\b|\bfailed\b|\btimed? ?out\b|WARNING|\bBUG\b|Call Trace",
                          re.IGNORECASE)


def check_dmesg(gpu_lines, want_features, allow_errors):
    """(ok, message): the driver probed with the wanted features (tokens
    such as +edid or -virgl, as the "[drm] features:" lines print them)
    and, unless allowed, logged no error."""
    feats = set()
    for l in gpu_lines:
        if "[drm] features:" in l:
            feats.update(l.split("[drm] features:", 1)[1].split())
    if not feats:
        return False, "no '[drm] features:' line: virtio-gpu did not probe"
    missing = [f for f in want_features if f not in feats]
    if missing:
        return False, "features %s, wanted %s" % (" ".join(sorted(feats)), " ".join(missing))
    errors = [l for l in gpu_lines if GPU_ERROR_RE.search(l)]
    if errors and not allow_errors:
        return False, "virtio-gpu errors: %s" % " | ".join(errors[:5])
    return True, "features %s%s" % (" ".join(sorted(feats)),
                                     "; %d error lines allowed" % len(errors) if errors else ", no errors")


def parse_flips(text):
    """The guest's FLIPS marker: seconds=S freq=F,F,... (modetest's rate
    over each 60 flips, in Hz)."""
    kv = dict(w.split("=", 1) for w in text.split() if "=" in w)
    try:
        return {"seconds": float(kv.get("seconds", 0)),
                "freq_hz": [float(f) for f in kv.get("freq", "").split(",") if f]}
    except ValueError:
        raise Fail("cannot read the flips marker: %r" % text)


def qopt(path):
    """Escape a value for a QEMU -opt key=value list (',' is written ',,')."""
    return path.replace(",", ",,")


def read_env_file(path):
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                k, v = line.split("=", 1)
                env[k] = shlex.split(v)[0] if v else ""
    return env


def qemu_version(qemu):
    try:
        out = subprocess.run([qemu, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             timeout=30, text=True).stdout
    except (OSError, subprocess.TimeoutExpired) as e:
        raise Skip("cannot run %s: %s" % (qemu, e))
    m = re.search(r"version (\d+)\.(\d+)(?:\.(\d+))?", out)
    if not m:
        raise Skip("cannot parse QEMU version from: %r" % out[:200])
    return tuple(int(x or 0) for x in m.groups()), out.splitlines()[0]


class QMP:
    def __init__(self, path, deadline, logf, alive=lambda: None):
        self.logf = logf
        self.events = []
        while True:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                break
            except OSError:
                s.close()
                alive()
                if time.monotonic() > deadline:
                    raise Fail("cannot connect to QMP socket %s" % path)
                time.sleep(0.05)
        s.settimeout(60)
        self.sock = s
        self.f = s.makefile("rwb")
        try:
            self._recv()  # greeting
            self.cmd("qmp_capabilities")
        except (OSError, ValueError) as e:
            time.sleep(0.5)
            alive()
            raise Fail("QMP handshake failed: %s" % e)

    def _recv(self):
        line = self.f.readline()
        if not line:
            raise Fail("QMP connection closed")
        self.logf.write("<- " + line.decode(errors="replace"))
        self.logf.flush()
        return json.loads(line)

    def cmd(self, name, **args):
        req = {"execute": name}
        if args:
            req["arguments"] = args
        data = json.dumps(req)
        self.logf.write("-> %s\n" % data)
        self.f.write(data.encode() + b"\n")
        self.f.flush()
        while True:
            msg = self._recv()
            if "event" in msg:
                self.events.append(msg)
                continue
            if "error" in msg:
                raise Fail("QMP %s failed: %s" % (name, msg["error"]))
            if "return" in msg:
                return msg["return"]

    def close(self):
        try:
            self.f.close()
            self.sock.close()
        except OSError:
            pass


class SerialWatch:
    """Follows the serial log file written by QEMU."""

    def __init__(self, path):
        self.path = path
        self.pos = 0
        self.partial = ""
        self.lines = []

    def poll(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                data = f.read()
        except FileNotFoundError:
            return []
        self.pos += len(data)
        text = self.partial + data.decode("utf-8", "replace")
        parts = text.split("\n")
        self.partial = parts.pop()
        new = [p.rstrip("\r") for p in parts]
        self.lines.extend(new)
        return new

    def tail(self, n=30):
        return "\n".join((self.lines + ([self.partial] if self.partial else []))[-n:])


class Runner:
    def __init__(self, a):
        self.a = a
        self.procs = []   # (name, Popen)
        self.tmpdirs = []
        self.qmp = None
        self.shot2 = None
        self.signalled = set()
        self.qmplog = None
        self.result = {"device": a.device, "firmware": a.firmware, "mode": a.mode, "status": "error"}
        self.gl = None    # gllib.GLRun in --mode gl

    # -- process handling ---------------------------------------------------
    def spawn(self, name, argv, logpath, pass_fds=(), env=None):
        logf = open(logpath, "wb")
        with open(os.path.join(self.out, "commands.txt"), "a") as c:
            c.write("%s: %s\n" % (name, " ".join(shlex.quote(x) for x in argv)))
        log("start %s: %s" % (name, " ".join(shlex.quote(x) for x in argv)))
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                             pass_fds=pass_fds, preexec_fn=_pdeathsig, env=env)
        logf.close()
        self.procs.append((name, p))
        return p

    def stop_all(self):
        """Stop QEMU (QMP quit, else SIGTERM, then SIGKILL), then the backend
        (it normally exits when QEMU closes the vhost-user socket)."""
        quit_sent = False
        if self.qmp:
            try:
                self.qmp.sock.settimeout(5)
                self.qmp.cmd("quit")
                quit_sent = True
            except Exception:
                pass
            self.qmp.close()
            self.qmp = None
        for name, p in reversed(self.procs):  # QEMU was started last
            ru = None
            if p.returncode is None:
                grace = 10 if (name == "qemu" and quit_sent) or name != "qemu" else 0
                try:
                    ru = wait_rusage(p, grace)
                except subprocess.TimeoutExpired:
                    log("%s still running, sending SIGTERM" % name)
                    self.signalled.add(name)
                    p.terminate()
                    try:
                        ru = wait_rusage(p, 5)
                    except subprocess.TimeoutExpired:
                        log("%s still running, sending SIGKILL" % name)
                        p.kill()
                        ru = wait_rusage(p, 60)
            self.result.setdefault("exit_codes", {})[name] = p.returncode
            if ru is not None:
                self.result.setdefault("cpu_s", {})[name] = {
                    "user": round(ru.ru_utime, 3), "system": round(ru.ru_stime, 3),
                    "total": round(ru.ru_utime + ru.ru_stime, 3),
                    "page_faults": ru.ru_minflt + ru.ru_majflt}
        self.procs = []

    def check_alive(self):
        for name, p in reversed(self.procs):  # QEMU first: a backend may exit because QEMU did
            if p.returncode is not None or exited(p):
                tail = ""
                try:
                    with open(os.path.join(self.out, name + ".log"), errors="replace") as f:
                        tail = "".join(f.readlines()[-10:])
                except OSError:
                    pass
                raise Fail("%s exited early with status %s; %s.log ends:\n%s" % (name, p.returncode, name, tail))

    # -- main ----------------------------------------------------------------
    def run(self):
        a = self.a
        self.out = a.out_dir
        os.makedirs(self.out, exist_ok=True)
        for fn in ("commands.txt",):
            if os.path.exists(os.path.join(self.out, fn)):
                os.unlink(os.path.join(self.out, fn))
        qemu, backend = self.inputs()
        sockdir = tempfile.mkdtemp(prefix="vgm-guest-sock-")  # short path: sun_path is 108 bytes
        self.tmpdirs.append(sockdir)
        self.sockdir = sockdir
        if a.mode == "gl":
            try:
                self.gl = gllib.GLRun(a, self.genv, self.out, sockdir)
            except gllib.Unavailable as e:
                raise Skip(str(e))
        qmp_path = os.path.join(sockdir, "qmp.sock")
        serial_path = os.path.join(self.out, "serial.log")
        if os.path.exists(serial_path):
            os.unlink(serial_path)
        shot = os.path.abspath(a.screendump or os.path.join(self.out, "screendump.png"))
        for p in self.shot_paths(shot):
            if os.path.exists(p):
                os.unlink(p)

        mem = a.mem
        qargv = [qemu, "-nodefaults", "-no-user-config", "-accel", "tcg",
                 "-machine", "q35,memory-backend=mem",
                 "-object", "memory-backend-memfd,id=mem,size=%s,share=on" % mem,
                 "-m", mem, "-smp", str(a.smp),
                 "-display", "none", "-vga", "none", "-no-reboot",
                 "-chardev", "file,id=ser0,path=%s" % qopt(serial_path), "-serial", "chardev:ser0",
                 "-qmp", "unix:%s,server=on,wait=off" % qopt(qmp_path)]
        qenv = None
        if self.gl:
            # a GL display, VNC and the guest's Mesa over 9p instead of -display none
            gl_argv, qenv = self.gl.qemu_args()
            i = qargv.index("-display")
            qargv[i:i + 2] = gl_argv
        qargv += self.uefi_args() if a.firmware == "uefi" else self.linux_args()
        if a.trace:
            qargv += ["-trace", "enable=%s" % qopt(a.trace), "-D", os.path.join(self.out, "trace.log")]
        device_args, qemu_fds = self.device_args(backend)
        qargv += device_args
        qargv += a.qemu_arg

        t_start = time.monotonic()
        qp = self.spawn("qemu", qargv, os.path.join(self.out, "qemu.log"), pass_fds=qemu_fds, env=qenv)
        if self.gl:
            self.gl.start({name: p.pid for name, p in self.procs})
        if qemu_fds:
            self._qemu_sock.close()
        self.qmplog = open(os.path.join(self.out, "qmp.log"), "w")
        self.qmp = QMP(qmp_path, time.monotonic() + 30, self.qmplog, self.check_alive)

        serial = SerialWatch(serial_path)
        if a.firmware == "uefi":
            t_ready, gpu_lines, md5, geometry = self.wait_uefi(qp, serial, shot, t_start), None, None, None
        else:
            t_ready, gpu_lines, md5, geometry = self.wait_linux(qp, serial, shot, t_start)
        self.result["time_to_marker_s"] = round(t_ready - t_start, 2)

        self.stop_all()
        t_end = time.monotonic()
        self.result["time_whole_run_s"] = round(t_end - T0, 2)
        self.result["time_qemu_s"] = round(t_end - t_start, 2)
        log("QEMU stopped; boot-to-marker %.2f s, QEMU run %.2f s" % (t_ready - t_start, t_end - t_start))
        return self.checks(shot, gpu_lines, md5, geometry)

    def inputs(self):
        """QEMU and the backend, checked; the guest's files into self.genv."""
        a = self.a
        envfile = os.path.join(a.cache, "guest.env")
        if not os.path.exists(envfile):
            raise Skip("%s missing: run tests/guest/prepare.sh %s first" % (envfile, a.cache))
        self.genv = genv = read_env_file(envfile)
        for extra in ("kms.env", "uefi.env", "gl.env"):  # what the KMS, UEFI and GL guests need
            if os.path.exists(os.path.join(a.cache, extra)):
                genv.update(read_env_file(os.path.join(a.cache, extra)))
        qemu = a.qemu or os.environ.get("VGM_QEMU") or genv.get("QEMU") or shutil.which("qemu-system-x86_64")
        if not qemu or not os.path.exists(qemu):
            raise Skip("qemu-system-x86_64 not found (run tests/guest/prepare.sh as root, "
                       "or install qemu-system-x86 >= 10 from bookworm-backports)")
        ver, vline = qemu_version(qemu)
        self.result["qemu"] = vline
        log("QEMU: %s (%s)" % (qemu, vline))
        if a.device == "vhost-user" and ver < MIN_QEMU_VHOST_USER:
            raise Skip("%s is %d.%d: vhost-user-gpu-pci under TCG needs QEMU >= %d.%d "
                       "(bookworm-backports)" % ((qemu,) + ver[:2] + MIN_QEMU_VHOST_USER))
        backend = None
        if a.device == "vhost-user":
            backend = a.backend or os.environ.get("VGM_VHOST_USER_GPU") or genv.get("VHOST_USER_GPU") \
                or DEFAULT_BACKEND
            if not (os.path.isfile(backend) and os.access(backend, os.X_OK)):
                raise Skip("vhost-user-gpu backend %s not found or not executable" % backend)
            self.result["backend"] = backend
        return qemu, backend

    def linux_args(self):
        """The Linux guest: kernel, initramfs (kms mode: the one with
        modetest; gl mode: the base one with the 9p modules and the GL
        program appended), command line."""
        a, genv = self.a, self.genv
        kernel = a.kernel or genv.get("KERNEL_BZIMAGE" if a.bzimage else "KERNEL")
        kms = a.mode in ("kms", "flips")
        initrd = a.initrd or genv.get("INITRD_KMS" if kms else "INITRD")
        if kms and not initrd:
            raise Skip("no initramfs with modetest (prepare.sh could not fetch libdrm-tests; "
                       "its output says why)")
        for what, p in (("kernel", kernel), ("initramfs", initrd)):
            if not p or not os.path.exists(p):
                raise Skip("guest %s %r not found: run tests/guest/prepare.sh" % (what, p))
        if self.gl:
            initrd = self.gl.initrd(initrd)
        append = ("console=ttyS0 loglevel=4 panic=-1 vt.global_cursor_default=0 consoleblank=0 "
                  "logo.nologo mitigations=off rdinit=/init vgm.mode=%s vgm.wait=%d"
                  % (a.mode, max(10, int(a.timeout))))
        if a.mode == "bench":
            append += " vgm.frames=%d vgm.pause=%d" % (a.frames, a.pause)
        if a.mode == "flips":
            append += " vgm.seconds=%d" % a.seconds
        if self.gl:
            append += self.gl.append()
        if a.append:
            append += " " + a.append
        return ["-kernel", kernel, "-initrd", initrd, "-append", append]

    def uefi_args(self):
        """UEFI firmware (OVMF) from flash, and a FAT disk whose startup.nsh
        the firmware's shell runs: it clears the screen and prints
        guestlib.UEFI_TEXT, then the shell prompts."""
        code, varstore = self.genv.get("OVMF_CODE"), self.genv.get("OVMF_VARS")
        if not code or not os.path.exists(code) or not varstore or not os.path.exists(varstore):
            raise Skip("no OVMF firmware (Debian's ovmf; prepare.sh installs it as root)")
        vars_copy = os.path.join(self.out, "ovmf-vars.fd")  # the firmware writes its variables
        shutil.copyfile(varstore, vars_copy)
        disk = os.path.join(self.out, "uefi-disk.img")
        guestlib.make_uefi_disk(disk, self.genv.get("MKFS_VFAT"), self.genv.get("MCOPY"))
        return ["-drive", "if=pflash,format=raw,readonly=on,file=%s" % qopt(code),
                "-drive", "if=pflash,format=raw,file=%s" % qopt(vars_copy),
                "-drive", "if=none,id=disk0,format=raw,readonly=on,file=%s" % qopt(disk),
                "-device", "virtio-blk-pci,drive=disk0"]

    def device_args(self, backend):
        """QEMU's own virtio-gpu-pci (gl mode: virtio-gpu-gl-pci), or the
        backend (started here) and vhost-user-gpu-pci. Returns (QEMU
        arguments, fds QEMU inherits)."""
        a = self.a
        opts = ",id=%s" % DEVICE_ID + ("," + a.device_opts if a.device_opts else "")
        if a.device == "qemu":
            model = "virtio-gpu-gl-pci" if self.gl else "virtio-gpu-pci"
            return ["-device", model + opts], ()
        benv = dict(os.environ)
        if a.backend_debug:
            benv["G_MESSAGES_DEBUG"] = "all"
        if a.backend_fd:
            # a connected socket pair: one end inherited by the backend
            # (--fd N), the other by QEMU (-chardev socket,fd=M)
            s_back, s_qemu = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            for s in (s_back, s_qemu):
                os.set_inheritable(s.fileno(), True)
            bargv = [backend, "--fd", str(s_back.fileno())] + a.backend_args
            self.spawn("backend", bargv, os.path.join(self.out, "backend.log"),
                       pass_fds=(s_back.fileno(),), env=benv)
            s_back.close()
            self._qemu_sock = s_qemu
            return (["-chardev", "socket,id=vgpu,fd=%d" % s_qemu.fileno(),
                     "-device", "vhost-user-gpu-pci,chardev=vgpu" + opts], (s_qemu.fileno(),))
        sock = os.path.join(self.sockdir, "vgpu.sock")
        bargv = [backend, "--socket-path", sock] + a.backend_args
        self.spawn("backend", bargv, os.path.join(self.out, "backend.log"), env=benv)
        deadline = time.monotonic() + 20
        while True:
            self.check_alive()
            try:
                if stat.S_ISSOCK(os.stat(sock).st_mode):
                    break
            except FileNotFoundError:
                pass
            if time.monotonic() > deadline:
                raise Fail("backend did not create %s within 20 s" % sock)
            time.sleep(0.02)
        time.sleep(0.1)  # bind() comes just before listen()
        return ["-chardev", "socket,id=vgpu,path=%s" % qopt(sock),
                "-device", "vhost-user-gpu-pci,chardev=vgpu" + opts], ()

    def wait_uefi(self, qp, serial, shot, t_start):
        """Until the serial console shows the startup script's text and the
        shell's prompt after it; then the screendumps. Returns when it was
        ready."""
        a = self.a
        deadline = t_start + a.timeout
        text = ""
        while not guestlib.uefi_ready(text):
            new = serial.poll()
            if a.verbose:
                for line in new:
                    print("  | " + line, flush=True)
            text = guestlib.strip_ansi("\n".join(serial.lines + [serial.partial]))
            if exited(qp):
                raise Fail("QEMU exited with status %s before the shell was ready; serial tail:\n%s"
                           % (qp.returncode, serial.tail()))
            self.check_alive()
            if time.monotonic() > deadline:
                raise Fail("no UEFI shell with %r within %d s; serial tail:\n%s"
                           % (guestlib.UEFI_TEXT, a.timeout, guestlib.strip_ansi(serial.tail())))
            time.sleep(0.1)
        t_ready = time.monotonic()
        log("UEFI shell ready after %.2f s" % (t_ready - t_start))
        time.sleep(1)  # the prompt reaches the serial console and the screen together: let it settle
        self.screendumps(shot)
        return t_ready

    def wait_linux(self, qp, serial, shot, t_start):
        """Until the guest's ready marker (then the screendumps) and its
        kernel log dump. Returns (when it was ready, the GPU lines of its
        kernel log, the md5 of its frame, its fb geometry)."""
        a = self.a
        deadline = t_start + a.timeout
        geometry = md5 = None
        t_ready = None
        dmesg = None
        t_dmesg_deadline = None
        guest_error = None
        while True:
            for line in serial.poll():
                if a.verbose:
                    print("  | " + line, flush=True)
                if self.gl:
                    self.gl.watch.feed(line, time.monotonic())
                if M["MARK_ERROR"] in line and guest_error is None:
                    # let the guest dump its kernel log first (it does, then idles)
                    guest_error = line.split(M["MARK_ERROR"], 1)[1].strip()
                    log("guest reported an error: %s" % guest_error)
                    t_dmesg_deadline = time.monotonic() + 30
                if M["MARK_GEOMETRY"] in line:
                    f = line.split(M["MARK_GEOMETRY"], 1)[1].split()
                    geometry = tuple(int(x) for x in f[:4])
                    self.result["time_to_fb0_s"] = round(time.monotonic() - t_start, 2)
                    log("guest fb0 geometry: %dx%d stride %d bpp %d" % geometry)
                if M["MARK_READY"] in line and t_ready is None:
                    t_ready = time.monotonic()
                    log("marker %s after %.2f s" % (M["MARK_READY"], t_ready - t_start))
                    if self.gl:
                        self.gl_grab(shot, t_start)
                    else:
                        self.screendumps(shot)
                    t_dmesg_deadline = time.monotonic() + 120
                if M["MARK_FLIPPING"] in line:
                    self.flip_shots(shot)
                if M["MARK_FLIPS"] in line:
                    self.result.setdefault("flips", {}).update(parse_flips(line.split(M["MARK_FLIPS"], 1)[1]))
                    log("guest flips: %s" % self.result["flips"])
                if M["MARK_BENCH"] in line:
                    self.result["bench"] = dict(kv.split("=", 1) for kv in
                                                line.split(M["MARK_BENCH"], 1)[1].split() if "=" in kv)
                    log("guest bench: %s" % self.result["bench"])
                if M["MARK_MD5"] in line:
                    md5 = line.split(M["MARK_MD5"], 1)[1].split()[0]
                if M["MARK_DMESG_BEGIN"] in line:
                    dmesg = []
                elif M["MARK_DMESG_END"] in line:
                    dmesg_done = True
                    break
                elif dmesg is not None:
                    dmesg.append(line)
            else:
                dmesg_done = False
            if dmesg_done:
                break
            if exited(qp):
                raise Fail("QEMU exited with status %s before the guest was done; serial tail:\n%s"
                           % (qp.returncode, serial.tail()))
            self.check_alive()
            now = time.monotonic()
            if t_ready is None and now > deadline:
                raise Fail("no %s within %d s; serial tail:\n%s" % (M["MARK_READY"], a.timeout, serial.tail()))
            if t_dmesg_deadline and now > t_dmesg_deadline:
                if guest_error:
                    break
                raise Fail("guest did not finish its dmesg dump")
            time.sleep(0.05)
        if dmesg is not None:
            with open(os.path.join(self.out, "dmesg.txt"), "w") as f:
                f.write("\n".join(dmesg) + "\n")
        if guest_error:
            raise Fail("guest reported: %s (kernel log in dmesg.txt)" % guest_error)
        if t_ready is None:
            raise Fail("guest dumped its kernel log without the %s marker" % M["MARK_READY"])
        gpu_lines = [l for l in dmesg if re.search(r"virtio[-_]gpu|\[drm\]|virtio_gpudrmfb", l)]
        self.result["dmesg_gpu"] = gpu_lines
        log("guest dmesg (virtio-gpu / drm lines):")
        for l in gpu_lines:
            print("    " + l, flush=True)
        for l in dmesg:
            if re.search(r"\b(BUG|WARNING|Oops|Call Trace|error)\b", l):
                log("guest kernel log: " + l)
        return t_ready, gpu_lines, md5, geometry

    def gl_grab(self, shot, t_start):
        """gl mode, at the ready marker: the screen as gllib reads it (QMP
        screendump, or VNC where QEMU has no surface for a GL scanout), and
        when the first frame's line came."""
        try:
            self.gl.grab(self.qmp, shot, log)
        except (ValueError, OSError) as e:
            raise Fail("cannot read the screen: %s" % e)
        if self.gl.watch.t_first is not None:
            self.result["time_to_first_frame_s"] = round(self.gl.watch.t_first - t_start, 2)

    def flip_shots(self, shot):
        """flips mode, while modetest flips: --flip-shots screendumps,
        --flip-interval seconds apart (SHOT-flipN.EXT)."""
        root, ext = os.path.splitext(shot)
        paths = []
        for i in range(self.a.flip_shots):
            if i:
                time.sleep(self.a.flip_interval)
            paths.append("%s-flip%d%s" % (root, i, ext))
            self.screendump(paths[-1], self.a.head)
        self.result.setdefault("flips", {})["screendumps"] = paths

    def shot_paths(self, shot):
        """The screendump of each head: SHOT for the first (or --head),
        SHOT-headN.EXT for head N of --heads."""
        root, ext = os.path.splitext(shot)
        return [shot] + ["%s-head%d%s" % (root, h, ext) for h in range(1, self.a.heads)]

    def screendumps(self, shot):
        """One screendump per head; with --stable, the first head's again
        that many seconds later."""
        for head, path in enumerate(self.shot_paths(shot)):
            self.screendump(path, self.a.head if head == 0 else head)
        if self.a.stable > 0:
            time.sleep(self.a.stable)
            root, ext = os.path.splitext(shot)
            self.shot2 = root + "-2" + ext
            self.screendump(self.shot2, self.a.head)

    def checks(self, shot, gpu_lines, md5, geometry):
        a = self.a
        ok = True
        brc = self.result.get("exit_codes", {}).get("backend")
        if brc is not None and brc < 0 and "backend" not in self.signalled:
            log("backend died from signal %d (see backend.log)" % -brc)
            ok = False
        elif brc:
            # it must exit cleanly when QEMU goes away (and a sanitizer's
            # report at exit is a non-zero status)
            log("backend exited with status %d (see backend.log)" % brc)
            ok = False
        img = guestlib.read_image(shot)
        self.result["screendump"] = shot
        self.result["screendump_size"] = [img.w, img.h]
        self.result["screendumps"] = self.shot_paths(shot)
        self.result["geometry"] = list(geometry) if geometry else None
        log("screendump %s: %dx%d" % (shot, img.w, img.h))
        if guestlib.PPM_QUIRKS:
            log("NOTE: screendump read with quirk: %s" % ", ".join(sorted(set(guestlib.PPM_QUIRKS))))
            self.result["ppm_quirks"] = sorted(set(guestlib.PPM_QUIRKS))
        if geometry and (img.w, img.h) != geometry[:2]:
            log("NOTE: screendump size %dx%d differs from fb0 virtual size %dx%d" %
                ((img.w, img.h) + geometry[:2]))
        if gpu_lines is not None:
            good, msg = check_dmesg(gpu_lines, a.expect_drm_features, a.allow_gpu_errors)
            self.result["dmesg_check"] = {"ok": good, "message": msg}
            log("guest kernel log check %s: %s" % ("OK" if good else "FAILED", msg))
            ok &= good
        if self.gl:
            ok &= self.gl.checks(img, self.result, log)
        if a.mode in ("pattern", "bench") and geometry:
            want = guestlib.expected_frame_md5(*geometry[:3])
            same = md5 == want
            self.result["frame_md5"] = {"guest": md5, "host": want, "ok": same}
            log("frame md5 guest %s host %s: %s" % (md5, want, "OK" if same else "MISMATCH (pattern definitions differ)"))
            ok &= same
        if a.mode in ("pattern", "bench") and a.check and a.firmware == "linux":
            diff = os.path.join(self.out, "pattern-diff.png")
            good, msg = guestlib.check_pattern(shot, diff)
            if good and os.path.exists(diff):
                os.unlink(diff)
            self.result["pattern_check"] = {"ok": good, "message": msg}
            log("pattern check %s: %s" % ("OK" if good else "FAILED", msg))
            ok &= good
        if a.stable > 0:
            good, msg = guestlib.compare_images(img, guestlib.read_image(self.shot2))
            self.result["stable"] = {"after_s": a.stable, "ok": good, "message": msg}
            log("second screendump %.1f s later %s: %s" % (a.stable, "same" if good else "DIFFERENT", msg))
            ok &= good
        if a.compare_with:
            diff = os.path.join(self.out, "compare-diff.png")
            good, msg = guestlib.compare_images(img, guestlib.read_image(a.compare_with), diff)
            if good and os.path.exists(diff):
                os.unlink(diff)
            self.result["compare"] = {"with": a.compare_with, "ok": good, "message": msg}
            log("compare with %s %s: %s" % (a.compare_with, "OK" if good else "FAILED", msg))
            ok &= good
        if a.png:
            guestlib.write_png(a.png, img)
        self.result["status"] = "pass" if ok else "fail"
        return 0 if ok else 1

    def screendump(self, path, head=None):
        args = {"filename": path}
        if not path.endswith(".ppm"):
            args["format"] = "png"
        if head is not None:
            # QEMU names a head by its device: ours has an id
            args.update(device=DEVICE_ID, head=head)
        t = time.monotonic()
        try:
            self.qmp.cmd("screendump", **args)
        except Fail as e:
            if "format" not in args:
                raise
            # a QEMU built without libpng: fall back to PPM
            log("PNG screendump failed (%s), retrying as PPM" % e)
            args.pop("format")
            self.qmp.cmd("screendump", **args)
        # screendump may complete asynchronously: wait for a complete file
        while not os.path.exists(path) or os.path.getsize(path) == 0:
            if time.monotonic() - t > 30:
                raise Fail("screendump did not produce %s" % path)
            time.sleep(0.05)
        log("screendump written to %s (%.2f s)" % (path, time.monotonic() - t))

    def cleanup(self):
        try:
            self.stop_all()
        finally:
            if self.qmplog:
                self.qmplog.close()
            for d in self.tmpdirs:
                shutil.rmtree(d, ignore_errors=True)


def parse_args(argv):
    if "--" in argv:
        i = argv.index("--")
        argv, backend_args = argv[:i], argv[i + 1:]
    else:
        backend_args = []
    ap = argparse.ArgumentParser(
        description="Boot a Linux guest with a virtio-gpu device under QEMU (TCG) and check its screen.",
        epilog="Arguments after -- are passed to the vhost-user backend. See the top of this file.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", required=True, help="directory prepared by prepare.sh")
    ap.add_argument("--device", choices=["qemu", "vhost-user"], default="qemu",
                    help="qemu: -device virtio-gpu-pci; vhost-user: a backend + vhost-user-gpu-pci")
    ap.add_argument("--backend", help="vhost-user-gpu backend binary (default: $VGM_VHOST_USER_GPU, "
                    "VHOST_USER_GPU in guest.env, or %s)" % DEFAULT_BACKEND)
    ap.add_argument("--backend-fd", action="store_true",
                    help="hand the backend a connected socket with --fd N instead of --socket-path")
    ap.add_argument("--backend-debug", action="store_true", help="set G_MESSAGES_DEBUG=all for the backend")
    ap.add_argument("--firmware", choices=["linux", "uefi"], default="linux",
                    help="linux: boot the guest kernel (--mode says what it shows); uefi: boot OVMF "
                    "to its shell, which runs a startup.nsh from a FAT disk made here (the text of "
                    "guestlib.UEFI_TEXT on a cleared screen)")
    ap.add_argument("--mode", choices=["pattern", "fbcon", "bench", "kms", "flips", "gl"], default="pattern",
                    help="pattern: test pattern on /dev/fb0 (checked); fbcon: fixed text via fbcon; "
                    "bench: the pattern, then --frames full-frame writes; kms: modetest sets the modes "
                    "of vgm.modes= (--append; initramfs INITRD_KMS); flips: the same, flipping pages "
                    "(modetest -v) for --seconds; "
                    "gl: the GL program (tests/guest/gl) draws --frames frames with virgl")
    ap.add_argument("--frames", type=int, help="bench mode: frames to write (default 100); "
                    "gl mode: frames to draw (default 3)")
    ap.add_argument("--gl-program", help="gl mode: the guest program vgm-gl-guest (default $VGM_GL_GUEST)")
    ap.add_argument("--fence", choices=["egl", "finish"], default="egl",
                    help="gl mode: wait for each frame with EGL_KHR_fence_sync (default) or glFinish")
    ap.add_argument("--gl-display", choices=gllib.DISPLAYS,
                    help="gl mode: QEMU's display; default egl-headless for --device qemu (its GL "
                    "scanouts reach the screen through VNC), none for --device vhost-user (QEMU refuses "
                    "VNC beside a GL display there: the backend must send pixels, read with QMP)")
    ap.add_argument("--gl-env", action="append", default=[], metavar="K=V",
                    help="gl mode: environment for the program in the guest (repeatable; no spaces)")
    ap.add_argument("--pause", type=int, default=100, help="bench mode: ms after each frame (default 100)")
    ap.add_argument("--seconds", type=int, default=10, help="flips mode: seconds of page flips (default 10)")
    ap.add_argument("--flip-shots", type=int, default=0, metavar="N",
                    help="flips mode: N screendumps while the pages flip (SCREENDUMP-flipK.png)")
    ap.add_argument("--flip-interval", type=float, default=0.3, metavar="SECS",
                    help="flips mode: seconds between those screendumps (default 0.3)")
    ap.add_argument("--out-dir", help="logs and screendump (default: a temp dir, removed on success)")
    ap.add_argument("--screendump", help="screendump file, PNG unless it ends in .ppm (default OUT/screendump.png; "
                    "QEMU's PPM rows are padded when the width is not a multiple of 4)")
    ap.add_argument("--png", help="also write the screendump as PNG here")
    ap.add_argument("--compare-with", help="also require the screendump to equal this image")
    ap.add_argument("--stable", type=float, default=0, metavar="SECS",
                    help="take a second screendump SECS later and require it to be identical")
    ap.add_argument("--no-check", dest="check", action="store_false", help="skip the pattern check")
    ap.add_argument("--expect-drm-features", default="", metavar="LIST",
                    help="comma-separated tokens the guest's '[drm] features:' lines must show, "
                    "e.g. +edid,-virgl")
    ap.add_argument("--allow-gpu-errors", action="store_true",
                    help="do not fail on virtio-gpu / drm error lines in the guest's kernel log")
    ap.add_argument("--timeout", type=float, default=180, help="seconds until the ready marker (default 180)")
    ap.add_argument("--qemu", help="QEMU binary (default: $VGM_QEMU, QEMU in guest.env, PATH)")
    ap.add_argument("--kernel", help="override the guest kernel")
    ap.add_argument("--bzimage", action="store_true",
                    help="boot the compressed bzImage instead of the PVH vmlinux (slower)")
    ap.add_argument("--initrd", help="override the guest initramfs")
    ap.add_argument("--append", help="extra kernel command line")
    ap.add_argument("--device-opts", help="extra -device properties, e.g. xres=1024,yres=768")
    ap.add_argument("--head", type=int, help="screendump head (of the first screendump)")
    ap.add_argument("--heads", type=int, default=1, metavar="N",
                    help="a screendump of heads 0..N-1: SCREENDUMP, SCREENDUMP-head1.png, ...")
    ap.add_argument("--trace", help="QEMU trace pattern, e.g. 'virtio_gpu_cmd_*' (to OUT/trace.log)")
    ap.add_argument("--qemu-arg", action="append", default=[], help="extra QEMU argument (repeatable)")
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--mem", default="512M")
    ap.add_argument("--keep", action="store_true", help="keep the temp out dir")
    ap.add_argument("-v", "--verbose", action="store_true", help="echo the guest serial console")
    a = ap.parse_args(argv)
    a.backend_args = backend_args
    a.expect_drm_features = [f for f in a.expect_drm_features.split(",") if f]
    if a.frames is None:
        a.frames = 3 if a.mode == "gl" else 100
    if a.gl_display is None:
        a.gl_display = "egl-headless" if a.device == "qemu" else "none"
    if a.mode == "gl" and "+virgl" not in a.expect_drm_features:
        a.expect_drm_features.append("+virgl")
    if a.mode == "gl" and (a.firmware != "linux" or a.stable or a.heads != 1):
        # gllib reads the one screen its own way (VNC or QMP)
        ap.error("--mode gl boots Linux and reads one screen: no --firmware uefi, --stable or --heads")
    if backend_args and a.device != "vhost-user":
        ap.error("backend arguments given without --device vhost-user")
    return a


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    a.cache = os.path.abspath(a.cache)
    own_out = a.out_dir is None
    if own_out:
        a.out_dir = tempfile.mkdtemp(prefix="vgm-guest-")
    a.out_dir = os.path.abspath(a.out_dir)

    def on_signal(signum, _frame):
        raise Terminated("signal %d" % signum)
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)

    r = Runner(a)
    rc = 1
    try:
        rc = r.run()
    except Skip as e:
        log("SKIP: %s" % e)
        r.result.update(status="skip", reason=str(e))
        rc = SKIP
    except Fail as e:
        log("FAIL: %s" % e)
        r.result.update(status="fail", reason=str(e))
        rc = 1
    except Terminated as e:
        log("interrupted: %s" % e)
        r.result.update(status="fail", reason="interrupted: %s" % e)
        rc = 1
    finally:
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        r.cleanup()
        r.result["exit"] = rc
        try:
            with open(os.path.join(a.out_dir, "result.json"), "w") as f:
                json.dump(r.result, f, indent=2)
        except OSError:
            pass
        if own_out and rc in (0, SKIP) and not a.keep:
            shutil.rmtree(a.out_dir, ignore_errors=True)
        else:
            log("logs in %s" % a.out_dir)
    log("result: %s" % {0: "PASS", 1: "FAIL", SKIP: "SKIP"}.get(rc, rc))
    return rc


if __name__ == "__main__":
    sys.exit(main())
