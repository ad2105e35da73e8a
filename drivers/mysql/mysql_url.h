/* SPDX-License-Identifier: MIT */
/*
 * mysql_url.h - the MySQL driver's URLs, decoded into what the client
 * library needs to connect. Internal to driver_mysql.so (hidden symbols);
 * the forms and parameters are listed at the top of mysql.c.
 */
#ifndef DBSHIFT_MYSQL_URL_H
#define DBSHIFT_MYSQL_URL_H

#include "dbshift/driver.h"

#define DBSHIFT__MYSQL_DEFAULT_CONNECT_TIMEOUT 10
#define DBSHIFT__MYSQL_DEFAULT_WRITE_TIMEOUT 60

enum dbshift__mysql_tls {
	DBSHIFT__MYSQL_TLS_DEFAULT, /* the client library's own default */
	DBSHIFT__MYSQL_TLS_DISABLED,
	DBSHIFT__MYSQL_TLS_PREFERRED,
	DBSHIFT__MYSQL_TLS_REQUIRED,
	DBSHIFT__MYSQL_TLS_VERIFY_CA,
	DBSHIFT__MYSQL_TLS_VERIFY_IDENTITY
};

/* The URL's parameters. */
enum dbshift__mysql_param {
	DBSHIFT__MYSQL_SOCKET,
	DBSHIFT__MYSQL_SSL_MODE,
	DBSHIFT__MYSQL_TLS,
	DBSHIFT__MYSQL_SSL_CA,
	DBSHIFT__MYSQL_SSL_CERT,
	DBSHIFT__MYSQL_SSL_KEY,
	DBSHIFT__MYSQL_CONNECT_TIMEOUT,
	DBSHIFT__MYSQL_READ_TIMEOUT,
	DBSHIFT__MYSQL_WRITE_TIMEOUT,
	DBSHIFT__MYSQL_CHARSET,
	DBSHIFT__MYSQL_OPTION_FILE,
	DBSHIFT__MYSQL_PARAMS
};

/** Where and how to connect. Strings are owned; NULL when not given. */
typedef struct dbshift__mysql_target {
	char *user;
	char *password;
	char *host;	   /* NULL: localhost through the default socket */
	char *database;	   /* NULL: none selected */
	unsigned int port; /* 0: the default, 3306 */
	/* Each parameter's value as given (the socket also from the host). */
	char *values[DBSHIFT__MYSQL_PARAMS];
	enum dbshift__mysql_tls tls;  /* from ssl-mode, tls or TLS files */
	unsigned int connect_timeout; /* seconds */
	unsigned int read_timeout;    /* seconds, 0 for none */
	unsigned int write_timeout;   /* seconds, 0 for none */
	char where[320]; /* what messages name: host:port or socket */
} dbshift__mysql_target;

/**
 * Decode url into t, checking every part and parameter. On failure diag
 * says what is wrong without showing the password. t is always left safe
 * to pass to dbshift__mysql_url_free().
 */
int dbshift__mysql_url_parse(dbshift__mysql_target *t, const char *url,
			     dbshift_diag *diag);

/** Free t's strings. */
void dbshift__mysql_url_free(dbshift__mysql_target *t);

#endif
