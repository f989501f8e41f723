/*
 * test_robots.c — unit tests for src/ingest/robots.c: groups by user agent, longest-match precedence,
 * allow/disallow ties, "*" and "$", percent-encoding, Crawl-delay, Sitemap lines, the 500 KiB cap.
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
#include <time.h>

#include "ingest/robots.h"

static struct robots *parse(const char *text)
{
	struct robots *r = robots_parse(text, strlen(text), ROBOTS_AGENT);
	assert_non_null(r);
	return r;
}

#define ALLOWED(r, p) assert_true(robots_allowed((r), (p)))
#define BLOCKED(r, p) assert_false(robots_allowed((r), (p)))

/* ---- groups ------------------------------------------------------------------------------------------- */

static void our_group_wins_over_star(void **state)
{
	(void)state;
	struct robots *r = parse("User-agent: *\n"
				 "Disallow: /\n"
				 "\n"
				 "User-agent: botwerk\n"
				 "Disallow: /intern/\n");
	ALLOWED(r, "/");
	ALLOWED(r, "/team.html");
	BLOCKED(r, "/intern/");
	BLOCKED(r, "/intern/plan.html");
	assert_int_equal(robots_nrules(r), 1);
	robots_free(r);
}

static void star_group_when_not_named(void **state)
{
	(void)state;
	struct robots *r = parse("User-agent: googlebot\n"
				 "Disallow: /\n"
				 "User-agent: *\n"
				 "Disallow: /intern/\n");
	ALLOWED(r, "/kontakt");
	BLOCKED(r, "/intern/x");
	robots_free(r);
}

static void no_group_applies_allows_all(void **state)
{
	(void)state;
	struct robots *r = parse("User-agent: googlebot\nDisallow: /\n");
	ALLOWED(r, "/");
	ALLOWED(r, "/anything");
	assert_int_equal(robots_nrules(r), 0);
	robots_free(r);
}

static void empty_own_group_allows_all(void **state)
{
	(void)state;
	/* A group that names us without rules beats the star group: we may fetch everything. */
	struct robots *r = parse("User-agent: *\nDisallow: /\n\nUser-agent: botwerk\n\n");
	ALLOWED(r, "/seite");
	robots_free(r);
}

static void agent_matching_is_case_insensitive_on_the_token(void **state)
{
	(void)state;
	struct robots *r = parse("User-agent: BotWerk/1.0\nDisallow: /a\n");
	BLOCKED(r, "/a");
	robots_free(r);
	r = parse("user-agent: BOTWERK\nDisallow: /b\n");
	BLOCKED(r, "/b");
	robots_free(r);
	/* Another product that merely starts with our name is not us. */
	r = parse("User-agent: botwerkzeug\nDisallow: /c\nUser-agent: botwerk-news\nDisallow: /d\n");
	ALLOWED(r, "/c");
	ALLOWED(r, "/d");
	robots_free(r);
	/* A NULL agent only reads the star groups. */
	const char *t = "User-agent: botwerk\nDisallow: /x\nUser-agent: *\nDisallow: /y\n";
	r = robots_parse(t, strlen(t), NULL);
	assert_non_null(r);
	ALLOWED(r, "/x");
	BLOCKED(r, "/y");
	robots_free(r);
}

static void groups_naming_us_are_merged(void **state)
{
	(void)state;
	struct robots *r = parse("User-agent: botwerk\nDisallow: /eins/\n"
				 "User-agent: other\nDisallow: /zwei/\n"
				 "User-agent: botwerk\nDisallow: /drei/\n");
	BLOCKED(r, "/eins/x");
	ALLOWED(r, "/zwei/x");
	BLOCKED(r, "/drei/x");
	assert_int_equal(robots_nrules(r), 2);
	robots_free(r);
}

static void consecutive_agents_share_a_group(void **state)
{
	(void)state;
	struct robots *r = parse("User-agent: a\nUser-agent: botwerk\nUser-agent: b\nDisallow: /geteilt\n"
				 "User-agent: c\nDisallow: /nur-c\n");
	BLOCKED(r, "/geteilt");
	ALLOWED(r, "/nur-c");
	robots_free(r);
	/* A user-agent line after rules starts a new group: the rule below belongs to "c" only. */
	r = parse("User-agent: botwerk\nDisallow: /x\nUser-agent: c\nDisallow: /y\n");
	BLOCKED(r, "/x");
	ALLOWED(r, "/y");
	robots_free(r);
}

static void rules_before_any_agent_are_ignored(void **state)
{
	(void)state;
	struct robots *r = parse("Disallow: /\nUser-agent: *\nDisallow: /intern/\n");
	ALLOWED(r, "/");
	BLOCKED(r, "/intern/");
	robots_free(r);
}

static void field_names_case_comments_and_line_ends(void **state)
{
	(void)state;
	struct robots *r = parse("\xEF\xBB\xBF# Kommentar\r\n"
				 "USER-AGENT :  *   # alle\r\n"
				 "DisAllow:/privat  # nicht\r"
				 "useragent: ignoriert-weil-nach-regel\n"
				 "allow: /x\n"
				 "Unbekannt: egal\n"
				 "ohne doppelpunkt\n");
	BLOCKED(r, "/privat");
	BLOCKED(r, "/privat/datei");
	ALLOWED(r, "/x");
	robots_free(r);
}

/* ---- precedence --------------------------------------------------------------------------------------- */

static void longest_match_wins(void **state)
{
	(void)state;
	struct robots *r = parse("User-agent: *\n"
				 "Allow: /katalog/seite/\n"
				 "Disallow: /katalog/\n"
				 "Disallow: /katalog/seite/bild.gif\n");
	BLOCKED(r, "/katalog/");
	BLOCKED(r, "/katalog/andere");
	ALLOWED(r, "/katalog/seite/");
	ALLOWED(r, "/katalog/seite/text.html");
	BLOCKED(r, "/katalog/seite/bild.gif");
	ALLOWED(r, "/");
	robots_free(r);
	/* Order in the file does not matter. */
	r = parse("User-agent: *\nDisallow: /\nAllow: /oeffentlich\n");
	ALLOWED(r, "/oeffentlich/a");
	BLOCKED(r, "/anderes");
	robots_free(r);
}

static void allow_wins_a_tie(void **state)
{
	(void)state;
	struct robots *r = parse("User-agent: *\nDisallow: /seite\nAllow: /seite\n");
	ALLOWED(r, "/seite");
	ALLOWED(r, "/seite2");
	robots_free(r);
	// Equal length with wildcards: "/*.htm" and "/a.htm" are both six octets.
	r = parse("User-agent: *\nDisallow: /a.htm\nAllow: /*.htm\n");
	ALLOWED(r, "/a.htm");
	robots_free(r);
}

static void empty_values_are_no_rules(void **state)
{
	(void)state;
	struct robots *r = parse("User-agent: *\nDisallow:\n");
	ALLOWED(r, "/");
	ALLOWED(r, "/x");
	assert_int_equal(robots_nrules(r), 0);
	robots_free(r);
}

static void robots_txt_itself_is_always_allowed(void **state)
{
	(void)state;
	struct robots *r = parse("User-agent: *\nDisallow: /\n");
	BLOCKED(r, "/");
	BLOCKED(r, "");
	ALLOWED(r, "/robots.txt");
	robots_free(r);
}

/* ---- wildcards and anchors ----------------------------------------------------------------------------- */

static void star_matches_any_run(void **state)
{
	(void)state;
	struct robots *r = parse("User-agent: *\nDisallow: /fisch*\nDisallow: /*/privat/\n");
	BLOCKED(r, "/fisch");
	BLOCKED(r, "/fisch.html");
	BLOCKED(r, "/fischkopf/suppe");
	ALLOWED(r, "/Fisch.html"); /* paths are case-sensitive */
	ALLOWED(r, "/katzenfisch");
	BLOCKED(r, "/a/privat/b");
	BLOCKED(r, "/a/b/privat/");
	ALLOWED(r, "/privat/");
	robots_free(r);
}

static void dollar_anchors_the_end(void **state)
{
	(void)state;
	struct robots *r = parse("User-agent: *\nDisallow: /*.php$\nAllow: /$\nDisallow: /\n");
	ALLOWED(r, "/");
	BLOCKED(r, "/index.html");
	robots_free(r);
	r = parse("User-agent: *\nDisallow: /*.php$\n");
	BLOCKED(r, "/index.php");
	BLOCKED(r, "/ordner/datei.php");
	ALLOWED(r, "/index.php?x=1");
	ALLOWED(r, "/index.php5");
	ALLOWED(r, "/datei.php/");
	robots_free(r);
	/* A "$" inside a pattern is an ordinary character. */
	r = parse("User-agent: *\nDisallow: /preis$liste\n");
	BLOCKED(r, "/preis$liste");
	ALLOWED(r, "/preis");
	robots_free(r);
}

static void query_is_part_of_the_path(void **state)
{
	(void)state;
	struct robots *r = parse("User-agent: *\nDisallow: /*?sessionid=\nDisallow: /suche?\nDisallow: /*&sid=\n");
	BLOCKED(r, "/seite?sessionid=42");
	ALLOWED(r, "/a/b?x=1&sessionid=2"); /* "?" is literal: it must come right before "sessionid" */
	BLOCKED(r, "/a/b?x=1&sid=2");       /* "*" also runs over "?" */
	ALLOWED(r, "/seite?id=42");
	BLOCKED(r, "/suche?q=brot");
	ALLOWED(r, "/suche");
	robots_free(r);
}

static void patterns_without_slash(void **state)
{
	(void)state;
	struct robots *r = parse("User-agent: *\nDisallow: privat\n");
	BLOCKED(r, "/privat");
	robots_free(r);
}

/* ---- percent-encoding ------------------------------------------------------------------------------------ */

static void percent_encoding_is_normalised(void **state)
{
	(void)state;
	/* Raw UTF-8 in the file, escapes in the path, and the other way round. */
	struct robots *r = parse("User-agent: *\nDisallow: /öffnungszeiten\nDisallow: /%c3%bcber-uns\n");
	BLOCKED(r, "/%C3%B6ffnungszeiten");
	BLOCKED(r, "/%c3%b6ffnungszeiten");
	BLOCKED(r, "/öffnungszeiten");
	BLOCKED(r, "/über-uns");
	BLOCKED(r, "/%C3%BCber-uns");
	robots_free(r);
	/* Escaped unreserved characters are the characters themselves. */
	r = parse("User-agent: *\nDisallow: /%7Ejoe/\nDisallow: /a-b\n");
	BLOCKED(r, "/~joe/x");
	BLOCKED(r, "/%61%2D%62");
	robots_free(r);
	/* An escaped reserved character is not the character: "%2F" is not a path separator. */
	r = parse("User-agent: *\nDisallow: /a/b\n");
	ALLOWED(r, "/a%2Fb");
	BLOCKED(r, "/a/b");
	robots_free(r);
	r = parse("User-agent: *\nDisallow: /a%2fb\n");
	BLOCKED(r, "/a%2Fb");
	ALLOWED(r, "/a/b");
	robots_free(r);
	/* A space and a lone "%" are compared encoded. */
	r = parse("User-agent: *\nDisallow: /mit leer\nDisallow: /100%\n");
	BLOCKED(r, "/mit%20leer");
	BLOCKED(r, "/100%25");
	robots_free(r);
}

/* ---- crawl-delay and sitemaps --------------------------------------------------------------------------- */

static void crawl_delay(void **state)
{
	(void)state;
	struct robots *r = parse("User-agent: *\nCrawl-delay: 2\n");
	assert_int_equal(robots_crawl_delay_ms(r), 2000);
	robots_free(r);
	r = parse("User-agent: botwerk\nCrawl-delay: 0.5\nUser-agent: *\nCrawl-delay: 10\n");
	assert_int_equal(robots_crawl_delay_ms(r), 500);
	robots_free(r);
	r = parse("User-agent: *\nCrawl-delay: bald\n");
	assert_int_equal(robots_crawl_delay_ms(r), -1);
	robots_free(r);
	r = parse("User-agent: *\nCrawl-delay: 999999999999\n");
	assert_int_equal(robots_crawl_delay_ms(r), ROBOTS_MAX_DELAY_MS);
	robots_free(r);
	r = parse("User-agent: other\nCrawl-delay: 5\n");
	assert_int_equal(robots_crawl_delay_ms(r), -1);
	robots_free(r);
	assert_int_equal(robots_crawl_delay_ms(NULL), -1);
}

static void sitemaps_are_collected_everywhere(void **state)
{
	(void)state;
	struct robots *r = parse("Sitemap: https://example.de/sitemap.xml\n"
				 "User-agent: other\n"
				 "Sitemap: https://example.de/news.xml\n"
				 "Disallow: /\n"
				 "SITEMAP:   /relativ.xml   \n"
				 "Sitemap:\n");
	const char *const *list = NULL;
	assert_int_equal(robots_sitemaps(r, &list), 3);
	assert_string_equal(list[0], "https://example.de/sitemap.xml");
	assert_string_equal(list[1], "https://example.de/news.xml");
	assert_string_equal(list[2], "/relativ.xml");
	/* The sitemap line between the agent and its rule does not break the group. */
	ALLOWED(r, "/");
	robots_free(r);

	char *big = malloc(200 * 40);
	assert_non_null(big);
	size_t n = 0;
	for (int i = 0; i < 200; i++)
		n += (size_t)sprintf(big + n, "Sitemap: /s%d.xml\n", i);
	r = robots_parse(big, n, ROBOTS_AGENT);
	assert_non_null(r);
	assert_int_equal(robots_sitemaps(r, NULL), ROBOTS_MAX_SITEMAPS);
	robots_free(r);
	free(big);

	/* Values with NUL or control characters are not URLs (found by fuzz_robots). */
	static const char ctl[] = "Sitemap: \0\0https://example.de/a.xml\nSitemap: /b\001c.xml\nSitemap: /ok.xml\n";
	r = robots_parse(ctl, sizeof ctl - 1, ROBOTS_AGENT);
	assert_int_equal(robots_sitemaps(r, &list), 1);
	assert_string_equal(list[0], "/ok.xml");
	robots_free(r);
}

/* ---- special answers and limits ------------------------------------------------------------------------- */

static void allow_all_and_disallow_all(void **state)
{
	(void)state;
	struct robots *a = robots_allow_all(), *d = robots_disallow_all();
	assert_non_null(a);
	assert_non_null(d);
	ALLOWED(a, "/x");
	BLOCKED(d, "/x");
	BLOCKED(d, "/");
	ALLOWED(d, "/robots.txt");
	ALLOWED(NULL, "/x");
	robots_free(a);
	robots_free(d);
	robots_free(NULL);
}

static void only_the_first_500_kib_are_parsed(void **state)
{
	(void)state;
	size_t cap = ROBOTS_MAX_BYTES + 4096;
	char *t = malloc(cap);
	assert_non_null(t);
	size_t n = (size_t)sprintf(t, "User-agent: *\nDisallow: /frueh\n");
	while (n < ROBOTS_MAX_BYTES - 40)
		n += (size_t)sprintf(t + n, "# fuell %zu\n", n);
	/* This line straddles the cap: it is dropped, not read as "Disallow: /sp". */
	while (n < ROBOTS_MAX_BYTES - 5)
		t[n++] = ' ';
	n += (size_t)sprintf(t + n, "Disallow: /spaet\n");
	assert_true(n > ROBOTS_MAX_BYTES);
	struct robots *r = robots_parse(t, n, ROBOTS_AGENT);
	assert_non_null(r);
	BLOCKED(r, "/frueh");
	ALLOWED(r, "/spaet");
	ALLOWED(r, "/sp");
	robots_free(r);

	/* A rule that ends exactly at the cap is still read. */
	n = (size_t)sprintf(t, "User-agent: *\n");
	const char *rule = "Disallow: /genau";
	size_t rl = strlen(rule);
	while (n < ROBOTS_MAX_BYTES - rl)
		t[n++] = '\n';
	memcpy(t + n, rule, rl);
	n += rl;
	t[n++] = '\n';
	t[n++] = 'x';
	r = robots_parse(t, n, ROBOTS_AGENT);
	assert_non_null(r);
	BLOCKED(r, "/genau");
	robots_free(r);
	free(t);
}

static void binary_garbage_is_harmless(void **state)
{
	(void)state;
	char t[4096];
	unsigned v = 12345;
	for (size_t i = 0; i < sizeof t; i++) {
		v = v * 1103515245u + 12345u;
		t[i] = (char)(v >> 16);
	}
	struct robots *r = robots_parse(t, sizeof t, ROBOTS_AGENT);
	assert_non_null(r);
	(void)robots_allowed(r, "/");
	robots_free(r);
	r = robots_parse(NULL, 0, ROBOTS_AGENT);
	assert_non_null(r);
	ALLOWED(r, "/");
	robots_free(r);
	/* NUL bytes inside the text do not end it. */
	static const char nul[] = "User-agent: *\n\0\nDisallow: /nach-nul\n";
	r = robots_parse(nul, sizeof nul - 1, ROBOTS_AGENT);
	BLOCKED(r, "/nach-nul");
	robots_free(r);
}

static void hostile_wildcards_stay_fast(void **state)
{
	(void)state;
	/* Many rules of the kind that make naive backtracking explode, against a long path that almost
	 * matches every one of them. */
	size_t cap = 400 * 1024;
	char *t = malloc(cap);
	assert_non_null(t);
	size_t n = (size_t)sprintf(t, "User-agent: *\n");
	while (n + 200 < cap) {
		n += (size_t)sprintf(t + n, "Disallow: ");
		for (int k = 0; k < 40; k++)
			n += (size_t)sprintf(t + n, "*a");
		n += (size_t)sprintf(t + n, "*b\n");
	}
	struct robots *r = robots_parse(t, n, ROBOTS_AGENT);
	assert_non_null(r);
	char path[2049];
	path[0] = '/';
	memset(path + 1, 'a', sizeof path - 2);
	path[sizeof path - 1] = '\0';
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	ALLOWED(r, path);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	assert_true(s < 10.0); /* generous for sanitizer builds; about 0.2 s optimised */
	robots_free(r);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(our_group_wins_over_star),
		cmocka_unit_test(star_group_when_not_named),
		cmocka_unit_test(no_group_applies_allows_all),
		cmocka_unit_test(empty_own_group_allows_all),
		cmocka_unit_test(agent_matching_is_case_insensitive_on_the_token),
		cmocka_unit_test(groups_naming_us_are_merged),
		cmocka_unit_test(consecutive_agents_share_a_group),
		cmocka_unit_test(rules_before_any_agent_are_ignored),
		cmocka_unit_test(field_names_case_comments_and_line_ends),
		cmocka_unit_test(longest_match_wins),
		cmocka_unit_test(allow_wins_a_tie),
		cmocka_unit_test(empty_values_are_no_rules),
		cmocka_unit_test(robots_txt_itself_is_always_allowed),
		cmocka_unit_test(star_matches_any_run),
		cmocka_unit_test(dollar_anchors_the_end),
		cmocka_unit_test(query_is_part_of_the_path),
		cmocka_unit_test(patterns_without_slash),
		cmocka_unit_test(percent_encoding_is_normalised),
		cmocka_unit_test(crawl_delay),
		cmocka_unit_test(sitemaps_are_collected_everywhere),
		cmocka_unit_test(allow_all_and_disallow_all),
		cmocka_unit_test(only_the_first_500_kib_are_parsed),
		cmocka_unit_test(binary_garbage_is_harmless),
		cmocka_unit_test(hostile_wildcards_stay_fast),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
