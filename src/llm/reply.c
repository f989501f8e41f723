/*
 * reply.c — the structured reply {"reply","profile","intent"} out of a model's raw text (see reply.h
 * for the rules and their order).
 *
 * Three passes over the text: a strict one (balanced {…} candidates handed to jansson), a lenient one
 * (a small tokenizer over the top level of an object-looking candidate that tolerates what jansson
 * refuses: a cut-off end, trailing commas, unescaped quotes or raw line breaks inside strings), and the
 * plain-text fallback. Every output string is built in a buffer no longer than the input it came from,
 * which is what keeps the reply within the input's length.
 */
#include "llm/reply.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rag/chunk.h"

/* Keys that may hold the reply, best first. */
static const char *const REPLY_KEYS[] = {"reply", "answer", "response", "antwort", "text", "message"};
#define N_REPLY_KEYS (sizeof REPLY_KEYS / sizeof REPLY_KEYS[0])

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static size_t skip_ws(const char *s, size_t i, size_t end)
{
	while (i < end && is_space((unsigned char)s[i]))
		i++;
	return i;
}

/* A copy of s[0..n) without NUL bytes and without surrounding whitespace; NULL when memory runs out. */
static char *dup_trimmed(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	size_t m = 0, b = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '\0')
			out[m++] = s[i];
	while (m && is_space((unsigned char)out[m - 1]))
		m--;
	while (b < m && is_space((unsigned char)out[b]))
		b++;
	memmove(out, out + b, m - b);
	out[m - b] = '\0';
	return out;
}

/* ---- scanning ----------------------------------------------------------------------------------- */

/* From the '{' or '[' at s[start], the end (exclusive) of the balanced value, counting both kinds of
 * bracket outside JSON strings. *closed tells whether it closed before `end`; if not, returns `end`. */
static size_t scan_balanced(const char *s, size_t start, size_t end, bool *closed)
{
	size_t depth = 0;
	bool in_str = false, esc = false;

	for (size_t i = start; i < end; i++) {
		char c = s[i];

		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (--depth == 0) {
				*closed = true;
				return i + 1;
			}
		}
	}
	*closed = false;
	return end;
}

/* '{' followed, after whitespace, by '"': the start of a JSON object with keys. */
static bool looks_like_object(const char *s, size_t i, size_t len)
{
	i = skip_ws(s, i + 1, len);
	return i < len && s[i] == '"';
}

/* ---- lenient string decoding -------------------------------------------------------------------- */

static size_t put_utf8(char *w, uint32_t cp)
{
	if (cp < 0x80) {
		w[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		w[0] = (char)(0xC0 | (cp >> 6));
		w[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		w[0] = (char)(0xE0 | (cp >> 12));
		w[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		w[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	w[0] = (char)(0xF0 | (cp >> 18));
	w[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	w[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	w[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Four hex digits at s[i..i+4) within `end`; -1 when not. */
static long hex4(const char *s, size_t i, size_t end)
{
	long v = 0;

	if (end - i < 4)
		return -1;
	for (size_t k = 0; k < 4; k++) {
		char c = s[i + k];
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* Whether the '"' at s[i] ends a string value: what follows (after whitespace) ends the value or the
 * text. With `strict` any '"' ends it (keys). */
static bool quote_closes(const char *s, size_t i, size_t end, bool strict)
{
	if (strict)
		return true;
	i = skip_ws(s, i + 1, end);
	return i >= end || s[i] == ',' || s[i] == '}' || s[i] == ']';
}

/* Reads the JSON string whose opening quote is s[i], within `end`. Decoded bytes (escapes resolved, NUL
 * dropped, lone surrogates as U+FFFD, a cut-off escape dropped) go to `w` when it is not NULL (room for
 * end - i bytes); their count to *wlen. *closed tells whether the closing quote was seen. Returns the
 * index after the string (or `end`). */
static size_t read_string(const char *s, size_t i, size_t end, bool strict, char *w, size_t *wlen,
			  bool *closed)
{
	size_t n = 0;

	*closed = false;
	for (i++; i < end; i++) {
		char c = s[i];

		if (c == '"' && quote_closes(s, i, end, strict)) {
			*closed = true;
			i++;
			break;
		}
		if (c != '\\') {
			if (c != '\0' && w)
				w[n] = c;
			n += c != '\0';
			continue;
		}
		if (++i >= end)
			break; /* a cut-off escape */
		c = s[i];
		if (c == 'u') {
			long cp = hex4(s, i + 1, end), lo;
			char tmp[4];
			size_t k;

			if (cp < 0) {
				if (end - (i + 1) < 4)
					break; /* cut off inside the escape */
				continue;          /* "\u" with bad digits: dropped */
			}
			i += 4;
			if (cp >= 0xD800 && cp <= 0xDBFF && i + 2 < end && s[i + 1] == '\\' && s[i + 2] == 'u' &&
			    (lo = hex4(s, i + 3, end)) >= 0xDC00 && lo <= 0xDFFF) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				i += 6;
			} else if (cp >= 0xD800 && cp <= 0xDFFF) {
				cp = 0xFFFD;
			}
			if (cp == 0)
				continue;
			k = put_utf8(tmp, (uint32_t)cp);
			if (w)
				memcpy(w + n, tmp, k);
			n += k;
			continue;
		}
		switch (c) {
		case 'n': c = '\n'; break;
		case 't': c = '\t'; break;
		case 'r': c = '\r'; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		default: break; /* \" \\ \/ and unknown escapes: the character itself */
		}
		if (c != '\0' && w)
			w[n] = c;
		n += c != '\0';
	}
	*wlen = n;
	return i;
}

/* The decoded string value at s[i] (a '"'), NUL-terminated, owned by the caller; NULL on OOM. */
static char *decode_value(const char *s, size_t i, size_t end, bool *closed)
{
	size_t n;
	char *w = malloc(end - i + 1);

	if (!w)
		return NULL;
	read_string(s, i, end, false, w, &n, closed);
	w[n] = '\0';
	return w;
}

/* ---- truncated replies -------------------------------------------------------------------------- */

/* Whether the sentence s[pos..n) ends at n, i.e. would still end there if more text followed. */
static int ends_at_end(const char *s, size_t pos, size_t n, bool *yes)
{
	size_t m = n - pos;
	char *tmp = malloc(m + 3);

	if (!tmp)
		return -1;
	memcpy(tmp, s + pos, m);
	memcpy(tmp + m, " X", 3);
	*yes = chunk_sentence_end(tmp, m + 2, 0) <= m;
	free(tmp);
	return 0;
}

/* Cuts s (n bytes) after its last complete sentence; *keep gets the new length, 0 when none. */
static int cut_to_sentence(const char *s, size_t n, size_t *keep)
{
	size_t pos = 0;

	*keep = 0;
	while (pos < n) {
		size_t end;

		pos = skip_ws(s, pos, n);
		if (pos >= n)
			break;
		end = chunk_sentence_end(s, n, pos);
		if (end <= pos) {
			pos++;
			continue;
		}
		if (end < n) {
			*keep = end;
			pos = end;
			continue;
		}
		{
			bool yes;

			if (ends_at_end(s, pos, n, &yes) != 0)
				return -1;
			if (yes)
				*keep = n;
		}
		break;
	}
	return 0;
}

/* ---- passes ------------------------------------------------------------------------------------- */

static void reply_reset(struct llm_reply *r)
{
	memset(r, 0, sizeof *r);
}

static bool nonblank(const char *s)
{
	while (*s && is_space((unsigned char)*s))
		s++;
	return *s != '\0';
}

/* Pass 1 on a parsed object. LLM_REPLY_NONE when it holds no usable reply. */
static int from_object(json_t *root, struct llm_reply *out)
{
	const char *reply = NULL;
	json_t *profile, *intent;

	for (size_t k = 0; k < N_REPLY_KEYS && !reply; k++) {
		json_t *v = json_object_get(root, REPLY_KEYS[k]);
		if (json_is_string(v) && nonblank(json_string_value(v)))
			reply = json_string_value(v);
	}
	if (!reply)
		return LLM_REPLY_NONE;
	out->reply = dup_trimmed(reply, strlen(reply));
	intent = json_object_get(root, "intent");
	if (json_is_string(intent))
		out->intent = dup_trimmed(json_string_value(intent), json_string_length(intent));
	if (!out->reply || (json_is_string(intent) && !out->intent)) {
		llm_reply_clear(out);
		return LLM_REPLY_NOMEM;
	}
	profile = json_object_get(root, "profile");
	if (json_is_object(profile))
		out->profile = json_incref(profile);
	out->structured = true;
	return LLM_REPLY_OK;
}

/* Where the lenient walk found the values it wants (index of the value's first byte, or SIZE_MAX). */
struct found {
	size_t reply[N_REPLY_KEYS];
	size_t intent, profile;
};

static bool key_is(const char *s, size_t ks, size_t ke, const char *want)
{
	return strlen(want) == ke - ks && memcmp(s + ks, want, ke - ks) == 0;
}

/* Walks the top level of the object at s[start] (a '{') up to `end`, noting value positions. Stops at
 * the first thing it cannot read. */
static void walk_object(const char *s, size_t start, size_t end, struct found *f)
{
	size_t i = start + 1;

	for (;;) {
		size_t ks, ke, n;
		bool closed;

		while (i < end && (is_space((unsigned char)s[i]) || s[i] == ','))
			i++;
		if (i >= end || s[i] != '"')
			return;
		ks = i + 1;
		i = read_string(s, i, end, true, NULL, &n, &closed);
		if (!closed)
			return;
		ke = i - 1;
		i = skip_ws(s, i, end);
		if (i >= end || s[i] != ':')
			return;
		i = skip_ws(s, i + 1, end);
		if (i >= end)
			return;
		for (size_t k = 0; k < N_REPLY_KEYS; k++)
			if (key_is(s, ks, ke, REPLY_KEYS[k]) && f->reply[k] == SIZE_MAX && s[i] == '"')
				f->reply[k] = i;
		if (key_is(s, ks, ke, "intent") && s[i] == '"')
			f->intent = i;
		if (key_is(s, ks, ke, "profile") && s[i] == '{')
			f->profile = i;
		if (s[i] == '"') {
			i = read_string(s, i, end, false, NULL, &n, &closed);
		} else if (s[i] == '{' || s[i] == '[') {
			i = scan_balanced(s, i, end, &closed);
		} else {
			closed = true;
			while (i < end && s[i] != ',' && s[i] != '}' && !is_space((unsigned char)s[i]))
				i++;
		}
		if (!closed)
			return;
	}
}

/* Pass 2 on the object-looking candidate s[start..end) (`end` = len when it was cut off). */
static int lenient(const char *s, size_t start, size_t end, bool cut_off, struct llm_reply *out)
{
	struct found f;
	char *reply = NULL;
	bool closed = false;
	size_t keep;
	int rc = LLM_REPLY_NONE;

	memset(&f, 0xff, sizeof f); /* every position SIZE_MAX */
	walk_object(s, start, end, &f);
	for (size_t k = 0; k < N_REPLY_KEYS && !reply; k++) {
		if (f.reply[k] == SIZE_MAX)
			continue;
		reply = decode_value(s, f.reply[k], end, &closed);
		if (!reply)
			return LLM_REPLY_NOMEM;
		if (!nonblank(reply)) {
			free(reply);
			reply = NULL;
		}
	}
	if (!reply)
		return LLM_REPLY_NONE;
	if (!closed) {
		if (cut_to_sentence(reply, strlen(reply), &keep) != 0) {
			rc = LLM_REPLY_NOMEM;
			goto out;
		}
		if (keep == 0)
			goto out;
		reply[keep] = '\0';
	}
	out->reply = dup_trimmed(reply, strlen(reply));
	if (!out->reply) {
		rc = LLM_REPLY_NOMEM;
		goto out;
	}
	if (f.intent != SIZE_MAX) {
		char *intent = decode_value(s, f.intent, end, &closed);

		if (!intent) {
			rc = LLM_REPLY_NOMEM;
			goto out;
		}
		if (closed)
			out->intent = dup_trimmed(intent, strlen(intent));
		free(intent);
		if (closed && !out->intent) {
			rc = LLM_REPLY_NOMEM;
			goto out;
		}
	}
	if (f.profile != SIZE_MAX) {
		size_t pe = scan_balanced(s, f.profile, end, &closed);
		json_t *p = closed ? json_loadb(s + f.profile, pe - f.profile, 0, NULL) : NULL;

		if (json_is_object(p))
			out->profile = p;
		else
			json_decref(p);
	}
	out->structured = true;
	out->truncated = cut_off;
	rc = LLM_REPLY_OK;
out:
	free(reply);
	if (rc != LLM_REPLY_OK)
		llm_reply_clear(out);
	return rc;
}

/* Pass 3: the text without fence lines, trimmed. LLM_REPLY_NONE when nothing (or only JSON) is left. */
static int fallback(const char *s, size_t len, struct llm_reply *out)
{
	char *buf = malloc(len + 1), *txt;
	size_t n = 0, i = 0;
	json_t *any;
	int rc = LLM_REPLY_NONE;

	if (!buf)
		return LLM_REPLY_NOMEM;
	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - s) + 1 : len, t = skip_ws(s, i, e);

		if (!(e - t >= 3 && memcmp(s + t, "```", 3) == 0)) {
			memcpy(buf + n, s + i, e - i);
			n += e - i;
		}
		i = e;
	}
	txt = dup_trimmed(buf, n);
	free(buf);
	if (!txt)
		return LLM_REPLY_NOMEM;
	if (!*txt)
		goto out;
	/* a bare JSON array or true/false/null is no reply; a bare JSON string is one */
	any = json_loads(txt, JSON_DECODE_ANY, NULL);
	if (json_is_array(any) || json_is_object(any) || json_is_boolean(any) || json_is_null(any)) {
		json_decref(any);
		goto out;
	}
	if (json_is_string(any) && nonblank(json_string_value(any))) {
		char *v = dup_trimmed(json_string_value(any), json_string_length(any));

		json_decref(any);
		if (!v) {
			rc = LLM_REPLY_NOMEM;
			goto out;
		}
		free(txt);
		txt = v;
	} else {
		json_decref(any);
	}
	out->reply = txt;
	txt = NULL;
	rc = LLM_REPLY_OK;
out:
	free(txt);
	return rc;
}

/* ---- public ------------------------------------------------------------------------------------- */

int llm_reply_parse(const char *text, size_t len, struct llm_reply *out)
{
	size_t starts[LLM_REPLY_MAX_CANDIDATES], ends[LLM_REPLY_MAX_CANDIDATES];
	bool closed[LLM_REPLY_MAX_CANDIDATES];
	size_t nc = 0;
	bool json_attempt = false;
	int rc;

	reply_reset(out);
	if (len > LLM_REPLY_MAX_INPUT)
		return LLM_REPLY_TOO_BIG;
	if (!text || len == 0)
		return LLM_REPLY_NONE;

	/* pass 1: balanced objects that jansson accepts */
	for (size_t i = 0; i < len && nc < LLM_REPLY_MAX_CANDIDATES; i++) {
		if (text[i] != '{')
			continue;
		starts[nc] = i;
		ends[nc] = scan_balanced(text, i, len, &closed[nc]);
		bool skip_inside = false;
		if (closed[nc]) {
			json_t *root = json_loadb(text + i, ends[nc] - i, 0, NULL);

			if (json_is_object(root)) {
				json_attempt = true;
				/* an object with no reply key at all: the objects inside it (its "profile") are no
				 * replies either; under a reply key they may be (models wrap the reply) */
				skip_inside = true;
				for (size_t k = 0; k < sizeof REPLY_KEYS / sizeof REPLY_KEYS[0]; k++)
					if (json_object_get(root, REPLY_KEYS[k]))
						skip_inside = false;
				rc = from_object(root, out);
				json_decref(root);
				if (rc != LLM_REPLY_NONE)
					return rc;
			} else {
				json_decref(root);
			}
		}
		nc++;
		if (skip_inside)
			i = ends[nc - 1] - 1;
	}

	/* pass 2: object-looking candidates, leniently (cut off, or refused by jansson) */
	for (size_t c = 0; c < nc; c++) {
		if (!looks_like_object(text, starts[c], len))
			continue;
		json_attempt = true;
		rc = lenient(text, starts[c], closed[c] ? ends[c] - 1 : len, !closed[c], out);
		if (rc != LLM_REPLY_NONE)
			return rc;
	}
	if (json_attempt)
		return LLM_REPLY_NONE;

	/* pass 3: plain text */
	return fallback(text, len, out);
}

void llm_reply_clear(struct llm_reply *r)
{
	if (!r)
		return;
	free(r->reply);
	free(r->intent);
	json_decref(r->profile);
	reply_reset(r);
}
