/* meshub.c - the command-line tool: a table of subcommands and main(). */
#include "config.h"

#include "keys.h"
#include "meshub-ca.h"
#include "meshub-status.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

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

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{"genkey", cmd_genkey, "print a new network key (PSK) for [encryption] psk"},
	{"status", cmd_status, "show running meshes: [INTERFACE | CONNECTION] [--json] [--socket PATH]"},
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
		fprintf(stderr, "usage: meshub COMMAND [ARGS] (meshub help lists the commands)\n");
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("meshub %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "meshub: unknown command '%s' (try: meshub help)\n", argv[1]);
	return 2;
}
