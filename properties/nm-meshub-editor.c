/* nm-meshub-editor.c - the meshub connection editor (NMVpnEditor), built
 * once against GTK3 and once against GTK4 from this file and one .ui: it
 * shows every vpn.data value, marks invalid fields as the user types, and
 * writes back only what changed. */
#include "config.h"

#include "nm-meshub-editor-plugin.h"

#include "nm-meshub-data.h"

#include "engine/keys.h"
#include "nm-plugin/nm-meshub-keys.h"

#include <glib/gi18n-lib.h>
#include <gtk/gtk.h>
#include <nma-ui-utils.h>
#include <sodium.h>
#include <string.h>

#if !GTK_CHECK_VERSION(4, 0, 0)
#define gtk_editable_get_text(e) gtk_entry_get_text(GTK_ENTRY(e))
#define gtk_editable_set_text(e, t) gtk_entry_set_text(GTK_ENTRY(e), (t))
#define gtk_widget_get_root(w) gtk_widget_get_toplevel(w)
#define gtk_check_button_get_active(b) gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(b))
#define gtk_check_button_set_active(b, a) gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(b), (a))
#define gtk_widget_add_css_class(w, c) gtk_style_context_add_class(gtk_widget_get_style_context(w), (c))
#define gtk_widget_remove_css_class(w, c) gtk_style_context_remove_class(gtk_widget_get_style_context(w), (c))
#define gtk_box_append(b, w) gtk_container_add(GTK_CONTAINER(b), (w))
#define gtk_box_remove(b, w) gtk_container_remove(GTK_CONTAINER(b), (w))
#define gtk_window_destroy(w) gtk_widget_destroy(GTK_WIDGET(w))
#endif

#define UI_RESOURCE "/org/freedesktop/network-manager-meshub/nm-meshub-dialog.ui"
#define PSK_LABEL N_("Network key")

#define NM_TYPE_MESHUB_EDITOR (nm_meshub_editor_get_type())
G_DECLARE_FINAL_TYPE(NMMeshubEditor, nm_meshub_editor, NM, MESHUB_EDITOR, GObject)

struct _NMMeshubEditor {
	GObject parent;
	GtkBuilder *builder;
	GtkWidget *widget;   /* the page: meshub_box */
	GtkWidget *advanced; /* advanced_grid, put into the dialog while it is open */
	GtkWidget *dialog;
	NMSettingVpn *orig; /* the setting the editor was opened with, or NULL */
	GHashTable *adv;    /* advanced values accepted with OK: vpn.data key -> text */
};

/* One editable vpn.data item. */
struct field {
	const char *key;
	const char *id;	      /* GtkEntry or GtkComboBox in the .ui */
	const char *implicit; /* combo item that means "key absent" */
	gboolean advanced;
};

static const struct field fields[] = {
	{ NM_MESHUB_KEY_HUB, "hub_entry", NULL, FALSE },
	{ NM_MESHUB_KEY_IPV4_ADDRESS, "ipv4_entry", NULL, FALSE },
	{ NM_MESHUB_KEY_IPV6_ADDRESS, "ipv6_entry", NULL, FALSE },
	{ NM_MESHUB_KEY_TYPE, "type_combo", "tun", FALSE },
	{ NM_MESHUB_KEY_CA, "ca_entry", NULL, FALSE },
	{ NM_MESHUB_KEY_CERT, "cert_entry", NULL, FALSE },
	{ NM_MESHUB_KEY_CRL, "crl_entry", NULL, FALSE },
	{ NM_MESHUB_KEY_ADDRESS, "address_entry", NULL, TRUE },
	{ NM_MESHUB_KEY_PORT, "port_entry", NULL, TRUE },
	{ NM_MESHUB_KEY_LAN_ADVERT_PORTS, "lan_ports_entry", NULL, TRUE },
	{ NM_MESHUB_KEY_ADVERT_INTERVAL, "advert_interval_entry", NULL, TRUE },
	{ NM_MESHUB_KEY_PING_INTERVAL, "ping_interval_entry", NULL, TRUE },
	{ NM_MESHUB_KEY_PING_TIMEOUT, "ping_timeout_entry", NULL, TRUE },
	{ NM_MESHUB_KEY_INTERFACE, "interface_entry", NULL, TRUE },
	{ NM_MESHUB_KEY_MTU, "mtu_entry", NULL, TRUE },
	{ NM_MESHUB_KEY_ROUTES, "routes_entry", NULL, TRUE },
	{ NM_MESHUB_KEY_SUBNETS, "subnets_entry", NULL, TRUE },
	{ NM_MESHUB_KEY_HOSTNAME, "hostname_entry", NULL, TRUE },
	{ NM_MESHUB_KEY_LOG_LEVEL, "log_level_combo", "default", TRUE },
	{ NM_MESHUB_KEY_DNS, "dns_combo", "default", TRUE },
	{ NM_MESHUB_KEY_DNS_DOMAIN, "dns_domain_entry", NULL, TRUE },
};

/* The CA network's files: a path entry and a button that picks the file.
 * (libnma's certificate chooser is for X.509 certificates and keys: it
 * reads them with gcr and offers key passwords and PKCS#11, none of which
 * meshub's own certificate format has.) */
static const struct file_field {
	const char *button, *entry, *title, *filter, *pattern;
} file_fields[] = {
	{ "ca_button", "ca_entry", N_("Choose the network's CA certificate"), N_("Certificates (*.crt)"), "*.crt" },
	{ "cert_button", "cert_entry", N_("Choose this node's certificate"), N_("Certificates (*.crt)"), "*.crt" },
	{ "crl_button", "crl_entry", N_("Choose the revocation list"), N_("Revocation lists (*.crl)"), "*.crl" },
};

static void editor_iface_init(NMVpnEditorInterface *iface);

G_DEFINE_TYPE_WITH_CODE(NMMeshubEditor, nm_meshub_editor, G_TYPE_OBJECT,
			G_IMPLEMENT_INTERFACE(NM_TYPE_VPN_EDITOR, editor_iface_init))

static GtkWidget *editor_widget(NMMeshubEditor *self, const char *id)
{
	return GTK_WIDGET(gtk_builder_get_object(self->builder, id));
}

static const char *widget_text(GtkWidget *w)
{
	const char *id;

	if (GTK_IS_COMBO_BOX(w)) {
		id = gtk_combo_box_get_active_id(GTK_COMBO_BOX(w));
		return id ? id : "";
	}
	return gtk_editable_get_text(GTK_EDITABLE(w));
}

/* A combo shows the normal form of the value, or its implicit item. */
static void widget_set_text(GtkWidget *w, const struct field *f, const char *value)
{
	g_autofree char *norm = NULL;

	if (!GTK_IS_COMBO_BOX(w)) {
		gtk_editable_set_text(GTK_EDITABLE(w), value ? value : "");
		return;
	}
	norm = nm_meshub_data_normalize(nm_meshub_data_find(f->key), value, NULL);
	if (!norm || !*norm || !gtk_combo_box_set_active_id(GTK_COMBO_BOX(w), norm))
		gtk_combo_box_set_active_id(GTK_COMBO_BOX(w), f->implicit);
}

static const char *orig_value(NMMeshubEditor *self, const char *key)
{
	return self->orig ? nm_setting_vpn_get_data_item(self->orig, key) : NULL;
}

static const char *field_text(NMMeshubEditor *self, const struct field *f)
{
	const char *v;

	if (!f->advanced)
		return widget_text(editor_widget(self, f->id));
	v = g_hash_table_lookup(self->adv, f->key);
	return v ? v : "";
}

/* What to store for f given text: NULL = leave the key out. An unchanged
 * value keeps its stored spelling, so an untouched editor changes nothing. */
static gboolean field_value(NMMeshubEditor *self, const struct field *f, const char *text, char **out,
			    GError **error)
{
	const struct nm_meshub_item *it = nm_meshub_data_find(f->key);
	const char *orig = orig_value(self, f->key);
	g_autofree char *norm = NULL;
	g_autofree char *norm_orig = orig ? nm_meshub_data_normalize(it, orig, NULL) : NULL;

	*out = NULL;
	if (f->implicit && !strcmp(text, f->implicit)) {
		if (norm_orig && !strcmp(norm_orig, f->implicit))
			*out = g_strdup(orig);
		return TRUE;
	}
	norm = nm_meshub_data_normalize(it, text, error);
	if (!norm) {
		g_prefix_error(error, "%s: ", it->label);
		return FALSE;
	}
	if (*norm)
		*out = g_strdup(norm_orig && !strcmp(norm_orig, norm) ? orig : norm);
	return TRUE;
}

static void widget_mark(GtkWidget *w, gboolean bad)
{
	if (bad)
		gtk_widget_add_css_class(w, "error");
	else
		gtk_widget_remove_css_class(w, "error");
}

static NMSettingSecretFlags psk_flags(NMMeshubEditor *self)
{
	return nma_utils_menu_to_secret_flags(editor_widget(self, "psk_entry"));
}

static gboolean psk_check(NMMeshubEditor *self, GError **error)
{
	const char *psk = widget_text(editor_widget(self, "psk_entry"));

	if (!*psk ||
	    (psk_flags(self) & (NM_SETTING_SECRET_FLAG_NOT_SAVED | NM_SETTING_SECRET_FLAG_NOT_REQUIRED)))
		return TRUE;
	if (nm_meshub_data_check_psk(psk, error))
		return TRUE;
	g_prefix_error(error, "%s: ", _(PSK_LABEL));
	return FALSE;
}

/* Marks every invalid field of the page (advanced = FALSE) or of the
 * advanced dialog (TRUE); TRUE if all of them are valid. */
static gboolean fields_mark(NMMeshubEditor *self, gboolean advanced)
{
	gboolean ok = TRUE;

	for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
		const struct field *f = &fields[i];
		g_autofree char *v = NULL;
		gboolean good;

		if (!f->advanced != !advanced)
			continue;
		good = field_value(self, f, widget_text(editor_widget(self, f->id)), &v, NULL);
		widget_mark(editor_widget(self, f->id), !good);
		ok &= good;
	}
	return ok;
}

static gboolean page_mark(NMMeshubEditor *self)
{
	gboolean ok = fields_mark(self, FALSE);

	widget_mark(editor_widget(self, "psk_entry"), !psk_check(self, NULL));
	return ok;
}

static void page_changed_cb(GtkWidget *widget, gpointer user_data)
{
	NMMeshubEditor *self = user_data;

	page_mark(self);
	g_signal_emit_by_name(self, "changed");
}

static void psk_storage_cb(GObject *entry, GParamSpec *pspec, gpointer user_data)
{
	page_changed_cb(NULL, user_data);
}

static void show_psk_cb(GtkWidget *check, gpointer user_data)
{
	NMMeshubEditor *self = user_data;

	gtk_entry_set_visibility(GTK_ENTRY(editor_widget(self, "psk_entry")),
				 gtk_check_button_get_active(GTK_CHECK_BUTTON(check)));
}

static void generate_cb(GtkWidget *button, gpointer user_data)
{
	NMMeshubEditor *self = user_data;
	char key[KEYS_B64_LEN + 1];

	keys_generate_psk(key);
	gtk_editable_set_text(GTK_EDITABLE(editor_widget(self, "psk_entry")), key);
	sodium_memzero(key, sizeof(key));
	/* the key has to reach the other nodes: show it */
	gtk_check_button_set_active(GTK_CHECK_BUTTON(editor_widget(self, "show_psk_check")), TRUE);
}

/* ------------------------------------------------------------ file choosers */

G_GNUC_BEGIN_IGNORE_DEPRECATIONS /* GtkFileChooserDialog: GTK 4.10 prefers GtkFileDialog, Debian 12 has 4.8 */

static char *chooser_path(GtkFileChooser *chooser)
{
#if GTK_CHECK_VERSION(4, 0, 0)
	g_autoptr(GFile) file = gtk_file_chooser_get_file(chooser);

	return file ? g_file_get_path(file) : NULL;
#else
	return gtk_file_chooser_get_filename(chooser);
#endif
}

static void chooser_response_cb(GtkDialog *dialog, int response, gpointer user_data)
{
	GtkWidget *entry = user_data;
	g_autofree char *path = NULL;

	if (response == GTK_RESPONSE_ACCEPT && (path = chooser_path(GTK_FILE_CHOOSER(dialog))))
		gtk_editable_set_text(GTK_EDITABLE(entry), path); /* "changed" marks and signals */
	gtk_window_destroy(GTK_WINDOW(dialog));
}

static void choose_cb(GtkWidget *button, gpointer user_data)
{
	NMMeshubEditor *self = user_data;
	GtkWidget *root = (GtkWidget *)gtk_widget_get_root(self->widget);
	const struct file_field *ff = NULL;
	GtkFileFilter *filter;
	GtkWidget *dialog;

	for (size_t i = 0; i < G_N_ELEMENTS(file_fields); i++)
		if (editor_widget(self, file_fields[i].button) == button)
			ff = &file_fields[i];
	if (!ff)
		return;
	dialog = gtk_file_chooser_dialog_new(_(ff->title), GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL,
					     GTK_FILE_CHOOSER_ACTION_OPEN, _("_Cancel"), GTK_RESPONSE_CANCEL,
					     _("_Open"), GTK_RESPONSE_ACCEPT, NULL);
	gtk_window_set_modal(GTK_WINDOW(dialog), TRUE);
	gtk_window_set_destroy_with_parent(GTK_WINDOW(dialog), TRUE);
	filter = gtk_file_filter_new();
	gtk_file_filter_add_pattern(filter, ff->pattern);
	gtk_file_filter_set_name(filter, _(ff->filter));
	gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(dialog), filter);
	filter = gtk_file_filter_new();
	gtk_file_filter_add_pattern(filter, "*");
	gtk_file_filter_set_name(filter, _("All files"));
	gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(dialog), filter);
	g_signal_connect(dialog, "response", G_CALLBACK(chooser_response_cb), editor_widget(self, ff->entry));
	gtk_window_present(GTK_WINDOW(dialog));
}

G_GNUC_END_IGNORE_DEPRECATIONS

/* --------------------------------------------------------- advanced dialog */

static void advanced_changed_cb(GtkWidget *widget, gpointer user_data)
{
	NMMeshubEditor *self = user_data;
	gboolean ok = fields_mark(self, TRUE);

	if (self->dialog)
		gtk_dialog_set_response_sensitive(GTK_DIALOG(self->dialog), GTK_RESPONSE_OK, ok);
}

/* The dialog's widgets show the accepted values again. */
static void advanced_load(NMMeshubEditor *self)
{
	for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
		if (fields[i].advanced)
			widget_set_text(editor_widget(self, fields[i].id), &fields[i],
					g_hash_table_lookup(self->adv, fields[i].key));
	fields_mark(self, TRUE);
}

static void advanced_response_cb(GtkDialog *dialog, int response, gpointer user_data)
{
	NMMeshubEditor *self = user_data;

	if (response == GTK_RESPONSE_OK) {
		if (!fields_mark(self, TRUE))
			return; /* OK is insensitive then; keep the dialog open */
		for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
			const struct field *f = &fields[i];
			char *v = NULL;

			if (f->advanced &&
			    field_value(self, f, widget_text(editor_widget(self, f->id)), &v, NULL))
				g_hash_table_insert(self->adv, (char *)f->key, v ? v : g_strdup(""));
		}
		g_signal_emit_by_name(self, "changed");
	}
	advanced_load(self);
	gtk_window_destroy(GTK_WINDOW(dialog));
}

/* However the dialog goes (also with its parent window), the grid is taken
 * out first: it belongs to the editor and is shown again next time. */
static void advanced_destroy_cb(GtkWidget *dialog, gpointer user_data)
{
	NMMeshubEditor *self = user_data;

	if (gtk_widget_get_parent(self->advanced))
		gtk_box_remove(GTK_BOX(gtk_dialog_get_content_area(GTK_DIALOG(dialog))), self->advanced);
	self->dialog = NULL;
}

static void advanced_cb(GtkWidget *button, gpointer user_data)
{
	NMMeshubEditor *self = user_data;
	GtkWidget *root = (GtkWidget *)gtk_widget_get_root(self->widget);
	GtkWindow *parent = GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL;

	if (self->dialog) {
		gtk_window_present(GTK_WINDOW(self->dialog));
		return;
	}
	self->dialog = gtk_dialog_new_with_buttons(
		_("meshub Advanced Options"), parent, GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
		_("_Cancel"), GTK_RESPONSE_CANCEL, _("_OK"), GTK_RESPONSE_OK, NULL);
	gtk_dialog_set_default_response(GTK_DIALOG(self->dialog), GTK_RESPONSE_OK);
	gtk_box_append(GTK_BOX(gtk_dialog_get_content_area(GTK_DIALOG(self->dialog))), self->advanced);
	g_signal_connect(self->dialog, "response", G_CALLBACK(advanced_response_cb), self);
	g_signal_connect(self->dialog, "destroy", G_CALLBACK(advanced_destroy_cb), self);
	advanced_load(self);
	advanced_changed_cb(NULL, self);
	gtk_window_present(GTK_WINDOW(self->dialog));
}

/* ------------------------------------------------------------------ editor */

static void editor_load(NMMeshubEditor *self)
{
	const char *psk = self->orig ? nm_setting_vpn_get_secret(self->orig, NM_MESHUB_KEY_PSK) : NULL;
	GtkWidget *entry = editor_widget(self, "psk_entry");
	NMSettingSecretFlags flags = NM_SETTING_SECRET_FLAG_NONE;

	for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
		const struct field *f = &fields[i];
		const char *v = orig_value(self, f->key);

		if (f->advanced && v)
			g_hash_table_insert(self->adv, (char *)f->key, g_strdup(v));
		widget_set_text(editor_widget(self, f->id), f, v);
	}
	gtk_editable_set_text(GTK_EDITABLE(entry), psk ? psk : "");
	/* no flags: saved for all users, like an imported key. The setting is
	 * not handed over, as libnma would write the flags into it. */
	if (self->orig)
		nm_setting_get_secret_flags(NM_SETTING(self->orig), NM_MESHUB_KEY_PSK, &flags, NULL);
	nma_utils_setup_password_storage(entry, flags, NULL, NM_MESHUB_KEY_PSK, FALSE, FALSE);
}

static void editor_connect(NMMeshubEditor *self)
{
	for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
		g_signal_connect(editor_widget(self, fields[i].id), "changed",
				 G_CALLBACK(fields[i].advanced ? advanced_changed_cb : page_changed_cb),
				 self);
	g_signal_connect(editor_widget(self, "psk_entry"), "changed", G_CALLBACK(page_changed_cb), self);
	g_signal_connect(editor_widget(self, "psk_entry"), "notify::secondary-icon-name",
			 G_CALLBACK(psk_storage_cb), self);
	g_signal_connect(editor_widget(self, "show_psk_check"), "toggled", G_CALLBACK(show_psk_cb), self);
	g_signal_connect(editor_widget(self, "generate_button"), "clicked", G_CALLBACK(generate_cb), self);
	g_signal_connect(editor_widget(self, "advanced_button"), "clicked", G_CALLBACK(advanced_cb), self);
	for (size_t i = 0; i < G_N_ELEMENTS(file_fields); i++)
		g_signal_connect(editor_widget(self, file_fields[i].button), "clicked", G_CALLBACK(choose_cb), self);
}

static GObject *editor_get_widget(NMVpnEditor *editor)
{
	return G_OBJECT(NM_MESHUB_EDITOR(editor)->widget);
}

static void setting_put(NMSettingVpn *s_vpn, const char *key, const char *value)
{
	if (value)
		nm_setting_vpn_add_data_item(s_vpn, key, value);
	else
		nm_setting_vpn_remove_data_item(s_vpn, key);
}

static gboolean update_fields(NMMeshubEditor *self, NMSettingVpn *s_vpn, GError **error)
{
	for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
		g_autofree char *v = NULL;

		if (!field_value(self, &fields[i], field_text(self, &fields[i]), &v, error))
			return FALSE;
		setting_put(s_vpn, fields[i].key, v);
	}
	return TRUE;
}

/* The key is stored only where its flags say NetworkManager or the agent
 * keeps it; flags 0 are written only if they were there before. */
static gboolean update_psk(NMMeshubEditor *self, NMSettingVpn *s_vpn, GError **error)
{
	NMSettingSecretFlags flags = psk_flags(self);
	const char *psk = widget_text(editor_widget(self, "psk_entry"));

	if (!psk_check(self, error))
		return FALSE;
	nm_setting_vpn_remove_secret(s_vpn, NM_MESHUB_KEY_PSK);
	if (*psk && !(flags & (NM_SETTING_SECRET_FLAG_NOT_SAVED | NM_SETTING_SECRET_FLAG_NOT_REQUIRED)))
		nm_setting_vpn_add_secret(s_vpn, NM_MESHUB_KEY_PSK, psk);
	nm_setting_set_secret_flags(NM_SETTING(s_vpn), NM_MESHUB_KEY_PSK, flags, NULL);
	if (flags == NM_SETTING_SECRET_FLAG_NONE && !orig_value(self, NM_MESHUB_KEY_PSK_FLAGS))
		nm_setting_vpn_remove_data_item(s_vpn, NM_MESHUB_KEY_PSK_FLAGS);
	return TRUE;
}

/* A rule between fields failed: mark the field it names, if on the page. */
static void editor_mark_item(NMMeshubEditor *self, const struct nm_meshub_item *bad)
{
	for (size_t i = 0; bad && i < G_N_ELEMENTS(fields); i++)
		if (!fields[i].advanced && !strcmp(fields[i].key, bad->key))
			widget_mark(editor_widget(self, fields[i].id), TRUE);
}

static gboolean editor_update_connection(NMVpnEditor *editor, NMConnection *connection, GError **error)
{
	NMMeshubEditor *self = NM_MESHUB_EDITOR(editor);
	NMSettingVpn *cur = nm_connection_get_setting_vpn(connection);
	NMSettingVpn *base = cur ? cur : self->orig;
	g_autoptr(NMSetting) s_vpn = base ? nm_setting_duplicate(NM_SETTING(base)) : nm_setting_vpn_new();
	const struct nm_meshub_item *bad = NULL;
	g_autoptr(GError) local = NULL;

	page_mark(self);
	g_object_set(s_vpn, NM_SETTING_VPN_SERVICE_TYPE, NM_MESHUB_SERVICE_NAME, NULL);
	if (!update_fields(self, NM_SETTING_VPN(s_vpn), error) ||
	    !update_psk(self, NM_SETTING_VPN(s_vpn), error))
		return FALSE;
	if (!nm_meshub_data_check_setting(NM_SETTING_VPN(s_vpn), &bad, &local)) {
		editor_mark_item(self, bad);
		g_set_error(error, NM_CONNECTION_ERROR, NM_CONNECTION_ERROR_INVALID_PROPERTY, "%s: %s",
			    bad ? bad->label : "?", local->message);
		return FALSE;
	}
	nm_connection_add_setting(connection, g_steal_pointer(&s_vpn));
	return TRUE;
}

static void nm_meshub_editor_init(NMMeshubEditor *self)
{
	self->adv = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
}

static void editor_dispose(GObject *object)
{
	NMMeshubEditor *self = NM_MESHUB_EDITOR(object);

	if (self->dialog)
		gtk_window_destroy(GTK_WINDOW(self->dialog)); /* advanced_destroy_cb clears it */
	/* the page may outlive the editor inside its window */
	if (self->builder) {
		GSList *objects = gtk_builder_get_objects(self->builder);

		for (GSList *l = objects; l; l = l->next)
			g_signal_handlers_disconnect_by_data(l->data, self);
		g_slist_free(objects);
	}
	g_clear_object(&self->widget);
	g_clear_object(&self->advanced);
	g_clear_object(&self->builder);
	g_clear_object(&self->orig);
	g_clear_pointer(&self->adv, g_hash_table_unref);
	G_OBJECT_CLASS(nm_meshub_editor_parent_class)->dispose(object);
}

static void nm_meshub_editor_class_init(NMMeshubEditorClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = editor_dispose;
}

static void editor_iface_init(NMVpnEditorInterface *iface)
{
	iface->get_widget = editor_get_widget;
	iface->update_connection = editor_update_connection;
}

static NMVpnEditor *editor_new(NMConnection *connection, GError **error)
{
	g_autoptr(NMMeshubEditor) self = g_object_new(NM_TYPE_MESHUB_EDITOR, NULL);
	NMSettingVpn *s_vpn = nm_connection_get_setting_vpn(connection);

	self->builder = gtk_builder_new();
	gtk_builder_set_translation_domain(self->builder, GETTEXT_PACKAGE);
	if (!gtk_builder_add_from_resource(self->builder, UI_RESOURCE, error))
		return NULL;
	self->widget = g_object_ref_sink(editor_widget(self, "meshub_box"));
	self->advanced = g_object_ref_sink(editor_widget(self, "advanced_grid"));
	if (s_vpn)
		self->orig = NM_SETTING_VPN(nm_setting_duplicate(NM_SETTING(s_vpn)));
	editor_load(self);
	editor_connect(self);
	page_mark(self);
	return NM_VPN_EDITOR(g_steal_pointer(&self));
}

G_MODULE_EXPORT NMVpnEditor *nm_vpn_editor_factory_meshub(NMVpnEditorPlugin *plugin, NMConnection *connection,
							  GError **error)
{
	g_return_val_if_fail(NM_IS_CONNECTION(connection), NULL);
	g_return_val_if_fail(!error || !*error, NULL);
	if (sodium_init() < 0) {
		g_set_error_literal(error, NM_VPN_PLUGIN_ERROR, NM_VPN_PLUGIN_ERROR_FAILED,
				    _("cannot initialise libsodium"));
		return NULL;
	}
	return editor_new(connection, error);
}
