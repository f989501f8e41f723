/*
 * fuzz_site_profile.c — libFuzzer harness for the company profile from a website (src/ingest/site_*.c),
 * fed through the HTML extraction (src/ingest/html_*.c) as the crawler does.
 *
 * The input is up to SITE_PAGES pages separated by the line "<!--page-->"; page i is fetched from the
 * i-th of a home page, an imprint, a contact page, a team page and an opening-hours page of one site, so
 * that every page kind is read. The first byte picks the site's domain (.de, .at, .ch) and whether the
 * raw markup is passed on too (team cards, style colours).
 *
 * Invariants checked (abort on violation), from site_profile.h's contract:
 *   - site_profile_add_page returns 0 and site_profile_result gives an object (nothing runs out of
 *     memory here);
 *   - company: name ≤ SITE_MAX_TEXT characters without '<', '>' or control characters; phone E.164;
 *     email json_check_email; website, logo_url and social links http(s) URLs; address parts within
 *     their lengths;
 *   - opening_hours is null or accepted by hours_parse;
 *   - at most SITE_MAX_PERSONS contact persons, each with a clean name and valid optional fields;
 *   - branding.primary_color is #rrggbb;
 *   - every value in sources is an http(s) URL whose path names a field present in the result.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/json.h"
#include "conv/hours.h"
#include "ingest/html_text.h"
#include "ingest/site_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SITE_PAGES 5
#define SEP "<!--page-->"

#define CHECK(cond, ...)                                                                                  \
	do {                                                                                               \
		if (!(cond)) {                                                                             \
			fprintf(stderr, "fuzz_site_profile: invariant violated: %s\n  ", #cond);           \
			fprintf(stderr, __VA_ARGS__);                                                      \
			fprintf(stderr, "\n");                                                             \
			abort();                                                                           \
		}                                                                                          \
	} while (0)

static void check_text(const char *what, const json_t *v, size_t max_chars)
{
	const char *s;

	if (!v || json_is_null(v))
		return;
	CHECK(json_is_string(v), "%s is not a string", what);
	s = json_string_value(v);
	CHECK(*s && json_utf8_chars(s, strlen(s)) <= max_chars, "%s has a bad length: %s", what, s);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		CHECK(*p >= 0x20 && *p != 0x7F && *p != '<' && *p != '>', "%s has byte 0x%02x: %s", what, *p, s);
	CHECK(s[0] != ' ' && s[strlen(s) - 1] != ' ', "%s is not trimmed: '%s'", what, s);
}

static void check_fmt(const char *what, const json_t *v, bool (*ok)(const char *))
{
	if (!v || json_is_null(v))
		return;
	CHECK(json_is_string(v) && ok(json_string_value(v)), "%s is malformed: %s", what,
	      json_is_string(v) ? json_string_value(v) : "(not a string)");
}

static bool url_ok(const char *s)
{
	return json_check_http_url(s) && strlen(s) <= HTML_MAX_URL;
}

/* The value at a sources path ("company.address.city", "contact_persons[2].email"). */
static const json_t *at(const json_t *root, const char *path)
{
	char buf[128], *save = NULL;

	if (strlen(path) >= sizeof buf)
		return NULL;
	strcpy(buf, path);
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

static void check_result(const json_t *r)
{
	static const char *const social[] = {"linkedin", "facebook", "instagram", "x", "xing", "youtube"};
	const json_t *c = json_object_get(r, "company"), *a = json_object_get(c, "address"),
		     *so = json_object_get(c, "social"), *b = json_object_get(r, "branding"),
		     *oh = json_object_get(r, "opening_hours"), *persons = json_object_get(r, "contact_persons"), *p, *v;
	const char *key;
	size_t i;

	CHECK(json_is_object(c) && json_is_object(b) && json_is_array(persons) &&
		      json_is_object(json_object_get(r, "sources")) && json_is_array(json_object_get(r, "notes")),
	      "result shape");
	check_text("company.name", json_object_get(c, "name"), SITE_MAX_TEXT);
	check_fmt("company.phone", json_object_get(c, "phone"), json_check_e164);
	check_fmt("company.email", json_object_get(c, "email"), json_check_email);
	check_fmt("company.website", json_object_get(c, "website"), url_ok);
	check_fmt("company.logo_url", json_object_get(c, "logo_url"), url_ok);
	check_text("address.street", json_object_get(a, "street"), 200);
	check_text("address.postcode", json_object_get(a, "postcode"), 16);
	check_text("address.city", json_object_get(a, "city"), 100);
	check_text("address.country", json_object_get(a, "country"), 100);
	for (i = 0; i < sizeof social / sizeof social[0]; i++)
		check_fmt(social[i], json_object_get(so, social[i]), url_ok);
	check_fmt("branding.logo_url", json_object_get(b, "logo_url"), url_ok);
	check_fmt("branding.primary_color", json_object_get(b, "primary_color"), json_check_color);
	if (!json_is_null(oh)) {
		struct err e;
		struct hours *h = hours_parse(oh, &e);

		CHECK(h != NULL, "hours_parse refused opening_hours: %s: %s", e.field, e.msg);
		hours_free(h);
	}
	CHECK(json_array_size(persons) <= SITE_MAX_PERSONS, "%zu persons", json_array_size(persons));
	json_array_foreach(persons, i, p) {
		check_text("person.name", json_object_get(p, "name"), SITE_MAX_TEXT);
		CHECK(json_is_string(json_object_get(p, "name")), "person without a name");
		check_text("person.position", json_object_get(p, "position"), SITE_MAX_TEXT);
		check_fmt("person.email", json_object_get(p, "email"), json_check_email);
		check_fmt("person.phone", json_object_get(p, "phone"), json_check_e164);
		check_fmt("person.photo_url", json_object_get(p, "photo_url"), url_ok);
	}
	json_object_foreach((json_t *)json_object_get(r, "sources"), key, v) {
		check_fmt(key, v, url_ok);
		CHECK(at(r, key) != NULL, "sources names %s, which the result lacks", key);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sites[] = {"https://www.firma.de/", "https://www.betrieb.at/", "https://www.geschaeft.ch/"};
	static const char *const paths[SITE_PAGES] = {"", "impressum", "kontakt/", "ueber-uns/team", "oeffnungszeiten"};
	const char *text = (const char *)data, *end = text + size;
	unsigned flags = size ? data[0] : 0;
	struct site_profile *sp = site_profile_new(sites[flags % 3]);
	json_t *r;

	CHECK(sp != NULL, "site_profile_new failed");
	if (size) {
		text++;
		size--;
	}
	for (int page = 0; page < SITE_PAGES && text <= end; page++) {
		const char *sep = memmem(text, (size_t)(end - text), SEP, strlen(SEP));
		size_t n = sep ? (size_t)(sep - text) : (size_t)(end - text);
		char url[64], err[128];
		struct html_doc d;

		snprintf(url, sizeof url, "%s%s", sites[flags % 3], paths[page]);
		CHECK(html_extract(text, n, url, &d, err, sizeof err) == 0, "html_extract: %s", err);
		CHECK(site_profile_add_page(sp, url, &d, (flags & 4) ? text : NULL, (flags & 4) ? n : 0) == 0,
		      "site_profile_add_page failed");
		html_doc_clear(&d);
		if (!sep)
			break;
		text = sep + strlen(SEP);
	}
	r = site_profile_result(sp);
	CHECK(r != NULL, "site_profile_result failed");
	check_result(r);
	json_decref(r);
	site_profile_free(sp);
	return 0;
}
