/* bench-peers.c - the memory of a node's peer table: 1000 peers, each with
 * a sealed advert of a typical size, an edge with three paths and a full
 * set of sessions, measured with mallinfo2() (heap bytes in use) and
 * divided per peer, in a PSK network and in a CA network (where every peer
 * also holds its verified certificate, and its advert carries one); plus
 * the time of the lookups the packet path makes. */
#include "config.h"

#include "loop.h"
#include "peers.h"

#include <malloc.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define PEERS 1000
#define ADVERT_BYTES 260 /* a node with two addresses, two endpoints, a 10-character name */
#define CERT_BYTES 200	 /* what its certificate adds to the advert in a CA network (the 188-byte example) */

static uint64_t ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Heap bytes in use, large (mmap()ed) blocks included. */
static size_t heap(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static void timer_cb(struct timer *t)
{
}

int main(int argc, char **argv)
{
	bool ca = argc > 1 && !strcmp(argv[1], "--ca");
	static struct peers t;
	struct edge_config cfg = {.keepalive = 1};
	struct net_keys nk;
	struct loop *loop;
	uint8_t psk[32], pub[PEERS][32], advert[ADVERT_BYTES + CERT_BYTES];
	size_t advert_len = ca ? ADVERT_BYTES + CERT_BYTES : ADVERT_BYTES;
	uint32_t idx[PEERS];
	struct noise_keys keys;
	size_t before, table, after;
	uint64_t t0, sink = 0;

	if (sodium_init() < 0 || !(loop = loop_new()))
		return 1;
	randombytes_buf(psk, sizeof(psk));
	keys_derive(psk, &nk);
	randombytes_buf(advert, sizeof(advert));
	memset(&keys, 1, sizeof(keys));
	before = heap();
	if (peers_init(&t, PEERS, loop, timer_cb, &cfg, &nk, NULL) < 0)
		return 1;
	table = heap();
	for (unsigned i = 0; i < PEERS; i++) {
		struct keyring_dropped d = {0};
		struct peer *p;
		randombytes_buf(pub[i], 32);
		p = peers_add(&t, pub[i], 0);
		if (!p)
			return 1;
		peer_keep_advert(p, advert, advert_len);
		if (ca && !(p->cert = calloc(1, sizeof(*p->cert)))) /* as trust_accept() keeps it */
			return 1;
		for (unsigned k = 0; k < 3; k++) {
			struct wire_endpoint ep = {.family = 4, .port = (uint16_t)(1000 + k), .addr = {198, 18, 1, (uint8_t)i}};
			edge_add_path(&p->edge, 0, &ep, EDGE_FROM_HUB, false);
		}
		/* current, previous and next session, each with its index */
		keyring_add_initiated(&p->keys, &keys, peers_new_index(&t, p), 1, 0, &d);
		keyring_add_initiated(&p->keys, &keys, idx[i] = peers_new_index(&t, p), 2, 0, &d);
		keyring_add_responded(&p->keys, &keys, peers_new_index(&t, p), 3, 0, &d);
	}
	after = heap();
	printf("%s network\n", ca ? "CA" : "PSK");
	printf("struct peer: %zu bytes%s\n", sizeof(struct peer),
	       ca ? "" : " (a CA network adds what it keeps of the certificate, allocated per peer)");
	if (ca)
		printf("struct peer_cert: %zu bytes per peer\n", sizeof(struct peer_cert));
	printf("peer table for %u peers: %zu bytes fixed (index and key tables), %zu bytes for the peers\n", PEERS,
	       table - before, after - table);
	printf("memory per peer: %.0f bytes (advert %u bytes included), %.0f with its share of the tables\n",
	       (double)(after - table) / PEERS, (unsigned)advert_len, (double)(after - before) / PEERS);
	t0 = ns();
	for (unsigned r = 0; r < 1000; r++)
		for (unsigned i = 0; i < PEERS; i++)
			sink += (uintptr_t)peers_by_index(&t, idx[i]) + (uintptr_t)peers_by_key(&t, pub[i]);
	printf("lookup by receiver index + by static key: %.1f ns per pair (%u peers)\n",
	       (double)(ns() - t0) / (1000.0 * PEERS), PEERS);
	peers_free(&t);
	loop_free(loop);
	return sink == 42;
}
