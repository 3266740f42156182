#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes fuzz/load's seeds: the states vgm-replay --save-restore saves
after each request of each golden trace.

    make-seeds.py VGM_REPLAY OUT_DIR STAMP TRACE...

Each state is OUT_DIR/<dir>-<name>-<line>.bin; traces the replay refuses
(tests/traces/errors) give none. STAMP is written last.
"""
import os
import subprocess
import sys
import tempfile


def main():
    replay, out, stamp, traces = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    os.makedirs(out, exist_ok=True)
    for trace in traces:
        d = os.path.basename(os.path.dirname(trace))
        if d == "errors":
            continue
        name = os.path.basename(trace)[:-len(".trace")]
        with tempfile.TemporaryDirectory(prefix="vgm-load-seeds-") as work:
            proc = subprocess.run([replay, "--save-restore", "--save-states",
                                   os.path.join(out, f"{d}-{name}-"), "-d", work, trace],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True)
        if proc.returncode != 0:
            print(f"{trace}: vgm-replay failed: {proc.stderr}", file=sys.stderr)
            return 1
    with open(stamp, "w", encoding="utf-8") as f:
        f.write("")
    return 0


if __name__ == "__main__":
    sys.exit(main())
