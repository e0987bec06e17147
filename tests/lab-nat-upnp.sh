#!/bin/bash
# lab-nat-upnp.sh - issue 13, port mapping: node n behind a symmetric NAT
# (masquerade random) whose router runs miniupnpd (UPnP-IGD, NAT-PMP and
# PCP; started here in the router's namespace with its own config, stopped
# by PID), node a behind a port-restricted cone NAT. Port prediction is off,
# so only the mapping can make the edge: n must get a mapping (PCP first;
# MAPPING_PROTO=natpmp or upnp limits n to that protocol), put it in its
# advert, and the edge must come up through it ("mapped" on both sides).
# When n stops, the mapping is gone from the router. MAPPING_RENEW=1: the
# router grants 120 s at most, and n must renew its mapping before it ends
# (PCP only: miniupnpd clamps PCP lifetimes to max_lifetime, not NAT-PMP's).
. "$(dirname "$0")/lab/lib.sh"
lab_require jq miniupnpd

PROTO=${MAPPING_PROTO:-}
[ "${MAPPING_RENEW:-0}" = 1 ] && PROTO=pcp
WAIT=${MAPPING_WAIT:-20}

lab_internet
lab_hub
lab_public hub2 198.18.0.2
start hub2 hub2 "$MESHUB_HUB" -a 198.18.0.2 -p 3731 -v
wait_for 5 nsx hub2 sh -c "ss -lun | grep -q ':3731'" || fail "second hub did not start"
lab_public stun 198.18.0.3
lab_stun stun 198.18.0.3
[ "${MAPPING_RENEW:-0}" = 1 ] && export UPNP_MIN_LIFETIME=60 UPNP_MAX_LIFETIME=120
lab_router_upnp rn 198.18.6.1 10.6.0.1/24
upnp_start rn 198.18.0.3 || lab_done
lab_router r1 198.18.1.1 10.1.0.1/24
lab_host n rn 10.6.0.11/24 10.6.0.1
lab_host a r1 10.1.0.11/24 10.1.0.1
export NODE_HUBS="$HUB_IP, 198.18.0.2"
export NODE_SOCKET_EXTRA="port_prediction = no"

t0=$(date +%s%N)
MESHUB_PORT_MAPPING=$PROTO node_start n 1
unset MESHUB_PORT_MAPPING
node_start a 2

if wait_for 10 json_is n .port_mapping.state mapped; then
	pass "n got a port mapping by $(node_json n .port_mapping.protocol): $(node_json n .port_mapping.external_endpoint) -> port $(node_json n .port_mapping.internal_port), $(node_json n .port_mapping.lease_left) s left"
else
	fail "n has no port mapping: $(node_json n .port_mapping.error)"
fi
[ -z "$PROTO" ] || [ "$(node_json n .port_mapping.protocol)" = "$PROTO" ] || fail "n's mapping is not by $PROTO"
if wait_for "$WAIT" edges_up n a && t=$((($(date +%s%N) - t0) / 1000000)) && wait_for 5 ping_ok n 10.99.0.2; then
	pass "n reaches a through its mapping: edge up $t ms after both started"
	echo "RESULT mapping ok ${t}ms $(node_json n .port_mapping.protocol)"
else
	fail "no edge between n and a within $WAIT s (n: $(peer_json n a .reason), a: $(peer_json a n .reason) [$(peer_json a n '.tried|join(",")')])"
	echo "RESULT mapping fail"
fi
ping_ok a 10.99.0.1 && pass "a reaches n" || fail "a cannot reach n"
[ "$(peer_json a n .path)" = mapped ] && pass "a: path to n is mapped ($(peer_json a n .endpoint))" ||
	fail "a: path to n is '$(peer_json a n .path)', not mapped"
[ "$(peer_json n a .path)" = mapped ] && pass "n: path to a is mapped (through port $(node_json n .port_mapping.internal_port))" ||
	fail "n: path to a is '$(peer_json n a .path)', not mapped"
[ "$(node_json n '.hubs[0].nat_mapping')" = per_destination ] && pass "n's status: its NAT maps per destination" ||
	fail "n's status says its NAT does '$(node_json n '.hubs[0].nat_mapping')'"
[ "$(node_json a '.hubs[0].nat_mapping')" = endpoint_independent ] && pass "a's status: its NAT maps endpoint-independently" ||
	fail "a's status says its NAT does '$(node_json a '.hubs[0].nat_mapping')'"
if [ "${MAPPING_RENEW:-0}" = 1 ]; then
	lease=$(node_json n .port_mapping.lease_left)
	[ "${lease:-0}" -le 120 ] && pass "the router granted $lease s" || fail "the router granted $lease s, not <= 120"
	renewed() { log_has n "port mapping renewed" && [ "$(node_json n .port_mapping.lease_left)" -gt 100 ]; }
	if wait_for 75 renewed; then
		pass "n renewed its mapping before the lease ended ($(node_json n .port_mapping.lease_left) s left now)"
	else
		fail "n did not renew its mapping (state $(node_json n .port_mapping.state), $(node_json n .port_mapping.lease_left) s left)"
	fi
	ping_ok n 10.99.0.2 && pass "the edge still works after the renewal" || fail "the edge broke at the renewal"
fi
ext_port=$(node_json n .port_mapping.external_endpoint | cut -d: -f2)
rules() { nsx rn nft list chain inet miniupnpd prerouting_miniupnpd 2>/dev/null | grep -c "dport $ext_port"; }
[ "$(rules)" -ge 1 ] && pass "the router forwards port $ext_port" || fail "the router has no rule for port $ext_port"
node_stop n
no_rule() { [ "$(rules)" = 0 ]; }
wait_for 5 no_rule && pass "n removed its mapping on exit" || fail "the mapping of port $ext_port is still on the router after n stopped"
stop_pid "$UPNP_PID"
lab_done
