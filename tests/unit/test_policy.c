/*
 * test_policy.c — unit tests for src/channels/policy.c: the 24-hour service window (inside, outside, at
 * its edge, closing while a send is held), consent per purpose (revoked blocks marketing, unknown blocks
 * marketing and business-initiated templates, a reply after revoking), template approval, quiet hours on
 * the contact's wall clock across the 2026 DST changes of Europe/Berlin and America/New_York (gaps and
 * repeated hours included), replies not held unless configured, the reply delay, scheduled sends, the
 * bot config parsers and the provider error table. Every instant is chosen here (an injected clock:
 * `now` is an argument); nothing reads the real clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "channels/policy.h"

/* ---- helpers ------------------------------------------------------------------------------------ */

#define HOUR_MS 3600000LL
#define MIN_MS 60000LL

/* Epoch ms of a UTC wall time (proleptic Gregorian, days from civil). */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
	int64_t yy = y - (mo <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
	int64_t days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
	return ((days * 24 + h) * 60 + mi) * MIN_MS;
}

static struct policy_bot bot_default(void)
{
	struct policy_bot b;
	policy_bot_defaults(&b);
	return b;
}

static struct policy_contact contact(int64_t last_inbound, enum policy_consent consent, const char *tz)
{
	return (struct policy_contact){.last_inbound_ms = last_inbound, .consent = consent, .timezone = tz};
}

static struct policy_send session(enum policy_purpose p)
{
	return (struct policy_send){.type = SEND_SESSION_TEXT, .purpose = p};
}

static struct policy_send tpl(enum policy_purpose p, bool approved)
{
	return (struct policy_send){.type = SEND_TEMPLATE, .purpose = p, .template_approved = approved};
}

/* Decides and checks action, reason and (for SEND_AT) the instant. */
static struct policy_decision expect(const struct policy_contact *c, const struct policy_bot *b,
				     const struct policy_send *s, int64_t now, enum policy_action action,
				     const char *reason, int64_t send_at)
{
	struct policy_decision d;
	assert_int_equal(policy_decide(c, b, s, now, &d), 0);
	if (d.action != action || strcmp(d.reason, reason) != 0)
		fail_msg("expected action %d reason %s, got action %d reason %s", action, reason, d.action,
			 d.reason);
	if (action != POLICY_BLOCK || send_at)
		assert_int_equal(d.send_at_ms, send_at);
	return d;
}

/* 12:00 CEST on a summer day in Berlin: no quiet hours involved. */
#define NOON utc(2026, 6, 10, 10, 0)

/* ---- 24-hour window ------------------------------------------------------------------------------ */

static void test_outside_window_without_template_blocked(void **state)
{
	(void)state;
	struct policy_bot b = bot_default();
	struct policy_send s = session(PURPOSE_SERVICE);

	/* last inbound 25 h ago, opted in: blocked, but an approved template would do */
	struct policy_contact c = contact(NOON - 25 * HOUR_MS, CONSENT_GRANTED, "Europe/Berlin");
	struct policy_decision d = expect(&c, &b, &s, NOON, POLICY_BLOCK, "outside_service_window", NOON);
	assert_true(d.switch_to_template_possible);
	assert_int_equal(d.window_expires_ms, NOON - HOUR_MS);

	/* consent unknown: a template outside the window would need an opt-in, so no switch */
	c.consent = CONSENT_UNKNOWN;
	d = expect(&c, &b, &s, NOON, POLICY_BLOCK, "outside_service_window", NOON);
	assert_false(d.switch_to_template_possible);

	/* never wrote */
	c = contact(0, CONSENT_GRANTED, "Europe/Berlin");
	d = expect(&c, &b, &s, NOON, POLICY_BLOCK, "outside_service_window", NOON);
	assert_true(d.switch_to_template_possible);
	assert_int_equal(d.window_expires_ms, 0);

	/* the approved template goes; an unapproved one does not */
	c.last_inbound_ms = NOON - 25 * HOUR_MS;
	struct policy_send t = tpl(PURPOSE_SERVICE, true);
	expect(&c, &b, &t, NOON, POLICY_SEND_NOW, "ok", NOON);
	t.template_approved = false;
	expect(&c, &b, &t, NOON, POLICY_BLOCK, "template_not_approved", NOON);
}

static void test_inside_window_session_allowed(void **state)
{
	(void)state;
	struct policy_bot b = bot_default();
	struct policy_contact c = contact(NOON - 2 * HOUR_MS, CONSENT_UNKNOWN, "Europe/Berlin");

	struct policy_send s = session(PURPOSE_REPLY);
	struct policy_decision d = expect(&c, &b, &s, NOON, POLICY_SEND_NOW, "ok", NOON);
	assert_int_equal(d.window_expires_ms, NOON + 22 * HOUR_MS);
	s = session(PURPOSE_SERVICE);
	expect(&c, &b, &s, NOON, POLICY_SEND_NOW, "ok", NOON);

	/* the window is [L, L + 24 h) */
	c.last_inbound_ms = NOON - POLICY_WINDOW_MS + 1;
	expect(&c, &b, &s, NOON, POLICY_SEND_NOW, "ok", NOON);
	c.last_inbound_ms = NOON - POLICY_WINDOW_MS;
	expect(&c, &b, &s, NOON, POLICY_BLOCK, "outside_service_window", NOON);
	assert_true(policy_in_service_window(NOON, NOON));
	assert_false(policy_in_service_window(0, NOON));
	assert_false(policy_in_service_window(NOON, NOON + POLICY_WINDOW_MS));
}

static void test_template_consent_outside_window(void **state)
{
	(void)state;
	struct policy_bot b = bot_default();
	/* a utility template (appointment reminder) to a contact who never opted in */
	struct policy_contact c = contact(NOON - 30 * HOUR_MS, CONSENT_UNKNOWN, "Europe/Berlin");
	struct policy_send t = tpl(PURPOSE_SERVICE, true);
	expect(&c, &b, &t, NOON, POLICY_BLOCK, "consent_unknown", NOON);
	/* inside the window the same template is part of the running conversation */
	c.last_inbound_ms = NOON - HOUR_MS;
	expect(&c, &b, &t, NOON, POLICY_SEND_NOW, "ok", NOON);
	/* opted in: allowed outside the window too */
	c = contact(NOON - 30 * HOUR_MS, CONSENT_GRANTED, "Europe/Berlin");
	expect(&c, &b, &t, NOON, POLICY_SEND_NOW, "ok", NOON);
}

/* ---- consent ------------------------------------------------------------------------------------- */

static void test_revoked_consent_blocks_marketing(void **state)
{
	(void)state;
	struct policy_bot b = bot_default();
	struct policy_contact c = contact(NOON - HOUR_MS, CONSENT_REVOKED, "Europe/Berlin");
	c.consent_at_ms = NOON - 2 * HOUR_MS; /* revoked, then wrote again */

	struct policy_send s = session(PURPOSE_MARKETING);
	struct policy_decision d = expect(&c, &b, &s, NOON, POLICY_BLOCK, "consent_revoked", NOON);
	assert_false(d.switch_to_template_possible);
	struct policy_send t = tpl(PURPOSE_MARKETING, true);
	expect(&c, &b, &t, NOON, POLICY_BLOCK, "consent_revoked", NOON);
	/* service messages stop too */
	s = session(PURPOSE_SERVICE);
	expect(&c, &b, &s, NOON, POLICY_BLOCK, "consent_revoked", NOON);

	/* unknown consent: marketing blocked even inside the window */
	c.consent = CONSENT_UNKNOWN;
	s = session(PURPOSE_MARKETING);
	expect(&c, &b, &s, NOON, POLICY_BLOCK, "consent_unknown", NOON);
	expect(&c, &b, &t, NOON, POLICY_BLOCK, "consent_unknown", NOON);
	/* granted: allowed */
	c.consent = CONSENT_GRANTED;
	expect(&c, &b, &s, NOON, POLICY_SEND_NOW, "ok", NOON);
	expect(&c, &b, &t, NOON, POLICY_SEND_NOW, "ok", NOON);
}

static void test_reply_after_revoking(void **state)
{
	(void)state;
	struct policy_bot b = bot_default();
	struct policy_send s = session(PURPOSE_REPLY);

	/* revoked after the last message: no reply */
	struct policy_contact c = contact(NOON - 2 * HOUR_MS, CONSENT_REVOKED, "Europe/Berlin");
	c.consent_at_ms = NOON - HOUR_MS;
	expect(&c, &b, &s, NOON, POLICY_BLOCK, "consent_revoked", NOON);
	/* revocation time unknown: no reply */
	c.consent_at_ms = 0;
	expect(&c, &b, &s, NOON, POLICY_BLOCK, "consent_revoked", NOON);
	/* the contact wrote after revoking: the answer is allowed, nothing else */
	c.consent_at_ms = NOON - 3 * HOUR_MS;
	expect(&c, &b, &s, NOON, POLICY_SEND_NOW, "ok", NOON);
	struct policy_send t = tpl(PURPOSE_REPLY, true);
	expect(&c, &b, &t, NOON, POLICY_SEND_NOW, "ok", NOON);
	/* ... and only while the window is open */
	c.last_inbound_ms = NOON - 25 * HOUR_MS;
	c.consent_at_ms = NOON - 26 * HOUR_MS;
	expect(&c, &b, &t, NOON, POLICY_BLOCK, "consent_revoked", NOON);
	struct policy_decision d = expect(&c, &b, &s, NOON, POLICY_BLOCK, "outside_service_window", NOON);
	assert_false(d.switch_to_template_possible);
}

/* ---- quiet hours --------------------------------------------------------------------------------- */

/* A marketing template to an opted-in contact, so only quiet hours decide. */
static void expect_held(const char *tz, int64_t now, int64_t send_at)
{
	struct policy_bot b = bot_default();
	struct policy_contact c = contact(0, CONSENT_GRANTED, tz);
	struct policy_send t = tpl(PURPOSE_MARKETING, true);
	if (send_at == now) {
		expect(&c, &b, &t, now, POLICY_SEND_NOW, "ok", now);
	} else {
		expect(&c, &b, &t, now, POLICY_SEND_AT, "quiet_hours", send_at);
		int64_t out = 0;
		assert_int_equal(policy_quiet_next_allowed(&b, tz, now, &out), 0);
		assert_int_equal(out, send_at);
	}
}

static void test_quiet_hours_shift_across_dst(void **state)
{
	(void)state;
	/* Europe/Berlin, spring forward 2026-03-29 02:00 CET → 03:00 CEST: 23:30 CET → 07:00 CEST (7 h) */
	expect_held("Europe/Berlin", utc(2026, 3, 28, 22, 30), utc(2026, 3, 29, 5, 0));
	expect_held("Europe/Berlin", utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 5, 0));    /* 03:30 CEST */
	expect_held("Europe/Berlin", utc(2026, 3, 29, 4, 59), utc(2026, 3, 29, 5, 0));    /* 06:59 CEST */
	expect_held("Europe/Berlin", utc(2026, 3, 29, 5, 0), utc(2026, 3, 29, 5, 0));     /* 07:00: free */
	expect_held("Europe/Berlin", utc(2026, 3, 28, 21, 59), utc(2026, 3, 28, 21, 59)); /* 22:59 CET */
	expect_held("Europe/Berlin", utc(2026, 3, 28, 22, 0), utc(2026, 3, 29, 5, 0));    /* 23:00 CET */
	/* fall back 2026-10-25 03:00 CEST → 02:00 CET: 23:30 CEST → 07:00 CET (8.5 h) */
	expect_held("Europe/Berlin", utc(2026, 10, 24, 21, 30), utc(2026, 10, 25, 6, 0));
	expect_held("Europe/Berlin", utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 6, 0)); /* 02:30 CEST */
	expect_held("Europe/Berlin", utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 6, 0)); /* 02:30 CET */
	expect_held("Europe/Berlin", utc(2026, 10, 25, 6, 0), utc(2026, 10, 25, 6, 0));
	/* America/New_York, 2026-03-08 02:00 EST → 03:00 EDT: 23:30 EST → 07:00 EDT */
	expect_held("America/New_York", utc(2026, 3, 8, 4, 30), utc(2026, 3, 8, 11, 0));
	/* 2026-11-01 02:00 EDT → 01:00 EST: 23:30 EDT → 07:00 EST */
	expect_held("America/New_York", utc(2026, 11, 1, 3, 30), utc(2026, 11, 1, 12, 0));
	expect_held("America/New_York", utc(2026, 11, 1, 6, 30), utc(2026, 11, 1, 12, 0)); /* 01:30 EST */
	/* unknown, empty and missing zones fall back to Europe/Berlin */
	expect_held("Mars/Olympus_Mons", utc(2026, 3, 28, 22, 30), utc(2026, 3, 29, 5, 0));
	expect_held("", utc(2026, 3, 28, 22, 30), utc(2026, 3, 29, 5, 0));
	expect_held(NULL, utc(2026, 10, 24, 21, 30), utc(2026, 10, 25, 6, 0));
}

static int64_t next_allowed(int start, int end, const char *tz, int64_t t)
{
	struct policy_bot b = {.quiet_start_min = start, .quiet_end_min = end};
	int64_t out = -1;
	assert_int_equal(policy_quiet_next_allowed(&b, tz, t, &out), 0);
	return out;
}

/* Quiet periods whose ends fall into the DST gap or the repeated hour (rules in policy.h). */
static void test_quiet_hours_gap_and_repeated_hour(void **state)
{
	(void)state;
	const char *tz = "Europe/Berlin";
	int q0100 = 60, q0230 = 150, q0600 = 360;

	/* 01:00–02:30 on 2026-03-29: 02:30 does not exist → the period ends at 03:00 CEST (01:00 UTC) */
	assert_int_equal(next_allowed(q0100, q0230, tz, utc(2026, 3, 29, 0, 30)), utc(2026, 3, 29, 1, 0));
	assert_int_equal(next_allowed(q0100, q0230, tz, utc(2026, 3, 29, 1, 0)), utc(2026, 3, 29, 1, 0));
	/* 02:30–06:00 on that day starts when the gap ends (03:00 CEST) */
	assert_int_equal(next_allowed(q0230, q0600, tz, utc(2026, 3, 29, 0, 59)), utc(2026, 3, 29, 0, 59));
	assert_int_equal(next_allowed(q0230, q0600, tz, utc(2026, 3, 29, 1, 0)), utc(2026, 3, 29, 4, 0));
	/* a period wholly in the gap (02:00–02:45) is empty that day */
	assert_int_equal(next_allowed(120, 165, tz, utc(2026, 3, 29, 1, 0)), utc(2026, 3, 29, 1, 0));
	assert_int_equal(next_allowed(120, 165, tz, utc(2026, 3, 30, 0, 10)), utc(2026, 3, 30, 0, 45));

	/* 01:00–02:30 on 2026-10-25: from 01:00 CEST (23:00 UTC) to the second 02:30 (02:30 CET, 01:30 UTC) */
	assert_int_equal(next_allowed(q0100, q0230, tz, utc(2026, 10, 24, 22, 59)), utc(2026, 10, 24, 22, 59));
	assert_int_equal(next_allowed(q0100, q0230, tz, utc(2026, 10, 24, 23, 0)), utc(2026, 10, 25, 1, 30));
	assert_int_equal(next_allowed(q0100, q0230, tz, utc(2026, 10, 25, 0, 15)), utc(2026, 10, 25, 1, 30));
	assert_int_equal(next_allowed(q0100, q0230, tz, utc(2026, 10, 25, 0, 45)), utc(2026, 10, 25, 1, 30));
	assert_int_equal(next_allowed(q0100, q0230, tz, utc(2026, 10, 25, 1, 15)), utc(2026, 10, 25, 1, 30));
	assert_int_equal(next_allowed(q0100, q0230, tz, utc(2026, 10, 25, 1, 30)), utc(2026, 10, 25, 1, 30));
	/* 02:30–06:00 on that day starts at the first 02:30 (CEST, 00:30 UTC) */
	assert_int_equal(next_allowed(q0230, q0600, tz, utc(2026, 10, 25, 0, 29)), utc(2026, 10, 25, 0, 29));
	assert_int_equal(next_allowed(q0230, q0600, tz, utc(2026, 10, 25, 0, 30)), utc(2026, 10, 25, 5, 0));
}

static void test_quiet_hours_same_day_and_none(void **state)
{
	(void)state;
	const char *tz = "Europe/Berlin";
	/* 12:00–14:00 (a lunch break), summer: 12:30 CEST → 14:00 CEST */
	assert_int_equal(next_allowed(720, 840, tz, utc(2026, 6, 1, 10, 30)), utc(2026, 6, 1, 12, 0));
	assert_int_equal(next_allowed(720, 840, tz, utc(2026, 6, 1, 9, 59)), utc(2026, 6, 1, 9, 59));
	assert_int_equal(next_allowed(720, 840, tz, utc(2026, 6, 1, 12, 0)), utc(2026, 6, 1, 12, 0));
	/* start == end: none */
	assert_int_equal(next_allowed(0, 0, tz, utc(2026, 6, 1, 1, 0)), utc(2026, 6, 1, 1, 0));
	assert_int_equal(next_allowed(420, 420, tz, utc(2026, 6, 1, 1, 0)), utc(2026, 6, 1, 1, 0));
	/* 23:00–07:00 across a month and year end, seconds dropped to the minute */
	assert_int_equal(next_allowed(1380, 420, tz, utc(2026, 12, 31, 23, 30) + 12345), utc(2027, 1, 1, 6, 0));
	assert_int_equal(next_allowed(1380, 420, "UTC", utc(2026, 12, 31, 23, 30)), utc(2027, 1, 1, 7, 0));
	/* 00:00–06:00 (start at midnight) */
	assert_int_equal(next_allowed(0, 360, "UTC", utc(2026, 6, 1, 0, 0)), utc(2026, 6, 1, 6, 0));
	assert_int_equal(next_allowed(0, 360, "UTC", utc(2026, 5, 31, 23, 59)), utc(2026, 5, 31, 23, 59));
}

static void test_window_closing_while_held(void **state)
{
	(void)state;
	struct policy_bot b = bot_default();
	/* wrote at 23:30 CEST; at 23:15 CEST next day a service text is held until 07:00 CEST, after the
	 * window closed at 23:30 CEST */
	int64_t last = utc(2026, 6, 1, 21, 30), now = utc(2026, 6, 2, 21, 15), seven = utc(2026, 6, 3, 5, 0);
	struct policy_contact c = contact(last, CONSENT_GRANTED, "Europe/Berlin");
	struct policy_send s = session(PURPOSE_SERVICE);
	struct policy_decision d =
		expect(&c, &b, &s, now, POLICY_BLOCK, "service_window_closes_while_held", seven);
	assert_true(d.switch_to_template_possible);
	/* the approved template is scheduled for 07:00 instead */
	struct policy_send t = tpl(PURPOSE_SERVICE, true);
	expect(&c, &b, &t, now, POLICY_SEND_AT, "quiet_hours", seven);
	/* a window that is still open at 07:00: the text is held, not blocked */
	c.last_inbound_ms = utc(2026, 6, 2, 20, 0);
	expect(&c, &b, &s, now, POLICY_SEND_AT, "quiet_hours", seven);
	/* window closing during a reply delay */
	b.reply_delay_s = 60;
	c.last_inbound_ms = NOON - POLICY_WINDOW_MS + 30000;
	s = session(PURPOSE_REPLY);
	expect(&c, &b, &s, NOON, POLICY_BLOCK, "service_window_closes_while_held", NOON + 60000);
}

static void test_reply_not_held_unless_configured(void **state)
{
	(void)state;
	struct policy_bot b = bot_default();
	int64_t now = utc(2026, 6, 1, 21, 30), seven = utc(2026, 6, 2, 5, 0); /* 23:30 CEST */
	struct policy_contact c = contact(now - 60000, CONSENT_UNKNOWN, "Europe/Berlin");

	struct policy_send s = session(PURPOSE_REPLY);
	expect(&c, &b, &s, now, POLICY_SEND_NOW, "ok", now);
	/* a business-initiated service text at the same instant is held */
	struct policy_send svc = session(PURPOSE_SERVICE);
	expect(&c, &b, &svc, now, POLICY_SEND_AT, "quiet_hours", seven);
	/* the bot holds replies too */
	b.hold_replies_in_quiet_hours = true;
	expect(&c, &b, &s, now, POLICY_SEND_AT, "quiet_hours", seven);
	/* no quiet hours: nothing is held */
	b.quiet_start_min = b.quiet_end_min = 0;
	expect(&c, &b, &svc, now, POLICY_SEND_NOW, "ok", now);
}

static void test_reply_delay(void **state)
{
	(void)state;
	struct policy_bot b = bot_default();
	b.reply_delay_s = 30;
	struct policy_contact c = contact(NOON - 1000, CONSENT_UNKNOWN, "Europe/Berlin");

	struct policy_send s = session(PURPOSE_REPLY);
	expect(&c, &b, &s, NOON, POLICY_SEND_AT, "reply_delay", NOON + 30000);
	/* replies only */
	struct policy_send svc = session(PURPOSE_SERVICE);
	expect(&c, &b, &svc, NOON, POLICY_SEND_NOW, "ok", NOON);
	/* a delay that ends in quiet hours: the reply goes at the end of the delay unless replies are held */
	int64_t late = utc(2026, 6, 1, 20, 59) + 45000; /* 22:59:45 CEST */
	c.last_inbound_ms = late - 1000;
	expect(&c, &b, &s, late, POLICY_SEND_AT, "reply_delay", late + 30000);
	b.hold_replies_in_quiet_hours = true;
	expect(&c, &b, &s, late, POLICY_SEND_AT, "quiet_hours", utc(2026, 6, 2, 5, 0));
	/* out of range */
	struct policy_decision d;
	b.reply_delay_s = POLICY_REPLY_DELAY_MAX_S + 1;
	assert_int_equal(policy_decide(&c, &b, &s, NOON, &d), -1);
	assert_int_equal(d.action, POLICY_BLOCK);
	assert_string_equal(d.reason, "internal_error");
}

static void test_scheduled_send(void **state)
{
	(void)state;
	struct policy_bot b = bot_default();
	struct policy_contact c = contact(0, CONSENT_GRANTED, "Europe/Berlin");
	struct policy_send t = tpl(PURPOSE_SERVICE, true);

	t.requested_at_ms = NOON + HOUR_MS;
	expect(&c, &b, &t, NOON, POLICY_SEND_AT, "scheduled", NOON + HOUR_MS);
	/* asked for 05:00 CEST: moved to 07:00 */
	t.requested_at_ms = utc(2026, 6, 11, 3, 0);
	expect(&c, &b, &t, NOON, POLICY_SEND_AT, "quiet_hours", utc(2026, 6, 11, 5, 0));
	/* an instant in the past means now */
	t.requested_at_ms = NOON - HOUR_MS;
	expect(&c, &b, &t, NOON, POLICY_SEND_NOW, "ok", NOON);
	/* a session text scheduled after its window closes */
	c.last_inbound_ms = NOON;
	struct policy_send s = session(PURPOSE_SERVICE);
	s.requested_at_ms = NOON + 25 * HOUR_MS;
	expect(&c, &b, &s, NOON, POLICY_BLOCK, "outside_service_window", NOON + 25 * HOUR_MS);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	struct policy_bot b = bot_default();
	struct policy_contact c = contact(NOON, CONSENT_GRANTED, "Europe/Berlin");
	struct policy_send s = session(PURPOSE_REPLY);
	struct policy_decision d;

	assert_int_equal(policy_decide(NULL, &b, &s, NOON, &d), -1);
	assert_string_equal(d.reason, "internal_error");
	assert_int_equal(policy_decide(&c, &b, &s, NOON, NULL), -1);
	b.quiet_end_min = 1440;
	assert_int_equal(policy_decide(&c, &b, &s, NOON, &d), -1);
	b = bot_default();
	s.purpose = (enum policy_purpose)7;
	assert_int_equal(policy_decide(&c, &b, &s, NOON, &d), -1);
	int64_t out;
	b.quiet_start_min = -1;
	assert_int_equal(policy_quiet_next_allowed(&b, "Europe/Berlin", NOON, &out), -1);
}

/* ---- config, zones, provider errors -------------------------------------------------------------- */

static json_t *js(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
	if (!v)
		fail_msg("bad test JSON %s: %s", text, e.text);
	return v;
}

/* Parses quiet_hours `text` (NULL: absent); returns the rc, err in msg. */
static int quiet(const char *text, struct policy_bot *b, char *msg)
{
	json_t *v = text ? js(text) : NULL;
	msg[0] = '\0';
	int rc = policy_parse_quiet_hours(v, b, msg, 160);
	json_decref(v);
	return rc;
}

static void test_parse_quiet_hours(void **state)
{
	(void)state;
	struct policy_bot b = {.quiet_start_min = 5, .quiet_end_min = 6};
	char msg[160];

	assert_int_equal(quiet(NULL, &b, msg), 0);
	assert_int_equal(b.quiet_start_min, 23 * 60);
	assert_int_equal(b.quiet_end_min, 7 * 60);
	assert_int_equal(quiet("null", &b, msg), 0);
	assert_int_equal(b.quiet_start_min, b.quiet_end_min);
	assert_int_equal(quiet("{\"start\":\"22:30\",\"end\":\"06:15\"}", &b, msg), 0);
	assert_int_equal(b.quiet_start_min, 22 * 60 + 30);
	assert_int_equal(b.quiet_end_min, 6 * 60 + 15);
	assert_int_equal(quiet("{\"start\":\"08:00\",\"end\":\"08:00\"}", &b, msg), 0);
	assert_int_equal(b.quiet_start_min, b.quiet_end_min);

	b = bot_default();
	assert_int_equal(quiet("{\"start\":\"24:00\",\"end\":\"07:00\"}", &b, msg), -1);
	assert_string_equal(msg, "quiet_hours.start must be a time HH:MM (00:00-23:59)");
	assert_int_equal(quiet("{\"start\":\"23:00\",\"end\":\"7:00\"}", &b, msg), -1);
	assert_string_equal(msg, "quiet_hours.end must be a time HH:MM (00:00-23:59)");
	assert_int_equal(quiet("{\"start\":\"23:00\",\"end\":700}", &b, msg), -1);
	assert_int_equal(quiet("{\"start\":\"23:00\"}", &b, msg), -1);
	assert_string_equal(msg, "quiet_hours.end is required");
	assert_int_equal(quiet("{\"start\":\"23:00\",\"end\":\"07:00\",\"tz\":\"UTC\"}", &b, msg), -1);
	assert_string_equal(msg, "quiet_hours: unknown field \"tz\" (only start and end)");
	assert_int_equal(quiet("\"23:00-07:00\"", &b, msg), -1);
	/* unchanged on error */
	assert_int_equal(b.quiet_start_min, 23 * 60);
	assert_int_equal(b.quiet_end_min, 7 * 60);

	assert_true(policy_check_hhmm("00:00"));
	assert_true(policy_check_hhmm("23:59"));
	assert_false(policy_check_hhmm("23:60"));
	assert_false(policy_check_hhmm("2300"));
	assert_false(policy_check_hhmm(NULL));
}

static void test_bot_from_config(void **state)
{
	(void)state;
	struct policy_bot b;
	char msg[160];

	assert_int_equal(policy_bot_from_config(NULL, &b, msg, sizeof msg), 0);
	assert_int_equal(b.quiet_start_min, 23 * 60);
	assert_false(b.hold_replies_in_quiet_hours);
	assert_int_equal(b.reply_delay_s, 0);

	json_t *v = js("{\"quiet_hours\":null,\"hold_replies_in_quiet_hours\":true,\"reply_delay_seconds\":90,"
		       "\"phone_number_id\":\"123\"}");
	assert_int_equal(policy_bot_from_config(v, &b, msg, sizeof msg), 0);
	assert_int_equal(b.quiet_start_min, b.quiet_end_min);
	assert_true(b.hold_replies_in_quiet_hours);
	assert_int_equal(b.reply_delay_s, 90);
	json_decref(v);

	v = js("{\"reply_delay_seconds\":3601}");
	assert_int_equal(policy_bot_from_config(v, &b, msg, sizeof msg), -1);
	assert_string_equal(msg, "reply_delay_seconds must be a whole number from 0 to 3600");
	json_decref(v);
	v = js("{\"hold_replies_in_quiet_hours\":1}");
	assert_int_equal(policy_bot_from_config(v, &b, msg, sizeof msg), -1);
	assert_string_equal(msg, "hold_replies_in_quiet_hours must be true or false");
	json_decref(v);
	v = js("{\"quiet_hours\":{\"start\":\"x\",\"end\":\"07:00\"}}");
	assert_int_equal(policy_bot_from_config(v, &b, msg, sizeof msg), -1);
	assert_string_equal(msg, "quiet_hours.start must be a time HH:MM (00:00-23:59)");
	json_decref(v);
	/* unchanged on error */
	assert_int_equal(b.reply_delay_s, 90);
}

static void test_timezone_valid(void **state)
{
	(void)state;
	assert_true(policy_timezone_valid("Europe/Berlin"));
	assert_true(policy_timezone_valid("America/New_York"));
	assert_true(policy_timezone_valid("UTC"));
	assert_false(policy_timezone_valid("Europe/Atlantis"));
	assert_false(policy_timezone_valid(""));
	assert_false(policy_timezone_valid(NULL));
	assert_false(policy_timezone_valid("Europe/Berlin; DROP"));
}

static void test_provider_errors(void **state)
{
	(void)state;
	const char *name = NULL;
	assert_int_equal(policy_provider_error(131047, &name), POLICY_ERR_SWITCH_TO_TEMPLATE);
	assert_string_equal(name, "outside_service_window");
	assert_int_equal(policy_provider_error(63016, &name), POLICY_ERR_SWITCH_TO_TEMPLATE);
	assert_int_equal(policy_provider_error(130429, &name), POLICY_ERR_BACKOFF_NUMBER);
	assert_string_equal(name, "rate_limited");
	assert_int_equal(policy_provider_error(131056, &name), POLICY_ERR_BACKOFF_RECIPIENT);
	assert_string_equal(name, "pair_rate_limited");
	assert_int_equal(policy_provider_error(131048, NULL), POLICY_ERR_STOP_BULK);
	assert_int_equal(policy_provider_error(131049, NULL), POLICY_ERR_DO_NOT_RETRY);
	assert_int_equal(policy_provider_error(131026, NULL), POLICY_ERR_UNREACHABLE);
	assert_int_equal(policy_provider_error(132001, NULL), POLICY_ERR_FIX_TEMPLATE);
	assert_int_equal(policy_provider_error(190, NULL), POLICY_ERR_ALERT_OPERATOR);
	assert_int_equal(policy_provider_error(131000, NULL), POLICY_ERR_RETRY);
	assert_int_equal(policy_provider_error(999999, &name), POLICY_ERR_RETRY);
	assert_string_equal(name, "provider_error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outside_window_without_template_blocked),
		cmocka_unit_test(test_inside_window_session_allowed),
		cmocka_unit_test(test_template_consent_outside_window),
		cmocka_unit_test(test_revoked_consent_blocks_marketing),
		cmocka_unit_test(test_reply_after_revoking),
		cmocka_unit_test(test_quiet_hours_shift_across_dst),
		cmocka_unit_test(test_quiet_hours_gap_and_repeated_hour),
		cmocka_unit_test(test_quiet_hours_same_day_and_none),
		cmocka_unit_test(test_window_closing_while_held),
		cmocka_unit_test(test_reply_not_held_unless_configured),
		cmocka_unit_test(test_reply_delay),
		cmocka_unit_test(test_scheduled_send),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_parse_quiet_hours),
		cmocka_unit_test(test_bot_from_config),
		cmocka_unit_test(test_timezone_valid),
		cmocka_unit_test(test_provider_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
