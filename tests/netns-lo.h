/* netns-lo.h - for tests that run a fake server on a fixed loopback port:
 * as root, a network namespace of the process's own with its loopback up,
 * so that the port is theirs whatever else runs on the machine (without
 * root nothing changes, and such tests skip if the port is taken). */
#pragma once

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static inline void private_loopback(void)
{
	struct ifreq ifr = {.ifr_name = "lo"};
	int fd;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0)
		return;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		(void)ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	if (fd >= 0)
		close(fd);
}
