#!/bin/bash
# lab-operate.sh - issue 6: operating a node. `meshub status` (text and JSON),
# privileges dropped after setup (/proc/PID/status), no secret in argv or
# logs, ICMP "destination unreachable" for a mesh address without an edge,
# and path MTU: node b's underlay link has MTU 1280; a 20 MB TCP transfer to
# it completes with the right checksum and `ping -M do` with a too-large size
# reports the edge's path MTU.
. "$(dirname "$0")/lab/lib.sh"
lab_require jq sha256sum socat

lab_internet
lab_hub
lab_router r1 198.18.1.1 10.1.0.1/24
lab_router r2 198.18.2.1 10.2.0.1/24
lab_host a r1 10.1.0.11/24 10.1.0.1
lab_host b r2 10.2.0.11/24 10.2.0.1
# b's LAN link carries at most 1280-byte packets
nsx b ip link set eth0 mtu 1280
nsx r2 ip link set lb mtu 1280

node_start a 1
node_start b 2
# the path MTU is known within 2 s of the edge coming up (issue 11): poll
# a's status every 50 ms, note when b is up and when its MTU is the path's
ms_now() { echo $(($(date +%s%N) / 1000000)); }
t_up= t_mtu=
for _ in $(seq 1 600); do
	j=$(status a --json 2>/dev/null)
	st=$(echo "$j" | jq -r '.peers[0].state // empty' 2>/dev/null)
	m=$(echo "$j" | jq -r '.peers[0].mtu // empty' 2>/dev/null)
	[ -z "$t_up" ] && [ "$st" = up ] && t_up=$(ms_now)
	if [ -n "$t_up" ] && [ -n "$m" ] && [ "$m" != null ] && [ "$m" -le 1220 ]; then
		t_mtu=$(ms_now)
		break
	fi
	[ -n "$t_up" ] && [ $(($(ms_now) - t_up)) -gt 10000 ] && break
	sleep 0.05
done
if [ -n "$t_up" ] && [ -n "$t_mtu" ] && [ $((t_mtu - t_up)) -le 2000 ]; then
	pass "path MTU to b ($m) known $((t_mtu - t_up)) ms after the edge came up (limit 2 s)"
else
	fail "path MTU after the edge came up: up at '${t_up}', MTU '${m}' at '${t_mtu}' (limit 2 s)"
fi
wait_for 30 ping_ok a 10.99.0.2 || fail "a cannot reach b"

# --- status
out=$(status a)
echo "$out" | grep -q '^peer: b ' && pass "meshub status lists peer b" || fail "status text: $out"
echo "$out" | grep -q 'endpoint: 198.18.2.1:3742 (direct)' && pass "status shows b's public endpoint and the direct path" \
	|| fail "status endpoint/path: $out"
json=$(status a --json)
if echo "$json" | jq -e '.peers | length == 1' >/dev/null; then
	pass "status --json is valid JSON with a peers array"
else
	fail "status --json: $json"
fi
for key in name addresses endpoint path rtt_ms last_handshake rx_bytes tx_bytes drops state since; do
	echo "$json" | jq -e ".peers[0] | has(\"$key\")" >/dev/null || fail "JSON peer lacks key $key"
done
[ "$(echo "$json" | jq -r '.peers[0].state')" = up ] && pass "JSON: peer state up" || fail "JSON state"
[ "$(echo "$json" | jq -r '.hubs[0].reachable')" = true ] && pass "JSON: hub reachable" || fail "JSON hub"
if nsx a "$MESHUB" status --socket "$LAB_DIR/nothing.sock" >"$LAB_DIR/none.out" 2>&1; then
	fail "status without an engine succeeded"
else
	grep -q 'no meshubd is running' "$LAB_DIR/none.out" && pass "no engine: clear message, non-zero exit" \
		|| fail "no engine: $(cat "$LAB_DIR/none.out")"
fi

# --- privileges
st=/proc/$PID_a/status
# the build's own user (meshub), or nobody where it does not exist yet (not installed), logged
want_user=$(id -u meshub 2>/dev/null || id -u nobody)
if [ "$(awk '/^Uid:/ {print $2}' "$st")" = "$want_user" ] && grep -q '^CapEff:[[:space:]]*0000000000000000' "$st" &&
	grep -q '^CapPrm:[[:space:]]*0000000000000000' "$st" && grep -q '^NoNewPrivs:[[:space:]]*1' "$st"; then
	pass "meshubd runs as uid $want_user with no capabilities ($(grep -E '^(Uid|CapEff)' "$st" | tr -s '\t\n' '  '))"
else
	fail "privileges not dropped: $(grep -E '^(Uid|Cap|NoNew)' "$st" | tr '\n' ' ')"
fi

# --- secrets
if grep -rqF "$LAB_PSK" "$LAB_DIR"/*.log /proc/$PID_a/cmdline /proc/$PID_a/environ; then
	fail "the PSK appears in a log, argv or the environment"
else
	pass "the PSK is in no log (debug level), argv or environment"
fi

# --- ICMP for a mesh address without an edge
out=$(nsx a ping -c 1 -W 2 10.99.0.77 2>&1)
echo "$out" | grep -q 'Destination Host Unreachable' && pass "no edge: ICMP destination unreachable" \
	|| fail "no ICMP unreachable: $out"
out=$(nsx a ping -6 -c 1 -W 2 fd99::77 2>&1)
echo "$out" | grep -qi 'unreachable' && pass "no edge: ICMPv6 destination unreachable" || fail "no ICMPv6: $out"

# --- path MTU
pmtu=
for _ in $(seq 1 40); do
	pmtu=$(status a --json | jq -r '.peers[0].mtu')
	[ -n "$pmtu" ] && [ "$pmtu" != null ] && [ "$pmtu" -lt 1420 ] && break
	sleep 0.5
done
if [ -n "$pmtu" ] && [ "$pmtu" -le 1220 ] && [ "$pmtu" -ge 1200 ]; then
	pass "a found the path MTU to b: $pmtu (1280 - IPv4/UDP 28 - meshub 32 = 1220)"
else
	fail "path MTU to b is '$pmtu', expected about 1220"
fi
out=$(nsx a ping -M do -s 1300 -c 2 -W 2 10.99.0.2 2>&1)
if echo "$out" | grep -Eq "mtu ?= ?$pmtu"; then
	pass "ping -M do -s 1300 reports mtu $pmtu"
else
	fail "ping -M do: $out"
fi
head -c 20000000 /dev/urandom >"$LAB_DIR/blob"
want=$(sha256sum <"$LAB_DIR/blob" | cut -d' ' -f1)
nsx b socat -u TCP-LISTEN:5001,reuseaddr "OPEN:$LAB_DIR/blob.out,creat,trunc" &
recv=$!
LAB_PIDS+=("$recv")
wait_for 5 nsx b sh -c "ss -ltn | grep -q ':5001'"
if timeout 90 ip netns exec "$(ns_name a)" socat -u "OPEN:$LAB_DIR/blob" TCP:10.99.0.2:5001; then
	timeout 30 tail --pid="$recv" -f /dev/null
	[ "$(sha256sum <"$LAB_DIR/blob.out" | cut -d' ' -f1)" = "$want" ] &&
		pass "20 MB TCP a -> b over the 1280-MTU path, sha256 matches" || fail "20 MB transfer: checksum differs"
else
	fail "20 MB transfer over the 1280-MTU path did not complete"
fi
lab_done
