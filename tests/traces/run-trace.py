#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Replays golden traces with vgm-replay and compares what it prints.

For each NAME.trace:
  - vgm-replay --annotate NAME.trace runs in a fresh temporary directory
    (dump paths are relative to it);
  - its stdout must equal NAME.out line for line; the first differing line
    is shown with its number and, for request output, the trace line that
    produced it;
  - with NAME.err, the replay must exit 1 and its stderr equal NAME.err;
    without, it must exit 0 with nothing on stderr (renderer=virgl: stderr
    is virglrenderer's own diagnostics and not checked);
  - exit 77 (renderer=virgl where virgl cannot run) skips the trace; when
    every trace given was skipped, this script exits 77 too (meson: SKIP);
  - every "dump S WxH crc=C PATH" line is checked against the file: a binary
    PPM (P6, maxval 255) of that size whose pixel bytes have CRC-32 C;
  - every "# expect: LINE" comment of the trace (an expectation computed
    independently of the library, see docs/trace-format.md) must appear as
    an output line;
  - fewer than 20 "log warning" lines: the library rate-limits guest
    messages after a burst of 20, so longer traces would depend on timing;
  - UUIDs (random in the library) are compared by identity: each distinct
    one, checked to be an RFC 4122 version 4 UUID, becomes <uuidN> in the
    output before the comparison (and in NAME.out).

--save-restore replays with vgm-replay --save-restore (after each request
the device is saved, destroyed, made anew, loaded, its guest RAM moved and
resumed): the output without the "resume ..." lines must equal NAME.out,
and each block of resume lines must show on each scanout what the replay
last showed there ("scanout N set ..." as last printed, nothing for one
last turned off).
--update rewrites NAME.out (and an existing NAME.err) from the replay.
Check the diff by eye before committing it: the golden files are the spec.

--check-usage checks vgm-replay's exit status 2 for usage errors.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zlib

RATE_LIMIT_BURST = 20
DUMP_RE = re.compile(r"^dump (\d+) (\d+)x(\d+) crc=([0-9a-f]{8}) (\S+)$")
NOTE_RE = re.compile(r"^note line=(\d+) ")


UUID_RESP = "ctrl 05110000"  # OK_RESOURCE_UUID: the UUID is bytes 24..39
UUID_LINE_RE = re.compile(r"^uuid (\d+) ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")


def normalize_uuids(lines):
    """The library draws UUIDs at random: each distinct one becomes <uuidN>
    (N by first appearance), after checking it is an RFC 4122 version 4
    UUID. Returns (lines, error or None)."""
    names = {}

    def name(hexuuid):
        if hexuuid[12] != "4" or hexuuid[16] not in "89ab":
            raise ValueError(f"{hexuuid} is not a version 4 RFC 4122 UUID")
        return names.setdefault(hexuuid, f"<uuid{len(names) + 1}>")

    out = []
    try:
        for line in lines:
            m = UUID_LINE_RE.match(line)
            if m:
                line = f"uuid {m[1]} {name(m[2].replace('-', ''))}"
            elif line.startswith(UUID_RESP) and len(line) >= 5 + 80:
                line = line[:5 + 48] + name(line[5 + 48:5 + 80]) + line[5 + 80:]
            elif line.startswith(UUID_RESP) and len(line) > 5 + 48:
                line = line[:5 + 48] + "<part of a uuid>"
            out.append(line)
    except ValueError as e:
        return lines, str(e)
    return out, None


def read_ppm(path):
    """Returns (width, height, pixel bytes) of a binary PPM."""
    with open(path, "rb") as f:
        data = f.read()
    fields = []
    pos = 0
    while len(fields) < 4:
        while pos < len(data) and data[pos:pos + 1].isspace():
            pos += 1
        start = pos
        while pos < len(data) and not data[pos:pos + 1].isspace():
            pos += 1
        if start == pos:
            raise ValueError("truncated header")
        fields.append(data[start:pos])
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError("not a P6 PPM with maxval 255")
    return int(fields[1]), int(fields[2]), data[pos + 1:]


def check_dumps(lines, workdir):
    """Error message for the first dump whose file does not match, or None."""
    for n, line in enumerate(lines, 1):
        m = DUMP_RE.match(line)
        if not m:
            continue
        w, h, crc, path = int(m[2]), int(m[3]), int(m[4], 16), m[5]
        try:
            fw, fh, pixels = read_ppm(os.path.join(workdir, path))
        except (OSError, ValueError) as e:
            return f"output line {n}: dump file {path}: {e}"
        if (fw, fh) != (w, h) or len(pixels) != w * h * 3:
            return (f"output line {n}: dump file {path} is {fw}x{fh} with "
                    f"{len(pixels)} pixel bytes, the line says {w}x{h}")
        if zlib.crc32(pixels) != crc:
            return (f"output line {n}: dump file {path} has pixel CRC-32 "
                    f"{zlib.crc32(pixels):08x}, the line says {crc:08x}")
    return None


def request_line(lines, index):
    """The trace line of the request whose output holds lines[index]."""
    for line in lines[index:]:
        m = NOTE_RE.match(line)
        if m:
            return int(m[1])
    return None


def first_difference(expected, actual):
    """(index, message) of the first differing line, or None."""
    for i in range(max(len(expected), len(actual))):
        e = expected[i] if i < len(expected) else "<end of file>"
        a = actual[i] if i < len(actual) else "<end of output>"
        if e == a:
            continue
        col = next((k for k in range(min(len(e), len(a))) if e[k] != a[k]),
                   min(len(e), len(a)))
        msg = f"line {i + 1}, column {col + 1}:\n  expected: {e}\n  actual:   {a}"
        if a.startswith("ctrl ") and e.startswith("ctrl ") and col >= 5:
            msg += f"\n  (response byte {(col - 5) // 2})"
        return i, msg
    return None


def expectations(trace_text):
    return [line.split("# expect:", 1)[1].strip()
            for line in trace_text.splitlines()
            if line.lstrip().startswith("# expect:")]


# vgm-replay's exit status for a trace whose renderer cannot run here, and
# meson's for a skipped test.
SKIP = 77


def own_stderr(trace_text):
    """virglrenderer prints its own diagnostics on stderr (its GL version,
    what it refuses): a renderer=virgl trace may leave lines there."""
    return any(line.split("#", 1)[0].split()[:1] == ["device"] and
               "renderer=virgl" in line.split("#", 1)[0].split()
               for line in trace_text.splitlines())


RESUME = "resume "
SCANOUT_RE = re.compile(r"^scanout (\d+) (set|off)")


def split_resumes(lines):
    """(the lines without resume lines, error or None): each block of
    resume lines restates the scanouts as the lines before it left them."""
    plain, shown, block = [], {}, []

    def check(block):
        want = sorted(v for v in shown.values() if v.split()[2] == "set")
        got = sorted(b for b in block if SCANOUT_RE.match(b))
        if want != got:
            return f"resume showed {got}, the replay had shown {want}"
        return None

    for line in lines + [""]:
        if line.startswith(RESUME):
            block.append(line[len(RESUME):])
            continue
        if block:
            err = check(block)
            if err:
                return plain, f"after output line {len(plain)}: {err}"
            block = []
        m = SCANOUT_RE.match(line)
        if m:
            shown[m[1]] = line
        plain.append(line)
    return plain[:-1], None


def run_one(replay, trace, update, save_restore=False):
    base = trace[:-len(".trace")]
    name = os.path.basename(trace)
    out_file, err_file = base + ".out", base + ".err"
    with open(trace, encoding="utf-8") as f:
        trace_text = f.read()
    with tempfile.TemporaryDirectory(prefix="vgm-trace-") as workdir:
        shutil.copy(trace, os.path.join(workdir, name))
        flags = ["--save-restore"] if save_restore else []
        proc = subprocess.run([replay, "--annotate"] + flags + [name], cwd=workdir,
                              capture_output=True, text=True, timeout=300)
        actual, resume_error = split_resumes(proc.stdout.splitlines())
        actual, uuid_error = normalize_uuids(actual)
        if resume_error:
            uuid_error = resume_error
        want_err = os.path.exists(err_file)
        if proc.returncode == SKIP and not want_err and not update:
            # renderer=virgl where virgl cannot run: vgm-replay says why.
            print(proc.stderr.strip())
            return None
        if update:
            with open(out_file, "w", encoding="utf-8") as f:
                f.write("".join(line + "\n" for line in actual))
            if want_err:
                with open(err_file, "w", encoding="utf-8") as f:
                    f.write(proc.stderr)
            print(f"{name}: updated {os.path.basename(out_file)}")
        failures = [uuid_error] if uuid_error else []
        if want_err:
            with open(err_file, encoding="utf-8") as f:
                if proc.returncode != 1 or proc.stderr != f.read():
                    failures.append(f"expected exit 1 and {os.path.basename(err_file)} on "
                                    f"stderr, got exit {proc.returncode}:\n{proc.stderr}")
        elif proc.returncode != 0 or (proc.stderr and not own_stderr(trace_text)):
            failures.append(f"exit {proc.returncode}, stderr:\n{proc.stderr}")
        try:
            with open(out_file, encoding="utf-8") as f:
                expected = f.read().splitlines()
        except OSError as e:
            expected = None
            failures.append(f"{e} (run with --update to create it, then check it by eye)")
        if expected is not None:
            diff = first_difference(expected, actual)
            if diff:
                i, msg = diff
                where = request_line(actual, i)
                if where:
                    msg += f"\n  (output of the request on {name}:{where})"
                failures.append(f"{os.path.basename(out_file)} differs at {msg}")
        dump_error = check_dumps(actual, workdir)
        if dump_error:
            failures.append(dump_error)
    for want in expectations(trace_text):
        if want not in actual:
            failures.append(f"no output line '{want}' (a '# expect:' line of the trace)")
    warnings = sum(1 for line in actual if line.startswith("log warning "))
    if warnings >= RATE_LIMIT_BURST:
        failures.append(f"{warnings} warnings: split the trace, the library rate-limits "
                        f"guest messages after {RATE_LIMIT_BURST}")
    for f in failures:
        print(f"{name}: FAIL: {f}", file=sys.stderr)
    if not failures:
        print(f"{name}: ok ({len(actual)} lines)")
    return not failures


def check_usage(replay):
    ok = True
    with tempfile.TemporaryDirectory(prefix="vgm-trace-") as workdir:
        small = os.path.join(workdir, "small.trace")
        with open(small, "w") as f:
            f.write("ctrl GET_DISPLAY_INFO\n")
        cases = [([], 2), (["--no-such-option", "x"], 2), (["a", "b"], 2),
                 ([os.path.join(workdir, "missing.trace")], 2), (["--help"], 0),
                 # the limits: sizes with K, M, G; a trace past one is refused
                 (["--max-data", "1M", "--max-ram", "0x1000", small], 0),
                 (["--max-data", "100", small], 1),
                 (["--max-data", "1x", small], 2), (["--max-ram", "-1", small], 2),
                 (["--max-ram", "", small], 2), (["--max-data", "17179869184G", small], 2)]
        for args, status in cases:
            proc = subprocess.run([replay] + args, capture_output=True, text=True)
            if proc.returncode != status:
                print(f"vgm-replay {' '.join(args)}: exit {proc.returncode}, "
                      f"expected {status}", file=sys.stderr)
                ok = False
    print("usage: ok" if ok else "usage: FAIL")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--replay", required=True, help="path of vgm-replay")
    ap.add_argument("--update", action="store_true",
                    help="rewrite the expected output (check the diff by eye!)")
    ap.add_argument("--check-usage", action="store_true")
    ap.add_argument("--save-restore", action="store_true",
                    help="replay with vgm-replay --save-restore")
    ap.add_argument("traces", nargs="*", help="NAME.trace files")
    args = ap.parse_args()
    args.replay = os.path.abspath(args.replay)
    ok = check_usage(args.replay) if args.check_usage else True
    ran = args.check_usage
    for trace in args.traces:
        if not trace.endswith(".trace"):
            ap.error(f"{trace}: not a .trace file")
        result = run_one(args.replay, trace, args.update and not args.save_restore,
                         args.save_restore)
        ran = ran or result is not None
        ok = result is not False and ok
    if ok and not ran:
        return SKIP
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
