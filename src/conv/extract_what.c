/*
 * extract_what.c — what the visitor wants and how keen they are: the cue tables (goal, fitness level,
 * health restrictions, how found, interest, urgency, budget, part of the day, gender), the training
 * frequency and the "PS:" notes.
 *
 * A cue row maps a pattern to a normalised value; a field takes either the row whose match comes first
 * in the message (cue_earliest) or the first row in table order that matches (cue_first), and a row
 * may be skipped when a negation stands before it in its clause (CUE_NEG) or its clause is a question
 * (CUE_NOQ). The table order of the restriction rows is also the order extract_merge keeps.
 */
#include "conv/extract_int.h"

#include <stdio.h>
#include <string.h>

#define NOTES_MAX 200    /* bytes of a "PS:" note kept */

/* ---- patterns ----------------------------------------------------------------------------------- */

#define FNUM "(\\d|einmal|ein|zwei|drei|vier|fünf|fuenf|sechs|sieben)"

static const struct pattern patterns[RE_COUNT] = {
	[RE_NEG] = {"\\b(?:kein|keine|keinen|keiner|keinem|nicht|ohne|nie|niemals|no|not|never)\\b", 0},
	[RE_FREQ_RANGE] = {"(?<![\\d.,])" FNUM "(?:\\s*mal|x)?\\s*-?\\s*(?:-|–|bis|oder|/)\\s*" FNUM
			   "\\s*(?:x|mal|times)\\s*(?:pro|die|in\\s+der|a|per|/|im|the)?\\s*(?:woche|week|wo\\b)", 0},
	[RE_FREQ_ONE] = {"(?<![\\d.,-])" FNUM "\\s*(?:x|mal|times)\\s*(?:pro|die|in\\s+der|a|per|/|im|the)?\\s*(?:woche|week)\\b", 0},
	[RE_FREQ_WEEKLY] = {"(?<![\\d.,-])" FNUM "\\s*(?:x|mal)?\\s*(?:wöchentlich|woechentlich|weekly)\\b", 0},
	[RE_FREQ_DAILY] = {"\\b(?:jeden\\s+tag|täglich|taeglich|every\\s+day|daily)\\b", 0},
	[RE_FREQ_ALT] = {"\\b(?:jeden\\s+zweiten\\s+tag|alle\\s+zwei\\s+tage|every\\s+other\\s+day)\\b", 0},
	[RE_TRAIN_CTX] = {"\\b(?:trainier\\w*|training|sport|gym|workout|train\\w*|liebsten|würde|möchte|will|kann|könnte|"
			  "schaffe|wäre|would|want|could)\\b", 0},
	[RE_NOTES] = {"(?:^|(?<=[\\s.!?]))(?:p\\.?\\s?s\\.?|anmerkung|hinweis|notiz)\\s*:\\s*(\\S.*)", PCRE2_DOTALL},
};

/* ---- cue tables --------------------------------------------------------------------------------- */

#define CUE_NEG 1u /* skipped when a negation precedes it in its clause */
#define CUE_NOQ 2u /* skipped inside a question */

struct cue {
	enum cue_field field;
	const char *value;
	unsigned flags;
	const char *re;
};

/* "über Instagram", "auf Insta gesehen", "gefunden bei Google" — a platform with a word that says how. */
#define VIA(p)                                                                                               \
	"(?:\\b(?:über|ueber|durch|via|auf|bei|von|from|on|through)\\s+(?:\\w+\\s+)?(?:" p ")\\b"               \
	"|\\b(?:" p ")\\b[^.!?]{0,40}?\\b(?:gefunden|gesehen|entdeckt|gestoßen|gestossen|aufmerksam|found|saw|seen)" \
	"|\\b(?:gefunden|gesehen|entdeckt|gestoßen|gestossen|found|saw)\\b[^.!?]{0,30}?\\b(?:" p ")\\b)"

static const struct cue cues[] = {
	/* goal: the first one mentioned */
	{CF_GOAL, "weight_loss", CUE_NEG,
	 "\\b(?:abnehmen|abzunehmen|abnahme|gewicht\\s+(?:verlieren|reduzieren|runter)|gewichtsreduktion|"
	 "(?:kilos?|kg|pfunde?)\\s+(?:weg|runter|verlieren|abnehmen|loswerden)|fett\\s*(?:verbrennen|abbauen|weg|loswerden)|"
	 "abspecken|bauch\\s+weg|schlanker|lose\\s+weight|weight\\s+loss)"},
	{CF_GOAL, "muscle_gain", CUE_NEG,
	 "\\b(?:muskelaufbau|muskeln\\s+aufbauen|muskeln\\s+aufzubauen|muskelmasse|masse\\s+aufbauen|muskulöser|"
	 "kraft\\s+aufbauen|stärker\\s+werden|build\\s+muscle|muscle\\s+gain|bodybuilding|mehr\\s+muskeln)"},
	{CF_GOAL, "general_fitness", CUE_NEG,
	 "\\b(?:fitter|fit\\s+werden|wieder\\s+fit\\s+werden|fit\\s+bleiben|in\\s+form\\s+(?:kommen|bleiben)|"
	 "fitness\\s+verbessern|gesünder|get\\s+fit|allgemeine\\s+fitness)"},
	{CF_GOAL, "back_health", CUE_NEG,
	 "\\b(?:rücken\\s+(?:stärken|kräftigen|trainieren|fit)|(?:was|etwas)\\s+für\\s+(?:meinen|den)\\s+rücken|"
	 "rückentraining|rückenfit|starke[rn]?\\s+rücken)"},
	{CF_GOAL, "toning", CUE_NEG,
	 "\\b(?:straffen|straffer|definierter|figur|bikinifigur|strandfigur|körper\\s+formen|toning|cellulite)\\b"},
	{CF_GOAL, "endurance", CUE_NEG, "\\b(?:ausdauer|kondition|marathon|halbmarathon|endurance|stamina)"},
	{CF_GOAL, "stress_relief", CUE_NEG,
	 "\\b(?:stress\\s*(?:abbauen|reduzieren|loswerden)|gegen\\s+(?:den\\s+)?stress|ausgleich|entspannen|"
	 "abschalten|stressabbau)"},
	{CF_GOAL, "mobility", CUE_NEG, "\\b(?:beweglich(?:er|keit)?|mobilität|flexibler|flexibilität|dehnen|gelenkig)"},

	/* fitness level: the first one mentioned */
	{CF_LEVEL, "beginner", 0,
	 "\\b(?:anfänger(?:in)?\\b|einsteiger(?:in)?\\b|beginner|neuling|unsportlich|keine\\s+erfahrung|"
	 "noch\\s+nie\\s+(?:\\w+\\s+){0,3}?(?:trainiert|sport|im\\s+(?:fitness)?studio|(?:im\\s+)?gym|gewesen))"},
	{CF_LEVEL, "returning", 0,
	 "\\b(?:wiedereinsteiger(?:in)?|wieder\\s+(?:einsteigen|anfangen|reinkommen)|"
	 "früher\\s+(?:\\w+\\s+){0,2}?(?:trainiert|sport|aktiv|leistungssport\\w*|im\\s+studio|viel\\s+gemacht)|"
	 "lange\\s+(?:\\w+\\s+){0,2}?(?:pause|nichts\\s+(?:mehr\\s+)?gemacht|kein(?:en)?\\s+sport)|"
	 "seit\\s+(?:\\d+|\\w+)\\s+jahren\\s+(?:nicht\\s+mehr|kein(?:en)?\\s+sport|raus))"},
	{CF_LEVEL, "intermediate", 0,
	 "\\b(?:mittelmäßig|mittelmaessig|mittleres\\s+niveau|etwas\\s+erfahrung|bisschen\\s+erfahrung|intermediate|"
	 "mittel\\s+fit|(?:ab\\s+und\\s+zu|gelegentlich|hin\\s+und\\s+wieder)\\s+(?:\\w+\\s+){0,2}?"
	 "(?:sport|training|joggen|laufen|trainier\\w*)|(?:sport|trainiere|jogge)\\s+(?:\\w+\\s+){0,2}?"
	 "(?:ab\\s+und\\s+zu|gelegentlich|hin\\s+und\\s+wieder))"},
	{CF_LEVEL, "advanced", 0,
	 "(?<!für\\s)(?<!fuer\\s)\\b(?:fortgeschritten(?:e[rn]?)?\\b|advanced|sehr\\s+fit|leistungssport(?:ler(?:in)?)?|"
	 "trainiere\\s+(?:schon\\s+)?(?:seit\\s+(?:\\d+|vielen|mehreren|zwei|drei|vier|fünf)\\s+jahren|lange|jahrelang))"},

	/* health restrictions: all of them, in this order */
	{CF_HEALTH, "herniated_disc", CUE_NEG, "(?:bandscheibe\\w*|\\bbsv\\b)"},
	{CF_HEALTH, "back_pain", CUE_NEG,
	 "\\b(?:rückenschmerz\\w*|rückenproblem\\w*|rückenbeschwerden|ischias|hexenschuss|"
	 "(?:probleme?|schmerzen|beschwerden)\\s+(?:mit\\s+dem|im|am)\\s+rücken|rücken\\s+(?:ist\\s+)?(?:kaputt|macht|tut\\s+weh)|"
	 "hab(?:e)?\\s+rücken|back\\s+pain)"},
	{CF_HEALTH, "knee", CUE_NEG, "\\b(?:knie(?!beuge)\\w*|meniskus\\w*|kreuzband\\w*|knee)"},
	{CF_HEALTH, "shoulder", CUE_NEG, "\\b(?:schulter\\w*|rotatorenmanschette|shoulder)"},
	{CF_HEALTH, "hip", CUE_NEG, "\\b(?:hüft\\w*|hip)\\b"},
	{CF_HEALTH, "pregnancy", CUE_NEG, "\\b(?:schwanger\\w*|pregnan\\w*)"},
	{CF_HEALTH, "postnatal", CUE_NEG, "\\b(?:rückbildung\\w*|nach\\s+der\\s+(?:geburt|entbindung)|postnatal)"},
	{CF_HEALTH, "heart", CUE_NEG,
	 "\\b(?:herz(?:problem|erkrank|infarkt|rhythmus|schwäche|fehler|op|kreislauf|krank|insuffizienz)\\w*|stent|bypass|heart)"},
	{CF_HEALTH, "blood_pressure", CUE_NEG, "\\b(?:bluthochdruck|blutdruck\\w*|hypertonie)"},
	{CF_HEALTH, "asthma", CUE_NEG, "\\basthma\\w*"},
	{CF_HEALTH, "diabetes", CUE_NEG, "\\bdiabet\\w*"},
	{CF_HEALTH, "arthrosis", CUE_NEG, "(?:arthrose\\w*|\\barthritis)"},
	{CF_HEALTH, "surgery", CUE_NEG, "\\b(?:op|operation|operiert\\w*|eingriff|surgery)\\b"},
	{CF_HEALTH, "injury", CUE_NEG, "\\b(?:verletz\\w*|unfall|\\w*riss|gebrochen|fraktur|injur\\w*)\\b"},
	{CF_HEALTH, "none", 0,
	 "\\b(?:keine\\s+(?:gesundheitlichen\\s+)?(?:\\w*probleme|\\w*beschwerden|\\w*schmerzen|einschränkungen|"
	 "verletzungen|vorerkrankungen|erkrankungen)|gesundheitlich\\s+(?:ist\\s+)?(?:alles\\s+)?(?:top|gut|ok|okay|fit|in\\s+ordnung)|"
	 "kerngesund|topfit|no\\s+(?:injuries|health\\s+issues))"},

	/* how found: the first row that matches (platforms before the generic words) */
	{CF_FOUND, "instagram", CUE_NOQ, VIA("instagram|insta|ig")},
	{CF_FOUND, "facebook", CUE_NOQ, VIA("facebook|fb")},
	{CF_FOUND, "tiktok", CUE_NOQ, VIA("tiktok|tik\\s+tok")},
	{CF_FOUND, "youtube", CUE_NOQ, VIA("youtube")},
	{CF_FOUND, "google", CUE_NOQ, "(?:" VIA("google|google\\s+maps") "|\\bgegoogelt|\\bgoogled)"},
	{CF_FOUND, "recommendation", CUE_NOQ,
	 "(?:\\b(?:empfohlen|empfehlung|weiterempfohlen|mundpropaganda|recommended)\\b|"
	 "\\b(?:freund|freundin|kumpel|kollege|kollegin|bekannte[rn]?|nachbar(?:in)?|schwester|bruder|mutter|mama|papa|vater|"
	 "cousine?|arbeitskolleg\\w*|friend)\\b[^.!?]{0,40}?\\b(?:erzählt|geschwärmt|trainiert\\s+(?:schon\\s+)?(?:bei\\s+euch|hier)|"
	 "ist\\s+(?:schon\\s+)?(?:bei\\s+euch\\s+)?mitglied|mitglied\\s+bei\\s+euch))"},
	{CF_FOUND, "flyer", CUE_NOQ, "\\b(?:flyer\\w*|plakat\\w*|prospekt\\w*|handzettel|broschüre)"},
	{CF_FOUND, "walk_by", CUE_NOQ,
	 "\\b(?:vorbeigelaufen|vorbeigefahren|vorbeigekommen|vorbeigegangen|im\\s+vorbeigehen|walked\\s+by|passed\\s+by)"},
	{CF_FOUND, "ads", CUE_NOQ, "\\b(?:werbung|anzeige|annonce|werbeanzeige|inserat)\\b"},
	{CF_FOUND, "website", CUE_NOQ, "\\b(?:webseite|website|homepage|internetseite)\\b"},

	/* interest: the first row that matches (low before high before medium) */
	{CF_INTEREST, "low", 0,
	 "\\b(?:nur\\s+(?:mal\\s+)?(?:informieren|schauen|gucken|umschauen)|erstmal\\s+nur|mal\\s+schauen|mal\\s+gucken|"
	 "mal\\s+sehen|überleg\\w*|ueberleg\\w*|bin\\s+mir\\s+(?:noch\\s+)?(?:nicht|un)\\s*sicher|noch\\s+unsicher|"
	 "kein\\s+interesse|nicht\\s+(?:mehr\\s+)?interessiert|eher\\s+nicht|just\\s+looking)"},
	{CF_INTEREST, "high", CUE_NEG,
	 "\\b(?:unbedingt|auf\\s+jeden\\s+fall|sehr\\s+interessiert|großes\\s+interesse|"
	 "(?:will|möchte|würde|wuerde|moechte)\\s+(?:\\w+\\s+){0,4}?(?:anfangen|starten|loslegen|anmelden|mitglied\\s+werden|"
	 "buchen|probetraining\\s+(?:machen|buchen|vereinbaren)|einen\\s+termin|termin\\s+(?:machen|vereinbaren|buchen))\\b|"
	 "buche\\s+ich|motiviert|bin\\s+dabei|can['’]?t\\s+wait|sign\\s+up)"},
	{CF_INTEREST, "medium", CUE_NEG,
	 "\\b(?:interessiere\\s+mich|interessiert|interesse|ausprobieren|interested)\\b"},

	/* urgency: the first one mentioned */
	{CF_URGENCY, "immediate", CUE_NEG,
	 "\\b(?:so\\s+schnell\\s+wie\\s+möglich|schnellstmöglich|möglichst\\s+schnell|so\\s+bald\\s+wie\\s+möglich|"
	 "baldmöglichst|baldigst|sofort|asap|dringend|umgehend|noch\\s+heute|heute\\s+noch|as\\s+soon\\s+as\\s+possible|"
	 "right\\s+away|direkt\\s+loslegen|gleich\\s+loslegen)\\b"},
	{CF_URGENCY, "soon", CUE_NEG,
	 "\\b(?:zeitnah|(?<!bis\\s)bald|demnächst|in\\s+den\\s+nächsten\\s+tagen|diese\\s+woche|in\\s+kürze|kurzfristig|soon)\\b"},
	{CF_URGENCY, "later", 0,
	 "\\b(?:nächste[nr]?\\s+monat|naechste[nr]?\\s+monat|im\\s+nächsten\\s+monat|"
	 "(?:ab|im)\\s+(?:januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember|"
	 "neuen\\s+jahr|frühjahr|frühling|sommer|herbst|winter)|ab\\s+dem\\s+neuen\\s+jahr|nächstes\\s+jahr|"
	 "nach\\s+(?:dem\\s+urlaub|den\\s+ferien|den\\s+feiertagen|weihnachten|neujahr)|keine\\s+eile|eilt\\s+nicht|"
	 "kein\\s+stress|kein\\s+zeitdruck|nicht\\s+(?:so\\s+)?(?:dringend|eilig)|next\\s+month|no\\s+rush)\\b"},

	/* budget: "false" rows first; any of them wins */
	{CF_BUDGET, "false", 0,
	 "\\b(?:geld\\s+spielt\\s+keine\\s+rolle|preis\\s+(?:ist\\s+)?(?:egal|nebensache|nicht\\s+(?:so\\s+)?wichtig)|"
	 "kosten\\s+(?:sind\\s+)?(?:egal|nebensache)|budget\\s+(?:ist\\s+)?(?:kein\\s+problem|egal|vorhanden)|"
	 "money\\s+is\\s+no\\s+(?:issue|object))"},
	{CF_BUDGET, "true", 0,
	 "\\b(?:zu\\s+teuer|(?:recht|ziemlich|sehr|echt|bisschen|etwas|ganz\\s+schön|nicht\\s+so|schon)\\s+teuer|"
	 "günstig\\w*|guenstig\\w*|preiswert\\w*|budget|knapp\\s+bei\\s+kasse|wenig\\s+geld|"
	 "nicht\\s+(?:so\\s+)?viel\\s+(?:geld\\s+)?ausgeben|(?:kann|könnte)\\s+(?:ich\\s+)?(?:mir\\s+)?(?:das\\s+)?"
	 "(?:nicht\\s+)?leisten|rabatt|studententarif|too\\s+expensive|cheap\\w*|affordable)"},

	/* part of the day: the first one mentioned */
	{CF_WINDOW, "morning", CUE_NEG,
	 "\\b(?:morgens|frühmorgens|vormittags?|früh\\s+am\\s+morgen|in\\s+der\\s+früh|am\\s+morgen|heute\\s+morgen|"
	 "(?:morgen|übermorgen|uebermorgen|heute|" WD_FULL ")\\s+früh|(?:eher|ganz|sehr)\\s+früh(?!\\s+wie)|"
	 "morning|vor\\s+der\\s+arbeit)\\b"},
	{CF_WINDOW, "midday", CUE_NEG,
	 "\\b(?:mittags|über\\s*mittag|am\\s+mittag|mittagszeit|mittagspause|midday|noon|lunch\\w*)\\b"},
	{CF_WINDOW, "afternoon", CUE_NEG, "\\b(?:nachmittags?|afternoon)\\b"},
	{CF_WINDOW, "evening", CUE_NEG,
	 "\\b(?:abends|(?<!guten\\s)(?<!gute\\s)(?<!schönen\\s)(?<!schoenen\\s)(?<!netten\\s)abend|"
	 "nach\\s+der\\s+arbeit|nach\\s+(?:dem\\s+)?feierabend|feierabend|evening|tonight)\\b"},

	/* gender: only when stated */
	{CF_GENDER, "female", CUE_NEG,
	 "(?:\\b(?:ich\\s+bin|bin)\\s+(?:eine\\s+)?frau\\b(?!\\s+\\p{Lu})|\\b(?:ich\\s+)?als\\s+frau\\b|(?<![\\w-])weiblich\\b|"
	 "\\bgeschlecht\\s*:\\s*(?:w|weiblich|female)\\b|\\bi\\s*['’]\\s*m\\s+(?:a\\s+)?(?:woman|female)\\b)"},
	{CF_GENDER, "male", CUE_NEG,
	 "(?:\\b(?:ich\\s+bin|bin)\\s+(?:ein\\s+)?mann\\b|\\b(?:ich\\s+)?als\\s+mann\\b|(?<![\\w-])männlich\\b|"
	 "\\bgeschlecht\\s*:\\s*(?:m|männlich|male)\\b|\\bi\\s*['’]\\s*m\\s+(?:a\\s+)?(?:man|male)\\b)"},
	{CF_GENDER, "diverse", CUE_NEG,
	 "(?:\\b(?:ich\\s+bin|bin)\\s+divers\\b|\\bnicht-?binär|\\bnon-?binär|\\bnon-?binary|\\bgeschlecht\\s*:\\s*(?:d|divers)\\b)"},
};

_Static_assert(sizeof cues / sizeof cues[0] == NCUES, "NCUES in extract_int.h must count the rows of cues[]");

bool extract_what_init(struct extractor *x)
{
	if (!extract_compile_table(x, patterns))
		return false;
	for (size_t i = 0; i < NCUES; i++)
		if (!(x->cue[i] = extract_compile(cues[i].re, 0)))
			return false;
	return true;
}

/* ---- clause tests ------------------------------------------------------------------------------- */

/* True when a negation word stands in the clause before `end` (at most 40 bytes before `pos`, the
 * start of the cue, and inside the cue: "möchte mich nicht anmelden"). */
static bool negated(struct scan *sc, size_t pos, size_t end)
{
	size_t from = scan_clause_start(sc, pos);
	if (pos - from > 40)
		from = pos - 40;
	size_t save_len = sc->len;
	sc->len = end; /* search the clause head and the cue only */
	bool found = scan_find(sc, sc->x->re[RE_NEG], from);
	sc->len = save_len;
	return found;
}

/* True when the clause holding `pos` ends with a question mark. */
static bool in_question(const struct scan *sc, size_t pos)
{
	for (size_t i = pos; i < sc->len; i++) {
		if (sc->s[i] == '?')
			return true;
		if (is_clause_end(sc->s[i]))
			return false;
	}
	return false;
}

/* True when pattern `id` matches inside the clause of `pos`. */
static bool clause_has(struct scan *sc, size_t pos, enum re_id id)
{
	size_t from = scan_clause_start(sc, pos), to = pos;
	while (to < sc->len && !is_clause_end(sc->s[to]))
		to++;
	size_t save_len = sc->len;
	sc->len = to;
	bool found = scan_find(sc, sc->x->re[id], from);
	sc->len = save_len;
	return found;
}

/* The first acceptable match of cue row `i` at or after `from`; its start in *at. */
static bool cue_match(struct scan *sc, size_t i, size_t from, size_t *at)
{
	size_t pos = from;
	while (scan_find(sc, sc->x->cue[i], pos)) {
		size_t b = sc->gb[0], e = sc->ge[0];
		pos = scan_next(sc);
		if ((cues[i].flags & CUE_NEG) && negated(sc, b, e))
			continue;
		if ((cues[i].flags & CUE_NOQ) && in_question(sc, b))
			continue;
		*at = b;
		return true;
	}
	return false;
}

/* The row of `field` whose acceptable match comes first in the message; NULL when none. */
const char *cue_earliest(struct scan *sc, enum cue_field field)
{
	const char *best = NULL;
	size_t best_at = SIZE_MAX, at;
	for (size_t i = 0; i < NCUES; i++)
		if (cues[i].field == field && cue_match(sc, i, 0, &at) && at < best_at) {
			best = cues[i].value;
			best_at = at;
		}
	return best;
}

/* The first row of `field`, in table order, that matches; NULL when none. */
static const char *cue_first(struct scan *sc, enum cue_field field)
{
	size_t at;
	for (size_t i = 0; i < NCUES; i++)
		if (cues[i].field == field && cue_match(sc, i, 0, &at))
			return cues[i].value;
	return NULL;
}

/* ---- training frequency ------------------------------------------------------------------------- */

void extract_frequency(struct scan *sc, json_t *out)
{
	char buf[32];
	size_t best_at = SIZE_MAX;
	int lo = 0, hi = 0;
	if (scan_find(sc, sc->x->re[RE_FREQ_RANGE], 0)) {
		int a = scan_num(sc, 1), b = scan_num(sc, 2);
		if (a >= 1 && b > a && b <= 7) {
			lo = a;
			hi = b;
			best_at = sc->gb[0];
		}
	}
	for (int k = RE_FREQ_ONE; k <= RE_FREQ_WEEKLY; k++)
		if (scan_find(sc, sc->x->re[k], 0) && sc->gb[0] < best_at) {
			int a = scan_num(sc, 1);
			if (a >= 1 && a <= 7) {
				lo = hi = a;
				best_at = sc->gb[0];
			}
		}
	if (scan_find(sc, sc->x->re[RE_FREQ_ALT], 0) && sc->gb[0] < best_at) {
		lo = 3;
		hi = 4;
		best_at = sc->gb[0];
	}
	for (size_t pos = 0, again; scan_find(sc, sc->x->re[RE_FREQ_DAILY], pos); pos = again) {
		size_t b = sc->gb[0];
		again = scan_next(sc);
		if (b < best_at && !negated(sc, b, b) && clause_has(sc, b, RE_TRAIN_CTX)) {
			lo = hi = 7;
			best_at = b;
			break;
		}
	}
	if (!lo)
		return;
	if (lo == hi)
		snprintf(buf, sizeof buf, "%d/week", lo);
	else
		snprintf(buf, sizeof buf, "%d-%d/week", lo, hi);
	set_str(out, "training_frequency", buf);
}

/* ---- cue fields --------------------------------------------------------------------------------- */

void extract_cues(struct scan *sc, json_t *out)
{
	const char *v;
	if ((v = cue_earliest(sc, CF_GOAL)))
		set_str(out, "goal", v);
	if ((v = cue_earliest(sc, CF_LEVEL)))
		set_str(out, "fitness_level", v);
	if ((v = cue_first(sc, CF_FOUND)))
		set_str(out, "how_found", v);
	if ((v = cue_first(sc, CF_INTEREST)))
		set_str(out, "interest_level", v);
	if ((v = cue_earliest(sc, CF_URGENCY)))
		set_str(out, "urgency", v);
	if ((v = cue_first(sc, CF_BUDGET)))
		json_object_set_new(out, "budget_sensitive", json_boolean(!strcmp(v, "true")));
	if (!json_object_get(out, "gender") && (v = cue_earliest(sc, CF_GENDER)))
		set_str(out, "gender", v);

	/* restrictions: every row that matches, in table order; "none" only alone */
	char buf[256];
	size_t n = 0, at;
	bool none = false;
	for (size_t i = 0; i < NCUES; i++) {
		if (cues[i].field != CF_HEALTH || !cue_match(sc, i, 0, &at))
			continue;
		if (!strcmp(cues[i].value, "none")) {
			none = true;
			continue;
		}
		size_t vl = strlen(cues[i].value);
		if (n + vl + 2 > sizeof buf)
			break;
		if (n)
			buf[n++] = ',';
		memcpy(buf + n, cues[i].value, vl);
		n += vl;
	}
	if (n)
		set_strn(out, "health_restrictions", buf, n);
	else if (none)
		set_str(out, "health_restrictions", "none");
}

void extract_notes(struct scan *sc, json_t *out)
{
	if (!scan_find(sc, sc->x->re[RE_NOTES], 0))
		return;
	size_t b = sc->gb[1], e = sc->ge[1];
	while (e > b && (sc->s[e - 1] == ' ' || sc->s[e - 1] == '\n' || sc->s[e - 1] == '\r' || sc->s[e - 1] == '\t'))
		e--;
	if (e - b > NOTES_MAX) {
		e = b + NOTES_MAX;
		while (e > b && ((unsigned char)sc->s[e] & 0xC0) == 0x80)
			e--;
	}
	if (e > b)
		set_strn(out, "notes", sc->s + b, e - b);
}

/* ---- merging support ---------------------------------------------------------------------------- */

/* Position of a restriction value in the table (unknown values after all known ones). */
size_t cue_health_rank(const char *v, size_t vl)
{
	size_t r = 0;
	for (size_t i = 0; i < NCUES; i++) {
		if (cues[i].field != CF_HEALTH)
			continue;
		if (strlen(cues[i].value) == vl && !strncmp(cues[i].value, v, vl))
			return r;
		r++;
	}
	return r;
}
