/* nm-meshub-config.c - from a meshub connection to meshubd's configuration
 * file and NetworkManager's IP configuration. The vpn.data table and its
 * checks are the editors' (properties/nm-meshub-data.c); the file written
 * here is then read back with meshubd's own parser, so whatever the engine
 * would refuse fails the connection here, naming the vpn.data key. */
#include "config.h"

#include "nm-meshub-config.h"

#include "engine/conf.h"
#include "engine/ini.h"
#include "nm-plugin/nm-meshub-keys.h"
#include "properties/nm-meshub-data.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <string.h>

#define CONF_NAME "vpn.data" /* what the engine's messages call the file */

static const char *const sections[] = { "socket", "hub", "vpn", "tun", "encryption", NULL };

static gboolean bad(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean bad(GError **error, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_BAD_ARGUMENTS, msg);
	return FALSE;
}

void nm_meshub_config_free(NMMeshubConfig *config)
{
	if (!config)
		return;
	if (config->psk)
		sodium_memzero(config->psk, strlen(config->psk));
	g_free(config->psk);
	g_free(config->uuid);
	g_free(config->conf_path);
	g_free(config->ini);
	g_free(config->gateway_host);
	g_free(config->listen_address);
	g_clear_pointer(&config->ip4, g_variant_unref);
	g_clear_pointer(&config->ip6, g_variant_unref);
	g_free(config);
}

gboolean nm_meshub_config_needs_psk(NMSettingVpn *s_vpn)
{
	NMSettingSecretFlags flags = NM_SETTING_SECRET_FLAG_NONE;
	const char *psk = nm_setting_vpn_get_secret(s_vpn, NM_MESHUB_KEY_PSK);

	nm_setting_get_secret_flags(NM_SETTING(s_vpn), NM_MESHUB_KEY_PSK, &flags, NULL);
	if (flags & NM_SETTING_SECRET_FLAG_NOT_REQUIRED)
		return FALSE;
	return !psk || !*psk;
}

char *nm_meshub_config_hub_host(const char *entry)
{
	const char *end;

	if (entry[0] == '[') {
		end = strchr(entry, ']');
		return end ? g_strndup(entry + 1, (gsize)(end - entry - 1)) : NULL;
	}
	end = strchr(entry, ':');
	if (end && strchr(end + 1, ':')) /* a bare IPv6 address */
		return g_strdup(entry);
	return end ? g_strndup(entry, (gsize)(end - entry)) : g_strdup(entry);
}

/* The UUID names files: only what nm_utils_is_uuid() allows. */
static gboolean check_uuid(const char *uuid, GError **error)
{
	if (!uuid || !*uuid || strlen(uuid) > 64 || strspn(uuid, "0123456789abcdefABCDEF-") != strlen(uuid))
		return bad(error, "the connection has no usable UUID");
	return TRUE;
}

static gboolean check_keys(NMSettingVpn *s_vpn, GError **error)
{
	g_autofree const char **keys = nm_setting_vpn_get_data_keys(s_vpn, NULL);
	g_autoptr(GString) known = g_string_new(NULL);

	for (const char **k = keys; k && *k; k++) {
		g_autofree char *q = NULL;

		if (nm_meshub_data_find(*k))
			continue;
		for (const struct nm_meshub_item *it = nm_meshub_items; it->key; it++)
			g_string_append_printf(known, "%s%s", known->len ? ", " : "", it->key);
		q = nm_meshub_data_quote(*k);
		return bad(error, "unknown vpn.data key '%s'; known keys: %s", q, known->str);
	}
	return TRUE;
}

static gboolean check_values(NMSettingVpn *s_vpn, GError **error)
{
	const struct nm_meshub_item *item = NULL;
	g_autoptr(GError) local = NULL;

	if (nm_meshub_data_check_setting(s_vpn, &item, &local))
		return TRUE;
	return bad(error, "invalid vpn.data %s: %s", item ? item->key : "?", local->message);
}

static gboolean take_psk(NMMeshubConfig *config, NMSettingVpn *s_vpn, GError **error)
{
	const char *psk = nm_setting_vpn_get_secret(s_vpn, NM_MESHUB_KEY_PSK);
	g_autoptr(GError) local = NULL;

	if (!psk || !*psk)
		return bad(error, "the network key (vpn.secrets %s) is missing", NM_MESHUB_KEY_PSK);
	config->psk = g_strstrip(g_strdup(psk));
	if (!nm_meshub_data_check_psk(config->psk, &local))
		return bad(error, "invalid vpn.secrets %s: %s", NM_MESHUB_KEY_PSK, local->message);
	return TRUE;
}

/* The checked value of a key in its normal form; NULL if unset or empty. */
static char *value_of(NMSettingVpn *s_vpn, const struct nm_meshub_item *item)
{
	const char *v = nm_setting_vpn_get_data_item(s_vpn, item->key);
	char *norm = v ? nm_meshub_data_normalize(item, v, NULL) : NULL;

	if (norm && !*norm)
		g_clear_pointer(&norm, g_free);
	return norm;
}

static gboolean add_line(GString *ini, const char *key, const char *value, GError **error)
{
	g_autofree char *escaped = NULL;

	if (strpbrk(value, "\r\n"))
		return bad(error, "invalid %s: a line break in '%s'", key, value);
	escaped = ini_escape(value);
	g_string_append_printf(ini, "%s = %s\n", key, escaped);
	return TRUE;
}

/* Lines the service adds: its own control socket, node key and state directory. */
static gboolean add_own_lines(NMMeshubConfig *config, const NMMeshubPaths *paths, const char *section,
			      GString *ini, GError **error)
{
	g_autofree char *control = NULL;
	g_autofree char *key_file = NULL;
	g_autofree char *name = NULL;

	if (!strcmp(section, "socket")) {
		name = g_strdup_printf("%s.sock", config->uuid);
		control = g_build_filename(paths->run_dir, name, NULL);
		return add_line(ini, "control", control, error);
	}
	if (!strcmp(section, "vpn")) {
		name = g_strdup_printf("nm-%s.key", config->uuid);
		key_file = g_build_filename(paths->state_dir, name, NULL);
		/* the peer cache and a CA network's newest revocation list go
		 * to STATE_DIR/UUID/, beside the key */
		return add_line(ini, "key_file", key_file, error) && add_line(ini, "state_dir", paths->state_dir, error);
	}
	return TRUE;
}

static gboolean build_ini(NMMeshubConfig *config, NMSettingVpn *s_vpn, const NMMeshubPaths *paths,
			  GError **error)
{
	g_autoptr(GString) ini = g_string_new("# written by nm-meshub-service; the key comes over a pipe\n");

	for (const char *const *s = sections; *s; s++) {
		g_string_append_printf(ini, "\n[%s]\n", *s);
		for (const struct nm_meshub_item *it = nm_meshub_items; it->key; it++) {
			g_autofree char *v = NULL;

			if (g_strcmp0(it->section, *s) || !(v = value_of(s_vpn, it)))
				continue;
			if (!add_line(ini, it->file_key, v, error))
				return FALSE;
		}
		if (!add_own_lines(config, paths, *s, ini, error))
			return FALSE;
	}
	config->ini = g_string_free(g_steal_pointer(&ini), FALSE);
	return TRUE;
}

/* meshubd's message "vpn.data:LINE: [section] key: what" in vpn.data terms. */
static gboolean engine_refuses(const char *msg, GError **error)
{
	const char *open = strchr(msg, '['), *close = open ? strchr(open, ']') : NULL;
	const char *colon = close ? strchr(close, ':') : NULL;
	const struct nm_meshub_item *item = NULL;

	if (colon && close[1] == ' ') {
		g_autofree char *section = g_strndup(open + 1, (gsize)(close - open - 1));
		g_autofree char *key = g_strndup(close + 2, (gsize)(colon - close - 2));

		item = nm_meshub_data_find_file(section, key);
	}
	if (item)
		return bad(error, "invalid vpn.data %s: %s", item->key, colon + 2);
	return bad(error, "meshubd refuses the configuration made from vpn.data: %s", msg);
}

static gboolean engine_accepts(const char *ini, GError **error)
{
	struct conf cfg;
	struct conf_error err = { .msg = "" };
	int r = conf_parse(ini, strlen(ini), CONF_NAME, &cfg, &err, NULL, NULL);

	if (r < 0)
		return engine_refuses(err.msg, error);
	conf_free(&cfg);
	return TRUE;
}

/* "addr[/len]" of family; the length defaults to the full address. */
static gboolean parse_prefix(const char *s, int family, guint8 addr[16], guint *len)
{
	g_auto(GStrv) parts = g_strsplit(s, "/", 2);
	guint64 v = family == AF_INET ? 32 : 128;

	if (inet_pton(family, parts[0], addr) != 1)
		return FALSE;
	if (parts[1] && !g_ascii_string_to_unsigned(parts[1], 10, 0, v, &v, NULL))
		return FALSE;
	*len = (guint)v;
	return TRUE;
}

/* The routes of one family; a route without an address of its family is
 * an error, as NetworkManager would not install it. */
static gboolean add_routes(GVariantBuilder *b, NMSettingVpn *s_vpn, int family, GError **error)
{
	g_autofree char *routes = value_of(s_vpn, nm_meshub_data_find(NM_MESHUB_KEY_ROUTES));
	g_auto(GStrv) entries = g_strsplit(routes ? routes : "", ",", -1);
	g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func((GDestroyNotify)nm_ip_route_unref);

	for (char **e = entries; *e && **e; e++) {
		g_auto(GStrv) p = g_strsplit(*e, "/", 2);
		int af = strchr(p[0], ':') ? AF_INET6 : AF_INET;
		guint8 addr[16];
		guint len;
		NMIPRoute *r;

		if (af != family)
			continue;
		if (!parse_prefix(*e, af, addr, &len) || !(r = nm_ip_route_new(af, p[0], len, NULL, -1, NULL)))
			return bad(error, "invalid vpn.data %s: cannot use '%s'", NM_MESHUB_KEY_ROUTES, *e);
		g_ptr_array_add(list, r);
	}
	if (list->len && family == AF_INET)
		g_variant_builder_add(b, "{sv}", NM_VPN_PLUGIN_IP4_CONFIG_ROUTES,
				      nm_utils_ip4_routes_to_variant(list));
	else if (list->len)
		g_variant_builder_add(b, "{sv}", NM_VPN_PLUGIN_IP6_CONFIG_ROUTES,
				      nm_utils_ip6_routes_to_variant(list));
	return TRUE;
}

static gboolean has_routes(NMSettingVpn *s_vpn, int family)
{
	g_autofree char *routes = value_of(s_vpn, nm_meshub_data_find(NM_MESHUB_KEY_ROUTES));
	g_auto(GStrv) entries = g_strsplit(routes ? routes : "", ",", -1);

	for (char **e = entries; *e && **e; e++)
		if ((strchr(*e, ':') != NULL) == (family == AF_INET6))
			return TRUE;
	return FALSE;
}

/* What differs between the two families' IP configurations. */
struct family {
	int af;
	char digit;
	const char *data_key; /* vpn.data */
	const char *address, *prefix, *never_default; /* NetworkManager's keys */
};

static const struct family families[] = {
	{ AF_INET, '4', NM_MESHUB_KEY_IPV4_ADDRESS, NM_VPN_PLUGIN_IP4_CONFIG_ADDRESS,
	  NM_VPN_PLUGIN_IP4_CONFIG_PREFIX, NM_VPN_PLUGIN_IP4_CONFIG_NEVER_DEFAULT },
	{ AF_INET6, '6', NM_MESHUB_KEY_IPV6_ADDRESS, NM_VPN_PLUGIN_IP6_CONFIG_ADDRESS,
	  NM_VPN_PLUGIN_IP6_CONFIG_PREFIX, NM_VPN_PLUGIN_IP6_CONFIG_NEVER_DEFAULT },
};

static GVariant *address_variant(int af, const guint8 *addr)
{
	guint32 a4;

	if (af == AF_INET6)
		return g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, addr, 16, 1);
	memcpy(&a4, addr, 4); /* network byte order, as NetworkManager expects */
	return g_variant_new_uint32(a4);
}

/* One family's dictionary for set_ip4_config / set_ip6_config. */
static gboolean build_ip(NMSettingVpn *s_vpn, const struct family *f, GVariant **out, GError **error)
{
	g_autofree char *address = value_of(s_vpn, nm_meshub_data_find(f->data_key));
	GVariantBuilder b;
	guint8 addr[16];
	guint len;

	if (!address) {
		if (has_routes(s_vpn, f->af))
			return bad(error, "invalid vpn.data %s: an IPv%c route needs %s", NM_MESHUB_KEY_ROUTES,
				   f->digit, f->data_key);
		return TRUE;
	}
	if (!parse_prefix(address, f->af, addr, &len))
		return bad(error, "invalid vpn.data %s: cannot use '%s'", f->data_key, address);
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", f->address, address_variant(f->af, addr));
	g_variant_builder_add(&b, "{sv}", f->prefix, g_variant_new_uint32(len));
	/* a mesh never takes the default route */
	g_variant_builder_add(&b, "{sv}", f->never_default, g_variant_new_boolean(TRUE));
	if (!add_routes(&b, s_vpn, f->af, error)) {
		g_variant_builder_clear(&b);
		return FALSE;
	}
	*out = g_variant_ref_sink(g_variant_builder_end(&b));
	return TRUE;
}

static void find_gateway_host(NMMeshubConfig *config, NMSettingVpn *s_vpn)
{
	g_autofree char *hubs = value_of(s_vpn, nm_meshub_data_find(NM_MESHUB_KEY_HUB));
	g_autofree char *listen = value_of(s_vpn, nm_meshub_data_find(NM_MESHUB_KEY_ADDRESS));
	g_autoptr(GInetAddress) any = listen ? g_inet_address_new_from_string(listen) : NULL;
	g_auto(GStrv) entries = g_strsplit(hubs ? hubs : "", ",", 2);

	if (entries[0] && *entries[0])
		config->gateway_host = nm_meshub_config_hub_host(entries[0]);
	if (any && !g_inet_address_get_is_any(any))
		config->listen_address = g_steal_pointer(&listen);
}

static gboolean build(NMMeshubConfig *config, NMSettingVpn *s_vpn, const NMMeshubPaths *paths, GError **error)
{
	if (!check_keys(s_vpn, error) || !check_values(s_vpn, error) || !take_psk(config, s_vpn, error))
		return FALSE;
	if (!build_ini(config, s_vpn, paths, error) || !engine_accepts(config->ini, error))
		return FALSE;
	if (!build_ip(s_vpn, &families[0], &config->ip4, error) ||
	    !build_ip(s_vpn, &families[1], &config->ip6, error))
		return FALSE;
	config->has_ip4 = config->ip4 != NULL;
	config->has_ip6 = config->ip6 != NULL;
	config->log_level_set = nm_setting_vpn_get_data_item(s_vpn, NM_MESHUB_KEY_LOG_LEVEL) != NULL;
	find_gateway_host(config, s_vpn);
	return TRUE;
}

NMMeshubConfig *nm_meshub_config_new(NMConnection *connection, const NMMeshubPaths *paths, GError **error)
{
	g_autoptr(NMMeshubConfig) config = g_new0(NMMeshubConfig, 1);
	NMSettingVpn *s_vpn = nm_connection_get_setting_vpn(connection);
	g_autofree char *name = NULL;

	if (!s_vpn) {
		bad(error, "the connection has no VPN setting");
		return NULL;
	}
	if (!check_uuid(nm_connection_get_uuid(connection), error))
		return NULL;
	config->uuid = g_strdup(nm_connection_get_uuid(connection));
	name = g_strdup_printf("%s.conf", config->uuid);
	config->conf_path = g_build_filename(paths->run_dir, name, NULL);
	if (!build(config, s_vpn, paths, error))
		return NULL;
	return g_steal_pointer(&config);
}
