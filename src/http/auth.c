/* auth.c — API key extraction and lookup. */
#include "http/auth.h"

#include <string.h>
#include <strings.h>

#include "base/crypto.h"

#define API_KEY_MAX 128

int auth_api_key(struct store *st, const unsigned char master[32], const char *authorization,
		 const char *x_api_key, char tenant_id[STORE_ID_MAX], struct err *err)
{
	const char *key = NULL;
	unsigned char hash[32];

	if (authorization && !strncasecmp(authorization, "Bearer ", 7)) {
		key = authorization + 7;
		while (*key == ' ')
			key++;
	} else if (x_api_key) {
		key = x_api_key;
	}
	if (!key || !*key)
		return err_set(err, ERR_UNAUTHORIZED, NULL,
			       "an API key is required: send Authorization: Bearer <key> or X-API-Key: <key>");
	size_t len = strnlen(key, API_KEY_MAX + 1);
	if (len > API_KEY_MAX || strncmp(key, "bwk_", 4) != 0)
		return err_set(err, ERR_UNAUTHORIZED, NULL, "the API key is not valid");
	crypto_key_hash(master, key, len, hash);
	int rc = store_apikey_lookup(st, hash, tenant_id);
	if (rc == STORE_OK)
		return 0;
	if (rc == STORE_NOTFOUND)
		return err_set(err, ERR_UNAUTHORIZED, NULL, "the API key is not valid or has been revoked");
	return err_set(err, ERR_UNAVAILABLE, NULL, "the key could not be checked: the database is unavailable");
}
