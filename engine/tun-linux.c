/* tun-linux.c - the TUN/TAP device on Linux: one non-persistent interface per open /dev/net/tun fd. */
#include "config.h"

#include "tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

_Static_assert(TUN_NAME_MAX == IFNAMSIZ, "struct tun holds a kernel interface name");

/* Offloads (IFF_VNET_HDR, TUNSETOFFLOAD) are deliberately not requested: every read returns exactly one
 * packet and every write takes one, with no header in front. */
int tun_open(struct tun *t, const char *pattern, bool tap)
{
	size_t len = pattern ? strnlen(pattern, IFNAMSIZ) : 0;
	struct ifreq ifr;
	int fd, r;

	t->fd = -1;
	t->tap = tap;
	t->ifindex = 0;
	t->name[0] = '\0';
	if (len == 0 || len >= IFNAMSIZ)
		return -EINVAL;
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, pattern, len);
	ifr.ifr_flags = (short)((tap ? IFF_TAP : IFF_TUN) | IFF_NO_PI);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		r = -errno;
		goto fail;
	}
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
	return r;
}

/* Closing the last fd of a non-persistent device removes the interface. */
void tun_close(struct tun *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	t->ifindex = 0;
}
