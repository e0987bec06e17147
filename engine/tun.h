/* tun.h - the virtual network device (TUN for L3 meshes, TAP for L2), one
 * implementation per platform (tun-linux.c, tun-darwin.c). Packets are read
 * and written without any packet-information header. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define TUN_NAME_MAX 16

struct tun {
	int fd;
	bool tap;
	bool vnet; /* reads and writes carry a virtio_net_hdr (engine/offload.h) */
	unsigned ifindex;
	char name[TUN_NAME_MAX];
};

/* Creates the device. pattern is an interface name that may contain "%d"
 * (the kernel picks the number), e.g. "tun%d" or "mesh0". The fd is
 * non-blocking and close-on-exec. 0 or -errno. */
int tun_open(struct tun *t, const char *pattern, bool tap);
/* A TUN device with TCP segmentation offload: reads may return TCP super
 * packets of up to 64 KiB and writes may pass coalesced ones, each behind a
 * 10-byte virtio_net_hdr. -errno if the platform or kernel cannot. */
int tun_open_offload(struct tun *t, const char *pattern);
void tun_close(struct tun *t);
