/* nm-config-test.c - the NetworkManager service without NetworkManager
 * (nm-plugin/nm-meshub-config.c, -engine.c, -gateway.c linked directly):
 * vpn.data becomes a meshubd configuration that meshubd's parser accepts and
 * that holds no key, '%' is escaped, the IP configuration has the addresses,
 * never-default and the routes of each family; every bad connection fails
 * with NM_VPN_PLUGIN_ERROR_BAD_ARGUMENTS naming the vpn.data key, never
 * showing the key; the readiness line parser refuses anything odd; the
 * external gateway is the first hub (an address, or a name resolved), else a
 * local address. */
#include "config.h"

#include "nm-plugin/nm-meshub-config.h"
#include "nm-plugin/nm-meshub-engine.h"
#include "nm-plugin/nm-meshub-gateway.h"
#include "nm-plugin/nm-meshub-keys.h"
#include "properties/nm-meshub-data.h"
#include "tests/check.h"

#include <arpa/inet.h>

#define UUID "0f3b5a57-8e0f-4c32-9d2b-6a7f1b2c3d4e"
#define KEY "kITJPzsFjhaN4-7Q3Lz2QuCwLI1xIMT3NoRdKIic6eM="
#define NOT_A_KEY "s3cret-but-not-a-key"

static const NMMeshubPaths paths = { .run_dir = "/run/test-nm", .state_dir = "/var/lib/test-meshub" };

/* data: NULL-terminated key, value pairs */
static NMConnection *make(const char *const *data, const char *psk)
{
	NMConnection *c = nm_simple_connection_new();
	NMSetting *s_con = nm_setting_connection_new();
	NMSettingVpn *s_vpn = NM_SETTING_VPN(nm_setting_vpn_new());

	g_object_set(s_con, NM_SETTING_CONNECTION_ID, "mesh", NM_SETTING_CONNECTION_UUID, UUID,
		     NM_SETTING_CONNECTION_TYPE, NM_SETTING_VPN_SETTING_NAME, NULL);
	g_object_set(s_vpn, NM_SETTING_VPN_SERVICE_TYPE, NM_MESHUB_SERVICE_NAME, NULL);
	for (size_t i = 0; data[i]; i += 2)
		nm_setting_vpn_add_data_item(s_vpn, data[i], data[i + 1]);
	if (psk)
		nm_setting_vpn_add_secret(s_vpn, NM_MESHUB_KEY_PSK, psk);
	nm_connection_add_setting(c, s_con);
	nm_connection_add_setting(c, NM_SETTING(s_vpn));
	return c;
}

static NMMeshubConfig *convert(const char *const *data, const char *psk, GError **error)
{
	g_autoptr(NMConnection) c = make(data, psk);

	return nm_meshub_config_new(c, &paths, error);
}

/* The connection fails, with BAD_ARGUMENTS and a message holding want. */
static void check_refused(const char *const *data, const char *psk, const char *want)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NMMeshubConfig) config = convert(data, psk, &error);

	if (config)
		fprintf(stderr, "accepted, expected an error about '%s'\n", want);
	CHECK(config == NULL);
	CHECK(g_error_matches(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_BAD_ARGUMENTS));
	if (error && !strstr(error->message, want)) {
		fprintf(stderr, "message '%s' lacks '%s'\n", error->message, want);
		check_failures++;
	}
	CHECK(!error || !strstr(error->message, NOT_A_KEY));
	CHECK(!error || !strstr(error->message, KEY));
}

static void test_full(void)
{
	const char *const data[] = { "hub", "198.18.0.1, hub.example.net:4000", "ipv4-address", "10.99.0.9/24",
				     "ipv6-address", "fd99::9/64", "interface", "mesh%d", "hostname", "n%x",
				     "routes", "10.98.0.0/16,fd98::/64", "port", "3799", "psk-flags", "0",
				     NULL };
	g_autoptr(GError) error = NULL;
	g_autoptr(NMMeshubConfig) c = convert(data, KEY, &error);

	CHECK(c != NULL);
	if (!c) {
		fprintf(stderr, "%s\n", error->message);
		return;
	}
	CHECK(strstr(c->ini, "[hub]\naddress = 198.18.0.1,hub.example.net:4000\n") != NULL);
	CHECK(strstr(c->ini, "interface = mesh%%d\n") != NULL);
	CHECK(strstr(c->ini, "hostname = n%%x\n") != NULL);
	CHECK(strstr(c->ini, "port = 3799\n") != NULL);
	CHECK(strstr(c->ini, "key_file = /var/lib/test-meshub/nm-" UUID ".key\n") != NULL);
	CHECK(strstr(c->ini, "state_dir = /var/lib/test-meshub\n") != NULL);
	CHECK(strstr(c->ini, "control = /run/test-nm/" UUID ".sock\n") != NULL);
	CHECK(strstr(c->ini, "state_dir = /var/lib/test-meshub\n") != NULL);
	CHECK(!g_strcmp0(c->name, "mesh") && !g_strcmp0(c->name_path, "/run/test-nm/" UUID ".name"));
	CHECK(strstr(c->ini, KEY) == NULL);
	CHECK(strstr(c->ini, "psk") == NULL);
	CHECK(!g_strcmp0(c->conf_path, "/run/test-nm/" UUID ".conf"));
	CHECK(!g_strcmp0(c->psk, KEY));
	CHECK(!g_strcmp0(c->gateway_host, "198.18.0.1"));
	CHECK(c->listen_address == NULL);
	CHECK(c->has_ip4 && c->has_ip6);
	CHECK(!c->log_level_set);
}

/* NetworkManager gets the node's own addresses as DNS servers for the
 * routing-only domain ~DOMAIN, unless [vpn] dns is off; yes/no keys set to
 * no (dns, port-mapping, port-prediction) reach the file, defaults do not. */
static void test_dns(void)
{
	const char *const data[] = { "ipv4-address", "10.99.0.9/24", "ipv6-address", "fd99::9/64", "dns-domain",
				     "corp.mesh", NULL };
	const char *const off[] = { "ipv4-address", "10.99.0.9/24", "dns", "Off", "port-mapping", "no",
				    "port-prediction", "no", NULL };
	g_autoptr(NMMeshubConfig) c = convert(data, KEY, NULL);
	g_autoptr(NMMeshubConfig) c_off = convert(off, KEY, NULL);
	g_autoptr(GVariant) dns4 = NULL;
	g_autoptr(GVariant) dns6 = NULL;
	g_autoptr(GVariant) first6 = NULL;
	g_autofree const char **dom4 = NULL;
	g_autofree const char **dom6 = NULL;
	const guint32 *a4;
	const guint8 *a6;
	gsize n = 0;
	guint8 want6[16];

	CHECK(c && c->ip4 && c->ip6);
	if (!c || !c->ip4 || !c->ip6)
		return;
	CHECK(strstr(c->ini, "dns_domain = corp.mesh\n") != NULL);
	dns4 = g_variant_lookup_value(c->ip4, NM_VPN_PLUGIN_IP4_CONFIG_DNS, G_VARIANT_TYPE("au"));
	CHECK(dns4 && (a4 = g_variant_get_fixed_array(dns4, &n, 4)) && n == 1 && a4[0] == inet_addr("10.99.0.9"));
	CHECK(g_variant_lookup(c->ip4, NM_VPN_PLUGIN_IP4_CONFIG_DOMAINS, "^a&s", &dom4));
	CHECK(dom4 && dom4[0] && !strcmp(dom4[0], "~corp.mesh") && !dom4[1]);
	dns6 = g_variant_lookup_value(c->ip6, NM_VPN_PLUGIN_IP6_CONFIG_DNS, G_VARIANT_TYPE("aay"));
	CHECK(dns6 && g_variant_n_children(dns6) == 1);
	inet_pton(AF_INET6, "fd99::9", want6);
	if (dns6 && g_variant_n_children(dns6) == 1) {
		first6 = g_variant_get_child_value(dns6, 0);
		a6 = g_variant_get_fixed_array(first6, &n, 1);
		CHECK(n == 16 && !memcmp(a6, want6, 16));
	}
	CHECK(g_variant_lookup(c->ip6, NM_VPN_PLUGIN_IP6_CONFIG_DOMAINS, "^a&s", &dom6));
	CHECK(dom6 && dom6[0] && !strcmp(dom6[0], "~corp.mesh"));
	CHECK(c_off && c_off->ip4 && !g_variant_lookup_value(c_off->ip4, NM_VPN_PLUGIN_IP4_CONFIG_DNS, NULL));
	CHECK(c_off && strstr(c_off->ini, "dns = no\n"));
	CHECK(c_off && strstr(c_off->ini, "port_mapping = no\n") && strstr(c_off->ini, "port_prediction = no\n"));
	CHECK(c && !strstr(c->ini, "port_mapping") && !strstr(c->ini, "port_prediction")); /* the defaults */
}

static void test_ip4(void)
{
	const char *const data[] = { "hub", "198.18.0.1", "ipv4-address", "10.99.0.9/24", "routes",
				     "10.98.0.0/16, 192.168.7.0/24", NULL };
	g_autoptr(NMMeshubConfig) c = convert(data, KEY, NULL);
	g_autoptr(GVariant) routes = NULL;
	g_autoptr(GVariant) first = NULL;
	guint32 addr = 0, prefix = 0, dest = 0, plen = 0;
	gboolean never = FALSE;

	CHECK(c && c->ip4 && !c->ip6 && c->has_ip4 && !c->has_ip6);
	if (!c || !c->ip4)
		return;
	CHECK(g_variant_lookup(c->ip4, NM_VPN_PLUGIN_IP4_CONFIG_ADDRESS, "u", &addr));
	CHECK_INT(addr, inet_addr("10.99.0.9"));
	CHECK(g_variant_lookup(c->ip4, NM_VPN_PLUGIN_IP4_CONFIG_PREFIX, "u", &prefix));
	CHECK_INT(prefix, 24);
	CHECK(g_variant_lookup(c->ip4, NM_VPN_PLUGIN_IP4_CONFIG_NEVER_DEFAULT, "b", &never) && never);
	routes = g_variant_lookup_value(c->ip4, NM_VPN_PLUGIN_IP4_CONFIG_ROUTES, G_VARIANT_TYPE("aau"));
	CHECK(routes && g_variant_n_children(routes) == 2);
	if (!routes || g_variant_n_children(routes) != 2)
		return;
	first = g_variant_get_child_value(routes, 0);
	g_variant_get_child(first, 0, "u", &dest);
	g_variant_get_child(first, 1, "u", &plen);
	CHECK_INT(dest, inet_addr("10.98.0.0"));
	CHECK_INT(plen, 16);
}

static void test_ip6(void)
{
	const char *const data[] = { "ipv6-address", "fd99::9/64", "routes", "fd98::/48", "log-level", "debug",
				     NULL };
	g_autoptr(NMMeshubConfig) c = convert(data, KEY, NULL);
	g_autoptr(GVariant) addr = NULL;
	g_autoptr(GVariant) routes = NULL;
	guint8 want[16];
	guint32 prefix = 0;
	gsize n = 0;

	CHECK(c && !c->ip4 && c->ip6);
	if (!c || !c->ip6)
		return;
	CHECK(c->gateway_host == NULL); /* no hub */
	CHECK(c->log_level_set);
	addr = g_variant_lookup_value(c->ip6, NM_VPN_PLUGIN_IP6_CONFIG_ADDRESS, G_VARIANT_TYPE("ay"));
	inet_pton(AF_INET6, "fd99::9", want);
	CHECK(addr && g_variant_get_fixed_array(addr, &n, 1) && n == 16);
	if (addr && n == 16)
		CHECK_MEM(g_variant_get_fixed_array(addr, &n, 1), want, 16);
	CHECK(g_variant_lookup(c->ip6, NM_VPN_PLUGIN_IP6_CONFIG_PREFIX, "u", &prefix));
	CHECK_INT(prefix, 64);
	routes = g_variant_lookup_value(c->ip6, NM_VPN_PLUGIN_IP6_CONFIG_ROUTES, G_VARIANT_TYPE("a(ayuayu)"));
	CHECK(routes && g_variant_n_children(routes) == 1);
}

static void test_tap_without_addresses(void)
{
	const char *const data[] = { "type", "TAP", "hub", "[2001:db8::1]:3731", "address", "198.18.9.9",
				     NULL };
	g_autoptr(NMMeshubConfig) c = convert(data, KEY, NULL);

	CHECK(c && !c->has_ip4 && !c->has_ip6);
	CHECK(c && strstr(c->ini, "type = tap\n"));
	CHECK(c && !g_strcmp0(c->gateway_host, "2001:db8::1"));
	CHECK(c && !g_strcmp0(c->listen_address, "198.18.9.9"));
}

/* A CA network: the three files go to [encryption], the key still only over the pipe. */
static void test_ca_network(void)
{
	const char *const data[] = { "ipv4-address", "10.99.0.9/24", "ca", "/etc/meshub/ca.crt", "cert",
				     "/etc/meshub/n9.crt", "crl", "/etc/meshub/revoked.crl", NULL };
	const char *const no_cert[] = { "ipv4-address", "10.99.0.9/24", "ca", "/etc/meshub/ca.crt", NULL };
	const char *const relative[] = { "ipv4-address", "10.99.0.9/24", "ca", "ca.crt", "cert", "/n9.crt", NULL };
	const char *const crl_alone[] = { "ipv4-address", "10.99.0.9/24", "crl", "/etc/meshub/revoked.crl", NULL };
	g_autoptr(GError) error = NULL;
	g_autoptr(NMMeshubConfig) c = convert(data, KEY, &error);

	CHECK(c != NULL);
	if (!c) {
		fprintf(stderr, "%s\n", error->message);
		return;
	}
	CHECK(strstr(c->ini, "[encryption]\nca = /etc/meshub/ca.crt\ncert = /etc/meshub/n9.crt\n"
			     "crl = /etc/meshub/revoked.crl\n") != NULL);
	CHECK(strstr(c->ini, KEY) == NULL && strstr(c->ini, "psk") == NULL);
	check_refused(no_cert, KEY, "vpn.data ca: set without cert; expected cert = FILE");
	check_refused(relative, KEY, "vpn.data ca: not an absolute path");
	check_refused(crl_alone, KEY, "vpn.data crl: set without ca");
}

static void test_refused(void)
{
	const char *const bad_v4[] = { "hub", "198.18.0.1", "ipv4-address", "10.99.0.300/24", NULL };
	const char *const unknown[] = { "ipv4-address", "10.99.0.9/24", "bogus", "1", NULL };
	const char *const host_bits[] = { "ipv4-address", "10.99.0.9/24", "routes", "10.98.0.1/16", NULL };
	const char *const v6_route[] = { "ipv4-address", "10.99.0.9/24", "routes", "fd98::/64", NULL };
	const char *const bad_port[] = { "ipv4-address", "10.99.0.9/24", "port", "70000", NULL };
	const char *const bad_hub[] = { "ipv4-address", "10.99.0.9/24", "hub", "a b", NULL };
	const char *const ping[] = { "ipv4-address", "10.99.0.9/24", "ping-interval-sec", "100", NULL };
	const char *const no_addr[] = { "hub", "198.18.0.1", NULL };
	const char *const ifname[] = { "ipv4-address", "10.99.0.9/24", "interface", "a-much-too-long-name",
				       NULL };
	const char *const mtu6[] = { "ipv6-address", "fd99::9/64", "mtu", "1000", NULL };
	const char *const ok[] = { "ipv4-address", "10.99.0.9/24", NULL };

	check_refused(bad_v4, KEY, "ipv4-address");
	check_refused(bad_v4, KEY, "10.99.0.300/24");
	check_refused(unknown, KEY, "'bogus'");
	check_refused(host_bits, KEY, "routes");
	check_refused(v6_route, KEY, "routes");
	check_refused(bad_port, KEY, "port");
	check_refused(bad_hub, KEY, "hub");
	check_refused(ping, KEY, "invalid vpn.data ping-interval-sec: must be shorter than ping_timeout_sec");
	check_refused(no_addr, KEY, "ipv4-address");
	check_refused(ifname, KEY, "interface");
	check_refused(mtu6, KEY, "mtu");
	check_refused(ok, NULL, "psk");
	check_refused(ok, NOT_A_KEY, "psk");
}

static void test_uuid(void)
{
	const char *const data[] = { "ipv4-address", "10.99.0.9/24", NULL };
	g_autoptr(NMConnection) c = make(data, KEY);
	g_autoptr(GError) error = NULL;
	g_autoptr(NMMeshubConfig) config = NULL;

	g_object_set(nm_connection_get_setting_connection(c), NM_SETTING_CONNECTION_UUID, "../../etc/x", NULL);
	config = nm_meshub_config_new(c, &paths, &error);
	CHECK(config == NULL && error != NULL);
}

static void test_needs_psk(void)
{
	g_autoptr(NMSettingVpn) s = NM_SETTING_VPN(nm_setting_vpn_new());

	CHECK(nm_meshub_config_needs_psk(s));
	nm_setting_vpn_add_data_item(s, NM_MESHUB_KEY_PSK_FLAGS, "2");
	CHECK(nm_meshub_config_needs_psk(s));
	nm_setting_vpn_add_data_item(s, NM_MESHUB_KEY_PSK_FLAGS, "4");
	CHECK(!nm_meshub_config_needs_psk(s));
	nm_setting_vpn_add_data_item(s, NM_MESHUB_KEY_PSK_FLAGS, "1");
	nm_setting_vpn_add_secret(s, NM_MESHUB_KEY_PSK, KEY);
	CHECK(!nm_meshub_config_needs_psk(s));
}

static void test_hub_host(void)
{
	static const char *const cases[][2] = {
		{ "198.18.0.1", "198.18.0.1" }, { "198.18.0.1:4000", "198.18.0.1" },
		{ "hub.example:3731", "hub.example" }, { "[fd00::1]:3731", "fd00::1" },
		{ "[fd00::1]", "fd00::1" }, { "fd00::1", "fd00::1" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *h = nm_meshub_config_hub_host(cases[i][0]);

		CHECK(!g_strcmp0(h, cases[i][1]));
	}
}

static void test_ready_line(void)
{
	static const char *const bad[] = {
		"", "READY", "READY ifname= mtu=1400", "READY ifname=mesh0", "READY ifname=mesh0 mtu=",
		"READY ifname=mesh0 mtu=14x0", "READY ifname=mesh0 mtu=70000", "READY ifname=mesh0 mtu=20",
		"READY ifname=a-name-longer-than-15 mtu=1400", "READY ifname=a/b mtu=1400",
		"READY ifname=mesh0 mtu=1400 extra", "READY ifname=mesh\x01 mtu=1400",
		"ready ifname=mesh0 mtu=1400",
	};
	char ifname[NM_MESHUB_ENGINE_IFNAME_MAX + 1] = "";
	guint mtu = 0;

	CHECK(nm_meshub_engine_parse_ready("READY ifname=mesh0 mtu=1420\n", ifname, &mtu));
	CHECK(!strcmp(ifname, "mesh0"));
	CHECK_INT(mtu, 1420);
	CHECK(nm_meshub_engine_parse_ready("READY ifname=tun15 mtu=65535", ifname, &mtu));
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		if (nm_meshub_engine_parse_ready(bad[i], ifname, &mtu)) {
			fprintf(stderr, "accepted '%s'\n", bad[i]);
			check_failures++;
		}
	}
}

struct found {
	gboolean done;
	GInetAddress *addr;
};

static void on_found(GObject *source, GAsyncResult *res, gpointer data)
{
	struct found *f = data;

	f->addr = nm_meshub_gateway_find_finish(res, NULL);
	f->done = TRUE;
}

static char *find_gateway(const char *hub, const char *listen)
{
	struct found f = { FALSE, NULL };
	gint64 end = g_get_monotonic_time() + 15 * G_USEC_PER_SEC;
	char *s;

	nm_meshub_gateway_find_async(hub, listen, NULL, on_found, &f);
	while (!f.done && g_get_monotonic_time() < end)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(10000);
	s = f.addr ? g_inet_address_to_string(f.addr) : NULL;
	g_clear_object(&f.addr);
	return s;
}

/* A resolver that knows no name, so that no test sends a DNS query
 * (GResolver itself answers for addresses and "localhost"). */
#define TEST_TYPE_RESOLVER (test_resolver_get_type())
G_DECLARE_FINAL_TYPE(TestResolver, test_resolver, TEST, RESOLVER, GResolver)

struct _TestResolver {
	GResolver parent;
};

G_DEFINE_TYPE(TestResolver, test_resolver, G_TYPE_RESOLVER)

static void test_resolver_lookup_async(GResolver *r, const char *host, GCancellable *c, GAsyncReadyCallback cb,
				       gpointer data)
{
	g_autoptr(GTask) task = g_task_new(r, c, cb, data);

	g_task_return_new_error(task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "%s: unknown (test)", host);
}

static void test_resolver_lookup_flags_async(GResolver *r, const char *host, GResolverNameLookupFlags flags,
					     GCancellable *c, GAsyncReadyCallback cb, gpointer data)
{
	test_resolver_lookup_async(r, host, c, cb, data);
}

static GList *test_resolver_lookup_finish(GResolver *r, GAsyncResult *res, GError **error)
{
	return g_task_propagate_pointer(G_TASK(res), error);
}

static void test_resolver_init(TestResolver *r)
{
}

static void test_resolver_class_init(TestResolverClass *klass)
{
	GResolverClass *rc = G_RESOLVER_CLASS(klass);

	rc->lookup_by_name_async = test_resolver_lookup_async;
	rc->lookup_by_name_finish = test_resolver_lookup_finish;
	rc->lookup_by_name_with_flags_async = test_resolver_lookup_flags_async;
	rc->lookup_by_name_with_flags_finish = test_resolver_lookup_finish;
}

static void test_gateway(void)
{
	g_autofree char *literal = find_gateway("198.18.0.1", NULL);
	g_autofree char *v6 = find_gateway("2001:db8::7", NULL);
	g_autofree char *local = find_gateway(NULL, "192.0.2.5");
	g_autofree char *name = find_gateway("localhost", NULL);
	g_autofree char *unknown = find_gateway("hub.example.net", "192.0.2.6");
	g_autoptr(GInetAddress) direct = nm_meshub_gateway_local("192.0.2.7", NULL);

	CHECK(!g_strcmp0(literal, "198.18.0.1"));
	CHECK(!g_strcmp0(v6, "2001:db8::7"));
	CHECK(!g_strcmp0(local, "192.0.2.5"));
	CHECK(name && (!strcmp(name, "127.0.0.1") || !strcmp(name, "::1")));
	CHECK(!g_strcmp0(unknown, "192.0.2.6")); /* the name does not resolve: the local address */
	CHECK(direct != NULL);
}

/* The two helpers' sources agree: every key name has a table entry. */
static void test_keys_table(void)
{
	static const char *const keys[] = { NM_MESHUB_DATA_KEYS };

	for (size_t i = 0; keys[i]; i++)
		CHECK(nm_meshub_data_find(keys[i]) != NULL);
}

static void log_quiet(const char *domain, GLogLevelFlags level, const char *msg, gpointer data)
{
}

int main(void)
{
	g_autoptr(GResolver) resolver = g_object_new(TEST_TYPE_RESOLVER, NULL);

	g_resolver_set_default(resolver);
	g_log_set_default_handler(log_quiet, NULL);
	RUN(test_full);
	RUN(test_dns);
	RUN(test_ip4);
	RUN(test_ip6);
	RUN(test_tap_without_addresses);
	RUN(test_refused);
	RUN(test_ca_network);
	RUN(test_uuid);
	RUN(test_needs_psk);
	RUN(test_hub_host);
	RUN(test_ready_line);
	RUN(test_gateway);
	RUN(test_keys_table);
	return check_exit();
}
