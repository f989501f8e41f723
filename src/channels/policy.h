/*
 * policy.h — the outbound send policy of a WhatsApp bot: may this message go to this contact, when, or
 * why not. Pure logic: no I/O and no clock reads; every function takes the instant it decides at (Unix
 * milliseconds, UTC). The caller (the outbound sender, POST /api/v1/messages/send, the follow-up jobs)
 * loads contact and bot, asks policy_decide, and then sends now, schedules the send, or records the block
 * as an audit event `policy_blocked_send` with the reason code.
 *
 * 24-hour customer service window (api-contracts.md 1.8). An inbound message of the contact at instant L
 * opens the window [L, L + 24 h); our own messages do not extend it. A session text (free-form message)
 * may only be sent while the window is open; outside it only an approved template. The window is checked
 * at the instant the message would actually go out: a message held by quiet hours or by the reply delay
 * is decided on the later instant, so a session text whose window is open at the asked instant but
 * closes before the held send instant is blocked ("service_window_closes_while_held"; closed already at
 * the asked instant: "outside_service_window"), with switch_to_template_possible when a template could
 * be sent instead.
 *
 * Purposes and consent (seed 003: consent_status granted|revoked|unknown; "Consent revoked → alle
 * Marketing-Messages blockiert"; WhatsApp Business Policy: a business may start a conversation only with
 * people who opted in to receive its WhatsApp messages):
 *   PURPOSE_REPLY      an answer to a message the contact sent (the bot's reply, a handover answer).
 *                      Allowed with consent unknown or granted. With consent revoked it is allowed only
 *                      when the contact wrote again after revoking (last_inbound_ms > consent_at_ms): a
 *                      contact who opted out and then asks something gets an answer; nothing else.
 *   PURPOSE_SERVICE    about something the contact asked for: confirmations and reminders of a booked
 *                      appointment, changes to it, the answer a human prepared later. Inside the window:
 *                      consent unknown or granted. Outside the window the message is business-initiated
 *                      (a template), which WhatsApp allows only with opt-in: consent granted.
 *   PURPOSE_MARKETING  everything that tries to (re)start a conversation or sell: nudges, follow-ups
 *                      after 24 h/48 h, the first message after a web opt-in, offers. Always needs consent
 *                      granted, inside the window too.
 * Consent revoked blocks every purpose except the reply described above ("consent_revoked"); a missing
 * consent blocks what needs it ("consent_unknown"). Template categories map to purposes: WhatsApp
 * "utility" and "authentication" templates are PURPOSE_SERVICE, "marketing" ones PURPOSE_MARKETING.
 *
 * Quiet hours (bot config channels.whatsapp.quiet_hours, default {"start":"23:00","end":"07:00"}, null =
 * none). They hold business-initiated sends (service and marketing: follow-ups, reminders, nudges,
 * templates) until the quiet period ends; a reply (PURPOSE_REPLY) is held only when the bot sets
 * hold_replies_in_quiet_hours. Times are wall-clock times in the contact's time zone (IANA id; unknown,
 * empty or NULL: Europe/Berlin) resolved with ICU. A start after the end runs across midnight (23:00 →
 * 07:00 next day); a start before the end lies within one day (12:00–14:00); start == end means no quiet
 * hours. Each night's quiet period is the instant span [S, E) from the start wall time to the end wall
 * time; a held send moves to E, "the next allowed minute". DST:
 *   - a wall time that does not exist (spring forward, Berlin 2026-03-29 02:00–02:59) resolves to the
 *     first instant after the gap (03:00 CEST); a period that lies wholly in the gap is empty;
 *   - a wall time that occurs twice (fall back, Berlin 2026-10-25 02:00–02:59) resolves to its first
 *     occurrence as a start and to its second occurrence as an end, so a quiet period never ends early:
 *     quiet hours 01:00–02:30 on that night last from 01:00 CEST to 02:30 CET (2.5 real hours);
 *   - the common 23:00–07:00 period is 7 real hours on the spring night and 9 on the autumn night, and
 *     always ends at 07:00 local time.
 *
 * Reply delay (channels.whatsapp.reply_delay_seconds, default 0; seed 003 suggests 30 s – 5 min): added
 * to replies only, before quiet hours are applied.
 *
 * Reason codes (stable, snake_case; also the audit detail): "ok", "scheduled" (send_at in the future),
 * "reply_delay", "quiet_hours" (SEND_AT); "consent_revoked", "consent_unknown", "template_not_approved",
 * "outside_service_window", "service_window_closes_while_held", "internal_error" (bad argument or ICU
 * failure) (POLICY_BLOCK). Checks run in this order, the first failing one gives the reason: consent
 * that does not depend on time, template approval, then the window at the send instant (with the
 * consent a template outside the window needs).
 *
 * Threads: every function is reentrant; nothing is shared.
 */
#ifndef BOTWERK_CHANNELS_POLICY_H
#define BOTWERK_CHANNELS_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POLICY_WINDOW_MS (24LL * 60 * 60 * 1000) /* the customer service window */
#define POLICY_DEFAULT_TIMEZONE "Europe/Berlin"
#define POLICY_QUIET_DEFAULT_START (23 * 60) /* minutes after local midnight */
#define POLICY_QUIET_DEFAULT_END (7 * 60)
#define POLICY_REPLY_DELAY_MAX_S 3600 /* reply_delay_seconds bound */

enum policy_consent { CONSENT_UNKNOWN, CONSENT_GRANTED, CONSENT_REVOKED };

struct policy_contact {
	int64_t last_inbound_ms;     /* the contact's last inbound message; 0 = none ever */
	enum policy_consent consent; /* current state of the consent ledger for WhatsApp messages */
	int64_t consent_at_ms;       /* when `consent` took its current value; 0 = unknown */
	const char *timezone;        /* IANA id ("Europe/Berlin"); NULL/empty/unknown → Europe/Berlin */
};

struct policy_bot {
	int quiet_start_min;              /* 0..1439 local wall time; equal to quiet_end_min: no quiet hours */
	int quiet_end_min;                /* 0..1439 */
	bool hold_replies_in_quiet_hours; /* also hold PURPOSE_REPLY during quiet hours */
	int reply_delay_s;                /* 0..POLICY_REPLY_DELAY_MAX_S, replies only */
};

enum policy_send_type { SEND_SESSION_TEXT, SEND_TEMPLATE };

enum policy_purpose {
	PURPOSE_REPLY,     /* answer to the contact's message */
	PURPOSE_SERVICE,   /* appointment confirmations/reminders, booking changes (utility templates) */
	PURPOSE_MARKETING, /* nudges, follow-ups, first contact after opt-in, offers (marketing templates) */
};

struct policy_send {
	enum policy_send_type type;
	enum policy_purpose purpose;
	bool template_approved;  /* SEND_TEMPLATE: the registry's approved flag; ignored for session text */
	int64_t requested_at_ms; /* send_at of the request, or 0 / an instant <= now for "now" */
};

enum policy_action { POLICY_SEND_NOW, POLICY_SEND_AT, POLICY_BLOCK };

struct policy_decision {
	enum policy_action action;
	int64_t send_at_ms;               /* SEND_NOW: now; SEND_AT: the instant to send (minute-aligned when
					   * moved by quiet hours); BLOCK: the instant that was decided on */
	const char *reason;               /* stable code, see above; never NULL; static storage */
	bool switch_to_template_possible; /* BLOCK of a session text for the window: an approved template
					   * would be allowed (consent granted) */
	int64_t window_expires_ms;        /* last_inbound + 24 h, or 0 when the contact never wrote */
};

/* Sets the defaults: quiet hours 23:00–07:00, replies not held, no reply delay. */
void policy_bot_defaults(struct policy_bot *b);

/* Decides one send at `now_ms`. Returns 0 with `d` filled (including blocks), or -1 with `d` set to a
 * block "internal_error" when an argument is out of range (unknown enum value, quiet minutes outside
 * 0..1439, reply delay outside 0..POLICY_REPLY_DELAY_MAX_S) or ICU fails. `d` must not be NULL. */
int policy_decide(const struct policy_contact *c, const struct policy_bot *b, const struct policy_send *s,
		  int64_t now_ms, struct policy_decision *d);

/* True when the window opened by `last_inbound_ms` (0 = none) is open at `t_ms`. */
bool policy_in_service_window(int64_t last_inbound_ms, int64_t t_ms);

/* The first instant at or after `t_ms` outside the bot's quiet hours in zone `timezone` (rules above):
 * `t_ms` itself when it is not quiet. Returns 0, or -1 when ICU fails. */
int policy_quiet_next_allowed(const struct policy_bot *b, const char *timezone, int64_t t_ms, int64_t *out_ms);

/* True when `tz` is a system time zone id ICU knows ("Europe/Berlin", "America/New_York", "UTC"). */
bool policy_timezone_valid(const char *tz);

/* "HH:MM", 00:00..23:59 (a json_field check for quiet_hours.start/end). */
bool policy_check_hhmm(const char *s);

/* The bot config value channels.whatsapp.quiet_hours into b->quiet_start_min/quiet_end_min: `v` NULL
 * (absent) → the default 23:00–07:00; JSON null → none; {"start":"HH:MM","end":"HH:MM"} (both required,
 * no other keys; equal times → none). Returns 0, or -1 with a message ("quiet_hours.start must be a
 * time HH:MM") in err (when errlen > 0); `out` is unchanged on error. */
int policy_parse_quiet_hours(const json_t *v, struct policy_bot *out, char *err, size_t errlen);

/* The policy part of the bot config object channels.whatsapp (NULL = all defaults): "quiet_hours" (see
 * above), "hold_replies_in_quiet_hours" (bool, default false), "reply_delay_seconds" (integer
 * 0..POLICY_REPLY_DELAY_MAX_S, default 0). Other keys are left to their owners and not checked here.
 * Returns 0, or -1 with "<key>: what to fix" in err; `out` is unchanged on error. */
int policy_bot_from_config(const json_t *whatsapp, struct policy_bot *out, char *err, size_t errlen);

/* What to do after a provider error on a send (api-contracts.md 1.9 and 2.3). */
enum policy_error_action {
	POLICY_ERR_RETRY,              /* transient: retry with backoff (pacing_backoff_delay) */
	POLICY_ERR_SWITCH_TO_TEMPLATE, /* outside the window: send a template if one is configured, else
					* fail visibly */
	POLICY_ERR_BACKOFF_NUMBER,     /* throughput limit of the sending number / app: back off the number */
	POLICY_ERR_BACKOFF_RECIPIENT,  /* pair rate limit: delay this recipient's queue, then retry */
	POLICY_ERR_STOP_BULK,          /* spam / quality limit: stop bulk sends, alert the operator */
	POLICY_ERR_DO_NOT_RETRY,       /* the provider decided (or our request is wrong): fail the send */
	POLICY_ERR_FIX_TEMPLATE,       /* template missing, paused, disabled or wrong parameters */
	POLICY_ERR_UNREACHABLE,        /* the contact cannot receive WhatsApp messages: mark unreachable */
	POLICY_ERR_ALERT_OPERATOR,     /* account blocked, token expired: nothing sends until fixed */
};

/* Maps a WhatsApp Cloud API error code (error.code / statuses[].errors[].code) or a Twilio WhatsApp
 * error code (63016, 63018, 63024) to an action; *name (may be NULL) receives a stable snake_case name
 * for logs ("outside_service_window", "rate_limited", "pair_rate_limited", ...; "provider_error" for
 * codes not listed, which map to POLICY_ERR_RETRY). */
enum policy_error_action policy_provider_error(long code, const char **name);

#endif
