/* fuzz-ini.c - ini_parse() on arbitrary bytes, then every value read with
 * interpolation and escaped back: nothing crashes, every key is found. */
#include "ini.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_entry(const struct ini *ini, const struct ini_entry *e)
{
	struct ini_error err;
	char *v, *esc;

	if (!ini_find(ini, e->section, e->key) || !ini_has_section(ini, e->section))
		abort();
	v = ini_value(ini, e, &err);
	if (!v) {
		if (!memchr(err.msg, '\0', sizeof(err.msg)) || err.line != e->line)
			abort();
		return;
	}
	esc = ini_escape(v);
	if (!esc || strlen(esc) < strlen(v))
		abort();
	free(esc);
	free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ini ini;
	struct ini_error err;

	if (ini_parse((const char *)data, size, &ini, &err) < 0) {
		if (!memchr(err.msg, '\0', sizeof(err.msg)) || ini.n)
			abort();
		return 0;
	}
	for (size_t i = 0; i < ini.n && i < 256; i++)
		check_entry(&ini, &ini.entries[i]);
	ini_free(&ini);
	return 0;
}
