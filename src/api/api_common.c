/* api_common.c — helpers every resource file uses: store errors, pagination, timestamps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "api/api.h"

int api_store_error(struct req *r, int store_rc, enum err_code notfound, const char *what)
{
	switch (store_rc) {
	case STORE_NOTFOUND:
		return resp_errorf(r, notfound, NULL, "%s not found", what);
	case STORE_CONFLICT:
		return resp_errorf(r, ERR_CONFLICT, NULL, "%s conflicts with an existing one", what);
	case STORE_BUSY:
		resp_header(r, "Retry-After", "1");
		return resp_errorf(r, ERR_UNAVAILABLE, NULL, "the database is busy; try again");
	default:
		return resp_errorf(r, ERR_INTERNAL, NULL, "the database failed; nothing was changed");
	}
}

/* True when `origin` (scheme://host[:port]) names the host the request was sent to. */
static bool same_origin(const struct req *r, const char *origin)
{
	const char *host = req_header(r, "Host");
	const char *o = strstr(origin, "://");
	return host && o && !strcasecmp(o + 3, host);
}

enum err_code api_public_access(struct req *r, json_t *config)
{
	json_t *access = json_object_get(config, "access");
	const char *token = json_str(access, "token", NULL);
	if (token && *token) {
		const char *given = req_query(r, "token");
		if (!given || !*given)
			return ERR_TOKEN_REQUIRED;
		size_t n = strlen(token);
		if (strlen(given) != n || sodium_memcmp(given, token, n) != 0)
			return ERR_TOKEN_INVALID;
	}
	json_t *origins = json_object_get(access, "allowed_origins");
	const char *origin = req_header(r, "Origin");
	if (!origin || json_array_size(origins) == 0)
		return ERR_OK;
	size_t i;
	json_t *o;
	json_array_foreach(origins, i, o)
	{
		if (json_is_string(o) && !strcasecmp(json_string_value(o), origin)) {
			resp_header(r, "Access-Control-Allow-Origin", json_string_value(o));
			resp_header(r, "Vary", "Origin");
			return ERR_OK;
		}
	}
	return same_origin(r, origin) ? ERR_OK : ERR_ORIGIN_NOT_ALLOWED;
}

const char *api_access_message(enum err_code code)
{
	switch (code) {
	case ERR_TOKEN_REQUIRED:
		return "this bot is private: open it with the link that includes its token (?token=...)";
	case ERR_TOKEN_INVALID:
		return "the access token in the link is not valid for this bot";
	case ERR_ORIGIN_NOT_ALLOWED:
		return "this bot may not be used from this website";
	default:
		return "access denied";
	}
}

int api_page_parse(struct req *r, struct page *p)
{
	const char *lim = req_query(r, "limit"), *cur = req_query(r, "cursor");
	memset(p, 0, sizeof *p);
	p->limit = 20;
	if (lim) {
		char *end;
		long v = strtol(lim, &end, 10);
		if (!*lim || *end || v < 1 || v > 100)
			return resp_errorf(r, ERR_INVALID_REQUEST, "limit", "limit must be a number from 1 to 100");
		p->limit = (int)v;
	}
	if (cur && *cur) {
		char *end;
		long long created = strtoll(cur, &end, 10);
		if (end == cur || *end != '.' || strlen(end + 1) == 0 || strlen(end + 1) >= STORE_ID_MAX)
			return resp_errorf(r, ERR_INVALID_REQUEST, "cursor", "cursor is not one this API returned");
		p->after_created = created;
		snprintf(p->after_id, sizeof p->after_id, "%s", end + 1);
		p->has_cursor = true;
	}
	return 0;
}

json_t *api_page_cursor(int got, int limit, int64_t last_created, const char *last_id)
{
	if (got < limit)
		return json_null();
	char buf[STORE_ID_MAX + 24];
	snprintf(buf, sizeof buf, "%lld.%s", (long long)last_created, last_id);
	return json_string(buf);
}

json_t *api_time(int64_t unix_ms)
{
	char buf[32];
	return json_string(clock_iso8601(unix_ms, buf));
}
