/* tun.h - the virtual network device (TUN for L3 meshes, TAP for L2), one
 * implementation per platform (tun-linux.c, tun-darwin.c). On Linux packets
 * are read and written on the fd without any packet-information header; on
 * macOS through tun_darwin_read()/tun_darwin_write() below. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define TUN_NAME_MAX 16

struct tun {
	int fd;
	bool tap;
	bool vnet; /* reads and writes carry a virtio_net_hdr (engine/offload.h) */
	unsigned offloads; /* the TUNSETOFFLOAD flags the kernel took (OFFLOAD_F_*) */
	unsigned ifindex;
	char name[TUN_NAME_MAX];
};

/* Creates the device. pattern is an interface name that may contain "%d"
 * (the kernel picks the number), e.g. "tun%d" or "mesh0". The fd is
 * non-blocking and close-on-exec. 0 or -errno.
 * macOS: the device is a utun interface; a pattern with "%d" (or a device
 * path such as /dev/tun0 from an original meshub configuration) gets the
 * first free utunN and "utunN" asks for that one (any other name: -EINVAL,
 * "macOS names its tunnels utunN; use interface = utun%d"). TAP returns
 * -EPROTONOSUPPORT: "TAP needs a kernel extension macOS no longer loads; use
 * type = tun". */
int tun_open(struct tun *t, const char *pattern, bool tap);
/* A TUN device with TCP segmentation offload: reads may return TCP super
 * packets of up to 64 KiB and writes may pass coalesced ones, each behind a
 * 10-byte virtio_net_hdr; with uso, UDP ones too where the kernel has them
 * (6.2+; t->offloads says). -errno if the platform or kernel cannot. */
int tun_open_offload(struct tun *t, const char *pattern, bool uso);
void tun_close(struct tun *t);

/* macOS only (tun-darwin.c): every packet on a utun fd carries a 4-byte
 * address-family header (utun-frame.h). These read one packet into buf and
 * write one, both as plain IP, adding and checking the header; the device
 * layer calls them where Linux reads and writes the fd directly. The number
 * of packet bytes, or -errno: -EAGAIN when nothing is queued, -EMSGSIZE for a
 * packet longer than cap (dropped), -EBADMSG for a header that does not match
 * the packet, -EAFNOSUPPORT for a packet that is neither IPv4 nor IPv6. */
ssize_t tun_darwin_read(struct tun *t, void *buf, size_t cap);
ssize_t tun_darwin_write(struct tun *t, const void *pkt, size_t len);
