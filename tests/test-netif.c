/* test-netif.c - interface configuration and route queries over rtnetlink, in a private network namespace
 * with a veth pair: up/down, MTU, addresses, routes, path and default MTU, errors. Needs root (else
 * skips); runs `ip` only inside the private namespace, to create the veth pair and routes with an MTU. */
#include "config.h"

#include "check-netns.h"
#include "check.h"
#include "netif.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_TIMEOUT_SEC 60
#define VA "mhva"
#define VB "mhvb"
#define VA_MTU 1400
#define VB_MTU 1350

static unsigned va, vb;


/* Runs `ip ARGS...` (we are inside the private namespace, so it only changes that); its exit status. */
static int run_ip(const char *const *args)
{
	static const char *const paths[] = {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"};
	static char ip[] = "ip";
	char *argv[16] = {ip};
	int status;
	pid_t pid;

	for (size_t i = 0; args[i] && i + 2 < sizeof(argv) / sizeof(argv[0]); i++)
		argv[i + 1] = (char *)args[i];
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execvp("ip", argv);
		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			execv(paths[i], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static struct wire_prefix prefix(const char *text, unsigned len)
{
	struct wire_prefix p = {.family = strchr(text, ':') ? 6 : 4, .len = (uint8_t)len};

	CHECK_INT(inet_pton(p.family == 4 ? AF_INET : AF_INET6, text, p.addr), 1);
	return p;
}

static struct wire_endpoint endpoint(const char *text)
{
	struct wire_endpoint ep = {.family = strchr(text, ':') ? 6 : 4, .port = 3732};

	CHECK_INT(inet_pton(ep.family == 4 ? AF_INET : AF_INET6, text, ep.addr), 1);
	return ep;
}

/* netif_route_mtu towards text; -errno or the MTU */
static long path_mtu(const char *text)
{
	struct wire_endpoint ep = endpoint(text);
	unsigned mtu = 0;
	int r = netif_route_mtu(&ep, &mtu);

	return r < 0 ? r : (long)mtu;
}

static unsigned default_mtu(void)
{
	unsigned mtu = 0;

	CHECK_INT(netif_default_mtu(&mtu), 0);
	return mtu;
}

static int link_ioctl(const char *name, unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
	r = s >= 0 ? ioctl(s, req, ifr) : -1;
	if (s >= 0)
		close(s);
	return r;
}

static bool link_is_up(const char *name)
{
	struct ifreq ifr;

	return link_ioctl(name, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP);
}

static int link_mtu(const char *name)
{
	struct ifreq ifr;

	return link_ioctl(name, SIOCGIFMTU, &ifr) == 0 ? ifr.ifr_mtu : -1;
}

static unsigned mask_len(const struct sockaddr *mask, int af)
{
	uint8_t bytes[16];
	unsigned n = 0, size = af == AF_INET ? 4 : 16;

	if (af == AF_INET)
		memcpy(bytes, &((const struct sockaddr_in *)(const void *)mask)->sin_addr, 4);
	else
		memcpy(bytes, &((const struct sockaddr_in6 *)(const void *)mask)->sin6_addr, 16);
	for (unsigned i = 0; i < size; i++)
		n += (unsigned)__builtin_popcount(bytes[i]);
	return n;
}

/* Whether getifaddrs lists text/len on the interface name. */
static bool has_address(const char *name, const char *text, unsigned len)
{
	int af = strchr(text, ':') ? AF_INET6 : AF_INET;
	struct ifaddrs *list;
	uint8_t want[16];
	bool found = false;

	inet_pton(af, text, want);
	if (getifaddrs(&list) < 0)
		return false;
	for (struct ifaddrs *i = list; i; i = i->ifa_next) {
		const void *sa = i->ifa_addr;

		if (!sa || i->ifa_addr->sa_family != af || strcmp(i->ifa_name, name) || !i->ifa_netmask)
			continue;
		if (af == AF_INET ? !memcmp(&((const struct sockaddr_in *)sa)->sin_addr, want, 4)
				  : !memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr, want, 16))
			found |= mask_len(i->ifa_netmask, af) == len;
	}
	freeifaddrs(list);
	return found;
}

static void test_netif_up_down(void)
{
	CHECK(!link_is_up(VA));
	CHECK_INT(netif_set_up(va, true), 0);
	CHECK(link_is_up(VA));
	CHECK_INT(netif_set_up(va, false), 0);
	CHECK(!link_is_up(VA));
	CHECK_INT(netif_set_up(va, true), 0);
	CHECK_INT(netif_set_up(va, true), 0); /* already up */
	CHECK_INT(netif_set_up(vb, true), 0);
	CHECK(link_is_up(VA) && link_is_up(VB));
}

static void test_netif_mtu(void)
{
	CHECK_INT(netif_set_mtu(va, VA_MTU), 0);
	CHECK_INT(link_mtu(VA), VA_MTU);
	CHECK_INT(netif_set_mtu(vb, VB_MTU), 0);
	CHECK_INT(link_mtu(VB), VB_MTU);
	CHECK_INT(netif_set_mtu(va, 0), -EINVAL);
	CHECK(netif_set_mtu(va, 20) < 0);	  /* below the minimum */
	CHECK(netif_set_mtu(va, 1000000) < 0); /* above the maximum */
	CHECK_INT(link_mtu(VA), VA_MTU);
}

static void test_netif_address(void)
{
	struct wire_prefix a4 = prefix("10.9.0.1", 24), a6 = prefix("fd00:9::1", 64);
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_addr.s6_addr = {0xfd, 0, 0, 9, [15] = 1}};
	struct ifaddrs *list;
	int s;

	CHECK_INT(netif_add_address(va, &a4), 0);
	CHECK_INT(netif_add_address(va, &a4), 0); /* -EEXIST counts as success */
	CHECK(has_address(VA, "10.9.0.1", 24));
	CHECK_INT(netif_add_address(va, &a6), 0);
	CHECK_INT(netif_add_address(va, &a6), 0);
	CHECK(has_address(VA, "fd00:9::1", 64));
	CHECK(!has_address(VB, "fd00:9::1", 64));
	/* no duplicate address detection: usable at once (a tentative address cannot be bound) */
	s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK_INT(bind(s, (struct sockaddr *)&sin6, sizeof(sin6)), 0);
	close(s);
	/* the IPv4 address got its broadcast address */
	CHECK_INT(getifaddrs(&list), 0);
	for (struct ifaddrs *i = list; i; i = i->ifa_next)
		if (!strcmp(i->ifa_name, VA) && i->ifa_addr && i->ifa_addr->sa_family == AF_INET)
			CHECK_INT(ntohl(((struct sockaddr_in *)(void *)i->ifa_broadaddr)->sin_addr.s_addr),
				  0x0a0900ff);
	freeifaddrs(list);
	/* the kernel routes the prefixes into the interface */
	CHECK_INT(path_mtu("10.9.0.77"), VA_MTU);
	CHECK_INT(path_mtu("fd00:9::77"), VA_MTU);
}

static void test_netif_route4(void)
{
	struct wire_prefix r1 = prefix("198.18.7.0", 24), r2 = prefix("198.18.8.77", 24); /* host bits set */
	struct wire_prefix kernel_route = prefix("10.9.0.0", 24);

	CHECK_INT(path_mtu("198.18.7.9"), -ENETUNREACH);
	CHECK_INT(netif_add_route(va, &r1), 0);
	CHECK_INT(netif_add_route(va, &r1), 0);
	CHECK_INT(path_mtu("198.18.7.9"), VA_MTU);
	CHECK_INT(netif_add_route(vb, &r2), 0);
	CHECK_INT(path_mtu("198.18.8.1"), VB_MTU);
	CHECK_INT(path_mtu("::ffff:198.18.8.1"), VB_MTU); /* IPv4-mapped goes the IPv4 way */
	CHECK_INT(netif_del_route(va, &r1), 0);
	CHECK_INT(path_mtu("198.18.7.9"), -ENETUNREACH);
	CHECK(netif_del_route(va, &r1) < 0);
	CHECK_INT(netif_del_route(vb, &r2), 0);
	CHECK(path_mtu("198.18.8.1") < 0);
	/* only meshub's own routes are deleted, not the kernel's prefix route */
	CHECK(netif_del_route(va, &kernel_route) < 0);
	CHECK_INT(path_mtu("10.9.0.77"), VA_MTU);
}

static void test_netif_route6(void)
{
	struct wire_prefix r = prefix("fd00:77::", 64);

	CHECK(path_mtu("fd00:77::5") < 0);
	CHECK_INT(netif_add_route(vb, &r), 0);
	CHECK_INT(netif_add_route(vb, &r), 0);
	CHECK_INT(path_mtu("fd00:77::5"), VB_MTU);
	CHECK_INT(netif_del_route(vb, &r), 0);
	CHECK(path_mtu("fd00:77::5") < 0);
}

static void test_netif_route_mtu_metric(void)
{
	static const char *const v4[] = {"route", "add", "198.18.9.0/24", "dev", VA, "mtu", "1280", NULL};
	static const char *const v6[] = {"-6", "route", "add", "fd00:99::/64", "dev", VB, "mtu", "1300",
					 NULL};

	CHECK_INT(run_ip(v4), 0);
	CHECK_INT(path_mtu("198.18.9.1"), 1280);
	CHECK_INT(run_ip(v6), 0);
	CHECK_INT(path_mtu("fd00:99::1"), 1300);
}

static void test_netif_default_mtu(void)
{
	static const char *const metric[] = {"route", "replace", "default", "dev", VA, "mtu", "1290", NULL};
	static const char *const multipath[] = {"route", "add", "default", "nexthop", "dev", VA,
						"nexthop", "dev", VB, NULL};
	struct wire_prefix any4 = prefix("0.0.0.0", 0), any6 = prefix("::", 0);

	CHECK_INT(default_mtu(), 1500); /* no default route yet */
	CHECK_INT(netif_add_route(va, &any4), 0);
	CHECK_INT(default_mtu(), VA_MTU);
	CHECK_INT(path_mtu("198.18.200.1"), VA_MTU);
	CHECK_INT(netif_add_route(vb, &any6), 0);
	CHECK_INT(default_mtu(), VB_MTU); /* the lowest of both */
	CHECK_INT(run_ip(metric), 0);
	CHECK_INT(default_mtu(), 1290); /* a route's MTU metric counts */
	CHECK_INT(netif_del_route(vb, &any6), 0);
	CHECK_INT(default_mtu(), 1290);
	CHECK_INT(netif_set_up(va, false), 0); /* the kernel drops routes through a link that goes down */
	CHECK_INT(default_mtu(), 1500);
	CHECK_INT(netif_set_up(va, true), 0);
	CHECK_INT(run_ip(multipath), 0); /* every link of a multipath route counts */
	CHECK_INT(default_mtu(), VB_MTU);
}

static void test_netif_errors(void)
{
	struct wire_prefix a4 = prefix("10.1.2.3", 24), bad_len = prefix("10.1.2.3", 33);
	struct wire_prefix bad_family = {.family = 5, .len = 8};
	struct wire_endpoint none = {0};
	unsigned mtu = 0;

	CHECK(netif_add_address(999999, &a4) < 0);
	CHECK(netif_set_up(999999, true) < 0);
	CHECK(netif_set_mtu(999999, 1400) < 0);
	CHECK(netif_add_route(999999, &a4) < 0);
	CHECK(netif_del_route(999999, &a4) < 0);
	CHECK_INT(netif_add_address(va, &bad_len), -EINVAL);
	CHECK_INT(netif_add_address(va, &bad_family), -EINVAL);
	CHECK_INT(netif_add_route(va, &bad_len), -EINVAL);
	CHECK_INT(netif_add_address(0, &a4), -EINVAL);
	CHECK_INT(netif_set_up(0, true), -EINVAL);
	CHECK_INT(netif_route_mtu(&none, &mtu), -EINVAL);
	CHECK(!has_address(VA, "10.1.2.3", 24));
}

static void netif_tests(void)
{
	static const char *const veth[] = {"link", "add", VA, "type", "veth", "peer", "name", VB, NULL};

	CHECK_INT(netif_set_up(if_nametoindex("lo"), true), 0);
	CHECK_INT(run_ip(veth), 0);
	va = if_nametoindex(VA);
	vb = if_nametoindex(VB);
	CHECK(va > 0 && vb > 0);
	if (!va || !vb)
		return;
	RUN(test_netif_up_down);
	RUN(test_netif_mtu);
	RUN(test_netif_address);
	RUN(test_netif_route4);
	RUN(test_netif_route6);
	RUN(test_netif_route_mtu_metric);
	RUN(test_netif_default_mtu);
	RUN(test_netif_errors);
}

int main(void)
{
	return check_in_netns(netif_tests, TEST_TIMEOUT_SEC);
}
