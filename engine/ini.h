/* ini.h - reading INI files the way Python's configparser reads them, so
 * that configuration files of the original meshub keep working.
 *
 * Rules (configparser defaults, strict mode): "[section]" headers; "key = value"
 * or "key: value"; keys are case-insensitive (stored lower-case); lines whose
 * first non-blank character is '#' or ';' are comments (no inline comments);
 * an indented line after a key continues its value (joined with '\n');
 * duplicate sections or keys, keys before any section and malformed lines
 * are errors. Values are stored raw; ini_value() applies configparser's
 * BasicInterpolation ("%%" -> "%", "%(name)s" -> another key of the same
 * section or of [DEFAULT]). Pure: no I/O. */
#pragma once

#include <stddef.h>

struct ini_entry {
	char *section; /* as written (section names are case-sensitive) */
	char *key;     /* lower-case */
	char *raw;     /* value before interpolation, surrounding blanks removed */
	unsigned line; /* 1-based line of the key */
};

struct ini {
	struct ini_entry *entries;
	size_t n;
	char **sections; /* every section header, in order, even if empty */
	size_t n_sections;
	unsigned *section_lines; /* 1-based line of each section's first header */
};

struct ini_error {
	unsigned line; /* 0 if not tied to a line */
	char msg[256]; /* what is wrong and what was expected */
};

/* Parses text (not necessarily NUL-terminated). 0, -EINVAL (syntax, with
 * *err filled), -ENOMEM or -EFBIG (more than 1 MiB or 4096 entries). */
int ini_parse(const char *text, size_t len, struct ini *out, struct ini_error *err);
void ini_free(struct ini *ini);

const struct ini_entry *ini_find(const struct ini *ini, const char *section, const char *key);
int ini_has_section(const struct ini *ini, const char *section);

/* The interpolated value of e as a new string (caller frees). NULL with
 * *err filled on a bad '%' or a missing/recursive reference. */
char *ini_value(const struct ini *ini, const struct ini_entry *e, struct ini_error *err);

/* Escapes '%' as "%%" for writing a value back (caller frees). */
char *ini_escape(const char *value);

/* Writes text for an error message into out (always NUL-terminated): at most
 * max characters of it, non-printable bytes escaped (\n, \t, \xHH) and "..."
 * if it was cut. out needs 4 * max + 4 bytes to never cut an escape. */
void ini_quote(char *out, size_t size, const char *text, size_t max);
