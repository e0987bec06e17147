/* peercache.h - the peer cache: for each member we had an edge to, its
 * sealed advert and where it last worked, kept in a file (mode 0600,
 * replaced atomically) so that a node that restarts reaches its peers
 * again without any hub. The adverts stay sealed (only members can open
 * them); an entry that does not open with this network's key is skipped. */
#pragma once

#include "mesh.h"

#define PEERCACHE_MAX_AGE (7ULL * 24 * 3600) /* seconds: older entries are forgotten */

/* Reads path and hands every usable entry to discovery. Returns the number
 * of peers learned, 0 if there is no file, or a negative errno (with *why). */
int peercache_load(struct mesh *m, const char *path, const char **why);
/* Writes the members with an advert that were up recently. 0 or -errno. */
int peercache_save(const struct mesh *m, const char *path);
