/* SPDX-License-Identifier: MIT */
/*
 * urlparts.c - one reading of a database URL, shared by the core (for the
 * form messages show) and the drivers (for what they connect with, lent
 * as dbshift_host.url_split), and the scrubbing of passwords out of
 * messages (dbshift_host.scrub, url_scrub).
 *
 * Redaction by construction: nothing shows a URL as the user wrote it.
 * Messages show a form rebuilt from the parts (scheme, user, host, path),
 * and the parts are found by the one rule every reader here follows: the
 * user-info ends at the last '@'. A password may therefore hold any
 * character unencoded, and nothing of it can end up in the host or the
 * path. The query string is never shown, since any parameter (under any
 * spelling, percent-encoded names included) may carry a secret. Scrubbing
 * client-library messages of the password is a second line of defence.
 */
#include "config.h"

#include "host.h"
#include "urlparts.h"

#include <stdlib.h>
#include <string.h>

/* Stands in for a secret. */
#define HIDDEN "***"

/* Shorter secrets are not scrubbed (see urlparts.h). */
#define SCRUB_MIN 4

/* Query parameters whose value is a secret, compared ignoring case. */
static const char *const secret_params[] = {"password", "pass", "passwd", "pwd",
					    "sslpassword"};

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_scheme_char(int c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
	       c == '.';
}

void dbshift__url_split(dbshift__url_parts *parts, const char *url)
{
	const char *rest, *at = NULL, *p, *colon;
	size_t n = 0;

	memset(parts, 0, sizeof(*parts));
	if (url == NULL)
		return;
	if (is_alpha((unsigned char)url[0]))
		for (n = 1; is_scheme_char((unsigned char)url[n]); n++)
			;
	if (n == 0 || url[n] != ':')
		return;
	parts->scheme = url;
	parts->scheme_len = n;
	rest = url + n + 1;
	if (rest[0] == '/' && rest[1] == '/') {
		parts->authority = 1;
		rest += 2;
	}
	for (p = rest; *p != '\0'; p++)
		if (*p == '@')
			at = p;
	if (at != NULL) {
		parts->user = rest;
		colon = memchr(rest, ':', (size_t)(at - rest));
		parts->user_len = (size_t)((colon ? colon : at) - rest);
		if (colon != NULL) {
			parts->password = colon + 1;
			parts->password_len = (size_t)(at - colon - 1);
		}
		rest = at + 1;
	}
	parts->where = rest;
	parts->where_len = strcspn(rest, "?");
	if (rest[parts->where_len] == '?')
		parts->query = rest + parts->where_len + 1;
}

/* A bounded writer, counting what the whole output needs (as snprintf). */
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

size_t dbshift__url_display(const char *url, char *buf, size_t size)
{
	static const char no_scheme[] = "(URL without a scheme)";
	dbshift__url_parts u;
	struct out o = {buf, size, 0};

	dbshift__url_split(&u, url);
	if (u.scheme == NULL) {
		put(&o, no_scheme, strlen(no_scheme));
	} else {
		put(&o, u.scheme, u.scheme_len + 1);
		if (u.authority)
			put(&o, "//", 2);
		if (u.user != NULL) {
			put(&o, u.user, u.user_len);
			if (u.password != NULL && u.password_len > 0)
				put(&o, ":" HIDDEN, strlen(HIDDEN) + 1);
			else if (u.password != NULL)
				put(&o, ":", 1);
			put(&o, "@", 1);
		}
		put(&o, u.where, u.where_len);
	}
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len;
}

int dbshift__url_decode_new(const char *s, size_t len, char **out)
{
	*out = malloc(len + 1);
	if (*out == NULL)
		return -1;
	if (dbshift__url_decode(s, len, *out, NULL) == 0)
		return 0;
	free(*out);
	*out = NULL;
	return 1;
}

/* Replace every copy of the len bytes at needle in msg with HIDDEN. */
static void scrub_exact(char *msg, const char *needle, size_t len)
{
	char *hit = msg;
	size_t tail;

	while ((hit = strstr(hit, needle)) != NULL) {
		tail = strlen(hit + len);
		memcpy(hit, HIDDEN, strlen(HIDDEN));
		memmove(hit + strlen(HIDDEN), hit + len, tail + 1);
		hit += strlen(HIDDEN);
	}
}

/* secret with each byte in special preceded by escape (or doubled when
 * escape is 0), into out (2 * len + 1 bytes). */
static void quote_form(char *out, const char *secret, size_t len,
		       const char *special, char escape)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (secret[i] != '\0' && strchr(special, secret[i]) != NULL)
			*out++ = escape != 0 ? escape : secret[i];
		*out++ = secret[i];
	}
	*out = '\0';
}

void dbshift__secret_scrub(char *msg, size_t size, const char *secret,
			   size_t len)
{
	char *form;

	if (msg == NULL || size == 0 || secret == NULL || len < SCRUB_MIN ||
	    memchr(secret, '\0', len) != NULL)
		return;
	msg[size - 1] = '\0';
	form = malloc(2 * len + 1);
	if (form == NULL) {
		/* Cannot check: show nothing rather than risk it. */
		msg[0] = '\0';
		return;
	}
	quote_form(form, secret, len, "", 0);
	scrub_exact(msg, form, len);
	quote_form(form, secret, len, "'", 0);
	scrub_exact(msg, form, strlen(form));
	quote_form(form, secret, len, "\"", 0);
	scrub_exact(msg, form, strlen(form));
	quote_form(form, secret, len, "'\"\\", '\\');
	scrub_exact(msg, form, strlen(form));
	free(form);
}

/* Scrub msg of the len bytes at s as written and percent-decoded. */
static void scrub_both(char *msg, size_t size, const char *s, size_t len)
{
	char *decoded;

	dbshift__secret_scrub(msg, size, s, len);
	if (dbshift__url_decode_new(s, len, &decoded) == 0)
		dbshift__secret_scrub(msg, size, decoded, strlen(decoded));
	free(decoded);
}

/* Are a and b equal, ignoring the case of ASCII letters? */
static int same_name(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if ((*a | 0x20) != (*b | 0x20) || !is_alpha((unsigned char)*a))
			if (*a != *b)
				return 0;
	return *a == *b;
}

/* Is the name of the len-byte parameter at s (percent-decoded) one that
 * holds a secret? */
static int secret_param(const char *s, size_t len)
{
	char *name;
	size_t i;
	int found = 0;

	if (dbshift__url_decode_new(s, len, &name) != 0)
		return 1; /* undecodable: treat its value as secret */
	for (i = 0; i < sizeof(secret_params) / sizeof(secret_params[0]); i++)
		if (same_name(name, secret_params[i]))
			found = 1;
	free(name);
	return found;
}

void dbshift__url_scrub(char *msg, size_t size, const char *url)
{
	dbshift__url_parts u;
	const char *q, *eq;
	size_t len;

	dbshift__url_split(&u, url);
	if (u.password != NULL)
		scrub_both(msg, size, u.password, u.password_len);
	for (q = u.query; q != NULL && *q != '\0'; q += len + (q[len] == '&')) {
		len = strcspn(q, "&");
		eq = memchr(q, '=', len);
		if (eq != NULL && secret_param(q, (size_t)(eq - q)))
			scrub_both(msg, size, eq + 1,
				   (size_t)(q + len - eq - 1));
	}
}
