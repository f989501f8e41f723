/*
 * stream.h — a response written piece by piece from any thread: Server-Sent Events to a visitor while
 * a model produces the answer.
 *
 * resp_stream_start queues a 200 with an unknown length (chunked) on the request and returns the
 * writer's handle. Whoever produces the data calls resp_stream_write (any thread, never blocks: bytes
 * are buffered up to RESP_STREAM_MAX_BUFFER) and finally resp_stream_end. In between the connection
 * waits suspended, holding no HTTP thread: libmicrohttpd asks for data, finds none, the connection is
 * suspended, and the next write resumes it.
 *
 * A visitor who leaves is noticed when the next bytes cannot be sent (a suspended connection is not
 * watched); then on_gone runs once (on an HTTP thread, under the stream's lock: it must not call
 * resp_stream_* itself) and later writes return -1. The handle stays
 * valid until resp_stream_end, whatever the connection does.
 */
#ifndef BOTWERK_HTTP_STREAM_H
#define BOTWERK_HTTP_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "http/req.h"

#define RESP_STREAM_MAX_BUFFER (1024u * 1024)

struct resp_stream;

/* Queues the streamed response (headers from resp_header apply). on_gone(ud) may be NULL. NULL when it
 * could not be queued (out of memory): the caller answers otherwise. */
struct resp_stream *resp_stream_start(struct req *r, int status, const char *content_type,
				      void (*on_gone)(void *ud), void *ud);

/* Appends bytes; 0, or -1 when the client is gone or the buffer is full. */
int resp_stream_write(struct resp_stream *s, const char *data, size_t len);
/* One SSE event: "event: <name>\ndata: <data>\n\n" (data must hold no line break: JSON is fine). */
int resp_stream_event(struct resp_stream *s, const char *event, const char *data);

/* No more data: the response ends once the buffer is sent. The handle is released. */
void resp_stream_end(struct resp_stream *s);

bool resp_stream_gone(struct resp_stream *s);

#endif
