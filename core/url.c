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
 * Redaction hides a password wherever a URL of the forms in design.md 6
 * carries one: in the userinfo of scheme://user:password@host/..., and as a
 * password=, pass=, passwd= or pwd= query parameter. Passwords should be
 * percent-encoded in URLs; to avoid leaking one that is not, the userinfo
 * ends at the last '@' before the query ('?'), so a password may contain
 * '@', ':', '/' or '#'. libpq-style keyword strings ("host=h password=x")
 * are not URLs and are not handled here. The core knows no scheme: a URL
 * without "//" after the scheme (sqlite:PATH) or with an empty authority
 * (sqlite:///PATH) has no userinfo, so a file name in it may contain ':'
 * and '@'; any other scheme://... is read as authority form.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "dbshift/dbshift.h"
#include "url.h"
#include "util.h"

/* Stands in for a password. */
#define REDACTED "***"

/* Longest redacted URL quoted in an error message. */
#define MESSAGE_URL_MAX 512

/* Query parameters whose value is a password. */
static const char *const secret_params[] = {"password", "pass", "passwd",
					    "pwd"};

/*
 * A bounded writer: put() copies what fits into buf (always leaving room
 * for the NUL) and counts everything, so that len ends up as the length
 * the whole output needs, as with snprintf.
 */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, const char *s, size_t n)
{
	size_t room;

	if (o->size > 0 && o->len < o->size - 1) {
		room = o->size - 1 - o->len;
		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void put_end(struct out *o)
{
	if (o->size == 0)
		return;
	o->buf[o->len < o->size ? o->len : o->size - 1] = '\0';
}

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

/* Does the n-byte scheme s equal name, ignoring case? */
static int scheme_is(const char *s, size_t n, const char *name)
{
	size_t i;

	if (strlen(name) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (lower((unsigned char)s[i]) != name[i])
			return 0;
	return 1;
}

/*
 * Find the password in the userinfo of scheme://user:password@host...:
 * set *start and *end around it and return 1, or return 0 when the URL
 * has no (non-empty) password there.
 */
static int find_userinfo_password(const char *url, const char **start,
				  const char **end)
{
	const char *colon = strchr(url, ':');
	const char *auth, *query, *at, *p, *pw;

	if (colon == NULL || colon[1] != '/' || colon[2] != '/' ||
	    colon[3] == '/')
		return 0;
	auth = colon + 3;
	query = auth + strcspn(auth, "?");
	at = NULL;
	for (p = auth; p < query; p++)
		if (*p == '@')
			at = p;
	if (at == NULL)
		return 0;
	pw = memchr(auth, ':', (size_t)(at - auth));
	if (pw == NULL || pw + 1 == at)
		return 0;
	*start = pw + 1;
	*end = at;
	return 1;
}

static int secret_param(const char *key, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(secret_params) / sizeof(secret_params[0]); i++)
		if (scheme_is(key, n, secret_params[i]))
			return 1;
	return 0;
}

/* Write the query string q (after the '?') with secret values hidden. */
static void put_query(struct out *o, const char *q)
{
	size_t len;
	const char *eq;

	while (*q != '\0') {
		len = strcspn(q, "&");
		eq = memchr(q, '=', len);
		if (eq != NULL && secret_param(q, (size_t)(eq - q)) &&
		    eq + 1 < q + len) {
			put(o, q, (size_t)(eq + 1 - q));
			put(o, REDACTED, strlen(REDACTED));
		} else {
			put(o, q, len);
		}
		q += len;
		if (*q == '&') {
			put(o, "&", 1);
			q++;
		}
	}
}

/*
 * Write url with its passwords hidden into buf (size bytes, truncated and
 * NUL-terminated when size > 0). Returns the length of the whole redacted
 * URL, without the NUL.
 */
static size_t redact(const char *url, char *buf, size_t size)
{
	struct out o = {buf, size, 0};
	const char *p = url, *pw_start, *pw_end, *query;

	if (find_userinfo_password(url, &pw_start, &pw_end)) {
		put(&o, url, (size_t)(pw_start - url));
		put(&o, REDACTED, strlen(REDACTED));
		p = pw_end;
	}
	query = strchr(p, '?');
	if (query == NULL) {
		put(&o, p, strlen(p));
	} else {
		put(&o, p, (size_t)(query + 1 - p));
		put_query(&o, query + 1);
	}
	put_end(&o);
	return o.len;
}

/* The redacted URL for an error message, shortened with "..." when it
 * does not fit in buf. */
static const char *message_url(const char *url, char *buf, size_t size)
{
	if (redact(url, buf, size) >= size && size > 4)
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
					"URL '%s' has no scheme; expected "
					"e.g. sqlite:%s",
					shown, shown);
	n = (size_t)(colon - url);
	for (i = 0; i < n; i++) {
		c = (unsigned char)url[i];
		if (is_alpha(c) || (i > 0 && (is_digit(c) || c == '+' ||
					      c == '-' || c == '.')))
			continue;
		return dbshift__err_set(err, DBSHIFT_EURL,
					"URL '%s' has an invalid scheme "
					"'%.*s': a scheme is a letter followed "
					"by letters, digits, '+', '-' or '.'",
					shown, n > 64 ? 64 : (int)n, url);
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
 * Public: url with any password replaced by "***", into buf. Returns 0, or
 * DBSHIFT_EINVAL (thread error set) for a NULL argument or when buf is too
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
	need = redact(url, buf, buf_size);
	if (need >= buf_size) {
		buf[0] = '\0';
		return dbshift__err_set(dbshift__err_last(), DBSHIFT_EINVAL,
					"buffer of %zu bytes too small for "
					"the redacted URL (%zu needed)",
					buf_size, need + 1);
	}
	return 0;
}
