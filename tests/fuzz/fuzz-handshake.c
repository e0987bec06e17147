/* fuzz-handshake.c - handshake messages past the mac1 check: the target
 * appends a valid mac1 to the fuzzer's bytes so that the Noise processing,
 * payload decoding and state handling behind it get exercised too. */
#include "config.h"

#include "handshake.h"

#include <sodium.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct net_keys nk;
static struct identity me, peer;

static void setup(void)
{
	uint8_t psk[32];

	if (sodium_init() < 0)
		return;
	memset(psk, 7, sizeof(psk));
	keys_derive(psk, &nk);
	memset(me.priv, 1, 32);
	noise_pubkey(me.pub, me.priv);
	memset(peer.priv, 2, 32);
	noise_pubkey(peer.pub, peer.priv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	uint8_t msg[WIRE_HS_INIT_MAX + 2 * WIRE_ID_LEN], init[WIRE_HS_INIT_MAX];
	struct handshake hs;
	struct handshake_info info;
	size_t len, init_len;

	if (!ready++)
		setup();
	if (size < 1 || size - 1 > WIRE_HS_INIT_MAX)
		return 0;
	len = size - 1;
	memcpy(msg, data + 1, len);
	if (data[0] & 1) {
		/* a response to a pending initiation of ours (index 1234) */
		if (handshake_initiate(&hs, &nk, &me, peer.pub, 1234, 1, NULL, init, sizeof(init), &init_len))
			return 0;
		if (len >= 12) {
			msg[0] = WIRE_HS_RESP;
			msg[8] = 0, msg[9] = 0, msg[10] = 0x04, msg[11] = 0xd2;
		}
		handshake_mac1(&nk, msg, len, msg + len);
		handshake_consume_resp(&hs, &nk, msg, len + WIRE_ID_LEN, &info);
	} else {
		if (len >= 1)
			msg[0] = WIRE_HS_INIT;
		/* a valid mac1 (the fuzzer cannot find one), mac2 zero */
		handshake_mac1(&nk, msg, len, msg + len);
		memset(msg + len + WIRE_ID_LEN, 0, WIRE_ID_LEN);
		if (handshake_consume_init(&hs, &nk, &me, msg, len + 2 * WIRE_ID_LEN, &info) == 0) {
			uint8_t resp[WIRE_HS_RESP_MAX];
			size_t resp_len;
			handshake_respond(&hs, &nk, 99, NULL, resp, sizeof(resp), &resp_len);
		}
	}
	handshake_clear(&hs);
	return 0;
}
