/*
 * test_profile.c — conv/profile: the per-bot schema, the checked merge of one message's findings (which
 * source wins, what is refused), the list of changed fields, and the sealed profile on the contact
 * (profile_update_contact through the real store: group "profile" needs no database; "profile_store_sqlite"
 * and "profile_store_postgres" use the fixture of store_fixture.h, the latter only with BOTWERK_TEST_PG_URL).
 */
#define STORE_FIXTURE_NAME "test_profile"
#define STORE_FIXTURE_TMP "profile"
#define STORE_FIXTURE_DB "botwerk_testpf"
#include "store_fixture.h"

#include "base/crypto.h"
#include "conv/profile.h"
#include "privacy/keys.h"

static json_t *parse(const char *text)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
	assert_non_null(v);
	return v;
}

/* Fails unless `got` holds exactly the JSON `want`. */
static void assert_json(const json_t *got, const char *want)
{
	json_t *w = parse(want);
	if (!json_equal(got, w)) {
		char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		fprintf(stderr, "got %s, want %s\n", g ? g : "(null)", want);
		free(g);
		fail();
	}
	json_decref(w);
}

/* ---- schema ---------------------------------------------------------------------------------------- */

static void test_all_fields(void **state)
{
	(void)state;
	assert_null(profile_all_fields[PROFILE_FIELD_COUNT]);
	for (int i = 0; i < PROFILE_FIELD_COUNT; i++) {
		assert_non_null(profile_all_fields[i]);
		assert_true(profile_field_known(profile_all_fields[i]));
	}
	assert_string_equal(profile_all_fields[0], "first_name");
	assert_string_equal(profile_all_fields[PROFILE_FIELD_COUNT - 1], "notes");
	assert_false(profile_field_known("password"));
	assert_false(profile_field_known("Email"));
	assert_false(profile_field_known(""));
	assert_false(profile_field_known(NULL));
}

static void test_schema_subset(void **state)
{
	(void)state;
	json_t *all = profile_schema(NULL), *cfg, *s;
	assert_int_equal(json_array_size(all), PROFILE_FIELD_COUNT);
	for (int i = 0; i < PROFILE_FIELD_COUNT; i++)
		assert_string_equal(json_string_value(json_array_get(all, (size_t)i)), profile_all_fields[i]);

	/* absent, null or not an array: all fields */
	const char *whole[] = {"{\"lang\":\"de\"}", "{\"profile_fields\":null}", "{\"profile_fields\":\"email\"}"};
	for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++) {
		cfg = parse(whole[i]);
		s = profile_schema(cfg);
		assert_true(json_equal(s, all));
		json_decref(s);
		json_decref(cfg);
	}

	/* a subset: known names once each, in the fixed order */
	cfg = parse("{\"profile_fields\":[\"email\",\"first_name\",\"bogus\",\"email\",7,\"goal\"]}");
	s = profile_schema(cfg);
	assert_json(s, "[\"first_name\",\"email\",\"goal\"]");
	json_decref(s);
	json_decref(cfg);

	/* an empty list collects nothing */
	cfg = parse("{\"profile_fields\":[]}");
	s = profile_schema(cfg);
	assert_json(s, "[]");
	json_t *profile = json_object(), *changed = NULL, *rules = parse("{\"first_name\":\"Anna\"}");
	assert_int_equal(profile_merge_message(profile, rules, NULL, s, &changed), 0);
	assert_null(changed);
	assert_json(profile, "{}");
	json_decref(rules);
	json_decref(profile);
	json_decref(s);
	json_decref(cfg);
	json_decref(all);
}

/* ---- merging ----------------------------------------------------------------------------------------- */

static void test_schema_filters_merge(void **state)
{
	(void)state;
	json_t *profile = json_object(), *changed = NULL;
	json_t *schema = parse("[\"first_name\",\"age\"]");
	json_t *rules = parse("{\"first_name\":\"Anna\",\"email\":\"anna@example.de\",\"goal\":\"toning\"}");
	json_t *llm = parse("{\"age\":34,\"city\":\"Berlin\",\"password\":\"hunter2\",\"__proto__\":{}}");
	assert_int_equal(profile_merge_message(profile, rules, llm, schema, &changed), 2);
	assert_json(profile, "{\"first_name\":\"Anna\",\"age\":34}");
	assert_json(changed, "[\"first_name\",\"age\"]");
	json_decref(changed);

	/* NULL schema: every field; unknown keys still dropped */
	json_decref(profile);
	profile = json_object();
	assert_int_equal(profile_merge_message(profile, rules, llm, NULL, &changed), 5);
	assert_json(profile, "{\"first_name\":\"Anna\",\"email\":\"anna@example.de\",\"age\":34,\"city\":\"Berlin\","
			     "\"goal\":\"toning\"}");
	assert_json(changed, "[\"first_name\",\"email\",\"age\",\"city\",\"goal\"]");
	json_decref(changed);
	json_decref(profile);
	json_decref(schema);
	json_decref(rules);
	json_decref(llm);
}

static void test_precedence(void **state)
{
	(void)state;
	json_t *profile = json_object(), *changed = NULL;
	json_t *rules = parse("{\"email\":\"anna@example.de\",\"preferred_date\":\"2026-03-02\","
			      "\"preferred_time\":\"18:30\",\"city\":\"Köln\",\"goal\":\"weight_loss\","
			      "\"phone\":\"12\"}");
	json_t *llm = parse("{\"email\":\"other@example.org\",\"preferred_date\":\"2026-03-05\","
			    "\"preferred_time\":\"09:00\",\"city\":\"Bonn\",\"goal\":\"muscle_gain\","
			    "\"phone\":\"+49 171 1234567\",\"fitness_level\":\"Beginner\",\"first_name\":\" Lena \"}");
	int n = profile_merge_message(profile, rules, llm, NULL, &changed);
	assert_int_equal(n, 8);
	/* the rules win where they found a valid value; the LLM fills the rest (its values normalised); a
	 * rules value that fails the check gives way to the LLM's (phone) */
	assert_json(profile, "{\"email\":\"anna@example.de\",\"preferred_date\":\"2026-03-02\",\"preferred_time\":\"18:30\","
			     "\"city\":\"Köln\",\"goal\":\"weight_loss\",\"phone\":\"+491711234567\","
			     "\"fitness_level\":\"beginner\",\"first_name\":\"Lena\"}");
	json_decref(changed);

	/* a later message: new values replace old ones, the rules still first */
	json_t *rules2 = parse("{\"preferred_time\":\"19:00\"}");
	json_t *llm2 = parse("{\"preferred_time\":\"20:00\",\"goal\":\"endurance\",\"email\":\"anna@example.de\"}");
	assert_int_equal(profile_merge_message(profile, rules2, llm2, NULL, &changed), 2);
	assert_json(changed, "[\"goal\",\"preferred_time\"]");
	assert_string_equal(json_string_value(json_object_get(profile, "preferred_time")), "19:00");
	assert_string_equal(json_string_value(json_object_get(profile, "goal")), "endurance");
	json_decref(changed);

	/* no sources, or sources that are not objects: nothing happens */
	json_t *arr = parse("[\"email\",\"x@y.de\"]");
	assert_int_equal(profile_merge_message(profile, NULL, NULL, NULL, &changed), 0);
	assert_null(changed);
	assert_int_equal(profile_merge_message(profile, arr, arr, NULL, &changed), 0);
	assert_null(changed);
	assert_int_equal(profile_merge_message(arr, rules, llm, NULL, &changed), -1); /* not an object */
	assert_null(changed);
	json_decref(arr);
	json_decref(rules2);
	json_decref(llm2);
	json_decref(rules);
	json_decref(llm);
	json_decref(profile);
}

static void test_hostile_llm_values(void **state)
{
	(void)state;
	char huge[10001];
	memset(huge, 'A', sizeof huge - 1);
	huge[sizeof huge - 1] = '\0';
	json_t *llm = parse("{\"first_name\":42,\"city\":\"<script>alert(1)</script>\",\"email\":\"anna.example.de\","
			    "\"phone\":\"12\",\"age\":300,\"gender\":\"alien\",\"goal\":[\"weight_loss\"],"
			    "\"budget_sensitive\":\"yes\",\"preferred_date\":\"2026-02-30\",\"preferred_time\":\"25:00\","
			    "\"notes\":\"hi\\u202eevil\",\"occupation\":\"Dev\\nOps\",\"training_frequency\":\"9/week\","
			    "\"health_restrictions\":\"knee,none\",\"interest_level\":null,\"how_found\":{},"
			    "\"urgency\":\"\",\"time_window\":\"night\",\"ssn\":\"123-45-6789\"}");
	assert_int_equal(json_object_set_new(llm, "last_name", json_string(huge)), 0);
	json_t *profile = parse("{\"first_name\":\"Anna\"}"), *changed = (json_t *)1;
	assert_int_equal(profile_merge_message(profile, NULL, llm, NULL, &changed), 0);
	assert_null(changed);
	assert_json(profile, "{\"first_name\":\"Anna\"}");
	json_decref(profile);
	json_decref(llm);

	/* a NUL inside a string (jansson keeps it when built with a length) */
	llm = json_object();
	profile = json_object();
	assert_int_equal(json_object_set_new(llm, "first_name", json_stringn("An\0na", 5)), 0);
	assert_int_equal(json_object_set_new(llm, "email", json_stringn("a@b.de\0x", 8)), 0);
	assert_int_equal(json_object_set_new(llm, "phone", json_stringn("+491711234567\0", 14)), 0);
	assert_int_equal(json_object_set_new(llm, "notes", json_stringn("a\0b", 3)), 0);
	assert_int_equal(profile_merge_message(profile, NULL, llm, NULL, NULL), 0);
	assert_int_equal(json_object_size(profile), 0);
	json_decref(profile);
	json_decref(llm);
}

/* One value as the LLM might give it (JSON text) and what is stored (JSON text; NULL: refused). */
struct case_row {
	const char *field, *given, *stored;
};

static const struct case_row cases[] = {
	/* names, city, occupation */
	{"first_name", "\"Anna-Lena\"", "\"Anna-Lena\""},
	{"last_name", "\"O'Brien\"", "\"O'Brien\""},
	{"last_name", "\"Müller-Lüdenscheidt\"", "\"Müller-Lüdenscheidt\""},
	{"first_name", "\"Zoë\"", "\"Zoë\""},
	{"first_name", "\"R2D2\"", NULL},
	{"first_name", "\"...\"", NULL},
	{"first_name", "\"<b>Anna</b>\"", NULL},
	{"first_name", "\"anna@example.de\"", NULL},
	{"first_name", "\"   \"", NULL},
	{"city", "\"Frankfurt am Main\"", "\"Frankfurt am Main\""},
	{"city", "\"Halle (Saale)\"", "\"Halle (Saale)\""},
	{"occupation", "\"Krankenschwester\"", "\"Krankenschwester\""},
	{"occupation", "\"Dev\\u200bOps\"", NULL},
	/* notes: free text, 200 bytes at most, no control characters */
	{"notes", "\"Bitte <nicht> vor 9 Uhr anrufen :-)\"", "\"Bitte <nicht> vor 9 Uhr anrufen :-)\""},
	{"notes", "\"Zeile\\r\\nzwei\"", NULL},
	{"notes", "\"\\u0085\"", NULL},
	{"notes", "\"\\ufeffx\"", NULL},
	/* email */
	{"email", "\" Anna.Schmidt@Example.DE \"", "\"Anna.Schmidt@example.de\""},
	{"email", "\"a@b\"", NULL},
	{"email", "\"a b@c.de\"", NULL},
	{"email", "\"<a@b.de>\"", NULL},
	{"email", "\"a@@b.de\"", NULL},
	{"email", "\"@b.de\"", NULL},
	{"email", "\"a\\u0085b@c.de\"", NULL},
	{"email", "\"a\\u202eb@c.de\"", NULL},
	{"email", "17", NULL},
	/* phone */
	{"phone", "\"+49 171 1234567\"", "\"+491711234567\""},
	{"phone", "\"0049 (0)171 1234567\"", "\"+491711234567\""},
	{"phone", "\"+49 0171 1234567\"", "\"+491711234567\""},
	{"phone", "\"+1 (212) 555-0100\"", "\"+12125550100\""},
	{"phone", "\"0171 1234567\"", NULL}, /* national: only the extractor converts those */
	{"phone", "\"+12345\"", NULL},
	{"phone", "\"+1234567890123456\"", NULL},
	{"phone", "\"+49 171 1234567 ext. 5\"", NULL},
	{"phone", "491711234567", NULL},
	/* age */
	{"age", "14", "14"},
	{"age", "99", "99"},
	{"age", "13", NULL},
	{"age", "100", NULL},
	{"age", "\"34\"", NULL},
	{"age", "34.0", NULL},
	{"age", "-34", NULL},
	/* enums */
	{"gender", "\"Female\"", "\"female\""},
	{"gender", "\"frau\"", NULL},
	{"goal", "\"back_health\"", "\"back_health\""},
	{"goal", "\"back health\"", NULL},
	{"how_found", "\"walk_by\"", "\"walk_by\""},
	{"interest_level", "\"HIGH\"", "\"high\""},
	{"urgency", "\"urgent\"", NULL},
	{"time_window", "\"evening\"", "\"evening\""},
	{"budget_sensitive", "false", "false"},
	{"budget_sensitive", "0", NULL},
	/* lists and formats */
	{"health_restrictions", "\"Knee, back_pain\"", "\"back_pain,knee\""},
	{"health_restrictions", "\"knee,knee\"", "\"knee\""},
	{"health_restrictions", "\"none\"", "\"none\""},
	{"health_restrictions", "\"knee,\"", NULL},
	{"health_restrictions", "\"bad_mood\"", NULL},
	{"training_frequency", "\"2-3/week\"", "\"2-3/week\""},
	{"training_frequency", "\"7/week\"", "\"7/week\""},
	{"training_frequency", "\"3-2/week\"", NULL},
	{"training_frequency", "\"0/week\"", NULL},
	{"training_frequency", "\"3x/week\"", NULL},
	{"preferred_date", "\"2028-02-29\"", "\"2028-02-29\""},
	{"preferred_date", "\"2027-02-29\"", NULL},
	{"preferred_date", "\"2026-04-31\"", NULL},
	{"preferred_date", "\"1999-01-01\"", NULL},
	{"preferred_date", "\"2026-1-5\"", NULL},
	{"preferred_time", "\"09:05\"", "\"09:05\""},
	{"preferred_time", "\"23:59\"", "\"23:59\""},
	{"preferred_time", "\"9:05\"", NULL},
	{"preferred_time", "\"23:60\"", NULL},
	{"preferred_time", "\"24:00\"", NULL},
};

static void test_value_checks(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct case_row *c = &cases[i];
		json_t *llm = json_object(), *profile = json_object(), *changed = NULL;
		assert_int_equal(json_object_set_new(llm, c->field, parse(c->given)), 0);
		int n = profile_merge_message(profile, NULL, llm, NULL, &changed);
		if (n != (c->stored ? 1 : 0))
			fprintf(stderr, "case %zu: %s = %s\n", i, c->field, c->given);
		assert_int_equal(n, c->stored ? 1 : 0);
		if (c->stored) {
			assert_json(json_object_get(profile, c->field), c->stored);
			assert_int_equal(json_array_size(changed), 1);
			assert_string_equal(json_string_value(json_array_get(changed, 0)), c->field);
		} else {
			assert_int_equal(json_object_size(profile), 0);
			assert_null(changed);
		}
		json_decref(changed);
		json_decref(profile);
		json_decref(llm);
	}
}

static void test_text_length_limit(void **state)
{
	(void)state;
	char text[PROFILE_TEXT_MAX + 2];
	memset(text, 'a', sizeof text - 1);
	text[sizeof text - 1] = '\0'; /* PROFILE_TEXT_MAX + 1 bytes */
	json_t *profile = json_object(), *llm = json_object();
	assert_int_equal(json_object_set_new(llm, "notes", json_string(text)), 0);
	assert_int_equal(profile_merge_message(profile, NULL, llm, NULL, NULL), 0);
	text[PROFILE_TEXT_MAX] = '\0';
	assert_int_equal(json_object_set_new(llm, "notes", json_string(text)), 0);
	assert_int_equal(profile_merge_message(profile, NULL, llm, NULL, NULL), 1);
	assert_int_equal(json_string_length(json_object_get(profile, "notes")), PROFILE_TEXT_MAX);
	json_decref(llm);
	json_decref(profile);
}

static void test_changed_list(void **state)
{
	(void)state;
	json_t *profile = parse("{\"first_name\":\"Anna\",\"goal\":\"toning\",\"health_restrictions\":\"knee\","
				"\"legacy\":\"kept\"}");
	json_t *changed = NULL;
	json_t *rules = parse("{\"first_name\":\"Anna\",\"health_restrictions\":\"back_pain\"}");
	json_t *llm = parse("{\"goal\":\"endurance\",\"city\":\"Berlin\",\"first_name\":\"Anja\"}");
	assert_int_equal(profile_merge_message(profile, rules, llm, NULL, &changed), 3);
	/* the same name is no change; restrictions are united in the extractor's order */
	assert_json(changed, "[\"city\",\"goal\",\"health_restrictions\"]");
	assert_json(profile, "{\"first_name\":\"Anna\",\"goal\":\"endurance\",\"health_restrictions\":\"back_pain,knee\","
			     "\"legacy\":\"kept\",\"city\":\"Berlin\"}");
	json_decref(changed);
	/* the same message again changes nothing */
	changed = (json_t *)1;
	assert_int_equal(profile_merge_message(profile, rules, llm, NULL, &changed), 0);
	assert_null(changed);
	/* a new "none" does not erase known restrictions */
	json_t *none = parse("{\"health_restrictions\":\"none\"}");
	assert_int_equal(profile_merge_message(profile, none, NULL, NULL, &changed), 0);
	assert_null(changed);
	json_decref(none);
	json_decref(rules);
	json_decref(llm);
	json_decref(profile);
}

/* ---- on the contact (store fixture) -------------------------------------------------------------------- */

#define T0 1800000000000LL

/* A conversation whose contact has a real key wrapped by the tenant key (keyring_new_contact); the
 * contact's id into contact, its key into key. */
static void real_contact(struct fixture *fx, struct keyring *kr, const char *tenant, const char *bot,
			 char contact[STORE_ID_MAX], unsigned char key[SEAL_KEY_BYTES])
{
	char conv[STORE_ID_MAX], um[STORE_ID_MAX], bm[STORE_ID_MAX], *wrapped = NULL;
	new_id(fx, "conv", conv);
	new_id(fx, "ct", contact);
	new_id(fx, "msg", um);
	new_id(fx, "msg", bm);
	assert_int_equal(keyring_new_contact(kr, fx->st, tenant, contact, key, &wrapped), STORE_OK);
	struct store_exchange x = {
		.tenant_id = tenant, .bot_id = bot, .conversation_id = conv, .new_conversation = true,
		.channel = "web", .user_msg_id = um, .user_text = "v1.q", .bot_msg_id = bm, .bot_text = "v1.a",
		.bot_meta = "{}", .latency_ms = 1, .now = tick(fx), .contact_id = contact,
		.contact_wrapped_key = wrapped,
	};
	assert_int_equal(store_exchange_save(fx->st, &x), STORE_OK);
	free(wrapped);
}

/* The stored profile opened with `key`, as JSON (NULL when the contact has none). */
static json_t *stored_profile(struct fixture *fx, const char *tenant, const char *contact,
			      const unsigned char key[SEAL_KEY_BYTES])
{
	char *sealed = NULL, *plain = NULL;
	assert_int_equal(store_contact_profile_get(fx->st, tenant, contact, &sealed), STORE_OK);
	if (!sealed)
		return NULL;
	assert_true(seal_is_sealed(sealed));
	assert_null(strstr(sealed, "Anna"));
	assert_int_equal(privacy_open(key, tenant, contact, "profile", sealed, &plain), 0);
	json_t *p = parse(plain);
	free(plain);
	free(sealed);
	return p;
}

static int64_t updated_at(struct fixture *fx, const char *tenant, const char *contact)
{
	struct store_contact c = {0};
	assert_int_equal(store_contact_get(fx->st, tenant, contact, &c), STORE_OK);
	int64_t t = c.updated_at;
	store_contact_clear(&c);
	return t;
}

static void test_update_contact_round_trip(void **state)
{
	struct fixture *fx = *state;
	unsigned char master[SEAL_KEY_BYTES], key[SEAL_KEY_BYTES], wrong[SEAL_KEY_BYTES];
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], contact[STORE_ID_MAX];
	char ghost[STORE_ID_MAX];
	crypto_random_key(master);
	struct keyring *kr = keyring_new(master, 1);
	assert_non_null(kr);
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	real_contact(fx, kr, tenant, bot, contact, key);
	new_id(fx, "ct", ghost);

	/* first findings: sealed on the contact */
	json_t *rules = parse("{\"first_name\":\"Anna\",\"phone\":\"+491711234567\"}"), *out = NULL;
	json_t *llm = parse("{\"goal\":\"weight_loss\",\"first_name\":\"Annette\",\"age\":\"old\"}");
	assert_int_equal(profile_update_contact(kr, fx->st, tenant, contact, key, rules, llm, NULL, T0, &out),
			 STORE_OK);
	assert_json(out, "{\"first_name\":\"Anna\",\"phone\":\"+491711234567\",\"goal\":\"weight_loss\"}");
	json_t *stored = stored_profile(fx, tenant, contact, key);
	assert_true(json_equal(stored, out));
	json_decref(stored);
	json_decref(out);
	assert_int_equal(updated_at(fx, tenant, contact), T0);

	/* the key unwrapped from the contact row through the keyring; a bot schema that leaves out the phone */
	json_t *cfg = parse("{\"profile_fields\":[\"first_name\",\"city\",\"goal\"]}"), *schema = profile_schema(cfg);
	json_t *llm2 = parse("{\"city\":\"Hamburg\",\"phone\":\"+4940123456\"}");
	out = NULL;
	assert_int_equal(profile_update_contact(kr, fx->st, tenant, contact, NULL, NULL, llm2, schema, T0 + 10, &out),
			 STORE_OK);
	assert_json(out, "{\"first_name\":\"Anna\",\"phone\":\"+491711234567\",\"goal\":\"weight_loss\","
			 "\"city\":\"Hamburg\"}");
	json_decref(out);
	assert_int_equal(updated_at(fx, tenant, contact), T0 + 10);

	/* nothing new: nothing written (updated_at stays); profile_out may be NULL */
	assert_int_equal(profile_update_contact(kr, fx->st, tenant, contact, key, NULL, llm2, schema, T0 + 20, NULL),
			 STORE_OK);
	assert_int_equal(updated_at(fx, tenant, contact), T0 + 10);

	/* unknown or another tenant's contact */
	out = NULL;
	assert_int_equal(profile_update_contact(kr, fx->st, tenant, ghost, key, rules, NULL, NULL, T0 + 30, &out),
			 STORE_NOTFOUND);
	assert_int_equal(profile_update_contact(kr, fx->st, other, contact, key, rules, NULL, NULL, T0 + 30, &out),
			 STORE_NOTFOUND);
	assert_int_equal(profile_update_contact(kr, fx->st, other, contact, NULL, rules, NULL, NULL, T0 + 30, &out),
			 STORE_NOTFOUND);
	assert_null(out);

	/* a wrong key: an error, and the stored profile is left as it was */
	crypto_random_key(wrong);
	json_t *llm3 = parse("{\"notes\":\"overwrite?\"}");
	assert_int_equal(profile_update_contact(kr, fx->st, tenant, contact, wrong, NULL, llm3, NULL, T0 + 40, &out),
			 STORE_ERROR);
	assert_null(out);
	stored = stored_profile(fx, tenant, contact, key);
	assert_json(stored, "{\"first_name\":\"Anna\",\"phone\":\"+491711234567\",\"goal\":\"weight_loss\","
			    "\"city\":\"Hamburg\"}");
	json_decref(stored);
	assert_int_equal(updated_at(fx, tenant, contact), T0 + 10);

	/* neither key nor keyring */
	assert_int_equal(profile_update_contact(NULL, fx->st, tenant, contact, NULL, rules, NULL, NULL, T0, &out),
			 STORE_ERROR);

	json_decref(llm3);
	json_decref(llm2);
	json_decref(schema);
	json_decref(cfg);
	json_decref(rules);
	json_decref(llm);
	keyring_free(kr);
}

/* A contact without a profile gets {} back when nothing was found, and no row is written. */
static void test_update_contact_nothing_found(void **state)
{
	struct fixture *fx = *state;
	unsigned char master[SEAL_KEY_BYTES], key[SEAL_KEY_BYTES];
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX], contact[STORE_ID_MAX];
	crypto_random_key(master);
	struct keyring *kr = keyring_new(master, 1);
	assert_non_null(kr);
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	real_contact(fx, kr, tenant, bot, contact, key);
	json_t *out = NULL, *empty = json_object();
	assert_int_equal(profile_update_contact(kr, fx->st, tenant, contact, key, empty, NULL, NULL, T0, &out),
			 STORE_OK);
	assert_json(out, "{}");
	assert_null(stored_profile(fx, tenant, contact, key));
	json_decref(out);
	json_decref(empty);
	keyring_free(kr);
}

#define PROFILE_STORE_TESTS                                                                                  \
	cmocka_unit_test(test_update_contact_round_trip), cmocka_unit_test(test_update_contact_nothing_found)

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_all_fields),	  cmocka_unit_test(test_schema_subset),
		cmocka_unit_test(test_schema_filters_merge), cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_hostile_llm_values),   cmocka_unit_test(test_value_checks),
		cmocka_unit_test(test_text_length_limit),    cmocka_unit_test(test_changed_list),
	};
	const struct CMUnitTest store_tests[] = {PROFILE_STORE_TESTS};
	if (crypto_init() != 0)
		return 1;
	int failed = cmocka_run_group_tests_name("profile", pure, NULL, NULL);
	failed += RUN_BACKENDS("profile_store", store_tests, store_tests);
	return failed ? 1 : 0;
}
