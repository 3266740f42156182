#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs a libFuzzer campaign on one target for a given time.
#
#   fuzz/run-campaign.sh TARGET SECONDS [LIBFUZZER-ARGS...]
#
# TARGET is request, stream, trace, vhost-user or vring. Builds the
# libFuzzer binaries with clang if needed (in $FUZZ_BUILD, default
# build-fuzz: CC=clang meson setup build-fuzz -Dfuzzing=enabled), then runs $JOBS jobs (default 1) of SECONDS
# each on $WORKERS processes (default 1: the machine is shared), starting
# from the target's seeds (the golden traces, made at build time; the
# backend targets' are checked in, fuzz/TARGET/seeds) and its checked-in
# corpus, with its dictionary. Afterwards:
# - inputs that reached code or features the seeds and the corpus do not
#   are merged into fuzz/TARGET/corpus (check them in);
# - a crash, leak or timeout is saved in fuzz/TARGET/crashes/ (keep it as a
#   regression input once fixed: suite fuzz-regress runs it) and the script
#   exits 1.
# It prints the executions run and the coverage reached (cov: edges, ft:
# features, as libFuzzer counts them). FUZZ_MERGE=0 skips the merge (CI).
set -eu
cd "$(dirname "$0")/.."

usage() {
	echo "usage: $0 request|stream|trace|load|virgl|3d|vhost-user|vring SECONDS [LIBFUZZER-ARGS...]" >&2
	exit 2
}
[ $# -ge 2 ] || usage
T=$1
SECONDS_=$2
shift 2
case "$T" in request | stream | trace | load | virgl | 3d | vhost-user | vring) ;; *) usage ;; esac
case "$SECONDS_" in '' | *[!0-9]*) usage ;; esac

BUILD=${FUZZ_BUILD:-build-fuzz}
JOBS=${JOBS:-1}
WORKERS=${WORKERS:-1}
SRC=$(pwd)
case "$BUILD" in /*) B=$BUILD ;; *) B=$SRC/$BUILD ;; esac

if [ ! -f "$BUILD/build.ninja" ]; then
	CC=${CC:-clang} meson setup "$BUILD" -Dfuzzing=enabled
fi
ninja -C "$BUILD" "fuzz/fuzz-$T" fuzz/seeds.stamp fuzz/load-seeds.stamp
case "$T" in virgl | 3d) ninja -C "$BUILD" fuzz/virgl-seeds.stamp ;; esac

BIN=$B/fuzz/fuzz-$T
WORK=$B/fuzz/campaign-$T
CORPUS=$SRC/fuzz/$T/corpus
CRASHES=$SRC/fuzz/$T/crashes
mkdir -p "$WORK/new" "$WORK/logs" "$CORPUS" "$CRASHES"

# What the campaign starts from, besides its own finds.
set -- "$@" "$CORPUS"
case "$T" in
request | stream | load) set -- "$@" "$B/fuzz/$T-seeds" ;;
virgl | 3d) set -- "$@" "$B/fuzz/virgl-seeds" ;;
trace) set -- "$@" "$SRC/tests/traces/standard" "$SRC/tests/traces/memory-rfc" ;;
vhost-user | vring) set -- "$@" "$SRC/fuzz/$T/seeds" ;;
esac

# fuzz/virgl and fuzz/3d read fuzz/stream's encoding: the same dictionary.
DICT=-dict=$SRC/fuzz/$T/$T.dict
case "$T" in virgl | 3d) DICT=-dict=$SRC/fuzz/stream/stream.dict ;; esac

crashes_before=$(ls "$CRASHES" | wc -l)
cd "$WORK/logs"
rm -f fuzz-*.log
status=0
"$BIN" -max_total_time="$SECONDS_" -jobs="$JOBS" -workers="$WORKERS" \
	$DICT -timeout=25 -print_final_stats=1 \
	-artifact_prefix="$CRASHES/" "$WORK/new" "$@" >/dev/null 2>&1 || status=$?
cat fuzz-*.log > "$WORK/last.log"
cd "$SRC"

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/last.log" | awk '{s += $1} END {print s + 0}')
last=$(grep -E '(DONE|pulse|NEW|REDUCE) +cov:' "$WORK/last.log" | tail -1 |
	sed -n 's/.*\(cov: [0-9]* ft: [0-9]*\).*/\1/p')
echo "fuzz/$T: $execs executions in $JOBS job(s) of ${SECONDS_}s; reached ${last:-cov: ? ft: ?}"

# Merge: only inputs that reach edges the seeds and the checked-in corpus do
# not are kept (edges, not hit counts: -use_counters=0), so the corpus in git
# stays small; the campaign's whole corpus stays in $WORK/new for the next.
merge() {
	MERGE=$WORK/merge
	rm -rf "$MERGE"
	mkdir -p "$MERGE"
	for d in "$@"; do
		[ -d "$d" ] && find "$d" -maxdepth 1 -type f ! -name 'README*' -exec cp {} "$MERGE/" \;
	done
	ls "$MERGE" | sort >"$WORK/before.txt"
	"$BIN" -merge=1 -use_counters=0 $DICT -timeout=25 "$MERGE" \
		"$WORK/new" >"$WORK/merge.log" 2>&1 || true
	added=0
	for f in $(ls "$MERGE" | sort | comm -13 "$WORK/before.txt" -); do
		cp "$MERGE/$f" "$CORPUS/$f"
		added=$((added + 1))
	done
	echo "fuzz/$T: $added new corpus entries merged into fuzz/$T/corpus"
}
if [ "${FUZZ_MERGE:-1}" != 0 ]; then
	merge "$@"
fi

crashes_after=$(ls "$CRASHES" | wc -l)
if [ "$crashes_after" -gt "$crashes_before" ] || [ "$status" -ne 0 ]; then
	echo "fuzz/$T: FOUND SOMETHING (exit $status): see $WORK/last.log and fuzz/$T/crashes/" >&2
	grep -E 'ERROR|check failed|runtime error|SUMMARY' "$WORK/last.log" | head -20 >&2 || true
	exit 1
fi
