/* test-pcp.c - the port-mapping messages byte for byte: PCP MAP requests
 * and responses (engine/pcp.c) against golden bytes written from RFC 6887's
 * layout, every truncation and malformation refused; and the NAT-PMP and
 * PCP exchanges of engine/portmap-proto.c against a fake gateway on
 * 127.0.0.1:5351 (golden requests in, golden answers out: what libnatpmp
 * sends for us and how its answers reach the node), which skips if that
 * port is taken. */
#include "config.h"

#include "check.h"
#include "netns-lo.h"
#include "pcp.h"
#include "portmap-proto.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

/* lifetime 7200, client ::ffff:10.6.0.11, nonce 00..0b, UDP, internal port
 * 3741, any external port, external ::ffff:0.0.0.0 */
static const char map_request_hex[] = "02010000"
				      "00001c20"
				      "00000000000000000000ffff0a06000b"
				      "000102030405060708090a0b"
				      "11000000"
				      "0e9d0000"
				      "00000000000000000000ffff00000000";
/* success, lifetime 7200, epoch 1337, the same nonce, 198.18.6.1:39612 */
static const char map_response_hex[] = "02810000"
				       "00001c20"
				       "00000539"
				       "000000000000000000000000"
				       "000102030405060708090a0b"
				       "11000000"
				       "0e9d9abc"
				       "00000000000000000000ffffc6120601";

static const uint8_t lan4[4] = {10, 6, 0, 11};

static void test_pcp_request_golden(void)
{
	struct pcp_map_request r = {.lifetime = 7200, .internal_port = 3741};
	uint8_t want[PCP_MAP_MSG_LEN], buf[80];
	static const uint8_t any4[4];

	for (unsigned i = 0; i < PCP_NONCE_LEN; i++)
		r.nonce[i] = (uint8_t)i;
	pcp_v4_mapped(r.client, lan4);
	pcp_v4_mapped(r.external, any4);
	CHECK_INT(check_unhex(want, sizeof(want), map_request_hex), PCP_MAP_MSG_LEN);
	CHECK_INT(pcp_map_request_encode(buf, sizeof(buf), &r), PCP_MAP_MSG_LEN);
	CHECK_MEM(buf, want, PCP_MAP_MSG_LEN);
	CHECK_INT(pcp_map_request_encode(buf, PCP_MAP_MSG_LEN - 1, &r), 0); /* no room: nothing */
}

static void test_pcp_response_golden(void)
{
	uint8_t buf[PCP_MAX_LEN + 8], v4[4];
	struct pcp_map_response resp;
	size_t n = check_unhex(buf, sizeof(buf), map_response_hex);

	CHECK_INT(n, PCP_MAP_MSG_LEN);
	CHECK_INT(pcp_map_response_decode(buf, n, &resp), 0);
	CHECK_INT(resp.result, PCP_SUCCESS);
	CHECK_INT(resp.lifetime, 7200);
	CHECK_INT(resp.epoch, 1337);
	CHECK_INT(resp.protocol, PCP_PROTO_UDP);
	CHECK_INT(resp.internal_port, 3741);
	CHECK_INT(resp.external_port, 39612);
	CHECK_INT(resp.nonce[11], 11);
	CHECK_INT(pcp_v4_of(resp.external, v4), 0);
	CHECK(v4[0] == 198 && v4[1] == 18 && v4[2] == 6 && v4[3] == 1);
	{
		uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
		CHECK_INT(pcp_v4_of(v6, v4), -EINVAL); /* not IPv4-mapped */
	}

	/* options after the MAP body (a multiple of 4 bytes) are allowed */
	memset(buf + n, 0, 4);
	CHECK_INT(pcp_map_response_decode(buf, n + 4, &resp), 0);
	/* every truncation, and lengths that are not a multiple of 4 */
	for (size_t len = 0; len < n; len++)
		CHECK(pcp_map_response_decode(buf, len, &resp) < 0);
	CHECK_INT(pcp_map_response_decode(buf, n + 1, &resp), -EMSGSIZE);
	CHECK_INT(pcp_map_response_decode(buf, PCP_MAX_LEN + 4, &resp), -EMSGSIZE);
	/* a request, another opcode or version: refused; version 0 is a NAT-PMP server */
	buf[1] = PCP_OP_MAP;
	CHECK_INT(pcp_map_response_decode(buf, n, &resp), -EBADMSG);
	buf[1] = 0x82;
	CHECK_INT(pcp_map_response_decode(buf, n, &resp), -EBADMSG);
	buf[1] = 0x81;
	buf[0] = 1;
	CHECK_INT(pcp_map_response_decode(buf, n, &resp), -EBADMSG);
	buf[0] = 0;
	CHECK_INT(pcp_map_response_decode(buf, n, &resp), -EPROTONOSUPPORT);
	buf[0] = 2;
	/* success for TCP or port 0 makes no sense */
	buf[36] = 6;
	CHECK_INT(pcp_map_response_decode(buf, n, &resp), -EBADMSG);
	buf[36] = 17;
	buf[42] = buf[43] = 0;
	CHECK_INT(pcp_map_response_decode(buf, n, &resp), -EBADMSG);
	/* ... but an error answer may carry anything there */
	buf[3] = PCP_NOT_AUTHORIZED;
	CHECK_INT(pcp_map_response_decode(buf, n, &resp), 0);
	CHECK_INT(resp.result, PCP_NOT_AUTHORIZED);
	CHECK(!strcmp(pcp_result_str(resp.result), "not authorized"));
	CHECK(!strcmp(pcp_result_str(200), "unknown result"));
}

/* ------------------------------------------------------- the exchanges */

struct gateway {
	int fd;
	/* what it answers to the i-th request (hex), and what it received */
	const char *answers[4];
	unsigned n_answers;
	uint8_t got[4][64];
	size_t got_len[4];
	unsigned n_got;
	bool echo_nonce; /* PCP: answer with the request's nonce (after one with a wrong one) */
};

static void *gateway_run(void *arg)
{
	struct gateway *g = arg;
	struct pollfd pfd = {.fd = g->fd, .events = POLLIN};

	while (g->n_got < 4 && poll(&pfd, 1, 3000) > 0) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		uint8_t out[PCP_MAP_MSG_LEN + 4];
		ssize_t n = recvfrom(g->fd, g->got[g->n_got], sizeof(g->got[0]), 0, (struct sockaddr *)&from, &flen);
		size_t len;
		if (n < 0)
			break;
		g->got_len[g->n_got] = (size_t)n;
		if (g->n_got >= g->n_answers) {
			g->n_got++;
			continue;
		}
		len = check_unhex(out, sizeof(out), g->answers[g->n_got]);
		if (g->echo_nonce && n >= 36) {
			memset(out + 24, 0xee, 12); /* first a stranger's answer: ignored */
			sendto(g->fd, out, len, 0, (struct sockaddr *)&from, flen);
			memcpy(out + 24, g->got[g->n_got] + 24, 12);
		}
		sendto(g->fd, out, len, 0, (struct sockaddr *)&from, flen);
		g->n_got++;
	}
	return NULL;
}

static bool gateway_open(struct gateway *g)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(PCP_PORT)};

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	g->fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (g->fd < 0 || bind(g->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		printf("skip: 127.0.0.1:%u is taken\n", PCP_PORT);
		if (g->fd >= 0)
			close(g->fd);
		return false;
	}
	return true;
}

static void test_natpmp_exchange(void)
{
	struct gateway g = {.n_answers = 2};
	struct portmap_req req = {.internal_port = 3741, .external_port = 0, .lifetime = 7200};
	struct portmap_grant grant;
	uint8_t want[16];
	pthread_t t;

	/* public address: 198.18.6.1; the mapping 3741 -> 39612 for 7200 s */
	g.answers[0] = "0080000000000539c6120601";
	g.answers[1] = "00810000000005390e9d9abc00001c20";
	if (!gateway_open(&g))
		return;
	inet_pton(AF_INET, "127.0.0.1", &req.gateway);
	pthread_create(&t, NULL, gateway_run, &g);
	CHECK_INT(portmap_natpmp(&req, &grant), 0);
	pthread_join(t, NULL);
	CHECK_INT(g.n_got, 2);
	CHECK_INT(g.got_len[0], 2); /* "what is your public address" */
	CHECK_INT(g.got[0][0], 0);
	CHECK_INT(g.got[0][1], 0);
	CHECK_INT(g.got_len[1], 12); /* map UDP 3741, any external port, 7200 s */
	CHECK_INT(check_unhex(want, sizeof(want), "000100000e9d000000001c20"), 12);
	CHECK_MEM(g.got[1], want, 12);
	CHECK_INT(grant.external_port, 39612);
	CHECK_INT(grant.lifetime, 7200);
	CHECK(grant.external[0] == 198 && grant.external[3] == 1);
	close(g.fd);

	/* the gateway refuses: a clear error */
	g = (struct gateway){.answers = {"0080000000000539c6120601", "00810002000005390e9d000000000000"}, .n_answers = 2};
	if (!gateway_open(&g))
		return;
	pthread_create(&t, NULL, gateway_run, &g);
	CHECK(portmap_natpmp(&req, &grant) < 0);
	pthread_join(t, NULL);
	close(g.fd);
	CHECK(strstr(grant.error, "not authorized") != NULL);
}

static void test_pcp_exchange(void)
{
	struct gateway g = {.answers = {map_response_hex, map_response_hex}, .n_answers = 2, .echo_nonce = true};
	struct portmap_req req = {.internal_port = 3741, .lifetime = 7200};
	struct portmap_grant grant;
	uint8_t nonce[PCP_NONCE_LEN];
	pthread_t t;

	if (!gateway_open(&g))
		return;
	inet_pton(AF_INET, "127.0.0.1", &req.gateway);
	pthread_create(&t, NULL, gateway_run, &g);
	CHECK_INT(portmap_pcp(&req, &grant), 0);
	CHECK_INT(grant.external_port, 39612);
	CHECK_INT(grant.lifetime, 7200);
	CHECK(grant.external[0] == 198 && grant.external[2] == 6);
	CHECK_INT(g.got_len[0], PCP_MAP_MSG_LEN);
	CHECK_INT(g.got[0][0], 2);
	CHECK_INT(g.got[0][1], 1);
	CHECK(g.got[0][8 + 10] == 0xff && g.got[0][8 + 12] == 127); /* the client address: ours towards it */
	memcpy(nonce, g.got[0] + 24, sizeof(nonce));
	/* deleting it: lifetime 0 and the same nonce (RFC 6887 section 15) */
	req.lifetime = 0;
	CHECK_INT(portmap_pcp(&req, &grant), 0);
	pthread_join(t, NULL);
	close(g.fd);
	CHECK_INT(g.n_got, 2);
	CHECK_MEM(g.got[1] + 24, nonce, sizeof(nonce));
	CHECK(g.got[1][4] == 0 && g.got[1][7] == 0);
}

static void test_protos_parse(void)
{
	CHECK_INT(portmap_protos_parse("upnp"), 1u << PORTMAP_UPNP);
	CHECK_INT(portmap_protos_parse("pcp, natpmp"), 1u << PORTMAP_PCP | 1u << PORTMAP_NATPMP);
	CHECK_INT(portmap_protos_parse("pcp,bogus"), 0);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	private_loopback();
	RUN(test_pcp_request_golden);
	RUN(test_pcp_response_golden);
	RUN(test_natpmp_exchange);
	RUN(test_pcp_exchange);
	RUN(test_protos_parse);
	return check_exit();
}
