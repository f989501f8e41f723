/*
 * err.h — the one error vocabulary of botwerk.
 *
 * Each code maps to an HTTP status and a stable snake_case string (the `error.code` clients see). A
 * `struct err` carries a code, an optional field path and a human message; functions that can fail for a
 * reason a user should read take a `struct err *` and fill it with err_set().
 */
#ifndef BOTWERK_BASE_ERR_H
#define BOTWERK_BASE_ERR_H

enum err_code {
	ERR_OK = 0,
	ERR_INVALID_JSON,
	ERR_INVALID_REQUEST,
	ERR_MESSAGE_EMPTY,
	ERR_MESSAGE_TOO_LONG,
	ERR_UNAUTHORIZED,
	ERR_TOKEN_REQUIRED,
	ERR_TOKEN_INVALID,
	ERR_ORIGIN_NOT_ALLOWED,
	ERR_NOT_FOUND,
	ERR_BOT_NOT_FOUND,
	ERR_SOURCE_NOT_FOUND,
	ERR_BOT_INACTIVE,
	ERR_METHOD_NOT_ALLOWED,
	ERR_CONFLICT,
	ERR_BODY_TOO_LARGE,
	ERR_UNSUPPORTED_MEDIA_TYPE,
	ERR_VALIDATION,
	ERR_RATE_LIMITED,
	ERR_INTERNAL,
	ERR_UNAVAILABLE,
	ERR_FORBIDDEN,
	ERR__COUNT
};

#define ERR_FIELD_MAX 96
#define ERR_MSG_MAX 256

struct err {
	enum err_code code;
	char field[ERR_FIELD_MAX]; /* "" when no single field is at fault */
	char msg[ERR_MSG_MAX];
};

/* Fills `e` (field may be NULL) and returns -1, so callers can `return err_set(...)`. */
int err_set(struct err *e, enum err_code code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int err_http_status(enum err_code code);
const char *err_code_name(enum err_code code);

#endif
