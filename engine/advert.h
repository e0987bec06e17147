/* advert.h - sealing and opening adverts: a node's identity, VPN addresses
 * and LAN endpoints, encrypted end-to-end so that the hub (which stores and
 * relays them) learns none of it. */
#pragma once

#include "keys.h"
#include "wire.h"

/* Seals *a (XChaCha20-Poly1305, random nonce, network id as associated
 * data). Returns the sealed size, or 0 if it does not fit. */
size_t advert_seal(const struct net_keys *nk, const struct wire_advert *a, uint8_t *out, size_t cap);

/* Opens a sealed advert. plain must hold WIRE_ADVERT_SEALED_MAX bytes and
 * outlive *a (the certificate points into it). 0, -EBADMSG (forged, wrong
 * network, corrupt) or another negative errno from wire_advert_decode. */
int advert_open(const struct net_keys *nk, const uint8_t *sealed, size_t len, uint8_t *plain,
		struct wire_advert *a);
