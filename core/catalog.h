/* SPDX-License-Identifier: MIT */
/*
 * catalog.h - the core's model of a migration, and the catalog that
 * collects a source's migrations through dbshift_catalog_add().
 */
#ifndef DBSHIFT_CATALOG_H
#define DBSHIFT_CATALOG_H

#include "dbshift/dbshift.h"
#include "error.h"
#include "util.h"

/** A script: text (NULL when absent) and the file it came from. */
typedef struct dbshift__script {
	char *text;
	size_t len;
	char *file; /* may be NULL */
} dbshift__script;

typedef struct dbshift__variant {
	char *dialect; /* canonical */
	dbshift__script up;
	dbshift__script down;
} dbshift__variant;

typedef struct dbshift__migration {
	char *id;      /* "SOURCE/VERSION" */
	char *source;  /* source name */
	char *version; /* as written */
	char *name;    /* "" when none */

	/* As the source gave them. */
	dbshift__script generic_up;
	dbshift__script generic_down;
	dbshift__variant *variants;
	size_t n_variants;
	char **def_depends_on;
	size_t n_def_depends_on;
	char **def_dialects;
	size_t n_def_dialects;
	char **def_contexts;
	size_t n_def_contexts;
	int def_no_transaction;
	dbshift_migration_fn up_fn;
	dbshift_migration_fn down_fn;
	void *fn_payload;
	char *code_checksum;

	/* Resolved for the run's dialect by dbshift__migration_resolve().
	 * up/down borrow from generic_* or a variant. */
	const dbshift__script *up;
	const dbshift__script *down; /* NULL when there is no down */
	char **depends_on;	     /* union of def and directives */
	size_t n_depends_on;
	int no_transaction;
	int skipped;	   /* dialect or context excludes it */
	char checksum[65]; /* SHA-256 hex of up, or code checksum */

	/* Set by the graph: indexes into the run's migration array, with
	 * the previous version of the same source as an implicit first
	 * dependency. */
	size_t index; /* position in the run's migration array */
	size_t *dep_index;
	size_t n_dep_index;
	size_t order; /* position in the plan order */
} dbshift__migration;

struct dbshift_catalog {
	const char *source_name;
	dbshift__vec migrations; /* dbshift__migration * */
	dbshift__err *err;
};

/** Prepare a catalog for source_name, reporting into err. */
void dbshift__catalog_init(dbshift_catalog *cat, const char *source_name,
			   dbshift__err *err);

/** Free the catalog's migrations (those not taken out of it). */
void dbshift__catalog_clear(dbshift_catalog *cat);

void dbshift__migration_free(dbshift__migration *m);

/**
 * Resolve m for dialect and the run's contexts: choose the up/down
 * scripts (the dialect's variant where there is one), read the directives
 * of the chosen up script, merge them with the definition's, decide
 * skipped, and compute the checksum. Errors (DBSHIFT_ESOURCE) name the
 * migration and its file.
 */
int dbshift__migration_resolve(dbshift__migration *m, const char *dialect,
			       const char *const *contexts, size_t n_contexts,
			       dbshift__err *err);

/** Valid source name: [A-Za-z0-9_.-]+, not "." or "..". */
int dbshift__source_name_valid(const char *name);

#endif
