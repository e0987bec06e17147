/* log.c - logging to stderr (with a level tag) or to syslog. */
#include "config.h"

#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

static int log_level = LOG_LVL_INFO;
static bool log_syslog;
static const char *log_ident = "meshub";

static const char *const names[] = {"error", "warning", "info", "debug"};

void log_init(const char *ident, int level, bool use_syslog)
{
	log_ident = ident;
	log_level = level;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(int level)
{
	log_level = level;
}

int log_get_level(void)
{
	return log_level;
}

bool log_enabled(int level)
{
	return level <= log_level;
}

int log_level_parse(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (!strcasecmp(name, names[i]))
			return i;
	if (!strcasecmp(name, "warn"))
		return LOG_LVL_WARNING;
	return -1;
}

const char *log_level_name(int level)
{
	return level >= 0 && level < 4 ? names[level] : "?";
}

static void log_v(int level, const char *fmt, va_list ap, int err) __attribute__((format(printf, 2, 0)));
static void log_v(int level, const char *fmt, va_list ap, int err)
{
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	char buf[1024];
	int n;

	if (!log_enabled(level))
		return;
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (err && n >= 0 && (size_t)n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - (size_t)n, ": %s", strerror(-err));
	if (log_syslog) {
		syslog(prio[level], "%s", buf);
	} else {
		fprintf(stderr, "%s[%s]: %s\n", log_ident, names[level], buf);
	}
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(level, fmt, ap, 0);
	va_end(ap);
}

int log_errno(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(LOG_LVL_ERROR, fmt, ap, err < 0 ? err : -err);
	va_end(ap);
	return err < 0 ? err : -err;
}
