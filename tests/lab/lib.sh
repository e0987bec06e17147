# lib.sh - the namespace lab: a simulated internet (a bridge in its own
# namespace, 198.18.0.0/15), a hub, NAT routers (nftables masquerade; a
# symmetric variant with random ports) and meshub nodes behind them.
#
# Everything lives in namespaces this script creates, named mh-<role>-<PID>;
# nothing touches the machine's own interfaces. lab_cleanup (run by the EXIT
# trap) kills the processes it started, by PID, and deletes the namespaces.
# Tests source this file; they run with the build directory as cwd (automake).

LAB_ID=$$
LAB_NS=()
LAB_PIDS=()
LAB_FAILS=0
LAB_BUILD=${LAB_BUILD:-$(pwd)}
LAB_SRC=${srcdir:-$(dirname "${BASH_SOURCE[0]}")/../..}
MESHUBD="$LAB_BUILD/engine/meshubd"
MESHUB="$LAB_BUILD/engine/meshub"
MESHUB_HUB="$LAB_BUILD/hub/meshub-hub"
HUB_IP=198.18.0.1

lab_log() { printf '%s %s\n' "$(date +%T)" "$*"; }
pass() { lab_log "PASS: $*"; }
fail() { lab_log "FAIL: $*"; LAB_FAILS=$((LAB_FAILS + 1)); }
skip() { echo "SKIP: $*"; exit 77; }

# lab_require: skip (77) unless we are root with /dev/net/tun and the tools.
lab_require() {
	[ "${MESHUB_SKIP_ROOT_TESTS:-0}" = 1 ] && skip "MESHUB_SKIP_ROOT_TESTS=1"
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
	[ -c /dev/net/tun ] || skip "needs /dev/net/tun"
	local t
	for t in ip nft "$@"; do
		command -v "$t" >/dev/null 2>&1 || skip "needs $t"
	done
	[ -x "$MESHUBD" ] && [ -x "$MESHUB_HUB" ] || skip "meshubd/meshub-hub not built in $LAB_BUILD"
	LAB_DIR=$(mktemp -d /tmp/meshub-lab.XXXXXX)
	chmod 755 "$LAB_DIR"
	trap lab_cleanup EXIT
	trap 'exit 130' INT TERM
}

lab_cleanup() {
	local rc=$? pid ns i
	for pid in "${LAB_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	for i in $(seq 1 30); do
		local alive=0
		for pid in "${LAB_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for pid in "${LAB_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
	for ns in "${LAB_NS[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	if [ "$rc" != 0 ] && [ "$rc" != 77 ] && [ -d "${LAB_DIR:-}" ]; then
		for f in "$LAB_DIR"/*.log; do
			[ -f "$f" ] || continue
			echo "---- ${f##*/} (last 40 lines)"; tail -40 "$f"
		done
	fi
	[ -n "${LAB_DIR:-}" ] && [ "${KEEP:-0}" != 1 ] && rm -rf "$LAB_DIR"
	return $rc
}

ns_name() { echo "mh-$1-$LAB_ID"; }
# nsx NAME CMD...: run CMD inside the lab namespace NAME
nsx() { local n=$1; shift; ip netns exec "$(ns_name "$n")" "$@"; }

ns_add() {
	local ns; ns=$(ns_name "$1")
	ip netns add "$ns" || return 1
	LAB_NS+=("$ns")
	ip -n "$ns" link set lo up
	nsx "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 2>/dev/null
}

# wait_for SECONDS CMD...: poll CMD every 0.2 s, at most SECONDS (wall
# clock: a CMD that itself takes time, like a ping, does not stretch it)
wait_for() {
	local t=$1 i end; shift
	end=$(($(date +%s%N) + t * 1000000000))
	for i in $(seq 1 $((t * 5))); do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s%N)" -ge "$end" ] && return 1
		sleep 0.2
	done
	return 1
}

# lab_internet: the bridge every public address hangs off
lab_internet() {
	ns_add inet
	ip -n "$(ns_name inet)" link add br0 type bridge
	ip -n "$(ns_name inet)" link set br0 up
}

# lab_wire NS IFNAME ADDR/PREFIX: a veth from namespace NS to the internet bridge
lab_wire() {
	local ns=$1 ifn=$2 addr=$3 peer
	peer="p${2}-${1}"
	peer=${peer:0:15}
	ip link add "$ifn" netns "$(ns_name "$ns")" type veth peer name "$peer" netns "$(ns_name inet)" || return 1
	ip -n "$(ns_name inet)" link set "$peer" master br0 up
	ip -n "$(ns_name "$ns")" addr add "$addr" dev "$ifn"
	ip -n "$(ns_name "$ns")" link set "$ifn" up
}

# lab_lan NAME: a LAN bridge inside router namespace NAME (its LAN side)
# lab_router NAME WAN_ADDR LAN_ADDR/PREFIX [symmetric]
lab_router() {
	local name=$1 wan=$2 lan=$3 mode=${4:-cone} masq="masquerade"
	ns_add "$name"
	lab_wire "$name" wan "$wan/15"
	ip -n "$(ns_name "$name")" link add lan type bridge
	ip -n "$(ns_name "$name")" addr add "$lan" dev lan
	ip -n "$(ns_name "$name")" link set lan up
	nsx "$name" sysctl -qw net.ipv4.ip_forward=1
	[ "$mode" = symmetric ] && masq="masquerade random"
	nsx "$name" nft -f - <<NFT || return 1
table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "wan" $masq
	}
}
table ip filter {
	# like a home router's firewall: from the WAN side only replies to
	# flows started inside get in (port-restricted filtering), and nothing
	# unsolicited reaches the router itself (so no conntrack entry is left
	# behind by a peer's early punch)
	chain input {
		type filter hook input priority filter; policy accept;
		iifname "wan" ct state established,related accept
		iifname "wan" drop
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname "wan" ct state established,related accept
		iifname "wan" drop
	}
}
NFT
}

# lab_host NAME ROUTER ADDR/PREFIX GATEWAY: a host on ROUTER's LAN
lab_host() {
	local name=$1 router=$2 addr=$3 gw=$4 peer="l${1}"
	ns_add "$name"
	peer=${peer:0:15}
	ip link add eth0 netns "$(ns_name "$name")" type veth peer name "$peer" netns "$(ns_name "$router")"
	ip -n "$(ns_name "$router")" link set "$peer" master lan up
	ip -n "$(ns_name "$name")" addr add "$addr" dev eth0
	ip -n "$(ns_name "$name")" link set eth0 up
	ip -n "$(ns_name "$name")" route add default via "$gw"
}

# lab_public NAME ADDR: a host directly on the internet
lab_public() {
	ns_add "$1"
	lab_wire "$1" eth0 "$2/15"
}

# lab_isp: a router namespace "isp" on the internet (198.18.0.2) with hosts
# on point-to-point links behind it (lab_isp_host). Every host then has one
# neighbour (the router) instead of one per peer: the kernel's ARP table is
# shared by all namespaces and overflows (gc_thresh3, 1024 entries) in a
# flat lab of more than ~30 nodes. The router answers ARP for its hosts on
# the bridge (proxy ARP), so the hub reaches them as if they were on-link.
lab_isp() {
	ns_add isp
	lab_wire isp wan 198.18.0.2/15
	nsx isp sysctl -qw net.ipv4.ip_forward=1
	nsx isp sysctl -qw net.ipv4.conf.wan.proxy_arp=1
}

# lab_isp_host NAME ADDR: a host with public address ADDR (in 198.19.0.0/16)
# on its own link to the isp router
lab_isp_host() {
	local name=$1 addr=$2 peer="h${1}"
	peer=${peer:0:15}
	ns_add "$name"
	ip link add eth0 netns "$(ns_name "$name")" type veth peer name "$peer" netns "$(ns_name isp)" || return 1
	ip -n "$(ns_name isp)" link set "$peer" up
	ip -n "$(ns_name isp)" addr add 198.18.0.2/32 dev "$peer"
	ip -n "$(ns_name isp)" route add "$addr/32" dev "$peer"
	ip -n "$(ns_name "$name")" addr add "$addr/32" dev eth0
	ip -n "$(ns_name "$name")" link set eth0 up
	ip -n "$(ns_name "$name")" route add 198.18.0.2/32 dev eth0
	ip -n "$(ns_name "$name")" route add default via 198.18.0.2
}

# lab_two_nats: the usual lab: the internet with the hub, router r1 with
# host a (10.1.0.11) behind it, router r2 with host b (10.2.0.11), and host c
# on a public address (198.18.3.1)
lab_two_nats() {
	lab_internet
	lab_hub
	lab_router r1 198.18.1.1 10.1.0.1/24
	lab_router r2 198.18.2.1 10.2.0.1/24
	lab_host a r1 10.1.0.11/24 10.1.0.1
	lab_host b r2 10.2.0.11/24 10.2.0.1
	lab_public c 198.18.3.1
}

# start NAME LOGNAME CMD...: run CMD in namespace NAME in the background;
# its PID is left in LAST_PID
start() {
	local ns=$1 log=$2; shift 2
	# not through nsx: a backgrounded shell function would leave the PID
	# of a subshell in $!, and killing that would not stop CMD
	ip netns exec "$(ns_name "$ns")" "$@" >>"$LAB_DIR/$log.log" 2>&1 &
	LAST_PID=$!
	LAB_PIDS+=("$LAST_PID")
}

lab_hub() {
	ns_add hub
	lab_wire hub eth0 "$HUB_IP/15"
	start hub hub "$MESHUB_HUB" -a "$HUB_IP" -p 3731 -v
	HUB_PID=$LAST_PID
	wait_for 5 nsx hub sh -c "ss -lun | grep -q ':3731'" || { fail "hub did not start"; return 1; }
}

LAB_PSK=

# node_config NAME INDEX: write NAME's config file (NODE_* variables change it)
node_config() {
	local name=$1 idx=$2 type=${NODE_TYPE:-tun}
	[ -n "$LAB_PSK" ] || LAB_PSK=$("$MESHUB" genkey)
	local psk=${NODE_PSK:-$LAB_PSK}
	{
		echo "[socket]"
		# distinct ports: two nodes behind one masquerading router would
		# otherwise clash and get endpoint-dependent mappings
		echo "port = ${NODE_PORT:-$((3740 + idx))}"
		echo "control = $LAB_DIR/$name.sock"
		[ -n "${NODE_LAN_PORTS:-}" ] && echo "lan_advert_ports = $NODE_LAN_PORTS"
		[ -n "${NODE_SOCKET_EXTRA:-}" ] && printf '%s\n' "$NODE_SOCKET_EXTRA"
		if [ "${NODE_NO_HUB:-0}" != 1 ]; then
			echo "[hub]"
			echo "address = ${NODE_HUBS:-$HUB_IP}"
			echo "advert_interval_sec = ${NODE_ADVERT:-10}"
		fi
		echo "[vpn]"
		echo "hostname = $name"
		echo "ping_interval_sec = ${NODE_PING:-5}"
		echo "ping_timeout_sec = ${NODE_TIMEOUT:-30}"
		echo "key_file = $LAB_DIR/$name.key"
		echo "state_dir = $LAB_DIR/state"
		echo "log_level = ${NODE_LOG:-debug}"
		[ -n "${NODE_THREADS:-}" ] && echo "threads = $NODE_THREADS"
		[ -n "${NODE_SUBNETS:-}" ] && echo "subnets = $NODE_SUBNETS"
		echo "[tun]"
		echo "type = $type"
		echo "interface = mesh%%d"
		echo "ipv4_address = 10.99.0.$idx/24"
		echo "ipv6_address = fd99::$idx/64"
		[ -n "${NODE_MTU:-}" ] && echo "mtu = $NODE_MTU"
		[ -n "${NODE_ROUTES:-}" ] && echo "routes = $NODE_ROUTES"
		echo "[encryption]"
		echo "psk = $psk"
		# a CA network: NODE_CA = the CA certificate, the node's own is NAME.crt
		if [ -n "${NODE_CA:-}" ]; then
			echo "ca = $NODE_CA"
			echo "cert = $LAB_DIR/$name.crt"
			[ -n "${NODE_CRL:-}" ] && echo "crl = $NODE_CRL"
		fi
	} >"$LAB_DIR/$name.conf"
	chmod 600 "$LAB_DIR/$name.conf"
}

# node_start NAME INDEX: write the config and start meshubd in NAME
node_start() {
	node_config "$1" "$2"
	start "$1" "$1" "$MESHUBD" "$LAB_DIR/$1.conf"
	eval "PID_$1=$LAST_PID"
	wait_for 10 nsx "$1" ip link show mesh0 || { fail "$1: meshubd did not create its device"; return 1; }
}

node_stop() {
	local pid; eval "pid=\${PID_$1:-}"
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null
}

# ping_ok NAME ADDR [COUNT]: NAME reaches ADDR over the mesh
ping_ok() { nsx "$1" ping -c "${3:-1}" -W 2 "$2" >/dev/null 2>&1; }
ping6_ok() { nsx "$1" ping -6 -c "${3:-1}" -W 2 "$2" >/dev/null 2>&1; }
# status NAME [--json]: meshub status of node NAME
status() { local n=$1; shift; nsx "$n" "$MESHUB" status --socket "$LAB_DIR/$n.sock" "$@"; }
# node_json NAME FILTER: jq FILTER (raw output) on NAME's status --json
node_json() { status "$1" --json 2>/dev/null | jq -r "$2" 2>/dev/null; }
# peer_json NAME PEER FILTER: jq FILTER on the peer called PEER in NAME's status
peer_json() { status "$1" --json 2>/dev/null | jq -r --arg p "$2" ".peers[] | select(.name == \$p) | $3" 2>/dev/null; }
# json_is NAME FILTER VALUE: NAME's status gives VALUE for FILTER (for wait_for)
json_is() { [ "$(node_json "$1" "$2")" = "$3" ]; }
# peer_is NAME PEER FILTER VALUE: likewise for one peer
peer_is() { [ "$(peer_json "$1" "$2" "$3")" = "$4" ]; }
# drops_total NAME: every datagram NAME's meshubd dropped, all reasons
drops_total() { node_json "$1" '[.drops[]] | add // 0'; }

lab_done() {
	[ "$LAB_FAILS" = 0 ] && { lab_log "all checks passed"; exit 0; }
	lab_log "$LAB_FAILS check(s) failed"
	exit 1
}

# ------------------------------------------------------------------------
# Helpers for the TAP, LAN, fault and security tests (issue 3, tests 2-8).

# pid_gone PID: PID has exited
pid_gone() { ! kill -0 "$1" 2>/dev/null; }

# stop_pid PID [SIGNAL]: signal PID (default TERM), wait up to 5 s, then KILL
stop_pid() {
	kill -"${2:-TERM}" "$1" 2>/dev/null
	[ "${2:-TERM}" = KILL ] || wait_for 5 pid_gone "$1" || kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# hub_run: (re)start meshub-hub in the existing hub namespace
hub_run() {
	start hub hub "$MESHUB_HUB" -a "$HUB_IP" -p 3731 -v
	HUB_PID=$LAST_PID
	wait_for 5 nsx hub sh -c "ss -lun | grep -q ':3731'" || { fail "hub did not start"; return 1; }
}

# hub_kill: the hub dies at once (SIGKILL: no goodbye to anyone)
hub_kill() { stop_pid "$HUB_PID" KILL; }

# log_has NAME ERE: the log of NAME (meshubd's for a node) has a line matching ERE
log_has() { grep -Eq -- "$2" "$LAB_DIR/$1.log"; }
# log_count NAME ERE: how many lines of NAME's log match ERE
log_count() { grep -Ec -- "$2" "$LAB_DIR/$1.log"; }
# edge_up NAME PEER: NAME's meshubd logged that its edge to host PEER is up
edge_up() { log_has "$1" "edge to $2 is up"; }

# rx_packets NAME [DEV]: packets received on DEV (default mesh0) in NAME, i.e.
# the packets meshubd wrote into its TUN/TAP device
rx_packets() { nsx "$1" cat "/sys/class/net/${2:-mesh0}/statistics/rx_packets"; }

# mac_of NAME [DEV]: the MAC address of DEV (default mesh0) in NAME
mac_of() { nsx "$1" cat "/sys/class/net/${2:-mesh0}/address"; }

# mesh_wait SECONDS NAME:INDEX...: every node pings every other node's
# 10.99.0.INDEX within SECONDS; a PASS or FAIL line per pair
mesh_wait() {
	local t=$1 s d; shift
	for s in "$@"; do
		for d in "$@"; do
			[ "$s" = "$d" ] && continue
			if wait_for "$t" ping_ok "${s%%:*}" "10.99.0.${d##*:}"; then
				pass "${s%%:*} -> ${d%%:*} (10.99.0.${d##*:})"
			else
				fail "${s%%:*} cannot reach ${d%%:*} (10.99.0.${d##*:}) within $t s"
			fi
		done
	done
}

# pairs_ping NAME:INDEX...: one ping (2 s timeout) for every ordered pair;
# returns the number of pairs that got no answer, names them in PAIRS_LOST
pairs_ping() {
	local s d lost=0
	PAIRS_LOST=
	for s in "$@"; do
		for d in "$@"; do
			[ "$s" = "$d" ] && continue
			ping_ok "${s%%:*}" "10.99.0.${d##*:}" && continue
			lost=$((lost + 1))
			PAIRS_LOST="$PAIRS_LOST ${s%%:*}->${d%%:*}"
		done
	done
	return $lost
}

# capture_start NAME IFACE FILE [FILTER...]: tcpdump -w FILE on IFACE in
# namespace NAME, packet-buffered; its PID is left in CAP_PID
capture_start() {
	local ns=$1 ifn=$2 file=$3 log; shift 3
	log="tcpdump-${file##*/}"
	start "$ns" "$log" tcpdump -i "$ifn" -n -U -s 0 -Z root -w "$file" "$@"
	CAP_PID=$LAST_PID
	wait_for 5 grep -q "listening on" "$LAB_DIR/$log.log" || { fail "tcpdump on $ns/$ifn did not start"; return 1; }
}

# capture_stop PID: stop tcpdump so that its file is complete
capture_stop() { stop_pid "$1" INT; }

# pcap_count FILE [FILTER...]: packets in FILE matching the tcpdump FILTER
pcap_count() { local f=$1; shift; tcpdump -n -r "$f" "$@" 2>/dev/null | wc -l; }

# file_has_hex FILE HEX: FILE contains the bytes written as HEX (lower case,
# two digits per byte, no spaces) anywhere
file_has_hex() {
	local off
	for off in $(od -An -v -tx1 "$1" | tr -d ' \n' | grep -ob -- "$2" | cut -d: -f1); do
		[ $((off % 2)) = 0 ] && return 0 # at a byte boundary
	done
	return 1
}

# file_has_text FILE TEXT: FILE contains TEXT (binary-safe, fixed string)
file_has_text() { grep -aqF -- "$2" "$1"; }

# lab_transfer SRC DST ADDR MBYTES TIMEOUT: send MBYTES MB of random data over
# TCP from node SRC to ADDR:5001 (a receiver started in DST); returns 0 if
# all of it arrived with the right sha256 within TIMEOUT s. Sets XFER_MBITS
# and XFER_GOT (bytes that arrived).
lab_transfer() {
	local src=$1 dst=$2 addr=$3 mb=$4 t=$5 recv want got t0 t1
	XFER_MBITS=0
	XFER_GOT=0
	head -c $((mb * 1000000)) /dev/urandom >"$LAB_DIR/xfer"
	want=$(sha256sum <"$LAB_DIR/xfer" | cut -d' ' -f1)
	rm -f "$LAB_DIR/xfer.out"
	start "$dst" "socat-$dst" socat -u TCP-LISTEN:5001,reuseaddr "OPEN:$LAB_DIR/xfer.out,creat,trunc"
	recv=$LAST_PID
	wait_for 5 nsx "$dst" sh -c "ss -ltn | grep -q ':5001 '" || { stop_pid "$recv"; return 1; }
	t0=$(date +%s.%N)
	if ! timeout "$t" ip netns exec "$(ns_name "$src")" socat -u "OPEN:$LAB_DIR/xfer" "TCP:$addr:5001"; then
		stop_pid "$recv"
		XFER_GOT=$(stat -c %s "$LAB_DIR/xfer.out" 2>/dev/null || echo 0)
		return 1
	fi
	wait_for 30 pid_gone "$recv" || stop_pid "$recv"
	t1=$(date +%s.%N)
	XFER_GOT=$(stat -c %s "$LAB_DIR/xfer.out" 2>/dev/null || echo 0)
	got=$(sha256sum <"$LAB_DIR/xfer.out" | cut -d' ' -f1)
	XFER_MBITS=$(echo "$mb * 8 / ($t1 - $t0)" | bc -l | cut -c1-6)
	rm -f "$LAB_DIR/xfer" "$LAB_DIR/xfer.out"
	[ "$got" = "$want" ]
}

# junk_flood NAME HOST PORT COUNT: from namespace NAME, send COUNT hostile
# datagrams to HOST:PORT: random bytes, and meshub-shaped messages of every
# type with the right sizes and zero reserved bytes but keys nobody has
# (perl-base only, so it runs wherever Debian does)
junk_flood() {
	nsx "$1" perl -MIO::Socket::INET -e '
		my ($host, $port, $count) = @ARGV;
		my $s = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, Proto => "udp") or die "socket: $!";
		# type => [min length, max length]
		my @shapes = ([0x51, 56, 200], [0x52, 36, 36], [0x53, 27, 400], [0x54, 154, 154],
			      [0x55, 86, 86], [0x56, 32, 1400], [0x57, 32, 32], [0x58, 38, 1400],
			      [0x59, 38, 38], [0x5a, 20, 400], [0x01, 6, 6], [0x02, 12, 12]);
		for my $i (1 .. $count) {
			my $msg;
			if ($i % 4 == 0) {
				$msg = join("", map { chr(int(rand(256))) } 1 .. 1 + int(rand(1500)));
			} else {
				my ($t, $lo, $hi) = @{$shapes[int(rand(@shapes))]};
				my $len = $lo + int(rand($hi - $lo + 1));
				$msg = chr($t) . "\0\0\0" . join("", map { chr(int(rand(256))) } 5 .. $len);
			}
			$s->send($msg);
			select(undef, undef, undef, 0.001) if $i % 50 == 0;
		}' "$2" "$3" "$4"
}

# ------------------------------------------------------------------------
# NAT traversal beyond cone NATs (issue 13): a router with a UPnP-IGD /
# NAT-PMP / PCP server (miniupnpd), the STUN answer it needs to believe its
# 198.18/15 WAN address is public, IPv6 on the internet bridge.

# edges_up A B: both say their edge to the other is up (status, polled
# every 0.2 s by wait_for: finer than a ping with its 2 s timeout)
edges_up() { peer_is "$1" "$2" .state up && peer_is "$2" "$1" .state up; }

# lab_stun NS ADDR: a minimal STUN binding responder on ADDR:3478 in NS
# (perl-base): answers every Binding Request with its source as
# MAPPED-ADDRESS, from the address it was sent to. miniupnpd asks it for
# its public address (198.18.0.0/15 is reserved, so it will not take the
# WAN interface's address for one otherwise).
lab_stun() {
	start "$1" "stun-$1" perl -MIO::Socket::INET -MSocket -e '
		my $s = IO::Socket::INET->new(LocalAddr => $ARGV[0], LocalPort => 3478, Proto => "udp") or die "stun: $!";
		print "stun listening\n";
		$| = 1;
		for (my $n = 0; $n < 100000; $n++) {
			my $peer = $s->recv(my $m, 1500) or next;
			next if length($m) < 20 || unpack("n", $m) != 1;
			my ($port, $ip) = sockaddr_in($peer);
			my $attr = pack("nnCCn", 1, 8, 0, 1, $port) . $ip;
			$s->send(pack("nn", 0x0101, length($attr)) . substr($m, 4, 16) . $attr, 0, $peer);
		}' "$2"
	STUN_PID=$LAST_PID
	wait_for 5 grep -q "stun listening" "$LAB_DIR/stun-$1.log" || { fail "STUN responder in $1 did not start"; return 1; }
}

# lab_router_upnp NAME WAN LAN/PREFIX: a symmetric NAT router (masquerade
# random, port-restricted filtering) whose forwarding and NAT go through the
# chains miniupnpd fills (table inet miniupnpd); start its server with upnp_start
lab_router_upnp() {
	local name=$1 wan=$2 lan=$3
	ns_add "$name"
	lab_wire "$name" wan "$wan/15"
	ip -n "$(ns_name "$name")" link add lan type bridge
	ip -n "$(ns_name "$name")" addr add "$lan" dev lan
	ip -n "$(ns_name "$name")" link set lan up
	nsx "$name" sysctl -qw net.ipv4.ip_forward=1
	nsx "$name" nft -f - <<NFT || return 1
table inet miniupnpd {
	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname "wan" ct state established,related accept
		iifname "wan" jump miniupnpd
		iifname "wan" drop
	}
	chain input {
		type filter hook input priority filter; policy accept;
		iifname "wan" ct state established,related accept
		iifname "wan" udp dport 3478 accept
		iifname "wan" drop
	}
	chain miniupnpd {
	}
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		jump prerouting_miniupnpd
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		jump postrouting_miniupnpd
		# the LAN's flows only: the router's own (its STUN test) keep their ports
		ip saddr ${lan%.*}.0/24 oifname "wan" masquerade random
	}
	chain prerouting_miniupnpd {
	}
	chain postrouting_miniupnpd {
	}
}
NFT
}

# upnp_start ROUTER STUN_ADDR [PROTOCOLS]: miniupnpd in ROUTER's namespace
# with its own config, lease file and pid file in $LAB_DIR; UPnP-IGD,
# NAT-PMP and PCP for the LAN; its PID in UPNP_PID (stopped by PID)
upnp_start() {
	local r=$1 stun=$2 lan
	lan=$(nsx "$r" ip -4 -o addr show dev lan | awk '{print $4}')
	cat >"$LAB_DIR/miniupnpd-$r.conf" <<CONF
ext_ifname=wan
listening_ip=lan
ext_perform_stun=yes
ext_stun_host=$stun
ext_stun_port=3478
enable_natpmp=yes
enable_upnp=yes
secure_mode=yes
system_uptime=yes
min_lifetime=${UPNP_MIN_LIFETIME:-120}
max_lifetime=${UPNP_MAX_LIFETIME:-86400}
lease_file=$LAB_DIR/miniupnpd-$r.leases
upnp_table_name=miniupnpd
upnp_nat_table_name=miniupnpd
upnp_forward_chain=miniupnpd
upnp_nat_chain=prerouting_miniupnpd
upnp_nat_postrouting_chain=postrouting_miniupnpd
uuid=3ca7bd1a-1d3f-4a1e-9e36-2b1f0d3c$(printf %04x $((LAB_ID % 65536)))
allow 1024-65535 ${lan%.*/*}.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
CONF
	start "$r" "miniupnpd-$r" miniupnpd -f "$LAB_DIR/miniupnpd-$r.conf" -d -P "$LAB_DIR/miniupnpd-$r.pid"
	UPNP_PID=$LAST_PID
	# ready once its STUN test has found the public address (it does not answer meanwhile)
	wait_for 10 log_has "miniupnpd-$r" "Port forwarding is now enabled" ||
		{ fail "miniupnpd in $r did not start"; return 1; }
}

# lab_public6 NAME ADDR6: a host on the internet bridge with only an IPv6
# address (ADDR6, /64 of 2001:db8::/32, documentation space; no DAD wait)
lab_public6() {
	local peer="p${1}"
	ns_add "$1"
	peer=${peer:0:15}
	ip link add eth0 netns "$(ns_name "$1")" type veth peer name "$peer" netns "$(ns_name inet)" || return 1
	ip -n "$(ns_name inet)" link set "$peer" master br0 up
	ip -n "$(ns_name "$1")" -6 addr add "$2/64" dev eth0 nodad
	ip -n "$(ns_name "$1")" link set eth0 up
}
