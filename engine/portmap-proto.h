/* portmap-proto.h - asking a gateway for a UDP port mapping, one protocol
 * at a time: PCP (RFC 6887, engine/pcp.c), NAT-PMP (RFC 6886, libnatpmp)
 * and UPnP-IGD (miniupnpc). Every call blocks (bounded: about 2 s for PCP
 * and NAT-PMP, a few seconds for UPnP's discovery and SOAP calls), so
 * engine/portmap.c runs them in a thread, never in the node's loop. */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

enum portmap_proto { PORTMAP_NONE, PORTMAP_PCP, PORTMAP_NATPMP, PORTMAP_UPNP };

/* What is asked, and what a protocol granted (or why not). */
struct portmap_req {
	struct in_addr gateway;	 /* PCP, NAT-PMP: the default gateway (portmap_gateway()) */
	uint16_t internal_port;	 /* our socket's port */
	uint16_t external_port;	 /* suggested (the one we had), 0 = any */
	uint32_t lifetime;	 /* asked, seconds; 0 = delete the mapping */
	uint8_t pcp_nonce[12];	 /* PCP: one per mapping (renewing and deleting need it); zeros = make one */
	/* UPnP: the IGD's control URL, service type and our LAN address, kept for refreshing and deleting */
	char upnp_control[256], upnp_service[128], upnp_lan[64];
};

struct portmap_grant {
	uint8_t external[4]; /* the gateway's public address */
	uint16_t external_port;
	uint32_t lifetime; /* granted, seconds */
	char error[160];   /* why not, for the log and status */
};

/* The default IPv4 gateway (libnatpmp finds it): 0 or -errno. */
int portmap_gateway(struct in_addr *gw);
/* One mapping request by each protocol: 0 and *out filled, or -errno and out->error. */
int portmap_pcp(struct portmap_req *req, struct portmap_grant *out);
int portmap_natpmp(struct portmap_req *req, struct portmap_grant *out);
int portmap_upnp(struct portmap_req *req, struct portmap_grant *out);
const char *portmap_proto_name(enum portmap_proto p);
/* "pcp,natpmp,upnp" -> a bit per enum portmap_proto (1u << PORTMAP_PCP ...); 0 if a name is unknown. */
unsigned portmap_protos_parse(const char *list);
