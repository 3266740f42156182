#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The reference manual (-Ddocs=enabled).

    doxygen.py build DOXYGEN DOXYFILE OUTDIR
        Runs Doxygen into OUTDIR/html and OUTDIR/man3 (made afresh), then
        keeps of the man pages only the library's own names: Doxygen's
        MAN_LINKS also writes a page per struct member (size.3, x.3), which
        would shadow other projects' pages once installed.
    doxygen.py check WARNINGS
        Fails (1) when Doxygen's warning log is not empty, printing it.
"""

import os
import shutil
import subprocess
import sys

# Pages kept: the groups, the functions, types and constants, the main header.
KEEP_PREFIXES = ('vgm', 'VGM', 'virtgpu-mem.h')


def build(doxygen, doxyfile, outdir):
    for sub in ('html', 'man3'):
        shutil.rmtree(os.path.join(outdir, sub), ignore_errors=True)
    subprocess.run([doxygen, doxyfile], check=True)
    man3 = os.path.join(outdir, 'man3')
    for page in os.listdir(man3):
        if not page.startswith(KEEP_PREFIXES):
            os.remove(os.path.join(man3, page))
    # The directories are ninja's outputs: newer than the inputs now.
    for sub in ('html', 'man3'):
        os.utime(os.path.join(outdir, sub))


def check(warnings):
    with open(warnings, encoding='utf-8') as f:
        text = f.read()
    if text.strip():
        sys.stdout.write(text)
        print('doxygen: %d warning line(s) in the public headers' % len(text.splitlines()))
        return 1
    print('doxygen: no warnings')
    return 0


def main(argv):
    if len(argv) == 5 and argv[1] == 'build':
        build(argv[2], argv[3], argv[4])
        return 0
    if len(argv) == 3 and argv[1] == 'check':
        return check(argv[2])
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
