#!/bin/bash
# lab-ca.sh - issue 12: a CA network of four nodes across two NATs (alpha
# behind r1, bravo and delta behind r2, charlie on the internet), certificates
# made with the meshub CLI. Asserts on `meshub status --json`:
#  1. the mesh forms; names and addresses are the certificates';
#  2. a forger behind r1 with the PSK and a certificate of another CA that
#     claims bravo's name and address: the network id covers the CA's key, so
#     it is in a network of its own at the hub (PROTOCOL.md 5.1), learns of
#     no member and no member of it, gets no edge, and bravo keeps its address
#     (a certificate of another CA inside the network, cert_other_ca, is
#     test-mesh-fd's);
#  3. a member sending from another member's address: dropped and counted
#     (source_not_allowed);
#  4. delta revoked by a list loaded into alpha alone, hub up (charlie is
#     switched off): every member refuses delta and delta has no edge left
#     within 60 s; alpha gives the list to the hub;
#  4b. charlie comes back while an nft rule in its namespace lets only the
#     hub through: it gets the list from the hub (status: crl_sequence 1,
#     crl_from "hub ..."), then, with the rule gone, makes edges to alpha
#     and bravo and refuses delta;
#  5. charlie revoked with the hub killed, loaded into bravo;
#  6. a NetworkManager connection with a certificate (and the crl file)
#     comes up, reaches alpha, holds the list and refuses the revoked.
# The timings are printed.
. "$(dirname "$0")/lab/lib.sh"
lab_require jq NetworkManager nmcli dbus-daemon nsenter unshare
. "$(dirname "$0")/lab/nm.sh"

CA=$LAB_DIR/ca
export MESHUB_CA_PASSPHRASE= # no passphrase, and never a prompt
mh() { "$MESHUB" "$@" </dev/null 2>>"$LAB_DIR/cli.log"; }
up_count() { node_json "$1" '[.peers[] | select(.state == "up")] | length'; }
has_up() { [ "$(up_count "$1")" = "$2" ]; }
drops_of() { node_json "$1" ".drops.$2 // 0"; }
# refuses NODE PEER REASON: NODE has refused PEER for REASON and has no edge to it
refuses() { [ "$(peer_json "$1" "$2" .refused)" = "$3" ] && [ "$(peer_json "$1" "$2" .state)" != up ]; }
# cert NAME INDEX CADIR: NAME's certificate (NAME.crt) for 10.99.0.INDEX and fd99::INDEX
cert() {
	local key
	key=$(mh pubkey "$LAB_DIR/$1.key") &&
		mh ca sign "$3" --name "$4" --public-key "$key" --address "10.99.0.$2/24" --address "fd99::$2/64" \
			--out "$LAB_DIR/$1.crt" >/dev/null
}
publish_crl() { cp "$CA/revoked.crl" "$LAB_DIR/revoked.crl" && chmod 644 "$LAB_DIR/revoked.crl"; }

lab_two_nats
lab_host d r2 10.2.0.12/24 10.2.0.1
lab_host f r1 10.1.0.12/24 10.1.0.1

mh ca init "$CA" --name labnet >/dev/null && mh ca init "$LAB_DIR/otherca" --name labnet >/dev/null ||
	{ fail "ca init"; exit 1; }
cert a 1 "$CA" alpha && cert b 2 "$CA" bravo && cert c 3 "$CA" charlie && cert d 4 "$CA" delta ||
	{ fail "ca sign"; exit 1; }
# the forger: bravo's name and address, from a CA of its own
cert f 2 "$LAB_DIR/otherca" bravo || { fail "ca sign (other CA)"; exit 1; }
pass "certificates for alpha, bravo, charlie, delta; a forged 'bravo' from another CA"

export NODE_CA=$CA/ca.crt
node_start a 1 && node_start b 2 && node_start c 3 && node_start d 4 || exit 1
# it claims 10.99.0.2 in its own config too (on a port of its own)
NODE_PORT=3745 NODE_CA=$LAB_DIR/otherca/ca.crt node_start f 2 || exit 1

# --- 1. the mesh ----------------------------------------------------------------
t0=$SECONDS
if wait_for 40 has_up a 3 && wait_for 10 has_up b 3 && wait_for 10 has_up c 3 && wait_for 10 has_up d 3; then
	pass "CA mesh of 4 nodes: every node has 3 edges up after $((SECONDS - t0)) s"
else
	fail "mesh: up edges a=$(up_count a) b=$(up_count b) c=$(up_count c) d=$(up_count d)"
fi
mesh_wait 20 a:1 b:2 c:3 d:4
names=$(node_json a '[.peers[].name] | sort | join(",")')
[ "$(node_json a '.ca.name')" = alpha ] && [ "$names" = "bravo,charlie,delta" ] &&
	pass "names from the certificates: a is alpha, its peers $names" || fail "names: $(node_json a .ca.name) / $names"
[ "$(peer_json a bravo '.addresses | join(",")')" = "10.99.0.2/24,fd99::2/64" ] &&
	[ "$(peer_json a bravo .certificate.serial)" != null ] && pass "bravo's addresses and serial from its certificate" ||
	fail "bravo in a's status: $(peer_json a bravo .)"

# --- 2. the forger ----------------------------------------------------------------
b_key=$(mh pubkey "$LAB_DIR/b.key")
f_key=$(mh pubkey "$LAB_DIR/f.key")
# alone at the hub: it answers the forger but lists nobody (hubclient's hint)
forger_alone() { [ "$(node_json f '.hubs[0].reachable, .hubs[0].members_seen, .hubs[0].hint' | tr '\n' ' ')" = "true false no_other_member " ]; }
if wait_for 40 forger_alone; then
	pass "the forger (another CA) is in a network of its own at the hub: reachable, no member listed, hint '$(node_json f .hint)'"
else
	fail "the forger at the hub: $(node_json f '.hubs[0]' | tr -d '\n')"
fi
forger_hint() { case "$(node_json f .hint)" in *"check [encryption] psk and ca") return 0 ;; esac; return 1; }
wait_for 10 forger_hint || fail "the forger's hint does not name the CA: '$(node_json f .hint)'"
[ "$(node_json f '.peers | length')" = 0 ] && [ "$(up_count f)" = 0 ] && ! ping_ok f 10.99.0.1 &&
	pass "the forger knows no peer, has no edge and reaches nobody" ||
	fail "the forger: peers $(node_json f '[.peers[] | {name, state}]' | tr -d '\n')"
knows_forger() {
	local n
	for n in a b c d; do
		[ "$(status "$n" --json 2>/dev/null | jq --arg k "$f_key" '[.peers[] | select(.public_key == $k)] | length')" = 0 ] ||
			return 0
	done
	return 1
}
! knows_forger && pass "no member has the forger's key among its peers" || fail "a member lists the forger's key $f_key"
bravos=$(node_json a '[.peers[] | select(.name == "bravo") | .public_key] | join(",")')
[ "$bravos" = "$b_key" ] && ping_ok a 10.99.0.2 && [ "$(peer_json a bravo .rx_packets)" -gt 0 ] &&
	pass "one bravo in alpha's status, the real one, and 10.99.0.2 still reaches it" ||
	fail "bravo: keys '$bravos' (want $b_key)"

# --- 3. address theft -----------------------------------------------------------------
theft() { peer_json a charlie '.drops.source_not_allowed // 0'; }
theft_counted() { [ "$(theft)" -ge $((before + 3)) ]; }
before=$(theft)
nsx c ip addr add 10.99.0.4/32 dev mesh0
if ! nsx c ping -c 3 -W 1 -I 10.99.0.4 10.99.0.1 >/dev/null 2>&1 && wait_for 5 theft_counted; then
	pass "charlie sending as delta (10.99.0.4): no answer, alpha dropped $(peer_json a charlie .drops.source_not_allowed) (source_not_allowed)"
else
	fail "address theft: alpha counted $(peer_json a charlie '.drops.source_not_allowed // 0') drops from charlie"
fi
nsx c ip addr del 10.99.0.4/32 dev mesh0
ping_ok c 10.99.0.1 && ping_ok d 10.99.0.1 && pass "charlie and delta still reach alpha from their own addresses" ||
	fail "own addresses no longer work"

# --- 4./5. revocation -------------------------------------------------------------------
# revoke VICTIM VICTIM_CERTNAME LOADER OTHERS...: revoke VICTIM, load the list
# into LOADER only, wait (60 s at most) until every member refuses VICTIM and
# VICTIM has no edge left; prints the times
revoke() {
	local victim=$1 name=$2 loader=$3 t0 t_members= t_all= n ok; shift 3
	mh ca revoke "$CA" "$LAB_DIR/$victim.crt" >/dev/null || { fail "ca revoke $victim"; return; }
	t0=$(date +%s%N)
	out=$(nsx "$loader" "$MESHUB" crl load "$CA/revoked.crl" --socket "$LAB_DIR/$loader.sock" 2>&1)
	case $out in ok\ sequence*) pass "crl load on $loader: $out" ;; *) fail "crl load on $loader: $out" ;; esac
	while [ $(($(date +%s%N) - t0)) -lt 60000000000 ]; do
		ok=1
		for n in "$loader" "$@"; do refuses "$n" "$name" cert_revoked || ok=; done
		[ -n "$ok" ] && [ -z "$t_members" ] && t_members=$((($(date +%s%N) - t0) / 1000000))
		[ -n "$ok" ] && has_up "$victim" 0 && { t_all=$((($(date +%s%N) - t0) / 1000000)); break; }
		sleep 0.2
	done
	if [ -n "$t_all" ]; then
		pass "$name revoked via $loader ($HUB_STATE): every member refuses it after $t_members ms, it has no edge after $t_all ms"
	else
		fail "$name revoked via $loader ($HUB_STATE): members ${t_members:-not all} ms; $victim has $(up_count "$victim") edges up"
	fi
	! ping_ok "$victim" 10.99.0.1 && pass "$name reaches nobody" || fail "$name still reaches 10.99.0.1"
}
HUB_STATE="hub up"
node_stop c # it misses list 1, and gets it from the hub in 4b
revoke d delta a b

# --- 4b. a member that was off gets the list from the hub, with no member in reach --------
# the hub keeps the list alpha gave it (alpha uploads it after its next registration)
nsx c nft -f - <<NFT || fail "nft in charlie's namespace"
table inet hubonly {
	chain output {
		type filter hook output priority filter; policy accept;
		meta l4proto udp ip daddr != $HUB_IP drop
		meta nfproto ipv6 meta l4proto udp drop
	}
	chain input {
		type filter hook input priority filter; policy accept;
		meta l4proto udp ip saddr != $HUB_IP drop
		meta nfproto ipv6 meta l4proto udp drop
	}
}
NFT
t0=$SECONDS
node_start c 3 || exit 1
from_hub() { [ "$(node_json c .ca.crl_sequence)" = 1 ] && [ "$(node_json c .ca.crl_from)" = "hub $HUB_IP" ]; }
if wait_for 40 from_hub; then
	pass "charlie, off while list 1 was loaded and now cut off from every member, holds list 1 from '$(node_json c .ca.crl_from)' after $((SECONDS - t0)) s, with $(up_count c) edges up"
else
	fail "charlie: list $(node_json c .ca.crl_sequence) from '$(node_json c .ca.crl_from)' (want 1 from hub $HUB_IP), $(up_count c) edges up"
fi
[ "$(up_count c)" = 0 ] || fail "charlie has $(up_count c) edges up through the rule"
log_has c "revocation list 1 .* from hub $HUB_IP: taken" || fail "charlie did not log where list 1 came from"
nsx c nft delete table inet hubonly
t0=$SECONDS
charlie_edges() { [ "$(node_json c '[.peers[] | select(.state == "up") | .name] | sort | join(",")')" = "alpha,bravo" ]; }
delta_refused() { [ "$(drops_of c cert_revoked)" -gt 0 ] && [ "$(peer_json c delta .state)" != up ]; }
if wait_for 40 charlie_edges && wait_for 20 delta_refused; then
	pass "the rule gone, charlie has edges to alpha and bravo after $((SECONDS - t0)) s and refuses delta (cert_revoked $(drops_of c cert_revoked), delta: $(peer_json c delta '.state + " " + (.refused // "-")'))"
else
	fail "charlie after the rule: $(node_json c '[.peers[] | {name, state, refused}]'), cert_revoked $(drops_of c cert_revoked)"
fi
HUB_STATE="hub down"
hub_kill
revoke c charlie b a
for n in a b; do
	[ "$(node_json "$n" .ca.crl_sequence)" = 2 ] || fail "$n holds list $(node_json "$n" .ca.crl_sequence), not 2"
done
ping_ok a 10.99.0.2 && ping_ok b 10.99.0.1 && pass "alpha and bravo still reach each other" || fail "alpha <-> bravo"
[ "$(stat -c %a "$LAB_DIR/state/a/crl")" = 600 ] && pass "alpha keeps the list in its state directory (0600)" ||
	fail "no list kept in $LAB_DIR/state/a"

# --- 6. NetworkManager ----------------------------------------------------------------------
hub_run || exit 1
nm_start 198.18.5.1 || exit 1
publish_crl
NM_DATA="hub=$HUB_IP, ipv4-address=10.99.0.9/24, ipv6-address=fd99::9/64, ping-interval-sec=5"
NM_DATA="$NM_DATA, advert-interval-sec=10, ca=$CA/ca.crt, cert=$LAB_DIR/nm.crt, crl=$LAB_DIR/revoked.crl"
nmc connection add type vpn vpn-type meshub con-name camesh vpn.data "$NM_DATA, psk-flags=0" \
	vpn.secrets "psk=$LAB_PSK" >/dev/null || fail "nmcli connection add camesh"
UUID=$(nmc -g connection.uuid connection show camesh)
# the connection's node key, made before its first start so that the CA can sign for it
nm_key=$(mh pubkey "$NM_DIR/state/nm-$UUID.key") &&
	mh ca sign "$CA" --name echo --public-key "$nm_key" --address 10.99.0.9/24 --address fd99::9/64 \
		--out "$LAB_DIR/nm.crt" >/dev/null || fail "a certificate for the connection's key"
t0=$SECONDS
if nmc --wait 30 connection up camesh >"$LAB_DIR/up.out" 2>&1 && [ "$(con_state camesh)" = activated ]; then
	pass "nmcli connection up with a certificate: $(cat "$LAB_DIR/up.out")"
else
	fail "nmcli connection up: $(cat "$LAB_DIR/up.out")"
fi
nm_status() { nmx "$MESHUB" status --json --socket "$NM_DIR/run/$UUID.sock" 2>/dev/null | jq -r "$1"; }
nm_ping() { nmx ping -c1 -W2 "$1" >/dev/null 2>&1; }
if wait_for 30 nm_ping 10.99.0.1 && wait_for 10 ping_ok a 10.99.0.9; then
	pass "NetworkManager's node echo <-> alpha (behind r1) after $((SECONDS - t0)) s"
else
	fail "no traffic between NetworkManager's node and alpha"
fi
[ "$(nm_status .ca.name)" = echo ] && [ "$(nm_status .ca.crl_sequence)" = 2 ] &&
	[ "$(peer_json a echo .certificate.serial)" != null ] &&
	pass "echo holds its certificate and list 2; alpha holds echo's certificate" ||
	fail "status: echo $(nm_status .ca), alpha's view $(peer_json a echo .)"
echo_edges() { [ "$(nm_status '[.peers[] | select(.state == "up") | .name] | sort | join(",")')" = "alpha,bravo" ]; }
wait_for 20 echo_edges &&
	pass "echo's edges: alpha and bravo only (delta and charlie are revoked)" ||
	fail "echo's edges: $(nm_status '[.peers[] | {name, state, refused}]')"
nmc --wait 15 connection down camesh >/dev/null 2>&1
wait_for 10 none_left || fail "camesh: processes left"
lab_done
