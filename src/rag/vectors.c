/*
 * vectors.c — in-memory vector sets with brute-force cosine search, and reciprocal rank fusion (see
 * vectors.h for the contract, docs/internals/vectors.md for the figures).
 *
 * Layout (structure of arrays): ids[cap], then one buffer of cap rows of `stride` components (float or
 * int8), and for VEC_I8 scales[cap]. A row is the normalised vector followed by zeros up to the stride,
 * a multiple of the dot-product block (16 floats, 32 int8), and the buffer is 64-byte aligned, so every
 * row starts on a cache line for VEC_F32 and the inner loops below have a fixed trip count, no branch
 * and no tail. GCC -O2 (whose vectoriser only takes loops it can vectorise whole) turns them into SSE2
 * (or AVX with -march) code: the float loop keeps 16 partial sums (4 registers), so no reassociation of
 * the float sum is needed (which -O2 would not do), and `#pragma GCC unroll` makes its block straight
 * code so the partial sums stay in registers instead of a stack array; the int8 loop is an integer
 * reduction against the query widened to int16, which GCC turns into pmaddwd. Checked with
 * -fopt-info-vec (GCC 12): "loop vectorized using 16 byte vectors" for both loops.
 *
 * Search scores each row in turn and keeps the best k in a min-heap (worst kept hit at the root) built
 * in the caller's output array, then sorts those k. It allocates one scratch row for the normalised
 * (VEC_I8: quantised, int16) query and writes nothing else, so concurrent searches need no lock.
 */
#include "rag/vectors.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define F32_BLOCK 16 /* floats per dot-product block: 4 SSE or 2 AVX registers of partial sums */
#define I8_BLOCK 32  /* int8 per block */
#define ROW_ALIGN 64 /* bytes; the buffers' alignment */
#define GROW_MIN 64  /* first capacity when none was hinted */

struct vec_set {
	int dim;            /* components per vector */
	int stride;         /* components per stored row: dim rounded up to the block */
	enum vec_kind kind;
	size_t count, cap;  /* vectors held, rows allocated */
	int64_t *ids;       /* [cap] */
	float *f32;         /* [cap * stride], VEC_F32 */
	int8_t *i8;         /* [cap * stride], VEC_I8 */
	float *scales;      /* [cap], VEC_I8: component = q * scale */
};

/* ---- dot products ------------------------------------------------------------------------------- */

/* a·b over `blocks` blocks of F32_BLOCK floats. The partial sums are added in a fixed order, so the
 * result does not depend on the machine's vector width. */
static float dot_f32(const float *restrict a, const float *restrict b, size_t blocks)
{
	float acc[F32_BLOCK] = {0};

	for (size_t i = 0; i < blocks; i++, a += F32_BLOCK, b += F32_BLOCK) {
#pragma GCC unroll 16
		for (int j = 0; j < F32_BLOCK; j++)
			acc[j] += a[j] * b[j];
	}
	for (int w = F32_BLOCK / 2; w > 0; w /= 2)
		for (int j = 0; j < w; j++)
			acc[j] += acc[j + w];
	return acc[0];
}

/* q·row over `blocks` blocks of I8_BLOCK components, in int32: at most 8192 * 127 * 127 < 2^31. The
 * query is widened to int16 once per search, so GCC recognises a 16-bit dot product (SSE2 pmaddwd:
 * eight products summed pairwise into four int32 per instruction), twice as fast as int8 × int8
 * with both sides widened in the loop. An integer sum may be reassociated, so one accumulator does. */
static int32_t dot_i8(const int16_t *restrict q, const int8_t *restrict row, size_t blocks)
{
	int32_t sum = 0;

	for (size_t i = 0; i < blocks; i++, q += I8_BLOCK, row += I8_BLOCK)
		for (int j = 0; j < I8_BLOCK; j++)
			sum += (int32_t)q[j] * (int32_t)row[j];
	return sum;
}

/* ---- vectors in and out ------------------------------------------------------------------------- */

/* Checks v[0..dim) and gives 1/|v|. VEC_ERR_VALUE for a non-finite component, VEC_ERR_ZERO for none
 * non-zero. The sum of squares is taken in double: floats up to FLT_MAX square without overflow and
 * subnormals without underflow. */
static int inv_norm(const float *v, int dim, double *inv)
{
	double ss = 0;

	for (int i = 0; i < dim; i++) {
		if (!isfinite(v[i]))
			return VEC_ERR_VALUE;
		ss += (double)v[i] * v[i];
	}
	if (ss == 0)
		return VEC_ERR_ZERO;
	*inv = 1.0 / sqrt(ss);
	return VEC_OK;
}

/* Writes v normalised to row[0..dim) and zeros to row[dim..stride). */
static void put_f32(float *row, int stride, const float *v, int dim, double inv)
{
	for (int i = 0; i < dim; i++)
		row[i] = (float)(v[i] * inv);
	for (int i = dim; i < stride; i++)
		row[i] = 0;
}

/* Writes v normalised and quantised to row[0..stride) (or to wide[0..stride), the query's form) and
 * returns its scale (max|x| / 127, > 0). */
static float put_i8(int8_t *row, int16_t *wide, int stride, const float *v, int dim, double inv)
{
	double m = 0, q;

	for (int i = 0; i < dim; i++) {
		double x = fabs(v[i] * inv);

		if (x > m)
			m = x;
	}
	/* m >= 1/sqrt(dim) > 0: the largest component of a unit vector. */
	for (int i = 0; i < stride; i++) {
		q = i < dim ? nearbyint(v[i] * inv * 127.0 / m) : 0;
		q = q > 127 ? 127 : q < -127 ? -127 : q;
		if (row)
			row[i] = (int8_t)q;
		else
			wide[i] = (int16_t)q;
	}
	return (float)(m / 127.0);
}

/* ---- the set ------------------------------------------------------------------------------------ */

static size_t elem_size(enum vec_kind kind)
{
	return kind == VEC_F32 ? sizeof(float) : sizeof(int8_t);
}

/* An aligned buffer of n bytes (rounded up to ROW_ALIGN); NULL when out of memory. */
static void *alloc_rows(size_t n)
{
	n = (n + ROW_ALIGN - 1) / ROW_ALIGN * ROW_ALIGN;
	return aligned_alloc(ROW_ALIGN, n ? n : ROW_ALIGN);
}

/* Grows the buffers to `cap` rows. VEC_ERR_NOMEM (the set unchanged) when that fails. */
static int set_reserve(struct vec_set *s, size_t cap)
{
	size_t row = (size_t)s->stride * elem_size(s->kind);
	int64_t *ids = NULL;
	float *scales = NULL;
	void *rows = NULL;

	if (cap <= s->cap)
		return VEC_OK;
	if (cap > VEC_COUNT_MAX || cap > SIZE_MAX / row)
		return VEC_ERR_NOMEM;
	ids = malloc(cap * sizeof *ids);
	rows = alloc_rows(cap * row);
	if (s->kind == VEC_I8)
		scales = malloc(cap * sizeof *scales);
	if (!ids || !rows || (s->kind == VEC_I8 && !scales)) {
		free(ids);
		free(rows);
		free(scales);
		return VEC_ERR_NOMEM;
	}
	if (s->count) {
		memcpy(ids, s->ids, s->count * sizeof *ids);
		memcpy(rows, s->kind == VEC_F32 ? (void *)s->f32 : (void *)s->i8, s->count * row);
		if (scales)
			memcpy(scales, s->scales, s->count * sizeof *scales);
	}
	free(s->ids);
	free(s->f32);
	free(s->i8);
	free(s->scales);
	s->ids = ids;
	s->f32 = s->kind == VEC_F32 ? rows : NULL;
	s->i8 = s->kind == VEC_I8 ? rows : NULL;
	s->scales = scales;
	s->cap = cap;
	return VEC_OK;
}

struct vec_set *vec_set_new(int dim, enum vec_kind kind, size_t capacity_hint)
{
	struct vec_set *s;
	int block;

	if (dim < 1 || dim > VEC_DIM_MAX || (kind != VEC_F32 && kind != VEC_I8))
		return NULL;
	s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	block = kind == VEC_F32 ? F32_BLOCK : I8_BLOCK;
	s->dim = dim;
	s->stride = (dim + block - 1) / block * block;
	s->kind = kind;
	if (capacity_hint > VEC_COUNT_MAX)
		capacity_hint = VEC_COUNT_MAX;
	if (capacity_hint && set_reserve(s, capacity_hint) != VEC_OK) {
		free(s);
		return NULL;
	}
	return s;
}

void vec_set_free(struct vec_set *s)
{
	if (!s)
		return;
	free(s->ids);
	free(s->f32);
	free(s->i8);
	free(s->scales);
	free(s);
}

int vec_set_add(struct vec_set *s, int64_t id, const float *v, int dim)
{
	double inv;
	size_t r;
	int rc;

	if (!s || !v)
		return VEC_ERR_ARG;
	if (dim != s->dim)
		return VEC_ERR_DIM;
	rc = inv_norm(v, dim, &inv);
	if (rc != VEC_OK)
		return rc;
	if (s->count == s->cap) {
		size_t cap;

		if (s->cap >= VEC_COUNT_MAX)
			return VEC_ERR_FULL;
		cap = s->cap < GROW_MIN ? GROW_MIN : s->cap * 2;
		if (cap > VEC_COUNT_MAX)
			cap = VEC_COUNT_MAX;
		rc = set_reserve(s, cap);
		if (rc != VEC_OK)
			return rc;
	}
	r = s->count;
	if (s->kind == VEC_F32)
		put_f32(s->f32 + r * (size_t)s->stride, s->stride, v, dim, inv);
	else
		s->scales[r] = put_i8(s->i8 + r * (size_t)s->stride, NULL, s->stride, v, dim, inv);
	s->ids[r] = id;
	s->count++;
	return VEC_OK;
}

size_t vec_set_count(const struct vec_set *s)
{
	return s ? s->count : 0;
}

int vec_set_dim(const struct vec_set *s)
{
	return s ? s->dim : 0;
}

enum vec_kind vec_set_kind(const struct vec_set *s)
{
	return s ? s->kind : VEC_F32;
}

size_t vec_set_bytes(const struct vec_set *s)
{
	size_t row, n;

	if (!s)
		return 0;
	row = (size_t)s->stride * elem_size(s->kind);
	n = sizeof *s + s->cap * sizeof *s->ids;
	if (s->cap)
		n += (s->cap * row + ROW_ALIGN - 1) / ROW_ALIGN * ROW_ALIGN;
	if (s->kind == VEC_I8)
		n += s->cap * sizeof *s->scales;
	return n;
}

/* ---- search ------------------------------------------------------------------------------------- */

/* Whether hit (sa, ia) ranks above (sb, ib): higher score, then smaller id. */
static bool better(float sa, int64_t ia, float sb, int64_t ib)
{
	return sa > sb || (sa == sb && ia < ib);
}

/* Restores the min-heap (worst at h[0]) below position i of h[0..n). */
static void sift_down(struct vec_hit *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, w = i;

		if (l < n && better(h[w].score, h[w].id, h[l].score, h[l].id))
			w = l;
		if (l + 1 < n && better(h[w].score, h[w].id, h[l + 1].score, h[l + 1].id))
			w = l + 1;
		if (w == i)
			return;
		struct vec_hit t = h[i];
		h[i] = h[w];
		h[w] = t;
		i = w;
	}
}

/* Moves the new hit at h[n-1] up the min-heap h[0..n). */
static void sift_up(struct vec_hit *h, size_t n)
{
	size_t i = n - 1;

	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (!better(h[p].score, h[p].id, h[i].score, h[i].id))
			return;
		struct vec_hit t = h[i];
		h[i] = h[p];
		h[p] = t;
		i = p;
	}
}

/* Offers one scored row to the heap of the best `want` hits so far (*n of them). */
static inline void offer(struct vec_hit *h, size_t want, size_t *n, float score, int64_t id)
{
	if (*n < want) {
		h[*n].id = id;
		h[*n].score = score;
		sift_up(h, ++*n);
	} else if (better(score, id, h[0].score, h[0].id)) {
		h[0].id = id;
		h[0].score = score;
		sift_down(h, *n, 0);
	}
}

static int cmp_hit(const void *pa, const void *pb)
{
	const struct vec_hit *a = pa, *b = pb;

	if (better(a->score, a->id, b->score, b->id))
		return -1;
	return better(b->score, b->id, a->score, a->id) ? 1 : 0;
}

int vec_set_search(const struct vec_set *s, const float *query, int dim, int k, struct vec_hit *out)
{
	size_t want, n = 0, stride, blocks;
	double inv;
	void *q;
	int rc;

	if (!s || !query || k < 0 || (k > 0 && !out))
		return VEC_ERR_ARG;
	if (dim != s->dim)
		return VEC_ERR_DIM;
	rc = inv_norm(query, dim, &inv);
	if (rc != VEC_OK)
		return rc;
	want = (size_t)k < s->count ? (size_t)k : s->count;
	if (want == 0)
		return 0;
	stride = (size_t)s->stride;
	q = alloc_rows(stride * (s->kind == VEC_F32 ? sizeof(float) : sizeof(int16_t)));
	if (!q)
		return VEC_ERR_NOMEM;
	if (s->kind == VEC_F32) {
		const float *row = s->f32;

		put_f32(q, s->stride, query, dim, inv);
		blocks = stride / F32_BLOCK;
		for (size_t r = 0; r < s->count; r++, row += stride)
			offer(out, want, &n, dot_f32(q, row, blocks), s->ids[r]);
	} else {
		const int8_t *row = s->i8;
		float qscale = put_i8(NULL, q, s->stride, query, dim, inv);

		blocks = stride / I8_BLOCK;
		for (size_t r = 0; r < s->count; r++, row += stride)
			offer(out, want, &n, (float)dot_i8(q, row, blocks) * qscale * s->scales[r], s->ids[r]);
	}
	free(q);
	qsort(out, n, sizeof *out, cmp_hit);
	return (int)n;
}

/* ---- storage form ------------------------------------------------------------------------------- */

void vec_pack_f32(const float *v, int dim, unsigned char *out)
{
	for (int i = 0; i < dim; i++) {
		uint32_t u;

		memcpy(&u, &v[i], sizeof u);
		out[4 * i] = (unsigned char)u;
		out[4 * i + 1] = (unsigned char)(u >> 8);
		out[4 * i + 2] = (unsigned char)(u >> 16);
		out[4 * i + 3] = (unsigned char)(u >> 24);
	}
}

int vec_unpack_f32(const void *blob, size_t len, int dim, float *out)
{
	const unsigned char *p = blob;

	if (!blob || !out)
		return VEC_ERR_ARG;
	if (dim < 1 || dim > VEC_DIM_MAX || len != 4 * (size_t)dim)
		return VEC_ERR_DIM;
	for (int i = 0; i < dim; i++, p += 4) {
		uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;

		memcpy(&out[i], &u, sizeof u);
		if (!isfinite(out[i]))
			return VEC_ERR_VALUE;
	}
	return VEC_OK;
}

/* ---- reciprocal rank fusion --------------------------------------------------------------------- */

struct rrf_entry {
	int64_t id;
	int list; /* 0: a, 1: b */
	int rank; /* 1-based */
};

static int cmp_entry(const void *pa, const void *pb)
{
	const struct rrf_entry *a = pa, *b = pb;

	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	if (a->list != b->list)
		return a->list - b->list;
	return (a->rank > b->rank) - (a->rank < b->rank);
}

/* The smaller non-zero rank of a fused hit (an id is in at least one list). */
static int best_rank(const struct rrf_hit *h)
{
	if (h->rank_a == 0)
		return h->rank_b;
	if (h->rank_b == 0)
		return h->rank_a;
	return h->rank_a < h->rank_b ? h->rank_a : h->rank_b;
}

static int cmp_fused(const void *pa, const void *pb)
{
	const struct rrf_hit *a = pa, *b = pb;
	int ra = best_rank(a), rb = best_rank(b);

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (ra != rb)
		return ra < rb ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

int rrf_fuse(const int64_t *a, int na, const int64_t *b, int nb, int k_const, struct rrf_hit *out, int max_out)
{
	struct rrf_entry *e;
	struct rrf_hit *f;
	size_t total, nf = 0;
	double k;

	if (na < 0 || nb < 0 || k_const < 0 || max_out < 0 || (na && !a) || (nb && !b) || (max_out && !out))
		return VEC_ERR_ARG;
	k = k_const ? k_const : RRF_K_DEFAULT;
	total = (size_t)na + (size_t)nb;
	if (total == 0 || max_out == 0)
		return 0;
	e = malloc(total * sizeof *e);
	f = malloc(total * sizeof *f);
	if (!e || !f) {
		free(e);
		free(f);
		return VEC_ERR_NOMEM;
	}
	for (int i = 0; i < na; i++)
		e[i] = (struct rrf_entry){a[i], 0, i + 1};
	for (int i = 0; i < nb; i++)
		e[(size_t)na + i] = (struct rrf_entry){b[i], 1, i + 1};
	qsort(e, total, sizeof *e, cmp_entry);
	/* Sorted by id, list, rank: the first entry of each (id, list) run is the id's rank there. */
	for (size_t i = 0; i < total; i++) {
		if (i == 0 || e[i].id != e[i - 1].id)
			f[nf++] = (struct rrf_hit){e[i].id, 0, 0, 0};
		struct rrf_hit *h = &f[nf - 1];
		int *rank = e[i].list == 0 ? &h->rank_a : &h->rank_b;

		if (*rank == 0)
			*rank = e[i].rank;
	}
	free(e);
	for (size_t i = 0; i < nf; i++) {
		double sa = f[i].rank_a ? 1.0 / (k + f[i].rank_a) : 0.0;
		double sb = f[i].rank_b ? 1.0 / (k + f[i].rank_b) : 0.0;

		f[i].score = sa + sb;
	}
	qsort(f, nf, sizeof *f, cmp_fused);
	if (nf > (size_t)max_out)
		nf = (size_t)max_out;
	memcpy(out, f, nf * sizeof *f);
	free(f);
	return (int)nf;
}
