#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the global symbols of the static library.

    check-static.py ARCHIVE MAP_FILE

Every global symbol ARCHIVE defines (nm -g --defined-only) must start
with vgm_, and they must be exactly the symbols the version script
MAP_FILE exports: the shared library's API, no more (an internal name
that a VMM may use too) and no less (an API function a static VMM could
not call). Prints the differences and exits 1 on failure, 77 (skip)
without nm.
"""

import importlib.util
import os
import shutil
import subprocess
import sys

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))


def load_check_exports():
    """check-exports.py, whose version script parser this shares."""
    spec = importlib.util.spec_from_file_location('check_exports',
                                                  os.path.join(HERE, 'check-exports.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def archive_globals(nm, archive):
    """Names of the global symbols the archive's members define."""
    out = subprocess.run([nm, '-g', '--defined-only', archive], check=True,
                         stdout=subprocess.PIPE, universal_newlines=True).stdout
    names = set()
    for line in out.splitlines():
        fields = line.split()
        # "ADDRESS TYPE NAME"; member headers ("x.o:") and blank lines are not symbols
        if len(fields) == 3:
            names.add(fields[2])
    return names


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip())
        return 2
    archive, map_file = argv[1:]
    nm = os.environ.get('NM') or shutil.which('nm')
    if not nm:
        print('SKIP: no nm to read the archive\'s symbols')
        return SKIP
    check_exports = load_check_exports()

    in_map, _, problems = check_exports.map_symbols(map_file)
    defined = archive_globals(nm, archive)
    unprefixed = {n for n in defined if not n.startswith(check_exports.PREFIX)}
    if unprefixed:
        problems.append('%d global symbols without the %s prefix'
                        % (len(unprefixed), check_exports.PREFIX))
        check_exports.report('in %s, without the prefix' % os.path.basename(archive), unprefixed)
    extra = defined - set(in_map) - unprefixed
    if extra:
        problems.append('global in the archive, not in the version script')
        check_exports.report('in %s, not in %s' % (os.path.basename(archive),
                                                   os.path.basename(map_file)), extra)
    missing = set(in_map) - defined
    if missing:
        problems.append('in the version script, not defined by the archive')
        check_exports.report('in %s, not in %s' % (os.path.basename(map_file),
                                                   os.path.basename(archive)), missing)
    print('%d global symbols in %s, %d in the version script'
          % (len(defined), os.path.basename(archive), len(in_map)))
    for p in problems:
        print('FAIL: ' + p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
