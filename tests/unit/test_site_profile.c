/*
 * test_site_profile.c — unit tests for src/ingest/site_*.c: a company profile from crawled pages of a
 * business's website (fixtures in tests/fixtures/profile/), and the readers behind it (phone numbers,
 * e-mail, social links, German opening hours, page kinds, person names). Run from the repository root.
 *
 * Every profile is also checked against the project's own validators: opening_hours with hours_parse
 * (conv/hours.h); company, branding and contact persons with json_validate and the json_check_*
 * formats of base/json.h, through field tables that mirror src/api/bot_json.c (keep them in step).
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

#include "base/json.h"
#include "conv/hours.h"
#include "ingest/html_text.h"
#include "ingest/site_int.h"
#include "ingest/site_profile.h"

#define FIX "tests/fixtures/profile/"

/* ---- helpers ------------------------------------------------------------------------------------ */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Parses html (markup passed on when `markup`) and feeds it as the page at url. */
static void feed_html(struct site_profile *sp, const char *html, size_t len, const char *url, bool markup)
{
	struct html_doc d;
	char err[128];

	assert_int_equal(html_extract(html, len, url, &d, err, sizeof err), 0);
	assert_int_equal(site_profile_add_page(sp, url, &d, markup ? html : NULL, markup ? len : 0), 0);
	html_doc_clear(&d);
}

static void feed(struct site_profile *sp, const char *file, const char *url)
{
	size_t len;
	char *html = slurp(file, &len);

	feed_html(sp, html, len, url, true);
	free(html);
}

/* The profile of a site from pages {file, url}, …, {NULL}. */
static json_t *crawl(const char *site, const char *const (*pages)[2])
{
	struct site_profile *sp = site_profile_new(site);
	json_t *r;

	assert_non_null(sp);
	for (; (*pages)[0]; pages++)
		feed(sp, (*pages)[0], (*pages)[1]);
	r = site_profile_result(sp);
	assert_non_null(r);
	site_profile_free(sp);
	return r;
}

/* The value at a dotted path ("company.address.city", "contact_persons[1].email"); NULL when absent. */
static json_t *at(json_t *root, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof buf, "%s", path);
	for (char *part = strtok_r(buf, ".", &save); part && root; part = strtok_r(NULL, ".", &save)) {
		char *br = strchr(part, '[');

		if (br)
			*br = '\0';
		root = json_object_get(root, part);
		if (br)
			root = json_array_get(root, (size_t)strtoul(br + 1, NULL, 10));
	}
	return root;
}

/* The page a field came from: sources under its path, else under the nearest enclosing path (a
 * person's name is under "contact_persons[0]", the hours' time zone under "opening_hours"). */
static const char *source_of(json_t *r, const char *path)
{
	char buf[256];

	snprintf(buf, sizeof buf, "%s", path);
	for (;;) {
		json_t *s = json_object_get(json_object_get(r, "sources"), buf);
		char *dot = strrchr(buf, '.');

		if (s)
			return json_string_value(s);
		if (!dot)
			return NULL;
		*dot = '\0';
	}
}

/* The field's value and the page it came from. */
#define assert_field(r, path, value, url)                                                                 \
	do {                                                                                              \
		json_t *v_ = at(r, path);                                                                 \
		const char *s_ = source_of(r, path);                                                      \
		if (!json_is_string(v_))                                                                  \
			fail_msg("%s is not a string", path);                                             \
		assert_string_equal(json_string_value(v_), value);                                        \
		if (!s_)                                                                                  \
			fail_msg("%s has no source", path);                                               \
		assert_string_equal(s_, url);                                                             \
	} while (0)

#define assert_absent(r, path)                                                                            \
	do {                                                                                              \
		json_t *v_ = at(r, path);                                                                 \
		assert_true(v_ == NULL || json_is_null(v_));                                              \
		assert_null(json_object_get(json_object_get(r, "sources"), path));                        \
	} while (0)

/* Whether notes hold {field, kind} (and, when `by` is given, exactly those sources in "by"). */
static bool has_note(json_t *r, const char *field, const char *kind, const char *by)
{
	json_t *n;
	size_t i;

	json_array_foreach(json_object_get(r, "notes"), i, n) {
		if (strcmp(json_string_value(json_object_get(n, "field")), field) ||
		    strcmp(json_string_value(json_object_get(n, "kind")), kind))
			continue;
		if (!by)
			return true;
		char got[256] = "";
		json_t *b;
		size_t k;

		json_array_foreach(json_object_get(n, "by"), k, b) {
			strcat(got, k ? "," : "");
			strcat(got, json_string_value(b));
		}
		if (!strcmp(got, by))
			return true;
	}
	return false;
}

static void assert_weekly(json_t *r, const char *want)
{
	char *got = json_dumps(at(r, "opening_hours.weekly"), JSON_COMPACT | JSON_PRESERVE_ORDER);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

/* ---- the project's validators ------------------------------------------------------------------- */

/* Mirrors of the company and branding rows of src/api/bot_json.c. */
#define URL_ROW(n) {n, JF_STRING, false, true, 0, 2048, NULL, json_check_http_url, "an http(s) URL", NULL}
static const struct json_field address_rows[] = {
	{"street", JF_STRING, false, true, 0, 200, NULL, NULL, NULL, NULL},
	{"postcode", JF_STRING, false, true, 0, 16, NULL, NULL, NULL, NULL},
	{"city", JF_STRING, false, true, 0, 100, NULL, NULL, NULL, NULL},
	{"country", JF_STRING, false, true, 0, 100, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};
static const struct json_field social_rows[] = {
	URL_ROW("linkedin"), URL_ROW("facebook"), URL_ROW("instagram"), URL_ROW("x"), URL_ROW("xing"), URL_ROW("youtube"),
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};
static const struct json_field company_rows[] = {
	{"name", JF_STRING, false, true, 0, 200, NULL, NULL, NULL, NULL},
	{"address", JF_OBJECT, false, false, 0, 0, NULL, NULL, NULL, address_rows},
	{"phone", JF_STRING, false, true, 0, 0, NULL, json_check_e164, "E.164", NULL},
	{"email", JF_STRING, false, true, 0, 0, NULL, json_check_email, "an email address", NULL},
	URL_ROW("website"),
	{"social", JF_OBJECT, false, false, 0, 0, NULL, NULL, NULL, social_rows},
	URL_ROW("logo_url"),
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};
static const struct json_field branding_rows[] = {
	URL_ROW("logo_url"),
	{"primary_color", JF_STRING, false, false, 0, 0, NULL, json_check_color, "#rrggbb", NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};
static const struct json_field person_rows[] = {
	{"name", JF_STRING, true, false, 1, 120, NULL, NULL, NULL, NULL},
	{"position", JF_STRING, false, true, 0, 120, NULL, NULL, NULL, NULL},
	{"email", JF_STRING, false, true, 0, 0, NULL, json_check_email, "an email address", NULL},
	{"phone", JF_STRING, false, true, 0, 0, NULL, json_check_e164, "E.164", NULL},
	URL_ROW("photo_url"),
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};
static const struct json_field top_rows[] = {
	{"company", JF_OBJECT, true, false, 0, 0, NULL, NULL, NULL, company_rows},
	{"branding", JF_OBJECT, true, false, 0, 0, NULL, NULL, NULL, branding_rows},
	{"opening_hours", JF_ANY_OBJECT, false, true, 0, 0, NULL, NULL, NULL, NULL},
	{"contact_persons", JF_ANY_OBJECT, false, false, 0, 0, NULL, NULL, NULL, NULL},
	{"sources", JF_ANY_OBJECT, true, false, 0, 0, NULL, NULL, NULL, NULL},
	{"notes", JF_ANY_OBJECT, true, false, 0, 0, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

/* The result would be accepted as a bot's company, branding, opening hours and contact persons, and
 * every field present names an http(s) page in sources. */
static void assert_valid_for_bot(json_t *r)
{
	struct err e = {0};
	json_t *copy = json_deep_copy(r), *p, *persons = json_object_get(r, "contact_persons");
	size_t i;

	assert_non_null(copy);
	/* JF_ANY_OBJECT wants an object: check the two arrays apart */
	json_object_del(copy, "contact_persons");
	json_object_del(copy, "notes");
	if (json_is_null(json_object_get(copy, "opening_hours")))
		json_object_del(copy, "opening_hours");
	if (json_validate(copy, top_rows, true, &e))
		fail_msg("%s: %s", e.field, e.msg);
	json_decref(copy);
	assert_true(json_is_array(json_object_get(r, "notes")));
	assert_true(json_is_array(persons));
	assert_true(json_array_size(persons) <= SITE_MAX_PERSONS);
	json_array_foreach(persons, i, p) {
		json_t *q = json_deep_copy(p);

		if (json_validate(q, person_rows, false, &e))
			fail_msg("contact_persons[%zu].%s: %s", i, e.field, e.msg);
		json_decref(q);
	}
	if (!json_is_null(json_object_get(r, "opening_hours"))) {
		struct hours *h = hours_parse(json_object_get(r, "opening_hours"), &e);

		if (!h)
			fail_msg("hours_parse: %s: %s", e.field, e.msg);
		hours_free(h);
	}
	const char *key;
	json_t *v;
	json_object_foreach(json_object_get(r, "sources"), key, v) {
		assert_true(json_is_string(v));
		assert_true(sp_http_url(json_string_value(v)));
		assert_non_null(at(r, key));
	}
}

/* ---- readers ------------------------------------------------------------------------------------ */

static void test_phone_e164(void **state)
{
	static const char *const ok[][2] = {
		{"040 123 456-0", "+49401234560"},      {"+49 (0)40 123456", "+4940123456"},
		{"0049 40 123456", "+4940123456"},      {"(040) 12 34 56", "+4940123456"},
		{"040/123456", "+4940123456"},          {"+49 40 1234560", "+49401234560"},
		{"+49 040 1234560", "+49401234560"},    {"0221 / 98 76 54", "+49221987654"},
		{"0049 (0)30 12345-67", "+49301234567"}, {"+43 1 5344 0", "+43153440"},
		{"0171 234 56 78", "+491712345678"},    {"040 123 456\xe2\x80\x93" "0", "+49401234560"},
		{"040\xc2\xa0" "123456", "+4940123456"}, {"+1 (212) 555-0100", "+12125550100"},
	};
	static const char *const bad[] = {"", "123456", "040", "+49 40 12345678901234", "040 abc 123", "00",
					  "0800-FITNESS", "+0 40 1234567", "((040) 123456", "javascript:alert(1)"};
	char out[SITE_E164_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		assert_true(site_phone_e164(ok[i][0], 49, out));
		assert_string_equal(out, ok[i][1]);
		assert_true(json_check_e164(out));
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_false(site_phone_e164(bad[i], 49, out));
		assert_string_equal(out, "");
	}
	assert_true(site_phone_e164("01 234 56 78", 43, out));
	assert_string_equal(out, "+4312345678");
	/* labelled numbers in a line */
	assert_true(sp_text_phone("Tel.: +49 (0)30 333 33 33", 49, out));
	assert_string_equal(out, "+49303333333");
	assert_true(sp_text_phone("Telefax: 040 99 / Telefon: 040 123 456-0", 49, out));
	assert_string_equal(out, "+49401234560");
	assert_false(sp_text_phone("Fax: 040 123456", 49, out));
	assert_false(sp_text_phone("Hotel am Markt 040 123456", 49, out));
	assert_true(sp_text_phone("Mobil 0171 1234567 / 0172 7654321", 49, out));
	assert_string_equal(out, "+491711234567");
}

static void test_email_url_social(void **state)
{
	char mail[256], out[SP_FIELD_MAX], c[8];

	(void)state;
	assert_true(sp_email("Info@FitWerk-Hamburg.DE", 23, mail));
	assert_string_equal(mail, "info@fitwerk-hamburg.de");
	assert_true(sp_email("mailto:a.b@firma.de?subject=Hallo", 34, mail));
	assert_string_equal(mail, "a.b@firma.de");
	assert_true(sp_email("info(at)firma.de", 16, mail));
	assert_string_equal(mail, "info@firma.de");
	assert_true(sp_email("info [at] firma [dot] de", 24, mail));
	assert_string_equal(mail, "info@firma.de");
	assert_false(sp_email("<b>x</b>@evil.example", 21, mail));
	assert_false(sp_email("mira@", 5, mail));
	assert_false(sp_email("kein Mail", 9, mail));

	assert_true(sp_http_url("https://www.example.de/a"));
	assert_false(sp_http_url("javascript:alert(1)"));
	assert_false(sp_http_url("ftp://example.de/"));
	assert_false(sp_http_url("https://exa mple.de/"));

	static const struct {
		const char *in, *out;
		int field;
	} social[] = {
		{"https://www.linkedin.com/company/fitwerk-gmbh/?trk=x", "https://www.linkedin.com/company/fitwerk-gmbh",
		 SF_LINKEDIN},
		{"https://de.linkedin.com/in/anna-berg-123/", "https://de.linkedin.com/in/anna-berg-123", SF_LINKEDIN},
		{"https://www.facebook.com/FitWerkHamburg/posts/123", "https://www.facebook.com/FitWerkHamburg", SF_FACEBOOK},
		{"http://instagram.com/fitwerk.hamburg/", "https://instagram.com/fitwerk.hamburg", SF_INSTAGRAM},
		{"https://twitter.com/FitWerkHH", "https://twitter.com/FitWerkHH", SF_X},
		{"https://x.com/fitwerk_hh?lang=de", "https://x.com/fitwerk_hh", SF_X},
		{"https://www.xing.com/pages/fitwerk-hamburg", "https://www.xing.com/pages/fitwerk-hamburg", SF_XING},
		{"https://www.youtube.com/channel/UC123abc/videos", "https://www.youtube.com/channel/UC123abc", SF_YOUTUBE},
		{"https://www.youtube.com/@fitwerk", "https://www.youtube.com/@fitwerk", SF_YOUTUBE},
	};
	for (size_t i = 0; i < sizeof social / sizeof social[0]; i++) {
		assert_int_equal(sp_social(social[i].in, out), social[i].field);
		assert_string_equal(out, social[i].out);
	}
	static const char *const not_social[] = {
		"https://www.facebook.com/sharer/sharer.php?u=https://x.de", "https://www.facebook.com/dialog/share?x=1",
		"https://twitter.com/intent/tweet?url=x", "https://x.com/share?url=x", "https://www.linkedin.com/shareArticle?url=x",
		"https://www.xing.com/spi/shares/new?url=x", "https://www.youtube.com/watch?v=abc", "https://www.instagram.com/p/Cx1/",
		"https://www.facebook.com/", "https://evil.example/facebook.com/x", "https://www.facebook.com.evil.example/x",
		"https://user@www.instagram.com/x", "javascript:alert(1)", "https://www.linkedin.com/company/",
		"https://www.youtube.com/embed/abc", "https://www.facebook.com/profile.php?id=1000"};
	for (size_t i = 0; i < sizeof not_social / sizeof not_social[0]; i++)
		assert_int_equal(sp_social(not_social[i], out), -1);

	assert_true(sp_color(" #E30613 ", 9, c));
	assert_string_equal(c, "#e30613");
	assert_true(sp_color("#0a7", 4, c));
	assert_string_equal(c, "#00aa77");
	assert_true(sp_color("#11223344", 9, c));
	assert_string_equal(c, "#112233");
	assert_false(sp_color("#12345", 6, c));
	assert_false(sp_color("javascript:alert(3)", 19, c));
	assert_true(sp_color_grey("#333333"));
	assert_true(sp_color_grey("#f4f4f4"));
	assert_false(sp_color_grey("#e30613"));
}

static void test_person_names(void **state)
{
	static const char *const yes[] = {"Anna Berg", "Tim Özdemir", "Dr. Julia Weber", "Hans-Peter von der Heide",
					  "Ängela Müller-Lüdenscheidt", "Jean-Luc D'Arcy", "Klaus M. Schmidt"};
	static const char *const no[] = {"Unser Team", "Über uns", "Anna", "Elektromeister Klaus", "Inhaber",
					 "Herzlich Willkommen", "Venloer Straße", "anna berg", "Anna Berg 2",
					 "Anna <b>Berg</b>", "Ein sehr langer Name Mit Vielen Worten", "Kontakt Formular"};

	(void)state;
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		assert_true(sp_person_name(yes[i]));
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		assert_false(sp_person_name(no[i]));
	assert_true(sp_position_word("Inhaberin & Trainerin"));
	assert_true(sp_position_word("Geschäftsführer"));
	assert_false(sp_position_word("Hamburg"));
}

/* text → weekly JSON, with the by-appointment and closed day masks */
static void check_hours(const char *text, const char *want, unsigned appointment, unsigned closed)
{
	struct sp_week w = {0};
	char *got;

	sp_hours_text(text, &w);
	got = sp_week_json(&w);
	assert_non_null(got);
	if (strcmp(got, want))
		fail_msg("%s\n  got  %s\n  want %s", text, got, want);
	assert_int_equal(w.appointment, appointment);
	assert_int_equal(w.closed, closed);

	/* hours_parse takes it as a bot's opening_hours */
	json_t *weekly = json_loads(got, 0, NULL), *oh = json_pack("{s:o}", "weekly", weekly);
	struct err e;
	struct hours *h = hours_parse(oh, &e);

	if (!h)
		fail_msg("%s: %s", e.field, e.msg);
	hours_free(h);
	json_decref(oh);
	free(got);
}

#define D(x) "[[\"" x "\"]]"
#define CLOSED "[]"
#define WEEK(a, b, c, d, e, f, g)                                                                          \
	"{\"mon\":" a ",\"tue\":" b ",\"wed\":" c ",\"thu\":" d ",\"fri\":" e ",\"sat\":" f ",\"sun\":" g "}"

static void test_hours_text(void **state)
{
	const char *nine = D("09:00\",\"18:00");

	(void)state;
	(void)nine;
	check_hours("Mo–Fr 9–18 Uhr", WEEK(D("09:00\",\"18:00"), D("09:00\",\"18:00"), D("09:00\",\"18:00"),
					  D("09:00\",\"18:00"), D("09:00\",\"18:00"), CLOSED, CLOSED),
		    0, 0);
	check_hours("Montag bis Freitag: 08:00 - 20:00\nSa 10-14 Uhr\nSo geschlossen",
		    WEEK(D("08:00\",\"20:00"), D("08:00\",\"20:00"), D("08:00\",\"20:00"), D("08:00\",\"20:00"),
			 D("08:00\",\"20:00"), D("10:00\",\"14:00"), CLOSED),
		    0, 0x40);
	check_hours("Mo, Mi, Fr 7:00–22:00", WEEK(D("07:00\",\"22:00"), CLOSED, D("07:00\",\"22:00"), CLOSED,
						   D("07:00\",\"22:00"), CLOSED, CLOSED),
		    0, 0);
	check_hours("täglich 6–23 Uhr", WEEK(D("06:00\",\"23:00"), D("06:00\",\"23:00"), D("06:00\",\"23:00"),
					      D("06:00\",\"23:00"), D("06:00\",\"23:00"), D("06:00\",\"23:00"),
					      D("06:00\",\"23:00")),
		    0, 0);
	check_hours("Di–Do 9–13 und 14–18 Uhr",
		    WEEK(CLOSED, "[[\"09:00\",\"13:00\"],[\"14:00\",\"18:00\"]]", "[[\"09:00\",\"13:00\"],[\"14:00\",\"18:00\"]]",
			 "[[\"09:00\",\"13:00\"],[\"14:00\",\"18:00\"]]", CLOSED, CLOSED, CLOSED),
		    0, 0);
	check_hours("Öffnungszeiten: Mo–Fr 7–17 Uhr, Sa nach Vereinbarung",
		    WEEK(D("07:00\",\"17:00"), D("07:00\",\"17:00"), D("07:00\",\"17:00"), D("07:00\",\"17:00"),
			 D("07:00\",\"17:00"), CLOSED, CLOSED),
		    0x20, 0);
	/* an exception for one day replaces what it overlaps */
	check_hours("Mo.-Fr. 9.00-18.00 Uhr, Mi. 9.00-13.00 Uhr",
		    WEEK(D("09:00\",\"18:00"), D("09:00\",\"18:00"), D("09:00\",\"13:00"), D("09:00\",\"18:00"),
			 D("09:00\",\"18:00"), CLOSED, CLOSED),
		    0, 0);
	/* overnight, around the clock, schema.org's English abbreviations, a wrapping day range */
	check_hours("Fr-Sa 18-2 Uhr", WEEK(CLOSED, CLOSED, CLOSED, CLOSED, D("18:00\",\"02:00"), D("18:00\",\"02:00"),
					   CLOSED),
		    0, 0);
	check_hours("Mo-Su 00:00-24:00", WEEK(D("00:00\",\"24:00"), D("00:00\",\"24:00"), D("00:00\",\"24:00"),
					       D("00:00\",\"24:00"), D("00:00\",\"24:00"), D("00:00\",\"24:00"),
					       D("00:00\",\"24:00")),
		    0, 0);
	check_hours("Sa–Mo 10–16", WEEK(D("10:00\",\"16:00"), CLOSED, CLOSED, CLOSED, CLOSED, D("10:00\",\"16:00"),
					D("10:00\",\"16:00")),
		    0, 0);
	check_hours("We,Th 10:00-12:00 Sa 09:30-11:15", WEEK(CLOSED, CLOSED, D("10:00\",\"12:00"), D("10:00\",\"12:00"),
							      CLOSED, D("09:30\",\"11:15"), CLOSED),
		    0, 0);
	check_hours("Sonn- und Feiertage geschlossen", WEEK(CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED), 0,
		    0x40);
	check_hours("Werktags 8 bis 16 Uhr", WEEK(D("08:00\",\"16:00"), D("08:00\",\"16:00"), D("08:00\",\"16:00"),
						   D("08:00\",\"16:00"), D("08:00\",\"16:00"), CLOSED, CLOSED),
		    0, 0);
	/* numbers that are not times: phones, dates, prices, a time without days */
	check_hours("Mo–Fr 9–18 Uhr. Tel. 040 12-34, am 24.12. geschlossen, Tageskarte 9,90 €",
		    WEEK(D("09:00\",\"18:00"), D("09:00\",\"18:00"), D("09:00\",\"18:00"), D("09:00\",\"18:00"),
			 D("09:00\",\"18:00"), CLOSED, CLOSED),
		    0, 0);
	check_hours("Wir sind von 9–18 Uhr für Sie da", WEEK(CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED), 0,
		    0);
	check_hours("Mo 25:00-26:00, Di 9:75-10", WEEK(CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED), 0, 0);
}

static void test_hours_spec(void **state)
{
	struct sp_week w = {0};
	char *got;

	(void)state;
	assert_int_equal(sp_day_bit("https://schema.org/Monday"), 0x01);
	assert_int_equal(sp_day_bit("http://schema.org/Sunday"), 0x40);
	assert_int_equal(sp_day_bit("Saturday"), 0x20);
	assert_int_equal(sp_day_bit("Mittwoch"), 0x04);
	assert_int_equal(sp_day_bit("PublicHolidays"), 0);
	assert_int_equal(sp_day_bit("täglich"), 0);
	assert_true(sp_hours_spec(&w, 0x01, "09:00:00", "23:59"));
	assert_true(sp_hours_spec(&w, 0x02, "18:00", "02:00"));
	assert_true(sp_hours_spec(&w, 0x04, "00:00", "00:00"));
	assert_true(sp_hours_spec(&w, 0x08, "08:00", "12:00"));
	assert_true(sp_hours_spec(&w, 0x08, "11:00", "14:00")); /* overlaps: merged */
	assert_false(sp_hours_spec(&w, 0x10, "nine", "18:00"));
	assert_false(sp_hours_spec(&w, 0x10, "24:00", "02:00"));
	got = sp_week_json(&w);
	assert_string_equal(got, WEEK(D("09:00\",\"24:00"), D("18:00\",\"02:00"), CLOSED, D("08:00\",\"14:00"), CLOSED,
				      CLOSED, CLOSED));
	assert_int_equal(w.closed, 0x04);
	free(got);
}

static void test_classify(void **state)
{
	struct html_doc none = {0};
	struct html_block h1 = {.kind = HTML_HEADING, .level = 1, .text = (char *)"Über uns"};
	struct html_doc team = {.blocks = &h1, .nblocks = 1, .title = (char *)"Wer wir sind"};
	struct html_doc titled = {.title = (char *)"Impressum – Elektro Schmidt"};
	struct html_doc team_brand = {.title = (char *)"Team Fitness Berlin"};

	(void)state;
	assert_int_equal(sp_classify("https://www.x.de/", &none), SP_PAGE_HOME);
	assert_int_equal(sp_classify("https://www.x.de", &none), SP_PAGE_HOME);
	assert_int_equal(sp_classify("https://www.x.de/impressum/", &none), SP_PAGE_IMPRINT);
	assert_int_equal(sp_classify("https://www.x.de/kontakt-anfahrt.html", &none), SP_PAGE_CONTACT);
	assert_int_equal(sp_classify("https://www.x.de/%C3%BCber-uns/", &none), SP_PAGE_TEAM);
	assert_int_equal(sp_classify("https://www.x.de/unser-team", &none), SP_PAGE_TEAM);
	assert_int_equal(sp_classify("https://www.x.de/%C3%B6ffnungszeiten", &none), SP_PAGE_HOURS);
	assert_int_equal(sp_classify("https://www.x.de/seite?id=impressum", &none), 0);
	assert_int_equal(sp_classify("https://www.x.de/wer", &team), SP_PAGE_TEAM);
	assert_int_equal(sp_classify("https://www.x.de/rechtliches", &titled), SP_PAGE_IMPRINT);
	assert_int_equal(sp_classify("https://www.x.de/kurse", &team_brand), 0);
}

/* ---- sites -------------------------------------------------------------------------------------- */

#define GYM "https://www.fitwerk-hamburg.de/"
#define GYM_IMP "https://www.fitwerk-hamburg.de/impressum"

static const char *const gym_pages[][2] = {{FIX "gym_home.html", GYM}, {FIX "gym_impressum.html", GYM_IMP}, {NULL, NULL}};
static const char *const gym_reversed[][2] = {{FIX "gym_impressum.html", GYM_IMP}, {FIX "gym_home.html", GYM},
					      {NULL, NULL}};

/* A gym: schema.org ExerciseGym in JSON-LD on the home page, an imprint without JSON-LD. */
static void test_gym_site(void **state)
{
	json_t *r = crawl(GYM, gym_pages);

	(void)state;
	assert_field(r, "company.name", "FitWerk Hamburg", GYM);
	assert_field(r, "company.address.street", "Mühlenkamp 12", GYM);
	assert_field(r, "company.address.postcode", "22303", GYM);
	assert_field(r, "company.address.city", "Hamburg", GYM);
	assert_field(r, "company.address.country", "Deutschland", GYM);
	assert_field(r, "company.phone", "+49401234560", GYM);
	assert_field(r, "company.email", "info@fitwerk-hamburg.de", GYM);
	assert_field(r, "company.website", GYM, GYM);
	assert_field(r, "company.logo_url", GYM "media/fitwerk-logo.svg", GYM);
	assert_field(r, "company.social.instagram", "https://www.instagram.com/fitwerk.hamburg", GYM);
	assert_field(r, "company.social.facebook", "https://www.facebook.com/FitWerkHamburg", GYM);
	assert_field(r, "company.social.youtube", "https://www.youtube.com/@fitwerkhamburg", GYM);
	assert_absent(r, "company.social.x"); /* only an intent link */
	assert_absent(r, "company.social.linkedin");
	assert_field(r, "branding.logo_url", GYM "media/fitwerk-logo.svg", GYM);
	assert_field(r, "branding.primary_color", "#0e7c66", GYM);
	assert_field(r, "opening_hours.timezone", "Europe/Berlin", GYM);
	assert_weekly(r, WEEK(D("06:00\",\"23:00"), D("06:00\",\"23:00"), D("06:00\",\"23:00"), D("06:00\",\"23:00"),
			      D("06:00\",\"23:00"), D("08:00\",\"20:00"), D("08:00\",\"20:00")));
	assert_string_equal(json_string_value(at(r, "sources.opening_hours")), GYM);

	assert_int_equal(json_array_size(json_object_get(r, "contact_persons")), 2);
	assert_field(r, "contact_persons[0].name", "Anna Berg", GYM);
	assert_field(r, "contact_persons[0].position", "Geschäftsführerin & Head Coach", GYM);
	assert_field(r, "contact_persons[0].email", "anna.berg@fitwerk-hamburg.de", GYM);
	assert_field(r, "contact_persons[0].photo_url", GYM "media/team/anna-berg.jpg", GYM);
	assert_absent(r, "contact_persons[0].phone");
	assert_field(r, "contact_persons[1].name", "Jonas Krüger", GYM);
	assert_field(r, "contact_persons[1].position", "Trainer für Kraft und Reha", GYM);
	assert_field(r, "contact_persons[1].photo_url", GYM "media/team/jonas.jpg", GYM);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "sources"), "contact_persons[0]")), GYM);

	/* JSON-LD and the imprint agree; the legal form does not make a conflict */
	assert_true(has_note(r, "company.name", "confirmed", "json_ld,imprint"));
	assert_true(has_note(r, "company.address", "confirmed", "json_ld,imprint"));
	assert_true(has_note(r, "company.phone", "confirmed", "json_ld,imprint,link"));
	assert_true(has_note(r, "company.email", "confirmed", "json_ld,imprint,link"));
	assert_true(has_note(r, "opening_hours", "confirmed", "json_ld,page_text"));
	assert_false(has_note(r, "company.phone", "conflict", NULL)); /* the publisher Organization ranks lower */
	assert_false(has_note(r, "branding.primary_color", "guess", NULL));
	assert_valid_for_bot(r);

	/* the order pages come in does not change the profile */
	json_t *r2 = crawl(GYM, gym_reversed);
	static const char *const parts[] = {"company", "opening_hours", "contact_persons", "branding"};
	for (size_t i = 0; i < 4; i++)
		assert_true(json_equal(json_object_get(r, parts[i]), json_object_get(r2, parts[i])));
	json_decref(r2);
	json_decref(r);
}

#define CRAFT "https://www.elektro-schmidt-koeln.de/"
#define CRAFT_IMP CRAFT "impressum/"
#define CRAFT_KON CRAFT "kontakt/"
#define CRAFT_TEAM CRAFT "team/"

static const char *const craft_pages[][2] = {{FIX "craft_home.html", CRAFT},
					     {FIX "craft_impressum.html", CRAFT_IMP},
					     {FIX "craft_kontakt.html", CRAFT_KON},
					     {FIX "craft_team.html", CRAFT_TEAM},
					     {NULL, NULL}};

/* A craftsman without any schema.org: imprint text, a contact page with opening hours, a team page
 * with photos, a logo image and a brand colour in the style sheet. */
static void test_craftsman_site(void **state)
{
	json_t *r = crawl(CRAFT, craft_pages);

	(void)state;
	assert_field(r, "company.name", "Elektro Schmidt", CRAFT_IMP);
	assert_field(r, "company.address.street", "Venloer Straße 245", CRAFT_IMP);
	assert_field(r, "company.address.postcode", "50823", CRAFT_IMP);
	assert_field(r, "company.address.city", "Köln", CRAFT_IMP);
	assert_field(r, "company.address.country", "Deutschland", CRAFT_IMP);
	assert_true(has_note(r, "company.address.country", "inferred", NULL));
	assert_field(r, "company.phone", "+49221987654", CRAFT_IMP);
	assert_field(r, "company.email", "info@elektro-schmidt-koeln.de", CRAFT_IMP); /* written info(at)… */
	assert_field(r, "company.website", CRAFT, CRAFT);
	assert_field(r, "company.logo_url", CRAFT "wp-content/uploads/elektro-schmidt-logo.png", CRAFT);
	assert_field(r, "company.social.facebook", "https://www.facebook.com/ElektroSchmidtKoeln", CRAFT);
	assert_field(r, "company.social.instagram", "https://www.instagram.com/elektro_schmidt_koeln", CRAFT);
	assert_field(r, "company.social.xing", "https://www.xing.com/pages/elektro-schmidt-koeln", CRAFT);
	assert_absent(r, "company.social.linkedin");
	assert_field(r, "branding.logo_url", CRAFT "wp-content/uploads/elektro-schmidt-logo.png", CRAFT);
	assert_field(r, "branding.primary_color", "#e30613", CRAFT);
	assert_true(has_note(r, "branding.primary_color", "guess", NULL));

	assert_weekly(r, WEEK(D("07:00\",\"17:00"), D("07:00\",\"17:00"), D("07:00\",\"17:00"), D("07:00\",\"17:00"),
			      D("07:00\",\"17:00"), CLOSED, CLOSED));
	assert_string_equal(json_string_value(at(r, "sources.opening_hours")), CRAFT_KON);
	assert_true(has_note(r, "opening_hours.weekly.sat", "by_appointment", NULL));

	assert_int_equal(json_array_size(json_object_get(r, "contact_persons")), 3);
	assert_field(r, "contact_persons[0].name", "Klaus Schmidt", CRAFT_TEAM);
	assert_field(r, "contact_persons[0].position", "Inhaber & Elektromeister", CRAFT_TEAM);
	assert_field(r, "contact_persons[0].email", "k.schmidt@elektro-schmidt-koeln.de", CRAFT_TEAM);
	assert_field(r, "contact_persons[0].photo_url", CRAFT "wp-content/uploads/team/klaus-schmidt.jpg", CRAFT_TEAM);
	assert_absent(r, "contact_persons[0].phone");
	assert_field(r, "contact_persons[1].name", "Sabine Wolf", CRAFT_TEAM);
	assert_field(r, "contact_persons[1].position", "Büro & Auftragsannahme", CRAFT_TEAM);
	assert_field(r, "contact_persons[1].phone", "+4922198765412", CRAFT_TEAM);
	assert_field(r, "contact_persons[1].photo_url", CRAFT "wp-content/uploads/team/sabine-wolf.jpg", CRAFT_TEAM);
	assert_absent(r, "contact_persons[1].email");
	assert_field(r, "contact_persons[2].name", "Tim Özdemir", CRAFT_TEAM);
	assert_field(r, "contact_persons[2].position", "Elektroniker für Energie- und Gebäudetechnik", CRAFT_TEAM);
	assert_field(r, "contact_persons[2].photo_url", CRAFT "wp-content/uploads/team/tim-oezdemir.jpg", CRAFT_TEAM);

	assert_true(has_note(r, "company.name", "confirmed", "imprint,contact_page"));
	assert_true(has_note(r, "company.phone", "confirmed", "imprint,contact_page,link"));
	assert_true(has_note(r, "company.email", "confirmed", "imprint,contact_page,link"));
	assert_valid_for_bot(r);
	json_decref(r);

	/* without markup: no photos, card links or colour guess, the rest the same */
	struct site_profile *sp = site_profile_new(CRAFT);
	for (size_t i = 0; craft_pages[i][0]; i++) {
		size_t len;
		char *html = slurp(craft_pages[i][0], &len);

		feed_html(sp, html, len, craft_pages[i][1], false);
		free(html);
	}
	r = site_profile_result(sp);
	assert_field(r, "company.phone", "+49221987654", CRAFT_IMP);
	assert_field(r, "contact_persons[0].name", "Klaus Schmidt", CRAFT_TEAM);
	assert_absent(r, "contact_persons[0].photo_url");
	assert_absent(r, "contact_persons[0].email");
	assert_field(r, "contact_persons[1].phone", "+4922198765412", CRAFT_TEAM);
	assert_absent(r, "branding.primary_color");
	assert_valid_for_bot(r);
	json_decref(r);
	site_profile_free(sp);
}

#define BAKERY "https://www.baeckerei-korn.de/"

/* schema.org in microdata only. */
static void test_microdata_site(void **state)
{
	static const char *const pages[][2] = {{FIX "micro_home.html", BAKERY}, {NULL, NULL}};
	json_t *r = crawl(BAKERY, pages);

	(void)state;
	assert_field(r, "company.name", "Bäckerei Korn", BAKERY);
	assert_field(r, "company.address.street", "Wiehre-Gasse 7", BAKERY);
	assert_field(r, "company.address.postcode", "79100", BAKERY);
	assert_field(r, "company.address.city", "Freiburg im Breisgau", BAKERY);
	assert_field(r, "company.address.country", "Deutschland", BAKERY);
	assert_field(r, "company.phone", "+49761456789", BAKERY);
	assert_field(r, "company.email", "hallo@baeckerei-korn.de", BAKERY);
	assert_field(r, "company.logo_url", BAKERY "bilder/korn-logo.png", BAKERY);
	assert_field(r, "company.social.instagram", "https://www.instagram.com/baeckerei.korn", BAKERY);
	assert_weekly(r, WEEK(D("06:00\",\"18:30"), D("06:00\",\"18:30"), D("06:00\",\"18:30"), D("06:00\",\"18:30"),
			      D("06:00\",\"18:30"), D("06:00\",\"13:00"), CLOSED));
	assert_true(has_note(r, "opening_hours", "confirmed", "microdata,page_text"));
	assert_int_equal(json_array_size(json_object_get(r, "contact_persons")), 1);
	assert_field(r, "contact_persons[0].name", "Lena Korn", BAKERY);
	assert_field(r, "contact_persons[0].position", "Bäckermeisterin und Inhaberin", BAKERY);
	assert_field(r, "contact_persons[0].photo_url", BAKERY "bilder/lena-korn.jpg", BAKERY);
	assert_absent(r, "contact_persons[0].email"); /* the bakery's address is not hers */
	assert_absent(r, "branding.primary_color");
	assert_valid_for_bot(r);
	json_decref(r);
}

#define DENT "https://www.zahnarzt-weber.de/"
#define DENT_IMP DENT "impressum.html"

/* Three phone numbers: JSON-LD, the imprint and the footer's tel: link disagree. */
static void test_conflicting_phones(void **state)
{
	static const char *const pages[][2] = {{FIX "conflict_home.html", DENT}, {FIX "conflict_impressum.html", DENT_IMP},
					       {NULL, NULL}};
	json_t *r = crawl(DENT, pages), *n;
	size_t i, conflicts = 0;

	(void)state;
	assert_field(r, "company.phone", "+49301111111", DENT);
	json_array_foreach(json_object_get(r, "notes"), i, n) {
		if (strcmp(json_string_value(json_object_get(n, "field")), "company.phone"))
			continue;
		assert_string_equal(json_string_value(json_object_get(n, "kind")), "conflict");
		assert_string_equal(json_string_value(json_object_get(n, "kept")), "+49301111111");
		assert_string_equal(json_string_value(json_object_get(n, "kept_from")), "json_ld");
		const char *from = json_string_value(json_object_get(n, "other_from"));
		const char *other = json_string_value(json_object_get(n, "other"));
		if (!strcmp(from, "imprint")) {
			assert_string_equal(other, "+49303333333"); /* "+49 (0)30 333 33 33" */
			assert_string_equal(json_string_value(json_object_get(n, "other_url")), DENT_IMP);
		} else {
			assert_string_equal(from, "link");
			assert_string_equal(other, "+49302222222");
		}
		conflicts++;
	}
	assert_int_equal(conflicts, 2);
	/* the street is written "Chausseestr." in the imprint: still the same address */
	assert_true(has_note(r, "company.address", "confirmed", "json_ld,imprint"));
	assert_true(has_note(r, "company.name", "confirmed", "json_ld,imprint"));
	assert_field(r, "company.email", "praxis@zahnarzt-weber.de", DENT_IMP); /* "praxis [at] … [dot] de" */
	assert_weekly(r, WEEK("[[\"08:00\",\"12:00\"],[\"14:00\",\"18:00\"]]", "[[\"08:00\",\"12:00\"],[\"14:00\",\"18:00\"]]",
			      D("08:00\",\"13:00"), "[[\"08:00\",\"12:00\"],[\"14:00\",\"18:00\"]]", D("08:00\",\"13:00"),
			      CLOSED, CLOSED));
	assert_valid_for_bot(r);
	json_decref(r);

	/* without JSON-LD or imprint, the number on most pages wins */
	struct site_profile *sp = site_profile_new(DENT);
	const char *a = "<footer><a href=\"tel:030 2222222\">x</a></footer>";
	const char *b = "<footer><a href=\"tel:030 4444444\">x</a><a href=\"tel:030 2222222\">y</a></footer>";
	feed_html(sp, b, strlen(b), DENT "a", true);
	feed_html(sp, a, strlen(a), DENT "b", true);
	feed_html(sp, a, strlen(a), DENT "c", true);
	r = site_profile_result(sp);
	assert_field(r, "company.phone", "+49302222222", DENT "a");
	json_decref(r);
	site_profile_free(sp);
}

/* Hostile pages: markup in names, script URLs, broken and huge JSON-LD, deep nesting. */
static void test_hostile_inputs(void **state)
{
	static const char *const pages[][2] = {{FIX "hostile.html", "https://www.yoga-loft.de/"}, {NULL, NULL}};
	json_t *r = crawl("https://www.yoga-loft.de/", pages);
	const char *s;

	(void)state;
	s = json_string_value(at(r, "company.name"));
	assert_non_null(s);
	assert_null(strchr(s, '<'));
	assert_string_equal(s, "Studio"); /* the title's one clean part */
	assert_absent(r, "company.phone");
	assert_absent(r, "company.email");
	assert_absent(r, "company.logo_url");
	assert_absent(r, "company.address.street"); /* a control character */
	assert_absent(r, "company.address.postcode");
	assert_field(r, "company.address.city", "Berlin", "https://www.yoga-loft.de/");
	assert_absent(r, "company.social.facebook");
	assert_absent(r, "company.social.instagram");
	assert_field(r, "company.social.linkedin", "https://www.linkedin.com/company/yoga-loft-gmbh",
		     "https://www.yoga-loft.de/");
	assert_field(r, "company.social.x", "https://x.com/yogaloft_berlin", "https://www.yoga-loft.de/");
	assert_absent(r, "branding.primary_color");
	assert_weekly(r, WEEK(CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, D("10:00\",\"14:00"), CLOSED));
	assert_int_equal(json_array_size(json_object_get(r, "contact_persons")), 1);
	assert_field(r, "contact_persons[0].name", "Mira Stern", "https://www.yoga-loft.de/");
	assert_absent(r, "contact_persons[0].photo_url");
	assert_absent(r, "contact_persons[0].email");
	assert_absent(r, "contact_persons[0].phone");
	assert_valid_for_bot(r);
	json_decref(r);

	/* a JSON-LD block of ~250 KiB with 4,000 employees and names of 200 characters */
	size_t cap = HTML_MAX_JSON_LD_BYTES + 4096, len = 0;
	char *big = malloc(cap);
	assert_non_null(big);
	len += (size_t)snprintf(big, cap, "<script type=\"application/ld+json\">{\"@type\":\"LocalBusiness\","
					  "\"name\":\"%0200d\",\"employee\":[", 7);
	for (int i = 0; len + 200 < HTML_MAX_JSON_LD_BYTES - 64; i++)
		len += (size_t)snprintf(big + len, cap - len, "%s{\"@type\":\"Person\",\"name\":\"Person Nummer %d\"}",
					i ? "," : "", i);
	len += (size_t)snprintf(big + len, cap - len, "]}</script>");
	struct site_profile *sp = site_profile_new("https://www.big.de/");
	feed_html(sp, big, len, "https://www.big.de/", true);
	r = site_profile_result(sp);
	assert_absent(r, "company.name"); /* 200 characters: too long */
	assert_int_equal(json_array_size(json_object_get(r, "contact_persons")), SITE_MAX_PERSONS);
	assert_valid_for_bot(r);
	json_decref(r);
	site_profile_free(sp);

	/* arrays and objects nested 100,000 deep, in JSON-LD and in a @graph */
	len = 0;
	len += (size_t)snprintf(big, cap, "<script type=\"application/ld+json\">");
	for (int i = 0; i < 100000 && len + 16 < cap; i++)
		big[len++] = '[';
	for (int i = 0; i < 100000 && len + 32 < cap; i++)
		big[len++] = ']';
	len += (size_t)snprintf(big + len, cap - len, "</script><script type=\"application/ld+json\">");
	for (int i = 0; i < 1000; i++)
		len += (size_t)snprintf(big + len, cap - len, "{\"@graph\":[");
	len += (size_t)snprintf(big + len, cap - len, "{\"@type\":\"Dentist\",\"name\":\"Tief\"}");
	for (int i = 0; i < 1000; i++)
		len += (size_t)snprintf(big + len, cap - len, "]}");
	len += (size_t)snprintf(big + len, cap - len, "</script>");
	sp = site_profile_new("https://www.deep.de/");
	feed_html(sp, big, len, "https://www.deep.de/", true);
	r = site_profile_result(sp);
	assert_absent(r, "company.name"); /* deeper than the walk goes */
	json_decref(r);
	site_profile_free(sp);

	/* a page of 10,000 blocks of day and time words */
	len = 0;
	for (int i = 0; len + 64 < cap; i++)
		len += (size_t)snprintf(big + len, cap - len, "<p>Mo–Fr %d–%d Uhr, Sa Öffnungszeiten</p>", i % 24,
					(i + 3) % 24);
	sp = site_profile_new("https://www.hours.de/");
	feed_html(sp, big, len, "https://www.hours.de/oeffnungszeiten", true);
	r = site_profile_result(sp);
	assert_valid_for_bot(r);
	json_decref(r);
	site_profile_free(sp);
	free(big);

	/* bad arguments */
	assert_null(site_profile_new(NULL));
	assert_null(site_profile_new("javascript:alert(1)"));
	assert_null(site_profile_new("/relative"));
	assert_null(site_profile_new("https://user:secret@www.x.de/"));
	sp = site_profile_new("https://www.x.de/");
	struct html_doc empty = {0};
	assert_int_equal(site_profile_add_page(NULL, "https://www.x.de/", &empty, NULL, 0), -1);
	assert_int_equal(site_profile_add_page(sp, NULL, &empty, NULL, 0), -1);
	assert_int_equal(site_profile_add_page(sp, "https://www.x.de/", NULL, NULL, 0), -1);
	assert_int_equal(site_profile_add_page(sp, "https://www.x.de/", &empty, NULL, 0), 0);
	assert_null(site_profile_result(NULL));
	site_profile_free(sp);
	site_profile_free(NULL);
}

/* Nothing found; Austrian and Swiss sites; labelled addresses, an hours page, one-line team entries. */
static void test_small_sites(void **state)
{
	struct site_profile *sp = site_profile_new("https://Www.Example.AT:443/start?x=1");
	const char *imp = "<main><h1>Impressum</h1><p>Bergsport Huber e.U.<br>Mariahilfer Straße 1<br>1060 Wien</p>"
			  "<p>Tel.: 01 234 56 78</p><p>Öffnungszeiten: Mo–Sa 10–19 Uhr</p></main>";
	json_t *r;

	(void)state;
	assert_non_null(sp);
	r = site_profile_result(sp);
	assert_field(r, "company.website", "https://www.example.at/", "https://www.example.at/start?x=1");
	assert_true(json_is_null(json_object_get(r, "opening_hours")));
	assert_int_equal(json_array_size(json_object_get(r, "contact_persons")), 0);
	assert_int_equal(json_object_size(json_object_get(r, "branding")), 0);
	assert_valid_for_bot(r);
	json_decref(r);

	feed_html(sp, imp, strlen(imp), "https://www.example.at/impressum", true);
	r = site_profile_result(sp);
	assert_field(r, "company.address.city", "Wien", "https://www.example.at/impressum");
	assert_field(r, "company.address.country", "Österreich", "https://www.example.at/impressum");
	assert_field(r, "company.phone", "+4312345678", "https://www.example.at/impressum");
	assert_field(r, "company.name", "Bergsport Huber e.U.", "https://www.example.at/impressum");
	assert_field(r, "opening_hours.timezone", "Europe/Vienna", "https://www.example.at/impressum");
	assert_valid_for_bot(r);
	json_decref(r);
	site_profile_free(sp);

	sp = site_profile_new("https://www.velo-zueri.ch/");
	const char *ch = "<main><h1>Kontakt</h1><p>Velo Züri GmbH, Langstrasse 10, 8004 Zürich, Schweiz</p>"
			 "<p>Telefon 044 123 45 67</p><p>Öffnungszeiten: Di–Sa 10–18.30 Uhr</p></main>";
	feed_html(sp, ch, strlen(ch), "https://www.velo-zueri.ch/kontakt", true);
	r = site_profile_result(sp);
	assert_field(r, "company.address.street", "Langstrasse 10", "https://www.velo-zueri.ch/kontakt");
	assert_field(r, "company.address.country", "Schweiz", "https://www.velo-zueri.ch/kontakt");
	assert_field(r, "company.name", "Velo Züri GmbH", "https://www.velo-zueri.ch/kontakt");
	assert_field(r, "company.phone", "+41441234567", "https://www.velo-zueri.ch/kontakt");
	assert_field(r, "opening_hours.timezone", "Europe/Zurich", "https://www.velo-zueri.ch/kontakt");
	assert_valid_for_bot(r);
	json_decref(r);
	site_profile_free(sp);

	/* a labelled one-line address; an opening-hours page that is only a table */
	sp = site_profile_new("https://www.laden.de/");
	const char *kon = "<main><h1>Kontakt</h1><p>Anschrift: Hauptstraße 5, 10115 Berlin</p></main>";
	const char *oh = "<main><h1>Wann wir da sind</h1><table><tr><td>Montag – Donnerstag</td>"
			 "<td>09:00 – 13:00 und 14:00 – 18:30 Uhr</td></tr><tr><td>Fr.</td><td>9-14 h</td></tr>"
			 "<tr><td>Sa</td><td>nach Vereinbarung</td></tr><tr><td>So + Feiertage</td><td>geschlossen</td>"
			 "</tr></table></main>";
	feed_html(sp, kon, strlen(kon), "https://www.laden.de/kontakt", true);
	feed_html(sp, oh, strlen(oh), "https://www.laden.de/oeffnungszeiten", true);
	r = site_profile_result(sp);
	assert_field(r, "company.address.street", "Hauptstraße 5", "https://www.laden.de/kontakt");
	assert_field(r, "company.address.city", "Berlin", "https://www.laden.de/kontakt");
	assert_weekly(r, WEEK("[[\"09:00\",\"13:00\"],[\"14:00\",\"18:30\"]]", "[[\"09:00\",\"13:00\"],[\"14:00\",\"18:30\"]]",
			      "[[\"09:00\",\"13:00\"],[\"14:00\",\"18:30\"]]", "[[\"09:00\",\"13:00\"],[\"14:00\",\"18:30\"]]",
			      D("09:00\",\"14:00"), CLOSED, CLOSED));
	assert_string_equal(source_of(r, "opening_hours.weekly"), "https://www.laden.de/oeffnungszeiten");
	assert_true(has_note(r, "opening_hours.weekly.sat", "by_appointment", NULL));
	assert_valid_for_bot(r);
	json_decref(r);
	site_profile_free(sp);

	/* name and position on one line, on an "Über uns" page */
	sp = site_profile_new("https://www.laden.de/");
	const char *team = "<main><h1>Wer wir sind</h1><ul><li><strong>Anna Berg</strong> – Inhaberin</li>"
			   "<li>Max Muster, Trainer für Reha<br>max@laden.de</li><li>Kurse – täglich neu</li></ul></main>";
	feed_html(sp, team, strlen(team), "https://www.laden.de/%C3%BCber-uns", true);
	r = site_profile_result(sp);
	assert_int_equal(json_array_size(json_object_get(r, "contact_persons")), 2);
	assert_field(r, "contact_persons[0].name", "Anna Berg", "https://www.laden.de/%C3%BCber-uns");
	assert_field(r, "contact_persons[0].position", "Inhaberin", "https://www.laden.de/%C3%BCber-uns");
	assert_field(r, "contact_persons[1].name", "Max Muster", "https://www.laden.de/%C3%BCber-uns");
	assert_field(r, "contact_persons[1].position", "Trainer für Reha", "https://www.laden.de/%C3%BCber-uns");
	assert_field(r, "contact_persons[1].email", "max@laden.de", "https://www.laden.de/%C3%BCber-uns");
	assert_absent(r, "contact_persons[0].email"); /* Max's address is not Anna's */
	json_decref(r);
	site_profile_free(sp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phone_e164),      cmocka_unit_test(test_email_url_social),
		cmocka_unit_test(test_person_names),    cmocka_unit_test(test_hours_text),
		cmocka_unit_test(test_hours_spec),      cmocka_unit_test(test_classify),
		cmocka_unit_test(test_gym_site),        cmocka_unit_test(test_craftsman_site),
		cmocka_unit_test(test_microdata_site),  cmocka_unit_test(test_conflicting_phones),
		cmocka_unit_test(test_hostile_inputs),  cmocka_unit_test(test_small_sites),
	};

	html_text_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
