/* SPDX-License-Identifier: MIT */
/*
 * check_runner.c - the runner through the public API against real
 * databases: up, down, redo, status, failures and refusals. Every scenario
 * runs on each dialect (a Check loop test over FX_SQLITE, FX_POSTGRES,
 * FX_MYSQL) on a fresh database; expectations that depend on the dialect
 * follow the driver's declared capabilities, never its name.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dbshift/dbshift.h"
#include "dbshift/driver.h"
#include "dialects.h"
#include "fixture.h"
#include "runner.h"
#include "suites.h"

/* The database of the running test, set by USE_DIALECT(). */
static char url[1024];
static int transactional_ddl;

/* Start a loop test on dialect _i: a fresh database, or return when the
 * dialect's server is deliberately absent. */
#define USE_DIALECT()                                                          \
	do {                                                                   \
		if (!fx_dialect_ready(_i))                                     \
			return;                                                \
		snprintf(url, sizeof(url), "%s", fx_fresh_url(_i));            \
		transactional_ddl = (fx_dialect_caps(_i) &                     \
				     DBSHIFT_CAP_TRANSACTIONAL_DDL) != 0;      \
	} while (0)

static dbshift_runner *open_runner_opts(dbshift_runner_options *opts)
{
	dbshift_runner *r = NULL;
	int rc;

	if (opts->url == NULL)
		opts->url = url[0] ? url : fx_sqlite_url("test.db");
	opts->driver_dir = fx_driver_dir();
	rc = dbshift_runner_new(&r, opts);
	ck_assert_msg(rc == 0, "runner_new: %s",
		      dbshift_runner_error(r)->message);
	return r;
}

/* A runner on test.db with the directory source "app" at migrations/. */
static dbshift_runner *open_runner(unsigned int flags)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r;
	dbshift_source *src = NULL;

	opts.flags = flags;
	r = open_runner_opts(&opts);
	ck_assert(dbshift_source_dir_new(&src, "app", fx_path("migrations")) ==
		  0);
	ck_assert(dbshift_runner_add_source(r, src) == 0);
	return r;
}

static char *query(const char *sql)
{
	return fx_db_query(url, sql);
}

static int has_table(const char *table)
{
	return fx_db_has_table(url, table);
}

#define ck_query(sql, expected)                                                \
	do {                                                                   \
		char *got_ = query(sql);                                       \
		ck_assert_str_eq(got_, expected);                              \
		free(got_);                                                    \
	} while (0)

static void three_migrations(void)
{
	fx_write("migrations/001_users.up.sql",
		 "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n");
	fx_write("migrations/001_users.down.sql", "DROP TABLE users;\n");
	fx_write("migrations/002_posts.up.sql",
		 "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INT);\n"
		 "CREATE INDEX posts_user ON posts (user_id);\n");
	fx_write("migrations/002_posts.down.sql", "DROP TABLE posts;\n");
	fx_write("migrations/010_tags/up.sql", "CREATE TABLE tags (t TEXT);");
	fx_write("migrations/010_tags/down.sql", "DROP TABLE tags;");
}

static int up(dbshift_runner *r, const char *target)
{
	int n = -1, rc = dbshift_runner_up(r, target, &n);

	ck_assert_msg(rc == 0, "up: %s", dbshift_runner_error(r)->message);
	return n;
}

START_TEST(test_runner_up_applies_all_in_order)
{
	dbshift_runner *r;

	USE_DIALECT();
	three_migrations();
	r = open_runner(0);
	ck_assert_int_eq(up(r, NULL), 3);
	ck_query("SELECT id FROM dbshift_migrations ORDER BY seq",
		 "app/001,app/002,app/010");
	ck_query("SELECT state FROM dbshift_migrations ORDER BY seq",
		 "applied,applied,applied");
	ck_assert(has_table("users") && has_table("posts") &&
		  has_table("tags"));
	ck_query(
		"SELECT length(checksum) FROM dbshift_migrations WHERE seq = 1",
		"64");
	ck_query("SELECT source FROM dbshift_migrations WHERE seq = 2", "app");
	ck_query("SELECT version FROM dbshift_migrations WHERE seq = 2", "002");
	ck_query("SELECT name FROM dbshift_migrations WHERE seq = 2", "posts");
	ck_assert_int_eq(up(r, NULL), 0);
	dbshift_runner_free(r);
}
END_TEST

/* Report callback of dbshift_runner_ignored(): the messages, joined. */
static void collect_ignored(const char *id, const char *what, void *payload)
{
	char *all = payload;
	size_t len = strlen(all);

	snprintf(all + len, 4096 - len, "%s: %s\n", id, what);
}

/*
 * Files and directives of a dialect no installed driver declares (here
 * cockroach) are ignored, not refused, on every dialect, MariaDB included;
 * the run's own dialect is matched by its aliases as well.
 */
START_TEST(test_runner_foreign_dialect_files)
{
	static const char *const own[FX_N_DIALECTS] = {"sqlite3", "pg",
						       "mariadb"};
	char path[256], ignored[4096] = "";
	dbshift_findings *findings = NULL;
	dbshift_runner *r;
	int n = -1, problems = -1;
	size_t i, n_ignored_findings = 0;

	USE_DIALECT();
	fx_write("migrations/001_t.up.sql", "CREATE TABLE t (x INT);\n");
	fx_write("migrations/001_t.cockroach.up.sql",
		 "CREATE TABLE t (x INT8) WITH (ttl = 'on');\n");
	fx_write("migrations/002_only_cockroach.cockroach.up.sql",
		 "THIS IS NOT RUN;\n");
	/* Only the run's own dialect is installed for sure (configure
	 * --without-pg etc.): another one would be ignored as well. */
	snprintf(path, sizeof(path),
		 "-- dbshift:dialects %s cockroach\nCREATE TABLE u (x INT);\n",
		 fx_dialect_name(_i));
	fx_write("migrations/003_u/up.sql", path);
	fx_write("migrations/003_u/cockroach/up.sql", "NOT RUN EITHER;\n");
	/* The run's dialect under an alias picks its variant. */
	snprintf(path, sizeof(path), "migrations/004_v.%s.up.sql", own[_i]);
	fx_write(path, "CREATE TABLE v (x INT);\n");
	r = open_runner(0);
	ck_assert_int_eq(up(r, NULL), 3);
	ck_assert(has_table("t") && has_table("u") && has_table("v"));
	ck_query("SELECT id FROM dbshift_migrations ORDER BY seq",
		 "app/001,app/003,app/004");

	ck_assert_int_eq(
		dbshift_runner_ignored(r, collect_ignored, ignored, &n), 0);
	ck_assert_int_eq(n, 4);
	ck_assert_ptr_nonnull(strstr(ignored, "001_t.cockroach.up.sql' names "
					      "dialect 'cockroach', which no "
					      "installed driver declares"));
	ck_assert_ptr_nonnull(strstr(ignored, "app/002: "));
	ck_assert_ptr_nonnull(strstr(ignored, "cockroach/up.sql'"));
	ck_assert_ptr_nonnull(strstr(ignored, "the dialects directive of"));
	ck_assert_ptr_nonnull(strstr(ignored, "(installed: "));
	ck_assert_ptr_nonnull(strstr(ignored, "sqlite, sqlite3"));
	ck_assert_ptr_null(strstr(ignored, "004"));

	ck_assert_int_eq(dbshift_runner_validate(r, &findings, &problems), 0);
	ck_assert_int_eq(problems, 0);
	for (i = 0; i < dbshift_findings_count(findings); i++)
		n_ignored_findings += dbshift_findings_get(findings, i)->kind ==
				      DBSHIFT_FINDING_IGNORED;
	ck_assert_uint_eq(n_ignored_findings, 4);
	ck_assert_str_eq(dbshift_finding_kind_name(DBSHIFT_FINDING_IGNORED),
			 "ignored");
	dbshift_findings_free(findings);
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_runner_up_target_applies_only_dependencies)
{
	dbshift_runner *r;

	USE_DIALECT();
	three_migrations();
	r = open_runner(0);
	ck_assert_int_eq(up(r, "002"), 2);
	ck_query("SELECT id FROM dbshift_migrations ORDER BY seq",
		 "app/001,app/002");
	ck_assert_int_eq(up(r, "app/010"), 1);
	ck_assert_int_eq(dbshift_runner_up(r, "app/999", NULL),
			 DBSHIFT_ENOTFOUND);
	ck_assert_ptr_nonnull(
		strstr(dbshift_runner_error(r)->message, "app/999"));
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_runner_down_count_target_and_all)
{
	dbshift_runner *r;
	int n = -1;

	USE_DIALECT();
	three_migrations();
	r = open_runner(0);
	up(r, NULL);
	ck_assert_int_eq(dbshift_runner_down(r, 1, NULL, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert(!has_table("tags"));
	up(r, NULL);
	/* Rolling back 001 takes everything after it in the source. */
	ck_assert_int_eq(dbshift_runner_down(r, 0, "app/002", &n), 0);
	ck_assert_int_eq(n, 2);
	ck_query("SELECT id FROM dbshift_migrations", "app/001");
	up(r, NULL);
	ck_assert_int_eq(dbshift_runner_down(r, -1, NULL, &n), 0);
	ck_assert_int_eq(n, 3);
	ck_query("SELECT count(*) FROM dbshift_migrations", "0");
	ck_assert(!has_table("users") && !has_table("posts") &&
		  !has_table("tags"));
	ck_assert_int_eq(dbshift_runner_down(r, 1, NULL, &n), 0);
	ck_assert_int_eq(n, 0);
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_runner_down_needs_every_down_first)
{
	dbshift_runner *r;
	int n = -1;

	USE_DIALECT();
	three_migrations();
	fx_write("migrations/003_nodown.up.sql", "CREATE TABLE x (a INT);");
	r = open_runner(0);
	up(r, NULL);
	/* 010 has a down, 003 has none: nothing may change. */
	ck_assert_int_eq(dbshift_runner_down(r, 2, NULL, &n), DBSHIFT_ENODOWN);
	ck_assert_int_eq(n, 0);
	ck_assert_str_eq(dbshift_runner_error(r)->migration, "app/003");
	ck_query("SELECT count(*) FROM dbshift_migrations", "4");
	ck_assert(has_table("tags"));
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_runner_redo)
{
	dbshift_runner *r;

	USE_DIALECT();
	three_migrations();
	r = open_runner(0);
	up(r, NULL);
	ck_assert_int_eq(dbshift_runner_redo(r), 0);
	ck_query("SELECT id FROM dbshift_migrations ORDER BY seq",
		 "app/001,app/002,app/010");
	ck_query("SELECT seq FROM dbshift_migrations WHERE id = 'app/010'",
		 "4");
	dbshift_runner_down(r, -1, NULL, NULL);
	ck_assert_int_eq(dbshift_runner_redo(r), DBSHIFT_ESTATE);
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_runner_failing_migration_is_rolled_back)
{
	dbshift_runner *r;
	const dbshift_error *e;
	int n = -1;

	USE_DIALECT();
	three_migrations();
	fx_write("migrations/005_bad.up.sql",
		 "CREATE TABLE bad1 (a INT);\n"
		 "INSERT INTO bad1 VALUES (1);\n"
		 "INSERT INTO nosuch VALUES (1);\n");
	r = open_runner(0);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, &n), DBSHIFT_EMIGRATION);
	ck_assert_int_eq(n, 2);
	e = dbshift_runner_error(r);
	ck_assert_str_eq(e->migration, "app/005");
	ck_assert_ptr_nonnull(strstr(e->message, "app/005"));
	ck_assert_ptr_nonnull(strstr(e->message, "005_bad.up.sql"));
	ck_assert_ptr_nonnull(strstr(e->message, "nosuch"));
	ck_assert_ptr_nonnull(strstr(e->file, "005_bad.up.sql"));
	/* Counted from 1, as the message and the history count. */
	ck_assert_int_eq(e->statement_index, 3);
	ck_assert_ptr_nonnull(strstr(e->message, "statement 3"));
	ck_assert_str_eq(e->statement, "INSERT INTO nosuch VALUES (1);");
	ck_assert(!has_table("tags"));
	if (transactional_ddl) {
		/* No trace: neither the table nor a history row. */
		ck_query("SELECT id FROM dbshift_migrations ORDER BY seq",
			 "app/001,app/002");
		ck_assert(!has_table("bad1"));
	} else {
		/* DDL committed on its own: the row stays dirty. */
		ck_query("SELECT state FROM dbshift_migrations ORDER BY seq",
			 "applied,applied,dirty");
		ck_query(
			"SELECT failed_statement_index FROM dbshift_migrations "
			"WHERE id = 'app/005'",
			"3");
		ck_assert(has_table("bad1"));
		ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL),
				 DBSHIFT_EDIRTY);
	}
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_runner_no_transaction_failure_leaves_dirty_row)
{
	dbshift_runner *r;
	dbshift_status *st = NULL;
	const dbshift_error *e;

	USE_DIALECT();
	fx_write("migrations/001_a.up.sql", "-- dbshift:no-transaction\n"
					    "CREATE TABLE a (x INT);\n"
					    "CREATE TABLE a (x INT);\n");
	fx_write("migrations/001_a.down.sql", "DROP TABLE a;");
	r = open_runner(0);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EMIGRATION);
	ck_query("SELECT state FROM dbshift_migrations", "dirty");
	ck_query("SELECT failed_statement_index FROM dbshift_migrations", "2");
	ck_query("SELECT failed_statement FROM dbshift_migrations",
		 "CREATE TABLE a (x INT);");
	/* The first statement stays: there was no transaction. */
	ck_assert(has_table("a"));
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EDIRTY);
	e = dbshift_runner_error(r);
	ck_assert_str_eq(e->migration, "app/001");
	ck_assert_ptr_nonnull(strstr(e->message, "force"));
	ck_assert_ptr_nonnull(strstr(e->message, "repair"));
	ck_assert_ptr_nonnull(strstr(e->message, "CREATE TABLE a"));
	ck_assert_int_eq(dbshift_runner_down(r, 1, NULL, NULL), DBSHIFT_EDIRTY);
	ck_assert_int_eq(dbshift_runner_status(r, &st), 0);
	ck_assert_int_eq(dbshift_status_get(st, 0)->state, DBSHIFT_STATE_DIRTY);
	ck_assert_ptr_nonnull(
		strstr(dbshift_status_get(st, 0)->error, "already exists"));
	dbshift_status_free(st);

	/* The operator completed it by hand: force records it applied. */
	ck_assert_int_eq(dbshift_runner_force(r, "app/001"), 0);
	ck_query("SELECT state FROM dbshift_migrations", "applied");
	ck_query("SELECT failed_statement FROM dbshift_migrations", "NULL");
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), 0);
	/* force refuses a clean row and an unknown one. */
	ck_assert_int_eq(dbshift_runner_force(r, "app/001"), DBSHIFT_ESTATE);
	ck_assert_ptr_nonnull(
		strstr(dbshift_runner_error(r)->message, "not dirty"));
	ck_assert_int_eq(dbshift_runner_force(r, "app/9"), DBSHIFT_ENOTFOUND);
	ck_assert_int_eq(dbshift_runner_force(r, NULL), DBSHIFT_EINVAL);
	ck_assert_int_eq(dbshift_runner_down(r, 1, NULL, NULL), 0);
	ck_assert(!has_table("a"));
	dbshift_runner_free(r);
}
END_TEST

static const dbshift_migration_info *status_of(dbshift_status *st,
					       const char *id)
{
	size_t i;

	for (i = 0; i < dbshift_status_count(st); i++)
		if (strcmp(dbshift_status_get(st, i)->id, id) == 0)
			return dbshift_status_get(st, i);
	ck_abort_msg("no %s in status", id);
	return NULL;
}

START_TEST(test_runner_status_states)
{
	dbshift_runner *r;
	dbshift_status *st = NULL;
	const dbshift_migration_info *info;

	USE_DIALECT();
	three_migrations();
	fx_write("migrations/020_only.up.sql",
		 _i == FX_SQLITE ?
			 "-- dbshift:dialects postgres mysql\nSELECT 1;" :
			 "-- dbshift:dialects sqlite\nSELECT 1;");
	r = open_runner(0);
	ck_assert_int_eq(dbshift_runner_status(r, &st), 0);
	ck_assert_int_eq(dbshift_status_count(st), 4);
	ck_assert_int_eq(status_of(st, "app/001")->state,
			 DBSHIFT_STATE_PENDING);
	dbshift_status_free(st);
	/* status creates nothing */
	ck_assert(!has_table("dbshift_migrations"));
	up(r, "001");
	up(r, "010");
	dbshift_runner_free(r);

	/* 002 now sorts before applied 010; 001's script changes; a row
	 * for a migration no source has. */
	unlink(fx_path("migrations/002_posts.up.sql"));
	unlink(fx_path("migrations/002_posts.down.sql"));
	fx_write("migrations/003_late.up.sql", "SELECT 1;");
	fx_write("migrations/001_users.up.sql",
		 "CREATE TABLE users (id INTEGER PRIMARY KEY, nm TEXT);\n");
	free(query("INSERT INTO dbshift_migrations (id, source, version, name, "
		   "checksum, applied_at, execution_ms, seq, state) VALUES "
		   "('lib/1', 'lib', '1', 'gone', 'x', '2020-01-01T00:00:00Z', "
		   "5, 99, 'applied')"));
	r = open_runner(0);
	ck_assert_int_eq(dbshift_runner_status(r, &st), 0);
	ck_assert_int_eq(status_of(st, "app/001")->state,
			 DBSHIFT_STATE_CHANGED);
	ck_assert_int_eq(status_of(st, "app/003")->state,
			 DBSHIFT_STATE_OUT_OF_ORDER);
	ck_assert_int_eq(status_of(st, "app/020")->state,
			 DBSHIFT_STATE_SKIPPED);
	info = status_of(st, "app/010");
	ck_assert_int_eq(info->state, DBSHIFT_STATE_APPLIED);
	ck_assert_int_eq(strlen(info->applied_at), 20);
	ck_assert_int_eq(info->applied_seq, 3);
	ck_assert(info->has_down);
	info = status_of(st, "lib/1");
	ck_assert_int_eq(info->state, DBSHIFT_STATE_MISSING);
	ck_assert_int_eq(info->execution_ms, 5);
	ck_assert_str_eq(dbshift_state_name(info->state), "missing");
	/* The last entry is the missing one, after the sources. */
	ck_assert_str_eq(
		dbshift_status_get(st, dbshift_status_count(st) - 1)->id,
		"lib/1");
	dbshift_status_free(st);

	/* A changed script blocks up, unless checksums are ignored. */
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_ECHECKSUM);
	ck_assert_str_eq(dbshift_runner_error(r)->migration, "app/001");
	ck_assert_ptr_nonnull(
		strstr(dbshift_runner_error(r)->message, "repair"));
	dbshift_runner_free(r);
	r = open_runner(DBSHIFT_OPT_IGNORE_CHECKSUMS |
			DBSHIFT_OPT_STRICT_ORDER);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_ESTATE);
	ck_assert_str_eq(dbshift_runner_error(r)->migration, "app/003");
	dbshift_runner_free(r);
	r = open_runner(DBSHIFT_OPT_IGNORE_CHECKSUMS);
	ck_assert_int_eq(up(r, NULL), 1);
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_runner_graph_errors_touch_no_database)
{
	dbshift_runner *r;

	fx_write("migrations/001_a.up.sql", "-- dbshift:depends-on app/002\n");
	fx_write("migrations/002_b.up.sql", "SELECT 1;");
	r = open_runner(0);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EGRAPH);
	ck_assert_ptr_nonnull(strstr(dbshift_runner_error(r)->message,
				     "app/001 -> app/002 -> app/001"));
	dbshift_runner_free(r);
	ck_assert_int_ne(access(fx_path("test.db"), F_OK), 0);

	fx_write("migrations/001_a.up.sql", "-- dbshift:depends-on lib/7\n");
	r = open_runner(0);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EGRAPH);
	ck_assert_ptr_nonnull(
		strstr(dbshift_runner_error(r)->message, "lib/7"));
	dbshift_runner_free(r);

	fx_write("migrations/001_a.up.sql", "SELECT 1;");
	fx_write("migrations/1_again.up.sql", "SELECT 1;");
	r = open_runner(0);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_ESOURCE);
	ck_assert_ptr_nonnull(
		strstr(dbshift_runner_error(r)->message, "1_again.up.sql"));
	dbshift_runner_free(r);
	ck_assert_int_ne(access(fx_path("test.db"), F_OK), 0);
}
END_TEST

/* Every constructor returns nothing on failure (*out NULL, even when it
 * held something) and leaves a readable reason in the thread's last
 * error, the one channel dbshift_runner_error() reads too. */
#define FAILS_CLEAN(call, out, want)                                           \
	do {                                                                   \
		(out) = (void *)&sentinel;                                     \
		ck_assert_int_eq((call), (want));                              \
		ck_assert_ptr_null(out);                                       \
		ck_assert_int_eq(dbshift_error_last()->code, (want));          \
		ck_assert_str_ne(dbshift_error_last()->message, "");           \
	} while (0)

START_TEST(test_runner_constructors_fail_clean)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_source_options bad = DBSHIFT_SOURCE_OPTIONS_INIT;
	dbshift_embedded_file file = {"001_a.up.sql", "SELECT 1;", 9};
	dbshift_runner *r = NULL;
	dbshift_source *src = NULL;
	dbshift_status *st = NULL;
	dbshift_plan *plan = NULL;
	dbshift_findings *f = NULL;
	dbshift_schema *schema = NULL;
	int sentinel;

	bad.naming = (dbshift_naming)7;
	FAILS_CLEAN(dbshift_source_new(&src, "a b", NULL, NULL), src,
		    DBSHIFT_EINVAL);
	FAILS_CLEAN(dbshift_source_dir_new(&src, "app", ""), src,
		    DBSHIFT_EINVAL);
	FAILS_CLEAN(dbshift_source_dir_new_opts(&src, "app", "m", &bad), src,
		    DBSHIFT_EINVAL);
	FAILS_CLEAN(dbshift_source_embedded_new(&src, "app", NULL, 1), src,
		    DBSHIFT_EINVAL);
	FAILS_CLEAN(
		dbshift_source_embedded_new_opts(&src, "app", &file, 1, &bad),
		src, DBSHIFT_EINVAL);
	FAILS_CLEAN(dbshift_source_code_new(&src, "a/b"), src, DBSHIFT_EINVAL);
	opts.url = "nosuchscheme:x";
	opts.driver_dir = fx_driver_dir();
	FAILS_CLEAN(dbshift_runner_new(&r, &opts), r, DBSHIFT_EURL);
	ck_assert_ptr_eq(dbshift_runner_error(r), dbshift_error_last());

	/* Objects a runner returns, from a database that cannot be
	 * opened. */
	opts.url = "sqlite:/nonexistent-dir/x/test.db";
	ck_assert_int_eq(dbshift_runner_new(&r, &opts), 0);
	ck_assert_int_eq(dbshift_source_embedded_new(&src, "app", &file, 1), 0);
	ck_assert_int_eq(dbshift_runner_add_source(r, src), 0);
	FAILS_CLEAN(dbshift_runner_plan_up(r, NULL, &plan), plan, DBSHIFT_EDB);
	ck_assert_ptr_nonnull(
		strstr(dbshift_runner_error(r)->message, "nonexistent-dir"));
	FAILS_CLEAN(dbshift_runner_status(r, &st), st, DBSHIFT_EDB);
	FAILS_CLEAN(dbshift_runner_plan_down(r, 1, NULL, &plan), plan,
		    DBSHIFT_EDB);
	FAILS_CLEAN(dbshift_runner_schema(r, &schema), schema, DBSHIFT_EDB);
	FAILS_CLEAN(dbshift_runner_verify(r, NULL, 0, &f, NULL), f,
		    DBSHIFT_EDB);
	dbshift_runner_free(r);
}
END_TEST

/* Open a runner on test.db from opts (url and driver directory filled
 * in) and return what it made of the lock settings. */
static void runner_settings(dbshift_runner_options *opts, int *lock_timeout,
			    int *retries)
{
	dbshift_runner *r = NULL;

	opts->url = fx_sqlite_url("test.db");
	opts->driver_dir = fx_driver_dir();
	ck_assert_msg(dbshift_runner_new(&r, opts) == 0, "%s",
		      dbshift_error_last()->message);
	*lock_timeout = r->lock_timeout;
	*retries = r->ddl_lock_retries;
	ck_assert_str_eq(r->table, "dbshift_migrations");
	ck_assert_int_eq(r->lock_kind, DBSHIFT_LOCK_DEFAULT);
	dbshift_runner_free(r);
}

/* Zero is every option's default, so the version alone makes a complete
 * options struct; older struct versions keep their meaning; newer ones
 * than the library knows are refused. */
START_TEST(test_runner_options_zero_is_default)
{
	dbshift_runner_options zero = {.version =
					       DBSHIFT_RUNNER_OPTIONS_VERSION};
	dbshift_runner_options macro = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner_options opts;
	dbshift_runner *r = NULL;
	int timeout, retries;

	runner_settings(&zero, &timeout, &retries);
	ck_assert_int_eq(timeout, 60);
	ck_assert_int_eq(retries, 3);
	runner_settings(&macro, &timeout, &retries);
	ck_assert_int_eq(timeout, 60);
	ck_assert_int_eq(retries, 3);
	ck_assert_int_eq(dbshift_runner_options_init(
				 &opts, DBSHIFT_RUNNER_OPTIONS_VERSION),
			 0);
	ck_assert_uint_eq(opts.version, DBSHIFT_RUNNER_OPTIONS_VERSION);
	ck_assert_ptr_null(opts.url);
	runner_settings(&opts, &timeout, &retries);
	ck_assert_int_eq(timeout, 60);
	ck_assert_int_eq(retries, 3);
	opts.lock_timeout = DBSHIFT_LOCK_NO_WAIT;
	opts.ddl_lock_retries = DBSHIFT_DDL_NO_RETRY;
	runner_settings(&opts, &timeout, &retries);
	ck_assert_int_eq(timeout, 0);
	ck_assert_int_eq(retries, 0);
	opts.lock_timeout = 5;
	opts.ddl_lock_retries = 7;
	runner_settings(&opts, &timeout, &retries);
	ck_assert_int_eq(timeout, 5);
	ck_assert_int_eq(retries, 7);

	/* A version 2 struct: negative for the default, zero for none. */
	opts.version = 2;
	opts.lock_timeout = 0;
	opts.ddl_lock_retries = 0;
	runner_settings(&opts, &timeout, &retries);
	ck_assert_int_eq(timeout, 0);
	ck_assert_int_eq(retries, 0);
	opts.lock_timeout = -1;
	opts.ddl_lock_retries = -1;
	runner_settings(&opts, &timeout, &retries);
	ck_assert_int_eq(timeout, 60);
	ck_assert_int_eq(retries, 3);

	opts.version = DBSHIFT_RUNNER_OPTIONS_VERSION + 1;
	ck_assert_int_eq(dbshift_runner_new(&r, &opts), DBSHIFT_EINVAL);
	ck_assert_ptr_null(r);
	ck_assert_ptr_nonnull(strstr(dbshift_error_last()->message,
				     "runner options version 4 is newer than "
				     "this libdbshift"));
	opts.version = 0;
	ck_assert_int_eq(dbshift_runner_new(&r, &opts), DBSHIFT_EINVAL);
	ck_assert_str_eq(dbshift_error_last()->message,
			 "runner options without their version field set");
	ck_assert_int_eq(dbshift_runner_options_init(
				 &opts, DBSHIFT_RUNNER_OPTIONS_VERSION + 1),
			 DBSHIFT_EINVAL);
	ck_assert_ptr_nonnull(
		strstr(dbshift_error_last()->message, "is newer than"));
	ck_assert_int_eq(dbshift_runner_options_init(&opts, 0), DBSHIFT_EINVAL);
	ck_assert_int_eq(dbshift_runner_options_init(NULL, 1), DBSHIFT_EINVAL);
}
END_TEST

static int load_nothing(void *state, dbshift_catalog *catalog)
{
	(void)state;
	(void)catalog;
	return 0;
}

/* The same for the source options, migration definitions and source
 * operations. */
START_TEST(test_runner_source_structs_versioned)
{
	static const dbshift_source_ops newer_ops = {
		DBSHIFT_SOURCE_OPS_VERSION + 1, load_nothing, NULL};
	dbshift_source_options zero = {.version =
					       DBSHIFT_SOURCE_OPTIONS_VERSION};
	dbshift_source_options opts;
	dbshift_migration_def def = {.version = DBSHIFT_MIGRATION_DEF_VERSION};
	dbshift_source *src = NULL;

	fx_mkdir("m");
	ck_assert_int_eq(
		dbshift_source_dir_new_opts(&src, "app", fx_path("m"), &zero),
		0);
	dbshift_source_free(src);
	ck_assert_int_eq(dbshift_source_options_init(
				 &opts, DBSHIFT_SOURCE_OPTIONS_VERSION),
			 0);
	ck_assert_int_eq(opts.naming, DBSHIFT_NAMING_STRICT);
	opts.version = DBSHIFT_SOURCE_OPTIONS_VERSION + 1;
	ck_assert_int_eq(
		dbshift_source_dir_new_opts(&src, "app", fx_path("m"), &opts),
		DBSHIFT_EINVAL);
	ck_assert_ptr_null(src);
	ck_assert_ptr_nonnull(strstr(dbshift_error_last()->message,
				     "source options version 2 is newer"));
	ck_assert_int_eq(dbshift_source_options_init(&opts, 2), DBSHIFT_EINVAL);
	ck_assert_int_eq(dbshift_source_options_init(NULL, 1), DBSHIFT_EINVAL);

	ck_assert_int_eq(dbshift_source_new(&src, "x", &newer_ops, NULL),
			 DBSHIFT_EINVAL);
	ck_assert_ptr_null(src);

	ck_assert_int_eq(dbshift_source_code_new(&src, "code"), 0);
	def.migration_version = "001";
	def.up = "SELECT 1;";
	def.up_len = 9;
	def.version = DBSHIFT_MIGRATION_DEF_VERSION + 1;
	ck_assert_int_eq(dbshift_source_code_add(src, &def), DBSHIFT_EINVAL);
	ck_assert_ptr_nonnull(
		strstr(dbshift_error_last()->message,
		       "migration definition version 2 is newer"));
	def.version = DBSHIFT_MIGRATION_DEF_VERSION;
	ck_assert_int_eq(dbshift_source_code_add(src, &def), 0);
	dbshift_source_free(src);
}
END_TEST

START_TEST(test_runner_bad_options)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r = NULL;
	dbshift_source *a = NULL, *b = NULL;

	opts.url = "nosuchscheme://u:pw@host/db";
	ck_assert_int_eq(dbshift_runner_new(&r, &opts), DBSHIFT_EURL);
	ck_assert_ptr_null(r);
	ck_assert_str_ne(dbshift_error_last()->message, "");
	ck_assert_ptr_null(strstr(dbshift_error_last()->message, "pw@"));

	opts.url = "no-scheme.db";
	ck_assert_int_eq(dbshift_runner_new(&r, &opts), DBSHIFT_EURL);
	ck_assert_ptr_null(r);

	opts.url = fx_sqlite_url("test.db");
	opts.table = "bad name; DROP";
	ck_assert_int_eq(dbshift_runner_new(&r, &opts), DBSHIFT_EINVAL);
	ck_assert_ptr_null(r);
	ck_assert_ptr_nonnull(
		strstr(dbshift_error_last()->message, "bad name; DROP"));
	ck_assert_int_eq(dbshift_runner_new(&r, NULL), DBSHIFT_EINVAL);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(dbshift_error_last()->message,
			 "runner options are required");
	ck_assert_int_eq(dbshift_runner_new(NULL, &opts), DBSHIFT_EINVAL);
	ck_assert_str_eq(dbshift_error_last()->message,
			 "dbshift_runner_new: out is NULL");

	opts.table = NULL;
	r = open_runner_opts(&opts);
	ck_assert(dbshift_source_dir_new(&a, "x", fx_path("m1")) == 0);
	ck_assert(dbshift_source_dir_new(&b, "x", fx_path("m2")) == 0);
	ck_assert_int_eq(dbshift_runner_add_source(r, a), 0);
	ck_assert_int_eq(dbshift_runner_add_source(r, b), DBSHIFT_EINVAL);
	ck_assert_str_eq(dbshift_runner_dialect(r), "sqlite");
	dbshift_runner_free(r);
}
END_TEST

/* A history whose seq was pushed to the largest BIGINT by hand has no
 * next value: up refuses to record rather than overflow, and the migration
 * leaves no trace where DDL is transactional. */
START_TEST(test_runner_seq_at_maximum)
{
	dbshift_runner *r;
	int n = -1;

	USE_DIALECT();
	three_migrations();
	r = open_runner(0);
	ck_assert_int_eq(up(r, "app/001"), 1);
	dbshift_runner_free(r);
	fx_db_exec(url, "UPDATE dbshift_migrations SET seq = "
			"9223372036854775807");
	r = open_runner(0);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, &n), DBSHIFT_ESTATE);
	ck_assert_int_eq(n, 0);
	ck_assert_ptr_nonnull(strstr(dbshift_runner_error(r)->message,
				     "app/002: cannot be recorded: seq in "
				     "history table dbshift_migrations"));
	ck_query("SELECT count(*) FROM dbshift_migrations", "1");
	if (transactional_ddl)
		ck_assert(!has_table("posts"));
	dbshift_runner_free(r);
}
END_TEST

/* down rolls back by seq, whatever order the database returns the rows
 * in (the history query asks for none): after a hand edit gives the row
 * written last the lowest seq, down 1 takes the other source's; rows an
 * edit left with one seq go by id, the greater one first. */
START_TEST(test_runner_down_follows_seq)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r;
	dbshift_source *a = NULL, *b = NULL;
	int n = -1;

	USE_DIALECT();
	fx_write("ma/001_a.up.sql", "CREATE TABLE ta (x INT);");
	fx_write("ma/001_a.down.sql", "DROP TABLE ta;");
	fx_write("mb/001_b.up.sql", "CREATE TABLE tb (x INT);");
	fx_write("mb/001_b.down.sql", "DROP TABLE tb;");
	r = open_runner_opts(&opts);
	ck_assert(dbshift_source_dir_new(&a, "a", fx_path("ma")) == 0);
	ck_assert(dbshift_source_dir_new(&b, "b", fx_path("mb")) == 0);
	ck_assert_int_eq(dbshift_runner_add_source(r, a), 0);
	ck_assert_int_eq(dbshift_runner_add_source(r, b), 0);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, &n), 0);
	ck_assert_int_eq(n, 2);
	fx_db_exec(url, "UPDATE dbshift_migrations SET seq = 5");
	ck_assert_int_eq(dbshift_runner_down(r, 1, NULL, &n), 0);
	ck_query("SELECT id FROM dbshift_migrations", "a/001");
	ck_assert_int_eq(dbshift_runner_up(r, NULL, &n), 0);
	ck_query("SELECT seq FROM dbshift_migrations WHERE id = 'b/001'", "6");
	fx_db_exec(url,
		   "UPDATE dbshift_migrations SET seq = 0 WHERE id = 'b/001'");
	ck_assert_int_eq(dbshift_runner_down(r, 1, NULL, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_query("SELECT id FROM dbshift_migrations", "b/001");
	ck_assert(!has_table("ta"));
	ck_assert(has_table("tb"));
	dbshift_runner_free(r);
}
END_TEST

/* A runner on opts.url with the source "app" of migrations/. */
static dbshift_runner *app_runner(dbshift_runner_options *opts)
{
	dbshift_runner *r = open_runner_opts(opts);
	dbshift_source *src = NULL;

	ck_assert(dbshift_source_dir_new(&src, "app", fx_path("migrations")) ==
		  0);
	ck_assert_int_eq(dbshift_runner_add_source(r, src), 0);
	return r;
}

/* Assert that sql on the database at db gives want. */
static void db_expect(const char *db, const char *sql, const char *want)
{
	char *got = fx_db_query(db, sql);

	ck_assert_str_eq(got, want);
	free(got);
}

/* The SQLite driver asks for its core tables WITHOUT ROWID (table_options,
 * ABI 1.8): the history and the lease lock table are created so. A history
 * table an older dbshift created keeps its layout and still works. */
START_TEST(test_runner_sqlite_core_tables_without_rowid)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r;
	const char *db = fx_sqlite_url("rowid.db");
	int n = -1;

	three_migrations();
	opts.url = db;
	opts.lock_kind = DBSHIFT_LOCK_TABLE;
	r = app_runner(&opts);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, &n), 0);
	ck_assert_int_eq(n, 3);
	dbshift_runner_free(r);
	db_expect(db,
		  "SELECT count(*) FROM sqlite_master WHERE name IN "
		  "('dbshift_migrations', 'dbshift_locks') AND sql LIKE "
		  "'%) WITHOUT ROWID'",
		  "2");

	db = fx_sqlite_url("old.db");
	fx_db_exec(db,
		   "CREATE TABLE dbshift_migrations (id VARCHAR(255) NOT "
		   "NULL PRIMARY KEY, source VARCHAR(255) NOT NULL, version "
		   "VARCHAR(255) NOT NULL, name VARCHAR(255) NOT NULL, "
		   "checksum VARCHAR(64) NOT NULL, applied_at VARCHAR(32) "
		   "NOT NULL, execution_ms BIGINT NOT NULL, seq BIGINT NOT "
		   "NULL, state VARCHAR(16) NOT NULL, error TEXT, "
		   "failed_statement_index BIGINT, failed_statement TEXT)");
	opts.url = db;
	opts.lock_kind = DBSHIFT_LOCK_DEFAULT;
	r = app_runner(&opts);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, &n), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(dbshift_runner_down(r, 1, NULL, &n), 0);
	ck_assert_int_eq(n, 1);
	dbshift_runner_free(r);
	db_expect(db, "SELECT count(*) FROM dbshift_migrations", "2");
	db_expect(db,
		  "SELECT count(*) FROM sqlite_master WHERE sql LIKE "
		  "'%WITHOUT ROWID%'",
		  "0");
}
END_TEST

START_TEST(test_runner_custom_table)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r;
	dbshift_source *src = NULL;

	USE_DIALECT();
	three_migrations();
	opts.table = "my_history";
	r = open_runner_opts(&opts);
	ck_assert(dbshift_source_dir_new(&src, NULL, fx_path("migrations")) ==
		  0);
	ck_assert_str_eq(dbshift_source_name(src), "migrations");
	ck_assert(dbshift_runner_add_source(r, src) == 0);
	ck_assert_int_eq(up(r, NULL), 3);
	ck_query("SELECT count(*) FROM my_history", "3");
	ck_assert(!has_table("dbshift_migrations"));
	dbshift_runner_free(r);
}
END_TEST

/* A history table in a named schema (SQLite: main, PostgreSQL: public,
 * MySQL: the database), with both kinds of lock. */
START_TEST(test_runner_schema_qualified_table)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r;
	dbshift_source *src = NULL;
	char table[256];
	const char *schema;

	USE_DIALECT();
	three_migrations();
	schema = _i == FX_SQLITE   ? "main" :
		 _i == FX_POSTGRES ? "public" :
				     strrchr(url, '/') + 1;
	snprintf(table, sizeof(table), "%s.hist", schema);
	opts.table = table;
	opts.lock_kind = DBSHIFT_LOCK_TABLE;
	r = open_runner_opts(&opts);
	ck_assert(dbshift_source_dir_new(&src, "app", fx_path("migrations")) ==
		  0);
	ck_assert(dbshift_runner_add_source(r, src) == 0);
	ck_assert_int_eq(up(r, "002"), 2);
	ck_assert(has_table(table));
	ck_assert(has_table("hist"));
	dbshift_runner_free(r);
	opts.lock_kind = DBSHIFT_LOCK_DEFAULT;
	r = open_runner_opts(&opts);
	ck_assert(dbshift_source_dir_new(&src, "app", fx_path("migrations")) ==
		  0);
	ck_assert(dbshift_runner_add_source(r, src) == 0);
	ck_assert_int_eq(up(r, NULL), 1);
	ck_query("SELECT count(*) FROM hist", "3");
	dbshift_runner_free(r);
}
END_TEST

struct events {
	char log[1024];
};

static void record_event(const dbshift_event *ev, void *payload)
{
	struct events *e = payload;
	size_t len = strlen(e->log);
	const char *kind = ev->kind == DBSHIFT_EVENT_BEFORE ? "before" :
			   ev->kind == DBSHIFT_EVENT_AFTER  ? "after" :
							      "error";

	ck_assert(ev->duration_us >= 0);
	ck_assert((ev->kind == DBSHIFT_EVENT_ERROR) == (ev->error != NULL));
	snprintf(e->log + len, sizeof(e->log) - len, "%s%s:%s:%s",
		 len ? " " : "", kind,
		 ev->direction == DBSHIFT_UP ? "up" : "down", ev->id);
}

START_TEST(test_runner_events)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	struct events ev = {""};
	dbshift_runner *r;
	dbshift_source *src = NULL;

	USE_DIALECT();
	fx_write("migrations/1_a.up.sql", "SELECT 1;");
	fx_write("migrations/1_a.down.sql", "SELECT 1;");
	fx_write("migrations/2_b.up.sql", "SELECT nosuchcolumn;");
	opts.on_event = record_event;
	opts.event_payload = &ev;
	r = open_runner_opts(&opts);
	ck_assert(dbshift_source_dir_new(&src, "app", fx_path("migrations")) ==
		  0);
	ck_assert(dbshift_runner_add_source(r, src) == 0);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EMIGRATION);
	if (!transactional_ddl) {
		/* The failure left app/2 dirty; nothing else may run. */
		ck_assert_int_eq(dbshift_runner_down(r, 1, NULL, NULL),
				 DBSHIFT_EDIRTY);
		ck_assert_str_eq(ev.log, "before:up:app/1 after:up:app/1 "
					 "before:up:app/2 error:up:app/2");
		dbshift_runner_free(r);
		return;
	}
	ck_assert_int_eq(dbshift_runner_down(r, 1, NULL, NULL), 0);
	ck_assert_str_eq(ev.log, "before:up:app/1 after:up:app/1 "
				 "before:up:app/2 error:up:app/2 "
				 "before:down:app/1 after:down:app/1");
	dbshift_runner_free(r);
}
END_TEST

/* A custom source with a code migration. */
static int _i_dialect;

static int code_up(dbshift_conn *conn, void *payload)
{
	ck_assert_str_eq(dbshift_conn_dialect(conn),
			 fx_dialect_name(_i_dialect));
	ck_assert_str_eq(payload, "pay");
	return dbshift_conn_exec(conn, "CREATE TABLE coded (a INT)");
}

static int code_down(dbshift_conn *conn, void *payload)
{
	(void)payload;
	return dbshift_conn_fail(conn, "refusing on purpose");
}

static int custom_load(void *state, dbshift_catalog *cat)
{
	dbshift_migration_def def = DBSHIFT_MIGRATION_DEF_INIT;

	def.migration_version = "1";
	def.name = "coded";
	def.up_fn = code_up;
	def.down_fn = code_down;
	def.fn_payload = state;
	def.checksum = "v1";
	return dbshift_catalog_add(cat, &def);
}

START_TEST(test_runner_custom_source_with_code_migration)
{
	static const dbshift_source_ops ops = {DBSHIFT_SOURCE_OPS_VERSION,
					       custom_load, NULL};
	static char payload[] = "pay";
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r;
	dbshift_source *src = NULL;

	USE_DIALECT();
	_i_dialect = _i;
	r = open_runner_opts(&opts);
	ck_assert_int_eq(dbshift_source_new(&src, "code", &ops, payload), 0);
	ck_assert_int_eq(dbshift_runner_add_source(r, src), 0);
	ck_assert_int_eq(up(r, NULL), 1);
	ck_query("SELECT checksum FROM dbshift_migrations", "v1");
	ck_assert(has_table("coded"));
	ck_assert_int_eq(dbshift_runner_down(r, 1, NULL, NULL),
			 DBSHIFT_EMIGRATION);
	ck_assert_ptr_nonnull(strstr(dbshift_runner_error(r)->message,
				     "refusing on purpose"));
	ck_query("SELECT count(*) FROM dbshift_migrations", "1");
	ck_assert_int_eq(dbshift_source_new(&src, "bad/name", &ops, NULL),
			 DBSHIFT_EINVAL);
	ck_assert_ptr_null(src);
	dbshift_runner_free(r);
}
END_TEST

/* Eight processes run up at once: every migration is applied exactly once
 * and every process succeeds. */
static void concurrent_up(dbshift_lock_kind kind)
{
	char name[64], dir[1024], urls[1][512];
	int i;

	for (i = 1; i <= 12; i++) {
		snprintf(name, sizeof(name), "migrations/%03d_t%d.up.sql", i,
			 i);
		fx_write(name, "CREATE TABLE IF NOT EXISTS lots (a INT);\n"
			       "INSERT INTO lots VALUES (1);\n"
			       "INSERT INTO lots VALUES (2);\n");
	}
	/* fx_path() belongs to the test process, not to its children. */
	snprintf(dir, sizeof(dir), "%s", fx_path("migrations"));
	snprintf(urls[0], sizeof(urls[0]), "%.511s", url);
	fx_concurrent_up(urls, 1, 8, dir, kind);
	ck_query("SELECT count(*) FROM dbshift_migrations", "12");
	ck_query("SELECT count(DISTINCT seq) FROM dbshift_migrations", "12");
	ck_query("SELECT count(*) FROM lots", "24");
}

START_TEST(test_runner_concurrent_up_advisory)
{
	USE_DIALECT();
	concurrent_up(DBSHIFT_LOCK_DEFAULT);
}
END_TEST

START_TEST(test_runner_concurrent_up_lock_table)
{
	USE_DIALECT();
	concurrent_up(DBSHIFT_LOCK_TABLE);
	/* The lease is gone once the runs end. */
	ck_query("SELECT count(*) FROM dbshift_locks", "0");
}
END_TEST

/* A held lock makes a run wait and then fail; an up-to-date database
 * never waits. */
START_TEST(test_runner_lock_timeout)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r;
	dbshift_source *src = NULL;
	void *held;

	USE_DIALECT();
	three_migrations();
	opts.lock_timeout = 1;
	r = open_runner_opts(&opts);
	ck_assert(dbshift_source_dir_new(&src, "app", fx_path("migrations")) ==
		  0);
	ck_assert(dbshift_runner_add_source(r, src) == 0);
	held = fx_db_hold_lock(url, "dbshift:dbshift_migrations");
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_ELOCK);
	ck_assert_ptr_nonnull(
		strstr(dbshift_runner_error(r)->message, "timed out"));
	ck_assert(!has_table("users"));
	fx_db_release(held);
	ck_assert_int_eq(up(r, NULL), 3);
	held = fx_db_hold_lock(url, "dbshift:dbshift_migrations");
	ck_assert_int_eq(up(r, NULL), 0);
	/* Another history table has a lock of its own. */
	dbshift_runner_free(r);
	opts.table = "other_history";
	r = open_runner_opts(&opts);
	ck_assert(dbshift_source_dir_new(&src, "app", fx_path("migrations")) ==
		  0);
	ck_assert(dbshift_runner_add_source(r, src) == 0);
	ck_assert_int_eq(dbshift_runner_down(r, 1, NULL, NULL), 0);
	fx_db_release(held);
	dbshift_runner_free(r);
}
END_TEST

/* A lease that has not expired blocks; an expired one is taken over. */
START_TEST(test_runner_lock_table_lease)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r;
	dbshift_source *src = NULL;

	USE_DIALECT();
	three_migrations();
	opts.lock_timeout = 1;
	opts.lock_kind = DBSHIFT_LOCK_TABLE;
	r = open_runner_opts(&opts);
	ck_assert(dbshift_source_dir_new(&src, "app", fx_path("migrations")) ==
		  0);
	ck_assert(dbshift_runner_add_source(r, src) == 0);
	fx_db_exec(url, "CREATE TABLE dbshift_locks (lock_key VARCHAR(255) "
			"NOT NULL PRIMARY KEY, owner VARCHAR(255) NOT NULL, "
			"expires_at BIGINT NOT NULL)");
	fx_db_exec(url,
		   "INSERT INTO dbshift_locks VALUES "
		   "('dbshift:dbshift_migrations', 'elsewhere', 99999999999)");
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_ELOCK);
	ck_assert_ptr_nonnull(
		strstr(dbshift_runner_error(r)->message, "dbshift_locks"));
	fx_db_exec(url, "UPDATE dbshift_locks SET expires_at = 1");
	ck_assert_int_eq(up(r, NULL), 3);
	ck_query("SELECT count(*) FROM dbshift_locks", "0");
	dbshift_runner_free(r);
}
END_TEST

/* A no-transaction migration runs statement by statement where the driver
 * needs it, so that PostgreSQL's CREATE INDEX CONCURRENTLY (in its dialect
 * variant) works; the other dialects run the generic script. */
START_TEST(test_runner_no_transaction_variant)
{
	dbshift_runner *r;

	USE_DIALECT();
	fx_write("migrations/001_t.up.sql", "CREATE TABLE t (a INT);");
	fx_write("migrations/002_idx.up.sql", "-- dbshift:no-transaction\n"
					      "CREATE INDEX t_a ON t (a);\n");
	fx_write("migrations/002_idx.postgres.up.sql",
		 "-- dbshift:no-transaction\n"
		 "CREATE INDEX CONCURRENTLY t_a ON t (a);\n"
		 "CREATE INDEX CONCURRENTLY t_a2 ON t (a);\n");
	r = open_runner(0);
	ck_assert_int_eq(up(r, NULL), 2);
	ck_query("SELECT state FROM dbshift_migrations ORDER BY seq",
		 "applied,applied");
	dbshift_runner_free(r);
}
END_TEST

/* The no_transaction flag of the plan's steps, as "0,1,...". */
static const char *plan_no_transaction(dbshift_plan *plan)
{
	static char flags[64];
	size_t i, used = 0;

	flags[0] = '\0';
	for (i = 0; i < dbshift_plan_count(plan) && used + 3 < sizeof(flags);
	     i++)
		used += (size_t)snprintf(
			flags + used, sizeof(flags) - used, "%s%d",
			i ? "," : "",
			dbshift_plan_get(plan, i)->no_transaction);
	return flags;
}

/* A ".autocommit." file name runs its migration outside a transaction,
 * as -- dbshift:no-transaction does, where that file is the script picked
 * for the dialect: SQLite's VACUUM and PostgreSQL's CREATE/DROP INDEX
 * CONCURRENTLY fail inside one. */
START_TEST(test_runner_autocommit_marker)
{
	dbshift_runner *r;
	dbshift_plan *plan = NULL;
	int n = -1;

	USE_DIALECT();
	fx_write("migrations/001_t.up.sql", "CREATE TABLE t (a INT);");
	fx_write("migrations/001_t.down.sql", "DROP TABLE t;");
	fx_write("migrations/002_idx.autocommit.up.sql",
		 "CREATE INDEX t_a ON t (a);\n");
	fx_write("migrations/002_idx.autocommit.down.sql",
		 "DROP INDEX t_a ON t;\n");
	fx_write("migrations/002_idx.sqlite.autocommit.up.sql",
		 "CREATE INDEX t_a ON t (a);\nVACUUM;\n");
	fx_write("migrations/002_idx.sqlite.autocommit.down.sql",
		 "DROP INDEX t_a;\nVACUUM;\n");
	fx_write("migrations/002_idx.autocommit.postgres.up.sql",
		 "CREATE INDEX CONCURRENTLY t_a ON t (a);\n");
	fx_write("migrations/002_idx.postgres.autocommit.down.sql",
		 "DROP INDEX CONCURRENTLY t_a;\n");
	/* Only PostgreSQL's script carries the marker. */
	fx_write("migrations/003_k.up.sql", "CREATE TABLE k (a INT);");
	fx_write("migrations/003_k.postgres.autocommit.up.sql",
		 "CREATE TABLE k (a INT);");
	fx_write("migrations/003_k.down.sql", "DROP TABLE k;");
	r = open_runner(0);
	ck_assert_int_eq(dbshift_runner_plan_up(r, NULL, &plan), 0);
	ck_assert_str_eq(plan_no_transaction(plan),
			 _i == FX_POSTGRES ? "0,1,1" : "0,1,0");
	dbshift_plan_free(plan);
	ck_assert_int_eq(up(r, NULL), 3);
	ck_query("SELECT state FROM dbshift_migrations ORDER BY seq",
		 "applied,applied,applied");
	ck_assert_int_eq(dbshift_runner_down(r, -1, NULL, &n), 0);
	ck_assert_int_eq(n, 3);
	ck_assert(!has_table("t"));
	ck_query("SELECT COUNT(*) FROM dbshift_migrations", "0");
	dbshift_runner_free(r);
}
END_TEST

/* "-- atlas:txmode none" (Atlas-written golang-migrate sets) runs the
 * migration outside a transaction, as -- dbshift:no-transaction does. */
START_TEST(test_runner_atlas_txmode_none)
{
	dbshift_runner *r;
	dbshift_plan *plan = NULL;

	USE_DIALECT();
	fx_write("migrations/001_t.up.sql", "CREATE TABLE t (a INT);");
	fx_write("migrations/002_idx.up.sql", "-- atlas:txmode none\n\n"
					      "CREATE INDEX t_a ON t (a);\n");
	fx_write("migrations/002_idx.postgres.up.sql",
		 "-- atlas:txmode none\n\n"
		 "CREATE INDEX CONCURRENTLY t_a ON t (a);\n");
	r = open_runner(0);
	ck_assert_int_eq(dbshift_runner_plan_up(r, NULL, &plan), 0);
	ck_assert_str_eq(plan_no_transaction(plan), "0,1");
	dbshift_plan_free(plan);
	ck_assert_int_eq(up(r, NULL), 2);
	dbshift_runner_free(r);
}
END_TEST

/* Where the database tells the error's position in the statement
 * (SQLite's sqlite3_error_offset(), PostgreSQL's error position), the
 * message names the error's own line, not only the statement's first. */
START_TEST(test_runner_error_line)
{
	dbshift_runner *r;
	const dbshift_error *e;
	int positions;

	USE_DIALECT();
	positions = _i != FX_MYSQL; /* MySQL reports no position */
	fx_write("migrations/001_t.up.sql", "CREATE TABLE t (a INT);\n"
					    "SELECT a,\n"
					    "  a,\n"
					    "  nosuchcol\n"
					    "FROM t;\n");
	r = open_runner(0);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EMIGRATION);
	e = dbshift_runner_error(r);
	ck_assert_msg(strstr(e->message,
			     positions ? ", statement 2 from line 2, error at "
					 "line 4: " :
					 ", statement 2 at line 2: ") != NULL,
		      "%s", e->message);
	ck_assert_int_eq(e->statement_index, 2);
	ck_assert_str_eq(e->statement, "SELECT a,");
	dbshift_runner_free(r);
}
END_TEST

/* DBSHIFT_OPT_DOWN_AS_FAR_AS_POSSIBLE: down (and its plan) rolls back
 * down to the newest migration without a down script and stops there,
 * saying why, where the plain down refuses as a whole. */
START_TEST(test_runner_down_as_far_as_possible)
{
	dbshift_runner *r;
	dbshift_plan *plan = NULL;
	int n = -1;

	USE_DIALECT();
	fx_write("migrations/001_a.up.sql", "CREATE TABLE a (x INT);");
	fx_write("migrations/001_a.down.sql", "DROP TABLE a;");
	fx_write("migrations/002_b.up.sql", "CREATE TABLE b (x INT);");
	fx_write("migrations/003_c.up.sql", "CREATE TABLE c (x INT);");
	fx_write("migrations/003_c.down.sql", "DROP TABLE c;");
	fx_write("migrations/004_d.up.sql", "CREATE TABLE d (x INT);");
	fx_write("migrations/004_d.down.sql", "DROP TABLE d;");
	r = open_runner(0);
	ck_assert_int_eq(up(r, NULL), 4);
	ck_assert_int_eq(dbshift_runner_down(r, -1, NULL, &n), DBSHIFT_ENODOWN);
	ck_assert_int_eq(n, 0);
	ck_assert_str_eq(dbshift_runner_down_stop(r), "");
	dbshift_runner_free(r);

	r = open_runner(DBSHIFT_OPT_DOWN_AS_FAR_AS_POSSIBLE);
	ck_assert_int_eq(dbshift_runner_plan_down(r, -1, NULL, &plan), 0);
	ck_assert_uint_eq(dbshift_plan_count(plan), 2);
	ck_assert_str_eq(dbshift_plan_get(plan, 1)->id, "app/003");
	ck_assert_str_eq(dbshift_runner_down_stop(r),
			 "app/002 has no down script");
	dbshift_plan_free(plan);
	/* A count that ends before the stop does not stop short. */
	ck_assert_int_eq(dbshift_runner_down(r, 1, NULL, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(dbshift_runner_down_stop(r), "");
	ck_assert_int_eq(dbshift_runner_down(r, -1, NULL, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(dbshift_runner_down_stop(r),
			 "app/002 has no down script");
	ck_query("SELECT id FROM dbshift_migrations ORDER BY seq",
		 "app/001,app/002");
	ck_assert(!has_table("c") && !has_table("d"));
	ck_assert(has_table("b"));
	/* Nothing more can go: success, with the same stop. */
	ck_assert_int_eq(dbshift_runner_down(r, -1, NULL, &n), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_str_eq(dbshift_runner_down_stop(r),
			 "app/002 has no down script");
	/* redo does not stop short: it refuses. */
	ck_assert_int_eq(dbshift_runner_redo(r), DBSHIFT_ENODOWN);
	dbshift_runner_free(r);

	/* An applied migration gone from the sources also stops it. */
	fx_write("migrations/002_b.down.sql", "DROP TABLE b;");
	ck_assert_int_eq(unlink(fx_path("migrations/001_a.up.sql")), 0);
	ck_assert_int_eq(unlink(fx_path("migrations/001_a.down.sql")), 0);
	r = open_runner(DBSHIFT_OPT_DOWN_AS_FAR_AS_POSSIBLE);
	ck_assert_int_eq(dbshift_runner_down(r, -1, NULL, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(dbshift_runner_down_stop(r),
			 "app/001 is not in the sources");
	ck_query("SELECT id FROM dbshift_migrations ORDER BY seq", "app/001");
	dbshift_runner_free(r);
}
END_TEST

/* ---- scripts refused before anything runs ---- */

/* Expect `up` to fail with code and a message holding needle, with no
 * history row left behind (nothing to repair). */
static void up_refused(int code, const char *needle)
{
	dbshift_runner *r = open_runner(0);
	const char *msg;

	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), code);
	msg = dbshift_runner_error(r)->message;
	ck_assert_msg(strstr(msg, needle) != NULL, "'%s' not in: %s", needle,
		      msg);
	ck_query("SELECT COUNT(*) FROM dbshift_migrations", "0");
	dbshift_runner_free(r);
}

/* A NUL byte refuses the script before the dirty row (no-transaction)
 * or the transaction, on every dialect. */
START_TEST(test_runner_nul_byte_refused)
{
	static const char script[] = "-- dbshift:no-transaction\n"
				     "CREATE TABLE n1 (x INT);\n"
				     "SELECT 1 \0;\n";
	FILE *f;

	USE_DIALECT();
	fx_mkdir("migrations");
	f = fopen(fx_path("migrations/001_nul.up.sql"), "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(script, 1, sizeof(script) - 1, f),
			  sizeof(script) - 1);
	ck_assert_int_eq(fclose(f), 0);
	up_refused(DBSHIFT_ESOURCE, "NUL byte on line 3; nothing was run");
	ck_assert(!has_table("n1"));
}
END_TEST

/* A DELIMITER command the mysql client would refuse refuses the script
 * before anything is written: the core's splitter reads DELIMITER for the
 * MySQL driver (DBSHIFT_SPLIT_DELIMITER_COMMAND), so no dirty row is
 * written and nothing is sent. */
START_TEST(test_runner_bad_delimiter_refused)
{
	static const char *const scripts[] = {
		"CREATE TABLE d1 (x INT);\nDELIMITER\nSELECT 1;\n",
		"CREATE TABLE d1 (x INT);\nDELIMITER $$ extra\nSELECT 1$$\n",
		"CREATE TABLE d1 (x INT);\nDELIMITER '$$\nSELECT 1;\n",
	};
	size_t i;

	_i = FX_MYSQL;
	USE_DIALECT();
	for (i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
		fx_write("migrations/001_d.up.sql", scripts[i]);
		up_refused(DBSHIFT_ESOURCE,
			   "001_d.up.sql line 2: DELIMITER command: ");
		ck_assert(!has_table("d1"));
	}
}
END_TEST

/* COMMIT, BEGIN, END, ROLLBACK or START TRANSACTION inside a migration
 * dbshift runs in its own transaction is refused, naming the line; in a
 * no-transaction migration it runs. */
START_TEST(test_runner_transaction_control_refused)
{
	static const char *const scripts[] = {
		"CREATE TABLE t1 (x INT);\nCOMMIT;\nCREATE TABLE t2 (x INT);\n",
		"CREATE TABLE t1 (x INT);\n\nEND;\n",
		"BEGIN;\nCREATE TABLE t1 (x INT);\nCOMMIT;\nBEGIN;\n"
		"CREATE TABLE t2 (x INT);\nCOMMIT;\n",
		"CREATE TABLE t1 (x INT);\nROLLBACK;\n",
		"START TRANSACTION;\nCREATE TABLE t1 (x INT);\n",
	};
	static const char *const where[] = {
		"line 2: 'COMMIT'",
		"line 3: 'END'",
		"line 3: 'COMMIT'",
		"line 2: 'ROLLBACK'",
		"line 1: 'START TRANSACTION'",
	};
	dbshift_runner *r;
	size_t i;

	USE_DIALECT();
	if (!transactional_ddl)
		return; /* no transaction of dbshift's own to break */
	for (i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
		fx_write("migrations/001_tx.up.sql", scripts[i]);
		up_refused(DBSHIFT_ESOURCE, where[i]);
		ck_assert(!has_table("t1"));
	}
	/* Savepoints and BEGIN ... END bodies are not transaction
	 * control. */
	fx_write("migrations/001_tx.up.sql",
		 "CREATE TABLE t1 (x INT);\nSAVEPOINT s;\n"
		 "CREATE TABLE t2 (x INT);\nROLLBACK TO SAVEPOINT s;\n"
		 "RELEASE SAVEPOINT s;\n");
	r = open_runner(0);
	ck_assert_int_eq(up(r, NULL), 1);
	ck_assert(has_table("t1"));
	ck_assert(!has_table("t2"));
	dbshift_runner_free(r);
	/* The directive says dbshift must not wrap it: it runs. */
	fx_write("migrations/002_own.up.sql",
		 "-- dbshift:no-transaction\nBEGIN;\nCREATE TABLE t3 (x INT);\n"
		 "COMMIT;\n");
	r = open_runner(0);
	ck_assert_int_eq(up(r, NULL), 1);
	ck_assert(has_table("t3"));
	dbshift_runner_free(r);
}
END_TEST

/* A script wrapped whole in BEGIN; ... COMMIT; (Flyway and golang-migrate
 * sets) runs inside dbshift's transaction, wrapper dropped: atomic with
 * its history row, errors naming the file's own lines and statements. */
START_TEST(test_runner_wrapped_script)
{
	dbshift_runner *r;
	const dbshift_error *e;

	USE_DIALECT();
	fx_write("migrations/001_w.up.sql",
		 "-- a wrapped script\nBEGIN;\nCREATE TABLE w1 (x INT);\n"
		 "CREATE TABLE w2 (x INT);\nCOMMIT;\n");
	fx_write("migrations/002_w.up.sql",
		 "start transaction;\nCREATE TABLE w3 (x INT);\n"
		 "SELECT * FROM nowhere;\nend;\n");
	r = open_runner(0);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EMIGRATION);
	e = dbshift_runner_error(r);
	ck_assert(has_table("w1") && has_table("w2"));
	ck_assert_msg(strstr(e->message, "statement 3 at line 3") != NULL, "%s",
		      e->message);
	ck_assert_int_eq(e->statement_index, 3);
	ck_query("SELECT id FROM dbshift_migrations WHERE state = 'applied'",
		 "app/001");
	if (transactional_ddl)
		ck_assert(!has_table("w3"));
	dbshift_runner_free(r);
}
END_TEST

/* A custom source's malformed definitions are refused with a message. */
static int bad_load(void *state, dbshift_catalog *cat)
{
	static const char *const deps[] = {"app/1", NULL};
	dbshift_migration_def def = DBSHIFT_MIGRATION_DEF_INIT;
	int which = *(int *)state;

	def.migration_version = "1";
	def.up = "SELECT 1";
	def.up_len = 8;
	switch (which) {
	case 0:
		def.depends_on = deps;
		def.n_depends_on = 2;
		break;
	case 1:
		def.checksum = "0123456789012345678901234567890123456789"
			       "01234567890123456789012345";
		break;
	case 2:
		def.migration_version = "a/b";
		break;
	case 3:
		def.up = NULL;
		break;
	case 4:
		def.version = 0;
		break;
	case 5:
		def.version = DBSHIFT_MIGRATION_DEF_VERSION + 1;
		break;
	default:
		/* Reports a failure but returns 0: still a failure. */
		dbshift_catalog_fail(cat, DBSHIFT_ESOURCE, "x.sql",
				     "broken on purpose");
		return 0;
	}
	return dbshift_catalog_add(cat, &def);
}

START_TEST(test_runner_custom_source_bad_definitions)
{
	static const dbshift_source_ops ops = {DBSHIFT_SOURCE_OPS_VERSION,
					       bad_load, NULL};
	static const char *const want[] = {"NULL entry",
					   "longer than 64",
					   "invalid migration version",
					   "no up script",
					   "no version field",
					   "version 2 is newer",
					   "broken on purpose"};
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r;
	dbshift_source *src = NULL;
	int which = _i, rc;

	r = open_runner_opts(&opts);
	ck_assert_int_eq(dbshift_source_new(&src, "bad", &ops, &which), 0);
	ck_assert_int_eq(dbshift_runner_add_source(r, src), 0);
	rc = dbshift_runner_up(r, NULL, NULL);
	ck_assert(rc == DBSHIFT_EINVAL || rc == DBSHIFT_ESOURCE);
	ck_assert_ptr_nonnull(
		strstr(dbshift_runner_error(r)->message, want[_i]));
	dbshift_runner_free(r);
}
END_TEST

/* Every problem of every source is found in one run: up stops at the
 * first (before touching the database), validate lists them all. */
START_TEST(test_runner_every_source_problem)
{
	static const char *const bad[] = {"a/002_b_up.sql", "a/003.X.up.sql",
					  "a/004_a.up.sql", "a/007_e/upp.sql",
					  "b/001_c.up.sql", "b/002_d.up.sql"};
	dbshift_runner *r;
	dbshift_source *src = NULL;
	dbshift_findings *f = NULL;
	int problems = -1;
	size_t i, j;

	fx_write("a/001_ok.up.sql", "SELECT 1;");
	fx_write("a/002_b_up.sql", "SELECT 1;");
	fx_write("a/003.X.up.sql", "SELECT 1;");
	fx_write("a/004_a.up.sql", "SELECT 1;");
	fx_write("a/004_b.up.sql", "SELECT 1;");
	fx_write("a/007_e/upp.sql", "SELECT 1;");
	fx_write("b/001_c.up.sql", "-- dbshift:depends-on nowhere\nSELECT 1;");
	fx_write("b/002_d.up.sql", "-- dbshift:bogus\nSELECT 1;");
	r = fx_open_runner(fx_sqlite_url("t.db"));
	ck_assert_int_eq(dbshift_source_dir_new(&src, "a", fx_path("a")), 0);
	fx_add_source(r, src);
	ck_assert_int_eq(dbshift_source_dir_new(&src, "b", fx_path("b")), 0);
	fx_add_source(r, src);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_ESOURCE);
	ck_assert_ptr_nonnull(
		strstr(dbshift_runner_error(r)->message, "002_b_up.sql"));
	ck_assert_int_eq(access(fx_path("t.db"), F_OK), -1);
	ck_assert_int_eq(dbshift_runner_validate(r, &f, &problems), 0);
	ck_assert_int_eq(problems, 6);
	ck_assert_uint_eq(dbshift_findings_count(f), 6);
	for (i = 0; i < 6; i++) {
		const char *name = strrchr(bad[i], '/') + 1;

		for (j = 0; j < 6; j++)
			if (strstr(dbshift_findings_get(f, j)->message, name))
				break;
		ck_assert_msg(j < 6, "%s not reported", bad[i]);
		ck_assert_int_eq(dbshift_findings_get(f, j)->kind,
				 DBSHIFT_FINDING_SOURCE);
	}
	dbshift_findings_free(f);
	ck_assert_int_eq(access(fx_path("t.db"), F_OK), -1);
	dbshift_runner_free(r);
}
END_TEST

Suite *runner_suite(void)
{
	Suite *s = suite_create("runner");
	TCase *tc = tcase_create("every dialect");
	TCase *local = tcase_create("no database");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_runner_up_applies_all_in_order, 0,
			    FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_up_target_applies_only_dependencies,
			    0, FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_down_count_target_and_all, 0,
			    FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_down_needs_every_down_first, 0,
			    FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_redo, 0, FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_foreign_dialect_files, 0,
			    FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_failing_migration_is_rolled_back, 0,
			    FX_N_DIALECTS);
	tcase_add_loop_test(tc,
			    test_runner_no_transaction_failure_leaves_dirty_row,
			    0, FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_status_states, 0, FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_custom_table, 0, FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_seq_at_maximum, 0, FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_down_follows_seq, 0, FX_N_DIALECTS);
	tcase_add_test(tc, test_runner_sqlite_core_tables_without_rowid);
	tcase_add_loop_test(tc, test_runner_schema_qualified_table, 0,
			    FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_events, 0, FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_custom_source_with_code_migration,
			    0, FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_concurrent_up_advisory, 0,
			    FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_concurrent_up_lock_table, 0,
			    FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_lock_timeout, 0, FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_no_transaction_variant, 0,
			    FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_autocommit_marker, 0,
			    FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_error_line, 0, FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_atlas_txmode_none, 0,
			    FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_down_as_far_as_possible, 0,
			    FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_lock_table_lease, 0, FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_nul_byte_refused, 0, FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_transaction_control_refused, 0,
			    FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_runner_wrapped_script, 0, FX_N_DIALECTS);
	tcase_add_test(tc, test_runner_bad_delimiter_refused);
	suite_add_tcase(s, tc);
	tcase_add_test(local, test_runner_graph_errors_touch_no_database);
	tcase_add_test(local, test_runner_bad_options);
	tcase_add_test(local, test_runner_constructors_fail_clean);
	tcase_add_test(local, test_runner_options_zero_is_default);
	tcase_add_test(local, test_runner_source_structs_versioned);
	tcase_add_test(local, test_runner_every_source_problem);
	tcase_add_loop_test(local, test_runner_custom_source_bad_definitions, 0,
			    7);
	suite_add_tcase(s, local);
	return s;
}
