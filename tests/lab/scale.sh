# scale.sh - helpers for the scale lab and bench-mesh (sourced after lib.sh):
# many public nodes on the simulated internet, one hub, started together,
# and a poll of every node's `meshub status --json` until each one has an
# edge in state "up" to every other node.

# scale_nodes N: N public hosts n1..nN on 198.19.X.Y behind the isp router
# (lab_isp), each with its meshubd config written but not started
scale_nodes() {
	local n=$1 i
	lab_isp
	for i in $(seq 1 "$n"); do
		lab_isp_host "n$i" "198.19.$((i / 250)).$((i % 250 + 1))"
		NODE_LOG=${NODE_LOG:-info} node_config "n$i" "$i"
	done
}

# scale_start N: start every meshubd at once (no waiting in between)
scale_start() {
	local i
	for i in $(seq 1 "$1"); do
		start "n$i" "n$i" "$MESHUBD" "$LAB_DIR/n$i.conf"
		eval "PID_n$i=$LAST_PID"
	done
}

# edges_up NAME: how many peers NAME's status lists in state up (0 if the
# daemon does not answer yet). The control socket is a file: no need to
# enter the namespace, which keeps a poll of 100 nodes quick.
edges_up() {
	"$MESHUB" status --socket "$LAB_DIR/$1.sock" --json 2>/dev/null | grep -o '"state":"up"' | wc -l
}

# scale_wait N SECONDS: poll until every node has N-1 edges up or SECONDS
# pass; sets SCALE_FULL (nodes with a full set of edges) and SCALE_SECS
# (seconds until the last node was full, or SECONDS if not all were)
scale_wait() {
	local n=$1 t=$2 i t0 end done_list=()
	t0=$(date +%s%N)
	end=$((t0 + t * 1000000000))
	SCALE_FULL=0
	for i in $(seq 1 "$n"); do done_list[$i]=0; done
	while [ "$(date +%s%N)" -lt "$end" ] && [ "$SCALE_FULL" -lt "$n" ]; do
		for i in $(seq 1 "$n"); do
			[ "${done_list[$i]}" = 1 ] && continue
			if [ "$(edges_up "n$i")" -ge $((n - 1)) ]; then
				done_list[$i]=1
				SCALE_FULL=$((SCALE_FULL + 1))
			fi
		done
		[ "$SCALE_FULL" -lt "$n" ] && sleep 0.2
	done
	SCALE_SECS=$(echo "($(date +%s%N) - $t0) / 1000000000" | bc -l | cut -c1-5)
	[ "$SCALE_FULL" = "$n" ]
}
