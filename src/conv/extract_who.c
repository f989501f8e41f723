/*
 * extract_who.c — who is writing: first and last name, email, phone, age, city, gender from a title
 * ("Frau Krause"), occupation.
 *
 * Each reader finds a trigger with a pattern ("ich heiße", "wohne in", "arbeite als") and then reads and
 * checks the words after it in C (read_token): a name or a place must look like one (letters,
 * capitalised unless the writer never capitalises), must not be one of the common words that follow
 * "ich bin" / "aus" (stop_words), and is re-cased (append_cased). Phone numbers are normalised to
 * E.164, German by default. The stated gender comes from here only with a title; the gender phrases
 * ("ich bin eine Frau") are cue rows in extract_what.c.
 */
#include "conv/extract_int.h"

#include <stdio.h>
#include <string.h>

/* ---- patterns ----------------------------------------------------------------------------------- */

/* What may follow a number that is not an age ("ich bin 16 Uhr da", "ich bin 1,75") */
#define NOT_AGE "(?!\\s*(?:uhr|h\\b|kg\\b|kilo|€|euro|%|prozent|mal\\b|x\\b|jahren|km\\b|cm\\b|m\\b|min\\b|" \
		"minuten|stunden|std\\b|tage|wochen|monate|personen|leute|kinder|pfund|lbs|-\\s*\\d|bis\\s+\\d|[.,:]\\d))"

static const struct pattern patterns[RE_COUNT] = {
	[RE_EMAIL] = {"(?<![\\w.%+-])([a-z0-9_%+-]+(?:\\.[a-z0-9_%+-]+)*)(?:\\s?@\\s?|\\s?[(\\[]at[)\\]]\\s?)"
		      "((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,24})(?![\\w-])", 0},
	[RE_PHONE] = {"(?<![\\w+/.,:])((?:\\+|00)[1-9][\\d \\-/()]{5,24}\\d|\\(?0[1-9][\\d \\-/()]{4,22}\\d)(?![\\d])", 0},
	[RE_TOKEN] = {"\\p{L}(?:[\\p{L}'’]|-(?=\\p{L}))*", PCRE2_ANCHORED},
	[RE_NAME_STRONG] = {"(?:\\b(?:mein|mei|meine)\\s+(?:voller\\s+)?name\\s+(?:ist|is|lautet|wäre)|\\bich\\s+hei(?:ß|ss|s)e"
			    "|\\bmy\\s+name\\s+is|\\bname\\s*:|\\bmy\\s+name['’]s)\\s*"
			    "(?:(frau|herr|mr\\.?|mrs\\.?|ms\\.?)\\s+)?(?:(?:dr|prof)\\.?\\s+)?", 0},
	[RE_NAME_FIRST] = {"\\b(?:mein\\s+)?vorname\\s*(?::|ist|lautet)\\s*", 0},
	[RE_NAME_LAST] = {"\\b(?:mein\\s+)?(?:nachname|familienname|zuname)\\s*(?::|ist|lautet)\\s*", 0},
	[RE_NAME_WEAK] = {"\\b(?:(ich\\s+bin|hier\\s+(?:ist|spricht|schreibt))|(i\\s*['’]\\s*m|i\\s+am|this\\s+is))\\s+"
			  "(?:(der|die|frau|herr)\\s+)?(?:(?:dr|prof)\\.?\\s+)?", 0},
	[RE_NAME_TRAIL] = {"(?:^|[,.!?;:]\\s*|\\b(?:hi|hallo|hey|moin|servus|huhu|hallöchen|halli\\s+hallo|"
			   "guten\\s+(?:tag|morgen|abend)|grüß\\s+gott|grüezi)\\b[\\s,!.]*)"
			   "(\\p{L}[\\p{L}'’-]*(?:\\s+\\p{L}[\\p{L}'’-]*)?)\\s+(?:(mein\\s+name)|hier)\\b", 0},
	[RE_NAME_LIST] = {"^\\s*(\\p{L}[\\p{L}'’-]*\\s+\\p{L}[\\p{L}'’-]*)\\s*[,;]\\s*(?=[\\w.+-]+@|\\+?\\(?\\d)", 0},
	[RE_NAME_SIGNOFF] = {"(?:^|[\\s.,!])(?:lg|vg|liebe\\s+grüße|liebe\\s+grüsse|viele\\s+grüße|beste\\s+grüße|"
			     "schöne\\s+grüße|gruß|grüße|mfg|cheers|best)[\\s,]+"
			     "(\\p{L}[\\p{L}'’-]*(?:\\s+\\p{L}[\\p{L}'’-]*)?)\\s*[.!]*\\s*$", 0},
	[RE_AFTER_AGE] = {"\\s*[,(]\\s*(\\d{2})(?!\\d)" NOT_AGE "\\s*(?:j\\.?|jahre(?:\\s+alt)?)?\\s*\\)?", PCRE2_ANCHORED},
	[RE_AFTER_CITY] = {"(?:\\s*[,(]\\s*\\d{2}\\s*(?:j\\.?|jahre(?:\\s+alt)?)?\\s*\\)?)?\\s*,?\\s*(?:und\\s+)?(?:aus|from)\\s+",
			   PCRE2_ANCHORED},
	[RE_AGE_BIN] = {"(?:\\b(?:ich\\s+bin|bin|i\\s*['’]\\s*m|i\\s+am)\\s+(?:(?:zwar|schon|erst|jetzt|gerade|"
			"mittlerweile|inzwischen|bereits|already|only)\\s+)?|\\b(?:alter|age)\\s*:?\\s*)"
			"(\\d{2})(?!\\d)" NOT_AGE, 0},
	[RE_AGE_YEARS] = {"(?<![\\d.,])(\\d{2})\\s*(?:jahre|jahr|j\\.|years?|yrs?)\\s*(?:alt|jung|old)\\b", 0},
	[RE_AGE_BORN] = {"\\b(?:jahrgang|jg\\.?|baujahr|bj\\.?|geboren(?:\\s+(?:im\\s+jahr|in|am))?|geb\\.?|born(?:\\s+in)?)"
			 "\\s*((?:19|20)\\d{2}|\\d{2})(?![\\d.])", 0},
	[RE_AGE_BORN2] = {"(?<![\\d.])((?:19|20)\\d{2})\\s+geboren\\b", 0},
	[RE_RELATIVE] = {"\\b(?:sohn|tochter|kind|kinder|mann|frau|freund|freundin|partner|partnerin|mutter|vater|"
			 "bruder|schwester|oma|opa|er|sie|son|daughter|husband|wife|he|she|hund|katze)\\b", 0},
	[RE_CITY_LIVE] = {"(?:\\b(?:wohne|wohnen|lebe|leben|wohnhaft|zuhause|zu\\s+hause|daheim|live|living|based)\\s+"
			  "(?:(?:jetzt|gerade|aktuell|derzeit|momentan|inzwischen|mittlerweile|now|currently)\\s+)?"
			  "(?:in|bei|im\\s+raum|in|near)"
			  "|\\b(?:in\\s+der\\s+)?(?:nähe|naehe)\\s+(?:von|vom)"
			  "|\\b(?:wohnort|stadt|city)\\s*:"
			  "|\\baus\\s+(?:dem\\s+)?raum)\\s*", 0},
	[RE_CITY_FROM] = {"\\b(?:komme|komm|kommen|stamme|bin|sind|i\\s*['’]\\s*m|am|are|come)\\s+"
			  "(?:(?:ursprünglich|urspruenglich|eigentlich|original|gebürtig|direkt|originally)\\s+)?"
			  "(?:aus|from)\\s+", 0},
	[RE_CITY_SUFFIX] = {"\\s+(am|an\\s+der|ob\\s+der|im)\\s+(?=\\p{Lu})", PCRE2_ANCHORED},
	[RE_OCC_AS] = {"\\b(?:arbeite|arbeiten|tätig|taetig|work|working|jobbe)\\s+(?:\\w+\\s+)?(?:als|as)\\s+(?:an?\\s+)?"
		       "|\\b(?:bin|ich\\s+bin)\\s+von\\s+beruf\\s+|\\bberuflich\\s+bin\\s+ich\\s+|\\bberuf\\s*:\\s*"
		       "|\\bausbildung\\s+(?:zum|zur|als)\\s+", 0},
	[RE_OCC_BIN] = {"\\b(?:ich\\s+bin|bin|i\\s*['’]\\s*m\\s+an?|i\\s+am\\s+an?)\\s+"
			"(?:(?:gelernte[r]?|ausgebildete[r]?|eigentlich|hauptberuflich|beruflich|von\\s+beruf)\\s+)?", 0},
	[RE_OCC_STUDY] = {"\\b(?:ich\\s+studiere|studiere\\s+(?:noch|gerade|aktuell)|i['’]?m\\s+a\\s+student)\\b", 0},
};

bool extract_who_init(struct extractor *x)
{
	return extract_compile_table(x, patterns);
}

/* ---- word lists (folded with words_fold: lower case ASCII, ä -> ae ...) ------------------------------ */

/* Words that follow "ich bin", "hier ist", "aus" ... and are not names or places. */
static const char *const stop_words[] = {
	"der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "einen", "einem", "eines", "ich", "du", "er",
	"sie", "es", "wir", "ihr", "mich", "mir", "dich", "dir", "sich", "uns", "euch", "mein", "meine", "meinen",
	"meiner", "meinem", "dein", "deine", "sein", "seine", "ihre", "unser", "euer", "hier", "da", "dort", "jetzt",
	"gerade", "grad", "grade", "noch", "schon", "auch", "nur", "sehr", "so", "ganz", "eher", "echt", "total",
	"ziemlich", "etwas", "bisschen", "mal", "gar", "nicht", "kein", "keine", "keinen", "nie", "immer", "oft",
	"wieder", "bald", "heute", "morgen", "gestern", "seit", "ab", "aus", "von", "vom", "zum", "zur", "mit", "bei",
	"beim", "nach", "vor", "fuer", "ueber", "unter", "in", "im", "am", "an", "auf", "um", "und", "oder", "aber",
	"denn", "weil", "dass", "ob", "wenn", "als", "wie", "was", "wer", "wo", "wann", "warum", "also", "dann", "doch",
	"ja", "nein", "okay", "ok", "bitte", "danke", "hallo", "hi", "hey", "moin", "servus", "huhu", "tschuess",
	"gruss", "gruesse", "lg", "vg", "mfg", "liebe", "lieber", "erst", "eigentlich", "wirklich", "leider", "eben",
	"einfach", "zwar", "mittlerweile", "inzwischen", "momentan", "aktuell", "derzeit", "wohl", "tatsaechlich",
	"recht", "relativ", "normal", "zurzeit", "bereits", "sozusagen", "quasi", "halt", "selbst", "allein",
	"alleine", "zusammen", "dabei", "drin", "dran", "raus", "rein", "weg", "zurueck", "unterwegs", "zuhause",
	"daheim", "muede", "neu", "neugierig", "interessiert", "motiviert", "gespannt", "froh", "gluecklich",
	"traurig", "krank", "gesund", "fit", "unfit", "unsportlich", "sportlich", "dick", "duenn", "schwanger",
	"verheiratet", "ledig", "single", "geschieden", "verwitwet", "alt", "jung", "zu", "zufrieden", "unzufrieden",
	"unsicher", "sicher", "nervoes", "aufgeregt", "bereit", "fertig", "kaputt", "erschoepft", "gestresst",
	"schlapp", "faul", "aktiv", "flexibel", "berufstaetig", "arbeitslos", "frei", "krankgeschrieben", "vegan",
	"vegetarisch", "frueh", "spaet", "offen", "ehrlich", "gut", "schlecht", "besser", "schwer", "leicht", "gross",
	"klein", "uebergewichtig", "stark", "schwach", "begeistert", "ueberzeugt", "dankbar", "enttaeuscht", "sauer",
	"wach", "zufaellig", "auch", "selber", "bestimmt", "definitiv", "vielleicht", "eventuell", "absolut",
	"anfaenger", "anfaengerin", "einsteiger", "einsteigerin", "wiedereinsteiger", "wiedereinsteigerin",
	"fortgeschritten", "fortgeschrittene", "fortgeschrittener", "mitglied", "kunde", "kundin", "neukunde",
	"interessent", "interessentin", "mutter", "vater", "mama", "papa", "mami", "papi", "oma", "opa", "frau", "mann",
	"herr", "dame", "junge", "maedchen", "kind", "meinung", "ansicht", "ueberzeugung", "neue", "neuer", "fan",
	"profi", "chef", "chefin", "inhaber", "inhaberin", "besitzer", "trainer", "trainerin", "anfang", "ende", "mitte",
	"team", "name", "vorname", "nachname", "nummer", "email", "mail", "montag", "dienstag", "mittwoch",
	"donnerstag", "freitag", "samstag", "sonntag", "wochenende", "januar", "februar", "maerz", "april", "mai",
	"juni", "juli", "august", "september", "oktober", "november", "dezember", "abend", "mittag", "nachmittag",
	"vormittag", "woche", "monat", "jahr", "jahre", "jahren", "uhr", "tag", "kurs", "training", "studio",
	"fitness", "gym", "probetraining", "termin", "urlaub", "arbeit", "buero", "homeoffice", "schichtdienst",
	"teilzeit", "vollzeit", "elternzeit", "mutterschutz", "reha", "physio", "krankenhaus", "suche", "meinung",
	"bin", "bist", "ist", "sind", "war", "waren", "habe", "hab", "hast", "hat", "haben", "hatte", "will", "wollte",
	"moechte", "moechten", "wuerde", "wuerden", "kann", "koennte", "muss", "soll", "komme", "komm", "wohne",
	"lebe", "arbeite", "trainiere", "mache", "mach", "gehe", "geh", "interessiere", "frage", "melde", "schreibe",
	"brauche", "finde", "denke", "glaube", "weiss", "heisse", "hoffe", "wuerde", "wollte", "suche", "war",
	"am", "is", "a", "an", "the", "from", "and", "but", "here", "interested", "new", "looking", "just", "not",
	"very", "really", "also", "gonna", "going", "trying", "writing", "calling", "back", "sorry", "fine", "good",
	"ready", "back", "on", "at", "my", "your", "in", "of", "to", "with", "thanks", "hello", "deutschland",
	"oesterreich", "schweiz", "polen", "tuerkei", "innenstadt", "zentrum", "stadt", "naehe", "gegend",
	"umgebung", "umland", "raum", "dorf", "land", "vorort", "wg", "wohnung", "haus", "wohnheim", "erfahrung",
	"spass", "interesse", "neugier", "langeweile", "zeitgruenden", "gruenden", "versehen", "prinzip",
	"leidenschaft", "gewohnheit", "sicht", "frust", "angst", "sport", "schule", "ausland", "berliner",
	"hamburger", "muenchner", "koelner", "kollege", "kollegin", "freund", "freundin", "zeit", "lust", "bock",
	"alles", "nichts", "super", "toll", "klasse", "prima", "top", "cool", "perfekt", "schoen", "richtig",
	"arbeitslos", "ratlos", "planlos", "raucher", "nichtraucher", "vegetarier", "veganer", "fruehaufsteher",
};

/* Occupations recognised after "ich bin" (any word is taken after "arbeite als"). */
static const char *const occupations[] = {
	"lehrer", "lehrerin", "krankenschwester", "krankenpfleger", "krankenpflegerin", "pfleger", "pflegerin",
	"altenpfleger", "altenpflegerin", "student", "studentin", "schueler", "schuelerin", "rentner", "rentnerin",
	"pensionaer", "pensionaerin", "azubi", "auszubildende", "auszubildender", "ingenieur", "ingenieurin",
	"informatiker", "informatikerin", "programmierer", "programmiererin", "entwickler", "entwicklerin",
	"softwareentwickler", "softwareentwicklerin", "erzieher", "erzieherin", "polizist", "polizistin",
	"selbststaendig", "selbstaendig", "freiberufler", "freiberuflerin", "hausfrau", "hausmann", "verkaeufer",
	"verkaeuferin", "kellner", "kellnerin", "koch", "koechin", "arzt", "aerztin", "anwalt", "anwaeltin",
	"handwerker", "handwerkerin", "elektriker", "mechaniker", "friseur", "friseurin", "buchhalter",
	"buchhalterin", "beamter", "beamtin", "soldat", "soldatin", "physiotherapeut", "physiotherapeutin",
	"architekt", "architektin", "designer", "designerin", "unternehmer", "unternehmerin", "manager",
	"managerin", "berater", "beraterin", "kauffrau", "kaufmann", "angestellte", "angestellter",
	"bueroangestellte", "bueroangestellter", "busfahrer", "busfahrerin", "lkw-fahrer", "bauarbeiter",
	"schichtarbeiter", "schichtarbeiterin", "tischler", "schreiner", "maler", "gaertner", "gaertnerin",
	"apotheker", "apothekerin", "zahnarzt", "zahnaerztin", "sozialarbeiter", "sozialarbeiterin", "juristin",
	"jurist", "bankkaufmann", "bankkauffrau", "teacher", "nurse", "engineer", "developer", "doctor", "retired",
	"retiree", "lawyer", "designer", "accountant", "consultant", "manager", "trainee", "praktikant",
	"praktikantin", "doktorand", "doktorandin", "hebamme", "mfa", "pta", "pilot", "pilotin", "stewardess",
};

/* Endings of words after "ich bin" that are nouns or adjectives of a kind names rarely have. */
static const char *const weak_suffixes[] = {
	"erin", "iker", "ierer", "ling", "ung", "heit", "keit", "schaft", "ismus", "isch", "lich", "bar",
	"sam", "iert", "tiv", "ler", "eur", "ist", "ant", "aner", "ener", "arbeiter", "steher", "fahrer",
	"raucher", "sportler", "ent", "eut", "oge", "chen", "meister", "helfer", "leiter", "pfleger", "berater",
	"trainer", "lehrer", "kraft",
};
/* ... and, when the writer does not capitalise, these too ("gespannt", "fertig"). */
static const char *const lower_suffixes[] = {"t", "ig"};

/* Place words that may stand before a city name ("Bad Homburg", "St. Ingbert"). */
static const char *const city_prefixes[] = {"bad", "sankt", "st", "neu", "gross", "klein", "alt", "markt"};

/* True when `w` ends with `suffix`; a short ending (3 letters or less) needs two letters before it. */
static bool ends_with(const char *w, const char *suffix)
{
	size_t a = strlen(w), b = strlen(suffix);
	return (b > 3 ? a >= b : a > b + 1) && !strcmp(w + a - b, suffix);
}

static bool ends_with_any(const char *w, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ends_with(w, list[i]))
			return true;
	return false;
}

/* ---- re-casing ---------------------------------------------------------------------------------- */

/* Changes the case of the letter at `p` in place (ASCII / Latin-1 only). */
static void set_case(char *p, bool up)
{
	unsigned char *u = (unsigned char *)p;
	if (up && lower_at(p))
		u[u[0] == 0xC3 ? 1 : 0] -= 0x20;
	else if (!up && upper_at(p))
		u[u[0] == 0xC3 ? 1 : 0] += 0x20;
}

/* Appends the `n` bytes at `b` to `buf` (capacity `cap`, used `*len`), re-cased: each part between
 * spaces, hyphens and apostrophes starts upper case; a part written all in one case is lower case after
 * its first letter ("ANNA" -> "Anna", "mcDonald" -> "McDonald"). */
static bool append_cased(char *buf, size_t cap, size_t *len, const char *b, size_t n)
{
	if (*len + n + 1 > cap)
		return false;
	char *dst = buf + *len;
	memcpy(dst, b, n);
	dst[n] = '\0';
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		bool any_up = false, any_low = false;
		while (j < n && dst[j] != '-' && dst[j] != ' ' && dst[j] != '\'') {
			if (j > i && upper_at(dst + j))
				any_up = true;
			if (j > i && lower_at(dst + j))
				any_low = true;
			j += char_len(dst + j);
		}
		if (j > n)
			j = n;
		if (i < j) {
			set_case(dst + i, true);
			if (!(any_up && any_low))
				for (size_t k = i + char_len(dst + i); k < j; k += char_len(dst + k))
					set_case(dst + k, false);
		}
		i = j + 1;
	}
	*len += n;
	return true;
}

/* ---- names and places --------------------------------------------------------------------------- */

#define TOK_WEAK 1u  /* after "ich bin" / "hier ist": reject typical noun and adjective endings */
#define TOK_LOWER 2u /* a lower-case word is acceptable */
#define TOK_PLACE 4u /* a place, not a person (no occupation check) */

/* Reads one name-like word at `pos` (after blanks) and checks it. Returns true with its bytes in
 * [*b, *e). */
static bool read_token(struct scan *sc, size_t pos, unsigned how, size_t *b, size_t *e)
{
	while (pos < sc->len && (sc->s[pos] == ' ' || sc->s[pos] == '\t'))
		pos++;
	if (!scan_find(sc, sc->x->re[RE_TOKEN], pos))
		return false;
	size_t tb = sc->gb[0], te = sc->ge[0], chars = 0;
	for (size_t i = tb; i < te; i += char_len(sc->s + i))
		chars++;
	if (chars < 2 || te - tb > 40)
		return false;
	/* part of an address or a number ("anna.schmidt@", "tom2") */
	char next = te < sc->len ? sc->s[te] : '\0';
	if (next == '@' || next == '_' || (next >= '0' && next <= '9') ||
	    (next == '.' && te + 1 < sc->len && ((sc->s[te + 1] | 0x20) >= 'a' && (sc->s[te + 1] | 0x20) <= 'z')))
		return false;
	char f[WORD_MAX];
	if (!extract_fold_word(sc->s + tb, te - tb, f) || IN(stop_words, f))
		return false;
	if (!(how & TOK_PLACE) && IN(occupations, f))
		return false;
	bool up = upper_at(sc->s + tb);
	if (!up && !lower_at(sc->s + tb))
		return false; /* a letter this module cannot re-case: leave it */
	if (!up && !(how & TOK_LOWER))
		return false;
	if ((how & TOK_WEAK) && ends_with_any(f, weak_suffixes, sizeof weak_suffixes / sizeof weak_suffixes[0]))
		return false;
	if ((how & TOK_WEAK) && !up && ends_with_any(f, lower_suffixes, sizeof lower_suffixes / sizeof lower_suffixes[0]))
		return false;
	*b = tb;
	*e = te;
	return true;
}

enum name_role { ROLE_FULL, ROLE_FIRST, ROLE_LAST, ROLE_LAST_IF_ONE };

/* Reads one or two name words at `pos` and sets first_name / last_name (those not set yet). Returns the
 * end of the name, or 0 when there is none. */
static size_t take_name(struct scan *sc, size_t pos, unsigned how, enum name_role role, json_t *out)
{
	size_t b1, e1, b2 = 0, e2 = 0;
	if (!read_token(sc, pos, how, &b1, &e1))
		return 0;
	bool two = false;
	if (role != ROLE_FIRST && role != ROLE_LAST && e1 < sc->len && sc->s[e1] == ' ') {
		unsigned how2 = how & ~TOK_WEAK;
		if (upper_at(sc->s + b1) && !sc->lower)
			how2 &= ~TOK_LOWER; /* "Anna möchte": a capitalised name is not followed by a lower-case one */
		two = read_token(sc, e1, how2, &b2, &e2);
	}
	char buf[96];
	size_t n = 0;
	const char *k1 = role == ROLE_LAST || (role == ROLE_LAST_IF_ONE && !two) ? "last_name" : "first_name";
	if (!json_object_get(out, k1)) {
		if (!append_cased(buf, sizeof buf, &n, sc->s + b1, e1 - b1) || set_strn(out, k1, buf, n))
			return 0;
	}
	if (two && !json_object_get(out, "last_name")) {
		n = 0;
		if (!append_cased(buf, sizeof buf, &n, sc->s + b2, e2 - b2) || set_strn(out, "last_name", buf, n))
			return 0;
	}
	return two ? e2 : e1;
}

/* Reads a place name at `pos`: an optional prefix word ("Bad"), the name, an optional "am Main". */
static bool take_city(struct scan *sc, size_t pos, unsigned how, json_t *out)
{
	char buf[128];
	size_t n = 0, b, e;
	how |= TOK_PLACE;
	while (pos < sc->len && sc->s[pos] == ' ')
		pos++;
	/* prefix */
	if (scan_find(sc, sc->x->re[RE_TOKEN], pos)) {
		char f[WORD_MAX];
		size_t pb = sc->gb[0], pe = sc->ge[0];
		if (extract_fold_word(sc->s + pb, pe - pb, f) && IN(city_prefixes, f) &&
		    (upper_at(sc->s + pb) || (how & TOK_LOWER))) {
			size_t after = pe + (pe < sc->len && sc->s[pe] == '.');
			if (after < sc->len && sc->s[after] == ' ' && read_token(sc, after, how, &b, &e)) {
				if (!append_cased(buf, sizeof buf, &n, sc->s + pb, after - pb) ||
				    !append_cased(buf, sizeof buf, &n, " ", 1))
					return false;
				pos = after;
				goto name;
			}
		}
	}
	if (!read_token(sc, pos, how, &b, &e))
		return false;
name:
	if (!append_cased(buf, sizeof buf, &n, sc->s + b, e - b))
		return false;
	/* suffix: "am Main", "an der Oder", "im Breisgau" (the name capitalised) */
	if (scan_find(sc, sc->x->re[RE_CITY_SUFFIX], e)) {
		size_t sb = sc->gb[1], se = sc->ge[1], tb, te;
		size_t after = sc->ge[0];
		char c0 = (char)(sc->s[sb] | 0x20), c1 = (char)(sc->s[sb + 1] | 0x20);
		const char *link = c0 == 'o' ? " ob der " : c0 == 'i' ? " im " : c1 == 'm' ? " am " : " an der ";
		(void)se;
		if (read_token(sc, after, how & ~TOK_LOWER, &tb, &te) && n + strlen(link) + (te - tb) + 1 < sizeof buf) {
			memcpy(buf + n, link, strlen(link));
			n += strlen(link);
			if (!append_cased(buf, sizeof buf, &n, sc->s + tb, te - tb))
				return false;
		}
	}
	return set_strn(out, "city", buf, n) == 0;
}

/* After a name: ", 34" / "(34)" gives the age, "aus Köln" the city. */
static void after_name(struct scan *sc, size_t end, unsigned how, json_t *out)
{
	if (!json_object_get(out, "age") && scan_find(sc, sc->x->re[RE_AFTER_AGE], end)) {
		int age = scan_num(sc, 1);
		if (age >= 14 && age <= 99)
			json_object_set_new(out, "age", json_integer(age));
	}
	if (!json_object_get(out, "city") && scan_find(sc, sc->x->re[RE_AFTER_CITY], end))
		take_city(sc, sc->ge[0], how & ~TOK_WEAK, out);
}

/* True when the words between the start of the clause and `pos` are at most one greeting: "hi ich bin
 * tom" opens its clause, "und dann hier ist anna" does not. */
static bool opens_clause(const struct scan *sc, size_t pos)
{
	static const char *const greetings[] = {"hi", "hallo", "hey", "moin", "servus", "huhu", "hallochen", "hello",
						"hiii", "hii", "na", "also", "ja", "ok", "okay"};
	size_t from = scan_clause_start(sc, pos);
	while (from < pos && (sc->s[from] == ' ' || sc->s[from] == '\t'))
		from++;
	size_t end = pos;
	while (end > from && sc->s[end - 1] == ' ')
		end--;
	if (end == from)
		return true;
	char f[WORD_MAX];
	return extract_fold_word(sc->s + from, end - from, f) && IN(greetings, f);
}

/* The gender a title states: "Frau", "Mrs", "Ms" / "Herr", "Mr". */
static const char *title_gender(const char *t)
{
	char c0 = (char)(t[0] | 0x20), c1 = (char)(t[1] | 0x20), c2 = (char)(t[2] | 0x20);
	if (c0 == 'f' || (c0 == 'm' && c1 == 's') || (c0 == 'm' && c1 == 'r' && c2 == 's'))
		return "female";
	if (c0 == 'h' || (c0 == 'm' && c1 == 'r'))
		return "male";
	return NULL; /* an article: "ich bin die Lea" */
}

void extract_name(struct scan *sc, json_t *out)
{
	size_t pos, end, again;
	/* explicit first / last name fields */
	for (pos = 0; scan_find(sc, sc->x->re[RE_NAME_FIRST], pos); pos = again) {
		again = scan_next(sc);
		if (take_name(sc, sc->ge[0], TOK_LOWER, ROLE_FIRST, out))
			break;
	}
	for (pos = 0; scan_find(sc, sc->x->re[RE_NAME_LAST], pos); pos = again) {
		again = scan_next(sc);
		if (take_name(sc, sc->ge[0], TOK_LOWER, ROLE_LAST, out))
			break;
	}
	if (json_object_get(out, "first_name") || json_object_get(out, "last_name"))
		return;
	/* "mein Name ist", "ich heiße", "Name:" */
	for (pos = 0; scan_find(sc, sc->x->re[RE_NAME_STRONG], pos); pos = again) {
		again = scan_next(sc);
		const char *g = has(sc, 1) ? title_gender(sc->s + sc->gb[1]) : NULL;
		if ((end = take_name(sc, sc->ge[0], TOK_LOWER, g ? ROLE_LAST_IF_ONE : ROLE_FULL, out))) {
			if (g && !json_object_get(out, "gender"))
				set_str(out, "gender", g);
			after_name(sc, end, TOK_LOWER, out);
			return;
		}
	}
	/* "Anna Schmidt, anna@..." at the start */
	if (scan_find(sc, sc->x->re[RE_NAME_LIST], 0) && upper_at(sc->s + sc->gb[1]) &&
	    take_name(sc, sc->gb[1], 0, ROLE_FULL, out))
		return;
	/* "Anna hier", "Schmidt mein Name" */
	for (pos = 0; scan_find(sc, sc->x->re[RE_NAME_TRAIL], pos); pos = again) {
		again = scan_next(sc);
		enum name_role role = has(sc, 2) ? ROLE_LAST_IF_ONE : ROLE_FULL;
		if (take_name(sc, sc->gb[1], role == ROLE_FULL ? TOK_WEAK : 0, role, out))
			return;
	}
	/* "ich bin Anna", "hier ist die Lea", "hier ist Frau Krause", "I'm John" */
	for (pos = 0; scan_find(sc, sc->x->re[RE_NAME_WEAK], pos); pos = again) {
		again = scan_next(sc);
		bool english = has(sc, 2);
		const char *g = has(sc, 3) ? title_gender(sc->s + sc->gb[3]) : NULL;
		/* after a title the word is a name whatever its ending ("Frau Müller") */
		unsigned how = (g ? 0 : TOK_WEAK) | (!english && sc->lower && opens_clause(sc, sc->gb[0]) ? TOK_LOWER : 0);
		if ((end = take_name(sc, sc->ge[0], how, g ? ROLE_LAST_IF_ONE : ROLE_FULL, out))) {
			if (g && !json_object_get(out, "gender"))
				set_str(out, "gender", g);
			after_name(sc, end, how, out);
			return;
		}
	}
	/* "LG Nicole" at the end */
	if (scan_find(sc, sc->x->re[RE_NAME_SIGNOFF], 0))
		take_name(sc, sc->gb[1], TOK_WEAK, ROLE_FULL, out);
}

void extract_city(struct scan *sc, json_t *out)
{
	size_t pos, again;
	if (json_object_get(out, "city"))
		return;
	for (pos = 0; scan_find(sc, sc->x->re[RE_CITY_LIVE], pos); pos = again) {
		again = scan_next(sc);
		if (take_city(sc, sc->ge[0], TOK_LOWER, out))
			return;
	}
	for (pos = 0; scan_find(sc, sc->x->re[RE_CITY_FROM], pos); pos = again) {
		again = scan_next(sc);
		if (take_city(sc, sc->ge[0], sc->lower ? TOK_LOWER : 0, out))
			return;
	}
}

/* ---- contact data ------------------------------------------------------------------------------- */

void extract_email(struct scan *sc, json_t *out)
{
	if (!scan_find(sc, sc->x->re[RE_EMAIL], 0))
		return;
	size_t lb = sc->gb[1], le = sc->ge[1], db = sc->gb[2], de = sc->ge[2];
	if (le - lb > 64 || (le - lb) + 1 + (de - db) > 254)
		return;
	char buf[256];
	size_t n = 0;
	memcpy(buf, sc->s + lb, le - lb);
	n = le - lb;
	buf[n++] = '@';
	for (size_t i = db; i < de; i++) {
		char c = sc->s[i];
		buf[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 0x20 : c);
	}
	set_strn(out, "email", buf, n);
}

/* A German national significant number (after the 0): mobile (15x-17x) 10-11 digits, else 7-11. */
static bool de_nsn_ok(const char *d, size_t n)
{
	if (n == 0 || d[0] == '0')
		return false;
	if (d[0] == '1' && d[1] >= '5' && d[1] <= '7')
		return n >= 10 && n <= 11;
	return n >= 7 && n <= 11;
}

/* Normalises one phone candidate to E.164 in `e164` (16 bytes at least). Digit groups at the end are
 * dropped while the number is too long ("0171 1234567 14 Uhr"). */
static bool phone_e164(const char *s, size_t n, char e164[20])
{
	char d[40];
	size_t nd = 0, groups[40], ng = 0;
	bool intl = s[0] == '+' || (n > 1 && s[0] == '0' && s[1] == '0');
	size_t i = s[0] == '+' ? 1 : 0;
	bool prev_digit = false;
	for (; i < n; i++) {
		/* "(0)" after the country code */
		if (s[i] == '(' && i + 2 < n && s[i + 1] == '0' && s[i + 2] == ')' && intl) {
			i += 2;
			prev_digit = false;
			continue;
		}
		if (s[i] >= '0' && s[i] <= '9') {
			if (!prev_digit && nd > 0 && ng < 40)
				groups[ng++] = nd;
			if (nd >= sizeof d - 1)
				return false;
			d[nd++] = s[i];
			prev_digit = true;
		} else {
			prev_digit = false;
		}
	}
	d[nd] = '\0';
	const char *p = d;
	size_t skip = 0;
	if (intl && d[0] == '0') /* 00 prefix */
		skip = 2;
	else if (!intl) /* national: 0 + NSN, Germany */
		skip = 1;
	for (;;) {
		const char *num = p + skip;
		size_t len = nd - skip;
		if (!intl) {
			if (de_nsn_ok(num, len)) {
				snprintf(e164, 20, "+49%.*s", (int)len, num);
				return true;
			}
		} else if (len > 2 && num[0] == '4' && num[1] == '9') {
			const char *nsn = num + 2;
			size_t nl = len - 2;
			if (nl > 0 && nsn[0] == '0') /* "+49 0171 ..." */
				nsn++, nl--;
			if (de_nsn_ok(nsn, nl)) {
				snprintf(e164, 20, "+49%.*s", (int)nl, nsn);
				return true;
			}
		} else if (len >= 8 && len <= 15 && num[0] != '0') {
			snprintf(e164, 20, "+%.*s", (int)len, num);
			return true;
		}
		/* too long: drop the last group and try again; too short: give up */
		if (ng == 0 || len < 8)
			return false;
		nd = groups[--ng];
		if (nd <= skip)
			return false;
	}
}

void extract_phone(struct scan *sc, json_t *out)
{
	char e164[20];
	for (size_t pos = 0; scan_find(sc, sc->x->re[RE_PHONE], pos); pos = scan_next(sc)) {
		if (phone_e164(sc->s + sc->gb[1], sc->ge[1] - sc->gb[1], e164)) {
			set_str(out, "phone", e164);
			return;
		}
	}
}

/* ---- age ---------------------------------------------------------------------------------------- */

static bool age_ok(int a)
{
	return a >= 14 && a <= 99;
}

void extract_age(struct scan *sc, json_t *out)
{
	if (json_object_get(out, "age"))
		return;
	size_t pos, again;
	for (pos = 0; scan_find(sc, sc->x->re[RE_AGE_BIN], pos); pos = scan_next(sc)) {
		int a = scan_num(sc, 1);
		if (age_ok(a)) {
			json_object_set_new(out, "age", json_integer(a));
			return;
		}
	}
	for (pos = 0; scan_find(sc, sc->x->re[RE_AGE_YEARS], pos); pos = again) {
		int a = scan_num(sc, 1);
		size_t b = sc->gb[0];
		again = scan_next(sc);
		size_t from = scan_clause_start(sc, b), save = sc->len;
		sc->len = b;
		bool other = scan_find(sc, sc->x->re[RE_RELATIVE], from); /* "mein Sohn ist 16 Jahre alt" */
		sc->len = save;
		if (!other && age_ok(a)) {
			json_object_set_new(out, "age", json_integer(a));
			return;
		}
	}
	if (!sc->now)
		return;
	for (int k = RE_AGE_BORN; k <= RE_AGE_BORN2; k++) {
		for (pos = 0; scan_find(sc, sc->x->re[k], pos); pos = scan_next(sc)) {
			const char *y = sc->s + sc->gb[1];
			size_t yl = sc->ge[1] - sc->gb[1];
			int year = 0;
			for (size_t i = 0; i < yl; i++)
				year = year * 10 + (y[i] - '0');
			if (yl == 2)
				year += year > sc->now->year % 100 ? (sc->now->year / 100 - 1) * 100 : sc->now->year / 100 * 100;
			int a = sc->now->year - year;
			if (age_ok(a)) {
				json_object_set_new(out, "age", json_integer(a));
				return;
			}
		}
	}
}

/* ---- occupation --------------------------------------------------------------------------------- */

void extract_occupation(struct scan *sc, json_t *out)
{
	char buf[64], f[WORD_MAX];
	size_t n, pos, again, b, e;
	for (pos = 0; scan_find(sc, sc->x->re[RE_OCC_AS], pos); pos = again) {
		again = scan_next(sc);
		if (read_token(sc, sc->ge[0], TOK_LOWER | TOK_PLACE, &b, &e)) {
			n = 0;
			if (append_cased(buf, sizeof buf, &n, sc->s + b, e - b))
				set_strn(out, "occupation", buf, n);
			return;
		}
	}
	for (pos = 0; scan_find(sc, sc->x->re[RE_OCC_BIN], pos); pos = again) {
		again = scan_next(sc);
		if (scan_find(sc, sc->x->re[RE_TOKEN], sc->ge[0]) &&
		    extract_fold_word(sc->s + sc->gb[0], sc->ge[0] - sc->gb[0], f) && IN(occupations, f)) {
			n = 0;
			if (append_cased(buf, sizeof buf, &n, sc->s + sc->gb[0], sc->ge[0] - sc->gb[0]))
				set_strn(out, "occupation", buf, n);
			return;
		}
	}
	if (scan_find(sc, sc->x->re[RE_OCC_STUDY], 0))
		set_str(out, "occupation", "Student");
}
