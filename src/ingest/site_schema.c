/*
 * site_schema.c — schema.org facts for the site profile: the page's JSON-LD blocks, and its microdata
 * (html_doc's flattened triples rebuilt into the same nested objects), read with one walker.
 *
 * Businesses are objects whose @type is LocalBusiness or one of its subtypes (quality 2) or an
 * Organization (quality 1); their name, address, telephone, email, sameAs, logo, opening hours,
 * contactPoint and the Person entries under employee / member / founder are offered. A Person on its
 * own (top level, @graph, mainEntity) counts when it has a jobTitle or worksFor, or sits on a team page.
 * The walk is bounded: LD_MAX_DEPTH levels, LD_BUDGET values per block, so hostile nesting costs little.
 */
#include "ingest/site_int.h"

#include <stdlib.h>
#include <string.h>

#define LD_MAX_DEPTH 10
#define LD_BUDGET 20000
#define LD_MAX_ARRAY 256

struct ld {
	struct sp_page *pg;
	enum sp_kind kind;
	long budget;
};

/* ---- types ---------------------------------------------------------------------------------------- */

static const char *short_type(const char *t)
{
	if (!strncmp(t, "https://schema.org/", 19))
		return t + 19;
	if (!strncmp(t, "http://schema.org/", 18))
		return t + 18;
	if (!strncmp(t, "schema:", 7))
		return t + 7;
	return t;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* 2 for a local business type, 1 for an organization, -1 for Person, 0 otherwise. */
static int type_score(const char *t)
{
	static const char *const local[] = {
		"LocalBusiness", "HealthClub", "ExerciseGym", "SportsActivityLocation", "Restaurant",
		"FoodEstablishment", "Bakery", "CafeOrCoffeeShop", "BarOrPub", "Brewery", "Winery", "Dentist",
		"Physician", "MedicalClinic", "Pharmacy", "Optician", "Physiotherapy", "Electrician", "Plumber",
		"RoofingContractor", "GeneralContractor", "HousePainter", "Locksmith", "MovingCompany", "AutoRepair",
		"AutoDealer", "AutoBodyShop", "AutoWash", "Attorney", "Notary", "AccountingService", "BeautySalon",
		"HairSalon", "NailSalon", "DaySpa", "TattooParlor", "Hotel", "Motel", "Hostel", "BedAndBreakfast",
		"ChildCare", "DryCleaningOrLaundry", "RealEstateAgent", "TravelAgency", "InsuranceAgency",
		"VeterinaryCare", "Library", "SelfStorage", "ShoppingCenter", "Florist", "Campground", "Resort",
		"BowlingAlley", "GolfCourse", "SkiResort", "PublicSwimmingPool", "StadiumOrArena", "TennisComplex",
		"MedicalBusiness", "MedicalOrganization", "HomeAndConstructionBusiness", "HVACBusiness", NULL};
	static const char *const suffix[] = {"Business", "Store", "Shop", "Service", "Contractor", "Agency",
					     "Salon", "Club", "Restaurant", "Clinic", "Office", "Center", "Centre",
					     "Studio", "Gym", "Practice", "Dealer", "Establishment", NULL};
	static const char *const org[] = {"Organization", "Corporation", "NGO", "EducationalOrganization",
					  "SportsOrganization", "OnlineBusiness", "PerformingGroup",
					  "WorkersUnion", "Cooperative", NULL};

	t = short_type(t);
	if (!strcmp(t, "Person"))
		return -1;
	for (const char *const *p = local; *p; p++)
		if (!strcmp(t, *p))
			return 2;
	for (const char *const *p = org; *p; p++)
		if (!strcmp(t, *p))
			return 1;
	for (const char *const *p = suffix; *p; p++)
		if (ends_with(t, *p) && strcmp(t, *p) != 0 && strcmp(t, "WebService") != 0)
			return 2;
	return 0;
}

/* The best score among the object's types (Person, -1, only when nothing better is there). */
static int object_score(const json_t *obj)
{
	const json_t *t = json_object_get(obj, "@type");
	int best = 0;

	if (json_is_string(t))
		return type_score(json_string_value(t));
	for (size_t i = 0; json_is_array(t) && i < json_array_size(t) && i < 16; i++) {
		const json_t *e = json_array_get(t, i);
		int s = json_is_string(e) ? type_score(json_string_value(e)) : 0;

		if (s > best || (s < 0 && best == 0))
			best = s;
	}
	return best;
}

/* ---- values --------------------------------------------------------------------------------------- */

/* A string, or the first string of an array; an object's "name" (DefinedTerm, Country). */
static const char *first_str(const json_t *v)
{
	if (json_is_array(v))
		v = json_array_get(v, 0);
	if (json_is_object(v))
		v = json_object_get(v, "name");
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A URL given as a string or as an ImageObject ({"url"} / {"contentUrl"}). */
static const char *url_of(const json_t *v)
{
	if (json_is_array(v))
		v = json_array_get(v, 0);
	if (json_is_object(v)) {
		const json_t *u = json_object_get(v, "url");

		v = json_is_string(u) ? u : json_object_get(v, "contentUrl");
	}
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* `ref` resolved against the page into out; false when it is not an http(s) URL. */
static bool page_url(struct ld *c, const char *ref, char out[SP_FIELD_MAX])
{
	char *u;
	bool ok;

	out[0] = '\0';
	if (!ref || strlen(ref) > HTML_MAX_URL)
		return false;
	u = html_url_resolve(c->pg->url, ref);
	ok = u && sp_http_url(u) && strlen(u) < SP_FIELD_MAX;
	if (ok)
		memcpy(out, u, strlen(u) + 1);
	free(u);
	return ok;
}

static void offer_text(struct ld *c, enum sp_field f, const char *s, int quality)
{
	char buf[SP_TEXT_BYTES];

	if (s && sp_clean(s, strlen(s), SITE_MAX_TEXT, buf, sizeof buf))
		sp_offer(c->pg->sp, f, buf, c->pg->url, c->kind, quality, 1, 0);
}

static void offer_phone(struct ld *c, const json_t *v, int quality)
{
	const char *s = first_str(v);
	char e164[SITE_E164_MAX];

	if (s && !strncmp(s, "tel:", 4))
		s += 4;
	if (s && site_phone_e164(s, c->pg->sp->cc, e164))
		sp_offer(c->pg->sp, SF_PHONE, e164, c->pg->url, c->kind, quality, 1, 0);
}

static void offer_email(struct ld *c, const json_t *v, int quality)
{
	const char *s = first_str(v);
	char mail[256];

	if (s && sp_email(s, strlen(s), mail))
		sp_offer(c->pg->sp, SF_EMAIL, mail, c->pg->url, c->kind, quality, 1, 0);
}

static void offer_address(struct ld *c, const json_t *v, int quality)
{
	char out[SP_FIELD_MAX];

	if (json_is_array(v))
		v = json_array_get(v, 0);
	if (json_is_string(v)) {
		if (!sp_text_address(json_string_value(v), NULL, out))
			return;
	} else if (json_is_object(v)) {
		const char *street = first_str(json_object_get(v, "streetAddress"));
		const char *pc = first_str(json_object_get(v, "postalCode"));
		const char *city = first_str(json_object_get(v, "addressLocality"));
		const char *country = first_str(json_object_get(v, "addressCountry"));

		if (!sp_address(street, pc, city, country, out))
			return;
	} else {
		return;
	}
	sp_offer(c->pg->sp, SF_ADDRESS, out, c->pg->url, c->kind, quality, 1, 0);
}

static void offer_social(struct ld *c, const json_t *v, int quality)
{
	char out[SP_FIELD_MAX];

	for (size_t i = 0; i < (json_is_array(v) ? json_array_size(v) : 1) && i < 32; i++) {
		const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
		int f = json_is_string(e) ? sp_social(json_string_value(e), out) : -1;

		if (f >= 0)
			sp_offer(c->pg->sp, (enum sp_field)f, out, c->pg->url, c->kind, quality, 1, 0);
	}
}

static void offer_hours(struct ld *c, const json_t *obj, int quality)
{
	const json_t *spec = json_object_get(obj, "openingHoursSpecification");
	const json_t *txt = json_object_get(obj, "openingHours");
	struct sp_week w = {0};

	for (size_t i = 0; i < (json_is_array(spec) ? json_array_size(spec) : 1) && i < 64; i++) {
		const json_t *s = json_is_array(spec) ? json_array_get(spec, i) : spec;
		const json_t *dow;
		unsigned days = 0;

		if (!json_is_object(s) || json_object_get(s, "validFrom") || json_object_get(s, "validThrough"))
			continue; /* seasonal or a special day, not the weekly plan */
		dow = json_object_get(s, "dayOfWeek");
		for (size_t k = 0; k < (json_is_array(dow) ? json_array_size(dow) : 1) && k < 16; k++) {
			const json_t *d = json_is_array(dow) ? json_array_get(dow, k) : dow;

			if (json_is_string(d))
				days |= sp_day_bit(json_string_value(d));
		}
		if (days)
			sp_hours_spec(&w, days, first_str(json_object_get(s, "opens")),
				      first_str(json_object_get(s, "closes")));
	}
	if (sp_week_any(&w)) {
		char *json = sp_week_json(&w);

		if (!json) {
			c->pg->sp->oom = true;
			return;
		}
		sp_offer(c->pg->sp, SF_HOURS, json, c->pg->url, c->kind, quality + 1, 1, 0);
		free(json);
		return;
	}
	memset(&w, 0, sizeof w);
	for (size_t i = 0; i < (json_is_array(txt) ? json_array_size(txt) : 1) && i < 32; i++) {
		const json_t *t = json_is_array(txt) ? json_array_get(txt, i) : txt;

		if (json_is_string(t) && json_string_length(t) < 4096)
			sp_hours_text(json_string_value(t), &w);
	}
	if (sp_week_any(&w)) {
		char *json = sp_week_json(&w);

		if (!json) {
			c->pg->sp->oom = true;
			return;
		}
		sp_offer(c->pg->sp, SF_HOURS, json, c->pg->url, c->kind, quality, 1, w.appointment);
		free(json);
	}
}

static void person(struct ld *c, const json_t *obj)
{
	char photo[SP_FIELD_MAX], mail[256], phone[SITE_E164_MAX], full[SP_TEXT_BYTES * 2];
	const char *tel = first_str(json_object_get(obj, "telephone"));
	const char *em = first_str(json_object_get(obj, "email"));
	struct sp_person_in in = {.name = first_str(json_object_get(obj, "name")),
				  .position = first_str(json_object_get(obj, "jobTitle"))};

	if (!in.name) { /* {"givenName": "Anna", "familyName": "Muster"} */
		const char *given = first_str(json_object_get(obj, "givenName"));
		const char *family = first_str(json_object_get(obj, "familyName"));

		if (!given || !family || strlen(given) + strlen(family) + 2 > sizeof full)
			return;
		strcpy(full, given);
		strcat(full, " ");
		strcat(full, family);
		in.name = full;
	}
	if (tel && !strncmp(tel, "tel:", 4))
		tel += 4;
	if (tel && site_phone_e164(tel, c->pg->sp->cc, phone))
		in.phone = phone;
	if (em && sp_email(em, strlen(em), mail))
		in.email = mail;
	if (page_url(c, url_of(json_object_get(obj, "image")), photo))
		in.photo = photo;
	sp_offer_person(c->pg->sp, &in, c->pg->url, c->kind);
}

static void persons(struct ld *c, const json_t *v, int depth)
{
	for (size_t i = 0; i < (json_is_array(v) ? json_array_size(v) : 1) && i < 64; i++) {
		const json_t *p = json_is_array(v) ? json_array_get(v, i) : v;

		if (json_is_object(p) && object_score(p) < 0 && depth < LD_MAX_DEPTH && c->budget-- > 0)
			person(c, p);
	}
}

static void business(struct ld *c, const json_t *obj, int score, int depth)
{
	static const char *const people[] = {"employee", "employees", "member", "members", "founder", "founders",
					     NULL};
	const json_t *cp = json_object_get(obj, "contactPoint");
	int q = score * 4;

	offer_text(c, SF_NAME, first_str(json_object_get(obj, "name")), q + 2);
	offer_text(c, SF_NAME, first_str(json_object_get(obj, "legalName")), q + 1);
	offer_address(c, json_object_get(obj, "address"), q + 2);
	offer_phone(c, json_object_get(obj, "telephone"), q + 2);
	offer_email(c, json_object_get(obj, "email"), q + 2);
	offer_social(c, json_object_get(obj, "sameAs"), q + 2);
	char logo[SP_FIELD_MAX];
	if (page_url(c, url_of(json_object_get(obj, "logo")), logo))
		sp_offer(c->pg->sp, SF_LOGO, logo, c->pg->url, c->kind, q + 2, 1, 0);
	offer_hours(c, obj, q + 1);
	for (size_t i = 0; i < (json_is_array(cp) ? json_array_size(cp) : 1) && i < 16; i++) {
		const json_t *e = json_is_array(cp) ? json_array_get(cp, i) : cp;

		if (json_is_object(e)) {
			offer_phone(c, json_object_get(e, "telephone"), q + 1);
			offer_email(c, json_object_get(e, "email"), q + 1);
		}
	}
	for (const char *const *k = people; *k; k++)
		persons(c, json_object_get(obj, *k), depth + 1);
}

static void walk(struct ld *c, const json_t *v, int depth, bool top)
{
	static const char *const nested[] = {"mainEntity", "about", "publisher", "provider", "department",
					     "subOrganization", "location", "itemListElement", "item", NULL};
	int score;

	if (!v || depth > LD_MAX_DEPTH || c->budget-- <= 0)
		return;
	if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v) && i < LD_MAX_ARRAY; i++)
			walk(c, json_array_get(v, i), depth + 1, top);
		return;
	}
	if (!json_is_object(v))
		return;
	score = object_score(v);
	if (score > 0) {
		business(c, v, score, depth);
	} else if (score < 0 && top &&
		   (json_object_get(v, "jobTitle") || json_object_get(v, "worksFor") || (c->pg->kinds & SP_PAGE_TEAM))) {
		person(c, v);
	}
	walk(c, json_object_get(v, "@graph"), depth + 1, top);
	for (const char *const *k = nested; *k; k++)
		walk(c, json_object_get(v, *k), depth + 1,
		     !strcmp(*k, "mainEntity") || !strcmp(*k, "itemListElement") || !strcmp(*k, "item"));
}

/* ---- JSON-LD -------------------------------------------------------------------------------------- */

static void json_ld(struct sp_page *pg, const char *text)
{
	struct ld c = {.pg = pg, .kind = SP_JSONLD, .budget = LD_BUDGET};
	const char *a = text + strcspn(text, "{["), *z = NULL;
	json_error_t jerr;
	json_t *root;

	/* tolerate "<!-- … -->" and CDATA wrappers: from the first bracket to the last */
	for (const char *p = a; *p; p++)
		if (*p == '}' || *p == ']')
			z = p;
	if (!*a || !z || z < a)
		return;
	root = json_loadb(a, (size_t)(z - a) + 1, 0, &jerr);
	if (!root)
		return;
	walk(&c, root, 0, true);
	json_decref(root);
}

/* ---- microdata ------------------------------------------------------------------------------------ */

#define MD_TYPES 16

static int add_prop(json_t *obj, const char *key, json_t *val)
{
	json_t *old = json_object_get(obj, key);

	if (!val)
		return -1;
	if (!old)
		return json_object_set_new(obj, key, val);
	if (json_is_array(old))
		return json_array_append_new(old, val);
	json_t *arr = json_array();
	if (!arr || json_array_append(arr, old) || json_array_append_new(arr, val)) {
		json_decref(arr);
		return -1;
	}
	return json_object_set_new(obj, key, arr);
}

static json_t *new_item(const char *type)
{
	json_t *o = json_object();

	if (o && json_object_set_new(o, "@type", json_string(type))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The triples as nested objects: an itemprop whose value is the itemtype of the triples that follow
 * starts a child item; the other triples go to the latest item of their type (a repeated "name" starts
 * a new one). */
static json_t *microdata_tree(const struct html_doc *doc, bool *oom)
{
	struct {
		const char *type; /* short type, points into doc */
		json_t *obj;      /* borrowed: owned by roots */
	} cur[MD_TYPES];
	size_t ncur = 0;
	json_t *roots = json_array();

	if (!roots) {
		*oom = true;
		return NULL;
	}
	for (size_t i = 0; i < doc->nmicrodata; i++) {
		const struct html_microdata *m = &doc->microdata[i];
		const char *t = short_type(m->type);
		json_t *obj = NULL;
		size_t k;

		if (!*t || strchr(t, ' '))
			continue;
		for (k = 0; k < ncur; k++)
			if (!strcmp(cur[k].type, t)) {
				obj = cur[k].obj;
				break;
			}
		if (obj && !strcmp(m->prop, "name") && json_object_get(obj, "name"))
			obj = NULL; /* a second item of that type */
		if (!obj) {
			if (!(obj = new_item(t)) || json_array_append_new(roots, obj))
				goto oom;
			if (k == ncur && ncur < MD_TYPES)
				ncur++;
			else if (k == ncur)
				k = MD_TYPES - 1;
			cur[k].type = t, cur[k].obj = obj;
		}
		if (i + 1 < doc->nmicrodata && m->value[0] && !strcmp(doc->microdata[i + 1].type, m->value) &&
		    (!strncmp(m->value, "http://schema.org/", 18) || !strncmp(m->value, "https://schema.org/", 19))) {
			const char *ct = short_type(m->value);
			json_t *child = new_item(ct);

			if (!child || add_prop(obj, m->prop, child))
				goto oom;
			for (k = 0; k < ncur && strcmp(cur[k].type, ct); k++)
				;
			if (k == ncur && ncur < MD_TYPES)
				ncur++;
			else if (k == ncur)
				k = MD_TYPES - 1;
			cur[k].type = ct, cur[k].obj = child;
			continue;
		}
		if (add_prop(obj, m->prop, json_string(m->value)))
			goto oom;
	}
	return roots;
oom:
	*oom = true;
	json_decref(roots);
	return NULL;
}

void sp_schema_page(struct sp_page *pg)
{
	const struct html_doc *doc = pg->doc;

	for (size_t i = 0; i < doc->njson_ld; i++)
		json_ld(pg, doc->json_ld[i]);
	if (doc->nmicrodata) {
		struct ld c = {.pg = pg, .kind = SP_MICRODATA, .budget = LD_BUDGET};
		json_t *tree = microdata_tree(doc, &pg->sp->oom);

		if (tree)
			walk(&c, tree, 0, true);
		json_decref(tree);
	}
}
