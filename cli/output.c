/* SPDX-License-Identifier: MIT */
/*
 * output.c - how the dbshift program talks: errors and progress on
 * stderr, results on stdout, JSON string escaping, and the progress
 * callback the runner calls once before and once after each migration.
 *
 * Errors are one line, "dbshift: MESSAGE". Progress is one line per
 * migration ("applying app/001 create_users ... ok (3 ms)"), built from
 * two events; a progress line left open by a failure is closed before the
 * error is printed. Colours are used only on a terminal and never when
 * NO_COLOR is set. A URL is never shown without dbshift_url_redact().
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static struct {
	int quiet;
	int verbose;
	int line_open;	 /* a progress line waits for its result */
	const char *url; /* hidden if a library message repeats it */
	char last_id[256];
} out_state;

void cli_output_init(const struct cli_options *opts)
{
	out_state.quiet = opts->quiet;
	out_state.verbose = opts->verbose && !opts->quiet;
	out_state.url = opts->url;
	cli_termsafe_init(!opts->json);
}

int cli_color(FILE *stream)
{
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	if (no_color != NULL && no_color[0] != '\0')
		return 0;
	if (term != NULL && strcmp(term, "dumb") == 0)
		return 0;
	return isatty(fileno(cli_termsafe_raw(stream)));
}

void cli_paint(FILE *stream, const char *color, const char *text)
{
	if (color != NULL && cli_color(stream)) {
		/* The program's own escape sequences go around the filter. */
		fflush(stream);
		fprintf(cli_termsafe_raw(stream), "\033[%sm%s\033[0m", color,
			text);
		fflush(cli_termsafe_raw(stream));
	} else
		fputs(text, stream);
}

/* End a progress line that is still waiting for "ok" or "FAILED". */
static void close_line(void)
{
	if (out_state.line_open) {
		fputc('\n', stderr);
		out_state.line_open = 0;
	}
}

static void verror(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));

static void verror(const char *fmt, va_list ap)
{
	close_line();
	fputs("dbshift: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
	return code;
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
	fputs("Try 'dbshift --help' for more information.\n", stderr);
	return CLI_EXIT_USAGE;
}

int cli_exit_status(int rc)
{
	switch (rc) {
	case DBSHIFT_OK:
		return CLI_EXIT_OK;
	case DBSHIFT_EINVAL:
	case DBSHIFT_EURL:
	case DBSHIFT_ESOURCE:
	case DBSHIFT_EGRAPH:
	case DBSHIFT_ENOTFOUND:
		return CLI_EXIT_USAGE;
	default:
		return CLI_EXIT_FAIL;
	}
}

void cli_url_redact(const char *url, char *buf, size_t buf_size)
{
	if (dbshift_url_redact(url, buf, buf_size) != 0)
		snprintf(buf, buf_size, "(URL not shown)");
}

/*
 * Write a library message, replacing any copy of the URL in it with the
 * redacted URL: the library should never repeat a password, and the
 * program makes sure of it.
 */
static void put_scrubbed(const char *msg)
{
	char redacted[1024];
	const char *hit;
	size_t url_len;

	if (out_state.url == NULL || out_state.url[0] == '\0') {
		fputs(msg, stderr);
		return;
	}
	cli_url_redact(out_state.url, redacted, sizeof(redacted));
	url_len = strlen(out_state.url);
	while ((hit = strstr(msg, out_state.url)) != NULL) {
		fwrite(msg, 1, (size_t)(hit - msg), stderr);
		fputs(redacted, stderr);
		msg = hit + url_len;
	}
	fputs(msg, stderr);
}

int cli_report(int rc, const dbshift_error *err)
{
	char msg[2048];

	/* A copy: err is the thread's last error, which the library call
	 * that redacts the URL below may overwrite. */
	snprintf(msg, sizeof(msg), "%s",
		 err->message != NULL && err->message[0] != '\0' ?
			 err->message :
			 dbshift_code_name(rc));
	close_line();
	fputs("dbshift: ", stderr);
	put_scrubbed(msg);
	fputc('\n', stderr);
	if (err->statement != NULL && err->statement[0] != '\0')
		fprintf(stderr, "  statement %d: %.120s\n",
			err->statement_index, err->statement);
	if (out_state.verbose && err->sqlstate != NULL &&
	    err->sqlstate[0] != '\0')
		fprintf(stderr, "  sqlstate %s, native code %lld\n",
			err->sqlstate, (long long)err->native_code);
	return cli_exit_status(rc);
}

void cli_verbose(const char *fmt, ...)
{
	va_list ap;

	if (!out_state.verbose)
		return;
	close_line();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_result(const char *fmt, ...)
{
	va_list ap;

	if (out_state.quiet)
		return;
	close_line();
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

const char *cli_plural(char *buf, size_t size, long n, const char *noun)
{
	snprintf(buf, size, "%ld %s%s", n, noun, n == 1 ? "" : "s");
	return buf;
}

/* "3 ms", "<1 ms", "12.4 s" */
static void put_duration(int64_t us)
{
	int64_t ms = (us + 500) / 1000;

	if (us < 0)
		return;
	if (ms == 0)
		fputs(" (<1 ms)", stderr);
	else if (ms < 10000)
		fprintf(stderr, " (%lld ms)", (long long)ms);
	else
		fprintf(stderr, " (%.1f s)", (double)us / 1e6);
}

void cli_on_event(const dbshift_event *event, void *payload)
{
	const char *verb =
		event->direction == DBSHIFT_DOWN ? "reverting" : "applying";

	(void)payload;
	snprintf(out_state.last_id, sizeof(out_state.last_id), "%s",
		 event->id != NULL ? event->id : "");
	if (out_state.quiet)
		return;
	switch (event->kind) {
	case DBSHIFT_EVENT_WARNING:
		close_line();
		fprintf(stderr, "dbshift: warning: %s\n", event->message);
		return;
	case DBSHIFT_EVENT_BEFORE:
		close_line();
		fprintf(stderr, "%s %s", verb, event->id);
		if (event->name != NULL && event->name[0] != '\0')
			fprintf(stderr, " %s", event->name);
		fputs(" ... ", stderr);
		fflush(stderr);
		out_state.line_open = 1;
		return;
	case DBSHIFT_EVENT_AFTER:
	case DBSHIFT_EVENT_ERROR:
		if (!out_state.line_open)
			fprintf(stderr, "%s %s ... ", verb, event->id);
		if (event->kind == DBSHIFT_EVENT_AFTER)
			cli_paint(stderr, CLI_GREEN, "ok");
		else
			cli_paint(stderr, CLI_RED, "FAILED");
		put_duration(event->duration_us);
		fputc('\n', stderr);
		out_state.line_open = 0;
		return;
	case DBSHIFT_EVENT_RETRY:
		if (!out_state.line_open)
			fprintf(stderr, "%s %s ... ", verb, event->id);
		cli_paint(stderr, CLI_RED, "lock wait timed out");
		fprintf(stderr,
			" (attempt %d of %d: %s); rolled back, trying again "
			"in %.1f s\n",
			event->attempt, event->attempts,
			event->error != NULL ? event->error->message : "",
			(double)event->delay_ms / 1000.0);
		out_state.line_open = 0;
		return;
	}
}

const char *cli_last_migration(void)
{
	return out_state.last_id;
}

/* Length of the valid UTF-8 sequence at s, or 0 when it is not valid. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* Escape one ASCII byte if JSON needs it; returns 1 when written. */
static int json_escape_ascii(FILE *out, unsigned char c)
{
	switch (c) {
	case '"':
		fputs("\\\"", out);
		return 1;
	case '\\':
		fputs("\\\\", out);
		return 1;
	case '\n':
		fputs("\\n", out);
		return 1;
	case '\r':
		fputs("\\r", out);
		return 1;
	case '\t':
		fputs("\\t", out);
		return 1;
	case '\b':
		fputs("\\b", out);
		return 1;
	case '\f':
		fputs("\\f", out);
		return 1;
	}
	if (c < 0x20 || c == 0x7f) {
		fprintf(out, "\\u%04x", c);
		return 1;
	}
	return 0;
}

/*
 * JSON string: quotes, backslashes and control characters escaped, valid
 * UTF-8 passed through, and each invalid byte replaced by U+FFFD so that
 * the output is always valid JSON.
 */
void cli_json_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (s == NULL) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	while (*p != '\0') {
		if (*p < 0x80) {
			if (!json_escape_ascii(out, *p))
				fputc(*p, out);
			p++;
			continue;
		}
		n = utf8_len(p);
		if (n == 0) {
			fputs("\\ufffd", out);
			p++;
			continue;
		}
		if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
			/* C1 controls, as terminal-unsafe as ESC */
			fprintf(out, "\\u%04x", p[1]);
			p += 2;
			continue;
		}
		fwrite(p, 1, n, out);
		p += n;
	}
	fputc('"', out);
}

void cli_json_string_or_null(FILE *out, const char *s)
{
	cli_json_string(out, s != NULL && s[0] != '\0' ? s : NULL);
}

int cli_ask(const char *fmt, ...)
{
	char answer[32];
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" [y/N] ", stderr);
	fflush(stderr);
	if (fgets(answer, sizeof(answer), stdin) == NULL)
		return 0;
	answer[strcspn(answer, "\r\n")] = '\0';
	return strcmp(answer, "y") == 0 || strcmp(answer, "Y") == 0 ||
	       strcmp(answer, "yes") == 0 || strcmp(answer, "YES") == 0;
}

/* "changed", or "no-down (warning)" for a warning. */
static void kind_label(const dbshift_finding *f, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s", dbshift_finding_kind_name(f->kind),
		 f->warning ? " (warning)" : "");
}

static const char *or_dash(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : "-";
}

void cli_findings_print(const dbshift_findings *findings)
{
	size_t i, len, n = dbshift_findings_count(findings);
	size_t w_kind = 0, w_id = 0;
	const dbshift_finding *f;
	char kind[64];

	for (i = 0; i < n; i++) {
		f = dbshift_findings_get(findings, i);
		kind_label(f, kind, sizeof(kind));
		len = strlen(kind);
		w_kind = len > w_kind ? len : w_kind;
		len = strlen(or_dash(f->id));
		w_id = len > w_id ? len : w_id;
	}
	for (i = 0; i < n; i++) {
		f = dbshift_findings_get(findings, i);
		kind_label(f, kind, sizeof(kind));
		cli_paint(stdout, f->warning ? CLI_YELLOW : CLI_RED, kind);
		printf("%*s  %-*s  %s\n", (int)(w_kind - strlen(kind)), "",
		       (int)w_id, or_dash(f->id), f->message);
	}
}

void cli_findings_json(const dbshift_findings *findings)
{
	size_t i, n = dbshift_findings_count(findings);
	const dbshift_finding *f;

	fputc('[', stdout);
	for (i = 0; i < n; i++) {
		f = dbshift_findings_get(findings, i);
		fputs(i > 0 ? ",\n  " : "\n  ", stdout);
		fputs("{\"kind\":", stdout);
		cli_json_string(stdout, dbshift_finding_kind_name(f->kind));
		fputs(",\"id\":", stdout);
		cli_json_string_or_null(stdout, f->id);
		printf(",\"warning\":%s", f->warning ? "true" : "false");
		fputs(",\"message\":", stdout);
		cli_json_string(stdout, f->message);
		fputc('}', stdout);
	}
	fputs(n > 0 ? "\n]" : "]", stdout);
}

/* OUTPUT + ".tmp-XXXXXX" in a new string, or NULL when out of memory. */
static char *temp_template(const char *output)
{
	static const char suffix[] = ".tmp-XXXXXX";
	size_t len = strlen(output);
	char *path = malloc(len + sizeof(suffix));

	if (path != NULL) {
		memcpy(path, output, len);
		memcpy(path + len, suffix, sizeof(suffix));
	}
	return path;
}

/*
 * Create the temporary file *tmp (a new string) with the permissions a
 * newly created file gets (mkstemp() makes it private), opened in *fp.
 */
static int open_temp(const char *output, char **tmp, FILE **fp)
{
	mode_t mask;
	int fd;

	*fp = NULL;
	*tmp = temp_template(output);
	if (*tmp == NULL)
		return cli_error(CLI_EXIT_FAIL, "out of memory");
	fd = mkstemp(*tmp);
	if (fd < 0) {
		cli_error(CLI_EXIT_FAIL, "cannot create %s: %s", output,
			  strerror(errno));
		free(*tmp);
		*tmp = NULL;
		return CLI_EXIT_FAIL;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || (*fp = fdopen(fd, "w")) == NULL) {
		cli_error(CLI_EXIT_FAIL, "cannot create %s: %s", output,
			  strerror(errno));
		close(fd);
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
		return CLI_EXIT_FAIL;
	}
	return 0;
}

int cli_write_file(const char *output, cli_writer_fn write, void *payload)
{
	FILE *fp;
	char *tmp;
	int rc;

	rc = open_temp(output, &tmp, &fp);
	if (rc != 0)
		return rc;
	rc = write(fp, payload);
	if (rc != 0) {
		fclose(fp);
		goto fail;
	}
	if (fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) != 0 ||
	    fclose(fp) != 0) {
		rc = cli_error(CLI_EXIT_FAIL, "cannot write %s: %s", output,
			       strerror(errno));
		goto fail;
	}
	if (rename(tmp, output) != 0) {
		rc = cli_error(CLI_EXIT_FAIL, "cannot write %s: %s", output,
			       strerror(errno));
		goto fail;
	}
	cli_verbose("wrote %s", output);
	free(tmp);
	return CLI_EXIT_OK;
fail:
	unlink(tmp);
	free(tmp);
	return rc;
}
