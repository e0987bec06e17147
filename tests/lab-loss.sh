#!/bin/bash
# lab-loss.sh - issue 3, test 6: a lossy internet. Both NAT routers drop 5 % of
# the packets they forward, at random, in both directions (nftables numgen);
# a path between the two NATs crosses both, so it loses about 10 %. The mesh
# still forms (hub registration and handshakes are retried) and a 20 MB TCP
# transfer across the NATs completes with the right sha256.
. "$(dirname "$0")/lab/lib.sh"
lab_require sha256sum socat bc

LOSS=${LOSS_PERCENT:-5}

lab_two_nats
for r in r1 r2; do
	# first in the forward chain, so replies are dropped as well
	nsx "$r" nft insert rule ip filter forward numgen random mod 100 \< "$LOSS" counter drop
done

# the loss really happens: 200 fast pings from a to the hub lose some
out=$(nsx a ping -c 200 -i 0.01 -W 1 -q "$HUB_IP" 2>&1 | grep -o '[0-9.]*% packet loss')
pct=${out%%%*}
if [ -n "$pct" ] && [ "$(echo "$pct >= 2 && $pct <= 25" | bc)" = 1 ]; then
	pass "underlay a -> hub loses $out (r1 drops $LOSS % each way)"
else
	fail "underlay loss is '$out', expected about $((2 * LOSS)) %"
fi

node_start a 1
node_start b 2
node_start c 3
mesh_wait 40 a:1 b:2 c:3

if lab_transfer a b 10.99.0.2 20 150; then
	pass "20 MB over TCP a -> b across two lossy NATs, sha256 matches ($XFER_MBITS Mbit/s)"
else
	fail "20 MB transfer a -> b failed ($XFER_GOT bytes arrived)"
fi
for r in r1 r2; do
	lab_log "$r dropped $(nsx "$r" nft list chain ip filter forward | grep -o 'packets [0-9]*' | head -1 | cut -d' ' -f2) packets"
done
lab_done
