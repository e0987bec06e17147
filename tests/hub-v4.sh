#!/bin/bash
# hub-v4.sh - a real meshub-hub on loopback (127.0.0.1 and 127.0.0.2, free
# ports) with two emulated original (v4) meshub clients and one v5 node
# (tests/hub-v4-emu), then SIGUSR1 (counters) and SIGTERM (clean exit);
# and SIGUSR1 on a quiet hub (-q -q: errors only) still logs the counters.
# Needs no root; touches nothing but loopback; cleans up by PID.
set -u
builddir=$(pwd)
hub=$builddir/hub/meshub-hub
emu=$builddir/tests/hub-v4-emu
[ -x "$hub" ] && [ -x "$emu" ] || { echo "hub-v4: $hub or $emu not built"; exit 99; }

work=$(mktemp -d /tmp/mh-hub-v4-$$.XXXXXX) || exit 99
hubpid= quietpid=
stop() {
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 0
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
cleanup() {
	stop "$hubpid"
	stop "$quietpid"
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "hub-v4: FAIL: $*"; echo "--- hub log:"; cat "$work/hub.log" 2>/dev/null; exit 1; }

# bad usage is refused with a clear status and no daemon left behind
"$hub" --no-such-option >/dev/null 2>&1; [ $? = 2 ] || fail "an unknown option must exit with status 2"
timeout 10 "$hub" -a not-an-address -p 0 >/dev/null 2>"$work/bad.log"
[ $? = 1 ] || fail "a bad address must exit with status 1"
grep -q "not-an-address" "$work/bad.log" || fail "the error does not name the bad address"

"$hub" -a 127.0.0.1 -a 127.0.0.2 -p 0 -v --stats-interval 0 2>"$work/hub.log" &
hubpid=$!
port1= port2=
for _ in $(seq 100); do
	port1=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/hub.log")
	port2=$(sed -n 's/.*listening on 127\.0\.0\.2:\([0-9]*\)$/\1/p' "$work/hub.log")
	[ -n "$port1" ] && [ -n "$port2" ] && grep -q ready "$work/hub.log" && break
	kill -0 "$hubpid" 2>/dev/null || fail "meshub-hub exited at start"
	sleep 0.1
done
[ -n "$port1" ] && [ -n "$port2" ] || fail "meshub-hub did not report its ports"
echo "meshub-hub (pid $hubpid) on 127.0.0.1:$port1 and 127.0.0.2:$port2"

timeout 60 "$emu" 127.0.0.1 "$port1" 127.0.0.2 "$port2" || fail "the emulated clients saw a wrong answer"

kill -USR1 "$hubpid"
for _ in $(seq 50); do grep -q "stats:" "$work/hub.log" && break; sleep 0.1; done
grep "stats:" "$work/hub.log" | head -1
for c in ok-v4=5 ok-hello=2 ok-join=1 tx-challenge=2 tx-list=1 tx-h2c=4 drop-unknown-type=2 drop-too-long=1; do
	grep "stats:" "$work/hub.log" | head -1 | grep -qw -- "$c" || fail "counter $c expected after SIGUSR1"
done

kill -TERM "$hubpid"
for _ in $(seq 50); do kill -0 "$hubpid" 2>/dev/null || break; sleep 0.1; done
wait "$hubpid"; rc=$?
hubpid=
[ "$rc" = 0 ] || fail "meshub-hub exited with status $rc after SIGTERM"
grep -q "exiting" "$work/hub.log" || fail "no exit message"
grep -q '^meshub-hub\[info\]: listening on ' "$work/hub.log" || fail "log lines are not 'meshub-hub[LEVEL]: ...'"

# a hub that logs errors only: SIGUSR1 still logs the counters. It says
# nothing when ready, so wait until it blocks SIGUSR1 (its signalfd is set up).
"$hub" -a 127.0.0.1 -p 0 -q -q --stats-interval 0 2>"$work/quiet.log" &
quietpid=$!
blocked=
for _ in $(seq 100); do
	sigblk=$(sed -n 's/^SigBlk:[[:space:]]*//p' "/proc/$quietpid/status" 2>/dev/null)
	[ -n "$sigblk" ] && (( 0x$sigblk & 0x200 )) && { blocked=1; break; }
	kill -0 "$quietpid" 2>/dev/null || fail "the quiet meshub-hub exited at start"
	sleep 0.1
done
[ -n "$blocked" ] || fail "the quiet meshub-hub never blocked SIGUSR1"
kill -USR1 "$quietpid"
for _ in $(seq 50); do grep -q "stats:" "$work/quiet.log" && break; sleep 0.1; done
stop "$quietpid"; quietpid=
grep -q "stats: networks=0 " "$work/quiet.log" || { cat "$work/quiet.log"; fail "-q -q: no counters after SIGUSR1"; }
grep -q "listening on" "$work/quiet.log" && fail "-q -q still logs at info level"
echo "ok   hub-v4: meshub-hub served v4 and v5 apart and exited cleanly"
exit 0
