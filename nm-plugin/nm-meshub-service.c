/* nm-meshub-service.c - NetworkManager's VPN service for meshub. NetworkManager
 * starts one process per active connection; it checks the connection,
 * writes meshubd's configuration, runs meshubd in NetworkManager mode, and
 * once the engine is ready reports the device, MTU, external gateway and IP
 * configuration; NetworkManager configures the device. An engine that exits
 * fails the connection; a disconnect stops it (SIGTERM, then SIGKILL).
 * Paths and the environment variables that override them: nm-plugin/README. */
#include "config.h"

#include "nm-meshub-config.h"
#include "nm-meshub-engine.h"
#include "nm-meshub-gateway.h"

#include "nm-plugin/nm-meshub-keys.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#define READY_TIMEOUT_SEC 20
/* configure's --runstatedir and --localstatedir (config.h); meshub status
 * looks for NetworkManager's nodes in the same place */
#define DEFAULT_RUN_DIR MESHUB_RUNSTATEDIR "/nm"
#define DEFAULT_STATE_DIR MESHUB_STATEDIR

#define NM_TYPE_MESHUB_PLUGIN (nm_meshub_plugin_get_type())
G_DECLARE_FINAL_TYPE(NMMeshubPlugin, nm_meshub_plugin, NM, MESHUB_PLUGIN, NMVpnServicePlugin)

struct _NMMeshubPlugin {
	NMVpnServicePlugin parent;
	char *run_dir, *state_dir, *meshubd;
	NMMeshubConfig *config;
	NMMeshubEngine *engine;
	GCancellable *cancellable; /* the gateway lookup */
	GInetAddress *gateway;
	char ifname[NM_MESHUB_ENGINE_IFNAME_MAX + 1];
	guint mtu;
	gboolean ready, reported, stopping;
	char *hint; /* meshubd's latest hint ("no other member uses this network key ..."), NULL if none */
	guint ready_timeout, fail_idle;
};

G_DEFINE_TYPE(NMMeshubPlugin, nm_meshub_plugin, NM_TYPE_VPN_SERVICE_PLUGIN)

static gboolean on_fail_idle(gpointer data)
{
	NMMeshubPlugin *self = data;

	self->fail_idle = 0;
	/* with the wrong-key hint standing, the likely cause is the key: NetworkManager
	 * shows "the VPN login failed" instead of a generic connect failure */
	nm_vpn_service_plugin_failure(NM_VPN_SERVICE_PLUGIN(self), self->hint ? NM_VPN_PLUGIN_FAILURE_LOGIN_FAILED
									      : NM_VPN_PLUGIN_FAILURE_CONNECT_FAILED);
	return G_SOURCE_REMOVE;
}

/* Logs why and fails the connection from an idle callback, so that no
 * caller is torn down under its own feet. */
static void fail(NMMeshubPlugin *self, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void fail(NMMeshubPlugin *self, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (self->hint)
		g_warning("connection failed: %s (hint: %s)", msg, self->hint);
	else
		g_warning("connection failed: %s", msg);
	if (!self->fail_idle && !self->stopping)
		self->fail_idle = g_idle_add(on_fail_idle, self);
}

static GVariant *gateway_variant(GInetAddress *gw)
{
	const guint8 *bytes = g_inet_address_to_bytes(gw);
	guint32 v4;

	if (g_inet_address_get_family(gw) == G_SOCKET_FAMILY_IPV6)
		return g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, bytes, 16, 1);
	memcpy(&v4, bytes, 4); /* network byte order */
	return g_variant_new_uint32(v4);
}

/* Once the engine is ready and the gateway known: tell NetworkManager. */
static void report_if_complete(NMMeshubPlugin *self)
{
	NMVpnServicePlugin *plugin = NM_VPN_SERVICE_PLUGIN(self);
	g_autoptr(GVariant) config = NULL;
	GVariantBuilder b;

	if (!self->ready || !self->gateway || self->reported || self->stopping)
		return;
	g_clear_handle_id(&self->ready_timeout, g_source_remove);
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", NM_VPN_PLUGIN_CONFIG_TUNDEV, g_variant_new_string(self->ifname));
	g_variant_builder_add(&b, "{sv}", NM_VPN_PLUGIN_CONFIG_MTU, g_variant_new_uint32(self->mtu));
	g_variant_builder_add(&b, "{sv}", NM_VPN_PLUGIN_CONFIG_EXT_GATEWAY, gateway_variant(self->gateway));
	g_variant_builder_add(&b, "{sv}", NM_VPN_PLUGIN_CONFIG_HAS_IP4,
			      g_variant_new_boolean(self->config->has_ip4));
	g_variant_builder_add(&b, "{sv}", NM_VPN_PLUGIN_CONFIG_HAS_IP6,
			      g_variant_new_boolean(self->config->has_ip6));
	config = g_variant_ref_sink(g_variant_builder_end(&b));
	self->reported = TRUE;
	g_message("reporting %s (MTU %u) to NetworkManager", self->ifname, self->mtu);
	nm_vpn_service_plugin_set_config(plugin, config);
	if (self->config->has_ip4)
		nm_vpn_service_plugin_set_ip4_config(plugin, self->config->ip4);
	if (self->config->has_ip6)
		nm_vpn_service_plugin_set_ip6_config(plugin, self->config->ip6);
}

static void on_gateway(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(NMMeshubPlugin) self = data;
	g_autoptr(GError) error = NULL;
	GInetAddress *gw = nm_meshub_gateway_find_finish(res, &error);

	if (!gw) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			fail(self, "%s", error->message);
		return;
	}
	g_clear_object(&self->gateway);
	self->gateway = gw;
	report_if_complete(self);
}

static void on_engine_ready(const char *ifname, guint mtu, gpointer data)
{
	NMMeshubPlugin *self = data;

	g_message("meshubd is ready: device %s, MTU %u", ifname, mtu);
	g_strlcpy(self->ifname, ifname, sizeof(self->ifname));
	self->mtu = mtu;
	self->ready = TRUE;
	report_if_complete(self);
}

/* meshubd's diagnosis, such as a hub that lists nobody else under this key. */
static void on_engine_hint(const char *text, gpointer data)
{
	NMMeshubPlugin *self = data;

	g_clear_pointer(&self->hint, g_free);
	if (!*text) {
		g_message("meshubd: the earlier hint no longer holds");
		return;
	}
	self->hint = g_strdup(text);
	g_warning("meshubd: hint: %s (the connection stays up; other members may simply not be online)", text);
}

static char *describe_exit(int status)
{
	if (WIFEXITED(status))
		return g_strdup_printf("exited with status %d", WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return g_strdup_printf("was killed by signal %d (%s)", WTERMSIG(status),
				       g_strsignal(WTERMSIG(status)));
	return g_strdup_printf("ended (wait status %d)", status);
}

/* The engine's files; it cannot remove them once it runs as nobody. */
static void remove_files(NMMeshubPlugin *self)
{
	if (!self->config)
		return;
	g_unlink(self->config->conf_path);
	g_unlink(self->config->control_path);
	g_unlink(self->config->name_path);
}

static void on_engine_exited(int status, const char *last_line, gpointer data)
{
	NMMeshubPlugin *self = data;
	g_autofree char *how = describe_exit(status);

	g_clear_pointer(&self->engine, nm_meshub_engine_free);
	remove_files(self);
	if (self->stopping) {
		g_message("meshubd %s", how);
		return;
	}
	/* a failing engine says why in its last line; a killed one does not */
	if (WIFEXITED(status) && WEXITSTATUS(status) && *last_line)
		fail(self, "meshubd %s: %s", how, last_line);
	else
		fail(self, "meshubd %s", how);
}

static gboolean on_ready_timeout(gpointer data)
{
	NMMeshubPlugin *self = data;

	self->ready_timeout = 0;
	if (self->engine)
		nm_meshub_engine_stop(self->engine);
	fail(self, "%s within %d s",
	     self->ready ? "no address for the VPN gateway" : "meshubd did not get ready", READY_TIMEOUT_SEC);
	return G_SOURCE_REMOVE;
}

/* A directory only root may enter: the engine's files and node keys. */
static gboolean private_dir(const char *dir, GError **error)
{
	struct stat st;
	const char *why = NULL;

	if (g_mkdir_with_parents(dir, 0700) < 0)
		why = g_strerror(errno);
	else if (lstat(dir, &st) < 0)
		why = g_strerror(errno);
	else if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
		why = "not a directory of the service's user";
	else if ((st.st_mode & 077) && chmod(dir, 0700) < 0)
		why = g_strerror(errno);
	if (why)
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_LAUNCH_FAILED, "%s: %s", dir, why);
	return !why;
}

/* Next to the control socket: the connection's name, for meshub status. */
static gboolean write_name(NMMeshubConfig *config, GError **error)
{
	g_autofree char *line = g_strdup_printf("%s\n", config->name);

	return g_file_set_contents_full(config->name_path, line, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static gboolean write_config(NMMeshubPlugin *self, NMMeshubConfig *config, GError **error)
{
	g_autoptr(GError) local = NULL;

	if (!private_dir(self->run_dir, error) || !private_dir(self->state_dir, error))
		return FALSE;
	if (g_file_set_contents_full(config->conf_path, config->ini, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
				     &local) &&
	    write_name(config, &local))
		return TRUE;
	g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_LAUNCH_FAILED, "%s", local->message);
	return FALSE;
}

/* NetworkManager's VPN plugin log level (syslog numbers) asks for debug. */
static gboolean nm_wants_debug(void)
{
	const char *level = g_getenv("NM_VPN_LOG_LEVEL");

	return level && atoi(level) >= LOG_DEBUG;
}

static gboolean start_engine(NMMeshubPlugin *self, NMMeshubConfig *config, GError **error)
{
	static const NMMeshubEngineCallbacks cb = { .ready = on_engine_ready, .hint = on_engine_hint,
						    .exited = on_engine_exited };
	const NMMeshubEngineArgs args = {
		.meshubd = self->meshubd,
		.conf_path = config->conf_path,
		.psk = config->psk,
		.verbose = !config->log_level_set && nm_wants_debug(),
	};
	g_autoptr(GError) local = NULL;

	self->engine = nm_meshub_engine_start(&args, &cb, self, &local);
	if (self->engine)
		return TRUE;
	g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_LAUNCH_FAILED, "cannot start %s: %s",
		    self->meshubd, local->message);
	return FALSE;
}

static gboolean nm_meshub_plugin_connect(NMVpnServicePlugin *plugin, NMConnection *connection, GError **error)
{
	NMMeshubPlugin *self = NM_MESHUB_PLUGIN(plugin);
	const NMMeshubPaths paths = { .run_dir = self->run_dir, .state_dir = self->state_dir };
	g_autoptr(NMMeshubConfig) config = NULL;

	if (self->engine || self->config) {
		g_set_error_literal(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_ALREADY_STARTED,
				    "this service process already ran a connection");
		return FALSE;
	}
	config = nm_meshub_config_new(connection, &paths, error);
	if (!config || !write_config(self, config, error) || !start_engine(self, config, error)) {
		g_warning("cannot connect '%s': %s", nm_connection_get_id(connection),
			  error && *error ? (*error)->message : "?");
		if (config) {
			g_unlink(config->conf_path);
			g_unlink(config->name_path);
		}
		return FALSE;
	}
	self->config = g_steal_pointer(&config);
	self->cancellable = g_cancellable_new();
	nm_meshub_gateway_find_async(self->config->gateway_host, self->config->listen_address,
				     self->cancellable, on_gateway, g_object_ref(self));
	self->ready_timeout = g_timeout_add_seconds(READY_TIMEOUT_SEC, on_ready_timeout, self);
	return TRUE;
}

/* The key is all there is to ask for, and NetworkManager asks for it before
 * connecting (need_secrets): nothing is ever requested interactively. */
static gboolean nm_meshub_plugin_connect_interactive(NMVpnServicePlugin *plugin, NMConnection *connection,
						     GVariant *details, GError **error)
{
	return nm_meshub_plugin_connect(plugin, connection, error);
}

static gboolean nm_meshub_plugin_need_secrets(NMVpnServicePlugin *plugin, NMConnection *connection,
					      const char **setting_name, GError **error)
{
	NMSettingVpn *s_vpn = nm_connection_get_setting_vpn(connection);

	if (!s_vpn) {
		g_set_error_literal(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_INVALID_CONNECTION,
				    "the connection has no VPN setting");
		return FALSE;
	}
	if (!nm_meshub_config_needs_psk(s_vpn))
		return FALSE;
	*setting_name = NM_SETTING_VPN_SETTING_NAME;
	return TRUE;
}

static gboolean nm_meshub_plugin_disconnect(NMVpnServicePlugin *plugin, GError **error)
{
	NMMeshubPlugin *self = NM_MESHUB_PLUGIN(plugin);

	self->stopping = TRUE;
	g_cancellable_cancel(self->cancellable);
	g_clear_handle_id(&self->ready_timeout, g_source_remove);
	g_clear_handle_id(&self->fail_idle, g_source_remove);
	if (self->engine) {
		g_message("stopping meshubd (pid %d)", (int)nm_meshub_engine_get_pid(self->engine));
		nm_meshub_engine_stop(self->engine);
	}
	return TRUE;
}

static char *path_from_env(const char *var, const char *fallback)
{
	const char *v = g_getenv(var);

	if (!v || !*v)
		return g_strdup(fallback);
	if (g_path_is_absolute(v))
		return g_strdup(v);
	g_warning("%s=%s is not an absolute path; using %s", var, v, fallback);
	return g_strdup(fallback);
}

static void nm_meshub_plugin_init(NMMeshubPlugin *self)
{
	self->run_dir = path_from_env("MESHUB_NM_RUNDIR", DEFAULT_RUN_DIR);
	self->state_dir = path_from_env("MESHUB_NM_STATEDIR", DEFAULT_STATE_DIR);
	self->meshubd = path_from_env("MESHUB_MESHUBD", MESHUBD_PATH);
}

static void nm_meshub_plugin_dispose(GObject *object)
{
	NMMeshubPlugin *self = NM_MESHUB_PLUGIN(object);

	g_cancellable_cancel(self->cancellable);
	g_clear_handle_id(&self->ready_timeout, g_source_remove);
	g_clear_handle_id(&self->fail_idle, g_source_remove);
	self->stopping = TRUE;
	g_clear_pointer(&self->engine, nm_meshub_engine_free); /* kills it if still running */
	remove_files(self);
	G_OBJECT_CLASS(nm_meshub_plugin_parent_class)->dispose(object);
}

static void nm_meshub_plugin_finalize(GObject *object)
{
	NMMeshubPlugin *self = NM_MESHUB_PLUGIN(object);

	g_clear_pointer(&self->config, nm_meshub_config_free);
	g_clear_object(&self->cancellable);
	g_clear_object(&self->gateway);
	g_free(self->run_dir);
	g_free(self->state_dir);
	g_free(self->meshubd);
	g_free(self->hint);
	G_OBJECT_CLASS(nm_meshub_plugin_parent_class)->finalize(object);
}

static void nm_meshub_plugin_class_init(NMMeshubPluginClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	NMVpnServicePluginClass *plugin_class = NM_VPN_SERVICE_PLUGIN_CLASS(klass);

	object_class->dispose = nm_meshub_plugin_dispose;
	object_class->finalize = nm_meshub_plugin_finalize;
	plugin_class->connect = nm_meshub_plugin_connect;
	plugin_class->connect_interactive = nm_meshub_plugin_connect_interactive;
	plugin_class->need_secrets = nm_meshub_plugin_need_secrets;
	plugin_class->disconnect = nm_meshub_plugin_disconnect;
}

/* After the main loop: stop the engine and wait for it (SIGKILL after the
 * grace period), so that no meshubd outlives the service. */
static void nm_meshub_plugin_stop(NMMeshubPlugin *self)
{
	gint64 deadline = g_get_monotonic_time() + (NM_MESHUB_ENGINE_STOP_GRACE_SEC + 2) * G_USEC_PER_SEC;

	nm_vpn_service_plugin_shutdown(NM_VPN_SERVICE_PLUGIN(self));
	if (self->engine)
		nm_meshub_engine_stop(self->engine);
	while (self->engine && g_get_monotonic_time() < deadline)
		g_main_context_iteration(NULL, TRUE);
}

static gboolean on_signal(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_CONTINUE;
}

static void on_quit(NMVpnServicePlugin *plugin, gpointer loop)
{
	g_main_loop_quit(loop);
}

int main(int argc, char **argv)
{
	g_autofree char *bus_name = NULL;
	const GOptionEntry options[] = {
		{ "bus-name", 0, 0, G_OPTION_ARG_STRING, &bus_name, "D-Bus name of this instance", "NAME" },
		{ NULL },
	};
	g_autoptr(GOptionContext) context = g_option_context_new("- meshub VPN service for NetworkManager");
	g_autoptr(GError) error = NULL;
	g_autoptr(NMMeshubPlugin) plugin = NULL;
	g_autoptr(GMainLoop) loop = NULL;

	g_option_context_add_main_entries(context, options, NULL);
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("nm-meshub-service: %s\n", error->message);
		return 1;
	}
	/* watch-peer: the service stops when NetworkManager goes away */
	plugin = g_initable_new(NM_TYPE_MESHUB_PLUGIN, NULL, &error, NM_VPN_SERVICE_PLUGIN_DBUS_SERVICE_NAME,
				bus_name ? bus_name : NM_MESHUB_SERVICE_NAME,
				NM_VPN_SERVICE_PLUGIN_DBUS_WATCH_PEER, TRUE, NULL);
	if (!plugin) {
		g_printerr("nm-meshub-service: cannot start: %s\n", error->message);
		return 1;
	}
	loop = g_main_loop_new(NULL, FALSE);
	g_signal_connect(plugin, "quit", G_CALLBACK(on_quit), loop);
	/* replaces libnm's own handlers, which quit from signal context */
	g_unix_signal_add(SIGTERM, on_signal, loop);
	g_unix_signal_add(SIGINT, on_signal, loop);
	g_main_loop_run(loop);
	nm_meshub_plugin_stop(plugin);
	return 0;
}
