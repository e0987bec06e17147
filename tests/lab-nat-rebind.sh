#!/bin/bash
# lab-nat-rebind.sh - issue 3, test 5: a NAT forgets its mappings. Node a sits
# behind r1 and has edges to c (public) and b (behind r2). Then r1's
# conntrack table is flushed; later r1's masquerade is moved to another port
# range (so a's public port changes) and flushed again. Each time traffic
# towards a must recover within REBIND_BOUND seconds (ping_interval 5 s,
# advert interval 10 s); the measured recovery times are printed. Pings are
# sent from the outside first: a ping from a itself would reopen the mapping
# and hide what meshubd does on its own.
. "$(dirname "$0")/lab/lib.sh"
lab_require conntrack

BOUND=${REBIND_BOUND:-40}

lab_two_nats

node_start a 1
node_start b 2
node_start c 3
mesh_wait 30 a:1 b:2 c:3

# recover WHAT: after a disruption at r1, ping a from c and from b (then the
# other way) once a second until each answers; at most BOUND s
recover() {
	local what=$1 t0 now dir done_c='' done_b='' i
	t0=$(date +%s%N)
	for i in $(seq 1 $((BOUND * 2))); do
		now=$((($(date +%s%N) - t0) / 1000000))
		[ "$now" -gt $((BOUND * 1000)) ] && break
		[ -z "$done_c" ] && ping_ok c 10.99.0.1 1 && done_c=$now
		[ -z "$done_b" ] && ping_ok b 10.99.0.1 1 && done_b=$now
		[ -n "$done_c" ] && [ -n "$done_b" ] && break
		sleep 0.5
	done
	for dir in "c:$done_c" "b:$done_b"; do
		if [ -n "${dir#*:}" ]; then
			pass "$what: ${dir%%:*} -> a recovered after $(echo "scale=1; ${dir#*:} / 1000" | bc) s (bound $BOUND s)"
		else
			fail "$what: ${dir%%:*} -> a did not recover within $BOUND s"
		fi
	done
	for dir in c:3 b:2; do
		if wait_for 5 ping_ok a "10.99.0.${dir#*:}"; then
			pass "$what: a -> ${dir%%:*} works"
		else
			fail "$what: a -> ${dir%%:*} does not work"
		fi
	done
}

public_port() { nsx r1 conntrack -L -p udp --orig-src 10.1.0.11 --orig-port-src 3741 2>/dev/null |
	grep -o 'dport=[0-9]*' | tail -1 | cut -d= -f2; }

# 1. the mappings vanish, the public port stays (masquerade keeps it if free)
sleep 2
nsx r1 conntrack -F >/dev/null 2>&1
lab_log "flushed r1's conntrack table"
recover "conntrack flush"

# 2. the public port changes: masquerade to another range, then flush
nsx r1 nft flush chain ip nat postrouting
nsx r1 nft add rule ip nat postrouting oifname wan meta l4proto udp masquerade to :40000-40100
nsx r1 nft add rule ip nat postrouting oifname wan masquerade
nsx r1 conntrack -F >/dev/null 2>&1
lab_log "r1 now maps to ports 40000-40100; flushed its conntrack table"
recover "new public port"
port=$(public_port)
if [ -n "$port" ] && [ "$port" -ge 40000 ] && [ "$port" -le 40100 ]; then
	pass "a's public port is now $port (the rebinding really happened)"
else
	fail "a's public port did not move into 40000-40100 (conntrack says '${port}')"
fi
ep=$(peer_json c a .endpoint)
if [ "$ep" = "198.18.1.1:$port" ]; then
	pass "c followed a to its new address $ep"
else
	fail "c's edge to a goes to '$ep', not a's new address 198.18.1.1:$port"
fi
lab_done
