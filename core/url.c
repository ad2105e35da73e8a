/* SPDX-License-Identifier: MIT */
/*
 * url.c - the little URL handling the core needs: the scheme of a database
 * URL (the loader picks the driver that declares it, design.md 2.8), and a
 * copy of a URL with its password hidden, for messages and logs.
 *
 * The scheme becomes part of a file name (driver_<scheme>.so) and of a
 * symbol name (dbshift_driver_<scheme>_init), so it is checked strictly. It
 * must follow RFC 3986 (a letter, then letters, digits, '+', '-' or '.'),
 * is lower-cased, and may not hold '+' or '.': they cannot be part of a
 * driver's file name, and rather than guess what "postgresql+ssl" or "x.y"
 * should load (SQLAlchemy-style "dialect+driver" is not a dbshift
 * convention), such URLs are rejected with DBSHIFT_EURL. A scheme with '-'
 * is accepted and loads driver_<scheme>.so through the generic entry
 * symbol, since '-' cannot appear in a C identifier.
 *
 * Messages never quote the URL as written: they show the form that
 * urlparts.c rebuilds from its parts (scheme, user, host and path; the
 * password as "***"; no query string), and a URL without a valid scheme
 * is not shown at all, since it may be a libpq keyword string such as
 * "host=h password=x".
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "dbshift/dbshift.h"
#include "url.h"
#include "urlparts.h"
#include "util.h"

/* Longest redacted URL quoted in an error message. */
#define MESSAGE_URL_MAX 512

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* The redacted URL for an error message, shortened with "..." when it
 * does not fit in buf. */
static const char *message_url(const char *url, char *buf, size_t size)
{
	if (dbshift__url_display(url, buf, size) >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
	return buf;
}

/*
 * The scheme of url into scheme (lower-cased). Errors, recorded in err
 * (or the thread's error when err is NULL) and each naming the redacted
 * URL: DBSHIFT_EINVAL for a NULL url, DBSHIFT_EURL for no scheme, a
 * malformed one, one holding '+' or '.', or one longer than size - 1.
 */
int dbshift__url_scheme(const char *url, char *scheme, size_t size,
			dbshift__err *err)
{
	char shown[MESSAGE_URL_MAX];
	const char *colon;
	size_t n, i;
	int c;

	if (err == NULL)
		err = dbshift__err_last();
	if (scheme != NULL && size > 0)
		scheme[0] = '\0';
	if (url == NULL)
		return dbshift__err_set(err, DBSHIFT_EINVAL, "no URL given");
	if (url[0] == '\0')
		return dbshift__err_set(err, DBSHIFT_EURL,
					"URL is empty; expected e.g. "
					"sqlite:dbshift.db");
	message_url(url, shown, sizeof(shown));
	colon = strchr(url, ':');
	if (colon == NULL || colon == url)
		return dbshift__err_set(err, DBSHIFT_EURL,
					"URL has no scheme; expected e.g. "
					"sqlite:dbshift.db or "
					"postgres://user@host/db");
	n = (size_t)(colon - url);
	for (i = 0; i < n; i++) {
		c = (unsigned char)url[i];
		if (is_alpha(c) || (i > 0 && (is_digit(c) || c == '+' ||
					      c == '-' || c == '.')))
			continue;
		return dbshift__err_set(err, DBSHIFT_EURL,
					"URL has an invalid scheme: a scheme "
					"is a letter followed by letters, "
					"digits, '+', '-' or '.', then ':'");
	}
	if (memchr(url, '+', n) != NULL || memchr(url, '.', n) != NULL)
		return dbshift__err_set(err, DBSHIFT_EURL,
					"URL '%s': scheme '%.*s' cannot name a "
					"driver ('+' and '.' are not allowed "
					"in driver names)",
					shown, n > 64 ? 64 : (int)n, url);
	if (scheme == NULL || size == 0)
		return dbshift__err_set(err, DBSHIFT_EINVAL,
					"no buffer for the scheme of URL '%s'",
					shown);
	if (n >= size)
		return dbshift__err_set(err, DBSHIFT_EURL,
					"URL '%s': scheme '%.*s%s' is too long",
					shown, n > 32 ? 32 : (int)n, url,
					n > 32 ? "..." : "");
	for (i = 0; i < n; i++)
		scheme[i] = (char)lower((unsigned char)url[i]);
	scheme[n] = '\0';
	return 0;
}

/*
 * Public: the form of url that messages show (urlparts.h), into buf. Returns 0,
 * or DBSHIFT_EINVAL (thread error set) for a NULL argument or when buf is too
 * small; buf then holds "" when it has room for anything at all, so that a
 * partial URL is never mistaken for the whole one.
 */
int dbshift_url_redact(const char *url, char *buf, size_t buf_size)
{
	size_t need;

	if (url == NULL || buf == NULL || buf_size == 0)
		return dbshift__err_set(dbshift__err_last(), DBSHIFT_EINVAL,
					"dbshift_url_redact: %s",
					url == NULL ? "no URL given" :
						      "no output buffer");
	need = dbshift__url_display(url, buf, buf_size);
	if (need >= buf_size) {
		buf[0] = '\0';
		return dbshift__err_set(dbshift__err_last(), DBSHIFT_EINVAL,
					"buffer of %zu bytes too small for "
					"the redacted URL (%zu needed)",
					buf_size, need + 1);
	}
	return 0;
}
