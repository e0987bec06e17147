#!/bin/bash
# lab-nat-predict.sh - issue 13, port prediction: node s behind a symmetric
# NAT (masquerade random: a new port per destination, port-restricted
# filtering), node a behind a port-restricted cone NAT, no port mapping on
# either router, two hubs (so both know their NAT's type). Hole punching
# alone cannot work; birthday probing must make the edge within 20 s of
# both nodes running: path "predicted" on both sides, at most 256 extra
# sockets on s and at most 1024 probes at <= 100/s from a, and every socket
# of the round closed again afterwards (but the one the edge uses).
. "$(dirname "$0")/lab/lib.sh"
lab_require jq

WAIT=${PREDICT_WAIT:-20}

lab_internet
lab_hub
lab_public hub2 198.18.0.2
start hub2 hub2 "$MESHUB_HUB" -a 198.18.0.2 -p 3731 -v
wait_for 5 nsx hub2 sh -c "ss -lun | grep -q ':3731'" || fail "second hub did not start"
lab_router rs 198.18.5.1 10.5.0.1/24 symmetric
lab_router r1 198.18.1.1 10.1.0.1/24
lab_host s rs 10.5.0.11/24 10.5.0.1
lab_host a r1 10.1.0.11/24 10.1.0.1
export NODE_HUBS="$HUB_IP, 198.18.0.2"

t0=$(date +%s%N)
node_start s 1
node_start a 2

if wait_for "$WAIT" edges_up s a && t=$((($(date +%s%N) - t0) / 1000000)) && wait_for 5 ping_ok s 10.99.0.2; then
	pass "s reaches a through the symmetric NAT: edge up $t ms after both started"
	echo "RESULT predict ok ${t}ms"
else
	fail "no edge between s and a within $WAIT s (s: $(peer_json s a .reason) [$(peer_json s a '.tried|join(",")')], a: $(peer_json a s .reason))"
	echo "RESULT predict fail"
fi
ping_ok a 10.99.0.1 && pass "a reaches s" || fail "a cannot reach s"
# the round made the path: s answers through one of its round's sockets
# ("predicted"), a reaches a guessed port of s ("predicted"). Two rarer hits
# look "direct" on one side: a's probe lands on the port of s's own socket
# towards a (s: direct, a: predicted), or one of s's sockets gets the public
# port a had punched to already (a: direct, no probe sent; s: predicted).
s_path=$(peer_json s a .path) a_path=$(peer_json a s .path)
if [ "$s_path" = predicted ] && [ "$a_path" = predicted ]; then
	pass "both paths are predicted (s -> $(peer_json s a .endpoint), a -> $(peer_json a s .endpoint))"
elif { [ "$s_path" = predicted ] && [ "$a_path" = direct ] && [ "$(node_json a .port_prediction.probes_sent)" = 0 ]; } ||
	{ [ "$s_path" = direct ] && [ "$a_path" = predicted ]; }; then
	pass "the round made the path (s: $s_path, a: $a_path)"
else
	fail "the paths are s: '$s_path', a: '$a_path', not made by the round"
fi
opened=$(node_json s .port_prediction.sockets_opened)
sent=$(node_json a .port_prediction.probes_sent)
[ "${opened:-999}" -le 256 ] && pass "s opened $opened sockets (<= 256)" || fail "s opened $opened sockets"
[ "${sent:-9999}" -le 1024 ] && pass "a sent $sent probes (<= 1024)" || fail "a sent $sent probes"
# the rate: never more than 100 a second (counted over each round's time)
rounds=$(node_json a .port_prediction.rounds_probe)
[ "${sent:-0}" -le $((rounds * 100 * 15 + 100)) ] && pass "a: $sent probes in $rounds round(s) of <= 15 s" ||
	fail "a: $sent probes in $rounds round(s): more than 100 a second"
echo "RESULT predict sockets=$opened probes=$sent"
# after the round: only the socket the edge uses (and the mapping's) stays open
few_sockets() { [ "$(node_json s .port_prediction.sockets_open)" -le 2 ]; }
if wait_for 20 few_sockets; then
	pass "s closed the round's other sockets ($(node_json s .port_prediction.sockets_open) extra open, $(node_json s .port_prediction.sockets_closed) closed)"
else
	fail "s still has $(node_json s .port_prediction.sockets_open) extra sockets open"
fi
n_fd=$(ls "/proc/$PID_s/fd" | wc -l)
[ "$n_fd" -lt 60 ] && pass "s has $n_fd file descriptors open" || fail "s has $n_fd file descriptors open"
# and it carries traffic
lab_transfer a s 10.99.0.1 5 30 && pass "5 MB over TCP a -> s intact ($XFER_MBITS Mbit/s)" || fail "TCP transfer a -> s failed"
lab_done
