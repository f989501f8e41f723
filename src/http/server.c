/*
 * server.c — libmicrohttpd lifecycle and the request pipeline.
 *
 * Pipeline per request, in this order, each step answering with the error envelope when it fails:
 *   route match (404 / 405 with Allow; CORS preflight for public paths) → NUL in a query argument (400) → API key (401) or public rate
 *   limit (429) → body cap (413) → content type (415) → JSON parse (400) → schema (422) → handler.
 *
 * The request state is allocated by the URI callback with the raw (not yet unescaped) path. The
 * access handler never queues a response on its first call for a request (the keep-alive pitfall of
 * libmicrohttpd 0.9.75: doing so turns every response into Connection: close); it completes the
 * request state, then reads the body, then dispatches on the final call. The completion callback writes
 * the access-log line, records metrics and frees the state; it also keeps the in-flight count that
 * http_drain() waits on.
 *
 * A handler may suspend its request (req_suspend) instead of answering: once the handler has returned
 * the connection leaves the thread's event loop until req_resume, after which libmicrohttpd calls the
 * access handler again and the continuation answers. The hand-over between the HTTP thread and the
 * thread that resumes is a small state machine (enum suspend_state) under one lock, which is only held
 * across MHD_suspend_connection, so that libmicrohttpd never sees a resume before its suspend, a resume
 * that comes before the handler has returned skips the suspension, and a request whose client leaves
 * between resume and continuation still runs its continuation (to free what it owns). http_stop waits
 * for every suspended request to be resumed, as libmicrohttpd must not be stopped with suspended
 * connections.
 */
#include <microhttpd.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/crypto.h"
#include "http/auth.h"
#include "http/req.h"
#include "http/server.h"

struct http_server {
	struct http_config cfg;
	struct MHD_Daemon *daemon;
	int port;
	_Atomic long inflight;
	_Atomic long suspended; /* between req_suspend and the continuation's start */
	pthread_mutex_t suspend_lock; /* guards req.suspend_state */
};

enum suspend_state {
	SUSPEND_NONE,     /* not suspended (or the continuation is running) */
	SUSPEND_PENDING,  /* req_suspend called, the handler has not returned yet */
	SUSPEND_EARLY,    /* req_resume came while still PENDING: continue without suspending */
	SUSPEND_WAITING,  /* the connection is suspended */
	SUSPEND_RESUMED,  /* resumed: the continuation runs on libmicrohttpd's next call */
	SUSPEND_ORPHANED, /* the connection closed while WAITING: req_resume finishes and frees */
};

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	const struct http_server *s = cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	log_msg(s->cfg.log, LOG_WARN, "http", "%s", msg);
}

/* Keeps a client-sent request id when it is short and made of safe characters, else makes one. */
static void set_request_id(struct req *r)
{
	const char *given = req_header(r, "X-Request-Id");
	if (given) {
		size_t n = strlen(given);
		bool safe = n > 0 && n <= 64;
		for (size_t i = 0; safe && i < n; i++) {
			char c = given[i];
			safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
			       c == '_' || c == '.';
		}
		if (safe) {
			memcpy(r->request_id, given, n + 1);
			return;
		}
	}
	crypto_random_hex(r->request_id, 16);
}

static void set_client_addr(struct req *r)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(r->client_addr, sizeof r->client_addr, "unknown");
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->client_addr,
			  sizeof r->client_addr);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, r->client_addr,
			  sizeof r->client_addr);
}

/* MHD_OPTION_URI_LOG_CALLBACK: called with the request target as the client sent it, before
 * libmicrohttpd unescapes it (which would turn %00 into a cut and %2F into a separator). The request
 * state is born here with the raw path; the router percent-decodes parameters itself. What this returns
 * becomes the request's context, and the completion callback frees it. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_server *s = cls;
	(void)conn;
	struct req *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	size_t n = strcspn(uri, "?#");
	r->raw_path = strndup(uri, n);
	if (!r->raw_path) {
		free(r);
		return NULL;
	}
	atomic_fetch_add(&s->inflight, 1);
	return r;
}

/* Completes the request state on the access handler's first call (method and headers are known). */
static void req_init(struct http_server *s, struct req *r, struct MHD_Connection *conn, const char *method)
{
	const char *url = r->raw_path;
	r->initialized = true;
	r->server = s;
	r->ctx = s->cfg.ctx;
	r->conn = conn;
	r->method = method;
	r->path = url;
	r->t_start = clock_mono();
	r->route_index = router_count(s->cfg.router);
	set_request_id(r);
	set_client_addr(r);

	enum router_result res = router_match(s->cfg.router, method, url, &r->match);
	if (res == ROUTER_FOUND) {
		r->route_index = r->match.index;
		r->route = router_at(s->cfg.router, r->match.index);
	}
	r->body_cap = r->route && r->route->body_cap ? r->route->body_cap : (size_t)s->cfg.max_body;
	const char *cl = req_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && strtoull(cl, NULL, 10) > r->body_cap)
		r->body_too_large = true;
}

static void req_free(struct req *r)
{
	for (int i = 0; i < r->nxhdr; i++)
		free(r->xhdr_value[i]);
	free(r->raw_path);
	json_decref(r->json);
	free(r->body);
	free(r);
}

static void append_body(struct req *r, const char *data, size_t n)
{
	if (r->body_too_large)
		return;
	if (r->body_len + n > r->body_cap) {
		r->body_too_large = true;
		free(r->body);
		r->body = NULL;
		r->body_len = r->body_alloc = 0;
		return;
	}
	if (r->body_len + n + 1 > r->body_alloc) {
		size_t want = r->body_alloc ? r->body_alloc * 2 : 1024;
		while (want < r->body_len + n + 1)
			want *= 2;
		if (want > r->body_cap + 1)
			want = r->body_cap + 1;
		char *b = realloc(r->body, want);
		if (!b) {
			/* treated like an oversize body: refused, nothing half-processed */
			r->body_too_large = true;
			return;
		}
		r->body = b;
		r->body_alloc = want;
	}
	memcpy(r->body + r->body_len, data, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
}

static bool is_json_type(const char *ct)
{
	if (!ct)
		return false;
	while (*ct == ' ')
		ct++;
	size_t n = strlen("application/json");
	return !strncasecmp(ct, "application/json", n) && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static int preflight(struct req *r)
{
	resp_header(r, "Access-Control-Allow-Origin", "*");
	resp_header(r, "Access-Control-Allow-Methods", "GET, POST, OPTIONS");
	resp_header(r, "Access-Control-Allow-Headers", "Content-Type, X-Request-Id");
	resp_header(r, "Access-Control-Max-Age", "600");
	return resp_empty(r, 204);
}

/* Counts query arguments whose decoded value (or name) contains a NUL byte. */
static enum MHD_Result count_nul_arg(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
				     const char *value, size_t value_size)
{
	(void)kind;
	if (strlen(key) != key_size || (value && strlen(value) != value_size))
		++*(int *)cls;
	return MHD_YES;
}

/* Runs the pipeline described at the top of the file. */
static int dispatch(struct http_server *s, struct req *r)
{
	struct err e = {0};

	if (!r->route) {
		if (r->match.allow[0]) {
			if (!strcmp(r->method, "OPTIONS") && r->match.any_public)
				return preflight(r);
			resp_header(r, "Allow", r->match.allow);
			return resp_errorf(r, ERR_METHOD_NOT_ALLOWED, NULL, "%s is not allowed here; allowed: %s",
					   r->method, r->match.allow);
		}
		return resp_errorf(r, ERR_NOT_FOUND, NULL, "no such endpoint: %s %s", r->method, r->path);
	}
	int nul_args = 0;
	MHD_get_connection_values_n(r->conn, MHD_GET_ARGUMENT_KIND, count_nul_arg, &nul_args);
	if (nul_args)
		return resp_errorf(r, ERR_INVALID_REQUEST, NULL, "query arguments must not contain NUL bytes");
	if (r->route->auth == AUTH_KEY) {
		if (auth_api_key(s->cfg.store, s->cfg.master_key, req_header(r, MHD_HTTP_HEADER_AUTHORIZATION),
				 req_header(r, "X-API-Key"), r->tenant_id, &e) != 0) {
			if (e.code == ERR_UNAUTHORIZED)
				resp_header(r, "WWW-Authenticate", "Bearer");
			return resp_error(r, &e);
		}
	} else if (r->route->auth == AUTH_PUBLIC && s->cfg.ratelimit) {
		int retry = 1;
		if (!ratelimit_take(s->cfg.ratelimit, r->client_addr, r->t_start, &retry)) {
			char v[16];
			snprintf(v, sizeof v, "%d", retry);
			resp_header(r, "Retry-After", v);
			return resp_errorf(r, ERR_RATE_LIMITED, NULL, "too many requests; try again in %d s", retry);
		}
	}
	if (r->body_too_large)
		return resp_errorf(r, ERR_BODY_TOO_LARGE, NULL, "the request body is larger than %zu bytes",
				   r->body_cap);
	const char *ctype = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	if ((r->route->flags & ROUTE_MULTIPART) && ctype && !strncasecmp(ctype, "multipart/form-data", 19)) {
		r->multipart = true; /* the handler reads the parts (api/multipart.h) */
	} else if (r->route->schema) {
		if (r->body_len == 0)
			return resp_errorf(r, ERR_INVALID_JSON, NULL, "a JSON object body is required");
		if (!is_json_type(req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE)))
			return resp_errorf(r, ERR_UNSUPPORTED_MEDIA_TYPE, NULL,
					   "send the body as Content-Type: application/json");
		json_error_t jerr;
		r->json = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
		if (!r->json)
			return resp_errorf(r, ERR_INVALID_JSON, NULL, "malformed JSON at line %d, column %d: %s",
					   jerr.line, jerr.column, jerr.text);
		if (json_validate(r->json, r->route->schema, (r->route->flags & ROUTE_PARTIAL) != 0, &e) != 0)
			return resp_error(r, &e);
	}
	return r->route->handler(r);
}

/* Runs a suspended request's continuation once; it may call req_suspend again. */
static void run_continuation(struct http_server *s, struct req *r)
{
	req_resume_fn fn = r->on_resume;
	r->on_resume = NULL;
	r->suspend_state = SUSPEND_NONE; /* no other thread looks at r from here on */
	atomic_fetch_sub(&s->suspended, 1);
	fn(r, r->resume_arg);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	(void)version;
	struct http_server *s = cls;
	struct req *r = *con_cls;

	(void)url; /* already unescaped by libmicrohttpd: the raw path from on_uri is used instead */
	if (!r)
		return MHD_NO; /* on_uri ran out of memory */
	if (!r->initialized) {
		req_init(s, r, conn, method);
		return MHD_YES;
	}
	if (*upload_data_size) {
		append_body(r, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->on_resume) /* resumed after req_suspend */
		run_continuation(s, r);
	else if (r->status)
		return MHD_YES;
	else
		dispatch(s, r);
	/* A handler or continuation that suspended: suspend now that it has returned, unless the work
	 * already finished, in which case the continuation runs at once (and may suspend again). */
	while (r->on_resume) {
		pthread_mutex_lock(&s->suspend_lock);
		if (r->suspend_state == SUSPEND_PENDING) {
			r->suspend_state = SUSPEND_WAITING;
			MHD_suspend_connection(conn);
			pthread_mutex_unlock(&s->suspend_lock);
			return MHD_YES;
		}
		pthread_mutex_unlock(&s->suspend_lock); /* SUSPEND_EARLY */
		run_continuation(s, r);
	}
	if (!r->status) {
		/* a handler that forgot to answer, or a queue failure: never leave the client hanging */
		log_msg(s->cfg.log, LOG_ERROR, "http", "no response queued for %s %s", r->method, r->path);
		return MHD_NO;
	}
	return MHD_YES;
}

void req_suspend(struct req *r, req_resume_fn fn, void *arg)
{
	struct http_server *s = r->server;
	r->on_resume = fn;
	r->resume_arg = arg;
	atomic_fetch_add(&s->suspended, 1);
	pthread_mutex_lock(&s->suspend_lock);
	r->suspend_state = SUSPEND_PENDING;
	pthread_mutex_unlock(&s->suspend_lock);
}

void req_resume(struct req *r)
{
	struct http_server *s = r->server;
	struct MHD_Connection *conn = r->conn;
	pthread_mutex_lock(&s->suspend_lock);
	int state = r->suspend_state;
	if (state == SUSPEND_PENDING)
		r->suspend_state = SUSPEND_EARLY;
	else if (state == SUSPEND_WAITING)
		r->suspend_state = SUSPEND_RESUMED;
	pthread_mutex_unlock(&s->suspend_lock);
	if (state == SUSPEND_WAITING) {
		MHD_resume_connection(conn); /* r may be gone once this returns */
	} else if (state == SUSPEND_ORPHANED) {
		/* the completion callback has logged and left r to us */
		run_continuation(s, r);
		req_free(r);
	}
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	struct http_server *s = cls;
	struct req *r = *con_cls;
	if (!r)
		return;
	*con_cls = NULL;
	pthread_mutex_lock(&s->suspend_lock);
	int state = r->suspend_state;
	if (state == SUSPEND_WAITING) /* libmicrohttpd says it does not close these; if it ever does */
		r->suspend_state = SUSPEND_ORPHANED;
	pthread_mutex_unlock(&s->suspend_lock);
	double dur = clock_mono() - r->t_start;
	int status = r->status ? r->status : 499; /* client went away before an answer */
	metrics_request(s->cfg.metrics, r->route_index, status, dur);
	if (s->cfg.access_log && log_enabled(s->cfg.log, LOG_INFO)) {
		json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:i, s:f, s:s}", "request_id", r->request_id, "method",
				      r->method, "path", r->path, "route", r->route ? r->route->pattern : "",
				      "status", status, "duration_ms", dur * 1000.0, "client", r->client_addr);
		if (f && r->err_code)
			json_object_set_new(f, "error", json_string(r->err_code));
		if (f && toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
			json_object_set_new(f, "terminated", json_integer((json_int_t)toe));
		log_fields(s->cfg.log, LOG_INFO, "http", "request", f);
	}
	atomic_fetch_sub(&s->inflight, 1);
	if (r->on_resume) { /* a continuation is still owed: it frees what the handler left to it */
		r->gone = true;
		r->conn = NULL;
		r->method = "";
		if (state == SUSPEND_WAITING)
			return; /* req_resume runs it and frees r */
		run_continuation(s, r);
	}
	req_free(r);
}

static int resolve(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len, char *errbuf,
		   size_t errlen)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
	struct addrinfo *res = NULL;
	char portstr[8];
	snprintf(portstr, sizeof portstr, "%d", port);
	int rc = getaddrinfo(*host ? host : NULL, portstr, &hints, &res);
	if (rc != 0 || !res) {
		snprintf(errbuf, errlen, "cannot resolve listen host \"%s\": %s", host, gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

struct http_server *http_start(const struct http_config *cfg, char *errbuf, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct http_server *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(errbuf, errlen, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	pthread_mutex_init(&s->suspend_lock, NULL);
	if (resolve(cfg->host, cfg->port, &ss, &sslen, errbuf, errlen) != 0)
		goto fail;
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->daemon = MHD_start_daemon(
		flags, (uint16_t)cfg->port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads > 0 ? cfg->threads : 1),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->conn_timeout_s, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)cfg->max_connections, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024U,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024, MHD_OPTION_END);
	if (!s->daemon) {
		snprintf(errbuf, errlen, "cannot listen on %s:%d (address in use, or no permission?)", cfg->host,
			 cfg->port);
		goto fail;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : cfg->port;
	return s;
fail:
	pthread_mutex_destroy(&s->suspend_lock);
	free(s);
	return NULL;
}

int http_port(const struct http_server *s)
{
	return s->port;
}

bool http_drain(struct http_server *s, double grace_s)
{
	MHD_socket fd = MHD_quiesce_daemon(s->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	double deadline = clock_mono() + grace_s;
	while (atomic_load(&s->inflight) > 0 && clock_mono() < deadline) {
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return atomic_load(&s->inflight) == 0;
}

void http_stop(struct http_server *s)
{
	if (!s)
		return;
	/* Suspended requests wait for work that always finishes (a database commit): let them. */
	for (int waited_ms = 0; atomic_load(&s->suspended) > 0; waited_ms += 5) {
		if (waited_ms % 5000 == 1000)
			log_msg(s->cfg.log, LOG_WARN, "http", "waiting for %ld suspended requests before stopping",
				atomic_load(&s->suspended));
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(s->daemon);
	pthread_mutex_destroy(&s->suspend_lock);
	free(s);
}
