/*
 * profile.c — the per-bot profile schema, the checked merge of one message's findings, and the sealed
 * profile on the contact (profile.h).
 *
 * One table (PROFILE_FIELDS below) names every field with the kind of value it takes; the public list
 * profile_all_fields and the checkers' table are both made from it, so they cannot drift apart. The
 * checkers take a JSON value from either source and give back the value to store (trimmed or put into
 * the canonical form) or refuse it; they never invent content.
 */
#include "conv/profile.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/json.h"
#include "base/text.h"
#include "conv/extract.h"
#include "privacy/seal.h"

/* ---- the fields ------------------------------------------------------------------------------------ */

enum kind {
	K_NAME,   /* names, city, occupation: letters and a little punctuation */
	K_TEXT,   /* notes: free text without control characters */
	K_EMAIL,
	K_PHONE,
	K_AGE,
	K_BOOL,
	K_ENUM,   /* one of `values` */
	K_HEALTH, /* comma-separated members of `values`, or "none" */
	K_FREQ,
	K_DATE,
	K_TIME,
};

static const char *const genders[] = {"female", "male", "diverse", NULL};
static const char *const goals[] = {"weight_loss", "muscle_gain", "general_fitness", "back_health", "toning",
				    "endurance",   "stress_relief", "mobility", NULL};
static const char *const levels[] = {"beginner", "returning", "intermediate", "advanced", NULL};
/* the extractor's order (extract.h), which extract_merge keeps when it unites lists */
static const char *const restrictions[] = {"herniated_disc", "back_pain", "knee",      "shoulder", "hip",
					   "pregnancy",      "postnatal", "heart",     "blood_pressure",
					   "asthma",         "diabetes",  "arthrosis", "surgery",  "injury", NULL};
static const char *const windows[] = {"morning", "midday", "afternoon", "evening", NULL};
static const char *const urgencies[] = {"immediate", "soon", "later", NULL};
static const char *const channels[] = {"instagram", "facebook", "tiktok",  "youtube", "google", "recommendation",
				       "flyer",     "walk_by",  "ads",     "website", NULL};
static const char *const interests[] = {"high", "medium", "low", NULL};

#include "conv/profile_fields.h"

#define FIELD_RULE(n, k, v) {k, v},


struct field_rule {
	enum kind kind;
	const char *const *values; /* K_ENUM, K_HEALTH: NULL-terminated */
};

static const struct field_rule field_rules[] = {PROFILE_FIELDS(FIELD_RULE)};

_Static_assert(sizeof field_rules / sizeof field_rules[0] == PROFILE_FIELD_COUNT,
	       "PROFILE_FIELD_COUNT must count the rows of PROFILE_FIELDS");

/* Index of a field name in profile_all_fields, or -1. */
static int field_index(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < PROFILE_FIELD_COUNT; i++)
		if (!strcmp(profile_all_fields[i], name))
			return i;
	return -1;
}

bool profile_field_known(const char *name)
{
	return field_index(name) >= 0;
}

/* The schema as a set: want[i] for field i. NULL or a non-array: every field. */
static void schema_mask(const json_t *schema, bool want[PROFILE_FIELD_COUNT])
{
	bool all = !json_is_array(schema);
	for (int i = 0; i < PROFILE_FIELD_COUNT; i++)
		want[i] = all;
	if (all)
		return;
	for (size_t i = 0; i < json_array_size(schema); i++) {
		int f = field_index(json_string_value(json_array_get(schema, i)));
		if (f >= 0)
			want[f] = true;
	}
}

json_t *profile_schema(const json_t *bot_config)
{
	bool want[PROFILE_FIELD_COUNT];
	schema_mask(json_object_get(bot_config, "profile_fields"), want);
	json_t *out = json_array();
	if (!out)
		return NULL;
	for (int i = 0; i < PROFILE_FIELD_COUNT; i++)
		if (want[i] && json_array_append_new(out, json_string(profile_all_fields[i])) != 0) {
			json_decref(out);
			return NULL;
		}
	return out;
}

/* ---- checking one value ------------------------------------------------------------------------------
 * Each checker returns 1 with *out a new value to store, 0 when the value is refused, -1 when memory ran
 * out. */

/* Characters no profile value may hold: C0 and C1 controls, DEL, zero-width and joiner characters, line
 * and paragraph separators, bidi embeddings, overrides and isolates, the byte-order mark, and the
 * noncharacters U+FFFE/U+FFFF. */
static bool cp_forbidden(uint32_t c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x200B && c <= 0x200F) || (c >= 0x2028 && c <= 0x202E) ||
	       (c >= 0x2060 && c <= 0x206F) || c == 0xFEFF || c == 0xFFFE || c == 0xFFFF;
}

/* True when the n bytes at s are valid UTF-8 without a character from cp_forbidden. */
static bool clean_utf8(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t len = utf8_decode((const unsigned char *)s + i, n - i, &c);
		if (len == 0 || cp_forbidden(c))
			return false;
		i += len;
	}
	return true;
}

/* The string of `v` without leading and trailing spaces: *s and *n; false when v is not a string. */
static bool trimmed(const json_t *v, const char **s, size_t *n)
{
	if (!json_is_string(v))
		return false;
	const char *b = json_string_value(v);
	size_t len = json_string_length(v);
	while (len > 0 && b[0] == ' ')
		b++, len--;
	while (len > 0 && b[len - 1] == ' ')
		len--;
	*s = b;
	*n = len;
	return true;
}

/* Names, city, occupation (name_like) and notes: 1..PROFILE_TEXT_MAX bytes, valid UTF-8, nothing from
 * cp_forbidden. Name-like values take of ASCII only letters, spaces and - ' . ( ) / (no digits, no
 * markup, no '@') and need at least one letter (ASCII, or any code point from U+00C0 on). */
static int check_text(const json_t *v, bool name_like, json_t **out)
{
	const char *s;
	size_t n;
	bool letter = false;
	if (!trimmed(v, &s, &n) || n == 0 || n > PROFILE_TEXT_MAX)
		return 0;
	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t len = utf8_decode((const unsigned char *)s + i, n - i, &c);
		if (len == 0 || cp_forbidden(c))
			return 0;
		i += len;
		if (!name_like)
			continue;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0xC0)
			letter = true;
		else if (c < 0x80 && !strchr(" -'.()/", (int)c))
			return 0;
	}
	if (name_like && !letter)
		return 0;
	return (*out = json_stringn(s, n)) ? 1 : -1;
}

/* An address both email checks accept; local part kept as written, domain in lower case. */
static int check_email(const json_t *v, json_t **out)
{
	const char *s;
	size_t n;
	char buf[SEAL_EMAIL_MAX], norm[SEAL_EMAIL_MAX];
	if (!trimmed(v, &s, &n) || n == 0 || n >= sizeof buf || !clean_utf8(s, n))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (seal_normalize_email(buf, norm, sizeof norm) != 0 || !json_check_email(buf))
		return 0;
	for (char *p = strchr(buf, '@'); *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + ('a' - 'A'));
	return (*out = json_string(buf)) ? 1 : -1;
}

/* E.164 with 8..15 digits; "+49 0…" (a German trunk 0 written after the country code) loses the 0. */
static int check_phone(const json_t *v, json_t **out)
{
	char e164[SEAL_PHONE_MAX];
	if (!json_is_string(v) || memchr(json_string_value(v), '\0', json_string_length(v)) ||
	    seal_normalize_phone(json_string_value(v), e164, sizeof e164) != 0)
		return 0;
	if (!strncmp(e164, "+490", 4))
		memmove(e164 + 3, e164 + 4, strlen(e164 + 4) + 1);
	if (!json_check_e164(e164))
		return 0;
	return (*out = json_string(e164)) ? 1 : -1;
}

/* The member of `values` equal to `s` (n bytes) ignoring ASCII case, or NULL. */
static const char *member(const char *const *values, const char *s, size_t n)
{
	for (size_t i = 0; values[i]; i++)
		if (strlen(values[i]) == n && !strncasecmp(values[i], s, n))
			return values[i];
	return NULL;
}

static int check_enum(const json_t *v, const char *const *values, json_t **out)
{
	const char *s, *m;
	size_t n;
	if (!trimmed(v, &s, &n) || !(m = member(values, s, n)))
		return 0;
	return (*out = json_string(m)) ? 1 : -1;
}

/* "knee, back_pain" -> "back_pain,knee"; "none" only alone. */
static int check_health(const json_t *v, const char *const *values, json_t **out)
{
	const char *s;
	size_t n;
	bool have[32] = {false}, none = false, any = false;
	if (!trimmed(v, &s, &n) || n == 0 || n > 512)
		return 0;
	for (size_t pos = 0; pos <= n;) {
		size_t end = pos;
		while (end < n && s[end] != ',')
			end++;
		size_t b = pos, e = end;
		while (b < e && s[b] == ' ')
			b++;
		while (e > b && s[e - 1] == ' ')
			e--;
		if (e - b == 4 && !strncasecmp(s + b, "none", 4)) {
			none = true;
		} else {
			const char *m = member(values, s + b, e - b);
			if (!m)
				return 0;
			for (size_t i = 0; values[i] && i < 32; i++)
				if (values[i] == m)
					have[i] = any = true;
		}
		pos = end + 1;
	}
	if (none == any) /* both, or (impossible) neither */
		return 0;
	char buf[512] = "none";
	if (any) {
		size_t len = 0;
		for (size_t i = 0; values[i] && i < 32; i++)
			if (have[i])
				len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", len ? "," : "", values[i]);
	}
	return (*out = json_string(buf)) ? 1 : -1;
}

/* "N/week" (N 1..7) or "N-M/week" (1 ≤ N < M ≤ 7). */
static int check_freq(const json_t *v, json_t **out)
{
	const char *s;
	size_t n;
	if (!trimmed(v, &s, &n))
		return 0;
	bool one = n == 6 && s[0] >= '1' && s[0] <= '7' && !strncmp(s + 1, "/week", 5);
	bool range = n == 8 && s[0] >= '1' && s[0] <= '7' && s[1] == '-' && s[2] > s[0] && s[2] <= '7' &&
		     !strncmp(s + 3, "/week", 5);
	if (!one && !range)
		return 0;
	return (*out = json_stringn(s, n)) ? 1 : -1;
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int num(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* "YYYY-MM-DD", a day that exists, in 2000..2099. */
static int check_date(const json_t *v, json_t **out)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	const char *s;
	size_t n;
	if (!trimmed(v, &s, &n) || n != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4) || !digits(s + 5, 2) ||
	    !digits(s + 8, 2))
		return 0;
	int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
	bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
	if (y < 2000 || y > 2099 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
		return 0;
	return (*out = json_stringn(s, n)) ? 1 : -1;
}

/* "HH:MM", 00:00..23:59. */
static int check_time(const json_t *v, json_t **out)
{
	const char *s;
	size_t n;
	if (!trimmed(v, &s, &n) || n != 5 || s[2] != ':' || !digits(s, 2) || !digits(s + 3, 2) || num(s, 2) > 23 ||
	    num(s + 3, 2) > 59)
		return 0;
	return (*out = json_stringn(s, n)) ? 1 : -1;
}

/* The value to store for field `f`, or 0 when `v` is not one (see profile.h for the rules). */
static int check_value(int f, const json_t *v, json_t **out)
{
	const struct field_rule *r = &field_rules[f];
	switch (r->kind) {
	case K_NAME:
		return check_text(v, true, out);
	case K_TEXT:
		return check_text(v, false, out);
	case K_EMAIL:
		return check_email(v, out);
	case K_PHONE:
		return check_phone(v, out);
	case K_AGE:
		if (!json_is_integer(v) || json_integer_value(v) < 14 || json_integer_value(v) > 99)
			return 0;
		return (*out = json_integer(json_integer_value(v))) ? 1 : -1;
	case K_BOOL:
		if (!json_is_boolean(v))
			return 0;
		return (*out = json_boolean(json_is_true(v))) ? 1 : -1;
	case K_ENUM:
		return check_enum(v, r->values, out);
	case K_HEALTH:
		return check_health(v, r->values, out);
	case K_FREQ:
		return check_freq(v, out);
	case K_DATE:
		return check_date(v, out);
	case K_TIME:
		return check_time(v, out);
	}
	return 0;
}

/* ---- merging ----------------------------------------------------------------------------------------- */

/* Field f's value from the rules when they have a valid one, else from the LLM. 1, 0 or -1 as above. */
static int pick(int f, const json_t *rules, const json_t *llm, json_t **out)
{
	const json_t *v = json_object_get(rules, profile_all_fields[f]);
	int rc = v ? check_value(f, v, out) : 0;
	if (rc != 0)
		return rc;
	v = json_object_get(llm, profile_all_fields[f]);
	return v ? check_value(f, v, out) : 0;
}

int profile_merge_message(json_t *profile, const json_t *found_by_rules, const json_t *found_by_llm,
			  const json_t *schema, json_t **changed)
{
	bool want[PROFILE_FIELD_COUNT];
	json_t *list = NULL;
	int count = 0;
	if (changed)
		*changed = NULL;
	if (!json_is_object(profile))
		return -1;
	schema_mask(schema, want);
	for (int f = 0; f < PROFILE_FIELD_COUNT; f++) {
		json_t *value = NULL, *one;
		if (!want[f])
			continue;
		int rc = pick(f, found_by_rules, found_by_llm, &value);
		if (rc < 0)
			goto oom;
		if (rc == 0)
			continue;
		/* one field at a time through extract_merge: its rules for replacing and uniting, and a count
		 * that tells whether this field changed */
		if (!(one = json_object())) {
			json_decref(value);
			goto oom;
		}
		if (json_object_set_new(one, profile_all_fields[f], value) != 0) { /* value is released */
			json_decref(one);
			goto oom;
		}
		rc = extract_merge(profile, one);
		json_decref(one);
		if (rc < 0)
			goto oom;
		if (rc == 0)
			continue;
		count++;
		if (changed && ((!list && !(list = json_array())) ||
				json_array_append_new(list, json_string(profile_all_fields[f])) != 0))
			goto oom;
	}
	if (changed)
		*changed = list;
	return count;
oom:
	json_decref(list);
	return -1;
}

/* ---- on the contact ---------------------------------------------------------------------------------- */

/* Frees text that held personal data after overwriting it. */
static void wipe_free(char *s)
{
	if (s) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
}

/* The contact's key unwrapped from its row. */
static int contact_key_from_row(struct keyring *kr, struct store *st, const char *tenant_id, const char *contact_id,
				unsigned char key[SEAL_KEY_BYTES])
{
	struct store_contact c = {0};
	int rc = store_contact_get(st, tenant_id, contact_id, &c);
	if (rc != STORE_OK)
		return rc;
	rc = keyring_contact_key(kr, st, tenant_id, contact_id, c.wrapped_key, key);
	store_contact_clear(&c);
	return rc;
}

/* The stored profile opened into a JSON object ({} when there is none). */
static int open_profile(const unsigned char key[SEAL_KEY_BYTES], const char *tenant_id, const char *contact_id,
			const char *sealed, json_t **out)
{
	char *plain = NULL;
	json_t *p;
	if (!sealed) {
		*out = json_object();
		return *out ? STORE_OK : STORE_NOMEM;
	}
	if (privacy_open(key, tenant_id, contact_id, "profile", sealed, &plain) != 0)
		return STORE_ERROR;
	p = json_loads(plain, JSON_REJECT_DUPLICATES, NULL);
	wipe_free(plain);
	if (!json_is_object(p)) {
		json_decref(p);
		return STORE_ERROR;
	}
	*out = p;
	return STORE_OK;
}

int profile_update_contact(struct keyring *kr, struct store *st, const char *tenant_id, const char *contact_id,
			   const unsigned char contact_key[SEAL_KEY_BYTES], const json_t *found_by_rules,
			   const json_t *found_by_llm, const json_t *schema, int64_t now, json_t **profile_out)
{
	unsigned char key[SEAL_KEY_BYTES];
	char *sealed = NULL, *text = NULL, *resealed = NULL;
	json_t *profile = NULL;
	int rc, n;
	if (!st || !tenant_id || !contact_id || (!contact_key && !kr))
		return STORE_ERROR;
	if (contact_key)
		memcpy(key, contact_key, sizeof key);
	else if ((rc = contact_key_from_row(kr, st, tenant_id, contact_id, key)) != STORE_OK)
		goto out;
	if ((rc = store_contact_profile_get(st, tenant_id, contact_id, &sealed)) != STORE_OK)
		goto out;
	if ((rc = open_profile(key, tenant_id, contact_id, sealed, &profile)) != STORE_OK)
		goto out;
	n = profile_merge_message(profile, found_by_rules, found_by_llm, schema, NULL);
	if (n < 0) {
		rc = STORE_NOMEM;
		goto out;
	}
	if (n > 0) {
		if (!(text = json_dumps(profile, JSON_COMPACT | JSON_SORT_KEYS))) {
			rc = STORE_NOMEM;
			goto out;
		}
		if (privacy_seal(key, tenant_id, contact_id, "profile", text, &resealed) != 0) {
			rc = STORE_ERROR;
			goto out;
		}
		if ((rc = store_contact_profile_set(st, tenant_id, contact_id, resealed, now)) != STORE_OK)
			goto out;
	}
	if (profile_out) {
		*profile_out = profile;
		profile = NULL;
	}
out:
	sodium_memzero(key, sizeof key);
	wipe_free(text);
	free(sealed);
	free(resealed);
	json_decref(profile);
	return rc;
}
