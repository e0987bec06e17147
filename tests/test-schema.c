/* test-schema.c - one table, four readers: for each mistake, meshubd's
 * parser (engine/conf.c), nmcli import (properties/import-export.c), the
 * editors' check of vpn.data (properties/nm-meshub-data.c) and the
 * NetworkManager service (nm-plugin/nm-meshub-config.c) all say the same
 * sentence, and each names the key in its own terms: FILE:LINE: [section]
 * key for a file, the vpn.data key for a connection. */
#include "config.h"

#include "engine/conf.h"
#include "nm-plugin/nm-meshub-config.h"
#include "nm-plugin/nm-meshub-keys.h"
#include "properties/import-export.h"
#include "properties/nm-meshub-data.h"
#include "tests/check.h"

#define UUID "0f3b5a57-8e0f-4c32-9d2b-6a7f1b2c3d4e"
#define KEY "kITJPzsFjhaN4-7Q3Lz2QuCwLI1xIMT3NoRdKIic6eM="

struct mistake {
	const char *section, *file_key; /* the key at fault */
	const char *value;		/* its bad value */
	const char *extra;		/* another line of [vpn]/[tun], or NULL */
	const char *what;		/* what every reader says about it */
};

static const struct mistake mistakes[] = {
	{ "socket", "port", "70000", NULL, "not a port; expected a UDP port number of 1..65535, got '70000'" },
	{ "socket", "address", "10.0.0.300", NULL, "not an address; expected an IPv4 or IPv6 address" },
	{ "socket", "lan_advert_ports", "3731, 3731", NULL, "port listed twice; expected each port once" },
	{ "hub", "address", "bad_host!", NULL, "not a hub address; expected host, host:port" },
	{ "hub", "advert_interval_sec", "2", NULL, "not a number in range; expected a whole number in 5..3600" },
	{ "vpn", "hostname", "two words", NULL, "not a host name; expected 1..63 printable ASCII characters" },
	{ "vpn", "log_level", "loud", NULL, "unknown level; expected error, warning, info or debug, got 'loud'" },
	{ "vpn", "subnets", "10.1.8.1/24", NULL, "host bits are set after the prefix length; expected 10.1.8.0/24" },
	{ "socket", "port_mapping", "sometimes", NULL, "not a yes/no value; expected yes or no" },
	{ "vpn", "dns", "maybe", NULL, "not a yes/no value; expected yes or no" },
	{ "vpn", "dns_domain", "-bad.mesh", NULL, "not a DNS domain; expected labels of letters" },
	{ "vpn", "ping_timeout_sec", "10", "ping_interval_sec = 15",
	  "must be longer than ping_interval_sec; expected more than 15, got '10'" },
	{ "tun", "ipv4_address", "10.99.0.300/24", NULL, "not an IPv4 address; expected a.b.c.d/len" },
	{ "tun", "ipv6_address", "fd99::zz/64", NULL, "not an IPv6 address" },
	{ "tun", "type", "tunnel", NULL, "unknown device type; expected tun or tap, got 'tunnel'" },
	{ "tun", "mtu", "100", NULL, "bad MTU; expected 576..65535, or 0 for automatic, got '100'" },
	{ "tun", "mtu", "1000", "ipv6_address = fd99::1/64", "too small for IPv6 (ipv6_address is set)" },
	{ "tun", "interface", "a-much-too-long-name", NULL, "not an interface name; expected up to 15 characters" },
	{ "tun", "routes", "10.0.0.1/8", NULL, "host bits are set after the prefix length; expected 10.0.0.0/8" },
};

static gboolean contains(const char *who, const char *msg, const char *want)
{
	if (msg && strstr(msg, want))
		return TRUE;
	fprintf(stderr, "%s: '%s' lacks '%s'\n", who, msg ? msg : "(no error)", want);
	return FALSE;
}

/* The file a user would write; the mistake is on line 3 or 4. */
static char *file_text(const struct mistake *m)
{
	GString *s = g_string_new("[tun]\nipv4_address = 10.99.0.9/24\n");
	gboolean tun = !strcmp(m->section, "tun");

	if (m->extra && !strcmp(m->section, "vpn"))
		g_string_append_printf(s, "[vpn]\n%s\n", m->extra);
	else if (m->extra)
		g_string_append_printf(s, "%s\n", m->extra);
	if (!tun && !(m->extra && !strcmp(m->section, "vpn")))
		g_string_append_printf(s, "[%s]\n", m->section);
	/* ipv4_address is set already: a second one would be a duplicate */
	if (!strcmp(m->file_key, "ipv4_address"))
		g_string_assign(s, "[tun]\n");
	g_string_append_printf(s, "%s = %s\n[encryption]\npsk = %s\n", m->file_key, m->value, KEY);
	return g_string_free(s, FALSE);
}

static void check_engine(const struct mistake *m, const char *text)
{
	struct conf cfg;
	struct conf_error err;
	g_autofree char *where = g_strdup_printf("[%s] %s: ", m->section, m->file_key);

	CHECK(conf_parse(text, strlen(text), "mesh.conf", &cfg, &err, NULL, NULL) < 0);
	CHECK(contains("meshubd", err.msg, where));
	CHECK(contains("meshubd", err.what, m->what));
	CHECK(!strcmp(err.section, m->section) && !strcmp(err.key, m->file_key));
}

static void check_import(const struct mistake *m, const char *text)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NMConnection) c = nm_meshub_import_text("mesh.conf", text, strlen(text), &error);
	g_autofree char *where = g_strdup_printf("[%s] %s: ", m->section, m->file_key);

	CHECK(c == NULL);
	CHECK(contains("nmcli import", error ? error->message : NULL, where));
	CHECK(contains("nmcli import", error ? error->message : NULL, m->what));
}

/* The connection an editor would save: the file's keys as vpn.data. */
static NMConnection *connection_of(const struct mistake *m)
{
	NMConnection *c = nm_simple_connection_new();
	NMSetting *s_con = nm_setting_connection_new();
	NMSettingVpn *s_vpn = NM_SETTING_VPN(nm_setting_vpn_new());
	const struct nm_meshub_item *it = nm_meshub_data_find_file(m->section, m->file_key);
	g_auto(GStrv) extra = m->extra ? g_strsplit(m->extra, " = ", 2) : NULL;

	g_object_set(s_con, NM_SETTING_CONNECTION_ID, "mesh", NM_SETTING_CONNECTION_UUID, UUID,
		     NM_SETTING_CONNECTION_TYPE, NM_SETTING_VPN_SETTING_NAME, NULL);
	g_object_set(s_vpn, NM_SETTING_VPN_SERVICE_TYPE, NM_MESHUB_SERVICE_NAME, NULL);
	if (strcmp(m->file_key, "ipv4_address"))
		nm_setting_vpn_add_data_item(s_vpn, NM_MESHUB_KEY_IPV4_ADDRESS, "10.99.0.9/24");
	if (extra)
		nm_setting_vpn_add_data_item(s_vpn, nm_meshub_data_find_file(m->section, extra[0])->key, extra[1]);
	nm_setting_vpn_add_data_item(s_vpn, it->key, m->value);
	nm_setting_vpn_add_secret(s_vpn, NM_MESHUB_KEY_PSK, KEY);
	nm_connection_add_setting(c, s_con);
	nm_connection_add_setting(c, NM_SETTING(s_vpn));
	return c;
}

static void check_nm(const struct mistake *m)
{
	static const NMMeshubPaths paths = { .run_dir = "/run/test-nm", .state_dir = "/var/lib/test-meshub" };
	const struct nm_meshub_item *it = nm_meshub_data_find_file(m->section, m->file_key);
	g_autoptr(NMConnection) c = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GError) error2 = NULL;
	g_autoptr(NMMeshubConfig) config = NULL;
	g_autofree char *where = NULL;
	const struct nm_meshub_item *bad = NULL;

	CHECK(it != NULL);
	if (!it)
		return;
	c = connection_of(m);
	/* the editors */
	CHECK(!nm_meshub_data_check_setting(nm_connection_get_setting_vpn(c), &bad, &error));
	CHECK(bad == it);
	CHECK(contains("editor", error ? error->message : NULL, m->what));
	/* the service */
	config = nm_meshub_config_new(c, &paths, &error2);
	where = g_strdup_printf("invalid vpn.data %s: ", it->key);
	CHECK(config == NULL);
	CHECK(g_error_matches(error2, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_BAD_ARGUMENTS));
	CHECK(contains("service", error2 ? error2->message : NULL, where));
	CHECK(contains("service", error2 ? error2->message : NULL, m->what));
}

static void test_mistakes(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(mistakes); i++) {
		g_autofree char *text = file_text(&mistakes[i]);
		int before = check_failures;

		check_engine(&mistakes[i], text);
		check_import(&mistakes[i], text);
		check_nm(&mistakes[i]);
		if (check_failures != before)
			fprintf(stderr, "  in the case [%s] %s = %s\n", mistakes[i].section, mistakes[i].file_key,
				mistakes[i].value);
	}
}

/* Every vpn.data item that stands for a file key has a row in the schema. */
static void test_items_in_schema(void)
{
	for (const struct nm_meshub_item *it = nm_meshub_items; it->key; it++)
		CHECK(!it->section || nm_meshub_data_schema(it) != NULL);
}

/* A key never appears in any of the messages about it. */
static void test_psk_never_shown(void)
{
	const char *bad = "s3cret-but-not-a-key";
	g_autofree char *text = g_strdup_printf("[tun]\nipv4_address = 10.0.0.1/24\n[encryption]\npsk = %s\n", bad);
	g_autoptr(GError) e1 = NULL;
	g_autoptr(GError) e2 = NULL;
	g_autoptr(NMConnection) c = nm_meshub_import_text("k.conf", text, strlen(text), &e1);
	struct conf cfg;
	struct conf_error err;

	CHECK(c == NULL && e1 && !strstr(e1->message, bad) && strstr(e1->message, "[encryption] psk: not a key"));
	CHECK(conf_parse(text, strlen(text), "k.conf", &cfg, &err, NULL, NULL) < 0 && !strstr(err.msg, bad));
	CHECK(e1 && !strcmp(e1->message, err.msg)); /* word for word */
	CHECK(!nm_meshub_data_check_psk(bad, &e2) && e2 && !strstr(e2->message, bad));
}

int main(void)
{
	RUN(test_items_in_schema);
	RUN(test_mistakes);
	RUN(test_psk_never_shown);
	return check_exit();
}
