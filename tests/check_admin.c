/* SPDX-License-Identifier: MIT */
/*
 * check_admin.c - plan, validate, repair, baseline and force through the
 * public API on every dialect: what they report, what they change, and
 * what they refuse. Plans and validation must change nothing.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbshift/dbshift.h"
#include "dbshift/driver.h"
#include "dialects.h"
#include "fixture.h"
#include "suites.h"

static char url[1024];

#define USE_DIALECT()                                                          \
	do {                                                                   \
		if (!fx_dialect_ready(_i))                                     \
			return;                                                \
		snprintf(url, sizeof(url), "%s", fx_fresh_url(_i));            \
	} while (0)

static dbshift_runner *runner(unsigned int flags)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r = NULL;
	dbshift_source *src = NULL;

	opts.url = url;
	opts.driver_dir = fx_driver_dir();
	opts.flags = flags;
	ck_assert_msg(dbshift_runner_new(&r, &opts) == 0, "%s",
		      dbshift_runner_error(r)->message);
	ck_assert(dbshift_source_dir_new(&src, "app", fx_path("m")) == 0);
	ck_assert(dbshift_runner_add_source(r, src) == 0);
	return r;
}

static void write_set(void)
{
	fx_write("m/001_users.up.sql", "CREATE TABLE users (id INT);\n");
	fx_write("m/001_users.down.sql", "DROP TABLE users;\n");
	fx_write("m/002_posts.up.sql", "CREATE TABLE posts (id INT);\n");
	fx_write("m/002_posts.down.sql", "DROP TABLE posts;\n");
	fx_write("m/010_tags.up.sql", "-- dbshift:depends-on app/001\n"
				      "CREATE TABLE tags (id INT);\n");
	fx_write("m/010_tags.down.sql", "DROP TABLE tags;\n");
}

static char *history(void)
{
	if (!fx_db_has_table(url, "dbshift_migrations"))
		return strdup("(no table)");
	return fx_db_query(url,
			   "SELECT id FROM dbshift_migrations ORDER BY seq");
}

static void up_ok(dbshift_runner *r, const char *target)
{
	ck_assert_msg(dbshift_runner_up(r, target, NULL) == 0, "%s",
		      dbshift_runner_error(r)->message);
}

START_TEST(test_admin_plan_changes_nothing)
{
	dbshift_runner *r;
	dbshift_plan *plan = NULL;
	const dbshift_plan_step *step;
	char *before, *after;

	USE_DIALECT();
	write_set();
	r = runner(0);
	ck_assert_int_eq(dbshift_runner_plan_up(r, NULL, &plan), 0);
	ck_assert_uint_eq(dbshift_plan_count(plan), 3);
	step = dbshift_plan_get(plan, 2);
	ck_assert_str_eq(step->id, "app/010");
	ck_assert_str_eq(step->name, "tags");
	ck_assert_int_eq(step->direction, DBSHIFT_UP);
	ck_assert_ptr_nonnull(strstr(step->sql, "CREATE TABLE tags"));
	ck_assert_ptr_nonnull(strstr(step->file, "010_tags.up.sql"));
	ck_assert_uint_eq(step->n_depends_on, 1);
	ck_assert_str_eq(step->depends_on[0], "app/001");
	ck_assert_ptr_null(dbshift_plan_get(plan, 3));
	dbshift_plan_free(plan);
	/* Nothing was created, not even the history table. */
	ck_assert(!fx_db_has_table(url, "dbshift_migrations"));
	ck_assert(!fx_db_has_table(url, "users"));

	up_ok(r, "001");
	ck_assert_int_eq(dbshift_runner_plan_up(r, "app/010", &plan), 0);
	ck_assert_uint_eq(dbshift_plan_count(plan), 2); /* 002 comes first */
	dbshift_plan_free(plan);
	up_ok(r, NULL);
	before = history();
	ck_assert_int_eq(dbshift_runner_plan_down(r, 2, NULL, &plan), 0);
	ck_assert_uint_eq(dbshift_plan_count(plan), 2);
	ck_assert_str_eq(dbshift_plan_get(plan, 0)->id, "app/010");
	ck_assert_int_eq(dbshift_plan_get(plan, 0)->direction, DBSHIFT_DOWN);
	ck_assert_ptr_nonnull(
		strstr(dbshift_plan_get(plan, 0)->sql, "DROP TABLE tags"));
	dbshift_plan_free(plan);
	after = history();
	ck_assert_str_eq(before, after);
	ck_assert(fx_db_has_table(url, "tags"));
	free(before);
	free(after);
	ck_assert_int_eq(dbshift_runner_plan_up(r, NULL, NULL), DBSHIFT_EINVAL);
	ck_assert_int_eq(dbshift_runner_plan_down(r, 1, "app/9", &plan),
			 DBSHIFT_ENOTFOUND);
	dbshift_runner_free(r);
}
END_TEST

/* Find the finding of kind for id, or fail. */
static const dbshift_finding *finding(const dbshift_findings *f,
				      dbshift_finding_kind kind, const char *id)
{
	size_t i;

	for (i = 0; i < dbshift_findings_count(f); i++) {
		const dbshift_finding *x = dbshift_findings_get(f, i);

		if (x->kind == kind && strcmp(x->id, id) == 0)
			return x;
	}
	ck_abort_msg("no %s finding for %s", dbshift_finding_kind_name(kind),
		     id);
	return NULL;
}

START_TEST(test_admin_validate_and_repair)
{
	dbshift_runner *r;
	dbshift_findings *f = NULL;
	const dbshift_finding *x;
	int problems = -1, changes = -1;

	USE_DIALECT();
	write_set();
	r = runner(0);
	up_ok(r, NULL);
	dbshift_runner_free(r);
	/* Written after 010 was applied: it sorts before it. */
	fx_write("m/003_nodown.up.sql", "SELECT 1;");
	r = runner(0);
	ck_assert_int_eq(dbshift_runner_validate(r, &f, &problems), 0);
	ck_assert_int_eq(problems, 1); /* 003: out of order */
	finding(f, DBSHIFT_FINDING_OUT_OF_ORDER, "app/003");
	x = finding(f, DBSHIFT_FINDING_NO_DOWN, "app/003");
	ck_assert(x->warning);
	dbshift_findings_free(f);
	dbshift_runner_free(r);

	/* Change an applied script, drop one from the sources. */
	fx_write("m/001_users.up.sql", "CREATE TABLE users (id BIGINT);\n");
	unlink(fx_path("m/003_nodown.up.sql"));
	unlink(fx_path("m/002_posts.up.sql"));
	unlink(fx_path("m/002_posts.down.sql"));
	r = runner(0);
	ck_assert_int_eq(dbshift_runner_validate(r, &f, &problems), 0);
	ck_assert_int_eq(problems, 2);
	x = finding(f, DBSHIFT_FINDING_CHANGED, "app/001");
	ck_assert_ptr_nonnull(strstr(x->message, "applied "));
	finding(f, DBSHIFT_FINDING_MISSING, "app/002");
	ck_assert_str_eq(dbshift_finding_kind_name(x->kind), "changed");
	dbshift_findings_free(f);

	/* repair records the new checksum; the missing row stays. */
	ck_assert_int_eq(dbshift_runner_repair(r, NULL, NULL, &changes), 0);
	ck_assert_int_eq(changes, 1);
	ck_assert_int_eq(dbshift_runner_validate(r, &f, &problems), 0);
	ck_assert_int_eq(problems, 1);
	finding(f, DBSHIFT_FINDING_MISSING, "app/002");
	dbshift_findings_free(f);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), 0);
	dbshift_runner_free(r);

	/* A cycle is a finding, not an error. */
	fx_write("m/001_users.up.sql",
		 "-- dbshift:depends-on app/010\nSELECT 1;");
	r = runner(0);
	ck_assert_int_eq(dbshift_runner_validate(r, &f, &problems), 0);
	ck_assert_int_eq(problems, 1);
	ck_assert_int_eq(dbshift_findings_get(f, 0)->kind,
			 DBSHIFT_FINDING_SOURCE);
	ck_assert_ptr_nonnull(
		strstr(dbshift_findings_get(f, 0)->message, "cycle"));
	dbshift_findings_free(f);
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_admin_repair_dirty_runs_again)
{
	dbshift_runner *r;
	dbshift_findings *f = NULL;
	struct fx_changes c = {""};
	int problems = -1, changes = -1;

	USE_DIALECT();
	fx_write("m/001_a.up.sql", "-- dbshift:no-transaction\n"
				   "CREATE TABLE a (x INT);\n"
				   "CREATE TABLE b (x INT);\n"
				   "CREATE TABLE a (x INT);\n");
	r = runner(0);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EMIGRATION);
	ck_assert_int_eq(dbshift_runner_validate(r, &f, &problems), 0);
	ck_assert_int_eq(problems, 1);
	ck_assert_ptr_nonnull(
		strstr(finding(f, DBSHIFT_FINDING_DIRTY, "app/001")->message,
		       "statement 3"));
	dbshift_findings_free(f);
	/* The operator undoes the partial change and fixes the script. */
	fx_db_exec(url, "DROP TABLE a");
	fx_db_exec(url, "DROP TABLE b");
	fx_write("m/001_a.up.sql", "-- dbshift:no-transaction\n"
				   "CREATE TABLE a (x INT);\n"
				   "CREATE TABLE b (x INT);\n");
	ck_assert_int_eq(
		dbshift_runner_repair(r, fx_record_change, &c, &changes), 0);
	ck_assert_int_eq(changes, 1);
	ck_assert_ptr_nonnull(strstr(c.log, "app/001: removed dirty row"));
	up_ok(r, NULL);
	ck_assert(fx_db_has_table(url, "b"));
	ck_assert_int_eq(dbshift_runner_repair(r, NULL, NULL, &changes), 0);
	ck_assert_int_eq(changes, 0);
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_admin_baseline)
{
	dbshift_runner *r;
	struct fx_changes c = {""};
	char *rows;
	int n = -1;

	USE_DIALECT();
	write_set();
	/* An existing database: the first two tables exist already. */
	fx_db_exec(url, "CREATE TABLE users (id INT)");
	fx_db_exec(url, "CREATE TABLE posts (id INT)");
	r = runner(0);
	ck_assert_int_eq(
		dbshift_runner_baseline(r, "app/002", fx_record_change, &c, &n),
		0);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(c.log, "app/001: recorded as applied (baseline); "
				"app/002: recorded as applied (baseline)");
	rows = history();
	ck_assert_str_eq(rows, "app/001,app/002");
	free(rows);
	up_ok(r, NULL); /* only 010 runs */
	ck_assert(fx_db_has_table(url, "tags"));
	/* Again: already recorded the same way, nothing to do. */
	ck_assert_int_eq(dbshift_runner_baseline(r, "app/010", NULL, NULL, &n),
			 0);
	ck_assert_int_eq(n, 0);
	dbshift_runner_free(r);
	/* Recorded differently: refused, nothing written. */
	fx_write("m/001_users.up.sql", "CREATE TABLE users (id BIGINT);\n");
	fx_write("m/020_more.up.sql", "SELECT 1;");
	r = runner(0);
	ck_assert_int_eq(dbshift_runner_baseline(r, "app/020", NULL, NULL, &n),
			 DBSHIFT_ESTATE);
	ck_assert_str_eq(dbshift_runner_error(r)->migration, "app/001");
	ck_assert_int_eq(n, 0);
	rows = history();
	ck_assert_str_eq(rows, "app/001,app/002,app/010");
	free(rows);
	ck_assert_int_eq(dbshift_runner_baseline(r, NULL, NULL, NULL, &n),
			 DBSHIFT_EINVAL);
	ck_assert_int_eq(dbshift_runner_baseline(r, "app/99", NULL, NULL, &n),
			 DBSHIFT_ENOTFOUND);
	dbshift_runner_free(r);
}
END_TEST

/* A checkout with CRLF line endings does not look changed; a real edit
 * does, and up refuses it naming both checksums until repair. */
START_TEST(test_admin_checksum_crlf_and_changes)
{
	dbshift_runner *r;
	dbshift_status *st = NULL;
	char *applied;

	USE_DIALECT();
	fx_write("m/001_a.up.sql", "CREATE TABLE a (x INT);\nSELECT 1;\n");
	r = runner(0);
	up_ok(r, NULL);
	dbshift_runner_free(r);
	fx_write("m/001_a.up.sql", "CREATE TABLE a (x INT);\r\nSELECT 1;\r\n");
	fx_write("m/002_b.up.sql", "SELECT 2;");
	r = runner(0);
	ck_assert_int_eq(dbshift_runner_status(r, &st), 0);
	ck_assert_int_eq(dbshift_status_get(st, 0)->state,
			 DBSHIFT_STATE_APPLIED);
	dbshift_status_free(st);
	up_ok(r, NULL);
	dbshift_runner_free(r);

	fx_write("m/001_a.up.sql", "CREATE TABLE a (x BIGINT);\n");
	fx_write("m/003_c.up.sql", "SELECT 3;");
	r = runner(0);
	applied = fx_db_query(url, "SELECT checksum FROM dbshift_migrations "
				   "WHERE id = 'app/001'");
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_ECHECKSUM);
	ck_assert_ptr_nonnull(
		strstr(dbshift_runner_error(r)->message, applied));
	free(applied);
	ck_assert_int_eq(dbshift_runner_plan_up(r, NULL, NULL), DBSHIFT_EINVAL);
	dbshift_runner_free(r);
	/* --ignore-checksums lets one run through. */
	r = runner(DBSHIFT_OPT_IGNORE_CHECKSUMS);
	up_ok(r, NULL);
	dbshift_runner_free(r);
	applied = history();
	ck_assert_str_eq(applied, "app/001,app/002,app/003");
	free(applied);
}
END_TEST

/* A migration limited to contexts runs only when the run names one of
 * them; otherwise it is skipped and shown as skipped. */
START_TEST(test_admin_contexts)
{
	static const char *const test_ctx[] = {"test"};
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r;
	dbshift_source *src = NULL;
	dbshift_status *st = NULL;
	char *rows;

	USE_DIALECT();
	fx_write("m/001_t.up.sql", "CREATE TABLE t (a INT);\n");
	fx_write("m/002_seed.up.sql", "-- dbshift:contexts test dev\n"
				      "INSERT INTO t VALUES (42);\n");
	fx_write("m/003_u.up.sql", "CREATE TABLE u (a INT);\n");
	r = runner(0);
	up_ok(r, NULL);
	ck_assert_int_eq(dbshift_runner_status(r, &st), 0);
	ck_assert_int_eq(dbshift_status_get(st, 1)->state,
			 DBSHIFT_STATE_SKIPPED);
	dbshift_status_free(st);
	rows = fx_db_query(url, "SELECT count(*) FROM t");
	ck_assert_str_eq(rows, "0");
	free(rows);
	dbshift_runner_free(r);

	opts.url = url;
	opts.driver_dir = fx_driver_dir();
	opts.contexts = test_ctx;
	opts.n_contexts = 1;
	ck_assert_int_eq(dbshift_runner_new(&r, &opts), 0);
	ck_assert(dbshift_source_dir_new(&src, "app", fx_path("m")) == 0);
	ck_assert(dbshift_runner_add_source(r, src) == 0);
	up_ok(r, NULL);
	rows = fx_db_query(url, "SELECT a FROM t");
	ck_assert_str_eq(rows, "42");
	free(rows);
	dbshift_runner_free(r);
}
END_TEST

Suite *admin_suite(void)
{
	Suite *s = suite_create("admin");
	TCase *tc = tcase_create("every dialect");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_admin_plan_changes_nothing, 0,
			    FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_admin_validate_and_repair, 0,
			    FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_admin_repair_dirty_runs_again, 0,
			    FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_admin_baseline, 0, FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_admin_checksum_crlf_and_changes, 0,
			    FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_admin_contexts, 0, FX_N_DIALECTS);
	suite_add_tcase(s, tc);
	return s;
}
