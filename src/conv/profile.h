/*
 * profile.h — a visitor's qualification profile: which fields a bot collects, how each message's findings
 * are merged into it, and keeping it, sealed, on the visitor's contact.
 *
 * The fields are those of the deterministic extractor (conv/extract.h lists them with their formats). A
 * bot may collect a subset: its config's "profile_fields" (an array of field names; absent: all fields).
 * Per message two sources may report values: the extractor's rules (extract_profile) and, when the bot
 * has a model, the LLM's structured reply. For each field of the schema the rules' value wins when the
 * rules found one (they are exact for email, phone, dates and times, and never guess); the LLM's value is
 * taken only when the rules found nothing. Every value, the LLM's above all, is checked against the
 * field's type and format first (see profile_merge_message); what fails is dropped, never repaired into
 * something the visitor did not say.
 *
 * Stored on the contact (contacts.profile) as compact JSON sealed with the contact's key under the field
 * name "profile" (privacy/keys.h): the store never sees it in clear.
 */
#ifndef BOTWERK_CONV_PROFILE_H
#define BOTWERK_CONV_PROFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "privacy/keys.h"
#include "store/store.h"

#define PROFILE_FIELD_COUNT 20 /* entries of profile_all_fields, without its NULL */
#define PROFILE_TEXT_MAX 200   /* bytes of a free-text value (names, city, occupation, notes) */

/* Every field a profile may hold, in a fixed order (the order of profile_schema and of the changed
 * lists), terminated by NULL: usable as the `one_of` list of a json_field row. */
extern const char *const profile_all_fields[PROFILE_FIELD_COUNT + 1];

/* True when `name` is one of profile_all_fields (NULL: false). For the bot config validation. */
bool profile_field_known(const char *name);

/* The fields the bot collects, as a new JSON array of names (the caller owns it) in the order of
 * profile_all_fields, each once. bot_config may be NULL; its "profile_fields" absent, null or not an
 * array means all fields; an array gives its known names (unknown ones are ignored here: the config
 * validation refuses them), so an empty array collects nothing. NULL on out of memory. */
json_t *profile_schema(const json_t *bot_config);

/* Merges one message's findings into `profile` (a JSON object, changed in place): for each field of
 * `schema` (an array as from profile_schema; NULL: all fields) the value of found_by_rules when it has a
 * valid one, else that of found_by_llm; the chosen value goes in as extract_merge does it (a new value
 * replaces the old one; health restrictions are united). Either source may be NULL or a non-object
 * (ignored). Values are checked per field, whatever their source:
 *   first_name, last_name, city, occupation   a string of 1..PROFILE_TEXT_MAX bytes after trimming
 *       spaces, of letters (any non-ASCII letter too), spaces and - ' . ( ) / only, with a letter in it
 *   notes          a string of 1..PROFILE_TEXT_MAX bytes, no control, bidi or zero-width characters
 *   email          an address (privacy/seal.h seal_normalize_email and base/json.h json_check_email
 *                  both accept it); kept with the domain in lower case
 *   phone          E.164 after seal_normalize_phone (spaces and separators dropped, "00" read as "+",
 *                  "+49 (0)…" and "+49 0…" lose the 0): '+' and 8..15 digits. National numbers are
 *                  refused: only the extractor has the rules that make them international
 *   age            a JSON integer 14..99 (not a string, not a real)
 *   budget_sensitive  a JSON boolean
 *   gender, goal, fitness_level, time_window, urgency, how_found, interest_level
 *                  one of the values extract.h lists (ASCII case ignored; kept in lower case)
 *   health_restrictions  listed values separated by commas (spaces around them ignored), or "none"
 *                  alone; kept without duplicates, in the extractor's order, joined by ","
 *   training_frequency   "N/week" (N 1..7) or "N-M/week" (1 ≤ N < M ≤ 7)
 *   preferred_date "YYYY-MM-DD", a real calendar day of the years 2000..2099
 *   preferred_time "HH:MM", 00:00..23:59
 * Keys outside the schema or unknown to profile_all_fields are dropped. Returns how many fields changed
 * (0 or more) and, when `changed` is not NULL, sets *changed to a new array of their names (in schema
 * order) or to NULL when none changed. -1 on out of memory or when `profile` is not an object (*changed
 * NULL; `profile` may then hold some of the changes). */
int profile_merge_message(json_t *profile, const json_t *found_by_rules, const json_t *found_by_llm,
			  const json_t *schema, json_t **changed);

/* One message's findings onto the contact: reads the sealed profile (store_contact_profile_get), opens
 * it (privacy_open, field "profile"), merges (profile_merge_message) and, only when a field changed,
 * seals the result and writes it back with updated_at = now. contact_key: the contact's key; NULL to
 * unwrap it here from the contact row through `kr` (kr may be NULL when contact_key is given).
 * Returns STORE_OK with *profile_out (when not NULL) the merged profile (a new reference; {} for a
 * contact without one), or a store error: STORE_NOTFOUND for an unknown contact, STORE_NOMEM, or
 * STORE_ERROR when the stored profile does not open with this key or is not a JSON object (it is then
 * left as it is), when sealing fails, or for missing arguments. *profile_out is written only on
 * STORE_OK. Two updates of one contact at the same time: the later write wins (store.h). */
int profile_update_contact(struct keyring *kr, struct store *st, const char *tenant_id, const char *contact_id,
			   const unsigned char contact_key[SEAL_KEY_BYTES], const json_t *found_by_rules,
			   const json_t *found_by_llm, const json_t *schema, int64_t now, json_t **profile_out);

#endif
