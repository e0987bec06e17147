/* priv-user.c - which user the daemons become when none is configured: the
 * build's own (MESHUB_DEFAULT_USER, created by systemd-sysusers from
 * meshub.conf when meshub is installed), or nobody where it does not exist
 * yet (a build run from its tree, before make install). */
#include "config.h"

#include "priv.h"

#include <pwd.h>
#include <stddef.h>

const char *priv_default_user(bool *fell_back)
{
	*fell_back = getpwnam(MESHUB_DEFAULT_USER) == NULL && getpwnam(PRIV_FALLBACK_USER) != NULL;
	return *fell_back ? PRIV_FALLBACK_USER : MESHUB_DEFAULT_USER;
}
