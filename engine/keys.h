/* keys.h - the network key (PSK) and everything derived from it, and the
 * node's static identity key.
 *
 * Derivations are keyed BLAKE2b with a distinct personalisation label each,
 * so no derived value reveals anything about the PSK or another value. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KEYS_PSK_LEN 32
#define KEYS_ID_LEN 16
#define KEYS_B64_LEN 44 /* 32 bytes in base64, with padding */

#define KEYS_SIGN_PUB_LEN 32 /* Ed25519 */
#define KEYS_SIGN_SEC_LEN 64
#define KEYS_SIG_LEN 64

struct net_keys {
	uint8_t network_id[KEYS_ID_LEN];  /* what the hub sees: the hash of sign_pub (and ca_pub) */
	uint8_t advert_key[32];		  /* seals adverts (XChaCha20-Poly1305) */
	uint8_t handshake_psk[32];	  /* the Noise "psk" token */
	uint8_t mac1_key[32];		  /* cheap pre-check of handshake messages */
	uint8_t node_id_key[32];	  /* node id = keyed hash of the static key */
	/* the network's signing key pair: a hub checks membership with the
	 * public half and holds nothing that could sign */
	uint8_t sign_pub[KEYS_SIGN_PUB_LEN];
	uint8_t sign_sec[KEYS_SIGN_SEC_LEN];
	/* CA networks (keys_bind_ca): the CA's Ed25519 key, which the network
	 * id covers too, so that a hub can tell the real CA from one a member
	 * made up (a member with another CA is in another network there) */
	bool has_ca;
	uint8_t ca_pub[KEYS_SIGN_PUB_LEN];
};

struct identity {
	uint8_t priv[32];
	uint8_t pub[32];
};

/* What a node shows a hub: an X25519 key of its own for this network
 * (derived from its static key, so the hub cannot link the two), the node
 * id the hub files it under (the hash of that key, so nobody else can
 * claim it), and the network key's signature of it (membership). */
struct hub_identity {
	uint8_t priv[32];
	uint8_t pub[32];
	uint8_t node_id[KEYS_ID_LEN];
	uint8_t cert[KEYS_SIG_LEN];
};

/* Parses a PSK: 32 bytes in standard or url-safe base64 (a key from the
 * original meshub's generate_fernet_key.py is url-safe base64), padding
 * optional, surrounding white space ignored. 0 or -EINVAL. */
int keys_parse_psk(const char *text, uint8_t psk[KEYS_PSK_LEN]);

/* Writes a fresh PSK as url-safe base64 with padding (a NUL-terminated
 * string of KEYS_B64_LEN characters). */
void keys_generate_psk(char out[KEYS_B64_LEN + 1]);

void keys_derive(const uint8_t psk[KEYS_PSK_LEN], struct net_keys *nk);
void keys_node_id(const struct net_keys *nk, const uint8_t static_pub[32], uint8_t node_id[KEYS_ID_LEN]);
void keys_clear(struct net_keys *nk);

/* The network id of a network's signing key and, in a CA network, its
 * CA's key (NULL in PSK networks): what keys_derive and keys_bind_ca put in
 * network_id, and what a hub computes from the keys a JOIN carries. The one
 * place the id is made. */
void keys_network_id(const uint8_t sign_pub[KEYS_SIGN_PUB_LEN], const uint8_t *ca_pub,
		     uint8_t network_id[KEYS_ID_LEN]);
/* A CA network: the network id becomes that of sign_pub and ca_pub. Call it
 * before anything uses the id (adverts, handshakes, hubs, LAN). */
void keys_bind_ca(struct net_keys *nk, const uint8_t ca_pub[KEYS_SIGN_PUB_LEN]);
/* The node id a hub files a node's hub key under. */
void keys_hub_node_id(const uint8_t hub_pub[32], uint8_t node_id[KEYS_ID_LEN]);
void keys_hub_identity(const struct net_keys *nk, const struct identity *id, struct hub_identity *out);
/* Whether cert is the network key sign_pub's signature of hub_pub in the
 * network network_id (keys_network_id of sign_pub and the CA's key, if any). */
bool keys_member_verify(const uint8_t cert[KEYS_SIG_LEN], const uint8_t sign_pub[KEYS_SIGN_PUB_LEN],
			const uint8_t network_id[KEYS_ID_LEN], const uint8_t hub_pub[32]);

/* Encodes 32 bytes as standard base64 (for keys shown to people). */
void keys_to_base64(const uint8_t key[32], char out[KEYS_B64_LEN + 1]);

/* Loads the static key pair from path, or creates it (mode 0600) if the file
 * does not exist. A file that is group/world readable, malformed or of the
 * wrong size is refused with -EPERM / -EINVAL; *why gets a reason. */
int identity_load_or_create(const char *path, struct identity *id, const char **why);
