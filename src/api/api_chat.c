/*
 * api_chat.c — the public chat API (no key; rate limited per client address): config, chat, status,
 * analytics. Unknown bots answer 404 bot_not_found, inactive ones 404 bot_inactive.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/bot_json.h"
#include "rag/answer.h"

#define CHAT_BODY_CAP (16u * 1024)
#define CHAT_MESSAGE_MAX 2000

static const struct json_field chat_fields[] = {
	{"message", JF_STRING, false, false, 0, 0, NULL, NULL, NULL, NULL},
	{"conversation_id", JF_STRING, false, true, 0, 64, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

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

/* Loads the active bot named in the path, answering 404 (unknown or inactive) otherwise. */
static int load_public_bot(struct req *r, struct store_bot *b, json_t **config)
{
	const char *id = req_param(r, 0);
	if (!crypto_id_valid("bot", id))
		return resp_errorf(r, ERR_BOT_NOT_FOUND, NULL, "no bot with this id");
	int rc = store_bot_get_public(app_of(r)->store, id, b);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_BOT_NOT_FOUND, "bot");
	if (!b->active) {
		store_bot_clear(b);
		return resp_errorf(r, ERR_BOT_INACTIVE, NULL, "this bot is not active");
	}
	*config = bot_config_parse(b);
	if (!*config) {
		store_bot_clear(b);
		return resp_errorf(r, ERR_INTERNAL, NULL, "the bot's stored configuration is unreadable");
	}
	return 0;
}

static int public_config(struct req *r)
{
	struct store_bot b;
	json_t *config;
	if (load_public_bot(r, &b, &config) != 0)
		return -1;
	int rc = resp_json(r, 200, bot_public_json(&b, config));
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

static int public_status(struct req *r)
{
	struct store_bot b;
	json_t *config;
	if (load_public_bot(r, &b, &config) != 0)
		return -1;
	int rc = resp_json(r, 200, json_pack("{s:s, s:b, s:s}", "id", b.id, "active", 1, "status", "online"));
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

/* Trims ASCII and Unicode white space at both ends: returns the start, *len the trimmed length. */
static const char *trim(const char *s, size_t *len)
{
	size_t n = strlen(s);
	while (n > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	*len = n;
	return s;
}

static json_t *sources_json(const struct answer *a)
{
	json_t *arr = json_array();
	for (int i = 0; arr && i < a->nsources; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:f}", "title", a->sources[i].title, "snippet",
						     a->sources[i].snippet, "score", a->sources[i].score));
	return arr;
}

static int public_chat(struct req *r)
{
	struct app *app = app_of(r);
	struct store_bot b;
	json_t *config = NULL, *sources = NULL, *meta = NULL;
	struct answer ans = {0};
	char *question = NULL, *meta_text = NULL;
	char conv_id[STORE_ID_MAX], in_id[STORE_ID_MAX], out_id[STORE_ID_MAX];
	size_t qlen;
	int rc;

	/* message checks come before the bot lookup only where they cannot leak anything */
	const char *msg = trim(json_str(r->json, "message", ""), &qlen);
	if (load_public_bot(r, &b, &config) != 0)
		return -1;
	if (qlen == 0) {
		rc = resp_errorf(r, ERR_MESSAGE_EMPTY, "message", "message must not be empty");
		goto out;
	}
	if (json_utf8_chars(msg, qlen) > CHAT_MESSAGE_MAX) {
		rc = resp_errorf(r, ERR_MESSAGE_TOO_LONG, "message", "message must be at most %d characters",
				 CHAT_MESSAGE_MAX);
		goto out;
	}
	question = strndup(msg, qlen);
	if (!question) {
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}

	const char *given = json_str(r->json, "conversation_id", NULL);
	bool is_new = !given || !crypto_id_valid("conv", given) ||
		      store_conversation_exists(app->store, b.tenant_id, b.id, given) != STORE_OK;
	int64_t now = clock_now_ms(&app->clock);
	if (is_new)
		crypto_time_id("conv", now, conv_id, sizeof conv_id);
	else
		snprintf(conv_id, sizeof conv_id, "%s", given);

	struct answer_bot ab = bot_answer_settings(&b, config);
	int arc = answer_question(app->terms, app->store, &ab, question, &ans);
	if (arc != 0) {
		rc = api_store_error(r, arc, ERR_BOT_NOT_FOUND, "bot");
		goto out;
	}
	int latency = (int)((clock_mono() - r->t_start) * 1000.0 + 0.5);
	sources = sources_json(&ans);
	meta = json_pack("{s:s, s:b, s:i}", "answer_type", answer_type_name(ans.type), "unanswered", ans.unanswered,
			 "latency_ms", latency);
	json_t *stored = meta ? json_pack("{s:O, s:O}", "sources", sources, "metadata", meta) : NULL;
	meta_text = stored ? json_dumps(stored, JSON_COMPACT) : NULL;
	json_decref(stored);
	if (!sources || !meta || !meta_text) {
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}

	crypto_time_id("msg", now, in_id, sizeof in_id);
	crypto_time_id("msg", now, out_id, sizeof out_id);
	struct store_exchange x = {
		.tenant_id = b.tenant_id,
		.bot_id = b.id,
		.conversation_id = conv_id,
		.new_conversation = is_new,
		.channel = "web",
		.user_msg_id = in_id,
		.user_text = question,
		.bot_msg_id = out_id,
		.bot_text = ans.text,
		.bot_meta = meta_text,
		.latency_ms = latency,
		.now = now,
	};
	int src = store_exchange_save(app->store, &x);
	if (src != STORE_OK) {
		rc = api_store_error(r, src, ERR_BOT_NOT_FOUND, "conversation");
		goto out;
	}
	rc = resp_json(r, 200,
		       json_pack("{s:s, s:s, s:O, s:O}", "response", ans.text, "conversation_id", conv_id, "sources",
				 sources, "metadata", meta));
out:
	free(question);
	free(meta_text);
	json_decref(sources);
	json_decref(meta);
	answer_clear(&ans);
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

static int public_analytics(struct req *r)
{
	struct app *app = app_of(r);
	struct store_bot b;
	json_t *config;
	if (load_public_bot(r, &b, &config) != 0)
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

const struct route api_chat_routes[] = {
	{"GET", "/api/v1/public/bot/{id}/config", public_config, AUTH_PUBLIC, 0, NULL, false},
	{"POST", "/api/v1/public/bot/{id}/chat", public_chat, AUTH_PUBLIC, CHAT_BODY_CAP, chat_fields, false},
	{"GET", "/api/v1/public/bot/{id}/status", public_status, AUTH_PUBLIC, 0, NULL, false},
	{"POST", "/api/v1/public/bot/{id}/analytics", public_analytics, AUTH_PUBLIC, 8192, analytics_fields, false},
};
const size_t api_chat_routes_count = sizeof api_chat_routes / sizeof api_chat_routes[0];
