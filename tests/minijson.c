/* minijson.c - a small recursive-descent JSON reader for test data. */
#include "minijson.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct p {
	const char *s;
	int depth;
};

static struct mj *value(struct p *p);

static void ws(struct p *p)
{
	while (isspace((unsigned char)*p->s))
		p->s++;
}

static char *string(struct p *p)
{
	size_t cap = 16, n = 0;
	char *out;

	if (*p->s != '"')
		return NULL;
	p->s++;
	out = malloc(cap);
	while (out && *p->s && *p->s != '"') {
		char c = *p->s++;
		if (c == '\\') {
			c = *p->s++;
			if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
			else if (c != '"' && c != '\\' && c != '/') {
				free(out);
				return NULL;
			}
		}
		if (n + 2 > cap) {
			char *bigger = realloc(out, cap *= 2);
			if (!bigger) {
				free(out);
				return NULL;
			}
			out = bigger;
		}
		out[n++] = c;
	}
	if (!out || *p->s != '"') {
		free(out);
		return NULL;
	}
	p->s++;
	out[n] = '\0';
	return out;
}

static int push(struct mj *v, struct mj *item, char *key)
{
	struct mj **items = realloc(v->items, (v->n + 1) * sizeof(*items));
	char **keys;

	if (!items)
		return -1;
	v->items = items;
	if (v->type == MJ_OBJECT) {
		keys = realloc(v->keys, (v->n + 1) * sizeof(*keys));
		if (!keys)
			return -1;
		v->keys = keys;
		v->keys[v->n] = key;
	}
	v->items[v->n++] = item;
	return 0;
}

static struct mj *container(struct p *p, char close)
{
	struct mj *v = calloc(1, sizeof(*v));
	int first = 1;

	if (!v)
		return NULL;
	v->type = close == '}' ? MJ_OBJECT : MJ_ARRAY;
	p->s++;
	for (;;) {
		char *key = NULL;
		struct mj *item;

		ws(p);
		if (*p->s == close && first) {
			p->s++;
			return v;
		}
		if (!first) {
			if (*p->s == close) {
				p->s++;
				return v;
			}
			if (*p->s++ != ',')
				break;
			ws(p);
		}
		first = 0;
		if (v->type == MJ_OBJECT) {
			key = string(p);
			ws(p);
			if (!key || *p->s++ != ':') {
				free(key);
				break;
			}
		}
		item = value(p);
		if (!item || push(v, item, key)) {
			free(key);
			mj_free(item);
			break;
		}
	}
	mj_free(v);
	return NULL;
}

static struct mj *value(struct p *p)
{
	struct mj *v;

	if (++p->depth > 64)
		return NULL;
	ws(p);
	if (*p->s == '{' || *p->s == '[') {
		v = container(p, *p->s == '{' ? '}' : ']');
	} else if (*p->s == '"') {
		v = calloc(1, sizeof(*v));
		if (v) {
			v->type = MJ_STRING;
			v->str = string(p);
			if (!v->str) {
				free(v);
				v = NULL;
			}
		}
	} else {
		const char *start = p->s;
		while (*p->s && (isalnum((unsigned char)*p->s) || strchr("+-.", *p->s)))
			p->s++;
		v = p->s == start ? NULL : calloc(1, sizeof(*v));
		if (v)
			v->type = *start == 'n' ? MJ_NULL : (*start == 't' || *start == 'f') ? MJ_BOOL : MJ_NUMBER;
	}
	p->depth--;
	return v;
}

struct mj *mj_parse(const char *text)
{
	struct p p = {.s = text};
	struct mj *v = value(&p);

	ws(&p);
	if (v && *p.s) {
		mj_free(v);
		return NULL;
	}
	return v;
}

const struct mj *mj_get(const struct mj *obj, const char *key)
{
	if (!obj || obj->type != MJ_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return obj->items[i];
	return NULL;
}

const char *mj_str(const struct mj *obj, const char *key)
{
	const struct mj *v = mj_get(obj, key);
	return v && v->type == MJ_STRING ? v->str : NULL;
}

void mj_free(struct mj *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		mj_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v);
}
