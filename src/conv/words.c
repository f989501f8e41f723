/* words.c — folding a message into lower-case ASCII words (see words.h). */
#include "conv/words.h"

#include <string.h>

int words_fold(const char *q, char words[WORDS_MAX][WORD_MAX])
{
	int n = 0;
	size_t len = 0;
	for (const unsigned char *p = (const unsigned char *)q;; p++) {
		const char *rep = NULL;
		char one[2] = {0};
		if (*p >= 'A' && *p <= 'Z') {
			one[0] = (char)(*p - 'A' + 'a');
		} else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || (*p == '-' && len)) {
			one[0] = (char)*p;
		} else if (*p == 0xC3 && p[1]) {
			switch (p[1]) {
			case 0xA4: case 0x84: rep = "ae"; break;
			case 0xB6: case 0x96: rep = "oe"; break;
			case 0xBC: case 0x9C: rep = "ue"; break;
			case 0x9F: rep = "ss"; break;
			default: break;
			}
			if (rep)
				p++;
		}
		if (one[0])
			rep = one;
		if (rep) {
			size_t rl = strlen(rep);
			if (n < WORDS_MAX && len + rl < WORD_MAX) {
				memcpy(words[n] + len, rep, rl);
				len += rl;
			}
			continue;
		}
		if (len && n < WORDS_MAX) { /* a word ends here */
			while (len && words[n][len - 1] == '-')
				len--;
			words[n][len] = '\0';
			if (len)
				n++;
		}
		len = 0;
		if (!*p)
			break;
	}
	return n;
}
