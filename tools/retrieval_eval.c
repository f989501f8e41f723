/*
 * retrieval_eval — how well the product's retrieval finds the passage that answers a visitor's question:
 * recall@1, recall@5 and MRR on the German question set over the fixture website (docs/quality.md).
 *
 *   build/tools/retrieval_eval [-v] [--site DIR] [--questions TSV] [--offtopic FILE] [--min-score X]
 *                              [--embeddings URL --model NAME [--api-key KEY] [--min-similarity X]]
 *
 * Defaults: --site tests/fixtures/site, --questions tests/data/retrieval_questions.tsv,
 * --offtopic tests/data/retrieval_offtopic.txt (run from the repository root), --min-score 0 (the
 * answerer's default, 0.5).
 *
 * Build: make build/tools/retrieval_eval (with tools/offtopic_eval.c, for --offtopic).
 *
 * 1. Corpus. Every .html under the site directory except intern/ (robots.txt disallows it) goes through
 *    the ingestion extractor (html_extract, html_doc_text); a page whose rel=canonical names another URL
 *    (dir/index.html counts as dir/), or whose text equals an earlier page's, is skipped as a duplicate,
 *    as a crawler would. Every docs/NAME.txt stands for
 *    docs/NAME.pdf: the PDF is read with pdf_extract_file (pdftotext) when it exists, else the .txt is
 *    split at form feeds. Each page and each PDF page is one source of one bot (chunk_text with the
 *    defaults, store_source_create) in a temporary SQLite store opened with the real tokenizer.
 * 2. Retrieval. Each question goes through answer_question — the code the chat API runs — with the
 *    bot's in-memory index and want_passages, so answer.passages are the chunks that reached min_score,
 *    best first (at most five: the answerer asks the index for five hits). A question answered with the
 *    fallback has no passages. Lowering --min-score to 0.01 shows the ranking without the coverage cut.
 * 3. Scoring. The question's rank is the position of the first passage whose heading + text contains
 *    one of the expected snippets (compared case-insensitively, white space collapsed); 0 when none
 *    does. recall@k = share of questions with 1 ≤ rank ≤ k, MRR = mean of 1/rank (0 for a miss), so
 *    MRR here is MRR@5. Any passage that holds the answer counts, whatever its source. Figures overall,
 *    per question kind, per source type and per half of the set: the questions at even positions (0,
 *    2, 4, … in file order) are the tuning half, the others the held-out half, against which nothing
 *    in the retrieval may be tuned (docs/quality.md); -v also lists every miss with a diagnosis: the question's
 *    content words (stop words dropped, as the answerer drops them), which of them the expected chunk
 *    holds, and its BM25 rank among all chunks sharing a word.
 * 4. Hybrid (--embeddings): the background embedder (jobs/embedder.h) embeds every chunk through the
 *    OpenAI-compatible endpoint; each question is embedded the way the chat API does and answered with
 *    the bot's vectors (rag/vcache.h), so the passages are the full-text and vector rankings fused by
 *    reciprocal rank (answer.h). The vector ranking alone (top five by cosine) is reported as well.
 *
 * 5. Off-topic (offtopic_eval.h): the questions of --offtopic, which the corpus does not answer, go through
 *    answer_question with the same bot (full text only); the share answered instead of given the
 *    fallback is reported, -v lists them.
 *
 * Question file: one question per line, tab-separated: question, expected source (page path or
 * "NAME.pdf#PAGE"), expected snippet(s) (alternatives separated by " || "), kind. '#' starts a comment
 * line. Every snippet must occur in some chunk, and one of them in a chunk of the expected source;
 * otherwise the set is reported as broken and nothing is measured (exit status 1).
 */
#include <glob.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "offtopic_eval.h"
#include "ingest/html_text.h"
#include "ingest/pdf_text.h"
#include "jobs/embedder.h"
#include "llm/embed_client.h"
#include "rag/answer.h"
#include "rag/chunk.h"
#include "rag/index.h"
#include "rag/terms.h"
#include "rag/vcache.h"
#include "store/store.h"

#define MAX_SOURCES 256
#define MAX_KINDS 16
#define MAX_ALTS 4
#define TOP_K 5
#define TENANT "ten_eval"
#define BOT "bot_eval"

struct source {
	char *name;  /* "preise.html", "preisliste.pdf#2" */
	char *title; /* the source title in the store (unique) */
	char *text;  /* the extracted text (duplicate detection) */
	bool pdf;
};

struct chunk_ref {
	int64_t id;
	int src;    /* index into sources */
	char *norm; /* heading + text, normalised for matching */
};

struct question {
	char *text, *source, *kind;
	char *alts[MAX_ALTS]; /* normalised snippets */
	int nalts;
	bool pdf;
};

struct stats {
	int n, at1, at5, fallback;
	double rr;
};

struct eval {
	const char *site, *qpath, *offtopic_path;
	bool verbose;
	double min_score, min_similarity;
	const char *embed_url, *embed_model, *embed_key;
	struct terms *terms;
	struct store *st;
	char dbpath[256];
	struct source src[MAX_SOURCES];
	int nsrc, dup_pages, html_pages, pdf_files, pdf_pages;
	bool pdf_from_txt;
	struct chunk_ref *chunks;
	int nchunks, chunk_cap;
	struct question *qs;
	int nq;
	const char *kinds[MAX_KINDS];
	int nkinds;
	int64_t version;
};

/* ---- small helpers --------------------------------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long size = f && fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
	char *buf = size >= 0 && fseek(f, 0, SEEK_SET) == 0 ? malloc((size_t)size + 1) : NULL;
	if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
	}
	if (f)
		fclose(f);
	if (buf) {
		buf[size] = '\0';
		*len = (size_t)size;
	}
	return buf;
}

/* Case-folded (ASCII and Latin-1 capitals in UTF-8), white space runs made one space, trimmed. */
static char *normalise(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	bool space = false;
	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v') {
			space = o != out;
			continue;
		}
		if (space)
			*o++ = ' ';
		space = false;
		if (*p >= 'A' && *p <= 'Z') {
			*o++ = (char)(*p + 32);
		} else if (*p == 0xC3 && p[1] >= 0x80 && p[1] <= 0x9E && p[1] != 0x97) {
			*o++ = (char)*p++;
			*o++ = (char)(*p + 0x20);
		} else {
			*o++ = (char)*p;
		}
	}
	*o = '\0';
	return out;
}

static bool holds_any(const char *norm, const struct question *q)
{
	for (int i = 0; i < q->nalts; i++)
		if (strstr(norm, q->alts[i]))
			return true;
	return false;
}

/* ---- corpus ---------------------------------------------------------------------------------------- */

/* Chunks `text` and stores it as one source; 1 when it yields no chunks, 0, or -1 on failure. */
static int add_source(struct eval *ev, const char *name, const char *title, char *text, bool pdf)
{
	struct chunk_list cl = {0};
	struct store_chunk_in *in = NULL;
	int rc = -1;
	if (ev->nsrc == MAX_SOURCES) {
		fprintf(stderr, "retrieval_eval: more than %d sources\n", MAX_SOURCES);
		return -1;
	}
	if (chunk_text(text, strlen(text), NULL, &cl) != 0)
		goto out;
	if (cl.n == 0) {
		rc = 1;
		goto out;
	}
	in = calloc((size_t)cl.n, sizeof *in);
	struct source *s = &ev->src[ev->nsrc];
	s->name = strdup(name);
	/* titles identify a chunk's source: make them unique */
	bool taken = false;
	for (int i = 0; i < ev->nsrc && !taken; i++)
		taken = strcmp(ev->src[i].title, title) == 0;
	if (taken) {
		if (asprintf(&s->title, "%s (%s)", title, name) < 0)
			s->title = NULL;
	} else {
		s->title = strdup(title);
	}
	if (!in || !s->name || !s->title)
		goto out;
	for (int i = 0; i < cl.n; i++)
		in[i] = (struct store_chunk_in){.heading = cl.items[i].heading, .text = cl.items[i].text, .ord = i};
	struct store_source row = {.kind = "text", .title = s->title, .status = "done",
				   .chars = (int64_t)strlen(text), .chunks = cl.n, .created_at = 1, .updated_at = 1};
	snprintf(row.id, sizeof row.id, "src_%04d", ev->nsrc + 1);
	snprintf(row.bot_id, sizeof row.bot_id, "%s", BOT);
	if (store_source_create(ev->st, TENANT, &row, in, cl.n) != STORE_OK) {
		fprintf(stderr, "retrieval_eval: cannot store %s\n", name);
		goto out;
	}
	s->text = text;
	s->pdf = pdf;
	ev->nsrc++;
	rc = 0;
out:
	if (rc != 0 && ev->nsrc < MAX_SOURCES) {
		free(ev->src[ev->nsrc].name);
		free(ev->src[ev->nsrc].title);
		ev->src[ev->nsrc] = (struct source){0};
	}
	if (rc != 0)
		free(text);
	free(in);
	chunk_list_free(&cl);
	return rc;
}

/* The pages: every .html up to three folders deep, in path order, intern/ left out. */
static int load_pages(struct eval *ev)
{
	static const char *const depth[] = {"*.html", "*/*.html", "*/*/*.html", "*/*/*/*.html"};
	size_t skip = strlen(ev->site) + 1;
	glob_t g = {0};
	int rc = -1;
	for (size_t d = 0; d < sizeof depth / sizeof depth[0]; d++) {
		char pat[1100];
		snprintf(pat, sizeof pat, "%s/%s", ev->site, depth[d]);
		int grc = glob(pat, d ? GLOB_APPEND : 0, NULL, &g);
		if (grc != 0 && grc != GLOB_NOMATCH)
			goto out;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *path = g.gl_pathv[i], *rel = path + skip;
		char url[1200], err[256];
		size_t len;
		if (strncmp(rel, "intern/", 7) == 0)
			continue;
		snprintf(url, sizeof url, "http://fixture.test/%s", rel);
		char *html = slurp(path, &len);
		struct html_doc doc;
		if (!html || html_extract(html, len, url, &doc, err, sizeof err) != 0) {
			fprintf(stderr, "retrieval_eval: %s: %s\n", rel, html ? err : "cannot read");
			free(html);
			goto out;
		}
		free(html);
		/* a page whose canonical URL is another page's is that page (dir/index.html is dir/) */
		size_t ulen = strlen(url);
		bool moved = doc.canonical && strcmp(doc.canonical, url) != 0 &&
			     !(ulen > 10 && strcmp(url + ulen - 10, "index.html") == 0 &&
			       strlen(doc.canonical) == ulen - 10 && strncmp(doc.canonical, url, ulen - 10) == 0);
		if (moved && ev->verbose)
			printf("duplicate page skipped: %s (canonical %s)\n", rel, doc.canonical);
		char *text = moved ? NULL : html_doc_text(&doc);
		char *title = strdup(doc.title && doc.title[0] ? doc.title : rel);
		html_doc_clear(&doc);
		int dup = moved ? 0 : -1;
		for (int k = 0; text && k < ev->nsrc && dup < 0; k++)
			if (!ev->src[k].pdf && strcmp(ev->src[k].text, text) == 0)
				dup = k;
		if (dup >= 0 && !moved && ev->verbose)
			printf("duplicate page skipped: %s (same text as %s)\n", rel, ev->src[dup].name);
		int arc = (!text && !moved) || !title ? -1 : 1;
		if (arc > 0 && dup < 0) {
			arc = add_source(ev, rel, title, text, false);
			text = NULL; /* add_source owns it now */
		}
		free(text);
		free(title);
		if (arc < 0)
			goto out;
		ev->dup_pages += dup >= 0;
		ev->html_pages += arc == 0;
	}
	if (ev->html_pages == 0)
		fprintf(stderr, "retrieval_eval: no pages under %s\n", ev->site);
	rc = ev->html_pages > 0 ? 0 : -1;
out:
	globfree(&g);
	return rc;
}

/* The pages of docs/NAME.pdf: from pdftotext when the PDF exists, else from docs/NAME.txt. */
static int load_pdf(struct eval *ev, const char *docs, const char *base)
{
	char pdf[1200], txt[1200], name[300], title[400], err[256];
	struct pdf_text pt = {0};
	char *raw = NULL;
	int rc = -1;
	snprintf(pdf, sizeof pdf, "%s/%s.pdf", docs, base);
	snprintf(txt, sizeof txt, "%s/%s.txt", docs, base);
	if (access(pdf, R_OK) == 0) {
		if (pdf_extract_file(pdf, NULL, &pt, err, sizeof err) != PDF_OK) {
			fprintf(stderr, "retrieval_eval: %s: %s\n", pdf, err);
			goto out;
		}
	} else {
		size_t len;
		if (!(raw = slurp(txt, &len))) {
			fprintf(stderr, "retrieval_eval: cannot read %s\n", txt);
			goto out;
		}
		ev->pdf_from_txt = true;
	}
	ev->pdf_files++;
	char *cursor = raw;
	for (int page = 1;; page++) {
		char *text;
		if (raw) {
			if (!cursor)
				break;
			char *ff = strchr(cursor, '\f');
			text = ff ? strndup(cursor, (size_t)(ff - cursor)) : strdup(cursor);
			cursor = ff ? ff + 1 : NULL;
		} else {
			if ((size_t)page > pt.npages)
				break;
			text = strdup(pt.pages[page - 1]);
		}
		if (!text)
			goto out;
		snprintf(name, sizeof name, "%s.pdf#%d", base, page);
		snprintf(title, sizeof title, "%s.pdf – Seite %d", base, page);
		int arc = add_source(ev, name, title, text, true);
		if (arc < 0)
			goto out;
		ev->pdf_pages += arc == 0;
	}
	rc = 0;
out:
	free(raw);
	pdf_text_clear(&pt);
	return rc;
}

static int load_pdfs(struct eval *ev)
{
	char docs[1100], pat[1200];
	glob_t g = {0};
	int rc = 0;
	snprintf(docs, sizeof docs, "%s/docs", ev->site);
	snprintf(pat, sizeof pat, "%s/*.txt", docs);
	if (glob(pat, 0, NULL, &g) != 0)
		return 0; /* a site without documents */
	for (size_t i = 0; i < g.gl_pathc && rc == 0; i++) {
		char *base = strdup(g.gl_pathv[i] + strlen(docs) + 1);
		if (!base) {
			rc = -1;
			break;
		}
		base[strlen(base) - 4] = '\0';
		rc = load_pdf(ev, docs, base);
		free(base);
	}
	globfree(&g);
	return rc;
}

static int collect_chunk(void *ud, const struct store_chunk_row *row)
{
	struct eval *ev = ud;
	int src = -1;
	for (int i = 0; i < ev->nsrc && src < 0; i++)
		if (strcmp(ev->src[i].title, row->title) == 0)
			src = i;
	if (src < 0)
		return -1;
	if (ev->nchunks == ev->chunk_cap) {
		int cap = ev->chunk_cap ? ev->chunk_cap * 2 : 256;
		struct chunk_ref *p = realloc(ev->chunks, (size_t)cap * sizeof *p);
		if (!p)
			return -1;
		ev->chunks = p;
		ev->chunk_cap = cap;
	}
	char *both = NULL;
	if (asprintf(&both, "%s\n%s", row->heading, row->text) < 0)
		return -1;
	char *norm = normalise(both);
	free(both);
	if (!norm)
		return -1;
	ev->chunks[ev->nchunks++] = (struct chunk_ref){.id = row->chunk_id, .src = src, .norm = norm};
	return 0;
}

static const struct chunk_ref *chunk_by_id(const struct eval *ev, int64_t id)
{
	for (int i = 0; i < ev->nchunks; i++)
		if (ev->chunks[i].id == id)
			return &ev->chunks[i];
	return NULL;
}

/* ---- questions ------------------------------------------------------------------------------------- */

static int add_kind(struct eval *ev, const char *kind)
{
	for (int i = 0; i < ev->nkinds; i++)
		if (strcmp(ev->kinds[i], kind) == 0)
			return 0;
	if (ev->nkinds == MAX_KINDS)
		return -1;
	ev->kinds[ev->nkinds++] = kind;
	return 0;
}

static int load_questions(struct eval *ev)
{
	FILE *f = fopen(ev->qpath, "r");
	if (!f) {
		fprintf(stderr, "retrieval_eval: cannot read %s\n", ev->qpath);
		return -1;
	}
	char *line = NULL;
	size_t lcap = 0;
	int cap = 0, lineno = 0, rc = 0;
	while (rc == 0 && getline(&line, &lcap, f) > 0) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		char *field[4] = {0}, *save = NULL;
		int nf = 0;
		for (char *p = strtok_r(line, "\t", &save); p && nf < 4; p = strtok_r(NULL, "\t", &save))
			field[nf++] = p;
		if (nf < 3) {
			fprintf(stderr, "retrieval_eval: %s:%d: expected question, source, snippet[, kind]\n", ev->qpath,
				lineno);
			rc = -1;
			break;
		}
		if (ev->nq == cap) {
			cap = cap ? cap * 2 : 128;
			struct question *p = realloc(ev->qs, (size_t)cap * sizeof *p);
			if (!p) {
				rc = -1;
				break;
			}
			ev->qs = p;
		}
		struct question *q = &ev->qs[ev->nq];
		*q = (struct question){.text = strdup(field[0]), .source = strdup(field[1]),
				       .kind = strdup(nf > 3 ? field[3] : "-"), .pdf = strstr(field[1], ".pdf") != NULL};
		ev->nq++;
		if (!q->text || !q->source || !q->kind || add_kind(ev, q->kind) != 0) {
			rc = -1;
			break;
		}
		for (char *alt = field[2]; alt && q->nalts < MAX_ALTS;) {
			char *sep = strstr(alt, " || ");
			if (sep)
				*sep = '\0';
			if (!(q->alts[q->nalts] = normalise(alt))) {
				rc = -1;
				break;
			}
			if (q->alts[q->nalts][0])
				q->nalts++;
			else
				free(q->alts[q->nalts]);
			alt = sep ? sep + 4 : NULL;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

/* Every question needs a snippet in a chunk of its expected source, and every snippet must exist. */
static int check_questions(const struct eval *ev)
{
	int bad = 0;
	for (int i = 0; i < ev->nq; i++) {
		const struct question *q = &ev->qs[i];
		bool in_source = false;
		for (int c = 0; c < ev->nchunks; c++)
			if (strcmp(ev->src[ev->chunks[c].src].name, q->source) == 0 && holds_any(ev->chunks[c].norm, q))
				in_source = true;
		if (!in_source) {
			printf("BROKEN question %d (%s): no snippet found in %s\n", i + 1, q->text, q->source);
			bad++;
		}
		for (int a = 0; a < q->nalts; a++) {
			bool found = false;
			for (int c = 0; c < ev->nchunks && !found; c++)
				found = strstr(ev->chunks[c].norm, q->alts[a]) != NULL;
			if (!found) {
				printf("BROKEN question %d (%s): snippet \"%s\" is in no chunk\n", i + 1, q->text, q->alts[a]);
				bad++;
			}
		}
	}
	return bad ? -1 : 0;
}

/* ---- diagnosis of a miss --------------------------------------------------------------------------- */

struct qwords {
	const char *q;
	char *words[STORE_SEARCH_MAX_WORDS];
	char terms[STORE_SEARCH_MAX_WORDS][TERMS_WORD_MAX + 1];
	int n;
};

static int collect_qword(void *ud, const char *term, size_t len, size_t start, size_t end)
{
	struct qwords *w = ud;
	if (terms_is_stopword(term, len) || w->n == STORE_SEARCH_MAX_WORDS)
		return 0;
	for (int i = 0; i < w->n; i++)
		if (strlen(w->terms[i]) == len && memcmp(w->terms[i], term, len) == 0)
			return 0;
	if (!(w->words[w->n] = strndup(w->q + start, end - start)))
		return -1;
	memcpy(w->terms[w->n], term, len);
	w->terms[w->n][len] = '\0';
	w->n++;
	return 0;
}

/* Prints which content words the best chunk holding the answer shares, and its rank by BM25. */
static void diagnose(const struct eval *ev, const struct rag_index *ix, const struct question *q)
{
	struct qwords w = {.q = q->text};
	struct store_hit *hits = calloc((size_t)ev->nchunks, sizeof *hits);
	int nh = 0;
	if (!hits || terms_tokenize(ev->terms, q->text, strlen(q->text), collect_qword, &w) < 0)
		goto out;
	printf("      content words:");
	for (int i = 0; i < w.n; i++)
		printf(" %s", w.words[i]);
	printf("\n");
	if (w.n == 0 || rag_index_search(ix, ev->terms, (const char *const *)w.words, w.n, 1, ev->nchunks, hits,
					 &nh) != STORE_OK)
		goto out;
	for (int r = 0; r < nh; r++) {
		const struct chunk_ref *c = chunk_by_id(ev, hits[r].chunk_id);
		if (!c || !holds_any(c->norm, q))
			continue;
		int k = 0;
		printf("      the answer's chunk (%s): BM25 rank %d of %d chunks sharing a word; holds", ev->src[c->src].name,
		       r + 1, nh);
		for (int i = 0; i < w.n; i++)
			if (hits[r].matched & (1u << i))
				printf(" %s", w.words[i]), k++;
		printf(" (%d of %d words)\n", k, w.n);
		goto out;
	}
	printf("      no chunk holding the answer shares a content word with the question\n");
out:
	for (int i = 0; i < nh; i++)
		store_hit_clear(&hits[i]);
	free(hits);
	for (int i = 0; i < w.n; i++)
		free(w.words[i]);
}

/* ---- measuring ------------------------------------------------------------------------------------- */

static void count(struct stats *s, int rank, bool fallback)
{
	s->n++;
	s->at1 += rank == 1;
	s->at5 += rank >= 1 && rank <= TOP_K;
	s->rr += rank >= 1 && rank <= TOP_K ? 1.0 / rank : 0.0;
	s->fallback += fallback;
}

static void print_row(const char *label, const struct stats *s)
{
	if (s->n == 0)
		return;
	printf("  %-14s %4d   %6.3f   %6.3f   %6.3f   %4d\n", label, s->n, (double)s->at1 / s->n, (double)s->at5 / s->n,
	       s->rr / s->n, s->fallback);
}

static void print_table(const struct eval *ev, const char *title, const int *ranks, const bool *fallback)
{
	struct stats all = {0}, kind[MAX_KINDS] = {0}, html = {0}, pdf = {0}, half[2] = {{0}};
	for (int i = 0; i < ev->nq; i++) {
		count(&all, ranks[i], fallback && fallback[i]);
		count(&half[i % 2], ranks[i], fallback && fallback[i]);
		count(ev->qs[i].pdf ? &pdf : &html, ranks[i], fallback && fallback[i]);
		for (int k = 0; k < ev->nkinds; k++)
			if (strcmp(ev->kinds[k], ev->qs[i].kind) == 0)
				count(&kind[k], ranks[i], fallback && fallback[i]);
	}
	printf("\n%s\n  %-14s %4s   %6s   %6s   %6s   %s\n", title, "", "n", "R@1", "R@5", "MRR", "fallback");
	print_row("all", &all);
	for (int k = 0; k < ev->nkinds; k++)
		print_row(ev->kinds[k], &kind[k]);
	print_row("web pages", &html);
	print_row("PDF pages", &pdf);
	print_row("tuning half", &half[0]);
	print_row("held-out half", &half[1]);
}

/* The rank of the first passage holding the answer, 0 when none does. */
static int passage_rank(const struct answer *a, const struct question *q)
{
	for (int i = 0; i < a->npassages; i++) {
		char *both = NULL;
		if (asprintf(&both, "%s\n%s", a->passages[i].heading ? a->passages[i].heading : "",
			     a->passages[i].text ? a->passages[i].text : "") < 0)
			return -1;
		char *norm = normalise(both);
		free(both);
		if (!norm)
			return -1;
		bool hit = holds_any(norm, q);
		free(norm);
		if (hit)
			return i + 1;
	}
	return 0;
}

static void print_miss(const struct eval *ev, const struct rag_index *ix, int qi, const struct answer *a)
{
	const struct question *q = &ev->qs[qi];
	printf("MISS [%s, %s] %s  → %s\n      answer: %s, passages:", q->kind, qi % 2 ? "held-out" : "tuning", q->text,
	       q->source, answer_type_name(a->type));
	for (int i = 0; i < a->npassages; i++) {
		const struct chunk_ref *c = chunk_by_id(ev, a->passages[i].chunk_id);
		printf(" %s (%.2f)", c ? ev->src[c->src].name : "?", a->passages[i].score);
	}
	printf(a->npassages ? "\n" : " none\n");
	if (ix)
		diagnose(ev, ix, q);
}

/* The bot every question is asked of: the answerer's defaults unless the command line says otherwise. */
static struct answer_bot eval_bot(const struct eval *ev, struct rag_cache *cache)
{
	return (struct answer_bot){.tenant_id = TENANT, .bot_id = BOT, .name = "Empfang", .language = "de",
				   .response_style = "professional", .fallback_message = "", .min_score = ev->min_score,
				   .knowledge_version = ev->version, .index_cache = cache, .want_passages = true,
				   .min_similarity = ev->min_similarity};
}

/* Answers every question; ranks[i] as passage_rank. vectors/qvecs: hybrid, else NULL. */
static int run_questions(struct eval *ev, struct rag_cache *cache, const struct vcache_entry *vectors,
			 float *const *qvecs, int dim, int *ranks, bool *fallback, const struct rag_index *ix)
{
	struct answer_bot ab = eval_bot(ev, cache);
	for (int i = 0; i < ev->nq; i++) {
		struct answer a;
		ab.vectors = vectors && qvecs[i] ? vectors : NULL;
		ab.query_vec = vectors ? qvecs[i] : NULL;
		ab.query_dim = dim;
		if (answer_question(ev->terms, ev->st, &ab, ev->qs[i].text, &a) != STORE_OK) {
			fprintf(stderr, "retrieval_eval: answer_question failed\n");
			return -1;
		}
		ranks[i] = passage_rank(&a, &ev->qs[i]);
		fallback[i] = a.type == ANSWER_FALLBACK;
		if (ranks[i] < 0) {
			answer_clear(&a);
			return -1;
		}
		if (ev->verbose && ranks[i] == 0)
			print_miss(ev, ix, i, &a);
		answer_clear(&a);
	}
	return 0;
}

/* ---- hybrid ---------------------------------------------------------------------------------------- */

static int resolve_embeddings(void *ud, const struct store_bot *b, struct llm_config *out)
{
	(void)b;
	*out = *(const struct llm_config *)ud;
	return 0;
}

static int run_hybrid(struct eval *ev, struct rag_cache *cache, const struct rag_index *ix)
{
	struct llm_config cfg = {.embeddings = true};
	struct log lg;
	char err[256];
	int rc = -1, dim = 0;
	float **qvecs = calloc((size_t)ev->nq, sizeof *qvecs);
	int *ranks = calloc((size_t)ev->nq, sizeof *ranks), *vranks = calloc((size_t)ev->nq, sizeof *vranks);
	bool *fb = calloc((size_t)ev->nq, sizeof *fb);
	struct vcache *vc = vcache_new(256u << 20);
	struct vcache_entry *entry = NULL;
	struct embedder *emb = NULL;
	struct httpc *http = httpc_new(err, sizeof err);
	if (!qvecs || !ranks || !vranks || !fb || !vc || !http) {
		fprintf(stderr, "retrieval_eval: %s\n", http ? "out of memory" : err);
		goto out;
	}
	snprintf(cfg.embed_base_url, sizeof cfg.embed_base_url, "%s", ev->embed_url);
	snprintf(cfg.embed_model, sizeof cfg.embed_model, "%s", ev->embed_model);
	snprintf(cfg.embed_api_key, sizeof cfg.embed_api_key, "%s", ev->embed_key ? ev->embed_key : "");
	log_init(&lg, LOG_WARN, 2);
	struct embedder_config ec = {.store = ev->st, .http = http, .vcache = vc, .log = &lg,
				     .resolve = resolve_embeddings, .resolve_ud = &cfg, .interval_s = 3600};
	if (!(emb = embedder_start(&ec, err, sizeof err))) {
		fprintf(stderr, "retrieval_eval: %s\n", err);
		goto out;
	}
	/* the embedder's first round starts at once; wait until every chunk has its vector */
	for (int waited = 0;; waited++) {
		int64_t total = 0, done = 0;
		struct embedder_stats es;
		embedder_stats(emb, &es);
		if (store_embed_count(ev->st, TENANT, BOT, ev->embed_model, &total, &done) != STORE_OK)
			goto out;
		if (done == total)
			break;
		if (es.failures > 0 || waited > 6000) {
			fprintf(stderr, "retrieval_eval: embedding the chunks failed (%lld of %lld done)\n",
				(long long)done, (long long)total);
			goto out;
		}
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	}
	embedder_stop(emb);
	emb = NULL;
	entry = vcache_get(vc, ev->st, TENANT, BOT, ev->embed_model, ev->version);
	const struct vec_set *set = entry ? vcache_set(entry) : NULL;
	if (!set) {
		fprintf(stderr, "retrieval_eval: the bot's vectors could not be loaded\n");
		goto out;
	}
	for (int i = 0; i < ev->nq; i++) {
		struct embed_result res = {0};
		const char *texts[] = {ev->qs[i].text};
		if (embed_wait(http, &cfg, texts, 1, 30000, NULL, &res, err, sizeof err) != 0) {
			fprintf(stderr, "retrieval_eval: question %d: %s\n", i + 1, err);
			goto out;
		}
		dim = res.dim;
		qvecs[i] = res.vectors;
		res.vectors = NULL;
		embed_result_clear(&res);
		struct vec_hit vh[TOP_K];
		int nv = vec_set_search(set, qvecs[i], dim, TOP_K, vh);
		for (int r = 0; r < nv && !vranks[i]; r++) {
			const struct chunk_ref *c = chunk_by_id(ev, vh[r].id);
			if (c && holds_any(c->norm, &ev->qs[i]))
				vranks[i] = r + 1;
		}
	}
	print_table(ev, "vectors alone (top 5 by cosine similarity)", vranks, NULL);
	if (ev->verbose)
		printf("\nmisses of hybrid retrieval:\n");
	if (run_questions(ev, cache, entry, qvecs, dim, ranks, fb, ix) != 0)
		goto out;
	char title[LLM_URL_MAX + LLM_MODEL_MAX + 80];
	snprintf(title, sizeof title, "hybrid: answer_question with vectors (%s at %s), min_similarity %.2f",
		 ev->embed_model, ev->embed_url, ev->min_similarity > 0 ? ev->min_similarity : 0.75);
	print_table(ev, title, ranks, fb);
	rc = 0;
out:
	embedder_stop(emb);
	vcache_release(entry);
	vcache_free(vc);
	httpc_free(http);
	for (int i = 0; qvecs && i < ev->nq; i++)
		free(qvecs[i]);
	free(qvecs);
	free(ranks);
	free(vranks);
	free(fb);
	return rc;
}

/* ---- main ------------------------------------------------------------------------------------------ */

static int open_store(struct eval *ev)
{
	const char *tmp = getenv("TMPDIR");
	char err[512];
	snprintf(ev->dbpath, sizeof ev->dbpath, "%s/botwerk-retrieval-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(ev->dbpath);
	if (fd < 0) {
		ev->dbpath[0] = '\0';
		return -1;
	}
	close(fd);
	struct store_opts o = {.url = ev->dbpath, .pool_size = 1, .busy_timeout_ms = 5000, .tokenize = terms_tokenize,
			       .tokenize_ctx = ev->terms};
	if (!(ev->st = store_open(&o, err, sizeof err))) {
		fprintf(stderr, "retrieval_eval: %s\n", err);
		return -1;
	}
	struct store_bot b = {.id = BOT, .tenant_id = TENANT, .name = "Empfang", .config = "{\"lang\":\"de\"}",
			      .active = true, .created_at = 1, .updated_at = 1};
	if (store_tenant_create(ev->st, TENANT, "Bewegungsraum Elbe", 1) != STORE_OK ||
	    store_bot_create(ev->st, &b) != STORE_OK) {
		fprintf(stderr, "retrieval_eval: cannot create the tenant and bot\n");
		return -1;
	}
	return 0;
}

static void remove_store(struct eval *ev)
{
	static const char *const side[] = {"", "-wal", "-shm", "-journal"};
	store_close(ev->st);
	for (size_t i = 0; ev->dbpath[0] && i < sizeof side / sizeof side[0]; i++) {
		char p[300];
		snprintf(p, sizeof p, "%s%s", ev->dbpath, side[i]);
		unlink(p);
	}
}

static int usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [-v] [--site DIR] [--questions TSV] [--offtopic FILE] [--min-score X]\n"
			"       [--embeddings URL --model NAME [--api-key KEY] [--min-similarity X]]\n", argv0);
	return 2;
}

int main(int argc, char **argv)
{
	struct eval ev = {.site = "tests/fixtures/site", .qpath = "tests/data/retrieval_questions.tsv",
			  .offtopic_path = "tests/data/retrieval_offtopic.txt"};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "-v") == 0)
			ev.verbose = true;
		else if (strcmp(a, "--site") == 0 && v)
			ev.site = argv[++i];
		else if (strcmp(a, "--questions") == 0 && v)
			ev.qpath = argv[++i];
		else if (strcmp(a, "--offtopic") == 0 && v)
			ev.offtopic_path = argv[++i];
		else if (strcmp(a, "--min-score") == 0 && v)
			ev.min_score = atof(argv[++i]);
		else if (strcmp(a, "--min-similarity") == 0 && v)
			ev.min_similarity = atof(argv[++i]);
		else if (strcmp(a, "--embeddings") == 0 && v)
			ev.embed_url = argv[++i];
		else if (strcmp(a, "--model") == 0 && v)
			ev.embed_model = argv[++i];
		else if (strcmp(a, "--api-key") == 0 && v)
			ev.embed_key = argv[++i];
		else
			return usage(argv[0]);
	}
	if (!ev.embed_url != !ev.embed_model)
		return usage(argv[0]);

	int status = 1, *ranks = NULL;
	bool *fb = NULL;
	struct rag_cache *cache = NULL;
	struct rag_index *ix = NULL;
	html_text_init();
	if (!(ev.terms = terms_new())) {
		fprintf(stderr, "retrieval_eval: no German stemmer\n");
		goto out;
	}
	if (open_store(&ev) != 0 || load_pages(&ev) != 0 || load_pdfs(&ev) != 0 ||
	    store_chunk_list(ev.st, TENANT, BOT, collect_chunk, &ev) != STORE_OK || load_questions(&ev) != 0)
		goto out;
	struct store_bot b;
	if (store_bot_get(ev.st, TENANT, BOT, &b) != STORE_OK)
		goto out;
	ev.version = b.knowledge_version;
	store_bot_clear(&b);
	printf("corpus: %s — %d web pages (%d duplicate skipped), %d PDFs with %d pages (text from %s), %d chunks\n",
	       ev.site, ev.html_pages, ev.dup_pages, ev.pdf_files, ev.pdf_pages,
	       ev.pdf_from_txt ? "the .txt files" : "pdftotext", ev.nchunks);
	printf("questions: %d from %s\n", ev.nq, ev.qpath);
	if (check_questions(&ev) != 0) {
		fprintf(stderr, "retrieval_eval: the question set does not fit the corpus\n");
		goto out;
	}
	int irc = 0;
	cache = rag_cache_new(64u << 20);
	ix = rag_index_build(ev.terms, ev.st, TENANT, BOT, ev.version, &irc);
	ranks = calloc((size_t)ev.nq, sizeof *ranks);
	fb = calloc((size_t)ev.nq, sizeof *fb);
	if (!cache || !ix || !ranks || !fb)
		goto out;
	if (ev.verbose)
		printf("\nmisses of full-text retrieval:\n");
	if (run_questions(&ev, cache, NULL, NULL, 0, ranks, fb, ix) != 0)
		goto out;
	char title[160];
	snprintf(title, sizeof title, "full text: answer_question, min_score %.2f, in-memory index (rank among "
		 "the passages that reach min_score, at most %d)", ev.min_score > 0 ? ev.min_score : 0.5, TOP_K);
	print_table(&ev, title, ranks, fb);
	struct answer_bot ab = eval_bot(&ev, cache);
	if (offtopic_eval_run(ev.offtopic_path, ev.terms, ev.st, &ab, ev.verbose) != 0)
		goto out;
	if (ev.embed_url && run_hybrid(&ev, cache, ix) != 0)
		goto out;
	status = 0;
out:
	free(ranks);
	free(fb);
	rag_index_release(ix);
	rag_cache_free(cache);
	remove_store(&ev);
	terms_free(ev.terms);
	for (int i = 0; i < ev.nsrc; i++) {
		free(ev.src[i].name);
		free(ev.src[i].title);
		free(ev.src[i].text);
	}
	for (int i = 0; i < ev.nchunks; i++)
		free(ev.chunks[i].norm);
	free(ev.chunks);
	for (int i = 0; i < ev.nq; i++) {
		free(ev.qs[i].text);
		free(ev.qs[i].source);
		free(ev.qs[i].kind);
		for (int k = 0; k < ev.qs[i].nalts; k++)
			free(ev.qs[i].alts[k]);
	}
	free(ev.qs);
	return status;
}
