#!/bin/bash
# lab-uso.sh - issue 11: an application on node a sends UDP with UDP_SEGMENT
# (64 800-byte sends cut into 1200-byte datagrams) through the mesh to node
# b, which receives every byte in order (sha256). Where the kernel takes UDP
# segmentation offload on TUN (6.2+), a's status shows the device took it
# and that it cut UDP super packets, and b's that it glued received
# datagrams back together; where it does not (6.1), the transfer is still
# checked and the log says USO is not available (MESHUB_OFFLOAD=tcp in the
# environment tests that path on any kernel).
. "$(dirname "$0")/lab/lib.sh"
lab_require sha256sum python3 jq

UDPSEG="$LAB_SRC/tests/lab/udp-segment.py"

lab_internet
lab_hub
lab_public a 198.18.3.1
lab_public b 198.18.3.2
node_start a 1
node_start b 2
wait_for 15 ping_ok a 10.99.0.2 && pass "a -> b over the mesh" || fail "a cannot reach 10.99.0.2"

# kernel_at_least MAJOR MINOR: the running kernel is that version or later
kernel_at_least() {
	local v; v=$(uname -r)
	local maj=${v%%.*} rest=${v#*.}
	local min=${rest%%[^0-9]*}
	[ "$maj" -gt "$1" ] || { [ "$maj" -eq "$1" ] && [ "$min" -ge "$2" ]; }
}

offloads_a=$(node_json a '.device.offloads | join(" ")')
lab_log "a's device offloads: ${offloads_a:-none} (kernel $(uname -r))"
uso=0
case " $offloads_a " in *" uso4 "*) uso=1 ;; esac
if [ $uso = 1 ]; then
	pass "a's device took USO (${offloads_a})"
elif [ -n "${MESHUB_OFFLOAD:-}" ]; then
	lab_log "USO turned off by MESHUB_OFFLOAD=$MESHUB_OFFLOAD: checking the transfer without it"
elif kernel_at_least 6 2; then
	fail "kernel $(uname -r) has USO on TUN but a's device did not take it (offloads: ${offloads_a:-none})"
else
	lab_log "USO is not available on kernel $(uname -r): checking the transfer without it"
fi
splits0=$(node_json a '.device.uso_splits')
coal0=$(node_json b '.device.uso_coalesced')

# 8 MB (about 125 sends of 64 800 bytes), each acknowledged before the next
head -c 8000000 /dev/urandom >"$LAB_DIR/blob"
want=$(sha256sum <"$LAB_DIR/blob" | cut -d' ' -f1)
start b udp-recv python3 "$UDPSEG" recv 10.99.0.2 5001 "$LAB_DIR/blob.out" 60
recv=$LAST_PID
wait_for 5 nsx b sh -c "ss -lun | grep -q '10.99.0.2:5002 '" || fail "the receiver in b did not start"
if nsx a timeout 60 python3 "$UDPSEG" send 10.99.0.2 5001 "$LAB_DIR/blob" 1200 64800 1 0 >>"$LAB_DIR/udp-send.log" 2>&1; then
	wait_for 10 pid_gone "$recv" || stop_pid "$recv"
	got=$(sha256sum <"$LAB_DIR/blob.out" | cut -d' ' -f1)
	if [ "$got" = "$want" ]; then
		pass "8 MB of UDP_SEGMENT sends a -> b arrived whole and in order (sha256 matches; $(tail -1 "$LAB_DIR/udp-recv.log"))"
	else
		fail "UDP transfer: sha256 differs ($(stat -c %s "$LAB_DIR/blob.out") bytes arrived)"
	fi
else
	fail "UDP transfer did not complete: $(tail -1 "$LAB_DIR/udp-send.log")"
	stop_pid "$recv"
fi

splits=$(($(node_json a '.device.uso_splits') - splits0))
coal=$(($(node_json b '.device.uso_coalesced') - coal0))
refused=$(node_json a '.device.refused')
if [ $uso = 1 ]; then
	if [ "$splits" -gt 0 ]; then
		pass "a cut $splits UDP super packets read from its device"
	else
		fail "a's device took USO but a cut no UDP super packets (uso_splits $splits)"
	fi
	# b's device took USO too (same kernel): received datagrams are glued
	if [ "$coal" -gt 0 ]; then
		pass "b wrote $coal coalesced UDP super packets to its device"
	else
		fail "b wrote no coalesced UDP super packets (uso_coalesced $coal)"
	fi
else
	[ "$splits" = 0 ] && pass "without USO a cut no UDP super packets" || fail "a cut $splits UDP super packets without USO"
fi
[ "$refused" = 0 ] && pass "a refused no packets read from its device" || fail "a refused $refused packets read from its device"
lab_done
