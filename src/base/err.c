/* err.c — error code table: HTTP status and stable code string per code. */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
	int status;
	const char *name;
} err_table[ERR__COUNT] = {
	[ERR_OK] = {200, "ok"},
	[ERR_INVALID_JSON] = {400, "invalid_json"},
	[ERR_INVALID_REQUEST] = {400, "invalid_request"},
	[ERR_MESSAGE_EMPTY] = {400, "message_empty"},
	[ERR_MESSAGE_TOO_LONG] = {400, "message_too_long"},
	[ERR_UNAUTHORIZED] = {401, "unauthorized"},
	[ERR_TOKEN_REQUIRED] = {401, "token_required"},
	[ERR_TOKEN_INVALID] = {401, "token_invalid"},
	[ERR_ORIGIN_NOT_ALLOWED] = {403, "origin_not_allowed"},
	[ERR_FORBIDDEN] = {403, "forbidden"},
	[ERR_NOT_FOUND] = {404, "not_found"},
	[ERR_BOT_NOT_FOUND] = {404, "bot_not_found"},
	[ERR_SOURCE_NOT_FOUND] = {404, "source_not_found"},
	[ERR_BOT_INACTIVE] = {404, "bot_inactive"},
	[ERR_METHOD_NOT_ALLOWED] = {405, "method_not_allowed"},
	[ERR_CONFLICT] = {409, "conflict"},
	[ERR_BODY_TOO_LARGE] = {413, "body_too_large"},
	[ERR_UNSUPPORTED_MEDIA_TYPE] = {415, "unsupported_media_type"},
	[ERR_VALIDATION] = {422, "validation_failed"},
	[ERR_RATE_LIMITED] = {429, "rate_limited"},
	[ERR_INTERNAL] = {500, "internal"},
	[ERR_UNAVAILABLE] = {503, "unavailable"},
};

int err_set(struct err *e, enum err_code code, const char *field, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int err_http_status(enum err_code code)
{
	return (unsigned)code < ERR__COUNT ? err_table[code].status : 500;
}

const char *err_code_name(enum err_code code)
{
	return (unsigned)code < ERR__COUNT ? err_table[code].name : "internal";
}
