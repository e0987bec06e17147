/* node.c - composes a node out of its layers (see node.h): who gets which
 * callback, the order of setting up, the housekeeping timer, the status
 * snapshot. No packet is handled here. */
#include "config.h"

#include "node.h"

#include "endpoint.h"
#include "log.h"
#include "offload.h"
#include "peercache.h"
#include "send.h"
#include "setup.h"
#include "trust.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAINT_INTERVAL (1 * NSEC_PER_SEC)
#define GOSSIP_EVERY (5 * NSEC_PER_SEC)
#define CACHE_SAVE_GAP (10 * NSEC_PER_SEC)
#define REKEY_AFTER (120 * NSEC_PER_SEC)
#define REJECT_AFTER (180 * NSEC_PER_SEC)
#define REPORT_AFTER (20 * NSEC_PER_SEC)
#define DEVICE_BUDGET 64

/* ------------------------------------------------------------- callbacks */

static uint8_t *dev_reserve(void *ctx, size_t *cap)
{
	struct node *n = ctx;
	uint8_t *slot = udp_reserve(&n->m.udp);

	*cap = n->m.udp.slot_size - WIRE_TRANSPORT_OVERHEAD;
	return slot + WIRE_TRANSPORT_HDR_LEN;
}

static void dev_packet(void *ctx, uint8_t *pkt, size_t len)
{
	struct node *n = ctx;

	forward_from_device(&n->m, &n->fwd, pkt - WIRE_TRANSPORT_HDR_LEN, len, false);
}

static void dev_packet_partial(void *ctx, uint8_t *pkt, size_t len)
{
	struct node *n = ctx;

	forward_from_device(&n->m, &n->fwd, pkt - WIRE_TRANSPORT_HDR_LEN, len, true);
}

static void dev_readable(struct io *io, uint32_t events)
{
	struct node *n = (struct node *)((char *)io - offsetof(struct node, dev_io));
	const struct device_sink sink = {.reserve = dev_reserve,
					 .packet = dev_packet,
					 .packet_partial = n->m.partial ? dev_packet_partial : NULL,
					 .ctx = n};

	n->m.batch_now = loop_now();
	if (device_read(&n->m.dev, &sink, DEVICE_BUDGET) == -EPIPE) {
		log_error("the device %s was closed by the other side: stopping", n->m.dev.name);
		loop_quit(n->m.loop);
	}
	udp_flush(&n->m.udp);
	n->m.batch_now = 0;
}

static void udp_datagram(void *ctx, uint8_t *buf, size_t len, const struct udp_rx *rx)
{
	struct node *n = ctx;

	receive_datagram(&n->recv, buf, len, rx);
}

static void udp_batch_done(void *ctx)
{
	struct node *n = ctx;

	receive_flush(&n->recv);
	device_flush(&n->m.dev);
	udp_flush(&n->m.udp);
}

static void udp_before_send(void *ctx)
{
	struct node *n = ctx;

	send_seal_pending(&n->m);
}

/* The kernel says datagrams to `to` are too big (or cannot get there). */
static void udp_error(void *ctx, const struct wire_endpoint *to, int err, unsigned mtu)
{
	struct node *n = ctx;
	unsigned overhead = (to->family == 4 ? 28 : 48) + WIRE_TRANSPORT_OVERHEAD;
	char a[ENDPOINT_STR_MAX];

	log_debug("the network says datagrams to %s fail: %s%s", endpoint_str(to, a), strerror(err),
		  mtu ? " (path MTU reported)" : "");
	if (err != EMSGSIZE || mtu <= overhead)
		return;
	for (unsigned i = 0; i < n->m.peers.n; i++) {
		struct peer *p = n->m.peers.list[i];
		const struct wire_endpoint *cur = edge_endpoint(&p->edge);
		if (cur && endpoint_equal(cur, to)) {
			edge_too_big(&p->edge, loop_now(), to, mtu - overhead);
			peers_kick(p, loop_now());
		}
	}
}

static void udp4_readable(struct io *io, uint32_t events)
{
	struct node *n = (struct node *)((char *)io - offsetof(struct node, udp4_io));

	udp_readable(&n->m.udp, io->fd, events);
}

static void udp6_readable(struct io *io, uint32_t events)
{
	struct node *n = (struct node *)((char *)io - offsetof(struct node, udp6_io));

	udp_readable(&n->m.udp, io->fd, events);
}

/* --------------------------------------------------------------- status */

static void snapshot_peer(struct status_peer *s, const struct peer *p)
{
	const struct edge *e = &p->edge;
	const struct edge_path *cur = edge_current(e);
	uint64_t now = loop_now(), wall = loop_realtime() / NSEC_PER_SEC;

	memcpy(s->name, p->name, sizeof(s->name));
	memcpy(s->static_pub, p->static_pub, 32);
	s->n_addrs = p->n_addrs;
	memcpy(s->addrs, p->addrs, sizeof(s->addrs));
	s->n_subnets = p->n_subnets;
	memcpy(s->subnets, p->subnets, sizeof(s->subnets));
	if (cur)
		s->endpoint = cur->ep;
	s->path_kind = edge_path_kind(e);
	s->path_origin = cur ? edge_origin_name(cur->origin) : "none";
	s->n_paths = e->n_paths;
	s->rtt_us = e->rtt_us;
	s->mtu = e->mtu;
	s->mtu_searching = edge_mtu_searching(e);
	s->state = e->state;
	s->why = e->why;
	s->tried = e->tried;
	s->predicting = e->predict_role != EDGE_PREDICT_NONE;
	s->since_wall = wall - (now - e->state_since) / NSEC_PER_SEC;
	s->trying_secs = (now - e->trying_since) / NSEC_PER_SEC;
	s->last_handshake_wall = p->last_handshake_wall / NSEC_PER_SEC;
	s->rx_bytes = p->rx_bytes;
	s->tx_bytes = p->tx_bytes;
	s->rx_packets = p->rx_packets;
	s->tx_packets = p->tx_packets;
	s->drops = p->drops;
	if (p->cert) {
		s->cert_serial = p->cert->serial;
		s->cert_not_after = p->cert->not_after;
	}
	s->refused = trust_refusal_name(p);
}

static const char *nat_mapping(const struct node *n, const struct wire_endpoint *observed);

static void snapshot_hubs(const struct node *n, struct status *st)
{
	uint64_t now = loop_now(), wall = loop_realtime() / NSEC_PER_SEC;

	st->n_hubs = n->hubs.n < 8 ? n->hubs.n : 8;
	for (unsigned i = 0; i < st->n_hubs; i++) {
		const struct hub_conn *h = &n->hubs.hubs[i];
		struct status_hub *s = &st->hubs[i];
		snprintf(s->host, sizeof(s->host), "%s", h->cfg->host);
		s->address = h->ep;
		s->observed = h->observed;
		s->reachable = h->reachable;
		s->members_seen = h->members_seen;
		s->alone = h->alone;
		s->last_contact_wall = h->last_reply ? wall - (now - h->last_reply) / NSEC_PER_SEC : 0;
		s->nat_mapping = nat_mapping(n, &h->observed);
	}
}

static void snapshot_dns(const struct node *n, struct status *st)
{
	const struct dnsd *d = &n->dns;
	struct status_dns *s = &st->dns;

	s->enabled = n->cfg->dns && d->n_socks > 0 && d->enabled;
	snprintf(s->domain, sizeof(s->domain), "%s", n->cfg->dns_domain);
	s->n_listen = d->n_socks;
	for (unsigned i = 0; i < d->n_socks && i < 2; i++)
		s->listen[i] = d->socks[i].addr;
	s->n_names = (unsigned)d->n_hosts;
	s->queries = d->st.queries;
	s->answered = d->st.answered;
	memcpy(s->drops, d->st.drops, sizeof(s->drops));
}

/* What this node's NAT does, as far as the hubs and peers have seen. */
static const char *nat_mapping(const struct node *n, const struct wire_endpoint *observed)
{
	if (n->hubs.nat_edm)
		return "per_destination";
	for (unsigned i = 0; observed->family && i < n->self.n_local; i++)
		if (endpoint_equal(&n->self.local[i], observed))
			return "none"; /* it sees our own address: no NAT on the way */
	return n->hubs.nat_eim ? "endpoint_independent" : "unknown";
}

static void snapshot_nat(const struct node *n, struct status_nat *s)
{
	const struct portmap *pm = &n->pmap;
	uint64_t age = pm->granted ? (loop_now() - pm->granted) / NSEC_PER_SEC : 0;

	s->mapping_state = portmap_state_name(pm->state);
	s->mapping_protocol = portmap_proto_name(pm->state == PORTMAP_MAPPED ? pm->proto : PORTMAP_NONE);
	s->mapped = pm->external;
	s->mapping_port = pm->req.internal_port;
	s->lease_left = pm->state == PORTMAP_MAPPED && age < pm->lifetime ? (uint32_t)(pm->lifetime - age) : 0;
	snprintf(s->mapping_error, sizeof(s->mapping_error), "%s", pm->error);
	s->prediction = n->m.cfg->port_prediction;
	s->rounds_open = n->nat.stats.rounds_open;
	s->rounds_probe = n->nat.stats.rounds_probe;
	s->found = n->nat.stats.found;
	s->probes_sent = n->nat.stats.probes_sent;
	s->sockets_opened = n->nat.stats.sockets_opened;
	s->sockets_closed = n->nat.stats.sockets_closed;
	s->sockets_open = n->m.udp.n_extra;
}

static int snapshot(void *ctx, struct status *st)
{
	const struct node *n = ctx;
	const struct mesh *m = &n->m;
	const struct conf *c = m->cfg;

	snprintf(st->interface, sizeof(st->interface), "%s", m->dev.name);
	memcpy(st->name, m->hostname, sizeof(st->name));
	st->tap = c->tap;
	memcpy(st->public_key, m->id.pub, 32);
	st->port = c->port;
	st->mtu = m->mtu;
	if (c->has_ipv4)
		st->addrs[st->n_addrs++] = c->ipv4;
	if (c->has_ipv6)
		st->addrs[st->n_addrs++] = c->ipv6;
	st->nat_edm = n->hubs.nat_edm;
	st->handshake_load = m->admit.under_load && loop_now() - m->admit.load_since < 10 * NSEC_PER_SEC;
	snapshot_hubs(n, st);
	snprintf(st->hint, sizeof(st->hint), "%s", n->hubs.hint);
	snapshot_dns(n, st);
	trust_status(m, loop_realtime() / NSEC_PER_SEC, &st->ca);
	snapshot_nat(n, &st->nat);
	st->drops = m->drops;
	st->tx_datagrams = m->udp.stats.tx_datagrams;
	st->rx_datagrams = m->udp.stats.rx_datagrams;
	st->gso_sends = m->udp.stats.tx_gso_sends;
	st->gso_refusals = m->udp.stats.gso_refusals;
	st->tx_errors = m->udp.stats.tx_errors;
	st->device.offloads = m->dev.offloads;
	st->device.stats = m->dev.stats;
	st->peers = calloc(m->peers.n + 1, sizeof(*st->peers));
	if (!st->peers)
		return -ENOMEM;
	for (unsigned i = 0; i < m->peers.n; i++)
		snapshot_peer(&st->peers[i], m->peers.list[i]);
	st->n_peers = m->peers.n;
	return 0;
}

/* ---------------------------------------------------------- housekeeping */

static void refresh_advert(struct node *n, uint64_t now)
{
	uint64_t due = (uint64_t)n->m.cfg->advert_interval_sec * NSEC_PER_SEC / 2;
	int r;

	bool predicting = natrun_inviting(&n->nat);

	if (now - n->self.made < due && n->self.nat_edm == n->hubs.nat_edm && n->self.nat_eim == n->hubs.nat_eim &&
	    n->self.predicting == predicting &&
	    endpoint_equal(&n->self.mapped, &n->pmap.external))
		return;
	n->self.nat_edm = n->hubs.nat_edm; /* peers behind NATs learn why punching to us fails */
	n->self.nat_eim = n->hubs.nat_eim; /* ... and whether a prediction round with us can work */
	n->self.mapped = n->pmap.external; /* a port mapping is one more candidate */
	n->self.predicting = predicting;   /* invites the peer of our prediction round */
	r = selfadvert_refresh(&n->self, &n->m);
	if (r < 0) {
		log_warn("cannot build our advert: %s", strerror(-r));
		return;
	}
	n->gself = (struct gossip_self){.advert = n->self.sealed, .len = n->self.len};
	if (r == 1) {
		gossip_advert_changed(&n->m, &n->gself);
		/* the hubs pass a changed advert on at once (members learn of a new
		 * NAT type, mapping or prediction round now, not an interval later) */
		hubclient_register_all(&n->hubs, false);
	}
}

static void forget_old_peers(struct node *n, uint64_t now)
{
	char label[16];

	for (unsigned i = 0; i < n->m.peers.n;) {
		struct peer *p = n->m.peers.list[i];
		if (!edge_forgettable(&p->edge, now)) {
			i++;
			continue;
		}
		log_info("forgetting %s: not heard of for a long time", peer_label(p, label));
		forward_forget(&n->fwd, p);
		peers_remove(&n->m.peers, p); /* moves the last peer into slot i */
	}
}

static void save_cache(struct node *n, uint64_t now, bool force)
{
	int ret;

	if (!n->cache_path[0] || (!force && (!n->m.cache_dirty || now - n->cache_saved < CACHE_SAVE_GAP)))
		return;
	ret = peercache_save(&n->m, n->cache_path);
	if (ret < 0)
		log_warn("cannot write the peer cache %s: %s", n->cache_path, strerror(-ret));
	n->m.cache_dirty = false;
	n->cache_saved = now;
}

/* One member's names: its host name and the addresses of its VPN prefixes. */
static void zone_host(struct dns_host *h, const char *name, const struct wire_prefix *addrs, unsigned n)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	for (unsigned i = 0; i < n; i++) {
		if (addrs[i].family == 4 && h->n_ipv4 < DNS_HOST_ADDRS_MAX)
			memcpy(h->ipv4[h->n_ipv4++], addrs[i].addr, 4);
		else if (addrs[i].family == 6 && h->n_ipv6 < DNS_HOST_ADDRS_MAX)
			memcpy(h->ipv6[h->n_ipv6++], addrs[i].addr, 16);
	}
}

/* The zone: ourselves, then every member whose advert we have. */
static void fill_zone(struct node *n)
{
	const struct mesh *m = &n->m;
	struct wire_prefix own[2];
	unsigned n_own = 0;
	size_t cap, used = 0;
	struct dns_host *hosts = dnsd_hosts(&n->dns, &cap);

	if (!n->dns.n_socks || !cap)
		return;
	if (n->cfg->has_ipv4)
		own[n_own++] = n->cfg->ipv4;
	if (n->cfg->has_ipv6)
		own[n_own++] = n->cfg->ipv6;
	zone_host(&hosts[used++], m->hostname, own, n_own);
	for (unsigned i = 0; i < m->peers.n && used < cap; i++) {
		const struct peer *p = m->peers.list[i];
		if (p->has_advert && p->name[0])
			zone_host(&hosts[used++], p->name, p->addrs, p->n_addrs);
	}
	dnsd_commit(&n->dns, used);
}

/* NetworkManager mode: the hint goes to the service too, on the readiness
 * pipe ("HINT text" / "HINT" when it no longer holds). */
static void report_hint(struct node *n)
{
	char line[400];
	int len;

	if (n->opt.ready_fd < 0 || !strcmp(n->reported_hint, n->hubs.hint))
		return;
	snprintf(n->reported_hint, sizeof(n->reported_hint), "%s", n->hubs.hint);
	len = snprintf(line, sizeof(line), n->hubs.hint[0] ? "HINT %s\n" : "HINT\n", n->hubs.hint);
	if (write(n->opt.ready_fd, line, (size_t)len) != len) {
		close(n->opt.ready_fd); /* the service is gone or does not read: stop telling it */
		n->opt.ready_fd = -1;
	}
}

static void maintenance(struct timer *t)
{
	struct node *n = (struct node *)((char *)t - offsetof(struct node, t_maint));
	uint64_t now = loop_now();

	admit_tick(&n->m.admit, now);
	natrun_tick(&n->nat, now);
	forget_old_peers(n, now);
	for (unsigned i = 0; i < n->m.peers.n; i++) {
		struct peer *p = n->m.peers.list[i];
		if (p->sees_us.family) {
			hubclient_peer_sees(&n->hubs, &p->sees_us);
			p->sees_us.family = 0;
		}
	}
	refresh_advert(n, now);
	if (now - n->gossiped >= GOSSIP_EVERY) {
		n->gossiped = now;
		gossip_tick(&n->m, now, hubclient_any_reachable(&n->hubs));
	}
	trust_tick(&n->m, loop_realtime() / NSEC_PER_SEC);
	gossip_crl_spread(&n->m, now);
	save_cache(n, now, false);
	fill_zone(n);
	report_hint(n);
	udp_flush(&n->m.udp);
	timer_arm(n->m.loop, t, now + MAINT_INTERVAL);
}

/* ------------------------------------------------------------- setting up */

static void edge_config(struct node *n)
{
	const struct conf *c = n->m.cfg;
	struct edge_config *e = &n->m.edge_cfg;
	uint16_t l2 = c->tap ? 14 : 0;

	e->keepalive = (uint64_t)c->ping_interval_sec * NSEC_PER_SEC;
	e->dead_after = (uint64_t)c->ping_timeout_sec * NSEC_PER_SEC;
	e->rekey_after = REKEY_AFTER;
	e->reject_after = REJECT_AFTER;
	e->report_after = REPORT_AFTER;
	e->hint_life = 3ULL * c->advert_interval_sec * NSEC_PER_SEC + 10 * NSEC_PER_SEC;
	e->predict = c->port_prediction;
	e->predict_round = NATRUN_ROUND;
	e->predict_every = (uint64_t)c->advert_interval_sec * NSEC_PER_SEC; /* then the next advert round */
	e->mtu_floor = (uint16_t)(PMTU_MIN_V4 + l2);
	e->mtu_ceiling = (uint16_t)(n->m.mtu + l2);
}

/* MESHUB_OFFLOAD=0: no offloads, =tcp: no UDP offloads (for comparisons
 * or a kernel that misbehaves); anything else: all the kernel has. */
static unsigned offloads_wanted(void)
{
	const char *env = getenv("MESHUB_OFFLOAD");

	if (env && !strcmp(env, "0"))
		return 0;
	if (env && !strcmp(env, "tcp"))
		return DEVICE_OFFLOAD_TCP;
	return DEVICE_OFFLOAD_TCP | DEVICE_OFFLOAD_UDP;
}

/* MESHUB_PARTIAL=0: neither send nor take DATA_PARTIAL (every checksum
 * complete on the wire, for comparisons and tests). */
static bool partial_wanted(void)
{
	const char *env = getenv("MESHUB_PARTIAL");

	return !env || strcmp(env, "0");
}

static int open_device(struct node *n)
{
	struct mesh *m = &n->m;
	char names[64];
	bool uso;
	int ret;

	if (n->opt.device_fd >= 0)
		ret = device_open_fd(&m->dev, n->opt.device_fd, m->cfg->tap, "fd");
	else
		ret = device_open_tun(&m->dev, m->cfg->interface, m->cfg->tap, offloads_wanted());
	if (ret == -EPROTONOSUPPORT && m->cfg->tap) /* tun.h: macOS */
		return log_errno(ret, "TAP needs a kernel extension macOS no longer loads; use [tun] type = tun");
	if (ret < 0)
		return log_errno(ret, "cannot create the %s device '%s'", m->cfg->tap ? "TAP" : "TUN", m->cfg->interface);
	uso = (m->dev.offloads & OFFLOAD_F_USO4) != 0;
	m->partial = !m->cfg->tap && partial_wanted();
	log_info("created %s device %s (MTU %u%s)", m->cfg->tap ? "TAP" : "TUN", m->dev.name, m->mtu,
		 uso ? ", TCP and UDP offloads" : m->dev.offload ? ", TCP offloads" : "");
	offload_flags_str(m->dev.offloads, names, sizeof(names));
	log_debug("device %s offloads: %s%s", m->dev.name, names[0] ? names : "none",
		  m->dev.offload && !uso && (offloads_wanted() & DEVICE_OFFLOAD_UDP)
			  ? " (this kernel cannot hand over UDP super packets: Linux 6.2 and later can)"
			  : "");
	if (n->opt.nm_mode || !m->dev.configurable)
		return 0; /* NetworkManager (or whoever handed us the fd) configures it */
	return setup_configure_device(m->cfg, &m->dev, m->mtu, m->hostname);
}

static int open_transport(struct node *n)
{
	struct mesh *m = &n->m;
	struct wire_endpoint addr;
	struct udp_callbacks cb = {.datagram = udp_datagram,
				   .batch_done = udp_batch_done,
				   .error = udp_error,
				   .before_send = udp_before_send,
				   .ctx = n};
	size_t slot = m->mtu + 14 + WIRE_TRANSPORT_OVERHEAD + 64;
	int ret;

	if (endpoint_parse(&addr, m->cfg->listen_address, m->cfg->port) < 0)
		return log_errno(-EINVAL, "[socket] address '%s' is not an IP address", m->cfg->listen_address);
	ret = udp_open(&m->udp, &addr, slot < 2048 ? 2048 : slot, &cb);
	if (ret < 0)
		return ret == -ENOMEM ? log_errno(ret, "cannot allocate packet buffers") : ret;
	ret = pktpool_init(&m->pool, MESH_POOL_PACKETS, m->udp.slot_size);
	return ret < 0 ? log_errno(ret, "cannot allocate the packet queue") : 0;
}

static int watch(struct node *n)
{
	struct mesh *m = &n->m;
	int ret;

	n->dev_io = (struct io){.fd = m->dev.fd, .cb = dev_readable};
	n->udp4_io = (struct io){.fd = m->udp.fd4, .cb = udp4_readable};
	n->udp6_io = (struct io){.fd = m->udp.fd6, .cb = udp6_readable};
	if ((ret = loop_add_io(m->loop, &n->dev_io, LOOP_IN)) < 0)
		return ret;
	if (m->udp.fd4 >= 0 && (ret = loop_add_io(m->loop, &n->udp4_io, LOOP_IN)) < 0)
		return ret;
	if (m->udp.fd6 >= 0 && (ret = loop_add_io(m->loop, &n->udp6_io, LOOP_IN)) < 0)
		return ret;
	timer_init(&n->t_maint, maintenance);
	return timer_arm(m->loop, &n->t_maint, loop_now() + MAINT_INTERVAL);
}

int node_check_config(const struct conf *cfg, const struct node_options *opt)
{
	if (!cfg->has_psk && !opt->psk_from_fd)
		return log_errno(-EINVAL, "no network key: set [encryption] psk or psk_file (make one with: meshub genkey)");
	return 0;
}

void node_set_log_level(const struct conf *cfg, int verbosity)
{
	int level = (cfg->log_level == CONF_LOG_DEFAULT ? LOG_LVL_INFO : cfg->log_level) + verbosity;

	log_set_level(level < LOG_LVL_ERROR ? LOG_LVL_ERROR : level > LOG_LVL_DEBUG ? LOG_LVL_DEBUG : level);
}

static int identity(struct node *n, struct conf *cfg)
{
	struct mesh *m = &n->m;
	int ret;

	if ((ret = node_check_config(cfg, &n->opt)) < 0)
		return ret;
	keys_derive(cfg->psk, &m->nk);
	setup_hostname(cfg, m->hostname);
	if ((ret = setup_identity(cfg, n->opt.conf_name, &m->id)) < 0)
		return ret;
	keys_node_id(&m->nk, m->id.pub, m->node_id);
	return 0;
}

/* CA networks: the certificates, and the newest revocation list kept
 * beside the peer cache (in the state directory, mode 0600). */
static int ca_network(struct node *n, struct conf *cfg)
{
	char path[PATH_MAX], *slash;

	if (!cfg->ca_file[0])
		return 0;
	if (setup_state_dir(cfg, n->opt.conf_name, path, sizeof(path)) < 0 || !(slash = strrchr(path, '/')) ||
	    (size_t)(slash - path) + sizeof("/crl") > sizeof(path)) {
		log_warn("no place to keep revocation lists from peers: a restart forgets them until a peer passes "
			 "them on again");
		path[0] = '\0';
	} else {
		memcpy(slash, "/crl", sizeof("/crl"));
	}
	return trust_open(&n->m, path);
}

/* `meshub crl load`: the answer goes back as one line. */
static int control_crl(void *ctx, const uint8_t *list, size_t len, char *answer, size_t cap)
{
	struct node *n = ctx;
	int ret = trust_offer_crl(&n->m, list, len, "meshub crl load", answer, cap);

	if (ret == 1)
		gossip_crl_changed(&n->m);
	return ret < 0 ? ret : 0;
}

static int layers(struct node *n)
{
	struct mesh *m = &n->m;
	int ret;

	if ((ret = admit_init(&m->admit, loop_now())) < 0)
		return log_errno(ret, "cannot set up handshake admission");
	m->mtu = m->cfg->mtu ? m->cfg->mtu : setup_auto_mtu(m->cfg);
	edge_config(n);
	if ((ret = setup_pick_port(n->cfg, n->opt.conf_name, m->nk.network_id)) < 0)
		return ret;
	if ((ret = open_transport(n)) < 0)
		return ret;
	if ((ret = peers_init(&m->peers, PEERS_MAX_DEFAULT, m->loop, edgerun_timer, &m->edge_cfg, &m->nk, &m->pool)) < 0)
		return log_errno(ret, "cannot allocate the peer table");
	m->peers.ctx = &n->run;
	if ((ret = open_device(n)) < 0)
		return ret;
	if ((ret = forward_init(&n->fwd, m->udp.slot_size)) < 0)
		return log_errno(ret, "cannot allocate packet buffers");
	natrun_init(&n->nat, m);
	if ((ret = portmap_init(&n->pmap, m, &n->nat)) < 0)
		return ret;
	n->run = (struct edgerun){.m = m, .self = &n->gself, .nat = &n->nat};
	n->recv = (struct receive){.m = m, .fwd = &n->fwd, .run = &n->run, .hubs = &n->hubs, .lan = &n->lan};
	if ((ret = receive_init(&n->recv)) < 0)
		return log_errno(ret, "cannot allocate packet buffers");
	if ((ret = selfadvert_refresh(&n->self, m)) < 0)
		return log_errno(ret, "cannot build our advert");
	n->gself = (struct gossip_self){.advert = n->self.sealed, .len = n->self.len};
	if ((ret = hubclient_init(&n->hubs, m, &n->self)) < 0 || (ret = lan_init(&n->lan, m, &n->self)) < 0)
		return ret;
	return watch(n);
}

static int start_workers(struct node *n)
{
	unsigned want = n->m.cfg->threads == CONF_THREADS_AUTO ? workers_default() : n->m.cfg->threads;
	int ret = workers_start(&n->m.workers, want);

	if (ret < 0)
		return log_errno(ret, "cannot start the crypto threads");
	if (workers_count(n->m.workers) < want)
		log_warn("started %u of %u crypto threads", workers_count(n->m.workers), want);
	log_debug("%u crypto thread(s) besides the main one", workers_count(n->m.workers));
	return 0;
}

static void load_cache(struct node *n)
{
	const char *why;
	int ret;

	if (!n->cache_path[0])
		return;
	ret = peercache_load(&n->m, n->cache_path, &why);
	if (ret > 0)
		log_info("peer cache %s: trying %d known peer(s) first", n->cache_path, ret);
	else if (ret < 0)
		log_warn("peer cache %s: %s (%s)", n->cache_path, why, strerror(-ret));
}

static void report_ready(struct node *n)
{
	char line[128];
	int len;

	if (n->opt.ready_fd < 0)
		return;
	len = snprintf(line, sizeof(line), "READY ifname=%s mtu=%u\n", n->m.dev.name, n->m.mtu);
	if (write(n->opt.ready_fd, line, (size_t)len) != len)
		log_warn("cannot report readiness on fd %d", n->opt.ready_fd);
	if (n->opt.nm_mode)
		return; /* NetworkManager's service also reads hints there (report_hint) */
	close(n->opt.ready_fd);
	n->opt.ready_fd = -1;
}

/* Port 53 needs root: opened with the device, before privileges go. */
static int open_dns(struct node *n)
{
	const struct conf *c = n->cfg;
	struct wire_prefix addrs[2];
	unsigned k = 0;
	const char *env = getenv("MESHUB_DNS_PORT"); /* tests without root */
	unsigned long port = env ? strtoul(env, NULL, 10) : DNS_PORT;

	n->dns.n_socks = 0;
	if (!c->dns)
		return 0;
	if (c->has_ipv4)
		addrs[k++] = c->ipv4;
	if (c->has_ipv6)
		addrs[k++] = c->ipv6;
	if (!k) {
		log_info("no DNS for the members' names: this node has no mesh address to answer on");
		return 0;
	}
	if (!port || port > 65535)
		port = DNS_PORT;
	if (dnsd_open(&n->dns, n->m.loop, addrs, k, (uint16_t)port, n->m.peers.max + 1, c->dns_domain) < 0)
		return log_errno(-ENOMEM, "cannot allocate the DNS zone");
	fill_zone(n);
	return 0;
}

/* [vpn] dns and dns_domain after a reload. */
static void node_dns_reload(struct node *n)
{
	n->dns.enabled = n->cfg->dns; /* on again only if it was on at start: see reload_live() */
	if (n->dns.n_socks)
		dnsd_set_domain(&n->dns, n->cfg->dns_domain);
}

int node_init(struct node *n, struct loop *loop, struct conf *cfg, const struct node_options *opt)
{
	struct mesh *m = &n->m;
	int ret;

	m->cfg = n->cfg = cfg;
	m->loop = loop;
	m->dev.fd = m->udp.fd4 = m->udp.fd6 = -1;
	n->opt = *opt;
	n->control.listen_io.fd = n->control.client_io.fd = -1;
	if ((ret = identity(n, cfg)) < 0 || (ret = ca_network(n, cfg)) < 0 || (ret = layers(n)) < 0)
		return ret;
	/* without a place for the cache the node still works, it just forgets */
	if (cfg->peer_cache && setup_state_dir(cfg, opt->conf_name, n->cache_path, sizeof(n->cache_path)) < 0) {
		log_warn("no peer cache: a restart will need a hub (or LAN discovery) to find peers again");
		n->cache_path[0] = '\0';
	}
	if ((ret = control_open(&n->control, loop, cfg->control_path, m->dev.name, snapshot, control_crl, n)) < 0)
		return ret;
	if ((ret = open_dns(n)) < 0)
		return ret;
	if ((ret = setup_drop_privileges(cfg)) < 0)
		return ret;
	/* threads only now: a change of user applies to the thread making it */
	if ((ret = start_workers(n)) < 0)
		return ret;
	load_cache(n);
	hubclient_register_all(&n->hubs, false);
	n->running = true;
	report_ready(n);
	return 0;
}

/* ------------------------------------------------------------- reloading */

struct reload {
	struct node *n;
	const struct conf *fresh;
	unsigned live, restart;
	bool hubs, lan, edges, advert, log, dns;
};

/* Live, except the DNS server coming on: port 53 needs the root that is gone. */
static bool reload_live(const struct reload *r, const struct conf_schema *k)
{
	if (!strcmp(k->section, "vpn") && !strcmp(k->name, "dns"))
		return !r->fresh->dns || r->n->dns.n_socks > 0;
	return (k->flags & CONF_LIVE) != 0;
}

static void reload_note(void *ctx, const struct conf_schema *k)
{
	struct reload *r = ctx;

	if (!reload_live(r, k)) {
		log_warn("[%s] %s changed: restart meshubd to apply", k->section, k->name);
		r->restart++;
		return;
	}
	r->live++;
	if (!strcmp(k->section, "hub"))
		r->hubs = true;
	else if (!strcmp(k->name, "lan_advert_ports"))
		r->lan = true;
	else if (!strcmp(k->name, "ping_interval_sec") || !strcmp(k->name, "ping_timeout_sec"))
		r->edges = true;
	else if (!strcmp(k->name, "hostname") || !strcmp(k->name, "subnets"))
		r->advert = true;
	else if (!strcmp(k->name, "log_level"))
		r->log = true;
	else if (!strcmp(k->name, "dns") || !strcmp(k->name, "dns_domain"))
		r->dns = true;
	log_info("[%s] %s changed: applied", k->section, k->name);
}

/* The fields of the keys marked CONF_LIVE (conf.c). */
static void reload_copy(struct conf *cur, const struct conf *fresh)
{
	memcpy(cur->lan_ports, fresh->lan_ports, sizeof(cur->lan_ports));
	cur->n_lan_ports = fresh->n_lan_ports;
	memcpy(cur->hubs, fresh->hubs, sizeof(cur->hubs));
	cur->n_hubs = fresh->n_hubs;
	cur->advert_interval_sec = fresh->advert_interval_sec;
	memcpy(cur->hostname, fresh->hostname, sizeof(cur->hostname));
	cur->ping_interval_sec = fresh->ping_interval_sec;
	cur->ping_timeout_sec = fresh->ping_timeout_sec;
	cur->restart_delay_sec = fresh->restart_delay_sec;
	cur->log_level = fresh->log_level;
	memcpy(cur->subnets, fresh->subnets, sizeof(cur->subnets));
	cur->n_subnets = fresh->n_subnets;
	cur->dns = fresh->dns;
	memcpy(cur->dns_domain, fresh->dns_domain, sizeof(cur->dns_domain));
}

/* What meshubd chose or was handed rather than read from the file. */
static void reload_keep(const struct node *n, struct conf *fresh)
{
	const struct conf *cur = n->cfg;

	if (!fresh->port_set && !cur->port_set)
		fresh->port = cur->port; /* picked at start (node_pick_port) */
	/* the key is not live: the file's psk_file is read at start only */
	if (!fresh->has_psk && cur->has_psk) {
		memcpy(fresh->psk, cur->psk, sizeof(fresh->psk));
		fresh->has_psk = true;
	}
}

static void reload_apply(struct node *n, const struct reload *r)
{
	struct mesh *m = &n->m;

	if (r->log)
		node_set_log_level(n->cfg, n->opt.verbosity);
	if (r->edges || r->hubs) { /* hint_life follows the advert interval */
		edge_config(n);
		for (unsigned i = 0; i < m->peers.n; i++)
			peers_kick(m->peers.list[i], loop_now());
	}
	if (r->hubs) {
		hubclient_free(&n->hubs);
		hubclient_init(&n->hubs, m, &n->self);
		hubclient_register_all(&n->hubs, false);
	}
	if (r->lan) {
		lan_free(&n->lan);
		lan_init(&n->lan, m, &n->self);
	}
	if (r->advert) {
		setup_hostname(n->cfg, m->hostname);
		n->self.made = 0; /* rebuilt at once */
		refresh_advert(n, loop_now());
	}
	if (r->dns)
		node_dns_reload(n);
}

int node_reload(struct node *n, struct conf *fresh)
{
	struct reload r = {.n = n, .fresh = fresh};

	reload_keep(n, fresh);
	conf_diff(n->cfg, fresh, reload_note, &r);
	reload_copy(n->cfg, fresh);
	reload_apply(n, &r);
	/* the revocation list's file may have new contents under the same name */
	if (n->m.trust && trust_reload_crl(&n->m) == 1)
		gossip_crl_changed(&n->m);
	if (r.live + r.restart == 0)
		log_info("configuration reloaded: nothing changed");
	else
		log_info("configuration reloaded: %u change(s) applied%s, %u need a restart (edges and sessions kept)",
			 r.live, r.live ? " now" : "", r.restart);
	return (int)r.restart;
}

void node_leave(struct node *n)
{
	if (!n->running)
		return;
	hubclient_register_all(&n->hubs, true);
	save_cache(n, loop_now(), true);
}

void node_free(struct node *n)
{
	struct mesh *m = &n->m;

	if (m->peers.list)
		peers_free(&m->peers);
	hubclient_free(&n->hubs);
	lan_free(&n->lan);
	if (n->dns.loop)
		dnsd_close(&n->dns);
	if (n->opt.ready_fd >= 0) {
		close(n->opt.ready_fd);
		n->opt.ready_fd = -1;
	}
	portmap_free(&n->pmap); /* removes the mapping from the gateway */
	natrun_free(&n->nat);
	if (n->control.loop)
		control_close(&n->control);
	timer_disarm(m->loop, &n->t_maint);
	if (m->dev.ops) {
		loop_del_io(m->loop, &n->dev_io);
		device_close(&m->dev);
	}
	if (m->udp.fd4 >= 0)
		loop_del_io(m->loop, &n->udp4_io);
	if (m->udp.fd6 >= 0)
		loop_del_io(m->loop, &n->udp6_io);
	udp_close(&m->udp);
	workers_stop(m->workers);
	m->workers = NULL;
	receive_free(&n->recv);
	forward_free(&n->fwd);
	pktpool_free(&m->pool);
	admit_free(&m->admit);
	trust_free(m);
	keys_clear(&m->nk);
	sodium_memzero(&m->id, sizeof(m->id));
}
