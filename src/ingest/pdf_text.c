/*
 * pdf_text.c — PDF → text per page through a sandboxed pdftotext child process.
 *
 * Owns: checking the file (size, "%PDF-" header), starting pdftotext with fork + execve under
 * resource limits, reading its stdout and stderr with poll until a wall-clock deadline, killing and
 * reaping it, and cutting the output into pages. See pdf_text.h for the contract.
 *
 * Everything the child needs (program path, argv, environment, limits, descriptors) is prepared
 * before fork, because between fork and execve a child of a threaded process may only make
 * async-signal-safe calls: fcntl, dup2, close_range/close, setpgid, prctl, sigaction, sigprocmask,
 * setrlimit, execve, write, _exit. A failed execve is reported through a close-on-exec pipe (its
 * errno), so "could not start" is told apart from pdftotext's own exit codes.
 */
#include "ingest/pdf_text.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_MAX_BYTES ((size_t)20 << 20)
#define DEFAULT_MAX_TEXT ((size_t)16 << 20)
#define DEFAULT_TIMEOUT_MS 60000u
#define DEFAULT_CPU_SECONDS 30u
#define DEFAULT_MEMORY ((size_t)512 << 20)
#define HEADER_WINDOW 1024 /* "%PDF-" must start within these bytes */
#define STDERR_KEEP 1024   /* the last bytes of pdftotext's stderr kept for the message */
#define CHILD_NOFILE 32    /* RLIMIT_NOFILE of the child */
#define CHILD_PDF_FD 3     /* where the child finds the PDF */
#define CHILD_REPORT_FD 4  /* where the child reports a failed execve */
#define READ_CHUNK 65536

static const char no_text_msg[] =
	"this PDF has no text layer (scanned?); upload a PDF with selectable text or paste the text";

/* The limits with defaults filled in. */
struct limits {
	size_t max_bytes, max_text, memory;
	unsigned timeout_ms, cpu_seconds;
	const char *prog;
	bool layout;
};

static void get_limits(const struct pdf_limits *l, struct limits *o)
{
	o->max_bytes = l && l->max_bytes ? l->max_bytes : DEFAULT_MAX_BYTES;
	o->max_text = l && l->max_text_bytes ? l->max_text_bytes : DEFAULT_MAX_TEXT;
	o->memory = l && l->max_memory ? l->max_memory : DEFAULT_MEMORY;
	o->timeout_ms = l && l->timeout_ms ? l->timeout_ms : DEFAULT_TIMEOUT_MS;
	o->cpu_seconds = l && l->cpu_seconds ? l->cpu_seconds : DEFAULT_CPU_SECONDS;
	o->prog = l && l->pdftotext && *l->pdftotext ? l->pdftotext : "pdftotext";
	o->layout = l && l->layout;
}

/* Sets out->status and formats the message into err; returns status. */
__attribute__((format(printf, 5, 6))) static int fail(struct pdf_text *out, int status, char *err,
						      size_t errlen, const char *fmt, ...)
{
	va_list ap;

	out->status = (enum pdf_status)status;
	if (err && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return status;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)(t.tv_sec - t0->tv_sec) * 1000 + (long)(t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* ---- finding the program ------------------------------------------------------------------------ */

/* A malloc'd path of the executable `prog` (used as it is when it contains '/', else looked up in
 * PATH, skipping empty entries), or NULL (errno: ENOENT when not found, ENOMEM). */
static char *find_prog(const char *prog)
{
	const char *path = getenv("PATH");

	if (strchr(prog, '/')) {
		char *p = strdup(prog);

		if (!p)
			errno = ENOMEM;
		return p;
	}
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t k = strcspn(path, ":");

		if (k > 0) {
			char *cand = malloc(k + strlen(prog) + 2);

			if (!cand) {
				errno = ENOMEM;
				return NULL;
			}
			memcpy(cand, path, k);
			cand[k] = '/';
			strcpy(cand + k + 1, prog);
			if (access(cand, X_OK) == 0)
				return cand;
			free(cand);
		}
		path += k;
		if (*path == ':')
			path++;
	}
	errno = ENOENT;
	return NULL;
}

/* ---- the child ---------------------------------------------------------------------------------- */

/* Everything the child uses, prepared before fork. */
struct spawn {
	const char *prog;
	char **argv, **envp;
	int devnull, out_w, err_w, pdf_fd, report_w; /* pdf_fd -1: argv names the file */
	struct rlimit as, cpu, fsize, nofile, core;
	struct sigaction dfl; /* SIG_DFL, for every signal */
	sigset_t empty;
	unsigned max_fd; /* fallback close loop bound when close_range fails */
};

/* Runs in the child between fork and execve: async-signal-safe calls only. A failure is reported as
 * its errno through the report pipe. */
__attribute__((noreturn)) static void child(const struct spawn *s)
{
	int src[5] = { s->devnull, s->out_w, s->err_w, s->pdf_fd, s->report_w };
	int high[5];
	int report = s->report_w, e;

	/* Move every descriptor above 9 first, so that dup2 onto 0..4 cannot overwrite one still needed. */
	for (int i = 0; i < 5; i++) {
		high[i] = src[i] < 0 ? -1 : fcntl(src[i], F_DUPFD, 10);
		if (src[i] >= 0 && high[i] < 0)
			goto fail;
	}
	for (int i = 0; i < 5; i++) {
		if (high[i] >= 0 && dup2(high[i], i) < 0)
			goto fail;
	}
	report = CHILD_REPORT_FD;
	if (fcntl(CHILD_REPORT_FD, F_SETFD, FD_CLOEXEC) < 0)
		goto fail;
	if (s->pdf_fd < 0)
		close(CHILD_PDF_FD);
	if (close_range(CHILD_REPORT_FD + 1, ~0u, 0) < 0)
		for (unsigned fd = CHILD_REPORT_FD + 1; fd < s->max_fd; fd++)
			close((int)fd);

	setpgid(0, 0);                     /* kill(-pid) then reaches anything it starts */
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* the forking thread died: do not linger */
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &s->dfl, NULL); /* SIGKILL, SIGSTOP and glibc's own fail harmlessly */
	sigprocmask(SIG_SETMASK, &s->empty, NULL);
	if (setrlimit(RLIMIT_CORE, &s->core) < 0 || setrlimit(RLIMIT_FSIZE, &s->fsize) < 0 ||
	    setrlimit(RLIMIT_NOFILE, &s->nofile) < 0 || setrlimit(RLIMIT_AS, &s->as) < 0 ||
	    setrlimit(RLIMIT_CPU, &s->cpu) < 0)
		goto fail;
	execve(s->prog, s->argv, s->envp);
fail:
	e = errno;
	if (write(report, &e, sizeof e) != (ssize_t)sizeof e)
		_exit(126); /* the parent then sees EOF and the exit status */
	_exit(127);
}

/* ---- running it --------------------------------------------------------------------------------- */

struct run {
	char *text; /* stdout */
	size_t len, cap;
	char errtail[STDERR_KEEP + 1]; /* the last bytes of stderr, NUL-terminated */
	size_t errn;
	int wstatus;
	struct rusage ru;
	int poll_errno; /* poll failed with it (then the child is killed) */
	bool timed_out, too_big, oom;
};

static void keep_stderr(struct run *r, const char *buf, size_t n)
{
	if (n >= STDERR_KEEP) {
		memcpy(r->errtail, buf + n - STDERR_KEEP, STDERR_KEEP);
		r->errn = STDERR_KEEP;
	} else {
		if (r->errn + n > STDERR_KEEP) {
			size_t drop = r->errn + n - STDERR_KEEP;

			memmove(r->errtail, r->errtail + drop, r->errn - drop);
			r->errn -= drop;
		}
		memcpy(r->errtail + r->errn, buf, n);
		r->errn += n;
	}
	r->errtail[r->errn] = '\0';
}

static bool keep_stdout(struct run *r, const char *buf, size_t n, size_t max)
{
	if (r->len + n > max) {
		r->too_big = true;
		return false;
	}
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : READ_CHUNK;
		char *p;

		while (cap < r->len + n + 1)
			cap *= 2;
		p = realloc(r->text, cap);
		if (!p) {
			r->oom = true;
			return false;
		}
		r->text = p;
		r->cap = cap;
	}
	memcpy(r->text + r->len, buf, n);
	r->len += n;
	r->text[r->len] = '\0';
	return true;
}

/* Reads both pipes until EOF, the deadline, too much output or no memory. */
static void pump(struct run *r, int out_fd, int err_fd, const struct timespec *t0, const struct limits *L)
{
	int fds[2] = { out_fd, err_fd };
	char *buf = malloc(READ_CHUNK);

	if (!buf) {
		r->oom = true;
		return;
	}
	while (fds[0] >= 0 || fds[1] >= 0) {
		struct pollfd p[2];
		int np = 0, rc;
		long left = (long)L->timeout_ms - ms_since(t0);

		if (left <= 0) {
			r->timed_out = true;
			break;
		}
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0)
				p[np++] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
		rc = poll(p, (nfds_t)np, left > 1000000 ? 1000000 : (int)left);
		if (rc < 0 && errno != EINTR) {
			r->poll_errno = errno;
			break;
		}
		for (int k = 0; k < np && rc > 0; k++) {
			int i = p[k].fd == fds[0] ? 0 : 1;
			ssize_t n;

			if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(fds[i], buf, READ_CHUNK);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				fds[i] = -1; /* the caller closes it */
				continue;
			}
			if (i == 1)
				keep_stderr(r, buf, (size_t)n);
			else if (!keep_stdout(r, buf, (size_t)n, L->max_text))
				goto out;
		}
	}
out:
	free(buf);
}

/* Reaps the child: blocking once it was killed; else polling until the deadline, then killing it. */
static void reap(struct run *r, pid_t pid, bool killed, const struct timespec *t0, const struct limits *L)
{
	for (;;) {
		pid_t w = wait4(pid, &r->wstatus, killed ? 0 : WNOHANG, &r->ru);

		if (w == pid)
			return;
		if (w < 0 && errno != EINTR)
			return; /* ECHILD: someone else reaped it (SIGCHLD ignored); nothing left to wait for */
		if (w == 0) {
			if (ms_since(t0) >= (long)L->timeout_ms) {
				r->timed_out = killed = true;
				kill(-pid, SIGKILL);
				kill(pid, SIGKILL);
			} else {
				struct timespec nap = { 0, 2 * 1000 * 1000 };

				nanosleep(&nap, NULL);
			}
		}
	}
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Starts pdftotext on `pdf_fd` (or on `path` when /proc is not there), collects its output into r.
 * Returns 0, or an errno value when it could not be started. */
static int run_pdftotext(int pdf_fd, const char *path, const struct limits *L, struct run *r, long *wall_ms)
{
	char fdpath[] = "/proc/self/fd/3";
	char a_enc[] = "-enc", a_utf8[] = "UTF-8", a_eol[] = "-eol", a_unix[] = "unix", a_layout[] = "-layout",
	     a_out[] = "-";
	char e_lc[] = "LC_ALL=C", e_path[] = "PATH=/usr/local/bin:/usr/bin:/bin";
	char *argv[9], *envp[] = { e_lc, e_path, NULL };
	char *prog = NULL, *file = NULL;
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, rep[2] = { -1, -1 }, devnull = -1, rc = 0, k = 0, e = 0;
	struct spawn s;
	struct timespec t0;
	struct rlimit nof;
	pid_t pid;
	ssize_t n;
	bool use_fd = access("/proc/self/fd", F_OK) == 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	prog = find_prog(L->prog);
	if (!prog)
		return errno ? errno : ENOENT;
	if (!use_fd) {
		file = malloc(strlen(path) + 3);
		if (!file) {
			rc = ENOMEM;
			goto out;
		}
		snprintf(file, strlen(path) + 3, "%s%s", path[0] == '-' ? "./" : "", path);
	}
	argv[k++] = prog;
	argv[k++] = a_enc;
	argv[k++] = a_utf8;
	argv[k++] = a_eol;
	argv[k++] = a_unix;
	if (L->layout)
		argv[k++] = a_layout;
	argv[k++] = use_fd ? fdpath : file;
	argv[k++] = a_out;
	argv[k] = NULL;

	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0 || pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0) {
		rc = errno;
		goto out;
	}
	memset(&s, 0, sizeof s);
	s.prog = prog;
	s.argv = argv;
	s.envp = envp;
	s.devnull = devnull;
	s.out_w = outp[1];
	s.err_w = errp[1];
	s.pdf_fd = use_fd ? pdf_fd : -1;
	s.report_w = rep[1];
	s.as = (struct rlimit){ L->memory, L->memory };
	s.cpu = (struct rlimit){ L->cpu_seconds, (rlim_t)L->cpu_seconds + 1 };
	s.fsize = (struct rlimit){ 0, 0 };
	s.nofile = (struct rlimit){ CHILD_NOFILE, CHILD_NOFILE };
	s.core = (struct rlimit){ 0, 0 };
	s.dfl.sa_handler = SIG_DFL;
	sigemptyset(&s.dfl.sa_mask);
	sigemptyset(&s.empty);
	s.max_fd = getrlimit(RLIMIT_NOFILE, &nof) == 0 && nof.rlim_cur < 65536 ? (unsigned)nof.rlim_cur : 65536;

	pid = fork();
	if (pid < 0) {
		rc = errno;
		goto out;
	}
	if (pid == 0)
		child(&s);

	close_fd(&outp[1]);
	close_fd(&errp[1]);
	close_fd(&rep[1]);
	close_fd(&devnull);
	do
		n = read(rep[0], &e, sizeof e);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof e) { /* execve (or the set-up before it) failed */
		reap(r, pid, true, &t0, L);
		rc = e ? e : ENOEXEC;
		goto out;
	}
	pump(r, outp[0], errp[0], &t0, L);
	if (r->timed_out || r->too_big || r->oom || r->poll_errno) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	close_fd(&outp[0]);
	close_fd(&errp[0]);
	reap(r, pid, r->timed_out || r->too_big || r->oom || r->poll_errno, &t0, L);
	*wall_ms = ms_since(&t0);
out:
	for (int i = 0; i < 2; i++) {
		close_fd(&outp[i]);
		close_fd(&errp[i]);
		close_fd(&rep[i]);
	}
	close_fd(&devnull);
	free(prog);
	free(file);
	return rc;
}

/* ---- pages -------------------------------------------------------------------------------------- */

/* s[0..n) trimmed, made valid UTF-8 (bad bytes → U+FFFD), control characters other than "\n" and
 * "\t" dropped. NULL when out of memory. */
static char *clean_page(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	char *out, *o;
	size_t i = 0;

	while (n > 0 && s[n - 1] && strchr(" \t\n\r\v", s[n - 1]))
		n--;
	while (i < n && s[i] && strchr(" \t\n\r\v", s[i]))
		i++;
	out = malloc((n - i) * 3 + 1);
	if (!out)
		return NULL;
	o = out;
	while (i < n) {
		unsigned char c = u[i];
		size_t k = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
			 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
		bool ok = k > 0 && i + k <= n;

		for (size_t j = 1; ok && j < k; j++)
			ok = (u[i + j] & 0xC0) == 0x80;
		if (ok && k == 3)
			ok = !(c == 0xE0 && u[i + 1] < 0xA0) && !(c == 0xED && u[i + 1] >= 0xA0);
		if (ok && k == 4)
			ok = !(c == 0xF0 && u[i + 1] < 0x90) && !(c == 0xF4 && u[i + 1] >= 0x90);
		if (!ok) {
			memcpy(o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
			continue;
		}
		if (k > 1 || c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7F)) {
			memcpy(o, s + i, k);
			o += k;
		}
		i += k;
	}
	*o = '\0';
	return out;
}

/* Cuts the output at form feeds into out->pages. Returns false when out of memory. */
static bool split_pages(const char *text, size_t len, struct pdf_text *out)
{
	size_t count = 0, start = 0;

	for (size_t i = 0; i < len; i++)
		count += text[i] == '\f';
	if (len > 0 && text[len - 1] != '\f')
		count++; /* text after the last form feed: a page pdftotext did not close */
	if (count == 0)
		return true;
	out->pages = calloc(count, sizeof *out->pages);
	if (!out->pages)
		return false;
	for (size_t i = 0; i <= len && out->npages < count; i++) {
		if (i < len && text[i] != '\f')
			continue;
		out->pages[out->npages] = clean_page(text + start, i - start);
		if (!out->pages[out->npages])
			return false;
		out->npages++;
		start = i + 1;
	}
	return true;
}

/* The last non-empty line of pdftotext's stderr, with unprintable bytes as '?', in buf. */
static const char *last_line(const char *tail, char *buf, size_t bufsz)
{
	size_t n = strlen(tail), s, k = 0;

	while (n > 0 && (tail[n - 1] == '\n' || tail[n - 1] == '\r' || tail[n - 1] == ' '))
		n--;
	for (s = n; s > 0 && tail[s - 1] != '\n'; s--)
		;
	for (; s < n && k + 1 < bufsz; s++)
		buf[k++] = (unsigned char)tail[s] >= 0x20 && (unsigned char)tail[s] < 0x7F ? tail[s] : '?';
	buf[k] = '\0';
	return k > 0 ? buf : "no error message";
}

/* Checks the open PDF `fd` (its name `path`, for messages and the fallback) and runs pdftotext. */
static int extract_fd(int fd, const char *path, const struct limits *L, struct pdf_text *out, char *err,
		      size_t errlen)
{
	struct stat st;
	char head[HEADER_WINDOW], line[256];
	ssize_t n;
	struct run r;
	int rc;
	bool blank = true;

	if (fstat(fd, &st) < 0)
		return fail(out, PDF_ERROR, err, errlen, "cannot read the PDF: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(out, PDF_NOT_PDF, err, errlen, "not a PDF file (not a regular file)");
	if ((unsigned long long)st.st_size > L->max_bytes)
		return fail(out, PDF_TOO_BIG, err, errlen, "the PDF is larger than %zu MiB", L->max_bytes >> 20);
	do
		n = pread(fd, head, sizeof head, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return fail(out, PDF_ERROR, err, errlen, "cannot read the PDF: %s", strerror(errno));
	if (!memmem(head, (size_t)n, "%PDF-", 5))
		return fail(out, PDF_NOT_PDF, err, errlen, "not a PDF file (no %%PDF- header)");

	memset(&r, 0, sizeof r);
	rc = run_pdftotext(fd, path, L, &r, &out->wall_ms);
	out->cpu_ms = (long)(r.ru.ru_utime.tv_sec + r.ru.ru_stime.tv_sec) * 1000 +
		      (long)(r.ru.ru_utime.tv_usec + r.ru.ru_stime.tv_usec) / 1000;
	out->max_rss_kb = r.ru.ru_maxrss;
	if (rc != 0) {
		free(r.text);
		return fail(out, PDF_ERROR, err, errlen, "cannot run %s: %s", L->prog, strerror(rc));
	}
	if (r.oom) {
		rc = fail(out, PDF_ERROR, err, errlen, "out of memory while reading the PDF's text");
	} else if (r.poll_errno) {
		rc = fail(out, PDF_ERROR, err, errlen, "reading pdftotext's output failed: %s", strerror(r.poll_errno));
	} else if (r.timed_out) {
		rc = fail(out, PDF_TIMEOUT, err, errlen, "reading the PDF took longer than %u s",
			  (L->timeout_ms + 999) / 1000);
	} else if (r.too_big) {
		rc = fail(out, PDF_TOO_BIG, err, errlen, "the PDF's text is larger than %zu KiB", L->max_text >> 10);
	} else if (WIFSIGNALED(r.wstatus)) {
		int sig = WTERMSIG(r.wstatus);

		if (sig == SIGXCPU || (sig == SIGKILL && out->cpu_ms >= (long)L->cpu_seconds * 1000))
			rc = fail(out, PDF_TIMEOUT, err, errlen, "reading the PDF used more than %u s of CPU time",
				  L->cpu_seconds);
		else
			rc = fail(out, PDF_CORRUPT, err, errlen, "the PDF could not be read (pdftotext ended by signal %d: %s)",
				  sig, last_line(r.errtail, line, sizeof line));
	} else if (!WIFEXITED(r.wstatus) || WEXITSTATUS(r.wstatus) != 0) {
		int code = WIFEXITED(r.wstatus) ? WEXITSTATUS(r.wstatus) : -1;

		rc = fail(out, code == 1 || code == 3 ? PDF_CORRUPT : PDF_ERROR, err, errlen,
			  "the PDF could not be read (pdftotext exit %d: %s)", code,
			  last_line(r.errtail, line, sizeof line));
	} else if (!split_pages(r.text ? r.text : "", r.len, out)) {
		rc = fail(out, PDF_ERROR, err, errlen, "out of memory while reading the PDF's text");
	} else if (out->npages == 0) {
		rc = fail(out, PDF_CORRUPT, err, errlen, "the PDF could not be read (no pages)");
	} else {
		for (size_t i = 0; i < out->npages && blank; i++)
			blank = out->pages[i][0] == '\0';
		rc = blank ? fail(out, PDF_NO_TEXT, err, errlen, "%s", no_text_msg) : PDF_OK;
		out->status = (enum pdf_status)rc;
	}
	free(r.text);
	if (rc != PDF_OK && rc != PDF_NO_TEXT) {
		for (size_t i = 0; i < out->npages; i++)
			free(out->pages[i]);
		free(out->pages);
		out->pages = NULL;
		out->npages = 0;
	}
	return rc;
}

/* ---- entry points ------------------------------------------------------------------------------- */

int pdf_extract_file(const char *path, const struct pdf_limits *lim, struct pdf_text *out, char *err,
		     size_t errlen)
{
	struct limits L;
	int fd, rc;

	if (err && errlen > 0)
		err[0] = '\0';
	if (!out)
		return PDF_ERROR;
	*out = (struct pdf_text){ 0 };
	if (!path)
		return fail(out, PDF_ERROR, err, errlen, "no file");
	get_limits(lim, &L);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fail(out, PDF_ERROR, err, errlen, "cannot open the PDF: %s", strerror(errno));
	rc = extract_fd(fd, path, &L, out, err, errlen);
	close(fd);
	return rc;
}

int pdf_extract_mem(const void *data, size_t len, const struct pdf_limits *lim, struct pdf_text *out,
		    char *err, size_t errlen)
{
	struct limits L;
	const char *dir = getenv("TMPDIR");
	char *tmpl;
	const char *p = data;
	size_t left = len;
	int fd, rc;
	bool unlinked = false;

	if (err && errlen > 0)
		err[0] = '\0';
	if (!out)
		return PDF_ERROR;
	*out = (struct pdf_text){ 0 };
	if (!data && len > 0)
		return fail(out, PDF_ERROR, err, errlen, "no data");
	get_limits(lim, &L);
	if (len > L.max_bytes)
		return fail(out, PDF_TOO_BIG, err, errlen, "the PDF is larger than %zu MiB", L.max_bytes >> 20);
	if (len < 5 || !memmem(data, len < HEADER_WINDOW ? len : HEADER_WINDOW, "%PDF-", 5))
		return fail(out, PDF_NOT_PDF, err, errlen, "not a PDF file (no %%PDF- header)");
	if (!dir || !*dir)
		dir = "/tmp";
	tmpl = malloc(strlen(dir) + sizeof "/botwerk-pdf-XXXXXX");
	if (!tmpl)
		return fail(out, PDF_ERROR, err, errlen, "out of memory");
	sprintf(tmpl, "%s/botwerk-pdf-XXXXXX", dir);
	fd = mkostemp(tmpl, O_CLOEXEC); /* mode 0600 */
	if (fd < 0) {
		rc = fail(out, PDF_ERROR, err, errlen, "cannot create a temporary file in %s: %s", dir, strerror(errno));
		free(tmpl);
		return rc;
	}
	if (access("/proc/self/fd", F_OK) == 0)
		unlinked = unlink(tmpl) == 0; /* the child reads it through the descriptor */
	while (left > 0) {
		ssize_t n = write(fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = fail(out, PDF_ERROR, err, errlen, "cannot write a temporary file: %s",
				  n < 0 ? strerror(errno) : "no space");
			goto out;
		}
		p += n;
		left -= (size_t)n;
	}
	rc = extract_fd(fd, tmpl, &L, out, err, errlen);
out:
	close(fd);
	if (!unlinked)
		unlink(tmpl);
	free(tmpl);
	return rc;
}

void pdf_text_clear(struct pdf_text *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->npages; i++)
		free(t->pages[i]);
	free(t->pages);
	*t = (struct pdf_text){ 0 };
}

const char *pdf_status_name(int status)
{
	static const char *const names[] = { "ok", "no_text", "not_pdf", "corrupt", "timeout", "too_big", "error" };

	return status >= 0 && status < (int)(sizeof names / sizeof names[0]) ? names[status] : "error";
}
