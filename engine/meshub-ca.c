/* meshub-ca.c - `meshub ca init|sign|revoke|crl`: an offline CA kept in one
 * directory (ca.key, ca.crt, revoked.crl) that issues and revokes the node
 * certificates of a CA network. The CA key's passphrase comes from
 * MESHUB_CA_PASSPHRASE or is typed at the terminal, never from argv. */
#include "config.h"

#include "meshub-ca.h"

#include "cert-file.h"
#include "cert.h"
#include "endpoint.h"
#include "keys.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define DAY 86400u
#define DAYS_MAX 36500u
#define CA_DAYS_DEFAULT 3650u
#define CERT_DAYS_DEFAULT 365u
/* Validity starts an hour early, so that nodes whose clocks are a little
 * behind the CA's accept a certificate at once. */
#define BACKDATE 3600u
#define PASS_MAX 1024
#define PASS_ENV "MESHUB_CA_PASSPHRASE"
#define CA_NAME_DEFAULT "meshub"

struct ca_dir {
	char key_path[PATH_MAX], crt_path[PATH_MAX], crl_path[PATH_MAX];
	struct cert_ca ca;
	uint8_t sk[CERT_SK_LEN];
};

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

__attribute__((format(printf, 1, 2))) static int ca_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("meshub: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static uint64_t ca_now(void)
{
	return (uint64_t)time(NULL);
}

/* ------------------------------------------------------------ arguments */

/* The value after option argv[*i], or NULL (then the caller shows usage). */
static const char *opt_value(int argc, char **argv, int *i)
{
	return *i + 1 < argc ? argv[++*i] : NULL;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (uint64_t)(*s - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static int parse_days(const char *v, unsigned *days)
{
	uint64_t d;

	if (!v || parse_u64(v, DAYS_MAX, &d) < 0 || d == 0)
		return ca_fail("--days: expected a whole number of days 1..%u, got '%.40s'", DAYS_MAX, v ? v : "");
	*days = (unsigned)d;
	return 0;
}

/* "address" or "address/length". */
static int parse_prefix(const char *s, struct wire_prefix *out)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	char addr[INET6_ADDRSTRLEN];
	uint64_t len;

	memset(out, 0, sizeof(*out));
	if (alen == 0 || alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, out->addr) == 1)
		out->family = 4;
	else if (inet_pton(AF_INET6, addr, out->addr) == 1)
		out->family = 6;
	else
		return -EINVAL;
	len = out->family == 4 ? 32 : 128;
	if (slash && parse_u64(slash + 1, len, &len) < 0)
		return -EINVAL;
	out->len = (uint8_t)len;
	return 0;
}

static int join(char out[PATH_MAX], const char *dir, const char *file)
{
	if (snprintf(out, PATH_MAX, "%s/%s", dir, file) >= PATH_MAX)
		return ca_fail("%s: the path is too long", dir);
	return 0;
}

static int ca_paths(struct ca_dir *cd, const char *dir)
{
	memset(cd, 0, sizeof(*cd));
	if (join(cd->key_path, dir, "ca.key") || join(cd->crt_path, dir, "ca.crt") ||
	    join(cd->crl_path, dir, "revoked.crl"))
		return 1;
	return 0;
}

/* ------------------------------------------------------------ the passphrase */

static struct termios tty_saved;
static int tty_fd = -1;

static void tty_restore(void)
{
	if (tty_fd >= 0)
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
}

/* Ctrl-C while the echo is off must not leave the terminal silent. */
static void tty_signal(int sig)
{
	tty_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void tty_catch(void (*handler)(int))
{
	signal(SIGINT, handler);
	signal(SIGTERM, handler);
	signal(SIGHUP, handler);
	signal(SIGQUIT, handler);
}

/* One line typed at the terminal without echo. 0, -ENXIO (no terminal),
 * -E2BIG (too long) or -EIO. */
static int tty_ask(const char *prompt, char *buf, size_t cap)
{
	struct termios t;
	size_t len = 0;
	ssize_t n;
	char c;
	int ret = 0, fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0 || tcgetattr(fd, &tty_saved) < 0) {
		if (fd >= 0)
			close(fd);
		return -ENXIO;
	}
	t = tty_saved;
	t.c_lflag &= ~(tcflag_t)ECHO;
	t.c_lflag |= ECHONL;
	tty_fd = fd;
	tty_catch(tty_signal);
	tcsetattr(fd, TCSAFLUSH, &t);
	if (write(fd, prompt, strlen(prompt)) < 0)
		ret = -EIO;
	while (ret != -EIO && (n = read(fd, &c, 1)) == 1 && c != '\n') {
		if (len + 1 < cap)
			buf[len++] = c;
		else
			ret = -E2BIG;
	}
	if (len && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	tty_restore();
	tty_fd = -1;
	tty_catch(SIG_DFL);
	close(fd);
	c = 0;
	return ret;
}

/* MESHUB_CA_PASSPHRASE if set (empty: none), else typed at the terminal
 * (twice with confirm). -ENXIO if there is neither. */
static int ca_passphrase(char pass[PASS_MAX], const char *prompt, bool confirm)
{
	const char *env = getenv(PASS_ENV);
	char again[PASS_MAX];
	int ret;

	if (env && strlen(env) >= PASS_MAX) {
		ca_fail("%s is longer than %d characters", PASS_ENV, PASS_MAX - 1);
		return -E2BIG;
	}
	if (env) {
		strcpy(pass, env);
		return 0;
	}
	ret = tty_ask(prompt, pass, PASS_MAX);
	if (ret == 0 && confirm && *pass) {
		ret = tty_ask("Type the passphrase again: ", again, sizeof(again));
		if (ret == 0 && strcmp(pass, again)) {
			ca_fail("the two passphrases differ; nothing was created");
			ret = -EINVAL;
		}
		sodium_memzero(again, sizeof(again));
	}
	if (ret == -E2BIG)
		ca_fail("the passphrase is longer than %d characters", PASS_MAX - 1);
	else if (ret == -EIO)
		ca_fail("cannot read the passphrase from the terminal");
	if (ret < 0)
		sodium_memzero(pass, PASS_MAX);
	return ret;
}

/* ------------------------------------------------------------ opening a CA */

static int ca_unlock(struct ca_dir *cd, const uint8_t *bin, size_t len, bool sealed)
{
	char pass[PASS_MAX] = "", prompt[PATH_MAX + 32];
	uint8_t seed[CERT_SEED_LEN], pub[CERT_PUB_LEN];
	int ret = 0;

	if (sealed) {
		snprintf(prompt, sizeof(prompt), "Passphrase of %s: ", cd->key_path);
		ret = ca_passphrase(pass, prompt, false);
		if (ret == -ENXIO)
			return ca_fail("%s is encrypted: set %s or run meshub at a terminal to type its passphrase",
				       cd->key_path, PASS_ENV);
		if (ret < 0)
			return 1;
	}
	ret = cert_key_open(bin, len, pass, seed);
	sodium_memzero(pass, sizeof(pass));
	if (ret == -EACCES)
		return ca_fail("%s: wrong passphrase (the key cannot be decrypted with it); nothing was changed",
			       cd->key_path);
	if (ret == -EINVAL)
		return ca_fail("%s is encrypted and %s is empty: set it to the key's passphrase", cd->key_path,
			       PASS_ENV);
	if (ret < 0)
		return ca_fail("%s: %s", cd->key_path,
			       ret == -ENOMEM ? "out of memory deriving the key from the passphrase"
					      : "the key file is damaged (its key does not match its public key)");
	cert_ca_keypair(seed, pub, cd->sk);
	sodium_memzero(seed, sizeof(seed));
	return 0;
}

/* Reads DIR/ca.crt and, with want_key, DIR/ca.key (asking for its
 * passphrase). Returns 0 or an exit status. */
static int ca_open(struct ca_dir *cd, const char *dir, bool want_key)
{
	uint8_t bin[CERT_KEY_MAX], pub[CERT_PUB_LEN];
	struct cert_error err;
	size_t len = 0;
	bool sealed = false;
	int ret;

	if (ca_paths(cd, dir))
		return 1;
	ret = cert_ca_load(cd->crt_path, &cd->ca, &err);
	if (ret < 0 && access(cd->crt_path, F_OK) < 0)
		return ca_fail("%s (expected %s to be a CA directory made by meshub ca init)", err.msg, dir);
	if (ret < 0)
		return ca_fail("%s", err.msg);
	if (!want_key)
		return 0;
	if (cert_key_read(cd->key_path, bin, &len, &err) < 0)
		return ca_fail("%s", err.msg);
	ret = cert_key_info(bin, len, &sealed, pub);
	if (ret < 0)
		ret = ca_fail("%s: the key file is damaged", cd->key_path);
	else if (memcmp(pub, cd->ca.pub, CERT_PUB_LEN))
		ret = ca_fail("%s does not belong to %s (another CA's key); expected the key made with it",
			      cd->key_path, cd->crt_path);
	else
		ret = ca_unlock(cd, bin, len, sealed);
	sodium_memzero(bin, sizeof(bin));
	return ret;
}

static void ca_close(struct ca_dir *cd)
{
	sodium_memzero(cd->sk, sizeof(cd->sk));
}

/* ------------------------------------------------------------ ca init */

static int init_write(struct ca_dir *cd, const char *name, unsigned days, const char *pass)
{
	uint8_t seed[CERT_SEED_LEN], pub[CERT_PUB_LEN], key[CERT_KEY_MAX], crt[CERT_CA_MAX];
	uint64_t now = ca_now();
	struct cert_error err;
	size_t key_len, crt_len = 0;
	int ret = 1;

	randombytes_buf(seed, sizeof(seed));
	cert_ca_keypair(seed, pub, cd->sk);
	key_len = cert_key_seal(key, seed, pass, crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE);
	sodium_memzero(seed, sizeof(seed));
	if (!key_len)
		ca_fail("out of memory deriving a key from the passphrase (Argon2id needs %zu MiB)",
			(size_t)crypto_pwhash_MEMLIMIT_MODERATE >> 20);
	else if (cert_ca_make(&cd->ca, cd->sk, name, now - BACKDATE, now + (uint64_t)days * DAY) < 0 ||
		 !(crt_len = cert_ca_encode(crt, sizeof(crt), &cd->ca)))
		ca_fail("cannot make the CA certificate");
	else if (cert_file_write(cd->key_path, key, key_len, 0600, true, &err) < 0)
		ca_fail("%s", err.msg);
	else if (cert_file_write(cd->crt_path, crt, crt_len, 0644, true, &err) < 0) {
		unlink(cd->key_path);
		ca_fail("%s", err.msg);
	} else
		ret = 0;
	sodium_memzero(key, sizeof(key));
	return ret;
}

static int init_report(const struct ca_dir *cd, const char *dir, bool sealed)
{
	char id[2 * CERT_ID_LEN + 1], t[CERT_TIME_STR_MAX];

	printf("CA '%s' created in %s\n  key id: %s\n  valid until: %s\n", cd->ca.name, dir,
	       sodium_bin2hex(id, sizeof(id), cd->ca.id, CERT_ID_LEN), cert_time_str(cd->ca.not_after, t));
	if (sealed)
		printf("  %s: encrypted with the passphrase (keep it offline)\n", cd->key_path);
	else
		printf("  %s: NOT encrypted (set %s or run meshub ca init at a terminal to protect it)\n", cd->key_path,
		       PASS_ENV);
	printf("  %s: give it to every node ([encryption] ca)\n", cd->crt_path);
	return 0;
}

static int ca_init(int argc, char **argv)
{
	const char *dir = NULL, *name = CA_NAME_DEFAULT;
	char pass[PASS_MAX] = "";
	unsigned days = CA_DAYS_DEFAULT;
	struct ca_dir cd;
	struct stat st;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--name") && (name = opt_value(argc, argv, &i)))
			continue;
		if (!strcmp(argv[i], "--days")) {
			if (parse_days(opt_value(argc, argv, &i), &days))
				return 1;
		} else if (argv[i][0] != '-' && !dir) {
			dir = argv[i];
		} else {
			return 2;
		}
	}
	if (!dir || !name)
		return 2;
	if (!cert_name_ok(name, CERT_NAME_MAX))
		return ca_fail(
			"--name: '%.80s' is not a network name; expected 1..%d letters, digits, '.', '_' or '-', "
			"starting with a letter or digit",
			name, CERT_NAME_MAX);
	if (ca_paths(&cd, dir))
		return 1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return ca_fail("%s: cannot create the directory: %s", dir, strerror(errno));
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return ca_fail("%s: not a directory; expected a directory for the CA", dir);
	if (access(cd.key_path, F_OK) == 0 || access(cd.crt_path, F_OK) == 0)
		return ca_fail("%s already holds a CA (ca.key or ca.crt exists); expected a new directory", dir);
	ret = ca_passphrase(pass, "Passphrase for the new CA key (empty: store it unencrypted): ", true);
	if (ret < 0 && ret != -ENXIO)
		return 1;
	ret = init_write(&cd, name, days, pass);
	if (ret == 0)
		init_report(&cd, dir, pass[0] != '\0');
	sodium_memzero(pass, sizeof(pass));
	ca_close(&cd);
	return ret;
}

/* ------------------------------------------------------------ ca sign */

struct sign_args {
	const char *dir, *pubkey, *out;
	unsigned days;
	struct cert c;
};

static int sign_prefix(struct sign_args *a, const char *opt, const char *v)
{
	bool subnet = !strcmp(opt, "--subnet");
	struct wire_prefix pf, masked;
	char shown[ENDPOINT_STR_MAX];
	struct wire_prefix *list = subnet ? a->c.subnets : a->c.addrs;
	uint8_t *n = subnet ? &a->c.n_subnets : &a->c.n_addrs;
	unsigned max = subnet ? CERT_SUBNETS_MAX : CERT_ADDRS_MAX;

	if (!v || parse_prefix(v, &pf) < 0)
		return ca_fail("%s: expected an IPv4 or IPv6 address%s such as %s, got '%.60s'", opt,
			       subnet ? " with a prefix length" : " (with the mesh's prefix length)",
			       subnet ? "192.168.5.0/24" : "10.77.0.2/16", v ? v : "");
	masked = pf;
	prefix_mask(&masked);
	if (subnet && memcmp(masked.addr, pf.addr, sizeof(pf.addr)))
		return ca_fail("%s %s: host bits are set after the prefix length; expected %s", opt, v,
			       prefix_str(&masked, shown));
	for (unsigned i = 0; i < *n; i++)
		if (list[i].family == pf.family && !memcmp(list[i].addr, pf.addr, 16) &&
		    (!subnet || list[i].len == pf.len))
			return ca_fail("%s %s: given twice; expected each once", opt, v);
	if (*n == max)
		return ca_fail("%s: at most %u are allowed", opt, max);
	list[(*n)++] = pf;
	return 0;
}

static int sign_group(struct sign_args *a, const char *v)
{
	if (!v || !cert_name_ok(v, CERT_GROUP_MAX))
		return ca_fail(
			"--group: expected a group name of 1..%d letters, digits, '.', '_' or '-', starting with "
			"a letter or digit, got '%.60s'",
			CERT_GROUP_MAX, v ? v : "");
	for (unsigned i = 0; i < a->c.n_groups; i++)
		if (!strcmp(a->c.groups[i], v))
			return ca_fail("--group %s: given twice; expected each once", v);
	if (a->c.n_groups == CERT_GROUPS_MAX)
		return ca_fail("--group: at most %d groups are allowed", CERT_GROUPS_MAX);
	strcpy(a->c.groups[a->c.n_groups++], v);
	return 0;
}

static int sign_name(struct sign_args *a, const char *v)
{
	if (!v || !cert_name_ok(v, CERT_NAME_MAX))
		return ca_fail(
			"--name: expected a node name of 1..%d letters, digits, '.', '_' or '-', starting with a "
			"letter or digit, got '%.80s'",
			CERT_NAME_MAX, v ? v : "");
	strcpy(a->c.name, v);
	return 0;
}

/* One option of ca sign: 0, 1 (bad value, said), 2 (usage). */
static int sign_option(struct sign_args *a, int argc, char **argv, int *i)
{
	const char *opt = argv[*i], *v;

	if (opt[0] != '-') {
		if (a->dir)
			return 2;
		a->dir = opt;
		return 0;
	}
	v = opt_value(argc, argv, i);
	if (!v)
		return 2;
	if (!strcmp(opt, "--name"))
		return sign_name(a, v);
	if (!strcmp(opt, "--public-key")) {
		a->pubkey = v;
		return 0;
	}
	if (!strcmp(opt, "--address") || !strcmp(opt, "--subnet"))
		return sign_prefix(a, opt, v);
	if (!strcmp(opt, "--group"))
		return sign_group(a, v);
	if (!strcmp(opt, "--days"))
		return parse_days(v, &a->days);
	if (!strcmp(opt, "--out")) {
		a->out = v;
		return 0;
	}
	return 2;
}

static int sign_parse(struct sign_args *a, int argc, char **argv)
{
	int ret = 0;

	memset(a, 0, sizeof(*a));
	a->days = CERT_DAYS_DEFAULT;
	for (int i = 1; i < argc && ret == 0; i++)
		ret = sign_option(a, argc, argv, &i);
	if (ret)
		return ret;
	if (!a->dir || !a->c.name[0] || !a->pubkey)
		return 2;
	if (!a->c.n_addrs)
		return ca_fail(
			"ca sign: expected at least one --address (the node's VPN address, such as 10.77.0.2/16)");
	if (keys_parse_psk(a->pubkey, a->c.static_pub) < 0 || sodium_is_zero(a->c.static_pub, CERT_PUB_LEN))
		return ca_fail("--public-key: expected the node's public key, 32 bytes in base64 as printed by "
			       "'meshub pubkey KEYFILE', got '%.60s'",
			       a->pubkey);
	return 0;
}

static uint64_t sign_serial(void)
{
	uint64_t s = 0;

	/* random, so that no two certificates share one even from restored
	 * backups of DIR; below 2^53 so that JSON tools read it exactly */
	while (!s) {
		randombytes_buf(&s, sizeof(s));
		s &= CERT_SERIAL_JSON_MAX;
	}
	return s;
}

/* The size the certificate would have, to say how far over the limit it is. */
static size_t sign_size(const struct cert *c)
{
	size_t n = CERT_FIXED_LEN + strlen(c->name);

	for (unsigned i = 0; i < c->n_addrs; i++)
		n += 2 + (c->addrs[i].family == 4 ? 4 : 16);
	for (unsigned i = 0; i < c->n_subnets; i++)
		n += 2 + (c->subnets[i].family == 4 ? 4 : 16);
	for (unsigned i = 0; i < c->n_groups; i++)
		n += 1 + strlen(c->groups[i]);
	return n;
}

static int sign_output(const struct sign_args *a, const struct cert *c)
{
	uint8_t bin[CERT_MAX];
	char text[1024], t[CERT_TIME_STR_MAX];
	struct cert_error err;
	size_t n = cert_encode(bin, sizeof(bin), c);

	if (!n || !cert_armor_encode(text, sizeof(text), bin, n))
		return ca_fail("cannot encode the certificate");
	if (!a->out) {
		fputs(text, stdout);
		return fflush(stdout) ? ca_fail("cannot write the certificate: %s", strerror(errno)) : 0;
	}
	if (cert_file_write(a->out, bin, n, 0644, false, &err) < 0)
		return ca_fail("%s", err.msg);
	fprintf(stderr, "signed '%s' (serial %llu), valid until %s: %s\n", c->name, (unsigned long long)c->serial,
		cert_time_str(c->not_after, t), a->out);
	return 0;
}

static int sign_make(struct sign_args *a, const struct ca_dir *cd)
{
	uint64_t now = ca_now(), until = now + (uint64_t)a->days * DAY;
	char t[CERT_TIME_STR_MAX];
	int ret;

	if (now >= cd->ca.not_after)
		return ca_fail("%s: the CA expired on %s; it cannot sign any more (make a new one: meshub ca init)",
			       cd->crt_path, cert_time_str(cd->ca.not_after, t));
	if (until > cd->ca.not_after) {
		until = cd->ca.not_after;
		fprintf(stderr, "note: the certificate ends with the CA, on %s\n", cert_time_str(until, t));
	}
	a->c.serial = sign_serial();
	a->c.not_before = now - BACKDATE < cd->ca.not_before ? cd->ca.not_before : now - BACKDATE;
	a->c.not_after = until;
	ret = cert_sign(&a->c, cd->sk);
	if (ret == -EMSGSIZE)
		return ca_fail("the certificate would take %zu bytes, more than the %d a handshake carries; expected "
			       "fewer or shorter subnets, groups or name",
			       sign_size(&a->c), CERT_MAX);
	if (ret < 0)
		return ca_fail("cannot sign the certificate: a field is out of range");
	return sign_output(a, &a->c);
}

static int ca_sign(int argc, char **argv)
{
	struct sign_args a;
	struct ca_dir cd;
	int ret = sign_parse(&a, argc, argv);

	if (ret)
		return ret;
	ret = ca_open(&cd, a.dir, true);
	if (ret == 0)
		ret = sign_make(&a, &cd);
	ca_close(&cd);
	return ret;
}

/* ------------------------------------------------------------ ca revoke, ca crl */

/* DIR/revoked.crl if it exists (checked against the CA), else an empty list
 * with sequence 0. Returns 0 or an exit status. */
static int crl_current(const struct ca_dir *cd, struct cert_crl *crl)
{
	struct cert_error err;
	enum cert_reason why;

	memset(crl, 0, sizeof(*crl));
	if (access(cd->crl_path, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (cert_crl_load(cd->crl_path, crl, &err) < 0)
		return ca_fail("%s", err.msg);
	if (cert_crl_check(crl, &cd->ca, &why) < 0)
		return ca_fail("%s: %s; expected the list this CA made in this directory", cd->crl_path,
			       cert_reason_text(why));
	return 0;
}

static int crl_store(struct ca_dir *cd, struct cert_crl *crl)
{
	uint8_t bin[CERT_CRL_MAX];
	struct cert_error err;
	size_t n;

	crl->sequence++;
	crl->issued_at = ca_now();
	if (cert_crl_sign(crl, cd->sk) < 0 || !(n = cert_crl_encode(bin, sizeof(bin), crl)))
		return ca_fail("cannot encode the revocation list");
	if (cert_file_write(cd->crl_path, bin, n, 0644, false, &err) < 0)
		return ca_fail("%s", err.msg);
	return 0;
}

/* The serial to revoke: from --serial N or a certificate file of this CA. */
static int revoke_serial(const struct ca_dir *cd, const char *certfile, const char *serial, uint64_t *out)
{
	char x[2 * CERT_ID_LEN + 1], y[sizeof(x)];
	struct cert_error err;
	struct cert c;

	if (serial) {
		if (parse_u64(serial, UINT64_MAX, out) < 0 || !*out)
			return ca_fail(
				"--serial: expected a certificate's serial number (1..%llu, see meshub cert show), got "
				"'%.40s'",
				(unsigned long long)UINT64_MAX, serial);
		return 0;
	}
	if (cert_load(certfile, &c, &err) < 0)
		return ca_fail("%s", err.msg);
	if (memcmp(c.ca_id, cd->ca.id, CERT_ID_LEN))
		return ca_fail("%s was issued by another CA (key id %s), not by '%s' (key id %s)", certfile,
			       sodium_bin2hex(x, sizeof(x), c.ca_id, CERT_ID_LEN), cd->ca.name,
			       sodium_bin2hex(y, sizeof(y), cd->ca.id, CERT_ID_LEN));
	*out = c.serial;
	return 0;
}

static int revoke_apply(struct ca_dir *cd, const char *dir, uint64_t serial)
{
	static struct cert_crl crl; /* 8 KiB */
	int ret = crl_current(cd, &crl);

	if (ret)
		return ret;
	ret = cert_crl_add(&crl, serial);
	if (ret == -EEXIST) {
		printf("serial %llu is already revoked (%s, sequence %llu); nothing changed\n",
		       (unsigned long long)serial, cd->crl_path, (unsigned long long)crl.sequence);
		return 0;
	}
	if (ret == -ENOSPC)
		return ca_fail("%s is full (%d serials); expected fewer revocations", cd->crl_path,
			       CERT_CRL_SERIALS_MAX);
	/* only now is the key needed */
	ret = ca_open(cd, dir, true);
	if (ret == 0)
		ret = crl_store(cd, &crl);
	if (ret == 0)
		printf("revoked serial %llu: %s now has sequence %llu and %u serial(s); hand it to a node with: meshub "
		       "crl "
		       "load %s\n",
		       (unsigned long long)serial, cd->crl_path, (unsigned long long)crl.sequence, crl.n_serials,
		       cd->crl_path);
	return ret;
}

static int ca_revoke(int argc, char **argv)
{
	const char *dir = NULL, *certfile = NULL, *serial = NULL;
	struct ca_dir cd;
	uint64_t s = 0;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--serial") && (serial = opt_value(argc, argv, &i)))
			continue;
		if (argv[i][0] == '-')
			return 2;
		if (!dir)
			dir = argv[i];
		else if (!certfile)
			certfile = argv[i];
		else
			return 2;
	}
	if (!dir || !certfile == !serial)
		return 2;
	ret = ca_open(&cd, dir, false);
	if (ret == 0)
		ret = revoke_serial(&cd, certfile, serial, &s);
	if (ret == 0)
		ret = revoke_apply(&cd, dir, s);
	ca_close(&cd);
	return ret;
}

static int ca_crl(int argc, char **argv)
{
	static struct cert_crl crl;
	uint8_t bin[CERT_CRL_MAX];
	char *text;
	struct ca_dir cd;
	size_t n;
	int ret;

	if (argc != 2 || argv[1][0] == '-')
		return 2;
	ret = ca_open(&cd, argv[1], false);
	if (ret == 0)
		ret = crl_current(&cd, &crl);
	/* no list yet: an empty one, sequence 1, so nodes can be given one now */
	if (ret == 0 && crl.sequence == 0)
		ret = ca_open(&cd, argv[1], true);
	if (ret == 0 && crl.sequence == 0)
		ret = crl_store(&cd, &crl);
	ca_close(&cd);
	if (ret)
		return ret;
	n = cert_crl_encode(bin, sizeof(bin), &crl);
	text = malloc(2 * CERT_CRL_MAX);
	if (!n || !text || !cert_armor_encode(text, 2 * CERT_CRL_MAX, bin, n)) {
		free(text);
		return ca_fail("cannot encode the revocation list");
	}
	fputs(text, stdout);
	free(text);
	return fflush(stdout) ? ca_fail("cannot write the list: %s", strerror(errno)) : 0;
}

/* ------------------------------------------------------------ the table */

static const struct subcommand ca_commands[] = {
	{"init", ca_init, "meshub ca init DIR [--name NETWORK] [--days N]"},
	{"sign", ca_sign,
	 "meshub ca sign DIR --name NAME --public-key KEY --address CIDR [--address CIDR] [--subnet CIDR]... "
	 "[--group G]... [--days N] [--out FILE]"},
	{"revoke", ca_revoke, "meshub ca revoke DIR (CERTFILE | --serial N)"},
	{"crl", ca_crl, "meshub ca crl DIR"},
};

static void ca_usage(FILE *f)
{
	fprintf(f, "usage:\n");
	for (size_t i = 0; i < sizeof(ca_commands) / sizeof(ca_commands[0]); i++)
		fprintf(f, "  %s\n", ca_commands[i].usage);
	fprintf(f, "The CA key's passphrase comes from %s or the terminal.\n", PASS_ENV);
}

int cmd_ca(int argc, char **argv)
{
	int ret;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		ca_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof(ca_commands) / sizeof(ca_commands[0]); i++) {
		if (strcmp(argv[1], ca_commands[i].name))
			continue;
		ret = ca_commands[i].run(argc - 1, argv + 1);
		if (ret == 2)
			fprintf(stderr, "usage: %s\n", ca_commands[i].usage);
		return ret;
	}
	fprintf(stderr, "meshub: unknown command 'ca %.40s'\n", argv[1]);
	ca_usage(stderr);
	return 2;
}
