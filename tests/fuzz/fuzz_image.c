/*
 * fuzz_image.c — libFuzzer harness for the image header parser (src/http/image.c), which reads the raw
 * body of every logo and photo upload.
 *
 * Input: the body (copied to a buffer of exactly its size, so ASan sees any over-read), and the same bytes
 * as a Content-Type value.
 * Invariants checked (abort on violation):
 *   - IMAGE_OK comes with a known type and non-zero width and height; PNG sides fit in 31 bits, JPEG in 16;
 *   - the type reported matches the signature at the start of the input (also for IMAGE_MALFORMED), and
 *     IMAGE_NOT_IMAGE has no type;
 *   - a failure always explains itself (a non-empty sentence);
 *   - the answer depends only on the bytes: a second call gives the same result.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct image_info info, again;
	const char *why = NULL;
	int rc = image_probe(buf, size, &info, &why);
	bool png = size >= 8 && !memcmp(buf, "\x89PNG\r\n\x1a\n", 8);
	bool jpeg = !png && size >= 3 && buf[0] == 0xff && buf[1] == 0xd8 && buf[2] == 0xff;
	if (rc == IMAGE_OK) {
		if (info.type == IMAGE_UNKNOWN || info.width == 0 || info.height == 0)
			abort();
		if (info.type == IMAGE_JPEG && (info.width > 0xffff || info.height > 0xffff))
			abort();
		if (info.width > 0x7fffffffu || info.height > 0x7fffffffu)
			abort();
	} else {
		if (!why || !*why)
			abort();
		if (rc == IMAGE_NOT_IMAGE && info.type != IMAGE_UNKNOWN)
			abort();
	}
	if ((rc != IMAGE_NOT_IMAGE) != (png || jpeg))
		abort();
	if (rc != IMAGE_NOT_IMAGE && info.type != (png ? IMAGE_PNG : IMAGE_JPEG))
		abort();
	if (image_probe(buf, size, &again, NULL) != rc || memcmp(&again, &info, sizeof info) != 0)
		abort();

	char *ct = malloc(size + 1);
	if (ct) {
		memcpy(ct, data, size);
		ct[size] = '\0';
		enum image_type t = image_type_of_mime(ct);
		if (t != IMAGE_UNKNOWN && !image_mime(t))
			abort();
		free(ct);
	}
	free(buf);
	return 0;
}
