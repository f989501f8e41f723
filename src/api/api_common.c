/* api_common.c — helpers every resource file uses: store errors, pagination, timestamps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
