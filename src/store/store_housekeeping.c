/*
 * store_housekeeping.c — the public functions behind the housekeeping job and key rotation: retention
 * periods and their erasure, trial bot expiry, pruning finished jobs and webhook events, and the wrapped
 * tenant and server keys (store.h, "housekeeping"). Each checks its arguments, then calls the backend's ops
 * table, timed like every store call (store.c).
 */
#include "store/store_int.h"

#include <stdlib.h>

int store_tenant_retention_get(struct store *st, const char *tenant_id, int *days)
{
	TIMED(st, "tenant_retention_get", st->ops->tenant_retention_get(st, tenant_id, days));
}

int store_tenant_retention_set(struct store *st, const char *tenant_id, int days)
{
	TIMED(st, "tenant_retention_set", st->ops->tenant_retention_set(st, tenant_id, days < 0 ? 0 : days));
}

int store_retention_tenants(struct store *st, const char *after_id, int limit, struct store_retention_row *rows,
			    int *n)
{
	if (limit <= 0) {
		*n = 0;
		return STORE_OK;
	}
	TIMED(st, "retention_tenants", st->ops->retention_tenants(st, after_id ? after_id : "", limit, rows, n));
}

int store_retention_erase(struct store *st, const char *tenant_id, int64_t cutoff, int limit, int64_t now,
			  int *erased)
{
	if (limit <= 0) {
		*erased = 0;
		return STORE_OK;
	}
	TIMED(st, "retention_erase", st->ops->retention_erase(st, tenant_id, cutoff, limit, now, erased));
}

int store_bot_expire(struct store *st, int64_t now, int limit, struct store_bot_expired *rows, int *n)
{
	if (limit <= 0) {
		*n = 0;
		return STORE_OK;
	}
	TIMED(st, "bot_expire", st->ops->bot_expire(st, now, limit, rows, n));
}

void store_tenant_key_row_clear(struct store_tenant_key_row *r)
{
	free(r->wrapped);
	r->wrapped = NULL;
}

int store_tenant_key_list(struct store *st, const char *after_id, int limit, struct store_tenant_key_row *rows,
			  int *n)
{
	if (limit <= 0) {
		*n = 0;
		return STORE_OK;
	}
	TIMED(st, "tenant_key_list", st->ops->tenant_key_list(st, after_id ? after_id : "", limit, rows, n));
}

int store_tenant_key_swap(struct store *st, const char *tenant_id, const char *expected, const char *wrapped)
{
	TIMED(st, "tenant_key_swap", st->ops->tenant_key_swap(st, tenant_id, expected, wrapped));
}

int store_server_key_get(struct store *st, const char *name, char **wrapped)
{
	TIMED(st, "server_key_get", st->ops->server_key_get(st, name, wrapped));
}

int store_server_key_swap(struct store *st, const char *name, const char *expected, const char *wrapped,
			  int64_t now)
{
	TIMED(st, "server_key_swap", st->ops->server_key_swap(st, name, expected, wrapped, now));
}

int store_prune_finished(struct store *st, int64_t cutoff, int limit, int *events, int *jobs)
{
	*events = *jobs = 0;
	if (limit <= 0)
		return STORE_OK;
	TIMED(st, "prune_finished", st->ops->prune_finished(st, cutoff, limit, events, jobs));
}
