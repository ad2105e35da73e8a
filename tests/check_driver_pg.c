/* SPDX-License-Identifier: MIT */
/*
 * check_driver_pg.c - what is particular to the PostgreSQL driver: URL
 * forms and the parameters the driver adds or handles itself, connection
 * errors that never show the password, where a failed script's statement
 * is, '?' placeholders, result types, transactions, the catalog check with
 * schemas, and the advisory run lock. The cases every driver passes live
 * in the shared conformance suite.
 *
 * The server is the one in $DBSHIFT_TEST_PG_URL (tests/with-servers.sh
 * starts one); every test gets a new database of its own. Without the
 * variable the suite holds one test, which fails unless
 * DBSHIFT_TEST_SKIP_PG=1 says the server is absent on purpose.
 */
#include "config.h"

#include <check.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbshift/driver.h"
#include "dialects.h"
#include "drivertest.h"
#include "error.h"
#include "fixture.h"
#include "split.h"
#include "suites.h"

#define ALL_CAPS                                                               \
	(DBSHIFT_CAP_TRANSACTIONAL_DDL | DBSHIFT_CAP_SESSION_LOCK |            \
	 DBSHIFT_CAP_SAVEPOINTS | DBSHIFT_CAP_SPLIT_STATEMENTS)

/* ---- helpers ---- */

static void setup(void)
{
	unsetenv("PGAPPNAME");
	unsetenv("PGCONNECT_TIMEOUT");
	dt_start("pg", fx_fresh_url(FX_POSTGRES));
}

/* The part of the test database's URL after "postgres://". */
static const char *url_rest(void)
{
	return strstr(dt_url, "://") + 3;
}

/* The host:port/db part of the test database's URL, without user. */
static const char *url_host(void)
{
	const char *rest = url_rest(), *at = strchr(rest, '@');
	const char *slash = strchr(rest, '/');

	return at != NULL && (slash == NULL || at < slash) ? at + 1 : rest;
}

/* The user name in the test database's URL ("" when none). */
static void url_user(char *buf, size_t size)
{
	const char *rest = url_rest(), *host = url_host();

	snprintf(buf, size, "%.*s",
		 host > rest ? (int)(strcspn(rest, ":@")) : 0, rest);
}

/* A URL to the test database with another scheme and a query. */
static const char *url_variant(const char *scheme, const char *query)
{
	static char url[1200];

	snprintf(url, sizeof(url), "%s://%s%s%s", scheme, url_rest(),
		 query ? "?" : "", query ? query : "");
	return url;
}

/* ---- the descriptor ---- */

START_TEST(test_driver_pg_descriptor)
{
	ck_assert_uint_eq(dt_drv->abi_major, DBSHIFT_DRIVER_ABI_MAJOR);
	ck_assert_uint_eq(dt_drv->struct_size, sizeof(dbshift_driver));
	ck_assert_str_eq(dt_drv->name, "pg");
	ck_assert_str_eq(dt_drv->dialect, "postgres");
	ck_assert_str_eq(dt_drv->schemes[0], "postgres");
	ck_assert_str_eq(dt_drv->schemes[1], "postgresql");
	ck_assert_ptr_null(dt_drv->schemes[2]);
	ck_assert(dt_drv->capabilities == ALL_CAPS);
	ck_assert_ptr_nonnull(dt_drv->lock);
	ck_assert_ptr_nonnull(dt_drv->unlock);
	ck_assert_ptr_nonnull(strstr(dt_drv->version, PACKAGE_VERSION));
	ck_assert_ptr_nonnull(strstr(dt_drv->version, "libpq "));
	/* Only the entry is visible; the driver needs the core's host
	 * table (its splitter and diagnostics). */
	ck_assert_ptr_null(dt_entry(DBSHIFT_DRIVER_ABI_MAJOR + 1, 0, &dt_host));
	ck_assert_ptr_null(dt_entry(DBSHIFT_DRIVER_ABI_MAJOR, 99, NULL));
	ck_assert_ptr_null(dlsym(dt_module, "pg_driver"));
	ck_assert_ptr_null(dlsym(dt_module, "dbshift__split_next"));
	ck_assert_ptr_null(dlsym(dt_module, DBSHIFT_DRIVER_INIT_SYMBOL));
}
END_TEST

/* ---- URLs and connections ---- */

START_TEST(test_driver_pg_url_forms)
{
	static const char *const schemes[] = {"postgres", "postgresql",
					      "POSTGRES", "PostgreSQL"};
	dbshift_driver_conn *c;
	size_t i;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		c = dt_open_ok(url_variant(schemes[i], NULL));
		ck_assert_str_eq(dt_text_on(c, "SELECT current_database()"),
				 strrchr(dt_url, '/') + 1);
		dt_drv->close(c);
	}
	/* libpq's own parameters pass through. */
	c = dt_open_ok(url_variant("postgresql", "sslmode=disable&"
						 "connect_timeout=3&"
						 "application_name=mine"));
	ck_assert_str_eq(dt_text_on(c, "SHOW application_name"), "mine");
	dt_drv->close(c);
	/* The driver's defaults. */
	ck_assert_str_eq(dt_text_on(dt_conn, "SHOW application_name"),
			 "dbshift");
	ck_assert_str_eq(dt_text_on(dt_conn, "SHOW client_min_messages"),
			 "warning");
	/* $PGAPPNAME wins over the driver's default. */
	setenv("PGAPPNAME", "from-env", 1);
	c = dt_open_ok(dt_url);
	ck_assert_str_eq(dt_text_on(c, "SHOW application_name"), "from-env");
	dt_drv->close(c);
	unsetenv("PGAPPNAME");
	/* Options with a percent-encoded space. */
	c = dt_open_ok(url_variant("postgres", "options=-c%20work_mem%3D7MB"));
	ck_assert_str_eq(dt_text_on(c, "SHOW work_mem"), "7MB");
	dt_drv->close(c);
}
END_TEST

/* search_path is handled by the driver: removed before libpq sees it. */
START_TEST(test_driver_pg_search_path)
{
	dbshift_driver_conn *c;

	dt_exec_ok("CREATE SCHEMA app; CREATE SCHEMA \"Mixed Case\";"
		   "CREATE TABLE public.p (x int)");
	c = dt_open_ok(url_variant("postgres", "search_path=app,public"));
	ck_assert_str_eq(dt_text_on(c, "SHOW search_path"), "app, public");
	dt_exec_on(c, "CREATE TABLE t (x int)");
	dt_drv->close(c);
	ck_assert_int_eq(dt_table_exists("app.t"), 1);
	ck_assert_int_eq(dt_table_exists("public.t"), 0);
	ck_assert_int_eq(dt_table_exists("t"), 0);

	c = dt_open_ok(url_variant("postgres",
				   "sslmode=disable&search_path="
				   "Mixed%20Case&application_name=z"));
	ck_assert_str_eq(dt_text_on(c, "SHOW search_path"), "\"Mixed Case\"");
	ck_assert_str_eq(dt_text_on(c, "SHOW application_name"), "z");
	dt_drv->close(c);

	c = dt_open_ok(url_variant("postgres",
				   "search_path=%22%24user%22,+x"
				   "&search_path=%24user,%20public"));
	ck_assert_str_eq(dt_text_on(c, "SHOW search_path"),
			 "\"$user\", public");
	dt_drv->close(c);

	dt_open_fails(url_variant("postgres", "search_path="));
	ck_assert_ptr_nonnull(strstr(dt_diag.message, "search_path"));
	dt_open_fails(url_variant("postgres", "search_path=a,,b"));
	dt_open_fails(url_variant("postgres", "search_path=%zz"));
	ck_assert_ptr_nonnull(strstr(dt_diag.message, "search_path"));
}
END_TEST

START_TEST(test_driver_pg_missing_database)
{
	char url[1200], user[128], host[512];

	url_user(user, sizeof(user));
	snprintf(host, sizeof(host), "%.*s", (int)strcspn(url_host(), "/?"),
		 url_host());
	snprintf(url, sizeof(url), "postgres://%s:s3cretpw@%s/dbshift_no_db",
		 user[0] ? user : "postgres", host);
	dt_open_fails(url);
	ck_assert_ptr_null(strstr(dt_diag.message, "s3cretpw"));
	ck_assert_msg(strstr(dt_diag.message, "dbshift_no_db") != NULL &&
			      strstr(dt_diag.message, "does not exist") != NULL,
		      "%s", dt_diag.message);
	ck_assert_str_eq(dt_diag.sqlstate, "08001");
}
END_TEST

/* A closed port fails at once; the message names the host, never the
 * password. */
START_TEST(test_driver_pg_unreachable)
{
	double start = dt_now_s();

	dt_open_fails("postgres://u:s3cretpw@127.0.0.1:1/db?password=other");
	ck_assert_msg(dt_now_s() - start < 5, "took %.1f s",
		      dt_now_s() - start);
	ck_assert_ptr_null(strstr(dt_diag.message, "s3cretpw"));
	ck_assert_ptr_null(strstr(dt_diag.message, "other"));
	ck_assert_msg(strstr(dt_diag.message, "127.0.0.1") != NULL, "%s",
		      dt_diag.message);
	ck_assert_str_eq(dt_diag.sqlstate, "08001");
}
END_TEST

START_TEST(test_driver_pg_bad_urls)
{
	dt_open_fails("postgres://u:s3cretpw@127.0.0.1:1/db?nosuch=1");
	ck_assert_ptr_nonnull(
		strstr(dt_diag.message, "invalid PostgreSQL URL"));
	ck_assert_ptr_nonnull(strstr(dt_diag.message, "nosuch"));
	ck_assert_ptr_null(strstr(dt_diag.message, "s3cretpw"));
	/* libpq quotes a bad percent-encoding: here, the password. */
	dt_open_fails("postgres://u:s3cret%zzpw@127.0.0.1:1/db");
	ck_assert_ptr_null(strstr(dt_diag.message, "s3cret"));
	ck_assert_ptr_null(strstr(dt_diag.message, "zzpw"));
	dt_open_fails("postgres://u@127.0.0.1:1/db?password=s3cret%zzpw");
	ck_assert_ptr_null(strstr(dt_diag.message, "s3cret"));
	/* The issue-15 leaks: a '?', '@' or '/' in the password, and a
	 * percent-encoded parameter name. */
	dt_open_fails("postgres://u:s3c?retpw@127.0.0.1:1/db");
	ck_assert_ptr_null(strstr(dt_diag.message, "retpw"));
	dt_open_fails("postgres://u:Zk9s3cretpw@x@127.0.0.1:1/db");
	ck_assert_ptr_null(strstr(dt_diag.message, "Zk9"));
	ck_assert_ptr_nonnull(strstr(dt_diag.message, "127.0.0.1"));
	dt_open_fails("postgres://u:ab/Zk9s3cretpw@127.0.0.1:1/db");
	ck_assert_ptr_null(strstr(dt_diag.message, "Zk9"));
	dt_open_fails("postgres://u@127.0.0.1:1/db?pass%77ord=s3cretpw");
	dt_open_fails("postgres://u@127.0.0.1:99999/db");
	ck_assert_str_eq(dt_diag.sqlstate, DBSHIFT_SQLSTATE_BAD_URL);
	ck_assert_ptr_nonnull(strstr(dt_diag.message, "bad port '99999'"));
	/* Not ours: the scheme is named, the password is not. */
	dt_open_fails("mysql://u:s3cretpw@127.0.0.1/db");
	ck_assert_ptr_nonnull(strstr(dt_diag.message, "mysql"));
	ck_assert_ptr_null(strstr(dt_diag.message, "s3cretpw"));
	dt_open_fails("postgres:relative");
	dt_open_fails("dbname=postgres");
	dbshift__diag_init(&dt_diag);
	ck_assert_int_ne(
		dt_drv->open(&(dbshift_driver_conn *){NULL}, NULL, &dt_diag),
		0);
}
END_TEST

/* ---- scripts ---- */

/* A script with a $$ function whose later statement fails at run time:
 * the statement, its line and the position in it. */
START_TEST(test_driver_pg_exec_error_position)
{
	static const char script[] =
		"-- a function first\n"				       /* 1 */
		"CREATE FUNCTION add_one(x integer) RETURNS integer\n" /* 2 */
		"LANGUAGE plpgsql AS $$\n"			       /* 3 */
		"BEGIN\n"					       /* 4 */
		"  RETURN x + 1; -- a ; inside\n"		       /* 5 */
		"END;\n"					       /* 6 */
		"$$;\n"						       /* 7 */
		"CREATE TABLE a (x integer);\n"			       /* 8 */
		"INSERT INTO a VALUES (add_one(1));\n"		       /* 9 */
		"  SELECT * FROM no_such_table;\n"		       /* 10 */
		"CREATE TABLE b (y integer);\n";		       /* 11 */

	dt_exec_fails(script);
	ck_assert_str_eq(dt_diag.sqlstate, "42P01");
	ck_assert_ptr_nonnull(strstr(dt_diag.message, "no_such_table"));
	ck_assert_int_eq(dt_diag.statement_index, 3);
	ck_assert_int_eq(dt_diag.line, 10);
	ck_assert_int_eq(dt_diag.position, (int)strlen("SELECT * FROM ") + 1);
	ck_assert_int_eq(dt_diag.native_code, 0);
	/* One simple query is one implicit transaction: nothing stays. */
	ck_assert_int_eq(dt_table_exists("a"), 0);
}
END_TEST

/* A syntax error: the server rejects the whole string before running any
 * of it; the statement is found from the position. */
START_TEST(test_driver_pg_exec_syntax_error)
{
	static const char script[] = "CREATE TABLE a (x int);\n"
				     "INSERT INTO a VALUES (1);\n"
				     "/* the next one\n"
				     "   is broken; */\n"
				     "  INSERT INTO a VALUES (1,, 2);\n"
				     "CREATE TABLE b (y int);\n";

	dt_exec_fails(script);
	ck_assert_str_eq(dt_diag.sqlstate, "42601");
	ck_assert_int_eq(dt_diag.statement_index, 2);
	ck_assert_int_eq(dt_diag.line, 5);
	ck_assert_int_eq(dt_diag.position,
			 (int)strlen("INSERT INTO a VALUES (1,") + 1);
	/* Positions count characters, not bytes. */
	dt_exec_fails("SELECT 'é';\r\nSELECT 'ü€', no_col;");
	ck_assert_str_eq(dt_diag.sqlstate, "42703");
	ck_assert_int_eq(dt_diag.statement_index, 1);
	ck_assert_int_eq(dt_diag.line, 2);
	ck_assert_int_eq(dt_diag.position, 14);
	/* At the very end. */
	dt_exec_fails("SELECT 1;\nSELECT (");
	ck_assert_int_eq(dt_diag.statement_index, 1);
	ck_assert_int_eq(dt_diag.line, 2);
}
END_TEST

/* Errors without a position: the statement is counted by the server's
 * results; detail, hint and context go to diag->detail. */
START_TEST(test_driver_pg_exec_runtime_error)
{
	static const char dup[] = "CREATE TABLE k (id int PRIMARY KEY);\n"
				  "INSERT INTO k VALUES (1);\n"
				  ";\n"
				  "INSERT INTO k VALUES (1);\n";

	dt_exec_fails(dup);
	ck_assert_str_eq(dt_diag.sqlstate, "23505");
	ck_assert_int_eq(dt_diag.statement_index, 2);
	ck_assert_int_eq(dt_diag.line, 4);
	ck_assert_int_eq(dt_diag.position, 0);
	ck_assert_msg(strstr(dt_diag.detail, "Key (id)=(1) already exists") !=
			      NULL,
		      "%s", dt_diag.detail);
	ck_assert_ptr_null(strchr(dt_diag.detail, '\n'));

	dt_exec_fails("SELECT 1;\n"
		      "DO $$\nBEGIN\n  RAISE EXCEPTION 'boom; %', 42\n"
		      "    USING DETAIL = 'it broke', HINT = 'try again';\n"
		      "END $$;");
	ck_assert_str_eq(dt_diag.sqlstate, "P0001");
	ck_assert_str_eq(dt_diag.message, "boom; 42");
	ck_assert_int_eq(dt_diag.statement_index, 1);
	ck_assert_int_eq(dt_diag.line, 2);
	ck_assert_msg(strstr(dt_diag.detail, "it broke; hint: try again; "
					     "context: PL/pgSQL") != NULL,
		      "%s", dt_diag.detail);
}
END_TEST

START_TEST(test_driver_pg_exec_empty)
{
	static const char *const scripts[] = {
		"  \n\t\r\n", "-- only a comment",
		";\n;;  ;",   "/* nested /* comment; */ still */",
		"SELECT 1;;", "SELECT 1; SELECT 2",
	};
	static const char nul[] = "SELECT 1;\nSELECT 2;\0SELECT 3";
	size_t i;

	for (i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++)
		dt_exec_ok(scripts[i]);
	dbshift__diag_init(&dt_diag);
	ck_assert_int_eq(dt_drv->exec(dt_conn, NULL, 0, &dt_diag), 0);
	dbshift__diag_init(&dt_diag);
	ck_assert_int_ne(dt_drv->exec(dt_conn, nul, sizeof(nul) - 1, &dt_diag),
			 0);
	ck_assert_ptr_nonnull(strstr(dt_diag.message, "line 2"));
}
END_TEST

/* Why the driver asks the core to split no-transaction scripts. */
START_TEST(test_driver_pg_concurrently)
{
	static const char script[] =
		"CREATE TABLE t (a int, b int);\n"
		"CREATE INDEX CONCURRENTLY t_a ON t (a);\n"
		"CREATE INDEX CONCURRENTLY t_b ON t (b);\n";
	dbshift__split split;
	dbshift__stmt stmt;

	dt_exec_fails(script);
	ck_assert_str_eq(dt_diag.sqlstate, "25001");
	ck_assert_int_eq(dt_diag.statement_index, 1);
	ck_assert_int_eq(dt_diag.line, 2);
	dbshift__split_init(&split, script, strlen(script),
			    dt_drv->split_flags);
	while (dbshift__split_next(&split, &stmt)) {
		dbshift__diag_init(&dt_diag);
		ck_assert_msg(dt_drv->exec(dt_conn, script + stmt.start,
					   stmt.len, &dt_diag) == 0,
			      "%s", dt_diag.message);
	}
	ck_assert_int_eq(dt_query_int64("SELECT count(*) FROM pg_indexes WHERE "
					"tablename = 't'"),
			 2);
}
END_TEST

/* COPY in a script: TO STDOUT is read and dropped, FROM STDIN fails
 * cleanly and leaves the connection usable. */
START_TEST(test_driver_pg_copy)
{
	dt_exec_ok("CREATE TABLE c (x int); COPY (SELECT 1) TO STDOUT;"
		   "INSERT INTO c VALUES (1)");
	ck_assert_int_eq(dt_query_int64("SELECT count(*) FROM c"), 1);
	dt_exec_fails("INSERT INTO c VALUES (2);\nCOPY c FROM STDIN;\n");
	ck_assert_ptr_nonnull(strstr(dt_diag.message, "COPY"));
	ck_assert_int_eq(dt_diag.statement_index, 1);
	ck_assert_int_eq(dt_query_int64("SELECT count(*) FROM c"), 1);
}
END_TEST

/* Notices and warnings do not reach stderr. */
START_TEST(test_driver_pg_notices)
{
	static const char noisy[] = "DO $$ BEGIN RAISE NOTICE 'a notice'; "
				    "RAISE WARNING 'a warning'; END $$; "
				    "DROP TABLE IF EXISTS nothing_here";
	int fd = open(fx_path("stderr"), O_CREAT | O_WRONLY | O_TRUNC, 0600);
	int saved = dup(2);
	char *out;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fd, 2), 0);
	dbshift__diag_init(&dt_diag);
	dt_drv->exec(dt_conn, noisy, strlen(noisy), &dt_diag);
	dup2(saved, 2);
	close(saved);
	close(fd);
	ck_assert_str_eq(dt_diag.message, "");
	out = fx_read(fx_path("stderr"));
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

/* ---- queries ---- */

START_TEST(test_driver_pg_query_placeholders)
{
	dbshift_value in[3], key;
	struct dt_rows rows = {0};

	dt_exec_ok("CREATE TABLE p (id bigint, name text, note text)");
	in[0] = dt_int_value(INT64_C(-9007199254740993));
	in[1] = dt_text_value("what?", 5);
	in[2] = dt_null_value();
	dt_query_ok("INSERT INTO p (id, name, note) VALUES (?, ?, ?)", in, 3,
		    NULL);
	in[0] = dt_int_value(2);
	in[1] = dt_text_value("?", 1);
	in[2] = dt_text_value("it's", 4);
	dt_query_ok("INSERT INTO p /* ? */ (id, name, note) -- ?\n"
		    "VALUES (?, ?, ?)",
		    in, 3, NULL);

	/* '?' inside literals, names and dollar bodies is not a parameter. */
	key = dt_int_value(INT64_C(-9007199254740993));
	dt_query_ok("SELECT id, name, '?', \"note\" IS NULL, $$?$$, E'\\'?' "
		    "FROM p AS \"p?\" WHERE id = ? OR name = '?x'",
		    &key, 1, &rows);
	ck_assert_int_eq(rows.count, 1);
	ck_assert_int_eq(rows.type[0][0], DBSHIFT_VALUE_INT64);
	ck_assert(rows.i64[0][0] == INT64_C(-9007199254740993));
	ck_assert_str_eq(rows.text[0][1], "what?");
	ck_assert_str_eq(rows.text[0][2], "?");
	ck_assert_str_eq(rows.text[0][3], "t");
	ck_assert_str_eq(rows.text[0][4], "?");
	ck_assert_str_eq(rows.text[0][5], "'?");

	/* Ten parameters and more: $10 is not $1 followed by 0. */
	memset(&rows, 0, sizeof(rows));
	{
		dbshift_value ten[11];
		int i;

		for (i = 0; i < 11; i++)
			ten[i] = dt_int_value(i + 1);
		dt_query_ok(
			"SELECT 0 + ? + ? + ? + ? + ? + ? + ? + ? + ? + ? + ?",
			ten, 11, &rows);
		ck_assert(rows.i64[0][0] == 66);
	}

	/* Count mismatches, both ways. */
	dt_query_fails("SELECT ?, ?", in, 1);
	ck_assert_ptr_nonnull(strstr(dt_diag.message, "2 parameters, 1 given"));
	dt_query_fails("SELECT '?'", in, 1);
}
END_TEST

START_TEST(test_driver_pg_query_types)
{
	struct dt_rows rows = {0};
	dbshift_value v[2];

	dt_query_ok("SELECT 1::int2, -2::int4, 9223372036854775807::int8, "
		    "4.5::numeric, true, NULL::int, 'x'::varchar, ''::text",
		    NULL, 0, &rows);
	ck_assert_int_eq(rows.ncols, 8);
	ck_assert_int_eq(rows.type[0][0], DBSHIFT_VALUE_INT64);
	ck_assert(rows.i64[0][0] == 1);
	ck_assert_int_eq(rows.type[0][1], DBSHIFT_VALUE_INT64);
	ck_assert(rows.i64[0][1] == -2);
	ck_assert(rows.i64[0][2] == INT64_MAX);
	ck_assert_int_eq(rows.type[0][3], DBSHIFT_VALUE_TEXT);
	ck_assert_str_eq(rows.text[0][3], "4.5");
	ck_assert_str_eq(rows.text[0][4], "t");
	ck_assert_int_eq(rows.type[0][5], DBSHIFT_VALUE_NULL);
	ck_assert_str_eq(rows.text[0][6], "x");
	ck_assert_int_eq(rows.type[0][7], DBSHIFT_VALUE_TEXT);
	ck_assert_str_eq(rows.text[0][7], "");

	/* An empty text parameter is '', not NULL; NULL goes into a
	 * bigint column; the server infers parameter types. */
	dt_exec_ok("CREATE TABLE n (i bigint, t text)");
	v[0] = dt_null_value();
	v[1] = dt_text_value("", 0);
	dt_query_ok("INSERT INTO n VALUES (?, ?)", v, 2, NULL);
	v[0] = dt_text_value("12", 2);
	v[1] = dt_int_value(7);
	dt_query_ok("INSERT INTO n VALUES (?, ?)", v, 2, NULL);
	memset(&rows, 0, sizeof(rows));
	dt_query_ok("SELECT i, t, t IS NULL FROM n ORDER BY i NULLS FIRST",
		    NULL, 0, &rows);
	ck_assert_int_eq(rows.count, 2);
	ck_assert_int_eq(rows.type[0][0], DBSHIFT_VALUE_NULL);
	ck_assert_str_eq(rows.text[0][1], "");
	ck_assert_str_eq(rows.text[0][2], "f");
	ck_assert(rows.i64[1][0] == 12);
	ck_assert_str_eq(rows.text[1][1], "7");

	/* Text the text form cannot carry, and bad values. */
	v[0].type = DBSHIFT_VALUE_TEXT;
	v[0].text = "a\0b";
	v[0].len = 3;
	dt_query_fails("SELECT ?", v, 1);
	v[0].len = -1;
	dt_query_fails("SELECT ?", v, 1);
	v[0].type = 99;
	dt_query_fails("SELECT ?", v, 1);
}
END_TEST

START_TEST(test_driver_pg_query_errors)
{
	struct dt_rows rows = {0};
	int ret;

	dt_query_fails("SELEC 1", NULL, 0);
	ck_assert_str_eq(dt_diag.sqlstate, "42601");
	dt_query_fails("SELECT 1; SELECT 2", NULL, 0);
	dt_query_fails("-- nothing", NULL, 0);
	dt_query_fails("SELECT * FROM no_such_table", NULL, 0);
	ck_assert_str_eq(dt_diag.sqlstate, "42P01");

	dt_exec_ok("CREATE TABLE s (i int); INSERT INTO s SELECT "
		   "generate_series(1, 5)");
	rows.stop_at = 2;
	rows.stop_value = 42;
	dbshift__diag_init(&dt_diag);
	ret = dt_drv->query(dt_conn, "SELECT i FROM s ORDER BY i", NULL, 0,
			    dt_collect, &rows, &dt_diag);
	ck_assert_int_eq(ret, 42);
	ck_assert_int_eq(rows.count, 2);
	ck_assert_str_eq(dt_diag.message, "");
	ck_assert_int_eq(dt_query_int64("SELECT count(*) FROM s"), 5);
}
END_TEST

/* ---- transactions ---- */

START_TEST(test_driver_pg_transactions)
{
	/* Without a transaction, rollback and commit have nothing to do. */
	ck_assert_int_eq(dt_drv->rollback(dt_conn, &dt_diag), 0);
	ck_assert_int_eq(dt_drv->commit(dt_conn, &dt_diag), 0);

	ck_assert_int_eq(dt_drv->begin(dt_conn, &dt_diag), 0);
	dbshift__diag_init(&dt_diag);
	ck_assert_int_ne(dt_drv->begin(dt_conn, &dt_diag), 0);
	ck_assert_str_eq(dt_diag.sqlstate, "25001");
	dt_exec_ok("CREATE TABLE t (x int); SAVEPOINT s;"
		   "CREATE TABLE u (x int); ROLLBACK TO SAVEPOINT s");
	ck_assert_int_eq(dt_drv->commit(dt_conn, &dt_diag), 0);
	ck_assert_int_eq(dt_table_exists("t"), 1);
	ck_assert_int_eq(dt_table_exists("u"), 0);

	/* A failed statement aborts the transaction: commit refuses and
	 * rolls back, and the connection is idle again. */
	ck_assert_int_eq(dt_drv->begin(dt_conn, &dt_diag), 0);
	dt_exec_ok("CREATE TABLE v (x int)");
	dt_exec_fails("SELECT * FROM no_such_table");
	dbshift__diag_init(&dt_diag);
	ck_assert_int_ne(dt_drv->commit(dt_conn, &dt_diag), 0);
	ck_assert_str_eq(dt_diag.sqlstate, "25P02");
	dt_assert_one_line(dt_diag.message);
	ck_assert_int_eq(dt_table_exists("v"), 0);
	ck_assert_int_eq(dt_drv->rollback(dt_conn, &dt_diag), 0);
	ck_assert_int_eq(dt_drv->begin(dt_conn, &dt_diag), 0);
	ck_assert_int_eq(dt_drv->rollback(dt_conn, &dt_diag), 0);

	/* A script that commits the transaction itself (golang-migrate
	 * style): its work and what followed it are kept. */
	ck_assert_int_eq(dt_drv->begin(dt_conn, &dt_diag), 0);
	dt_exec_ok("BEGIN; CREATE TABLE w (x int); COMMIT;");
	dt_exec_ok("INSERT INTO w VALUES (1)");
	ck_assert_int_eq(dt_drv->commit(dt_conn, &dt_diag), 0);
	ck_assert_int_eq(dt_drv->rollback(dt_conn, &dt_diag), 0);
	ck_assert_int_eq(dt_query_int64("SELECT count(*) FROM w"), 1);
}
END_TEST

/* ---- identifiers and the catalog ---- */

START_TEST(test_driver_pg_table_exists)
{
	char buf[64];

	dt_exec_ok(
		"CREATE SCHEMA s; CREATE TABLE s.t (x int);"
		"CREATE TABLE \"MiXed\" (x int); CREATE TABLE \"we\"\"ird.x\" "
		"(x int);"
		"CREATE VIEW v AS SELECT 1 AS one; CREATE SEQUENCE q;"
		"CREATE TABLE part (x int) PARTITION BY RANGE (x);"
		"CREATE INDEX i ON s.t (x)");
	ck_assert_int_eq(dt_table_exists("s.t"), 1);
	ck_assert_int_eq(dt_table_exists("t"), 0);
	ck_assert_int_eq(dt_table_exists("public.t"), 0);
	ck_assert_int_eq(dt_table_exists("nosuch.t"), 0);
	ck_assert_int_eq(dt_table_exists("MiXed"), 1);
	ck_assert_int_eq(dt_table_exists("mixed"), 0);
	ck_assert_int_eq(dt_table_exists("public.MiXed"), 1);
	ck_assert_int_eq(dt_table_exists("v"), 0);
	ck_assert_int_eq(dt_table_exists("q"), 0);
	ck_assert_int_eq(dt_table_exists("s.i"), 0);
	ck_assert_int_eq(dt_table_exists("part"), 1);
	ck_assert_int_eq(dt_table_exists("pg_catalog.pg_class"), 1);
	/* Split at the first dot, like the core's quoting. */
	ck_assert_int_eq(dt_table_exists("we\"ird.x"), 0);
	ck_assert_int_eq(dt_drv->quote_ident(dt_conn, "we\"ird", buf,
					     sizeof(buf), &dt_diag),
			 0);
	ck_assert_str_eq(buf, "\"we\"\"ird\"");

	/* Inside a transaction: sees its changes, never aborts it. */
	ck_assert_int_eq(dt_drv->begin(dt_conn, &dt_diag), 0);
	dt_exec_ok("CREATE TABLE s.new (x int)");
	ck_assert_int_eq(dt_table_exists("s.new"), 1);
	ck_assert_int_eq(dt_table_exists("nosuch.new"), 0);
	ck_assert_int_eq(dt_table_exists("s.\"odd"), 0);
	dt_exec_ok("SELECT 1");
	ck_assert_int_eq(dt_drv->rollback(dt_conn, &dt_diag), 0);
	ck_assert_int_eq(dt_table_exists("s.new"), 0);

	dbshift__diag_init(&dt_diag);
	ck_assert_int_ne(
		dt_drv->table_exists(dt_conn, ".t", &(int32_t){0}, &dt_diag),
		0);
	ck_assert_int_ne(
		dt_drv->table_exists(dt_conn, "s.", &(int32_t){0}, &dt_diag),
		0);
	ck_assert_int_ne(
		dt_drv->table_exists(dt_conn, "", &(int32_t){0}, &dt_diag), 0);
}
END_TEST

/* ---- the run lock ---- */

START_TEST(test_driver_pg_lock)
{
	dbshift_driver_conn *other = dt_open_ok(dt_url);
	double start;

	/* What every driver's lock does is in the conformance suite; here,
	 * what PostgreSQL's says when the other session times out. */
	ck_assert_msg(dt_drv->lock(dt_conn, "dbshift:test", 1000, &dt_diag) ==
			      0,
		      "%s", dt_diag.message);
	start = dt_now_s();
	dbshift__diag_init(&dt_diag);
	ck_assert_int_ne(dt_drv->lock(other, "dbshift:test", 300, &dt_diag), 0);
	ck_assert_msg(dt_now_s() - start >= 0.29 && dt_now_s() - start < 3,
		      "waited %.2f s", dt_now_s() - start);
	ck_assert_str_eq(dt_diag.sqlstate, "55P03");
	ck_assert_str_eq(dt_diag.message,
			 "timed out after 0.3 s waiting for lock "
			 "'dbshift:test' held by another run");
	ck_assert_msg(strstr(dt_diag.detail, "pid ") != NULL &&
			      strstr(dt_diag.detail, "dbshift") != NULL,
		      "%s", dt_diag.detail);
	/* Unlocking what this session does not hold fails. */
	dbshift__diag_init(&dt_diag);
	ck_assert_int_ne(dt_drv->unlock(other, "dbshift:test", &dt_diag), 0);
	dt_assert_one_line(dt_diag.message);
	dt_drv->close(other);
}
END_TEST

/* ---- without a server ---- */

START_TEST(test_driver_pg_no_server)
{
	/* Fails unless DBSHIFT_TEST_SKIP_PG=1. */
	fx_dialect_ready(FX_POSTGRES);
}
END_TEST

Suite *driver_pg_suite(void)
{
	Suite *s = suite_create("driver_pg");
	TCase *tc = tcase_create("pg");

	suite_add_tcase(s, tc);
	if (getenv("DBSHIFT_TEST_PG_URL") == NULL) {
		tcase_add_test(tc, test_driver_pg_no_server);
		return s;
	}
	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, setup, dt_stop);
	tcase_add_test(tc, test_driver_pg_descriptor);
	tcase_add_test(tc, test_driver_pg_url_forms);
	tcase_add_test(tc, test_driver_pg_search_path);
	tcase_add_test(tc, test_driver_pg_missing_database);
	tcase_add_test(tc, test_driver_pg_unreachable);
	tcase_add_test(tc, test_driver_pg_bad_urls);
	tcase_add_test(tc, test_driver_pg_exec_error_position);
	tcase_add_test(tc, test_driver_pg_exec_syntax_error);
	tcase_add_test(tc, test_driver_pg_exec_runtime_error);
	tcase_add_test(tc, test_driver_pg_exec_empty);
	tcase_add_test(tc, test_driver_pg_concurrently);
	tcase_add_test(tc, test_driver_pg_copy);
	tcase_add_test(tc, test_driver_pg_notices);
	tcase_add_test(tc, test_driver_pg_query_placeholders);
	tcase_add_test(tc, test_driver_pg_query_types);
	tcase_add_test(tc, test_driver_pg_query_errors);
	tcase_add_test(tc, test_driver_pg_transactions);
	tcase_add_test(tc, test_driver_pg_table_exists);
	tcase_add_test(tc, test_driver_pg_lock);
	return s;
}
