/*
 * chat_profile.c — what a visitor's message says about them, kept on their contact: the deterministic
 * extractors (conv/extract.h) and, when a model answered, the profile it read (conv/profile.h merges,
 * the model's values only where the rules found nothing and only when they pass the field checks). The
 * sealed result is written with the exchange, in its transaction.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/ucal.h>

#include "api/chat_int.h"
#include "base/log.h"
#include "conv/extract.h"
#include "conv/profile.h"

/* Each thread keeps its last calendar (opening one costs more than the extraction itself); the thread's
 * exit closes it (a _Thread_local pointer would be lost then, and the calendar with it). */
struct cal_cache {
	char tz[64];
	UCalendar *cal;
};

static pthread_key_t cal_key;
static pthread_once_t cal_once = PTHREAD_ONCE_INIT;
static bool cal_key_ok;

static void cal_cache_free(void *p)
{
	struct cal_cache *c = p;
	if (c && c->cal)
		ucal_close(c->cal);
	free(c);
}

static void cal_key_init(void)
{
	cal_key_ok = pthread_key_create(&cal_key, cal_cache_free) == 0;
}

/* "Now" on the bot's wall clock (its opening hours' zone, else Europe/Berlin). 0 or -1. */
static int local_ref(const json_t *config, int64_t now, struct extract_ref *ref)
{
	pthread_once(&cal_once, cal_key_init);
	struct cal_cache *cache = cal_key_ok ? pthread_getspecific(cal_key) : NULL;
	if (!cache) {
		if (!cal_key_ok || !(cache = calloc(1, sizeof *cache)))
			return -1;
		if (pthread_setspecific(cal_key, cache) != 0) {
			free(cache);
			return -1;
		}
	}
	const char *tz = json_str(json_object_get(config, "opening_hours"), "timezone", "Europe/Berlin");
	UErrorCode e = U_ZERO_ERROR;
	if (!cache->cal || strcmp(cache->tz, tz) != 0) {
		UChar utz[64];
		u_uastrncpy(utz, tz, 63);
		utz[63] = 0;
		UCalendar *cal = ucal_open(utz, -1, "de_DE", UCAL_GREGORIAN, &e);
		if (U_FAILURE(e))
			return -1;
		if (cache->cal)
			ucal_close(cache->cal);
		cache->cal = cal;
		snprintf(cache->tz, sizeof cache->tz, "%s", tz);
	}
	UCalendar *cal = cache->cal;
	ucal_setMillis(cal, (UDate)now, &e);
	ref->year = ucal_get(cal, UCAL_YEAR, &e);
	ref->month = ucal_get(cal, UCAL_MONTH, &e) + 1;
	ref->day = ucal_get(cal, UCAL_DATE, &e);
	int dow = ucal_get(cal, UCAL_DAY_OF_WEEK, &e); /* 1 = Sunday */
	ref->weekday = dow == UCAL_SUNDAY ? 7 : dow - 1;
	ref->hour = ucal_get(cal, UCAL_HOUR_OF_DAY, &e);
	ref->minute = ucal_get(cal, UCAL_MINUTE, &e);
	return U_FAILURE(e) ? -1 : 0;
}

/* The contact's profile so far (an object; empty for a new contact or when none is stored). */
static json_t *current_profile(const struct chat_job *j)
{
	char *sealed = NULL, *plain = NULL;
	json_t *p = NULL;
	if (!j->contact_wrapped &&
	    store_contact_profile_get(j->app->store, j->tenant_id, j->contact_id, &sealed) == STORE_OK && sealed &&
	    privacy_open(j->key, j->tenant_id, j->contact_id, "profile", sealed, &plain) == 0)
		p = json_loads(plain, 0, NULL);
	free(sealed);
	free(plain);
	if (!json_is_object(p)) {
		json_decref(p);
		p = json_object();
	}
	return p;
}

json_t *chat_profile_known(const struct chat_job *j)
{
	json_t *p = current_profile(j);
	struct extract_ref ref;
	bool have_ref = local_ref(j->config, j->now, &ref) == 0 && extract_ref_check(&ref);
	json_t *rules = p ? extract_profile(j->app->extractor, j->question, have_ref ? &ref : NULL) : NULL;
	if (rules)
		extract_merge(p, rules);
	json_decref(rules);
	return p;
}

/* Whether a message may say something about its writer: a digit or an '@' (phone, email, dates, times,
 * age), or a first-person word. The extractors cost more than a whole answer; questions about the
 * business in the impersonal ("Was kostet der Tarif Premium?") skip them. */
static bool about_the_writer(const char *msg)
{
	static const char *const words[] = {"ich", "mein", "meine", "meinen", "meiner", "mir", "mich", "bin", "heiße",
					    "heisse", "wir", "uns", "unser", "unsere", "i", "i'm", "im", "my", "me", NULL};
	for (const char *p = msg; *p; p++)
		if ((*p >= '0' && *p <= '9') || *p == '@')
			return true;
	const char *p = msg;
	while (*p) {
		while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (unsigned char)*p >= 0x80 || *p == '\''))
			p++;
		const char *start = p;
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (unsigned char)*p >= 0x80 || *p == '\'')
			p++;
		size_t n = (size_t)(p - start);
		for (int i = 0; n > 0 && words[i]; i++)
			if (strlen(words[i]) == n && !strncasecmp(start, words[i], n))
				return true;
	}
	return false;
}

char *chat_profile_sealed(struct chat_job *j)
{
	bool llm_has = json_is_object(j->llm_profile) && json_object_size(j->llm_profile) > 0;
	if (!llm_has && !about_the_writer(j->question))
		return NULL;
	struct extract_ref ref;
	bool have_ref = local_ref(j->config, j->now, &ref) == 0 && extract_ref_check(&ref);
	json_t *rules = extract_profile(j->app->extractor, j->question, have_ref ? &ref : NULL);
	char *sealed = NULL;
	if (!rules || (json_object_size(rules) == 0 && !llm_has)) {
		json_decref(rules);
		return NULL;
	}
	json_t *schema = profile_schema(j->config);
	json_t *profile = schema ? current_profile(j) : NULL;
	json_t *changed = NULL;
	int n = profile ? profile_merge_message(profile, rules, llm_has ? j->llm_profile : NULL, schema, &changed) : -1;
	if (n > 0) {
		char *text = json_dumps(profile, JSON_COMPACT);
		if (!text || privacy_seal(j->key, j->tenant_id, j->contact_id, "profile", text, &sealed) != 0)
			sealed = NULL;
		free(text);
		if (sealed && changed) /* which fields this message filled in (the values stay sealed) */
			json_object_set(j->meta, "profile_updated", changed);
	}
	json_decref(changed);
	json_decref(profile);
	json_decref(schema);
	json_decref(rules);
	return sealed;
}
