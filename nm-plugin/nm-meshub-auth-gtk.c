/* nm-meshub-auth-gtk.c - the auth dialog's prompt: libnma's
 * NMAVpnPasswordDialog (GTK3) asking for the network key until it gets a
 * valid one or the user cancels. */
#include "config.h"

#include "nm-meshub-auth-ui.h"

#include "engine/keys.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <gtk/gtk.h>
#include <nma-vpn-password-dialog.h>
#include <sodium.h>
#include <string.h>

/* A user who keeps typing wrong keys is asked this often, then given up on. */
#define AUTH_TRIES 10

static gboolean auth_key_valid(const char *text)
{
	uint8_t psk[KEYS_PSK_LEN];
	gboolean ok = keys_parse_psk(text, psk) == 0;

	sodium_memzero(psk, sizeof(psk));
	return ok;
}

static GtkWidget *auth_dialog_new(const char *name, const char *message, const char *prefill)
{
	g_autofree char *title = g_strdup_printf(_("Authenticate mesh VPN %s"), name);
	GtkWidget *dialog = nma_vpn_password_dialog_new(title, message, NULL);
	NMAVpnPasswordDialog *d = NMA_VPN_PASSWORD_DIALOG(dialog);

	nma_vpn_password_dialog_set_password_label(d, _("Network _key:"));
	nma_vpn_password_dialog_set_show_password_secondary(d, FALSE);
	nma_vpn_password_dialog_set_show_password_ternary(d, FALSE);
	if (prefill)
		nma_vpn_password_dialog_set_password(d, prefill);
	nma_vpn_password_dialog_focus_password(d);
	return dialog;
}

/* One dialog: TRUE with the text entered (to be wiped and freed), FALSE
 * if the user cancelled. */
static gboolean auth_dialog_run(const char *name, const char *message, const char *prefill, char **text)
{
	GtkWidget *dialog = auth_dialog_new(name, message, prefill);
	NMAVpnPasswordDialog *d = NMA_VPN_PASSWORD_DIALOG(dialog);
	gboolean ok;

	gtk_widget_show(dialog);
	ok = nma_vpn_password_dialog_run_and_block(d);
	*text = ok ? g_strdup(nma_vpn_password_dialog_get_password(d)) : NULL;
	nma_vpn_password_dialog_set_password(d, "");
	gtk_widget_destroy(dialog);
	return ok;
}

char *nm_meshub_auth_ui_ask(const char *name, const char *existing, GError **error)
{
	g_autofree char *message = g_strdup_printf(_("The mesh VPN “%s” needs its network key."), name);
	g_autofree char *retry = g_strdup_printf(_("That is not a network key: expected 32 bytes in base64 (44 "
						   "characters, as printed by “meshub genkey”). The mesh VPN "
						   "“%s” needs its network key."),
						 name);
	char *text = NULL;

	if (!gtk_init_check(NULL, NULL)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, _("cannot open the display '%s'"),
			    g_getenv("DISPLAY") ? g_getenv("DISPLAY") : "");
		return NULL;
	}
	for (int i = 0; i < AUTH_TRIES; i++) {
		if (!auth_dialog_run(name, i ? retry : message, i ? NULL : existing, &text))
			break;
		if (text && auth_key_valid(text))
			return text;
		if (text)
			sodium_memzero(text, strlen(text));
		g_clear_pointer(&text, g_free);
	}
	g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("no key was entered"));
	return NULL;
}
