/* nm-meshub-data.c - the vpn.data table of a meshub connection; every check
 * of a value is the engine's (conf_check_value, conf_parse). */
#include "config.h"

#include "nm-meshub-data.h"

#include "engine/ini.h"
#include "nm-plugin/nm-meshub-keys.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

#define QUOTE_MAX 60
#define FLAGS_MAX 7 /* NMSettingSecretFlags */

const struct nm_meshub_item nm_meshub_items[] = {
	{ NM_MESHUB_KEY_HUB, "hub", "address", "Hubs" },
	{ NM_MESHUB_KEY_IPV4_ADDRESS, "tun", "ipv4_address", "IPv4 address" },
	{ NM_MESHUB_KEY_IPV6_ADDRESS, "tun", "ipv6_address", "IPv6 address" },
	{ NM_MESHUB_KEY_TYPE, "tun", "type", "Mode" },
	{ NM_MESHUB_KEY_ADDRESS, "socket", "address", "Listen address" },
	{ NM_MESHUB_KEY_PORT, "socket", "port", "Listen port" },
	{ NM_MESHUB_KEY_LAN_ADVERT_PORTS, "socket", "lan_advert_ports", "LAN discovery ports" },
	{ NM_MESHUB_KEY_PORT_MAPPING, "socket", "port_mapping", "Port mapping on the router" },
	{ NM_MESHUB_KEY_PORT_PREDICTION, "socket", "port_prediction", "Port prediction" },
	{ NM_MESHUB_KEY_ADVERT_INTERVAL, "hub", "advert_interval_sec", "Hub advert interval" },
	{ NM_MESHUB_KEY_PING_INTERVAL, "vpn", "ping_interval_sec", "Ping interval" },
	{ NM_MESHUB_KEY_PING_TIMEOUT, "vpn", "ping_timeout_sec", "Ping timeout" },
	{ NM_MESHUB_KEY_INTERFACE, "tun", "interface", "Interface name" },
	{ NM_MESHUB_KEY_MTU, "tun", "mtu", "MTU" },
	{ NM_MESHUB_KEY_ROUTES, "tun", "routes", "Extra routes" },
	{ NM_MESHUB_KEY_SUBNETS, "vpn", "subnets", "Subnets behind this node" },
	{ NM_MESHUB_KEY_HOSTNAME, "vpn", "hostname", "Host name" },
	{ NM_MESHUB_KEY_LOG_LEVEL, "vpn", "log_level", "Log level" },
	{ NM_MESHUB_KEY_DNS, "vpn", "dns", "Answer DNS for members' names" },
	{ NM_MESHUB_KEY_DNS_DOMAIN, "vpn", "dns_domain", "DNS domain" },
	{ NM_MESHUB_KEY_CA, "encryption", "ca", "CA certificate" },
	{ NM_MESHUB_KEY_CERT, "encryption", "cert", "Certificate" },
	{ NM_MESHUB_KEY_CRL, "encryption", "crl", "Revocation list" },
	{ NM_MESHUB_KEY_PSK_FLAGS, NULL, NULL, "Network key storage" },
	{ NULL },
};

/* the sections of the file the service writes, in order */
static const char *const ini_sections[] = { "socket", "hub", "vpn", "tun", "encryption", NULL };

const struct nm_meshub_item *nm_meshub_data_find(const char *key)
{
	for (const struct nm_meshub_item *it = nm_meshub_items; it->key; it++)
		if (!g_strcmp0(it->key, key))
			return it;
	return NULL;
}

const struct nm_meshub_item *nm_meshub_data_find_file(const char *section, const char *file_key)
{
	for (const struct nm_meshub_item *it = nm_meshub_items; it->key; it++)
		if (it->section && !g_strcmp0(it->section, section) && !g_strcmp0(it->file_key, file_key))
			return it;
	return NULL;
}

const struct conf_schema *nm_meshub_data_schema(const struct nm_meshub_item *item)
{
	return item->section ? conf_schema_find(item->section, item->file_key) : NULL;
}

const struct nm_meshub_item *nm_meshub_data_item_of(const struct conf_error *err)
{
	return err->key[0] ? nm_meshub_data_find_file(err->section, err->key) : NULL;
}

char *nm_meshub_data_quote(const char *value)
{
	GString *s = g_string_new(NULL);

	for (const char *p = value ? value : ""; *p; p++) {
		if (s->len >= QUOTE_MAX) {
			g_string_append(s, "...");
			break;
		}
		if (g_ascii_isprint(*p))
			g_string_append_c(s, *p);
		else
			g_string_append_printf(s, "\\x%02x", (unsigned char)*p);
	}
	return g_string_free(s, FALSE);
}

static void set_error(GError **error, const char *msg)
{
	g_set_error_literal(error, NM_CONNECTION_ERROR, NM_CONNECTION_ERROR_INVALID_PROPERTY, msg);
}

/* Comma-separated entries without blanks or empty ones; a bare IPv6 hub
 * gets its brackets, so that a port can follow it. */
static char *normal_list(const struct nm_meshub_item *it, const char *v)
{
	g_auto(GStrv) parts = g_strsplit(v, ",", -1);
	GString *out = g_string_new(NULL);
	gboolean hubs = !g_strcmp0(it->key, NM_MESHUB_KEY_HUB);

	for (char **p = parts; *p; p++) {
		const char *e = g_strstrip(*p);
		const char *colon = strchr(e, ':');

		if (!*e)
			continue;
		if (out->len)
			g_string_append_c(out, ',');
		if (hubs && e[0] != '[' && colon && strchr(colon + 1, ':'))
			g_string_append_printf(out, "[%s]", e);
		else
			g_string_append(out, e);
	}
	return g_string_free(out, FALSE);
}

/* The form the value is stored in, once the engine has accepted it. */
static char *normal_form(const struct nm_meshub_item *it, const struct conf_schema *k, const char *v)
{
	switch (k->kind) {
	case CONF_KIND_LIST:
		return normal_list(it, v);
	case CONF_KIND_NUMBER:
		return g_strdup_printf("%" G_GUINT64_FORMAT, g_ascii_strtoull(v, NULL, 10));
	case CONF_KIND_BOOL: /* the engine took it: one of its yes or no words */
		return g_strdup(!g_ascii_strcasecmp(v, "yes") || !g_ascii_strcasecmp(v, "true") ||
					!g_ascii_strcasecmp(v, "on") || !strcmp(v, "1")
				? "yes"
				: "no");
	case CONF_KIND_WORD:
		return g_ascii_strdown(v, -1);
	default:
		return g_strdup(v);
	}
}

static char *normalize_flags(const char *v, GError **error)
{
	guint64 u;
	g_autofree char *q = NULL;

	if (strspn(v, "0123456789") == strlen(v) && strlen(v) <= 2 &&
	    g_ascii_string_to_unsigned(v, 10, 0, FLAGS_MAX, &u, NULL))
		return g_strdup_printf("%u", (unsigned)u);
	q = nm_meshub_data_quote(v);
	g_set_error(error, NM_CONNECTION_ERROR, NM_CONNECTION_ERROR_INVALID_PROPERTY,
		    "not secret flags; expected a number of 0..%d, got '%s'", FLAGS_MAX, q);
	return NULL;
}

char *nm_meshub_data_normalize(const struct nm_meshub_item *it, const char *value, GError **error)
{
	g_autofree char *v = g_strstrip(g_strdup(value ? value : ""));
	const struct conf_schema *k = nm_meshub_data_schema(it);
	struct conf_error err;

	if (!*v)
		return g_strdup("");
	if (!k)
		return normalize_flags(v, error);
	/* NetworkManager names Linux interfaces: a device path is for macOS */
	if (!g_strcmp0(it->key, NM_MESHUB_KEY_INTERFACE) && v[0] == '/') {
		g_autofree char *q = nm_meshub_data_quote(v);

		g_set_error(error, NM_CONNECTION_ERROR, NM_CONNECTION_ERROR_INVALID_PROPERTY,
			    "a device path such as /dev/tun8 is for macOS, where NetworkManager does not run; expected "
			    "an interface name of up to 15 characters such as mesh%%d, got '%s'", q);
		return NULL;
	}
	if (conf_check_value(it->section, it->file_key, v, &err) < 0) {
		set_error(error, err.what);
		return NULL;
	}
	return normal_form(it, k, v);
}

char *nm_meshub_data_hubs_with_port(const char *hubs, unsigned port)
{
	g_auto(GStrv) parts = g_strsplit(hubs, ",", -1);
	GString *out = g_string_new(NULL);

	for (char **p = parts; *p; p++) {
		const char *e = *p;
		const char *end = e[0] == '[' ? strchr(e, ']') : e;

		if (out->len)
			g_string_append_c(out, ',');
		g_string_append(out, e);
		if (end && !strchr(end, ':'))
			g_string_append_printf(out, ":%u", port);
	}
	return g_string_free(out, FALSE);
}

static gboolean add_section(GString *ini, NMSettingVpn *s_vpn, const char *section, GError **error)
{
	for (const struct nm_meshub_item *it = nm_meshub_items; it->key; it++) {
		const char *v = nm_setting_vpn_get_data_item(s_vpn, it->key);
		g_autofree char *norm = NULL;
		g_autofree char *esc = NULL;

		if (!v || g_strcmp0(it->section, section))
			continue;
		norm = nm_meshub_data_normalize(it, v, error);
		if (!norm)
			return FALSE;
		if (!*norm)
			continue;
		if (strpbrk(norm, "\r\n")) { /* the engine's checks refuse these: never a second line */
			set_error(error, "a line break in the value");
			return FALSE;
		}
		esc = ini_escape(norm);
		g_string_append_printf(ini, "%s = %s\n", it->file_key, esc);
	}
	return TRUE;
}

char *nm_meshub_data_to_ini(NMSettingVpn *s_vpn, nm_meshub_data_extra_fn extra, gpointer data, GError **error)
{
	g_autoptr(GString) ini = g_string_new("# written by nm-meshub-service; the key comes over a pipe\n");

	for (const char *const *s = ini_sections; *s; s++) {
		g_string_append_printf(ini, "\n[%s]\n", *s);
		if (!add_section(ini, s_vpn, *s, error) || (extra && !extra(*s, ini, data, error)))
			return NULL;
	}
	return g_string_free(g_steal_pointer(&ini), FALSE);
}

static gboolean fail_item(const struct nm_meshub_item **bad, const struct nm_meshub_item *it, GError **error,
			  const char *msg)
{
	if (bad)
		*bad = it;
	set_error(error, msg);
	return FALSE;
}

gboolean nm_meshub_data_check_setting(NMSettingVpn *s_vpn, const struct nm_meshub_item **bad, GError **error)
{
	g_autofree char *ini = NULL;
	struct conf_error err;
	struct conf cfg;

	for (const struct nm_meshub_item *it = nm_meshub_items; it->key; it++) {
		const char *v = nm_setting_vpn_get_data_item(s_vpn, it->key);
		g_autoptr(GError) local = NULL;
		g_autofree char *norm = v ? nm_meshub_data_normalize(it, v, &local) : NULL;

		if (v && !norm)
			return fail_item(bad, it, error, local->message);
	}
	/* every value is fine: the rules between keys, as meshubd applies them */
	ini = nm_meshub_data_to_ini(s_vpn, NULL, NULL, NULL);
	if (!ini)
		return fail_item(bad, NULL, error, "cannot write the configuration file");
	if (conf_parse(ini, strlen(ini), "vpn.data", &cfg, &err, NULL, NULL) == 0) {
		conf_free(&cfg);
		return TRUE;
	}
	return fail_item(bad, nm_meshub_data_item_of(&err), error, err.what);
}

gboolean nm_meshub_data_check_psk(const char *psk, GError **error)
{
	g_autofree char *v = g_strstrip(g_strdup(psk ? psk : ""));
	struct conf_error err;
	int r = *v ? conf_check_value("encryption", "psk", v, &err) : -ENOENT;

	sodium_memzero(v, strlen(v));
	if (r == 0)
		return TRUE;
	set_error(error, r == -ENOENT ? "no key; expected 32 bytes in base64 (make one with: meshub genkey)" : err.what);
	return FALSE;
}
