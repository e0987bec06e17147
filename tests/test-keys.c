/* test-keys.c - PSK parsing (meshub and original Fernet keys), derivations,
 * the identity key file, sealed adverts. */
#include "config.h"

#include "advert.h"
#include "check.h"
#include "keys.h"

#include <errno.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_keys_parse_formats(void)
{
	uint8_t k[32], want[32];
	char b64[KEYS_B64_LEN + 1], url[KEYS_B64_LEN + 1];

	for (int i = 0; i < 32; i++)
		want[i] = (uint8_t)(0xf8 + i * 7); /* bytes that give '+' '/' or '-' '_' */
	sodium_bin2base64(b64, sizeof(b64), want, 32, sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(url, sizeof(url), want, 32, sodium_base64_VARIANT_URLSAFE);
	CHECK(strcmp(b64, url) != 0);
	CHECK_INT(keys_parse_psk(b64, k), 0);
	CHECK_MEM(k, want, 32);
	memset(k, 0, 32);
	CHECK_INT(keys_parse_psk(url, k), 0); /* generate_fernet_key.py's format */
	CHECK_MEM(k, want, 32);
	url[43] = '\0'; /* without padding */
	CHECK_INT(keys_parse_psk(url, k), 0);
	CHECK_MEM(k, want, 32);
	CHECK_INT(keys_parse_psk("  \tZ2VuZXJhdGVfZmVybmV0X2tleS5weSBtYWtlcyAzMmI=\n", k), 0);
	/* a real Fernet key as generate_fernet_key.py prints it */
	CHECK_INT(keys_parse_psk("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=", k), 0);
}

static void test_keys_parse_refuses(void)
{
	uint8_t k[32];

	CHECK_INT(keys_parse_psk("", k), -EINVAL);
	CHECK_INT(keys_parse_psk(NULL, k), -EINVAL);
	CHECK_INT(keys_parse_psk("<generate your own using ./generate_fernet_key.py>", k), -EINVAL);
	/* 31 and 33 bytes */
	CHECK_INT(keys_parse_psk("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", k), -EINVAL);
	CHECK_INT(keys_parse_psk("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", k), -EINVAL);
	CHECK_INT(keys_parse_psk("AAAAAAAAAAAAAAAAAAAAAAAA AAAAAAAAAAAAAAAAAAA=", k), -EINVAL);
}

static void test_keys_generate(void)
{
	char a[KEYS_B64_LEN + 1], b[KEYS_B64_LEN + 1];
	uint8_t k[32];

	keys_generate_psk(a);
	keys_generate_psk(b);
	CHECK_INT(strlen(a), 44);
	CHECK(strcmp(a, b) != 0);
	CHECK_INT(keys_parse_psk(a, k), 0);
	CHECK(!strpbrk(a, "+/")); /* url-safe, like a Fernet key */
}

static void test_keys_derive_separates(void)
{
	uint8_t psk[32], psk2[32], id1[16], id2[16], pub[32];
	struct net_keys a, b;

	randombytes_buf(psk, 32);
	memcpy(psk2, psk, 32);
	psk2[31] ^= 0x80;
	keys_derive(psk, &a);
	keys_derive(psk2, &b);
	CHECK(memcmp(a.network_id, b.network_id, 16) != 0);
	CHECK(memcmp(a.advert_key, a.handshake_psk, 32) != 0);
	CHECK(memcmp(a.advert_key, a.mac1_key, 32) != 0);
	CHECK(memcmp(a.mac1_key, a.node_id_key, 32) != 0);
	CHECK(memcmp(a.network_id, psk, 16) != 0);
	CHECK(memcmp(a.advert_key, psk, 32) != 0);
	keys_derive(psk, &b);
	CHECK_MEM(a.handshake_psk, b.handshake_psk, 32); /* deterministic */
	randombytes_buf(pub, 32);
	keys_node_id(&a, pub, id1);
	pub[0] ^= 1;
	keys_node_id(&a, pub, id2);
	CHECK(memcmp(id1, id2, 16) != 0);
	keys_clear(&a);
	CHECK(sodium_is_zero((const unsigned char *)&a, sizeof(a)));
}

static void test_keys_identity_file(void)
{
	char dir[] = "/tmp/meshub-test-keys.XXXXXX", path[64];
	struct identity id1, id2;
	struct stat st;
	const char *why;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/node.key", dir);
	CHECK_INT(identity_load_or_create(path, &id1, &why), 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	CHECK_INT(identity_load_or_create(path, &id2, &why), 0);
	CHECK_MEM(id1.priv, id2.priv, 32);
	CHECK_MEM(id1.pub, id2.pub, 32);
	CHECK_INT(chmod(path, 0644), 0);
	CHECK_INT(identity_load_or_create(path, &id2, &why), -EPERM);
	CHECK(strstr(why, "chmod 600") != NULL);
	f = fopen(path, "w");
	fputs("not a key\n", f);
	fclose(f);
	CHECK_INT(chmod(path, 0600), 0);
	CHECK_INT(identity_load_or_create(path, &id2, &why), -EINVAL);
	unlink(path);
	rmdir(dir);
}

static void test_keys_advert_sealed(void)
{
	uint8_t psk[32], sealed[WIRE_ADVERT_SEALED_MAX], plain[WIRE_ADVERT_SEALED_MAX];
	struct net_keys nk, other;
	struct wire_advert a = {0}, b;
	size_t n;

	randombytes_buf(psk, 32);
	keys_derive(psk, &nk);
	psk[0] ^= 1;
	keys_derive(psk, &other);
	randombytes_buf(a.static_pub, 32);
	strcpy(a.hostname, "secret-host");
	a.n_addrs = 1;
	a.addrs[0] = (struct wire_prefix){.family = 4, .len = 24, .addr = {10, 9, 8, 7}};
	n = advert_seal(&nk, &a, sealed, sizeof(sealed));
	CHECK(n > 0);
	/* nothing of it shows in clear */
	CHECK(!memmem(sealed, n, "secret-host", 11));
	CHECK(!memmem(sealed, n, a.addrs[0].addr, 4));
	CHECK_INT(advert_open(&nk, sealed, n, plain, &b), 0);
	CHECK(!strcmp(b.hostname, "secret-host"));
	CHECK_MEM(b.static_pub, a.static_pub, 32);
	CHECK_INT(advert_open(&other, sealed, n, plain, &b), -EBADMSG);
	for (size_t i = 0; i < n; i++) {
		sealed[i] ^= 0x40;
		CHECK_INT(advert_open(&nk, sealed, n, plain, &b), -EBADMSG);
		sealed[i] ^= 0x40;
	}
	for (size_t i = 0; i < n; i++)
		CHECK(advert_open(&nk, sealed, i, plain, &b) < 0);
}

int main(void)
{
	if (sodium_init() < 0)
		return 99;
	RUN(test_keys_parse_formats);
	RUN(test_keys_parse_refuses);
	RUN(test_keys_generate);
	RUN(test_keys_derive_separates);
	RUN(test_keys_identity_file);
	RUN(test_keys_advert_sealed);
	return check_exit();
}
