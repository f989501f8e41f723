/*
 * test_headers.c — unit tests for src/http/headers.c: when a static asset may be sent gzip-compressed,
 * and when a client's cached copy is still current (304).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "http/headers.h"

static void test_gzip_is_accepted_when_listed_without_q0(void **state)
{
	(void)state;
	const char *yes[] = {"gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.8", "GZIP", " gzip ;q=0.001",
			     "deflate,gzip", "gzip;q=1", "gzip; Q=0.5"};
	const char *no[] = {"", "deflate, br", "gzip;q=0", "gzip;q=0.0", "gzip ; q=0.000", "x-gzip", "gzipx",
			    "identity", "*", ",,,", "br;q=0.5, gzip;q=0"};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!header_accepts_gzip(yes[i]))
			fail_msg("\"%s\" should allow gzip", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (header_accepts_gzip(no[i]))
			fail_msg("\"%s\" should not allow gzip", no[i]);
	assert_false(header_accepts_gzip(NULL));
}

static void test_if_none_match_lists_and_weak_tags(void **state)
{
	(void)state;
	const char *tag = "\"0123456789abcdef\"";
	assert_true(header_etag_matches("\"0123456789abcdef\"", tag));
	assert_true(header_etag_matches("\"x\", \"0123456789abcdef\"", tag));
	assert_true(header_etag_matches("W/\"0123456789abcdef\"", tag));
	assert_true(header_etag_matches("*", tag));
	assert_true(header_etag_matches(" \"0123456789abcdef\" ,", tag));
	assert_false(header_etag_matches("\"0123456789abcdee\"", tag));
	assert_false(header_etag_matches("\"0123456789abcdef\"x", tag));
	assert_false(header_etag_matches("0123456789abcdef", tag));
	assert_false(header_etag_matches("\"0123456789abcdef", tag));
	assert_false(header_etag_matches("", tag));
	assert_false(header_etag_matches("**", tag));
	assert_false(header_etag_matches(NULL, tag));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gzip_is_accepted_when_listed_without_q0),
		cmocka_unit_test(test_if_none_match_lists_and_weak_tags),
	};
	return cmocka_run_group_tests_name("headers", tests, NULL, NULL);
}
