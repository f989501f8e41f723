/*
 * api_chat.c — POST /api/v1/public/bot/{id}/chat: a visitor's question, answered from the business
 * profile (conv/facts.h) or the bot's knowledge (rag/answer.h), stored sealed under the visitor's contact
 * key (privacy/keys.h) before the answer is sent, with the email-capture prompt and the bot's contact
 * persons when their triggers fire.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/api.h"
#include "api/bot_json.h"
#include "conv/capture.h"
#include "conv/facts.h"
#include "conv/hours.h"
#include "privacy/keys.h"
#include "rag/answer.h"

#define CHAT_BODY_CAP (16u * 1024)
#define CHAT_MESSAGE_MAX 2000

static const struct json_field chat_fields[] = {
	{"message", JF_STRING, false, false, 0, 0, NULL, NULL, NULL, NULL},
	{"conversation_id", JF_STRING, false, true, 0, 64, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

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
	char tenant_id[STORE_ID_MAX], bot_id[STORE_ID_MAX], contact_id[STORE_ID_MAX];
	char conv_id[STORE_ID_MAX], in_id[STORE_ID_MAX], out_id[STORE_ID_MAX];
	char *question, *meta_text;
	char *sealed_in, *sealed_out; /* the texts as stored */
	char *contact_wrapped;        /* a new conversation's contact key, wrapped */
	struct answer ans;
	json_t *reply; /* the 200 body, sent once the exchange is stored */
	int rc;        /* the store's, set by chat_stored */
};

static void chat_job_free(struct chat_job *j)
{
	free(j->question);
	free(j->meta_text);
	free(j->sealed_in);
	free(j->sealed_out);
	free(j->contact_wrapped);
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

/* Finds the visitor's conversation and contact key, or starts both (j->conv_id, j->contact_id, key;
 * j->contact_wrapped set for a new contact). *messages and *prompts: the conversation's state so far. */
static int open_conversation(struct app *app, struct chat_job *j, const char *given, int64_t now,
			     unsigned char key[SEAL_KEY_BYTES], int *messages, int *prompts)
{
	*messages = *prompts = 0;
	if (given && crypto_id_valid("conv", given)) {
		char *wrapped = NULL;
		int rc = store_conversation_contact(app->store, j->tenant_id, j->bot_id, given, j->contact_id, &wrapped);
		if (rc == STORE_OK) {
			rc = keyring_contact_key(app->keyring, app->store, j->tenant_id, j->contact_id, wrapped, key);
			free(wrapped);
			if (rc == STORE_OK)
				rc = store_conversation_state(app->store, j->tenant_id, given, messages, prompts);
			if (rc == STORE_OK)
				snprintf(j->conv_id, sizeof j->conv_id, "%s", given);
			return rc;
		}
		if (rc != STORE_NOTFOUND)
			return rc;
	}
	crypto_time_id("conv", now, j->conv_id, sizeof j->conv_id);
	crypto_time_id("ct", now, j->contact_id, sizeof j->contact_id); /* time-ordered: appends to the indexes */
	return keyring_new_contact(app->keyring, app->store, j->tenant_id, j->contact_id, key, &j->contact_wrapped);
}

/* A question about the business itself (hours, address, phone, email) answered from the profile. */
static bool answer_from_profile(json_t *config, const char *question, int64_t now, struct answer *a)
{
	unsigned asked = facts_detect(question), answered = 0;
	if (!asked)
		return false;
	json_t *oh = json_object_get(config, "opening_hours");
	struct hours *h = json_is_object(oh) ? hours_parse(oh, NULL) : NULL;
	char *text = facts_answer(asked, config, h, now, json_str(config, "language", "de"), &answered);
	hours_free(h);
	if (!text)
		return false;
	*a = (struct answer){.text = text, .type = ANSWER_PROFILE};
	return true;
}

/* metadata.show_email_modal: what the widget needs to render the email form. */
static json_t *email_modal(const json_t *cfg, const char *why)
{
	json_t *m = json_pack("{s:s, s:s, s:s, s:s}", "prompt", json_str(cfg, "prompt", ""), "consent_text",
			      json_str(cfg, "consent_text", ""), "consent_text_version",
			      json_str(cfg, "consent_text_version", "v1"), "trigger", why);
	const char *privacy = json_str(cfg, "privacy_url", NULL);
	if (m && privacy)
		json_object_set_new(m, "privacy_url", json_string(privacy));
	return m;
}

static int public_chat(struct req *r)
{
	struct app *app = app_of(r);
	struct store_bot b;
	json_t *config = NULL, *sources = NULL, *meta = NULL;
	struct chat_job *j = NULL;
	unsigned char key[SEAL_KEY_BYTES];
	size_t qlen;
	int rc, messages, prompts;

	/* message checks come before the bot lookup only where they cannot leak anything */
	const char *msg = trim(json_str(r->json, "message", ""), &qlen);
	if (api_public_bot(r, &b, &config) != 0)
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

	int64_t now = clock_now_ms(&app->clock);
	int src = open_conversation(app, j, json_str(r->json, "conversation_id", NULL), now, key, &messages, &prompts);
	if (src != STORE_OK) {
		rc = api_store_error(r, src, ERR_BOT_NOT_FOUND, "conversation");
		goto out;
	}
	if (!answer_from_profile(config, j->question, now, &j->ans)) {
		struct answer_bot ab = bot_answer_settings(&b, config);
		ab.index_cache = app->index_cache;
		int arc = answer_question(app->terms, app->store, &ab, j->question, &j->ans);
		if (arc != 0) {
			rc = api_store_error(r, arc, ERR_BOT_NOT_FOUND, "bot");
			goto out;
		}
	}
	int latency = (int)((clock_mono() - r->t_start) * 1000.0 + 0.5);
	sources = sources_json(&j->ans);
	meta = json_pack("{s:s, s:b, s:i}", "answer_type", answer_type_name(j->ans.type), "unanswered",
			 j->ans.unanswered, "latency_ms", latency);
	const json_t *capture = json_object_get(json_object_get(config, "features"), "email_capture");
	struct capture_input ci = {.question = j->question, .messages_before = messages, .prompts_before = prompts,
				   .unanswered = j->ans.unanswered};
	char why[64];
	bool prompted = capture_should_prompt(capture, &ci, why, sizeof why);
	if (meta && prompted)
		json_object_set_new(meta, "show_email_modal", email_modal(capture, why));
	/* the bot's contact persons, when a contact trigger fires and it has any */
	const json_t *contacts = json_object_get(json_object_get(config, "features"), "contact_persons");
	char cwhy[64];
	if (meta && capture_should_show_contacts(contacts, &ci, cwhy, sizeof cwhy)) {
		json_t *modal = api_contact_modal(app, b.tenant_id, b.id, json_str(contacts, "title", ""), cwhy);
		if (modal)
			json_object_set_new(meta, "show_contact_modal", modal);
	}
	json_t *stored = meta ? json_pack("{s:O, s:O}", "sources", sources, "metadata", meta) : NULL;
	j->meta_text = stored ? json_dumps(stored, JSON_COMPACT) : NULL;
	json_decref(stored);
	j->reply = j->meta_text ? json_pack("{s:s, s:s, s:O, s:O}", "response", j->ans.text, "conversation_id",
					    j->conv_id, "sources", sources, "metadata", meta)
				: NULL;
	crypto_time_id("msg", now, j->in_id, sizeof j->in_id);
	crypto_time_id("msg", now, j->out_id, sizeof j->out_id);
	char field_in[STORE_ID_MAX + 8], field_out[STORE_ID_MAX + 8];
	snprintf(field_in, sizeof field_in, "msg:%s", j->in_id);
	snprintf(field_out, sizeof field_out, "msg:%s", j->out_id);
	if (!j->reply || privacy_seal(key, j->tenant_id, j->contact_id, field_in, j->question, &j->sealed_in) != 0 ||
	    privacy_seal(key, j->tenant_id, j->contact_id, field_out, j->ans.text, &j->sealed_out) != 0) {
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	j->x = (struct store_exchange){
		.tenant_id = j->tenant_id,
		.bot_id = j->bot_id,
		.conversation_id = j->conv_id,
		.new_conversation = j->contact_wrapped != NULL,
		.channel = "web",
		.user_msg_id = j->in_id,
		.user_text = j->sealed_in,
		.bot_msg_id = j->out_id,
		.bot_text = j->sealed_out,
		.bot_meta = j->meta_text,
		.latency_ms = latency,
		.now = now,
		.contact_id = j->contact_wrapped ? j->contact_id : NULL,
		.contact_wrapped_key = j->contact_wrapped,
		.email_prompted = prompted,
	};
	/* The reply waits for the commit without holding this thread: chat_stored → chat_reply. */
	req_suspend(r, chat_reply, j);
	store_exchange_save_async(app->store, &j->x, chat_stored, j);
	j = NULL;
	rc = 0;
out:
	sodium_memzero(key, sizeof key);
	if (j)
		chat_job_free(j);
	json_decref(sources);
	json_decref(meta);
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

const struct route api_chat_routes[] = {
	{"POST", "/api/v1/public/bot/{id}/chat", public_chat, AUTH_PUBLIC, CHAT_BODY_CAP, chat_fields, false},
};
const size_t api_chat_routes_count = sizeof api_chat_routes / sizeof api_chat_routes[0];
