/* bot_json.c — bot defaults, validation table, merging and views. */
#include "api/bot_json.h"

#include <string.h>

#include "base/clock.h"

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

const struct json_field bot_fields[] = {
	{"name", JF_STRING, true, false, 1, 120, NULL, NULL, NULL, NULL},
	{"description", JF_STRING, false, false, 0, 2000, NULL, NULL, NULL, NULL},
	{"language", JF_STRING, false, false, 0, 0, languages, NULL, NULL, NULL},
	{"response_style", JF_STRING, false, false, 0, 0, styles, NULL, NULL, NULL},
	{"system_prompt_additions", JF_STRING, false, false, 0, 4000, NULL, NULL, NULL, NULL},
	{"fallback_message", JF_STRING, false, false, 1, 500, NULL, NULL, NULL, NULL},
	{"branding", JF_OBJECT, false, false, 0, 0, NULL, NULL, NULL, branding_fields},
	{"access", JF_OBJECT, false, false, 0, 0, NULL, NULL, NULL, access_fields},
	{"active", JF_BOOL, false, false, 0, 0, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

json_t *bot_config_defaults(const char *language)
{
	bool en = language && !strcmp(language, "en");
	return json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:{s:n, s:s, s:s, s:s, s:s, s:s}, s:{s:n, s:[]}}", "description", "", "language",
		en ? "en" : "de", "response_style", "professional", "system_prompt_additions", "", "fallback_message",
		en ? "I have no reliable information on that – I will pass your question on to the team."
		   : "Dazu habe ich keine gesicherte Information – ich gebe Ihre Frage an das Team weiter.",
		"branding", "logo_url", "primary_color", "#0f766e", "secondary_color", "#f59e0b", "welcome_message",
		en ? "Hello! How can I help you?" : "Hallo! Wie kann ich Ihnen helfen?", "placeholder_text",
		en ? "Your question …" : "Ihre Frage …", "theme", "light", "access", "token", "allowed_origins");
}

int bot_config_merge(json_t *config, json_t *input)
{
	const char *key;
	json_t *val;
	json_object_foreach(input, key, val)
	{
		if (!strcmp(key, "name") || !strcmp(key, "active"))
			continue;
		if (json_is_object(val)) {
			json_t *cur = json_object_get(config, key);
			if (!json_is_object(cur)) {
				cur = json_object();
				if (!cur || json_object_set_new(config, key, cur) != 0)
					return -1;
			}
			if (json_object_update(cur, val) != 0)
				return -1;
		} else if (json_object_set(config, key, val) != 0) {
			return -1;
		}
	}
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
	json_t *access = json_object_get(config, "access");
	json_object_set_new(o, "access",
			    access ? json_deep_copy(access) : json_pack("{s:n, s:[]}", "token", "allowed_origins"));
	char t[32];
	json_object_set_new(o, "created_at", json_string(clock_iso8601(b->created_at, t)));
	json_object_set_new(o, "updated_at", json_string(clock_iso8601(b->updated_at, t)));
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
	if (c && !json_is_object(c)) {
		json_decref(c);
		return NULL;
	}
	return c;
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
