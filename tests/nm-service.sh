#!/bin/bash
# nm-service.sh - the NetworkManager plugin for real: a NetworkManager of its
# own, headless in a network + mount namespace with a private system bus,
# on the lab's simulated internet next to a hub and a standalone node.
#  1. `nmcli connection up` of a meshub VPN activates; the device has the
#     addresses and the engine's MTU; IPv4 and IPv6 pings both ways; the key
#     is in no argv, environment, file or log; `down` removes the device, the
#     engine and the service;
#  2. no key and no agent: a failure about secrets;
#  3. bad vpn.data (a bad address, an unknown key): a failure whose message
#     names the key; an engine that exits before it is ready: a failure
#     with its error message; nothing left running;
#  4. the engine killed while up: NetworkManager deactivates the connection,
#     nothing is left running, the device is gone;
#  5. a key not saved, given through nmcli's agent (passwd-file), which runs
#     nm-meshub-auth-dialog --external-ui-mode;
#  6. `nmcli connection import type meshub` of an original client.cfg keeps
#     every setting and the key, and the imported connection works;
#  7. a mesh without a hub activates (a local address stands for the gateway);
#  8. the service killed: meshubd goes with it (PR_SET_PDEATHSIG);
#  9. NetworkManager stopped with a connection up: nothing outlives it;
# 10. (in 1) `meshub status mymesh --json` finds the mesh by its connection
#     name, the list of all meshes names it; NetworkManager's DNS for the VPN
#     is the node's address with the routing-only domain ~mesh, and the node
#     answers the members' names there; `nmcli connection export` does not
#     call a stored key "not stored".
# Before all that: NetworkManager must not be running on the machine itself.
# Needs root, /dev/net/tun, NetworkManager, nmcli, dbus-daemon (else: skip).
. "$(dirname "$0")/lab/lib.sh"
lab_require NetworkManager nmcli dbus-daemon gdbus nsenter unshare ping jq dig

. "$(dirname "$0")/lab/nm.sh"

# --- 0. NetworkManager must not run on the machine itself ---------------------
host_net=$(readlink /proc/1/ns/net)
host_nm=
for p in $(pgrep -x NetworkManager); do
	[ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" = "$host_net" ] && host_nm="$host_nm $p"
done
if [ -n "$host_nm" ]; then
	fail "NetworkManager runs on the machine itself (pid$host_nm): installing it must not start it"
else
	pass "no NetworkManager runs on the machine itself"
fi

# --- the lab: internet, hub, a standalone node --------------------------------
lab_internet
lab_hub || exit 1
lab_public peer 198.18.3.1
node_start peer 1 || exit 1
PSK=$LAB_PSK

# --- NetworkManager, headless, in its own namespaces --------------------------
nm_start 198.18.5.1 || exit 1

# --- 1. up, traffic, down --------------------------------------------------------
MESH_DATA="hub=$HUB_IP, ipv4-address=10.99.0.9/24, ipv6-address=fd99::9/64, interface=mesh%d"
MESH_DATA="$MESH_DATA, hostname=nmnode, ping-interval-sec=5, advert-interval-sec=10"
MESH_DATA="$MESH_DATA, routes=10.98.0.0/16\\,fd98::/64"
nmc connection add type vpn vpn-type meshub con-name mymesh vpn.data "$MESH_DATA, psk-flags=0" \
	vpn.secrets "psk=$PSK" >/dev/null || fail "nmcli connection add mymesh"
UUID=$(nmc -g connection.uuid connection show mymesh)
if nmc --wait 30 connection up mymesh >"$LAB_DIR/up.out" 2>&1 && [ "$(con_state mymesh)" = activated ]; then
	pass "nmcli connection up: $(cat "$LAB_DIR/up.out")"
else
	fail "nmcli connection up: $(cat "$LAB_DIR/up.out")"; exit 1
fi
addrs=$(nmx ip -br addr show mesh0 2>&1)
if echo "$addrs" | grep -q "10.99.0.9/24" && echo "$addrs" | grep -q "fd99::9/64"; then
	pass "mesh0 has the addresses: $addrs"
else
	fail "mesh0 addresses: $addrs"
fi
routes="$(nmx ip -4 route show dev mesh0 2>&1) / $(nmx ip -6 route show dev mesh0 2>&1)"
if echo "$routes" | grep -q "^10\.98\.0\.0/16" && echo "$routes" | grep -q "fd98::/64" &&
	! nmx ip route show default | grep -q mesh0 && ! nmx ip -6 route show default | grep -q mesh0; then
	pass "routes 10.98.0.0/16 and fd98::/64 into mesh0, no default route through it"
else
	fail "routes: $routes; default: $(nmx ip route show default) $(nmx ip -6 route show default)"
fi
ready_mtu=$(sed -n 's/.*meshubd is ready: device mesh0, MTU \([0-9]*\).*/\1/p' "$LAB_DIR/nm.log" | tail -1)
dev_mtu=$(nmx cat /sys/class/net/mesh0/mtu 2>/dev/null)
[ -n "$ready_mtu" ] && [ "$ready_mtu" = "$dev_mtu" ] && pass "MTU $dev_mtu as meshubd reported" ||
	fail "MTU: meshubd said '$ready_mtu', the device has '$dev_mtu'"
nm_ping() { nmx ping -c1 -W2 "$1" >/dev/null 2>&1; }
wait_for 20 nm_ping 10.99.0.1 && pass "NetworkManager's node -> 10.99.0.1" || fail "no ping to 10.99.0.1"
wait_for 10 ping_ok peer 10.99.0.9 && pass "10.99.0.1 -> NetworkManager's node" || fail "no ping from the peer"
wait_for 10 nm_ping fd99::1 && pass "NetworkManager's node -> fd99::1" || fail "no ping to fd99::1"
wait_for 10 ping6_ok peer fd99::9 && pass "fd99::1 -> NetworkManager's node" || fail "no IPv6 ping from the peer"

# --- 10. meshub status by connection name, NetworkManager's DNS, export ---------
mstatus() { nmx env MESHUB_NM_RUNDIR="$NM_DIR/run" "$MESHUB" status "$@"; }
one=$(mstatus mymesh --json 2>&1)
if [ "$(echo "$one" | jq -r '.nm_connection.name + " " + .nm_connection.uuid + " " + .interface')" = \
	"mymesh $UUID mesh0" ]; then
	pass "meshub status mymesh --json: the NetworkManager mesh by its connection name"
else
	fail "meshub status mymesh --json: $one"
fi
all=$(mstatus --json 2>&1)
echo "$all" | jq -e --arg u "$UUID" 'type == "array" and any(.[]; .nm_connection.uuid == $u)' >/dev/null &&
	pass "meshub status --json: one array naming it ($(echo "$all" | jq -c '[.[] | .nm_connection.name]'))" ||
	fail "meshub status --json: $all"
mstatus | grep -q "^NetworkManager connection: mymesh ($UUID)" && pass "meshub status (text) names the connection" ||
	fail "meshub status text: $(mstatus 2>&1 | head -3)"
dns4=$(nmc -g IP4.DNS,IP4.DOMAIN connection show mymesh 2>&1 | tr '\n' ' ')
dns6=$(nmc -g IP6.DNS,IP6.DOMAIN connection show mymesh 2>&1 | tr -d '\\' | tr '\n' ' ')
if [ "$dns4" = "10.99.0.9 ~mesh " ] && [ "$dns6" = "fd99::9 ~mesh " ]; then
	pass "NetworkManager's DNS for the VPN: IPv4 $dns4/ IPv6 $dns6"
else
	fail "NetworkManager's DNS for the VPN: IPv4 '$dns4', IPv6 '$dns6'"
fi
nm_dig() { [ "$(nmx dig +short +time=2 +tries=1 @10.99.0.9 "$1" A 2>/dev/null)" = "$2" ]; }
wait_for 20 nm_dig peer.mesh 10.99.0.1 && nm_dig nmnode.mesh 10.99.0.9 &&
	pass "the NetworkManager node answers peer.mesh and nmnode.mesh on 10.99.0.9" ||
	fail "dig @10.99.0.9 peer.mesh: $(nmx dig +time=2 +tries=1 @10.99.0.9 peer.mesh A 2>&1 | grep -E 'status|IN' | tr '\n' ' ')"
if nmc connection export mymesh "$LAB_DIR/export.conf" >"$LAB_DIR/export.out" 2>&1; then
	if grep -q "not stored" "$LAB_DIR/export.conf"; then
		fail "nmcli export says the key is not stored: $(grep psk "$LAB_DIR/export.conf")"
	else
		pass "nmcli connection export: $(grep -m1 psk "$LAB_DIR/export.conf" | sed 's/^psk = .*/psk = (the key)/' | cut -c1-60)..."
	fi
else
	fail "nmcli connection export: $(cat "$LAB_DIR/export.out")"
fi

engine=$(nm_pids meshubd)
service=$(nm_pids nm-meshub-service)
leak=
for p in $engine $service; do
	grep -qaF -- "$PSK" "/proc/$p/cmdline" "/proc/$p/environ" && leak="$leak $p"
done
grep -qaF -- "$PSK" "$NM_DIR/run/$UUID.conf" 2>/dev/null && leak="$leak config"
[ -n "$engine" ] && [ -n "$service" ] && [ -z "$leak" ] &&
	pass "the key is in no argv or environment (meshubd $engine, service $service) and not in the config file" ||
	fail "the key leaks ($leak) or processes missing (meshubd '$engine', service '$service')"
perms=$(stat -c %a "$NM_DIR/run" "$NM_DIR/run/$UUID.conf" "$NM_DIR/state/nm-$UUID.key" 2>&1 | tr '\n' ' ')
perms=${perms% }
[ "$perms" = "700 600 600" ] && pass "run dir, config file, node key: modes $perms" || fail "modes: $perms"

if nmc --wait 15 connection down mymesh >/dev/null && wait_for 10 no_device mesh0 && wait_for 10 none_left; then
	pass "nmcli connection down: mesh0, meshubd and the service are gone"
else
	fail "after down: $(nmx ip -br link show mesh0 2>&1), left: $(nm_pids meshubd) $(nm_pids nm-meshub-service)"
fi
[ ! -e "$NM_DIR/run/$UUID.conf" ] && pass "the config file is removed" || fail "the config file is left"

# --- 2. no key, no agent ------------------------------------------------------------
nmc connection add type vpn vpn-type meshub con-name nokey vpn.data "$MESH_DATA, psk-flags=0" >/dev/null
if nmc --wait 20 connection up nokey >"$LAB_DIR/nokey.out" 2>&1; then
	fail "activated without a key"
elif grep -qi secret "$LAB_DIR/nokey.out"; then
	pass "no key: $(tr '\n' ' ' <"$LAB_DIR/nokey.out")"
else
	fail "no key: unexpected: $(cat "$LAB_DIR/nokey.out")"
fi
# the same without any agent at all: straight over D-Bus
nokey_path=$(nmc -t -f DBUS-PATH,NAME connection show | sed -n 's/:nokey$//p')
: >"$LAB_DIR/nm.log.mark"
nm_new_log_has() { tail -c +"$(stat -c %s "$LAB_DIR/nm.log.mark")" "$LAB_DIR/nm.log" | grep -Eq -- "$1"; }
cp "$LAB_DIR/nm.log" "$LAB_DIR/nm.log.mark"
if nmx gdbus call --system --dest org.freedesktop.NetworkManager --object-path /org/freedesktop/NetworkManager \
	--method org.freedesktop.NetworkManager.ActivateConnection "$nokey_path" / / >"$LAB_DIR/gdbus.log" 2>&1 &&
	wait_for 20 nm_new_log_has "No agents were available" && wait_for 10 not_active nokey; then
	pass "no key, no agent: $(grep -o 'secrets: .*No agents were available.*' "$LAB_DIR/nm.log" | tail -1)"
else
	fail "no key, no agent: activation via D-Bus did not fail for want of secrets ($(cat "$LAB_DIR/gdbus.log"))"
fi
rm -f "$LAB_DIR/nm.log.mark"

# --- 3. bad vpn.data ----------------------------------------------------------------
# bad_data NAME DATA WANT: activation fails and the service's message holds WANT
bad_data() {
	nmc connection add type vpn vpn-type meshub con-name "$1" vpn.data "$2, psk-flags=0" \
		vpn.secrets "psk=$PSK" >/dev/null
	if nmc --wait 20 connection up "$1" >"$LAB_DIR/$1.out" 2>&1; then
		fail "$1: activated"
	elif wait_for 5 nm_log_has "$3"; then
		pass "$1: $(tr '\n' ' ' <"$LAB_DIR/$1.out")/ log: $(grep -Eo -- "$3.*" "$LAB_DIR/nm.log" | tail -1)"
	else
		fail "$1: no message matching '$3' (nmcli: $(cat "$LAB_DIR/$1.out"))"
	fi
	wait_for 10 none_left || fail "$1: processes left: $(nm_pids meshubd) $(nm_pids nm-meshub-service)"
}
bad_data badaddr "hub=$HUB_IP, ipv4-address=10.99.0.300/24" "invalid vpn.data ipv4-address: .*10\.99\.0\.300/24"
bad_data badkey "hub=$HUB_IP, ipv4-address=10.99.0.9/24, bogus=1" "unknown vpn.data key 'bogus'"
# valid, but meshubd cannot bind an address this machine does not have: it
# exits before it is ready, and its error is what the service reports
bad_data nobind "hub=$HUB_IP, ipv4-address=10.99.0.9/24, address=198.18.99.99" \
	"connection failed: meshubd exited with status 1: meshubd\[error\]: cannot bind UDP 198\.18\.99\.99"

# --- 4. the engine dies while the connection is up ----------------------------------
if nmc --wait 30 connection up mymesh >/dev/null && wait_for 20 nm_ping 10.99.0.1; then
	engine=$(nm_pids meshubd)
	kill -KILL $engine
	if wait_for 20 not_active mymesh; then
		pass "meshubd killed (pid $engine): NetworkManager deactivated the connection"
	else
		fail "meshubd killed: the connection is still '$(con_state mymesh)'"
	fi
	nm_log_has "meshubd was killed by signal 9" && pass "the service logged the engine's death" ||
		fail "no log line about the engine's death"
	wait_for 10 none_left && wait_for 10 no_device mesh0 && pass "nothing left running, mesh0 gone" ||
		fail "left: $(nm_pids meshubd) $(nm_pids nm-meshub-service), $(nmx ip -br link show mesh0 2>&1)"
else
	fail "mymesh did not come up a second time"
fi

# --- 5. a key given through the agent and the auth dialog ---------------------------
nmc connection add type vpn vpn-type meshub con-name askmesh vpn.data "$MESH_DATA, psk-flags=2" >/dev/null
printf 'vpn.secrets.psk:%s\n' "$PSK" >"$LAB_DIR/passwd"
if nmc --wait 30 connection up askmesh passwd-file "$LAB_DIR/passwd" >"$LAB_DIR/ask.out" 2>&1 &&
	wait_for 20 nm_ping 10.99.0.1; then
	pass "passwd-file through nm-meshub-auth-dialog: $(cat "$LAB_DIR/ask.out")"
else
	fail "passwd-file: $(cat "$LAB_DIR/ask.out")"
fi
nmc --wait 15 connection down askmesh >/dev/null 2>&1
wait_for 10 none_left || fail "askmesh: processes left"
rm -f "$LAB_DIR/passwd"

# --- 6. import of an original client.cfg --------------------------------------------
cat >"$LAB_DIR/office.cfg" <<CFG
[socket]
address = 0.0.0.0
port = 3733
lan_advert_ports = 3731, 3733
select_interval_sec = 5

[hub]
address = $HUB_IP
port = 3731
advert_interval_sec = 10

[vpn]
hostname = office
ping_interval_sec = 5
ping_timeout_sec = 30
maintenance_interval_sec = 30

[tun]
type = tun
interface = mesh%%d
ipv4_address = 10.99.0.10/24
ipv6_address = fd99::10/64

[scripts]
tun_setup = ip link set \$iface up

[encryption]
scheme = fernet
psk = $PSK
unencrypted_tcp_ports = 22
CFG
want="address=0.0.0.0 advert-interval-sec=10 hostname=office hub=$HUB_IP interface=mesh%d"
want="$want ipv4-address=10.99.0.10/24 ipv6-address=fd99::10/64 lan-advert-ports=3731,3733"
want="$want ping-interval-sec=5 ping-timeout-sec=30 port=3733 psk-flags=0 type=tun"
if nmc connection import type meshub file "$LAB_DIR/office.cfg" >"$LAB_DIR/import.out" 2>&1; then
	# nmcli -g: "key = value, key = value"; ':' and '\' in values escaped, and
	# ',' in values too, twice (by the VPN setting, then by nmcli)
	nmc -g vpn.data connection show office >"$LAB_DIR/import.data"
	got=$(sed -e 's/, /\n/g' "$LAB_DIR/import.data" | sed -e 's/ = /=/' -e 's/\\\(.\)/\1/g' -e 's/\\,/,/g' |
		sort | tr '\n' ' ' | sed 's/ $//')
	[ "$got" = "$want" ] && pass "import keeps every setting: $got" ||
		fail "import: got '$got', want '$want'"
	key=$(nmc -s -g vpn.secrets connection show office)
	[ "$key" = "psk = $PSK" ] && pass "import keeps the key" || fail "import: secrets differ"
	if nmc --wait 30 connection up office >/dev/null && wait_for 20 nm_ping 10.99.0.1 &&
		wait_for 10 ping_ok peer 10.99.0.10; then
		pass "the imported connection works (pings both ways)"
	else
		fail "the imported connection does not work"
	fi
	nmc --wait 15 connection down office >/dev/null 2>&1
else
	fail "import: $(cat "$LAB_DIR/import.out")"
fi

# --- 7. a mesh without a hub: a local address stands for the gateway ------------------
nmc connection add type vpn vpn-type meshub con-name lanmesh vpn.data "ipv4-address=10.99.0.29/24, psk-flags=0" \
	vpn.secrets "psk=$PSK" >/dev/null
if nmc --wait 30 connection up lanmesh >"$LAB_DIR/lan.out" 2>&1 && [ "$(con_state lanmesh)" = activated ] &&
	nm_log_has "VPN gateway for NetworkManager: 198\.18\.5\.1, a local address \(the mesh has no hub\)"; then
	pass "a mesh without a hub activates; the uplink's address stands for the gateway"
else
	fail "a mesh without a hub: $(cat "$LAB_DIR/lan.out")"
fi
nmc --wait 15 connection down lanmesh >/dev/null 2>&1
wait_for 10 none_left || fail "lanmesh: processes left"

# --- 11. a wrong key: the hint reaches NetworkManager's log and meshub status --------
nmc connection add type vpn vpn-type meshub con-name wrongkey \
	vpn.data "hub=$HUB_IP, ipv4-address=10.99.0.19/24, advert-interval-sec=5, psk-flags=0" \
	vpn.secrets "psk=$("$MESHUB" genkey)" >/dev/null
hint_logged() { nm_log_has "meshubd: hint: no other member uses this network key at hub $HUB_IP"; }
if nmc --wait 30 connection up wrongkey >/dev/null 2>&1; then
	t0=$(date +%s)
	if wait_for 40 hint_logged; then
		pass "wrong key: the hint is in NetworkManager's log after $(($(date +%s) - t0)) s (advert interval 5 s)"
	else
		fail "wrong key: no hint in NetworkManager's log within 40 s"
	fi
	hint=$(nmx env MESHUB_NM_RUNDIR="$NM_DIR/run" "$MESHUB" status wrongkey --json 2>/dev/null | jq -r .hint)
	case $hint in "no other member uses this network key at hub $HUB_IP"*) pass "meshub status wrongkey: $hint" ;;
	*) fail "meshub status wrongkey: hint '$hint'" ;; esac
	nmc --wait 15 connection down wrongkey >/dev/null 2>&1
else
	fail "wrongkey did not come up"
fi
wait_for 10 none_left || fail "wrongkey: processes left"

# --- 8. the service killed: the engine dies with it ---------------------------------
if nmc --wait 30 connection up mymesh >/dev/null; then
	service=$(nm_pids nm-meshub-service)
	engine=$(nm_pids meshubd)
	kill -KILL $service
	if wait_for 10 pid_gone "$engine" && wait_for 10 no_device mesh0 && wait_for 20 not_active mymesh; then
		pass "service killed (pid $service): meshubd $engine went with it, mesh0 gone, connection deactivated"
	else
		fail "service killed: meshubd '$(nm_pids meshubd)' left, $(nmx ip -br link show mesh0 2>&1)," \
			"state '$(con_state mymesh)'"
		for p in $(nm_pids meshubd); do stop_pid "$p" KILL; done
	fi
else
	fail "mymesh did not come up for the service test"
fi

# --- 9. NetworkManager stops while a connection is up: nothing outlives it ------------
if nmc --wait 30 connection up mymesh >/dev/null; then
	stop_pid "$NM_PID"
	if wait_for 15 none_left && wait_for 10 no_device mesh0; then
		pass "NetworkManager stopped: the service and meshubd exited, mesh0 gone"
	else
		fail "NetworkManager stopped: left $(nm_pids meshubd) $(nm_pids nm-meshub-service)"
	fi
	NM_PID=
else
	fail "mymesh did not come up for the shutdown test"
fi

# --- the logs ---------------------------------------------------------------------------
grep -qaF -- "$PSK" "$LAB_DIR/nm.log" && fail "the key appears in NetworkManager's log" ||
	pass "the key appears nowhere in NetworkManager's log"
if grep -Eq "AddressSanitizer|LeakSanitizer|runtime error:" "$LAB_DIR/nm.log"; then
	fail "sanitizer reports in the log:"
	grep -E -A20 "AddressSanitizer|LeakSanitizer|runtime error:" "$LAB_DIR/nm.log" | head -60
else
	pass "no sanitizer reports from the service or the engine"
fi
lab_done
