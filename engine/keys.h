/* keys.h - the network key (PSK) and everything derived from it, and the
 * node's static identity key.
 *
 * Derivations are keyed BLAKE2b with a distinct personalisation label each,
 * so no derived value reveals anything about the PSK or another value. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define KEYS_PSK_LEN 32
#define KEYS_ID_LEN 16
#define KEYS_B64_LEN 44 /* 32 bytes in base64, with padding */

struct net_keys {
	uint8_t network_id[KEYS_ID_LEN];  /* what the hub sees: opaque */
	uint8_t advert_key[32];		  /* seals adverts (XChaCha20-Poly1305) */
	uint8_t handshake_psk[32];	  /* the Noise "psk" token */
	uint8_t mac1_key[32];		  /* cheap pre-check of handshake messages */
	uint8_t node_id_key[32];	  /* node id = keyed hash of the static key */
};

struct identity {
	uint8_t priv[32];
	uint8_t pub[32];
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

/* Encodes 32 bytes as standard base64 (for keys shown to people). */
void keys_to_base64(const uint8_t key[32], char out[KEYS_B64_LEN + 1]);

/* Loads the static key pair from path, or creates it (mode 0600) if the file
 * does not exist. A file that is group/world readable, malformed or of the
 * wrong size is refused with -EPERM / -EINVAL; *why gets a reason. */
int identity_load_or_create(const char *path, struct identity *id, const char **why);
