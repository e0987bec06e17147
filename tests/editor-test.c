/* editor-test.c - drives the meshub connection editor (GTK3 or GTK4, this
 * file is built once for each) loaded the way NetworkManager clients load
 * it: a .name file, NMVpnPluginInfo, the plugin's get_editor. It checks that
 * stored values are shown and written back unchanged, that an invalid field
 * is marked and named in the error, that the advanced dialog keeps or drops
 * its edits, and saves screenshots (PREFIX.png, PREFIX-invalid.png,
 * PREFIX-advanced.png). Usage: editor-test NAME-FILE PNG-PREFIX */
#include "config.h"

#include "nm-plugin/nm-meshub-keys.h"
#include "tests/check.h"

#include <NetworkManager.h>
#include <gtk/gtk.h>
#include <unistd.h>

#if GTK_CHECK_VERSION(4, 0, 0)
#define TOOLKIT "GTK4"
#else
#define TOOLKIT "GTK3"
#define gtk_editable_get_text(e) gtk_entry_get_text(GTK_ENTRY(e))
#define gtk_editable_set_text(e, t) gtk_entry_set_text(GTK_ENTRY(e), (t))
#define gtk_widget_has_css_class(w, c) gtk_style_context_has_class(gtk_widget_get_style_context(w), (c))
#define gtk_widget_get_root(w) gtk_widget_get_toplevel(w)
#define gtk_widget_get_width(w) gtk_widget_get_allocated_width(w)
#define gtk_widget_get_height(w) gtk_widget_get_allocated_height(w)
#endif

#define TEST_PSK "kITJPzsFjhaN4-7Q3Lz2QuCwLI1xIMT3NoRdKIic6eM="
#define WAIT_MS 5000

static const char *const full_data[][2] = {
	{ NM_MESHUB_KEY_HUB, "hub1.example.org, 198.51.100.7:4000,[2001:db8::7]:3731" },
	{ NM_MESHUB_KEY_IPV4_ADDRESS, "10.20.0.1/24" },
	{ NM_MESHUB_KEY_IPV6_ADDRESS, "fd20::1/64" },
	{ NM_MESHUB_KEY_TYPE, "TAP" },
	{ NM_MESHUB_KEY_INTERFACE, "mesh%d" },
	{ NM_MESHUB_KEY_MTU, "1400" },
	{ NM_MESHUB_KEY_ROUTES, "10.30.0.0/16,fd30::/48" },
	{ NM_MESHUB_KEY_PORT, "3732" },
	{ NM_MESHUB_KEY_ADDRESS, "0.0.0.0" },
	{ NM_MESHUB_KEY_LAN_ADVERT_PORTS, "3731, 3732" },
	{ NM_MESHUB_KEY_ADVERT_INTERVAL, "30" },
	{ NM_MESHUB_KEY_HOSTNAME, "laptop" },
	{ NM_MESHUB_KEY_PING_INTERVAL, "10" },
	{ NM_MESHUB_KEY_PING_TIMEOUT, "120" },
	{ NM_MESHUB_KEY_LOG_LEVEL, "debug" },
	{ NM_MESHUB_KEY_SUBNETS, "192.168.50.0/24" },
	{ NM_MESHUB_KEY_CA, "/etc/meshub/office-ca.crt" },
	{ NM_MESHUB_KEY_CERT, "/etc/meshub/laptop.crt" },
	{ NM_MESHUB_KEY_CRL, "/etc/meshub/revoked.crl" },
	{ NM_MESHUB_KEY_PSK_FLAGS, "0" },
	{ "x-future-option", "kept as it is" }, /* a key this editor does not know */
};

static NMVpnEditorPlugin *plugin;
static const char *png_prefix;
static unsigned changed_count;

/* ------------------------------------------------------------------ helpers */

static void spin(unsigned ms)
{
	gint64 end = g_get_monotonic_time() + ms * 1000;

	while (g_get_monotonic_time() < end) {
		while (g_main_context_pending(NULL))
			g_main_context_iteration(NULL, FALSE);
		g_usleep(10000);
	}
}

static const char *widget_id(GtkWidget *w)
{
#if GTK_CHECK_VERSION(4, 0, 0)
	return gtk_buildable_get_buildable_id(GTK_BUILDABLE(w));
#else
	return gtk_buildable_get_name(GTK_BUILDABLE(w));
#endif
}

static GtkWidget *find(GtkWidget *root, const char *id)
{
	GtkWidget *hit = NULL;

	if (!root)
		return NULL;
	if (!g_strcmp0(widget_id(root), id))
		return root;
#if GTK_CHECK_VERSION(4, 0, 0)
	for (GtkWidget *c = gtk_widget_get_first_child(root); c && !hit; c = gtk_widget_get_next_sibling(c))
		hit = find(c, id);
#else
	if (GTK_IS_CONTAINER(root)) {
		GList *children = gtk_container_get_children(GTK_CONTAINER(root));

		for (GList *l = children; l && !hit; l = l->next)
			hit = find(l->data, id);
		g_list_free(children);
	}
#endif
	return hit;
}

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
/* An open GtkFileChooserDialog, or NULL. */
static GtkWidget *find_file_chooser(void)
{
	GtkWidget *hit = NULL;
#if GTK_CHECK_VERSION(4, 0, 0)
	GListModel *tops = gtk_window_get_toplevels();

	for (guint i = 0; i < g_list_model_get_n_items(tops) && !hit; i++) {
		g_autoptr(GtkWidget) w = g_list_model_get_item(tops, i);

		if (GTK_IS_FILE_CHOOSER_DIALOG(w))
			hit = w;
	}
#else
	GList *tops = gtk_window_list_toplevels();

	for (GList *l = tops; l && !hit; l = l->next)
		if (GTK_IS_FILE_CHOOSER_DIALOG(l->data))
			hit = l->data;
	g_list_free(tops);
#endif
	return hit;
}
G_GNUC_END_IGNORE_DEPRECATIONS

/* The widget with builder id anywhere in any toplevel window. */
static GtkWidget *find_anywhere(const char *id)
{
	GtkWidget *hit = NULL;
#if GTK_CHECK_VERSION(4, 0, 0)
	GListModel *tops = gtk_window_get_toplevels();

	for (guint i = 0; i < g_list_model_get_n_items(tops) && !hit; i++) {
		g_autoptr(GtkWidget) w = g_list_model_get_item(tops, i);

		hit = find(w, id);
	}
#else
	GList *tops = gtk_window_list_toplevels();

	for (GList *l = tops; l && !hit; l = l->next)
		hit = find(l->data, id);
	g_list_free(tops);
#endif
	return hit;
}

static GtkWidget *window_new(GtkWidget *child)
{
#if GTK_CHECK_VERSION(4, 0, 0)
	GtkWidget *window = gtk_window_new();

	gtk_window_set_child(GTK_WINDOW(window), child);
	gtk_window_set_title(GTK_WINDOW(window), "meshub editor (" TOOLKIT ")");
	gtk_window_present(GTK_WINDOW(window));
#else
	GtkWidget *window = gtk_window_new(GTK_WINDOW_TOPLEVEL);

	gtk_container_add(GTK_CONTAINER(window), child);
	gtk_window_set_title(GTK_WINDOW(window), "meshub editor (" TOOLKIT ")");
	gtk_widget_show_all(window);
#endif
	return window;
}

static void window_destroy(GtkWidget *window)
{
#if GTK_CHECK_VERSION(4, 0, 0)
	gtk_window_destroy(GTK_WINDOW(window));
#else
	gtk_widget_destroy(window);
#endif
}

/* Waits (bounded) until the window is mapped and has been drawn. */
static void window_wait(GtkWidget *window)
{
	for (unsigned t = 0; t < WAIT_MS && !gtk_widget_get_mapped(window); t += 50)
		spin(50);
	spin(500);
	CHECK(gtk_widget_get_mapped(window));
}

static void screenshot(GtkWidget *window, const char *suffix)
{
	g_autofree char *path = g_strdup_printf("%s%s.png", png_prefix, suffix);
	int w = gtk_widget_get_width(window), h = gtk_widget_get_height(window);
#if GTK_CHECK_VERSION(4, 0, 0)
	g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new(window);
	GtkSnapshot *snapshot = gtk_snapshot_new();
	g_autoptr(GskRenderNode) node = NULL;
	g_autoptr(GdkTexture) texture = NULL;

	gdk_paintable_snapshot(paintable, snapshot, w, h);
	node = gtk_snapshot_free_to_node(snapshot);
	CHECK(node != NULL);
	if (!node)
		return;
	texture = gsk_renderer_render_texture(gtk_native_get_renderer(GTK_NATIVE(window)), node,
					      &GRAPHENE_RECT_INIT(0, 0, (float)w, (float)h));
	CHECK(gdk_texture_save_to_png(texture, path));
#else
	g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_get_from_window(gtk_widget_get_window(window), 0, 0, w, h);
	g_autoptr(GError) error = NULL;

	CHECK(pixbuf != NULL);
	if (!pixbuf)
		return;
	CHECK(gdk_pixbuf_save(pixbuf, path, "png", &error, NULL));
#endif
	printf("# screenshot %dx%d: %s\n", w, h, path);
}

static void click(GtkWidget *button)
{
	CHECK(button != NULL);
	if (button)
		g_signal_emit_by_name(button, "clicked");
}

static void set_text(GtkWidget *entry, const char *text)
{
	CHECK(entry != NULL);
	if (entry)
		gtk_editable_set_text(GTK_EDITABLE(entry), text);
}

static const char *get_text(GtkWidget *entry)
{
	return entry ? gtk_editable_get_text(GTK_EDITABLE(entry)) : "(no entry)";
}

static void changed_cb(NMVpnEditor *editor, gpointer data)
{
	changed_count++;
}

static NMConnection *connection_new(gboolean full)
{
	NMConnection *conn = nm_simple_connection_new();
	NMSetting *s_con = nm_setting_connection_new();
	NMSetting *s_vpn = nm_setting_vpn_new();
	g_autofree char *uuid = nm_utils_uuid_generate();

	g_object_set(s_con, NM_SETTING_CONNECTION_ID, "mesh", NM_SETTING_CONNECTION_UUID, uuid,
		     NM_SETTING_CONNECTION_TYPE, NM_SETTING_VPN_SETTING_NAME, NULL);
	g_object_set(s_vpn, NM_SETTING_VPN_SERVICE_TYPE, NM_MESHUB_SERVICE_NAME, NULL);
	for (size_t i = 0; full && i < G_N_ELEMENTS(full_data); i++)
		nm_setting_vpn_add_data_item(NM_SETTING_VPN(s_vpn), full_data[i][0], full_data[i][1]);
	if (full)
		nm_setting_vpn_add_secret(NM_SETTING_VPN(s_vpn), NM_MESHUB_KEY_PSK, TEST_PSK);
	nm_connection_add_setting(conn, s_con);
	nm_connection_add_setting(conn, s_vpn);
	return conn;
}

static void data_equal_cb(const char *key, const char *value, gpointer other)
{
	const char *v = nm_setting_vpn_get_data_item(other, key);

	if (g_strcmp0(v, value))
		fprintf(stderr, "vpn.data %s: '%s' became '%s'\n", key, value, v ? v : "(none)");
	CHECK(!g_strcmp0(v, value));
}

static void check_same_data(NMConnection *a, NMConnection *b)
{
	NMSettingVpn *sa = nm_connection_get_setting_vpn(a), *sb = nm_connection_get_setting_vpn(b);

	CHECK(sa && sb);
	if (!sa || !sb)
		return;
	CHECK_INT(nm_setting_vpn_get_num_data_items(sb), nm_setting_vpn_get_num_data_items(sa));
	nm_setting_vpn_foreach_data_item(sa, data_equal_cb, sb);
	CHECK(!g_strcmp0(nm_setting_vpn_get_secret(sa, NM_MESHUB_KEY_PSK),
			 nm_setting_vpn_get_secret(sb, NM_MESHUB_KEY_PSK)));
}

/* update_connection on a copy of conn; returns the copy or NULL with *error. */
static NMConnection *update(NMVpnEditor *editor, NMConnection *conn, GError **error)
{
	NMConnection *copy = nm_simple_connection_new_clone(conn);

	if (nm_vpn_editor_update_connection(editor, copy, error))
		return copy;
	g_object_unref(copy);
	return NULL;
}

static const char *data_of(NMConnection *conn, const char *key)
{
	NMSettingVpn *s_vpn = conn ? nm_connection_get_setting_vpn(conn) : NULL;

	return s_vpn ? nm_setting_vpn_get_data_item(s_vpn, key) : NULL;
}

/* -------------------------------------------------------------------- cases */

static NMConnection *full_conn;
static NMVpnEditor *full_editor;
static GtkWidget *full_window, *page;

static void test_plugin(void)
{
	g_autofree char *service = NULL;

	g_object_get(plugin, NM_VPN_EDITOR_PLUGIN_SERVICE, &service, NULL);
	CHECK(!g_strcmp0(service, NM_MESHUB_SERVICE_NAME));
	CHECK_INT(nm_vpn_editor_plugin_get_capabilities(plugin),
		  NM_VPN_EDITOR_PLUGIN_CAPABILITY_IMPORT | NM_VPN_EDITOR_PLUGIN_CAPABILITY_EXPORT |
			  NM_VPN_EDITOR_PLUGIN_CAPABILITY_IPV6);
}

static void test_open(void)
{
	g_autoptr(GError) error = NULL;

	full_conn = connection_new(TRUE);
	full_editor = nm_vpn_editor_plugin_get_editor(plugin, full_conn, &error);
	if (!full_editor)
		fprintf(stderr, "get_editor: %s\n", error ? error->message : "?");
	CHECK(full_editor != NULL);
	if (!full_editor)
		exit(1);
	g_signal_connect(full_editor, "changed", G_CALLBACK(changed_cb), NULL);
	page = GTK_WIDGET(nm_vpn_editor_get_widget(full_editor));
	full_window = window_new(page);
	window_wait(full_window);
	screenshot(full_window, "");
}

static void test_shows_values(void)
{
	GtkWidget *type = find(page, "type_combo");

	CHECK(!strcmp(get_text(find(page, "hub_entry")), full_data[0][1]));
	CHECK(!strcmp(get_text(find(page, "ipv4_entry")), "10.20.0.1/24"));
	CHECK(!strcmp(get_text(find(page, "ipv6_entry")), "fd20::1/64"));
	CHECK(!strcmp(get_text(find(page, "psk_entry")), TEST_PSK));
	CHECK(!strcmp(get_text(find(page, "ca_entry")), "/etc/meshub/office-ca.crt"));
	CHECK(!strcmp(get_text(find(page, "cert_entry")), "/etc/meshub/laptop.crt"));
	CHECK(!strcmp(get_text(find(page, "crl_entry")), "/etc/meshub/revoked.crl"));
	CHECK(type && !g_strcmp0(gtk_combo_box_get_active_id(GTK_COMBO_BOX(type)), "tap"));
	CHECK(!gtk_widget_has_css_class(find(page, "ipv4_entry"), "error"));
}

static void test_unchanged(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NMConnection) out = update(full_editor, full_conn, &error);

	if (!out)
		fprintf(stderr, "update_connection: %s\n", error->message);
	CHECK(out != NULL);
	if (out)
		check_same_data(full_conn, out);
}

static void test_invalid_ipv4(void)
{
	GtkWidget *entry = find(page, "ipv4_entry");
	unsigned before = changed_count;
	g_autoptr(GError) error = NULL;
	g_autoptr(NMConnection) bad = NULL;
	g_autoptr(NMConnection) good = NULL;

	set_text(entry, "10.20.0.300/24");
	CHECK(changed_count > before);
	CHECK(gtk_widget_has_css_class(entry, "error"));
	spin(200);
	screenshot(full_window, "-invalid");
	bad = update(full_editor, full_conn, &error);
	CHECK(bad == NULL);
	CHECK(error && strstr(error->message, "IPv4 address"));
	if (error)
		printf("# invalid IPv4 address: %s\n", error->message);
	set_text(entry, "10.20.0.1/24");
	CHECK(!gtk_widget_has_css_class(entry, "error"));
	good = update(full_editor, full_conn, NULL);
	CHECK(good != NULL);
	if (good)
		check_same_data(full_conn, good);
}

/* The CA network's files: paths are checked, the rules between them too,
 * and "Choose…" opens a file chooser whose answer fills the entry. */
static void test_ca_files(void)
{
	GtkWidget *ca = find(page, "ca_entry"), *cert = find(page, "cert_entry"), *chooser = NULL;
	g_autofree char *path = g_strdup_printf("%s/ca-picked.crt", g_get_tmp_dir());
	g_autoptr(GError) error = NULL;
	g_autoptr(NMConnection) out = NULL;

	set_text(cert, "laptop.crt");
	CHECK(gtk_widget_has_css_class(cert, "error"));
	out = update(full_editor, full_conn, &error);
	CHECK(out == NULL && error && strstr(error->message, "Certificate: not an absolute path"));
	if (error)
		printf("# relative certificate path: %s\n", error->message);
	g_clear_error(&error);
	set_text(cert, "/etc/meshub/laptop.crt");
	set_text(ca, "");
	out = update(full_editor, full_conn, &error);
	CHECK(out == NULL && error && strstr(error->message, "Certificate: set without ca"));
	CHECK(gtk_widget_has_css_class(cert, "error"));
	g_clear_error(&error);

	CHECK(g_file_set_contents(path, "-----BEGIN MESHUB CA CERTIFICATE-----\n", -1, NULL));
	click(find(page, "ca_button"));
	for (unsigned t = 0; t < WAIT_MS && !chooser; t += 50) {
		chooser = find_file_chooser();
		spin(50);
	}
	CHECK(chooser != NULL);
	if (chooser) {
		g_autoptr(GFile) file = g_file_new_for_path(path);

		window_wait(chooser);
		screenshot(chooser, "-choose-ca");
		CHECK(gtk_file_chooser_set_file(GTK_FILE_CHOOSER(chooser), file, NULL));
		spin(300);
		gtk_dialog_response(GTK_DIALOG(chooser), GTK_RESPONSE_ACCEPT);
		spin(100);
	}
	CHECK(!strcmp(get_text(ca), path));
	CHECK(find_file_chooser() == NULL);
	out = update(full_editor, full_conn, NULL);
	CHECK(out && !g_strcmp0(data_of(out, NM_MESHUB_KEY_CA), path));
	g_clear_object(&out);
	set_text(ca, "/etc/meshub/office-ca.crt");
	out = update(full_editor, full_conn, NULL);
	CHECK(out != NULL);
	if (out)
		check_same_data(full_conn, out);
	unlink(path);
}

static GtkWidget *advanced_open(void)
{
	GtkWidget *grid;

	click(find(page, "advanced_button"));
	spin(100);
	grid = find_anywhere("advanced_grid");
	CHECK(grid != NULL);
	if (!grid)
		return NULL;
	window_wait(GTK_WIDGET(gtk_widget_get_root(grid)));
	return grid;
}

static void advanced_respond(GtkWidget *grid, int response)
{
	gtk_dialog_response(GTK_DIALOG(gtk_widget_get_root(grid)), response);
	spin(100);
	CHECK(find_anywhere("advanced_grid") == NULL);
}

static void test_advanced_ok(void)
{
	GtkWidget *grid = advanced_open();
	unsigned before = changed_count;
	g_autoptr(NMConnection) out = NULL;

	if (!grid)
		return;
	CHECK(!strcmp(get_text(find(grid, "ping_interval_entry")), "10"));
	CHECK(!strcmp(get_text(find(grid, "interface_entry")), "mesh%d"));
	CHECK(!strcmp(get_text(find(grid, "lan_ports_entry")), "3731, 3732"));
	screenshot(GTK_WIDGET(gtk_widget_get_root(grid)), "-advanced");
	set_text(find(grid, "mtu_entry"), " 1500 ");
	advanced_respond(grid, GTK_RESPONSE_OK);
	CHECK(changed_count > before);
	out = update(full_editor, full_conn, NULL);
	CHECK(out != NULL);
	CHECK(!g_strcmp0(data_of(out, NM_MESHUB_KEY_MTU), "1500"));
	CHECK(!g_strcmp0(data_of(out, NM_MESHUB_KEY_LAN_ADVERT_PORTS), "3731, 3732"));
	CHECK(!g_strcmp0(data_of(out, "x-future-option"), "kept as it is"));
}

static void test_advanced_cancel(void)
{
	GtkWidget *grid = advanced_open();
	GtkWidget *dialog, *port, *ok;
	g_autoptr(NMConnection) out = NULL;

	if (!grid)
		return;
	dialog = GTK_WIDGET(gtk_widget_get_root(grid));
	port = find(grid, "port_entry");
	CHECK(!strcmp(get_text(find(grid, "mtu_entry")), "1500")); /* accepted before */
	set_text(port, "99999");
	CHECK(gtk_widget_has_css_class(port, "error"));
	ok = gtk_dialog_get_widget_for_response(GTK_DIALOG(dialog), GTK_RESPONSE_OK);
	CHECK(ok && !gtk_widget_get_sensitive(ok));
	advanced_respond(grid, GTK_RESPONSE_CANCEL);
	CHECK(!strcmp(get_text(port), "3732"));
	out = update(full_editor, full_conn, NULL);
	CHECK(!g_strcmp0(data_of(out, NM_MESHUB_KEY_PORT), "3732"));
}

static void print_item_cb(const char *key, const char *value, gpointer data)
{
	printf("#   %s = %s\n", key, value);
}

static void test_new_connection(void)
{
	g_autoptr(NMConnection) conn = connection_new(FALSE);
	g_autoptr(NMVpnEditor) editor = nm_vpn_editor_plugin_get_editor(plugin, conn, NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(NMConnection) out = NULL;
	GtkWidget *widget, *window;
	NMSettingVpn *s_vpn;
	const char *psk;

	CHECK(editor != NULL);
	if (!editor)
		return;
	widget = GTK_WIDGET(nm_vpn_editor_get_widget(editor));
	window = window_new(widget);
	window_wait(window);
	out = update(editor, conn, &error);
	CHECK(out == NULL && error && strstr(error->message, "IPv4 address"));
	set_text(find(widget, "hub_entry"), "hub.example.org");
	set_text(find(widget, "ipv4_entry"), "10.20.0.2/24");
	click(find(widget, "generate_button"));
	psk = get_text(find(widget, "psk_entry"));
	CHECK_INT(strlen(psk), 44);
	out = update(editor, conn, NULL);
	CHECK(out != NULL);
	s_vpn = out ? nm_connection_get_setting_vpn(out) : NULL;
	CHECK(s_vpn && nm_setting_vpn_get_num_data_items(s_vpn) == 2); /* nothing implicit added */
	if (s_vpn)
		nm_setting_vpn_foreach_data_item(s_vpn, print_item_cb, NULL);
	CHECK(!g_strcmp0(data_of(out, NM_MESHUB_KEY_HUB), "hub.example.org"));
	CHECK(s_vpn && !g_strcmp0(nm_setting_vpn_get_secret(s_vpn, NM_MESHUB_KEY_PSK), psk));
	window_destroy(window);
}

/* The key is kept where its flags say it is stored, dropped where it is not. */
static void test_psk_flags(void)
{
	static const struct {
		const char *flags;
		gboolean kept;
	} cases[] = { { "1", TRUE }, { "2", FALSE } };

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(NMConnection) conn = connection_new(TRUE);
		g_autoptr(NMVpnEditor) editor = NULL;
		g_autoptr(NMConnection) out = NULL;
		NMSettingVpn *s_vpn;

		nm_setting_vpn_add_data_item(nm_connection_get_setting_vpn(conn), NM_MESHUB_KEY_PSK_FLAGS,
					     cases[i].flags);
		editor = nm_vpn_editor_plugin_get_editor(plugin, conn, NULL);
		out = editor ? update(editor, conn, NULL) : NULL;
		CHECK(out != NULL);
		if (!out)
			continue;
		s_vpn = nm_connection_get_setting_vpn(out);
		CHECK(!g_strcmp0(data_of(out, NM_MESHUB_KEY_PSK_FLAGS), cases[i].flags));
		CHECK(!g_strcmp0(nm_setting_vpn_get_secret(s_vpn, NM_MESHUB_KEY_PSK),
				 cases[i].kept ? TEST_PSK : NULL));
	}
}

/* The dialog open while its parent window, or the editor, goes away. */
static void test_teardown_with_dialog(void)
{
	for (int editor_first = 0; editor_first < 2; editor_first++) {
		g_autoptr(NMConnection) conn = connection_new(TRUE);
		NMVpnEditor *editor = nm_vpn_editor_plugin_get_editor(plugin, conn, NULL);
		GtkWidget *widget, *window;

		CHECK(editor != NULL);
		if (!editor)
			return;
		widget = GTK_WIDGET(nm_vpn_editor_get_widget(editor));
		window = window_new(widget);
		window_wait(window);
		click(find(widget, "advanced_button"));
		spin(200);
		CHECK(find_anywhere("advanced_grid") != NULL);
		if (editor_first) {
			g_object_unref(editor);
			spin(100);
			CHECK(find_anywhere("advanced_grid") == NULL);
			window_destroy(window);
		} else {
			window_destroy(window);
			spin(100);
			g_object_unref(editor);
		}
		spin(100);
	}
}

int main(int argc, char **argv)
{
	g_autoptr(NMVpnPluginInfo) info = NULL;
	g_autoptr(GError) error = NULL;

	if (argc != 3) {
		fprintf(stderr, "usage: %s NAME-FILE PNG-PREFIX\n", argv[0]);
		return 99;
	}
	alarm(120); /* never hang the test run */
	png_prefix = argv[2];
#if GTK_CHECK_VERSION(4, 0, 0)
	if (!gtk_init_check()) {
#else
	if (!gtk_init_check(&argc, &argv)) {
#endif
		fprintf(stderr, "no display: skipped\n");
		return 77;
	}
	info = nm_vpn_plugin_info_new_from_file(argv[1], &error);
	plugin = info ? nm_vpn_plugin_info_load_editor_plugin(info, &error) : NULL;
	if (!plugin) {
		fprintf(stderr, "loading the plugin from %s: %s\n", argv[1], error->message);
		return 1;
	}
	printf("# %s editor from %s\n", TOOLKIT, nm_vpn_plugin_info_get_plugin(info));
	RUN(test_plugin);
	RUN(test_open);
	RUN(test_shows_values);
	RUN(test_unchanged);
	RUN(test_invalid_ipv4);
	RUN(test_ca_files);
	RUN(test_advanced_ok);
	RUN(test_advanced_cancel);
	RUN(test_new_connection);
	RUN(test_psk_flags);
	RUN(test_teardown_with_dialog);
	g_clear_object(&full_editor);
	g_clear_object(&full_conn);
	return check_exit();
}
