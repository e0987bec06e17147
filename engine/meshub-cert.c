/* meshub-cert.c - `meshub cert show` (a certificate, CA certificate,
 * revocation list or CA key file in words or JSON), `meshub pubkey` (a node
 * key file's public key) and `meshub crl load` (a revocation list handed to
 * a running node over its control socket). */
#include "config.h"

#include "meshub-ca.h"

#include "cert-file.h"
#include "cert.h"
#include "control.h"
#include "endpoint.h"
#include "keys.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define HEX_ID (2 * CERT_ID_LEN + 1)
#define ANSWER_MAX 4096
#define DAY 86400

/* The control socket request of `meshub crl load` (control.h; the daemon
 * side is engine/control.c and trust.c):
 *
 *   request: "crl load " + the binary revocation list in standard base64
 *            (with padding) + "\n": one line of at most CONTROL_REQUEST_MAX bytes.
 *   answer:  one line, "ok ..." if the node took the list or already had it
 *            or a newer one (e.g. "ok sequence 7 ..." / "ok unchanged: have
 *            sequence 9"), else "error: <what is wrong>" (not this network's
 *            CA, bad signature, malformed). The node closes the connection
 *            after the answer. */
#define CRL_REQUEST_PREFIX CONTROL_CRL_PREFIX
#define CRL_REQUEST_MAX CONTROL_REQUEST_MAX
_Static_assert(CONTROL_REQUEST_MAX >= sizeof(CONTROL_CRL_PREFIX) + ((CERT_CRL_MAX + 2) / 3) * 4 + 1,
	       "the largest list fits a request");

__attribute__((format(printf, 1, 2))) static int cert_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("meshub: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static const char *hex_id(const uint8_t id[CERT_ID_LEN], char buf[HEX_ID])
{
	return sodium_bin2hex(buf, HEX_ID, id, CERT_ID_LEN);
}

/* "(364 days left)", "(expired 3 days ago)", "(not valid for 2 more days)" */
static const char *window_words(uint64_t not_before, uint64_t not_after, uint64_t now, char *buf, size_t cap)
{
	if (now < not_before)
		snprintf(buf, cap, "not valid yet: %llu more day(s)",
			 (unsigned long long)((not_before - now + DAY - 1) / DAY));
	else if (now >= not_after)
		snprintf(buf, cap, "expired %llu day(s) ago", (unsigned long long)((now - not_after) / DAY));
	else
		snprintf(buf, cap, "%llu day(s) left", (unsigned long long)((not_after - now) / DAY));
	return buf;
}

/* ------------------------------------------------------------ JSON */

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void json_prefixes(const char *key, const struct wire_prefix *p, unsigned n)
{
	char a[ENDPOINT_STR_MAX];

	printf(",\"%s\":[", key);
	for (unsigned i = 0; i < n; i++) {
		printf("%s", i ? "," : "");
		json_str(prefix_str(&p[i], a));
	}
	printf("]");
}

static void json_check(const enum cert_reason *why)
{
	printf(",\"check\":");
	if (why)
		json_str(cert_reason_names[*why]);
	else
		printf("null");
}

/* ------------------------------------------------------------ cert show */

struct show {
	bool json;
	const struct cert_ca *ca; /* --ca: verify against it */
	uint64_t now;
};

static void show_cert_json(const struct cert *c, const struct show *s, const enum cert_reason *why)
{
	char key[KEYS_B64_LEN + 1], id[HEX_ID];

	keys_to_base64(c->static_pub, key);
	printf("{\"type\":\"certificate\",\"version\":%d,\"serial\":%llu,\"name\":", CERT_VERSION,
	       (unsigned long long)c->serial);
	json_str(c->name);
	printf(",\"public_key\":\"%s\"", key);
	json_prefixes("addresses", c->addrs, c->n_addrs);
	json_prefixes("subnets", c->subnets, c->n_subnets);
	printf(",\"groups\":[");
	for (unsigned i = 0; i < c->n_groups; i++) {
		printf("%s", i ? "," : "");
		json_str(c->groups[i]);
	}
	printf("],\"not_before\":%llu,\"not_after\":%llu,\"valid_now\":%s,\"ca_key_id\":\"%s\"",
	       (unsigned long long)c->not_before, (unsigned long long)c->not_after,
	       s->now >= c->not_before && s->now < c->not_after ? "true" : "false", hex_id(c->ca_id, id));
	json_check(why);
	printf("}\n");
}

static void show_check_words(const enum cert_reason *why, const struct show *s)
{
	if (!why)
		printf("  check: not done (give --ca FILE to check the signature)\n");
	else if (*why == CERT_OK)
		printf("  check: valid, signed by CA '%s'\n", s->ca->name);
	else
		printf("  check: REFUSED: %s\n", cert_reason_text(*why));
}

static void show_cert_words(const struct cert *c, const struct show *s, const enum cert_reason *why)
{
	char key[KEYS_B64_LEN + 1], id[HEX_ID], a[ENDPOINT_STR_MAX], t[CERT_TIME_STR_MAX], w[64];

	keys_to_base64(c->static_pub, key);
	printf("certificate: %s\n  serial: %llu\n  public key: %s\n", c->name, (unsigned long long)c->serial, key);
	for (unsigned i = 0; i < c->n_addrs; i++)
		printf("  address: %s\n", prefix_str(&c->addrs[i], a));
	for (unsigned i = 0; i < c->n_subnets; i++)
		printf("  subnet: %s\n", prefix_str(&c->subnets[i], a));
	for (unsigned i = 0; i < c->n_groups; i++)
		printf("  group: %s\n", c->groups[i]);
	printf("  valid from: %s\n", cert_time_str(c->not_before, t));
	printf("  valid until: %s (%s)\n", cert_time_str(c->not_after, t),
	       window_words(c->not_before, c->not_after, s->now, w, sizeof(w)));
	printf("  CA key id: %s\n", hex_id(c->ca_id, id));
	show_check_words(why, s);
}

static int show_cert(const uint8_t *bin, size_t len, const struct show *s)
{
	struct cert c;
	enum cert_reason why;

	if (cert_decode(bin, len, &c) < 0)
		return -EBADMSG;
	if (s->ca)
		cert_check(&c, s->ca, s->now, NULL, NULL, &why);
	if (s->json)
		show_cert_json(&c, s, s->ca ? &why : NULL);
	else
		show_cert_words(&c, s, s->ca ? &why : NULL);
	return 0;
}

static int show_crl(const uint8_t *bin, size_t len, const struct show *s)
{
	static struct cert_crl crl;
	char id[HEX_ID], t[CERT_TIME_STR_MAX];
	enum cert_reason why;

	if (cert_crl_decode(bin, len, &crl) < 0)
		return -EBADMSG;
	if (s->ca)
		cert_crl_check(&crl, s->ca, &why);
	if (s->json) {
		printf("{\"type\":\"revocation-list\",\"version\":%d,\"ca_key_id\":\"%s\",\"sequence\":%llu,"
		       "\"issued_at\":%llu,\"revoked\":[",
		       CERT_VERSION, hex_id(crl.ca_id, id), (unsigned long long)crl.sequence,
		       (unsigned long long)crl.issued_at);
		for (unsigned i = 0; i < crl.n_serials; i++)
			printf("%s%llu", i ? "," : "", (unsigned long long)crl.serials[i]);
		printf("]");
		json_check(s->ca ? &why : NULL);
		printf("}\n");
		return 0;
	}
	printf("revocation list\n  sequence: %llu\n  issued at: %s\n  CA key id: %s\n  revoked serials: %u\n",
	       (unsigned long long)crl.sequence, cert_time_str(crl.issued_at, t), hex_id(crl.ca_id, id), crl.n_serials);
	for (unsigned i = 0; i < crl.n_serials; i++)
		printf("    %llu\n", (unsigned long long)crl.serials[i]);
	show_check_words(s->ca ? &why : NULL, s);
	return 0;
}

static int show_ca(const uint8_t *bin, size_t len, const struct show *s)
{
	char key[KEYS_B64_LEN + 1], id[HEX_ID], t[CERT_TIME_STR_MAX], w[64];
	struct cert_ca ca;

	if (cert_ca_decode(bin, len, &ca) < 0)
		return -EBADMSG;
	keys_to_base64(ca.pub, key);
	hex_id(ca.id, id);
	if (s->json) {
		printf("{\"type\":\"ca-certificate\",\"version\":%d,\"name\":", CERT_VERSION);
		json_str(ca.name);
		printf(",\"public_key\":\"%s\",\"key_id\":\"%s\",\"not_before\":%llu,\"not_after\":%llu,"
		       "\"valid_now\":%s,\"check\":\"ok\"}\n",
		       key, id, (unsigned long long)ca.not_before, (unsigned long long)ca.not_after,
		       s->now >= ca.not_before && s->now < ca.not_after ? "true" : "false");
		return 0;
	}
	printf("CA certificate: %s\n  public key: %s\n  key id: %s\n  valid from: %s\n", ca.name, key, id,
	       cert_time_str(ca.not_before, t));
	printf("  valid until: %s (%s)\n  check: self-signature valid\n", cert_time_str(ca.not_after, t),
	       window_words(ca.not_before, ca.not_after, s->now, w, sizeof(w)));
	return 0;
}

static int show_key(const uint8_t *bin, size_t len, const struct show *s)
{
	uint8_t pub[CERT_PUB_LEN], id[CERT_ID_LEN];
	char key[KEYS_B64_LEN + 1], hex[HEX_ID];
	bool sealed;

	if (cert_key_info(bin, len, &sealed, pub) < 0)
		return -EBADMSG;
	keys_to_base64(pub, key);
	cert_ca_id(pub, id);
	if (s->json)
		printf("{\"type\":\"ca-key\",\"version\":%d,\"public_key\":\"%s\",\"key_id\":\"%s\",\"encrypted\":%s}"
		       "\n",
		       CERT_VERSION, key, hex_id(id, hex), sealed ? "true" : "false");
	else
		printf("CA key (the secret is not shown)\n  public key: %s\n  key id: %s\n  encrypted: %s\n", key,
		       hex_id(id, hex), sealed ? "yes" : "no");
	return 0;
}

static int show_file(const char *path, const struct show *s)
{
	static uint8_t bin[CERT_CRL_MAX];
	struct cert_error err;
	size_t len = 0;
	int ret;

	if (cert_file_read(path, 0, bin, sizeof(bin), &len, &err) < 0)
		return cert_fail("%s", err.msg);
	switch (cert_peek_kind(bin, len)) {
	case CERT_KIND_NODE: ret = show_cert(bin, len, s); break;
	case CERT_KIND_CRL: ret = show_crl(bin, len, s); break;
	case CERT_KIND_CA: ret = show_ca(bin, len, s); break;
	case CERT_KIND_CA_KEY: ret = show_key(bin, len, s); break;
	default: ret = -EPROTONOSUPPORT; break;
	}
	sodium_memzero(bin, len);
	if (ret == -EPROTONOSUPPORT)
		return cert_fail("%s: a version this meshub does not know (update meshub)", path);
	if (ret < 0)
		return cert_fail("%s: damaged or changed: a field is out of range, not in canonical form, or (a CA "
				 "certificate) its self-signature does not verify",
				 path);
	return fflush(stdout) ? cert_fail("cannot write: %s", strerror(errno)) : 0;
}

int cmd_cert(int argc, char **argv)
{
	const char *file = NULL, *ca_file = NULL;
	struct show s = {.now = (uint64_t)time(NULL)};
	struct cert_error err;
	struct cert_ca ca;
	bool bad = argc < 2 || strcmp(argv[1], "show");

	for (int i = 2; i < argc && !bad; i++) {
		if (!strcmp(argv[i], "--json"))
			s.json = true;
		else if (!strcmp(argv[i], "--ca") && i + 1 < argc)
			ca_file = argv[++i];
		else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else
			bad = true;
	}
	if (bad || !file) {
		fprintf(stderr, "usage: meshub cert show FILE [--json] [--ca CAFILE]\n");
		return 2;
	}
	if (ca_file && cert_ca_load(ca_file, &ca, &err) < 0)
		return cert_fail("%s", err.msg);
	s.ca = ca_file ? &ca : NULL;
	return show_file(file, &s);
}

/* ------------------------------------------------------------ pubkey */

int cmd_pubkey(int argc, char **argv)
{
	char key[KEYS_B64_LEN + 1];
	struct identity id;
	const char *why;
	bool existed;
	int ret;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: meshub pubkey KEYFILE\n");
		return 2;
	}
	existed = access(argv[1], F_OK) == 0;
	ret = identity_load_or_create(argv[1], &id, &why);
	if (ret < 0) {
		cert_fail("%s: %s: %s", argv[1], why, strerror(-ret));
		sodium_memzero(&id, sizeof(id));
		return 1;
	}
	keys_to_base64(id.pub, key);
	sodium_memzero(&id, sizeof(id));
	if (!existed)
		fprintf(stderr, "created %s (a new node key, mode 0600)\n", argv[1]);
	printf("%s\n", key);
	return 0;
}

/* ------------------------------------------------------------ crl load */

/* The only running node's socket, or an error naming the candidates. */
static int crl_find_socket(char *path, size_t cap)
{
	char names[512] = "";
	struct dirent *de;
	unsigned found = 0;
	DIR *d = opendir(CONTROL_DIR);

	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name), used = strlen(names);
		if (len < 6 || strcmp(de->d_name + len - 5, ".sock"))
			continue;
		if (!found++)
			snprintf(path, cap, "%s/%s", CONTROL_DIR, de->d_name);
		snprintf(names + used, sizeof(names) - used, "%s%.*s", used ? ", " : "", (int)(len - 5), de->d_name);
	}
	if (d)
		closedir(d);
	if (found == 1)
		return 0;
	if (!found)
		return cert_fail("no meshubd is running (no control socket in %s)", CONTROL_DIR);
	return cert_fail("several nodes are running (%s): name the INTERFACE", names);
}

static int crl_connect(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		cert_fail("control socket path too long: %s", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return fd;
	err = errno;
	if (fd >= 0)
		close(fd);
	if (err == ENOENT || err == ECONNREFUSED)
		cert_fail("no meshubd is running for %s (start one with: meshubd CONFIG)", path);
	else if (err == EACCES)
		cert_fail("%s: permission denied (the control socket is root-only: use sudo)", path);
	else
		cert_fail("cannot connect to %s: %s", path, strerror(err));
	return -1;
}

/* Sends the request, prints the answer; 0 if it starts with "ok". */
static int crl_send(const char *path, const char *req, size_t len)
{
	char answer[ANSWER_MAX];
	size_t got = 0;
	ssize_t n;
	int fd = crl_connect(path);

	if (fd < 0)
		return 1;
	while (len && (n = send(fd, req, len, MSG_NOSIGNAL)) > 0)
		req += n, len -= (size_t)n;
	shutdown(fd, SHUT_WR);
	while (got < sizeof(answer) - 1 && (n = read(fd, answer + got, sizeof(answer) - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	answer[got] = '\0';
	if (len || !got)
		return cert_fail("%s: the node did not take the request (an older meshubd without crl load?)", path);
	fputs(answer, stdout);
	if (answer[got - 1] != '\n')
		putchar('\n');
	return strncmp(answer, "ok", 2) ? 1 : 0;
}

static int crl_load(const char *file, const char *iface, const char *socket_path)
{
	static struct cert_crl crl;
	static uint8_t bin[CERT_CRL_MAX];
	static char req[CRL_REQUEST_MAX];
	char path[PATH_MAX];
	struct cert_error err;
	size_t len = 0, n;

	if (cert_crl_load(file, &crl, &err) < 0)
		return cert_fail("%s", err.msg);
	len = cert_crl_encode(bin, sizeof(bin), &crl);
	n = strlen(CRL_REQUEST_PREFIX);
	memcpy(req, CRL_REQUEST_PREFIX, n);
	sodium_bin2base64(req + n, sizeof(req) - n - 1, bin, len, sodium_base64_VARIANT_ORIGINAL);
	n = strlen(req);
	req[n++] = '\n';
	if (socket_path)
		snprintf(path, sizeof(path), "%s", socket_path);
	else if (iface)
		snprintf(path, sizeof(path), "%s/%.80s.sock", CONTROL_DIR, iface);
	else if (crl_find_socket(path, sizeof(path)))
		return 1;
	return crl_send(path, req, n);
}

int cmd_crl(int argc, char **argv)
{
	const char *file = NULL, *iface = NULL, *socket_path = NULL;
	bool bad = argc < 2 || strcmp(argv[1], "load");

	for (int i = 2; i < argc && !bad; i++) {
		if (!strcmp(argv[i], "--socket") && i + 1 < argc)
			socket_path = argv[++i];
		else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else if (argv[i][0] != '-' && !iface)
			iface = argv[i];
		else
			bad = true;
	}
	if (bad || !file) {
		fprintf(stderr, "usage: meshub crl load FILE [INTERFACE] [--socket PATH]\n");
		return 2;
	}
	return crl_load(file, iface, socket_path);
}
