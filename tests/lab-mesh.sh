#!/bin/bash
# lab-mesh.sh - issue 3, test 1: a full mesh of four nodes across two NATs and
# the public internet: every pair pings over IPv4 and IPv6, and a 100 MB TCP
# transfer across the NATs arrives with the right checksum. a and b run two
# crypto threads each (the default on this 2-CPU lab is none), so the
# transfer goes through the worker pool in both directions. It travels as
# DATA_PARTIAL (TCP checksums left partial, PROTOCOL.md §7): a reads them
# so, b writes them so. c runs with MESHUB_PARTIAL=0, so what a sends to c
# must carry complete checksums (c's kernel drops anything else), and c
# writes no partial packet. d routes a subnet with a host e behind it; d's
# link to e does no checksum offload, so d's kernel completes the partial
# checksums of what it forwards there and e's kernel checks every one.
. "$(dirname "$0")/lab/lib.sh"
lab_require sha256sum socat ethtool

lab_internet
lab_hub
lab_router r1 198.18.1.1 10.1.0.1/24
lab_router r2 198.18.2.1 10.2.0.1/24
lab_host a r1 10.1.0.11/24 10.1.0.1
lab_host b r2 10.2.0.11/24 10.2.0.1
lab_host c r2 10.2.0.12/24 10.2.0.1
lab_public d 198.18.3.1
# e: a host on d's subnet 10.77.0.0/24 (d forwards, e's way back is d)
ns_add e
ip link add eth0 netns "$(ns_name e)" type veth peer name sub0 netns "$(ns_name d)"
ip -n "$(ns_name d)" addr add 10.77.0.1/24 dev sub0
ip -n "$(ns_name d)" link set sub0 up
ip -n "$(ns_name e)" addr add 10.77.0.2/24 dev eth0
ip -n "$(ns_name e)" link set eth0 up
ip -n "$(ns_name e)" route add default via 10.77.0.1
nsx d sysctl -qw net.ipv4.ip_forward=1
nsx d ethtool -K sub0 tx off >/dev/null
nsx e ethtool -K eth0 rx off >/dev/null

NODE_THREADS=2 NODE_ROUTES=10.77.0.0/24 node_start a 1
NODE_THREADS=2 node_start b 2
MESHUB_PARTIAL=0 node_start c 3
NODE_SUBNETS=10.77.0.0/24 node_start d 4

for n in a b; do
	wait_for 10 log_has "$n" "2 crypto thread" && pass "$n runs 2 crypto threads" || fail "$n did not start its crypto threads"
done

nodes=(a b c d)
for src in "${nodes[@]}"; do
	for i in 1 2 3 4; do
		[ "${nodes[$((i - 1))]}" = "$src" ] && continue
		if wait_for 15 ping_ok "$src" "10.99.0.$i"; then
			pass "$src -> 10.99.0.$i (IPv4)"
		else
			fail "$src cannot reach 10.99.0.$i"
		fi
		if wait_for 10 ping6_ok "$src" "fd99::$i"; then
			pass "$src -> fd99::$i (IPv6)"
		else
			fail "$src cannot reach fd99::$i"
		fi
	done
done

# 100 MB over TCP from a (behind r1) to b (behind r2), checksum verified
head -c 100000000 /dev/urandom >"$LAB_DIR/blob"
want=$(sha256sum <"$LAB_DIR/blob" | cut -d' ' -f1)
nsx b socat -u TCP-LISTEN:5001,reuseaddr "OPEN:$LAB_DIR/blob.out,creat,trunc" &
LAB_PIDS+=($!)
recv=$!
wait_for 5 nsx b sh -c "ss -ltn | grep -q ':5001'"
start_t=$(date +%s.%N)
if timeout 120 ip netns exec "$(ns_name a)" socat -u "OPEN:$LAB_DIR/blob" TCP:10.99.0.2:5001; then
	timeout 30 tail --pid="$recv" -f /dev/null
	end_t=$(date +%s.%N)
	got=$(sha256sum <"$LAB_DIR/blob.out" | cut -d' ' -f1)
	if [ "$got" = "$want" ]; then
		pass "100 MB TCP a -> b across two NATs, sha256 matches ($(echo "800 / ($end_t - $start_t)" | bc -l | cut -c1-6) Mbit/s)"
	else
		fail "100 MB transfer: checksum differs ($(stat -c %s "$LAB_DIR/blob.out") bytes arrived)"
	fi
else
	fail "100 MB transfer did not complete"
fi
pr=$(node_json a .device.partial_read)
pw=$(node_json b .device.partial_written)
if [ "${pr:-0}" -gt 0 ] && [ "${pw:-0}" -gt 0 ]; then
	pass "the transfer went as DATA_PARTIAL: a read $pr packets with partial checksums, b wrote $pw"
else
	fail "no DATA_PARTIAL: a partial_read ${pr:-none}, b partial_written ${pw:-none}"
fi
if lab_transfer a c 10.99.0.3 20 60; then
	pw=$(node_json c .device.partial_written)
	if [ "$pw" = 0 ]; then
		pass "20 MB a -> c, which takes no DATA_PARTIAL: complete checksums, sha256 matches ($XFER_MBITS Mbit/s)"
	else
		fail "c (MESHUB_PARTIAL=0) wrote ${pw:-?} packets that came with partial checksums"
	fi
else
	fail "20 MB a -> c (MESHUB_PARTIAL=0) did not arrive intact ($XFER_GOT bytes)"
fi
pw0=$(node_json d .device.partial_written)
if lab_transfer a e 10.77.0.2 20 60; then
	pw=$(node_json d .device.partial_written)
	if [ "$((pw - pw0))" -gt 0 ]; then
		pass "20 MB a -> e behind d: d forwarded $((pw - pw0)) partial-checksum packets, e's kernel checked them ($XFER_MBITS Mbit/s)"
	else
		fail "20 MB a -> e arrived, but d wrote no partial-checksum packet (partial_written $pw0 -> $pw)"
	fi
else
	fail "20 MB a -> e through d's subnet did not arrive intact ($XFER_GOT bytes)"
fi
lab_done
