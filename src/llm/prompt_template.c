/*
 * prompt_template.c — the text machinery of the chat prompt (rules in prompt.h): the growable text
 * buffer, value cleaning, the token estimate, the German/English date by ICU, and the template renderer
 * (which is also the template checker) with the embedded default templates. prompt.c builds the blocks
 * and the budget on top of it, through prompt_int.h.
 *
 * Every text is built in a `struct strbuf` (growable, capped at PROMPT_MAX_BYTES, sticky failure), so the
 * builders append without checking and the caller looks once.
 */
#include "llm/prompt_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/ucal.h>
#include <unicode/udat.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>


#define TZ_MAX 64 /* bytes of a time zone id */

/* ---- cleaning values ---------------------------------------------------------------------------- */

/* Byte offset of code point `chars` in s (or len when it has fewer). */
size_t pt_char_offset(const char *s, size_t len, size_t chars)
{
	size_t i = 0;
	for (size_t k = 0; i < len && k < chars; k++)
		for (i++; i < len && ((unsigned char)s[i] & 0xC0) == 0x80; i++)
			;
	return i;
}

/* The cleaned copy of `s` (prompt.h, "Values"); `line`: a single-line value (line breaks and tabs to
 * spaces, spaces collapsed, square brackets to round ones). Trimmed, and cut at `max_chars` (0: no
 * limit) at a word boundary, marked CUT_MARK. NULL `s` gives "". Returns NULL when memory runs out. */
char *pt_clean(const char *s, bool line, size_t max_chars)
{
	struct strbuf b = {.max = PROMPT_MAX_BYTES};
	size_t chars = 0, len = s ? strlen(s) : 0;

	for (size_t i = 0; i < len && (!max_chars || chars <= max_chars);) {
		UChar32 c;
		int32_t k = 0, n = (int32_t)(len - i < 4 ? len - i : 4);
		U8_NEXT((const uint8_t *)s + i, k, n, c);
		i += (size_t)k;
		if (c < 0)
			continue;
		if (c == '\r') {
			if (i < len && s[i] == '\n')
				continue;
			c = '\n';
		}
		if (c == 0x2028 || c == 0x2029)
			c = '\n';
		if ((c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7F && c < 0xA0) || (c >= 0x202A && c <= 0x202E) ||
		    (c >= 0x2066 && c <= 0x2069))
			continue;
		if (line) {
			c = c == '\n' || c == '\t' ? ' ' : c == '[' ? '(' : c == ']' ? ')' : c;
			if (c == ' ' && (b.len == 0 || b.p[b.len - 1] == ' '))
				continue;
		}
		char u[4];
		int32_t un = 0;
		U8_APPEND_UNSAFE(u, un, c);
		strbuf_add(&b, u, (size_t)un);
		chars++;
	}
	if (b.failed)
		return strbuf_take(&b);
	size_t end = b.len, start = 0;
	if (max_chars && chars > max_chars) {
		size_t cut = pt_char_offset(b.p, b.len, max_chars), j = cut;
		while (j > cut / 2 && b.p[j] != ' ' && b.p[j] != '\n')
			j--;
		end = j > cut / 2 ? j : cut;
	}
	while (end > 0 && (is_blank(b.p[end - 1]) || b.p[end - 1] == '\n'))
		end--;
	while (start < end && (is_blank(b.p[start]) || b.p[start] == '\n'))
		start++;
	bool cut = end < b.len && max_chars && chars > max_chars;
	char *out = malloc(end - start + sizeof CUT_MARK);
	if (out) {
		if (end > start)
			memcpy(out, b.p + start, end - start);
		strcpy(out + (end - start), cut && end > start ? CUT_MARK : "");
	}
	free(b.p);
	return out;
}

/* ---- token estimate ----------------------------------------------------------------------------- */

static long long word_tokens(long long weight)
{
	return weight == 0 ? 0 : weight <= 4 ? 1 : (weight + 2) / 3;
}

int prompt_estimate_tokens(const char *s, size_t len)
{
	long long tok = 0, word = 0;
	enum { OTHER, SPACE, SPACES, NEWLINE } prev = OTHER;

	for (size_t i = 0; i < len;) {
		UChar32 c = (unsigned char)s[i];
		int32_t k = 1, n = (int32_t)(len - i < 4 ? len - i : 4);
		bool letter;
		if (c < 0x80) { /* ASCII without asking ICU: most of the text */
			i++;
			letter = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
		} else {
			k = 0;
			U8_NEXT((const uint8_t *)s + i, k, n, c);
			i += (size_t)k;
			letter = c >= 0 && (u_isalpha(c) || (U_GET_GC_MASK(c) & U_GC_M_MASK));
		}
		if (letter) {
			word += c < 0x80 ? 1 : c < 0x250 ? 2 : 3;
			prev = OTHER;
			continue;
		}
		tok += word_tokens(word);
		word = 0;
		if (c == '\n') {
			tok += prev != NEWLINE;
			prev = NEWLINE;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			tok += prev == SPACE;
			prev = prev == SPACE || prev == SPACES ? SPACES : SPACE;
		} else {
			tok += c < 0x80 || u_isdigit(c) ? 1 : k > 2 ? k - 1 : 1;
			prev = OTHER;
		}
	}
	tok += word_tokens(word);
	return tok > INT_MAX ? INT_MAX : (int)tok;
}

/* ---- date --------------------------------------------------------------------------------------- */

/* True when `id` is a system time zone id ICU knows; then uid/ulen hold it as UTF-16. */
static bool tz_known(const char *id, UChar uid[TZ_MAX], int32_t *ulen)
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_-+";
	size_t n = strlen(id);
	UErrorCode st = U_ZERO_ERROR;
	UChar canon[TZ_MAX * 2];
	UBool sys = 0;

	if (n == 0 || n >= TZ_MAX || strspn(id, ok) != n)
		return false;
	u_charsToUChars(id, uid, (int32_t)n);
	uid[n] = 0;
	*ulen = (int32_t)n;
	ucal_getCanonicalTimeZoneID(uid, *ulen, canon, TZ_MAX * 2, &sys, &st);
	return U_SUCCESS(st) && sys;
}

int prompt_format_date(int64_t now_ms, const char *tz, const char *language, char *out, size_t outlen)
{
	bool en = lang_en(language);
	const char *pattern = en ? "EEEE, d MMMM y" : "EEEE, d. MMMM y";
	UChar utz[TZ_MAX], upat[32], text[128];
	int32_t utzlen, n, blen = 0;
	UErrorCode st = U_ZERO_ERROR;

	if (outlen)
		out[0] = '\0';
	if (!tz_known(tz ? tz : PROMPT_DEFAULT_TIMEZONE, utz, &utzlen))
		return -1;
	u_charsToUChars(pattern, upat, (int32_t)strlen(pattern) + 1);
	UDateFormat *f = udat_open(UDAT_PATTERN, UDAT_PATTERN, en ? "en_GB" : "de_DE", utz, utzlen, upat, -1, &st);
	if (U_FAILURE(st)) {
		if (f)
			udat_close(f);
		return -1;
	}
	n = udat_format(f, (UDate)now_ms, text, (int32_t)(sizeof text / sizeof text[0]), NULL, &st);
	udat_close(f);
	if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING)
		return -1;
	u_strToUTF8(out, outlen > INT32_MAX ? INT32_MAX : (int32_t)outlen, &blen, text, n, &st);
	if (U_FAILURE(st) || (size_t)blen >= outlen) {
		if (outlen)
			out[0] = '\0';
		return -1;
	}
	return blen;
}

/* ---- template ----------------------------------------------------------------------------------- */

static const char *const var_names[NVARS] = {
	"date", "bot_name", "company_name", "company", "hours", "contact_name", "contact", "sources", "style",
	"style_professional", "style_friendly", "style_technical", "style_casual", "du", "language", "additions",
};

static int var_lookup(const char *name, size_t n)
{
	for (int v = 0; v < NVARS; v++)
		if (strlen(var_names[v]) == n && !memcmp(var_names[v], name, n))
			return v;
	return -1;
}

/* Renders `t` with `vals` into `out`; with vals NULL only checks the tags (out unused). Sets
 * *uses_sources when a {{sources}} placeholder occurs. Returns 0, or -1 with a message naming the line. */
int pt_render(const char *t, const char *const *vals, struct strbuf *out, bool *uses_sources, char *err,
	      size_t errlen)
{
	struct {
		int var, line;
		bool was_active;
	} stack[PROMPT_SECTION_DEPTH];
	int depth = 0, line = 1;
	bool active = true;
	size_t len = strlen(t), pos = 0, counted = 0;

	*uses_sources = false;
	while (pos < len) {
		const char *open = strstr(t + pos, "{{"), *close = open ? strstr(open + 2, "}}") : NULL;
		size_t start = open ? (size_t)(open - t) : len;
		if (!open) {
			if (vals && active)
				strbuf_add(out, t + pos, len - pos);
			break;
		}
		for (; counted < start; counted++)
			line += t[counted] == '\n';
		if (!close)
			return errf(err, errlen, "line %d: \"{{\" without a closing \"}}\"", line);
		const char *a = open + 2, *z = close;
		while (a < z && is_blank(*a))
			a++;
		while (z > a && is_blank(z[-1]))
			z--;
		char kind = a < z && strchr("#^/!", *a) ? *a : 0;
		if (kind)
			for (a++; a < z && is_blank(*a); a++)
				;
		int var = kind == '!' ? -1 : var_lookup(a, (size_t)(z - a));
		if (kind != '!' && var < 0) {
			size_t n = (size_t)(z - a);
			static const char word[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.";
			if (n && n <= 40 && strspn(a, word) >= n)
				return errf(err, errlen, "line %d: unknown placeholder {{%.*s}}", line, (int)n, a);
			return errf(err, errlen, "line %d: malformed tag after \"{{\"", line);
		}
		size_t end = (size_t)(close - t) + 2, text_end = start;
		if (kind) { /* standalone: alone on its line, the line goes with it */
			size_t ls = start, le = end;
			while (ls > 0 && is_blank(t[ls - 1]))
				ls--;
			while (le < len && (is_blank(t[le]) || t[le] == '\r'))
				le++;
			if ((ls == 0 || t[ls - 1] == '\n') && (le == len || t[le] == '\n')) {
				text_end = ls;
				end = le < len ? le + 1 : le;
			}
		}
		if (vals && active)
			strbuf_add(out, t + pos, text_end - pos);
		pos = end;
		if (kind == '!')
			continue;
		bool empty = !vals || !vals[var] || !vals[var][0];
		if (!kind) {
			*uses_sources |= var == V_SOURCES;
			if (vals && active && !empty)
				strbuf_adds(out, vals[var]);
		} else if (kind != '/') {
			if (depth == PROMPT_SECTION_DEPTH)
				return errf(err, errlen, "line %d: sections nested deeper than %d", line,
					    PROMPT_SECTION_DEPTH);
			stack[depth].var = var;
			stack[depth].line = line;
			stack[depth++].was_active = active;
			active = active && (kind == '#' ? !empty : empty);
		} else if (depth == 0) {
			return errf(err, errlen, "line %d: {{/%s}} closes no section", line, var_names[var]);
		} else if (stack[depth - 1].var != var) {
			return errf(err, errlen, "line %d: {{/%s}} closes the section {{#%s}} of line %d", line,
				    var_names[var], var_names[stack[depth - 1].var], stack[depth - 1].line);
		} else {
			active = stack[--depth].was_active;
		}
	}
	if (depth > 0)
		return errf(err, errlen, "line %d: section {{#%s}} is never closed", stack[depth - 1].line,
			    var_names[stack[depth - 1].var]);
	return 0;
}

int prompt_template_check(const char *t, char *err, size_t errlen)
{
	bool uses_sources;
	size_t len = t ? strlen(t) : 0;
	int line = 1;

	if (len == 0)
		return errf(err, errlen, "the template is empty");
	if (len > PROMPT_TEMPLATE_MAX)
		return errf(err, errlen, "the template is longer than %d bytes", PROMPT_TEMPLATE_MAX);
	for (size_t i = 0; i < len;) {
		UChar32 c;
		int32_t k = 0, n = (int32_t)(len - i < 4 ? len - i : 4);
		U8_NEXT((const uint8_t *)t + i, k, n, c);
		if (c < 0)
			return errf(err, errlen, "line %d: not valid UTF-8", line);
		if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || (c >= 0x7F && c < 0xA0))
			return errf(err, errlen, "line %d: control character U+%04X", line, (unsigned)c);
		line += c == '\n';
		i += (size_t)k;
	}
	if (pt_render(t, NULL, NULL, &uses_sources, err, errlen) != 0)
		return -1;
	if (!uses_sources)
		return errf(err, errlen, "the template never uses {{sources}}: the model would not see the passages");
	return 0;
}

/* In place: trailing blanks of each line removed, at most one blank line in a row, no blank lines or
 * whitespace at either end. */
void pt_tidy(struct strbuf *b)
{
	size_t w = 0, r = 0;
	bool blank_pending = false;

	while (b->p && r < b->len) {
		size_t e = r;
		while (e < b->len && b->p[e] != '\n')
			e++;
		size_t le = e;
		while (le > r && (is_blank(b->p[le - 1]) || b->p[le - 1] == '\r'))
			le--;
		if (le == r) {
			blank_pending = w > 0;
		} else {
			if (w > 0)
				b->p[w++] = '\n';
			if (blank_pending)
				b->p[w++] = '\n';
			blank_pending = false;
			memmove(b->p + w, b->p + r, le - r);
			w += le - r;
		}
		r = e + 1;
	}
	if (b->p) {
		b->len = w;
		b->p[w] = '\0';
	}
}
