/* fuzz-config.c - conf_parse() on arbitrary bytes: it never crashes, leaks
 * or leaves a message unterminated, and what it accepts is within bounds;
 * and conf_check_value() (what the NetworkManager side checks vpn.data
 * values with) on the same bytes as the value of every key: an error
 * always names that key and never shows a secret. */
#include "engine/conf.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void warn(void *ctx, const char *msg)
{
	if (strlen(msg) >= 512)
		abort();
}

static void check_accepted(const struct conf *cfg)
{
	if (cfg->n_hubs > CONF_MAX_HUBS || cfg->n_lan_ports > CONF_MAX_LAN_PORTS ||
	    cfg->n_subnets > CONF_MAX_SUBNETS || cfg->n_routes > CONF_MAX_ROUTES)
		abort();
	for (unsigned i = 0; i < cfg->n_hubs; i++)
		if (!cfg->hubs[i].port || !cfg->hubs[i].host[0])
			abort();
	if (!cfg->tap && !cfg->has_ipv4 && !cfg->has_ipv6)
		abort();
	if (cfg->ping_timeout_sec <= cfg->ping_interval_sec || (cfg->mtu && cfg->mtu < 576))
		abort();
	if (!memchr(cfg->interface, '\0', sizeof(cfg->interface)) || !cfg->interface[0])
		abort();
}

static void check_values(const uint8_t *data, size_t size)
{
	char value[512];
	const struct conf_schema *k;
	struct conf_error err;

	if (size >= sizeof(value) || memchr(data, '\0', size))
		return;
	memcpy(value, data, size);
	value[size] = '\0';
	for (size_t i = 0; (k = conf_schema_at(i)) != NULL; i++) {
		if (conf_check_value(k->section, k->name, value, &err) == 0)
			continue;
		if (strcmp(err.section, k->section) || strcmp(err.key, k->name) ||
		    !memchr(err.what, '\0', sizeof(err.what)))
			abort();
		if (k->kind == CONF_KIND_SECRET && size > 8 && strstr(err.what, value))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf cfg;
	struct conf_error err;
	int ret;

	ret = conf_parse((const char *)data, size, "fuzz.conf", &cfg, &err, warn, NULL);
	if (ret == 0)
		check_accepted(&cfg);
	else if (!memchr(err.msg, '\0', sizeof(err.msg)) || strncmp(err.msg, "fuzz.conf", 9))
		abort();
	conf_free(&cfg);
	check_values(data, size);
	return 0;
}
