/* priv-linux.c - dropping root on Linux: setgroups/setresgid/setresuid, capabilities through the raw
 * capget/capset system calls (no libcap), the bounding and ambient sets, and no_new_privs. */
#include "config.h"

#include "priv.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PRIV_CAP(c) (UINT64_C(1) << (c))
#define PRIV_CAP_SLOTS 64 /* capability numbers a 64-bit mask can name */

struct priv_target {
	uid_t uid;
	gid_t gid;
	uint64_t keep; /* capabilities left effective and permitted */
};

struct priv_step {
	const char *why; /* what went wrong if run() fails */
	int (*run)(const struct priv_target *t);
};

static int priv_capset(uint64_t effective, uint64_t permitted)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {
		{.effective = (uint32_t)effective, .permitted = (uint32_t)permitted},
		{.effective = (uint32_t)(effective >> 32), .permitted = (uint32_t)(permitted >> 32)},
	};

	return syscall(SYS_capset, &hdr, data) < 0 ? -errno : 0;
}

int priv_caps(uint64_t *effective, uint64_t *permitted)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {{0}};

	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	*effective = (uint64_t)data[1].effective << 32 | data[0].effective;
	*permitted = (uint64_t)data[1].permitted << 32 | data[0].permitted;
	return 0;
}

/* Needs CAP_SETPCAP, so it runs while still root. Without it (started unprivileged with file
 * capabilities) the set stays as it is: no_new_privs already stops execve from gaining anything. */
static int priv_bounding(const struct priv_target *t)
{
	for (unsigned long cap = 0; cap < PRIV_CAP_SLOTS; cap++) {
		if (t->keep & PRIV_CAP(cap))
			continue;
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0)
			break; /* past the kernel's last capability */
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EPERM)
				break;
			return -errno;
		}
	}
	return 0;
}

static int priv_ambient(const struct priv_target *t)
{
	(void)t;
	/* EINVAL: a kernel without ambient capabilities (before 4.3) has none to clear */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;
	return 0;
}

static int priv_keepcaps(const struct priv_target *t)
{
	return prctl(PR_SET_KEEPCAPS, t->keep ? 1 : 0, 0, 0, 0) < 0 ? -errno : 0;
}

static int priv_groups(const struct priv_target *t)
{
	(void)t;
	return setgroups(0, NULL) < 0 ? -errno : 0;
}

static int priv_gid(const struct priv_target *t)
{
	return setresgid(t->gid, t->gid, t->gid) < 0 ? -errno : 0;
}

static int priv_uid(const struct priv_target *t)
{
	return setresuid(t->uid, t->uid, t->uid) < 0 ? -errno : 0;
}

/* After setresuid the effective set is empty and, with keepcaps, the permitted set still full: raise
 * what is kept, clear the rest (the inheritable set too), and stop keeping capabilities across setuid. */
static int priv_capabilities(const struct priv_target *t)
{
	int r = priv_capset(t->keep, t->keep);

	if (r == 0 && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		r = -errno;
	return r;
}

static int priv_no_new_privs(const struct priv_target *t)
{
	(void)t;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? -errno : 0;
}

/* Trust nothing above: check every id, and that root cannot be regained (if setuid(0) worked the
 * process is root again and the caller exits). */
static int priv_verify(const struct priv_target *t)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	uint64_t eff, prm;

	if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0)
		return -errno;
	if (ruid != t->uid || euid != t->uid || suid != t->uid || rgid != t->gid || egid != t->gid ||
	    sgid != t->gid || getgroups(0, NULL) != 0)
		return -EPERM;
	if (setuid(0) == 0 || seteuid(0) == 0 || (t->gid != 0 && setgid(0) == 0))
		return -EPERM;
	if (priv_caps(&eff, &prm) < 0 || eff != t->keep || prm != t->keep)
		return -EPERM;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return -EPERM;
	return 0;
}

/* In this order: the bounding set needs CAP_SETPCAP, setresgid needs to run before setresuid, and
 * keepcaps must be set before setresuid for CAP_NET_ADMIN to survive it. */
static const struct priv_step priv_steps[] = {
	{"cannot limit the capability bounding set", priv_bounding},
	{"cannot clear the ambient capabilities", priv_ambient},
	{"cannot set PR_SET_KEEPCAPS", priv_keepcaps},
	{"cannot drop the supplementary groups", priv_groups},
	{"cannot change the group id", priv_gid},
	{"cannot change the user id", priv_uid},
	{"cannot set the capabilities", priv_capabilities},
	{"cannot set no_new_privs", priv_no_new_privs},
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

int priv_drop(const char *user, bool keep_net_admin, const char **why)
{
	struct priv_target t = {.keep = keep_net_admin ? PRIV_CAP(CAP_NET_ADMIN) : 0};
	const char *unused;
	int r;

	if (!why)
		why = &unused;
	*why = NULL;
	r = priv_lookup(user, &t, why);
	for (size_t i = 0; r == 0 && i < sizeof(priv_steps) / sizeof(priv_steps[0]); i++) {
		r = priv_steps[i].run(&t);
		if (r < 0)
			*why = priv_steps[i].why;
	}
	return r;
}

int priv_parent_death_signal(int sig)
{
	return prctl(PR_SET_PDEATHSIG, (unsigned long)sig, 0, 0, 0) < 0 ? -errno : 0;
}
