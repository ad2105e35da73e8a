/* SPDX-License-Identifier: MIT */
/*
 * termsafe.c - terminal-safe human output. Script text, file names,
 * migration names and database messages (a failed statement, the error a
 * dirty history row keeps) are hostile input: an ESC byte among them
 * could drive the terminal that shows them (move the cursor, rewrite what
 * is on screen, set the window title, ...).
 *
 * Rather than trust every printf of the program to escape what it
 * prints, stdout and stderr are replaced by stdio streams (fopencookie)
 * that write everything through a filter to the real ones: control
 * characters but newline and tab (a carriage return too, unless a newline
 * follows it), DEL, the C1 controls U+0080 to U+009F and bytes that are
 * not valid UTF-8 come out as \xNN. The program's own colours go around
 * the filter (cli_paint). JSON output is not filtered: it escapes every
 * such character itself (output.c). Without fopencookie the streams are
 * left alone.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cli.h"

/* A filtered stream: where its bytes go, and the end of a UTF-8 sequence
 * (or a carriage return) that the last write left unfinished. */
struct filter {
	FILE *raw;
	unsigned char pending[4];
	size_t n_pending;
};

static struct filter out_filter, err_filter;

#ifdef HAVE_FOPENCOOKIE

/* How many bytes the UTF-8 sequence starting with lead has (1 to 4), or
 * 0 when lead cannot start one. */
static size_t seq_len(unsigned char lead)
{
	if (lead < 0x80)
		return 1;
	if (lead >= 0xc2 && lead <= 0xdf)
		return 2;
	if (lead >= 0xe0 && lead <= 0xef)
		return 3;
	if (lead >= 0xf0 && lead <= 0xf4)
		return 4;
	return 0;
}

/* Is the n-byte sequence at s valid UTF-8 and not a C1 control? */
static int seq_ok(const unsigned char *s, size_t n)
{
	unsigned int cp = s[0] & (0xff >> (n + 1));
	size_t i;

	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (n == 2 && cp < 0xa0)
		return 0; /* C1 controls: 0x9b is a CSI on some terminals */
	if (n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)))
		return 0;
	if (n == 4 && (cp < 0x10000 || cp > 0x10ffff))
		return 0;
	return 1;
}

static void put_escaped(FILE *raw, unsigned char c)
{
	fprintf(raw, "\\x%02x", c);
}

/*
 * Filter the n bytes at s into f->raw. With last set, nothing more will
 * follow, so an unfinished sequence is escaped rather than kept.
 * Returns how many bytes at the end were kept for the next call.
 */
static size_t filter_bytes(struct filter *f, const unsigned char *s, size_t n,
			   int last)
{
	size_t i = 0, len, k;

	while (i < n) {
		if (s[i] == '\r' && i + 1 == n && !last)
			return 1; /* a newline may follow */
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
			fputc('\r', f->raw);
			i++;
			continue;
		}
		if (s[i] < 0x80) {
			if ((s[i] < 0x20 && s[i] != '\n' && s[i] != '\t') ||
			    s[i] == 0x7f)
				put_escaped(f->raw, s[i]);
			else
				fputc(s[i], f->raw);
			i++;
			continue;
		}
		len = seq_len(s[i]);
		if (len > 0 && i + len > n && !last) {
			for (k = i + 1; k < n && (s[k] & 0xc0) == 0x80; k++)
				;
			if (k == n)
				return n - i; /* finished by the next write */
		}
		if (len == 0 || i + len > n || !seq_ok(s + i, len)) {
			put_escaped(f->raw, s[i]);
			i++;
			continue;
		}
		fwrite(s + i, 1, len, f->raw);
		i += len;
	}
	return 0;
}

/* The write function of a filtered stream. */
static ssize_t filter_write(void *cookie, const char *buf, size_t size)
{
	struct filter *f = cookie;
	unsigned char joined[4 + 64];
	size_t take, kept, used, done = 0;

	/* Finish what the last write left, with the first bytes of this
	 * one. */
	while (f->n_pending > 0 && done < size) {
		take = size - done < 64 ? size - done : 64;
		memcpy(joined, f->pending, f->n_pending);
		memcpy(joined + f->n_pending, buf + done, take);
		used = f->n_pending + take;
		kept = filter_bytes(f, joined, used, 0);
		done += take;
		memcpy(f->pending, joined + used - kept, kept);
		f->n_pending = kept;
	}
	if (done < size) {
		kept = filter_bytes(f, (const unsigned char *)buf + done,
				    size - done, 0);
		memcpy(f->pending, buf + size - kept, kept);
		f->n_pending = kept;
	}
	if (fflush(f->raw) != 0 || ferror(f->raw))
		return -1;
	return (ssize_t)size;
}

/* Escape what is left: nothing more will come. */
static void filter_finish(struct filter *f)
{
	if (f->raw == NULL || f->n_pending == 0)
		return;
	filter_bytes(f, f->pending, f->n_pending, 1);
	f->n_pending = 0;
	fflush(f->raw);
}

static void finish_both(void)
{
	fflush(stdout);
	fflush(stderr);
	filter_finish(&out_filter);
	filter_finish(&err_filter);
}

/* A stream writing through f to raw, buffered as mode says. */
static FILE *filtered(struct filter *f, FILE *raw, int mode)
{
	cookie_io_functions_t io = {NULL, filter_write, NULL, NULL};
	FILE *s;

	f->raw = raw;
	s = fopencookie(f, "w", io);
	if (s != NULL)
		setvbuf(s, NULL, mode, mode == _IONBF ? 0 : BUFSIZ);
	return s;
}
#endif

void cli_termsafe_init(int filter_stdout)
{
#ifdef HAVE_FOPENCOOKIE
	FILE *s;

	s = filtered(&err_filter, stderr, _IONBF);
	if (s != NULL)
		stderr = s;
	if (filter_stdout) {
		s = filtered(&out_filter, stdout, _IOLBF);
		if (s != NULL)
			stdout = s;
	}
	atexit(finish_both);
#else
	(void)filter_stdout;
#endif
}

FILE *cli_termsafe_raw(FILE *stream)
{
	if (stream == stdout && out_filter.raw != NULL)
		return out_filter.raw;
	if (stream == stderr && err_filter.raw != NULL)
		return err_filter.raw;
	return stream;
}
