/* nm-meshub-keys.h - the single source of the names the NetworkManager
 * service and the connection editors share: the D-Bus service, the vpn.data
 * keys (each an engine setting under its config-file name with '-' for '_')
 * and the secrets. */
#pragma once

#define NM_MESHUB_SERVICE_NAME "org.freedesktop.NetworkManager.meshub"
#define NM_MESHUB_PLUGIN_NAME "meshub"

/* --- vpn.data ----------------------------------------------------------- */
/* [hub] address: comma-separated "host[:port]" (IPv6 literals in brackets) */
#define NM_MESHUB_KEY_HUB "hub"
/* [tun] ipv4_address / ipv6_address, CIDR */
#define NM_MESHUB_KEY_IPV4_ADDRESS "ipv4-address"
#define NM_MESHUB_KEY_IPV6_ADDRESS "ipv6-address"
/* [tun] type: "tun" (default) or "tap" */
#define NM_MESHUB_KEY_TYPE "type"
/* [tun] interface, e.g. "mesh%d" */
#define NM_MESHUB_KEY_INTERFACE "interface"
/* [tun] mtu (0 or absent = automatic) */
#define NM_MESHUB_KEY_MTU "mtu"
/* [tun] routes: extra prefixes routed into the mesh, comma-separated CIDRs */
#define NM_MESHUB_KEY_ROUTES "routes"
/* [socket] port: local UDP port (default 3731) */
#define NM_MESHUB_KEY_PORT "port"
/* [socket] address: local listen address (default 0.0.0.0) */
#define NM_MESHUB_KEY_ADDRESS "address"
/* [socket] lan_advert_ports: comma-separated ports, empty = no LAN discovery */
#define NM_MESHUB_KEY_LAN_ADVERT_PORTS "lan-advert-ports"
/* [socket] port_mapping and port_prediction (yes|no): ask the router for a
 * port mapping (PCP, NAT-PMP, UPnP IGD); predict the ports of a NAT that
 * maps each destination anew */
#define NM_MESHUB_KEY_PORT_MAPPING "port-mapping"
#define NM_MESHUB_KEY_PORT_PREDICTION "port-prediction"
/* [hub] advert_interval_sec */
#define NM_MESHUB_KEY_ADVERT_INTERVAL "advert-interval-sec"
/* [vpn] hostname, ping_interval_sec, ping_timeout_sec, log_level, subnets */
#define NM_MESHUB_KEY_HOSTNAME "hostname"
#define NM_MESHUB_KEY_PING_INTERVAL "ping-interval-sec"
#define NM_MESHUB_KEY_PING_TIMEOUT "ping-timeout-sec"
#define NM_MESHUB_KEY_LOG_LEVEL "log-level"
#define NM_MESHUB_KEY_SUBNETS "subnets"
/* [vpn] dns (yes|no) and dns_domain: the members' names answered on the
 * node's mesh addresses, handed to NetworkManager as a routing-only domain */
#define NM_MESHUB_KEY_DNS "dns"
#define NM_MESHUB_KEY_DNS_DOMAIN "dns-domain"
/* [encryption] ca, cert, crl: a CA network's certificate files, absolute
 * paths (the network's ca.crt, this node's certificate, the optional
 * revocation list); none of them is secret */
#define NM_MESHUB_KEY_CA "ca"
#define NM_MESHUB_KEY_CERT "cert"
#define NM_MESHUB_KEY_CRL "crl"

/* --- vpn.secrets --------------------------------------------------------- */
/* [encryption] psk: 32 bytes in base64 (standard or url-safe) */
#define NM_MESHUB_KEY_PSK "psk"
#define NM_MESHUB_KEY_PSK_FLAGS "psk-flags"

/* Every vpn.data key above, for validation loops (NULL-terminated). */
#define NM_MESHUB_DATA_KEYS                                                                             \
	NM_MESHUB_KEY_HUB, NM_MESHUB_KEY_IPV4_ADDRESS, NM_MESHUB_KEY_IPV6_ADDRESS, NM_MESHUB_KEY_TYPE,   \
		NM_MESHUB_KEY_INTERFACE, NM_MESHUB_KEY_MTU, NM_MESHUB_KEY_ROUTES, NM_MESHUB_KEY_PORT,    \
		NM_MESHUB_KEY_ADDRESS, NM_MESHUB_KEY_LAN_ADVERT_PORTS, NM_MESHUB_KEY_PORT_MAPPING,              \
		NM_MESHUB_KEY_PORT_PREDICTION, NM_MESHUB_KEY_ADVERT_INTERVAL,                                  \
		NM_MESHUB_KEY_HOSTNAME, NM_MESHUB_KEY_PING_INTERVAL, NM_MESHUB_KEY_PING_TIMEOUT,         \
		NM_MESHUB_KEY_LOG_LEVEL, NM_MESHUB_KEY_SUBNETS, NM_MESHUB_KEY_DNS, NM_MESHUB_KEY_DNS_DOMAIN,        \
		NM_MESHUB_KEY_CA, NM_MESHUB_KEY_CERT, NM_MESHUB_KEY_CRL, NM_MESHUB_KEY_PSK_FLAGS, NULL
