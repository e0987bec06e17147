/* minijson.h - just enough JSON to read the Noise test-vector file. */
#pragma once

#include <stddef.h>

enum mj_type { MJ_NULL, MJ_BOOL, MJ_NUMBER, MJ_STRING, MJ_ARRAY, MJ_OBJECT };

struct mj {
	enum mj_type type;
	char *str;	     /* MJ_STRING: the unescaped text (ASCII escapes only) */
	char **keys;	     /* MJ_OBJECT */
	struct mj **items;   /* MJ_ARRAY, MJ_OBJECT */
	size_t n;
};

/* Parses text; NULL on malformed input. */
struct mj *mj_parse(const char *text);
const struct mj *mj_get(const struct mj *obj, const char *key);
const char *mj_str(const struct mj *obj, const char *key);
void mj_free(struct mj *v);
