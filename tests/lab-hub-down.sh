#!/bin/bash
# lab-hub-down.sh - issue 3, test 4: the hub dies and the mesh does not care.
# Three nodes across two NATs form a mesh; the hub is killed; for two minutes
# (longer than a session lives, so rekeying happens without the hub) every
# pair pings every 5 s and every ping must succeed; every meshubd logs that
# the hub is unreachable. Then the hub is restarted and a NEW node, started
# after the restart behind a third NAT, joins and reaches every old node
# (the old nodes re-register every advert interval, 10 s here).
. "$(dirname "$0")/lab/lib.sh"
lab_require

DOWN_SECS=${DOWN_SECS:-120}

lab_two_nats

node_start a 1
node_start b 2
node_start c 3
mesh_wait 30 a:1 b:2 c:3

hub_kill
if pid_gone "$HUB_PID" && ! nsx hub sh -c "ss -lun | grep -q ':3731'"; then
	pass "hub killed"
else
	fail "hub still running"
fi

rounds=0 lost=0
end=$((SECONDS + DOWN_SECS))
while [ $SECONDS -lt "$end" ] && [ $rounds -lt $((DOWN_SECS / 5 + 2)) ]; do
	t0=$SECONDS
	rounds=$((rounds + 1))
	if ! pairs_ping a:1 b:2 c:3; then
		lost=$((lost + 1))
		lab_log "round $rounds (hub down for $((SECONDS - end + DOWN_SECS)) s): no answer for$PAIRS_LOST"
	fi
	sleep $((5 - (SECONDS - t0) > 0 ? 5 - (SECONDS - t0) : 0))
done
if [ $lost = 0 ] && [ $rounds -ge $((DOWN_SECS / 5 - 1)) ]; then
	pass "hub down for $DOWN_SECS s: $rounds rounds of pings between all 6 ordered pairs, all answered"
else
	fail "hub down: $lost of $rounds ping rounds had unanswered pairs"
fi

for n in a b c; do
	if log_has "$n" "hub [^ ]+ is unreachable"; then
		pass "$n logs: $(grep -m1 -E 'hub [^ ]+ is unreachable' "$LAB_DIR/$n.log")"
	else
		fail "$n did not log that the hub is unreachable"
	fi
	if log_has "$n" "edge to .* is down"; then
		fail "$n lost an edge while the hub was down: $(grep -m1 'is down' "$LAB_DIR/$n.log")"
	else
		pass "$n kept all its edges"
	fi
done

# the hub comes back, empty; a new node behind a new NAT joins
hub_run
lab_router r3 198.18.4.1 10.4.0.1/24
lab_host d r3 10.4.0.11/24 10.4.0.1
node_start d 4
for n in a b c; do
	if wait_for 25 sh -c "[ \$(grep -cE 'hub [^ ]+ is reachable' '$LAB_DIR/$n.log') -ge 2 ]"; then
		pass "$n re-registered with the restarted hub"
	else
		fail "$n did not log that the hub is reachable again"
	fi
done
for n in a:1 b:2 c:3; do
	for p in "d ${n%%:*} ${n##*:}" "${n%%:*} d 4"; do
		set -- $p
		if wait_for 30 ping_ok "$1" "10.99.0.$3"; then
			pass "$1 -> $2 (10.99.0.$3) after the hub restart"
		else
			fail "$1 cannot reach $2 (10.99.0.$3) after the hub restart"
		fi
	done
done
if pairs_ping a:1 b:2 c:3; then pass "old edges still work"; else fail "old edges broken:$PAIRS_LOST"; fi
lab_done
