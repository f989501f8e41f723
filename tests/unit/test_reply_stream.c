/*
 * test_reply_stream.c — unit tests for src/llm/reply_stream.c, the preview of a streamed reply.
 *
 * One table of realistic model outputs (clean, fenced, reordered, nested, escaped, cut off, plain, with
 * chatty prefixes). Each is fed whole, byte by byte, in every two-way split and in random splits (fixed
 * seed); the concatenated preview must be the same every time and equal the expected text. Each case
 * also says how the preview relates to llm_reply_parse's final reply, and that is checked against
 * reply.c itself: "same" means preview == norm(reply), where norm drops control characters other than
 * \n and \t and then trims ' ', \t and \n at both ends (reply_stream.h's rule).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm/reply.h"
#include "llm/reply_stream.h"

/* ---- helpers ------------------------------------------------------------------------------------ */

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static bool valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0)
			k = 1, cp = c & 0x1F, min = 0x80;
		else if ((c & 0xF0) == 0xE0)
			k = 2, cp = c & 0x0F, min = 0x800;
		else if ((c & 0xF8) == 0xF0)
			k = 3, cp = c & 0x07, min = 0x10000;
		else
			return false;
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += k + 1;
	}
	return true;
}

/* What emit received, concatenated. */
struct coll {
	char *buf;
	size_t len, cap;
	size_t calls;
	size_t stop_after; /* non-zero: ask to stop on that call */
};

static int collect(const char *text, size_t len, void *ud)
{
	struct coll *c = ud;

	assert_true(len > 0);
	assert_non_null(text);
	assert_null(memchr(text, '\0', len));
	assert_true(valid_utf8((const unsigned char *)text, len)); /* each call holds whole code points */
	if (c->len + len + 1 > c->cap) {
		c->cap = (c->len + len + 1) * 2;
		c->buf = realloc(c->buf, c->cap);
		assert_non_null(c->buf);
	}
	memcpy(c->buf + c->len, text, len);
	c->len += len;
	c->buf[c->len] = '\0';
	c->calls++;
	return c->stop_after && c->calls >= c->stop_after;
}

/* The preview of text[0..n) fed in pieces ending at cuts[0..ncuts) (ascending, each <= n), then the
 * rest. Returns the preview (owned, NUL-terminated); *mode gets reply_stream_finish's result. */
static char *preview_cuts(const char *text, size_t n, const size_t *cuts, size_t ncuts, int *mode)
{
	struct reply_stream *rs = reply_stream_new();
	struct coll c = {0};
	size_t at = 0;
	int m;

	assert_non_null(rs);
	for (size_t k = 0; k <= ncuts; k++) {
		size_t end = k < ncuts ? cuts[k] : n;

		assert_true(end >= at && end <= n);
		assert_int_equal(reply_stream_feed(rs, text + at, end - at, collect, &c), 0);
		at = end;
	}
	m = reply_stream_finish(rs, collect, &c);
	assert_int_equal(reply_stream_finish(rs, collect, &c), m); /* again: nothing more */
	assert_int_equal(reply_stream_emitted(rs), c.len);
	assert_true(c.len <= n);
	reply_stream_free(rs);
	if (mode)
		*mode = m;
	if (!c.buf)
		c.buf = calloc(1, 1);
	assert_non_null(c.buf);
	return c.buf;
}

static char *preview(const char *text, int *mode)
{
	return preview_cuts(text, strlen(text), NULL, 0, mode);
}

/* Control characters other than \n and \t dropped, then ' ', \t, \n trimmed at both ends. */
static char *norm(const char *s)
{
	size_t n = strlen(s), m = 0, b = 0;
	char *out = malloc(n + 1);

	assert_non_null(out);
	for (size_t i = 0; i < n; i++)
		if (!((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t'))
			out[m++] = s[i];
	while (m && (out[m - 1] == ' ' || out[m - 1] == '\t' || out[m - 1] == '\n'))
		m--;
	while (b < m && (out[b] == ' ' || out[b] == '\t' || out[b] == '\n'))
		b++;
	memmove(out, out + b, m - b);
	out[m - b] = '\0';
	return out;
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ---- the cases ---------------------------------------------------------------------------------- */

/* How the preview relates to llm_reply_parse's reply (checked in test_cases_agree_with_reply_parse). */
enum rel {
	SAME_STRUCT, /* structured, not truncated: preview == norm(reply) */
	SAME_PLAIN,  /* plain text: preview == norm(reply) */
	TRUNC,       /* cut off: norm(reply) (cut after its last sentence) begins the preview */
	SUFFIX,      /* long chatty prefix: the preview shows it, then the reply */
	NONE_FINAL,  /* llm_reply_parse finds no reply */
	DIFFERS,     /* a documented difference; the final text comes from llm_reply_parse */
};

struct rcase {
	const char *name;
	const char *text;
	const char *preview;
	enum rel rel;
	int mode;
};

#define J REPLY_STREAM_JSON
#define P REPLY_STREAM_PLAIN
#define E REPLY_STREAM_EMPTY

static const struct rcase CASES[] = {
	{"clean",
	 "{\"reply\":\"Gerne! Das Probetraining ist kostenlos.\",\"profile\":{\"name\":\"Anna\",\"goal\":\"Rücken\"},"
	 "\"intent\":\"book\"}",
	 "Gerne! Das Probetraining ist kostenlos.", SAME_STRUCT, J},
	{"pretty",
	 "\n  {\n    \"reply\": \"Unsere Öffnungszeiten: Mo–Fr 6–23 Uhr, Sa/So 8–20 Uhr.\",\n    \"profile\": {},\n"
	 "    \"intent\": null\n  }\n",
	 "Unsere Öffnungszeiten: Mo–Fr 6–23 Uhr, Sa/So 8–20 Uhr.", SAME_STRUCT, J},
	{"fenced json",
	 "```json\n{\"reply\": \"Grüß Gott! Wie kann ich helfen?\", \"intent\": \"ask\", \"profile\": {}}\n```",
	 "Grüß Gott! Wie kann ich helfen?", SAME_STRUCT, J},
	{"fenced crlf", "```\r\n{\"reply\":\"Natürlich, gern.\"}\r\n```\r\n", "Natürlich, gern.", SAME_STRUCT, J},
	{"profile first",
	 "{\"profile\":{\"name\":\"Jörg\",\"phone\":\"0171 234567\"},\"intent\":\"book\",\"reply\":\"Danke, Jörg! Ich "
	 "habe Dienstag 18 Uhr notiert.\"}",
	 "Danke, Jörg! Ich habe Dienstag 18 Uhr notiert.", SAME_STRUCT, J},
	{"nested text first",
	 "{\"profile\":{\"text\":\"Rückenschmerzen seit Mai\",\"message\":\"bitte zurückrufen\",\"reply\":\"x\"},"
	 "\"intent\":\"lead\",\"reply\":\"Gute Besserung! Wir melden uns morgen.\"}",
	 "Gute Besserung! Wir melden uns morgen.", SAME_STRUCT, J},
	{"unicode escapes",
	 "{\"reply\":\"\\u00d6ffnungszeiten: t\\u00e4glich \\ud83d\\udcaa Bis bald \\uD83D\\uDE0A\"}",
	 "\xC3\x96" "ffnungszeiten: t\xC3\xA4glich \xF0\x9F\x92\xAA Bis bald \xF0\x9F\x98\x8A", SAME_STRUCT, J},
	{"escapes",
	 "{\"reply\":\"Zeile 1\\nZeile 2\\t(Tab) \\\\ \\\"Zitat\\\" \\/Pfad\",\"intent\":\"ask\"}",
	 "Zeile 1\nZeile 2\t(Tab) \\ \"Zitat\" /Pfad", SAME_STRUCT, J},
	{"crlf and controls",
	 "{\"reply\":\"Hallo\\r\\nWelt\\u0007!\\b\\f\"}", "Hallo\nWelt!", SAME_STRUCT, J},
	{"blanks trimmed", "{\"reply\":\"  \\n Hallo!  \\n\\n Bis gleich. \\n\\n \"}", "Hallo!  \n\n Bis gleich.",
	 SAME_STRUCT, J},
	{"spaced key", "{ \"reply\" :\n \"Ja, gern.\" ,\n \"intent\" : \"ask\" }", "Ja, gern.", SAME_STRUCT, J},
	{"braces and quotes in text",
	 "{\"reply\":\"Code {SOMMER24} – er sagte \\\"Hallo {\\\" und ging.\",\"intent\":\"ask\"}",
	 "Code {SOMMER24} – er sagte \"Hallo {\" und ging.", SAME_STRUCT, J},
	{"unescaped quotes", "{\"reply\":\"Er sagte \"Hallo\" und ging.\",\"intent\":\"ask\"}",
	 "Er sagte \"Hallo\" und ging.", SAME_STRUCT, J},
	{"raw line break", "{\"reply\":\"Zeile eins\nZeile zwei\"}", "Zeile eins\nZeile zwei", SAME_STRUCT, J},
	{"renamed key", "{\"antwort\":\"Ja, Parkplätze gibt es direkt vor dem Studio.\",\"intent\":\"ask\"}",
	 "Ja, Parkplätze gibt es direkt vor dem Studio.", SAME_STRUCT, J},
	{"reply null then message", "{\"reply\":null,\"message\":\"Bitte rufen Sie uns an.\"}",
	 "Bitte rufen Sie uns an.", SAME_STRUCT, J},
	{"blank reply then answer", "{\"reply\":\"  \",\"answer\":\"Wir haben bis 22 Uhr offen.\"}",
	 "Wir haben bis 22 Uhr offen.", SAME_STRUCT, J},
	{"lone surrogate", "{\"reply\":\"Fehler \\ud800 hier und \\udc00 da.\"}",
	 "Fehler \xEF\xBF\xBD hier und \xEF\xBF\xBD da.", SAME_STRUCT, J},
	{"unknown escape", "{\"reply\":\"Preis: 5\\€ pro Tag, \\qQuark, \\u12G4.\"}",
	 "Preis: 5€ pro Tag, qQuark, 12G4.", SAME_STRUCT, J},
	{"after the reply", "{\"reply\":\"Ja.\",\"profile\":{\"reply\":\"nein\"},\"text\":\"nein\"} {\"reply\":\"nein\"}",
	 "Ja.", SAME_STRUCT, J},
	{"second object", "{\"thought\":\"Kunde fragt nach Preisen\"}\n{\"reply\":\"Das Abo kostet 29 € im Monat.\"}",
	 "Das Abo kostet 29 € im Monat.", SAME_STRUCT, J},
	{"array wrapper", "[{\"reply\":\"Ja, auch am Sonntag.\"}]", "Ja, auch am Sonntag.", SAME_STRUCT, J},
	{"chatty prefix",
	 "Hier ist die Antwort:\n\n{\"reply\":\"Das Studio hat auch sonntags geöffnet.\",\"intent\":\"ask\"}",
	 "Das Studio hat auch sonntags geöffnet.", SAME_STRUCT, J},
	{"chatty fence and remark",
	 "Klar! Hier ist das JSON:\n```json\n{\"reply\":\"Ich habe Sie für Dienstag notiert.\",\"profile\":"
	 "{\"name\":\"Jörg Müller\"},\"intent\":\"book\"}\n```\nIch hoffe, das hilft! Lass mich wissen, wenn du "
	 "{mehr} brauchst.",
	 "Ich habe Sie für Dienstag notiert.", SAME_STRUCT, J},
	{"placeholder then object", "Vorlage {Name}: {\"reply\":\"Okay, {Name} ist ersetzt.\"}",
	 "Okay, {Name} ist ersetzt.", SAME_STRUCT, J},
	{"long chatty prefix",
	 "Natürlich, sehr gern! Ich habe Ihre Frage sorgfältig gelesen und die passenden Informationen aus "
	 "unserer Wissensdatenbank zusammengestellt. Hier ist die Antwort:\n\n"
	 "{\"reply\":\"Das Probetraining ist kostenlos.\"}",
	 "Natürlich, sehr gern! Ich habe Ihre Frage sorgfältig gelesen und die passenden Informationen aus "
	 "unserer Wissensdatenbank zusammengestellt. Hier ist die Antwort:\n\nDas Probetraining ist kostenlos.",
	 SUFFIX, J},
	{"plain", "Gerne! Unser Studio hat Mo–Fr von 6 bis 23 Uhr geöffnet.\n\nAm Wochenende 8–20 Uhr.\n",
	 "Gerne! Unser Studio hat Mo–Fr von 6 bis 23 Uhr geöffnet.\n\nAm Wochenende 8–20 Uhr.", SAME_PLAIN, P},
	{"plain long",
	 "  Vielen Dank für Ihre Nachricht! Das Probetraining dauert etwa 60 Minuten. Bitte bringen Sie "
	 "Sportkleidung, saubere Hallenschuhe und ein Handtuch mit. Duschen und Schließfächer sind vorhanden; "
	 "ein Vorhängeschloss bekommen Sie an der Theke.   \n",
	 "Vielen Dank für Ihre Nachricht! Das Probetraining dauert etwa 60 Minuten. Bitte bringen Sie "
	 "Sportkleidung, saubere Hallenschuhe und ein Handtuch mit. Duschen und Schließfächer sind vorhanden; "
	 "ein Vorhängeschloss bekommen Sie an der Theke.",
	 SAME_PLAIN, P},
	{"plain with fence", "Hier ein Beispiel:\n```\nMo–Fr 6–23 Uhr\n  ```\nBis bald!",
	 "Hier ein Beispiel:\nMo–Fr 6–23 Uhr\nBis bald!", SAME_PLAIN, P},
	{"fenced plain", "```text\nGerne helfe ich Ihnen weiter.\n```\n", "Gerne helfe ich Ihnen weiter.", SAME_PLAIN,
	 P},
	{"plain partial fence", "Bis bald!\n``", "Bis bald!\n``", SAME_PLAIN, P},
	{"plain backticks", "Tippen Sie `` ```ja``` `` ein.\n`` ```", "Tippen Sie `` ```ja``` `` ein.\n`` ```",
	 SAME_PLAIN, P},
	{"plain trailing fence", "Antwort folgt.\n```", "Antwort folgt.", SAME_PLAIN, P},
	{"plain brace", "Nutzen Sie den Code {SOMMER} an der Theke.", "Nutzen Sie den Code {SOMMER} an der Theke.",
	 SAME_PLAIN, P},
	{"plain brace at end", "Schreiben Sie uns: {", "Schreiben Sie uns: {", SAME_PLAIN, P},
	{"cut in reply",
	 "{\"reply\":\"Gerne! Das Probetraining ist kostenlos. Bitte bringen Sie ein Handtuch ",
	 "Gerne! Das Probetraining ist kostenlos. Bitte bringen Sie ein Handtuch", TRUNC, J},
	{"cut in escape", "{\"reply\":\"Sch\\u00f6n, dass Sie da sind. Gr\\u00", "Schön, dass Sie da sind. Gr", TRUNC,
	 J},
	{"cut in pair", "{\"reply\":\"Super \\ud83d\\udc", "Super", NONE_FINAL, J},
	{"cut after key", "{\"intent\":\"ask\",\"reply", "", NONE_FINAL, J},
	{"empty reply", "{\"reply\":\"\",\"intent\":\"greet\"}", "", NONE_FINAL, J},
	{"no reply key", "```json\n{\"intent\":\"ask\",\"profile\":{\"plan\":\"Premium\"}}\n```", "", NONE_FINAL, J},
	/* reply.c tries every '{' as an object of its own, so a nested "text" becomes its reply when the
	 * top level has none; the preview never shows profile fields */
	{"only a nested text", "{\"intent\":\"ask\",\"profile\":{\"text\":\"Rückenschmerzen\"}}", "", DIFFERS, J},
	{"only blanks", " \n\t\r\n ", "", NONE_FINAL, E},
	{"alias before reply", "{\"answer\":\"Erste Fassung.\",\"reply\":\"Zweite Fassung.\"}", "Erste Fassung.",
	 DIFFERS, J},
	{"brace first", "{Name}, willkommen im Studio!", "", DIFFERS, J},
};

#define N_CASES (sizeof CASES / sizeof CASES[0])

static void check(const struct rcase *c, const char *got, const char *how)
{
	if (strcmp(got, c->preview) != 0)
		fail_msg("case \"%s\" (%s):\n  got  [%s]\n  want [%s]", c->name, how, got, c->preview);
}

/* ---- tests -------------------------------------------------------------------------------------- */

static void test_cases_whole(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_CASES; i++) {
		int mode;
		char *got = preview(CASES[i].text, &mode);

		check(&CASES[i], got, "whole");
		if (mode != CASES[i].mode)
			fail_msg("case \"%s\": mode %d, want %d", CASES[i].name, mode, CASES[i].mode);
		free(got);
	}
}

static void test_cases_byte_by_byte(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_CASES; i++) {
		size_t n = strlen(CASES[i].text);
		size_t *cuts = malloc((n + 1) * sizeof *cuts);
		int mode;
		char *got;

		assert_non_null(cuts);
		for (size_t k = 0; k < n; k++)
			cuts[k] = k + 1;
		got = preview_cuts(CASES[i].text, n, cuts, n, &mode);
		check(&CASES[i], got, "byte by byte");
		assert_int_equal(mode, CASES[i].mode);
		free(got);
		free(cuts);
	}
}

static void test_cases_two_way_splits(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_CASES; i++) {
		size_t n = strlen(CASES[i].text);

		for (size_t at = 0; at <= n; at++) {
			char how[32];
			char *got = preview_cuts(CASES[i].text, n, &at, 1, NULL);

			snprintf(how, sizeof how, "split at %zu", at);
			check(&CASES[i], got, how);
			free(got);
		}
	}
}

static void test_cases_random_splits(void **state)
{
	(void)state;
	rng_state = 0x9E3779B97F4A7C15ull;
	for (size_t i = 0; i < N_CASES; i++) {
		size_t n = strlen(CASES[i].text);
		size_t *cuts = malloc((n + 1) * sizeof *cuts);

		assert_non_null(cuts);
		for (int round = 0; round < 64; round++) {
			size_t nc = 0, at = 0;
			char *got;

			while (at < n) { /* pieces of 1 to 12 bytes, now and then an empty one */
				size_t step = rng() % 13;

				at = at + step > n ? n : at + step;
				cuts[nc++] = at;
			}
			got = preview_cuts(CASES[i].text, n, cuts, nc, NULL);
			check(&CASES[i], got, "random split");
			free(got);
		}
		free(cuts);
	}
}

static void test_cases_agree_with_reply_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_CASES; i++) {
		const struct rcase *c = &CASES[i];
		struct llm_reply r;
		int rc = llm_reply_parse(c->text, strlen(c->text), &r);
		char *want = rc == LLM_REPLY_OK ? norm(r.reply) : NULL;
		size_t wn = want ? strlen(want) : 0, pn = strlen(c->preview);
		bool ok;

		switch (c->rel) {
		case SAME_STRUCT:
			ok = rc == LLM_REPLY_OK && r.structured && !r.truncated && strcmp(want, c->preview) == 0;
			break;
		case SAME_PLAIN:
			ok = rc == LLM_REPLY_OK && !r.structured && strcmp(want, c->preview) == 0;
			break;
		case TRUNC:
			ok = rc == LLM_REPLY_OK && r.structured && r.truncated && wn <= pn &&
			     memcmp(want, c->preview, wn) == 0;
			break;
		case SUFFIX:
			ok = rc == LLM_REPLY_OK && r.structured && !r.truncated && wn <= pn &&
			     memcmp(want, c->preview + pn - wn, wn) == 0;
			break;
		case NONE_FINAL:
			ok = rc == LLM_REPLY_NONE;
			break;
		default:
			ok = rc != LLM_REPLY_OK || strcmp(want, c->preview) != 0; /* still a difference */
			break;
		}
		if (!ok)
			fail_msg("case \"%s\": rc %d structured %d truncated %d reply [%s], preview [%s]", c->name, rc,
				 rc == LLM_REPLY_OK && r.structured, rc == LLM_REPLY_OK && r.truncated,
				 want ? want : "", c->preview);
		free(want);
		llm_reply_clear(&r);
	}
}

/* The reply shows while it is still arriving, not only at its closing quote. */
static void test_streams_as_it_arrives(void **state)
{
	const char *text = "{\"intent\":\"ask\",\"reply\":\"Gerne! Wir haben t\\u00e4glich ge\xC3\xB6" "ffnet.\"}";
	struct reply_stream *rs = reply_stream_new();
	struct coll c = {0};
	const char *want = "Gerne! Wir haben täglich geöffnet.";
	size_t n = strlen(text), shown_at_quote = 0;

	(void)state;
	assert_non_null(rs);
	for (size_t i = 0; i < n; i++) {
		size_t before = c.len;

		assert_int_equal(reply_stream_feed(rs, text + i, 1, collect, &c), 0);
		if (c.len) /* always a prefix of the final preview */
			assert_memory_equal(c.buf, want, c.len);
		if (text[i] == '"' && i == n - 2)
			shown_at_quote = before;
	}
	assert_int_equal(shown_at_quote, strlen(want)); /* everything was out before the closing quote */
	reply_stream_finish(rs, collect, &c);
	assert_string_equal(c.buf, want);
	reply_stream_free(rs);
	free(c.buf);
}

/* Plain text is held back only for its first REPLY_STREAM_HOLD_MAX bytes. */
static void test_plain_hold_is_bounded(void **state)
{
	char text[600];
	struct reply_stream *rs = reply_stream_new();
	struct coll c = {0};

	(void)state;
	assert_non_null(rs);
	for (size_t i = 0; i < sizeof text; i++)
		text[i] = "Gerne helfe ich. "[i % 17];
	text[sizeof text - 1] = ' ';
	assert_int_equal(reply_stream_feed(rs, text, REPLY_STREAM_HOLD_MAX, collect, &c), 0);
	assert_int_equal(c.len, 0); /* still undecided */
	assert_int_equal(reply_stream_feed(rs, text + REPLY_STREAM_HOLD_MAX, 1, collect, &c), 0);
	assert_true(c.len >= REPLY_STREAM_HOLD_MAX - 1); /* committed: the prefix is out */
	assert_int_equal(reply_stream_feed(rs, text + REPLY_STREAM_HOLD_MAX + 1, sizeof text - REPLY_STREAM_HOLD_MAX - 1,
					   collect, &c),
			 0);
	assert_int_equal(reply_stream_finish(rs, collect, &c), REPLY_STREAM_PLAIN);
	assert_int_equal(c.len, sizeof text - 1); /* the trailing blank is trimmed */
	assert_memory_equal(c.buf, text, c.len);
	reply_stream_free(rs);
	free(c.buf);
}

/* A JSON object after plain text already shown: its reply continues the text, no JSON shows. */
static void test_json_after_plain(void **state)
{
	char text[512];
	char *got;
	int mode;

	(void)state;
	snprintf(text, sizeof text, "%s\n{\"reply\": \"Zweitens: ja.\", \"intent\": \"ask\"}\nEnde.",
		 "Erstens: Das Studio liegt zentral, direkt am Bahnhof, mit Parkplätzen im Hof und einer Bushaltestelle "
		 "vor der Tür, und hat täglich geöffnet.");
	got = preview(text, &mode);
	assert_int_equal(mode, REPLY_STREAM_JSON);
	assert_string_equal(got,
			    "Erstens: Das Studio liegt zentral, direkt am Bahnhof, mit Parkplätzen im Hof und einer "
			    "Bushaltestelle vor der Tür, und hat täglich geöffnet.\nZweitens: ja.");
	free(got);
}

static void test_stop(void **state)
{
	struct reply_stream *rs = reply_stream_new();
	struct coll c = {.stop_after = 1};
	const char *a = "{\"reply\":\"Eins, ", *b = "zwei, drei.\"}";

	(void)state;
	assert_non_null(rs);
	assert_int_equal(reply_stream_feed(rs, a, strlen(a), collect, &c), 1);
	assert_string_equal(c.buf, "Eins,");
	assert_int_equal(reply_stream_feed(rs, b, strlen(b), collect, &c), 1); /* sticky, nothing more */
	assert_int_equal(reply_stream_finish(rs, collect, &c), REPLY_STREAM_JSON);
	assert_int_equal(c.calls, 1);
	assert_int_equal(reply_stream_emitted(rs), 5);
	reply_stream_free(rs);
	free(c.buf);
}

static void test_bad_bytes_dropped(void **state)
{
	/* NUL, controls, a stray continuation byte, a cut 3-byte sequence, an overlong '/', a surrogate
	 * in UTF-8 and a byte past U+10FFFF: all dropped, the rest kept */
	static const char plain[] = "Gr\xC3\xBC\0\x01\x80\xE2\x82 \xC0\xAF\xED\xA0\x80\xF4\x90\x80\x80\xC3\xA4nde\r\n";
	static const char json[] = "{\"reply\":\"A\0\x80\xC3\xC3\xA4\\u0000\xF0\x9F\x98\x8A\"}";
	char *got;

	(void)state;
	got = preview_cuts(plain, sizeof plain - 1, NULL, 0, NULL);
	assert_string_equal(got, "Grü ände");
	free(got);
	got = preview_cuts(json, sizeof json - 1, NULL, 0, NULL);
	assert_string_equal(got, "Aä\xF0\x9F\x98\x8A");
	free(got);
}

/* Runs of blanks inside the text are kept exactly, however long; leading ones are dropped. */
static void test_long_blank_runs(void **state)
{
	char text[1024], want[1024];
	size_t n = 0, w = 0;
	char *got;

	(void)state;
	n += (size_t)snprintf(text + n, sizeof text - n, "{\"reply\":\"");
	for (int i = 0; i < 300; i++)
		text[n++] = ' ';
	n += (size_t)snprintf(text + n, sizeof text - n, "Hallo");
	w += (size_t)snprintf(want + w, sizeof want - w, "Hallo");
	for (int i = 0; i < 200; i++) {
		text[n++] = i % 2 ? ' ' : '\n';
		want[w++] = i % 2 ? ' ' : '\n';
	}
	n += (size_t)snprintf(text + n, sizeof text - n, "Welt\\n\\n\\n    \"}");
	snprintf(want + w, sizeof want - w, "Welt");
	got = preview_cuts(text, n, NULL, 0, NULL);
	assert_string_equal(got, want);
	free(got);
}

/* Deep nesting costs no memory and shows nothing until the reply. */
static void test_deep_nesting(void **state)
{
	size_t depth = 100000, n = 0;
	char *text = malloc(2 * depth + 64);
	char *got;

	(void)state;
	assert_non_null(text);
	n += (size_t)sprintf(text, "{\"profile\":");
	for (size_t i = 0; i < depth; i++)
		text[n++] = '[';
	for (size_t i = 0; i < depth; i++)
		text[n++] = ']';
	n += (size_t)sprintf(text + n, ",\"reply\":\"Tief.\"}");
	got = preview_cuts(text, n, NULL, 0, NULL);
	assert_string_equal(got, "Tief.");
	free(got);
	free(text);
}

/* A 1 MiB reply streams through in pieces; the result is the whole text. */
static void test_large_reply(void **state)
{
	size_t body = 1024 * 1024, n = 0;
	char *text = malloc(body + 64);
	struct reply_stream *rs = reply_stream_new();
	struct coll c = {0};

	(void)state;
	assert_non_null(text);
	assert_non_null(rs);
	n += (size_t)sprintf(text, "{\"reply\":\"");
	for (size_t i = 0; i < body; i++)
		text[n++] = "Hallo Welt. "[i % 12];
	text[n - 1] = '.'; /* no trailing blank */
	n += (size_t)sprintf(text + n, "\"}");
	for (size_t at = 0; at < n; at += 4093) {
		size_t len = n - at < 4093 ? n - at : 4093;

		assert_int_equal(reply_stream_feed(rs, text + at, len, collect, &c), 0);
		if (at > body / 2)
			assert_true(c.len > body / 3); /* it really streams */
	}
	reply_stream_finish(rs, collect, &c);
	assert_int_equal(c.len, body);
	assert_memory_equal(c.buf, text + 10, body);
	reply_stream_free(rs);
	free(text);
	free(c.buf);
}

static void test_edges(void **state)
{
	struct reply_stream *rs = reply_stream_new();
	struct coll c = {0};

	(void)state;
	assert_non_null(rs);
	assert_int_equal(reply_stream_feed(NULL, "x", 1, collect, &c), -1);
	assert_int_equal(reply_stream_feed(rs, NULL, 1, collect, &c), -1);
	assert_int_equal(reply_stream_feed(rs, NULL, 0, collect, &c), 0);
	assert_int_equal(reply_stream_feed(rs, "Hallo", 5, collect, &c), 0);
	assert_int_equal(reply_stream_finish(rs, collect, &c), REPLY_STREAM_PLAIN);
	assert_int_equal(reply_stream_feed(rs, " Welt", 5, collect, &c), 0); /* after finish: ignored */
	assert_int_equal(reply_stream_finish(rs, collect, &c), REPLY_STREAM_PLAIN);
	assert_string_equal(c.buf, "Hallo");
	assert_int_equal(reply_stream_emitted(NULL), 0);
	assert_int_equal(reply_stream_finish(NULL, collect, &c), REPLY_STREAM_EMPTY);
	reply_stream_free(rs);
	reply_stream_free(NULL);
	free(c.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases_whole),
		cmocka_unit_test(test_cases_byte_by_byte),
		cmocka_unit_test(test_cases_two_way_splits),
		cmocka_unit_test(test_cases_random_splits),
		cmocka_unit_test(test_cases_agree_with_reply_parse),
		cmocka_unit_test(test_streams_as_it_arrives),
		cmocka_unit_test(test_plain_hold_is_bounded),
		cmocka_unit_test(test_json_after_plain),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_bad_bytes_dropped),
		cmocka_unit_test(test_long_blank_runs),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_large_reply),
		cmocka_unit_test(test_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
