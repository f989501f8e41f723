/* bot_json.c — bot defaults, validation table, merging and views. */
#include "api/bot_json.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "api/secret_paths.h"
#include "channels/policy.h"
#include "channels/templates.h"
#include "conv/flow.h"
#include "conv/hours.h"
#include "conv/profile.h" /* profile_all_fields only (conv/profile_fields.c) */
#include "llm/config.h"
#include "llm/prompt.h"

/* Raise whenever bot_config_defaults gains or changes a setting: stored configs of an older version are
 * read over the new defaults (bot_config_parse). */
#define BOT_CONFIG_VERSION 1

static const char *const languages[] = {"de", "en", NULL};
static const char *const styles[] = {"professional", "friendly", "technical", "casual", NULL};
static const char *const themes[] = {"light", "dark", "minimal", NULL};

static const struct json_field branding_fields[] = {
	{"logo_url", JF_STRING, false, true, 0, 2048, NULL, json_check_http_url, "an http:// or https:// URL", NULL},
	{"primary_color", JF_STRING, false, false, 0, 0, NULL, json_check_color, "a colour like #0f766e", NULL},
	{"secondary_color", JF_STRING, false, false, 0, 0, NULL, json_check_color, "a colour like #f59e0b", NULL},
	{"welcome_message", JF_STRING, false, false, 0, 500, NULL, NULL, NULL, NULL},
	{"placeholder_text", JF_STRING, false, false, 0, 120, NULL, NULL, NULL, NULL},
	{"theme", JF_STRING, false, false, 0, 0, themes, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct json_field access_fields[] = {
	{"token", JF_STRING, false, true, 16, 128, NULL, json_check_token, "16-128 characters of A-Z a-z 0-9 - _",
	 NULL},
	{"allowed_origins", JF_STRING_ARRAY, false, false, 1, 255, NULL, json_check_origin,
	 "an origin like https://www.example.de (scheme, host, optional port; lower case; no path)", NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

#define URL_FIELD(n) {n, JF_STRING, false, true, 0, 2048, NULL, json_check_http_url, "an http:// or https:// URL", NULL}

static const struct json_field address_fields[] = {
	{"street", JF_STRING, false, true, 0, 200, NULL, NULL, NULL, NULL},
	{"postcode", JF_STRING, false, true, 0, 16, NULL, NULL, NULL, NULL},
	{"city", JF_STRING, false, true, 0, 100, NULL, NULL, NULL, NULL},
	{"country", JF_STRING, false, true, 0, 100, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct json_field social_fields[] = {
	URL_FIELD("linkedin"), URL_FIELD("facebook"), URL_FIELD("instagram"),
	URL_FIELD("x"),        URL_FIELD("xing"),     URL_FIELD("youtube"),
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct json_field company_fields[] = {
	{"name", JF_STRING, false, true, 0, 200, NULL, NULL, NULL, NULL},
	{"address", JF_OBJECT, false, false, 0, 0, NULL, NULL, NULL, address_fields},
	{"phone", JF_STRING, false, true, 0, 0, NULL, json_check_e164, "a phone number in E.164 form, like +4940123456",
	 NULL},
	{"email", JF_STRING, false, true, 0, 0, NULL, json_check_email, "an email address", NULL},
	URL_FIELD("website"),
	{"social", JF_OBJECT, false, false, 0, 0, NULL, NULL, NULL, social_fields},
	URL_FIELD("logo_url"),
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct json_field email_capture_fields[] = {
	{"enabled", JF_BOOL, false, false, 0, 0, NULL, NULL, NULL, NULL},
	{"prompt", JF_STRING, false, false, 1, 300, NULL, NULL, NULL, NULL},
	{"max_requests", JF_INT, false, false, 1, 10, NULL, NULL, NULL, NULL},
	{"after_messages", JF_INT, false, false, 0, 100, NULL, NULL, NULL, NULL},
	{"topics", JF_STRING_ARRAY, false, false, 1, 40, NULL, NULL, NULL, NULL},
	{"on_unanswered", JF_BOOL, false, false, 0, 0, NULL, NULL, NULL, NULL},
	URL_FIELD("privacy_url"),
	{"consent_text", JF_STRING, false, false, 1, 500, NULL, NULL, NULL, NULL},
	{"consent_text_version", JF_STRING, false, false, 1, 40, NULL, json_check_token,
	 "1-40 characters of A-Z a-z 0-9 - _", NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct json_field contact_persons_fields[] = {
	{"enabled", JF_BOOL, false, false, 0, 0, NULL, NULL, NULL, NULL},
	{"keywords", JF_STRING_ARRAY, false, false, 1, 40, NULL, NULL, NULL, NULL},
	{"topics", JF_STRING_ARRAY, false, false, 1, 40, NULL, NULL, NULL, NULL},
	{"after_messages", JF_INT, false, false, 0, 100, NULL, NULL, NULL, NULL},
	{"title", JF_STRING, false, false, 1, 120, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

/* channels (the WhatsApp issue): secrets are sealed on arrival (api/bot_secrets.h), never shown */
static bool check_numeric_id(const char *s)
{
	size_t n = strlen(s);
	return n >= 1 && n <= 64 && strspn(s, "0123456789") == n;
}

static const struct json_field wa_quiet_fields[] = {
	{"start", JF_STRING, true, false, 5, 5, NULL, policy_check_hhmm, "a time HH:MM (00:00-23:59)", NULL},
	{"end", JF_STRING, true, false, 5, 5, NULL, policy_check_hhmm, "a time HH:MM (00:00-23:59)", NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct json_field wa_pacing_fields[] = {
	{"messages_per_second", JF_INT, false, false, 1, 1000, NULL, NULL, NULL, NULL},
	{"burst", JF_INT, false, false, 1, 1000, NULL, NULL, NULL, NULL},
	{"recipient_interval_seconds", JF_INT, false, false, 0, 3600, NULL, NULL, NULL, NULL},
	{"recipient_burst", JF_INT, false, false, 1, 100, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct json_field whatsapp_fields[] = {
	{"phone_number_id", JF_STRING, false, true, 0, 0, NULL, check_numeric_id, "the number's id: digits", NULL},
	{"access_token", JF_STRING, false, true, 0, 1024, NULL, NULL, NULL, NULL},
	{"app_secret", JF_STRING, false, true, 0, 256, NULL, NULL, NULL, NULL},
	{"verify_token", JF_STRING, false, true, 0, 256, NULL, NULL, NULL, NULL},
	URL_FIELD("api_base_url"),
	{"api_version", JF_STRING, false, false, 2, 16, NULL, json_check_token, "like v21.0", NULL},
	{"reply_delay_seconds", JF_INT, false, false, 0, 3600, NULL, NULL, NULL, NULL},
	{"quiet_hours", JF_OBJECT, false, true, 0, 0, NULL, NULL, NULL, wa_quiet_fields},
	{"hold_replies_in_quiet_hours", JF_BOOL, false, false, 0, 0, NULL, NULL, NULL, NULL},
	{"pacing", JF_OBJECT, false, false, 0, 0, NULL, NULL, NULL, wa_pacing_fields},
	/* the template registry (channels/templates.h), checked as a whole by templates_parse */
	{"templates", JF_ANY_ARRAY, false, true, 0, 512 * 1024, NULL, NULL, NULL, NULL},
	/* where a handover is announced: a POST signed with X-Botwerk-Signature (HMAC-SHA256 of the body) */
	URL_FIELD("handover_webhook_url"),
	{"handover_webhook_secret", JF_STRING, false, true, 0, 256, NULL, NULL, NULL, NULL},
	/* and/or by email through the server's SMTP relay (api/wa_notify.h) */
	{"handover_email", JF_STRING, false, true, 0, 0, NULL, json_check_email, "an email address", NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct json_field twilio_fields[] = {
	{"account_sid", JF_STRING, false, true, 34, 34, NULL, json_check_token, "AC followed by 32 characters", NULL},
	{"auth_token", JF_STRING, false, true, 0, 256, NULL, NULL, NULL, NULL},
	{"from", JF_STRING, false, true, 0, 0, NULL, json_check_e164, "the sending number in E.164, like +4930123456", NULL},
	URL_FIELD("api_base_url"),
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct json_field channels_fields[] = {
	{"whatsapp", JF_OBJECT, false, true, 0, 0, NULL, NULL, NULL, whatsapp_fields},
	{"twilio", JF_OBJECT, false, true, 0, 0, NULL, NULL, NULL, twilio_fields},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct json_field features_fields[] = {
	{"email_capture", JF_OBJECT, false, false, 0, 0, NULL, NULL, NULL, email_capture_fields},
	{"contact_persons", JF_OBJECT, false, false, 0, 0, NULL, NULL, NULL, contact_persons_fields},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

int bot_parse_instant(const char *s, int64_t *ms)
{
	int y, mo, d, h, mi, sec, n = 0;
	if (!s || strlen(s) > 40 || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
		return -1;
	const char *p = s + n;
	if (*p == '.') { /* fractions of a second are accepted and dropped */
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
		return -1;
	if (y < 2000 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 || h < 0 ||
	    mi < 0 || sec < 0)
		return -1;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = sec};
	time_t t = timegm(&tm);
	if (tm.tm_mday != d || tm.tm_mon != mo - 1) /* 2026-02-30 */
		return -1;
	*ms = (int64_t)t * 1000;
	return 0;
}

static bool check_instant(const char *s)
{
	int64_t ms;
	return bot_parse_instant(s, &ms) == 0;
}

const struct json_field bot_fields[] = {
	{"name", JF_STRING, true, false, 1, 120, NULL, NULL, NULL, NULL},
	{"description", JF_STRING, false, false, 0, 2000, NULL, NULL, NULL, NULL},
	{"language", JF_STRING, false, false, 0, 0, languages, NULL, NULL, NULL},
	{"response_style", JF_STRING, false, false, 0, 0, styles, NULL, NULL, NULL},
	{"system_prompt_additions", JF_STRING, false, false, 0, 4000, NULL, NULL, NULL, NULL},
	{"fallback_message", JF_STRING, false, false, 1, 500, NULL, NULL, NULL, NULL},
	{"branding", JF_OBJECT, false, false, 0, 0, NULL, NULL, NULL, branding_fields},
	{"access", JF_OBJECT, false, false, 0, 0, NULL, NULL, NULL, access_fields},
	{"company", JF_OBJECT, false, false, 0, 0, NULL, NULL, NULL, company_fields},
	/* checked as a whole by hours_parse (bot_config_check), after merging */
	{"opening_hours", JF_ANY_OBJECT, false, false, 0, 16384, NULL, NULL, NULL, NULL},
	{"features", JF_OBJECT, false, false, 0, 0, NULL, NULL, NULL, features_fields},
	/* which profile fields are collected from the visitor's messages (conv/profile.h); null: all */
	{"profile_fields", JF_STRING_ARRAY, false, true, 1, 40, profile_all_fields, NULL, NULL, NULL},
	{"llm", JF_OBJECT, false, false, 0, 0, NULL, NULL, NULL, llm_config_fields},
	{"channels", JF_OBJECT, false, false, 0, 0, NULL, NULL, NULL, channels_fields},
	{"embeddings", JF_OBJECT, false, false, 0, 0, NULL, NULL, NULL, embeddings_config_fields},
	/* the conversation flow (docs/flows.md), replaced as a whole; checked by flow_parse (bot_config_check).
	 * PUT /api/v1/bots/{id}/flows (api_flows.c) sets it with every error listed; null removes it */
	{"flow", JF_ANY_OBJECT, false, true, 0, FLOW_DOC_MAX, NULL, NULL, NULL, NULL},
	{"active", JF_BOOL, false, false, 0, 0, NULL, NULL, NULL, NULL},
	/* a column (store_bot.expires_at), not config: the housekeeping job deactivates the bot after it */
	{"expires_at", JF_STRING, false, true, 0, 40, NULL, check_instant,
	 "an ISO 8601 UTC instant like 2026-12-31T23:59:59Z", NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

json_t *bot_config_defaults(const char *language)
{
	bool en = language && !strcmp(language, "en");
	json_t *c = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:{s:n, s:s, s:s, s:s, s:s, s:s}, s:{s:n, s:[]}}", "description", "", "language",
		en ? "en" : "de", "response_style", "professional", "system_prompt_additions", "", "fallback_message",
		en ? "I have no reliable information on that – I will pass your question on to the team."
		   : "Dazu habe ich keine gesicherte Information – ich gebe Ihre Frage an das Team weiter.",
		"branding", "logo_url", "primary_color", "#0f766e", "secondary_color", "#f59e0b", "welcome_message",
		en ? "Hello! How can I help you?" : "Hallo! Wie kann ich Ihnen helfen?", "placeholder_text",
		en ? "Your question …" : "Ihre Frage …", "theme", "light", "access", "token", "allowed_origins");
	json_t *features = json_pack(
		"{s:{s:b, s:s, s:i, s:i, s:[s,s,s,s,s,s], s:b, s:n, s:s, s:s}}", "email_capture", "enabled", 0, "prompt",
		en ? "Would you like us to get back to you? Leave your email address."
		   : "Möchten Sie, dass wir uns bei Ihnen melden? Hinterlassen Sie gern Ihre E-Mail-Adresse.",
		"max_requests", 1, "after_messages", 0, "topics", "preis", "preise", "kosten", "angebot", "demo", "termin",
		"on_unanswered", 1, "privacy_url", "consent_text",
		en ? "I agree that my email address is stored so that the team can contact me. I can withdraw this at any time."
		   : "Ich bin einverstanden, dass meine E-Mail-Adresse gespeichert wird, damit sich das Team bei mir meldet. "
		     "Ich kann das jederzeit widerrufen.",
		"consent_text_version", "v1");
	json_t *contacts = json_pack("{s:b, s:[s,s,s,s,s], s:[s,s,s], s:i, s:s}", "enabled", 0, "keywords",
				     "ansprechpartner", "kontakt", "verkauf", "beratung", "berater", "topics", "preise",
				     "angebot", "demo", "after_messages", 0, "title",
				     en ? "Your contacts" : "Ihre Ansprechpartner");
	if (!features || !contacts) {
		json_decref(contacts);
		json_decref(features);
		features = NULL;
	} else if (json_object_set_new(features, "contact_persons", contacts) != 0) { /* steals contacts */
		json_decref(features);
		features = NULL;
	}
	if (!c || !features || json_object_set_new(c, "features", features) != 0 ||
	    json_object_set_new(c, "company", json_object()) != 0 ||
	    json_object_set_new(c, BOT_CONFIG_VERSION_KEY, json_integer(BOT_CONFIG_VERSION)) != 0) {
		json_decref(c);
		return NULL;
	}
	return c;
}

/* Merges `val` into `cur` key by key, objects recursively (arrays and scalars replace). */
static int merge_object(json_t *cur, json_t *val)
{
	const char *key;
	json_t *v;
	json_object_foreach(val, key, v)
	{
		json_t *c = json_object_get(cur, key);
		if (json_is_object(v) && json_is_object(c)) {
			if (merge_object(c, v) != 0)
				return -1;
		} else if (json_object_set_new(cur, key, json_deep_copy(v)) != 0) {
			return -1;
		}
	}
	return 0;
}

int bot_config_merge(json_t *config, json_t *input)
{
	const char *key;
	json_t *val;
	json_object_foreach(input, key, val)
	{
		if (!strcmp(key, "name") || !strcmp(key, "active") || !strcmp(key, "expires_at"))
			continue;
		if (!strcmp(key, "flow")) { /* a document of its own: replaced, never merged node by node */
			if (json_is_null(val))
				json_object_del(config, key);
			else if (json_object_set_new(config, key, json_deep_copy(val)) != 0)
				return -1;
			continue;
		}
		json_t *one = json_pack("{s:O}", key, val);
		int rc = one ? merge_object(config, one) : -1;
		json_decref(one);
		if (rc != 0)
			return -1;
	}
	return 0;
}

int bot_config_check(json_t *config, struct err *err)
{
	const char *tpl = json_str(json_object_get(config, "llm"), "prompt_template", NULL);
	if (tpl && tpl[0]) {
		char msg[200];
		if (prompt_template_check(tpl, msg, sizeof msg) != 0)
			return err_set(err, ERR_VALIDATION, "llm.prompt_template", "llm.prompt_template: %s", msg);
	}
	json_t *flow = json_object_get(config, "flow");
	if (flow && !json_is_null(flow)) {
		struct flow_error fe = {0};
		int nerrs = 0;
		struct flow *f = flow_parse(flow, &fe, 1, &nerrs);
		if (!f && !strcmp(fe.code, "no_memory"))
			return err_set(err, ERR_INTERNAL, NULL, "out of memory while checking the flow");
		if (!f) {
			char field[ERR_FIELD_MAX];
			if (snprintf(field, sizeof field, "flow%s%s", fe.path[0] ? "." : "", fe.path) >= (int)sizeof field)
				snprintf(field, sizeof field, "flow");
			return err_set(err, ERR_VALIDATION, field, "%s: %s (%s)%s", field, fe.message, fe.code,
				       nerrs > 1 ? "; PUT /api/v1/bots/{id}/flows lists every error" : "");
		}
		flow_free(f);
	}
	const json_t *tl = json_object_get(json_object_get(json_object_get(config, "channels"), "whatsapp"), "templates");
	if (tl && !json_is_null(tl)) {
		char msg[200];
		struct templates *reg = templates_parse(tl, msg, sizeof msg);
		if (!reg)
			return err_set(err, ERR_VALIDATION, "channels.whatsapp.templates", "channels.whatsapp.%s", msg);
		templates_free(reg);
	}
	json_t *oh = json_object_get(config, "opening_hours");
	if (!oh || json_is_null(oh))
		return 0;
	struct hours *h = hours_parse(oh, err);
	if (!h)
		return -1;
	hours_free(h);
	return 0;
}

json_t *bot_to_json(const struct store_bot *b, json_t *config)
{
	json_t *o = json_pack("{s:s, s:s, s:O, s:b, s:O, s:O, s:O, s:O, s:O}", "id", b->id, "name", b->name,
			      "description", json_object_get(config, "description"), "active", b->active, "language",
			      json_object_get(config, "language"), "response_style",
			      json_object_get(config, "response_style"), "system_prompt_additions",
			      json_object_get(config, "system_prompt_additions"), "fallback_message",
			      json_object_get(config, "fallback_message"), "branding",
			      json_object_get(config, "branding"));
	if (!o)
		return NULL;
	static const char *const sections[] = {"access", "company", "opening_hours", "features", "llm", "embeddings", "draft", "channels",
					       "profile_fields"};
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		json_t *v = json_object_get(config, sections[i]);
		json_object_set_new(o, sections[i], v ? json_deep_copy(v) : json_null());
	}
	bot_secrets_redact(o);
	char t[32];
	json_object_set_new(o, "created_at", json_string(clock_iso8601(b->created_at, t)));
	json_object_set_new(o, "updated_at", json_string(clock_iso8601(b->updated_at, t)));
	json_object_set_new(o, "expires_at", b->expires_at ? json_string(clock_iso8601(b->expires_at, t)) : json_null());
	return o;
}

json_t *bot_public_json(const struct store_bot *b, json_t *config)
{
	return json_pack("{s:s, s:s, s:O, s:O, s:O}", "id", b->id, "name", b->name, "description",
			 json_object_get(config, "description"), "language", json_object_get(config, "language"),
			 "branding", json_object_get(config, "branding"));
}

json_t *bot_config_parse(const struct store_bot *b)
{
	json_t *c = json_loads(b->config ? b->config : "", 0, NULL);
	if (!json_is_object(c)) {
		json_decref(c);
		return NULL;
	}
	/* A config written since the defaults last changed has every setting already (every writer starts
	 * from the defaults); older ones take the defaults of settings added after they were stored. */
	if (json_integer_value(json_object_get(c, BOT_CONFIG_VERSION_KEY)) == BOT_CONFIG_VERSION)
		return c;
	json_t *full = bot_config_defaults(json_str(c, "language", "de"));
	if (!full || merge_object(full, c) != 0) {
		json_decref(full);
		full = NULL;
	}
	json_decref(c);
	return full;
}

struct answer_bot bot_answer_settings(const struct store_bot *b, json_t *config)
{
	return (struct answer_bot){
		.tenant_id = b->tenant_id,
		.bot_id = b->id,
		.name = b->name,
		.language = json_str(config, "language", "de"),
		.response_style = json_str(config, "response_style", "professional"),
		.fallback_message = json_str(config, "fallback_message", ""),
		.min_score = 0,
		.knowledge_version = b->knowledge_version,
	};
}
