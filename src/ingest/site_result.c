/*
 * site_result.c — the site profile as JSON (site_profile_result): per field the best candidate (sp_best in
 * site_profile.c), the page it came from in "sources", and "notes" where other candidates confirm or
 * contradict it; company, opening hours, persons and branding in the shapes the bot config uses.
 */
#include "ingest/site_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NOTES 64

static const char *const kind_names[SP__KINDS] = {"json_ld", "microdata", "imprint", "contact_page",
						  "team_page", "link", "page_text", "icon", "meta", "title",
						  "style", "site_url"};

/* ---- the result ----------------------------------------------------------------------------------- */

struct out {
	json_t *sources, *notes;
	bool bad;
};

static void put(struct out *o, json_t *obj, const char *key, json_t *v)
{
	if (!v || json_object_set_new(obj, key, v))
		o->bad = true;
}

static void put_src(struct out *o, json_t *obj, const char *key, const char *value, const char *path,
		    const char *url)
{
	put(o, obj, key, json_string(value));
	put(o, o->sources, path, json_string(url));
}

static void note(struct out *o, json_t *n)
{
	if (!n) {
		o->bad = true;
		return;
	}
	if (json_array_size(o->notes) >= MAX_NOTES || json_array_append_new(o->notes, n))
		json_decref(n);
}

/* A comparable form: folded, letters and digits only, "straße"/"strasse" as "str". */
static void compare_key(enum sp_field f, const char *v, char *out, size_t cap)
{
	char buf[SP_FIELD_MAX];
	size_t o = 0;

	if (f == SF_NAME) { /* without the legal form: "FitWerk GmbH" is "FitWerk" */
		static const char *const forms[] = {" gmbh & co. kg", " gmbh", " ug (haftungsbeschränkt)", " ug", " e.k.",
						    " e. k.", " ag", " kg", " ohg", " gbr", " e.v.", " eg", NULL};
		sp_fold(v, buf, sizeof buf);
		for (const char *const *f2 = forms; *f2; f2++) {
			size_t n = strlen(buf), m = strlen(*f2);

			if (n > m && !strcmp(buf + n - m, *f2))
				buf[n - m] = '\0';
		}
	} else if (f == SF_ADDRESS) { /* street and postcode */
		const char *a = strchr(v, SP_SEP), *b = a ? strchr(a + 1, SP_SEP) : NULL;

		snprintf(buf, sizeof buf, "%.*s%.*s", (int)(a ? a - v : 0), v, (int)(a && b ? b - a - 1 : 0), a ? a + 1 : "");
	} else {
		snprintf(buf, sizeof buf, "%s", v);
	}
	sp_fold(buf, buf, sizeof buf);
	for (const char *p = buf; *p && o + 1 < cap; p++) {
		if (!strncmp(p, "straße", 7) || !strncmp(p, "strasse", 7)) {
			p += 6;
			memcpy(out + o, "str", o + 4 < cap ? 3 : 0);
			o += o + 4 < cap ? 3 : 0;
		} else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || (unsigned char)*p >= 0x80) {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
}

/* A value as a reader sees it: an address as "Musterstraße 12, 20095 Hamburg, Deutschland". */
static json_t *display(enum sp_field f, const char *v)
{
	char part[4][SP_FIELD_MAX], buf[SP_FIELD_MAX * 2];
	size_t o = 0;

	if (f != SF_ADDRESS)
		return json_string(v);
	for (int i = 0; i < 4; i++) {
		size_t n = strcspn(v, "\x1f");

		snprintf(part[i], sizeof part[i], "%.*s", (int)n, v);
		v += n + (v[n] ? 1 : 0);
	}
	buf[0] = '\0';
	if (part[0][0])
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s", part[0]);
	if (part[1][0] || part[2][0])
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s%s%s", o ? ", " : "", part[1],
				      part[1][0] && part[2][0] ? " " : "", part[2]);
	if (part[3][0])
		snprintf(buf + o, sizeof buf - o, "%s%s", o ? ", " : "", part[3]);
	return json_string(buf);
}

static void field_notes(struct out *o, const struct site_profile *sp, enum sp_field f, const char *path)
{
	const struct sp_cand *b = sp_best(sp, f);
	const struct sp_slot *s = &sp->slot[f];
	char kb[SP_FIELD_MAX], kc[SP_FIELD_MAX];
	unsigned agree = 0, conflict = 0;
	json_t *by;

	if (!b || b->kind > SP_TEXT)
		return;
	compare_key(f, b->value, kb, sizeof kb);
	for (size_t i = 0; i < s->n; i++) {
		const struct sp_cand *c = &s->c[i];

		if (c == b || c->kind == b->kind || c->kind > SP_TEXT)
			continue;
		compare_key(f, c->value, kc, sizeof kc);
		if (!strcmp(kb, kc)) {
			agree |= 1u << c->kind;
		} else if (!(conflict & (1u << c->kind)) && !(agree & (1u << c->kind))) {
			conflict |= 1u << c->kind;
			note(o, json_pack("{s:s, s:s, s:o, s:s, s:s, s:o, s:s, s:s}", "field", path, "kind", "conflict",
					  "kept", display(f, b->value), "kept_from", kind_names[b->kind], "kept_url", b->url,
					  "other", display(f, c->value), "other_from", kind_names[c->kind], "other_url",
					  c->url));
		}
	}
	if (!agree)
		return;
	by = json_array();
	if (!by || json_array_append_new(by, json_string(kind_names[b->kind]))) {
		json_decref(by);
		o->bad = true;
		return;
	}
	for (unsigned k = 0; k < SP__KINDS; k++)
		if (agree & (1u << k) && json_array_append_new(by, json_string(kind_names[k])))
			o->bad = true;
	note(o, json_pack("{s:s, s:s, s:o}", "field", path, "kind", "confirmed", "by", by));
}

static void company_address(struct out *o, const struct site_profile *sp, json_t *company, const char **country)
{
	static const char *const keys[4] = {"street", "postcode", "city", "country"};
	const struct sp_cand *b = sp_best(sp, SF_ADDRESS);
	const struct sp_cand *ph = sp_best(sp, SF_PHONE);
	char parts[4][SP_FIELD_MAX], path[64];
	json_t *addr;
	const char *v;

	*country = NULL;
	if (!b)
		return;
	v = b->value;
	for (int i = 0; i < 4; i++) {
		size_t n = strcspn(v, "\x1f");

		snprintf(parts[i], sizeof parts[i], "%.*s", (int)n, v);
		v += n + (v[n] ? 1 : 0);
	}
	if (!parts[3][0] && parts[1][0]) { /* the country from the postcode's form and the site */
		size_t pl = strlen(parts[1]);
		bool digits = strspn(parts[1], "0123456789") == pl;
		const char *cc = ph ? ph->value : "";

		if (digits && pl == 5 && (!strcmp(sp->tld, "de") || !strncmp(cc, "+49", 3)))
			strcpy(parts[3], "Deutschland");
		else if (digits && pl == 4 && (!strcmp(sp->tld, "at") || !strncmp(cc, "+43", 3)))
			strcpy(parts[3], "Österreich");
		else if (digits && pl == 4 && (!strcmp(sp->tld, "ch") || !strncmp(cc, "+41", 3)))
			strcpy(parts[3], "Schweiz");
		if (parts[3][0])
			note(o, json_pack("{s:s, s:s}", "field", "company.address.country", "kind", "inferred"));
	}
	addr = json_object();
	if (!addr) {
		o->bad = true;
		return;
	}
	for (int i = 0; i < 4; i++)
		if (parts[i][0]) {
			snprintf(path, sizeof path, "company.address.%s", keys[i]);
			put_src(o, addr, keys[i], parts[i], path, b->url);
		}
	put(o, company, "address", addr);
	*country = json_string_value(json_object_get(addr, "country"));
}

static void company(struct out *o, const struct site_profile *sp, json_t *root, const char **country)
{
	static const struct {
		enum sp_field f;
		const char *key, *path;
	} plain[] = {{SF_NAME, "name", "company.name"}, {SF_PHONE, "phone", "company.phone"},
		     {SF_EMAIL, "email", "company.email"}, {SF_WEBSITE, "website", "company.website"},
		     {SF_LOGO, "logo_url", "company.logo_url"}};
	static const struct {
		enum sp_field f;
		const char *key;
	} social[] = {{SF_LINKEDIN, "linkedin"}, {SF_FACEBOOK, "facebook"}, {SF_INSTAGRAM, "instagram"},
		      {SF_X, "x"},               {SF_XING, "xing"},         {SF_YOUTUBE, "youtube"}};
	json_t *c = json_object(), *so = json_object();
	char path[64];

	if (!c || !so) {
		json_decref(c), json_decref(so);
		o->bad = true;
		return;
	}
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		const struct sp_cand *b = sp_best(sp, plain[i].f);

		if (b)
			put_src(o, c, plain[i].key, b->value, plain[i].path, b->url);
	}
	company_address(o, sp, c, country);
	for (size_t i = 0; i < sizeof social / sizeof social[0]; i++) {
		const struct sp_cand *b = sp_best(sp, social[i].f);

		snprintf(path, sizeof path, "company.social.%s", social[i].key);
		if (b)
			put_src(o, so, social[i].key, b->value, path, b->url);
	}
	if (json_object_size(so))
		put(o, c, "social", so);
	else
		json_decref(so);
	put(o, root, "company", c);
	field_notes(o, sp, SF_NAME, "company.name");
	field_notes(o, sp, SF_ADDRESS, "company.address");
	field_notes(o, sp, SF_PHONE, "company.phone");
	field_notes(o, sp, SF_EMAIL, "company.email");
}

static void hours(struct out *o, const struct site_profile *sp, json_t *root, const char *country)
{
	static const char *const days[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
	const struct sp_cand *b = sp_best(sp, SF_HOURS);
	const char *tz = country && !strcmp(country, "Österreich") ? "Europe/Vienna"
			 : country && !strcmp(country, "Schweiz")  ? "Europe/Zurich"
								   : "Europe/Berlin";
	json_t *weekly;
	char path[64];

	if (!b) {
		put(o, root, "opening_hours", json_null());
		return;
	}
	weekly = json_loads(b->value, 0, NULL);
	put(o, root, "opening_hours", json_pack("{s:s, s:o}", "timezone", tz, "weekly", weekly));
	put(o, o->sources, "opening_hours", json_string(b->url));
	for (int d = 0; d < 7; d++)
		if (b->aux & (1u << d)) {
			snprintf(path, sizeof path, "opening_hours.weekly.%s", days[d]);
			note(o, json_pack("{s:s, s:s, s:s}", "field", path, "kind", "by_appointment", "url", b->url));
		}
	field_notes(o, sp, SF_HOURS, "opening_hours");
}

static void persons(struct out *o, const struct site_profile *sp, json_t *root)
{
	const struct sp_person *order[SP_MAX_PEOPLE];
	json_t *list = json_array();
	size_t n = sp->npeople;

	if (!list) {
		o->bad = true;
		return;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = &sp->people[i];
	for (size_t i = 1; i < n; i++) /* stable insertion sort by source, then first seen */
		for (size_t j = i; j > 0; j--) {
			const struct sp_person *a = order[j - 1], *b = order[j];

			if (sp_person_rank(a->kind) < sp_person_rank(b->kind) ||
			    (sp_person_rank(a->kind) == sp_person_rank(b->kind) && a->seq < b->seq))
				break;
			order[j - 1] = b, order[j] = a;
		}
	for (size_t i = 0; i < n && i < SITE_MAX_PERSONS; i++) {
		const struct sp_person *p = order[i];
		const struct {
			const char *key, *value, *src;
		} f[] = {{"position", p->position, p->src_position}, {"email", p->email, p->src_email},
			 {"phone", p->phone, p->src_phone}, {"photo_url", p->photo, p->src_photo}};
		json_t *obj = json_object();
		char path[64];

		if (!obj || json_array_append_new(list, obj)) {
			o->bad = true;
			break;
		}
		snprintf(path, sizeof path, "contact_persons[%zu]", i);
		put_src(o, obj, "name", p->name, path, p->url);
		for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
			if (!f[k].value) {
				put(o, obj, f[k].key, json_null());
				continue;
			}
			snprintf(path, sizeof path, "contact_persons[%zu].%s", i, f[k].key);
			put_src(o, obj, f[k].key, f[k].value, path, f[k].src);
		}
	}
	put(o, root, "contact_persons", list);
}

static void branding(struct out *o, const struct site_profile *sp, json_t *root)
{
	const struct sp_cand *logo = sp_best(sp, SF_LOGO), *color = sp_best(sp, SF_COLOR);
	json_t *b = json_object();

	if (!b) {
		o->bad = true;
		return;
	}
	if (logo)
		put_src(o, b, "logo_url", logo->value, "branding.logo_url", logo->url);
	if (color) {
		put_src(o, b, "primary_color", color->value, "branding.primary_color", color->url);
		if (color->kind == SP_STYLE)
			note(o, json_pack("{s:s, s:s}", "field", "branding.primary_color", "kind", "guess"));
	}
	put(o, root, "branding", b);
}

json_t *site_profile_result(const struct site_profile *sp)
{
	struct out o = {.sources = json_object(), .notes = json_array()};
	json_t *root = json_object();
	const char *country = NULL;

	if (!sp || !root || !o.sources || !o.notes) {
		json_decref(root), json_decref(o.sources), json_decref(o.notes);
		return NULL;
	}
	company(&o, sp, root, &country);
	hours(&o, sp, root, country);
	persons(&o, sp, root);
	branding(&o, sp, root);
	put(&o, root, "sources", o.sources);
	put(&o, root, "notes", o.notes);
	if (o.bad) {
		json_decref(root);
		return NULL;
	}
	return root;
}
