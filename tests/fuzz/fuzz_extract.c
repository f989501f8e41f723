/*
 * fuzz_extract.c — libFuzzer harness for the profile extractor (src/conv/extract.c), which reads every
 * visitor message.
 *
 * Input: the first 4 bytes choose the reference date (day offset and hour), the rest is the message (a
 * NUL-terminated copy of exactly its size, so ASan sees any over-read; an embedded NUL ends it early).
 * Invariants checked (abort on violation):
 *   - extract_profile returns an object (never NULL short of memory); only the documented fields;
 *   - every value has its documented form: E.164 phone, an '@' in the email, age 14..99, a real
 *     calendar date "YYYY-MM-DD", "HH:MM" in range, values of the closed vocabularies;
 *   - merging the result into an empty profile changes exactly as many fields as it holds, and
 *     merging it again changes none.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv/extract.h"

static struct extractor *X;

static bool one_of(const char *v, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(v, *list))
			return true;
	return false;
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static void check_value(const char *key, json_t *v)
{
	static const char *const goals[] = {"weight_loss", "muscle_gain", "general_fitness", "back_health", "toning",
					    "endurance", "stress_relief", "mobility", NULL};
	static const char *const levels[] = {"beginner", "returning", "intermediate", "advanced", NULL};
	static const char *const windows[] = {"morning", "midday", "afternoon", "evening", NULL};
	static const char *const urgency[] = {"immediate", "soon", "later", NULL};
	static const char *const found[] = {"instagram", "facebook", "tiktok", "youtube", "google", "recommendation",
					    "flyer", "walk_by", "ads", "website", NULL};
	static const char *const interest[] = {"high", "medium", "low", NULL};
	static const char *const gender[] = {"female", "male", "diverse", NULL};
	static const char *const names[] = {"first_name", "last_name", "city", "occupation", "notes",
					    "health_restrictions", "training_frequency", NULL};
	if (!strcmp(key, "age")) {
		if (!json_is_integer(v) || json_integer_value(v) < 14 || json_integer_value(v) > 99)
			abort();
		return;
	}
	if (!strcmp(key, "budget_sensitive")) {
		if (!json_is_boolean(v))
			abort();
		return;
	}
	if (!json_is_string(v) || json_string_length(v) == 0)
		abort();
	const char *s = json_string_value(v);
	size_t n = strlen(s);
	if (!strcmp(key, "email")) {
		if (!strchr(s, '@') || n > 254)
			abort();
	} else if (!strcmp(key, "phone")) {
		if (s[0] != '+' || n < 9 || n > 16 || !digits(s + 1, n - 1) || s[1] == '0')
			abort();
	} else if (!strcmp(key, "preferred_date")) {
		if (n != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4) || !digits(s + 5, 2) || !digits(s + 8, 2))
			abort();
		int m = atoi(s + 5), d = atoi(s + 8);
		if (m < 1 || m > 12 || d < 1 || d > 31)
			abort();
	} else if (!strcmp(key, "preferred_time")) {
		if (n != 5 || s[2] != ':' || !digits(s, 2) || !digits(s + 3, 2) || atoi(s) > 23 || atoi(s + 3) > 59)
			abort();
	} else if (!strcmp(key, "goal")) {
		if (!one_of(s, goals))
			abort();
	} else if (!strcmp(key, "fitness_level")) {
		if (!one_of(s, levels))
			abort();
	} else if (!strcmp(key, "time_window")) {
		if (!one_of(s, windows))
			abort();
	} else if (!strcmp(key, "urgency")) {
		if (!one_of(s, urgency))
			abort();
	} else if (!strcmp(key, "how_found")) {
		if (!one_of(s, found))
			abort();
	} else if (!strcmp(key, "interest_level")) {
		if (!one_of(s, interest))
			abort();
	} else if (!strcmp(key, "gender")) {
		if (!one_of(s, gender))
			abort();
	} else if (!one_of(key, names)) {
		abort(); /* an undocumented field */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!X && !(X = extractor_new()))
		abort();
	if (size < 4)
		return 0;
	/* a reference date between 2024-01-01 (a Monday) and about 2030, any hour */
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int offset = (data[0] | data[1] << 8) % 2400, weekday = offset % 7 + 1;
	struct extract_ref ref = {2024, 1, 1, weekday, data[2] % 24, data[3] % 60};
	while (offset > 0) {
		int dim = mdays[ref.month - 1] + (ref.month == 2 && ref.year % 4 == 0);
		int step = dim - ref.day + 1;
		if (offset >= step) {
			offset -= step;
			ref.day = 1;
			if (++ref.month > 12) {
				ref.month = 1;
				ref.year++;
			}
		} else {
			ref.day += offset;
			offset = 0;
		}
	}
	if (!extract_ref_check(&ref))
		abort();
	data += 4;
	size -= 4;
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	json_t *o = extract_profile(X, s, &ref);
	if (!o)
		abort();
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v)
	{
		check_value(key, v);
	}
	json_t *profile = json_object();
	if (!profile)
		abort();
	if (extract_merge(profile, o) != (int)json_object_size(o) || extract_merge(profile, o) != 0)
		abort();
	json_decref(profile);
	json_decref(o);
	free(s);
	return 0;
}
