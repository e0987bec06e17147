/* test-import-export.c - importing meshub configuration files into
 * NetworkManager connections and exporting them back (properties/
 * import-export.c, linked directly): every setting of the original samples
 * and of the edge-case fixtures survives import, export then import gives
 * the same vpn.data and key, meshubd's own parser accepts every export, and
 * each invalid file fails with an error naming its file, line and key,
 * never echoing the key. */
#include "config.h"

#include "engine/conf.h"
#include "nm-plugin/nm-meshub-keys.h"
#include "properties/import-export.h"
#include "properties/nm-meshub-data.h"
#include "tests/check.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#define KEY_URLSAFE "kITJPzsFjhaN4-7Q3Lz2QuCwLI1xIMT3NoRdKIic6eM="
#define KEY_STD "ooNE36bl74+yiFwD35rD7S1nmHDknAI8s0o3b6UeV3c="
#define KEY_SHORT "ooNE36bl74+yiFwD35rD7S1nmHDknAI8s0o3b6UeV3"

static unsigned warnings;
static GString *warning_text;

static void log_cb(const char *domain, GLogLevelFlags level, const char *msg, gpointer data)
{
	warnings++;
	g_string_append_printf(warning_text, "%s\n", msg);
}

static char *fixture(const char *name)
{
	return g_build_filename(TEST_DATA_DIR, "import", name, NULL);
}

static NMConnection *import(const char *name, GError **error)
{
	g_autofree char *path = fixture(name);

	return nm_meshub_import_file(path, error);
}

static const char *data(NMConnection *c, const char *key)
{
	NMSettingVpn *s = c ? nm_connection_get_setting_vpn(c) : NULL;

	return s ? nm_setting_vpn_get_data_item(s, key) : NULL;
}

static const char *secret(NMConnection *c, const char *key)
{
	NMSettingVpn *s = c ? nm_connection_get_setting_vpn(c) : NULL;

	return s ? nm_setting_vpn_get_secret(s, key) : NULL;
}

static unsigned n_data(NMConnection *c)
{
	NMSettingVpn *s = c ? nm_connection_get_setting_vpn(c) : NULL;

	return s ? nm_setting_vpn_get_num_data_items(s) : 0;
}

#define CHECK_DATA(c, key, want)                                                                             \
	do {                                                                                                 \
		const char *got_ = data((c), (key));                                                         \
		if (g_strcmp0(got_, (want)))                                                                 \
			fprintf(stderr, "%s:%d: %s = '%s', expected '%s'\n", __FILE__, __LINE__, (key),      \
				got_ ? got_ : "(none)", (want) ? (want) : "(none)");                         \
		CHECK(!g_strcmp0(got_, (want)));                                                             \
	} while (0)

static void data_same_cb(const char *key, const char *value, gpointer other)
{
	CHECK_DATA(other, key, value);
}

static void conf_warn(void *ctx, const char *msg)
{
}

/* export -> meshubd's parser -> import: same vpn.data and key. */
static void round_trip(NMConnection *conn)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NMConnection) again = NULL;
	struct conf cfg;
	struct conf_error cerr = { { 0 } };
	char *text = nm_meshub_export_text(conn, &error);

	CHECK(text != NULL);
	if (!text) {
		fprintf(stderr, "export: %s\n", error->message);
		return;
	}
	if (conf_parse(text, strlen(text), "export", &cfg, &cerr, conf_warn, NULL) < 0) {
		fprintf(stderr, "meshubd refuses the export: %s\n---\n%s---\n", cerr.msg, text);
		CHECK(!"meshubd accepts the export");
	} else {
		conf_free(&cfg);
	}
	again = nm_meshub_import_text("again.conf", text, strlen(text), &error);
	nm_meshub_export_free(text);
	CHECK(again != NULL);
	if (!again) {
		fprintf(stderr, "re-import: %s\n", error->message);
		return;
	}
	CHECK_INT(n_data(again), n_data(conn));
	nm_setting_vpn_foreach_data_item(nm_connection_get_setting_vpn(conn), data_same_cb, again);
	CHECK(!g_strcmp0(secret(again, NM_MESHUB_KEY_PSK), secret(conn, NM_MESHUB_KEY_PSK)));
}

static NMConnection *import_ok(const char *name)
{
	g_autoptr(GError) error = NULL;
	NMConnection *c = import(name, &error);

	if (!c)
		fprintf(stderr, "%s: %s\n", name, error->message);
	CHECK(c != NULL);
	if (c) {
		CHECK(nm_connection_verify(c, NULL));
		round_trip(c);
	}
	return c;
}

/* --------------------------------------------------------------- valid files */

static void test_sample_full(void)
{
	g_autoptr(NMConnection) c = NULL;

	warnings = 0;
	c = import_ok("sample-full-key.cfg");
	CHECK(c && !strcmp(nm_connection_get_id(c), "sample-full-key"));
	CHECK(c && !strcmp(nm_connection_get_connection_type(c), NM_SETTING_VPN_SETTING_NAME));
	CHECK(c && !strcmp(nm_setting_vpn_get_service_type(nm_connection_get_setting_vpn(c)),
			   NM_MESHUB_SERVICE_NAME));
	CHECK_DATA(c, NM_MESHUB_KEY_ADDRESS, "0.0.0.0");
	CHECK_DATA(c, NM_MESHUB_KEY_PORT, "3732");
	CHECK_DATA(c, NM_MESHUB_KEY_LAN_ADVERT_PORTS, "3731,3732");
	CHECK_DATA(c, NM_MESHUB_KEY_HUB, "1.2.3.4"); /* port 3731 is the default: not folded in */
	CHECK_DATA(c, NM_MESHUB_KEY_ADVERT_INTERVAL, "60");
	CHECK_DATA(c, NM_MESHUB_KEY_HOSTNAME, "client");
	CHECK_DATA(c, NM_MESHUB_KEY_PING_INTERVAL, "15");
	CHECK_DATA(c, NM_MESHUB_KEY_PING_TIMEOUT, "300");
	CHECK_DATA(c, NM_MESHUB_KEY_TYPE, "tun");
	CHECK_DATA(c, NM_MESHUB_KEY_INTERFACE, "tun%d");
	CHECK_DATA(c, NM_MESHUB_KEY_IPV4_ADDRESS, "192.168.21.2/24");
	CHECK_DATA(c, NM_MESHUB_KEY_IPV6_ADDRESS, NULL);
	CHECK_DATA(c, NM_MESHUB_KEY_PSK_FLAGS, "0");
	CHECK_INT(n_data(c), 12);
	CHECK(!g_strcmp0(secret(c, NM_MESHUB_KEY_PSK), KEY_URLSAFE));
	CHECK(warnings >= 1 && strstr(warning_text->str, "[scripts]"));
	CHECK(!strstr(warning_text->str, KEY_URLSAFE));
}

static void test_sample_minimal(void)
{
	g_autoptr(NMConnection) c = import_ok("sample-minimal-key.cfg");

	CHECK_DATA(c, NM_MESHUB_KEY_HUB, "1.2.3.4");
	CHECK_DATA(c, NM_MESHUB_KEY_INTERFACE, "tun%d");
	CHECK_DATA(c, NM_MESHUB_KEY_IPV4_ADDRESS, "192.168.21.2/24");
	CHECK_INT(n_data(c), 4); /* + psk-flags */
	CHECK(!g_strcmp0(secret(c, NM_MESHUB_KEY_PSK), KEY_URLSAFE));
}

static void test_several_hubs(void)
{
	g_autoptr(NMConnection) c = import_ok("several-hubs.conf");

	CHECK_DATA(c, NM_MESHUB_KEY_HUB,
		   "hub-a.example.org:4001,198.51.100.7:4000,[2001:db8::7]:3740,[2001:db8::8]:4001,"
		   "[2001:db8::9]:4001");
	CHECK_DATA(c, NM_MESHUB_KEY_ADDRESS, "::");
	CHECK_DATA(c, NM_MESHUB_KEY_PORT, "3800");
	CHECK_DATA(c, NM_MESHUB_KEY_ADVERT_INTERVAL, "20");
	CHECK_DATA(c, NM_MESHUB_KEY_HOSTNAME, "node-7");
	CHECK_DATA(c, NM_MESHUB_KEY_PING_INTERVAL, "5");
	CHECK_DATA(c, NM_MESHUB_KEY_PING_TIMEOUT, "30");
	CHECK_DATA(c, NM_MESHUB_KEY_LOG_LEVEL, "debug");
	CHECK_DATA(c, NM_MESHUB_KEY_SUBNETS, "192.168.50.0/24,fd50::/64");
	CHECK_DATA(c, NM_MESHUB_KEY_TYPE, "tun");
	CHECK_DATA(c, NM_MESHUB_KEY_INTERFACE, "mesh0");
	CHECK_DATA(c, NM_MESHUB_KEY_IPV4_ADDRESS, "10.20.0.7/24");
	CHECK_DATA(c, NM_MESHUB_KEY_IPV6_ADDRESS, "fd20::7/64");
	CHECK_DATA(c, NM_MESHUB_KEY_MTU, "1380");
	CHECK_DATA(c, NM_MESHUB_KEY_ROUTES, "10.30.0.0/16,fd30::/48");
	CHECK_INT(n_data(c), 16);
	CHECK(!g_strcmp0(secret(c, NM_MESHUB_KEY_PSK), KEY_STD));
}

static void test_tap(void)
{
	g_autoptr(NMConnection) c = import_ok("tap.conf");

	CHECK_DATA(c, NM_MESHUB_KEY_TYPE, "tap");
	CHECK_DATA(c, NM_MESHUB_KEY_INTERFACE, "tap%d");
	CHECK_DATA(c, NM_MESHUB_KEY_IPV4_ADDRESS, NULL);
	CHECK_DATA(c, NM_MESHUB_KEY_IPV6_ADDRESS, NULL);
}

static void test_ipv6_only(void)
{
	g_autoptr(NMConnection) c = import_ok("ipv6-only.conf");

	CHECK_DATA(c, NM_MESHUB_KEY_HUB, "[2001:db8::1]:3731");
	CHECK_DATA(c, NM_MESHUB_KEY_IPV6_ADDRESS, "fd20::9/64");
	CHECK_DATA(c, NM_MESHUB_KEY_IPV4_ADDRESS, NULL);
}

static void test_percent(void)
{
	g_autoptr(NMConnection) c = import_ok("percent.conf");
	char *text;

	CHECK_DATA(c, NM_MESHUB_KEY_INTERFACE, "m%d");
	CHECK_DATA(c, NM_MESHUB_KEY_IPV4_ADDRESS, "10.77.0.1/16");
	CHECK_DATA(c, NM_MESHUB_KEY_HOSTNAME, "100%-node");
	text = c ? nm_meshub_export_text(c, NULL) : NULL;
	CHECK(text && strstr(text, "interface = m%%d\n") && strstr(text, "hostname = 100%%-node\n"));
	nm_meshub_export_free(text);
}

/* A CA network's files: vpn.data ca, cert and crl, and back into [encryption]. */
static void test_ca_network(void)
{
	g_autoptr(NMConnection) c = import_ok("ca-network.conf");
	char *text;

	CHECK_DATA(c, NM_MESHUB_KEY_CA, "/etc/meshub/office-ca.crt");
	CHECK_DATA(c, NM_MESHUB_KEY_CERT, "/etc/meshub/alpha.crt");
	CHECK_DATA(c, NM_MESHUB_KEY_CRL, "/etc/meshub/revoked.crl");
	text = c ? nm_meshub_export_text(c, NULL) : NULL;
	CHECK(text && strstr(text, "[encryption]\n") && strstr(text, "ca = /etc/meshub/office-ca.crt\n") &&
	      strstr(text, "cert = /etc/meshub/alpha.crt\n") && strstr(text, "crl = /etc/meshub/revoked.crl\n"));
	nm_meshub_export_free(text);
}

static void test_continuation(void)
{
	g_autoptr(NMConnection) c = import_ok("continuation.conf");

	CHECK_DATA(c, NM_MESHUB_KEY_HUB, "hub-a.example.org,hub-b.example.org:3999");
	CHECK_DATA(c, NM_MESHUB_KEY_IPV4_ADDRESS, "10.40.0.1/24");
	CHECK_DATA(c, NM_MESHUB_KEY_ROUTES, "10.1.0.0/16,10.2.0.0/16,fd01::/48");
	CHECK_DATA(c, NM_MESHUB_KEY_LAN_ADVERT_PORTS, "3731,3732");
}

/* CRLF line endings: the fixture (guarded against a checkout that dropped its
 * CRs) and a fixture converted in memory, which must import as the original. */
static void test_crlf(void)
{
	g_autoptr(NMConnection) c = import_ok("crlf.conf");
	g_autoptr(NMConnection) lf = import("several-hubs.conf", NULL);
	g_autoptr(NMConnection) crlf = NULL;
	g_autofree char *path = fixture("crlf.conf");
	g_autofree char *raw = NULL;
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;

	CHECK(g_file_get_contents(path, &raw, NULL, NULL) && strstr(raw, "\r\n"));
	g_free(path);
	path = fixture("several-hubs.conf");
	g_clear_pointer(&raw, g_free);
	CHECK(g_file_get_contents(path, &raw, NULL, NULL));
	lines = g_strsplit(raw ? raw : "", "\n", -1);
	text = g_strjoinv("\r\n", lines);
	crlf = nm_meshub_import_text("several-hubs.conf", text, strlen(text), NULL);
	CHECK(lf && crlf);
	if (lf && crlf) {
		CHECK_INT(n_data(crlf), n_data(lf));
		nm_setting_vpn_foreach_data_item(nm_connection_get_setting_vpn(lf), data_same_cb, crlf);
	}

	CHECK_DATA(c, NM_MESHUB_KEY_HUB, "192.0.2.10");
	CHECK_DATA(c, NM_MESHUB_KEY_INTERFACE, "tun%d");
	CHECK_DATA(c, NM_MESHUB_KEY_IPV4_ADDRESS, "10.50.0.2/24");
	CHECK(!g_strcmp0(secret(c, NM_MESHUB_KEY_PSK), KEY_STD));
}

/* psk_file: the key is read from the file (which must be private). */
static void test_psk_file(void)
{
	g_autofree char *dir = g_dir_make_tmp("meshub-import-XXXXXX", NULL);
	g_autofree char *key = g_build_filename(dir, "net.key", NULL);
	g_autofree char *text =
		g_strdup_printf("[tun]\nipv4_address = 10.0.0.1/24\n[encryption]\npsk_file = %s\n", key);
	g_autoptr(GError) error = NULL;
	g_autoptr(NMConnection) c = NULL;
	g_autoptr(NMConnection) loose = NULL;

	CHECK(dir != NULL);
	CHECK(g_file_set_contents_full(key, KEY_STD "\n", -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
	c = nm_meshub_import_text("file.conf", text, strlen(text), &error);
	CHECK(c && !g_strcmp0(secret(c, NM_MESHUB_KEY_PSK), KEY_STD));
	CHECK(g_chmod(key, 0644) == 0);
	loose = nm_meshub_import_text("file.conf", text, strlen(text), &error);
	CHECK(loose == NULL && error && strstr(error->message, "file.conf:4: [encryption] psk_file"));
	CHECK(error && strstr(error->message, "chmod 600"));
	CHECK(error && !strstr(error->message, KEY_STD));
	g_unlink(key);
	g_rmdir(dir);
}

/* ------------------------------------------------------------- invalid files */

struct bad_case {
	const char *file;
	const char *where; /* must appear in the message: file:line: [section] key */
	const char *what;  /* and this */
};

static const struct bad_case bad_cases[] = {
	{ "sample-full.cfg", "sample-full.cfg:107: [encryption] psk", "meshub genkey" },
	{ "sample-minimal.cfg", "sample-minimal.cfg:13: [encryption] psk", "meshub genkey" },
	{ "invalid-unknown-key.conf", "invalid-unknown-key.conf:5: unknown key 'colour' in [vpn]", "known keys: " },
	{ "invalid-unknown-section.conf", "invalid-unknown-section.conf:3: unknown section [peers]", "expected [socket]" },
	{ "invalid-scheme-null.conf", "invalid-scheme-null.conf:6: [encryption] scheme",
	  "no unencrypted mode" },
	{ "invalid-bad-cidr.conf", "invalid-bad-cidr.conf:5: [tun] ipv4_address", "a.b.c.d/len" },
	{ "invalid-port.conf", "invalid-port.conf:2: [socket] port", "70000" },
	{ "invalid-tun-no-address.conf", "invalid-tun-no-address.conf: [tun] ipv4_address", "a TUN node needs" },
	{ "invalid-subnet-host-bits.conf", "invalid-subnet-host-bits.conf:5: [vpn] subnets", "host bits" },
	{ "invalid-mtu-ipv6.conf", "invalid-mtu-ipv6.conf:3: [tun] mtu", "1280" },
	{ "invalid-ping.conf", "invalid-ping.conf:5: [vpn] ping_timeout_sec", "longer than ping_interval_sec" },
	{ "invalid-hub.conf", "invalid-hub.conf:2: [hub] address", "bad_host!" },
	{ "invalid-short-key.conf", "invalid-short-key.conf:4: [encryption] psk", "base64" },
	{ "invalid-duplicate.conf", "invalid-duplicate.conf:3:", "ipv4_address" },
	{ "invalid-ifname.conf", "invalid-ifname.conf:3: [tun] interface", "/dev/tun8" },
	{ "invalid-scripts-key.conf", "invalid-scripts-key.conf:5: unknown key 'tun_teardown' in [scripts]",
	  "tun_setup_ipv6" },
	{ "invalid-percent.conf", "invalid-percent.conf:3: [tun] interface", "%" },
	{ "invalid-ca-relative.conf", "invalid-ca-relative.conf:5: [encryption] ca", "absolute path" },
	{ "invalid-cert-without-ca.conf", "invalid-cert-without-ca.conf:5: [encryption] cert", "set without ca" },
};

static void test_invalid(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
		const struct bad_case *bc = &bad_cases[i];
		g_autoptr(GError) error = NULL;
		g_autoptr(NMConnection) c = NULL;
		const char *msg;

		warnings = 0;
		c = import(bc->file, &error);
		CHECK(c == NULL && error != NULL);
		msg = error ? error->message : "";
		if (!strstr(msg, bc->where) || !strstr(msg, bc->what))
			fprintf(stderr, "%s: got \"%s\", expected \"%s\" ... \"%s\"\n", bc->file, msg,
				bc->where, bc->what);
		CHECK(strstr(msg, bc->where) && strstr(msg, bc->what));
		printf("# %s\n", msg);
		CHECK(!strstr(msg, KEY_SHORT) && !strstr(msg, KEY_URLSAFE));
		CHECK_INT(warnings, 0); /* nothing is logged for a file that is refused */
	}
}

static void test_not_a_file(void)
{
	g_autoptr(GError) e1 = NULL;
	g_autoptr(GError) e2 = NULL;
	g_autoptr(GError) e3 = NULL;

	CHECK(nm_meshub_import_file("/dev/null", &e1) == NULL && e1 && strstr(e1->message, "regular file"));
	CHECK(nm_meshub_import_file(TEST_DATA_DIR, &e2) == NULL && e2);
	CHECK(nm_meshub_import_file(TEST_DATA_DIR "/import/missing.conf", &e3) == NULL && e3);
}

static void test_hostile_text(void)
{
	static const char nul[] = "[tun]\nipv4_address = 10.0.0.1/24\0\n[hub]\n";
	g_autoptr(GError) e1 = NULL;
	g_autoptr(GError) e2 = NULL;
	g_autoptr(GError) e3 = NULL;
	GString *big = g_string_new("[tun]\n");

	CHECK(nm_meshub_import_text("nul.conf", nul, sizeof(nul) - 1, &e1) == NULL && e1);
	while (big->len <= NM_MESHUB_IMPORT_MAX)
		g_string_append(big, "# padding padding padding padding padding padding padding\n");
	CHECK(nm_meshub_import_text("big.conf", big->str, big->len, &e2) == NULL && e2);
	g_string_free(big, TRUE);
	CHECK(nm_meshub_import_text("empty.conf", "", 0, &e3) == NULL && e3); /* TUN without address */
}

/* -------------------------------------------------------------------- export */

static void test_export_file(void)
{
	g_autoptr(NMConnection) c = import("several-hubs.conf", NULL);
	g_autofree char *dir = g_dir_make_tmp("meshub-export-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "out.conf", NULL);
	g_autofree char *text = NULL;
	g_autoptr(NMConnection) back = NULL;
	struct stat st;

	CHECK(c && dir);
	if (!c || !dir)
		return;
	CHECK(nm_meshub_export_file(path, c, NULL));
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600); /* it holds the key */
	CHECK(g_file_get_contents(path, &text, NULL, NULL));
	CHECK(text && g_str_has_prefix(text, "# meshub configuration"));
	CHECK(text && strstr(text, "\n[hub]\naddress = hub-a.example.org:4001,"));
	CHECK(text && strstr(text, "psk = " KEY_STD "\n"));
	back = nm_meshub_import_file(path, NULL);
	CHECK(back && !strcmp(nm_connection_get_id(back), "out"));
	g_unlink(path);
	g_rmdir(dir);
}

static void test_export_without_key(void)
{
	g_autoptr(NMConnection) c = import("tap.conf", NULL);
	char *text;
	NMSettingVpn *s_vpn;

	CHECK(c != NULL);
	if (!c)
		return;
	s_vpn = nm_connection_get_setting_vpn(c);
	/* saved by NetworkManager (flags 0) but not handed over, as nmcli export does */
	nm_setting_vpn_remove_secret(s_vpn, NM_MESHUB_KEY_PSK);
	text = nm_meshub_export_text(c, NULL);
	CHECK(text && strstr(text, "# psk = (NetworkManager stores the key but did not export it") &&
	      !strstr(text, "not stored") && !strstr(text, "not saved"));
	nm_meshub_export_free(text);
	/* asked for on every connect */
	nm_setting_set_secret_flags(NM_SETTING(s_vpn), NM_MESHUB_KEY_PSK, NM_SETTING_SECRET_FLAG_NOT_SAVED, NULL);
	text = nm_meshub_export_text(c, NULL);
	CHECK(text && strstr(text, "# psk = (not saved: it is asked for on every connect"));
	nm_meshub_export_free(text);
	nm_setting_set_secret_flags(NM_SETTING(s_vpn), NM_MESHUB_KEY_PSK, NM_SETTING_SECRET_FLAG_AGENT_OWNED, NULL);
	text = nm_meshub_export_text(c, NULL);
	CHECK(text && strstr(text, "# psk = (kept by the user's agent"));
	nm_setting_vpn_remove_data_item(s_vpn, NM_MESHUB_KEY_PSK_FLAGS); /* a file has no flags */
	round_trip(c);
	nm_meshub_export_free(text);
}

static void test_export_refuses_bad_data(void)
{
	g_autoptr(NMConnection) c = import("tap.conf", NULL);
	g_autoptr(GError) error = NULL;

	CHECK(c != NULL);
	if (!c)
		return;
	/* a value with a newline would inject lines into the file */
	nm_setting_vpn_add_data_item(nm_connection_get_setting_vpn(c), NM_MESHUB_KEY_HOSTNAME,
				     "x\n[vpn]\nuser=root");
	CHECK(nm_meshub_export_text(c, &error) == NULL);
	CHECK(error && strstr(error->message, "Host name"));
}

/* --------------------------------------------------- values (nm-meshub-data) */

struct value_case {
	const char *key;
	const char *in;
	const char *out; /* NULL: refused */
};

static const struct value_case value_cases[] = {
	{ NM_MESHUB_KEY_HUB, " a.example.org , 2001:db8::1 ,[::1]:5,",
	  "a.example.org,[2001:db8::1],[::1]:5" },
	{ NM_MESHUB_KEY_HUB, "198.51.100.7:3731, hub_1.example.", "198.51.100.7:3731,hub_1.example." },
	{ NM_MESHUB_KEY_HUB, "", "" },
	{ NM_MESHUB_KEY_HUB, "host.123", NULL },
	{ NM_MESHUB_KEY_HUB, "1.2.3.256", NULL },
	{ NM_MESHUB_KEY_HUB, "[::1", NULL },
	{ NM_MESHUB_KEY_HUB, "[::1]x", NULL },
	{ NM_MESHUB_KEY_HUB, "[10.0.0.1]:5", NULL },
	{ NM_MESHUB_KEY_HUB, "a:0", NULL },
	{ NM_MESHUB_KEY_HUB, "a:65536", NULL },
	{ NM_MESHUB_KEY_HUB, "-a.example.org", NULL },
	{ NM_MESHUB_KEY_HUB, "a b", NULL },
	{ NM_MESHUB_KEY_HUB, "a,b,c,d,e,f,g,h,i", NULL },
	{ NM_MESHUB_KEY_IPV4_ADDRESS, "10.0.0.1", "10.0.0.1" },
	{ NM_MESHUB_KEY_IPV4_ADDRESS, "10.0.0.1/33", NULL },
	{ NM_MESHUB_KEY_IPV4_ADDRESS, "10.0.0.1/", NULL },
	{ NM_MESHUB_KEY_IPV4_ADDRESS, "10.0.0.1/+8", NULL },
	{ NM_MESHUB_KEY_IPV4_ADDRESS, "fd00::1/64", NULL },
	{ NM_MESHUB_KEY_IPV6_ADDRESS, "fd00::1/128", "fd00::1/128" },
	{ NM_MESHUB_KEY_IPV6_ADDRESS, "fd00::1/129", NULL },
	{ NM_MESHUB_KEY_SUBNETS, "10.0.0.0/8, ::/0", "10.0.0.0/8,::/0" },
	{ NM_MESHUB_KEY_SUBNETS, "10.0.0.1/8", NULL },
	{ NM_MESHUB_KEY_ROUTES, "10.0.0.1/8", NULL }, /* host bits: meshubd refuses them too */
	{ NM_MESHUB_KEY_ROUTES, "10.0.0.0/8", "10.0.0.0/8" },
	{ NM_MESHUB_KEY_LAN_ADVERT_PORTS, "3731, 3732,", "3731,3732" },
	{ NM_MESHUB_KEY_LAN_ADVERT_PORTS, "0", NULL },
	{ NM_MESHUB_KEY_PORT, " 007 ", "7" },
	{ NM_MESHUB_KEY_PORT, "-1", NULL },
	{ NM_MESHUB_KEY_PORT, "+5", NULL },
	{ NM_MESHUB_KEY_PORT, "99999999999", NULL },
	{ NM_MESHUB_KEY_TYPE, "TAP", "tap" },
	{ NM_MESHUB_KEY_TYPE, "tunnel", NULL },
	{ NM_MESHUB_KEY_LOG_LEVEL, "Warning", "warning" },
	{ NM_MESHUB_KEY_INTERFACE, "tun%d", "tun%d" },
	{ NM_MESHUB_KEY_INTERFACE, "a%db%d", NULL },
	{ NM_MESHUB_KEY_INTERFACE, "x%s", NULL },
	{ NM_MESHUB_KEY_INTERFACE, "sixteen-chars-xx", NULL },
	{ NM_MESHUB_KEY_INTERFACE, "..", NULL },
	{ NM_MESHUB_KEY_MTU, "0", "0" },
	{ NM_MESHUB_KEY_MTU, "575", NULL },
	{ NM_MESHUB_KEY_MTU, "576", "576" },
	{ NM_MESHUB_KEY_HOSTNAME, "a b", NULL },
	{ NM_MESHUB_KEY_HOSTNAME, "0123456789012345678901234567890123456789012345678901234567890123", NULL },
	{ NM_MESHUB_KEY_ADDRESS, "::", "::" },
	{ NM_MESHUB_KEY_ADDRESS, "localhost", NULL },
	{ NM_MESHUB_KEY_ADVERT_INTERVAL, "4", NULL },
	{ NM_MESHUB_KEY_PSK_FLAGS, "8", NULL },
};

static void test_values(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(value_cases); i++) {
		const struct value_case *vc = &value_cases[i];
		g_autoptr(GError) error = NULL;
		g_autofree char *out = nm_meshub_data_normalize(nm_meshub_data_find(vc->key), vc->in, &error);

		if (g_strcmp0(out, vc->out))
			fprintf(stderr, "%s '%s' -> '%s', expected '%s'\n", vc->key, vc->in,
				out ? out : "(refused)", vc->out ? vc->out : "(refused)");
		CHECK(!g_strcmp0(out, vc->out));
		CHECK(out || (error && strstr(error->message, "expected")));
	}
}

static void test_hubs_with_port(void)
{
	g_autofree char *a = nm_meshub_data_hubs_with_port("a,b:1,[::1],[::2]:2,1.2.3.4", 9);
	g_autofree char *b = nm_meshub_data_hubs_with_port("", 9);

	CHECK(!strcmp(a, "a:9,b:1,[::1]:9,[::2]:2,1.2.3.4:9"));
	CHECK(!strcmp(b, ""));
}

static void test_psk_values(void)
{
	g_autoptr(GError) error = NULL;

	CHECK(nm_meshub_data_check_psk(KEY_URLSAFE, NULL));
	CHECK(nm_meshub_data_check_psk(KEY_STD, NULL));
	/* blanks around it, no padding */
	CHECK(nm_meshub_data_check_psk(" ooNE36bl74+yiFwD35rD7S1nmHDknAI8s0o3b6UeV3c\n", NULL));
	CHECK(!nm_meshub_data_check_psk(KEY_SHORT, &error));
	CHECK(error && !strstr(error->message, KEY_SHORT));
	CHECK(!nm_meshub_data_check_psk("<generate your own using ./generate_fernet_key.py>", NULL));
	CHECK(!nm_meshub_data_check_psk("", NULL));
}

int main(void)
{
	warning_text = g_string_new(NULL);
	g_log_set_handler("nm-meshub", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE, log_cb, NULL);
	RUN(test_values);
	RUN(test_hubs_with_port);
	RUN(test_psk_values);
	RUN(test_sample_full);
	RUN(test_sample_minimal);
	RUN(test_several_hubs);
	RUN(test_tap);
	RUN(test_ipv6_only);
	RUN(test_percent);
	RUN(test_continuation);
	RUN(test_ca_network);
	RUN(test_crlf);
	RUN(test_psk_file);
	RUN(test_invalid);
	RUN(test_not_a_file);
	RUN(test_hostile_text);
	RUN(test_export_file);
	RUN(test_export_without_key);
	RUN(test_export_refuses_bad_data);
	g_string_free(warning_text, TRUE);
	return check_exit();
}
