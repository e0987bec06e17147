/* nm-engine-test.c - how the NetworkManager service runs meshubd
 * (nm-plugin/nm-meshub-engine.c), with a fake meshubd (a shell script) and
 * no root: the key arrives on fd 3 and in no argument, the readiness line on
 * fd 4 is reported, log lines are forwarded and the last one comes with the
 * exit; an engine that fails early, one that sends a garbled readiness
 * line, one that ignores SIGTERM (SIGKILL after the grace period), and
 * freeing a running engine, which must leave no process behind. */
#include "config.h"

#include "nm-plugin/nm-meshub-engine.h"
#include "tests/check.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/wait.h>

#define KEY "kITJPzsFjhaN4-7Q3Lz2QuCwLI1xIMT3NoRdKIic6eM="

/* Its behaviour comes from the name of its configuration file. */
static const char fake_meshubd[] =
	"#!/bin/sh\n"
	"for a; do conf=$a; done\n"
	"mode=$(basename \"$conf\" .conf)\n"
	"printf '%s\\n' \"$@\" >\"$FAKE_DIR/$mode.argv\"\n"
	"cat <&3 >\"$FAKE_DIR/$mode.key\"\n"
	"exec 3<&-\n"
	"echo 'meshubd[info]: created TUN device fake0' >&2\n"
	"case $mode in\n"
	"fail) echo 'meshubd[error]: x.conf:3: [tun] mtu: bad' >&2; exit 1 ;;\n"
	"garbled) echo 'READY whatever' >&4 ;;\n"
	"hint) echo 'READY ifname=fake2 mtu=1400' >&4; sleep 0.3\n"
	"   printf 'HINT no other member uses this network key at hub h: check [encryption] psk\\n' >&4\n"
	"   sleep 0.3; printf 'HINT\\n' >&4 ;;\n"
	"stubborn) trap '' TERM; echo 'READY ifname=fake1 mtu=1280' >&4 ;;\n"
	"*) trap 'echo \"meshubd[info]: received signal 15\" >&2; exit 0' TERM\n"
	"   echo 'READY ifname=fake0 mtu=1400' >&4 ;;\n"
	"esac\n"
	"exec 4>&-\n"
	"i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done\n";

static char *dir;
static char *program;

struct seen {
	gboolean ready, exited;
	char ifname[NM_MESHUB_ENGINE_IFNAME_MAX + 1];
	guint mtu;
	int status;
	char *last_line;
	unsigned hints;
	char *hint, *cleared;
	gboolean hint_cleared;
};

static void on_ready(const char *ifname, guint mtu, gpointer data)
{
	struct seen *s = data;

	s->ready = TRUE;
	g_strlcpy(s->ifname, ifname, sizeof(s->ifname));
	s->mtu = mtu;
}

static void on_exited(int status, const char *last_line, gpointer data)
{
	struct seen *s = data;

	s->exited = TRUE;
	s->status = status;
	s->last_line = g_strdup(last_line);
}

static void on_hint(const char *text, gpointer data)
{
	struct seen *s = data;

	s->hints++;
	if (*text) {
		g_free(s->hint);
		s->hint = g_strdup(text);
	} else {
		s->hint_cleared = TRUE;
	}
}

static const NMMeshubEngineCallbacks callbacks = { .ready = on_ready, .hint = on_hint, .exited = on_exited };

static NMMeshubEngine *start(const char *mode, struct seen *s)
{
	g_autofree char *name = g_strdup_printf("%s.conf", mode);
	g_autofree char *conf = g_build_filename(dir, name, NULL);
	const NMMeshubEngineArgs args = { .meshubd = program, .conf_path = conf, .psk = KEY };
	g_autoptr(GError) error = NULL;
	NMMeshubEngine *e = nm_meshub_engine_start(&args, &callbacks, s, &error);

	if (!e)
		fprintf(stderr, "cannot start: %s\n", error->message);
	return e;
}

/* Runs the main loop until *flag or seconds have passed. */
static gboolean wait_until(gboolean *flag, int seconds)
{
	gint64 end = g_get_monotonic_time() + seconds * G_USEC_PER_SEC;

	while (!*flag && g_get_monotonic_time() < end)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(10000);
	return *flag;
}

static char *read_back(const char *mode, const char *what)
{
	g_autofree char *name = g_strdup_printf("%s.%s", mode, what);
	g_autofree char *path = g_build_filename(dir, name, NULL);
	char *text = NULL;

	g_file_get_contents(path, &text, NULL, NULL);
	return text;
}

static void test_normal(void)
{
	struct seen s = { 0 };
	g_autoptr(NMMeshubEngine) e = start("normal", &s);
	g_autofree char *key = NULL;
	g_autofree char *argv = NULL;

	CHECK(e != NULL);
	if (!e)
		return;
	CHECK(wait_until(&s.ready, 10));
	CHECK(!strcmp(s.ifname, "fake0"));
	CHECK_INT(s.mtu, 1400);
	key = read_back("normal", "key");
	argv = read_back("normal", "argv");
	CHECK(key && !strcmp(key, KEY "\n"));
	CHECK(argv && strstr(argv, "--nm\n--psk-fd\n3\n--ready-fd\n4\n") && !strstr(argv, KEY));
	CHECK(nm_meshub_engine_is_running(e));
	nm_meshub_engine_stop(e);
	CHECK(wait_until(&s.exited, 10));
	CHECK(WIFEXITED(s.status) && WEXITSTATUS(s.status) == 0);
	CHECK(!g_strcmp0(s.last_line, "meshubd[info]: received signal 15"));
	CHECK(!nm_meshub_engine_is_running(e));
	g_free(s.last_line);
}

/* After READY, the same pipe carries hints: one, then its end. */
static void test_hint(void)
{
	struct seen s = { 0 };
	g_autoptr(NMMeshubEngine) e = start("hint", &s);

	CHECK(e != NULL);
	if (!e)
		return;
	CHECK(wait_until(&s.ready, 10) && !strcmp(s.ifname, "fake2"));
	CHECK(wait_until(&s.hint_cleared, 10));
	CHECK_INT(s.hints, 2);
	CHECK(!g_strcmp0(s.hint, "no other member uses this network key at hub h: check [encryption] psk"));
	nm_meshub_engine_stop(e);
	CHECK(wait_until(&s.exited, 10));
	g_free(s.hint);
	g_free(s.last_line);
}

static void test_fails_early(void)
{
	struct seen s = { 0 };
	g_autoptr(NMMeshubEngine) e = start("fail", &s);

	CHECK(e != NULL);
	CHECK(e && wait_until(&s.exited, 10));
	CHECK(!s.ready);
	CHECK(WIFEXITED(s.status) && WEXITSTATUS(s.status) == 1);
	CHECK(!g_strcmp0(s.last_line, "meshubd[error]: x.conf:3: [tun] mtu: bad"));
	g_free(s.last_line);
}

static void test_garbled(void)
{
	struct seen s = { 0 };
	g_autoptr(NMMeshubEngine) e = start("garbled", &s);

	CHECK(e && wait_until(&s.exited, 10)); /* stopped by the engine module */
	CHECK(!s.ready);
	g_free(s.last_line);
}

static void test_stubborn(void)
{
	struct seen s = { 0 };
	g_autoptr(NMMeshubEngine) e = start("stubborn", &s);

	CHECK(e && wait_until(&s.ready, 10));
	if (!e)
		return;
	nm_meshub_engine_stop(e);
	CHECK(wait_until(&s.exited, NM_MESHUB_ENGINE_STOP_GRACE_SEC + 5));
	CHECK(WIFSIGNALED(s.status) && WTERMSIG(s.status) == SIGKILL);
	g_free(s.last_line);
}

static void test_free_running(void)
{
	struct seen s = { 0 };
	NMMeshubEngine *e = start("normal", &s);
	GPid pid;

	CHECK(e && wait_until(&s.ready, 10));
	if (!e)
		return;
	pid = nm_meshub_engine_get_pid(e);
	nm_meshub_engine_free(e);
	CHECK(kill(pid, 0) < 0 && errno == ESRCH); /* killed and reaped */
	CHECK(!s.exited);
}

static void log_quiet(const char *domain, GLogLevelFlags level, const char *msg, gpointer data)
{
}

int main(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDir) d = NULL;
	int ret;

	dir = g_dir_make_tmp("nm-engine-test.XXXXXX", &error);
	if (!dir) {
		fprintf(stderr, "%s\n", error->message);
		return 99;
	}
	program = g_build_filename(dir, "meshubd", NULL);
	if (!g_file_set_contents(program, fake_meshubd, -1, &error) || g_chmod(program, 0700) < 0) {
		fprintf(stderr, "cannot write %s\n", program);
		return 99;
	}
	g_setenv("FAKE_DIR", dir, TRUE);
	g_log_set_default_handler(log_quiet, NULL);
	RUN(test_normal);
	RUN(test_hint);
	RUN(test_fails_early);
	RUN(test_garbled);
	RUN(test_stubborn);
	RUN(test_free_running);
	ret = check_exit();
	d = g_dir_open(dir, 0, NULL);
	for (const char *f; d && (f = g_dir_read_name(d));) {
		g_autofree char *path = g_build_filename(dir, f, NULL);

		g_unlink(path);
	}
	g_rmdir(dir);
	g_free(program);
	g_free(dir);
	return ret;
}
