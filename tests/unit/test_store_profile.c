/*
 * test_store_profile.c — the store contract for a contact's sealed profile (store_contact_profile_get and
 * store_contact_profile_set), run against every backend with the fixture of store_fixture.h:
 * "store_profile_sqlite" on a temporary SQLite file, "store_profile_postgres" on a fresh database on
 * BOTWERK_TEST_PG_URL (skipped without it). The store only moves the sealed text; sealing is tested in
 * test_profile.c.
 */
#define STORE_FIXTURE_NAME "test_store_profile"
#define STORE_FIXTURE_TMP "sprofile"
#define STORE_FIXTURE_DB "botwerk_testsp"
#include "store_fixture.h"

/* The contact row as store_contact_get reads it: its profile (NULL or the copy; free it) and updated_at. */
static void contact_row(struct fixture *fx, const char *tenant, const char *contact, char **profile,
			int64_t *updated_at)
{
	struct store_contact c = {0};
	assert_int_equal(store_contact_get(fx->st, tenant, contact, &c), STORE_OK);
	*profile = c.profile_sealed ? strdup(c.profile_sealed) : NULL;
	*updated_at = c.updated_at;
	store_contact_clear(&c);
}

static void test_profile_set_and_get(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX], conv[STORE_ID_MAX], contact[STORE_ID_MAX];
	char conv2[STORE_ID_MAX], contact2[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	conversation(fx, tenant, bot, tick(fx), conv, contact);
	conversation(fx, tenant, bot, tick(fx), conv2, contact2);

	/* a new contact has none */
	char *got = (char *)"untouched", *row = NULL;
	int64_t updated = 0;
	assert_int_equal(store_contact_profile_get(fx->st, tenant, contact, &got), STORE_OK);
	assert_null(got);

	int64_t t1 = tick(fx) + 1000;
	assert_int_equal(store_contact_profile_set(fx->st, tenant, contact, "v1.sealed-profile-1", t1), STORE_OK);
	assert_int_equal(store_contact_profile_get(fx->st, tenant, contact, &got), STORE_OK);
	assert_string_equal(got, "v1.sealed-profile-1");
	free(got);
	contact_row(fx, tenant, contact, &row, &updated);
	assert_string_equal(row, "v1.sealed-profile-1");
	assert_int_equal(updated, t1);
	free(row);

	/* replaced as a whole; the other contact keeps none */
	int64_t t2 = t1 + 5;
	assert_int_equal(store_contact_profile_set(fx->st, tenant, contact, "v1.sealed-profile-2", t2), STORE_OK);
	assert_int_equal(store_contact_profile_get(fx->st, tenant, contact, &got), STORE_OK);
	assert_string_equal(got, "v1.sealed-profile-2");
	free(got);
	assert_int_equal(store_contact_profile_get(fx->st, tenant, contact2, &got), STORE_OK);
	assert_null(got);

	/* NULL clears it */
	assert_int_equal(store_contact_profile_set(fx->st, tenant, contact, NULL, t2 + 1), STORE_OK);
	got = (char *)"untouched";
	assert_int_equal(store_contact_profile_get(fx->st, tenant, contact, &got), STORE_OK);
	assert_null(got);
	contact_row(fx, tenant, contact, &row, &updated);
	assert_null(row);
	assert_int_equal(updated, t2 + 1);
}

static void test_profile_tenant_isolation(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], conv[STORE_ID_MAX], contact[STORE_ID_MAX];
	char ghost[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	conversation(fx, tenant, bot, tick(fx), conv, contact);
	new_id(fx, "ct", ghost);
	int64_t t1 = tick(fx);
	assert_int_equal(store_contact_profile_set(fx->st, tenant, contact, "v1.mine", t1), STORE_OK);

	/* another tenant can neither read nor write it; an unknown contact is not found */
	char *got = (char *)"untouched";
	assert_int_equal(store_contact_profile_get(fx->st, other, contact, &got), STORE_NOTFOUND);
	assert_int_equal(store_contact_profile_set(fx->st, other, contact, "v1.theirs", tick(fx)), STORE_NOTFOUND);
	assert_int_equal(store_contact_profile_get(fx->st, tenant, ghost, &got), STORE_NOTFOUND);
	assert_int_equal(store_contact_profile_set(fx->st, tenant, ghost, "v1.x", tick(fx)), STORE_NOTFOUND);
	assert_string_equal(got, "untouched"); /* out-parameters only on STORE_OK */

	char *row = NULL;
	int64_t updated = 0;
	contact_row(fx, tenant, contact, &row, &updated);
	assert_string_equal(row, "v1.mine");
	assert_int_equal(updated, t1);
	free(row);

	/* an erased contact is gone with its profile */
	assert_int_equal(store_contact_erase(fx->st, tenant, contact, tick(fx)), STORE_OK);
	assert_int_equal(store_contact_profile_get(fx->st, tenant, contact, &got), STORE_NOTFOUND);
	assert_int_equal(store_contact_profile_set(fx->st, tenant, contact, "v1.late", tick(fx)), STORE_NOTFOUND);
}

#define PROFILE_STORE_TESTS                                                                                  \
	cmocka_unit_test(test_profile_set_and_get), cmocka_unit_test(test_profile_tenant_isolation)

int main(void)
{
	const struct CMUnitTest tests[] = {PROFILE_STORE_TESTS};
	return RUN_BACKENDS("store_profile", tests, tests);
}
