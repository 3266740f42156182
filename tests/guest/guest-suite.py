#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""One test of the meson suite `guest`: a Linux guest under QEMU (TCG) on
our vhost-user-gpu backend, checked against the computed pattern and
against the same guest on QEMU's own virtio-gpu-pci.

usage: guest-suite.py CASE --cache DIR --out-dir DIR
                      [--backend VGM_VHOST_USER_GPU] [--replay VGM_REPLAY]
                      [--gl-program VGM_GL_GUEST]

CASE:
  prepare       tests/guest/prepare.sh CACHE (downloads the guest kernel,
                busybox and the GL guest's Mesa into CACHE; as root, installs
                QEMU 10 from bookworm-backports), then the host-only self
                tests (guestlib.py's and gllib.py's)
  vgm-pattern   QEMU's virtio-gpu-pci, then our backend, pattern mode: the
                kernel log shows virtio-gpu probed with +edid (and -virgl)
                and no virtio-gpu error; both screendumps equal the pattern
                and each other
  vgm-fbcon     the same with fbcon's text on screen: both screendumps equal
  vgm-fd-no-edid  our backend served on --fd, EDID not offered: the guest
                probes with -edid and still shows the pattern
  vgm-record    our backend with --record at 640x480, fbcon mode: vgm-replay
                runs the recording with every response and the final pixels
                the device had ("# expect:" lines), and its dump equals the
                screendump; the device line carries QEMU's EDID (edid=) and
                every GET_EDID answer is checked exactly: OK_EDID with that
                EDID, a "# expect:" line
  ref-pattern   QEMU's reference backend (/usr/lib/qemu/vhost-user-gpu),
                pattern mode: the harness itself on another backend
  uefi-shell    UEFI firmware (Debian's OVMF) boots to its shell, which runs
                a startup.nsh that clears the screen and prints a fixed
                text: on QEMU's virtio-gpu-pci, then on our backend with
                --record; both screendumps equal each other and the golden
                image golden/uefi-shell.png, which must show the text (so
                two blank screens cannot pass); vgm-replay gives every
                recorded response and the final pixels of the recording
  vgm-two-heads two outputs (max_outputs=2, our backend with --scanouts 2):
                head 0 is QEMU's 1024x768 display, head 1 is forced on by
                the guest at 800x600 (video=Virtual-2:800x600e; a headless
                QEMU connects no display to a second head); the kernel log
                shows both, modetest sets a mode on each, and each head's
                screendump equals QEMU's own device's
  vgm-flips     page flips through our backend: libdrm's modetest -v
                (vsynced flips between its pattern and a plain grey
                framebuffer at 1024x768, the initramfs with modetest) for
                FLIP_SECONDS: modetest completes at least MIN_FLIPS flips
                (it prints a rate every 60), our backend delivers each as
                an UPDATE of the whole frame (its exit summary), and each
                of FLIP_SHOTS screendumps taken while it flips is a whole
                frame of modetest's: its pattern exactly as QEMU's own
                virtio-gpu-pci shows it (still, modetest without -v), or
                all grey; the pattern at least once
  ref-gl        the GL guest (tests/guest/gl) on QEMU's own virtio-gpu-gl-pci
                (virglrenderer on llvmpipe, egl-headless): the kernel log
                shows +virgl, GL_RENDERER is virgl, GL_FRAMES frames each
                read back and checked exactly, and the screen (read through
                VNC) equals the guest's read-back of the last one
  vgm-gl        the same guest on our backend with --virgl behind
                vhost-user-gpu-pci (-display none: 3D scanouts as pixels,
                QMP screendump); skips while the backend offers no virgl
  vgm-gl-record vgm-gl with --record: the recording (renderer=virgl, fenced
                requests answered later, capsets hostdep) replays through
                vgm-replay with every recorded response (capsets: header
                and size) and GET_EDID answer, and its final dump equals
                both the screendump and the guest's read-back

Every case first makes sure CACHE is prepared (prepare.sh, under a lock,
at most once per 10 minutes). Exit: 0 pass, 1 fail, 77 skip (no QEMU >= 10,
no network for the downloads, no backend: the reason is printed).
Logs: OUT_DIR/CASE/<run>/ (serial.log, backend.log, dmesg.txt, ...).
"""

import argparse
import contextlib
import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import guestlib  # noqa: E402

SKIP = 77
PREPARE_FRESH_S = 600
REFERENCE = "/usr/lib/qemu/vhost-user-gpu"
# Frames the GL cases draw: enough for a per-frame CPU figure, each ~0.2 s
# of TCG (the guest checks every pixel).
GL_FRAMES = 20
# What our backend offers that the guest must see (QEMU passes EDID on).
OUR_FEATURES = "+edid,-virgl"
GOLDEN_UEFI = os.path.join(HERE, "golden", "uefi-shell.png")
# The golden trace of that boot: its final dump is the golden image.
GOLDEN_UEFI_TRACE = os.path.join(HERE, "..", "traces", "standard", "recorded-uefi.trace")
# Two heads: head 0 gets QEMU's size (xres, yres); the guest forces head 1
# on with a size of its own, and modetest sets both (vgm.modes). drm's
# debug categories core and KMS log what the device said and the forcing.
TWO_HEADS = ((1024, 768), (800, 600))
# Page flips: modetest -v at 1024x768 for FLIP_SECONDS, FLIP_SHOTS
# screendumps meanwhile (each half a chance of the grey frame: 2^-12 that
# none shows the pattern). A slow machine still flips 20 times a second.
FLIP_SIZE = (1024, 768)
FLIP_ARGS = ("--append", "vgm.modes=Virtual-1:%dx%d" % FLIP_SIZE, "--device-opts",
             "xres=%d,yres=%d" % FLIP_SIZE)
FLIP_SECONDS = 8
FLIP_SHOTS = 12
MIN_FLIPS = 120
# modetest's second framebuffer (UTIL_PATTERN_PLAIN): every byte 0x77.
FLIP_GREY = b"\x77\x77\x77"
TWO_HEADS_APPEND = ("vgm.drmdebug=0x5 video=Virtual-2:%dx%de vgm.modes=Virtual-1:%dx%d,Virtual-2:%dx%d"
                    % (TWO_HEADS[1] + TWO_HEADS[0] + TWO_HEADS[1]))


class Skip(Exception):
    pass


class Fail(Exception):
    pass


def say(msg):
    print("[guest-suite] %s" % msg, flush=True)


def stamp_of():
    h = hashlib.sha256()
    for f in ("prepare.sh", "init.sh", "guestlib.py", "prepare-gl.sh", "gllib.py"):
        with open(os.path.join(HERE, f), "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()


def ensure_prepared(cache):
    """prepare.sh CACHE once per PREPARE_FRESH_S, whoever comes first."""
    os.makedirs(cache, exist_ok=True)
    stamp = os.path.join(cache, "suite.stamp")
    want = stamp_of()
    with open(os.path.join(cache, ".suite.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(stamp) as f:
                fresh = f.read() == want and time.time() - os.path.getmtime(stamp) < PREPARE_FRESH_S
        except OSError:
            fresh = False
        if fresh and os.path.exists(os.path.join(cache, "guest.env")):
            return
        say("tests/guest/prepare.sh %s" % cache)
        rc = subprocess.run([os.path.join(HERE, "prepare.sh"), cache]).returncode
        if rc == SKIP:
            raise Skip("prepare.sh could not get everything (its output above says what)")
        if rc != 0:
            raise Fail("prepare.sh failed with status %d" % rc)
        with open(stamp, "w") as f:
            f.write(want)


def run_guest(a, name, *args, backend_args=()):
    """One boot with run-guest.py; returns its result.json."""
    out = os.path.join(a.out_dir, name)
    shutil.rmtree(out, ignore_errors=True)
    argv = [sys.executable, os.path.join(HERE, "run-guest.py"), "--cache", a.cache,
            "--out-dir", out, "--timeout", "180"] + list(args)
    if backend_args:
        argv += ["--"] + list(backend_args)
    say("%s: run-guest.py %s" % (name, " ".join(args + tuple(["--"] + list(backend_args) if backend_args else []))))
    t = time.monotonic()
    rc = subprocess.run(argv).returncode
    try:
        with open(os.path.join(out, "result.json")) as f:
            res = json.load(f)
    except (OSError, ValueError):
        res = {}
    say("%s: exit %d after %.1f s (logs in %s)" % (name, rc, time.monotonic() - t, out))
    if rc == SKIP:
        raise Skip("%s: %s" % (name, res.get("reason", "run-guest.py skipped")))
    if rc != 0:
        raise Fail("%s: %s" % (name, res.get("reason") or "checks failed (see above)"))
    return res


def compare(what, a_path, b_path, diff):
    ok, msg = guestlib.compare_images(guestlib.read_image(a_path), guestlib.read_image(b_path), diff)
    say("%s: %s" % (what, msg))
    if not ok:
        raise Fail("%s: %s (diff image %s)" % (what, msg, diff))


def need_backend(a):
    if not a.backend or not os.access(a.backend, os.X_OK):
        raise Skip("no vgm-vhost-user-gpu (built with -Dvhost-user-gpu, on Linux)")


def case_prepare(a):
    env = guestlib_env(a.cache)
    rc = subprocess.run([sys.executable, os.path.join(HERE, "guestlib.py"), "selftest",
                         "--busybox", os.path.join(a.cache, "busybox", "bin", "busybox")]).returncode
    if rc != 0:
        raise Fail("guestlib.py selftest failed")
    if subprocess.run([sys.executable, os.path.join(HERE, "gllib.py"), "selftest"]).returncode != 0:
        raise Fail("gllib.py selftest failed")
    if "QEMU" not in env:
        raise Skip("no QEMU >= 10 with %s (prepare.sh says why)" % REFERENCE)


def guestlib_env(cache):
    env = {}
    with open(os.path.join(cache, "guest.env")) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    return env


def case_vgm_pattern(a):
    need_backend(a)
    run_guest(a, "qemu", "--device", "qemu", "--mode", "pattern")
    run_guest(a, "vgm", "--device", "vhost-user", "--backend", a.backend, "--mode", "pattern",
              "--expect-drm-features=" + OUR_FEATURES)
    compare("our screendump vs QEMU's virtio-gpu-pci", os.path.join(a.out_dir, "vgm", "screendump.png"),
            os.path.join(a.out_dir, "qemu", "screendump.png"), os.path.join(a.out_dir, "diff.png"))


def case_vgm_fbcon(a):
    need_backend(a)
    run_guest(a, "qemu", "--device", "qemu", "--mode", "fbcon", "--stable", "1")
    run_guest(a, "vgm", "--device", "vhost-user", "--backend", a.backend, "--mode", "fbcon",
              "--stable", "1", "--expect-drm-features=" + OUR_FEATURES)
    compare("our screendump vs QEMU's virtio-gpu-pci", os.path.join(a.out_dir, "vgm", "screendump.png"),
            os.path.join(a.out_dir, "qemu", "screendump.png"), os.path.join(a.out_dir, "diff.png"))


def case_vgm_fd_no_edid(a):
    need_backend(a)
    run_guest(a, "vgm", "--device", "vhost-user", "--backend", a.backend, "--backend-fd",
              "--mode", "pattern", "--expect-drm-features=-edid,-virgl",
              backend_args=["--no-edid"])


def replay(a, trace, workdir):
    """vgm-replay TRACE in workdir: its output lines."""
    if not a.replay or not os.access(a.replay, os.X_OK):
        raise Skip("no vgm-replay")
    p = subprocess.run([a.replay, trace], cwd=workdir, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise Fail("vgm-replay %s: exit %d: %s" % (trace, p.returncode, p.stderr.strip()))
    return p.stdout.splitlines()


def check_edid(text):
    """QEMU's EDID is on the device line (edid=0:...), and each GET_EDID
    is followed by an exact expectation (which the replay must print):
    OK_EDID, 1056 bytes, the size and bytes of the device line's edid= of
    that scanout, zeros after them."""
    lines = text.splitlines()
    device = [l.split() for l in lines if l.startswith("device ")]
    if len(device) != 1:
        raise Fail("the recording has %d device lines" % len(device))
    edids = {}
    for key in device[0][1:]:
        if key.startswith("edid="):
            s, hexbytes = key[5:].split(":", 1)
            edids[int(s, 0)] = bytes.fromhex(hexbytes)
    if 0 not in edids:
        raise Fail("the device line does not carry QEMU's EDID for scanout 0 (edid=0:...)")
    checked = 0
    for i, l in enumerate(lines):
        if not (l.startswith("ctrl") and l.endswith("# GET_EDID")):
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if not nxt.startswith("# expect: ctrl "):
            raise Fail("GET_EDID at line %d is not checked exactly: %s" % (i + 1, nxt[:80]))
        req = bytes.fromhex("".join(t for t in l.split("#")[0].split()[1:]
                                    if not t.startswith("resp=") and t != "|"))
        resp = bytes.fromhex(nxt.split("# expect: ctrl ", 1)[1])
        if len(req) < 32 or len(resp) != 1056 or resp[:4] != bytes.fromhex("04110000"):
            raise Fail("GET_EDID at line %d: not a whole OK_EDID answer" % (i + 1))
        scanout = int.from_bytes(req[24:28], "little")
        want = edids.get(scanout)
        size = int.from_bytes(resp[24:28], "little")
        if want is None or size != len(want) or resp[32:32 + size] != want or any(resp[32 + size:]):
            raise Fail("GET_EDID at line %d: the answer is not the EDID of edid=%d:..."
                       % (i + 1, scanout))
        checked += 1
    if not checked:
        raise Fail("the recording has no GET_EDID (the guest probes with +edid)")
    say("recording: %d GET_EDID answers are QEMU's EDID (%s), checked exactly"
        % (checked, ", ".join("scanout %d: %d bytes" % (s, len(e)) for s, e in sorted(edids.items()))))


def check_recording(a, trace, screendump, edid=True):
    """The replay gives the recorded responses and pixels (and, with edid,
    the guest asked for QEMU's EDIDs and got them)."""
    with open(trace) as f:
        text = f.read()
    expect = [l.split("# expect:", 1)[1].strip() for l in text.splitlines() if l.startswith("# expect:")]
    recorded = [l.split("# recorded:", 1)[1].strip() for l in text.splitlines()
                if l.startswith("# recorded:")]
    ctrl_in = sum(1 for l in text.splitlines() if l.startswith("ctrl"))
    work = tempfile.mkdtemp(prefix="vgm-replay-", dir=a.out_dir)
    out = replay(a, trace, work)
    ctrl_out = [l for l in out if l.startswith("ctrl")]
    missing = [e for e in expect if e not in out]
    say("recording: %d bytes, %d ctrl requests, %d expectations (%d missing), %d recorded-only"
        % (len(text), ctrl_in, len(expect), len(missing), len(recorded)))
    if len(ctrl_out) != ctrl_in:
        raise Fail("replay printed %d responses for %d ctrl lines" % (len(ctrl_out), ctrl_in))
    if missing:
        raise Fail("replay differs from the recording: %s" % missing[0][:200])
    if edid:
        check_edid(text)
    for r in recorded:  # a random UUID: the header must agree
        if r not in out and not any(o[:5 + 48] == r[:5 + 48] for o in ctrl_out):
            raise Fail("replay's response differs in its header: %s" % r[:80])
    dumps = [l.split()[-1] for l in out if re.match(r"dump \d+ \d+x\d+ crc=", l)]
    if not dumps:
        raise Fail("the recording shows nothing at its end")
    compare("replayed dump vs live screendump", os.path.join(work, dumps[0]), screendump,
            os.path.join(a.out_dir, "replay-diff.png"))


def case_vgm_record(a):
    need_backend(a)
    trace = os.path.join(a.out_dir, "recording.trace")
    run_guest(a, "vgm", "--device", "vhost-user", "--backend", a.backend, "--mode", "fbcon",
              "--stable", "1", "--device-opts", "xres=640,yres=480",
              "--expect-drm-features=" + OUR_FEATURES, backend_args=["--record", trace])
    check_recording(a, trace, os.path.join(a.out_dir, "vgm", "screendump.png"))


def case_uefi_shell(a):
    need_backend(a)
    golden = guestlib.read_image(GOLDEN_UEFI)
    ok, msg = guestlib.check_text(golden, guestlib.UEFI_TEXT)
    say("golden image %s: %s" % (os.path.relpath(GOLDEN_UEFI, HERE), msg))
    if not ok:
        raise Fail("the golden image does not show the shell's text: %s" % msg)
    want = "# expect: dump 0 %dx%d crc=%08x " % (golden.w, golden.h, zlib.crc32(golden.rgb))
    with open(GOLDEN_UEFI_TRACE) as f:
        if not any(l.startswith(want) for l in f):
            raise Fail("the golden trace recorded-uefi.trace does not end on the golden image (%s)" % want)
    run_guest(a, "qemu", "--firmware", "uefi", "--device", "qemu", "--stable", "1")
    trace = os.path.join(a.out_dir, "recording.trace")
    run_guest(a, "vgm", "--firmware", "uefi", "--device", "vhost-user", "--backend", a.backend,
              "--stable", "1", backend_args=["--record", trace])
    ours = os.path.join(a.out_dir, "vgm", "screendump.png")
    compare("our screendump vs QEMU's virtio-gpu-pci", ours, os.path.join(a.out_dir, "qemu", "screendump.png"),
            os.path.join(a.out_dir, "diff.png"))
    compare("our screendump vs the golden image", ours, GOLDEN_UEFI, os.path.join(a.out_dir, "golden-diff.png"))
    check_recording(a, trace, ours, edid=False)


def check_two_heads(out):
    """One boot of vgm-two-heads: the kernel log shows the device's two
    scanouts, head 0's size from the device and head 1 forced on at its
    size; modetest set both modes; the screendumps have those sizes and
    head 1 shows modetest's bars."""
    (w0, h0), (w1, h1) = TWO_HEADS
    with open(os.path.join(out, "dmesg.txt")) as f:
        dmesg = f.read()
    with open(os.path.join(out, "serial.log"), errors="replace") as f:
        serial = f.read()
    wants = [("the device has two scanouts", r"\[drm\] number of scanouts: 2"),
             ("head 0 is the device's %dx%d display" % (w0, h0), r"output 0: %dx%d\+0\+0" % (w0, h0)),
             ("the guest forces head 1 on", r"forcing Virtual-2 connector on"),
             ("at %dx%d" % (w1, h1), r"cmdline mode for connector Virtual-2\s+%dx%d" % (w1, h1))]
    for what, rx in wants:
        if not re.search(rx, dmesg):
            raise Fail("%s: the kernel log does not show that %s (/%s/)" % (out, what, rx))
    for conn in ("Virtual-1", "Virtual-2"):
        if "VGM-GUEST-INFO connector %s connected" % conn not in serial:
            raise Fail("%s: connector %s is not connected (serial.log)" % (out, conn))
    m = re.search(r"VGM-GUEST-INFO modetest set 2 modes:.*", serial)
    if not m or 'crtc-0 mode: "%dx%d"' % (w0, h0) not in m.group(0) \
            or 'crtc-1 mode: "%dx%d"' % (w1, h1) not in m.group(0):
        raise Fail("%s: modetest did not set %dx%d and %dx%d (serial.log)" % (out, w0, h0, w1, h1))
    for head, (w, h) in enumerate(TWO_HEADS):
        img = guestlib.read_image(os.path.join(out, "screendump%s.png" % ("-head%d" % head if head else "")))
        colours = len(set(img.rgb[i:i + 3] for i in range(0, len(img.rgb), 3)))
        if (img.w, img.h) != (w, h) or colours < 7:
            raise Fail("%s: head %d shows %dx%d in %d colours, not modetest's bars at %dx%d"
                       % (out, head, img.w, img.h, colours, w, h))
    say("%s: two scanouts, head 0 %dx%d, head 1 forced on at %dx%d, both set by modetest"
        % (os.path.basename(out), w0, h0, w1, h1))


def case_vgm_two_heads(a):
    need_backend(a)
    args = ("--mode", "kms", "--heads", "2", "--append", TWO_HEADS_APPEND, "--device-opts",
            "max_outputs=2,xres=%d,yres=%d" % TWO_HEADS[0])
    run_guest(a, "qemu", "--device", "qemu", *args)
    run_guest(a, "vgm", "--device", "vhost-user", "--backend", a.backend,
              "--expect-drm-features=" + OUR_FEATURES, *args, backend_args=["--scanouts", "2"])
    for name in ("qemu", "vgm"):
        check_two_heads(os.path.join(a.out_dir, name))
    for head in range(2):
        f = "screendump%s.png" % ("-head%d" % head if head else "")
        compare("head %d: our screendump vs QEMU's virtio-gpu-pci" % head, os.path.join(a.out_dir, "vgm", f),
                os.path.join(a.out_dir, "qemu", f), os.path.join(a.out_dir, "diff-head%d.png" % head))


def check_flips(res, out, bars):
    """One boot of vgm-flips: enough flips, each delivered whole, and the
    screendumps taken while flipping each a whole frame of modetest's."""
    freq = res.get("flips", {}).get("freq_hz", [])
    flips = 60 * len(freq)
    say("modetest -v: %d flips counted in %d s, %s" % (flips, FLIP_SECONDS, "rate per 60 flips %.0f Hz "
        "(median; %.0f-%.0f)" % (statistics.median(freq), min(freq), max(freq)) if freq else "no rate"))
    if flips < MIN_FLIPS:
        raise Fail("modetest flipped %d times in %d s, fewer than %d" % (flips, FLIP_SECONDS, MIN_FLIPS))
    counts = {}
    with open(os.path.join(out, "backend.log"), errors="replace") as f:
        for line in f:
            m = re.search(r"display: (\d+) UPDATE messages, (\d+) bytes", line)
            if m:
                counts = {"updates": int(m[1]), "frames": int(m[2]) // (FLIP_SIZE[0] * FLIP_SIZE[1] * 4)}
    if counts.get("frames", 0) < flips:
        raise Fail("our backend sent %s whole frames to QEMU for %d flips" % (counts.get("frames"), flips))
    shots = res.get("flips", {}).get("screendumps", [])
    kinds = []
    for path in shots:
        img = guestlib.read_image(path)
        if img.rgb == bars.rgb and (img.w, img.h) == (bars.w, bars.h):
            kinds.append("pattern")
        elif (img.w, img.h) == FLIP_SIZE and img.rgb == FLIP_GREY * (img.w * img.h):
            kinds.append("grey")
        else:
            raise Fail("%s is neither modetest's pattern nor its grey frame: a torn or wrong frame"
                       % path)
    say("%d screendumps while flipping: %d of the pattern, %d grey" % (
        len(kinds), kinds.count("pattern"), kinds.count("grey")))
    if len(kinds) != FLIP_SHOTS or "pattern" not in kinds:
        raise Fail("the screen never showed modetest's pattern while it flipped (%s)" % kinds)


def case_vgm_flips(a):
    need_backend(a)
    run_guest(a, "qemu", "--device", "qemu", "--mode", "kms", *FLIP_ARGS)
    bars = guestlib.read_image(os.path.join(a.out_dir, "qemu", "screendump.png"))
    res = run_guest(a, "vgm", "--device", "vhost-user", "--backend", a.backend, "--mode", "flips",
                    "--seconds", str(FLIP_SECONDS), "--flip-shots", str(FLIP_SHOTS),
                    "--flip-interval", "0.2", "--expect-drm-features=" + OUR_FEATURES, *FLIP_ARGS,
                    backend_args=["--log-level=info"])
    check_flips(res, os.path.join(a.out_dir, "vgm"), bars)


def case_ref_pattern(a):
    if not os.access(REFERENCE, os.X_OK):
        raise Skip("no %s (Debian's qemu-system-gui)" % REFERENCE)
    run_guest(a, "ref", "--device", "vhost-user", "--backend", REFERENCE, "--mode", "pattern",
              "--expect-drm-features=+edid")


def need_gl_program(a):
    if not a.gl_program or not os.access(a.gl_program, os.X_OK):
        raise Skip("no vgm-gl-guest: tests/guest/gl is built when libegl-dev, libgles-dev and "
                   "libgbm-dev are installed")


def gl_summary(res):
    g = res.get("gl", {})
    say("GL: boot to first frame %s s (guest uptime %s s), %d frames in %s ms; per frame (median ms): %s; "
        "CPU per frame after the first (ms): %s, of which not vCPU: %s; QMP screendump: %s"
        % (res.get("time_to_first_frame_s"), g.get("guest_uptime_first_frame_s"), len(g.get("frames", [])),
           g.get("frame_ms", {}).get("total_ms"),
           ", ".join("%s %s" % (k[:-3], v["median"]) for k, v in g.get("frame_ms", {}).items()
                     if isinstance(v, dict)),
           g.get("cpu_per_frame_ms"), g.get("device_cpu_per_frame_ms"), g.get("qmp_screendump")))


def case_ref_gl(a):
    need_gl_program(a)
    gl_summary(run_guest(a, "qemu-gl", "--device", "qemu", "--mode", "gl", "--gl-program", a.gl_program,
                         "--frames", str(GL_FRAMES)))


def backend_offers_virgl(backend):
    """vhost-user.rst: a GPU backend lists "virgl" in --print-capabilities."""
    p = subprocess.run([backend, "--print-capabilities"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       text=True)
    try:
        return p.returncode == 0 and "virgl" in json.loads(p.stdout).get("features", [])
    except ValueError:
        return False


@contextlib.contextmanager
def no_leak_check():
    """In a sanitizer build, LeakSanitizer finds two 56-byte blocks at exit
    that it can name no function of (<unknown module>: Mesa's driver,
    unloaded by then), in the backend and in vgm-replay alike after the GL
    guest's commands, and its report then needs calls the backend's
    sandbox refuses. The leak check is off for the GL cases only; the
    backend's own 3D path is checked with it on by the backend suite
    (vhost-user-virgl, vhost-user-virgl-record)."""
    saved = os.environ.get("ASAN_OPTIONS")
    os.environ["ASAN_OPTIONS"] = (saved + ":" if saved else "") + "detect_leaks=0"
    try:
        yield
    finally:
        if saved is None:
            del os.environ["ASAN_OPTIONS"]
        else:
            os.environ["ASAN_OPTIONS"] = saved


def run_vgm_gl(a, name, backend_args=()):
    """The GL guest on our backend with --virgl (and backend_args)."""
    need_backend(a)
    need_gl_program(a)
    if not backend_offers_virgl(a.backend):
        raise Skip("%s offers no 3D: its --print-capabilities lists no \"virgl\" (built without "
                   "virglrenderer, or no surfaceless EGL here)" % os.path.basename(a.backend))
    with no_leak_check():
        res = run_guest(a, name, "--device", "vhost-user", "--backend", a.backend, "--mode",
                        "gl", "--gl-program", a.gl_program, "--frames", str(GL_FRAMES),
                        backend_args=["--virgl"] + list(backend_args))
    gl_summary(res)


def case_vgm_gl(a):
    run_vgm_gl(a, "vgm-gl")


def case_vgm_gl_record(a):
    trace = os.path.join(a.out_dir, "recording.trace")
    run_vgm_gl(a, "vgm-gl", ["--record", trace])
    with open(trace) as f:
        text = f.read()
    if not re.search(r"^device .* renderer=virgl", text, re.M):
        raise Fail("the recording's device line does not say renderer=virgl")
    later = text.count("in flight (answered here):")
    hostdep = len(re.findall(r"^ctrl resp=\S+ hostdep ", text, re.M))
    say("recording: %d SUBMIT_3D, %d responses of requests answered later, %d hostdep (capsets)"
        % (len(re.findall(r"# SUBMIT_3D$", text, re.M)), later, hostdep))
    if not later or not hostdep:
        raise Fail("the recording has no request answered later (%d) or no capset (%d)" % (later, hostdep))
    out = os.path.join(a.out_dir, "vgm-gl")
    with no_leak_check():
        check_recording(a, trace, os.path.join(out, "screendump.png"))
    compare("replayed dump vs the guest's read-back",
            glob.glob(os.path.join(a.out_dir, "vgm-replay-*", "scanout-0.ppm"))[0],
            os.path.join(out, "readback.png"), os.path.join(a.out_dir, "replay-readback-diff.png"))


CASES = {
    "prepare": case_prepare,
    "vgm-pattern": case_vgm_pattern,
    "vgm-fbcon": case_vgm_fbcon,
    "vgm-fd-no-edid": case_vgm_fd_no_edid,
    "vgm-record": case_vgm_record,
    "ref-pattern": case_ref_pattern,
    "uefi-shell": case_uefi_shell,
    "vgm-two-heads": case_vgm_two_heads,
    "vgm-flips": case_vgm_flips,
    "ref-gl": case_ref_gl,
    "vgm-gl": case_vgm_gl,
    "vgm-gl-record": case_vgm_gl_record,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--cache", required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--backend")
    ap.add_argument("--replay")
    ap.add_argument("--gl-program")
    a = ap.parse_args()
    a.cache = os.path.abspath(os.environ.get("VGM_GUEST_CACHE") or a.cache)
    a.out_dir = os.path.abspath(os.path.join(a.out_dir, a.case))
    a.backend = a.backend and os.path.abspath(a.backend)
    a.replay = a.replay and os.path.abspath(a.replay)
    a.gl_program = a.gl_program and os.path.abspath(a.gl_program)
    t = time.monotonic()
    try:
        ensure_prepared(a.cache)
        shutil.rmtree(a.out_dir, ignore_errors=True)
        os.makedirs(a.out_dir)
        CASES[a.case](a)
    except Skip as e:
        say("SKIP %s: %s" % (a.case, e))
        return SKIP
    except Fail as e:
        say("FAIL %s: %s" % (a.case, e))
        return 1
    say("PASS %s in %.1f s" % (a.case, time.monotonic() - t))
    return 0


if __name__ == "__main__":
    sys.exit(main())
