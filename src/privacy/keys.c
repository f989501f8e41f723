/* keys.c — tenant key cache, contact keys and field sealing over seal.c (see keys.h). */
#include "privacy/keys.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define CACHE_SLOTS 1024 /* tenants whose keys stay unwrapped; the cache is emptied when full */

struct cached_key {
	char tenant_id[STORE_ID_MAX];
	unsigned char key[SEAL_KEY_BYTES];
};

struct keyring {
	unsigned char master[SEAL_KEY_BYTES];
	uint32_t master_id;
	pthread_mutex_t lock;
	int n;
	struct cached_key cache[CACHE_SLOTS];
};

struct keyring *keyring_new(const unsigned char master[SEAL_KEY_BYTES], uint32_t master_id)
{
	struct keyring *kr = sodium_malloc(sizeof *kr); /* guarded pages, locked, wiped on free */
	if (!kr)
		return NULL;
	memset(kr, 0, sizeof *kr);
	memcpy(kr->master, master, SEAL_KEY_BYTES);
	kr->master_id = master_id;
	pthread_mutex_init(&kr->lock, NULL);
	return kr;
}

void keyring_free(struct keyring *kr)
{
	if (!kr)
		return;
	pthread_mutex_destroy(&kr->lock);
	sodium_memzero(kr, sizeof *kr);
	sodium_free(kr);
}

static int cache_get(struct keyring *kr, const char *tenant_id, unsigned char key[SEAL_KEY_BYTES])
{
	int found = -1;
	pthread_mutex_lock(&kr->lock);
	for (int i = 0; i < kr->n; i++)
		if (!strcmp(kr->cache[i].tenant_id, tenant_id)) {
			memcpy(key, kr->cache[i].key, SEAL_KEY_BYTES);
			found = 0;
			break;
		}
	pthread_mutex_unlock(&kr->lock);
	return found;
}

static void cache_put(struct keyring *kr, const char *tenant_id, const unsigned char key[SEAL_KEY_BYTES])
{
	pthread_mutex_lock(&kr->lock);
	if (kr->n == CACHE_SLOTS) {
		sodium_memzero(kr->cache, sizeof kr->cache);
		kr->n = 0;
	}
	struct cached_key *c = &kr->cache[kr->n++];
	snprintf(c->tenant_id, sizeof c->tenant_id, "%s", tenant_id);
	memcpy(c->key, key, SEAL_KEY_BYTES);
	pthread_mutex_unlock(&kr->lock);
}

int keyring_tenant_key(struct keyring *kr, struct store *st, const char *tenant_id, unsigned char key[SEAL_KEY_BYTES])
{
	char ad[80], *wrapped = NULL, *current = NULL;
	int rc;
	if (cache_get(kr, tenant_id, key) == 0)
		return STORE_OK;
	snprintf(ad, sizeof ad, "tenant-key:%s", tenant_id);
	rc = store_tenant_key_get(st, tenant_id, &wrapped);
	if (rc != STORE_OK)
		return rc;
	if (!wrapped) { /* first use: create, then keep whichever key won */
		unsigned char fresh[SEAL_KEY_BYTES];
		seal_new_key(fresh);
		int wrc = seal_wrap_key(kr->master, kr->master_id, ad, fresh, &wrapped);
		sodium_memzero(fresh, sizeof fresh);
		if (wrc != 0)
			return STORE_NOMEM;
		rc = store_tenant_key_init(st, tenant_id, wrapped, &current);
		free(wrapped);
		if (rc != STORE_OK)
			return rc;
		wrapped = current;
	}
	rc = seal_unwrap_key(kr->master, ad, wrapped, key) == 0 ? STORE_OK : STORE_ERROR;
	free(wrapped);
	if (rc == STORE_OK)
		cache_put(kr, tenant_id, key);
	return rc;
}

static void contact_ad(char *ad, size_t len, const char *tenant_id, const char *contact_id)
{
	snprintf(ad, len, "contact-key:%s|%s", tenant_id, contact_id);
}

int keyring_new_contact(struct keyring *kr, struct store *st, const char *tenant_id, const char *contact_id,
			unsigned char key[SEAL_KEY_BYTES], char **wrapped)
{
	unsigned char tkey[SEAL_KEY_BYTES];
	char ad[128];
	int rc = keyring_tenant_key(kr, st, tenant_id, tkey);
	if (rc != STORE_OK)
		return rc;
	seal_new_key(key);
	contact_ad(ad, sizeof ad, tenant_id, contact_id);
	rc = seal_wrap_key(tkey, SEAL_TENANT_KEK_ID, ad, key, wrapped) == 0 ? STORE_OK : STORE_NOMEM;
	sodium_memzero(tkey, sizeof tkey);
	if (rc != STORE_OK)
		sodium_memzero(key, SEAL_KEY_BYTES);
	return rc;
}

int keyring_contact_key(struct keyring *kr, struct store *st, const char *tenant_id, const char *contact_id,
			const char *wrapped, unsigned char key[SEAL_KEY_BYTES])
{
	unsigned char tkey[SEAL_KEY_BYTES];
	char ad[128];
	int rc = keyring_tenant_key(kr, st, tenant_id, tkey);
	if (rc != STORE_OK)
		return rc;
	contact_ad(ad, sizeof ad, tenant_id, contact_id);
	rc = seal_unwrap_key(tkey, ad, wrapped, key) == 0 ? STORE_OK : STORE_ERROR;
	sodium_memzero(tkey, sizeof tkey);
	return rc;
}

int keyring_index_key(struct keyring *kr, struct store *st, const char *tenant_id, unsigned char key[SEAL_KEY_BYTES])
{
	unsigned char tkey[SEAL_KEY_BYTES];
	int rc = keyring_tenant_key(kr, st, tenant_id, tkey);
	if (rc == STORE_OK)
		seal_index_key(tkey, key);
	sodium_memzero(tkey, sizeof tkey);
	return rc;
}

static void field_ad(char *ad, size_t len, const char *tenant_id, const char *contact_id, const char *field)
{
	snprintf(ad, len, "tenant:%s|contact:%s|field:%s", tenant_id, contact_id, field);
}

int privacy_seal(const unsigned char contact_key[SEAL_KEY_BYTES], const char *tenant_id, const char *contact_id,
		 const char *field, const char *text, char **out)
{
	char ad[256];
	field_ad(ad, sizeof ad, tenant_id, contact_id, field);
	return seal_encrypt(contact_key, ad, text, strlen(text), out);
}

int privacy_open(const unsigned char contact_key[SEAL_KEY_BYTES], const char *tenant_id, const char *contact_id,
		 const char *field, const char *stored, char **out)
{
	if (!seal_is_sealed(stored)) {
		*out = strdup(stored);
		return *out ? 0 : -1;
	}
	char ad[256];
	size_t len;
	field_ad(ad, sizeof ad, tenant_id, contact_id, field);
	return seal_decrypt(contact_key, ad, stored, out, &len);
}
