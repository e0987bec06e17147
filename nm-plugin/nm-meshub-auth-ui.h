/* nm-meshub-auth-ui.h - the auth dialog's own prompt, for secret agents
 * without external UI mode (nm-applet on XFCE, MATE, Cinnamon): a GTK
 * dialog in builds with the GNOME editors (nm-meshub-auth-gtk.c), none
 * otherwise (nm-meshub-auth-none.c). */
#pragma once

#include <glib.h>

/* Asks for the network key of the connection called name, showing
 * existing (may be NULL) to start with. Returns a valid key, which the
 * caller wipes and frees, or NULL with error set: no display, no GTK in
 * this build, or the user cancelled (G_IO_ERROR_CANCELLED). */
char *nm_meshub_auth_ui_ask(const char *name, const char *existing, GError **error);
