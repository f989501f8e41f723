/*
 * vectors_bench.c — search latency of src/rag/vectors.c (brute-force cosine over one bot's vectors)
 * and the cost of rrf_fuse. Figures go into docs/internals/vectors.md.
 *
 * Build and run from the repository root (optimised as the project builds, no sanitizers):
 *
 *   cc -std=c17 -D_GNU_SOURCE -O2 -Isrc -o /tmp/vectors_bench bench/vectors_bench.c src/rag/vectors.c \
 *      -lm -lpthread && /tmp/vectors_bench
 *
 * Options: -q N   queries per configuration (default 200, at least 20)
 *          -t T   threads searching the same set at once (default 1), each running the N queries;
 *                 the latencies of all of them are pooled
 *          -m N   largest set size (default 100000; sizes are 1k, 10k, 50k, 100k up to it)
 *
 * For each dimension (384, 768), size and kind (float32, int8): build time, bytes held (vec_set_bytes)
 * and per vector, the median and p95 of one top-10 search in wall-clock time and in the searching
 * thread's CPU time (which leaves out time the thread spent preempted: on a shared machine compare
 * the two), and the rate at which the rows were read (set bytes / median). Data are random normal vectors from a fixed seed: a brute-force scan
 * costs the same whatever the data.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rag/vectors.h"

#define TOP_K 10

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15u);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

static double rng_unit(uint64_t *s)
{
	return ((double)(rng_next(s) >> 11) + 0.5) / 9007199254740992.0;
}

static float *random_vectors(uint64_t *s, size_t n, int dim)
{
	float *v = malloc(n * (size_t)dim * sizeof *v);

	if (!v) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < n * (size_t)dim; i += 2) {
		double r = sqrt(-2.0 * log(rng_unit(s))), a = 6.283185307179586 * rng_unit(s);

		v[i] = (float)(r * cos(a));
		if (i + 1 < n * (size_t)dim)
			v[i + 1] = (float)(r * sin(a));
	}
	return v;
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

/* The p-quantile (0..1) of sorted x[0..n), nearest rank. */
static double quantile(const double *x, size_t n, double p)
{
	size_t i = (size_t)ceil(p * (double)n);

	return x[i ? i - 1 : 0];
}

struct worker {
	const struct vec_set *set;
	const float *queries;
	int nq, dim;
	double *lat; /* [nq] wall-clock seconds */
	double *cpu; /* [nq] seconds of this thread's CPU time */
	int failed;
};

static void *run_queries(void *arg)
{
	struct worker *w = arg;
	struct vec_hit hits[TOP_K];

	for (int i = 0; i < w->nq; i++) {
		double c0 = clock_s(CLOCK_THREAD_CPUTIME_ID), t0 = now_s();
		int n = vec_set_search(w->set, w->queries + (size_t)i * w->dim, w->dim, TOP_K, hits);

		w->lat[i] = now_s() - t0;
		w->cpu[i] = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
		if (n != TOP_K)
			w->failed = 1;
	}
	return NULL;
}

/* Runs nq queries on each of nt threads at once; fills lat[0 .. nt*nq) and cpu[…], each sorted. */
static void measure(const struct vec_set *set, const float *queries, int nq, int dim, int nt, double *lat,
		    double *cpu)
{
	pthread_t th[64];
	struct worker w[64];
	struct vec_hit hits[TOP_K];

	for (int i = 0; i < 5; i++) /* warm-up: page in, caches */
		vec_set_search(set, queries + (size_t)i * dim, dim, TOP_K, hits);
	for (int t = 0; t < nt; t++) {
		w[t] = (struct worker){set, queries, nq, dim, lat + (size_t)t * nq, cpu + (size_t)t * nq, 0};
		if (pthread_create(&th[t], NULL, run_queries, &w[t]) != 0) {
			fprintf(stderr, "pthread_create failed\n");
			exit(1);
		}
	}
	for (int t = 0; t < nt; t++) {
		pthread_join(th[t], NULL);
		if (w[t].failed) {
			fprintf(stderr, "a search failed\n");
			exit(1);
		}
	}
	qsort(lat, (size_t)nt * nq, sizeof *lat, cmp_double);
	qsort(cpu, (size_t)nt * nq, sizeof *cpu, cmp_double);
}

static void bench_vectors(int nq, int nt, size_t max_n)
{
	static const int dims[] = {384, 768};
	static const size_t sizes[] = {1000, 10000, 50000, 100000};
	uint64_t seed = 20260101;
	double *lat = malloc((size_t)nq * nt * sizeof *lat), *cpu = malloc((size_t)nq * nt * sizeof *cpu);

	if (!lat || !cpu)
		exit(1);
	printf("search, top %d, %d quer%s x %d thread%s\n", TOP_K, nq, nq == 1 ? "y" : "ies", nt, nt == 1 ? "" : "s");
	printf("%-5s %7s %-4s %9s %8s %9s %10s %9s %8s %8s %7s\n", "dim", "vectors", "kind", "build_ms", "MiB",
	       "B/vector", "median_ms", "p95_ms", "cpu_p50", "cpu_p95", "GB/s");
	for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
		int dim = dims[d];
		float *data = random_vectors(&seed, max_n, dim), *queries = random_vectors(&seed, (size_t)nq, dim);

		for (size_t si = 0; si < sizeof sizes / sizeof sizes[0] && sizes[si] <= max_n; si++) {
			for (int kind = VEC_F32; kind <= VEC_I8; kind++) {
				size_t n = sizes[si];
				double t0 = now_s(), build, med, p95;
				struct vec_set *s = vec_set_new(dim, (enum vec_kind)kind, n);
				size_t bytes;

				if (!s)
					exit(1);
				for (size_t i = 0; i < n; i++)
					if (vec_set_add(s, (int64_t)i, data + i * (size_t)dim, dim) != VEC_OK)
						exit(1);
				build = now_s() - t0;
				bytes = vec_set_bytes(s);
				measure(s, queries, nq, dim, nt, lat, cpu);
				med = quantile(lat, (size_t)nq * nt, 0.5);
				p95 = quantile(lat, (size_t)nq * nt, 0.95);
				printf("%-5d %7zu %-4s %9.1f %8.1f %9.0f %10.3f %9.3f %8.3f %8.3f %7.1f\n", dim, n,
				       kind == VEC_F32 ? "f32" : "i8", build * 1e3, (double)bytes / 1048576.0,
				       (double)bytes / (double)n, med * 1e3, p95 * 1e3,
				       quantile(cpu, (size_t)nq * nt, 0.5) * 1e3, quantile(cpu, (size_t)nq * nt, 0.95) * 1e3,
				       (double)bytes / med / 1e9);
				fflush(stdout);
				vec_set_free(s);
			}
		}
		free(data);
		free(queries);
	}
	free(lat);
	free(cpu);
}

/* rrf_fuse over two lists of n ids each, half of them shared, median of many calls. */
static void bench_rrf(void)
{
	static const int ns[] = {10, 50, 200, 1000};
	enum { REPS = 2001 };
	double *lat = malloc(REPS * sizeof *lat);
	int64_t *a = malloc(1000 * sizeof *a), *b = malloc(1000 * sizeof *b);
	struct rrf_hit *out = malloc(2000 * sizeof *out);
	uint64_t seed = 7;

	if (!lat || !a || !b || !out)
		exit(1);
	printf("\nrrf_fuse, two lists of n ids, half shared\n%6s %10s %10s\n", "n", "median_us", "p95_us");
	for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
		int n = ns[k], got = 0;

		for (int i = 0; i < n; i++) {
			a[i] = (int64_t)(rng_next(&seed) % 100000);
			b[i] = i % 2 ? a[(i * 7) % n] : (int64_t)(rng_next(&seed) % 100000);
		}
		for (int r = 0; r < REPS; r++) {
			double t0 = now_s();

			got += rrf_fuse(a, n, b, n, 0, out, 2 * n);
			lat[r] = now_s() - t0;
		}
		if (got <= 0)
			exit(1);
		qsort(lat, REPS, sizeof *lat, cmp_double);
		printf("%6d %10.2f %10.2f\n", n, quantile(lat, REPS, 0.5) * 1e6, quantile(lat, REPS, 0.95) * 1e6);
	}
	free(lat);
	free(a);
	free(b);
	free(out);
}

int main(int argc, char **argv)
{
	int nq = 200, nt = 1;
	size_t max_n = 100000;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "-q") == 0)
			nq = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-t") == 0)
			nt = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-m") == 0)
			max_n = (size_t)strtoull(argv[i + 1], NULL, 10);
	}
	if (nq < 20 || nt < 1 || nt > 64 || max_n < 1000) {
		fprintf(stderr, "usage: %s [-q queries>=20] [-t threads 1..64] [-m max_vectors>=1000]\n", argv[0]);
		return 2;
	}
	bench_vectors(nq, nt, max_n);
	bench_rrf();
	return 0;
}
