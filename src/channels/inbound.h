/*
 * inbound.h — parsers for what the WhatsApp providers POST to us: the Cloud API webhook envelope (JSON,
 * api-contracts §1.4–1.6) and Twilio's form-encoded inbound messages and status callbacks (§2.2–2.3).
 * Both turn provider input into the same flat `struct wa_event`, so the conversation engine never sees a
 * provider's shape.
 *
 * Nothing here trusts its input: sizes are capped (WA_*_MAX), every id is checked to be printable ASCII
 * of at most WA_ID_MAX bytes, phone numbers to be 1–15 digits, texts to be valid UTF-8 without NUL
 * bytes. Unknown fields and unknown event kinds are ignored, never rejected (§0.6). Signatures are NOT
 * checked here: verify the raw bytes first (channels/signature.h), then parse.
 */
#ifndef BOTWERK_CHANNELS_INBOUND_H
#define BOTWERK_CHANNELS_INBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WA_BODY_MAX (1024 * 1024) /* webhook body, both providers */
#define WA_EVENTS_MAX 1000        /* messages + statuses in one Cloud API POST */
#define WA_TEXT_MAX 4096          /* bytes of message text kept (longer text is cut at a character) */
#define WA_ID_MAX 256             /* wamid.…, SM…, reply ids, phone_number_id: printable ASCII */
#define WA_E164_MAX 17            /* "+" + at most 15 digits + NUL */
#define WA_NAME_MAX 256           /* profile names, button/list titles, error titles (cut at a character) */
#define WA_TYPE_MAX 48            /* the provider's type name of an unsupported message */
#define WA_CALLBACK_MAX 512       /* Meta's biz_opaque_callback_data */
#define TWILIO_PARAMS_MAX 256     /* form parameters in one Twilio POST */
#define TWILIO_KEY_MAX 256        /* bytes of one decoded parameter name */

enum wa_event_kind {
	WA_EVENT_MESSAGE = 1, /* a user wrote to us */
	WA_EVENT_STATUS,      /* a delivery report on one of our messages */
};

enum wa_msg_type {
	WA_MSG_NONE = 0,     /* status events */
	WA_MSG_TEXT,         /* text: `text` */
	WA_MSG_BUTTON_REPLY, /* tap on an interactive reply button: reply_id, reply_title */
	WA_MSG_LIST_REPLY,   /* row chosen from an interactive list: reply_id, reply_title */
	WA_MSG_BUTTON,       /* quick-reply button of a template: reply_id = payload, reply_title = text */
	WA_MSG_UNSUPPORTED,  /* anything else (media, location, reaction, …): `unsupported_type` names it */
};

/* Delivery states, in the order a message goes through them; compare with < to never downgrade (a
 * failure is final whatever came before). */
enum wa_status {
	WA_STATUS_UNKNOWN = 0, /* a state this code does not know: keep the event, change nothing */
	WA_STATUS_QUEUED,      /* Twilio queued, accepted, scheduled, sending */
	WA_STATUS_SENT,
	WA_STATUS_DELIVERED,
	WA_STATUS_READ,        /* read; Meta's "played" (voice) counts as read */
	WA_STATUS_FAILED,      /* Meta failed; Twilio failed, canceled */
	WA_STATUS_UNDELIVERED, /* Twilio undelivered */
};

/* One inbound message or status report. Strings are NUL-terminated, "" when absent. */
struct wa_event {
	enum wa_event_kind kind;
	enum wa_msg_type type;                /* messages only */
	char provider_id[WA_ID_MAX + 1];      /* wamid.… (Meta) or MessageSid (Twilio); never "" */
	char from_e164[WA_E164_MAX];          /* the user: sender of a message, recipient of a status;
					       * "" when the provider left the number out (BSUID users) */
	char user_id[WA_ID_MAX + 1];          /* Meta's business-scoped user id (from_user_id / recipient_user_id) */
	char phone_number_id[WA_ID_MAX + 1];  /* Meta: metadata.phone_number_id (route the tenant by it);
					       * "" when missing or not a valid id: the caller decides */
	char business_e164[WA_E164_MAX];      /* our number: Meta display_phone_number, Twilio To/From */
	char profile_name[WA_NAME_MAX + 1];   /* the user's WhatsApp profile name (UTF-8) */
	int64_t timestamp;                    /* unix seconds as the provider stamped it; 0 when not given */
	char *text;                           /* WA_MSG_TEXT (Twilio: any Body): UTF-8, owned, NULL when none */
	bool text_truncated;                  /* text was longer than WA_TEXT_MAX bytes and was cut */
	char reply_id[WA_ID_MAX + 1];         /* button/list id or template button payload */
	char reply_title[WA_NAME_MAX + 1];    /* what the user saw on the button or row (UTF-8) */
	char context_id[WA_ID_MAX + 1];       /* the message of ours this one answers, when given */
	char unsupported_type[WA_TYPE_MAX];   /* WA_MSG_UNSUPPORTED: "image", "interactive.nfm_reply", … */
	enum wa_status status;                /* statuses only */
	int error_code;                       /* statuses: errors[0].code (Meta) or ErrorCode (Twilio), 0 = none */
	char error_title[WA_NAME_MAX + 1];    /* errors[0].title / ErrorMessage */
	char callback_data[WA_CALLBACK_MAX + 1]; /* Meta's echoed biz_opaque_callback_data */
};

/* The events of one Cloud API POST, in the order they appear (per change: messages, then statuses). */
struct wa_batch {
	struct wa_event *events; /* owned; wa_batch_free releases it */
	size_t n;
	size_t skipped;          /* entries left out for want of a valid id or sender */
};

/*
 * Parses a Cloud API webhook body (the raw bytes whose signature was checked). Returns 0 and fills *out
 * (to be released with wa_batch_free, also when it holds no event) or -1 with a message in err (errlen
 * may be 0) and *out empty: body over WA_BODY_MAX, not JSON (duplicate keys and \u0000 count as not
 * JSON), not an object with "object":"whatsapp_business_account" and an "entry" array, more than
 * WA_EVENTS_MAX events, or out of memory. Changes whose field is not "messages" are ignored; a message
 * or status without a valid id (or, for a message, without a valid sender) is counted in out->skipped.
 */
int wa_parse_webhook(const char *body, size_t len, struct wa_batch *out, char *err, size_t errlen);
void wa_batch_free(struct wa_batch *b);

/* Frees what one event owns (its text) and leaves it empty. */
void wa_event_clear(struct wa_event *ev);

/* "sent", "delivered", …; "unknown" for WA_STATUS_UNKNOWN. */
const char *wa_status_name(enum wa_status s);

/* One decoded form parameter. key and value are NUL-terminated and share one allocation owned by key
 * (form_params_free frees it); neither holds a NUL byte. */
struct form_param {
	char *key;
	char *value;
};

/*
 * Decodes an application/x-www-form-urlencoded body: pairs split on '&', name and value on the first
 * '=' (a pair without one has the value ""), '+' is a space, %XX a byte (either case). Empty pairs are
 * skipped; repeated names are kept, in order. Returns 0 with *n parameters in params[0..*n), owned by
 * the caller (form_params_free), or -1 with nothing allocated when the body is over WA_BODY_MAX, holds
 * a NUL byte or a bad escape (%, %4, %zz, %00), a name is empty or over TWILIO_KEY_MAX bytes, there are
 * more than `max` parameters, or memory runs out.
 */
int twilio_parse_form(const char *body, size_t len, struct form_param *params, size_t max, size_t *n);
void form_params_free(struct form_param *params, size_t n);

/* The first value of parameter `key`, NULL when absent. */
const char *form_param_get(const struct form_param *params, size_t n, const char *key);

/*
 * Maps one Twilio webhook (decoded parameters) onto *ev: a status callback when MessageStatus is
 * present (the user is To, we are From), otherwise an inbound message (the user is From, we are To;
 * WaId stands in for a missing or unreadable From). "whatsapp:" prefixes are removed. Returns 0, or -1
 * with *ev cleared when MessageSid (or else SmsSid) is missing or not a valid id, a message has no valid
 * sender, Body / ProfileName / ButtonText / ListTitle is not valid UTF-8, or memory runs out. Release
 * ev with wa_event_clear.
 */
int twilio_event(const struct form_param *params, size_t n, struct wa_event *ev);

#endif
