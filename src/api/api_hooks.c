/*
 * api_hooks.c — inbound WhatsApp webhooks: the Cloud API's (GET handshake, POST signed with
 * X-Hub-Signature-256 over the raw body with the bot's app secret) and Twilio's (POST form-encoded, signed
 * with X-Twilio-Signature over BOTWERK_PUBLIC_URL + path + sorted parameters with the bot's auth token).
 *
 * Intake only verifies, parses and stores: each event (message or status) goes into webhook_events under a
 * dedupe key unique per bot — "meta:message:<wamid>", "meta:status:<wamid>:<status>", the same for
 * Twilio — through the store's group commit, and the 200 is sent once every event of the request is
 * durable. A provider's retry, or the same event delivered twice at once, is stored once. The message
 * text is personal data: the payload is sealed with the tenant's key before it is stored. Processing
 * (answering, status updates) claims the stored events later and never holds up the acknowledgement.
 * A bad signature → 401 and nothing is stored; a bot without that channel → 404.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/api.h"
#include "api/bot_secrets.h"
#include "api/config_cache.h"
#include "channels/inbound.h"
#include "channels/signature.h"
#include "privacy/keys.h"
#include "privacy/seal.h"

#define HOOK_BODY_CAP (1024u * 1024)
#define SECRET_MAX 1100

/* One POST's events in flight to the store. */
struct intake {
	struct req *r;
	pthread_mutex_t mu;
	int pending;  /* puts not answered yet, plus one for the handler while it submits */
	int failed;   /* puts that failed */
	int stored, duplicates;
	bool twiml;   /* Twilio wants TwiML back */
};

static void intake_free(struct intake *in)
{
	pthread_mutex_destroy(&in->mu);
	free(in);
}

static int intake_reply(struct req *r, void *arg)
{
	struct intake *in = arg;
	int rc;
	if (in->stored > 0)
		wa_processor_poke(app_of(r)->wa); /* the new events are processed now, after the answer */
	if (in->failed)
		rc = resp_errorf(r, ERR_UNAVAILABLE, NULL, "the event could not be stored; please retry");
	else if (in->twiml)
		rc = resp_bytes(r, 200, "text/xml", "<Response/>", 11); /* no reply here: it is sent by the processor */
	else
		rc = resp_json(r, 200, json_pack("{s:i, s:i}", "stored", in->stored, "duplicates", in->duplicates));
	intake_free(in);
	return rc;
}

/* One hold less; the last one resumes the request (which frees `in`: not touched after). */
static void intake_release(struct intake *in)
{
	pthread_mutex_lock(&in->mu);
	bool last = --in->pending == 0;
	pthread_mutex_unlock(&in->mu);
	if (last)
		req_resume(in->r);
}

static void put_done(void *ud, int rc, bool duplicate)
{
	struct intake *in = ud;
	pthread_mutex_lock(&in->mu);
	if (rc != STORE_OK)
		in->failed++;
	else if (duplicate)
		in->duplicates++;
	else
		in->stored++;
	pthread_mutex_unlock(&in->mu);
	intake_release(in);
}

/* The event as stored: the parsed fields, sealed with the tenant key (bound to bot and dedupe key). */
static char *seal_event(const unsigned char key[SEAL_KEY_BYTES], const char *bot_id, const char *dedupe,
			const struct wa_event *ev)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:i, s:s}", "kind",
			      ev->kind == WA_EVENT_MESSAGE ? "message" : "status", "provider_id", ev->provider_id, "from",
			      ev->from_e164, "profile_name", ev->profile_name, "timestamp", (json_int_t)ev->timestamp,
			      "reply_id", ev->reply_id, "reply_title", ev->reply_title, "status", wa_status_name(ev->status),
			      "error_code", ev->error_code, "phone_number_id", ev->phone_number_id);
	if (o && ev->text)
		json_object_set_new(o, "text", json_string(ev->text));
	if (o && ev->unsupported_type[0])
		json_object_set_new(o, "unsupported_type", json_string(ev->unsupported_type));
	char *plain = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	char ad[512], *sealed = NULL;
	snprintf(ad, sizeof ad, "webhook:%s|%.300s", bot_id, dedupe);
	if (plain) {
		if (seal_encrypt(key, ad, plain, strlen(plain), &sealed) != 0)
			sealed = NULL;
		sodium_memzero(plain, strlen(plain));
		free(plain);
	}
	return sealed;
}

/* Submits every event; answers (later) with 200 once all are durable. */
static int intake(struct req *r, const struct store_bot *b, const char *provider, const struct wa_event *evs,
		  size_t n, bool twiml)
{
	struct app *app = app_of(r);
	unsigned char key[SEAL_KEY_BYTES];
	int krc = keyring_tenant_key(app->keyring, app->store, b->tenant_id, key);
	if (krc != STORE_OK)
		return api_store_error(r, krc, ERR_BOT_NOT_FOUND, "bot");
	struct intake *in = calloc(1, sizeof *in);
	if (!in) {
		sodium_memzero(key, sizeof key);
		return resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
	}
	pthread_mutex_init(&in->mu, NULL);
	in->r = r;
	in->twiml = twiml;
	in->pending = 1; /* ours, until every put is submitted */
	req_suspend(r, intake_reply, in);
	int64_t now = clock_now_ms(&app->clock);
	for (size_t i = 0; i < n; i++) {
		const struct wa_event *ev = &evs[i];
		char id[STORE_ID_MAX], dedupe[WA_ID_MAX + 64];
		const char *kind = ev->kind == WA_EVENT_MESSAGE ? "message" : "status";
		if (ev->kind == WA_EVENT_MESSAGE)
			snprintf(dedupe, sizeof dedupe, "%s:message:%s", provider, ev->provider_id);
		else
			snprintf(dedupe, sizeof dedupe, "%s:status:%s:%s", provider, ev->provider_id, wa_status_name(ev->status));
		crypto_time_id("whe", now, id, sizeof id);
		char *payload = seal_event(key, b->id, dedupe, ev);
		if (!payload) {
			pthread_mutex_lock(&in->mu);
			in->failed++;
			pthread_mutex_unlock(&in->mu);
			continue;
		}
		struct store_webhook_in w = {.id = id, .tenant_id = b->tenant_id, .bot_id = b->id, .provider = provider,
					     .kind = kind, .provider_id = ev->provider_id, .dedupe_key = dedupe,
					     .payload = payload, .received_at = now};
		pthread_mutex_lock(&in->mu);
		in->pending++;
		pthread_mutex_unlock(&in->mu);
		store_webhook_put_async(app->store, &w, put_done, in); /* copies w */
		free(payload);
	}
	sodium_memzero(key, sizeof key);
	intake_release(in); /* every put is out: the last answer resumes the request */
	return 0;
}

/* The bot and its channel config; 404 when the bot or the channel is not there. */
static int hook_bot(struct req *r, const char *channel, struct store_bot *b, json_t **config, json_t **ch)
{
	struct app *app = app_of(r);
	int rc = store_bot_get_public(app->store, req_param(r, 0), b);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_BOT_NOT_FOUND, "bot");
	*config = config_cache_get(app->config_cache, b);
	*ch = json_object_get(json_object_get(*config, "channels"), channel);
	if (!json_is_object(*ch)) {
		json_decref(*config);
		store_bot_clear(b);
		return resp_errorf(r, ERR_NOT_FOUND, NULL, "this bot has no %s channel", channel);
	}
	return 0;
}

/* GET /hooks/whatsapp/{bot_id}?hub.mode=subscribe&hub.verify_token=…&hub.challenge=… */
static int whatsapp_verify(struct req *r)
{
	struct store_bot b;
	json_t *config, *wa;
	if (hook_bot(r, "whatsapp", &b, &config, &wa) != 0)
		return -1;
	char token[SECRET_MAX];
	int rc;
	const char *challenge = req_query(r, "hub.challenge");
	if (api_bot_secret(app_of(r), &b, config, "channels.whatsapp.verify_token", token, sizeof token) != 0 || !token[0] ||
	    !sig_meta_handshake(req_query(r, "hub.mode"), req_query(r, "hub.verify_token"), token) || !challenge ||
	    strlen(challenge) > 256)
		rc = resp_errorf(r, ERR_FORBIDDEN, NULL, "the verify token does not match");
	else
		rc = resp_bytes(r, 200, "text/plain", challenge, strlen(challenge));
	sodium_memzero(token, sizeof token);
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

/* POST /hooks/whatsapp/{bot_id} */
static int whatsapp_event(struct req *r)
{
	struct app *app = app_of(r);
	struct store_bot b;
	json_t *config, *wa;
	if (hook_bot(r, "whatsapp", &b, &config, &wa) != 0)
		return -1;
	char secret[SECRET_MAX];
	int rc;
	struct wa_batch batch = {0};
	if (api_bot_secret(app, &b, config, "channels.whatsapp.app_secret", secret, sizeof secret) != 0 || !secret[0]) {
		rc = resp_errorf(r, ERR_UNAVAILABLE, NULL, "the bot's WhatsApp app secret is not set");
		goto out;
	}
	if (!sig_meta_verify(secret, r->body ? r->body : "", r->body_len, req_header(r, "X-Hub-Signature-256"))) {
		rc = resp_errorf(r, ERR_UNAUTHORIZED, NULL, "invalid X-Hub-Signature-256");
		goto out;
	}
	char err[200];
	if (wa_parse_webhook(r->body ? r->body : "", r->body_len, &batch, err, sizeof err) != 0) {
		rc = resp_errorf(r, ERR_VALIDATION, NULL, "not a WhatsApp webhook: %s", err);
		goto out;
	}
	rc = intake(r, &b, "meta", batch.events, batch.n, false);
out:
	sodium_memzero(secret, sizeof secret);
	wa_batch_free(&batch);
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

/* POST /hooks/twilio/{bot_id} */
static int twilio_event_hook(struct req *r)
{
	struct app *app = app_of(r);
	struct store_bot b;
	json_t *config, *tw;
	if (hook_bot(r, "twilio", &b, &config, &tw) != 0)
		return -1;
	char token[SECRET_MAX], url[2400];
	struct form_param params[TWILIO_PARAMS_MAX];
	size_t n = 0;
	int rc;
	struct wa_event ev = {0};
	if (api_bot_secret(app, &b, config, "channels.twilio.auth_token", token, sizeof token) != 0 || !token[0]) {
		rc = resp_errorf(r, ERR_UNAVAILABLE, NULL, "the bot's Twilio auth token is not set");
		goto out;
	}
	if (twilio_parse_form(r->body ? r->body : "", r->body_len, params, TWILIO_PARAMS_MAX, &n) != 0) {
		rc = resp_errorf(r, ERR_VALIDATION, NULL, "the body is not a valid form");
		goto out;
	}
	/* the URL Twilio called: our public base + the path as sent (query included) */
	const char *pub = app->settings.public_url && app->settings.public_url[0] ? app->settings.public_url : NULL;
	if (pub) {
		size_t pl = strlen(pub);
		while (pl > 0 && pub[pl - 1] == '/')
			pl--;
		snprintf(url, sizeof url, "%.*s%s", (int)pl, pub, r->path);
	} else { /* without BOTWERK_PUBLIC_URL: the host Twilio asked for */
		const char *host = req_header(r, "Host");
		snprintf(url, sizeof url, "http://%.200s%s", host ? host : "", r->path);
	}
	if (!sig_twilio_verify(token, url, params, n, req_header(r, "X-Twilio-Signature"))) {
		rc = resp_errorf(r, ERR_UNAUTHORIZED, NULL, "invalid X-Twilio-Signature");
		goto out;
	}
	if (twilio_event(params, n, &ev) != 0) {
		rc = resp_errorf(r, ERR_VALIDATION, NULL, "not a Twilio message or status callback");
		goto out;
	}
	rc = intake(r, &b, "twilio", &ev, 1, ev.kind == WA_EVENT_MESSAGE);
out:
	sodium_memzero(token, sizeof token);
	wa_event_clear(&ev);
	form_params_free(params, n);
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

const struct route api_hooks_routes[] = {
	{"GET", "/hooks/whatsapp/{id}", whatsapp_verify, AUTH_NONE, 0, NULL, false},
	{"POST", "/hooks/whatsapp/{id}", whatsapp_event, AUTH_NONE, HOOK_BODY_CAP, NULL, false},
	{"POST", "/hooks/twilio/{id}", twilio_event_hook, AUTH_NONE, HOOK_BODY_CAP, NULL, false},
};
const size_t api_hooks_routes_count = sizeof api_hooks_routes / sizeof api_hooks_routes[0];
