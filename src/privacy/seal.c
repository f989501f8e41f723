/*
 * seal.c — sealed personal data, wrapped keys and blind indexes over libsodium.
 *
 * The formats, the associated-data prefixes and the key hierarchy are described in seal.h. Everything
 * here is a pure function of its arguments (plus randomness for nonces and keys): no state, no logging.
 * Stored text is untrusted: lengths are checked against the caps before any allocation, base64 must be
 * canonical, and nothing is returned unless the AEAD tag verifies. Every copy of key material made here
 * (unwrapped keys, hash states) is wiped with sodium_memzero() before the function returns.
 */
#include "privacy/seal.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define OVERHEAD (NONCE_BYTES + TAG_BYTES)
#define B64_VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING

#define DATA_PREFIX "v1."               /* sealed data text */
#define DATA_AD_PREFIX "seal:v1|"       /* before the caller's ad, for sealed data */
#define WRAP_VERSION ".v1."             /* after "k<id>" in wrapped-key text */
#define WRAPPED_BIN (NONCE_BYTES + SEAL_KEY_BYTES + TAG_BYTES) /* 72 bytes */
#define WRAPPED_B64 B64_LEN(WRAPPED_BIN)                       /* 96 characters */
#define KEK_ID_DIGITS 10                /* UINT32_MAX has 10 decimal digits */
#define AD_BUF (SEAL_AD_MAX + 32)       /* the caller's ad plus our longest prefix ("wrap:k4294967295.v1|") */

#define INDEX_CONTEXT "blindidx"        /* crypto_kdf context of the blind-index key */
#define INDEX_SUBKEY 1

#define EMAIL_MAX 254                   /* RFC 5321 path limit, less the angle brackets */
#define EMAIL_LOCAL_MAX 64
#define EMAIL_LABEL_MAX 63
#define PHONE_DIGITS_MIN 7
#define PHONE_DIGITS_MAX 15             /* E.164 */

/* base64 without padding: characters for n bytes */
#define B64_LEN(n) (((n) * 4 + 2) / 3)

_Static_assert(SEAL_KEY_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "AEAD key size");
_Static_assert(SEAL_KEY_BYTES == crypto_kdf_KEYBYTES, "KDF key size");
_Static_assert(sizeof INDEX_CONTEXT - 1 == crypto_kdf_CONTEXTBYTES, "KDF context size");
_Static_assert(NONCE_BYTES == 24 && TAG_BYTES == 16, "XChaCha20-Poly1305 sizes");
_Static_assert(SEAL_SEALED_MAX == sizeof DATA_PREFIX - 1 + B64_LEN(OVERHEAD + SEAL_PLAIN_MAX), "sealed cap");
_Static_assert(SEAL_PHONE_MAX == 1 + PHONE_DIGITS_MAX + 1, "phone buffer");
_Static_assert(SEAL_EMAIL_MAX == EMAIL_MAX + 1, "email buffer");

/* ---- helpers ----------------------------------------------------------------------------------- */

static bool is_b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static bool all_b64(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_b64_char((unsigned char)s[i]))
			return false;
	return true;
}

/* Bytes that `chars` base64 characters (no padding) decode to; -1 for an impossible length. */
static int b64_decoded_len(size_t chars, size_t *n)
{
	if (chars % 4 == 1)
		return -1;
	*n = chars / 4 * 3 + (chars % 4 ? chars % 4 - 1 : 0);
	return 0;
}

/* Decodes exactly `chars` characters at `s` into `bin` (room for `cap` bytes); -1 unless the whole input
 * is canonical base64url without padding and decodes to exactly `want` bytes. */
static int b64_decode(const char *s, size_t chars, unsigned char *bin, size_t cap, size_t want)
{
	size_t got = 0;
	if (cap < want || sodium_base642bin(bin, cap, s, chars, NULL, &got, NULL, B64_VARIANT) != 0)
		return -1;
	return got == want ? 0 : -1;
}

/* The AEAD associated data: `prefix` then the caller's `ad` (required: 1..SEAL_AD_MAX bytes). */
static int full_ad(char buf[AD_BUF], const char *prefix, const char *ad, size_t *len)
{
	if (!ad)
		return -1;
	size_t n = strnlen(ad, SEAL_AD_MAX + 1), p = strlen(prefix);
	if (n == 0 || n > SEAL_AD_MAX || p + n >= AD_BUF)
		return -1;
	memcpy(buf, prefix, p);
	memcpy(buf + p, ad, n);
	buf[p + n] = '\0';
	*len = p + n;
	return 0;
}

/*
 * Encrypts `len` bytes under `key` with associated data `ad` (adlen bytes) and a fresh nonce, and returns
 * malloc'd text: `prefix` + base64url(nonce || ciphertext || tag). NULL when out of memory.
 */
static char *seal_text(const unsigned char key[SEAL_KEY_BYTES], const char *prefix, const char *ad, size_t adlen,
		       const unsigned char *plain, size_t len)
{
	static const unsigned char nothing[1] = {0};
	size_t binlen = OVERHEAD + len, plen = strlen(prefix), chars = B64_LEN(binlen);
	unsigned char *bin = malloc(binlen);
	char *text = NULL;

	if (!bin)
		goto out;
	text = malloc(plen + chars + 1);
	if (!text)
		goto out;
	randombytes_buf(bin, NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(bin + NONCE_BYTES, NULL, plain ? plain : nothing, len,
						   (const unsigned char *)ad, adlen, NULL, bin, key);
	memcpy(text, prefix, plen);
	sodium_bin2base64(text + plen, chars + 1, bin, binlen, B64_VARIANT);
out:
	free(bin); /* nonce and ciphertext only: nothing secret */
	return text;
}

/*
 * Parses wrapped-key text: "k" <id> ".v1." and 96 base64url characters. Sets *id and *b64 (the base64
 * part); -1 when the shape is wrong.
 */
static int parse_wrapped(const char *s, uint32_t *id, const char **b64)
{
	uint64_t v = 0;
	size_t i = 1;

	if (!s || s[0] != 'k' || s[1] < '1' || s[1] > '9')
		return -1;
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i > KEK_ID_DIGITS)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX || strncmp(s + i, WRAP_VERSION, sizeof WRAP_VERSION - 1) != 0)
		return -1;
	s += i + sizeof WRAP_VERSION - 1;
	if (strnlen(s, WRAPPED_B64 + 1) != WRAPPED_B64 || !all_b64(s, WRAPPED_B64))
		return -1;
	*id = (uint32_t)v;
	*b64 = s;
	return 0;
}

/* ---- keys -------------------------------------------------------------------------------------- */

void seal_new_key(unsigned char key[SEAL_KEY_BYTES])
{
	randombytes_buf(key, SEAL_KEY_BYTES);
}

int seal_wrap_key(const unsigned char kek[SEAL_KEY_BYTES], uint32_t kek_id, const char *ad,
		  const unsigned char key[SEAL_KEY_BYTES], char **out)
{
	char adbuf[AD_BUF], prefix[32], adprefix[32];
	size_t adlen;

	if (!out)
		return -1;
	*out = NULL;
	if (!kek || !key || kek_id == 0)
		return -1;
	snprintf(prefix, sizeof prefix, "k%" PRIu32 WRAP_VERSION, kek_id);
	snprintf(adprefix, sizeof adprefix, "wrap:k%" PRIu32 ".v1|", kek_id);
	if (full_ad(adbuf, adprefix, ad, &adlen) != 0)
		return -1;
	*out = seal_text(kek, prefix, adbuf, adlen, key, SEAL_KEY_BYTES);
	return *out ? 0 : -1;
}

int seal_unwrap_key(const unsigned char kek[SEAL_KEY_BYTES], const char *ad, const char *wrapped,
		    unsigned char key[SEAL_KEY_BYTES])
{
	char adbuf[AD_BUF], adprefix[32];
	unsigned char bin[WRAPPED_BIN], tmp[SEAL_KEY_BYTES];
	unsigned long long n = 0;
	const char *b64;
	uint32_t id;
	size_t adlen;
	int rc = -1;

	if (!key)
		return -1;
	if (!kek || parse_wrapped(wrapped, &id, &b64) != 0)
		goto out;
	snprintf(adprefix, sizeof adprefix, "wrap:k%" PRIu32 ".v1|", id);
	if (full_ad(adbuf, adprefix, ad, &adlen) != 0 ||
	    b64_decode(b64, WRAPPED_B64, bin, sizeof bin, WRAPPED_BIN) != 0)
		goto out;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(tmp, &n, NULL, bin + NONCE_BYTES, WRAPPED_BIN - NONCE_BYTES,
						       (const unsigned char *)adbuf, adlen, bin, kek) != 0 ||
	    n != SEAL_KEY_BYTES)
		goto out;
	memcpy(key, tmp, SEAL_KEY_BYTES); /* through tmp: `key` may be the caller's `kek` buffer */
	rc = 0;
out:
	if (rc != 0)
		sodium_memzero(key, SEAL_KEY_BYTES);
	sodium_memzero(tmp, sizeof tmp);
	return rc;
}

int seal_rewrap_key(const unsigned char old_kek[SEAL_KEY_BYTES], const unsigned char new_kek[SEAL_KEY_BYTES],
		    uint32_t new_kek_id, const char *ad, const char *wrapped, char **out)
{
	unsigned char key[SEAL_KEY_BYTES];
	int rc = -1;

	if (!out)
		return -1;
	*out = NULL;
	if (!new_kek || seal_unwrap_key(old_kek, ad, wrapped, key) != 0)
		goto out;
	rc = seal_wrap_key(new_kek, new_kek_id, ad, key, out);
out:
	sodium_memzero(key, sizeof key);
	return rc;
}

int seal_wrapped_key_id(const char *wrapped, uint32_t *id)
{
	const char *b64;
	uint32_t v;

	if (!id || parse_wrapped(wrapped, &v, &b64) != 0)
		return -1;
	*id = v;
	return 0;
}

/* ---- data -------------------------------------------------------------------------------------- */

int seal_encrypt(const unsigned char key[SEAL_KEY_BYTES], const char *ad, const void *plain, size_t len,
		 char **out)
{
	char adbuf[AD_BUF];
	size_t adlen;

	if (!out)
		return -1;
	*out = NULL;
	if (!key || (!plain && len > 0) || len > SEAL_PLAIN_MAX || full_ad(adbuf, DATA_AD_PREFIX, ad, &adlen) != 0)
		return -1;
	*out = seal_text(key, DATA_PREFIX, adbuf, adlen, plain, len);
	return *out ? 0 : -1;
}

int seal_decrypt(const unsigned char key[SEAL_KEY_BYTES], const char *ad, const char *sealed, char **plain,
		 size_t *len)
{
	const size_t pl = sizeof DATA_PREFIX - 1;
	char adbuf[AD_BUF];
	unsigned char *bin = NULL, *m = NULL;
	unsigned long long mlen = 0;
	size_t adlen, n, binlen;
	int rc = -1;

	if (!plain || !len)
		return -1;
	*plain = NULL;
	*len = 0;
	if (!key || !sealed || full_ad(adbuf, DATA_AD_PREFIX, ad, &adlen) != 0)
		goto out;
	n = strnlen(sealed, SEAL_SEALED_MAX + 1);
	if (n > SEAL_SEALED_MAX || n < pl || memcmp(sealed, DATA_PREFIX, pl) != 0 ||
	    b64_decoded_len(n - pl, &binlen) != 0 || binlen < OVERHEAD)
		goto out;
	bin = malloc(binlen);
	m = malloc(binlen - OVERHEAD + 1);
	if (!bin || !m || b64_decode(sealed + pl, n - pl, bin, binlen, binlen) != 0)
		goto out;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(m, &mlen, NULL, bin + NONCE_BYTES, binlen - NONCE_BYTES,
						       (const unsigned char *)adbuf, adlen, bin, key) != 0)
		goto out;
	m[mlen] = '\0';
	*plain = (char *)m;
	*len = (size_t)mlen;
	m = NULL;
	rc = 0;
out:
	free(m); /* on failure libsodium has written nothing (or zeros) into it */
	free(bin);
	return rc;
}

bool seal_is_sealed(const char *s)
{
	const size_t pl = sizeof DATA_PREFIX - 1;
	size_t n, binlen;

	if (!s)
		return false;
	n = strnlen(s, SEAL_SEALED_MAX + 1);
	return n <= SEAL_SEALED_MAX && n >= pl && memcmp(s, DATA_PREFIX, pl) == 0 &&
	       b64_decoded_len(n - pl, &binlen) == 0 && binlen >= OVERHEAD && all_b64(s + pl, n - pl);
}

/* ---- blind index ------------------------------------------------------------------------------- */

void seal_index_key(const unsigned char tenant_key[SEAL_KEY_BYTES], unsigned char index_key[SEAL_KEY_BYTES])
{
	/* fails only for sizes that the static assertions above rule out */
	(void)crypto_kdf_derive_from_key(index_key, SEAL_KEY_BYTES, INDEX_SUBKEY, INDEX_CONTEXT, tenant_key);
}

void seal_blind_index(const unsigned char index_key[SEAL_KEY_BYTES], const char *kind, const char *normalized,
		      char out[SEAL_INDEX_HEX])
{
	static const unsigned char sep[1] = {0};
	crypto_generichash_state st;
	unsigned char h[32];

	crypto_generichash_init(&st, index_key, SEAL_KEY_BYTES, sizeof h);
	crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind));
	crypto_generichash_update(&st, sep, sizeof sep);
	crypto_generichash_update(&st, (const unsigned char *)normalized, strlen(normalized));
	crypto_generichash_final(&st, h, sizeof h);
	sodium_bin2hex(out, SEAL_INDEX_HEX, h, sizeof h);
	sodium_memzero(&st, sizeof st); /* the state holds key-derived chaining values */
	sodium_memzero(h, sizeof h);
}

/* ---- normalisation ----------------------------------------------------------------------------- */

static bool is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Trims ASCII white space off both ends of s; sets *len to what remains. */
static const char *trim(const char *s, size_t *len)
{
	const char *e = s + strlen(s);
	while (s < e && is_space((unsigned char)*s))
		s++;
	while (e > s && is_space((unsigned char)e[-1]))
		e--;
	*len = (size_t)(e - s);
	return s;
}

/* True when s[0..n) is well-formed UTF-8 (no overlong forms, surrogates, or code points past U+10FFFF). */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		size_t k;
		uint32_t cp, min;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			k = 1, cp = c & 0x1F, min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			k = 2, cp = c & 0x0F, min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += k + 1;
	}
	return true;
}

/* A plausible local part: no controls, spaces or RFC 5322 specials (so "Name <a@b>" is refused). */
static bool email_local_ok(const unsigned char *s, size_t n)
{
	if (n < 1 || n > EMAIL_LOCAL_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] == 0x7F || strchr("()<>[]:;@\\,\"", s[i]))
			return false;
	return true;
}

/* Dot-separated labels of letters, digits, '-' (not first or last) and non-ASCII bytes; at least two. */
static bool email_domain_ok(const unsigned char *s, size_t n)
{
	size_t labels = 0, i = 0;
	while (i <= n) {
		size_t start = i;
		while (i < n && s[i] != '.') {
			if (!is_alnum(s[i]) && s[i] != '-' && s[i] < 0x80)
				return false;
			i++;
		}
		size_t len = i - start;
		if (len < 1 || len > EMAIL_LABEL_MAX || s[start] == '-' || s[i - 1] == '-')
			return false;
		labels++;
		i++; /* past the dot, or past the end */
	}
	return labels >= 2;
}

int seal_normalize_email(const char *in, char *out, size_t outlen)
{
	const unsigned char *s, *at;
	size_t n;

	if (!out || outlen == 0)
		return -1;
	out[0] = '\0';
	if (!in)
		return -1;
	s = (const unsigned char *)trim(in, &n);
	if (n > EMAIL_MAX || n + 1 > outlen || !utf8_valid(s, n))
		return -1;
	at = memchr(s, '@', n);
	if (!at || !email_local_ok(s, (size_t)(at - s)) || !email_domain_ok(at + 1, n - (size_t)(at - s) - 1))
		return -1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + ('a' - 'A') : s[i]);
	out[n] = '\0';
	return 0;
}

int seal_normalize_phone(const char *in, char *out, size_t outlen)
{
	char buf[SEAL_PHONE_MAX];
	const char *p, *e;
	size_t n, digits = 0;

	if (!out || outlen == 0)
		return -1;
	out[0] = '\0';
	if (!in)
		return -1;
	p = trim(in, &n);
	e = p + n;
	if (n >= 1 && p[0] == '+')
		p += 1;
	else if (n >= 2 && p[0] == '0' && p[1] == '0')
		p += 2;
	else
		return -1;
	buf[0] = '+';
	for (; p < e; p++) {
		unsigned char c = (unsigned char)*p;
		if (is_digit(c)) {
			if (digits == PHONE_DIGITS_MAX)
				return -1;
			buf[1 + digits++] = (char)c;
		} else if (c == '(' && digits > 0 && e - p >= 3 && p[1] == '0' && p[2] == ')') {
			p += 2; /* national trunk prefix "(0)" after the country code */
		} else if (!(c == ' ' || c == '\t' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')')) {
			return -1;
		}
	}
	if (digits < PHONE_DIGITS_MIN || buf[1] == '0' || digits + 2 > outlen)
		return -1;
	buf[1 + digits] = '\0';
	memcpy(out, buf, digits + 2);
	return 0;
}
