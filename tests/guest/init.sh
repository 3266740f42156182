#!/bin/sh
# SPDX-License-Identifier: MIT
# /init of the virtgpu-mem test guest, run by busybox sh from the initramfs.
# A template: guestlib.py substitutes the MARK_* and CELL placeholders when
# it builds the initramfs.  Flow: mount pseudo filesystems, insmod the
# virtio-gpu stack in the order computed on the host (/etc/modules.order),
# wait for the DRM and fbdev devices, put a deterministic picture on the
# screen, print the ready marker on ttyS0, dump the kernel log, then idle
# until the host quits QEMU.
#
# Kernel command line options read here:
#   vgm.mode=pattern  (default) unbind fbcon, write the test pattern to /dev/fb0
#   vgm.mode=fbcon    keep fbcon bound and print a fixed text on tty1
#   vgm.mode=bench    as pattern, then write a whole frame vgm.frames=N
#                     times (default 100), one write() each and a pause of
#                     vgm.pause=MS (default 100) after each: N TRANSFER +
#                     FLUSH pairs of the whole frame (see bench_frames)
#   vgm.mode=kms      unbind fbcon, list the connectors, and set the modes
#                     of vgm.modes=CONNECTOR:WxH,... (e.g. Virtual-1:1024x768)
#                     with libdrm's modetest (the initramfs built with
#                     --program modetest), which keeps its test pattern on
#                     screen (see kms_modes)
#   vgm.mode=flips    as kms, with modetest's vsynced page flips (-v) for
#                     vgm.seconds=S (default 10): its "freq:" lines (one
#                     per 60 flips) are printed after it (see kms_flips)
#   vgm.mode=gl       source /etc/vgm-gl.sh (tests/guest/gl/init-gl.sh, in an
#                     extra initramfs): the GL test program; it never returns
#   vgm.wait=N        seconds to wait for /dev/dri/card0 and /dev/fb0 (default 60)
#   vgm.drmdebug=MASK drm's debug categories (its parameter debug=, e.g. 0x5:
#                     core and KMS: the displays virtio-gpu was told of, the
#                     connectors probed); insmod does not read the kernel's
#                     command line, so drm.debug= would not reach it

export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/null >/dev/ttyS0 2>&1

idle() {
	while :; do sleep 3600; done
}
dump_dmesg() {
	echo "@MARK_DMESG_BEGIN@"
	dmesg
	echo "@MARK_DMESG_END@"
}
fail() {
	echo "@MARK_ERROR@ $*"
	dump_dmesg
	idle
}

MODE=pattern
WAIT=60
DRMDEBUG=
MODES=
FRAMES=100
PAUSE=100
FLIP_SECONDS=10
for w in $(cat /proc/cmdline); do
	case "$w" in
	vgm.mode=*) MODE=${w#vgm.mode=} ;;
	vgm.wait=*) WAIT=${w#vgm.wait=} ;;
	vgm.frames=*) FRAMES=${w#vgm.frames=} ;;
	vgm.pause=*) PAUSE=${w#vgm.pause=} ;;
	vgm.drmdebug=*) DRMDEBUG=${w#vgm.drmdebug=} ;;
	vgm.modes=*) MODES=${w#vgm.modes=} ;;
	vgm.seconds=*) FLIP_SECONDS=${w#vgm.seconds=} ;;
	esac
done
case "$MODE" in pattern|fbcon|bench|kms|flips|gl) ;; *) fail "unknown vgm.mode=$MODE" ;; esac
echo "VGM-GUEST-INFO init started, mode=$MODE, kernel $(cat /etc/vgm-kernel-version)"

while read -r m; do
	[ -n "$m" ] || continue
	args=
	[ "$m" != drm.ko ] || [ -z "$DRMDEBUG" ] || args="debug=$DRMDEBUG"
	insmod "/lib/modules/$m" $args || fail "insmod $m $args"
done < /etc/modules.order
echo "VGM-GUEST-INFO modules loaded: $(tr '\n' ' ' < /etc/modules.order)"

n=0
while [ ! -e /dev/dri/card0 ] || [ ! -e /dev/fb0 ] || [ ! -e /sys/class/graphics/fb0/stride ]; do
	n=$((n + 1))
	[ $n -le $((WAIT * 10)) ] || fail "no /dev/dri/card0 or /dev/fb0 after ${WAIT}s"
	usleep 100000
done

FB=/sys/class/graphics/fb0
IFS=, read -r W H < $FB/virtual_size
read -r S < $FB/stride
read -r BPP < $FB/bits_per_pixel
read -r FBNAME < $FB/name
echo "VGM-GUEST-INFO fb0 name=$FBNAME mode=$(head -n 1 $FB/modes 2>/dev/null)"
case "$FBNAME" in *virtio*) ;; *) fail "fb0 is '$FBNAME', not virtio-gpu's framebuffer" ;; esac
echo "@MARK_GEOMETRY@ $W $H $S $BPP"
[ "$BPP" = 32 ] || fail "fb0 has ${BPP} bits per pixel, want 32"
[ "$S" -ge $((W * 4)) ] || fail "fb0 stride $S < width $W * 4"

# >>> draw_pattern (guestlib.py selftest runs this part on the host)
# draw_pattern W H STRIDE: write the test pattern frame (H rows of STRIDE
# bytes, XRGB8888 little endian: B G R X) to stdout.  Same definition as
# guestlib.py: cell (i, j) = (x / @CELL@, y / @CELL@) has colour
#   r = (i*13 + j*7) % 255 + 1, g = (i*3 + j*17 + 64) % 255 + 1,
#   b = ((i xor j) * 29) % 255 + 1
# the first pixel of each cell is inverted (256 - r, 256 - g, 256 - b), X and
# the row padding up to STRIDE are 0xff.  No byte is ever 0, because busybox
# awk strings cannot hold NUL; one awk process builds each cell row once and
# prints it 16 times (a shell loop with printf is ~5x slower under TCG).
draw_pattern() {
	awk -v w="$1" -v h="$2" -v s="$3" -v C=@CELL@ '
	BEGIN {
		for (k = 1; k < 256; k++) ch[k] = sprintf("%c", k)
		ncell = int((w + C - 1) / C); nrow = int((h + C - 1) / C)
		padstr = ""
		for (k = w * 4; k < s; k++) padstr = padstr ch[255]
		for (j = 0; j < nrow; j++) {
			first = ""; other = ""
			for (i = 0; i < ncell; i++) {
				r = (i * 13 + j * 7) % 255 + 1
				g = (i * 3 + j * 17 + 64) % 255 + 1
				b = (xor(i, j) * 29) % 255 + 1
				p = ch[b] ch[g] ch[r] ch[255]
				d = ch[256 - b] ch[256 - g] ch[256 - r] ch[255]
				n = w - i * C
				if (n >= C) {
					p2 = p p; p4 = p2 p2; p8 = p4 p4
					first = first d p p2 p4 p8
					other = other p8 p8
				} else {
					first = first d
					other = other p
					for (k = 1; k < n; k++) { first = first p; other = other p }
				}
			}
			first = first padstr; other = other padstr
			for (k = 0; k < C && j * C + k < h; k++)
				printf "%s", (k == 0 ? first : other)
		}
	}'
}
# <<< draw_pattern

# fbcon_text: a fixed text on tty1 (cursor hidden, no kernel messages there
# because the kernel console is ttyS0 only).
fbcon_text() {
	t=/dev/tty1
	printf '\033[?25l\033[0m\033[2J\033[H' > $t
	printf 'virtgpu-mem guest test: fbcon mode\n\n' > $t
	printf 'fb0 %sx%s stride %s bpp %s\n\n' "$W" "$H" "$S" "$BPP" > $t
	printf ' !"#$%%&'"'"'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\n\n' > $t
	c=0
	while [ $c -lt 8 ]; do  # colour 0 is black on black: invisible but drawn
		printf '\033[3%dm colour %d \033[4%d;30m background %d \033[0m\n' $c $c $c $c > $t
		c=$((c + 1))
	done
	printf '\n\033[1mbold\033[0m \033[7mreverse\033[0m end\n' > $t
}

# bench_frames SIZE: writes a whole frame to /dev/fb0 FRAMES times, in one
# write() each: one damage rectangle, which the fbdev's damage worker sends
# as one TRANSFER_TO_HOST_2D + RESOURCE_FLUSH pair. Frames alternate between
# the pattern and the pattern moved by one byte (every pixel differs), the
# last one is the pattern. The worker runs as soon as dd is done; the pause
# after each frame (vgm.pause=MS, default 100) keeps frames from merging.
# The driver sends these commands without fences (the fb does not change),
# so the host's speed does not change what is sent.
bench_frames() {
	tail -c +2 /tmp/frame > /tmp/frame2 && printf '\377' >> /tmp/frame2 || fail "frame2"
	t0=$(cut -d' ' -f1 /proc/uptime)
	i=0
	while [ $i -lt "$FRAMES" ]; do
		f=/tmp/frame
		[ $(((FRAMES - i) % 2)) = 1 ] || f=/tmp/frame2
		dd if=$f of=/dev/fb0 bs="$1" count=1 2>/dev/null || fail "dd to /dev/fb0"
		usleep $((PAUSE * 1000))
		i=$((i + 1))
	done
	t1=$(cut -d' ' -f1 /proc/uptime)
	rm -f /tmp/frame2
	echo "@MARK_BENCH@ frames=$FRAMES pause_ms=$PAUSE start=$t0 end=$t1"
}

# kms_modes SECONDS [ARG...]: each connector of vgm.modes gets its mode
# from one modetest process (more arguments for it after SECONDS), which
# draws its test pattern (SMPTE bars) across one framebuffer that spans
# them side by side, each CRTC showing its part (the second from x = the
# first's width). It keeps the modes while it waits for a key: its stdin
# is a pipe from a sleep of SECONDS, at whose end it exits, and it stays
# in the background (MODETEST is its pid). Its stdout is a file, so
# buffered until it exits: the modes are seen set in the DRM state
# (debugfs), where each plane names who made its framebuffer.
kms_modes() {
	[ -x /usr/bin/modetest ] || fail "no /usr/bin/modetest in the initramfs"
	[ -n "$MODES" ] || fail "vgm.mode=$MODE needs vgm.modes=CONNECTOR:WxH,..."
	secs=$1
	shift
	for c in /sys/class/drm/card0-*; do
		read -r st < "$c/status"
		echo "VGM-GUEST-INFO connector ${c##*/card0-} $st, modes:" $(head -n 4 "$c/modes")
	done
	for cm in $(echo "$MODES" | tr , ' '); do
		read -r st < "/sys/class/drm/card0-${cm%%:*}/status" || fail "no connector ${cm%%:*}"
		[ "$st" = connected ] || fail "connector ${cm%%:*} is $st"
		set -- "$@" -s "$cm"
	done
	echo "VGM-GUEST-INFO modetest -M virtio_gpu $*"
	sleep "$secs" | LD_LIBRARY_PATH=/lib/x86_64-linux-gnu /usr/bin/modetest -M virtio_gpu "$@" \
		> /tmp/modetest.log 2>&1 &
	MODETEST=$!
	mount -t debugfs debugfs /sys/kernel/debug || fail "mount debugfs"
	state=/sys/kernel/debug/dri/0/state
	want=$(echo "$MODES" | tr , '\n' | wc -l)
	n=0
	while [ "$(grep -c 'allocated by = modetest' $state)" -lt "$want" ]; do
		pidof modetest > /dev/null || fail "modetest exited: $(cat /tmp/modetest.log)"
		n=$((n + 1))
		[ $n -le 300 ] || fail "modetest did not set its modes in 30 s"
		usleep 100000
	done
	echo "VGM-GUEST-INFO modetest set $want modes:" \
		$(grep -E '^crtc|^plane|mode:|crtc=|fb=|size=' $state | tr -d '\t' | tr '\n' ' ')
}

# kms_flips: modetest, started by kms_modes with -v, flips between its
# pattern and a plain grey framebuffer, each flip a vsynced page flip
# (virtio-gpu: TRANSFER_TO_HOST_2D of the whole new framebuffer,
# SET_SCANOUT, and a fenced RESOURCE_FLUSH the kernel waits for), and
# prints "freq: F Hz" after every 60. The host may take screendumps
# between FLIPPING and FLIPS; the second says what modetest printed,
# once the sleep feeding its stdin has ended and it has exited.
kms_flips() {
	echo "@MARK_FLIPPING@ seconds=$FLIP_SECONDS"
	wait "$MODETEST"
	freq=$(sed -n 's/^freq: \([0-9.]*\)Hz.*/\1/p' /tmp/modetest.log | tr '\n' ' ')
	echo "@MARK_FLIPS@ seconds=$FLIP_SECONDS freq=$(echo $freq | tr ' ' ,)"
	grep -v '^freq: ' /tmp/modetest.log | tail -n 5 | sed 's/^/VGM-GUEST-INFO modetest: /'
}

# fbcon would draw into the framebuffer: unbind it.
unbind_fbcon() {
	for v in /sys/class/vtconsole/vtcon*; do
		read -r vname < "$v/name"
		case "$vname" in
		*"frame buffer"*)
			echo 0 > "$v/bind" || fail "cannot unbind $v"
			echo "VGM-GUEST-INFO unbound ${v##*/} ($vname)"
			;;
		esac
	done
}

[ "$MODE" != gl ] || . /etc/vgm-gl.sh
if [ "$MODE" = kms ]; then
	unbind_fbcon
	kms_modes 1000000
elif [ "$MODE" = flips ]; then
	unbind_fbcon
	kms_modes "$FLIP_SECONDS" -v
	kms_flips
elif [ "$MODE" != fbcon ]; then
	unbind_fbcon
	draw_pattern "$W" "$H" "$S" > /tmp/frame || fail "draw_pattern"
	cat /tmp/frame > /dev/fb0 || fail "write /dev/fb0"
	if [ "$MODE" = bench ]; then
		sleep 1
		bench_frames $((S * H))
	fi
else
	fbcon_text
fi

# fbdev writes are flushed to the device (transfer + flush) by a deferred
# worker: give it time before telling the host the screen is final.
sleep 1
echo "@MARK_READY@ mode=$MODE"
if [ "$MODE" = pattern ] || [ "$MODE" = bench ]; then
	sum=$(md5sum < /tmp/frame)
	echo "@MARK_MD5@ ${sum%% *}"
fi
dump_dmesg
idle
