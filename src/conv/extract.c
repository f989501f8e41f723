/*
 * extract.c — profile fields from one chat message (see extract.h): the public entry points and the
 * scanning helpers the readers share.
 *
 * Every pattern is compiled once into struct extractor (UTF-8, Unicode properties, caseless) and never
 * changed afterwards; a call makes its own match data, so one extractor serves all threads. A call
 * copies the message (at most EXTRACT_MAX_BYTES, valid UTF-8 only), then runs one reader per field
 * over it. Two kinds of readers:
 *   - cue tables (goal, level, restrictions, how found, interest, urgency, budget, part of day,
 *     gender): rows of pattern -> normalised value; a row may be skipped when a negation ("kein",
 *     "nicht", "ohne") stands before it in the same clause, or when its clause is a question;
 *   - structured readers (name, email, phone, age, city, date, time, frequency, occupation), which
 *     find a trigger with a pattern and then read and check the words after it in C: names and cities
 *     must look like names (letters, capitalised unless the writer never capitalises), must not be
 *     one of the common words that follow "ich bin" / "aus", and are re-cased.
 * When in doubt a field is left out: a wrong name is worse than none.
 *
 * The readers live by feature: extract_who.c (name, contact data, age, city, occupation),
 * extract_when.c (date, time, part of the day) and extract_what.c (the cue tables, frequency, notes);
 * extract_int.h is what they share. This file holds extractor_new/free, the scanning helpers,
 * extract_profile and extract_merge.
 */
#include "conv/extract_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MATCH_LIMIT 200000 /* PCRE2 match limit per call: a pathological input gives no match, not a stall */

/* ---- the extractor ---------------------------------------------------------------------------- */

pcre2_code *extract_compile(const char *src, uint32_t flags)
{
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
				       PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | flags, &errcode, &erroff, NULL);
	/* JIT: every chat message runs all patterns; pcre2_match uses the JIT code (and still honours the
	 * match limit). Where JIT is unavailable the interpreter runs, slower but the same. */
	if (re)
		pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

bool extract_compile_table(struct extractor *x, const struct pattern table[RE_COUNT])
{
	for (size_t i = 0; i < RE_COUNT; i++)
		if (table[i].src && !(x->re[i] = extract_compile(table[i].src, table[i].flags)))
			return false;
	return true;
}

struct extractor *extractor_new(void)
{
	struct extractor *x = calloc(1, sizeof *x);
	if (!x)
		return NULL;
	if (!extract_who_init(x) || !extract_when_init(x) || !extract_what_init(x))
		goto fail;
	for (size_t i = 0; i < RE_COUNT; i++)
		if (!x->re[i]) /* a pattern no file defines: a bug */
			goto fail;
	if (!(x->mctx = pcre2_match_context_create(NULL)))
		goto fail;
	pcre2_set_match_limit(x->mctx, MATCH_LIMIT);
	return x;
fail:
	extractor_free(x);
	return NULL;
}

void extractor_free(struct extractor *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < RE_COUNT; i++)
		pcre2_code_free(x->re[i]);
	for (size_t i = 0; i < NCUES; i++)
		pcre2_code_free(x->cue[i]);
	pcre2_match_context_free(x->mctx);
	free(x);
}

/* ---- scanning helpers --------------------------------------------------------------------------- */

/* Matches `re` at or after `start` (anchored patterns: at `start`); on success the groups are in
 * sc->gb/ge. A match-limit error counts as no match. */
bool scan_find(struct scan *sc, const pcre2_code *re, size_t start)
{
	if (start > sc->len)
		return false;
	int rc = pcre2_match(re, (PCRE2_SPTR)sc->s, sc->len, start, PCRE2_NO_UTF_CHECK, sc->md, sc->x->mctx);
	if (rc <= 0)
		return false;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sc->md);
	uint32_t n = pcre2_get_ovector_count(sc->md);
	for (uint32_t i = 0; i < MAX_GROUPS; i++) {
		if (i < n && i < (uint32_t)rc && ov[2 * i] != PCRE2_UNSET) {
			sc->gb[i] = ov[2 * i];
			sc->ge[i] = ov[2 * i + 1];
		} else {
			sc->gb[i] = sc->ge[i] = SIZE_MAX;
		}
	}
	return true;
}

/* Position after the match, moving on by at least one character to avoid looping on empty matches. */
size_t scan_next(const struct scan *sc)
{
	size_t p = sc->ge[0] > sc->gb[0] ? sc->ge[0] : sc->gb[0] + 1;
	while (p < sc->len && ((unsigned char)sc->s[p] & 0xC0) == 0x80)
		p++;
	return p;
}

/* Folds the `n` bytes at `b` into one ASCII word (words_fold); false when they are not one word. */
bool extract_fold_word(const char *b, size_t n, char out[WORD_MAX])
{
	char tmp[WORD_MAX * 2];
	char words[WORDS_MAX][WORD_MAX];
	if (n >= sizeof tmp)
		return false;
	memcpy(tmp, b, n);
	tmp[n] = '\0';
	if (words_fold(tmp, words) != 1)
		return false;
	memcpy(out, words[0], WORD_MAX);
	return true;
}

/* A word's value from its folded form: digits or German number words. 0 when not a number. */
static int number_word(const char *b, size_t n)
{
	static const char *const w[] = {"", "eins", "zwei", "drei", "vier", "fuenf", "sechs", "sieben", "acht",
					"neun", "zehn", "elf", "zwoelf"};
	char f[WORD_MAX];
	if (n > 0 && n <= 2 && b[0] >= '0' && b[0] <= '9') {
		int v = b[0] - '0';
		if (n == 2 && b[1] >= '0' && b[1] <= '9')
			v = v * 10 + b[1] - '0';
		return v;
	}
	if (!extract_fold_word(b, n, f))
		return 0;
	if (!strcmp(f, "ein") || !strcmp(f, "einmal"))
		return 1;
	for (int i = 1; i <= 12; i++)
		if (!strcmp(f, w[i]))
			return i;
	return 0;
}

int scan_num(const struct scan *sc, int g)
{
	return has(sc, g) ? number_word(sc->s + sc->gb[g], sc->ge[g] - sc->gb[g]) : 0;
}

/* Start of the clause that holds `pos`. */
size_t scan_clause_start(const struct scan *sc, size_t pos)
{
	while (pos > 0 && !is_clause_end(sc->s[pos - 1]))
		pos--;
	return pos;
}

/* ---- entry points ------------------------------------------------------------------------------- */

/* Length of the longest valid UTF-8 prefix of `s` up to `max` bytes that ends on a character boundary;
 * SIZE_MAX when `s` holds invalid UTF-8 before that point. */
static size_t utf8_prefix(const char *s, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (u[i] && i < max) {
		unsigned char c = u[i];
		size_t n;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			n = 2;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 3;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 4;
			cp = c & 0x07;
		} else {
			return SIZE_MAX;
		}
		for (size_t k = 1; k < n; k++) {
			if ((u[i + k] & 0xC0) != 0x80)
				return SIZE_MAX;
			cp = (cp << 6) | (u[i + k] & 0x3F);
		}
		if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
			return SIZE_MAX;
		if (i + n > max)
			break; /* the character would cross the limit: cut before it */
		i += n;
	}
	return i;
}

/* True when no letter is upper case except at the start of a sentence. */
static bool writes_lower(const char *s, size_t len)
{
	bool start = true;
	for (size_t i = 0; i < len; i += char_len(s + i)) {
		if (upper_at(s + i) && !start)
			return false;
		if (s[i] == '.' || s[i] == '!' || s[i] == '?' || s[i] == '\n')
			start = true;
		else if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			start = false;
	}
	return true;
}

json_t *extract_profile(const struct extractor *x, const char *message, const struct extract_ref *now)
{
	json_t *out = json_object();
	char *copy = NULL;
	struct scan sc = {.x = x, .now = now && extract_ref_check(now) ? now : NULL};
	if (!out)
		return NULL;
	if (!x || !message)
		return out;
	size_t len = utf8_prefix(message, EXTRACT_MAX_BYTES);
	if (len == SIZE_MAX || len == 0)
		return out;
	if (!(copy = malloc(len + 1)))
		goto oom;
	memcpy(copy, message, len);
	copy[len] = '\0';
	sc.s = copy;
	sc.len = len;
	sc.lower = writes_lower(copy, len);
	if (!(sc.md = pcre2_match_data_create(MAX_GROUPS + 4, NULL)))
		goto oom;

	extract_email(&sc, out);
	extract_phone(&sc, out);
	extract_name(&sc, out);
	extract_age(&sc, out);
	extract_city(&sc, out);
	extract_occupation(&sc, out);
	extract_date(&sc, out);
	extract_time(&sc, out);
	extract_frequency(&sc, out);
	extract_cues(&sc, out);
	extract_notes(&sc, out);

	pcre2_match_data_free(sc.md);
	free(copy);
	return out;
oom:
	pcre2_match_data_free(sc.md);
	free(copy);
	json_decref(out);
	return NULL;
}

/* ---- merging ------------------------------------------------------------------------------------ */

/* Unites two comma lists of restrictions into `buf`; "none" only when both are "none". */
static bool health_union(const char *a, const char *b, char *buf, size_t cap)
{
	struct item {
		const char *p;
		size_t n, rank;
	} items[64];
	size_t ni = 0, len = 0;
	const char *lists[2] = {a, b};
	for (int l = 0; l < 2; l++) {
		const char *p = lists[l];
		while (*p) {
			size_t n = strcspn(p, ",");
			bool dup = n == 0 || (n == 4 && !strncmp(p, "none", 4));
			for (size_t i = 0; i < ni && !dup; i++)
				dup = items[i].n == n && !strncmp(items[i].p, p, n);
			if (!dup) {
				if (ni == sizeof items / sizeof items[0])
					return false;
				items[ni++] = (struct item){p, n, cue_health_rank(p, n)};
			}
			p += n + (p[n] == ',');
		}
	}
	if (ni == 0) {
		snprintf(buf, cap, "none");
		return true;
	}
	/* stable insertion sort by rank */
	for (size_t i = 1; i < ni; i++)
		for (size_t j = i; j > 0 && items[j - 1].rank > items[j].rank; j--) {
			struct item t = items[j];
			items[j] = items[j - 1];
			items[j - 1] = t;
		}
	for (size_t i = 0; i < ni; i++) {
		if (len + items[i].n + 2 > cap)
			return false;
		if (i)
			buf[len++] = ',';
		memcpy(buf + len, items[i].p, items[i].n);
		len += items[i].n;
	}
	buf[len] = '\0';
	return true;
}

int extract_merge(json_t *profile, const json_t *found)
{
	const char *key;
	json_t *v;
	int changed = 0;
	if (!json_is_object(profile) || !json_is_object(found))
		return -1;
	/* json_object_foreach wants a non-const object; it does not change it */
	json_object_foreach((json_t *)(uintptr_t)found, key, v)
	{
		if (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
			continue;
		json_t *old = json_object_get(profile, key);
		json_t *nv;
		if (!strcmp(key, "health_restrictions") && json_is_string(v) && json_is_string(old)) {
			char buf[512];
			if (!health_union(json_string_value(old), json_string_value(v), buf, sizeof buf))
				return -1;
			if (!strcmp(buf, json_string_value(old)))
				continue;
			nv = json_string(buf);
		} else {
			if (old && json_equal(old, v))
				continue;
			nv = json_deep_copy(v);
		}
		if (!nv || json_object_set_new(profile, key, nv))
			return -1;
		changed++;
	}
	return changed;
}
