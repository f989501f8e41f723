/*
 * test_vectors.c — unit tests for src/rag/vectors.c: cosine search over float32 and int8 vector sets
 * against a naive double-precision reference on seeded random data, input checks, ties, the storage
 * form, and reciprocal rank fusion on hand-computed examples.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rag/vectors.h"

/* ---- helpers ------------------------------------------------------------------------------------ */

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15u);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1). */
static double rng_unit(struct rng *r)
{
	return ((double)(rng_next(r) >> 11) + 0.5) / 9007199254740992.0;
}

/* Standard normal (Box–Muller). */
static double rng_gauss(struct rng *r)
{
	double u = rng_unit(r), v = rng_unit(r);

	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static float *random_vectors(struct rng *r, int n, int dim)
{
	float *v = malloc((size_t)n * (size_t)dim * sizeof *v);

	assert_non_null(v);
	for (size_t i = 0; i < (size_t)n * (size_t)dim; i++)
		v[i] = (float)(rng_gauss(r) * 3.0);
	return v;
}

/* Cosine of a and b in double. */
static double ref_cos(const float *a, const float *b, int dim)
{
	double ab = 0, aa = 0, bb = 0;

	for (int i = 0; i < dim; i++) {
		ab += (double)a[i] * b[i];
		aa += (double)a[i] * a[i];
		bb += (double)b[i] * b[i];
	}
	return ab / sqrt(aa * bb);
}

struct ref_hit {
	int64_t id;
	double score;
};

static int cmp_ref(const void *pa, const void *pb)
{
	const struct ref_hit *a = pa, *b = pb;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

/* All n scores of the query, best first; ids are 1000 + row. */
static struct ref_hit *reference(const float *data, int n, int dim, const float *q)
{
	struct ref_hit *h = malloc((size_t)n * sizeof *h);

	assert_non_null(h);
	for (int i = 0; i < n; i++) {
		h[i].id = 1000 + i;
		h[i].score = ref_cos(data + (size_t)i * dim, q, dim);
	}
	qsort(h, (size_t)n, sizeof *h, cmp_ref);
	return h;
}

static struct vec_set *build(enum vec_kind kind, const float *data, int n, int dim, size_t hint)
{
	struct vec_set *s = vec_set_new(dim, kind, hint);

	assert_non_null(s);
	for (int i = 0; i < n; i++)
		assert_int_equal(vec_set_add(s, 1000 + i, data + (size_t)i * dim, dim), VEC_OK);
	assert_int_equal(vec_set_count(s), n);
	assert_int_equal(vec_set_dim(s), dim);
	assert_int_equal(vec_set_kind(s), kind);
	return s;
}

/* ---- float32 ------------------------------------------------------------------------------------ */

/* The ranking is the reference's up to float rounding: every score within 1e-5 of the reference
 * score at its rank and of the returned id's own reference score; ids differ only where the
 * reference itself has a near-tie. Dimensions on and off the block size, hint and no hint. */
static void test_f32_matches_reference(void **state)
{
	static const int dims[] = {1, 3, 16, 100, 384};
	struct rng r = {42};

	(void)state;
	for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
		int dim = dims[d], n = 700, k = 25;
		float *data = random_vectors(&r, n, dim), *qs = random_vectors(&r, 8, dim);
		struct vec_set *s = build(VEC_F32, data, n, dim, d % 2 ? 0 : (size_t)n);
		struct vec_hit out[25];

		for (int qi = 0; qi < 8; qi++) {
			const float *q = qs + (size_t)qi * dim;
			struct ref_hit *ref = reference(data, n, dim, q);

			assert_int_equal(vec_set_search(s, q, dim, k, out), k);
			for (int i = 0; i < k; i++) {
				double own = ref_cos(data + (size_t)(out[i].id - 1000) * dim, q, dim);

				assert_true(fabs(out[i].score - ref[i].score) < 1e-5);
				assert_true(fabs(out[i].score - own) < 1e-5);
				if (out[i].id != ref[i].id)
					assert_true(fabs(ref[i].score - own) < 2e-5);
				if (i > 0)
					assert_true(out[i - 1].score > out[i].score ||
						    (out[i - 1].score == out[i].score && out[i - 1].id < out[i].id));
			}
			free(ref);
		}
		vec_set_free(s);
		free(data);
		free(qs);
	}
}

/* Exact cosines on a small hand-made set; the query need not be normalised. */
static void test_f32_known_values(void **state)
{
	const float v[5][3] = {{1, 0, 0}, {1, 1, 0}, {0, 5, 0}, {-2, 0, 0}, {1, 1, 1}};
	const float q[3] = {7, 0, 0};
	struct vec_set *s = vec_set_new(3, VEC_F32, 2);
	struct vec_hit out[5];

	(void)state;
	assert_non_null(s);
	for (int i = 0; i < 5; i++)
		assert_int_equal(vec_set_add(s, i + 1, v[i], 3), VEC_OK);
	assert_int_equal(vec_set_search(s, q, 3, 5, out), 5);
	assert_int_equal(out[0].id, 1);
	assert_float_equal(out[0].score, 1.0f, 1e-6);
	assert_int_equal(out[1].id, 2);
	assert_float_equal(out[1].score, (float)(1 / sqrt(2)), 1e-6);
	assert_int_equal(out[2].id, 5);
	assert_float_equal(out[2].score, (float)(1 / sqrt(3)), 1e-6);
	assert_int_equal(out[3].id, 3);
	assert_float_equal(out[3].score, 0.0f, 1e-6);
	assert_int_equal(out[4].id, 4);
	assert_float_equal(out[4].score, -1.0f, 1e-6);
	vec_set_free(s);
}

/* ---- int8 --------------------------------------------------------------------------------------- */

/* On 384-dim random data, each query's top 10 shares at least 9 ids with the exact top 10, and every
 * returned score is within 0.01 of the id's exact cosine. */
static void test_i8_close_to_reference(void **state)
{
	struct rng r = {7};
	int dim = 384, n = 3000, k = 10, nq = 40;
	float *data = random_vectors(&r, n, dim), *qs = random_vectors(&r, nq, dim);
	struct vec_set *s = build(VEC_I8, data, n, dim, 0);
	struct vec_hit out[10];
	double worst = 0;
	int min_overlap = k;

	(void)state;
	for (int qi = 0; qi < nq; qi++) {
		const float *q = qs + (size_t)qi * dim;
		struct ref_hit *ref = reference(data, n, dim, q);
		int overlap = 0;

		assert_int_equal(vec_set_search(s, q, dim, k, out), k);
		for (int i = 0; i < k; i++) {
			double own = ref_cos(data + (size_t)(out[i].id - 1000) * dim, q, dim);

			if (fabs(out[i].score - own) > worst)
				worst = fabs(out[i].score - own);
			for (int j = 0; j < k; j++)
				overlap += out[i].id == ref[j].id;
		}
		if (overlap < min_overlap)
			min_overlap = overlap;
		free(ref);
	}
	print_message("int8: worst score error %.5f, smallest top-10 overlap %d\n", worst, min_overlap);
	assert_true(min_overlap >= 9);
	assert_true(worst < 0.005);
	vec_set_free(s);
	free(data);
	free(qs);
}

/* A vector that is its own query scores about 1 and ranks first; int8 memory is about a quarter. */
static void test_i8_self_and_memory(void **state)
{
	struct rng r = {99};
	int dim = 768, n = 200;
	float *data = random_vectors(&r, n, dim);
	struct vec_set *s8 = build(VEC_I8, data, n, dim, (size_t)n);
	struct vec_set *s32 = build(VEC_F32, data, n, dim, (size_t)n);
	struct vec_hit out[3];

	(void)state;
	for (int i = 0; i < n; i += 37) {
		assert_int_equal(vec_set_search(s8, data + (size_t)i * dim, dim, 3, out), 3);
		assert_int_equal(out[0].id, 1000 + i);
		assert_float_equal(out[0].score, 1.0f, 0.01);
	}
	assert_true(vec_set_bytes(s32) >= (size_t)n * dim * 4);
	assert_true(vec_set_bytes(s8) >= (size_t)n * dim);
	assert_true(vec_set_bytes(s8) * 3 < vec_set_bytes(s32));
	vec_set_free(s8);
	vec_set_free(s32);
	free(data);
}

/* ---- checks, edges, ties ------------------------------------------------------------------------ */

static void test_rejects(void **state)
{
	const float ok[4] = {1, 2, 3, 4}, zero[4] = {0, 0, 0, 0};
	float bad[4] = {1, 2, 3, 4};
	struct vec_hit out[2];

	(void)state;
	assert_null(vec_set_new(0, VEC_F32, 0));
	assert_null(vec_set_new(-3, VEC_I8, 0));
	assert_null(vec_set_new(VEC_DIM_MAX + 1, VEC_F32, 0));
	assert_null(vec_set_new(4, (enum vec_kind)7, 0));
	for (int kind = VEC_F32; kind <= VEC_I8; kind++) {
		struct vec_set *s = vec_set_new(4, (enum vec_kind)kind, 0);

		assert_non_null(s);
		assert_int_equal(vec_set_add(s, 1, zero, 4), VEC_ERR_ZERO);
		bad[2] = NAN;
		assert_int_equal(vec_set_add(s, 1, bad, 4), VEC_ERR_VALUE);
		bad[2] = INFINITY;
		assert_int_equal(vec_set_add(s, 1, bad, 4), VEC_ERR_VALUE);
		bad[2] = -INFINITY;
		assert_int_equal(vec_set_add(s, 1, bad, 4), VEC_ERR_VALUE);
		assert_int_equal(vec_set_add(s, 1, ok, 3), VEC_ERR_DIM);
		assert_int_equal(vec_set_add(s, 1, ok, 5), VEC_ERR_DIM);
		assert_int_equal(vec_set_add(s, 1, NULL, 4), VEC_ERR_ARG);
		assert_int_equal(vec_set_add(NULL, 1, ok, 4), VEC_ERR_ARG);
		assert_int_equal(vec_set_count(s), 0);
		/* Queries are checked the same way, even on an empty set. */
		assert_int_equal(vec_set_search(s, zero, 4, 2, out), VEC_ERR_ZERO);
		assert_int_equal(vec_set_search(s, bad, 4, 2, out), VEC_ERR_VALUE);
		assert_int_equal(vec_set_search(s, ok, 3, 2, out), VEC_ERR_DIM);
		assert_int_equal(vec_set_search(s, ok, 4, -1, out), VEC_ERR_ARG);
		assert_int_equal(vec_set_search(s, ok, 4, 2, NULL), VEC_ERR_ARG);
		assert_int_equal(vec_set_search(s, ok, 4, 2, out), 0);
		assert_int_equal(vec_set_add(s, 1, ok, 4), VEC_OK);
		assert_int_equal(vec_set_search(s, ok, 4, 0, NULL), 0);
		assert_int_equal(vec_set_count(s), 1);
		vec_set_free(s);
	}
	vec_set_free(NULL);
	assert_int_equal(vec_set_count(NULL), 0);
	assert_int_equal(vec_set_bytes(NULL), 0);
}

/* Tiny and huge components normalise like any other; k above the count returns the count. */
static void test_extremes_and_k_above_count(void **state)
{
	const float tiny[2] = {1e-45f, 0}, huge[2] = {3e38f, 3e38f}, neg[2] = {0, -1};
	struct vec_hit out[10];

	(void)state;
	for (int kind = VEC_F32; kind <= VEC_I8; kind++) {
		struct vec_set *s = vec_set_new(2, (enum vec_kind)kind, 1);

		assert_non_null(s);
		assert_int_equal(vec_set_add(s, 1, tiny, 2), VEC_OK);
		assert_int_equal(vec_set_add(s, 2, huge, 2), VEC_OK);
		assert_int_equal(vec_set_add(s, 3, neg, 2), VEC_OK);
		assert_int_equal(vec_set_search(s, huge, 2, 10, out), 3);
		assert_int_equal(out[0].id, 2);
		assert_float_equal(out[0].score, 1.0f, 0.01);
		assert_int_equal(out[1].id, 1);
		assert_float_equal(out[1].score, (float)(1 / sqrt(2)), 0.01);
		assert_int_equal(out[2].id, 3);
		assert_float_equal(out[2].score, (float)(-1 / sqrt(2)), 0.01);
		assert_int_equal(vec_set_search(s, tiny, 2, 1, out), 1);
		assert_int_equal(out[0].id, 1);
		vec_set_free(s);
	}
}

/* Equal scores come out by id ascending, whatever the insertion order, and the top-k cut keeps the
 * smallest ids among equals. */
static void test_ties(void **state)
{
	const float a[3] = {1, 2, 3}, a2[3] = {2, 4, 6}, b[3] = {3, 2, 1};
	const int64_t ids[] = {50, 7, 31, 9, 12};
	struct vec_hit out[6];

	(void)state;
	for (int kind = VEC_F32; kind <= VEC_I8; kind++) {
		struct vec_set *s = vec_set_new(3, (enum vec_kind)kind, 0);

		assert_non_null(s);
		assert_int_equal(vec_set_add(s, 100, b, 3), VEC_OK);
		for (int i = 0; i < 5; i++)
			assert_int_equal(vec_set_add(s, ids[i], i % 2 ? a2 : a, 3), VEC_OK);
		assert_int_equal(vec_set_search(s, a, 3, 6, out), 6);
		assert_int_equal(out[0].id, 7);
		assert_int_equal(out[1].id, 9);
		assert_int_equal(out[2].id, 12);
		assert_int_equal(out[3].id, 31);
		assert_int_equal(out[4].id, 50);
		assert_int_equal(out[5].id, 100);
		for (int i = 1; i < 5; i++)
			assert_true(out[i].score == out[0].score);
		assert_int_equal(vec_set_search(s, a, 3, 2, out), 2);
		assert_int_equal(out[0].id, 7);
		assert_int_equal(out[1].id, 9);
		vec_set_free(s);
	}
}

/* Many adds past the hint: growth keeps every vector. */
static void test_growth(void **state)
{
	struct rng r = {5};
	int dim = 33, n = 1000;
	float *data = random_vectors(&r, n, dim);
	struct vec_set *s = build(VEC_I8, data, n, dim, 3);
	struct vec_hit out[1];
	size_t before = vec_set_bytes(s);

	(void)state;
	for (int i = 0; i < n; i += 111) {
		assert_int_equal(vec_set_search(s, data + (size_t)i * dim, dim, 1, out), 1);
		assert_int_equal(out[0].id, 1000 + i);
	}
	assert_true(before >= (size_t)n * 32);
	vec_set_free(s);
	free(data);
}

/* ---- storage form ------------------------------------------------------------------------------- */

static void test_pack_unpack(void **state)
{
	const float v[3] = {1.0f, -2.5f, 0.1f};
	unsigned char b[12];
	float back[3];

	(void)state;
	vec_pack_f32(v, 3, b);
	/* 1.0f = 0x3f800000, -2.5f = 0xc0200000, little-endian. */
	assert_memory_equal(b, "\x00\x00\x80\x3f\x00\x00\x20\xc0", 8);
	assert_int_equal(vec_unpack_f32(b, 12, 3, back), VEC_OK);
	assert_memory_equal(back, v, sizeof v);
	assert_int_equal(vec_unpack_f32(b, 11, 3, back), VEC_ERR_DIM);
	assert_int_equal(vec_unpack_f32(b, 12, 4, back), VEC_ERR_DIM);
	assert_int_equal(vec_unpack_f32(b, 0, 0, back), VEC_ERR_DIM);
	assert_int_equal(vec_unpack_f32(NULL, 12, 3, back), VEC_ERR_ARG);
	memcpy(b + 4, "\x00\x00\xc0\x7f", 4); /* a NaN */
	assert_int_equal(vec_unpack_f32(b, 12, 3, back), VEC_ERR_VALUE);
	memcpy(b + 4, "\x00\x00\x80\xff", 4); /* -infinity */
	assert_int_equal(vec_unpack_f32(b, 12, 3, back), VEC_ERR_VALUE);
}

/* ---- reciprocal rank fusion --------------------------------------------------------------------- */

static void test_rrf_hand_computed(void **state)
{
	const int64_t a[] = {1, 2, 3}, b[] = {3, 1, 4};
	struct rrf_hit out[8];

	(void)state;
	/* 1: 1/61 + 1/62; 3: 1/63 + 1/61; 2: 1/62; 4: 1/63. */
	assert_int_equal(rrf_fuse(a, 3, b, 3, 0, out, 8), 4);
	assert_int_equal(out[0].id, 1);
	assert_float_equal(out[0].score, 1.0 / 61 + 1.0 / 62, 1e-12);
	assert_int_equal(out[0].rank_a, 1);
	assert_int_equal(out[0].rank_b, 2);
	assert_int_equal(out[1].id, 3);
	assert_float_equal(out[1].score, 1.0 / 63 + 1.0 / 61, 1e-12);
	assert_int_equal(out[2].id, 2);
	assert_float_equal(out[2].score, 1.0 / 62, 1e-12);
	assert_int_equal(out[2].rank_b, 0);
	assert_int_equal(out[3].id, 4);
	assert_float_equal(out[3].score, 1.0 / 63, 1e-12);
	assert_int_equal(out[3].rank_a, 0);
	assert_int_equal(out[3].rank_b, 3);
	/* Another constant changes the scores, not this order. */
	assert_int_equal(rrf_fuse(a, 3, b, 3, 10, out, 8), 4);
	assert_float_equal(out[0].score, 1.0 / 11 + 1.0 / 12, 1e-12);
}

/* With k = 1: 2 (b#1) = 100 (a#1) = 50 (a#3, b#3) = 1/2; 1 (a#2) = 3 (b#2) = 1/3. Equal scores go by
 * the better rank, then by id. */
static void test_rrf_ties(void **state)
{
	const int64_t a[] = {100, 1, 50}, b[] = {2, 3, 50};
	const int64_t want[] = {2, 100, 50, 1, 3};
	struct rrf_hit out[5];

	(void)state;
	assert_int_equal(rrf_fuse(a, 3, b, 3, 1, out, 5), 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(out[i].id, want[i]);
	assert_true(out[0].score == 0.5 && out[1].score == 0.5 && out[2].score == 0.5);
	assert_true(out[3].score == out[4].score);
}

static void test_rrf_duplicates_empty_cut(void **state)
{
	const int64_t a[] = {5, 5, 6, 5}, b[] = {6, 6};
	struct rrf_hit out[4];

	(void)state;
	/* 5 counts once at rank 1 in a; 6 is a#3 and b#1 (its first rank in each). */
	assert_int_equal(rrf_fuse(a, 4, b, 2, 0, out, 4), 2);
	assert_int_equal(out[0].id, 6);
	assert_float_equal(out[0].score, 1.0 / 63 + 1.0 / 61, 1e-12);
	assert_int_equal(out[0].rank_a, 3);
	assert_int_equal(out[0].rank_b, 1);
	assert_int_equal(out[1].id, 5);
	assert_float_equal(out[1].score, 1.0 / 61, 1e-12);
	/* Empty lists. */
	assert_int_equal(rrf_fuse(NULL, 0, NULL, 0, 0, out, 4), 0);
	assert_int_equal(rrf_fuse(NULL, 0, b, 2, 0, out, 4), 1);
	assert_int_equal(out[0].id, 6);
	assert_int_equal(out[0].rank_a, 0);
	assert_int_equal(rrf_fuse(a, 4, NULL, 0, 0, out, 4), 2);
	assert_int_equal(out[0].id, 5);
	assert_int_equal(out[1].id, 6);
	/* max_out cuts after ranking. */
	assert_int_equal(rrf_fuse(a, 4, b, 2, 0, out, 1), 1);
	assert_int_equal(out[0].id, 6);
	assert_int_equal(rrf_fuse(a, 4, b, 2, 0, NULL, 0), 0);
	/* Bad arguments. */
	assert_int_equal(rrf_fuse(a, -1, b, 2, 0, out, 4), VEC_ERR_ARG);
	assert_int_equal(rrf_fuse(a, 4, b, 2, -60, out, 4), VEC_ERR_ARG);
	assert_int_equal(rrf_fuse(NULL, 2, b, 2, 0, out, 4), VEC_ERR_ARG);
	assert_int_equal(rrf_fuse(a, 4, b, 2, 0, NULL, 4), VEC_ERR_ARG);
	assert_int_equal(rrf_fuse(a, 4, b, 2, 0, out, -1), VEC_ERR_ARG);
}

/* Fused from a vector search and a fake text ranking of the same set: results in both lists beat
 * the one that is first in only one. */
static void test_rrf_of_searches(void **state)
{
	const float v[4][2] = {{1, 0}, {0.9f, 0.1f}, {0, 1}, {-1, 0}};
	const float q[2] = {1, 0};
	const int64_t text[] = {3, 2};
	struct vec_set *s = vec_set_new(2, VEC_F32, 4);
	struct vec_hit hits[4];
	int64_t ids[4];
	struct rrf_hit out[4];
	int n;

	(void)state;
	assert_non_null(s);
	for (int i = 0; i < 4; i++)
		assert_int_equal(vec_set_add(s, i + 1, v[i], 2), VEC_OK);
	n = vec_set_search(s, q, 2, 3, hits);
	assert_int_equal(n, 3);
	for (int i = 0; i < n; i++)
		ids[i] = hits[i].id;
	/* vectors: 1, 2, 3; text: 3, 2 → 3 (1/61 + 1/63) > 2 (1/62 + 1/62) > 1 (1/61). */
	assert_int_equal(rrf_fuse(text, 2, ids, n, 0, out, 4), 3);
	assert_int_equal(out[0].id, 3);
	assert_int_equal(out[1].id, 2);
	assert_int_equal(out[2].id, 1);
	vec_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_f32_matches_reference),
		cmocka_unit_test(test_f32_known_values),
		cmocka_unit_test(test_i8_close_to_reference),
		cmocka_unit_test(test_i8_self_and_memory),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_extremes_and_k_above_count),
		cmocka_unit_test(test_ties),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_pack_unpack),
		cmocka_unit_test(test_rrf_hand_computed),
		cmocka_unit_test(test_rrf_ties),
		cmocka_unit_test(test_rrf_duplicates_empty_cut),
		cmocka_unit_test(test_rrf_of_searches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
