/*
 * test_store_wa.c — the store contract for WhatsApp contacts, consent and messages (migration 008), run
 * against every backend with the fixture of store_fixture.h: "wa_sqlite" on a temporary SQLite file,
 * "wa_postgres" on a fresh database on BOTWERK_TEST_PG_URL (skipped without it).
 */
#define STORE_FIXTURE_NAME "test_store_wa"
#define STORE_FIXTURE_TMP "wa"
#define STORE_FIXTURE_DB "botwerk_watest"
#include "store_fixture.h"

#include <pthread.h>

/* ---- helpers ---------------------------------------------------------------------------------------- */

/* The bot's contact for number blind index `bidx`; id gets its id; returns whether it was created. */
static bool upsert(struct fixture *fx, const char *tenant, const char *bot, const char *bidx, const char *first,
		   const char *tz, char id[STORE_ID_MAX])
{
	char fresh[STORE_ID_MAX];
	new_id(fx, "ct", fresh);
	struct store_wa_contact_in in = {.tenant_id = tenant, .bot_id = bot, .id = fresh, .wrapped_key = "v1.wrapped",
					 .e164_bidx = bidx, .e164_sealed = "v1.sealed-e164",
					 .first_name_sealed = first, .timezone = tz, .language = NULL,
					 .now = tick(fx)};
	bool created = false;
	assert_int_equal(store_wa_contact_upsert(fx->st, &in, id, &created), STORE_OK);
	if (created)
		assert_string_equal(id, fresh);
	return created;
}

static void add_message(struct fixture *fx, const char *tenant, const char *bot, const char *contact,
			const char *direction, const char *pmid, const char *status, int want, char id[STORE_ID_MAX])
{
	new_id(fx, "wam", id);
	struct store_wa_message_in m = {.id = id, .tenant_id = tenant, .bot_id = bot, .contact_id = contact,
					.direction = direction, .provider_message_id = pmid, .kind = "text",
					.body_sealed = "v1.sealed-body", .status = status, .now = tick(fx)};
	assert_int_equal(store_wa_message_add(fx->st, &m), want);
}

static void message_status(struct fixture *fx, const char *tenant, const char *id, const char *want, int code)
{
	struct store_wa_message m;
	assert_int_equal(store_wa_message_get(fx->st, tenant, id, &m), STORE_OK);
	assert_string_equal(m.status, want);
	assert_int_equal(m.error_code, code);
	store_wa_message_clear(&m);
}

/* ---- contacts ----------------------------------------------------------------------------------------- */

static void test_contact_upsert_unique_per_bot(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], bot2[STORE_ID_MAX], obot[STORE_ID_MAX];
	char a[STORE_ID_MAX], b[STORE_ID_MAX], c[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	make_bot(fx, tenant, bot2);
	make_bot(fx, other, obot);

	assert_true(upsert(fx, tenant, bot, "bidx-anna", "v1.sealed-anna", "Europe/Berlin", a));
	/* the same number again: the same contact; given fields change, the others stay */
	assert_false(upsert(fx, tenant, bot, "bidx-anna", NULL, "Europe/Vienna", b));
	assert_string_equal(a, b);
	struct store_wa_contact k;
	assert_int_equal(store_wa_contact_get(fx->st, tenant, a, &k), STORE_OK);
	assert_string_equal(k.id, a);
	assert_string_equal(k.bot_id, bot);
	assert_string_equal(k.wrapped_key, "v1.wrapped");
	assert_string_equal(k.e164_sealed, "v1.sealed-e164");
	assert_string_equal(k.first_name_sealed, "v1.sealed-anna");
	assert_string_equal(k.timezone, "Europe/Vienna");
	assert_null(k.language);
	assert_string_equal(k.consent_status, "unknown");
	assert_null(k.consent_source);
	assert_int_equal(k.consent_at, 0);
	assert_int_equal(k.last_inbound_at, 0);
	store_wa_contact_clear(&k);
	assert_int_equal(store_wa_contact_get_by_bidx(fx->st, tenant, bot, "bidx-anna", &k), STORE_OK);
	assert_string_equal(k.id, a);
	store_wa_contact_clear(&k);
	/* per bot, and per tenant */
	assert_true(upsert(fx, tenant, bot2, "bidx-anna", NULL, NULL, c));
	assert_string_not_equal(a, c);
	assert_int_equal(store_wa_contact_get_by_bidx(fx->st, tenant, bot, "bidx-nobody", &k), STORE_NOTFOUND);
	assert_int_equal(store_wa_contact_get_by_bidx(fx->st, other, bot, "bidx-anna", &k), STORE_NOTFOUND);
	assert_int_equal(store_wa_contact_get(fx->st, other, a, &k), STORE_NOTFOUND);
	/* another tenant's bot is not found */
	char fresh[STORE_ID_MAX], got[STORE_ID_MAX];
	new_id(fx, "ct", fresh);
	struct store_wa_contact_in in = {.tenant_id = tenant, .bot_id = obot, .id = fresh, .wrapped_key = "v1.w",
					 .e164_bidx = "bidx-x", .e164_sealed = "v1.s", .now = tick(fx)};
	bool created = true;
	assert_int_equal(store_wa_contact_upsert(fx->st, &in, got, &created), STORE_NOTFOUND);
	/* the contact is an ordinary contact too (exports, erasure) */
	struct store_contact plain;
	assert_int_equal(store_contact_get(fx->st, tenant, a, &plain), STORE_OK);
	assert_string_equal(plain.channel, "whatsapp");
	store_contact_clear(&plain);
}

#define UPSERT_THREADS 4

struct upsert_race {
	struct fixture *fx;
	const char *tenant, *bot;
	pthread_mutex_t mu;
	int created, failures;
	char ids[UPSERT_THREADS][STORE_ID_MAX];
	int next;
};

static void *upsert_racer(void *arg)
{
	struct upsert_race *r = arg;
	pthread_mutex_lock(&r->mu);
	int me = r->next++;
	pthread_mutex_unlock(&r->mu);
	char fresh[STORE_ID_MAX], got[STORE_ID_MAX];
	snprintf(fresh, sizeof fresh, "ct_race_%d_%p", me, (void *)r);
	struct store_wa_contact_in in = {.tenant_id = r->tenant, .bot_id = r->bot, .id = fresh, .wrapped_key = "v1.w",
					 .e164_bidx = "bidx-race", .e164_sealed = "v1.s", .now = 1};
	bool created = false;
	int rc = store_wa_contact_upsert(r->fx->st, &in, got, &created);
	pthread_mutex_lock(&r->mu);
	if (rc != STORE_OK)
		r->failures++;
	else
		snprintf(r->ids[me], STORE_ID_MAX, "%s", got);
	r->created += created;
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

static void test_contact_upsert_race_one_contact(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	struct upsert_race r = {.fx = fx, .tenant = tenant, .bot = bot};
	pthread_mutex_init(&r.mu, NULL);
	pthread_t th[UPSERT_THREADS];
	for (int i = 0; i < UPSERT_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, upsert_racer, &r), 0);
	for (int i = 0; i < UPSERT_THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&r.mu);
	assert_int_equal(r.failures, 0);
	assert_int_equal(r.created, 1);
	for (int i = 1; i < UPSERT_THREADS; i++)
		assert_string_equal(r.ids[i], r.ids[0]);
}

static void test_consent_and_inbound_move_forward(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], k[STORE_ID_MAX], cons[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	upsert(fx, tenant, bot, "bidx-ben", NULL, NULL, k);
	new_id(fx, "cons", cons);

	struct store_wa_consent cs = {.tenant_id = tenant, .contact_id = k, .status = "granted",
				      .source = "api_opt_in", .text_version = "wa-2026-01", .at = 1000,
				      .consent_id = cons};
	assert_int_equal(store_wa_consent_set(fx->st, &cs), STORE_OK);
	struct store_wa_contact c;
	assert_int_equal(store_wa_contact_get(fx->st, tenant, k, &c), STORE_OK);
	assert_string_equal(c.consent_status, "granted");
	assert_string_equal(c.consent_source, "api_opt_in");
	assert_string_equal(c.consent_text_version, "wa-2026-01");
	assert_int_equal(c.consent_at, 1000);
	store_wa_contact_clear(&c);
	/* the grant is in the consents ledger */
	struct store_consent *rows = NULL;
	int n = 0;
	assert_int_equal(store_contact_consents(fx->st, tenant, k, 10, &rows, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].id, cons);
	assert_string_equal(rows[0].channel, "whatsapp");
	assert_string_equal(rows[0].text_version, "wa-2026-01");
	store_consent_clear(&rows[0]);
	free(rows);

	/* STOP at 2000 revokes; an opt-in decided earlier (1500) arriving late changes nothing */
	cs = (struct store_wa_consent){.tenant_id = tenant, .contact_id = k, .status = "revoked",
				       .source = "keyword_stop", .at = 2000};
	assert_int_equal(store_wa_consent_set(fx->st, &cs), STORE_OK);
	cs = (struct store_wa_consent){.tenant_id = tenant, .contact_id = k, .status = "granted",
				       .source = "api_opt_in", .text_version = "wa-2026-01", .at = 1500};
	assert_int_equal(store_wa_consent_set(fx->st, &cs), STORE_CONFLICT);
	assert_int_equal(store_wa_contact_get(fx->st, tenant, k, &c), STORE_OK);
	assert_string_equal(c.consent_status, "revoked");
	assert_string_equal(c.consent_source, "keyword_stop");
	assert_null(c.consent_text_version);
	assert_int_equal(c.consent_at, 2000);
	store_wa_contact_clear(&c);
	cs.tenant_id = other;
	cs.at = 3000;
	assert_int_equal(store_wa_consent_set(fx->st, &cs), STORE_NOTFOUND);
	cs.status = "maybe";
	assert_int_equal(store_wa_consent_set(fx->st, &cs), STORE_ERROR);

	/* the 24-hour window's anchor only moves forward */
	assert_int_equal(store_wa_touch_inbound(fx->st, tenant, k, 5000), STORE_OK);
	assert_int_equal(store_wa_touch_inbound(fx->st, tenant, k, 4000), STORE_OK);
	assert_int_equal(store_wa_contact_get(fx->st, tenant, k, &c), STORE_OK);
	assert_int_equal(c.last_inbound_at, 5000);
	store_wa_contact_clear(&c);
	assert_int_equal(store_wa_touch_inbound(fx->st, other, k, 6000), STORE_NOTFOUND);
}

/* ---- messages ------------------------------------------------------------------------------------------- */

static void test_message_duplicates_and_scope(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX], bot2[STORE_ID_MAX], k[STORE_ID_MAX], k2[STORE_ID_MAX];
	char m1[STORE_ID_MAX], m2[STORE_ID_MAX], m3[STORE_ID_MAX], m4[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	make_bot(fx, tenant, bot2);
	upsert(fx, tenant, bot, "bidx-cem", NULL, NULL, k);
	upsert(fx, tenant, bot2, "bidx-cem", NULL, NULL, k2);

	add_message(fx, tenant, bot, k, "in", "wamid.IN1", "received", STORE_OK, m1);
	add_message(fx, tenant, bot, k, "in", "wamid.IN1", "received", STORE_CONFLICT, m2); /* a redelivery */
	add_message(fx, tenant, bot2, k2, "in", "wamid.IN1", "received", STORE_OK, m3);      /* per bot */
	add_message(fx, tenant, bot2, k, "in", "wamid.IN2", "received", STORE_NOTFOUND, m4); /* not bot2's */
	struct store_wa_message m;
	assert_int_equal(store_wa_message_get(fx->st, tenant, m2, &m), STORE_NOTFOUND);
	assert_int_equal(store_wa_message_get(fx->st, tenant, m1, &m), STORE_OK);
	assert_string_equal(m.bot_id, bot);
	assert_string_equal(m.contact_id, k);
	assert_string_equal(m.conversation_id, "");
	assert_string_equal(m.direction, "in");
	assert_string_equal(m.provider_message_id, "wamid.IN1");
	assert_string_equal(m.kind, "text");
	assert_string_equal(m.body_sealed, "v1.sealed-body");
	assert_string_equal(m.status, "received");
	store_wa_message_clear(&m);

	/* an erased contact takes its messages along */
	assert_int_equal(store_contact_erase(fx->st, tenant, k, tick(fx)), STORE_OK);
	assert_int_equal(store_wa_message_get(fx->st, tenant, m1, &m), STORE_NOTFOUND);
	assert_int_equal(store_wa_message_get(fx->st, tenant, m3, &m), STORE_OK);
	store_wa_message_clear(&m);
	/* and a deleted bot its contacts and messages */
	assert_int_equal(store_bot_delete(fx->st, tenant, bot2), STORE_OK);
	assert_int_equal(store_wa_message_get(fx->st, tenant, m3, &m), STORE_NOTFOUND);
}

static void test_status_moves_forward_only(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], bot2[STORE_ID_MAX], k[STORE_ID_MAX];
	char out[STORE_ID_MAX], out2[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	make_bot(fx, tenant, bot2);
	upsert(fx, tenant, bot, "bidx-dora", NULL, NULL, k);

	/* queued before the send; the provider's id comes with "sent" */
	add_message(fx, tenant, bot, k, "out", NULL, "queued", STORE_OK, out);
	assert_int_equal(store_wa_message_status(fx->st, tenant, bot, "wamid.OUT", "delivered", 0, 10), STORE_NOTFOUND);
	assert_int_equal(store_wa_message_sent(fx->st, other, out, "wamid.OUT", 10), STORE_NOTFOUND);
	assert_int_equal(store_wa_message_sent(fx->st, tenant, out, "wamid.OUT", 10), STORE_OK);
	message_status(fx, tenant, out, "sent", 0);

	assert_int_equal(store_wa_message_status(fx->st, tenant, bot, "wamid.OUT", "read", 0, 30), STORE_OK);
	message_status(fx, tenant, out, "read", 0);
	/* late callbacks never move it back */
	assert_int_equal(store_wa_message_status(fx->st, tenant, bot, "wamid.OUT", "delivered", 0, 31), STORE_OK);
	assert_int_equal(store_wa_message_status(fx->st, tenant, bot, "wamid.OUT", "sent", 0, 32), STORE_OK);
	assert_int_equal(store_wa_message_status(fx->st, tenant, bot, "wamid.OUT", "read", 0, 33), STORE_OK);
	message_status(fx, tenant, out, "read", 0);
	/* other bots and tenants do not see it; unknown names are refused */
	assert_int_equal(store_wa_message_status(fx->st, tenant, bot2, "wamid.OUT", "read", 0, 34), STORE_NOTFOUND);
	assert_int_equal(store_wa_message_status(fx->st, other, bot, "wamid.OUT", "read", 0, 34), STORE_NOTFOUND);
	assert_int_equal(store_wa_message_status(fx->st, tenant, bot, "wamid.OUT", "queued", 0, 34), STORE_ERROR);
	assert_int_equal(store_wa_message_status(fx->st, tenant, bot, "wamid.OUT", "played", 0, 34), STORE_ERROR);

	/* a failure is final, with its error code */
	add_message(fx, tenant, bot, k, "out", "wamid.OUT2", "sent", STORE_OK, out2);
	assert_int_equal(store_wa_message_status(fx->st, tenant, bot, "wamid.OUT2", "delivered", 0, 40), STORE_OK);
	message_status(fx, tenant, out2, "delivered", 0);
	assert_int_equal(store_wa_message_status(fx->st, tenant, bot, "wamid.OUT2", "failed", 131047, 41), STORE_OK);
	message_status(fx, tenant, out2, "failed", 131047);
	assert_int_equal(store_wa_message_status(fx->st, tenant, bot, "wamid.OUT2", "read", 0, 42), STORE_OK);
	assert_int_equal(store_wa_message_status(fx->st, tenant, bot, "wamid.OUT2", "undelivered", 30003, 43),
			 STORE_OK);
	message_status(fx, tenant, out2, "failed", 131047);
	struct store_wa_message m;
	assert_int_equal(store_wa_message_get(fx->st, tenant, out2, &m), STORE_OK);
	assert_int_equal(m.updated_at, 41);
	store_wa_message_clear(&m);
	/* the provider id of another message of the bot cannot be given twice */
	assert_int_equal(store_wa_message_sent(fx->st, tenant, out, "wamid.OUT2", 50), STORE_CONFLICT);
}

#define WA_TESTS                                                                                              \
	cmocka_unit_test(test_contact_upsert_unique_per_bot), cmocka_unit_test(test_contact_upsert_race_one_contact), \
		cmocka_unit_test(test_consent_and_inbound_move_forward),                                          \
		cmocka_unit_test(test_message_duplicates_and_scope), cmocka_unit_test(test_status_moves_forward_only)

int main(void)
{
	const struct CMUnitTest tests[] = {WA_TESTS};
	return RUN_BACKENDS("wa", tests, tests);
}
