/*
 * test_seal.c — unit tests for src/privacy/seal.c: sealed data round trips and its text format (pinned by
 * known answers), refusal of anything altered, moved, truncated, malformed or oversized, the key hierarchy
 * master → tenant → contact → data, erasure of a contact, master key rotation, blind indexes and the
 * email/phone normalisers. Only public functions are used.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "privacy/seal.h"

/* ---- helpers ------------------------------------------------------------------------------------ */

#define AD_EMAIL "tenant:ten_1|contact:con_1|field:email"
#define B64_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
#define VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING

/* Known answers, computed with libsodium and checked independently (Python: HChaCha20 by hand, then
 * cryptography's ChaCha20Poly1305) — key 00..1f, nonce 40..57. */
#define KAT_SEALED                                                                                         \
	"v1.QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXuVh9Xr2VCmLqhurfwfIl9-rbwLR_PH3-D8aJgsTUAFbxLDJgvf89oW4"
#define KAT_PLAIN "max.mustermann@example.de"
/* the key 80..9f wrapped under key 00..1f, kek_id 3, ad "tenant-key:ten_1" */
#define KAT_WRAPPED                                                                                        \
	"k3.v1.QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXVLiH81Rl_5EHfQ01IxHrHQIrP1eHzMUN8qhn3pWZvQ9VoY3l25Luki8JqUM69hyP"

static int setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

static void counting_key(unsigned char k[SEAL_KEY_BYTES], unsigned start)
{
	for (unsigned i = 0; i < SEAL_KEY_BYTES; i++)
		k[i] = (unsigned char)(start + i);
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	assert_non_null(d);
	return d;
}

/* Fails unless seal_decrypt() refuses `sealed`, leaving *plain NULL and *len 0. */
static void assert_decrypt_fails(const unsigned char key[SEAL_KEY_BYTES], const char *ad, const char *sealed)
{
	char *plain = (char *)&plain; /* anything but NULL: the call must reset it */
	size_t len = 12345;

	if (seal_decrypt(key, ad, sealed, &plain, &len) != -1)
		fail_msg("decrypted \"%.80s\" (ad \"%s\")", sealed ? sealed : "(null)", ad ? ad : "(null)");
	assert_null(plain);
	assert_int_equal(len, 0);
}

/* Decrypts `sealed` and checks it gives `want` (`n` bytes) followed by a NUL. */
static void assert_decrypts_to(const unsigned char key[SEAL_KEY_BYTES], const char *ad, const char *sealed,
			       const void *want, size_t n)
{
	char *plain = NULL;
	size_t len = 0;

	assert_int_equal(seal_decrypt(key, ad, sealed, &plain, &len), 0);
	assert_non_null(plain);
	assert_int_equal(len, n);
	if (n)
		assert_memory_equal(plain, want, n);
	assert_int_equal(plain[n], '\0');
	free(plain);
}

/* Fails unless seal_unwrap_key() refuses `wrapped` and zeroes the output key. */
static void assert_unwrap_fails(const unsigned char kek[SEAL_KEY_BYTES], const char *ad, const char *wrapped)
{
	unsigned char key[SEAL_KEY_BYTES], zero[SEAL_KEY_BYTES] = {0};

	memset(key, 0xAA, sizeof key);
	if (seal_unwrap_key(kek, ad, wrapped, key) != -1)
		fail_msg("unwrapped \"%s\" (ad \"%s\")", wrapped ? wrapped : "(null)", ad ? ad : "(null)");
	assert_memory_equal(key, zero, sizeof key);
}

/* The raw bytes behind sealed text: nonce || ciphertext || tag. malloc'd. */
static unsigned char *decode_sealed(const char *sealed, size_t *n)
{
	size_t chars = strlen(sealed) - 3;
	unsigned char *bin = malloc(chars);
	assert_non_null(bin);
	assert_int_equal(sodium_base642bin(bin, chars, sealed + 3, chars, NULL, n, NULL, VARIANT), 0);
	return bin;
}

static char *encode_sealed(const unsigned char *bin, size_t n)
{
	size_t len = sodium_base64_encoded_len(n, VARIANT);
	char *s = malloc(3 + len);
	assert_non_null(s);
	memcpy(s, "v1.", 3);
	sodium_bin2base64(s + 3, len, bin, n, VARIANT);
	return s;
}

static char *seal(const unsigned char key[SEAL_KEY_BYTES], const char *ad, const void *p, size_t n)
{
	char *out = NULL;
	assert_int_equal(seal_encrypt(key, ad, p, n, &out), 0);
	assert_non_null(out);
	return out;
}

static char *wrap(const unsigned char kek[SEAL_KEY_BYTES], uint32_t id, const char *ad,
		  const unsigned char key[SEAL_KEY_BYTES])
{
	char *out = NULL;
	assert_int_equal(seal_wrap_key(kek, id, ad, key, &out), 0);
	assert_non_null(out);
	return out;
}

/* ---- round trips and format -------------------------------------------------------------------- */

static void test_round_trips(void **state)
{
	static const size_t sizes[] = {0, 1, 2, 3, 15, 16, 17, 100, 65536, SEAL_PLAIN_MAX};
	unsigned char key[SEAL_KEY_BYTES];
	unsigned char *buf = malloc(SEAL_PLAIN_MAX);

	(void)state;
	assert_non_null(buf);
	seal_new_key(key);
	randombytes_buf(buf, SEAL_PLAIN_MAX);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t n = sizes[i];
		char *s = seal(key, AD_EMAIL, buf, n);
		assert_memory_equal(s, "v1.", 3);
		/* "v1." + unpadded base64 of nonce (24) + data + tag (16) */
		assert_int_equal(strlen(s), 3 + sodium_base64_encoded_len(24 + n + 16, VARIANT) - 1);
		assert_true(seal_is_sealed(s));
		assert_decrypts_to(key, AD_EMAIL, s, buf, n);
		free(s);
	}

	/* empty text, with and without a pointer */
	char *s = seal(key, AD_EMAIL, NULL, 0);
	assert_decrypts_to(key, AD_EMAIL, s, "", 0);
	free(s);
	s = seal(key, AD_EMAIL, "", 0);
	assert_decrypts_to(key, AD_EMAIL, s, "", 0);
	free(s);

	/* binary data with NULs, all byte values */
	unsigned char bin[512];
	for (size_t i = 0; i < sizeof bin; i++)
		bin[i] = (unsigned char)(i % 3 ? i : 0);
	s = seal(key, AD_EMAIL, bin, sizeof bin);
	assert_decrypts_to(key, AD_EMAIL, s, bin, sizeof bin);
	free(s);

	/* UTF-8 text */
	const char *utf8 = "Jürgen Müller — 東京 ✓";
	s = seal(key, "tenant:t|contact:c|field:name", utf8, strlen(utf8));
	assert_decrypts_to(key, "tenant:t|contact:c|field:name", s, utf8, strlen(utf8));
	free(s);

	sodium_memzero(key, sizeof key);
	free(buf);
}

static void test_known_answer_decrypts(void **state)
{
	unsigned char key[SEAL_KEY_BYTES];

	(void)state;
	counting_key(key, 0);
	assert_true(seal_is_sealed(KAT_SEALED));
	assert_decrypts_to(key, AD_EMAIL, KAT_SEALED, KAT_PLAIN, strlen(KAT_PLAIN));
	/* the caller's ad is what counts: the module's "seal:v1|" prefix is not part of it */
	assert_decrypt_fails(key, "seal:v1|" AD_EMAIL, KAT_SEALED);
}

static void test_output_follows_the_documented_format(void **state)
{
	/* Decrypt what seal_encrypt() wrote with libsodium alone, following seal.h. */
	unsigned char key[SEAL_KEY_BYTES], m[64];
	unsigned long long mlen = 0;
	const char *ad = "seal:v1|" AD_EMAIL;
	size_t n = 0;

	(void)state;
	seal_new_key(key);
	char *s = seal(key, AD_EMAIL, KAT_PLAIN, strlen(KAT_PLAIN));
	unsigned char *bin = decode_sealed(s, &n);
	assert_int_equal(n, 24 + strlen(KAT_PLAIN) + 16);
	assert_int_equal(crypto_aead_xchacha20poly1305_ietf_decrypt(m, &mlen, NULL, bin + 24, n - 24,
								    (const unsigned char *)ad, strlen(ad), bin, key),
			 0);
	assert_int_equal(mlen, strlen(KAT_PLAIN));
	assert_memory_equal(m, KAT_PLAIN, mlen);
	free(bin);
	free(s);
}

static void test_nonces_differ(void **state)
{
	enum { N = 2000 };
	unsigned char key[SEAL_KEY_BYTES];
	unsigned char(*nonces)[24] = malloc(N * sizeof *nonces);

	(void)state;
	assert_non_null(nonces);
	seal_new_key(key);
	char *a = seal(key, AD_EMAIL, KAT_PLAIN, strlen(KAT_PLAIN));
	char *b = seal(key, AD_EMAIL, KAT_PLAIN, strlen(KAT_PLAIN));
	assert_string_not_equal(a, b);
	free(a);
	free(b);

	for (size_t i = 0; i < N; i++) {
		size_t n = 0;
		char *s = seal(key, AD_EMAIL, "x", 1);
		unsigned char *bin = decode_sealed(s, &n);
		memcpy(nonces[i], bin, 24);
		free(bin);
		free(s);
	}
	for (size_t i = 0; i < N; i++)
		for (size_t j = i + 1; j < N; j++)
			if (!memcmp(nonces[i], nonces[j], 24))
				fail_msg("nonce repeated (%zu, %zu)", i, j);
	free(nonces);
}

static void test_ciphertext_does_not_contain_the_plaintext(void **state)
{
	unsigned char key[SEAL_KEY_BYTES];
	char plain[1024];
	size_t n = 0, pn;

	(void)state;
	seal_new_key(key);
	plain[0] = '\0';
	while (strlen(plain) + 40 < sizeof plain)
		strcat(plain, "max.mustermann@example.de|+491701234567|");
	pn = strlen(plain);
	char *s = seal(key, AD_EMAIL, plain, pn);

	assert_null(strstr(s, "mustermann"));
	assert_null(strstr(s, "1701234567"));
	/* nor the plaintext's own base64url, at any of the three alignments */
	for (size_t off = 0; off < 3; off++) {
		char enc[64];
		sodium_bin2base64(enc, sizeof enc, (const unsigned char *)plain + off, 24, VARIANT);
		enc[16] = '\0';
		assert_null(strstr(s, enc));
	}
	/* no 8-byte window of the plaintext in the raw bytes */
	unsigned char *bin = decode_sealed(s, &n);
	for (size_t i = 0; i + 8 <= pn; i++)
		if (memmem(bin, n, plain + i, 8))
			fail_msg("plaintext bytes at %zu appear in the ciphertext", i);
	free(bin);
	free(s);
}

/* ---- refusals ---------------------------------------------------------------------------------- */

static void test_encrypt_refuses_bad_arguments(void **state)
{
	unsigned char key[SEAL_KEY_BYTES];
	char ad[SEAL_AD_MAX + 2];
	char *out = (char *)&out;
	unsigned char *big = malloc(SEAL_PLAIN_MAX + 1);

	(void)state;
	assert_non_null(big);
	memset(big, 'a', SEAL_PLAIN_MAX + 1);
	seal_new_key(key);

	assert_int_equal(seal_encrypt(key, AD_EMAIL, big, SEAL_PLAIN_MAX + 1, &out), -1);
	assert_null(out);
	out = (char *)&out;
	assert_int_equal(seal_encrypt(key, AD_EMAIL, big, SIZE_MAX, &out), -1);
	assert_null(out);
	out = (char *)&out;
	assert_int_equal(seal_encrypt(key, AD_EMAIL, NULL, 1, &out), -1);
	assert_null(out);
	out = (char *)&out;
	assert_int_equal(seal_encrypt(NULL, AD_EMAIL, "x", 1, &out), -1);
	assert_null(out);
	assert_int_equal(seal_encrypt(key, AD_EMAIL, "x", 1, NULL), -1);

	/* the associated data is required, and capped */
	out = (char *)&out;
	assert_int_equal(seal_encrypt(key, NULL, "x", 1, &out), -1);
	assert_null(out);
	out = (char *)&out;
	assert_int_equal(seal_encrypt(key, "", "x", 1, &out), -1);
	assert_null(out);
	memset(ad, 'a', sizeof ad);
	ad[SEAL_AD_MAX + 1] = '\0';
	out = (char *)&out;
	assert_int_equal(seal_encrypt(key, ad, "x", 1, &out), -1);
	assert_null(out);
	ad[SEAL_AD_MAX] = '\0'; /* exactly SEAL_AD_MAX is fine */
	char *s = seal(key, ad, "x", 1);
	assert_decrypts_to(key, ad, s, "x", 1);
	free(s);

	/* decrypt checks its arguments too */
	s = seal(key, AD_EMAIL, "x", 1);
	char *plain;
	size_t len;
	assert_decrypt_fails(NULL, AD_EMAIL, s);
	assert_decrypt_fails(key, NULL, s);
	assert_decrypt_fails(key, "", s);
	assert_decrypt_fails(key, AD_EMAIL, NULL);
	assert_int_equal(seal_decrypt(key, AD_EMAIL, s, NULL, &len), -1);
	assert_int_equal(seal_decrypt(key, AD_EMAIL, s, &plain, NULL), -1);
	free(s);
	free(big);
}

static void test_wrong_key_or_ad_fails(void **state)
{
	unsigned char key[SEAL_KEY_BYTES], other[SEAL_KEY_BYTES];

	(void)state;
	seal_new_key(key);
	char *s = seal(key, AD_EMAIL, KAT_PLAIN, strlen(KAT_PLAIN));

	seal_new_key(other);
	assert_decrypt_fails(other, AD_EMAIL, s);
	for (size_t bit = 0; bit < SEAL_KEY_BYTES * 8; bit++) {
		memcpy(other, key, sizeof key);
		other[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		assert_decrypt_fails(other, AD_EMAIL, s);
	}

	/* moved to another field, contact or tenant; ad changed by a byte, shortened or extended */
	static const char *const ads[] = {
		"tenant:ten_1|contact:con_1|field:phone", "tenant:ten_1|contact:con_2|field:email",
		"tenant:ten_2|contact:con_1|field:email", "tenant:ten_1|contact:con_1|field:emai",
		"tenant:ten_1|contact:con_1|field:email ", "Tenant:ten_1|contact:con_1|field:email",
		"contact:con_1|field:email", "x",
	};
	for (size_t i = 0; i < sizeof ads / sizeof ads[0]; i++)
		assert_decrypt_fails(key, ads[i], s);
	assert_decrypts_to(key, AD_EMAIL, s, KAT_PLAIN, strlen(KAT_PLAIN));
	free(s);
}

static void test_tampering_fails(void **state)
{
	unsigned char key[SEAL_KEY_BYTES];
	size_t n = 0;

	(void)state;
	seal_new_key(key);
	char *s = seal(key, AD_EMAIL, "hello", 5);
	size_t len = strlen(s);

	/* every character replaced by every other base64 character */
	char *t = xstrdup(s);
	for (size_t i = 3; i < len; i++) {
		for (const char *c = B64_CHARS; *c; c++) {
			if (*c == s[i])
				continue;
			t[i] = *c;
			assert_decrypt_fails(key, AD_EMAIL, t);
		}
		t[i] = s[i];
	}
	free(t);

	/* every bit of nonce, ciphertext and tag flipped */
	unsigned char *bin = decode_sealed(s, &n);
	for (size_t bit = 0; bit < n * 8; bit++) {
		bin[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		char *e = encode_sealed(bin, n);
		assert_decrypt_fails(key, AD_EMAIL, e);
		free(e);
		bin[bit / 8] ^= (unsigned char)(1u << (bit % 8));
	}
	char *same = encode_sealed(bin, n); /* the helper itself is sound */
	assert_decrypts_to(key, AD_EMAIL, same, "hello", 5);
	free(same);
	free(bin);

	/* truncated at every length, and extended */
	t = xstrdup(s);
	for (size_t cut = 0; cut < len; cut++) {
		t[cut] = '\0';
		assert_decrypt_fails(key, AD_EMAIL, t);
		t[cut] = s[cut];
	}
	free(t);
	for (const char *c = B64_CHARS; *c; c++) {
		char ext[256];
		snprintf(ext, sizeof ext, "%s%c", s, *c);
		assert_decrypt_fails(key, AD_EMAIL, ext);
		snprintf(ext, sizeof ext, "%s%cA", s, *c);
		assert_decrypt_fails(key, AD_EMAIL, ext);
	}
	assert_decrypts_to(key, AD_EMAIL, s, "hello", 5);
	free(s);
}

static void test_malformed_text_fails(void **state)
{
	unsigned char key[SEAL_KEY_BYTES];
	char buf[512];

	(void)state;
	counting_key(key, 0);
	const char *b64 = &KAT_SEALED[3];
	static const char *const versions[] = {"", "v1", "v1:", "V1.", "v2.", "v0.", "v10.", "k1.v1.", ".v1.", " v1."};
	for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
		snprintf(buf, sizeof buf, "%s%s", versions[i], b64);
		assert_decrypt_fails(key, AD_EMAIL, buf);
		assert_false(seal_is_sealed(buf));
	}

	/* characters outside the base64url alphabet, anywhere: padding, the standard alphabet, white space */
	static const char bad[] = {'=', '+', '/', ' ', '\n', '\t', '.', '*', '\x7f', '\x80', '\xc3'};
	size_t len = strlen(KAT_SEALED);
	for (size_t b = 0; b < sizeof bad; b++) {
		for (size_t pos = 3; pos < len; pos += 7) {
			snprintf(buf, sizeof buf, "%s", KAT_SEALED);
			buf[pos] = bad[b];
			assert_decrypt_fails(key, AD_EMAIL, buf);
			assert_false(seal_is_sealed(buf));
		}
		snprintf(buf, sizeof buf, "%s%c", KAT_SEALED, bad[b]); /* appended */
		assert_decrypt_fails(key, AD_EMAIL, buf);
		snprintf(buf, sizeof buf, "%s==", KAT_SEALED); /* padded */
		assert_decrypt_fails(key, AD_EMAIL, buf);
	}

	/* too short to hold nonce and tag (40 bytes = 54 characters), whatever it holds */
	static const char *const shorts[] = {
		"v1.", "v1.A", "v1.AA", "v1.AAAA",
		"v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", /* 52 characters: 39 bytes */
	};
	for (size_t i = 0; i < sizeof shorts / sizeof shorts[0]; i++) {
		assert_decrypt_fails(key, AD_EMAIL, shorts[i]);
		assert_false(seal_is_sealed(shorts[i]));
	}

	/* a length no base64 has (4k + 1 characters) */
	snprintf(buf, sizeof buf, "%sAA", KAT_SEALED); /* 87 + 2 = 89 characters after "v1." */
	assert_int_equal((strlen(buf) - 3) % 4, 1);
	assert_decrypt_fails(key, AD_EMAIL, buf);
	assert_false(seal_is_sealed(buf));

	/* non-canonical trailing bits: the last character of 3 (mod 4) characters carries 2 unused bits */
	snprintf(buf, sizeof buf, "%s", KAT_SEALED);
	assert_int_equal((strlen(buf) - 3) % 4, 3);
	char *last = buf + strlen(buf) - 1;
	const char *at = strchr(B64_CHARS, *last);
	assert_non_null(at);
	*last = B64_CHARS[(at - B64_CHARS) | 1];
	assert_string_not_equal(buf, KAT_SEALED);
	assert_decrypt_fails(key, AD_EMAIL, buf);

	/* not text at all */
	assert_decrypt_fails(key, AD_EMAIL, "max.mustermann@example.de");
	assert_decrypt_fails(key, AD_EMAIL, KAT_PLAIN);
	assert_decrypts_to(key, AD_EMAIL, KAT_SEALED, KAT_PLAIN, strlen(KAT_PLAIN));
}

static void test_size_caps(void **state)
{
	unsigned char key[SEAL_KEY_BYTES];
	char *huge = malloc(SEAL_SEALED_MAX + 64);

	(void)state;
	assert_non_null(huge);
	seal_new_key(key);
	assert_int_equal(SEAL_SEALED_MAX, 3 + sodium_base64_encoded_len(24 + SEAL_PLAIN_MAX + 16, VARIANT) - 1);

	/* the largest plaintext seals to exactly the cap, and decrypts */
	unsigned char *p = calloc(1, SEAL_PLAIN_MAX);
	assert_non_null(p);
	char *s = seal(key, AD_EMAIL, p, SEAL_PLAIN_MAX);
	assert_int_equal(strlen(s), SEAL_SEALED_MAX);
	assert_true(seal_is_sealed(s));
	assert_decrypts_to(key, AD_EMAIL, s, p, SEAL_PLAIN_MAX);

	/* one more character (or many) is refused before decoding */
	memcpy(huge, s, SEAL_SEALED_MAX);
	memcpy(huge + SEAL_SEALED_MAX, "AAAA", 5);
	assert_decrypt_fails(key, AD_EMAIL, huge);
	assert_false(seal_is_sealed(huge));
	memcpy(huge, "v1.", 3);
	memset(huge + 3, 'A', SEAL_SEALED_MAX + 60 - 3);
	huge[SEAL_SEALED_MAX + 60] = '\0';
	assert_decrypt_fails(key, AD_EMAIL, huge);
	assert_false(seal_is_sealed(huge));
	free(s);
	free(p);
	free(huge);
}

static void test_is_sealed(void **state)
{
	unsigned char key[SEAL_KEY_BYTES];

	(void)state;
	seal_new_key(key);
	char *s = seal(key, AD_EMAIL, "", 0);
	assert_true(seal_is_sealed(s));
	char *w = wrap(key, 1, "contact-key:con_1", key);
	assert_false(seal_is_sealed(w)); /* a wrapped key is not sealed data */
	assert_false(seal_is_sealed(NULL));
	assert_false(seal_is_sealed(""));
	assert_false(seal_is_sealed("max.mustermann@example.de"));
	assert_false(seal_is_sealed("+491701234567"));
	assert_false(seal_is_sealed("v1."));
	assert_false(seal_is_sealed("{\"name\":\"Max\"}"));
	free(s);
	free(w);
}

/* ---- wrapped keys ------------------------------------------------------------------------------ */

static void test_wrap_round_trip_and_format(void **state)
{
	static const uint32_t ids[] = {1, 2, 9, 10, 42, 4294967295u};
	unsigned char kek[SEAL_KEY_BYTES], key[SEAL_KEY_BYTES], back[SEAL_KEY_BYTES];
	char prefix[32];

	(void)state;
	seal_new_key(kek);
	seal_new_key(key);
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		uint32_t id = 0;
		char *w = wrap(kek, ids[i], "tenant-key:ten_1", key);
		int pl = snprintf(prefix, sizeof prefix, "k%u.v1.", (unsigned)ids[i]);
		assert_memory_equal(w, prefix, (size_t)pl);
		assert_int_equal(strlen(w), (size_t)pl + 96);
		assert_int_equal(seal_wrapped_key_id(w, &id), 0);
		assert_int_equal(id, ids[i]);
		memset(back, 0, sizeof back);
		assert_int_equal(seal_unwrap_key(kek, "tenant-key:ten_1", w, back), 0);
		assert_memory_equal(back, key, sizeof key);
		free(w);
	}

	/* two wraps of the same key differ */
	char *a = wrap(kek, 1, "tenant-key:ten_1", key), *b = wrap(kek, 1, "tenant-key:ten_1", key);
	assert_string_not_equal(a, b);
	assert_null(memmem(a, strlen(a), key, sizeof key));

	/* unwrapping into the kek's own buffer works (and a failure zeroes it) */
	unsigned char k2[SEAL_KEY_BYTES];
	memcpy(k2, kek, sizeof k2);
	assert_int_equal(seal_unwrap_key(k2, "tenant-key:ten_1", a, k2), 0);
	assert_memory_equal(k2, key, sizeof key);
	free(a);
	free(b);

	/* refused arguments */
	char *out = (char *)&out;
	assert_int_equal(seal_wrap_key(kek, 0, "tenant-key:ten_1", key, &out), -1);
	assert_null(out);
	out = (char *)&out;
	assert_int_equal(seal_wrap_key(kek, 1, "", key, &out), -1);
	assert_null(out);
	out = (char *)&out;
	assert_int_equal(seal_wrap_key(kek, 1, NULL, key, &out), -1);
	assert_null(out);
	out = (char *)&out;
	assert_int_equal(seal_wrap_key(NULL, 1, "a", key, &out), -1);
	assert_null(out);
	out = (char *)&out;
	assert_int_equal(seal_wrap_key(kek, 1, "a", NULL, &out), -1);
	assert_null(out);
	assert_int_equal(seal_wrap_key(kek, 1, "a", key, NULL), -1);
	assert_int_equal(seal_unwrap_key(kek, "a", KAT_WRAPPED, NULL), -1);
	sodium_memzero(kek, sizeof kek);
	sodium_memzero(key, sizeof key);
}

static void test_wrap_known_answer(void **state)
{
	unsigned char kek[SEAL_KEY_BYTES], want[SEAL_KEY_BYTES], key[SEAL_KEY_BYTES];
	uint32_t id = 0;

	(void)state;
	counting_key(kek, 0);
	counting_key(want, 0x80);
	assert_int_equal(seal_wrapped_key_id(KAT_WRAPPED, &id), 0);
	assert_int_equal(id, 3);
	assert_int_equal(seal_unwrap_key(kek, "tenant-key:ten_1", KAT_WRAPPED, key), 0);
	assert_memory_equal(key, want, sizeof key);
}

static void test_unwrap_refuses(void **state)
{
	unsigned char kek[SEAL_KEY_BYTES], other[SEAL_KEY_BYTES];
	const char *ad = "tenant-key:ten_1";
	char buf[256];
	uint32_t id = 7;

	(void)state;
	counting_key(kek, 0);
	const char *b64 = strstr(KAT_WRAPPED, ".v1.") + 4;

	/* wrong kek, wrong ad, missing ad */
	seal_new_key(other);
	assert_unwrap_fails(other, ad, KAT_WRAPPED);
	memcpy(other, kek, sizeof other);
	other[0] ^= 1;
	assert_unwrap_fails(other, ad, KAT_WRAPPED);
	assert_unwrap_fails(kek, "tenant-key:ten_2", KAT_WRAPPED);
	assert_unwrap_fails(kek, "contact-key:ten_1", KAT_WRAPPED);
	assert_unwrap_fails(kek, "", KAT_WRAPPED);
	assert_unwrap_fails(kek, NULL, KAT_WRAPPED);
	assert_unwrap_fails(NULL, ad, KAT_WRAPPED);
	assert_unwrap_fails(kek, ad, NULL);

	/* the key id is authenticated: another (well-formed) id does not unwrap */
	static const char *const ids[] = {"k1", "k2", "k4", "k30", "k33"};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		snprintf(buf, sizeof buf, "%s.v1.%s", ids[i], b64);
		assert_int_equal(seal_wrapped_key_id(buf, &id), 0);
		assert_unwrap_fails(kek, ad, buf);
	}

	/* malformed ids and versions: not even the shape */
	static const char *const shapes[] = {"k0", "k03", "k", "K3", "3", "kk3", "k-3", "k+3", "k 3", "k3 ",
					     "k4294967296", "k99999999999", "k12345678901", "v1"};
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		snprintf(buf, sizeof buf, "%s.v1.%s", shapes[i], b64);
		id = 7;
		assert_int_equal(seal_wrapped_key_id(buf, &id), -1);
		assert_int_equal(id, 7);
		assert_unwrap_fails(kek, ad, buf);
	}
	static const char *const versions[] = {"k3.v2.", "k3.V1.", "k3v1.", "k3.v1", "k3..", "k3.v1.."};
	for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
		snprintf(buf, sizeof buf, "%s%s", versions[i], b64);
		assert_int_equal(seal_wrapped_key_id(buf, &id), -1);
		assert_unwrap_fails(kek, ad, buf);
	}
	assert_int_equal(seal_wrapped_key_id(NULL, &id), -1);
	assert_int_equal(seal_wrapped_key_id(KAT_WRAPPED, NULL), -1);

	/* every character changed; truncated; extended */
	size_t len = strlen(KAT_WRAPPED);
	snprintf(buf, sizeof buf, "%s", KAT_WRAPPED);
	for (size_t i = (size_t)(b64 - KAT_WRAPPED); i < len; i++) {
		for (const char *c = B64_CHARS "=+/ ."; *c; c++) {
			if (*c == KAT_WRAPPED[i])
				continue;
			buf[i] = *c;
			assert_unwrap_fails(kek, ad, buf);
		}
		buf[i] = KAT_WRAPPED[i];
	}
	for (size_t cut = 0; cut < len; cut++) {
		buf[cut] = '\0';
		assert_unwrap_fails(kek, ad, buf);
		buf[cut] = KAT_WRAPPED[cut];
	}
	snprintf(buf, sizeof buf, "%sA", KAT_WRAPPED);
	assert_unwrap_fails(kek, ad, buf);
	snprintf(buf, sizeof buf, "%sAAAA", KAT_WRAPPED);
	assert_unwrap_fails(kek, ad, buf);
}

static void test_wrapped_keys_and_data_do_not_mix(void **state)
{
	/* Same key, same ad, same 32 bytes: a wrapped key is not sealed data and sealed data is not a
	 * wrapped key (the module's own associated-data prefixes differ). */
	unsigned char kek[SEAL_KEY_BYTES], key[SEAL_KEY_BYTES];
	const char *ad = "contact-key:con_1";
	char buf[256];

	(void)state;
	seal_new_key(kek);
	seal_new_key(key);
	char *w = wrap(kek, 1, ad, key);
	char *s = seal(kek, ad, key, sizeof key);

	snprintf(buf, sizeof buf, "v1.%s", w + strlen("k1.v1."));
	assert_true(seal_is_sealed(buf));
	assert_decrypt_fails(kek, ad, buf);

	snprintf(buf, sizeof buf, "k1.v1.%s", s + 3);
	assert_int_equal(strlen(buf), strlen(w));
	assert_unwrap_fails(kek, ad, buf);

	assert_decrypt_fails(kek, ad, w);
	assert_unwrap_fails(kek, ad, s);
	free(w);
	free(s);
}

/* ---- the hierarchy ----------------------------------------------------------------------------- */

/* What the store would hold for one tenant with two contacts. */
struct stored {
	char *tenant_key;     /* wrapped under the master key */
	char *contact_key[2]; /* wrapped under the tenant key; NULL once erased */
	char *email[2];       /* sealed under the contact key */
	char *note[2];
};

static const char *const contact_ad[2] = {"contact-key:ten_1|con_1", "contact-key:ten_1|con_2"};
static const char *const email_ad[2] = {"tenant:ten_1|contact:con_1|field:email",
					"tenant:ten_1|contact:con_2|field:email"};
static const char *const note_ad[2] = {"tenant:ten_1|contact:con_1|field:note",
				       "tenant:ten_1|contact:con_2|field:note"};
static const char *const emails[2] = {"max.mustermann@example.de", "erika.musterfrau@example.de"};
static const char note[] = "Rückruf bitte\0nach 18 Uhr"; /* with a NUL inside */

static void store_tenant(const unsigned char master[SEAL_KEY_BYTES], uint32_t master_id, struct stored *st)
{
	unsigned char tk[SEAL_KEY_BYTES], ck[SEAL_KEY_BYTES];

	seal_new_key(tk);
	st->tenant_key = wrap(master, master_id, "tenant-key:ten_1", tk);
	for (int i = 0; i < 2; i++) {
		seal_new_key(ck);
		st->contact_key[i] = wrap(tk, SEAL_TENANT_KEK_ID, contact_ad[i], ck);
		st->email[i] = seal(ck, email_ad[i], emails[i], strlen(emails[i]));
		st->note[i] = seal(ck, note_ad[i], note, sizeof note);
	}
	sodium_memzero(tk, sizeof tk);
	sodium_memzero(ck, sizeof ck);
}

/* Reads contact i the way the server would, from the master key down. */
static void assert_contact_readable(const unsigned char master[SEAL_KEY_BYTES], const struct stored *st, int i)
{
	unsigned char tk[SEAL_KEY_BYTES], ck[SEAL_KEY_BYTES];

	assert_int_equal(seal_unwrap_key(master, "tenant-key:ten_1", st->tenant_key, tk), 0);
	assert_int_equal(seal_unwrap_key(tk, contact_ad[i], st->contact_key[i], ck), 0);
	assert_decrypts_to(ck, email_ad[i], st->email[i], emails[i], strlen(emails[i]));
	assert_decrypts_to(ck, note_ad[i], st->note[i], note, sizeof note);
	/* one contact's key does not read the other's data, nor does the tenant key */
	assert_decrypt_fails(ck, email_ad[1 - i], st->email[1 - i]);
	assert_decrypt_fails(tk, email_ad[i], st->email[i]);
	assert_decrypt_fails(master, email_ad[i], st->email[i]);
	/* contact keys are bound to their contact */
	assert_unwrap_fails(tk, contact_ad[1 - i], st->contact_key[i]);
	sodium_memzero(tk, sizeof tk);
	sodium_memzero(ck, sizeof ck);
}

static void stored_free(struct stored *st)
{
	free(st->tenant_key);
	for (int i = 0; i < 2; i++) {
		free(st->contact_key[i]);
		free(st->email[i]);
		free(st->note[i]);
	}
}

static void test_hierarchy_master_tenant_contact_data(void **state)
{
	unsigned char master[SEAL_KEY_BYTES], other[SEAL_KEY_BYTES], tk[SEAL_KEY_BYTES];
	struct stored st = {0};

	(void)state;
	seal_new_key(master);
	store_tenant(master, 1, &st);
	assert_contact_readable(master, &st, 0);
	assert_contact_readable(master, &st, 1);

	/* another master key (another installation) reads nothing */
	seal_new_key(other);
	assert_unwrap_fails(other, "tenant-key:ten_1", st.tenant_key);
	/* the tenant key is bound to its tenant */
	assert_unwrap_fails(master, "tenant-key:ten_2", st.tenant_key);
	/* the master key does not unwrap contact keys directly */
	assert_unwrap_fails(master, contact_ad[0], st.contact_key[0]);
	assert_int_equal(seal_unwrap_key(master, "tenant-key:ten_1", st.tenant_key, tk), 0);
	assert_unwrap_fails(tk, "tenant-key:ten_1", st.tenant_key);
	stored_free(&st);
	sodium_memzero(master, sizeof master);
	sodium_memzero(tk, sizeof tk);
}

static void test_erasing_a_contact_key_makes_its_data_unreadable(void **state)
{
	unsigned char master[SEAL_KEY_BYTES], tk[SEAL_KEY_BYTES], ik[SEAL_KEY_BYTES], ck1[SEAL_KEY_BYTES];
	struct stored st = {0};

	(void)state;
	seal_new_key(master);
	store_tenant(master, 1, &st);

	/* a backup taken before the erasure: the sealed fields, and the wrapped keys as they were */
	char *backup_email = xstrdup(st.email[0]), *backup_note = xstrdup(st.note[0]);

	/* erase contact 0: delete its wrapped key (its rows may stay behind in backups) */
	free(st.contact_key[0]);
	st.contact_key[0] = NULL;

	/* everything still held cannot read it: master, tenant key, index key, the other contact's key */
	assert_int_equal(seal_unwrap_key(master, "tenant-key:ten_1", st.tenant_key, tk), 0);
	seal_index_key(tk, ik);
	assert_int_equal(seal_unwrap_key(tk, contact_ad[1], st.contact_key[1], ck1), 0);
	const unsigned char *held[] = {master, tk, ik, ck1};
	for (size_t i = 0; i < sizeof held / sizeof held[0]; i++) {
		assert_decrypt_fails(held[i], email_ad[0], backup_email);
		assert_decrypt_fails(held[i], note_ad[0], backup_note);
		assert_decrypt_fails(held[i], email_ad[0], st.email[0]);
	}
	/* nor does the other contact's wrapped key, unwrapped under contact 0's name */
	assert_unwrap_fails(tk, contact_ad[0], st.contact_key[1]);

	/* the other contact of the same tenant is unaffected */
	assert_decrypts_to(ck1, email_ad[1], st.email[1], emails[1], strlen(emails[1]));
	assert_decrypts_to(ck1, note_ad[1], st.note[1], note, sizeof note);

	free(backup_email);
	free(backup_note);
	stored_free(&st);
	sodium_memzero(tk, sizeof tk);
	sodium_memzero(ck1, sizeof ck1);
}

static void test_master_key_rotation(void **state)
{
	unsigned char m1[SEAL_KEY_BYTES], m2[SEAL_KEY_BYTES], tk_before[SEAL_KEY_BYTES], tk[SEAL_KEY_BYTES];
	struct stored st = {0};
	uint32_t id = 0;

	(void)state;
	seal_new_key(m1);
	seal_new_key(m2);
	store_tenant(m1, 1, &st);
	assert_int_equal(seal_unwrap_key(m1, "tenant-key:ten_1", st.tenant_key, tk_before), 0);
	char *contact_before = xstrdup(st.contact_key[0]), *email_before = xstrdup(st.email[0]);

	/* `botwerk keys rotate`: for each tenant still at key 1, re-wrap under key 2 */
	assert_int_equal(seal_wrapped_key_id(st.tenant_key, &id), 0);
	assert_int_equal(id, 1);
	char *rewrapped = NULL;
	assert_int_equal(seal_rewrap_key(m1, m2, 2, "tenant-key:ten_1", st.tenant_key, &rewrapped), 0);
	assert_non_null(rewrapped);
	assert_int_equal(seal_wrapped_key_id(rewrapped, &id), 0);
	assert_int_equal(id, 2);
	char *old_wrapped = st.tenant_key;
	st.tenant_key = rewrapped;

	/* same tenant key; contact keys and data untouched and still readable through the new master */
	assert_int_equal(seal_unwrap_key(m2, "tenant-key:ten_1", st.tenant_key, tk), 0);
	assert_memory_equal(tk, tk_before, sizeof tk);
	assert_string_equal(st.contact_key[0], contact_before);
	assert_string_equal(st.email[0], email_before);
	assert_contact_readable(m2, &st, 0);
	assert_contact_readable(m2, &st, 1);

	/* the old master no longer unwraps the new wrapped key, nor the new the old one */
	assert_unwrap_fails(m1, "tenant-key:ten_1", st.tenant_key);
	assert_unwrap_fails(m2, "tenant-key:ten_1", old_wrapped);

	/* re-wrapping fails cleanly with the wrong old key or ad, or a bad new id */
	char *out = (char *)&out;
	assert_int_equal(seal_rewrap_key(m2, m1, 3, "tenant-key:ten_1", old_wrapped, &out), -1);
	assert_null(out);
	out = (char *)&out;
	assert_int_equal(seal_rewrap_key(m1, m2, 2, "tenant-key:ten_2", old_wrapped, &out), -1);
	assert_null(out);
	out = (char *)&out;
	assert_int_equal(seal_rewrap_key(m1, m2, 0, "tenant-key:ten_1", old_wrapped, &out), -1);
	assert_null(out);
	out = (char *)&out;
	assert_int_equal(seal_rewrap_key(m1, NULL, 2, "tenant-key:ten_1", old_wrapped, &out), -1);
	assert_null(out);
	assert_int_equal(seal_rewrap_key(m1, m2, 2, "tenant-key:ten_1", old_wrapped, NULL), -1);

	free(old_wrapped);
	free(contact_before);
	free(email_before);
	stored_free(&st);
	sodium_memzero(tk, sizeof tk);
	sodium_memzero(tk_before, sizeof tk_before);
}

/* ---- blind index ------------------------------------------------------------------------------- */

static bool is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]) || !s[i])
			return false;
	return s[n] == '\0';
}

static void test_blind_index_known_answer(void **state)
{
	/* computed with Python hashlib: index key = blake2b(b"", digest_size=32, key=tenant_key,
	 * salt=(1).to_bytes(8, "little") + bytes(8), person=b"blindidx" + bytes(8)); index =
	 * blake2b(b"email\0max.mustermann@example.de", digest_size=32, key=index_key) */
	unsigned char tk[SEAL_KEY_BYTES], ik[SEAL_KEY_BYTES];
	char hex[SEAL_INDEX_HEX];

	(void)state;
	counting_key(tk, 0);
	seal_index_key(tk, ik);
	sodium_bin2hex(hex, sizeof hex, ik, sizeof ik);
	assert_string_equal(hex, "3ea7fdce18a8e074480d0a990dd164762f1f91bacdf5989aa117b35b4724e3a5");
	seal_blind_index(ik, SEAL_KIND_EMAIL, "max.mustermann@example.de", hex);
	assert_string_equal(hex, "efe0289cc3b6d47d22ca36ad652354540e1fa3b6358ccfa08469583775cb9eba");
}

static void test_blind_index_is_deterministic_per_tenant_and_kind(void **state)
{
	unsigned char t1[SEAL_KEY_BYTES], t2[SEAL_KEY_BYTES], i1[SEAL_KEY_BYTES], i1b[SEAL_KEY_BYTES],
		i2[SEAL_KEY_BYTES];
	char a[SEAL_INDEX_HEX], b[SEAL_INDEX_HEX], c[SEAL_INDEX_HEX];

	(void)state;
	seal_new_key(t1);
	seal_new_key(t2);
	seal_index_key(t1, i1);
	seal_index_key(t1, i1b);
	seal_index_key(t2, i2);
	assert_memory_equal(i1, i1b, sizeof i1);
	assert_memory_not_equal(i1, t1, sizeof i1); /* not the tenant key itself */
	assert_memory_not_equal(i1, i2, sizeof i1);

	/* same tenant, kind and value: same index, 64 lower-case hex characters */
	seal_blind_index(i1, SEAL_KIND_EMAIL, "max@example.de", a);
	seal_blind_index(i1b, SEAL_KIND_EMAIL, "max@example.de", b);
	assert_true(is_lower_hex(a, 64));
	assert_string_equal(a, b);

	/* another tenant, another kind, another value */
	seal_blind_index(i2, SEAL_KIND_EMAIL, "max@example.de", c);
	assert_string_not_equal(a, c);
	seal_blind_index(i1, SEAL_KIND_PHONE, "max@example.de", c);
	assert_string_not_equal(a, c);
	seal_blind_index(i1, SEAL_KIND_EMAIL, "max@example.d", c);
	assert_string_not_equal(a, c);
	seal_blind_index(i1, SEAL_KIND_EMAIL, "", c);
	assert_string_not_equal(a, c);

	/* kind and value do not run together */
	seal_blind_index(i1, "ab", "c", a);
	seal_blind_index(i1, "a", "bc", b);
	assert_string_not_equal(a, b);

	/* not a plain hash of the value */
	unsigned char h[32];
	char plain[SEAL_INDEX_HEX];
	crypto_generichash(h, sizeof h, (const unsigned char *)"email\0max@example.de", 20, NULL, 0);
	sodium_bin2hex(plain, sizeof plain, h, sizeof h);
	seal_blind_index(i1, SEAL_KIND_EMAIL, "max@example.de", a);
	assert_string_not_equal(a, plain);

	/* normalised variants of one address meet in one index */
	char n1[SEAL_EMAIL_MAX], n2[SEAL_EMAIL_MAX];
	assert_int_equal(seal_normalize_email(" Max.Mustermann@Example.DE ", n1, sizeof n1), 0);
	assert_int_equal(seal_normalize_email("max.mustermann@EXAMPLE.de", n2, sizeof n2), 0);
	seal_blind_index(i1, SEAL_KIND_EMAIL, n1, a);
	seal_blind_index(i1, SEAL_KIND_EMAIL, n2, b);
	assert_string_equal(a, b);
	sodium_memzero(i1, sizeof i1);
	sodium_memzero(i1b, sizeof i1b);
	sodium_memzero(i2, sizeof i2);
}

/* ---- normalisation ----------------------------------------------------------------------------- */

static void test_normalize_email(void **state)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{" Max.Mustermann@Example.DE ", "max.mustermann@example.de"},
		{"max.mustermann@example.de", "max.mustermann@example.de"},
		{"\t\r\nINFO@FIRMA.CO.UK\n", "info@firma.co.uk"},
		{"a@b.c", "a@b.c"},
		{"first+tag@sub-domain.example.com", "first+tag@sub-domain.example.com"},
		{"o'brien_1@x-1.de", "o'brien_1@x-1.de"},
		{"Jürgen@Müller.DE", "jürgen@müller.de"},   /* non-ASCII kept as is, ASCII lowered */
		{"ÄÖÜ.X@example.de", "ÄÖÜ.x@example.de"},   /* no Unicode case folding */
		{"用户@例子.广告", "用户@例子.广告"},
		{"xn--mller-kva@xn--mller-kva.de", "xn--mller-kva@xn--mller-kva.de"},
	};
	static const char *const bad[] = {
		"", "   ", "max", "max@", "@example.de", "max@example", "max@@example.de", "max@a@example.de",
		"max mustermann@example.de", "max@exa mple.de", "max@.example.de", "max@example.de.",
		"max@example..de", "max@-example.de", "max@example-.de", "max@exam_ple.de", "max@[127.0.0.1]",
		"Max <max@example.de>", "<max@example.de>", "max@example.de>", "\"max\"@example.de",
		"max,moritz@example.de", "max;@example.de", "ma\\x@example.de", "max@example.de\x01",
		"ma\x7fx@example.de", "m\xc3@example.de", "m\xc0\xaf@example.de", "m\xed\xa0\x80@example.de",
		"m\xff@example.de", "max@exam\x7fple.de",
	};
	char out[SEAL_EMAIL_MAX], buf[600];

	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		memset(out, 'Z', sizeof out);
		if (seal_normalize_email(ok[i].in, out, sizeof out) != 0)
			fail_msg("refused \"%s\"", ok[i].in);
		assert_string_equal(out, ok[i].out);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(out, 'Z', sizeof out);
		if (seal_normalize_email(bad[i], out, sizeof out) != -1)
			fail_msg("accepted \"%s\" as \"%s\"", bad[i], out);
		assert_string_equal(out, "");
	}

	/* lengths: local part ≤ 64, labels ≤ 63, whole ≤ 254 */
	char local[66];
	memset(local, 'a', 64);
	local[64] = '\0';
	snprintf(buf, sizeof buf, "%s@example.de", local);
	assert_int_equal(seal_normalize_email(buf, out, sizeof out), 0);
	local[64] = 'a';
	local[65] = '\0';
	snprintf(buf, sizeof buf, "%s@example.de", local);
	assert_int_equal(seal_normalize_email(buf, out, sizeof out), -1);
	char label[70];
	memset(label, 'b', sizeof label);
	label[63] = '\0';
	snprintf(buf, sizeof buf, "a@%s.de", label);
	assert_int_equal(seal_normalize_email(buf, out, sizeof out), 0);
	label[63] = 'b';
	label[64] = '\0';
	snprintf(buf, sizeof buf, "a@%s.de", label);
	assert_int_equal(seal_normalize_email(buf, out, sizeof out), -1);
	/* 254 bytes: "a@" + 4 labels of 61 + dots... built exactly */
	label[61] = '\0';
	snprintf(buf, sizeof buf, "%s@%s.%s.%s.%s", "aaaaaaaaa", label, label, label, label); /* 9+1+4*61+3 = 257 */
	assert_int_equal(strlen(buf), 257);
	assert_int_equal(seal_normalize_email(buf, out, sizeof out), -1);
	snprintf(buf, sizeof buf, "%s@%s.%s.%s.%s", "aaaaaa", label, label, label, label); /* 254 */
	assert_int_equal(strlen(buf), 254);
	assert_int_equal(seal_normalize_email(buf, out, sizeof out), 0);
	assert_int_equal(strlen(out), 254);
	/* surrounding white space does not count against the limit */
	char padded[700];
	snprintf(padded, sizeof padded, "     %s     ", buf);
	assert_int_equal(seal_normalize_email(padded, out, sizeof out), 0);

	/* the output buffer must fit; otherwise nothing partial is left */
	assert_int_equal(seal_normalize_email("a@b.de", out, 7), 0);
	assert_string_equal(out, "a@b.de");
	memset(out, 'Z', sizeof out);
	assert_int_equal(seal_normalize_email("a@b.de", out, 6), -1);
	assert_string_equal(out, "");
	assert_int_equal(seal_normalize_email("a@b.de", out, 0), -1);
	assert_int_equal(seal_normalize_email(NULL, out, sizeof out), -1);
	assert_int_equal(seal_normalize_email("a@b.de", NULL, 10), -1);
}

static void test_normalize_phone(void **state)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{"+491701234567", "+491701234567"},
		{" +49 170 1234567 ", "+491701234567"},
		{"+49 (0)170 1234567", "+491701234567"},
		{"+49 (0) 170-123 45 67", "+491701234567"},
		{"+44 (0)20 7946 0958", "+442079460958"},
		{"0049 170 1234567", "+491701234567"},
		{"+1 (555) 010-9999", "+15550109999"},
		{"+41.44.668.18.00", "+41446681800"},
		{"+43/1/53422", "+43153422"},
		{"+6834002", "+6834002"},              /* 7 digits (Niue) */
		{"+123456789012345", "+123456789012345"}, /* 15 digits */
		{"\t+49\t30\t901820\n", "+4930901820"},
	};
	static const char *const bad[] = {
		"", " ", "+", "00", "0170 1234567", "170 1234567", "+0170 1234567", "000049 170 1234567",
		"+123456", "+1234567890123456", "+49 170 1234567 ext. 12", "+49 170 1234567#12", "+49 170 123456x",
		"+49 170 1234567\n2", "++491701234567", "+49+1701234567", "+(0)491701234567", "0 049 170 1234567",
		"+49 170 12345678901234", "+49\302\2401701234567" /* no-break space */, "tel:+491701234567",
		"+４９1701234567", /* full-width digits */
	};
	char out[SEAL_PHONE_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		memset(out, 'Z', sizeof out);
		if (seal_normalize_phone(ok[i].in, out, sizeof out) != 0)
			fail_msg("refused \"%s\"", ok[i].in);
		assert_string_equal(out, ok[i].out);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(out, 'Z', sizeof out);
		if (seal_normalize_phone(bad[i], out, sizeof out) != -1)
			fail_msg("accepted \"%s\" as \"%s\"", bad[i], out);
		assert_string_equal(out, "");
	}

	/* the output buffer must fit */
	assert_int_equal(seal_normalize_phone("+49 30 901820", out, 12), 0);
	assert_string_equal(out, "+4930901820");
	memset(out, 'Z', sizeof out);
	assert_int_equal(seal_normalize_phone("+49 30 901820", out, 11), -1);
	assert_string_equal(out, "");
	assert_int_equal(seal_normalize_phone("+4930901820", out, 0), -1);
	assert_int_equal(seal_normalize_phone(NULL, out, sizeof out), -1);
	assert_int_equal(seal_normalize_phone("+4930901820", NULL, 10), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_known_answer_decrypts),
		cmocka_unit_test(test_output_follows_the_documented_format),
		cmocka_unit_test(test_nonces_differ),
		cmocka_unit_test(test_ciphertext_does_not_contain_the_plaintext),
		cmocka_unit_test(test_encrypt_refuses_bad_arguments),
		cmocka_unit_test(test_wrong_key_or_ad_fails),
		cmocka_unit_test(test_tampering_fails),
		cmocka_unit_test(test_malformed_text_fails),
		cmocka_unit_test(test_size_caps),
		cmocka_unit_test(test_is_sealed),
		cmocka_unit_test(test_wrap_round_trip_and_format),
		cmocka_unit_test(test_wrap_known_answer),
		cmocka_unit_test(test_unwrap_refuses),
		cmocka_unit_test(test_wrapped_keys_and_data_do_not_mix),
		cmocka_unit_test(test_hierarchy_master_tenant_contact_data),
		cmocka_unit_test(test_erasing_a_contact_key_makes_its_data_unreadable),
		cmocka_unit_test(test_master_key_rotation),
		cmocka_unit_test(test_blind_index_known_answer),
		cmocka_unit_test(test_blind_index_is_deterministic_per_tenant_and_kind),
		cmocka_unit_test(test_normalize_email),
		cmocka_unit_test(test_normalize_phone),
	};

	return cmocka_run_group_tests_name("seal", tests, setup, NULL);
}
