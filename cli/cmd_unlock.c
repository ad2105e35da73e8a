/* SPDX-License-Identifier: MIT */
/*
 * cmd_unlock.c - `dbshift unlock`: remove the run lock's lease row of the
 * history table, for an operator who knows that the run holding it is
 * gone (a lease normally ends with its holder's session or expires on
 * its own). It can break a run in progress, so it asks on a terminal and
 * needs --yes otherwise.
 */
#include "config.h"

#include <unistd.h>

#include "session.h"

static void removed(const char *key, const char *holder, void *payload)
{
	(void)payload;
	cli_result("removed lease '%s' held by %s", key, holder);
}

static int run_unlock(const struct cli_options *opts)
{
	dbshift_runner *runner;
	int rc, n = 0;

	if (opts->n_args != 0)
		return cli_usage_error("unlock takes no arguments");
	if (!opts->yes && !isatty(STDIN_FILENO))
		return cli_error(CLI_EXIT_USAGE,
				 "refusing to unlock without --yes");
	rc = cli_runner_open(&runner, opts);
	if (rc != 0)
		return rc;
	if (!opts->yes &&
	    !cli_ask("Remove the run lock's lease, whoever holds it?")) {
		rc = cli_error(CLI_EXIT_FAIL, "aborted; nothing changed");
		goto out;
	}
	rc = dbshift_runner_unlock(runner, removed, NULL, &n);
	if (rc != 0)
		rc = cli_report(rc, dbshift_runner_error(runner));
	else if (n == 0)
		cli_result("no lease to remove");
out:
	dbshift_runner_free(runner);
	return rc;
}

const struct cli_command cli_cmd_unlock = {
	"unlock",
	"unlock",
	"remove a stale run-lock lease",
	"Remove the lease row of the history table's run lock from\n"
	"dbshift_locks, whoever holds it (--lock=table, or auto on a\n"
	"cluster or behind a pooler). Use it only when you know no run\n"
	"is in progress: a run still holding it stops before its next\n"
	"history write. A lease normally ends by itself: with its\n"
	"holder's session where the database shows sessions, else when\n"
	"it expires two minutes after its last renewal. A session lock\n"
	"needs no unlock: it ends with its connection. Asks for\n"
	"confirmation on a terminal and needs --yes otherwise.\n"
	"\n"
	"Exit status:\n"
	"  0  the lease was removed, or there was none\n"
	"  1  a database operation failed, or the confirmation was\n"
	"     declined\n"
	"  2  bad usage or bad input: options, URL, or --yes missing\n"
	"     without a terminal\n",
	0,
	1,
	run_unlock,
};
