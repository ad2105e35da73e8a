/* SPDX-License-Identifier: MIT */
/*
 * check_realworld.c - unmodified migration sets of public projects
 * (../shared/realworld, see its SOURCES.md), applied and rolled back the
 * way their own tools do, and run through verify, whose findings (the
 * projects' own down scripts are not exact inverses) are asserted. The sets are
 * not part of the tree: without them (configure found none) these tests have
 * nothing to run and pass.
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

/* A runner on a fresh database of the set's dialect, prepared as the
 * project prepares it; NULL when the set or its server is absent. url
 * (size bytes) receives the database's URL. */
static dbshift_runner *set_open(const struct realworld_set *set, char *url,
				size_t size)
{
	const char *dir = set_dir(set);

	if (dir == NULL || !fx_dialect_ready(set->dialect))
		return NULL;
	snprintf(url, size, "%s", fx_fresh_url(set->dialect));
	if (set->prepare != NULL)
		fx_db_exec(url, set->prepare);
	return runner_on(url, dir);
}

/* Apply the whole set, check the history, then roll everything back. */
START_TEST(test_realworld_up_and_down)
{
	const struct realworld_set *set = &sets[_i];
	char url[1024], want[16], *count;
	dbshift_runner *r = set_open(set, url, sizeof(url));
	int n = -1;

	if (r == NULL)
		return;
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

/*
 * What verify finds in each set: the down scripts of these projects are
 * not all exact inverses of their ups. Each line is a migration and its
 * number of findings, in order, then one finding in full. Found by
 * verify and checked by reading the scripts (a down that restores a
 * column without its default, indexes dropped by a down that rebuilds a
 * table, a backup table left behind on purpose, ...).
 */
static const char *const known_differences[] = {
	/* chirpstack-sqlite */
	"app/2025-01-13-163304 13\n"
	"app/2025-12-08-135428-0000 11\n"
	"app/2025-12-08-135428-0000: down drops index "
	"idx_device_profile_tenant_id on device_profile",
	/* chirpstack-postgres */
	"app/2022-04-26-153628 1\n"
	"app/2025-01-13-152218 31\n"
	"app/2022-04-26-153628: down changes column "
	"device_profile.payload_encoder_config: default ''::text (was none)",
	/* openmeter-postgres */
	"app/20240924164504 1\n"
	"app/20240926164233 1\n"
	"app/20241024122007 1\n"
	"app/20250304071554 2\n"
	"app/20250306040407 1\n"
	"app/20250605102416 1\n"
	"app/20250618194112 1\n"
	"app/20260316165652 5\n"
	"app/20260316165852 5\n"
	"app/20260716150455 7\n"
	"app/20260716150455: down leaves table "
	"om_migration_backup_20260716150455_gathering_details",
};

/* "ID COUNT" per migration with findings, in order, then the finding of
 * the last set's sample; every finding must be a schema difference. */
static char *summarise(const dbshift_findings *f, const char *sample)
{
	static char text[4096];
	size_t i, len = 0, n = dbshift_findings_count(f);
	const char *id = NULL, *found = "(sample not found)";
	int count = 0;

	text[0] = '\0';
	for (i = 0; i <= n; i++) {
		const dbshift_finding *x =
			i < n ? dbshift_findings_get(f, i) : NULL;

		if (x != NULL) {
			ck_assert_msg(x->kind == DBSHIFT_FINDING_SCHEMA, "%s",
				      x->message);
			if (strcmp(x->message, sample) == 0)
				found = x->message;
		}
		if (id != NULL && (x == NULL || strcmp(x->id, id) != 0)) {
			len += (size_t)snprintf(text + len, sizeof(text) - len,
						"%s %d\n", id, count);
			count = 0;
		}
		if (x != NULL) {
			id = x->id;
			count++;
		}
	}
	snprintf(text + len, sizeof(text) - len, "%s", found);
	return text;
}

/* Every set through verify, on its dialect, every difference reported. */
START_TEST(test_realworld_verify)
{
	const struct realworld_set *set = &sets[_i];
	dbshift_findings *f = NULL;
	const char *sample;
	char url[1024];
	dbshift_runner *r = set_open(set, url, sizeof(url));
	int n_checked = 0;

	if (r == NULL)
		return;
	ck_assert_msg(dbshift_runner_verify(r, NULL, DBSHIFT_VERIFY_KEEP_GOING,
					    &f, &n_checked) == 0,
		      "%s verify: %s", set->folder,
		      dbshift_runner_error(r)->message);
	ck_assert_int_eq(n_checked, set->migrations);
	sample = strrchr(known_differences[_i], '\n') + 1;
	ck_assert_str_eq(summarise(f, sample), known_differences[_i]);
	dbshift_findings_free(f);
	dbshift_runner_free(r);
}
END_TEST

/*
 * make bench's table of the real-world sets (bench/run.sh), on a small set
 * in the shape of chirpstack-sqlite: the sqlite3 client and dbshift each
 * apply it and roll it back, and the row holds both timings. PostgreSQL
 * rows are left out without a server, the generated migrations with
 * "none", and dbmate is not fetched.
 */
START_TEST(test_realworld_bench_table)
{
	char rw[1100];
	const char *env[6];
	const char *argv[] = {"/bin/sh", TOP_SRCDIR "/bench/run.sh",
			      TOP_BUILDDIR, "none", NULL};
	fx_run run;

	fx_write("rw/chirpstack-sqlite/00000000000000_initial/up.sql",
		 "CREATE TABLE a (x INT);\nCREATE TABLE b (y INT);\n");
	fx_write("rw/chirpstack-sqlite/00000000000000_initial/down.sql",
		 "DROP TABLE b;\nDROP TABLE a;\n");
	fx_write("rw/chirpstack-sqlite/2024-09-17-104125_c/up.sql",
		 "CREATE TABLE c (z INT);\n");
	fx_write("rw/chirpstack-sqlite/2024-09-17-104125_c/down.sql",
		 "DROP TABLE c;\n");
	snprintf(rw, sizeof(rw), "DBSHIFT_REALWORLD=%s", fx_path("rw"));
	env[0] = rw;
	env[1] = "DBSHIFT_BENCH_INNER=1"; /* no servers */
	env[2] = "DBSHIFT_TEST_PG_URL=";
	env[3] = "DBSHIFT_TEST_MYSQL_URL=";
	env[4] = "DBSHIFT_BENCH_DBMATE=/bin/true";
	env[5] = NULL;
	run = fx_exec_env(env, argv);
	ck_assert_msg(run.status == 0, "exit %d\n%s\n%s", run.status, run.out,
		      run.err);
	ck_assert_has(run.out, "| set | dialect | migrations | raw client up "
			       "| dbshift up | vs raw | raw client down | "
			       "dbshift down --all | vs raw |");
	ck_assert_has(run.out, "| chirpstack-sqlite | SQLite | 2 | ");
	ck_assert_lacks(run.out, "PostgreSQL |");
	ck_assert_lacks(run.out, "| N |");
	fx_run_free(&run);
}
END_TEST

Suite *realworld_suite(void)
{
	Suite *s = suite_create("realworld");
	TCase *tc = tcase_create("sets");

	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_realworld_up_and_down, 0,
			    (int)(sizeof(sets) / sizeof(sets[0])));
	tcase_add_loop_test(tc, test_realworld_verify, 0,
			    (int)(sizeof(sets) / sizeof(sets[0])));
	tcase_add_test(tc, test_realworld_bench_table);
	suite_add_tcase(s, tc);
	return s;
}
