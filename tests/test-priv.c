/* test-priv.c - dropping root: each case runs in a child of its own (the drop cannot be undone) inside a
 * private network namespace, and checks ids, capability sets (capget and /proc/self/status), that root
 * cannot be regained, no_new_privs, and that a kept CAP_NET_ADMIN still configures links. Needs root. */
#include "config.h"

#include "check-netns.h"
#include "check.h"
#include "netif.h"
#include "priv.h"

#include <errno.h>
#include <linux/capability.h>
#include <net/if.h>
#include <pwd.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_TIMEOUT_SEC 30
#define NET_ADMIN (UINT64_C(1) << CAP_NET_ADMIN)

static uid_t nobody_uid;
static gid_t nobody_gid;


/* A field of /proc/self/status ("CapEff", "NoNewPrivs"...) as a number in base, or ~0 if missing. */
static uint64_t proc_status(const char *key, int base)
{
	FILE *f = fopen("/proc/self/status", "re");
	size_t key_len = strlen(key);
	uint64_t value = ~UINT64_C(0);
	char line[256];

	if (!f)
		return value;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, key_len) && line[key_len] == ':')
			value = strtoull(line + key_len + 1, NULL, base);
	fclose(f);
	return value;
}

static void check_ids(void)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	CHECK_INT(getresuid(&r, &e, &s), 0);
	CHECK(r == nobody_uid && e == nobody_uid && s == nobody_uid);
	CHECK_INT(getresgid(&rg, &eg, &sg), 0);
	CHECK(rg == nobody_gid && eg == nobody_gid && sg == nobody_gid);
	CHECK_INT(getgroups(0, NULL), 0);
	CHECK_INT(setuid(0), -1);
	CHECK_INT(seteuid(0), -1);
	CHECK_INT(setgid(0), -1);
	CHECK_INT(getuid(), nobody_uid);
	CHECK_INT(proc_status("NoNewPrivs", 10), 1);
	CHECK_INT(proc_status("CapInh", 16), 0);
	CHECK_INT(proc_status("CapAmb", 16), 0);
}

static void test_priv_drop_all(void)
{
	const char *why = "unset";
	uint64_t eff = 1, prm = 1;
	unsigned mtu = 0;

	CHECK_INT(priv_drop("nobody", false, &why), 0);
	CHECK(why == NULL);
	check_ids();
	CHECK_INT(priv_caps(&eff, &prm), 0);
	CHECK_INT(eff, 0);
	CHECK_INT(prm, 0);
	CHECK_INT(proc_status("CapEff", 16), 0);
	CHECK_INT(proc_status("CapPrm", 16), 0);
	CHECK_INT(proc_status("CapBnd", 16), 0);
	/* without CAP_NET_ADMIN the namespace's links are out of reach, but route queries still work */
	CHECK_INT(netif_set_up(if_nametoindex("lo"), true), -EPERM);
	CHECK_INT(netif_default_mtu(&mtu), 0);
	CHECK_INT(mtu, 1500);
}

static void test_priv_keep_net_admin(void)
{
	const char *why = "unset";
	uint64_t eff = 0, prm = 0;

	CHECK_INT(priv_drop("nobody", true, &why), 0);
	CHECK(why == NULL);
	check_ids();
	CHECK_INT(priv_caps(&eff, &prm), 0);
	CHECK_INT(eff, NET_ADMIN);
	CHECK_INT(prm, NET_ADMIN);
	CHECK_INT(proc_status("CapEff", 16), NET_ADMIN);
	CHECK_INT(proc_status("CapPrm", 16), NET_ADMIN);
	CHECK_INT(proc_status("CapBnd", 16), NET_ADMIN);
	CHECK_INT(netif_set_up(if_nametoindex("lo"), true), 0);
}

static void test_priv_bad_user(void)
{
	const char *why = NULL;
	uint64_t eff = 0, prm = 0;

	CHECK_INT(priv_drop("meshub-no-such-user", false, &why), -ENOENT);
	CHECK(why != NULL);
	if (why)
		printf("# unknown user: %s\n", why);
	why = NULL;
	CHECK_INT(priv_drop("", true, &why), -EINVAL);
	CHECK(why != NULL);
	CHECK_INT(priv_drop(NULL, true, NULL), -EINVAL);
	why = NULL;
	CHECK_INT(priv_drop("root", false, &why), -EINVAL);
	CHECK(why != NULL);
	/* nothing was changed */
	CHECK_INT(geteuid(), 0);
	CHECK_INT(priv_caps(&eff, &prm), 0);
	CHECK(eff & NET_ADMIN);
	CHECK_INT(proc_status("NoNewPrivs", 10), 0);
}

static void priv_drop_all(void)
{
	RUN(test_priv_drop_all);
}

static void priv_keep_net_admin(void)
{
	RUN(test_priv_keep_net_admin);
}

static void priv_bad_user(void)
{
	RUN(test_priv_bad_user);
}

int main(void)
{
	static void (*const cases[])(void) = {priv_drop_all, priv_keep_net_admin, priv_bad_user};
	const struct passwd *pw;
	bool skipped = false;
	int result = 0;

	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		return 77;
	}
	pw = getpwnam("nobody");
	if (!pw || pw->pw_uid == 0) {
		printf("SKIP: no user \"nobody\"\n");
		return 77;
	}
	nobody_uid = pw->pw_uid;
	nobody_gid = pw->pw_gid;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = check_in_netns(cases[i], TEST_TIMEOUT_SEC);

		if (r == 77)
			skipped = true;
		else if (r != 0 && result != 99)
			result = r == 99 ? 99 : 1;
	}
	return result ? result : skipped ? 77 : 0;
}
