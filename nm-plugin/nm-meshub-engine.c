/* nm-meshub-engine.c - running meshubd for the NetworkManager service: the
 * key travels over a pipe (never argv, environment or a file), the
 * readiness line and the log come back over pipes, the process dies with
 * the service (PR_SET_PDEATHSIG) and is stopped with SIGTERM, then SIGKILL. */
#include "config.h"

#include "nm-meshub-engine.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define PSK_FD 3
#define READY_FD 4
#define FD_MIN 10 /* our pipe ends stay clear of the child's 0..4 */
#define LINE_MAX_LEN 512
#define READY_MAX_LEN 512

struct NMMeshubEngine {
	GPid pid;
	gboolean running;
	guint child_watch, kill_timer, ready_watch, log_watch;
	int ready_fd, log_fd;
	char ready_buf[READY_MAX_LEN + 1];
	gsize ready_len;
	gboolean is_ready; /* READY seen: the lines now are hints */
	char log_buf[LINE_MAX_LEN + 1];
	gsize log_len;
	char last_line[LINE_MAX_LEN + 1];
	NMMeshubEngineCallbacks cb;
	gpointer user_data;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int move_high(int fd)
{
	int high;

	if (fd >= FD_MIN)
		return fd;
	high = fcntl(fd, F_DUPFD_CLOEXEC, FD_MIN);
	close(fd);
	return high;
}

/* A close-on-exec pipe whose ends are both >= FD_MIN. */
static gboolean open_pipe(int fds[2], GError **error)
{
	if (!g_unix_open_pipe(fds, FD_CLOEXEC, error))
		return FALSE;
	fds[0] = move_high(fds[0]);
	fds[1] = move_high(fds[1]);
	if (fds[0] >= 0 && fds[1] >= 0)
		return TRUE;
	close_fd(&fds[0]);
	close_fd(&fds[1]);
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot move a pipe: %s", g_strerror(errno));
	return FALSE;
}

/* The key and a newline go into the pipe before the engine even runs: it
 * is far smaller than a pipe's buffer, so this never blocks. */
static gboolean write_psk(int fd, const char *psk, GError **error)
{
	gsize len = strlen(psk);
	g_autofree char *line = g_malloc(len + 2);
	gboolean ok;

	memcpy(line, psk, len);
	line[len] = '\n';
	ok = write(fd, line, len + 1) == (ssize_t)(len + 1);
	sodium_memzero(line, len + 2);
	if (!ok)
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot hand the key to meshubd: %s",
			    g_strerror(errno));
	return ok;
}

/* In the child, between fork and exec: die with the service. */
static void child_setup(gpointer data)
{
	pid_t parent = (pid_t)GPOINTER_TO_INT(data);

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127);
}

gboolean nm_meshub_engine_parse_ready(const char *line, char ifname[NM_MESHUB_ENGINE_IFNAME_MAX + 1],
				      guint *mtu)
{
	static const char prefix[] = "READY ifname=";
	const char *name, *end, *num;
	gsize len, digits;
	guint64 v;

	if (!g_str_has_prefix(line, prefix))
		return FALSE;
	name = line + strlen(prefix);
	end = strchr(name, ' ');
	len = end ? (gsize)(end - name) : 0;
	if (!len || len > NM_MESHUB_ENGINE_IFNAME_MAX || !g_str_has_prefix(end, " mtu="))
		return FALSE;
	for (gsize i = 0; i < len; i++)
		if (!g_ascii_isgraph(name[i]) || name[i] == '/' || name[i] == ':')
			return FALSE;
	num = end + strlen(" mtu=");
	digits = strspn(num, "0123456789");
	if (!digits || digits > 5 || (num[digits] && strcmp(num + digits, "\n")))
		return FALSE;
	v = g_ascii_strtoull(num, NULL, 10);
	if (v < 68 || v > 65535)
		return FALSE;
	memcpy(ifname, name, len);
	ifname[len] = '\0';
	*mtu = (guint)v;
	return TRUE;
}

/* One log line of the engine: to our log (NetworkManager collects it). */
static void log_line(NMMeshubEngine *e)
{
	e->log_buf[e->log_len] = '\0';
	for (gsize i = 0; i < e->log_len; i++)
		if (!g_ascii_isprint(e->log_buf[i]))
			e->log_buf[i] = '?';
	if (strstr(e->log_buf, "[error]"))
		g_warning("%s", e->log_buf);
	else
		g_message("%s", e->log_buf);
	if (e->log_len)
		memcpy(e->last_line, e->log_buf, e->log_len + 1);
	e->log_len = 0;
}

/* Reads what is there; FALSE at end of file or on an error. */
static gboolean read_log(NMMeshubEngine *e)
{
	char buf[1024];
	ssize_t n;

	while ((n = read(e->log_fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n')
				e->log_buf[e->log_len++] = buf[i];
			if (buf[i] == '\n' || e->log_len == LINE_MAX_LEN)
				log_line(e);
		}
	}
	return n < 0 && (errno == EAGAIN || errno == EINTR);
}

/* Forwards what is left once the pipe is closed or the engine is gone. */
static void finish_log(NMMeshubEngine *e)
{
	if (e->log_fd >= 0)
		read_log(e);
	if (e->log_len)
		log_line(e);
	g_clear_handle_id(&e->log_watch, g_source_remove);
	close_fd(&e->log_fd);
}

static gboolean on_log(int fd, GIOCondition cond, gpointer data)
{
	NMMeshubEngine *e = data;

	if (read_log(e))
		return G_SOURCE_CONTINUE;
	e->log_watch = 0; /* removed by returning */
	finish_log(e);
	return G_SOURCE_REMOVE;
}

static void kill_engine(NMMeshubEngine *e, int sig)
{
	if (e->running && kill(e->pid, sig) < 0 && errno != ESRCH)
		g_warning("cannot send signal %d to meshubd (pid %d): %s", sig, (int)e->pid, g_strerror(errno));
}

/* A hint line: "HINT text" or "HINT"; printable text only. */
static void hint_line(NMMeshubEngine *e, char *line)
{
	const char *text;

	if (strncmp(line, "HINT", 4) || (line[4] && line[4] != ' '))
		return;
	text = line[4] ? line + 5 : "";
	for (char *p = line; *p; p++)
		if (!g_ascii_isprint(*p))
			*p = '?';
	if (e->cb.hint)
		e->cb.hint(text, e->user_data);
}

/* The first line: readiness. e may be gone afterwards (freed in the callback). */
static void ready_line(NMMeshubEngine *e, const char *line)
{
	char ifname[NM_MESHUB_ENGINE_IFNAME_MAX + 1];
	guint mtu;

	if (nm_meshub_engine_parse_ready(line, ifname, &mtu)) {
		e->is_ready = TRUE;
		e->cb.ready(ifname, mtu, e->user_data); /* may free e */
		return;
	}
	g_warning("meshubd (pid %d) reported readiness in a form not understood; stopping it", (int)e->pid);
	nm_meshub_engine_stop(e);
}

static gboolean on_ready(int fd, GIOCondition cond, gpointer data)
{
	NMMeshubEngine *e = data;
	ssize_t n = read(fd, e->ready_buf + e->ready_len, READY_MAX_LEN - e->ready_len);
	char *nl;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	if (n <= 0) { /* end of file: the exit tells why */
		e->ready_watch = 0;
		close_fd(&e->ready_fd);
		return G_SOURCE_REMOVE;
	}
	e->ready_len += (gsize)n;
	e->ready_buf[e->ready_len] = '\0';
	while ((nl = strchr(e->ready_buf, '\n'))) {
		g_autofree char *line = g_strndup(e->ready_buf, (gsize)(nl - e->ready_buf));

		e->ready_len -= (gsize)(nl + 1 - e->ready_buf);
		memmove(e->ready_buf, nl + 1, e->ready_len + 1);
		if (!e->is_ready) {
			ready_line(e, line); /* e may be gone: read on at the next wakeup */
			return G_SOURCE_CONTINUE;
		}
		hint_line(e, line);
	}
	if (e->ready_len == READY_MAX_LEN) /* a line too long for what is sent here */
		e->ready_len = 0;
	return G_SOURCE_CONTINUE;
}

static gboolean on_kill_timer(gpointer data)
{
	NMMeshubEngine *e = data;

	e->kill_timer = 0;
	g_warning("meshubd (pid %d) did not stop within %d s; killing it", (int)e->pid,
		  NM_MESHUB_ENGINE_STOP_GRACE_SEC);
	kill_engine(e, SIGKILL);
	return G_SOURCE_REMOVE;
}

static void on_child_exit(GPid pid, int status, gpointer data)
{
	NMMeshubEngine *e = data;
	char last[LINE_MAX_LEN + 1];

	e->child_watch = 0;
	e->running = FALSE;
	g_spawn_close_pid(pid);
	g_clear_handle_id(&e->kill_timer, g_source_remove);
	finish_log(e); /* its last words may still be in the pipe */
	memcpy(last, e->last_line, sizeof(last));
	e->cb.exited(status, last, e->user_data); /* may free e: nothing after this */
}

static gboolean spawn(NMMeshubEngine *e, const NMMeshubEngineArgs *args, int psk_fd, int ready_fd, int log_fd,
		      GError **error)
{
	const char *argv[10];
	const int source_fds[] = { psk_fd, ready_fd };
	const int target_fds[] = { PSK_FD, READY_FD };
	guint n = 0;

	argv[n++] = args->meshubd;
	argv[n++] = "--nm";
	argv[n++] = "--psk-fd";
	argv[n++] = G_STRINGIFY(PSK_FD);
	argv[n++] = "--ready-fd";
	argv[n++] = G_STRINGIFY(READY_FD);
	if (args->verbose)
		argv[n++] = "-v";
	argv[n++] = args->conf_path;
	argv[n] = NULL;
	return g_spawn_async_with_pipes_and_fds(NULL, argv, NULL,
						G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL,
						child_setup, GINT_TO_POINTER(getpid()), -1, log_fd, log_fd,
						source_fds, target_fds, G_N_ELEMENTS(source_fds), &e->pid, NULL,
						NULL, NULL, error);
}

static gboolean start(NMMeshubEngine *e, const NMMeshubEngineArgs *args, GError **error)
{
	int psk[2] = { -1, -1 }, ready[2] = { -1, -1 }, log[2] = { -1, -1 };
	gboolean ok = FALSE;

	if (!open_pipe(psk, error) || !open_pipe(ready, error) || !open_pipe(log, error))
		goto out;
	if (!write_psk(psk[1], args->psk, error))
		goto out;
	close_fd(&psk[1]);
	if (!spawn(e, args, psk[0], ready[1], log[1], error))
		goto out;
	e->running = TRUE;
	e->ready_fd = ready[0];
	e->log_fd = log[0];
	ready[0] = log[0] = -1;
	g_unix_set_fd_nonblocking(e->ready_fd, TRUE, NULL);
	g_unix_set_fd_nonblocking(e->log_fd, TRUE, NULL);
	e->ready_watch = g_unix_fd_add(e->ready_fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_ready, e);
	e->log_watch = g_unix_fd_add(e->log_fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_log, e);
	e->child_watch = g_child_watch_add(e->pid, on_child_exit, e);
	ok = TRUE;
out:
	for (int i = 0; i < 2; i++) {
		close_fd(&psk[i]);
		close_fd(&ready[i]);
		close_fd(&log[i]);
	}
	return ok;
}

NMMeshubEngine *nm_meshub_engine_start(const NMMeshubEngineArgs *args, const NMMeshubEngineCallbacks *cb,
				       gpointer user_data, GError **error)
{
	g_autoptr(NMMeshubEngine) e = g_new0(NMMeshubEngine, 1);

	e->ready_fd = e->log_fd = -1;
	e->cb = *cb;
	e->user_data = user_data;
	if (!start(e, args, error))
		return NULL;
	g_message("started meshubd (pid %d) with %s", (int)e->pid, args->conf_path);
	return g_steal_pointer(&e);
}

void nm_meshub_engine_stop(NMMeshubEngine *e)
{
	if (!e->running || e->kill_timer)
		return;
	kill_engine(e, SIGTERM);
	e->kill_timer = g_timeout_add_seconds(NM_MESHUB_ENGINE_STOP_GRACE_SEC, on_kill_timer, e);
}

gboolean nm_meshub_engine_is_running(NMMeshubEngine *e)
{
	return e->running;
}

GPid nm_meshub_engine_get_pid(NMMeshubEngine *e)
{
	return e->pid;
}

void nm_meshub_engine_free(NMMeshubEngine *e)
{
	int status;

	if (!e)
		return;
	g_clear_handle_id(&e->child_watch, g_source_remove);
	g_clear_handle_id(&e->kill_timer, g_source_remove);
	g_clear_handle_id(&e->ready_watch, g_source_remove);
	g_clear_handle_id(&e->log_watch, g_source_remove);
	close_fd(&e->ready_fd);
	close_fd(&e->log_fd);
	if (e->running) {
		g_warning("killing meshubd (pid %d)", (int)e->pid);
		kill_engine(e, SIGKILL);
		while (waitpid(e->pid, &status, 0) < 0 && errno == EINTR)
			;
		g_spawn_close_pid(e->pid);
	}
	g_free(e);
}
