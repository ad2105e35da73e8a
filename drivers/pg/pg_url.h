/* SPDX-License-Identifier: MIT */
/*
 * pg_url.h - the PostgreSQL driver's URLs, read by the driver itself into
 * libpq keywords and values. Internal to driver_pg.so (hidden symbols).
 */
#ifndef DBSHIFT_PG_URL_H
#define DBSHIFT_PG_URL_H

#include <stddef.h>

#include "dbshift/driver.h"

/* What PQconnectdbParams() gets, and what the driver handles itself. */
typedef struct dbshift__pg_url {
	char **keys;		  /* NULL-terminated; each string owned */
	char **values;		  /* as many, owned */
	size_t n;		  /* entries used, the NULL not counted */
	size_t cap;		  /* entries allocated, the NULL included */
	char *search_path;	  /* decoded, or NULL */
	const dbshift_host *host; /* the core's helpers */
} dbshift__pg_url;

/**
 * Read url (postgres:// or postgresql://, taken apart by host->url_split:
 * the user-info ends at its last '@'; see pg.c) into u, the driver's defaults
 * first so that what the URL says wins. Returns 0; 1 for a bad URL, with a
 * one-line message in err that never holds the password; -1 when out of memory.
 * u is left safe to pass to dbshift__pg_url_free() either way.
 */
int dbshift__pg_url_parse(dbshift__pg_url *u, const dbshift_host *host,
			  const char *url, char *err, size_t err_size);

void dbshift__pg_url_free(dbshift__pg_url *u);

#endif
