/* portmap.c - the node's port mapping under its loop (see portmap.h). */
#include "config.h"

#include "portmap.h"

#include "endpoint.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RETRY_AFTER (600ULL * NSEC_PER_SEC) /* no gateway maps ports: ask again this much later */
#define RETRY_LOST (60ULL * NSEC_PER_SEC)   /* a renewal failed: start over this soon */
#define RENEW_MIN (30ULL * NSEC_PER_SEC)

struct job {
	struct portmap_req req;
	unsigned protos;	  /* to try, in order PCP, NAT-PMP, UPnP */
	enum portmap_proto got; /* PORTMAP_NONE: none granted */
	struct portmap_grant grant;
	char errors[400];
	bool need_gateway;
	int fd;
};

typedef int (*proto_fn)(struct portmap_req *, struct portmap_grant *);

static proto_fn proto_call(enum portmap_proto p)
{
	return p == PORTMAP_PCP ? portmap_pcp : p == PORTMAP_NATPMP ? portmap_natpmp : p == PORTMAP_UPNP ? portmap_upnp : NULL;
}

static void append(char *buf, size_t cap, const char *s)
{
	size_t n = strlen(buf);

	snprintf(buf + n, cap - n, "%s%s", n ? "; " : "", s);
}

static void *job_thread(void *arg)
{
	struct job *j = arg;
	bool gw = !j->need_gateway || portmap_gateway(&j->req.gateway) == 0;
	int fd;

	if (!gw)
		append(j->errors, sizeof(j->errors), "PCP, NAT-PMP: no default IPv4 gateway");
	for (unsigned p = PORTMAP_PCP; p <= PORTMAP_UPNP && j->got == PORTMAP_NONE; p++) {
		if (!(j->protos & (1u << p)) || (!gw && p != PORTMAP_UPNP))
			continue;
		if (proto_call(p)(&j->req, &j->grant) == 0)
			j->got = (enum portmap_proto)p;
		else
			append(j->errors, sizeof(j->errors), j->grant.error);
	}
	/* once sent, the job is the node's (it may be freed at once); if the
	 * node is gone (no SIGPIPE), it is ours to free */
	fd = j->fd;
	if (send(fd, &j, sizeof(j), MSG_NOSIGNAL) != sizeof(j))
		free(j);
	close(fd);
	return NULL;
}

static void ask(struct portmap *pm, unsigned protos)
{
	struct job *j;
	pthread_attr_t attr;
	pthread_t tid;
	int sv[2];

	if (pm->busy || pm->fd >= 0 || socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
		return;
	if (!(j = calloc(1, sizeof(*j)))) {
		close(sv[0]);
		close(sv[1]);
		return;
	}
	j->req = pm->req;
	j->req.lifetime = PORTMAP_LIFETIME;
	j->protos = protos;
	j->need_gateway = !pm->req.gateway.s_addr;
	j->fd = sv[1];
	pm->fd = sv[0];
	pm->io.fd = sv[0];
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (loop_add_io(pm->m->loop, &pm->io, LOOP_IN) < 0 || pthread_create(&tid, &attr, job_thread, j) != 0) {
		loop_del_io(pm->m->loop, &pm->io);
		close(sv[0]);
		close(sv[1]);
		free(j);
		pm->fd = -1;
	} else {
		pm->busy = true;
		if (pm->state != PORTMAP_MAPPED)
			pm->state = PORTMAP_WORKING;
	}
	pthread_attr_destroy(&attr);
}

static void granted(struct portmap *pm, const struct job *j)
{
	char a[ENDPOINT_STR_MAX];
	bool renewal = pm->state == PORTMAP_MAPPED;
	uint64_t renew;

	pm->proto = j->got;
	pm->state = PORTMAP_MAPPED;
	pm->external = (struct wire_endpoint){.family = 4, .port = j->grant.external_port};
	memcpy(pm->external.addr, j->grant.external, 4);
	pm->lifetime = j->grant.lifetime;
	pm->granted = loop_now();
	pm->req.external_port = j->grant.external_port;
	pm->error[0] = '\0';
	pm->m->edge_cfg.have_mapping = true;
	/* renewed at half its life; a permanent one (UPnP, lease 0) is re-added hourly */
	renew = pm->lifetime ? (uint64_t)pm->lifetime * NSEC_PER_SEC / 2 : 3600 * NSEC_PER_SEC;
	timer_arm(pm->m->loop, &pm->t, pm->granted + (renew < RENEW_MIN ? RENEW_MIN : renew));
	if (renewal)
		log_debug("port mapping renewed by %s for %u s", portmap_proto_name(pm->proto), pm->lifetime);
	else
		log_info("port mapping: the gateway (%s) forwards %s to UDP port %u of this node for %u s",
			 portmap_proto_name(pm->proto), endpoint_str(&pm->external, a), pm->req.internal_port, pm->lifetime);
	if (j->errors[0])
		log_debug("port mapping: before %s: %s", portmap_proto_name(pm->proto), j->errors);
}

static void refused(struct portmap *pm, const struct job *j)
{
	bool lost = pm->state == PORTMAP_MAPPED;

	pm->state = PORTMAP_FAILED;
	pm->external.family = 0;
	pm->m->edge_cfg.have_mapping = false;
	snprintf(pm->error, sizeof(pm->error), "%s", j->errors[0] ? j->errors : "no protocol to try");
	if (lost) {
		log_warn("port mapping lost (the renewal failed: %s); asking again in %llu s", pm->error,
			 (unsigned long long)(RETRY_LOST / NSEC_PER_SEC));
		pm->req.upnp_control[0] = '\0'; /* rediscover */
		timer_arm(pm->m->loop, &pm->t, loop_now() + RETRY_LOST);
	} else {
		log_info("no port mapping on the gateway (%s); asking again in %llu s", pm->error,
			 (unsigned long long)(RETRY_AFTER / NSEC_PER_SEC));
		timer_arm(pm->m->loop, &pm->t, loop_now() + RETRY_AFTER);
	}
}

static void answered(struct io *io, uint32_t events)
{
	struct portmap *pm = (struct portmap *)((char *)io - offsetof(struct portmap, io));
	struct job *j = NULL;
	ssize_t r = recv(io->fd, &j, sizeof(j), 0);

	(void)events;
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	loop_del_io(pm->m->loop, io);
	close(pm->fd);
	pm->fd = -1;
	pm->busy = false;
	if (r != sizeof(j) || !j) {
		timer_arm(pm->m->loop, &pm->t, loop_now() + RETRY_LOST);
		return;
	}
	pm->req.gateway = j->req.gateway;
	memcpy(pm->req.upnp_control, j->req.upnp_control, sizeof(pm->req.upnp_control));
	memcpy(pm->req.upnp_service, j->req.upnp_service, sizeof(pm->req.upnp_service));
	memcpy(pm->req.upnp_lan, j->req.upnp_lan, sizeof(pm->req.upnp_lan));
	memcpy(pm->req.pcp_nonce, j->req.pcp_nonce, sizeof(pm->req.pcp_nonce));
	if (j->got != PORTMAP_NONE)
		granted(pm, j);
	else
		refused(pm, j);
	free(j);
}

static void due(struct timer *t)
{
	struct portmap *pm = (struct portmap *)((char *)t - offsetof(struct portmap, t));

	/* a renewal asks the protocol that granted it; anything else tries them all */
	ask(pm, pm->state == PORTMAP_MAPPED ? 1u << pm->proto : pm->protos);
}

static unsigned protos_wanted(void)
{
	const char *env = getenv("MESHUB_PORT_MAPPING");
	unsigned all = 1u << PORTMAP_PCP | 1u << PORTMAP_NATPMP | 1u << PORTMAP_UPNP, mask;

	if (!env || !*env)
		return all;
	mask = portmap_protos_parse(env);
	if (!mask)
		log_warn("MESHUB_PORT_MAPPING='%s': expected a list of pcp, natpmp, upnp; trying all", env);
	return mask ? mask : all;
}

int portmap_init(struct portmap *pm, struct mesh *m, struct natrun *nat)
{
	struct wire_endpoint bind_to = {.family = 4};
	int ret;

	memset(pm, 0, sizeof(*pm));
	pm->m = m;
	pm->nat = nat;
	pm->fd = -1;
	pm->io = (struct io){.fd = -1, .cb = answered};
	timer_init(&pm->t, due);
	if (!m->cfg->port_mapping)
		return 0;
	if (endpoint_parse(&bind_to, m->cfg->listen_address, 1) < 0 || bind_to.family != 4) {
		log_info("no port mapping: [socket] address %s is not IPv4 (the protocols map IPv4 ports)",
			 m->cfg->listen_address);
		return 0;
	}
	bind_to.port = 0;
	if ((ret = udp_extra_open(&m->udp, EDGE_SOCK_MAPPED, &bind_to)) < 0)
		return log_errno(ret, "cannot open the port mapping's UDP socket");
	if ((ret = natrun_watch(nat, EDGE_SOCK_MAPPED)) < 0)
		return log_errno(ret, "cannot watch the port mapping's UDP socket");
	pm->req.internal_port = udp_extra_port(&m->udp, EDGE_SOCK_MAPPED);
	pm->protos = protos_wanted();
	ask(pm, pm->protos);
	return 0;
}

void portmap_free(struct portmap *pm)
{
	struct portmap_grant g;
	proto_fn fn;

	if (!pm->m)
		return;
	timer_disarm(pm->m->loop, &pm->t);
	if (pm->fd >= 0) {
		/* the thread finds the other end closed and frees its job */
		loop_del_io(pm->m->loop, &pm->io);
		close(pm->fd);
		pm->fd = -1;
	}
	if (pm->state == PORTMAP_MAPPED && (fn = proto_call(pm->proto))) {
		pm->req.lifetime = 0;
		if (fn(&pm->req, &g) < 0)
			log_warn("cannot remove the port mapping on the gateway (%s): it expires by itself", g.error);
		else
			log_info("port mapping removed from the gateway");
	}
	pm->m->edge_cfg.have_mapping = false;
	natrun_unwatch(pm->nat, EDGE_SOCK_MAPPED);
	udp_extra_close(&pm->m->udp, EDGE_SOCK_MAPPED);
	pm->state = PORTMAP_OFF;
	pm->m = NULL;
}

const char *portmap_state_name(enum portmap_state s)
{
	static const char *const names[] = {"off", "working", "mapped", "failed"};

	return (unsigned)s < 4 ? names[s] : "?";
}
