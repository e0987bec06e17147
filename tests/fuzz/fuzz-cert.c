/* fuzz-cert.c - the certificate, CA certificate, revocation list, CA key
 * and armour decoders on arbitrary bytes: whatever decodes re-encodes to
 * the same bytes, and no input passes the checks of a CA that did not sign
 * it. */
#include "config.h"

#include "cert-file.h"
#include "cert.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cert_ca fuzz_ca;

static void roundtrip(const uint8_t *data, size_t size, size_t n, const uint8_t *out)
{
	if (n != size || memcmp(out, data, size))
		abort();
}

/* A CA made from a fixed seed: a fuzzer cannot forge its signatures. */
static void fuzz_init(void)
{
	static bool done;
	uint8_t seed[CERT_SEED_LEN] = {1, 2, 3}, pub[CERT_PUB_LEN], sk[CERT_SK_LEN];

	if (done)
		return;
	if (sodium_init() < 0)
		abort();
	cert_ca_keypair(seed, pub, sk);
	if (cert_ca_make(&fuzz_ca, sk, "fuzz", 0, UINT64_MAX) < 0)
		abort();
	done = true;
}

static void fuzz_cert(const uint8_t *data, size_t size, uint8_t *out, size_t cap)
{
	struct cert c;
	enum cert_reason why;

	if (cert_verify(data, size, &fuzz_ca, 1, NULL, NULL, &c, &why) == 0 || why == CERT_OK)
		abort();
	if (why == CERT_MALFORMED)
		return;
	roundtrip(data, size, cert_encode(out, cap, &c), out);
	if (cert_size(&c) != size)
		abort();
	cert_allows_packet(&c, data, size);
}

static void fuzz_crl(const uint8_t *data, size_t size, uint8_t *out, size_t cap)
{
	static struct cert_crl crl;
	enum cert_reason why;

	if (cert_crl_decode(data, size, &crl) < 0)
		return;
	roundtrip(data, size, cert_crl_encode(out, cap, &crl), out);
	if (cert_crl_check(&crl, &fuzz_ca, &why) == 0)
		abort();
	for (unsigned i = 0; i < crl.n_serials; i++)
		if (!cert_crl_has(&crl, crl.serials[i]) || cert_crl_add(&crl, crl.serials[i]) != -EEXIST)
			abort();
}

static void fuzz_files(const uint8_t *data, size_t size)
{
	static uint8_t bin[CERT_CRL_MAX], again[CERT_CRL_MAX];
	static char text[2 * CERT_FILE_MAX];
	uint8_t seed[CERT_SEED_LEN], pub[CERT_PUB_LEN];
	const char *why;
	unsigned line;
	size_t n, m;
	bool sealed;

	/* a sealed key is never opened here: Argon2id would only cost time */
	if (cert_key_info(data, size, &sealed, pub) == 0 && !sealed)
		cert_key_open(data, size, NULL, seed);
	if (size > CERT_FILE_MAX || cert_armor_decode((const char *)data, size, bin, sizeof(bin), &n, &why, &line) < 0)
		return;
	if (!cert_armor_encode(text, sizeof(text), bin, n) ||
	    cert_armor_decode(text, strlen(text), again, sizeof(again), &m, &why, &line) < 0 || m != n ||
	    memcmp(bin, again, n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[CERT_CRL_MAX];
	struct cert_ca ca;

	fuzz_init();
	fuzz_cert(data, size, out, sizeof(out));
	fuzz_crl(data, size, out, sizeof(out));
	if (cert_ca_decode(data, size, &ca) == 0)
		roundtrip(data, size, cert_ca_encode(out, sizeof(out), &ca), out);
	fuzz_files(data, size);
	return 0;
}
