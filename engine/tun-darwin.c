/* tun-darwin.c - the TUN device on macOS: one utun interface per PF_SYSTEM kernel-control socket
 * (com.apple.net.utun_control), no kernel extension. The interface lives as long as the socket.
 * Every packet on the socket carries the 4-byte family header of utun-frame.h, which
 * tun_darwin_read() and tun_darwin_write() strip and add. TAP is refused (see tun.h). */
#include "config.h"

#include "tun.h"

#include "darwin-msg.h"
#include "utun-frame.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_utun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/kern_control.h>
#include <sys/socket.h>
#include <sys/sys_domain.h>
#include <sys/uio.h>
#include <unistd.h>

/* darwin-abi.h written down by hand, checked here against the SDK */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "darwin-msg.c writes little-endian fields");
_Static_assert(TUN_NAME_MAX == IFNAMSIZ && IFNAMSIZ == DARWIN_IFNAMSIZ, "interface names");
_Static_assert(PF_SYSTEM == DARWIN_AF_SYSTEM && SYSPROTO_CONTROL == DARWIN_SYSPROTO_CONTROL &&
		       AF_SYS_CONTROL == DARWIN_AF_SYS_CONTROL && AF_INET == DARWIN_AF_INET && AF_INET6 == DARWIN_AF_INET6,
	       "families");
_Static_assert(CTLIOCGINFO == DARWIN_CTLIOCGINFO && MAX_KCTL_NAME == DARWIN_MAX_KCTL_NAME, "CTLIOCGINFO");
_Static_assert(sizeof(struct ctl_info) == sizeof(struct darwin_ctl_info) &&
		       offsetof(struct ctl_info, ctl_name) == offsetof(struct darwin_ctl_info, ctl_name),
	       "struct ctl_info");
_Static_assert(sizeof(struct sockaddr_ctl) == sizeof(struct darwin_sockaddr_ctl) &&
		       offsetof(struct sockaddr_ctl, ss_sysaddr) == offsetof(struct darwin_sockaddr_ctl, ss_sysaddr) &&
		       offsetof(struct sockaddr_ctl, sc_id) == offsetof(struct darwin_sockaddr_ctl, sc_id) &&
		       offsetof(struct sockaddr_ctl, sc_unit) == offsetof(struct darwin_sockaddr_ctl, sc_unit),
	       "struct sockaddr_ctl");
_Static_assert(UTUN_OPT_IFNAME == DARWIN_UTUN_OPT_IFNAME, "UTUN_OPT_IFNAME");

static int tun_darwin_flags(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

/* Connects fd to the utun control at unit and reads back the interface name the kernel chose. */
static int tun_darwin_connect(int fd, uint32_t unit, char name[TUN_NAME_MAX])
{
	union {
		struct ctl_info s;
		uint8_t b[sizeof(struct darwin_ctl_info)];
	} info;
	union {
		struct sockaddr_ctl s;
		uint8_t b[sizeof(struct darwin_sockaddr_ctl)];
	} sc;
	socklen_t len = TUN_NAME_MAX;

	if (darwin_msg_ctl_info(info.b, DARWIN_UTUN_CONTROL_NAME) < 0)
		return -EINVAL;
	if (ioctl(fd, CTLIOCGINFO, &info.s) < 0)
		return -errno;
	darwin_msg_sockaddr_ctl(sc.b, darwin_msg_ctl_id(info.b), unit);
	if (connect(fd, (struct sockaddr *)&sc.s, sizeof(sc.s)) < 0)
		return -errno; /* EBUSY: that utunN exists already */
	memset(name, 0, TUN_NAME_MAX);
	if (getsockopt(fd, SYSPROTO_CONTROL, UTUN_OPT_IFNAME, name, &len) < 0)
		return -errno;
	name[TUN_NAME_MAX - 1] = '\0';
	return 0;
}

int tun_open(struct tun *t, const char *pattern, bool tap)
{
	uint32_t unit;
	int fd, r;

	*t = (struct tun){.fd = -1};
	if (tap)
		return -EPROTONOSUPPORT;
	if (!pattern || darwin_msg_utun_unit(pattern, &unit) < 0)
		return -EINVAL;
	fd = socket(PF_SYSTEM, SOCK_DGRAM, SYSPROTO_CONTROL);
	if (fd < 0)
		return -errno;
	r = tun_darwin_connect(fd, unit, t->name);
	if (r == 0)
		r = tun_darwin_flags(fd);
	if (r == 0 && (t->ifindex = if_nametoindex(t->name)) == 0)
		r = errno ? -errno : -ENODEV;
	if (r < 0) {
		close(fd);
		*t = (struct tun){.fd = -1};
		return r;
	}
	t->fd = fd;
	return 0;
}

/* utun has no virtio_net_hdr offloads. */
int tun_open_offload(struct tun *t, const char *pattern, bool uso)
{
	*t = (struct tun){.fd = -1};
	(void)pattern;
	(void)uso;
	return -EOPNOTSUPP;
}

/* Closing the control socket removes the interface, its addresses and routes. */
void tun_close(struct tun *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	t->ifindex = 0;
}

/* recvmsg rather than readv: a packet longer than cap shows as MSG_TRUNC instead of arriving cut. */
ssize_t tun_darwin_read(struct tun *t, void *buf, size_t cap)
{
	uint8_t hdr[UTUN_FRAME_LEN];
	struct iovec iov[2] = {{.iov_base = hdr, .iov_len = sizeof(hdr)}, {.iov_base = buf, .iov_len = cap}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
	ssize_t n = recvmsg(t->fd, &mh, 0);

	if (n < 0)
		return -errno;
	if (mh.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	if (n < UTUN_FRAME_LEN)
		return -EBADMSG;
	n -= UTUN_FRAME_LEN;
	if (utun_frame_check(hdr, buf, (size_t)n) < 0)
		return -EBADMSG;
	return n;
}

ssize_t tun_darwin_write(struct tun *t, const void *pkt, size_t len)
{
	uint8_t hdr[UTUN_FRAME_LEN];
	struct iovec iov[2] = {{.iov_base = hdr, .iov_len = sizeof(hdr)}, {.iov_base = (void *)pkt, .iov_len = len}};
	ssize_t n;
	int r = utun_frame_put(hdr, pkt, len);

	if (r < 0)
		return r;
	n = writev(t->fd, iov, 2);
	if (n < 0)
		return -errno;
	return n < UTUN_FRAME_LEN ? -EIO : n - UTUN_FRAME_LEN;
}
