#!/bin/bash
# lab-capture.sh - issue 3, test 8: what the hub and the path can see.
# tcpdump records the hub's interface and r1's WAN (an edge crosses it) while
# three nodes form a mesh and ping each other over IPv4 and IPv6, with a
# known marker in the ping payload. Neither capture may contain a VPN address
# (10.99.0.x as 4 raw bytes or as text, fd99::x as 16 raw bytes), a host
# name, the PSK (raw 32 bytes or its base64 text) or the marker. Sanity: the
# hub capture holds hub traffic (198.18.0.1:3731), the WAN capture holds edge
# datagrams big enough to carry the marker, and the marker is visible on the
# sender's own mesh0, so its absence on the wire means something.
. "$(dirname "$0")/lab/lib.sh"
lab_require tcpdump od base64

# distinctive host names: a one-letter name could appear in any capture
A=hostkilo B=hostlima C=hostmike
MARKER=mhQ7markerZ3xY9w # 16 bytes: ping -p repeats up to 16 pad bytes
marker_hex=$(printf %s "$MARKER" | od -An -v -tx1 | tr -d ' \n')

lab_internet
lab_hub
lab_router r1 198.18.1.1 10.1.0.1/24
lab_router r2 198.18.2.1 10.2.0.1/24
lab_host $A r1 10.1.0.11/24 10.1.0.1
lab_host $B r2 10.2.0.11/24 10.2.0.1
lab_public $C 198.18.3.1

hub_pcap=$LAB_DIR/hub.pcap
wan_pcap=$LAB_DIR/r1-wan.pcap
mesh_pcap=$LAB_DIR/mesh0.pcap
capture_start hub eth0 "$hub_pcap"
hub_cap=$CAP_PID
capture_start r1 wan "$wan_pcap"
wan_cap=$CAP_PID

node_start $A 1
node_start $B 2
node_start $C 3
capture_start $A mesh0 "$mesh_pcap"
mesh_cap=$CAP_PID
mesh_wait 30 $A:1 $B:2 $C:3
for s in 1 2 3; do
	for d in 1 2 3; do
		[ $s = $d ] && continue
		n=$([ $s = 1 ] && echo $A || { [ $s = 2 ] && echo $B || echo $C; })
		wait_for 10 ping6_ok "$n" "fd99::$d" || fail "$n cannot reach fd99::$d"
	done
done
# the marker, over the edge $A (behind r1) <-> $B (behind r2), both ways
for dst in 10.99.0.2 fd99::2; do
	nsx $A ping -c 10 -i 0.2 -s 400 -p "$marker_hex" "$dst" >/dev/null 2>&1 || fail "marker ping to $dst failed"
done
nsx $B ping -c 10 -i 0.2 -s 400 -p "$marker_hex" 10.99.0.1 >/dev/null 2>&1 || fail "marker ping from $B failed"
sleep 12 # one more registration round at the hub
for p in $hub_cap $wan_cap $mesh_cap; do capture_stop "$p"; done

# sanity first: otherwise the checks below prove nothing
n=$(pcap_count "$hub_pcap" "udp and host $HUB_IP and port 3731")
if [ -s "$hub_pcap" ] && [ "$n" -ge 6 ]; then
	pass "hub capture: $(stat -c %s "$hub_pcap") bytes, $n datagrams to/from $HUB_IP:3731"
else
	fail "hub capture holds no hub traffic ($n datagrams)"
fi
n=$(pcap_count "$wan_pcap" "udp and host 198.18.1.1 and host 198.18.2.1 and greater 450")
if [ "$n" -ge 20 ]; then
	pass "r1 WAN capture: $n edge datagrams between the NATs large enough for a marker ping"
else
	fail "r1 WAN capture has only $n large edge datagrams between 198.18.1.1 and 198.18.2.1"
fi
if file_has_text "$mesh_pcap" "$MARKER" && file_has_hex "$mesh_pcap" 0a630002 && file_has_hex "$mesh_pcap" fd990000000000000000000000000002; then
	pass "the marker and the VPN addresses are visible in clear on $A's mesh0"
else
	fail "the marker is not visible on $A's mesh0: the check below would prove nothing"
fi

psk_std=$(printf %s "$LAB_PSK" | tr -- '-_' '+/')
psk_hex=$(printf %s "$psk_std" | base64 -d | od -An -v -tx1 | tr -d ' \n')
[ ${#psk_hex} = 64 ] || fail "could not decode the PSK to 32 bytes"
for cap in "$hub_pcap" "$wan_pcap"; do
	what=${cap##*/}
	bad=
	for i in 1 2 3; do
		file_has_hex "$cap" "0a63000$i" && bad="$bad 10.99.0.$i(raw)"
		file_has_hex "$cap" "fd99000000000000000000000000000$i" && bad="$bad fd99::$i(raw)"
	done
	file_has_text "$cap" "10.99.0." && bad="$bad 10.99.0.(text)"
	file_has_text "$cap" "fd99:" && bad="$bad fd99:(text)"
	for h in $A $B $C; do file_has_text "$cap" "$h" && bad="$bad hostname:$h"; done
	file_has_hex "$cap" "$psk_hex" && bad="$bad PSK(raw)"
	file_has_text "$cap" "$LAB_PSK" && bad="$bad PSK(base64url)"
	file_has_text "$cap" "$psk_std" && bad="$bad PSK(base64)"
	file_has_text "$cap" "${psk_std%%=*}" && bad="$bad PSK(base64, no padding)"
	file_has_text "$cap" "$MARKER" && bad="$bad marker"
	file_has_hex "$cap" "${marker_hex:0:16}" && bad="$bad marker(8 bytes)"
	if [ -z "$bad" ]; then
		pass "$what: no VPN address, host name, PSK or marker in $(stat -c %s "$cap") bytes"
	else
		fail "$what contains:$bad"
	fi
done
lab_done
