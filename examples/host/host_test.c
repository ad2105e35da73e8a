/* SPDX-License-Identifier: MIT */
/*
 * host_test.c - the example host program's own migration test, written
 * with the test API of <dbshift/testing.h>: on a throwaway database it
 * applies libauthjobs' migrations and the host's, checks the tables they
 * make, proves with verify that every down undoes its up, and rolls
 * everything back.
 *
 *     host_test MIGRATIONS_DIR [DIALECT SERVER_URL]
 *
 * DIALECT defaults to sqlite (an in-memory database). Exit status: 0 when
 * every check passes, 1 otherwise (the failed check is printed).
 */
#include <stdio.h>
#include <string.h>

#include <dbshift/testing.h>

#include "authjobs.h"

/* Print the failed check and return 1. */
static int failed(dbshift_test_db *db, const char *what)
{
	fprintf(stderr, "host_test: %s: %s\n", what,
		dbshift_test_db_error(db)->message);
	return 1;
}

/* Verify the whole set on db: every down must restore the schema. */
static int verify_all(dbshift_test_db *db)
{
	dbshift_findings *findings = NULL;
	size_t i, n;
	int rc;

	rc = dbshift_runner_verify(dbshift_test_db_runner(db), NULL,
				   DBSHIFT_VERIFY_KEEP_GOING, &findings, NULL);
	if (rc != 0) {
		fprintf(stderr, "host_test: verify: %s\n",
			dbshift_runner_error(dbshift_test_db_runner(db))
				->message);
		return 1;
	}
	n = dbshift_findings_count(findings);
	for (i = 0; i < n; i++)
		fprintf(stderr, "host_test: %s\n",
			dbshift_findings_get(findings, i)->message);
	dbshift_findings_free(findings);
	return n > 0;
}

static int run(dbshift_test_db *db, const char *dir)
{
	dbshift_source *app = NULL;

	if (authjobs_add_sources(dbshift_test_db_runner(db)) != 0 ||
	    dbshift_source_dir_new(&app, "app", dir) != 0 ||
	    dbshift_runner_add_source(dbshift_test_db_runner(db), app) != 0)
		return failed(db, "sources");
	if (verify_all(db) != 0)
		return 1;
	if (dbshift_test_db_has_table(db, "profiles") != 1)
		return failed(db, "table profiles after up");
	if (dbshift_test_db_has_column(db, "profiles", "display_name") != 1)
		return failed(db, "column profiles.display_name after up");
	if (dbshift_test_db_down(db, -1) != 0)
		return failed(db, "down --all");
	if (dbshift_test_db_has_table(db, "profiles") != 0)
		return failed(db, "table profiles after down");
	return 0;
}

int main(int argc, char **argv)
{
	const char *dialect = argc > 2 ? argv[2] : "sqlite";
	const char *server = argc > 3 ? argv[3] : NULL;
	dbshift_test_db *db = NULL;
	int rc;

	if (argc < 2 || argc > 4) {
		fprintf(stderr,
			"usage: %s MIGRATIONS_DIR [DIALECT SERVER_URL]\n",
			argv[0]);
		return 2;
	}
	if (dbshift_test_db_open(&db, dialect, server, NULL) != 0)
		rc = failed(db, "open");
	else
		rc = run(db, argv[1]);
	dbshift_test_db_free(db);
	if (rc == 0)
		printf("host_test: ok\n");
	return rc;
}
