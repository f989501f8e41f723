/*
 * ratelimit.h — token buckets per client address for the public API.
 *
 * Capacity `per_minute`, refilled continuously at per_minute/60 tokens a second. A fixed table of
 * buckets (no allocation after creation): an address whose slot is taken by a busy neighbour shares
 * or evicts the least recently used bucket among a few probes, so memory stays bounded under floods.
 */
#ifndef BOTWERK_HTTP_RATELIMIT_H
#define BOTWERK_HTTP_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit;

/* per_minute 0 disables limiting (ratelimit_take always allows). */
struct ratelimit *ratelimit_new(long per_minute);
void ratelimit_free(struct ratelimit *rl);
/* Takes one token for `addr` at monotonic time `now_s`. False when empty; *retry_after_s then says
 * when the next token is due (whole seconds, ≥ 1). */
bool ratelimit_take(struct ratelimit *rl, const char *addr, double now_s, int *retry_after_s);

#endif
