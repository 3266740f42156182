#!/bin/sh
# SPDX-License-Identifier: MIT
# Coverage of lib/ from the test suites and the fuzz corpus replay.
#
#   fuzz/coverage.sh [BUILD]       (default BUILD: build-cov)
#
# Configures BUILD with gcc and -Db_coverage=true if needed, runs every
# suite but guest (unit, abi, traces, fuzz-regress: the seeds, the corpus
# and the saved crashes of each fuzz target, examples), then has gcovr
# (Debian package gcovr) report lines and branches of lib/: a summary and
# the lines missed on stdout, an annotated HTML report in
# BUILD/coverage/index.html. Fails below 95% of lines or 85% of branches.
set -eu
cd "$(dirname "$0")/.."

BUILD=${1:-build-cov}
if ! command -v gcovr >/dev/null; then
	echo "coverage.sh: gcovr is missing (apt-get install gcovr)" >&2
	exit 1
fi
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" -Db_coverage=true
fi
ninja -C "$BUILD"
find "$BUILD" -name '*.gcda' -delete
meson test -C "$BUILD" --no-suite guest --print-errorlogs

mkdir -p "$BUILD/coverage"
gcovr -r . --filter 'lib/' "$BUILD" --txt "$BUILD/coverage/lines.txt" \
	--html-details "$BUILD/coverage/index.html" --print-summary \
	--fail-under-line 95 --fail-under-branch 85 >"$BUILD/coverage/summary.txt" || status=$?
gcovr -r . --filter 'lib/' "$BUILD" --branches --txt "$BUILD/coverage/branches.txt"
cat "$BUILD/coverage/lines.txt"
tail -n 4 "$BUILD/coverage/branches.txt"
cat "$BUILD/coverage/summary.txt"
echo "coverage.sh: annotated report in $BUILD/coverage/index.html"
exit "${status:-0}"
