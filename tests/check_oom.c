/* SPDX-License-Identifier: MIT */
/*
 * check_oom.c - every allocation of the core may fail. The test program is
 * linked with -Wl,--wrap for malloc, calloc and realloc, which reroutes the
 * calls made by the core (linked in statically) through the wrappers here;
 * a scenario is then run again and again with its 1st, 2nd, ... n-th
 * allocation failing, until it runs through without meeting the failure.
 * Each run must end in success or DBSHIFT_ENOMEM (or the error the
 * failure caused, reported as such), never in a crash, and under the
 * sanitizer build never leak.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbshift/dbshift.h"
#include "fixture.h"
#include "suites.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *ptr, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *ptr, size_t size);

static long countdown = -1; /* allocations left before the failure */
static int failed;	    /* the armed failure happened */

static int should_fail(void)
{
	if (countdown < 0)
		return 0;
	if (countdown-- > 0)
		return 0;
	failed = 1;
	return 1;
}

void *__wrap_malloc(size_t size)
{
	return should_fail() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *ptr, size_t size)
{
	return should_fail() ? NULL : __real_realloc(ptr, size);
}

static long armed_at;

static void arm(long n)
{
	armed_at = n;
	failed = 0;
	countdown = n;
}

static void disarm(void)
{
	countdown = -1;
}

static void write_migrations(void)
{
	fx_write("m/001_users.up.sql",
		 "-- dbshift:depends-on lib/1\n"
		 "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n");
	fx_write("m/001_users.down.sql", "DROP TABLE users;\n");
	fx_write("m/001_users.postgres.up.sql", "CREATE TABLE users (id INT);");
	fx_write("m/002_posts/up.sql", "CREATE TABLE posts (id INT);");
	fx_write("m/002_posts/down.sql", "DROP TABLE posts;");
	fx_write("m/003_skip.up.sql", "-- dbshift:dialects mysql\nSELECT 1;");
	fx_write("m/004_ctx.up.sql", "-- dbshift:contexts dev\nSELECT 1;");
	fx_write("m/README", "ignored");
	fx_write("lib/1_base.up.sql", "CREATE TABLE base (id INT);");
	fx_write("lib/1_base.down.sql", "DROP TABLE base;");
}

/* Build a runner with two sources; returns the code of the first failure. */
static int make_runner(dbshift_runner **out, const char *url)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	static const char *const contexts[] = {"test"};
	dbshift_source *app = NULL, *lib = NULL;
	int rc;

	opts.url = url;
	opts.driver_dir = fx_driver_dir();
	opts.contexts = contexts;
	opts.n_contexts = 1;
	opts.table = "hist";
	rc = dbshift_runner_new(out, &opts);
	if (rc == 0)
		rc = dbshift_source_dir_new(&app, "app", fx_path("m"));
	if (rc == 0)
		rc = dbshift_runner_add_source(*out, app);
	if (rc == 0)
		rc = dbshift_source_dir_new(&lib, NULL, fx_path("lib"));
	if (rc == 0)
		rc = dbshift_runner_add_source(*out, lib);
	return rc;
}

/* The read-only commands and repair, on an up-to-date database. */
static int plans_and_checks(dbshift_runner *r)
{
	dbshift_plan *plan = NULL;
	dbshift_findings *findings = NULL;
	int rc;

	rc = dbshift_runner_plan_up(r, NULL, &plan);
	dbshift_plan_free(plan);
	plan = NULL;
	if (rc == 0)
		rc = dbshift_runner_plan_down(r, 2, NULL, &plan);
	dbshift_plan_free(plan);
	if (rc == 0)
		rc = dbshift_runner_validate(r, &findings, NULL);
	dbshift_findings_free(findings);
	if (rc == 0)
		rc = dbshift_runner_repair(r, NULL, NULL, NULL);
	return rc;
}

/* One pass of the scenario: everything a run does, on a fresh file. */
static int scenario(const char *url)
{
	dbshift_runner *r = NULL;
	dbshift_status *st = NULL;
	int rc;

	rc = make_runner(&r, url);
	if (rc != 0) {
		/* Constructors without a runner report through error_last. */
		ck_assert(dbshift_error_last()->message[0] != '\0' ||
			  dbshift_runner_error(r)->message[0] != '\0');
		dbshift_runner_free(r);
		return rc;
	}
	rc = dbshift_runner_status(r, &st);
	dbshift_status_free(st);
	st = NULL;
	if (rc == 0)
		rc = dbshift_runner_up(r, "app/001", NULL);
	if (rc == 0)
		rc = dbshift_runner_up(r, NULL, NULL);
	if (rc == 0)
		rc = dbshift_runner_redo(r);
	if (rc == 0)
		rc = dbshift_runner_status(r, &st);
	dbshift_status_free(st);
	if (rc == 0)
		rc = plans_and_checks(r);
	if (rc == 0)
		rc = dbshift_runner_down(r, 0, "lib/1", NULL);
	if (rc == 0)
		rc = dbshift_runner_baseline(r, "app/002", NULL, NULL, NULL);
	if (rc != 0 && r != NULL)
		ck_assert_msg(dbshift_runner_error(r)->message[0] != '\0',
			      "failure %d without a message (allocation %ld)",
			      rc, armed_at);
	dbshift_runner_free(r);
	return rc;
}

START_TEST(test_oom_every_allocation)
{
	char url[1100];
	long n;
	int rc, enomem = 0;

	write_migrations();
	/* One in-memory database per runner: no file I/O in the loop. */
	snprintf(url, sizeof(url), "sqlite::memory:");
	for (n = 0;; n++) {
		arm(n);
		rc = scenario(url);
		disarm();
		if (!failed) {
			ck_assert_msg(rc == 0, "clean run failed: %d", rc);
			break;
		}
		enomem += rc == DBSHIFT_ENOMEM;
		ck_assert_msg(n < 100000, "scenario never completes");
	}
	/* The scenario allocates; most failures surface as ENOMEM. */
	ck_assert_int_gt(n, 50);
	ck_assert_int_gt(enomem, n / 4);
}
END_TEST

/* A dependency cycle and a duplicate are still reported, or ENOMEM. */
START_TEST(test_oom_graph_errors)
{
	dbshift_runner *r;
	long n;
	int rc;

	fx_write("m/001_a.up.sql", "-- dbshift:depends-on app/002\nSELECT 1;");
	fx_write("m/002_b.up.sql", "SELECT 1;");
	fx_write("lib/1_x.up.sql", "SELECT 1;");
	for (n = 0;; n++) {
		r = NULL;
		arm(n);
		rc = make_runner(&r, fx_sqlite_url("g.db"));
		if (rc == 0)
			rc = dbshift_runner_up(r, NULL, NULL);
		disarm();
		ck_assert_msg(rc == DBSHIFT_EGRAPH || rc == DBSHIFT_ENOMEM ||
				      (rc == DBSHIFT_ESOURCE && failed),
			      "allocation %ld: %d %s", n, rc,
			      r ? dbshift_runner_error(r)->message : "");
		dbshift_runner_free(r);
		if (!failed)
			break;
	}
	ck_assert_int_eq(rc, DBSHIFT_EGRAPH);
}
END_TEST

Suite *oom_suite(void)
{
	Suite *s = suite_create("oom");
	TCase *tc = tcase_create("allocation failures");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_oom_every_allocation);
	tcase_add_test(tc, test_oom_graph_errors);
	suite_add_tcase(s, tc);
	return s;
}
