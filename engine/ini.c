/* ini.c - reads INI text line by line the way Python's configparser does
 * (strict mode, BasicInterpolation), without doing any I/O. */
#include "ini.h"

#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define INI_MAX_TEXT (1u << 20)
#define INI_MAX_ENTRIES 4096
#define INI_MAX_SECTIONS 4096
#define INI_MAX_DEPTH 10    /* configparser's MAX_INTERPOLATION_DEPTH */
#define INI_MAX_REFS 256    /* %(name)s expansions while reading one value */
#define INI_NAME_SHOWN 40   /* characters of a section name quoted in messages */
#define INI_KEY_SHOWN 32    /* key names longer than this are not quoted */
#define INI_DEFAULT "DEFAULT"

struct ini_parser {
	struct ini *ini;
	struct ini_error *err;
	unsigned lineno;
	char *section; /* current section (an element of ini->sections); NULL before the first */
	bool in_key;   /* the last value line was a key's: more indented lines continue it */
	size_t indent; /* indentation of the last key or section line */
	unsigned blanks; /* blank lines since the last value line */
	size_t cap_entries, cap_sections;
	size_t raw_len, raw_cap; /* of the last entry's value */
};

struct ini_interp {
	const struct ini *ini;
	const struct ini_entry *e; /* the entry being read */
	struct ini_error *err;
	char *buf;
	size_t len, cap;
	unsigned refs;
};

__attribute__((format(printf, 4, 5))) static int ini_fail(struct ini_error *err, unsigned line, int ret,
							   const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return ret;
}

void ini_quote(char *out, size_t size, const char *text, size_t max)
{
	size_t o = 0, i;

	if (!size)
		return;
	for (i = 0; text[i] && i < max; i++) {
		unsigned char c = (unsigned char)text[i];
		char tmp[8];
		size_t n;

		if (c == '\n' || c == '\t' || c == '\\')
			n = (size_t)snprintf(tmp, sizeof(tmp), "\\%c", c == '\n' ? 'n' : c == '\t' ? 't' : '\\');
		else if (c < 0x20 || c >= 0x7f)
			n = (size_t)snprintf(tmp, sizeof(tmp), "\\x%02x", c);
		else
			n = (size_t)snprintf(tmp, sizeof(tmp), "%c", c);
		if (o + n + 1 > size)
			break;
		memcpy(out + o, tmp, n);
		o += n;
	}
	if (text[i] && o + 4 <= size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* Key names in messages; a long one may be a key pasted alone on a line
 * ("<base64>=") and is not shown. */
static void ini_quote_key(char *out, size_t size, const char *key)
{
	if (strlen(key) > INI_KEY_SHOWN)
		snprintf(out, size, "(%zu characters, not shown)", strlen(key));
	else
		ini_quote(out, size, key, INI_KEY_SHOWN);
}

static bool ini_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

static char *ini_strndup(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static int ini_grow(void **array, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	void *n;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	n = realloc(*array, ncap * elem);
	if (!n)
		return -ENOMEM;
	*array = n;
	*cap = ncap;
	return 0;
}

static char *ini_section_find(const struct ini *ini, const char *name, size_t *index)
{
	for (size_t i = 0; i < ini->n_sections; i++)
		if (!strcmp(ini->sections[i], name)) {
			*index = i;
			return ini->sections[i];
		}
	return NULL;
}

static int ini_section_add(struct ini_parser *p, char *name)
{
	struct ini *ini = p->ini;
	size_t cap = p->cap_sections;

	if (ini->n_sections >= INI_MAX_SECTIONS)
		return ini_fail(p->err, p->lineno, -EFBIG, "more than %d sections; expected a configuration file",
				INI_MAX_SECTIONS);
	if (ini_grow((void **)&ini->sections, &p->cap_sections, ini->n_sections + 1, sizeof(char *)) < 0)
		return -ENOMEM;
	if (p->cap_sections != cap) {
		unsigned *lines = realloc(ini->section_lines, p->cap_sections * sizeof(unsigned));

		if (!lines)
			return -ENOMEM;
		ini->section_lines = lines;
	}
	ini->sections[ini->n_sections] = name;
	ini->section_lines[ini->n_sections] = p->lineno;
	ini->n_sections++;
	p->section = name;
	return 0;
}

/* "[name]", optionally followed by a comment; s has no surrounding blanks. */
static int ini_section(struct ini_parser *p, const char *s, size_t n)
{
	char shown[4 * INI_NAME_SHOWN + 4], *name, *known;
	size_t close = n - 1, i, rest;
	int ret;

	while (close > 0 && s[close] != ']')
		close--;
	if (close == 0)
		return ini_fail(p->err, p->lineno, -EINVAL, "no ']' after the section name; expected '[section]'");
	if (close == 1)
		return ini_fail(p->err, p->lineno, -EINVAL, "empty section name; expected '[section]'");
	for (rest = close + 1; rest < n && ini_is_blank(s[rest]); rest++)
		;
	if (rest < n && s[rest] != '#' && s[rest] != ';')
		return ini_fail(p->err, p->lineno, -EINVAL,
				"text after the section header; expected '[section]' alone on its line");
	name = ini_strndup(s + 1, close - 1);
	if (!name)
		return -ENOMEM;
	known = ini_section_find(p->ini, name, &i);
	if (known && !strcmp(name, INI_DEFAULT)) {
		/* configparser lets [DEFAULT] be reopened; its keys must still be unique */
		free(name);
		p->section = known;
		return 0;
	}
	if (known) {
		ini_quote(shown, sizeof(shown), name, INI_NAME_SHOWN);
		free(name);
		return ini_fail(p->err, p->lineno, -EINVAL,
				"[%s]: section appears twice (first on line %u); expected each section once", shown,
				p->ini->section_lines[i]);
	}
	ret = ini_section_add(p, name);
	if (ret < 0)
		free(name);
	return ret;
}

static int ini_key_check(struct ini_parser *p, const char *key)
{
	char sshown[4 * INI_NAME_SHOWN + 4], kshown[4 * INI_NAME_SHOWN + 4];
	const struct ini *ini = p->ini;

	for (size_t i = 0; i < ini->n; i++) {
		if (ini->entries[i].section != p->section || strcmp(ini->entries[i].key, key))
			continue;
		ini_quote(sshown, sizeof(sshown), p->section, INI_NAME_SHOWN);
		ini_quote_key(kshown, sizeof(kshown), key);
		return ini_fail(p->err, p->lineno, -EINVAL,
				"[%s] %s: key set twice (first on line %u); expected each key once per section",
				sshown, kshown, ini->entries[i].line);
	}
	if (ini->n >= INI_MAX_ENTRIES)
		return ini_fail(p->err, p->lineno, -EFBIG, "more than %d keys; expected a configuration file",
				INI_MAX_ENTRIES);
	return 0;
}

/* "key = value" or "key: value" (the first '=' or ':' separates); s has no
 * surrounding blanks. */
static int ini_key(struct ini_parser *p, const char *s, size_t n)
{
	struct ini *ini = p->ini;
	struct ini_entry *e;
	size_t sep, klen, v;
	char *key;
	int ret;

	for (sep = 0; sep < n && s[sep] != '=' && s[sep] != ':'; sep++)
		;
	if (sep == n)
		return ini_fail(p->err, p->lineno, -EINVAL,
				"not a key, section or comment; expected 'key = value', '[section]' or '# comment'");
	for (klen = sep; klen > 0 && ini_is_blank(s[klen - 1]); klen--)
		;
	if (klen == 0)
		return ini_fail(p->err, p->lineno, -EINVAL, "no key name before '%c'; expected 'key = value'",
				s[sep]);
	key = ini_strndup(s, klen);
	if (!key)
		return -ENOMEM;
	for (size_t i = 0; i < klen; i++)
		if (key[i] >= 'A' && key[i] <= 'Z')
			key[i] = (char)(key[i] - 'A' + 'a');
	ret = ini_key_check(p, key);
	if (ret == 0)
		ret = ini_grow((void **)&ini->entries, &p->cap_entries, ini->n + 1, sizeof(*ini->entries));
	if (ret < 0) {
		free(key);
		return ret;
	}
	for (v = sep + 1; v < n && ini_is_blank(s[v]); v++)
		;
	e = &ini->entries[ini->n];
	*e = (struct ini_entry){.section = p->section, .key = key, .raw = ini_strndup(s + v, n - v),
				.line = p->lineno};
	if (!e->raw) {
		free(key);
		return -ENOMEM;
	}
	ini->n++;
	p->raw_len = n - v;
	p->raw_cap = n - v + 1;
	p->in_key = true;
	p->blanks = 0;
	return 0;
}

/* An indented line after a key: appended to its value after a '\n' per line
 * break (blank lines in between are kept, as configparser keeps them). */
static int ini_continue(struct ini_parser *p, const char *s, size_t n)
{
	struct ini_entry *e = &p->ini->entries[p->ini->n - 1];
	size_t breaks = p->raw_len ? p->blanks + 1 : 0, need = p->raw_len + breaks + n + 1;

	if (need > p->raw_cap) {
		size_t cap = p->raw_cap * 2 > need ? p->raw_cap * 2 : need;
		char *raw = malloc(cap);

		if (!raw)
			return -ENOMEM;
		/* the old value may be secret: wipe it instead of realloc() */
		memcpy(raw, e->raw, p->raw_len + 1);
		sodium_memzero(e->raw, p->raw_len);
		free(e->raw);
		e->raw = raw;
		p->raw_cap = cap;
	}
	memset(e->raw + p->raw_len, '\n', breaks);
	memcpy(e->raw + p->raw_len + breaks, s, n);
	p->raw_len += breaks + n;
	e->raw[p->raw_len] = '\0';
	p->blanks = 0;
	return 0;
}

static int ini_line(struct ini_parser *p, const char *line, size_t len)
{
	size_t indent = 0, end = len;

	while (indent < len && ini_is_blank(line[indent]))
		indent++;
	while (end > indent && ini_is_blank(line[end - 1]))
		end--;
	if (indent == end) {
		p->blanks++;
		return 0;
	}
	if (line[indent] == '#' || line[indent] == ';')
		return 0;
	if (p->in_key && indent > p->indent)
		return ini_continue(p, line + indent, end - indent);
	p->indent = indent;
	p->in_key = false;
	if (line[indent] == '[')
		return ini_section(p, line + indent, end - indent);
	if (!p->section)
		return ini_fail(p->err, p->lineno, -EINVAL,
				"key before any section header; expected a '[section]' line first");
	return ini_key(p, line + indent, end - indent);
}

int ini_parse(const char *text, size_t len, struct ini *out, struct ini_error *err)
{
	struct ini_parser p = {.ini = out, .err = err};
	size_t pos = 0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	if (len > INI_MAX_TEXT)
		return ini_fail(err, 0, -EFBIG, "more than 1 MiB; expected a configuration file");
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		pos = 3; /* a UTF-8 byte order mark */
	while (pos < len && ret == 0) {
		size_t start = pos;

		p.lineno++;
		while (pos < len && text[pos] != '\n' && text[pos] != '\r' && text[pos] != '\0')
			pos++;
		if (pos < len && text[pos] == '\0') {
			ret = ini_fail(err, p.lineno, -EINVAL, "NUL byte in the line; expected text");
			break;
		}
		ret = ini_line(&p, text + start, pos - start);
		if (pos < len && text[pos] == '\r' && pos + 1 < len && text[pos + 1] == '\n')
			pos++;
		pos++;
	}
	if (ret == -ENOMEM)
		ini_fail(err, p.lineno, ret, "out of memory");
	if (ret < 0)
		ini_free(out);
	return ret;
}

void ini_free(struct ini *ini)
{
	for (size_t i = 0; i < ini->n; i++) {
		sodium_memzero(ini->entries[i].raw, strlen(ini->entries[i].raw));
		free(ini->entries[i].raw);
		free(ini->entries[i].key);
	}
	for (size_t i = 0; i < ini->n_sections; i++)
		free(ini->sections[i]);
	free(ini->entries);
	free(ini->sections);
	free(ini->section_lines);
	memset(ini, 0, sizeof(*ini));
}

static const struct ini_entry *ini_find_n(const struct ini *ini, const char *section, const char *key, size_t n)
{
	for (size_t i = 0; i < ini->n; i++) {
		const struct ini_entry *e = &ini->entries[i];

		if (!strcmp(e->section, section) && !strncasecmp(e->key, key, n) && e->key[n] == '\0')
			return e;
	}
	return NULL;
}

const struct ini_entry *ini_find(const struct ini *ini, const char *section, const char *key)
{
	return ini_find_n(ini, section, key, strlen(key));
}

int ini_has_section(const struct ini *ini, const char *section)
{
	size_t i;

	return ini_section_find(ini, section, &i) != NULL;
}

__attribute__((format(printf, 2, 3))) static int interp_fail(struct ini_interp *in, const char *fmt, ...)
{
	char sshown[4 * INI_NAME_SHOWN + 4], kshown[4 * INI_NAME_SHOWN + 4], why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	ini_quote(sshown, sizeof(sshown), in->e->section, INI_NAME_SHOWN);
	ini_quote_key(kshown, sizeof(kshown), in->e->key);
	return ini_fail(in->err, in->e->line, -EINVAL, "[%s] %s: %s", sshown, kshown, why);
}

static int interp_append(struct ini_interp *in, const char *s, size_t n)
{
	if (in->len + n >= INI_MAX_TEXT)
		return interp_fail(in, "longer than 1 MiB after %%(name)s interpolation; expected a shorter value");
	if (ini_grow((void **)&in->buf, &in->cap, in->len + n + 1, 1) < 0)
		return -ENOMEM;
	memcpy(in->buf + in->len, s, n);
	in->len += n;
	in->buf[in->len] = '\0';
	return 0;
}

static int interp_some(struct ini_interp *in, const char *rest, unsigned depth);

/* rest points at "%(name)s"; *used gets its length. */
static int interp_ref(struct ini_interp *in, const char *rest, size_t *used, unsigned depth)
{
	const char *name = rest + 2, *close = strchr(name, ')');
	char copy[INI_NAME_SHOWN + 2], shown[4 * INI_NAME_SHOWN + 4];
	const struct ini_entry *ref;
	size_t n;

	if (!close || close == name || close[1] != 's')
		return interp_fail(in, "bad '%%(' reference; expected '%%(name)s', or '%%%%' for a literal '%%'");
	n = (size_t)(close - name);
	ref = ini_find_n(in->ini, in->e->section, name, n);
	if (!ref)
		ref = ini_find_n(in->ini, INI_DEFAULT, name, n);
	if (!ref) {
		snprintf(copy, sizeof(copy), "%.*s", (int)(n < sizeof(copy) - 1 ? n : sizeof(copy) - 1), name);
		ini_quote(shown, sizeof(shown), copy, INI_NAME_SHOWN);
		return interp_fail(in, "%%(%s)s refers to a key that is set neither in this section nor in [DEFAULT]",
				   shown);
	}
	if (++in->refs > INI_MAX_REFS)
		return interp_fail(in, "too many %%(name)s references; expected fewer than %d", INI_MAX_REFS);
	*used = (size_t)(close + 2 - rest);
	if (strchr(ref->raw, '%'))
		return interp_some(in, ref->raw, depth + 1);
	return interp_append(in, ref->raw, strlen(ref->raw));
}

static int interp_some(struct ini_interp *in, const char *rest, unsigned depth)
{
	int ret = 0;

	if (depth > INI_MAX_DEPTH)
		return interp_fail(in, "%%(name)s references nest more than %d deep; expected no key to refer to "
				       "itself", INI_MAX_DEPTH);
	while (ret == 0 && *rest) {
		const char *pct = strchr(rest, '%');
		size_t used = 2;

		if (!pct)
			return interp_append(in, rest, strlen(rest));
		ret = interp_append(in, rest, (size_t)(pct - rest));
		if (ret < 0)
			break;
		if (pct[1] == '%')
			ret = interp_append(in, "%", 1);
		else if (pct[1] == '(')
			ret = interp_ref(in, pct, &used, depth);
		else
			ret = interp_fail(in, "'%%' must be followed by '%%' or '(name)s'; write '%%%%' for a literal '%%'");
		rest = pct + used;
	}
	return ret;
}

char *ini_value(const struct ini *ini, const struct ini_entry *e, struct ini_error *err)
{
	struct ini_interp in = {.ini = ini, .e = e, .err = err};
	int ret;

	memset(err, 0, sizeof(*err));
	ret = interp_append(&in, "", 0);
	if (ret == 0)
		ret = interp_some(&in, e->raw, 1);
	if (ret == 0)
		return in.buf;
	if (ret == -ENOMEM)
		ini_fail(err, e->line, ret, "out of memory");
	if (in.buf) {
		sodium_memzero(in.buf, in.len);
		free(in.buf);
	}
	return NULL;
}

char *ini_escape(const char *value)
{
	size_t n = 0, o = 0;
	char *out;

	for (const char *s = value; *s; s++)
		n += *s == '%' ? 2 : 1;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	for (const char *s = value; *s; s++) {
		out[o++] = *s;
		if (*s == '%')
			out[o++] = '%';
	}
	out[o] = '\0';
	return out;
}
