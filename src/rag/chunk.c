/*
 * chunk.c — splitting knowledge text (plain or markdown) into citable passages.
 *
 * Owns the markdown reading (headings, paragraphs, list items, inline markup), the packing of sentences
 * into chunks with overlap, and the sentence splitter that the answerer shares (chunk_sentence_end).
 *
 * The text is read line by line. A paragraph is collected with its markup cleaned, then cut into
 * sentences ("units"), which are appended to the chunk being built; when a unit does not fit, that
 * chunk is emitted and the next one starts with the last sentence of the previous one (the overlap).
 */
#include "rag/chunk.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"

#define DEFAULT_MAX_CHARS 1200
#define DEFAULT_OVERLAP_CHARS 300
#define HEADING_MAX_CHARS 200 /* per heading level */
#define HEADING_LEVELS 6
#define HEADING_SEP " > "

/* ---- small character helpers -------------------------------------------------------------------- */

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* ASCII letters and digits, and any byte of a multi-byte UTF-8 sequence (taken as a letter). */
static bool is_wordbyte(unsigned char c)
{
	return (unsigned)((c | 0x20) - 'a') < 26 || is_digit(c) || c >= 0x80;
}

static bool is_punct(unsigned char c)
{
	return c < 0x80 && c > ' ' && c != 0x7f && !is_wordbyte(c);
}

/* Code points in s[0..n): every byte that is not a UTF-8 continuation byte starts one. */
static size_t count_chars(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

/* ---- sentences ---------------------------------------------------------------------------------- */

/* Abbreviations that a period follows inside a sentence, compared without regard to ASCII case. */
static const char *const abbrev_any_case[] = {
	"abb", "abs", "abt", "allg", "ang", "anh", "approx", "bd", "bes", "betr", "bsp", "bspw", "bzgl",
	"bzw", "ca", "chr", "dept", "dipl", "dr", "eigtl", "einschl", "entspr", "evtl", "exkl", "fa", "ff",
	"gem", "geb", "gegr", "ggf", "hr", "hrsg", "inkl", "incl", "insb", "jh", "jhd", "kap", "max", "mio",
	"mind", "mr", "mrs", "ms", "mrd", "mtl", "mwst", "nr", "nrn", "orig", "pkt", "prof", "rd", "sek",
	"sog", "std", "str", "tel", "usw", "vgl", "vllt", "vs", "zzgl", "zt", "zzt",
	"jan", "feb", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "nov", "dez",
};

/* Abbreviations that are also ordinary words at the end of a sentence ("so.", "no."): only their
 * capitalised form counts. */
static const char *const abbrev_capitalised[] = {
	"Mo", "Di", "Mi", "Do", "Fr", "Sa", "So", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "No", "St",
};

static bool ascii_casematch(const char *a, size_t n, const char *word)
{
	if (strlen(word) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)a[i];

		if (c >= 'A' && c <= 'Z')
			c |= 0x20;
		if (c != (unsigned char)word[i])
			return false;
	}
	return true;
}

static bool is_abbreviation(const char *w, size_t n)
{
	for (size_t i = 0; i < sizeof abbrev_capitalised / sizeof abbrev_capitalised[0]; i++)
		if (strlen(abbrev_capitalised[i]) == n && memcmp(w, abbrev_capitalised[i], n) == 0)
			return true;
	for (size_t i = 0; i < sizeof abbrev_any_case / sizeof abbrev_any_case[0]; i++)
		if (ascii_casematch(w, n, abbrev_any_case[i]))
			return true;
	/* street names: "Hauptstr.", "Bahnhofstr." */
	return n > 3 && ascii_casematch(w + n - 3, 3, "str");
}

/* Length of a closing quote or bracket at s[0..n), 0 if none. */
static size_t closer_len(const unsigned char *s, size_t n)
{
	if (n >= 1 && (s[0] == '"' || s[0] == '\'' || s[0] == ')' || s[0] == ']'))
		return 1;
	if (n >= 2 && s[0] == 0xC2 && (s[1] == 0xBB || s[1] == 0xAB)) /* » « */
		return 2;
	if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 &&
	    (s[2] == 0x98 || s[2] == 0x99 || s[2] == 0x9C || s[2] == 0x9D || s[2] == 0xB9 || s[2] == 0xBA))
		return 3; /* ‘ ’ “ ” ‹ › */
	return 0;
}

/* Length of a sentence-ending mark at s[0..n): . ! ? or … (U+2026); 0 if none. */
static size_t terminator_len(const unsigned char *s, size_t n)
{
	if (n >= 1 && (s[0] == '.' || s[0] == '!' || s[0] == '?'))
		return 1;
	if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 && s[2] == 0xA6)
		return 3;
	return 0;
}

/* True when the next word after `j` (past spaces, not past a line break) starts with a lower-case
 * letter: ASCII a–z, or the Latin-1 lower-case letters ä, ö, ü, é … (C3 9F..C3 BF). */
static bool lower_follows(const unsigned char *s, size_t len, size_t j)
{
	while (j < len && (s[j] == ' ' || s[j] == '\t'))
		j++;
	if (j >= len)
		return false;
	if (s[j] >= 'a' && s[j] <= 'z')
		return true;
	return j + 1 < len && s[j] == 0xC3 && s[j + 1] >= 0x9F && s[j + 1] != 0xB7;
}

static const char *const month_names[] = {
	"januar", "februar", "märz", "maerz", "april", "mai", "juni", "juli", "august", "september",
	"oktober", "november", "dezember", "january", "february", "march", "may", "june", "july", "october",
	"december", "jan", "feb", "mär", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "nov", "dez",
	"oct", "dec",
};

/* The word after `j` (past spaces), as [*ws, *ws + *wn). */
static void next_word(const unsigned char *s, size_t len, size_t j, size_t *ws, size_t *wn)
{
	while (j < len && (s[j] == ' ' || s[j] == '\t'))
		j++;
	*ws = j;
	while (j < len && is_wordbyte(s[j]))
		j++;
	*wn = j - *ws;
}

static bool month_follows(const unsigned char *s, size_t len, size_t j)
{
	size_t ws, wn;

	next_word(s, len, j, &ws, &wn);
	for (size_t i = 0; i < sizeof month_names / sizeof month_names[0]; i++)
		if (ascii_casematch((const char *)s + ws, wn, month_names[i]))
			return true;
	return false;
}

/* One letter (one code point) at s[w..w+n). */
static bool one_letter(const unsigned char *s, size_t w, size_t n)
{
	return n > 0 && !is_digit(s[w]) && count_chars((const char *)s + w, n) == 1;
}

/* True when another one-letter abbreviation sits right before s[w] ("u. a.": before "a") or right after
 * the period whose following whitespace is at `after` ("z. B.": after "z"). */
static bool letter_pair(const unsigned char *s, size_t len, size_t start, size_t w, size_t after)
{
	size_t ws, wn, b = w;

	next_word(s, len, after, &ws, &wn);
	if (one_letter(s, ws, wn) && ws + wn < len && s[ws + wn] == '.')
		return true;
	while (b > start && s[b - 1] == ' ')
		b--;
	if (b == w || b <= start || s[b - 1] != '.')
		return false;
	b--;
	{
		size_t e = b;

		while (b > start && is_wordbyte(s[b - 1]))
			b--;
		return one_letter(s, b, e - b);
	}
}

/* Whether a lone period at s[dot], followed by whitespace at `after`, ends the sentence begun at
 * `start`. */
static bool period_ends(const unsigned char *s, size_t len, size_t start, size_t dot, size_t after)
{
	size_t w = dot;
	bool digits = true;

	while (w > start && is_wordbyte(s[w - 1])) {
		w--;
		digits = digits && is_digit(s[w]);
	}
	if (w < dot) {
		size_t n = dot - w;

		/* ordinal or date: "1. Januar", "am 24.12. geschlossen", a list number "1. Probetraining";
		 * not a house number ending a sentence ("Hauptstraße 12. Parken …") */
		if (digits && n <= 2 && (w == start || s[w - 1] == '.' || month_follows(s, len, after)))
			return false;
		/* an initial ("A. Müller", "z. B.") or a pair of one-letter abbreviations ("u. a.") */
		if (!digits && one_letter(s, w, n) &&
		    ((s[w] >= 'A' && s[w] <= 'Z') || letter_pair(s, len, start, w, after)))
			return false;
		if (!digits && is_abbreviation((const char *)s + w, n))
			return false;
	}
	return !lower_follows(s, len, after);
}

size_t chunk_sentence_end(const char *text, size_t len, size_t start)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = start;

	while (i < len) {
		size_t t = terminator_len(s + i, len - i), j, marks = 0;
		bool only_period = true;

		if (s[i] == '\n')
			return i;
		if (t == 0) {
			i++;
			continue;
		}
		j = i;
		while (j < len && (t = terminator_len(s + j, len - j)) > 0) {
			only_period = only_period && s[j] == '.';
			marks++;
			j += t;
		}
		while (j < len && (t = closer_len(s + j, len - j)) > 0)
			j += t;
		if (j >= len)
			return len;
		if (is_space(s[j]) && (!only_period || marks > 1 || period_ends(s, len, start, i, j)))
			return j;
		i = j;
	}
	return len;
}

/* ---- inline markup ------------------------------------------------------------------------------ */

/* Length of a bare URL starting at s[0..n) ("http://", "https://", "www."), 0 if none. URLs are copied
 * as they are, so their underscores and asterisks are not taken for emphasis. */
static size_t url_len(const char *s, size_t n)
{
	size_t k = 0;

	if (!(n > 7 && memcmp(s, "http://", 7) == 0) && !(n > 8 && memcmp(s, "https://", 8) == 0) &&
	    !(n > 4 && memcmp(s, "www.", 4) == 0))
		return 0;
	while (k < n && !is_space((unsigned char)s[k]) && s[k] != ')' && s[k] != ']')
		k++;
	return k;
}

/* Whether the run of '*' or '_' at s[i..j) in s[0..n) is emphasis markup: it touches text on one side
 * (left- or right-flanking in CommonMark's sense) and is not inside a word ("snake_case", "2*3"). */
static bool emphasis_run(const char *s, size_t n, size_t i, size_t j)
{
	unsigned char prev = i > 0 ? (unsigned char)s[i - 1] : ' ';
	unsigned char next = j < n ? (unsigned char)s[j] : ' ';
	bool prev_ws = is_space(prev), next_ws = is_space(next);
	bool left = !next_ws && (!is_punct(next) || prev_ws || is_punct(prev));
	bool right = !prev_ws && (!is_punct(prev) || next_ws || is_punct(next));

	if (is_wordbyte(prev) && is_wordbyte(next))
		return false;
	return left || right;
}

/* Appends s[0..n) to `out` with emphasis markers dropped, `[text](url)` written as "text (url)",
 * "![alt](url)" likewise, and runs of spaces and tabs collapsed to one space. */
static void clean_inline(struct strbuf *out, const char *s, size_t n)
{
	size_t i = 0;
	/* A link target scan that found no ')' stopped at a space or at n; any later scan starting before
	 * that point would stop there too. Remembering it keeps "[a](" repeated linear, not quadratic. */
	size_t no_target_before = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k;

		if ((k = url_len(s + i, n - i)) > 0) {
			strbuf_add(out, s + i, k);
			i += k;
			continue;
		}
		if (c == '*' || c == '_') {
			size_t j = i;

			while (j < n && s[j] == s[i])
				j++;
			if (!emphasis_run(s, n, i, j))
				strbuf_add(out, s + i, j - i);
			i = j;
			continue;
		}
		if (c == '[' || (c == '!' && i + 1 < n && s[i + 1] == '[')) {
			size_t open = c == '!' ? i + 1 : i, close = open + 1, url, end;

			while (close < n && s[close] != ']' && s[close] != '[')
				close++;
			if (close + 1 < n && s[close] == ']' && s[close + 1] == '(') {
				url = close + 2;
				end = url;
				if (url < no_target_before)
					end = n; /* known: no ')' ahead before a space */
				else
					while (end < n && s[end] != ')' && !is_space((unsigned char)s[end]))
						end++;
				if (end < n && s[end] == ')') {
					size_t tlen = close - open - 1, ulen = end - url;
					bool same = tlen == ulen && memcmp(s + open + 1, s + url, ulen) == 0;

					clean_inline(out, s + open + 1, tlen);
					if (ulen > 0 && !same) {
						if (tlen > 0)
							strbuf_add(out, " (", 2);
						strbuf_add(out, s + url, ulen);
						if (tlen > 0)
							strbuf_addc(out, ')');
					}
					i = end + 1;
					continue;
				}
				if (url >= no_target_before)
					no_target_before = end;
			}
		}
		if (c == ' ' || c == '\t') {
			if (out->len > 0 && out->p[out->len - 1] != ' ' && out->p[out->len - 1] != '\n')
				strbuf_addc(out, ' ');
			i++;
			continue;
		}
		strbuf_addc(out, (char)c);
		i++;
	}
}

/* ---- markdown lines ----------------------------------------------------------------------------- */

/* Level (1–6) of an ATX heading line "## Title", with its text in [*ts, *ts + *tn); 0 if the line is
 * not one. */
static int atx_heading(const char *l, size_t n, size_t *ts, size_t *tn)
{
	size_t i = 0, lvl = 0, e;

	while (i < n && i < 3 && l[i] == ' ')
		i++;
	while (i + lvl < n && l[i + lvl] == '#')
		lvl++;
	if (lvl == 0 || lvl > HEADING_LEVELS || (i + lvl < n && l[i + lvl] != ' ' && l[i + lvl] != '\t'))
		return 0;
	i += lvl;
	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	e = n;
	/* optional closing hashes, when separated by a space: "## Preise ##" */
	{
		size_t h = e;

		while (h > i && l[h - 1] == '#')
			h--;
		if (h < e && (h == i || l[h - 1] == ' ' || l[h - 1] == '\t'))
			e = h;
	}
	while (e > i && (l[e - 1] == ' ' || l[e - 1] == '\t'))
		e--;
	*ts = i;
	*tn = e - i;
	return (int)lvl;
}

/* '=' or '-' when the line is a setext underline ("===", "---", at least three), else 0. */
static char setext_underline(const char *l, size_t n)
{
	size_t i = 0;

	while (i < n && i < 3 && l[i] == ' ')
		i++;
	if (n - i < 3 || (l[i] != '=' && l[i] != '-'))
		return 0;
	for (size_t k = i; k < n; k++)
		if (l[k] != l[i])
			return 0;
	return l[i];
}

/* A thematic break: three or more of the same '-', '*' or '_', spaces allowed between. */
static bool thematic_break(const char *l, size_t n)
{
	char m = 0;
	int count = 0;

	for (size_t i = 0; i < n; i++) {
		if (l[i] == ' ' || l[i] == '\t')
			continue;
		if (l[i] != '-' && l[i] != '*' && l[i] != '_')
			return false;
		if (m && l[i] != m)
			return false;
		m = l[i];
		count++;
	}
	return count >= 3;
}

/* A code fence line: "```" or "~~~", with an optional info string. The fence itself is dropped; the
 * lines between are kept as text. */
static bool code_fence(const char *l, size_t n)
{
	size_t i = 0;

	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	return n - i >= 3 && (memcmp(l + i, "```", 3) == 0 || memcmp(l + i, "~~~", 3) == 0);
}

/* A list item: "- ", "* ", "+ ", "1. " or "1) " after optional indentation. */
static bool list_item(const char *l, size_t n)
{
	size_t i = 0, d = 0;

	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	if (i + 1 < n && (l[i] == '-' || l[i] == '*' || l[i] == '+') && l[i + 1] == ' ')
		return true;
	while (i + d < n && d < 9 && is_digit((unsigned char)l[i + d]))
		d++;
	return d > 0 && i + d + 1 < n && (l[i + d] == '.' || l[i + d] == ')') && l[i + d + 1] == ' ';
}

/* ---- packing ------------------------------------------------------------------------------------ */

enum sep { SEP_NONE, SEP_SPACE, SEP_LINE, SEP_PARA };

static const char *const sep_text[] = { "", " ", "\n", "\n\n" };

struct chunker {
	size_t max, overlap;          /* in code points */
	struct chunk_list *out;
	int cap;                      /* allocated items of out */
	char *heads[HEADING_LEVELS];  /* current heading per level, owned; NULL when none */
	struct strbuf path;             /* heading path of the current section */
	struct strbuf para;             /* paragraph being collected, markup cleaned */
	bool para_list;               /* `para` has a list item */
	struct strbuf cur;              /* chunk being built */
	size_t cur_chars;
	size_t last_off, last_len, last_chars; /* last unit of `cur` */
	bool last_whole;              /* that unit is a whole sentence (may be repeated as overlap) */
	bool oom;
};

static void emit_chunk(struct chunker *c)
{
	struct chunk *it;

	if (c->cur.len == 0)
		return;
	if (c->cur.failed || c->path.failed) {
		c->oom = true;
		return;
	}
	if (c->out->n == c->cap) {
		int cap = c->cap ? c->cap * 2 : 8;
		struct chunk *items = realloc(c->out->items, (size_t)cap * sizeof *items);

		if (!items) {
			c->oom = true;
			return;
		}
		c->out->items = items;
		c->cap = cap;
	}
	it = &c->out->items[c->out->n];
	it->heading = strdup(c->path.p ? c->path.p : "");
	it->text = strdup(c->cur.p);
	if (!it->heading || !it->text) {
		free(it->heading);
		free(it->text);
		c->oom = true;
		return;
	}
	c->out->n++;
}

/* Adds one unit (a sentence, or a piece of a long one) to the chunk being built, emitting that chunk
 * first when the unit does not fit. */
static void add_unit(struct chunker *c, const char *s, size_t n, enum sep sep, bool whole)
{
	size_t chars = count_chars(s, n), seplen = strlen(sep_text[sep]); /* separators are ASCII */

	if (c->cur.len > 0 && c->cur_chars + seplen + chars > c->max) {
		bool keep = c->last_whole && c->last_chars <= c->overlap &&
			    c->last_chars + seplen + chars <= c->max;

		emit_chunk(c);
		if (keep) {
			memmove(c->cur.p, c->cur.p + c->last_off, c->last_len);
			c->cur.len = c->last_len;
			c->cur.p[c->cur.len] = '\0';
			c->cur_chars = c->last_chars;
		} else {
			strbuf_reset(&c->cur);
			c->cur_chars = 0;
		}
	}
	if (c->cur.len > 0) {
		strbuf_add(&c->cur, sep_text[sep], seplen);
		c->cur_chars += seplen;
	}
	c->last_off = c->cur.len;
	c->last_len = n;
	c->last_chars = chars;
	c->last_whole = whole;
	strbuf_add(&c->cur, s, n);
	c->cur_chars += chars;
}

/* Adds a sentence, cut at word boundaries into pieces of at most `max` code points when longer. */
static void add_sentence(struct chunker *c, const char *s, size_t n, enum sep sep)
{
	if (count_chars(s, n) <= c->max) {
		add_unit(c, s, n, sep, true);
		return;
	}
	while (n > 0) {
		size_t i = 0, chars = 0, cut = 0, next;

		/* the longest prefix of at most `max` code points, ending before a space when there is one */
		while (i < n) {
			size_t k = i + 1;

			while (k < n && ((unsigned char)s[k] & 0xC0) == 0x80)
				k++;
			if (chars + 1 > c->max)
				break;
			chars++;
			i = k;
			if (i < n && is_space((unsigned char)s[i]))
				cut = i;
		}
		if (i >= n)
			cut = n;
		else if (cut == 0)
			cut = i; /* one word longer than max: cut inside it, on a code point boundary */
		next = cut;
		while (cut > 0 && is_space((unsigned char)s[cut - 1]))
			cut--;
		add_unit(c, s, cut, sep, false);
		sep = SEP_SPACE;
		while (next < n && is_space((unsigned char)s[next]))
			next++;
		s += next;
		n -= next;
	}
}

/* Cuts the collected paragraph into sentences and packs them. */
static void flush_paragraph(struct chunker *c)
{
	const char *p = c->para.p;
	size_t len = c->para.len, pos = 0;
	enum sep sep = SEP_PARA;

	if (c->para.failed)
		c->oom = true;
	while (!c->oom && pos < len) {
		size_t end, e;

		while (pos < len && is_space((unsigned char)p[pos])) {
			if (p[pos] == '\n' && sep != SEP_PARA)
				sep = SEP_LINE;
			pos++;
		}
		if (pos >= len)
			break;
		end = chunk_sentence_end(p, len, pos);
		e = end;
		while (e > pos && is_space((unsigned char)p[e - 1]))
			e--;
		add_sentence(c, p + pos, e - pos, sep);
		sep = SEP_SPACE;
		pos = end;
	}
	strbuf_reset(&c->para);
	c->para_list = false;
}

/* Ends the current section: its last chunk is emitted and no overlap crosses into the next one. */
static void end_section(struct chunker *c)
{
	flush_paragraph(c);
	emit_chunk(c);
	strbuf_reset(&c->cur);
	c->cur_chars = 0;
	c->last_whole = false;
}

/* Every chunk carries its heading path, so one absurdly long heading would be copied into each of
 * them: a heading longer than HEADING_MAX_CHARS is cut at a character boundary and ends with "…". */
static void cap_heading(struct strbuf *h)
{
	size_t chars = 0, i = 0;

	for (; i < h->len; i++)
		if (((unsigned char)h->p[i] & 0xC0) != 0x80 && ++chars > HEADING_MAX_CHARS)
			break;
	if (i >= h->len)
		return;
	h->len = i;
	while (h->len > 0 && h->p[h->len - 1] == ' ')
		h->len--;
	strbuf_add(h, "\xe2\x80\xa6", 3);
}

static void set_heading(struct chunker *c, int level, const char *s, size_t n)
{
	struct strbuf h = { 0 };

	end_section(c);
	clean_inline(&h, s, n);
	while (h.len > 0 && h.p[h.len - 1] == ' ')
		h.len--;
	cap_heading(&h);
	if (h.failed) {
		free(h.p);
		c->oom = true;
		return;
	}
	for (int l = level - 1; l < HEADING_LEVELS; l++) {
		free(c->heads[l]);
		c->heads[l] = NULL;
	}
	if (h.len > 0) {
		h.p[h.len] = '\0';
		c->heads[level - 1] = h.p;
	} else {
		free(h.p);
	}
	strbuf_reset(&c->path);
	for (int l = 0; l < HEADING_LEVELS; l++) {
		if (!c->heads[l])
			continue;
		if (c->path.len > 0)
			strbuf_add(&c->path, HEADING_SEP, strlen(HEADING_SEP));
		strbuf_add(&c->path, c->heads[l], strlen(c->heads[l]));
	}
}

/* Adds one non-blank content line to the paragraph: a list item on its own line, anything else joined
 * to the previous line with a space. */
static void add_line(struct chunker *c, const char *l, size_t n)
{
	bool item = list_item(l, n);

	while (n > 0 && (*l == ' ' || *l == '\t')) {
		l++;
		n--;
	}
	if (c->para.len > 0)
		strbuf_addc(&c->para, item ? '\n' : ' ');
	clean_inline(&c->para, l, n);
	c->para_list = c->para_list || item;
}

int chunk_text(const char *text, size_t len, const struct chunk_opts *opts, struct chunk_list *out)
{
	struct chunker c = { 0 };
	size_t pos = 0;
	int rc;

	out->items = NULL;
	out->n = 0;
	c.out = out;
	c.max = opts && opts->max_chars ? opts->max_chars : DEFAULT_MAX_CHARS;
	c.overlap = opts && opts->overlap_chars ? opts->overlap_chars : DEFAULT_OVERLAP_CHARS;

	while (pos < len && !c.oom) {
		const char *l = text + pos;
		const char *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos, ts, tn;
		int level;
		char under;

		pos += n + (nl ? 1 : 0);
		while (n > 0 && is_space((unsigned char)l[n - 1]))
			n--;
		{
			size_t k = 0;

			while (k < n && is_space((unsigned char)l[k]))
				k++;
			if (k == n) {
				flush_paragraph(&c);
				continue;
			}
		}
		if ((level = atx_heading(l, n, &ts, &tn)) > 0) {
			set_heading(&c, level, l + ts, tn);
			continue;
		}
		if ((under = setext_underline(l, n)) != 0 && c.para.len > 0 && !c.para_list) {
			struct strbuf h = c.para; /* the paragraph so far is the heading (already cleaned) */

			c.para = (struct strbuf){ 0 };
			if (h.failed)
				c.oom = true;
			else
				set_heading(&c, under == '=' ? 1 : 2, h.p, h.len);
			free(h.p);
			continue;
		}
		if (thematic_break(l, n) || code_fence(l, n)) {
			flush_paragraph(&c);
			continue;
		}
		add_line(&c, l, n);
	}
	if (!c.oom)
		end_section(&c);

	rc = c.oom ? -1 : 0;
	for (int l = 0; l < HEADING_LEVELS; l++)
		free(c.heads[l]);
	free(c.path.p);
	free(c.para.p);
	free(c.cur.p);
	return rc;
}

void chunk_list_free(struct chunk_list *l)
{
	if (!l)
		return;
	for (int i = 0; i < l->n; i++) {
		free(l->items[i].heading);
		free(l->items[i].text);
	}
	free(l->items);
	l->items = NULL;
	l->n = 0;
}
