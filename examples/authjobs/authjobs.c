/* SPDX-License-Identifier: MIT */
/*
 * authjobs.c - the part of libauthjobs that deals with its migrations:
 * handing its embedded sources to the host's runner. The sources
 * themselves are generated C files (auth_migrations.c, jobs_migrations.c)
 * that `dbshift embed` writes from auth/ and jobs/ at build time.
 */
#include "authjobs.h"

/*
 * Add one source made by make_source to runner, which takes it over.
 * Returns 0 or a DBSHIFT_E* code.
 */
static int add_source(dbshift_runner *runner,
		      int (*make_source)(dbshift_source **out))
{
	dbshift_source *source = NULL;
	int rc;

	rc = make_source(&source);
	if (rc != 0)
		return rc;
	return dbshift_runner_add_source(runner, source);
}

int authjobs_add_sources(dbshift_runner *runner)
{
	int rc;

	rc = add_source(runner, authjobs_auth_source);
	if (rc == 0)
		rc = add_source(runner, authjobs_jobs_source);
	return rc;
}
