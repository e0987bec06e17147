#!/bin/bash
# darwin-smoke.sh - the utun smoke test on macOS (run as root: the macOS CI workflow runs it with
# sudo from the build directory). A meshub-hub and two meshubd on 127.0.0.1 with their own ports,
# each node on its own utun with its own /24 (one host has one routing table: two nodes cannot
# both route one prefix). Checks, in this order: both edges come up (meshub status --json), a ping
# from node A's utun to node B's mesh address is answered, and B's edge counted those echo
# requests arriving from A, so the answer crossed the mesh and not the host's loopback. Everything
# started here is stopped by PID on exit; the utun interfaces go with their meshubd.
#   usage: sudo tests/darwin-smoke.sh [BUILDDIR]   (exit 0 passed, 1 failed, 77 skipped)
set -u

BUILD=$(cd "${1:-.}" && pwd)
MESHUBD=$BUILD/engine/meshubd
MESHUB=$BUILD/engine/meshub
HUB=$BUILD/hub/meshub-hub
ID=$$
HUB_PORT=$((20000 + ID % 10000))
A_PORT=$((HUB_PORT + 1)) B_PORT=$((HUB_PORT + 2))
A_ADDR=10.201.1.1 B_ADDR=10.201.2.1
PIDS=()
FAILS=0

log() { printf '%s %s\n' "$(date +%T)" "$*"; }
pass() { log "PASS: $*"; }
fail() { log "FAIL: $*"; FAILS=$((FAILS + 1)); }
skip() { echo "SKIP: $*"; exit 77; }

[ "$(uname -s)" = Darwin ] || skip "macOS only (Linux has the namespace lab)"
[ "$(id -u)" = 0 ] || skip "needs root (utun, addresses, routes): sudo $0"
for b in "$MESHUBD" "$MESHUB" "$HUB"; do [ -x "$b" ] || skip "$b not built"; done

DIR=$(mktemp -d /tmp/meshub-smoke.XXXXXX)
chmod 755 "$DIR"

cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	for pid in "${PIDS[@]}"; do
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	if [ "$FAILS" != 0 ]; then
		for f in "$DIR"/*.log; do echo "---- $f"; tail -40 "$f"; done
	fi
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds or SECONDS pass
wait_for() {
	local t=$1 i; shift
	for i in $(seq 1 $((t * 5))); do "$@" && return 0; sleep 0.2; done
	return 1
}

start() { # start NAME CMD...: in the background, log to DIR/NAME.log, remember the PID
	local name=$1; shift
	"$@" >"$DIR/$name.log" 2>&1 &
	PIDS+=("$!")
}

node_config() { # node_config NAME PORT ADDR
	cat >"$DIR/$1.conf" <<EOF
[socket]
port = $2
control = $DIR/$1.sock
[hub]
address = 127.0.0.1:$HUB_PORT
advert_interval_sec = 5
[vpn]
hostname = smoke-$1
ping_interval_sec = 2
key_file = $DIR/$1.key
log_level = debug
[tun]
interface = utun%d
ipv4_address = $3/24
mtu = 1400
[encryption]
psk = $PSK
EOF
	chmod 600 "$DIR/$1.conf"
}

status_json() { "$MESHUB" status --socket "$DIR/$1.sock" --json 2>/dev/null; }
# the field FIELD of the (only) peer in NAME's status
peer_field() { status_json "$1" | python3 -c "import json,sys; p=json.load(sys.stdin)['peers']; print(p[0]['$2'] if p else '')" 2>/dev/null; }
peer_up() { [ "$(peer_field "$1" state)" = up ]; }
iface_of() { status_json "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['interface'])" 2>/dev/null; }

PSK=$("$MESHUB" genkey) || { fail "meshub genkey"; exit 1; }
start hub "$HUB" -a 127.0.0.1 -p "$HUB_PORT" -v
node_config a "$A_PORT" "$A_ADDR"
node_config b "$B_PORT" "$B_ADDR"
start a "$MESHUBD" "$DIR/a.conf"
start b "$MESHUBD" "$DIR/b.conf"

if wait_for 15 status_json a >/dev/null && wait_for 15 status_json b >/dev/null; then
	pass "both meshubd running, on $(iface_of a) and $(iface_of b)"
else
	fail "meshubd did not start (no control socket)"
	exit 1
fi

# root was needed only to set up: both run as the default user now
for n in a b; do
	pid=${PIDS[$([ $n = a ] && echo 1 || echo 2)]}
	user=$(ps -o user= -p "$pid" | tr -d ' ')
	if [ "$user" = nobody ]; then pass "$n runs as nobody"; else fail "$n runs as '$user', not nobody"; fi
done

if wait_for 30 peer_up a && wait_for 30 peer_up b; then
	pass "edges up: a sees $(peer_field a name), b sees $(peer_field b name)"
else
	fail "no edge within 30 s (a: $(peer_field a state), b: $(peer_field b state))"
	exit 1
fi

# ping from a's interface (-b: bound to it), so the request leaves through utun rather than being
# delivered to b's address on this host directly
A_IF=$(iface_of a)
rx_before=$(peer_field b rx_packets)
if ping -c 3 -t 10 -b "$A_IF" "$B_ADDR" >"$DIR/ping.log" 2>&1; then
	pass "ping $B_ADDR from $A_IF answered"
else
	fail "ping $B_ADDR from $A_IF: $(tail -2 "$DIR/ping.log" | tr '\n' ' ')"
	netstat -rn -f inet >"$DIR/routes.log" 2>&1
fi
rx_after=$(peer_field b rx_packets)
if [ -n "$rx_before" ] && [ -n "$rx_after" ] && [ "$rx_after" -ge $((rx_before + 3)) ]; then
	pass "b received $((rx_after - rx_before)) packets from a over the edge"
else
	fail "b's edge from a counted ${rx_before:-?} -> ${rx_after:-?} packets: the pings did not cross the mesh"
fi

# TAP is refused with the reason, before anything is created
node_config tap $((HUB_PORT + 3)) 10.201.3.1
sed -i '' -e 's/^interface = .*/type = tap/' "$DIR/tap.conf"
if "$MESHUBD" "$DIR/tap.conf" >"$DIR/tap.log" 2>&1; then
	fail "meshubd ran with type = tap"
elif grep -q "TAP needs a kernel extension" "$DIR/tap.log"; then
	pass "type = tap refused: $(grep -o 'TAP needs.*' "$DIR/tap.log" | head -1)"
else
	fail "type = tap refused without the reason: $(tail -1 "$DIR/tap.log")"
fi

[ "$FAILS" = 0 ] && { log "darwin smoke: all checks passed"; exit 0; }
log "darwin smoke: $FAILS check(s) failed"
exit 1
