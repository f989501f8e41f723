/*
 * auth.h — API keys on management requests.
 *
 * The key comes from `Authorization: Bearer <key>` or `X-API-Key: <key>`; its keyed hash is looked up
 * in the store. Unknown, malformed and revoked keys all answer the same 401.
 */
#ifndef BOTWERK_HTTP_AUTH_H
#define BOTWERK_HTTP_AUTH_H

#include "base/err.h"
#include "store/store.h"

/* authorization/x_api_key: the header values (or NULL). On success writes the tenant id and returns 0;
 * otherwise fills err (401, or 500/503 when the store fails) and returns -1. */
int auth_api_key(struct store *st, const unsigned char master[32], const char *authorization,
		 const char *x_api_key, char tenant_id[STORE_ID_MAX], struct err *err);

#endif
