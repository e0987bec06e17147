#!/bin/bash
# lab-ops.sh - issue 14: operating meshubd like a Debian daemon.
#  1. names: `dig @10.99.0.1 b.mesh A` and AAAA answer from every member,
#     NXDOMAIN for an unknown name, REFUSED outside the domain, malformed
#     queries dropped and counted in `meshub status --json`;
#  2. `meshubd --check` on a good file (exit 0) and on broken ones (exit 1,
#     the message of a start), with nothing created;
#  3. SIGHUP during a TCP transfer: live keys applied, a [tun] change named
#     as needing a restart, the transfer completes intact, no new handshake
#     to set the edge up again; systemd's READY=1 / RELOADING=1 / READY=1;
#  4. a node with another network key gets the hint in its log and status
#     within the stated time (3 advert intervals, one more at most); the
#     good nodes do not;
#  5. two meshes on one machine without [socket] port: 3731 and a port of
#     its own, the same again after a restart;
#  6. `meshub status` as a normal user: "permission denied: run as root";
# and meshub-hub's READY=1 once it listens.
. "$(dirname "$0")/lab/lib.sh"
lab_require jq dig socat sha256sum setpriv

# notify_listen NAME: a notification socket of the test's own at
# $LAB_DIR/NAME, what it receives appended to $LAB_DIR/NAME.out
notify_listen() {
	perl -MIO::Socket::UNIX -MSocket -e '
		my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => $ARGV[0]) or die "socket: $!";
		$| = 1;
		while (defined $s->recv(my $m, 4096)) { print "$m\n"; }' "$LAB_DIR/$1" >>"$LAB_DIR/$1.out" 2>&1 &
	LAB_PIDS+=("$!")
	wait_for 5 test -S "$LAB_DIR/$1" || fail "no notification socket $1"
	chmod 777 "$LAB_DIR/$1" # the daemons send as nobody, too
}

lab_internet
# the hub announces its readiness too (Type=notify in meshub-hub.service)
notify_listen notify-hub
NOTIFY_SOCKET="$LAB_DIR/notify-hub" lab_hub
wait_for 10 grep -qx READY=1 "$LAB_DIR/notify-hub.out" && pass "meshub-hub: READY=1 once listening" ||
	fail "meshub-hub sent no READY=1 on \$NOTIFY_SOCKET: $(cat "$LAB_DIR/notify-hub.out" 2>/dev/null)"
lab_router r1 198.18.1.1 10.1.0.1/24
lab_host a r1 10.1.0.11/24 10.1.0.1
lab_public b 198.18.3.1
lab_public c 198.18.3.2

# c announces its readiness to a notification socket of the test's own
notify_listen notify

node_start a 1
node_start b 2
node_config c 3
NOTIFY_SOCKET="$LAB_DIR/notify" start c c "$MESHUBD" "$LAB_DIR/c.conf"
PID_c=$LAST_PID
mesh_wait 30 a:1 b:2 c:3
wait_for 10 grep -qx READY=1 "$LAB_DIR/notify.out" && pass "systemd readiness: READY=1 once running" ||
	fail "no READY=1 on \$NOTIFY_SOCKET: $(cat "$LAB_DIR/notify.out" 2>/dev/null)"

# --- 1. names ------------------------------------------------------------------
dig_is() { # NODE SERVER NAME TYPE WANT
	local got
	got=$(nsx "$1" dig +short +time=2 +tries=1 @"$2" "$3" "$4" 2>/dev/null | sort | tr '\n' ' ')
	[ "${got% }" = "$5" ]
}
names_known() { [ "$(node_json "$1" .dns.names)" -ge 3 ] 2>/dev/null; }
for n in a b c; do wait_for 20 names_known "$n" || fail "$n: the zone has $(node_json "$n" .dns.names) names"; done
for n in a b c; do
	for s in 10.99.0.1 fd99::2; do
		if wait_for 10 dig_is "$n" "$s" b.mesh A 10.99.0.2 && dig_is "$n" "$s" b.mesh AAAA fd99::2 &&
			dig_is "$n" "$s" C.MESH A 10.99.0.3; then
			pass "$n: dig @$s b.mesh A/AAAA and C.MESH A answer 10.99.0.2, fd99::2, 10.99.0.3"
		else
			fail "$n: dig @$s: $(nsx "$n" dig +time=2 +tries=1 @"$s" b.mesh A 2>&1 | grep -E 'status|IN' | tr '\n' ' ')"
		fi
	done
done
out=$(nsx b dig +time=2 +tries=1 @10.99.0.1 nobody.mesh A 2>&1)
echo "$out" | grep -q 'status: NXDOMAIN' && pass "an unknown name: NXDOMAIN" || fail "unknown name: $out"
out=$(nsx b dig +time=2 +tries=1 @10.99.0.1 example.org A 2>&1)
echo "$out" | grep -q 'status: REFUSED' && pass "a name outside the mesh: REFUSED" || fail "outside: $out"
before=$(node_json a '[.dns.drops[]] | add // 0')
nsx b perl -MIO::Socket::INET -e '
	my $s = IO::Socket::INET->new(PeerAddr => "10.99.0.1", PeerPort => 53, Proto => "udp") or die;
	# one at a time, as resolvers send (a burst is a transport matter: lab-loss.sh)
	sub ask { $s->send($_[0]); select(undef, undef, undef, 0.05); }
	ask("\x12\x34") for 1 .. 5;                                             # cut inside the header
	ask("\x12\x34\x81\x80\0\x01\0\0\0\0\0\0\x01a\0\0\x01\0\x01") for 1 .. 5; # a response
	ask("\x12\x34\x01\0\0\x02\0\0\0\0\0\0") for 1 .. 5;                   # two questions, none there'
dropped() { [ "$(node_json a '[.dns.drops[]] | add // 0')" -ge $((before + 15)) ]; }
if wait_for 5 dropped; then
	pass "15 malformed queries dropped and counted: $(node_json a .dns.drops | tr -d ' \n')"
else
	fail "malformed queries: drops $(node_json a .dns.drops | tr -d ' \n') (before: $before)"
fi
kill -0 "$PID_a" && dig_is b 10.99.0.1 a.mesh A 10.99.0.1 && pass "a still answers after them" || fail "a after junk"

# --- 2. --check ----------------------------------------------------------------------
if out=$("$MESHUBD" --check "$LAB_DIR/a.conf" 2>&1); then
	pass "meshubd --check a good file: exit 0 ($out)"
else
	fail "meshubd --check a good file: $out"
fi
check_bad() { # NAME CONTENT WANT
	printf '%b' "$2" >"$LAB_DIR/$1.conf"
	chmod 600 "$LAB_DIR/$1.conf"
	out=$(cd "$LAB_DIR" && "$MESHUBD" --check "$1.conf" 2>&1); rc=$?
	if [ $rc = 1 ] && echo "$out" | grep -qF -- "$3"; then pass "--check $1: exit 1, '$out'"
	else fail "--check $1: exit $rc, '$out' (want '$3')"; fi
	# a start says the same
	out2=$(cd "$LAB_DIR" && timeout 10 ip netns exec "$(ns_name a)" "$MESHUBD" "$1.conf" 2>&1)
	echo "$out2" | grep -qF -- "$3" && pass "--check $1: a start says the same" || fail "start of $1: '$out2'"
}
check_bad badport "[socket]\nport = 70000\n[tun]\nipv4_address = 10.9.0.1/24\n" \
	"badport.conf:2: [socket] port: not a port; expected a UDP port number of 1..65535, got '70000'"
check_bad badcross "[vpn]\nping_interval_sec = 100\n[tun]\nipv4_address = 10.9.0.1/24\n" \
	"badcross.conf:2: [vpn] ping_interval_sec: must be shorter than ping_timeout_sec"
check_bad nokey "[vpn]\nstate_dir = $LAB_DIR/nokey-state\n[tun]\nipv4_address = 10.9.0.1/24\n" \
	"no network key: set [encryption] psk or psk_file"
[ ! -e "$LAB_DIR/nokey-state" ] && pass "--check created nothing" || fail "--check left $LAB_DIR/nokey-state"

# --- 3. SIGHUP during a transfer ----------------------------------------------------------
ups=$(log_count c "edge to a is up")
hs=$(peer_json c a .last_handshake)
rm -f "$LAB_DIR/slow.out"
start a socat-a socat -u TCP-LISTEN:5002,reuseaddr "OPEN:$LAB_DIR/slow.out,creat,trunc"
recv=$LAST_PID
wait_for 5 nsx a sh -c "ss -ltn | grep -q ':5002 '" || fail "receiver"
# about 12 MB over 12 s, so that the reload happens in the middle
(for i in $(seq 1 48); do head -c 250000 /dev/urandom; sleep 0.25; done) | tee "$LAB_DIR/slow.in" |
	ip netns exec "$(ns_name c)" socat -u - TCP:10.99.0.1:5002 &
sender=$!
LAB_PIDS+=("$sender")
sleep_until_bytes() { [ "$(stat -c %s "$LAB_DIR/slow.out" 2>/dev/null || echo 0)" -gt 2000000 ]; }
wait_for 10 sleep_until_bytes || fail "the transfer did not start"
sed -i -e 's/^log_level = debug/log_level = info/' -e 's/^ping_interval_sec = 5/ping_interval_sec = 4/' \
	-e 's/^advert_interval_sec = 10/advert_interval_sec = 12/' -e 's/^\[tun\]/[tun]\nmtu = 1300/' "$LAB_DIR/c.conf"
: >"$LAB_DIR/notify.out"
kill -HUP "$PID_c"
if wait_for 60 pid_gone "$sender"; then
	wait_for 20 pid_gone "$recv"
	if [ "$(sha256sum <"$LAB_DIR/slow.in" | cut -d' ' -f1)" = "$(sha256sum <"$LAB_DIR/slow.out" | cut -d' ' -f1)" ]; then
		pass "the TCP transfer across the reload completed, sha256 matches ($(stat -c %s "$LAB_DIR/slow.out") bytes)"
	else
		fail "transfer across the reload: $(stat -c %s "$LAB_DIR/slow.in") sent, $(stat -c %s "$LAB_DIR/slow.out") arrived"
	fi
else
	fail "the transfer did not finish"
fi
kill -0 "$PID_c" && pass "meshubd is still running after SIGHUP (pid $PID_c)" || fail "SIGHUP stopped meshubd"
for want in "\[vpn\] log_level changed: applied" "\[vpn\] ping_interval_sec changed: applied" \
	"\[hub\] advert_interval_sec changed: applied" "\[tun\] mtu changed: restart meshubd to apply" \
	"configuration reloaded: [0-9]+ change\(s\) applied now, 1 need a restart"; do
	log_has c "$want" && pass "log: $want" || fail "log lacks: $want"
done
if [ "$(log_count c "edge to a is up")" = "$ups" ] && [ "$(peer_json c a .state)" = up ]; then
	pass "the edge to a stayed up through the reload (no new 'edge to a is up'; handshake $hs -> $(peer_json c a .last_handshake))"
else
	fail "the edge to a went down and up again ($(log_count c "edge to a is up") up lines, was $ups)"
fi
wait_for 5 grep -qx READY=1 "$LAB_DIR/notify.out"
[ "$(tr '\n' ' ' <"$LAB_DIR/notify.out")" = "RELOADING=1 READY=1 " ] && pass "systemd: RELOADING=1 then READY=1" ||
	fail "notifications during reload: $(tr '\n' ' ' <"$LAB_DIR/notify.out")"
# DNS settings are live too: another domain, then off
sed -i 's/^\[vpn\]/[vpn]\ndns_domain = corp/' "$LAB_DIR/c.conf"
kill -HUP "$PID_c"
wait_for 10 dig_is a 10.99.0.3 b.corp A 10.99.0.2 && pass "SIGHUP: dns_domain = corp answers b.corp at once" ||
	fail "dns_domain after reload: $(nsx a dig +time=2 +tries=1 @10.99.0.3 b.corp A 2>&1 | grep status)"
sed -i 's/^dns_domain = corp/dns_domain = corp\ndns = no/' "$LAB_DIR/c.conf"
kill -HUP "$PID_c"
no_answer() { ! nsx a dig +time=1 +tries=1 @10.99.0.3 b.corp A >/dev/null 2>&1; }
wait_for 10 no_answer && [ "$(node_json c .dns.enabled)" = false ] &&
	pass "SIGHUP: dns = no stops the answers at once" || fail "dns = no after reload: still answering"
printf '[tun]\nipv4_address = broken\n' >>"$LAB_DIR/c.conf"
kill -HUP "$PID_c"
wait_for 5 log_has c "the configuration is not reloaded" && kill -0 "$PID_c" && ping_ok c 10.99.0.1 &&
	pass "a broken file on SIGHUP: logged, the node keeps running and reaching a" || fail "SIGHUP with a broken file"

# --- 4. the wrong-key hint ---------------------------------------------------------------
lab_public e 198.18.3.9
t0=$(date +%s)
NODE_PSK=$("$MESHUB" genkey) NODE_ADVERT=5 node_start e 9
has_hint() { node_json e .hint | grep -q "no other member uses this network key at hub $HUB_IP: check \[encryption\] psk"; }
if wait_for 40 has_hint; then
	t=$(($(date +%s) - t0))
	pass "wrong key: hint in status after $t s (advert interval 5 s: within 3 intervals + 1 + start)"
	[ "$t" -le 30 ] || fail "the hint took $t s, more than 3 advert intervals + one + start-up"
else
	fail "wrong key: no hint after 40 s: $(node_json e '.hint, .hubs[0]' | tr -d '\n')"
fi
[ "$(node_json e '.hubs[0].hint')" = no_other_member ] && pass "status JSON: hubs[0].hint = no_other_member" ||
	fail "hubs[0].hint: $(node_json e '.hubs[0].hint')"
status e | grep -q "^hint: no other member uses this network key" && pass "status text shows the hint" ||
	fail "status text: $(status e | grep -i hint)"
log_has e "no other member uses this network key at hub $HUB_IP" && pass "log has the hint" || fail "no hint in the log"
for n in a b c; do
	[ "$(node_json "$n" .hint)" = null ] || fail "$n (right key) has a hint: $(node_json "$n" .hint)"
done
pass "the nodes with the right key have no hint"

# --- 5. two meshes, no port set ---------------------------------------------------------------
mesh_conf() { # NAME IFACE ADDR
	cat >"$LAB_DIR/$1.conf" <<CFG
[socket]
control = $LAB_DIR/$1.sock
[hub]
address = $HUB_IP
[vpn]
key_file = $LAB_DIR/$1.key
state_dir = $LAB_DIR/ports
[tun]
interface = $2
ipv4_address = $3
[encryption]
psk = $("$MESHUB" genkey)
CFG
	chmod 600 "$LAB_DIR/$1.conf"
}
lab_public f 198.18.3.10
mesh_conf one one0 10.71.0.1/24
mesh_conf two two0 10.72.0.1/24
start f one "$MESHUBD" "$LAB_DIR/one.conf"; one=$LAST_PID
wait_for 10 nsx f ip link show one0 || fail "mesh one did not start"
start f two "$MESHUBD" "$LAB_DIR/two.conf"; two=$LAST_PID
wait_for 10 nsx f ip link show two0 || fail "mesh two did not start"
port_of() { nsx f "$MESHUB" status --socket "$LAB_DIR/$1.sock" --json 2>/dev/null | jq -r .listen_port; }
p1=$(port_of one); p2=$(port_of two)
if [ "$p1" = 3731 ] && [ -n "$p2" ] && [ "$p2" != 3731 ] && [ "$p2" != null ]; then
	pass "two meshes without [socket] port: $p1 and $p2"
else
	fail "ports of two meshes: '$p1' and '$p2'"
fi
stop_pid "$two"
start f two "$MESHUBD" "$LAB_DIR/two.conf"; two=$LAST_PID
wait_for 10 nsx f test -S "$LAB_DIR/two.sock" || fail "mesh two did not come back"
p2b=
for _ in $(seq 1 25); do p2b=$(port_of two); [ -n "$p2b" ] && [ "$p2b" != null ] && break; sleep 0.2; done
[ "$p2b" = "$p2" ] && pass "after a restart mesh two has port $p2 again ($(cat "$LAB_DIR/ports/two.port"))" ||
	fail "after a restart: port '$p2b', before '$p2'"

# --- 6. as a normal user ------------------------------------------------------------------
out=$(nsx a setpriv --reuid 65534 --regid 65534 --clear-groups "$MESHUB" status --socket "$LAB_DIR/a.sock" 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "permission denied: run as root" && pass "a normal user: $out" ||
	fail "a normal user: exit $rc, $out"
lab_done
