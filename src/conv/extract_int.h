/*
 * extract_int.h — what the files of the profile extractor share, and nothing else includes.
 *
 * The extractor (public API in extract.h) is four files, one per group of fields:
 *   extract.c       extractor_new/free, the extract_profile driver, extract_merge, and the scanning
 *                   helpers every reader uses (scan_find, scan_next, clause boundaries, number words);
 *   extract_who.c   who writes: names, email, phone, age, city, gender from a title, occupation;
 *   extract_when.c  when: calendar arithmetic, extract_ref_check, preferred date, time and time window;
 *   extract_what.c  what they want: the cue tables (goal, fitness level, restrictions, how found,
 *                   interest, urgency, budget, part of the day, gender), training frequency and notes.
 * Each feature file owns its patterns: it fills its ids of `enum re_id` (a table with designated
 * initialisers) and compiles them in its extract_*_init, called once by extractor_new. Its readers
 * (extract_email, extract_date, ...) are called by extract_profile in a fixed order; everything else in a
 * file is `static`.
 */
#ifndef BOTWERK_CONV_EXTRACT_INT_H
#define BOTWERK_CONV_EXTRACT_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <jansson.h>
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "conv/extract.h"
#include "conv/words.h"

/* ---- patterns ----------------------------------------------------------------------------------- */

/* Weekday names: in the weekday pattern (extract_when.c) and the part-of-day cues (extract_what.c). */
#define WD_FULL "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag|" \
		"monday|tuesday|wednesday|thursday|friday|saturday|sunday"

/* Every pattern, grouped by the file that defines and compiles it. Readers loop over the ranges
 * RE_AGE_BORN..RE_AGE_BORN2 and RE_FREQ_ONE..RE_FREQ_WEEKLY: keep those in order. */
enum re_id {
	/* extract_who.c */
	RE_EMAIL,
	RE_PHONE,
	RE_TOKEN,      /* one name-like word, anchored */
	RE_NAME_STRONG,
	RE_NAME_FIRST,
	RE_NAME_LAST,
	RE_NAME_WEAK,
	RE_NAME_TRAIL,
	RE_NAME_LIST,
	RE_NAME_SIGNOFF,
	RE_AFTER_AGE,  /* ", 34" / "(34)" right after a name, anchored */
	RE_AFTER_CITY, /* "aus" right after a name (and its age), anchored */
	RE_AGE_BIN,
	RE_AGE_YEARS,
	RE_AGE_BORN,
	RE_AGE_BORN2,
	RE_RELATIVE,   /* a relative the clause is about ("mein Sohn ist 16 Jahre alt") */
	RE_CITY_LIVE,
	RE_CITY_FROM,
	RE_CITY_SUFFIX, /* "am Main", "an der Oder", anchored */
	RE_OCC_AS,
	RE_OCC_BIN,
	RE_OCC_STUDY,
	/* extract_when.c */
	RE_DAYWORD,
	RE_INDAYS,
	RE_WEEKDAY,
	RE_WEEKDAY_ABBR,
	RE_DATE_NUM,
	RE_DATE_NUM2,
	RE_DATE_MONTH,
	RE_TIME_HM,
	RE_TIME_UHR,
	RE_TIME_UM,
	RE_TIME_UMW,
	RE_TIME_HALF,
	/* extract_what.c */
	RE_NEG,        /* a negation word */
	RE_FREQ_RANGE,
	RE_FREQ_ONE,
	RE_FREQ_WEEKLY,
	RE_FREQ_DAILY,
	RE_FREQ_ALT,
	RE_TRAIN_CTX,
	RE_NOTES,
	RE_COUNT
};

struct pattern {
	const char *src;
	uint32_t flags; /* added to UTF | UCP | CASELESS */
};

/* ---- cue tables (extract_what.c) ---------------------------------------------------------------- */

enum cue_field { CF_GOAL, CF_LEVEL, CF_HEALTH, CF_FOUND, CF_INTEREST, CF_URGENCY, CF_BUDGET, CF_WINDOW, CF_GENDER };

/* Rows in the cue table of extract_what.c (checked there at compile time). */
#define NCUES 52

/* ---- the extractor ------------------------------------------------------------------------------ */

struct extractor {
	pcre2_code *re[RE_COUNT];
	pcre2_code *cue[NCUES];
	pcre2_match_context *mctx; /* the match limit; read-only after creation */
};

/* One pattern compiled with UTF | UCP | CASELESS | flags; NULL on error. */
pcre2_code *extract_compile(const char *src, uint32_t flags);

/* Compiles the entries of `table` that have a source into x->re (the rest are left alone); false on
 * error. */
bool extract_compile_table(struct extractor *x, const struct pattern table[RE_COUNT]);

/* Per file: compile its patterns (and, for extract_what.c, the cue table) into `x`; false on error. */
bool extract_who_init(struct extractor *x);
bool extract_when_init(struct extractor *x);
bool extract_what_init(struct extractor *x);

/* ---- scanning helpers (extract.c) --------------------------------------------------------------- */

#define MAX_GROUPS 12

struct scan {
	const struct extractor *x;
	const char *s;                 /* the message: valid UTF-8, NUL-terminated */
	size_t len;
	pcre2_match_data *md;
	bool lower;                    /* the writer does not capitalise nouns */
	const struct extract_ref *now; /* NULL: no dates */
	size_t gb[MAX_GROUPS], ge[MAX_GROUPS]; /* the groups of the last match; gb == SIZE_MAX: unset */
};

/* Matches `re` at or after `start` (anchored patterns: at `start`); on success the groups are in
 * sc->gb/ge. A match-limit error counts as no match. */
bool scan_find(struct scan *sc, const pcre2_code *re, size_t start);

/* Position after the match, moving on by at least one character to avoid looping on empty matches. */
size_t scan_next(const struct scan *sc);

/* The number in group `g` (digits or a German number word); 0 when unset or not a number. */
int scan_num(const struct scan *sc, int g);

/* Start of the clause that holds `pos`. */
size_t scan_clause_start(const struct scan *sc, size_t pos);

/* Folds the `n` bytes at `b` into one ASCII word (words_fold); false when they are not one word. */
bool extract_fold_word(const char *b, size_t n, char out[WORD_MAX]);

static inline bool has(const struct scan *sc, int g)
{
	return sc->gb[g] != SIZE_MAX;
}

static inline bool is_clause_end(char c)
{
	return c == '.' || c == '!' || c == '?' || c == ';' || c == ',' || c == ':' || c == '\n';
}

static inline bool in_list(const char *const *list, size_t n, const char *w)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], w))
			return true;
	return false;
}

/* True when the folded word `w` is in the array `list` (word lists folded with words_fold: lower case
 * ASCII, ä -> ae ...). */
#define IN(list, w) in_list(list, sizeof list / sizeof list[0], w)

/* ---- output helpers ----------------------------------------------------------------------------- */

static inline int set_str(json_t *out, const char *key, const char *value)
{
	return json_object_set_new(out, key, json_string(value));
}

static inline int set_strn(json_t *out, const char *key, const char *b, size_t n)
{
	return json_object_set_new(out, key, json_stringn(b, n));
}

/* UTF-8 case of the letters this module re-cases: ASCII and the Latin-1 block (U+00C0..U+00FE). */
static inline bool upper_at(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	return (u[0] >= 'A' && u[0] <= 'Z') || (u[0] == 0xC3 && u[1] >= 0x80 && u[1] <= 0x9E && u[1] != 0x97);
}

static inline bool lower_at(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	return (u[0] >= 'a' && u[0] <= 'z') || (u[0] == 0xC3 && u[1] >= 0xA0 && u[1] <= 0xBE && u[1] != 0xB7);
}

static inline size_t char_len(const char *p)
{
	unsigned char c = (unsigned char)*p;
	return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* ---- the readers, in the order extract_profile calls them --------------------------------------- */

/* extract_who.c */
void extract_email(struct scan *sc, json_t *out);
void extract_phone(struct scan *sc, json_t *out);
void extract_name(struct scan *sc, json_t *out);
void extract_age(struct scan *sc, json_t *out);
void extract_city(struct scan *sc, json_t *out);
void extract_occupation(struct scan *sc, json_t *out);

/* extract_when.c */
void extract_date(struct scan *sc, json_t *out);
void extract_time(struct scan *sc, json_t *out);

/* extract_what.c */
void extract_frequency(struct scan *sc, json_t *out);
void extract_cues(struct scan *sc, json_t *out);
void extract_notes(struct scan *sc, json_t *out);

/* ---- cue lookups (extract_what.c) --------------------------------------------------------------- */

/* The row of `field` whose acceptable match comes first in the message; NULL when none. */
const char *cue_earliest(struct scan *sc, enum cue_field field);

/* Position of a restriction value in the cue table (unknown values after all known ones): the order
 * extract_merge keeps "health_restrictions" in. */
size_t cue_health_rank(const char *v, size_t vl);

#endif
