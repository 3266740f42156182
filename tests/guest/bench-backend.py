#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Our vhost-user-gpu backend against QEMU's reference one, the same guest:
host CPU time for 100 frames, or page flips per second.

usage: bench-backend.py [--cache DIR] [--runs R] [--out-dir DIR]
                        [--reference PATH] [--backend-args ARGS]
                        [--frames N | --flips [--seconds S] [--qemu]] BACKEND

CPU (the default): the same guest boots with each backend (run-guest.py
--mode bench): it writes the test pattern, then N whole frames to /dev/fb0,
alternating the pattern and the pattern moved by one byte so that every
pixel changes every frame; each write is one TRANSFER_TO_HOST_2D +
RESOURCE_FLUSH pair of the whole screen (1280x800 XRGB8888, 4000 KiB) and
one UPDATE message of as many bytes to QEMU. The backend's CPU time is its
user + system time over the whole run (boot, the frames, exit), read by
run-guest.py from wait4() when it exits: every thread, kernel time of its
socket writes included. BACKEND's exit summary (--log-level=info) must show
at least N transfers and N flushes, and N UPDATE messages of a whole frame
each: the run shape is checked, not assumed.

Flips (--flips): the guest runs libdrm's modetest -v at 1024x768
(run-guest.py --mode flips): vsynced page flips between two framebuffers
for S seconds, each flip a TRANSFER_TO_HOST_2D of the whole new
framebuffer (3 MiB), a SET_SCANOUT and a fenced RESOURCE_FLUSH that the
guest waits for. modetest prints its rate after every 60 flips; a run's
rate is the flips over the time of all those periods but the first (the
mode set, the first frames). BACKEND's summary must show an UPDATE of a
whole frame for every flip counted. --qemu adds QEMU's own virtio-gpu-pci
to each round (no backend: for scale).

Runs alternate between the backends (R runs each, the order turned every
round); the figures are the medians, with the smallest and largest run
beside them, and the machine's load (uptime's load averages) before and
after. Prints one row for the results table of vhost-user-gpu/README.md.

Exit: 0 measured, 1 a run failed, 77 cannot run here (see run-guest.py).
"""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = "/usr/lib/qemu/vhost-user-gpu"
SKIP = 77
FLIP_SIZE = (1024, 768)
FLIP_APPEND = "vgm.modes=Virtual-1:%dx%d" % FLIP_SIZE


class RunFailed(Exception):
    def __init__(self, rc):
        Exception.__init__(self, rc)
        self.rc = rc


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%s, %d CPUs, Linux %s" % (model, os.cpu_count() or 0, platform.release())


def load():
    """uptime's load averages (1, 5, 15 minutes)."""
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def summary_counts(log_path):
    """Counts from vgm-vhost-user-gpu's exit summary (--log-level=info)."""
    counts = {}
    with open(log_path, errors="replace") as f:
        for line in f:
            m = re.search(r"  (\w+) \(0x[0-9a-f]+\): (\d+)$", line)
            if m:
                counts[m[1]] = int(m[2])
            m = re.search(r"display: (\d+) UPDATE messages, (\d+) bytes", line)
            if m:
                counts["UPDATE"], counts["UPDATE_BYTES"] = int(m[1]), int(m[2])
    return counts


def spread(values, fmt):
    """median (min-max)"""
    return (fmt + " (" + fmt + "-" + fmt + ")") % (statistics.median(values), min(values), max(values))


def run_one(a, name, device, backend, backend_args, out):
    argv = [sys.executable, os.path.join(HERE, "run-guest.py"), "--cache", a.cache, "--device", device,
            "--out-dir", out]
    if device == "vhost-user":
        argv += ["--backend", backend]
    if a.flips:
        argv += ["--mode", "flips", "--seconds", str(a.seconds), "--timeout", "120",
                 "--device-opts", "xres=%d,yres=%d" % FLIP_SIZE, "--append", FLIP_APPEND]
    else:
        argv += ["--mode", "bench", "--frames", str(a.frames), "--timeout", str(60 + a.frames)]
    if backend_args:
        argv += ["--"] + backend_args
    rc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).returncode
    try:
        with open(os.path.join(out, "result.json")) as f:
            res = json.load(f)
    except (OSError, ValueError):
        res = {}
    if rc != 0:
        print("%s: run-guest.py exited %d: %s (logs in %s)" % (name, rc, res.get("reason", "?"), out))
        raise RunFailed(SKIP if rc == SKIP else 1)
    return res


def flip_rate(res):
    """Flips per second over modetest's periods of 60 but the first, and
    the flips counted (all periods)."""
    freq = res.get("flips", {}).get("freq_hz", [])
    if len(freq) < 2:
        return None, 60 * len(freq)
    return (len(freq) - 1) / sum(1.0 / f for f in freq[1:]), 60 * len(freq)


def check_shape(a, res, out):
    """BACKEND's summary shows the run's work delivered: an UPDATE of a
    whole frame for each frame (or flip). @return a line to print."""
    c = summary_counts(os.path.join(out, "backend.log"))
    w, h = FLIP_SIZE if a.flips else res["geometry"][:2]
    full = c.get("UPDATE_BYTES", 0) // (w * h * 4)
    if a.flips:
        want = flip_rate(res)[1]
        line = "%d flips counted, %d TRANSFER_TO_HOST_2D, %d UPDATE (%d whole frames)" % (
            want, c.get("TRANSFER_TO_HOST_2D", 0), c.get("UPDATE", 0), full)
        if min(c.get("TRANSFER_TO_HOST_2D", 0), full) < want:
            raise ValueError(line + ": fewer frames reached QEMU than modetest flipped")
        return line
    line = "%d TRANSFER_TO_HOST_2D, %d RESOURCE_FLUSH, %d UPDATE (%d bytes, %d whole frames)" % (
        c.get("TRANSFER_TO_HOST_2D", 0), c.get("RESOURCE_FLUSH", 0), c.get("UPDATE", 0),
        c.get("UPDATE_BYTES", 0), full)
    if min(c.get("TRANSFER_TO_HOST_2D", 0), c.get("RESOURCE_FLUSH", 0), full) < a.frames:
        raise ValueError(line + ": fewer than %d frames reached the backend" % a.frames)
    return line


def measure(a, name, device, backend, args, out):
    """One run: its figures as {"cpu": {...}, "hz": ..., "load": ...}."""
    before = load()
    res = run_one(a, name, device, backend, args, out)
    cpu = res.get("cpu_s", {}).get("backend" if device == "vhost-user" else "qemu")
    fig = {"cpu": cpu, "load": [before, load()]}
    if a.flips:
        fig["hz"], fig["flips"] = flip_rate(res)
        if fig["hz"] is None:
            print("%s: modetest flipped fewer than 120 times (logs in %s)" % (name, out))
            raise RunFailed(1)
        print("  %-10s %.1f flips/s (%d flips counted); cpu %.3f s; load %s" % (
            name, fig["hz"], fig["flips"], cpu["total"], before), flush=True)
    else:
        print("  %-10s cpu %.3f s (user %.3f, system %.3f, %d page faults); guest wrote %s frames"
              " in %.1f s; load %s" % (
            name, cpu["total"], cpu["user"], cpu["system"], cpu["page_faults"], res["bench"]["frames"],
            float(res["bench"]["end"]) - float(res["bench"]["start"]), before), flush=True)
    if name == "ours" and not a.no_summary:
        print("             " + check_shape(a, res, out), flush=True)
    return fig


def peers(a):
    """(name, device, backend, its arguments) for each peer of a round."""
    ours = ([] if a.no_summary else ["--log-level=info"]) + a.backend_args.split()
    p = [("ours", "vhost-user", a.backend, ours), ("reference", "vhost-user", a.reference, [])]
    if a.flips and a.qemu:
        p.append(("qemu", "qemu", None, []))
    return p


def report(a, runs, loads):
    names = list(runs)
    print()
    if a.flips:
        print("flips per second over %d runs each, modetest -v at %dx%d, %d s each:" % (
            a.runs, FLIP_SIZE[0], FLIP_SIZE[1], a.seconds))
        med = {k: statistics.median(r["hz"] for r in v) for k, v in runs.items()}
        for k in names:
            cpu = spread([1000 * r["cpu"]["total"] / r["flips"] for r in runs[k]], "%.2f")
            print("  %-10s %s Hz; %s CPU per flip %s ms" % (
                k, spread([r["hz"] for r in runs[k]], "%.1f"), "QEMU's" if k == "qemu" else "backend",
                cpu))
        ratio = med["ours"] / med["reference"]
        print("  ours / reference: %.2fx the flips per second" % ratio)
    else:
        print("median CPU seconds over %d runs each, %d frames:" % (a.runs, a.frames))
        med = {k: statistics.median(r["cpu"]["total"] for r in v) for k, v in runs.items()}
        for k in names:
            print("  %-10s %s s (user %.3f, system %.3f; page faults %s)" % (
                k, spread([r["cpu"]["total"] for r in runs[k]], "%.3f"),
                statistics.median(r["cpu"]["user"] for r in runs[k]),
                statistics.median(r["cpu"]["system"] for r in runs[k]),
                spread([r["cpu"]["page_faults"] for r in runs[k]], "%d")))
        ratio = med["ours"] / med["reference"]
        print("  ratio      %.2fx (run by run: %s)" % (ratio, spread(
            [o["cpu"]["total"] / r["cpu"]["total"] for o, r in zip(runs["ours"], runs["reference"])],
            "%.2f")))
    print("  load averages (uptime): before %s, after %s" % loads)
    print()
    unit = "%.1f" if a.flips else "%.3f"
    key = (lambda r: r["hz"]) if a.flips else (lambda r: r["cpu"]["total"])
    print("| %s | %s | %d | %s | %s | %.2fx | %s / %s |" % (
        machine(), datetime.date.today().isoformat(), a.runs,
        spread([key(r) for r in runs["ours"]], unit), spread([key(r) for r in runs["reference"]], unit),
        ratio, loads[0], loads[1]))
    return med, ratio


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("backend", help="the backend to measure (vgm-vhost-user-gpu)")
    ap.add_argument("--reference", default=REFERENCE, help="default " + REFERENCE)
    ap.add_argument("--cache", default="build/guest-cache",
                    help="prepared by prepare.sh; $VGM_GUEST_CACHE wins, as in guest-suite.py")
    ap.add_argument("--frames", type=int, default=100)
    ap.add_argument("--flips", action="store_true", help="page flips per second (modetest -v)")
    ap.add_argument("--seconds", type=int, default=10, help="--flips: seconds of flips a run (default 10)")
    ap.add_argument("--qemu", action="store_true", help="--flips: QEMU's own virtio-gpu-pci too")
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--out-dir", default="build/guest-bench")
    ap.add_argument("--backend-args", default="", help="more arguments for BACKEND, e.g. --no-zero-copy")
    ap.add_argument("--no-summary", action="store_true",
                    help="BACKEND has no exit summary (another build): do not check the run shape")
    a = ap.parse_args()
    a.cache = os.path.abspath(os.environ.get("VGM_GUEST_CACHE") or a.cache)
    runs = {name: [] for name, _, _, _ in peers(a)}
    loads = [load()]
    kind = "flips" if a.flips else "cpu"
    try:
        for r in range(a.runs):
            print("run %d of %d" % (r + 1, a.runs), flush=True)
            order = peers(a)
            if r % 2:
                order.reverse()
            for name, device, backend, args in order:
                out = os.path.join(a.out_dir, "%s-%s-%d" % (kind, name, r + 1))
                runs[name].append(measure(a, name, device, backend, args, out))
    except RunFailed as e:
        return e.rc
    except (ValueError, KeyError) as e:
        print("ours: the run shape is wrong: %s" % e)
        return 1
    loads.append(load())
    med, ratio = report(a, runs, tuple(loads))
    os.makedirs(a.out_dir, exist_ok=True)
    with open(os.path.join(a.out_dir, "bench-%s.json" % kind), "w") as f:
        json.dump({"machine": machine(), "kind": kind, "frames": a.frames, "seconds": a.seconds,
                   "runs": runs, "median": med, "ratio": ratio, "load": loads}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
