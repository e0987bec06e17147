/* control.c - the node's control socket and what it answers: the node's
 * status as text (like `wg show`) or JSON, formatted from a snapshot (see
 * control.h). */
#include "config.h"

#include "control.h"

#include "cert-file.h"
#include "endpoint.h"
#include "keys.h"
#include "log.h"
#include "offload.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define OUT_MAX (1 << 20)

struct out {
	char *buf;
	size_t len, cap;
};

static void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = o->cap - o->len;
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < room) {
			o->len += (size_t)n;
			return;
		}
		if (o->cap >= OUT_MAX) {
			o->len = o->cap - 1;
			return;
		}
		o->cap = o->cap ? o->cap * 2 : 4096;
		o->buf = realloc(o->buf, o->cap);
		if (!o->buf) {
			o->cap = o->len = 0;
			return;
		}
	}
}

static uint64_t wall_s(void)
{
	return loop_realtime() / NSEC_PER_SEC;
}

/* The expiry warnings of a CA network, one sentence each (n: how many). */
static unsigned ca_warnings(const struct status_ca *ca, char out[4][160])
{
	char when[CERT_TIME_STR_MAX];
	unsigned n = 0;

	if (!ca->on)
		return 0;
	if (ca->revoked)
		snprintf(out[n++], 160, "this node's certificate is revoked: peers refuse it");
	if (ca->expired)
		snprintf(out[n++], 160, "this node's certificate expired on %s: peers refuse it",
			 cert_time_str(ca->not_after, when));
	else if (ca->warn_days)
		snprintf(out[n++], 160, "this node's certificate expires in less than %u day%s (%s)", ca->warn_days,
			 ca->warn_days > 1 ? "s" : "", cert_time_str(ca->not_after, when));
	if (ca->ca_warn_days)
		snprintf(out[n++], 160, "the CA certificate expires in less than %u day%s (%s)", ca->ca_warn_days,
			 ca->ca_warn_days > 1 ? "s" : "", cert_time_str(ca->ca_not_after, when));
	return n;
}

/* ---------------------------------------------------------------- JSON */

static void json_str(struct out *o, const char *s)
{
	out_printf(o, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			out_printf(o, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			out_printf(o, "\\u%04x", (unsigned char)*s);
		else
			out_printf(o, "%c", *s);
	}
	out_printf(o, "\"");
}

static void json_endpoint(struct out *o, const struct wire_endpoint *ep)
{
	char a[ENDPOINT_STR_MAX];

	if (ep->family)
		json_str(o, endpoint_str(ep, a));
	else
		out_printf(o, "null");
}

static void json_prefixes(struct out *o, const struct wire_prefix *p, unsigned n)
{
	char a[ENDPOINT_STR_MAX];

	out_printf(o, "[");
	for (unsigned i = 0; i < n; i++) {
		out_printf(o, "%s", i ? "," : "");
		json_str(o, prefix_str(&p[i], a));
	}
	out_printf(o, "]");
}

static void json_drops(struct out *o, const struct drops *d)
{
	bool first = true;

	out_printf(o, "{");
	for (int i = 0; i < DROP_MAX; i++) {
		if (!d->n[i])
			continue;
		out_printf(o, "%s\"%s\":%u", first ? "" : ",", drop_reason_names[i], d->n[i]);
		first = false;
	}
	out_printf(o, "}");
}

/* "tried":["punch","mapping",...]: what was tried to make an edge that is not up */
static void json_tried(struct out *o, uint8_t tried)
{
	char words[48], *save = NULL;
	bool first = true;

	out_printf(o, ",\"tried\":[");
	edge_tried_str(tried, words);
	for (char *w = strtok_r(words, ",", &save); w; w = strtok_r(NULL, ",", &save), first = false)
		out_printf(o, "%s\"%s\"", first ? "" : ",", w);
	out_printf(o, "]");
}

static void json_nat(struct out *o, const struct status_nat *n)
{
	out_printf(o, ",\"port_mapping\":{\"state\":\"%s\",\"protocol\":\"%s\",\"external_endpoint\":",
		   n->mapping_state, n->mapping_protocol);
	json_endpoint(o, &n->mapped);
	out_printf(o, ",\"internal_port\":%u,\"lease_left\":%u,\"error\":", n->mapping_port, n->lease_left);
	json_str(o, n->mapping_error);
	out_printf(o, "},\"port_prediction\":{\"enabled\":%s,\"rounds_open\":%llu,\"rounds_probe\":%llu,"
		   "\"found\":%llu,\"probes_sent\":%llu,\"sockets_opened\":%llu,\"sockets_closed\":%llu,"
		   "\"sockets_open\":%u}",
		   n->prediction ? "true" : "false", (unsigned long long)n->rounds_open,
		   (unsigned long long)n->rounds_probe, (unsigned long long)n->found, (unsigned long long)n->probes_sent,
		   (unsigned long long)n->sockets_opened, (unsigned long long)n->sockets_closed, n->sockets_open);
}

static void json_peer(struct out *o, const struct status_peer *p)
{
	char key[KEYS_B64_LEN + 1];

	keys_to_base64(p->static_pub, key);
	out_printf(o, "{\"name\":");
	json_str(o, p->name);
	out_printf(o, ",\"public_key\":\"%s\",\"addresses\":", key);
	json_prefixes(o, p->addrs, p->n_addrs);
	out_printf(o, ",\"subnets\":");
	json_prefixes(o, p->subnets, p->n_subnets);
	out_printf(o, ",\"endpoint\":");
	json_endpoint(o, &p->endpoint);
	out_printf(o, ",\"path\":\"%s\",\"path_origin\":\"%s\",\"paths\":%u,\"rtt_ms\":", p->path_kind,
		   p->path_origin, p->n_paths);
	p->rtt_us ? out_printf(o, "%.3f", p->rtt_us / 1000.0) : out_printf(o, "null");
	out_printf(o, ",\"mtu\":");
	p->mtu ? out_printf(o, "%u", p->mtu) : out_printf(o, "null");
	out_printf(o, ",\"mtu_searching\":%s,\"last_handshake\":", p->mtu_searching ? "true" : "false");
	p->last_handshake_wall ? out_printf(o, "%llu", (unsigned long long)p->last_handshake_wall)
			       : out_printf(o, "null");
	out_printf(o, ",\"rx_bytes\":%llu,\"tx_bytes\":%llu,\"rx_packets\":%llu,\"tx_packets\":%llu,\"drops\":",
		   (unsigned long long)p->rx_bytes, (unsigned long long)p->tx_bytes,
		   (unsigned long long)p->rx_packets, (unsigned long long)p->tx_packets);
	json_drops(o, &p->drops);
	out_printf(o, ",\"certificate\":");
	p->cert_serial ? out_printf(o, "{\"serial\":%llu,\"not_after\":%llu}", (unsigned long long)p->cert_serial,
				   (unsigned long long)p->cert_not_after)
		       : out_printf(o, "null");
	out_printf(o, ",\"refused\":");
	p->refused ? json_str(o, p->refused) : out_printf(o, "null");
	out_printf(o, ",\"state\":\"%s\",\"since\":%llu,\"reason\":\"%s\",\"reason_text\":", edge_state_name(p->state),
		   (unsigned long long)p->since_wall, edge_why_name(p->why));
	json_str(o, edge_why_text(p->why));
	out_printf(o, ",\"no_direct_path\":%s",
		   p->why == EDGE_WHY_PUNCH_FAILED || p->why == EDGE_WHY_NAT_OURS || p->why == EDGE_WHY_NAT_THEIRS ||
				   p->why == EDGE_WHY_NAT_BOTH || p->why == EDGE_WHY_PREDICT_FAILED
			   ? "true"
			   : "false");
	json_tried(o, p->tried);
	out_printf(o, ",\"predicting\":%s}", p->predicting ? "true" : "false");
}

static void json_dns(struct out *o, const struct status_dns *d)
{
	bool first = true;

	out_printf(o, "{\"enabled\":%s,\"domain\":", d->enabled ? "true" : "false");
	json_str(o, d->domain);
	out_printf(o, ",\"listening\":[");
	for (unsigned i = 0; i < d->n_listen; i++) {
		out_printf(o, "%s", i ? "," : "");
		json_endpoint(o, &d->listen[i]);
	}
	out_printf(o, "],\"names\":%u,\"queries\":%llu,\"answered\":%llu,\"drops\":{", d->n_names,
		   (unsigned long long)d->queries, (unsigned long long)d->answered);
	for (int i = 0; i < DNS_DROP_MAX; i++) {
		if (!d->drops[i])
			continue;
		out_printf(o, "%s\"%s\":%u", first ? "" : ",", dns_drop_name((enum dns_drop)i), d->drops[i]);
		first = false;
	}
	out_printf(o, "}}");
}

static void json_ca(struct out *o, const struct status_ca *ca)
{
	char warn[4][160];
	unsigned n = ca_warnings(ca, warn);

	if (!ca->on) {
		out_printf(o, "null");
		return;
	}
	out_printf(o, "{\"network\":");
	json_str(o, ca->network);
	out_printf(o, ",\"ca_not_after\":%llu,\"name\":", (unsigned long long)ca->ca_not_after);
	json_str(o, ca->name);
	out_printf(o, ",\"serial\":%llu,\"not_after\":%llu,\"expired\":%s,\"revoked\":%s,\"crl_sequence\":%llu,"
		      "\"crl_revoked\":%u,\"crl_from\":",
		   (unsigned long long)ca->serial, (unsigned long long)ca->not_after, ca->expired ? "true" : "false",
		   ca->revoked ? "true" : "false", (unsigned long long)ca->crl_sequence, ca->crl_serials);
	ca->crl_sequence ? json_str(o, ca->crl_from) : out_printf(o, "null");
	out_printf(o, ",\"warnings\":[");
	for (unsigned i = 0; i < n; i++) {
		out_printf(o, "%s", i ? "," : "");
		json_str(o, warn[i]);
	}
	out_printf(o, "]}");
}

static void json_device(struct out *o, const struct status_device *d)
{
	const struct device_stats *s = &d->stats;
	bool first = true;

	out_printf(o, "{\"offloads\":[");
	for (unsigned bit = 1; bit <= OFFLOAD_F_USO6; bit <<= 1) {
		if (!(d->offloads & bit) || !offload_flag_name(bit))
			continue;
		out_printf(o, "%s\"%s\"", first ? "" : ",", offload_flag_name(bit));
		first = false;
	}
	out_printf(o, "],\"tso_splits\":%llu,\"uso_splits\":%llu,\"tso_coalesced\":%llu,\"uso_coalesced\":%llu,"
		      "\"refused\":%llu,\"write_errors\":%llu,\"partial_read\":%llu,\"partial_written\":%llu}",
		   (unsigned long long)s->tso_splits, (unsigned long long)s->uso_splits,
		   (unsigned long long)s->tso_coalesced, (unsigned long long)s->uso_coalesced,
		   (unsigned long long)s->refused, (unsigned long long)s->write_errors,
		   (unsigned long long)s->partial_read, (unsigned long long)s->partial_written);
}

static void json_status(struct out *o, const struct status *st)
{
	char key[KEYS_B64_LEN + 1];

	keys_to_base64(st->public_key, key);
	out_printf(o, "{\"interface\":");
	json_str(o, st->interface);
	out_printf(o, ",\"name\":");
	json_str(o, st->name);
	out_printf(o, ",\"type\":\"%s\",\"public_key\":\"%s\",\"listen_port\":%u,\"mtu\":%u,\"addresses\":",
		   st->tap ? "tap" : "tun", key, st->port, st->mtu);
	json_prefixes(o, st->addrs, st->n_addrs);
	out_printf(o, ",\"nat_maps_per_destination\":%s,\"handshake_load\":%s,\"hubs\":[",
		   st->nat_edm ? "true" : "false", st->handshake_load ? "true" : "false");
	for (unsigned i = 0; i < st->n_hubs; i++) {
		const struct status_hub *h = &st->hubs[i];
		out_printf(o, "%s{\"host\":", i ? "," : "");
		json_str(o, h->host);
		out_printf(o, ",\"address\":");
		json_endpoint(o, &h->address);
		out_printf(o, ",\"reachable\":%s,\"last_contact\":", h->reachable ? "true" : "false");
		h->last_contact_wall ? out_printf(o, "%llu", (unsigned long long)h->last_contact_wall)
				     : out_printf(o, "null");
		out_printf(o, ",\"observed_endpoint\":");
		json_endpoint(o, &h->observed);
		out_printf(o, ",\"members_seen\":%s,\"hint\":", h->members_seen ? "true" : "false");
		h->alone ? out_printf(o, "\"no_other_member\"") : out_printf(o, "null");
		out_printf(o, ",\"nat_mapping\":\"%s\"}", h->nat_mapping ? h->nat_mapping : "unknown");
	}
	out_printf(o, "],\"hint\":");
	st->hint[0] ? json_str(o, st->hint) : out_printf(o, "null");
	out_printf(o, ",\"dns\":");
	json_dns(o, &st->dns);
	out_printf(o, ",\"ca\":");
	json_ca(o, &st->ca);
	json_nat(o, &st->nat);
	out_printf(o, ",\"peers\":[");
	for (unsigned i = 0; i < st->n_peers; i++) {
		out_printf(o, "%s", i ? "," : "");
		json_peer(o, &st->peers[i]);
	}
	out_printf(o, "],\"drops\":");
	json_drops(o, &st->drops);
	out_printf(o, ",\"device\":");
	json_device(o, &st->device);
	out_printf(o, ",\"udp\":{\"tx_datagrams\":%llu,\"rx_datagrams\":%llu,\"gso_sends\":%llu,\"gso_refusals\":%llu,"
		   "\"tx_errors\":%llu}}\n",
		   (unsigned long long)st->tx_datagrams, (unsigned long long)st->rx_datagrams,
		   (unsigned long long)st->gso_sends, (unsigned long long)st->gso_refusals,
		   (unsigned long long)st->tx_errors);
}

/* ---------------------------------------------------------------- text */

static void text_bytes(struct out *o, uint64_t b)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)b;
	int u = 0;

	while (v >= 1024 && u < 4)
		v /= 1024, u++;
	out_printf(o, u ? "%.2f %s" : "%.0f %s", v, units[u]);
}

static uint64_t ago(uint64_t wall)
{
	uint64_t now = wall_s();

	return wall && now > wall ? now - wall : 0;
}

static void text_peer(struct out *o, const struct status_peer *p)
{
	char a[ENDPOINT_STR_MAX], key[KEYS_B64_LEN + 1], when[CERT_TIME_STR_MAX];

	keys_to_base64(p->static_pub, key);
	out_printf(o, "\npeer: %s (%s)\n", p->name[0] ? p->name : "(no advert yet)", key);
	out_printf(o, "  state: %s for %llu s\n", edge_state_name(p->state), (unsigned long long)ago(p->since_wall));
	if (p->refused) {
		out_printf(o, "  refused: %s\n", p->refused);
	} else if (p->why != EDGE_WHY_NONE) {
		char tried[48];
		out_printf(o, "  not up: %s\n", edge_why_text(p->why));
		if (p->tried)
			out_printf(o, "  tried: %s\n", edge_tried_str(p->tried, tried));
	}
	if (p->predicting)
		out_printf(o, "  port prediction: running\n");
	if (p->cert_serial)
		out_printf(o, "  certificate: serial %llu, valid until %s\n", (unsigned long long)p->cert_serial,
			   cert_time_str(p->cert_not_after, when));
	for (unsigned i = 0; i < p->n_addrs; i++)
		out_printf(o, "  address: %s\n", prefix_str(&p->addrs[i], a));
	for (unsigned i = 0; i < p->n_subnets; i++)
		out_printf(o, "  subnet: %s\n", prefix_str(&p->subnets[i], a));
	if (p->endpoint.family)
		out_printf(o, "  endpoint: %s (%s)\n", endpoint_str(&p->endpoint, a), p->path_kind);
	if (p->rtt_us)
		out_printf(o, "  rtt: %.3f ms\n", p->rtt_us / 1000.0);
	if (p->mtu)
		out_printf(o, "  path mtu: %u%s\n", p->mtu, p->mtu_searching ? " (still searching)" : "");
	else if (p->mtu_searching)
		out_printf(o, "  path mtu: searching\n");
	if (p->last_handshake_wall)
		out_printf(o, "  latest handshake: %llu seconds ago\n", (unsigned long long)ago(p->last_handshake_wall));
	out_printf(o, "  transfer: ");
	text_bytes(o, p->rx_bytes);
	out_printf(o, " received, ");
	text_bytes(o, p->tx_bytes);
	out_printf(o, " sent\n");
	for (int i = 0; i < DROP_MAX; i++)
		if (p->drops.n[i])
			out_printf(o, "  dropped (%s): %u\n", drop_reason_names[i], p->drops.n[i]);
}

static void text_dns(struct out *o, const struct status_dns *d)
{
	char a[ENDPOINT_STR_MAX];

	if (!d->n_listen) {
		out_printf(o, "\ndns: off\n");
		return;
	}
	out_printf(o, "\ndns: *.%s%s, %u name(s), on", d->domain, d->enabled ? "" : " (turned off)", d->n_names);
	for (unsigned i = 0; i < d->n_listen; i++)
		out_printf(o, " %s", endpoint_str(&d->listen[i], a));
	out_printf(o, "\n  %llu queries, %llu answered\n", (unsigned long long)d->queries,
		   (unsigned long long)d->answered);
	for (int i = 0; i < DNS_DROP_MAX; i++)
		if (d->drops[i])
			out_printf(o, "  dropped (%s): %u\n", dns_drop_name((enum dns_drop)i), d->drops[i]);
}

static void text_ca(struct out *o, const struct status_ca *ca)
{
	char warn[4][160], when[CERT_TIME_STR_MAX];
	unsigned n = ca_warnings(ca, warn);

	if (!ca->on)
		return;
	out_printf(o, "  network: %s (CA certificate valid until %s)\n", ca->network,
		   cert_time_str(ca->ca_not_after, when));
	out_printf(o, "  certificate: %s, serial %llu, valid until %s\n", ca->name, (unsigned long long)ca->serial,
		   cert_time_str(ca->not_after, when));
	if (ca->crl_sequence)
		out_printf(o, "  revocation list: sequence %llu, %u revoked (from %s)\n",
			   (unsigned long long)ca->crl_sequence, ca->crl_serials, ca->crl_from);
	else
		out_printf(o, "  revocation list: none\n");
	for (unsigned i = 0; i < n; i++)
		out_printf(o, "  warning: %s\n", warn[i]);
}

static void text_status(struct out *o, const struct status *st)
{
	char a[ENDPOINT_STR_MAX], key[KEYS_B64_LEN + 1];

	keys_to_base64(st->public_key, key);
	out_printf(o, "interface: %s (%s)\n  name: %s\n  public key: %s\n  listening port: %u\n  mtu: %u\n",
		   st->interface, st->tap ? "tap" : "tun", st->name, key, st->port, st->mtu);
	for (unsigned i = 0; i < st->n_addrs; i++)
		out_printf(o, "  address: %s\n", prefix_str(&st->addrs[i], a));
	if (st->device.offloads) {
		char names[64];
		offload_flags_str(st->device.offloads, names, sizeof(names));
		out_printf(o, "  offloads: %s\n", names);
	}
	if (st->nat_edm)
		out_printf(o, "  nat: maps ports per destination (peers behind other NATs cannot reach this node)\n");
	if (st->handshake_load)
		out_printf(o, "  handshakes: under load (initiations need a cookie)\n");
	text_ca(o, &st->ca);
	for (unsigned i = 0; i < st->n_hubs; i++) {
		const struct status_hub *h = &st->hubs[i];
		out_printf(o, "\nhub: %s (%s)\n  %s", h->host, h->address.family ? endpoint_str(&h->address, a) : "unresolved",
			   h->reachable ? "reachable" : "unreachable");
		if (h->last_contact_wall)
			out_printf(o, ", last contact %llu seconds ago", (unsigned long long)ago(h->last_contact_wall));
		out_printf(o, "\n");
		if (h->observed.family)
			out_printf(o, "  sees this node at: %s\n", endpoint_str(&h->observed, a));
		if (h->alone)
			out_printf(o, "  hint: it has listed no other member: is the network key the members' one?\n");
		if (h->nat_mapping)
			out_printf(o, "  this node's NAT: %s\n", h->nat_mapping);
	}
	if (st->nat.mapped.family)
		out_printf(o, "\nport mapping: %s forwards %s to port %u (%u s left)\n", st->nat.mapping_protocol,
			   endpoint_str(&st->nat.mapped, a), st->nat.mapping_port, st->nat.lease_left);
	else if (st->nat.mapping_error[0])
		out_printf(o, "\nport mapping: %s (%s)\n", st->nat.mapping_state, st->nat.mapping_error);
	if (st->hint[0])
		out_printf(o, "\nhint: %s\n", st->hint);
	text_dns(o, &st->dns);
	for (unsigned i = 0; i < st->n_peers; i++)
		text_peer(o, &st->peers[i]);
}

/* ------------------------------------------------------------- socket */

static void client_done(struct control *ctl)
{
	loop_del_io(ctl->loop, &ctl->client_io);
	close(ctl->client_io.fd);
	ctl->client_io.fd = -1;
	ctl->req_len = 0;
}

static void req_status(struct control *ctl, const char *arg, struct out *o)
{
	struct status st;

	memset(&st, 0, sizeof(st));
	if (ctl->snapshot(ctl->ctx, &st) < 0)
		out_printf(o, "error: out of memory\n");
	else if (!strcmp(arg, "json"))
		json_status(o, &st);
	else
		text_status(o, &st);
	free(st.peers);
}

static void req_crl_load(struct control *ctl, const char *arg, struct out *o)
{
	static uint8_t bin[WIRE_CRL_MAX];
	char answer[CONTROL_ANSWER_MAX] = "";
	size_t len;

	if (sodium_base642bin(bin, sizeof(bin), arg, strlen(arg), NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) < 0)
		out_printf(o, "error: expected a revocation list in base64 (at most %d bytes) after 'crl load'\n",
			   WIRE_CRL_MAX);
	else if (ctl->crl_load(ctl->ctx, bin, len, answer, sizeof(answer)) < 0 && !answer[0])
		out_printf(o, "error: the node refused the list\n");
	else
		out_printf(o, "%s\n", answer);
}

static const struct request {
	const char *name; /* the whole request, or with a space at its end: its first word(s) */
	const char *arg;  /* for a whole request */
	void (*fn)(struct control *ctl, const char *arg, struct out *o);
} requests[] = {
	{"status", "", req_status},
	{"status json", "json", req_status},
	{CONTROL_CRL_PREFIX, NULL, req_crl_load},
};

static void answer(struct control *ctl, const char *req, struct out *o)
{
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		const struct request *r = &requests[i];
		if (r->arg && !strcmp(req, r->name)) {
			r->fn(ctl, r->arg, o);
			return;
		}
		if (!r->arg && !strncmp(req, r->name, strlen(r->name))) {
			r->fn(ctl, req + strlen(r->name), o);
			return;
		}
	}
	out_printf(o, "error: unknown request '%.20s' (try: status, status json, crl load BASE64)\n", req);
}

/* Requests may come in pieces (a revocation list is up to 11 KiB): read
 * until the newline, the end of the stream or CONTROL_REQUEST_MAX bytes. */
static void client_readable(struct io *io, uint32_t events)
{
	struct control *ctl = (struct control *)((char *)io - offsetof(struct control, client_io));
	struct out o = {0};
	ssize_t r = recv(io->fd, ctl->req + ctl->req_len, CONTROL_REQUEST_MAX - ctl->req_len, MSG_DONTWAIT);
	char *nl;

	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0 && !ctl->req_len) {
		client_done(ctl);
		return;
	}
	if (r > 0)
		ctl->req_len += (size_t)r;
	nl = memchr(ctl->req, '\n', ctl->req_len);
	if (!nl && r > 0 && ctl->req_len < CONTROL_REQUEST_MAX)
		return; /* more to come */
	ctl->req[nl ? (size_t)(nl - ctl->req) : ctl->req_len] = '\0';
	ctl->req[strcspn(ctl->req, "\r")] = '\0';
	if (!nl && ctl->req_len >= CONTROL_REQUEST_MAX)
		out_printf(&o, "error: request longer than %zu bytes\n", (size_t)CONTROL_REQUEST_MAX);
	else
		answer(ctl, ctl->req, &o);
	/* the answer is small; a client that does not read it loses it */
	for (size_t off = 0; o.buf && off < o.len;) {
		ssize_t w = send(io->fd, o.buf + off, o.len - off, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(o.buf);
	client_done(ctl);
}

static void listener_readable(struct io *io, uint32_t events)
{
	struct control *ctl = (struct control *)((char *)io - offsetof(struct control, listen_io));
	int fd = accept4(io->fd, NULL, NULL, SOCK_CLOEXEC);
	struct timeval tv = {.tv_sec = 2};

	if (fd < 0)
		return;
	if (ctl->client_io.fd >= 0) /* one request at a time */
		client_done(ctl);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	ctl->client_io = (struct io){.fd = fd, .cb = client_readable};
	if (loop_add_io(ctl->loop, &ctl->client_io, LOOP_IN) < 0) {
		close(fd);
		ctl->client_io.fd = -1;
	}
}

void control_default_path(const char *ifname, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s.sock", CONTROL_DIR, ifname);
}

int control_open(struct control *ctl, struct loop *loop, const char *path, const char *ifname,
		 control_snapshot_fn snapshot, control_crl_fn crl_load, void *ctx)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	mode_t old;
	int fd, ret;

	ctl->loop = loop;
	ctl->snapshot = snapshot;
	ctl->crl_load = crl_load;
	ctl->ctx = ctx;
	ctl->listen_io.fd = ctl->client_io.fd = -1;
	ctl->req_len = 0;
	ctl->req = malloc(CONTROL_REQUEST_MAX + 1);
	if (!ctl->req)
		return log_errno(-ENOMEM, "cannot allocate the control socket's buffer");
	if (path && path[0]) {
		if (strlen(path) >= sizeof(ctl->path))
			return log_errno(-ENAMETOOLONG, "[socket] control %s", path);
		memcpy(ctl->path, path, strlen(path) + 1);
	} else {
		mkdir(CONTROL_DIR, 0700);
		control_default_path(ifname, ctl->path, sizeof(ctl->path));
	}
	if (strlen(ctl->path) >= sizeof(sun.sun_path))
		return log_errno(-ENAMETOOLONG, "control socket path %s", ctl->path);
	strcpy(sun.sun_path, ctl->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return log_errno(-errno, "cannot create the control socket");
	unlink(ctl->path); /* a stale socket from an earlier run */
	old = umask(0077); /* root-only: the status names peers and endpoints */
	ret = bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 8) < 0 ? -errno : 0;
	umask(old);
	if (ret < 0) {
		close(fd);
		return log_errno(ret, "cannot listen on control socket %s", ctl->path);
	}
	ctl->listen_io = (struct io){.fd = fd, .cb = listener_readable};
	return loop_add_io(loop, &ctl->listen_io, LOOP_IN);
}

void control_close(struct control *ctl)
{
	if (ctl->client_io.fd >= 0)
		client_done(ctl);
	if (ctl->listen_io.fd >= 0) {
		loop_del_io(ctl->loop, &ctl->listen_io);
		close(ctl->listen_io.fd);
		ctl->listen_io.fd = -1;
		unlink(ctl->path); /* may fail once privileges are gone; the next start cleans up */
	}
	free(ctl->req);
	ctl->req = NULL;
}
