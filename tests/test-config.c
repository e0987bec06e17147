/* test-config.c - meshubd's configuration: the original meshub samples mean
 * what they meant, the new keys, every kind of error (with file, line and
 * key, never the PSK), psk_file permissions. */
#include "check.h"
#include "engine/conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#define PLACEHOLDER "<generate your own using ./generate_fernet_key.py>"
/* bytes 0..31, standard base64; and bytes 200..231 url-safe (a Fernet key) */
#define PSK_STD "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define PSK_URL "yMnKy8zNzs_Q0dLT1NXW19jZ2tvc3d7f4OHi4-Tl5uc="

static struct conf cfg;
static struct conf_error err;
static char warnings[4096];
static unsigned n_warnings;

static void collect(void *ctx, const char *msg)
{
	size_t n = strlen(warnings);

	CHECK(ctx == &n_warnings);
	snprintf(warnings + n, sizeof(warnings) - n, "%s\n", msg);
	n_warnings++;
}

/* Neither the key text nor a good part of it shows in err or the warnings. */
static void check_no_psk(void)
{
	static const char *const parts[] = {PSK_STD, PSK_URL, "AAECAwQFBgcICQ", "yMnKy8zNzs", "aaecawqfbgcicq"};

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		CHECK(strstr(err.msg, parts[i]) == NULL);
		CHECK(strstr(warnings, parts[i]) == NULL);
	}
}

static int parse(const char *text, const char *name)
{
	warnings[0] = '\0';
	n_warnings = 0;
	conf_free(&cfg);
	return conf_parse(text, strlen(text), name, &cfg, &err, collect, &n_warnings);
}

/* A fixture from tests/data/config, with the sample's placeholder PSK
 * replaced by psk (if not NULL). The caller frees. */
static char *fixture(const char *name, const char *psk)
{
	char path[4096], *text = calloc(1, 65536), *at;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/config/%s", TEST_DATA_DIR, name);
	f = fopen(path, "r");
	if (!f || !text) {
		perror(path);
		exit(99);
	}
	n = fread(text, 1, 65535, f);
	fclose(f);
	text[n] = '\0';
	at = psk ? strstr(text, PLACEHOLDER) : NULL;
	if (at) {
		memmove(at + strlen(psk), at + strlen(PLACEHOLDER), strlen(at + strlen(PLACEHOLDER)) + 1);
		memcpy(at, psk, strlen(psk));
	}
	return text;
}

/* The 1-based line of the first line of text that contains what. */
static unsigned line_of(const char *text, const char *what)
{
	const char *at = strstr(text, what);
	unsigned line = 1;

	for (const char *s = text; at && s < at; s++)
		line += *s == '\n';
	return at ? line : 0;
}

static void check_prefix(const struct wire_prefix *p, const char *addr, unsigned len)
{
	uint8_t want[16] = {0};
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET;

	CHECK_INT(inet_pton(family, addr, want), 1);
	CHECK_INT(p->family, family == AF_INET ? 4 : 6);
	CHECK_INT(p->len, len);
	CHECK_MEM(p->addr, want, family == AF_INET ? 4 : 16);
}

static void check_str(const char *got, const char *want)
{
	if (!got || strcmp(got, want)) {
		fprintf(stderr, "got '%s', expected '%s'\n", got ? got : "(null)", want);
		check_failures++;
	}
}

static void test_config_sample_full(void)
{
	char *text = fixture("sample-full.cfg", PSK_URL), where[64];
	uint8_t want[32];

	CHECK_INT(parse(text, "sample-full.cfg"), 0);
	check_str(cfg.listen_address, "0.0.0.0");
	CHECK_INT(cfg.port, 3732);
	CHECK_INT(cfg.n_lan_ports, 2);
	CHECK_INT(cfg.lan_ports[0], 3731);
	CHECK_INT(cfg.lan_ports[1], 3732);
	check_str(cfg.control_path, "");
	CHECK_INT(cfg.n_hubs, 1);
	check_str(cfg.hubs[0].host, "1.2.3.4");
	CHECK_INT(cfg.hubs[0].port, 3731);
	CHECK_INT(cfg.advert_interval_sec, 60);
	check_str(cfg.hostname, "client");
	CHECK_INT(cfg.ping_interval_sec, 15);
	CHECK_INT(cfg.ping_timeout_sec, 300);
	CHECK_INT(cfg.restart_delay_sec, 10);
	CHECK_INT(cfg.log_level, CONF_LOG_DEFAULT);
	CHECK(!cfg.tap);
	check_str(cfg.interface, "tun%d");
	CHECK(cfg.has_ipv4);
	CHECK(!cfg.has_ipv6);
	check_prefix(&cfg.ipv4, "192.168.21.2", 24);
	CHECK_INT(cfg.mtu, 0);
	check_str(cfg.tun_setup, "ip link set $iface up");
	check_str(cfg.tun_setup_ipv4, "ip addr add $addr/$prefixlen dev $iface");
	check_str(cfg.tun_setup_ipv6, "ip -6 addr add $addr/$prefixlen dev $iface");
	CHECK(cfg.has_psk);
	for (int i = 0; i < 32; i++)
		want[i] = (uint8_t)(200 + i);
	CHECK_MEM(cfg.psk, want, 32);
	/* maintenance_interval_sec and the two port exemptions have no effect */
	CHECK_INT(n_warnings, 3);
	CHECK(strstr(warnings, "meshub encrypts all traffic; unencrypted_tcp_ports is ignored") != NULL);
	CHECK(strstr(warnings, "meshub encrypts all traffic; unencrypted_udp_ports is ignored") != NULL);
	CHECK(strstr(warnings, "maintenance_interval_sec has no effect: meshubd is event-driven") != NULL);
	snprintf(where, sizeof(where), "sample-full.cfg:%u: meshub encrypts", line_of(text, "unencrypted_tcp_ports ="));
	CHECK(strstr(warnings, where) != NULL); /* file and line */
	check_no_psk();
	conf_free(&cfg);
	CHECK(!cfg.has_psk);
	CHECK(sodium_is_zero(cfg.psk, 32));
	CHECK(cfg.tun_setup == NULL && cfg.tun_setup_ipv4 == NULL && cfg.tun_setup_ipv6 == NULL);
	conf_free(&cfg); /* twice is harmless */
	free(text);
}

/* As shipped, the samples hold a placeholder: the error says how to make a key. */
static void test_config_sample_placeholder(void)
{
	static const char *const names[] = {"sample-full.cfg", "sample-minimal.cfg"};

	for (size_t i = 0; i < 2; i++) {
		char *text = fixture(names[i], NULL), want[128];

		CHECK_INT(parse(text, names[i]), -EINVAL);
		snprintf(want, sizeof(want), "%s:%u: [encryption] psk: ", names[i], line_of(text, "psk ="));
		CHECK(strstr(err.msg, want) == err.msg);
		CHECK(strstr(err.msg, "meshub genkey") != NULL);
		CHECK(strstr(err.msg, "generate_fernet") == NULL);
		CHECK(!cfg.has_psk && cfg.tun_setup == NULL);
		free(text);
	}
}

static void test_config_sample_minimal(void)
{
	char *text = fixture("sample-minimal.cfg", PSK_STD);
	uint8_t want[32];

	CHECK_INT(parse(text, "sample-minimal.cfg"), 0);
	check_str(cfg.listen_address, "0.0.0.0");
	CHECK_INT(cfg.port, 3731);
	CHECK_INT(cfg.n_lan_ports, 0);
	CHECK_INT(cfg.n_hubs, 1);
	check_str(cfg.hubs[0].host, "1.2.3.4");
	CHECK_INT(cfg.hubs[0].port, 3731);
	CHECK_INT(cfg.advert_interval_sec, 60);
	check_str(cfg.hostname, "");
	CHECK_INT(cfg.ping_interval_sec, 15);
	CHECK_INT(cfg.ping_timeout_sec, 90);
	CHECK_INT(cfg.restart_delay_sec, 10);
	CHECK_INT(cfg.log_level, CONF_LOG_DEFAULT);
	CHECK_INT(cfg.n_subnets, 0);
	check_str(cfg.user, "");
	check_str(cfg.key_file, "");
	CHECK(cfg.dns);
	check_str(cfg.dns_domain, "mesh");
	CHECK(cfg.port_mapping);    /* issue 13: both on unless switched off */
	CHECK(cfg.port_prediction);
	CHECK(!cfg.tap);
	check_str(cfg.interface, "tun%d");
	check_prefix(&cfg.ipv4, "192.168.21.2", 24);
	CHECK(!cfg.has_ipv6);
	CHECK_INT(cfg.mtu, 0);
	CHECK_INT(cfg.n_routes, 0);
	check_str(cfg.tun_setup, "ip link set $iface up");
	check_str(cfg.tun_setup_ipv4, "ip addr add $addr/$prefixlen dev $iface");
	CHECK(cfg.tun_setup_ipv6 == NULL);
	CHECK(cfg.has_psk);
	for (int i = 0; i < 32; i++)
		want[i] = (uint8_t)i;
	CHECK_MEM(cfg.psk, want, 32);
	check_str(cfg.psk_file, "");
	CHECK_INT(n_warnings, 0);
	conf_free(&cfg);
	free(text);
}

static void test_config_new_keys(void)
{
	char *text = fixture("several-hubs.conf", NULL);

	CHECK_INT(parse(text, "several-hubs.conf"), 0);
	check_str(cfg.listen_address, "::");
	CHECK_INT(cfg.port, 3740);
	CHECK_INT(cfg.n_lan_ports, 1); /* "3740," */
	CHECK_INT(cfg.lan_ports[0], 3740);
	check_str(cfg.control_path, "/run/meshub/test.sock");
	CHECK_INT(cfg.n_hubs, 4);
	check_str(cfg.hubs[0].host, "hub1.example.net");
	CHECK_INT(cfg.hubs[0].port, 3800); /* [hub] port, set after address */
	check_str(cfg.hubs[1].host, "198.18.0.1");
	CHECK_INT(cfg.hubs[1].port, 4000);
	check_str(cfg.hubs[2].host, "2001:db8::1");
	CHECK_INT(cfg.hubs[2].port, 3999);
	check_str(cfg.hubs[3].host, "198.18.0.2");
	CHECK_INT(cfg.hubs[3].port, 3800);
	CHECK_INT(cfg.advert_interval_sec, 30);
	check_str(cfg.hostname, "alpha-1");
	CHECK_INT(cfg.ping_interval_sec, 10);
	CHECK_INT(cfg.ping_timeout_sec, 45);
	CHECK_INT(cfg.restart_delay_sec, 3);
	CHECK_INT(cfg.log_level, CONF_LOG_DEBUG);
	CHECK_INT(cfg.n_subnets, 2);
	check_prefix(&cfg.subnets[0], "10.77.8.0", 24); /* via %(net)s from [DEFAULT] */
	check_prefix(&cfg.subnets[1], "fd00:77:8::", 64);
	check_str(cfg.user, "meshub");
	check_str(cfg.key_file, "/var/lib/meshub/test.key");
	CHECK(!cfg.tap);
	check_str(cfg.interface, "mesh%d");
	check_prefix(&cfg.ipv4, "10.77.0.1", 16);
	check_prefix(&cfg.ipv6, "fd00:77::1", 64);
	CHECK(cfg.has_ipv4 && cfg.has_ipv6);
	CHECK_INT(cfg.mtu, 1400);
	CHECK_INT(cfg.n_routes, 2);
	check_prefix(&cfg.routes[1], "10.79.0.0", 16);
	CHECK(cfg.tun_setup == NULL);
	CHECK(!cfg.has_psk); /* allowed: the daemon may get the key over a pipe */
	CHECK_INT(n_warnings, 0);
	conf_free(&cfg);
	free(text);
}

static void test_config_tap_and_multiline(void)
{
	char *text = fixture("tap.conf", NULL);

	CHECK_INT(parse(text, "tap.conf"), 0);
	CHECK(cfg.tap);
	CHECK(!cfg.has_ipv4 && !cfg.has_ipv6);
	check_str(cfg.interface, "tap-mesh");
	free(text);
	text = fixture("multiline.conf", NULL);
	CHECK_INT(parse(text, "multiline.conf"), 0);
	check_str(cfg.interface, "/dev/tun8");
	check_str(cfg.hubs[0].host, "198.18.0.1");
	check_str(cfg.tun_setup, "/sbin/ifconfig tun8 up");
	check_str(cfg.tun_setup_ipv4, "/sbin/ifconfig tun8 192.168.21.2 192.168.21.254;\n"
				      "/sbin/route -n add -net 192.168.21.0/24 192.168.21.254");
	check_str(cfg.tun_setup_ipv6, "/sbin/ifconfig tun8 inet6 alias fd00:21::8;\n"
				      "/sbin/route -n delete -inet6 fd00:21::/64;\n\n"
				      "/sbin/route -n add -inet6 -net fd00:21::/64 -interface tun8");
	conf_free(&cfg);
	free(text);
}

static void test_config_hub_forms(void)
{
	CHECK_INT(parse("[hub]\naddress = 2001:db8::7, [::1], hub.example:1, HUB-2.example.,\nport = 99\n"
			"[tun]\nipv4_address = 10.0.0.1\n",
			"t"),
		  0);
	CHECK_INT(cfg.n_hubs, 4);
	check_str(cfg.hubs[0].host, "2001:db8::7"); /* a bare IPv6 address takes [hub] port */
	CHECK_INT(cfg.hubs[0].port, 99);
	check_str(cfg.hubs[1].host, "::1");
	CHECK_INT(cfg.hubs[1].port, 99);
	CHECK_INT(cfg.hubs[2].port, 1);
	check_str(cfg.hubs[3].host, "HUB-2.example.");
	check_prefix(&cfg.ipv4, "10.0.0.1", 32); /* without /len: a host address */
	/* no [hub] at all: LAN discovery only */
	CHECK_INT(parse("[tun]\nipv6_address = fd00::1\nmtu = 1280\n", "t"), 0);
	CHECK_INT(cfg.n_hubs, 0);
	check_prefix(&cfg.ipv6, "fd00::1", 128);
	conf_free(&cfg);
}

struct bad_case {
	const char *text;
	unsigned line; /* 0: the message has no line */
	const char *what[3];
};

#define TUN "[tun]\nipv4_address = 10.0.0.1/24\n"
#define KEY "[encryption]\npsk = " PSK_STD "\n"

static const struct bad_case bad_cases[] = {
	{KEY "[vpn]\nfoo = 1\n", 4, {"unknown key 'foo' in [vpn]; known keys: hostname, ping_interval_sec"}},
	{KEY "[socket]\nport = 70000\n" TUN, 4, {"[socket] port: ", "1..65535", "got '70000'"}},
	{KEY "[socket]\nport = -1\n" TUN, 4, {"[socket] port: ", "got '-1'"}},
	{KEY "[socket]\nport = 0x10\n" TUN, 4, {"[socket] port: "}},
	{KEY "[socket]\naddress = 1.2.3.4.5\n" TUN, 4, {"[socket] address: ", "got '1.2.3.4.5'"}},
	{KEY "[socket]\nlan_advert_ports = 1,2,3,4,5,6,7,8,9\n" TUN, 4, {"[socket] lan_advert_ports: ", "at most 8"}},
	{KEY "[socket]\nlan_advert_ports = 1, 1\n" TUN, 4, {"[socket] lan_advert_ports: ", "twice"}},
	{KEY "[socket]\ncontrol = run/x.sock\n" TUN, 4, {"[socket] control: ", "absolute"}},
	{KEY "[socket]\ncontrol = /run/meshub/0123456789012345678901234567890123456789012345678901234567890123456"
	     "789012345678901234567890123456789.sock\n" TUN,
	 4, {"[socket] control: ", "at most 107"}},
	{TUN KEY "[hub]\naddress = 1.2.3.4:99999\n", 6, {"[hub] address: ", "1..65535", "got '1.2.3.4:99999'"}},
	{TUN KEY "[hub]\naddress = a, b, c, d, e, f, g, h, i\n", 6, {"[hub] address: ", "at most 8", "got 'i'"}},
	{TUN KEY "[hub]\naddress = bad..name\n", 6, {"[hub] address: ", "[IPv6]:port", "got 'bad..name'"}},
	{TUN KEY "[hub]\naddress = [::1\n", 6, {"[hub] address: "}},
	{TUN KEY "[hub]\naddress = [1.2.3.4]:5\n", 6, {"[hub] address: "}},
	{TUN KEY "[hub]\naddress = 1.2.3\n", 6, {"[hub] address: "}},
	{TUN KEY "[hub]\naddress = 1.2.3.4:0\n", 6, {"[hub] address: "}},
	{TUN KEY "[hub]\nadvert_interval_sec = 4\n", 6, {"[hub] advert_interval_sec: ", "5..3600", "got '4'"}},
	{TUN "[vpn]\nhostname = two words\n", 4, {"[vpn] hostname: ", "without spaces", "got 'two words'"}},
	{TUN "[vpn]\nhostname = 0123456789012345678901234567890123456789012345678901234567890123\n", 4,
	 {"[vpn] hostname: ", "1..63"}},
	{TUN "[vpn]\nlog_level = loud\n", 4, {"[vpn] log_level: ", "error, warning, info or debug", "got 'loud'"}},
	{TUN "[vpn]\nsubnets = 10.1.2.3/24\n", 4, {"[vpn] subnets: host bits", "10.1.2.0/24", "got '10.1.2.3/24'"}},
	{TUN "[vpn]\nsubnets = fd00::1/64\n", 4, {"[vpn] subnets: host bits", "fd00::/64"}},
	{TUN "[vpn]\nsubnets = 10.1.2.0/33\n", 4, {"[vpn] subnets: ", "got '10.1.2.0/33'"}},
	{TUN "[vpn]\nsubnets = 1.0.0.0/8,2.0.0.0/8,3.0.0.0/8,4.0.0.0/8,5.0.0.0/8,6.0.0.0/8,7.0.0.0/8,8.0.0.0/8,"
	     "9.0.0.0/8\n",
	 4, {"[vpn] subnets: ", "at most 8"}},
	{TUN "[vpn]\nuser = -root\n", 4, {"[vpn] user: "}},
	{TUN "[vpn]\nkey_file = node.key\n", 4, {"[vpn] key_file: ", "absolute"}},
	{TUN "[vpn]\nping_interval_sec = 0\n", 4, {"[vpn] ping_interval_sec: ", "1..3600"}},
	{TUN "[vpn]\nping_interval_sec = 30\nping_timeout_sec = 30\n", 5,
	 {"[vpn] ping_timeout_sec: ", "longer than ping_interval_sec", "got '30'"}},
	{TUN "[vpn]\nping_interval_sec = 100\n", 4, {"[vpn] ping_interval_sec: ", "shorter than ping_timeout_sec", "got '100'"}},
	{TUN "[vpn]\nrestart_delay_sec = 3601\n", 4, {"[vpn] restart_delay_sec: "}},
	{TUN "[vpn]\ndns = maybe\n", 4, {"[vpn] dns: ", "expected yes or no", "got 'maybe'"}},
	{TUN "[socket]\nport_mapping = upnp\n", 4, {"[socket] port_mapping: ", "expected yes or no", "got 'upnp'"}},
	{TUN "[socket]\nport_prediction = 2\n", 4, {"[socket] port_prediction: ", "expected yes or no", "got '2'"}},
	{TUN "[vpn]\ndns =\n", 4, {"[vpn] dns: ", "expected yes or no", "got ''"}},
	{TUN "[vpn]\ndns_domain = my_mesh\n", 4, {"[vpn] dns_domain: ", "such as mesh or corp.mesh", "got 'my_mesh'"}},
	{TUN "[vpn]\ndns_domain = mesh.\n", 4, {"[vpn] dns_domain: ", "no trailing dot", "got 'mesh.'"}},
	{TUN "[vpn]\ndns_domain = -mesh\n", 4, {"[vpn] dns_domain: "}},
	{TUN "[vpn]\ndns_domain = a..b\n", 4, {"[vpn] dns_domain: "}},
	{TUN "[vpn]\ndns_domain = "
	     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	 4, {"[vpn] dns_domain: ", "1..63 characters each"}},
	{"[tun]\nipv4_address = 10.0.0.300/24\n", 2, {"[tun] ipv4_address: ", "a.b.c.d/len", "got '10.0.0.300/24'"}},
	{"[tun]\nipv4_address = 10.0.0.3/33\n", 2, {"[tun] ipv4_address: "}},
	{"[tun]\nipv4_address = fd00::1/64\n", 2, {"[tun] ipv4_address: "}},
	{"[tun]\nipv6_address = fd00::1/129\n", 2, {"[tun] ipv6_address: ", "0..128"}},
	{"[tun]\ntype = tun2\nipv4_address = 10.0.0.1\n", 2, {"[tun] type: ", "tun or tap", "got 'tun2'"}},
	{"[tun]\ninterface = abcdefghijklmnop\nipv4_address = 10.0.0.1\n", 2, {"[tun] interface: "}},
	{"[tun]\ninterface = tun%%s\nipv4_address = 10.0.0.1\n", 2, {"[tun] interface: ", "got 'tun%s'"}},
	{"[tun]\ninterface = a/b\nipv4_address = 10.0.0.1\n", 2, {"[tun] interface: "}},
	{"[tun]\ninterface = tun%d\nipv4_address = 10.0.0.1\n", 2, {"[tun] interface: ", "'%' must be followed"}},
	{"[tun]\nipv4_address = 10.0.0.1\nmtu = 500\n", 3, {"[tun] mtu: ", "576..65535", "got '500'"}},
	{"[tun]\nipv6_address = fd00::1/64\nmtu = 1000\n", 3, {"[tun] mtu: too small for IPv6", "1280", "got '1000'"}},
	{"[tun]\nipv4_address = 10.0.0.1\nroutes = 10.0.0.0/8, 10.0.0.1/8\n", 3, {"[tun] routes: host bits"}},
	{"[tun]\n", 0, {"[tun] ipv4_address: a TUN node needs ipv4_address or ipv6_address"}},
	{"[tun]\ntype = tun\nipv4_address =\n", 3, {"[tun] ipv4_address: a TUN node needs ipv4_address or ipv6_address"}},
	{KEY, 0, {"[tun] section is missing"}},
	{"", 0, {"[tun] section is missing"}},
	{TUN "[encryption]\nscheme = null\n", 4,
	 {"[encryption] scheme: scheme = null: meshub has no unencrypted mode; set psk (generate one with: meshub genkey)"}},
	{TUN "[encryption]\nscheme = rot13\n", 4, {"[encryption] scheme: ", "got 'rot13'"}},
	{TUN "[encryption]\npsk = " PLACEHOLDER "\n", 4, {"[encryption] psk: ", "meshub genkey"}},
	{TUN "[encryption]\npsk = AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\n", 4, {"[encryption] psk: ", "not shown"}},
	{TUN "[encryption]\npsk = AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=AA\n", 4, {"[encryption] psk: ", "not shown"}},
	{TUN "[encryption]\npsk = %(x)s\nx = " PSK_STD "%\n", 4, {"[encryption] psk: "}},
	{TUN KEY "psk_file = /etc/meshub/net.psk\n", 5, {"[encryption] psk_file: ", "only one"}},
	{TUN KEY "ca = ca.crt\ncert = /etc/meshub/alpha.crt\n", 5, {"[encryption] ca: ", "absolute", "got 'ca.crt'"}},
	{TUN KEY "cert = /etc/meshub/alpha.crt\n", 5, {"[encryption] cert: set without ca", "ca.crt"}},
	{TUN KEY "ca = /etc/meshub/ca.crt\n", 5, {"[encryption] ca: set without cert", "meshub ca sign"}},
	{TUN KEY "crl = /etc/meshub/net.crl\n", 5, {"[encryption] crl: set without ca"}},
	{TUN KEY "ca = /etc/meshub/ca.crt\ncrl = /etc/meshub/net.crl\n", 5, {"[encryption] ca: set without cert"}},
	{TUN "[encryption]\n" PSK_STD "\n", 4, {"unknown key (43 characters, not shown) in [encryption]"}},
	{TUN KEY "[vpn]\nhostname = 100%\n", 6, {"[vpn] hostname: ", "'%%' for a literal"}},
	{TUN KEY "[vpn]\nhostname = %(nothere)s\n", 6, {"[vpn] hostname: ", "%(nothere)s"}},
	{TUN KEY "[vpn]\nping_interval_sec = 5\nPING_INTERVAL_SEC = 6\n", 7, {"[vpn] ping_interval_sec: ", "first on line 6"}},
	{TUN KEY "[tun]\n", 5, {"[tun]: section appears twice (first on line 1)"}},
	{TUN KEY "[Tun]\n", 5, {"unknown section [Tun]", "[tun]"}},
	{TUN KEY "[foo]\nbar = 1\n", 5, {"unknown section [foo]"}},
	{"hostname = x\n" TUN, 1, {"before any section"}},
};

static void check_bad(const struct bad_case *c)
{
	char want[64];

	if (c->line)
		snprintf(want, sizeof(want), "bad.conf:%u: ", c->line);
	else
		snprintf(want, sizeof(want), "bad.conf: ");
	CHECK_INT(parse(c->text, "bad.conf"), -EINVAL);
	if (strstr(err.msg, want) != err.msg) {
		fprintf(stderr, "'%s' does not start with '%s'\n", err.msg, want);
		check_failures++;
	}
	for (int i = 0; i < 3 && c->what[i]; i++)
		if (!strstr(err.msg, c->what[i])) {
			fprintf(stderr, "'%s' lacks '%s'\n", err.msg, c->what[i]);
			check_failures++;
		}
	CHECK(strlen(err.msg) < sizeof(err.msg));
	CHECK(!cfg.has_psk);
	CHECK(sodium_is_zero(cfg.psk, 32));
	check_no_psk();
}

static void test_config_errors(void)
{
	static const char nul[] = TUN "[vpn]\nhostname = a\0b\n";

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		check_bad(&bad_cases[i]);
	conf_free(&cfg);
	CHECK_INT(conf_parse(nul, sizeof(nul) - 1, "nul.conf", &cfg, &err, NULL, NULL), -EINVAL);
	CHECK(strstr(err.msg, "nul.conf:4: NUL byte") == err.msg);
}

/* A key pasted below "psk =" on an indented line continues the value. */
static void test_config_psk_forms(void)
{
	CHECK_INT(parse(TUN "[encryption]\npsk =\n    " PSK_URL "\nscheme = FERNET\n", "t"), 0);
	CHECK(cfg.has_psk);
	CHECK_INT(cfg.psk[0], 200);
	CHECK_INT(parse(TUN "[encryption]\nscheme = noise\npsk = AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n", "t"), 0);
	CHECK(cfg.has_psk); /* padding is optional */
	CHECK_INT(parse(TUN "[encryption]\npsk =\n", "t"), 0);
	CHECK(!cfg.has_psk); /* empty: as if unset */
	conf_free(&cfg);
}

static void test_config_dns(void)
{
	static const char *const yes[] = {"yes", "YES", "true", "On", "1"}, *const no[] = {"no", "False", "off", "0"};
	char text[512], domain[DNS_DOMAIN_MAX + 2];

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(text, sizeof(text), TUN "[vpn]\ndns = %s\n", yes[i]);
		CHECK_INT(parse(text, "t"), 0);
		CHECK(cfg.dns);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		snprintf(text, sizeof(text), TUN "[vpn]\ndns = %s\n", no[i]);
		CHECK_INT(parse(text, "t"), 0);
		CHECK(!cfg.dns);
		check_str(cfg.dns_domain, "mesh");
	}
	CHECK_INT(parse(TUN "[socket]\nport_mapping = no\nport_prediction = off\n", "t"), 0);
	CHECK(!cfg.port_mapping);
	CHECK(!cfg.port_prediction);
	CHECK_INT(parse(TUN "[vpn]\ndns_domain = Corp.Mesh-1\n", "t"), 0);
	check_str(cfg.dns_domain, "Corp.Mesh-1");
	CHECK(cfg.dns);
	CHECK_INT(parse(TUN "[vpn]\ndns_domain =\n", "t"), 0); /* empty: the default */
	check_str(cfg.dns_domain, "mesh");
	/* the longest domain: 63 + 1 + 63 + 1 + 61 characters */
	memset(domain, 'd', sizeof(domain));
	domain[63] = domain[127] = '.';
	domain[DNS_DOMAIN_MAX] = '\0';
	snprintf(text, sizeof(text), TUN "[vpn]\ndns_domain = %s\n", domain);
	CHECK_INT(parse(text, "t"), 0);
	check_str(cfg.dns_domain, domain);
	domain[DNS_DOMAIN_MAX] = 'd';
	domain[DNS_DOMAIN_MAX + 1] = '\0';
	snprintf(text, sizeof(text), TUN "[vpn]\ndns_domain = %s\n", domain);
	CHECK_INT(parse(text, "t"), -EINVAL);
	CHECK(strstr(err.msg, "t:4: [vpn] dns_domain: ") == err.msg);
	CHECK(strstr(err.msg, "at most 189 characters") != NULL);
	conf_free(&cfg);
}

static void test_config_tap_ok(void)
{
	CHECK_INT(parse("[tun]\ntype = TAP\n", "t"), 0);
	CHECK(cfg.tap);
	CHECK_INT(parse("[tun]\ntype = tap\nipv6_address = fd00::2/64\nmtu = 1280\n[vpn]\nlog_level = Warning\n", "t"), 0);
	CHECK(cfg.has_ipv6);
	CHECK_INT(cfg.log_level, CONF_LOG_WARNING);
	CHECK_INT(parse("[socket]\nselect_interval_sec = 5\n[tun]\ntype = tap\n", "t.conf"), 0);
	CHECK_INT(n_warnings, 1);
	CHECK(strstr(warnings, "t.conf:2: select_interval_sec has no effect: meshubd is event-driven") != NULL);
	conf_free(&cfg);
}

static int write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	fclose(f);
	return chmod(path, mode);
}

/* A CA network's files (read by the daemon, not by the parser). */
static void test_config_ca_files(void)
{
	CHECK_INT(parse(TUN KEY "ca = /etc/meshub/ca.crt\ncert = /etc/meshub/alpha.crt\ncrl = /etc/meshub/net.crl\n"
			    "[vpn]\nkey_file = /var/lib/meshub/alpha.key\n", "ca.conf"), 0);
	check_str(cfg.ca_file, "/etc/meshub/ca.crt");
	check_str(cfg.cert_file, "/etc/meshub/alpha.crt");
	check_str(cfg.crl_file, "/etc/meshub/net.crl");
	CHECK(cfg.has_psk); /* the PSK stays the membership key */
	CHECK_INT(parse(TUN KEY "ca = /etc/meshub/ca.crt\ncert = /etc/meshub/alpha.crt\n", "ca.conf"), 0);
	check_str(cfg.crl_file, "");
	CHECK_INT(parse(TUN KEY, "psk.conf"), 0);
	check_str(cfg.ca_file, "");
	check_str(cfg.cert_file, "");
	conf_free(&cfg);
}

static void test_config_load(void)
{
	char dir[] = "/tmp/meshub-test-config.XXXXXX", conf[128], psk[128], text[512];
	int ret;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(conf, sizeof(conf), "%s/mesh.conf", dir);
	snprintf(psk, sizeof(psk), "%s/net.psk", dir);
	snprintf(text, sizeof(text), TUN "[encryption]\npsk_file = %s\n", psk);
	CHECK_INT(write_file(conf, text, 0644), 0);
	CHECK_INT(write_file(psk, PSK_STD "\n", 0600), 0);
	conf_free(&cfg);
	CHECK_INT(conf_load(conf, &cfg, &err, collect, &n_warnings), 0);
	CHECK(cfg.has_psk);
	CHECK_INT(cfg.psk[31], 31);
	check_str(cfg.psk_file, psk);
	conf_free(&cfg);

	CHECK_INT(chmod(psk, 0644), 0);
	CHECK_INT(conf_load(conf, &cfg, &err, collect, &n_warnings), -EPERM);
	CHECK(strstr(err.msg, "mesh.conf:4: [encryption] psk_file: ") != NULL);
	CHECK(strstr(err.msg, "chmod 600") != NULL);
	CHECK(!cfg.has_psk && sodium_is_zero(cfg.psk, 32));
	check_no_psk();

	CHECK_INT(write_file(psk, "not a key\n", 0600), 0);
	CHECK_INT(conf_load(conf, &cfg, &err, collect, &n_warnings), -EINVAL);
	CHECK(strstr(err.msg, "it holds no key") != NULL);
	CHECK(strstr(err.msg, "not a key") == NULL);
	unlink(psk);
	CHECK_INT(conf_load(conf, &cfg, &err, collect, &n_warnings), -ENOENT);
	CHECK(strstr(err.msg, "mesh.conf:4: [encryption] psk_file: '") != NULL);
	CHECK(strstr(err.msg, "net.psk': cannot read it: ") != NULL);

	/* a config holding the psk that others can read: loaded, with a warning */
	CHECK_INT(write_file(conf, TUN KEY, 0644), 0);
	warnings[0] = '\0';
	CHECK_INT(conf_load(conf, &cfg, &err, collect, &n_warnings), 0);
	CHECK(cfg.has_psk);
	CHECK(strstr(warnings, "chmod 600") != NULL);
	check_no_psk();
	conf_free(&cfg);

	CHECK_INT(conf_load(dir, &cfg, &err, collect, &n_warnings), -EINVAL);
	CHECK(strstr(err.msg, "not a regular file") != NULL);
	ret = conf_load("/nonexistent/meshub.conf", &cfg, &err, NULL, NULL);
	CHECK_INT(ret, -ENOENT);
	CHECK(strstr(err.msg, "/nonexistent/meshub.conf: cannot read it") == err.msg);
	unlink(conf);
	rmdir(dir);
}

/* The sample installed in the doc dir: meshubd takes it once the key is set,
 * and refuses it as it is (the placeholder). */
static void test_config_example(void)
{
	char *text = fixture("../../../engine/meshub.conf.example", NULL);
	const char *ph = "<run meshub genkey and paste its output here>";
	char *at = strstr(text, ph);

	CHECK(at != NULL);
	CHECK(conf_parse(text, strlen(text), "meshub.conf.example", &cfg, &err, NULL, NULL) < 0);
	CHECK(strstr(err.msg, "[encryption] psk: this is the sample file's placeholder") != NULL);
	if (at) {
		memmove(at + strlen(PSK_STD), at + strlen(ph), strlen(at + strlen(ph)) + 1);
		memcpy(at, PSK_STD, strlen(PSK_STD));
	}
	CHECK_INT(conf_parse(text, strlen(text), "meshub.conf.example", &cfg, &err, NULL, NULL), 0);
	if (!err.msg[0]) {
		CHECK(!cfg.port_set && cfg.port == CONF_DEFAULT_PORT && cfg.n_hubs == 1 && cfg.has_ipv4);
		CHECK(!strcmp(cfg.interface, "mesh%d") && cfg.dns);
		conf_free(&cfg);
	} else {
		fprintf(stderr, "%s\n", err.msg);
	}
	free(text);
}

struct diff_seen {
	unsigned n;
	const char *names[8];
};

static void diff_note(void *ctx, const struct conf_schema *k)
{
	struct diff_seen *seen = ctx;

	if (seen->n < 8)
		seen->names[seen->n] = k->name;
	seen->n++;
}

/* The schema: every key's row, one value checked as the parser checks it,
 * the error's key fields, and which keys differ between two files. */
static void test_config_schema(void)
{
	struct conf a, b;
	const struct conf_schema *k;
	size_t n = 0;
	struct diff_seen seen = {0};

	while ((k = conf_schema_at(n)) != NULL) {
		CHECK(k->expected && *k->expected);
		CHECK(conf_section_known(k->section));
		n++;
	}
	CHECK(n > 30);
	CHECK(conf_schema_find("socket", "port") && conf_schema_find("socket", "port")->kind == CONF_KIND_NUMBER);
	CHECK(conf_schema_find("vpn", "log_level") && (conf_schema_find("vpn", "log_level")->flags & CONF_LIVE));
	CHECK(conf_schema_find("tun", "ipv4_address") && !(conf_schema_find("tun", "ipv4_address")->flags & CONF_LIVE));
	CHECK(!conf_schema_find("tun", "nonsense"));
	CHECK(!conf_section_known("tunnel"));

	CHECK_INT(conf_check_value("socket", "port", "3733", &err), 0);
	CHECK_INT(conf_check_value("socket", "port", "70000", &err), -EINVAL);
	CHECK(!strcmp(err.section, "socket") && !strcmp(err.key, "port"));
	CHECK(!strcmp(err.what, "not a port; expected a UDP port number of 1..65535, got '70000'"));
	CHECK_INT(conf_check_value("tun", "interface", "mesh%d", &err), 0); /* uninterpolated */
	CHECK_INT(conf_check_value("encryption", "psk", "not-a-key-at-all", &err), -EINVAL);
	CHECK(!strstr(err.msg, "not-a-key-at-all") && !strstr(err.what, "not-a-key-at-all"));
	CHECK_INT(conf_check_value("tun", "bogus", "1", &err), -ENOENT);

	/* a rule between keys blames a key by name, even one not in the file */
	const char *cross = "[vpn]\nping_interval_sec = 120\n[tun]\nipv4_address = 10.0.0.1/24\n";
	const char *t1 = TUN "[hub]\naddress = h1\n[vpn]\nlog_level = info\n";
	const char *t2 = "[tun]\nipv4_address = 10.0.0.2/24\n[hub]\naddress = h2\n[vpn]\nlog_level = debug\n";

	CHECK(conf_parse(cross, strlen(cross), "x.conf", &a, &err, NULL, NULL) < 0);
	CHECK(!strcmp(err.section, "vpn") && !strcmp(err.key, "ping_interval_sec") && err.line == 2);

	CHECK_INT(conf_parse(t1, strlen(t1), "a", &a, &err, NULL, NULL), 0);
	CHECK_INT(conf_parse(t2, strlen(t2), "b", &b, &err, NULL, NULL), 0);
	conf_diff(&a, &b, diff_note, &seen);
	/* [hub] port shares the hubs' field: a new port is a new list */
	CHECK_INT(seen.n, 4);
	CHECK(!strcmp(seen.names[0], "address") && !strcmp(seen.names[1], "port"));
	CHECK(!strcmp(seen.names[2], "log_level") && !strcmp(seen.names[3], "ipv4_address"));
	seen.n = 0;
	conf_diff(&a, &a, diff_note, &seen);
	CHECK_INT(seen.n, 0);
	conf_free(&a);
	conf_free(&b);
}

int main(void)
{
	if (sodium_init() < 0)
		return 99;
	RUN(test_config_sample_full);
	RUN(test_config_sample_placeholder);
	RUN(test_config_sample_minimal);
	RUN(test_config_new_keys);
	RUN(test_config_tap_and_multiline);
	RUN(test_config_hub_forms);
	RUN(test_config_errors);
	RUN(test_config_psk_forms);
	RUN(test_config_dns);
	RUN(test_config_tap_ok);
	RUN(test_config_ca_files);
	RUN(test_config_load);
	RUN(test_config_schema);
	RUN(test_config_example);
	conf_free(&cfg);
	return check_exit();
}
