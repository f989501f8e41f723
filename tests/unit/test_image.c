/*
 * test_image.c — unit tests for src/http/image.c: PNG and JPEG headers judged by their bytes, built here
 * byte by byte, and the truncated, damaged and mislabelled inputs an upload may bring.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "http/image.h"

static uint32_t crc(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xffffffffu;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* Signature + IHDR (33 bytes) for w×h, 8-bit colour type `color`; returns the length. */
static size_t make_png(unsigned char *out, uint32_t w, uint32_t h, unsigned color)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	memcpy(out, sig, 8);
	put32(out + 8, 13);
	memcpy(out + 12, "IHDR", 4);
	put32(out + 16, w);
	put32(out + 20, h);
	out[24] = 8, out[25] = (unsigned char)color, out[26] = 0, out[27] = 0, out[28] = 0;
	put32(out + 29, crc(out + 12, 17));
	return 33;
}

/* SOI, APP0 (JFIF), a COM segment, fill bytes, SOF `sof` for w×h, EOI; returns the length. */
static size_t make_jpeg(unsigned char *out, unsigned w, unsigned h, unsigned char sof)
{
	static const unsigned char head[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0,
					     1, 0, 0, 0xff, 0xfe, 0x00, 0x05, 'h', 'i', '!', 0xff, 0xff};
	size_t n = sizeof head;
	memcpy(out, head, n);
	const unsigned char frame[] = {sof,	0x00, 0x11, 8, (unsigned char)(h >> 8), (unsigned char)h, (unsigned char)(w >> 8),
				       (unsigned char)w, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xd9};
	memcpy(out + n, frame, sizeof frame);
	return n + sizeof frame;
}

static void test_png_dimensions(void **state)
{
	(void)state;
	unsigned char b[64];
	struct image_info i;
	const char *why = NULL;
	size_t n = make_png(b, 640, 480, 6);
	assert_int_equal(image_probe(b, n, &i, &why), IMAGE_OK);
	assert_int_equal(i.type, IMAGE_PNG);
	assert_int_equal(i.width, 640);
	assert_int_equal(i.height, 480);
	n = make_png(b, 5000, 5000, 2); /* the parser reports; the API refuses the size */
	assert_int_equal(image_probe(b, n, &i, NULL), IMAGE_OK);
	assert_int_equal(i.width, 5000);
}

static void test_png_truncated_or_damaged(void **state)
{
	(void)state;
	unsigned char b[64];
	struct image_info i;
	const char *why = NULL;
	size_t n = make_png(b, 16, 16, 2);
	for (size_t cut = 8; cut < n; cut++) {
		assert_int_equal(image_probe(b, cut, &i, &why), IMAGE_MALFORMED);
		assert_int_equal(i.type, IMAGE_PNG);
		assert_non_null(why);
	}
	b[20] ^= 1; /* height changed: the CRC no longer matches */
	assert_int_equal(image_probe(b, n, &i, &why), IMAGE_MALFORMED);
	assert_non_null(strstr(why, "checksum"));
	make_png(b, 0, 16, 2);
	assert_int_equal(image_probe(b, n, &i, NULL), IMAGE_MALFORMED);
	make_png(b, 0x80000000u, 16, 2);
	assert_int_equal(image_probe(b, n, &i, NULL), IMAGE_MALFORMED);
	make_png(b, 16, 16, 5); /* no colour type 5 */
	assert_int_equal(image_probe(b, n, &i, NULL), IMAGE_MALFORMED);
	make_png(b, 16, 16, 2);
	memcpy(b + 12, "IDAT", 4); /* first chunk must be IHDR */
	assert_int_equal(image_probe(b, n, &i, NULL), IMAGE_MALFORMED);
}

static void test_jpeg_dimensions(void **state)
{
	(void)state;
	unsigned char b[128];
	struct image_info i;
	size_t n = make_jpeg(b, 1024, 768, 0xc0);
	assert_int_equal(image_probe(b, n, &i, NULL), IMAGE_OK);
	assert_int_equal(i.type, IMAGE_JPEG);
	assert_int_equal(i.width, 1024);
	assert_int_equal(i.height, 768);
	n = make_jpeg(b, 17, 4096, 0xc2); /* progressive */
	assert_int_equal(image_probe(b, n, &i, NULL), IMAGE_OK);
	assert_int_equal(i.width, 17);
	assert_int_equal(i.height, 4096);
}

static void test_jpeg_truncated_or_damaged(void **state)
{
	(void)state;
	unsigned char b[128];
	struct image_info i;
	const char *why = NULL;
	size_t n = make_jpeg(b, 64, 64, 0xc0);
	size_t sof_end = n - 2 - 11; /* through the component count of the SOF header */
	for (size_t cut = 3; cut < sof_end; cut++) {
		assert_int_equal(image_probe(b, cut, &i, &why), IMAGE_MALFORMED);
		assert_int_equal(i.type, IMAGE_JPEG);
	}
	n = make_jpeg(b, 64, 0, 0xc0); /* height from a DNL segment later: not supported */
	assert_int_equal(image_probe(b, n, &i, NULL), IMAGE_MALFORMED);
	n = make_jpeg(b, 64, 64, 0xc4); /* DHT is not a frame: no SOF before EOI */
	assert_int_equal(image_probe(b, n, &i, &why), IMAGE_MALFORMED);
	assert_non_null(strstr(why, "SOF"));
	n = make_jpeg(b, 64, 64, 0xc0);
	b[4] = 0xff, b[5] = 0xff; /* APP0 claims 65535 bytes */
	assert_int_equal(image_probe(b, n, &i, NULL), IMAGE_MALFORMED);
	n = make_jpeg(b, 64, 64, 0xc0);
	b[4] = 0, b[5] = 1; /* a length below 2 */
	assert_int_equal(image_probe(b, n, &i, NULL), IMAGE_MALFORMED);
	n = make_jpeg(b, 64, 64, 0xc0);
	b[20] = 0x00; /* not a marker where one must be */
	assert_int_equal(image_probe(b, n, &i, NULL), IMAGE_MALFORMED);
	const unsigned char sos_first[] = {0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0xff, 0xd9};
	assert_int_equal(image_probe(sos_first, sizeof sos_first, &i, NULL), IMAGE_MALFORMED);
}

static void test_not_an_image(void **state)
{
	(void)state;
	struct image_info i;
	const char *why = NULL;
	static const unsigned char gif[] = "GIF89a\x10\x00\x10\x00";
	assert_int_equal(image_probe(gif, sizeof gif - 1, &i, &why), IMAGE_NOT_IMAGE);
	assert_int_equal(i.type, IMAGE_UNKNOWN);
	assert_non_null(why);
	assert_int_equal(image_probe(NULL, 0, &i, NULL), IMAGE_NOT_IMAGE);
	assert_int_equal(image_probe((const unsigned char *)"\xff\xd8", 2, &i, NULL), IMAGE_NOT_IMAGE);
	assert_int_equal(image_probe((const unsigned char *)"\x89PNG\r\n\x1a", 7, &i, NULL), IMAGE_NOT_IMAGE);
	assert_int_equal(image_probe((const unsigned char *)"{\"a\":1}", 7, &i, NULL), IMAGE_NOT_IMAGE);
}

static void test_declared_types(void **state)
{
	(void)state;
	assert_int_equal(image_type_of_mime("image/png"), IMAGE_PNG);
	assert_int_equal(image_type_of_mime(" IMAGE/PNG; charset=binary"), IMAGE_PNG);
	assert_int_equal(image_type_of_mime("image/jpeg"), IMAGE_JPEG);
	assert_int_equal(image_type_of_mime("image/jpg"), IMAGE_JPEG);
	assert_int_equal(image_type_of_mime("image/pngx"), IMAGE_UNKNOWN);
	assert_int_equal(image_type_of_mime("image/gif"), IMAGE_UNKNOWN);
	assert_int_equal(image_type_of_mime("application/json"), IMAGE_UNKNOWN);
	assert_int_equal(image_type_of_mime(""), IMAGE_UNKNOWN);
	assert_int_equal(image_type_of_mime(NULL), IMAGE_UNKNOWN);
	assert_string_equal(image_mime(IMAGE_PNG), "image/png");
	assert_string_equal(image_mime(IMAGE_JPEG), "image/jpeg");
	assert_null(image_mime(IMAGE_UNKNOWN));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_png_dimensions),	      cmocka_unit_test(test_png_truncated_or_damaged),
		cmocka_unit_test(test_jpeg_dimensions),	      cmocka_unit_test(test_jpeg_truncated_or_damaged),
		cmocka_unit_test(test_not_an_image),	      cmocka_unit_test(test_declared_types),
	};
	return cmocka_run_group_tests_name("image", tests, NULL, NULL);
}
