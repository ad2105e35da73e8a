/* SPDX-License-Identifier: MIT */
/*
 * pg_url.c - reading the PostgreSQL driver's URLs into libpq keywords.
 *
 * libpq could read the URL itself, but it ends the user-info at the first
 * '@' or '/', so a password holding either spills into the host name and
 * libpq then quotes it in its error. The driver reads the URL with the
 * same rule as the rest of dbshift (dbshift_host.url_split: the user-info
 * ends at the last '@') and hands libpq keywords and values, never URL text:
 * a password can only reach libpq as the password. Otherwise the URL
 * means what it means to libpq: percent-decoding everywhere, a host list
 * h1:p1,h2:p2 with [IPv6] hosts, the database as the path, every libpq
 * keyword as a query parameter (ssl=true as sslmode=require), later
 * values winning. Bad parts (a port that is not 1 to 65535, an unknown
 * parameter, bad percent-encoding) are reported as a bad URL.
 */
#include "config.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pg_url.h"

/* Defaults for what the URL leaves unset (see pg.c). */
#define DEFAULT_CONNECT_TIMEOUT "10"
#define DEFAULT_APPLICATION_NAME "dbshift"

#define MAX_PORT 65535

/* Percent-decode the len bytes at s into a new string in *out (the caller
 * frees). Returns 0, 1 for a bad encoding, -1 when out of memory. */
static int decode(const dbshift_host *host, const char *s, size_t len,
		  char **out)
{
	*out = malloc(len + 1);
	if (*out == NULL)
		return -1;
	if (host->url_decode(s, len, *out, NULL) == 0)
		return 0;
	free(*out);
	*out = NULL;
	return 1;
}

/* Append a copy of key and of the len bytes of value. -1: no memory. */
static int add(dbshift__pg_url *u, const char *key, const char *value,
	       size_t len)
{
	char **keys, **values;
	size_t cap;

	if (u->n + 1 >= u->cap) {
		cap = u->cap != 0 ? 2 * u->cap : 16;
		keys = realloc(u->keys, cap * sizeof(*keys));
		if (keys == NULL)
			return -1;
		u->keys = keys;
		values = realloc(u->values, cap * sizeof(*values));
		if (values == NULL)
			return -1;
		u->values = values;
		u->cap = cap;
	}
	u->keys[u->n] = strdup(key);
	u->values[u->n] = strndup(value, len);
	u->keys[u->n + 1] = NULL;
	u->values[u->n + 1] = NULL;
	if (u->keys[u->n] == NULL || u->values[u->n] == NULL) {
		free(u->keys[u->n]);
		free(u->values[u->n]);
		u->keys[u->n] = NULL;
		u->values[u->n] = NULL;
		return -1;
	}
	u->n++;
	return 0;
}

/* Decode the len bytes at s and add them as key's value. what names the
 * part in a message, which never shows the text (it may be a password). */
static int add_decoded(dbshift__pg_url *u, const char *key, const char *s,
		       size_t len, const char *what, char *err, size_t err_size)
{
	char *value;
	int rc = decode(u->host, s, len, &value);

	if (rc < 0)
		return -1;
	if (rc > 0) {
		snprintf(err, err_size,
			 "bad percent-encoding in the %s of the PostgreSQL URL",
			 what);
		return 1;
	}
	rc = add(u, key, value, strlen(value));
	free(value);
	return rc;
}

/* Is each comma-separated element of ports empty or 1 to MAX_PORT? */
static int ports_ok(const char *ports, size_t len)
{
	unsigned long port = 0;
	size_t i, digits = 0;

	for (i = 0; i <= len; i++) {
		if (i == len || ports[i] == ',') {
			if (digits > 0 && (port == 0 || port > MAX_PORT))
				return 0;
			port = 0;
			digits = 0;
		} else if (ports[i] >= '0' && ports[i] <= '9' &&
			   port <= MAX_PORT) {
			port = port * 10 + (unsigned long)(ports[i] - '0');
			digits++;
		} else {
			return 0;
		}
	}
	return 1;
}

static int bad_port(const char *port, size_t len, char *err, size_t err_size)
{
	snprintf(err, err_size,
		 "bad port '%.*s' in PostgreSQL URL: a port is a number from "
		 "1 to %d",
		 len > 64 ? 64 : (int)len, port, MAX_PORT);
	return 1;
}

/*
 * Split the host list at s (len bytes: h1:p1,[::1]:p2,...) into hosts
 * (decoded) and ports, each joined with ',' into new strings.
 */
static int split_hosts(const dbshift_host *lib, const char *s, size_t len,
		       char **hosts, char **ports, char *err, size_t err_size)
{
	const char *end = s + len, *elem, *host, *port, *close;
	size_t host_len, port_len, hn = 0, pn = 0;
	char *decoded;

	*hosts = malloc(len + 1);
	*ports = malloc(len + 1);
	if (*hosts == NULL || *ports == NULL)
		return -1;
	for (elem = s; elem <= end; elem = port + port_len + 1) {
		host = elem;
		if (elem < end && *elem == '[') {
			close = memchr(elem, ']', (size_t)(end - elem));
			if (close == NULL) {
				snprintf(err, err_size,
					 "unclosed '[' in the host of the "
					 "PostgreSQL URL");
				return 1;
			}
			host = elem + 1;
			host_len = (size_t)(close - host);
			port = close + 1;
		} else {
			host_len = strcspn(elem, ",:");
			if (host_len > (size_t)(end - elem))
				host_len = (size_t)(end - elem);
			port = elem + host_len;
		}
		if (port < end && *port != ',' && *port != ':') {
			snprintf(err, err_size,
				 "bad host in PostgreSQL URL: text after ']'");
			return 1;
		}
		if (port < end && *port == ':')
			port++;
		port_len = strcspn(port, ",");
		if (port_len > (size_t)(end - port))
			port_len = (size_t)(end - port);
		if (!ports_ok(port, port_len))
			return bad_port(port, port_len, err, err_size);
		switch (decode(lib, host, host_len, &decoded)) {
		case -1:
			return -1;
		case 1:
			snprintf(err, err_size,
				 "bad percent-encoding in the host of the "
				 "PostgreSQL URL");
			return 1;
		}
		hn += (size_t)snprintf(*hosts + hn, len + 1 - hn, "%s%s",
				       elem == s ? "" : ",", decoded);
		free(decoded);
		pn += (size_t)snprintf(*ports + pn, len + 1 - pn, "%s%.*s",
				       elem == s ? "" : ",", (int)port_len,
				       port);
	}
	return 0;
}

/* The host list and the path (the database) of the URL. */
static int parse_where(dbshift__pg_url *u, const char *s, size_t len, char *err,
		       size_t err_size)
{
	size_t hosts_len = strcspn(s, "/");
	char *hosts = NULL, *ports = NULL;
	int rc;

	if (hosts_len > len)
		hosts_len = len;
	rc = split_hosts(u->host, s, hosts_len, &hosts, &ports, err, err_size);
	if (rc == 0 && hosts[strspn(hosts, ",")] != '\0')
		rc = add(u, "host", hosts, strlen(hosts));
	if (rc == 0 && ports[strspn(ports, ",")] != '\0')
		rc = add(u, "port", ports, strlen(ports));
	free(hosts);
	free(ports);
	if (rc == 0 && hosts_len + 1 < len)
		rc = add_decoded(u, "dbname", s + hosts_len + 1,
				 len - hosts_len - 1, "database name", err,
				 err_size);
	return rc;
}

/* Is name a keyword libpq knows? */
static int known_keyword(const PQconninfoOption *opts, const char *name)
{
	for (; opts != NULL && opts->keyword != NULL; opts++)
		if (strcmp(opts->keyword, name) == 0)
			return 1;
	return 0;
}

/* One NAME=VALUE of the query, both decoded. */
static int parse_param(dbshift__pg_url *u, const PQconninfoOption *known,
		       const char *s, size_t len, char *err, size_t err_size)
{
	const char *eq = memchr(s, '=', len);
	char *name, *value;
	int rc;

	if (eq == NULL) {
		snprintf(err, err_size,
			 "a parameter of the PostgreSQL URL has no '=' and "
			 "value");
		return 1;
	}
	rc = decode(u->host, s, (size_t)(eq - s), &name);
	if (rc != 0) {
		snprintf(err, err_size,
			 "bad percent-encoding in a parameter name of the "
			 "PostgreSQL URL");
		return rc;
	}
	rc = decode(u->host, eq + 1, (size_t)(s + len - eq - 1), &value);
	if (rc > 0)
		snprintf(err, err_size,
			 "bad percent-encoding in the value of parameter %s "
			 "of the PostgreSQL URL",
			 name);
	if (rc != 0)
		goto out;
	if (strcmp(name, "search_path") == 0) {
		free(u->search_path);
		u->search_path = value;
		value = NULL;
	} else if (strcmp(name, "ssl") == 0 && strcmp(value, "true") == 0) {
		rc = add(u, "sslmode", "require", 7);
	} else if (!known_keyword(known, name)) {
		snprintf(err, err_size,
			 "invalid PostgreSQL URL: unknown parameter '%.64s'",
			 name);
		rc = 1;
	} else if (strcmp(name, "port") == 0 &&
		   !ports_ok(value, strlen(value))) {
		rc = bad_port(value, strlen(value), err, err_size);
	} else {
		rc = add(u, name, value, strlen(value));
	}
out:
	free(name);
	free(value);
	return rc;
}

/* The query: parameters joined by '&'; empty ones are skipped. */
static int parse_query(dbshift__pg_url *u, const char *q, char *err,
		       size_t err_size)
{
	PQconninfoOption *known = PQconndefaults();
	size_t len;
	int rc = 0;

	if (known == NULL)
		return -1;
	for (; rc == 0 && *q != '\0'; q += len + (q[len] == '&')) {
		len = strcspn(q, "&");
		if (len > 0)
			rc = parse_param(u, known, q, len, err, err_size);
	}
	PQconninfoFree(known);
	return rc;
}

/* The driver's defaults, unless the environment sets them. */
static int add_defaults(dbshift__pg_url *u)
{
	if (getenv("PGCONNECT_TIMEOUT") == NULL &&
	    add(u, "connect_timeout", DEFAULT_CONNECT_TIMEOUT,
		strlen(DEFAULT_CONNECT_TIMEOUT)) != 0)
		return -1;
	if (getenv("PGAPPNAME") == NULL &&
	    add(u, "application_name", DEFAULT_APPLICATION_NAME,
		strlen(DEFAULT_APPLICATION_NAME)) != 0)
		return -1;
	return 0;
}

/* Does the n-byte scheme s name PostgreSQL (in any case)? */
static int pg_scheme(const char *s, size_t n)
{
	return (n == 8 && strncasecmp(s, "postgres", 8) == 0) ||
	       (n == 10 && strncasecmp(s, "postgresql", 10) == 0);
}

int dbshift__pg_url_parse(dbshift__pg_url *u, const dbshift_host *host,
			  const char *url, char *err, size_t err_size)
{
	dbshift_url_parts p;
	int rc;

	memset(u, 0, sizeof(*u));
	u->host = host;
	host->url_split(&p, url);
	if (p.scheme == NULL || !pg_scheme(p.scheme, p.scheme_len) ||
	    !p.authority) {
		/* Name only the scheme: the rest may hold a password. */
		if (p.scheme != NULL && !pg_scheme(p.scheme, p.scheme_len))
			snprintf(err, err_size,
				 "a PostgreSQL URL begins with postgres:// "
				 "or postgresql://, not %.*s:%s",
				 p.scheme_len > 32 ? 32 : (int)p.scheme_len,
				 p.scheme, p.authority ? "//" : "");
		else
			snprintf(err, err_size,
				 "not a PostgreSQL URL: expected "
				 "postgres:// or postgresql://");
		return 1;
	}
	rc = add_defaults(u);
	if (rc == 0 && p.user != NULL && p.user_len > 0)
		rc = add_decoded(u, "user", p.user, p.user_len, "user name",
				 err, err_size);
	if (rc == 0 && p.password != NULL)
		rc = add_decoded(u, "password", p.password, p.password_len,
				 "password", err, err_size);
	if (rc == 0)
		rc = parse_where(u, p.where, p.where_len, err, err_size);
	if (rc == 0 && p.query != NULL)
		rc = parse_query(u, p.query, err, err_size);
	return rc;
}

void dbshift__pg_url_free(dbshift__pg_url *u)
{
	size_t i;

	for (i = 0; i < u->n; i++) {
		free(u->keys[i]);
		free(u->values[i]);
	}
	free(u->keys);
	free(u->values);
	free(u->search_path);
	memset(u, 0, sizeof(*u));
}
