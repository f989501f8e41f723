/*
 * site_profile.h — a business's company profile from its public website: what a crawl of the site
 * states about name, address, phone, email, opening hours, social links, team, logo and colour, in the
 * shapes of a bot's config (docs/api.md: `company`, `opening_hours`, contact persons, `branding`), with
 * the page each value came from. Used by POST /api/v1/bots/from-website to fill a draft bot.
 *
 * The caller crawls the site, parses each page with html_extract (html_text.h) and feeds it here, page by
 * page, in any order; site_profile_result then picks, field by field, the value from the most trusted
 * source. Nothing is fetched here.
 *
 * Pages are classified by their URL path, title and first <h1> (several kinds may apply; the title never
 * makes a team page):
 * imprint ("impressum", "imprint"), contact ("kontakt", "contact", "anfahrt"), team ("team", "über uns",
 * "ueber-uns", "about", "mitarbeiter", "ansprechpartner"), hours ("öffnungszeiten", "opening-hours"), home
 * (the path "/" or an index page).
 *
 * Sources, most trusted first (a field takes its value from the first source that has a valid one):
 *   1. schema.org JSON-LD: LocalBusiness and its subtypes (HealthClub, ExerciseGym, Restaurant, Dentist,
 *      Electrician, …; any type ending in Business, Store, Service, Club, …) before Organization;
 *      name, address (PostalAddress or text), telephone, email, sameAs (social links by host), logo,
 *      openingHoursSpecification (dayOfWeek as URL or name, opens/closes; 00:00–00:00 = closed, a close
 *      at 23:59 = 24:00) before openingHours strings ("Mo-Fr 09:00-18:00"), and Person entries
 *      (employee, member, founder, or top level) as contact persons.
 *   2. microdata (the same vocabulary, rebuilt from html_doc's flattened triples).
 *   3. the imprint's text: a company name line with a legal form (GmbH, UG, e.K., GbR, …, else the line
 *      above the street), "Musterstraße 12" + "20095 Hamburg", "Telefon:/Tel.:", "E-Mail:" (also
 *      "info(at)…"), and "Vertreten durch / Geschäftsführer(in) / Inhaber(in)" as contact persons.
 *   4. the contact (and opening-hours) page's text: the same labels and address lines.
 *   5. team pages: a person's name as a heading (or the first line of a block) followed by a position
 *      line, then optional e-mail / phone lines; the photo, mailto: and tel: links inside the same card
 *      when the page's markup is given.
 *   6. links on every page except team pages: tel: / mailto: (the one on most pages wins, which is the
 *      footer's) and social profile links (never share/intent/sharer links).
 *   7. opening hours in German text on any other page ("Öffnungszeiten: Mo–Fr 9–18 Uhr, Sa 10–14 Uhr,
 *      So geschlossen", "täglich 6–23 Uhr", split shifts "9–13 und 14–18 Uhr", "Sa nach Vereinbarung").
 *   8. logo: an <img> with "logo" in its class/id/alt/src (the one on most pages), then the largest
 *      apple-touch-icon, then og:image.
 *   9. meta tags: og:site_name, then the home page's title (its first part) for the name;
 *      <meta name=theme-color> for the primary colour.
 *  10. the primary colour as a guess: the most frequent non-grey hex colour in style attributes and
 *      <style> blocks (custom properties named primary/brand/accent/main count 5 times); needs markup.
 * Within one source, JSON-LD businesses rank LocalBusiness over Organization; link, logo, meta and
 * style values rank by how many pages (or times) they appear; otherwise the first page fed wins. An
 * address is taken whole from one source. Contact persons are ordered JSON-LD, microdata, team page,
 * imprint (then as found) and cut at SITE_MAX_PERSONS; a person named again (case ignored) is merged:
 * a more trusted source replaces the fields it has, a less trusted one fills gaps.
 *
 * Notes: a winning value that another kind of source (up to page text) states too is "confirmed" (names
 * compared without their legal form, addresses by street and postcode, "Str." = "Straße"); a different
 * value from another kind is a "conflict" (one note per kind).
 *
 * Validation: emails as json_check_email (lower-cased), URLs http(s) only and at most 2,048
 * bytes, phones E.164 with 8–15 digits, names and positions 1–120 characters of one line without
 * control characters or '<' / '>' (a value that fails is dropped and the next source is asked),
 * postcode ≤ 16, street ≤ 200, city and country ≤ 100 characters. Countries are written as German names
 * ("Deutschland", "Österreich", "Schweiz"); a missing country is inferred from a German, Austrian or
 * Swiss postcode with a matching site domain or phone (noted).
 */
#ifndef BOTWERK_INGEST_SITE_PROFILE_H
#define BOTWERK_INGEST_SITE_PROFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "ingest/html_text.h"

#define SITE_MAX_PERSONS 5     /* contact persons in the result (the API's limit per bot) */
#define SITE_MAX_TEXT 120      /* characters of a name, position or company name */
#define SITE_E164_MAX 17       /* bytes of an E.164 number with its NUL: "+" and up to 15 digits */

struct site_profile; /* evidence gathered so far; not thread-safe (one crawl feeds one profile) */

/* A profile for the site at `site_url` (an absolute http(s) URL: its origin becomes company.website and
 * its domain picks the country code of national phone numbers: .at 43, .ch 41, else 49). NULL when the
 * URL is not http(s), holds a user name, or memory runs out. */
struct site_profile *site_profile_new(const char *site_url);

/* Feeds one crawled page: `url` is the address it was fetched from, `doc` what html_extract made of it,
 * and html[0..len) its raw bytes, or NULL/0 (then team photos, team card links and the colour guess
 * from style sheets are skipped). Returns 0, or -1 when an argument is NULL or memory ran out (what was
 * gathered before stays usable). */
int site_profile_add_page(struct site_profile *sp, const char *url, const struct html_doc *doc, const char *html,
			  size_t len);

/* The profile as a new JSON object, or NULL when memory runs out:
 *   {"company": {"name", "address": {"street", "postcode", "city", "country"}, "phone", "email",
 *                "website", "social": {"linkedin", "facebook", "instagram", "x", "xing", "youtube"},
 *                "logo_url"}                 only the fields found (address/social only when non-empty)
 *    "opening_hours": {"timezone", "weekly": {"mon": [["07:00","17:00"]], …, "sun": []}} or null
 *    "contact_persons": [{"name", "position", "email", "phone", "photo_url"}]   (null when unknown)
 *    "branding": {"logo_url", "primary_color"}     only those found
 *    "sources": {"company.name": "https://…/impressum", "company.address.street": …, "opening_hours": …,
 *                "contact_persons[0]": …, "contact_persons[0].email": …, "branding.primary_color": …}
 *    "notes": [{"field", "kind": "confirmed", "by": ["json_ld", "imprint"]},
 *              {"field", "kind": "conflict", "kept", "kept_from", "kept_url", "other", "other_from",
 *               "other_url"},
 *              {"field": "opening_hours.weekly.sat", "kind": "by_appointment", "url"},
 *              {"field": "company.address.country", "kind": "inferred"},
 *              {"field": "branding.primary_color", "kind": "guess"}]}
 * Every field present has its page in "sources", under its own path or, for a person's name and the
 * hours' time zone, under the enclosing one ("contact_persons[0]", "opening_hours"); the page is the
 * first one the winning value was seen on. `opening_hours` passes hours_parse (conv/hours.h);
 * the time zone follows the country (Europe/Vienna, Europe/Zurich, else Europe/Berlin). Source names in
 * notes: json_ld, microdata, imprint, contact_page, team_page, link, page_text, icon, meta, title,
 * style, site_url. */
json_t *site_profile_result(const struct site_profile *sp);

void site_profile_free(struct site_profile *sp);

/* `in` (a phone number as written on German-language sites: "040 123 456-0", "+49 (0)40 123456",
 * "0049 40 123456", "(040) 12 34 56", "040/123456") in E.164 ("+49401234560") into out. `cc` is the
 * country code of numbers written without one (49). A "(0)" after the country code, and a leading 0 of
 * the area code after +49/+43/+41, are dropped. Returns false (out "") for anything else: letters, no
 * area code, fewer than 8 or more than 15 digits. */
bool site_phone_e164(const char *in, int cc, char out[SITE_E164_MAX]);

#endif
