/*
 * test_config_cache.c — unit tests for src/api/config_cache.c: a bot's parsed config is shared while its
 * stored text is unchanged, and any change of the text (an update on any node) is seen at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "api/bot_json.h"
#include "api/config_cache.h"

static struct store_bot bot(const char *id, char *config)
{
	struct store_bot b;
	memset(&b, 0, sizeof b);
	snprintf(b.id, sizeof b.id, "%s", id);
	b.config = config;
	return b;
}

static void test_shared_while_unchanged_fresh_after_a_change(void **state)
{
	(void)state;
	struct config_cache *c = config_cache_new(8);
	assert_non_null(c);
	char v1[] = "{\"language\":\"de\",\"description\":\"eins\"}";
	char v2[] = "{\"language\":\"de\",\"description\":\"zwei\"}";
	struct store_bot b = bot("bot_aaaaaaaaaaaaaaaaaaaaaaaa", v1);
	json_t *a = config_cache_get(c, &b), *again = config_cache_get(c, &b);
	assert_non_null(a);
	assert_ptr_equal(a, again);
	assert_string_equal(json_str(a, "description", ""), "eins");
	assert_non_null(json_object_get(a, "branding")); /* read over the defaults, like bot_config_parse */
	b.config = v2;
	json_t *changed = config_cache_get(c, &b);
	assert_ptr_not_equal(changed, a);
	assert_string_equal(json_str(changed, "description", ""), "zwei");
	assert_string_equal(json_str(a, "description", ""), "eins"); /* holders of the old one keep it */
	json_decref(a);
	json_decref(again);
	json_decref(changed);
	config_cache_free(c);
}

static void test_bots_sharing_a_slot_do_not_mix(void **state)
{
	(void)state;
	struct config_cache *c = config_cache_new(1); /* every bot in the same slot */
	char one[] = "{\"description\":\"A\"}", two[] = "{\"description\":\"A\"}";
	struct store_bot a = bot("bot_aaaaaaaaaaaaaaaaaaaaaaaa", one), b = bot("bot_bbbbbbbbbbbbbbbbbbbbbbbb", two);
	json_t *ca = config_cache_get(c, &a), *cb = config_cache_get(c, &b);
	assert_ptr_not_equal(ca, cb); /* same text, other bot: not shared */
	json_decref(ca);
	json_decref(cb);
	char bad[] = "[1,2]";
	struct store_bot broken = bot("bot_cccccccccccccccccccccccc", bad);
	assert_null(config_cache_get(c, &broken));
	assert_null(config_cache_get(c, &broken));
	config_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_while_unchanged_fresh_after_a_change),
		cmocka_unit_test(test_bots_sharing_a_slot_do_not_mix),
	};
	return cmocka_run_group_tests_name("config_cache", tests, NULL, NULL);
}
