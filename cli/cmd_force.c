/* SPDX-License-Identifier: MIT */
/*
 * cmd_force.c - `dbshift force TARGET`: record a dirty migration as
 * applied once the operator has completed it by hand. It changes the
 * history without running anything, so it asks on a terminal and needs
 * --yes otherwise.
 */
#include "config.h"

#include <unistd.h>

#include "session.h"

static int run_force(const struct cli_options *opts)
{
	const char *target;
	dbshift_runner *runner;
	int rc;

	if (opts->n_args != 1)
		return cli_usage_error("force needs a TARGET (SOURCE/VERSION)");
	target = opts->args[0];
	if (!opts->yes && !isatty(STDIN_FILENO))
		return cli_error(CLI_EXIT_USAGE,
				 "refusing to force %s without --yes", target);
	rc = cli_runner_open(&runner, opts);
	if (rc != 0)
		return rc;
	if (!opts->yes &&
	    !cli_ask("Record %s as applied without running it?", target)) {
		rc = cli_error(CLI_EXIT_FAIL, "aborted; nothing changed");
		goto out;
	}
	rc = dbshift_runner_force(runner, target);
	if (rc != 0)
		rc = cli_report_runner(rc, runner);
	else
		cli_result("forced %s: recorded as applied", target);
out:
	dbshift_runner_free(runner);
	return rc;
}

const struct cli_command cli_cmd_force = {
	"force",
	"force TARGET",
	"record a dirty migration as applied",
	"Resolve a dirty migration - one that failed or was\n"
	"interrupted part way outside a transaction - after you have\n"
	"completed its remaining statements by hand: record it as\n"
	"applied, without running anything. The other way out is\n"
	"'dbshift repair' (you undid the partial change; it runs again).\n"
	"Refuses a migration that is not dirty. Asks for confirmation\n"
	"on a terminal and needs --yes otherwise.\n"
	"\n"
	"Exit status:\n"
	"  0  the migration is recorded as applied\n"
	"  1  a database operation failed, the migration is not dirty,\n"
	"     or the confirmation was declined\n"
	"  2  bad usage or bad input: options, URL, migration files,\n"
	"     unknown target, or --yes missing without a terminal\n",
	0,
	1,
	run_force,
};
