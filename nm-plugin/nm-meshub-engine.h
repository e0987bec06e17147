/* nm-meshub-engine.h - one meshubd process in NetworkManager mode, run and
 * watched by the service: the key goes to it over a pipe, its readiness line
 * and its exit are reported, its log lines are forwarded, and it is stopped
 * with SIGTERM, then SIGKILL. */
#pragma once

#include <glib.h>

#define NM_MESHUB_ENGINE_STOP_GRACE_SEC 5
#define NM_MESHUB_ENGINE_IFNAME_MAX 15

typedef struct NMMeshubEngine NMMeshubEngine;

typedef struct {
	/* "READY ifname=... mtu=..." arrived and made sense */
	void (*ready)(const char *ifname, guint mtu, gpointer user_data);
	/* after ready: "HINT text" arrived, or "HINT" (text "") when it no longer holds */
	void (*hint)(const char *text, gpointer user_data);
	/* the process is gone (wait status); last_line is its last log line or "" */
	void (*exited)(int status, const char *last_line, gpointer user_data);
} NMMeshubEngineCallbacks;

typedef struct {
	const char *meshubd;	 /* the program */
	const char *conf_path; /* its configuration file */
	const char *psk;	 /* the network key, written to --psk-fd */
	gboolean verbose;	 /* pass -v */
} NMMeshubEngineArgs;

/* Starts meshubd --nm --psk-fd 3 --ready-fd 4 CONFIG (fd 4 then carries
 * the readiness line and later hints, one line each). The callbacks run
 * from the main loop; the engine may be freed in them. */
NMMeshubEngine *nm_meshub_engine_start(const NMMeshubEngineArgs *args, const NMMeshubEngineCallbacks *cb,
				       gpointer user_data, GError **error);

/* SIGTERM now, SIGKILL after NM_MESHUB_ENGINE_STOP_GRACE_SEC; exited() follows. */
void nm_meshub_engine_stop(NMMeshubEngine *engine);
gboolean nm_meshub_engine_is_running(NMMeshubEngine *engine);
GPid nm_meshub_engine_get_pid(NMMeshubEngine *engine);

/* A process still running is killed (SIGKILL) and reaped before this
 * returns: the service never leaves an engine behind. */
void nm_meshub_engine_free(NMMeshubEngine *engine);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NMMeshubEngine, nm_meshub_engine_free)

/* Parses one readiness line (without or with its '\n'). */
gboolean nm_meshub_engine_parse_ready(const char *line, char ifname[NM_MESHUB_ENGINE_IFNAME_MAX + 1],
				      guint *mtu);
