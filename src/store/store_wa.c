/*
 * store_wa.c — the public functions of the durable job queue, webhook intake, WhatsApp contacts, messages
 * and conversations, and funnel counts (migrations 008 and 009): argument checks, then the backend's ops
 * table, timed like every store call (store.c).
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- jobs, webhook intake, WhatsApp contacts and messages (migration 008) ------------------------------ */

void store_job_clear(struct store_job *j)
{
	free(j->kind);
	free(j->payload);
	free(j->status);
	free(j->last_error);
	free(j->claimed_by);
	free(j->dedupe_key);
	free(j->cancel_key);
	j->kind = j->payload = j->status = j->last_error = j->claimed_by = j->dedupe_key = j->cancel_key = NULL;
}

int store_job_add(struct store *st, const struct store_job_in *j)
{
	if (!j->id || !j->tenant_id || !j->kind)
		return STORE_ERROR;
	struct store_job_in v = *j;
	if (!v.payload)
		v.payload = "{}";
	if (v.max_attempts <= 0)
		v.max_attempts = STORE_JOB_MAX_ATTEMPTS;
	TIMED(st, "job_add", st->ops->job_add(st, &v));
}

int store_job_claim(struct store *st, int64_t now, int64_t lease_ms, const char *worker_id, struct store_job *out)
{
	TIMED(st, "job_claim", st->ops->job_claim(st, now, lease_ms, worker_id ? worker_id : "", out));
}

int store_job_finish(struct store *st, const char *id, int attempt, const char *status, const char *error,
		     int64_t next_run_at, int64_t now)
{
	if (!status || (strcmp(status, "done") && strcmp(status, "failed") && strcmp(status, "dead")))
		return STORE_ERROR;
	TIMED(st, "job_finish", st->ops->job_finish(st, id, attempt, status, error, next_run_at, now));
}

int store_job_cancel_key(struct store *st, const char *tenant_id, const char *cancel_key, int64_t now,
			 int *cancelled)
{
	*cancelled = 0;
	if (!cancel_key)
		return STORE_OK;
	TIMED(st, "job_cancel_key", st->ops->job_cancel_key(st, tenant_id, cancel_key, now, cancelled));
}

int store_job_get(struct store *st, const char *tenant_id, const char *id, struct store_job *out)
{
	TIMED(st, "job_get", st->ops->job_get(st, tenant_id, id, out));
}

int store_job_list_dead(struct store *st, const char *tenant_id, const char *after_id, int limit,
			struct store_job *rows, int *n)
{
	*n = 0;
	if (limit <= 0)
		return STORE_OK;
	TIMED(st, "job_list_dead", st->ops->job_list_dead(st, tenant_id, after_id, limit, rows, n));
}

int store_job_retry_dead(struct store *st, const char *tenant_id, const char *id, int64_t now)
{
	TIMED(st, "job_retry_dead", st->ops->job_retry_dead(st, tenant_id, id, now));
}

int store_job_next_run_at(struct store *st, int64_t *run_at)
{
	TIMED(st, "job_next_run_at", st->ops->job_next_run_at(st, run_at));
}

void store_webhook_clear(struct store_webhook *w)
{
	free(w->provider);
	free(w->kind);
	free(w->provider_id);
	free(w->dedupe_key);
	free(w->payload);
	w->provider = w->kind = w->provider_id = w->dedupe_key = w->payload = NULL;
}

int store_webhook_put(struct store *st, const struct store_webhook_in *ev, bool *duplicate)
{
	*duplicate = false;
	TIMED(st, "webhook_put", st->ops->webhook_put(st, ev, duplicate));
}

/* Times an asynchronous webhook_put like timed_done does for store_exchange_save_async. */
struct timed_put {
	struct store *st;
	store_webhook_put_fn done;
	void *ud;
	double t0;
};

static void timed_put_fn(void *p, int rc, bool duplicate)
{
	struct timed_put *t = p;
	t->st->opts.on_timing(t->st->opts.timing_ud, "webhook_put", store_now_s() - t->t0);
	t->done(t->ud, rc, duplicate);
	free(t);
}

void store_webhook_put_async(struct store *st, const struct store_webhook_in *ev, store_webhook_put_fn done,
			     void *ud)
{
	if (!st->ops->webhook_put_async) {
		bool duplicate = false;
		int rc = store_webhook_put(st, ev, &duplicate);
		done(ud, rc, rc == STORE_OK && duplicate);
		return;
	}
	struct timed_put *t = st->opts.on_timing ? malloc(sizeof *t) : NULL;
	if (t) {
		*t = (struct timed_put){st, done, ud, store_now_s()};
		done = timed_put_fn;
		ud = t;
	}
	st->ops->webhook_put_async(st, ev, done, ud);
}

int store_webhook_claim(struct store *st, int64_t now, int64_t lease_ms, struct store_webhook *out)
{
	TIMED(st, "webhook_claim", st->ops->webhook_claim(st, now, lease_ms, out));
}

int store_webhook_done(struct store *st, const char *id, int64_t now)
{
	TIMED(st, "webhook_done", st->ops->webhook_done(st, id, now));
}

void store_wa_contact_clear(struct store_wa_contact *c)
{
	free(c->wrapped_key);
	free(c->e164_sealed);
	free(c->first_name_sealed);
	free(c->timezone);
	free(c->language);
	free(c->consent_status);
	free(c->consent_source);
	free(c->consent_text_version);
	c->wrapped_key = c->e164_sealed = c->first_name_sealed = c->timezone = c->language = NULL;
	c->consent_status = c->consent_source = c->consent_text_version = NULL;
}

int store_wa_contact_upsert(struct store *st, const struct store_wa_contact_in *c, char contact_id[STORE_ID_MAX],
			    bool *created)
{
	*created = false;
	TIMED(st, "wa_contact_upsert", st->ops->wa_contact_upsert(st, c, contact_id, created));
}

int store_wa_contact_get_by_bidx(struct store *st, const char *tenant_id, const char *bot_id, const char *e164_bidx,
				 struct store_wa_contact *out)
{
	if (!bot_id || !e164_bidx)
		return STORE_NOTFOUND;
	TIMED(st, "wa_contact_get", st->ops->wa_contact_find(st, tenant_id, NULL, bot_id, e164_bidx, out));
}

int store_wa_contact_get(struct store *st, const char *tenant_id, const char *contact_id,
			 struct store_wa_contact *out)
{
	if (!contact_id)
		return STORE_NOTFOUND;
	TIMED(st, "wa_contact_get", st->ops->wa_contact_find(st, tenant_id, contact_id, NULL, NULL, out));
}

int store_wa_consent_set(struct store *st, const struct store_wa_consent *cs)
{
	if (!cs->status || (strcmp(cs->status, "granted") && strcmp(cs->status, "revoked") &&
			    strcmp(cs->status, "unknown")))
		return STORE_ERROR;
	TIMED(st, "wa_consent_set", st->ops->wa_consent_set(st, cs));
}

int store_wa_touch_inbound(struct store *st, const char *tenant_id, const char *contact_id, int64_t at)
{
	TIMED(st, "wa_touch_inbound", st->ops->wa_touch_inbound(st, tenant_id, contact_id, at));
}

void store_wa_message_clear(struct store_wa_message *m)
{
	free(m->direction);
	free(m->provider_message_id);
	free(m->kind);
	free(m->body_sealed);
	free(m->status);
	m->direction = m->provider_message_id = m->kind = m->body_sealed = m->status = NULL;
}

int store_wa_message_add(struct store *st, const struct store_wa_message_in *m)
{
	TIMED(st, "wa_message_add", st->ops->wa_message_add(st, m));
}

int store_wa_message_sent(struct store *st, const char *tenant_id, const char *id, const char *provider_message_id,
			  int64_t now)
{
	TIMED(st, "wa_message_sent", st->ops->wa_message_sent(st, tenant_id, id, provider_message_id, now));
}

const char *store_wa_status_from(const char *status)
{
	static const struct {
		const char *status, *from;
	} order[] = {
		{"sent", ",queued,"},
		{"delivered", ",queued,sent,"},
		{"read", ",queued,sent,delivered,"},
		{"failed", ",queued,sent,delivered,read,"},
		{"undelivered", ",queued,sent,delivered,read,"},
	};
	for (size_t i = 0; status && i < sizeof order / sizeof order[0]; i++)
		if (!strcmp(status, order[i].status))
			return order[i].from;
	return NULL;
}

int store_wa_message_status(struct store *st, const char *tenant_id, const char *bot_id,
			    const char *provider_message_id, const char *status, int error_code, int64_t now)
{
	if (!store_wa_status_from(status) || !provider_message_id)
		return STORE_ERROR;
	TIMED(st, "wa_message_status",
	      st->ops->wa_message_status(st, tenant_id, bot_id, provider_message_id, status, error_code, now));
}

int store_wa_message_get(struct store *st, const char *tenant_id, const char *id, struct store_wa_message *out)
{
	TIMED(st, "wa_message_get", st->ops->wa_message_get(st, tenant_id, id, out));
}

int store_wa_messages_list(struct store *st, const char *tenant_id, const char *contact_id, int limit,
			   struct store_wa_message **out, int *n)
{
	*out = NULL;
	*n = 0;
	if (!tenant_id || !contact_id || limit <= 0)
		return STORE_OK;
	TIMED(st, "wa_messages_list", st->ops->wa_messages_list(st, tenant_id, contact_id, limit, out, n));
}

/* ---- WhatsApp conversations and funnel counts (migration 009) ------------------------------------------ */

void store_wa_conv_clear(struct store_wa_conv *c)
{
	free(c->owner);
	free(c->state_sealed);
	free(c->handover_reason);
	c->owner = c->state_sealed = c->handover_reason = NULL;
}

int store_wa_conv_open(struct store *st, const char *tenant_id, const char *bot_id, const char *contact_id,
		       const char *new_id, int64_t now, struct store_wa_conv *out, bool *created)
{
	*created = false;
	if (!tenant_id || !bot_id || !contact_id || !new_id)
		return STORE_NOTFOUND;
	TIMED(st, "wa_conv_open", st->ops->wa_conv_open(st, tenant_id, bot_id, contact_id, new_id, now, out, created));
}

int store_wa_conv_get(struct store *st, const char *tenant_id, const char *conv_id, struct store_wa_conv *out)
{
	if (!tenant_id || !conv_id)
		return STORE_NOTFOUND;
	TIMED(st, "wa_conv_get", st->ops->wa_conv_get(st, tenant_id, conv_id, out));
}

int store_wa_conv_update(struct store *st, const struct store_wa_conv_update *u)
{
	if (!u->tenant_id || !u->id)
		return STORE_NOTFOUND;
	if ((u->owner && strcmp(u->owner, "bot") && strcmp(u->owner, "human")) || u->inbound < 0 || u->inbound > 1)
		return STORE_ERROR;
	TIMED(st, "wa_conv_update", st->ops->wa_conv_update(st, u));
}

int store_analytics_counts(struct store *st, const char *tenant_id, const char *bot_id, const char *prefix,
			   int64_t from, int64_t to, int (*emit)(void *ud, const char *event, int64_t count), void *ud)
{
	if (!tenant_id || !bot_id || !prefix)
		return STORE_NOTFOUND;
	TIMED(st, "analytics_counts", st->ops->analytics_counts(st, tenant_id, bot_id, prefix, from, to, emit, ud));
}
