/* keys.c - parsing the network PSK, deriving sub-keys, the node identity. */
#include "config.h"

#include "keys.h"

#include "noise.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* BLAKE2b personalisation labels: exactly 16 bytes each. */
#define LABEL_NETWORK_ID "meshub5 net-id.."
#define LABEL_CA_NETWORK_ID "meshub5 ca-netid"
#define LABEL_ADVERT "meshub5 advert.."
#define LABEL_HANDSHAKE "meshub5 hs-psk.."
#define LABEL_MAC1 "meshub5 mac1...."
#define LABEL_NODE_ID "meshub5 node-id."
#define LABEL_NET_SIGN "meshub5 net-sign"
#define LABEL_HUB_KEY "meshub5 hub-key."
#define LABEL_HUB_NODE "meshub5 hub-node"
#define LABEL_MEMBER "meshub5 member.."

_Static_assert(sizeof(LABEL_NETWORK_ID) - 1 == crypto_generichash_blake2b_PERSONALBYTES, "label size");
_Static_assert(sizeof(LABEL_CA_NETWORK_ID) - 1 == crypto_generichash_blake2b_PERSONALBYTES, "label size");
_Static_assert(sizeof(LABEL_ADVERT) - 1 == crypto_generichash_blake2b_PERSONALBYTES, "label size");
_Static_assert(sizeof(LABEL_HANDSHAKE) - 1 == crypto_generichash_blake2b_PERSONALBYTES, "label size");
_Static_assert(sizeof(LABEL_MAC1) - 1 == crypto_generichash_blake2b_PERSONALBYTES, "label size");
_Static_assert(sizeof(LABEL_NODE_ID) - 1 == crypto_generichash_blake2b_PERSONALBYTES, "label size");
_Static_assert(sizeof(LABEL_NET_SIGN) - 1 == crypto_generichash_blake2b_PERSONALBYTES, "label size");
_Static_assert(sizeof(LABEL_HUB_KEY) - 1 == crypto_generichash_blake2b_PERSONALBYTES, "label size");
_Static_assert(sizeof(LABEL_HUB_NODE) - 1 == crypto_generichash_blake2b_PERSONALBYTES, "label size");
_Static_assert(sizeof(LABEL_MEMBER) - 1 == 16, "label size");
_Static_assert(KEYS_SIGN_PUB_LEN == crypto_sign_PUBLICKEYBYTES && KEYS_SIGN_SEC_LEN == crypto_sign_SECRETKEYBYTES &&
		       KEYS_SIG_LEN == crypto_sign_BYTES,
	       "Ed25519 sizes");

static int b64_try(const char *s, size_t len, int variant, uint8_t out[KEYS_PSK_LEN])
{
	uint8_t buf[KEYS_PSK_LEN + 3];
	size_t n = 0;
	const char *end = NULL;

	if (sodium_base642bin(buf, sizeof(buf), s, len, NULL, &n, &end, variant) || end != s + len ||
	    n != KEYS_PSK_LEN) {
		sodium_memzero(buf, sizeof(buf));
		return -EINVAL;
	}
	memcpy(out, buf, KEYS_PSK_LEN);
	sodium_memzero(buf, sizeof(buf));
	return 0;
}

int keys_parse_psk(const char *text, uint8_t psk[KEYS_PSK_LEN])
{
	static const int variants[] = {
		sodium_base64_VARIANT_ORIGINAL,
		sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
		sodium_base64_VARIANT_URLSAFE,
		sodium_base64_VARIANT_URLSAFE_NO_PADDING,
	};
	size_t len;

	if (!text)
		return -EINVAL;
	while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
		text++;
	len = strlen(text);
	while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n' ||
		       text[len - 1] == '\r'))
		len--;
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		if (b64_try(text, len, variants[i], psk) == 0)
			return 0;
	return -EINVAL;
}

void keys_generate_psk(char out[KEYS_B64_LEN + 1])
{
	uint8_t k[KEYS_PSK_LEN];

	randombytes_buf(k, sizeof(k));
	sodium_bin2base64(out, KEYS_B64_LEN + 1, k, sizeof(k), sodium_base64_VARIANT_URLSAFE);
	sodium_memzero(k, sizeof(k));
}

void keys_to_base64(const uint8_t key[32], char out[KEYS_B64_LEN + 1])
{
	sodium_bin2base64(out, KEYS_B64_LEN + 1, key, 32, sodium_base64_VARIANT_ORIGINAL);
}

static void derive(uint8_t *out, size_t out_len, const uint8_t *key, size_t key_len, const uint8_t *in,
		   size_t in_len, const char *label)
{
	crypto_generichash_blake2b_salt_personal(out, out_len, in, in_len, key, key_len, NULL,
						 (const unsigned char *)label);
}

void keys_network_id(const uint8_t sign_pub[KEYS_SIGN_PUB_LEN], const uint8_t *ca_pub,
		     uint8_t network_id[KEYS_ID_LEN])
{
	uint8_t in[2 * KEYS_SIGN_PUB_LEN];

	if (!ca_pub) { /* PSK networks: as it always was */
		derive(network_id, KEYS_ID_LEN, NULL, 0, sign_pub, KEYS_SIGN_PUB_LEN, LABEL_NETWORK_ID);
		return;
	}
	/* every member of a CA network has the PSK, so only the CA's key can
	 * tell the real network from one a member made with a CA of its own */
	memcpy(in, sign_pub, KEYS_SIGN_PUB_LEN);
	memcpy(in + KEYS_SIGN_PUB_LEN, ca_pub, KEYS_SIGN_PUB_LEN);
	derive(network_id, KEYS_ID_LEN, NULL, 0, in, sizeof(in), LABEL_CA_NETWORK_ID);
}

void keys_bind_ca(struct net_keys *nk, const uint8_t ca_pub[KEYS_SIGN_PUB_LEN])
{
	memcpy(nk->ca_pub, ca_pub, KEYS_SIGN_PUB_LEN);
	nk->has_ca = true;
	keys_network_id(nk->sign_pub, nk->ca_pub, nk->network_id);
}

void keys_derive(const uint8_t psk[KEYS_PSK_LEN], struct net_keys *nk)
{
	uint8_t seed[crypto_sign_SEEDBYTES];

	derive(seed, sizeof(seed), psk, KEYS_PSK_LEN, NULL, 0, LABEL_NET_SIGN);
	crypto_sign_seed_keypair(nk->sign_pub, nk->sign_sec, seed);
	sodium_memzero(seed, sizeof(seed));
	nk->has_ca = false;
	memset(nk->ca_pub, 0, sizeof(nk->ca_pub));
	keys_network_id(nk->sign_pub, NULL, nk->network_id);
	derive(nk->advert_key, sizeof(nk->advert_key), psk, KEYS_PSK_LEN, NULL, 0, LABEL_ADVERT);
	derive(nk->handshake_psk, sizeof(nk->handshake_psk), psk, KEYS_PSK_LEN, NULL, 0, LABEL_HANDSHAKE);
	derive(nk->mac1_key, sizeof(nk->mac1_key), psk, KEYS_PSK_LEN, NULL, 0, LABEL_MAC1);
	derive(nk->node_id_key, sizeof(nk->node_id_key), psk, KEYS_PSK_LEN, NULL, 0, LABEL_NODE_ID);
}

void keys_node_id(const struct net_keys *nk, const uint8_t static_pub[32], uint8_t node_id[KEYS_ID_LEN])
{
	derive(node_id, KEYS_ID_LEN, nk->node_id_key, sizeof(nk->node_id_key), static_pub, 32, LABEL_NODE_ID);
}

void keys_clear(struct net_keys *nk)
{
	sodium_memzero(nk, sizeof(*nk));
}

void keys_hub_node_id(const uint8_t hub_pub[32], uint8_t node_id[KEYS_ID_LEN])
{
	derive(node_id, KEYS_ID_LEN, NULL, 0, hub_pub, 32, LABEL_HUB_NODE);
}

/* What the network key signs: label | network id | the node's hub key. */
static void member_msg(uint8_t msg[64], const uint8_t network_id[KEYS_ID_LEN], const uint8_t hub_pub[32])
{
	memcpy(msg, LABEL_MEMBER, 16);
	memcpy(msg + 16, network_id, KEYS_ID_LEN);
	memcpy(msg + 32, hub_pub, 32);
}

void keys_hub_identity(const struct net_keys *nk, const struct identity *id, struct hub_identity *out)
{
	uint8_t msg[64];

	/* one key per network, unlinkable to the static key without its private half */
	derive(out->priv, sizeof(out->priv), id->priv, sizeof(id->priv), nk->network_id, KEYS_ID_LEN,
	       LABEL_HUB_KEY);
	noise_pubkey(out->pub, out->priv);
	keys_hub_node_id(out->pub, out->node_id);
	member_msg(msg, nk->network_id, out->pub);
	crypto_sign_detached(out->cert, NULL, msg, sizeof(msg), nk->sign_sec);
}

bool keys_member_verify(const uint8_t cert[KEYS_SIG_LEN], const uint8_t sign_pub[KEYS_SIGN_PUB_LEN],
			const uint8_t network_id[KEYS_ID_LEN], const uint8_t hub_pub[32])
{
	uint8_t msg[64];

	member_msg(msg, network_id, hub_pub);
	return crypto_sign_verify_detached(cert, msg, sizeof(msg), sign_pub) == 0;
}

/* The key file holds the 32-byte private key in base64 and a newline. */
static int identity_read(int fd, struct identity *id, const char **why)
{
	char text[KEYS_B64_LEN + 8];
	ssize_t n = read(fd, text, sizeof(text) - 1);
	int ret;

	if (n < 0) {
		*why = "cannot read it";
		return -errno;
	}
	text[n] = '\0';
	ret = keys_parse_psk(text, id->priv);
	sodium_memzero(text, sizeof(text));
	if (ret < 0) {
		*why = "it does not hold a base64 32-byte private key";
		return ret;
	}
	noise_pubkey(id->pub, id->priv);
	return 0;
}

static int identity_create(const char *path, struct identity *id, const char **why)
{
	char text[KEYS_B64_LEN + 2];
	size_t len;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		*why = "cannot create it";
		return -errno;
	}
	noise_keygen(id->priv, id->pub);
	keys_to_base64(id->priv, text);
	len = strlen(text);
	text[len++] = '\n';
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) < 0) {
		*why = "cannot write it";
		ret = -EIO;
		unlink(path);
	}
	sodium_memzero(text, sizeof(text));
	close(fd);
	return ret;
}

int identity_load_or_create(const char *path, struct identity *id, const char **why)
{
	struct stat st;
	int fd, ret;

	*why = "";
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return identity_create(path, id, why);
	if (fd < 0) {
		*why = "cannot open it";
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*why = "it is not a regular file";
		ret = -EINVAL;
	} else if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		*why = "it is readable by group or others (chmod 600 it)";
		ret = -EPERM;
	} else {
		ret = identity_read(fd, id, why);
	}
	close(fd);
	return ret;
}
