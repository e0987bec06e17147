#!/bin/bash
# lab-symmetric.sh - issue 3, symmetric NAT: node s sits behind a router whose
# masquerade picks a random port for every flow (symmetric NAT with
# port-restricted filtering), node a behind an ordinary NAT, c is public.
# s <-> c must work (c answers wherever s's packets come from). For s <-> a
# no direct path exists without port prediction; the test asserts only what
# meshubd does: either the edge comes up anyway, or both status reports say
# why it does not (s: its own NAT maps ports per destination; a: s's NAT
# does, as s's advert says). With two hubs (two addresses, two processes) s
# can tell that its NAT is symmetric, since the hubs see different ports: s
# must say so, and a and c (cone NAT, public) must not.
. "$(dirname "$0")/lab/lib.sh"
lab_require

WAIT=${SYMMETRIC_WAIT:-60}

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
hub_port=$(node_json s '.hubs[0].observed_endpoint' | cut -d: -f2)
edge_port=$(peer_json c s .endpoint | cut -d: -f2)
if [ -n "$hub_port" ] && [ -n "$edge_port" ] && [ "$hub_port" != "$edge_port" ]; then
	pass "rs is symmetric: the hub sees s at port $hub_port, c at port $edge_port"
else
	fail "rs does not behave as a symmetric NAT (hub sees port '$hub_port', c sees '$edge_port')"
fi

# with two hubs, s knows its NAT maps per destination; the others must not
# think so of themselves
if wait_for 25 json_is s .nat_maps_per_destination true; then
	pass "s knows its NAT maps ports per destination: $(grep -m1 'maps ports per destination' "$LAB_DIR/s.log")"
else
	fail "s does not report that its NAT maps ports per destination (two hubs see it at different ports)"
fi
for n in a c; do
	if json_is "$n" .nat_maps_per_destination false; then
		pass "$n does not claim that its NAT maps ports per destination"
	else
		fail "$n wrongly believes its NAT maps ports per destination"
	fi
done

# s <-> a: an edge, or a clear reason on both sides; poll for WAIT seconds
result=
end=$((SECONDS + WAIT))
while [ $SECONDS -lt $end ]; do
	if ping_ok s 10.99.0.2 && ping_ok a 10.99.0.1; then
		result=edge
		break
	fi
	if peer_is s a .reason nat_ours && peer_is a s .reason nat_theirs; then
		result=reason
		break
	fi
	sleep 1
done
case $result in
edge) pass "s and a reach each other through the symmetric NAT (edge up after $((SECONDS - end + WAIT)) s)" ;;
reason)
	pass "s says: a $(peer_json s a .reason_text)"
	pass "a says: s $(peer_json a s .reason_text)"
	[ "$(peer_json s a .no_direct_path)" = true ] && pass "s's status flags no direct path to a" \
		|| fail "s's status does not flag that no direct path to a exists"
	;;
*)
	fail "after $WAIT s s and a have no edge, and their status gives no reason (s: $(peer_json s a .reason), a: $(peer_json a s .reason))"
	;;
esac
lab_done
