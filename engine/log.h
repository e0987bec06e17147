/* log.h - the daemons' logging: stderr or syslog, four levels. Secrets are
 * never passed to these functions at any level. */
#pragma once

#include <stdbool.h>

enum log_level { LOG_LVL_ERROR = 0, LOG_LVL_WARNING, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_init(const char *ident, int level, bool use_syslog);
void log_set_level(int level);
int log_get_level(void);
bool log_enabled(int level);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parses "error", "warning", "info", "debug"; -1 if unknown. */
int log_level_parse(const char *name);
const char *log_level_name(int level);

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)                                  \
	do {                                            \
		if (log_enabled(LOG_LVL_DEBUG))         \
			log_msg(LOG_LVL_DEBUG, __VA_ARGS__); \
	} while (0)

/* Logs at error level and returns err (a negative errno), for
 * "return log_errno(r, "cannot bind %s", addr);". The message gets ": <strerror>". */
int log_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
