/* nm-meshub-gateway.c - finding the external gateway the service reports to
 * NetworkManager (the rules are in nm-meshub-gateway.h). */
#include "config.h"

#include "nm-meshub-gateway.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

typedef struct {
	char *hub_host;
	char *listen_address;
	GCancellable *outer;  /* the caller's */
	GCancellable *lookup; /* the resolver's: cancelled by the caller or the timeout */
	gulong outer_id;
	guint timeout;
} FindData;

static void find_data_free(gpointer p)
{
	FindData *d = p;

	g_cancellable_disconnect(d->outer, d->outer_id);
	g_clear_handle_id(&d->timeout, g_source_remove);
	g_clear_object(&d->outer);
	g_clear_object(&d->lookup);
	g_free(d->hub_host);
	g_free(d->listen_address);
	g_free(d);
}

static GInetAddress *first_usable(struct ifaddrs *list)
{
	GInetAddress *v6 = NULL;

	for (struct ifaddrs *ifa = list; ifa; ifa = ifa->ifa_next) {
		const struct sockaddr *sa = ifa->ifa_addr;

		if (!sa || !(ifa->ifa_flags & IFF_UP) || (ifa->ifa_flags & (IFF_LOOPBACK | IFF_POINTOPOINT)))
			continue;
		if (sa->sa_family == AF_INET) {
			g_clear_object(&v6);
			return g_inet_address_new_from_bytes(
				(const guint8 *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr,
				G_SOCKET_FAMILY_IPV4);
		}
		if (sa->sa_family == AF_INET6 && !v6) {
			const struct in6_addr *a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

			if (!IN6_IS_ADDR_LINKLOCAL(a))
				v6 = g_inet_address_new_from_bytes(a->s6_addr, G_SOCKET_FAMILY_IPV6);
		}
	}
	return v6;
}

GInetAddress *nm_meshub_gateway_local(const char *listen_address, GError **error)
{
	struct ifaddrs *list = NULL;
	GInetAddress *addr;

	if (listen_address && (addr = g_inet_address_new_from_string(listen_address)))
		return addr;
	if (getifaddrs(&list) < 0) {
		int err = errno;

		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err),
			    "cannot list the local addresses: %s", g_strerror(err));
		return NULL;
	}
	addr = first_usable(list);
	freeifaddrs(list);
	if (!addr)
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
				    "no address to report to NetworkManager as the VPN gateway: no hub "
				    "address and no local interface that is up with an address");
	return addr;
}

static void return_local(GTask *task, const char *why)
{
	FindData *d = g_task_get_task_data(task);
	GError *error = NULL;
	GInetAddress *addr = nm_meshub_gateway_local(d->listen_address, &error);
	g_autofree char *s = addr ? g_inet_address_to_string(addr) : NULL;

	if (!addr) {
		g_task_return_error(task, error);
		return;
	}
	g_message("VPN gateway for NetworkManager: %s, a local address (%s)", s, why);
	g_task_return_pointer(task, addr, g_object_unref);
}

static GInetAddress *pick(GList *addresses)
{
	for (GList *l = addresses; l; l = l->next)
		if (g_inet_address_get_family(l->data) == G_SOCKET_FAMILY_IPV4)
			return g_object_ref(l->data);
	return addresses ? g_object_ref(addresses->data) : NULL;
}

static void on_resolved(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	FindData *d = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	GList *list = g_resolver_lookup_by_name_finish(G_RESOLVER(source), res, &error);
	GInetAddress *addr = pick(list);
	g_autofree char *s = addr ? g_inet_address_to_string(addr) : NULL;
	g_autofree char *why = NULL;

	g_resolver_free_addresses(list);
	if (addr) {
		g_message("VPN gateway for NetworkManager: %s, the first hub (%s)", s, d->hub_host);
		g_task_return_pointer(task, addr, g_object_unref);
		return;
	}
	if (g_cancellable_is_cancelled(d->outer)) {
		g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
		return;
	}
	why = g_strdup_printf("the first hub %s does not resolve: %s", d->hub_host,
			      !d->timeout ? "timed out" : error ? error->message : "no address");
	g_warning("%s", why);
	return_local(task, why);
}

static gboolean on_timeout(gpointer user_data)
{
	FindData *d = user_data;

	d->timeout = 0;
	g_cancellable_cancel(d->lookup);
	return G_SOURCE_REMOVE;
}

static void on_outer_cancelled(GCancellable *outer, gpointer lookup)
{
	g_cancellable_cancel(lookup);
}

void nm_meshub_gateway_find_async(const char *hub_host, const char *listen_address, GCancellable *cancellable,
				  GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);
	g_autoptr(GInetAddress) literal = hub_host ? g_inet_address_new_from_string(hub_host) : NULL;
	g_autoptr(GResolver) resolver = NULL;
	FindData *d = g_new0(FindData, 1);

	d->hub_host = g_strdup(hub_host);
	d->listen_address = g_strdup(listen_address);
	d->outer = cancellable ? g_object_ref(cancellable) : g_cancellable_new();
	d->lookup = g_cancellable_new();
	g_task_set_task_data(task, d, find_data_free);
	if (literal) {
		g_message("VPN gateway for NetworkManager: %s, the first hub", hub_host);
		g_task_return_pointer(task, g_steal_pointer(&literal), g_object_unref);
		return;
	}
	if (!hub_host) {
		return_local(task, "the mesh has no hub");
		return;
	}
	d->outer_id = g_cancellable_connect(d->outer, G_CALLBACK(on_outer_cancelled), d->lookup, NULL);
	d->timeout = g_timeout_add_seconds(NM_MESHUB_GATEWAY_RESOLVE_SEC, on_timeout, d);
	resolver = g_resolver_get_default();
	g_resolver_lookup_by_name_async(resolver, hub_host, d->lookup, on_resolved, g_steal_pointer(&task));
}

GInetAddress *nm_meshub_gateway_find_finish(GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}
