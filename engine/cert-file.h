/* cert-file.h - the files of CA networks: a text armour around the binary
 * encodings of cert.h, the CA's key file (its seed, optionally sealed with a
 * passphrase), and loading a node's [encryption] ca, cert and crl files with
 * errors that name the file and say what to do. Formats: engine/PROTOCOL.md,
 * "Certificate files". */
#pragma once

#include "cert.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CERT_FILE_MAX 65536 /* no meshub certificate file is larger */
#define CERT_KEY_MAX 131    /* the binary CA key file, sealed */
#define CERT_TIME_STR_MAX 32

struct cert_error {
	char msg[512]; /* "PATH: what is wrong; what to do" */
};

/* Everything a CA node loads at start (cert_load_files()). */
struct cert_files {
	struct cert_ca ca;
	struct cert cert; /* this node's own */
	bool has_crl;
	struct cert_crl crl;
};

/* "2026-11-25 10:00:00 UTC" */
const char *cert_time_str(uint64_t t, char buf[CERT_TIME_STR_MAX]);

/* ------------------------------------------------------------ armour */

/* The armoured text of an encoding (its kind, the second byte, picks the
 * label), NUL-terminated. Returns its length, 0 if cap is too small or the
 * kind unknown. */
size_t cert_armor_encode(char *out, size_t cap, const uint8_t *bin, size_t len);
/* The binary inside armoured text; *why (static) says what is wrong and
 * *line on which line it was noticed. 0, -EBADMSG (not armour, bad base64,
 * label and content disagree) or -EMSGSIZE (more than cap bytes). */
int cert_armor_decode(const char *text, size_t len, uint8_t *bin, size_t cap, size_t *bin_len, const char **why,
		      unsigned *line);

/* ------------------------------------------------------------ files */

/* Reads an armoured file of the given kind (0: any); errors name path. */
int cert_file_read(const char *path, enum cert_kind want, uint8_t *bin, size_t cap, size_t *len,
		   struct cert_error *err);
/* Writes bin armoured to path with the given mode: with exclusive it must
 * not exist yet, otherwise it is replaced atomically (rename). */
int cert_file_write(const char *path, const uint8_t *bin, size_t len, mode_t mode, bool exclusive,
		    struct cert_error *err);

int cert_ca_load(const char *path, struct cert_ca *ca, struct cert_error *err);
int cert_load(const char *path, struct cert *c, struct cert_error *err);
int cert_crl_load(const char *path, struct cert_crl *crl, struct cert_error *err);

/* The daemon's loader: the CA certificate (self-signature, validity now),
 * the CRL if crl_path is set (signed by that CA), and the node's own
 * certificate, which must pass cert_check() for static_pub (the public key
 * of [vpn] key_file). 0, or a negative errno with err naming the file. */
int cert_load_files(const char *ca_path, const char *cert_path, const char *crl_path,
		    const uint8_t static_pub[CERT_PUB_LEN], uint64_t now, struct cert_files *out,
		    struct cert_error *err);

/* ------------------------------------------------------------ the CA key */

/* The CA key file's binary form holding seed; with a passphrase (not NULL,
 * not empty) the seed is sealed (Argon2id with opslimit/memlimit, then
 * XSalsa20-Poly1305). Returns its length, or 0 (out of memory in Argon2id). */
size_t cert_key_seal(uint8_t out[CERT_KEY_MAX], const uint8_t seed[CERT_SEED_LEN], const char *passphrase,
		     unsigned long long opslimit, size_t memlimit);
/* What a key file says about itself without the passphrase. 0 or -EBADMSG. */
int cert_key_info(const uint8_t *bin, size_t len, bool *sealed, uint8_t pub[CERT_PUB_LEN]);
/* The seed (and the key pair) of a key file. -EACCES: wrong passphrase;
 * -EINVAL: sealed but no passphrase given; -EBADMSG: damaged; -ENOMEM. */
int cert_key_open(const uint8_t *bin, size_t len, const char *passphrase, uint8_t seed[CERT_SEED_LEN]);
/* Reads a key file: like cert_file_read(), and refuses a file that group
 * or others may read. */
int cert_key_read(const char *path, uint8_t bin[CERT_KEY_MAX], size_t *len, struct cert_error *err);
