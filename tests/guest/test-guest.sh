#!/bin/bash
# SPDX-License-Identifier: MIT
# test-guest.sh CACHE_DIR [OUT_DIR]
#
# The whole guest test matrix: prepare.sh, the host-only self test, then
# guest boots (see run-guest.py for the flow of one boot) with
#   qemu       -device virtio-gpu-pci                     pattern, fbcon
#   vhost-ref  QEMU's /usr/lib/qemu/vhost-user-gpu        pattern, fbcon
#              (--socket-path) and pattern again with --fd
#   vgm        $VGM_BACKEND (our vgm-vhost-user-gpu), if set: pattern, fbcon,
#              pattern with --fd
# and comparisons: every fbcon screendump must equal QEMU's own one, every
# pattern screendump equals the computed pattern (checked by run-guest.py).
# The meson suite `guest` runs its own cases (guest-suite.py); this script
# is the whole matrix by hand, QEMU's reference backend included.
# With VGM_GL_GUEST=build/tests/guest/gl/vgm-gl-guest, also the GL guest on
# QEMU's virtio-gpu-gl-pci (gl/README.md).
# Environment: VGM_BACKEND=path of a vhost-user-gpu backend to test too,
#              VGM_GUEST_NO_PREPARE=1 to skip prepare.sh, VGM_GUEST_TIMEOUT.
# Exit: 0 all ran passed, 1 something failed, 77 nothing could run.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=${PYTHON:-python3}
CACHE=${1:?usage: test-guest.sh CACHE_DIR [OUT_DIR]}
OUT=${2:-$CACHE/results}
TIMEOUT=${VGM_GUEST_TIMEOUT:-180}
mkdir -p "$OUT"
PASS=0 FAIL=0 SKIP=0
SUMMARY=()

record() {  # record NAME RC
	case "$2" in
	0) PASS=$((PASS + 1)); SUMMARY+=("PASS $1") ;;
	77) SKIP=$((SKIP + 1)); SUMMARY+=("SKIP $1") ;;
	*) FAIL=$((FAIL + 1)); SUMMARY+=("FAIL $1 (rc $2)") ;;
	esac
	echo "=== $1: $(echo "${SUMMARY[-1]}" | cut -d' ' -f1)"
}

if [ "${VGM_GUEST_NO_PREPARE:-0}" != 1 ]; then
	"$HERE/prepare.sh" "$CACHE"
	rc=$?
	if [ $rc != 0 ] && [ $rc != 77 ]; then
		record prepare $rc
	fi
fi
if [ ! -x "$CACHE/busybox/bin/busybox" ] || [ ! -f "$CACHE/guest.env" ]; then
	echo "guest test: cache not prepared"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi

"$PY" "$HERE/guestlib.py" selftest --busybox "$CACHE/busybox/bin/busybox"
record selftest $?

# run NAME [run-guest.py args...]
run() {
	local name=$1
	shift
	rm -rf "${OUT:?}/$name"
	echo "=== $name: run-guest.py $*"
	"$PY" "$HERE/run-guest.py" --cache "$CACHE" --out-dir "$OUT/$name" --timeout "$TIMEOUT" "$@"
	record "$name" $?
}

# compare NAME A B: both screendumps must exist (else skip) and be identical
compare() {
	if [ -f "$2" ] && [ -f "$3" ]; then
		"$PY" "$HERE/guestlib.py" compare "$2" "$3" --diff "$OUT/$1-diff.png"
		record "$1" $?
	else
		record "$1" 77
	fi
}

REF=/usr/lib/qemu/vhost-user-gpu
run qemu-pattern --device qemu --mode pattern
run qemu-fbcon --device qemu --mode fbcon --stable 1
run vhost-ref-pattern --device vhost-user --backend "$REF" --mode pattern
run vhost-ref-fbcon --device vhost-user --backend "$REF" --mode fbcon --stable 1
run vhost-ref-pattern-fd --device vhost-user --backend "$REF" --backend-fd --mode pattern
compare fbcon-qemu-vs-vhost-ref "$OUT/qemu-fbcon/screendump.png" "$OUT/vhost-ref-fbcon/screendump.png"
compare pattern-qemu-vs-vhost-ref "$OUT/qemu-pattern/screendump.png" "$OUT/vhost-ref-pattern/screendump.png"

if [ -n "${VGM_GL_GUEST:-}" ]; then
	run qemu-gl --device qemu --mode gl --gl-program "$VGM_GL_GUEST" --frames 5
fi

if [ -n "${VGM_BACKEND:-}" ]; then
	run vgm-pattern --device vhost-user --backend "$VGM_BACKEND" --mode pattern
	run vgm-fbcon --device vhost-user --backend "$VGM_BACKEND" --mode fbcon --stable 1
	run vgm-pattern-fd --device vhost-user --backend "$VGM_BACKEND" --backend-fd --mode pattern
	compare fbcon-qemu-vs-vgm "$OUT/qemu-fbcon/screendump.png" "$OUT/vgm-fbcon/screendump.png"
fi

echo
echo "guest test results (logs in $OUT):"
printf '  %s\n' "${SUMMARY[@]}"
echo "$PASS passed, $FAIL failed, $SKIP skipped"
if [ $FAIL -gt 0 ]; then
	exit 1
fi
# only the host self test passed: no guest could boot
if [ $PASS -le 1 ]; then
	exit 77
fi
exit 0
