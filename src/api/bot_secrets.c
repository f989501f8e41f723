/* bot_secrets.c — sealing and opening the secrets in bot configs; see bot_secrets.h. */
#include "api/bot_secrets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/bot_json.h"
#include "api/secret_paths.h"
#include "privacy/keys.h"
#include "privacy/seal.h"

static void secret_ad(char *ad, size_t len, const char *tenant_id, const char *bot_id, int i)
{
	snprintf(ad, len, "bot-secret:%s|%s|%s", tenant_id, bot_id, bot_secret_paths[i]);
}

int bot_secrets_seal(struct app *app, const char *tenant_id, const char *bot_id, json_t *config)
{
	unsigned char key[SEAL_KEY_BYTES];
	bool have_key = false;
	int rc = STORE_OK;
	for (int i = 0; bot_secret_paths[i] && rc == STORE_OK; i++) {
		const char *leaf;
		json_t *sec = secret_parent(config, bot_secret_paths[i], &leaf);
		json_t *v = sec ? json_object_get(sec, leaf) : NULL;
		if (!v)
			continue;
		char sealed_name[80];
		snprintf(sealed_name, sizeof sealed_name, "%s_sealed", leaf);
		if (!json_is_string(v) || json_string_value(v)[0] == '\0') { /* null or "": remove */
			json_object_del(sec, sealed_name);
			json_object_del(sec, leaf);
			continue;
		}
		if (!have_key) {
			rc = keyring_tenant_key(app->keyring, app->store, tenant_id, key);
			if (rc != STORE_OK)
				break;
			have_key = true;
		}
		char ad[256], *out = NULL;
		secret_ad(ad, sizeof ad, tenant_id, bot_id, i);
		const char *plain = json_string_value(v);
		if (seal_encrypt(key, ad, plain, strlen(plain), &out) != 0 ||
		    json_object_set_new(sec, sealed_name, json_string(out)) != 0) {
			rc = STORE_NOMEM;
		} else {
			json_object_del(sec, leaf);
		}
		free(out);
	}
	sodium_memzero(key, sizeof key);
	return rc;
}

/* Opens secret i of the config into out (""); 0, or -1 when it is there but does not open. */
static int open_secret(struct app *app, const struct store_bot *b, const json_t *config, int i, char *out,
		       size_t outlen)
{
	out[0] = '\0';
	char sealed_name[80];
	const char *leaf;
	json_t *parent = secret_parent((json_t *)(uintptr_t)config, bot_secret_paths[i], &leaf);
	snprintf(sealed_name, sizeof sealed_name, "%s_sealed", leaf);
	const char *sealed = parent ? json_str(parent, sealed_name, NULL) : NULL;
	if (!sealed)
		return 0;
	unsigned char key[SEAL_KEY_BYTES];
	if (keyring_tenant_key(app->keyring, app->store, b->tenant_id, key) != STORE_OK)
		return -1;
	char ad[256], *plain = NULL;
	size_t len = 0;
	secret_ad(ad, sizeof ad, b->tenant_id, b->id, i);
	int rc = seal_decrypt(key, ad, sealed, &plain, &len);
	sodium_memzero(key, sizeof key);
	if (rc != 0 || len >= outlen || memchr(plain, '\0', len)) {
		if (plain)
			sodium_memzero(plain, len);
		free(plain);
		return -1;
	}
	memcpy(out, plain, len + 1);
	sodium_memzero(plain, len);
	free(plain);
	return 0;
}

int api_bot_llm(struct app *app, const struct store_bot *b, const json_t *config, struct llm_config *out)
{
	char key[LLM_KEY_MAX], ekey[LLM_KEY_MAX];
	if (open_secret(app, b, config, 0, key, sizeof key) != 0 || open_secret(app, b, config, 1, ekey, sizeof ekey) != 0) {
		memset(out, 0, sizeof *out);
		return -1;
	}
	llm_config_resolve(config, &app->settings, key[0] ? key : NULL, ekey[0] ? ekey : NULL, out);
	sodium_memzero(key, sizeof key);
	sodium_memzero(ekey, sizeof ekey);
	return 0;
}

int api_embedder_resolve(void *ud, const struct store_bot *b, struct llm_config *out)
{
	struct app *app = ud;
	json_t *config = bot_config_parse(b);
	int rc = config ? api_bot_llm(app, b, config, out) : -1;
	json_decref(config);
	return rc;
}

int api_bot_secret(struct app *app, const struct store_bot *b, const json_t *config, const char *path, char *out,
		   size_t outlen)
{
	for (int i = 0; bot_secret_paths[i]; i++)
		if (!strcmp(bot_secret_paths[i], path))
			return open_secret(app, b, config, i, out, outlen);
	out[0] = '\0';
	return -1;
}
