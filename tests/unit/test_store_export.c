/*
 * test_store_export.c — the store contract for the data-subject export (store_contact_get,
 * store_conversation_get, store_contact_conversations / _consents / _leads), run against every backend with
 * the fixture of store_fixture.h: "export_sqlite" on a temporary SQLite file,
 * "export_postgres" on a fresh database on BOTWERK_TEST_PG_URL (skipped without it).
 */
#define STORE_FIXTURE_NAME "test_store_export"
#define STORE_FIXTURE_TMP "export"
#define STORE_FIXTURE_DB "botwerk_testxp"
#include "store_fixture.h"

/* ---- tests ----------------------------------------------------------------------------------------- */

#define T0 1800000000000LL

static void test_contact_and_its_rows(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], obot[STORE_ID_MAX];
	char conv[STORE_ID_MAX], contact[STORE_ID_MAX], conv2[STORE_ID_MAX], contact2[STORE_ID_MAX];
	char oconv[STORE_ID_MAX], ocontact[STORE_ID_MAX], l1[STORE_ID_MAX], l2[STORE_ID_MAX], got[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	make_bot(fx, other, obot);
	conversation(fx, tenant, bot, T0, conv, contact);
	exchange(fx, tenant, bot, conv, NULL, T0 + 50);
	conversation(fx, tenant, bot, T0 + 10, conv2, contact2);
	conversation(fx, other, obot, T0 + 20, oconv, ocontact);
	lead(fx, tenant, bot, conv, "bidx-1", 6, T0 + 100, l1);
	/* a contact request on the same conversation: name, phone and a sealed message, with consent */
	char cons[STORE_ID_MAX];
	new_id(fx, "lead", l2);
	new_id(fx, "cons", cons);
	struct store_contact_request cr = {
		.tenant_id = tenant, .bot_id = bot, .conversation_id = conv, .name_sealed = "v1.sealed-name",
		.phone_sealed = "v1.sealed-phone", .phone_bidx = "pbidx", .message_sealed = "v1.sealed-request",
		.lead_id = l2, .consent_id = cons, .consent_text_version = "v3", .channel = "web",
		.context = "{\"contact_person_id\":null}", .interest = 4, .now = T0 + 200,
	};
	bool created = false;
	assert_int_equal(store_contact_request(fx->st, &cr, got, &created), STORE_OK);
	assert_true(created);

	/* the contact */
	struct store_contact k;
	assert_int_equal(store_contact_get(fx->st, tenant, contact, &k), STORE_OK);
	assert_string_equal(k.id, contact);
	assert_string_equal(k.bot_id, bot);
	assert_non_null(k.wrapped_key);
	assert_true(strncmp(k.wrapped_key, "v1.wrapped.", 11) == 0);
	assert_string_equal(k.email_sealed, "v1.sealed-email");
	assert_string_equal(k.name_sealed, "v1.sealed-name");
	assert_string_equal(k.phone_sealed, "v1.sealed-phone");
	assert_null(k.profile_sealed);
	assert_string_equal(k.channel, "web");
	assert_true(k.created_at == T0);
	assert_true(k.updated_at >= T0);
	store_contact_clear(&k);
	/* a contact without email: NULL columns */
	assert_int_equal(store_contact_get(fx->st, tenant, contact2, &k), STORE_OK);
	assert_null(k.email_sealed);
	assert_null(k.name_sealed);
	assert_null(k.phone_sealed);
	store_contact_clear(&k);

	/* conversations */
	struct store_conversation *convs = NULL;
	int n = -1;
	assert_int_equal(store_contact_conversations(fx->st, tenant, contact, 10, &convs, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(convs[0].id, conv);
	assert_string_equal(convs[0].bot_id, bot);
	assert_string_equal(convs[0].contact_id, contact);
	assert_string_equal(convs[0].channel, "web");
	assert_int_equal(convs[0].message_count, 4);
	assert_true(convs[0].started_at == T0);
	assert_true(convs[0].last_message_at == T0 + 50);
	store_conversation_clear(&convs[0]);
	free(convs);

	/* one conversation by id, with the contact's wrapped key */
	struct store_conversation c;
	char *wrapped = NULL;
	assert_int_equal(store_conversation_get(fx->st, tenant, conv, &c, &wrapped), STORE_OK);
	assert_string_equal(c.id, conv);
	assert_string_equal(c.contact_id, contact);
	assert_int_equal(c.message_count, 4);
	assert_non_null(wrapped);
	assert_true(strncmp(wrapped, "v1.wrapped.", 11) == 0);
	store_conversation_clear(&c);
	free(wrapped);

	/* leads, oldest first, with the request's sealed message */
	struct store_contact_lead *leads = NULL;
	assert_int_equal(store_contact_leads(fx->st, tenant, contact, 10, &leads, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(leads[0].id, l1);
	assert_string_equal(leads[0].source, "email_capture");
	assert_string_equal(leads[0].conversation_id, conv);
	assert_string_equal(leads[0].bot_id, bot);
	assert_string_equal(leads[0].context, "{\"topics\":[\"preise\"]}");
	assert_null(leads[0].message_sealed);
	assert_int_equal(leads[0].interest, 6);
	assert_true(leads[0].created_at == T0 + 100);
	assert_string_equal(leads[1].id, l2);
	assert_string_equal(leads[1].source, "contact_request");
	assert_string_equal(leads[1].message_sealed, "v1.sealed-request");
	assert_int_equal(leads[1].interest, 4);
	for (int i = 0; i < n; i++)
		store_contact_lead_clear(&leads[i]);
	free(leads);
	/* limit */
	assert_int_equal(store_contact_leads(fx->st, tenant, contact, 1, &leads, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(leads[0].id, l1);
	store_contact_lead_clear(&leads[0]);
	free(leads);

	/* consents, oldest first */
	struct store_consent *cs = NULL;
	assert_int_equal(store_contact_consents(fx->st, tenant, contact, 10, &cs, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(cs[0].text_version, "v1");
	assert_string_equal(cs[0].lead_id, l1);
	assert_string_equal(cs[0].source, "email_capture");
	assert_string_equal(cs[0].channel, "web");
	assert_true(strlen(cs[0].purpose) > 0);
	assert_true(cs[0].granted_at == T0 + 100);
	assert_string_equal(cs[1].text_version, "v3");
	assert_string_equal(cs[1].source, "contact_request");
	assert_true(cs[1].granted_at == T0 + 200);
	for (int i = 0; i < n; i++)
		store_consent_clear(&cs[i]);
	free(cs);

	/* the other contact has no leads or consents: empty lists */
	leads = (void *)1;
	assert_int_equal(store_contact_leads(fx->st, tenant, contact2, 10, &leads, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_null(leads);
	assert_int_equal(store_contact_consents(fx->st, tenant, contact2, 10, &cs, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_contact_conversations(fx->st, tenant, contact2, 0, &convs, &n), STORE_OK);
	assert_int_equal(n, 0);

	/* tenancy: another tenant's contact and conversation are not found, their rows are not listed */
	memset(&k, 0, sizeof k);
	snprintf(k.id, sizeof k.id, "untouched");
	assert_int_equal(store_contact_get(fx->st, other, contact, &k), STORE_NOTFOUND);
	assert_int_equal(store_contact_get(fx->st, tenant, ocontact, &k), STORE_NOTFOUND);
	assert_int_equal(store_contact_get(fx->st, tenant, "ct_unknown", &k), STORE_NOTFOUND);
	assert_string_equal(k.id, "untouched");
	assert_int_equal(store_conversation_get(fx->st, other, conv, &c, &wrapped), STORE_NOTFOUND);
	assert_int_equal(store_conversation_get(fx->st, tenant, oconv, &c, &wrapped), STORE_NOTFOUND);
	assert_int_equal(store_contact_conversations(fx->st, other, contact, 10, &convs, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_contact_leads(fx->st, other, contact, 10, &leads, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_contact_consents(fx->st, other, contact, 10, &cs, &n), STORE_OK);
	assert_int_equal(n, 0);

	/* erasure: nothing is left to export */
	assert_int_equal(store_contact_erase(fx->st, tenant, contact, T0 + 500), STORE_OK);
	assert_int_equal(store_contact_get(fx->st, tenant, contact, &k), STORE_NOTFOUND);
	assert_int_equal(store_conversation_get(fx->st, tenant, conv, &c, &wrapped), STORE_NOTFOUND);
	assert_int_equal(store_contact_conversations(fx->st, tenant, contact, 10, &convs, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_contact_leads(fx->st, tenant, contact, 10, &leads, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_contact_consents(fx->st, tenant, contact, 10, &cs, &n), STORE_OK);
	assert_int_equal(n, 0);
	/* the other contact is still there */
	assert_int_equal(store_conversation_get(fx->st, tenant, conv2, &c, &wrapped), STORE_OK);
	assert_string_equal(c.contact_id, contact2);
	store_conversation_clear(&c);
	free(wrapped);
}

static void test_conversations_order_and_limit(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX], conv[STORE_ID_MAX], contact[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	conversation(fx, tenant, bot, T0, conv, contact);
	/* more conversations of the same contact (the store allows it; the chat makes one per contact today) */
	char ids[4][STORE_ID_MAX];
	snprintf(ids[0], STORE_ID_MAX, "%s", conv);
	int64_t at[3] = {T0 + 30, T0 + 10, T0 + 20};
	for (int i = 0; i < 3; i++) {
		char um[STORE_ID_MAX], bm[STORE_ID_MAX];
		new_id(fx, "conv", ids[i + 1]);
		new_id(fx, "msg", um);
		new_id(fx, "msg", bm);
		struct store_exchange x = {
			.tenant_id = tenant, .bot_id = bot, .conversation_id = ids[i + 1], .new_conversation = true,
			.channel = "web", .user_msg_id = um, .user_text = "v1.q", .bot_msg_id = bm, .bot_text = "v1.a",
			.bot_meta = "{}", .now = at[i], .contact_id = contact, .contact_wrapped_key = "v1.wrapped.x",
		};
		int rc = store_exchange_save(fx->st, &x);
		if (rc != STORE_OK) {
			/* a backend that refuses a second conversation for a contact: nothing more to check here */
			assert_int_equal(rc, STORE_CONFLICT);
			return;
		}
	}
	struct store_conversation *convs = NULL;
	int n = 0;
	assert_int_equal(store_contact_conversations(fx->st, tenant, contact, 10, &convs, &n), STORE_OK);
	assert_int_equal(n, 4);
	const char *want[4] = {ids[0], ids[2], ids[3], ids[1]}; /* by started_at */
	for (int i = 0; i < n; i++) {
		assert_string_equal(convs[i].id, want[i]);
		store_conversation_clear(&convs[i]);
	}
	free(convs);
	assert_int_equal(store_contact_conversations(fx->st, tenant, contact, 2, &convs, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(convs[1].id, ids[2]);
	for (int i = 0; i < n; i++)
		store_conversation_clear(&convs[i]);
	free(convs);
}

#define EXPORT_TESTS cmocka_unit_test(test_contact_and_its_rows), cmocka_unit_test(test_conversations_order_and_limit)

int main(void)
{
	const struct CMUnitTest tests[] = {EXPORT_TESTS};
	return RUN_BACKENDS("export", tests, tests);
}
