/*
 * pacing.h — send pacing for WhatsApp: a token bucket per sending number (Cloud API throughput, about
 * 80 messages/s per number by default, error 130429 beyond it) and one per (number, recipient) pair
 * (Meta's pair rate limit, about 1 message per 6 s to the same user, error 131056), plus backoff after
 * provider rate-limit errors. api-contracts.md 1.9.
 *
 * Buckets: the number bucket holds up to `number_burst` tokens and gains `number_per_second` tokens a
 * second; the pair bucket holds up to `recipient_burst` tokens and gains one every
 * `recipient_interval_ms`. A send takes one token from both, or from neither. Both start full. With the
 * defaults (80/s, burst 1; one per 6 s, burst 1) sends to one number are spaced 12.5 ms apart on average
 * and never more than 80 fall into any second; sends to one recipient are at least 6 s apart.
 *
 * Backoff: pacing_backoff blocks a pair (error 131056) or a whole number (130429, 4, 80007) until the
 * returned delay has passed: exponential in the attempt, capped, with "equal jitter" (half the delay
 * fixed, half random) from a random value the caller passes in, so tests are deterministic.
 *
 * Memory: at most `max_numbers` number entries and `max_recipients` pair entries (fixed-size keys,
 * allocated as they are first needed, never more than the caps). When a table is full the entry used
 * least recently is reused; losing it only forgets that its bucket was not full or that it was blocked.
 * Time is the caller's (Unix ms, any monotone source); nothing here reads a clock.
 *
 * One struct pacing per pacing configuration: the WhatsApp sender keeps one per bot (its config comes from
 * channels.whatsapp.pacing), which usually holds one sending number. A recipient interval of 0 switches
 * pair pacing off (pair backoff blocks still apply).
 *
 * Threads: all functions on one struct pacing may be called from several threads (one mutex).
 */
#ifndef BOTWERK_CHANNELS_PACING_H
#define BOTWERK_CHANNELS_PACING_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define PACING_KEY_MAX 160 /* bytes of a number id or recipient id (wa_id or BSUID "CC.<up to 128>") */

struct pacing_config {
	int number_per_second;        /* 1..10000; default 80 */
	int number_burst;             /* 1..10000, at least number_per_second / 1000 (time is in whole
				       * ms: more than `burst` sends per ms cannot happen); default 1 */
	int64_t recipient_interval_ms; /* 0 (no pair pacing) .. 3600000; default 6000 */
	int recipient_burst;          /* 1..100; default 1 */
	size_t max_numbers;           /* 1..100000; default 1024 */
	size_t max_recipients;        /* 1..10000000; default 20000 (about 7 MB when all are used) */
	int64_t backoff_base_ms;      /* first number backoff, 1..3600000; default 1000 */
	int64_t backoff_max_ms;       /* cap of every backoff, >= base, <= 86400000; default 300000 */
};

struct pacing;

/* The defaults listed above. */
void pacing_config_defaults(struct pacing_config *cfg);

/* The bot config object channels.whatsapp.pacing into cfg (over its current values): optional
 * "messages_per_second" (1..1000), "burst" (1..1000), "recipient_interval_seconds" (0..3600),
 * "recipient_burst" (1..100); other keys refused. NULL/null leaves cfg as it is. Returns 0, or -1 with
 * "pacing.<key> must be …" in err; cfg is unchanged on error. */
int pacing_config_from_json(const json_t *v, struct pacing_config *cfg, char *err, size_t errlen);

/* A pacer (cfg NULL: the defaults). NULL when cfg is out of range or memory runs out. */
struct pacing *pacing_new(const struct pacing_config *cfg);
void pacing_free(struct pacing *p);

/* Asks to send one message from `number` to `recipient` (NULL: number pacing only) at now_ms.
 * Returns 1 when it may go now (tokens taken, *wait_ms = 0); 0 when it must wait (nothing taken,
 * *wait_ms > 0: ask again then); -1 on bad arguments (NULL/empty number, an id longer than
 * PACING_KEY_MAX, NULL wait_ms). */
int pacing_acquire(struct pacing *p, const char *number, const char *recipient, int64_t now_ms, int64_t *wait_ms);

/* The backoff delay of retry `attempt` (1 = first retry): min(max_ms, base_ms << (attempt-1)) = d, then
 * d/2 + rnd % (d/2 + 1). Attempts < 1 count as 1. */
int64_t pacing_backoff_delay(int64_t base_ms, int64_t max_ms, int attempt, uint32_t rnd);

/* Records a rate-limit error: with `recipient`, blocks that pair (base: the larger of backoff_base_ms
 * and recipient_interval_ms); without, blocks the whole number (base: backoff_base_ms). The block lasts
 * pacing_backoff_delay(...) from now_ms (an existing longer block is kept); pacing_acquire waits for
 * it. Returns the delay in ms, or -1 on bad arguments. */
int64_t pacing_backoff(struct pacing *p, const char *number, const char *recipient, int64_t now_ms, int attempt,
		       uint32_t rnd);

/* Entries now held (numbers + pairs), for tests and metrics. */
size_t pacing_entries(struct pacing *p);

#endif
