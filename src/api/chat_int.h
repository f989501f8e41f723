/*
 * chat_int.h — one public chat exchange in flight, shared by api_chat.c (the handler, the extractive and
 * profile answers, storing) and chat_llm.c (the model's answer, streamed or whole).
 *
 * A chat_job outlives its handler: it is finished by whichever thread completes the last step (the
 * HTTP client's thread for a model's reply, the database writer for the commit). Reference-counted;
 * `mu` guards `call` and `refs`.
 */
#ifndef BOTWERK_API_CHAT_INT_H
#define BOTWERK_API_CHAT_INT_H

#include <pthread.h>

#include "api/api.h"
#include "http/stream.h"
#include "llm/config.h"
#include "privacy/keys.h"
#include "rag/answer.h"

struct llm_call;
struct reply_stream;

struct chat_job {
	struct app *app;
	struct req *r;                /* until the answer is queued (the non-streamed path) */
	pthread_mutex_t mu;
	int refs;
	struct store_exchange x;
	char tenant_id[STORE_ID_MAX], bot_id[STORE_ID_MAX], contact_id[STORE_ID_MAX];
	char conv_id[STORE_ID_MAX], in_id[STORE_ID_MAX], out_id[STORE_ID_MAX];
	bool existing_conversation;
	unsigned char key[SEAL_KEY_BYTES]; /* the contact's, zeroed when the job is freed */
	char *question, *meta_text;
	char *bot_name;
	char *sealed_in, *sealed_out; /* the texts as stored */
	char *contact_wrapped;        /* a new conversation's contact key, wrapped */
	char *profile_sealed;         /* the contact's profile after this message, or NULL */
	struct answer ans;            /* the extractive (or profile) answer; its text is replaced by a model's */
	json_t *config;               /* the bot's (shared, read-only) */
	json_t *sources, *meta;       /* of the reply */
	bool email_prompted;
	int messages, prompts;        /* the conversation's state before this message */
	bool sse;                     /* the visitor asked for text/event-stream */
	int64_t now;
	double t_start;               /* monotonic, the request's start */
	/* the model's part (chat_llm.c) */
	struct llm_config llm;
	int64_t knowledge_version;
	struct vcache_entry *vectors; /* the bot's, when it has an embeddings model and vectors */
	float *qvec;                  /* the question's embedding, or NULL */
	int qdim;
	struct llm_call *call;
	struct resp_stream *stream;   /* the streamed response, once started */
	struct reply_stream *preview; /* what of the model's JSON the visitor may see */
	size_t streamed;              /* bytes of delta text sent */
	json_t *llm_profile;          /* profile fields the model read from the message, or NULL */
	json_t *reply;                /* the 200 body, sent once the exchange is stored */
	int rc;                       /* the store's, set when the exchange is stored */
};

void chat_job_unref(struct chat_job *j);

/* The answer is final (j->ans.text, j->sources, j->meta): seal both texts and store the exchange; the
 * reply follows the commit (resumed request or `done` event). On failure the job is finished with an
 * error reply. Consumes the caller's reference. */
void chat_store(struct chat_job *j);

/* chat_llm.c: asks the bot's model, answering `r` as SSE or (suspended) JSON; the job continues with
 * chat_store when the model is done or has failed — then with the extractive answer and
 * metadata.degraded, also when the model cannot even be asked. Consumes the caller's reference. */
void chat_llm_answer(struct chat_job *j, struct req *r);

/* chat_profile.c: the contact's profile after this message, sealed, or NULL when the message adds
 * nothing (or on failure: the answer never depends on it). Adds metadata.profile_updated. */
char *chat_profile_sealed(struct chat_job *j);

/* chat_profile.c: what is known about the visitor now (stored profile + this message), for the model's
 * prompt. New reference or NULL. */
json_t *chat_profile_known(const struct chat_job *j);

/* The continuation that answers a suspended, non-streamed chat once its exchange is stored. */
int chat_reply(struct req *r, void *arg);

#endif
