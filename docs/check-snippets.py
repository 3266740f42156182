#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The code of a guide is the code of a program that is built and run.

    check-snippets.py GUIDE.md SOURCE.c

Every ```c block of GUIDE.md follows a line `<!-- snippet: NAME -->` and
must be, line for line, the part of SOURCE.c between `/* snippet: NAME */`
and `/* end snippet */`; every snippet of SOURCE.c is in the guide once.
Exits 0, or 1 naming each block that differs, is unnamed or is missing.
"""

import re
import sys

MD_NAME = re.compile(r'^<!-- snippet: ([a-z0-9-]+) -->$')
C_BEGIN = re.compile(r'^/\* snippet: ([a-z0-9-]+) \*/$')
C_END = '/* end snippet */'


def source_snippets(path):
    snippets, name, lines = {}, None, []
    with open(path, encoding='utf-8') as f:
        for line in f.read().splitlines():
            m = C_BEGIN.match(line)
            if m:
                name, lines = m.group(1), []
            elif line == C_END and name:
                snippets[name] = lines
                name = None
            elif name:
                lines.append(line)
    return snippets


def guide_blocks(path, errors):
    """(name, lines) of each ```c block; an unnamed one is an error."""
    blocks, pending, block = [], None, None
    with open(path, encoding='utf-8') as f:
        for no, line in enumerate(f.read().splitlines(), 1):
            if block is not None:
                if line == '```':
                    blocks.append((block[0], block[1]))
                    block = None
                else:
                    block[1].append(line)
                continue
            m = MD_NAME.match(line)
            if m:
                pending = m.group(1)
            elif line == '```c':
                if not pending:
                    errors.append('%s:%d: a ```c block without <!-- snippet: NAME -->' % (path, no))
                block, pending = (pending, []), None
            elif line.strip():
                pending = None
    return blocks


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    errors = []
    snippets = source_snippets(argv[2])
    seen = set()
    for name, lines in guide_blocks(argv[1], errors):
        if name is None:
            continue
        if name not in snippets:
            errors.append('snippet %s: not in %s' % (name, argv[2]))
        elif lines != snippets[name]:
            errors.append('snippet %s: the guide differs from %s' % (name, argv[2]))
        seen.add(name)
    for name in sorted(set(snippets) - seen):
        errors.append('snippet %s of %s: not in the guide' % (name, argv[2]))
    for e in errors:
        print(e)
    print('%d snippet(s) checked, %d problem(s)' % (len(seen), len(errors)))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
