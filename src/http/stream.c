/* stream.c — a chunked response fed from any thread; see stream.h. */
#include "http/stream.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct resp_stream {
	pthread_mutex_t mu;
	struct MHD_Connection *conn;
	char *buf;
	size_t len, cap, off;
	bool suspended; /* the connection waits for our next write */
	bool ended;     /* the producer is done */
	bool gone;      /* the response was destroyed: the connection is over */
	int refs;       /* the producer's and the response's */
	void (*on_gone)(void *ud);
	void *ud;
};

static void unref(struct resp_stream *s)
{
	pthread_mutex_lock(&s->mu);
	int left = --s->refs;
	pthread_mutex_unlock(&s->mu);
	if (left > 0)
		return;
	pthread_mutex_destroy(&s->mu);
	free(s->buf);
	free(s);
}

/* libmicrohttpd asks for the next bytes (an HTTP thread). */
static ssize_t reader(void *cls, uint64_t pos, char *out, size_t max)
{
	(void)pos;
	struct resp_stream *s = cls;
	pthread_mutex_lock(&s->mu);
	size_t avail = s->len - s->off;
	if (avail > 0) {
		size_t n = avail < max ? avail : max;
		memcpy(out, s->buf + s->off, n);
		s->off += n;
		if (s->off == s->len)
			s->off = s->len = 0;
		pthread_mutex_unlock(&s->mu);
		return (ssize_t)n;
	}
	if (s->ended) {
		pthread_mutex_unlock(&s->mu);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	/* nothing yet: wait without a thread until resp_stream_write resumes us */
	s->suspended = true;
	MHD_suspend_connection(s->conn);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

/* The response is destroyed: the connection is finished or broken (an HTTP thread). */
static void reader_free(void *cls)
{
	struct resp_stream *s = cls;
	pthread_mutex_lock(&s->mu);
	s->gone = true;
	s->suspended = false;
	/* under the lock: once resp_stream_end has returned, the producer's ud is never touched again */
	if (!s->ended && s->on_gone)
		s->on_gone(s->ud);
	pthread_mutex_unlock(&s->mu);
	unref(s);
}

struct resp_stream *resp_stream_start(struct req *r, int status, const char *content_type,
				      void (*on_gone)(void *ud), void *ud)
{
	struct resp_stream *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	pthread_mutex_init(&s->mu, NULL);
	s->conn = r->conn;
	s->refs = 2;
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, reader, s, reader_free);
	if (!resp) {
		pthread_mutex_destroy(&s->mu);
		free(s);
		return NULL;
	}
	/* From here the response owns a reference: reader_free drops it, also when queuing fails. */
	if (resp_queue(r, status, resp, content_type) != 0 || r->gone) {
		unref(s);
		return NULL;
	}
	/* set only now: a response destroyed while queuing is no visitor leaving */
	pthread_mutex_lock(&s->mu);
	s->on_gone = on_gone;
	s->ud = ud;
	pthread_mutex_unlock(&s->mu);
	return s;
}

int resp_stream_write(struct resp_stream *s, const char *data, size_t len)
{
	int rc = 0;
	pthread_mutex_lock(&s->mu);
	if (s->gone || s->ended) {
		rc = -1;
	} else if (len > RESP_STREAM_MAX_BUFFER - s->len) {
		rc = -1;
	} else {
		if (s->len + len > s->cap) {
			size_t cap = s->cap ? s->cap : 1024;
			while (cap < s->len + len)
				cap *= 2;
			char *b = realloc(s->buf, cap);
			if (!b)
				rc = -1;
			else
				s->buf = b, s->cap = cap;
		}
		if (rc == 0) {
			memcpy(s->buf + s->len, data, len);
			s->len += len;
			if (s->suspended) {
				s->suspended = false;
				MHD_resume_connection(s->conn);
			}
		}
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

int resp_stream_event(struct resp_stream *s, const char *event, const char *data)
{
	size_t n = strlen(event) + strlen(data) + 20;
	char stackbuf[1024];
	char *buf = n <= sizeof stackbuf ? stackbuf : malloc(n);
	if (!buf)
		return -1;
	int len = snprintf(buf, n, "event: %s\ndata: %s\n\n", event, data);
	int rc = resp_stream_write(s, buf, (size_t)len);
	if (buf != stackbuf)
		free(buf);
	return rc;
}

void resp_stream_end(struct resp_stream *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->ended = true;
	if (s->suspended && !s->gone) {
		s->suspended = false;
		MHD_resume_connection(s->conn);
	}
	pthread_mutex_unlock(&s->mu);
	unref(s);
}

bool resp_stream_gone(struct resp_stream *s)
{
	pthread_mutex_lock(&s->mu);
	bool g = s->gone;
	pthread_mutex_unlock(&s->mu);
	return g;
}
