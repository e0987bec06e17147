#!/bin/bash
# lab-tap.sh - issue 3, test 2: a TAP (layer 2) mesh of three nodes across two
# NATs: ARP resolves each peer's real MAC on mesh0, IPv4 ping works between
# every pair (IPv6 too: neighbour discovery is multicast), and a broadcast
# sent into one node's mesh0 reaches every other node.
. "$(dirname "$0")/lab/lib.sh"
lab_require

lab_two_nats

export NODE_TYPE=tap
node_start a 1
node_start b 2
node_start c 3
nodes=(a:1 b:2 c:3)

i=0
for n in a b c; do
	i=$((i + 1))
	if wait_for 5 sh -c "ip -n $(ns_name "$n") addr show dev mesh0 | grep -q 'inet 10.99.0.$i/24'" &&
		wait_for 5 sh -c "ip -n $(ns_name "$n") addr show dev mesh0 | grep -q 'inet6 fd99::$i/64'"; then
		pass "$n: meshubd put 10.99.0.$i/24 and fd99::$i/64 on the TAP device"
	else
		fail "$n: mesh0 lacks its addresses: $(nsx "$n" ip -br addr show dev mesh0)"
	fi
	if nsx "$n" ip -d link show mesh0 | grep -q 'link/ether' && nsx "$n" ip -d link show mesh0 | grep -q 'tun type tap'; then
		pass "$n: mesh0 is a TAP device"
	else
		fail "$n: mesh0 is not a TAP device: $(nsx "$n" ip -d link show mesh0 | tr '\n' ' ')"
	fi
done

mesh_wait 20 "${nodes[@]}"

# ARP: after the pings every node has a neighbour entry with the peer's MAC
for s in "${nodes[@]}"; do
	for d in "${nodes[@]}"; do
		[ "$s" = "$d" ] && continue
		want=$(mac_of "${d%%:*}")
		got=$(nsx "${s%%:*}" ip neigh show dev mesh0 "10.99.0.${d##*:}")
		if echo "$got" | grep -q "lladdr $want"; then
			pass "${s%%:*}: ARP resolved 10.99.0.${d##*:} to ${d%%:*}'s MAC $want"
		else
			fail "${s%%:*}: neighbour entry for 10.99.0.${d##*:} is '$got', expected lladdr $want"
		fi
	done
done

# IPv6 over TAP: neighbour solicitations go to a multicast group
for s in "${nodes[@]}"; do
	for d in "${nodes[@]}"; do
		[ "$s" = "$d" ] && continue
		if wait_for 10 ping6_ok "${s%%:*}" "fd99::${d##*:}"; then
			pass "${s%%:*} -> fd99::${d##*:} (IPv6 over TAP)"
		else
			fail "${s%%:*} cannot reach fd99::${d##*:} over TAP"
		fi
	done
done

# Broadcast: a ping to 10.99.0.255 from each node gets an answer from every
# other node (receivers answer broadcast echo requests)
for n in a b c; do nsx "$n" sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0; done
for s in "${nodes[@]}"; do
	out=$(nsx "${s%%:*}" ping -b -c 3 -i 0.5 -W 2 10.99.0.255 2>&1)
	for d in "${nodes[@]}"; do
		[ "$s" = "$d" ] && continue
		if echo "$out" | grep -q "from 10.99.0.${d##*:}:"; then
			pass "broadcast from ${s%%:*} reached ${d%%:*}"
		else
			fail "broadcast from ${s%%:*} did not reach ${d%%:*}: $(echo "$out" | tail -3 | tr '\n' ' ')"
		fi
	done
done

# An ARP request (broadcast) for an address nobody has reaches every peer's
# mesh0 intact
caps=()
for n in b c; do
	capture_start "$n" mesh0 "$LAB_DIR/$n-arp.pcap" arp
	caps+=("$CAP_PID")
done
nsx a ping -c 2 -W 1 10.99.0.77 >/dev/null 2>&1
sleep 1
for i in 0 1; do capture_stop "${caps[$i]}"; done
for n in b c; do
	if tcpdump -n -r "$LAB_DIR/$n-arp.pcap" 2>/dev/null | grep -q "Request who-has 10.99.0.77 tell 10.99.0.1"; then
		pass "a's ARP request for 10.99.0.77 arrived intact on $n's mesh0"
	else
		fail "a's ARP request for 10.99.0.77 did not arrive on $n's mesh0"
	fi
done
lab_done
