/*
 * bot_json.h — a bot as the API shows it, built from the store row and its config JSON.
 *
 * The store keeps name, active and timestamps as columns and everything else in `config`. These
 * helpers fill defaults, merge validated input into a config, and render the full (management) and
 * public views.
 */
#ifndef BOTWERK_API_BOT_JSON_H
#define BOTWERK_API_BOT_JSON_H

#include <jansson.h>

#include "base/json.h"
#include "rag/answer.h"
#include "store/store.h"

extern const struct json_field bot_fields[]; /* body schema of POST and PATCH /api/v1/bots */

/* The key of a stored config that names the version of the defaults it was built from (not part of
 * the API: bot_fields refuses it in requests, the views leave it out). */
#define BOT_CONFIG_VERSION_KEY "config_version"

/* A config holding every default for the given language ("de" | "en"). New reference or NULL. */
json_t *bot_config_defaults(const char *language);
/* Merges validated `input` (fields of bot_fields except name/active) into `config` (objects merged
 * key by key). 0, or -1 when memory runs out. */
int bot_config_merge(json_t *config, json_t *input);
/* Checks what the field table cannot: the merged config's opening_hours (conv/hours.h). 0, or -1 with
 * err filled (field path such as "opening_hours.weekly.mon[0][1]"). */
int bot_config_check(json_t *config, struct err *err);
/* An ISO 8601 UTC instant ("2026-12-31T23:59:59Z", optional fraction, "Z" or "+00:00") into unix ms;
 * -1 when malformed. */
int bot_parse_instant(const char *s, int64_t *ms);
/* Full management view. New reference or NULL. */
json_t *bot_to_json(const struct store_bot *b, json_t *config);
/* Public view: id, name, description, language, branding. */
json_t *bot_public_json(const struct store_bot *b, json_t *config);
/* Parses a stored config over the defaults of its language (settings added later get their defaults);
 * NULL when it is not a JSON object (logged by the caller) or memory runs out. */
json_t *bot_config_parse(const struct store_bot *b);
/* What the answerer needs; strings point into `config`, which must outlive the result. */
struct answer_bot bot_answer_settings(const struct store_bot *b, json_t *config);

#endif
