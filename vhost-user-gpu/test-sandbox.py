#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The back-end's sandbox (sandbox.h), driven by test-vhost-user.py's fake
front-end.

usage: test-sandbox.py BACKEND

- A session with the sandbox on (the default) and --record: the process
  has a seccomp filter and no_new_privs from the first message on, and
  serves a frame large enough to go to the display by reference (pipe2,
  vmsplice, splice, SIOCOUTQ) and for the recorder to sort its pages with
  qsort() (sysinfo), the cursor, hostile chains; it exits 0 when the
  socket closes, its recording written.
- --no-sandbox: no filter.
- A forbidden call (VGM_SANDBOX_SELFTEST, read from the environment only)
  of each kind the filter refuses: a call not allowed (socket, openat), an
  allowed call with a refused argument (mmap with PROT_EXEC, ioctl other
  than SIOCOUTQ): the back-end dies of SIGSYS. With --sandbox-log the same
  call is let through and the session goes on; with --no-sandbox too.
"""

import importlib.util
import os
import signal
import struct
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from vhost_user_numbers import (  # noqa: E402
    B8G8R8X8, CMD_GET_DISPLAY_INFO, CMD_SET_SCANOUT, D_UPDATE, RESP_OK_DISPLAY_INFO, RESP_OK_NODATA)

# The fake front-end and the session's steps, from the back-end's main test.
HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("frontend", os.path.join(HERE, "test-vhost-user.py"))
fe_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fe_mod)
check, Frontend, setup = fe_mod.check, fe_mod.Frontend, fe_mod.setup
hdr, resp_type = fe_mod.hdr, fe_mod.resp_type

FORBIDDEN = ["socket", "open", "mmap-exec", "ioctl"]


def status(pid):
    """/proc/PID/status as a dict of its fields."""
    with open("/proc/%d/status" % pid) as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


def test_large_frame(fe):
    """512x512 XRGB: 1 MiB of pixels, past sendq.c's REFERENCE_MIN, so the
    UPDATE goes by vmsplice() and splice() and the next request waits on
    SIOCOUTQ; and 256 guest pages for the recorder to sort (glibc's qsort()
    asks the kernel for the memory size, sysinfo(), past 128 of them)."""
    w, h = 512, 512
    row = bytes(((x * 5 + c * 60) & 255) if c < 3 else 0 for x in range(w) for c in range(4))
    pixels = b"".join(row[(y * 4) % len(row):] + row[:(y * 4) % len(row)] for y in range(h))
    fe_mod.create(fe, 0, 7, B8G8R8X8, w, h, 0x600000, pixels)
    fe.events.clear()
    r = fe.request(0, hdr(CMD_SET_SCANOUT) + struct.pack("<IIIIII", 0, 0, w, h, 0, 7))
    check(resp_type(r) == RESP_OK_NODATA, "sandboxed: SET_SCANOUT 512x512")
    fe.wait(lambda: any(e[0] == D_UPDATE for e in fe.events), "UPDATE after SCANOUT")
    update = [e[1] for e in fe.events if e[0] == D_UPDATE][0]
    check(update[20:] == pixels, "sandboxed: the 1 MiB frame reached the display unchanged")
    r = fe.request(0, hdr(CMD_GET_DISPLAY_INFO), 24 + 16 * 24)
    check(resp_type(r) == RESP_OK_DISPLAY_INFO,
          "sandboxed: the next request is answered once the display read the frame")


def test_confined_session(backend, tmp):
    """With --record: the recorder's work at each request and at the end
    runs confined too."""
    trace = os.path.join(tmp, "confined.trace")
    fe = Frontend(backend, ["--log-level=info", "--record", trace])
    try:
        setup(fe)
        st = status(fe.proc.pid)
        check(st.get("Seccomp") == "2" and st.get("NoNewPrivs") == "1",
              "the serving back-end has a seccomp filter and no_new_privs (Seccomp %s, NoNewPrivs %s)"
              % (st.get("Seccomp"), st.get("NoNewPrivs")))
        fe_mod.test_display_info(fe)
        fe_mod.test_frame(fe)
        test_large_frame(fe)
        fe_mod.test_cursor(fe)
        fe_mod.test_hostile_chains(fe)
    except (EOFError, OSError, AssertionError) as e:
        check(False, "sandboxed session: %r" % e)
    fe_mod.hang_up(fe, "the sandboxed back-end exits 0 when the front-end goes away")
    with open(trace) as f:
        text = f.read()
    check(text.startswith("# Recorded by vgm-vhost-user-gpu") and "\ndump " in text,
          "sandboxed: the recording was written to its end")


def test_no_sandbox(backend):
    fe = Frontend(backend, ["--no-sandbox"])
    try:
        setup(fe)
        st = status(fe.proc.pid)
        check(st.get("Seccomp") == "0", "--no-sandbox: no filter (Seccomp %s)" % st.get("Seccomp"))
    except (EOFError, OSError, AssertionError) as e:
        check(False, "--no-sandbox: %r" % e)
    fe_mod.hang_up(fe, "--no-sandbox: exits 0")


def test_forbidden_call_kills(backend, tmp, call):
    log = os.path.join(tmp, "forbidden-%s.log" % call)
    fe = Frontend(backend, [], log=log, env={"VGM_SANDBOX_SELFTEST": call})
    try:
        rc = fe.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        fe.proc.kill()
        fe.proc.wait()
        rc = "still running"
    check(rc == -signal.SIGSYS, "forbidden %s: the back-end is killed by SIGSYS (got %s)" % (call, rc))
    check("sandbox self-test: calling " + call in fe.log_text(),
          "forbidden %s: it was the self-test's call" % call)


def test_forbidden_call_let_through(backend, tmp, call, option):
    """--sandbox-log and --no-sandbox: the same call does not kill; the
    session goes on."""
    log = os.path.join(tmp, "let-through-%s%s.log" % (call, option))
    fe = Frontend(backend, [option], log=log, env={"VGM_SANDBOX_SELFTEST": call})
    try:
        setup(fe)
        want = "2" if option == "--sandbox-log" else "0"
        got = status(fe.proc.pid).get("Seccomp")
        check(got == want, "%s: Seccomp %s (got %s)" % (option, want, got))
        r = fe.request(0, hdr(CMD_GET_DISPLAY_INFO), 24 + 16 * 24)
        check(resp_type(r) == RESP_OK_DISPLAY_INFO,
              "%s, forbidden %s: the session goes on" % (option, call))
    except (EOFError, OSError, AssertionError) as e:
        check(False, "%s, forbidden %s: %r" % (option, call, e))
    fe_mod.hang_up(fe, "%s, forbidden %s: exits 0" % (option, call))
    check("sandbox self-test: calling " + call in fe.log_text(),
          "%s, forbidden %s: the call was made" % (option, call))


def main():
    backend = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="vgm-sandbox-") as tmp:
        test_confined_session(backend, tmp)
        test_no_sandbox(backend)
        for call in FORBIDDEN:
            test_forbidden_call_kills(backend, tmp, call)
        test_forbidden_call_let_through(backend, tmp, "socket", "--sandbox-log")
        test_forbidden_call_let_through(backend, tmp, "mmap-exec", "--sandbox-log")
        test_forbidden_call_let_through(backend, tmp, "socket", "--no-sandbox")
    print("%d failure(s)" % len(fe_mod.failures))
    return 1 if fe_mod.failures else 0


if __name__ == "__main__":
    sys.exit(main())
