/* strbuf.c — a growable string; see strbuf.h. */
#include "base/strbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void strbuf_add(struct strbuf *b, const char *s, size_t n)
{
	if (b->failed || n == 0)
		return;
	if (n > SIZE_MAX / 2 - b->len || (b->max && n > b->max - (b->len < b->max ? b->len : b->max))) {
		b->failed = true;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void strbuf_adds(struct strbuf *b, const char *s)
{
	strbuf_add(b, s, strlen(s));
}

void strbuf_addc(struct strbuf *b, char c)
{
	strbuf_add(b, &c, 1);
}

char *strbuf_take(struct strbuf *b)
{
	char *p = b->failed ? NULL : b->p ? b->p : strdup("");
	if (b->failed)
		free(b->p);
	*b = (struct strbuf){.max = b->max};
	return p;
}

void strbuf_reset(struct strbuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void strbuf_free(struct strbuf *b)
{
	free(b->p);
	*b = (struct strbuf){.max = b->max};
}
