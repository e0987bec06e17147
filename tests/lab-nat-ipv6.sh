#!/bin/bash
# lab-nat-ipv6.sh - issue 13, IPv6 underlay. Part 1: nodes x and y and the
# hub have IPv6 addresses only (2001:db8::/64 on the internet bridge; no
# IPv4 on the way at all): the hub is reached over IPv6, the adverts carry
# the nodes' global IPv6 addresses and the edge runs over IPv6 (path
# "ipv6"), ping and TCP through it. Part 2: nodes a and b behind IPv4 NATs
# that also route public IPv6: the edge comes up (over IPv4 or IPv6,
# whichever answers first) and settles on IPv6, the preferred path once it
# answers.
. "$(dirname "$0")/lab/lib.sh"
lab_require jq

lab_internet
ns_add hub
peer=phub-v6
ip link add eth0 netns "$(ns_name hub)" type veth peer name "$peer" netns "$(ns_name inet)"
ip -n "$(ns_name inet)" link set "$peer" master br0 up
ip -n "$(ns_name hub)" addr add "$HUB_IP/15" dev eth0
ip -n "$(ns_name hub)" -6 addr add 2001:db8::1/64 dev eth0 nodad
ip -n "$(ns_name hub)" link set eth0 up
start hub hub "$MESHUB_HUB" -a 2001:db8::1 -a "$HUB_IP" -p 3731 -v
wait_for 5 nsx hub sh -c "ss -lun | grep -q '2001:db8::1\]:3731'" || fail "the hub does not listen on IPv6"

# ---- part 1: IPv6 only
lab_public6 x 2001:db8::11
lab_public6 y 2001:db8::12
t0=$(date +%s%N)
NODE_HUBS="[2001:db8::1]:3731" node_start x 1
NODE_HUBS="[2001:db8::1]:3731" node_start y 2
if wait_for 20 edges_up x y && t=$((($(date +%s%N) - t0) / 1000000)) && wait_for 5 ping_ok x 10.99.0.2; then
	pass "x reaches y over an IPv6-only underlay: edge up $t ms after both started"
	echo "RESULT ipv6only ok ${t}ms"
else
	fail "no edge between x and y over IPv6 (x: $(peer_json x y .reason), hub: $(node_json x '.hubs[0].reachable'))"
	echo "RESULT ipv6only fail"
fi
[ "$(node_json x '.hubs[0].reachable')" = true ] && pass "x reaches the hub over IPv6 ($(node_json x '.hubs[0].observed_endpoint'))" ||
	fail "x does not reach the hub over IPv6"
[ "$(peer_json x y .path)" = ipv6 ] && pass "x: path to y is ipv6 ($(peer_json x y .endpoint))" ||
	fail "x: path to y is '$(peer_json x y .path)' ($(peer_json x y .endpoint))"
ping6_ok y fd99::1 && pass "y reaches x's fd99::1 over the mesh" || fail "y cannot ping6 x over the mesh"
lab_transfer x y 10.99.0.2 5 30 && pass "5 MB over TCP x -> y intact ($XFER_MBITS Mbit/s)" || fail "TCP x -> y failed"

# ---- part 2: IPv4 NATs with public IPv6 behind them
v6_router() { # NAME WAN4 LAN4 WAN6 LAN6-PREFIX
	lab_router "$1" "$2" "$3"
	ip -n "$(ns_name "$1")" -6 addr add "$4/64" dev wan nodad
	ip -n "$(ns_name "$1")" -6 addr add "$5::1/64" dev lan nodad
	nsx "$1" sysctl -qw net.ipv6.conf.all.forwarding=1
}
v6_router r1 198.18.1.1 10.1.0.1/24 2001:db8::101 2001:db8:1
v6_router r2 198.18.2.1 10.2.0.1/24 2001:db8::102 2001:db8:2
ip -n "$(ns_name r1)" -6 route add 2001:db8:2::/64 via 2001:db8::102
ip -n "$(ns_name r2)" -6 route add 2001:db8:1::/64 via 2001:db8::101
lab_host a r1 10.1.0.11/24 10.1.0.1
lab_host b r2 10.2.0.11/24 10.2.0.1
ip -n "$(ns_name a)" -6 addr add 2001:db8:1::11/64 dev eth0 nodad
ip -n "$(ns_name a)" -6 route add default via 2001:db8:1::1
ip -n "$(ns_name b)" -6 addr add 2001:db8:2::11/64 dev eth0 nodad
ip -n "$(ns_name b)" -6 route add default via 2001:db8:2::1
for h in x y; do ip -n "$(ns_name $h)" -6 route add 2001:db8:1::/64 via 2001:db8::101; \
	ip -n "$(ns_name $h)" -6 route add 2001:db8:2::/64 via 2001:db8::102; done
ip -n "$(ns_name hub)" -6 route add 2001:db8:1::/64 via 2001:db8::101
ip -n "$(ns_name hub)" -6 route add 2001:db8:2::/64 via 2001:db8::102
t0=$(date +%s%N)
NODE_HUBS="$HUB_IP" node_start a 3
NODE_HUBS="$HUB_IP" node_start b 4
wait_for 20 ping_ok a 10.99.0.4 && pass "a reaches b ($(peer_json a b .path) path first)" || fail "no edge between a and b"
settled() { [ "$(peer_json a b .path)" = ipv6 ] && [ "$(peer_json b a .path)" = ipv6 ]; }
if wait_for 30 settled; then
	t=$((($(date +%s%N) - t0) / 1000000))
	pass "a and b use IPv6 between them ($(peer_json a b .endpoint), $(peer_json b a .endpoint)) $t ms after both started"
	echo "RESULT dualstack ok ${t}ms"
else
	fail "a and b do not settle on IPv6 (a: $(peer_json a b .path) $(peer_json a b .endpoint), b: $(peer_json b a .path))"
	echo "RESULT dualstack fail"
fi
ping_ok a 10.99.0.4 && pass "a still reaches b" || fail "a lost b"
lab_done
