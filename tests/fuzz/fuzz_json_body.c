/*
 * fuzz_json_body.c — libFuzzer harness for request-body validation (src/base/json.c, src/api/bot_json.c).
 *
 * Mirrors the server pipeline (src/http/server.c, dispatch): the body is parsed with
 * json_loadb(…, JSON_REJECT_DUPLICATES, …) and validated with json_validate against a route's field
 * table. The main table is the exported `bot_fields` (POST /api/v1/bots, and PATCH with partial=true);
 * the other body schemas are static in their files, so equivalent copies live below (keep them in step
 * with src/api/api_chat.c, api_sources.c and api_bots.c). A body that passes bot_fields (in full, as
 * POST, or partially, as PATCH) is then merged into the default config, stored as text, read back and
 * rendered the way the bot handlers do.
 *
 * Invariants checked (abort on violation):
 *   - json_validate returns 0 or -1; on -1 err.code is ERR_VALIDATION or ERR_INVALID_REQUEST (the latter
 *     only for a body that is not an object), err.msg is non-empty, msg and field are NUL-terminated;
 *   - a body valid in full is valid partially (partial only drops `required`);
 *   - a valid bot body merged into bot_config_defaults() still validates (partially) against bot_fields,
 *     its opening_hours are accepted or refused with a validation message by bot_config_check,
 *     survives json_dumps → bot_config_parse unchanged, and bot_to_json / bot_public_json render it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/bot_json.h"
#include "base/err.h"
#include "base/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                                                                  \
	do {                                                                                               \
		if (!(cond)) {                                                                             \
			fprintf(stderr, "fuzz_json_body: invariant violated: %s\n  ", #cond);              \
			fprintf(stderr, __VA_ARGS__);                                                      \
			fprintf(stderr, "\n");                                                             \
			abort();                                                                           \
		}                                                                                          \
	} while (0)

/* ---- copies of the static body schemas ---------------------------------------------------------- */

/* src/api/api_chat.c: chat_fields */
static const struct json_field chat_fields[] = {
	{"message", JF_STRING, false, false, 0, 0, NULL, NULL, NULL, NULL},
	{"conversation_id", JF_STRING, false, true, 0, 64, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

static bool event_name_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == ':' ||
		      *s == '-'))
			return false;
	return true;
}

/* src/api/api_chat.c: analytics_fields */
static const struct json_field analytics_fields[] = {
	{"event", JF_STRING, true, false, 1, 64, NULL, event_name_ok, "1-64 characters of a-z 0-9 _ . : -", NULL},
	{"props", JF_ANY_OBJECT, false, true, 0, 4096, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

/* src/api/api_sources.c: source_fields */
static const char *const kinds[] = {"text", NULL};
static const struct json_field source_fields[] = {
	{"kind", JF_STRING, true, false, 0, 0, kinds, NULL, NULL, NULL},
	{"title", JF_STRING, true, false, 1, 200, NULL, NULL, NULL, NULL},
	{"text", JF_STRING, true, false, 1, 1000000, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

/* src/api/api_bots.c: status_fields */
static const struct json_field status_fields[] = {
	{"active", JF_BOOL, true, false, 0, 0, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

/* Not a real route: every field type and bound at once, including an int range and a nested object,
 * so json_validate's branches that no real table reaches are fuzzed too. */
static const struct json_field mixed_sub[] = {
	{"n", JF_INT, true, false, -5, 5, NULL, NULL, NULL, NULL},
	{"c", JF_STRING, false, true, 0, 0, NULL, json_check_color, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};
static const struct json_field mixed_fields[] = {
	{"i", JF_INT, false, true, 0, 0, NULL, NULL, NULL, NULL},
	{"u", JF_STRING, false, false, 1, 3, NULL, json_check_http_url, NULL, NULL},
	{"o", JF_OBJECT, true, false, 0, 0, NULL, NULL, NULL, mixed_sub},
	{"a", JF_ANY_OBJECT, false, false, 0, 8, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

/* ---- checks ------------------------------------------------------------------------------------- */

static int validate(json_t *body, const struct json_field *fields, bool partial, const char *table)
{
	struct err e;
	int rc;

	memset(&e, 0, sizeof e);
	rc = json_validate(body, fields, partial, &e);
	CHECK(rc == 0 || rc == -1, "%s: json_validate returned %d", table, rc);
	if (rc == 0)
		return 0;
	CHECK(e.code == ERR_VALIDATION || e.code == ERR_INVALID_REQUEST, "%s: err.code %d (%s), msg \"%.*s\"",
	      table, (int)e.code, err_code_name(e.code), (int)sizeof e.msg, e.msg);
	CHECK(e.code != ERR_INVALID_REQUEST || !json_is_object(body), "%s: invalid_request for an object", table);
	CHECK(memchr(e.msg, '\0', sizeof e.msg) != NULL, "%s: err.msg not NUL-terminated", table);
	CHECK(memchr(e.field, '\0', sizeof e.field) != NULL, "%s: err.field not NUL-terminated", table);
	CHECK(e.msg[0] != '\0', "%s: empty err.msg (code %s, field \"%s\")", table, err_code_name(e.code), e.field);
	return -1;
}

static void validate_both(json_t *body, const struct json_field *fields, const char *table)
{
	int full = validate(body, fields, false, table);
	int part = validate(body, fields, true, table);

	CHECK(full != 0 || part == 0, "%s: valid in full but not partially", table);
}

/* What POST /api/v1/bots (and PATCH, on a freshly created bot) does with a valid body: defaults for
 * its language, merged, stored as JSON text, read back, rendered. */
static void merge_and_render(json_t *body)
{
	json_t *config = bot_config_defaults(json_str(body, "language", "de"));
	struct store_bot b;
	json_t *view, *back;
	char *text;

	CHECK(config != NULL, "bot_config_defaults returned NULL");
	json_t *settings = json_copy(config); /* the stored version stamp is not an API field */
	CHECK(settings != NULL, "json_copy failed");
	json_object_del(settings, BOT_CONFIG_VERSION_KEY);
	CHECK(validate(settings, bot_fields, true, "defaults") == 0, "the default config is not valid");
	json_decref(settings);
	CHECK(bot_config_merge(config, body) == 0, "bot_config_merge failed");
	settings = json_copy(config);
	CHECK(settings != NULL, "json_copy failed");
	json_object_del(settings, BOT_CONFIG_VERSION_KEY);
	CHECK(validate(settings, bot_fields, true, "merged") == 0, "a valid body merged into the defaults is invalid");
	json_decref(settings);
	struct err he = {0};
	int hrc = bot_config_check(config, &he); /* opening_hours through conv/hours.c */
	CHECK(hrc == 0 || (hrc == -1 && (he.code == ERR_VALIDATION || he.code == ERR_INTERNAL) && he.msg[0]),
	      "bot_config_check returned %d (code %d)", hrc, he.code);

	memset(&b, 0, sizeof b);
	snprintf(b.id, sizeof b.id, "bot_aaaaaaaaaaaaaaaaaaaaaaaa");
	snprintf(b.tenant_id, sizeof b.tenant_id, "ten_aaaaaaaaaaaaaaaaaaaaaaaa");
	b.name = (char *)(uintptr_t)json_str(body, "name", "Testbot");
	b.active = json_bool(body, "active", true);
	b.created_at = 1763800000000;
	b.updated_at = 1763800000000;

	text = json_dumps(config, JSON_COMPACT);
	CHECK(text != NULL, "json_dumps of the merged config failed");
	b.config = text;
	back = bot_config_parse(&b);
	CHECK(back != NULL && json_equal(back, config), "the stored config does not read back as itself: %s", text);
	json_decref(back);
	b.config = NULL;
	free(text);

	view = bot_to_json(&b, config);
	CHECK(view != NULL, "bot_to_json returned NULL for a valid config");
	json_decref(view);
	view = bot_public_json(&b, config);
	CHECK(view != NULL, "bot_public_json returned NULL for a valid config");
	json_decref(view);
	json_decref(config);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);

	if (!body)
		return 0;

	/* POST /api/v1/bots validates in full, PATCH partially; both then merge into a config. */
	{
		int full = validate(body, bot_fields, false, "bot_fields");
		int part = validate(body, bot_fields, true, "bot_fields (partial)");

		CHECK(full != 0 || part == 0, "bot body valid in full but not partially");
		if (part == 0)
			merge_and_render(body);
	}
	validate_both(body, chat_fields, "chat_fields");
	validate_both(body, analytics_fields, "analytics_fields");
	validate_both(body, source_fields, "source_fields");
	validate_both(body, status_fields, "status_fields");
	validate_both(body, mixed_fields, "mixed_fields");

	json_decref(body);
	return 0;
}
