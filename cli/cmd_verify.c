/* SPDX-License-Identifier: MIT */
/*
 * cmd_verify.c - `dbshift verify [TARGET]`: apply each pending migration,
 * roll it back and apply it again on a throwaway database, and fail
 * (exit 1) when a down script does not restore the schema its up script
 * started from, naming the migration and each object that differs.
 *
 * The work is dbshift_runner_verify(); the database is --url or, by
 * default, a fresh SQLite in-memory database (cli_throwaway_open() in
 * session.c).
 */
#include "config.h"

#include "session.h"

static void print_text(const dbshift_findings *findings, int n_checked,
		       int n_problems)
{
	char a[64], b[64];

	cli_findings_print(findings);
	cli_plural(a, sizeof(a), n_checked, "migration");
	cli_plural(b, sizeof(b), n_problems, "problem");
	if (n_problems > 0)
		cli_result("verify failed: %s (checked %s)", b, a);
	else
		cli_result("verified %s: every down restores the schema", a);
}

static void print_json(const dbshift_findings *findings, int n_checked,
		       int n_problems)
{
	printf("{\"clean\":%s,\"checked\":%d,\"findings\":",
	       n_problems == 0 ? "true" : "false", n_checked);
	cli_findings_json(findings);
	fputs("}\n", stdout);
}

static int run_verify(const struct cli_options *opts)
{
	const char *target = opts->n_args > 0 ? opts->args[0] : NULL;
	dbshift_findings *findings = NULL;
	dbshift_runner *runner;
	int rc, n_checked = 0, n_problems = 0;
	size_t i;

	rc = cli_throwaway_open(&runner, opts);
	if (rc != 0)
		return rc;
	rc = dbshift_runner_verify(
		runner, target,
		opts->keep_going ? DBSHIFT_VERIFY_KEEP_GOING : 0, &findings,
		&n_checked);
	if (rc != 0) {
		rc = cli_report(rc, dbshift_runner_error(runner));
		goto out;
	}
	for (i = 0; i < dbshift_findings_count(findings); i++)
		n_problems += !dbshift_findings_get(findings, i)->warning;
	if (opts->json)
		print_json(findings, n_checked, n_problems);
	else
		print_text(findings, n_checked, n_problems);
	rc = n_problems > 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
out:
	dbshift_findings_free(findings);
	dbshift_runner_free(runner);
	return rc;
}

const struct cli_command cli_cmd_verify = {
	"verify",
	"verify [TARGET]",
	"check that each down script undoes its up script",
	"On a throwaway database (--url, else a fresh SQLite in-memory\n"
	"database; $DBSHIFT_URL and $DATABASE_URL are not used), for each\n"
	"pending migration (all, or up to TARGET) in order: read the\n"
	"schema, apply the migration, run its down, check that the schema\n"
	"is the one from before, and apply the migration again. Prints\n"
	"each difference as KIND  ID  MESSAGE, for example\n"
	"  schema  auth/002  auth/002: down leaves index users_email_idx "
	"on users\n"
	"Kinds: schema (the down leaves, drops or changes an object),\n"
	"down-failed, reapply (the up fails or builds another schema when\n"
	"applied again), no-down (a warning: nothing to check).\n"
	"Stops after the first migration with a problem; --keep-going\n"
	"reports them all (each later check starts from the schema the\n"
	"faulty down left). The migrations stay applied.\n"
	"\n"
	"With --json, prints one object:\n"
	"  {\"clean\":true|false,\"checked\":N,\"findings\":[{\"kind\", "
	"\"id\",\n"
	"  \"warning\", \"message\"}, ...]}\n"
	"\n"
	"Exit status:\n"
	"  0  every checked down restores the schema\n"
	"  1  a down does not restore the schema, fails, or its up\n"
	"     cannot be applied again; an up script or the database\n"
	"     failed\n"
	"  2  bad usage or bad input: options, URL, migration files,\n"
	"     dependency graph, unknown target\n",
	CLI_ALLOW_JSON | CLI_ALLOW_KEEP_GOING,
	1,
	run_verify,
};
