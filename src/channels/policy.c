/*
 * policy.c — the outbound send policy (rules in policy.h): consent per purpose, template approval, the
 * 24-hour service window at the real send instant, quiet hours on the contact's wall clock (ICU ucal,
 * DST-correct), the reply delay, the bot config that sets them, and the provider error table.
 *
 * Quiet hours: for an instant t the local date D of t is read in the contact's zone; the quiet periods
 * starting on D-1, D and D+1 are laid onto instants ([start on day k, end on day k or k+1)) and t is looked
 * up in them. Three days cover every zone whose DST change moves the clock by at most a day.
 */
#include "channels/policy.h"

#include <stdio.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include "base/text.h"

#define DAY_MIN 1440
#define MINUTE_MS 60000LL
#define TZ_ID_MAX 64 /* bytes of an IANA id we accept (the longest real ones are about 32) */

/* ---- time zones ----------------------------------------------------------------------------------- */

/* `id` as UTF-16 into uid (TZ_ID_MAX units) when it is a system zone ICU knows. */
static bool zone_lookup(const char *id, UChar *uid, int32_t *ulen)
{
	UChar canon[TZ_ID_MAX * 2];
	UErrorCode st = U_ZERO_ERROR;
	UBool system = 0;
	size_t n = id ? strlen(id) : 0;

	if (n == 0 || n >= TZ_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = id[i];
		bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
			  ch == '/' || ch == '_' || ch == '-' || ch == '+';
		if (!ok)
			return false;
	}
	u_charsToUChars(id, uid, (int32_t)n);
	uid[n] = 0;
	*ulen = (int32_t)n;
	ucal_getCanonicalTimeZoneID(uid, *ulen, canon, (int32_t)(sizeof canon / sizeof canon[0]), &system, &st);
	return U_SUCCESS(st) && system;
}

bool policy_timezone_valid(const char *tz)
{
	UChar uid[TZ_ID_MAX];
	int32_t len;

	return zone_lookup(tz, uid, &len);
}

/* A lenient Gregorian calendar in zone `tz` (fallback POLICY_DEFAULT_TIMEZONE) that resolves skipped
 * wall times to the first valid instant after the gap. NULL when ICU fails. Caller closes it. */
static UCalendar *cal_open(const char *tz)
{
	UChar uid[TZ_ID_MAX];
	int32_t len;
	UErrorCode st = U_ZERO_ERROR;

	if (!zone_lookup(tz, uid, &len) && !zone_lookup(POLICY_DEFAULT_TIMEZONE, uid, &len))
		return NULL;
	UCalendar *cal = ucal_open(uid, len, "en_US_POSIX", UCAL_GREGORIAN, &st);
	if (U_FAILURE(st)) {
		if (cal)
			ucal_close(cal);
		return NULL;
	}
	ucal_setAttribute(cal, UCAL_LENIENT, 1); /* day 0 and day 32 roll into the next month */
	ucal_setAttribute(cal, UCAL_SKIPPED_WALL_TIME, UCAL_WALLTIME_NEXT_VALID);
	return cal;
}

/* Local date of instant t. */
static int local_date(UCalendar *cal, int64_t t, int *y, int *m, int *d)
{
	UErrorCode st = U_ZERO_ERROR;

	ucal_setMillis(cal, (UDate)t, &st);
	*y = ucal_get(cal, UCAL_EXTENDED_YEAR, &st);
	*m = ucal_get(cal, UCAL_MONTH, &st); /* 0-based, as ucal_setDateTime wants it */
	*d = ucal_get(cal, UCAL_DATE, &st);
	return U_FAILURE(st) ? -1 : 0;
}

/* The instant of wall time `minute` on local date y-m-d (d may be 0 or past the month's end). A repeated
 * wall time resolves to its first occurrence, or its last when `last`. */
static int wall_instant(UCalendar *cal, int y, int m, int d, int minute, bool last, int64_t *out)
{
	UErrorCode st = U_ZERO_ERROR;

	ucal_setAttribute(cal, UCAL_REPEATED_WALL_TIME, last ? UCAL_WALLTIME_LAST : UCAL_WALLTIME_FIRST);
	ucal_clear(cal);
	ucal_setDateTime(cal, y, m, d, minute / 60, minute % 60, 0, &st);
	UDate t = ucal_getMillis(cal, &st);
	if (U_FAILURE(st))
		return -1;
	*out = (int64_t)t;
	return 0;
}

/* ---- quiet hours ---------------------------------------------------------------------------------- */

static bool quiet_enabled(const struct policy_bot *b)
{
	return b->quiet_start_min != b->quiet_end_min;
}

static bool minute_ok(int m)
{
	return m >= 0 && m < DAY_MIN;
}

/* 1 and *end = the end of the quiet period containing t, 0 when t is not quiet, -1 when ICU fails. */
static int quiet_period_end(UCalendar *cal, const struct policy_bot *b, int64_t t, int64_t *end)
{
	int y, m, d;
	int over = b->quiet_start_min > b->quiet_end_min; /* runs across midnight */

	if (local_date(cal, t, &y, &m, &d) != 0)
		return -1;
	for (int k = -1; k <= 1; k++) {
		int64_t s, e;
		if (wall_instant(cal, y, m, d + k, b->quiet_start_min, false, &s) != 0 ||
		    wall_instant(cal, y, m, d + k + over, b->quiet_end_min, true, &e) != 0)
			return -1;
		if (s <= t && t < e) {
			*end = e;
			return 1;
		}
	}
	return 0;
}

int policy_quiet_next_allowed(const struct policy_bot *b, const char *timezone, int64_t t_ms, int64_t *out_ms)
{
	if (!b || !out_ms || !minute_ok(b->quiet_start_min) || !minute_ok(b->quiet_end_min))
		return -1;
	if (!quiet_enabled(b)) {
		*out_ms = t_ms;
		return 0;
	}
	UCalendar *cal = cal_open(timezone);
	if (!cal)
		return -1;
	int64_t t = t_ms;
	int rc = 0;
	/* The end of a period is never inside another one for sane settings; a few rounds guard against a
	 * zone whose offset jumps by many hours. */
	for (int round = 0; round < 4; round++) {
		int64_t end;
		int q = quiet_period_end(cal, b, t, &end);
		if (q < 0) {
			rc = -1;
			break;
		}
		if (q == 0)
			break;
		t = end;
	}
	ucal_close(cal);
	if (rc == 0)
		*out_ms = t;
	return rc;
}

/* ---- the decision --------------------------------------------------------------------------------- */

bool policy_in_service_window(int64_t last_inbound_ms, int64_t t_ms)
{
	/* An inbound stamped slightly after t (clock skew between provider and us) still counts as open. */
	return last_inbound_ms > 0 && t_ms < last_inbound_ms + POLICY_WINDOW_MS;
}

void policy_bot_defaults(struct policy_bot *b)
{
	b->quiet_start_min = POLICY_QUIET_DEFAULT_START;
	b->quiet_end_min = POLICY_QUIET_DEFAULT_END;
	b->hold_replies_in_quiet_hours = false;
	b->reply_delay_s = 0;
}

static int block(struct policy_decision *d, const char *reason, int64_t at)
{
	d->action = POLICY_BLOCK;
	d->reason = reason;
	d->send_at_ms = at;
	return 0;
}

int policy_decide(const struct policy_contact *c, const struct policy_bot *b, const struct policy_send *s,
		  int64_t now_ms, struct policy_decision *d)
{
	if (!d)
		return -1;
	memset(d, 0, sizeof *d);
	block(d, "internal_error", now_ms);
	if (!c || !b || !s)
		return -1;
	if ((unsigned)c->consent > CONSENT_REVOKED || (unsigned)s->type > SEND_TEMPLATE ||
	    (unsigned)s->purpose > PURPOSE_MARKETING || !minute_ok(b->quiet_start_min) ||
	    !minute_ok(b->quiet_end_min) || b->reply_delay_s < 0 || b->reply_delay_s > POLICY_REPLY_DELAY_MAX_S)
		return -1;
	d->window_expires_ms = c->last_inbound_ms > 0 ? c->last_inbound_ms + POLICY_WINDOW_MS : 0;

	/* Consent that does not depend on the send instant. */
	bool wrote_after_revoking =
		c->consent == CONSENT_REVOKED && c->consent_at_ms > 0 && c->last_inbound_ms > c->consent_at_ms;
	if (c->consent == CONSENT_REVOKED && !(s->purpose == PURPOSE_REPLY && wrote_after_revoking))
		return block(d, "consent_revoked", now_ms);
	if (s->purpose == PURPOSE_MARKETING && c->consent != CONSENT_GRANTED)
		return block(d, "consent_unknown", now_ms);
	if (s->type == SEND_TEMPLATE && !s->template_approved)
		return block(d, "template_not_approved", now_ms);

	/* The instant the message would go out. */
	int64_t base = s->requested_at_ms > now_ms ? s->requested_at_ms : now_ms;
	int64_t t0 = base;
	const char *reason = t0 > now_ms ? "scheduled" : "ok";
	if (s->purpose == PURPOSE_REPLY && b->reply_delay_s > 0) {
		t0 += (int64_t)b->reply_delay_s * 1000;
		reason = "reply_delay";
	}
	int64_t t = t0;
	if (quiet_enabled(b) && (s->purpose != PURPOSE_REPLY || b->hold_replies_in_quiet_hours)) {
		if (policy_quiet_next_allowed(b, c->timezone, t0, &t) != 0)
			return -1;
		if (t != t0)
			reason = "quiet_hours";
	}

	/* The window at that instant. */
	if (!policy_in_service_window(c->last_inbound_ms, t)) {
		if (s->type == SEND_SESSION_TEXT) {
			/* open at the asked instant, closed by the time delay and quiet hours let it go */
			bool closed_while_held = policy_in_service_window(c->last_inbound_ms, base);
			d->switch_to_template_possible = c->consent == CONSENT_GRANTED;
			return block(d,
				     closed_while_held ? "service_window_closes_while_held"
						       : "outside_service_window",
				     t);
		}
		/* A template outside the window starts the conversation: WhatsApp wants an opt-in. */
		if (c->consent == CONSENT_REVOKED)
			return block(d, "consent_revoked", t);
		if (c->consent != CONSENT_GRANTED)
			return block(d, "consent_unknown", t);
	}
	d->reason = reason;
	if (t > now_ms) {
		d->action = POLICY_SEND_AT;
		d->send_at_ms = t;
	} else {
		d->action = POLICY_SEND_NOW;
		d->send_at_ms = now_ms;
	}
	return 0;
}

/* ---- bot config ----------------------------------------------------------------------------------- */

/* "HH:MM" → minutes, -1 when malformed. */
static int parse_hhmm(const char *s)
{
	if (!s || strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -1;
	int hh = (s[0] - '0') * 10 + (s[1] - '0');
	int mm = (s[3] - '0') * 10 + (s[4] - '0');
	if (hh > 23 || mm > 59)
		return -1;
	return hh * 60 + mm;
}

bool policy_check_hhmm(const char *s)
{
	return parse_hhmm(s) >= 0;
}

/* jansson's object iterator takes a non-const object but does not change it. */
static json_t *unconst(const json_t *v)
{
	union {
		const json_t *c;
		json_t *m;
	} u = {.c = v};
	return u.m;
}

int policy_parse_quiet_hours(const json_t *v, struct policy_bot *out, char *err, size_t errlen)
{
	int t[2];
	static const char *const keys[2] = {"start", "end"};

	if (!out)
		return errbuf_set(err, errlen, "quiet_hours: no target");
	if (!v) {
		out->quiet_start_min = POLICY_QUIET_DEFAULT_START;
		out->quiet_end_min = POLICY_QUIET_DEFAULT_END;
		return 0;
	}
	if (json_is_null(v)) {
		out->quiet_start_min = out->quiet_end_min = 0;
		return 0;
	}
	if (!json_is_object(v))
		return errbuf_set(
			err, errlen,
			"quiet_hours must be an object {\"start\":\"HH:MM\",\"end\":\"HH:MM\"} or null (none)");
	const char *key;
	json_t *val;
	json_object_foreach(unconst(v), key, val)
	{
		if (strcmp(key, "start") != 0 && strcmp(key, "end") != 0)
			return errbuf_set(err, errlen, "quiet_hours: unknown field \"%.40s\" (only start and end)", key);
	}
	for (int i = 0; i < 2; i++) {
		const json_t *x = json_object_get(v, keys[i]);
		if (!x)
			return errbuf_set(err, errlen, "quiet_hours.%s is required", keys[i]);
		t[i] = json_is_string(x) ? parse_hhmm(json_string_value(x)) : -1;
		if (t[i] < 0)
			return errbuf_set(err, errlen, "quiet_hours.%s must be a time HH:MM (00:00-23:59)", keys[i]);
	}
	/* equal times: no quiet hours, stored as 0/0 like null */
	out->quiet_start_min = t[0] == t[1] ? 0 : t[0];
	out->quiet_end_min = t[0] == t[1] ? 0 : t[1];
	return 0;
}

int policy_bot_from_config(const json_t *whatsapp, struct policy_bot *out, char *err, size_t errlen)
{
	struct policy_bot b;

	if (!out)
		return errbuf_set(err, errlen, "no target");
	policy_bot_defaults(&b);
	if (!whatsapp || json_is_null(whatsapp)) {
		*out = b;
		return 0;
	}
	if (!json_is_object(whatsapp))
		return errbuf_set(err, errlen, "whatsapp must be an object");
	if (policy_parse_quiet_hours(json_object_get(whatsapp, "quiet_hours"), &b, err, errlen) != 0)
		return -1;
	const json_t *hold = json_object_get(whatsapp, "hold_replies_in_quiet_hours");
	if (hold) {
		if (!json_is_boolean(hold))
			return errbuf_set(err, errlen, "hold_replies_in_quiet_hours must be true or false");
		b.hold_replies_in_quiet_hours = json_is_true(hold);
	}
	const json_t *delay = json_object_get(whatsapp, "reply_delay_seconds");
	if (delay) {
		json_int_t n = json_is_integer(delay) ? json_integer_value(delay) : -1;
		if (n < 0 || n > POLICY_REPLY_DELAY_MAX_S)
			return errbuf_set(err, errlen, "reply_delay_seconds must be a whole number from 0 to %d",
				    POLICY_REPLY_DELAY_MAX_S);
		b.reply_delay_s = (int)n;
	}
	*out = b;
	return 0;
}

/* ---- provider errors ------------------------------------------------------------------------------ */

static const struct {
	long code;
	enum policy_error_action action;
	const char *name;
} provider_errors[] = {
	{131047, POLICY_ERR_SWITCH_TO_TEMPLATE, "outside_service_window"},
	{470, POLICY_ERR_SWITCH_TO_TEMPLATE, "outside_service_window"},   /* legacy WhatsApp code */
	{63016, POLICY_ERR_SWITCH_TO_TEMPLATE, "outside_service_window"}, /* Twilio */
	{130429, POLICY_ERR_BACKOFF_NUMBER, "rate_limited"},
	{4, POLICY_ERR_BACKOFF_NUMBER, "rate_limited"},
	{80007, POLICY_ERR_BACKOFF_NUMBER, "rate_limited"},
	{63018, POLICY_ERR_BACKOFF_NUMBER, "rate_limited"}, /* Twilio */
	{131056, POLICY_ERR_BACKOFF_RECIPIENT, "pair_rate_limited"},
	{131048, POLICY_ERR_STOP_BULK, "spam_rate_limited"},
	{131049, POLICY_ERR_DO_NOT_RETRY, "not_delivered_by_provider"},
	{131026, POLICY_ERR_UNREACHABLE, "undeliverable"},
	{63024, POLICY_ERR_UNREACHABLE, "undeliverable"}, /* Twilio: invalid recipient */
	{131008, POLICY_ERR_DO_NOT_RETRY, "invalid_parameter"},
	{131009, POLICY_ERR_DO_NOT_RETRY, "invalid_parameter"},
	{100, POLICY_ERR_DO_NOT_RETRY, "invalid_parameter"},
	{131030, POLICY_ERR_DO_NOT_RETRY, "recipient_not_allowed"},
	{132000, POLICY_ERR_FIX_TEMPLATE, "template_error"},
	{132001, POLICY_ERR_FIX_TEMPLATE, "template_error"},
	{132012, POLICY_ERR_FIX_TEMPLATE, "template_error"},
	{132015, POLICY_ERR_FIX_TEMPLATE, "template_error"},
	{132016, POLICY_ERR_FIX_TEMPLATE, "template_error"},
	{131031, POLICY_ERR_ALERT_OPERATOR, "account_blocked"},
	{368, POLICY_ERR_ALERT_OPERATOR, "account_blocked"},
	{190, POLICY_ERR_ALERT_OPERATOR, "access_token_expired"},
	{131000, POLICY_ERR_RETRY, "provider_unavailable"},
	{131016, POLICY_ERR_RETRY, "provider_unavailable"},
	{2, POLICY_ERR_RETRY, "provider_unavailable"},
	{1, POLICY_ERR_RETRY, "provider_unavailable"},
};

enum policy_error_action policy_provider_error(long code, const char **name)
{
	for (size_t i = 0; i < sizeof provider_errors / sizeof provider_errors[0]; i++) {
		if (provider_errors[i].code == code) {
			if (name)
				*name = provider_errors[i].name;
			return provider_errors[i].action;
		}
	}
	if (name)
		*name = "provider_error";
	return POLICY_ERR_RETRY;
}
