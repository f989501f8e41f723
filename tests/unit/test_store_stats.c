/*
 * test_store_stats.c — the store contract for engagement statistics (store_bot_stats), run against every
 * backend with the fixture of store_fixture.h: "stats_sqlite" on a temporary SQLite file,
 * "stats_postgres" on a fresh database on BOTWERK_TEST_PG_URL (skipped without it).
 */
#define STORE_FIXTURE_NAME "test_store_stats"
#define STORE_FIXTURE_TMP "stats"
#define STORE_FIXTURE_DB "botwerk_testst"
#include "store_fixture.h"

/* ---- tests ----------------------------------------------------------------------------------------- */

#define T0 1800000000000LL /* the window: [T0, T0 + 1000) */

static void test_counts_window_and_tenancy(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], bot2[STORE_ID_MAX], obot[STORE_ID_MAX];
	char c1[STORE_ID_MAX], c2[STORE_ID_MAX], old[STORE_ID_MAX], c3[STORE_ID_MAX], oc[STORE_ID_MAX];
	char l1[STORE_ID_MAX], l2[STORE_ID_MAX], l3[STORE_ID_MAX], l4[STORE_ID_MAX], l5[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	make_bot(fx, tenant, bot2);
	make_bot(fx, other, obot);

	/* the bot: one conversation before the window (continued inside it), two inside, one after */
	conversation(fx, tenant, bot, T0 - 5000, old, NULL);
	exchange(fx, tenant, bot, old, NULL, T0 + 10);
	conversation(fx, tenant, bot, T0 + 100, c1, NULL);
	exchange(fx, tenant, bot, c1, NULL, T0 + 110);
	exchange(fx, tenant, bot, c1, NULL, T0 + 2000); /* after the window: not counted */
	conversation(fx, tenant, bot, T0 + 200, c2, NULL);
	char late[STORE_ID_MAX];
	conversation(fx, tenant, bot, T0 + 1000, late, NULL);
	/* leads: before the window, three inside (interest 8, 5, 7), after it */
	lead(fx, tenant, bot, old, "bidx-old", 9, T0 - 4000, l1);
	lead(fx, tenant, bot, c1, "bidx-1", 8, T0 + 120, l2);
	lead(fx, tenant, bot, c2, "bidx-2", 5, T0 + 210, l3);
	lead(fx, tenant, bot, old, "bidx-3", 7, T0 + 300, l4);
	lead(fx, tenant, bot, late, "bidx-4", 10, T0 + 1000, l5);
	/* another bot of the tenant, and another tenant's bot */
	conversation(fx, tenant, bot2, T0 + 150, c3, NULL);
	conversation(fx, other, obot, T0 + 150, oc, NULL);
	char ol[STORE_ID_MAX];
	lead(fx, other, obot, oc, "bidx-o", 10, T0 + 160, ol);

	struct store_bot_stats s;
	memset(&s, 0xff, sizeof s);
	assert_int_equal(store_bot_stats(fx->st, tenant, bot, T0, T0 + 1000, 7, &s), STORE_OK);
	assert_int_equal(s.conversations, 2);
	assert_int_equal(s.visitor_messages, 3); /* c1: two before the window's end, c2: one */
	assert_int_equal(s.leads, 3);
	assert_true(s.average_interest > 6.66 && s.average_interest < 6.67);
	assert_int_equal(s.top_count, 2);
	assert_string_equal(s.top_leads[0], l2); /* interest 8 */
	assert_string_equal(s.top_leads[1], l4); /* interest 7 */

	/* a higher minimum, an empty window */
	assert_int_equal(store_bot_stats(fx->st, tenant, bot, T0, T0 + 1000, 9, &s), STORE_OK);
	assert_int_equal(s.top_count, 0);
	assert_int_equal(s.leads, 3);
	assert_int_equal(store_bot_stats(fx->st, tenant, bot, T0 + 500, T0 + 600, 1, &s), STORE_OK);
	assert_int_equal(s.conversations, 0);
	assert_int_equal(s.visitor_messages, 0);
	assert_int_equal(s.leads, 0);
	assert_true(s.average_interest == 0.0);
	assert_int_equal(s.top_count, 0);

	/* the other bot sees only its own */
	assert_int_equal(store_bot_stats(fx->st, tenant, bot2, T0, T0 + 1000, 1, &s), STORE_OK);
	assert_int_equal(s.conversations, 1);
	assert_int_equal(s.visitor_messages, 1);
	assert_int_equal(s.leads, 0);
	assert_int_equal(s.top_count, 0);

	/* another tenant's bot, or an unknown one: not found, *out untouched */
	memset(&s, 0, sizeof s);
	s.conversations = 42;
	assert_int_equal(store_bot_stats(fx->st, other, bot, T0, T0 + 1000, 1, &s), STORE_NOTFOUND);
	assert_int_equal(store_bot_stats(fx->st, tenant, obot, T0, T0 + 1000, 1, &s), STORE_NOTFOUND);
	assert_int_equal(store_bot_stats(fx->st, tenant, "bot_unknown", T0, T0 + 1000, 1, &s), STORE_NOTFOUND);
	assert_int_equal(s.conversations, 42);
	assert_int_equal(store_bot_stats(fx->st, other, obot, T0, T0 + 1000, 1, &s), STORE_OK);
	assert_int_equal(s.leads, 1);
	assert_int_equal(s.top_count, 1);
	assert_string_equal(s.top_leads[0], ol);
}

static void test_top_leads_order_and_limit(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX], conv[STORE_ID_MAX], ids[7][STORE_ID_MAX], bidx[32];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	conversation(fx, tenant, bot, T0, conv, NULL);
	int interest[7] = {7, 9, 7, 10, 9, 8, 6};
	for (int i = 0; i < 7; i++) {
		snprintf(bidx, sizeof bidx, "bidx-%d", i);
		lead(fx, tenant, bot, conv, bidx, interest[i], T0 + 10 + i, ids[i]);
	}
	struct store_bot_stats s;
	assert_int_equal(store_bot_stats(fx->st, tenant, bot, T0, T0 + 1000, 7, &s), STORE_OK);
	assert_int_equal(s.leads, 7);
	assert_int_equal(s.top_count, STORE_STATS_TOP_MAX);
	/* highest interest first, then newest: 10, 9 (newer), 9, 8, 7 (newer) */
	assert_string_equal(s.top_leads[0], ids[3]);
	assert_string_equal(s.top_leads[1], ids[4]);
	assert_string_equal(s.top_leads[2], ids[1]);
	assert_string_equal(s.top_leads[3], ids[5]);
	assert_string_equal(s.top_leads[4], ids[2]);
	assert_true(s.average_interest > 8.0 - 0.001 && s.average_interest < 8.0 + 0.001);

	/* erased contacts leave the statistics with their conversations and leads */
	struct store_lead l;
	assert_int_equal(store_lead_get(fx->st, tenant, ids[0], &l), STORE_OK);
	assert_int_equal(store_contact_erase(fx->st, tenant, l.contact_id, T0 + 500), STORE_OK);
	store_lead_clear(&l);
	assert_int_equal(store_bot_stats(fx->st, tenant, bot, T0, T0 + 1000, 7, &s), STORE_OK);
	assert_int_equal(s.conversations, 0);
	assert_int_equal(s.visitor_messages, 0);
	assert_int_equal(s.leads, 0);
	assert_int_equal(s.top_count, 0);
}

#define STATS_TESTS cmocka_unit_test(test_counts_window_and_tenancy), cmocka_unit_test(test_top_leads_order_and_limit)

int main(void)
{
	const struct CMUnitTest tests[] = {STATS_TESTS};
	return RUN_BACKENDS("stats", tests, tests);
}
