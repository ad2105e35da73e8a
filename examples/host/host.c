/* SPDX-License-Identifier: MIT */
/*
 * host.c - an example program that uses libauthjobs: it composes the
 * library's embedded migration sources ("auth", "jobs") with its own
 * directory of migrations ("app", whose scripts depend on the library's
 * tables), brings the database up to date at start-up and prints the
 * status of every migration.
 *
 *     host URL [MIGRATIONS_DIR]
 *
 * MIGRATIONS_DIR defaults to ./migrations. Exit status: 0 when the
 * database is up to date, 1 when a migration or the database failed,
 * 2 for bad usage or bad migration files.
 */
#include <stdio.h>

#include <dbshift/dbshift.h>

#include "authjobs.h"

/* The exit status for a dbshift return code. */
static int exit_status(int rc)
{
	switch (rc) {
	case DBSHIFT_OK:
		return 0;
	case DBSHIFT_EINVAL:
	case DBSHIFT_EURL:
	case DBSHIFT_ESOURCE:
	case DBSHIFT_EGRAPH:
		return 2;
	default:
		return 1;
	}
}

/* Print every migration of the sources and history with its state. */
static int print_status(dbshift_runner *runner)
{
	const dbshift_migration_info *info;
	dbshift_status *status = NULL;
	size_t i;
	int rc;

	rc = dbshift_runner_status(runner, &status);
	if (rc != 0)
		return rc;
	for (i = 0; i < dbshift_status_count(status); i++) {
		info = dbshift_status_get(status, i);
		printf("%-16s %-12s %s\n", info->id,
		       dbshift_state_name(info->state), info->name);
	}
	dbshift_status_free(status);
	return 0;
}

/* Build the runner with the library's sources and the program's own. */
static int open_runner(dbshift_runner **runner, const char *url,
		       const char *dir)
{
	dbshift_runner_options opts = {.version =
					       DBSHIFT_RUNNER_OPTIONS_VERSION};
	dbshift_source *app = NULL;
	int rc;

	opts.url = url;
	rc = dbshift_runner_new(runner, &opts);
	if (rc == 0)
		rc = authjobs_add_sources(*runner);
	if (rc == 0)
		rc = dbshift_source_dir_new(&app, "app", dir);
	if (rc == 0)
		rc = dbshift_runner_add_source(*runner, app);
	return rc;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 2 ? argv[2] : "migrations";
	dbshift_runner *runner = NULL;
	int applied = 0, rc;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s URL [MIGRATIONS_DIR]\n", argv[0]);
		return 2;
	}
	rc = open_runner(&runner, argv[1], dir);
	if (rc == 0)
		rc = dbshift_runner_up(runner, NULL, &applied);
	if (rc == 0) {
		printf("applied %d migration%s\n", applied,
		       applied == 1 ? "" : "s");
		rc = print_status(runner);
	}
	if (rc != 0)
		fprintf(stderr, "host: %s\n", dbshift_error_last()->message);
	dbshift_runner_free(runner);
	return exit_status(rc);
}
