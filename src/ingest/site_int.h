/*
 * site_int.h — what the site profile files share (site_profile.c: evidence store, page classification
 * and the result; site_schema.c: JSON-LD and microdata; site_text.c: imprint, contact and team text;
 * site_hours.c: opening hours; site_values.c: validation and normalisation; site_markup.c: raw markup).
 * Only for src/ingest/site_*.c and their unit test.
 */
#ifndef BOTWERK_INGEST_SITE_INT_H
#define BOTWERK_INGEST_SITE_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "ingest/html_text.h"
#include "ingest/site_profile.h"

/* Where a value came from, most trusted first (the order is the precedence). */
enum sp_kind {
	SP_JSONLD,
	SP_MICRODATA,
	SP_IMPRINT,
	SP_CONTACT,
	SP_TEAM,
	SP_LINK,
	SP_TEXT,
	SP_ICON,
	SP_META,
	SP_TITLE,
	SP_STYLE,
	SP_SITE,
	SP__KINDS
};

/* The fields that take one value each. SF_ADDRESS holds street, postcode, city and country joined by
 * SP_SEP (an address is taken whole from one source); SF_HOURS the compact JSON of a weekly plan. */
enum sp_field {
	SF_NAME,
	SF_ADDRESS,
	SF_PHONE,
	SF_EMAIL,
	SF_WEBSITE,
	SF_LINKEDIN,
	SF_FACEBOOK,
	SF_INSTAGRAM,
	SF_X,
	SF_XING,
	SF_YOUTUBE,
	SF_LOGO,
	SF_COLOR,
	SF_HOURS,
	SF__COUNT
};

#define SP_SEP '\x1f'
#define SP_MAX_CANDS 48   /* distinct candidates kept per field; later distinct ones are dropped */
#define SP_MAX_PEOPLE 24  /* persons kept before the result takes the first SITE_MAX_PERSONS */
#define SP_FIELD_MAX 2049 /* bytes of one value buffer (a URL of HTML_MAX_URL and its NUL) */
#define SP_TEXT_BYTES (SITE_MAX_TEXT * 4 + 1)

struct sp_cand {
	char *value;
	char *url;         /* the first page it was seen on */
	unsigned char kind; /* enum sp_kind */
	int quality;       /* higher wins within a kind (JSON-LD LocalBusiness over Organization) */
	unsigned count;    /* how often it was offered (pages, or weight for style colours) */
	unsigned seq;      /* order of the first offer */
	unsigned aux;      /* SF_HOURS: the days (bit 0 = Monday) said to be "nach Vereinbarung" */
};

struct sp_slot {
	struct sp_cand c[SP_MAX_CANDS];
	size_t n;
};

struct sp_person {
	char *name, *position, *email, *phone, *photo;
	char *url;                                     /* the page of its most trusted evidence */
	char *src_position, *src_email, *src_phone, *src_photo; /* pages of the optional fields */
	unsigned char kind;                            /* enum sp_kind of that evidence */
	unsigned seq;
	unsigned page; /* sp->pages when it was last offered (which persons the current page holds) */
};

struct site_profile {
	char *site_url;
	char *origin; /* "https://www.example.de/" */
	char tld[8];  /* "de", "at", … (lower case), "" when none */
	int cc;       /* country code for national phone numbers */
	struct sp_slot slot[SF__COUNT];
	struct sp_person people[SP_MAX_PEOPLE];
	size_t npeople;
	unsigned seq;   /* offers so far */
	unsigned pages; /* pages fed so far */
	bool oom;
};

/* A person as found, before validation (any field may be NULL). */
struct sp_person_in {
	const char *name, *position, *email, *phone, *photo;
};

/* One page being read. */
struct sp_page {
	struct site_profile *sp;
	const char *url;
	const struct html_doc *doc;
	unsigned kinds; /* SP_PAGE_* */
};

enum {
	SP_PAGE_HOME = 1 << 0,
	SP_PAGE_IMPRINT = 1 << 1,
	SP_PAGE_CONTACT = 1 << 2,
	SP_PAGE_TEAM = 1 << 3,
	SP_PAGE_HOURS = 1 << 4,
};

/* site_profile.c: offers a value (already valid and normalised) for field f. An equal value of the same
 * kind counts again (`weight` times); otherwise a new candidate is kept while there is room. */
void sp_offer(struct site_profile *sp, enum sp_field f, const char *value, const char *url, enum sp_kind kind,
	      int quality, unsigned weight, unsigned aux);
/* site_profile.c: offers a person. The name is required; fields that fail validation are dropped. A
 * person of the same name (case and spacing ignored) is merged: missing fields are filled. */
void sp_offer_person(struct site_profile *sp, const struct sp_person_in *in, const char *url, enum sp_kind kind);
/* site_profile.c: the candidate the result takes for field f (most trusted kind, then quality, then count
 * for counted kinds, then the first offered), or NULL. */
const struct sp_cand *sp_best(const struct site_profile *sp, enum sp_field f);
/* site_profile.c: persons rank by where they were found: schema.org, microdata, a team page, the imprint. */
int sp_person_rank(unsigned kind);
/* site_profile.c: the page's kinds (SP_PAGE_*) from its URL, title and first headings. */
unsigned sp_classify(const char *url, const struct html_doc *doc);

/* site_values.c */
/* `s[0..n)` with white space (also U+00A0) collapsed and trimmed into out (cap bytes), refused (false)
 * when empty, longer than max_chars characters, invalid UTF-8, or holding control characters, '<' or
 * '>'. */
bool sp_clean(const char *s, size_t n, size_t max_chars, char *out, size_t cap);
/* An e-mail address (optionally "mailto:…", "info(at)firma.de", "info [at] firma [dot] de") lower-cased
 * into out; false when it is not one. */
bool sp_email(const char *s, size_t n, char out[256]);
/* An absolute http(s) URL of at most HTML_MAX_URL bytes without spaces, quotes or '<' '>'. */
bool sp_http_url(const char *s);
/* Which social field a profile URL belongs to (SF_LINKEDIN … SF_YOUTUBE), its normal form (no query or
 * fragment) written to out; -1 when it is none (other hosts, share/intent links, bare hosts). */
int sp_social(const char *url, char out[SP_FIELD_MAX]);
/* "#abc", "#aabbcc", "#aabbccdd" (any case, surrounding space) → "#aabbcc"; false otherwise. */
bool sp_color(const char *s, size_t n, char out[8]);
/* Whether a "#rrggbb" colour is grey, near black or near white (not a brand colour). */
bool sp_color_grey(const char *c);
/* A plausible person's name as written on a team page: 2–5 words starting with capitals (particles
 * such as "von" and titles such as "Dr." allowed), letters, hyphens, apostrophes; no common words. */
bool sp_person_name(const char *s);
/* Whether the text holds a job-title word (Inhaberin, Trainer, Geschäftsführer, Meister, …). */
bool sp_position_word(const char *s);
/* A country name or code → its German name ("DE" → "Deutschland"); other text is returned cleaned; NULL
 * when invalid. Writes into out. */
const char *sp_country(const char *s, char out[SP_TEXT_BYTES]);
/* Lower-cases ASCII and the Latin-1 capitals (Ä Ö Ü …) of s into out (same length). */
void sp_fold(const char *s, char *out, size_t cap);
/* Whether `hay` holds `needle` (lower case) after sp_fold. */
bool sp_has(const char *hay, const char *needle);
/* The address parts checked and joined with SP_SEP into out; false when neither street nor city is
 * valid. Any part may be NULL. */
bool sp_address(const char *street, const char *postcode, const char *city, const char *country,
		char out[SP_FIELD_MAX]);

/* site_schema.c: JSON-LD blocks and microdata triples of the page. */
void sp_schema_page(struct sp_page *pg);

/* site_text.c: imprint and contact labels, team blocks. */
void sp_text_page(struct sp_page *pg);
/* site_text.c: the first phone number after a label such as "Tel.:" in line[0..n); false when none. */
bool sp_text_phone(const char *line, int cc, char out[SITE_E164_MAX]);
/* site_text.c: "Musterstraße 12, 20095 Hamburg" (or street and postcode line given apart) → the joined
 * address; false when the text is not one. */
bool sp_text_address(const char *street_line, const char *city_line, char out[SP_FIELD_MAX]);

/* site_hours.c: a weekly plan, minutes after midnight; an end at or before the start runs overnight. */
#define SP_MAX_IV 8
struct sp_week {
	short start[7][SP_MAX_IV], end[7][SP_MAX_IV];
	unsigned char n[7];
	unsigned char closed;      /* days said to be closed */
	unsigned char appointment; /* days "nach Vereinbarung" */
};
/* Adds the opening hours in German or English text (also schema.org's "Mo-Fr 09:00-18:00") to w. A later
 * statement for a day replaces earlier hours it overlaps ("Mo–Fr 9–18, Mi 9–13") and adds to others
 * (split shifts). Returns whether any day got hours. */
bool sp_hours_text(const char *text, struct sp_week *w);
/* Adds one interval ("HH:MM[:SS]" strings) to the days in `days` (bit 0 = Monday), as schema.org means
 * it: 00:00–00:00 closed, a close at 23:59 = 24:00. False when the times are malformed. */
bool sp_hours_spec(struct sp_week *w, unsigned days, const char *opens, const char *closes);
/* The day bit for an English / German day name, abbreviation or schema.org day URL; 0 when none. */
unsigned sp_day_bit(const char *s);
/* Whether any day has hours. */
bool sp_week_any(const struct sp_week *w);
/* {"mon": [["07:00","17:00"]], …, "sun": []} as compact JSON (malloc'd), NULL when out of memory. */
char *sp_week_json(const struct sp_week *w);
/* site_hours.c: offers the opening hours stated in the page's text. */
void sp_hours_page(struct sp_page *pg, enum sp_kind kind);

/* site_markup.c: colours from style attributes and <style>, and photos / mailto / tel links in the cards
 * of the persons this page named. */
void sp_markup_page(struct sp_page *pg, const char *html, size_t len);

#endif
