/*
 * seal.h — encryption of personal data at rest, its key hierarchy, and blind indexes (libsodium).
 *
 * Key hierarchy. The master key (32 bytes, from configuration) wraps one key per tenant; a tenant key
 * wraps one key per contact; a contact key encrypts that contact's fields (names, emails, phones, message
 * text, profile JSON). The store keeps only the wrapped keys and the sealed fields, all as ASCII text.
 * Erasing a contact deletes its wrapped key: its sealed fields, in the database and in every old backup,
 * can then no longer be read, not even with the master and tenant keys. Rotating the master key re-wraps
 * the tenant keys only (seal_rewrap_key); contact keys and data are not touched.
 *
 * Cipher. XChaCha20-Poly1305 (IETF), a fresh random 24-byte nonce per encryption. Every call takes an
 * associated-data string `ad` naming the ciphertext's place, so a value copied into another row or field
 * does not decrypt. Recommended:
 *     data:          "tenant:<tenant_id>|contact:<contact_id>|field:<name>"
 *     tenant key:    "tenant-key:<tenant_id>"
 *     contact key:   "contact-key:<tenant_id>|<contact_id>"
 * `ad` is required: non-empty, at most SEAL_AD_MAX bytes. The module adds its own domain prefix before
 * it (below), so sealed data is never accepted as a wrapped key or the other way round, whatever `ad`.
 *
 * Storage formats (base64url = RFC 4648 §5 alphabet A-Z a-z 0-9 - _, no padding, canonical):
 *     sealed data:   "v1." base64url(nonce[24] || ciphertext[n] || tag[16])
 *                    AEAD associated data: "seal:v1|" ad
 *     wrapped key:   "k" <kek_id> ".v1." base64url(nonce[24] || ciphertext[32] || tag[16])   (96 chars)
 *                    AEAD associated data: "wrap:k" <kek_id> ".v1|" ad
 * <kek_id> is the decimal number (1..4294967295, no leading zeros) of the key-encrypting key: the master
 * key's number for tenant keys; SEAL_TENANT_KEK_ID for contact keys (tenant keys are not rotated). The id
 * is authenticated, so editing it makes the key unreadable. During a master rotation old and new wrapped
 * tenant keys coexist; seal_wrapped_key_id() tells which master key a stored one needs, so `botwerk keys
 * rotate` can re-wrap tenant by tenant, skip the ones already done, and resume after an interruption.
 * Sealed text reveals the plaintext's length (n bytes), not its content.
 *
 * Blind index. seal_index_key() derives a per-tenant index key from the tenant key
 * (crypto_kdf_derive_from_key, subkey 1, context "blindidx"); seal_blind_index() is the lower-case hex of
 * keyed BLAKE2b-256(key = index key, message = kind || 0x00 || normalized value). Equal values of the same
 * kind in the same tenant give equal indexes; nothing else is linkable. Normalise with
 * seal_normalize_email() / seal_normalize_phone() first.
 *
 * Keys are `unsigned char[SEAL_KEY_BYTES]` owned by the caller, who should sodium_memzero() them after
 * use; the module zeroes every copy it makes and never logs. Plaintext is capped at SEAL_PLAIN_MAX and
 * sealed text at SEAL_SEALED_MAX, checked before anything is allocated. Every function is thread-safe
 * (no state); sodium_init() (crypto_init()) must have run first. Functions returning int give 0 on
 * success and -1 on any failure (bad argument, size, format, tamper, wrong key or ad, out of memory),
 * without saying which: an attacker learns nothing from the difference.
 */
#ifndef BOTWERK_PRIVACY_SEAL_H
#define BOTWERK_PRIVACY_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SEAL_KEY_BYTES 32
#define SEAL_AD_MAX 512                  /* bytes of an associated-data string */
#define SEAL_PLAIN_MAX (1024 * 1024)     /* bytes of plaintext */
/* characters of sealed text for SEAL_PLAIN_MAX bytes: "v1." + base64url of 24 + 1 MiB + 16 bytes */
#define SEAL_SEALED_MAX (3 + ((24 + SEAL_PLAIN_MAX + 16) * 4 + 2) / 3)
#define SEAL_TENANT_KEK_ID 1u            /* kek_id for contact keys wrapped under a tenant key */
#define SEAL_INDEX_HEX 65                /* a blind index: 64 hex characters + NUL */
#define SEAL_EMAIL_MAX 255               /* buffer for a normalised email: 254 bytes + NUL */
#define SEAL_PHONE_MAX 17                /* buffer for a normalised phone: '+', 15 digits, NUL */
#define SEAL_KIND_EMAIL "email"          /* blind-index kinds */
#define SEAL_KIND_PHONE "phone"

/* A new random key (tenant or contact key). */
void seal_new_key(unsigned char key[SEAL_KEY_BYTES]);

/* Wraps `key` under `kek` (whose number is `kek_id`, ≥ 1) bound to `ad`. *out: malloc'd wrapped-key text,
 * the caller frees it; NULL on failure. */
int seal_wrap_key(const unsigned char kek[SEAL_KEY_BYTES], uint32_t kek_id, const char *ad,
		  const unsigned char key[SEAL_KEY_BYTES], char **out);

/* Unwraps text from seal_wrap_key() with the same `kek` and `ad` into `key`. On failure `key` is zeroed. */
int seal_unwrap_key(const unsigned char kek[SEAL_KEY_BYTES], const char *ad, const char *wrapped,
		    unsigned char key[SEAL_KEY_BYTES]);

/* Master key rotation: unwraps `wrapped` with `old_kek` and wraps the same key under `new_kek`, numbered
 * `new_kek_id`, with the same `ad`. The key never leaves the module. *out as for seal_wrap_key(). */
int seal_rewrap_key(const unsigned char old_kek[SEAL_KEY_BYTES], const unsigned char new_kek[SEAL_KEY_BYTES],
		    uint32_t new_kek_id, const char *ad, const char *wrapped, char **out);

/* The kek_id of a wrapped key into *id, or -1 when `wrapped` does not have the wrapped-key shape
 * (which this checks; it says nothing about authenticity). */
int seal_wrapped_key_id(const char *wrapped, uint32_t *id);

/* Encrypts `len` bytes at `plain` (NULL allowed when len is 0) under `key`, bound to `ad`.
 * *out: malloc'd sealed text, the caller frees it; NULL on failure (also when len > SEAL_PLAIN_MAX). */
int seal_encrypt(const unsigned char key[SEAL_KEY_BYTES], const char *ad, const void *plain, size_t len,
		 char **out);

/* Decrypts sealed text. *plain: malloc'd, len bytes plus a NUL after them (the data may itself hold
 * NULs), the caller frees it; on failure *plain is NULL and *len 0, nothing of the data is returned. */
int seal_decrypt(const unsigned char key[SEAL_KEY_BYTES], const char *ad, const char *sealed, char **plain,
		 size_t *len);

/* True when `s` has the shape of sealed data (prefix, alphabet, length); not a proof of authenticity.
 * Lets a migration tell sealed columns from legacy plaintext. */
bool seal_is_sealed(const char *s);

/* The tenant's blind-index key, derived from its (unwrapped) tenant key. Neither function below can fail;
 * their arguments must not be NULL. */
void seal_index_key(const unsigned char tenant_key[SEAL_KEY_BYTES], unsigned char index_key[SEAL_KEY_BYTES]);

/* Blind index of a normalised value of `kind` (e.g. SEAL_KIND_EMAIL): 64 lower-case hex characters. */
void seal_blind_index(const unsigned char index_key[SEAL_KEY_BYTES], const char *kind, const char *normalized,
		      char out[SEAL_INDEX_HEX]);

/* An email address for indexing: surrounding white space trimmed, ASCII letters lower-cased, other bytes
 * (UTF-8 local parts and domains) kept. -1 unless it looks like an address: valid UTF-8, no spaces or
 * control characters, one '@', local part 1..64 bytes, domain of dot-separated labels (letters, digits,
 * '-', non-ASCII) with at least one dot, at most 254 bytes in all; or when it does not fit `outlen`
 * (SEAL_EMAIL_MAX always does). On failure `out` is "". */
int seal_normalize_email(const char *in, char *out, size_t outlen);

/* A phone number for indexing, in E.164: '+' and 7..15 digits, the first not 0. Accepts a leading "+" or
 * "00", and spaces, tabs, '-', '.', '/', '(' and ')' between digits, which are dropped, as is a national
 * trunk "(0)" ("+49 (0)170 1234567" → "+491701234567"). Numbers without the international prefix, letters
 * and extensions are refused: the caller converts national numbers. On failure `out` is "". */
int seal_normalize_phone(const char *in, char *out, size_t outlen);

#endif
