/*
 * answer.h — answering a visitor's question from a bot's knowledge, without an LLM.
 *
 * Pipeline: greeting or thanks (a short message made only of such words) → a polite reply in the bot's
 * language; otherwise retrieval (the question's content words, stop words dropped, searched in the
 * bot's chunks) → each hit scored by coverage: the share of the question's content words found in it
 * (0..1) → when the best score is below `min_score`, the bot's fallback message with `unanswered` set;
 * otherwise an extractive answer: the sentences of the best passage that contain question terms (with
 * their neighbours for context when short), in document order, up to ~500 characters, plus sentences of
 * the second passage when it scores as high and adds new terms. Never text that is not in a passage.
 *
 * Hybrid retrieval (answer_bot.vectors and query_vec set): the question's embedding is also compared with
 * the bot's chunk vectors (cosine). A question the full text does not answer is still answered when the
 * closest chunk reaches min_similarity (its first sentences, up to ~400 characters); the passages for a
 * model are the full-text and the vector ranking fused by reciprocal rank (rag/vectors.h).
 *
 * Details a caller may notice:
 *   - greeting/thanks: every word is a greeting ("Hallo", "Guten Morgen", "Hi"), a thanks or farewell
 *     ("Danke", "Vielen Dank", "Thanks", "Tschüss"), a stop word or a filler ("Frage", "geht's"), with
 *     at least one of the first two and at most 12 words; thanks wins over greeting;
 *   - content words: fillers are never searched, and greeting/thanks words only inside the question,
 *     not in a polite opening or closing ("Hallo, was kostet …? Danke!" searches "kostet", …);
 *   - a question without content words ("???", "Was ist das?") gets the fallback, unanswered, without
 *     a search; an empty `fallback_message` means the built-in one in the bot's language;
 *   - reply sentences are joined with a space, or a line break where the passage had one (list items).
 */
#ifndef BOTWERK_RAG_ANSWER_H
#define BOTWERK_RAG_ANSWER_H

#include <stdbool.h>

#include "rag/index.h"
#include "rag/terms.h"
#include "rag/vcache.h"
#include "store/store.h"

#define ANSWER_MAX_SOURCES 3
#define ANSWER_MAX_PASSAGES 6

/* ANSWER_PROFILE: composed by the caller from the business profile (conv/facts.h), not by answer_question. */
enum answer_type { ANSWER_EXTRACTIVE, ANSWER_GREETING, ANSWER_THANKS, ANSWER_FALLBACK, ANSWER_PROFILE };

struct answer_source {
	char *title;   /* source title, with " – heading" appended when the chunk has a heading */
	char *snippet; /* ≤ 240 characters of the passage around the best match, ending on a word ("…") */
	double score;  /* coverage 0..1, rounded to two decimals */
	char *url;     /* the page it came from (a crawled site), or NULL */
	int page;      /* its PDF page, or 0 */
};

/* A whole passage behind an extractive answer, for a model's prompt (answer_bot.want_passages). */
struct answer_passage {
	int64_t chunk_id;
	char *title, *heading, *text;
	double score; /* coverage 0..1 */
	char *url;    /* or NULL */
	int page;     /* or 0 */
};

struct answer {
	char *text;
	enum answer_type type;
	bool unanswered;
	bool hybrid;     /* vectors took part in the retrieval */
	struct answer_source sources[ANSWER_MAX_SOURCES];
	int nsources;
	/* with want_passages, for ANSWER_EXTRACTIVE: the passages that reached min_score, best first */
	struct answer_passage passages[ANSWER_MAX_PASSAGES];
	int npassages;
};

struct answer_bot {
	const char *tenant_id;
	const char *bot_id;
	const char *name;
	const char *language;        /* "de" | "en" */
	const char *response_style;  /* professional | friendly | technical | casual; friendly, casual: "du" */
	const char *fallback_message;
	double min_score;            /* 0 for the default (0.5) */
	int64_t knowledge_version;   /* the bot row's, to pick the right cached index */
	struct rag_cache *index_cache; /* optional: search in memory when the bot's index is cached */
	bool want_passages;            /* keep the whole passages (answer.passages) for a model */
	/* hybrid retrieval: the bot's vectors and the question's embedding (both or neither) */
	const struct vcache_entry *vectors;
	const float *query_vec;
	int query_dim;
	double min_similarity;         /* a vector hit at least this close answers on its own (0: 0.75) */
};

/* Answers `question` (UTF-8, already validated as 1–2000 characters). Returns 0 and fills `out` (clear
 * with answer_clear), or a negative store_rc when the store fails, or STORE_NOMEM when memory runs out
 * (out is cleared). Thread-safe: `t` and `st` are shared, everything else is per call. */
int answer_question(struct terms *t, struct store *st, const struct answer_bot *bot, const char *question,
		    struct answer *out);
void answer_clear(struct answer *a);
const char *answer_type_name(enum answer_type type);

#endif
