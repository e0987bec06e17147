#!/bin/bash
# nm-auth-dialog.sh - nm-meshub-auth-dialog the way secret agents run it
# (no root, no NetworkManager): --external-ui-mode describes the "psk"
# secret as a [VPN Plugin UI] key file, asked for only when it is missing,
# -r is given and psk-flags is not NOT_REQUIRED; the old protocol hands back
# a key the agent has and waits for QUIT, and fails clearly without one; a
# foreign service is refused.
set -u
BUILD=$(pwd)
DIALOG="$BUILD/nm-plugin/nm-meshub-auth-dialog"
KEY=kITJPzsFjhaN4-7Q3Lz2QuCwLI1xIMT3NoRdKIic6eM=
SERVICE=org.freedesktop.NetworkManager.meshub
FAILS=0
[ -x "$DIALOG" ] || { echo "SKIP: $DIALOG not built"; exit 77; }
# no display: without one the dialog cannot open a window of its own
# (tests/nm-auth-dialog-gtk.sh tests that it does)
unset DISPLAY WAYLAND_DISPLAY
TMP=$(mktemp -d /tmp/meshub-auth.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

# input FLAGS [SECRET]: what an agent writes to the dialog's stdin
input() {
	printf 'DATA_KEY=hub\nDATA_VAL=198.18.0.1\n\n'
	[ -n "$1" ] && printf 'DATA_KEY=psk-flags\nDATA_VAL=%s\n\n' "$1"
	[ -n "${2:-}" ] && printf 'SECRET_KEY=psk\nSECRET_VAL=%s\n\n' "$2"
	printf 'DONE\n\nQUIT\n\n'
}

# run NAME FLAGS SECRET ARGS...: runs the dialog (10 s at most), output in $TMP/NAME
run() {
	local name=$1 flags=$2 secret=$3; shift 3
	input "$flags" "$secret" | timeout 10 "$DIALOG" -u 0f3b5a57-8e0f-4c32-9d2b-6a7f1b2c3d4e -n mymesh \
		-s "$SERVICE" "$@" >"$TMP/$name" 2>"$TMP/$name.err"
}

# ui_value NAME GROUP KEY: a value from the key file in $TMP/NAME
ui_value() {
	awk -v g="[$2]" -v k="$3" '/^\[/ { in_g = ($0 == g) }
		in_g && index($0, k "=") == 1 { print substr($0, length(k) + 2) }' "$TMP/$1"
}

# expect_ui NAME SHOULD_ASK VALUE
expect_ui() {
	if [ "$(head -1 "$TMP/$1")" = "[VPN Plugin UI]" ] && [ "$(ui_value "$1" "VPN Plugin UI" Version)" = 2 ] &&
		[ "$(ui_value "$1" psk IsSecret)" = true ] && [ "$(ui_value "$1" psk ShouldAsk)" = "$2" ] &&
		[ "$(ui_value "$1" psk Value)" = "$3" ] && [ -n "$(ui_value "$1" "VPN Plugin UI" Title)" ]; then
		pass "$1: ShouldAsk=$2"
	else
		fail "$1: unexpected key file:"; cat "$TMP/$1" "$TMP/$1.err"
	fi
}

# ui_case NAME FLAGS SECRET SHOULD_ASK [ARGS...]
ui_case() {
	local name=$1 flags=$2 secret=$3 ask=$4; shift 4
	if run "$name" "$flags" "$secret" --external-ui-mode -i "$@"; then
		expect_ui "$name" "$ask" "$secret"
	else
		fail "$name: exit status $?: $(cat "$TMP/$name.err")"
	fi
}
ui_case missing 0 "" true
ui_case present 1 "$KEY" false
ui_case reprompt 1 "$KEY" true -r
ui_case not-required 4 "" false

# the old protocol: "psk\nKEY\n" then an empty line, then it waits for QUIT
if run old 0 "$KEY" -i && [ "$(cat "$TMP/old")" = "$(printf 'psk\n%s' "$KEY")" ]; then
	pass "old protocol returns the key it was given"
else
	fail "old protocol: $(cat "$TMP/old" "$TMP/old.err")"
fi
if run old-missing 0 "" -i; then
	fail "old protocol without a key succeeded"
elif grep -q "cannot ask" "$TMP/old-missing.err" && [ ! -s "$TMP/old-missing" ]; then
	pass "old protocol without a key fails: $(cat "$TMP/old-missing.err")"
else
	fail "old protocol without a key: $(cat "$TMP/old-missing.err")"
fi
if input 0 "" | timeout 10 "$DIALOG" -n x -s org.freedesktop.NetworkManager.openvpn --external-ui-mode \
	>"$TMP/foreign" 2>&1; then
	fail "a foreign service was accepted"
else
	pass "a foreign service is refused: $(cat "$TMP/foreign")"
fi
# an agent that closes stdin early gets an answer, not a hang
if timeout 10 "$DIALOG" -n x -s "$SERVICE" --external-ui-mode </dev/null >"$TMP/empty" 2>&1 &&
	[ "$(ui_value empty psk ShouldAsk)" = true ]; then
	pass "empty input: the key is asked for"
else
	fail "empty input: $(cat "$TMP/empty")"
fi

[ "$FAILS" = 0 ] && { echo "all checks passed"; exit 0; }
echo "$FAILS check(s) failed"
exit 1
