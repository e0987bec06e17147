#!/bin/bash
# lab-churn.sh - issue 9: a node restarts while the hub is dead. Three
# nodes across two NATs (a behind r1, b behind r2, c public) mesh through
# the hub; the hub is killed; a's meshubd is restarted (same config, same
# key file), twice, and each time it must have an edge in state "up" to
# both peers within 10 s (from its peer cache: no hub), with pings in both
# directions; then the same for b after its peer cache was deleted (its
# peers find it again when their probes go unanswered).
. "$(dirname "$0")/lab/lib.sh"
lab_require jq

lab_two_nats
node_start a 1
node_start b 2
node_start c 3
mesh_wait 30 a:1 b:2 c:3
hub_kill
pid_gone "$HUB_PID" && pass "hub killed" || fail "hub still running"

# up_count NAME: NAME's peers whose edge is up
up_count() { node_json "$1" '[.peers[] | select(.state == "up")] | length'; }
has_all() { [ "$(up_count "$1")" = 2 ]; }

# restart NAME INDEX WHAT [nocache]: stop NAME's meshubd (which writes its
# peer cache on the way out), optionally delete the cache, start it again
restart() {
	local n=$1 idx=$2 what=$3 t0 t1
	node_stop "$n"
	[ "${4:-}" = nocache ] && rm -f "$LAB_DIR/state/$n/peers"
	t0=$(date +%s%N)
	node_start "$n" "$idx"
	if wait_for 10 has_all "$n"; then
		t1=$(date +%s%N)
		pass "$what: $n has both edges up $(echo "($t1 - $t0) / 1000000" | bc) ms after its restart (hub down)"
	else
		fail "$what: $n has $(up_count "$n") of 2 edges up 10 s after its restart: $(node_json "$n" '[.peers[] | {name, state, reason}]' | tr -d ' \n')"
	fi
}

for round in 1 2; do
	restart a 1 "restart $round"
	for d in 2 3; do
		wait_for 5 ping_ok a "10.99.0.$d" && pass "restart $round: a -> 10.99.0.$d" || fail "restart $round: a cannot reach 10.99.0.$d"
	done
	for s in b c; do
		wait_for 5 ping_ok "$s" 10.99.0.1 && pass "restart $round: $s -> a" || fail "restart $round: $s cannot reach a"
	done
done

# without its cache: the peers must find b (they know where it was)
restart b 2 "restart without cache" nocache
for d in 1 3; do
	wait_for 5 ping_ok b "10.99.0.$d" && pass "no cache: b -> 10.99.0.$d" || fail "no cache: b cannot reach 10.99.0.$d"
done
[ "$(node_json b '[.peers[].name] | sort | join(",")')" = "a,c" ] && pass "b learned its peers' names again from them" \
	|| fail "b's peers are named: $(node_json b '[.peers[].name] | join(",")')"
lab_done
