/* resp.c — queuing responses: JSON, the error envelope, bytes; headers every response carries. */
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/req.h"

const char *req_header(const struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_query(const struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int resp_header(struct req *r, const char *name, const char *value)
{
	if (r->nxhdr >= REQ_MAX_XHDR)
		return -1;
	char *v = strdup(value);
	if (!v)
		return -1;
	r->xhdr_name[r->nxhdr] = name;
	r->xhdr_value[r->nxhdr] = v;
	r->nxhdr++;
	return 0;
}

static bool has_header(const struct req *r, const char *name)
{
	for (int i = 0; i < r->nxhdr; i++)
		if (!strcasecmp(r->xhdr_name[i], name))
			return true;
	return false;
}

int resp_queue(struct req *r, int status, struct MHD_Response *resp, const char *content_type)
{
	if (!resp)
		return -1;
	if (r->gone) { /* a continuation after the client left: nothing to send to */
		MHD_destroy_response(resp);
		r->status = status;
		return 0;
	}
	if (content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(resp, "X-Request-Id", r->request_id);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (!has_header(r, MHD_HTTP_HEADER_CACHE_CONTROL))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (r->route && r->route->auth == AUTH_PUBLIC && !has_header(r, "Access-Control-Allow-Origin"))
		MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
	for (int i = 0; i < r->nxhdr; i++)
		MHD_add_response_header(resp, r->xhdr_name[i], r->xhdr_value[i]);
	enum MHD_Result ok = MHD_queue_response(r->conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	r->status = status;
	return ok == MHD_YES ? 0 : -1;
}

int resp_bytes(struct req *r, int status, const char *content_type, const char *data, size_t len)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)data,
								    MHD_RESPMEM_MUST_COPY);
	return resp_queue(r, status, resp, content_type);
}

int resp_static(struct req *r, int status, const char *content_type, const void *data, size_t len)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, (void *)(uintptr_t)data, MHD_RESPMEM_PERSISTENT);
	return resp_queue(r, status, resp, content_type);
}

int resp_empty(struct req *r, int status)
{
	return resp_queue(r, status, MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT), NULL);
}

int resp_json(struct req *r, int status, json_t *body)
{
	char *text = body ? json_dumps(body, RESP_JSON_FLAGS) : NULL;
	json_decref(body);
	if (!text) {
		static const char oom[] = "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";
		r->err_code = "internal";
		return resp_queue(r, 500,
			     MHD_create_response_from_buffer(sizeof oom - 1, (void *)(uintptr_t)oom,
							     MHD_RESPMEM_PERSISTENT),
			     "application/json");
	}
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!resp)
		free(text);
	return resp_queue(r, status, resp, "application/json");
}

int resp_error(struct req *r, const struct err *e)
{
	json_t *inner = json_pack("{s:s, s:s}", "code", err_code_name(e->code), "message", e->msg);
	if (inner && e->field[0])
		json_object_set_new(inner, "field", json_string(e->field));
	json_t *body = inner ? json_pack("{s:o}", "error", inner) : NULL;
	r->err_code = err_code_name(e->code);
	resp_json(r, err_http_status(e->code), body);
	return -1;
}

int resp_errorf(struct req *r, enum err_code code, const char *field, const char *fmt, ...)
{
	struct err e = {.code = code};
	va_list ap;
	snprintf(e.field, sizeof e.field, "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof e.msg, fmt, ap);
	va_end(ap);
	return resp_error(r, &e);
}
