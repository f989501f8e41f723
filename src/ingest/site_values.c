/*
 * site_values.c — validation and normal forms of the values a site profile collects: text fields, e-mail
 * addresses, URLs, social profile links, colours, phone numbers (E.164), person names, job titles and
 * countries. Nothing here allocates.
 */
#include "ingest/site_int.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "base/text.h"

/* ---- text ----------------------------------------------------------------------------------------- */

static bool is_space_cp(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0xA0 ||
	       (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x3000;
}

bool sp_clean(const char *s, size_t n, size_t max_chars, char *out, size_t cap)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0, chars = 0, i = 0;
	bool space = false;

	if (!s || cap == 0)
		return false;
	out[0] = '\0';
	while (i < n) {
		uint32_t c;
		size_t k = utf8_decode(u + i, n - i, &c);

		if (k == 0)
			return false;
		if (is_space_cp(c)) {
			space = o > 0;
			i += k;
			continue;
		}
		if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == '<' || c == '>' || c == 0xFEFF ||
		    c == 0x2028 || c == 0x2029)
			return false;
		if (c == 0xAD || c == 0x200B) { /* soft hyphen, zero-width space */
			i += k;
			continue;
		}
		if (space) {
			if (o + 1 >= cap)
				return false;
			out[o++] = ' ';
			chars++;
			space = false;
		}
		if (o + k >= cap)
			return false;
		memcpy(out + o, s + i, k);
		o += k;
		chars++;
		i += k;
	}
	out[o] = '\0';
	return o > 0 && chars <= max_chars;
}

static unsigned char fold_byte(const unsigned char *s, size_t i)
{
	unsigned char c = s[i];

	if (c >= 'A' && c <= 'Z')
		return (unsigned char)(c + 32);
	if (i > 0 && s[i - 1] == 0xC3 && c >= 0x80 && c <= 0x9E && c != 0x97)
		return (unsigned char)(c + 0x20);
	return c;
}

void sp_fold(const char *s, char *out, size_t cap)
{
	size_t i = 0;

	if (cap == 0)
		return;
	for (; s[i] && i + 1 < cap; i++)
		out[i] = (char)fold_byte((const unsigned char *)s, i);
	if (((unsigned char)s[i] & 0xC0) == 0x80) { /* cut inside a UTF-8 sequence: drop its start too */
		while (i > 0 && ((unsigned char)out[i - 1] & 0xC0) == 0x80)
			i--;
		if (i > 0)
			i--;
	}
	out[i] = '\0';
}

bool sp_has(const char *hay, const char *needle)
{
	const unsigned char *h = (const unsigned char *)hay;
	size_t nl = strlen(needle);

	if (!hay)
		return false;
	for (size_t i = 0; h[i]; i++) {
		size_t j = 0;

		while (j < nl && h[i + j] && fold_byte(h, i + j) == (unsigned char)needle[j])
			j++;
		if (j == nl)
			return true;
	}
	return false;
}

/* ---- e-mail and URLs ------------------------------------------------------------------------------ */

/* Replaces `from` (lower case, matched after folding) by `to` in buf, in place (to is not longer). */
static void replace_all(char *buf, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to);
	char *p = buf;

	while (*p) {
		size_t j = 0;

		while (j < fl && p[j] && (p[j] >= 'A' && p[j] <= 'Z' ? p[j] + 32 : p[j]) == from[j])
			j++;
		if (j == fl) {
			memcpy(p, to, tl);
			memmove(p + tl, p + fl, strlen(p + fl) + 1);
			p += tl;
		} else {
			p++;
		}
	}
}

bool sp_email(const char *s, size_t n, char out[256])
{
	char buf[256];
	size_t o = 0;
	char *at;

	out[0] = '\0';
	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n'))
		s++, n--;
	if (n >= 7 && strncasecmp(s, "mailto:", 7) == 0)
		s += 7, n -= 7;
	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if ((at = strchr(buf, '?')) != NULL)
		*at = '\0';
	if (!strchr(buf, '@')) {
		replace_all(buf, " (at) ", "@");
		replace_all(buf, "(at)", "@");
		replace_all(buf, " [at] ", "@");
		replace_all(buf, "[at]", "@");
		replace_all(buf, "{at}", "@");
		replace_all(buf, " at ", "@");
		replace_all(buf, " (dot) ", ".");
		replace_all(buf, "(dot)", ".");
		replace_all(buf, " [dot] ", ".");
		replace_all(buf, "[dot]", ".");
		replace_all(buf, " dot ", ".");
	}
	for (size_t i = 0; buf[i]; i++) {
		char c = buf[i];

		if (c == ' ' || c == '\t' || c == '\n')
			continue;
		out[o++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
	}
	out[o] = '\0';
	while (o > 0 && out[o - 1] == '.')
		out[--o] = '\0';
	if (!json_check_email(out)) {
		out[0] = '\0';
		return false;
	}
	return true;
}

bool sp_http_url(const char *s)
{
	return s && strlen(s) <= HTML_MAX_URL && json_check_http_url(s);
}

/* ---- social links --------------------------------------------------------------------------------- */

static bool host_is(const char *host, const char *domain)
{
	size_t hl = strlen(host), dl = strlen(domain);

	return strcmp(host, domain) == 0 || (hl > dl && host[hl - dl - 1] == '.' && strcmp(host + hl - dl, domain) == 0);
}

static bool in_list(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == n && strncasecmp(s, *list, n) == 0)
			return true;
	return false;
}

static bool starts_any(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++) {
		size_t l = strlen(*list);

		if (n >= l && strncasecmp(s, *list, l) == 0)
			return true;
	}
	return false;
}

int sp_social(const char *url, char out[SP_FIELD_MAX])
{
	static const char *const fb_bad[] = {"sharer", "share", "dialog", "plugins", "tr", "login", "policy",
					     "privacy", "policies", "help", "legal", "ads", "hashtag", "photo",
					     "permalink", "story", "watch", "events", "home.php", "v2.", NULL};
	static const char *const ig_bad[] = {"p", "reel", "reels", "explore", "accounts", "stories", "tv",
					     "share", "direct", "legal", "about", NULL};
	static const char *const x_bad[] = {"intent", "share", "home", "search", "hashtag", "i", "login",
					    "signup", "settings", "explore", "privacy", "tos", "messages", NULL};
	static const char *const li_ok[] = {"company", "in", "school", "showcase", NULL};
	static const char *const xing_ok[] = {"pages", "companies", "profile", "company", NULL};
	static const char *const yt_ok[] = {"channel", "c", "user", NULL};
	char host[256], path[SP_FIELD_MAX];
	const char *p, *a;
	size_t hl, pl = 0, segs = 0, seg_len[4] = {0}, seg_off[4] = {0};
	int kind = -1, keep;

	out[0] = '\0';
	if (!sp_http_url(url))
		return -1;
	p = strchr(url, ':') + 3;
	a = p + strcspn(p, "/?#");
	hl = (size_t)(a - p);
	if (hl == 0 || hl >= sizeof host || memchr(p, '@', hl) || memchr(p, ':', hl))
		return -1;
	for (size_t i = 0; i < hl; i++)
		host[i] = p[i] >= 'A' && p[i] <= 'Z' ? (char)(p[i] + 32) : p[i];
	host[hl] = '\0';
	/* the path's segments, without query and fragment */
	if (*a == '/') {
		size_t n = strcspn(a, "?#");

		memcpy(path, a, n);
		path[n] = '\0';
		pl = n;
	} else {
		path[0] = '\0';
	}
	for (size_t i = 0; i < pl && segs < 4;) {
		while (i < pl && path[i] == '/')
			i++;
		if (i >= pl)
			break;
		seg_off[segs] = i;
		while (i < pl && path[i] != '/')
			i++;
		seg_len[segs] = i - seg_off[segs];
		segs++;
	}
	if (segs == 0)
		return -1;
	const char *s0 = path + seg_off[0];

	if (host_is(host, "linkedin.com")) {
		if (segs < 2 || !in_list(s0, seg_len[0], li_ok))
			return -1;
		kind = SF_LINKEDIN, keep = 2;
	} else if (host_is(host, "facebook.com") || host_is(host, "fb.com") || strcmp(host, "fb.me") == 0) {
		if (starts_any(s0, seg_len[0], fb_bad))
			return -1;
		kind = SF_FACEBOOK;
		keep = (seg_len[0] == 5 && strncasecmp(s0, "pages", 5) == 0) ||
			       (seg_len[0] == 6 && strncasecmp(s0, "groups", 6) == 0)
			       ? 3
			       : 1;
		if (seg_len[0] == 11 && strncasecmp(s0, "profile.php", 11) == 0)
			return -1; /* only a numeric id in the query: not a stable page address */
	} else if (strcmp(host, "instagram.com") == 0 || strcmp(host, "www.instagram.com") == 0) {
		if (in_list(s0, seg_len[0], ig_bad))
			return -1;
		kind = SF_INSTAGRAM, keep = 1;
	} else if (strcmp(host, "x.com") == 0 || strcmp(host, "www.x.com") == 0 || strcmp(host, "twitter.com") == 0 ||
		   strcmp(host, "www.twitter.com") == 0 || strcmp(host, "mobile.twitter.com") == 0) {
		if (in_list(s0, seg_len[0], x_bad) || seg_len[0] > 15)
			return -1;
		for (size_t i = 0; i < seg_len[0]; i++)
			if (!((s0[i] >= 'a' && s0[i] <= 'z') || (s0[i] >= 'A' && s0[i] <= 'Z') ||
			      (s0[i] >= '0' && s0[i] <= '9') || s0[i] == '_'))
				return -1;
		kind = SF_X, keep = 1;
	} else if (strcmp(host, "xing.com") == 0 || strcmp(host, "www.xing.com") == 0) {
		if (segs < 2 || !in_list(s0, seg_len[0], xing_ok))
			return -1;
		kind = SF_XING, keep = 2;
	} else if (strcmp(host, "youtube.com") == 0 || strcmp(host, "www.youtube.com") == 0 ||
		   strcmp(host, "m.youtube.com") == 0) {
		if (s0[0] == '@' && seg_len[0] > 1)
			keep = 1;
		else if (segs >= 2 && in_list(s0, seg_len[0], yt_ok))
			keep = 2;
		else
			return -1;
		kind = SF_YOUTUBE;
	} else {
		return -1;
	}
	if ((size_t)keep > segs)
		keep = (int)segs;
	size_t end = seg_off[keep - 1] + seg_len[keep - 1];
	int w = snprintf(out, SP_FIELD_MAX, "https://%s%.*s", host, (int)end, path);
	if (w < 0 || w >= SP_FIELD_MAX || !sp_http_url(out)) {
		out[0] = '\0';
		return -1;
	}
	return kind;
}

/* ---- colours -------------------------------------------------------------------------------------- */

bool sp_color(const char *s, size_t n, char out[8])
{
	static const char hex[] = "0123456789abcdef";
	size_t d;

	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n < 4 || s[0] != '#')
		return false;
	d = n - 1;
	for (size_t i = 1; i < n; i++)
		if (hex_value(s[i]) < 0)
			return false;
	out[0] = '#';
	if (d == 3 || d == 4) {
		for (int i = 0; i < 3; i++)
			out[1 + 2 * i] = out[2 + 2 * i] = hex[hex_value(s[1 + i])];
	} else if (d == 6 || d == 8) {
		for (int i = 0; i < 6; i++)
			out[1 + i] = hex[hex_value(s[1 + i])];
	} else {
		return false;
	}
	out[7] = '\0';
	return true;
}

bool sp_color_grey(const char *c)
{
	int r = hex_value(c[1]) * 16 + hex_value(c[2]), g = hex_value(c[3]) * 16 + hex_value(c[4]),
	    b = hex_value(c[5]) * 16 + hex_value(c[6]);
	int hi = r > g ? (r > b ? r : b) : (g > b ? g : b), lo = r < g ? (r < b ? r : b) : (g < b ? g : b);

	return hi - lo < 40 || hi < 40 || lo > 225;
}

/* ---- names, job titles, countries ------------------------------------------------------------------ */

static const char *const position_words[] = {
	"inhaber", "geschäftsführ", "gründer", "founder", "owner", "ceo", "cto", "coo", "leiter", "leitung",
	"trainer", "coach", "meister", "geselle", "gesellin", "azubi", "auszubildend", "mitarbeiter",
	"assistent", "assistenz", "berater", "verkauf", "vertrieb", "buchhaltung", "büro", "sekretär",
	"empfang", "rezeption", "kundenservice", "kundendienst", "techniker", "monteur", "elektriker",
	"installateur", "elektroniker", "mechaniker", "mechatroniker", "tischler", "schreiner", "maler", "dachdecker", "friseur",
	"kosmetik", "therapeut", "physiotherap", "arzt", "ärzt", "heilprakt", "prokurist", "manager", "management",
	"projekt", "marketing", "personal", "disponent", "koch", "köchin", "gesellschafter", "vorstand", "sales",
	"support", "fachkraft", "fachwirt", "kaufmann", "kauffrau", "steuerberat", "rechtsanw", "notar",
	"ingenieur", "architekt", "designer", "entwickler", "consultant", "betreuer", "pädagog", "ausbilder",
	"service", "team lead", "head of", "director", "direktor", "partner", "hygieni", "zahnmedizin",
	"fachangestellt", "helfer", "instructor", NULL};

bool sp_position_word(const char *s)
{
	for (const char *const *w = position_words; *w; w++)
		if (sp_has(s, *w))
			return true;
	return false;
}

static bool word_is(const char *w, size_t n, const char *const *list)
{
	char f[64];

	if (n >= sizeof f)
		return false;
	memcpy(f, w, n);
	f[n] = '\0';
	sp_fold(f, f, sizeof f);
	for (; *list; list++)
		if (strcmp(f, *list) == 0)
			return true;
	return false;
}

static bool upper_start(const unsigned char *w)
{
	return (w[0] >= 'A' && w[0] <= 'Z') || (w[0] == 0xC3 && w[1] >= 0x80 && w[1] <= 0x9E && w[1] != 0x97) ||
	       (w[0] == 0xC5 && (w[1] == 0x81 || w[1] == 0xA0 || w[1] == 0xBD)); /* Ł Š Ž */
}

bool sp_person_name(const char *s)
{
	static const char *const particles[] = {"von", "van", "vom", "de", "der", "den", "zu", "zur", "di", "da",
						"del", "la", "le", "ten", "ter", "dos", "du", "el", "al", "y", NULL};
	static const char *const titles[] = {"dr.", "prof.", "med.", "dent.", "dipl.-ing.", "mag.", "dr.-ing.",
					     "b.sc.", "m.sc.", "ma", "ba", NULL};
	static const char *const stop[] = {
		"team", "unser", "unsere", "unser team", "über", "ueber", "uns", "kontakt", "impressum", "gmbh", "ug",
		"ag", "kg", "studio", "willkommen", "herzlich", "die", "das", "ihr", "ihre", "wir", "und", "mit",
		"für", "fuer", "news", "aktuelles", "home", "startseite", "galerie", "preise", "angebot", "kurse",
		"jetzt", "mehr", "datenschutz", "anfahrt", "termin", "termine", "buchen", "öffnungszeiten",
		"leistungen", "referenzen", "karriere", "jobs", "stellenangebote", "philosophie", "geschichte",
		"mitglied", "mitgliedschaft", "probetraining", "fitness", "sauna", "wellness", "info", "infos",
		"hier", "sie", "so", "was", "wie", "wo", "wer", "warum", "the", "our", "about", "meet", "contact",
		"praxis", "kanzlei", "betrieb", "firma", "elektro", "sanitär", "heizung", "bad", "haus", "bau",
		"online", "kunden", "bewertungen", "faq", "blog", NULL};
	char buf[SP_TEXT_BYTES];
	size_t words = 0, named = 0;

	if (!sp_clean(s, strlen(s), 60, buf, sizeof buf) || sp_position_word(buf) || sp_has(buf, "straße") ||
	    sp_has(buf, "strasse"))
		return false;
	for (char *w = buf; *w;) {
		size_t n = strcspn(w, " ");
		const unsigned char *u = (const unsigned char *)w;

		if (++words > 5 || n > 30)
			return false;
		if (word_is(w, n, stop))
			return false;
		if (word_is(w, n, titles) || word_is(w, n, particles)) {
			/* allowed, not counted as a name */
		} else {
			if (!upper_start(u))
				return false;
			for (size_t i = 0; i < n; i++) {
				unsigned char c = u[i];

				if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80 || c == '-' ||
				      c == '\'' || (c == '.' && n == 2 && i == 1)))
					return false;
			}
			named++;
		}
		w += n;
		while (*w == ' ')
			w++;
	}
	return named >= 2;
}

const char *sp_country(const char *s, char out[SP_TEXT_BYTES])
{
	static const struct {
		const char *name;
		const char *const alias[8];
	} known[] = {
		{"Deutschland", {"de", "deu", "d", "deutschland", "germany", "bundesrepublik deutschland", "brd", NULL}},
		{"Österreich", {"at", "aut", "a", "österreich", "oesterreich", "austria", NULL}},
		{"Schweiz", {"ch", "che", "schweiz", "switzerland", "suisse", "svizzera", NULL}},
	};
	char f[SP_TEXT_BYTES];

	if (!s || !sp_clean(s, strlen(s), 100, out, SP_TEXT_BYTES))
		return NULL;
	sp_fold(out, f, sizeof f);
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		for (const char *const *a = known[i].alias; *a; a++)
			if (strcmp(f, *a) == 0) {
				snprintf(out, SP_TEXT_BYTES, "%s", known[i].name);
				return out;
			}
	for (const char *p = out; *p; p++)
		if ((*p >= '0' && *p <= '9') || *p == '/' || *p == ':' || *p == '@')
			return NULL;
	return out;
}

bool sp_address(const char *street, const char *postcode, const char *city, const char *country,
		char out[SP_FIELD_MAX])
{
	char st[SP_TEXT_BYTES * 2], pc[20], ci[SP_TEXT_BYTES], co[SP_TEXT_BYTES];

	st[0] = pc[0] = ci[0] = co[0] = '\0';
	if (street && !sp_clean(street, strlen(street), 200, st, sizeof st))
		st[0] = '\0';
	if (city && !sp_clean(city, strlen(city), 100, ci, sizeof ci))
		ci[0] = '\0';
	if (postcode && sp_clean(postcode, strlen(postcode), 16, pc, sizeof pc)) {
		for (const char *p = pc; *p; p++)
			if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			      *p == ' ' || *p == '-')) {
				pc[0] = '\0';
				break;
			}
	} else {
		pc[0] = '\0';
	}
	if (country && !sp_country(country, co))
		co[0] = '\0';
	if (!st[0] && !ci[0])
		return false;
	int w = snprintf(out, SP_FIELD_MAX, "%s%c%s%c%s%c%s", st, SP_SEP, pc, SP_SEP, ci, SP_SEP, co);
	return w > 0 && w < SP_FIELD_MAX;
}

/* ---- phone numbers -------------------------------------------------------------------------------- */

bool site_phone_e164(const char *in, int cc, char out[SITE_E164_MAX])
{
	const unsigned char *p = (const unsigned char *)in;
	char d[40];
	size_t nd = 0, paren = 0, start = 0;
	bool plus = false, open = false;
	char num[40];
	size_t nn;

	out[0] = '\0';
	if (!in || strlen(in) > 64 || cc < 1 || cc > 999)
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '+') {
		plus = true;
		p++;
	}
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (nd + 1 >= sizeof d)
				return false;
			d[nd++] = (char)*p;
		} else if (*p == '(') {
			if (open)
				return false;
			open = true;
			paren = nd;
		} else if (*p == ')') {
			bool intl = plus || (nd >= 2 && d[0] == '0' && d[1] == '0');

			if (!open)
				return false;
			open = false;
			/* "+49 (0)40": the national trunk prefix written after the country code */
			if (intl && nd == paren + 1 && d[paren] == '0' && paren > (plus ? 0u : 2u))
				nd--;
		} else if (*p == ' ' || *p == '-' || *p == '/' || *p == '.' || *p == '\t') {
			/* separator */
		} else if (p[0] == 0xC2 && p[1] == 0xA0) {
			p++;
		} else if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] >= 0x90 && p[2] <= 0x94)) {
			p += 2; /* hyphen and dashes */
		} else {
			return false;
		}
	}
	d[nd] = '\0';
	if (plus) {
		start = 0;
	} else if (nd >= 2 && d[0] == '0' && d[1] == '0') {
		start = 2;
	} else if (nd >= 2 && d[0] == '0') {
		int w = snprintf(num, sizeof num, "%d%s", cc, d + 1);
		if (w < 0 || (size_t)w >= sizeof num)
			return false;
		goto done;
	} else {
		return false; /* no area code, or no digits */
	}
	if (d[start] == '0' || d[start] == '\0')
		return false;
	snprintf(num, sizeof num, "%s", d + start);
	/* "+49 040 …": the area code's leading 0 written after the country code */
	if ((strncmp(num, "49", 2) == 0 || strncmp(num, "43", 2) == 0 || strncmp(num, "41", 2) == 0) && num[2] == '0')
		memmove(num + 2, num + 3, strlen(num + 3) + 1);
done:
	nn = strlen(num);
	if (nn < 8 || nn > 15 || num[0] == '0')
		return false;
	out[0] = '+';
	memcpy(out + 1, num, nn + 1);
	return json_check_e164(out);
}
