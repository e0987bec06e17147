/* nm-meshub-data.h - the vpn.data keys of a meshub connection and what
 * only NetworkManager needs to know of them: which configuration-file key
 * each stands for and how the editors label it. What a key takes, its
 * range, default and the messages about it come from the engine's schema
 * (engine/conf.h), so meshubd, nmcli import and the editors word every
 * mistake alike. GTK-free. */
#pragma once

#include <NetworkManager.h>

#include "engine/conf.h"

#define NM_MESHUB_DEFAULT_HUB_PORT CONF_DEFAULT_PORT

struct nm_meshub_item {
	const char *key;      /* vpn.data key (nm-meshub-keys.h) */
	const char *section;  /* config file section, NULL if not in the file (psk-flags) */
	const char *file_key; /* config file key */
	const char *label;    /* what the editor calls it */
};

/* The table, in the order the editor shows the fields; NULL-key terminated. */
extern const struct nm_meshub_item nm_meshub_items[];

const struct nm_meshub_item *nm_meshub_data_find(const char *key);
const struct nm_meshub_item *nm_meshub_data_find_file(const char *section, const char *file_key);
/* The engine's row of an item (NULL for psk-flags). */
const struct conf_schema *nm_meshub_data_schema(const struct nm_meshub_item *item);

/* Checks value with the engine's checks and returns its normal form (lists
 * without blanks or empty entries, canonical numbers, lower-case keywords;
 * "" = the engine default, i.e. leave the key out). NULL with error holding
 * the engine's sentence ("not a port; expected ..., got '...'"). */
char *nm_meshub_data_normalize(const struct nm_meshub_item *item, const char *value, GError **error);

/* Appends ":port" to every hub entry that has no port. */
char *nm_meshub_data_hubs_with_port(const char *hubs, unsigned port);

/* Lines a caller adds to a section of the file (NULL: none). */
typedef gboolean (*nm_meshub_data_extra_fn)(const char *section, GString *ini, gpointer data, GError **error);

/* meshubd's configuration file for s_vpn ([socket] [hub] [vpn] [tun], '%'
 * escaped, values in their normal form, no key); NULL on a bad value. */
char *nm_meshub_data_to_ini(NMSettingVpn *s_vpn, nm_meshub_data_extra_fn extra, gpointer data, GError **error);

/* Maps an error of the engine's parser to the vpn.data item of its key
 * (NULL if the key has none). */
const struct nm_meshub_item *nm_meshub_data_item_of(const struct conf_error *err);

/* Checks every known key of s_vpn and the rules between keys, both with the
 * engine's parser. On failure *bad (if not NULL) is the offending item and
 * the message does not name it, so callers can prefix the field label or
 * the file position. Unknown keys are left alone. */
gboolean nm_meshub_data_check_setting(NMSettingVpn *s_vpn, const struct nm_meshub_item **bad, GError **error);

/* Checks a network key without ever putting it into the message. */
gboolean nm_meshub_data_check_psk(const char *psk, GError **error);

/* "got '...'" text for messages: truncated, non-printables escaped. */
char *nm_meshub_data_quote(const char *value);
