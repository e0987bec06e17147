/* bench-crypto.c - seal+open throughput of meshub's transport (session.c:
 * header, counter nonce, replay window, and ChaCha20-Poly1305 composed from
 * libsodium's primitives in chachapoly.c) next to libsodium's own
 * ChaCha20-Poly1305-IETF AEAD on the same packets, measured in the same run.
 * `bench-crypto [COUNT [BYTES]]`: BYTES is 1440 unless given, the largest
 * packet a 1500-byte IPv4 path carries. A benchmark program, not a test: it
 * prints numbers. Build without sanitizers for meaningful figures
 * (./configure without --enable-sanitizers). */
#include "config.h"

#include "session.h"
#include "wire.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PKT_MAX 4096
#define ROUNDS 7

static size_t pkt_len = 1440;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* raw libsodium: encrypt and decrypt with a 16-byte header as AD */
static double run_raw(unsigned n)
{
	static uint8_t pkt[PKT_MAX + 64], key[32], nonce[12];
	unsigned long long clen, mlen;
	double t0;

	randombytes_buf(key, sizeof(key));
	memset(pkt, 0x5a, sizeof(pkt));
	t0 = now_s();
	for (unsigned i = 0; i < n; i++) {
		memcpy(nonce + 4, &i, sizeof(i));
		crypto_aead_chacha20poly1305_ietf_encrypt(pkt + 16, &clen, pkt + 16, pkt_len, pkt, 16, NULL, nonce, key);
		if (crypto_aead_chacha20poly1305_ietf_decrypt(pkt + 16, &mlen, NULL, pkt + 16, clen, pkt, 16, nonce,
							      key))
			abort();
	}
	return now_s() - t0;
}

/* meshub: sealing in a send slot as the node does (session_seal_prepare,
 * session_seal_finish), wire_transport_decode, session_open (replay window) */
static double run_meshub(unsigned n)
{
	static uint8_t slot[SESSION_SLOT_HEADROOM + PKT_MAX + 64 + SESSION_SLOT_TAILROOM];
	uint8_t *pkt = slot + SESSION_SLOT_HEADROOM;
	const size_t cap = PKT_MAX + 64;
	struct session_job job;
	struct noise_keys k;
	struct session tx, rx;
	struct wire_transport t;
	size_t len, out_len;
	double t0;

	randombytes_buf(k.send.k, 32);
	memcpy(k.recv.k, k.send.k, 32);
	session_init(&tx, &k, 1, 2, true, 0);
	session_init(&rx, &k, 2, 1, false, 0);
	memset(slot, 0x5a, sizeof(slot));
	t0 = now_s();
	for (unsigned i = 0; i < n; i++) {
		if (session_seal_prepare(&tx, WIRE_DATA, pkt, pkt_len, cap, 1, &len, &job) ||
		    session_seal_finish(&job, pkt, pkt_len) ||
		    wire_transport_decode(pkt, len, &t) || session_open(&rx, &t, pkt + WIRE_TRANSPORT_HDR_LEN, 1, &out_len))
			abort();
	}
	return now_s() - t0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 200000;
	double raw[ROUNDS], mh[ROUNDS], mb;

	if (argc > 2)
		pkt_len = (size_t)atoi(argv[2]);
	if (pkt_len < 1 || pkt_len > PKT_MAX) {
		fprintf(stderr, "bench-crypto: BYTES must be 1..%d\n", PKT_MAX);
		return 2;
	}
	mb = (double)n * pkt_len / 1e6;
	if (sodium_init() < 0)
		return 1;
#if defined(__SANITIZE_ADDRESS__)
	fprintf(stderr, "warning: built with AddressSanitizer; figures are not meaningful\n");
#endif
	run_raw(n / 10);
	run_meshub(n / 10);
	/* interleave the two so that frequency changes hit both alike */
	for (int r = 0; r < ROUNDS; r++) {
		raw[r] = run_raw(n);
		mh[r] = run_meshub(n);
	}
	qsort(raw, ROUNDS, sizeof(double), cmp);
	qsort(mh, ROUNDS, sizeof(double), cmp);
	printf("seal+open of %u packets of %zu bytes, median of %d rounds\n", n, pkt_len, ROUNDS);
	printf("  libsodium's AEAD:                %8.1f MB/s  %6.0f ns/packet\n", mb / raw[ROUNDS / 2],
	       raw[ROUNDS / 2] / n * 1e9);
	printf("  meshub session (seal+open):      %8.1f MB/s  %6.0f ns/packet\n", mb / mh[ROUNDS / 2],
	       mh[ROUNDS / 2] / n * 1e9);
	printf("  meshub / libsodium throughput:   %8.3f\n", raw[ROUNDS / 2] / mh[ROUNDS / 2]);
	return 0;
}
