/* SPDX-License-Identifier: MIT */
/*
 * cmd_repair.c - the commands that rewrite the history without running a
 * migration: `dbshift repair` (record the current checksums of changed
 * scripts and remove dirty rows, so that the history agrees with the
 * sources again), `dbshift baseline TARGET` (adopt an existing
 * database by recording TARGET and its dependencies as applied) and
 * `dbshift adopt --from TOOL` (record what another tool's history says is
 * applied).
 *
 * Both change what later runs will do, so, like force, they ask on a
 * terminal and need --yes otherwise. Each change the library makes is
 * printed as it happens ("app/001: checksum 1a2b... -> 3c4d..."), then a
 * summary line.
 */
#include "config.h"

#include <unistd.h>

#include "session.h"

/* dbshift_change_fn: one line per change on stdout. */
static void print_change(const char *id, const char *what, void *payload)
{
	(void)payload;
	printf("%s: %s\n", id, what);
}

/* 0 to go ahead, else an exit status: --yes, or a terminal and a yes. */
static int refuse_without_yes(const struct cli_options *opts, const char *what)
{
	if (opts->yes || isatty(STDIN_FILENO))
		return 0;
	return cli_error(CLI_EXIT_USAGE, "refusing to %s without --yes", what);
}

/*
 * On a terminal, show what repair would change (the changed and dirty
 * findings of validate) and ask. Sets *nothing when there is nothing to
 * repair. Bad sources are not asked about: repair itself reports them,
 * before it changes anything. Returns 0 to go ahead, else an exit status.
 */
static int confirm_repair(dbshift_runner *runner, int *nothing)
{
	dbshift_findings *findings = NULL;
	const dbshift_finding *f;
	size_t i, n = 0;
	int rc, bad_source = 0;

	*nothing = 0;
	rc = dbshift_runner_validate(runner, &findings, NULL);
	if (rc != 0)
		return cli_report(rc, dbshift_runner_error(runner));
	for (i = 0; i < dbshift_findings_count(findings); i++) {
		f = dbshift_findings_get(findings, i);
		bad_source |= f->kind == DBSHIFT_FINDING_SOURCE;
		if (f->kind != DBSHIFT_FINDING_CHANGED &&
		    f->kind != DBSHIFT_FINDING_DIRTY)
			continue;
		fprintf(stderr, "%s\n", f->message);
		n++;
	}
	dbshift_findings_free(findings);
	if (bad_source)
		return 0;
	if (n == 0) {
		*nothing = 1;
		return 0;
	}
	if (!cli_ask("Make these repairs to the history?"))
		return cli_error(CLI_EXIT_FAIL, "aborted; nothing changed");
	return 0;
}

static int run_repair(const struct cli_options *opts)
{
	dbshift_runner *runner;
	int rc, nothing = 0, n_changes = 0;
	char count[64];

	rc = refuse_without_yes(opts, "repair the history");
	if (rc != 0)
		return rc;
	rc = cli_runner_open(&runner, opts);
	if (rc != 0)
		return rc;
	if (!opts->yes)
		rc = confirm_repair(runner, &nothing);
	if (rc == 0 && !nothing) {
		rc = dbshift_runner_repair(runner, print_change, NULL,
					   &n_changes);
		if (rc != 0)
			rc = cli_report_runner(rc, runner);
	}
	if (rc == 0 && n_changes > 0)
		cli_result(
			"repaired the history: %s",
			cli_plural(count, sizeof(count), n_changes, "change"));
	else if (rc == 0)
		cli_result("nothing to repair: the history agrees with the "
			   "sources");
	dbshift_runner_free(runner);
	return rc;
}

static int run_baseline(const struct cli_options *opts)
{
	const char *target;
	dbshift_runner *runner;
	int rc, n_recorded = 0;
	char count[64], what[512];

	if (opts->n_args != 1)
		return cli_usage_error("baseline needs a TARGET "
				       "(SOURCE/VERSION)");
	target = opts->args[0];
	snprintf(what, sizeof(what), "record %s as applied", target);
	rc = refuse_without_yes(opts, what);
	if (rc != 0)
		return rc;
	rc = cli_runner_open(&runner, opts);
	if (rc != 0)
		return rc;
	if (!opts->yes && !cli_ask("Record %s and the migrations it depends "
				   "on as applied without running them?",
				   target)) {
		rc = cli_error(CLI_EXIT_FAIL, "aborted; nothing changed");
		goto out;
	}
	rc = dbshift_runner_baseline(runner, target, print_change, NULL,
				     &n_recorded);
	if (rc != 0)
		rc = cli_report_runner(rc, runner);
	else if (n_recorded > 0)
		cli_result("baselined at %s: recorded %s as applied", target,
			   cli_plural(count, sizeof(count), n_recorded,
				      "migration"));
	else
		cli_result("nothing to record: %s and its dependencies are "
			   "already recorded",
			   target);
out:
	dbshift_runner_free(runner);
	return rc;
}

static int run_adopt(const struct cli_options *opts)
{
	dbshift_runner *runner;
	unsigned int flags = opts->dry_run ? DBSHIFT_ADOPT_DRY_RUN : 0;
	int rc, n_recorded = 0;
	char count[64], what[512];

	if (opts->adopt_from == NULL)
		return cli_usage_error(
			"adopt needs --from TOOL (golang-migrate, "
			"goose, dbmate, flyway, sqitch or "
			"maragudk)");
	snprintf(what, sizeof(what), "adopt the %s history", opts->adopt_from);
	rc = opts->dry_run ? 0 : refuse_without_yes(opts, what);
	if (rc != 0)
		return rc;
	rc = cli_runner_open(&runner, opts);
	if (rc != 0)
		return rc;
	if (!opts->yes && !opts->dry_run &&
	    !cli_ask("Record the migrations %s applied as applied without "
		     "running them?",
		     opts->adopt_from)) {
		rc = cli_error(CLI_EXIT_FAIL, "aborted; nothing changed");
		goto out;
	}
	rc = dbshift_runner_adopt(runner, opts->adopt_from, opts->adopt_table,
				  flags, print_change, NULL, &n_recorded);
	cli_plural(count, sizeof(count), n_recorded, "migration");
	if (rc != 0)
		rc = cli_report_runner(rc, runner);
	else if (opts->dry_run)
		cli_result("dry run: would record %s as applied from the %s "
			   "history; nothing changed",
			   count, opts->adopt_from);
	else
		cli_result("adopted the %s history: recorded %s as applied",
			   opts->adopt_from, count);
out:
	dbshift_runner_free(runner);
	return rc;
}

const struct cli_command cli_cmd_repair = {
	"repair",
	"repair",
	"record current checksums and remove dirty rows",
	"Make the history agree with the sources again, and nothing\n"
	"else: record the current checksum of every applied migration\n"
	"whose script changed, and remove dirty rows - you cleaned up\n"
	"the partial change, so the migration counts as not applied\n"
	"and runs again on the next 'up'. (If you completed it by hand\n"
	"instead, use 'dbshift force'.) Runs no migration. Prints each\n"
	"change it makes, then a summary. Asks for confirmation on a\n"
	"terminal (after listing what would change) and needs --yes\n"
	"otherwise.\n"
	"\n"
	"Exit status:\n"
	"  0  the history was repaired (also when nothing needed it)\n"
	"  1  a database operation failed, or the confirmation was\n"
	"     declined\n"
	"  2  bad usage or bad input: options, URL, migration files,\n"
	"     dependency graph, or --yes missing without a terminal\n",
	0,
	0,
	run_repair,
};

const struct cli_command cli_cmd_baseline = {
	"baseline",
	"baseline TARGET",
	"record TARGET and its dependencies as applied",
	"Adopt an existing database whose schema already has the\n"
	"effect of some migrations: record TARGET (SOURCE/VERSION, or\n"
	"VERSION when only one source has it) and every migration it\n"
	"depends on as applied, without running them. Migrations\n"
	"already recorded the same way are left as they are; if any\n"
	"is recorded differently (dirty, or with another checksum)\n"
	"nothing is written. Prints each row written, then a summary.\n"
	"Asks for confirmation on a terminal and needs --yes\n"
	"otherwise.\n"
	"\n"
	"Exit status:\n"
	"  0  the migrations are recorded (also when they already were)\n"
	"  1  a database operation failed, a migration is recorded\n"
	"     differently, or the confirmation was declined\n"
	"  2  bad usage or bad input: options, URL, migration files,\n"
	"     dependency graph, unknown target, or --yes missing\n"
	"     without a terminal\n",
	0,
	1,
	run_baseline,
};

const struct cli_command cli_cmd_adopt = {
	"adopt",
	"adopt --from TOOL",
	"record what another tool's history says is applied",
	"Take a database over from another migration tool: read its\n"
	"history table and record the migrations it says are applied\n"
	"as applied, with the checksums of today's files, without\n"
	"running them. TOOL and the table read (--from-table NAME for\n"
	"another one; --table stays dbshift's own history table):\n"
	"  golang-migrate  schema_migrations: everything up to its version\n"
	"  goose           goose_db_version: the latest row per version\n"
	"  dbmate          schema_migrations: one row per version\n"
	"  flyway          flyway_schema_history\n"
	"  sqitch          sqitch.changes: changes matched by name\n"
	"  maragudk        migrations: everything up to its version\n"
	"Refuses, changing nothing, when dbshift's history already has\n"
	"rows, when the other tool's state is dirty or failed, or when\n"
	"one of its versions matches no migration. The other tool's\n"
	"table is left as it is. --dry-run prints the mapping and\n"
	"changes nothing. Asks for confirmation on a terminal and\n"
	"needs --yes otherwise.\n"
	"\n"
	"Exit status:\n"
	"  0  the migrations are recorded (or, with --dry-run, listed)\n"
	"  1  a database operation failed, the other tool's history\n"
	"     cannot be adopted, or the confirmation was declined\n"
	"  2  bad usage or bad input: options, unknown TOOL, URL,\n"
	"     migration files, or --yes missing without a terminal\n",
	CLI_ALLOW_DRY_RUN | CLI_ALLOW_ADOPT,
	0,
	run_adopt,
};
