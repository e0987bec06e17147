#!/bin/bash
# lab-nat-impossible.sh - issue 13: nodes s and t behind two symmetric NATs
# (masquerade random), no port mapping on either router, two hubs. No guess
# of a port can work when both NATs pick a new port per destination, and
# meshub never relays: both must say so ("impossible without a relay",
# reason nat_both) within 5 s of both running, and send no prediction
# probes at all (no probing storm), also 20 s later.
. "$(dirname "$0")/lab/lib.sh"
lab_require jq

lab_internet
lab_hub
lab_public hub2 198.18.0.2
start hub2 hub2 "$MESHUB_HUB" -a 198.18.0.2 -p 3731 -v
wait_for 5 nsx hub2 sh -c "ss -lun | grep -q ':3731'" || fail "second hub did not start"
lab_router rs 198.18.5.1 10.5.0.1/24 symmetric
lab_router rt 198.18.7.1 10.7.0.1/24 symmetric
lab_host s rs 10.5.0.11/24 10.5.0.1
lab_host t rt 10.7.0.11/24 10.7.0.1
export NODE_HUBS="$HUB_IP, 198.18.0.2"

node_start s 1
node_start t 2
t0=$(date +%s%N)
both_say() { peer_is s t .reason nat_both && peer_is t s .reason nat_both; }
if wait_for 5 both_say; then
	t=$((($(date +%s%N) - t0) / 1000000))
	pass "both report it $t ms after both started: s says: t $(peer_json s t .reason_text)"
	echo "RESULT impossible ok ${t}ms"
else
	fail "not reported within 5 s (s: $(peer_json s t .reason), t: $(peer_json t s .reason))"
	echo "RESULT impossible fail"
fi
[ "$(peer_json s t .no_direct_path)" = true ] && pass "s's status flags no direct path to t" ||
	fail "s's status does not flag that no direct path to t exists"
for n in s t; do
	[ "$(node_json $n '.hubs[0].nat_mapping')" = per_destination ] && pass "$n knows its NAT maps per destination" ||
		fail "$n's status says its NAT does '$(node_json $n '.hubs[0].nat_mapping')'"
done
sleep 20 # a fixed wait on purpose: nothing may happen in it
for n in s t; do
	rounds=$(($(node_json $n .port_prediction.rounds_open) + $(node_json $n .port_prediction.rounds_probe)))
	probes=$(node_json $n .port_prediction.probes_sent)
	sockets=$(node_json $n .port_prediction.sockets_opened)
	[ "$rounds" = 0 ] && [ "$probes" = 0 ] && [ "$sockets" = 0 ] &&
		pass "$n: no prediction round, no probe, no extra socket in 25 s" ||
		fail "$n: $rounds prediction rounds, $probes probes, $sockets sockets"
	[ "$(peer_json $n "$([ $n = s ] && echo t || echo s)" .reason)" = nat_both ] && pass "$n still reports nat_both" ||
		fail "$n's report changed to $(peer_json $n "$([ $n = s ] && echo t || echo s)" .reason)"
done
# and the datagrams the nodes sent stay few (initiations on their retry schedule only)
tx=$(node_json s .udp.tx_datagrams)
[ "$tx" -lt 200 ] && pass "s sent $tx datagrams in all in ~27 s" || fail "s sent $tx datagrams: a storm"
lab_done
