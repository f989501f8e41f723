/*
 * keys.h — the key hierarchy in use: tenant keys (wrapped by the master key, stored on the tenant row,
 * created on first use) kept unwrapped in a small in-memory cache, contact keys (wrapped by their tenant
 * key, stored on the contact row), and sealing of a contact's fields with the associated data that binds
 * each ciphertext to its tenant, contact and field (src/privacy/seal.h holds the formats).
 *
 * Thread-safe; one keyring per process, in the application context.
 */
#ifndef BOTWERK_PRIVACY_KEYS_H
#define BOTWERK_PRIVACY_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "privacy/seal.h"
#include "store/store.h"

struct keyring;

/* master_id names the master key in wrapped tenant keys (1 until `keys rotate` exists). NULL when out
 * of memory. The master key is copied. */
struct keyring *keyring_new(const unsigned char master[SEAL_KEY_BYTES], uint32_t master_id);
void keyring_free(struct keyring *kr);

/* The tenant's key: cached, else unwrapped from the store, else created and stored (a race between
 * nodes keeps the first). STORE_OK or a store error (STORE_ERROR also when a stored key does not unwrap
 * under this master key: logged by the caller). */
int keyring_tenant_key(struct keyring *kr, struct store *st, const char *tenant_id,
		       unsigned char key[SEAL_KEY_BYTES]);

/* A fresh contact key and its form wrapped by the tenant key (*wrapped malloc'd). */
int keyring_new_contact(struct keyring *kr, struct store *st, const char *tenant_id, const char *contact_id,
			unsigned char key[SEAL_KEY_BYTES], char **wrapped);
/* Unwraps a contact key read from the store. */
int keyring_contact_key(struct keyring *kr, struct store *st, const char *tenant_id, const char *contact_id,
			const char *wrapped, unsigned char key[SEAL_KEY_BYTES]);
/* The tenant's blind-index key. */
int keyring_index_key(struct keyring *kr, struct store *st, const char *tenant_id,
		      unsigned char key[SEAL_KEY_BYTES]);

/* Seals / opens one field of a contact ("email", "msg:<message id>", …). 0 or -1; *out malloc'd.
 * privacy_open passes text that is not sealed (rows from before encryption at rest) through as a copy. */
int privacy_seal(const unsigned char contact_key[SEAL_KEY_BYTES], const char *tenant_id, const char *contact_id,
		 const char *field, const char *text, char **out);
int privacy_open(const unsigned char contact_key[SEAL_KEY_BYTES], const char *tenant_id, const char *contact_id,
		 const char *field, const char *stored, char **out);

#endif
