/*
 * test_crypto.c — unit tests for src/base/crypto.c: the ids and API keys clients see (shape, uniqueness,
 * time order), which ids the API accepts as well-formed, the stored key hash and master key parsing.
 * Only public functions are used.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"

/* ---- helpers ------------------------------------------------------------------------------------ */

#define ID_MAX 64

static int setup(void **state)
{
	(void)state;
	return crypto_init() == 0 ? 0 : -1;
}

static bool all_base32(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '2' && *s <= '7')))
			return false;
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* Fails when two of the `n` rows of `ids` (each `width` bytes) are equal. */
static void assert_all_different(char *ids, size_t n, size_t width)
{
	qsort(ids, n, width, cmp_str);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(ids + (i - 1) * width, ids + i * width))
			fail_msg("id drawn twice: %s", ids + i * width);
}

/* ---- random ids -------------------------------------------------------------------------------- */

static void test_random_ids_have_prefix_and_24_base32_chars(void **state)
{
	char id[ID_MAX];

	(void)state;
	crypto_random_id("bot", id, sizeof id);
	assert_int_equal(strlen(id), 4 + 24);
	assert_memory_equal(id, "bot_", 4);
	assert_true(all_base32(id + 4));
	assert_true(crypto_id_valid("bot", id));

	crypto_random_id("src", id, sizeof id);
	assert_int_equal(strlen(id), 4 + 24);
	assert_memory_equal(id, "src_", 4);
	assert_true(crypto_id_valid("src", id));
	assert_false(crypto_id_valid("bot", id));

	/* out is exactly strlen(prefix) + 26 bytes */
	char tight[3 + 26];
	crypto_random_id("bot", tight, sizeof tight);
	assert_int_equal(strlen(tight), 28);
	assert_true(crypto_id_valid("bot", tight));
}

static void test_random_ids_are_all_different(void **state)
{
	enum { N = 10000, W = 32 };
	char *ids = malloc((size_t)N * W);

	(void)state;
	assert_non_null(ids);
	for (size_t i = 0; i < N; i++) {
		crypto_random_id("bot", ids + i * W, W);
		assert_true(crypto_id_valid("bot", ids + i * W));
	}
	assert_all_different(ids, N, W);
	free(ids);
}

static void test_random_ids_use_the_whole_alphabet(void **state)
{
	/* 120 random bits each: every base32 character shows up at every position of 2000 ids */
	bool seen[24][32] = {{false}};
	char id[ID_MAX];

	(void)state;
	for (int n = 0; n < 2000; n++) {
		crypto_random_id("x", id, sizeof id);
		for (int i = 0; i < 24; i++) {
			char c = id[2 + i];
			seen[i][c >= 'a' ? c - 'a' : 26 + c - '2'] = true;
		}
	}
	for (int i = 0; i < 24; i++)
		for (int c = 0; c < 32; c++)
			if (!seen[i][c])
				fail_msg("position %d never shows character %d", i, c);
}

/* ---- time-ordered ids -------------------------------------------------------------------------- */

static void test_time_ids_have_34_chars(void **state)
{
	char id[ID_MAX];

	(void)state;
	crypto_time_id("msg", 1700000000000, id, sizeof id);
	assert_int_equal(strlen(id), 4 + 34);
	assert_memory_equal(id, "msg_", 4);
	assert_true(all_base32(id + 4));
	assert_true(crypto_id_valid("msg", id));

	crypto_time_id("conv", 0, id, sizeof id);
	assert_int_equal(strlen(id), 5 + 34);
	assert_true(crypto_id_valid("conv", id));
	assert_memory_equal(id + 5, "2222222222", 10); /* time zero: the lowest digit, "2" */

	/* the largest 48-bit time */
	crypto_time_id("msg", (int64_t)0xFFFFFFFFFFFF, id, sizeof id);
	assert_int_equal(strlen(id), 4 + 34);
	assert_true(crypto_id_valid("msg", id));
}

static void test_time_ids_sort_by_time(void **state)
{
	static const int64_t edges[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 31, 32, 33, 255, 256, 1023, 1024, 65535, 65536, 1699999999999, 1700000000000,
		1700000000001, 1700000000999, 1700000001000, 4102444800000 /* 2100 */, (int64_t)0xFFFFFFFFFFFE,
		(int64_t)0xFFFFFFFFFFFF,
	};
	char prev[ID_MAX], cur[ID_MAX];

	(void)state;
	crypto_time_id("msg", edges[0], prev, sizeof prev);
	for (size_t i = 1; i < sizeof edges / sizeof edges[0]; i++) {
		crypto_time_id("msg", edges[i], cur, sizeof cur);
		if (strcmp(prev, cur) >= 0)
			fail_msg("id at %lld (%s) does not sort before id at %lld (%s)", (long long)edges[i - 1], prev,
				 (long long)edges[i], cur);
		memcpy(prev, cur, sizeof cur);
	}

	/* 10k ids, each a few ms after the last, whatever their random part */
	int64_t t = 1700000000000;
	crypto_time_id("msg", t, prev, sizeof prev);
	for (int i = 0; i < 10000; i++) {
		t += 1 + i % 7;
		crypto_time_id("msg", t, cur, sizeof cur);
		if (strcmp(prev, cur) >= 0)
			fail_msg("%s !< %s at %lld", prev, cur, (long long)t);
		memcpy(prev, cur, sizeof cur);
	}
}

static void test_time_ids_of_the_same_ms_differ(void **state)
{
	enum { N = 10000, W = 48 };
	char *ids = malloc((size_t)N * W);

	(void)state;
	assert_non_null(ids);
	for (size_t i = 0; i < N; i++)
		crypto_time_id("msg", 1700000000000, ids + i * W, W);
	/* same time part */
	for (size_t i = 1; i < N; i++)
		assert_memory_equal(ids, ids + i * W, 4 + 10);
	assert_all_different(ids, N, W);
	free(ids);
}

/* ---- validation -------------------------------------------------------------------------------- */

static void test_id_valid_accepts_both_forms(void **state)
{
	(void)state;
	assert_true(crypto_id_valid("bot", "bot_abcdefghijklmnopqrstuvwx"));
	assert_true(crypto_id_valid("bot", "bot_234567234567234567234567"));
	assert_true(crypto_id_valid("msg", "msg_aaaaaaaaaaabcdefghijklmnopqrstuvwx"));
	assert_true(crypto_id_valid("", "_abcdefghijklmnopqrstuvwx"));
}

static void test_id_valid_refuses_malformed_ids(void **state)
{
	static const char *const bad[] = {
		"",
		"bot",
		"bot_",
		"src_abcdefghijklmnopqrstuvwx",      /* wrong prefix */
		"bots_abcdefghijklmnopqrstuvwx",     /* longer prefix */
		"bo_abcdefghijklmnopqrstuvwxy",      /* shorter prefix */
		"botabcdefghijklmnopqrstuvwx",       /* no underscore */
		"bot-abcdefghijklmnopqrstuvwx",      /* other separator */
		"BOT_abcdefghijklmnopqrstuvwx",      /* upper-case prefix */
		"bot_abcdefghijklmnopqrstuvw",       /* 23 */
		"bot_abcdefghijklmnopqrstuvwxy",     /* 25 */
		"bot_aaaaaaaaaaabcdefghijklmnopqrstuvw",   /* 33 */
		"bot_aaaaaaaaaaabcdefghijklmnopqrstuvwxy", /* 35 */
		"bot_ABCDEFGHIJKLMNOPQRSTUVWX",      /* upper case */
		"bot_abcdefghijklmnopqrstuvwX",
		"bot_abcdefghijklmnopqrstuvw0",      /* 0, 1, 8, 9 are not base32 */
		"bot_abcdefghijklmnopqrstuvw1",
		"bot_abcdefghijklmnopqrstuvw8",
		"bot_abcdefghijklmnopqrstuvw9",
		"bot_abcdefghijklmnopqrstuvw=",      /* padding */
		"bot_abcdefghijklmnopqrstuvw-",
		"bot_abcdefghijklmnopqrstuv_x",
		"bot_abcdefghijklmnopqrstuvw ",
		"bot_abcdefghijklmnopqrstuvw/",
		"bot_abcdefghijklmnopqrstuv\xC3\xA4",
		"bot_abcdefghijklmnopqrstuvwx\n",
		" bot_abcdefghijklmnopqrstuvwx",
		"bot__bcdefghijklmnopqrstuvwx",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (crypto_id_valid("bot", bad[i]))
			fail_msg("accepted \"%s\"", bad[i]);
	/* an id with a NUL in it stops there, and is then too short */
	assert_false(crypto_id_valid("bot", "bot_abcdefghijkl\0mnopqrstuvwx"));
}

/* ---- API keys ---------------------------------------------------------------------------------- */

static void test_api_keys_have_prefix_and_256_bits(void **state)
{
	char key[64];

	(void)state;
	crypto_new_api_key(key, sizeof key);
	assert_int_equal(strlen(key), 4 + 52);
	assert_memory_equal(key, "bwk_", 4);
	assert_true(all_base32(key + 4));
	/* 256 bits in 52 characters: the last one carries 1 bit and 4 zero bits (digit 0 or 16) */
	assert_true(key[55] == '2' || key[55] == 'k');
}

static void test_api_keys_are_all_different(void **state)
{
	enum { N = 5000, W = 64 };
	char *keys = malloc((size_t)N * W);

	(void)state;
	assert_non_null(keys);
	for (size_t i = 0; i < N; i++)
		crypto_new_api_key(keys + i * W, W);
	assert_all_different(keys, N, W);
	free(keys);
}

/* ---- key hashing and master keys --------------------------------------------------------------- */

static void test_key_hash_depends_on_master_and_key(void **state)
{
	unsigned char m1[CRYPTO_KEY_BYTES], m2[CRYPTO_KEY_BYTES];
	unsigned char h1[32], h1b[32], h2[32], h3[32], h4[32];
	char key[64], other[64];

	(void)state;
	crypto_random_key(m1);
	memcpy(m2, m1, sizeof m2);
	m2[31] ^= 1; /* one bit of the master key */
	crypto_new_api_key(key, sizeof key);
	crypto_new_api_key(other, sizeof other);

	crypto_key_hash(m1, key, strlen(key), h1);
	crypto_key_hash(m1, key, strlen(key), h1b);
	assert_memory_equal(h1, h1b, 32); /* stable: the store can look the key up */
	crypto_key_hash(m2, key, strlen(key), h2);
	assert_memory_not_equal(h1, h2, 32);
	crypto_key_hash(m1, other, strlen(other), h3);
	assert_memory_not_equal(h1, h3, 32);
	crypto_key_hash(m1, key, strlen(key) - 1, h4); /* every byte of the key counts */
	assert_memory_not_equal(h1, h4, 32);
	/* it is not the key, nor plain BLAKE2b without the master key */
	unsigned char zero[CRYPTO_KEY_BYTES] = {0};
	crypto_key_hash(zero, key, strlen(key), h4);
	assert_memory_not_equal(h1, h4, 32);
}

static void test_key_hash_known_answer(void **state)
{
	/* keyed BLAKE2b-256 (RFC 7693) of "abc" under key 00..1f; computed independently with Python
	 * hashlib.blake2b(b"abc", digest_size=32, key=bytes(range(32))) */
	unsigned char master[CRYPTO_KEY_BYTES], out[32];
	char hex[65];

	(void)state;
	for (int i = 0; i < CRYPTO_KEY_BYTES; i++)
		master[i] = (unsigned char)i;
	crypto_key_hash(master, "abc", 3, out);
	crypto_hex(out, 32, hex);
	assert_string_equal(hex, "d63a32d3e44738d7907f964316c241adaba0abfeabc32349677578a15a203f7f");
}

static void test_hex_key_parsing(void **state)
{
	unsigned char k[CRYPTO_KEY_BYTES];
	char hex[80], back[65];

	(void)state;
	assert_int_equal(crypto_hex_key("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", k), 0);
	for (int i = 0; i < CRYPTO_KEY_BYTES; i++)
		assert_int_equal(k[i], i);
	crypto_hex(k, sizeof k, back);
	assert_string_equal(back, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

	assert_int_equal(crypto_hex_key("FFEEDDCCBBAA99887766554433221100ffeeddccbbaa99887766554433221100", k), 0);
	assert_int_equal(k[0], 0xff);
	assert_int_equal(k[15], 0x00);
	assert_int_equal(k[16], 0xff);

	/* random keys round-trip */
	unsigned char r[CRYPTO_KEY_BYTES];
	crypto_random_key(r);
	crypto_hex(r, sizeof r, back);
	assert_int_equal(strlen(back), 64);
	assert_int_equal(crypto_hex_key(back, k), 0);
	assert_memory_equal(k, r, sizeof r);

	/* malformed */
	assert_int_equal(crypto_hex_key("", k), -1);
	assert_int_equal(crypto_hex_key("00", k), -1);
	snprintf(hex, sizeof hex, "%.63s", back);
	assert_int_equal(crypto_hex_key(hex, k), -1); /* 63 */
	snprintf(hex, sizeof hex, "%s0", back);
	assert_int_equal(crypto_hex_key(hex, k), -1); /* 65 */
	snprintf(hex, sizeof hex, "%s", back);
	hex[0] = 'g';
	assert_int_equal(crypto_hex_key(hex, k), -1);
	snprintf(hex, sizeof hex, "%s", back);
	hex[63] = 'z';
	assert_int_equal(crypto_hex_key(hex, k), -1);
	snprintf(hex, sizeof hex, "%s", back);
	hex[20] = ' ';
	assert_int_equal(crypto_hex_key(hex, k), -1);
	snprintf(hex, sizeof hex, "%s", back);
	hex[31] = ':';
	assert_int_equal(crypto_hex_key(hex, k), -1);
}

static void test_random_keys_and_hex_differ(void **state)
{
	unsigned char a[CRYPTO_KEY_BYTES], b[CRYPTO_KEY_BYTES];
	char h1[33], h2[33];

	(void)state;
	crypto_random_key(a);
	crypto_random_key(b);
	assert_memory_not_equal(a, b, sizeof a);

	crypto_random_hex(h1, 32);
	crypto_random_hex(h2, 32);
	assert_int_equal(strlen(h1), 32);
	assert_string_not_equal(h1, h2);
	for (int i = 0; i < 32; i++)
		assert_non_null(strchr("0123456789abcdef", h1[i]));
	crypto_random_hex(h1, 0);
	assert_string_equal(h1, "");

	char h3[65];
	crypto_random_hex(h3, 64);
	assert_int_equal(strlen(h3), 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_ids_have_prefix_and_24_base32_chars),
		cmocka_unit_test(test_random_ids_are_all_different),
		cmocka_unit_test(test_random_ids_use_the_whole_alphabet),
		cmocka_unit_test(test_time_ids_have_34_chars),
		cmocka_unit_test(test_time_ids_sort_by_time),
		cmocka_unit_test(test_time_ids_of_the_same_ms_differ),
		cmocka_unit_test(test_id_valid_accepts_both_forms),
		cmocka_unit_test(test_id_valid_refuses_malformed_ids),
		cmocka_unit_test(test_api_keys_have_prefix_and_256_bits),
		cmocka_unit_test(test_api_keys_are_all_different),
		cmocka_unit_test(test_key_hash_depends_on_master_and_key),
		cmocka_unit_test(test_key_hash_known_answer),
		cmocka_unit_test(test_hex_key_parsing),
		cmocka_unit_test(test_random_keys_and_hex_differ),
	};

	return cmocka_run_group_tests_name("crypto", tests, setup, NULL);
}
