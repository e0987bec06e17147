/* status.h - a snapshot of a running node for `meshub status`: plain data,
 * copied out of the node when a request comes, so that the control socket
 * never reads the node's internals. */
#pragma once

#include "device.h"
#include "dns.h"
#include "drop.h"
#include "edge.h"
#include "wire.h"

#include <stdbool.h>
#include <stdint.h>

struct status_peer {
	char name[WIRE_HOSTNAME_MAX + 1];
	uint8_t static_pub[32];
	uint8_t n_addrs, n_subnets;
	struct wire_prefix addrs[WIRE_ADVERT_ADDRS_MAX];
	struct wire_prefix subnets[WIRE_ADVERT_SUBNETS_MAX];
	struct wire_endpoint endpoint; /* family 0: none */
	const char *path_kind;	       /* "lan", "direct", "none" */
	const char *path_origin;       /* who named the path: "hub", "lan", ... */
	unsigned n_paths;
	uint32_t rtt_us;
	unsigned mtu; /* 0: not known yet */
	bool mtu_searching;
	enum edge_state state;
	enum edge_why why;
	uint8_t tried; /* EDGE_TRIED_* while not up */
	bool predicting; /* a port-prediction round with it runs now */
	uint64_t since_wall, trying_secs, last_handshake_wall; /* seconds */
	uint64_t rx_bytes, tx_bytes, rx_packets, tx_packets;
	struct drops drops;
	/* CA networks: its certificate (serial 0: none accepted) and why it
	 * was last refused (a drop reason name, NULL: not refused) */
	uint64_t cert_serial, cert_not_after;
	const char *refused;
};

/* A CA network's certificates, as this node holds them. */
struct status_ca {
	bool on; /* false: a PSK network, nothing below */
	char network[64];
	uint64_t ca_not_after;
	unsigned ca_warn_days; /* 30, 7, 1 when that close to expiring, else 0 */
	char name[64];
	uint64_t serial, not_after;
	unsigned warn_days;
	bool expired, revoked; /* our own certificate: peers refuse it */
	uint64_t crl_sequence; /* 0: no revocation list */
	unsigned crl_serials;
	uint64_t crl_issued_at;
	char crl_from[128]; /* where it came from: "hub H", "peer N", a file, "meshub crl load" */
};

struct status_hub {
	char host[256];
	struct wire_endpoint address, observed;
	bool reachable;
	bool members_seen; /* it has listed another member since it answered first */
	bool alone;	   /* reachable for a while and never listed anyone: see hint */
	uint64_t last_contact_wall; /* seconds, 0 = never */
	const char *nat_mapping; /* what our NAT does, as this hub and the other observers see us:
				    "none", "endpoint_independent", "per_destination", "unknown" */
};

/* The port mapping on our gateway and the port-prediction rounds. */
struct status_nat {
	const char *mapping_state;    /* "off", "working", "mapped", "failed" */
	const char *mapping_protocol; /* "pcp", "natpmp", "upnp", "none" */
	struct wire_endpoint mapped;  /* family 0: none */
	uint16_t mapping_port;	      /* our socket it points at */
	uint32_t lease_left;	      /* seconds */
	char mapping_error[400];
	bool prediction;	      /* [socket] port_prediction */
	uint64_t rounds_open, rounds_probe, found, probes_sent, sockets_opened, sockets_closed;
	unsigned sockets_open;	      /* extra sockets open now (the mapping's included) */
};

/* The DNS server for the members' names (dnsd.h). */
struct status_dns {
	bool enabled;
	char domain[DNS_DOMAIN_MAX + 1];
	unsigned n_listen;
	struct wire_endpoint listen[2];
	unsigned n_names;
	uint64_t queries, answered;
	uint32_t drops[DNS_DROP_MAX];
};

/* The device's offloads and what they did. */
struct status_device {
	unsigned offloads; /* the kernel's flags it took (engine/offload.h OFFLOAD_F_*) */
	struct device_stats stats;
};

struct status {
	char interface[16];
	char name[WIRE_HOSTNAME_MAX + 1];
	bool tap;
	uint8_t public_key[32];
	uint16_t port;
	unsigned mtu;
	uint8_t n_addrs;
	struct wire_prefix addrs[2];
	bool nat_edm, handshake_load;
	struct status_hub hubs[8];
	unsigned n_hubs;
	char hint[384]; /* "" or what is most likely wrong ("no other member uses this network key at hub H ...") */
	struct status_dns dns;
	struct status_ca ca;
	struct status_nat nat;
	struct status_device device;
	struct status_peer *peers; /* n_peers, malloc()ed by whoever fills it */
	unsigned n_peers;
	struct drops drops;
	uint64_t tx_datagrams, rx_datagrams, gso_sends, gso_refusals, tx_errors;
};
