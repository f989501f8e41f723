/*
 * api_wa.c — the WhatsApp channel's management API (API key):
 *
 *   POST /api/v1/contacts                          a contact with opt-in data; the flow's first message
 *                                                  follows BOTWERK_WA_FIRST_MESSAGE_S later (job first_contact)
 *   GET  /api/v1/contacts/{id}/whatsapp            number, consent, conversation (owner, qualification, answers)
 *   POST /api/v1/messages/send                     a session text or template through the send policy
 *   POST /api/v1/conversations/{id}/messages       a person's answer (after a handover)
 *   POST /api/v1/conversations/{id}/handover       a person takes over
 *   POST /api/v1/conversations/{id}/handback       the bot again (the waiting question is asked again)
 *   GET  /api/v1/bots/{id}/funnel?from=&to=        funnel and audit counts
 *
 * Sends answer 200 (sent), 202 (held: scheduled, quiet hours, reply delay, pacing, a retry), 422
 * policy_blocked with the policy's reason, or 502 provider_error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/api.h"
#include "api/bot_json.h"
#include "api/wa_conv.h"
#include "api/wa_send.h"
#include "base/crypto.h"
#include "channels/policy.h"
#include "jobs/scheduler.h"
#include "privacy/keys.h"

#define FUNNEL_DEFAULT_DAYS 30

/* An error envelope with a code of this API (a string constant) and extra keys (stolen; may be NULL). */
static int wa_error(struct req *r, int status, const char *code, const char *message, json_t *extra)
{
	r->err_code = code;
	json_t *body = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message);
	if (body && extra)
		json_object_update(body, extra);
	json_decref(extra);
	return resp_json(r, status, body);
}

static bool check_tz(const char *s)
{
	return policy_timezone_valid(s);
}

static bool check_lang(const char *s)
{
	return !strcmp(s, "de") || !strcmp(s, "en");
}

static bool check_purpose(const char *s)
{
	return !strcmp(s, "reply") || !strcmp(s, "service") || !strcmp(s, "marketing");
}

static bool check_send_type(const char *s)
{
	return !strcmp(s, "session_text") || !strcmp(s, "template");
}

static bool check_instant(const char *s)
{
	int64_t ms;
	return bot_parse_instant(s, &ms) == 0;
}

/* ---- contacts ------------------------------------------------------------------------------------------- */

static const struct json_field consent_fields[] = {
	{"granted", JF_BOOL, true, false, 0, 0, NULL, NULL, NULL, NULL},
	{"source", JF_STRING, true, false, 1, 64, NULL, json_check_token, "a short word like web_form", NULL},
	{"text_version", JF_STRING, false, true, 1, 64, NULL, NULL, NULL, NULL},
	{"at", JF_STRING, false, true, 0, 40, NULL, check_instant, "an ISO 8601 UTC instant", NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct json_field contact_fields[] = {
	{"bot_id", JF_STRING, true, false, 1, 64, NULL, NULL, NULL, NULL},
	{"whatsapp", JF_STRING, true, false, 0, 0, NULL, json_check_e164, "a phone number in E.164, like +4915112345678",
	 NULL},
	{"first_name", JF_STRING, false, true, 1, 80, NULL, NULL, NULL, NULL},
	{"timezone", JF_STRING, false, true, 1, 64, NULL, check_tz, "an IANA time zone like Europe/Berlin", NULL},
	{"language", JF_STRING, false, true, 2, 2, NULL, check_lang, "de or en", NULL},
	{"consent", JF_OBJECT, false, false, 0, 0, NULL, NULL, NULL, consent_fields},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

/* The contact's WhatsApp view. New reference or NULL. */
static json_t *contact_view(struct app *app, const char *tenant_id, const char *contact_id, int *store_rc)
{
	struct store_wa_contact c = {0};
	struct store_wa_conv cv = {0};
	unsigned char key[SEAL_KEY_BYTES];
	char *number = NULL, *name = NULL, *state = NULL;
	json_t *v = NULL;
	*store_rc = store_wa_contact_get(app->store, tenant_id, contact_id, &c);
	if (*store_rc != STORE_OK)
		goto out;
	if (!c.e164_sealed) { /* a contact of the web channel */
		*store_rc = STORE_NOTFOUND;
		goto out;
	}
	*store_rc = keyring_contact_key(app->keyring, app->store, tenant_id, c.id, c.wrapped_key, key);
	if (*store_rc != STORE_OK)
		goto out;
	privacy_open(key, tenant_id, c.id, "whatsapp_e164", c.e164_sealed, &number);
	if (c.first_name_sealed)
		privacy_open(key, tenant_id, c.id, "first_name", c.first_name_sealed, &name);
	json_t *conv = json_null();
	struct store_conversation *list = NULL;
	int n = 0;
	char conv_id[STORE_ID_MAX] = "";
	if (store_contact_conversations(app->store, tenant_id, c.id, 8, &list, &n) == STORE_OK) {
		for (int i = 0; i < n; i++) {
			if (list[i].channel && !strcmp(list[i].channel, "whatsapp"))
				snprintf(conv_id, sizeof conv_id, "%s", list[i].id);
			store_conversation_clear(&list[i]);
		}
		free(list);
	}
	if (conv_id[0] && store_wa_conv_get(app->store, tenant_id, conv_id, &cv) == STORE_OK) {
		json_t *st = NULL;
		char field[STORE_ID_MAX + 8];
		snprintf(field, sizeof field, "state:%s", cv.id);
		if (cv.state_sealed && privacy_open(key, tenant_id, c.id, field, cv.state_sealed, &state) == 0)
			st = json_loads(state, 0, NULL);
		json_t *flow = json_object_get(st, "flow");
		json_decref(conv);
		json_t *fields = json_object_get(st, "fields");
		conv = json_pack("{s:s, s:s, s:s?, s:o, s:O, s:o, s:o, s:i}", "id", cv.id, "owner", cv.owner,
				 "handover_reason", cv.handover_reason, "handover_at",
				 cv.handover_at ? api_time(cv.handover_at) : json_null(), "qualification",
				 json_object_get(st, "qualification") ? json_object_get(st, "qualification") : json_null(),
				 "fields", fields ? json_incref(fields) : json_object(),
				 "flow",
				 flow ? json_pack("{s:O, s:O}", "node", json_object_get(flow, "node"), "done",
						  json_object_get(flow, "done"))
				      : json_null(),
				 "messages_in", cv.message_count);
		json_decref(st);
	}
	sodium_memzero(key, sizeof key);
	v = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s, s:{s:s, s:s?, s:s?, s:o}, s:o, s:o}", "id", c.id, "bot_id",
		      c.bot_id, "whatsapp", number, "first_name", name, "timezone", c.timezone, "language", c.language,
		      "consent_status", c.consent_status ? c.consent_status : "unknown", "consent", "status",
		      c.consent_status ? c.consent_status : "unknown", "source", c.consent_source,
		      "text_version", c.consent_text_version, "at", c.consent_at ? api_time(c.consent_at) : json_null(),
		      "last_inbound_at", c.last_inbound_at ? api_time(c.last_inbound_at) : json_null(), "conversation",
		      conv ? conv : json_null());
out:
	if (number) {
		sodium_memzero(number, strlen(number));
		free(number);
	}
	if (state) {
		sodium_memzero(state, strlen(state));
		free(state);
	}
	free(name);
	store_wa_conv_clear(&cv);
	store_wa_contact_clear(&c);
	return v;
}

static int contact_create(struct req *r)
{
	struct app *app = app_of(r);
	struct store_bot b = {0};
	json_t *config = NULL;
	struct store_wa_contact c = {0};
	unsigned char key[SEAL_KEY_BYTES];
	char contact_id[STORE_ID_MAX];
	int rc = store_bot_get(app->store, r->tenant_id, json_str(r->json, "bot_id", ""), &b);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_BOT_NOT_FOUND, "bot");
	config = bot_config_parse(&b);
	bool created = false;
	const json_t *consent = json_object_get(r->json, "consent");
	rc = config ? wa_contact_for(app, &b, json_str(r->json, "whatsapp", ""), json_str(r->json, "first_name", ""),
				     json_str(r->json, "timezone", NULL), json_str(r->json, "language", NULL), true,
				     contact_id, key, &c, &created)
		    : STORE_NOMEM;
	sodium_memzero(key, sizeof key);
	store_wa_contact_clear(&c);
	if (rc == STORE_ERROR) {
		rc = resp_errorf(r, ERR_VALIDATION, "whatsapp", "whatsapp must be a phone number in E.164");
		goto out;
	}
	if (rc != STORE_OK) {
		rc = api_store_error(r, rc, ERR_BOT_NOT_FOUND, "bot");
		goto out;
	}
	int64_t now = clock_now_ms(&app->clock), at = now, first_at = 0;
	if (consent) {
		const char *when = json_str(consent, "at", NULL);
		if (when && (bot_parse_instant(when, &at) != 0 || at > now))
			at = now;
		bool granted = json_is_true(json_object_get(consent, "granted"));
		char cid[STORE_ID_MAX];
		crypto_time_id("cons", now, cid, sizeof cid);
		struct store_wa_consent cs = {.tenant_id = b.tenant_id, .contact_id = contact_id,
					      .status = granted ? "granted" : "revoked",
					      .source = json_str(consent, "source", "api"),
					      .text_version = json_str(consent, "text_version", NULL), .at = at,
					      .consent_id = granted ? cid : NULL};
		int crc = store_wa_consent_set(app->store, &cs);
		if (crc != STORE_OK && crc != STORE_CONFLICT) {
			rc = api_store_error(r, crc, ERR_NOT_FOUND, "contact");
			goto out;
		}
		if (granted && json_is_object(json_object_get(config, "flow"))) {
			char jid[STORE_ID_MAX], dedupe[STORE_ID_MAX + 16];
			crypto_time_id("job", now, jid, sizeof jid);
			snprintf(dedupe, sizeof dedupe, "first_contact:%s", contact_id);
			first_at = now + app->settings.wa_first_message_s * 1000;
			json_t *p = json_pack("{s:s}", "contact_id", contact_id);
			char *payload = p ? json_dumps(p, JSON_COMPACT) : NULL;
			json_decref(p);
			struct store_job_in j = {.id = jid, .tenant_id = b.tenant_id, .bot_id = b.id, .kind = "first_contact",
						 .run_at = first_at, .payload = payload, .dedupe_key = dedupe,
						 .max_attempts = (int)app->settings.jobs_max_attempts, .now = now};
			int jrc = payload ? store_job_add(app->store, &j) : STORE_NOMEM;
			free(payload);
			if (jrc == STORE_CONFLICT)
				first_at = 0; /* the first message was scheduled (or sent) before */
			else if (jrc != STORE_OK) {
				rc = api_store_error(r, jrc, ERR_NOT_FOUND, "contact");
				goto out;
			}
			scheduler_poke(app->sched);
		}
	}
	int vrc;
	json_t *v = contact_view(app, r->tenant_id, contact_id, &vrc);
	if (!v) {
		rc = api_store_error(r, vrc, ERR_NOT_FOUND, "contact");
		goto out;
	}
	json_object_set_new(v, "first_message_at", first_at ? api_time(first_at) : json_null());
	rc = resp_json(r, created ? 201 : 200, v);
out:
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

static int contact_whatsapp(struct req *r)
{
	int rc;
	json_t *v = contact_view(app_of(r), r->tenant_id, req_param(r, 0), &rc);
	if (!v)
		return rc == STORE_NOTFOUND ? resp_errorf(r, ERR_NOT_FOUND, NULL, "no WhatsApp contact with this id")
					    : api_store_error(r, rc, ERR_NOT_FOUND, "contact");
	return resp_json(r, 200, v);
}

/* ---- sends -------------------------------------------------------------------------------------------- */

/* Answers with a send's result. */
static int reply_send(struct req *r, const struct wa_send_result *s)
{
	switch (s->status) {
	case WA_SEND_SENT:
		return resp_json(r, 200, json_pack("{s:s, s:s, s:b}", "status", "sent", "message_id", s->message_id,
						   "via_template", s->via_template));
	case WA_SEND_SCHEDULED:
		return resp_json(r, 202, json_pack("{s:s, s:s?, s:o, s:s}", "status", "scheduled", "job_id",
						   s->job_id[0] ? s->job_id : NULL, "send_at", api_time(s->send_at),
						   "reason", s->reason[0] ? s->reason : "scheduled"));
	case WA_SEND_BLOCKED:
		return wa_error(r, 422, "policy_blocked", "the send policy does not allow this message now",
				json_pack("{s:s, s:b}", "reason", s->reason, "switch_to_template_possible",
					  !strcmp(s->reason, "outside_service_window") ||
						  !strcmp(s->reason, "service_window_closes_while_held")));
	default:
		return wa_error(r, 502, "provider_error", s->error[0] ? s->error : "the provider refused the message",
				json_pack("{s:s, s:I}", "reason", s->reason, "provider_code", (json_int_t)s->provider_code));
	}
}

/* Sends `o` for bot `bot_id`; a transient failure is retried as a job (202 "retry"). */
static int send_for(struct req *r, const char *bot_id, struct wa_outgoing *o)
{
	struct app *app = app_of(r);
	struct store_bot b = {0};
	int rc = store_bot_get(app->store, r->tenant_id, bot_id, &b);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_BOT_NOT_FOUND, "bot");
	json_t *config = bot_config_parse(&b);
	struct wa_send_result s;
	if (!config || wa_send(app, &b, config, o, &s) != 0) {
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "the message could not be processed");
		goto out;
	}
	if (s.status == WA_SEND_RETRY) {
		o->send_at = clock_now_ms(&app->clock) +
			     (s.retry_after_ms > app->settings.jobs_backoff_ms ? s.retry_after_ms : app->settings.jobs_backoff_ms);
		o->due = true;
		if (wa_send(app, &b, config, o, &s) != 0) {
			rc = resp_errorf(r, ERR_INTERNAL, NULL, "the message could not be processed");
			goto out;
		}
		if (s.status == WA_SEND_SCHEDULED)
			snprintf(s.reason, sizeof s.reason, "retry");
	}
	rc = reply_send(r, &s);
out:
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

static const struct json_field send_fields[] = {
	{"contact_id", JF_STRING, true, false, 1, 64, NULL, NULL, NULL, NULL},
	{"type", JF_STRING, true, false, 0, 0, NULL, check_send_type, "session_text or template", NULL},
	{"text", JF_STRING, false, false, 1, 4096, NULL, NULL, NULL, NULL},
	{"template_name", JF_STRING, false, false, 1, 512, NULL, NULL, NULL, NULL},
	{"language", JF_STRING, false, false, 2, 8, NULL, NULL, NULL, NULL},
	{"variables", JF_STRING_ARRAY, false, false, 1, 1024, NULL, NULL, NULL, NULL},
	{"send_at", JF_STRING, false, true, 0, 40, NULL, check_instant, "an ISO 8601 UTC instant", NULL},
	{"purpose", JF_STRING, false, false, 0, 0, NULL, check_purpose, "reply, service or marketing", NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

static int message_send(struct req *r)
{
	struct app *app = app_of(r);
	const char *type = json_str(r->json, "type", ""), *text = json_str(r->json, "text", NULL);
	const char *tpl = json_str(r->json, "template_name", NULL), *when = json_str(r->json, "send_at", NULL);
	bool is_tpl = !strcmp(type, "template");
	if (!is_tpl && !text)
		return resp_errorf(r, ERR_VALIDATION, "text", "a session_text needs text");
	if (is_tpl && !tpl)
		return resp_errorf(r, ERR_VALIDATION, "template_name", "a template send needs template_name");
	int64_t at = 0;
	if (when)
		bot_parse_instant(when, &at);
	struct store_wa_contact c = {0};
	int rc = store_wa_contact_get(app->store, r->tenant_id, json_str(r->json, "contact_id", ""), &c);
	if (rc != STORE_OK || !c.e164_sealed) {
		store_wa_contact_clear(&c);
		return rc == STORE_OK || rc == STORE_NOTFOUND
			       ? resp_errorf(r, ERR_NOT_FOUND, "contact_id", "no WhatsApp contact with this id")
			       : api_store_error(r, rc, ERR_NOT_FOUND, "contact");
	}
	const char *purpose = json_str(r->json, "purpose", NULL);
	struct wa_outgoing o = {.contact_id = c.id, .type = is_tpl ? SEND_TEMPLATE : SEND_SESSION_TEXT,
				.purpose = PURPOSE_SERVICE, .text = text, .template_name = tpl,
				.language = json_str(r->json, "language", NULL),
				.variables = json_object_get(r->json, "variables"), .send_at = at, .origin = "api"};
	if (purpose)
		o.purpose = !strcmp(purpose, "reply") ? PURPOSE_REPLY : !strcmp(purpose, "service") ? PURPOSE_SERVICE
													: PURPOSE_MARKETING;
	else if (is_tpl)
		o.purpose = PURPOSE_MARKETING; /* refined by the template's category below */
	char bot_id[STORE_ID_MAX];
	snprintf(bot_id, sizeof bot_id, "%s", c.bot_id);
	if (is_tpl && !purpose) {
		struct store_bot b = {0};
		if (store_bot_get(app->store, r->tenant_id, bot_id, &b) == STORE_OK) {
			json_t *config = bot_config_parse(&b);
			const json_t *list = json_object_get(json_object_get(json_object_get(config, "channels"), "whatsapp"),
							     "templates");
			size_t i;
			const json_t *t;
			json_array_foreach(list, i, t) if (!strcmp(json_str(t, "name", ""), tpl)) o.purpose =
				strcmp(json_str(t, "category", "marketing"), "marketing") ? PURPOSE_SERVICE : PURPOSE_MARKETING;
			json_decref(config);
			store_bot_clear(&b);
		}
	}
	rc = send_for(r, bot_id, &o);
	store_wa_contact_clear(&c);
	return rc;
}

static const struct json_field human_fields[] = {
	{"text", JF_STRING, true, false, 1, 4096, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

static int conversation_message(struct req *r)
{
	struct store_wa_conv cv = {0};
	int rc = store_wa_conv_get(app_of(r)->store, r->tenant_id, req_param(r, 0), &cv);
	if (rc != STORE_OK)
		return rc == STORE_NOTFOUND ? resp_errorf(r, ERR_NOT_FOUND, NULL, "no WhatsApp conversation with this id")
					    : api_store_error(r, rc, ERR_NOT_FOUND, "conversation");
	struct wa_outgoing o = {.contact_id = cv.contact_id, .conversation_id = cv.id, .type = SEND_SESSION_TEXT,
				.purpose = PURPOSE_SERVICE, .text = json_str(r->json, "text", ""), .origin = "human"};
	rc = send_for(r, cv.bot_id, &o);
	store_wa_conv_clear(&cv);
	return rc;
}

static const struct json_field handover_fields[] = {
	{"reason", JF_STRING, false, true, 1, 120, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

static int owner_change(struct req *r, bool human)
{
	struct store_wa_conv cv = {0};
	int rc = wa_conv_set_owner(app_of(r), r->tenant_id, req_param(r, 0), human,
				   r->json ? json_str(r->json, "reason", NULL) : NULL, &cv);
	if (rc == STORE_CONFLICT)
		return wa_error(r, 409, "conflict",
				human ? "a person owns this conversation already" : "the bot owns this conversation already",
				NULL);
	if (rc == STORE_NOTFOUND)
		return resp_errorf(r, ERR_NOT_FOUND, NULL, "no WhatsApp conversation with this id");
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_NOT_FOUND, "conversation");
	rc = resp_json(r, 200, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:o}", "id", cv.id, "bot_id", cv.bot_id,
					 "contact_id", cv.contact_id, "owner", cv.owner, "handover_reason",
					 cv.handover_reason, "handover_at",
					 cv.handover_at ? api_time(cv.handover_at) : json_null()));
	store_wa_conv_clear(&cv);
	return rc;
}

static int conversation_handover(struct req *r)
{
	return owner_change(r, true);
}

static int conversation_handback(struct req *r)
{
	return owner_change(r, false);
}

/* ---- funnel ------------------------------------------------------------------------------------------- */

static int count_one(void *ud, const char *event, int64_t count)
{
	return json_object_set_new(ud, event + 3 /* "wa." */, json_integer(count));
}

static int funnel(struct req *r)
{
	struct app *app = app_of(r);
	struct store_bot b = {0};
	int rc = store_bot_get(app->store, r->tenant_id, req_param(r, 0), &b);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_BOT_NOT_FOUND, "bot");
	store_bot_clear(&b);
	int64_t to = clock_now_ms(&app->clock) + 1, from = to - (int64_t)FUNNEL_DEFAULT_DAYS * 86400000;
	const char *f = req_query(r, "from"), *t = req_query(r, "to");
	if (f && bot_parse_instant(f, &from) != 0)
		return resp_errorf(r, ERR_INVALID_REQUEST, "from", "from must be an ISO 8601 UTC instant");
	if (t && bot_parse_instant(t, &to) != 0)
		return resp_errorf(r, ERR_INVALID_REQUEST, "to", "to must be an ISO 8601 UTC instant");
	static const char *const names[] = {"first_contact_sent", "reply",	  "qualified",	"disqualified",
					    "handover",		  "handback",	  "booking_started", "opted_out",
					    "first_response",	  "policy_blocked_send", "send_failed", "nudge_sent"};
	json_t *events = json_object();
	for (size_t i = 0; events && i < sizeof names / sizeof names[0]; i++)
		json_object_set_new(events, names[i], json_integer(0));
	if (!events)
		return resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
	rc = store_analytics_counts(app->store, r->tenant_id, req_param(r, 0), "wa.", from, to, count_one, events);
	if (rc != STORE_OK) {
		json_decref(events);
		return api_store_error(r, rc, ERR_BOT_NOT_FOUND, "bot");
	}
	return resp_json(r, 200, json_pack("{s:s, s:o, s:o, s:o}", "bot_id", req_param(r, 0), "from", api_time(from),
					   "to", api_time(to), "events", events));
}

const struct route api_wa_routes[] = {
	{"POST", "/api/v1/contacts", contact_create, AUTH_KEY, 0, contact_fields, 0},
	{"GET", "/api/v1/contacts/{id}/whatsapp", contact_whatsapp, AUTH_KEY, 0, NULL, 0},
	{"POST", "/api/v1/messages/send", message_send, AUTH_KEY, 0, send_fields, 0},
	{"POST", "/api/v1/conversations/{id}/messages", conversation_message, AUTH_KEY, 0, human_fields, 0},
	{"POST", "/api/v1/conversations/{id}/handover", conversation_handover, AUTH_KEY, 0, handover_fields,
	 ROUTE_PARTIAL},
	{"POST", "/api/v1/conversations/{id}/handback", conversation_handback, AUTH_KEY, 0, NULL, 0},
	{"GET", "/api/v1/bots/{id}/funnel", funnel, AUTH_KEY, 0, NULL, 0},
};
const size_t api_wa_routes_count = sizeof api_wa_routes / sizeof api_wa_routes[0];
