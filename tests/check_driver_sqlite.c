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
 * The module is loaded the way the core loads it (dlopen with RTLD_NOW |
 * RTLD_LOCAL) from the build tree, never from an installed copy.
 */
#include "config.h"

#include <check.h>
#include <dlfcn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dbshift/driver.h"
#include "error.h"
#include "fixture.h"
#include "suites.h"

static void *module;
static dbshift_driver_init_fn entry;
static const dbshift_driver *drv;
static dbshift_driver_conn *conn; /* on a fresh database, per test */
static dbshift_diag diag;

static const dbshift_host test_host = {
	sizeof(dbshift_host),
	DBSHIFT_DRIVER_ABI_MAJOR,
	DBSHIFT_DRIVER_ABI_MINOR,
	dbshift__diag_set,
};

/* ---- helpers ---- */

/* dlopen the module from the build tree and find its entry. */
static void load_module(void)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/driver_sqlite.so", fx_driver_dir());
	module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(module != NULL, "dlopen %s: %s", path, dlerror());
	entry = (dbshift_driver_init_fn)dlsym(module,
					      "dbshift_driver_sqlite_init");
	ck_assert_msg(entry != NULL, "%s has no dbshift_driver_sqlite_init",
		      path);
}

/* Open url, failing the test on error. */
static dbshift_driver_conn *open_ok(const char *url)
{
	dbshift_driver_conn *c = NULL;

	dbshift__diag_init(&diag);
	ck_assert_msg(drv->open(&c, url, &diag) == 0, "open %s: %s", url,
		      diag.message);
	ck_assert_ptr_nonnull(c);
	return c;
}

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
	load_module();
	drv = entry(DBSHIFT_DRIVER_ABI_MAJOR, DBSHIFT_DRIVER_ABI_MINOR,
		    &test_host);
	ck_assert_ptr_nonnull(drv);
	ck_assert_int_eq(chdir(fx_tmpdir()), 0);
	conn = open_ok(sqlite_fresh_url());
	dbshift__diag_init(&diag);
}

static void teardown(void)
{
	if (drv != NULL)
		drv->close(conn);
	conn = NULL;
}

static void assert_one_line(const char *msg)
{
	ck_assert_msg(msg[0] != '\0', "empty message");
	ck_assert_msg(strchr(msg, '\n') == NULL, "message spans lines: %s",
		      msg);
}

/* Run len bytes of sql on c, failing the test on error. */
static void exec_len_on(dbshift_driver_conn *c, const char *sql, size_t len)
{
	dbshift__diag_init(&diag);
	ck_assert_msg(drv->exec(c, sql, len, &diag) == 0, "exec '%.*s': %s",
		      (int)len, sql, diag.message);
}

static void exec_ok(const char *sql)
{
	exec_len_on(conn, sql, strlen(sql));
}

/* Run sql expecting failure; diag holds the details. */
static void exec_fails(const char *sql, size_t len)
{
	dbshift__diag_init(&diag);
	ck_assert_msg(drv->exec(conn, sql, len, &diag) != 0,
		      "exec '%.*s' succeeded", (int)len, sql);
	assert_one_line(diag.message);
}

static int32_t table_exists_on(dbshift_driver_conn *c, const char *table)
{
	int32_t exists = -1;

	dbshift__diag_init(&diag);
	ck_assert_msg(drv->table_exists(c, table, &exists, &diag) == 0,
		      "table_exists %s: %s", table, diag.message);
	ck_assert(exists == 0 || exists == 1);
	return exists;
}

static int32_t table_exists(const char *table)
{
	return table_exists_on(conn, table);
}

/* Rows collected by the collect() callback. */
#define MAX_ROWS 8
#define MAX_COLS 4
struct rows {
	int count;
	int32_t ncols;
	int32_t type[MAX_ROWS][MAX_COLS];
	int64_t i64[MAX_ROWS][MAX_COLS];
	int64_t len[MAX_ROWS][MAX_COLS];
	char text[MAX_ROWS][MAX_COLS][64];
};

static int collect(int32_t ncols, const dbshift_value *cols, void *payload)
{
	struct rows *rows = payload;
	int r = rows->count++;
	int32_t i;

	ck_assert_int_lt(r, MAX_ROWS);
	ck_assert_int_le(ncols, MAX_COLS);
	rows->ncols = ncols;
	for (i = 0; i < ncols; i++) {
		rows->type[r][i] = cols[i].type;
		rows->i64[r][i] = cols[i].i64;
		rows->len[r][i] = cols[i].len;
		if (cols[i].type == DBSHIFT_VALUE_TEXT) {
			ck_assert_int_lt(cols[i].len, 64);
			memcpy(rows->text[r][i], cols[i].text,
			       (size_t)cols[i].len);
			rows->text[r][i][cols[i].len] = '\0';
		}
	}
	return 0;
}

/* Run a query on the test's connection collecting its rows. */
static void query_ok(const char *sql, const dbshift_value *params,
		     int32_t nparams, struct rows *rows)
{
	dbshift__diag_init(&diag);
	ck_assert_msg(drv->query(conn, sql, params, nparams,
				 rows ? collect : NULL, rows, &diag) == 0,
		      "query '%s': %s", sql, diag.message);
}

static dbshift_value text_value(const char *text, int64_t len)
{
	dbshift_value v = {DBSHIFT_VALUE_TEXT, 0, text, len};

	return v;
}

/* A script whose third non-empty statement, on line 7 after a comment,
 * is a syntax error (the conformance suite checks its index and line). */
static const char broken_script[] = "-- create and fill\n"		/* 1 */
				    "CREATE TABLE a (x INTEGER);\n"	/* 2 */
				    ";\n"				/* 3 */
				    "INSERT INTO a VALUES (1);\n"	/* 4 */
				    "/* the next statement\n"		/* 5 */
				    "   is broken */\n"			/* 6 */
				    "  INSERT INTO a VALUES (1,, 2);\n" /* 7 */
				    "CREATE TABLE b (y INTEGER);\n";	/* 8 */

/* ---- the cases ---- */

/* Open url and fail unless diag says why in one line; returns nothing
 * since there is no connection. */
static void open_fails(const char *url)
{
	dbshift_driver_conn *c = (dbshift_driver_conn *)&c;

	dbshift__diag_init(&diag);
	ck_assert_msg(drv->open(&c, url, &diag) != 0, "open %s succeeded", url);
	ck_assert_ptr_null(c);
	assert_one_line(diag.message);
}

START_TEST(test_driver_sqlite_sqlite_descriptor)
{
	ck_assert(drv->capabilities ==
		  (DBSHIFT_CAP_TRANSACTIONAL_DDL | DBSHIFT_CAP_SAVEPOINTS |
		   DBSHIFT_CAP_SESSION_LOCK));
	ck_assert_ptr_nonnull(drv->lock);
	ck_assert_ptr_nonnull(drv->unlock);
	ck_assert_str_eq(drv->schemes[0], "sqlite");
	ck_assert_str_eq(drv->schemes[1], "sqlite3");
	ck_assert_str_eq(drv->schemes[2], "file");
	ck_assert_ptr_null(drv->schemes[3]);
	ck_assert_ptr_nonnull(strstr(drv->version, PACKAGE_VERSION));
	ck_assert_ptr_nonnull(strstr(drv->version, "SQLite"));
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
	drv->close(conn);
	conn = open_ok(url);
	other = open_ok(url);
	dbshift__diag_init(&diag);
	ck_assert_int_eq(drv->lock(conn, "dbshift:t", 1000, &diag), 0);
	start = time(NULL);
	ck_assert_int_ne(drv->lock(other, "dbshift:t", 300, &diag), 0);
	ck_assert_ptr_nonnull(strstr(diag.message, "timed out"));
	ck_assert_int_le(time(NULL) - start, 2);
	dbshift__diag_init(&diag);
	ck_assert_int_eq(drv->lock(other, "dbshift:other_table", 0, &diag), 0);
	ck_assert_int_eq(drv->unlock(other, "dbshift:other_table", &diag), 0);
	/* SQLite itself keeps working while the lock is held. */
	exec_len_on(other, "CREATE TABLE t (a INT)", 22);
	ck_assert_int_eq(drv->unlock(conn, "dbshift:t", &diag), 0);
	ck_assert_int_eq(drv->lock(other, "dbshift:t", 0, &diag), 0);
	drv->close(other);
	ck_assert_int_eq(drv->lock(conn, "dbshift:t", 0, &diag), 0);
	/* A private database needs no lock. */
	drv->close(conn);
	conn = open_ok("sqlite::memory:");
	ck_assert_int_eq(drv->lock(conn, "dbshift:t", 0, &diag), 0);
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
		c = open_ok(url);
		ck_assert_msg(access(fx_path(uc->file), F_OK) == 0,
			      "%s did not create %s", url, uc->file);
		exec_len_on(c, "CREATE TABLE x (y INTEGER)", 26);
		drv->close(c);
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
	dbshift_driver_conn *c = open_ok(fx_sqlite_url("ro.db"));
	char url[1200];

	exec_len_on(c, "CREATE TABLE x (y INTEGER)", 26);
	drv->close(c);
	snprintf(url, sizeof(url), "%s?mode=ro", fx_sqlite_url("ro.db"));
	c = open_ok(url);
	ck_assert_int_eq(table_exists_on(c, "x"), 1);
	dbshift__diag_init(&diag);
	ck_assert_int_ne(drv->exec(c, "INSERT INTO x VALUES (1)", 24, &diag),
			 0);
	ck_assert_int_eq(diag.native_code & 0xff, SQLITE_READONLY);
	drv->close(c);
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
		c = open_ok(urls[i]);
		exec_len_on(c, "CREATE TABLE m (x INTEGER)", 26);
		ck_assert_int_eq(table_exists_on(c, "m"), 1);
		/* Every in-memory connection has a database of its own. */
		other = open_ok(urls[i]);
		ck_assert_int_eq(table_exists_on(other, "m"), 0);
		drv->close(other);
		drv->close(c);
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
		open_fails(empty[i]);
	ck_assert_ptr_nonnull(strstr(diag.message, "file:#frag"));

	/* A directory that does not exist: the message names the path. */
	snprintf(url, sizeof(url), "sqlite:%s", fx_path("nope/x.db"));
	open_fails(url);
	ck_assert_msg(strstr(diag.message, fx_path("nope/x.db")) != NULL, "%s",
		      diag.message);
	ck_assert_int_eq(diag.native_code & 0xff, SQLITE_CANTOPEN);
	ck_assert_int_ne(access(fx_path("nope"), F_OK), 0);

	/* Not our scheme: the message names it but not the password. */
	open_fails("postgres://user:s3cret@host/db");
	ck_assert_ptr_null(strstr(diag.message, "s3cret"));
	ck_assert_ptr_nonnull(strstr(diag.message, "postgres"));
	open_fails("sqlitex:foo.db");
	open_fails("no-scheme.db");
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
	open_fails(fx_sqlite_url("junk.db"));
	ck_assert_int_eq(diag.native_code, SQLITE_NOTADB);
	ck_assert_msg(strstr(diag.message, fx_path("junk.db")) != NULL, "%s",
		      diag.message);

	fx_mkdir("adir");
	open_fails(fx_sqlite_url("adir"));
	ck_assert_msg(strstr(diag.message, fx_path("adir")) != NULL, "%s",
		      diag.message);
}
END_TEST

START_TEST(test_driver_sqlite_error_codes)
{
	static const char dup[] = "CREATE TABLE k (id INTEGER PRIMARY KEY);\n"
				  "INSERT INTO k VALUES (1);\n"
				  "INSERT INTO k VALUES (1);\n";

	/* A runtime failure: the extended code and the statement. */
	exec_fails(dup, strlen(dup));
	ck_assert_int_eq(diag.native_code, SQLITE_CONSTRAINT_PRIMARYKEY);
	ck_assert_int_eq(diag.statement_index, 2);
	ck_assert_int_eq(diag.line, 3);
	ck_assert_ptr_nonnull(strstr(diag.message, "UNIQUE"));
	ck_assert_str_eq(diag.sqlstate, "");

	/* A syntax error: the position of the token at fault, counted in
	 * characters from the statement's first token. */
	exec_fails(broken_script, strlen(broken_script));
	ck_assert_int_eq(diag.native_code, SQLITE_ERROR);
	ck_assert_ptr_nonnull(strstr(diag.message, "syntax error"));
#if SQLITE_VERSION_NUMBER >= 3038000
	if (sqlite3_libversion_number() >= 3038000)
		ck_assert_int_eq(diag.position,
				 (int)strlen("INSERT INTO a VALUES (1,") + 1);
#endif
	exec_fails("SELECT 'é',, 1", strlen("SELECT 'é',, 1"));
#if SQLITE_VERSION_NUMBER >= 3038000
	if (sqlite3_libversion_number() >= 3038000)
		ck_assert_int_eq(diag.position, 12);
#endif
}
END_TEST

/* A block comment left open runs to the end of the script, as in SQLite
 * itself: what follows it is not run. (PostgreSQL rejects it.) */
START_TEST(test_driver_sqlite_exec_open_comment)
{
	exec_ok("/* never closed ; CREATE TABLE x (y INTEGER);");
	exec_ok("CREATE TABLE t (x INTEGER); /* never closed ;\n"
		"CREATE TABLE x (y INTEGER);");
	ck_assert_int_eq(table_exists("t"), 1);
	ck_assert_int_eq(table_exists("x"), 0);
}
END_TEST

START_TEST(test_driver_sqlite_commit_without_begin)
{
	ck_assert_int_ne(drv->commit(conn, &diag), 0);
	assert_one_line(diag.message);
}
END_TEST

/* begin takes the write lock at once (BEGIN IMMEDIATE): another writer
 * cannot start until commit. */
START_TEST(test_driver_sqlite_begin_immediate)
{
	dbshift_driver_conn *c = open_ok(fx_sqlite_url("locked.db"));
	sqlite3 *other = NULL;

	ck_assert_int_eq(sqlite3_open_v2(fx_path("locked.db"), &other,
					 SQLITE_OPEN_READWRITE, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(drv->begin(c, &diag), 0);
	ck_assert_int_eq(
		sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL),
		SQLITE_BUSY);
	ck_assert_int_eq(drv->commit(c, &diag), 0);
	ck_assert_int_eq(sqlite3_exec(other, "BEGIN IMMEDIATE; COMMIT", NULL,
				      NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(other);
	drv->close(c);
}
END_TEST

START_TEST(test_driver_sqlite_query_types)
{
	struct rows rows = {0};
	dbshift_value empty = text_value(NULL, 0);

	query_ok("SELECT 1.5, x'414243', x'', 'a' || 'b'", NULL, 0, &rows);
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
	query_ok("SELECT -9007199254740993, count(*) FROM sqlite_master", NULL,
		 0, &rows);
	ck_assert_int_eq(rows.type[0][0], DBSHIFT_VALUE_INT64);
	ck_assert(rows.i64[0][0] == INT64_C(-9007199254740993));
	ck_assert_int_eq(rows.type[0][1], DBSHIFT_VALUE_INT64);
	ck_assert(rows.i64[0][1] == 0);

	/* An empty text parameter is '', not NULL. */
	memset(&rows, 0, sizeof(rows));
	query_ok("SELECT ? IS NULL, length(?1)", &empty, 1, &rows);
	ck_assert(rows.i64[0][0] == 0 && rows.i64[0][1] == 0);

	/* One statement only; a trailing ';' and comment are fine. */
	query_ok("SELECT 1; -- done\n", NULL, 0, NULL);
	dbshift__diag_init(&diag);
	ck_assert_int_ne(drv->query(conn, "SELECT 1; SELECT 2", NULL, 0, NULL,
				    NULL, &diag),
			 0);
	assert_one_line(diag.message);
	ck_assert_int_ne(
		drv->query(conn, "-- nothing", NULL, 0, NULL, NULL, &diag), 0);
}
END_TEST

START_TEST(test_driver_sqlite_table_exists_schema)
{
	dbshift__diag_init(&diag);
	exec_ok("CREATE TABLE t (x INTEGER); CREATE TEMP TABLE tt (x INTEGER)");
	ck_assert_int_eq(table_exists("main.t"), 1);
	ck_assert_int_eq(table_exists("temp.t"), 0);
	ck_assert_int_eq(table_exists("temp.tt"), 1);
	ck_assert_int_eq(table_exists("main.tt"), 0);
	ck_assert_int_eq(table_exists("tt"), 0);
	/* SQLite's names ignore ASCII case, quoted or not. */
	ck_assert_int_eq(table_exists("T"), 1);
	ck_assert_int_eq(table_exists("MAIN.T"), 1);

	exec_ok("ATTACH DATABASE 'other.db' AS \"we\"\"ird\";"
		"CREATE TABLE \"we\"\"ird\".o (x INTEGER)");
	ck_assert_int_eq(table_exists("we\"ird.o"), 1);
	ck_assert_int_eq(table_exists("we\"ird.t"), 0);

	dbshift__diag_init(&diag);
	ck_assert_int_ne(
		drv->table_exists(conn, "nosuch.t", &(int32_t){0}, &diag), 0);
	assert_one_line(diag.message);
	ck_assert_int_ne(drv->table_exists(conn, ".t", &(int32_t){0}, &diag),
			 0);
	ck_assert_int_ne(drv->table_exists(conn, "main.", &(int32_t){0}, &diag),
			 0);
	ck_assert_int_ne(drv->table_exists(conn, "", &(int32_t){0}, &diag), 0);
}
END_TEST

START_TEST(test_driver_sqlite_quote_too_small)
{
	char buf[8] = "junk";

	ck_assert_int_ne(
		drv->quote_ident(conn, "abcdefg", buf, sizeof(buf), &diag), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_ne(drv->quote_ident(conn, "a", NULL, 0, &diag), 0);
	ck_assert_int_ne(drv->quote_ident(conn, NULL, buf, sizeof(buf), &diag),
			 0);
	/* Quoting needs no connection. */
	ck_assert_int_eq(drv->quote_ident(NULL, "a.b", buf, sizeof(buf), &diag),
			 0);
	ck_assert_str_eq(buf, "\"a.b\"");
}
END_TEST

/* Without a usable host table the driver still fills diagnostics. */
START_TEST(test_driver_sqlite_no_host)
{
	static const dbshift_host tiny = {4, DBSHIFT_DRIVER_ABI_MAJOR,
					  DBSHIFT_DRIVER_ABI_MINOR, NULL};

	load_module();
	ck_assert_ptr_nonnull(entry(DBSHIFT_DRIVER_ABI_MAJOR, 0, &tiny));
	drv = entry(DBSHIFT_DRIVER_ABI_MAJOR, 0, NULL);
	ck_assert_ptr_nonnull(drv);
	open_fails("sqlite:");
	ck_assert_ptr_nonnull(strstr(diag.message, "sqlite:"));
	drv = NULL;
}
END_TEST

/* ---- the suite ---- */

Suite *driver_sqlite_suite(void)
{
	Suite *s = suite_create("driver_sqlite");
	TCase *sqlite = tcase_create("sqlite");
	TCase *host = tcase_create("host");

	tcase_add_checked_fixture(sqlite, setup, teardown);
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
	tcase_add_test(host, test_driver_sqlite_no_host);
	suite_add_tcase(s, host);
	return s;
}
