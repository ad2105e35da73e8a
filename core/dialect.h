/* SPDX-License-Identifier: MIT */
/*
 * dialect.h - dialect tokens: the ".DIALECT." of a file name, the name of
 * a dialect folder and the arguments of the dialects directive. The core
 * keeps no list of dialects: a token is any well-formed name, and what it
 * means comes from the drivers, each of which declares its dialect and
 * aliases (driver.h). A token no installed driver declares is ignored
 * (validate and plan -v list it), not an error.
 */
#ifndef DBSHIFT_DIALECT_H
#define DBSHIFT_DIALECT_H

#include <stddef.h>

#include "dbshift/driver.h"
#include "util.h"

/** Longest dialect token. */
#define DBSHIFT__DIALECT_MAX 32

/** What a run resolves migrations for: a dialect and its aliases. */
typedef struct dbshift__dialect {
	const char *name;	    /* NULL: matches no token (generic) */
	const char *const *aliases; /* NULL-terminated, or NULL */
} dbshift__dialect;

/* How a well-formed dialect token looks, for messages. */
#define DBSHIFT__DIALECT_RULE                                                  \
	"dialect names start with a lower-case letter, then lower-case "       \
	"letters, digits and '_'"

/** The dialect a driver declares. */
dbshift__dialect dbshift__dialect_of(const dbshift_driver *driver);

/**
 * The well-formed token of len bytes at token, as a string that lives as
 * long as the process (tokens are interned, so equal tokens share one
 * pointer); NULL when it is not well-formed: 1 to DBSHIFT__DIALECT_MAX
 * lower-case letters, digits and '_', starting with a letter. Out of
 * memory also gives NULL, with *nomem set (nomem may be NULL).
 */
const char *dbshift__dialect_token(const char *token, size_t len, int *nomem);

/** Does token name dialect d (its name or one of its aliases)? */
int dbshift__dialect_is(const dbshift__dialect *d, const char *token);

/**
 * Collect into known (strings owned by the vector; free with free) the
 * dialect names and aliases the loadable drivers on the search path
 * declare, in search path order without repeats. Returns 0 or
 * DBSHIFT_ENOMEM.
 */
int dbshift__dialects_installed(dbshift__vec *known, const char *driver_dir);

/** Is token among the strings of known? */
int dbshift__dialects_has(const dbshift__vec *known, const char *token);

#endif
