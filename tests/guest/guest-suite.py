#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""One test of the meson suite `guest`: a Linux guest under QEMU (TCG) on
our vhost-user-gpu backend, checked against the computed pattern and
against the same guest on QEMU's own virtio-gpu-pci.

usage: guest-suite.py CASE --cache DIR --out-dir DIR
                      [--backend VGM_VHOST_USER_GPU] [--replay VGM_REPLAY]

CASE:
  prepare       tests/guest/prepare.sh CACHE (downloads the guest kernel and
                busybox into CACHE; as root, installs QEMU 10 from
                bookworm-backports), then the host-only self test
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

Every case first makes sure CACHE is prepared (prepare.sh, under a lock,
at most once per 10 minutes). Exit: 0 pass, 1 fail, 77 skip (no QEMU >= 10,
no network for the downloads, no backend: the reason is printed).
Logs: OUT_DIR/CASE/<run>/ (serial.log, backend.log, dmesg.txt, ...).
"""

import argparse
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import guestlib  # noqa: E402

SKIP = 77
PREPARE_FRESH_S = 600
REFERENCE = "/usr/lib/qemu/vhost-user-gpu"
# What our backend offers that the guest must see (QEMU passes EDID on).
OUR_FEATURES = "+edid,-virgl"


class Skip(Exception):
    pass


class Fail(Exception):
    pass


def say(msg):
    print("[guest-suite] %s" % msg, flush=True)


def stamp_of():
    h = hashlib.sha256()
    for f in ("prepare.sh", "init.sh", "guestlib.py"):
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


def check_recording(a, trace, screendump):
    """The replay gives the recorded responses and pixels."""
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


def case_ref_pattern(a):
    if not os.access(REFERENCE, os.X_OK):
        raise Skip("no %s (Debian's qemu-system-gui)" % REFERENCE)
    run_guest(a, "ref", "--device", "vhost-user", "--backend", REFERENCE, "--mode", "pattern",
              "--expect-drm-features=+edid")


CASES = {
    "prepare": case_prepare,
    "vgm-pattern": case_vgm_pattern,
    "vgm-fbcon": case_vgm_fbcon,
    "vgm-fd-no-edid": case_vgm_fd_no_edid,
    "vgm-record": case_vgm_record,
    "ref-pattern": case_ref_pattern,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--cache", required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--backend")
    ap.add_argument("--replay")
    a = ap.parse_args()
    a.cache = os.path.abspath(os.environ.get("VGM_GUEST_CACHE") or a.cache)
    a.out_dir = os.path.abspath(os.path.join(a.out_dir, a.case))
    a.backend = a.backend and os.path.abspath(a.backend)
    a.replay = a.replay and os.path.abspath(a.replay)
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
