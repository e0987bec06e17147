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

# wait_for SECONDS CMD...: poll CMD every 0.2 s, at most SECONDS
wait_for() {
	local t=$1 i; shift
	for i in $(seq 1 $((t * 5))); do
		"$@" >/dev/null 2>&1 && return 0
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
	local ns=$1 ifn=$2 addr=$3 peer="p${ifn}-${1}"
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

# start NAME LOGNAME CMD...: run CMD in namespace NAME in the background;
# its PID is left in LAST_PID
start() {
	local ns=$1 log=$2; shift 2
	nsx "$ns" "$@" >>"$LAB_DIR/$log.log" 2>&1 &
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

# node_config NAME INDEX [extra lines for [vpn]...]: write NAME's config file
node_config() {
	local name=$1 idx=$2 type=${NODE_TYPE:-tun}
	[ -n "$LAB_PSK" ] || LAB_PSK=$("$MESHUB" genkey)
	local psk=${NODE_PSK:-$LAB_PSK}
	{
		echo "[socket]"
		# distinct ports: two nodes behind one masquerading router would
		# otherwise clash and get endpoint-dependent mappings
		echo "port = ${NODE_PORT:-$((3740 + idx))}"
		[ -n "${NODE_LAN_PORTS:-}" ] && echo "lan_advert_ports = $NODE_LAN_PORTS"
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
		echo "log_level = debug"
		echo "[tun]"
		echo "type = $type"
		echo "interface = mesh%%d"
		echo "ipv4_address = 10.99.0.$idx/24"
		echo "ipv6_address = fd99::$idx/64"
		[ -n "${NODE_MTU:-}" ] && echo "mtu = $NODE_MTU"
		echo "[encryption]"
		echo "psk = $psk"
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

lab_done() {
	[ "$LAB_FAILS" = 0 ] && { lab_log "all checks passed"; exit 0; }
	lab_log "$LAB_FAILS check(s) failed"
	exit 1
}
