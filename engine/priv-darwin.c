/* priv-darwin.c - dropping root on macOS: setgroups/setgid/setuid to the configured user, then a
 * check that root cannot be regained. macOS has no capabilities and no no_new_privs: the process
 * becomes an ordinary user and keeps no way to change the network; what stands in for no_new_privs
 * is that meshubd runs no program after the drop (the [scripts] hooks run before it) and its own
 * files are not setuid. */
#include "config.h"

#include "priv.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

struct priv_target {
	uid_t uid;
	gid_t gid;
};

struct priv_step {
	const char *why; /* what went wrong if run() fails */
	int (*run)(const struct priv_target *t);
};

/* Only the user's primary group. Calling setgroups also opts the process out of macOS's dynamic
 * group resolution (membership looked up on demand), so getgroups reports exactly this. */
static int priv_groups(const struct priv_target *t)
{
	gid_t g = t->gid;

	return setgroups(1, &g) < 0 ? -errno : 0;
}

/* As root, setgid and setuid set the real, effective and saved ids alike. */
static int priv_gid(const struct priv_target *t)
{
	return setgid(t->gid) < 0 ? -errno : 0;
}

static int priv_uid(const struct priv_target *t)
{
	return setuid(t->uid) < 0 ? -errno : 0;
}

static int priv_verify(const struct priv_target *t)
{
	gid_t groups[2];
	int n = getgroups(2, groups);

	if (getuid() != t->uid || geteuid() != t->uid || getgid() != t->gid || getegid() != t->gid)
		return -EPERM;
	if (n < 0 || n > 1 || (n == 1 && groups[0] != t->gid))
		return -EPERM;
	if (setuid(0) == 0 || seteuid(0) == 0 || (t->gid != 0 && setgid(0) == 0))
		return -EPERM;
	return 0;
}

/* setgroups and setgid need root, so they come before setuid. */
static const struct priv_step priv_steps[] = {
	{"cannot set the supplementary groups", priv_groups},
	{"cannot change the group id", priv_gid},
	{"cannot change the user id", priv_uid},
	{"privileges were not dropped completely", priv_verify},
};

/* getpwnam(3): these mean "no such user", anything else is a failed lookup. */
static bool priv_not_found(int err)
{
	return err == 0 || err == ENOENT || err == ESRCH || err == EBADF || err == EPERM;
}

static int priv_lookup(const char *user, struct priv_target *t, const char **why)
{
	struct passwd *pw;

	if (!user || !*user) {
		*why = "no user name given";
		return -EINVAL;
	}
	errno = 0;
	pw = getpwnam(user);
	if (!pw && priv_not_found(errno)) {
		*why = "unknown user";
		return -ENOENT;
	}
	if (!pw) {
		*why = "cannot look up the user";
		return -errno;
	}
	if (pw->pw_uid == 0) {
		*why = "the user is root";
		return -EINVAL;
	}
	t->uid = pw->pw_uid;
	t->gid = pw->pw_gid;
	return 0;
}

/* keep_net_admin cannot be honoured: without root nothing may change interfaces or routes. */
int priv_drop(const char *user, bool keep_net_admin, const char **why)
{
	struct priv_target t;
	const char *unused;
	int r;

	if (!why)
		why = &unused;
	*why = NULL;
	if (keep_net_admin) {
		*why = "macOS has no capabilities: network administration needs root";
		return -EOPNOTSUPP;
	}
	r = priv_lookup(user, &t, why);
	for (size_t i = 0; r == 0 && i < sizeof(priv_steps) / sizeof(priv_steps[0]); i++) {
		r = priv_steps[i].run(&t);
		if (r < 0)
			*why = priv_steps[i].why;
	}
	return r;
}

int priv_caps(uint64_t *effective, uint64_t *permitted)
{
	*effective = *permitted = 0;
	return -EOPNOTSUPP;
}

/* NetworkManager mode exists only on Linux. */
int priv_parent_death_signal(int sig)
{
	(void)sig;
	return -EOPNOTSUPP;
}
