/*
 * test_pdf_text.c — unit tests for src/ingest/pdf_text.c: PDF text per page through the sandboxed
 * pdftotext child, its statuses and limits, and that no process or descriptor is left behind.
 *
 * The fixture PDFs are written by tests/fixtures/pdf/make_pdfs.mjs (run with node from the repository
 * root, where the CI runs the unit tests) into a temporary directory; the tests that need them are
 * skipped, with a message, when node or the script is missing. Other tests use small shell scripts
 * standing in for pdftotext (through pdf_limits.pdftotext) to make it hang, burn CPU, fail or print
 * chosen bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ingest/pdf_text.h"

#define MAKE_PDFS "tests/fixtures/pdf/make_pdfs.mjs"

/* The temporary directory with the fixtures (set up once for the group). */
static struct {
	char dir[256];
	bool have_pdfs; /* node ran make_pdfs.mjs */
} fx;

/* ---- helpers ------------------------------------------------------------------------------------ */

static const char *in_dir(char *buf, size_t cap, const char *name)
{
	int n = snprintf(buf, cap, "%s/%s", fx.dir, name);

	assert_true(n > 0 && (size_t)n < cap);
	return buf;
}

static void need_pdfs(void)
{
	if (!fx.have_pdfs) {
		print_message("skipped: the fixture PDFs need node and " MAKE_PDFS
			      " (run the tests from the repository root)\n");
		skip();
	}
}

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* Writes an executable shell script `name` in the fixture directory; its path goes to buf. */
static const char *script(char *buf, size_t cap, const char *name, const char *body)
{
	char text[2048];
	int n = snprintf(text, sizeof text, "#!/bin/sh\n%s\n", body);

	assert_true(n > 0 && (size_t)n < sizeof text);
	in_dir(buf, cap, name);
	write_file(buf, text, (size_t)n, 0755);
	return buf;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static int count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* No child of this process is left, running or as a zombie. */
static void assert_no_children(void)
{
	int st;

	errno = 0;
	assert_int_equal(waitpid(-1, &st, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/* The state letter of process `pid` from /proc (0 when it is gone). */
static char proc_state(long pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

static int run_file(const char *name, const struct pdf_limits *lim, struct pdf_text *t, char *err,
		    size_t errlen)
{
	char path[512];

	return pdf_extract_file(in_dir(path, sizeof path, name), lim, t, err, errlen);
}

/* ---- real PDFs ---------------------------------------------------------------------------------- */

static void test_text_pdf_pages_and_umlauts(void **state)
{
	struct pdf_text t;
	char err[256] = "x";

	(void)state;
	need_pdfs();
	assert_int_equal(run_file("text.pdf", NULL, &t, err, sizeof err), PDF_OK);
	assert_int_equal(t.status, PDF_OK);
	assert_string_equal(err, "");
	assert_int_equal(t.npages, 3);
	assert_string_equal(t.pages[0], "Seite 1\n"
					"Bäckerei Müller – Öffnungszeiten und Preise\n"
					"Größere Bestellungen für Feiern nehmen wir gern telefonisch an.\n"
					"Ein Laib Roggenbrot kostet 3,90 €.");
	assert_string_equal(t.pages[1], "Seite 2\n"
					"Über uns: Seit 1950 backen wir in der Hauptstraße 5 in Köln.\n"
					"Äpfel, Öl und Übermut – unsere Spezialität ist der Apfelkuchen.\n"
					"Die Straße ist barrierefrei, Parkplätze gibt es im Hof.");
	assert_string_equal(t.pages[2], "Seite 3\n"
					"Kontakt: Telefon 0221 123456, E-Mail info@baeckerei-mueller.de\n"
					"„Wir freuen uns auf Ihren Besuch!“ sagt Familie Müller.");
	assert_true(t.wall_ms >= 0);
	assert_true(t.max_rss_kb > 0);
	pdf_text_clear(&t);
	assert_int_equal(t.npages, 0);
	pdf_text_clear(&t);
}

static void test_layout_mode(void **state)
{
	struct pdf_text t;
	struct pdf_limits lim = { .layout = true };
	char err[256];

	(void)state;
	need_pdfs();
	assert_int_equal(run_file("text.pdf", &lim, &t, err, sizeof err), PDF_OK);
	assert_int_equal(t.npages, 3);
	assert_non_null(strstr(t.pages[1], "Hauptstraße 5"));
	pdf_text_clear(&t);
}

static void test_scan_has_no_text(void **state)
{
	struct pdf_text t;
	char err[256];

	(void)state;
	need_pdfs();
	assert_int_equal(run_file("scan.pdf", NULL, &t, err, sizeof err), PDF_NO_TEXT);
	assert_string_equal(err, "this PDF has no text layer (scanned?); upload a PDF with selectable text or "
				 "paste the text");
	assert_int_equal(t.npages, 2);
	assert_string_equal(t.pages[0], "");
	assert_string_equal(pdf_status_name(t.status), "no_text");
	pdf_text_clear(&t);
}

static void test_corrupt_pdf(void **state)
{
	struct pdf_text t;
	char err[256];

	(void)state;
	need_pdfs();
	assert_int_equal(run_file("corrupt.pdf", NULL, &t, err, sizeof err), PDF_CORRUPT);
	assert_non_null(strstr(err, "could not be read"));
	assert_non_null(strstr(err, "exit 1"));
	assert_int_equal(t.npages, 0);
	assert_null(t.pages);
	pdf_text_clear(&t);
}

static void test_big_pdf(void **state)
{
	struct pdf_text t;
	char err[256];

	(void)state;
	need_pdfs();
	assert_int_equal(run_file("big.pdf", NULL, &t, err, sizeof err), PDF_OK);
	assert_int_equal(t.npages, 200);
	assert_true(strncmp(t.pages[0], "Seite 1\nAbschnitt 1:", 20) == 0);
	assert_true(strncmp(t.pages[199], "Seite 200\nAbschnitt 200:", 24) == 0);
	assert_string_not_equal(t.pages[10], t.pages[11]);
	pdf_text_clear(&t);
}

static void test_from_memory(void **state)
{
	struct pdf_text t;
	struct pdf_limits lim = { 0 };
	char err[256], path[512], tmpd[512];
	size_t len;
	char *data;

	(void)state;
	need_pdfs();
	data = read_file(in_dir(path, sizeof path, "text.pdf"), &len);
	in_dir(tmpd, sizeof tmpd, "tmp");
	assert_int_equal(mkdir(tmpd, 0700), 0);
	assert_int_equal(setenv("TMPDIR", tmpd, 1), 0);

	assert_int_equal(pdf_extract_mem(data, len, NULL, &t, err, sizeof err), PDF_OK);
	assert_int_equal(t.npages, 3);
	assert_non_null(strstr(t.pages[2], "Familie Müller"));
	pdf_text_clear(&t);
	assert_int_equal(count_entries(tmpd), 0); /* the temporary file is gone */

	lim.max_text_bytes = 64;
	assert_int_equal(pdf_extract_mem(data, len, &lim, &t, err, sizeof err), PDF_TOO_BIG);
	pdf_text_clear(&t);
	assert_int_equal(count_entries(tmpd), 0);

	assert_int_equal(unsetenv("TMPDIR"), 0);
	assert_int_equal(rmdir(tmpd), 0);
	free(data);
}

static void test_limits_make_it_too_big(void **state)
{
	struct pdf_text t;
	struct pdf_limits lim = { .max_bytes = 1000 };
	char err[256];

	(void)state;
	need_pdfs();
	assert_int_equal(run_file("text.pdf", &lim, &t, err, sizeof err), PDF_TOO_BIG);
	assert_string_equal(err, "the PDF is larger than 0 MiB");
	pdf_text_clear(&t);

	lim = (struct pdf_limits){ .max_text_bytes = 100 };
	assert_int_equal(run_file("big.pdf", &lim, &t, err, sizeof err), PDF_TOO_BIG);
	assert_non_null(strstr(err, "text is larger"));
	assert_int_equal(t.npages, 0);
	pdf_text_clear(&t);
	assert_no_children();
}

/* ---- checks before running ---------------------------------------------------------------------- */

static void test_not_a_pdf(void **state)
{
	struct pdf_text t;
	struct pdf_limits lim = { .max_bytes = 100 };
	char err[256], path[512], late[2048];

	(void)state;
	write_file(in_dir(path, sizeof path, "brief.pdf"), "Sehr geehrte Damen und Herren,\n", 31, 0644);
	assert_int_equal(pdf_extract_file(path, NULL, &t, err, sizeof err), PDF_NOT_PDF);
	assert_string_equal(err, "not a PDF file (no %PDF- header)");
	pdf_text_clear(&t);

	memset(late, ' ', sizeof late);
	memcpy(late + 1100, "%PDF-1.4", 8); /* too late in the file */
	write_file(path, late, sizeof late, 0644);
	assert_int_equal(pdf_extract_file(path, NULL, &t, err, sizeof err), PDF_NOT_PDF);
	assert_int_equal(pdf_extract_mem(late, sizeof late, NULL, &t, err, sizeof err), PDF_NOT_PDF);
	assert_int_equal(pdf_extract_mem("hallo", 5, NULL, &t, err, sizeof err), PDF_NOT_PDF);
	assert_int_equal(pdf_extract_mem("", 0, NULL, &t, err, sizeof err), PDF_NOT_PDF);
	assert_int_equal(pdf_extract_mem(late, sizeof late, &lim, &t, err, sizeof err), PDF_TOO_BIG);
	assert_int_equal(pdf_extract_file(fx.dir, NULL, &t, err, sizeof err), PDF_NOT_PDF); /* a directory */
	assert_int_equal(pdf_extract_file(in_dir(path, sizeof path, "fehlt.pdf"), NULL, &t, err, sizeof err),
			 PDF_ERROR);
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(pdf_extract_file(NULL, NULL, &t, err, sizeof err), PDF_ERROR);
	assert_int_equal(t.wall_ms, 0); /* nothing ran */
	pdf_text_clear(&t);
	assert_no_children();
}

/* A file that passes the header check, for the fake programs. */
static const char *minimal_pdf(char *path, size_t cap)
{
	in_dir(path, cap, "minimal.pdf");
	write_file(path, "%PDF-1.4\n%%EOF\n", 15, 0644);
	return path;
}

/* ---- the child process -------------------------------------------------------------------------- */

/* Processes (not yet dead) whose command line contains `needle`. */
static int live_processes(const char *needle)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char path[300], buf[4096];
		FILE *f;
		size_t k;
		char st;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		k = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		for (size_t i = 0; i < k; i++)
			buf[i] = buf[i] ? buf[i] : ' ';
		buf[k] = '\0';
		st = proc_state(strtol(e->d_name, NULL, 10));
		n += strstr(buf, needle) != NULL && st != 0 && st != 'Z' && st != 'X';
	}
	closedir(d);
	return n;
}

static void test_timeout_kills_and_reaps(void **state)
{
	struct pdf_text t;
	struct pdf_limits lim = { .timeout_ms = 1000 };
	char err[256], pdf[512], prog[512];
	struct timespec t0, t1;
	long ms;
	int left = 1;

	(void)state;
	minimal_pdf(pdf, sizeof pdf);
	/* The child may not write files (RLIMIT_FSIZE 0), so the processes are found by their arguments. */
	lim.pdftotext = script(prog, sizeof prog, "slow.sh", "sleep 29.125 &\nwait");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pdf_extract_file(pdf, &lim, &t, err, sizeof err), PDF_TIMEOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 900 && ms < 5000);
	assert_string_equal(err, "reading the PDF took longer than 1 s");
	assert_int_equal(t.npages, 0);
	pdf_text_clear(&t);
	assert_no_children();

	/* the script and the sleep it started (same process group) are dead */
	for (int k = 0; k < 100 && left > 0; k++) {
		struct timespec nap = { 0, 10 * 1000 * 1000 };

		left = live_processes("sleep 29.125") + live_processes(prog);
		if (left > 0)
			nanosleep(&nap, NULL);
	}
	assert_int_equal(left, 0);
}

static void test_cpu_limit(void **state)
{
	struct pdf_text t;
	struct pdf_limits lim = { .cpu_seconds = 1, .timeout_ms = 30000 };
	char err[256], pdf[512], prog[512];

	(void)state;
	minimal_pdf(pdf, sizeof pdf);
	lim.pdftotext = script(prog, sizeof prog, "spin.sh", "while :; do :; done");
	assert_int_equal(pdf_extract_file(pdf, &lim, &t, err, sizeof err), PDF_TIMEOUT);
	assert_string_equal(err, "reading the PDF used more than 1 s of CPU time");
	if (t.cpu_ms < 500) /* about 1000; rusage is coarser than the limit on a loaded machine */
		fail_msg("child CPU time %ld ms", t.cpu_ms);
	pdf_text_clear(&t);
	assert_no_children();
}

static void test_exit_codes(void **state)
{
	struct pdf_text t;
	struct pdf_limits lim = { 0 };
	char err[256], pdf[512], prog[512], body[600];

	(void)state;
	minimal_pdf(pdf, sizeof pdf);
	lim.pdftotext = script(prog, sizeof prog, "perm.sh", "echo 'Syntax Warning: x' >&2\n"
							      "echo 'Permission Error: copying of text not allowed' >&2\nexit 3");
	assert_int_equal(pdf_extract_file(pdf, &lim, &t, err, sizeof err), PDF_CORRUPT);
	assert_string_equal(err, "the PDF could not be read (pdftotext exit 3: Permission Error: copying of text "
				 "not allowed)");
	pdf_text_clear(&t);

	lim.pdftotext = script(prog, sizeof prog, "other.sh", "exit 99");
	assert_int_equal(pdf_extract_file(pdf, &lim, &t, err, sizeof err), PDF_ERROR);
	assert_string_equal(err, "the PDF could not be read (pdftotext exit 99: no error message)");
	pdf_text_clear(&t);

	lim.pdftotext = script(prog, sizeof prog, "crash.sh", "kill -SEGV $$");
	assert_int_equal(pdf_extract_file(pdf, &lim, &t, err, sizeof err), PDF_CORRUPT);
	assert_non_null(strstr(err, "signal 11"));
	pdf_text_clear(&t);

	/* RLIMIT_FSIZE 0: writing a file kills it with SIGXFSZ */
	snprintf(body, sizeof body, "printf x > '%s/written'", fx.dir);
	lim.pdftotext = script(prog, sizeof prog, "writer.sh", body);
	assert_int_equal(pdf_extract_file(pdf, &lim, &t, err, sizeof err), PDF_CORRUPT);
	assert_non_null(strstr(err, "signal 25"));
	pdf_text_clear(&t);

	lim.pdftotext = script(prog, sizeof prog, "silent.sh", "exit 0");
	assert_int_equal(pdf_extract_file(pdf, &lim, &t, err, sizeof err), PDF_CORRUPT);
	assert_string_equal(err, "the PDF could not be read (no pages)");
	pdf_text_clear(&t);

	lim.pdftotext = "/nonexistent/pdftotext";
	assert_int_equal(pdf_extract_file(pdf, &lim, &t, err, sizeof err), PDF_ERROR);
	assert_string_equal(err, "cannot run /nonexistent/pdftotext: No such file or directory");
	pdf_text_clear(&t);

	lim.pdftotext = "no-such-pdftotext-here";
	assert_int_equal(pdf_extract_file(pdf, &lim, &t, err, sizeof err), PDF_ERROR);
	pdf_text_clear(&t);

	lim.pdftotext = pdf; /* not executable */
	assert_int_equal(pdf_extract_file(pdf, &lim, &t, err, sizeof err), PDF_ERROR);
	assert_non_null(strstr(err, "Permission denied"));
	pdf_text_clear(&t);
	assert_no_children();
}

static void test_output_is_split_and_cleaned(void **state)
{
	struct pdf_text t;
	struct pdf_limits lim = { 0 };
	char err[256], pdf[512], prog[512];

	(void)state;
	minimal_pdf(pdf, sizeof pdf);
	lim.pdftotext = script(prog, sizeof prog, "pages.sh",
			       "printf '  Eins\\n\\n\\f \\n\\t\\fDrei \\377\\001x\\n\\f'");
	assert_int_equal(pdf_extract_file(pdf, &lim, &t, err, sizeof err), PDF_OK);
	assert_int_equal(t.npages, 3);
	assert_string_equal(t.pages[0], "Eins");
	assert_string_equal(t.pages[1], "");
	assert_string_equal(t.pages[2], "Drei \xef\xbf\xbdx");
	pdf_text_clear(&t);

	lim.pdftotext = script(prog, sizeof prog, "open.sh", "printf 'A\\fB'");
	assert_int_equal(pdf_extract_file(pdf, &lim, &t, err, sizeof err), PDF_OK);
	assert_int_equal(t.npages, 2);
	assert_string_equal(t.pages[1], "B");
	pdf_text_clear(&t);

	lim.pdftotext = script(prog, sizeof prog, "blank.sh", "printf ' \\f\\n\\f'");
	assert_int_equal(pdf_extract_file(pdf, &lim, &t, err, sizeof err), PDF_NO_TEXT);
	assert_int_equal(t.npages, 2);
	pdf_text_clear(&t);

	/* the child sees a small fixed environment and its own descriptors only */
	lim.pdftotext = script(prog, sizeof prog, "env.sh",
			       "printf '%s|' \"$LC_ALL\" \"$HOME\"; ls /proc/self/fd | wc -l");
	assert_int_equal(pdf_extract_file(pdf, &lim, &t, err, sizeof err), PDF_OK);
	assert_int_equal(t.npages, 1);
	assert_string_equal(t.pages[0], "C||5"); /* 0, 1, 2, the PDF, and ls's own directory */
	pdf_text_clear(&t);
	assert_no_children();
}

/* ---- no leaks ----------------------------------------------------------------------------------- */

static void test_no_descriptor_or_process_left(void **state)
{
	struct pdf_text t;
	struct pdf_limits lim = { 0 };
	char err[256], pdf[512], prog[512];
	int before = count_fds();

	(void)state;
	minimal_pdf(pdf, sizeof pdf);
	for (int i = 0; i < 20; i++) {
		switch (i % 4) {
		case 0:
			lim.pdftotext = script(prog, sizeof prog, "fd.sh", "printf 'Seite\\f'");
			assert_int_equal(pdf_extract_file(pdf, &lim, &t, err, sizeof err), PDF_OK);
			break;
		case 1:
			lim.pdftotext = script(prog, sizeof prog, "fd.sh", "exit 1");
			assert_int_equal(pdf_extract_file(pdf, &lim, &t, err, sizeof err), PDF_CORRUPT);
			break;
		case 2:
			lim.pdftotext = "/nonexistent/pdftotext";
			assert_int_equal(pdf_extract_mem("%PDF-1.4\n", 9, &lim, &t, err, sizeof err), PDF_ERROR);
			break;
		default:
			if (fx.have_pdfs)
				assert_int_equal(run_file("text.pdf", NULL, &t, err, sizeof err), PDF_OK);
			else
				assert_int_equal(pdf_extract_mem("x", 1, NULL, &t, err, sizeof err), PDF_NOT_PDF);
			break;
		}
		pdf_text_clear(&t);
	}
	assert_int_equal(count_fds(), before);
	assert_no_children();
}

static void *extract_many(void *arg)
{
	const char *path = arg;

	for (int i = 0; i < 5; i++) {
		struct pdf_text t;
		char err[256];
		int rc = pdf_extract_file(path, NULL, &t, err, sizeof err);
		bool ok = rc == PDF_OK && t.npages == 3 && strstr(t.pages[1], "Köln") != NULL;

		pdf_text_clear(&t);
		if (!ok)
			return (void *)1;
	}
	return NULL;
}

static void test_parallel_runs(void **state)
{
	char path[512];
	pthread_t th[4];

	(void)state;
	need_pdfs();
	in_dir(path, sizeof path, "text.pdf");
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, extract_many, path), 0);
	for (int i = 0; i < 4; i++) {
		void *r;

		assert_int_equal(pthread_join(th[i], &r), 0);
		assert_null(r);
	}
	assert_no_children();
}

/* ---- set-up ------------------------------------------------------------------------------------- */

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[1024];

	(void)state;
	snprintf(fx.dir, sizeof fx.dir, "%s/botwerk-pdf-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fx.dir))
		return -1;
	if (access(MAKE_PDFS, R_OK) != 0) {
		fprintf(stderr, "test_pdf_text: %s not found from %s; PDF fixture tests are skipped\n", MAKE_PDFS,
			getcwd(cmd, sizeof cmd) ? cmd : "?");
		return 0;
	}
	if (system("node --version >/dev/null 2>&1") != 0) {
		fprintf(stderr, "test_pdf_text: node is not installed; PDF fixture tests are skipped\n");
		return 0;
	}
	snprintf(cmd, sizeof cmd, "node %s '%s'", MAKE_PDFS, fx.dir);
	fx.have_pdfs = system(cmd) == 0;
	if (!fx.have_pdfs)
		fprintf(stderr, "test_pdf_text: %s failed; PDF fixture tests are skipped\n", cmd);
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	(void)state;
	return nftw(fx.dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_pdf_pages_and_umlauts),
		cmocka_unit_test(test_layout_mode),
		cmocka_unit_test(test_scan_has_no_text),
		cmocka_unit_test(test_corrupt_pdf),
		cmocka_unit_test(test_big_pdf),
		cmocka_unit_test(test_from_memory),
		cmocka_unit_test(test_limits_make_it_too_big),
		cmocka_unit_test(test_not_a_pdf),
		cmocka_unit_test(test_timeout_kills_and_reaps),
		cmocka_unit_test(test_cpu_limit),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_output_is_split_and_cleaned),
		cmocka_unit_test(test_no_descriptor_or_process_left),
		cmocka_unit_test(test_parallel_runs),
	};

	return cmocka_run_group_tests_name("pdf_text", tests, setup, teardown);
}
