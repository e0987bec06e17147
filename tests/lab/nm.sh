# nm.sh - a NetworkManager of the lab's own, for tests that source it after
# lib.sh: headless in a network + mount namespace (mh-nm-PID) with a private
# system bus, on the lab's internet (nm_start ADDR), with the project's
# service, auth dialog and editor plugin from the build tree. nm_cleanup (the
# EXIT trap it sets) stops NetworkManager and the bus before lab_cleanup.

SERVICE_BIN="$LAB_BUILD/nm-plugin/nm-meshub-service"
DIALOG_BIN="$LAB_BUILD/nm-plugin/nm-meshub-auth-dialog"
PLUGIN_SO="$LAB_BUILD/properties/.libs/libnm-vpn-plugin-meshub.so"
for f in "$SERVICE_BIN" "$DIALOG_BIN" "$PLUGIN_SO"; do
	[ -e "$f" ] || skip "$f is not built"
done
NM_DIR="$LAB_DIR/nm"
NM_NS=$(ns_name nm)
NM_PID=
DBUS_PID=

# nmx CMD...: run CMD in the NetworkManager namespace (network, mount, UTS)
nmx() { nsenter --target "$DBUS_PID" --mount --uts --net -- "$@"; }
# nmc ARGS...: nmcli there, with the test's VPN plugin directory
nmc() { nmx env NM_VPN_PLUGIN_DIR="$NM_DIR/etc-nm/VPN" nmcli "$@"; }

# nm_pids NAME: PIDs in the NetworkManager namespace whose program is NAME
nm_pids() {
	local p exe
	for p in $(ip netns pids "$NM_NS" 2>/dev/null); do
		exe=$(tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | head -1)
		[ "${exe##*/}" = "$1" ] && echo "$p"
	done
}
none_left() { [ -z "$(nm_pids meshubd)" ] && [ -z "$(nm_pids nm-meshub-service)" ]; }
no_device() { ! nmx ip link show "$1" >/dev/null 2>&1; }
con_state() { nmc -g GENERAL.STATE connection show "$1" 2>/dev/null; }
not_active() { [ -z "$(con_state "$1")" ]; }
nm_log_has() { grep -Eq -- "$1" "$LAB_DIR/nm.log"; }

nm_cleanup() {
	local rc=$?
	if [ -n "$NM_PID" ]; then
		stop_pid "$NM_PID"
		wait_for 10 none_left ||
			echo "left after NetworkManager stopped: $(nm_pids meshubd) $(nm_pids nm-meshub-service)"
	fi
	[ -n "$DBUS_PID" ] && stop_pid "$DBUS_PID"
	(exit "$rc")
	lab_cleanup
}

# nm_start ADDR: NetworkManager up, with an uplink connection "uplink" at
# ADDR/15 on the internet bridge that reaches the hub; 1 (after fail) if not.
nm_start() {
	mkdir -p "$NM_DIR"/{etc-nm/VPN,etc-nm/conf.d,var-lib-nm,connections,dbus.d,sysconf.d,run,state}
	cp "$LAB_SRC/nm-plugin/nm-meshub-service.conf" "$NM_DIR/dbus.d/"
	cat >"$NM_DIR/dbus.conf" <<XML
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <includedir>/usr/share/dbus-1/system.d</includedir>
  <includedir>$NM_DIR/dbus.d</includedir>
</busconfig>
XML
	# the .name file from the project's template, pointing into the build tree
	sed -e "s|@LIBEXECDIR@|$LAB_BUILD/nm-plugin|g" -e "s|@PLUGINDIR@|$LAB_BUILD/properties/.libs/|g" \
		"$LAB_SRC/nm-plugin/nm-meshub-service.name.in" >"$NM_DIR/etc-nm/VPN/nm-meshub-service.name"
	chmod 644 "$NM_DIR/etc-nm/VPN/nm-meshub-service.name" # NetworkManager wants it root-owned, not writable by others
	cat >"$NM_DIR/NetworkManager.conf" <<INI
[main]
plugins=keyfile
no-auto-default=*
auth-polkit=false
dns=none
rc-manager=unmanaged
hostname-mode=none

[keyfile]
path=$NM_DIR/connections

[connectivity]
enabled=false

[logging]
level=DEBUG
domains=DEFAULT,VPN:TRACE,VPN_PLUGIN:TRACE
INI

	ns_add nm
	ip link add up0 netns "$NM_NS" type veth peer name pup0-nm netns "$(ns_name inet)" || return 1
	ip -n "$(ns_name inet)" link set pup0-nm master br0 up
	# A private /run (the bus socket), /etc/NetworkManager and
	# /var/lib/NetworkManager; a read-only /sys so that NetworkManager does not
	# wait for udev. The bus daemon holds the mount namespace for the others.
	ip netns exec "$NM_NS" unshare --mount --uts --propagation private /bin/bash -c '
		set -e
		mount -t tmpfs -o mode=755 mh-nm-run /run
		mkdir -p /run/dbus /run/NetworkManager /run/lock
		mount --bind "$1/etc-nm" /etc/NetworkManager
		mount --bind "$1/var-lib-nm" /var/lib/NetworkManager
		mount -o remount,bind,ro /sys
		hostname mh-nm
		exec dbus-daemon --config-file="$1/dbus.conf" --nofork --nopidfile' _ "$NM_DIR" >>"$LAB_DIR/dbus.log" 2>&1 &
	DBUS_PID=$!
	LAB_PIDS+=("$DBUS_PID")
	wait_for 10 nmx test -S /run/dbus/system_bus_socket || { fail "the private system bus did not start"; return 1; }

	nsenter --target "$DBUS_PID" --mount --uts --net -- env \
		MESHUB_NM_RUNDIR="$NM_DIR/run" MESHUB_NM_STATEDIR="$NM_DIR/state" MESHUB_MESHUBD="$MESHUBD" \
		NetworkManager --debug --config="$NM_DIR/NetworkManager.conf" --config-dir="$NM_DIR/etc-nm/conf.d" \
		--system-config-dir="$NM_DIR/sysconf.d" --intern-config="$NM_DIR/var-lib-nm/intern.conf" \
		--state-file="$NM_DIR/var-lib-nm/NetworkManager.state" --pid-file="$NM_DIR/NetworkManager.pid" \
		>>"$LAB_DIR/nm.log" 2>&1 &
	NM_PID=$!
	LAB_PIDS+=("$NM_PID")
	if wait_for 30 nmc -t -f RUNNING general status; then
		pass "NetworkManager $(nmc -t -f VERSION general 2>/dev/null) runs in $NM_NS (pid $NM_PID)"
	else
		fail "NetworkManager did not start"; return 1
	fi
	# NetworkManager puts a VPN on the connection with the default route; the
	# gateway is an address nobody has (the lab's internet is one link)
	nmc connection add type ethernet ifname up0 con-name uplink ipv4.method manual \
		ipv4.addresses "$1/15" ipv4.gateway 198.18.0.254 ipv6.method disabled >/dev/null
	if nmc --wait 20 connection up uplink >/dev/null && wait_for 10 nmx ping -c1 -W1 "$HUB_IP"; then
		pass "uplink up through NetworkManager, the hub answers"
	else
		fail "uplink"; return 1
	fi
}
trap nm_cleanup EXIT
