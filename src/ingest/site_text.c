/*
 * site_text.c — company facts from the visible text of imprint and contact pages, and persons from team
 * pages, for the site profile.
 *
 * The page's blocks (html_doc) are read as lines (a <br> inside a block starts a new one). An imprint or
 * contact page gives: the address ("Musterstraße 12" above "20095 Hamburg", or both on one line, after an
 * optional "Anschrift:" label), the company name (a line with a legal form such as GmbH or e.K., else the
 * line above the street), the first labelled phone ("Telefon:", "Tel.", "Fon", "Mobil"; never "Fax")
 * and e-mail ("E-Mail:", also written "info(at)firma.de"), else the first address with an @. An imprint
 * also names its representatives ("Vertreten durch", "Geschäftsführer(in)", "Inhaber(in)"). A team
 * page gives persons: a name (a heading, or a block's first line) followed by a job title line, then
 * optional e-mail and phone lines, up to the next heading.
 */
#include "ingest/site_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 2000
#define LINE_MAX 512

struct line {
	const char *s;
	size_t n;
	size_t block;
};

/* The page's lines; NULL (and *count 0) when there are none or memory runs out (oom set). */
static struct line *page_lines(struct sp_page *pg, size_t *count)
{
	const struct html_doc *doc = pg->doc;
	struct line *l = NULL;
	size_t n = 0, cap = 0;

	*count = 0;
	for (size_t b = 0; b < doc->nblocks && n < MAX_LINES; b++) {
		const char *p = doc->blocks[b].text;

		while (*p && n < MAX_LINES) {
			size_t len = strcspn(p, "\n");

			if (n == cap) {
				size_t nc = cap ? cap * 2 : 64;
				struct line *t = realloc(l, nc * sizeof *t);

				if (!t) {
					free(l);
					pg->sp->oom = true;
					return NULL;
				}
				l = t, cap = nc;
			}
			l[n++] = (struct line){p, len, b};
			p += len;
			if (*p == '\n')
				p++;
		}
	}
	*count = n;
	return l;
}

/* Copies a line into buf (trimmed); false when it is too long to be a fact line. */
static bool line_copy(const struct line *l, char buf[LINE_MAX])
{
	const char *s = l->s;
	size_t n = l->n;

	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == ','))
		n--;
	if (n == 0 || n >= LINE_MAX)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool has_digit(const char *s)
{
	for (; *s; s++)
		if (is_digit(*s))
			return true;
	return false;
}

static size_t count_words(const char *s)
{
	size_t n = 0;

	for (bool in = false; *s; s++) {
		if (*s == ' ')
			in = false;
		else if (!in)
			in = true, n++;
	}
	return n;
}

/* The text after a short "Label:" at the start of s, or s. */
static const char *strip_label(const char *s)
{
	const char *c = strchr(s, ':'), *at = strchr(s, '@');

	if (!c || c - s > 40 || c == s || c[1] == '\0' || (at && at < c))
		return s;
	if (has_digit(s) && !strstr(s, "\xc2\xa7")) { /* digits before the colon: a time, not a label */
		for (const char *p = s; p < c; p++)
			if (is_digit(*p))
				return s;
	}
	c++;
	while (*c == ' ')
		c++;
	return *c ? c : s;
}

/* ---- addresses ------------------------------------------------------------------------------------ */

/* "20095 Hamburg", "D-20095 Hamburg", "A-1010 Wien", "8001 Zürich, Schweiz". */
static bool postcode_city(const char *s, char pc[20], char city[SP_TEXT_BYTES], char country[SP_TEXT_BYTES])
{
	static const struct {
		const char *pfx;
		const char *country;
	} pfx[] = {{"D-", "Deutschland"}, {"DE-", "Deutschland"}, {"D ", "Deutschland"}, {"A-", "Österreich"},
		   {"AT-", "Österreich"}, {"CH-", "Schweiz"}};
	size_t nd = 0, cl;
	const char *p = s;
	char buf[SP_TEXT_BYTES];

	country[0] = '\0';
	for (size_t i = 0; i < sizeof pfx / sizeof pfx[0]; i++)
		if (strncmp(p, pfx[i].pfx, strlen(pfx[i].pfx)) == 0 && is_digit(p[strlen(pfx[i].pfx)])) {
			snprintf(country, SP_TEXT_BYTES, "%s", pfx[i].country);
			p += strlen(pfx[i].pfx);
			break;
		}
	while (is_digit(p[nd]))
		nd++;
	if (nd < 4 || nd > 5 || p[nd] != ' ')
		return false;
	memcpy(pc, p, nd);
	pc[nd] = '\0';
	p += nd + 1;
	while (*p == ' ')
		p++;
	cl = strcspn(p, ",|\xc2");
	const char *dash = strstr(p, " \xe2\x80\x93 ");
	if (dash && (size_t)(dash - p) < cl)
		cl = (size_t)(dash - p);
	if (cl == 0 || cl > 60 || !((*p >= 'A' && *p <= 'Z') || (unsigned char)*p >= 0xC3))
		return false;
	memcpy(buf, p, cl);
	buf[cl] = '\0';
	for (const char *q = buf; *q; q++)
		if (is_digit(*q) || *q == '@' || *q == ':')
			return false;
	if (!sp_clean(buf, cl, 100, city, SP_TEXT_BYTES) || count_words(city) > 5)
		return false;
	p += cl;
	while (*p == ',' || *p == ' ' || *p == '|')
		p++;
	if (*p) {
		char c[SP_TEXT_BYTES];

		if (sp_country(p, c) && (!strcmp(c, "Deutschland") || !strcmp(c, "Österreich") || !strcmp(c, "Schweiz")))
			snprintf(country, SP_TEXT_BYTES, "%s", c);
	}
	return true;
}

/* "Musterstraße 12", "Am Markt 3a", "Hauptstr. 5-7", "Gewerbepark 2/1". */
static bool street_ok(const char *s)
{
	static const char *const bad[] = {"postfach", "tel", "fax", "hrb", "hra", "ust", "register", "steuer",
					  "mail", "www", "http", "gericht", "telefon", NULL};
	const char *sp = strrchr(s, ' ');
	const char *h;
	size_t n = strlen(s), i = 0;

	if (!sp || n > 100 || strchr(s, '@') || strchr(s, ':'))
		return false;
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (unsigned char)*s >= 0xC3))
		return false;
	for (const char *const *b = bad; *b; b++)
		if (sp_has(s, *b))
			return false;
	h = sp + 1;
	while (is_digit(h[i]) && i < 5)
		i++;
	if (i == 0 || i > 4)
		return false;
	if ((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z'))
		i++;
	if (h[i] == '-' || h[i] == '/') {
		size_t j = ++i;

		while (is_digit(h[i]) && i - j < 4)
			i++;
		if (i == j)
			return false;
		if ((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z'))
			i++;
	}
	if (h[i] != '\0')
		return false;
	for (const char *p = s; p < sp; p++)
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
			return count_words(s) <= 8;
	return false;
}

bool sp_text_address(const char *street_line, const char *city_line, char out[SP_FIELD_MAX])
{
	char pc[20], city[SP_TEXT_BYTES], country[SP_TEXT_BYTES], buf[LINE_MAX];
	const char *seps[] = {", ", " \xc2\xb7 ", " | ", " \xe2\x80\x93 ", " - ", NULL};

	if (!street_line || strlen(street_line) >= LINE_MAX)
		return false;
	if (city_line) {
		return street_ok(street_line) && postcode_city(city_line, pc, city, country) &&
		       sp_address(street_line, pc, city, country[0] ? country : NULL, out);
	}
	/* one line: "…, Musterstraße 12, 20095 Hamburg[, Deutschland]" */
	for (const char *const *sep = seps; *sep; sep++) {
		const char *at = street_line;

		while ((at = strstr(at, *sep)) != NULL) {
			const char *after = at + strlen(*sep), *st;
			size_t stn;

			if (postcode_city(after, pc, city, country) ||
			    (strncmp(after, "D-", 2) == 0 && postcode_city(after, pc, city, country))) {
				st = street_line;
				for (const char *q = street_line; q < at; q++) /* the segment before it */
					if (strncmp(q, *sep, strlen(*sep)) == 0)
						st = q + strlen(*sep);
				stn = (size_t)(at - st);
				memcpy(buf, st, stn);
				buf[stn] = '\0';
				if (street_ok(buf))
					return sp_address(buf, pc, city, country[0] ? country : NULL, out);
			}
			at = after;
		}
	}
	return false;
}

/* The first address on the page; *street_line is the index of its street line. */
static bool find_address(const struct line *l, size_t n, char out[SP_FIELD_MAX], size_t *street_line)
{
	char buf[LINE_MAX], prev[LINE_MAX], next[LINE_MAX], pc[20], city[SP_TEXT_BYTES], country[SP_TEXT_BYTES];

	for (size_t i = 0; i < n; i++) {
		const char *s;

		if (!line_copy(&l[i], buf))
			continue;
		s = strip_label(buf);
		if (i > 0 && l[i - 1].block + 1 >= l[i].block && postcode_city(s, pc, city, country) &&
		    line_copy(&l[i - 1], prev) && street_ok(strip_label(prev))) {
			if (!country[0] && i + 1 < n && l[i + 1].block == l[i].block && line_copy(&l[i + 1], next)) {
				char c[SP_TEXT_BYTES];

				if (sp_country(next, c) &&
				    (!strcmp(c, "Deutschland") || !strcmp(c, "Österreich") || !strcmp(c, "Schweiz")))
					snprintf(country, sizeof country, "%s", c);
			}
			if (sp_address(strip_label(prev), pc, city, country[0] ? country : NULL, out)) {
				*street_line = i - 1;
				return true;
			}
		}
		if (sp_text_address(s, NULL, out)) {
			*street_line = i;
			return true;
		}
	}
	return false;
}

/* ---- company name --------------------------------------------------------------------------------- */

static bool has_legal_form(const char *s)
{
	static const char *const forms[] = {"GmbH", "gGmbH", "mbH", "UG", "AG", "KG", "OHG", "oHG", "GbR", "e.K.",
					    "e. K.", "e.Kfm.", "e.Kfr.", "e.V.", "e. V.", "eG", "PartG", "PartGmbB",
					    "KGaA", "SE", "Ltd.", "Inc.", "Co. KG", "e.U.", NULL};
	for (const char *const *f = forms; *f; f++) {
		size_t fl = strlen(*f);

		for (const char *at = strstr(s, *f); at; at = strstr(at + 1, *f)) {
			char after = at[fl];

			if ((at == s || at[-1] == ' ' || at[-1] == '(' || at[-1] == '&') &&
			    (after == '\0' || after == ' ' || after == ',' || after == ')' || after == '.' ||
			     (*f)[fl - 1] == '.'))
				return true;
		}
	}
	return false;
}

static bool not_a_name_line(const char *s)
{
	static const char *const bad[] = {"register", "hrb", "hra", "ust", "gericht", "steuer", "haft", "verantwortlich",
					  "gemäß", "inhalt", "vertreten", "geschäftsführ", "inhaber", "sitz der",
					  "aufsicht", "kammer", "datenschutz", "impressum", "tel", "fax", "mail",
					  "www", "http", "bank", "iban", "@", NULL};
	for (const char *const *b = bad; *b; b++)
		if (sp_has(s, *b))
			return true;
	return false;
}

static void find_company_name(struct sp_page *pg, const struct line *l, size_t n, bool have_street,
			      size_t street, enum sp_kind kind)
{
	char buf[LINE_MAX], name[SP_TEXT_BYTES];

	for (size_t i = 0; i < n && i < 80; i++) {
		const char *s;

		if (!line_copy(&l[i], buf))
			continue;
		s = strip_label(buf);
		if (s != buf) { /* "Registergericht: AG Hamburg" is no company name */
			char label[48];

			snprintf(label, sizeof label, "%.*s", (int)(s - buf), buf);
			if (sp_has(label, "gericht") || sp_has(label, "register") || sp_has(label, "sitz") ||
			    sp_has(label, "aufsicht") || sp_has(label, "steuer") || sp_has(label, "ust"))
				continue;
		}
		char *comma = strstr(s, ", ");

		if (comma && has_digit(comma)) /* "Velo Züri GmbH, Langstrasse 10, 8004 Zürich" */
			*comma = '\0';
		if (has_legal_form(s) && !not_a_name_line(s) && count_words(s) <= 10 &&
		    sp_clean(s, strlen(s), SITE_MAX_TEXT, name, sizeof name)) {
			sp_offer(pg->sp, SF_NAME, name, pg->url, kind, 1, 1, 0);
			return;
		}
	}
	/* else the first plain line of the address block above the street ("Elektro Schmidt" above
	 * "Inhaber: Klaus Schmidt"; "Zahnarztpraxis Dr. Weber" above "Dr. med. dent. Julia Weber") */
	if (!have_street)
		return;
	size_t top = street;
	while (top > 0 && street - top < 3 && l[top - 1].block == l[street].block)
		top--;
	if (top == street && street > 0 && l[street - 1].block + 1 == l[street].block &&
	    pg->doc->blocks[l[street - 1].block].kind != HTML_HEADING)
		top = street - 1; /* the street opens its block: the name may close the one before */
	for (size_t i = top; i < street; i++) {
		const char *s;

		if (!line_copy(&l[i], buf))
			continue;
		s = strip_label(buf);
		if (sp_has(buf, "inh") || sp_has(buf, "vertreten") || sp_has(buf, "geschäftsführ") ||
		    not_a_name_line(s) || has_digit(s) || buf[strlen(buf) - 1] == ':' || count_words(s) > 8)
			continue;
		if (sp_clean(s, strlen(s), SITE_MAX_TEXT, name, sizeof name)) {
			sp_offer(pg->sp, SF_NAME, name, pg->url, kind, 0, 1, 0);
			return;
		}
	}
}

/* ---- phone and e-mail ----------------------------------------------------------------------------- */

static bool word_start(const char *s, const char *at)
{
	unsigned char c = at == s ? ' ' : (unsigned char)at[-1];

	return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80);
}

bool sp_text_phone(const char *line, int cc, char out[SITE_E164_MAX])
{
	static const char *const labels[] = {"telefonnummer", "telefon", "tel", "fon", "phone", "mobil", "handy",
					     "rufnummer", "festnetz", "zentrale", "hotline", NULL};
	char f[LINE_MAX], num[64];

	out[0] = '\0';
	if (strlen(line) >= LINE_MAX)
		return false;
	sp_fold(line, f, sizeof f);
	for (const char *const *lb = labels; *lb; lb++) {
		for (const char *at = strstr(f, *lb); at; at = strstr(at + 1, *lb)) {
			const char *p = at + strlen(*lb), *q;
			size_t skip = 0, n = 0;

			if (!word_start(f, at))
				continue;
			while (*p && !is_digit(*p) && *p != '+' && *p != '(' && skip < 24)
				p++, skip++;
			if (!*p || skip >= 24 || memmem(at, (size_t)(p - at), "fax", 3))
				continue;
			q = line + (p - f); /* the same offset in the original (folding keeps lengths) */
			while (q[n] && n + 1 < sizeof num &&
			       (is_digit(q[n]) || strchr("+()/-. ", q[n]) || (unsigned char)q[n] == 0xC2 ||
				(unsigned char)q[n] == 0xA0 || (unsigned char)q[n] == 0xE2 ||
				(unsigned char)q[n] == 0x80 || (unsigned char)q[n] == 0x93))
				n++;
			memcpy(num, q, n);
			num[n] = '\0';
			while (n > 0 && !is_digit(num[n - 1]))
				num[--n] = '\0';
			if (site_phone_e164(num, cc, out))
				return true;
			/* two numbers in a row ("040 123456 / 0171 1234567"): the first */
			for (const char *sep = " / "; n > 0; sep = NULL) {
				char *cut = strstr(num, sep ? sep : ", ");

				if (cut) {
					*cut = '\0';
					if (site_phone_e164(num, cc, out))
						return true;
				}
				if (!sep)
					break;
			}
		}
	}
	return false;
}

/* The first e-mail address in line: after a label ("E-Mail: info(at)firma.de"), or any with an @. */
static bool line_email(const char *line, bool need_label, char out[256])
{
	static const char *const labels[] = {"e-mail", "email", "e-mail-adresse", "mail", NULL};
	char f[LINE_MAX];

	if (strlen(line) >= LINE_MAX)
		return false;
	sp_fold(line, f, sizeof f);
	for (const char *const *lb = labels; *lb; lb++) {
		for (const char *at = strstr(f, *lb); at; at = strstr(at + 1, *lb)) {
			const char *p;

			if (!word_start(f, at))
				continue;
			p = line + (at - f) + strlen(*lb);
			while (*p == ':' || *p == ' ' || *p == '.')
				p++;
			/* the first word, else the first 3 or 5 (obfuscated: "info [at] firma [dot] de") */
			for (int words = 1; words <= 5; words += 2) {
				size_t n = 0;

				for (int w = 0; w < words && p[n]; w++) {
					while (p[n] == ' ')
						n++;
					n += strcspn(p + n, " ");
				}
				if (sp_email(p, n, out))
					return true;
			}
		}
	}
	if (need_label)
		return false;
	for (const char *at = strchr(line, '@'); at; at = strchr(at + 1, '@')) {
		const char *s = at, *e = at + 1;

		while (s > line && (strchr("._%+-", s[-1]) || (s[-1] >= 'a' && s[-1] <= 'z') ||
				    (s[-1] >= 'A' && s[-1] <= 'Z') || is_digit(s[-1])))
			s--;
		while (*e && (strchr(".-", *e) || (*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z') || is_digit(*e)))
			e++;
		if (sp_email(s, (size_t)(e - s), out))
			return true;
	}
	return false;
}

/* ---- representatives ------------------------------------------------------------------------------ */

/* A person's name at the end of `part` ("die Geschäftsführerin Anna Muster" → "Anna Muster"), with a
 * trailing "(Geschäftsführerin)" as the position. */
static void offer_named(struct sp_page *pg, char *part, const char *role)
{
	static const char *const honorific[] = {"Herr ", "Frau ", "Herrn ", NULL};
	char *paren = strchr(part, '(');
	char pos[SP_TEXT_BYTES];
	const char *name = part;

	pos[0] = '\0';
	if (paren) {
		char *close = strchr(paren, ')');

		if (close) {
			*close = '\0';
			if (!sp_clean(paren + 1, strlen(paren + 1), SITE_MAX_TEXT, pos, sizeof pos) || has_digit(pos))
				pos[0] = '\0';
		}
		*paren = '\0';
	}
	for (int tries = 0; tries < 4 && *name; tries++) {
		for (const char *const *h = honorific; *h; h++)
			if (strncmp(name, *h, strlen(*h)) == 0)
				name += strlen(*h);
		if (sp_person_name(name)) {
			struct sp_person_in in = {.name = name, .position = pos[0] ? pos : role};

			sp_offer_person(pg->sp, &in, pg->url, SP_IMPRINT);
			return;
		}
		name += strcspn(name, " ");
		while (*name == ' ')
			name++;
	}
}

static void find_representatives(struct sp_page *pg, const struct line *l, size_t n)
{
	static const struct {
		const char *label, *role;
	} roles[] = {{"geschäftsführerin", "Geschäftsführerin"}, {"geschäftsführer", "Geschäftsführer"},
		     {"geschäftsführung", "Geschäftsführung"},   {"vertretungsberechtigt", "Geschäftsführung"},
		     {"vertreten durch", "Geschäftsführung"},    {"inhaberin", "Inhaberin"},
		     {"inhaber", "Inhaber"},                     {"inh.", "Inhaber"}};
	char buf[LINE_MAX], f[LINE_MAX], next[LINE_MAX];

	for (size_t i = 0; i < n; i++) {
		const char *role = NULL, *rest;
		size_t r;

		if (!line_copy(&l[i], buf))
			continue;
		sp_fold(buf, f, sizeof f);
		for (r = 0; r < sizeof roles / sizeof roles[0]; r++)
			if (strncmp(f, roles[r].label, strlen(roles[r].label)) == 0) {
				role = roles[r].role;
				break;
			}
		if (!role)
			continue;
		for (size_t k = 0; k < r; k++) /* "Vertreten durch die Geschäftsführerin …": the better role */
			if (strstr(f, roles[k].label)) {
				role = roles[k].role;
				break;
			}
		rest = strchr(buf, ':');
		if (rest) {
			rest++;
		} else {
			rest = buf + strlen(roles[r].label);
			while (*rest && *rest != ' ')
				rest++;
		}
		while (*rest == ' ')
			rest++;
		if (!*rest) {
			if (i + 1 >= n || !line_copy(&l[i + 1], next))
				continue;
			rest = next;
		}
		if (has_digit(rest) || strchr(rest, '@') || strlen(rest) > 300)
			continue;
		/* several names: "Anna Muster, Max Muster und Eva Beispiel" */
		char names[LINE_MAX];
		char *save = NULL;

		snprintf(names, sizeof names, "%s", rest);
		for (char *p = names; (p = strstr(p, " und ")) != NULL; p += 5)
			memcpy(p, " ,   ", 5);
		for (char *p = names; (p = strstr(p, " & ")) != NULL;)
			p[1] = ',', p += 3;
		for (char *part = strtok_r(names, ",;", &save); part; part = strtok_r(NULL, ",;", &save)) {
			while (*part == ' ')
				part++;
			size_t pl = strlen(part);
			while (pl > 0 && part[pl - 1] == ' ')
				part[--pl] = '\0';
			if (*part)
				offer_named(pg, part, role);
		}
	}
}

/* ---- the page ------------------------------------------------------------------------------------- */

static void labelled_facts(struct sp_page *pg, const struct line *l, size_t n, enum sp_kind kind)
{
	char addr[SP_FIELD_MAX], buf[LINE_MAX], phone[SITE_E164_MAX], mail[256];
	size_t street = 0;
	bool have = find_address(l, n, addr, &street), got_phone = false, got_mail = false;

	if (have)
		sp_offer(pg->sp, SF_ADDRESS, addr, pg->url, kind, 0, 1, 0);
	find_company_name(pg, l, n, have, street, kind);
	for (size_t i = 0; i < n && !(got_phone && got_mail); i++) {
		if (!line_copy(&l[i], buf))
			continue;
		if (!got_phone && sp_text_phone(buf, pg->sp->cc, phone)) {
			sp_offer(pg->sp, SF_PHONE, phone, pg->url, kind, 0, 1, 0);
			got_phone = true;
		}
		if (!got_mail && line_email(buf, true, mail)) {
			sp_offer(pg->sp, SF_EMAIL, mail, pg->url, kind, 0, 1, 0);
			got_mail = true;
		}
	}
	for (size_t i = 0; i < n && !got_mail; i++)
		if (line_copy(&l[i], buf) && line_email(buf, false, mail)) {
			sp_offer(pg->sp, SF_EMAIL, mail, pg->url, kind, -1, 1, 0);
			got_mail = true;
		}
	if (kind == SP_IMPRINT)
		find_representatives(pg, l, n);
}

/* A job title line: short, no digits or @, not itself a name; `strict` wants a job-title word. */
static bool position_line(const char *s, bool strict, char out[SP_TEXT_BYTES])
{
	if (strlen(s) > 80 || has_digit(s) || strchr(s, '@') || count_words(s) > 8 || sp_person_name(s))
		return false;
	if (!sp_position_word(s) && (strict || count_words(s) > 4))
		return false;
	return sp_clean(s, strlen(s), SITE_MAX_TEXT, out, SP_TEXT_BYTES);
}

/* "Anna Berg – Inhaberin", "Anna Berg, Trainerin": cuts name at the separator and writes the job
 * title (which must hold a job-title word) to pos; false when the line is not of that form. */
static bool split_name(char name[LINE_MAX], char pos[SP_TEXT_BYTES])
{
	static const char *const seps[] = {" \xe2\x80\x93 ", " - ", ", ", " | ", " \xc2\xb7 ", NULL};

	for (const char *const *sep = seps; *sep; sep++) {
		char *at = strstr(name, *sep);

		if (!at)
			continue;
		*at = '\0';
		if (sp_person_name(name) && position_line(at + strlen(*sep), true, pos))
			return true;
		memcpy(at, *sep, 1); /* put the line back (only its first byte was overwritten) */
		pos[0] = '\0';
	}
	return false;
}

static void first_line(const char *text, char buf[LINE_MAX])
{
	size_t n = strcspn(text, "\n");

	if (n >= LINE_MAX)
		n = 0;
	memcpy(buf, text, n);
	buf[n] = '\0';
}

static void team_persons(struct sp_page *pg)
{
	const struct html_doc *doc = pg->doc;

	for (size_t i = 0; i < doc->nblocks; i++) {
		const struct html_block *b = &doc->blocks[i];
		char name[LINE_MAX], pos[SP_TEXT_BYTES], line[LINE_MAX], mail[256], phone[SITE_E164_MAX];
		const char *rest = strchr(b->text, '\n');
		size_t next = i + 1;
		bool heading = b->kind == HTML_HEADING;

		if (heading && b->level < 2)
			continue;
		first_line(b->text, name);
		pos[0] = mail[0] = phone[0] = '\0';
		if (name[0] && !sp_person_name(name) && !split_name(name, pos))
			continue;
		if (!name[0])
			continue;
		if (pos[0]) {
			/* "Anna Berg – Inhaberin": name and position on one line */
		} else if (rest) {
			first_line(rest + 1, line);
			if (position_line(line, !heading, pos))
				rest = strchr(rest + 1, '\n');
		}
		if (!pos[0] && !rest && next < doc->nblocks) {
			const struct html_block *nb = &doc->blocks[next];

			first_line(nb->text, line);
			if (!(nb->kind == HTML_HEADING && (!heading || nb->level <= b->level)) &&
			    position_line(line, !heading, pos)) {
				rest = strchr(nb->text, '\n');
				next++;
			}
		}
		/* contact lines: the rest of the block, then the next blocks up to a heading or another name */
		for (const char *p = rest; p && *p;) {
			size_t n = strcspn(++p, "\n");

			if (n < LINE_MAX) {
				memcpy(line, p, n);
				line[n] = '\0';
				if (!mail[0])
					line_email(line, false, mail);
				if (!phone[0])
					sp_text_phone(line, pg->sp->cc, phone);
			}
			p += n;
		}
		for (size_t j = next; j < doc->nblocks && j < next + 4; j++) {
			const struct html_block *nb = &doc->blocks[j];

			char other[SP_TEXT_BYTES];

			first_line(nb->text, line);
			if (nb->kind == HTML_HEADING || sp_person_name(line) || split_name(line, other))
				break; /* the next person's entry */
			for (const char *p = nb->text; *p;) {
				size_t n = strcspn(p, "\n");

				if (n < LINE_MAX) {
					memcpy(line, p, n);
					line[n] = '\0';
					if (!mail[0])
						line_email(line, false, mail);
					if (!phone[0] && !sp_text_phone(line, pg->sp->cc, phone) && n < 40)
						site_phone_e164(line, pg->sp->cc, phone);
				}
				p += n;
				if (*p)
					p++;
			}
		}
		if (!pos[0] && !mail[0] && !phone[0])
			continue; /* a name alone is not enough to call it a team member */
		struct sp_person_in in = {.name = name,
					  .position = pos[0] ? pos : NULL,
					  .email = mail[0] ? mail : NULL,
					  .phone = phone[0] ? phone : NULL};
		sp_offer_person(pg->sp, &in, pg->url, SP_TEAM);
	}
}

void sp_text_page(struct sp_page *pg)
{
	if (pg->kinds & (SP_PAGE_IMPRINT | SP_PAGE_CONTACT)) {
		size_t n;
		struct line *l = page_lines(pg, &n);

		if (l) {
			labelled_facts(pg, l, n, (pg->kinds & SP_PAGE_IMPRINT) ? SP_IMPRINT : SP_CONTACT);
			free(l);
		}
	}
	if (pg->kinds & SP_PAGE_TEAM)
		team_persons(pg);
}
