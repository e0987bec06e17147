/* meshub.c - the command-line tool: a table of subcommands and main(). */
#include "config.h"

#include "control.h"
#include "keys.h"
#include "meshub-ca.h"

#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

static int cmd_genkey(int argc, char **argv)
{
	char key[KEYS_B64_LEN + 1];

	if (argc > 1) {
		fprintf(stderr, "usage: meshub genkey\n");
		return 2;
	}
	keys_generate_psk(key);
	printf("%s\n", key);
	sodium_memzero(key, sizeof(key));
	return 0;
}

/* Asks one daemon for its status and copies the answer to stdout. */
static int query(const char *path, bool json)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	const char *req = json ? "status json\n" : "status\n";
	char buf[4096];
	ssize_t n;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "meshub: control socket path too long: %s\n", path);
		return 1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int err = errno;
		if (fd >= 0)
			close(fd);
		if (err == ENOENT || err == ECONNREFUSED)
			fprintf(stderr, "meshub: no meshubd is running for %s (start one with: meshubd CONFIG)\n", path);
		else if (err == EACCES)
			fprintf(stderr, "meshub: %s: permission denied (the control socket is root-only: use sudo)\n", path);
		else
			fprintf(stderr, "meshub: cannot connect to %s: %s\n", path, strerror(err));
		return 1;
	}
	if (write(fd, req, strlen(req)) < 0) {
		close(fd);
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	close(fd);
	return 0;
}

static int cmd_status(int argc, char **argv)
{
	const char *iface = NULL, *socket_path = NULL;
	char path[PATH_MAX];
	bool json = false;
	struct dirent *de;
	DIR *d;
	int found = 0, ret = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--socket") && i + 1 < argc)
			socket_path = argv[++i];
		else if (argv[i][0] != '-' && !iface)
			iface = argv[i];
		else {
			fprintf(stderr, "usage: meshub status [INTERFACE] [--json] [--socket PATH]\n");
			return 2;
		}
	}
	if (socket_path)
		return query(socket_path, json);
	if (iface) {
		snprintf(path, sizeof(path), "%s/%.80s.sock", CONTROL_DIR, iface);
		return query(path, json);
	}
	/* every running node, like `wg show` */
	d = opendir(CONTROL_DIR);
	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".sock"))
			continue;
		snprintf(path, sizeof(path), "%s/%.80s", CONTROL_DIR, de->d_name);
		if (found++ && !json)
			printf("\n");
		ret |= query(path, json);
	}
	if (d)
		closedir(d);
	if (!found) {
		fprintf(stderr, "meshub: no meshubd is running (no control socket in %s)\n", CONTROL_DIR);
		return 1;
	}
	return ret;
}

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{"genkey", cmd_genkey, "print a new network key (PSK) for [encryption] psk"},
	{"status", cmd_status, "show running nodes: [INTERFACE] [--json] [--socket PATH]"},
	{"ca", cmd_ca, "CA networks: init DIR | sign DIR ... | revoke DIR ... | crl DIR (meshub ca help)"},
	{"cert", cmd_cert, "show FILE [--json] [--ca CAFILE]: a certificate or revocation list in words"},
	{"pubkey", cmd_pubkey, "KEYFILE: the public key of a node key file (created if missing)"},
	{"crl", cmd_crl, "load FILE [INTERFACE]: hand a revocation list to a running node"},
	{"help", cmd_help, "show this help"},
};

static int cmd_help(int argc, char **argv)
{
	printf("usage: meshub COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].help);
	return 0;
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "meshub: libsodium failed to initialise\n");
		return 1;
	}
	if (argc < 2) {
		cmd_help(0, NULL);
		return 2;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("meshub %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "meshub: unknown command '%s' (try: meshub help)\n", argv[1]);
	return 2;
}
