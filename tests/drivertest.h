/* SPDX-License-Identifier: MIT */
/*
 * drivertest.h - shared helpers of the driver test suites (the
 * conformance suite and check_driver_<name>.c): the driver under test,
 * loaded the way the core loads it, and one-line wrappers around its slots
 * that fail the test with the driver's message when a call goes wrong.
 *
 * A test works on one driver at a time, so its state lives in the dt_*
 * globals below: a checked fixture calls dt_start() (or dt_init() when no
 * server is needed) and dt_stop(); the test then calls the slots through
 * dt_drv on dt_conn, and reads what the driver said in dt_diag. Every
 * helper that calls a slot clears dt_diag first.
 */
#ifndef DBSHIFT_TEST_DRIVERTEST_H
#define DBSHIFT_TEST_DRIVERTEST_H

#include <stddef.h>
#include <stdint.h>

#include "dbshift/driver.h"
#include "host.h"

/* The password of the URLs the tests expect to fail: no message may show
 * it (dt_open_fails() checks). */
#define DT_PASSWORD "s3cretpw"

/* ---- the driver under test ---- */

/** The module, from dt_load(); never closed. */
extern void *dt_module;
/** Its entry function, from dt_load(). */
extern dbshift_driver_init_fn dt_entry;
/** Its descriptor, from dt_init(); NULL after dt_stop(). */
extern const dbshift_driver *dt_drv;
/** The test's connection, from dt_start(); closed by dt_stop(). */
extern dbshift_driver_conn *dt_conn;
/** The URL dt_conn was opened with. */
extern char dt_url[1024];
/** What the last slot called through a helper said. */
extern dbshift_diag dt_diag;
/** Where dt_load() looks: fx_driver_dir() when NULL (the default). */
extern const char *dt_dir;
/** The host table the core passes (core/host.c): full size, current ABI. */
#define dt_host (*dbshift__host())

/**
 * Load driver_<name>.so from dt_dir (fx_driver_dir() by default) with
 * dlopen(RTLD_NOW |
 * RTLD_LOCAL), as the core does, into dt_module, and find its entry
 * dbshift_driver_<name>_init into dt_entry. Fails the test on error.
 */
void dt_load(const char *name);

/** dt_load(), then take the descriptor for the current ABI with dt_host
 * into dt_drv. Fails the test when the entry refuses. */
void dt_init(const char *name);

/** dt_init(), then open url (copied to dt_url) into dt_conn. */
void dt_start(const char *name, const char *url);

/** Close dt_conn (when a driver is loaded) and clear dt_conn and dt_drv;
 * a checked fixture's teardown. */
void dt_stop(void);

/* ---- connections ---- */

/** Open url, failing the test on error. The caller closes the result
 * with dt_drv->close. */
dbshift_driver_conn *dt_open_ok(const char *url);

/** Open url expecting failure: no connection, and a one-line message in
 * dt_diag that does not show DT_PASSWORD. */
void dt_open_fails(const char *url);

/** Fail the test unless msg is one non-empty line (no CR or LF). */
void dt_assert_one_line(const char *msg);

/* ---- scripts ---- */

/** Run the first len bytes of sql on c, failing the test on error. */
void dt_exec_len_on(dbshift_driver_conn *c, const char *sql, size_t len);

/** Run the string sql on c, failing the test on error. */
void dt_exec_on(dbshift_driver_conn *c, const char *sql);

/** Run the string sql on dt_conn, failing the test on error. */
void dt_exec_ok(const char *sql);

/** Run the first len bytes of sql on dt_conn expecting failure with a
 * one-line message; dt_diag holds the details. */
void dt_exec_fails_len(const char *sql, size_t len);

/** dt_exec_fails_len() for the string sql. */
void dt_exec_fails(const char *sql);

/* A script whose third non-empty statement, on line 7 after a comment,
 * is a syntax error; the statements after it create table b. */
extern const char dt_broken_script[];

/* ---- queries ---- */

#define DT_MAX_ROWS 8
#define DT_MAX_COLS 8
#define DT_MAX_TEXT 128 /* text values, NUL included */

/** Rows collected by dt_collect(); zero it before use. */
struct dt_rows {
	int count;   /* rows seen */
	int stop_at; /* return stop_value at this row (1-based); 0 never */
	int stop_value;
	int32_t ncols; /* columns of the last row */
	int32_t type[DT_MAX_ROWS][DT_MAX_COLS];
	int64_t i64[DT_MAX_ROWS][DT_MAX_COLS];
	int64_t len[DT_MAX_ROWS][DT_MAX_COLS];
	char text[DT_MAX_ROWS][DT_MAX_COLS][DT_MAX_TEXT]; /* NUL-terminated */
};

/** A query callback copying each row into the struct dt_rows payload;
 * fails the test past DT_MAX_ROWS, DT_MAX_COLS or DT_MAX_TEXT. */
int dt_collect(int32_t ncols, const dbshift_value *cols, void *payload);

/** Run the query sql on c, collecting its rows into rows (ignored when
 * NULL); fails the test on error. */
void dt_query_on(dbshift_driver_conn *c, const char *sql,
		 const dbshift_value *params, int32_t nparams,
		 struct dt_rows *rows);

/** dt_query_on() on dt_conn. */
void dt_query_ok(const char *sql, const dbshift_value *params, int32_t nparams,
		 struct dt_rows *rows);

/** Run the query sql on dt_conn expecting failure with a one-line
 * message; dt_diag holds the details. */
void dt_query_fails(const char *sql, const dbshift_value *params,
		    int32_t nparams);

/** The integer in column c of row r, which may have come back as INT64 or
 * as the integer's decimal text; fails the test on anything else. */
int64_t dt_int_of(const struct dt_rows *rows, int r, int c);

/** The single integer of a one-row query on dt_conn, INT64 or text. */
int64_t dt_query_int(const char *sql);

/** The single integer of a one-row query on dt_conn, which must come back
 * as INT64. */
int64_t dt_query_int64(const char *sql);

/** The single value of a one-row query on c, which must be TEXT. Static
 * storage, valid until the next call. */
const char *dt_text_on(dbshift_driver_conn *c, const char *sql);

/** The single value of a one-row query on c, whatever its type, as text
 * ("NULL" for NULL). Static storage, valid until the next call. */
const char *dt_value_on(dbshift_driver_conn *c, const char *sql);

/** dt_value_on() on dt_conn. */
const char *dt_value_of(const char *sql);

/* ---- the catalog ---- */

/** Does table exist on c (0 or 1)? Fails the test on error. */
int32_t dt_table_exists_on(dbshift_driver_conn *c, const char *table);

/** dt_table_exists_on() on dt_conn. */
int32_t dt_table_exists(const char *table);

/** Ask about table on dt_conn expecting failure with a one-line message. */
void dt_table_exists_fails(const char *table);

/* ---- values ---- */

dbshift_value dt_int_value(int64_t i64);

/** A TEXT value of len bytes at text (not copied). */
dbshift_value dt_text_value(const char *text, int64_t len);

dbshift_value dt_null_value(void);

/* ---- time and the run lock ---- */

/** Seconds on the monotonic clock. */
double dt_now_s(void);

/** What dt_unlock_later() unlocks, and what unlock returned (rc). */
struct dt_delayed_unlock {
	dbshift_driver_conn *conn;
	const char *key;
	int rc;
};

/** A thread body: after 0.3 s, unlock the struct dt_delayed_unlock's key
 * on its connection through dt_drv and keep the result in its rc. */
void *dt_unlock_later(void *arg);

#endif
