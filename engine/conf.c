/* conf.c - turns the text of a meshub configuration file (or an original
 * meshub client.cfg) into struct conf, refusing anything doubtful with a
 * message that names the file, the line, the key and what was expected. */
#include "config.h"

#include "conf.h"
#include "ini.h"
#include "keys.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONF_MAX_FILE (1u << 20)
#define CONF_MAX_PSK_FILE 256
#define CONF_SHOWN 60 /* characters of a value quoted in messages */
#define CONF_SHOWN_BUF (4 * CONF_SHOWN + 4)
#define CONF_KEY_SHOWN 32 /* longer key names are not quoted: they may be pasted keys */
#define CONF_ITEM_MAX 300     /* one entry of a comma-separated list */
#define CONF_SUN_PATH_MAX 107 /* sizeof(struct sockaddr_un.sun_path) - 1 */
#define CONF_IFNAME_MAX 15    /* IFNAMSIZ - 1 */
#define CONF_DEVPATH_MAX 63   /* a macOS device path such as /dev/tun8 */
#define CONF_MTU_MIN 576
#define CONF_MTU_MIN_IPV6 1280
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct conf_parse;
struct conf_key;

typedef int (*conf_apply_fn)(struct conf_parse *p, const struct conf_key *k, const char *v);
typedef int (*conf_item_fn)(struct conf_parse *p, const struct conf_key *k, const char *item);

/* One key: what conf.h tells the world about it, then how it is applied
 * and where it lands in struct conf (what conf_diff() compares). */
struct conf_key {
	struct conf_schema s; /* first: conf_schema_at() hands out &conf_keys[i].s */
	conf_apply_fn apply;
	size_t off;	  /* the field in struct conf */
	size_t size;	  /* its size (0: the key changes no field) */
	size_t count_off; /* prefix lists: the unsigned count */
	size_t off2, size2; /* a second field that belongs to it (a count, has_ipv4), or size2 0 */
	int family;	  /* addresses: 4 or 6 */
	const char *note; /* keys without effect: the warning */
};

struct conf_parse {
	const struct ini *ini;
	const char *name;
	struct conf *cfg;
	struct conf_error *err;
	conf_warn_fn warn;
	void *ctx;
	const struct ini_entry *e; /* the entry being applied */
	uint16_t hub_port;	   /* [hub] port: for hub entries without ":port" */
	unsigned psk_file_line;
};

static const char *const conf_sections[] = {"socket", "hub", "vpn", "tun", "scripts", "encryption", "DEFAULT"};

/* Fills err: msg is "NAME[:LINE]: [SECTION] KEY: WHAT" (or without the key
 * part when no key is to blame); section, key, line and what separately. */
static int conf_error_set(struct conf_parse *p, unsigned line, const char *section, const char *key,
			  const char *what)
{
	struct conf_error *err = p->err;
	char where[96] = "";

	snprintf(err->section, sizeof(err->section), "%s", section ? section : "");
	snprintf(err->key, sizeof(err->key), "%s", key ? key : "");
	snprintf(err->what, sizeof(err->what), "%s", what);
	err->line = line;
	if (section && key)
		snprintf(where, sizeof(where), "[%s] %s: ", section, key);
	if (line)
		snprintf(err->msg, sizeof(err->msg), "%s:%u: %s%s", p->name, line, where, what);
	else
		snprintf(err->msg, sizeof(err->msg), "%s: %s%s", p->name, where, what);
	return -EINVAL;
}

/* An error of the file as a whole, or of a line that is no key. */
__attribute__((format(printf, 3, 4))) static int conf_fail_at(struct conf_parse *p, unsigned line,
								 const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return conf_error_set(p, line, NULL, NULL, what);
}

static int conf_vfail(struct conf_parse *p, const char *section, const char *key, unsigned line,
		      const char *value, const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));
static int conf_vfail(struct conf_parse *p, const char *section, const char *key, unsigned line,
		      const char *value, const char *fmt, va_list ap)
{
	char what[320], shown[CONF_SHOWN_BUF], full[600];

	vsnprintf(what, sizeof(what), fmt, ap);
	if (value)
		ini_quote(shown, sizeof(shown), value, CONF_SHOWN);
	snprintf(full, sizeof(full), "%s%s%s%s", what, value ? ", got '" : "", value ? shown : "", value ? "'" : "");
	return conf_error_set(p, line, section, key, full);
}

/* "FILE:LINE: [section] key: <what>, got '<value>'" (no "got" if value is NULL). */
__attribute__((format(printf, 4, 5))) static int conf_fail(struct conf_parse *p, const struct ini_entry *e,
							      const char *value, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = conf_vfail(p, e->section, e->key, e->line, value, fmt, ap);
	va_end(ap);
	return ret;
}

/* The same about a key that may not be in the file (a rule between keys
 * blames one of them, set or not). */
__attribute__((format(printf, 5, 6))) static int conf_fail_key(struct conf_parse *p, const char *section,
								  const char *key, const char *value, const char *fmt,
								  ...)
{
	const struct ini_entry *e = p->ini ? ini_find(p->ini, section, key) : NULL;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = conf_vfail(p, section, key, e ? e->line : 0, value, fmt, ap);
	va_end(ap);
	return ret;
}

/* An error about the value of the entry being applied. */
#define conf_bad(p, v, ...) conf_fail((p), (p)->e, (v), __VA_ARGS__)

__attribute__((format(printf, 2, 3))) static void conf_warn(struct conf_parse *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	if (!p->warn)
		return;
	if (p->e)
		n = snprintf(msg, sizeof(msg), "%s:%u: ", p->name, p->e->line);
	else
		n = snprintf(msg, sizeof(msg), "%s: ", p->name);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = (int)sizeof(msg) - 1; /* a very long file name: the message is cut */
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	p->warn(p->ctx, msg);
}

static void *conf_field(struct conf_parse *p, const struct conf_key *k)
{
	return (char *)p->cfg + k->off;
}

/* Decimal digits only (no sign, no blanks), lo..hi. */
static int conf_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	unsigned long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > hi)
			return -ERANGE;
	}
	if (v < lo)
		return -ERANGE;
	*out = (unsigned)v;
	return 0;
}

static bool conf_printable(const char *s, bool space_ok)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f || (*s == ' ' && !space_ok))
			return false;
	return true;
}

/* "addr" or "addr/len"; family 0 takes either. Host bits may be set. */
static int conf_cidr(const char *s, int family, struct wire_prefix *out)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	char addr[INET6_ADDRSTRLEN];
	unsigned len, max;

	memset(out, 0, sizeof(*out));
	if (alen == 0 || alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (family != 6 && inet_pton(AF_INET, addr, out->addr) == 1)
		out->family = 4;
	else if (family != 4 && inet_pton(AF_INET6, addr, out->addr) == 1)
		out->family = 6;
	else
		return -EINVAL;
	max = out->family == 4 ? 32 : 128;
	len = max;
	if (slash && conf_uint(slash + 1, 0, max, &len) < 0)
		return -EINVAL;
	out->len = (uint8_t)len;
	return 0;
}

/* Clears the host bits of a prefix; returns whether any was set. */
static bool conf_mask(struct wire_prefix *pfx)
{
	unsigned bytes = pfx->family == 4 ? 4 : 16;
	bool set = false;

	for (unsigned i = 0; i < bytes; i++) {
		unsigned keep = pfx->len >= (i + 1) * 8 ? 8 : pfx->len > i * 8 ? pfx->len - i * 8 : 0;
		uint8_t mask = (uint8_t)(0xff00u >> keep);

		set |= (pfx->addr[i] & ~mask) != 0;
		pfx->addr[i] &= mask;
	}
	return set;
}

static void conf_format_prefix(const struct wire_prefix *pfx, char *out, size_t size)
{
	char addr[INET6_ADDRSTRLEN] = "?";

	inet_ntop(pfx->family == 4 ? AF_INET : AF_INET6, pfx->addr, addr, sizeof(addr));
	snprintf(out, size, "%s/%u", addr, pfx->len);
}

/* Calls fn for every comma-separated entry of v, blanks trimmed; empty
 * entries (a trailing comma, as in "3731, 3732,") are skipped. */
static int conf_each(struct conf_parse *p, const struct conf_key *k, const char *v, conf_item_fn fn)
{
	char item[CONF_ITEM_MAX + 1];
	int ret = 0;

	while (*v && ret == 0) {
		size_t n = strcspn(v, ","), start = 0, end = n;

		while (start < end && strchr(" \t\n", v[start]))
			start++;
		while (end > start && strchr(" \t\n", v[end - 1]))
			end--;
		if (end - start > CONF_ITEM_MAX)
			return conf_bad(p, v + start, "an entry is too long; expected at most %d characters",
					  CONF_ITEM_MAX);
		memcpy(item, v + start, end - start);
		item[end - start] = '\0';
		if (end > start)
			ret = fn(p, k, item);
		v += n;
		if (*v == ',')
			v++;
	}
	return ret;
}

static int conf_apply_uint(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	if (conf_uint(v, k->s.lo, k->s.hi, conf_field(p, k)) < 0)
		return conf_bad(p, v, "not a number in range; expected a whole number in %u..%u", k->s.lo, k->s.hi);
	return 0;
}

static int conf_port(struct conf_parse *p, const char *v, uint16_t *out)
{
	unsigned port;

	if (conf_uint(v, 1, 65535, &port) < 0)
		return conf_bad(p, v, "not a port; expected a UDP port number of 1..65535");
	*out = (uint16_t)port;
	return 0;
}

static int conf_apply_port(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	p->cfg->port_set = true;
	return conf_port(p, v, conf_field(p, k));
}

static int conf_apply_hub_port(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	return conf_port(p, v, &p->hub_port);
}

static int conf_lan_port(struct conf_parse *p, const struct conf_key *k, const char *item)
{
	struct conf *cfg = p->cfg;
	uint16_t port = 0;
	int ret = conf_port(p, item, &port);

	if (ret < 0)
		return ret;
	for (unsigned i = 0; i < cfg->n_lan_ports; i++)
		if (cfg->lan_ports[i] == port)
			return conf_bad(p, item, "port listed twice; expected each port once");
	if (cfg->n_lan_ports == CONF_MAX_LAN_PORTS)
		return conf_bad(p, item, "too many ports; expected at most %d", CONF_MAX_LAN_PORTS);
	cfg->lan_ports[cfg->n_lan_ports++] = port;
	return 0;
}

static int conf_apply_lan_ports(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	return conf_each(p, k, v, conf_lan_port);
}

static int conf_apply_listen(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	uint8_t addr[16];

	if (!*v)
		return 0;
	if (strlen(v) >= k->size || (inet_pton(AF_INET, v, addr) != 1 && inet_pton(AF_INET6, v, addr) != 1))
		return conf_bad(p, v, "not an address; expected an IPv4 or IPv6 address such as 0.0.0.0 or ::");
	strcpy(conf_field(p, k), v);
	return 0;
}

static int conf_apply_obsolete(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	conf_warn(p, "%s", k->note);
	return 0;
}

/* A DNS name (letters, digits, '-', '_', dots between labels of 1..63) whose
 * last label is not all digits, so that it cannot be read as an address. */
static bool conf_dns_name(const char *s)
{
	size_t len = strlen(s), label = 0;
	bool digits = true;

	if (len && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';

		if (c == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-')
				return false;
			if (i == len && digits)
				return false;
			label = 0;
			digits = true;
			continue;
		}
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') && c != '-' &&
		    c != '_')
			return false;
		digits &= c >= '0' && c <= '9';
		label++;
	}
	return true;
}

/* "[IPv6]" or "[IPv6]:port"; port_text gets the port part or NULL. */
static int conf_hub_bracket(const char *item, struct conf_hub *h, const char **port_text)
{
	const char *close = strchr(item, ']');
	uint8_t addr[16];
	size_t n;

	if (!close)
		return -EINVAL;
	n = (size_t)(close - item - 1);
	if (n == 0 || n > CONF_HOST_MAX)
		return -EINVAL;
	memcpy(h->host, item + 1, n);
	h->host[n] = '\0';
	if (inet_pton(AF_INET6, h->host, addr) != 1)
		return -EINVAL;
	if (close[1] == ':')
		*port_text = close + 2;
	else if (close[1])
		return -EINVAL;
	return 0;
}

/* "host", "host:port", "[IPv6]", "[IPv6]:port" or a bare IPv6 address. */
static int conf_hub_split(const char *item, struct conf_hub *h, const char **port_text)
{
	const char *colon = strchr(item, ':');
	uint8_t addr[16];
	size_t n;

	*port_text = NULL;
	if (item[0] == '[')
		return conf_hub_bracket(item, h, port_text);
	if (colon && strchr(colon + 1, ':')) {
		if (strlen(item) > CONF_HOST_MAX || inet_pton(AF_INET6, item, addr) != 1)
			return -EINVAL;
		strcpy(h->host, item);
		return 0;
	}
	n = colon ? (size_t)(colon - item) : strlen(item);
	if (n > CONF_HOST_MAX)
		return -EINVAL;
	memcpy(h->host, item, n);
	h->host[n] = '\0';
	if (inet_pton(AF_INET, h->host, addr) != 1 && !conf_dns_name(h->host))
		return -EINVAL;
	*port_text = colon ? colon + 1 : NULL;
	return 0;
}

static int conf_hub(struct conf_parse *p, const struct conf_key *k, const char *item)
{
	struct conf *cfg = p->cfg;
	struct conf_hub h = {0};
	const char *port_text;
	unsigned port = 0;

	if (conf_hub_split(item, &h, &port_text) < 0)
		return conf_bad(p, item, "not a hub address; expected host, host:port, IPv4:port or [IPv6]:port");
	if (port_text && conf_uint(port_text, 1, 65535, &port) < 0)
		return conf_bad(p, item, "bad port; expected a UDP port number of 1..65535 after ':'");
	if (cfg->n_hubs == CONF_MAX_HUBS)
		return conf_bad(p, item, "too many hubs; expected at most %d", CONF_MAX_HUBS);
	h.port = (uint16_t)port; /* 0: [hub] port, filled in at the end */
	cfg->hubs[cfg->n_hubs++] = h;
	return 0;
}

static int conf_apply_hubs(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	return conf_each(p, k, v, conf_hub);
}

static int conf_apply_hostname(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	if (strlen(v) >= k->size || !conf_printable(v, false))
		return conf_bad(p, v, "not a host name; expected 1..%zu printable ASCII characters without spaces",
				  k->size - 1);
	strcpy(conf_field(p, k), v);
	return 0;
}

static int conf_apply_user(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	bool ok = strlen(v) < k->size && v[0] != '-';

	for (const char *s = v; *s && ok; s++)
		ok = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		     *s == '_' || *s == '-' || *s == '.';
	if (!ok)
		return conf_bad(p, v, "not a user name; expected up to %zu letters, digits, '_', '-' or '.'",
				  k->size - 1);
	strcpy(conf_field(p, k), v);
	return 0;
}

/* The words Python's configparser takes for a boolean. */
static int conf_apply_bool(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	static const char *const yes[] = {"yes", "true", "on", "1"}, *const no[] = {"no", "false", "off", "0"};
	bool *field = conf_field(p, k);

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i]) || !strcasecmp(v, no[i])) {
			*field = !strcasecmp(v, yes[i]);
			return 0;
		}
	}
	return conf_bad(p, v, "not a yes/no value; expected yes or no (or true/false, on/off, 1/0)");
}

static int conf_apply_dns_domain(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	if (!*v)
		return 0;
	if (!dns_domain_valid(v))
		return conf_bad(p, v, "not a DNS domain; expected labels of letters, digits and inner '-' "
					"(1..%d characters each) joined by dots, at most %d characters, no trailing "
					"dot, such as mesh or corp.mesh", DNS_LABEL_MAX, DNS_DOMAIN_MAX);
	strcpy(conf_field(p, k), v);
	return 0;
}

static int conf_apply_path(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	if (!*v)
		return 0;
	if (v[0] != '/' || strlen(v) > k->s.hi || !conf_printable(v, true))
		return conf_bad(p, v, "not an absolute path; expected a path starting with '/', at most %u characters",
				  k->s.hi);
	strcpy(conf_field(p, k), v);
	return 0;
}

static int conf_apply_log_level(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	static const char *const names[] = {
		[CONF_LOG_ERROR] = "error",
		[CONF_LOG_WARNING] = "warning",
		[CONF_LOG_INFO] = "info",
		[CONF_LOG_DEBUG] = "debug",
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcasecmp(v, names[i])) {
			p->cfg->log_level = (int)i;
			return 0;
		}
	return conf_bad(p, v, "unknown level; expected error, warning, info or debug");
}

/* One entry of [vpn] subnets or [tun] routes: a network prefix. */
static int conf_prefix_item(struct conf_parse *p, const struct conf_key *k, const char *item)
{
	struct wire_prefix *list = conf_field(p, k), pfx;
	unsigned *count = (void *)((char *)p->cfg + k->count_off);
	char net[INET6_ADDRSTRLEN + 8];

	if (conf_cidr(item, 0, &pfx) < 0)
		return conf_bad(p, item, "not a prefix; expected address/length such as 10.1.0.0/16 or fd00:1::/64");
	if (conf_mask(&pfx)) {
		conf_format_prefix(&pfx, net, sizeof(net));
		return conf_bad(p, item, "host bits are set after the prefix length; expected %s", net);
	}
	for (unsigned i = 0; i < *count; i++)
		if (!memcmp(&list[i], &pfx, sizeof(pfx)))
			return conf_bad(p, item, "prefix listed twice; expected each once");
	if (*count == k->s.hi)
		return conf_bad(p, item, "too many prefixes; expected at most %u", k->s.hi);
	list[(*count)++] = pfx;
	return 0;
}

static int conf_apply_prefixes(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	return conf_each(p, k, v, conf_prefix_item);
}

static int conf_apply_tun_type(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	if (!strcasecmp(v, "tun"))
		p->cfg->tap = false;
	else if (!strcasecmp(v, "tap"))
		p->cfg->tap = true;
	else
		return conf_bad(p, v, "unknown device type; expected tun or tap");
	return 0;
}

/* A Linux interface name (at most one "%d", which the kernel numbers) or a
 * macOS device path. */
static int conf_apply_interface(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	const char *pct = strchr(v, '%');
	size_t len = strlen(v);
	bool ok;

	if (v[0] == '/')
		ok = len <= CONF_DEVPATH_MAX && conf_printable(v, false);
	else
		ok = len > 0 && len <= CONF_IFNAME_MAX && conf_printable(v, false) && strcmp(v, ".") &&
		     strcmp(v, "..") && !strpbrk(v, "/:") && (!pct || (pct[1] == 'd' && !strchr(pct + 1, '%')));
	if (!ok)
		return conf_bad(p, v, "not an interface name; expected up to %d characters without '/', ':' or "
					"blanks (one %%d allowed, written %%%%d), or a device path such as /dev/tun8",
				  CONF_IFNAME_MAX);
	strcpy(p->cfg->interface, v);
	return 0;
}

static int conf_apply_address(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	struct wire_prefix *pfx = conf_field(p, k);
	bool v4 = k->family == 4;

	if (!*v)
		return 0;
	if (conf_cidr(v, k->family, pfx) < 0)
		return conf_bad(p, v, "not an %s address; expected %s", v4 ? "IPv4" : "IPv6",
				  v4 ? "a.b.c.d/len with len 0..32, such as 10.1.0.2/24" :
				       "an IPv6 address/len with len 0..128, such as fd00:1::2/64");
	if (v4)
		p->cfg->has_ipv4 = true;
	else
		p->cfg->has_ipv6 = true;
	return 0;
}

static int conf_apply_mtu(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	if (!strcmp(v, "0"))
		p->cfg->mtu = 0;
	else if (conf_uint(v, CONF_MTU_MIN, 65535, &p->cfg->mtu) < 0)
		return conf_bad(p, v, "bad MTU; expected %d..65535, or 0 for automatic", CONF_MTU_MIN);
	return 0;
}

static int conf_apply_script(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	char **field = conf_field(p, k);

	if (!*v)
		return 0;
	*field = strdup(v);
	return *field ? 0 : -ENOMEM;
}

static int conf_apply_scheme(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	if (!strcasecmp(v, "fernet") || !strcasecmp(v, "noise"))
		return 0;
	if (!strcasecmp(v, "null"))
		return conf_bad(p, NULL, "scheme = null: meshub has no unencrypted mode; set psk (generate one with: "
					   "meshub genkey)");
	return conf_bad(p, v, "unknown scheme; expected noise (or fernet, its old name)");
}

static int conf_apply_psk(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	/* the value is never shown: it may be a real key with a typo */
	if (!*v)
		return 0;
	if (v[0] == '<' || strstr(v, "generate"))
		return conf_bad(p, NULL, "this is the sample file's placeholder, not a key; expected a key: run "
					   "'meshub genkey' and paste its output here");
	if (keys_parse_psk(v, p->cfg->psk) < 0)
		return conf_bad(p, NULL, "not a key; expected 32 bytes in base64 (44 characters, as printed by "
					   "'meshub genkey'), got %zu characters (not shown)", strlen(v));
	p->cfg->has_psk = true;
	return 0;
}

#define FIELD(f) .off = offsetof(struct conf, f), .size = sizeof(((struct conf *)0)->f)
#define ALSO(f) .off2 = offsetof(struct conf, f), .size2 = sizeof(((struct conf *)0)->f)
#define KEY(sec, nm, kd, lo_, hi_, exp, df, fl) {.section = sec, .name = nm, .kind = kd, .lo = lo_, .hi = hi_, \
						   .expected = exp, .def = df, .flags = fl}
#define PATH_EXPECTED "an absolute path (starting with '/')"
#define PREFIXES_EXPECTED(n) "network/length entries with zero host bits, such as 10.1.0.0/16 or fd00:1::/64, " \
			     "separated by commas, at most " #n
#define OBSOLETE(sec, nm, why) {KEY(sec, nm, CONF_KIND_OBSOLETE, 0, 0, "anything (it has no effect)", "", 0), \
				conf_apply_obsolete, .note = why}

static const struct conf_key conf_keys[] = {
	{KEY("socket", "address", CONF_KIND_TEXT, 0, 63, "an IPv4 or IPv6 address such as 0.0.0.0 or ::", "0.0.0.0", 0),
	 conf_apply_listen, FIELD(listen_address)},
	{KEY("socket", "port", CONF_KIND_NUMBER, 1, 65535, "a UDP port number of 1..65535", "", 0), conf_apply_port,
	 FIELD(port), ALSO(port_set)},
	{KEY("socket", "lan_advert_ports", CONF_KIND_LIST, 1, CONF_MAX_LAN_PORTS,
	     "UDP port numbers of 1..65535 separated by commas, at most 8", "", CONF_LIVE),
	 conf_apply_lan_ports, FIELD(lan_ports), ALSO(n_lan_ports)},
	OBSOLETE("socket", "select_interval_sec", "select_interval_sec has no effect: meshubd is event-driven"),
	{KEY("socket", "control", CONF_KIND_TEXT, 0, CONF_SUN_PATH_MAX, PATH_EXPECTED, "", 0), conf_apply_path,
	 FIELD(control_path)},
	{KEY("socket", "port_mapping", CONF_KIND_BOOL, 0, 0, "yes or no", "yes", 0), conf_apply_bool,
	 FIELD(port_mapping)},
	{KEY("socket", "port_prediction", CONF_KIND_BOOL, 0, 0, "yes or no", "yes", 0), conf_apply_bool,
	 FIELD(port_prediction)},
	{KEY("hub", "address", CONF_KIND_LIST, 0, CONF_MAX_HUBS,
	     "host, host:port, IPv4:port or [IPv6]:port entries separated by commas, at most 8", "", CONF_LIVE),
	 conf_apply_hubs, FIELD(hubs), ALSO(n_hubs)},
	{KEY("hub", "port", CONF_KIND_NUMBER, 1, 65535, "a UDP port number of 1..65535", "3731", CONF_LIVE),
	 conf_apply_hub_port, FIELD(hubs), ALSO(n_hubs)},
	{KEY("hub", "advert_interval_sec", CONF_KIND_NUMBER, 5, 3600, "seconds, 5..3600", "60", CONF_LIVE),
	 conf_apply_uint, FIELD(advert_interval_sec)},
	{KEY("vpn", "hostname", CONF_KIND_TEXT, 1, WIRE_HOSTNAME_MAX, "1..63 printable ASCII characters without spaces",
	     "", CONF_LIVE), conf_apply_hostname, FIELD(hostname)},
	{KEY("vpn", "ping_interval_sec", CONF_KIND_NUMBER, 1, 3600, "seconds, 1..3600", "15", CONF_LIVE),
	 conf_apply_uint, FIELD(ping_interval_sec)},
	{KEY("vpn", "ping_timeout_sec", CONF_KIND_NUMBER, 5, 86400, "seconds, 5..86400", "90", CONF_LIVE),
	 conf_apply_uint, FIELD(ping_timeout_sec)},
	OBSOLETE("vpn", "maintenance_interval_sec", "maintenance_interval_sec has no effect: meshubd is event-driven"),
	{KEY("vpn", "restart_delay_sec", CONF_KIND_NUMBER, 1, 3600, "seconds, 1..3600", "10", CONF_LIVE),
	 conf_apply_uint, FIELD(restart_delay_sec)},
	{KEY("vpn", "log_level", CONF_KIND_WORD, 0, 0, "error, warning, info or debug", "info", CONF_LIVE),
	 conf_apply_log_level, FIELD(log_level)},
	{KEY("vpn", "subnets", CONF_KIND_LIST, 0, CONF_MAX_SUBNETS, PREFIXES_EXPECTED(8), "", CONF_LIVE),
	 conf_apply_prefixes, FIELD(subnets), .count_off = offsetof(struct conf, n_subnets), ALSO(n_subnets)},
	{KEY("vpn", "user", CONF_KIND_TEXT, 1, 63, "a user name of letters, digits, '_', '-' or '.'", "", 0),
	 conf_apply_user, FIELD(user)},
	{KEY("vpn", "key_file", CONF_KIND_TEXT, 1, PATH_MAX - 1, PATH_EXPECTED, "", 0), conf_apply_path,
	 FIELD(key_file)},
	{KEY("vpn", "state_dir", CONF_KIND_TEXT, 1, PATH_MAX - 32, PATH_EXPECTED, "", 0), conf_apply_path,
	 FIELD(state_dir)},
	{KEY("vpn", "peer_cache", CONF_KIND_BOOL, 0, 0, "yes or no", "yes", 0), conf_apply_bool, FIELD(peer_cache)},
	{KEY("vpn", "threads", CONF_KIND_NUMBER, 0, 8, "crypto threads besides the main one, 0..8", "", 0),
	 conf_apply_uint, FIELD(threads)},
	{KEY("vpn", "dns", CONF_KIND_BOOL, 0, 0, "yes or no", "yes", CONF_LIVE), conf_apply_bool, FIELD(dns)},
	{KEY("vpn", "dns_domain", CONF_KIND_TEXT, 1, DNS_DOMAIN_MAX,
	     "labels of letters, digits and inner '-' joined by dots, such as mesh or corp.mesh", DNS_DEFAULT_DOMAIN,
	     CONF_LIVE), conf_apply_dns_domain, FIELD(dns_domain)},
	{KEY("tun", "type", CONF_KIND_WORD, 0, 0, "tun or tap", "tun", 0), conf_apply_tun_type, FIELD(tap)},
	{KEY("tun", "interface", CONF_KIND_TEXT, 1, CONF_IFNAME_MAX,
	     "an interface name of up to 15 characters without '/', ':' or blanks (one %d allowed, written %%d), "
	     "or a device path such as /dev/tun8", "tun%%d", 0), conf_apply_interface, FIELD(interface)},
	{KEY("tun", "ipv4_address", CONF_KIND_TEXT, 0, 0, "a.b.c.d/len with len 0..32, such as 10.1.0.2/24", "", 0),
	 conf_apply_address, FIELD(ipv4), ALSO(has_ipv4), .family = 4},
	{KEY("tun", "ipv6_address", CONF_KIND_TEXT, 0, 0, "an IPv6 address/len with len 0..128, such as fd00:1::2/64",
	     "", 0), conf_apply_address, FIELD(ipv6), ALSO(has_ipv6), .family = 6},
	{KEY("tun", "mtu", CONF_KIND_NUMBER, 0, 65535, "576..65535, or 0 for automatic", "0", 0), conf_apply_mtu,
	 FIELD(mtu)},
	{KEY("tun", "routes", CONF_KIND_LIST, 0, CONF_MAX_ROUTES, PREFIXES_EXPECTED(16), "", 0), conf_apply_prefixes,
	 FIELD(routes), .count_off = offsetof(struct conf, n_routes), ALSO(n_routes)},
	{KEY("scripts", "tun_setup", CONF_KIND_SCRIPT, 0, 0, "shell commands", "", 0), conf_apply_script,
	 FIELD(tun_setup)},
	{KEY("scripts", "tun_setup_ipv4", CONF_KIND_SCRIPT, 0, 0, "shell commands", "", 0), conf_apply_script,
	 FIELD(tun_setup_ipv4)},
	{KEY("scripts", "tun_setup_ipv6", CONF_KIND_SCRIPT, 0, 0, "shell commands", "", 0), conf_apply_script,
	 FIELD(tun_setup_ipv6)},
	{KEY("encryption", "scheme", CONF_KIND_WORD, 0, 0, "noise (or fernet, its old name)", "noise", 0),
	 conf_apply_scheme},
	{KEY("encryption", "psk", CONF_KIND_SECRET, 0, 0,
	     "32 bytes in base64 (44 characters, as printed by 'meshub genkey')", "", 0), conf_apply_psk, FIELD(psk),
	 ALSO(has_psk)},
	{KEY("encryption", "psk_file", CONF_KIND_TEXT, 1, PATH_MAX - 1, PATH_EXPECTED, "", 0), conf_apply_path,
	 FIELD(psk_file)},
	{KEY("encryption", "ca", CONF_KIND_TEXT, 1, PATH_MAX - 1, PATH_EXPECTED, "", 0), conf_apply_path,
	 FIELD(ca_file)},
	{KEY("encryption", "cert", CONF_KIND_TEXT, 1, PATH_MAX - 1, PATH_EXPECTED, "", 0), conf_apply_path,
	 FIELD(cert_file)},
	{KEY("encryption", "crl", CONF_KIND_TEXT, 1, PATH_MAX - 1, PATH_EXPECTED, "", 0), conf_apply_path,
	 FIELD(crl_file)},
	OBSOLETE("encryption", "unencrypted_tcp_ports", "meshub encrypts all traffic; unencrypted_tcp_ports is ignored"),
	OBSOLETE("encryption", "unencrypted_udp_ports", "meshub encrypts all traffic; unencrypted_udp_ports is ignored"),
};

static void conf_defaults(struct conf *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->listen_address, "0.0.0.0");
	cfg->port = CONF_DEFAULT_PORT;
	cfg->advert_interval_sec = 60;
	cfg->ping_interval_sec = 15;
	cfg->ping_timeout_sec = 90;
	cfg->restart_delay_sec = 10;
	cfg->log_level = CONF_LOG_DEFAULT;
	cfg->peer_cache = true;
	cfg->threads = CONF_THREADS_AUTO;
	cfg->port_mapping = true;
	cfg->port_prediction = true;
	cfg->dns = true;
	strcpy(cfg->dns_domain, DNS_DEFAULT_DOMAIN);
	strcpy(cfg->interface, "tun%d");
}

static int conf_unknown_key(struct conf_parse *p, const struct ini_entry *e)
{
	char known[400] = "", key[CONF_SHOWN_BUF + 2], shown[CONF_SHOWN_BUF];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(conf_keys); i++)
		if (!strcmp(conf_keys[i].s.section, e->section) && n < sizeof(known))
			n += (size_t)snprintf(known + n, sizeof(known) - n, "%s%s", n ? ", " : "", conf_keys[i].s.name);
	/* a long name may be a key pasted on a line of its own ("<base64>=") */
	if (strlen(e->key) > CONF_KEY_SHOWN)
		snprintf(key, sizeof(key), "(%zu characters, not shown)", strlen(e->key));
	else {
		ini_quote(shown, sizeof(shown), e->key, CONF_KEY_SHOWN);
		snprintf(key, sizeof(key), "'%s'", shown);
	}
	conf_fail_at(p, e->line, "unknown key %s in [%s]; known keys: %s", key, e->section, known);
	snprintf(p->err->section, sizeof(p->err->section), "%s", e->section);
	snprintf(p->err->key, sizeof(p->err->key), "%s", e->key);
	return -EINVAL;
}

static int conf_check_sections(struct conf_parse *p)
{
	char shown[CONF_SHOWN_BUF];

	for (size_t i = 0; i < p->ini->n_sections; i++) {
		if (conf_section_known(p->ini->sections[i]))
			continue;
		ini_quote(shown, sizeof(shown), p->ini->sections[i], CONF_SHOWN);
		return conf_fail_at(p, p->ini->section_lines[i], "unknown section [%s]; expected [socket], [hub], "
				      "[vpn], [tun], [scripts], [encryption] or [DEFAULT]", shown);
	}
	return 0;
}

static int conf_apply_entry(struct conf_parse *p, const struct ini_entry *e)
{
	const struct conf_key *k = NULL;
	struct ini_error ierr;
	char *v;
	int ret;

	if (!strcmp(e->section, "DEFAULT"))
		return 0; /* only there for %(name)s */
	for (size_t i = 0; i < ARRAY_SIZE(conf_keys) && !k; i++)
		if (!strcmp(conf_keys[i].s.section, e->section) && !strcmp(conf_keys[i].s.name, e->key))
			k = &conf_keys[i];
	if (!k)
		return conf_unknown_key(p, e);
	v = ini_value(p->ini, e, &ierr);
	if (!v)
		return conf_fail_at(p, ierr.line, "%s", ierr.msg);
	p->e = e;
	ret = k->apply(p, k, v);
	p->e = NULL;
	sodium_memzero(v, strlen(v));
	free(v);
	return ret;
}

/* An edge is declared dead after ping_timeout_sec without traffic: that
 * must allow for more than one keepalive interval. */
static int conf_check_ping(struct conf_parse *p)
{
	struct conf *cfg = p->cfg;
	char shown[16];

	if (ini_find(p->ini, "vpn", "ping_timeout_sec")) {
		snprintf(shown, sizeof(shown), "%u", cfg->ping_timeout_sec);
		return conf_fail_key(p, "vpn", "ping_timeout_sec", shown,
				     "must be longer than ping_interval_sec; expected more than %u",
				     cfg->ping_interval_sec);
	}
	snprintf(shown, sizeof(shown), "%u", cfg->ping_interval_sec);
	return conf_fail_key(p, "vpn", "ping_interval_sec", shown,
			   "must be shorter than ping_timeout_sec (%u by default); expected less than %u, or set "
			   "ping_timeout_sec", cfg->ping_timeout_sec, cfg->ping_timeout_sec);
}

/* A CA network needs both its CA certificate and this node's certificate;
 * a revocation list means nothing without the CA. */
static int conf_check_ca(struct conf_parse *p)
{
	const struct conf *cfg = p->cfg;

	if (cfg->cert_file[0] && !cfg->ca_file[0])
		return conf_fail_key(p, "encryption", "cert", NULL,
				   "set without ca; expected ca = FILE as well (the network's ca.crt)");
	if (cfg->ca_file[0] && !cfg->cert_file[0])
		return conf_fail_key(p, "encryption", "ca", NULL,
				   "set without cert; expected cert = FILE as well (this node's certificate, made "
				   "with: meshub ca sign)");
	if (cfg->crl_file[0] && !cfg->ca_file[0])
		return conf_fail_key(p, "encryption", "crl", NULL,
				   "set without ca; expected ca = FILE and cert = FILE as well (a revocation list is "
				   "for CA networks)");
	return 0;
}

/* Rules that involve several keys, checked once everything is read. */
static int conf_finish(struct conf_parse *p)
{
	struct conf *cfg = p->cfg;
	const struct ini_entry *e;
	char shown[16];

	for (unsigned i = 0; i < cfg->n_hubs; i++)
		if (!cfg->hubs[i].port)
			cfg->hubs[i].port = p->hub_port;
	if (!ini_has_section(p->ini, "tun"))
		return conf_fail_at(p, 0, "[tun] section is missing; expected one with ipv4_address and/or "
				      "ipv6_address (or type = tap)");
	if (!cfg->tap && !cfg->has_ipv4 && !cfg->has_ipv6)
		return conf_fail_key(p, "tun", "ipv4_address", NULL, "a TUN node needs ipv4_address or ipv6_address; "
				     "expected e.g. ipv4_address = 10.1.0.2/24 (only type = tap may have neither)");
	if (cfg->has_ipv6 && cfg->mtu && cfg->mtu < CONF_MTU_MIN_IPV6) {
		snprintf(shown, sizeof(shown), "%u", cfg->mtu);
		return conf_fail_key(p, "tun", "mtu", shown,
				   "too small for IPv6 (ipv6_address is set); expected %d..65535 or 0 (automatic)",
				   CONF_MTU_MIN_IPV6);
	}
	if (cfg->ping_timeout_sec <= cfg->ping_interval_sec)
		return conf_check_ping(p);
	e = ini_find(p->ini, "encryption", "psk_file");
	p->psk_file_line = e ? e->line : 0;
	if (cfg->has_psk && cfg->psk_file[0])
		return conf_fail_key(p, "encryption", "psk_file", NULL,
				     "both psk and psk_file are set; expected only one of them");
	return conf_check_ca(p);
}

static void conf_scrub(struct conf *cfg)
{
	free(cfg->tun_setup);
	free(cfg->tun_setup_ipv4);
	free(cfg->tun_setup_ipv6);
	cfg->tun_setup = cfg->tun_setup_ipv4 = cfg->tun_setup_ipv6 = NULL;
	sodium_memzero(cfg->psk, sizeof(cfg->psk));
	cfg->has_psk = false;
}

static int conf_parse_ini(struct conf_parse *p, const char *text, size_t len)
{
	struct ini ini;
	struct ini_error ierr;
	int ret;

	ret = ini_parse(text, len, &ini, &ierr);
	if (ret == -EFBIG || ret == -EINVAL)
		return conf_fail_at(p, ierr.line, "%s", ierr.msg);
	if (ret < 0) {
		conf_fail_at(p, 0, "out of memory");
		return ret;
	}
	p->ini = &ini;
	ret = conf_check_sections(p);
	for (size_t i = 0; i < ini.n && ret == 0; i++)
		ret = conf_apply_entry(p, &ini.entries[i]);
	if (ret == 0)
		ret = conf_finish(p);
	if (ret == -ENOMEM)
		conf_fail_at(p, 0, "out of memory");
	p->ini = NULL;
	ini_free(&ini);
	return ret;
}

static int conf_parse_text(struct conf_parse *p, const char *text, size_t len)
{
	int ret;

	conf_defaults(p->cfg);
	memset(p->err, 0, sizeof(*p->err));
	ret = conf_parse_ini(p, text, len);
	if (ret < 0)
		conf_scrub(p->cfg);
	return ret;
}

int conf_parse(const char *text, size_t len, const char *name, struct conf *cfg, struct conf_error *err,
		 conf_warn_fn warn, void *ctx)
{
	struct conf_parse p = {.name = name ? name : "(config)", .cfg = cfg, .err = err, .warn = warn,
				 .ctx = ctx, .hub_port = CONF_DEFAULT_PORT};

	return conf_parse_text(&p, text, len);
}

/* Reads a whole regular file of at most max bytes into a new NUL-terminated
 * buffer; *mode gets its permission bits. */
static int conf_read(const char *path, size_t max, char **text, size_t *len, mode_t *mode)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	ssize_t r = 1;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		ret = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
		goto out;
	}
	buf = malloc(max + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	while (n <= max && (r = read(fd, buf + n, max + 1 - n)) > 0)
		n += (size_t)r;
	if (r < 0 || n > max) {
		ret = r < 0 ? -errno : -EFBIG;
		sodium_memzero(buf, n);
		free(buf);
		goto out;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	*mode = st.st_mode;
out:
	close(fd);
	return ret;
}

static int conf_read_error(struct conf_error *err, const char *path, int ret)
{
	const char *why = ret == -EFBIG ? "larger than 1 MiB; expected a configuration file" :
			  ret == -EINVAL ? "not a regular file; expected a configuration file" :
					   strerror(-ret);

	snprintf(err->what, sizeof(err->what), "cannot read it: %s", why);
	snprintf(err->msg, sizeof(err->msg), "%s: %s", path, err->what);
	return ret;
}

/* [encryption] psk_file: one line with the key, readable by the owner only. */
static int conf_load_psk(struct conf *cfg, struct conf_error *err, const char *name, unsigned line)
{
	char *text = NULL, path[CONF_SHOWN_BUF], why[160];
	size_t len = 0;
	mode_t mode = 0;
	int ret;

	ini_quote(path, sizeof(path), cfg->psk_file, CONF_SHOWN);
	ret = conf_read(cfg->psk_file, CONF_MAX_PSK_FILE, &text, &len, &mode);
	if (ret == 0 && (mode & 077)) {
		snprintf(why, sizeof(why), "others can read it (mode %04o); expected a file only its owner can "
			 "read: run chmod 600 on it", (unsigned)(mode & 07777));
		ret = -EPERM;
	} else if (ret == 0 && (memchr(text, '\0', len) || keys_parse_psk(text, cfg->psk) < 0)) {
		snprintf(why, sizeof(why), "it holds no key; expected one line with 32 bytes in base64 (make one "
			 "with: meshub genkey > FILE)");
		ret = -EINVAL;
	} else if (ret < 0) {
		snprintf(why, sizeof(why), "cannot read it: %s", ret == -EFBIG ? "too large for a key" : strerror(-ret));
	}
	if (ret < 0) {
		struct conf_parse p = {.name = name, .err = err};
		char what[sizeof(err->what)];

		snprintf(what, sizeof(what), "'%s': %s", path, why);
		conf_error_set(&p, line, "encryption", "psk_file", what);
	}
	cfg->has_psk = ret == 0;
	if (text) {
		sodium_memzero(text, len);
		free(text);
	}
	return ret;
}

int conf_load(const char *path, struct conf *cfg, struct conf_error *err, conf_warn_fn warn, void *ctx)
{
	struct conf_parse p = {.name = path, .cfg = cfg, .err = err, .warn = warn, .ctx = ctx,
				 .hub_port = CONF_DEFAULT_PORT};
	char *text = NULL;
	size_t len = 0;
	mode_t mode = 0;
	int ret;

	conf_defaults(cfg);
	memset(err, 0, sizeof(*err));
	ret = conf_read(path, CONF_MAX_FILE, &text, &len, &mode);
	if (ret < 0)
		return conf_read_error(err, path, ret);
	ret = conf_parse_text(&p, text, len);
	if (ret == 0 && cfg->has_psk && (mode & 077))
		conf_warn(&p, "the file holds the psk and others can read it (mode %04o); run chmod 600 %s",
			    (unsigned)(mode & 07777), path);
	if (ret == 0 && cfg->psk_file[0])
		ret = conf_load_psk(cfg, err, path, p.psk_file_line);
	sodium_memzero(text, len);
	free(text);
	if (ret < 0)
		conf_scrub(cfg);
	return ret;
}

void conf_free(struct conf *cfg)
{
	conf_scrub(cfg);
}

/* ------------------------------------------------------------- the schema */

const struct conf_schema *conf_schema_at(size_t i)
{
	return i < ARRAY_SIZE(conf_keys) ? &conf_keys[i].s : NULL;
}

static const struct conf_key *conf_key_find(const char *section, const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(conf_keys); i++)
		if (!strcmp(conf_keys[i].s.section, section) && !strcasecmp(conf_keys[i].s.name, name))
			return &conf_keys[i];
	return NULL;
}

const struct conf_schema *conf_schema_find(const char *section, const char *name)
{
	const struct conf_key *k = conf_key_find(section, name);

	return k ? &k->s : NULL;
}

bool conf_section_known(const char *section)
{
	for (size_t j = 0; j < ARRAY_SIZE(conf_sections); j++)
		if (!strcmp(section, conf_sections[j]))
			return true;
	return false;
}

int conf_check_value(const char *section, const char *name, const char *value, struct conf_error *err)
{
	const struct conf_key *k = conf_key_find(section, name);
	struct ini_entry e = {.section = (char *)section, .key = (char *)name, .raw = (char *)value};
	struct conf_parse p = {.name = "(value)", .err = err, .hub_port = CONF_DEFAULT_PORT, .e = &e};
	int ret;

	memset(err, 0, sizeof(*err));
	if (!k) {
		conf_fail_at(&p, 0, "unknown key %.31s in [%.15s]", name, section);
		return -ENOENT;
	}
	p.cfg = calloc(1, sizeof(*p.cfg));
	if (!p.cfg)
		return -ENOMEM;
	conf_defaults(p.cfg);
	ret = k->apply(&p, k, value);
	conf_scrub(p.cfg);
	free(p.cfg);
	return ret;
}

static bool conf_field_differs(const struct conf_key *k, const struct conf *a, const struct conf *b)
{
	const char *x = (const char *)a, *y = (const char *)b;

	if (k->s.kind == CONF_KIND_SCRIPT) {
		const char *sa = *(char *const *)(x + k->off), *sb = *(char *const *)(y + k->off);
		return strcmp(sa ? sa : "", sb ? sb : "") != 0;
	}
	return (k->size && memcmp(x + k->off, y + k->off, k->size)) ||
	       (k->size2 && memcmp(x + k->off2, y + k->off2, k->size2));
}

void conf_diff(const struct conf *a, const struct conf *b, conf_diff_fn fn, void *ctx)
{
	for (size_t i = 0; i < ARRAY_SIZE(conf_keys); i++)
		if (conf_field_differs(&conf_keys[i], a, b))
			fn(ctx, &conf_keys[i].s);
}
