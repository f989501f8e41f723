/* api_tenant.c — the caller's own tenant: its name and its retention period for visitors' data. */
#include <stdlib.h>

#include "api/api.h"

#define RETENTION_MIN_DAYS 30
#define RETENTION_MAX_DAYS 3650

static const struct json_field tenant_fields[] = {
	{"retention_days", JF_INT, false, true, RETENTION_MIN_DAYS, RETENTION_MAX_DAYS, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

/* Answers with {"id","name","retention_days"} of the caller's tenant. */
static int reply_tenant(struct req *r)
{
	struct app *app = app_of(r);
	struct store_tenant t;
	int days = 0;
	int rc = store_tenant_get(app->store, r->tenant_id, &t);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_NOT_FOUND, "tenant");
	rc = store_tenant_retention_get(app->store, r->tenant_id, &days);
	if (rc != STORE_OK) {
		store_tenant_clear(&t);
		return api_store_error(r, rc, ERR_NOT_FOUND, "tenant");
	}
	json_t *body = json_pack("{s:s, s:s, s:o}", "id", t.id, "name", t.name ? t.name : "", "retention_days",
				 days > 0 ? json_integer(days) : json_null());
	store_tenant_clear(&t);
	if (!body)
		return resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
	return resp_json(r, 200, body);
}

static int tenant_show(struct req *r)
{
	return reply_tenant(r);
}

static int tenant_patch(struct req *r)
{
	json_t *v = json_object_get(r->json, "retention_days");
	if (v) {
		int days = json_is_integer(v) ? (int)json_integer_value(v) : 0; /* null: keep until erased */
		int rc = store_tenant_retention_set(app_of(r)->store, r->tenant_id, days);
		if (rc != STORE_OK)
			return api_store_error(r, rc, ERR_NOT_FOUND, "tenant");
	}
	return reply_tenant(r);
}

const struct route api_tenant_routes[] = {
	{"GET", "/api/v1/tenant", tenant_show, AUTH_KEY, 0, NULL, false},
	{"PATCH", "/api/v1/tenant", tenant_patch, AUTH_KEY, 0, tenant_fields, true},
};
const size_t api_tenant_routes_count = sizeof api_tenant_routes / sizeof api_tenant_routes[0];
