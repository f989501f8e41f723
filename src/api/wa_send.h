/*
 * wa_send.h — every WhatsApp message botwerk sends goes through wa_send: the bot's replies, flow messages,
 * a person's answers after a handover, POST /api/v1/messages/send, and the scheduled follow-ups, nudges and
 * reminders.
 *
 * One send:
 *   1. the contact is loaded (consent, last inbound message, time zone) and the bot's policy settings read
 *      (channels.whatsapp: quiet_hours, reply_delay_seconds, hold_replies_in_quiet_hours, templates);
 *   2. policy_decide (channels/policy.h) decides: block, send now, or send later. A session text outside the
 *      24-hour window goes out as the fallback template instead when one is given, approved, and consent
 *      allows it ("switch to template"); otherwise the block is recorded as the analytics event
 *      wa.policy_blocked_send with its reason;
 *   3. later: the message becomes a job "wa_send" at the decided instant (its content sealed with the contact
 *      key); the job calls wa_send again when due, so consent and the window are checked again then;
 *   4. now: the per-bot pacer (channels/pacing.h) spaces sends per number and per recipient (a short wait is
 *      slept, a longer one becomes a job); the message is POSTed to the Cloud API and stored (wa_messages,
 *      sealed) with the provider's id, for the status callbacks.
 * Provider errors are mapped by policy_provider_error: transient ones and rate limits → WA_SEND_RETRY (the
 * caller retries: a job with backoff); 131047 (outside the window) → the fallback template if there is one,
 * else WA_SEND_FAILED; everything else → WA_SEND_FAILED, stored as a failed message with the error code and
 * recorded as wa.send_failed.
 */
#ifndef BOTWERK_API_WA_SEND_H
#define BOTWERK_API_WA_SEND_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "channels/policy.h"
#include "conv/flow.h"
#include "store/store.h"

struct app;
struct wa_sender;

enum wa_send_status {
	WA_SEND_SENT,      /* accepted by the provider; result.message_id */
	WA_SEND_SCHEDULED, /* held (send_at, quiet hours, reply delay, pacing): result.job_id, result.send_at */
	WA_SEND_BLOCKED,   /* the policy refused it: result.reason */
	WA_SEND_RETRY,     /* a transient failure: try again (result.retry_after_ms when the provider said) */
	WA_SEND_FAILED,    /* failed for good: result.reason, result.provider_code */
};

struct wa_outgoing {
	const char *contact_id;
	const char *conversation_id;       /* NULL: none */
	enum policy_send_type type;        /* session text (text / interactive) or template */
	enum policy_purpose purpose;
	const char *text;                  /* session text; the body of an interactive message */
	const struct flow_message *interactive; /* buttons or a list (kind != FLOW_MSG_TEXT); NULL: plain text */
	const char *template_name;         /* SEND_TEMPLATE; or the fallback for a session text outside the window */
	const char *language;              /* of the template; NULL: the bot's language */
	const json_t *variables;           /* template body variables: array of strings; NULL: from `vars` */
	const json_t *vars;                /* contact fields ({"first_name": …}) for a template's "params" */
	int64_t send_at;                   /* 0 or past: now */
	bool due;                          /* a held send come due (the job): no reply delay again */
	const char *origin;                /* what sent it: "bot", "flow", "human", "api", a task kind */
	const char *dedupe_key;            /* of the job when held (NULL: none) */
	const char *cancel_key;            /* of the job when held ("conv:<id>"; NULL: none) */
	bool opt_out_confirmation;         /* the one confirmation of a STOP: allowed although consent was just
					    * revoked (the policy would refuse every send after the revocation) */
};

struct wa_send_result {
	enum wa_send_status status;
	char reason[64];                  /* policy reason or provider error name; "" when sent */
	long provider_code;               /* the provider's error code, 0 when none */
	char message_id[STORE_ID_MAX];    /* sent (and failed): our wa_messages id */
	char job_id[STORE_ID_MAX];        /* scheduled */
	int64_t send_at;                  /* scheduled: when; sent: now */
	int64_t retry_after_ms;           /* retry: the provider's or the pacer's wait, 0 when unknown */
	bool via_template;                /* a session text went out as its fallback template */
	char error[200];                  /* for logs and last_error */
};

/* The senders' shared state (pacers per bot). NULL when memory runs out. */
struct wa_sender *wa_sender_new(void);
void wa_sender_free(struct wa_sender *s);

/* Sends (or holds, or refuses) one message of bot `b` (config parsed). Returns 0 with `r` filled, -1 when
 * the store failed or the contact is unknown (r->error says which). */
int wa_send(struct app *app, const struct store_bot *b, const json_t *config, const struct wa_outgoing *o,
	    struct wa_send_result *r);

/* The handler of jobs of kind "wa_send" (registered by wa_jobs_register). */
int wa_send_job(struct app *app, const struct store_job *j, char *err, size_t errlen);

/* Records a funnel or audit event (analytics_events "wa.<name>") with props {contact_id, conversation_id,
 * and `extra`'s keys}. Best effort: a failure is logged. */
void wa_event(struct app *app, const struct store_bot *b, const char *name, const char *contact_id,
	      const char *conversation_id, json_t *extra /* stolen; may be NULL */);

#endif
