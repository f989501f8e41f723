/*
 * api_chat.c — POST /api/v1/public/bot/{id}/chat: a visitor's question, answered from the business
 * profile (conv/facts.h), by the bot's model over its knowledge (chat_llm.c) or extractively from its
 * knowledge (rag/answer.h); stored sealed under the visitor's contact key (privacy/keys.h) before the
 * answer is sent, with the email-capture prompt and the bot's contact persons when their triggers fire.
 *
 * With `Accept: text/event-stream` the answer comes as Server-Sent Events: `delta` events with
 * {"text": …} as the answer grows, then `done` with the same object the JSON call returns, or `error`
 * with the error envelope.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/bot_json.h"
#include "api/bot_secrets.h"
#include "api/chat_int.h"
#include "conv/capture.h"
#include "conv/facts.h"
#include "conv/hours.h"
#include "llm/client.h"
#include "llm/embed_client.h"
#include "llm/reply_stream.h"

#define CHAT_BODY_CAP (16u * 1024)
#define CHAT_MESSAGE_MAX 2000
#define CHAT_EMBED_TIMEOUT_MS 500 /* the question's embedding; later: full text only */

static const struct json_field chat_fields[] = {
	{"message", JF_STRING, false, false, 0, 0, NULL, NULL, NULL, NULL},
	{"conversation_id", JF_STRING, false, true, 0, 64, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

/* Trims ASCII white space at both ends: returns the start, *len the trimmed length. */
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
	for (int i = 0; arr && i < a->nsources; i++) {
		json_t *s = json_pack("{s:s, s:s, s:f}", "title", a->sources[i].title, "snippet", a->sources[i].snippet,
				      "score", a->sources[i].score);
		if (s && a->sources[i].url) /* where to read on: the page of the site, the page of the PDF */
			json_object_set_new(s, "url", json_string(a->sources[i].url));
		if (s && a->sources[i].page > 0)
			json_object_set_new(s, "page", json_integer(a->sources[i].page));
		json_array_append_new(arr, s);
	}
	return arr;
}

void chat_job_unref(struct chat_job *j)
{
	pthread_mutex_lock(&j->mu);
	int left = --j->refs;
	pthread_mutex_unlock(&j->mu);
	if (left > 0)
		return;
	sodium_memzero(j->key, sizeof j->key);
	llm_call_release(j->call);
	vcache_release(j->vectors);
	free(j->qvec);
	reply_stream_free(j->preview);
	json_decref(j->llm_profile);
	free(j->question);
	free(j->bot_name);
	free(j->meta_text);
	free(j->sealed_in);
	free(j->sealed_out);
	free(j->contact_wrapped);
	free(j->profile_sealed);
	answer_clear(&j->ans);
	json_decref(j->reply);
	json_decref(j->sources);
	json_decref(j->meta);
	json_decref(j->config);
	pthread_mutex_destroy(&j->mu);
	free(j);
}

/* The SSE form of a whole reply: one delta with all of the text, then done. */
static int reply_as_events(struct req *r, json_t *reply)
{
	json_t *delta = json_pack("{s:O}", "text", json_object_get(reply, "response"));
	char *d = delta ? json_dumps(delta, JSON_COMPACT) : NULL;
	char *done = json_dumps(reply, RESP_JSON_FLAGS);
	json_decref(delta);
	int rc;
	size_t n = (d ? strlen(d) : 0) + (done ? strlen(done) : 0) + 64;
	char *buf = d && done ? malloc(n) : NULL;
	if (buf) {
		int len = snprintf(buf, n, "event: delta\ndata: %s\n\nevent: done\ndata: %s\n\n", d, done);
		rc = resp_bytes(r, 200, "text/event-stream; charset=utf-8", buf, (size_t)len);
	} else {
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
	}
	free(buf);
	free(d);
	free(done);
	return rc;
}

/* HTTP thread, once the exchange is stored: answer only what is durably stored. */
int chat_reply(struct req *r, void *arg)
{
	struct chat_job *j = arg;
	int rc;
	if (j->rc == STORE_OK)
		rc = j->sse ? reply_as_events(r, j->reply) : resp_json(r, 200, json_incref(j->reply));
	else
		rc = api_store_error(r, j->rc, ERR_BOT_NOT_FOUND, "conversation");
	chat_job_unref(j);
	return rc;
}

/* The streamed answer's end: `done` with the stored reply, or `error`. */
static void stream_finish(struct chat_job *j)
{
	char *text = NULL;
	if (j->rc == STORE_OK) {
		text = json_dumps(j->reply, RESP_JSON_FLAGS);
		if (text)
			resp_stream_event(j->stream, "done", text);
	}
	if (!text) {
		const char *code = j->rc == STORE_BUSY ? "unavailable" : "internal";
		json_t *e = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message",
				      "the answer could not be stored; please send the message again");
		text = e ? json_dumps(e, JSON_COMPACT) : NULL;
		json_decref(e);
		resp_stream_event(j->stream, "error", text ? text : "{\"error\":{\"code\":\"internal\",\"message\":\"error\"}}");
	}
	free(text);
	resp_stream_end(j->stream);
	j->stream = NULL;
	chat_job_unref(j);
}

/* Writer thread (or the caller on failure): the exchange is committed, or not. */
static void chat_stored(void *ud, int rc)
{
	struct chat_job *j = ud;
	j->rc = rc;
	if (j->stream)
		stream_finish(j);
	else
		req_resume(j->r);
}

void chat_store(struct chat_job *j)
{
	char field_in[STORE_ID_MAX + 8], field_out[STORE_ID_MAX + 8];
	j->profile_sealed = chat_profile_sealed(j);
	int latency = (int)((clock_mono() - j->t_start) * 1000.0 + 0.5);
	json_object_set_new(j->meta, "latency_ms", json_integer(latency));
	json_t *stored = json_pack("{s:O, s:O}", "sources", j->sources, "metadata", j->meta);
	j->meta_text = stored ? json_dumps(stored, RESP_JSON_FLAGS) : NULL;
	json_decref(stored);
	j->reply = j->meta_text ? json_pack("{s:s, s:s, s:O, s:O}", "response", j->ans.text, "conversation_id",
					    j->conv_id, "sources", j->sources, "metadata", j->meta)
				: NULL;
	crypto_time_id("msg", j->now, j->in_id, sizeof j->in_id);
	crypto_time_id("msg", j->now, j->out_id, sizeof j->out_id);
	snprintf(field_in, sizeof field_in, "msg:%s", j->in_id);
	snprintf(field_out, sizeof field_out, "msg:%s", j->out_id);
	if (!j->reply || privacy_seal(j->key, j->tenant_id, j->contact_id, field_in, j->question, &j->sealed_in) != 0 ||
	    privacy_seal(j->key, j->tenant_id, j->contact_id, field_out, j->ans.text, &j->sealed_out) != 0) {
		chat_stored(j, STORE_NOMEM);
		return;
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
		.now = j->now,
		.contact_id = j->contact_wrapped ? j->contact_id : NULL,
		.contact_wrapped_key = j->contact_wrapped,
		.email_prompted = j->email_prompted,
		.contact_profile = j->profile_sealed,
		.profile_contact_id = j->contact_id,
	};
	store_exchange_save_async(j->app->store, &j->x, chat_stored, j);
}

/* Finds the visitor's conversation and contact key, or starts both (j->conv_id, j->contact_id, j->key;
 * j->contact_wrapped set for a new contact). *messages and *prompts: the conversation's state so far. */
static int open_conversation(struct app *app, struct chat_job *j, const char *given, int *messages, int *prompts)
{
	*messages = *prompts = 0;
	if (given && crypto_id_valid("conv", given)) {
		char *wrapped = NULL;
		int rc = store_conversation_contact(app->store, j->tenant_id, j->bot_id, given, j->contact_id, &wrapped);
		if (rc == STORE_OK) {
			rc = keyring_contact_key(app->keyring, app->store, j->tenant_id, j->contact_id, wrapped, j->key);
			free(wrapped);
			if (rc == STORE_OK)
				rc = store_conversation_state(app->store, j->tenant_id, given, messages, prompts);
			if (rc == STORE_OK) {
				snprintf(j->conv_id, sizeof j->conv_id, "%s", given);
				j->existing_conversation = true;
			}
			return rc;
		}
		if (rc != STORE_NOTFOUND)
			return rc;
	}
	crypto_time_id("conv", j->now, j->conv_id, sizeof j->conv_id);
	crypto_time_id("ct", j->now, j->contact_id, sizeof j->contact_id); /* time-ordered: appends to the indexes */
	return keyring_new_contact(app->keyring, app->store, j->tenant_id, j->contact_id, j->key, &j->contact_wrapped);
}

/* A question about the business itself (hours, address, phone, email) answered from the profile. */
bool api_profile_answer(json_t *config, const char *question, int64_t now, struct answer *a)
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

/* Whether the visitor asked for SSE: text/event-stream in Accept, unless with q=0. */
static bool wants_events(struct req *r)
{
	const char *accept = req_header(r, "Accept");
	const char *p = accept ? strcasestr(accept, "text/event-stream") : NULL;
	if (!p)
		return false;
	size_t seg = strcspn(p, ",");
	for (const char *q = p; (q = strstr(q, "q=")) && q < p + seg; q += 2) {
		char *end;
		double v = strtod(q + 2, &end);
		if (end != q + 2 && v <= 0.0)
			return false;
	}
	return true;
}

/* The metadata every answer carries, and the capture / contact-person prompts. */
static int answer_meta(struct app *app, struct chat_job *j, int messages, int prompts)
{
	j->sources = sources_json(&j->ans);
	j->meta = json_pack("{s:s, s:b}", "answer_type", answer_type_name(j->ans.type), "unanswered", j->ans.unanswered);
	if (!j->sources || !j->meta)
		return -1;
	const json_t *capture = json_object_get(json_object_get(j->config, "features"), "email_capture");
	struct capture_input ci = {.question = j->question, .messages_before = messages, .prompts_before = prompts,
				   .unanswered = j->ans.unanswered};
	char why[64];
	j->email_prompted = capture_should_prompt(capture, &ci, why, sizeof why);
	if (j->email_prompted)
		json_object_set_new(j->meta, "show_email_modal", email_modal(capture, why));
	/* the bot's contact persons, when a contact trigger fires and it has any */
	const json_t *contacts = json_object_get(json_object_get(j->config, "features"), "contact_persons");
	char cwhy[64];
	if (capture_should_show_contacts(contacts, &ci, cwhy, sizeof cwhy)) {
		json_t *modal = api_contact_modal(app, j->tenant_id, j->bot_id, json_str(contacts, "title", ""), cwhy);
		if (modal)
			json_object_set_new(j->meta, "show_contact_modal", modal);
	}
	return 0;
}

/* Retrieval (with the question's embedding when there is one), the metadata, then the model or the
 * store. Consumes the caller's reference; answers r one way or another. */
static int chat_answer(struct chat_job *j, struct req *r)
{
	struct app *app = j->app;
	bool model = false;
	if (!api_profile_answer(j->config, j->question, j->now, &j->ans)) {
		struct store_bot b = {.name = j->bot_name, .knowledge_version = j->knowledge_version};
		snprintf(b.tenant_id, sizeof b.tenant_id, "%s", j->tenant_id);
		snprintf(b.id, sizeof b.id, "%s", j->bot_id);
		struct answer_bot ab = bot_answer_settings(&b, j->config);
		ab.index_cache = app->index_cache;
		ab.want_passages = model = j->llm.enabled;
		ab.vectors = j->qvec ? j->vectors : NULL;
		ab.query_vec = j->qvec;
		ab.query_dim = j->qdim;
		ab.min_similarity = j->llm.embed_min_similarity;
		int arc = answer_question(app->terms, app->store, &ab, j->question, &j->ans);
		if (arc != 0) {
			int rc = api_store_error(r, arc, ERR_BOT_NOT_FOUND, "bot");
			chat_job_unref(j);
			return rc;
		}
		/* greetings, thanks and questions the knowledge does not cover get no model: no guessing */
		model = model && j->ans.type == ANSWER_EXTRACTIVE;
	}
	if (answer_meta(app, j, j->messages, j->prompts) != 0) {
		int rc = resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
		chat_job_unref(j);
		return rc;
	}
	if (j->llm.embeddings)
		json_object_set_new(j->meta, "retrieval", json_string(j->ans.hybrid ? "hybrid" : "fulltext"));
	if (model) {
		chat_llm_answer(j, r);
	} else {
		/* The reply waits for the commit without holding this thread: chat_stored → chat_reply. */
		req_suspend(r, chat_reply, j);
		chat_store(j);
	}
	return 0;
}

/* HTTP client thread: the question's embedding, or not (then full text only). */
static void query_embedded(void *ud, struct embed_result *res, const char *err)
{
	struct chat_job *j = ud;
	(void)err;
	if (res && res->n == 1 && res->dim > 0) {
		j->qvec = res->vectors;
		j->qdim = res->dim;
		res->vectors = NULL; /* taken */
	}
	req_resume(j->r);
}

static int after_embedding(struct req *r, void *arg)
{
	if (r->gone) { /* the visitor left before anything was answered: nothing to store or send */
		chat_job_unref(arg);
		return 0;
	}
	return chat_answer(arg, r);
}

static int public_chat(struct req *r)
{
	struct app *app = app_of(r);
	struct store_bot b;
	json_t *config = NULL;
	struct chat_job *j = NULL;
	size_t qlen;
	int rc;

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
	if (!j || !(j->question = strndup(msg, qlen)) || !(j->bot_name = strdup(b.name))) {
		if (j)
			free(j->question);
		free(j);
		j = NULL;
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	pthread_mutex_init(&j->mu, NULL);
	j->refs = 1;
	j->app = app;
	j->r = r;
	j->config = json_incref(config);
	j->sse = wants_events(r);
	j->t_start = r->t_start;
	j->now = clock_now_ms(&app->clock);
	j->knowledge_version = b.knowledge_version;
	snprintf(j->tenant_id, sizeof j->tenant_id, "%s", b.tenant_id);
	snprintf(j->bot_id, sizeof j->bot_id, "%s", b.id);

	int src = open_conversation(app, j, json_str(r->json, "conversation_id", NULL), &j->messages, &j->prompts);
	if (src != STORE_OK) {
		rc = api_store_error(r, src, ERR_BOT_NOT_FOUND, "conversation");
		goto out;
	}
	if (api_bot_llm(app, &b, config, &j->llm) != 0)
		memset(&j->llm, 0, sizeof j->llm); /* a secret that does not open: no model, no vectors */
	if (j->llm.embeddings) {
		j->vectors = vcache_get(app->vcache, app->store, j->tenant_id, j->bot_id, j->llm.embed_model,
					j->knowledge_version);
		if (vcache_set(j->vectors)) {
			/* the question's embedding first, without holding this thread */
			const char *texts[] = {j->question};
			req_suspend(r, after_embedding, j);
			if (!embed_start(app->httpc, &j->llm, texts, 1, CHAT_EMBED_TIMEOUT_MS, query_embedded, j))
				req_resume(r); /* full text only */
			j = NULL;
			rc = 0;
			goto out;
		}
	}
	rc = chat_answer(j, r);
	j = NULL;
out:
	if (j)
		chat_job_unref(j);
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

const struct route api_chat_routes[] = {
	{"POST", "/api/v1/public/bot/{id}/chat", public_chat, AUTH_PUBLIC, CHAT_BODY_CAP, chat_fields, false},
};
const size_t api_chat_routes_count = sizeof api_chat_routes / sizeof api_chat_routes[0];
