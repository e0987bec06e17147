/* portmap-proto.c - one port-mapping request per protocol (see portmap-proto.h). */
#include "config.h"

#include "portmap-proto.h"

#include "endpoint.h"
#include "pcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>
#include <natpmp.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define PCP_TRIES 3
#define PCP_FIRST_WAIT_MS 250 /* then doubled: 1.75 s in all */
#define NATPMP_WAIT_MS 2000
#define UPNP_DISCOVER_MS 1500

const char *portmap_proto_name(enum portmap_proto p)
{
	static const char *const names[] = {"none", "pcp", "natpmp", "upnp"};

	return (unsigned)p < 4 ? names[p] : "?";
}

unsigned portmap_protos_parse(const char *list)
{
	unsigned mask = 0;
	char buf[64], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		unsigned p;
		for (p = PORTMAP_PCP; p <= PORTMAP_UPNP && strcmp(t, portmap_proto_name(p)); p++)
			;
		if (p > PORTMAP_UPNP)
			return 0;
		mask |= 1u << p;
	}
	return mask;
}

static int fail(struct portmap_grant *out, int err, const char *fmt, const char *detail)
	__attribute__((format(printf, 3, 0)));
static int fail(struct portmap_grant *out, int err, const char *fmt, const char *detail)
{
	_Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wformat-nonliteral\"");
	snprintf(out->error, sizeof(out->error), fmt, detail);
	_Pragma("GCC diagnostic pop");
	return err;
}

int portmap_gateway(struct in_addr *gw)
{
	natpmp_t np;

	if (initnatpmp(&np, 0, 0) < 0)
		return -ENETUNREACH;
	gw->s_addr = np.gateway;
	closenatpmp(&np);
	return 0;
}

/* ------------------------------------------------------------------ PCP */

/* A UDP socket connected to the gateway's PCP port, and our address towards it. */
static int pcp_socket(struct in_addr gw, uint8_t client[4])
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(PCP_PORT), .sin_addr = gw}, me;
	socklen_t len = sizeof(me);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || getsockname(fd, (struct sockaddr *)&me, &len) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	memcpy(client, &me.sin_addr, 4);
	return fd;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Waits up to ms for the answer to our nonce; 0, -ETIMEDOUT or -errno. A
 * signal does not cut the wait short (the node's privilege drop interrupts
 * every thread's poll once per set*id call). */
static int pcp_wait(int fd, const uint8_t nonce[PCP_NONCE_LEN], int ms, struct pcp_map_response *resp, int *decode_err)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	uint8_t buf[PCP_MAX_LEN + 4];
	struct timespec t0;
	long left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* bounded: each answer that is not ours, or a signal, costs one poll of what is left */
	for (int n = 0; n < 32 && (left = ms - ms_since(&t0)) > 0; n++) {
		int r = poll(&pfd, 1, (int)left);
		ssize_t got;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (got < 0)
			return errno == ECONNREFUSED ? -ECONNREFUSED : -errno;
		*decode_err = pcp_map_response_decode(buf, (size_t)got, resp);
		if (*decode_err == -EPROTONOSUPPORT)
			return *decode_err;
		if (!*decode_err && !memcmp(resp->nonce, nonce, PCP_NONCE_LEN))
			return 0;
	}
	return -ETIMEDOUT;
}

int portmap_pcp(struct portmap_req *req, struct portmap_grant *out)
{
	struct pcp_map_request m = {.lifetime = req->lifetime, .internal_port = req->internal_port,
				    .external_port = req->external_port};
	struct pcp_map_response resp;
	uint8_t client[4], buf[PCP_MAP_MSG_LEN];
	int fd, ret = -ETIMEDOUT, decode_err = 0, wait = PCP_FIRST_WAIT_MS;
	size_t len;

	memset(out, 0, sizeof(*out));
	if ((fd = pcp_socket(req->gateway, client)) < 0)
		return fail(out, fd, "PCP: cannot reach the gateway: %s", strerror(-fd));
	pcp_v4_mapped(m.client, client);
	if (req->lifetime) {
		static const uint8_t any4[4];
		pcp_v4_mapped(m.external, any4); /* "any IPv4 address" */
	}
	if (sodium_is_zero(req->pcp_nonce, sizeof(req->pcp_nonce)))
		randombytes_buf(req->pcp_nonce, sizeof(req->pcp_nonce));
	memcpy(m.nonce, req->pcp_nonce, sizeof(m.nonce));
	len = pcp_map_request_encode(buf, sizeof(buf), &m);
	for (int i = 0; i < PCP_TRIES && ret == -ETIMEDOUT; i++, wait *= 2) {
		if (send(fd, buf, len, 0) < 0) {
			ret = -errno;
			break;
		}
		ret = pcp_wait(fd, m.nonce, wait, &resp, &decode_err);
	}
	close(fd);
	if (ret == -EPROTONOSUPPORT)
		return fail(out, ret, "PCP: %s", "the gateway speaks only NAT-PMP");
	if (ret == -ECONNREFUSED)
		return fail(out, ret, "PCP: %s", "the gateway has no PCP server (port 5351 refused)");
	if (ret < 0)
		return fail(out, ret, "PCP: %s", ret == -ETIMEDOUT ? "no answer from the gateway" : strerror(-ret));
	if (resp.result != PCP_SUCCESS)
		return fail(out, -EPERM, "PCP: the gateway refused: %s", pcp_result_str(resp.result));
	if (!req->lifetime)
		return 0;
	if (pcp_v4_of(resp.external, out->external) < 0)
		return fail(out, -EAFNOSUPPORT, "PCP: %s", "the gateway mapped an address that is not IPv4");
	out->external_port = resp.external_port;
	out->lifetime = resp.lifetime;
	return 0;
}

/* -------------------------------------------------------------- NAT-PMP */

static const char *natpmp_error(int r)
{
	switch (r) {
	case NATPMP_ERR_NOGATEWAYSUPPORT:
	case NATPMP_ERR_RECVFROM:
		return "the gateway has no NAT-PMP server";
	case NATPMP_ERR_NOTAUTHORIZED:
		return "the gateway refused (not authorized)";
	case NATPMP_ERR_NETWORKFAILURE:
		return "the gateway has no public address (network failure)";
	case NATPMP_ERR_OUTOFRESOURCES:
		return "the gateway is out of ports";
	case NATPMP_TRYAGAIN:
		return "no answer from the gateway";
	default:
		return "the exchange failed";
	}
}

/* Reads the answer to the pending request, at most NATPMP_WAIT_MS in all. */
static int natpmp_answer(natpmp_t *np, natpmpresp_t *resp)
{
	struct timespec start;
	int r = NATPMP_TRYAGAIN;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (int n = 0; n < 64 && r == NATPMP_TRYAGAIN; n++) {
		struct timeval tv;
		struct pollfd pfd = {.fd = np->s, .events = POLLIN};
		long left = NATPMP_WAIT_MS - ms_since(&start);
		if (left <= 0)
			break;
		if (getnatpmprequesttimeout(np, &tv) == 0) {
			long ms = tv.tv_sec * 1000 + tv.tv_usec / 1000;
			left = ms < left ? ms : left;
		}
		(void)poll(&pfd, 1, (int)(left > 0 ? left : 0));
		r = readnatpmpresponseorretry(np, resp);
	}
	return r;
}

int portmap_natpmp(struct portmap_req *req, struct portmap_grant *out)
{
	natpmpresp_t resp;
	natpmp_t np;
	int r;

	memset(out, 0, sizeof(*out));
	if (initnatpmp(&np, 1, req->gateway.s_addr) < 0)
		return fail(out, -ENETUNREACH, "NAT-PMP: %s", "cannot open a socket to the gateway");
	if (req->lifetime) {
		if ((r = sendpublicaddressrequest(&np)) < 0 || (r = natpmp_answer(&np, &resp)) < 0) {
			closenatpmp(&np);
			return fail(out, -EHOSTUNREACH, "NAT-PMP: %s", natpmp_error(r));
		}
		memcpy(out->external, &resp.pnu.publicaddress.addr, 4);
	}
	r = sendnewportmappingrequest(&np, NATPMP_PROTOCOL_UDP, req->internal_port,
				      req->lifetime ? req->external_port : 0, req->lifetime);
	if (r >= 0)
		r = natpmp_answer(&np, &resp);
	closenatpmp(&np);
	if (r < 0)
		return fail(out, -EHOSTUNREACH, "NAT-PMP: %s", natpmp_error(r));
	if (resp.type != NATPMP_RESPTYPE_UDPPORTMAPPING || resp.pnu.newportmapping.privateport != req->internal_port)
		return fail(out, -EBADMSG, "NAT-PMP: %s", "the gateway answered for another mapping");
	if (req->lifetime && !resp.pnu.newportmapping.mappedpublicport)
		return fail(out, -EBADMSG, "NAT-PMP: %s", "the gateway mapped port 0");
	out->external_port = resp.pnu.newportmapping.mappedpublicport;
	out->lifetime = resp.pnu.newportmapping.lifetime;
	return 0;
}

/* ----------------------------------------------------------------- UPnP */

static bool upnp_connected(const char *control, const char *service)
{
	char status[64] = "", error[64] = "";
	unsigned uptime = 0;

	return UPNP_GetStatusInfo(control, service, status, &uptime, error) == UPNPCOMMAND_SUCCESS &&
	       !strcmp(status, "Connected");
}

static int upnp_find(struct portmap_req *req, struct portmap_grant *out)
{
	struct UPNPUrls urls;
	struct IGDdatas data;
	struct UPNPDev *devs;
	int err = 0, r;

	devs = upnpDiscover(UPNP_DISCOVER_MS, NULL, NULL, UPNP_LOCAL_PORT_ANY, 0, 2, &err);
	if (!devs)
		return fail(out, -EHOSTUNREACH, "UPnP: %s", "no Internet Gateway Device answered the discovery");
	memset(&urls, 0, sizeof(urls));
	r = UPNP_GetValidIGD(devs, &urls, &data, req->upnp_lan, sizeof(req->upnp_lan));
	freeUPNPDevlist(devs);
	/* 2: miniupnpc also says so of a connected IGD whose public address is
	 * in a reserved range (198.18.0.0/15, ...); it asks the IGD itself, and
	 * portmap_upnp() refuses a private one */
	if (r == 2 && !upnp_connected(urls.controlURL, data.first.servicetype))
		r = -1;
	if (r == 1 || r == 2) {
		snprintf(req->upnp_control, sizeof(req->upnp_control), "%s", urls.controlURL);
		snprintf(req->upnp_service, sizeof(req->upnp_service), "%s", data.first.servicetype);
	}
	if (r > 0)
		FreeUPNPUrls(&urls);
	if (r != 1 && r != 2)
		return fail(out, -EHOSTUNREACH, "UPnP: %s",
			    r < 0 ? "the gateway says it is not connected" : "no usable Internet Gateway Device");
	return 0;
}

int portmap_upnp(struct portmap_req *req, struct portmap_grant *out)
{
	char ext[8], in[8], lease[12], ip[40] = "";
	struct wire_endpoint ext_ep;
	struct in_addr a;
	int r, ret;

	memset(out, 0, sizeof(*out));
	if (!req->upnp_control[0] && (ret = upnp_find(req, out)) < 0)
		return ret;
	snprintf(in, sizeof(in), "%u", req->internal_port);
	if (!req->lifetime) {
		snprintf(ext, sizeof(ext), "%u", req->external_port);
		r = UPNP_DeletePortMapping(req->upnp_control, req->upnp_service, ext, "UDP", NULL);
		return r == UPNPCOMMAND_SUCCESS ? 0 : fail(out, -EIO, "UPnP: delete failed: %s", strupnperror(r));
	}
	r = UPNP_GetExternalIPAddress(req->upnp_control, req->upnp_service, ip);
	if (r != UPNPCOMMAND_SUCCESS || inet_pton(AF_INET, ip, &a) != 1)
		return fail(out, -EHOSTUNREACH, "UPnP: the gateway has no public address: %s", strupnperror(r));
	ext_ep = (struct wire_endpoint){.family = 4};
	memcpy(ext_ep.addr, &a, 4);
	if (endpoint_is_private(&ext_ep)) /* another NAT beyond it: a mapping here reaches no one outside */
		return fail(out, -EHOSTUNREACH, "UPnP: the gateway's own address %s is private (another NAT beyond it)", ip);
	snprintf(lease, sizeof(lease), "%u", req->lifetime);
	/* the port we had, our own, then random ones: another host may hold it */
	for (int i = 0, permanent = 0; i < 4; i++) {
		unsigned port = i == 0 && req->external_port ? req->external_port
			      : i <= 1		       ? req->internal_port
						       : 1024 + randombytes_uniform(64512);
		snprintf(ext, sizeof(ext), "%u", port);
		r = UPNP_AddPortMapping(req->upnp_control, req->upnp_service, ext, in, req->upnp_lan, "meshub", "UDP",
					NULL, lease);
		if (r == 725 && !permanent++) { /* OnlyPermanentLeasesSupported: removed on exit all the same */
			snprintf(lease, sizeof(lease), "0");
			i--;
			continue;
		}
		if (r == UPNPCOMMAND_SUCCESS) {
			memcpy(out->external, &a, 4);
			out->external_port = (uint16_t)port;
			out->lifetime = req->lifetime;
			return 0;
		}
		if (r != 718 && r != 729) /* ConflictInMappingEntry, ConflictWithOtherMechanisms */
			break;
	}
	return fail(out, -EPERM, "UPnP: the gateway refused the mapping: %s", strupnperror(r));
}
