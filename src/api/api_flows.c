/*
 * api_flows.c — a bot's conversation flow (docs/flows.md): store it after validation, show it, remove it.
 *
 * The flow lives in the bot's config under "flow" (api/bot_json.c), so PATCH /api/v1/bots/{id} can set it
 * too; both paths validate with flow_parse (conv/flow.h) and never store a document it refuses. Here a
 * refusal lists every error found (up to FLOW_ERRORS_SHOWN) with its path, code and message, next to the
 * usual error envelope:
 *
 *   422 {"error": {"code": "flow_invalid", "message": "…"},
 *        "errors": [{"path": "nodes.ads.answer.no", "code": "missing_transition", "message": "…"}]}
 *
 * The request body of PUT is the flow document itself (not wrapped); answers carry it as "flow".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/bot_json.h"
#include "conv/flow.h"

#define FLOW_ERRORS_SHOWN 50                  /* errors listed in a 422; the message gives the total */
#define FLOW_BODY_CAP (4u * FLOW_DOC_MAX)     /* room for indentation; the compact form is capped by flow_parse */

/* An error envelope with a code of this resource (not one of base/err.h's), optionally with `errors`
 * (stolen) beside it. `code` must be a string constant (the access log keeps the pointer). Returns -1. */
static int flow_error_reply(struct req *r, int status, const char *code, const char *message, json_t *errors)
{
	json_t *body = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message);
	if (body && errors) {
		if (json_object_set_new(body, "errors", errors) != 0) {
			json_decref(body);
			body = NULL;
		}
	} else {
		json_decref(errors);
	}
	r->err_code = code;
	resp_json(r, status, body); /* NULL: answered 500 */
	return -1;
}

static int flow_not_found(struct req *r)
{
	return flow_error_reply(r, 404, "flow_not_found", "this bot has no flow", NULL);
}

/* {"bot_id", "name", "flow"} for a stored document. New reference or NULL. */
static json_t *flow_view(const char *bot_id, json_t *doc)
{
	const char *name = json_str(doc, "name", NULL);
	return json_pack("{s:s, s:s?, s:O}", "bot_id", bot_id, "name", name && *name ? name : NULL, "flow", doc);
}

/* Loads the caller's bot named in the path and its config; answers 404 / 500 itself and returns -1 then.
 * On 0, clear b and decref *config. */
static int load_bot(struct req *r, struct store_bot *b, json_t **config)
{
	int rc = store_bot_get(app_of(r)->store, r->tenant_id, req_param(r, 0), b);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_BOT_NOT_FOUND, "bot");
	*config = bot_config_parse(b);
	if (!*config) {
		store_bot_clear(b);
		return resp_errorf(r, ERR_INTERNAL, NULL, "the bot's stored configuration is unreadable");
	}
	return 0;
}

/* Validates `doc`; on refusal answers 422 with every error (500 when memory ran out) and returns -1. */
static int check_flow(struct req *r, const json_t *doc)
{
	struct flow_error *errs = calloc(FLOW_ERRORS_SHOWN, sizeof *errs);
	if (!errs)
		return resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
	int nerrs = 0, rc = 0;
	struct flow *f = flow_parse(doc, errs, FLOW_ERRORS_SHOWN, &nerrs);
	if (f) {
		flow_free(f);
		goto out;
	}
	int shown = nerrs < FLOW_ERRORS_SHOWN ? nerrs : FLOW_ERRORS_SHOWN;
	for (int i = 0; i < shown; i++) {
		if (!strcmp(errs[i].code, "no_memory")) {
			rc = resp_errorf(r, ERR_INTERNAL, NULL, "out of memory while checking the flow");
			goto out;
		}
	}
	json_t *list = json_array();
	for (int i = 0; list && i < shown; i++) {
		json_t *e = json_pack("{s:s, s:s, s:s}", "path", errs[i].path, "code", errs[i].code, "message",
				      errs[i].message);
		if (!e || json_array_append_new(list, e) != 0) {
			json_decref(list);
			list = NULL;
		}
	}
	if (!list) {
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	char msg[160];
	if (nerrs > shown)
		snprintf(msg, sizeof msg, "the flow has %d errors (the first %d are listed); nothing was saved", nerrs,
			 shown);
	else
		snprintf(msg, sizeof msg, "the flow has %d error%s; nothing was saved", nerrs, nerrs == 1 ? "" : "s");
	rc = flow_error_reply(r, 422, "flow_invalid", msg, list);
out:
	free(errs);
	return rc;
}

/* True when the Content-Type names JSON (application/json, with parameters or not). */
static bool is_json(const char *ctype)
{
	static const char want[] = "application/json";
	return ctype && !strncasecmp(ctype, want, sizeof want - 1) &&
	       (ctype[sizeof want - 1] == '\0' || ctype[sizeof want - 1] == ';' || ctype[sizeof want - 1] == ' ');
}

/* The request body as a JSON object (new reference); answers 400 / 415 itself and returns NULL then. */
static json_t *read_doc(struct req *r)
{
	if (r->body_len == 0) {
		resp_errorf(r, ERR_INVALID_JSON, NULL, "send the flow document as the JSON body");
		return NULL;
	}
	if (!is_json(req_header(r, "Content-Type"))) {
		resp_errorf(r, ERR_UNSUPPORTED_MEDIA_TYPE, NULL, "send the body as Content-Type: application/json");
		return NULL;
	}
	json_error_t jerr;
	json_t *doc = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		resp_errorf(r, ERR_INVALID_JSON, NULL, "malformed JSON at line %d, column %d: %s", jerr.line, jerr.column,
			    jerr.text);
		return NULL;
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		resp_errorf(r, ERR_INVALID_JSON, NULL, "the body must be a JSON object: the flow document");
		return NULL;
	}
	return doc;
}

/* Stores `config` as the bot's config (updated now) and answers with `reply` (stolen; NULL: 204). */
static int save_config(struct req *r, struct store_bot *b, json_t *config, int status, json_t *reply)
{
	struct app *app = app_of(r);
	char *text = json_dumps(config, JSON_COMPACT);
	if (!text) {
		json_decref(reply);
		return resp_errorf(r, ERR_INTERNAL, NULL, "the bot's configuration could not be updated");
	}
	free(b->config);
	b->config = text;
	b->updated_at = clock_now_ms(&app->clock);
	int rc = store_bot_update(app->store, b);
	if (rc != STORE_OK) {
		json_decref(reply);
		return api_store_error(r, rc, ERR_BOT_NOT_FOUND, "bot");
	}
	return reply ? resp_json(r, status, reply) : resp_empty(r, status);
}

/* PUT /api/v1/bots/{id}/flows: the body is the flow document; stored only when flow_parse accepts it. */
static int flow_put(struct req *r)
{
	struct store_bot b;
	json_t *config = NULL;
	int rc = -1;
	json_t *doc = read_doc(r);
	if (!doc)
		return -1;
	if (load_bot(r, &b, &config) != 0)
		goto done;
	if (check_flow(r, doc) != 0)
		goto out;
	if (json_object_set(config, "flow", doc) != 0) {
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	rc = save_config(r, &b, config, 200, flow_view(b.id, doc));
out:
	json_decref(config);
	store_bot_clear(&b);
done:
	json_decref(doc);
	return rc;
}

/* GET /api/v1/bots/{id}/flows */
static int flow_get(struct req *r)
{
	struct store_bot b;
	json_t *config = NULL;
	if (load_bot(r, &b, &config) != 0)
		return -1;
	json_t *doc = json_object_get(config, "flow");
	int rc = json_is_object(doc) ? resp_json(r, 200, flow_view(b.id, doc)) : flow_not_found(r);
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

/* DELETE /api/v1/bots/{id}/flows: 204, or 404 flow_not_found when there is none. */
static int flow_delete(struct req *r)
{
	struct store_bot b;
	json_t *config = NULL;
	int rc;
	if (load_bot(r, &b, &config) != 0)
		return -1;
	if (!json_is_object(json_object_get(config, "flow"))) {
		rc = flow_not_found(r);
		goto out;
	}
	json_object_del(config, "flow");
	rc = save_config(r, &b, config, 204, NULL);
out:
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

const struct route api_flows_routes[] = {
	{"PUT", "/api/v1/bots/{id}/flows", flow_put, AUTH_KEY, FLOW_BODY_CAP, NULL, 0},
	{"GET", "/api/v1/bots/{id}/flows", flow_get, AUTH_KEY, 0, NULL, 0},
	{"DELETE", "/api/v1/bots/{id}/flows", flow_delete, AUTH_KEY, 0, NULL, 0},
};
const size_t api_flows_routes_count = sizeof api_flows_routes / sizeof api_flows_routes[0];
