#!/bin/bash
# ca-cli.sh - the CA commands end to end, in a temporary directory, no root:
# meshub ca init (plain and passphrase-protected, from MESHUB_CA_PASSPHRASE
# and typed at a terminal), pubkey, ca sign, cert show --json (read with
# jq), forged and foreign certificates, ca revoke, ca crl, file modes, and
# the client side of crl load against a stand-in control socket (socat).
set -u
builddir=$(pwd)
M=$builddir/engine/meshub
[ -x "$M" ] || { echo "ca-cli: $M not built"; exit 99; }
command -v jq >/dev/null || { echo "SKIP: needs jq"; exit 77; }
command -v setsid >/dev/null || { echo "SKIP: needs setsid (util-linux)"; exit 77; }

d=$(mktemp -d /tmp/meshub-ca-cli.XXXXXX) || exit 99
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	exec 3>&-
	rm -rf "$d"
}
trap cleanup EXIT
fails=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

# Runs meshub without a controlling terminal (so it can never wait for a
# passphrase), bounded in time; stdout in $d/out, stderr in $d/err.
run() { timeout 60 setsid -w "$M" "$@" </dev/null >"$d/out" 2>"$d/err"; }
rc_is() { local want=$1; shift; run "$@"; local rc=$?; [ "$rc" = "$want" ] || { echo "  exit $rc, expected $want: meshub $*"; cat "$d/err"; return 1; }; }
err_has() { grep -qF -- "$1" "$d/err" || { echo "  stderr lacks '$1':"; cat "$d/err"; return 1; }; }
mode_is() { [ "$(stat -c %a "$2")" = "$1" ] || { echo "  $2 has mode $(stat -c %a "$2"), expected $1"; return 1; }; }
json() { run cert show "$@" --json && jq -e . "$d/out" >/dev/null; }
jv() { jq -r "$1" "$d/out"; }
# Polls until file $2 contains $1 (10 s at most).
wait_for() { local i; for i in $(seq 100); do grep -qF -- "$1" "$2" 2>/dev/null && return 0; sleep 0.1; done; return 1; }

export MESHUB_CA_PASSPHRASE=

# ---- usage
check "meshub ca without a command is a usage error" rc_is 2 ca
check "meshub ca sign without arguments is a usage error" rc_is 2 ca sign
check "meshub cert without show is a usage error" rc_is 2 cert list x
check "meshub help lists the CA commands" bash -c "'$M' help | grep -q '^  ca ' && '$M' help | grep -q '^  pubkey '"

# ---- a CA without a passphrase
check "ca init (no passphrase)" rc_is 0 ca init "$d/ca" --name testnet --days 30
check "ca init says the key is not encrypted" grep -q "NOT encrypted" "$d/out"
check "the CA directory is 0700" mode_is 700 "$d/ca"
check "ca.key is 0600" mode_is 600 "$d/ca/ca.key"
check "ca.key is armoured" grep -qx -- "-----BEGIN MESHUB CA KEY-----" "$d/ca/ca.key"
check "ca init refuses a directory that holds a CA" rc_is 1 ca init "$d/ca"
check "... saying so" err_has "already holds a CA"
check "cert show ca.crt --json" json "$d/ca/ca.crt"
ca_id=$(jv .key_id)
check "... a CA certificate named testnet" test "$(jv .type) $(jv .name) $(jv .check)" = "ca-certificate testnet ok"
check "... valid for 30 days (and the hour before)" test $(($(jv .not_after) - $(jv .not_before))) = $((30 * 86400 + 3600))
check "... a 32-digit hex key id" bash -c "[[ '$ca_id' =~ ^[0-9a-f]{32}$ ]]"
check "cert show ca.key" json "$d/ca/ca.key"
check "... not encrypted" test "$(jv .type) $(jv .encrypted)" = "ca-key false"
check "ca init refuses a bad network name" rc_is 1 ca init "$d/bad" --name "two words"
check "... naming the option" err_has "--name: 'two words' is not a network name"

# ---- node keys
check "pubkey creates a node key" rc_is 0 pubkey "$d/alpha.key"
key=$(cat "$d/out")
check "... 0600" mode_is 600 "$d/alpha.key"
check "... and says so" err_has "created $d/alpha.key"
check "pubkey prints the same key again" bash -c "'$M' pubkey '$d/alpha.key' | grep -qxF '$key'"
chmod 644 "$d/alpha.key"
check "pubkey refuses a key file others can read" rc_is 1 pubkey "$d/alpha.key"
check "... with what to do" err_has "chmod 600"
chmod 600 "$d/alpha.key"

# ---- signing
check "ca sign --out" rc_is 0 ca sign "$d/ca" --name alpha --public-key "$key" --address 10.77.0.2/16 \
	--address fd00:77::2/64 --subnet 192.168.5.0/24 --group admins --group web --days 10 --out "$d/alpha.crt"
check "... names the file" err_has "signed 'alpha' (serial"
check "cert show --json --ca" json "$d/alpha.crt" --ca "$d/ca/ca.crt"
serial=$(jv .serial)
check "... type, name, key" test "$(jv .type) $(jv .name) $(jv .public_key)" = "certificate alpha $key"
check "... addresses" test "$(jv '.addresses | join(",")')" = "10.77.0.2/16,fd00:77::2/64"
check "... subnets" test "$(jv '.subnets | join(",")')" = "192.168.5.0/24"
check "... groups" test "$(jv '.groups | join(",")')" = "admins,web"
check "... issued by the CA" test "$(jv .ca_key_id)" = "$ca_id"
check "... checks out and is valid now" test "$(jv .check) $(jv .valid_now)" = "ok true"
check "... 10 days (and the hour before)" test $(($(jv .not_after) - $(jv .not_before))) = $((10 * 86400 + 3600))
check "... a serial a JSON reader keeps exactly" test "$serial" -gt 0 -a "$serial" -lt 9007199254740992
check "cert show in words" bash -c "'$M' cert show '$d/alpha.crt' | grep -q '^  subnet: 192.168.5.0/24$'"
check "ca sign to stdout" rc_is 0 ca sign "$d/ca" --name beta --public-key "$key" --address 10.77.0.3
cp "$d/out" "$d/beta.crt"
check "... is an armoured certificate" grep -qx -- "-----BEGIN MESHUB CERTIFICATE-----" "$d/beta.crt"
check "... with another serial" bash -c "'$M' cert show --json '$d/beta.crt' | jq -e '.serial != $serial and .addresses == [\"10.77.0.3/32\"]' >/dev/null"
check "a certificate ends with its CA" rc_is 0 ca sign "$d/ca" --name gamma --public-key "$key" --address 10.77.0.4 --days 100 --out "$d/gamma.crt"
check "... and says so" err_has "ends with the CA"
check "... on the CA's last second" test "$("$M" cert show --json "$d/gamma.crt" | jq .not_after)" = "$("$M" cert show --json "$d/ca/ca.crt" | jq .not_after)"

check "sign refuses host bits in a subnet" rc_is 1 ca sign "$d/ca" --name a --public-key "$key" --address 10.77.0.2 --subnet 192.168.5.1/24
check "... saying which prefix is meant" err_has "expected 192.168.5.0/24"
check "sign refuses a bad public key" rc_is 1 ca sign "$d/ca" --name a --public-key nokey --address 10.77.0.2
check "... saying where to get one" err_has "meshub pubkey KEYFILE"
check "sign needs an address" rc_is 1 ca sign "$d/ca" --name a --public-key "$key"
check "sign refuses a bad --days" rc_is 1 ca sign "$d/ca" --name a --public-key "$key" --address 10.77.0.2 --days 0
check "sign refuses a group given twice" rc_is 1 ca sign "$d/ca" --name a --public-key "$key" --address 10.77.0.2 --group x --group x
big=()
for i in 1 2 3 4 5 6 7 8; do big+=(--subnet "fd00:$i::/64" --group "group-$i-aaaaaaaaaaaaaaaaaaaaaaa"); done
check "sign refuses a certificate too big for a handshake" rc_is 1 ca sign "$d/ca" --name a --public-key "$key" --address 10.77.0.2 "${big[@]}"
check "... saying how big" err_has "more than the 384 a handshake carries"
check "no certificate was written by the failures" test ! -e "$d/a.crt"

# ---- forged and foreign certificates
check "a second CA" rc_is 0 ca init "$d/ca2" --name othernet
check "... signs the same node" rc_is 0 ca sign "$d/ca2" --name alpha --public-key "$key" --address 10.77.0.2/16 --out "$d/alpha2.crt"
check "... which our CA's check calls other_ca" json "$d/alpha2.crt" --ca "$d/ca/ca.crt"
check "... (other_ca)" test "$(jv .check)" = other_ca
sed -n '2,/END/p' "$d/alpha.crt" | grep -v -- ----- | base64 -d >"$d/alpha.bin"
printf 'L' | dd of="$d/alpha.bin" bs=1 seek=76 conv=notrunc status=none # "aLpha"
{ echo "-----BEGIN MESHUB CERTIFICATE-----"; base64 -w 64 "$d/alpha.bin"; echo "-----END MESHUB CERTIFICATE-----"; } >"$d/forged.crt"
check "a changed certificate still reads" json "$d/forged.crt" --ca "$d/ca/ca.crt"
check "... but its check says bad_signature" test "$(jv .name) $(jv .check)" = "aLpha bad_signature"
head -c 200 "$d/alpha.crt" >"$d/cut.crt"
check "a cut file is refused" rc_is 1 cert show "$d/cut.crt"
check "... naming the file and line" err_has "$d/cut.crt:4: not a meshub certificate file: the END line is missing"

# ---- revocation
check "ca revoke CERTFILE" rc_is 0 ca revoke "$d/ca" "$d/alpha.crt"
check "... sequence 1" grep -q "sequence 1 and 1 serial" "$d/out"
check "revoked.crl is a signed list with that serial" json "$d/ca/revoked.crl" --ca "$d/ca/ca.crt"
check "... (serial, sequence, check)" test "$(jv '.revoked | join(",")') $(jv .sequence) $(jv .check)" = "$serial 1 ok"
check "ca revoke --serial" rc_is 0 ca revoke "$d/ca" --serial 12345
check "... sequence one higher, both serials" bash -c "'$M' cert show --json '$d/ca/revoked.crl' | jq -e '.sequence == 2 and (.revoked | length) == 2 and any(.revoked[]; . == 12345)' >/dev/null"
check "revoking again changes nothing" rc_is 0 ca revoke "$d/ca" --serial 12345
check "... and says so" grep -q "already revoked" "$d/out"
check "... (still sequence 2)" bash -c "'$M' cert show --json '$d/ca/revoked.crl' | jq -e '.sequence == 2' >/dev/null"
check "revoking another CA's certificate is refused" rc_is 1 ca revoke "$d/ca" "$d/alpha2.crt"
check "... saying so" err_has "was issued by another CA"
check "ca revoke needs CERTFILE or --serial, not both" rc_is 2 ca revoke "$d/ca" "$d/alpha.crt" --serial 5
check "ca revoke refuses serial 0" rc_is 1 ca revoke "$d/ca" --serial 0
check "ca crl prints the list" rc_is 0 ca crl "$d/ca"
check "... exactly the file" cmp -s "$d/out" "$d/ca/revoked.crl"
check "ca crl on a CA without a list makes an empty one" rc_is 0 ca crl "$d/ca2"
check "... sequence 1, no serials" bash -c "'$M' cert show --json '$d/ca2/revoked.crl' | jq -e '.sequence == 1 and .revoked == []' >/dev/null"
check "a list of another CA fails the check" bash -c "'$M' cert show --json --ca '$d/ca/ca.crt' '$d/ca2/revoked.crl' | jq -e '.check == \"other_ca\"' >/dev/null"
check "CA files are readable by others, the key is not" bash -c "[ \$(stat -c %a '$d/ca/revoked.crl') = 644 ] && [ \$(stat -c %a '$d/ca/ca.crt') = 644 ]"

# ---- a passphrase-protected CA
export MESHUB_CA_PASSPHRASE="correct horse battery"
check "ca init with MESHUB_CA_PASSPHRASE" rc_is 0 ca init "$d/ca3" --name sealed
check "... says the key is encrypted" grep -q "encrypted with the passphrase" "$d/out"
check "... 0600" mode_is 600 "$d/ca3/ca.key"
check "... cert show says encrypted" json "$d/ca3/ca.key"
check "... (true)" test "$(jv .encrypted)" = true
check "the passphrase is nowhere in the CA directory" bash -c "! grep -rqF 'correct horse' '$d/ca3'"
check "sign with the passphrase" rc_is 0 ca sign "$d/ca3" --name delta --public-key "$key" --address 10.9.0.1 --out "$d/delta.crt"
MESHUB_CA_PASSPHRASE="wrong horse" check "a wrong passphrase is refused" rc_is 1 ca sign "$d/ca3" --name e --public-key "$key" --address 10.9.0.2 --out "$d/e.crt"
check "... saying so" err_has "ca.key: wrong passphrase"
check "... and nothing is written" test ! -e "$d/e.crt"
MESHUB_CA_PASSPHRASE="wrong horse" check "revoke with a wrong passphrase is refused" rc_is 1 ca revoke "$d/ca3" "$d/delta.crt"
check "... and makes no list" test ! -e "$d/ca3/revoked.crl"
unset MESHUB_CA_PASSPHRASE
check "without a passphrase or a terminal, signing is refused" rc_is 1 ca sign "$d/ca3" --name e --public-key "$key" --address 10.9.0.2
check "... saying how to give one" err_has "is encrypted: set MESHUB_CA_PASSPHRASE or run meshub at a terminal"
chmod 644 "$d/ca/ca.key"
MESHUB_CA_PASSPHRASE= check "a CA key others can read is refused" rc_is 1 ca sign "$d/ca" --name a --public-key "$key" --address 10.77.0.2
check "... with what to do" err_has "run chmod 600 $d/ca/ca.key"
chmod 600 "$d/ca/ca.key"

# The passphrase typed at a terminal (script gives meshub one): the prompt
# appears, the typing is not echoed, the key is sealed with it.
if command -v script >/dev/null && mkfifo "$d/tty.in"; then
	exec 3<>"$d/tty.in"
	timeout 60 script -qefc "'$M' ca init '$d/ca4' --name typed" /dev/null <"$d/tty.in" >"$d/tty.out" 2>&1 &
	pids+=($!)
	wait_for "Passphrase for the new CA key" "$d/tty.out" && printf 'typed secret\n' >&3
	wait_for "again" "$d/tty.out" && printf 'typed secret\n' >&3
	wait "${pids[-1]}"
	check "ca init at a terminal" test $? = 0
	check "... does not echo the passphrase" bash -c "! grep -q 'typed secret' '$d/tty.out'"
	check "... sealed it with what was typed" bash -c "MESHUB_CA_PASSPHRASE='typed secret' '$M' ca sign '$d/ca4' --name z --public-key '$key' --address 10.1.1.1 >/dev/null 2>&1"
	exec 3>&-
else
	echo "skip the terminal part: no script(1)"
fi

# ---- crl load: what the client sends and how it reads the answer
check "crl load refuses a file that is not a list" rc_is 1 crl load "$d/alpha.crt" --socket "$d/none.sock"
check "... saying what it holds" err_has "holds a node certificate; expected a revocation list"
check "crl load with no node running" rc_is 1 crl load "$d/ca/revoked.crl" --socket "$d/none.sock"
check "... says so" err_has "no meshubd is running for $d/none.sock"
if command -v socat >/dev/null; then
	serve() { # one connection: store the request, answer $1
		socat -t 10 UNIX-LISTEN:"$d/ctl.sock" SYSTEM:"cat >'$d/req'; echo '$1'" &
		pids+=($!)
		local i; for i in $(seq 100); do [ -S "$d/ctl.sock" ] && return 0; sleep 0.1; done; return 1
	}
	serve "ok sequence 2"
	check "crl load hands the list over" rc_is 0 crl load "$d/ca/revoked.crl" --socket "$d/ctl.sock"
	check "... and prints the node's answer" grep -qx "ok sequence 2" "$d/out"
	wait "${pids[-1]}"
	check "... the request is 'crl load <base64>' and one line" bash -c "[ \$(wc -l <'$d/req') = 1 ] && head -c 9 '$d/req' | grep -qx 'crl load '"
	sed -n '2,/END/p' "$d/ca/revoked.crl" | grep -v -- ----- | base64 -d >"$d/crl.bin"
	cut -c10- "$d/req" | base64 -d >"$d/req.bin"
	check "... carrying the list's bytes" cmp -s "$d/crl.bin" "$d/req.bin"
	rm -f "$d/ctl.sock"
	serve "error: another CA"
	check "an error answer fails crl load" rc_is 1 crl load "$d/ca/revoked.crl" --socket "$d/ctl.sock"
	check "... and is shown" grep -qx "error: another CA" "$d/out"
	wait "${pids[-1]}"
else
	echo "skip the crl load exchange: no socat"
fi

echo "ca-cli: $fails failure(s)"
[ "$fails" = 0 ]
