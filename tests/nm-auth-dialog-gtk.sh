#!/bin/bash
# nm-auth-dialog-gtk.sh - nm-meshub-auth-dialog the way nm-applet (XFCE,
# MATE, Cinnamon) runs it: no --external-ui-mode, interaction allowed, no
# key yet. Under Xvfb, tests/xtype types into libnma's password dialog with
# real key events, as a user would, and the dialog must print the key in
# NetworkManager's auth-dialog protocol ("psk", the key, an empty line). A
# wrong key is asked for again, Escape cancels, -r offers the stored key,
# and without -i no window opens. Saves tests/nm-auth-dialog-gtk.png (and
# -retry.png). Skips (77) without xvfb-run, xauth or tests/xtype.
set -u
BUILD=$(pwd)
DIALOG="$BUILD/nm-plugin/nm-meshub-auth-dialog"
XTYPE="$BUILD/tests/xtype"
KEY=kITJPzsFjhaN4-7Q3Lz2QuCwLI1xIMT3NoRdKIic6eM=
STORED=yMnKy8zNzs_Q0dLT1NXW19jZ2tvc3d7f4OHi4-Tl5uc=
SERVICE=org.freedesktop.NetworkManager.meshub
TITLE="Authenticate mesh VPN mymesh"

# input SECRET: what an agent writes to the dialog's stdin
input() {
	printf 'DATA_KEY=hub\nDATA_VAL=198.18.0.1\n\n'
	[ -n "$1" ] && printf 'SECRET_KEY=psk\nSECRET_VAL=%s\n\n' "$1"
	printf 'DONE\n\nQUIT\n\n'
}

# Inside the X server: every case, one after the other.
if [ "${1:-}" = --in-x ]; then
	TMP=$2
	FAILS=0
	pass() { echo "PASS: $*"; }
	fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

	# session NAME SECRET DIALOG-ARGS -- XTYPE-ACTIONS: the dialog and a user
	session() {
		local name=$1 secret=$2 args=()
		shift 2
		while [ "$1" != -- ]; do args+=("$1"); shift; done
		shift
		input "$secret" | timeout 60 "$DIALOG" -u 0f3b5a57-8e0f-4c32-9d2b-6a7f1b2c3d4e -n mymesh \
			-s "$SERVICE" "${args[@]}" >"$TMP/$name" 2>"$TMP/$name.err" &
		local pid=$!
		timeout 60 "$XTYPE" "$TITLE" "$@" >"$TMP/$name.xtype" 2>&1
		XRC=$?
		wait "$pid"
		RC=$?
		cat "$TMP/$name.xtype"
	}
	# expect_key NAME KEY: the session answered KEY in the old protocol
	expect_key() {
		if [ "$XRC" = 0 ] && [ "$RC" = 0 ] && [ "$(cat "$TMP/$1")" = "$(printf 'psk\n%s' "$2")" ]; then
			pass "$1: the dialog answered the key"
		else
			fail "$1: xtype $XRC, dialog $RC, stdout '$(cat "$TMP/$1")', stderr: $(cat "$TMP/$1.err")"
		fi
	}

	session typed "" -i -- type:"$KEY" shot:"$BUILD/tests/nm-auth-dialog-gtk.png" key:Return gone
	expect_key typed "$KEY"
	session retry "" -i -- type:not-a-key key:Return again shot:"$BUILD/tests/nm-auth-dialog-gtk-retry.png" \
		type:"$KEY" key:Return gone
	expect_key retry "$KEY"
	session reprompt "$STORED" -i -r -- key:Return gone
	expect_key reprompt "$STORED"
	session cancel "" -i -- key:Escape gone
	if [ "$XRC" = 0 ] && [ "$RC" = 1 ] && [ ! -s "$TMP/cancel" ] && grep -q "no key was entered" "$TMP/cancel.err"; then
		pass "cancel: $(cat "$TMP/cancel.err")"
	else
		fail "cancel: xtype $XRC, dialog $RC, stdout '$(cat "$TMP/cancel")', stderr: $(cat "$TMP/cancel.err")"
	fi
	# without -i the dialog must not open a window, and says why
	if input "" | timeout 10 "$DIALOG" -n mymesh -s "$SERVICE" >"$TMP/no-i" 2>"$TMP/no-i.err"; then
		fail "no -i: succeeded: $(cat "$TMP/no-i")"
	elif grep -q "does not allow interaction" "$TMP/no-i.err"; then
		pass "no -i: $(cat "$TMP/no-i.err")"
	else
		fail "no -i: $(cat "$TMP/no-i.err")"
	fi
	for png in "$BUILD/tests/nm-auth-dialog-gtk.png" "$BUILD/tests/nm-auth-dialog-gtk-retry.png"; do
		if [ "$(head -c 8 "$png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
			pass "screenshot $png"
		else
			fail "no screenshot $png"
		fi
	done
	[ "$FAILS" = 0 ] && { echo "all checks passed"; exit 0; }
	echo "$FAILS check(s) failed"
	exit 1
fi

for f in "$DIALOG" "$XTYPE"; do
	[ -x "$f" ] || { echo "SKIP: $f not built"; exit 77; }
done
command -v xvfb-run >/dev/null 2>&1 && command -v xauth >/dev/null 2>&1 || {
	echo "SKIP: xvfb-run or xauth missing"
	exit 77
}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/meshub-auth-gtk.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT
chmod 700 "$TMP"
# a private GUI session: no accessibility bus, no dconf, no session bus;
# the cursor does not blink, so a screenshot can wait for a steady picture
mkdir -p "$TMP/.config/gtk-3.0"
printf '[Settings]\ngtk-cursor-blink = false\n' >"$TMP/.config/gtk-3.0/settings.ini"
export HOME="$TMP" XDG_CONFIG_HOME="$TMP/.config" XDG_RUNTIME_DIR="$TMP" NO_AT_BRIDGE=1 GTK_A11Y=none \
	GSETTINGS_BACKEND=memory GDK_BACKEND=x11 LC_ALL=C.UTF-8
# GTK's one-time allocations would all count as leaks in a sanitized build
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
unset DBUS_SESSION_BUS_ADDRESS WAYLAND_DISPLAY
timeout -k 5 300 xvfb-run -a -s "-screen 0 1024x768x24 -nolisten tcp" "$0" --in-x "$TMP"
