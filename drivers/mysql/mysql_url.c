/* SPDX-License-Identifier: MIT */
/*
 * mysql_url.c - decoding the MySQL driver's URLs.
 *
 * mysql://[USER[:PASSWORD]@][HOST][:PORT][/DATABASE][?PARAMS] and the
 * same with mariadb://, read by hand (the client library takes no URLs),
 * taken apart by dbshift_host.url_split (the user-info ends at the last '@', so
 * a password may hold any character unencoded):
 * percent-decoding where a name may need it, each parameter checked, and
 * every bad input a one-line message that names the part at fault but
 * never shows the password. See mysql.c for the forms and parameters.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <mysql.h>

#include "mysql_diag.h"
#include "mysql_url.h"

#define MAX_TIMEOUT 86400

/* Shorter names for this file. */
#define P_SOCKET DBSHIFT__MYSQL_SOCKET
#define P_SSL_MODE DBSHIFT__MYSQL_SSL_MODE
#define P_TLS DBSHIFT__MYSQL_TLS
#define P_SSL_CA DBSHIFT__MYSQL_SSL_CA
#define P_SSL_CERT DBSHIFT__MYSQL_SSL_CERT
#define P_SSL_KEY DBSHIFT__MYSQL_SSL_KEY
#define P_CONNECT_TIMEOUT DBSHIFT__MYSQL_CONNECT_TIMEOUT
#define P_READ_TIMEOUT DBSHIFT__MYSQL_READ_TIMEOUT
#define P_WRITE_TIMEOUT DBSHIFT__MYSQL_WRITE_TIMEOUT
#define P_CHARSET DBSHIFT__MYSQL_CHARSET
#define P_COUNT DBSHIFT__MYSQL_PARAMS

typedef dbshift__mysql_target target;
typedef enum dbshift__mysql_param param;

static const char *const param_names[P_COUNT] = {
	"socket",	   "ssl-mode",	   "tls",
	"ssl-ca",	   "ssl-cert",	   "ssl-key",
	"connect-timeout", "read-timeout", "write-timeout",
	"charset",	   "option-file",
};

/*
 * Percent-decode the len bytes at s into a new string in *out (caller
 * frees). Returns 0, 1 for a bad escape or an encoded NUL byte, or -1
 * when out of memory.
 */
static int decode(const char *s, size_t len, char **out)
{
	*out = malloc(len + 1);
	if (*out == NULL)
		return -1;
	if (dbshift__mysql_host->url_decode(s, len, *out, NULL) == 0)
		return 0;
	free(*out);
	*out = NULL;
	return 1;
}

/* Decode len bytes at s, naming what in the message when it fails. The
 * text itself is not shown: it may be a password. */
static int decode_part(const char *s, size_t len, char **out, const char *what,
		       dbshift_diag *diag)
{
	int rc = decode(s, len, out);

	if (rc < 0)
		return fail_nomem(diag);
	if (rc > 0)
		return fail(diag, 0,
			    "bad percent-encoding in the %s of the MySQL URL",
			    what);
	return 0;
}

/* A port number of len bytes at s: 1 to 65535 (an empty port is the
 * default). */
static int parse_port(target *t, const char *s, size_t len, dbshift_diag *diag)
{
	unsigned long port = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || port > 65535)
			break;
		port = port * 10 + (unsigned long)(s[i] - '0');
	}
	if (i < len || (len > 0 && (port == 0 || port > 65535)))
		return fail(diag, 0, "bad port '%.*s' in MySQL URL", (int)len,
			    s);
	t->port = (unsigned int)port;
	return 0;
}

/* The host part: HOST[:PORT], [IPV6][:PORT] or an encoded socket path. */
static int parse_hostport(target *t, const char *s, size_t len,
			  dbshift_diag *diag)
{
	const char *host_start = s, *close, *colon;
	size_t host_len;

	if (len > 0 && s[0] == '[') {
		close = memchr(s, ']', len);
		if (close == NULL || (close + 1 < s + len && close[1] != ':'))
			return fail(diag, 0,
				    "bad IPv6 host '%.*s' in MySQL URL",
				    (int)len, s);
		host_start = s + 1;
		host_len = (size_t)(close - host_start);
		colon = close + 1 < s + len ? close + 1 : NULL;
	} else {
		colon = memchr(s, ':', len);
		host_len = colon != NULL ? (size_t)(colon - s) : len;
	}
	if (colon != NULL &&
	    parse_port(t, colon + 1, (size_t)(s + len - colon - 1), diag) != 0)
		return -1;
	if (host_len == 0)
		return 0;
	if (decode_part(host_start, host_len, &t->host, "host", diag) != 0)
		return -1;
	if (t->host[0] == '/') {
		/* mysql://u@%2Frun%2Fmysqld.sock/db */
		t->values[P_SOCKET] = t->host;
		t->host = NULL;
	}
	return 0;
}

/* The path: one database name, or nothing. */
static int parse_path(target *t, const char *s, size_t len, dbshift_diag *diag)
{
	if (len == 0)
		return 0;
	if (memchr(s, '/', len) != NULL)
		return fail(diag, 0,
			    "the path of a MySQL URL is one database "
			    "name, not '%.*s'",
			    (int)len, s);
	return decode_part(s, len, &t->database, "database name", diag);
}

/* Which parameter name is, '_' read as '-' and in any case; P_COUNT when
 * none. */
static param param_of(const char *name)
{
	char norm[32];
	size_t i;
	int p;

	for (i = 0; name[i] != '\0' && i + 1 < sizeof(norm); i++)
		norm[i] = name[i] == '_' ? '-' : name[i];
	if (name[i] != '\0')
		return P_COUNT;
	norm[i] = '\0';
	for (p = 0; p < P_COUNT; p++)
		if (strcasecmp(norm, param_names[p]) == 0)
			return (param)p;
	return P_COUNT;
}

/* Is value one of the names, '_' read as '-' and in any case? Returns its
 * index or -1. */
static int choice_of(const char *value, const char *const *names, int n)
{
	char norm[32];
	size_t i;
	int c;

	for (i = 0; value[i] != '\0' && i + 1 < sizeof(norm); i++)
		norm[i] = value[i] == '_' ? '-' : value[i];
	if (value[i] != '\0')
		return -1;
	norm[i] = '\0';
	for (c = 0; c < n; c++)
		if (strcasecmp(norm, names[c]) == 0)
			return c;
	return -1;
}

static int parse_ssl_mode(target *t, const char *value, dbshift_diag *diag)
{
	static const char *const modes[] = {"disabled", "preferred", "required",
					    "verify-ca", "verify-identity"};
	int c = choice_of(value, modes, 5);

	if (c < 0)
		return fail(diag, 0,
			    "ssl-mode '%s' is not disabled, preferred, "
			    "required, verify-ca or verify-identity",
			    value);
	t->tls = (enum dbshift__mysql_tls)(DBSHIFT__MYSQL_TLS_DISABLED + c);
	return 0;
}

static int parse_tls(target *t, const char *value, dbshift_diag *diag)
{
	static const char *const values[] = {"true", "false", "skip-verify",
					     "preferred"};
	static const enum dbshift__mysql_tls modes[] = {
		DBSHIFT__MYSQL_TLS_VERIFY_IDENTITY, DBSHIFT__MYSQL_TLS_DISABLED,
		DBSHIFT__MYSQL_TLS_REQUIRED, DBSHIFT__MYSQL_TLS_PREFERRED};
	int c = choice_of(value, values, 4);

	if (c < 0)
		return fail(diag, 0,
			    "tls '%s' is not true, false, skip-verify "
			    "or preferred",
			    value);
	t->tls = modes[c];
	return 0;
}

/* A number of seconds from min to MAX_TIMEOUT. */
static int parse_seconds(unsigned int *out, param p, const char *value,
			 unsigned int min, dbshift_diag *diag)
{
	unsigned long n = 0;
	size_t i;

	for (i = 0; value[i] >= '0' && value[i] <= '9' && n <= MAX_TIMEOUT; i++)
		n = n * 10 + (unsigned long)(value[i] - '0');
	if (i == 0 || value[i] != '\0' || n < min || n > MAX_TIMEOUT)
		return fail(diag, 0,
			    "%s '%s' is not a whole number of seconds "
			    "from %u to %u",
			    param_names[p], value, min, MAX_TIMEOUT);
	*out = (unsigned int)n;
	return 0;
}

/* Check a parameter's value and keep it in t; the string stays in
 * t->values[p] either way. */
static int apply_param(target *t, param p, dbshift_diag *diag)
{
	const char *value = t->values[p];
	size_t i;

	switch (p) {
	case P_SSL_MODE:
		return parse_ssl_mode(t, value, diag);
	case P_TLS:
		return parse_tls(t, value, diag);
	case P_CONNECT_TIMEOUT:
		return parse_seconds(&t->connect_timeout, p, value, 1, diag);
	case P_READ_TIMEOUT:
		return parse_seconds(&t->read_timeout, p, value, 0, diag);
	case P_WRITE_TIMEOUT:
		return parse_seconds(&t->write_timeout, p, value, 0, diag);
	case P_CHARSET:
		for (i = 0; value[i] != '\0'; i++)
			if (!((value[i] >= 'a' && value[i] <= 'z') ||
			      (value[i] >= 'A' && value[i] <= 'Z') ||
			      (value[i] >= '0' && value[i] <= '9') ||
			      value[i] == '_'))
				break;
		if (i == 0 || value[i] != '\0')
			return fail(diag, 0,
				    "charset '%s' is not a character set name",
				    value);
		return 0;
	case DBSHIFT__MYSQL_OPTION_FILE:
		if (access(value, R_OK) != 0)
			return fail(diag, 0,
				    "option-file '%s' of MySQL URL cannot be "
				    "read: %s",
				    value, strerror(errno));
		return 0;
	default:
		if (value[0] == '\0')
			return fail(diag, 0,
				    "parameter %s of MySQL URL is empty",
				    param_names[p]);
		return 0;
	}
}

/* One NAME=VALUE of the query string. */
static int parse_param(target *t, const char *s, size_t len, dbshift_diag *diag)
{
	const char *eq = memchr(s, '=', len);
	char *name;
	param p;

	if (eq == NULL)
		return fail(diag, 0,
			    "parameter '%.*s' of MySQL URL has no value",
			    (int)len, s);
	if (decode_part(s, (size_t)(eq - s), &name, "parameters", diag) != 0)
		return -1;
	p = param_of(name);
	if (p == P_COUNT) {
		fail(diag, 0,
		     "unknown parameter '%s' in MySQL URL (known: "
		     "socket, ssl-mode, tls, ssl-ca, ssl-cert, "
		     "ssl-key, connect-timeout, read-timeout, "
		     "write-timeout, charset, option-file)",
		     name);
		free(name);
		return -1;
	}
	free(name);
	if (t->values[p] != NULL)
		return fail(diag, 0, "parameter %s given twice in MySQL URL",
			    param_names[p]);
	if (decode_part(eq + 1, (size_t)(s + len - eq - 1), &t->values[p],
			"parameters", diag) != 0)
		return -1;
	return apply_param(t, p, diag);
}

/* The query string: parameters joined by '&'; empty ones are skipped. */
static int parse_query(target *t, const char *s, dbshift_diag *diag)
{
	size_t len;

	while (*s != '\0') {
		len = strcspn(s, "&");
		if (len > 0 && parse_param(t, s, len, diag) != 0)
			return -1;
		s += len;
		if (*s == '&')
			s++;
	}
	return 0;
}

/* Settle what the parameters imply together, and what messages call the
 * server. */
static int target_finish(target *t, dbshift_diag *diag)
{
	const char *sock = t->values[P_SOCKET];
	int files = t->values[P_SSL_CA] != NULL ||
		    t->values[P_SSL_CERT] != NULL ||
		    t->values[P_SSL_KEY] != NULL;

	if (t->values[P_SSL_MODE] != NULL && t->values[P_TLS] != NULL)
		return fail(diag, 0, "MySQL URL gives both ssl-mode and tls");
	if (files && t->tls == DBSHIFT__MYSQL_TLS_DISABLED)
		return fail(diag, 0,
			    "MySQL URL gives TLS files but disables TLS");
	if (files && t->tls == DBSHIFT__MYSQL_TLS_DEFAULT)
		t->tls = DBSHIFT__MYSQL_TLS_REQUIRED;
	if (sock != NULL && t->host != NULL &&
	    strcmp(t->host, "localhost") != 0)
		return fail(diag, 0,
			    "MySQL URL gives both the host %s and socket %s",
			    t->host, sock);
	if (sock != NULL)
		snprintf(t->where, sizeof(t->where), "socket %s", sock);
	else if (t->host == NULL && t->port == 0)
		snprintf(t->where, sizeof(t->where), "localhost");
	else if (t->host != NULL && strchr(t->host, ':') != NULL)
		snprintf(t->where, sizeof(t->where), "[%s]:%u", t->host,
			 t->port ? t->port : MYSQL_PORT);
	else
		snprintf(t->where, sizeof(t->where), "%s:%u",
			 t->host ? t->host : "localhost",
			 t->port ? t->port : MYSQL_PORT);
	return 0;
}

/* Does the n-byte scheme s name MySQL (in any case)? */
static int mysql_scheme(const char *s, size_t n)
{
	return (n == 5 && strncasecmp(s, "mysql", 5) == 0) ||
	       (n == 7 && strncasecmp(s, "mariadb", 7) == 0);
}

/* Refuse a URL that is not mysql:// or mariadb://, naming only its
 * scheme: the rest may hold a password. Returns -1. */
static int fail_scheme(const dbshift_url_parts *u, dbshift_diag *diag)
{
	if (u->scheme == NULL)
		return fail(diag, 0,
			    "not a MySQL URL (mysql://user:password@host:"
			    "port/database)");
	if (mysql_scheme(u->scheme, u->scheme_len))
		return fail(diag, 0,
			    "a MySQL URL starts with mysql:// or mariadb://");
	return fail(diag, 0, "URL scheme '%.*s' is not mysql or mariadb",
		    u->scheme_len > 32 ? 32 : (int)u->scheme_len, u->scheme);
}

void dbshift__mysql_url_free(target *t)
{
	int p;

	free(t->user);
	free(t->password);
	free(t->host);
	free(t->database);
	for (p = 0; p < P_COUNT; p++)
		free(t->values[p]);
}

int dbshift__mysql_url_parse(target *t, const char *url, dbshift_diag *diag)
{
	dbshift_url_parts u;
	const char *slash, *end;

	memset(t, 0, sizeof(*t));
	t->connect_timeout = DBSHIFT__MYSQL_DEFAULT_CONNECT_TIMEOUT;
	t->write_timeout = DBSHIFT__MYSQL_DEFAULT_WRITE_TIMEOUT;
	if (url == NULL)
		return fail(diag, 0, "no database URL given");
	dbshift__mysql_host->url_split(&u, url);
	if (u.scheme == NULL || !mysql_scheme(u.scheme, u.scheme_len) ||
	    !u.authority)
		return fail_scheme(&u, diag);
	if (u.user != NULL && u.user_len > 0 &&
	    decode_part(u.user, u.user_len, &t->user, "user name", diag) != 0)
		return -1;
	if (u.password != NULL &&
	    decode_part(u.password, u.password_len, &t->password, "password",
			diag) != 0)
		return -1;
	end = u.where + u.where_len;
	slash = memchr(u.where, '/', u.where_len);
	if (slash == NULL)
		slash = end;
	if (parse_hostport(t, u.where, (size_t)(slash - u.where), diag) != 0)
		return -1;
	if (slash < end &&
	    parse_path(t, slash + 1, (size_t)(end - slash - 1), diag) != 0)
		return -1;
	if (u.query != NULL && parse_query(t, u.query, diag) != 0)
		return -1;
	return target_finish(t, diag);
}
