/* nm-meshub-config.h - what the NetworkManager service makes of one meshub
 * connection: every vpn.data key and the network key checked, meshubd's
 * configuration file, the IP configuration NetworkManager applies and the
 * host that stands for the external gateway. Pure: no I/O. */
#pragma once

#include <NetworkManager.h>

/* Where the service keeps its files (see nm-plugin/README). */
typedef struct {
	const char *run_dir;   /* the engine's configuration files and control sockets */
	const char *state_dir; /* the nodes' static keys */
} NMMeshubPaths;

typedef struct {
	char *uuid;	    /* the connection's, names the files */
	char *name;	    /* the connection's id (printable), for meshub status */
	char *conf_path;  /* RUN_DIR/UUID.conf */
	char *control_path; /* RUN_DIR/UUID.sock: meshubd's control socket */
	char *name_path;    /* RUN_DIR/UUID.name: the connection's name, one line */
	char *ini;	    /* meshubd's configuration file (no key in it) */
	char *psk;	    /* the network key, checked; wiped when freed */
	char *gateway_host; /* the first hub's host (name or address), NULL without hubs */
	char *listen_address; /* [socket] address if it is not a wildcard, else NULL */
	gboolean has_ip4, has_ip6;
	GVariant *ip4, *ip6;	  /* NM_VPN_PLUGIN_IP4/IP6_CONFIG_* dictionaries, NULL if unset */
	gboolean log_level_set; /* vpn.data sets log-level */
} NMMeshubConfig;

/* Checks the connection (unknown keys, every value, the rules between keys,
 * the network key) and builds the configuration. Errors are
 * NM_VPN_PLUGIN_ERROR_BAD_ARGUMENTS and name the offending vpn.data key;
 * they never show the network key. */
NMMeshubConfig *nm_meshub_config_new(NMConnection *connection, const NMMeshubPaths *paths, GError **error);
void nm_meshub_config_free(NMMeshubConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NMMeshubConfig, nm_meshub_config_free)

/* Whether NetworkManager must get the network key from an agent first:
 * it is missing and psk-flags does not say NOT_REQUIRED. */
gboolean nm_meshub_config_needs_psk(NMSettingVpn *s_vpn);

/* The host of one "host[:port]" / "[v6]:port" / bare IPv6 hub entry. */
char *nm_meshub_config_hub_host(const char *entry);
