/*
 * test_store_wa.c — the store contract for WhatsApp contacts, consent and messages (migration 008), and
 * WhatsApp conversations and funnel counts (migration 009), run against every backend with the fixture of store_fixture.h: "wa_sqlite" on a temporary SQLite file,
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

/* A message with id `id` stored at `at` (sealed body "v1.<id>"). */
static void add_message_at(struct fixture *fx, const char *tenant, const char *bot, const char *contact,
			   const char *id, const char *direction, int64_t at)
{
	char body[STORE_ID_MAX + 4];
	snprintf(body, sizeof body, "v1.%s", id);
	struct store_wa_message_in m = {.id = id, .tenant_id = tenant, .bot_id = bot, .contact_id = contact,
					.direction = direction, .kind = "text", .body_sealed = body,
					.status = !strcmp(direction, "in") ? "received" : "queued", .now = at};
	assert_int_equal(store_wa_message_add(fx->st, &m), STORE_OK);
}

static void test_messages_list_order_limit_scope(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], obot[STORE_ID_MAX];
	char k[STORE_ID_MAX], k2[STORE_ID_MAX], ok[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	make_bot(fx, other, obot);
	upsert(fx, tenant, bot, "bidx-emil", NULL, NULL, k);
	upsert(fx, tenant, bot, "bidx-frida", NULL, NULL, k2);
	upsert(fx, other, obot, "bidx-emil", NULL, NULL, ok);

	/* ids that sort against their times: created_at decides, the id only between equal times */
	int64_t t = tick(fx) + 1000;
	add_message_at(fx, tenant, bot, k, "wam_list_d", "out", t + 2);
	add_message_at(fx, tenant, bot, k, "wam_list_c", "in", t);
	add_message_at(fx, tenant, bot, k, "wam_list_b", "out", t + 1);
	add_message_at(fx, tenant, bot, k, "wam_list_a", "in", t + 1);
	add_message_at(fx, tenant, bot, k2, "wam_list_e", "in", t);
	add_message_at(fx, other, obot, ok, "wam_list_f", "in", t);

	struct store_wa_message *rows = NULL;
	int n = -1;
	assert_int_equal(store_wa_messages_list(fx->st, tenant, k, 10, &rows, &n), STORE_OK);
	assert_int_equal(n, 4);
	const char *want[] = {"wam_list_c", "wam_list_a", "wam_list_b", "wam_list_d"};
	const char *dir[] = {"in", "in", "out", "out"};
	for (int i = 0; i < n; i++) {
		char body[STORE_ID_MAX + 4];
		snprintf(body, sizeof body, "v1.%s", want[i]);
		assert_string_equal(rows[i].id, want[i]);
		assert_string_equal(rows[i].direction, dir[i]);
		assert_string_equal(rows[i].bot_id, bot);
		assert_string_equal(rows[i].contact_id, k);
		assert_string_equal(rows[i].conversation_id, "");
		assert_string_equal(rows[i].kind, "text");
		assert_string_equal(rows[i].body_sealed, body);
		assert_null(rows[i].provider_message_id);
		assert_int_equal(rows[i].error_code, 0);
		store_wa_message_clear(&rows[i]);
	}
	free(rows);

	/* the limit keeps the oldest */
	rows = NULL;
	assert_int_equal(store_wa_messages_list(fx->st, tenant, k, 2, &rows, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].id, "wam_list_c");
	assert_int_equal(rows[0].created_at, t);
	assert_string_equal(rows[1].id, "wam_list_a");
	for (int i = 0; i < n; i++)
		store_wa_message_clear(&rows[i]);
	free(rows);
	rows = NULL;
	assert_int_equal(store_wa_messages_list(fx->st, tenant, k, 0, &rows, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_null(rows);

	/* another tenant's contact (and an unknown one) has none */
	assert_int_equal(store_wa_messages_list(fx->st, tenant, ok, 10, &rows, &n), STORE_OK);
	assert_int_equal(n, 0);
	free(rows);
	rows = NULL;
	assert_int_equal(store_wa_messages_list(fx->st, other, k, 10, &rows, &n), STORE_OK);
	assert_int_equal(n, 0);
	free(rows);
	rows = NULL;
	assert_int_equal(store_wa_messages_list(fx->st, tenant, "ct_nobody", 10, &rows, &n), STORE_OK);
	assert_int_equal(n, 0);
	free(rows);
	rows = NULL;
	/* the other tenant sees its own */
	assert_int_equal(store_wa_messages_list(fx->st, other, ok, 10, &rows, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].id, "wam_list_f");
	store_wa_message_clear(&rows[0]);
	free(rows);
	rows = NULL;

	/* an erased contact has none left */
	assert_int_equal(store_contact_erase(fx->st, tenant, k, tick(fx)), STORE_OK);
	assert_int_equal(store_wa_messages_list(fx->st, tenant, k, 10, &rows, &n), STORE_OK);
	assert_int_equal(n, 0);
	free(rows);
}

/* ---- conversations ----------------------------------------------------------------------------------- */

static void open_conv(struct fixture *fx, const char *tenant, const char *bot, const char *contact, int64_t now,
		      int want, bool want_created, char id[STORE_ID_MAX])
{
	char fresh[STORE_ID_MAX];
	new_id(fx, "wcv", fresh);
	struct store_wa_conv c = {0};
	bool created = !want_created;
	assert_int_equal(store_wa_conv_open(fx->st, tenant, bot, contact, fresh, now, &c, &created), want);
	assert_int_equal(created, want_created);
	if (want != STORE_OK)
		return;
	if (created)
		assert_string_equal(c.id, fresh);
	else
		assert_string_not_equal(c.id, fresh);
	assert_string_equal(c.bot_id, bot);
	assert_string_equal(c.contact_id, contact);
	snprintf(id, STORE_ID_MAX, "%s", c.id);
	store_wa_conv_clear(&c);
}

static void test_conv_open_once_per_contact(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], bot2[STORE_ID_MAX], obot[STORE_ID_MAX];
	char k[STORE_ID_MAX], k2[STORE_ID_MAX], ko[STORE_ID_MAX], conv[STORE_ID_MAX], conv2[STORE_ID_MAX];
	char again[STORE_ID_MAX], web[STORE_ID_MAX], fresh[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	make_bot(fx, tenant, bot2);
	make_bot(fx, other, obot);
	upsert(fx, tenant, bot, "bidx-emil", NULL, NULL, k);
	upsert(fx, tenant, bot2, "bidx-emil", NULL, NULL, k2);
	upsert(fx, other, obot, "bidx-emil", NULL, NULL, ko);

	int64_t t1 = tick(fx);
	open_conv(fx, tenant, bot, k, t1, STORE_OK, true, conv);
	struct store_wa_conv c;
	assert_int_equal(store_wa_conv_get(fx->st, tenant, conv, &c), STORE_OK);
	assert_string_equal(c.id, conv);
	assert_string_equal(c.bot_id, bot);
	assert_string_equal(c.contact_id, k);
	assert_string_equal(c.owner, "bot");
	assert_null(c.state_sealed);
	assert_null(c.handover_reason);
	assert_int_equal(c.message_count, 0);
	assert_int_equal(c.handover_at, 0);
	assert_int_equal(c.created_at, t1);
	assert_int_equal(c.last_message_at, t1);
	store_wa_conv_clear(&c);

	/* the second time: the same row, unchanged, and the new id is not used */
	new_id(fx, "wcv", fresh);
	bool created = true;
	assert_int_equal(store_wa_conv_open(fx->st, tenant, bot, k, fresh, tick(fx), &c, &created), STORE_OK);
	assert_false(created);
	assert_string_equal(c.id, conv);
	assert_string_equal(c.owner, "bot");
	assert_int_equal(c.created_at, t1);
	assert_int_equal(c.last_message_at, t1);
	store_wa_conv_clear(&c);
	assert_int_equal(store_wa_conv_get(fx->st, tenant, fresh, &c), STORE_NOTFOUND);
	open_conv(fx, tenant, bot, k, tick(fx), STORE_OK, false, again);
	assert_string_equal(again, conv);

	/* contacts of another bot or tenant, unknown contacts, another tenant's bot: not found */
	open_conv(fx, tenant, bot, k2, tick(fx), STORE_NOTFOUND, false, again);
	open_conv(fx, tenant, bot, ko, tick(fx), STORE_NOTFOUND, false, again);
	open_conv(fx, tenant, bot, "ct_unknown", tick(fx), STORE_NOTFOUND, false, again);
	open_conv(fx, other, bot, k, tick(fx), STORE_NOTFOUND, false, again);
	open_conv(fx, tenant, obot, ko, tick(fx), STORE_NOTFOUND, false, again);
	/* the same number with another bot is another contact, with its own conversation */
	open_conv(fx, tenant, bot2, k2, tick(fx), STORE_OK, true, conv2);
	assert_string_not_equal(conv2, conv);

	/* get: the tenant's WhatsApp conversations only */
	assert_int_equal(store_wa_conv_get(fx->st, other, conv, &c), STORE_NOTFOUND);
	assert_int_equal(store_wa_conv_get(fx->st, tenant, "wcv_unknown", &c), STORE_NOTFOUND);
	conversation(fx, tenant, bot, tick(fx), web, NULL);
	assert_int_equal(store_wa_conv_get(fx->st, tenant, web, &c), STORE_NOTFOUND);

	/* an erased contact takes its conversation along, and gets no new one */
	assert_int_equal(store_contact_erase(fx->st, tenant, k, tick(fx)), STORE_OK);
	assert_int_equal(store_wa_conv_get(fx->st, tenant, conv, &c), STORE_NOTFOUND);
	open_conv(fx, tenant, bot, k, tick(fx), STORE_NOTFOUND, false, again);
	assert_int_equal(store_wa_conv_get(fx->st, tenant, conv2, &c), STORE_OK);
	store_wa_conv_clear(&c);
}

#define OPEN_THREADS 6

struct open_race {
	struct fixture *fx;
	const char *tenant, *bot, *contact;
	pthread_mutex_t mu;
	int created, failures, next;
	char ids[OPEN_THREADS][STORE_ID_MAX];
};

static void *open_racer(void *arg)
{
	struct open_race *r = arg;
	pthread_mutex_lock(&r->mu);
	int me = r->next++;
	pthread_mutex_unlock(&r->mu);
	char fresh[STORE_ID_MAX];
	snprintf(fresh, sizeof fresh, "wcv_race_%d_%p", me, (void *)r);
	struct store_wa_conv c = {0};
	bool created = false;
	int rc = store_wa_conv_open(r->fx->st, r->tenant, r->bot, r->contact, fresh, 1, &c, &created);
	pthread_mutex_lock(&r->mu);
	if (rc != STORE_OK) {
		r->failures++;
	} else {
		snprintf(r->ids[me], STORE_ID_MAX, "%s", c.id);
		store_wa_conv_clear(&c);
	}
	r->created += created;
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

static void test_conv_open_race_one_conversation(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX], k[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	upsert(fx, tenant, bot, "bidx-race-conv", NULL, NULL, k);
	struct open_race r = {.fx = fx, .tenant = tenant, .bot = bot, .contact = k};
	pthread_mutex_init(&r.mu, NULL);
	pthread_t th[OPEN_THREADS];
	for (int i = 0; i < OPEN_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, open_racer, &r), 0);
	for (int i = 0; i < OPEN_THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&r.mu);
	assert_int_equal(r.failures, 0);
	assert_int_equal(r.created, 1);
	for (int i = 1; i < OPEN_THREADS; i++)
		assert_string_equal(r.ids[i], r.ids[0]);
}

/* Asserts the conversation's owner, state, handover, inbound count and last message time. */
static void conv_is(struct fixture *fx, const char *tenant, const char *id, const char *owner, const char *state_sealed,
		    const char *reason, int64_t handover_at, int count, int64_t last)
{
	struct store_wa_conv c;
	assert_int_equal(store_wa_conv_get(fx->st, tenant, id, &c), STORE_OK);
	assert_string_equal(c.owner, owner);
	if (state_sealed)
		assert_string_equal(c.state_sealed, state_sealed);
	else
		assert_null(c.state_sealed);
	if (reason)
		assert_string_equal(c.handover_reason, reason);
	else
		assert_null(c.handover_reason);
	assert_int_equal(c.handover_at, handover_at);
	assert_int_equal(c.message_count, count);
	assert_int_equal(c.last_message_at, last);
	store_wa_conv_clear(&c);
}

static void test_conv_update_owner_state_count(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], k[STORE_ID_MAX], conv[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	upsert(fx, tenant, bot, "bidx-frida", NULL, NULL, k);
	open_conv(fx, tenant, bot, k, tick(fx), STORE_OK, true, conv);

	/* inbound messages count; the flow state is written only when asked */
	int64_t t1 = tick(fx);
	struct store_wa_conv_update u = {.tenant_id = tenant, .id = conv, .inbound = 1, .set_state = true,
					 .state_sealed = "v1.sealed-state-1", .now = t1};
	assert_int_equal(store_wa_conv_update(fx->st, &u), STORE_OK);
	conv_is(fx, tenant, conv, "bot", "v1.sealed-state-1", NULL, 0, 1, t1);
	int64_t t2 = tick(fx);
	u = (struct store_wa_conv_update){.tenant_id = tenant, .id = conv, .inbound = 1,
					  .state_sealed = "v1.ignored", .now = t2};
	assert_int_equal(store_wa_conv_update(fx->st, &u), STORE_OK);
	conv_is(fx, tenant, conv, "bot", "v1.sealed-state-1", NULL, 0, 2, t2);
	/* an outbound touch (inbound 0) with an older time: the count and last_message_at stay */
	u = (struct store_wa_conv_update){.tenant_id = tenant, .id = conv, .set_state = true,
					  .state_sealed = "v1.sealed-state-2", .now = t1};
	assert_int_equal(store_wa_conv_update(fx->st, &u), STORE_OK);
	conv_is(fx, tenant, conv, "bot", "v1.sealed-state-2", NULL, 0, 2, t2);

	/* a handover to a person, only from the bot: reason and time recorded */
	int64_t t3 = tick(fx);
	u = (struct store_wa_conv_update){.tenant_id = tenant, .id = conv, .owner = "human",
					  .handover_reason = "keyword", .expect_owner = "bot", .inbound = 1, .now = t3};
	assert_int_equal(store_wa_conv_update(fx->st, &u), STORE_OK);
	conv_is(fx, tenant, conv, "human", "v1.sealed-state-2", "keyword", t3, 3, t3);
	/* a second takeover that expects the bot: a conflict, and nothing changes (count, state, time) */
	u = (struct store_wa_conv_update){.tenant_id = tenant, .id = conv, .owner = "human",
					  .handover_reason = "sentiment", .expect_owner = "bot", .inbound = 1,
					  .set_state = true, .state_sealed = NULL, .now = tick(fx)};
	assert_int_equal(store_wa_conv_update(fx->st, &u), STORE_CONFLICT);
	conv_is(fx, tenant, conv, "human", "v1.sealed-state-2", "keyword", t3, 3, t3);
	/* while a person owns it, inbound messages still count */
	int64_t t4 = tick(fx);
	u = (struct store_wa_conv_update){.tenant_id = tenant, .id = conv, .inbound = 1, .expect_owner = "human",
					  .now = t4};
	assert_int_equal(store_wa_conv_update(fx->st, &u), STORE_OK);
	conv_is(fx, tenant, conv, "human", "v1.sealed-state-2", "keyword", t3, 4, t4);

	/* the handback keeps the handover as history; the state is cleared with NULL */
	int64_t t5 = tick(fx);
	u = (struct store_wa_conv_update){.tenant_id = tenant, .id = conv, .owner = "bot", .expect_owner = "human",
					  .set_state = true, .state_sealed = NULL, .now = t5};
	assert_int_equal(store_wa_conv_update(fx->st, &u), STORE_OK);
	conv_is(fx, tenant, conv, "bot", NULL, "keyword", t3, 4, t5);
	/* a second handover replaces reason and time */
	int64_t t6 = tick(fx);
	u = (struct store_wa_conv_update){.tenant_id = tenant, .id = conv, .owner = "human",
					  .handover_reason = "price_low_confidence", .now = t6};
	assert_int_equal(store_wa_conv_update(fx->st, &u), STORE_OK);
	conv_is(fx, tenant, conv, "human", NULL, "price_low_confidence", t6, 4, t6);

	/* unknown conversations and other tenants: not found, also with an expected owner */
	u = (struct store_wa_conv_update){.tenant_id = other, .id = conv, .inbound = 1, .now = tick(fx)};
	assert_int_equal(store_wa_conv_update(fx->st, &u), STORE_NOTFOUND);
	u.expect_owner = "bot";
	assert_int_equal(store_wa_conv_update(fx->st, &u), STORE_NOTFOUND);
	u.tenant_id = tenant;
	u.id = "wcv_unknown";
	assert_int_equal(store_wa_conv_update(fx->st, &u), STORE_NOTFOUND);
	/* a web conversation is not a WhatsApp one */
	char web[STORE_ID_MAX];
	conversation(fx, tenant, bot, tick(fx), web, NULL);
	u = (struct store_wa_conv_update){.tenant_id = tenant, .id = web, .owner = "human", .now = tick(fx)};
	assert_int_equal(store_wa_conv_update(fx->st, &u), STORE_NOTFOUND);
	/* owners other than bot and human are refused */
	u = (struct store_wa_conv_update){.tenant_id = tenant, .id = conv, .owner = "robot", .now = tick(fx)};
	assert_int_equal(store_wa_conv_update(fx->st, &u), STORE_ERROR);
	conv_is(fx, tenant, conv, "human", NULL, "price_low_confidence", t6, 4, t6);
}

#define TAKEOVER_THREADS 6

struct takeover_race {
	struct fixture *fx;
	const char *tenant, *conv;
	pthread_mutex_t mu;
	int ok, conflicts, failures;
};

static void *takeover_racer(void *arg)
{
	struct takeover_race *r = arg;
	struct store_wa_conv_update u = {.tenant_id = r->tenant, .id = r->conv, .owner = "human",
					 .handover_reason = "keyword", .expect_owner = "bot", .inbound = 1, .now = 2};
	int rc = store_wa_conv_update(r->fx->st, &u);
	pthread_mutex_lock(&r->mu);
	if (rc == STORE_OK)
		r->ok++;
	else if (rc == STORE_CONFLICT)
		r->conflicts++;
	else
		r->failures++;
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* Of racing takeovers that all expect the bot, exactly one wins. */
static void test_conv_takeover_race_one_winner(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX], k[STORE_ID_MAX], conv[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	upsert(fx, tenant, bot, "bidx-race-takeover", NULL, NULL, k);
	open_conv(fx, tenant, bot, k, 1, STORE_OK, true, conv);
	struct takeover_race r = {.fx = fx, .tenant = tenant, .conv = conv};
	pthread_mutex_init(&r.mu, NULL);
	pthread_t th[TAKEOVER_THREADS];
	for (int i = 0; i < TAKEOVER_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, takeover_racer, &r), 0);
	for (int i = 0; i < TAKEOVER_THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&r.mu);
	assert_int_equal(r.failures, 0);
	assert_int_equal(r.ok, 1);
	assert_int_equal(r.conflicts, TAKEOVER_THREADS - 1);
	conv_is(fx, tenant, conv, "human", NULL, "keyword", 2, 1, 2);
}

/* ---- funnel counts ----------------------------------------------------------------------------------- */

#define MAX_COUNTS 8

struct counts {
	int n, stop_after; /* stop_after 0: never stop */
	char event[MAX_COUNTS][64];
	int64_t count[MAX_COUNTS];
};

static int collect(void *ud, const char *event, int64_t count)
{
	struct counts *c = ud;
	if (c->n >= MAX_COUNTS)
		return -100;
	snprintf(c->event[c->n], sizeof c->event[c->n], "%s", event);
	c->count[c->n++] = count;
	return c->stop_after && c->n >= c->stop_after ? 1 : 0;
}

static void event_at(struct fixture *fx, const char *tenant, const char *bot, const char *event, int64_t at)
{
	assert_int_equal(store_analytics_add(fx->st, tenant, bot, event, "{}", at), STORE_OK);
}

static void test_analytics_counts_by_prefix(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], bot2[STORE_ID_MAX], obot[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	make_bot(fx, tenant, bot2);
	make_bot(fx, other, obot);

	/* the window is [1000, 2000) */
	event_at(fx, tenant, bot, "wa_flow_start", 1000);
	event_at(fx, tenant, bot, "wa_flow_start", 1500);
	event_at(fx, tenant, bot, "wa_flow_start", 1999);
	event_at(fx, tenant, bot, "wa_flow_start", 999);  /* before */
	event_at(fx, tenant, bot, "wa_flow_start", 2000); /* at the end: outside */
	event_at(fx, tenant, bot, "wa_flow_done", 1200);
	event_at(fx, tenant, bot, "wa_flow_X", 1300);     /* names sort by bytes: 'X' before 'd' */
	event_at(fx, tenant, bot, "wa_flow", 1300);       /* shorter than the prefix */
	event_at(fx, tenant, bot, "waXflowYstart", 1300); /* '_' of the prefix is no wildcard */
	event_at(fx, tenant, bot, "wa_flowZstart", 1300);
	event_at(fx, tenant, bot, "wa_flow%", 1300);      /* neither is '%' */
	event_at(fx, tenant, bot, "chat_message", 1300);  /* another prefix */
	event_at(fx, tenant, bot2, "wa_flow_start", 1500); /* another bot */
	event_at(fx, other, obot, "wa_flow_start", 1500);  /* another tenant */

	struct counts c = {0};
	assert_int_equal(store_analytics_counts(fx->st, tenant, bot, "wa_flow_", 1000, 2000, collect, &c), STORE_OK);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.event[0], "wa_flow_X");
	assert_int_equal(c.count[0], 1);
	assert_string_equal(c.event[1], "wa_flow_done");
	assert_int_equal(c.count[1], 1);
	assert_string_equal(c.event[2], "wa_flow_start");
	assert_int_equal(c.count[2], 3);

	/* a prefix with LIKE's metacharacters matches them literally */
	c = (struct counts){0};
	assert_int_equal(store_analytics_counts(fx->st, tenant, bot, "wa_flow%", 0, 5000, collect, &c), STORE_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.event[0], "wa_flow%");
	/* the empty prefix counts every event of the bot in the window */
	c = (struct counts){0};
	assert_int_equal(store_analytics_counts(fx->st, tenant, bot2, "", 1000, 2000, collect, &c), STORE_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.event[0], "wa_flow_start");
	assert_int_equal(c.count[0], 1);
	/* an empty window, another tenant's view of the bot: nothing */
	c = (struct counts){0};
	assert_int_equal(store_analytics_counts(fx->st, tenant, bot, "wa_flow_", 2001, 3000, collect, &c), STORE_OK);
	assert_int_equal(store_analytics_counts(fx->st, other, bot, "wa_flow_", 0, 5000, collect, &c), STORE_OK);
	assert_int_equal(c.n, 0);
	/* a non-zero return from emit stops the walk */
	c = (struct counts){.stop_after = 1};
	store_analytics_counts(fx->st, tenant, bot, "wa_flow_", 1000, 2000, collect, &c);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.event[0], "wa_flow_X");
}

#define WA_TESTS                                                                                              \
	cmocka_unit_test(test_contact_upsert_unique_per_bot), cmocka_unit_test(test_contact_upsert_race_one_contact), \
		cmocka_unit_test(test_consent_and_inbound_move_forward),                                          \
		cmocka_unit_test(test_message_duplicates_and_scope), cmocka_unit_test(test_status_moves_forward_only), \
		cmocka_unit_test(test_messages_list_order_limit_scope),                                        \
		cmocka_unit_test(test_conv_open_once_per_contact),                                                \
		cmocka_unit_test(test_conv_open_race_one_conversation),                                           \
		cmocka_unit_test(test_conv_update_owner_state_count),                                             \
		cmocka_unit_test(test_conv_takeover_race_one_winner), cmocka_unit_test(test_analytics_counts_by_prefix)

int main(void)
{
	const struct CMUnitTest tests[] = {WA_TESTS};
	return RUN_BACKENDS("wa", tests, tests);
}
