/*
 * synonyms.c — the synonym groups (rag/synonyms.h): parsing the embedded data file into terms, and
 * looking a term up.
 *
 * Layout: every distinct term once in a string buffer; `members` lists the terms of each group in a
 * row (group g is members[first[g] .. first[g + 1])); `entries` maps each (term, group) pair, sorted by
 * term, for a binary search. Read-only once built, so threads share it.
 */
#include "rag/synonyms.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "llm/prompt_files.h"
#include "rag/terms.h"

/* build/gen/rag_files.c: the files of src/rag/data, embedded by tools/embed.c (`embed text rag_files`) */
extern const struct embedded_text rag_files[];

struct entry {
	uint32_t term; /* offset in strs */
	uint32_t group;
};

struct synonyms {
	char *strs;
	size_t strs_len, strs_cap;
	uint32_t *members; /* term offsets, group after group */
	size_t nmembers, members_cap;
	uint32_t *first; /* ngroups + 1 */
	size_t ngroups, groups_cap;
	struct entry *entries; /* sorted by term */
	size_t nentries;
};

const char *synonyms_default_text(void)
{
	for (size_t i = 0; rag_files[i].name; i++)
		if (!strcmp(rag_files[i].name, "synonyms.de.txt"))
			return rag_files[i].text;
	return "";
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	void *p = realloc(*arr, c * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = c;
	return 0;
}

/* The offset of `term` in strs, added when new (a linear search: the table is small and built once).
 * 0 when out of memory. */
static uint32_t intern(struct synonyms *s, const char *term, size_t len)
{
	for (size_t off = 1; off < s->strs_len; off += strlen(s->strs + off) + 1)
		if (strlen(s->strs + off) == len && !memcmp(s->strs + off, term, len))
			return (uint32_t)off;
	if (s->strs_len + len + 1 > UINT32_MAX ||
	    grow((void **)&s->strs, &s->strs_cap, s->strs_len + len + 1, 1) != 0)
		return 0;
	uint32_t off = (uint32_t)s->strs_len;
	memcpy(s->strs + off, term, len);
	s->strs[off + len] = '\0';
	s->strs_len += len + 1;
	return off;
}

static int count_terms(void *ud, const char *term, size_t n, size_t start, size_t end)
{
	(void)term;
	(void)n;
	(void)start;
	(void)end;
	++*(int *)ud;
	return 0;
}

/* Adds the word s[0..len) (trimmed) to the group being read. 0, or -1 when out of memory. */
static int add_word(struct synonyms *s, struct terms *t, const char *w, size_t len)
{
	char term[TERMS_WORD_MAX + 1];
	int nterms = 0;

	while (len > 0 && (*w == ' ' || *w == '\t')) {
		w++;
		len--;
	}
	while (len > 0 && (w[len - 1] == ' ' || w[len - 1] == '\t' || w[len - 1] == '\r'))
		len--;
	if (len == 0 || terms_tokenize(t, w, len, count_terms, &nterms) != 0 || nterms != 1)
		return 0;
	size_t tl = terms_normalize_word(t, w, len, term);
	if (tl == 0)
		return 0;
	uint32_t off = intern(s, term, tl);
	if (!off)
		return -1;
	uint32_t g = s->first[s->ngroups];
	for (size_t i = g; i < s->nmembers; i++)
		if (s->members[i] == off)
			return 0; /* two forms of one word */
	if (grow((void **)&s->members, &s->members_cap, s->nmembers + 1, sizeof *s->members) != 0)
		return -1;
	s->members[s->nmembers++] = off;
	return 0;
}

static int cmp_entry(const void *a, const void *b, void *strs)
{
	const struct entry *x = a, *y = b;
	int c = strcmp((const char *)strs + x->term, (const char *)strs + y->term);
	return c ? c : (x->group > y->group) - (x->group < y->group);
}

/* Closes the group being read: kept when it has two terms or more, else dropped. */
static int end_group(struct synonyms *s)
{
	uint32_t g = s->first[s->ngroups];
	if (s->nmembers - g < 2) {
		s->nmembers = g;
		return 0;
	}
	if (grow((void **)&s->first, &s->groups_cap, s->ngroups + 2, sizeof *s->first) != 0)
		return -1;
	s->ngroups++;
	s->first[s->ngroups] = (uint32_t)s->nmembers;
	return 0;
}

struct synonyms *synonyms_new(struct terms *t, const char *text)
{
	struct synonyms *s = calloc(1, sizeof *s);

	if (!s || grow((void **)&s->strs, &s->strs_cap, 1, 1) != 0 ||
	    grow((void **)&s->first, &s->groups_cap, 1, sizeof *s->first) != 0)
		goto fail;
	s->strs[0] = '\0';
	s->strs_len = 1;
	s->first[0] = 0;
	for (const char *line = text; *line;) {
		const char *eol = strchr(line, '\n');
		size_t n = eol ? (size_t)(eol - line) : strlen(line);
		const char *hash = memchr(line, '#', n);
		size_t end = hash ? (size_t)(hash - line) : n;
		for (size_t i = 0, w = 0; i <= end; i++) {
			if (i < end && line[i] != ',')
				continue;
			if (add_word(s, t, line + w, i - w) != 0)
				goto fail;
			w = i + 1;
		}
		if (end_group(s) != 0)
			goto fail;
		line += n + (eol ? 1 : 0);
	}
	if (s->nmembers > 0) {
		s->entries = malloc(s->nmembers * sizeof *s->entries);
		if (!s->entries)
			goto fail;
	}
	for (size_t g = 0; g < s->ngroups; g++)
		for (uint32_t i = s->first[g]; i < s->first[g + 1]; i++)
			s->entries[s->nentries++] = (struct entry){s->members[i], (uint32_t)g};
	if (s->nentries > 0)
		qsort_r(s->entries, s->nentries, sizeof *s->entries, cmp_entry, s->strs);
	return s;
fail:
	synonyms_free(s);
	return NULL;
}

void synonyms_free(struct synonyms *s)
{
	if (!s)
		return;
	free(s->strs);
	free(s->members);
	free(s->first);
	free(s->entries);
	free(s);
}

/* strcmp of a NUL-terminated string with term[0..len). */
static int cmp_term(const char *str, const char *term, size_t len)
{
	int c = strncmp(str, term, len);
	return c ? c : (str[len] != '\0');
}

int synonyms_of(const struct synonyms *s, const char *term, size_t len, const char **out, int max)
{
	size_t lo = 0, hi = s->nentries;
	int n = 0;

	while (lo < hi) { /* the first entry not below `term` */
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_term(s->strs + s->entries[mid].term, term, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < s->nentries && cmp_term(s->strs + s->entries[lo].term, term, len) == 0; lo++) {
		uint32_t g = s->entries[lo].group, self = s->entries[lo].term;
		for (uint32_t i = s->first[g]; i < s->first[g + 1] && n < max; i++) {
			const char *m = s->strs + s->members[i];
			bool seen = s->members[i] == self;
			for (int k = 0; k < n && !seen; k++)
				seen = out[k] == m;
			if (!seen)
				out[n++] = m;
		}
	}
	return n;
}
