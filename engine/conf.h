/* conf.h - meshubd's configuration: the original meshub client.cfg format
 * (sections [socket] [hub] [vpn] [tun] [scripts] [encryption], same keys and
 * meanings) plus the keys meshub added. Every error names the file, line,
 * key and what was expected. Pure: conf_parse() does no I/O. */
#pragma once

#include "dns.h"
#include "wire.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONF_MAX_HUBS 8
#define CONF_MAX_LAN_PORTS 8
#define CONF_MAX_SUBNETS WIRE_ADVERT_SUBNETS_MAX
#define CONF_MAX_ROUTES 16
#define CONF_HOST_MAX 255
#define CONF_THREADS_AUTO UINT_MAX
#define CONF_DEFAULT_PORT 3731

enum conf_log_level {
	CONF_LOG_DEFAULT = -1, /* not set: the daemon decides (info) */
	CONF_LOG_ERROR = 0,
	CONF_LOG_WARNING,
	CONF_LOG_INFO,
	CONF_LOG_DEBUG,
};

struct conf_hub {
	char host[CONF_HOST_MAX + 1]; /* name or IPv4/IPv6 literal */
	uint16_t port;
};

struct conf {
	/* [socket] */
	char listen_address[64]; /* IPv4 or IPv6 literal; default "0.0.0.0" */
	uint16_t port;		 /* default 3731 */
	bool port_set;		 /* port is in the file: else meshubd picks one (meshub.conf(5)) */
	uint16_t lan_ports[CONF_MAX_LAN_PORTS];
	unsigned n_lan_ports; /* 0: no LAN discovery */
	bool port_mapping;    /* ask the gateway for a port (PCP, NAT-PMP, UPnP-IGD); default yes */
	bool port_prediction; /* birthday probing towards/from NATs that map per destination; default yes */
	char control_path[PATH_MAX]; /* "" = MESHUB_RUNSTATEDIR/<interface>.sock (/run/meshub, macOS /var/run/meshub) */

	/* [hub] */
	struct conf_hub hubs[CONF_MAX_HUBS];
	unsigned n_hubs;	     /* 0: no hub (LAN discovery only) */
	unsigned advert_interval_sec; /* default 60 */

	/* [vpn] */
	char hostname[WIRE_HOSTNAME_MAX + 1]; /* "" = the system host name */
	unsigned ping_interval_sec;	      /* keepalive; default 15 */
	unsigned ping_timeout_sec;	      /* edge dead after this long silent; default 90 */
	unsigned restart_delay_sec;	      /* retry delay after errors; default 10 */
	int log_level;			      /* enum conf_log_level */
	struct wire_prefix subnets[CONF_MAX_SUBNETS]; /* announced behind this node */
	unsigned n_subnets;
	char user[64];		/* "" = MESHUB_DEFAULT_USER when started as root */
	char key_file[PATH_MAX]; /* "" = <state dir>/<config name>.key (MESHUB_STATEDIR: /var/lib/meshub) */
	char state_dir[PATH_MAX]; /* "" = MESHUB_STATEDIR (/var/lib/meshub); the peer cache lives in <state_dir>/<config name>/ */
	bool peer_cache;	  /* remember peers across restarts (default yes) */
	unsigned threads;	  /* crypto threads besides the main one; CONF_THREADS_AUTO: one per extra CPU */
	bool dns;		 /* answer DNS for the members' names; default yes */
	char dns_domain[DNS_DOMAIN_MAX + 1]; /* default DNS_DEFAULT_DOMAIN ("mesh") */

	/* [tun] */
	bool tap;
	char interface[64]; /* after '%%' unescaping: "tun%d" by default */
	bool has_ipv4, has_ipv6;
	struct wire_prefix ipv4, ipv6; /* own VPN address with prefix length */
	unsigned mtu;		       /* 0 = automatic */
	struct wire_prefix routes[CONF_MAX_ROUTES]; /* extra prefixes routed into the mesh */
	unsigned n_routes;

	/* [scripts]: NULL if unset; if any is set they replace netlink setup */
	char *tun_setup, *tun_setup_ipv4, *tun_setup_ipv6;

	/* [encryption] */
	bool has_psk;
	uint8_t psk[32];
	char psk_file[PATH_MAX]; /* "" = none */
	/* CA networks (all "" in PSK networks): the network's CA certificate,
	 * this node's certificate and, optionally, a revocation list. ca and
	 * cert come together; cert_load_files() (cert-file.h) reads them. */
	char ca_file[PATH_MAX];
	char cert_file[PATH_MAX];
	char crl_file[PATH_MAX];
};

struct conf_error {
	char msg[768];	   /* "FILE:LINE: [section] key: expected ..., got '...'" */
	char section[16];  /* the key at fault, "" if none is (a syntax error, a missing file) */
	char key[32];
	unsigned line;	   /* 0 if not tied to a line */
	char what[600];	   /* msg without "FILE:LINE: [section] key: " */
};

/* ------------------------------------------------------------- the schema
 * Every key of the file: what it takes, its default, whether SIGHUP can
 * apply a new value, and the sentence messages use for what is expected.
 * The NetworkManager side (properties/, nm-plugin/) checks values with
 * conf_check_value() and whole settings with conf_parse(), so a mistake is
 * worded the same by meshubd, nmcli import and the editors. */
enum conf_kind {
	CONF_KIND_TEXT,	    /* an address, a name, a path */
	CONF_KIND_NUMBER,   /* a whole number lo..hi (in decimal) */
	CONF_KIND_WORD,	    /* one of a few keywords, any case */
	CONF_KIND_BOOL,	    /* yes/no, true/false, on/off, 1/0 */
	CONF_KIND_LIST,	    /* comma-separated entries, at most hi */
	CONF_KIND_SECRET,   /* never shown in a message */
	CONF_KIND_SCRIPT,   /* shell text */
	CONF_KIND_OBSOLETE, /* accepted, no effect (a warning) */
};

#define CONF_LIVE 0x1u /* SIGHUP applies a new value without a restart */

struct conf_schema {
	const char *section, *name;
	enum conf_kind kind;
	unsigned lo, hi;      /* numbers: range; lists: the most entries; texts and paths: the longest */
	const char *expected; /* "a UDP port number of 1..65535" */
	const char *def;      /* the default as a file would say it, "" = not set */
	unsigned flags;	      /* CONF_LIVE */
};

/* The keys in the file's order of sections; NULL past the last. */
const struct conf_schema *conf_schema_at(size_t i);
const struct conf_schema *conf_schema_find(const char *section, const char *name);
/* A section the file may have (socket, hub, vpn, tun, scripts, encryption, DEFAULT). */
bool conf_section_known(const char *section);

/* Checks one value of a key as conf_parse() would (value uninterpolated:
 * '%' is a plain character here). 0, or -EINVAL with err filled (its what
 * is the sentence meshubd would write; a secret is never shown); -ENOENT
 * for an unknown key. Rules between keys need conf_parse(). */
int conf_check_value(const char *section, const char *name, const char *value, struct conf_error *err);

/* Calls fn for every key whose value differs between a and b. */
typedef void (*conf_diff_fn)(void *ctx, const struct conf_schema *key);
void conf_diff(const struct conf *a, const struct conf *b, conf_diff_fn fn, void *ctx);

/* Called for keys that are accepted but have no effect any more
 * (select_interval_sec, unencrypted_*_ports, ...), with a sentence to log. */
typedef void (*conf_warn_fn)(void *ctx, const char *msg);

/* Fills cfg with defaults, then applies text. name is what messages call
 * the file. 0 or -EINVAL with err filled. cfg must be conf_free()d. */
int conf_parse(const char *text, size_t len, const char *name, struct conf *cfg, struct conf_error *err,
		 conf_warn_fn warn, void *ctx);

/* Reads path (at most 1 MiB) and parses it; also reads psk_file if set. */
int conf_load(const char *path, struct conf *cfg, struct conf_error *err, conf_warn_fn warn, void *ctx);

/* Frees the scripts and wipes the PSK. */
void conf_free(struct conf *cfg);
