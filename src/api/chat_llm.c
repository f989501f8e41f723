/*
 * chat_llm.c — a visitor's answer written by the bot's model: the prompt (llm/prompt.h) from the
 * retrieved passages, the business profile and the conversation so far; the request (llm/client.h);
 * the streamed reply shown as it grows (llm/reply_stream.h) and read as a whole at the end
 * (llm/reply.h). Whatever goes wrong with the model — unreachable, slow past its first-token time,
 * refusing, cut off, answering something unusable — the visitor gets the extractive answer instead, with
 * metadata.degraded = true, and nothing else changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/chat_int.h"
#include "base/log.h"
#include "conv/hours.h"
#include "llm/client.h"
#include "llm/prompt.h"
#include "llm/reply.h"
#include "llm/reply_stream.h"

struct history {
	struct prompt_turn *turns;
	char **texts;
	int n;
};

static void history_clear(struct history *h)
{
	for (int i = 0; i < h->n; i++)
		free(h->texts[i]);
	free(h->texts);
	free(h->turns);
	memset(h, 0, sizeof *h);
}

/* The conversation's last messages, opened with the contact's key. Messages that do not open are left
 * out; a store failure leaves the history empty (the model still answers the question). */
static void load_history(struct chat_job *j, struct history *h)
{
	struct store_message *msgs = NULL;
	int n = 0;
	memset(h, 0, sizeof *h);
	if (!j->existing_conversation || j->llm.history_messages <= 0)
		return;
	if (store_message_tail(j->app->store, j->tenant_id, j->conv_id, j->llm.history_messages, &msgs, &n) != STORE_OK)
		return;
	h->turns = n > 0 ? calloc((size_t)n, sizeof *h->turns) : NULL;
	h->texts = n > 0 ? calloc((size_t)n, sizeof *h->texts) : NULL;
	for (int i = 0; i < n && h->turns && h->texts; i++) {
		char field[STORE_ID_MAX + 8], *plain = NULL;
		snprintf(field, sizeof field, "msg:%s", msgs[i].id);
		if (privacy_open(j->key, j->tenant_id, j->contact_id, field, msgs[i].content ? msgs[i].content : "",
				 &plain) != 0)
			continue;
		h->texts[h->n] = plain;
		h->turns[h->n] = (struct prompt_turn){.from_user = msgs[i].inbound, .text = plain};
		h->n++;
	}
	for (int i = 0; i < n; i++)
		store_message_clear(&msgs[i]);
	free(msgs);
}

/* The chat messages for the model. NULL when the prompt cannot be built (logged). */
static json_t *build_messages(struct chat_job *j, struct prompt_stats *st)
{
	struct prompt_passage passages[ANSWER_MAX_PASSAGES];
	for (int i = 0; i < j->ans.npassages; i++)
		passages[i] = (struct prompt_passage){.title = j->ans.passages[i].title,
						      .heading = j->ans.passages[i].heading,
						      .text = j->ans.passages[i].text,
						      .score = j->ans.passages[i].score,
						      .url = j->ans.passages[i].url,
						      .page = j->ans.passages[i].page};
	char hours_text[1024] = "";
	const char *tz = NULL;
	json_t *oh = json_object_get(j->config, "opening_hours");
	struct hours *h = json_is_object(oh) ? hours_parse(oh, NULL) : NULL;
	const char *lang = json_str(j->config, "language", "de");
	bool lang_en = !strcmp(lang, "en");
	if (h) {
		tz = hours_timezone(h);
		char status[256] = "";
		if (hours_describe_status(h, j->now, lang, status, sizeof status) < 0)
			status[0] = '\0';
		if (hours_describe_week(h, lang, hours_text, sizeof hours_text) < 0)
			hours_text[0] = '\0';
		size_t used = strlen(hours_text);
		if (status[0] && used + strlen(status) + 2 < sizeof hours_text)
			snprintf(hours_text + used, sizeof hours_text - used, "%s%s", used ? "\n" : "", status);
	}
	struct history hist;
	load_history(j, &hist);
	/* what the visitor told so far, so that the model can address them and not ask again */
	json_t *known = chat_profile_known(j);
	char name[256] = "";
	snprintf(name, sizeof name, "%s%s%s", json_str(known, "first_name", ""),
		 json_str(known, "first_name", NULL) && json_str(known, "last_name", NULL) ? " " : "",
		 json_str(known, "last_name", ""));
	const json_t *llm = json_object_get(j->config, "llm");
	struct prompt_input in = {
		.template_text = json_str(llm, "prompt_template", NULL),
		.language = lang,
		.now_ms = j->now,
		.timezone = tz,
		.bot_name = j->bot_name,
		.company = json_object_get(j->config, "company"),
		.hours_text = hours_text[0] ? hours_text : NULL,
		.contact_name = name[0] ? name : NULL,
		.contact_status = j->existing_conversation ? (lang_en ? "returning visitor" : "bekannter Besucher")
							   : (lang_en ? "new visitor" : "neuer Besucher"),
		.contact_profile = json_object_size(known) > 0 ? known : NULL,
		.passages = passages,
		.npassages = j->ans.npassages,
		.history = hist.turns,
		.nhistory = hist.n,
		.question = j->question,
		.response_style = json_str(j->config, "response_style", "professional"),
		.additions = json_str(j->config, "system_prompt_additions", NULL),
		.history_messages = j->llm.history_messages > 0 ? j->llm.history_messages : -1,
		.budget_tokens = j->llm.context_tokens,
		.reserve_tokens = j->llm.max_tokens,
	};
	char err[200];
	json_t *messages = prompt_build(&in, st, err, sizeof err);
	if (!messages)
		log_msg(&j->app->log, LOG_WARN, "chat", "bot %s: no prompt for the model: %s", j->bot_id, err);
	hours_free(h);
	history_clear(&hist);
	json_decref(known);
	return messages;
}

/* Visible reply text → one `delta` event. */
static int emit(const char *text, size_t len, void *ud)
{
	struct chat_job *j = ud;
	if (!j->stream || len == 0)
		return 0;
	json_t *d = json_pack("{s:s%}", "text", text, len);
	char *s = d ? json_dumps(d, JSON_COMPACT) : NULL;
	if (s && resp_stream_event(j->stream, "delta", s) == 0)
		j->streamed += len;
	free(s);
	json_decref(d);
	return 0;
}

static void on_delta(void *ud, const char *text, size_t len)
{
	struct chat_job *j = ud;
	if (j->preview)
		reply_stream_feed(j->preview, text, len, emit, j);
}

/* The model's reply as the answer, or why it cannot be. */
static const char *take_reply(struct chat_job *j, const struct llm_outcome *o)
{
	if (o->status != LLM_OK)
		return llm_status_name(o->status);
	struct llm_reply rep;
	if (llm_reply_parse(o->text, o->text_len, &rep) != LLM_REPLY_OK)
		return "unusable_reply";
	/* a reply that is not valid UTF-8 cannot be shown (jansson refuses it) */
	json_t *check = json_string(rep.reply);
	if (!check) {
		llm_reply_clear(&rep);
		return "unusable_reply";
	}
	json_decref(check);
	free(j->ans.text);
	j->ans.text = rep.reply;
	rep.reply = NULL;
	if (rep.intent)
		json_object_set_new(j->meta, "intent", json_string(rep.intent));
	if (rep.profile)
		j->llm_profile = json_incref(rep.profile);
	llm_reply_clear(&rep);
	return NULL;
}

static void on_done(void *ud, const struct llm_outcome *o)
{
	struct chat_job *j = ud;
	if (o->status == LLM_OK && j->preview)
		reply_stream_finish(j->preview, emit, j);
	const char *why = take_reply(j, o);
	json_t *info = json_pack("{s:s, s:s, s:i}", "model", j->llm.model, "status", llm_status_name(o->status),
				 "attempts", o->attempts);
	if (info && o->first_token_s >= 0)
		json_object_set_new(info, "first_token_ms", json_integer((json_int_t)(o->first_token_s * 1000.0 + 0.5)));
	if (info && o->usage.completion_tokens >= 0)
		json_object_set_new(info, "completion_tokens", json_integer(o->usage.completion_tokens));
	if (info && o->finish_reason)
		json_object_set_new(info, "finish_reason", json_string(o->finish_reason));
	json_object_set_new(j->meta, "llm", info);
	json_object_set_new(j->meta, "degraded", json_boolean(why != NULL));
	if (why) {
		json_object_set_new(j->meta, "degraded_reason", json_string(why));
		atomic_fetch_add(&j->app->chat_llm_degraded, 1);
		log_msg(&j->app->log, LOG_WARN, "chat", "bot %s: answered without the model (%s): %s", j->bot_id, why,
			o->message);
	} else {
		json_object_set_new(j->meta, "answer_type", json_string("llm"));
		atomic_fetch_add(&j->app->chat_llm_answers, 1);
	}
	chat_store(j);
}

/* The visitor left a streamed answer: stop the model (under the stream's lock; see http/stream.h). */
static void on_gone(void *ud)
{
	struct chat_job *j = ud;
	pthread_mutex_lock(&j->mu);
	struct llm_call *call = j->call;
	pthread_mutex_unlock(&j->mu);
	llm_call_cancel(call);
}

/* Without the model: the extractive answer, marked degraded. */
static void degrade_now(struct chat_job *j, struct req *r, const char *why)
{
	json_object_set_new(j->meta, "degraded", json_true());
	json_object_set_new(j->meta, "degraded_reason", json_string(why));
	atomic_fetch_add(&j->app->chat_llm_degraded, 1);
	if (j->stream) {
		emit(j->ans.text, strlen(j->ans.text), j);
	} else {
		req_suspend(r, chat_reply, j);
	}
	chat_store(j);
}

void chat_llm_answer(struct chat_job *j, struct req *r)
{
	struct prompt_stats st;
	json_t *messages = build_messages(j, &st);
	if (!messages) {
		degrade_now(j, r, "prompt");
		return;
	}
	if (j->sse) {
		j->preview = reply_stream_new();
		resp_header(r, "X-Accel-Buffering", "no"); /* proxies must pass each event on at once */
		j->stream = j->preview ? resp_stream_start(r, 200, "text/event-stream; charset=utf-8", on_gone, j) : NULL;
		if (!j->stream) {
			reply_stream_free(j->preview);
			j->preview = NULL;
		}
	}
	if (!j->stream)
		req_suspend(r, chat_reply, j);
	struct llm_callbacks cb = {.on_delta = on_delta, .on_done = on_done, .ud = j};
	enum llm_status why;
	pthread_mutex_lock(&j->mu);
	j->refs++; /* ours, while the call is being started: on_done may finish the job before llm_chat returns */
	pthread_mutex_unlock(&j->mu);
	struct llm_call *call = llm_chat(j->app->llm, &j->llm, messages, &cb, &why);
	json_decref(messages);
	pthread_mutex_lock(&j->mu);
	j->call = call;
	pthread_mutex_unlock(&j->mu);
	if (!call) {
		/* never asked (breaker open, out of memory): the flow's reference goes on here */
		json_object_set_new(j->meta, "degraded", json_true());
		json_object_set_new(j->meta, "degraded_reason", json_string(llm_status_name(why)));
		atomic_fetch_add(&j->app->chat_llm_degraded, 1);
		emit(j->ans.text, strlen(j->ans.text), j);
		chat_store(j);
	}
	chat_job_unref(j);
}
