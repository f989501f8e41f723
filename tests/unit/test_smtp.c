/*
 * test_smtp.c — the email botwerk writes (net/smtp.h smtp_message) and the text of a handover email
 * (api/wa_notify.h): headers a relay and a mail program accept, UTF-8 that survives the trip, and no way
 * for a subject to add a header. Sending itself is tested end to end against tests/fakes/smtp.mjs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "api/wa_notify.h"
#include "net/smtp.h"

#define T0 1796212800000LL /* 2026-12-02T12:00:00Z, a Wednesday */

/* The decoded subject: the encoded words of the (unfolded) Subject header joined. */
static void decode_subject(const char *msg, char *out, size_t outlen)
{
	const char *s = strstr(msg, "\r\nSubject:");
	assert_non_null(s);
	s += 10;
	size_t n = 0;
	for (;;) {
		const char *w = strstr(s, "=?UTF-8?B?");
		const char *eol = strstr(s, "\r\n");
		if (!w || w > eol) {
			/* a folded line continues with a space */
			if (eol[2] != ' ')
				break;
			s = eol + 2;
			continue;
		}
		w += 10;
		const char *end = strstr(w, "?=");
		assert_non_null(end);
		assert_true(end - w + 12 <= 75); /* RFC 2047: an encoded word is at most 75 characters */
		size_t got = 0;
		assert_int_equal(sodium_base642bin((unsigned char *)out + n, outlen - n - 1, w, (size_t)(end - w), NULL,
						   &got, NULL, sodium_base64_VARIANT_ORIGINAL),
				 0);
		n += got;
		s = end + 2;
	}
	out[n] = '\0';
}

static void decode_body(const char *msg, char *out, size_t outlen)
{
	const char *b = strstr(msg, "\r\n\r\n");
	assert_non_null(b);
	b += 4;
	size_t n = 0;
	while (*b) {
		const char *eol = strstr(b, "\r\n");
		assert_non_null(eol);
		assert_true(eol - b <= 76);
		size_t got = 0;
		assert_int_equal(sodium_base642bin((unsigned char *)out + n, outlen - n - 1, b, (size_t)(eol - b), NULL, &got,
						   NULL, sodium_base64_VARIANT_ORIGINAL),
				 0);
		n += got;
		b = eol + 2;
	}
	out[n] = '\0';
}

static void test_message_headers_and_utf8(void **state)
{
	(void)state;
	const char *subject = "WhatsApp-Übergabe: Jürgen Müller-Lüdenscheidt (+4917610000501) (Physiopraxis Grün & "
			      "Söhne – Öffnungszeiten täglich)";
	struct smtp_mail m = {.to = "team@studio.example", .subject = subject,
			      .text = "Guten Tag,\n\nein Kontakt möchte sprechen.\n.\nEnde – ÄÖÜß\n"};
	char *msg = NULL;
	assert_int_equal(smtp_message("bot@botwerk.test", &m, T0, &msg), 0);
	assert_non_null(strstr(msg, "From: <bot@botwerk.test>\r\nTo: <team@studio.example>\r\n"));
	assert_non_null(strstr(msg, "\r\nDate: Wed, 02 Dec 2026 12:00:00 +0000\r\n"));
	assert_non_null(strstr(msg, "\r\nMessage-ID: <"));
	assert_non_null(strstr(msg, "@botwerk.test>\r\n"));
	assert_non_null(strstr(msg, "\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n"));
	/* every line ends in CRLF, none is longer than 78 characters, and the message is ASCII */
	for (const char *p = msg; *p;) {
		const char *eol = strstr(p, "\r\n");
		assert_non_null(eol);
		assert_true(eol - p <= 78);
		for (const char *q = p; q < eol; q++)
			assert_true((unsigned char)*q < 0x80 && *q != '\r' && *q != '\n');
		p = eol + 2;
	}
	char got[1024];
	decode_subject(msg, got, sizeof got);
	assert_string_equal(got, subject);
	decode_body(msg, got, sizeof got);
	assert_string_equal(got, "Guten Tag,\r\n\r\nein Kontakt möchte sprechen.\r\n.\r\nEnde – ÄÖÜß\r\n");
	free(msg);
}

static void test_subject_cannot_add_a_header(void **state)
{
	(void)state;
	struct smtp_mail m = {.to = "team@studio.example", .subject = "Hallo\r\nBcc: victim@example.org", .text = "x"};
	char *msg = NULL, got[256];
	assert_int_equal(smtp_message("bot@botwerk.test", &m, T0, &msg), 0);
	assert_null(strstr(msg, "\r\nBcc:"));
	decode_subject(msg, got, sizeof got);
	assert_string_equal(got, "Hallo  Bcc: victim@example.org");
	free(msg);
}

static void test_bad_addresses_are_refused(void **state)
{
	(void)state;
	char *msg = (char *)1;
	struct smtp_mail m = {.to = "team@studio.example\r\nBcc: x@y.z", .subject = "s", .text = "t"};
	assert_int_equal(smtp_message("bot@botwerk.test", &m, T0, &msg), -1);
	assert_null(msg);
	m.to = "team@studio.example";
	assert_int_equal(smtp_message("kein-absender", &m, T0, &msg), -1);
	assert_int_equal(smtp_message(NULL, &m, T0, &msg), -1);
	char err[200];
	struct smtp_config c = {.url = "http://relay.example", .from = "bot@botwerk.test"};
	assert_int_equal(smtp_send(&c, &m, T0, err, sizeof err), -1);
	assert_non_null(strstr(err, "smtp://"));
}

static void test_handover_email_text(void **state)
{
	(void)state;
	char *subject, *text;
	assert_int_equal(wa_notify_email_text("de", "Studio Nord", "Jana", "+4917610000501", "keyword:berater,sentiment:wütend",
					      "conv_1", "con_1", T0, &subject, &text),
			 0);
	assert_string_equal(subject, "WhatsApp-Übergabe: Jana (+4917610000501) (Studio Nord)");
	assert_non_null(strstr(text, "„Studio Nord“"));
	assert_non_null(strstr(text, "Kontakt: Jana (+4917610000501)\n"));
	assert_non_null(strstr(text, "Grund: bat darum, mit einem Menschen zu sprechen (\"berater\"); klang verärgert (\"wütend\")\n"));
	assert_non_null(strstr(text, "Zeitpunkt: 2026-12-02T12:00:00Z (UTC)\n"));
	assert_non_null(strstr(text, "POST /api/v1/conversations/conv_1/messages"));
	assert_non_null(strstr(text, "POST /api/v1/conversations/conv_1/handback"));
	assert_non_null(strstr(text, "GET /api/v1/contacts/con_1/whatsapp"));
	free(subject);
	free(text);
	assert_int_equal(wa_notify_email_text("en", "Studio", NULL, NULL, "misunderstood,something_new", "c", "k", T0,
					      &subject, &text),
			 0);
	assert_string_equal(subject, "WhatsApp handover: a contact (Studio)");
	assert_non_null(strstr(text, "Why: was misunderstood by the bot several times in a row; something_new\n"));
	free(subject);
	free(text);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message_headers_and_utf8),
		cmocka_unit_test(test_subject_cannot_add_a_header),
		cmocka_unit_test(test_bad_addresses_are_refused),
		cmocka_unit_test(test_handover_email_text),
	};
	return cmocka_run_group_tests_name("smtp", tests, NULL, NULL);
}
