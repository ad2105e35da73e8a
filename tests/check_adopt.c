/* SPDX-License-Identifier: MIT */
/*
 * check_adopt.c - dbshift_runner_adopt() on every dialect: the history
 * tables of golang-migrate, goose, dbmate, Flyway, Sqitch and
 * maragudk/migrate are created and filled by hand, the way each tool
 * leaves them, and adopt must record exactly the migrations they say are
 * applied, refuse dirty or unmappable states without writing anything,
 * and leave the foreign table as it was.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbshift/dbshift.h"
#include "dialects.h"
#include "fixture.h"
#include "suites.h"

static char url[1024];

static dbshift_runner *runner(void)
{
	dbshift_runner *r = fx_open_runner(url);
	dbshift_source *src = NULL;

	ck_assert(dbshift_source_dir_new(&src, "app", fx_path("m")) == 0);
	fx_add_source(r, src);
	return r;
}

/* Four migrations; 003 has the name "views" for Sqitch. */
static void write_set(void)
{
	fx_write("m/001_users.up.sql", "CREATE TABLE users (id INT);\n");
	fx_write("m/002_posts.up.sql", "CREATE TABLE posts (id INT);\n");
	fx_write("m/003_views.up.sql", "CREATE TABLE views (id INT);\n");
	fx_write("m/004_tags.up.sql", "CREATE TABLE tags (id INT);\n");
}

static char *history(void)
{
	if (!fx_db_has_table(url, "dbshift_migrations"))
		return strdup("(no table)");
	return fx_db_query(url, "SELECT id FROM dbshift_migrations ORDER BY "
				"seq");
}

/*
 * Adopt from tool (table NULL for its default): a dry run first, which
 * must report want_ids and write nothing, then the real run; the history
 * must then hold want_ids and the foreign table still count_rows rows.
 */
static void adopt_ok(const char *tool, const char *table, const char *want_ids,
		     const char *foreign_count)
{
	dbshift_runner *r = runner();
	struct fx_changes c = {""};
	char *rows;
	int n = -1;

	ck_assert_msg(dbshift_runner_adopt(r, tool, table,
					   DBSHIFT_ADOPT_DRY_RUN,
					   fx_record_change, &c, &n) == 0,
		      "%s dry: %s", tool, dbshift_runner_error(r)->message);
	ck_assert_ptr_nonnull(strstr(c.log, "would record as applied"));
	rows = history();
	ck_assert_str_eq(rows, "(no table)");
	free(rows);
	c.log[0] = '\0';
	ck_assert_msg(dbshift_runner_adopt(r, tool, table, 0, fx_record_change,
					   &c, &n) == 0,
		      "%s: %s", tool, dbshift_runner_error(r)->message);
	ck_assert_ptr_nonnull(strstr(c.log, tool));
	rows = history();
	ck_assert_str_eq(rows, want_ids);
	free(rows);
	rows = fx_db_query(url, foreign_count);
	ck_assert_str_ne(rows, "0");
	free(rows);
	/* The checksums are today's: nothing is changed, the rest pends. */
	ck_assert_int_eq(dbshift_runner_up(r, NULL, &n), 0);
	ck_assert(fx_db_has_table(url, "tags"));
	dbshift_runner_free(r);
}

START_TEST(test_adopt_golang_migrate)
{
	FX_USE_DIALECT(url);
	write_set();
	fx_db_exec(url, "CREATE TABLE schema_migrations (version BIGINT NOT "
			"NULL PRIMARY KEY, dirty BOOLEAN NOT NULL)");
	fx_db_exec(url, "INSERT INTO schema_migrations VALUES (3, FALSE)");
	adopt_ok("golang-migrate", NULL, "app/001,app/002,app/003",
		 "SELECT count(*) FROM schema_migrations");
}
END_TEST

/* Sets taken over from another tool may alter that tool's own table in a
 * later migration: adopt leaves the table in place, so such a migration
 * runs like any other. */
START_TEST(test_adopt_then_alter_foreign_table)
{
	dbshift_runner *r;
	char *rows;
	int n = -1;

	FX_USE_DIALECT(url);
	fx_write("m/001_users.up.sql", "CREATE TABLE users (id INT);\n");
	fx_write(
		"m/002_alter_tracking.up.sql",
		"ALTER TABLE schema_migrations ADD COLUMN note VARCHAR(40);\n");
	fx_db_exec(url, "CREATE TABLE schema_migrations (version BIGINT NOT "
			"NULL PRIMARY KEY, dirty BOOLEAN NOT NULL)");
	fx_db_exec(url, "INSERT INTO schema_migrations VALUES (1, FALSE)");
	r = runner();
	ck_assert_int_eq(dbshift_runner_adopt(r, "golang-migrate", NULL, 0,
					      NULL, NULL, &n),
			 0);
	ck_assert_int_eq(n, 1);
	ck_assert_msg(dbshift_runner_up(r, NULL, &n) == 0, "%s",
		      dbshift_runner_error(r)->message);
	ck_assert_int_eq(n, 1);
	rows = fx_db_query(url, "SELECT count(note) FROM schema_migrations");
	ck_assert_str_eq(rows, "0");
	free(rows);
	rows = history();
	ck_assert_str_eq(rows, "app/001,app/002");
	free(rows);
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_adopt_goose)
{
	FX_USE_DIALECT(url);
	write_set();
	fx_db_exec(url, "CREATE TABLE goose_db_version (id INTEGER NOT NULL "
			"PRIMARY KEY, version_id BIGINT NOT NULL, is_applied "
			"BOOLEAN NOT NULL, tstamp TIMESTAMP NULL DEFAULT "
			"CURRENT_TIMESTAMP)");
	/* 0 is goose's own start row; 3 was applied and rolled back. */
	fx_db_exec(url, "INSERT INTO goose_db_version (id, version_id, "
			"is_applied) VALUES (1, 0, TRUE), (2, 1, TRUE), "
			"(3, 2, TRUE), (4, 3, TRUE), (5, 3, FALSE)");
	adopt_ok("goose", NULL, "app/001,app/002",
		 "SELECT count(*) FROM goose_db_version");
}
END_TEST

START_TEST(test_adopt_dbmate)
{
	FX_USE_DIALECT(url);
	write_set();
	fx_db_exec(url, "CREATE TABLE schema_migrations (version VARCHAR(128) "
			"NOT NULL PRIMARY KEY)");
	/* dbmate applies out of order: 002 is not applied. */
	fx_db_exec(url, "INSERT INTO schema_migrations VALUES ('001'), "
			"('3')");
	adopt_ok("dbmate", NULL, "app/001,app/003",
		 "SELECT count(*) FROM schema_migrations");
	ck_assert(fx_db_has_table(url, "posts")); /* 002 ran on up */
}
END_TEST

static void create_flyway(void)
{
	fx_db_exec(url, "CREATE TABLE flyway_schema_history ("
			"installed_rank INT NOT NULL PRIMARY KEY, "
			"version VARCHAR(50), description VARCHAR(200) NOT "
			"NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) "
			"NOT NULL, checksum INT, installed_by VARCHAR(100) NOT "
			"NULL, installed_on TIMESTAMP NOT NULL DEFAULT "
			"CURRENT_TIMESTAMP, execution_time INT NOT NULL, "
			"success BOOLEAN NOT NULL)");
}

START_TEST(test_adopt_flyway)
{
	FX_USE_DIALECT(url);
	write_set();
	create_flyway();
	/* Baselined at 2, then 3 applied, a repeatable, 3 undone and
	 * applied again. */
	fx_db_exec(url,
		   "INSERT INTO flyway_schema_history (installed_rank, "
		   "version, description, type, script, checksum, "
		   "installed_by, execution_time, success) VALUES "
		   "(1, '2', '<< Flyway Baseline >>', 'BASELINE', "
		   "'<< Flyway Baseline >>', NULL, 'me', 0, TRUE), "
		   "(2, '3', 'views', 'SQL', 'V3__views.sql', 11, 'me', 5, "
		   "TRUE), "
		   "(3, NULL, 'fns', 'SQL', 'R__fns.sql', 12, 'me', 5, TRUE), "
		   "(4, '3', 'views', 'UNDO_SQL', 'U3__views.sql', 13, 'me', "
		   "5, TRUE), "
		   "(5, '3', 'views', 'SQL', 'V3__views.sql', 11, 'me', 5, "
		   "TRUE)");
	adopt_ok("flyway", NULL, "app/001,app/002,app/003",
		 "SELECT count(*) FROM flyway_schema_history");
}
END_TEST

START_TEST(test_adopt_sqitch)
{
	const char *table = "changes";
	const char *change = _i == FX_MYSQL ? "`change`" : "change";
	char sql[512];

	FX_USE_DIALECT(url);
	write_set();
	/* Sqitch's registry is the schema sqitch on PostgreSQL; elsewhere
	 * the test names the table. */
	if (_i == FX_POSTGRES) {
		fx_db_exec(url, "CREATE SCHEMA sqitch");
		table = "sqitch.changes";
	}
	snprintf(sql, sizeof(sql),
		 "CREATE TABLE %s (change_id VARCHAR(40) NOT NULL PRIMARY KEY, "
		 "%s VARCHAR(255) NOT NULL, project VARCHAR(255) NOT NULL, "
		 "committed_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
		 table, change);
	fx_db_exec(url, sql);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO %s (change_id, %s, project) VALUES "
		 "('a1', 'users', 'app'), ('b2', 'views', 'app')",
		 table, change);
	fx_db_exec(url, sql);
	adopt_ok("sqitch", _i == FX_POSTGRES ? NULL : table, "app/001,app/003",
		 _i == FX_POSTGRES ? "SELECT count(*) FROM sqitch.changes" :
				     "SELECT count(*) FROM changes");
}
END_TEST

START_TEST(test_adopt_maragudk)
{
	FX_USE_DIALECT(url);
	write_set();
	fx_db_exec(url, "CREATE TABLE migrations (version TEXT NOT NULL)");
	fx_db_exec(url, "INSERT INTO migrations VALUES ('2')");
	adopt_ok("maragudk", NULL, "app/001,app/002",
		 "SELECT count(*) FROM migrations");
}
END_TEST

/* Adopt must refuse, with code and a message containing needle, and
 * write nothing. */
static void adopt_refused(const char *tool, const char *table, int code,
			  const char *needle)
{
	dbshift_runner *r = runner();
	char *rows;
	int n = -1;

	ck_assert_int_eq(
		dbshift_runner_adopt(r, tool, table, 0, NULL, NULL, &n), code);
	ck_assert_msg(strstr(dbshift_runner_error(r)->message, needle) != NULL,
		      "'%s' not in '%s'", needle,
		      dbshift_runner_error(r)->message);
	ck_assert_int_eq(n, 0);
	dbshift_runner_free(r);
	rows = history();
	ck_assert_msg(strcmp(rows, "(no table)") == 0 ||
			      strcmp(rows, "app/004") == 0,
		      "history changed: %s", rows);
	free(rows);
}

START_TEST(test_adopt_refusals)
{
	dbshift_runner *r;

	FX_USE_DIALECT(url);
	write_set();
	adopt_refused("golang-migrate", NULL, DBSHIFT_ESTATE,
		      "no golang-migrate history table schema_migrations");
	adopt_refused("liquibase", NULL, DBSHIFT_EINVAL,
		      "unknown tool 'liquibase'");
	adopt_refused("goose", "no;table", DBSHIFT_EINVAL,
		      "invalid goose table name");
	fx_db_exec(url, "CREATE TABLE schema_migrations (version BIGINT NOT "
			"NULL PRIMARY KEY, dirty BOOLEAN NOT NULL)");
	fx_db_exec(url, "INSERT INTO schema_migrations VALUES (2, TRUE)");
	adopt_refused("golang-migrate", NULL, DBSHIFT_ESTATE,
		      "golang-migrate version 2 is dirty");
	fx_db_exec(url, "UPDATE schema_migrations SET version = 7, dirty = "
			"FALSE");
	adopt_refused("golang-migrate", NULL, DBSHIFT_ESTATE,
		      "golang-migrate version 7 matches no migration");
	create_flyway();
	fx_db_exec(url, "INSERT INTO flyway_schema_history (installed_rank, "
			"version, description, type, script, installed_by, "
			"execution_time, success) VALUES (1, '1', 'users', "
			"'SQL', 'V1__users.sql', 'me', 5, FALSE)");
	adopt_refused("flyway", NULL, DBSHIFT_ESTATE,
		      "flyway version 1 failed");
	/* A history that has rows already is not adopted over. */
	r = runner();
	ck_assert_int_eq(
		dbshift_runner_baseline(r, "app/004", NULL, NULL, NULL), 0);
	dbshift_runner_free(r);
	fx_db_exec(url, "DELETE FROM dbshift_migrations WHERE id <> "
			"'app/004'");
	fx_db_exec(url, "UPDATE schema_migrations SET version = 1");
	adopt_refused("golang-migrate", NULL, DBSHIFT_ESTATE,
		      "already has 1 row");
	ck_assert_int_eq(
		dbshift_runner_adopt(NULL, "goose", NULL, 0, NULL, NULL, NULL),
		DBSHIFT_EINVAL);
}
END_TEST

Suite *adopt_suite(void)
{
	Suite *s = suite_create("adopt");
	TCase *tc = tcase_create("every dialect");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_adopt_golang_migrate, 0, FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_adopt_then_alter_foreign_table, 0,
			    FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_adopt_goose, 0, FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_adopt_dbmate, 0, FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_adopt_flyway, 0, FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_adopt_sqitch, 0, FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_adopt_maragudk, 0, FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_adopt_refusals, 0, FX_N_DIALECTS);
	suite_add_tcase(s, tc);
	return s;
}
