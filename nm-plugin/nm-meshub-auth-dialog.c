/* nm-meshub-auth-dialog.c - the auth dialog that NetworkManager's secret
 * agents run to get a meshub connection's network key:
 *  - with --external-ui-mode (GNOME Shell, nmcli --ask or passwd-file) it
 *    describes the "psk" secret as a [VPN Plugin UI] key file and the agent
 *    asks for it;
 *  - otherwise (nm-applet, older agents) it hands back the key the agent
 *    has, or asks for it in a dialog of its own when allowed to interact
 *    (nm-meshub-auth-ui.h; builds without GTK cannot, and say so).
 * Input on stdin: DATA_KEY=/DATA_VAL=/SECRET_KEY=/SECRET_VAL= lines, DONE. */
#include "config.h"

#include "nm-plugin/nm-meshub-auth-ui.h"
#include "nm-plugin/nm-meshub-keys.h"

#include <NetworkManager.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define UI_GROUP "VPN Plugin UI"

struct options {
	char *uuid, *name, *service;
	gboolean interaction, reprompt, external;
	char **hints;
};

static gboolean parse_options(int *argc, char ***argv, struct options *o)
{
	const GOptionEntry entries[] = {
		{ "uuid", 'u', 0, G_OPTION_ARG_STRING, &o->uuid, N_("UUID of the connection"), "UUID" },
		{ "name", 'n', 0, G_OPTION_ARG_STRING, &o->name, N_("Name of the connection"), "NAME" },
		{ "service", 's', 0, G_OPTION_ARG_STRING, &o->service, N_("VPN service type"), "SERVICE" },
		{ "allow-interaction", 'i', 0, G_OPTION_ARG_NONE, &o->interaction, N_("Allow user interaction"),
		  NULL },
		{ "reprompt", 'r', 0, G_OPTION_ARG_NONE, &o->reprompt, N_("Ask again for the secrets"), NULL },
		{ "hint", 't', 0, G_OPTION_ARG_STRING_ARRAY, &o->hints, N_("Hints from the VPN service"), "HINT" },
		{ "external-ui-mode", 0, 0, G_OPTION_ARG_NONE, &o->external, N_("Describe the secrets, do not ask"),
		  NULL },
		{ NULL },
	};
	g_autoptr(GOptionContext) context = g_option_context_new(_("- meshub network key for NetworkManager"));
	g_autoptr(GError) error = NULL;

	g_option_context_set_translation_domain(context, GETTEXT_PACKAGE);
	g_option_context_add_main_entries(context, entries, GETTEXT_PACKAGE);
	if (!g_option_context_parse(context, argc, argv, &error)) {
		g_printerr("nm-meshub-auth-dialog: %s\n", error->message);
		return FALSE;
	}
	if (o->service && strcmp(o->service, NM_MESHUB_SERVICE_NAME)) {
		g_printerr(_("nm-meshub-auth-dialog: this dialog is for %s, not %s\n"), NM_MESHUB_SERVICE_NAME,
			   o->service);
		return FALSE;
	}
	return TRUE;
}

static void options_clear(struct options *o)
{
	g_free(o->uuid);
	g_free(o->name);
	g_free(o->service);
	g_strfreev(o->hints);
}

/* The agent shows this and asks for every secret with ShouldAsk. */
static void print_ui(const struct options *o, const char *existing, gboolean ask)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree char *description = g_strdup_printf(_("The mesh VPN “%s” needs its network key."),
							o->name ? o->name : "?");
	char *text;
	gsize len = 0;

	g_key_file_set_integer(kf, UI_GROUP, "Version", 2);
	g_key_file_set_string(kf, UI_GROUP, "Description", description);
	g_key_file_set_string(kf, UI_GROUP, "Title", _("Authenticate mesh VPN"));
	g_key_file_set_string(kf, NM_MESHUB_KEY_PSK, "Value", existing ? existing : "");
	g_key_file_set_string(kf, NM_MESHUB_KEY_PSK, "Label", _("Network key (from meshub genkey):"));
	g_key_file_set_boolean(kf, NM_MESHUB_KEY_PSK, "IsSecret", TRUE);
	g_key_file_set_boolean(kf, NM_MESHUB_KEY_PSK, "ShouldAsk", ask);
	text = g_key_file_to_data(kf, &len, NULL);
	fwrite(text, 1, len, stdout);
	fflush(stdout);
	memset(text, 0, len); /* it may hold the key */
	g_free(text);
}

/* The old protocol: "key\nvalue\n" pairs, an empty line, then wait for QUIT. */
static void print_secrets(const char *existing)
{
	char line[64];

	if (existing)
		printf("%s\n%s\n", NM_MESHUB_KEY_PSK, existing);
	printf("\n\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin) && strncmp(line, "QUIT", 4))
		;
}

/* No key to hand back: ask for one in a dialog, if allowed to interact. */
static int ask_and_print(const struct options *o, const char *existing)
{
	const char *name = o->name ? o->name : "?";
	g_autoptr(GError) error = NULL;
	char *key = NULL;

	if (o->interaction)
		key = nm_meshub_auth_ui_ask(name, existing, &error);
	/* plain quotes: stderr goes to NetworkManager's log, often in the C locale */
	if (!key && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		g_printerr(_("nm-meshub-auth-dialog: the connection \"%s\" needs its network key: %s\n"), name,
			   error->message);
		return 1;
	}
	if (!key) {
		g_printerr(_("nm-meshub-auth-dialog: the connection \"%s\" has no network key and this dialog "
			     "cannot ask for one (%s); use GNOME Shell or nmcli --ask, or store the key with the "
			     "connection (vpn.secrets psk)\n"),
			   name, error ? error->message : _("the agent does not allow interaction"));
		return 1;
	}
	print_secrets(key);
	sodium_memzero(key, strlen(key));
	g_free(key);
	return 0;
}

static int run(const struct options *o, GHashTable *data, GHashTable *secrets)
{
	NMSettingSecretFlags flags = NM_SETTING_SECRET_FLAG_NONE;
	const char *existing = g_hash_table_lookup(secrets, NM_MESHUB_KEY_PSK);
	gboolean ask;

	if (existing && !*existing)
		existing = NULL;
	nm_vpn_service_plugin_get_secret_flags(data, NM_MESHUB_KEY_PSK, &flags);
	ask = !(flags & NM_SETTING_SECRET_FLAG_NOT_REQUIRED) && (!existing || o->reprompt);
	if (o->external) {
		print_ui(o, existing, ask);
		return 0;
	}
	if (ask)
		return ask_and_print(o, existing);
	print_secrets(existing);
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	g_autoptr(GHashTable) data = NULL;
	g_autoptr(GHashTable) secrets = NULL;
	int ret = 1;

	setlocale(LC_ALL, "");
	bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);
	if (parse_options(&argc, &argv, &o)) {
		/* FALSE also for no items at all: then there is nothing to know */
		if (!nm_vpn_service_plugin_read_vpn_details(STDIN_FILENO, &data, &secrets)) {
			data = g_hash_table_new(g_str_hash, g_str_equal);
			secrets = g_hash_table_new(g_str_hash, g_str_equal);
		}
		ret = run(&o, data, secrets);
	}
	options_clear(&o);
	return ret;
}
