/* import-export.h - turning a meshub configuration file (the engine's INI
 * format, including the original meshub's client.cfg) into a NetworkManager
 * connection and a connection back into a file meshubd accepts. GTK-free. */
#pragma once

#include <NetworkManager.h>

#define NM_MESHUB_IMPORT_MAX (1024 * 1024)

/* Parses text; name is what error messages call the file (FILE:LINE: ...)
 * and its basename without extension becomes the connection id. The PSK
 * goes into vpn.secrets with psk-flags 0 (saved system-wide). */
NMConnection *nm_meshub_import_text(const char *name, const char *text, gsize len, GError **error);

/* Reads path (a regular file of at most NM_MESHUB_IMPORT_MAX bytes). */
NMConnection *nm_meshub_import_file(const char *path, GError **error);

/* The configuration file for connection, including the PSK if the
 * connection holds it; free with nm_meshub_export_free(). */
char *nm_meshub_export_text(NMConnection *connection, GError **error);
void nm_meshub_export_free(char *text);

/* Writes the file with mode 0600 (it may hold the PSK). */
gboolean nm_meshub_export_file(const char *path, NMConnection *connection, GError **error);
