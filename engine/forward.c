/* forward.c - routing packets between the device and the peers (see forward.h). */
#include "config.h"

#include "forward.h"

#include "cert.h"
#include "icmp.h"
#include "offload.h"
#include "send.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ICMP_PER_SEC 100

int forward_init(struct forward *f, size_t packet_max)
{
	memset(f, 0, sizeof(*f));
	f->flood = malloc(packet_max);
	f->flood_cap = packet_max;
	return f->flood ? 0 : -ENOMEM;
}

void forward_free(struct forward *f)
{
	free(f->flood);
	f->flood = NULL;
}

void forward_forget(struct forward *f, const struct peer *p)
{
	for (unsigned i = 0; i < FORWARD_MAC_SLOTS; i++)
		if (f->macs[i].peer == p)
			f->macs[i].peer = NULL;
}

static struct forward_mac *mac_slot(struct forward *f, const uint8_t *mac)
{
	return &f->macs[(mac[4] << 8 | mac[5]) & (FORWARD_MAC_SLOTS - 1)];
}

/* An ICMP error back into the device, at most ICMP_PER_SEC a second. */
static void icmp_reply(struct mesh *m, const uint8_t *pkt, size_t len, unsigned mtu)
{
	uint8_t out[1280];
	uint64_t sec = loop_now() / NSEC_PER_SEC;
	size_t out_len;

	if (sec != m->icmp_window) {
		m->icmp_window = sec;
		m->icmp_count = 0;
	}
	if (++m->icmp_count > ICMP_PER_SEC)
		return;
	out_len = icmp_build_error(out, sizeof(out), pkt, len, mtu);
	if (out_len && device_write(&m->dev, out, out_len) < 0)
		mesh_drop(m, NULL, DROP_TUN_WRITE);
}

static bool too_big(const struct peer *p, size_t len)
{
	return p->edge.mtu && len > p->edge.mtu;
}

static void flood(struct mesh *m, struct forward *f, const uint8_t *frame, size_t len)
{
	if (len > f->flood_cap)
		return;
	/* each copy is encrypted in place in its own slot */
	memcpy(f->flood, frame, len);
	for (unsigned i = 0; i < m->peers.n; i++) {
		struct peer *p = m->peers.list[i];
		uint8_t *slot;
		if (!edge_is_up(&p->edge) || too_big(p, len))
			continue;
		slot = udp_reserve(&m->udp);
		memcpy(slot + WIRE_TRANSPORT_HDR_LEN, f->flood, len);
		send_data(m, p, slot, len, false);
	}
}

static void from_tap(struct mesh *m, struct forward *f, uint8_t *slot, size_t len)
{
	uint8_t *frame = slot + WIRE_TRANSPORT_HDR_LEN;
	struct forward_mac *e;

	if (len < 14)
		return;
	e = mac_slot(f, frame);
	if (!(frame[0] & 1) && e->peer && !memcmp(e->mac, frame, 6) && edge_is_up(&e->peer->edge)) {
		if (too_big(e->peer, len))
			mesh_drop(m, e->peer, DROP_TOO_BIG);
		else
			send_data(m, e->peer, slot, len, false);
		return;
	}
	flood(m, f, frame, len);
}

static struct peer *route_ip(struct mesh *m, const uint8_t *pkt, size_t len)
{
	if (len >= 20 && pkt[0] >> 4 == 4)
		return peers_route(&m->peers, 4, pkt + 16);
	if (len >= 40 && pkt[0] >> 4 == 6)
		return peers_route(&m->peers, 6, pkt + 24);
	return NULL;
}

void forward_from_device(struct mesh *m, struct forward *f, uint8_t *slot, size_t len, bool partial)
{
	uint8_t *pkt = slot + WIRE_TRANSPORT_HDR_LEN;
	struct peer *p;

	if (m->cfg->tap) {
		from_tap(m, f, slot, len);
		return;
	}
	p = route_ip(m, pkt, len);
	if (!p || p->edge.state == EDGE_DOWN || (p->edge.state != EDGE_UP && p->edge.why != EDGE_WHY_NONE)) {
		/* nobody, or an edge known not to work: say so at once */
		mesh_drop(m, p, DROP_NO_ROUTE);
		icmp_reply(m, pkt, len, 0);
		if (p && edge_want_session(&p->edge, loop_now()))
			peers_kick(p, loop_now());
		return;
	}
	if (too_big(p, len)) {
		/* larger than this edge carries: tell the sender (TCP adapts) */
		mesh_drop(m, p, DROP_TOO_BIG);
		icmp_reply(m, pkt, len, p->edge.mtu);
		return;
	}
	/* a partial checksum only to a peer that says it takes one */
	if (partial && !(p->advert_flags & WIRE_ADVERT_FLAG_PARTIAL)) {
		offload_csum_fill(pkt, len);
		partial = false;
	}
	send_data(m, p, slot, len, partial);
}

/* A peer may only send from its own addresses and subnets: in a CA
 * network those of its certificate (a peer's addrs and subnets are then
 * the certificate's), in a PSK network those routed to it. */
static bool source_allowed(struct mesh *m, struct peer *p, const uint8_t *pkt, size_t len)
{
	const uint8_t *src = NULL;
	uint8_t family = 0;

	if (len >= 20 && pkt[0] >> 4 == 4)
		src = pkt + 12, family = 4;
	else if (len >= 40 && pkt[0] >> 4 == 6)
		src = pkt + 8, family = 6;
	if (!src) {
		mesh_drop(m, p, DROP_MALFORMED);
		return false;
	}
	if (m->trust ? !p->cert || !cert_prefixes_allow(p->addrs, p->n_addrs, p->subnets, p->n_subnets, family, src)
		     : peers_route(&m->peers, family, src) != p) {
		mesh_drop(m, p, DROP_SOURCE_ADDRESS);
		return false;
	}
	return true;
}

void forward_to_device(struct mesh *m, struct forward *f, struct peer *p, uint8_t *pkt, size_t len, bool partial)
{
	struct offload_hdr spot;
	int ret;

	if (partial && (m->cfg->tap || !offload_csum_spot(pkt, len, &spot))) {
		/* only a TCP or UDP packet can have its checksum left partial */
		mesh_drop(m, p, DROP_MALFORMED);
		return;
	}
	if (m->cfg->tap) {
		if (len < 14) {
			mesh_drop(m, p, DROP_MALFORMED);
			return;
		}
		if (!(pkt[6] & 1)) { /* learn the unicast source MAC */
			struct forward_mac *e = mac_slot(f, pkt + 6);
			memcpy(e->mac, pkt + 6, 6);
			e->peer = p;
		}
	} else if (!source_allowed(m, p, pkt, len)) {
		return;
	}
	p->rx_bytes += len;
	p->rx_packets++;
	ret = partial ? device_write_partial(&m->dev, pkt, len) : device_write(&m->dev, pkt, len);
	if (ret < 0)
		mesh_drop(m, p, DROP_TUN_WRITE);
}
