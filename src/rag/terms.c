/*
 * terms.c — turning German and English text into search terms.
 *
 * Owns the word splitter, the normalisation of one word (case folding, umlauts, diacritics, stemming)
 * and the stop-word list. The store indexes with terms_tokenize and the answerer queries with it, so
 * every rule here changes what both sides see: an index built with other rules must be rebuilt.
 *
 * Cost: the splitter walks the text once; each word is folded and stemmed in stack buffers, with no
 * allocation. ASCII words skip ICU entirely. The only shared state is the ICU case map (read-only after
 * terms_new) and the list of per-thread stemmers (touched once per thread); each thread keeps its own
 * cache of stems.
 */
#include "rag/terms.h"
#include "rag/synonyms.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>
#include <unicode/uchar.h>
#include <unicode/ucasemap.h>
#include <unicode/utf8.h>

/* A surface word longer than this is skipped without folding it. No case fold shrinks text by more than
 * a factor of three (U+212A KELVIN SIGN, 3 bytes, folds to "k"), so such a word can only yield a term
 * longer than TERMS_WORD_MAX, unless it is padded with combining marks, which we refuse as well. */
#define SURFACE_MAX (4 * TERMS_WORD_MAX)
/* Case folding grows text by at most a factor of three (U+0390 → three code points). */
#define FOLD_MAX (3 * SURFACE_MAX)

/* Stemming is most of the cost of tokenizing (the Snowball German stemmer runs a few hundred
 * nanoseconds per word), and the words of one bot's knowledge and questions repeat. Each thread keeps a
 * direct-mapped cache of folded word → stem: a hit costs a hash and a compare. Words longer than
 * STEM_KEY_MAX bytes are stemmed every time. */
#define STEM_CACHE 4096 /* entries per thread, a power of two: 4096 × 48 bytes = 192 KiB */
#define STEM_KEY_MAX 23

struct stem_entry {
	uint8_t klen; /* 0: empty */
	uint8_t vlen;
	char key[STEM_KEY_MAX];
	char val[STEM_KEY_MAX];
};

/* One stemmer per thread that has used this struct terms. Linked into the owner's list so that
 * terms_free can delete the stemmers of threads that are still alive. */
struct terms_slot {
	struct sb_stemmer *stemmer;
	struct terms *owner;
	struct terms_slot *prev, *next;
	struct stem_entry cache[STEM_CACHE];
};

struct terms {
	UCaseMap *fold;           /* full case folding; read-only once made, so threads share it */
	pthread_key_t key;        /* → the calling thread's struct terms_slot */
	pthread_mutex_t lock;     /* guards `slots` */
	struct terms_slot *slots; /* every live per-thread stemmer */
	struct synonyms *syn;     /* the embedded synonym groups, read-only once made */
};

/* ---- per-thread stemmers ------------------------------------------------------------------------ */

/* Thread-exit destructor of `key`: unlinks and deletes that thread's stemmer. */
static void slot_destroy(void *p)
{
	struct terms_slot *s = p;
	struct terms *t = s->owner;

	pthread_mutex_lock(&t->lock);
	if (s->prev)
		s->prev->next = s->next;
	else
		t->slots = s->next;
	if (s->next)
		s->next->prev = s->prev;
	pthread_mutex_unlock(&t->lock);
	sb_stemmer_delete(s->stemmer);
	free(s);
}

/* The calling thread's stemmer and stem cache, made on first use. NULL when memory runs out. */
static struct terms_slot *thread_slot(struct terms *t)
{
	struct terms_slot *s = pthread_getspecific(t->key);

	if (s)
		return s;
	s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->stemmer = sb_stemmer_new("german", "UTF_8");
	if (!s->stemmer)
		goto fail;
	s->owner = t;
	if (pthread_setspecific(t->key, s) != 0)
		goto fail;
	pthread_mutex_lock(&t->lock);
	s->next = t->slots;
	if (t->slots)
		t->slots->prev = s;
	t->slots = s;
	pthread_mutex_unlock(&t->lock);
	return s;
fail:
	if (s->stemmer)
		sb_stemmer_delete(s->stemmer);
	free(s);
	return NULL;
}

struct terms *terms_new(void)
{
	struct terms *t = calloc(1, sizeof *t);
	UErrorCode err = U_ZERO_ERROR;
	bool have_key = false, have_lock = false;

	if (!t)
		return NULL;
	t->fold = ucasemap_open(NULL, U_FOLD_CASE_DEFAULT, &err);
	if (U_FAILURE(err) || !t->fold)
		goto fail;
	if (pthread_mutex_init(&t->lock, NULL) != 0)
		goto fail;
	have_lock = true;
	if (pthread_key_create(&t->key, slot_destroy) != 0)
		goto fail;
	have_key = true;
	/* Making the creating thread's stemmer now reports a missing German stemmer here, not later. */
	if (!thread_slot(t))
		goto fail;
	t->syn = synonyms_new(t, synonyms_default_text());
	if (!t->syn) {
		terms_free(t);
		return NULL;
	}
	return t;
fail:
	if (have_key)
		pthread_key_delete(t->key);
	if (have_lock)
		pthread_mutex_destroy(&t->lock);
	if (t->fold)
		ucasemap_close(t->fold);
	free(t);
	return NULL;
}

/* Deletes every stemmer, including those of threads still running: the caller guarantees that no
 * thread uses `t` any more, nor exits while this runs. Deleting the key first means no destructor
 * runs for `t` afterwards. */
void terms_free(struct terms *t)
{
	struct terms_slot *s, *next;

	if (!t)
		return;
	pthread_key_delete(t->key);
	pthread_mutex_lock(&t->lock);
	for (s = t->slots; s; s = next) {
		next = s->next;
		sb_stemmer_delete(s->stemmer);
		free(s);
	}
	t->slots = NULL;
	pthread_mutex_unlock(&t->lock);
	pthread_mutex_destroy(&t->lock);
	ucasemap_close(t->fold);
	synonyms_free(t->syn);
	free(t);
}

const struct synonyms *terms_synonyms(const struct terms *t)
{
	return t->syn;
}

/* ---- one word ----------------------------------------------------------------------------------- */

/* What a folded letter of U+00C0..U+017F becomes: German umlauts written out, ligatures split, other
 * diacritics dropped. NULL keeps the letter as it is. Only the lower-case entries are reached after
 * folding; the upper-case ones are filled in alike so the table reads evenly. */
static const char *const latin_map[0x180 - 0xC0] = {
	/* U+00C0 */ "a", "a", "a", "a", "ae", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	/* U+00D0 */ "d", "n", "o", "o", "o", "o", "oe", NULL, "o", "u", "u", "u", "ue", "y", "th", "ss",
	/* U+00E0 */ "a", "a", "a", "a", "ae", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	/* U+00F0 */ "d", "n", "o", "o", "o", "o", "oe", NULL, "o", "u", "u", "u", "ue", "y", "th", "y",
	/* U+0100 */ "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
	/* U+0110 */ "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
	/* U+0120 */ "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
	/* U+0130 */ "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
	/* U+0140 */ "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
	/* U+0150 */ "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
	/* U+0160 */ "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
	/* U+0170 */ "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};

#define COMBINING_DIAERESIS 0x0308

static bool ascii_alnum(unsigned char b)
{
	return (unsigned)((b | 0x20) - 'a') < 26 || (unsigned)(b - '0') < 10;
}

/* Part of a word: letters and decimal digits, and combining marks once a word has begun (so that
 * decomposed "u" + U+0308 stays one word). */
static bool word_char(UChar32 c, bool in_word)
{
	if (c < 0x80)
		return c >= 0 && ascii_alnum((unsigned char)c);
	if (u_isalnum(c))
		return true;
	return in_word && (U_GET_GC_MASK(c) & U_GC_M_MASK) != 0;
}

/* Appends `n` bytes to out[*len], keeping room for the NUL. False when the term would be too long. */
static bool put(char out[TERMS_WORD_MAX + 1], size_t *len, const char *s, size_t n)
{
	if (*len + n > TERMS_WORD_MAX)
		return false;
	memcpy(out + *len, s, n);
	*len += n;
	return true;
}

/* Writes folded UTF-8 `w` (letters, digits, marks) into `out` with umlauts written out and other Latin
 * diacritics dropped: precomposed letters through latin_map, decomposed ones by dropping the combining
 * mark (a diaeresis after a, o or u becomes "e"). Returns the length, or 0 when it exceeds
 * TERMS_WORD_MAX. */
static size_t transliterate(const uint8_t *w, int32_t n, char out[TERMS_WORD_MAX + 1])
{
	size_t len = 0;
	int32_t i = 0;

	while (i < n) {
		int32_t at = i;
		UChar32 c;
		const char *rep;

		U8_NEXT(w, i, n, c);
		if (c < 0)
			continue;
		if (c < 0x80) {
			if (!put(out, &len, (const char *)w + at, 1))
				return 0;
			continue;
		}
		if (c >= 0xC0 && c < 0x180 && (rep = latin_map[c - 0xC0]) != NULL) {
			if (!put(out, &len, rep, strlen(rep)))
				return 0;
			continue;
		}
		if (c >= 0x300 && c <= 0x36F) { /* Combining Diacritical Marks */
			char prev = len > 0 ? out[len - 1] : 0;

			if (c == COMBINING_DIAERESIS && (prev == 'a' || prev == 'o' || prev == 'u') &&
			    !put(out, &len, "e", 1))
				return 0;
			continue;
		}
		if (!put(out, &len, (const char *)w + at, (size_t)(i - at)))
			return 0;
	}
	return len;
}

/* Stems `flat` (len bytes) into out through the thread's cache. Returns the term length, or -1 when
 * memory runs out. */
static int stem(struct terms_slot *slot, const char *flat, size_t len, char out[TERMS_WORD_MAX + 1])
{
	struct stem_entry *e = NULL;

	if (len <= STEM_KEY_MAX) {
		uint32_t h = 2166136261u; /* FNV-1a */
		for (size_t i = 0; i < len; i++)
			h = (h ^ (uint8_t)flat[i]) * 16777619u;
		e = &slot->cache[h & (STEM_CACHE - 1)];
		if (e->klen == len && !memcmp(e->key, flat, len)) {
			memcpy(out, e->val, e->vlen);
			out[e->vlen] = '\0';
			return e->vlen;
		}
	}
	const sb_symbol *st = sb_stemmer_stem(slot->stemmer, (const sb_symbol *)flat, (int)len);
	if (!st)
		return -1;
	int slen = sb_stemmer_length(slot->stemmer);
	if (slen <= 0 || slen > TERMS_WORD_MAX) { /* keep the word unstemmed */
		st = (const sb_symbol *)flat;
		slen = (int)len;
	}
	memcpy(out, st, (size_t)slen);
	out[slen] = '\0';
	if (e && slen <= STEM_KEY_MAX) {
		e->klen = (uint8_t)len;
		e->vlen = (uint8_t)slen;
		memcpy(e->key, flat, len);
		memcpy(e->val, out, (size_t)slen);
	}
	return slen;
}

/* Folds `w` (only word characters, at most SURFACE_MAX bytes) into `flat`: case folded, umlauts written
 * out, other diacritics dropped. Returns the length (0: no term), or -1 when memory runs out. */
static int fold(struct terms *t, const char *w, size_t n, bool ascii, char flat[TERMS_WORD_MAX + 1])
{
	size_t len = 0;

	if (n == 0 || n > SURFACE_MAX)
		return 0;
	if (ascii) {
		/* Full case folding of ASCII is plain lower-casing, and nothing is left to transliterate. */
		if (n > TERMS_WORD_MAX)
			return 0;
		for (size_t i = 0; i < n; i++) {
			unsigned char b = (unsigned char)w[i];

			flat[i] = (char)((unsigned)(b - 'A') < 26 ? b | 0x20 : b);
		}
		len = n;
	} else {
		char folded[FOLD_MAX];
		UErrorCode err = U_ZERO_ERROR;
		int32_t flen;

		flen = ucasemap_utf8FoldCase(t->fold, folded, (int32_t)sizeof folded, w, (int32_t)n, &err);
		if (err == U_MEMORY_ALLOCATION_ERROR)
			return -1;
		if (U_FAILURE(err) || flen <= 0 || flen > (int32_t)sizeof folded)
			return 0;
		len = transliterate((const uint8_t *)folded, flen, flat);
		if (len == 0)
			return 0;
	}
	flat[len] = '\0';
	return (int)len;
}

/* The shared tail of terms_tokenize and terms_normalize_word. `w` holds only word characters
 * (word_char) and is at most SURFACE_MAX bytes; `ascii` and `digit` describe it. `*slot` caches the
 * thread's slot across calls (NULL at first). Returns the term length (0: no term), or -1 when
 * memory runs out. */
static int normalize(struct terms *t, struct terms_slot **slot, const char *w, size_t n, bool ascii,
		     bool digit, char out[TERMS_WORD_MAX + 1])
{
	char flat[TERMS_WORD_MAX + 1];
	int flen = fold(t, w, n, ascii, flat);

	if (flen <= 0)
		return flen;
	size_t len = (size_t)flen;
	if (!digit) {
		if (!*slot && !(*slot = thread_slot(t)))
			return -1;
		return stem(*slot, flat, len, out);
	}
	memcpy(out, flat, len);
	out[len] = '\0';
	return (int)len;
}

/* Gathers the word characters of `word` into w (at most SURFACE_MAX bytes); invalid UTF-8 bytes and
 * other characters are dropped. Returns the length, or 0 when the word is too long. */
static size_t gather(const char *word, size_t len, char w[SURFACE_MAX], bool *ascii, bool *digit)
{
	const uint8_t *s = (const uint8_t *)word;
	size_t n = 0;
	int64_t i = 0, end = (int64_t)len;

	*ascii = true;
	*digit = false;
	while (i < end) {
		int64_t at = i;
		UChar32 c;

		U8_NEXT(s, i, end, c);
		if (c < 0 || !word_char(c, n > 0))
			continue;
		if (n + (size_t)(i - at) > SURFACE_MAX)
			return 0;
		memcpy(w + n, s + at, (size_t)(i - at));
		n += (size_t)(i - at);
		*ascii = *ascii && c < 0x80;
		*digit = *digit || u_isdigit(c);
	}
	return n;
}

/* Characters other than letters, digits and marks are dropped, so "E-Mail" gives the term of "email";
 * invalid UTF-8 bytes are dropped too. Returns 0 as well when memory runs out. */
size_t terms_normalize_word(struct terms *t, const char *word, size_t len, char out[TERMS_WORD_MAX + 1])
{
	char w[SURFACE_MAX];
	struct terms_slot *slot = NULL;
	bool ascii, digit;
	size_t n = gather(word, len, w, &ascii, &digit);
	int rc;

	out[0] = '\0';
	rc = normalize(t, &slot, w, n, ascii, digit, out);
	if (rc <= 0) {
		out[0] = '\0';
		return 0;
	}
	return (size_t)rc;
}

size_t terms_fold_word(struct terms *t, const char *word, size_t len, char out[TERMS_WORD_MAX + 1])
{
	char w[SURFACE_MAX];
	bool ascii, digit;
	size_t n = gather(word, len, w, &ascii, &digit);
	int rc;

	out[0] = '\0';
	if (digit)
		return 0;
	rc = fold(t, w, n, ascii, out);
	if (rc <= 0) {
		out[0] = '\0';
		return 0;
	}
	return (size_t)rc;
}

/* ---- the text walk ------------------------------------------------------------------------------ */

int terms_tokenize(void *ctx, const char *text, size_t len, store_term_fn emit, void *ud)
{
	struct terms *t = ctx;
	const uint8_t *s = (const uint8_t *)text;
	struct terms_slot *slot = NULL;
	int64_t i = 0, end = (int64_t)len;

	while (i < end) {
		int64_t start, stop;
		bool ascii = true, digit = false;
		char term[TERMS_WORD_MAX + 1];
		UChar32 c;
		int rc;

		/* Skip to the first byte of a word. */
		for (;;) {
			if (i >= end)
				return 0;
			start = i;
			if (s[i] < 0x80) {
				if (ascii_alnum(s[i]))
					break;
				i++;
				continue;
			}
			U8_NEXT(s, i, end, c);
			if (c >= 0 && word_char(c, false)) {
				ascii = false;
				digit = u_isdigit(c);
				break;
			}
		}
		/* The word runs to the first separator or invalid byte. */
		if (ascii) {
			digit = (unsigned)(s[i] - '0') < 10;
			i++;
		}
		stop = i;
		while (i < end) {
			if (s[i] < 0x80) {
				if (!ascii_alnum(s[i]))
					break;
				digit = digit || (unsigned)(s[i] - '0') < 10;
				i++;
			} else {
				int64_t at = i;

				U8_NEXT(s, i, end, c);
				if (c < 0 || !word_char(c, true)) {
					/* A separator cannot start a word either: leave `i` past it. */
					stop = at;
					break;
				}
				ascii = false;
				digit = digit || u_isdigit(c);
			}
			stop = i;
		}
		if (stop - start > SURFACE_MAX)
			continue;
		rc = normalize(t, &slot, text + start, (size_t)(stop - start), ascii, digit, term);
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		rc = emit(ud, term, (size_t)rc, (size_t)start, (size_t)stop);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* ---- stop words --------------------------------------------------------------------------------- */

/* German and English function words as terms_normalize_word writes them (folded, umlauts written out,
 * stemmed), sorted bytewise for the binary search. tests/unit/test_terms.c checks that each entry is
 * what some surface word normalises to, and that the order holds. */
static const char *const stopwords[] = {
	"a", "ab", "aber", "about", "abov", "aft", "all", "als", "also", "am", "an", "and", "any", "are",
	"aren", "as", "at", "auch", "auf", "aus", "ausserhalb", "be", "becaus", "been", "befor", "bei",
	"beim", "being", "below", "betwe", "bin", "bis", "bist", "bitt", "both", "but", "by", "bzw", "ca",
	"can", "cannot", "could", "couldn", "d", "da", "damit", "dann", "darf", "das", "dass", "dein", "dem",
	"den", "denn", "der", "des", "dich", "did", "didn", "die", "dies", "dir", "do", "doch", "does",
	"doesn", "don", "dort", "down", "du", "duerf", "duerft", "durch", "durft", "during", "each",
	"eigent", "ein", "eith", "er", "es", "etc", "etwa", "etwas", "euch", "euer", "eur", "every", "evtl",
	"few", "for", "from", "fuer", "gab", "ganz", "geg", "gemaess", "gern", "gewes", "ggf", "gibt", "hab",
	"habt", "had", "haett", "has", "hasn", "hast", "hat", "hatt", "hav", "he", "her", "hier", "him",
	"hint", "his", "how", "i", "ich", "if", "ihm", "ihn", "ihr", "im", "in", "innerhalb", "ins", "into",
	"is", "isn", "ist", "it", "its", "ja", "je", "jed", "jedoch", "jemand", "jen", "jetzt", "just",
	"kann", "kein", "koenn", "koennt", "koenntet", "konnt", "laut", "ll", "m", "mag", "mal", "man",
	"many", "me", "mehr", "mein", "mich", "might", "min", "mir", "mit", "moecht", "moeg", "mor", "most",
	"much", "muess", "muesst", "muss", "musst", "must", "my", "nach", "neb", "nein", "neith", "nicht",
	"no", "noch", "nor", "not", "nur", "ob", "oder", "of", "ohn", "on", "only", "onto", "or",
	"oth", "our", "out", "over", "own", "per", "pleas", "pro", "re", "s", "sam", "schon", "sehr", "sei",
	"seid", "sein", "seit", "selb", "shall", "she", "should", "shouldn", "sich", "sie", "sind", "so",
	"soll", "sollt", "som", "sond", "sowi", "sowohl", "statt", "such", "t", "than", "that", "the",
	"their", "them", "then", "ther", "thes", "they", "this", "thos", "through", "to", "too", "trotz",
	"ueb", "um", "und", "uns", "unt", "up", "us", "usw", "ve", "very", "viel", "vom", "von", "vor",
	"waehrend", "wann", "war", "warst", "wart", "warum", "was", "wasn", "we", "weil", "welch", "wem",
	"wen", "wenn", "wer", "werd", "werdet", "weshalb", "wess", "what", "when", "wher", "which", "who",
	"whom", "whos", "why", "wie", "wieso", "wieviel", "will", "wir", "wird", "wirklich", "wirst", "with",
	"wo", "wodurch", "wofu", "woh", "wohin", "woll", "wollt", "womit", "won", "worauf", "worueb",
	"would", "wouldn", "wozu", "wuerd", "wuerdet", "wurd", "you", "your", "zu", "zum", "zur", "zwisch",
};

bool terms_is_stopword(const char *term, size_t len)
{
	size_t lo = 0, hi = sizeof stopwords / sizeof stopwords[0];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *w = stopwords[mid];
		size_t wlen = strlen(w);
		int cmp = memcmp(term, w, len < wlen ? len : wlen);

		if (cmp == 0)
			cmp = (len > wlen) - (len < wlen);
		if (cmp == 0)
			return true;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}
