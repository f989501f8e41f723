/*
 * sse.h — incremental parser for a Server-Sent-Events stream (text/event-stream), as an LLM server's
 * streamed chat completion arrives: fed byte chunks split anywhere (inside a CRLF, inside a UTF-8
 * sequence), it calls back once per dispatched event.
 *
 * Follows the HTML "event stream interpretation" rules: lines end with CRLF, LF or CR; a UTF-8 BOM at
 * the very start is skipped; a line starting with ':' is a comment (counted, otherwise ignored); a field
 * line is "name:value" with one optional space after the colon removed ("data:x" = "data: x"), a line
 * without a colon is a field with an empty value; "data" lines are joined with "\n"; "event" sets the
 * type of the next event (reset after each dispatch; "message" when unset); "id" sets the last event id
 * (kept across events; ignored when the value holds a NUL byte); "retry" (ASCII digits only) sets the
 * reconnection time; other fields are ignored. An empty line dispatches the event when at least one
 * "data" line was seen (an empty "data:" gives an event with empty data). An unfinished event at the end
 * of the stream is never dispatched (sse_stats tells whether bytes are pending).
 * Bytes are passed through as they are; no UTF-8 decoding or validation is done here.
 *
 * One non-standard rule (llama.cpp builds of 2025 sent errors this way): a complete "error:" field line
 * is dispatched at once, on its own, as an event with `error_field` set, event "error" and the field
 * value as data. It neither waits for an empty line nor touches the event being collected.
 *
 * Limits: a line (comments excepted: they are skipped, not stored) may hold at most max_event_bytes + 64
 * bytes, and the joined data of one event at most max_event_bytes. Going past either puts the parser in
 * a sticky error state (SSE_ETOOBIG); memory never grows past the limits.
 */
#ifndef BOTWERK_NET_SSE_H
#define BOTWERK_NET_SSE_H

#include <stdbool.h>
#include <stddef.h>

#define SSE_DEFAULT_MAX_EVENT_BYTES (1024 * 1024)

/* sse_feed results. Every result but SSE_OK is sticky: later feeds return it again without reading. */
enum sse_result {
	SSE_OK = 0,       /* all input consumed */
	SSE_STOPPED = 1,  /* the callback returned non-zero; the rest of the input was not read */
	SSE_ENOMEM = -1,  /* out of memory */
	SSE_ETOOBIG = -2, /* a line or an event's data went past the limit */
};

/* One dispatched event. All pointers are owned by the parser and valid only during the callback. */
struct sse_event {
	const char *event; /* event type (up to a NUL byte in it), "message" when the stream set none or an
			    * empty one; "error" for an error field */
	const char *data;  /* joined data lines, NUL-terminated (data may itself hold NUL bytes) */
	size_t data_len;   /* bytes in data, without the terminating NUL */
	const char *id;    /* last event id seen so far in the stream, "" when none */
	bool error_field;  /* true for the non-standard "error:" field line */
};

/* Returns 0 to go on, non-zero to stop the parser (sse_feed then returns SSE_STOPPED). */
typedef int (*sse_event_fn)(const struct sse_event *ev, void *ud);

struct sse_stats {
	size_t events;      /* events dispatched (error fields included) */
	size_t comments;    /* comment lines (":" …), e.g. llama-server's keep-alive pings */
	size_t error_fields;/* "error:" field lines */
	long long retry_ms; /* last valid "retry" value, -1 when none */
	bool pending;       /* bytes of an unfinished line or event are held (stream cut mid-event) */
};

struct sse_parser;

/* A new parser; max_event_bytes 0 means SSE_DEFAULT_MAX_EVENT_BYTES. NULL when memory runs out.
 * The caller frees it with sse_free. */
struct sse_parser *sse_new(size_t max_event_bytes);

/* Reads buf[0..len) and calls `cb` for each event completed by it, in stream order. Returns an
 * enum sse_result (see above). `cb` may be NULL (events are then only counted). */
int sse_feed(struct sse_parser *p, const char *buf, size_t len, sse_event_fn cb, void *ud);

void sse_stats(const struct sse_parser *p, struct sse_stats *out);

/* Frees the parser; NULL is allowed. */
void sse_free(struct sse_parser *p);

#endif
