/* import-export.c - meshub configuration file <-> NetworkManager connection.
 * A file is first read by meshubd's own parser (engine/conf.c), so it
 * imports exactly when meshubd would start with it and a mistake gets
 * meshubd's message; then its entries become vpn.data items. */
#include "config.h"

#include "import-export.h"

#include "nm-meshub-data.h"

#include "engine/ini.h"
#include "nm-plugin/nm-meshub-keys.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PSK_FILE_MAX 4096
#define SCRIPTS_IGNORED "NetworkManager configures the interface itself"

struct import {
	const char *name; /* the file, for messages */
	struct ini ini;
	NMSettingVpn *s_vpn;
	const struct ini_entry *hub_address, *hub_port, *psk, *psk_file;
	char *hubs;    /* normalised [hub] address */
	unsigned port; /* [hub] port */
	gboolean warned_scripts;
	GPtrArray *warnings; /* logged only if the import succeeds */
};

typedef gboolean (*special_fn)(struct import *imp, const struct ini_entry *e, const char *value,
			       GError **error);

/* Keys that are not plain vpn.data items. */
struct special {
	const char *section;
	const char *key;
	special_fn fn;	 /* NULL: accepted and ignored */
	const char *why; /* logged when ignored; NULL: silently (documented) */
};

static gboolean import_hub_address(struct import *imp, const struct ini_entry *e, const char *v,
				   GError **error);
static gboolean import_hub_port(struct import *imp, const struct ini_entry *e, const char *v, GError **error);
static gboolean import_scheme(struct import *imp, const struct ini_entry *e, const char *v, GError **error);
static gboolean import_psk(struct import *imp, const struct ini_entry *e, const char *v, GError **error);
static gboolean import_psk_file(struct import *imp, const struct ini_entry *e, const char *v, GError **error);

static const struct special specials[] = {
	{ "hub", "address", import_hub_address, NULL },
	{ "hub", "port", import_hub_port, NULL },
	{ "encryption", "scheme", import_scheme, NULL },
	{ "encryption", "psk", import_psk, NULL },
	{ "encryption", "psk_file", import_psk_file, NULL },
	{ "encryption", "unencrypted_tcp_ports", NULL, NULL },
	{ "encryption", "unencrypted_udp_ports", NULL, NULL },
	{ "socket", "select_interval_sec", NULL, NULL },
	{ "socket", "control", NULL, "NetworkManager runs meshubd with its own control socket" },
	{ "vpn", "maintenance_interval_sec", NULL, NULL },
	{ "vpn", "restart_delay_sec", NULL, NULL },
	{ "vpn", "user", NULL, "the NetworkManager service decides which user meshubd runs as" },
	{ "vpn", "key_file", NULL, "the NetworkManager service keeps the node key" },
	{ "scripts", "tun_setup", NULL, SCRIPTS_IGNORED },
	{ "scripts", "tun_setup_ipv4", NULL, SCRIPTS_IGNORED },
	{ "scripts", "tun_setup_ipv6", NULL, SCRIPTS_IGNORED },
};

static void wipe_string(char *s)
{
	if (s)
		sodium_memzero(s, strlen(s));
}

static const struct special *special_find(const char *section, const char *key)
{
	for (size_t i = 0; i < G_N_ELEMENTS(specials); i++)
		if (!strcmp(specials[i].section, section) && !strcmp(specials[i].key, key))
			return &specials[i];
	return NULL;
}

static gboolean entry_error(struct import *imp, const struct ini_entry *e, GError **error, const char *fmt,
			    ...) G_GNUC_PRINTF(4, 5);

static gboolean entry_error(struct import *imp, const struct ini_entry *e, GError **error, const char *fmt,
			    ...)
{
	g_autofree char *section = nm_meshub_data_quote(e->section); /* both come from the file */
	g_autofree char *key = nm_meshub_data_quote(e->key);
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, NM_CONNECTION_ERROR, NM_CONNECTION_ERROR_INVALID_PROPERTY, "%s:%u: [%s] %s: %s",
		    imp->name, e->line, section, key, msg);
	return FALSE;
}

static gboolean import_hub_address(struct import *imp, const struct ini_entry *e, const char *v,
				   GError **error)
{
	g_autoptr(GError) local = NULL;

	imp->hub_address = e;
	imp->hubs = nm_meshub_data_normalize(nm_meshub_data_find(NM_MESHUB_KEY_HUB), v, &local);
	return imp->hubs ? TRUE : entry_error(imp, e, error, "%s", local->message);
}

/* The values below were checked by meshubd's parser already. */
static gboolean import_hub_port(struct import *imp, const struct ini_entry *e, const char *v, GError **error)
{
	imp->hub_port = e;
	imp->port = (unsigned)g_ascii_strtoull(v, NULL, 10);
	return TRUE;
}

static gboolean import_scheme(struct import *imp, const struct ini_entry *e, const char *v, GError **error)
{
	return TRUE; /* noise or fernet: the same */
}

static gboolean import_psk(struct import *imp, const struct ini_entry *e, const char *v, GError **error)
{
	g_autoptr(GError) local = NULL;

	if (!nm_meshub_data_check_psk(v, &local))
		return entry_error(imp, e, error, "%s", local->message);
	imp->psk = e;
	nm_setting_vpn_add_secret(imp->s_vpn, NM_MESHUB_KEY_PSK, v);
	return TRUE;
}

static gboolean import_psk_file(struct import *imp, const struct ini_entry *e, const char *v, GError **error)
{
	imp->psk_file = e;
	return TRUE;
}

/* Reads a regular file of at most max bytes; secret: refuse group/other access. */
static char *read_file(const char *path, gsize max, gboolean secret, gsize *len, GError **error)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	char *buf = NULL;
	gsize n = 0;
	ssize_t r = 0;
	const char *why = NULL;

	if (fd < 0) {
		int err = errno;

		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "%s: %s", path,
			    g_strerror(err));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		why = "not a regular file";
	else if ((gsize)st.st_size > max)
		why = "too large";
	else if (secret && (st.st_mode & 077))
		why = "readable by group or others (chmod 600 it)";
	if (!why) {
		buf = g_malloc(max + 1);
		while (n <= max && (r = read(fd, buf + n, max + 1 - n)) > 0)
			n += (gsize)r;
		if (r < 0 || n > max)
			why = r < 0 ? g_strerror(errno) : "too large";
	}
	close(fd);
	if (why) {
		if (buf)
			sodium_memzero(buf, max + 1);
		g_free(buf);
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", path, why);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The key of [encryption] psk_file, if psk itself was not given. */
static gboolean import_key_file(struct import *imp, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autofree char *path = NULL;
	char *key;
	gsize len = 0;
	gboolean ok;

	if (imp->psk || !imp->psk_file)
		return TRUE;
	path = ini_value(&imp->ini, imp->psk_file, &(struct ini_error){ 0 });
	key = path ? read_file(path, PSK_FILE_MAX, TRUE, &len, &local) : NULL;
	if (!key)
		return entry_error(imp, imp->psk_file, error, "%s",
				   local ? local->message : "cannot read it");
	ok = nm_meshub_data_check_psk(key, &local);
	if (ok)
		nm_setting_vpn_add_secret(imp->s_vpn, NM_MESHUB_KEY_PSK, g_strstrip(key));
	sodium_memzero(key, len);
	g_free(key);
	return ok ? TRUE
		  : entry_error(imp, imp->psk_file, error, "the file holds no key: %s", local->message);
}

static gboolean import_item(struct import *imp, const struct ini_entry *e, const char *v, GError **error)
{
	const struct nm_meshub_item *it = nm_meshub_data_find_file(e->section, e->key);
	g_autoptr(GError) local = NULL;
	g_autofree char *norm = NULL;

	if (!it) { /* a key of meshubd's (it read the file) that vpn.data has no item for */
		g_ptr_array_add(imp->warnings, g_strdup_printf("%s:%u: [%s] %s is ignored: a NetworkManager "
							       "connection has no setting for it", imp->name,
							       e->line, e->section, e->key));
		return TRUE;
	}
	norm = nm_meshub_data_normalize(it, v, &local);
	if (!norm)
		return entry_error(imp, e, error, "%s", local->message);
	if (*norm)
		nm_setting_vpn_add_data_item(imp->s_vpn, it->key, norm);
	return TRUE;
}

/* Keys without a NetworkManager equivalent: noted, then dropped. */
static void import_ignore(struct import *imp, const struct ini_entry *e, const struct special *sp)
{
	gboolean script = !strcmp(e->section, "scripts");

	if (script && !imp->warned_scripts)
		g_ptr_array_add(imp->warnings, g_strdup_printf("%s:%u: [%s] is ignored: %s", imp->name,
							       e->line, e->section, sp->why));
	else if (!script && sp->why)
		g_ptr_array_add(imp->warnings, g_strdup_printf("%s:%u: [%s] %s is ignored: %s", imp->name,
							       e->line, e->section, e->key, sp->why));
	imp->warned_scripts |= script;
}

static gboolean import_entry(struct import *imp, const struct ini_entry *e, GError **error)
{
	const struct special *sp = special_find(e->section, e->key);
	struct ini_error ierr = { 0 };
	gboolean ok = TRUE;
	char *v;

	if (!strcmp(e->section, "DEFAULT")) /* only for %(name)s interpolation */
		return TRUE;
	/* even ignored values must interpolate, as meshubd reads them all */
	v = ini_value(&imp->ini, e, &ierr);
	if (!v) { /* the message names section and key */
		g_set_error(error, NM_CONNECTION_ERROR, NM_CONNECTION_ERROR_INVALID_PROPERTY, "%s:%u: %s",
			    imp->name, e->line, ierr.msg);
		return FALSE;
	}
	if (sp && !sp->fn)
		import_ignore(imp, e, sp);
	else
		ok = sp ? sp->fn(imp, e, v, error) : import_item(imp, e, v, error);
	wipe_string(v);
	free(v);
	return ok;
}

/* [hub] port applies to every address entry without its own port. */
static void import_hubs(struct import *imp)
{
	g_autofree char *hubs = NULL;

	if (!imp->hubs || !*imp->hubs)
		return;
	if (imp->hub_port && imp->port != NM_MESHUB_DEFAULT_HUB_PORT)
		hubs = nm_meshub_data_hubs_with_port(imp->hubs, imp->port);
	nm_setting_vpn_add_data_item(imp->s_vpn, NM_MESHUB_KEY_HUB, hubs ? hubs : imp->hubs);
}

static const struct ini_entry *entry_of(struct import *imp, const struct nm_meshub_item *it)
{
	if (!it || !it->section)
		return NULL;
	if (!strcmp(it->key, NM_MESHUB_KEY_HUB))
		return imp->hub_address;
	return ini_find(&imp->ini, it->section, it->file_key);
}

static gboolean import_check(struct import *imp, GError **error)
{
	const struct nm_meshub_item *bad = NULL;
	const struct ini_entry *e;
	g_autoptr(GError) local = NULL;

	if (nm_meshub_data_check_setting(imp->s_vpn, &bad, &local))
		return TRUE;
	e = entry_of(imp, bad);
	if (e)
		return entry_error(imp, e, error, "%s", local->message);
	g_set_error(error, NM_CONNECTION_ERROR, NM_CONNECTION_ERROR_INVALID_PROPERTY, "%s: [%s] %s: %s",
		    imp->name, bad && bad->section ? bad->section : "?",
		    bad && bad->file_key ? bad->file_key : "?", local->message);
	return FALSE;
}

static NMConnection *import_connection(struct import *imp, GError **error)
{
	g_autoptr(NMConnection) conn = nm_simple_connection_new();
	g_autofree char *base = g_path_get_basename(imp->name);
	g_autofree char *uuid = nm_utils_uuid_generate();
	char *dot = strrchr(base, '.');
	NMSetting *s_con = nm_setting_connection_new();

	if (dot && dot != base)
		*dot = '\0';
	g_object_set(s_con, NM_SETTING_CONNECTION_ID, base, NM_SETTING_CONNECTION_UUID, uuid,
		     NM_SETTING_CONNECTION_TYPE, NM_SETTING_VPN_SETTING_NAME, NULL);
	nm_connection_add_setting(conn, s_con);
	nm_connection_add_setting(conn, NM_SETTING(g_object_ref(imp->s_vpn)));
	if (!nm_connection_normalize(conn, NULL, NULL, error))
		return NULL;
	return g_steal_pointer(&conn);
}

static void import_clear(struct import *imp)
{
	ini_free(&imp->ini); /* wipes the values, the key among them */
	g_clear_object(&imp->s_vpn);
	g_free(imp->hubs);
	g_ptr_array_unref(imp->warnings);
}

/* meshubd's verdict on the whole file, with its message. */
static gboolean engine_reads(const char *name, const char *text, gsize len, GError **error)
{
	struct conf cfg;
	struct conf_error err;

	if (conf_parse(text, len, name, &cfg, &err, NULL, NULL) == 0) {
		conf_free(&cfg);
		return TRUE;
	}
	g_set_error_literal(error, NM_CONNECTION_ERROR,
			    err.key[0] ? NM_CONNECTION_ERROR_INVALID_PROPERTY : NM_CONNECTION_ERROR_FAILED, err.msg);
	return FALSE;
}

NMConnection *nm_meshub_import_text(const char *name, const char *text, gsize len, GError **error)
{
	struct import imp = { .name = name };
	struct ini_error ierr = { 0 };
	NMConnection *conn = NULL;
	int r;

	if (!engine_reads(name, text, len, error))
		return NULL;
	imp.warnings = g_ptr_array_new_with_free_func(g_free);
	imp.s_vpn = NM_SETTING_VPN(nm_setting_vpn_new());
	g_object_set(imp.s_vpn, NM_SETTING_VPN_SERVICE_TYPE, NM_MESHUB_SERVICE_NAME, NULL);
	r = ini_parse(text, len, &imp.ini, &ierr);
	if (r < 0) {
		if (ierr.line)
			g_set_error(error, NM_CONNECTION_ERROR, NM_CONNECTION_ERROR_FAILED, "%s:%u: %s", name,
				    ierr.line, ierr.msg);
		else
			g_set_error(error, NM_CONNECTION_ERROR, NM_CONNECTION_ERROR_FAILED, "%s: %s", name,
				    ierr.msg[0] ? ierr.msg : g_strerror(-r));
		goto out;
	}
	for (size_t i = 0; i < imp.ini.n; i++)
		if (!import_entry(&imp, &imp.ini.entries[i], error))
			goto out;
	import_hubs(&imp);
	if (!import_key_file(&imp, error) || !import_check(&imp, error))
		goto out;
	if (nm_setting_vpn_get_secret(imp.s_vpn, NM_MESHUB_KEY_PSK)) /* saved system-wide */
		nm_setting_set_secret_flags(NM_SETTING(imp.s_vpn), NM_MESHUB_KEY_PSK,
					    NM_SETTING_SECRET_FLAG_NONE, NULL);
	conn = import_connection(&imp, error);
	for (guint i = 0; conn && i < imp.warnings->len; i++)
		g_warning("%s", (const char *)imp.warnings->pdata[i]);
out:
	import_clear(&imp);
	return conn;
}

NMConnection *nm_meshub_import_file(const char *path, GError **error)
{
	gsize len = 0;
	char *text = read_file(path, NM_MESHUB_IMPORT_MAX, FALSE, &len, error);
	NMConnection *conn;

	if (!text)
		return NULL;
	conn = nm_meshub_import_text(path, text, len, error);
	sodium_memzero(text, len);
	g_free(text);
	return conn;
}

/* ------------------------------------------------------------------ export */

static const char *const export_sections[] = { "socket", "hub", "vpn", "tun", "encryption", NULL };

static gboolean export_line(GString *out, const char *key, const char *value, GError **error)
{
	char *esc = ini_escape(value);

	if (!esc) {
		g_set_error_literal(error, NM_CONNECTION_ERROR, NM_CONNECTION_ERROR_FAILED, "out of memory");
		return FALSE;
	}
	g_string_append_printf(out, "%s = %s\n", key, esc);
	wipe_string(esc);
	free(esc);
	return TRUE;
}

static gboolean export_section(GString *out, NMSettingVpn *s_vpn, const char *section, GError **error)
{
	for (const struct nm_meshub_item *it = nm_meshub_items; it->key; it++) {
		const char *v = nm_setting_vpn_get_data_item(s_vpn, it->key);
		g_autofree char *norm = NULL;

		if (!v || g_strcmp0(it->section, section))
			continue;
		norm = nm_meshub_data_normalize(it, v, error); /* checked before: cannot fail */
		if (!norm)
			return FALSE;
		if (*norm && !export_line(out, it->file_key, norm, error))
			return FALSE;
	}
	return TRUE;
}

static gboolean export_psk(GString *out, NMSettingVpn *s_vpn, GError **error)
{
	const char *psk = nm_setting_vpn_get_secret(s_vpn, NM_MESHUB_KEY_PSK);
	g_autoptr(GError) local = NULL;

	NMSettingSecretFlags flags = NM_SETTING_SECRET_FLAG_NONE;

	nm_setting_get_secret_flags(NM_SETTING(s_vpn), NM_MESHUB_KEY_PSK, &flags, NULL);
	if ((!psk || !*psk) && flags == NM_SETTING_SECRET_FLAG_NONE) {
		/* NetworkManager keeps it but did not hand it to the exporter */
		g_string_append(out, "# psk = (NetworkManager stores the key but did not export it: see it with\n"
				     "#        nmcli --show-secrets -g vpn.secrets connection show NAME)\n");
		return TRUE;
	}
	if (!psk || !*psk) {
		g_string_append(out, flags & NM_SETTING_SECRET_FLAG_AGENT_OWNED
					     ? "# psk = (kept by the user's agent, not by NetworkManager: add it here)\n"
					     : "# psk = (not saved: it is asked for on every connect; add it here)\n");
		return TRUE;
	}
	if (!nm_meshub_data_check_psk(psk, &local)) {
		g_set_error(error, NM_CONNECTION_ERROR, NM_CONNECTION_ERROR_INVALID_PROPERTY,
			    "[encryption] psk: %s", local->message);
		return FALSE;
	}
	return export_line(out, "psk", psk, error);
}

static char *export_id(NMConnection *connection)
{
	const char *id = nm_connection_get_id(connection);
	char *s = g_strdup(id ? id : "");

	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return s;
}

char *nm_meshub_export_text(NMConnection *connection, GError **error)
{
	NMSettingVpn *s_vpn = nm_connection_get_setting_vpn(connection);
	const struct nm_meshub_item *bad = NULL;
	g_autoptr(GError) local = NULL;
	g_autofree char *id = NULL;
	GString *out;

	if (!s_vpn || g_strcmp0(nm_setting_vpn_get_service_type(s_vpn), NM_MESHUB_SERVICE_NAME)) {
		g_set_error_literal(error, NM_CONNECTION_ERROR, NM_CONNECTION_ERROR_FAILED,
				    "not a meshub VPN connection");
		return NULL;
	}
	if (!nm_meshub_data_check_setting(s_vpn, &bad, &local)) {
		g_set_error(error, NM_CONNECTION_ERROR, NM_CONNECTION_ERROR_INVALID_PROPERTY, "%s: %s",
			    bad ? bad->label : "?", local->message);
		return NULL;
	}
	id = export_id(connection);
	out = g_string_sized_new(8192); /* no reallocation leaves copies of the key behind */
	g_string_append_printf(out,
			       "# meshub configuration of the NetworkManager connection \"%s\".\n"
			       "# meshubd reads it; meshub.conf(5) describes every key.\n",
			       id);
	for (const char *const *sec = export_sections; *sec; sec++) {
		g_string_append_printf(out, "\n[%s]\n", *sec);
		if (!export_section(out, s_vpn, *sec, error) ||
		    (!strcmp(*sec, "encryption") && !export_psk(out, s_vpn, error))) {
			nm_meshub_export_free(g_string_free(out, FALSE));
			return NULL;
		}
	}
	return g_string_free(out, FALSE);
}

void nm_meshub_export_free(char *text)
{
	wipe_string(text);
	g_free(text);
}

gboolean nm_meshub_export_file(const char *path, NMConnection *connection, GError **error)
{
	char *text = nm_meshub_export_text(connection, error);
	gboolean ok;

	if (!text)
		return FALSE;
	ok = g_file_set_contents_full(path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
	nm_meshub_export_free(text);
	return ok;
}
