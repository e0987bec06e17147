/* udp-sys.h - the platform half of the UDP transport (udp-linux.c,
 * udp-darwin.c): opening a socket with the options meshub wants, UDP GSO
 * (if the platform has it), reading a received datagram's control messages
 * and the error queue. Only udp*.c include it. */
#pragma once

#include "udp.h"

#include <sys/socket.h>

/* Whether the platform coalesces datagrams with UDP GSO at all. */
extern const bool udp_sys_has_gso;
/* A socket of this family with meshub's options, bound to addr: fd or -errno. */
int udp_sys_socket(int family, const struct wire_endpoint *addr);
/* Makes mh one GSO send of seg-byte segments (ctrl: cap bytes of room). */
void udp_sys_gso(struct msghdr *mh, uint8_t *ctrl, size_t cap, uint16_t seg);
/* The segment size of a GRO aggregate (0: one datagram); fills rx->dst and rx->ifindex. */
size_t udp_sys_cmsgs(struct msghdr *mh, struct udp_rx *rx, uint64_t *stamp_ns);
/* Reports what the socket's error queue holds through u->cb.error. */
void udp_sys_errors(struct udp *u, int fd);
