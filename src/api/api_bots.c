/* api_bots.c — bot management: create, list, show, change, delete, (de)activate. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/bot_json.h"
#include "api/bot_secrets.h"

static const struct json_field status_fields[] = {
	{"active", JF_BOOL, true, false, 0, 0, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

/* True when the string has something besides white space. */
static bool has_text(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return true;
	return false;
}

/* Answers with the bot in its management view. */
static int reply_bot(struct req *r, int status, const struct store_bot *b)
{
	json_t *config = bot_config_parse(b);
	json_t *body = config ? bot_to_json(b, config) : NULL;
	json_decref(config);
	if (!body)
		return resp_errorf(r, ERR_INTERNAL, NULL, "the bot's stored configuration is unreadable");
	return resp_json(r, status, body);
}

/* Loads the caller's bot named in the path, answering 404 when it is not theirs. */
static int load_bot(struct req *r, struct store_bot *b)
{
	int rc = store_bot_get(app_of(r)->store, r->tenant_id, req_param(r, 0), b);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_BOT_NOT_FOUND, "bot");
	return 0;
}

static int bot_create(struct req *r)
{
	struct app *app = app_of(r);
	struct store_bot b = {0};
	const char *name = json_str(r->json, "name", "");
	int rc = -1;

	if (!has_text(name))
		return resp_errorf(r, ERR_VALIDATION, "name", "name must not be blank");
	json_t *config = bot_config_defaults(json_str(r->json, "language", "de"));
	if (!config || bot_config_merge(config, r->json) != 0)
		goto oom;
	struct err e;
	if (bot_config_check(config, &e) != 0) {
		json_decref(config);
		return resp_error(r, &e);
	}
	crypto_random_id("bot", b.id, sizeof b.id);
	snprintf(b.tenant_id, sizeof b.tenant_id, "%s", r->tenant_id);
	int sec = bot_secrets_seal(app, r->tenant_id, b.id, config);
	if (sec != STORE_OK) {
		json_decref(config);
		return api_store_error(r, sec, ERR_NOT_FOUND, "bot");
	}
	b.name = (char *)(uintptr_t)name;
	b.active = json_bool(r->json, "active", true);
	b.created_at = b.updated_at = clock_now_ms(&app->clock);
	if (bot_parse_instant(json_str(r->json, "expires_at", NULL), &b.expires_at) != 0)
		b.expires_at = 0; /* absent or null (validated by the field table) */
	b.config = json_dumps(config, JSON_COMPACT);
	if (!b.config)
		goto oom;
	int src = store_bot_create(app->store, &b);
	if (src != STORE_OK)
		rc = api_store_error(r, src, ERR_NOT_FOUND, "bot");
	else
		rc = resp_json(r, 201, bot_to_json(&b, config));
	free(b.config);
	json_decref(config);
	return rc;
oom:
	json_decref(config);
	return resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
}

static int bot_list(struct req *r)
{
	struct app *app = app_of(r);
	struct page p;
	struct store_bot rows[100];
	int n = 0;

	if (api_page_parse(r, &p) != 0)
		return -1;
	int rc = store_bot_list(app->store, r->tenant_id, p.after_created, p.has_cursor ? p.after_id : NULL, p.limit,
				rows, &n);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_NOT_FOUND, "bots");
	json_t *items = json_array();
	for (int i = 0; i < n; i++) {
		json_t *config = bot_config_parse(&rows[i]);
		if (config)
			json_array_append_new(items, bot_to_json(&rows[i], config));
		json_decref(config);
	}
	json_t *cursor = n > 0 ? api_page_cursor(n, p.limit, rows[n - 1].created_at, rows[n - 1].id) : json_null();
	for (int i = 0; i < n; i++)
		store_bot_clear(&rows[i]);
	return resp_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", cursor));
}

static int bot_show(struct req *r)
{
	struct store_bot b;
	if (load_bot(r, &b) != 0)
		return -1;
	int rc = reply_bot(r, 200, &b);
	store_bot_clear(&b);
	return rc;
}

/* Applies a validated change set to the caller's bot and answers with the result. */
static int apply_change(struct req *r, json_t *change)
{
	struct app *app = app_of(r);
	struct store_bot b;
	int rc;

	if (load_bot(r, &b) != 0)
		return -1;
	json_t *config = bot_config_parse(&b);
	char *text = NULL, *old_name = b.name;
	const char *name = json_str(change, "name", NULL);
	if (name && !has_text(name)) {
		rc = resp_errorf(r, ERR_VALIDATION, "name", "name must not be blank");
		goto out;
	}
	if (!config || bot_config_merge(config, change) != 0) {
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "the bot's configuration could not be updated");
		goto out;
	}
	struct err e;
	if (bot_config_check(config, &e) != 0) {
		rc = resp_error(r, &e);
		goto out;
	}
	int sec = bot_secrets_seal(app, b.tenant_id, b.id, config);
	if (sec != STORE_OK) {
		rc = api_store_error(r, sec, ERR_BOT_NOT_FOUND, "bot");
		goto out;
	}
	if (!(text = json_dumps(config, JSON_COMPACT))) {
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "the bot's configuration could not be updated");
		goto out;
	}
	free(b.config);
	b.config = text;
	text = NULL;
	if (name)
		b.name = (char *)(uintptr_t)name;
	b.active = json_bool(change, "active", b.active);
	b.updated_at = clock_now_ms(&app->clock);
	json_t *exp = json_object_get(change, "expires_at");
	if (exp && bot_parse_instant(json_string_value(exp), &b.expires_at) != 0)
		b.expires_at = 0; /* null: no expiry */
	int src = store_bot_update(app->store, &b);
	rc = src == STORE_OK ? resp_json(r, 200, bot_to_json(&b, config)) : api_store_error(r, src, ERR_BOT_NOT_FOUND, "bot");
	b.name = old_name;
out:
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

static int bot_patch(struct req *r)
{
	return apply_change(r, r->json);
}

static int bot_status(struct req *r)
{
	return apply_change(r, r->json);
}

static int bot_delete(struct req *r)
{
	int rc = store_bot_delete(app_of(r)->store, r->tenant_id, req_param(r, 0));
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_BOT_NOT_FOUND, "bot");
	return resp_empty(r, 204);
}

const struct route api_bots_routes[] = {
	{"POST", "/api/v1/bots", bot_create, AUTH_KEY, 0, bot_fields, false},
	{"GET", "/api/v1/bots", bot_list, AUTH_KEY, 0, NULL, false},
	{"GET", "/api/v1/bots/{id}", bot_show, AUTH_KEY, 0, NULL, false},
	{"PATCH", "/api/v1/bots/{id}", bot_patch, AUTH_KEY, 0, bot_fields, true},
	{"DELETE", "/api/v1/bots/{id}", bot_delete, AUTH_KEY, 0, NULL, false},
	{"PUT", "/api/v1/bots/{id}/status", bot_status, AUTH_KEY, 0, status_fields, false},
};
const size_t api_bots_routes_count = sizeof api_bots_routes / sizeof api_bots_routes[0];
