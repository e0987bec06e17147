/* dns.h - DNS for mesh names: decodes a query datagram (RFC 1035, EDNS0 of
 * RFC 6891) and builds the answer from a small zone of member names that
 * the daemon fills. Pure: no sockets, no clock, no allocation. What is
 * answered and the limits: engine/PROTOCOL.md, "DNS for mesh names". */
#pragma once

#include "wire.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_PORT 53
#define DNS_HDR_LEN 12
#define DNS_NAME_MAX 255 /* a name on the wire, length bytes included */
#define DNS_LABEL_MAX 63
/* "HOSTNAME.DOMAIN" must fit 253 characters for the longest host name */
#define DNS_DOMAIN_MAX (253 - WIRE_HOSTNAME_MAX - 1)
#define DNS_DEFAULT_DOMAIN "mesh"
#define DNS_HOST_ADDRS_MAX WIRE_ADVERT_ADDRS_MAX /* of each family */
#define DNS_TTL 60     /* seconds, A and AAAA records */
#define DNS_NEG_TTL 10 /* seconds, NXDOMAIN and NODATA (SOA minimum): new members show soon */
#define DNS_UDP_MAX 512	  /* the largest answer to a query without EDNS0 */
#define DNS_EDNS_MAX 1232 /* the largest answer with EDNS0, whatever the client offers */

/* Sizes of what an answer adds to the question (names are pointers). */
#define DNS_RR_FIXED 12 /* name pointer, type, class, TTL, data length */
#define DNS_A_RR (DNS_RR_FIXED + 4)
#define DNS_AAAA_RR (DNS_RR_FIXED + 16)
#define DNS_SOA_RR (DNS_RR_FIXED + 2 + 13 + 20) /* MNAME, RNAME "hostmaster", five numbers */
#define DNS_OPT_RR 11

enum dns_type {
	DNS_TYPE_A = 1,
	DNS_TYPE_NS = 2,
	DNS_TYPE_SOA = 6,
	DNS_TYPE_AAAA = 28,
	DNS_TYPE_OPT = 41,
	DNS_TYPE_IXFR = 251,
	DNS_TYPE_AXFR = 252,
	DNS_TYPE_ANY = 255,
};

#define DNS_CLASS_IN 1

enum dns_rcode {
	DNS_RCODE_NOERROR = 0,
	DNS_RCODE_NXDOMAIN = 3,
	DNS_RCODE_REFUSED = 5,
	DNS_RCODE_BADVERS = 16, /* extended: 1 in the OPT record, 0 in the header */
};

/* Why a datagram got no answer; each has its own errno, returned negated by
 * dns_answer() and mapped back by dns_drop_reason(). */
enum dns_drop {
	DNS_DROP_TRUNCATED,  /* -EMSGSIZE: ends inside the header, the question or a record */
	DNS_DROP_RESPONSE,   /* -EPROTO: QR is set; answering answers could loop */
	DNS_DROP_OPCODE,     /* -EOPNOTSUPP: not a standard QUERY */
	DNS_DROP_COUNTS,     /* -EINVAL: QDCOUNT != 1, answer or authority records, bytes after the last record */
	DNS_DROP_NAME,	     /* -EBADMSG: label type 0x40/0x80, or the name is over 255 bytes */
	DNS_DROP_POINTER,    /* -ELOOP: a compression pointer in the question */
	DNS_DROP_ADDITIONAL, /* -EPROTONOSUPPORT: an additional record that is not one well-formed OPT */
	DNS_DROP_NO_SPACE,   /* -ENOBUFS: the output buffer cannot hold even an empty answer */
	DNS_DROP_MAX
};

/* One member: a name relative to the domain and its mesh addresses. */
struct dns_host {
	char name[WIRE_HOSTNAME_MAX + 1]; /* "" = not answered */
	uint8_t n_ipv4, n_ipv6;
	uint8_t ipv4[DNS_HOST_ADDRS_MAX][4];
	uint8_t ipv6[DNS_HOST_ADDRS_MAX][16];
};

/* What a node answers for; filled by the daemon, read only here. */
struct dns_zone {
	const char *domain; /* "mesh": checked with dns_domain_valid() */
	uint32_t serial;    /* SOA serial: bump it when a name or address changes */
	const struct dns_host *hosts;
	size_t n_hosts;
};

/* A decoded query; question points into the datagram. */
struct dns_query {
	uint16_t id;
	uint16_t flags; /* the header's second 16 bits, as received */
	const uint8_t *question; /* QNAME QTYPE QCLASS, no pointers */
	size_t question_len;
	uint8_t n_labels;		      /* 0 for the root */
	uint8_t label_off[DNS_NAME_MAX / 2]; /* offset of each label's length byte */
	uint16_t qtype, qclass;
	bool edns;
	uint16_t udp_size;    /* the client's EDNS0 payload size */
	uint8_t edns_version; /* anything but 0 gets BADVERS */
	bool dnssec_ok;	      /* DO: copied into the answer's OPT (RFC 3225) */
};

/* Decodes and checks a query datagram: 0, or the negative errno of a
 * dns_drop reason. The cheap header checks come before the name is read. */
int dns_query_decode(const uint8_t *buf, size_t len, struct dns_query *q);

/* Answers a query datagram from zone into out (cap bytes; DNS_EDNS_MAX is
 * always enough). Returns the answer's length, or the negative errno of a
 * dns_drop reason if the datagram must be dropped. An answer is never
 * longer than the query plus its resource records, nor than 512 bytes
 * (the client's EDNS0 size, at most DNS_EDNS_MAX, if it sent OPT): records
 * that do not fit are left out and TC is set. */
int dns_answer(const uint8_t *query, size_t qlen, const struct dns_zone *zone, uint8_t *out, size_t cap);

/* The reason for an error dns_answer() or dns_query_decode() returned;
 * DNS_DROP_MAX for any other value. */
enum dns_drop dns_drop_reason(int err);
/* "truncated", "response", ... for logs and status (NULL for DNS_DROP_MAX). */
const char *dns_drop_name(enum dns_drop why);

/* A domain the zone may have: LDH labels (letters, digits, '-' inside) of
 * 1..63 characters separated by dots, at most DNS_DOMAIN_MAX in all, no
 * trailing dot. */
bool dns_domain_valid(const char *domain);

/* A member's entry from its advert: its host name and the addresses of its
 * VPN prefixes (at most DNS_HOST_ADDRS_MAX of each family). */
void dns_host_from_advert(struct dns_host *h, const struct wire_advert *adv);
