/* tun-linux.c - the TUN/TAP device on Linux: one non-persistent interface per open /dev/net/tun fd. */
#include "config.h"

#include "tun.h"

#include "offload.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

_Static_assert(TUN_NAME_MAX == IFNAMSIZ, "struct tun holds a kernel interface name");
_Static_assert(OFFLOAD_F_CSUM == TUN_F_CSUM && OFFLOAD_F_TSO4 == TUN_F_TSO4 && OFFLOAD_F_TSO6 == TUN_F_TSO6 &&
		       OFFLOAD_F_TSO_ECN == TUN_F_TSO_ECN,
	       "engine/offload.h has the kernel's TUNSETOFFLOAD flags");
#ifdef TUN_F_USO4
_Static_assert(OFFLOAD_F_USO4 == TUN_F_USO4 && OFFLOAD_F_USO6 == TUN_F_USO6, "the USO flags of Linux 6.2");
#endif

static int set_offload(void *ctx, unsigned flags)
{
	return ioctl(*(int *)ctx, TUNSETOFFLOAD, (unsigned long)flags) < 0 ? -errno : 0;
}

/* The virtio header and the offloads: TCP, and UDP where the kernel has it
 * (6.2+; 6.1 refuses the USO flags and gets TCP only). */
static int vnet_setup(struct tun *t, int fd, bool uso)
{
	int hdr = OFFLOAD_HDR_LEN, r;

	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0)
		return -errno;
	r = offload_negotiate(set_offload, &fd, OFFLOAD_F_TCP | (uso ? OFFLOAD_F_USO : 0), &t->offloads);
	if (r < 0)
		return r;
	t->vnet = true;
	return 0;
}

static int tun_create(struct tun *t, const char *pattern, bool tap, bool vnet, bool uso)
{
	size_t len = pattern ? strnlen(pattern, IFNAMSIZ) : 0;
	struct ifreq ifr;
	int fd, r;

	t->fd = -1;
	t->tap = tap;
	t->vnet = false;
	t->offloads = 0;
	t->ifindex = 0;
	t->name[0] = '\0';
	if (len == 0 || len >= IFNAMSIZ)
		return -EINVAL;
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, pattern, len);
	ifr.ifr_flags = (short)((tap ? IFF_TAP : IFF_TUN) | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		r = -errno;
		goto fail;
	}
	if (vnet && (r = vnet_setup(t, fd, uso)) < 0)
		goto fail;
	/* the kernel wrote back the real name ("%d" replaced) */
	ifr.ifr_name[IFNAMSIZ - 1] = '\0';
	t->ifindex = if_nametoindex(ifr.ifr_name);
	if (t->ifindex == 0) {
		r = errno ? -errno : -ENODEV;
		goto fail;
	}
	memcpy(t->name, ifr.ifr_name, IFNAMSIZ);
	t->fd = fd;
	return 0;
fail:
	close(fd);
	t->ifindex = 0;
	t->vnet = false;
	t->offloads = 0;
	return r;
}

/* Every read returns exactly one packet and every write takes one, with no
 * header in front. */
int tun_open(struct tun *t, const char *pattern, bool tap)
{
	return tun_create(t, pattern, tap, false, false);
}

int tun_open_offload(struct tun *t, const char *pattern, bool uso)
{
	return tun_create(t, pattern, false, true, uso);
}

/* Closing the last fd of a non-persistent device removes the interface. */
void tun_close(struct tun *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	t->ifindex = 0;
}
