/* SPDX-License-Identifier: MIT */
/*
 * dbshift/dbshift.h - public API of libdbshift.
 *
 * A host application builds a runner for one database URL, adds one or more
 * named migration sources to it, and asks it to migrate up, roll back, or
 * report status. The runner loads the database driver for the URL's scheme
 * at run time (see dbshift/driver.h).
 *
 * Conventions:
 *  - Functions that can fail return int: 0 (DBSHIFT_OK) on success, a
 *    negative DBSHIFT_E* code otherwise. The details of a failure have one
 *    place: the calling thread's last error, dbshift_error_last().
 *    dbshift_runner_error() is another name for it. It is never NULL.
 *  - Constructors return the new object through their first parameter; it
 *    belongs to the caller and is freed with the matching _free function,
 *    which accepts NULL. On failure a constructor sets *out to NULL (when
 *    out is not NULL) and returns nothing to free.
 *  - Threads: the library keeps no global state a caller must guard (the
 *    driver cache has its own lock). A runner, and everything borrowed from
 *    it, is used by one thread at a time; it may move to another thread
 *    between calls. Different runners may run at the same time in
 *    different threads. The last error belongs to the thread: read it in
 *    the thread that made the failing call, before that thread calls the
 *    library again (an event callback that calls the library changes it).
 *  - Pointers returned as values are borrowed; each function says how long
 *    they live.
 *  - Options structs carry a version field and every field's zero is its
 *    default: `dbshift_runner_options o = {.version =
 *    DBSHIFT_RUNNER_OPTIONS_VERSION};`, or memset to zero and set version,
 *    or dbshift_X_options_init(&o, DBSHIFT_X_OPTIONS_VERSION). A version
 *    newer than the library knows is refused (DBSHIFT_EINVAL), so a program
 *    built against a newer header fails clearly on an older library. The
 *    positional _INIT macros still work but are deprecated.
 *
 * This header is C89 and C++ clean.
 */
#ifndef DBSHIFT_H
#define DBSHIFT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(DBSHIFT_BUILDING) && defined(__GNUC__) && __GNUC__ >= 4
#define DBSHIFT_EXTERN __attribute__((visibility("default")))
#else
#define DBSHIFT_EXTERN
#endif

/** Library version. */
#define DBSHIFT_VERSION "0.1.0"
#define DBSHIFT_VERSION_MAJOR 0
#define DBSHIFT_VERSION_MINOR 1
#define DBSHIFT_VERSION_PATCH 0

/** Version string of the library actually linked. Static. */
DBSHIFT_EXTERN const char *dbshift_version(void);

/*
 * Errors. Codes are never renumbered; new ones are appended.
 */
typedef enum dbshift_code {
	DBSHIFT_OK = 0,
	DBSHIFT_ERROR = -1,	  /**< generic failure */
	DBSHIFT_ENOMEM = -2,	  /**< out of memory */
	DBSHIFT_EINVAL = -3,	  /**< invalid argument or option */
	DBSHIFT_EURL = -4,	  /**< malformed URL or unknown scheme */
	DBSHIFT_EDRIVER = -5,	  /**< a driver could not be loaded */
	DBSHIFT_ESOURCE = -6,	  /**< bad migration source or file */
	DBSHIFT_EGRAPH = -7,	  /**< duplicate, cycle or unknown dependency */
	DBSHIFT_ENOTFOUND = -8,	  /**< target migration not found */
	DBSHIFT_EDB = -9,	  /**< database connection or query failed */
	DBSHIFT_EMIGRATION = -10, /**< a migration script failed */
	DBSHIFT_EDIRTY = -11,	  /**< a dirty migration blocks the run */
	DBSHIFT_ECHECKSUM = -12,  /**< an applied script has changed */
	DBSHIFT_ENODOWN = -13,	  /**< a migration to roll back has no down */
	DBSHIFT_ELOCK = -14,	  /**< the run lock could not be taken */
	DBSHIFT_EIO = -15,	  /**< file system error */
	DBSHIFT_ESTATE = -16	  /**< history does not allow the operation */
} dbshift_code;

/** Details of a failure. Strings are "" (never NULL) when unknown. */
typedef struct dbshift_error {
	int code;	       /**< a dbshift_code */
	const char *message;   /**< one line naming the thing at fault */
	const char *sqlstate;  /**< SQLSTATE from the database, or "" */
	int64_t native_code;   /**< database/client error number, or 0 */
	const char *migration; /**< id SOURCE/VERSION of the migration, or "" */
	const char *file;      /**< file at fault, or "" */
	const char *statement; /**< first line of the failed statement, or "" */
	/** The failed statement's number, counted from 1 as messages
	 * ("statement 3 at line 7") and the history's failed_statement_index
	 * count it; 0 when unknown. */
	int statement_index;
} dbshift_error;

/**
 * Details of the calling thread's last failure, from any function of the
 * library: runner calls, constructors, dbshift_url_redact, ... A runner
 * call sets it also when it succeeds (to code DBSHIFT_OK); other functions
 * set it when they fail. Valid until the next call into the library in
 * this thread. Never NULL.
 */
DBSHIFT_EXTERN const dbshift_error *dbshift_error_last(void);

/** Short static name of a code ("DBSHIFT_EDB" -> "database error"). */
DBSHIFT_EXTERN const char *dbshift_code_name(int code);

/*
 * Migrations as sources describe them.
 */

/** A dialect-specific replacement of a migration's scripts. */
typedef struct dbshift_variant {
	const char *dialect; /**< "sqlite", "postgres", "mysql" */
	const char *up;	     /**< up script, or NULL to keep the generic one */
	size_t up_len;
	const char *down; /**< down script, or NULL to keep the generic */
	size_t down_len;
	const char *up_file; /**< where up came from, for messages, or NULL */
	const char *down_file;
} dbshift_variant;

/** Connection handed to code migrations (see dbshift_migration_fn). */
typedef struct dbshift_conn dbshift_conn;

/**
 * A migration written in C. Run inside the migration's transaction (unless
 * no_transaction). Return 0 on success; on failure call
 * dbshift_conn_fail() or return the error of a dbshift_conn_exec().
 */
typedef int (*dbshift_migration_fn)(dbshift_conn *conn, void *payload);

#define DBSHIFT_MIGRATION_DEF_VERSION 1

/**
 * One migration as a source hands it to the catalog. All strings are copied
 * by dbshift_catalog_add(); the source may free them afterwards. Directives
 * (design.md: depends-on, no-transaction, dialects, contexts) are read from
 * the leading comment lines of the up script that will run and added to the
 * fields below.
 */
typedef struct dbshift_migration_def {
	unsigned int version;	       /**< DBSHIFT_MIGRATION_DEF_VERSION */
	const char *migration_version; /**< "001", "20240101120000" */
	const char *name;	       /**< "create_users", or "" */
	const char *up; /**< generic up script, or NULL (see up_fn) */
	size_t up_len;
	const char *down; /**< generic down script, or NULL for none */
	size_t down_len;
	const char *up_file; /**< origin of up, for messages, or NULL */
	const char *down_file;
	const dbshift_variant *variants; /**< dialect variants */
	size_t n_variants;
	const char *const *depends_on; /**< ids "SOURCE/VERSION" */
	size_t n_depends_on;
	const char *const *dialects; /**< restrict to these dialects */
	size_t n_dialects;
	const char *const *contexts; /**< run only with one of these contexts */
	size_t n_contexts;
	int no_transaction;
	/** Code migration: called instead of an up script. */
	dbshift_migration_fn up_fn;
	dbshift_migration_fn down_fn; /**< or NULL for no down */
	void *fn_payload;
	/** Checksum text for code migrations (the author's version string). */
	const char *checksum;
} dbshift_migration_def;

#define DBSHIFT_MIGRATION_DEF_INIT                                             \
	{                                                                      \
		DBSHIFT_MIGRATION_DEF_VERSION, NULL, NULL, NULL, 0, NULL, 0,   \
			NULL, NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0, 0,     \
			NULL, NULL, NULL, NULL                                 \
	}

/** Collects the migrations of one source while it is loaded. */
typedef struct dbshift_catalog dbshift_catalog;

/**
 * Add a migration to the catalog of the source being loaded. Returns
 * DBSHIFT_ESOURCE for a malformed definition. A version the source holds
 * twice is reported (naming both files) when the runner orders the
 * migrations, before the database is touched.
 */
DBSHIFT_EXTERN int dbshift_catalog_add(dbshift_catalog *catalog,
				       const dbshift_migration_def *def);

/**
 * Record a failure of the source being loaded, with a printf-style one-line
 * message naming the file at fault. Returns code so that a load callback
 * can write `return dbshift_catalog_fail(cat, DBSHIFT_ESOURCE, ...)`. A
 * source may also go on after a failure and report every bad file: the
 * first failure is the error of the run, and each one is a finding of
 * dbshift_runner_validate(). The migrations it added are still checked.
 */
DBSHIFT_EXTERN int dbshift_catalog_fail(dbshift_catalog *catalog, int code,
					const char *file, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

#define DBSHIFT_SOURCE_OPS_VERSION 1

/**
 * A source type: a host application may implement its own. The runner calls
 * load once per run, before it touches the database.
 */
typedef struct dbshift_source_ops {
	unsigned int version; /**< DBSHIFT_SOURCE_OPS_VERSION */
	/** Add every migration with dbshift_catalog_add(); return 0 or a
	 * negative code (after dbshift_catalog_fail()). */
	int (*load)(void *state, dbshift_catalog *catalog);
	/** Free state; may be NULL. */
	void (*free)(void *state);
} dbshift_source_ops;

/** A named source of migrations. */
typedef struct dbshift_source dbshift_source;

/**
 * Create a source of a custom type. name must be a valid source name
 * (letters, digits, '_', '-', '.'; not empty). ops must outlive the source;
 * state is passed to its callbacks and freed with ops->free when the source
 * is freed (also when this function fails).
 */
DBSHIFT_EXTERN int dbshift_source_new(dbshift_source **out, const char *name,
				      const dbshift_source_ops *ops,
				      void *state);

/**
 * Create a source that reads a directory of SQL files (layouts in
 * README.md). name may be NULL to use the directory's base name. The
 * directory is read when the runner loads its sources.
 */
DBSHIFT_EXTERN int dbshift_source_dir_new(dbshift_source **out,
					  const char *name, const char *path);

/** How the file and folder names of a directory give migration versions.
 * In both namings ".autocommit" next to the dialect (in either order)
 * before ".up.sql"/".down.sql" marks a script to run outside a
 * transaction: a migration whose up or down script picked for the run
 * carries it is no_transaction, as with -- dbshift:no-transaction. */
typedef enum dbshift_naming {
	/** The version is the name up to the first '_' (or '.'):
	 * VERSION[_NAME][.DIALECT][.autocommit].up.sql, as golang-migrate
	 * names files. */
	DBSHIFT_NAMING_STRICT = 0,
	/** The version is the whole stem, as runners that order by file name
	 * take it: "0001_create_users" in
	 * STEM[.DIALECT][.autocommit](.up|.down|_up|_down).sql and in folder
	 * names, so several stems may share a number; "0157.up.sql" is
	 * version "0157". The name is what follows the stem's first '_'. A down
	 * script whose stem has no up script goes with the up script of the
	 * same leading number that has no down of its own (names that differ
	 * by a slip). Versions still compare naturally, which is file name
	 * order for zero-padded numbers. */
	DBSHIFT_NAMING_STEM = 1
} dbshift_naming;

#define DBSHIFT_SOURCE_OPTIONS_VERSION 1

/** Options of the directory and embedded sources. */
typedef struct dbshift_source_options {
	unsigned int version; /**< DBSHIFT_SOURCE_OPTIONS_VERSION */
	dbshift_naming naming;
} dbshift_source_options;

/** Deprecated: use {.version = DBSHIFT_SOURCE_OPTIONS_VERSION} or
 * dbshift_source_options_init(). */
#define DBSHIFT_SOURCE_OPTIONS_INIT                                            \
	{                                                                      \
		DBSHIFT_SOURCE_OPTIONS_VERSION, DBSHIFT_NAMING_STRICT          \
	}

/**
 * Set opts to the defaults (all zero) of the given struct version, which
 * is usually DBSHIFT_SOURCE_OPTIONS_VERSION. DBSHIFT_EINVAL for a NULL
 * opts, a version 0, or one newer than this library knows.
 */
DBSHIFT_EXTERN int dbshift_source_options_init(dbshift_source_options *opts,
					       unsigned int version);

/**
 * dbshift_source_dir_new() with options (NULL for the defaults).
 * DBSHIFT_EINVAL also for options without their version field, with a
 * version newer than this library knows, or with an unknown naming.
 */
DBSHIFT_EXTERN int
dbshift_source_dir_new_opts(dbshift_source **out, const char *name,
			    const char *path,
			    const dbshift_source_options *opts);

/** The source's name. Valid while the source lives. */
DBSHIFT_EXTERN const char *dbshift_source_name(const dbshift_source *source);

/**
 * One file of an embedded source: a file of a migration directory held in
 * memory. path is relative to the migration directory, with '/' between
 * names ("001_users.up.sql", "2024-01-01-120000_x/up.sql",
 * "2024-01-01-120000_x/postgres/up.sql"); data holds len bytes (a
 * terminating NUL is not needed and not counted).
 */
typedef struct dbshift_embedded_file {
	const char *path;
	const char *data;
	size_t len;
} dbshift_embedded_file;

/**
 * Create a source from files held in memory, usually the array written by
 * `dbshift embed` (see dbshift_embed_write()). The files are read with the
 * directory source's rules, so they give exactly the migrations, and the
 * errors, that the same files in a directory give; hidden paths
 * (".git/x.sql") are skipped as a directory's hidden entries are. Files
 * are named "NAME:PATH" in messages and in the error's file field (e.g.
 * "auth:001_users.up.sql"). A path given twice, as both a file and a
 * folder, or that is not relative names joined by '/' is reported
 * (DBSHIFT_ESOURCE) when the source is loaded. files is borrowed and must
 * outlive the source (static data in the generated file); it may be NULL
 * when n_files is 0. Errors: DBSHIFT_EINVAL (no out, files NULL with
 * n_files > 0, invalid name), DBSHIFT_ENOMEM.
 */
DBSHIFT_EXTERN int
dbshift_source_embedded_new(dbshift_source **out, const char *name,
			    const dbshift_embedded_file *files, size_t n_files);

/** dbshift_source_embedded_new() with options (NULL for the defaults),
 * checked as dbshift_source_dir_new_opts() checks them. */
DBSHIFT_EXTERN int
dbshift_source_embedded_new_opts(dbshift_source **out, const char *name,
				 const dbshift_embedded_file *files,
				 size_t n_files,
				 const dbshift_source_options *opts);

/**
 * Write to out a C file that embeds the migration directory dir: its
 * scripts as data and a function
 *     int FUNCTION(dbshift_source **out);
 * returning them as an embedded source named name (what `dbshift embed`
 * writes). name may be NULL for the directory's base name, as with
 * dbshift_source_dir_new(); function may be NULL for
 * "NAME_migrations_source", NAME with every character that cannot be in
 * a C identifier replaced by '_' ("src_" in front of a leading digit).
 *
 * The directory is read and checked as the directory source reads it,
 * and the directives of its up scripts are checked for every dialect, so
 * that files that would fail at run time fail here, with the same
 * message, before anything is written. Only the scripts that make
 * migrations are embedded. The output depends only on the files, the name
 * and the function: paths are relative, files sorted, and there is no
 * timestamp. It includes only <dbshift/dbshift.h> and compiles cleanly as
 * C89, C99 and C++ (data as byte arrays, no long string literals).
 *
 * Returns 0; DBSHIFT_EINVAL (no dir or out, invalid name or function);
 * DBSHIFT_ESOURCE (bad migration files, naming the file);
 * DBSHIFT_EIO (writing out failed); DBSHIFT_ENOMEM. Details in
 * dbshift_error_last(). out may hold part of the file after DBSHIFT_EIO
 * only: write to a temporary file and rename it into place.
 */
DBSHIFT_EXTERN int dbshift_embed_write(const char *dir, const char *name,
				       const char *function, FILE *out);

/**
 * Create an empty code source: migrations added one by one with
 * dbshift_source_code_add(), usually C callbacks (up_fn, down_fn) that
 * receive a dbshift_conn. name must be a valid source name.
 * Errors: DBSHIFT_EINVAL, DBSHIFT_ENOMEM.
 */
DBSHIFT_EXTERN int dbshift_source_code_new(dbshift_source **out,
					   const char *name);

/**
 * Add a migration to a code source. def is copied (its strings, scripts
 * and arrays; not fn_payload, which with the callbacks must stay valid
 * while the source lives), so it may be temporary. def is checked now as
 * the catalog checks it at load time (DBSHIFT_ESOURCE, or DBSHIFT_EINVAL
 * for a def without its version field). A migration with up_fn needs
 * def->checksum, the author's version string for the code (at most 64
 * characters): it is what the history stores as the checksum, so change
 * it when the code changes (DBSHIFT_EINVAL without one). Versions held
 * twice are reported when the runner orders the migrations. Migrations
 * added after the source was handed to a runner take part from its next
 * command. Errors: DBSHIFT_EINVAL also for a source not made by
 * dbshift_source_code_new(); DBSHIFT_ENOMEM. Details in
 * dbshift_error_last().
 */
DBSHIFT_EXTERN int dbshift_source_code_add(dbshift_source *source,
					   const dbshift_migration_def *def);

/** Free a source that was not handed to a runner. Accepts NULL. */
DBSHIFT_EXTERN void dbshift_source_free(dbshift_source *source);

/*
 * Runner.
 */
typedef struct dbshift_runner dbshift_runner;

/** Events reported to dbshift_runner_options.on_event. */
typedef enum dbshift_event_kind {
	DBSHIFT_EVENT_BEFORE = 1, /**< a migration is about to run */
	DBSHIFT_EVENT_AFTER = 2,  /**< it finished successfully */
	DBSHIFT_EVENT_ERROR = 3,  /**< it failed; error is set */
	/** Something the user should know that did not stop the run, in
	 * message; id and name are "". So far: a driver module of another
	 * ABI was passed over for a compatible one later on the driver
	 * path (reported by dbshift_runner_new()). */
	DBSHIFT_EVENT_WARNING = 4,
	/** it waited too long for a lock, was rolled back and runs again
	 * after delay_ms; error and attempt are set */
	DBSHIFT_EVENT_RETRY = 5
} dbshift_event_kind;

typedef enum dbshift_direction {
	DBSHIFT_UP = 1,
	DBSHIFT_DOWN = 2
} dbshift_direction;

/** An event; valid only during the callback. */
typedef struct dbshift_event {
	dbshift_event_kind kind;
	dbshift_direction direction;
	const char *id;		    /**< "SOURCE/VERSION" */
	const char *name;	    /**< migration name, or "" */
	int64_t duration_us;	    /**< AFTER and ERROR: time taken */
	const dbshift_error *error; /**< ERROR and RETRY, else NULL */
	const char *message;	    /**< WARNING only, else NULL */
	int attempt;		    /**< RETRY: the attempt that failed (1-) */
	int attempts;		    /**< RETRY: how many attempts are allowed */
	int64_t delay_ms;	    /**< RETRY: pause before the next one */
} dbshift_event;

typedef void (*dbshift_event_fn)(const dbshift_event *event, void *payload);

/** Option flags. */
#define DBSHIFT_OPT_IGNORE_CHECKSUMS (1u << 0)
#define DBSHIFT_OPT_STRICT_ORDER (1u << 1)
/** Roll back as far as possible: dbshift_runner_down() and
 * dbshift_runner_plan_down() stop before the newest migration to roll back
 * that cannot be rolled back (it has no down script, or is not in the
 * sources) instead of refusing as a whole, and succeed with what they did
 * before it; dbshift_runner_down_stop() says where and why.
 * dbshift_runner_redo() is not affected. */
#define DBSHIFT_OPT_DOWN_AS_FAR_AS_POSSIBLE (1u << 2)

/** How concurrent runs on one database are serialised. */
typedef enum dbshift_lock_kind {
	/** Chosen after connecting: the database's session lock (PostgreSQL
	 * advisory lock, MySQL GET_LOCK, a file lock on a SQLite database)
	 * when the driver has one and reports it holds for every client of
	 * the database, else the lease row. A Galera cluster node and a
	 * PostgreSQL server behind a pooler get the lease. */
	DBSHIFT_LOCK_DEFAULT = 0,
	/** The session lock; DBSHIFT_EINVAL when the driver has none. */
	DBSHIFT_LOCK_ADVISORY = 1,
	/** A lease row in the table dbshift_locks, for connection poolers
	 * in transaction mode (PgBouncer) and clusters where session locks
	 * do not hold. Expiry is judged by the database server's clock; a
	 * background connection renews the lease while the run lasts, and
	 * the run checks it still holds the lease before each history write.
	 * The lease of a run whose session is gone is taken over at once
	 * where the database shows its sessions; otherwise it expires two
	 * minutes after its last renewal. */
	DBSHIFT_LOCK_TABLE = 2
} dbshift_lock_kind;

/** Other names of the lock kinds, as the command line spells them. */
#define DBSHIFT_LOCK_AUTO DBSHIFT_LOCK_DEFAULT
#define DBSHIFT_LOCK_SESSION DBSHIFT_LOCK_ADVISORY

#define DBSHIFT_RUNNER_OPTIONS_VERSION 3

/** lock_timeout: do not wait for another run's lock. */
#define DBSHIFT_LOCK_NO_WAIT (-1)
/** ddl_lock_retries: do not try a migration again after a lock timeout. */
#define DBSHIFT_DDL_NO_RETRY (-1)

typedef struct dbshift_runner_options {
	unsigned int version; /**< DBSHIFT_RUNNER_OPTIONS_VERSION */
	/** Database URL (required). */
	const char *url;
	/** History table name, NULL for "dbshift_migrations". */
	const char *table;
	/** Directory searched first for drivers, or NULL. */
	const char *driver_dir;
	/** Seconds to wait for another run's lock: 0 for the default 60,
	 * DBSHIFT_LOCK_NO_WAIT not to wait. (Versions 1 and 2: <0 for the
	 * default, 0 not to wait.) */
	int lock_timeout;
	/** DBSHIFT_OPT_* flags. */
	unsigned int flags;
	/** Contexts given for this run (see the contexts directive). */
	const char *const *contexts;
	size_t n_contexts;
	/** Progress callback, or NULL. */
	dbshift_event_fn on_event;
	void *event_payload;
	/** How concurrent runs are serialised. */
	dbshift_lock_kind lock_kind;
	/* Version 2. */
	/** How long one migration statement may wait for a lock another
	 * session holds, in milliseconds (PostgreSQL lock_timeout, MySQL
	 * lock_wait_timeout, SQLite busy timeout); 0 for the database's
	 * default. A migration that waited too long is rolled back and tried
	 * again (a DBSHIFT_EVENT_RETRY event each time), so that it does not
	 * hold up the application's queries queued behind it. */
	int64_t ddl_lock_timeout_ms;
	/** How many times such a migration is tried again, with a growing
	 * pause between attempts: 0 for the default 3, DBSHIFT_DDL_NO_RETRY
	 * for none. (Version 2: <0 for the default, 0 for none.) */
	int ddl_lock_retries;
} dbshift_runner_options;

/** Deprecated: use {.version = DBSHIFT_RUNNER_OPTIONS_VERSION} or
 * dbshift_runner_options_init(). */
#define DBSHIFT_RUNNER_OPTIONS_INIT                                            \
	{                                                                      \
		DBSHIFT_RUNNER_OPTIONS_VERSION, NULL, NULL, NULL, 0, 0, NULL,  \
			0, NULL, NULL, DBSHIFT_LOCK_DEFAULT, 0, 0              \
	}

/**
 * Set opts to the defaults (all zero) of the given struct version, which
 * is usually DBSHIFT_RUNNER_OPTIONS_VERSION. DBSHIFT_EINVAL for a NULL
 * opts, a version 0, or one newer than this library knows.
 */
DBSHIFT_EXTERN int dbshift_runner_options_init(dbshift_runner_options *opts,
					       unsigned int version);

/**
 * Create a runner. The URL is parsed and its driver loaded now (so a bad
 * URL or a missing driver fails here, with DBSHIFT_EURL or DBSHIFT_EDRIVER);
 * the database is not connected until a command runs. On failure *out is
 * NULL and dbshift_error_last() says why. DBSHIFT_EINVAL also for options
 * whose version is 0 or newer than this library knows.
 */
DBSHIFT_EXTERN int dbshift_runner_new(dbshift_runner **out,
				      const dbshift_runner_options *opts);

/**
 * Add a source. The runner takes ownership of source, also on failure.
 * Two sources may not share a name (DBSHIFT_EINVAL).
 */
DBSHIFT_EXTERN int dbshift_runner_add_source(dbshift_runner *runner,
					     dbshift_source *source);

/**
 * Apply pending migrations in order: all of them when target is NULL, else
 * the migration target ("SOURCE/VERSION", or "VERSION" when only one source
 * has it) and the pending migrations it depends on. Stops at the first
 * failure, which is rolled back where the dialect allows and never recorded
 * as applied. *n_applied (may be NULL) receives how many were applied.
 */
DBSHIFT_EXTERN int dbshift_runner_up(dbshift_runner *runner, const char *target,
				     int *n_applied);

/**
 * Roll back the count most recently applied migrations (newest first), or
 * when target is not NULL, the applied migration target and every applied
 * migration that depends on it. Every migration to roll back must have a
 * down script, checked before anything changes (DBSHIFT_ENODOWN).
 * count < 0 rolls back everything. *n_reverted (may be NULL) receives how
 * many were rolled back.
 */
DBSHIFT_EXTERN int dbshift_runner_down(dbshift_runner *runner, int count,
				       const char *target, int *n_reverted);

/**
 * Where the last dbshift_runner_down() or dbshift_runner_plan_down() of a
 * runner with DBSHIFT_OPT_DOWN_AS_FAR_AS_POSSIBLE stopped short, and why:
 * "app/003 has no down script" or "app/003 is not in the sources"; "" when
 * it did not stop short (or without the flag). Valid until the next call
 * on the runner. Never NULL.
 */
DBSHIFT_EXTERN const char *
dbshift_runner_down_stop(const dbshift_runner *runner);

/** Roll back the most recently applied migration and apply it again. */
DBSHIFT_EXTERN int dbshift_runner_redo(dbshift_runner *runner);

/**
 * Resolve a dirty migration (one that failed or was interrupted part way
 * outside a transaction) by recording it as applied, after the operator
 * completed it by hand. target is "SOURCE/VERSION" (or "VERSION" when only
 * one source has it; a migration only in the history is named by its id).
 * DBSHIFT_ESTATE when the migration has no dirty row.
 */
DBSHIFT_EXTERN int dbshift_runner_force(dbshift_runner *runner,
					const char *target);

/** The calling thread's last error: the same object as
 * dbshift_error_last(), kept for callers that read errors from the runner
 * (runner is not used and may be NULL). Never NULL. */
DBSHIFT_EXTERN const dbshift_error *
dbshift_runner_error(const dbshift_runner *runner);

/** Dialect of the runner's driver ("sqlite", ...). Valid while it lives. */
DBSHIFT_EXTERN const char *dbshift_runner_dialect(const dbshift_runner *runner);

/** Free the runner, its sources and its connection. Accepts NULL. */
DBSHIFT_EXTERN void dbshift_runner_free(dbshift_runner *runner);

/*
 * Status.
 */
typedef enum dbshift_state {
	DBSHIFT_STATE_PENDING = 1,
	DBSHIFT_STATE_APPLIED = 2,
	DBSHIFT_STATE_MISSING = 3,	/**< in history, not in any source */
	DBSHIFT_STATE_DIRTY = 4,	/**< failed or interrupted part way */
	DBSHIFT_STATE_OUT_OF_ORDER = 5, /**< pending, sorts before applied */
	DBSHIFT_STATE_CHANGED = 6,	/**< applied, script changed since */
	DBSHIFT_STATE_SKIPPED = 7	/**< not for this dialect or context */
} dbshift_state;

/** Static lower-case name of a state ("applied"). */
DBSHIFT_EXTERN const char *dbshift_state_name(dbshift_state state);

/** One migration in a status report. Strings are "" when unknown. */
typedef struct dbshift_migration_info {
	const char *id;
	const char *source;
	const char *version;
	const char *name;
	dbshift_state state;
	const char *checksum;	      /**< from the sources, or "" */
	const char *applied_checksum; /**< from history, or "" */
	const char *applied_at;	      /**< ISO 8601 UTC, or "" */
	int64_t execution_ms;	      /**< from history, or 0 */
	int64_t applied_seq;	      /**< application order, or 0 */
	int has_down;
	const char *const *depends_on;
	size_t n_depends_on;
	const char *error; /**< dirty rows: what failed, or "" */
} dbshift_migration_info;

typedef struct dbshift_status dbshift_status;

/**
 * Read every migration and its state: those of the sources in plan order,
 * then those only in history (missing) in application order. Reads the
 * history once; changes nothing. A database without a history table has
 * everything pending.
 */
DBSHIFT_EXTERN int dbshift_runner_status(dbshift_runner *runner,
					 dbshift_status **out);

/** Number of entries in a status report. */
DBSHIFT_EXTERN size_t dbshift_status_count(const dbshift_status *status);

/** Entry i (< count). Valid while the status lives. */
DBSHIFT_EXTERN const dbshift_migration_info *
dbshift_status_get(const dbshift_status *status, size_t i);

/** Free a status report. Accepts NULL. */
DBSHIFT_EXTERN void dbshift_status_free(dbshift_status *status);

/*
 * Plans: what up or down would do, without doing it.
 */

/** A table a down script drops (DROP TABLE) and the rows it holds. */
typedef struct dbshift_table_rows {
	const char *table; /**< as the script names it, without quotes */
	int64_t rows;	   /**< rows it holds now (more than 0) */
} dbshift_table_rows;

/** One step of a plan. Strings are "" when unknown; valid while the plan
 * lives. */
typedef struct dbshift_plan_step {
	const char *id;
	const char *source;
	const char *version;
	const char *name;
	dbshift_direction direction;
	/** The script that would run (the dialect's variant where there is
	 * one), or "" for a migration written in C. */
	const char *sql;
	/** The file the script comes from, or "". */
	const char *file;
	int no_transaction;
	/** Pending, but sorts before an applied migration. */
	int out_of_order;
	const char *const *depends_on;
	size_t n_depends_on;
	/** Down steps: the tables its down script drops that exist and
	 * hold rows now, with their counts (the data the step destroys);
	 * NULL and 0 for up steps, downs written in C and downs that drop
	 * no table holding rows. */
	const dbshift_table_rows *drops;
	size_t n_drops;
} dbshift_plan_step;

typedef struct dbshift_plan dbshift_plan;

/**
 * What dbshift_runner_up() with the same target would apply, in order,
 * after the same checks (a dirty row, a changed script unless checksums
 * are ignored, out-of-order migrations with DBSHIFT_OPT_STRICT_ORDER),
 * which fail the same way. Reads the history once; changes nothing, takes
 * no lock and creates no table.
 */
DBSHIFT_EXTERN int dbshift_runner_plan_up(dbshift_runner *runner,
					  const char *target,
					  dbshift_plan **out);

/** What dbshift_runner_down() with the same arguments would roll back, in
 * order, after the same checks, each step with the tables its down script
 * would drop with rows in them (drops; found by reading the script's
 * DROP TABLE statements and counting rows now). Changes nothing. */
DBSHIFT_EXTERN int dbshift_runner_plan_down(dbshift_runner *runner, int count,
					    const char *target,
					    dbshift_plan **out);

/** Number of steps in a plan. */
DBSHIFT_EXTERN size_t dbshift_plan_count(const dbshift_plan *plan);

/** Step i (< count). Valid while the plan lives. */
DBSHIFT_EXTERN const dbshift_plan_step *
dbshift_plan_get(const dbshift_plan *plan, size_t i);

/** Free a plan. Accepts NULL. */
DBSHIFT_EXTERN void dbshift_plan_free(dbshift_plan *plan);

/*
 * Validation and repair.
 */

/** What validate found. */
typedef enum dbshift_finding_kind {
	DBSHIFT_FINDING_CHANGED = 1,	  /**< applied script changed */
	DBSHIFT_FINDING_MISSING = 2,	  /**< applied, in no source */
	DBSHIFT_FINDING_DIRTY = 3,	  /**< failed part way */
	DBSHIFT_FINDING_OUT_OF_ORDER = 4, /**< pending before applied ones */
	DBSHIFT_FINDING_NO_DOWN = 5,	  /**< no down script (warning) */
	DBSHIFT_FINDING_SOURCE = 6,	  /**< bad source or dependency graph */
	DBSHIFT_FINDING_IGNORED = 7, /**< a file or directive names a dialect
				       no installed driver declares
				       (warning) */
	/** verify: the down script does not restore the schema */
	DBSHIFT_FINDING_SCHEMA = 8,
	/** verify: the down script fails */
	DBSHIFT_FINDING_DOWN_FAILED = 9,
	/** verify: the up script fails, or builds another schema, when
	 * applied again after its down */
	DBSHIFT_FINDING_REAPPLY = 10
} dbshift_finding_kind;

/** Static lower-case name of a finding kind ("changed", "no-down",
 * "schema", "down-failed", "reapply", ...). */
DBSHIFT_EXTERN const char *dbshift_finding_kind_name(dbshift_finding_kind kind);

/** One finding; strings valid while the report lives. */
typedef struct dbshift_finding {
	dbshift_finding_kind kind;
	int warning;	     /**< a warning only: validate still passes */
	const char *id;	     /**< the migration, or "" */
	const char *message; /**< one line */
} dbshift_finding;

typedef struct dbshift_findings dbshift_findings;

/**
 * Check the sources and the history without changing anything: changed
 * checksums (naming both), applied migrations missing from the sources,
 * dirty rows, out-of-order pending migrations, missing down scripts
 * (warnings), files and dialects directives naming a dialect that no
 * installed driver declares (warnings: such files are ignored), and
 * problems of the sources and dependency graph (reported as
 * DBSHIFT_FINDING_SOURCE findings instead of an error: one for every bad
 * file or migration of every source, so that one run names them all; the
 * history is then not read). Returns 0
 * when the check could run, whatever it found; *n_problems (may be NULL)
 * receives the number of findings that are not warnings.
 */
DBSHIFT_EXTERN int dbshift_runner_validate(dbshift_runner *runner,
					   dbshift_findings **out,
					   int *n_problems);

DBSHIFT_EXTERN size_t dbshift_findings_count(const dbshift_findings *f);
DBSHIFT_EXTERN const dbshift_finding *
dbshift_findings_get(const dbshift_findings *f, size_t i);
DBSHIFT_EXTERN void dbshift_findings_free(dbshift_findings *f);

/** Called by repair and baseline for each change they make to the history:
 * id is the migration, what one line ("checksum a1b2... -> c3d4...",
 * "removed dirty row", "recorded as applied"). */
typedef void (*dbshift_change_fn)(const char *id, const char *what,
				  void *payload);

/**
 * Report to fn (id, what; may be NULL) each dialect variant file or
 * folder, and each dialects directive or definition entry, that names a
 * dialect no driver on the driver search path declares (nor the runner's
 * own driver). Such files are ignored rather than refused, so that a
 * directory may carry scripts for databases a user has no driver for
 * (e.g. VERSION_NAME.cockroach.up.sql). Reads the sources only; the
 * database is not touched. *n_ignored (may be NULL) receives their
 * number. Returns 0, or the sources' error.
 */
DBSHIFT_EXTERN int dbshift_runner_ignored(dbshift_runner *runner,
					  dbshift_change_fn fn, void *payload,
					  int *n_ignored);

/**
 * Make the history agree with the sources again, as Flyway's repair does,
 * and nothing else: record the current checksum of every applied
 * migration whose script changed, and remove dirty rows (the operator
 * cleaned up the partial change, so the migration counts as not applied
 * and runs again on the next up). Reports each change to fn (may be NULL);
 * *n_changes (may be NULL) receives their number.
 */
DBSHIFT_EXTERN int dbshift_runner_repair(dbshift_runner *runner,
					 dbshift_change_fn fn, void *payload,
					 int *n_changes);

/**
 * Connect (when not yet connected) and tell which run lock commands of
 * this runner take: *out_kind gets DBSHIFT_LOCK_ADVISORY or
 * DBSHIFT_LOCK_TABLE, *out_reason (may be NULL) a one-line explanation
 * ("Galera cluster node (wsrep_on is ON): GET_LOCK is node-local"),
 * valid until the next call on the runner.
 */
DBSHIFT_EXTERN int dbshift_runner_lock_info(dbshift_runner *runner,
					    dbshift_lock_kind *out_kind,
					    const char **out_reason);

/**
 * Remove the lease of this runner's history table from the lock table,
 * whoever holds it, for an operator who knows that no run is in
 * progress (a run still in progress stops at its next history write).
 * fn (may be NULL) receives the key and the holder removed; *n_removed
 * (may be NULL) receives 0 or 1. A session lock cannot be removed from
 * another session: it ends with its connection.
 */
DBSHIFT_EXTERN int dbshift_runner_unlock(dbshift_runner *runner,
					 dbshift_change_fn fn, void *payload,
					 int *n_removed);

/**
 * Adopt an existing database: record target and every migration it
 * depends on as applied, without running them. Refuses (DBSHIFT_ESTATE,
 * changing nothing) when any of them is already recorded differently
 * (dirty, or with another checksum); those recorded the same way are left
 * as they are. Reports each row written to fn; *n_recorded (may be NULL)
 * receives their number.
 */
DBSHIFT_EXTERN int dbshift_runner_baseline(dbshift_runner *runner,
					   const char *target,
					   dbshift_change_fn fn, void *payload,
					   int *n_recorded);

/** dbshift_runner_adopt() flag: report the mapping, change nothing. */
#define DBSHIFT_ADOPT_DRY_RUN (1u << 0)

/**
 * Take a database over from another migration tool: read that tool's
 * history table and record the migrations of the sources it says are
 * applied as applied, with the checksums of today's files, without running
 * them. tool is one of:
 *  - "golang-migrate": table schema_migrations (version, dirty), one row;
 *    every migration with a version up to it counts as applied;
 *  - "goose": goose_db_version (id, version_id, is_applied, ...); the
 *    latest row of each version decides, version 0 is goose's own;
 *  - "dbmate": schema_migrations (version), one row per applied version;
 *  - "flyway": flyway_schema_history (installed_rank, version, type,
 *    success, ...); a BASELINE row counts for every version up to it,
 *    DELETE and UNDO rows take a version back, rows without a version
 *    (repeatable migrations) and the SCHEMA row are ignored;
 *  - "sqitch": sqitch.changes (change, project, committed_at, ...), one
 *    row per deployed change, matched to the migration of that name (or
 *    version);
 *  - "maragudk": migrations (version), maragudk/migrate's one row; every
 *    migration with a version up to it counts as applied.
 * Versions match naturally ("1" matches "001"). table (NULL for the
 * tool's default, above) may be SCHEMA.TABLE. The foreign table is left as
 * it is.
 *
 * Refuses (DBSHIFT_ESTATE, changing nothing) when the dbshift history
 * already has rows, when the foreign table does not exist, when the
 * foreign state is dirty (golang-migrate dirty, Flyway success false), or
 * when a foreign version matches no migration of the sources (naming it)
 * or one version matches migrations of two sources. DBSHIFT_EINVAL for an
 * unknown tool or an invalid table name. With DBSHIFT_ADOPT_DRY_RUN in
 * flags nothing is written and no lock is taken. Reports each migration
 * recorded (or, dry, that would be) to fn, in plan order, with the foreign
 * version it maps from; *n_recorded (may be NULL) receives their number.
 */
DBSHIFT_EXTERN int dbshift_runner_adopt(dbshift_runner *runner,
					const char *tool, const char *table,
					unsigned int flags,
					dbshift_change_fn fn, void *payload,
					int *n_recorded);

/*
 * Schema snapshots: what the database holds, read through the driver's
 * schema introspection (dbshift/driver.h), for verify, dump and tests.
 */

/** Kinds of schema objects. */
typedef enum dbshift_object_kind {
	DBSHIFT_OBJECT_TABLE = 1,
	DBSHIFT_OBJECT_COLUMN = 2,
	DBSHIFT_OBJECT_INDEX = 3,
	DBSHIFT_OBJECT_CONSTRAINT = 4,
	DBSHIFT_OBJECT_VIEW = 5,
	DBSHIFT_OBJECT_TRIGGER = 6
} dbshift_object_kind;

/** Static lower-case name of an object kind ("table", "column", "index",
 * "constraint", "view", "trigger"). */
DBSHIFT_EXTERN const char *dbshift_object_kind_name(dbshift_object_kind kind);

/**
 * One object of a snapshot. Strings are valid while the snapshot lives;
 * text is normalised (runs of white space made one space, trimmed).
 */
typedef struct dbshift_schema_object {
	dbshift_object_kind kind;
	/** The table the object belongs to; a table's or view's own name. */
	const char *table;
	const char *name;
	/** Column type as the database spells it; "unique index", "primary
	 * key", "check", ... for other kinds; "" when none. */
	const char *type;
	/** Columns: 1 when NULL is allowed. */
	int nullable;
	/** Columns: the default expression, or NULL when there is none. */
	const char *default_value;
	/** SQL of the database's dialect defining the object (CREATE INDEX,
	 * a constraint clause, CREATE VIEW, CREATE TRIGGER; column extras),
	 * or "". */
	const char *detail;
	/** Columns: 1-based position in the table; else 0. */
	int position;
} dbshift_schema_object;

typedef struct dbshift_schema dbshift_schema;

/**
 * Read the schema of the runner's database (its default schema: SQLite
 * main, PostgreSQL current_schema(), MySQL the URL's database), leaving
 * out the history table and the lock table. Objects are sorted by kind,
 * table and name, so two snapshots of the same schema are equal object by
 * object, whatever order things were created in. Changes nothing.
 * Errors: DBSHIFT_EDRIVER when the driver has no schema introspection
 * (drivers built for ABI 1.0 to 1.2), DBSHIFT_EDB, DBSHIFT_ENOMEM.
 */
DBSHIFT_EXTERN int dbshift_runner_schema(dbshift_runner *runner,
					 dbshift_schema **out);

/** Number of objects in a snapshot. */
DBSHIFT_EXTERN size_t dbshift_schema_count(const dbshift_schema *schema);

/** Object i (< count), or NULL. Valid while the snapshot lives. */
DBSHIFT_EXTERN const dbshift_schema_object *
dbshift_schema_get(const dbshift_schema *schema, size_t i);

/**
 * The object of kind named name on table, or NULL. For a table or a view
 * table and name are both its name (table may be NULL for those).
 * Names compare exactly as the database reported them.
 */
DBSHIFT_EXTERN const dbshift_schema_object *
dbshift_schema_find(const dbshift_schema *schema, dbshift_object_kind kind,
		    const char *table, const char *name);

/** Dialect of the database the snapshot was read from ("sqlite", ...).
 * Valid while the snapshot lives. */
DBSHIFT_EXTERN const char *dbshift_schema_dialect(const dbshift_schema *schema);

/**
 * Write the snapshot to out as SQL of its dialect (what `dbshift dump`
 * prints): a CREATE TABLE per table with its columns and constraints,
 * then indexes, views and triggers, each sorted by name. The text
 * depends only on the schema (no timestamp, no host name), so it can be
 * kept in version control and diffed; it is meant for reading, not for
 * loading (views are not ordered by their dependencies). Returns 0 or
 * DBSHIFT_EIO when writing failed.
 */
DBSHIFT_EXTERN int dbshift_schema_write_sql(const dbshift_schema *schema,
					    FILE *out);

/** Free a snapshot. Accepts NULL. */
DBSHIFT_EXTERN void dbshift_schema_free(dbshift_schema *schema);

/** dbshift_runner_verify() flags. */
/** Go on after a migration whose down does not restore the schema (the
 * schema its down left is kept; an up that then fails is recorded as
 * applied without running), to report every such migration at once. */
#define DBSHIFT_VERIFY_KEEP_GOING (1u << 0)

/**
 * Prove that each pending migration's down script undoes its up script.
 * For each migration that up would apply (all, or up to target), in
 * order: read the schema, apply the migration, roll it back with its
 * down, read the schema again and compare it with the one before
 * (findings DBSHIFT_FINDING_SCHEMA, one per difference, e.g. "auth/002:
 * down leaves index users_email_idx on users"), then apply the migration
 * again, which must succeed and build the same schema as the first time
 * (DBSHIFT_FINDING_REAPPLY). A failing down is DBSHIFT_FINDING_DOWN_FAILED;
 * a migration without a down is applied and reported as a warning
 * (DBSHIFT_FINDING_NO_DOWN). Stops after the first migration with a
 * finding that is not a warning, unless flags has
 * DBSHIFT_VERIFY_KEEP_GOING.
 *
 * Run it on a throwaway database: the migrations are applied (and left
 * applied) for real. Migrations already applied are not checked.
 * Returns 0 when the check could run, whatever it found (*out holds the
 * findings, *n_checked (may be NULL) the number of migrations whose down
 * was checked); an error when the check itself could not go on: a failing
 * up script (DBSHIFT_EMIGRATION, as dbshift_runner_up() reports it), the
 * driver without schema introspection (DBSHIFT_EDRIVER), the same checks
 * as up (dirty row, changed scripts, bad sources).
 */
DBSHIFT_EXTERN int dbshift_runner_verify(dbshift_runner *runner,
					 const char *target, unsigned int flags,
					 dbshift_findings **out,
					 int *n_checked);

/*
 * Drivers.
 */

/** A driver found by dbshift_drivers_list(). */
typedef struct dbshift_driver_info {
	const char *name;
	const char *dialect;
	const char *version;
	unsigned int abi_major;
	unsigned int abi_minor;
	const char *const *schemes;
	const char *path;
	/** "" when the driver loaded, else why it did not. */
	const char *error;
} dbshift_driver_info;

typedef void (*dbshift_driver_info_fn)(const dbshift_driver_info *info,
				       void *payload);

/**
 * Report every driver_*.so in the search path (driver_dir, then
 * $DBSHIFT_DRIVER_PATH, then the installed driver directory or
 * $DBSHIFT_DRIVER_SYSTEM_DIR when that is set), first found
 * wins per name, in name order. Broken modules are reported with error set.
 */
DBSHIFT_EXTERN int dbshift_drivers_list(const char *driver_dir,
					dbshift_driver_info_fn fn,
					void *payload);

/*
 * Connections for code migrations.
 */

/** Execute a script on the migration's connection. */
DBSHIFT_EXTERN int dbshift_conn_exec(dbshift_conn *conn, const char *sql);

/** Dialect of the connection ("sqlite", "postgres", "mysql"). */
DBSHIFT_EXTERN const char *dbshift_conn_dialect(const dbshift_conn *conn);

/** Record why a code migration fails; returns DBSHIFT_EMIGRATION. */
DBSHIFT_EXTERN int dbshift_conn_fail(dbshift_conn *conn, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/*
 * Utilities.
 */

/**
 * Write into buf (buf_size bytes) the form of url fit for messages and
 * logs, rebuilt from its parts: scheme, user, "***" for a password, host
 * and path. The query string is left out (any parameter may carry a
 * secret), and a URL without a valid scheme becomes
 * "(URL without a scheme)". The user-info part ends at the URL's last
 * '@', so a password may hold any character. Returns 0, or
 * DBSHIFT_EINVAL when buf is too small (buf then holds "").
 */
DBSHIFT_EXTERN int dbshift_url_redact(const char *url, char *buf,
				      size_t buf_size);

/**
 * Compare two migration versions naturally: runs of digits compare as
 * numbers, other characters bytewise. Returns <0, 0 or >0.
 */
DBSHIFT_EXTERN int dbshift_version_compare(const char *a, const char *b);

#ifdef __cplusplus
}
#endif

#endif /* DBSHIFT_H */
