/* setup.h - bringing a node up around its packet layers: its identity (the
 * key file), host name, state directory, automatic MTU, the device's MTU,
 * addresses and routes (netlink, or the original [scripts] hooks), and
 * giving up root once all that is done. */
#pragma once

#include "conf.h"
#include "device.h"
#include "keys.h"
#include "wire.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

int setup_identity(const struct conf *cfg, const char *conf_name, struct identity *id);
void setup_hostname(const struct conf *cfg, char out[WIRE_HOSTNAME_MAX + 1]);
/* The device MTU when none is configured: the underlay's (towards the first
 * hub, never over a loopback or local route) minus meshub's overhead. */
unsigned setup_auto_mtu(const struct conf *cfg);
int setup_configure_device(const struct conf *cfg, const struct device *dev, unsigned mtu, const char *hostname);
/* The directory for the peer cache, created and (as root) handed to the
 * user the daemon will run as; its cache file's path goes to path. */
int setup_state_dir(const struct conf *cfg, const char *conf_name, char *path, size_t cap);
int setup_drop_privileges(const struct conf *cfg);
/* [socket] port not set: the port remembered in <state dir>/<conf_name>.port
 * if it is free, else 3731 (the original meshub's) if free, else the first
 * free one of a sequence derived from seed (the network id), so that every
 * mesh of a machine gets a port of its own that stays the same across
 * restarts. The choice goes into cfg->port and the file. */
/* Once the daemon runs as [vpn] user it cannot read its (root-only)
 * configuration file any more, so a SIGHUP reload asks a helper forked at
 * the very start, before anything secret is in memory: it stays root, holds
 * no descriptor but its end of a socket pair (and stderr), and does one
 * thing: read that one file again and send its bytes. It exits when the
 * daemon does. */
struct setup_reader {
	int fd; /* -1: none, read the file directly */
	pid_t pid;
};

int setup_reader_start(struct setup_reader *r, const char *path);
/* The file's text (malloc()ed, NUL-terminated; wipe and free it): 0, or
 * -errno as open/read gave it. */
int setup_reader_read(struct setup_reader *r, const char *path, char **text, size_t *len);
void setup_reader_stop(struct setup_reader *r);

int setup_pick_port(struct conf *cfg, const char *conf_name, const uint8_t seed[2]);
