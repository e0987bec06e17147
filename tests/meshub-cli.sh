#!/bin/bash
# meshub-cli.sh - the meshub tool without root: --help, -h and help print the
# commands (exit 0), an unknown command exits 2; `meshub status` against
# fake nodes (socat serving a status object) in a NetworkManager directory:
# the connection's name from its sidecar, one JSON document (an object for a
# named mesh, an array for all), "no meshubd is running" for an empty
# directory, "permission denied: run as root" for a socket it may not open.
set -u
MESHUB=${MESHUB:-./engine/meshub}
fails=0
passes=0
pass() { echo "PASS: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
command -v socat >/dev/null && command -v jq >/dev/null || { echo "SKIP: needs socat and jq"; exit 77; }
[ -x "$MESHUB" ] || { echo "SKIP: $MESHUB not built"; exit 77; }
dir=$(mktemp -d /tmp/meshub-cli.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$dir"; }
trap cleanup EXIT

for h in --help -h help; do
	out=$("$MESHUB" "$h" 2>&1); rc=$?
	[ $rc = 0 ] && echo "$out" | grep -q "^  status " && pass "meshub $h: exit 0, lists the commands" ||
		fail "meshub $h: exit $rc: $out"
done
"$MESHUB" bogus >/dev/null 2>&1; [ $? = 2 ] && pass "an unknown command: exit 2" || fail "unknown command"

export MESHUB_NM_RUNDIR="$dir/nm"
mkdir -p "$MESHUB_NM_RUNDIR"
out=$("$MESHUB" status 0f3b5a57-0000-4c32-9d2b-6a7f1b2c3d4e --json 2>&1); rc=$?
[ $rc = 1 ] && pass "no such mesh: exit 1 ($out)" || fail "no such mesh: exit $rc: $out"
if [ ! -e /run/meshub ] || [ -z "$(ls /run/meshub 2>/dev/null | grep '\.sock$')" ]; then
	out=$("$MESHUB" status --json 2>/dev/null); rc=$?
	[ $rc = 1 ] && [ "$out" = "[]" ] && pass "no mesh at all: --json prints [] (exit 1)" ||
		fail "no mesh at all: exit $rc, '$out'"
fi

# two fake nodes of NetworkManager's
fake() { # UUID NAME IFACE
	printf '%s\n' "$2" >"$MESHUB_NM_RUNDIR/$1.name"
	cat >"$dir/$1.node" <<NODE
#!/bin/sh
read req
if [ "\$req" = "status json" ]; then echo '{"interface":"$3","peers":[]}'; else echo 'interface: $3'; fi
NODE
	chmod +x "$dir/$1.node"
	socat UNIX-LISTEN:"$MESHUB_NM_RUNDIR/$1.sock",fork EXEC:"$dir/$1.node" 2>/dev/null &
	pids+=("$!")
	for _ in $(seq 1 50); do [ -S "$MESHUB_NM_RUNDIR/$1.sock" ] && return 0; sleep 0.1; done
	return 1
}
U1=0f3b5a57-8e0f-4c32-9d2b-6a7f1b2c3d4e
U2=9a7b5a57-8e0f-4c32-9d2b-6a7f1b2c3d4e
fake $U1 "office mesh" mesh0 && fake $U2 home mesh1 || { fail "fake nodes did not start"; exit 1; }

one=$("$MESHUB" status "office mesh" --json)
[ "$(echo "$one" | jq -r '.interface + "|" + .nm_connection.name + "|" + .nm_connection.uuid')" = "mesh0|office mesh|$U1" ] &&
	pass "status NAME --json: one object with nm_connection" || fail "status NAME --json: $one"
[ "$("$MESHUB" status $U2 --json | jq -r .interface)" = mesh1 ] && pass "status UUID --json" || fail "status UUID"
all=$("$MESHUB" status --json)
echo "$all" | jq -e --arg a "$U1" --arg b "$U2" \
	'type == "array" and any(.[]; .nm_connection.uuid == $a) and any(.[]; .nm_connection.uuid == $b)' >/dev/null &&
	[ "$(echo "$all" | wc -l)" = 1 ] && pass "status --json: one array, one line" || fail "status --json: $all"
text=$("$MESHUB" status home)
echo "$text" | grep -q "^NetworkManager connection: home ($U2)" && echo "$text" | grep -q "^interface: mesh1" &&
	pass "status NAME (text) names the connection" || fail "status text: $text"

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 700 "$MESHUB_NM_RUNDIR"
	out=$(setpriv --reuid 65534 --regid 65534 --clear-groups env MESHUB_NM_RUNDIR="$MESHUB_NM_RUNDIR" \
		"$MESHUB" status --json 2>&1); rc=$?
	[ $rc = 1 ] && echo "$out" | grep -q "permission denied: run as root" && pass "a normal user: $out" ||
		fail "a normal user: exit $rc: $out"
fi
echo "$passes passed, $fails failed"
[ $fails = 0 ]
