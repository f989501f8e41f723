/*
 * sse.c — incremental Server-Sent-Events parser (see sse.h for the rules it follows).
 *
 * Bytes are collected into the current line until a line end (CR, LF, or CRLF; a CR at the end of one
 * chunk makes an LF at the start of the next one part of the same line end). A complete line is then
 * interpreted as a field, a comment or the empty line that dispatches the event. Comment lines are
 * recognised by their first byte and skipped without being stored, so keep-alive pings of any length
 * cost no memory. The parser owns four growable buffers (line, data, event type, last id), each bounded.
 */
#include "net/sse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LINE_SLACK 64 /* room for the field name and colon on top of max_event_bytes */

static const unsigned char BOM[3] = {0xEF, 0xBB, 0xBF};

/* A bounded byte buffer; p[len] is always '\0' once p is allocated. */
struct sbuf {
	char *p;
	size_t len, cap;
};

struct sse_parser {
	size_t max_event;      /* cap on an event's joined data */
	size_t max_line;       /* cap on one stored line */
	int result;            /* sticky enum sse_result */
	unsigned bom_matched;  /* bytes of a leading BOM seen so far */
	bool bom_done;         /* the start of the stream has been checked for a BOM */
	bool skip_lf;          /* the last line ended with CR: an LF right after belongs to it */
	bool in_comment;       /* the current line is a comment; its bytes are dropped */
	bool have_data;        /* at least one data line in the event being collected */
	struct sbuf line;      /* the current line, without its end */
	struct sbuf data;      /* data lines of the current event, joined with '\n' */
	struct sbuf event;     /* event type of the current event, "" when unset */
	struct sbuf id;        /* last event id */
	struct sse_stats st;
};

/* ---- buffers ------------------------------------------------------------------------------------ */

/* Makes room for `need` bytes plus the NUL. The caller has checked `need` against its limit. */
static int sb_reserve(struct sbuf *b, size_t need)
{
	size_t cap;
	char *p;

	if (need + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 128;
	while (cap < need + 1)
		cap = cap > SIZE_MAX / 2 ? need + 1 : cap * 2;
	p = realloc(b->p, cap);
	if (!p)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

static int sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (sb_reserve(b, b->len + n) != 0)
		return -1;
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int sb_set(struct sbuf *b, const char *s, size_t n)
{
	b->len = 0;
	return sb_add(b, s, n);
}

static const char *sb_str(const struct sbuf *b, const char *dflt)
{
	return b->len ? b->p : dflt;
}

/* ---- lines and fields --------------------------------------------------------------------------- */

static bool field_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && memcmp(name, want, n) == 0;
}

/* Stores line bytes s[0..n) (no line end among them), or drops them for a comment line. */
static int add_text(struct sse_parser *p, const char *s, size_t n)
{
	if (n == 0 || p->in_comment)
		return SSE_OK;
	if (p->line.len == 0 && s[0] == ':') {
		p->in_comment = true;
		return SSE_OK;
	}
	if (n > p->max_line - p->line.len)
		return SSE_ETOOBIG;
	return sb_add(&p->line, s, n) == 0 ? SSE_OK : SSE_ENOMEM;
}

static int call(struct sse_parser *p, const struct sse_event *ev, sse_event_fn cb, void *ud)
{
	p->st.events++;
	if (cb && cb(ev, ud) != 0)
		return SSE_STOPPED;
	return SSE_OK;
}

/* The empty line: dispatches the collected event, if it has data, and starts a new one. */
static int dispatch(struct sse_parser *p, sse_event_fn cb, void *ud)
{
	struct sse_event ev;
	int rc;

	if (!p->have_data) {
		p->event.len = 0;
		return SSE_OK;
	}
	ev.event = p->event.len && p->event.p[0] ? p->event.p : "message"; /* read up to a NUL byte */
	ev.data = sb_str(&p->data, "");
	ev.data_len = p->data.len;
	ev.id = sb_str(&p->id, "");
	ev.error_field = false;
	rc = call(p, &ev, cb, ud);
	p->data.len = 0;
	p->have_data = false;
	p->event.len = 0;
	return rc;
}

static void set_retry(struct sse_parser *p, const char *v, size_t n)
{
	long long ms = 0;

	if (n == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return;
		ms = ms > (INT64_MAX - 9) / 10 ? INT64_MAX : ms * 10 + (v[i] - '0');
	}
	p->st.retry_ms = ms;
}

/* A complete non-empty, non-comment line in p->line. */
static int field_line(struct sse_parser *p, sse_event_fn cb, void *ud)
{
	char *line = p->line.p, *colon = memchr(line, ':', p->line.len);
	size_t nlen = colon ? (size_t)(colon - line) : p->line.len;
	char *v = colon ? colon + 1 : line + p->line.len;
	size_t vlen = (size_t)(line + p->line.len - v);

	if (vlen && *v == ' ') {
		v++;
		vlen--;
	}
	if (field_is(line, nlen, "data")) {
		size_t sep = p->have_data ? 1 : 0;

		if (vlen > p->max_event || p->data.len + sep > p->max_event - vlen)
			return SSE_ETOOBIG;
		if ((sep && sb_add(&p->data, "\n", 1) != 0) || sb_add(&p->data, v, vlen) != 0)
			return SSE_ENOMEM;
		p->have_data = true;
	} else if (field_is(line, nlen, "event")) {
		if (sb_set(&p->event, v, vlen) != 0)
			return SSE_ENOMEM;
	} else if (field_is(line, nlen, "id")) {
		if (!memchr(v, '\0', vlen) && sb_set(&p->id, v, vlen) != 0)
			return SSE_ENOMEM;
	} else if (field_is(line, nlen, "retry")) {
		set_retry(p, v, vlen);
	} else if (field_is(line, nlen, "error")) {
		struct sse_event ev;

		v[vlen] = '\0'; /* the value ends the line; the line buffer always has room for the NUL */
		ev.event = "error";
		ev.data = v;
		ev.data_len = vlen;
		ev.id = sb_str(&p->id, "");
		ev.error_field = true;
		p->st.error_fields++;
		return call(p, &ev, cb, ud);
	}
	return SSE_OK;
}

static int end_line(struct sse_parser *p, sse_event_fn cb, void *ud)
{
	int rc;

	if (p->in_comment) {
		p->in_comment = false;
		p->st.comments++;
		return SSE_OK;
	}
	if (p->line.len == 0)
		return dispatch(p, cb, ud);
	rc = field_line(p, cb, ud);
	p->line.len = 0;
	return rc;
}

/* ---- public ------------------------------------------------------------------------------------- */

struct sse_parser *sse_new(size_t max_event_bytes)
{
	struct sse_parser *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->max_event = max_event_bytes ? max_event_bytes : SSE_DEFAULT_MAX_EVENT_BYTES;
	if (p->max_event > SIZE_MAX / 2)
		p->max_event = SIZE_MAX / 2;
	p->max_line = p->max_event + LINE_SLACK;
	p->st.retry_ms = -1;
	return p;
}

int sse_feed(struct sse_parser *p, const char *buf, size_t len, sse_event_fn cb, void *ud)
{
	size_t i = 0;

	if (p->result != SSE_OK)
		return p->result;
	while (i < len && !p->bom_done) {
		if ((unsigned char)buf[i] == BOM[p->bom_matched]) {
			i++;
			if (++p->bom_matched == sizeof BOM)
				p->bom_done = true;
			continue;
		}
		p->bom_done = true; /* not a BOM after all: its first bytes were line text */
		p->result = add_text(p, (const char *)BOM, p->bom_matched);
		if (p->result != SSE_OK)
			return p->result;
	}
	while (i < len) {
		size_t j = i;

		if (p->skip_lf) {
			p->skip_lf = false;
			if (buf[i] == '\n') {
				i++;
				continue;
			}
		}
		while (j < len && buf[j] != '\n' && buf[j] != '\r')
			j++;
		p->result = add_text(p, buf + i, j - i);
		if (p->result == SSE_OK && j < len) {
			p->skip_lf = buf[j] == '\r';
			j++;
			p->result = end_line(p, cb, ud);
		}
		if (p->result != SSE_OK)
			return p->result;
		i = j;
	}
	return SSE_OK;
}

void sse_stats(const struct sse_parser *p, struct sse_stats *out)
{
	*out = p->st;
	out->pending = p->line.len > 0 || p->in_comment || p->have_data ||
		       (!p->bom_done && p->bom_matched > 0);
}

void sse_free(struct sse_parser *p)
{
	if (!p)
		return;
	free(p->line.p);
	free(p->data.p);
	free(p->event.p);
	free(p->id.p);
	free(p);
}
