/* wa_notify.c — the business hears of a handover: signed webhook and email (wa_notify.h). */
#include "api/wa_notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/api.h"
#include "api/bot_secrets.h"
#include "base/crypto.h"
#include "base/json.h"
#include "jobs/scheduler.h"
#include "net/httpc.h"
#include "net/smtp.h"
#include "privacy/keys.h"

static void queue(struct app *app, const struct store_bot *b, const char *kind, const char *conv_id,
		  const char *contact_id, const char *reason)
{
	int64_t now = clock_now_ms(&app->clock);
	char id[STORE_ID_MAX], dedupe[STORE_ID_MAX + 64];
	crypto_time_id("job", now, id, sizeof id);
	snprintf(dedupe, sizeof dedupe, "%s:%s:%lld", kind, conv_id, (long long)now);
	json_t *p = json_pack("{s:s, s:s, s:s}", "conversation_id", conv_id, "contact_id", contact_id, "reason", reason);
	char *payload = p ? json_dumps(p, JSON_COMPACT) : NULL;
	json_decref(p);
	struct store_job_in j = {.id = id, .tenant_id = b->tenant_id, .bot_id = b->id, .kind = kind, .run_at = now,
				 .payload = payload, .dedupe_key = dedupe,
				 .max_attempts = (int)app->settings.jobs_max_attempts, .now = now};
	if (!payload || store_job_add(app->store, &j) != STORE_OK)
		log_msg(&app->log, LOG_WARN, "whatsapp", "bot %s: the handover notification (%s) was not queued", b->id,
			kind);
	free(payload);
}

void wa_notify_handover(struct app *app, const struct store_bot *b, const json_t *config, const char *conv_id,
			const char *contact_id, const char *reason)
{
	const json_t *wa = json_object_get(json_object_get(config, "channels"), "whatsapp");
	bool queued = false;
	if (json_str(wa, "handover_webhook_url", NULL)) {
		queue(app, b, "notify_handover", conv_id, contact_id, reason);
		queued = true;
	}
	if (json_str(wa, "handover_email", NULL)) {
		if (*app->settings.smtp_url) {
			queue(app, b, "notify_handover_email", conv_id, contact_id, reason);
			queued = true;
		} else {
			log_msg(&app->log, LOG_WARN, "whatsapp",
				"bot %s: a handover email is configured but BOTWERK_SMTP_URL is not set; no email sent", b->id);
		}
	}
	if (queued)
		scheduler_poke(app->sched);
}

/* ---- the webhook --------------------------------------------------------------------------------------- */

static int notify_webhook(struct app *app, const struct store_bot *b, const json_t *config, const json_t *p,
			  char *err, size_t errlen)
{
	const json_t *wa = json_object_get(json_object_get(config, "channels"), "whatsapp");
	const char *url = json_str(wa, "handover_webhook_url", NULL);
	if (!url)
		return SCHEDULER_DONE;
	char secret[300] = "", iso[32], header[128];
	api_bot_secret(app, b, config, "channels.whatsapp.handover_webhook_secret", secret, sizeof secret);
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "event", "handover", "bot_id", b->id,
				 "conversation_id", json_str(p, "conversation_id", ""), "contact_id",
				 json_str(p, "contact_id", ""), "reason", json_str(p, "reason", ""), "at",
				 clock_iso8601(clock_now_ms(&app->clock), iso));
	char *raw = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (!raw) {
		sodium_memzero(secret, sizeof secret);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state hs;
	crypto_auth_hmacsha256_init(&hs, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&hs, (const unsigned char *)raw, strlen(raw));
	crypto_auth_hmacsha256_final(&hs, mac);
	sodium_memzero(secret, sizeof secret);
	char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
	sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
	snprintf(header, sizeof header, "X-Botwerk-Signature: sha256=%s", hex);
	char *resp = NULL, ct[64];
	size_t len = 0;
	long status = 0;
	int rc = httpc_post_wait(app->httpc, url, header, raw, strlen(raw), 16 * 1024,
				 (long)app->settings.wa_send_timeout_ms, &resp, &len, ct, sizeof ct, &status, err, errlen);
	free(resp);
	free(raw);
	if (rc == 0 && (status < 200 || status > 299)) {
		snprintf(err, errlen, "the handover webhook answered HTTP %ld", status);
		rc = -1;
	}
	return rc == 0 ? SCHEDULER_DONE : -1;
}

/* ---- the email ----------------------------------------------------------------------------------------- */

/* One reason of handover_check ("keyword:mitarbeiter", "misunderstood", …) in words, appended to out. */
static void reason_words(const char *r, size_t n, bool en, char *out, size_t outlen)
{
	static const struct {
		const char *code, *de, *en;
	} words[] = {
		{"keyword", "bat darum, mit einem Menschen zu sprechen", "asked to talk to a person"},
		{"sentiment", "klang verärgert", "sounded upset"},
		{"price_low_confidence", "stellte eine Preisfrage, die der Bot nicht sicher beantworten konnte",
		 "asked about prices, which the bot could not answer with confidence"},
		{"contract_low_confidence", "stellte eine Vertragsfrage, die der Bot nicht sicher beantworten konnte",
		 "asked about the contract, which the bot could not answer with confidence"},
		{"misunderstood", "wurde vom Bot mehrmals hintereinander nicht verstanden",
		 "was misunderstood by the bot several times in a row"},
		{"manual", "wurde über die API übergeben", "was handed over through the API"},
	};
	const char *colon = memchr(r, ':', n);
	size_t clen = colon ? (size_t)(colon - r) : n, len = strlen(out);
	const char *text = NULL;
	for (size_t i = 0; i < sizeof words / sizeof words[0] && !text; i++)
		if (strlen(words[i].code) == clen && !strncmp(words[i].code, r, clen))
			text = en ? words[i].en : words[i].de;
	if (len >= outlen)
		return;
	if (text && colon)
		snprintf(out + len, outlen - len, "%s%s (\"%.*s\")", len ? "; " : "", text, (int)(n - clen - 1), colon + 1);
	else if (text)
		snprintf(out + len, outlen - len, "%s%s", len ? "; " : "", text);
	else
		snprintf(out + len, outlen - len, "%s%.*s", len ? "; " : "", (int)n, r);
}

int wa_notify_email_text(const char *lang, const char *bot_name, const char *name, const char *e164,
			 const char *reason, const char *conv_id, const char *contact_id, int64_t at_ms,
			 char **subject, char **text)
{
	bool en = lang && !strcmp(lang, "en");
	char why[512] = "", who[256], when[32];
	for (const char *r = reason ? reason : ""; *r;) {
		size_t n = strcspn(r, ",");
		if (n)
			reason_words(r, n, en, why, sizeof why);
		r += n + (r[n] == ',');
	}
	if (!why[0])
		snprintf(why, sizeof why, "%s", en ? "handed over" : "übergeben");
	bool has_name = name && *name, has_number = e164 && *e164;
	snprintf(who, sizeof who, "%s%s%s%s%s", has_name ? name : "", has_name && has_number ? " (" : "",
		 has_number ? e164 : "", has_name && has_number ? ")" : "",
		 !has_name && !has_number ? (en ? "a contact" : "ein Kontakt") : "");
	clock_iso8601(at_ms, when);
	*subject = *text = NULL;
	int a = en ? asprintf(subject, "WhatsApp handover: %s (%s)", who, bot_name)
		   : asprintf(subject, "WhatsApp-Übergabe: %s (%s)", who, bot_name);
	int b = en ? asprintf(text,
			      "Hello,\n\n"
			      "a WhatsApp contact of \"%s\" would like to talk to a person. The bot stays silent in this "
			      "conversation until you hand it back.\n\n"
			      "Contact: %s\n"
			      "Why: %s\n"
			      "When: %s (UTC)\n\n"
			      "Reply (your message goes out through the same checks as the bot's):\n"
			      "  POST /api/v1/conversations/%s/messages {\"text\": \"…\"}\n"
			      "Hand the conversation back to the bot:\n"
			      "  POST /api/v1/conversations/%s/handback\n"
			      "The contact and the conversation so far:\n"
			      "  GET /api/v1/contacts/%s/whatsapp\n\n"
			      "This email was sent automatically by botwerk.\n",
			      bot_name, who, why, when, conv_id, conv_id, contact_id)
		   : asprintf(text,
			      "Guten Tag,\n\n"
			      "ein WhatsApp-Kontakt von „%s“ möchte mit einem Menschen sprechen. Der Bot schweigt in "
			      "diesem Gespräch, bis Sie es ihm zurückgeben.\n\n"
			      "Kontakt: %s\n"
			      "Grund: %s\n"
			      "Zeitpunkt: %s (UTC)\n\n"
			      "Antworten (Ihre Nachricht durchläuft dieselben Prüfungen wie die des Bots):\n"
			      "  POST /api/v1/conversations/%s/messages {\"text\": \"…\"}\n"
			      "Das Gespräch an den Bot zurückgeben:\n"
			      "  POST /api/v1/conversations/%s/handback\n"
			      "Kontakt und bisheriges Gespräch:\n"
			      "  GET /api/v1/contacts/%s/whatsapp\n\n"
			      "Diese E-Mail wurde automatisch von botwerk versandt.\n",
			      bot_name, who, why, when, conv_id, conv_id, contact_id);
	if (a < 0 || b < 0) {
		if (a >= 0)
			free(*subject);
		if (b >= 0)
			free(*text);
		*subject = *text = NULL;
		return -1;
	}
	return 0;
}

/* The contact's first name and number, opened (either may stay NULL). */
static void contact_names(struct app *app, const struct store_bot *b, const char *contact_id, char **name,
			  char **e164)
{
	struct store_wa_contact c = {0};
	unsigned char key[SEAL_KEY_BYTES];
	*name = *e164 = NULL;
	if (store_wa_contact_get(app->store, b->tenant_id, contact_id, &c) != STORE_OK)
		return;
	if (keyring_contact_key(app->keyring, app->store, b->tenant_id, c.id, c.wrapped_key, key) == STORE_OK) {
		if (c.first_name_sealed)
			privacy_open(key, b->tenant_id, c.id, "first_name", c.first_name_sealed, name);
		if (c.e164_sealed)
			privacy_open(key, b->tenant_id, c.id, "whatsapp_e164", c.e164_sealed, e164);
		sodium_memzero(key, sizeof key);
	}
	store_wa_contact_clear(&c);
}

static void free_secret(char *s)
{
	if (s) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
}

static int notify_email(struct app *app, const struct store_bot *b, const json_t *config, const json_t *p,
			char *err, size_t errlen)
{
	const json_t *wa = json_object_get(json_object_get(config, "channels"), "whatsapp");
	const char *to = json_str(wa, "handover_email", NULL);
	if (!to)
		return SCHEDULER_DONE;
	if (!*app->settings.smtp_url) {
		snprintf(err, errlen, "BOTWERK_SMTP_URL is not set");
		return SCHEDULER_GIVE_UP;
	}
	char *name, *e164, *subject = NULL, *text = NULL;
	const char *conv_id = json_str(p, "conversation_id", ""), *contact_id = json_str(p, "contact_id", "");
	contact_names(app, b, contact_id, &name, &e164);
	int rc = -1;
	if (wa_notify_email_text(json_str(config, "language", "de"), b->name, name, e164, json_str(p, "reason", ""),
				 conv_id, contact_id, clock_now_ms(&app->clock), &subject, &text) != 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	struct smtp_config sc = {.url = app->settings.smtp_url, .from = app->settings.smtp_from,
				 .user = app->settings.smtp_user, .password = app->settings.smtp_password,
				 .timeout_ms = 30000};
	struct smtp_mail m = {.to = to, .subject = subject, .text = text};
	rc = smtp_send(&sc, &m, clock_now_ms(&app->clock), err, errlen) == 0 ? SCHEDULER_DONE : -1;
out:
	free_secret(name);
	free_secret(e164);
	free_secret(subject);
	free_secret(text);
	return rc;
}

int wa_notify_job(struct app *app, const struct store_bot *b, const json_t *config, const json_t *payload,
		  const char *kind, char *err, size_t errlen)
{
	if (!strcmp(kind, "notify_handover_email"))
		return notify_email(app, b, config, payload, err, errlen);
	return notify_webhook(app, b, config, payload, err, errlen);
}
