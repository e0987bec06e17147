/* nm-meshub-editor-plugin.c - meshub's NetworkManager editor plugin without
 * GTK: it imports and exports configuration files (for nmcli and the
 * editors) and loads the GTK3 or GTK4 editor module on demand, whichever
 * matches the toolkit the calling process already uses. */
#include "config.h"

#include "nm-meshub-editor-plugin.h"

#include "import-export.h"

#include "nm-plugin/nm-meshub-keys.h"

#include <dlfcn.h>
#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#define PLUGIN_NAME "meshub"
#define PLUGIN_DESC N_("Full-mesh VPN: every node talks to every other directly; a hub only introduces them.")

struct _NMMeshubEditorPlugin {
	GObject parent;
};

enum { PROP_0, PROP_NAME, PROP_DESC, PROP_SERVICE };

static void plugin_iface_init(NMVpnEditorPluginInterface *iface);

G_DEFINE_TYPE_WITH_CODE(NMMeshubEditorPlugin, nm_meshub_editor_plugin, G_TYPE_OBJECT,
			G_IMPLEMENT_INTERFACE(NM_TYPE_VPN_EDITOR_PLUGIN, plugin_iface_init))

/* The editor module next to this one (the build tree, or wherever it was
 * installed), else the one in the configured plugin directory. */
static char *editor_path(const char *module, GError **error)
{
	Dl_info info = { 0 };
	char *path;

	if (dladdr((void *)editor_path, &info) && info.dli_fname) {
		g_autofree char *dir = g_path_get_dirname(info.dli_fname);

		path = g_build_filename(dir, module, NULL);
		if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
			return path;
		g_free(path);
	}
	path = g_build_filename(MESHUB_PLUGINDIR, module, NULL);
	if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
		return path;
	g_free(path);
	g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_FAILED,
		    "meshub editor module %s is missing (looked next to the plugin and in %s)", module,
		    MESHUB_PLUGINDIR);
	return NULL;
}

/* A module registers GTypes, so it is loaded once and never unloaded; a
 * process uses only one GTK, hence only one module. */
static NMMeshubEditorFactory editor_factory(const char *module, GError **error)
{
	static GMutex lock;
	static NMMeshubEditorFactory factory;
	static char *loaded;
	g_autofree char *path = NULL;
	NMMeshubEditorFactory f = NULL;
	void *dl;

	g_mutex_lock(&lock);
	if (factory) {
		if (strcmp(loaded, module))
			g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_FAILED,
				    "cannot load %s: %s is already loaded", module, loaded);
		else
			f = factory;
		goto out;
	}
	path = editor_path(module, error);
	if (!path)
		goto out;
	dl = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
	if (!dl) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_FAILED, "cannot load %s: %s",
			    path, dlerror());
		goto out;
	}
	f = (NMMeshubEditorFactory)dlsym(dl, NM_MESHUB_EDITOR_FACTORY);
	if (!f) {
		g_set_error(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_FAILED, "%s has no %s", path,
			    NM_MESHUB_EDITOR_FACTORY);
		dlclose(dl);
		goto out;
	}
	factory = f;
	loaded = g_strdup(module);
out:
	g_mutex_unlock(&lock);
	return f;
}

static NMVpnEditor *plugin_get_editor(NMVpnEditorPlugin *plugin, NMConnection *connection, GError **error)
{
	/* gtk_container_add exists in GTK3 only */
	gboolean gtk3 = dlsym(RTLD_DEFAULT, "gtk_container_add") != NULL;
	NMMeshubEditorFactory f;

	g_return_val_if_fail(NM_IS_CONNECTION(connection), NULL);
	f = editor_factory(gtk3 ? NM_MESHUB_EDITOR_GTK3 : NM_MESHUB_EDITOR_GTK4, error);
	return f ? f(plugin, connection, error) : NULL;
}

static NMVpnEditorPluginCapability plugin_get_capabilities(NMVpnEditorPlugin *plugin)
{
	return NM_VPN_EDITOR_PLUGIN_CAPABILITY_IMPORT | NM_VPN_EDITOR_PLUGIN_CAPABILITY_EXPORT |
	       NM_VPN_EDITOR_PLUGIN_CAPABILITY_IPV6;
}

static NMConnection *plugin_import(NMVpnEditorPlugin *plugin, const char *path, GError **error)
{
	return nm_meshub_import_file(path, error);
}

static gboolean plugin_export(NMVpnEditorPlugin *plugin, const char *path, NMConnection *connection,
			      GError **error)
{
	return nm_meshub_export_file(path, connection, error);
}

static char *plugin_get_suggested_filename(NMVpnEditorPlugin *plugin, NMConnection *connection)
{
	const char *id = nm_connection_get_id(connection);
	g_autofree char *name = g_strdup(id && *id ? id : "meshub");

	g_strdelimit(name, "/\\", '_');
	return g_strdup_printf("%s.conf", name);
}

static void plugin_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	switch (prop_id) {
	case PROP_NAME:
		g_value_set_string(value, PLUGIN_NAME);
		break;
	case PROP_DESC:
		g_value_set_string(value, _(PLUGIN_DESC));
		break;
	case PROP_SERVICE:
		g_value_set_string(value, NM_MESHUB_SERVICE_NAME);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void nm_meshub_editor_plugin_init(NMMeshubEditorPlugin *plugin)
{
}

static void plugin_iface_init(NMVpnEditorPluginInterface *iface)
{
	iface->get_editor = plugin_get_editor;
	iface->get_capabilities = plugin_get_capabilities;
	iface->import_from_file = plugin_import;
	iface->export_to_file = plugin_export;
	iface->get_suggested_filename = plugin_get_suggested_filename;
}

static void nm_meshub_editor_plugin_class_init(NMMeshubEditorPluginClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->get_property = plugin_get_property;
	g_object_class_override_property(object_class, PROP_NAME, NM_VPN_EDITOR_PLUGIN_NAME);
	g_object_class_override_property(object_class, PROP_DESC, NM_VPN_EDITOR_PLUGIN_DESCRIPTION);
	g_object_class_override_property(object_class, PROP_SERVICE, NM_VPN_EDITOR_PLUGIN_SERVICE);
}

G_MODULE_EXPORT NMVpnEditorPlugin *nm_vpn_editor_plugin_factory(GError **error)
{
	g_return_val_if_fail(!error || !*error, NULL);
	/* the editor module loaded later shares this domain (a library never
	 * calls textdomain(): that is the application's) */
	bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	if (sodium_init() < 0) {
		g_set_error_literal(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_FAILED,
				    _("cannot initialise libsodium"));
		return NULL;
	}
	return g_object_new(NM_TYPE_MESHUB_EDITOR_PLUGIN, NULL);
}
