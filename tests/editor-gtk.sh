#!/bin/sh
# editor-gtk.sh - runs tests/editor-test-gtk3 and tests/editor-test-gtk4 under
# Xvfb (xvfb-run -a): each loads the meshub editor plugin from the build tree
# through a temporary .name file, as NetworkManager clients do, and saves a
# screenshot (tests/editor-gtk3.png, tests/editor-gtk4.png and the advanced
# dialogs next to them). Skips (77) without xvfb-run/xauth.
set -u

builddir=$(pwd)
libs="$builddir/properties/.libs"
command -v xvfb-run >/dev/null 2>&1 && command -v xauth >/dev/null 2>&1 || {
	echo "xvfb-run or xauth missing: skipped"
	exit 77
}
for f in "$libs/libnm-vpn-plugin-meshub.so" tests/editor-test-gtk3 tests/editor-test-gtk4; do
	[ -e "$f" ] || { echo "$f is not built"; exit 99; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/meshub-editor.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
chmod 700 "$tmp"
cat >"$tmp/meshub.name" <<NAME
[VPN Connection]
name=meshub
service=org.freedesktop.NetworkManager.meshub
program=/bin/false
supports-multiple-connections=true

[libnm]
plugin=$libs/libnm-vpn-plugin-meshub.so
NAME

# a private, self-contained GUI session: no accessibility bus, no dconf,
# no session D-Bus; GTK4 renders with cairo (Xvfb has no GPU)
export XDG_RUNTIME_DIR="$tmp" HOME="$tmp" NO_AT_BRIDGE=1 GTK_A11Y=none \
	GSETTINGS_BACKEND=memory GDK_BACKEND=x11 GSK_RENDERER=cairo LC_ALL=C.UTF-8
unset DBUS_SESSION_BUS_ADDRESS WAYLAND_DISPLAY

rc=0
skipped=0
for gtk in gtk3 gtk4; do
	echo "== $gtk"
	timeout -k 5 150 xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" \
		"tests/editor-test-$gtk" "$tmp/meshub.name" "tests/editor-$gtk"
	r=$?
	echo "== $gtk: exit $r"
	case $r in
	0) ;;
	77) skipped=$((skipped + 1)) ;;
	*) rc=1 ;;
	esac
done
[ "$rc" -ne 0 ] && exit "$rc"
[ "$skipped" -eq 2 ] && exit 77
exit 0
