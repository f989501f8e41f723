/*
 * extract.h — deterministic extraction of a contact's lead-qualification profile from one chat message
 * (German, some simple English): name, contact data, age, city, preferred appointment, training and
 * sales fields. No model is involved: PCRE2 patterns (UTF-8, Unicode properties, caseless) and small
 * word lists, tuned for precision: when a phrase is ambiguous the field is left out.
 *
 * Fields and their values (every value a JSON string unless noted):
 *   first_name, last_name  as written, each part capitalised ("anna-lena" -> "Anna-Lena")
 *   email                  local part as written, domain lower case, trailing punctuation dropped;
 *                          "(at)"/"[at]" read as "@"
 *   phone                  E.164 ("+491711234567"); national numbers default to Germany
 *   age                    JSON integer, 14..99 ("Jahrgang 1990" = reference year - 1990)
 *   gender                 female | male | diverse — only when stated ("ich bin eine Frau", "männlich",
 *                          "hier ist Frau Krause")
 *   city                   as written, capitalised ("Frankfurt am Main", "Köln-Ehrenfeld")
 *   occupation             the job word as written, capitalised ("Krankenschwester"); "ich studiere" ->
 *                          "Student"
 *   goal                   weight_loss | muscle_gain | general_fitness | back_health | toning |
 *                          endurance | stress_relief | mobility (the first one mentioned)
 *   fitness_level          beginner | returning | intermediate | advanced
 *   training_frequency     "N/week" or "N-M/week" ("jeden Tag" -> "7/week")
 *   health_restrictions    comma-separated, in this order: herniated_disc, back_pain, knee, shoulder,
 *                          hip, pregnancy, postnatal, heart, blood_pressure, asthma, diabetes,
 *                          arthrosis, surgery, injury; or "none" when the visitor says there are none
 *   budget_sensitive       JSON true ("zu teuer", "günstig", "Budget") or false ("Preis egal")
 *   time_window            morning | midday | afternoon | evening (only when a part of the day is named)
 *   urgency                immediate | soon | later
 *   how_found              instagram | facebook | tiktok | youtube | google | recommendation | flyer |
 *                          walk_by | ads | website
 *   interest_level         high | medium | low
 *   preferred_date         "YYYY-MM-DD", relative to the reference instant
 *   preferred_time         "HH:MM"
 *   notes                  the text after "PS:" / "Anmerkung:" / "Hinweis:" (at most 200 bytes)
 *
 * Dates and times (reference = `struct extract_ref`, the bot's local wall clock):
 *   heute/morgen/übermorgen = +0/+1/+2 days; "in 3 Tagen" = +3; a weekday = its next occurrence after
 *   today (the same weekday = in 7 days); "nächsten/kommenden Montag" = the same; "nächste Woche
 *   Montag" / "Montag nächste Woche" = Monday of the next calendar week (weeks start on Monday);
 *   "24.11." / "24. November" = that day this year, or next year when it has passed; "24.11.26" and
 *   "24.11.2026" as given. Clock hours 1..7 without a part of the day are afternoon/evening hours
 *   ("um 3", "halb drei" -> 15:00, 14:30); hours 8..12 stay as they are; "abends um 8" -> 20:00,
 *   "morgens um 6" -> 06:00. "halb X" = X-1:30, "viertel nach X" = X:15, "viertel vor X" and
 *   "dreiviertel X" = X-1:45.
 */
#ifndef BOTWERK_CONV_EXTRACT_H
#define BOTWERK_CONV_EXTRACT_H

#include <jansson.h>

/* The compiled patterns. Built once (extractor_new), then shared read-only: extract_profile may run
 * on several threads with the same extractor (each call makes its own PCRE2 match data). */
struct extractor;

/* "Now" in the bot's time zone: the date the visitor sees and the wall-clock time. weekday: 1 = Monday
 * .. 7 = Sunday; it must agree with the date (extract_ref_check tells). */
struct extract_ref {
	int year, month, day;
	int weekday;
	int hour, minute;
};

/* Compiles every pattern; NULL on out of memory (or a pattern error, which is a bug). */
struct extractor *extractor_new(void);
void extractor_free(struct extractor *x);

/* True when `ref` is a real date with the right weekday and a valid time of day. */
int extract_ref_check(const struct extract_ref *ref);

/* Reads what `message` (UTF-8; invalid UTF-8 yields an empty object) states about its writer. Returns
 * a new JSON object (the caller owns it) with only the fields found, or NULL on out of memory. `now`
 * may be NULL: then no date is resolved and "Jahrgang" gives no age. Messages longer than
 * EXTRACT_MAX_BYTES are read up to that length (cut at a character boundary). */
json_t *extract_profile(const struct extractor *x, const char *message, const struct extract_ref *now);

#define EXTRACT_MAX_BYTES 4096

/* Merges `found` (as from extract_profile) into `profile`: a newer value replaces an older one, except
 * empty strings and nulls, which never overwrite; "health_restrictions" values are united (an old "none"
 * gives way to a real restriction, a new "none" does not erase known ones). Returns the number of
 * fields that changed, or -1 on out of memory / arguments that are not objects. */
int extract_merge(json_t *profile, const json_t *found);

#endif
