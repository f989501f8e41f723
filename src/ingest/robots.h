/*
 * robots.h — robots.txt (RFC 9309, the Robots Exclusion Protocol) for the website crawler.
 *
 * robots_parse reads a robots.txt body and keeps only what applies to one product token (ours is
 * "botwerk"): the rules of every group whose user-agent line names that token (case-insensitive; the
 * token is the value up to the first "/" or white space, so "Botwerk/1.0" names it too), merged; when no
 * group names it, the rules of every "*" group, merged; when there is neither, nothing is disallowed.
 * A group is one or more consecutive user-agent lines and the allow/disallow lines after them; rules
 * before the first user-agent line belong to no group and are ignored.
 *
 * Matching (RFC 9309 section 2.2.2): a rule matches a path when its pattern matches a prefix of the
 * path, "*" standing for any run of characters and a "$" at the very end of the pattern anchoring it at
 * the end of the path. The matching rule with the longest pattern (in octets, after normalisation)
 * decides; an allow rule wins a tie with a disallow rule. No matching rule: allowed. An empty
 * allow/disallow value is no rule. "/robots.txt" itself is always allowed. Pattern and path are both
 * normalised before comparison: "%xx" escapes of unreserved characters (letters, digits, "-._~") are
 * decoded, other escapes get upper-case hex digits, and bytes outside printable US-ASCII (UTF-8 of
 * umlauts, spaces, control characters) are percent-encoded, so "/ä", "/%c3%a4" and "/%C3%A4" are one
 * path. Paths are case-sensitive.
 *
 * Also read: Crawl-delay (not in the RFC; seconds, fractions allowed) from the groups that apply, the
 * largest if several say one; Sitemap lines from anywhere in the file (values as written, at most
 * ROBOTS_MAX_SITEMAPS; values with control characters are ignored). Field names are case-insensitive ("useragent" and "user agent" are accepted
 * too), "#" starts a comment, a UTF-8 byte order mark is skipped, lines may end in LF, CR or CRLF.
 *
 * Only the first ROBOTS_MAX_BYTES of the text are parsed (the RFC asks crawlers to parse at least
 * 500 KiB); when the text is longer, the last line cut by the limit is dropped.
 *
 * What a crawler does with the HTTP answer (RFC 9309 section 2.3.1) is the caller's part: 2xx → parse
 * the body, 4xx → robots_allow_all(), 5xx or no answer at all → robots_disallow_all().
 *
 * A struct robots is immutable after parsing: several threads may query one at once.
 */
#ifndef BOTWERK_INGEST_ROBOTS_H
#define BOTWERK_INGEST_ROBOTS_H

#include <stdbool.h>
#include <stddef.h>

#define ROBOTS_MAX_BYTES (500u * 1024) /* bytes of robots.txt parsed */
#define ROBOTS_MAX_RULES 20000         /* rules kept for our agent; later ones are ignored */
#define ROBOTS_MAX_SITEMAPS 64         /* Sitemap lines kept */
#define ROBOTS_MAX_SITEMAP_URL 2048    /* a longer Sitemap value is ignored */
#define ROBOTS_MAX_DELAY_MS 86400000L  /* a larger Crawl-delay is read as this (one day) */
#define ROBOTS_AGENT "botwerk"         /* our product token */

struct robots;

/* Parses text[0..len) for the product token `agent` (NULL or "" for only the "*" groups). Returns a new
 * struct robots (free with robots_free), or NULL when memory runs out. Never fails on content: a body
 * that is not robots.txt at all simply has no rules. */
struct robots *robots_parse(const char *text, size_t len, const char *agent);

/* A robots with no rules (4xx, or no robots.txt at all), and one that disallows every path but
 * "/robots.txt" (5xx or unreachable). NULL when memory runs out. */
struct robots *robots_allow_all(void);
struct robots *robots_disallow_all(void);

void robots_free(struct robots *r);

/* Whether `path_and_query` ("/a/b?c=d", starting with "/"; "" is read as "/") may be fetched. NULL r:
 * allowed. */
bool robots_allowed(const struct robots *r, const char *path_and_query);

/* The Crawl-delay for our agent in milliseconds (at most ROBOTS_MAX_DELAY_MS), or -1 when none. */
long robots_crawl_delay_ms(const struct robots *r);

/* The Sitemap values in file order; *list (may be NULL) is set to them. Returns how many. The strings
 * belong to r. */
size_t robots_sitemaps(const struct robots *r, const char *const **list);

/* The number of rules that apply to our agent (for tests and logs). */
size_t robots_nrules(const struct robots *r);

#endif
