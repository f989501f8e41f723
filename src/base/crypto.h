/*
 * crypto.h — randomness, ids and hashing (libsodium).
 *
 * Ids are a short prefix, "_", and base32 (the RFC 4648 characters in ASCII order, lower case, no padding) of random bytes:
 * CRYPTO_ID_BYTES = 15 bytes = 120 bits, 24 characters. API keys carry 256 random bits. crypto_init()
 * must run once before threads start.
 */
#ifndef BOTWERK_BASE_CRYPTO_H
#define BOTWERK_BASE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRYPTO_ID_BYTES 15
#define CRYPTO_KEY_BYTES 32

int crypto_init(void);
/* "bot_" + 24 base32 chars into out (out needs strlen(prefix) + 26 bytes). */
void crypto_random_id(const char *prefix, char *out, size_t outlen);
/* A time-ordered id: prefix + "_" + 10 base32 characters of the unix time in milliseconds (48 bits,
 * big-endian, so ids sort by creation) + the 24 random characters. Rows keyed by such ids are appended
 * to their indexes instead of scattered, which keeps write transactions small. */
void crypto_time_id(const char *prefix, int64_t now_ms, char *out, size_t outlen);
/* True when s is prefix + "_" + 24 base32 characters (random id) or 34 (time-ordered id). */
bool crypto_id_valid(const char *prefix, const char *s);
/* A new API key: "bwk_" + 52 base32 characters (256 bits). out needs ≥ 64 bytes. */
void crypto_new_api_key(char *out, size_t outlen);
/* Keyed BLAKE2b-256 of an API key under the master key: what the store keeps. */
void crypto_key_hash(const unsigned char master[CRYPTO_KEY_BYTES], const char *key, size_t keylen,
		     unsigned char out[32]);
/* 64 hex characters → 32 bytes; -1 when malformed. */
int crypto_hex_key(const char *hex, unsigned char out[CRYPTO_KEY_BYTES]);
void crypto_random_key(unsigned char out[CRYPTO_KEY_BYTES]);
void crypto_hex(const unsigned char *in, size_t n, char *out); /* out needs 2n+1 */
/* Fills out with n random lowercase hex characters + NUL (request ids). */
void crypto_random_hex(char *out, size_t n);

#endif
