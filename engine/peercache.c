/* peercache.c - reading and writing the peer cache (see peercache.h). */
#include "config.h"

#include "peercache.h"

#include "discovery.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_FILE_MAX (WIRE_CACHE_HDR_LEN + WIRE_CACHE_MAX_ENTRIES * (8 + 19 + 2 + WIRE_ADVERT_SEALED_MAX))

static int read_file(const char *path, uint8_t **out, size_t *len, const char **why)
{
	struct stat st;
	uint8_t *buf;
	ssize_t r;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return errno == ENOENT ? 0 : (*why = "cannot open it", -errno);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > CACHE_FILE_MAX) {
		close(fd);
		*why = "not a regular file of a sensible size";
		return -EINVAL;
	}
	if ((st.st_uid != geteuid() && st.st_uid != 0) || (st.st_mode & 022)) {
		close(fd);
		*why = "others may write it (it must belong to root or this daemon's user, mode 0600)";
		return -EPERM;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size && (r = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)r;
	close(fd);
	*out = buf;
	*len = got;
	return 1;
}

int peercache_load(struct mesh *m, const char *path, const char **why)
{
	uint64_t wall = loop_realtime() / NSEC_PER_SEC;
	struct wire_cache c;
	struct wire_cache_entry e;
	uint8_t *buf = NULL;
	size_t len = 0, off = 0;
	int ret, learned = 0;

	*why = "";
	ret = read_file(path, &buf, &len, why);
	if (ret <= 0)
		return ret;
	if (wire_cache_decode(buf, len, &c) < 0) {
		free(buf);
		*why = "not a meshub peer cache (or damaged): it will be rewritten";
		return -EBADMSG;
	}
	while (wire_cache_next(&c, &off, &e) == 1) {
		struct discovery_news n = {.advert = e.advert,
					   .advert_len = e.advert_len,
					   .seen_at = e.endpoint.family ? &e.endpoint : NULL,
					   .origin = EDGE_FROM_CACHE,
					   .punch = true};
		enum drop_reason drop;
		struct peer *p;
		if (e.last_seen + PEERCACHE_MAX_AGE < wall)
			continue;
		p = discovery_learn(m, &n, &drop);
		if (p) {
			p->cache_seen = e.last_seen;
			learned++;
		}
	}
	free(buf);
	return learned;
}

/* When p was last reached, in seconds since the epoch (0: never). */
static uint64_t last_seen(const struct peer *p, uint64_t now, uint64_t wall)
{
	if (p->edge.last_rx && p->edge.ever_up)
		return wall - (now - p->edge.last_rx) / NSEC_PER_SEC;
	return p->cache_seen;
}

static size_t encode(const struct mesh *m, uint8_t *buf, size_t cap)
{
	uint64_t now = loop_now(), wall = loop_realtime() / NSEC_PER_SEC;
	size_t len = wire_cache_begin(buf, cap);

	for (unsigned i = 0; i < m->peers.n && len; i++) {
		const struct peer *p = m->peers.list[i];
		const struct wire_endpoint *ep = edge_endpoint(&p->edge);
		struct wire_cache_entry e = {.last_seen = last_seen(p, now, wall),
					     .advert = p->advert,
					     .advert_len = p->advert_len};
		if (!p->advert_len || !e.last_seen || e.last_seen + PEERCACHE_MAX_AGE < wall)
			continue;
		if (ep)
			e.endpoint = *ep;
		if (wire_cache_add(buf, cap, &len, &e) < 0)
			break;
	}
	return len;
}

int peercache_save(const struct mesh *m, const char *path)
{
	char tmp[PATH_MAX];
	size_t cap = CACHE_FILE_MAX, len, off = 0;
	uint8_t *buf = malloc(cap);
	int fd, ret = 0;

	if (!buf)
		return -ENOMEM;
	len = encode(m, buf, cap);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		free(buf);
		return -ENAMETOOLONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	while (off < len && ret == 0) {
		ssize_t w = write(fd, buf + off, len - off);
		if (w < 0 && errno != EINTR)
			ret = -errno;
		else if (w > 0)
			off += (size_t)w;
	}
	if (ret == 0 && (fchmod(fd, 0600) < 0 || fsync(fd) < 0))
		ret = -errno;
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
	if (ret < 0)
		unlink(tmp);
	free(buf);
	return ret;
}
