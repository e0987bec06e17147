/* node.h - a running meshub node, composed of its layers: the packet
 * layers around struct mesh (transport, device, peers, edges, handshakes,
 * forwarding, members exchange), our advert, the hubs, LAN discovery, the
 * peer cache and the control socket. node.c only wires them together and
 * runs the once-a-second housekeeping. */
#pragma once

#include "control.h"
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
};

struct node {
	struct mesh m;
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
	struct io dev_io, udp4_io, udp6_io;
	struct timer t_maint;
	char cache_path[PATH_MAX]; /* "" = no peer cache */
	uint64_t cache_saved, gossiped;
	bool running;
};

int node_init(struct node *n, struct loop *loop, struct conf *cfg, const struct node_options *opt);
/* Says goodbye to the hubs and writes the peer cache. */
void node_leave(struct node *n);
void node_free(struct node *n);
