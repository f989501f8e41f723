/*
 * fuzz_reply.c — libFuzzer harness for the structured-reply reader (src/llm/reply.c), which reads
 * every model answer.
 *
 * Input: the model's text, exactly its size (copied, so ASan sees any over-read).
 * Invariants checked (abort on violation):
 *   - no crash, no leak; the result is one of the documented codes;
 *   - on LLM_REPLY_OK: the reply is non-empty, has no surrounding whitespace, is never longer than the
 *     input, and is valid UTF-8 whenever the input is; a profile is a JSON object; an unstructured
 *     reply has no profile or intent; a truncated reply is structured;
 *   - on any other result, the output is empty;
 *   - the same input parses the same way twice.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "llm/reply.h"

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static bool valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0)
			k = 1, cp = c & 0x1F, min = 0x80;
		else if ((c & 0xF0) == 0xE0)
			k = 2, cp = c & 0x0F, min = 0x800;
		else if ((c & 0xF8) == 0xF0)
			k = 3, cp = c & 0x07, min = 0x10000;
		else
			return false;
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += k + 1;
	}
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	struct llm_reply r, r2;
	int rc, rc2;

	if (!text)
		return 0;
	memcpy(text, data, size);
	rc = llm_reply_parse(text, size, &r);
	if (rc == LLM_REPLY_OK) {
		size_t n = strlen(r.reply);

		if (n == 0 || n > size || is_space(r.reply[0]) || is_space(r.reply[n - 1]))
			abort();
		if (valid_utf8(data, size) && !valid_utf8((const unsigned char *)r.reply, n))
			abort();
		if (r.intent && (strlen(r.intent) > size ||
				 (valid_utf8(data, size) && !valid_utf8((const unsigned char *)r.intent, strlen(r.intent)))))
			abort();
		if (r.profile && !json_is_object(r.profile))
			abort();
		if (!r.structured && (r.profile || r.intent || r.truncated))
			abort();
	} else {
		if (rc != LLM_REPLY_NONE && rc != LLM_REPLY_NOMEM && rc != LLM_REPLY_TOO_BIG)
			abort();
		if (r.reply || r.profile || r.intent || r.structured || r.truncated)
			abort();
	}
	rc2 = llm_reply_parse(text, size, &r2);
	if (rc2 != rc || (rc == LLM_REPLY_OK && (strcmp(r.reply, r2.reply) != 0 || r.structured != r2.structured ||
						 r.truncated != r2.truncated)))
		abort();
	llm_reply_clear(&r);
	llm_reply_clear(&r2);
	free(text);
	return 0;
}
