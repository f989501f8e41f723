/*
 * wa_conv.c — the WhatsApp conversation engine (wa_conv.h): flows, free questions, handover, and the jobs
 * that start flows, nudge and remind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/api.h"
#include "api/bot_json.h"
#include "api/wa_conv.h"
#include "api/wa_notify.h"
#include "api/wa_send.h"
#include "base/crypto.h"
#include "base/json.h"
#include "conv/flow.h"
#include "conv/handover.h"
#include "jobs/scheduler.h"
#include "privacy/keys.h"
#include "rag/answer.h"

#define JOIN_MAX 4096 /* characters of joined texts (WhatsApp's text limit) */

/* One conversation, opened for a step. */
struct thread {
	struct app *app;
	const struct store_bot *b;
	const json_t *config;
	char contact_id[STORE_ID_MAX];
	unsigned char key[SEAL_KEY_BYTES];
	struct store_wa_conv conv;
	json_t *state; /* {"flow":{…}, "fields":{…}, "qualification":…, "first_contact_at":…} */
	json_t *vars;  /* placeholders of flow texts */
	struct flow *flow;
	bool changed;
};

static void thread_close(struct thread *t)
{
	sodium_memzero(t->key, sizeof t->key);
	store_wa_conv_clear(&t->conv);
	json_decref(t->state);
	json_decref(t->vars);
	flow_free(t->flow);
	memset(t, 0, sizeof *t);
}

static int thread_open(struct thread *t, struct app *app, const struct store_bot *b, const json_t *config,
		       const char *contact_id)
{
	memset(t, 0, sizeof *t);
	t->app = app;
	t->b = b;
	t->config = config;
	snprintf(t->contact_id, sizeof t->contact_id, "%s", contact_id);
	struct store_wa_contact c = {0};
	char id[STORE_ID_MAX], *plain = NULL;
	bool created;
	int64_t now = clock_now_ms(&app->clock);
	crypto_time_id("conv", now, id, sizeof id);
	int rc = store_wa_contact_get(app->store, b->tenant_id, contact_id, &c);
	if (rc == STORE_OK)
		rc = keyring_contact_key(app->keyring, app->store, b->tenant_id, c.id, c.wrapped_key, t->key);
	if (rc == STORE_OK)
		rc = store_wa_conv_open(app->store, b->tenant_id, b->id, contact_id, id, now, &t->conv, &created);
	t->vars = json_object();
	if (rc == STORE_OK && c.first_name_sealed &&
	    privacy_open(t->key, b->tenant_id, c.id, "first_name", c.first_name_sealed, &plain) == 0) {
		json_object_set_new(t->vars, "first_name", json_string(plain));
		free(plain);
		plain = NULL;
	}
	store_wa_contact_clear(&c);
	if (rc != STORE_OK)
		return rc;
	if (t->conv.state_sealed) {
		char field[STORE_ID_MAX + 8];
		snprintf(field, sizeof field, "state:%s", t->conv.id);
		if (privacy_open(t->key, b->tenant_id, contact_id, field, t->conv.state_sealed, &plain) == 0) {
			t->state = json_loads(plain, 0, NULL);
			sodium_memzero(plain, strlen(plain));
			free(plain);
		}
	}
	if (!json_is_object(t->state)) {
		json_decref(t->state);
		t->state = json_object();
	}
	const json_t *doc = json_object_get(config, "flow");
	if (json_is_object(doc))
		t->flow = flow_parse(doc, NULL, 0, NULL); /* checked when saved */
	const json_t *fields = json_object_get(t->state, "fields");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)(uintptr_t)fields, k, v) if (json_is_string(v)) json_object_set(t->vars, k, v);
	return t->state && t->vars ? STORE_OK : STORE_NOMEM;
}

/* Writes the state (when changed) and counts an inbound message. */
static int thread_save(struct thread *t, int inbound)
{
	char *plain = NULL, *sealed = NULL, field[STORE_ID_MAX + 8];
	struct store_wa_conv_update u = {.tenant_id = t->b->tenant_id, .id = t->conv.id, .inbound = inbound,
					 .now = clock_now_ms(&t->app->clock)};
	if (t->changed) {
		snprintf(field, sizeof field, "state:%s", t->conv.id);
		plain = json_dumps(t->state, JSON_COMPACT);
		if (!plain || privacy_seal(t->key, t->b->tenant_id, t->contact_id, field, plain, &sealed) != 0) {
			free(plain);
			return STORE_NOMEM;
		}
		u.set_state = true;
		u.state_sealed = sealed;
	}
	int rc = store_wa_conv_update(t->app->store, &u);
	if (plain) {
		sodium_memzero(plain, strlen(plain));
		free(plain);
	}
	free(sealed);
	return rc;
}

static void state_flow(struct thread *t, const struct flow_state *st)
{
	json_object_set_new(t->state, "flow", flow_state_to_json(st));
	t->changed = true;
}

/* ---- sending ------------------------------------------------------------------------------------------ */

/* Sends one message; a transient failure becomes a job retried with backoff. False when the rest of a batch
 * should not follow (blocked, failed, or it went out as a template: the window is closed). */
static bool send_one(struct thread *t, enum policy_purpose purpose, const char *text, const struct flow_message *im,
		     const char *fallback_template, const char *origin)
{
	char cancel[STORE_ID_MAX + 8];
	snprintf(cancel, sizeof cancel, "conv:%s", t->conv.id);
	struct wa_outgoing o = {.contact_id = t->contact_id, .conversation_id = t->conv.id, .type = SEND_SESSION_TEXT,
				.purpose = purpose, .text = text, .interactive = im, .template_name = fallback_template,
				.vars = t->vars, .origin = origin};
	struct wa_send_result r;
	if (wa_send(t->app, t->b, t->config, &o, &r) != 0)
		return false;
	if (r.status == WA_SEND_RETRY) {
		int64_t wait = r.retry_after_ms > t->app->settings.jobs_backoff_ms ? r.retry_after_ms
										: t->app->settings.jobs_backoff_ms;
		o.send_at = clock_now_ms(&t->app->clock) + wait;
		log_msg(&t->app->log, LOG_WARN, "whatsapp", "bot %s: send failed (%s), retried in %lld ms", t->b->id, r.reason,
			(long long)wait);
		if (wa_send(t->app, t->b, t->config, &o, &r) != 0)
			return false;
	}
	return (r.status == WA_SEND_SENT || r.status == WA_SEND_SCHEDULED) && !r.via_template;
}

/* Sends a step's messages in order: texts joined, a text before buttons or a list put into their body. */
static void send_msgs(struct thread *t, const struct flow_output *out, enum policy_purpose purpose,
		      const char *fallback_template, const char *origin)
{
	char joined[JOIN_MAX * 4 + 8];
	size_t jl = 0;
	const char *tpl = fallback_template;
	for (int i = 0; i < out->nmsgs; i++) {
		const struct flow_message *m = &out->msgs[i];
		if (!tpl && m->template_name)
			tpl = m->template_name;
		size_t ml = strlen(m->text);
		bool fits = jl + ml + 2 < (m->kind == FLOW_MSG_TEXT ? (size_t)JOIN_MAX : (size_t)FLOW_BODY_MAX);
		if (jl > 0 && !fits) {
			if (!send_one(t, purpose, joined, NULL, tpl, origin))
				return;
			tpl = NULL;
			jl = 0;
		}
		if (jl > 0)
			jl += (size_t)snprintf(joined + jl, sizeof joined - jl, "\n\n");
		jl += (size_t)snprintf(joined + jl, sizeof joined - jl, "%s", m->text);
		if (m->kind != FLOW_MSG_TEXT) {
			if (!send_one(t, purpose, joined, m, tpl, origin))
				return;
			tpl = NULL;
			jl = 0;
		}
	}
	if (jl > 0)
		send_one(t, purpose, joined, NULL, tpl, origin);
}

/* ---- handover ----------------------------------------------------------------------------------------- */

static void handover(struct thread *t, const char *reason, bool tell)
{
	struct store_wa_conv_update u = {.tenant_id = t->b->tenant_id, .id = t->conv.id, .owner = "human",
					 .handover_reason = reason, .expect_owner = "bot",
					 .now = clock_now_ms(&t->app->clock)};
	if (store_wa_conv_update(t->app->store, &u) != STORE_OK)
		return; /* a person owns it already */
	free(t->conv.owner);
	t->conv.owner = strdup("human");
	wa_event(t->app, t->b, "handover", t->contact_id, t->conv.id, json_pack("{s:s}", "reason", reason));
	if (tell) {
		bool en = !strcmp(json_str(t->config, "language", "de"), "en");
		send_one(t, PURPOSE_REPLY,
			 en ? "Thank you! I am passing your message on to our team – a colleague will get back to you "
			      "here shortly."
			    : "Vielen Dank! Ich gebe Ihre Nachricht an unser Team weiter – eine Kollegin oder ein Kollege "
			      "meldet sich in Kürze hier bei Ihnen.",
			 NULL, NULL, "handover");
	}
	wa_notify_handover(t->app, t->b, t->config, t->conv.id, t->contact_id, reason);
}

/* ---- flow actions ------------------------------------------------------------------------------------- */

static void schedule_task(struct thread *t, const struct flow_action *a)
{
	int64_t now = clock_now_ms(&t->app->clock);
	char id[STORE_ID_MAX], dedupe[STORE_ID_MAX * 2 + 96], cancel[STORE_ID_MAX + 8];
	crypto_time_id("job", now, id, sizeof id);
	snprintf(dedupe, sizeof dedupe, "%s:%s:%s:%lld", a->task, t->conv.id, a->node, (long long)a->run_at_ms);
	snprintf(cancel, sizeof cancel, "conv:%s", t->conv.id);
	json_t *p = json_pack("{s:s, s:s, s:s}", "conversation_id", t->conv.id, "contact_id", t->contact_id, "node",
			      a->node);
	if (p && a->template_name)
		json_object_set_new(p, "template", json_string(a->template_name));
	char *payload = p ? json_dumps(p, JSON_COMPACT) : NULL;
	json_decref(p);
	struct store_job_in j = {.id = id, .tenant_id = t->b->tenant_id, .bot_id = t->b->id, .kind = a->task,
				 .run_at = a->run_at_ms, .payload = payload, .dedupe_key = dedupe, .cancel_key = cancel,
				 .max_attempts = (int)t->app->settings.jobs_max_attempts, .now = now};
	int rc = payload ? store_job_add(t->app->store, &j) : STORE_NOMEM;
	if (rc != STORE_OK && rc != STORE_CONFLICT)
		log_msg(&t->app->log, LOG_WARN, "whatsapp", "bot %s: task %s not scheduled", t->b->id, a->task);
	free(payload);
}

static void apply_actions(struct thread *t, const struct flow_output *out)
{
	json_t *fields = json_object_get(t->state, "fields");
	if (!fields) {
		fields = json_object();
		json_object_set_new(t->state, "fields", fields);
	}
	for (int i = 0; i < out->nactions; i++) {
		const struct flow_action *a = &out->actions[i];
		switch (a->kind) {
		case FLOW_ACT_SET_FIELD:
			json_object_set(fields, a->field, a->value);
			break;
		case FLOW_ACT_QUALIFY:
		case FLOW_ACT_DISQUALIFY: {
			const char *what = a->kind == FLOW_ACT_QUALIFY ? "qualified" : "disqualified";
			json_object_set_new(t->state, "qualification", json_string(what));
			wa_event(t->app, t->b, what, t->contact_id, t->conv.id,
				 json_pack("{s:s?}", "reason", a->reason));
			break;
		}
		case FLOW_ACT_HANDOVER:
			handover(t, a->reason ? a->reason : "flow", false);
			break;
		case FLOW_ACT_START_BOOKING:
			wa_event(t->app, t->b, "booking_started", t->contact_id, t->conv.id, NULL);
			break;
		case FLOW_ACT_SCHEDULE:
			schedule_task(t, a);
			break;
		}
	}
	t->changed = true;
}

/* ---- answers from the knowledge ----------------------------------------------------------------------- */

/* The answer to a free question (malloc'd; with its source on a last line), and its confidence. */
static char *knowledge_answer(struct thread *t, const char *text, double *confidence)
{
	struct answer a;
	*confidence = -1;
	json_t *cfg = (json_t *)(uintptr_t)t->config;
	if (api_profile_answer(cfg, text, clock_now_ms(&t->app->clock), &a)) {
		char *s = a.text;
		a.text = NULL;
		answer_clear(&a);
		*confidence = 1;
		return s;
	}
	struct answer_bot ab = bot_answer_settings(t->b, cfg);
	ab.index_cache = t->app->index_cache;
	if (answer_question(t->app->terms, t->app->store, &ab, text, &a) != 0)
		return NULL;
	*confidence = a.unanswered ? 0 : a.nsources > 0 ? a.sources[0].score : 0;
	char *s = NULL;
	if (!a.unanswered && a.nsources > 0 && a.sources[0].title) {
		const struct answer_source *src = &a.sources[0];
		bool en = !strcmp(json_str(cfg, "language", "de"), "en");
		if (asprintf(&s, "%s\n\n%s: %s%s%s", a.text, en ? "Source" : "Quelle", src->title, src->url ? " – " : "",
			     src->url ? src->url : "") < 0)
			s = NULL;
	} else {
		s = a.text;
		a.text = NULL;
	}
	answer_clear(&a);
	return s;
}

/* Answers a free question; true when it handed over instead (low confidence on price or contract). */
static bool answer_free(struct thread *t, const char *text)
{
	double conf;
	char *reply = knowledge_answer(t, text, &conf);
	char why[128] = "";
	struct handover_input hi = {.confidence = conf};
	if (handover_check(text, &hi, why, sizeof why) & (HANDOVER_PRICE | HANDOVER_CONTRACT)) {
		free(reply);
		handover(t, why, true);
		return true;
	}
	if (reply)
		send_one(t, PURPOSE_REPLY, reply, NULL, NULL, "bot");
	free(reply);
	return false;
}

/* ---- an inbound message ------------------------------------------------------------------------------- */

static void run_flow(struct thread *t, const char *text, const char *reply_id, int64_t now)
{
	struct flow_state st = {0};
	struct flow_output out = {0};
	struct flow_input in = {.text = text, .reply_id = reply_id, .vars = t->vars, .now_ms = now};
	const json_t *sj = json_object_get(t->state, "flow");
	bool started = sj && flow_state_from_json(sj, &st) == 0;
	if (started && st.done) {
		answer_free(t, text);
		return;
	}
	int rc = started ? flow_step(t->flow, &st, &in, &out) : FLOW_E_STATE;
	if (rc == FLOW_E_STATE) { /* not started yet (or the flow changed): start it */
		flow_output_free(&out);
		if (strchr(text, '?') && answer_free(t, text))
			return;
		if (flow_start(t->flow, &st, &in, &out) != FLOW_OK)
			return;
		state_flow(t, &st);
		apply_actions(t, &out);
		send_msgs(t, &out, PURPOSE_REPLY, NULL, "flow");
		flow_output_free(&out);
		return;
	}
	if (rc != FLOW_OK) {
		flow_output_free(&out);
		answer_free(t, text);
		return;
	}
	state_flow(t, &st);
	if (out.verdict == FLOW_OFF_FLOW && answer_free(t, text)) {
		flow_output_free(&out);
		return;
	}
	apply_actions(t, &out);
	if (!out.handover || out.verdict != FLOW_MISUNDERSTOOD)
		send_msgs(t, &out, PURPOSE_REPLY, NULL, "flow");
	else /* the third misunderstanding: the engine's handover text, then a person */
		send_msgs(t, &out, PURPOSE_REPLY, NULL, "handover");
	flow_output_free(&out);
}

int wa_conv_inbound(struct app *app, const struct store_bot *b, const json_t *config, const char *contact_id,
		    const char *text, const char *reply_id, int64_t at)
{
	struct thread t;
	int rc = thread_open(&t, app, b, config, contact_id);
	if (rc != STORE_OK) {
		thread_close(&t);
		return -1;
	}
	int64_t now = clock_now_ms(&app->clock);
	wa_event(app, b, "reply", contact_id, t.conv.id, NULL);
	json_int_t first = json_integer_value(json_object_get(t.state, "first_contact_at"));
	if (t.conv.message_count == 0 && first > 0)
		wa_event(app, b, "first_response", contact_id, t.conv.id,
			 json_pack("{s:I}", "seconds", (json_int_t)((at - first) / 1000)));
	char cancel[STORE_ID_MAX + 8];
	int ncancelled = 0;
	snprintf(cancel, sizeof cancel, "conv:%s", t.conv.id);
	store_job_cancel_key(app->store, b->tenant_id, cancel, now, &ncancelled);
	if (strcmp(t.conv.owner, "human") != 0) {
		char why[128] = "";
		unsigned trig = handover_check(text, NULL, why, sizeof why);
		if (trig & (HANDOVER_KEYWORD | HANDOVER_SENTIMENT))
			handover(&t, why, true);
		else if (t.flow)
			run_flow(&t, text, reply_id, now);
		else
			answer_free(&t, text);
	}
	rc = thread_save(&t, 1) == STORE_OK ? 0 : -1;
	thread_close(&t);
	return rc;
}

/* ---- owner changes ------------------------------------------------------------------------------------ */

int wa_conv_set_owner(struct app *app, const char *tenant_id, const char *conv_id, bool human, const char *reason,
		      struct store_wa_conv *out)
{
	struct store_wa_conv cv = {0};
	struct store_bot b = {0};
	int rc = store_wa_conv_get(app->store, tenant_id, conv_id, &cv);
	if (rc != STORE_OK)
		return rc;
	rc = store_bot_get(app->store, tenant_id, cv.bot_id, &b);
	if (rc != STORE_OK) {
		store_wa_conv_clear(&cv);
		return rc;
	}
	json_t *config = bot_config_parse(&b);
	struct thread t;
	rc = config ? thread_open(&t, app, &b, config, cv.contact_id) : STORE_NOMEM;
	if (rc == STORE_OK && human) {
		if (!strcmp(t.conv.owner, "human"))
			rc = STORE_CONFLICT;
		else
			handover(&t, reason ? reason : "manual", false);
	} else if (rc == STORE_OK) {
		struct store_wa_conv_update u = {.tenant_id = tenant_id, .id = conv_id, .owner = "bot",
						 .expect_owner = "human", .now = clock_now_ms(&app->clock)};
		rc = store_wa_conv_update(app->store, &u);
		struct flow_state st;
		const json_t *sj = json_object_get(t.state, "flow");
		if (rc == STORE_OK && t.flow && sj && flow_state_from_json(sj, &st) == 0 && !st.done) {
			struct flow_output fo = {0};
			struct flow_input in = {.vars = t.vars, .now_ms = clock_now_ms(&app->clock)};
			if (flow_reask(t.flow, &st, &in, &fo) == FLOW_OK) {
				state_flow(&t, &st);
				send_msgs(&t, &fo, PURPOSE_SERVICE, NULL, "handback");
				thread_save(&t, 0);
			}
			flow_output_free(&fo);
		}
		if (rc == STORE_OK)
			wa_event(app, &b, "handback", t.contact_id, conv_id, NULL);
	}
	if (config)
		thread_close(&t);
	if (rc == STORE_OK && out)
		rc = store_wa_conv_get(app->store, tenant_id, conv_id, out);
	json_decref(config);
	store_bot_clear(&b);
	store_wa_conv_clear(&cv);
	return rc;
}

/* ---- jobs --------------------------------------------------------------------------------------------- */

/* first_contact: the flow's start after an opt-in, as a marketing message (a template outside the window). */
static int job_first_contact(struct thread *t)
{
	if (json_object_get(t->state, "flow") || !t->flow)
		return SCHEDULER_DONE; /* started already (the contact wrote first), or no flow any more */
	struct flow_state st;
	struct flow_output out = {0};
	int64_t now = clock_now_ms(&t->app->clock);
	struct flow_input in = {.vars = t->vars, .now_ms = now};
	if (flow_start(t->flow, &st, &in, &out) != FLOW_OK)
		return -1;
	state_flow(t, &st);
	json_object_set_new(t->state, "first_contact_at", json_integer(now));
	apply_actions(t, &out);
	send_msgs(t, &out, PURPOSE_MARKETING, NULL, "first_contact");
	flow_output_free(&out);
	return thread_save(t, 0) == STORE_OK ? SCHEDULER_DONE : -1;
}

/* nudge_30m, followup_24h, followup_48h: the waiting question again, if the flow still waits at that node. */
static int job_nudge(struct thread *t, const json_t *p, const char *kind)
{
	struct flow_state st;
	const json_t *sj = json_object_get(t->state, "flow");
	if (!t->flow || !sj || flow_state_from_json(sj, &st) != 0 || st.done ||
	    strcmp(st.node, json_str(p, "node", "")) != 0 || !strcmp(t->conv.owner, "human"))
		return SCHEDULER_DONE; /* answered, ended, moved on, or a person took over */
	struct flow_output out = {0};
	struct flow_input in = {.vars = t->vars, .now_ms = clock_now_ms(&t->app->clock)};
	if (flow_reask(t->flow, &st, &in, &out) != FLOW_OK)
		return SCHEDULER_GIVE_UP;
	state_flow(t, &st);
	send_msgs(t, &out, PURPOSE_MARKETING, json_str(p, "template", NULL), kind);
	flow_output_free(&out);
	wa_event(t->app, t->b, "nudge_sent", t->contact_id, t->conv.id, json_pack("{s:s}", "task", kind));
	return thread_save(t, 0) == STORE_OK ? SCHEDULER_DONE : -1;
}

/* reminder_22h, reminder_55m, reminder_5m: the template of the payload with its variables (service). */
static int job_reminder(struct app *app, const struct store_bot *b, const json_t *config, const json_t *p,
			const char *kind, char *err, size_t errlen)
{
	struct wa_outgoing o = {.contact_id = json_str(p, "contact_id", ""), .type = SEND_TEMPLATE,
				.purpose = PURPOSE_SERVICE, .template_name = json_str(p, "template", NULL),
				.language = json_str(p, "language", NULL), .variables = json_object_get(p, "variables"),
				.due = true, .origin = kind};
	struct wa_send_result r;
	if (!o.template_name) {
		snprintf(err, errlen, "a reminder without a template");
		return SCHEDULER_GIVE_UP;
	}
	if (wa_send(app, b, config, &o, &r) != 0) {
		snprintf(err, errlen, "%s", r.error);
		return -1;
	}
	snprintf(err, errlen, "%s%s%s", r.reason, r.error[0] ? ": " : "", r.error);
	return r.status == WA_SEND_SENT || r.status == WA_SEND_SCHEDULED ? SCHEDULER_DONE
	       : r.status == WA_SEND_RETRY				? -1
									: SCHEDULER_GIVE_UP;
}

int wa_conv_job(struct app *app, const struct store_job *j, char *err, size_t errlen)
{
	json_t *p = json_loads(j->payload, 0, NULL), *config = NULL;
	struct store_bot b = {0};
	int rc = SCHEDULER_GIVE_UP;
	if (!json_is_object(p)) {
		snprintf(err, errlen, "payload is not a JSON object");
		json_decref(p);
		return rc;
	}
	if (store_bot_get(app->store, j->tenant_id, j->bot_id, &b) != STORE_OK) {
		snprintf(err, errlen, "the bot is gone");
		json_decref(p);
		return rc;
	}
	config = bot_config_parse(&b);
	if (!config) {
		rc = -1;
		snprintf(err, errlen, "the bot config cannot be read");
	} else if (!strncmp(j->kind, "reminder_", 9)) {
		rc = job_reminder(app, &b, config, p, j->kind, err, errlen);
	} else if (!strncmp(j->kind, "notify_handover", 15)) {
		rc = wa_notify_job(app, &b, config, p, j->kind, err, errlen);
	} else {
		struct thread t;
		int o = thread_open(&t, app, &b, config, json_str(p, "contact_id", ""));
		if (o == STORE_NOTFOUND)
			snprintf(err, errlen, "the contact is gone");
		else if (o != STORE_OK)
			rc = -1, snprintf(err, errlen, "the conversation cannot be opened");
		else if (!strcmp(j->kind, "first_contact"))
			rc = job_first_contact(&t);
		else
			rc = job_nudge(&t, p, j->kind);
		thread_close(&t);
	}
	json_decref(config);
	json_decref(p);
	store_bot_clear(&b);
	return rc;
}

static int run_send(void *ud, const struct store_job *j, char *err, size_t errlen)
{
	return wa_send_job(ud, j, err, errlen);
}

static int run_conv(void *ud, const struct store_job *j, char *err, size_t errlen)
{
	return wa_conv_job(ud, j, err, errlen);
}

int wa_jobs_register(struct app *app, struct scheduler *s)
{
	static const char *const conv_kinds[] = {"first_contact", "nudge_30m",	 "followup_24h", "followup_48h",
						 "reminder_22h",  "reminder_55m", "reminder_5m",  "notify_handover",
						 "notify_handover_email"};
	if (scheduler_register(s, "wa_send", run_send, app) != 0)
		return -1;
	for (size_t i = 0; i < sizeof conv_kinds / sizeof conv_kinds[0]; i++)
		if (scheduler_register(s, conv_kinds[i], run_conv, app) != 0)
			return -1;
	return 0;
}
