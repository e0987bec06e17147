#!/bin/bash
# lab-scale.sh - issue 9: 50 public nodes on one flat network (no NAT), one
# hub, all started at the same moment: every node has an edge in state "up"
# to every other node (from `meshub status --json`) within 20 s, and none
# of them reports a missing direct path.
. "$(dirname "$0")/lab/lib.sh"
. "$(dirname "$0")/lab/scale.sh"
lab_require jq bc

N=${SCALE_NODES:-50}
lab_internet
lab_hub
scale_nodes "$N"
scale_start "$N"
if scale_wait "$N" "${SCALE_DEADLINE:-20}"; then
	pass "$N nodes: full mesh ($((N * (N - 1) / 2)) edges) after $SCALE_SECS s"
else
	fail "$N nodes: only $SCALE_FULL of $N have all $((N - 1)) edges up after $SCALE_SECS s"
fi
reports=0
for i in $(seq 1 "$N"); do
	r=$(status "n$i" --json | jq '[.peers[] | select(.state != "up")] | length')
	reports=$((reports + ${r:-1}))
done
[ "$reports" = 0 ] && pass "no edge of any node is in a state other than up" \
	|| fail "$reports edges are not up"
lab_done
