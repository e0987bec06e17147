/* nm-meshub-gateway.h - the address the service reports to NetworkManager
 * as the VPN's external gateway. NetworkManager refuses a VPN without one
 * and uses it only to pin a host route to it through the uplink, so that
 * the tunnel's own traffic never enters the tunnel.
 *
 *  - the first hub, if it is an address or its name resolves (GResolver,
 *    at most NM_MESHUB_GATEWAY_RESOLVE_SEC): IPv4 preferred, else IPv6;
 *  - otherwise (no hub: a LAN-only mesh; or the name does not resolve) an
 *    address of this machine: [socket] address if it is not a wildcard, else
 *    the first address of an interface that is up and neither loopback nor
 *    point-to-point. The kernel routes a local address through "lo", so
 *    NetworkManager adds no route for it: harmless, and the mesh works;
 *  - no such address: the connection fails with a message saying so. */
#pragma once

#include <gio/gio.h>

#define NM_MESHUB_GATEWAY_RESOLVE_SEC 10

/* hub_host: NULL without hubs; listen_address: NULL if a wildcard. */
void nm_meshub_gateway_find_async(const char *hub_host, const char *listen_address, GCancellable *cancellable,
				  GAsyncReadyCallback callback, gpointer user_data);
GInetAddress *nm_meshub_gateway_find_finish(GAsyncResult *result, GError **error);

/* The local fallback on its own (exposed for tests). */
GInetAddress *nm_meshub_gateway_local(const char *listen_address, GError **error);
