/*
 * httpc.h — outgoing HTTP for the whole process: one libcurl multi handle driven by one thread.
 *
 * Whatever talks to another server (an LLM, its embeddings endpoint, later the messaging providers and
 * the crawler) submits a request here and is called back on the client's thread as the answer arrives;
 * no HTTP or worker thread ever waits on the network. Callbacks must be short (parse, copy, wake
 * someone): they hold up every other transfer while they run.
 *
 * Per request:
 *   - the body is copied at submit; headers are "Name: value" strings, copied too;
 *   - time limits: connect_timeout_ms, timeout_ms (the whole transfer), first_progress_ms (until on_data
 *     first returns HTTPC_PROGRESS — the caller decides what counts, e.g. an LLM's first token) and
 *     idle_ms (the longest gap between two progress reports after that); 0 means none;
 *   - max_body: bytes read past it end the transfer with HTTPC_ETOOBIG (0: 8 MiB);
 *   - start_delay_ms holds the request back before it starts (retries with backoff);
 *   - no redirects are followed unless max_redirects > 0;
 *   - on_done is called exactly once for every request httpc_submit accepted, also when it is
 *     cancelled, times out or the client is freed; it is the last callback for that request.
 *
 * httpc_cancel(id) is safe from any thread at any time, also for an id already finished (then a no-op).
 */
#ifndef BOTWERK_NET_HTTPC_H
#define BOTWERK_NET_HTTPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTPC_MAX_HEADERS 16
#define HTTPC_DEFAULT_MAX_BODY (8u * 1024 * 1024)

enum httpc_err {
	HTTPC_OK = 0,          /* a response arrived (any status) and was read to its end */
	HTTPC_ECONNECT = 1,    /* DNS, connect, TLS: no response at all */
	HTTPC_ETIMEOUT = 2,    /* one of the time limits passed */
	HTTPC_ETOOBIG = 3,     /* the body went past max_body */
	HTTPC_ECANCELLED = 4,  /* httpc_cancel, or the client is shutting down */
	HTTPC_EABORTED = 5,    /* a callback asked to stop */
	HTTPC_ERECV = 6,       /* the connection broke while reading the response */
	HTTPC_EOTHER = 7,
	HTTPC_EBLOCKED = 8,    /* block_private: the address is loopback, private, link-local, … */
};

/* on_data's answers */
enum { HTTPC_CONTINUE = 0, HTTPC_PROGRESS = 1, HTTPC_STOP = 2 };

struct httpc_result {
	enum httpc_err err;
	long status;             /* HTTP status, 0 when none arrived */
	long retry_after_ms;     /* from a Retry-After header in seconds, -1 when none */
	double first_byte_s;     /* seconds from start to the first body byte, -1 when none */
	double total_s;
	char message[256];       /* what went wrong, "" on HTTPC_OK */
	char effective_url[2048]; /* the URL last fetched (after redirects) */
	char content_type[128];   /* of the final response, "" when none */
	int redirects;            /* redirects followed */
	char redirect_url[2048];  /* with max_redirects 0: where a 3xx answer points (absolute), else "" */
};

struct httpc_req {
	const char *method; /* "GET", "POST"; NULL: GET, or POST when a body is given */
	const char *url;
	const char *headers[HTTPC_MAX_HEADERS];
	int nheaders;
	const char *body;
	size_t body_len;
	long connect_timeout_ms, timeout_ms, first_progress_ms, idle_ms, start_delay_ms;
	size_t max_body;
	int max_redirects;
	/* Refuse to connect to loopback, private (RFC 1918, ULA), link-local (incl. cloud metadata
	 * 169.254.169.254), CGNAT, unspecified, multicast and broadcast addresses — checked on the address
	 * actually connected to, after DNS and again for every redirect (SSRF protection). */
	bool block_private;
	const char *user_agent; /* NULL: "botwerk" */
	/* Called once the status line and headers are in (for the final response after redirects);
	 * content_type may be NULL. Non-zero stops the transfer (HTTPC_EABORTED). May be NULL. */
	int (*on_headers)(void *ud, long status, const char *content_type);
	/* Body bytes as they arrive: HTTPC_CONTINUE, HTTPC_PROGRESS or HTTPC_STOP. May be NULL. */
	int (*on_data)(void *ud, const char *buf, size_t len);
	void (*on_done)(void *ud, const struct httpc_result *res);
	void *ud;
};

struct httpc;

/* Starts the client's thread. NULL when libcurl or memory fail (err filled). */
struct httpc *httpc_new(char *err, size_t errlen);
/* Cancels what is running (each on_done gets HTTPC_ECANCELLED), stops the thread, frees. NULL is allowed. */
void httpc_free(struct httpc *c);

/* Queues a request. Returns its id (> 0), or 0 when it was refused (no URL, out of memory, shutting
 * down) — on_done is then never called. */
uint64_t httpc_submit(struct httpc *c, const struct httpc_req *req);
void httpc_cancel(struct httpc *c, uint64_t id);

/* A GET waited for on the calling thread (worker threads only, never an HTTP thread): the body (at most
 * max_body bytes; malloc'd, NUL-terminated) of a 2xx answer. 0, or -1 with err ("HTTP 404", "the address
 * is private…", "response body larger than …"). */
int httpc_get_wait(struct httpc *c, const char *url, size_t max_body, long timeout_ms, bool block_private,
		   char **body, size_t *len, char *content_type, size_t ctlen, char *err, size_t errlen);

/* The same for a POST of body[0..len) (Content-Type: application/json) with one extra header line (or NULL).
 * With `status` (may be NULL): the HTTP status (0 when no answer came), and on a non-2xx answer -1 with its
 * body in *resp / *resp_len (the caller frees; NULL when it had none). */
int httpc_post_wait(struct httpc *c, const char *url, const char *header, const char *body, size_t len,
		    size_t max_body, long timeout_ms, char **resp, size_t *resp_len, char *content_type, size_t ctlen,
		    long *status, char *err, size_t errlen);

/* The same with a form body (application/x-www-form-urlencoded). */
int httpc_post_form_wait(struct httpc *c, const char *url, const char *header, const char *body, size_t len,
			 size_t max_body, long timeout_ms, char **resp, size_t *resp_len, long *status, char *err,
			 size_t errlen);

/* Transfers waiting or running now. */
int httpc_active(struct httpc *c);

#endif
