/*
 * signature.c — Meta and Twilio webhook signatures (see signature.h).
 *
 * HMAC-SHA256 and the constant-time compares come from libsodium; libsodium has no SHA-1, so Twilio's
 * HMAC-SHA1 comes from OpenSSL's libcrypto (HMAC() with EVP_sha1()).
 */
#include "channels/signature.h"

#include <limits.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "channels/inbound.h"

#define SHA1_BYTES 20
#define META_PREFIX "sha256="
#define META_PREFIX_LEN (sizeof META_PREFIX - 1)

/*------------------------------------------------------------------------------------------------------
 * Meta
 */

static void meta_mac(const char *secret, const void *body, size_t len,
		     unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof st);
}

void sig_meta_sign(const char *app_secret, const void *body, size_t len, char out[SIG_META_HEADER_SIZE])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	meta_mac(app_secret, body, len, mac);
	memcpy(out, META_PREFIX, META_PREFIX_LEN);
	sodium_bin2hex(out + META_PREFIX_LEN, SIG_META_HEADER_SIZE - META_PREFIX_LEN, mac, sizeof mac);
}

bool sig_meta_verify(const char *app_secret, const void *body, size_t len, const char *header)
{
	unsigned char want[crypto_auth_hmacsha256_BYTES], got[crypto_auth_hmacsha256_BYTES];
	size_t got_len = 0;
	const char *end = NULL;
	if (!app_secret || (!body && len) || !header || strncasecmp(header, META_PREFIX, META_PREFIX_LEN) != 0)
		return false;
	const char *hex = header + META_PREFIX_LEN;
	size_t hex_len = strlen(hex);
	if (hex_len != 2 * sizeof got ||
	    sodium_hex2bin(got, sizeof got, hex, hex_len, NULL, &got_len, &end) != 0 || got_len != sizeof got ||
	    end != hex + hex_len)
		return false;
	meta_mac(app_secret, body ? body : "", len, want);
	return sodium_memcmp(want, got, sizeof want) == 0;
}

bool sig_meta_handshake(const char *mode, const char *token, const char *verify_token)
{
	unsigned char a[crypto_generichash_BYTES], b[crypto_generichash_BYTES];
	if (!mode || !token || !verify_token || !*verify_token || strcmp(mode, "subscribe") != 0)
		return false;
	/* Hashing first makes the compare independent of where, and whether, the lengths differ. */
	crypto_generichash(a, sizeof a, (const unsigned char *)token, strlen(token), NULL, 0);
	crypto_generichash(b, sizeof b, (const unsigned char *)verify_token, strlen(verify_token), NULL, 0);
	return sodium_memcmp(a, b, sizeof a) == 0;
}

/*------------------------------------------------------------------------------------------------------
 * Twilio
 */

static int param_cmp(const void *a, const void *b)
{
	const struct form_param *x = *(const struct form_param *const *)a;
	const struct form_param *y = *(const struct form_param *const *)b;
	int c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->value, y->value);
}

/* Appends s (slen bytes) at buf + *at; the caller sized buf. */
static void put(char *buf, size_t *at, const char *s, size_t slen)
{
	memcpy(buf + *at, s, slen);
	*at += slen;
}

/* HMAC-SHA1 over url + the sorted, de-duplicated params. False when out of memory or too big. */
static bool twilio_mac(const char *token, const char *url, size_t url_len, const struct form_param *params,
		       size_t n, unsigned char mac[SHA1_BYTES])
{
	size_t tlen = strlen(token), total = url_len;
	if (tlen > INT_MAX || (n && !params) || n > SIZE_MAX / sizeof(void *))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!params[i].key || !params[i].value)
			return false;
		size_t add = strlen(params[i].key) + strlen(params[i].value);
		if (add > SIZE_MAX - total - 1)
			return false;
		total += add;
	}
	const struct form_param **sorted = malloc((n ? n : 1) * sizeof *sorted);
	char *data = malloc(total + 1);
	bool ok = false;
	if (!sorted || !data)
		goto out;
	for (size_t i = 0; i < n; i++)
		sorted[i] = &params[i];
	qsort(sorted, n, sizeof *sorted, param_cmp);
	size_t at = 0;
	put(data, &at, url, url_len);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && param_cmp(&sorted[i - 1], &sorted[i]) == 0)
			continue; /* the same name and value again: signed once */
		put(data, &at, sorted[i]->key, strlen(sorted[i]->key));
		put(data, &at, sorted[i]->value, strlen(sorted[i]->value));
	}
	unsigned int mac_len = 0;
	ok = HMAC(EVP_sha1(), token, (int)tlen, (const unsigned char *)data, at, mac, &mac_len) != NULL &&
	     mac_len == SHA1_BYTES;
out:
	free(sorted);
	free(data);
	return ok;
}

bool sig_twilio_sign(const char *auth_token, const char *url, const struct form_param *params, size_t n,
		     char out[SIG_TWILIO_HEADER_SIZE])
{
	unsigned char mac[SHA1_BYTES];
	out[0] = '\0';
	if (!auth_token || !url || !twilio_mac(auth_token, url, strlen(url), params, n, mac))
		return false;
	sodium_bin2base64(out, SIG_TWILIO_HEADER_SIZE, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
	return true;
}

/*
 * The other spelling of url with respect to its default port, written into a new string: with ":443"
 * (https) or ":80" (http) when the authority has no port, without it when it has exactly that port.
 * NULL when there is no other spelling (another scheme, another port, no authority) or no memory.
 */
static char *port_variant(const char *url)
{
	const char *dflt;
	size_t skip;
	if (!strncasecmp(url, "https://", 8)) {
		dflt = "443";
		skip = 8;
	} else if (!strncasecmp(url, "http://", 7)) {
		dflt = "80";
		skip = 7;
	} else
		return NULL;
	const char *host = url + skip;
	size_t auth_len = strcspn(host, "/?#");
	if (auth_len == 0)
		return NULL;
	/* userinfo ends at the last '@' of the authority; an IPv6 literal ends at ']' */
	const char *h = host;
	for (size_t i = 0; i < auth_len; i++)
		if (host[i] == '@')
			h = host + i + 1;
	const char *end = host + auth_len, *colon = NULL;
	for (const char *p = h; p < end; p++) {
		if (*p == ']')
			colon = NULL;
		else if (*p == ':')
			colon = p;
	}
	if (h < end && *h == '[' && !memchr(h, ']', (size_t)(end - h)))
		return NULL; /* an unclosed IPv6 literal: leave it alone */

	size_t url_len = strlen(url), dlen = strlen(dflt);
	char *v;
	if (!colon) {
		if (h == end)
			return NULL;
		if (!(v = malloc(url_len + 1 + dlen + 1)))
			return NULL;
		size_t pre = (size_t)(end - url);
		memcpy(v, url, pre);
		v[pre] = ':';
		memcpy(v + pre + 1, dflt, dlen);
		memcpy(v + pre + 1 + dlen, end, url_len - pre + 1);
		return v;
	}
	if ((size_t)(end - colon - 1) != dlen || memcmp(colon + 1, dflt, dlen) != 0)
		return NULL;
	if (!(v = malloc(url_len + 1)))
		return NULL;
	size_t pre = (size_t)(colon - url);
	memcpy(v, url, pre);
	memcpy(v + pre, end, url_len - (size_t)(end - url) + 1);
	return v;
}

bool sig_twilio_verify(const char *auth_token, const char *url, const struct form_param *params, size_t n,
		       const char *header_b64)
{
	unsigned char got[SHA1_BYTES + 1], want[SHA1_BYTES];
	size_t got_len = 0, hlen;
	const char *end = NULL;
	if (!auth_token || !url || !header_b64 || (hlen = strlen(header_b64)) == 0 ||
	    sodium_base642bin(got, sizeof got, header_b64, hlen, NULL, &got_len, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got_len != SHA1_BYTES || end != header_b64 + hlen)
		return false;
	if (twilio_mac(auth_token, url, strlen(url), params, n, want) && sodium_memcmp(want, got, SHA1_BYTES) == 0)
		return true;
	char *alt = port_variant(url);
	bool ok = alt && twilio_mac(auth_token, alt, strlen(alt), params, n, want) &&
		  sodium_memcmp(want, got, SHA1_BYTES) == 0;
	free(alt);
	return ok;
}
