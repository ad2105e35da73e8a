/* SPDX-License-Identifier: MIT */
/*
 * dialects.h - the same integration tests on every dialect: a fresh
 * database per test on SQLite, PostgreSQL and MariaDB, and inspection of
 * it through the drivers themselves.
 */
#ifndef DBSHIFT_TEST_DIALECTS_H
#define DBSHIFT_TEST_DIALECTS_H

#include <stdint.h>
#include <stdio.h>

#include "dbshift/dbshift.h"

/* Loop indexes for tcase_add_loop_test(tc, fn, 0, FX_N_DIALECTS). */
enum { FX_SQLITE, FX_POSTGRES, FX_MYSQL, FX_N_DIALECTS };

/* Start a loop test on dialect _i with a fresh database whose URL goes to
 * the char array buf; returns from the test when the dialect's server is
 * deliberately absent. */
#define FX_USE_DIALECT(buf)                                                    \
	do {                                                                   \
		if (!fx_dialect_ready(_i))                                     \
			return;                                                \
		snprintf((buf), sizeof(buf), "%s", fx_fresh_url(_i));          \
	} while (0)

/** A runner on url with the built drivers; fails the test on error. */
dbshift_runner *fx_open_runner(const char *url);

/** Add a source to r, failing the test on error. */
void fx_add_source(dbshift_runner *r, dbshift_source *src);

/** Apply everything pending; fails the test on error; returns how many. */
int fx_up(dbshift_runner *r);

/** "sqlite", "postgres" or "mysql". */
const char *fx_dialect_name(int dialect);

/* Start a test that needs dialect d's driver (but no server): returns
 * from the test when the driver is not built. */
#define FX_NEED_DRIVER(d)                                                      \
	do {                                                                   \
		if (!fx_dialect_built(d))                                      \
			return;                                                \
	} while (0)

/**
 * Once, before any test: for each driver configure did not build
 * (HAVE_DRIVER_* in config.h), say loudly that its tests are skipped,
 * and remove its servers from the environment, setting their
 * DBSHIFT_TEST_SKIP_* variables, so that every server test (and every CLI
 * the tests run) skips them the way it skips an absent server. Returns -1
 * (after saying why) when DBSHIFT_TEST_REQUIRE_SERVERS=1 asks for every
 * server test to run, else 0.
 */
int fx_dialects_init(void);

/** Is suite one that needs the SQLite driver, which was not built? Says
 * so on stderr when it is. */
int fx_suite_skipped(const char *suite);

/** Was dialect's driver built? Says on stderr that the test is skipped
 * when not. */
int fx_dialect_built(int dialect);

/**
 * Can this test run on dialect? Not when its driver is not built. SQLite
 * otherwise can. A server dialect can
 * when its admin URL is in the environment (tests/with-servers.sh sets
 * DBSHIFT_TEST_PG_URL / DBSHIFT_TEST_MYSQL_URL); without it the test fails,
 * unless DBSHIFT_TEST_SKIP_PG / DBSHIFT_TEST_SKIP_MYSQL says the server is
 * deliberately absent, in which case this returns 0 and the test returns.
 */
int fx_dialect_ready(int dialect);

/** URL of a new empty database of dialect, dropped when the test exits.
 * Static storage, valid until the next call. */
const char *fx_fresh_url(int dialect);

/** The driver's capability flags for dialect. */
uint64_t fx_dialect_caps(int dialect);

/** Run sql on url; the first column of every row joined by ','
 * (malloc'd, "" for no rows, "NULL" for nulls). Fails the test on error. */
char *fx_db_query(const char *url, const char *sql);

/** Execute a script on url, failing the test on error. */
void fx_db_exec(const char *url, const char *sql);

/** Does table exist in the database at url? */
int fx_db_has_table(const char *url, const char *table);

/** Take the driver's run lock named key on a new connection to url and
 * keep it until fx_db_release(); fails the test if it cannot. */
void *fx_db_hold_lock(const char *url, const char *key);
void fx_db_release(void *held);

/** Changes reported by repair, baseline or adopt, joined by "; ". */
struct fx_changes {
	char log[2048];
};

/** dbshift_change_fn appending "ID: WHAT" to the struct fx_changes in
 * payload. */
void fx_record_change(const char *id, const char *what, void *payload);

/**
 * n_runners processes (at most 16) run up at once with the migrations of
 * directory dir (source "app"), runner i on urls[i % n_urls] with lock
 * kind; fails the test unless every one succeeds.
 */
void fx_concurrent_up(char urls[][512], int n_urls, int n_runners,
		      const char *dir, dbshift_lock_kind kind);

/** Begin a transaction on a new connection to url, run sql in it and keep
 * it open (holding its locks) until fx_db_release(). */
void *fx_db_hold_tx(const char *url, const char *sql);

#endif
