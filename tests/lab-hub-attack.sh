#!/bin/bash
# lab-hub-attack.sh - issue 10: a stranger with the network id but not the
# key attacks the hub. Three members (two behind NATs, one public) form a
# mesh while the hub's traffic is captured; then a process on another
# public address (tests/hub-attack) reads the capture and for ATTACK_SECS
# replays and forges registrations (enumerate, hijack, evict, fill,
# amplify) and sends the members captured and forged hub answers in the
# hub's name. Every attack must fail: the stranger gets nothing but
# challenges, no more bytes than it sent; the hub keeps exactly the three
# members, at their own addresses, refreshed all along (its counters); the
# members keep their mesh (pings every 5 s), their hub and their peers, and
# count the spoofed answers they dropped (meshub status --json).
. "$(dirname "$0")/lab/lib.sh"
lab_require tcpdump jq

ATTACK_SECS=${ATTACK_SECS:-40}
HUB_ATTACK="$LAB_BUILD/tests/hub-attack"
[ -x "$HUB_ATTACK" ] || skip "tests/hub-attack is not built (make check builds it)"

# hub_stats: the hub logs its counters (SIGUSR1); wait for the whole dump
hub_stats() {
	local before
	before=$(grep -c 'stats: networks=' "$LAB_DIR/hub.log")
	kill -USR1 "$HUB_PID"
	wait_for 5 sh -c "[ \$(grep -c 'stats: networks=' '$LAB_DIR/hub.log') -gt $before ] &&
		sed -n '/stats: networks=/h; /stats: networks=/!H; \${x;p}' '$LAB_DIR/hub.log' | grep -q 'members-joined='"
}
# hub_counter NAME: NAME in the hub's last dump (0 if it was not logged)
hub_counter() {
	local v
	v=$(sed -n '/stats: networks=/h; /stats: networks=/!H; ${x;p}' "$LAB_DIR/hub.log" | grep 'stats:' |
		grep -o " $1=[0-9]*" | head -1 | cut -d= -f2)
	echo "${v:-0}"
}
observed() { status "$1" --json | jq -r '.hubs[0].observed_endpoint'; }
hub_drops() { status "$1" --json | jq '.drops.hub_unmatched + .drops.hub_auth'; }

lab_internet
lab_hub
capture_start hub eth0 "$LAB_DIR/hub.pcap" udp port 3731
lab_router r1 198.18.1.1 10.1.0.1/24
lab_router r2 198.18.2.1 10.2.0.1/24
lab_host a r1 10.1.0.11/24 10.1.0.1
lab_host b r2 10.2.0.11/24 10.2.0.1
lab_public c 198.18.3.1
lab_public x 198.18.9.1 # the stranger

node_start a 1
node_start b 2
node_start c 3
mesh_wait 30 a:1 b:2 c:3
# the capture holds the JOINs, the answers, and a round of refreshes (every 10 s)
if wait_for 30 sh -c "[ \$(tcpdump -n -r '$LAB_DIR/hub.pcap' 'udp dst port 3731 and udp[8] = 0x63' 2>/dev/null |
	wc -l) -ge 6 ]"; then
	pass "captured the members' JOINs and refreshes at the hub"
else
	fail "no refreshes in the capture"
fi
capture_stop "$CAP_PID"
for n in a b c; do eval "obs_$n=\$(observed $n)"; done
hub_stats
refreshes0=$(hub_counter ok-refresh)
[ "$(hub_counter members)" = 3 ] && pass "the hub holds 3 members" || fail "the hub holds $(hub_counter members) members"

start x attacker "$HUB_ATTACK" "$LAB_DIR/hub.pcap" "$HUB_IP" 3731 "$ATTACK_SECS"
ATTACKER=$LAST_PID
rounds=0 lost=0
while ! pid_gone "$ATTACKER" && [ $rounds -lt $((ATTACK_SECS / 5 + 4)) ]; do
	t0=$SECONDS
	rounds=$((rounds + 1))
	pairs_ping a:1 b:2 c:3 || { lost=$((lost + 1)); lab_log "round $rounds: no answer for$PAIRS_LOST"; }
	sleep $((5 - (SECONDS - t0) > 0 ? 5 - (SECONDS - t0) : 0))
done
wait_for 20 pid_gone "$ATTACKER" || fail "the attacker did not finish"
wait "$ATTACKER"
rc=$?
cat "$LAB_DIR/attacker.log"
[ $rc = 0 ] && pass "the stranger got nothing but challenges, no more bytes than it sent" ||
	fail "the stranger was told more (exit $rc)"
[ $lost = 0 ] && [ $rounds -ge $((ATTACK_SECS / 5 - 1)) ] &&
	pass "during the attack all 6 ordered pairs answered in each of $rounds rounds" ||
	fail "during the attack $lost of $rounds ping rounds had unanswered pairs"

hub_stats
[ "$(hub_counter members)" = 3 ] && pass "after the attack the hub holds the same 3 members" ||
	fail "after the attack the hub holds $(hub_counter members) members"
[ "$(hub_counter members-joined)" = 3 ] && pass "no stranger ever joined (members-joined=3)" ||
	fail "members-joined=$(hub_counter members-joined)"
[ "$(hub_counter ok-leave)" = 0 ] && pass "no member was made to leave" || fail "ok-leave=$(hub_counter ok-leave)"
refreshed=$(($(hub_counter ok-refresh) - refreshes0))
[ $refreshed -ge $((3 * (ATTACK_SECS / 10 - 1))) ] && pass "the members refreshed $refreshed times during the attack" ||
	fail "only $refreshed refreshes during the attack"
for c in drop-replay drop-bad-tag drop-bad-signature; do
	[ "$(hub_counter $c)" -gt 0 ] && pass "hub: $c=$(hub_counter $c)" || fail "hub: no $c"
done
[ "$(hub_counter tx-challenge-bytes)" -le "$(hub_counter rx-bytes)" ] &&
	pass "hub: challenge bytes $(hub_counter tx-challenge-bytes) <= bytes received $(hub_counter rx-bytes)" ||
	fail "hub: sent more in challenges than it received"

spoofed=0
for n in a b c; do
	json=$(status "$n" --json)
	[ "$(echo "$json" | jq -r '.hubs[0].reachable')" = true ] && pass "$n: hub reachable" || fail "$n: hub unreachable"
	[ "$(echo "$json" | jq '[.peers[] | select(.state == "up")] | length')" = 2 ] &&
		[ "$(echo "$json" | jq '.peers | length')" = 2 ] && pass "$n: exactly its 2 peers, both up" ||
		fail "$n: peers $(echo "$json" | jq -c '[.peers[] | {name, state}]')"
	eval "was=\$obs_$n"
	[ "$(observed $n)" = "$was" ] && pass "$n: the hub still sees it at $was" ||
		fail "$n: the hub now sees it at $(observed $n), was $was"
	spoofed=$((spoofed + $(hub_drops $n)))
done
[ $spoofed -gt 0 ] && pass "the members dropped $spoofed spoofed hub answers (hub_unmatched, hub_auth)" ||
	fail "no spoofed hub answer was counted"
lab_done
