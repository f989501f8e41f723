/* log.c — JSON-lines logger; every line is built in memory and written with one write(2). */
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const level_names[] = {"debug", "info", "warn", "error"};

int log_level_parse(const char *s, enum log_level *out)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

void log_init(struct log *l, enum log_level level, int fd)
{
	l->level = level;
	l->fd = fd;
}

static void write_line(const struct log *l, const char *line)
{
	size_t len = strlen(line);
	char stackbuf[2048];
	char *buf = len + 2 <= sizeof stackbuf ? stackbuf : malloc(len + 2);
	if (!buf)
		return;
	memcpy(buf, line, len);
	buf[len] = '\n';
	ssize_t off = 0, total = (ssize_t)len + 1;
	while (off < total) {
		ssize_t w = write(l->fd, buf + off, (size_t)(total - off));
		if (w <= 0)
			break;
		off += w;
	}
	if (buf != stackbuf)
		free(buf);
}

void log_fields(const struct log *l, enum log_level lv, const char *component, const char *msg, json_t *fields)
{
	if (!log_enabled(l, lv)) {
		json_decref(fields);
		return;
	}
	if (!fields)
		fields = json_object();
	if (!fields)
		return;

	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char tbuf[40];
	size_t n = strftime(tbuf, sizeof tbuf, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(tbuf + n, sizeof tbuf - n, ".%03ldZ", ts.tv_nsec / 1000000);

	json_t *line = json_object();
	if (!line) {
		json_decref(fields);
		return;
	}
	json_object_set_new(line, "ts", json_string(tbuf));
	json_object_set_new(line, "level", json_string(level_names[lv]));
	json_object_set_new(line, "component", json_string(component));
	json_object_set_new(line, "msg", json_string(msg));
	json_object_update(line, fields);
	json_decref(fields);
	char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(line);
	if (text) {
		write_line(l, text);
		free(text);
	}
}

void log_msg(const struct log *l, enum log_level lv, const char *component, const char *fmt, ...)
{
	if (!log_enabled(l, lv))
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_fields(l, lv, component, msg, NULL);
}
