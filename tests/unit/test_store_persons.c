/*
 * test_store_persons.c — the store contract for images, contact persons and contact requests (migration
 * 004), run against every backend with the fixture of store_fixture.h: "persons_sqlite" on a
 * temporary SQLite file, "persons_postgres" on a fresh database on BOTWERK_TEST_PG_URL (skipped without it).
 */
#define STORE_FIXTURE_NAME "test_store_persons"
#define STORE_FIXTURE_TMP "persons"
#define STORE_FIXTURE_DB "botwerk_testcp"
#include "store_fixture.h"

/* ---- helpers --------------------------------------------------------------------------------------- */

static int add_person(struct fixture *fx, const char *tenant, const char *bot, const char *name,
		      char id[STORE_ID_MAX])
{
	struct store_person p = {.name = (char *)(uintptr_t)name, .email = "team@example.de"};
	new_id(fx, "cp", id);
	snprintf(p.id, sizeof p.id, "%s", id);
	snprintf(p.bot_id, sizeof p.bot_id, "%s", bot);
	p.created_at = p.updated_at = tick(fx);
	return store_person_create(fx->st, tenant, &p, STORE_PERSONS_MAX);
}

/* Names of the bot's persons in order, joined by ','. */
static void names(struct fixture *fx, const char *tenant, const char *bot, char *out, size_t outlen)
{
	struct store_person rows[8];
	int n = -1;
	assert_int_equal(store_person_list(fx->st, tenant, bot, rows, 8, &n), STORE_OK);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		assert_int_equal(rows[i].ord, i + 1);
		snprintf(out + strlen(out), outlen - strlen(out), "%s%s", i ? "," : "", rows[i].name);
		store_person_clear(&rows[i]);
	}
}

/* Binary bytes with NULs and high bytes, as an image has them. */
static const unsigned char BYTES_A[] = {0x89, 'P', 'N', 'G', 0, 0, 0xff, 0x00, 0x7f, 0x80, 0x01};
static const unsigned char BYTES_B[] = {0xff, 0xd8, 0xff, 0x00, 0x00, 0xd9};

static struct store_image_in image(struct fixture *fx, const char *kind, const unsigned char *bytes, size_t len,
				   char id[STORE_ID_MAX])
{
	new_id(fx, "img", id);
	return (struct store_image_in){.id = id, .kind = kind, .content_type = "image/png", .width = 16,
				       .height = 20, .bytes = bytes, .len = len, .now = tick(fx)};
}

/* ---- tests ----------------------------------------------------------------------------------------- */

static void test_person_crud_limit_order(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], ids[6][STORE_ID_MAX], buf[256];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	const char *n[] = {"Anna", "Ben", "Cem", "Dora", "Emil", "Fritz"};
	for (int i = 0; i < 5; i++)
		assert_int_equal(add_person(fx, tenant, bot, n[i], ids[i]), STORE_OK);
	assert_int_equal(add_person(fx, tenant, bot, n[5], ids[5]), STORE_CONFLICT);
	assert_int_equal(add_person(fx, other, bot, n[5], ids[5]), STORE_NOTFOUND);
	names(fx, tenant, bot, buf, sizeof buf);
	assert_string_equal(buf, "Anna,Ben,Cem,Dora,Emil");

	struct store_person p;
	assert_int_equal(store_person_get(fx->st, tenant, bot, ids[1], &p), STORE_OK);
	assert_string_equal(p.name, "Ben");
	assert_string_equal(p.email, "team@example.de");
	assert_null(p.position);
	assert_null(p.phone);
	assert_string_equal(p.photo_image_id, "");
	p.position = strdup("Vertrieb");
	free(p.email);
	p.email = NULL;
	p.updated_at = tick(fx);
	assert_int_equal(store_person_update(fx->st, tenant, &p), STORE_OK);
	assert_int_equal(store_person_update(fx->st, other, &p), STORE_NOTFOUND);
	store_person_clear(&p);
	assert_int_equal(store_person_get(fx->st, tenant, bot, ids[1], &p), STORE_OK);
	assert_string_equal(p.position, "Vertrieb");
	assert_null(p.email);
	store_person_clear(&p);
	assert_int_equal(store_person_get(fx->st, other, bot, ids[1], &p), STORE_NOTFOUND);
	int cnt = -1;
	struct store_person rows[8];
	assert_int_equal(store_person_list(fx->st, other, bot, rows, 8, &cnt), STORE_NOTFOUND);

	/* delete closes the gap; then there is room again */
	assert_int_equal(store_person_delete(fx->st, tenant, bot, ids[2]), STORE_OK);
	assert_int_equal(store_person_delete(fx->st, tenant, bot, ids[2]), STORE_NOTFOUND);
	assert_int_equal(store_person_delete(fx->st, other, bot, ids[3]), STORE_NOTFOUND);
	names(fx, tenant, bot, buf, sizeof buf);
	assert_string_equal(buf, "Anna,Ben,Dora,Emil");
	assert_int_equal(add_person(fx, tenant, bot, "Fritz", ids[2]), STORE_OK);
	names(fx, tenant, bot, buf, sizeof buf);
	assert_string_equal(buf, "Anna,Ben,Dora,Emil,Fritz");

	/* reorder: exactly the bot's persons, once each */
	const char *order[] = {ids[2], ids[4], ids[3], ids[1], ids[0]};
	assert_int_equal(store_person_reorder(fx->st, tenant, bot, order, 5, tick(fx)), STORE_OK);
	names(fx, tenant, bot, buf, sizeof buf);
	assert_string_equal(buf, "Fritz,Emil,Dora,Ben,Anna");
	const char *dup[] = {ids[2], ids[2], ids[3], ids[1], ids[0]};
	assert_int_equal(store_person_reorder(fx->st, tenant, bot, dup, 5, tick(fx)), STORE_CONFLICT);
	assert_int_equal(store_person_reorder(fx->st, tenant, bot, order, 4, tick(fx)), STORE_CONFLICT);
	const char *stranger[] = {ids[2], ids[4], ids[3], ids[1], "cp_nobody"};
	assert_int_equal(store_person_reorder(fx->st, tenant, bot, stranger, 5, tick(fx)), STORE_CONFLICT);
	assert_int_equal(store_person_reorder(fx->st, other, bot, order, 5, tick(fx)), STORE_NOTFOUND);
	names(fx, tenant, bot, buf, sizeof buf);
	assert_string_equal(buf, "Fritz,Emil,Dora,Ben,Anna"); /* failed reorders change nothing */
}

static void test_images_logo_photo_and_bot_delete(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], pid[STORE_ID_MAX];
	char logo1[STORE_ID_MAX], logo2[STORE_ID_MAX], ph1[STORE_ID_MAX], ph2[STORE_ID_MAX], stray[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);

	struct store_image_in in = image(fx, "logo", BYTES_A, sizeof BYTES_A, logo1);
	assert_int_equal(store_bot_logo_set(fx->st, tenant, bot, &in, "{\"branding\":{\"logo_url\":\"x1\"}}", tick(fx)), STORE_OK);
	struct store_image im;
	assert_int_equal(store_image_get(fx->st, logo1, &im), STORE_OK);
	assert_int_equal(im.len, sizeof BYTES_A);
	assert_memory_equal(im.bytes, BYTES_A, sizeof BYTES_A);
	assert_string_equal(im.content_type, "image/png");
	assert_int_equal(im.width, 16);
	assert_int_equal(im.height, 20);
	store_image_clear(&im);
	struct store_bot b;
	assert_int_equal(store_bot_get(fx->st, tenant, bot, &b), STORE_OK);
	assert_non_null(strstr(b.config, "x1"));
	store_bot_clear(&b);

	in = image(fx, "logo", BYTES_B, sizeof BYTES_B, logo2);
	assert_int_equal(store_bot_logo_set(fx->st, tenant, bot, &in, "{\"branding\":{\"logo_url\":\"x2\"}}", tick(fx)), STORE_OK);
	assert_int_equal(store_image_get(fx->st, logo1, &im), STORE_NOTFOUND);
	assert_int_equal(store_image_get(fx->st, logo2, &im), STORE_OK);
	assert_memory_equal(im.bytes, BYTES_B, sizeof BYTES_B);
	store_image_clear(&im);
	in = image(fx, "logo", BYTES_A, sizeof BYTES_A, stray);
	assert_int_equal(store_bot_logo_set(fx->st, other, bot, &in, "{}", tick(fx)), STORE_NOTFOUND);
	assert_int_equal(store_image_get(fx->st, stray, &im), STORE_NOTFOUND);
	assert_int_equal(store_image_get(fx->st, logo2, &im), STORE_OK);
	store_image_clear(&im);

	assert_int_equal(add_person(fx, tenant, bot, "Anna", pid), STORE_OK);
	in = image(fx, "photo", BYTES_A, sizeof BYTES_A, ph1);
	assert_int_equal(store_person_photo_set(fx->st, tenant, bot, pid, &in), STORE_OK);
	struct store_person p;
	assert_int_equal(store_person_get(fx->st, tenant, bot, pid, &p), STORE_OK);
	assert_string_equal(p.photo_image_id, ph1);
	store_person_clear(&p);
	in = image(fx, "photo", BYTES_B, sizeof BYTES_B, ph2);
	assert_int_equal(store_person_photo_set(fx->st, tenant, bot, pid, &in), STORE_OK);
	assert_int_equal(store_image_get(fx->st, ph1, &im), STORE_NOTFOUND);
	in = image(fx, "photo", BYTES_B, sizeof BYTES_B, stray);
	assert_int_equal(store_person_photo_set(fx->st, other, bot, pid, &in), STORE_NOTFOUND);
	assert_int_equal(store_person_photo_set(fx->st, tenant, bot, "cp_nobody", &in), STORE_NOTFOUND);
	assert_int_equal(store_image_get(fx->st, stray, &im), STORE_NOTFOUND);

	/* deleting a person deletes its photo */
	char pid2[STORE_ID_MAX], ph3[STORE_ID_MAX];
	assert_int_equal(add_person(fx, tenant, bot, "Ben", pid2), STORE_OK);
	in = image(fx, "photo", BYTES_A, sizeof BYTES_A, ph3);
	assert_int_equal(store_person_photo_set(fx->st, tenant, bot, pid2, &in), STORE_OK);
	assert_int_equal(store_person_delete(fx->st, tenant, bot, pid2), STORE_OK);
	assert_int_equal(store_image_get(fx->st, ph3, &im), STORE_NOTFOUND);

	/* deleting the bot deletes its persons and images */
	assert_int_equal(store_bot_delete(fx->st, tenant, bot), STORE_OK);
	assert_int_equal(store_image_get(fx->st, logo2, &im), STORE_NOTFOUND);
	assert_int_equal(store_image_get(fx->st, ph2, &im), STORE_NOTFOUND);
	assert_int_equal(store_person_get(fx->st, tenant, bot, pid, &p), STORE_NOTFOUND);
}

static void test_contact_request(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], bot2[STORE_ID_MAX], pid[STORE_ID_MAX];
	char conv[STORE_ID_MAX], contact[STORE_ID_MAX], lead[STORE_ID_MAX], got[STORE_ID_MAX], cons[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	make_bot(fx, tenant, bot2);
	assert_int_equal(add_person(fx, tenant, bot, "Anna", pid), STORE_OK);
	conversation(fx, tenant, bot, tick(fx), conv, contact);
	new_id(fx, "lead", lead);
	new_id(fx, "cons", cons);
	struct store_contact_request cr = {
		.tenant_id = tenant, .bot_id = bot, .conversation_id = conv, .person_id = pid,
		.name_sealed = "v1.sealed-name", .phone_sealed = "v1.sealed-phone", .phone_bidx = "phonebidx",
		.message_sealed = "v1.sealed-message", .lead_id = lead, .consent_id = cons,
		.consent_text_version = "v1", .channel = "web", .context = "{\"contact_person_id\":\"x\"}",
		.interest = 5, .now = tick(fx),
	};
	bool created = false;
	assert_int_equal(store_contact_request(fx->st, &cr, got, &created), STORE_OK);
	assert_true(created);
	assert_string_equal(got, lead);

	/* the same person again: the same lead */
	char lead2[STORE_ID_MAX], cons2[STORE_ID_MAX];
	new_id(fx, "lead", lead2);
	new_id(fx, "cons", cons2);
	cr.lead_id = lead2;
	cr.consent_id = cons2;
	cr.message_sealed = "v1.other";
	assert_int_equal(store_contact_request(fx->st, &cr, got, &created), STORE_OK);
	assert_false(created);
	assert_string_equal(got, lead);

	/* without a person, and without consent: another lead */
	char lead3[STORE_ID_MAX];
	new_id(fx, "lead", lead3);
	struct store_contact_request bare = {.tenant_id = tenant, .bot_id = bot, .conversation_id = conv,
					     .lead_id = lead3, .channel = "web", .interest = 4, .now = tick(fx)};
	assert_int_equal(store_contact_request(fx->st, &bare, got, &created), STORE_OK);
	assert_true(created);

	/* wrong tenant, bot, conversation or person: not found */
	struct store_contact_request bad = cr;
	bad.tenant_id = other;
	assert_int_equal(store_contact_request(fx->st, &bad, got, &created), STORE_NOTFOUND);
	bad = cr;
	bad.bot_id = bot2;
	assert_int_equal(store_contact_request(fx->st, &bad, got, &created), STORE_NOTFOUND);
	bad = cr;
	bad.person_id = "cp_nobody";
	assert_int_equal(store_contact_request(fx->st, &bad, got, &created), STORE_NOTFOUND);

	/* listed as leads with their source; the details come sealed */
	struct store_lead *rows = NULL;
	int n = 0;
	assert_int_equal(store_lead_list(fx->st, tenant, NULL, 0, NULL, 10, &rows, &n), STORE_OK);
	assert_int_equal(n, 2);
	for (int i = 0; i < n; i++) {
		assert_string_equal(rows[i].source, "contact_request");
		assert_string_equal(rows[i].contact_id, contact);
		store_lead_clear(&rows[i]);
	}
	free(rows);
	struct store_lead_details d;
	assert_int_equal(store_lead_details(fx->st, tenant, lead, &d), STORE_OK);
	assert_string_equal(d.name_sealed, "v1.sealed-name");
	assert_string_equal(d.phone_sealed, "v1.sealed-phone");
	assert_string_equal(d.message_sealed, "v1.sealed-message"); /* the first request's */
	store_lead_details_clear(&d);
	assert_int_equal(store_lead_details(fx->st, tenant, lead3, &d), STORE_OK);
	assert_null(d.message_sealed);
	assert_string_equal(d.name_sealed, "v1.sealed-name"); /* the contact's, kept when not given */
	store_lead_details_clear(&d);
	assert_int_equal(store_lead_details(fx->st, other, lead, &d), STORE_NOTFOUND);

	/* erasure takes the requests with it */
	assert_int_equal(store_contact_erase(fx->st, tenant, contact, tick(fx)), STORE_OK);
	assert_int_equal(store_lead_details(fx->st, tenant, lead, &d), STORE_NOTFOUND);
	assert_int_equal(store_lead_list(fx->st, tenant, NULL, 0, NULL, 10, &rows, &n), STORE_OK);
	assert_int_equal(n, 0);
	free(rows);
}

#define PERSON_TESTS                                                                                         \
	cmocka_unit_test(test_person_crud_limit_order), cmocka_unit_test(test_images_logo_photo_and_bot_delete), \
		cmocka_unit_test(test_contact_request)

int main(void)
{
	const struct CMUnitTest tests[] = {PERSON_TESTS};
	return RUN_BACKENDS("persons", tests, tests);
}
