/* node.c - composes a node out of its layers (see node.h): who gets which
 * callback, the order of setting up, the housekeeping timer, the status
 * snapshot. No packet is handled here. */
#include "config.h"

#include "node.h"

#include "endpoint.h"
#include "log.h"
#include "peercache.h"
#include "setup.h"

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

	forward_from_device(&n->m, &n->fwd, pkt - WIRE_TRANSPORT_HDR_LEN, len);
}

static void dev_readable(struct io *io, uint32_t events)
{
	struct node *n = (struct node *)((char *)io - offsetof(struct node, dev_io));
	const struct device_sink sink = {.reserve = dev_reserve, .packet = dev_packet, .ctx = n};

	if (device_read(&n->m.dev, &sink, DEVICE_BUDGET) == -EPIPE) {
		log_error("the device %s was closed by the other side: stopping", n->m.dev.name);
		loop_quit(n->m.loop);
	}
	udp_flush(&n->m.udp);
}

static void udp_datagram(void *ctx, uint8_t *buf, size_t len, const struct udp_rx *rx)
{
	struct node *n = ctx;

	receive_datagram(&n->recv, buf, len, rx);
}

static void udp_batch_done(void *ctx)
{
	struct node *n = ctx;

	device_flush(&n->m.dev);
	udp_flush(&n->m.udp);
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
		s->last_contact_wall = h->last_reply ? wall - (now - h->last_reply) / NSEC_PER_SEC : 0;
		s->nat_mapping = nat_mapping(n, &h->observed);
	}
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
	snapshot_nat(n, &st->nat);
	st->drops = m->drops;
	st->tx_datagrams = m->udp.stats.tx_datagrams;
	st->rx_datagrams = m->udp.stats.rx_datagrams;
	st->gso_sends = m->udp.stats.tx_gso_sends;
	st->gso_refusals = m->udp.stats.gso_refusals;
	st->tx_errors = m->udp.stats.tx_errors;
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
	save_cache(n, now, false);
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

static int open_device(struct node *n)
{
	struct mesh *m = &n->m;
	const char *env = getenv("MESHUB_OFFLOAD");
	int ret;

	if (n->opt.device_fd >= 0)
		ret = device_open_fd(&m->dev, n->opt.device_fd, m->cfg->tap, "fd");
	else
		ret = device_open_tun(&m->dev, m->cfg->interface, m->cfg->tap, !(env && !strcmp(env, "0")));
	if (ret == -EPROTONOSUPPORT && m->cfg->tap) /* tun.h: macOS */
		return log_errno(ret, "TAP needs a kernel extension macOS no longer loads; use [tun] type = tun");
	if (ret < 0)
		return log_errno(ret, "cannot create the %s device '%s'", m->cfg->tap ? "TAP" : "TUN", m->cfg->interface);
	log_info("created %s device %s (MTU %u%s)", m->cfg->tap ? "TAP" : "TUN", m->dev.name, m->mtu,
		 m->dev.offload ? ", TCP offloads" : "");
	if (n->opt.nm_mode || !m->dev.configurable)
		return 0; /* NetworkManager (or whoever handed us the fd) configures it */
	return setup_configure_device(m->cfg, &m->dev, m->mtu, m->hostname);
}

static int open_transport(struct node *n)
{
	struct mesh *m = &n->m;
	struct wire_endpoint addr;
	struct udp_callbacks cb = {.datagram = udp_datagram, .batch_done = udp_batch_done, .error = udp_error, .ctx = n};
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

static int identity(struct node *n, struct conf *cfg)
{
	struct mesh *m = &n->m;
	int ret;

	if (!cfg->has_psk)
		return log_errno(-EINVAL, "no network key: set [encryption] psk or psk_file (make one with: meshub genkey)");
	keys_derive(cfg->psk, &m->nk);
	setup_hostname(cfg, m->hostname);
	if ((ret = setup_identity(cfg, n->opt.conf_name, &m->id)) < 0)
		return ret;
	keys_node_id(&m->nk, m->id.pub, m->node_id);
	return 0;
}

static int layers(struct node *n)
{
	struct mesh *m = &n->m;
	int ret;

	if ((ret = admit_init(&m->admit, loop_now())) < 0)
		return log_errno(ret, "cannot set up handshake admission");
	m->mtu = m->cfg->mtu ? m->cfg->mtu : setup_auto_mtu(m->cfg);
	edge_config(n);
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
	if ((ret = selfadvert_refresh(&n->self, m)) < 0)
		return log_errno(ret, "cannot build our advert");
	n->gself = (struct gossip_self){.advert = n->self.sealed, .len = n->self.len};
	if ((ret = hubclient_init(&n->hubs, m, &n->self)) < 0 || (ret = lan_init(&n->lan, m, &n->self)) < 0)
		return ret;
	return watch(n);
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
	close(n->opt.ready_fd);
	n->opt.ready_fd = -1;
}

int node_init(struct node *n, struct loop *loop, struct conf *cfg, const struct node_options *opt)
{
	struct mesh *m = &n->m;
	int ret;

	m->cfg = cfg;
	m->loop = loop;
	m->dev.fd = m->udp.fd4 = m->udp.fd6 = -1;
	n->opt = *opt;
	n->control.listen_io.fd = n->control.client_io.fd = -1;
	if ((ret = identity(n, cfg)) < 0 || (ret = layers(n)) < 0)
		return ret;
	/* without a place for the cache the node still works, it just forgets */
	if (cfg->peer_cache && setup_state_dir(cfg, opt->conf_name, n->cache_path, sizeof(n->cache_path)) < 0) {
		log_warn("no peer cache: a restart will need a hub (or LAN discovery) to find peers again");
		n->cache_path[0] = '\0';
	}
	if ((ret = control_open(&n->control, loop, cfg->control_path, m->dev.name, snapshot, n)) < 0)
		return ret;
	if ((ret = setup_drop_privileges(cfg)) < 0)
		return ret;
	load_cache(n);
	hubclient_register_all(&n->hubs, false);
	n->running = true;
	report_ready(n);
	return 0;
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
	forward_free(&n->fwd);
	pktpool_free(&m->pool);
	admit_free(&m->admit);
	keys_clear(&m->nk);
	sodium_memzero(&m->id, sizeof(m->id));
}
