/*
 * test_store_retention.c — the store's housekeeping contract (retention periods and their erasure in
 * batches, trial bot expiry, the tenant-key rewrap and server keys of `botwerk keys rotate`), run against
 * every backend with the fixture of store_fixture.h: "retention_sqlite" on a fresh SQLite file,
 * "retention_postgres" on a fresh database on BOTWERK_TEST_PG_URL (skipped without it).
 */
#define STORE_FIXTURE_NAME "test_store_retention"
#define STORE_FIXTURE_TMP "retention"
#define STORE_FIXTURE_DB "botwerk_rtest"
#include "store_fixture.h"

/* ---- helpers --------------------------------------------------------------------------------------- */

#define DAY (86400LL * 1000)

static void make_bot_exp(struct fixture *fx, const char *tenant, int64_t expires_at, bool active, char id[STORE_ID_MAX])
{
	struct store_bot b = {.name = "Probe", .config = "{}", .active = active, .expires_at = expires_at};
	new_id(fx, "bot", id);
	snprintf(b.id, sizeof b.id, "%s", id);
	snprintf(b.tenant_id, sizeof b.tenant_id, "%s", tenant);
	b.created_at = b.updated_at = tick(fx);
	assert_int_equal(store_bot_create(fx->st, &b), STORE_OK);
}

/* One exchange at `now`; contact non-NULL: a new conversation with that new contact. */
static void exchange_at(struct fixture *fx, const char *tenant, const char *bot, const char *conv, const char *contact,
			int64_t now)
{
	char um[STORE_ID_MAX], bm[STORE_ID_MAX];
	new_id(fx, "msg", um);
	new_id(fx, "msg", bm);
	struct store_exchange x = {.tenant_id = tenant, .bot_id = bot, .conversation_id = conv,
				   .new_conversation = contact != NULL, .channel = "web", .user_msg_id = um,
				   .user_text = "v1.q", .bot_msg_id = bm, .bot_text = "v1.a", .bot_meta = "{}",
				   .latency_ms = 3, .now = now, .contact_id = contact,
				   .contact_wrapped_key = contact ? "v1.wrapped" : NULL};
	assert_int_equal(store_exchange_save(fx->st, &x), STORE_OK);
}

static void new_conversation(struct fixture *fx, const char *tenant, const char *bot, int64_t now,
			     char conv[STORE_ID_MAX], char contact[STORE_ID_MAX])
{
	new_id(fx, "conv", conv);
	new_id(fx, "ct", contact);
	exchange_at(fx, tenant, bot, conv, contact, now);
}

static void capture(struct fixture *fx, const char *tenant, const char *bot, const char *conv, int64_t now,
		    char lead[STORE_ID_MAX])
{
	char cid[STORE_ID_MAX], out[STORE_ID_MAX];
	bool created = false;
	new_id(fx, "lead", lead);
	new_id(fx, "cons", cid);
	struct store_lead_capture lc = {.tenant_id = tenant, .bot_id = bot, .conversation_id = conv,
					.email_sealed = "v1.sealed", .email_bidx = "bidx", .lead_id = lead,
					.consent_id = cid, .consent_text_version = "v1", .source = "email_capture",
					.channel = "web", .context = "{}", .interest = 5, .now = now};
	assert_int_equal(store_lead_capture(fx->st, &lc, out, &created), STORE_OK);
	assert_true(created);
}

struct find_ud {
	const char *id;
	bool found;
};

static int find_erasure(void *ud, const char *contact_id)
{
	struct find_ud *f = ud;
	if (!strcmp(f->id, contact_id))
		f->found = true;
	return 0;
}

static bool was_erased(struct fixture *fx, const char *contact)
{
	struct find_ud f = {contact, false};
	assert_int_equal(store_erasure_list(fx->st, find_erasure, &f), STORE_OK);
	return f.found;
}

/* ---- tests ----------------------------------------------------------------------------------------- */

static void test_retention_setting(void **state)
{
	struct fixture *fx = *state;
	char a[STORE_ID_MAX], b[STORE_ID_MAX], c[STORE_ID_MAX], ghost[STORE_ID_MAX];
	int days = -1;
	make_tenant(fx, a);
	make_tenant(fx, b);
	make_tenant(fx, c);
	new_id(fx, "ten", ghost);
	assert_int_equal(store_tenant_retention_get(fx->st, a, &days), STORE_OK);
	assert_int_equal(days, 0);
	assert_int_equal(store_tenant_retention_set(fx->st, a, 30), STORE_OK);
	assert_int_equal(store_tenant_retention_set(fx->st, c, 365), STORE_OK);
	assert_int_equal(store_tenant_retention_get(fx->st, a, &days), STORE_OK);
	assert_int_equal(days, 30);
	assert_int_equal(store_tenant_retention_set(fx->st, ghost, 30), STORE_NOTFOUND);
	assert_int_equal(store_tenant_retention_get(fx->st, ghost, &days), STORE_NOTFOUND);

	/* only tenants with a period, in id order, page by page (other tests' tenants may be there too) */
	struct store_retention_row rows[1];
	char after[STORE_ID_MAX] = "";
	int n = 1, seen_a = 0, seen_b = 0, seen_c = 0;
	while (n == 1) {
		assert_int_equal(store_retention_tenants(fx->st, after, 1, rows, &n), STORE_OK);
		if (n == 0)
			break;
		assert_true(strcmp(rows[0].tenant_id, after) > 0);
		assert_true(rows[0].days > 0);
		seen_a += !strcmp(rows[0].tenant_id, a) && rows[0].days == 30;
		seen_b += !strcmp(rows[0].tenant_id, b);
		seen_c += !strcmp(rows[0].tenant_id, c) && rows[0].days == 365;
		snprintf(after, sizeof after, "%s", rows[0].tenant_id);
	}
	assert_int_equal(seen_a, 1);
	assert_int_equal(seen_b, 0);
	assert_int_equal(seen_c, 1);

	/* 0 clears it */
	assert_int_equal(store_tenant_retention_set(fx->st, a, 0), STORE_OK);
	assert_int_equal(store_tenant_retention_get(fx->st, a, &days), STORE_OK);
	assert_int_equal(days, 0);
	assert_int_equal(store_tenant_retention_set(fx->st, c, 0), STORE_OK);
}

static void test_retention_erase_batches(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], obot[STORE_ID_MAX];
	char old_conv[3][STORE_ID_MAX], old_ct[3][STORE_ID_MAX], lead[STORE_ID_MAX];
	char new_conv[STORE_ID_MAX], new_ct[STORE_ID_MAX], back_conv[STORE_ID_MAX], back_ct[STORE_ID_MAX];
	char o_conv[STORE_ID_MAX], o_ct[STORE_ID_MAX];
	int64_t now = fx->clock + 100 * DAY, cutoff = now - 30 * DAY;
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot_exp(fx, tenant, 0, true, bot);
	make_bot_exp(fx, other, 0, true, obot);
	/* three visitors last seen 40 days ago (one left a lead) */
	for (int i = 0; i < 3; i++)
		new_conversation(fx, tenant, bot, now - 40 * DAY + i, old_conv[i], old_ct[i]);
	capture(fx, tenant, bot, old_conv[0], now - 40 * DAY + 10, lead);
	/* one seen 5 days ago; one who started 40 days ago and came back 1 day ago */
	new_conversation(fx, tenant, bot, now - 5 * DAY, new_conv, new_ct);
	new_conversation(fx, tenant, bot, now - 40 * DAY, back_conv, back_ct);
	exchange_at(fx, tenant, bot, back_conv, NULL, now - DAY);
	/* another tenant's old visitor: not this tenant's business */
	new_conversation(fx, other, obot, now - 400 * DAY, o_conv, o_ct);

	/* batches of two: 2, then 1 (fewer than the batch: done), then nothing */
	int erased = -1;
	assert_int_equal(store_retention_erase(fx->st, tenant, cutoff, 2, now, &erased), STORE_OK);
	assert_int_equal(erased, 2);
	assert_int_equal(store_retention_erase(fx->st, tenant, cutoff, 2, now, &erased), STORE_OK);
	assert_int_equal(erased, 1);
	assert_int_equal(store_retention_erase(fx->st, tenant, cutoff, 2, now, &erased), STORE_OK);
	assert_int_equal(erased, 0);

	for (int i = 0; i < 3; i++) {
		assert_int_equal(store_conversation_exists(fx->st, tenant, bot, old_conv[i]), STORE_NOTFOUND);
		assert_true(was_erased(fx, old_ct[i]));
		int n = -1;
		assert_int_equal(store_conversation_count_messages(fx->st, tenant, old_conv[i], &n), STORE_OK);
		assert_int_equal(n, 0);
		/* erased as store_contact_erase would: nothing left to erase */
		assert_int_equal(store_contact_erase(fx->st, tenant, old_ct[i], now), STORE_NOTFOUND);
	}
	struct store_lead l;
	assert_int_equal(store_lead_get(fx->st, tenant, lead, &l), STORE_NOTFOUND);
	assert_int_equal(store_conversation_exists(fx->st, tenant, bot, new_conv), STORE_OK);
	assert_int_equal(store_conversation_exists(fx->st, tenant, bot, back_conv), STORE_OK);
	assert_false(was_erased(fx, new_ct));
	assert_false(was_erased(fx, back_ct));
	assert_int_equal(store_conversation_exists(fx->st, other, obot, o_conv), STORE_OK);
	assert_false(was_erased(fx, o_ct));

	/* the cutoff is exclusive: activity exactly at it is kept */
	assert_int_equal(store_retention_erase(fx->st, tenant, now - 5 * DAY, 10, now, &erased), STORE_OK);
	assert_int_equal(erased, 0);
	assert_int_equal(store_retention_erase(fx->st, tenant, now - 5 * DAY + 1, 10, now, &erased), STORE_OK);
	assert_int_equal(erased, 1);
	assert_true(was_erased(fx, new_ct));
	assert_int_equal(store_conversation_exists(fx->st, tenant, bot, back_conv), STORE_OK);
}

static void test_bot_expiry(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], past[STORE_ID_MAX], future[STORE_ID_MAX], never[STORE_ID_MAX], off[STORE_ID_MAX];
	char past2[STORE_ID_MAX];
	int64_t now = fx->clock + 1000 * DAY;
	make_tenant(fx, tenant);
	make_bot_exp(fx, tenant, now - DAY, true, past);
	make_bot_exp(fx, tenant, now, true, past2); /* at now: expired */
	make_bot_exp(fx, tenant, now + DAY, true, future);
	make_bot_exp(fx, tenant, 0, true, never);
	make_bot_exp(fx, tenant, now - DAY, false, off);

	struct store_bot b;
	assert_int_equal(store_bot_get(fx->st, tenant, future, &b), STORE_OK);
	assert_int_equal(b.expires_at, now + DAY);
	store_bot_clear(&b);
	assert_int_equal(store_bot_get(fx->st, tenant, never, &b), STORE_OK);
	assert_int_equal(b.expires_at, 0);
	store_bot_clear(&b);

	/* batches of one; bots of other tests may expire too, so look for ours */
	struct store_bot_expired rows[1];
	int n = 1, mine = 0, rounds = 0;
	while (n == 1 && rounds++ < 100) {
		assert_int_equal(store_bot_expire(fx->st, now, 1, rows, &n), STORE_OK);
		if (n == 1 && !strcmp(rows[0].tenant_id, tenant)) {
			assert_true(!strcmp(rows[0].bot_id, past) || !strcmp(rows[0].bot_id, past2));
			assert_true(rows[0].expires_at <= now);
			mine++;
		}
	}
	assert_int_equal(mine, 2);
	assert_int_equal(store_bot_expire(fx->st, now, 10, rows, &n), STORE_OK);
	assert_int_equal(n, 0); /* idempotent: a second run finds nothing */

	assert_int_equal(store_bot_get(fx->st, tenant, past, &b), STORE_OK);
	assert_false(b.active);
	assert_int_equal(b.expires_at, now - DAY);
	assert_int_equal(b.updated_at, now);
	store_bot_clear(&b);
	assert_int_equal(store_bot_get(fx->st, tenant, future, &b), STORE_OK);
	assert_true(b.active);
	/* an update extends the trial (and 0 ends it) */
	b.expires_at = now + 30 * DAY;
	assert_int_equal(store_bot_update(fx->st, &b), STORE_OK);
	store_bot_clear(&b);
	assert_int_equal(store_bot_get(fx->st, tenant, future, &b), STORE_OK);
	assert_int_equal(b.expires_at, now + 30 * DAY);
	b.expires_at = 0;
	assert_int_equal(store_bot_update(fx->st, &b), STORE_OK);
	store_bot_clear(&b);
	assert_int_equal(store_bot_get(fx->st, tenant, future, &b), STORE_OK);
	assert_int_equal(b.expires_at, 0);
	store_bot_clear(&b);
	assert_int_equal(store_bot_get(fx->st, tenant, never, &b), STORE_OK);
	assert_true(b.active);
	store_bot_clear(&b);
}

static void test_tenant_key_rewrap(void **state)
{
	struct fixture *fx = *state;
	char t[3][STORE_ID_MAX], bare[STORE_ID_MAX], ghost[STORE_ID_MAX], *cur = NULL;
	for (int i = 0; i < 3; i++) {
		char w[64];
		make_tenant(fx, t[i]);
		snprintf(w, sizeof w, "k1.v1.old-%d", i);
		assert_int_equal(store_tenant_key_init(fx->st, t[i], w, &cur), STORE_OK);
		free(cur);
	}
	make_tenant(fx, bare); /* no key yet: not listed */
	new_id(fx, "ten", ghost);

	/* keyset pages of two; only tenants with a key */
	struct store_tenant_key_row rows[2];
	char after[STORE_ID_MAX] = "";
	int n = 2, mine = 0;
	while (n == 2) {
		assert_int_equal(store_tenant_key_list(fx->st, after, 2, rows, &n), STORE_OK);
		for (int i = 0; i < n; i++) {
			assert_true(strcmp(rows[i].tenant_id, after) > 0);
			assert_string_not_equal(rows[i].tenant_id, bare);
			assert_non_null(rows[i].wrapped);
			for (int k = 0; k < 3; k++)
				if (!strcmp(rows[i].tenant_id, t[k])) {
					char w[64];
					snprintf(w, sizeof w, "k1.v1.old-%d", k);
					assert_string_equal(rows[i].wrapped, w);
					mine++;
				}
			memcpy(after, rows[i].tenant_id, sizeof after);
			store_tenant_key_row_clear(&rows[i]);
		}
	}
	assert_int_equal(mine, 3);

	/* the swap is conditional on the old value */
	assert_int_equal(store_tenant_key_swap(fx->st, t[0], "k1.v1.old-0", "k2.v1.new-0"), STORE_OK);
	assert_int_equal(store_tenant_key_swap(fx->st, t[0], "k1.v1.old-0", "k2.v1.other"), STORE_CONFLICT);
	assert_int_equal(store_tenant_key_swap(fx->st, t[1], "k1.v1.wrong", "k2.v1.new-1"), STORE_CONFLICT);
	assert_int_equal(store_tenant_key_swap(fx->st, bare, "k1.v1.x", "k2.v1.x"), STORE_CONFLICT);
	assert_int_equal(store_tenant_key_swap(fx->st, ghost, "k1.v1.x", "k2.v1.x"), STORE_NOTFOUND);
	assert_int_equal(store_tenant_key_get(fx->st, t[0], &cur), STORE_OK);
	assert_string_equal(cur, "k2.v1.new-0");
	free(cur);
	assert_int_equal(store_tenant_key_get(fx->st, t[1], &cur), STORE_OK);
	assert_string_equal(cur, "k1.v1.old-1");
	free(cur);

	/* server keys: created once, then swapped only from the value read */
	char *w = (char *)"unset";
	assert_int_equal(store_server_key_get(fx->st, "test-key", &w), STORE_OK);
	assert_null(w);
	assert_int_equal(store_server_key_swap(fx->st, "test-key", NULL, "k2.v1.a", tick(fx)), STORE_OK);
	assert_int_equal(store_server_key_swap(fx->st, "test-key", NULL, "k2.v1.b", tick(fx)), STORE_CONFLICT);
	assert_int_equal(store_server_key_swap(fx->st, "test-key", "k2.v1.x", "k3.v1.b", tick(fx)), STORE_CONFLICT);
	assert_int_equal(store_server_key_swap(fx->st, "test-key", "k2.v1.a", "k3.v1.b", tick(fx)), STORE_OK);
	assert_int_equal(store_server_key_get(fx->st, "test-key", &w), STORE_OK);
	assert_string_equal(w, "k3.v1.b");
	free(w);
}

#define RETENTION_TESTS                                                                                    \
	cmocka_unit_test(test_retention_setting), cmocka_unit_test(test_retention_erase_batches),         \
		cmocka_unit_test(test_bot_expiry), cmocka_unit_test(test_tenant_key_rewrap)

int main(void)
{
	const struct CMUnitTest tests[] = {RETENTION_TESTS};
	return RUN_BACKENDS("retention", tests, tests);
}
