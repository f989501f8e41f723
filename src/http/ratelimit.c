/* ratelimit.c — bounded table of token buckets keyed by client address, one mutex. */
#include "http/ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 8192
#define PROBES 8
#define ADDR_MAX 48

struct bucket {
	char addr[ADDR_MAX];
	double tokens;
	double last; /* monotonic seconds of the last refill */
};

struct ratelimit {
	double capacity, per_second;
	pthread_mutex_t lock;
	struct bucket slot[SLOTS];
};

struct ratelimit *ratelimit_new(long per_minute)
{
	struct ratelimit *rl = calloc(1, sizeof *rl);
	if (!rl)
		return NULL;
	rl->capacity = (double)per_minute;
	rl->per_second = (double)per_minute / 60.0;
	pthread_mutex_init(&rl->lock, NULL);
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (rl) {
		pthread_mutex_destroy(&rl->lock);
		free(rl);
	}
}

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

bool ratelimit_take(struct ratelimit *rl, const char *addr, double now_s, int *retry_after_s)
{
	if (rl->capacity <= 0)
		return true;
	uint32_t h = hash(addr);
	pthread_mutex_lock(&rl->lock);
	struct bucket *b = NULL, *oldest = NULL;
	for (int p = 0; p < PROBES; p++) {
		struct bucket *c = &rl->slot[(h + (uint32_t)p) % SLOTS];
		if (!strncmp(c->addr, addr, ADDR_MAX - 1)) {
			b = c;
			break;
		}
		if (!oldest || c->last < oldest->last)
			oldest = c;
	}
	if (!b) {
		b = oldest;
		strncpy(b->addr, addr, ADDR_MAX - 1);
		b->addr[ADDR_MAX - 1] = '\0';
		b->tokens = rl->capacity;
		b->last = now_s;
	}
	b->tokens = fmin(rl->capacity, b->tokens + (now_s - b->last) * rl->per_second);
	b->last = now_s;
	bool ok = b->tokens >= 1.0;
	if (ok)
		b->tokens -= 1.0;
	else if (retry_after_s)
		*retry_after_s = (int)ceil((1.0 - b->tokens) / rl->per_second);
	pthread_mutex_unlock(&rl->lock);
	if (!ok && retry_after_s && *retry_after_s < 1)
		*retry_after_s = 1;
	return ok;
}
