/* SPDX-License-Identifier: MIT */
/*
 * catalog.h - the core's model of a migration, and the catalog that
 * collects a source's migrations through dbshift_catalog_add().
 */
#ifndef DBSHIFT_CATALOG_H
#define DBSHIFT_CATALOG_H

#include "dbshift/dbshift.h"
#include "dialect.h"
#include "error.h"
#include "util.h"

/** Reads a whole script file: 0 or -errno (see dbshift__read_file). */
typedef int (*dbshift__script_read_fn)(const char *file, char **text,
				       size_t *len);

/**
 * A script: text (NULL when absent) and the file it came from. A script
 * whose reading is deferred (a directory source's down scripts, read only
 * when a down is planned) has text NULL, its file, and read set until
 * dbshift__script_load() reads it.
 */
typedef struct dbshift__script {
	char *text;
	size_t len;
	char *file; /* may be NULL */
	dbshift__script_read_fn read;
	int no_transaction; /* its file name says so (".autocommit.") */
} dbshift__script;

typedef struct dbshift__variant {
	char *dialect; /* dialect token, as the source gave it */
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
	dbshift__script *down; /* NULL when there is no down; may be
				* deferred until a down is planned */
	char **depends_on;     /* union of def and directives */
	size_t n_depends_on;
	int no_transaction;
	int skipped;	     /* dialect or context excludes it */
	char **dir_dialects; /* the up script's dialects directive */
	size_t n_dir_dialects;
	char checksum[65]; /* SHA-256 hex of up, or code checksum */

	/* Set by the graph: indexes into the run's migration array, with
	 * the previous version of the same source as an implicit first
	 * dependency. */
	size_t index; /* position in the run's migration array */
	size_t *dep_index;
	size_t n_dep_index;
	size_t order; /* position in the plan order */
} dbshift__migration;

/* One problem of the sources found while preparing a run. */
typedef struct dbshift__problem {
	char *id;      /* the migration, or "" */
	char *message; /* one line */
} dbshift__problem;

/** Append a problem (copies of id and message) to problems (a vector of
 * dbshift__problem *). Returns 0, or -1 when out of memory. */
int dbshift__problem_add(dbshift__vec *problems, const char *id,
			 const char *message);

/** Free every problem of problems and empty it. */
void dbshift__problems_clear(dbshift__vec *problems);

struct dbshift_catalog {
	const char *source_name;
	dbshift__vec migrations; /* dbshift__migration * */
	dbshift__err *err;
	/* Where every failure is also collected, or NULL: the first failure
	 * stays in err, so that a source can report all its bad files. */
	dbshift__vec *problems;
};

/** Prepare a catalog for source_name, reporting into err. */
void dbshift__catalog_init(dbshift_catalog *cat, const char *source_name,
			   dbshift__err *err);

/**
 * dbshift_catalog_add() for the built-in sources that read files: a down
 * script given only by its file (down NULL, down_file set, in def or a
 * variant) is not read now but recorded to be read through read when a
 * down is planned (dbshift__script_load()).
 */
int dbshift__catalog_add_deferred(dbshift_catalog *cat,
				  const dbshift_migration_def *def,
				  dbshift__script_read_fn read);

/**
 * The script of the migration added last whose file is file carries the
 * ".autocommit." marker in its name: the migration runs outside a
 * transaction (as with -- dbshift:no-transaction) whenever that script is
 * the one picked for the run, up or down. Returns 0, or DBSHIFT_EINVAL
 * (reported) when no script of that migration came from file.
 */
int dbshift__catalog_mark_no_transaction(dbshift_catalog *cat,
					 const char *file);

/** Is the script there (read, or to be read)? */
int dbshift__script_present(const dbshift__script *script);

/**
 * Read a deferred script now (a no-op for one already read). Returns 0, or
 * DBSHIFT_ESOURCE naming the file (DBSHIFT_ENOMEM) recorded in err.
 */
int dbshift__script_load(dbshift__script *script, dbshift__err *err);

/**
 * Read every deferred down script (generic and variants) of the catalog's
 * migrations, as dbshift__script_load() does, reporting into the
 * catalog's error: what a source loaded eagerly would hold (for tests
 * that compare sources).
 */
int dbshift__catalog_load_downs(dbshift_catalog *cat);

/** Free the catalog's migrations (those not taken out of it). */
void dbshift__catalog_clear(dbshift_catalog *cat);

void dbshift__migration_free(dbshift__migration *m);

/**
 * Resolve m for dialect and the run's contexts: choose the up/down
 * scripts (the dialect's variant where there is one: a variant whose
 * token is the dialect's name or one of its aliases), read the directives
 * of the chosen up script, merge them with the definition's, decide
 * skipped, and compute the checksum. Errors (DBSHIFT_ESOURCE) name the
 * migration and its file; two variants for the dialect (pg/ and
 * postgres/) are one.
 */
int dbshift__migration_resolve(dbshift__migration *m,
			       const dbshift__dialect *dialect,
			       const char *const *contexts, size_t n_contexts,
			       dbshift__err *err);

/**
 * Report to fn (id, what) each dialect token of m that is neither among
 * the known dialects (dbshift__dialects_installed()) nor own (the run's
 * dialect): a dialect variant's file or folder, the definition's dialect
 * list, and the dialects directive of the up script m was resolved with.
 * Such tokens are ignored, not errors. installed is the list shown in the
 * message ("sqlite, postgres, ..."). Returns how many were reported.
 */
size_t dbshift__migration_ignored_except(
	const dbshift__migration *m, const dbshift__vec *known,
	const dbshift__dialect *own, const char *installed,
	void (*fn)(const char *id, const char *what, void *payload),
	void *payload);

/**
 * The naming of source options (NULL: strict) into *naming. Returns 0, or
 * DBSHIFT_EINVAL recorded in err for options without their version field
 * or with an unknown naming.
 */
int dbshift__source_options_naming(const dbshift_source_options *opts,
				   dbshift_naming *naming, dbshift__err *err);

/** Valid source name: [A-Za-z0-9_.-]+, not "." or "..". */
int dbshift__source_name_valid(const char *name);

#endif
