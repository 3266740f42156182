#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Host CPU time of a vhost-user-gpu backend against QEMU's reference one.

usage: bench-backend.py [--cache DIR] [--frames N] [--runs R] [--out-dir DIR]
                        [--reference PATH] BACKEND

The same guest boots with each backend (run-guest.py --mode bench): it
writes the test pattern, then N whole frames to /dev/fb0, alternating the
pattern and the pattern moved by one byte so that every pixel changes
every frame; each write is one TRANSFER_TO_HOST_2D + RESOURCE_FLUSH pair of
the whole screen (1280x800 XRGB8888, 4000 KiB) and one UPDATE message of
as many bytes to QEMU. The backend's CPU time is its user + system time
over the whole run (boot, the frames, exit), read by run-guest.py from
wait4() when it exits: every thread, kernel time of its socket writes
included.

Runs alternate between the two backends (R runs each); the figures are
the medians. BACKEND runs with --log-level=info and its exit summary must
show at least N transfers and N flushes, and N UPDATE messages of a whole
frame each: the run shape is checked, not assumed. Prints one row for
the results table of vhost-user-gpu/README.md.

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


def run_one(a, name, backend, backend_args, out):
    argv = [sys.executable, os.path.join(HERE, "run-guest.py"), "--cache", a.cache,
            "--device", "vhost-user", "--backend", backend, "--mode", "bench",
            "--frames", str(a.frames), "--timeout", str(60 + a.frames), "--out-dir", out]
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
        sys.exit(SKIP if rc == SKIP else 1)
    cpu = res["cpu_s"]["backend"]
    print("  %-10s cpu %.3f s (user %.3f, system %.3f); guest wrote %s frames in %.1f s" % (
        name, cpu["total"], cpu["user"], cpu["system"], res["bench"]["frames"],
        float(res["bench"]["end"]) - float(res["bench"]["start"])), flush=True)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("backend", help="the backend to measure (vgm-vhost-user-gpu)")
    ap.add_argument("--reference", default=REFERENCE, help="default " + REFERENCE)
    ap.add_argument("--cache", default="build/guest-cache", help="prepared by prepare.sh")
    ap.add_argument("--frames", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out-dir", default="build/guest-bench")
    ap.add_argument("--backend-args", default="", help="more arguments for BACKEND, e.g. --no-zero-copy")
    ap.add_argument("--no-summary", action="store_true",
                    help="BACKEND has no exit summary (another build): do not check the run shape")
    a = ap.parse_args()
    a.cache = os.path.abspath(a.cache)
    ours, ref = [], []
    frame_bytes = None
    for r in range(a.runs):
        print("run %d of %d" % (r + 1, a.runs), flush=True)
        args = ([] if a.no_summary else ["--log-level=info"]) + a.backend_args.split()
        order = [("ours", a.backend, args, ours), ("reference", a.reference, [], ref)]
        if r % 2:
            order.reverse()
        for name, backend, args, acc in order:
            out = os.path.join(a.out_dir, "%s-%d" % (name, r + 1))
            res = run_one(a, name, backend, args, out)
            acc.append(res["cpu_s"]["backend"])
            if name != "ours" or a.no_summary:
                continue
            c = summary_counts(os.path.join(out, "backend.log"))
            w, h = res["geometry"][:2]
            frame_bytes = w * h * 4
            full = c.get("UPDATE_BYTES", 0) // frame_bytes
            print("             %d TRANSFER_TO_HOST_2D, %d RESOURCE_FLUSH, %d UPDATE (%d bytes, %d whole frames)"
                  % (c.get("TRANSFER_TO_HOST_2D", 0), c.get("RESOURCE_FLUSH", 0), c.get("UPDATE", 0),
                     c.get("UPDATE_BYTES", 0), full))
            if min(c.get("TRANSFER_TO_HOST_2D", 0), c.get("RESOURCE_FLUSH", 0), full) < a.frames:
                print("ours: fewer than %d frames reached the backend: the run shape is wrong" % a.frames)
                return 1
    med = {k: {f: statistics.median(x[f] for x in v) for f in ("user", "system", "total")}
           for k, v in (("ours", ours), ("reference", ref))}
    ratio = med["ours"]["total"] / med["reference"]["total"]
    print()
    print("median CPU seconds over %d runs, %d frames of %s bytes:" % (a.runs, a.frames, frame_bytes or "?"))
    for k in ("ours", "reference"):
        print("  %-10s %.3f (user %.3f, system %.3f); runs: %s" % (
            k, med[k]["total"], med[k]["user"], med[k]["system"],
            " ".join("%.3f" % x["total"] for x in (ours if k == "ours" else ref))))
    print("  ratio      %.2f" % ratio)
    print()
    print("| %s | %s | %d | %.3f | %.3f | %.2fx |" % (
        machine(), datetime.date.today().isoformat(), a.frames, med["ours"]["total"],
        med["reference"]["total"], ratio))
    os.makedirs(a.out_dir, exist_ok=True)
    with open(os.path.join(a.out_dir, "bench.json"), "w") as f:
        json.dump({"machine": machine(), "frames": a.frames, "runs": a.runs, "ours": ours,
                   "reference": ref, "median": med, "ratio": ratio}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
