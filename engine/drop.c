/* drop.c - the names of the drop reasons (see drop.h), as status shows them. */
#include "config.h"

#include "drop.h"

const char *const drop_reason_names[DROP_MAX] = {
	[DROP_MALFORMED] = "malformed",
	[DROP_UNKNOWN_TYPE] = "unknown_type",
	[DROP_TRUNCATED] = "truncated",
	[DROP_WRONG_NETWORK] = "wrong_network",
	[DROP_NOT_FROM_HUB] = "not_from_hub",
	[DROP_BAD_ADVERT] = "bad_advert",
	[DROP_STALE_ADVERT] = "stale_advert",
	[DROP_SELF] = "self",
	[DROP_MAC1] = "bad_mac",
	[DROP_HANDSHAKE] = "bad_handshake",
	[DROP_REPLAYED_INIT] = "replayed_handshake",
	[DROP_HS_RATE] = "handshake_rate",
	[DROP_HS_COOKIE] = "handshake_cookie",
	[DROP_BAD_COOKIE] = "bad_cookie",
	[DROP_UNKNOWN_INDEX] = "unknown_session",
	[DROP_AUTH] = "bad_auth",
	[DROP_REPLAY] = "replay",
	[DROP_STALE] = "stale",
	[DROP_SOURCE_ADDRESS] = "source_not_allowed",
	[DROP_NO_ROUTE] = "no_route",
	[DROP_QUEUE_FULL] = "queue_full",
	[DROP_TOO_BIG] = "too_big",
	[DROP_TUN_WRITE] = "tun_write",
	[DROP_SEND] = "send_failed",
	[DROP_TABLE_FULL] = "table_full",
	[DROP_LAN_OFF] = "lan_discovery_off",
	[DROP_LAN_OFFLINK] = "lan_off_link",
	[DROP_LAN_UNICAST] = "lan_not_broadcast",
	[DROP_HUB_UNMATCHED] = "hub_unmatched",
	[DROP_HUB_AUTH] = "hub_auth",
};
