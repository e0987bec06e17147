/* nm-meshub-auth-none.c - the auth dialog's prompt in builds without GTK:
 * there is none, and the error says what to use instead. */
#include "config.h"

#include "nm-meshub-auth-ui.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

char *nm_meshub_auth_ui_ask(const char *name, const char *existing, GError **error)
{
	g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    _("this build has no graphical prompt (configured --without-gnome)"));
	return NULL;
}
