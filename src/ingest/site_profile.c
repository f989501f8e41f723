/*
 * site_profile.c — the site profile's evidence store and page classification (site_profile.h); the result
 * is built in site_result.c.
 *
 * Every value found is offered for its field with the kind of source it came from (enum sp_kind, in
 * order of trust), a quality within that kind, and the page. Equal values of one kind are counted
 * instead of kept twice. The result takes, per field, the candidate with the most trusted kind, then the
 * highest quality, then (for links, icons, meta tags and styles) the highest count, then the first one
 * offered; the other candidates are compared with it for the notes (confirmed / conflict).
 */
#include "ingest/site_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

#define PAGE_SOCIAL 32


/* ---- lifecycle ------------------------------------------------------------------------------------ */

struct site_profile *site_profile_new(const char *site_url)
{
	struct site_profile *sp;
	char *norm;
	const char *host, *end, *dot;
	size_t hl;

	if (!sp_http_url(site_url))
		return NULL;
	norm = html_url_resolve(NULL, site_url);
	if (!norm || !sp_http_url(norm)) {
		free(norm);
		return NULL;
	}
	sp = calloc(1, sizeof *sp);
	if (!sp) {
		free(norm);
		return NULL;
	}
	sp->site_url = norm;
	host = strstr(norm, "://") + 3;
	end = host + strcspn(host, "/?#");
	hl = (size_t)(end - host);
	if (memchr(host, '@', hl)) { /* no user names or passwords in a bot's website */
		site_profile_free(sp);
		return NULL;
	}
	sp->origin = malloc((size_t)(end - norm) + 2);
	if (!sp->origin) {
		site_profile_free(sp);
		return NULL;
	}
	memcpy(sp->origin, norm, (size_t)(end - norm));
	strcpy(sp->origin + (end - norm), "/");
	{
		char h[256];
		size_t n = hl < sizeof h ? hl : sizeof h - 1;

		memcpy(h, host, n);
		h[n] = '\0';
		h[strcspn(h, ":")] = '\0';
		dot = strrchr(h, '.');
		if (dot && strlen(dot + 1) < sizeof sp->tld)
			strcpy(sp->tld, dot + 1);
	}
	sp->cc = !strcmp(sp->tld, "at") ? 43 : !strcmp(sp->tld, "ch") ? 41 : 49;
	sp_offer(sp, SF_WEBSITE, sp->origin, sp->site_url, SP_SITE, 0, 1, 0);
	if (sp->oom) {
		site_profile_free(sp);
		return NULL;
	}
	return sp;
}

void site_profile_free(struct site_profile *sp)
{
	if (!sp)
		return;
	for (int f = 0; f < SF__COUNT; f++)
		for (size_t i = 0; i < sp->slot[f].n; i++) {
			free(sp->slot[f].c[i].value);
			free(sp->slot[f].c[i].url);
		}
	for (size_t i = 0; i < sp->npeople; i++) {
		struct sp_person *p = &sp->people[i];

		free(p->name), free(p->position), free(p->email), free(p->phone), free(p->photo);
		free(p->url), free(p->src_position), free(p->src_email), free(p->src_phone), free(p->src_photo);
	}
	free(sp->site_url);
	free(sp->origin);
	free(sp);
}

/* ---- evidence ------------------------------------------------------------------------------------- */

void sp_offer(struct site_profile *sp, enum sp_field f, const char *value, const char *url, enum sp_kind kind,
	      int quality, unsigned weight, unsigned aux)
{
	struct sp_slot *s = &sp->slot[f];
	struct sp_cand *c;

	if (!value || !*value || !url)
		return;
	for (size_t i = 0; i < s->n; i++) {
		c = &s->c[i];
		if (c->kind == kind && !strcmp(c->value, value)) {
			c->count = c->count + weight < c->count ? c->count : c->count + weight;
			if (quality > c->quality)
				c->quality = quality;
			c->aux |= aux;
			return;
		}
	}
	if (s->n == SP_MAX_CANDS)
		return;
	c = &s->c[s->n];
	*c = (struct sp_cand){.value = strdup(value), .url = strdup(url), .kind = (unsigned char)kind,
			      .quality = quality, .count = weight, .seq = sp->seq++, .aux = aux};
	if (!c->value || !c->url) {
		free(c->value);
		free(c->url);
		sp->oom = true;
		return;
	}
	s->n++;
}

static bool counted(unsigned kind)
{
	return kind == SP_LINK || kind == SP_ICON || kind == SP_META || kind == SP_TITLE || kind == SP_STYLE;
}

static bool better(const struct sp_cand *a, const struct sp_cand *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind;
	if (a->quality != b->quality)
		return a->quality > b->quality;
	if (counted(a->kind) && a->count != b->count)
		return a->count > b->count;
	return a->seq < b->seq;
}

const struct sp_cand *sp_best(const struct site_profile *sp, enum sp_field f)
{
	const struct sp_slot *s = &sp->slot[f];
	const struct sp_cand *b = NULL;

	for (size_t i = 0; i < s->n; i++)
		if (!b || better(&s->c[i], b))
			b = &s->c[i];
	return b;
}

/* Name key for matching persons: folded, single spaces. */
static void name_key(const char *s, char out[SP_TEXT_BYTES])
{
	sp_fold(s, out, SP_TEXT_BYTES);
}

int sp_person_rank(unsigned kind)
{
	return kind == SP_JSONLD ? 0 : kind == SP_MICRODATA ? 1 : kind == SP_TEAM ? 2 : kind == SP_IMPRINT ? 3 : 4;
}

/* Sets a person's field from a better source (`replace`), or fills it when empty. */
static void fill(struct site_profile *sp, char **field, char **src, const char *value, const char *url, bool replace)
{
	char *v, *u;

	if (!value || (*field && !replace))
		return;
	v = strdup(value);
	u = strdup(url);
	if (!v || !u) {
		free(v), free(u);
		sp->oom = true;
		return;
	}
	free(*field), free(*src);
	*field = v, *src = u;
}

void sp_offer_person(struct site_profile *sp, const struct sp_person_in *in, const char *url, enum sp_kind kind)
{
	char name[SP_TEXT_BYTES], key[SP_TEXT_BYTES], other[SP_TEXT_BYTES], pos[SP_TEXT_BYTES], mail[256],
		phone[SITE_E164_MAX];
	const char *v_pos = NULL, *v_mail = NULL, *v_phone = NULL, *v_photo = NULL;
	struct sp_person *p = NULL;
	bool letter = false, replace = false;

	if (!in->name || !url || !sp_clean(in->name, strlen(in->name), SITE_MAX_TEXT, name, sizeof name))
		return;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		letter |= (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || *c >= 0xC3;
	if (!letter || strlen(name) < 3 || strchr(name, '@') || strstr(name, "://"))
		return;
	if (in->position && sp_clean(in->position, strlen(in->position), SITE_MAX_TEXT, pos, sizeof pos))
		v_pos = pos;
	if (in->email && sp_email(in->email, strlen(in->email), mail))
		v_mail = mail;
	if (in->phone && site_phone_e164(in->phone, sp->cc, phone))
		v_phone = phone;
	if (in->photo && sp_http_url(in->photo))
		v_photo = in->photo;
	name_key(name, key);
	for (size_t i = 0; i < sp->npeople && !p; i++) {
		name_key(sp->people[i].name, other);
		if (!strcmp(key, other))
			p = &sp->people[i];
	}
	if (!p) {
		if (sp->npeople == SP_MAX_PEOPLE)
			return;
		p = &sp->people[sp->npeople];
		*p = (struct sp_person){.name = strdup(name), .url = strdup(url), .kind = (unsigned char)kind,
					.seq = sp->seq++};
		if (!p->name || !p->url) {
			free(p->name), free(p->url);
			sp->oom = true;
			return;
		}
		sp->npeople++;
	} else if (sp_person_rank(kind) < sp_person_rank(p->kind)) {
		char *u = strdup(url);

		if (!u) {
			sp->oom = true;
			return;
		}
		free(p->url);
		p->url = u;
		p->kind = (unsigned char)kind;
		replace = true;
	}
	p->page = sp->pages;
	fill(sp, &p->position, &p->src_position, v_pos, url, replace);
	fill(sp, &p->email, &p->src_email, v_mail, url, replace);
	fill(sp, &p->phone, &p->src_phone, v_phone, url, replace);
	fill(sp, &p->photo, &p->src_photo, v_photo, url, replace);
}

/* ---- pages ---------------------------------------------------------------------------------------- */

/* The URL's path, percent-decoded and folded, into out. */
static void url_path(const char *url, char *out, size_t cap)
{
	const char *p = strstr(url, "://");
	size_t o = 0;

	out[0] = '\0';
	if (!p || cap < 2)
		return;
	p += 3;
	p += strcspn(p, "/?#");
	for (; *p && *p != '?' && *p != '#' && o + 1 < cap; p++) {
		int hi = p[0] == '%' ? hex_value(p[1]) : -1, lo = hi >= 0 ? hex_value(p[2]) : -1;

		if (lo >= 0 && hi * 16 + lo >= 0x20) {
			out[o++] = (char)(hi * 16 + lo);
			p += 2;
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
	sp_fold(out, out, cap);
}

static unsigned kinds_of(const char *folded)
{
	static const struct {
		const char *word;
		unsigned kind;
	} words[] = {{"impressum", SP_PAGE_IMPRINT},       {"imprint", SP_PAGE_IMPRINT},
		     {"legal-notice", SP_PAGE_IMPRINT},    {"kontakt", SP_PAGE_CONTACT},
		     {"contact", SP_PAGE_CONTACT},         {"anfahrt", SP_PAGE_CONTACT},
		     {"team", SP_PAGE_TEAM},               {"über uns", SP_PAGE_TEAM},
		     {"über-uns", SP_PAGE_TEAM},           {"ueber-uns", SP_PAGE_TEAM},
		     {"uber-uns", SP_PAGE_TEAM},           {"ueberuns", SP_PAGE_TEAM},
		     {"about", SP_PAGE_TEAM},              {"mitarbeiter", SP_PAGE_TEAM},
		     {"ansprechpartner", SP_PAGE_TEAM},    {"öffnungszeit", SP_PAGE_HOURS},
		     {"oeffnungszeit", SP_PAGE_HOURS},     {"offnungszeit", SP_PAGE_HOURS},
		     {"opening-hours", SP_PAGE_HOURS},     {"opening hours", SP_PAGE_HOURS}};
	unsigned k = 0;

	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strstr(folded, words[i].word))
			k |= words[i].kind;
	return k;
}

unsigned sp_classify(const char *url, const struct html_doc *doc)
{
	static const char *const home[] = {"", "/", "/index.html", "/index.htm", "/index.php", "/home", "/home/",
					   "/de", "/de/", "/startseite", "/startseite/", "/en", "/en/", NULL};
	char path[512], f[512];
	unsigned k = 0;
	int headings = 0;

	url_path(url, path, sizeof path);
	for (const char *const *h = home; *h; h++)
		if (!strcmp(path, *h))
			k |= SP_PAGE_HOME;
	k |= kinds_of(path);
	if (doc->title) {
		sp_fold(doc->title, f, sizeof f);
		k |= kinds_of(f) & ~(unsigned)SP_PAGE_TEAM; /* "… Team …" in a site's name is common */
	}
	for (size_t i = 0; i < doc->nblocks && headings < 1; i++) { /* the page's own heading */
		if (doc->blocks[i].kind != HTML_HEADING || doc->blocks[i].level > 1)
			continue;
		headings++;
		sp_fold(doc->blocks[i].text, f, sizeof f);
		k |= kinds_of(f);
	}
	return k;
}

/* The first part of a title ("FitWerk Hamburg | Startseite" → "FitWerk Hamburg"), skipping "Home". */
static void offer_title(struct sp_page *pg)
{
	static const char *const seps[] = {" | ", " - ", " \xe2\x80\x93 ", " \xe2\x80\x94 ", " \xc2\xb7 ", " :: ",
					   ": ", NULL};
	static const char *const generic[] = {"startseite", "home", "willkommen", "herzlich willkommen", "welcome",
					      "homepage", NULL};
	const char *t = pg->doc->title;
	char name[SP_TEXT_BYTES], f[SP_TEXT_BYTES];

	while (t && *t) {
		size_t n = strlen(t);
		const char *next = NULL;

		for (const char *const *s = seps; *s; s++) {
			const char *at = strstr(t, *s);

			if (at && (size_t)(at - t) < n) {
				n = (size_t)(at - t);
				next = at + strlen(*s);
			}
		}
		const char *a = t;
		size_t m = n;

		while (m > 0 && strchr(" |:-", *a)) /* a separator left at the edge: "| Studio" */
			a++, m--;
		while (m > 0 && strchr(" |:-", a[m - 1]))
			m--;
		if (sp_clean(a, m, SITE_MAX_TEXT, name, sizeof name)) {
			bool skip = false;

			sp_fold(name, f, sizeof f);
			for (const char *const *g = generic; *g; g++)
				skip |= !strcmp(f, *g);
			if (!skip) {
				sp_offer(pg->sp, SF_NAME, name, pg->url, SP_TITLE, 0, 1, 0);
				return;
			}
		}
		t = next;
	}
}

static void page_links(struct sp_page *pg)
{
	const struct html_doc *doc = pg->doc;
	struct site_profile *sp = pg->sp;
	char out[SP_FIELD_MAX], seen[PAGE_SOCIAL][96], mail[256], phone[SITE_E164_MAX];
	size_t nseen = 0;
	bool team_only = (pg->kinds & SP_PAGE_TEAM) && !(pg->kinds & (SP_PAGE_HOME | SP_PAGE_CONTACT | SP_PAGE_IMPRINT));

	for (size_t i = 0; i < doc->nlinks; i++) {
		int f = sp_social(doc->links[i].url, out);
		bool dup = false;

		if (f < 0)
			continue;
		for (size_t k = 0; k < nseen && !dup; k++)
			dup = !strncmp(seen[k], out, sizeof seen[k] - 1);
		if (dup)
			continue;
		if (nseen < PAGE_SOCIAL) {
			size_t l = strlen(out) < sizeof seen[0] ? strlen(out) : sizeof seen[0] - 1;

			memcpy(seen[nseen], out, l);
			seen[nseen++][l] = '\0';
		}
		sp_offer(sp, (enum sp_field)f, out, pg->url, SP_LINK, 0, 1, 0);
	}
	if (team_only)
		return; /* a team page's addresses are the persons' own */
	for (size_t i = 0; i < doc->nphones; i++)
		if (site_phone_e164(doc->phones[i].value, sp->cc, phone))
			sp_offer(sp, SF_PHONE, phone, pg->url, SP_LINK, 0, 1, 0);
	for (size_t i = 0; i < doc->nemails; i++)
		if (sp_email(doc->emails[i].value, strlen(doc->emails[i].value), mail))
			sp_offer(sp, SF_EMAIL, mail, pg->url, SP_LINK, 0, 1, 0);
}

static void page_branding(struct sp_page *pg)
{
	const struct html_doc *doc = pg->doc;
	struct site_profile *sp = pg->sp;
	const struct html_icon *touch = NULL;
	bool logo = false;
	char c[8];

	for (size_t i = 0; i < doc->nicons; i++) {
		const struct html_icon *ic = &doc->icons[i];

		if (!sp_http_url(ic->url))
			continue;
		if (ic->kind == HTML_ICON_LOGO && !logo) {
			sp_offer(sp, SF_LOGO, ic->url, pg->url, SP_LINK, 0, 1, 0);
			logo = true;
		} else if (ic->kind == HTML_ICON_APPLE_TOUCH && (!touch || ic->size > touch->size)) {
			touch = ic;
		}
	}
	if (touch)
		sp_offer(sp, SF_LOGO, touch->url, pg->url, SP_ICON, touch->size, 1, 0);
	if (doc->og_image && sp_http_url(doc->og_image))
		sp_offer(sp, SF_LOGO, doc->og_image, pg->url, SP_META, 0, 1, 0);
	if (doc->theme_color && sp_color(doc->theme_color, strlen(doc->theme_color), c))
		sp_offer(sp, SF_COLOR, c, pg->url, SP_META, 0, 1, 0);
}

int site_profile_add_page(struct site_profile *sp, const char *url, const struct html_doc *doc, const char *html,
			  size_t len)
{
	struct sp_page pg;
	char name[SP_TEXT_BYTES];

	if (!sp || !url || !doc)
		return -1;
	sp->pages++;
	pg = (struct sp_page){.sp = sp, .url = url, .doc = doc, .kinds = sp_classify(url, doc)};
	sp_schema_page(&pg);
	sp_text_page(&pg);
	sp_hours_page(&pg, (pg.kinds & SP_PAGE_IMPRINT)			    ? SP_IMPRINT
			   : (pg.kinds & (SP_PAGE_CONTACT | SP_PAGE_HOURS)) ? SP_CONTACT
									    : SP_TEXT);
	page_links(&pg);
	page_branding(&pg);
	if (doc->og_site_name && sp_clean(doc->og_site_name, strlen(doc->og_site_name), SITE_MAX_TEXT, name, sizeof name))
		sp_offer(sp, SF_NAME, name, url, SP_META, 0, 1, 0);
	if (pg.kinds & SP_PAGE_HOME)
		offer_title(&pg);
	sp_markup_page(&pg, html, len);
	return sp->oom ? -1 : 0;
}
