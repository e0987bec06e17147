/* nm-meshub-data.c - the vpn.data table of a meshub connection and the
 * checks of its values, shared by import/export and the editors. */
#include "config.h"

#include "nm-meshub-data.h"

#include "engine/keys.h"
#include "nm-plugin/nm-meshub-keys.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <string.h>

#define QUOTE_MAX 60

const struct nm_meshub_item nm_meshub_items[] = {
	{ NM_MESHUB_KEY_HUB, "hub", "address", "Hubs", NM_MESHUB_KIND_HUBS, 0, 8,
	  "host[:port] entries separated by commas (host = name, IPv4 or [IPv6]), at most 8" },
	{ NM_MESHUB_KEY_IPV4_ADDRESS, "tun", "ipv4_address", "IPv4 address", NM_MESHUB_KIND_CIDR4, 0, 0,
	  "a.b.c.d/len" },
	{ NM_MESHUB_KEY_IPV6_ADDRESS, "tun", "ipv6_address", "IPv6 address", NM_MESHUB_KIND_CIDR6, 0, 0,
	  "an IPv6 address/len such as fd00::1/64" },
	{ NM_MESHUB_KEY_TYPE, "tun", "type", "Mode", NM_MESHUB_KIND_TYPE, 0, 0, "tun or tap" },
	{ NM_MESHUB_KEY_ADDRESS, "socket", "address", "Listen address", NM_MESHUB_KIND_IP, 0, 0,
	  "an IPv4 or IPv6 address" },
	{ NM_MESHUB_KEY_PORT, "socket", "port", "Listen port", NM_MESHUB_KIND_UINT, 1, 65535,
	  "a port from 1 to 65535" },
	{ NM_MESHUB_KEY_LAN_ADVERT_PORTS, "socket", "lan_advert_ports", "LAN discovery ports",
	  NM_MESHUB_KIND_PORT_LIST, 1, 8, "ports (1 to 65535) separated by commas, at most 8" },
	{ NM_MESHUB_KEY_ADVERT_INTERVAL, "hub", "advert_interval_sec", "Hub advert interval",
	  NM_MESHUB_KIND_UINT, 5, 3600, "seconds from 5 to 3600" },
	{ NM_MESHUB_KEY_PING_INTERVAL, "vpn", "ping_interval_sec", "Ping interval", NM_MESHUB_KIND_UINT, 1,
	  3600, "seconds from 1 to 3600" },
	{ NM_MESHUB_KEY_PING_TIMEOUT, "vpn", "ping_timeout_sec", "Ping timeout", NM_MESHUB_KIND_UINT, 5,
	  86400, "seconds from 5 to 86400" },
	{ NM_MESHUB_KEY_INTERFACE, "tun", "interface", "Interface name", NM_MESHUB_KIND_IFNAME, 1, 15,
	  "an interface name of at most 15 characters, such as mesh%d" },
	{ NM_MESHUB_KEY_MTU, "tun", "mtu", "MTU", NM_MESHUB_KIND_MTU, 576, 65535,
	  "0 (automatic) or 576 to 65535" },
	{ NM_MESHUB_KEY_ROUTES, "tun", "routes", "Extra routes", NM_MESHUB_KIND_SUBNET_LIST, 0, 16,
	  "network/len entries with zero host bits separated by commas, at most 16" },
	{ NM_MESHUB_KEY_SUBNETS, "vpn", "subnets", "Subnets behind this node", NM_MESHUB_KIND_SUBNET_LIST, 0,
	  8, "network/len entries with zero host bits separated by commas, at most 8" },
	{ NM_MESHUB_KEY_HOSTNAME, "vpn", "hostname", "Host name", NM_MESHUB_KIND_HOSTNAME, 1, 63,
	  "1 to 63 printable characters without spaces" },
	{ NM_MESHUB_KEY_LOG_LEVEL, "vpn", "log_level", "Log level", NM_MESHUB_KIND_LOG_LEVEL, 0, 0,
	  "error, warning, info or debug" },
	{ NM_MESHUB_KEY_CA, "encryption", "ca", "CA certificate", NM_MESHUB_KIND_FILE, 0, 4095,
	  "an absolute path to the network's CA certificate (ca.crt from meshub ca init)" },
	{ NM_MESHUB_KEY_CERT, "encryption", "cert", "Certificate", NM_MESHUB_KIND_FILE, 0, 4095,
	  "an absolute path to this node's certificate (from meshub ca sign)" },
	{ NM_MESHUB_KEY_CRL, "encryption", "crl", "Revocation list", NM_MESHUB_KIND_FILE, 0, 4095,
	  "an absolute path to the CA's revocation list (revoked.crl)" },
	{ NM_MESHUB_KEY_PSK_FLAGS, NULL, NULL, "Network key storage", NM_MESHUB_KIND_FLAGS, 0, 7,
	  "secret flags from 0 to 7" },
	{ NULL },
};

static const char *const types[] = { "tun", "tap", NULL };
static const char *const log_levels[] = { "error", "warning", "info", "debug", NULL };

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

static gboolean parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	guint64 v;

	if (!*s || strlen(s) > 10 || strspn(s, "0123456789") != strlen(s))
		return FALSE;
	if (!g_ascii_string_to_unsigned(s, 10, min, max, &v, NULL))
		return FALSE;
	*out = (unsigned)v;
	return TRUE;
}

/* "addr[/len]" of the given family (AF_UNSPEC: either); host bits must be
 * zero if net is set. */
static gboolean parse_cidr(const char *s, int family, gboolean net)
{
	g_autofree char *addr = g_strdup(s);
	char *slash = strchr(addr, '/');
	guint8 bytes[16];
	unsigned len, bits;
	int af;

	if (slash)
		*slash = '\0';
	if (family != AF_INET6 && inet_pton(AF_INET, addr, bytes) == 1)
		af = AF_INET;
	else if (family != AF_INET && inet_pton(AF_INET6, addr, bytes) == 1)
		af = AF_INET6;
	else
		return FALSE;
	bits = af == AF_INET ? 32 : 128;
	len = bits;
	if (slash && !parse_uint(slash + 1, 0, bits, &len))
		return FALSE;
	if (!net)
		return TRUE;
	for (unsigned i = len; i < bits; i++)
		if (bytes[i / 8] & (0x80 >> (i % 8)))
			return FALSE;
	return TRUE;
}

/* Letters, digits, '-' and '_' in dot-separated labels of 1 to 63, as
 * meshubd accepts them; or an IPv4 address. */
static gboolean dns_name_ok(const char *s)
{
	size_t n = strlen(s);
	g_autofree char *name = NULL;
	g_auto(GStrv) labels = NULL;
	guint8 bytes[4];

	if (n && s[n - 1] == '.') /* fully qualified */
		n--;
	if (!n || n > 253)
		return FALSE;
	name = g_strndup(s, n);
	if (inet_pton(AF_INET, name, bytes) == 1)
		return TRUE;
	labels = g_strsplit(name, ".", -1);
	for (char **l = labels; *l; l++) {
		size_t len = strlen(*l);

		if (!len || len > 63 || (*l)[0] == '-' || (*l)[len - 1] == '-' ||
		    strspn(*l, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != len)
			return FALSE;
		/* a last label of digits only would read as a (bad) address */
		if (!l[1] && strspn(*l, "0123456789") == len)
			return FALSE;
	}
	return TRUE;
}

/* One "host[:port]" entry; its normal form is appended to out. */
static gboolean parse_hub(const char *s, GString *out)
{
	guint8 bytes[16];
	unsigned port;
	const char *colon;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		g_autofree char *host = end ? g_strndup(s + 1, (gsize)(end - s - 1)) : NULL;

		if (!end || inet_pton(AF_INET6, host, bytes) != 1)
			return FALSE;
		if (end[1] && (end[1] != ':' || !parse_uint(end + 2, 1, 65535, &port)))
			return FALSE;
		g_string_append(out, s);
		return TRUE;
	}
	colon = strchr(s, ':');
	if (colon && strchr(colon + 1, ':')) { /* a bare IPv6 literal */
		if (inet_pton(AF_INET6, s, bytes) != 1)
			return FALSE;
		g_string_append_printf(out, "[%s]", s);
		return TRUE;
	}
	if (colon) {
		g_autofree char *host = g_strndup(s, (gsize)(colon - s));

		if (!dns_name_ok(host) || !parse_uint(colon + 1, 1, 65535, &port))
			return FALSE;
	} else if (!dns_name_ok(s)) {
		return FALSE;
	}
	g_string_append(out, s);
	return TRUE;
}

static gboolean list_entry_ok(const struct nm_meshub_item *it, const char *s, GString *out)
{
	unsigned port;

	switch (it->kind) {
	case NM_MESHUB_KIND_HUBS:
		return parse_hub(s, out);
	case NM_MESHUB_KIND_PORT_LIST:
		if (!parse_uint(s, 1, 65535, &port))
			return FALSE;
		g_string_append_printf(out, "%u", port);
		return TRUE;
	case NM_MESHUB_KIND_SUBNET_LIST:
	case NM_MESHUB_KIND_CIDR_LIST:
		if (!parse_cidr(s, AF_UNSPEC, it->kind == NM_MESHUB_KIND_SUBNET_LIST))
			return FALSE;
		g_string_append(out, s);
		return TRUE;
	default:
		return FALSE;
	}
}

/* Comma-separated entries; blanks around them and empty entries (a trailing
 * comma) are dropped. On failure *bad is the entry at fault. */
static char *normalize_list(const struct nm_meshub_item *it, const char *value, char **bad)
{
	g_auto(GStrv) parts = g_strsplit(value, ",", -1);
	GString *out = g_string_new(NULL);
	unsigned n = 0;

	for (char **p = parts; *p; p++) {
		char *e = g_strstrip(*p);

		if (!*e)
			continue;
		if (out->len)
			g_string_append_c(out, ',');
		if (++n > it->max || strpbrk(e, " \t\r\n") || !list_entry_ok(it, e, out)) {
			*bad = g_strdup(e);
			g_string_free(out, TRUE);
			return NULL;
		}
	}
	return g_string_free(out, FALSE);
}

static char *normalize_keyword(const char *v, const char *const *words)
{
	g_autofree char *lower = g_ascii_strdown(v, -1);

	return g_strv_contains(words, lower) ? g_steal_pointer(&lower) : NULL;
}

static gboolean ifname_ok(const char *v)
{
	size_t n = strlen(v);
	const char *pct = strchr(v, '%');

	if (!n || n > 15 || !strcmp(v, ".") || !strcmp(v, ".."))
		return FALSE;
	for (const char *p = v; *p; p++)
		if (!g_ascii_isgraph(*p) || *p == '/' || *p == ':')
			return FALSE;
	return !pct || (pct[1] == 'd' && !strchr(pct + 1, '%'));
}

/* As meshubd takes paths: absolute, printable (spaces allowed), not too long. */
static gboolean path_ok(const char *v, unsigned max)
{
	if (v[0] != '/' || strlen(v) > max)
		return FALSE;
	for (const char *p = v; *p; p++)
		if (!g_ascii_isprint(*p))
			return FALSE;
	return TRUE;
}

static char *normalize_scalar(const struct nm_meshub_item *it, const char *v)
{
	guint8 bytes[16];
	unsigned u;

	switch (it->kind) {
	case NM_MESHUB_KIND_CIDR4:
	case NM_MESHUB_KIND_CIDR6:
		return parse_cidr(v, it->kind == NM_MESHUB_KIND_CIDR4 ? AF_INET : AF_INET6, FALSE)
			       ? g_strdup(v)
			       : NULL;
	case NM_MESHUB_KIND_TYPE:
		return normalize_keyword(v, types);
	case NM_MESHUB_KIND_LOG_LEVEL:
		return normalize_keyword(v, log_levels);
	case NM_MESHUB_KIND_IFNAME:
		return ifname_ok(v) ? g_strdup(v) : NULL;
	case NM_MESHUB_KIND_UINT:
	case NM_MESHUB_KIND_FLAGS:
		return parse_uint(v, it->min, it->max, &u) ? g_strdup_printf("%u", u) : NULL;
	case NM_MESHUB_KIND_MTU:
		if (parse_uint(v, 0, it->max, &u) && (u == 0 || u >= it->min))
			return g_strdup_printf("%u", u);
		return NULL;
	case NM_MESHUB_KIND_IP:
		return inet_pton(AF_INET, v, bytes) == 1 || inet_pton(AF_INET6, v, bytes) == 1 ? g_strdup(v)
											       : NULL;
	case NM_MESHUB_KIND_HOSTNAME:
		if (strlen(v) > it->max)
			return NULL;
		for (const char *p = v; *p; p++)
			if (!g_ascii_isgraph(*p))
				return NULL;
		return g_strdup(v);
	case NM_MESHUB_KIND_FILE:
		return path_ok(v, it->max) ? g_strdup(v) : NULL;
	default:
		return NULL;
	}
}

char *nm_meshub_data_normalize(const struct nm_meshub_item *it, const char *value, GError **error)
{
	g_autofree char *v = g_strstrip(g_strdup(value ? value : ""));
	g_autofree char *bad = NULL;
	g_autofree char *q = NULL;
	char *out;

	switch (it->kind) {
	case NM_MESHUB_KIND_HUBS:
	case NM_MESHUB_KIND_PORT_LIST:
	case NM_MESHUB_KIND_CIDR_LIST:
	case NM_MESHUB_KIND_SUBNET_LIST:
		out = normalize_list(it, v, &bad);
		break;
	default:
		out = *v ? normalize_scalar(it, v) : g_strdup("");
		break;
	}
	if (out)
		return out;
	q = nm_meshub_data_quote(bad ? bad : v);
	g_set_error(error, NM_CONNECTION_ERROR, NM_CONNECTION_ERROR_INVALID_PROPERTY, "expected %s, got '%s'",
		    it->expected, q);
	return NULL;
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

static gboolean fail(const struct nm_meshub_item **bad, const char *key, GError **error, const char *msg)
{
	if (bad)
		*bad = nm_meshub_data_find(key);
	g_set_error_literal(error, NM_CONNECTION_ERROR, NM_CONNECTION_ERROR_INVALID_PROPERTY, msg);
	return FALSE;
}

static unsigned uint_or(NMSettingVpn *s_vpn, const char *key, unsigned def)
{
	const char *v = nm_setting_vpn_get_data_item(s_vpn, key);
	unsigned u;

	return v && parse_uint(v, 0, G_MAXUINT32, &u) ? u : def;
}

static gboolean has(NMSettingVpn *s_vpn, const char *key)
{
	const char *v = nm_setting_vpn_get_data_item(s_vpn, key);

	return v && *v;
}

/* A CA network needs its CA certificate and this node's certificate; a
 * revocation list means nothing without them (as meshubd says). */
static gboolean check_ca(NMSettingVpn *s_vpn, const struct nm_meshub_item **bad, GError **error)
{
	gboolean ca = has(s_vpn, NM_MESHUB_KEY_CA), cert = has(s_vpn, NM_MESHUB_KEY_CERT);

	if (cert && !ca)
		return fail(bad, NM_MESHUB_KEY_CERT, error,
			    "needs the network's CA certificate as well (ca.crt from meshub ca init)");
	if (ca && !cert)
		return fail(bad, NM_MESHUB_KEY_CA, error,
			    "needs this node's certificate as well (made with: meshub ca sign)");
	if (has(s_vpn, NM_MESHUB_KEY_CRL) && !ca)
		return fail(bad, NM_MESHUB_KEY_CRL, error,
			    "is for CA networks: set the CA certificate and this node's certificate as well");
	return TRUE;
}

/* The rules between keys, as meshubd applies them. */
static gboolean check_cross(NMSettingVpn *s_vpn, const struct nm_meshub_item **bad, GError **error)
{
	const char *type = nm_setting_vpn_get_data_item(s_vpn, NM_MESHUB_KEY_TYPE);
	gboolean has4 = nm_setting_vpn_get_data_item(s_vpn, NM_MESHUB_KEY_IPV4_ADDRESS) != NULL;
	gboolean has6 = nm_setting_vpn_get_data_item(s_vpn, NM_MESHUB_KEY_IPV6_ADDRESS) != NULL;
	unsigned mtu = uint_or(s_vpn, NM_MESHUB_KEY_MTU, 0);
	unsigned interval = uint_or(s_vpn, NM_MESHUB_KEY_PING_INTERVAL, NM_MESHUB_DEFAULT_PING_INTERVAL);
	unsigned timeout = uint_or(s_vpn, NM_MESHUB_KEY_PING_TIMEOUT, NM_MESHUB_DEFAULT_PING_TIMEOUT);
	g_autofree char *msg = NULL;

	if (!has4 && !has6 && g_ascii_strcasecmp(type ? type : "tun", "tap"))
		return fail(bad, NM_MESHUB_KEY_IPV4_ADDRESS, error,
			    "TUN mode needs an IPv4 or an IPv6 address; expected a.b.c.d/len");
	if (has6 && mtu && mtu < 1280)
		return fail(bad, NM_MESHUB_KEY_MTU, error, "IPv6 in the mesh needs an MTU of at least 1280");
	if (timeout <= interval) {
		msg = g_strdup_printf("must be longer than the ping interval (%u s), got %u s", interval,
				      timeout);
		return fail(bad, NM_MESHUB_KEY_PING_TIMEOUT, error, msg);
	}
	return check_ca(s_vpn, bad, error);
}

gboolean nm_meshub_data_check_setting(NMSettingVpn *s_vpn, const struct nm_meshub_item **bad, GError **error)
{
	for (const struct nm_meshub_item *it = nm_meshub_items; it->key; it++) {
		const char *v = nm_setting_vpn_get_data_item(s_vpn, it->key);
		g_autofree char *norm = NULL;

		if (!v)
			continue;
		norm = nm_meshub_data_normalize(it, v, error);
		if (!norm) {
			if (bad)
				*bad = it;
			return FALSE;
		}
	}
	return check_cross(s_vpn, bad, error);
}

gboolean nm_meshub_data_check_psk(const char *psk, GError **error)
{
	guint8 key[KEYS_PSK_LEN];
	int r = keys_parse_psk(psk, key);

	sodium_memzero(key, sizeof(key));
	if (r < 0) {
		g_set_error_literal(error, NM_CONNECTION_ERROR, NM_CONNECTION_ERROR_INVALID_PROPERTY,
				    "expected 32 random bytes in base64 (make one with \"meshub genkey\")");
		return FALSE;
	}
	return TRUE;
}
