#!/bin/bash
# lab-wrong-psk.sh - issue 3, test 7: a node with another network key. Good
# nodes a (behind r1), b (behind r2) and d (public) form a mesh; bad node e,
# on a's LAN, runs meshubd with a different PSK, the same hub and the same
# LAN discovery ports. e never gets an edge and nobody learns of it; while e
# pings/floods the good nodes' mesh addresses and sprays their UDP ports with
# hostile datagrams shaped like every meshub message, the good nodes' mesh0
# RX counters do not move (nothing of e's reaches a TUN), the good nodes keep
# running and still reach each other.
. "$(dirname "$0")/lab/lib.sh"
lab_require perl

lab_internet
lab_hub
lab_router r1 198.18.1.1 10.1.0.1/24
lab_router r2 198.18.2.1 10.2.0.1/24
lab_host a r1 10.1.0.11/24 10.1.0.1
lab_host e r1 10.1.0.66/24 10.1.0.1
lab_host b r2 10.2.0.11/24 10.2.0.1
lab_public d 198.18.3.1

export NODE_LAN_PORTS="3741, 3742, 3744, 3749"
node_start a 1
node_start b 2
node_start d 4
mesh_wait 30 a:1 b:2 d:4
NODE_PSK=$("$MESHUB" genkey) node_start e 9
if wait_for 10 log_has e "hub [^ ]+ is reachable"; then
	pass "e (wrong PSK) registered with the hub"
else
	fail "e did not register with the hub"
fi

# let IPv6 autoconfiguration on the mesh devices settle: wait until the good
# nodes' RX counters stand still for 3 s
rx_all() { echo "$(rx_packets a) $(rx_packets b) $(rx_packets d)"; }
stable=0
for i in $(seq 1 30); do
	r1=$(rx_all); sleep 3; r2=$(rx_all)
	[ "$r1" = "$r2" ] && { stable=1; break; }
done
[ $stable = 1 ] || fail "the good nodes' mesh0 RX counters never stood still (quiet baseline impossible)"
before=$(rx_all)
drops_a=$(drops_total a)
drops_d=$(drops_total d)

# e attacks for a while: its own mesh pings (it has no edge: they go nowhere)
# plus hostile datagrams straight at a (on the LAN) and d (public)
nsx e ping -f -c 500 -W 1 10.99.0.1 >/dev/null 2>&1 &
p1=$!
nsx e ping -f -c 500 -W 1 10.99.0.4 >/dev/null 2>&1 &
p2=$!
LAB_PIDS+=("$p1" "$p2")
junk_flood e 10.1.0.11 3741 3000
junk_flood e 198.18.3.1 3744 3000
junk_flood e 10.1.0.255 3741 200 2>/dev/null # a broadcast on the LAN port
wait_for 20 pid_gone "$p1"
wait_for 20 pid_gone "$p2"
sleep 12 # one more announce round from e (advert interval 10 s)
after=$(rx_all)
if [ "$before" = "$after" ]; then
	pass "the good nodes' mesh0 RX counters did not move (a b d: $after)"
else
	fail "mesh0 RX counters moved while e attacked: a b d $before -> $after"
fi
if [ "$(drops_total a)" -gt $((drops_a + 100)) ] && [ "$(drops_total d)" -gt $((drops_d + 100)) ]; then
	pass "a and d dropped e's datagrams ($(($(drops_total a) - drops_a)) and $(($(drops_total d) - drops_d)) drops counted: $(node_json a .drops | tr -d ' \n'))"
else
	fail "a or d counted no drops: did e's datagrams arrive at all? ($(node_json a .drops | tr -d ' \n'))"
fi
for n in a b d; do
	# an edge to anyone but a, b and d is an edge to e (named by the start
	# of its key if its advert never arrived)
	bad=$(grep -E 'learned of e|edge to ' "$LAB_DIR/$n.log" | grep -vE 'edge to (a|b|d) ')
	if [ -n "$bad" ]; then
		fail "$n accepted something from e: $(echo "$bad" | head -2 | tr '\n' ' ')"
	else
		pass "$n never learned of e nor made an edge to it"
	fi
	eval "pid=\$PID_$n"
	if kill -0 "$pid" 2>/dev/null; then pass "$n's meshubd is still running"; else fail "$n's meshubd died"; fi
done
if log_has e "learned of|edge to"; then
	fail "e learned of a good node: $(grep -E 'learned of|edge to' "$LAB_DIR/e.log" | head -2 | tr '\n' ' ')"
else
	pass "e learned of nobody and has no edge"
fi
for d in 1 2 4; do
	if ping_ok e "10.99.0.$d"; then fail "e reaches 10.99.0.$d"; else pass "e cannot reach 10.99.0.$d"; fi
done
if pairs_ping a:1 b:2 d:4; then pass "the good nodes still reach each other"; else fail "good pairs broken:$PAIRS_LOST"; fi
lab_done
