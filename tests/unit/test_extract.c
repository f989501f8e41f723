/*
 * test_extract.c — unit tests for src/conv/extract.c: each extractor on its own (contact data, names,
 * age, place, dates and times, training and sales fields), the merge rules, robustness (invalid UTF-8,
 * long input, no reference date, threads), and the phrasing set tests/data/extract_phrasings.tsv, scored
 * per field (precision and recall) against minimum figures.
 *
 * Run from the repository root. `test_extract --quality` prints the per-field table of docs/quality.md
 * instead of running the tests; `--quality -v` also lists every wrong or missing value.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv/extract.h"

/* ---- helpers ------------------------------------------------------------------------------------ */

static struct extractor *X;

/* Wednesday 2026-11-18, 10:30: the reference of the phrasing set. */
static const struct extract_ref REF = {2026, 11, 18, 3, 10, 30};

static int setup(void **state)
{
	(void)state;
	X = extractor_new();
	return X ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	extractor_free(X);
	X = NULL;
	return 0;
}

/* A field's value as text: strings as they are, integers in decimal, booleans as true/false. */
static const char *value_text(const json_t *v, char *buf, size_t cap)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	return NULL;
}

static json_t *ex_at(const char *msg, const struct extract_ref *ref)
{
	json_t *o = extract_profile(X, msg, ref);
	if (!o)
		fail_msg("extract_profile returned NULL for \"%s\"", msg);
	return o;
}

/* `field` of `msg` is `want` (NULL: absent). */
static void expect_at(const char *msg, const struct extract_ref *ref, const char *field, const char *want)
{
	json_t *o = ex_at(msg, ref);
	char buf[32];
	const char *got = value_text(json_object_get(o, field), buf, sizeof buf);
	if (!want && got)
		fail_msg("\"%s\": %s = \"%s\", expected none", msg, field, got);
	if (want && (!got || strcmp(got, want)))
		fail_msg("\"%s\": %s = \"%s\", expected \"%s\"", msg, field, got ? got : "(none)", want);
	json_decref(o);
}

#define expect(msg, field, want) expect_at(msg, &REF, field, want)

/* `msg` yields no field at all. */
static void expect_nothing(const char *msg)
{
	json_t *o = ex_at(msg, &REF);
	if (json_object_size(o)) {
		char *dump = json_dumps(o, JSON_SORT_KEYS);
		fail_msg("\"%s\": expected nothing, got %s", msg, dump ? dump : "?");
	}
	json_decref(o);
}

/* ---- contact data ------------------------------------------------------------------------------- */

static void test_email(void **state)
{
	(void)state;
	expect("meine mail ist anna.schmidt@gmail.com.", "email", "anna.schmidt@gmail.com");
	expect("Email: Tom.Becker+fitness@Web.DE, danke", "email", "Tom.Becker+fitness@web.de");
	expect("(lisa_m@gmx.de)", "email", "lisa_m@gmx.de");
	expect("schreib an info(at)studio-nord.de!", "email", "info@studio-nord.de");
	expect("mail: a.b@sub.example.co.uk;", "email", "a.b@sub.example.co.uk");
	expect("anna@localhost", "email", NULL);
	expect("anna@@web.de", "email", NULL);
	expect("@web.de", "email", NULL);
	expect("Preis 10@ Stück", "email", NULL);
}

static void test_phone(void **state)
{
	(void)state;
	expect("0171 1234567", "phone", "+491711234567");
	expect("erreichbar unter +49 (0) 30 123 456", "phone", "+4930123456");
	expect("Festnetz 030/1234567", "phone", "+49301234567");
	expect("0049 171 2345678", "phone", "+491712345678");
	expect("Tel. 01512-3456789", "phone", "+4915123456789");
	expect("(030) 1234567", "phone", "+49301234567");
	expect("+49 0171 1234567", "phone", "+491711234567");
	expect("+43 664 1234567 (AT)", "phone", "+436641234567");
	expect("0171 1234567 ab 14 Uhr", "phone", "+491711234567");
	expect("ruf an: 0171 1234567 14 uhr", "phone", "+491711234567"); /* trailing group dropped */
	/* too short, too long, not a phone number */
	expect("0171 123", "phone", NULL);
	expect("0800 123", "phone", NULL);
	expect("0171 12345678901234", "phone", NULL);
	expect("Kundennummer 12345678", "phone", NULL);
	expect("am 01.12.2026", "phone", NULL);
	expect("um 09:30", "phone", NULL);
	expect("2026-11-24", "phone", NULL);
	expect("+1 23", "phone", NULL);
}

/* ---- names -------------------------------------------------------------------------------------- */

static void test_names(void **state)
{
	(void)state;
	expect("Hallo, ich bin Anna Schmidt und würde gern kommen", "first_name", "Anna");
	expect("Hallo, ich bin Anna Schmidt und würde gern kommen", "last_name", "Schmidt");
	expect("mein name ist lisa müller", "last_name", "Müller");
	expect("Ich heiße Jana.", "first_name", "Jana");
	expect("ich heisse anna-lena", "first_name", "Anna-Lena");
	expect("Name: Jonas Becker", "last_name", "Becker");
	expect("Meier mein Name", "last_name", "Meier");
	expect("Meier mein Name", "first_name", NULL);
	expect("Hey, Anna hier!", "first_name", "Anna");
	expect("hier ist Frau Krause", "last_name", "Krause");
	expect("hier ist Frau Krause", "gender", "female");
	expect("Hier ist Herr Müller", "last_name", "Müller");
	expect("Hier ist Herr Müller", "gender", "male");
	expect("MEIN NAME IST PETER KRAUSE", "first_name", "Peter");
	expect("Ich bin Özlem", "first_name", "Özlem");
	expect("hallo ich bin die lea", "first_name", "Lea");
	expect("Vorname: Anna, Nachname: Schmidt", "last_name", "Schmidt");
	expect("Vorname: Anna, Nachname: Schmidt", "first_name", "Anna");
	expect("Hi, my name is John Miller", "last_name", "Miller");
	expect("I'm Sophie", "first_name", "Sophie");
	expect("Anna Schmidt, anna.s@web.de", "last_name", "Schmidt");
	expect("Bis dann. LG Nicole", "first_name", "Nicole");
	/* age and place right after the name */
	expect("Moin! Ich bin der Kevin, 28, aus Bremen", "age", "28");
	expect("Moin! Ich bin der Kevin, 28, aus Bremen", "city", "Bremen");
	expect("ich bin Jürgen (56)", "age", "56");
	/* not names */
	expect_nothing("ich bin müde");
	expect("ich bin 34", "first_name", NULL);
	expect("Ich bin Anfängerin", "first_name", NULL);
	expect("Ich bin Lehrerin", "first_name", NULL);
	expect("Ich bin Berliner", "first_name", NULL);
	expect("Ich bin Raucher", "first_name", NULL);
	expect("noch nie im Fitnessstudio gewesen", "first_name", NULL); /* "im" is not "I'm" */
	expect("ich bin gespannt", "first_name", NULL);
	expect("Ich bin der Meinung, dass", "first_name", NULL);
	expect("Ich bin Montag da", "first_name", NULL);
	expect("hier ist meine Nummer", "first_name", NULL);
	expect("Ich wohne hier", "first_name", NULL);
	expect("Hier ist alles super, danke!", "first_name", NULL);
	expect("und dann hier ist anna", "first_name", NULL);
	expect("Ich bin Hausmeister", "first_name", NULL);
	expect("Ich bin eine Frau", "first_name", NULL);
	expect("Ich bin Anna möchte kommen", "last_name", NULL);
	/* lower-case writer: "ich bin" takes a lower-case word only when nobody capitalises */
	expect("ich bin anna", "first_name", "Anna");
	expect("Ich bin anna und Wohne in Köln", "first_name", NULL);
}

/* ---- age and place ------------------------------------------------------------------------------ */

static void test_age(void **state)
{
	(void)state;
	expect("ich bin 34", "age", "34");
	expect("34 Jahre alt", "age", "34");
	expect("bin 52 jahre jung", "age", "52");
	expect("Alter: 41", "age", "41");
	expect("Jahrgang 1990", "age", "36");
	expect("Jg. 85", "age", "41");
	expect("ich bin 1978 geboren", "age", "48");
	expect("I'm 29 years old", "age", "29");
	expect("Ich bin 16 Uhr da", "age", NULL);
	expect("ich bin 1,75 groß", "age", NULL);
	expect("Ich bin 3 mal die Woche da", "age", NULL);
	expect("mein Sohn ist 16 Jahre alt", "age", NULL);
	expect("Ich bin 120", "age", NULL);
	expect("Ich bin 12", "age", NULL);
	expect_at("Jahrgang 1990", NULL, "age", NULL); /* no reference: no year to count from */
}

static void test_city(void **state)
{
	(void)state;
	expect("aus Hamburg? nein: ich wohne in Köln", "city", "Köln");
	expect("ich komme aus Hamburg", "city", "Hamburg");
	expect("in der Nähe von München", "city", "München");
	expect("Ich lebe in Frankfurt am Main", "city", "Frankfurt am Main");
	expect("Wir wohnen in Bad Homburg", "city", "Bad Homburg");
	expect("wohne in köln-ehrenfeld", "city", "Köln-Ehrenfeld");
	expect("Wohnort: Hannover", "city", "Hannover");
	expect("I live in Munich", "city", "Munich");
	expect("aus Erfahrung", "city", NULL);
	expect("Er wohnt in Berlin", "city", NULL);
	expect("Sport mache ich aus Spaß", "city", NULL);
	expect("ich wohne in der Innenstadt", "city", NULL);
	expect("Ich komme aus dem Urlaub", "city", NULL);
	expect("Ich wohne in Köln am Wochenende", "city", "Köln");
}

/* ---- dates and times ---------------------------------------------------------------------------- */

static void test_dates(void **state)
{
	(void)state;
	expect("morgen um 10", "preferred_date", "2026-11-19");
	expect("übermorgen früh", "preferred_date", "2026-11-20");
	expect("heute Abend", "preferred_date", "2026-11-18");
	expect("Di 14 Uhr", "preferred_date", "2026-11-24");
	expect("am Dienstag", "preferred_date", "2026-11-24");
	expect("am Mittwoch", "preferred_date", "2026-11-25"); /* today's weekday: next week */
	expect("diesen Freitag", "preferred_date", "2026-11-20");
	expect("nächste Woche Montag", "preferred_date", "2026-11-23");
	expect("nächste Woche Freitag", "preferred_date", "2026-11-27");
	expect("Freitag nächste Woche", "preferred_date", "2026-11-27");
	expect("nächsten Freitag", "preferred_date", "2026-11-20");
	expect("24.11.", "preferred_date", "2026-11-24");
	expect("24.11.2026", "preferred_date", "2026-11-24");
	expect("am 24.11.27", "preferred_date", "2027-11-24");
	expect("am 3.1.", "preferred_date", "2027-01-03"); /* passed this year: next year */
	expect("am 5. Dezember", "preferred_date", "2026-12-05");
	expect("am 12. Jan", "preferred_date", "2027-01-12");
	expect("in 3 Tagen", "preferred_date", "2026-11-21");
	expect("Di 24.11. um 18 Uhr", "preferred_date", "2026-11-24");
	expect("31.11.", "preferred_date", NULL);
	expect("Guten Morgen!", "preferred_date", NULL);
	expect("Morgen! Wie geht's?", "preferred_date", NULL);
	expect("jeden Morgen", "preferred_date", NULL);
	expect("Danke, bis morgen!", "preferred_date", NULL);
	expect("so gegen 10", "preferred_date", NULL);
	expect_at("morgen um 10", NULL, "preferred_date", NULL);
	/* year end and the week's end */
	struct extract_ref dec31 = {2026, 12, 31, 4, 9, 0};
	expect_at("morgen um 9", &dec31, "preferred_date", "2027-01-01");
	expect_at("Morgen!", &dec31, "preferred_date", NULL); /* a greeting */
	expect_at("am 2.1.", &dec31, "preferred_date", "2027-01-02");
	struct extract_ref sunday = {2026, 11, 22, 7, 12, 0};
	expect_at("nächste Woche Montag", &sunday, "preferred_date", "2026-11-23");
	expect_at("Montag", &sunday, "preferred_date", "2026-11-23");
	struct extract_ref feb = {2028, 2, 27, 7, 12, 0};
	expect_at("übermorgen", &feb, "preferred_date", "2028-02-29");
	/* a reference whose weekday is wrong is ignored */
	struct extract_ref wrong = {2026, 11, 18, 1, 10, 30};
	expect_at("morgen um 9", &wrong, "preferred_date", NULL);
}

static void test_times(void **state)
{
	(void)state;
	expect("morgen um 10", "preferred_time", "10:00");
	expect("am Dienstag um halb drei", "preferred_time", "14:30");
	expect("um 18:30", "preferred_time", "18:30");
	expect("18.30 Uhr", "preferred_time", "18:30");
	expect("gegen 9", "preferred_time", "09:00");
	expect("um 3", "preferred_time", "15:00");
	expect("um 7", "preferred_time", "19:00");
	expect("morgens um 7", "preferred_time", "07:00");
	expect("abends um 8", "preferred_time", "20:00");
	expect("viertel nach sechs", "preferred_time", "18:15");
	expect("viertel vor neun", "preferred_time", "08:45");
	expect("dreiviertel zehn", "preferred_time", "09:45");
	expect("um zehn", "preferred_time", "10:00");
	expect("16 Uhr 30", "preferred_time", "16:30");
	expect("um 11 Uhr", "preferred_time", "11:00");
	expect("im 3. Stock", "preferred_time", NULL);
	expect("at 6pm", "preferred_time", "18:00");
	expect("mittags um 1", "preferred_time", "13:00");
	expect("um 10 Kilo abnehmen", "preferred_time", NULL);
	expect("2-3 mal pro Woche", "preferred_time", NULL);
	expect("am 24.11.", "preferred_time", NULL);
	expect("um 25 Uhr", "preferred_time", NULL);
	/* parts of the day */
	expect("übermorgen früh", "time_window", "morning");
	expect("heute Abend", "time_window", "evening");
	expect("in der Mittagspause", "time_window", "midday");
	expect("nachmittags", "time_window", "afternoon");
	expect("nach der Arbeit", "time_window", "evening");
	expect("Guten Abend, eine Frage", "time_window", NULL);
	expect("Guten Morgen", "time_window", NULL);
	expect("abends nicht, lieber", "time_window", "evening"); /* negation after the cue: not seen */
	expect("nicht abends", "time_window", NULL);
}

/* ---- training and sales fields ------------------------------------------------------------------ */

static void test_training(void **state)
{
	(void)state;
	expect("2-3 mal pro Woche", "training_frequency", "2-3/week");
	expect("zweimal die Woche", "training_frequency", "2/week");
	expect("zwei- bis dreimal pro Woche", "training_frequency", "2-3/week");
	expect("1x die Woche", "training_frequency", "1/week");
	expect("einmal wöchentlich", "training_frequency", "1/week");
	expect("am liebsten jeden Tag trainieren", "training_frequency", "7/week");
	expect("jeden zweiten Tag", "training_frequency", "3-4/week");
	expect("Bin jeden Tag dran vorbeigelaufen", "training_frequency", NULL);
	expect("9 mal die Woche", "training_frequency", NULL);
	expect("ich will abnehmen", "goal", "weight_loss");
	expect("Muskelaufbau", "goal", "muscle_gain");
	expect("fitter werden und Rücken stärken", "goal", "general_fitness");
	expect("meinen Rücken stärken", "goal", "back_health");
	expect("ich will nicht abnehmen, sondern Muskeln aufbauen", "goal", "muscle_gain");
	expect("Ich bin Anfänger", "fitness_level", "beginner");
	expect("Kurse für Fortgeschrittene?", "fitness_level", NULL);
	expect("eher fortgeschritten", "fitness_level", "advanced");
	expect("Wiedereinsteigerin", "fitness_level", "returning");
	expect("Bandscheibenvorfall und Knieprobleme", "health_restrictions", "herniated_disc,knee");
	expect("Knie-OP letztes Jahr", "health_restrictions", "knee,surgery");
	expect("keine Knieprobleme", "health_restrictions", "none");
	expect("Kniebeugen mag ich", "health_restrictions", NULL);
	expect("schwanger", "health_restrictions", "pregnancy");
}

static void test_sales(void **state)
{
	(void)state;
	expect("zu teuer", "budget_sensitive", "true");
	expect("Geld spielt keine Rolle", "budget_sensitive", "false");
	expect("Budget ist kein Problem", "budget_sensitive", "false");
	expect("Wie teuer ist das?", "budget_sensitive", NULL);
	expect("so schnell wie möglich", "urgency", "immediate");
	expect("nicht dringend", "urgency", "later");
	expect("nächsten Monat", "urgency", "later");
	expect("bis bald!", "urgency", NULL);
	expect("über Instagram", "how_found", "instagram");
	expect("Seid ihr auf Instagram?", "how_found", NULL);
	expect("Werbung auf Facebook gesehen", "how_found", "facebook");
	expect("eine Freundin hat euch empfohlen", "how_found", "recommendation");
	expect("Ich will mich nur informieren", "interest_level", "low");
	expect("Ich möchte mich anmelden", "interest_level", "high");
	expect("Ich möchte mich nicht anmelden", "interest_level", NULL);
	expect("kein Interesse", "interest_level", "low");
	expect("Ich bin eine Frau", "gender", "female");
	expect("männlich, 40", "gender", "male");
	expect("Gibt es männliche Trainer?", "gender", NULL);
	expect("mein Mann kommt mit", "gender", NULL);
	expect("Ich bin Lehrerin", "occupation", "Lehrerin");
	expect("ich arbeite als krankenschwester", "occupation", "Krankenschwester");
	expect("ich studiere noch", "occupation", "Student");
	expect("PS: bringe meinen Hund mit", "notes", "bringe meinen Hund mit");
}

/* ---- merging ------------------------------------------------------------------------------------ */

static void test_merge(void **state)
{
	(void)state;
	json_t *profile = json_pack("{s:s, s:s, s:i}", "first_name", "Anna", "health_restrictions", "knee", "age", 33);
	json_t *found = json_pack("{s:s, s:s, s:s, s:i, s:s, s:n}", "first_name", "Anna", "last_name", "Schmidt",
				  "health_restrictions", "herniated_disc", "age", 34, "city", "", "goal");
	assert_non_null(profile);
	assert_non_null(found);
	/* last_name new, restrictions united, age replaced; same first name, empty city, null goal ignored */
	assert_int_equal(extract_merge(profile, found), 3);
	assert_string_equal(json_string_value(json_object_get(profile, "last_name")), "Schmidt");
	assert_string_equal(json_string_value(json_object_get(profile, "health_restrictions")), "herniated_disc,knee");
	assert_int_equal(json_integer_value(json_object_get(profile, "age")), 34);
	assert_null(json_object_get(profile, "city"));
	assert_null(json_object_get(profile, "goal"));
	assert_int_equal(extract_merge(profile, found), 0); /* nothing new the second time */
	json_decref(found);

	/* "none" never erases known restrictions; a real one replaces "none" */
	found = json_pack("{s:s}", "health_restrictions", "none");
	assert_int_equal(extract_merge(profile, found), 0);
	json_t *p2 = json_pack("{s:s}", "health_restrictions", "none");
	json_t *f2 = json_pack("{s:s}", "health_restrictions", "asthma");
	assert_int_equal(extract_merge(p2, f2), 1);
	assert_string_equal(json_string_value(json_object_get(p2, "health_restrictions")), "asthma");
	assert_int_equal(extract_merge(p2, NULL), -1);
	assert_int_equal(extract_merge(NULL, f2), -1);
	json_decref(found);
	json_decref(p2);
	json_decref(f2);
	json_decref(profile);
}

/* ---- robustness --------------------------------------------------------------------------------- */

static void test_robust(void **state)
{
	(void)state;
	json_t *o;
	/* invalid UTF-8 (a lone continuation byte, an overlong form, a surrogate): nothing */
	const char *bad[] = {"ich bin Anna \x80", "\xC0\xAF Anna", "mail a@b.de \xED\xA0\x80"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		o = ex_at(bad[i], &REF);
		assert_int_equal(json_object_size(o), 0);
		json_decref(o);
	}
	o = ex_at("", &REF);
	assert_int_equal(json_object_size(o), 0);
	json_decref(o);
	o = extract_profile(X, NULL, &REF);
	assert_non_null(o);
	assert_int_equal(json_object_size(o), 0);
	json_decref(o);

	/* a long message is read up to EXTRACT_MAX_BYTES, cut on a character boundary */
	size_t n = EXTRACT_MAX_BYTES * 3;
	char *big = malloc(n + 64);
	assert_non_null(big);
	strcpy(big, "ich heiße Anna, ");
	size_t len = strlen(big);
	while (len + 2 < n) {
		memcpy(big + len, "ö", 2); /* two bytes, so the limit may fall inside a character */
		len += 2;
	}
	strcpy(big + len, " mail: late@example.com");
	o = ex_at(big, &REF);
	assert_string_equal(json_string_value(json_object_get(o, "first_name")), "Anna");
	assert_null(json_object_get(o, "email"));
	json_decref(o);
	/* pathological repetition finishes */
	memset(big, 'a', n);
	big[n] = '\0';
	for (size_t i = 0; i < n; i += 7)
		big[i] = ' ';
	o = ex_at(big, &REF);
	json_decref(o);
	free(big);

	assert_true(extract_ref_check(&REF));
	struct extract_ref r = REF;
	r.weekday = 4;
	assert_false(extract_ref_check(&r));
	r = REF;
	r.month = 2;
	r.day = 30;
	assert_false(extract_ref_check(&r));
	assert_false(extract_ref_check(NULL));
}

/* One extractor on several threads: each thread's results equal the single-threaded ones. */
static const char *const thread_msgs[] = {
	"Hallo, ich bin Anna Schmidt, 34, aus Köln. Mail anna@web.de, Tel 0171 1234567",
	"morgen um halb drei? Ich will abnehmen, 2-3 mal pro Woche, Knieprobleme",
	"Hi, my name is John Miller, I live in Munich, tomorrow at 6pm",
};

static void *thread_run(void *arg)
{
	char **dumps = arg;
	for (int round = 0; round < 50; round++)
		for (size_t i = 0; i < 3; i++) {
			json_t *o = extract_profile(X, thread_msgs[i], &REF);
			char *d = o ? json_dumps(o, JSON_SORT_KEYS) : NULL;
			json_decref(o);
			if (!d || strcmp(d, dumps[i])) {
				free(d);
				return (void *)1;
			}
			free(d);
		}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	char *dumps[3];
	pthread_t t[4];
	for (size_t i = 0; i < 3; i++) {
		json_t *o = ex_at(thread_msgs[i], &REF);
		dumps[i] = json_dumps(o, JSON_SORT_KEYS);
		assert_non_null(dumps[i]);
		json_decref(o);
	}
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, thread_run, dumps), 0);
	for (int i = 0; i < 4; i++) {
		void *rv = (void *)1;
		assert_int_equal(pthread_join(t[i], &rv), 0);
		assert_null(rv);
	}
	for (size_t i = 0; i < 3; i++)
		free(dumps[i]);
}

/* ---- the phrasing set --------------------------------------------------------------------------- */

static const char *const FIELDS[] = {
	"first_name", "last_name", "email", "phone", "age", "gender", "city", "occupation", "goal", "fitness_level",
	"training_frequency", "health_restrictions", "budget_sensitive", "time_window", "urgency", "how_found",
	"interest_level", "preferred_date", "preferred_time", "notes",
};
#define NFIELDS (sizeof FIELDS / sizeof FIELDS[0])

enum { SET_DEV, SET_HOLDOUT, SET_ALL, NSETS };

struct score {
	int expected[NFIELDS], tp[NFIELDS], fp[NFIELDS], fn[NFIELDS];
	int rows, rows_exact;
};

static const char *phrasings_path(void)
{
	const char *p = getenv("EXTRACT_PHRASINGS");
	return p && *p ? p : "tests/data/extract_phrasings.tsv";
}

/* Scores every row of the set; `verbose` prints each wrong, extra or missing value. Returns false when
 * the file cannot be read or a line is malformed. */
static bool score_phrasings(struct score s[NSETS], bool verbose)
{
	FILE *f = fopen(phrasings_path(), "r");
	char line[2048];
	int set = SET_DEV, lineno = 0;
	memset(s, 0, sizeof(struct score) * NSETS);
	if (!f)
		return false;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!strcmp(line, "#holdout")) {
			set = SET_HOLDOUT;
			continue;
		}
		if (!line[0] || line[0] == '#')
			continue;
		const char *want[NFIELDS] = {0};
		char *save = NULL, *msg = strtok_r(line, "\t", &save), *col;
		while ((col = strtok_r(NULL, "\t", &save))) {
			char *eq = strchr(col, '=');
			size_t k;
			if (!eq)
				goto bad;
			*eq = '\0';
			for (k = 0; k < NFIELDS && strcmp(FIELDS[k], col); k++)
				;
			if (k == NFIELDS)
				goto bad;
			want[k] = eq + 1;
		}
		json_t *o = extract_profile(X, msg, &REF);
		if (!o)
			goto bad;
		bool exact = true;
		for (size_t k = 0; k < NFIELDS; k++) {
			char buf[32];
			const char *got = value_text(json_object_get(o, FIELDS[k]), buf, sizeof buf);
			bool ok = got && want[k] && !strcmp(got, want[k]);
			int sets[2] = {set, SET_ALL};
			for (int t = 0; t < 2; t++) {
				struct score *c = &s[sets[t]];
				c->expected[k] += want[k] != NULL;
				c->tp[k] += ok;
				c->fp[k] += got && !ok;
				c->fn[k] += want[k] && !ok;
			}
			if ((got || want[k]) && !ok) {
				exact = false;
				if (verbose)
					printf("%s %-19s got %-22s want %-22s | %s\n", set == SET_DEV ? "dev " : "hold",
					       FIELDS[k], got ? got : "-", want[k] ? want[k] : "-", msg);
			}
		}
		json_decref(o);
		s[set].rows++;
		s[set].rows_exact += exact;
		s[SET_ALL].rows++;
		s[SET_ALL].rows_exact += exact;
	}
	fclose(f);
	return true;
bad:
	fprintf(stderr, "%s:%d: malformed line\n", phrasings_path(), lineno);
	fclose(f);
	return false;
}

static double ratio(int a, int b)
{
	return b ? (double)a / b : 1.0;
}

static void print_table(const struct score *s, const char *title)
{
	int tp = 0, fp = 0, fn = 0, ex = 0;
	printf("\n%s: %d messages, %d read exactly right (%.0f%%)\n\n", title, s->rows, s->rows_exact,
	       100.0 * ratio(s->rows_exact, s->rows));
	printf("| field | expected | correct | wrong or extra | missed | precision | recall |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|\n");
	for (size_t k = 0; k < NFIELDS; k++) {
		char p[16] = "-", r[16] = "-";
		if (s->tp[k] + s->fp[k])
			snprintf(p, sizeof p, "%.2f", ratio(s->tp[k], s->tp[k] + s->fp[k]));
		if (s->tp[k] + s->fn[k])
			snprintf(r, sizeof r, "%.2f", ratio(s->tp[k], s->tp[k] + s->fn[k]));
		printf("| %s | %d | %d | %d | %d | %s | %s |\n", FIELDS[k], s->expected[k], s->tp[k], s->fp[k],
		       s->fn[k], p, r);
		tp += s->tp[k];
		fp += s->fp[k];
		fn += s->fn[k];
		ex += s->expected[k];
	}
	printf("| **all fields** | %d | %d | %d | %d | %.3f | %.3f |\n", ex, tp, fp, fn, ratio(tp, tp + fp),
	       ratio(tp, tp + fn));
}

/* The minimum figures the phrasing set must keep (see docs/quality.md). */
#define MIN_DEV_PRECISION 0.97   /* every field */
#define MIN_DEV_RECALL 0.90      /* all fields together */
#define MIN_ALL_PRECISION 0.93   /* all fields together, holdout included */

static void test_phrasings(void **state)
{
	(void)state;
	struct score s[NSETS];
	if (!score_phrasings(s, false))
		fail_msg("cannot read %s (run from the repository root)", phrasings_path());
	assert_true(s[SET_ALL].rows >= 150);
	int tp = 0, fp = 0, fn = 0, atp = 0, afp = 0;
	for (size_t k = 0; k < NFIELDS; k++) {
		if (ratio(s[SET_DEV].tp[k], s[SET_DEV].tp[k] + s[SET_DEV].fp[k]) < MIN_DEV_PRECISION)
			fail_msg("%s: dev precision %d/%d below %.2f", FIELDS[k], s[SET_DEV].tp[k],
				 s[SET_DEV].tp[k] + s[SET_DEV].fp[k], MIN_DEV_PRECISION);
		tp += s[SET_DEV].tp[k];
		fp += s[SET_DEV].fp[k];
		fn += s[SET_DEV].fn[k];
		atp += s[SET_ALL].tp[k];
		afp += s[SET_ALL].fp[k];
	}
	(void)fp;
	if (ratio(tp, tp + fn) < MIN_DEV_RECALL)
		fail_msg("dev recall %d/%d below %.2f", tp, tp + fn, MIN_DEV_RECALL);
	if (ratio(atp, atp + afp) < MIN_ALL_PRECISION)
		fail_msg("overall precision %d/%d below %.2f", atp, atp + afp, MIN_ALL_PRECISION);
}

/* ---- main --------------------------------------------------------------------------------------- */

static int quality_report(bool verbose)
{
	struct score s[NSETS];
	if (setup(NULL))
		return 1;
	if (!score_phrasings(s, verbose)) {
		teardown(NULL);
		return 1;
	}
	print_table(&s[SET_ALL], "All rows");
	print_table(&s[SET_DEV], "Development rows (tuned against)");
	print_table(&s[SET_HOLDOUT], "Holdout rows (not tuned against)");
	teardown(NULL);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--quality"))
		return quality_report(argc > 2 && !strcmp(argv[2], "-v"));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_email),     cmocka_unit_test(test_phone),    cmocka_unit_test(test_names),
		cmocka_unit_test(test_age),       cmocka_unit_test(test_city),     cmocka_unit_test(test_dates),
		cmocka_unit_test(test_times),     cmocka_unit_test(test_training), cmocka_unit_test(test_sales),
		cmocka_unit_test(test_merge),     cmocka_unit_test(test_robust),   cmocka_unit_test(test_threads),
		cmocka_unit_test(test_phrasings),
	};
	return cmocka_run_group_tests_name("extract", tests, setup, teardown);
}
