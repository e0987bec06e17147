/* priv.h - giving up root once the device, sockets and addresses are set up: become an unprivileged
 * user, optionally keeping CAP_NET_ADMIN (to change routes later), and make privileges impossible to
 * regain. One implementation per platform (priv-linux.c, priv-darwin.c: macOS has no capabilities and
 * no no_new_privs, see there). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Switches the process to user: its uid and primary gid, no supplementary groups. With keep_net_admin
 * CAP_NET_ADMIN stays effective and permitted, otherwise every capability goes (inheritable, ambient
 * and, as far as the process may, the bounding set too); no_new_privs is set either way. Refuses a user
 * whose uid is 0. Call it before starting threads: capabilities belong to a thread. On failure *why
 * (if why is not NULL) names the step that failed and the caller must exit, as the process may be
 * half-dropped. 0 or -errno. macOS: the same user switch (setgroups to the primary group, setgid,
 * setuid, then a check that root cannot be regained); keep_net_admin gives -EOPNOTSUPP, there being
 * no capabilities. */
int priv_drop(const char *user, bool keep_net_admin, const char **why);
/* The calling thread's effective and permitted capability sets (bit n = capability n). 0 or -errno
 * (-EOPNOTSUPP on macOS). */
int priv_caps(uint64_t *effective, uint64_t *permitted);
/* Asks for sig when the parent process exits (NetworkManager mode: meshubd must not outlive the
 * service that started it); a change of user clears it, so it is set again after priv_drop().
 * 0 or -errno; -EOPNOTSUPP on macOS. */
int priv_parent_death_signal(int sig);

#define PRIV_FALLBACK_USER "nobody"

/* The user to drop to when none is configured: MESHUB_DEFAULT_USER, or
 * PRIV_FALLBACK_USER if that user does not exist (meshub is not installed:
 * the sysusers file that creates it was never applied); *fell_back then
 * says so, for the caller to log. An explicitly configured user that does
 * not exist is an error, never replaced. */
const char *priv_default_user(bool *fell_back);
