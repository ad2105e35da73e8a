/* SPDX-License-Identifier: MIT */
/*
 * dbshift/testing.h - helpers for testing migrations from C: a throwaway
 * database per test, migrations built in code, up and down steps, and
 * assertions about the schema they leave.
 *
 *     dbshift_test_db *db = NULL;
 *     int rc = dbshift_test_db_open(&db, "sqlite", NULL, NULL);
 *     if (rc == 0)
 *         rc = dbshift_test_db_add(db, "001",
 *                                  "CREATE TABLE users (id INTEGER);",
 *                                  "DROP TABLE users;");
 *     if (rc == 0)
 *         rc = dbshift_test_db_up(db, NULL);
 *     if (rc == 0 && dbshift_test_db_has_table(db, "users") != 1)
 *         ...fail...
 *     if (rc != 0)
 *         fprintf(stderr, "%s\n", dbshift_test_db_error(db)->message);
 *     dbshift_test_db_free(db);
 *
 * Functions return 0 or a negative DBSHIFT_E* code as in dbshift.h; the
 * has_* questions return 1 (yes), 0 (no) or a negative code. The details
 * of a failure are read with dbshift_test_db_error(). Part of libdbshift;
 * this header is C89 and C++ clean.
 */
#ifndef DBSHIFT_TESTING_H
#define DBSHIFT_TESTING_H

#include "dbshift/dbshift.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A throwaway database with a runner and a code source on it. */
typedef struct dbshift_test_db dbshift_test_db;

/**
 * Open a throwaway database of dialect ("sqlite", "postgres" or "mysql").
 * SQLite: a private in-memory database (server_url is ignored). PostgreSQL
 * and MySQL: a new database named dbshift_test_PID_N, created through
 * server_url (an account allowed to CREATE DATABASE, e.g.
 * "postgres://postgres@127.0.0.1:5432/postgres") and dropped by
 * dbshift_test_db_free(). driver_dir may be NULL (the usual driver search
 * path). The database has a code source named "test" for
 * dbshift_test_db_add(). On failure *out is NULL and dbshift_error_last()
 * (or dbshift_test_db_error(NULL)) says why.
 * Errors: DBSHIFT_EINVAL (unknown dialect, no server_url for a server
 * dialect), DBSHIFT_EURL, DBSHIFT_EDRIVER, DBSHIFT_EDB, DBSHIFT_ENOMEM.
 */
DBSHIFT_EXTERN int dbshift_test_db_open(dbshift_test_db **out,
					const char *dialect,
					const char *server_url,
					const char *driver_dir);

/** The database's URL. Valid while db lives. */
DBSHIFT_EXTERN const char *dbshift_test_db_url(const dbshift_test_db *db);

/**
 * The runner on the database, with the "test" source added: add more
 * sources, or call any dbshift_runner_* function. Borrowed: valid while db
 * lives; do not free it.
 */
DBSHIFT_EXTERN dbshift_runner *dbshift_test_db_runner(dbshift_test_db *db);

/**
 * Build a migration in code: add version to the "test" source with the up
 * script and the down script (down may be NULL for none). Scripts are
 * copied. It takes part from the next up or down.
 */
DBSHIFT_EXTERN int dbshift_test_db_add(dbshift_test_db *db, const char *version,
				       const char *up, const char *down);

/** Apply pending migrations: all, or up to target (as dbshift_runner_up). */
DBSHIFT_EXTERN int dbshift_test_db_up(dbshift_test_db *db, const char *target);

/** Roll back the last count migrations (<0: all), as dbshift_runner_down. */
DBSHIFT_EXTERN int dbshift_test_db_down(dbshift_test_db *db, int count);

/** Run a script on the database outside any migration (test data, ...). */
DBSHIFT_EXTERN int dbshift_test_db_exec(dbshift_test_db *db, const char *sql);

/** Does the database hold table (views count as tables)? 1, 0 or < 0. */
DBSHIFT_EXTERN int dbshift_test_db_has_table(dbshift_test_db *db,
					     const char *table);

/** Does table have column? 1, 0 or a negative code. */
DBSHIFT_EXTERN int dbshift_test_db_has_column(dbshift_test_db *db,
					      const char *table,
					      const char *column);

/** Does table have the index named index (unique ones included, and the
 * index behind a primary key or UNIQUE constraint of that name)? 1, 0 or
 * a negative code. */
DBSHIFT_EXTERN int dbshift_test_db_has_index(dbshift_test_db *db,
					     const char *table,
					     const char *index);

/** The error of the last failed call on db; for db NULL, the thread's
 * last error (dbshift_error_last()). Never NULL. */
DBSHIFT_EXTERN const dbshift_error *
dbshift_test_db_error(const dbshift_test_db *db);

/** Close the runner and drop the database (server dialects). Accepts
 * NULL. */
DBSHIFT_EXTERN void dbshift_test_db_free(dbshift_test_db *db);

#ifdef __cplusplus
}
#endif

#endif /* DBSHIFT_TESTING_H */
