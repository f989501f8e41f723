/*
 * test_text.c — base/text.h: the one UTF-8 decoder the parsers share (RFC 3629's well-formed sequences and
 * nothing else), cutting on a character boundary, hex digits and the error buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/text.h"

#define U(s) ((const unsigned char *)(s))

static void test_utf8_decode(void **state)
{
	(void)state;
	uint32_t cp = 0;
	assert_int_equal(utf8_decode(U("A"), 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(utf8_decode(U("\xC3\xA4"), 2, &cp), 2); /* ä */
	assert_int_equal(cp, 0xE4);
	assert_int_equal(utf8_decode(U("\xE2\x82\xAC"), 3, &cp), 3); /* € */
	assert_int_equal(cp, 0x20AC);
	assert_int_equal(utf8_decode(U("\xF0\x9F\x98\x80"), 4, &cp), 4); /* U+1F600 */
	assert_int_equal(cp, 0x1F600);
	assert_int_equal(utf8_decode(U("\xF4\x8F\xBF\xBF"), 4, NULL), 4); /* U+10FFFF, cp may be NULL */
	/* not well-formed */
	assert_int_equal(utf8_decode(U(""), 0, &cp), 0);
	assert_int_equal(utf8_decode(U("\xC3\xA4"), 1, &cp), 0);          /* cut short */
	assert_int_equal(utf8_decode(U("\xC0\xAF"), 2, &cp), 0);          /* overlong "/" */
	assert_int_equal(utf8_decode(U("\xE0\x80\xAF"), 3, &cp), 0);      /* overlong */
	assert_int_equal(utf8_decode(U("\xED\xA0\x80"), 3, &cp), 0);      /* surrogate U+D800 */
	assert_int_equal(utf8_decode(U("\xF4\x90\x80\x80"), 4, &cp), 0);  /* past U+10FFFF */
	assert_int_equal(utf8_decode(U("\xF5\x80\x80\x80"), 4, &cp), 0);
	assert_int_equal(utf8_decode(U("\x80"), 1, &cp), 0);              /* a lone continuation byte */
	assert_int_equal(utf8_decode(U("\xC3\x28"), 2, &cp), 0);
}

static void test_utf8_prefix_and_hex(void **state)
{
	(void)state;
	const char *s = "a\xC3\xA4\xE2\x82\xAC"; /* a ä € : 1 + 2 + 3 bytes */
	assert_int_equal(utf8_prefix(s, 6, 10), 6);
	assert_int_equal(utf8_prefix(s, 6, 5), 3);
	assert_int_equal(utf8_prefix(s, 6, 2), 1);
	assert_int_equal(utf8_prefix(s, 6, 0), 0);
	assert_int_equal(hex_value('0'), 0);
	assert_int_equal(hex_value('9'), 9);
	assert_int_equal(hex_value('a'), 10);
	assert_int_equal(hex_value('F'), 15);
	assert_int_equal(hex_value('g'), -1);
	assert_int_equal(hex_value('@'), -1);
	assert_int_equal(hex_value((char)0xC3), -1);
}

static void test_errbuf_set(void **state)
{
	(void)state;
	char err[8];
	assert_int_equal(errbuf_set(err, sizeof err, "%s %d", "zu lang", 42), -1);
	assert_string_equal(err, "zu lang");
	assert_int_equal(errbuf_set(NULL, 0, "x"), -1);
	assert_int_equal(errbuf_set(err, 0, "y"), -1);
	assert_string_equal(err, "zu lang");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_decode),
		cmocka_unit_test(test_utf8_prefix_and_hex),
		cmocka_unit_test(test_errbuf_set),
	};
	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
