#!/bin/bash
# SPDX-License-Identifier: MIT
# check-no-install.sh CACHE_DIR    ($VGM_GUEST_CACHE, when set, instead)
#
# The test suite changes the machine's packages only when asked
# (VGM_TESTS_MAY_INSTALL=1, which .ci/run and ./run.sh test set). Runs
# tests/guest/prepare.sh, the one test step that installs (QEMU 10 from
# bookworm-backports), as root on a machine that seems to lack QEMU 10:
#   - without VGM_TESTS_MAY_INSTALL it must skip (77), say which packages
#     to install and how, and run neither `apt-get update` nor
#     `apt-get install`;
#   - with VGM_TESTS_MAY_INSTALL=1 it must try the install (the check
#     above can see one), when bookworm-backports is already in apt's
#     sources (else this half would add it: skipped).
# On a copy of CACHE_DIR (a prepared guest cache) made of hard links, with
# stand-ins first in PATH:
# `id -u` says 0, qemu-system-x86_64 says 7.2, apt-get records and refuses
# update and install (download goes to the real one).
# Exit: 0, 1 with what failed, 77 without a prepared cache.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PREPARE=$HERE/../guest/prepare.sh
CACHE=${VGM_GUEST_CACHE:-${1:?usage: check-no-install.sh CACHE_DIR}}
for f in debs kernel busybox initramfs.cpio.gz; do
	if [ ! -e "$CACHE/$f" ]; then
		echo "SKIP: $CACHE is not a prepared guest cache (no $f): run the guest suite once"
		exit 77
	fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vgm-no-install.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/cache" "$TMP/bin"
# A copy made of hard links, but for the small files (stamps, logs, lists),
# which prepare.sh may rewrite in place: those are real copies, so that
# CACHE_DIR itself is never written. The large ones (packages, kernels,
# images) it only ever replaces (unlink, rename).
cp -al "$CACHE/." "$TMP/cache/"
find "$TMP/cache" -type f -links +1 -size -256k -exec sh -c \
	'for f; do cp -p "$f" "$f.copy" && mv "$f.copy" "$f"; done' sh {} +

cat > "$TMP/bin/id" <<'STUB'
#!/bin/sh
[ "${1:-}" = -u ] && { echo 0; exit 0; }
exec /usr/bin/id "$@"
STUB
cat > "$TMP/bin/qemu-system-x86_64" <<'STUB'
#!/bin/sh
echo "QEMU emulator version 7.2.0"
STUB
cat > "$TMP/bin/apt-get" <<STUB
#!/bin/sh
for a in "\$@"; do
	case "\$a" in
	update|install) echo "apt-get \$*" >> "$TMP/apt-calls"; exit 100 ;;
	esac
done
exec /usr/bin/apt-get "\$@"
STUB
chmod +x "$TMP/bin/"*

FAIL=0
fail() { echo "FAIL: $*"; FAIL=1; }

echo "=== prepare.sh without VGM_TESTS_MAY_INSTALL"
env -u VGM_TESTS_MAY_INSTALL PATH="$TMP/bin:$PATH" "$PREPARE" "$TMP/cache" >"$TMP/out" 2>&1
rc=$?
cat "$TMP/out"
[ $rc = 77 ] || fail "prepare.sh exited with $rc, not 77 (skip)"
[ ! -e "$TMP/apt-calls" ] || fail "it changed the machine: $(cat "$TMP/apt-calls")"
grep -q "qemu-system-x86 qemu-system-gui" "$TMP/out" || fail "it does not name the packages to install"
grep -q "VGM_TESTS_MAY_INSTALL=1" "$TMP/out" || fail "it does not say how to let the tests install"

echo "=== prepare.sh with VGM_TESTS_MAY_INSTALL=1"
if grep -rqsE "^[^#]*bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
	VGM_TESTS_MAY_INSTALL=1 PATH="$TMP/bin:$PATH" "$PREPARE" "$TMP/cache" >"$TMP/out" 2>&1
	cat "$TMP/out"
	grep -q "install.*qemu-system-x86" "$TMP/apt-calls" 2>/dev/null \
		|| fail "asked to, it did not try to install QEMU (apt-get calls: $(cat "$TMP/apt-calls" 2>/dev/null))"
else
	echo "bookworm-backports is not in apt's sources: not letting prepare.sh add it"
fi

[ $FAIL = 0 ] && echo "prepare.sh installs only when VGM_TESTS_MAY_INSTALL=1"
exit $FAIL
