/* cert-file.c - reading and writing the files of CA networks (armoured
 * certificates, revocation lists and the CA key) and loading a node's
 * certificate set, with messages that name the file and what to do. */
#include "config.h"

#include "cert-file.h"

#include "cursor.h"
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ARMOR_DASHES "-----"
#define ARMOR_LINE 64 /* base64 characters per line written */
#define ARMOR_LINE_MAX 76
#define ARMOR_BIN_MAX CERT_CRL_MAX /* the largest encoding */
#define ARMOR_B64_MAX (((ARMOR_BIN_MAX + 2) / 3) * 4 + 1)
#define KEY_PLAIN_LEN (3 + CERT_PUB_LEN + CERT_SEED_LEN)
#define KEY_SALT_LEN 16
#define KEY_MEMLIMIT_MAX_KIB (1u << 20) /* 1 GiB: more is a damaged or hostile file */
#define KEY_OPSLIMIT_MAX 16u
#define HEX_ID (2 * CERT_ID_LEN + 1)

enum key_protection { KEY_PLAIN = 0, KEY_SEALED = 1 };

_Static_assert(KEY_SALT_LEN == crypto_pwhash_SALTBYTES, "salt size");
_Static_assert(CERT_KEY_MAX == 3 + CERT_PUB_LEN + 4 + 4 + KEY_SALT_LEN + crypto_secretbox_NONCEBYTES + CERT_SEED_LEN +
				       crypto_secretbox_MACBYTES,
	       "sealed key file size");
_Static_assert(crypto_secretbox_KEYBYTES == 32, "secretbox key");

static const char *const armor_labels[] = {
	[CERT_KIND_NODE] = "MESHUB CERTIFICATE",
	[CERT_KIND_CRL] = "MESHUB REVOCATION LIST",
	[CERT_KIND_CA] = "MESHUB CA CERTIFICATE",
	[CERT_KIND_CA_KEY] = "MESHUB CA KEY",
};

static const char *const kind_words[] = {
	[CERT_KIND_NODE] = "a node certificate",
	[CERT_KIND_CRL] = "a revocation list",
	[CERT_KIND_CA] = "a CA certificate",
	[CERT_KIND_CA_KEY] = "a CA key",
};

__attribute__((format(printf, 3, 4))) static int fail(struct cert_error *err, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return ret;
}

const char *cert_time_str(uint64_t t, char buf[CERT_TIME_STR_MAX])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t > (uint64_t)INT64_MAX || (uint64_t)tt != t || !gmtime_r(&tt, &tm) ||
	    !strftime(buf, CERT_TIME_STR_MAX, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, CERT_TIME_STR_MAX, "%llu (Unix time)", (unsigned long long)t);
	return buf;
}

static const char *id_hex(const uint8_t id[CERT_ID_LEN], char buf[HEX_ID])
{
	return sodium_bin2hex(buf, HEX_ID, id, CERT_ID_LEN);
}

/* ------------------------------------------------------------ armour */

static const char *kind_label(const uint8_t *bin, size_t len)
{
	if (len < 2 || bin[1] < CERT_KIND_NODE || bin[1] > CERT_KIND_CA_KEY)
		return NULL;
	return armor_labels[bin[1]];
}

size_t cert_armor_encode(char *out, size_t cap, const uint8_t *bin, size_t len)
{
	char b64[ARMOR_B64_MAX];
	const char *label = kind_label(bin, len);
	size_t n, b64_len;

	if (!label || len > ARMOR_BIN_MAX)
		return 0;
	sodium_bin2base64(b64, sizeof(b64), bin, len, sodium_base64_VARIANT_ORIGINAL);
	b64_len = strlen(b64);
	n = (size_t)snprintf(out, cap, ARMOR_DASHES "BEGIN %s" ARMOR_DASHES "\n", label);
	for (size_t i = 0; i < b64_len && n < cap; i += ARMOR_LINE) {
		size_t chunk = b64_len - i < ARMOR_LINE ? b64_len - i : ARMOR_LINE;
		n += (size_t)snprintf(out + n, cap - n, "%.*s\n", (int)chunk, b64 + i);
	}
	if (n < cap)
		n += (size_t)snprintf(out + n, cap - n, ARMOR_DASHES "END %s" ARMOR_DASHES "\n", label);
	sodium_memzero(b64, sizeof(b64)); /* a plain CA key is in there */
	return n < cap ? n : 0;
}

struct text {
	const char *p, *end;
	unsigned line;
};

/* The next line without its "\n" (or "\r\n"); false at the end. */
static bool text_line(struct text *t, const char **line, size_t *n)
{
	const char *nl;

	if (t->p >= t->end)
		return false;
	nl = memchr(t->p, '\n', (size_t)(t->end - t->p));
	*line = t->p;
	*n = (size_t)((nl ? nl : t->end) - t->p);
	t->p = nl ? nl + 1 : t->end;
	if (*n && (*line)[*n - 1] == '\r')
		(*n)--;
	t->line++;
	return true;
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* "-----BEGIN LABEL-----": the kind of LABEL, or 0. */
static enum cert_kind armor_header(const char *s, size_t n, const char *word)
{
	char want[64];

	for (int k = CERT_KIND_NODE; k <= CERT_KIND_CA_KEY; k++) {
		int len = snprintf(want, sizeof(want), ARMOR_DASHES "%s %s" ARMOR_DASHES, word, armor_labels[k]);
		if ((size_t)len == n && !memcmp(s, want, n))
			return (enum cert_kind)k;
	}
	return 0;
}

static bool base64_chars(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '+' || s[i] == '/' || s[i] == '='))
			return false;
	return true;
}

/* Collects the base64 lines up to the END line of the same kind. */
static int armor_body(struct text *t, enum cert_kind kind, char *b64, size_t *b64_len, const char **why)
{
	const char *line;
	size_t n;

	*b64_len = 0;
	while (text_line(t, &line, &n)) {
		if (armor_header(line, n, "END") == kind)
			return 0;
		if (n >= 9 && !memcmp(line, ARMOR_DASHES "END ", 9)) {
			*why = "the END line does not match the BEGIN line (expected the same label)";
			return -EBADMSG;
		}
		if (n == 0 || n > ARMOR_LINE_MAX || !base64_chars(line, n)) {
			*why = "a line inside the armour is not base64 (expected up to 76 characters of A-Z a-z 0-9 + "
			       "/ =)";
			return -EBADMSG;
		}
		if (*b64_len + n >= ARMOR_B64_MAX) {
			*why = "too much data inside the armour for any meshub certificate or list";
			return -EMSGSIZE;
		}
		memcpy(b64 + *b64_len, line, n);
		*b64_len += n;
	}
	*why = "the END line is missing (expected -----END ... ----- with the BEGIN line's label)";
	return -EBADMSG;
}

static int armor_parse(const char *text, size_t len, uint8_t *bin, size_t cap, size_t *bin_len, const char **why,
		       unsigned *line_no)
{
	struct text t = {.p = text, .end = text + len};
	char b64[ARMOR_B64_MAX];
	enum cert_kind kind = 0;
	const char *line = NULL, *end = NULL;
	size_t n = 0, b64_len = 0;
	int ret;

	while (text_line(&t, &line, &n) && blank(line, n))
		;
	if (!line || !(kind = armor_header(line, n, "BEGIN"))) {
		*why = "it does not start with a line such as -----BEGIN MESHUB CERTIFICATE-----";
		return -EBADMSG;
	}
	ret = armor_body(&t, kind, b64, &b64_len, why);
	while (ret == 0 && text_line(&t, &line, &n))
		if (!blank(line, n)) {
			*why = "there is text after the END line";
			ret = -EBADMSG;
		}
	if (ret == 0 &&
	    (sodium_base642bin(bin, cap, b64, b64_len, NULL, bin_len, &end, sodium_base64_VARIANT_ORIGINAL) ||
	     end != b64 + b64_len)) {
		*why = b64_len / 4 * 3 > cap ? "too much data inside the armour"
					     : "the base64 inside the armour is damaged";
		ret = b64_len / 4 * 3 > cap ? -EMSGSIZE : -EBADMSG;
	}
	if (ret == 0 && (*bin_len < 2 || bin[1] != kind)) {
		*why = "its contents are not what its BEGIN line says";
		ret = -EBADMSG;
	}
	sodium_memzero(b64, sizeof(b64));
	*line_no = t.line;
	return ret;
}

int cert_armor_decode(const char *text, size_t len, uint8_t *bin, size_t cap, size_t *bin_len, const char **why,
		      unsigned *line)
{
	*why = "";
	*bin_len = 0;
	return armor_parse(text, len, bin, cap, bin_len, why, line);
}

/* ------------------------------------------------------------ files */

/* Reads a regular file of at most CERT_FILE_MAX bytes (NUL-terminated);
 * with secret, one that only its owner can read. */
static int file_slurp(const char *path, bool secret, char **text, size_t *len, struct cert_error *err)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	ssize_t r = 1;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fail(err, -errno, "%s: cannot open it: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > CERT_FILE_MAX) {
		ret = fail(err, -EINVAL,
			   "%s: not a regular file of at most %d bytes; expected a meshub certificate file", path,
			   CERT_FILE_MAX);
		goto out;
	}
	if (secret && (st.st_mode & 077)) {
		ret = fail(err, -EPERM,
			   "%s: others can read it (mode %04o); expected a file only its owner can read: "
			   "run chmod 600 %s",
			   path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	buf = malloc(CERT_FILE_MAX + 1);
	if (!buf) {
		ret = fail(err, -ENOMEM, "%s: out of memory", path);
		goto out;
	}
	while (n <= CERT_FILE_MAX && (r = read(fd, buf + n, CERT_FILE_MAX + 1 - n)) > 0)
		n += (size_t)r;
	if (r < 0 || n > CERT_FILE_MAX) {
		ret = fail(err, r < 0 ? -errno : -EFBIG, "%s: cannot read it: %s", path,
			   r < 0 ? strerror(errno) : "it grew past the size limit");
		sodium_memzero(buf, n);
		free(buf);
		goto out;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
out:
	close(fd);
	return ret;
}

static int file_read(const char *path, bool secret, enum cert_kind want, uint8_t *bin, size_t cap, size_t *len,
		     struct cert_error *err)
{
	char *text = NULL;
	const char *why = "";
	unsigned line = 0;
	size_t n = 0;
	int ret = file_slurp(path, secret, &text, &n, err);

	if (ret < 0)
		return ret;
	ret = cert_armor_decode(text, n, bin, cap, len, &why, &line);
	if (ret < 0)
		fail(err, ret, "%s:%u: not a meshub certificate file: %s", path, line ? line : 1, why);
	else if (want && bin[1] != want)
		ret = fail(err, -EBADMSG, "%s: holds %s; expected %s", path, kind_words[bin[1]], kind_words[want]);
	sodium_memzero(text, n);
	free(text);
	return ret;
}

int cert_file_read(const char *path, enum cert_kind want, uint8_t *bin, size_t cap, size_t *len, struct cert_error *err)
{
	return file_read(path, false, want, bin, cap, len, err);
}

int cert_key_read(const char *path, uint8_t bin[CERT_KEY_MAX], size_t *len, struct cert_error *err)
{
	return file_read(path, true, CERT_KIND_CA_KEY, bin, CERT_KEY_MAX, len, err);
}

static int write_all(int fd, const char *text, size_t len)
{
	while (len) {
		ssize_t w = write(fd, text, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		text += w;
		len -= (size_t)w;
	}
	return fsync(fd) < 0 ? -errno : 0;
}

static int file_put(const char *path, const char *text, size_t len, mode_t mode, bool exclusive)
{
	char tmp[PATH_MAX];
	int fd, ret;

	if (exclusive) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd < 0)
			return -errno;
		ret = write_all(fd, text, len);
		close(fd);
		if (ret < 0)
			unlink(path);
		return ret;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	ret = fchmod(fd, mode) < 0 ? -errno : write_all(fd, text, len);
	close(fd);
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
	if (ret < 0)
		unlink(tmp);
	return ret;
}

int cert_file_write(const char *path, const uint8_t *bin, size_t len, mode_t mode, bool exclusive,
		    struct cert_error *err)
{
	char text[ARMOR_B64_MAX + ARMOR_B64_MAX / ARMOR_LINE + 128];
	size_t n = cert_armor_encode(text, sizeof(text), bin, len);
	int ret;

	if (!n)
		return fail(err, -EINVAL, "%s: nothing valid to write", path);
	ret = file_put(path, text, n, mode, exclusive);
	sodium_memzero(text, n);
	if (ret == -EEXIST)
		return fail(err, ret, "%s: it exists already; expected a new file (remove it first if it must go)",
			    path);
	if (ret < 0)
		return fail(err, ret, "%s: cannot write it: %s", path, strerror(-ret));
	return 0;
}

static const char *decode_why(int ret)
{
	if (ret == -EMSGSIZE)
		return "it is truncated or too long";
	if (ret == -EPROTONOSUPPORT)
		return "it has a version this meshub does not know (update meshub)";
	if (ret == -EACCES)
		return "its self-signature does not verify (the file is damaged or was changed)";
	return "a field is out of range or not in canonical form (the file is damaged or was changed)";
}

int cert_ca_load(const char *path, struct cert_ca *ca, struct cert_error *err)
{
	uint8_t bin[CERT_CA_MAX];
	size_t len;
	int ret = cert_file_read(path, CERT_KIND_CA, bin, sizeof(bin), &len, err);

	if (ret == 0 && (ret = cert_ca_decode(bin, len, ca)) < 0)
		fail(err, ret, "%s: not a valid CA certificate: %s", path, decode_why(ret));
	return ret;
}

int cert_load(const char *path, struct cert *c, struct cert_error *err)
{
	uint8_t bin[CERT_MAX];
	size_t len;
	int ret = cert_file_read(path, CERT_KIND_NODE, bin, sizeof(bin), &len, err);

	if (ret == 0 && (ret = cert_decode(bin, len, c)) < 0)
		fail(err, ret, "%s: not a valid node certificate: %s", path, decode_why(ret));
	return ret;
}

int cert_crl_load(const char *path, struct cert_crl *crl, struct cert_error *err)
{
	uint8_t bin[CERT_CRL_MAX];
	size_t len;
	int ret = cert_file_read(path, CERT_KIND_CRL, bin, sizeof(bin), &len, err);

	if (ret == 0 && (ret = cert_crl_decode(bin, len, crl)) < 0)
		fail(err, ret, "%s: not a valid revocation list: %s", path, decode_why(ret));
	return ret;
}

/* ------------------------------------------------------------ loading a node's set */

static int ca_window(const char *path, const struct cert_ca *ca, uint64_t now, struct cert_error *err)
{
	char a[CERT_TIME_STR_MAX], b[CERT_TIME_STR_MAX];

	if (now < ca->not_before)
		return fail(err, -EACCES,
			    "%s: the CA certificate '%s' is not valid before %s (now: %s); check the clock", path,
			    ca->name, cert_time_str(ca->not_before, a), cert_time_str(now, b));
	if (now >= ca->not_after)
		return fail(err, -EACCES,
			    "%s: the CA certificate '%s' expired on %s; the network needs a new CA "
			    "(meshub ca init) and new certificates",
			    path, ca->name, cert_time_str(ca->not_after, a));
	return 0;
}

static int crl_for_ca(const char *path, const struct cert_crl *crl, const struct cert_ca *ca, struct cert_error *err)
{
	char x[HEX_ID], y[HEX_ID];
	enum cert_reason why;

	if (cert_crl_check(crl, ca, &why) == 0)
		return 0;
	if (why == CERT_OTHER_CA)
		return fail(err, -EACCES,
			    "%s: a revocation list of another CA (key id %s; this network's CA '%s' has "
			    "key id %s); expected the list of [encryption] ca",
			    path, id_hex(crl->ca_id, x), ca->name, id_hex(ca->id, y));
	return fail(err, -EACCES,
		    "%s: its signature does not verify with the CA '%s' (the file is damaged or was "
		    "changed); get the list again (meshub ca crl)",
		    path, ca->name);
}

static int own_cert_error(const char *path, const struct cert_files *f, const uint8_t static_pub[CERT_PUB_LEN],
			  uint64_t now, enum cert_reason why, struct cert_error *err)
{
	char a[HEX_ID > CERT_TIME_STR_MAX ? HEX_ID : CERT_TIME_STR_MAX], b[sizeof(a)];
	char k1[KEYS_B64_LEN + 1], k2[KEYS_B64_LEN + 1];
	const struct cert *c = &f->cert;

	switch (why) {
	case CERT_OTHER_CA:
		return fail(err, -EACCES,
			    "%s: issued by another CA (key id %s) than [encryption] ca '%s' (key id %s); "
			    "expected a certificate of this network's CA",
			    path, id_hex(c->ca_id, a), f->ca.name, id_hex(f->ca.id, b));
	case CERT_KEY_MISMATCH:
		keys_to_base64(c->static_pub, k1);
		keys_to_base64(static_pub, k2);
		return fail(err, -EACCES,
			    "%s: issued for the public key %s, but this node's key ([vpn] key_file) is %s; "
			    "expected a certificate for this key (meshub ca sign ... --public-key %s)",
			    path, k1, k2, k2);
	case CERT_NOT_YET_VALID:
		return fail(err, -EACCES, "%s: '%s' is not valid before %s (now: %s); check the clock", path, c->name,
			    cert_time_str(c->not_before, a), cert_time_str(now, b));
	case CERT_EXPIRED:
		return fail(err, -EACCES,
			    "%s: '%s' expired on %s; expected a valid one: ask the CA for a new one "
			    "(meshub ca sign)",
			    path, c->name, cert_time_str(c->not_after, a));
	case CERT_REVOKED:
		return fail(err, -EACCES,
			    "%s: '%s' (serial %llu) is revoked by the revocation list (sequence %llu); "
			    "this node is no longer a member of the network",
			    path, c->name, (unsigned long long)c->serial, (unsigned long long)f->crl.sequence);
	default: return fail(err, -EACCES, "%s: '%s' is refused: %s", path, c->name, cert_reason_text(why));
	}
}

int cert_load_files(const char *ca_path, const char *cert_path, const char *crl_path,
		    const uint8_t static_pub[CERT_PUB_LEN], uint64_t now, struct cert_files *out,
		    struct cert_error *err)
{
	enum cert_reason why;
	int ret;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	ret = cert_ca_load(ca_path, &out->ca, err);
	if (ret == 0)
		ret = ca_window(ca_path, &out->ca, now, err);
	if (ret == 0 && crl_path && crl_path[0]) {
		ret = cert_crl_load(crl_path, &out->crl, err);
		if (ret == 0)
			ret = crl_for_ca(crl_path, &out->crl, &out->ca, err);
		out->has_crl = ret == 0;
	}
	if (ret == 0)
		ret = cert_load(cert_path, &out->cert, err);
	if (ret == 0 && cert_check(&out->cert, &out->ca, now, out->has_crl ? &out->crl : NULL, static_pub, &why) < 0)
		ret = own_cert_error(cert_path, out, static_pub, now, why, err);
	return ret;
}

/* ------------------------------------------------------------ the CA key */

struct key_fields {
	uint8_t protection;
	uint8_t pub[CERT_PUB_LEN];
	uint8_t seed[CERT_SEED_LEN]; /* plain */
	uint32_t opslimit, memlimit_kib;
	uint8_t salt[KEY_SALT_LEN];
	uint8_t nonce[crypto_secretbox_NONCEBYTES];
	uint8_t box[CERT_SEED_LEN + crypto_secretbox_MACBYTES];
};

static int key_parse(const uint8_t *bin, size_t len, struct key_fields *k)
{
	struct rd r = RD(bin, len);

	memset(k, 0, sizeof(*k));
	if (cert_peek_kind(bin, len) != CERT_KIND_CA_KEY)
		return -EBADMSG;
	rd_take(&r, 2);
	k->protection = rd_u8(&r);
	rd_copy(&r, k->pub, CERT_PUB_LEN);
	if (k->protection == KEY_PLAIN) {
		rd_copy(&r, k->seed, CERT_SEED_LEN);
	} else if (k->protection == KEY_SEALED) {
		k->opslimit = rd_u32(&r);
		k->memlimit_kib = rd_u32(&r);
		rd_copy(&r, k->salt, sizeof(k->salt));
		rd_copy(&r, k->nonce, sizeof(k->nonce));
		rd_copy(&r, k->box, sizeof(k->box));
		if (k->opslimit < crypto_pwhash_OPSLIMIT_MIN || k->opslimit > KEY_OPSLIMIT_MAX ||
		    (uint64_t)k->memlimit_kib * 1024 < crypto_pwhash_MEMLIMIT_MIN ||
		    k->memlimit_kib > KEY_MEMLIMIT_MAX_KIB)
			return -EBADMSG;
	} else {
		return -EBADMSG;
	}
	return rd_end(&r, false) < 0 ? -EBADMSG : 0;
}

static int key_derive(uint8_t key[crypto_secretbox_KEYBYTES], const char *passphrase, const uint8_t *salt,
		      unsigned long long opslimit, size_t memlimit)
{
	return crypto_pwhash(key, crypto_secretbox_KEYBYTES, passphrase, strlen(passphrase), salt, opslimit, memlimit,
			     crypto_pwhash_ALG_ARGON2ID13) == 0
		       ? 0
		       : -ENOMEM;
}

size_t cert_key_seal(uint8_t out[CERT_KEY_MAX], const uint8_t seed[CERT_SEED_LEN], const char *passphrase,
		     unsigned long long opslimit, size_t memlimit)
{
	struct key_fields k = {.protection = passphrase && *passphrase ? KEY_SEALED : KEY_PLAIN};
	uint8_t sk[CERT_SK_LEN], key[crypto_secretbox_KEYBYTES];
	struct wr w = WR(out, CERT_KEY_MAX);

	cert_ca_keypair(seed, k.pub, sk);
	sodium_memzero(sk, sizeof(sk));
	wr_u8(&w, CERT_VERSION);
	wr_u8(&w, CERT_KIND_CA_KEY);
	wr_u8(&w, k.protection);
	wr_bytes(&w, k.pub, CERT_PUB_LEN);
	if (k.protection == KEY_PLAIN) {
		wr_bytes(&w, seed, CERT_SEED_LEN);
		return wr_done(&w);
	}
	randombytes_buf(k.salt, sizeof(k.salt));
	randombytes_buf(k.nonce, sizeof(k.nonce));
	if (opslimit > KEY_OPSLIMIT_MAX || memlimit / 1024 > KEY_MEMLIMIT_MAX_KIB ||
	    key_derive(key, passphrase, k.salt, opslimit, memlimit) < 0)
		return 0;
	crypto_secretbox_easy(k.box, seed, CERT_SEED_LEN, k.nonce, key);
	sodium_memzero(key, sizeof(key));
	wr_u32(&w, (uint32_t)opslimit);
	wr_u32(&w, (uint32_t)(memlimit / 1024));
	wr_bytes(&w, k.salt, sizeof(k.salt));
	wr_bytes(&w, k.nonce, sizeof(k.nonce));
	wr_bytes(&w, k.box, sizeof(k.box));
	return wr_done(&w);
}

int cert_key_info(const uint8_t *bin, size_t len, bool *sealed, uint8_t pub[CERT_PUB_LEN])
{
	struct key_fields k;
	int ret = key_parse(bin, len, &k);

	if (ret == 0) {
		*sealed = k.protection == KEY_SEALED;
		memcpy(pub, k.pub, CERT_PUB_LEN);
	}
	sodium_memzero(&k, sizeof(k));
	return ret;
}

static int key_unseal(const struct key_fields *k, const char *passphrase, uint8_t seed[CERT_SEED_LEN])
{
	uint8_t key[crypto_secretbox_KEYBYTES];
	int ret;

	if (!passphrase || !*passphrase)
		return -EINVAL;
	ret = key_derive(key, passphrase, k->salt, k->opslimit, (size_t)k->memlimit_kib * 1024);
	if (ret == 0 && crypto_secretbox_open_easy(seed, k->box, sizeof(k->box), k->nonce, key) != 0)
		ret = -EACCES;
	sodium_memzero(key, sizeof(key));
	return ret;
}

int cert_key_open(const uint8_t *bin, size_t len, const char *passphrase, uint8_t seed[CERT_SEED_LEN])
{
	uint8_t pub[CERT_PUB_LEN], sk[CERT_SK_LEN];
	struct key_fields k;
	int ret = key_parse(bin, len, &k);

	if (ret == 0 && k.protection == KEY_PLAIN)
		memcpy(seed, k.seed, CERT_SEED_LEN);
	else if (ret == 0)
		ret = key_unseal(&k, passphrase, seed);
	if (ret == 0) {
		/* the public key written beside it must be the seed's */
		cert_ca_keypair(seed, pub, sk);
		sodium_memzero(sk, sizeof(sk));
		if (memcmp(pub, k.pub, CERT_PUB_LEN))
			ret = -EBADMSG;
	}
	if (ret < 0)
		sodium_memzero(seed, CERT_SEED_LEN);
	sodium_memzero(&k, sizeof(k));
	return ret;
}
