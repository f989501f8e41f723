/*
 * log.h — JSON-lines logger on stderr.
 *
 * One line per event: {"ts":…,"level":…,"component":…,"msg":…, extra fields}. The level is checked
 * before anything is formatted. A `struct log` is part of the application context; it is read-only
 * after log_init, so threads share it without locking (each line is one write(2)).
 */
#ifndef BOTWERK_BASE_LOG_H
#define BOTWERK_BASE_LOG_H

#include <jansson.h>
#include <stdbool.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

struct log {
	enum log_level level;
	int fd; /* 2 unless tests redirect */
};

/* Parses "debug|info|warn|error"; returns -1 for anything else. */
int log_level_parse(const char *s, enum log_level *out);
void log_init(struct log *l, enum log_level level, int fd);
static inline bool log_enabled(const struct log *l, enum log_level lv) { return lv >= l->level; }

void log_msg(const struct log *l, enum log_level lv, const char *component, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Writes `fields` (an object; ts/level/component/msg are added) as one line. Steals the reference. */
void log_fields(const struct log *l, enum log_level lv, const char *component, const char *msg, json_t *fields);

#endif
