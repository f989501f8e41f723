/*
 * reply_stream.c — the growing preview of a model's reply while it streams (see reply_stream.h for the
 * rules).
 *
 * Every byte goes through one of two state machines, depending on the phase: the plain-text one (fence
 * lines, a '{' that may open JSON, the held-back prefix) or the JSON one (nesting depth, keys at depth
 * 1, the reply string's escapes). Both hand the text to show to one pipeline:
 *
 *     raw byte ──► UTF-8 check ──► code point ──► control filter ──► blank trim ──► hold or out ──► emit
 *     \uXXXX ──────────────────────┘
 *
 * Because the machines see one byte at a time and keep no look-ahead beyond their fixed buffers, the
 * concatenated output cannot depend on how the input was split; only the batching of emit calls does.
 * Every shown byte comes from at least as many input bytes (an escape or a surrogate pair shrinks,
 * U+FFFD replaces six bytes), which keeps the preview within the input's length.
 */
#include "llm/reply_stream.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

#define OUT_MAX 256 /* shown text batched per emit call; >= REPLY_STREAM_HOLD_MAX */
#define KEY_MAX 16  /* decoded key bytes compared; longer keys match nothing */

/* Keys that may hold the reply (reply.c's list). */
static const char *const REPLY_KEYS[] = {"reply", "answer", "response", "antwort", "text", "message"};
#define N_REPLY_KEYS (sizeof REPLY_KEYS / sizeof REPLY_KEYS[0])

enum phase {
	P_HOLD,  /* plain text, shown bytes still held back (JSON may yet start) */
	P_PLAIN, /* plain text, streaming */
	P_JSON,  /* in or between JSON objects, looking for or decoding the reply */
	P_DONE,  /* the reply string has ended; nothing more shows */
};

enum expect { E_KEY, E_COLON, E_VALUE, E_AFTER }; /* what comes next at depth 1 */

enum str_kind {
	S_KEY,    /* a key at depth 1: strict, decoded into key[] */
	S_VALUE,  /* a value at depth 1 that is not the reply: lenient, skipped */
	S_NESTED, /* any string deeper down: strict, skipped */
	S_REPLY,  /* the reply: lenient, decoded and shown */
};

struct reply_stream {
	enum phase phase;
	bool json_seen;     /* a JSON object started at some point */
	bool visible;       /* something other than blanks was shown (held or emitted) */
	bool finished;      /* reply_stream_finish ran */
	bool stopped;       /* emit asked to stop */
	reply_emit_fn emit; /* the current call's callback and its data */
	void *ud;
	size_t emitted;     /* bytes passed to emit */

	char out[OUT_MAX];  /* shown text not yet emitted (whole code points) */
	size_t out_len;
	char hold[REPLY_STREAM_HOLD_MAX]; /* P_HOLD: the shown prefix, dropped if JSON starts */
	size_t hold_len;

	/* the pipeline */
	char u8[4];          /* a UTF-8 sequence being completed */
	unsigned u8_len;     /* bytes in u8 */
	unsigned u8_need;    /* continuation bytes its lead byte asks for; 0: none pending */
	bool skip_ws;        /* drop blanks (start of the text or of the reply string) */
	char ws[REPLY_STREAM_WS_MAX]; /* blanks held until more text follows */
	size_t ws_len;
	size_t ws_mark;      /* ws[0..ws_mark) ends with the last '\n'; the rest leads the current line */

	/* plain text */
	bool line_start;     /* only blanks (or up to two backticks) so far on this line */
	bool fence_line;     /* dropping a ``` line up to its '\n' */
	unsigned ticks;      /* backticks held at the start of the line */
	bool brace;          /* a '{' held: it opens JSON when a '"' follows */
	char bws[REPLY_STREAM_WS_MAX]; /* blanks after the held '{' */
	size_t bws_len;

	/* JSON structure */
	size_t depth;        /* 0: between objects */
	enum expect expect;
	int key_idx;         /* REPLY_KEYS index of the key whose value comes next; -1 when none */
	bool in_str;
	enum str_kind kind;
	char key[KEY_MAX];
	size_t key_len;
	bool key_long;

	/* string decoding */
	unsigned esc;        /* 0; 1 after '\'; 2..5: "\u" and esc - 2 hex digits read */
	char hex[4];         /* the hex digits read */
	uint32_t uval;
	bool hi_pending;     /* a high surrogate waits for its "\uDC00".."\uDFFF" */
	uint32_t hi;
	char after[6];       /* what followed it so far, while it still fits "\uXXXX" */
	size_t after_len;
	bool quote;          /* a '"' in a lenient string waits for the next non-blank to decide */
	char qws[REPLY_STREAM_WS_MAX]; /* S_REPLY: the blanks after it */
	size_t qws_len;
	bool reply_shown;    /* the current reply string showed something other than blanks */
};

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static size_t encode_utf8(char *w, uint32_t cp)
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

/* ---- output ------------------------------------------------------------------------------------- */

static void flush(struct reply_stream *rs)
{
	if (rs->out_len && !rs->stopped && rs->emit) {
		rs->emitted += rs->out_len;
		if (rs->emit(rs->out, rs->out_len, rs->ud) != 0)
			rs->stopped = true;
	}
	rs->out_len = 0;
}

/* Appends s[0..n) (n <= OUT_MAX, whole code points) to the batch. */
static void out_put(struct reply_stream *rs, const char *s, size_t n)
{
	if (rs->out_len + n > OUT_MAX)
		flush(rs);
	memcpy(rs->out + rs->out_len, s, n);
	rs->out_len += n;
}

/* Plain text for good: the held prefix is shown. */
static void commit_plain(struct reply_stream *rs)
{
	rs->phase = P_PLAIN;
	out_put(rs, rs->hold, rs->hold_len);
	rs->hold_len = 0;
}

/* Shown text (n <= REPLY_STREAM_WS_MAX): held while the phase is P_HOLD and it fits, else batched. */
static void sink(struct reply_stream *rs, const char *s, size_t n)
{
	if (rs->phase == P_HOLD) {
		if (rs->hold_len + n <= sizeof rs->hold) {
			memcpy(rs->hold + rs->hold_len, s, n);
			rs->hold_len += n;
			return;
		}
		commit_plain(rs);
	}
	out_put(rs, s, n);
}

static void ws_flush(struct reply_stream *rs)
{
	if (rs->ws_len)
		sink(rs, rs->ws, rs->ws_len);
	rs->ws_len = rs->ws_mark = 0;
}

/* One code point s[0..n), valid UTF-8: control characters other than \n and \t are dropped, blanks
 * are skipped or held, anything else is shown after the blanks before it. */
static void show(struct reply_stream *rs, const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];

	if (n == 1 && c < 0x20 && c != '\t' && c != '\n')
		return;
	if (n == 1 && (c == ' ' || c == '\t' || c == '\n')) {
		if (rs->skip_ws)
			return;
		if (rs->ws_len == sizeof rs->ws)
			ws_flush(rs);
		rs->ws[rs->ws_len++] = (char)c;
		if (c == '\n')
			rs->ws_mark = rs->ws_len;
		return;
	}
	rs->skip_ws = false;
	ws_flush(rs);
	sink(rs, s, n);
	rs->visible = true;
	rs->reply_shown = true;
}

static void u8_drop(struct reply_stream *rs)
{
	rs->u8_len = rs->u8_need = 0;
}

/* A raw byte of text: completes code points; an invalid sequence is dropped and the byte that broke
 * it starts afresh. */
static void put_byte(struct reply_stream *rs, unsigned char b)
{
	if (rs->u8_need) {
		bool ok = (b & 0xC0) == 0x80;

		if (ok && rs->u8_len == 1) { /* no overlong forms, surrogates or code points past U+10FFFF */
			unsigned char l = (unsigned char)rs->u8[0];

			ok = !((l == 0xE0 && b < 0xA0) || (l == 0xED && b > 0x9F) || (l == 0xF0 && b < 0x90) ||
			       (l == 0xF4 && b > 0x8F));
		}
		if (ok) {
			rs->u8[rs->u8_len++] = (char)b;
			if (rs->u8_len == rs->u8_need + 1) {
				show(rs, rs->u8, rs->u8_len);
				u8_drop(rs);
			}
			return;
		}
		u8_drop(rs);
	}
	if (b < 0x80) {
		char c = (char)b;

		show(rs, &c, 1);
		return;
	}
	if (b >= 0xC2 && b <= 0xDF)
		rs->u8_need = 1;
	else if (b >= 0xE0 && b <= 0xEF)
		rs->u8_need = 2;
	else if (b >= 0xF0 && b <= 0xF4)
		rs->u8_need = 3;
	else
		return; /* a stray continuation byte, or a byte UTF-8 never uses */
	rs->u8[0] = (char)b;
	rs->u8_len = 1;
}

/* A decoded code point of text (a pending raw sequence before it is broken off and dropped). */
static void put_code(struct reply_stream *rs, uint32_t cp)
{
	char w[4];

	u8_drop(rs);
	show(rs, w, encode_utf8(w, cp));
}

/* ---- JSON --------------------------------------------------------------------------------------- */

static void json_byte(struct reply_stream *rs, unsigned char c);

static void open_object(struct reply_stream *rs)
{
	rs->depth = 1;
	rs->expect = E_KEY;
	rs->key_idx = -1;
	rs->in_str = false;
}

/* Leaves plain text at a '{' that opens an object. A held prefix is dropped unseen; text already
 * emitted stays, and the blanks held after it will separate it from the reply. */
static void json_start(struct reply_stream *rs)
{
	if (rs->phase == P_HOLD) {
		rs->hold_len = 0;
		rs->ws_len = rs->ws_mark = 0;
		rs->skip_ws = true;
	}
	rs->phase = P_JSON;
	rs->json_seen = true;
	u8_drop(rs);
	rs->brace = false;
	rs->bws_len = 0;
	rs->ticks = 0;
	open_object(rs);
}

static void key_put(struct reply_stream *rs, const char *s, size_t n)
{
	if (rs->key_len + n > sizeof rs->key) {
		rs->key_long = true;
		return;
	}
	memcpy(rs->key + rs->key_len, s, n);
	rs->key_len += n;
}

/* Decoded text of a key or of the reply: a raw byte, or a code point. */
static void text_byte(struct reply_stream *rs, unsigned char c)
{
	if (rs->kind == S_KEY) {
		char b = (char)c;

		key_put(rs, &b, 1);
	} else {
		put_byte(rs, c);
	}
}

static void text_code(struct reply_stream *rs, uint32_t cp)
{
	if (rs->kind == S_KEY) {
		char w[4];

		key_put(rs, w, encode_utf8(w, cp));
	} else {
		put_code(rs, cp);
	}
}

static void start_string(struct reply_stream *rs)
{
	rs->in_str = true;
	rs->esc = 0;
	rs->hi_pending = false;
	rs->quote = false;
	rs->qws_len = 0;
	if (rs->depth > 1) {
		rs->kind = S_NESTED;
	} else if (rs->expect == E_KEY) {
		rs->kind = S_KEY;
		rs->key_len = 0;
		rs->key_long = false;
	} else if (rs->expect == E_VALUE && rs->key_idx >= 0) {
		rs->kind = S_REPLY;
		rs->reply_shown = false;
		rs->skip_ws = true;
		u8_drop(rs);
	} else {
		rs->kind = S_VALUE;
	}
}

static void end_string(struct reply_stream *rs)
{
	rs->in_str = false;
	switch (rs->kind) {
	case S_KEY:
		rs->key_idx = -1;
		for (size_t k = 0; k < N_REPLY_KEYS && !rs->key_long; k++)
			if (strlen(REPLY_KEYS[k]) == rs->key_len && memcmp(REPLY_KEYS[k], rs->key, rs->key_len) == 0)
				rs->key_idx = (int)k;
		rs->expect = E_COLON;
		break;
	case S_REPLY:
		u8_drop(rs);
		rs->ws_len = rs->ws_mark = 0; /* trailing blanks */
		if (rs->reply_shown)
			rs->phase = P_DONE;
		rs->expect = E_AFTER; /* a blank reply does not count: the search goes on */
		rs->key_idx = -1;
		break;
	case S_VALUE:
		rs->expect = E_AFTER;
		rs->key_idx = -1;
		break;
	case S_NESTED:
		break;
	}
}

/* "\uXXXX" read: pairs, lone surrogates and NUL sorted out. */
static void got_code(struct reply_stream *rs, uint32_t cp)
{
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		rs->hi_pending = true;
		rs->hi = cp;
		rs->after_len = 0;
	} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
		text_code(rs, 0xFFFD);
	} else if (cp != 0) {
		text_code(rs, cp);
	}
}

/* A byte inside a key or the reply (escapes resolved as reply.c's lenient reader does). */
static void decode_byte(struct reply_stream *rs, unsigned char c)
{
	if (rs->hi_pending) {
		size_t n = rs->after_len;
		char again[6];

		if ((n == 0 && c == '\\') || (n == 1 && c == 'u') || (n >= 2 && hex_value(c) >= 0)) {
			rs->after[rs->after_len++] = (char)c;
			if (rs->after_len < 6)
				return;
			rs->hi_pending = false;
			{
				uint32_t lo = 0;

				for (size_t k = 2; k < 6; k++)
					lo = lo * 16 + (uint32_t)hex_value((unsigned char)rs->after[k]);
				if (lo >= 0xDC00 && lo <= 0xDFFF) {
					text_code(rs, 0x10000 + ((rs->hi - 0xD800) << 10) + (lo - 0xDC00));
					return;
				}
			}
			/* not a low surrogate: U+FFFD for the high one, then the escape read afresh */
			text_code(rs, 0xFFFD);
			memcpy(again, rs->after, 6);
			for (size_t k = 0; k < 6; k++)
				decode_byte(rs, (unsigned char)again[k]);
			return;
		}
		rs->hi_pending = false;
		text_code(rs, 0xFFFD);
		memcpy(again, rs->after, n);
		for (size_t k = 0; k < n; k++)
			decode_byte(rs, (unsigned char)again[k]);
		/* then c, below */
	}
	if (rs->esc == 1) {
		rs->esc = 0;
		switch (c) {
		case 'u':
			rs->esc = 2;
			rs->uval = 0;
			return;
		case 'n': c = '\n'; break;
		case 't': c = '\t'; break;
		case 'r': c = '\r'; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		default: break; /* \" \\ \/ and unknown escapes: the character itself */
		}
		text_byte(rs, c);
		return;
	}
	if (rs->esc >= 2) {
		int d = hex_value(c);
		size_t m = rs->esc - 2;

		if (d >= 0) {
			rs->hex[m] = (char)c;
			rs->uval = rs->uval * 16 + (uint32_t)d;
			if (++rs->esc < 6)
				return;
			rs->esc = 0;
			got_code(rs, rs->uval);
			return;
		}
		/* "\u" without four hex digits is dropped; the digits read are text, then c */
		rs->esc = 0;
		for (size_t k = 0; k < m; k++)
			text_byte(rs, (unsigned char)rs->hex[k]);
	}
	if (c == '\\') {
		rs->esc = 1;
	} else if (c == '"') {
		if (rs->kind == S_KEY)
			end_string(rs);
		else
			rs->quote = true; /* S_REPLY is lenient */
	} else {
		text_byte(rs, c);
	}
}

static void str_byte(struct reply_stream *rs, unsigned char c)
{
	if (rs->quote) { /* does the '"' end the string? */
		if (is_blank(c)) {
			if (rs->kind != S_REPLY)
				return;
			if (rs->qws_len < sizeof rs->qws) {
				rs->qws[rs->qws_len++] = (char)c;
				return;
			}
			end_string(rs); /* too far to look: take it as the end */
			return;
		}
		rs->quote = false;
		if (c == ',' || c == '}' || c == ']') {
			end_string(rs);
			json_byte(rs, c);
			return;
		}
		if (rs->kind == S_REPLY) { /* it was text, and so were the blanks */
			put_byte(rs, '"');
			for (size_t k = 0; k < rs->qws_len; k++)
				put_byte(rs, (unsigned char)rs->qws[k]);
		}
		rs->qws_len = 0;
		/* c goes on the string */
	}
	if (rs->kind == S_KEY || rs->kind == S_REPLY) {
		decode_byte(rs, c);
	} else if (rs->esc) {
		rs->esc = 0;
	} else if (c == '\\') {
		rs->esc = 1;
	} else if (c == '"') {
		if (rs->kind == S_VALUE)
			rs->quote = true;
		else
			end_string(rs);
	}
}

static void json_byte(struct reply_stream *rs, unsigned char c)
{
	if (rs->in_str) {
		str_byte(rs, c);
		return;
	}
	if (rs->depth == 0) { /* between objects */
		if (c == '{')
			open_object(rs);
		return;
	}
	switch (c) {
	case '"':
		start_string(rs);
		break;
	case '{':
	case '[':
		if (rs->depth == 1) {
			rs->expect = E_AFTER;
			rs->key_idx = -1;
		}
		rs->depth++;
		break;
	case '}':
	case ']':
		rs->depth--;
		break;
	case ',':
		if (rs->depth == 1) {
			rs->expect = E_KEY;
			rs->key_idx = -1;
		}
		break;
	case ':':
		if (rs->depth == 1 && rs->expect == E_COLON)
			rs->expect = E_VALUE;
		break;
	default:
		if (rs->depth == 1 && rs->expect == E_VALUE && !is_blank(c)) { /* a number, true, null… */
			rs->expect = E_AFTER;
			rs->key_idx = -1;
		}
		break;
	}
}

/* ---- plain text --------------------------------------------------------------------------------- */

/* The held '{' (and the blanks after it) turned out to be text. */
static void release_brace(struct reply_stream *rs)
{
	rs->brace = false;
	put_byte(rs, '{');
	for (size_t k = 0; k < rs->bws_len; k++) {
		put_byte(rs, (unsigned char)rs->bws[k]);
		if (rs->bws[k] == '\n')
			rs->line_start = true;
	}
	rs->bws_len = 0;
}

static void release_ticks(struct reply_stream *rs)
{
	for (; rs->ticks; rs->ticks--)
		put_byte(rs, '`');
}

static void plain_byte(struct reply_stream *rs, unsigned char c)
{
	if (rs->fence_line) {
		if (c == '\n') {
			rs->fence_line = false;
			rs->line_start = true;
		}
		return;
	}
	if (rs->brace) {
		if (c == '"') {
			json_start(rs);
			json_byte(rs, c);
			return;
		}
		if (is_blank(c) && rs->bws_len < sizeof rs->bws) {
			rs->bws[rs->bws_len++] = (char)c;
			return;
		}
		release_brace(rs);
	}
	if (rs->line_start) {
		if (c == '`') {
			if (++rs->ticks < 3)
				return;
			/* a fence line: dropped with the blanks that lead it */
			rs->ticks = 0;
			rs->fence_line = true;
			rs->line_start = false;
			if (rs->ws_len > rs->ws_mark)
				rs->ws_len = rs->ws_mark;
			return;
		}
		if (rs->ticks) { /* one or two backticks: text, and the line is no fence */
			release_ticks(rs);
			rs->line_start = false;
		} else if (!is_blank(c)) {
			rs->line_start = false;
		}
	}
	if (c == '{') {
		if (!rs->visible) { /* the first visible character */
			json_start(rs);
			return;
		}
		rs->brace = true;
		rs->bws_len = 0;
		return;
	}
	put_byte(rs, c);
	if (c == '\n')
		rs->line_start = true;
}

/* ---- public ------------------------------------------------------------------------------------- */

struct reply_stream *reply_stream_new(void)
{
	struct reply_stream *rs = calloc(1, sizeof *rs);

	if (!rs)
		return NULL;
	rs->phase = P_HOLD;
	rs->skip_ws = true;
	rs->line_start = true;
	rs->key_idx = -1;
	return rs;
}

int reply_stream_feed(struct reply_stream *rs, const char *buf, size_t len, reply_emit_fn emit, void *ud)
{
	if (!rs || (!buf && len))
		return -1;
	if (rs->stopped)
		return 1;
	if (rs->finished)
		return 0;
	rs->emit = emit;
	rs->ud = ud;
	for (size_t i = 0; i < len && rs->phase != P_DONE && !rs->stopped; i++) {
		if (rs->phase == P_JSON)
			json_byte(rs, (unsigned char)buf[i]);
		else
			plain_byte(rs, (unsigned char)buf[i]);
	}
	flush(rs);
	return rs->stopped ? 1 : 0;
}

int reply_stream_finish(struct reply_stream *rs, reply_emit_fn emit, void *ud)
{
	if (!rs)
		return REPLY_STREAM_EMPTY;
	if (!rs->finished) {
		rs->finished = true;
		rs->emit = emit;
		rs->ud = ud;
		if (rs->phase == P_HOLD || rs->phase == P_PLAIN) {
			if (rs->brace)
				release_brace(rs);
			if (!rs->fence_line)
				release_ticks(rs);
			u8_drop(rs);
			if (rs->phase == P_HOLD)
				commit_plain(rs);
		}
		rs->ws_len = rs->ws_mark = 0;
		flush(rs);
	}
	return rs->json_seen ? REPLY_STREAM_JSON : rs->visible ? REPLY_STREAM_PLAIN : REPLY_STREAM_EMPTY;
}

size_t reply_stream_emitted(const struct reply_stream *rs)
{
	return rs ? rs->emitted : 0;
}

void reply_stream_free(struct reply_stream *rs)
{
	free(rs);
}
