/*
 * wa_notify.h — telling the business that a WhatsApp conversation was handed over to a person.
 *
 * Two ways, each its own job so that one failing does not repeat the other:
 *   - notify_handover: a POST of {"event":"handover","bot_id","conversation_id","contact_id","reason","at"}
 *     to channels.whatsapp.handover_webhook_url, signed with X-Botwerk-Signature: sha256=<hex HMAC-SHA256 of
 *     the body with handover_webhook_secret>; any status but 2xx is retried;
 *   - notify_handover_email: a plain-text email (net/smtp.h) to channels.whatsapp.handover_email through
 *     the server's relay (BOTWERK_SMTP_URL): who, why, when, and the API calls to answer and to hand back,
 *     in the bot's language.
 * Failures are retried with the scheduler's backoff and end in the dead letter.
 */
#ifndef BOTWERK_API_WA_NOTIFY_H
#define BOTWERK_API_WA_NOTIFY_H

#include <jansson.h>
#include <stddef.h>

#include "store/store.h"

struct app;

/* Queues the notifications the bot's config asks for (none: nothing). A handover email without a relay
 * configured is logged, not queued. */
void wa_notify_handover(struct app *app, const struct store_bot *b, const json_t *config, const char *conv_id,
			const char *contact_id, const char *reason);

/* The job handler for notify_handover and notify_handover_email (payload: conversation_id, contact_id,
 * reason). Results as scheduler_fn. */
int wa_notify_job(struct app *app, const struct store_bot *b, const json_t *config, const json_t *payload,
		  const char *kind, char *err, size_t errlen);

/* The email of a handover (for tests): subject and text in `lang` ("de" | "en"); heap strings, NULL
 * when memory runs out. `name` and `e164` may be NULL. */
int wa_notify_email_text(const char *lang, const char *bot_name, const char *name, const char *e164,
			 const char *reason, const char *conv_id, const char *contact_id, int64_t at_ms,
			 char **subject, char **text);

#endif
