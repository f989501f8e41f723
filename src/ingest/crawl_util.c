/*
 * crawl_util.c — the crawler's small containers (a string set, a hash set, the URL queue) and URL
 * helpers. See crawl_int.h.
 */
#include "ingest/crawl_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- hashing ------------------------------------------------------------------------------------------ */

/* FNV-1a over the bytes, then a final mix so that the low bits used for slots are well spread. */
uint64_t cr_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

/* ---- string set -------------------------------------------------------------------------------------- */

static size_t strset_find(char *const *slots, size_t cap, const char *str, uint64_t h)
{
	size_t i = (size_t)h & (cap - 1);
	while (slots[i] && strcmp(slots[i], str) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

static bool strset_grow(struct cr_strset *s)
{
	size_t cap = s->cap ? s->cap * 2 : 64;
	char **slots = calloc(cap, sizeof *slots);
	if (!slots)
		return false;
	for (size_t i = 0; i < s->cap; i++) {
		char *v = s->slots[i];
		if (v)
			slots[strset_find(slots, cap, v, cr_hash(v, strlen(v)))] = v;
	}
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	return true;
}

const char *cr_strset_add(struct cr_strset *s, const char *str, bool *oom)
{
	if ((s->n + 1) * 4 > s->cap * 3 && !strset_grow(s)) { /* keep the load under 3/4 */
		*oom = true;
		return NULL;
	}
	size_t len = strlen(str);
	size_t i = strset_find(s->slots, s->cap, str, cr_hash(str, len));
	if (s->slots[i])
		return NULL;
	char *copy = malloc(len + 1);
	if (!copy) {
		*oom = true;
		return NULL;
	}
	memcpy(copy, str, len + 1);
	s->slots[i] = copy;
	s->n++;
	return copy;
}

bool cr_strset_has(const struct cr_strset *s, const char *str)
{
	if (s->cap == 0)
		return false;
	return s->slots[strset_find(s->slots, s->cap, str, cr_hash(str, strlen(str)))] != NULL;
}

void cr_strset_free(struct cr_strset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i]);
	free(s->slots);
	memset(s, 0, sizeof *s);
}

/* ---- hash set ---------------------------------------------------------------------------------------- */

static size_t hashset_find(const struct cr_hashset *s, uint64_t h)
{
	size_t i = (size_t)h & (s->cap - 1);
	while (s->used[i] && s->slots[i] != h)
		i = (i + 1) & (s->cap - 1);
	return i;
}

int cr_hashset_add(struct cr_hashset *s, uint64_t h)
{
	if ((s->n + 1) * 4 > s->cap * 3) {
		struct cr_hashset g = {.cap = s->cap ? s->cap * 2 : 64};
		g.slots = calloc(g.cap, sizeof *g.slots);
		g.used = calloc(g.cap, sizeof *g.used);
		if (!g.slots || !g.used) {
			free(g.slots);
			free(g.used);
			return -1;
		}
		for (size_t i = 0; i < s->cap; i++)
			if (s->used[i]) {
				size_t j = hashset_find(&g, s->slots[i]);
				g.used[j] = true;
				g.slots[j] = s->slots[i];
			}
		g.n = s->n;
		cr_hashset_free(s);
		*s = g;
	}
	size_t i = hashset_find(s, h);
	if (s->used[i])
		return 0;
	s->used[i] = true;
	s->slots[i] = h;
	s->n++;
	return 1;
}

void cr_hashset_free(struct cr_hashset *s)
{
	free(s->slots);
	free(s->used);
	memset(s, 0, sizeof *s);
}

/* ---- queue ------------------------------------------------------------------------------------------- */

int cr_queue_push(struct cr_queue *q, const char *url, int depth)
{
	if (q->n == q->cap) {
		if (q->head > 0 && q->head >= q->n / 2) { /* reuse the consumed front before growing */
			memmove(q->v, q->v + q->head, (q->n - q->head) * sizeof *q->v);
			q->n -= q->head;
			q->head = 0;
		} else {
			size_t cap = q->cap ? q->cap * 2 : 256;
			struct cr_item *v = realloc(q->v, cap * sizeof *v);
			if (!v)
				return -1;
			q->v = v;
			q->cap = cap;
		}
	}
	q->v[q->n++] = (struct cr_item){.url = url, .depth = depth};
	return 0;
}

void cr_queue_free(struct cr_queue *q)
{
	free(q->v);
	memset(q, 0, sizeof *q);
}

/* ---- URLs ---------------------------------------------------------------------------------------------- */

size_t cr_origin_len(const char *url)
{
	const char *sep = strstr(url, "://");
	if (!sep)
		return 0;
	const char *auth = sep + 3;
	return (size_t)(auth - url) + strcspn(auth, "/?#");
}

const char *cr_path(const char *url)
{
	const char *p = url + cr_origin_len(url);
	return *p ? p : "/";
}

/* The extension of the URL's last path segment, lower-cased into ext (without the dot; "" if none). */
static void path_ext(const char *url, char ext[8])
{
	const char *p = cr_path(url);
	size_t n = strcspn(p, "?#");
	size_t i = n;
	while (i > 0 && p[i - 1] != '/' && p[i - 1] != '.')
		i--;
	ext[0] = '\0';
	if (i == 0 || p[i - 1] != '.' || n - i >= 8)
		return;
	size_t k = 0;
	for (; i < n; i++) {
		char ch = p[i];
		ext[k++] = ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
	}
	ext[k] = '\0';
}

bool cr_never_page(const char *url)
{
	static const char *const never[] = {
		"png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "ico", "bmp", "tif", "tiff", "heic",
		"css", "js", "mjs", "map", "json", "xml", "rss", "atom", "woff", "woff2", "ttf", "otf", "eot",
		"zip", "gz", "tgz", "bz2", "xz", "rar", "7z", "tar", "exe", "msi", "dmg", "apk", "iso", "bin",
		"mp3", "mp4", "m4a", "m4v", "wav", "ogg", "oga", "webm", "mov", "avi", "mkv", "flac",
		"doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "ics", "vcf", "csv",
	};
	char ext[8];
	path_ext(url, ext);
	if (!ext[0])
		return false;
	for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
		if (!strcmp(ext, never[i]))
			return true;
	return false;
}

bool cr_pdf_name(const char *url)
{
	char ext[8];
	path_ext(url, ext);
	return !strcmp(ext, "pdf");
}
