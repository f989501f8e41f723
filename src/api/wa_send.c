/*
 * wa_send.c — policy-checked, paced WhatsApp sends through the Cloud API (wa_send.h describes the steps).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "api/api.h"
#include "api/bot_json.h"
#include "api/bot_secrets.h"
#include "api/wa_provider.h"
#include "api/wa_send.h"
#include "base/crypto.h"
#include "base/json.h"
#include "channels/pacing.h"
#include "channels/templates.h"
#include "jobs/scheduler.h"
#include "net/httpc.h"
#include "privacy/keys.h"
#include "privacy/seal.h"

#define PACERS_MAX 256           /* bots with a pacer at once; the least recently used one goes */
#define PACING_SLEEP_MAX_MS 1500 /* a pacing wait up to this is slept; a longer one becomes a job */

/* A bot's pacer, shared by the sends running for it. The slot holds one reference and every send that
 * uses it one more, so a pacer replaced (its bot's pacing changed) or evicted (least recently used) is
 * freed only when the last send is done with it. */
struct pacer {
	struct pacing *p;
	struct pacing_config cfg;
	int refs; /* under wa_sender.mu */
};

struct pacer_slot {
	char bot_id[STORE_ID_MAX];
	struct pacer *pc;
	int64_t used;
};

struct wa_sender {
	pthread_mutex_t mu;
	struct pacer_slot slots[PACERS_MAX];
	int64_t tick;
};

struct wa_sender *wa_sender_new(void)
{
	struct wa_sender *s = calloc(1, sizeof *s);
	if (s)
		pthread_mutex_init(&s->mu, NULL);
	return s;
}

/* Drops one reference; the caller holds s->mu. */
static void pacer_unref_locked(struct pacer *pc)
{
	if (pc && --pc->refs == 0) {
		pacing_free(pc->p);
		free(pc);
	}
}

void wa_sender_free(struct wa_sender *s)
{
	if (!s)
		return;
	for (int i = 0; i < PACERS_MAX; i++)
		pacer_unref_locked(s->slots[i].pc);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static bool same_pacing(const struct pacing_config *a, const struct pacing_config *b)
{
	return a->number_per_second == b->number_per_second && a->number_burst == b->number_burst &&
	       a->recipient_interval_ms == b->recipient_interval_ms && a->recipient_burst == b->recipient_burst &&
	       a->max_numbers == b->max_numbers && a->max_recipients == b->max_recipients &&
	       a->backoff_base_ms == b->backoff_base_ms && a->backoff_max_ms == b->backoff_max_ms;
}

/* The bot's pacer for channels.whatsapp.pacing, with a reference for the caller (pacer_release). A
 * changed pacing starts a new pacer at once (its counts start afresh). NULL when memory runs out. */
static struct pacer *pacer_get(struct wa_sender *s, const char *bot_id, const json_t *wa)
{
	struct pacing_config cfg;
	char err[160];
	pacing_config_defaults(&cfg);
	if (pacing_config_from_json(json_object_get(wa, "pacing"), &cfg, err, sizeof err) != 0)
		pacing_config_defaults(&cfg);
	pthread_mutex_lock(&s->mu);
	int at = -1, free_i = -1, lru = 0;
	struct pacer *pc = NULL;
	for (int i = 0; i < PACERS_MAX && at < 0; i++) {
		if (s->slots[i].pc && !strcmp(s->slots[i].bot_id, bot_id))
			at = i;
		else if (!s->slots[i].pc && free_i < 0)
			free_i = i;
		else if (s->slots[i].used < s->slots[lru].used)
			lru = i;
	}
	if (at >= 0 && same_pacing(&s->slots[at].pc->cfg, &cfg)) {
		pc = s->slots[at].pc;
	} else {
		int i = at >= 0 ? at : free_i >= 0 ? free_i : lru;
		struct pacer *n = calloc(1, sizeof *n);
		if (n && (n->p = pacing_new(&cfg))) {
			n->cfg = cfg;
			n->refs = 1; /* the slot's */
			pacer_unref_locked(s->slots[i].pc);
			snprintf(s->slots[i].bot_id, sizeof s->slots[i].bot_id, "%s", bot_id);
			s->slots[i].pc = pc = n;
			at = i;
		} else {
			free(n);
		}
	}
	if (pc) {
		pc->refs++;
		s->slots[at].used = ++s->tick;
	}
	pthread_mutex_unlock(&s->mu);
	return pc;
}

static void pacer_release(struct wa_sender *s, struct pacer *pc)
{
	if (!pc)
		return;
	pthread_mutex_lock(&s->mu);
	pacer_unref_locked(pc);
	pthread_mutex_unlock(&s->mu);
}

void wa_event(struct app *app, const struct store_bot *b, const char *name, const char *contact_id,
	      const char *conversation_id, json_t *extra)
{
	json_t *props = extra ? extra : json_object();
	char event[64], *text = NULL;
	snprintf(event, sizeof event, "wa.%s", name);
	if (props && contact_id)
		json_object_set_new(props, "contact_id", json_string(contact_id));
	if (props && conversation_id && conversation_id[0])
		json_object_set_new(props, "conversation_id", json_string(conversation_id));
	text = props ? json_dumps(props, JSON_COMPACT) : NULL;
	json_decref(props);
	if (!text || store_analytics_add(app->store, b->tenant_id, b->id, event, text, clock_now_ms(&app->clock)) !=
			     STORE_OK)
		log_msg(&app->log, LOG_WARN, "whatsapp", "bot %s: event %s not recorded", b->id, event);
	free(text);
}

static const char *purpose_name(enum policy_purpose p)
{
	return p == PURPOSE_REPLY ? "reply" : p == PURPOSE_SERVICE ? "service" : "marketing";
}

/* ---- holding a send as a job -------------------------------------------------------------------------- */

static json_t *interactive_to_json(const struct flow_message *m)
{
	json_t *opts = json_array();
	for (int i = 0; opts && i < m->nopts; i++) {
		json_t *o = json_pack("{s:s, s:s}", "id", m->opts[i].id, "title", m->opts[i].title);
		if (o && m->opts[i].description)
			json_object_set_new(o, "description", json_string(m->opts[i].description));
		json_array_append_new(opts, o);
	}
	json_t *j = json_pack("{s:s, s:o}", "kind", m->kind == FLOW_MSG_BUTTONS ? "buttons" : "list", "opts", opts);
	if (j && m->list_button)
		json_object_set_new(j, "list_button", json_string(m->list_button));
	return j;
}

static int hold(struct app *app, const struct store_bot *b, const struct wa_outgoing *o,
		const unsigned char key[SEAL_KEY_BYTES], int64_t at, struct wa_send_result *r)
{
	int64_t now = clock_now_ms(&app->clock);
	crypto_time_id("job", now, r->job_id, sizeof r->job_id);
	json_t *content = json_object();
	if (content && o->text)
		json_object_set_new(content, "text", json_string(o->text));
	if (content && o->variables)
		json_object_set(content, "variables", (json_t *)(uintptr_t)o->variables);
	if (content && o->interactive && o->interactive->kind != FLOW_MSG_TEXT)
		json_object_set_new(content, "interactive", interactive_to_json(o->interactive));
	char *plain = content ? json_dumps(content, JSON_COMPACT) : NULL, *sealed = NULL, field[STORE_ID_MAX + 8];
	json_decref(content);
	snprintf(field, sizeof field, "job:%s", r->job_id);
	int rc = -1;
	if (!plain || privacy_seal(key, b->tenant_id, o->contact_id, field, plain, &sealed) != 0) {
		snprintf(r->error, sizeof r->error, "out of memory");
		goto out;
	}
	json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s}", "contact_id", o->contact_id, "type",
			      o->type == SEND_TEMPLATE ? "template" : "session_text", "purpose", purpose_name(o->purpose),
			      "origin", o->origin ? o->origin : "api", "content", sealed);
	if (p && o->conversation_id)
		json_object_set_new(p, "conversation_id", json_string(o->conversation_id));
	if (p && o->template_name)
		json_object_set_new(p, "template", json_string(o->template_name));
	if (p && o->language)
		json_object_set_new(p, "language", json_string(o->language));
	char *payload = p ? json_dumps(p, JSON_COMPACT) : NULL;
	json_decref(p);
	if (!payload) {
		snprintf(r->error, sizeof r->error, "out of memory");
		goto out;
	}
	struct store_job_in j = {.id = r->job_id, .tenant_id = b->tenant_id, .bot_id = b->id, .kind = "wa_send",
				 .run_at = at, .payload = payload, .dedupe_key = o->dedupe_key,
				 .cancel_key = o->cancel_key, .max_attempts = (int)app->settings.jobs_max_attempts,
				 .now = now};
	int src = store_job_add(app->store, &j);
	free(payload);
	if (src == STORE_CONFLICT) { /* held once already: that job sends it */
		r->job_id[0] = '\0';
	} else if (src != STORE_OK) {
		snprintf(r->error, sizeof r->error, "the send could not be scheduled");
		goto out;
	}
	r->status = WA_SEND_SCHEDULED;
	r->send_at = at;
	scheduler_poke(app->sched);
	rc = 0;
out:
	if (plain) {
		sodium_memzero(plain, strlen(plain));
		free(plain);
	}
	free(sealed);
	return rc;
}

/* ---- one send ----------------------------------------------------------------------------------------- */

/* Stores an outbound message (sealed). Best effort. */
static void record(struct app *app, const struct store_bot *b, const struct wa_outgoing *o,
		   const unsigned char key[SEAL_KEY_BYTES], const char *body, const char *kind, const char *wamid,
		   const char *status, long code, struct wa_send_result *r)
{
	int64_t now = clock_now_ms(&app->clock);
	char field[STORE_ID_MAX + 8], *sealed = NULL;
	crypto_time_id("wam", now, r->message_id, sizeof r->message_id);
	snprintf(field, sizeof field, "msg:%s", r->message_id);
	if (privacy_seal(key, b->tenant_id, o->contact_id, field, body ? body : "", &sealed) != 0)
		return;
	struct store_wa_message_in m = {.id = r->message_id, .tenant_id = b->tenant_id, .bot_id = b->id,
					.contact_id = o->contact_id, .conversation_id = o->conversation_id,
					.direction = "out", .provider_message_id = wamid, .kind = kind,
					.body_sealed = sealed, .status = status, .now = now};
	if (store_wa_message_add(app->store, &m) != STORE_OK)
		log_msg(&app->log, LOG_WARN, "whatsapp", "bot %s: an outbound message (%s, %ld) was not stored", b->id,
			status, code);
	free(sealed);
}

static enum policy_consent consent_of(const char *s)
{
	return s && !strcmp(s, "granted") ? CONSENT_GRANTED : s && !strcmp(s, "revoked") ? CONSENT_REVOKED : CONSENT_UNKNOWN;
}

/* The variables as a C array (pointers into `v`); -1 when one is not a string or there are too many. */
static int vars_of(const json_t *v, const char **out, size_t max, size_t *n)
{
	*n = 0;
	if (!v)
		return 0;
	if (!json_is_array(v) || json_array_size(v) > max)
		return -1;
	for (size_t i = 0; i < json_array_size(v); i++) {
		out[i] = json_string_value(json_array_get(v, i));
		if (!out[i])
			return -1;
	}
	*n = json_array_size(v);
	return 0;
}

/* The variables of `tpl` from its params ("first_name|zusammen" per placeholder) and the contact fields
 * `vars`: a new array, or NULL when memory runs out. A field without a value and without a fallback gives
 * "-" (WhatsApp refuses empty parameters). */
static json_t *template_vars(const struct template *tpl, const json_t *vars)
{
	json_t *a = json_array();
	const char *p = tpl->vars;
	while (a && p && *p) {
		size_t len = strcspn(p, "\n"), n = strcspn(p, "|\n");
		char name[48], value[128] = "";
		snprintf(name, sizeof name, "%.*s", (int)(n < 47 ? n : 47), p);
		const json_t *v = json_object_get(vars, name);
		if (json_is_string(v) && json_string_length(v) > 0)
			snprintf(value, sizeof value, "%s", json_string_value(v));
		else if (json_is_integer(v))
			snprintf(value, sizeof value, "%lld", (long long)json_integer_value(v));
		else if (n < len)
			snprintf(value, sizeof value, "%.*s", (int)(len - n - 1), p + n + 1);
		else
			snprintf(value, sizeof value, "-");
		json_array_append_new(a, json_string(value));
		p += len + (p[len] == '\n');
	}
	return a;
}

int wa_send(struct app *app, const struct store_bot *b, const json_t *config, const struct wa_outgoing *o,
	    struct wa_send_result *r)
{
	memset(r, 0, sizeof *r);
	const json_t *wa = json_object_get(json_object_get(config, "channels"), "whatsapp");
	struct store_wa_contact c = {0};
	struct templates *reg = NULL;
	unsigned char key[SEAL_KEY_BYTES];
	char *e164 = NULL, *body = NULL;
	json_t *own_vars = NULL;
	struct pacer *pacer = NULL;
	int rc = -1;
	bool have_key = false;
	if (store_wa_contact_get(app->store, b->tenant_id, o->contact_id, &c) != STORE_OK ||
	    strcmp(c.bot_id, b->id) != 0) {
		snprintf(r->error, sizeof r->error, "no such WhatsApp contact of this bot");
		goto out;
	}
	if (keyring_contact_key(app->keyring, app->store, b->tenant_id, c.id, c.wrapped_key, key) != STORE_OK ||
	    privacy_open(key, b->tenant_id, c.id, "whatsapp_e164", c.e164_sealed, &e164) != 0) {
		snprintf(r->error, sizeof r->error, "the contact's number cannot be opened");
		goto out;
	}
	have_key = true;
	char terr[200];
	reg = templates_parse(json_object_get(wa, "templates"), terr, sizeof terr);
	struct policy_bot pb;
	policy_bot_defaults(&pb);
	if (policy_bot_from_config(wa, &pb, terr, sizeof terr) != 0)
		policy_bot_defaults(&pb);
	if (o->due)
		pb.reply_delay_s = 0;
	const char *lang = o->language ? o->language : json_str(config, "language", "de");
	const struct template *tpl = o->template_name && reg ? templates_find(reg, o->template_name, lang) : NULL;
	struct wa_outgoing with_vars = *o; /* the variables filled from the template's params */
	if (tpl && !o->variables && tpl->params > 0 && tpl->vars) {
		own_vars = template_vars(tpl, o->vars);
		with_vars.variables = own_vars;
		o = &with_vars;
	}
	struct policy_contact pc = {.last_inbound_ms = c.last_inbound_at, .consent = consent_of(c.consent_status),
				    .consent_at_ms = c.consent_at, .timezone = c.timezone};
	if (o->opt_out_confirmation && o->purpose == PURPOSE_REPLY && pc.consent == CONSENT_REVOKED)
		pc.consent = CONSENT_UNKNOWN;
	int64_t now = clock_now_ms(&app->clock);
	struct policy_send ps = {.type = o->type, .purpose = o->purpose, .template_approved = tpl && tpl->approved,
				 .requested_at_ms = o->send_at};
	struct policy_decision d;
	policy_decide(&pc, &pb, &ps, now, &d);
	bool as_template = o->type == SEND_TEMPLATE;
	if (d.action == POLICY_BLOCK && o->type == SEND_SESSION_TEXT && d.switch_to_template_possible && tpl &&
	    tpl->approved) {
		ps.type = SEND_TEMPLATE;
		ps.template_approved = true;
		policy_decide(&pc, &pb, &ps, now, &d);
		as_template = true;
		r->via_template = true;
	}
	if (as_template && !tpl && d.action != POLICY_BLOCK) {
		d.action = POLICY_BLOCK;
		d.reason = "template_not_found";
	}
	if (d.action == POLICY_BLOCK) {
		r->status = WA_SEND_BLOCKED;
		snprintf(r->reason, sizeof r->reason, "%s", d.reason);
		wa_event(app, b, "policy_blocked_send", c.id, o->conversation_id,
			 json_pack("{s:s, s:s, s:s, s:s}", "reason", d.reason, "type",
				   o->type == SEND_TEMPLATE ? "template" : "session_text", "purpose", purpose_name(o->purpose),
				   "origin", o->origin ? o->origin : "api"));
		rc = 0;
		goto out;
	}
	if (d.action == POLICY_SEND_AT && d.send_at_ms > now) {
		snprintf(r->reason, sizeof r->reason, "%s", d.reason);
		rc = hold(app, b, o, key, d.send_at_ms, r);
		goto out;
	}
	/* pacing: a short wait is slept, a longer one held */
	const char *number = wa_provider_number(config);
	pacer = pacer_get(app->wa_sender, b->id, wa);
	int64_t wait = 0;
	while (pacer && number[0] && pacing_acquire(pacer->p, number, c.id, clock_now_ms(&app->clock), &wait) == 0) {
		if (wait > PACING_SLEEP_MAX_MS) {
			snprintf(r->reason, sizeof r->reason, "pacing");
			rc = hold(app, b, o, key, clock_now_ms(&app->clock) + wait, r);
			goto out;
		}
		struct timespec ts = {.tv_sec = wait / 1000, .tv_nsec = (long)(wait % 1000) * 1000000L};
		nanosleep(&ts, NULL);
	}
	const char *vars[TEMPLATE_PARAMS_MAX];
	size_t nvars = 0;
	if (as_template) {
		char rerr[160];
		if (vars_of(o->variables, vars, TEMPLATE_PARAMS_MAX, &nvars) != 0 ||
		    templates_render(tpl, vars, nvars, &body, rerr, sizeof rerr) != 0) {
			r->status = WA_SEND_FAILED;
			snprintf(r->reason, sizeof r->reason, "template_variables");
			if (snprintf(r->error, sizeof r->error, "%.120s%s", rerr,
				     o->variables ? "" : " (give the template params to fill it)") < 0)
				r->error[0] = '\0';
			log_msg(&app->log, LOG_WARN, "whatsapp", "bot %s: template %s not sent: %s", b->id, tpl->name, r->error);
			wa_event(app, b, "send_failed", c.id, o->conversation_id,
				 json_pack("{s:s, s:s, s:s}", "reason", r->reason, "template", tpl->name, "origin",
					   o->origin ? o->origin : "api"));
			rc = 0;
			goto out;
		}
	}
	struct wa_provider_msg pm = {.to = e164, .text = o->text, .interactive = o->interactive,
				     .tpl = as_template ? tpl : NULL, .vars = vars, .nvars = nvars};
	struct wa_provider_result pr;
	int g = wa_provider_send(app, b, config, &pm, &pr);
	const char *wamid = pr.id;
	long code = pr.code, http = pr.http;
	snprintf(r->error, sizeof r->error, "%s", pr.error);
	const char *kind = as_template ? "template" : o->interactive && o->interactive->nopts > 0 ? "interactive" : "text";
	const char *shown = as_template ? body : o->text;
	if (g == 0) {
		record(app, b, o, key, shown, kind, wamid, "sent", 0, r);
		if (o->origin && !strcmp(o->origin, "first_contact"))
			wa_event(app, b, "first_contact_sent", c.id, o->conversation_id, NULL);
		r->status = WA_SEND_SENT;
		r->send_at = clock_now_ms(&app->clock);
		rc = 0;
		goto out;
	}
	if (g < 0) {
		r->status = WA_SEND_FAILED;
		snprintf(r->reason, sizeof r->reason, "not_configured");
		rc = 0;
		goto out;
	}
	r->provider_code = code;
	const char *name = "provider_error";
	enum policy_error_action act = code ? policy_provider_error(code, &name) : POLICY_ERR_RETRY;
	if (!code && http >= 400 && http < 500 && http != 429 && http != 408)
		act = POLICY_ERR_DO_NOT_RETRY, name = "rejected";
	snprintf(r->reason, sizeof r->reason, "%s", code ? name : http ? "provider_http_error" : "provider_unreachable");
	switch (act) {
	case POLICY_ERR_RETRY:
		r->status = WA_SEND_RETRY;
		break;
	case POLICY_ERR_BACKOFF_NUMBER:
	case POLICY_ERR_BACKOFF_RECIPIENT:
		r->status = WA_SEND_RETRY;
		if (pacer)
			r->retry_after_ms = pacing_backoff(pacer->p, number, act == POLICY_ERR_BACKOFF_RECIPIENT ? c.id : NULL,
							   clock_now_ms(&app->clock), 1, randombytes_random());
		break;
	case POLICY_ERR_SWITCH_TO_TEMPLATE:
		if (!as_template && tpl && tpl->approved && pc.consent == CONSENT_GRANTED) {
			/* the provider saw the window closed: send the fallback template instead */
			struct wa_outgoing t = *o;
			t.type = SEND_TEMPLATE;
			t.send_at = 0;
			t.due = true;
			rc = wa_send(app, b, config, &t, r);
			r->via_template = true;
			goto out;
		}
		/* no template to switch to: fail visibly */
		/* fall through */
	default:
		r->status = WA_SEND_FAILED;
		record(app, b, o, key, shown, kind, NULL, "failed", code ? code : http, r);
		wa_event(app, b, "send_failed", c.id, o->conversation_id,
			 json_pack("{s:s, s:I, s:s}", "reason", r->reason, "code", (json_int_t)code, "origin",
				   o->origin ? o->origin : "api"));
		break;
	}
	rc = 0;
out:
	if (have_key)
		sodium_memzero(key, sizeof key);
	if (e164) {
		sodium_memzero(e164, strlen(e164));
		free(e164);
	}
	free(body);
	json_decref(own_vars);
	templates_free(reg);
	pacer_release(app->wa_sender, pacer);
	store_wa_contact_clear(&c);
	return rc;
}

/* ---- the job ------------------------------------------------------------------------------------------ */

static enum policy_purpose purpose_from(const char *s)
{
	return !strcmp(s, "reply") ? PURPOSE_REPLY : !strcmp(s, "service") ? PURPOSE_SERVICE : PURPOSE_MARKETING;
}

int wa_send_job(struct app *app, const struct store_job *j, char *err, size_t errlen)
{
	json_t *p = json_loads(j->payload, 0, NULL), *content = NULL, *config = NULL;
	struct store_bot b = {0};
	bool have_bot = false;
	int rc = SCHEDULER_GIVE_UP;
	const char *contact = json_str(p, "contact_id", NULL), *sealed = json_str(p, "content", NULL);
	if (!contact || !sealed) {
		snprintf(err, errlen, "a wa_send job without contact or content");
		goto out;
	}
	if (store_bot_get(app->store, j->tenant_id, j->bot_id, &b) != STORE_OK) {
		snprintf(err, errlen, "the bot is gone");
		goto out;
	}
	have_bot = true;
	config = bot_config_parse(&b);
	struct store_wa_contact c = {0};
	unsigned char key[SEAL_KEY_BYTES];
	char *plain = NULL, field[STORE_ID_MAX + 8];
	snprintf(field, sizeof field, "job:%s", j->id);
	if (store_wa_contact_get(app->store, j->tenant_id, contact, &c) != STORE_OK) {
		snprintf(err, errlen, "the contact is gone");
		store_wa_contact_clear(&c);
		goto out;
	}
	int k = keyring_contact_key(app->keyring, app->store, j->tenant_id, c.id, c.wrapped_key, key);
	store_wa_contact_clear(&c);
	if (k != STORE_OK || privacy_open(key, j->tenant_id, contact, field, sealed, &plain) != 0) {
		sodium_memzero(key, sizeof key);
		snprintf(err, errlen, "the message cannot be opened");
		rc = -1;
		goto out;
	}
	sodium_memzero(key, sizeof key);
	content = json_loads(plain, 0, NULL);
	sodium_memzero(plain, strlen(plain));
	free(plain);
	struct flow_message im = {0};
	const json_t *ij = json_object_get(content, "interactive");
	if (ij) {
		im.kind = !strcmp(json_str(ij, "kind", ""), "buttons") ? FLOW_MSG_BUTTONS : FLOW_MSG_LIST;
		im.list_button = json_str(ij, "list_button", NULL);
		const json_t *opts = json_object_get(ij, "opts");
		for (size_t i = 0; i < json_array_size(opts) && im.nopts < FLOW_CHOICES_MAX; i++) {
			const json_t *o = json_array_get(opts, i);
			im.opts[im.nopts++] = (struct flow_option){json_str(o, "id", ""), json_str(o, "title", ""),
								   json_str(o, "description", NULL)};
		}
	}
	struct wa_outgoing o = {.contact_id = contact, .conversation_id = json_str(p, "conversation_id", NULL),
				.type = !strcmp(json_str(p, "type", ""), "template") ? SEND_TEMPLATE : SEND_SESSION_TEXT,
				.purpose = purpose_from(json_str(p, "purpose", "")), .text = json_str(content, "text", NULL),
				.interactive = ij ? &im : NULL, .template_name = json_str(p, "template", NULL),
				.language = json_str(p, "language", NULL), .variables = json_object_get(content, "variables"),
				.due = true, .origin = json_str(p, "origin", "api")};
	struct wa_send_result r;
	if (wa_send(app, &b, config, &o, &r) != 0) {
		snprintf(err, errlen, "%s", r.error);
		rc = -1;
		goto out;
	}
	switch (r.status) {
	case WA_SEND_SENT:
	case WA_SEND_SCHEDULED: /* held again (pacing, quiet hours): the new job sends it */
		rc = SCHEDULER_DONE;
		break;
	case WA_SEND_RETRY:
		snprintf(err, errlen, "%s: %s", r.reason, r.error);
		rc = -1;
		break;
	default:
		snprintf(err, errlen, "%s%s%s", r.reason, r.error[0] ? ": " : "", r.error);
		rc = SCHEDULER_GIVE_UP;
		break;
	}
out:
	json_decref(content);
	json_decref(config);
	json_decref(p);
	if (have_bot)
		store_bot_clear(&b);
	return rc;
}
