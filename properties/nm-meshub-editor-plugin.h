/* nm-meshub-editor-plugin.h - the GTK-free NMVpnEditorPlugin of meshub. */
#pragma once

#include <NetworkManager.h>

#define NM_TYPE_MESHUB_EDITOR_PLUGIN (nm_meshub_editor_plugin_get_type())
G_DECLARE_FINAL_TYPE(NMMeshubEditorPlugin, nm_meshub_editor_plugin, NM, MESHUB_EDITOR_PLUGIN, GObject)

/* The factory each editor module exports (nm-meshub-editor.c). */
#define NM_MESHUB_EDITOR_FACTORY "nm_vpn_editor_factory_meshub"
#define NM_MESHUB_EDITOR_GTK3 "libnm-vpn-plugin-meshub-editor.so"
#define NM_MESHUB_EDITOR_GTK4 "libnm-gtk4-vpn-plugin-meshub-editor.so"

typedef NMVpnEditor *(*NMMeshubEditorFactory)(NMVpnEditorPlugin *plugin, NMConnection *connection,
					      GError **error);

NMVpnEditor *nm_vpn_editor_factory_meshub(NMVpnEditorPlugin *plugin, NMConnection *connection,
					  GError **error);
