/* nm-meshub-data.h - what each vpn.data key of a meshub connection means:
 * where it lives in the engine's configuration file, how the editors call it
 * and which values it takes. Import, export and both editors check values
 * against this one table. GTK-free. */
#pragma once

#include <NetworkManager.h>

#define NM_MESHUB_DEFAULT_HUB_PORT 3731u
#define NM_MESHUB_DEFAULT_PING_INTERVAL 15u
#define NM_MESHUB_DEFAULT_PING_TIMEOUT 90u

enum nm_meshub_kind {
	NM_MESHUB_KIND_HUBS,	    /* host[:port], comma-separated */
	NM_MESHUB_KIND_CIDR4,	    /* a.b.c.d[/len] */
	NM_MESHUB_KIND_CIDR6,	    /* x::y[/len] */
	NM_MESHUB_KIND_CIDR_LIST,   /* CIDRs of either family, comma-separated */
	NM_MESHUB_KIND_SUBNET_LIST, /* like CIDR_LIST, host bits zero */
	NM_MESHUB_KIND_TYPE,	    /* tun | tap */
	NM_MESHUB_KIND_LOG_LEVEL,   /* error | warning | info | debug */
	NM_MESHUB_KIND_IFNAME,	    /* Linux interface name, "%d" allowed */
	NM_MESHUB_KIND_UINT,	    /* min..max */
	NM_MESHUB_KIND_MTU,	    /* 0 or min..max */
	NM_MESHUB_KIND_PORT_LIST,   /* ports, comma-separated */
	NM_MESHUB_KIND_IP,	    /* IPv4 or IPv6 literal */
	NM_MESHUB_KIND_HOSTNAME,    /* printable ASCII without spaces */
	NM_MESHUB_KIND_FLAGS,	    /* NMSettingSecretFlags */
	NM_MESHUB_KIND_FILE,	    /* an absolute path, printable, at most max characters */
};

struct nm_meshub_item {
	const char *key;      /* vpn.data key (nm-meshub-keys.h) */
	const char *section;  /* config file section, NULL if not in the file */
	const char *file_key; /* config file key */
	const char *label;    /* what the editor calls it */
	enum nm_meshub_kind kind;
	unsigned min, max;    /* value range, or max list length */
	const char *expected; /* for messages: "expected ..." */
};

/* The table, in the order the editor shows the fields; NULL-key terminated. */
extern const struct nm_meshub_item nm_meshub_items[];

const struct nm_meshub_item *nm_meshub_data_find(const char *key);
const struct nm_meshub_item *nm_meshub_data_find_file(const char *section, const char *file_key);

/* Checks value and returns its normal form (lists without blanks or empty
 * entries, canonical numbers, lower-case keywords; "" = the engine default,
 * i.e. leave the key out). NULL with error "expected ..., got '...'". */
char *nm_meshub_data_normalize(const struct nm_meshub_item *item, const char *value, GError **error);

/* Appends ":port" to every hub entry that has no port. */
char *nm_meshub_data_hubs_with_port(const char *hubs, unsigned port);

/* Checks every known key of s_vpn and the rules between keys (TUN needs an
 * address, MTU >= 1280 with IPv6, ping timeout > ping interval, a CA
 * network's ca and cert come together and crl needs them). On failure
 * *bad (if not NULL) is the offending item and the message does not name it,
 * so callers can prefix the field label or the file position. Unknown keys
 * are left alone. */
gboolean nm_meshub_data_check_setting(NMSettingVpn *s_vpn, const struct nm_meshub_item **bad, GError **error);

/* Checks a network key without ever putting it into the message. */
gboolean nm_meshub_data_check_psk(const char *psk, GError **error);

/* "got '...'" text for messages: truncated, non-printables escaped. */
char *nm_meshub_data_quote(const char *value);
