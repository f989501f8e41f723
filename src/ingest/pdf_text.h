/*
 * pdf_text.h — the text of a PDF, page by page, for knowledge ingestion.
 *
 * The PDF is never parsed in the server process: poppler's pdftotext runs as a child process
 * (`pdftotext -enc UTF-8 -eol unix [-layout] FILE -`) under resource limits (address space, CPU time,
 * no file writing, few descriptors, no core dump), with stdin from /dev/null, stdout and stderr read
 * through pipes, a wall-clock deadline after which the child (and its process group) is killed, and
 * always reaped. The child is started with fork + execve: between them it makes only
 * async-signal-safe calls, so this is safe in a threaded server. It gets a fixed small environment
 * (LC_ALL=C, PATH=/usr/local/bin:/usr/bin:/bin), a reset signal mask and default signal actions, and
 * reads the PDF through the descriptor the parent checked (/proc/self/fd/3), so the file tested is the
 * file read.
 *
 * pdftotext ends every page with a form feed; the text is split there. Page texts are trimmed, made
 * valid UTF-8 (bad bytes → U+FFFD) and stripped of control characters other than line feed and tab.
 * Thread-safe: no global state. The program must not set SIGCHLD to SIG_IGN (the kernel would then reap
 * the child itself and its exit status, CPU time and memory figures would be lost).
 */
#ifndef BOTWERK_INGEST_PDF_TEXT_H
#define BOTWERK_INGEST_PDF_TEXT_H

#include <stdbool.h>
#include <stddef.h>

enum pdf_status {
	PDF_OK,      /* at least one page has text */
	PDF_NO_TEXT, /* every page is blank: a scan or a drawing; pages are still listed (all "") */
	PDF_NOT_PDF, /* no "%PDF-" in the first 1024 bytes */
	PDF_CORRUPT, /* pdftotext failed to read it (exit 1 or 3, killed by a signal other than the CPU
		      * limit, which includes running out of its address space), or it gave no pages */
	PDF_TIMEOUT, /* the wall-clock deadline or the CPU limit was reached */
	PDF_TOO_BIG, /* the file is over max_bytes, or its text over max_text_bytes */
	PDF_ERROR,   /* pdftotext not found or not startable, or it exited with a code other than 0, 1
		      * or 3; the file could not be opened; a system call failed; out of memory */
};

/* Zero fields mean the default given. */
struct pdf_limits {
	size_t max_bytes;         /* PDF size; 20 MiB */
	size_t max_text_bytes;    /* pdftotext output; 16 MiB */
	unsigned timeout_ms;      /* wall clock for the whole run; 60000 */
	unsigned cpu_seconds;     /* RLIMIT_CPU of the child; 30 */
	size_t max_memory;        /* RLIMIT_AS of the child; 512 MiB */
	const char *pdftotext;    /* the program: a path, or a name looked up in PATH; NULL: "pdftotext" */
	bool layout;              /* pass -layout (keeps columns and table alignment; worse for prose) */
};

struct pdf_text {
	enum pdf_status status;
	char **pages;   /* pages[i] is the text of page i+1: UTF-8, trimmed, "" when blank */
	size_t npages;  /* as pdftotext reported them; 0 unless PDF_OK or PDF_NO_TEXT */
	/* Figures about the run (0 when pdftotext did not run). */
	long wall_ms;    /* from start to reaping the child */
	long cpu_ms;     /* user + system time of the child */
	long max_rss_kb; /* peak resident set size of the child (wait4's ru_maxrss) */
};

/* Reads the PDF at `path`. `lim` may be NULL for the defaults. Fills `out` (zeroed first; the caller
 * frees it with pdf_text_clear whatever the result) and returns its status. For every status but
 * PDF_OK a message for the user goes into err (errlen bytes, may be 0); for PDF_NO_TEXT it is "this
 * PDF has no text layer (scanned?); upload a PDF with selectable text or paste the text". */
int pdf_extract_file(const char *path, const struct pdf_limits *lim, struct pdf_text *out, char *err,
		     size_t errlen);

/* The same for a PDF in memory: it is written to a private temporary file (mkstemp in $TMPDIR or /tmp,
 * mode 0600) that is unlinked before pdftotext starts (the child reads it through the descriptor). Size
 * and header are checked before anything is written. */
int pdf_extract_mem(const void *data, size_t len, const struct pdf_limits *lim, struct pdf_text *out,
		    char *err, size_t errlen);

/* Frees the pages and zeroes `t`. Safe on a zeroed or already cleared one. */
void pdf_text_clear(struct pdf_text *t);

/* "ok", "no_text", "not_pdf", "corrupt", "timeout", "too_big", "error" (a static string). */
const char *pdf_status_name(int status);

#endif
