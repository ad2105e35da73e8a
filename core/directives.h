/* SPDX-License-Identifier: MIT */
/*
 * directives.h - "-- dbshift:..." directives in the leading comment lines
 * of an up script.
 */
#ifndef DBSHIFT_DIRECTIVES_H
#define DBSHIFT_DIRECTIVES_H

#include <stddef.h>

typedef struct dbshift__directives {
	char **depends_on; /* ids as written, "SOURCE/VERSION" */
	size_t n_depends_on;
	char **dialects; /* dialect tokens, as written */
	size_t n_dialects;
	char **contexts;
	size_t n_contexts;
	int no_transaction;
} dbshift__directives;

/**
 * Parse the directives of script (len bytes). Only the leading block of
 * blank lines and "--" comment lines is read; the first other line ends it.
 * A comment whose text starts with "dbshift:" must be a known directive:
 *   dbshift:depends-on ID...   dbshift:no-transaction
 *   dbshift:dialects NAME...   dbshift:contexts NAME...
 * Atlas's "atlas:txmode none" sets no_transaction too.
 * Returns 0; -1 with a one-line reason in errbuf (e.g. "line 2: unknown
 * directive 'dbshift:foo'"); -2 when out of memory. out is zeroed first and
 * must be freed with dbshift__directives_free() in every case.
 */
int dbshift__directives_parse(dbshift__directives *out, const char *script,
			      size_t len, char *errbuf, size_t errbuf_size);

void dbshift__directives_free(dbshift__directives *d);

#endif
