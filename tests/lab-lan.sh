#!/bin/bash
# lab-lan.sh - issue 3, test 3: LAN discovery with no hub configured. Two nodes
# behind the same router find each other by their sealed announces and ping;
# a third node behind another router (no hub anywhere) gets no edge; and no
# announce is ever sent into the mesh device (tcpdump on mesh0 sees nothing
# on the LAN ports). Run for a TUN and a TAP network (a TAP device has a
# broadcast address and an IPv6 link-local address, so it is the case where
# leaking an announce into the mesh would be easy).
. "$(dirname "$0")/lab/lib.sh"
lab_require tcpdump

lab_internet
lab_router r1 198.18.1.1 10.1.0.1/24
lab_router r2 198.18.2.1 10.2.0.1/24
lab_host a r1 10.1.0.11/24 10.1.0.1
lab_host b r1 10.1.0.12/24 10.1.0.1
lab_host c r2 10.2.0.11/24 10.2.0.1

export NODE_NO_HUB=1
export NODE_LAN_PORTS="3741, 3742, 3743" # every node's own port (3740 + index)
lan_filter="udp port 3741 or udp port 3742 or udp port 3743"

for type in tun tap; do
	export NODE_TYPE=$type
	LAB_PSK= # a fresh network for each round
	node_start a 1
	node_start b 2
	node_start c 3
	caps=()
	for n in a b c; do
		capture_start "$n" mesh0 "$LAB_DIR/$n-$type-mesh0.pcap" "$lan_filter"
		caps+=("$CAP_PID")
	done

	for n in a b c; do
		if log_has "$n" "no hub configured"; then
			pass "$type: $n says it runs without a hub"
		else
			fail "$type: $n does not say that it runs without a hub"
		fi
	done
	mesh_wait 20 a:1 b:2
	for p in "a b 10.1.0.12:3742" "b a 10.1.0.11:3741"; do
		set -- $p
		# the responder may log the edge before it has the peer's advert
		# (and so its name): it then names the peer by the start of its key
		if wait_for 5 log_has "$1" "edge to ($2|[A-Za-z0-9+/]{10}) is up via ${3//./\\.} \(lan path\)"; then
			pass "$type: $1 has a LAN edge to $2 ($3)"
			edge_up "$1" "$2" || lab_log "NOTE: $type: $1 logged its edge to $2 before it knew the name"
		else
			fail "$type: $1 logged no LAN edge to $2 at $3: $(grep 'edge to' "$LAB_DIR/$1.log" | tr '\n' ' ')"
		fi
	done
	if wait_for 5 ping6_ok a fd99::2; then pass "$type: a -> b over IPv6"; else fail "$type: a cannot reach fd99::2"; fi

	# c is alone behind r2: it must not find a or b, nor they c. The
	# announces go out at 0, 1 and 3 s and then every advert interval; wait
	# for one more round than a and b needed.
	sleep 5
	for n in a:1 b:2; do
		if ping_ok "${n%%:*}" 10.99.0.3 || ping_ok c "10.99.0.${n##*:}"; then
			fail "$type: ${n%%:*} and c (behind another router, no hub) reach each other"
		else
			pass "$type: ${n%%:*} and c cannot reach each other"
		fi
	done
	if log_has c "learned of|edge to" || log_has a "learned of c|edge to c" || log_has b "learned of c|edge to c"; then
		fail "$type: c learned of a peer or a peer of c: $(grep -h 'learned of\|edge to' "$LAB_DIR"/[abc].log | tr '\n' ' ')"
	else
		pass "$type: c has no edge and nobody learned of c"
	fi

	# announces were sent on the LAN (sanity for the capture below)...
	sent=$(timeout 8 ip netns exec "$(ns_name a)" tcpdump -i eth0 -n -c 1 "udp port 3742 and dst host 10.1.0.255" 2>/dev/null | wc -l)
	if [ "$sent" -ge 1 ]; then
		pass "$type: a broadcasts announces on its LAN (eth0)"
	else
		fail "$type: no announce from a seen on eth0 within 8 s"
	fi
	# ...but never into the mesh device
	for i in 0 1 2; do capture_stop "${caps[$i]}"; done
	for n in a b c; do
		cnt=$(pcap_count "$LAB_DIR/$n-$type-mesh0.pcap")
		if [ "$cnt" = 0 ]; then
			pass "$type: no packet on $n's mesh0 for the LAN ports"
		else
			fail "$type: $cnt packet(s) on $n's mesh0 for the LAN ports: $(tcpdump -n -r "$LAB_DIR/$n-$type-mesh0.pcap" 2>/dev/null | head -3 | tr '\n' ' ')"
		fi
	done
	for n in a b c; do
		node_stop "$n"
		mv "$LAB_DIR/$n.log" "$LAB_DIR/$n-$type.log.old"
	done
done
lab_done
