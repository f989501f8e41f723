/*
 * wa_process.c — the WhatsApp events the intake stored (api_hooks.c), processed in the background: one
 * thread claims each stored event exactly once (store_webhook_claim; a lease hands it to another worker
 * when this one dies) and
 *   - a status callback moves the message's status forward (sent → delivered → read, or failed with the
 *     provider's error code);
 *   - a message finds or creates the sender's contact (by the blind index of the number; number and name
 *     sealed with the contact's key), records that the contact wrote (the 24-hour window), stores the
 *     message (unique per provider id: a duplicate that got past the intake is dropped here), and then:
 *     "STOP" / "Stopp" / "Abmelden" revokes consent, is confirmed once, and cancels what was scheduled for
 *     the contact; anything else goes to the conversation engine (wa_conv.h: flows, free questions,
 *     handover), whose answers go out through wa_send (policy, pacing, retries as jobs).
 * A message is answered at most once: a re-delivery (or a second process) finds it stored and stops. The
 * price is that a crash between storing a message and answering it leaves that message unanswered.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "api/api.h"
#include "api/bot_json.h"
#include "api/bot_secrets.h"
#include "api/wa_conv.h"
#include "api/wa_send.h"
#include "base/crypto.h"
#include "privacy/keys.h"
#include "privacy/seal.h"

#define LEASE_MS 60000

struct wa_processor {
	struct app *app;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool poked, stopping;
};

static bool is_stop_word(const char *text)
{
	static const char *const words[] = {"stop", "stopp", "abmelden", "unsubscribe", "stop!", "stopp!", NULL};
	char t[32];
	size_t n = 0;
	while (*text == ' ' || *text == '\n' || *text == '\t')
		text++;
	for (; text[n] && n < sizeof t - 1; n++)
		t[n] = text[n];
	while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\n' || t[n - 1] == '.' || t[n - 1] == '\t'))
		n--;
	t[n] = '\0';
	for (int i = 0; words[i]; i++)
		if (!strcasecmp(t, words[i]))
			return true;
	return false;
}

int wa_contact_for(struct app *app, const struct store_bot *b, const char *e164, const char *name,
		   const char *timezone, const char *language, bool update, char contact_id[STORE_ID_MAX],
		   unsigned char key[SEAL_KEY_BYTES], struct store_wa_contact *c, bool *created_out)
{
	if (created_out)
		*created_out = false;
	char norm[SEAL_PHONE_MAX], bidx[SEAL_INDEX_HEX];
	unsigned char ikey[SEAL_KEY_BYTES];
	if (seal_normalize_phone(e164, norm, sizeof norm) != 0)
		return STORE_ERROR;
	int rc = keyring_index_key(app->keyring, app->store, b->tenant_id, ikey);
	if (rc != STORE_OK)
		return rc;
	seal_blind_index(ikey, SEAL_KIND_PHONE, norm, bidx);
	sodium_memzero(ikey, sizeof ikey);
	rc = store_wa_contact_get_by_bidx(app->store, b->tenant_id, b->id, bidx, c);
	if (rc == STORE_OK) {
		snprintf(contact_id, STORE_ID_MAX, "%s", c->id);
		rc = keyring_contact_key(app->keyring, app->store, b->tenant_id, c->id, c->wrapped_key, key);
		if (rc != STORE_OK || !update || (!name[0] && !timezone && !language))
			return rc;
		char *sealed = NULL;
		bool again = false;
		if (name[0] && privacy_seal(key, b->tenant_id, c->id, "first_name", name, &sealed) != 0)
			return STORE_NOMEM;
		struct store_wa_contact_in in = {.tenant_id = b->tenant_id, .bot_id = b->id, .id = c->id,
						 .wrapped_key = c->wrapped_key, .e164_bidx = bidx, .e164_sealed = c->e164_sealed,
						 .first_name_sealed = sealed, .timezone = timezone, .language = language,
						 .now = clock_now_ms(&app->clock)};
		rc = store_wa_contact_upsert(app->store, &in, contact_id, &again);
		free(sealed);
		return rc;
	}
	if (rc != STORE_NOTFOUND)
		return rc;
	char id[STORE_ID_MAX], *wrapped = NULL, *sealed_no = NULL, *sealed_name = NULL;
	int64_t now = clock_now_ms(&app->clock);
	crypto_time_id("ct", now, id, sizeof id);
	rc = keyring_new_contact(app->keyring, app->store, b->tenant_id, id, key, &wrapped);
	if (rc == STORE_OK && (privacy_seal(key, b->tenant_id, id, "whatsapp_e164", norm, &sealed_no) != 0 ||
			       (name[0] && privacy_seal(key, b->tenant_id, id, "first_name", name, &sealed_name) != 0)))
		rc = STORE_NOMEM;
	bool created = false;
	if (rc == STORE_OK) {
		struct store_wa_contact_in in = {.tenant_id = b->tenant_id, .bot_id = b->id, .id = id, .wrapped_key = wrapped,
						 .e164_bidx = bidx, .e164_sealed = sealed_no, .first_name_sealed = sealed_name,
						 .timezone = timezone, .language = language, .now = now};
		rc = store_wa_contact_upsert(app->store, &in, contact_id, &created);
		if (rc == STORE_OK && created_out)
			*created_out = created;
	}
	if (rc == STORE_OK && !created) { /* another worker made it a moment ago: use its key */
		rc = store_wa_contact_get(app->store, b->tenant_id, contact_id, c);
		if (rc == STORE_OK)
			rc = keyring_contact_key(app->keyring, app->store, b->tenant_id, c->id, c->wrapped_key, key);
	}
	free(wrapped);
	free(sealed_no);
	free(sealed_name);
	return rc;
}

/* One message event: 0 done (also when there was nothing to do), -1 try again later. */
static int on_message(struct app *app, const struct store_bot *b, json_t *config, const json_t *ev)
{
	const char *from = json_str(ev, "from", ""), *wamid = json_str(ev, "provider_id", "");
	const char *text = json_str(ev, "text", NULL);
	if (!text || !text[0])
		text = json_str(ev, "reply_title", "");
	char contact_id[STORE_ID_MAX];
	unsigned char key[SEAL_KEY_BYTES];
	struct store_wa_contact c = {0};
	int rc = wa_contact_for(app, b, from, json_str(ev, "profile_name", ""), NULL, NULL, false, contact_id, key, &c,
				NULL);
	if (rc != STORE_OK) {
		store_wa_contact_clear(&c);
		return rc == STORE_ERROR ? 0 : -1; /* a number that is not one: nothing to answer */
	}
	int64_t now = clock_now_ms(&app->clock), at = (int64_t)json_integer_value(json_object_get(ev, "timestamp")) * 1000;
	store_wa_touch_inbound(app->store, b->tenant_id, contact_id, at > 0 && at <= now ? at : now);
	char id[STORE_ID_MAX], field[STORE_ID_MAX + 8], *sealed = NULL;
	crypto_time_id("wam", now, id, sizeof id);
	snprintf(field, sizeof field, "msg:%s", id);
	int result = -1;
	if (privacy_seal(key, b->tenant_id, contact_id, field, text, &sealed) != 0)
		goto out;
	struct store_wa_message_in in = {.id = id, .tenant_id = b->tenant_id, .bot_id = b->id, .contact_id = contact_id,
					 .direction = "in", .provider_message_id = wamid, .kind = "text",
					 .body_sealed = sealed, .status = "received", .now = now};
	rc = store_wa_message_add(app->store, &in);
	free(sealed);
	sealed = NULL;
	if (rc == STORE_CONFLICT) { /* this message was handled before */
		result = 0;
		goto out;
	}
	if (rc != STORE_OK)
		goto out;
	if (is_stop_word(text)) {
		bool was = c.consent_status && !strcmp(c.consent_status, "revoked");
		struct store_wa_consent cs = {.tenant_id = b->tenant_id, .contact_id = contact_id, .status = "revoked",
					      .source = "keyword_stop", .at = now};
		store_wa_consent_set(app->store, &cs);
		if (!was) { /* confirmed once */
			wa_event(app, b, "opted_out", contact_id, NULL, NULL);
			struct wa_outgoing o = {
				.contact_id = contact_id, .type = SEND_SESSION_TEXT, .purpose = PURPOSE_REPLY, .origin = "stop",
				.opt_out_confirmation = true,
				.text = !strcmp(json_str(config, "language", "de"), "en")
						? "You will not receive any more messages from us. Write to us any time if you "
						  "change your mind."
						: "Sie erhalten keine Nachrichten mehr von uns. Schreiben Sie uns gern jederzeit, "
						  "wenn Sie es sich anders überlegen."};
			struct wa_send_result r;
			wa_send(app, b, config, &o, &r);
		}
		/* nothing scheduled for the contact goes out any more (policy blocks it; cancel what waits) */
		struct store_wa_conv cv = {0};
		char cid[STORE_ID_MAX], cancel[STORE_ID_MAX + 8];
		bool created;
		int n = 0;
		crypto_time_id("conv", now, cid, sizeof cid);
		if (store_wa_conv_open(app->store, b->tenant_id, b->id, contact_id, cid, now, &cv, &created) == STORE_OK) {
			snprintf(cancel, sizeof cancel, "conv:%s", cv.id);
			store_job_cancel_key(app->store, b->tenant_id, cancel, now, &n);
		}
		store_wa_conv_clear(&cv);
	} else if (wa_conv_inbound(app, b, config, contact_id, text, json_str(ev, "reply_id", NULL),
				   at > 0 && at <= now ? at : now) != 0) {
		log_msg(&app->log, LOG_WARN, "whatsapp", "bot %s: a message could not be processed", b->id);
	}
	result = 0;
out:
	free(sealed);
	sodium_memzero(key, sizeof key);
	store_wa_contact_clear(&c);
	return result;
}

/* One stored event: 0 when it is done with, -1 to leave it for a later try. */
static int process(struct app *app, const struct store_webhook *w)
{
	struct store_bot b;
	if (store_bot_get(app->store, w->tenant_id, w->bot_id, &b) != STORE_OK)
		return 0; /* the bot is gone */
	json_t *config = bot_config_parse(&b);
	unsigned char tkey[SEAL_KEY_BYTES];
	char ad[512], *plain = NULL;
	size_t len = 0;
	json_t *ev = NULL;
	int rc = 0;
	snprintf(ad, sizeof ad, "webhook:%s|%.300s", w->bot_id, w->dedupe_key);
	if (config && w->payload && keyring_tenant_key(app->keyring, app->store, w->tenant_id, tkey) == STORE_OK &&
	    seal_decrypt(tkey, ad, w->payload, &plain, &len) == 0)
		ev = json_loadb(plain, len, 0, NULL);
	sodium_memzero(tkey, sizeof tkey);
	if (plain) {
		sodium_memzero(plain, len);
		free(plain);
	}
	if (json_is_object(ev)) {
		if (!strcmp(w->kind, "status"))
			store_wa_message_status(app->store, w->tenant_id, w->bot_id, json_str(ev, "provider_id", ""),
						json_str(ev, "status", ""), (int)json_integer_value(json_object_get(ev, "error_code")),
						clock_now_ms(&app->clock));
		else
			rc = on_message(app, &b, config, ev);
	}
	json_decref(ev);
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

static void *run(void *arg)
{
	struct wa_processor *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		bool stopping = p->stopping;
		pthread_mutex_unlock(&p->mu);
		if (stopping)
			return NULL;
		struct store_webhook w;
		int64_t now = clock_now_ms(&p->app->clock);
		if (store_webhook_claim(p->app->store, now, LEASE_MS, &w) == STORE_OK) {
			if (process(p->app, &w) == 0)
				store_webhook_done(p->app->store, w.id, clock_now_ms(&p->app->clock));
			store_webhook_clear(&w);
			continue;
		}
		pthread_mutex_lock(&p->mu);
		if (!p->poked && !p->stopping) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&p->cv, &p->mu, &ts);
		}
		p->poked = false;
		pthread_mutex_unlock(&p->mu);
	}
}

struct wa_processor *wa_processor_start(struct app *app, char *err, size_t errlen)
{
	struct wa_processor *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->app = app;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (pthread_create(&p->thread, NULL, run, p) != 0) {
		snprintf(err, errlen, "cannot start the WhatsApp thread");
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
		free(p);
		return NULL;
	}
	return p;
}

void wa_processor_poke(struct wa_processor *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->poked = true;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void wa_processor_stop(struct wa_processor *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = true;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
