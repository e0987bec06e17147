/* meshub-status.c - `meshub status`: finds every running node, standalone
 * (MESHUB_RUNSTATEDIR/IFNAME.sock) and NetworkManager's (nm/UUID.sock with
 * the connection's name in nm/UUID.name), asks each for its status and
 * prints it as text or as one JSON document. */
#include "config.h"

#include "control.h"
#include "meshub-status.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define STATUS_MAX (1u << 20) /* the control socket never answers more */
#define NM_NAME_MAX 255
#define MESHES_MAX 256

struct mesh_sock {
	char path[PATH_MAX];
	char iface[64];		     /* standalone: the socket's name; NM: "" */
	char uuid[64];		     /* NetworkManager's connection UUID, "" for standalone */
	char nm_name[NM_NAME_MAX + 1]; /* NetworkManager's connection name, "" for standalone */
};

struct answer {
	char *buf;
	size_t len;
};

static const char *nm_dir(char *buf, size_t cap)
{
	const char *env = getenv("MESHUB_NM_RUNDIR");

	if (env && env[0] == '/')
		return env;
	snprintf(buf, cap, "%s/nm", CONTROL_DIR);
	return buf;
}

static void denied(const char *what)
{
	fprintf(stderr, "meshub: %s: permission denied: run as root (the control sockets are root-only)\n", what);
}

/* The connection's name from the sidecar file the NetworkManager service
 * writes next to the socket; printable characters only. */
static void read_nm_name(const char *dir, struct mesh_sock *s)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s.name", dir, s->uuid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	n = read(fd, s->nm_name, sizeof(s->nm_name) - 1);
	close(fd);
	s->nm_name[n > 0 ? n : 0] = '\0';
	s->nm_name[strcspn(s->nm_name, "\n")] = '\0';
	for (char *p = s->nm_name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

/* Adds every NAME.sock of dir; nm: dir is NetworkManager's. 0, or -errno
 * if the directory cannot be read (ENOENT: no node ever ran). */
static int scan_dir(const char *dir, bool nm, struct mesh_sock *list, unsigned *n)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	while ((de = readdir(d)) && *n < MESHES_MAX) {
		size_t len = strlen(de->d_name);
		struct mesh_sock *s = &list[*n];

		if (len < 6 || len - 5 >= sizeof(s->iface) || strcmp(de->d_name + len - 5, ".sock"))
			continue;
		memset(s, 0, sizeof(*s));
		snprintf(s->path, sizeof(s->path), "%s/%s", dir, de->d_name);
		memcpy(nm ? s->uuid : s->iface, de->d_name, len - 5);
		if (nm)
			read_nm_name(dir, s);
		(*n)++;
	}
	closedir(d);
	return 0;
}

/* Every mesh of this machine; 0, 1 after an error message, 2 if none runs
 * (also said). */
static int find_meshes(struct mesh_sock *list, unsigned *n)
{
	char buf[PATH_MAX];
	const char *nm = nm_dir(buf, sizeof(buf));
	int r1 = scan_dir(CONTROL_DIR, false, list, n);
	int r2 = scan_dir(nm, true, list, n);

	if (r1 == -EACCES || r2 == -EACCES) {
		denied(r1 == -EACCES ? CONTROL_DIR : nm);
		return 1;
	}
	if (*n == 0) {
		fprintf(stderr, "meshub: no meshubd is running (no control socket in %s or %s); start one with: "
			"meshubd CONFIG, or nmcli connection up NAME\n", CONTROL_DIR, nm);
		return 2;
	}
	return 0;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "meshub: control socket path too long: %s\n", path);
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
		fprintf(stderr, "meshub: no meshubd is running for %s (start one with: meshubd CONFIG)\n", path);
	else if (err == EACCES || err == EPERM)
		denied(path);
	else
		fprintf(stderr, "meshub: cannot connect to %s: %s\n", path, strerror(err));
	return -1;
}

/* Asks one node for its status; the whole answer, NUL-terminated. */
static int query(const char *path, bool json, struct answer *a)
{
	const char *req = json ? "status json\n" : "status\n";
	size_t cap = 8192;
	ssize_t n = 0;
	int fd = connect_to(path);

	a->len = 0;
	a->buf = NULL;
	if (fd < 0)
		return 1;
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req) || !(a->buf = malloc(cap))) {
		close(fd);
		fprintf(stderr, "meshub: %s: cannot send the request\n", path);
		return 1;
	}
	while ((n = read(fd, a->buf + a->len, cap - a->len - 1)) > 0) {
		a->len += (size_t)n;
		if (a->len + 1 == cap && cap < STATUS_MAX) {
			char *bigger = realloc(a->buf, cap * 2);
			if (!bigger)
				break;
			a->buf = bigger;
			cap *= 2;
		}
	}
	close(fd);
	a->buf[a->len] = '\0';
	if (!strncmp(a->buf, "error:", 6) || (json && (a->len < 2 || a->buf[0] != '{'))) {
		fprintf(stderr, "meshub: %s answered: %.200s\n", path, a->len ? a->buf : "nothing");
		return 1;
	}
	return 0;
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* The node's object with what only this tool knows added before its last
 * '}': the NetworkManager connection it belongs to, if any. */
static void print_json(const struct mesh_sock *s, const struct answer *a)
{
	const char *end = strrchr(a->buf, '}');

	fwrite(a->buf, 1, (size_t)(end - a->buf), stdout);
	printf(",\"nm_connection\":");
	if (s->uuid[0]) {
		printf("{\"name\":");
		json_string(stdout, s->nm_name);
		printf(",\"uuid\":");
		json_string(stdout, s->uuid);
		printf("}");
	} else {
		printf("null");
	}
	printf("}");
}

static void print_text(const struct mesh_sock *s, const struct answer *a)
{
	if (s->uuid[0])
		printf("NetworkManager connection: %s (%s)\n", s->nm_name[0] ? s->nm_name : "?", s->uuid);
	fwrite(a->buf, 1, a->len, stdout);
}

static int show(const struct mesh_sock *s, bool json)
{
	struct answer a;
	int ret = query(s->path, json, &a);

	if (ret == 0)
		json ? print_json(s, &a) : print_text(s, &a);
	free(a.buf);
	return ret;
}

/* All meshes: one JSON array, or the texts separated by blank lines. */
static int show_all(bool json)
{
	static struct mesh_sock list[MESHES_MAX];
	unsigned n = 0, shown = 0;
	int ret = find_meshes(list, &n);

	if (ret == 2 && json)
		printf("[]\n"); /* still one document: no mesh */
	if (ret)
		return 1;
	if (json)
		printf("[");
	for (unsigned i = 0; i < n; i++) {
		struct answer a;

		if (query(list[i].path, json, &a) == 0) {
			if (shown++)
				printf(json ? "," : "\n");
			json ? print_json(&list[i], &a) : print_text(&list[i], &a);
		} else {
			ret = 1;
		}
		free(a.buf);
	}
	if (json)
		printf("]\n");
	return ret;
}

/* INTERFACE, NetworkManager connection name or UUID. */
static int show_one(const char *name, bool json)
{
	static struct mesh_sock list[MESHES_MAX];
	unsigned n = 0;
	int ret = find_meshes(list, &n);

	if (ret)
		return 1;
	for (unsigned i = 0; i < n; i++) {
		const struct mesh_sock *s = &list[i];

		if (!strcmp(s->iface, name) || (s->uuid[0] && (!strcmp(s->uuid, name) || !strcmp(s->nm_name, name)))) {
			ret = show(s, json);
			if (json && ret == 0)
				printf("\n");
			return ret;
		}
	}
	fprintf(stderr, "meshub: no running mesh is called '%.80s' (an interface or a NetworkManager connection); "
		"meshub status lists them all\n", name);
	return 1;
}

int cmd_status(int argc, char **argv)
{
	const char *name = NULL, *socket_path = NULL;
	bool json = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--socket") && i + 1 < argc) {
			socket_path = argv[++i];
		} else if (argv[i][0] != '-' && !name) {
			name = argv[i];
		} else {
			fprintf(stderr, "usage: meshub status [INTERFACE | CONNECTION] [--json] [--socket PATH]\n");
			return 2;
		}
	}
	if (socket_path) {
		struct mesh_sock s = {0};
		int ret;

		snprintf(s.path, sizeof(s.path), "%s", socket_path);
		ret = show(&s, json);
		if (json && ret == 0)
			printf("\n");
		return ret;
	}
	return name ? show_one(name, json) : show_all(json);
}
