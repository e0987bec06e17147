/* fuzz-natpmp.c - the NAT-PMP answers the node relies on (libnatpmp's
 * decoder, as engine/portmap-proto.c uses it): each input is sent from a
 * fake gateway on 127.0.0.1:5351 to a client with a request pending, which
 * must not crash and must report either an answer or an error; an answer
 * it accepts is a UDP mapping or a public address. Skips (accepts every
 * input) if the port is taken. */
#include "config.h"

#include "../netns-lo.h"

#include <arpa/inet.h>
#include <natpmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int gw = -2;

static int gateway(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(5351)};

	if (gw != -2)
		return gw;
	private_loopback();
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	gw = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (gw >= 0 && bind(gw, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(gw);
		gw = -1;
	}
	return gw;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage client;
	socklen_t clen = sizeof(client);
	uint8_t req[16];
	natpmpresp_t resp;
	natpmp_t np;
	int fd = gateway(), r;

	if (fd < 0 || size > 1100 || initnatpmp(&np, 1, inet_addr("127.0.0.1")) < 0)
		return 0;
	/* a mapping request pending, as the node has it; the gateway learns where to answer */
	if (sendnewportmappingrequest(&np, NATPMP_PROTOCOL_UDP, 3741, 0, 7200) < 0 ||
	    recvfrom(fd, req, sizeof(req), 0, (struct sockaddr *)&client, &clen) < 0) {
		closenatpmp(&np);
		return 0;
	}
	sendto(fd, data, size, 0, (struct sockaddr *)&client, clen);
	memset(&resp, 0, sizeof(resp));
	for (int i = 0; i < 4 && (r = readnatpmpresponseorretry(&np, &resp)) == NATPMP_TRYAGAIN; i++)
		usleep(1000);
	if (r == 0 && resp.type != NATPMP_RESPTYPE_UDPPORTMAPPING && resp.type != NATPMP_RESPTYPE_TCPPORTMAPPING &&
	    resp.type != NATPMP_RESPTYPE_PUBLICADDRESS)
		abort();
	closenatpmp(&np);
	return 0;
}
