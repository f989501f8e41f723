/*
 * test_html.c — unit tests for src/base/html.c: escaping and the page template renderer, as the pages
 * botwerk serves depend on them (a bot name or description must never become markup).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/html.h"

#define NVARS(v) (sizeof(v) / sizeof((v)[0]))

static void expect(const char *tmpl, const struct html_var *vars, size_t n, const char *want)
{
	char *got = html_render(tmpl, vars, n);
	if (!got)
		fail_msg("%s: render failed", tmpl);
	assert_string_equal(got, want);
	free(got);
}

static void test_values_are_escaped_for_text_and_attributes(void **state)
{
	(void)state;
	const struct html_var v[] = {{"name", "<script>alert('x')</script> & \"Co\""}};
	expect("<title>{{name}}</title><a title=\"{{name}}\">", v, NVARS(v),
	       "<title>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Co&quot;</title>"
	       "<a title=\"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Co&quot;\">");
}

static void test_unknown_and_null_values_render_empty(void **state)
{
	(void)state;
	const struct html_var v[] = {{"a", NULL}};
	expect("[{{a}}][{{b}}]", v, NVARS(v), "[][]");
	expect("no placeholders, just text", v, NVARS(v), "no placeholders, just text");
	expect("", v, NVARS(v), "");
	expect("ümlaut {{a}}ß", v, NVARS(v), "ümlaut ß");
}

static void test_sections_follow_their_value(void **state)
{
	(void)state;
	const struct html_var on[] = {{"logo", "https://x.de/l.png?a=1&b=2"}};
	const struct html_var off[] = {{"logo", ""}};
	const char *t = "<head>{{?logo}}<link href=\"{{logo}}\">{{/logo}}</head>";
	expect(t, on, NVARS(on), "<head><link href=\"https://x.de/l.png?a=1&amp;b=2\"></head>");
	expect(t, off, NVARS(off), "<head></head>");
	expect(t, NULL, 0, "<head></head>");
}

static void test_malformed_templates_fail(void **state)
{
	(void)state;
	assert_null(html_render("{{open", NULL, 0));
	assert_null(html_render("{{?x}}never closed", NULL, 0));
}

static void test_a_value_cannot_inject_placeholders(void **state)
{
	(void)state;
	const struct html_var v[] = {{"a", "{{b}}"}, {"b", "<x>"}};
	expect("{{a}}", v, NVARS(v), "{{b}}");
}

static void test_escape_append_grows_the_buffer(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t cap = 0, len = 0;
	for (int i = 0; i < 500; i++)
		len = html_escape_append(&buf, len, &cap, "<&>");
	assert_int_equal(len, 500 * strlen("&lt;&amp;&gt;"));
	assert_int_equal(strlen(buf), len);
	assert_memory_equal(buf, "&lt;&amp;&gt;&lt;", 17);
	free(buf);
	buf = NULL;
	cap = 0;
	assert_int_equal(html_escape_append(&buf, 0, &cap, ""), 0);
	assert_string_equal(buf, "");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_are_escaped_for_text_and_attributes),
		cmocka_unit_test(test_unknown_and_null_values_render_empty),
		cmocka_unit_test(test_sections_follow_their_value),
		cmocka_unit_test(test_malformed_templates_fail),
		cmocka_unit_test(test_a_value_cannot_inject_placeholders),
		cmocka_unit_test(test_escape_append_grows_the_buffer),
	};
	return cmocka_run_group_tests_name("html", tests, NULL, NULL);
}
