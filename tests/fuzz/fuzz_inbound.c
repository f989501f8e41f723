/*
 * fuzz_inbound.c — libFuzzer harness for the WhatsApp webhook parsers (src/channels/inbound.c), which
 * read what Meta's Cloud API and Twilio POST to us.
 *
 * Input: the raw body, given (as an exact-size copy, so ASan sees any over-read) to both
 * wa_parse_webhook and twilio_parse_form; the parameters of an accepted form also go to twilio_event.
 * Invariants checked (abort on violation):
 *   - a refused body leaves an empty batch; an accepted one holds at most WA_EVENTS_MAX events;
 *   - every event has a valid kind, a provider id of 1..WA_ID_MAX printable ASCII bytes, a number that
 *     is "" or "+" and 1..15 digits, a sender (number or user id) when it is a message, and texts that
 *     are valid UTF-8 within their caps (text ≤ WA_TEXT_MAX bytes, truncated only when cut);
 *   - an accepted form has at most `max` parameters with names of 1..TWILIO_KEY_MAX bytes and no NUL,
 *     and percent-encoding them all again and decoding that gives the same parameters back.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/inbound.h"

#define FORM_MAX 64

/* An independent UTF-8 check (RFC 3629 table 3-7), written apart from the parser's. */
static bool utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		size_t k;
		unsigned min;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			k = 1;
			min = 0x80;
			c &= 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			k = 2;
			min = 0x800;
			c &= 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			k = 3;
			min = 0x10000;
			c &= 0x07;
		} else
			return false;
		if (n - i <= k) /* the k continuation bytes are not all there */
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			c = c << 6 | (s[i + j] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

static void check_str(const char *s, size_t size, bool utf8)
{
	size_t n = strnlen(s, size);
	if (n == size) /* not terminated inside its field */
		abort();
	if (utf8 && !utf8_ok((const unsigned char *)s, n))
		abort();
}

static void check_id(const char *s, size_t size, bool required)
{
	size_t n = strnlen(s, size);
	if (n == size || n > WA_ID_MAX || (required && n == 0))
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			abort();
}

static void check_e164(const char *s)
{
	size_t n = strnlen(s, WA_E164_MAX);
	if (n == WA_E164_MAX)
		abort();
	if (n == 0)
		return;
	if (s[0] != '+' || n < 2 || n > 16)
		abort();
	for (size_t i = 1; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			abort();
}

static void check_event(const struct wa_event *e)
{
	if (e->kind != WA_EVENT_MESSAGE && e->kind != WA_EVENT_STATUS)
		abort();
	if (e->status > WA_STATUS_UNDELIVERED || e->type > WA_MSG_UNSUPPORTED)
		abort();
	if ((e->kind == WA_EVENT_STATUS) != (e->type == WA_MSG_NONE))
		abort();
	check_id(e->provider_id, sizeof e->provider_id, true);
	check_id(e->user_id, sizeof e->user_id, false);
	check_id(e->phone_number_id, sizeof e->phone_number_id, false);
	check_id(e->reply_id, sizeof e->reply_id, false);
	check_id(e->context_id, sizeof e->context_id, false);
	check_e164(e->from_e164);
	check_e164(e->business_e164);
	if (e->kind == WA_EVENT_MESSAGE && !e->from_e164[0] && !e->user_id[0])
		abort();
	check_str(e->profile_name, sizeof e->profile_name, true);
	check_str(e->reply_title, sizeof e->reply_title, true);
	check_str(e->error_title, sizeof e->error_title, true);
	check_str(e->callback_data, sizeof e->callback_data, true);
	check_str(e->unsupported_type, sizeof e->unsupported_type, false);
	if ((e->type == WA_MSG_UNSUPPORTED) != (e->unsupported_type[0] != '\0'))
		abort();
	if (e->text) {
		size_t n = strlen(e->text);
		if (n > WA_TEXT_MAX || !utf8_ok((const unsigned char *)e->text, n))
			abort();
		if (e->text_truncated && n + 4 <= WA_TEXT_MAX)
			abort();
	} else if (e->text_truncated || e->type == WA_MSG_TEXT) {
		abort();
	}
	if (e->timestamp < 0 || e->error_code < 0)
		abort();
}

/* Appends s percent-encoded (everything but [A-Za-z0-9], space as '+'). */
static size_t encode(char *out, const char *s)
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
			out[o++] = (char)*p;
		else if (*p == ' ')
			out[o++] = '+';
		else
			o += (size_t)sprintf(out + o, "%%%02X", *p);
	}
	return o;
}

static void check_form(const struct form_param *p, size_t n, size_t size)
{
	if (n > FORM_MAX)
		abort();
	char *again = malloc(3 * size + 2 * n + 1);
	if (!again)
		abort();
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(p[i].key);
		if (k == 0 || k > TWILIO_KEY_MAX || p[i].value < p[i].key + k + 1)
			abort();
		if (i)
			again[at++] = '&';
		at += encode(again + at, p[i].key);
		again[at++] = '=';
		at += encode(again + at, p[i].value);
	}
	struct form_param q[FORM_MAX];
	size_t m = 0;
	if (twilio_parse_form(again, at, q, FORM_MAX, &m) != 0 || m != n)
		abort();
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].key, q[i].key) != 0 || strcmp(p[i].value, q[i].value) != 0)
			abort();
	form_params_free(q, m);
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = malloc(size ? size : 1);
	if (!body)
		return 0;
	memcpy(body, data, size);

	struct wa_batch b;
	char err[128];
	int rc = wa_parse_webhook(body, size, &b, err, sizeof err);
	if (rc != 0 && (rc != -1 || b.events || b.n))
		abort();
	if (rc == 0) {
		if (b.n > WA_EVENTS_MAX || (b.n && !b.events))
			abort();
		for (size_t i = 0; i < b.n; i++)
			check_event(&b.events[i]);
		wa_batch_free(&b);
	}

	struct form_param p[FORM_MAX];
	size_t n = 0;
	if (twilio_parse_form(body, size, p, FORM_MAX, &n) == 0) {
		check_form(p, n, size);
		struct wa_event ev;
		if (twilio_event(p, n, &ev) == 0)
			check_event(&ev);
		else if (ev.text || ev.provider_id[0])
			abort();
		wa_event_clear(&ev);
		form_params_free(p, n);
	} else if (n != 0) {
		abort();
	}
	free(body);
	return 0;
}
