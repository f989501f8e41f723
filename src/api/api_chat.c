/*
 * api_chat.c — the public chat API (no key; rate limited per client address): config, chat, status,
 * analytics. Unknown bots answer 404 bot_not_found, inactive ones 404 bot_inactive.
 */
#include <stdio.h>
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
	enum err_code access = api_public_access(r, *config);
	if (access != ERR_OK) {
		json_decref(*config);
		*config = NULL;
		store_bot_clear(b);
		return resp_errorf(r, access, NULL, "%s", api_access_message(access));
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

/* One chat exchange between the answer and its commit: owns everything the write and the reply need,
 * because the handler returns (freeing its locals) while the database writer works. */
struct chat_job {
	struct req *r;
	struct store_exchange x;
	char tenant_id[STORE_ID_MAX], bot_id[STORE_ID_MAX];
	char conv_id[STORE_ID_MAX], in_id[STORE_ID_MAX], out_id[STORE_ID_MAX];
	char *question, *meta_text;
	struct answer ans;
	json_t *reply; /* the 200 body, sent once the exchange is stored */
	int rc;        /* the store's, set by chat_stored */
};

static void chat_job_free(struct chat_job *j)
{
	free(j->question);
	free(j->meta_text);
	answer_clear(&j->ans);
	json_decref(j->reply);
	free(j);
}

/* Writer thread: the exchange is committed (or failed); wake the request. */
static void chat_stored(void *ud, int rc)
{
	struct chat_job *j = ud;
	j->rc = rc;
	req_resume(j->r);
}

/* HTTP thread, after chat_stored: answer only what is durably stored. */
static int chat_reply(struct req *r, void *arg)
{
	struct chat_job *j = arg;
	int rc;
	if (j->rc == STORE_OK) {
		rc = resp_json(r, 200, j->reply);
		j->reply = NULL;
	} else {
		rc = api_store_error(r, j->rc, ERR_BOT_NOT_FOUND, "conversation");
	}
	chat_job_free(j);
	return rc;
}

static int public_chat(struct req *r)
{
	struct app *app = app_of(r);
	struct store_bot b;
	json_t *config = NULL, *sources = NULL, *meta = NULL;
	struct chat_job *j = NULL;
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
	j = calloc(1, sizeof *j);
	if (!j || !(j->question = strndup(msg, qlen))) {
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	j->r = r;
	snprintf(j->tenant_id, sizeof j->tenant_id, "%s", b.tenant_id);
	snprintf(j->bot_id, sizeof j->bot_id, "%s", b.id);

	const char *given = json_str(r->json, "conversation_id", NULL);
	bool is_new = !given || !crypto_id_valid("conv", given) ||
		      store_conversation_exists(app->store, b.tenant_id, b.id, given) != STORE_OK;
	int64_t now = clock_now_ms(&app->clock);
	if (is_new)
		crypto_time_id("conv", now, j->conv_id, sizeof j->conv_id);
	else
		snprintf(j->conv_id, sizeof j->conv_id, "%s", given);

	struct answer_bot ab = bot_answer_settings(&b, config);
	ab.index_cache = app->index_cache;
	int arc = answer_question(app->terms, app->store, &ab, j->question, &j->ans);
	if (arc != 0) {
		rc = api_store_error(r, arc, ERR_BOT_NOT_FOUND, "bot");
		goto out;
	}
	int latency = (int)((clock_mono() - r->t_start) * 1000.0 + 0.5);
	sources = sources_json(&j->ans);
	meta = json_pack("{s:s, s:b, s:i}", "answer_type", answer_type_name(j->ans.type), "unanswered",
			 j->ans.unanswered, "latency_ms", latency);
	json_t *stored = meta ? json_pack("{s:O, s:O}", "sources", sources, "metadata", meta) : NULL;
	j->meta_text = stored ? json_dumps(stored, JSON_COMPACT) : NULL;
	json_decref(stored);
	j->reply = j->meta_text ? json_pack("{s:s, s:s, s:O, s:O}", "response", j->ans.text, "conversation_id",
					    j->conv_id, "sources", sources, "metadata", meta)
				: NULL;
	if (!j->reply) {
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}

	crypto_time_id("msg", now, j->in_id, sizeof j->in_id);
	crypto_time_id("msg", now, j->out_id, sizeof j->out_id);
	j->x = (struct store_exchange){
		.tenant_id = j->tenant_id,
		.bot_id = j->bot_id,
		.conversation_id = j->conv_id,
		.new_conversation = is_new,
		.channel = "web",
		.user_msg_id = j->in_id,
		.user_text = j->question,
		.bot_msg_id = j->out_id,
		.bot_text = j->ans.text,
		.bot_meta = j->meta_text,
		.latency_ms = latency,
		.now = now,
	};
	/* The reply waits for the commit without holding this thread: chat_stored → chat_reply. */
	req_suspend(r, chat_reply, j);
	store_exchange_save_async(app->store, &j->x, chat_stored, j);
	j = NULL;
	rc = 0;
out:
	if (j)
		chat_job_free(j);
	json_decref(sources);
	json_decref(meta);
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
