#!/bin/bash
# lab-symmetric.sh - issue 3, symmetric NAT: node s sits behind a router whose
# masquerade picks a random port for every flow (symmetric NAT with
# port-restricted filtering), node a behind an ordinary NAT, c is public.
# s <-> c must work (c answers wherever s's packets come from). For s <-> a
# no direct path exists without port prediction; the test asserts only what
# meshubd does: either the edge comes up anyway, or meshubd says clearly in
# its log that no direct path to the peer exists. With two hubs (two
# addresses, two processes) s can tell that its NAT is symmetric, since the
# hubs see different ports: s must say so, and a and c (cone NAT, public)
# must not.
. "$(dirname "$0")/lab/lib.sh"
lab_require

WAIT=${SYMMETRIC_WAIT:-60}
NO_PATH_RE='no direct path to (a|s)\>'
SYMMETRIC_RE='behind a symmetric NAT'

lab_internet
lab_hub
lab_router rs 198.18.5.1 10.5.0.1/24 symmetric
lab_router r1 198.18.1.1 10.1.0.1/24
lab_host s rs 10.5.0.11/24 10.5.0.1
lab_host a r1 10.1.0.11/24 10.1.0.1
lab_public c 198.18.3.1
lab_public hub2 198.18.0.2
start hub2 hub2 "$MESHUB_HUB" -a 198.18.0.2 -p 3731 -v
wait_for 5 nsx hub2 sh -c "ss -lun | grep -q ':3731'" || fail "second hub did not start"
export NODE_HUBS="$HUB_IP, 198.18.0.2"

node_start s 1
node_start a 2
node_start c 3

mesh_wait 30 s:1 c:3
mesh_wait 30 a:2 c:3

# s's mappings really are symmetric: the hub and c see different public ports
hub_port=$(grep -m1 -oE 'sees this node at 198\.18\.5\.1:[0-9]+' "$LAB_DIR/s.log" | cut -d: -f2)
edge_port=$(grep -m1 -oE 'edge to s is up via 198\.18\.5\.1:[0-9]+' "$LAB_DIR/c.log" | cut -d: -f2)
if [ -n "$hub_port" ] && [ -n "$edge_port" ] && [ "$hub_port" != "$edge_port" ]; then
	pass "rs is symmetric: the hub sees s at port $hub_port, c at port $edge_port"
else
	fail "rs does not behave as a symmetric NAT (hub sees port '$hub_port', c sees '$edge_port')"
fi

# with two hubs, s knows its NAT maps per destination; the others must not
# think so of themselves
if wait_for 25 log_has s "$SYMMETRIC_RE"; then
	pass "s says: $(grep -m1 -E "$SYMMETRIC_RE" "$LAB_DIR/s.log")"
else
	fail "s did not log that it is behind a symmetric NAT (two hubs see it at different ports)"
fi
for n in a c; do
	if log_has "$n" "$SYMMETRIC_RE"; then
		fail "$n wrongly believes it is behind a symmetric NAT: $(grep -m1 -E "$SYMMETRIC_RE" "$LAB_DIR/$n.log")"
	else
		pass "$n does not claim to be behind a symmetric NAT"
	fi
done

# s <-> a: an edge, or a clear message; poll both for WAIT seconds
result=
end=$((SECONDS + WAIT))
while [ $SECONDS -lt $end ]; do
	if ping_ok s 10.99.0.2 && ping_ok a 10.99.0.1; then
		result=edge
		break
	fi
	if grep -qiE "$NO_PATH_RE" "$LAB_DIR/s.log" "$LAB_DIR/a.log"; then
		result=message
		break
	fi
	sleep 1
done
case $result in
edge) pass "s and a reach each other through the symmetric NAT (edge up after $((SECONDS - end + WAIT)) s)" ;;
message)
	pass "meshubd says no direct path exists: $(grep -hiE "$NO_PATH_RE" "$LAB_DIR/s.log" "$LAB_DIR/a.log" | head -1)"
	# both ends punch, so both should say it
	for p in "s a" "a s"; do
		set -- $p
		if wait_for 10 log_has "$1" "no direct path to $2\>"; then
			pass "$1 logged that there is no direct path to $2"
		else
			fail "$1 did not log that there is no direct path to $2"
		fi
	done
	;;
*)
	fail "after $WAIT s s and a have no edge and neither meshubd logged that no direct path exists"
	lab_log "s's last lines about a: $(grep -E ' a[ )]| a$' "$LAB_DIR/s.log" | tail -2 | tr '\n' ' ')"
	lab_log "a's last lines about s: $(grep -E ' s[ )]| s$' "$LAB_DIR/a.log" | tail -2 | tr '\n' ' ')"
	;;
esac
lab_done
