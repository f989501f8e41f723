/*
 * req.h — one HTTP request as handlers see it, and the ways to answer it.
 *
 * The server fills a `struct req` before the handler runs: matched route and path parameters, the
 * authenticated tenant (AUTH_KEY routes), the size-checked body and, for routes with a schema, the
 * parsed and validated JSON. A handler answers exactly once with one of the resp_* functions.
 * Everything in a req lives until the response has been sent; the server frees it.
 */
#ifndef BOTWERK_HTTP_REQ_H
#define BOTWERK_HTTP_REQ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "http/router.h"
#include "store/store.h"

struct MHD_Connection;
struct MHD_Response;
struct req;

#define REQ_MAX_XHDR 8

/* Continues a suspended request on an HTTP thread; answers with resp_* (or suspends again). */
typedef int (*req_resume_fn)(struct req *r, void *arg);

struct req {
	void *ctx; /* the application context given to http_start */
	struct MHD_Connection *conn;
	const char *method;
	const char *path;          /* the raw path, as sent (percent-escapes intact) */
	char *raw_path;            /* owned storage of path */
	bool initialized;          /* set on the access handler's first call */
	const struct route *route; /* NULL when no route matched */
	size_t route_index;
	struct router_match match; /* params: match.params[0..match.nparams) */
	char *body;                /* NUL-terminated, body_len bytes */
	size_t body_len, body_alloc, body_cap;
	bool body_too_large;
	json_t *json;              /* validated body for routes with a schema, else NULL */
	bool multipart;            /* a ROUTE_MULTIPART route got multipart/form-data: json is NULL */
	char tenant_id[STORE_ID_MAX]; /* AUTH_KEY routes */
	char request_id[72];
	char client_addr[48];
	double t_start;            /* monotonic seconds */
	int status;                /* 0 until a response is queued */
	const char *err_code;      /* error code string of an error response, for the access log */
	struct http_server *server;
	req_resume_fn on_resume;   /* set from req_suspend until the continuation runs */
	void *resume_arg;
	int suspend_state;         /* server.c's enum suspend_state, under the server's suspend lock */
	bool gone;                 /* the client is gone: resp_* only record the status */
	int nxhdr;                 /* extra response headers added with resp_header */
	const char *xhdr_name[REQ_MAX_XHDR];
	char *xhdr_value[REQ_MAX_XHDR]; /* owned */
};

static inline const char *req_param(const struct req *r, int i) { return r->match.params[i]; }
/* A request header (case-insensitive name) or NULL. */
const char *req_header(const struct req *r, const char *name);
/* A query-string argument or NULL. */
const char *req_query(const struct req *r, const char *name);

/* How every JSON body and event is written: compact, keys in insertion order, and reals with 15
 * significant digits, so that a score of 0.67 reads 0.67 and not 0.67000000000000004. */
#define RESP_JSON_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

/* Answers with `body` as JSON (the reference is stolen). Returns 0, or -1 when the response could not
 * be queued (the connection is then closed). */
int resp_json(struct req *r, int status, json_t *body);
/* Answers with the error envelope {"error":{"code","message","field"?}} and the code's status; -1. */
int resp_error(struct req *r, const struct err *e);
int resp_errorf(struct req *r, enum err_code code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Answers with raw bytes (copied). */
int resp_bytes(struct req *r, int status, const char *content_type, const char *data, size_t len);
int resp_empty(struct req *r, int status);
/* Like resp_bytes for data that lives as long as the process (embedded assets): not copied. */
int resp_static(struct req *r, int status, const char *content_type, const void *data, size_t len);
/* Queues a libmicrohttpd response with the common headers (request id, nosniff, no-store, CORS on public
 * routes, resp_header's); takes ownership of resp. 0 or -1. For responses the helpers above do not make
 * (http/stream.h). */
int resp_queue(struct req *r, int status, struct MHD_Response *resp, const char *content_type);
/* Adds a header to the response about to be queued (call before resp_*): at most REQ_MAX_XHDR per
 * request; `name` must be a string constant. A header set here replaces the default of the same name
 * (Cache-Control: no-store; Access-Control-Allow-Origin: * on public routes). -1 when out of room. */
int resp_header(struct req *r, const char *name, const char *value);

/* Waiting without holding an HTTP thread. A handler whose answer depends on slow work (the database
 * writer's next commit; later a model) calls req_suspend and returns 0 without answering; whoever
 * finishes the work calls req_resume(r), from any thread, exactly once — also before the handler has
 * returned. The server then calls fn(r, arg) on an HTTP thread, which answers as a handler would (or
 * suspends again). Meanwhile the thread serves other connections. fn is called exactly once even when
 * the client has gone away: then r->gone is set, resp_* only record the status and fn must not read
 * headers or query arguments; it still frees what arg owns. The work must finish: a suspended request
 * delays shutdown until resumed. */
void req_suspend(struct req *r, req_resume_fn fn, void *arg);
void req_resume(struct req *r);

#endif
