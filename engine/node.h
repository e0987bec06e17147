/* node.h - a running meshub node, composed of its layers: the packet
 * layers around struct mesh (transport, device, peers, edges, handshakes,
 * forwarding, members exchange), our advert, the hubs, LAN discovery, the
 * peer cache, the DNS server for the members' names and the control
 * socket. node.c only wires them together and
 * runs the once-a-second housekeeping. */
#pragma once

#include "control.h"
#include "dnsd.h"
#include "edgerun.h"
#include "forward.h"
#include "gossip.h"
#include "hubclient.h"
#include "lan.h"
#include "mesh.h"
#include "natrun.h"
#include "portmap.h"
#include "receive.h"
#include "selfadvert.h"

#include <limits.h>
#include <stdbool.h>

struct node_options {
	const char *conf_name; /* the config file's name: default key and state names */
	bool nm_mode;	       /* NetworkManager configures the device */
	int ready_fd;	       /* "READY ifname=... mtu=..." goes here once running; -1 none */
	int device_fd;	       /* a device handed over (socketpair): -1 = create TUN/TAP */
	int verbosity;	       /* -v/-q on top of [vpn] log_level */
	bool psk_from_fd;      /* the key came over a pipe: a reloaded file has none */
};

struct node {
	struct mesh m;
	struct conf *cfg; /* m.cfg, writable: node_reload() changes what may change live */
	struct node_options opt;
	struct selfadvert self;
	struct gossip_self gself;
	struct forward fwd;
	struct edgerun run;
	struct receive recv;
	struct hubclient hubs;
	struct lan lan;
	struct natrun nat;	/* port-prediction rounds and their sockets */
	struct portmap pmap;	/* a port mapping on the gateway */
	struct control control;
	struct dnsd dns; /* the members' names on our mesh addresses ([vpn] dns) */
	struct io dev_io, udp4_io, udp6_io;
	struct timer t_maint;
	char cache_path[PATH_MAX]; /* "" = no peer cache */
	uint64_t cache_saved, gossiped;
	char reported_hint[384]; /* the hint last written to NetworkManager's service */
	bool running;
};

/* What node_init() would refuse in a configuration before doing anything
 * (no key, ...): 0 or -EINVAL, logged with the same words. meshubd --check. */
int node_check_config(const struct conf *cfg, const struct node_options *opt);
/* The log level of cfg with -v/-q on top. */
void node_set_log_level(const struct conf *cfg, int verbosity);

int node_init(struct node *n, struct loop *loop, struct conf *cfg, const struct node_options *opt);
/* SIGHUP: applies what can change while running from a freshly read
 * configuration (log level, hubs, advert interval, keepalive and timeout,
 * LAN ports, host name, subnets, DNS) without touching edges or sessions,
 * and logs every other change as needing a restart. Returns how many
 * changes need a restart. fresh is the caller's (conf_free() it after). */
int node_reload(struct node *n, struct conf *fresh);
/* Says goodbye to the hubs and writes the peer cache. */
void node_leave(struct node *n);
void node_free(struct node *n);
