/*
 * api_public.c — the public bot API besides the chat (no key; rate limited per client address): the
 * widget's config (with the business profile and whether it is open now), status, analytics events, and
 * the email a visitor leaves with their consent. Unknown bots answer 404 bot_not_found, inactive ones
 * 404 bot_inactive; access rules (token, origins) apply to all of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/bot_json.h"
#include "api/config_cache.h"
#include "conv/hours.h"

static bool event_name_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == ':' ||
		      *s == '-'))
			return false;
	return true;
}

static const struct json_field analytics_fields[] = {
	{"event", JF_STRING, true, false, 1, 64, NULL, event_name_ok, "1-64 characters of a-z 0-9 _ . : -", NULL},
	{"props", JF_ANY_OBJECT, false, true, 0, 4096, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

int api_public_bot(struct req *r, struct store_bot *b, json_t **config)
{
	const char *id = req_param(r, 0);
	if (!crypto_id_valid("bot", id))
		return resp_errorf(r, ERR_BOT_NOT_FOUND, NULL, "no bot with this id");
	int rc = store_bot_get_public(app_of(r)->store, id, b);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_BOT_NOT_FOUND, "bot");
	/* a trial bot past its expires_at is inactive even before the housekeeping job switches it off */
	if (!b->active || (b->expires_at && b->expires_at <= clock_now_ms(&app_of(r)->clock))) {
		store_bot_clear(b);
		return resp_errorf(r, ERR_BOT_INACTIVE, NULL, "this bot is not active");
	}
	*config = config_cache_get(app_of(r)->config_cache, b); /* shared: read only */
	if (!*config) {
		store_bot_clear(b);
		return resp_errorf(r, ERR_INTERNAL, NULL, "the bot's stored configuration is unreadable");
	}
	enum err_code access = api_public_access(r, *config);
	if (access != ERR_OK) {
		json_decref(*config);
		*config = NULL;
		store_bot_clear(b);
		return resp_errorf(r, access, NULL, "%s", api_access_message(access));
	}
	return 0;
}

/* The business profile for visitors: company data, and — when the bot has opening hours — whether it is
 * open now, when it closes or opens next (ISO 8601 in its timezone), a sentence saying so, and the
 * hours themselves when show_hours is on. */
static int add_profile(json_t *out, json_t *config, int64_t now)
{
	json_t *company = json_object_get(config, "company");
	if (json_object_set_new(out, "company", company ? json_deep_copy(company) : json_object()) != 0)
		return -1;
	json_t *oh = json_object_get(config, "opening_hours");
	struct err e;
	struct hours *h = json_is_object(oh) ? hours_parse(oh, &e) : NULL;
	if (!h)
		return json_object_set_new(out, "open_now", json_null());
	struct hours_status st;
	char next[32] = "", closes[32] = "", text[512] = "";
	int rc = hours_status_at(h, now, &st);
	if (rc == 0) {
		if (st.next_open_ms)
			hours_iso_local(h, st.next_open_ms, next);
		if (st.closes_at_ms)
			hours_iso_local(h, st.closes_at_ms, closes);
		hours_describe_status(h, now, json_str(config, "language", "de"), text, sizeof text);
		rc = json_object_set_new(out, "open_now", json_boolean(st.open)) |
		     json_object_set_new(out, "next_open", *next ? json_string(next) : json_null()) |
		     json_object_set_new(out, "closes_at", *closes ? json_string(closes) : json_null()) |
		     json_object_set_new(out, "hours_text", json_string(text)) |
		     json_object_set_new(out, "opening_hours", hours_show_hours(h) ? json_deep_copy(oh) : json_null());
	}
	hours_free(h);
	return rc == 0 ? 0 : -1;
}

static int public_config(struct req *r)
{
	struct store_bot b;
	json_t *config;
	if (api_public_bot(r, &b, &config) != 0)
		return -1;
	json_t *out = bot_public_json(&b, config);
	int rc;
	if (!out || add_profile(out, config, clock_now_ms(&app_of(r)->clock)) != 0) {
		json_decref(out);
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
	} else {
		rc = resp_json(r, 200, out);
	}
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

static int public_status(struct req *r)
{
	struct store_bot b;
	json_t *config;
	if (api_public_bot(r, &b, &config) != 0)
		return -1;
	int rc = resp_json(r, 200, json_pack("{s:s, s:b, s:s}", "id", b.id, "active", 1, "status", "online"));
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

static int public_analytics(struct req *r)
{
	struct app *app = app_of(r);
	struct store_bot b;
	json_t *config;
	if (api_public_bot(r, &b, &config) != 0)
		return -1;
	json_t *props = json_object_get(r->json, "props");
	char *text = json_is_object(props) ? json_dumps(props, JSON_COMPACT) : strdup("{}");
	int rc;
	if (!text) {
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
	} else {
		int src = store_analytics_add(app->store, b.tenant_id, b.id, json_str(r->json, "event", ""), text,
					      clock_now_ms(&app->clock));
		rc = src == STORE_OK ? resp_json(r, 202, json_pack("{s:b}", "accepted", 1))
				     : api_store_error(r, src, ERR_BOT_NOT_FOUND, "bot");
	}
	free(text);
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

const struct route api_public_routes[] = {
	{"GET", "/api/v1/public/bot/{id}/config", public_config, AUTH_PUBLIC, 0, NULL, false},
	{"GET", "/api/v1/public/bot/{id}/status", public_status, AUTH_PUBLIC, 0, NULL, false},
	{"POST", "/api/v1/public/bot/{id}/analytics", public_analytics, AUTH_PUBLIC, 8192, analytics_fields, false},
};
const size_t api_public_routes_count = sizeof api_public_routes / sizeof api_public_routes[0];
