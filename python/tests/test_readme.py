# SPDX-License-Identifier: MIT
"""Every ```python block of python/README.md is a whole program that runs:
each is run on its own, as a reader would run it, and what the README
says it prints is checked."""

import os
import re
import subprocess
import sys

from conftest import HERE

PACKAGE_ROOT = os.path.dirname(HERE)
README = os.path.join(PACKAGE_ROOT, 'README.md')


def python_blocks():
    with open(README, encoding='utf-8') as f:
        text = f.read()
    return re.findall(r'^```python\n(.*?)^```$', text, re.M | re.S)


def run(code, tmp_path):
    path = tmp_path / 'first.py'
    path.write_text(code)
    env = dict(os.environ, PYTHONPATH=PACKAGE_ROOT)
    return subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          env=env, cwd=str(tmp_path))


def test_the_readme_has_its_examples():
    assert len(python_blocks()) == 3


def test_the_first_device_runs_and_prints_what_the_readme_says(tmp_path):
    res = run(python_blocks()[0], tmp_path)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[-1] == 'refused: [Errno 22] vgm_device_set_display: Invalid argument'
    assert len(lines) == 3
    assert lines[0].startswith('library: RESOURCE_UNREF:')
    assert lines[1].startswith('library: API misuse: vgm_device_set_display')


def test_the_request_that_completes_later_is_answered(tmp_path):
    res = run(python_blocks()[1], tmp_path)
    if res.returncode == 1 and res.stderr.startswith('no 3D here:'):
        return  # what the README says it does where virgl cannot run
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == ['now: None', 'later: head 0 OK_NODATA']


def test_the_saved_device_shows_on_the_destination(tmp_path):
    res = run(python_blocks()[2], tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == ['shows 0 64 48', 'lost backings: 0']


def excerpt_pieces(block, skip):
    """A block's stripped lines, cut at each line that is skip."""
    pieces = [[]]
    for line in block.splitlines():
        if line.strip() == skip:
            pieces.append([])
        elif line.strip():
            pieces[-1].append(line.strip())
    return [p for p in pieces if p]


def holds_in_order(program, pieces):
    """Whether each piece is a run of program's stripped lines, in order."""
    lines = [line.strip() for line in program.splitlines() if line.strip()]
    pos = 0
    for piece in pieces:
        starts = [i for i in range(pos, len(lines) - len(piece) + 1)
                  if lines[i:i + len(piece)] == piece]
        if not starts:
            return False
        pos = starts[0] + len(piece)
    return True


def test_the_guides_python_excerpts_are_in_the_readmes_programs():
    guide = os.path.join(os.path.dirname(PACKAGE_ROOT), 'docs', 'vmm-guide.md')
    with open(guide, encoding='utf-8') as f:
        excerpts = re.findall(r'^```python\n(.*?)^```$', f.read(), re.M | re.S)
    assert len(excerpts) == 2
    for excerpt in excerpts:
        pieces = excerpt_pieces(excerpt, '...')
        assert any(holds_in_order(p, pieces) for p in python_blocks()), excerpt
