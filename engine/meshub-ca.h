/* meshub-ca.h - the CA-network commands of the meshub tool, for its command
 * table: `meshub ca init|sign|revoke|crl` (meshub-ca.c), `meshub cert show`,
 * `meshub pubkey` and `meshub crl load` (meshub-cert.c). Each takes the
 * arguments after "meshub" (argv[0] is the command's name) and returns the
 * exit status: 0 ok, 1 failed, 2 bad usage. */
#pragma once

int cmd_ca(int argc, char **argv);
int cmd_cert(int argc, char **argv);
int cmd_pubkey(int argc, char **argv);
int cmd_crl(int argc, char **argv);
