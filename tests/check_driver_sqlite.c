/* SPDX-License-Identifier: MIT */
/*
 * check_driver_sqlite.c - what is particular to the SQLite driver: its
 * descriptor, the file lock behind its run lock, URL forms and the query
 * that reaches SQLite, in-memory databases, bad URLs and files that are
 * not databases, native error codes and positions, comments left open,
 * BEGIN IMMEDIATE, result types, schema-qualified names in the catalog
 * check, quoting without a connection, and a missing host table. The
 * cases every driver passes live in the shared conformance suite
 * (check_conformance.c).
 *
 * The module is loaded the way the core loads it (drivertest.c: dlopen with
 * RTLD_NOW | RTLD_LOCAL) from the build tree, never an installed copy.
 */
#include "config.h"

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dbshift/driver.h"
#include "drivertest.h"
#include "error.h"
#include "fixture.h"
#include "suites.h"

/* ---- helpers ---- */

/* URL of a new empty database in the test's directory. */
static const char *sqlite_fresh_url(void)
{
	static unsigned serial;
	char name[32];

	snprintf(name, sizeof(name), "fresh-%u.db", serial++);
	return fx_sqlite_url(name);
}

static void setup(void)
{
	ck_assert_int_eq(chdir(fx_tmpdir()), 0);
	dt_start("sqlite", sqlite_fresh_url());
}

/* ---- the cases ---- */

START_TEST(test_driver_sqlite_sqlite_descriptor)
{
	ck_assert(dt_drv->capabilities ==
		  (DBSHIFT_CAP_TRANSACTIONAL_DDL | DBSHIFT_CAP_SAVEPOINTS |
		   DBSHIFT_CAP_SESSION_LOCK));
	ck_assert_ptr_nonnull(dt_drv->lock);
	ck_assert_ptr_nonnull(dt_drv->unlock);
	ck_assert_str_eq(dt_drv->schemes[0], "sqlite");
	ck_assert_str_eq(dt_drv->schemes[1], "sqlite3");
	ck_assert_str_eq(dt_drv->schemes[2], "file");
	ck_assert_ptr_null(dt_drv->schemes[3]);
	ck_assert_ptr_nonnull(strstr(dt_drv->version, PACKAGE_VERSION));
	ck_assert_ptr_nonnull(strstr(dt_drv->version, "SQLite"));
}
END_TEST

/* The run lock is a file lock on the database: a second connection waits
 * for it and times out, a different key does not conflict, and unlocking
 * (or closing) hands it over. */
START_TEST(test_driver_sqlite_lock)
{
	char url[1100];
	dbshift_driver_conn *other;
	long long start;

	snprintf(url, sizeof(url), "sqlite:%s", fx_path("lock.db"));
	dt_drv->close(dt_conn);
	dt_conn = dt_open_ok(url);
	other = dt_open_ok(url);
	dbshift__diag_init(&dt_diag);
	ck_assert_int_eq(dt_drv->lock(dt_conn, "dbshift:t", 1000, &dt_diag), 0);
	start = time(NULL);
	ck_assert_int_ne(dt_drv->lock(other, "dbshift:t", 300, &dt_diag), 0);
	ck_assert_ptr_nonnull(strstr(dt_diag.message, "timed out"));
	ck_assert_int_le(time(NULL) - start, 2);
	dbshift__diag_init(&dt_diag);
	ck_assert_int_eq(
		dt_drv->lock(other, "dbshift:other_table", 0, &dt_diag), 0);
	ck_assert_int_eq(dt_drv->unlock(other, "dbshift:other_table", &dt_diag),
			 0);
	/* SQLite itself keeps working while the lock is held. */
	dt_exec_len_on(other, "CREATE TABLE t (a INT)", 22);
	ck_assert_int_eq(dt_drv->unlock(dt_conn, "dbshift:t", &dt_diag), 0);
	ck_assert_int_eq(dt_drv->lock(other, "dbshift:t", 0, &dt_diag), 0);
	dt_drv->close(other);
	ck_assert_int_eq(dt_drv->lock(dt_conn, "dbshift:t", 0, &dt_diag), 0);
	/* A private database needs no lock. */
	dt_drv->close(dt_conn);
	dt_conn = dt_open_ok("sqlite::memory:");
	ck_assert_int_eq(dt_drv->lock(dt_conn, "dbshift:t", 0, &dt_diag), 0);
}
END_TEST

/* A URL form and the file (relative to the test's directory) it opens. */
struct url_case {
	const char *prefix;
	int absolute; /* put the test directory between prefix and rest */
	const char *rest;
	const char *file;
};

static const struct url_case url_cases[] = {
	{"sqlite:", 0, "rel.db", "rel.db"},
	{"sqlite:", 1, "abs.db", "abs.db"},
	{"sqlite://", 1, "triple.db", "triple.db"},
	{"sqlite://", 0, "sub/rel.db", "sub/rel.db"},
	{"sqlite:", 0, "./sub/dot.db", "sub/dot.db"},
	{"sqlite3:", 0, "rel3.db", "rel3.db"},
	{"sqlite3://", 1, "abs3.db", "abs3.db"},
	{"sqlite3://", 0, "sub/rel3.db", "sub/rel3.db"},
	{"SQLite:", 0, "upper.db", "upper.db"},
	{"sqlite:", 0, "query.db?mode=rwc", "query.db"},
	{"sqlite://", 1, "q%2 #x.db?cache=private", "q%2 #x.db"},
	{"file:", 1, "uri.db", "uri.db"},
	{"file://", 1, "uri-host.db?mode=rwc", "uri-host.db"},
	{"file:", 0, "uri-rel.db", "uri-rel.db"},
	{"FILE:", 0, "uri-upper.db", "uri-upper.db"},
};

START_TEST(test_driver_sqlite_url_forms)
{
	char url[1200];
	size_t i;
	dbshift_driver_conn *c;

	fx_mkdir("sub");
	for (i = 0; i < sizeof(url_cases) / sizeof(url_cases[0]); i++) {
		const struct url_case *uc = &url_cases[i];

		snprintf(url, sizeof(url), "%s%s%s%s", uc->prefix,
			 uc->absolute ? fx_tmpdir() : "",
			 uc->absolute ? "/" : "", uc->rest);
		c = dt_open_ok(url);
		ck_assert_msg(access(fx_path(uc->file), F_OK) == 0,
			      "%s did not create %s", url, uc->file);
		dt_exec_len_on(c, "CREATE TABLE x (y INTEGER)", 26);
		dt_drv->close(c);
		ck_assert_msg(fx_sqlite_has_table(fx_path(uc->file), "x"),
			      "%s: no table in %s", url, uc->file);
	}
	/* The query was not taken as part of the file name. */
	ck_assert_int_ne(access(fx_path("query.db?mode=rwc"), F_OK), 0);
}
END_TEST

/* The query of a sqlite: URL reaches SQLite: mode=ro opens read-only. */
START_TEST(test_driver_sqlite_url_query)
{
	dbshift_driver_conn *c = dt_open_ok(fx_sqlite_url("ro.db"));
	char url[1200];

	dt_exec_len_on(c, "CREATE TABLE x (y INTEGER)", 26);
	dt_drv->close(c);
	snprintf(url, sizeof(url), "%s?mode=ro", fx_sqlite_url("ro.db"));
	c = dt_open_ok(url);
	ck_assert_int_eq(dt_table_exists_on(c, "x"), 1);
	dbshift__diag_init(&dt_diag);
	ck_assert_int_ne(
		dt_drv->exec(c, "INSERT INTO x VALUES (1)", 24, &dt_diag), 0);
	ck_assert_int_eq(dt_diag.native_code & 0xff, SQLITE_READONLY);
	dt_drv->close(c);
}
END_TEST

START_TEST(test_driver_sqlite_memory)
{
	static const char *const urls[] = {
		"sqlite::memory:",  "sqlite://:memory:",
		"sqlite3::memory:", "sqlite::memory:?cache=private",
		"file::memory:",
	};
	dbshift_driver_conn *c, *other;
	size_t i;

	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		c = dt_open_ok(urls[i]);
		dt_exec_len_on(c, "CREATE TABLE m (x INTEGER)", 26);
		ck_assert_int_eq(dt_table_exists_on(c, "m"), 1);
		/* Every in-memory connection has a database of its own. */
		other = dt_open_ok(urls[i]);
		ck_assert_int_eq(dt_table_exists_on(other, "m"), 0);
		dt_drv->close(other);
		dt_drv->close(c);
	}
	ck_assert_int_ne(access(fx_path(":memory:"), F_OK), 0);
	ck_assert_int_ne(access(fx_path("file::memory:"), F_OK), 0);
}
END_TEST

START_TEST(test_driver_sqlite_bad_urls)
{
	static const char *const empty[] = {
		"sqlite:",     "sqlite://",	   "sqlite3:",
		"sqlite3://",  "sqlite:?mode=rwc", "sqlite://?cache=shared",
		"file:",       "file://",	   "file:?mode=memory",
		"file://host", "file:#frag",
	};
	char url[1200];
	size_t i;

	for (i = 0; i < sizeof(empty) / sizeof(empty[0]); i++)
		dt_open_fails(empty[i]);
	ck_assert_ptr_nonnull(strstr(dt_diag.message, "file:#frag"));

	/* A directory that does not exist: the message names the path. */
	snprintf(url, sizeof(url), "sqlite:%s", fx_path("nope/x.db"));
	dt_open_fails(url);
	ck_assert_msg(strstr(dt_diag.message, fx_path("nope/x.db")) != NULL,
		      "%s", dt_diag.message);
	ck_assert_int_eq(dt_diag.native_code & 0xff, SQLITE_CANTOPEN);
	ck_assert_int_ne(access(fx_path("nope"), F_OK), 0);

	/* Not our scheme: the message names it but not the password. */
	dt_open_fails("postgres://user:s3cret@host/db");
	ck_assert_ptr_null(strstr(dt_diag.message, "s3cret"));
	ck_assert_ptr_nonnull(strstr(dt_diag.message, "postgres"));
	dt_open_fails("sqlitex:foo.db");
	dt_open_fails("no-scheme.db");
	ck_assert_int_ne(access(fx_path("no-scheme.db"), F_OK), 0);
}
END_TEST

/* A file that is not a database fails at open, not in the middle of a
 * run, and so does a directory. */
START_TEST(test_driver_sqlite_not_a_database)
{
	fx_write("junk.db", "This is a text file, not a SQLite database. It "
			    "is long enough to hold a database header.\n"
			    "0123456789012345678901234567890123456789\n");
	dt_open_fails(fx_sqlite_url("junk.db"));
	ck_assert_int_eq(dt_diag.native_code, SQLITE_NOTADB);
	ck_assert_msg(strstr(dt_diag.message, fx_path("junk.db")) != NULL, "%s",
		      dt_diag.message);

	fx_mkdir("adir");
	dt_open_fails(fx_sqlite_url("adir"));
	ck_assert_msg(strstr(dt_diag.message, fx_path("adir")) != NULL, "%s",
		      dt_diag.message);
}
END_TEST

START_TEST(test_driver_sqlite_error_codes)
{
	static const char dup[] = "CREATE TABLE k (id INTEGER PRIMARY KEY);\n"
				  "INSERT INTO k VALUES (1);\n"
				  "INSERT INTO k VALUES (1);\n";

	/* A runtime failure: the extended code and the statement. */
	dt_exec_fails_len(dup, strlen(dup));
	ck_assert_int_eq(dt_diag.native_code, SQLITE_CONSTRAINT_PRIMARYKEY);
	ck_assert_int_eq(dt_diag.statement_index, 2);
	ck_assert_int_eq(dt_diag.line, 3);
	ck_assert_ptr_nonnull(strstr(dt_diag.message, "UNIQUE"));
	ck_assert_str_eq(dt_diag.sqlstate, "");

	/* A syntax error: the position of the token at fault, counted in
	 * characters from the statement's first token. */
	dt_exec_fails_len(dt_broken_script, strlen(dt_broken_script));
	ck_assert_int_eq(dt_diag.native_code, SQLITE_ERROR);
	ck_assert_ptr_nonnull(strstr(dt_diag.message, "syntax error"));
#if SQLITE_VERSION_NUMBER >= 3038000
	if (sqlite3_libversion_number() >= 3038000)
		ck_assert_int_eq(dt_diag.position,
				 (int)strlen("INSERT INTO a VALUES (1,") + 1);
#endif
	dt_exec_fails_len("SELECT 'é',, 1", strlen("SELECT 'é',, 1"));
#if SQLITE_VERSION_NUMBER >= 3038000
	if (sqlite3_libversion_number() >= 3038000)
		ck_assert_int_eq(dt_diag.position, 12);
#endif
}
END_TEST

/* A block comment left open runs to the end of the script, as in SQLite
 * itself: what follows it is not run. (PostgreSQL rejects it.) */
START_TEST(test_driver_sqlite_exec_open_comment)
{
	dt_exec_ok("/* never closed ; CREATE TABLE x (y INTEGER);");
	dt_exec_ok("CREATE TABLE t (x INTEGER); /* never closed ;\n"
		   "CREATE TABLE x (y INTEGER);");
	ck_assert_int_eq(dt_table_exists("t"), 1);
	ck_assert_int_eq(dt_table_exists("x"), 0);
}
END_TEST

START_TEST(test_driver_sqlite_commit_without_begin)
{
	ck_assert_int_ne(dt_drv->commit(dt_conn, &dt_diag), 0);
	dt_assert_one_line(dt_diag.message);
}
END_TEST

/* begin takes the write lock at once (BEGIN IMMEDIATE): another writer
 * cannot start until commit. */
START_TEST(test_driver_sqlite_begin_immediate)
{
	dbshift_driver_conn *c = dt_open_ok(fx_sqlite_url("locked.db"));
	sqlite3 *other = NULL;

	ck_assert_int_eq(sqlite3_open_v2(fx_path("locked.db"), &other,
					 SQLITE_OPEN_READWRITE, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(dt_drv->begin(c, &dt_diag), 0);
	ck_assert_int_eq(
		sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL),
		SQLITE_BUSY);
	ck_assert_int_eq(dt_drv->commit(c, &dt_diag), 0);
	ck_assert_int_eq(sqlite3_exec(other, "BEGIN IMMEDIATE; COMMIT", NULL,
				      NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(other);
	dt_drv->close(c);
}
END_TEST

START_TEST(test_driver_sqlite_query_types)
{
	struct dt_rows rows = {0};
	dbshift_value empty = dt_text_value(NULL, 0);

	dt_query_ok("SELECT 1.5, x'414243', x'', 'a' || 'b'", NULL, 0, &rows);
	ck_assert_int_eq(rows.count, 1);
	ck_assert_int_eq(rows.type[0][0], DBSHIFT_VALUE_TEXT);
	ck_assert_str_eq(rows.text[0][0], "1.5");
	ck_assert_int_eq(rows.type[0][1], DBSHIFT_VALUE_TEXT);
	ck_assert_str_eq(rows.text[0][1], "ABC");
	ck_assert_int_eq(rows.type[0][2], DBSHIFT_VALUE_TEXT);
	ck_assert_int_eq(rows.len[0][2], 0);
	ck_assert_str_eq(rows.text[0][3], "ab");

	/* Integers come back as INT64, never as text. */
	memset(&rows, 0, sizeof(rows));
	dt_query_ok("SELECT -9007199254740993, count(*) FROM sqlite_master",
		    NULL, 0, &rows);
	ck_assert_int_eq(rows.type[0][0], DBSHIFT_VALUE_INT64);
	ck_assert(rows.i64[0][0] == INT64_C(-9007199254740993));
	ck_assert_int_eq(rows.type[0][1], DBSHIFT_VALUE_INT64);
	ck_assert(rows.i64[0][1] == 0);

	/* An empty text parameter is '', not NULL. */
	memset(&rows, 0, sizeof(rows));
	dt_query_ok("SELECT ? IS NULL, length(?1)", &empty, 1, &rows);
	ck_assert(rows.i64[0][0] == 0 && rows.i64[0][1] == 0);

	/* One statement only; a trailing ';' and comment are fine. */
	dt_query_ok("SELECT 1; -- done\n", NULL, 0, NULL);
	dbshift__diag_init(&dt_diag);
	ck_assert_int_ne(dt_drv->query(dt_conn, "SELECT 1; SELECT 2", NULL, 0,
				       NULL, NULL, &dt_diag),
			 0);
	dt_assert_one_line(dt_diag.message);
	ck_assert_int_ne(dt_drv->query(dt_conn, "-- nothing", NULL, 0, NULL,
				       NULL, &dt_diag),
			 0);
}
END_TEST

START_TEST(test_driver_sqlite_table_exists_schema)
{
	dbshift__diag_init(&dt_diag);
	dt_exec_ok(
		"CREATE TABLE t (x INTEGER); CREATE TEMP TABLE tt (x INTEGER)");
	ck_assert_int_eq(dt_table_exists("main.t"), 1);
	ck_assert_int_eq(dt_table_exists("temp.t"), 0);
	ck_assert_int_eq(dt_table_exists("temp.tt"), 1);
	ck_assert_int_eq(dt_table_exists("main.tt"), 0);
	ck_assert_int_eq(dt_table_exists("tt"), 0);
	/* SQLite's names ignore ASCII case, quoted or not. */
	ck_assert_int_eq(dt_table_exists("T"), 1);
	ck_assert_int_eq(dt_table_exists("MAIN.T"), 1);

	dt_exec_ok("ATTACH DATABASE 'other.db' AS \"we\"\"ird\";"
		   "CREATE TABLE \"we\"\"ird\".o (x INTEGER)");
	ck_assert_int_eq(dt_table_exists("we\"ird.o"), 1);
	ck_assert_int_eq(dt_table_exists("we\"ird.t"), 0);

	dbshift__diag_init(&dt_diag);
	ck_assert_int_ne(dt_drv->table_exists(dt_conn, "nosuch.t",
					      &(int32_t){0}, &dt_diag),
			 0);
	dt_assert_one_line(dt_diag.message);
	ck_assert_int_ne(
		dt_drv->table_exists(dt_conn, ".t", &(int32_t){0}, &dt_diag),
		0);
	ck_assert_int_ne(
		dt_drv->table_exists(dt_conn, "main.", &(int32_t){0}, &dt_diag),
		0);
	ck_assert_int_ne(
		dt_drv->table_exists(dt_conn, "", &(int32_t){0}, &dt_diag), 0);
}
END_TEST

START_TEST(test_driver_sqlite_quote_too_small)
{
	char buf[8] = "junk";

	ck_assert_int_ne(dt_drv->quote_ident(dt_conn, "abcdefg", buf,
					     sizeof(buf), &dt_diag),
			 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_ne(dt_drv->quote_ident(dt_conn, "a", NULL, 0, &dt_diag),
			 0);
	ck_assert_int_ne(
		dt_drv->quote_ident(dt_conn, NULL, buf, sizeof(buf), &dt_diag),
		0);
	/* Quoting needs no connection. */
	ck_assert_int_eq(
		dt_drv->quote_ident(NULL, "a.b", buf, sizeof(buf), &dt_diag),
		0);
	ck_assert_str_eq(buf, "\"a.b\"");
}
END_TEST

/* ---- the suite ---- */

Suite *driver_sqlite_suite(void)
{
	Suite *s = suite_create("driver_sqlite");
	TCase *sqlite = tcase_create("sqlite");
	TCase *host = tcase_create("host");

	tcase_add_checked_fixture(sqlite, setup, dt_stop);
	tcase_add_test(sqlite, test_driver_sqlite_sqlite_descriptor);
	tcase_add_test(sqlite, test_driver_sqlite_lock);
	tcase_add_test(sqlite, test_driver_sqlite_url_forms);
	tcase_add_test(sqlite, test_driver_sqlite_url_query);
	tcase_add_test(sqlite, test_driver_sqlite_memory);
	tcase_add_test(sqlite, test_driver_sqlite_bad_urls);
	tcase_add_test(sqlite, test_driver_sqlite_not_a_database);
	tcase_add_test(sqlite, test_driver_sqlite_error_codes);
	tcase_add_test(sqlite, test_driver_sqlite_exec_open_comment);
	tcase_add_test(sqlite, test_driver_sqlite_commit_without_begin);
	tcase_add_test(sqlite, test_driver_sqlite_begin_immediate);
	tcase_add_test(sqlite, test_driver_sqlite_query_types);
	tcase_add_test(sqlite, test_driver_sqlite_table_exists_schema);
	tcase_add_test(sqlite, test_driver_sqlite_quote_too_small);
	suite_add_tcase(s, sqlite);
	suite_add_tcase(s, host);
	return s;
}
