/* test-ini.c - the INI reader against configparser's rules: syntax, continuation
 * lines, interpolation, every error with its line number, hostile input. */
#include "check.h"
#include "ini.h"

#include <errno.h>

static struct ini ini;
static struct ini_error err;

static int parse(const char *text)
{
	return ini_parse(text, strlen(text), &ini, &err);
}

/* The interpolated value of [section] key, or NULL; the caller frees. */
static char *value(const char *section, const char *key)
{
	const struct ini_entry *e = ini_find(&ini, section, key);

	return e ? ini_value(&ini, e, &err) : NULL;
}

static void check_value(const char *section, const char *key, const char *want)
{
	char *v = value(section, key);

	CHECK(v != NULL);
	if (v && strcmp(v, want)) {
		fprintf(stderr, "[%s] %s = '%s', expected '%s'\n", section, key, v, want);
		check_failures++;
	}
	free(v);
}

/* Parsing fails with ret on line (0: none) and a message containing what. */
#define CHECK_ERROR(lit, ret, line, what) check_error((lit), sizeof(lit) - 1, (ret), (line), (what))

static void check_error(const char *text, size_t len, int ret, unsigned line, const char *what)
{
	CHECK_INT(ini_parse(text, len, &ini, &err), ret);
	CHECK_INT(err.line, line);
	if (!strstr(err.msg, what)) {
		fprintf(stderr, "message '%s' lacks '%s'\n", err.msg, what);
		check_failures++;
	}
	CHECK_INT(ini.n, 0); /* nothing is left allocated */
	CHECK(ini.entries == NULL);
}

static void test_ini_syntax(void)
{
	CHECK_INT(parse("[socket]\nPort = 3732\naddress: 0.0.0.0\nMixed Case Key   =   spaced value  \n"
			"[Empty]\n[hub]\naddress=1.2.3.4\nx = a = b : c\ny: a=b\nz =\n"),
		  0);
	CHECK_INT(ini.n, 7);
	CHECK_INT(ini.n_sections, 3);
	CHECK(!strcmp(ini.sections[1], "Empty"));
	CHECK_INT(ini.section_lines[2], 6);
	CHECK(ini_has_section(&ini, "Empty"));
	CHECK(!ini_has_section(&ini, "empty")); /* section names are case-sensitive */
	CHECK(!strcmp(ini.entries[0].key, "port"));
	CHECK_INT(ini.entries[0].line, 2);
	CHECK(ini_find(&ini, "socket", "PORT") == &ini.entries[0]);
	CHECK(ini_find(&ini, "Socket", "port") == NULL);
	check_value("socket", "port", "3732");
	check_value("socket", "address", "0.0.0.0");
	check_value("socket", "mixed case key", "spaced value");
	check_value("hub", "address", "1.2.3.4");
	check_value("hub", "x", "a = b : c"); /* the first '=' or ':' separates */
	check_value("hub", "y", "a=b");
	check_value("hub", "z", "");
	ini_free(&ini);
	CHECK(ini.entries == NULL && ini.n == 0);
	ini_free(&ini); /* twice is harmless */
}

static void test_ini_comments(void)
{
	CHECK_INT(parse("# comment\n; comment\n[s]\n  # indented comment\na = b # not a comment\n"
			"c = d ; nor this\n[t] # a comment after a header\n;x\n"),
		  0);
	CHECK_INT(ini.n, 2);
	check_value("s", "a", "b # not a comment");
	check_value("s", "c", "d ; nor this");
	CHECK(ini_has_section(&ini, "t"));
	ini_free(&ini);
}

static void test_ini_continuation(void)
{
	CHECK_INT(parse("[scripts]\n"
			"one = first\n"
			"\tsecond\n"
			"    third\n"
			"empty =\n"
			"\tline 1;\n"
			"# a comment inside the value is skipped\n"
			"\tline 2;\n"
			"\n"
			"\tline 3\n"
			"\n"
			"\n"
			"next = x\n"
			"  [not a section]\n"
			"[t]\n"
			"  indented = key\n"
			"    continues it\n"
			"  sibling = key\n"),
		  0);
	check_value("scripts", "one", "first\nsecond\nthird");
	/* blank lines inside are kept, leading and trailing ones are not */
	check_value("scripts", "empty", "line 1;\nline 2;\n\nline 3");
	check_value("scripts", "next", "x\n[not a section]");
	check_value("t", "indented", "key\ncontinues it");
	check_value("t", "sibling", "key");
	CHECK_INT(ini_find(&ini, "t", "sibling")->line, 18);
	ini_free(&ini);
	/* after a section header an indented line is a key, not a continuation */
	CHECK_INT(parse("[s]\n   k = v\n"), 0);
	check_value("s", "k", "v");
	ini_free(&ini);
}

static void test_ini_interpolation(void)
{
	char *v;

	CHECK_INT(parse("[DEFAULT]\nbase = 10.1\nname = default\nloop = %(loop)s\n"
			"[tun]\ninterface = tun%%d\nprefix = %(BASE)s.0\naddr = %(prefix)s.2/24\n"
			"name = own\nwho = %(name)s\npct = 100%%%%\n"
			"bad = 50%\nbad2 = %(nope)s\nbad3 = %(unclosed\nbad4 = %(x)d\nself = %(self)s\n"
			"[DEFAULT]\nlate = %(name)s\n"),
		  0);
	check_value("tun", "interface", "tun%d");
	check_value("tun", "addr", "10.1.0.2/24");
	check_value("tun", "who", "own"); /* the section wins over [DEFAULT] */
	check_value("tun", "pct", "100%%");
	check_value("DEFAULT", "late", "default");
	CHECK(!strcmp(ini_find(&ini, "tun", "interface")->raw, "tun%%d"));
	v = value("tun", "bad");
	CHECK(v == NULL);
	CHECK(strstr(err.msg, "[tun] bad: '%' must be followed") != NULL);
	CHECK_INT(err.line, 12);
	v = value("tun", "bad2");
	CHECK(v == NULL);
	CHECK(strstr(err.msg, "%(nope)s") != NULL);
	CHECK_INT(err.line, 13);
	CHECK(value("tun", "bad3") == NULL);
	CHECK(value("tun", "bad4") == NULL);
	CHECK(value("tun", "self") == NULL);
	CHECK(strstr(err.msg, "deep") != NULL);
	CHECK(value("DEFAULT", "loop") == NULL);
	ini_free(&ini);
}

/* References that multiply must stop with an error, not run for ages. */
static void test_ini_interpolation_bomb(void)
{
	char text[4096];
	size_t n = (size_t)snprintf(text, sizeof(text), "[s]\n");

	for (char c = 'a'; c < 'j'; c++) {
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%c = ", c);
		for (int i = 0; i < 16; i++)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%%(%c)sxxxxxxxx", c + 1);
		n += (size_t)snprintf(text + n, sizeof(text) - n, "\n");
	}
	snprintf(text + n, sizeof(text) - n, "j = %%%%\n");
	CHECK_INT(parse(text), 0);
	CHECK(value("s", "a") == NULL);
	CHECK(strstr(err.msg, "[s] a:") != NULL);
	ini_free(&ini);
}

static void test_ini_errors(void)
{
	static const char big_key[] = "[s]\nk = v\n";
	char *text;
	size_t n;

	CHECK_ERROR("[s]\na = 1\nb = 2\nA = 3\n", -EINVAL, 4, "first on line 2");
	CHECK_ERROR("[s]\na = 1\n[t]\n[s]\n", -EINVAL, 4, "[s]: section appears twice (first on line 1)");
	CHECK_ERROR("a = 1\n[s]\n", -EINVAL, 1, "before any section");
	CHECK_ERROR("[s]\na = 1\njust some words\n", -EINVAL, 3, "expected 'key = value'");
	CHECK_ERROR("[s]\n = 1\n", -EINVAL, 2, "no key name");
	CHECK_ERROR("[]\n", -EINVAL, 1, "empty section name");
	CHECK_ERROR("[s\n", -EINVAL, 1, "no ']'");
	CHECK_ERROR("[s] junk\n", -EINVAL, 1, "text after the section header");
	CHECK_ERROR("[s]\na = 1\nb = x\0y\n", -EINVAL, 3, "NUL byte");
	CHECK_ERROR("[s]\n\0", -EINVAL, 2, "NUL byte");
	/* [DEFAULT] may be reopened, but its keys are unique too */
	CHECK_ERROR("[DEFAULT]\na = 1\n[s]\n[DEFAULT]\na = 2\n", -EINVAL, 5, "first on line 2");
	CHECK_INT(parse("[DEFAULT]\na = 1\n[s]\n[DEFAULT]\nb = 2\n"), 0);
	CHECK_INT(ini.n_sections, 2);
	ini_free(&ini);
	/* a key pasted alone on its line ("<base64>=") is not repeated in messages */
	CHECK_ERROR("[s]\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
		    -EINVAL, 3, "not shown");
	CHECK(strstr(err.msg, "aaecawqfbgcicqol") == NULL);

	/* over-long input */
	n = (1u << 20) + 1;
	text = malloc(n);
	CHECK(text != NULL);
	memset(text, '#', n);
	check_error(text, n, -EFBIG, 0, "1 MiB");
	CHECK_INT(ini_parse(text, n - 1, &ini, &err), 0); /* exactly 1 MiB of comment is fine */
	ini_free(&ini);
	/* more than 4096 keys */
	n = 0;
	n += (size_t)sprintf(text, "[s]\n");
	for (int i = 0; i < 4097; i++)
		n += (size_t)sprintf(text + n, "k%d = v\n", i);
	check_error(text, n, -EFBIG, 4098, "4096 keys");
	free(text);
	CHECK_INT(ini_parse(big_key, sizeof(big_key) - 1, &ini, &err), 0);
	ini_free(&ini);
}

static void test_ini_line_endings(void)
{
	CHECK_INT(parse("[s]\r\na = 1\r\nb = 2\r\n\r\n  c\r\n"), 0);
	check_value("s", "a", "1");
	check_value("s", "b", "2\n\nc");
	CHECK_INT(ini_find(&ini, "s", "b")->line, 3);
	ini_free(&ini);
	CHECK_INT(parse("[s]\ra = 1\rb = 2"), 0); /* old Mac line ends, no final newline */
	check_value("s", "b", "2");
	CHECK_INT(ini_find(&ini, "s", "b")->line, 3);
	ini_free(&ini);
	CHECK_INT(parse("[s]\na = no newline at the end"), 0);
	check_value("s", "a", "no newline at the end");
	ini_free(&ini);
	CHECK_INT(parse(""), 0);
	CHECK_INT(ini.n, 0);
	CHECK_INT(ini.n_sections, 0);
	ini_free(&ini);
	CHECK_INT(parse("\n\n# only a comment\n"), 0);
	ini_free(&ini);
	CHECK_INT(parse("\xef\xbb\xbf[s]\na = 1\n"), 0); /* a UTF-8 byte order mark */
	check_value("s", "a", "1");
	ini_free(&ini);
}

static void test_ini_escape(void)
{
	static const char *const values[] = {"", "plain", "tun%d", "100%", "%%", "%(name)s", "a%b%c%%d%"};

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char *esc = ini_escape(values[i]), text[128];

		CHECK(esc != NULL);
		snprintf(text, sizeof(text), "[s]\nname = other\nk = %s\n", esc);
		CHECK_INT(parse(text), 0);
		check_value("s", "k", values[i]);
		ini_free(&ini);
		free(esc);
	}
}

static void test_ini_quote(void)
{
	char out[64];

	ini_quote(out, sizeof(out), "plain", 60);
	CHECK(!strcmp(out, "plain"));
	ini_quote(out, sizeof(out), "a\nb\tc\x01\\\xff", 60);
	CHECK(!strcmp(out, "a\\nb\\tc\\x01\\\\\\xff"));
	ini_quote(out, sizeof(out), "abcdefghij", 4);
	CHECK(!strcmp(out, "abcd..."));
	ini_quote(out, 8, "abcdefghij", 60); /* cut by the buffer: still terminated */
	CHECK_INT(strlen(out), 7);
	ini_quote(out, 1, "abc", 60);
	CHECK(!strcmp(out, ""));
}

int main(void)
{
	RUN(test_ini_syntax);
	RUN(test_ini_comments);
	RUN(test_ini_continuation);
	RUN(test_ini_interpolation);
	RUN(test_ini_interpolation_bomb);
	RUN(test_ini_errors);
	RUN(test_ini_line_endings);
	RUN(test_ini_escape);
	RUN(test_ini_quote);
	return check_exit();
}
