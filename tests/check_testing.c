/* SPDX-License-Identifier: MIT */
/*
 * check_testing.c - the test API of dbshift/testing.h on every dialect
 * (a throwaway database, migrations built in code, up and down steps,
 * schema assertions, the database dropped afterwards), and the data-loss
 * warnings of down, redo and down --dry-run.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbshift/testing.h"
#include "dialects.h"
#include "fixture.h"
#include "suites.h"

static const char *const server_env[FX_N_DIALECTS] = {
	NULL, "DBSHIFT_TEST_PG_URL", "DBSHIFT_TEST_MYSQL_URL"};

/* How many databases named name the server at url holds. */
static char *databases_named(int dialect, const char *url, const char *name)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 dialect == FX_POSTGRES ?
			 "SELECT count(*) FROM pg_database WHERE datname = "
			 "'%s'" :
			 "SELECT count(*) FROM information_schema.SCHEMATA "
			 "WHERE SCHEMA_NAME = '%s'",
		 name);
	return fx_db_query(url, sql);
}

#define CHECK_OK(db, call)                                                     \
	ck_assert_msg((call) == 0, "%s: %s", #call,                            \
		      dbshift_test_db_error(db)->message)

START_TEST(test_testing_round_trip)
{
	const char *server = NULL;
	dbshift_test_db *db = NULL;
	char name[128] = "", *count;
	const char *url;

	if (!fx_dialect_ready(_i))
		return;
	if (server_env[_i] != NULL)
		server = getenv(server_env[_i]);
	CHECK_OK(db, dbshift_test_db_open(&db, fx_dialect_name(_i), server,
					  fx_driver_dir()));
	url = dbshift_test_db_url(db);
	if (server != NULL)
		snprintf(name, sizeof(name), "%s", strrchr(url, '/') + 1);
	CHECK_OK(db, dbshift_test_db_add(
			     db, "001",
			     "CREATE TABLE users (id INTEGER NOT NULL, "
			     "email VARCHAR(100));\n"
			     "CREATE INDEX users_email_idx ON users (email);\n",
			     "DROP TABLE users;\n"));
	CHECK_OK(db, dbshift_test_db_add(
			     db, "002",
			     "ALTER TABLE users ADD COLUMN nick VARCHAR(20);\n",
			     "ALTER TABLE users DROP COLUMN nick;\n"));
	ck_assert_int_eq(dbshift_test_db_has_table(db, "users"), 0);
	CHECK_OK(db, dbshift_test_db_up(db, NULL));
	ck_assert_int_eq(dbshift_test_db_has_table(db, "users"), 1);
	ck_assert_int_eq(dbshift_test_db_has_column(db, "users", "nick"), 1);
	ck_assert_int_eq(
		dbshift_test_db_has_index(db, "users", "users_email_idx"), 1);
	ck_assert_int_eq(dbshift_test_db_has_index(db, "users", "nope"), 0);
	CHECK_OK(db,
		 dbshift_test_db_exec(
			 db, "INSERT INTO users (id, nick) VALUES (1, 'a')"));
	CHECK_OK(db, dbshift_test_db_down(db, 1));
	ck_assert_int_eq(dbshift_test_db_has_column(db, "users", "nick"), 0);
	ck_assert_int_eq(dbshift_test_db_has_column(db, "users", "email"), 1);
	CHECK_OK(db, dbshift_test_db_down(db, -1));
	ck_assert_int_eq(dbshift_test_db_has_table(db, "users"), 0);
	/* A failure is reported with the database's message. */
	ck_assert_int_eq(dbshift_test_db_exec(db, "NOT SQL AT ALL"),
			 DBSHIFT_EDB);
	ck_assert_str_ne(dbshift_test_db_error(db)->message, "");
	/* The runner is the test's to use too. */
	ck_assert_str_eq(dbshift_runner_dialect(dbshift_test_db_runner(db)),
			 fx_dialect_name(_i));
	if (server != NULL) {
		count = databases_named(_i, server, name);
		ck_assert_str_eq(count, "1");
		free(count);
	}
	dbshift_test_db_free(db);
	if (server != NULL) {
		count = databases_named(_i, server, name);
		ck_assert_str_eq(count, "0");
		free(count);
	}
}
END_TEST

START_TEST(test_testing_bad_use)
{
	dbshift_test_db *db = NULL;

	/* A failed open returns nothing; the reason is the thread's last
	 * error, which dbshift_test_db_error(NULL) also reads. */
	ck_assert_int_eq(dbshift_test_db_open(&db, "oracle", NULL, NULL),
			 DBSHIFT_EINVAL);
	ck_assert_ptr_null(db);
	ck_assert_str_eq(dbshift_error_last()->message,
			 "unknown test dialect 'oracle' (sqlite, postgres or "
			 "mysql)");
	ck_assert_ptr_eq(dbshift_test_db_error(db), dbshift_error_last());
	ck_assert_int_eq(dbshift_test_db_up(db, NULL), DBSHIFT_EINVAL);
	db = (dbshift_test_db *)&db; /* must come back NULL */
	ck_assert_int_eq(dbshift_test_db_open(&db, "postgres", NULL, NULL),
			 DBSHIFT_EINVAL);
	ck_assert_ptr_null(db);
	ck_assert_str_eq(dbshift_test_db_error(db)->message,
			 "a postgres test database needs a server URL");
	CHECK_OK(db,
		 dbshift_test_db_open(&db, "sqlite", NULL, fx_driver_dir()));
	ck_assert_int_eq(dbshift_test_db_add(db, "", "SELECT 1;", NULL),
			 DBSHIFT_ESOURCE);
	ck_assert_str_ne(dbshift_test_db_error(db)->message, "");
	ck_assert_int_eq(dbshift_test_db_has_column(db, NULL, "x"),
			 DBSHIFT_EINVAL);
	dbshift_test_db_free(db);
	dbshift_test_db_free(NULL);
	ck_assert_ptr_eq(dbshift_test_db_error(NULL), dbshift_error_last());
}
END_TEST

/* plan_down names the tables a down drops with rows in them. */
START_TEST(test_dataloss_plan)
{
	const dbshift_plan_step *step;
	dbshift_plan *plan = NULL;
	dbshift_source *src = NULL;
	dbshift_runner *r;
	char url[512];

	FX_USE_DIALECT(url);
	fx_write("m/001_t.up.sql", "CREATE TABLE t (id INTEGER);\n"
				   "CREATE TABLE kept (id INTEGER);\n");
	fx_write("m/001_t.down.sql",
		 "-- DROP TABLE kept;\nSELECT 'DROP TABLE kept';\n"
		 "DROP TABLE IF EXISTS t;\nDROP TABLE kept;\n");
	fx_write("m/002_u.up.sql", "CREATE TABLE u (id INTEGER);\n");
	fx_write("m/002_u.down.sql", "DROP TABLE u;\n");
	r = fx_open_runner(url);
	ck_assert(dbshift_source_dir_new(&src, "app", fx_path("m")) == 0);
	fx_add_source(r, src);
	ck_assert_int_eq(fx_up(r), 2);
	fx_db_exec(url, "INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);"
			"INSERT INTO t VALUES (3);");
	ck_assert_msg(dbshift_runner_plan_down(r, -1, NULL, &plan) == 0, "%s",
		      dbshift_runner_error(r)->message);
	ck_assert_uint_eq(dbshift_plan_count(plan), 2);
	step = dbshift_plan_get(plan, 0);
	ck_assert_str_eq(step->id, "app/002");
	ck_assert_uint_eq(step->n_drops, 0); /* u is empty */
	step = dbshift_plan_get(plan, 1);
	ck_assert_uint_eq(step->n_drops, 1); /* kept is empty */
	ck_assert_str_eq(step->drops[0].table, "t");
	ck_assert_int_eq(step->drops[0].rows, 3);
	dbshift_plan_free(plan);
	dbshift_runner_free(r);
}
END_TEST

/* down and redo warn and need --yes; down --dry-run shows the impact. */
START_TEST(test_dataloss_cli)
{
	const char *db = fx_sqlite_url("app.db");
	fx_run run;

	fx_write("migrations/001_t.up.sql", "CREATE TABLE t (id INTEGER);\n"
					    "INSERT INTO t VALUES (1), (2);\n");
	fx_write("migrations/001_t.down.sql", "DROP TABLE t;\n");
	fx_write("migrations/002_e.up.sql", "CREATE TABLE e (id INTEGER);\n");
	fx_write("migrations/002_e.down.sql", "DROP TABLE e;\n");
	run = fx_cli("up", "-u", db, "--driver-dir", fx_driver_dir(), NULL);
	ck_assert_exit(run, 0);
	fx_run_free(&run);
	/* An empty table goes without a question. */
	run = fx_cli("down", "-u", db, "--driver-dir", fx_driver_dir(), NULL);
	ck_assert_exit(run, 0);
	ck_assert_lacks(run.err, "warning");
	fx_run_free(&run);

	run = fx_cli("down", "--dry-run", "-u", db, "--driver-dir",
		     fx_driver_dir(), NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "-- drops table t holding 2 rows\n");
	fx_run_free(&run);
	run = fx_cli("redo", "-u", db, "--driver-dir", fx_driver_dir(), NULL);
	ck_assert_exit(run, 2);
	ck_assert_has(run.err, "warning: migrations/001 drops table t holding "
			       "2 rows");
	ck_assert_has(run.err, "refusing to drop 1 table holding rows without "
			       "--yes");
	fx_run_free(&run);
	run = fx_cli("down", "-u", db, "--driver-dir", fx_driver_dir(), NULL);
	ck_assert_exit(run, 2);
	ck_assert_has(run.err, "refusing to drop 1 table holding rows without "
			       "--yes");
	fx_run_free(&run);
	ck_assert(fx_sqlite_has_table(fx_path("app.db"), "t"));
	run = fx_cli("down", "--yes", "-u", db, "--driver-dir", fx_driver_dir(),
		     NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.err, "warning: migrations/001 drops table t holding "
			       "2 rows");
	fx_run_free(&run);
	ck_assert(!fx_sqlite_has_table(fx_path("app.db"), "t"));
}
END_TEST

Suite *testing_suite(void)
{
	Suite *s = suite_create("testing");
	TCase *tc = tcase_create("testing");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_testing_round_trip, 0, FX_N_DIALECTS);
	tcase_add_test(tc, test_testing_bad_use);
	tcase_add_loop_test(tc, test_dataloss_plan, 0, FX_N_DIALECTS);
	tcase_add_test(tc, test_dataloss_cli);
	suite_add_tcase(s, tc);
	return s;
}
