/* crypto.c — ids, API keys and key hashing over libsodium. */
#include "base/crypto.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* base32 digits in ASCII order, so encoded time prefixes sort like the times they encode */
static const char b32[] = "234567abcdefghijklmnopqrstuvwxyz";

int crypto_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

/* Base32 of n bytes into out (NUL-terminated); returns characters written. */
static size_t base32(const unsigned char *in, size_t n, char *out)
{
	size_t o = 0;
	unsigned buf = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		buf = (buf << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = b32[(buf >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = b32[(buf << (5 - bits)) & 31];
	out[o] = '\0';
	return o;
}

void crypto_random_id(const char *prefix, char *out, size_t outlen)
{
	unsigned char rnd[CRYPTO_ID_BYTES];
	char enc[CRYPTO_ID_BYTES * 2];
	randombytes_buf(rnd, sizeof rnd);
	base32(rnd, sizeof rnd, enc);
	snprintf(out, outlen, "%s_%s", prefix, enc);
}

void crypto_time_id(const char *prefix, int64_t now_ms, char *out, size_t outlen)
{
	unsigned char t[6], rnd[CRYPTO_ID_BYTES];
	char tenc[16], renc[CRYPTO_ID_BYTES * 2];
	uint64_t ms = (uint64_t)now_ms;
	for (int i = 5; i >= 0; i--, ms >>= 8)
		t[i] = (unsigned char)(ms & 0xff);
	randombytes_buf(rnd, sizeof rnd);
	base32(t, sizeof t, tenc);
	base32(rnd, sizeof rnd, renc);
	snprintf(out, outlen, "%s_%s%s", prefix, tenc, renc);
}

bool crypto_id_valid(const char *prefix, const char *s)
{
	size_t pl = strlen(prefix);
	if (strncmp(s, prefix, pl) != 0 || s[pl] != '_')
		return false;
	s += pl + 1;
	size_t n = 0;
	for (; s[n]; n++)
		if (!memchr(b32, s[n], 32))
			return false;
	return n == 24 || n == 34;
}

void crypto_new_api_key(char *out, size_t outlen)
{
	unsigned char rnd[32];
	char enc[64];
	randombytes_buf(rnd, sizeof rnd);
	base32(rnd, sizeof rnd, enc);
	snprintf(out, outlen, "bwk_%s", enc);
	sodium_memzero(rnd, sizeof rnd);
}

void crypto_key_hash(const unsigned char master[CRYPTO_KEY_BYTES], const char *key, size_t keylen,
		     unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)key, keylen, master, CRYPTO_KEY_BYTES);
}

int crypto_hex_key(const char *hex, unsigned char out[CRYPTO_KEY_BYTES])
{
	size_t binlen = 0;
	if (strlen(hex) != CRYPTO_KEY_BYTES * 2)
		return -1;
	if (sodium_hex2bin(out, CRYPTO_KEY_BYTES, hex, CRYPTO_KEY_BYTES * 2, NULL, &binlen, NULL) != 0 ||
	    binlen != CRYPTO_KEY_BYTES)
		return -1;
	return 0;
}

void crypto_random_key(unsigned char out[CRYPTO_KEY_BYTES])
{
	randombytes_buf(out, CRYPTO_KEY_BYTES);
}

void crypto_hex(const unsigned char *in, size_t n, char *out)
{
	sodium_bin2hex(out, n * 2 + 1, in, n);
}

void crypto_random_hex(char *out, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	unsigned char rnd[64];
	if (n > sizeof rnd)
		n = sizeof rnd;
	randombytes_buf(rnd, n);
	for (size_t i = 0; i < n; i++)
		out[i] = hx[rnd[i] & 15];
	out[n] = '\0';
}
