/*
 * store.c — backend selection, migrations, and the public entity functions.
 *
 * Every public function dispatches to the backend's ops table and reports its duration through the
 * on_timing hook (the server turns that into the database histogram of /metrics).
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *store_strdup(const char *s, bool *ok)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*ok = false;
	return d;
}

/* Version number from "NNN_name.dialect.sql"; -1 when the name does not start with digits. */
static int file_version(const char *name)
{
	int v = 0, digits = 0;
	for (; name[digits] >= '0' && name[digits] <= '9'; digits++)
		v = v * 10 + (name[digits] - '0');
	return digits > 0 && name[digits] == '_' ? v : -1;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

static int migrate(struct store *st, char *errbuf, size_t errlen)
{
	char suffix[32]; /* files are NNN_name.<backend name>.sql */
	int current = 0;

	snprintf(suffix, sizeof suffix, ".%s.sql", st->ops->name);
	if (st->ops->schema_version(st, &current) != STORE_OK) {
		snprintf(errbuf, errlen, "cannot read the schema version");
		return -1;
	}
	/* files are sorted by name at build time, so versions come in order */
	for (size_t i = 0; i < store_sql_files_count; i++) {
		const struct store_sql_file *f = &store_sql_files[i];
		int v = file_version(f->name);
		if (v <= current || !has_suffix(f->name, suffix))
			continue;
		if (st->ops->apply_migration(st, v, f->name, f->sql) != STORE_OK) {
			snprintf(errbuf, errlen, "migration %s failed (see the log line before this one)", f->name);
			return -1;
		}
		current = v;
	}
	if (current == 0) {
		snprintf(errbuf, errlen, "no %s migrations were found in this build", st->ops->name);
		return -1;
	}
	return 0;
}

struct store *store_open(const struct store_opts *opts, char *errbuf, size_t errlen)
{
	struct store *st;

	if (!opts->url || !*opts->url || !opts->tokenize) {
		snprintf(errbuf, errlen, "no database given");
		return NULL;
	}
	if (!strncmp(opts->url, "postgres://", 11) || !strncmp(opts->url, "postgresql://", 13))
		st = store_pg_open(opts, errbuf, errlen);
	else
		st = store_sqlite_open(opts, errbuf, errlen);
	if (!st)
		return NULL;
	if (migrate(st, errbuf, errlen) != 0) {
		store_close(st);
		return NULL;
	}
	return st;
}

void store_close(struct store *st)
{
	if (st)
		st->ops->close(st);
}

const char *store_backend_name(const struct store *st)
{
	return st->ops->name;
}

int store_ping(struct store *st)
{
	TIMED(st, "ping", st->ops->ping(st));
}

int store_backup(struct store *st, const char *path)
{
	return st->ops->backup ? st->ops->backup(st, path) : STORE_ERROR;
}

int store_schema_version(struct store *st, int *version)
{
	return st->ops->schema_version(st, version);
}

void store_tenant_clear(struct store_tenant *t)
{
	free(t->name);
	t->name = NULL;
}

void store_bot_clear(struct store_bot *b)
{
	free(b->name);
	free(b->config);
	b->name = b->config = NULL;
}

void store_source_clear(struct store_source *s)
{
	free(s->kind);
	free(s->title);
	free(s->status);
	free(s->url);
	free(s->progress);
	free(s->error);
	s->kind = s->title = s->status = s->url = s->progress = s->error = NULL;
}

void store_hit_clear(struct store_hit *h)
{
	free(h->title);
	free(h->url);
	h->url = NULL;
	free(h->heading);
	free(h->text);
	h->title = h->heading = h->text = NULL;
}

void store_message_clear(struct store_message *m)
{
	free(m->content);
	free(m->meta);
	m->content = m->meta = NULL;
}

void store_lead_clear(struct store_lead *l)
{
	free(l->email_sealed);
	free(l->contact_wrapped_key);
	free(l->source);
	free(l->channel);
	free(l->context);
	free(l->consent_text_version);
	l->email_sealed = l->contact_wrapped_key = l->source = l->channel = l->context = NULL;
	l->consent_text_version = NULL;
}

int store_tenant_create(struct store *st, const char *id, const char *name, int64_t now)
{
	TIMED(st, "tenant_create", st->ops->tenant_create(st, id, name, now));
}

int store_tenant_get(struct store *st, const char *id, struct store_tenant *out)
{
	TIMED(st, "tenant_get", st->ops->tenant_get(st, id, out));
}

int store_apikey_create(struct store *st, const char *key_id, const char *tenant_id, const unsigned char hash[32],
			const char *prefix, int64_t now)
{
	TIMED(st, "apikey_create", st->ops->apikey_create(st, key_id, tenant_id, hash, prefix, now));
}

int store_apikey_revoke(struct store *st, const char *key_id, int64_t now)
{
	TIMED(st, "apikey_revoke", st->ops->apikey_revoke(st, key_id, now));
}

int store_apikey_lookup(struct store *st, const unsigned char hash[32], char tenant_id[STORE_ID_MAX])
{
	TIMED(st, "apikey_lookup", st->ops->apikey_lookup(st, hash, tenant_id));
}

int store_bot_create(struct store *st, const struct store_bot *b)
{
	TIMED(st, "bot_create", st->ops->bot_create(st, b));
}

int store_bot_get(struct store *st, const char *tenant_id, const char *bot_id, struct store_bot *out)
{
	if (!tenant_id)
		return STORE_NOTFOUND;
	TIMED(st, "bot_get", st->ops->bot_get(st, tenant_id, bot_id, out));
}

int store_bot_get_public(struct store *st, const char *bot_id, struct store_bot *out)
{
	TIMED(st, "bot_get_public", st->ops->bot_get(st, NULL, bot_id, out));
}

int store_bot_update(struct store *st, const struct store_bot *b)
{
	TIMED(st, "bot_update", st->ops->bot_update(st, b));
}

int store_bot_delete(struct store *st, const char *tenant_id, const char *bot_id)
{
	TIMED(st, "bot_delete", st->ops->bot_delete(st, tenant_id, bot_id));
}

int store_bot_list(struct store *st, const char *tenant_id, int64_t after_created, const char *after_id, int limit,
		   struct store_bot *rows, int *n)
{
	TIMED(st, "bot_list", st->ops->bot_list(st, tenant_id, after_created, after_id, limit, rows, n));
}

int store_source_create(struct store *st, const char *tenant_id, const struct store_source *s,
			const struct store_chunk_in *chunks, int nchunks)
{
	TIMED(st, "source_create", st->ops->source_create(st, tenant_id, s, chunks, nchunks));
}

int store_source_get(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
		     struct store_source *out)
{
	TIMED(st, "source_get", st->ops->source_get(st, tenant_id, bot_id, source_id, out));
}

int store_source_list(struct store *st, const char *tenant_id, const char *bot_id, int64_t after_created,
		      const char *after_id, int limit, struct store_source *rows, int *n)
{
	TIMED(st, "source_list",
	      st->ops->source_list(st, tenant_id, bot_id, after_created, after_id, limit, rows, n));
}

int store_source_delete(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id)
{
	TIMED(st, "source_delete", st->ops->source_delete(st, tenant_id, bot_id, source_id));
}

static long binomial(int n, int k)
{
	long c = 1;
	for (int i = 1; i <= k; i++) {
		c = c * (n - k + i) / i;
		if (c > STORE_MATCH_GROUPS_MAX)
			return c;
	}
	return c;
}

int store_match_groups(int n, int k, void (*group)(void *ud, const int *idx, int k), void *ud)
{
	int idx[STORE_SEARCH_MAX_WORDS];
	if (k > n)
		k = n;
	if (k <= 1 || n > STORE_SEARCH_MAX_WORDS || binomial(n, k) > STORE_MATCH_GROUPS_MAX)
		return 0;
	for (int i = 0; i < k; i++)
		idx[i] = i;
	int count = 0;
	for (;;) {
		group(ud, idx, k);
		count++;
		int i = k - 1;
		while (i >= 0 && idx[i] == n - k + i)
			i--;
		if (i < 0)
			return count;
		idx[i]++;
		for (int j = i + 1; j < k; j++)
			idx[j] = idx[j - 1] + 1;
	}
}

int store_chunk_search(struct store *st, const char *tenant_id, const char *bot_id, const char *const *words,
		       int nwords, int min_match, int limit, struct store_hit *hits, int *n)
{
	if (nwords > STORE_SEARCH_MAX_WORDS)
		nwords = STORE_SEARCH_MAX_WORDS;
	if (nwords <= 0 || limit <= 0) {
		*n = 0;
		return STORE_OK;
	}
	TIMED(st, "chunk_search", st->ops->chunk_search(st, tenant_id, bot_id, words, nwords, min_match, limit, hits, n));
}

int store_chunk_list(struct store *st, const char *tenant_id, const char *bot_id, store_chunk_fn emit, void *ud)
{
	TIMED(st, "chunk_list", st->ops->chunk_list(st, tenant_id, bot_id, emit, ud));
}

int store_exchange_save(struct store *st, const struct store_exchange *x)
{
	TIMED(st, "exchange_save", st->ops->exchange_save(st, x));
}

/* Times an asynchronous call from its start to its completion, like TIMED does for waiting ones. */
struct timed_done {
	struct store *st;
	const char *name;
	store_done_fn done;
	void *ud;
	double t0;
};

static void timed_done_fn(void *p, int rc)
{
	struct timed_done *t = p;
	t->st->opts.on_timing(t->st->opts.timing_ud, t->name, store_now_s() - t->t0);
	t->done(t->ud, rc);
	free(t);
}

void store_exchange_save_async(struct store *st, const struct store_exchange *x, store_done_fn done, void *ud)
{
	if (!st->ops->exchange_save_async) {
		done(ud, store_exchange_save(st, x));
		return;
	}
	struct timed_done *t = st->opts.on_timing ? malloc(sizeof *t) : NULL;
	if (t) {
		*t = (struct timed_done){st, "exchange_save", done, ud, store_now_s()};
		done = timed_done_fn;
		ud = t;
	}
	st->ops->exchange_save_async(st, x, done, ud);
}

int store_conversation_exists(struct store *st, const char *tenant_id, const char *bot_id, const char *conv_id)
{
	TIMED(st, "conversation_exists", st->ops->conversation_exists(st, tenant_id, bot_id, conv_id));
}

int store_conversation_contact(struct store *st, const char *tenant_id, const char *bot_id, const char *conv_id,
			       char contact_id[STORE_ID_MAX], char **wrapped_key)
{
	TIMED(st, "conversation_contact",
	      st->ops->conversation_contact(st, tenant_id, bot_id, conv_id, contact_id, wrapped_key));
}

int store_conversation_state(struct store *st, const char *tenant_id, const char *conv_id, int *messages,
			     int *email_prompts)
{
	TIMED(st, "conversation_state", st->ops->conversation_state(st, tenant_id, conv_id, messages, email_prompts));
}

int store_conversation_count_messages(struct store *st, const char *tenant_id, const char *conv_id, int *n)
{
	TIMED(st, "conversation_count_messages", st->ops->conversation_count_messages(st, tenant_id, conv_id, n));
}

int store_analytics_add(struct store *st, const char *tenant_id, const char *bot_id, const char *event,
			const char *props_json, int64_t now)
{
	TIMED(st, "analytics_add", st->ops->analytics_add(st, tenant_id, bot_id, event, props_json, now));
}

int store_message_list(struct store *st, const char *tenant_id, const char *conv_id, int limit,
		       struct store_message **out, int *n)
{
	if (limit <= 0) {
		*out = NULL;
		*n = 0;
		return STORE_OK;
	}
	TIMED(st, "message_list", st->ops->message_list(st, tenant_id, conv_id, limit, false, out, n));
}

int store_message_tail(struct store *st, const char *tenant_id, const char *conv_id, int limit,
		       struct store_message **out, int *n)
{
	*out = NULL;
	*n = 0;
	if (limit <= 0)
		return STORE_OK;
	double t0 = st->opts.on_timing ? store_now_s() : 0;
	int rc = st->ops->message_list(st, tenant_id, conv_id, limit, true, out, n);
	if (st->opts.on_timing)
		st->opts.on_timing(st->opts.timing_ud, "message_tail", store_now_s() - t0);
	for (int i = 0, j = *n - 1; rc == STORE_OK && i < j; i++, j--) { /* newest first → oldest first */
		struct store_message t = (*out)[i];
		(*out)[i] = (*out)[j];
		(*out)[j] = t;
	}
	return rc;
}

/* ---- personal data ------------------------------------------------------------------------------ */

int store_tenant_key_get(struct store *st, const char *tenant_id, char **wrapped)
{
	TIMED(st, "tenant_key_get", st->ops->tenant_key_get(st, tenant_id, wrapped));
}

int store_tenant_key_init(struct store *st, const char *tenant_id, const char *wrapped, char **current)
{
	TIMED(st, "tenant_key_init", st->ops->tenant_key_init(st, tenant_id, wrapped, current));
}

int store_lead_capture(struct store *st, const struct store_lead_capture *lc, char lead_id_out[STORE_ID_MAX],
		       bool *created)
{
	TIMED(st, "lead_capture", st->ops->lead_capture(st, lc, lead_id_out, created));
}

int store_lead_list(struct store *st, const char *tenant_id, const struct store_lead_filter *f,
		    int64_t after_created, const char *after_id, int limit, struct store_lead **out, int *n)
{
	static const struct store_lead_filter none = {0};
	if (limit <= 0) {
		*out = NULL;
		*n = 0;
		return STORE_OK;
	}
	TIMED(st, "lead_list",
	      st->ops->lead_list(st, tenant_id, f ? f : &none, after_created, after_id, limit, out, n));
}

int store_lead_get(struct store *st, const char *tenant_id, const char *lead_id, struct store_lead *out)
{
	TIMED(st, "lead_get", st->ops->lead_get(st, tenant_id, lead_id, out));
}

int store_contact_erase(struct store *st, const char *tenant_id, const char *contact_id, int64_t now)
{
	TIMED(st, "contact_erase", st->ops->contact_erase(st, tenant_id, contact_id, now));
}

int store_erasure_list(struct store *st, int (*emit)(void *ud, const char *contact_id), void *ud)
{
	TIMED(st, "erasure_list", st->ops->erasure_list(st, emit, ud));
}

int store_contact_purge(struct store *st, const char *contact_id, int64_t now)
{
	TIMED(st, "contact_purge", st->ops->contact_purge(st, contact_id, now));
}

int store_contact_profile_get(struct store *st, const char *tenant_id, const char *contact_id,
			      char **sealed_profile)
{
	TIMED(st, "contact_profile_get", st->ops->contact_profile_get(st, tenant_id, contact_id, sealed_profile));
}

int store_contact_profile_set(struct store *st, const char *tenant_id, const char *contact_id,
			      const char *sealed_profile, int64_t now)
{
	TIMED(st, "contact_profile_set",
	      st->ops->contact_profile_set(st, tenant_id, contact_id, sealed_profile, now));
}

/* ---- images, contact persons and contact requests ------------------------------------------------ */

void store_image_clear(struct store_image *im)
{
	free(im->content_type);
	free(im->bytes);
	im->content_type = NULL;
	im->bytes = NULL;
	im->len = 0;
}

void store_person_clear(struct store_person *p)
{
	free(p->name);
	free(p->position);
	free(p->email);
	free(p->phone);
	p->name = p->position = p->email = p->phone = NULL;
}

void store_lead_details_clear(struct store_lead_details *d)
{
	free(d->name_sealed);
	free(d->phone_sealed);
	free(d->message_sealed);
	d->name_sealed = d->phone_sealed = d->message_sealed = NULL;
}

int store_image_get(struct store *st, const char *image_id, struct store_image *out)
{
	TIMED(st, "image_get", st->ops->image_get(st, image_id, out));
}

int store_bot_logo_set(struct store *st, const char *tenant_id, const char *bot_id, const struct store_image_in *img,
		       const char *config, int64_t updated_at)
{
	TIMED(st, "bot_logo_set", st->ops->bot_logo_set(st, tenant_id, bot_id, img, config, updated_at));
}

int store_person_create(struct store *st, const char *tenant_id, const struct store_person *p, int max)
{
	TIMED(st, "person_create", st->ops->person_create(st, tenant_id, p, max));
}

int store_person_get(struct store *st, const char *tenant_id, const char *bot_id, const char *person_id,
		     struct store_person *out)
{
	TIMED(st, "person_get", st->ops->person_get(st, tenant_id, bot_id, person_id, out));
}

int store_person_list(struct store *st, const char *tenant_id, const char *bot_id, struct store_person *rows,
		      int max, int *n)
{
	if (max <= 0) {
		*n = 0;
		return STORE_OK;
	}
	TIMED(st, "person_list", st->ops->person_list(st, tenant_id, bot_id, rows, max, n));
}

int store_person_update(struct store *st, const char *tenant_id, const struct store_person *p)
{
	TIMED(st, "person_update", st->ops->person_update(st, tenant_id, p));
}

int store_person_delete(struct store *st, const char *tenant_id, const char *bot_id, const char *person_id)
{
	TIMED(st, "person_delete", st->ops->person_delete(st, tenant_id, bot_id, person_id));
}

int store_person_reorder(struct store *st, const char *tenant_id, const char *bot_id, const char *const *ids, int n,
			 int64_t now)
{
	if (n < 0 || n > STORE_PERSONS_MAX * 4)
		return STORE_CONFLICT;
	TIMED(st, "person_reorder", st->ops->person_reorder(st, tenant_id, bot_id, ids, n, now));
}

int store_person_photo_set(struct store *st, const char *tenant_id, const char *bot_id, const char *person_id,
			   const struct store_image_in *img)
{
	TIMED(st, "person_photo_set", st->ops->person_photo_set(st, tenant_id, bot_id, person_id, img));
}

int store_contact_request(struct store *st, const struct store_contact_request *cr, char lead_id_out[STORE_ID_MAX],
			  bool *created)
{
	TIMED(st, "contact_request", st->ops->contact_request(st, cr, lead_id_out, created));
}

int store_lead_details(struct store *st, const char *tenant_id, const char *lead_id, struct store_lead_details *out)
{
	TIMED(st, "lead_details", st->ops->lead_details(st, tenant_id, lead_id, out));
}

/* ---- engagement statistics ----------------------------------------------------------------------- */

int store_bot_stats(struct store *st, const char *tenant_id, const char *bot_id, int64_t from_ms, int64_t to_ms,
		    int top_min_interest, struct store_bot_stats *out)
{
	TIMED(st, "bot_stats", st->ops->bot_stats(st, tenant_id, bot_id, from_ms, to_ms, top_min_interest, out));
}

/* ---- data-subject export ------------------------------------------------------------------------- */

void store_contact_clear(struct store_contact *c)
{
	free(c->wrapped_key);
	free(c->email_sealed);
	free(c->phone_sealed);
	free(c->name_sealed);
	free(c->profile_sealed);
	free(c->channel);
	c->wrapped_key = c->email_sealed = c->phone_sealed = c->name_sealed = c->profile_sealed = c->channel = NULL;
}

void store_conversation_clear(struct store_conversation *c)
{
	free(c->channel);
	c->channel = NULL;
}

void store_consent_clear(struct store_consent *c)
{
	free(c->purpose);
	free(c->source);
	free(c->channel);
	free(c->text_version);
	c->purpose = c->source = c->channel = c->text_version = NULL;
}

void store_contact_lead_clear(struct store_contact_lead *l)
{
	free(l->source);
	free(l->channel);
	free(l->context);
	free(l->message_sealed);
	l->source = l->channel = l->context = l->message_sealed = NULL;
}

int store_contact_get(struct store *st, const char *tenant_id, const char *contact_id, struct store_contact *out)
{
	TIMED(st, "contact_get", st->ops->contact_get(st, tenant_id, contact_id, out));
}

int store_conversation_get(struct store *st, const char *tenant_id, const char *conv_id,
			   struct store_conversation *out, char **wrapped_key)
{
	TIMED(st, "conversation_get", st->ops->conversation_get(st, tenant_id, conv_id, out, wrapped_key));
}

#define EMPTY_LIST_IF_NO_LIMIT(limit, out, n)                                                                \
	do {                                                                                                 \
		if ((limit) <= 0) {                                                                          \
			*(out) = NULL;                                                                       \
			*(n) = 0;                                                                            \
			return STORE_OK;                                                                     \
		}                                                                                            \
	} while (0)

int store_contact_conversations(struct store *st, const char *tenant_id, const char *contact_id, int limit,
				struct store_conversation **out, int *n)
{
	EMPTY_LIST_IF_NO_LIMIT(limit, out, n);
	TIMED(st, "contact_conversations", st->ops->contact_conversations(st, tenant_id, contact_id, limit, out, n));
}

int store_contact_consents(struct store *st, const char *tenant_id, const char *contact_id, int limit,
			   struct store_consent **out, int *n)
{
	EMPTY_LIST_IF_NO_LIMIT(limit, out, n);
	TIMED(st, "contact_consents", st->ops->contact_consents(st, tenant_id, contact_id, limit, out, n));
}

int store_contact_leads(struct store *st, const char *tenant_id, const char *contact_id, int limit,
			struct store_contact_lead **out, int *n)
{
	EMPTY_LIST_IF_NO_LIMIT(limit, out, n);
	TIMED(st, "contact_leads", st->ops->contact_leads(st, tenant_id, contact_id, limit, out, n));
}

/* ---- embeddings -------------------------------------------------------------------------------------- */

void store_embed_row_clear(struct store_embed_row *r)
{
	free(r->title);
	free(r->heading);
	free(r->text);
	memset(r, 0, sizeof *r);
}

int store_embed_pending(struct store *st, const char *tenant_id, const char *bot_id, const char *model, int limit,
			struct store_embed_row **rows, int *n)
{
	*rows = NULL;
	*n = 0;
	if (limit <= 0)
		return STORE_OK;
	TIMED(st, "embed_pending", st->ops->embed_pending(st, tenant_id, bot_id, model, limit, rows, n));
}

int store_embed_put(struct store *st, const char *tenant_id, const char *bot_id, const char *model, int n,
		    const int64_t *chunk_ids, const char *const *vectors_b64)
{
	if (n <= 0)
		return STORE_OK;
	TIMED(st, "embed_put", st->ops->embed_put(st, tenant_id, bot_id, model, n, chunk_ids, vectors_b64));
}

int store_embed_load(struct store *st, const char *tenant_id, const char *bot_id, const char *model,
		     store_embed_fn emit, void *ud)
{
	TIMED(st, "embed_load", st->ops->embed_load(st, tenant_id, bot_id, model, emit, ud));
}

int store_embed_count(struct store *st, const char *tenant_id, const char *bot_id, const char *model,
		      int64_t *total, int64_t *done)
{
	TIMED(st, "embed_count", st->ops->embed_count(st, tenant_id, bot_id, model, total, done));
}

int store_bot_scan(struct store *st, const char *after_id, int limit, struct store_bot *rows, int *n)
{
	*n = 0;
	if (limit <= 0)
		return STORE_OK;
	TIMED(st, "bot_scan", st->ops->bot_scan(st, after_id ? after_id : "", limit, rows, n));
}

/* ---- ingestion jobs ------------------------------------------------------------------------------------ */

int store_source_enqueue(struct store *st, const char *tenant_id, const struct store_source *s, const void *file,
			 size_t file_len)
{
	TIMED(st, "source_enqueue", st->ops->source_enqueue(st, tenant_id, s, file, file_len));
}

int store_source_claim(struct store *st, int64_t now, int64_t lease_ms, struct store_source *out)
{
	TIMED(st, "source_claim", st->ops->source_claim(st, now, lease_ms, out));
}

int store_source_progress(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
			  const char *progress, int64_t now)
{
	TIMED(st, "source_progress", st->ops->source_progress(st, tenant_id, bot_id, source_id, progress, now));
}

int store_source_finish(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
			const char *status, const char *error, const char *progress, int64_t chars,
			const struct store_chunk_in *chunks, int n, int64_t now)
{
	TIMED(st, "source_finish",
	      st->ops->source_finish(st, tenant_id, bot_id, source_id, status, error, progress, chars, chunks, n, now));
}

int store_source_requeue(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
			 int64_t now)
{
	TIMED(st, "source_requeue", st->ops->source_requeue(st, tenant_id, bot_id, source_id, now));
}

int store_source_file(struct store *st, const char *tenant_id, const char *source_id, void **data, size_t *len)
{
	TIMED(st, "source_file", st->ops->source_file(st, tenant_id, source_id, data, len));
}
