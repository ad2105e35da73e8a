/* SPDX-License-Identifier: MIT */
/*
 * check_realworld.c - unmodified migration sets of public projects
 * (../shared/realworld, see its SOURCES.md), applied and rolled back the
 * way their own tools do. The sets are not part of the tree: without them
 * (configure found none) these tests have nothing to run and pass.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dbshift/dbshift.h"
#include "dialects.h"
#include "fixture.h"
#include "suites.h"

#ifndef REALWORLD_DIR
#define REALWORLD_DIR ""
#endif

struct realworld_set {
	const char *folder;
	int dialect;
	int migrations;
	const char *prepare; /* what the project runs outside its migrations */
};

static const struct realworld_set sets[] = {
	{"chirpstack-sqlite", FX_SQLITE, 14, NULL},
	{"chirpstack-postgres", FX_POSTGRES, 31,
	 "CREATE EXTENSION IF NOT EXISTS pg_trgm; "
	 "CREATE EXTENSION IF NOT EXISTS hstore;"},
	{"openmeter-postgres", FX_POSTGRES, 269, NULL},
};

/* The set's folder, or NULL when the sets are absent. */
static const char *set_dir(const struct realworld_set *set)
{
	static char path[1024];
	struct stat st;

	if (REALWORLD_DIR[0] == '\0')
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", REALWORLD_DIR, set->folder);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? path : NULL;
}

static dbshift_runner *runner_on(const char *url, const char *dir)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r = NULL;
	dbshift_source *src = NULL;

	opts.url = url;
	opts.driver_dir = fx_driver_dir();
	ck_assert_msg(dbshift_runner_new(&r, &opts) == 0, "%s",
		      dbshift_runner_error(r)->message);
	ck_assert(dbshift_source_dir_new(&src, "app", dir) == 0);
	ck_assert(dbshift_runner_add_source(r, src) == 0);
	return r;
}

/* Apply the whole set, check the history, then roll everything back. */
START_TEST(test_realworld_up_and_down)
{
	const struct realworld_set *set = &sets[_i];
	const char *dir = set_dir(set);
	dbshift_runner *r;
	char url[1024], want[16], *count;
	int n = -1;

	if (dir == NULL || !fx_dialect_ready(set->dialect))
		return;
	snprintf(url, sizeof(url), "%s", fx_fresh_url(set->dialect));
	if (set->prepare != NULL)
		fx_db_exec(url, set->prepare);
	r = runner_on(url, dir);
	ck_assert_msg(dbshift_runner_up(r, NULL, &n) == 0, "%s up: %s",
		      set->folder, dbshift_runner_error(r)->message);
	ck_assert_int_eq(n, set->migrations);
	snprintf(want, sizeof(want), "%d", set->migrations);
	count = fx_db_query(url, "SELECT count(*) FROM dbshift_migrations "
				 "WHERE state = 'applied'");
	ck_assert_str_eq(count, want);
	free(count);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, &n), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_msg(dbshift_runner_down(r, -1, NULL, &n) == 0, "%s down: %s",
		      set->folder, dbshift_runner_error(r)->message);
	ck_assert_int_eq(n, set->migrations);
	count = fx_db_query(url, "SELECT count(*) FROM dbshift_migrations");
	ck_assert_str_eq(count, "0");
	free(count);
	dbshift_runner_free(r);
}
END_TEST

Suite *realworld_suite(void)
{
	Suite *s = suite_create("realworld");
	TCase *tc = tcase_create("sets");

	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_realworld_up_and_down, 0,
			    (int)(sizeof(sets) / sizeof(sets[0])));
	suite_add_tcase(s, tc);
	return s;
}
